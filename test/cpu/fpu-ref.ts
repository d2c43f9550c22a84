// Exact reference for IEEE binary32/binary64 arithmetic, independent of the emulator's FPU:
// operands are turned into exact rationals (BigInt numerator/denominator), the exact result
// (a rational, or the square root of one) is rounded by comparing it against dyadic numbers.
// Semantics follow QEMU's MIPS FPU in legacy-NaN mode: default NaN for every NaN result,
// tininess after rounding, flush-to-zero of results whose exact value is below the smallest
// normal (no flags).

export const I = 1, U = 2, O = 4, Z = 8, V = 16;
export type Mode = 0 | 1 | 2 | 3; // RN RZ RP RM

export interface FmtDesc {
  bits: 32 | 64;
  p: number;
  emin: number;
  emax: number;
  expBits: number;
}
export const F32: FmtDesc = { bits: 32, p: 24, emin: -126, emax: 127, expBits: 8 };
export const F64: FmtDesc = { bits: 64, p: 53, emin: -1022, emax: 1023, expBits: 11 };

export interface RefResult {
  bits: bigint; // result bit pattern (unsigned)
  flags: number;
}

/** A decoded operand. */
export type Val =
  | { cls: 'nan'; snan: boolean }
  | { cls: 'inf'; neg: boolean }
  | { cls: 'zero'; neg: boolean }
  | { cls: 'num'; neg: boolean; n: bigint; e: number }; // |x| = n * 2^e, n > 0

export function decode(bits: bigint, f: FmtDesc): Val {
  const fracBits = BigInt(f.p - 1);
  const frac = bits & ((1n << fracBits) - 1n);
  const be = Number((bits >> fracBits) & ((1n << BigInt(f.expBits)) - 1n));
  const neg = (bits >> BigInt(f.bits - 1)) === 1n;
  const maxBe = (1 << f.expBits) - 1;
  const bias = (1 << (f.expBits - 1)) - 1;
  if (be === maxBe) {
    if (frac === 0n) return { cls: 'inf', neg };
    return { cls: 'nan', snan: (frac >> (fracBits - 1n)) === 1n };
  }
  if (be === 0) {
    if (frac === 0n) return { cls: 'zero', neg };
    return { cls: 'num', neg, n: frac, e: 1 - bias - (f.p - 1) };
  }
  return { cls: 'num', neg, n: frac | (1n << fracBits), e: be - bias - (f.p - 1) };
}

export function defaultNaN(f: FmtDesc): bigint {
  return f.bits === 32 ? 0x7fbfffffn : 0x7ff7ffffffffffffn;
}

function encode(neg: boolean, k: bigint, q: number, f: FmtDesc): bigint {
  // value k * 2^q, already rounded and in range (k < 2^p, or k == 2^p handled by caller)
  const bias = (1 << (f.expBits - 1)) - 1;
  const sign = neg ? 1n << BigInt(f.bits - 1) : 0n;
  if (k === 0n) return sign;
  const top = 1n << BigInt(f.p - 1);
  if (k < top) return sign | k; // subnormal: q == emin - (p-1)
  const be = BigInt(q + (f.p - 1) + bias);
  return sign | (be << BigInt(f.p - 1)) | (k - top);
}

function infBits(neg: boolean, f: FmtDesc): bigint {
  const sign = neg ? 1n << BigInt(f.bits - 1) : 0n;
  return sign | (((1n << BigInt(f.expBits)) - 1n) << BigInt(f.p - 1));
}
function maxBits(neg: boolean, f: FmtDesc): bigint {
  return infBits(neg, f) - 1n;
}
function zeroBits(neg: boolean, f: FmtDesc): bigint {
  return neg ? 1n << BigInt(f.bits - 1) : 0n;
}

// ---------------------------------------------------------------------------------------------
// Exact non-negative reals: a rational num/den, or the square root of one.

export interface Real {
  sqrt: boolean;
  num: bigint; // >= 0
  den: bigint; // > 0
}

const bitLen = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLen(n) / 2) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sign(x - c * 2^q), c >= 0. */
function cmpDyadic(x: Real, c: bigint, q: number): number {
  let lhs: bigint, rhs: bigint;
  if (!x.sqrt) {
    // num/den vs c*2^q
    if (q >= 0) { lhs = x.num; rhs = c * x.den << BigInt(q); } else { lhs = x.num << BigInt(-q); rhs = c * x.den; }
  } else {
    // num/den vs c^2 * 4^q
    const c2 = c * c;
    if (q >= 0) { lhs = x.num; rhs = c2 * x.den << BigInt(2 * q); } else { lhs = x.num << BigInt(-2 * q); rhs = c2 * x.den; }
  }
  return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
}

