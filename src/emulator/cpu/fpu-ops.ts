// The FPU operations behind the `fpuOp` helper (isa/semantics/fpu.ts): per op of the table,
// QEMU's format checks (paired single needs FIR.PS and FR; doubles on odd registers with FR
// clear and the 64-bit-only operations are Reserved Instructions) and the softfloat
// operation of cpu/fpu.ts on the instruction's fields. They throw on a guest exception
// (Cpu.raise; FPU exceptions through Cpu.fpuOp): the helper turns that into a trap.

import { FP_CONDITIONS } from '../isa/table';
import type { Cpu } from './cpu';
import type { Fpu } from './fpu';

/** An FPU operation on instruction word w; `g` is the low word of the GPR operand (movz/movn.fmt: rt == 0 in `gz`). */
export type FpuImpl = (c: Cpu, fpu: Fpu, w: number, gl: number, gz: boolean) => void;

const FD = (w: number): number => (w >>> 6) & 31;
const FS = (w: number): number => (w >>> 11) & 31;
const FT = (w: number): number => (w >>> 16) & 31;
const FR = (w: number): number => (w >>> 21) & 31;
const CC = (w: number): number => (w >>> 18) & 7;
const CC8 = (w: number): number => (w >>> 8) & 7;

type Fmt = 's' | 'd' | 'ps';

/** Reserved-instruction checks of QEMU before an op of format f on registers (d, s, t). */
function pre(c: Cpu, f: Fmt, d: number, s: number, t: number): void {
  if (f === 'ps') c.needPs();
  else if (f === 'd') c.fpEven(d, s, t);
}

export function fpuOps(): Record<string, FpuImpl> {
  const O: Record<string, FpuImpl> = {};
  const op = (name: string, f: FpuImpl): void => { O[name] = f; };
  for (const f of ['s', 'd', 'ps'] as const) {
    for (const m of ['add', 'sub', 'mul', 'div'] as const) {
      op(`${m}.${f}`, (c, u, w) => { pre(c, f, FD(w), FS(w), FT(w)); c.fpuOp(() => u[m](f, FD(w), FS(w), FT(w))); });
    }
    for (const m of ['sqrt', 'abs', 'neg', 'mov', 'recip', 'rsqrt'] as const) {
      op(`${m}.${f}`, (c, u, w) => {
        if ((m === 'recip' || m === 'rsqrt') && f === 'd') c.need64(); else pre(c, f, FD(w), FS(w), 0);
        c.fpuOp(() => u[m](f, FD(w), FS(w)));
      });
    }
    op(`movf.${f}`, (c, u, w) => { pre(c, f, FD(w), FS(w), 0); c.fpuOp(() => u.movcf(f, FD(w), FS(w), CC(w), false)); });
    op(`movt.${f}`, (c, u, w) => { pre(c, f, FD(w), FS(w), 0); c.fpuOp(() => u.movcf(f, FD(w), FS(w), CC(w), true)); });
    op(`movz.${f}`, (c, u, w, _g, gz) => { pre(c, f, FD(w), FS(w), 0); c.fpuOp(() => u.movz(f, FD(w), FS(w), gz)); });
    op(`movn.${f}`, (c, u, w, _g, gz) => { pre(c, f, FD(w), FS(w), 0); c.fpuOp(() => u.movn(f, FD(w), FS(w), gz)); });
    for (const m of ['madd', 'msub', 'nmadd', 'nmsub'] as const) {
      op(`${m}.${f}`, (c, u, w) => {
        if (f === 'ps') c.needPs(); else if (f === 'd') { c.fpEven(FD(w), FS(w), FT(w)); c.fpEven(FR(w), 0, 0); }
        c.fpuOp(() => u[m](f, FD(w), FR(w), FS(w), FT(w)));
      });
    }
    FP_CONDITIONS.forEach((cond, i) => {
      op(`c.${cond}.${f}`, (c, u, w) => { pre(c, f, 0, FS(w), FT(w)); c.fpuOp(() => u.c(i, f, CC8(w), FS(w), FT(w))); });
    });
  }
  for (const f of ['s', 'd'] as const) {
    for (const r of ['round', 'trunc', 'ceil', 'floor'] as const) {
      for (const to of ['l', 'w'] as const) {
        op(`${r}.${to}.${f}`, (c, u, w) => {
          if (to === 'l') c.need64(); else pre(c, f, 0, FS(w), 0);
          c.fpuOp(() => u[r](to, f, FD(w), FS(w)));
        });
      }
    }
  }
  for (const [to, froms] of [['s', ['d', 'w', 'l']], ['d', ['s', 'w', 'l']], ['w', ['s', 'd']], ['l', ['s', 'd']]] as const) {
    for (const from of froms) {
      op(`cvt.${to}.${from}`, (c, u, w) => {
        if (to === 'l' || from === 'l') c.need64(); else if (to === 'd') c.fpEven(FD(w), 0, 0); else if (from === 'd') c.fpEven(0, FS(w), 0);
        c.fpuOp(() => u.cvt(to, from, FD(w), FS(w)));
      });
    }
  }
  op('cvt.s.pu', (c, u, w) => { c.needPs(); c.fpuOp(() => u.cvt('s', 'pu', FD(w), FS(w))); });
  op('cvt.s.pl', (c, u, w) => { c.needPs(); c.fpuOp(() => u.cvt('s', 'pl', FD(w), FS(w))); });
  op('cvt.ps.s', (c, u, w) => { c.needPs(); c.fpuOp(() => u.cvt('ps', 's', FD(w), FS(w), FT(w))); });
  for (const p of ['pll', 'plu', 'pul', 'puu'] as const) {
    op(`${p}.ps`, (c, u, w) => { c.needPs(); c.fpuOp(() => u[p](FD(w), FS(w), FT(w))); });
  }
  op('alnv.ps', (c, u, w, g) => { c.needPs(); c.fpuOp(() => u.alnv(FD(w), FS(w), FT(w), g & 7)); });
  op('c1', (c) => c.fpuOp(() => { throw c.fpuUnimplemented(); }));
  return O;
}
