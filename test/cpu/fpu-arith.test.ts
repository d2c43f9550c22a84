// FPU arithmetic against the exact BigInt reference (test/cpu/fpu-ref.ts): add, sub, mul,
// div, sqrt, recip and conversions in binary32 and binary64, in all four rounding modes, with
// and without flush-to-zero, on thousands of operands including subnormals, infinities, NaNs
// and operands chosen to land on the underflow and overflow thresholds. Results and the FCSR
// Cause bits must match exactly.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fpu, FPU_MIPS64R2_GENERIC } from '../../src/emulator/cpu/fpu';
import { F32, F64, FmtDesc, Mode, RefResult, refBinary, refConvert, refFromInt, refSqrt, refToInt, BinOp } from './fpu-ref';
import { L32, L64, Rng, hex, operand, partner, specials } from './fpu-gen';

const MODES: Mode[] = [0, 1, 2, 3];
const MODE_NAME = ['RN', 'RZ', 'RP', 'RM'];

function fresh(rm: Mode, ftz: boolean): Fpu {
  const fpu = new Fpu(FPU_MIPS64R2_GENERIC);
  fpu.fr = true;
  fpu.fcsr = rm | (ftz ? 1 << 24 : 0);
  return fpu;
}

function put(fpu: Fpu, reg: number, v: bigint, bits: 32 | 64): void {
  if (bits === 32) fpu.writeD(reg, Number(BigInt.asIntN(32, v)), 0x5a5a5a5a);
  else fpu.writeD(reg, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
}
function get(fpu: Fpu, reg: number, bits: 32 | 64): bigint {
  const [lo, hi] = fpu.readD(reg);
  if (bits === 32) return BigInt(lo >>> 0);
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
const cause = (fpu: Fpu): number => (fpu.fcsr >>> 12) & 0x3f;

interface Mismatch { what: string; got: string; want: string }

function check(fails: Mismatch[], what: string, fpu: Fpu, bits: 32 | 64, want: RefResult, resBits: 32 | 64 = bits): void {
  const got = get(fpu, 0, resBits);
  const gc = cause(fpu);
  if (got !== want.bits || gc !== want.flags) {
    if (fails.length < 20) fails.push({ what, got: `${hex(got, resBits)} cause=${gc.toString(2)}`, want: `${hex(want.bits, resBits)} cause=${want.flags.toString(2)}` });
    else fails.length++;
  }
}

function report(fails: Mismatch[], n: number): void {
  assert.ok(n > 0);
  if (fails.length) {
    const lines = fails.slice(0, 20).map((f) => `${f.what}: got ${f.got}, want ${f.want}`);
    assert.fail(`${fails.length} of ${n} mismatches:\n${lines.join('\n')}`);
  }
}

const OPS: BinOp[] = ['add', 'sub', 'mul', 'div'];

for (const [fmtName, F, L, N] of [['s', F32, L32, 1500], ['d', F64, L64, 1200]] as const) {
  describe(`${fmtName}: binary operations vs exact reference`, () => {
    for (const op of OPS) {
      test(`${op}.${fmtName}: ${N} random operand pairs x 4 modes (+FTZ)`, () => {
        const r = new Rng(op.length * 1000 + N + (fmtName === 's' ? 1 : 2));
        const fails: Mismatch[] = [];
        let n = 0;
        const sp = specials(L);
        const pairs: [bigint, bigint][] = [];
        for (const a of sp) for (const b of sp) pairs.push([a, b]);
        for (let i = 0; i < N; i++) {
          const a = operand(r, L);
          pairs.push([a, partner(r, L, a, op)]);
        }
        pairs.forEach(([a, b], i) => {
          for (const rm of MODES) {
            for (const ftz of i % 3 === 0 ? [false, true] : [false]) {
              const fpu = fresh(rm, ftz);
              put(fpu, 2, a, F.bits);
              put(fpu, 4, b, F.bits);
              fpu[op](fmtName, 0, 2, 4);
              n++;
              check(fails, `${op}.${fmtName} ${hex(a, F.bits)} ${hex(b, F.bits)} ${MODE_NAME[rm]}${ftz ? '+FS' : ''}`, fpu, F.bits, refBinary(op, a, b, F, rm, ftz));
            }
          }
        });
        report(fails, n);
      });
    }

    test(`sqrt.${fmtName} and recip.${fmtName} x 4 modes (+FTZ)`, () => {
      const r = new Rng(77 + N);
      const fails: Mismatch[] = [];
      let n = 0;
      const xs = [...specials(L)];
      for (let i = 0; i < N * 2; i++) xs.push(operand(r, L));
      const one = F.bits === 32 ? 0x3f800000n : 0x3ff0000000000000n;
      xs.forEach((a, i) => {
        for (const rm of MODES) {
          for (const ftz of i % 3 === 0 ? [false, true] : [false]) {
            let fpu = fresh(rm, ftz);
            put(fpu, 2, a, F.bits);
            fpu.sqrt(fmtName, 0, 2);
            n++;
            check(fails, `sqrt.${fmtName} ${hex(a, F.bits)} ${MODE_NAME[rm]}${ftz ? '+FS' : ''}`, fpu, F.bits, refSqrt(a, F, rm, ftz));
            fpu = fresh(rm, ftz);
            put(fpu, 2, a, F.bits);
            fpu.recip(fmtName, 0, 2);
            n++;
            check(fails, `recip.${fmtName} ${hex(a, F.bits)} ${MODE_NAME[rm]}${ftz ? '+FS' : ''}`, fpu, F.bits, refBinary('div', one, a, F, rm, ftz));
          }
        }
      });
      report(fails, n);
    });
  });
}

describe('conversions vs exact reference', () => {
  const convCases = (F: FmtDesc, seed: number, n: number): bigint[] => {
    const r = new Rng(seed);
    const L = F.bits === 32 ? L32 : L64;
    const xs = [...specials(L)];
    for (let i = 0; i < n; i++) xs.push(operand(r, L));
    // values around the int32/int64 limits and halfway points
    for (const v of [2147483647.5, 2147483647, 2147483648, -2147483648, -2147483648.5, -2147483649, 2.5, -2.5, 0.5, -0.5, 1.5, 9007199254740993, 2 ** 63, -(2 ** 63), 2 ** 63 - 1024, 2 ** 31 - 0.25]) {
      if (F.bits === 64) {
        const b = new DataView(new ArrayBuffer(8));
        b.setFloat64(0, v);
        xs.push(b.getBigUint64(0));
      } else {
        const b = new DataView(new ArrayBuffer(4));
        b.setFloat32(0, v);
        xs.push(BigInt(b.getUint32(0)));
      }
    }
    return xs;
  };

  test('cvt.s.d and cvt.d.s, 4 modes (+FTZ)', () => {
    const fails: Mismatch[] = [];
    let n = 0;
    for (const [from, to, seed] of [[F64, F32, 5], [F32, F64, 6]] as const) {
      const xs = convCases(from, seed, 3000);
      const r = new Rng(seed);
      // doubles right at binary32 rounding boundaries
      if (from === F64) {
        for (let i = 0; i < 2000; i++) {
          const be = r.pick([1023 - 126, 1023 - 127, 1023 - 140, 1023 - 149, 1023 - 150, 1023 + 127, 1023 + 128, 1023 + 3]) + r.int(3) - 1;
          const frac = (r.bits(23) << 29n) | (r.pick([0n, 1n << 28n, (1n << 28n) - 1n, (1n << 28n) + 1n, r.bits(29)]));
          xs.push((BigInt(r.int(2)) << 63n) | (BigInt(be) << 52n) | frac);
        }
      }
      xs.forEach((a, i) => {
        for (const rm of MODES) {
          for (const ftz of i % 2 === 0 ? [false, true] : [false]) {
            const fpu = fresh(rm, ftz);
            put(fpu, 2, a, from.bits);
            fpu.cvt(to === F32 ? 's' : 'd', from === F32 ? 's' : 'd', 0, 2);
            n++;
            check(fails, `cvt ${hex(a, from.bits)} ${MODE_NAME[rm]}${ftz ? '+FS' : ''}`, fpu, from.bits, refConvert(a, from, to, rm, ftz), to.bits);
          }
        }
      });
    }
    report(fails, n);
  });

  test('float -> int32/int64: cvt (4 modes), round, trunc, ceil, floor', () => {
    const fails: Mismatch[] = [];
    let n = 0;
    for (const [F, name, seed] of [[F32, 's', 11], [F64, 'd', 12]] as const) {
      const xs = convCases(F, seed, 2000);
      const r = new Rng(seed);
      // values near integers of every magnitude up to 2^64
      for (let i = 0; i < 1500; i++) {
        const e = r.int(66);
        const v = (r.int(2) ? -1 : 1) * (2 ** e + r.int(8) / 4) ;
        const dv = new DataView(new ArrayBuffer(8));
        if (F.bits === 64) { dv.setFloat64(0, v); xs.push(dv.getBigUint64(0)); } else { dv.setFloat32(0, v); xs.push(BigInt(dv.getUint32(0))); }
      }
      for (const a of xs) {
        for (const width of [32, 64] as const) {
          const to = width === 32 ? 'w' : 'l';
          for (const rm of MODES) {
            const fpu = fresh(rm, false);
            put(fpu, 2, a, F.bits);
            fpu.writeD(0, 0x11111111, 0x22222222);
            fpu.cvt(to, name, 0, 2);
            n++;
            check(fails, `cvt.${to}.${name} ${hex(a, F.bits)} ${MODE_NAME[rm]}`, fpu, F.bits, refToInt(a, F, width, rm), width);
          }
          for (const [fn, rm] of [['round', 0], ['trunc', 1], ['ceil', 2], ['floor', 3]] as const) {
            const fpu = fresh(((rm + 1) % 4) as Mode, false); // FCSR.RM must not matter
            put(fpu, 2, a, F.bits);
            fpu[fn](to, name, 0, 2);
            n++;
            check(fails, `${fn}.${to}.${name} ${hex(a, F.bits)}`, fpu, F.bits, refToInt(a, F, width, rm), width);
          }
        }
      }
    }
    report(fails, n);
  });

  test('int32/int64 -> float: cvt.s.w, cvt.d.w, cvt.s.l, cvt.d.l in 4 modes', () => {
    const fails: Mismatch[] = [];
    let n = 0;
    const r = new Rng(99);
    const vals: bigint[] = [0n, 1n, -1n, 0x7fffffffn, -0x80000000n, 0x7fffffffffffffffn, -0x8000000000000000n, (1n << 53n) + 1n, (1n << 24n) + 1n, -((1n << 24n) + 3n)];
    for (let i = 0; i < 3000; i++) {
      const bits = 1 + r.int(64);
      let v = BigInt.asIntN(64, r.next64() & ((1n << BigInt(bits)) - 1n));
      if (r.int(4) === 0) v = BigInt.asIntN(64, v | ((1n << BigInt(r.int(63))) - 1n)); // long runs of ones: ties
      vals.push(v);
    }
    for (const v of vals) {
      for (const rm of MODES) {
        for (const [to, F] of [['s', F32], ['d', F64]] as const) {
          for (const from of ['w', 'l'] as const) {
            const x = from === 'w' ? BigInt.asIntN(32, v) : v;
            const fpu = fresh(rm, false);
            fpu.writeD(2, Number(BigInt.asIntN(32, x)), Number(BigInt.asIntN(32, x >> 32n)));
            fpu.cvt(to, from, 0, 2);
            n++;
            check(fails, `cvt.${to}.${from} ${x} ${MODE_NAME[rm]}`, fpu, F.bits, refFromInt(x, F, rm, false));
          }
        }
      }
    }
    report(fails, n);
  });
});
