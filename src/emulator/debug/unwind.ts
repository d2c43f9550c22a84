// Call-stack unwinding for MIPS64. Where call frame information (DWARF .debug_frame /
// .eh_frame of the loaded ELF files) has an FDE for the PC, its rules give the CFA (the
// caller's sp) and where the registers ($ra, $s8, …) were saved. Elsewhere it is
// heuristic, by prologue analysis: the function start comes from a sized (FUNC) symbol, else from a backward
// scan for the prologue's `daddiu sp,sp,-N` that stops at the previous function's
// `jr ra` (an unsized label is a start only when no prologue precedes it that way),
// then the instructions from there up to the PC are scanned for the
// frame allocation (`daddiu sp,sp,-N`), the return-address save (`sd ra,X(sp)`), the
// frame pointer save and set-up (`sd s8,Y(sp)`, `move s8,sp`) and an epilogue already
// executed. A return address still in $ra is used only while it is plausible: it must
// follow a call, and a `jal` there must call the function being unwound.
//
// In an exception handler (Status.EXL or ERL), when the handler's own frames run out,
// the next frame is the interrupted code at EPC (ErrorEPC), marked as an exception
// frame; unwinding continues from there with the stack pointer as it is.

import type { Cpu } from '../cpu/cpu';
import { EXC_NAMES, ST_BEV, ST_ERL, ST_EXL } from '../isa/cp0-defs';
import { CallFrameInfo, executeRules, FrameRules } from '../loader/dwarf/cfi';
import { DwarfError } from '../loader/dwarf/error';
import { evalExpr } from '../loader/dwarf/expr';
import { DebugMemory } from './memory';
import { CodeFiles } from './code-files';
import { SavedContext, savedContext, syscallContext } from './exception-frame';
import { DebugSymbols } from './symbols';

export interface Frame {
  readonly pc: bigint;
  /** Stack pointer in this frame (the value on entry to its current instruction). */
  readonly sp: bigint;
  /** Start of the function, when known. */
  readonly funcStart: bigint | undefined;
  /** 'exception': the interrupted instruction at EPC (ErrorEPC when errorLevel). */
  readonly kind: 'normal' | 'exception';
  readonly excCode?: number;
  readonly excName?: string;
  readonly errorLevel?: boolean;
  /** How the caller of this frame was found: call frame information or prologue analysis. */
  readonly unwoundBy?: 'cfi' | 'prologue';
  /**
   * pc is a return address (a caller's frame): the call is the instruction pair before it,
   * and the function is the one containing pc − 4 (a call that never returns may end it).
   */
  readonly returnAddress: boolean;
}

/**
 * "function+0x10" for a frame: the symbol of the function containing its pc (pc − 4 for a
 * return address, which may lie just past a function ending in a call), or undefined.
 */
export function frameLabel(symbols: DebugSymbols, f: Frame): string | undefined {
  const s = symbols.lookup(f.returnAddress ? U64(f.pc - 4n) : f.pc);
  if (!s) return undefined;
  const off = U64(f.pc - s.addr);
  return off === 0n ? s.name : `${s.name}+0x${off.toString(16)}`;
}

interface CfiTable { readonly cfi: CallFrameInfo; offset: bigint; readonly little: boolean; readonly source: string; placed: boolean }

interface Analysis {
  start: bigint | undefined;
  /** Bytes allocated by the prologue and still allocated at pc. */
  frameSize: bigint;
  /** Offset of the saved ra from the frame's sp (when saved before pc), and its size. */
  raOffset: bigint | undefined;
  raSize: number;
  fpOffset: bigint | undefined;
  /** s8 holds the sp of right after the allocation. */
  fpFrame: boolean;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const SP = 29, FP = 30, RA = 31;
const MAX_SCAN = 2048;

export class Unwinder {
  private readonly tables: CfiTable[] = [];
  /** Code of the loaded symbol files, read before guest memory (see code-files.ts). */
  readonly code = new CodeFiles();

  constructor(private readonly cpu: Cpu, private readonly mem: DebugMemory, private readonly symbols: DebugSymbols) {}

  /** The instruction word at `a`: from a loaded file's code, else guest memory. */
  word(a: bigint): number | undefined {
    return this.code.word(a) ?? this.mem.word(a);
  }

