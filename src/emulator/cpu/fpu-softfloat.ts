// IEEE-754 binary32/binary64 arithmetic with the four IEEE rounding modes, MIPS exception
// flags and flush-to-zero, behaving like QEMU's softfloat as configured by the MIPS target in
// legacy-NaN (pre-2008) mode:
//
//  - every NaN result is the default NaN (QEMU sets default_nan_mode when FCSR.NAN2008 = 0):
//    binary32 0x7fbfffff, binary64 0x7ff7ffffffffffff; a signalling NaN (quiet bit SET in the
//    legacy encoding) raises Invalid when it is an arithmetic operand;
//  - tininess is detected after rounding; Underflow is raised only when the tiny result is
//    also inexact;
//  - flush-to-zero (FCSR.FS) applies to results only, and flushes any result whose exact value
//    is below the smallest normal magnitude (decided before rounding) to a zero of the same
//    sign without raising any flag (softfloat's output_denormal flag has no MIPS mapping);
//    denormal operands are used as they are.
//
// Values travel as JS numbers (every binary32 and binary64 value is exactly a double), NaN
// standing for "the default NaN". Operands are decoded from bit patterns by the callers, which
// also raise Invalid for signalling NaNs (`dec32`/`dec64`). Results in round-to-nearest are
// the host's double arithmetic; the other modes and all flags come from exact error terms
// (TwoSum, Dekker's TwoProduct, exact division and square-root remainders), with a BigInt
// slow path for binary64 results near the underflow or overflow thresholds.

/** FCSR.RM encodings. */
export const RM_RN = 0, RM_RZ = 1, RM_RP = 2, RM_RM = 3;

/** Flag bits in the order of the FCSR Flags/Enables/Cause fields. */
export const FLAG_I = 1, FLAG_U = 2, FLAG_O = 4, FLAG_Z = 8, FLAG_V = 16, FLAG_E = 32;

export const DEFAULT_NAN32 = 0x7fbfffff;
export const DEFAULT_NAN64_HI = 0x7ff7ffff;
export const DEFAULT_NAN64_LO = -1;

/** Rounding mode, flush-to-zero and the flags accumulated by the current operation. */
export class FpStatus {
  rm = RM_RN;
  ftz = false;
  flags = 0;
}

// ---------------------------------------------------------------------------------------------
// Bit-pattern conversions

const scratch = new ArrayBuffer(8);
const sF64 = new Float64Array(scratch);
const sF32 = new Float32Array(scratch);
const sI32 = new Int32Array(scratch);
const sU32 = new Uint32Array(scratch);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

export function f32FromBits(bits: number): number {
  sU32[0] = bits >>> 0;
  return sF32[0];
}
/** Bits of a binary32 value (which must be exactly representable); NaN gives the default NaN. */
export function f32Bits(x: number): number {
  if (x !== x) return DEFAULT_NAN32;
  sF32[0] = x;
  return sI32[0];
}
export function f64FromBits(lo: number, hi: number): number {
  sI32[LO] = lo;
  sI32[HI] = hi;
  return sF64[0];
}
/** Low word of a binary64 value; NaN gives the default NaN. */
export function f64Lo(x: number): number {
  if (x !== x) return DEFAULT_NAN64_LO;
  sF64[0] = x;
  return sI32[LO];
}
/** High word of a binary64 value; NaN gives the default NaN. */
export function f64Hi(x: number): number {
  if (x !== x) return DEFAULT_NAN64_HI;
  sF64[0] = x;
  return sI32[HI];
}

export const isNaN32 = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;
/** Legacy encoding: the most significant fraction bit set means signalling. */
export const isSNaN32 = (b: number): boolean => (b & 0x7fc00000) === 0x7fc00000;
export const isNaN64 = (lo: number, hi: number): boolean => {
  const h = hi & 0x7fffffff;
  return h > 0x7ff00000 || (h === 0x7ff00000 && lo !== 0);
};
export const isSNaN64 = (_lo: number, hi: number): boolean => (hi & 0x7ff80000) === 0x7ff80000;

