// 64-bit operations on int32 halves that JavaScript has no operator for, called by the
// interpreter's generated handlers (cpu/ir-js.ts): each returns the low word of its result
// and leaves the high word in c.retHi. Shifts take amounts 0..63; divisions a divisor that
// is not zero (nor −1 with the minimum dividend, signed: the semantics substitute 1).

import { mulHiU32 } from './arith';

/** What the runtime functions write besides their result. */
export interface RetHi { retHi: number }

const TWO32 = 4294967296;

export function mul64(c: RetHi, al: number, ah: number, bl: number, bh: number): number {
  const lo = Math.imul(al, bl);
  c.retHi = (mulHiU32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  return lo;
}

/** High 64 bits of the unsigned 128-bit product (from 32-bit limbs: no partial sum overflows). */
export function mulhU64(c: RetHi, al: number, ah: number, bl: number, bh: number): number {
  const a0 = al >>> 0, a1 = ah >>> 0, b0 = bl >>> 0, b1 = bh >>> 0;
  // p00 = a0·b0, p01 = a0·b1, p10 = a1·b0, p11 = a1·b1 as (hi, lo) u32 pairs.
  const p00h = mulHiU32(a0, b0);
  const p01l = Math.imul(a0, b1) >>> 0, p01h = mulHiU32(a0, b1);
  const p10l = Math.imul(a1, b0) >>> 0, p10h = mulHiU32(a1, b0);
  const p11l = Math.imul(a1, b1) >>> 0, p11h = mulHiU32(a1, b1);
  // Column 1 (bits 32..63): p00h + p01l + p10l → carry into column 2.
  const col1 = p00h + p01l + p10l;
  const carry1 = Math.floor(col1 / TWO32);
  // Column 2 (bits 64..95): p01h + p10h + p11l + carry1.
  const col2 = p01h + p10h + p11l + carry1;
  const lo = col2 % TWO32;
  const hi = (p11h + Math.floor(col2 / TWO32)) % TWO32;
  c.retHi = hi | 0;
  return lo | 0;
}

/** High 64 bits of the signed 128-bit product. */
export function mulhS64(c: RetHi, al: number, ah: number, bl: number, bh: number): number {
  let lo = mulhU64(c, al, ah, bl, bh), hi = c.retHi;
  // u(a)·u(b) = a·b + 2^64·(b if a < 0) + 2^64·(a if b < 0): subtract those from the high half.
  if (ah < 0) { const nl = (lo - bl) | 0; hi = (hi - bh - ((lo >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; lo = nl; }
  if (bh < 0) { const nl = (lo - al) | 0; hi = (hi - ah - ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0; lo = nl; }
  c.retHi = hi;
  return lo;
}

const BIG = (l: number, h: number): bigint => (BigInt(h) << 32n) | BigInt(l >>> 0);
const ret = (c: RetHi, v: bigint): number => { c.retHi = Number(BigInt.asIntN(32, v >> 32n)); return Number(BigInt.asIntN(32, v)); };

/** Unsigned 64-bit quotient: doubles when both are below 2^52, BigInt beyond. */
export function divU64(c: RetHi, al: number, ah: number, bl: number, bh: number): number {
  const ahu = ah >>> 0, bhu = bh >>> 0;
  if (ahu < 0x100000 && bhu < 0x100000) {
    const a = ahu * TWO32 + (al >>> 0), b = bhu * TWO32 + (bl >>> 0);
    let q = Math.floor(a / b);
    const m = a - q * b;
    if (m < 0) q--; else if (m >= b) q++;
    c.retHi = Math.floor(q / TWO32) | 0;
    return q | 0;
  }
  return ret(c, BigInt.asUintN(64, BIG(al, ah)) / BigInt.asUintN(64, BIG(bl, bh)));
}

export function remU64(c: RetHi, al: number, ah: number, bl: number, bh: number): number {
  const ahu = ah >>> 0, bhu = bh >>> 0;
  if (ahu < 0x100000 && bhu < 0x100000) {
    const a = ahu * TWO32 + (al >>> 0), b = bhu * TWO32 + (bl >>> 0);
    let m = a - Math.floor(a / b) * b;
    if (m < 0) m += b; else if (m >= b) m -= b;
    c.retHi = Math.floor(m / TWO32) | 0;
    return m | 0;
  }
  return ret(c, BigInt.asUintN(64, BIG(al, ah)) % BigInt.asUintN(64, BIG(bl, bh)));
}

export function divS64(c: RetHi, al: number, ah: number, bl: number, bh: number): number {
  return ret(c, BIG(al, ah) / BIG(bl, bh));
}

export function remS64(c: RetHi, al: number, ah: number, bl: number, bh: number): number {
  return ret(c, BIG(al, ah) % BIG(bl, bh));
}

export function shl64(c: RetHi, l: number, h: number, s: number): number {
  if (s === 0) { c.retHi = h; return l; }
  if (s < 32) { c.retHi = (h << s) | (l >>> (32 - s)); return l << s; }
  c.retHi = l << (s - 32);
  return 0;
}

export function shrU64(c: RetHi, l: number, h: number, s: number): number {
  if (s === 0) { c.retHi = h; return l; }
  if (s < 32) { c.retHi = (h >>> s) | 0; return (l >>> s) | (h << (32 - s)); }
  c.retHi = 0;
  return (h >>> (s - 32)) | 0;
}

export function shrS64(c: RetHi, l: number, h: number, s: number): number {
  if (s === 0) { c.retHi = h; return l; }
  if (s < 32) { c.retHi = h >> s; return (l >>> s) | (h << (32 - s)); }
  c.retHi = h >> 31;
  return h >> (s - 32);
}

export function rotr64(c: RetHi, l: number, h: number, s: number): number {
  if (s === 0) { c.retHi = h; return l; }
  if (s === 32) { c.retHi = l; return h; }
  if (s < 32) { c.retHi = (h >>> s) | (l << (32 - s)); return (l >>> s) | (h << (32 - s)); }
  const t = s - 32;
  c.retHi = (l >>> t) | (h << (32 - t));
  return (h >>> t) | (l << (32 - t));
}

export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** The runtime as the generated code sees it (X). */
export const IR_RUNTIME = { mul64, mulhS64, mulhU64, divS64, divU64, remS64, remU64, shl64, shrU64, shrS64, rotr64, popcnt32 };