  /** Call frame information of an ELF file loaded at `offset` (its addresses + offset). */
  addCallFrameInfo(cfi: CallFrameInfo, offset = 0n, little = true, source = ''): void {
    this.tables.push({ cfi, offset, little, source, placed: true });
  }

  /**
   * Moves the call frame information of `source` to `offset`, or with undefined sets it
   * aside (unused) until moved again. Returns the number of FDEs concerned.
   */
  rebase(source: string, offset: bigint | undefined): number {
    this.code.rebase(source, offset);
    let n = 0;
    for (const t of this.tables) {
      if (t.source !== source) continue;
      if (offset !== undefined) t.offset = U64(offset);
      t.placed = offset !== undefined;
      n += t.cfi.fdes.length;
    }
    return n;
  }

  /** The CFI rules for pc (a return address when `caller`: the call is the instruction pair before it). */
  rulesAt(pc: bigint, caller = false): { rules: FrameRules; offset: bigint; little: boolean } | undefined {
    for (const t of this.tables) {
      if (!t.placed) continue;
      const a = U64(pc - t.offset);
      const fde = t.cfi.find(caller ? U64(a - 4n) : a);
      if (!fde) continue;
      try {
        return { rules: executeRules(fde, caller && a >= fde.pcEnd ? U64(a - 4n) : a), offset: t.offset, little: t.little };
      } catch (e) {
        if (e instanceof DwarfError) return undefined; // malformed instructions: prologue analysis instead
        throw e;
      }
    }
    return undefined;
  }

  /**
   * The frames of the CPU's context, or of a saved one (`from`: a sleeping Linux task's
   * switch context, its pc the return address of the switch).
   */
  unwind(maxFrames = 64, from?: { readonly pc: bigint; readonly regs: ReadonlyArray<bigint | undefined> }): Frame[] {
    const cpu = this.cpu;
    const frames: Frame[] = [];
    let pc = U64(from ? from.pc : cpu.pc);
    let regs: Array<bigint | undefined> = [];
    for (let i = 0; i < 32; i++) regs.push(from ? from.regs[i] : U64(cpu.getGpr(i)));
    const st = from ? 0 : cpu.c0.status;
    let inHandler = (st & (ST_EXL | ST_ERL)) !== 0;
    let kind: Frame['kind'] = 'normal';
    let exc: Pick<Frame, 'excCode' | 'excName' | 'errorLevel'> = {};
    /** The registers are the whole context's (the innermost frame, or right after saved pt_regs). */
    let innermost = from === undefined;
    for (let n = 0; n < maxFrames; n++) {
      const sp = regs[SP] ?? 0n;
      const c = this.rulesAt(pc, !innermost && kind === 'normal');
      // (innermost is still this frame's: whether pc is a return address.)
      const viaCfi = c ? this.callerByCfi(c.rules, c.little, regs) : undefined;
      const a = viaCfi ? undefined : this.analyze(pc, innermost || kind === 'exception' ? pc : U64(pc - 4n));
      const funcStart = viaCfi ? U64(c!.rules.fde.pcBegin + c!.offset) : a!.start;
      frames.push({ pc, sp, funcStart, kind, ...exc, unwoundBy: viaCfi ? 'cfi' : 'prologue', returnAddress: !innermost && kind === 'normal' });
      kind = 'normal';
      exc = {};
      // An exception entry that has saved the interrupted context: that context comes next.
      const saved = funcStart !== undefined && !(n === 0 && inHandler) ? this.savedAt(funcStart, pc, sp, innermost ? regs : undefined) : undefined;
      if (saved) {
        const code = Number((saved.cause >> 2n) & 31n);
        pc = saved.epc;
        regs = saved.gpr.slice();
        kind = 'exception';
        exc = { excCode: code, excName: EXC_NAMES[code] ?? `exception ${code}`, errorLevel: false };
        innermost = true;
        if (this.word(pc) === undefined || (pc & 3n) !== 0n) { frames.push({ pc, sp: regs[SP] ?? 0n, funcStart: undefined, kind, ...exc, returnAddress: false }); break; }
        continue;
      }
      // In the handler's own code (EXL or ERL set), $ra is the interrupted code's unless it returns into a call of this function.
      const next = viaCfi ?? this.callerByPrologue(pc, a!, regs, innermost, innermost && inHandler && n === 0);
      innermost = false;
      const callerPc = next.pc, callerSp = next.regs[SP] ?? sp;
      const ok = callerPc !== undefined && callerPc !== 0n && (callerPc & 3n) === 0n && callerSp >= sp
        && !(callerPc === pc && callerSp === sp) && this.word(callerPc) !== undefined;
      if (ok) {
        pc = callerPc!;
        regs = next.regs;
        continue;
      }
      if (!inHandler) break;
      // The handler's frames end here: the interrupted code comes next.
      inHandler = false;
      const erl = (st & ST_ERL) !== 0;
      const code = (cpu.c0.cause >>> 2) & 31;
      pc = U64(erl ? cpu.c0.errorEpc : cpu.c0.epc);
      kind = 'exception';
      exc = { excCode: code, excName: erl ? 'error' : EXC_NAMES[code] ?? `exception ${code}`, errorLevel: erl };
      innermost = frames.length === 1; // no handler frame unwound: the registers (and $ra) are still the interrupted code's
      if (this.word(pc) === undefined) {
        frames.push({ pc, sp, funcStart: undefined, kind, ...exc, returnAddress: false });
        break;
      }
    }
    return frames;
  }

