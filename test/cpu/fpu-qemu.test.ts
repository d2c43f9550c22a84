// Differential test of the FPU against QEMU (qemu-system-mips64el -M malta). A bare-metal
// program, generated here as raw instruction words and run as the boot ROM, executes a table
// of FPU instructions, each with preset operands, FENR (rounding mode, FS, enables) and FCCR,
// and stores the destination register, FCSR and the exception code (FPE/RI, caught by a
// handler that skips the instruction) to RAM. A second, scripted part exercises ctc1/cfc1 and
// the FR=0/FR=1 register views. The results are read back over QEMU's gdbstub and compared
// with the same operations run through the emulator's Fpu.
//
// Runs twice: -cpu 5KEf (the modelled FPU: no paired single, FCSR not writable via ctc1 $31)
// and -cpu MIPS64R2-generic (paired single, FCSR write mask 0xff83ffff).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fpu, FpuConfig, FpuException, FPU_5KEF, FPU_MIPS64R2_GENERIC, ArithFmt } from '../../src/emulator/cpu/fpu';
import { R, enc, li64, mfc1, dmfc1, cfc1, mfhc1, mtc1, dmtc1, ctc1, mthc1 } from './fpu-mips-enc';
import { L32, L64, Rng, operand, partner } from './fpu-gen';
import { QEMU, haveQemu, runQemu } from './fpu-qemu-run';

const ROM = 0xffffffffbfc00000n;
const RES = 0xffffffffa0100000n; // table results (kseg1, physical 0x100000)
const SCRIPT_RES = 0xffffffffa0800000n; // scripted part results
const TRAP_SLOT = 0xffffffffa0f00000n; // trap slot for the scripted part
const SENTINEL = 0xdeadbeefcafebaben;
const SLOT = 32;
const FPE = 15, RI = 10;

const S = 16, D = 17, W = 20, L = 21, PS = 22;
type Kind = 's' | 'd' | 'w' | 'l' | 'ps';

interface Spec {
  name: string;
  word: (cc: number, cond: number) => number;
  model: (fpu: Fpu, cc: number, c: bigint, cond: number) => void;
  a: Kind;
  b?: Kind;
  c?: Kind | 'gpr';
  ps?: boolean;
  n: number;
  /** fixed operand pairs, each run in every rounding mode with and without FS */
  pairs?: [bigint, bigint][];
  /** which kind of cc: none, any 0..7, or even (paired single) */
  cc?: 'any' | 'even';
  conds?: boolean;
}

interface Case {
  spec: Spec;
  a: bigint;
  b: bigint;
  c: bigint;
  fenr: number;
  fccr: number;
  cc: number;
  cond: number;
}

const fmtCode: Record<ArithFmt, number> = { s: S, d: D, ps: PS };
const fmt3: Record<ArithFmt, number> = { s: 0, d: 1, ps: 6 };