/** Decodes an arithmetic binary32 operand; a signalling NaN raises Invalid. */
export function dec32(bits: number, st: FpStatus): number {
  if ((bits & 0x7fffffff) > 0x7f800000) {
    if ((bits & 0x7fc00000) === 0x7fc00000) st.flags |= FLAG_V;
    return NaN;
  }
  sU32[0] = bits >>> 0;
  return sF32[0];
}
/** Decodes an arithmetic binary64 operand; a signalling NaN raises Invalid. */
export function dec64(lo: number, hi: number, st: FpStatus): number {
  if (isNaN64(lo, hi)) {
    if ((hi & 0x7ff80000) === 0x7ff80000) st.flags |= FLAG_V;
    return NaN;
  }
  sI32[LO] = lo;
  sI32[HI] = hi;
  return sF64[0];
}

// ---------------------------------------------------------------------------------------------
// Constants and small helpers

const P2 = (n: number): number => Math.pow(2, n);
const TWO_M1021 = P2(-1021);
const TWO_M1022 = P2(-1022);
const TWO_M968 = P2(-968);
const TWO_996 = P2(996);
const TWO_1023 = P2(1023);
const MAX64 = Number.MAX_VALUE;
const MAX32 = (2 - P2(-23)) * P2(127);
const TWO_M126 = P2(-126);
const TWO_32 = 4294967296;
const TWO_63 = P2(63);
const SPLIT = 134217729; // 2^27 + 1

/** Error of the product: a*b = p + err exactly, p = fl(a*b) (Dekker; no overflow/underflow). */
function prodErr(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Moves a finite non-zero double one unit in the last place away from (dir>0) or toward zero. */
function stepMag(x: number, dir: number): number {
  sF64[0] = x;
  let lo = sU32[LO], hi = sI32[HI];
  if (dir > 0) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) >>> 0;
  }
  sU32[LO] = lo;
  sI32[HI] = hi;
  return sF64[0];
}

/**
 * Directed rounding of a binary64 result: `r` is the round-to-nearest result of the exact
 * value x and `e` has the sign of x - r (non-zero). r must be normal, away from overflow.
 */
function adjust64(r: number, e: number, rm: number): number {
  switch (rm) {
    case RM_RZ: return (e > 0) !== (r > 0) ? stepMag(r, -1) : r;
    case RM_RP: return e > 0 ? (r > 0 ? stepMag(r, 1) : stepMag(r, -1)) : r;
    case RM_RM: return e < 0 ? (r > 0 ? stepMag(r, -1) : stepMag(r, 1)) : r;
    default: return r;
  }
}

/** Result of an overflow: infinity or the largest finite magnitude, depending on the mode. */
function overflowResult(neg: boolean, max: number, rm: number, st: FpStatus): number {
  st.flags |= FLAG_O | FLAG_I;
  const toMax = rm === RM_RZ || (rm === RM_RP && neg) || (rm === RM_RM && !neg);
  const m = toMax ? max : Infinity;
  return neg ? -m : m;
}

/** Sign of an exact zero sum x + y (x, y not NaN), per IEEE: -0 in round-down unless both are +0. */
function zeroSum(x: number, y: number, r: number, rm: number): number {
  if (rm === RM_RM) return Object.is(x, 0) && Object.is(y, 0) ? 0 : -0;
  return r; // host semantics match for the other modes
}

// ---------------------------------------------------------------------------------------------
// Rounding of an exact value to binary32. The value is x = r + e where r is a double equal to
// round-to-nearest(x) at 53 bits and e is exact or merely has the sign of x - r. Binary32 is
// so much narrower (and the double range so much wider) that this is always enough to round x
// correctly in every mode, including subnormal and overflowing results.

const P2_TAB: number[] = [];
for (let i = -1100; i <= 1100; i++) P2_TAB[i + 1100] = P2(i);
const pow2 = (n: number): number => P2_TAB[n + 1100];

