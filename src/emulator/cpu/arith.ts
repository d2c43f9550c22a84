// 64-bit arithmetic on split 32-bit halves (lo/hi as signed int32), used by the
// instruction semantics of both engines. Results are written into the register array
// `r` at an even index (lo) and index+1 (hi).

const TWO32 = 4294967296;

/** High word of the unsigned 32×32 → 64 product of a and b (taken as u32), exact, as a u32 value (on 16-bit limbs). */
export function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const m1 = a1 * b0, m2 = a0 * b1; // each < 2^32
  const mid = ((a0 * b0) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  return a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16);
}

/** High word (int32) of the 32×32 → 64 product, signed or unsigned; the low word is Math.imul(a, b). */
export function mulHi32(a: number, b: number, unsigned: boolean): number {
  const x = unsigned ? a >>> 0 : a | 0, y = unsigned ? b >>> 0 : b | 0;
  const p = x * y;
  if (p > -9007199254740992 && p < 9007199254740992) return Math.floor(p / TWO32) | 0;
  let h = mulHiU32(a, b);
  if (!unsigned) {
    // u32(a)·u32(b) = a·b + 2^32·(b if a < 0) + 2^32·(a if b < 0) (mod 2^64).
    if ((a | 0) < 0) h -= b >>> 0;
    if ((b | 0) < 0) h -= a >>> 0;
  }
  return h | 0;
}

/** 32×32 → 64 product (signed or unsigned), sign-extended 32-bit halves into LO and HI. */
export function mul32(a: number, b: number, unsigned: boolean, out: Int32Array, loIdx: number, hiIdx: number): void {
  const l = Math.imul(a, b), h = mulHi32(a, b, unsigned);
  out[loIdx] = l; out[loIdx + 1] = l >> 31;
  out[hiIdx] = h; out[hiIdx + 1] = h >> 31;
}