function specs(): Spec[] {
  const out: Spec[] = [];
  const ar: ArithFmt[] = ['s', 'd', 'ps'];
  for (const f of ar) {
    const ps = f === 'ps';
    const k: Kind = f;
    const n = ps ? 60 : 160;
    const c1 = fmtCode[f];
    for (const [op, funct] of [['add', 0], ['sub', 1], ['mul', 2], ['div', 3]] as const) {
      if (ps && op === 'div') continue; // no div.ps in MIPS64 (QEMU: reserved instruction)
      out.push({ name: `${op}.${f}`, word: () => enc.cop1(c1, funct, 0, 2, 4), model: (m) => m[op](f, 0, 2, 4), a: k, b: k, ps, n });
    }
    const un: [string, number][] = [['abs', 5], ['mov', 6], ['neg', 7]];
    if (!ps) un.push(['sqrt', 4], ['recip', 21], ['rsqrt', 22]); // no sqrt/recip/rsqrt .ps in MIPS64
    for (const [op, funct] of un) {
      out.push({
        name: `${op}.${f}`, word: () => enc.cop1(c1, funct, 0, 2, 0),
        model: (m) => (m as unknown as Record<string, (f: ArithFmt, d: number, s: number) => void>)[op].call(m, f, 0, 2), a: k, ps, n: n / 2,
      });
    }
    for (const [op, op4] of [['madd', 4], ['msub', 5], ['nmadd', 6], ['nmsub', 7]] as const) {
      out.push({ name: `${op}.${f}`, word: () => enc.cop1x(op4, fmt3[f], 0, 6, 2, 4), model: (m) => m[op](f, 0, 6, 2, 4), a: k, b: k, c: k, ps, n: n / 2 });
    }
    out.push({
      name: `c.cond.${f}`, word: (cc, cond) => enc.cop1(c1, 48 + cond, cc << 2, 2, 4), model: (m, cc, _c, cond) => m.c(cond, f, cc, 2, 4),
      a: k, b: k, ps, n: ps ? 96 : 320, cc: ps ? 'even' : 'any', conds: true,
    });
    for (const tf of [0, 1]) {
      out.push({
        name: `mov${tf ? 't' : 'f'}.${f}`, word: (cc) => enc.cop1(c1, 17, 0, 2, (cc << 2) | tf), model: (m, cc) => m.movcf(f, 0, 2, cc, tf === 1),
        a: k, ps, n: 16, cc: ps ? 'even' : 'any',
      });
    }
    out.push({ name: `movz.${f}`, word: () => enc.cop1(c1, 18, 0, 2, R.t2), model: (m, _cc, c) => m.movz(f, 0, 2, c === 0n), a: k, c: 'gpr', ps, n: 16 });
    out.push({ name: `movn.${f}`, word: () => enc.cop1(c1, 19, 0, 2, R.t2), model: (m, _cc, c) => m.movn(f, 0, 2, c === 0n), a: k, c: 'gpr', ps, n: 16 });
  }
  // float -> integer
  for (const f of ['s', 'd'] as const) {
    const c1 = fmtCode[f];
    for (const [op, base] of [['round', 8], ['trunc', 9], ['ceil', 10], ['floor', 11]] as const) {
      out.push({ name: `${op}.l.${f}`, word: () => enc.cop1(c1, base, 0, 2, 0), model: (m) => m[op]('l', f, 0, 2), a: f, n: 80 });
      out.push({ name: `${op}.w.${f}`, word: () => enc.cop1(c1, base + 4, 0, 2, 0), model: (m) => m[op]('w', f, 0, 2), a: f, n: 80 });
    }
    out.push({ name: `cvt.w.${f}`, word: () => enc.cop1(c1, 36, 0, 2, 0), model: (m) => m.cvt('w', f, 0, 2), a: f, n: 120 });
    out.push({ name: `cvt.l.${f}`, word: () => enc.cop1(c1, 37, 0, 2, 0), model: (m) => m.cvt('l', f, 0, 2), a: f, n: 120 });
  }
  out.push({ name: 'cvt.s.d', word: () => enc.cop1(D, 32, 0, 2, 0), model: (m) => m.cvt('s', 'd', 0, 2), a: 'd', n: 300 });
  out.push({ name: 'cvt.s.w', word: () => enc.cop1(W, 32, 0, 2, 0), model: (m) => m.cvt('s', 'w', 0, 2), a: 'w', n: 100 });
  out.push({ name: 'cvt.s.l', word: () => enc.cop1(L, 32, 0, 2, 0), model: (m) => m.cvt('s', 'l', 0, 2), a: 'l', n: 120 });
  out.push({ name: 'cvt.d.s', word: () => enc.cop1(S, 33, 0, 2, 0), model: (m) => m.cvt('d', 's', 0, 2), a: 's', n: 100 });
  out.push({ name: 'cvt.d.w', word: () => enc.cop1(W, 33, 0, 2, 0), model: (m) => m.cvt('d', 'w', 0, 2), a: 'w', n: 40 });
  out.push({ name: 'cvt.d.l', word: () => enc.cop1(L, 33, 0, 2, 0), model: (m) => m.cvt('d', 'l', 0, 2), a: 'l', n: 120 });
  out.push({ name: 'cvt.s.pu', word: () => enc.cop1(PS, 32, 0, 2, 0), model: (m) => m.cvt('s', 'pu', 0, 2), a: 'ps', ps: true, n: 16 });
  out.push({ name: 'cvt.s.pl', word: () => enc.cop1(PS, 40, 0, 2, 0), model: (m) => m.cvt('s', 'pl', 0, 2), a: 'ps', ps: true, n: 16 });
  // paired-single only
  out.push({ name: 'cvt.ps.s', word: () => enc.cop1(S, 38, 0, 2, 4), model: (m) => m.cvt('ps', 's', 0, 2, 4), a: 's', b: 's', ps: true, n: 16 });
  out.push({ name: 'cvt.ps.pw', word: () => enc.cop1(W, 38, 0, 2, 0), model: (m) => m.cvt('ps', 'pw', 0, 2), a: 'l', ps: true, n: 60 });
  out.push({ name: 'cvt.pw.ps', word: () => enc.cop1(PS, 36, 0, 2, 0), model: (m) => m.cvt('pw', 'ps', 0, 2), a: 'ps', ps: true, n: 60 });
  for (const [op, funct] of [['pll', 44], ['plu', 45], ['pul', 46], ['puu', 47]] as const) {
    out.push({ name: `${op}.ps`, word: () => enc.cop1(PS, funct, 0, 2, 4), model: (m) => m[op](0, 2, 4), a: 'ps', b: 'ps', ps: true, n: 8 });
  }
  out.push({ name: 'alnv.ps', word: () => enc.alnv(0, 2, 4, R.t2), model: (m, _cc, c) => m.alnv(0, 2, 4, Number(c & 7n)), a: 'ps', b: 'ps', c: 'gpr', ps: true, n: 24 });
  // operands whose exact result lies just below or at the smallest normal: tininess after
  // rounding, flush-to-zero decided before rounding
  const sgn = (bits: number, v: bigint): bigint[] => [v, v | (1n << BigInt(bits - 1))];
  const cross = (as: bigint[], bs: bigint[]): [bigint, bigint][] => as.flatMap((a) => bs.map((b): [bigint, bigint] => [a, b]));
  const s1 = [0x007fffffn, 0x007ffffen, 0x00800000n, 0x00400001n, 0x00ffffffn].flatMap((v) => sgn(32, v));
  const s2 = [0x3f800001n, 0x3f800002n, 0x3f7fffffn, 0x3f800003n, 0x3effffffn, 0x3f000001n];
  const d1 = [0x000fffffffffffffn, 0x000ffffffffffffen, 0x0010000000000000n, 0x001fffffffffffffn].flatMap((v) => sgn(64, v));
  const d2 = [0x3ff0000000000001n, 0x3ff0000000000002n, 0x3fefffffffffffffn, 0x3fe0000000000001n];
  out.push({ name: 'mul.s', word: () => enc.cop1(S, 2, 0, 2, 4), model: (m) => m.mul('s', 0, 2, 4), a: 's', b: 's', n: 0, pairs: cross(s1, s2) });
  out.push({ name: 'div.s', word: () => enc.cop1(S, 3, 0, 2, 4), model: (m) => m.div('s', 0, 2, 4), a: 's', b: 's', n: 0, pairs: cross(s1, s2) });
  out.push({ name: 'mul.d', word: () => enc.cop1(D, 2, 0, 2, 4), model: (m) => m.mul('d', 0, 2, 4), a: 'd', b: 'd', n: 0, pairs: cross(d1, d2) });
  out.push({ name: 'div.d', word: () => enc.cop1(D, 3, 0, 2, 4), model: (m) => m.div('d', 0, 2, 4), a: 'd', b: 'd', n: 0, pairs: cross(d1, d2) });
  out.push({
    name: 'cvt.s.d', word: () => enc.cop1(D, 32, 0, 2, 0), model: (m) => m.cvt('s', 'd', 0, 2), a: 'd', n: 0,
    pairs: [0x380fffffffffffffn, 0x380ffffff0000000n, 0x380fffffe0000000n, 0x380fffffe0000001n, 0x3810000000000000n, 0x36a0000000000000n, 0x369fffffffffffffn, 0x47efffffefffffffn, 0x47effffff0000000n]
      .flatMap((v) => sgn(64, v)).map((v): [bigint, bigint] => [v, 0n]),
  });
  return out;
}

