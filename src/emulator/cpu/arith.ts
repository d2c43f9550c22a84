// 64-bit arithmetic on split 32-bit halves (lo/hi as signed int32), used by the
// instruction semantics of both engines. Results are written into the register array
// `r` at an even index (lo) and index+1 (hi).

const TWO32 = 4294967296;

/** 32×32 → 64 product (signed or unsigned), sign-extended 32-bit halves into LO and HI. */
export function mul32(a: number, b: number, unsigned: boolean, out: Int32Array, loIdx: number, hiIdx: number): void {
  const x = unsigned ? a >>> 0 : a | 0, y = unsigned ? b >>> 0 : b | 0;
  const p = x * y;
  let lo: number, hi: number;
  if (p > -9007199254740992 && p < 9007199254740992) {
    hi = Math.floor(p / TWO32);
    lo = p - hi * TWO32;
  } else {
    const bp = BigInt(x) * BigInt(y);
    lo = Number(BigInt.asIntN(32, bp));
    hi = Number(BigInt.asIntN(32, bp >> 32n));
  }
  const l = lo | 0, h = hi | 0;
  out[loIdx] = l; out[loIdx + 1] = l >> 31;
  out[hiIdx] = h; out[hiIdx + 1] = h >> 31;
}

export const toBig = (hi: number, lo: number): bigint => (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);

export function setBig(r: Int32Array, i: number, v: bigint): void {
  r[i] = Number(BigInt.asIntN(32, v));
  r[i + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

export function getBig(r: Int32Array, i: number): bigint {
  return (BigInt(r[i + 1]) << 32n) | BigInt(r[i] >>> 0);
}

/** 32-bit division with QEMU's results for x/0 and INT_MIN/-1 (divisor treated as 1). */
export function div32(r: Int32Array, a: number, b: number, unsigned: boolean): void {
  let q: number, m: number;
  if (unsigned) {
    const x = a >>> 0, y = (b >>> 0) === 0 ? 1 : b >>> 0;
    q = Math.floor(x / y) | 0; m = (x % y) | 0;
  } else {
    const x = a | 0;
    const y = (b | 0) === 0 || ((b | 0) === -1 && x === -2147483648) ? 1 : b | 0;
    q = Math.trunc(x / y) | 0; m = (x % y) | 0;
  }
  r[64] = q; r[65] = q >> 31;
  r[66] = m; r[67] = m >> 31;
}

/** 64-bit division (ddiv/ddivu) with the same divisor substitution. */
export function div64(r: Int32Array, rsIdx: number, rtIdx: number, unsigned: boolean): void {
  let a = getBig(r, rsIdx), b = getBig(r, rtIdx);
  if (unsigned) { a = BigInt.asUintN(64, a); b = BigInt.asUintN(64, b); if (b === 0n) b = 1n; }
  else if (b === 0n || (b === -1n && a === -(1n << 63n))) b = 1n;
  setBig(r, 64, BigInt.asIntN(64, a / b));
  setBig(r, 66, BigInt.asIntN(64, a % b));
}

/** 64-bit shift left of (hi:lo) by s (0..63) → [lo, hi]. */
export function shl64(hi: number, lo: number, s: number, out: Int32Array, i: number): void {
  if (s === 0) { out[i] = lo; out[i + 1] = hi; }
  else if (s < 32) { out[i] = lo << s; out[i + 1] = (hi << s) | (lo >>> (32 - s)); }
  else { out[i] = 0; out[i + 1] = lo << (s - 32); }
}

/** 64-bit logical shift right. */
export function shr64(hi: number, lo: number, s: number, out: Int32Array, i: number): void {
  if (s === 0) { out[i] = lo; out[i + 1] = hi; }
  else if (s < 32) { out[i] = (lo >>> s) | (hi << (32 - s)); out[i + 1] = hi >>> s; }
  else { out[i] = hi >>> (s - 32); out[i + 1] = 0; }
}

/** 64-bit arithmetic shift right. */
export function sar64(hi: number, lo: number, s: number, out: Int32Array, i: number): void {
  if (s === 0) { out[i] = lo; out[i + 1] = hi; }
  else if (s < 32) { out[i] = (lo >>> s) | (hi << (32 - s)); out[i + 1] = hi >> s; }
  else { out[i] = hi >> (s - 32); out[i + 1] = hi >> 31; }
}

/** 64-bit rotate right. */
export function ror64(hi: number, lo: number, s: number, out: Int32Array, i: number): void {
  s &= 63;
  if (s === 0) { out[i] = lo; out[i + 1] = hi; return; }
  if (s >= 32) { const t = lo; lo = hi; hi = t; s -= 32; }
  if (s === 0) { out[i] = lo; out[i + 1] = hi; return; }
  out[i] = (lo >>> s) | (hi << (32 - s));
  out[i + 1] = (hi >>> s) | (lo << (32 - s));
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** Unsigned 32×32 → 64 product of a and b (taken as u32) into out[0] (lo) and out[1] (hi), exact. */
function mulU32(a: number, b: number, out: Float64Array): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const ll = a0 * b0, mid = a1 * b0 + a0 * b1, hh = a1 * b1; // mid < 2^33
  const lo = ll + (mid % 65536) * 65536; // < 2^49
  out[0] = lo % TWO32;
  out[1] = hh + Math.floor(mid / 65536) + Math.floor(lo / TWO32);
}

const P = new Float64Array(2);

/**
 * 64×64 → 128-bit multiply of the GPR pairs at rsIdx and rtIdx into LO (r[64..65]) and
 * HI (r[66..67]), signed or unsigned, on 32-bit limbs (no BigInt on the hot path).
 */
export function dmul64(r: Int32Array, rsIdx: number, rtIdx: number, unsigned: boolean): void {
  const a0 = r[rsIdx] >>> 0, a1 = r[rsIdx + 1] >>> 0, b0 = r[rtIdx] >>> 0, b1 = r[rtIdx + 1] >>> 0;
  // Schoolbook on 32-bit limbs: w0..w3 (each accumulated as doubles < 2^53).
  mulU32(a0, b0, P); const w0 = P[0]; const c1 = P[1];
  mulU32(a0, b1, P); let t1 = c1 + P[0]; let c2 = P[1];
  mulU32(a1, b0, P); t1 += P[0]; c2 += P[1];
  const w1 = t1 % TWO32; c2 += Math.floor(t1 / TWO32);
  mulU32(a1, b1, P); const t2 = c2 + P[0]; const c3 = P[1];
  const w2 = t2 % TWO32; let w3 = (c3 + Math.floor(t2 / TWO32)) % TWO32;
  let hw2 = w2;
  if (!unsigned) {
    // Signed correction of the high 64 bits: subtract b if a < 0 and a if b < 0.
    let hiLo = hw2, hiHi = w3;
    if (a1 >= 0x80000000) { hiLo -= b0; hiHi -= b1; }
    if (b1 >= 0x80000000) { hiLo -= a0; hiHi -= a1; }
    while (hiLo < 0) { hiLo += TWO32; hiHi -= 1; }
    hiHi = ((hiHi % TWO32) + TWO32) % TWO32;
    hw2 = hiLo; w3 = hiHi;
  }
  r[64] = w0 | 0; r[65] = w1 | 0; r[66] = hw2 | 0; r[67] = w3 | 0;
}