/** Exponent of a finite positive double: floor(log2(a)). */
function ilog2(a: number): number {
  sF64[0] = a;
  const e = (sI32[HI] >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  // subnormal double
  const hi = sI32[HI] & 0xfffff, lo = sU32[LO];
  return hi !== 0 ? -1043 + (31 - Math.clz32(hi)) : -1075 + (32 - Math.clz32(lo));
}

/**
 * Rounds magnitude a (with es = sign of |x| - a) to a multiple of 2^q. Returns the rounded
 * magnitude; sets `gridInexact`.
 */
let gridInexact = false;
function gridRound(a: number, es: number, q: number, rm: number, neg: boolean): number {
  const Q = pow2(q);
  const k = a * pow2(-q);
  let fl = Math.floor(k);
  const frac = k - fl;
  // where x lies in [fl, fl+1): 0 = exactly fl, 1 = below half, 2 = half, 3 = above half
  let pos: number;
  if (frac === 0) {
    if (es === 0) { gridInexact = false; return a; }
    if (es > 0) pos = 1;
    else { fl -= 1; pos = 3; }
  } else if (frac === 0.5) {
    pos = es > 0 ? 3 : es < 0 ? 1 : 2;
  } else {
    pos = frac > 0.5 ? 3 : 1;
  }
  gridInexact = true;
  let up: boolean;
  switch (rm) {
    case RM_RN: up = pos === 3 || (pos === 2 && fl % 2 !== 0); break;
    case RM_RZ: up = false; break;
    case RM_RP: up = !neg; break;
    default: up = neg; break;
  }
  return (up ? fl + 1 : fl) * Q;
}

/** Rounds x = r + e (r finite, non-zero double; e exact or with the sign of x - r) to binary32. */
export function roundF32(r: number, e: number, st: FpStatus): number {
  const neg = r < 0;
  const a = neg ? -r : r;
  const es = e === 0 ? 0 : (e > 0) !== neg ? 1 : -1; // sign of |x| - |r|
  let E = ilog2(a);
  if (es < 0 && a === pow2(E)) E -= 1; // |x| is just below a power of two
  if (E < -126) {
    if (st.ftz) return neg ? -0 : 0;
    // tiny unless rounding at full precision carries up to 2^-126
    let tiny = true;
    if (E === -127) tiny = gridRound(a, es, -150, st.rm, neg) < TWO_M126;
    const m = gridRound(a, es, -149, st.rm, neg);
    if (gridInexact) st.flags |= tiny ? FLAG_I | FLAG_U : FLAG_I;
    return neg ? -m : m;
  }
  if (E > 127) return overflowResult(neg, MAX32, st.rm, st);
  const m = gridRound(a, es, E - 23, st.rm, neg);
  if (gridInexact) {
    if (m > MAX32) return overflowResult(neg, MAX32, st.rm, st);
    st.flags |= FLAG_I;
  }
  return neg ? -m : m;
}

// ---------------------------------------------------------------------------------------------
// BigInt slow path: exact value sign * man * 2^exp (+ sticky: a non-zero amount below one unit
// of man), rounded to a format with precision p and exponent range [emin, emax].

interface Fmt { p: number; emin: number; emax: number; max: number }
export const FMT32: Fmt = { p: 24, emin: -126, emax: 127, max: MAX32 };
export const FMT64: Fmt = { p: 53, emin: -1022, emax: 1023, max: MAX64 };

function bitLen(m: bigint): number {
  if (m === 0n) return 0;
  const h = m.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0], 16)));
}

/** Decomposes a finite non-zero double into [man, exp] with |x| = man * 2^exp. */
export function decompose(x: number): [bigint, number] {
  sF64[0] = x;
  const hi = sI32[HI], lo = sU32[LO];
  const be = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return be === 0 ? [frac, -1074] : [frac | (1n << 52n), be - 1075];
}

/** Rounds at quantum 2^q: returns [kept + increment, inexact]. */
function roundAt(man: bigint, exp: number, sticky: boolean, q: number, rm: number, neg: boolean): [bigint, boolean] {
  const shift = q - exp;
  let kept: bigint;
  let pos: number; // 0 exact, 1 below half, 2 half, 3 above half
  if (shift <= 0) {
    kept = man << BigInt(-shift);
    pos = sticky ? 1 : 0;
  } else {
    const s = BigInt(shift);
    kept = man >> s;
    const rem = man & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    if (rem === 0n) pos = sticky ? 1 : 0;
    else if (rem < half) pos = 1;
    else if (rem > half) pos = 3;
    else pos = sticky ? 3 : 2;
  }
  if (pos === 0) return [kept, false];
  let up: boolean;
  switch (rm) {
    case RM_RN: up = pos === 3 || (pos === 2 && (kept & 1n) === 1n); break;
    case RM_RZ: up = false; break;
    case RM_RP: up = !neg; break;
    default: up = neg; break;
  }
  return [up ? kept + 1n : kept, true];
}