/** madd/maddu/msub/msubu: HI:LO ± the 32×32 → 64 product; results sign-extended into both pairs. */
export function madd32(r: Int32Array, a: number, b: number, unsigned: boolean, sub: boolean): void {
  let pl = Math.imul(a, b), ph = mulHi32(a, b, unsigned);
  if (sub) { ph = (~ph + (pl === 0 ? 1 : 0)) | 0; pl = (-pl) | 0; } // negate the 64-bit product
  const al = r[64], ah = r[66];
  const lo = (al + pl) | 0;
  const hi = (ah + ph + (((al >>> 0) + (pl >>> 0)) > 4294967295 ? 1 : 0)) | 0;
  r[64] = lo; r[65] = lo >> 31; r[66] = hi; r[67] = hi >> 31;
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

const DQ = new Int32Array(4); // udiv64 results: quotient lo, hi; remainder lo, hi

/** Unsigned 64-bit division (b ≠ 0) of (ah:al) by (bh:bl) into DQ, on 32-bit halves. */
function udiv64(ah: number, al: number, bh: number, bl: number): void {
  const ahu = ah >>> 0, bhu = bh >>> 0;
  if (ahu < 0x100000 && bhu < 0x100000) {
    // Both below 2^52: the double quotient is off by at most one, and q·b stays exact.
    const a = ahu * TWO32 + (al >>> 0), b = bhu * TWO32 + (bl >>> 0);
    let q = Math.floor(a / b), m = a - q * b;
    if (m < 0) { q--; m += b; } else if (m >= b) { q++; m -= b; }
    DQ[0] = q | 0; DQ[1] = Math.floor(q / TWO32) | 0; DQ[2] = m | 0; DQ[3] = Math.floor(m / TWO32) | 0;
    return;
  }
  // Restoring long division, one quotient bit per step (operands of 52 bits and more).
  let qh = 0, ql = 0, rh = 0, rl = 0;
  for (let i = 63; i >= 0; i--) {
    // r = (r << 1) | bit i of a
    const bit = i >= 32 ? (ah >>> (i - 32)) & 1 : (al >>> i) & 1;
    rh = (rh << 1) | (rl >>> 31); rl = (rl << 1) | bit;
    // r >= b (unsigned)?
    if ((rh >>> 0) > bhu || ((rh >>> 0) === bhu && (rl >>> 0) >= (bl >>> 0))) {
      const nl = (rl - bl) | 0;
      rh = (rh - bh - ((rl >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; rl = nl;
      if (i >= 32) qh |= 1 << (i - 32); else ql |= 1 << i;
    }
  }
  DQ[0] = ql; DQ[1] = qh; DQ[2] = rl; DQ[3] = rh;
}

/** 64-bit division (ddiv/ddivu) with the same divisor substitution, on 32-bit halves. */
export function div64(r: Int32Array, rsIdx: number, rtIdx: number, unsigned: boolean): void {
  let al = r[rsIdx], ah = r[rsIdx + 1], bl = r[rtIdx], bh = r[rtIdx + 1];
  if (bl === 0 && bh === 0) { bl = 1; bh = 0; }
  if (unsigned) {
    udiv64(ah, al, bh, bl);
    r[64] = DQ[0]; r[65] = DQ[1]; r[66] = DQ[2]; r[67] = DQ[3];
    return;
  }
  if (bl === -1 && bh === -1 && al === 0 && ah === -2147483648) { bl = 1; bh = 0; }
  const na = ah < 0, nb = bh < 0;
  // Magnitudes (−2^63 stays 2^63 read as unsigned).
  if (na) { ah = (~ah + (al === 0 ? 1 : 0)) | 0; al = (-al) | 0; }
  if (nb) { bh = (~bh + (bl === 0 ? 1 : 0)) | 0; bl = (-bl) | 0; }
  udiv64(ah, al, bh, bl);
  let ql = DQ[0], qh = DQ[1], ml = DQ[2], mh = DQ[3];
  // Quotient truncates toward zero; the remainder takes the dividend's sign.
  if (na !== nb) { qh = (~qh + (ql === 0 ? 1 : 0)) | 0; ql = (-ql) | 0; }
  if (na) { mh = (~mh + (ml === 0 ? 1 : 0)) | 0; ml = (-ml) | 0; }
  r[64] = ql; r[65] = qh; r[66] = ml; r[67] = mh;
}

/**
 * ldl/ldr merge: the doubleword (wh:wl) loaded from the aligned address, the old register
 * (oh:ol), and the byte index b of the address within it (little-endian numbering).
 * Writes the result to r[i], r[i + 1].
 */
export function ldlrMerge(wl: number, wh: number, ol: number, oh: number, b: number, left: boolean, r: Int32Array, i: number): void {
  let lo: number, hi: number;
  if (left) {
    // (w << sh) | (old & ((1 << sh) − 1)), sh = (7 − b)·8
    const sh = (7 - b) * 8;
    if (sh === 0) { lo = wl; hi = wh; }
    else if (sh < 32) { lo = (wl << sh) | (ol & ((1 << sh) - 1)); hi = (wh << sh) | (wl >>> (32 - sh)); }
    else if (sh === 32) { lo = ol; hi = wl; }
    else { lo = ol; hi = (wl << (sh - 32)) | (oh & ((1 << (sh - 32)) - 1)); }
  } else {
    // (w >>> sh) | (old & ~(ones >>> sh)), sh = b·8
    const sh = b * 8;
    if (sh === 0) { lo = wl; hi = wh; }
    else if (sh < 32) { lo = (wl >>> sh) | (wh << (32 - sh)); hi = (wh >>> sh) | (oh & ~(-1 >>> sh)); }
    else if (sh === 32) { lo = wh; hi = oh; }
    else { lo = (wh >>> (sh - 32)) | (ol & ~(-1 >>> (sh - 32))); hi = oh; }
  }
  r[i] = lo | 0; r[i + 1] = hi | 0;
}

/**
 * sdl/sdr merge: the doubleword (wh:wl) in memory, the register (vh:vl) and the byte
 * index b; writes the doubleword to store into out[0] (lo), out[1] (hi).
 */
export function sdlrMerge(wl: number, wh: number, vl: number, vh: number, b: number, left: boolean, out: Int32Array): void {
  let lo: number, hi: number;
  if (left) {
    // (w & ~(ones >>> sh)) | (v >>> sh), sh = (7 − b)·8
    const sh = (7 - b) * 8;
    if (sh === 0) { lo = vl; hi = vh; }
    else if (sh < 32) { lo = (vl >>> sh) | (vh << (32 - sh)); hi = (wh & ~(-1 >>> sh)) | (vh >>> sh); }
    else if (sh === 32) { lo = vh; hi = wh; }
    else { lo = (wl & ~(-1 >>> (sh - 32))) | (vh >>> (sh - 32)); hi = wh; }
  } else {
    // (w & ((1 << sh) − 1)) | (v << sh), sh = b·8
    const sh = b * 8;
    if (sh === 0) { lo = vl; hi = vh; }
    else if (sh < 32) { lo = (wl & ((1 << sh) - 1)) | (vl << sh); hi = (vh << sh) | (vl >>> (32 - sh)); }
    else if (sh === 32) { lo = wl; hi = vl; }
    else { lo = wl; hi = (wh & ((1 << (sh - 32)) - 1)) | (vl << (sh - 32)); }
  }
  out[0] = lo | 0; out[1] = hi | 0;
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/**
 * 64×64 → 128-bit multiply of the GPR pairs at rsIdx and rtIdx into LO (r[64..65]) and
 * HI (r[66..67]), signed or unsigned, on 32-bit limbs (no BigInt, no division).
 */
export function dmul64(r: Int32Array, rsIdx: number, rtIdx: number, unsigned: boolean): void {
  const a0 = r[rsIdx], a1 = r[rsIdx + 1], b0 = r[rtIdx], b1 = r[rtIdx + 1];
  // Schoolbook on 32-bit limbs: each partial product as (imul low word, exact high word).
  const t1 = mulHiU32(a0, b0) + (Math.imul(a0, b1) >>> 0) + (Math.imul(a1, b0) >>> 0); // < 3·2^32
  const c1 = t1 >= 2 * TWO32 ? 2 : t1 >= TWO32 ? 1 : 0;
  const t2 = mulHiU32(a0, b1) + mulHiU32(a1, b0) + (Math.imul(a1, b1) >>> 0) + c1; // < 3·2^32 + 2
  const c2 = t2 >= 2 * TWO32 ? 2 : t2 >= TWO32 ? 1 : 0;
  let w2 = (t2 - c2 * TWO32) | 0, w3 = (mulHiU32(a1, b1) + c2) | 0;
  if (!unsigned) {
    // Signed correction of the high 64 bits: subtract b if a < 0 and a if b < 0.
    if (a1 < 0) { const l = (w2 - b0) | 0; w3 = (w3 - b1 - ((w2 >>> 0) < (b0 >>> 0) ? 1 : 0)) | 0; w2 = l; }
    if (b1 < 0) { const l = (w2 - a0) | 0; w3 = (w3 - a1 - ((w2 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; w2 = l; }
  }
  r[64] = Math.imul(a0, b0); r[65] = (t1 - c1 * TWO32) | 0; r[66] = w2; r[67] = w3;
}