/** floor(x / 2^q). */
function floorScaled(x: Real, q: number): bigint {
  if (!x.sqrt) return q >= 0 ? x.num / (x.den << BigInt(q)) : (x.num << BigInt(-q)) / x.den;
  const s = 2 * q;
  const y = s >= 0 ? x.num / (x.den << BigInt(s)) : (x.num << BigInt(-s)) / x.den;
  return isqrt(y);
}

/** floor(log2 x), x > 0. */
function log2floor(x: Real): number {
  let e = bitLen(x.num) - bitLen(x.den);
  if (x.sqrt) e = Math.floor(e / 2);
  while (cmpDyadic(x, 1n, e) < 0) e--;
  while (cmpDyadic(x, 1n, e + 1) >= 0) e++;
  return e;
}

/** Rounds x to a multiple of 2^q in mode rm; returns [k, exact]. */
function roundToQuantum(x: Real, neg: boolean, q: number, rm: Mode): [bigint, boolean] {
  const k = floorScaled(x, q);
  if (cmpDyadic(x, k, q) === 0) return [k, true];
  let up: boolean;
  switch (rm) {
    case 0: {
      const h = cmpDyadic(x, 2n * k + 1n, q - 1);
      up = h > 0 || (h === 0 && (k & 1n) === 1n);
      break;
    }
    case 1: up = false; break;
    case 2: up = !neg; break;
    default: up = neg; break;
  }
  return [up ? k + 1n : k, false];
}

/** Rounds the non-zero exact value (-1)^neg * x to the format. */
export function roundReal(x: Real, neg: boolean, f: FmtDesc, rm: Mode, ftz: boolean): RefResult {
  const E = log2floor(x);
  if (E < f.emin && ftz) return { bits: zeroBits(neg, f), flags: 0 };
  const q = Math.max(E, f.emin) - (f.p - 1);
  const rounded = roundToQuantum(x, neg, q, rm);
  let k = rounded[0];
  const exact = rounded[1];
  let qq = q;
  if (k === 1n << BigInt(f.p)) { k >>= 1n; qq += 1; }
  // overflow: k * 2^qq >= 2^(emax+1)
  if (bitLen(k) - 1 + qq > f.emax) {
    const toMax = rm === 1 || (rm === 2 && neg) || (rm === 3 && !neg);
    return { bits: toMax ? maxBits(neg, f) : infBits(neg, f), flags: O | I };
  }
  let flags = exact ? 0 : I;
  if (E < f.emin && !exact) {
    // tininess after rounding: round with unbounded exponent range
    const [k2] = roundToQuantum(x, neg, E - (f.p - 1), rm);
    const tiny = bitLen(k2) - 1 + E - (f.p - 1) < f.emin;
    if (tiny) flags |= U;
  }
  return { bits: encode(neg, k, qq, f), flags };
}

const ratOf = (v: { n: bigint; e: number }): Real =>
  v.e >= 0 ? { sqrt: false, num: v.n << BigInt(v.e), den: 1n } : { sqrt: false, num: v.n, den: 1n << BigInt(-v.e) };

const negate = (v: Val): Val => (v.cls === 'nan' ? v : { ...v, neg: !v.neg });

export type BinOp = 'add' | 'sub' | 'mul' | 'div';

