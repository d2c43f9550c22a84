// Exception frames of a MIPS kernel: an exception entry (Linux's handle_int, handle_sys64,
// the TLB and error handlers; any code that does the same) saves the interrupted
// context as a `struct pt_regs` on the kernel stack — it reads EPC from CP0 and stores
// it there — and then runs C code. Unwinding from that C code reaches the entry
// function's frame; the frame after it is the interrupted context, whose registers and
// pc (cp0_epc) are in the saved pt_regs.
//
// Where the pt_regs are is found from the entry code itself, by following the
// instructions from the function's start to the frame's pc: the store of EPC (`dmfc0 rX,
// $14` … `sd rX, off(sp)`) fixes the pt_regs address relative to sp; copies of that
// address into registers and stack slots are followed through a switch of stacks (Linux
// moves to the IRQ stack after saving the registers, keeping the pt_regs address in s1
// and at 0(sp) of the IRQ stack), so that at the frame's pc it can be found from the
// frame's sp (a stack slot) or, in the innermost frame, from a register.
//
// Linux's syscall entries are the exception: the o32 entry `handle_sys` saves the registers
// (SAVE_SOME) and jumps to handle_sys64 or handle_sysn32 by the syscall number, so their
// code does not show the save; these entries declare pt_regs as their frame
// (NESTED(handle_sys64, PT_SIZE, sp)): at them, sp is the pt_regs address (checked: the
// saved Cause says Sys).
//
// The layout is MIPS64 Linux's struct pt_regs (arch/mips/include/asm/ptrace.h): regs[32]
// at 0, then cp0_status, hi, lo, cp0_badvaddr, cp0_cause, cp0_epc; it is located by the
// offset the code stores EPC at (PT_EPC, 296).

import type { DebugMemory } from './memory';

/** Offsets in MIPS64 Linux's struct pt_regs (no SmartMIPS ACX). */
export const PT_R0 = 0;
export const PT_STATUS = 256;
export const PT_HI = 264;
export const PT_LO = 272;
export const PT_BVADDR = 280;
export const PT_CAUSE = 288;
export const PT_EPC = 296;

/** CP0 register numbers (MIPS64 manual, Vol. III). */
const CP0_EPC = 14;
const SP = 29;
/** At most this many instructions of an entry function are followed. */
const MAX_FOLLOW = 1024;

/** Reads the instruction word at an address (undefined: unreadable). */
export type CodeReader = (addr: bigint) => number | undefined;

/** Linux's syscall entry functions, whose frame is the pt_regs. */
const SYSCALL_ENTRIES = new Set(['handle_sys', 'handle_sys64', 'handle_sysn32']);
const EXC_SYS = 8;

/** The pt_regs a Linux syscall entry `name` at stack pointer `sp` runs on, when its saved Cause says Sys. */
export function syscallContext(mem: DebugMemory, name: string, sp: bigint): SavedContext | undefined {
  if (!SYSCALL_ENTRIES.has(name)) return undefined;
  const ctx = readPtRegs(mem, sp);
  return ctx && Number((ctx.cause >> 2n) & 31n) === EXC_SYS ? ctx : undefined;
}

export interface SavedContext {
  /** Address of the pt_regs. */
  readonly at: bigint;
  /** regs[0..31]. */
  readonly gpr: ReadonlyArray<bigint>;
  readonly status: bigint;
  readonly cause: bigint;
  readonly epc: bigint;
  readonly badVAddr: bigint;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** A value known relative to the pt_regs address, or to another stack (`stack` > 0: the n-th stack the code switched to). */
interface Sym { readonly stack: number; readonly delta: bigint }

/**
 * The pt_regs an exception entry function starting at `start` has saved, when the frame
 * at `pc` (with stack pointer `sp`; `regs` when it is the innermost frame) is in it after
 * the save. Undefined for any other code.
 */
export function savedContext(mem: DebugMemory, code: CodeReader, start: bigint, pc: bigint, sp: bigint, regs?: ReadonlyArray<bigint | undefined>): SavedContext | undefined {
  const at = locate(mem, code, start, pc, sp, regs);
  return at === undefined ? undefined : readPtRegs(mem, at);
}

/** Reads a pt_regs at `at` (undefined when it is not all readable). */
export function readPtRegs(mem: DebugMemory, at: bigint): SavedContext | undefined {
  const q = (off: number): bigint | undefined => mem.readUnsigned({ addr: U64(at + BigInt(off)), phys: false }, 8);
  const gpr: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const v = q(PT_R0 + i * 8);
    if (v === undefined) return undefined;
    gpr.push(v);
  }
  const status = q(PT_STATUS), cause = q(PT_CAUSE), epc = q(PT_EPC), badVAddr = q(PT_BVADDR);
  if (status === undefined || cause === undefined || epc === undefined || badVAddr === undefined) return undefined;
  gpr[0] = 0n;
  return { at, gpr, status, cause, epc, badVAddr };
}