function genOperand(r: Rng, k: Kind): bigint {
  const junk = (): bigint => r.bits(32) << 32n;
  switch (k) {
    case 's': return junk() | operand(r, L32);
    case 'd': return operand(r, L64);
    case 'ps': return (operand(r, L32) << 32n) | operand(r, L32);
    case 'w': {
      const v = r.pick([0n, 1n, 0x7fffffffn, 0x80000000n, 0x01000001n, r.bits(32), r.bits(1 + r.int(31))]);
      return junk() | v;
    }
    case 'l': {
      const bits = 1 + r.int(64);
      let v = r.bits(bits);
      if (r.int(4) === 0) v |= (1n << BigInt(r.int(63))) - 1n;
      return r.int(2) ? BigInt.asUintN(64, -v) : v;
    }
  }
}

function genPartner(r: Rng, k: Kind, a: bigint, op: string): bigint {
  switch (k) {
    case 's': return (r.bits(32) << 32n) | partner(r, L32, a & 0xffffffffn, op);
    case 'd': return partner(r, L64, a, op);
    case 'ps': return (partner(r, L32, a >> 32n, op) << 32n) | partner(r, L32, a & 0xffffffffn, op);
    default: return genOperand(r, k);
  }
}

function makeCases(r: Rng, withPs: boolean): Case[] {
  const cases: Case[] = [];
  for (const spec of specs()) {
    for (const [a, b] of spec.pairs ?? []) {
      for (let rm = 0; rm < 4; rm++) {
        for (const fs of [0, 4]) cases.push({ spec, a, b, c: 0n, fenr: rm | fs, fccr: 0, cc: 0, cond: 0 });
      }
    }
    // on a CPU without paired single, a few PS instructions check that they are reserved
    const n = spec.ps && !withPs ? 2 : spec.n;
    for (let i = 0; i < n; i++) {
      const a = genOperand(r, spec.a);
      const op = spec.name.split('.')[0];
      let b = 0n;
      if (spec.b) b = spec.conds && r.int(4) === 0 ? a : genPartner(r, spec.b, a, op);
      let c = 0n;
      if (spec.c === 'gpr') c = r.pick([0n, 0n, 1n, 4n, 0x100000000n, 2n, 12n, r.next64()]);
      else if (spec.c) c = r.int(3) === 0 ? genPartner(r, spec.c, a, 'add') : genOperand(r, spec.c);
      const rm = r.int(4);
      const fs = r.int(4) === 0 ? 4 : 0;
      const en = r.int(5) === 0 ? r.int(32) << 7 : 0;
      const cc = spec.cc === 'even' ? 2 * r.int(4) : spec.cc === 'any' ? r.int(8) : 0;
      cases.push({ spec, a, b, c, fenr: rm | fs | en, fccr: r.int(256), cc, cond: spec.conds ? i % 16 : 0 });
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Scripted part: register views and control registers, recorded on both sides.

const lo32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hi32 = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));
const sx32 = (x: number): bigint => BigInt.asUintN(64, BigInt(x | 0));

class Script {
  code: number[] = [];
  expect: bigint[] = [];
  labels: string[] = [];
  private gpr = new Map<number, bigint>();
  private trap = 0;
  constructor(readonly fpu: Fpu) {}

  li(reg: number, v: bigint): void {
    this.code.push(...li64(reg, v));
    this.gpr.set(reg, BigInt.asUintN(64, v));
  }
  store(reg: number, label: string): void {
    this.code.push(enc.sd(reg, 0, R.s4), enc.daddiu(R.s4, R.s4, 8));
    this.expect.push(this.gpr.get(reg) ?? 0n);
    this.labels.push(label);
  }
  storeTrap(label: string): void {
    this.code.push(enc.lw(R.t0, 12, R.s7), enc.sw(R.zero, 12, R.s7), enc.srl(R.t0, R.t0, 2), enc.andi(R.t0, R.t0, 0x1f));
    this.gpr.set(R.t0, BigInt(this.trap));
    this.trap = 0;
    this.store(R.t0, label);
  }
  setFR(fr: boolean): void {
    this.li(R.t0, fr ? 0x24400000n : 0x20400000n);
    this.code.push(enc.mtc0(R.t0, 12), enc.ehb());
    this.fpu.fr = fr;
  }
  private guard(f: () => void): void {
    try { f(); } catch (e) {
      if (!(e instanceof FpuException)) throw e;
      this.trap = FPE;
    }
  }
  mtc1(rt: number, fs: number): void { this.code.push(mtc1(rt, fs)); this.fpu.writeW(fs, lo32(this.gpr.get(rt) ?? 0n)); }
  dmtc1(rt: number, fs: number): void { const v = this.gpr.get(rt) ?? 0n; this.code.push(dmtc1(rt, fs)); this.fpu.writeD(fs, lo32(v), hi32(v)); }
  mthc1(rt: number, fs: number): void { this.code.push(mthc1(rt, fs)); this.fpu.writeHi(fs, lo32(this.gpr.get(rt) ?? 0n)); }
  mfc1(rt: number, fs: number): void { this.code.push(mfc1(rt, fs)); this.gpr.set(rt, sx32(this.fpu.readW(fs))); }
  mfhc1(rt: number, fs: number): void { this.code.push(mfhc1(rt, fs)); this.gpr.set(rt, sx32(this.fpu.readHi(fs))); }
  dmfc1(rt: number, fs: number): void {
    this.code.push(dmfc1(rt, fs));
    const [l, h] = this.fpu.readD(fs);
    this.gpr.set(rt, (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0));
  }
  cfc1(rt: number, fs: number): void { this.code.push(cfc1(rt, fs)); this.gpr.set(rt, sx32(this.fpu.cfc1(fs))); }
  ctc1(rt: number, fs: number): void {
    const v = rt === R.zero ? 0n : this.gpr.get(rt) ?? 0n;
    this.code.push(ctc1(rt, fs));
    this.guard(() => this.fpu.ctc1(fs, lo32(v)));
  }
  op(word: number, model: (m: Fpu) => void): void {
    this.code.push(word);
    this.guard(() => model(this.fpu));
  }
  reserved(word: number): void {
    this.code.push(word);
    this.trap = RI;
  }
}

function script(fpu: Fpu): Script {
  const s = new Script(fpu);
  const t0 = R.t0, t1 = R.t1;
  // start from a known FCSR: the table part leaves whatever its last case produced
  s.ctc1(R.zero, 26);
  s.ctc1(R.zero, 28);
  s.ctc1(R.zero, 25);
  // control registers
  const dumpCtl = (what: string): void => {
    for (const reg of [0, 1, 2, 4, 5, 25, 26, 28, 31]) {
      s.cfc1(t1, reg);
      s.store(t1, `${what}: cfc1 $${reg}`);
    }
    s.storeTrap(`${what}: trap`);
  };
  dumpCtl('reset');
  for (const [reg, v] of [
    [31, 0xffffffffn & ~(0x3fn << 12n)], [31, 0x01000003n], [31, 0n], [28, 0xf87n], [28, 0x40000n | 3n], [28, 0n],
    [26, 0x7cn | (0x1fn << 12n)], [26, 0x400000n | 0x3n], [26, 0n], [25, 0xa5n], [25, 0x1a5n], [25, 0x100000001n], [25, 0x5an],
    [28, 0x80n], [26, 0x1000n], [25, 0x1n], [26, 0n], [26, 0x20000n], [26, 0n], [28, 0xf80n], [31, 0x01000f83n], [31, 0x0003f000n],
    [26, 0n], [28, 0n], [1, 0n], [4, 0n], [3, 0xffn], [0, 0xffn],
  ] as const) {
    s.li(t0, v);
    s.ctc1(t0, reg);
    dumpCtl(`ctc1 $${reg}, 0x${v.toString(16)}`);
  }
  // clean state for the register views (no enables, no causes)
  s.li(t0, 0n);
  s.ctc1(t0, 26);
  s.ctc1(t0, 28);
  s.storeTrap('clean');

  // FR=1 -> FR=0 -> FR=1 register views
  for (let i = 0; i < 12; i++) {
    s.li(t0, 0x1111111100000000n * BigInt(i + 1) + BigInt(0x01010101 * (i + 1)));
    s.dmtc1(t0, i);
  }
  s.setFR(false);
  for (let i = 0; i < 8; i++) { s.mfc1(t1, i); s.store(t1, `FR=0 mfc1 $f${i}`); }
  for (const i of [0, 1, 2, 3, 6, 7]) { s.dmfc1(t1, i); s.store(t1, `FR=0 dmfc1 $f${i}`); }
  for (const i of [0, 1, 4, 5]) { s.mfhc1(t1, i); s.store(t1, `FR=0 mfhc1 $f${i}`); }
  s.li(t0, 0xaaaaaaaa_bbbbbbbbn);
  s.mtc1(t0, 1);
  s.mtc1(t0, 2);
  s.mthc1(t0, 4);
  s.dmtc1(t0, 7);
  s.li(t0, 0x40000000n); // 2.0f
  s.mtc1(t0, 9);
  s.li(t0, 0x40400000n); // 3.0f
  s.mtc1(t0, 11);
  s.op(enc.cop1(S, 2, 3, 9, 11), (m) => m.mul('s', 3, 9, 11)); // odd single registers
  s.li(t0, 0x3ff8000000000000n); // 1.5
  s.dmtc1(t0, 10);
  s.op(enc.cop1(D, 0, 8, 10, 10), (m) => m.add('d', 8, 10, 10));
  s.op(enc.cop1(S, 6, 5, 3, 0), (m) => m.mov('s', 5, 3));
  for (let i = 0; i < 12; i++) { s.mfc1(t1, i); s.store(t1, `FR=0 after: mfc1 $f${i}`); }
  for (const i of [0, 2, 4, 6, 8, 10]) { s.dmfc1(t1, i); s.store(t1, `FR=0 after: dmfc1 $f${i}`); }
  s.setFR(true);
  for (let i = 0; i < 12; i++) { s.dmfc1(t1, i); s.store(t1, `FR=1 again: dmfc1 $f${i}`); }
  s.storeTrap('views');
  return s;
}

// ---------------------------------------------------------------------------------------------
// Program image

interface Built {
  image: Uint8Array;
  stopAt: bigint;
  cases: Case[];
  script: Script;
}

function build(cases: Case[], withPs: boolean, scriptFpu: Fpu): Built {
  const code: number[] = [];
  // table data after the code; its address is patched once the code size is known
  const tablePatch: number[] = [];
  code.push(...li64(R.t0, 0x24400000n), enc.mtc0(R.t0, 12), enc.ehb()); // CU1 | FR | BEV, ERL = 0
  tablePatch.push(code.length);
  code.push(0, 0); // lui/ori s6, table
  code.push(...li64(R.s7, RES), ...li64(R.s5, SENTINEL));
  for (const cs of cases) {
    code.push(
      enc.ld(R.t0, 0, R.s6), dmtc1(R.t0, 2),
      enc.ld(R.t1, 8, R.s6), dmtc1(R.t1, 4),
      enc.ld(R.t2, 16, R.s6), dmtc1(R.t2, 6),
      dmtc1(R.s5, 0),
      ctc1(R.zero, 26),
      enc.lw(R.t3, 24, R.s6), ctc1(R.t3, 28),
      enc.lw(R.t3, 28, R.s6), ctc1(R.t3, 25),
      enc.sw(R.zero, 12, R.s7),
      cs.spec.word(cs.cc, cs.cond),
      dmfc1(R.t0, 0), enc.sd(R.t0, 0, R.s7),
      cfc1(R.t1, 31), enc.sw(R.t1, 8, R.s7),
      enc.daddiu(R.s6, R.s6, SLOT), enc.daddiu(R.s7, R.s7, SLOT),
    );
  }
  // scripted part
  const sc = script(scriptFpu);
  code.push(...li64(R.s4, SCRIPT_RES), ...li64(R.s7, TRAP_SLOT), enc.sw(R.zero, 12, R.s7));
  if (!withPs) {
    // paired-single instructions are reserved on this CPU
    sc.reserved(enc.cop1(PS, 0, 0, 2, 4));
    sc.storeTrap('add.ps reserved');
    sc.reserved(enc.cop1(S, 38, 0, 2, 4));
    sc.storeTrap('cvt.ps.s reserved');
  }
  code.push(...sc.code);
  const stopIndex = code.length;
  code.push(enc.beq(0, 0, -1), enc.nop());

  const codeStart = 0x400;
  const tableOff = (codeStart + code.length * 4 + 0xff) & ~0xff;
  const size = tableOff + cases.length * SLOT;
  if (size > 0x3e0000) throw new Error(`program too large: ${size}`);
  const tableAddr = Number(ROM & 0xffffffffn) + tableOff;
  code[tablePatch[0]] = enc.lui(R.s6, tableAddr >>> 16);
  code[tablePatch[0] + 1] = enc.ori(R.s6, R.s6, tableAddr & 0xffff);

  // QEMU's Malta byte-swaps every 32-bit word of the first 0x3e0000 bytes of the BIOS image on
  // little-endian targets (bi-endian firmware trick): store all words big-endian here.
  const img = new Uint8Array(size);
  const dv = new DataView(img.buffer);
  const put64 = (o: number, v: bigint): void => {
    dv.setUint32(o, Number(v & 0xffffffffn), false);
    dv.setUint32(o + 4, Number(v >> 32n), false);
  };
  dv.setUint32(0, enc.beq(0, 0, (codeStart - 4) / 4), false);
  // general exception handler (BEV = 1): record Cause, skip the faulting instruction
  [enc.mfc0(R.k0, 13), enc.sw(R.k0, 12, R.s7), enc.dmfc0(R.k1, 14), enc.daddiu(R.k1, R.k1, 4), enc.dmtc0(R.k1, 14), enc.ehb(), enc.eret(), enc.nop()]
    .forEach((w, i) => dv.setUint32(0x380 + 4 * i, w, false));
  code.forEach((w, i) => dv.setUint32(codeStart + 4 * i, w, false));
  cases.forEach((cs, i) => {
    const o = tableOff + i * SLOT;
    put64(o, cs.a);
    put64(o + 8, cs.b);
    put64(o + 16, cs.c);
    dv.setUint32(o + 24, cs.fenr, false);
    dv.setUint32(o + 28, cs.fccr, false);
  });
  return { image: img, stopAt: ROM + BigInt(codeStart + 4 * stopIndex), cases, script: sc };
}

interface Expected { res: bigint; fcsr: number; trap: number }

function model(cfg: FpuConfig, cs: Case, withPs: boolean): Expected {
  const m = new Fpu(cfg);
  m.fr = true;
  const put = (r: number, v: bigint): void => m.writeD(r, lo32(v), hi32(v));
  put(2, cs.a);
  put(4, cs.b);
  put(6, cs.c);
  put(0, SENTINEL);
  m.ctc1(26, 0);
  m.ctc1(28, cs.fenr);
  m.ctc1(25, cs.fccr);
  let trap = 0;
  if (cs.spec.ps && !withPs) trap = RI;
  else {
    try { cs.spec.model(m, cs.cc, cs.c, cs.cond); } catch (e) {
      if (!(e instanceof FpuException)) throw e;
      trap = FPE;
    }
  }
  const [l, h] = m.readD(0);
  return { res: (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0), fcsr: m.cfc1(31) >>> 0, trap };
}

const CONDS = ['f', 'un', 'eq', 'ueq', 'olt', 'ult', 'ole', 'ule', 'sf', 'ngle', 'seq', 'ngl', 'lt', 'nge', 'le', 'ngt'];
const h64 = (v: bigint): string => v.toString(16).padStart(16, '0');

async function differential(cpu: string, cfg: FpuConfig, withPs: boolean, seed: number): Promise<{ cases: number; script: number; byOp: Map<string, number> }> {
  const cases = makeCases(new Rng(seed), withPs);
  const scriptFpu = new Fpu(cfg);
  scriptFpu.fr = true;
  const b = build(cases, withPs, scriptFpu);
  const [table, scriptMem] = await runQemu(b.image, cpu, b.stopAt, 30000, async (q) => [
    await q.read(RES, cases.length * SLOT),
    await q.read(SCRIPT_RES, b.script.expect.length * 8),
  ]);
  const dv = new DataView(table.buffer);
  const fails: string[] = [];
  const byOp = new Map<string, number>();
  cases.forEach((cs, i) => {
    const o = i * SLOT;
    const got: Expected = { res: dv.getBigUint64(o, true), fcsr: dv.getUint32(o + 8, true), trap: (dv.getUint32(o + 12, true) >>> 2) & 0x1f };
    const want = model(cfg, cs, withPs);
    byOp.set(cs.spec.name, (byOp.get(cs.spec.name) ?? 0) + 1);
    if (got.res !== want.res || got.fcsr !== want.fcsr || got.trap !== want.trap) {
      const name = cs.spec.conds ? cs.spec.name.replace('cond', CONDS[cs.cond]) : cs.spec.name;
      fails.push(`#${i} ${name} a=${h64(cs.a)} b=${h64(cs.b)} c=${h64(cs.c)} fenr=${cs.fenr.toString(16)} fccr=${cs.fccr.toString(16)} cc=${cs.cc}: ` +
        `qemu res=${h64(got.res)} fcsr=${got.fcsr.toString(16)} trap=${got.trap}; ours res=${h64(want.res)} fcsr=${want.fcsr.toString(16)} trap=${want.trap}`);
    }
  });
  const sdv = new DataView(scriptMem.buffer);
  b.script.expect.forEach((want, i) => {
    const got = sdv.getBigUint64(i * 8, true);
    if (got !== want) fails.push(`script ${b.script.labels[i]}: qemu ${h64(got)}, ours ${h64(want)}`);
  });
  if (fails.length) assert.fail(`${cpu}: ${fails.length} mismatches with QEMU:\n${fails.slice(0, 40).join('\n')}`);
  return { cases: cases.length, script: b.script.expect.length, byOp };
}

describe(`FPU vs ${QEMU}`, () => {
  const why = haveQemu() ? undefined : `${QEMU} is not installed`;
  const gate = (t: { skip(msg: string): void }): boolean => {
    if (!why) return true;
    if (process.env.CI === 'true') assert.fail(`${why}: the FPU differential test needs QEMU on CI (apt-get install qemu-system-mips)`);
    t.skip(why);
    return false;
  };

  test('-cpu 5KEf: every non-PS FPU instruction, ctc1/cfc1, FR views; PS is reserved', { timeout: 60000 }, async (t) => {
    if (!gate(t)) return;
    const r = await differential('5KEf', FPU_5KEF, false, 2024);
    assert.ok(r.cases > 5000, `cases: ${r.cases}`);
    assert.ok(r.script > 300);
    assert.ok((r.byOp.get('add.d') ?? 0) >= 100 && (r.byOp.get('c.cond.s') ?? 0) >= 300);
  });

  test('-cpu MIPS64R2-generic: paired single and the R2 FCSR write mask', { timeout: 60000 }, async (t) => {
    if (!gate(t)) return;
    const r = await differential('MIPS64R2-generic', FPU_MIPS64R2_GENERIC, true, 7);
    assert.ok(r.cases > 5000, `cases: ${r.cases}`);
    assert.ok((r.byOp.get('add.ps') ?? 0) >= 50 && (r.byOp.get('alnv.ps') ?? 0) >= 20);
  });
});
