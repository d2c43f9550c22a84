// Semantics of the integer instructions: ALU, shifts, immediates, HI/LO, multiply and
// divide (QEMU's results for x/0 and INT_MIN/−1: the divisor taken as 1), counts, bit
// fields and byte swaps.

import { Exc } from '../cp0-defs';
import type { Sem, Val } from '../ir';
import { needCp1, op64, SemFn } from './common';

const w32 = (s: Sem, r: Val): Val => s.gpr(r).wrap();
/** rd = sign-extended 32-bit result of a and b (the low words of rs and rt). */
const alu32 = (f: (a: Val, b: Val) => Val): SemFn => (s) => s.set(s.rd, f(w32(s, s.rs), w32(s, s.rt)).sx());
const alu64 = (f: (a: Val, b: Val) => Val): SemFn => (s) => s.set(s.rd, f(s.gpr(s.rs), s.gpr(s.rt)));
/** 32-bit shifts of rt's low word by sa or by rs (mod 32). */
const shiftImm32 = (f: (a: Val, n: Val) => Val): SemFn => (s) => s.set(s.rd, f(w32(s, s.rt), s.sa).sx());
const shiftVar32 = (f: (a: Val, n: Val) => Val): SemFn => (s) => s.set(s.rd, f(w32(s, s.rt), w32(s, s.rs)).sx());
/** 64-bit shifts of rt by sa (+ add) or by rs (mod 64). */
const shift64 = (f: (a: Val, n: Val) => Val, add: number | 'var'): SemFn => op64((s) =>
  s.set(s.rd, f(s.gpr(s.rt), add === 'var' ? s.gpr(s.rs) : s.sa.add(add))));

const MIN32 = -2147483648;
const MIN64 = -(1n << 63n);

/** 32×32 → 64 product of rs and rt's low words. */
const product32 = (s: Sem, unsigned: boolean): Val => {
  const a = w32(s, s.rs), b = w32(s, s.rt);
  return unsigned ? a.zx().mul(b.zx()) : a.sx().mul(b.sx());
};

/** mult/multu: LO, HI = the product's halves, sign-extended. */
const mult = (unsigned: boolean): SemFn => (s) => {
  const p = product32(s, unsigned);
  s.setLo(p.sx32());
  s.setHi(p.shrS(32).sx32());
};

/** madd/maddu/msub/msubu: HI:LO (their low words) ± the product; both halves sign-extended. */
const madd = (unsigned: boolean, sub: boolean): SemFn => (s) => {
  const p = product32(s, unsigned);
  const acc = s.hi().shl(32).or(s.lo().and(0xffffffffn));
  const r = sub ? acc.sub(p) : acc.add(p);
  s.setLo(r.sx32());
  s.setHi(r.shrS(32).sx32());
};

const div32 = (unsigned: boolean): SemFn => (s) => {
  const a = w32(s, s.rs), b = w32(s, s.rt);
  const one = unsigned ? b.eqz() : b.eqz().or(a.eq(MIN32).and(b.eq(-1)));
  const d = s.select(one, s.i32(1), b);
  s.setLo((unsigned ? a.divU(d) : a.divS(d)).sx());
  s.setHi((unsigned ? a.remU(d) : a.remS(d)).sx());
};

const div64 = (unsigned: boolean): SemFn => op64((s) => {
  const a = s.gpr(s.rs), b = s.gpr(s.rt);
  const one = unsigned ? b.eqz() : b.eqz().or(a.eq(MIN64).and(b.eq(-1n)));
  const d = s.select(one, s.i64(1), b);
  s.setLo(unsigned ? a.divU(d) : a.divS(d));
  s.setHi(unsigned ? a.remU(d) : a.remS(d));
});

const dmult = (unsigned: boolean): SemFn => op64((s) => {
  const a = s.gpr(s.rs), b = s.gpr(s.rt);
  s.setLo(a.mul(b));
  s.setHi(unsigned ? a.mulhU(b) : a.mulhS(b));
});

/** Bits 0..n−1 set (n = 1..64, as an i64 from an i32 count). */
const ones64 = (s: Sem, n: Val): Val => s.i64(-1).shrU(s.i32(64).sub(n));

/** dext family: `size` bits of rs from `pos`, zero-extended. */
const dext = (pos: (s: Sem) => Val, size: (s: Sem) => Val): SemFn => op64((s) =>
  s.set(s.rt, s.gpr(s.rs).shrU(pos(s)).and(ones64(s, size(s)))));