  /**
   * The interrupted context an exception entry saved (see exception-frame.ts), the entry
   * starting at `start` — or, when `start` is an unsized label (kallsyms), possibly at the
   * symbol before it (the entry's code runs on into the label: syscall_common).
   */
  private savedAt(start: bigint, pc: bigint, sp: bigint, regs: ReadonlyArray<bigint | undefined> | undefined): SavedContext | undefined {
    const starts = [start];
    const here = this.symbols.lookup(start);
    if (here && here.offset === 0n && here.size === 0n) {
      const before = this.symbols.lookup(U64(start - 4n));
      if (before && before.addr < start) starts.push(before.addr);
    }
    for (const s of starts) {
      const name = this.symbols.lookup(s);
      const found = (name && name.offset === 0n ? syscallContext(this.mem, name.name, sp) : undefined) ?? savedContext(this.mem, (a) => this.word(a), s, pc, sp, regs);
      if (found) return found;
    }
    return undefined;
  }

  /** The caller's pc and registers by the CFI rules; undefined when a rule cannot be evaluated here. */
  private callerByCfi(rules: FrameRules, little: boolean, regs: ReadonlyArray<bigint | undefined>): { pc: bigint | undefined; regs: Array<bigint | undefined> } | undefined {
    const ctx = { little, addressSize: 8, reg: (n: number) => (n < 32 ? regs[n] : undefined), read: (addr: bigint, size: number) => this.load(addr, size, false) };
    try {
      let cfa: bigint;
      if (rules.cfa.kind === 'reg') {
        const base = rules.cfa.reg < 32 ? regs[rules.cfa.reg] : undefined;
        if (base === undefined) return undefined;
        cfa = U64(base + rules.cfa.offset);
      } else cfa = U64(evalExpr(rules.cfa.expr, ctx));
      const out = regs.slice();
      const value = (n: number): bigint | undefined => {
        const r = rules.regs.get(n);
        if (!r || r.kind === 'same') return regs[n];
        switch (r.kind) {
          case 'undefined': return undefined;
          case 'offset': return this.load(U64(cfa + r.offset), 8);
          case 'val_offset': return U64(cfa + r.offset);
          case 'register': return r.reg < 32 ? regs[r.reg] : undefined;
          case 'expr': return this.load(U64(evalExpr(r.expr, ctx, [cfa])), 8);
          case 'val_expr': return U64(evalExpr(r.expr, ctx, [cfa]));
        }
      };
      for (const n of rules.regs.keys()) if (n < 32) out[n] = value(n);
      const ra = value(rules.raReg);
      out[SP] = cfa;
      return { pc: ra, regs: out };
    } catch (e) {
      if (e instanceof DwarfError) return undefined;
      throw e;
    }
  }