function locate(mem: DebugMemory, code: CodeReader, start: bigint, pc: bigint, sp: bigint, regs?: ReadonlyArray<bigint | undefined>): bigint | undefined {
  if (pc <= start || pc - start > BigInt(MAX_FOLLOW * 4)) return undefined;
  // Registers holding the pt_regs address (+ delta); 'epc' marks a register holding EPC.
  const reg = new Map<number, Sym | 'epc'>();
  // sp relative to pt_regs (stack 0) or to a later stack; stack slots holding the address.
  let spSym: Sym | undefined;
  let stacks = 0;
  const slots = new Map<string, Sym>();
  const slotKey = (s: Sym, off: bigint): string => `${s.stack}:${s.delta + off}`;
  for (let a = start; a < pc; a += 4n) {
    const w = code(a);
    if (w === undefined) return undefined;
    const op = w >>> 26, rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, rd = (w >>> 11) & 31;
    const imm = BigInt((w << 16) >> 16);
    const symOf = (r: number): Sym | undefined => {
      if (r === SP) return spSym;
      const v = reg.get(r);
      return v === 'epc' ? undefined : v;
    };
    // dmfc0/mfc0 rt, EPC
    if (op === 0x10 && (rs === 0x01 || rs === 0x00) && rd === CP0_EPC && (w & 7) === 0) { reg.set(rt, 'epc'); continue; }
    // sd/sw rt, imm(sp)
    if ((op === 0x3f || op === 0x2b) && rs === SP) {
      if (reg.get(rt) === 'epc' && op === 0x3f) {
        spSym = { stack: 0, delta: BigInt(PT_EPC) - imm }; // sp = pt_regs + (PT_EPC − imm)
        continue;
      }
      const v = symOf(rt);
      if (v && spSym) slots.set(slotKey(spSym, imm), v);
      continue;
    }
    // Writes to sp.
    const writes = writtenGpr(w);
    if (writes === SP) {
      if ((op === 0x19 || op === 0x09) && rs === SP) { if (spSym) spSym = { ...spSym, delta: spSym.delta + imm }; continue; }
      const moved = moveSource(w);
      const src = moved !== undefined ? symOf(moved) : undefined;
      spSym = src ?? (spSym ? { stack: ++stacks, delta: 0n } : undefined);
      continue;
    }
    if (writes > 0) {
      const moved = moveSource(w);
      const src = moved !== undefined ? symOf(moved) : (op === 0x19 || op === 0x09) ? addImm(symOf(rs), imm) : undefined;
      // ld rt, imm(sp) from a slot holding the address.
      const loaded = op === 0x37 && rs === SP && spSym ? slots.get(slotKey(spSym, imm)) : undefined;
      const v = src ?? loaded;
      if (v) reg.set(writes, v); else reg.delete(writes);
    }
  }
  if (!spSym) return undefined; // EPC was not saved (yet) on this path
  if (spSym.stack === 0) return U64(sp - spSym.delta); // sp = pt_regs + delta
  // On another stack: a slot there, or (innermost frame) a register, holds the address.
  for (const [k, v] of slots) {
    const [stack, off] = k.split(':');
    if (Number(stack) !== spSym.stack || v.stack !== 0) continue;
    const slot = mem.readUnsigned({ addr: U64(sp + BigInt(off!) - spSym.delta), phys: false }, 8);
    if (slot !== undefined) return U64(slot - v.delta);
  }
  if (regs) {
    for (const [r, v] of reg) {
      if (v === 'epc' || v.stack !== 0) continue;
      const x = regs[r];
      if (x !== undefined) return U64(x - v.delta);
    }
  }
  return undefined;
}

function addImm(s: Sym | undefined, imm: bigint): Sym | undefined {
  return s ? { stack: s.stack, delta: s.delta + imm } : undefined;
}

/** The source register of a register move (daddu/addu/or rd, rs, $zero; daddiu rt, rs, 0), else undefined. */
function moveSource(w: number): number | undefined {
  const op = w >>> 26, rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, fn = w & 0x3f;
  if (op === 0 && (fn === 0x2d || fn === 0x21 || fn === 0x25) && ((w >>> 6) & 31) === 0) {
    if (rt === 0) return rs;
    if (rs === 0) return rt;
  }
  if ((op === 0x19 || op === 0x09) && (w & 0xffff) === 0) return rs;
  return undefined;
}

/** The GPR an instruction writes (0: none or $zero). */
function writtenGpr(w: number): number {
  const op = w >>> 26;
  if (op === 0) {
    const fn = w & 0x3f;
    if (fn === 0x08 || fn === 0x0c || fn === 0x0d || fn === 0x0f) return 0; // jr, syscall, break, sync
    if (fn >= 0x18 && fn <= 0x1f) return 0; // mult/div write hi/lo
    if (fn === 0x11 || fn === 0x13) return 0; // mthi, mtlo
    return (w >>> 11) & 31;
  }
  if (op === 0x03) return 31; // jal
  if (op === 0x1c) return (w >>> 11) & 31; // SPECIAL2 (mul, clz…)
  if (op === 0x1f) return (w >>> 16) & 31; // SPECIAL3 (ext, ins…; rdhwr rt)
  if (op === 0x10) return ((w >>> 21) & 31) <= 1 ? (w >>> 16) & 31 : 0; // mfc0/dmfc0
  if ((op >= 0x08 && op <= 0x0f) || op === 0x18 || op === 0x19) return (w >>> 16) & 31;
  if ((op >= 0x20 && op <= 0x27) || op === 0x1a || op === 0x1b || op === 0x30 || op === 0x34 || op === 0x37) return (w >>> 16) & 31;
  return 0;
}