/** Rounds an exact non-zero value to the format (flags, flush-to-zero, overflow). */
export function roundPack(neg: boolean, man: bigint, exp: number, sticky: boolean, fmt: Fmt, st: FpStatus): number {
  const n = bitLen(man);
  const E = n - 1 + exp;
  const { p, emin, emax } = fmt;
  if (E < emin) {
    if (st.ftz) return neg ? -0 : 0;
    let tiny = true;
    if (E === emin - 1) {
      const [k] = roundAt(man, exp, sticky, E - (p - 1), st.rm, neg);
      tiny = bitLen(k) <= p; // no carry into 2^emin
    }
    const [k, inexact] = roundAt(man, exp, sticky, emin - (p - 1), st.rm, neg);
    if (inexact) st.flags |= tiny ? FLAG_I | FLAG_U : FLAG_I;
    const v = Number(k) * pow2(emin - (p - 1));
    return neg ? -v : v;
  }
  let q = E - (p - 1);
  const rounded = roundAt(man, exp, sticky, q, st.rm, neg);
  let k = rounded[0];
  const inexact = rounded[1];
  if (bitLen(k) > p) { k >>= 1n; q += 1; }
  if (q + p - 1 > emax) return overflowResult(neg, fmt.max, st.rm, st);
  if (inexact) st.flags |= FLAG_I;
  const v = Number(k) * pow2(q);
  return neg ? -v : v;
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton iteration from an upper-bound power of two
  let x = 1n << BigInt(Math.ceil(bitLen(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Exact a + b (finite, not both zero-summing) rounded to fmt. */
export function slowAdd(a: number, b: number, fmt: Fmt, st: FpStatus): number {
  if (a === 0) return b === 0 ? zeroSum(a, b, a + b, st.rm) : slowRound(b, fmt, st);
  if (b === 0) return slowRound(a, fmt, st);
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const e = Math.min(ea, eb);
  const A = (a < 0 ? -ma : ma) << BigInt(ea - e);
  const B = (b < 0 ? -mb : mb) << BigInt(eb - e);
  const s = A + B;
  if (s === 0n) return zeroSum(a, b, 0, st.rm);
  return roundPack(s < 0n, s < 0n ? -s : s, e, false, fmt, st);
}

/** A finite value (already in the format's range of exponents) re-rounded: used for flush. */
function slowRound(x: number, fmt: Fmt, st: FpStatus): number {
  const [m, e] = decompose(x);
  return roundPack(x < 0, m, e, false, fmt, st);
}

/** Exact a * b (finite, non-zero) rounded to fmt. */
export function slowMul(a: number, b: number, fmt: Fmt, st: FpStatus): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  return roundPack((a < 0) !== (b < 0), ma * mb, ea + eb, false, fmt, st);
}

/** Exact a / b (finite, non-zero) rounded to fmt. */
export function slowDiv(a: number, b: number, fmt: Fmt, st: FpStatus): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const k = Math.max(0, fmt.p + 3 + bitLen(mb) - bitLen(ma));
  const num = ma << BigInt(k);
  const q = num / mb;
  return roundPack((a < 0) !== (b < 0), q, ea - eb - k, num % mb !== 0n, fmt, st);
}

/** Exact sqrt(a) (finite, positive) rounded to fmt. */
export function slowSqrt(a: number, fmt: Fmt, st: FpStatus): number {
  let [m, e] = decompose(a);
  if (e & 1) { m <<= 1n; e -= 1; }
  const need = 2 * (fmt.p + 3) - bitLen(m);
  const k = need > 0 ? Math.ceil(need / 2) : 0;
  const M = m << BigInt(2 * k);
  const s = isqrt(M);
  return roundPack(false, s, (e - 2 * k) / 2, s * s !== M, fmt, st);
}

// ---------------------------------------------------------------------------------------------
// binary64 operations (operands are numbers; NaN operands are quiet: Invalid for signalling
// NaNs is raised by dec64)

export function add64(a: number, b: number, st: FpStatus): number {
  const r = a + b;
  if (r !== r) {
    if (a === a && b === b) st.flags |= FLAG_V; // inf - inf
    return NaN;
  }
  const ar = Math.abs(r);
  if (ar < TWO_1023) {
    const bb = r - a;
    const e = (a - (r - bb)) + (b - bb);
    if (e === 0) {
      if (r === 0) return zeroSum(a, b, r, st.rm);
      if (ar < TWO_M1022 && st.ftz) return r < 0 ? -0 : 0;
      return r;
    }
    if (ar >= TWO_M1021) {
      st.flags |= FLAG_I;
      return adjust64(r, e, st.rm);
    }
  } else if (a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) {
    return r;
  }
  return slowAdd(a, b, FMT64, st);
}

export function sub64(a: number, b: number, st: FpStatus): number {
  return add64(a, -b, st);
}

export function mul64(a: number, b: number, st: FpStatus): number {
  const r = a * b;
  if (r !== r) {
    if (a === a && b === b) st.flags |= FLAG_V; // 0 * inf
    return NaN;
  }
  if (a === 0 || b === 0 || a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) return r;
  const A = Math.abs(a), B = Math.abs(b), R = Math.abs(r);
  if (A < TWO_996 && B < TWO_996 && A >= TWO_M1022 && B >= TWO_M1022 && R >= TWO_M968 && R < TWO_1023) {
    const e = prodErr(a, b, r);
    if (e === 0) return r;
    st.flags |= FLAG_I;
    return adjust64(r, e, st.rm);
  }
  return slowMul(a, b, FMT64, st);
}

export function div64(a: number, b: number, st: FpStatus): number {
  if (a !== a || b !== b) return NaN;
  if (b === 0) {
    if (a === 0) { st.flags |= FLAG_V; return NaN; }
    if (a === Infinity || a === -Infinity) return a / b;
    st.flags |= FLAG_Z;
    return a / b;
  }
  const q = a / b;
  if (q !== q) { st.flags |= FLAG_V; return NaN; } // inf / inf
  if (a === 0 || a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) return q;
  const A = Math.abs(a), B = Math.abs(b), Q = Math.abs(q);
  if (A >= TWO_M968 && B >= TWO_M1022 && B < TWO_996 && Q >= TWO_M1021 && Q < TWO_996) {
    const p = q * b;
    const rem = (a - p) - prodErr(q, b, p);
    if (rem === 0) return q;
    st.flags |= FLAG_I;
    return adjust64(q, (rem > 0) === (b > 0) ? 1 : -1, st.rm);
  }
  return slowDiv(a, b, FMT64, st);
}

export function sqrt64(a: number, st: FpStatus): number {
  if (a !== a) return NaN;
  if (a === 0 || a === Infinity) return a;
  if (a < 0) { st.flags |= FLAG_V; return NaN; }
  const s = Math.sqrt(a);
  if (a >= TWO_M968 && a < TWO_996) {
    const p = s * s;
    const rem = (a - p) - prodErr(s, s, p);
    if (rem === 0) return s;
    st.flags |= FLAG_I;
    return adjust64(s, rem, st.rm);
  }
  return slowSqrt(a, FMT64, st);
}

// ---------------------------------------------------------------------------------------------
// binary32 operations (operands are binary32 values as numbers)

export function add32(a: number, b: number, st: FpStatus): number {
  const r = a + b;
  if (r !== r) {
    if (a === a && b === b) st.flags |= FLAG_V;
    return NaN;
  }
  if (r === Infinity || r === -Infinity) return r; // only from infinite operands
  const bb = r - a;
  const e = (a - (r - bb)) + (b - bb);
  if (r === 0 && e === 0) return zeroSum(a, b, r, st.rm);
  return roundF32(r, e, st);
}

export function sub32(a: number, b: number, st: FpStatus): number {
  return add32(a, -b, st);
}

export function mul32(a: number, b: number, st: FpStatus): number {
  const r = a * b; // exact: 24 x 24 bits, well inside the double range
  if (r !== r) {
    if (a === a && b === b) st.flags |= FLAG_V;
    return NaN;
  }
  if (r === 0 || r === Infinity || r === -Infinity) return r;
  return roundF32(r, 0, st);
}

export function div32(a: number, b: number, st: FpStatus): number {
  if (a !== a || b !== b) return NaN;
  if (b === 0) {
    if (a === 0) { st.flags |= FLAG_V; return NaN; }
    if (a !== Infinity && a !== -Infinity) st.flags |= FLAG_Z;
    return a / b;
  }
  const q = a / b;
  if (q !== q) { st.flags |= FLAG_V; return NaN; }
  if (q === 0 || q === Infinity || q === -Infinity) return q;
  const p = q * b;
  const rem = (a - p) - prodErr(q, b, p);
  return roundF32(q, rem === 0 ? 0 : (rem > 0) === (b > 0) ? 1 : -1, st);
}

export function sqrt32(a: number, st: FpStatus): number {
  if (a !== a) return NaN;
  if (a === 0 || a === Infinity) return a;
  if (a < 0) { st.flags |= FLAG_V; return NaN; }
  const s = Math.sqrt(a);
  const p = s * s;
  const rem = (a - p) - prodErr(s, s, p);
  return roundF32(s, rem, st);
}

// ---------------------------------------------------------------------------------------------
// Conversions

/** binary64 -> binary32 in the current mode. */
export function cvt32from64(x: number, st: FpStatus): number {
  if (x !== x || x === 0 || x === Infinity || x === -Infinity) return x;
  return roundF32(x, 0, st);
}

/** int32 -> binary32. */
export function cvt32fromI32(v: number, st: FpStatus): number {
  return v === 0 ? 0 : roundF32(v, 0, st);
}

/** int64 (lo, hi words) -> binary32. */
export function cvt32fromI64(lo: number, hi: number, st: FpStatus): number {
  const h = hi * TWO_32, l = lo >>> 0;
  const r = h + l;
  if (r === 0) return 0;
  const bb = r - h;
  const e = (h - (r - bb)) + (l - bb);
  return roundF32(r, e, st);
}

/** int64 (lo, hi words) -> binary64. */
export function cvt64fromI64(lo: number, hi: number, st: FpStatus): number {
  const h = hi * TWO_32, l = lo >>> 0;
  const r = h + l;
  const bb = r - h;
  const e = (h - (r - bb)) + (l - bb);
  if (e === 0) return r;
  st.flags |= FLAG_I;
  return adjust64(r, e, st.rm);
}

/**
 * Rounds a finite value to an integer in the given mode. Returns NaN when the result does not
 * fit a signed integer of `bits` bits (the caller substitutes the MIPS legacy saturation value
 * and Invalid is raised); raises Inexact when the value changed.
 */
export function toInt(x: number, rm: number, bits: 32 | 64, st: FpStatus): number {
  if (x !== x || x === Infinity || x === -Infinity) { st.flags |= FLAG_V; return NaN; }
  let n: number;
  switch (rm) {
    case RM_RZ: n = Math.trunc(x); break;
    case RM_RP: n = Math.ceil(x); break;
    case RM_RM: n = Math.floor(x); break;
    default: {
      const f = Math.floor(x);
      const d = x - f;
      n = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
    }
  }
  const inRange = bits === 32 ? n >= -2147483648 && n <= 2147483647 : n >= -TWO_63 && n < TWO_63;
  if (!inRange) { st.flags |= FLAG_V; return NaN; }
  if (n !== x) st.flags |= FLAG_I;
  return n === 0 ? 0 : n;
}

/** Splits an integer-valued double |n| < 2^63 into int32 words [lo, hi]. */
export function int64Words(n: number): [number, number] {
  const hi = Math.floor(n / TWO_32);
  return [(n - hi * TWO_32) | 0, hi | 0];
}

// ---------------------------------------------------------------------------------------------
// Comparisons

/**
 * MIPS c.cond.fmt predicate on decoded values (NaN = unordered). `cond` bit 0: true when
 * unordered, bit 1: when equal, bit 2: when less; bit 3: signalling (Invalid for any NaN
 * operand; otherwise only signalling NaNs raise Invalid — the caller passes `snan`).
 */
export function compare(cond: number, a: number, b: number, snan: boolean, st: FpStatus): boolean {
  if (a !== a || b !== b) {
    if ((cond & 8) !== 0 || snan) st.flags |= FLAG_V;
    return (cond & 1) !== 0;
  }
  if (a < b) return (cond & 4) !== 0;
  if (a === b) return (cond & 2) !== 0;
  return false;
}