  /**
   * The caller's pc and registers by prologue analysis (sp, s8 and ra; $ra itself is used
   * once, when it follows a call — with `callsHere`, a call of this very function).
   */
  private callerByPrologue(pc: bigint, a: Analysis, regs: ReadonlyArray<bigint | undefined>, useRa: boolean, callsHere: boolean): { pc: bigint | undefined; regs: Array<bigint | undefined> } {
    const out = regs.slice();
    const sp = regs[SP] ?? 0n, fp = regs[FP];
    let callerPc: bigint | undefined;
    if (a.frameSize > 0n) {
      const base = a.fpFrame && fp !== undefined ? fp : sp;
      out[SP] = U64(base + a.frameSize);
      if (a.raOffset !== undefined) callerPc = this.load(U64(base + a.raOffset), a.raSize);
      if (a.fpOffset !== undefined) out[FP] = this.load(U64(base + a.fpOffset), 8);
    }
    // $ra holds a return address only in the innermost frame of a context (later frames'
    // were overwritten by the calls they made), and not one into this function before pc
    // (from a call it made itself).
    const ra = useRa ? regs[RA] : undefined;
    const stale = ra !== undefined && a.start !== undefined && ra > a.start && ra <= pc;
    if (callerPc === undefined && ra !== undefined && !stale && this.plausibleReturn(ra, callsHere ? a.start : undefined)) callerPc = ra;
    out[RA] = undefined; // the caller's own $ra is not known
    return { pc: callerPc, regs: out };
  }

  private load(addr: bigint, size: number, signExtend32 = true): bigint | undefined {
    const v = this.mem.readUnsigned({ addr, phys: false }, size);
    if (v === undefined) return undefined;
    return size === 4 && signExtend32 ? U64(BigInt.asIntN(32, v)) : v;
  }

  /**
   * A return address must follow a call; with `funcStart`, a `jal` there must target it
   * (without: tail calls — a function entered by `j`/`jr` from the one called — are allowed).
   */
  private plausibleReturn(ra: bigint, funcStart: bigint | undefined): boolean {
    if ((ra & 3n) !== 0n || ra === 0n) return false;
    const call = this.word(U64(ra - 8n));
    if (call === undefined) return false;
    const d = this.cpu.decoder.decode(call).canonical;
    if (!(d.flags & (1 << 3))) return false; // F.LINK
    if (funcStart === undefined) return true;
    // A call of this very function: a `jal` to it (a `jalr`'s target is not known here).
    if ((call >>> 26) !== 3) return false;
    const target = (U64(ra - 4n) & ~0x0fffffffn) | (BigInt(call & 0x3ffffff) << 2n);
    return target === funcStart;
  }

  /**
   * The exception vector `pc` is in, as "EBASE+0x180 (general exception vector)", when no
   * symbol names it (a kernel copies its vector code to EBASE at run time).
   */
  vectorLabel(pc: bigint): string | undefined {
    const v = this.vectorAt(pc);
    return v ? `${v.bev ? 'BEV' : 'EBASE'}+0x${v.offset.toString(16)} (${v.name} vector)` : undefined;
  }

  /** The exception vector slot around `pc` (EBASE, or the BEV ROM vectors): its range and name. */
  vectorAt(pc: bigint): { start: bigint; end: bigint; offset: bigint; name: string; bev: boolean } | undefined {
    const bev = (this.cpu.c0.status & ST_BEV) !== 0;
    const base = bev ? 0xffffffffbfc00200n : U64(BigInt.asIntN(64, this.cpu.c0.ebase) & ~0xfffn);
    const off = U64(pc - base);
    if (off >= 0x1000n) return undefined;
    const slots: Array<[bigint, bigint, string]> = [[0n, 0x80n, 'TLB refill'], [0x80n, 0x100n, 'XTLB refill'], [0x100n, 0x180n, 'cache error'], [0x180n, 0x200n, 'general exception'], [0x200n, 0x1000n, 'interrupt']];
    const [lo, hi, name] = slots.find(([l, h]) => off >= l && off < h)!;
    return { start: U64(base + lo), end: U64(base + hi), offset: off, name, bev };
  }

