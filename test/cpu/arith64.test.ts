// The int32-halves arithmetic helpers (64-bit division, unaligned doubleword merges,
// 32×32 products and multiply-accumulate) against straightforward BigInt references on
// edge values and seeded random operands (ARITH_SEED=random explores).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { div64, dmul64, ldlrMerge, madd32, mul32, sdlrMerge } from '../../src/emulator/cpu/arith';

const seedEnv = process.env.ARITH_SEED;
const SEED = seedEnv === 'random' ? (Math.random() * 2 ** 32) >>> 0 : Number(seedEnv ?? 0x5eed64);
console.log(`arith64 seed ${SEED}`);

let s = SEED || 1;
function rnd32(): number {
  s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
  return s | 0;
}
const EDGE = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0xfffff, 0x100000, 0x1fffff, 0x200000, 0xffff, 0x10000, 3, 7];
/** A 64-bit operand as [lo, hi]: edge halves, small values, sign extensions and random bits. */
function operand(): [number, number] {
  const pick = (): number => (rnd32() & 3) === 0 ? EDGE[(rnd32() >>> 0) % EDGE.length] : rnd32();
  switch ((rnd32() >>> 0) % 5) {
    case 0: { const l = pick(); return [l, l >> 31]; }
    case 1: return [pick(), 0];
    case 2: return [pick(), (rnd32() >>> 0) % 0x200000];
    default: return [pick(), pick()];
  }
}
const big = (lo: number, hi: number): bigint => (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
const halves = (v: bigint): [number, number] => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
const N = 100_000;

test('div64 matches BigInt division (signed and unsigned, divisor 0 and INT64_MIN/-1 as 1)', () => {
  const r = new Int32Array(68);
  for (let i = 0; i < N; i++) {
    const [al, ah] = operand(), [bl, bh] = i % 50 === 0 ? [0, 0] : i % 51 === 0 ? [-1, -1] : operand();
    const [xl, xh] = i % 53 === 0 ? [0, -0x80000000] : [al, ah];
    for (const unsigned of [false, true]) {
      r[2] = xl; r[3] = xh; r[4] = bl; r[5] = bh;
      div64(r, 2, 4, unsigned);
      let a = big(xl, xh), b = big(bl, bh);
      if (unsigned) { a = BigInt.asUintN(64, a); b = BigInt.asUintN(64, b); if (b === 0n) b = 1n; }
      else if (b === 0n || (b === -1n && a === -(1n << 63n))) b = 1n;
      const q = halves(BigInt.asIntN(64, a / b)), m = halves(BigInt.asIntN(64, a % b));
      assert.deepEqual([r[64], r[65], r[66], r[67]], [q[0], q[1], m[0], m[1]], `${unsigned ? 'ddivu' : 'ddiv'} ${a} / ${b}`);
    }
  }
});

test('dmult/dmultu match BigInt 128-bit products', () => {
  const r = new Int32Array(68);
  for (let i = 0; i < N; i++) {
    const [al, ah] = operand(), [bl, bh] = operand();
    for (const unsigned of [false, true]) {
      r[2] = al; r[3] = ah; r[4] = bl; r[5] = bh;
      dmul64(r, 2, 4, unsigned);
      let a = big(al, ah), b = big(bl, bh);
      if (unsigned) { a = BigInt.asUintN(64, a); b = BigInt.asUintN(64, b); }
      const p = a * b;
      const lo = halves(BigInt.asIntN(64, p)), hi = halves(BigInt.asIntN(64, p >> 64n));
      assert.deepEqual([r[64], r[65], r[66], r[67]], [lo[0], lo[1], hi[0], hi[1]], `${unsigned ? 'dmultu' : 'dmult'} ${a} × ${b}`);
    }
  }
});

test('ldl/ldr and sdl/sdr merges match BigInt shifts for every byte offset', () => {
  const M = (1n << 64n) - 1n;
  const out = new Int32Array(2), r = new Int32Array(4);
  for (let i = 0; i < N / 10; i++) {
    const [wl, wh] = operand(), [ol, oh] = operand();
    const w = BigInt.asUintN(64, big(wl, wh)), o = BigInt.asUintN(64, big(ol, oh));
    for (let b = 0; b < 8; b++) {
      for (const left of [true, false]) {
        const sh = BigInt(left ? (7 - b) * 8 : b * 8);
        const ld = left ? ((w << sh) & M) | (o & ((1n << sh) - 1n)) : (w >> sh) | (o & ~(M >> sh) & M);
        ldlrMerge(wl, wh, ol, oh, b, left, r, 2);
        assert.deepEqual([r[2], r[3]], halves(ld), `${left ? 'ldl' : 'ldr'} b=${b} w=${w} old=${o}`);
        const sd = left ? (w & ~(M >> sh) & M) | (o >> sh) : (w & ((1n << sh) - 1n)) | ((o << sh) & M);
        sdlrMerge(wl, wh, ol, oh, b, left, out);
        assert.deepEqual([out[0], out[1]], halves(sd), `${left ? 'sdl' : 'sdr'} b=${b} mem=${w} reg=${o}`);
      }
    }
  }
});

test('mult/multu and madd/maddu/msub/msubu match BigInt products', () => {
  const r = new Int32Array(68);
  for (let i = 0; i < N; i++) {
    const a = (rnd32() & 7) === 0 ? EDGE[(rnd32() >>> 0) % EDGE.length] : rnd32();
    const b = (rnd32() & 7) === 0 ? EDGE[(rnd32() >>> 0) % EDGE.length] : rnd32();
    for (const unsigned of [false, true]) {
      const p = unsigned ? BigInt(a >>> 0) * BigInt(b >>> 0) : BigInt(a) * BigInt(b);
      mul32(a, b, unsigned, r, 64, 66);
      const [pl, ph] = halves(p);
      assert.deepEqual([r[64], r[65], r[66], r[67]], [pl, pl >> 31, ph, ph >> 31], `mult${unsigned ? 'u' : ''} ${a} ${b}`);
      for (const sub of [false, true]) {
        const [accL, accH] = operand();
        r[64] = accL; r[65] = accL >> 31; r[66] = accH; r[67] = accH >> 31;
        madd32(r, a, b, unsigned, sub);
        const acc = big(accL, accH);
        const [vl, vh] = halves(BigInt.asIntN(64, sub ? acc - p : acc + p));
        assert.deepEqual([r[64], r[65], r[66], r[67]], [vl, vl >> 31, vh, vh >> 31], `${sub ? 'msub' : 'madd'}${unsigned ? 'u' : ''} ${acc} ${a} ${b}`);
      }
    }
  }
});
