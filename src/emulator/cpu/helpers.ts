// Implementations of the CPU helpers that instruction semantics call (declared with their
// effects in isa/helpers.ts). Each takes the CPU and its arguments — an i64 argument as two
// int32 words, low first — and returns its i32 result, or an i64 result's low word with the
// high word in c.retHi. A guest exception is taken without unwinding (c.trapped), so every
// engine calls them the same way (the interpreter directly, WebAssembly code through a
// call-out).

import type { HelperName } from '../isa/helpers';
import { C0 } from './cp0';
import * as cp0a from './cp0-access';
import { Exc, ST_FR } from '../isa/cp0-defs';
import { Cpu, GUEST_EXCEPTION } from './cpu';
import type { Fpu } from './fpu';
import { FpuImpl, fpuOps } from './fpu-ops';
import type { OcteonMemory } from './octeon-unit';

export type HelperImpl = (c: Cpu, ...args: number[]) => number | void;

/** Runs a throwing operation, turning a guest exception into a trap. */
function guarded(c: Cpu, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e !== GUEST_EXCEPTION) throw e;
    c.trapped = true;
  }
}

/** The CPU's memory primitives with a scratch register file, as the Octeon unit's atomic operations use them. */
class ScratchMemory implements OcteonMemory {
  cpu!: Cpu;
  constructor(readonly r: Int32Array) {}
  get icount(): number { return this.cpu.icount; }
  set icount(v: number) { this.cpu.icount = v; }
  get model(): Cpu['model'] { return this.cpu.model; }
  get ldHi(): number { return this.cpu.ldHi; }
  sync(): void { this.cpu.sync(); }
  cvmsegChanged(): void { this.cpu.cvmsegChanged(); }
  lw(vaHi: number, vaLo: number): number { return this.cpu.lw(vaHi, vaLo); }
  ld(vaHi: number, vaLo: number): number { return this.cpu.ld(vaHi, vaLo); }
  sw(vaHi: number, vaLo: number, lo: number): void { this.cpu.sw(vaHi, vaLo, lo); }
  sd(vaHi: number, vaLo: number, lo: number, hi: number): void { this.cpu.sd(vaHi, vaLo, lo, hi); }
  xlateStore(vaHi: number, vaLo: number): void { this.cpu.xlateStore(vaHi, vaLo); }
  addressError(vaHi: number, vaLo: number, write: boolean): never { return this.cpu.addressError(vaHi, vaLo, write); }
}

/** The FPU, with its FR view taken from Status (the CP1 check already passed). */
function fpuOf(c: Cpu): Fpu {
  const u = c.fpu as unknown as Fpu;
  u.fr = (c.c0.w[C0.STATUS] & ST_FR) !== 0;
  return u;
}

/** The helper implementations of one CPU (their FPU-op table is built per instance). */
export function cpuHelpers(): Record<HelperName, HelperImpl> {
  const fops: Record<string, FpuImpl> = fpuOps();
  /** A register file for the Octeon unit's operations, which take register indexes. */
  const scratch = new Int32Array(6);
  const mem = new ScratchMemory(scratch);
  /** FPU ops by instruction word (decoding once per distinct word). */
  const byWord = new Map<number, FpuImpl | undefined>();
  return {
    mfc0: (c, reg, sel) => { const lo = cp0a.readPair(c, reg, sel); c.retHi = c.c0Hi; return lo; },
    mtc0: (c, reg, sel, lo, hi) => cp0a.writePair(c, reg, sel, hi, lo),
    di: (c) => { const old = c.c0.w[C0.STATUS]; c.setStatus(old & ~1); return old; },
    ei: (c) => { const old = c.c0.w[C0.STATUS]; c.setStatus(old | 1); return old; },
    tlbr: (c) => c.tlbr(),
    tlbwi: (c) => guarded(c, () => c.tlbwi()),
    tlbwr: (c) => guarded(c, () => c.tlbwr()),
    tlbp: (c) => c.tlbp(),
    eret: (c) => c.eret(),
    wait: (c) => c.wait(),
    rdhwr: (c, rd) => {
      let v = 0;
      guarded(c, () => { v = c.rdhwr(rd); });
      c.retHi = c.rdhwrHi;
      return v;
    },
    alignLinked: (c, lo, hi, mask) => c.alignLinked(hi, lo, mask),
    llSet: (c, lo, hi) => c.llSet(hi, lo),
    sc: (c, alo, ahi, vlo, vhi, size) => c.scNT(ahi, alo, vlo, vhi, size as 4 | 8),
    storePart: (c, alo, ahi, vlo, vhi, kind) => guarded(c, () => {
      if (kind < 2) c.swlr(ahi, alo, vlo, kind === 0);
      else c.sdlrValue(ahi, alo, vlo, vhi, kind === 2);
    }),
    fpuCond: (c, cc) => (fpuOf(c).cond(cc) ? 1 : 0),
    fpuGetW: (c, fs) => fpuOf(c).readW(fs),
    fpuSetW: (c, ft, v) => fpuOf(c).writeW(ft, v),
    fpuGetD: (c, fs) => { const d = fpuOf(c).readD(fs); c.retHi = d[1]; return d[0]; },
    fpuSetD: (c, ft, lo, hi) => fpuOf(c).writeD(ft, lo, hi),
    fpuGetHi: (c, fs) => fpuOf(c).readHi(fs),
    fpuSetHi: (c, fs, v) => fpuOf(c).writeHi(fs, v),
    cfc1: (c, fs) => fpuOf(c).cfc1(fs) | 0,
    ctc1: (c, fs, v) => { const u = fpuOf(c); guarded(c, () => c.fpuOp(() => u.ctc1(fs, v))); },
    octMtm: (c, n, lo, hi) => c.oct!.mtm(n, lo, hi),
    octMtp: (c, n, lo, hi) => c.oct!.mtp(n, lo, hi),
    octVmul: (c, sl, sh, tl, th, words) => {
      // (The unit's operations take register indexes: the operands go through a scratch file.)
      const r = scratch;
      r[0] = sl; r[1] = sh; r[2] = tl; r[3] = th;
      if (words === 0) c.oct!.vmm0(r, 0, 2, 4); else c.oct!.vmul(r, 0, 2, 4, words as 2 | 3);
      c.retHi = r[5];
      return r[4];
    },
    octAtomic: (c, alo, ahi, tlo, thi, sizeOp) => {
      const r = scratch;
      r[0] = alo; r[1] = ahi; r[2] = tlo; r[3] = thi; r[4] = 0; r[5] = 0;
      mem.cpu = c;
      guarded(c, () => c.oct!.atomic(mem, 0, 2, 4, (sizeOp & 15) as 4 | 8, (sizeOp >> 4) as number));
      c.retHi = r[5];
      return r[4];
    },
    octZcb: (c, alo, ahi) => {
      const r = scratch;
      r[0] = alo; r[1] = ahi;
      mem.cpu = c;
      guarded(c, () => c.oct!.zcb(mem, 0));
    },
    fpuOp: (c, w, gl, gh) => {
      let f = byWord.get(w);
      if (f === undefined && !byWord.has(w)) {
        f = fops[c.decoder.decodeExec(w).op];
        byWord.set(w, f);
      }
      if (f === undefined) { c.trap(Exc.RI); return; }
      const u = fpuOf(c);
      guarded(c, () => f!(c, u, w, gl, gl === 0 && gh === 0));
    },
  };
}