  /**
   * Function start and the prologue effects executed before pc. `inBlock`: an address in
   * the function (a caller's pc is a return address, which may lie past the end of a
   * function ending with a call that never returns: the call's delay slot is in it).
   */
  analyze(pc: bigint, inBlock = pc): Analysis {
    const res: Analysis = { start: undefined, frameSize: 0n, raOffset: undefined, raSize: 8, fpOffset: undefined, fpFrame: false };
    res.start = this.functionStart(inBlock);
    const start = res.start;
    if (start === undefined) return res;
    for (let a = start; a < pc; a += 4n) {
      const w = this.word(a);
      if (w === undefined) break;
      const op = w >>> 26, rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, imm = BigInt((w << 16) >> 16);
      if ((op === 0x19 || op === 0x09) && rs === SP && rt === SP) {
        if (imm < 0n) { if (this.isAlloc(a)) res.frameSize += -imm; continue; }
        // An epilogue: frame released; ra is back in its register.
        if (this.returnsWithin(a + 4n, 2) && pc > a) { res.frameSize = 0n; res.raOffset = undefined; res.fpOffset = undefined; res.fpFrame = false; }
        continue;
      }
      if ((op === 0x3f || op === 0x2b) && rs === SP && rt === RA && res.raOffset === undefined) {
        res.raOffset = imm; res.raSize = op === 0x3f ? 8 : 4;
        continue;
      }
      if ((op === 0x3f || op === 0x2b) && rs === SP && rt === FP && res.fpOffset === undefined) { res.fpOffset = imm; continue; }
      // move s8, sp (daddu/addu/or s8, sp, zero)
      if (op === 0 && ((w >>> 11) & 31) === FP && rs === SP && rt === 0 && [0x2d, 0x21, 0x25].includes(w & 0x3f) && res.frameSize > 0n) {
        res.fpFrame = true;
      }
    }
    return res;
  }

  private returnsWithin(a: bigint, n: number): boolean {
    for (let k = 0; k < n; k++) {
      const w = this.word(a + BigInt(k * 4));
      if (w === 0x03e00008 || w === 0x03e00408) return true;
    }
    return false;
  }

  /** Start of the function containing pc (see the header comment). */
  functionStart(pc: bigint): bigint | undefined {
    const sym = this.symbols.lookup(pc);
    if (sym && sym.size > 0n) return sym.addr;
    const label = sym && sym.offset < BigInt(MAX_SCAN * 4) ? sym.addr : undefined;
    // An unsized symbol (kallsyms) is the function's start, as gdb takes a minimal symbol,
    // unless a frame allocation shortly before it says it labels the inside of a function
    // (an early `jr ra` between it and pc is one of the function's returns, not its end).
    if (label !== undefined && !this.allocatesBefore(label)) return label;
    // Backward: a prologue's frame allocation, or the end of the previous function.
    for (let k = 0; k < MAX_SCAN; k++) {
      const a = U64(pc - BigInt(k * 4));
      const w = this.word(a);
      if (w === undefined) return label ?? (k > 0 ? U64(a + 4n) : undefined);
      // A frame allocation before pc (with a label in between, the label is inside this function).
      if (k > 0 && this.isAlloc(a)) return a;
      if (k >= 2 && (w === 0x03e00008 || w === 0x03e00408)) {
        const after = U64(a + 8n);
        return label !== undefined && label > after ? label : after;
      }
      if (label !== undefined && a === label && k > 0 && !this.allocatesBefore(label)) return label;
    }
    return label;
  }

  /** Whether a frame allocation precedes `addr` closely, with no function end in between (addr is inside that function). */
  private allocatesBefore(addr: bigint): boolean {
    for (let k = 1; k < 256; k++) {
      const a = U64(addr - BigInt(k * 4));
      const w = this.word(a);
      if (w === undefined || w === 0x03e00008 || w === 0x03e00408) return false;
      if (this.isAlloc(a)) return true;
    }
    return false;
  }

  /**
   * `daddiu/addiu sp,sp,-N` allocating a stack frame: N a multiple of 8 up to 32 KiB, and
   * not the second half of building an address in sp (the instruction before writes sp).
   */
  private isAlloc(a: bigint): boolean {
    const w = this.word(a);
    if (w === undefined) return false;
    const op = w >>> 26;
    if ((op !== 0x19 && op !== 0x09) || ((w >>> 21) & 31) !== SP || ((w >>> 16) & 31) !== SP) return false;
    const imm = (w << 16) >> 16;
    if (imm >= 0 || (imm & 7) !== 0) return false;
    const p = this.word(U64(a - 4n));
    if (p === undefined) return true;
    const pop = p >>> 26;
    // (An sp adjustment before it — the previous function's epilogue in a delay slot — builds nothing.)
    const adjusts = (pop === 0x09 || pop === 0x19) && ((p >>> 21) & 31) === SP;
    const writesSp = pop === 0 ? ((p >>> 11) & 31) === SP : [0x0f, 0x0d, 0x0c, 0x0e, 0x09, 0x19, 0x08, 0x18].includes(pop) && ((p >>> 16) & 31) === SP;
    return !writesSp || adjusts;
  }
}