/** Reference for add/sub/mul/div on bit patterns. */
export function refBinary(op: BinOp, aBits: bigint, bBits: bigint, f: FmtDesc, rm: Mode, ftz: boolean): RefResult {
  const a = decode(aBits, f);
  let b = decode(bBits, f);
  if (a.cls === 'nan' || b.cls === 'nan') {
    const sn = (a.cls === 'nan' && a.snan) || (b.cls === 'nan' && b.snan);
    return { bits: defaultNaN(f), flags: sn ? V : 0 };
  }
  const invalid: RefResult = { bits: defaultNaN(f), flags: V };
  if (op === 'sub') b = negate(b);
  if (op === 'add' || op === 'sub') {
    if (a.cls === 'inf' && b.cls === 'inf') return a.neg === b.neg ? { bits: infBits(a.neg, f), flags: 0 } : invalid;
    if (a.cls === 'inf') return { bits: infBits(a.neg, f), flags: 0 };
    if (b.cls === 'inf') return { bits: infBits(b.neg, f), flags: 0 };
    if (a.cls === 'zero' && b.cls === 'zero') {
      const neg = a.neg === b.neg ? a.neg : rm === 3;
      return { bits: zeroBits(neg, f), flags: 0 };
    }
    // exact sum as a signed rational over a common power of two
    const sv = (v: Val): [bigint, number] => (v.cls === 'num' ? [v.neg ? -v.n : v.n, v.e] : [0n, 10000]);
    const [na, ea] = sv(a);
    const [nb, eb] = sv(b);
    const e = Math.min(ea, eb);
    const s = (ea === 10000 ? 0n : na << BigInt(ea - e)) + (eb === 10000 ? 0n : nb << BigInt(eb - e));
    if (s === 0n) return { bits: zeroBits(rm === 3, f), flags: 0 };
    const neg = s < 0n;
    return roundReal(ratOf({ n: neg ? -s : s, e }), neg, f, rm, ftz);
  }
  const neg = (a as { neg: boolean }).neg !== (b as { neg: boolean }).neg;
  if (op === 'mul') {
    if ((a.cls === 'inf' && b.cls === 'zero') || (a.cls === 'zero' && b.cls === 'inf')) return invalid;
    if (a.cls === 'inf' || b.cls === 'inf') return { bits: infBits(neg, f), flags: 0 };
    if (a.cls === 'zero' || b.cls === 'zero') return { bits: zeroBits(neg, f), flags: 0 };
    if (a.cls !== 'num' || b.cls !== 'num') throw new Error('unreachable');
    return roundReal(ratOf({ n: a.n * b.n, e: a.e + b.e }), neg, f, rm, ftz);
  }
  // div
  if ((a.cls === 'inf' && b.cls === 'inf') || (a.cls === 'zero' && b.cls === 'zero')) return invalid;
  if (a.cls === 'inf') return { bits: infBits(neg, f), flags: 0 };
  if (a.cls === 'zero' || b.cls === 'inf') return { bits: zeroBits(neg, f), flags: 0 };
  if (b.cls === 'zero') return { bits: infBits(neg, f), flags: Z };
  if (a.cls !== 'num' || b.cls !== 'num') throw new Error('unreachable');
  const e = a.e - b.e;
  const x: Real = e >= 0 ? { sqrt: false, num: a.n << BigInt(e), den: b.n } : { sqrt: false, num: a.n, den: b.n << BigInt(-e) };
  return roundReal(x, neg, f, rm, ftz);
}

export function refSqrt(aBits: bigint, f: FmtDesc, rm: Mode, ftz: boolean): RefResult {
  const a = decode(aBits, f);
  if (a.cls === 'nan') return { bits: defaultNaN(f), flags: a.snan ? V : 0 };
  if (a.cls === 'zero') return { bits: zeroBits(a.neg, f), flags: 0 };
  if (a.neg) return { bits: defaultNaN(f), flags: V };
  if (a.cls === 'inf') return { bits: infBits(false, f), flags: 0 };
  const r = ratOf(a);
  return roundReal({ sqrt: true, num: r.num, den: r.den }, false, f, rm, ftz);
}

/** Rounds an exact signed integer to the format (int -> float conversions). */
export function refFromInt(v: bigint, f: FmtDesc, rm: Mode, ftz: boolean): RefResult {
  if (v === 0n) return { bits: 0n, flags: 0 };
  const neg = v < 0n;
  return roundReal({ sqrt: false, num: neg ? -v : v, den: 1n }, neg, f, rm, ftz);
}

/** Rounds a value of one format to another (cvt.s.d / cvt.d.s). */
export function refConvert(bits: bigint, from: FmtDesc, to: FmtDesc, rm: Mode, ftz: boolean): RefResult {
  const a = decode(bits, from);
  if (a.cls === 'nan') return { bits: defaultNaN(to), flags: a.snan ? V : 0 };
  if (a.cls === 'inf') return { bits: infBits(a.neg, to), flags: 0 };
  if (a.cls === 'zero') return { bits: zeroBits(a.neg, to), flags: 0 };
  return roundReal(ratOf(a), a.neg, to, rm, ftz);
}

/** Float -> signed integer of `width` bits, MIPS legacy: invalid gives 2^(width-1) - 1. */
export function refToInt(bits: bigint, from: FmtDesc, width: 32 | 64, rm: Mode): RefResult {
  const sat = (1n << BigInt(width - 1)) - 1n;
  const a = decode(bits, from);
  if (a.cls === 'nan' || a.cls === 'inf') return { bits: sat, flags: V };
  if (a.cls === 'zero') return { bits: 0n, flags: 0 };
  const x = ratOf(a);
  const [k, exact] = roundToQuantum(x, a.neg, 0, rm);
  const v = a.neg ? -k : k;
  if (v < -(1n << BigInt(width - 1)) || v > sat) return { bits: sat, flags: V };
  return { bits: BigInt.asUintN(width, v), flags: exact ? 0 : I };
}