/** dins family: rs inserted into rt at bits lsb..msb (rt unchanged when msb < lsb). */
const dins = (lsb: (s: Sem) => Val, msb: (s: Sem) => Val): SemFn => op64((s) => {
  const l = lsb(s), m = msb(s);
  const mask = s.select(m.geS(l), s.i64(-1).shrU(s.i32(63).sub(m.sub(l))).shl(l), s.i64(0));
  const rt = s.gpr(s.rt);
  s.set(s.rt, rt.and(mask.not()).or(s.gpr(s.rs).shl(l).and(mask)));
});

/** Overflow of a + b = r (signed): a and b agree in sign, r does not. */
const addOverflow = (a: Val, b: Val, r: Val): Val => a.xor(r).and(b.xor(r)).ltS(0);
const subOverflow = (a: Val, b: Val, r: Val): Val => a.xor(b).and(a.xor(r)).ltS(0);

export const INTEGER: Record<string, SemFn> = {
  // ---- shifts
  sll: shiftImm32((a, n) => a.shl(n)),
  srl: shiftImm32((a, n) => a.shrU(n)),
  sra: shiftImm32((a, n) => a.shrS(n)),
  rotr: shiftImm32((a, n) => a.rotr(n)),
  sllv: shiftVar32((a, n) => a.shl(n)),
  srlv: shiftVar32((a, n) => a.shrU(n)),
  srav: shiftVar32((a, n) => a.shrS(n)),
  rotrv: shiftVar32((a, n) => a.rotr(n)),
  dsll: shift64((a, n) => a.shl(n), 0), dsll32: shift64((a, n) => a.shl(n), 32), dsllv: shift64((a, n) => a.shl(n), 'var'),
  dsrl: shift64((a, n) => a.shrU(n), 0), dsrl32: shift64((a, n) => a.shrU(n), 32), dsrlv: shift64((a, n) => a.shrU(n), 'var'),
  dsra: shift64((a, n) => a.shrS(n), 0), dsra32: shift64((a, n) => a.shrS(n), 32), dsrav: shift64((a, n) => a.shrS(n), 'var'),
  drotr: shift64((a, n) => a.rotr(n), 0), drotr32: shift64((a, n) => a.rotr(n), 32), drotrv: shift64((a, n) => a.rotr(n), 'var'),

  // ---- ALU
  addu: alu32((a, b) => a.add(b)),
  subu: alu32((a, b) => a.sub(b)),
  add: (s) => {
    const a = w32(s, s.rs), b = w32(s, s.rt), r = a.add(b);
    s.raiseIf(addOverflow(a, b, r), Exc.Ov);
    s.set(s.rd, r.sx());
  },
  sub: (s) => {
    const a = w32(s, s.rs), b = w32(s, s.rt), r = a.sub(b);
    s.raiseIf(subOverflow(a, b, r), Exc.Ov);
    s.set(s.rd, r.sx());
  },
  and: alu64((a, b) => a.and(b)),
  or: alu64((a, b) => a.or(b)),
  xor: alu64((a, b) => a.xor(b)),
  nor: alu64((a, b) => a.or(b).not()),
  slt: alu64((a, b) => a.ltS(b).zx()),
  sltu: alu64((a, b) => a.ltU(b).zx()),
  daddu: op64(alu64((a, b) => a.add(b))),
  dsubu: op64(alu64((a, b) => a.sub(b))),
  dadd: op64((s) => {
    const a = s.gpr(s.rs), b = s.gpr(s.rt), r = a.add(b);
    s.raiseIf(addOverflow(a, b, r), Exc.Ov);
    s.set(s.rd, r);
  }),
  dsub: op64((s) => {
    const a = s.gpr(s.rs), b = s.gpr(s.rt), r = a.sub(b);
    s.raiseIf(subOverflow(a, b, r), Exc.Ov);
    s.set(s.rd, r);
  }),
  movz: (s) => s.set(s.rd, s.select(s.gpr(s.rt).eqz(), s.gpr(s.rs), s.gpr(s.rd))),
  movn: (s) => s.set(s.rd, s.select(s.gpr(s.rt).eqz(), s.gpr(s.rd), s.gpr(s.rs))),
  movf: (s) => { needCp1(s); s.set(s.rd, s.select(s.call('fpuCond', s.f('cc')).eqz(), s.gpr(s.rs), s.gpr(s.rd))); },
  movt: (s) => { needCp1(s); s.set(s.rd, s.select(s.call('fpuCond', s.f('cc')).eqz(), s.gpr(s.rd), s.gpr(s.rs))); },

  // ---- immediates
  addiu: (s) => s.set(s.rt, w32(s, s.rs).add(s.imm).sx()),
  addi: (s) => {
    const a = w32(s, s.rs), b = s.imm, r = a.add(b);
    s.raiseIf(addOverflow(a, b, r), Exc.Ov);
    s.set(s.rt, r.sx());
  },
  daddiu: op64((s) => s.set(s.rt, s.gpr(s.rs).add(s.imm.sx()))),
  daddi: op64((s) => {
    const a = s.gpr(s.rs), b = s.imm.sx(), r = a.add(b);
    s.raiseIf(addOverflow(a, b, r), Exc.Ov);
    s.set(s.rt, r);
  }),
  slti: (s) => s.set(s.rt, s.gpr(s.rs).ltS(s.imm.sx()).zx()),
  sltiu: (s) => s.set(s.rt, s.gpr(s.rs).ltU(s.imm.sx()).zx()),
  andi: (s) => s.set(s.rt, s.gpr(s.rs).and(s.uimm.zx())),
  ori: (s) => s.set(s.rt, s.gpr(s.rs).or(s.uimm.zx())),
  xori: (s) => s.set(s.rt, s.gpr(s.rs).xor(s.uimm.zx())),
  lui: (s) => s.set(s.rt, s.uimm.shl(16).sx()),

  // ---- HI/LO, multiply, divide
  mfhi: (s) => s.set(s.rd, s.hi()),
  mflo: (s) => s.set(s.rd, s.lo()),
  mthi: (s) => s.setHi(s.gpr(s.rs)),
  mtlo: (s) => s.setLo(s.gpr(s.rs)),
  mult: mult(false),
  multu: mult(true),
  div: div32(false),
  divu: div32(true),
  dmult: dmult(false),
  dmultu: dmult(true),
  ddiv: div64(false),
  ddivu: div64(true),
  mul: alu32((a, b) => a.mul(b)),
  madd: madd(false, false),
  maddu: madd(true, false),
  msub: madd(false, true),
  msubu: madd(true, true),
  clz: (s) => s.set(s.rd, w32(s, s.rs).clz().zx()),
  clo: (s) => s.set(s.rd, w32(s, s.rs).not().clz().zx()),
  dclz: op64((s) => s.set(s.rd, s.gpr(s.rs).clz())),
  dclo: op64((s) => s.set(s.rd, s.gpr(s.rs).not().clz())),

  // ---- bit fields and byte swaps
  ext: (s) => s.set(s.rt, w32(s, s.rs).shrU(s.sa).and(s.i32(-1).shrU(s.i32(31).sub(s.f('msbd')))).sx()),
  ins: (s) => {
    const lsb = s.sa, msb = s.f('msbd');
    const mask = s.select(msb.geS(lsb), s.i32(-1).shrU(s.i32(31).sub(msb.sub(lsb))).shl(lsb), s.i32(0));
    s.set(s.rt, w32(s, s.rt).and(mask.not()).or(w32(s, s.rs).shl(lsb).and(mask)).sx());
  },
  dext: dext((s) => s.sa, (s) => s.f('msbd').add(1)),
  dextm: dext((s) => s.sa, (s) => s.f('msbd').add(33)),
  dextu: dext((s) => s.sa.add(32), (s) => s.f('msbd').add(1)),
  dins: dins((s) => s.sa, (s) => s.f('msbd')),
  dinsm: dins((s) => s.sa, (s) => s.f('msbd').add(32)),
  dinsu: dins((s) => s.sa.add(32), (s) => s.f('msbd').add(32)),
  wsbh: (s) => {
    const a = w32(s, s.rt);
    s.set(s.rd, a.and(0x00ff00ff).shl(8).or(a.shrU(8).and(0x00ff00ff)).sx());
  },
  seb: (s) => s.set(s.rd, s.gpr(s.rt).sx8()),
  seh: (s) => s.set(s.rd, s.gpr(s.rt).sx16()),
  dsbh: op64((s) => {
    const a = s.gpr(s.rt), m = 0x00ff00ff00ff00ffn;
    s.set(s.rd, a.and(m).shl(8).or(a.shrU(8).and(m)));
  }),
  dshd: op64((s) => {
    const a = s.gpr(s.rt).rotr(32), m = 0x0000ffff0000ffffn;
    s.set(s.rd, a.and(m).shl(16).or(a.shrU(16).and(m)));
  }),
};
