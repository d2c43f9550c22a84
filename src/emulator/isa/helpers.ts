// The CPU helpers instruction semantics may call (isa/ir.ts Sem.call): what each takes and
// returns, and what it may do — as QEMU's helper.h declares its helpers. Engines read the
// effects to know what a call needs (precise state, registers in memory, an exit after it);
// the implementations are in cpu/helpers.ts, checked against these declarations.

import type { Ty } from './ir';

/** What a helper may do besides computing its result. */
export const enum Effect {
  NONE = 0,
  /** May take a guest exception (the instruction then ends; the CPU is at the vector). */
  RAISE = 1,
  /**
   * Changes the translation context (mode, Status, TLB, ASID, interrupt state, the PC):
   * translated code leaves right after it, at the PC the CPU then has.
   */
  CTX = 2,
  /** Reads or writes the virtual clock (Count, Random, WAIT): needs the exact icount. */
  TIME = 4,
  /** Reads or writes guest registers through the CPU (translated code keeps them in memory across it). */
  REGS = 8,
  /** Accesses memory or devices through the CPU (translated code may leave after a device access). */
  MEM = 16,
  /** Reads or writes the FPU's registers (state outside the register file). */
  FPU = 32,
}

export interface HelperDecl {
  readonly params: readonly Ty[];
  readonly ret: Ty | 'void';
  readonly effects: number;
  readonly doc: string;
}

const decl = (params: Ty[], ret: Ty | 'void', effects: number, doc: string): HelperDecl => ({ params, ret, effects, doc });
const I = 'i32', L = 'i64';

export const HELPERS = {
  // ---- CP0 and the TLB
  mfc0: decl([I, I], L, Effect.TIME, 'CP0 register (reg, sel), 64 bits as dmfc0 reads it (32-bit registers sign-extended)'),
  mtc0: decl([I, I, L], 'void', Effect.CTX | Effect.TIME, 'writes CP0 register (reg, sel) with write masks and side effects'),
  di: decl([], I, Effect.CTX, 'clears Status.IE; returns the old Status'),
  ei: decl([], I, Effect.CTX, 'sets Status.IE; returns the old Status'),
  tlbr: decl([], 'void', Effect.CTX, 'reads the TLB entry Index names into EntryHi/EntryLo0/EntryLo1/PageMask'),
  tlbwi: decl([], 'void', Effect.CTX | Effect.RAISE, 'writes the TLB entry Index names (machine check on a duplicate)'),
  tlbwr: decl([], 'void', Effect.CTX | Effect.RAISE | Effect.TIME, 'writes the TLB entry Random names'),
  tlbp: decl([], 'void', Effect.CTX, 'probes the TLB for EntryHi: Index or Index.P'),
  eret: decl([], 'void', Effect.CTX, 'returns from an exception: PC = EPC (or ErrorEPC), clears EXL (or ERL) and LLbit'),
  wait: decl([], 'void', Effect.CTX | Effect.TIME, 'halts until an interrupt is pending'),
  rdhwr: decl([I], L, Effect.RAISE | Effect.TIME, 'hardware register rd (CPUNum, SYNCI_Step, CC, CCRes; Octeon CvmCount 30/31), or Reserved Instruction'),
  // ---- atomics
  alignLinked: decl([L, I], 'void', Effect.RAISE, 'll/lld where ordinary loads may be fixed up in hardware (Octeon): Address Error unless the address is aligned (mask)'),
  llSet: decl([L], 'void', Effect.NONE, 'after the load of ll/lld at an address: LLbit set, LLAddr and the linked physical address recorded'),
  sc: decl([L, L, I], I, Effect.RAISE | Effect.MEM, 'sc/scd of a value (size 4 or 8) at an address: 1 when stored, 0 when LLbit was clear or the address differs'),
  storePart: decl([L, L, I], 'void', Effect.RAISE | Effect.MEM, 'swl/swr/sdl/sdr: stores the part of a register (kind: 0 swl, 1 swr, 2 sdl, 3 sdr) at an unaligned address'),
  // ---- the FPU
  fpuCond: decl([I], I, Effect.FPU, 'FCSR condition code cc (0/1)'),
  fpuGetW: decl([I], I, Effect.FPU, 'low word of FPR fs'),
  fpuSetW: decl([I, I], 'void', Effect.FPU, 'writes the low word of FPR ft'),
  fpuGetD: decl([I], L, Effect.FPU, 'FPR fs as 64 bits (an even/odd pair with Status.FR = 0)'),
  fpuSetD: decl([I, L], 'void', Effect.FPU, 'writes FPR ft as 64 bits'),
  fpuGetHi: decl([I], I, Effect.FPU, 'high word of FPR fs'),
  fpuSetHi: decl([I, I], 'void', Effect.FPU, 'writes the high word of FPR fs'),
  cfc1: decl([I], I, Effect.FPU, 'FPU control register fs'),
  ctc1: decl([I, I], 'void', Effect.FPU | Effect.RAISE | Effect.CTX, 'writes FPU control register fs (FP exception when a cause is enabled)'),
  /** The FPU arithmetic, conversions, compares and moves: the instruction word decides. */
  fpuOp: decl([I, L], 'void', Effect.FPU | Effect.RAISE, 'an FPU operation (the instruction word; rt\'s value for movz/movn.fmt and alnv.ps)'),
  // ---- Cavium Octeon (cpu/octeon-unit.ts)
  octMtm: decl([I, L], 'void', Effect.NONE, 'mtm0-2: MPLn = rs; P0-2 cleared'),
  octMtp: decl([I, L], 'void', Effect.NONE, 'mtp0-2: Pn = rs'),
  octVmul: decl([L, L, I], L, Effect.NONE, 'vmulu (words 2), v3mulu (3): T = MPL × rs + rt + P, rd = T[63:0], P = T >> 64; vmm0 (0)'),
  octAtomic: decl([L, L, I], L, Effect.MEM | Effect.RAISE, 'saa/laa family at an address: stores op(old, rt) (size | op << 4); returns old (words sign-extended)'),
  octZcb: decl([L], 'void', Effect.MEM | Effect.RAISE, 'zcb/zcbt: zeroes the 128-byte block holding the address'),
} satisfies Record<string, HelperDecl>;

export type HelperName = keyof typeof HELPERS;
