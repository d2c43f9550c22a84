// FPU unit tests with hand-computed values: FCSR Cause/Flags/Enables and traps, ctc1/cfc1
// views and write masks, FR=0/FR=1 register views, compares (quiet and signalling),
// conversions at the integer limits, legacy NaNs, paired-single operations, conditional moves.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fpu, FpuException, FPU_5KEF, FPU_MIPS64R2_GENERIC, FIR_5KEF } from '../../src/emulator/cpu/fpu';
import { I, U, O, Z, V, F32, F64, refBinary, Mode } from './fpu-ref';
import { L32, L64, Rng, operand, specials } from './fpu-gen';


const u32 = (x: number): number => x >>> 0;

function f32(x: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x);
  return b.getInt32(0);
}
function f64(x: number): [number, number] {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  return [b.getInt32(4), b.getInt32(0)];
}
function asF64(lo: number, hi: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setInt32(0, hi);
  b.setInt32(4, lo);
  return b.getFloat64(0);
}
function asF32(bits: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setInt32(0, bits);
  return b.getFloat32(0);
}

function gen(): Fpu {
  const f = new Fpu(FPU_MIPS64R2_GENERIC);
  f.fr = true;
  return f;
}
const setD = (fpu: Fpu, r: number, x: number): void => fpu.writeD(r, ...f64(x));
const getD = (fpu: Fpu, r: number): number => asF64(...fpu.readD(r));
const setS = (fpu: Fpu, r: number, x: number): void => fpu.writeW(r, f32(x));
const getS = (fpu: Fpu, r: number): number => asF32(fpu.readW(r));
const cause = (fpu: Fpu): number => (fpu.fcsr >>> 12) & 0x3f;
const flags = (fpu: Fpu): number => (fpu.fcsr >>> 2) & 0x1f;

describe('FIR and control registers', () => {
  test('5KEf FIR as QEMU: F64 L W D S, PrID 0x89, no PS/3D', () => {
    const fpu = new Fpu(FPU_5KEF);
    assert.equal(fpu.fir, 0x00738900);
    assert.equal(FIR_5KEF, 0x00738900);
    assert.equal(fpu.cfc1(0), 0x00738900);
    assert.equal(fpu.hasPairedSingle, false);
    assert.equal(new Fpu(FPU_MIPS64R2_GENERIC).hasPairedSingle, true);
    assert.equal(new Fpu(FPU_MIPS64R2_GENERIC).cfc1(0), 0x007f0000);
  });

  test('5KEf: ctc1 $31 changes nothing (QEMU has no FCSR write mask for 5KEf), FENR/FEXR/FCCR do', () => {
    const fpu = new Fpu(FPU_5KEF);
    fpu.ctc1(31, 0x01fff003);
    assert.equal(fpu.fcsr, 0);
    fpu.ctc1(28, 0xf83 | 4);
    assert.equal(u32(fpu.fcsr), 0x01000f83);
    fpu.ctc1(31, 0);
    assert.equal(u32(fpu.fcsr), 0x01000f83);
    // all enables on: setting a cause through FEXR traps
    assert.throws(() => fpu.ctc1(26, 0x1000), FpuException);
    assert.equal(u32(fpu.fcsr), 0x01001f83);
  });

  test('FENR, FEXR, FCCR views and masks (QEMU helper_cfc1/helper_ctc1)', () => {
    const fpu = gen();
    fpu.fcsr = 0;
    fpu.ctc1(28, 0xffffffff & ~0x007c0000); // reserved bits 18..22 clear: accepted
    assert.equal(u32(fpu.fcsr), 0x01000f83);
    assert.equal(fpu.cfc1(28), 0xf87);
    fpu.ctc1(28, 0x00040000); // bit 18 set: whole write ignored
    assert.equal(u32(fpu.fcsr), 0x01000f83);
    fpu.ctc1(28, 0);
    assert.equal(fpu.fcsr, 0);
    fpu.ctc1(26, 0xffffffff & ~0x007c0000 & ~(0x3f << 12)); // flags only
    assert.equal(u32(fpu.fcsr), 0x7c);
    assert.equal(fpu.cfc1(26), 0x7c);
    fpu.ctc1(26, 0x00400000); // reserved bit 22: ignored
    assert.equal(u32(fpu.fcsr), 0x7c);
    fpu.ctc1(25, 0xff);
    assert.equal(u32(fpu.fcsr), 0xfe80007c);
    assert.equal(fpu.cfc1(25), 0xff);
    fpu.ctc1(25, 0x100); // bits above 7: ignored
    assert.equal(u32(fpu.fcsr), 0xfe80007c);
    fpu.ctc1(25, 0x5);
    assert.equal(u32(fpu.fcsr), 0x0480007c);
    for (let cc = 0; cc < 8; cc++) assert.equal(fpu.cond(cc), cc === 0 || cc === 2, `cc${cc}`);
    // ctc1 $31 with the R2 mask 0xff83ffff: bits 18..22 are read-only
    fpu.ctc1(31, -1 & ~(0x3f << 12));
    assert.equal(u32(fpu.fcsr), 0xff800fff);
    assert.equal(u32(fpu.cfc1(31)), 0xff800fff);
    // other registers: reads return FCSR (or 0 for 1 and 5), writes are ignored
    assert.equal(u32(fpu.cfc1(2)), 0xff800fff);
    assert.equal(fpu.cfc1(1), 0);
    assert.equal(fpu.cfc1(5), 0);
    fpu.ctc1(4, 0);
    fpu.ctc1(1, 0);
    assert.equal(u32(fpu.fcsr), 0xff800fff);
  });

  test('ctc1 raising an enabled cause or E traps after the write', () => {
    const fpu = gen();
    fpu.ctc1(28, 0x80); // enable Inexact
    assert.throws(() => fpu.ctc1(26, 0x1000), (e: unknown) => e instanceof FpuException && e.kind === 'fpe');
    assert.equal(fpu.cfc1(26), 0x1000); // written before the trap
    // a later ctc1 of FCCR traps again while the cause is still set (QEMU checks every write)
    assert.throws(() => fpu.ctc1(25, 1), FpuException);
    assert.equal(fpu.cond(0), true);
    fpu.ctc1(26, 0);
    // E (unimplemented) always traps, even with no enables
    fpu.ctc1(28, 0);
    assert.throws(() => fpu.ctc1(26, 0x20000), FpuException);
    fpu.ctc1(26, 0);
    // a disabled cause does not trap
    fpu.ctc1(26, 0x2000 | 0x7c);
    assert.equal(cause(fpu), U);
  });
});

describe('Cause, Flags, Enables', () => {
  test('cause is per operation, flags are sticky', () => {
    const fpu = gen();
    setD(fpu, 2, 1);
    setD(fpu, 4, 3);
    fpu.div('d', 0, 2, 4);
    assert.equal(getD(fpu, 0), 1 / 3);
    assert.equal(cause(fpu), I);
    assert.equal(flags(fpu), I);
    setD(fpu, 4, 0);
    fpu.div('d', 0, 2, 4);
    assert.equal(getD(fpu, 0), Infinity);
    assert.equal(cause(fpu), Z);
    assert.equal(flags(fpu), I | Z);
    setD(fpu, 4, 2);
    fpu.add('d', 0, 2, 4);
    assert.equal(getD(fpu, 0), 3);
    assert.equal(cause(fpu), 0);
    assert.equal(flags(fpu), I | Z);
    // abs/neg/mov leave FCSR alone (QEMU: not arithmetic with ABS2008 = 0)
    fpu.div('d', 0, 2, 2 + 2 * 0 + 0); // 1/2 exact -> cause 0
    setD(fpu, 6, 0);
    fpu.div('d', 8, 2, 6);
    assert.equal(cause(fpu), Z);
    fpu.neg('d', 0, 2);
    fpu.abs('s', 0, 2);
    fpu.mov('d', 0, 2);
    assert.equal(cause(fpu), Z);
  });

  test('an enabled exception traps: Cause set, destination and Flags unchanged', () => {
    const fpu = gen();
    fpu.ctc1(28, 0x80 | 0x400); // enable I and O? (bits 7 = I, 10 = Z)
    setD(fpu, 2, 1);
    setD(fpu, 4, 3);
    setD(fpu, 0, 42);
    assert.throws(() => fpu.div('d', 0, 2, 4), (e: unknown) => e instanceof FpuException && e.kind === 'fpe');
    assert.equal(getD(fpu, 0), 42);
    assert.equal(cause(fpu), I);
    assert.equal(flags(fpu), 0);
    // only enabled bits trap: overflow with only Z enabled -> no trap
    fpu.ctc1(26, 0);
    fpu.ctc1(28, 0x400);
    setD(fpu, 2, 1e308);
    setD(fpu, 4, 10);
    fpu.mul('d', 0, 2, 4);
    assert.equal(getD(fpu, 0), Infinity);
    assert.equal(cause(fpu), O | I);
    assert.equal(flags(fpu), O | I);
    // compare that traps leaves the condition code unchanged
    fpu.ctc1(26, 0);
    fpu.ctc1(28, 0x800); // enable V
    fpu.ctc1(25, 0);
    fpu.writeD(2, 0, 0x7ff80000); // signalling NaN (legacy)
    setD(fpu, 4, 1);
    assert.throws(() => fpu.c(15, 'd', 0, 2, 4), FpuException);
    assert.equal(fpu.cond(0), false);
    assert.equal(cause(fpu), V);
  });

  test('overflow and underflow results in every mode', () => {
    const fpu = gen();
    const big = 3e38, tiny = 1e-30;
    const cases: [Mode, number, number, number][] = [
      // mode, a, b, expected mul.s result
      [0, big, 10, Infinity], [1, big, 10, 3.4028234663852886e38], [2, big, 10, Infinity], [3, big, 10, 3.4028234663852886e38],
      [0, -big, 10, -Infinity], [1, -big, 10, -3.4028234663852886e38], [2, -big, 10, -3.4028234663852886e38], [3, -big, 10, -Infinity],
    ];
    for (const [rm, a, b, want] of cases) {
      fpu.fcsr = rm;
      setS(fpu, 2, a);
      setS(fpu, 4, b);
      fpu.mul('s', 0, 2, 4);
      assert.equal(getS(fpu, 0), want, `mode ${rm} ${a}*${b}`);
      assert.equal(cause(fpu), O | I);
    }
    // underflow: 1e-30 * 1e-10 -> subnormal, inexact
    fpu.fcsr = 0;
    setS(fpu, 2, tiny);
    setS(fpu, 4, 1e-10);
    fpu.mul('s', 0, 2, 4);
    assert.equal(getS(fpu, 0), Math.fround(Math.fround(tiny) * Math.fround(1e-10)));
    assert.equal(cause(fpu), U | I);
    // exact subnormal result: tiny but exact -> no underflow
    fpu.writeW(2, 0x00000002);
    fpu.writeW(4, f32(0.5));
    fpu.mul('s', 0, 2, 4);
    assert.equal(fpu.readW(0), 1);
    assert.equal(cause(fpu), 0);
    // tininess after rounding: (2^-126 - 2^-150) * (1 + 2^-23) rounds up to 2^-126 in RN:
    // not tiny -> Inexact only; in RZ it stays subnormal -> Underflow
    fpu.writeW(2, 0x007fffff); // 2^-126 - 2^-149
    fpu.writeW(4, f32(1 + 2 ** -23));
    fpu.mul('s', 0, 2, 4);
    assert.equal(u32(fpu.readW(0)), 0x00800000);
    assert.equal(cause(fpu), I);
    fpu.fcsr = 1;
    fpu.mul('s', 0, 2, 4);
    assert.equal(u32(fpu.readW(0)), 0x007fffff);
    assert.equal(cause(fpu), U | I);
  });

  test('flush to zero (FS): tiny results become signed zeros with no flags; operands are not flushed', () => {
    const fpu = gen();
    fpu.fcsr = 1 << 24;
    fpu.writeW(2, 0x00000003); // subnormal operand
    fpu.writeW(4, f32(0)); // +0
    fpu.add('s', 0, 2, 4); // result is the subnormal itself -> flushed
    assert.equal(fpu.readW(0), 0);
    assert.equal(cause(fpu), 0);
    fpu.writeW(4, f32(2 ** 100));
    fpu.mul('s', 0, 2, 4); // subnormal operand used as is: 3 * 2^-149 * 2^100
    assert.equal(getS(fpu, 0), 3 * 2 ** -49);
    assert.equal(cause(fpu), 0);
    fpu.writeW(2, f32(-(2 ** -100)));
    fpu.writeW(4, f32(2 ** -30));
    fpu.mul('s', 0, 2, 4);
    assert.equal(u32(fpu.readW(0)), 0x80000000);
    assert.equal(cause(fpu), 0);
    // just below 2^-126 before rounding: flushed even though RN would round up to 2^-126
    fpu.writeW(2, 0x007fffff);
    fpu.writeW(4, f32(1 + 2 ** -23));
    fpu.mul('s', 0, 2, 4);
    assert.equal(fpu.readW(0), 0);
    assert.equal(cause(fpu), 0);
    // the 64-bit path (slow BigInt path near the threshold)
    setD(fpu, 2, 2 ** -1000);
    setD(fpu, 4, -(2 ** -30));
    fpu.mul('d', 0, 2, 4);
    assert.deepEqual(fpu.readD(0), [0, 0x80000000 | 0]);
    assert.equal(cause(fpu), 0);
    // cvt.s.d of a double below the single range
    setD(fpu, 2, 1e-40);
    fpu.cvt('s', 'd', 0, 2);
    assert.equal(fpu.readW(0), 0);
  });
});

describe('NaNs (legacy encoding)', () => {
  test('default NaN for every NaN result; Invalid only for signalling NaN operands', () => {
    const fpu = gen();
    const qnan32 = 0x7f800001, snan32 = 0x7fc00000;
    fpu.writeW(2, qnan32);
    setS(fpu, 4, 1);
    fpu.add('s', 0, 2, 4);
    assert.equal(u32(fpu.readW(0)), 0x7fbfffff);
    assert.equal(cause(fpu), 0);
    fpu.writeW(2, snan32);
    fpu.mul('s', 0, 4, 2);
    assert.equal(u32(fpu.readW(0)), 0x7fbfffff);
    assert.equal(cause(fpu), V);
    fpu.writeD(2, 0, 0x7ff80000 | 0); // sNaN
    setD(fpu, 4, 1);
    fpu.sub('d', 0, 4, 2);
    assert.deepEqual(fpu.readD(0).map(u32), [0xffffffff, 0x7ff7ffff]);
    assert.equal(cause(fpu), V);
    fpu.writeD(2, 5, 0xfff00000 | 0); // -qNaN with payload
    fpu.sqrt('d', 0, 2);
    assert.deepEqual(fpu.readD(0).map(u32), [0xffffffff, 0x7ff7ffff]);
    assert.equal(cause(fpu), 0);
    // invalid operations produce the default NaN
    setD(fpu, 2, -1);
    fpu.sqrt('d', 0, 2);
    assert.deepEqual(fpu.readD(0).map(u32), [0xffffffff, 0x7ff7ffff]);
    assert.equal(cause(fpu), V);
    setD(fpu, 2, -0);
    fpu.sqrt('d', 0, 2);
    assert.deepEqual(fpu.readD(0).map(u32), [0, 0x80000000]);
    assert.equal(cause(fpu), 0);
    // cvt.d.s / cvt.s.d of NaNs
    fpu.writeW(2, 0xffc12345 | 0);
    fpu.cvt('d', 's', 0, 2);
    assert.deepEqual(fpu.readD(0).map(u32), [0xffffffff, 0x7ff7ffff]);
    assert.equal(cause(fpu), V);
    fpu.writeD(2, 0, 0x7ff00001);
    fpu.cvt('s', 'd', 0, 2);
    assert.equal(u32(fpu.readW(0)), 0x7fbfffff);
    assert.equal(cause(fpu), 0);
    // abs/neg are bit operations, even on NaNs
    fpu.writeW(2, 0xffc00000 | 0);
    fpu.abs('s', 0, 2);
    assert.equal(u32(fpu.readW(0)), 0x7fc00000);
    fpu.neg('s', 0, 0);
    assert.equal(u32(fpu.readW(0)), 0xffc00000);
    assert.equal(cause(fpu), 0);
  });

  test('nmadd/nmsub negate the default NaN too', () => {
    const fpu = gen();
    fpu.writeW(2, 0x7f800001); // qNaN
    setS(fpu, 4, 1);
    setS(fpu, 6, 1);
    fpu.nmadd('s', 0, 6, 2, 4);
    assert.equal(u32(fpu.readW(0)), 0xffbfffff);
    assert.equal(cause(fpu), 0);
    setD(fpu, 2, Infinity);
    setD(fpu, 4, 0);
    setD(fpu, 6, 1);
    fpu.nmsub('d', 0, 6, 2, 4);
    assert.deepEqual(fpu.readD(0).map(u32), [0xffffffff, 0xfff7ffff]);
    assert.equal(cause(fpu), V);
  });
});

describe('multiply-add (not fused: two roundings, as QEMU)', () => {
  test('madd/msub/nmadd/nmsub .s and .d against two reference roundings', () => {
    const r = new Rng(4242);
    let n = 0;
    for (const [fmt, F, L] of [['s', F32, L32], ['d', F64, L64]] as const) {
      for (let i = 0; i < 1500; i++) {
        const a = operand(r, L), b = operand(r, L), c = operand(r, L);
        const rm = r.int(4) as Mode;
        const ftz = r.int(4) === 0;
        for (const [op, sub, negate] of [['madd', false, false], ['msub', true, false], ['nmadd', false, true], ['nmsub', true, true]] as const) {
          const fpu = gen();
          fpu.fcsr = rm | (ftz ? 1 << 24 : 0);
          const put = (reg: number, v: bigint): void =>
            fmt === 's' ? fpu.writeW(reg, Number(BigInt.asIntN(32, v))) : fpu.writeD(reg, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
          put(2, a); put(4, b); put(6, c);
          fpu[op](fmt, 0, 6, 2, 4);
          const p = refBinary('mul', a, b, F, rm, ftz);
          const s = refBinary(sub ? 'sub' : 'add', p.bits, c, F, rm, ftz);
          let want = s.bits;
          if (negate) want ^= 1n << BigInt(F.bits - 1);
          const [lo, hi] = fpu.readD(0);
          const got = fmt === 's' ? BigInt(lo >>> 0) : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
          assert.equal(got, want, `${op}.${fmt} ${a.toString(16)} ${b.toString(16)} ${c.toString(16)} rm${rm}`);
          assert.equal(cause(fpu), p.flags | s.flags, `${op}.${fmt} flags`);
          n++;
        }
      }
    }
    assert.equal(n, 12000);
  });

  test('rsqrt rounds twice (sqrt, then 1/x); recip once', () => {
    const fpu = gen();
    setD(fpu, 2, 2);
    fpu.rsqrt('d', 0, 2);
    assert.equal(getD(fpu, 0), 1 / Math.SQRT2);
    assert.equal(cause(fpu), I);
    setS(fpu, 2, 3);
    fpu.rsqrt('s', 0, 2);
    assert.equal(getS(fpu, 0), Math.fround(1 / Math.fround(Math.sqrt(3))));
    setS(fpu, 2, 4);
    fpu.rsqrt('s', 0, 2);
    assert.equal(getS(fpu, 0), 0.5);
    assert.equal(cause(fpu), 0);
    setS(fpu, 2, 0);
    fpu.recip('s', 0, 2);
    assert.equal(getS(fpu, 0), Infinity);
    assert.equal(cause(fpu), Z);
    setS(fpu, 2, -0);
    fpu.rsqrt('s', 0, 2);
    assert.equal(getS(fpu, 0), -Infinity);
    assert.equal(cause(fpu), Z);
  });
});

describe('compares', () => {
  const names = ['f', 'un', 'eq', 'ueq', 'olt', 'ult', 'ole', 'ule', 'sf', 'ngle', 'seq', 'ngl', 'lt', 'nge', 'le', 'ngt'];
  test('all 16 predicates on ordered, equal, unordered operands; signalling ones raise V on qNaN', () => {
    const fpu = gen();
    const snan: [number, number] = [0, 0x7ff80000];
    const pairs: [string, [number, number], [number, number], boolean, boolean, boolean][] = [
      // name, a, b, less, equal, unordered
      ['1<2', f64(1), f64(2), true, false, false],
      ['2<1', f64(2), f64(1), false, false, false],
      ['0=-0', f64(0), f64(-0), false, true, false],
      ['-inf<inf', f64(-Infinity), f64(Infinity), true, false, false],
      ['qnan', [1, 0x7ff00000], f64(1), false, false, true],
      ['snan', snan, f64(1), false, false, true],
    ];
    for (let cond = 0; cond < 16; cond++) {
      for (const [label, a, b, lt, eq, un] of pairs) {
        fpu.writeD(2, ...a);
        fpu.writeD(4, ...b);
        fpu.fcsr = 0;
        const cc = cond % 8;
        fpu.ctc1(25, 0xff); // all FCC set: the compare must also clear
        fpu.c(cond, 'd', cc, 2, 4);
        const want = ((cond & 4) !== 0 && lt) || ((cond & 2) !== 0 && eq) || ((cond & 1) !== 0 && un);
        assert.equal(fpu.cond(cc), want, `c.${names[cond]}.d ${label}`);
        const isS = label === 'snan';
        assert.equal(cause(fpu), un && ((cond & 8) !== 0 || isS) ? V : 0, `c.${names[cond]}.d ${label} cause`);
        // the same through .s
        const s = (x: [number, number]): number => (x[1] === 0x7ff80000 ? 0x7fc00000 : x[1] === 0x7ff00000 && x[0] === 1 ? 0x7f800001 : f32(asF64(...x)));
        fpu.writeW(2, s(a));
        fpu.writeW(4, s(b));
        fpu.c(cond, 's', cc, 2, 4);
        assert.equal(fpu.cond(cc), want, `c.${names[cond]}.s ${label}`);
      }
    }
  });

  test('FCC bit positions: cc0 = bit 23, cc1..7 = bits 25..31', () => {
    const fpu = gen();
    setS(fpu, 2, 1);
    for (let cc = 0; cc < 8; cc++) {
      fpu.fcsr = 0;
      fpu.c(2, 's', cc, 2, 2);
      assert.equal(u32(fpu.fcsr), u32(1 << (cc === 0 ? 23 : 24 + cc)));
    }
  });
});

describe('conversions at the limits', () => {
  test('to int: out of range and NaN give 0x7fffffff / 0x7fffffffffffffff with V only', () => {
    const fpu = gen();
    const w = (x: number, to: 'w' | 'l', fn: 'cvt' | 'round' | 'trunc' | 'ceil' | 'floor', rm = 0): [number, number] => {
      setD(fpu, 2, x);
      fpu.writeD(0, 0x5555, 0x6666);
      fpu.fcsr = rm;
      if (fn === 'cvt') fpu.cvt(to, 'd', 0, 2);
      else fpu[fn](to, 'd', 0, 2);
      return [fpu.readD(0)[0], cause(fpu)];
    };
    assert.deepEqual(w(2147483647.4, 'w', 'cvt'), [2147483647, I]);
    assert.deepEqual(w(2147483647.5, 'w', 'cvt'), [0x7fffffff, V]);
    assert.deepEqual(w(2147483647.5, 'w', 'trunc'), [2147483647, I]);
    assert.deepEqual(w(-2147483648.5, 'w', 'round'), [-2147483648, I]); // tie to even
    assert.deepEqual(w(-2147483649.5, 'w', 'round'), [0x7fffffff, V]);
    assert.deepEqual(w(-2147483648.5, 'w', 'floor'), [0x7fffffff, V]);
    assert.deepEqual(w(-2147483648.5, 'w', 'ceil'), [-2147483648, I]);
    assert.deepEqual(w(-0.5, 'w', 'ceil'), [0, I]);
    assert.deepEqual(w(NaN, 'w', 'cvt'), [0x7fffffff, V]);
    assert.deepEqual(w(-Infinity, 'w', 'cvt'), [0x7fffffff, V]);
    assert.deepEqual(w(2.5, 'w', 'cvt', 0), [2, I]);
    assert.deepEqual(w(3.5, 'w', 'cvt', 0), [4, I]);
    assert.deepEqual(w(2.5, 'w', 'cvt', 2), [3, I]);
    assert.deepEqual(w(-2.5, 'w', 'cvt', 3), [-3, I]);
    setD(fpu, 2, 2 ** 63);
    fpu.cvt('l', 'd', 0, 2);
    assert.deepEqual(fpu.readD(0), [-1, 0x7fffffff]);
    assert.equal(cause(fpu), V);
    setD(fpu, 2, -(2 ** 63));
    fpu.cvt('l', 'd', 0, 2);
    assert.deepEqual(fpu.readD(0), [0, 0x80000000 | 0]);
    assert.equal(cause(fpu), 0);
    setD(fpu, 2, -1.5);
    fpu.trunc('l', 'd', 0, 2);
    assert.deepEqual(fpu.readD(0), [-1, -1]);
    assert.equal(cause(fpu), I);
  });

  test('int -> float rounding in every mode', () => {
    const fpu = gen();
    const v = 16777217; // 2^24 + 1: not representable in binary32
    const want = [16777216, 16777216, 16777218, 16777216];
    for (let rm = 0; rm < 4; rm++) {
      fpu.fcsr = rm;
      fpu.writeW(2, v);
      fpu.cvt('s', 'w', 0, 2);
      assert.equal(getS(fpu, 0), want[rm]);
      assert.equal(cause(fpu), I);
    }
    fpu.fcsr = 3;
    fpu.writeD(2, 1, 0x80000000 | 0); // -2^63 + 1
    fpu.cvt('d', 'l', 0, 2);
    assert.equal(getD(fpu, 0), -(2 ** 63));
    fpu.fcsr = 2;
    fpu.cvt('d', 'l', 0, 2);
    assert.equal(getD(fpu, 0), -(2 ** 63) + 1024);
    assert.equal(cause(fpu), I);
  });
});

describe('register views', () => {
  test('FR=1: 32 independent 64-bit registers; 32-bit writes keep the high word', () => {
    const fpu = gen();
    fpu.writeD(1, 0x11111111, 0x22222222);
    fpu.writeD(2, 0x33333333, 0x44444444);
    assert.deepEqual(fpu.readD(1), [0x11111111, 0x22222222]);
    assert.equal(fpu.readW(1), 0x11111111);
    assert.equal(fpu.readHi(1), 0x22222222);
    fpu.writeW(1, 0x55555555);
    assert.deepEqual(fpu.readD(1), [0x55555555, 0x22222222]);
    fpu.writeHi(1, 0x66666666);
    assert.deepEqual(Array.from(fpu.f.slice(2, 6)), [0x55555555, 0x66666666, 0x33333333, 0x44444444]);
    // .s results keep the high word as well
    setS(fpu, 3, 1.5);
    fpu.writeD(0, 0, 0x77777777);
    fpu.add('s', 0, 3, 3);
    assert.deepEqual(fpu.readD(0), [f32(3), 0x77777777]);
  });

  test('FR=0: 32-bit register i is the low word of FPR i; doubles span pairs; odd numbers address the pair', () => {
    const fpu = gen();
    fpu.fr = false;
    fpu.writeD(2, 0x11111111, 0x22222222);
    assert.equal(fpu.readW(2), 0x11111111);
    assert.equal(fpu.readW(3), 0x22222222);
    assert.equal(fpu.readHi(2), 0x22222222);
    assert.equal(fpu.f[4], 0x11111111);
    assert.equal(fpu.f[6], 0x22222222); // low word of FPR 3 (QEMU layout)
    assert.deepEqual(fpu.readD(3), [0x11111111, 0x22222222]);
    fpu.writeD(5, 0x33333333, 0x44444444); // odd: pair (4, 5)
    assert.deepEqual([fpu.readW(4), fpu.readW(5)], [0x33333333, 0x44444444]);
    fpu.writeHi(4, 0x55555555); // mthc1 $f4 writes $f5
    assert.equal(fpu.readW(5), 0x55555555);
    // a .d op in FR=0 mode uses the pair
    setD(fpu, 6, 1.25);
    fpu.add('d', 8, 6, 6);
    assert.deepEqual([fpu.readW(8), fpu.readW(9)], [f64(2.5)[0], f64(2.5)[1]]);
    assert.equal(getD(fpu, 8), 2.5);
    // .s on odd registers
    setS(fpu, 11, 2);
    fpu.mul('s', 13, 11, 11);
    assert.equal(getS(fpu, 13), 4);
    // switching to FR=1 exposes the QEMU layout
    fpu.fr = true;
    assert.deepEqual(fpu.readD(8), [f64(2.5)[0], 0]);
    assert.deepEqual(fpu.readD(9), [f64(2.5)[1], 0]);
  });
});

describe('paired single', () => {
  const ps = (fpu: Fpu, r: number, lo: number, hi: number): void => fpu.writeD(r, f32(lo), f32(hi));
  const getPs = (fpu: Fpu, r: number): [number, number] => [asF32(fpu.readD(r)[0]), asF32(fpu.readD(r)[1])];

  test('arithmetic on both halves, flags merged', () => {
    const fpu = gen();
    ps(fpu, 2, 1, 3);
    ps(fpu, 4, 3, 0);
    fpu.div('ps', 0, 2, 4);
    assert.deepEqual(getPs(fpu, 0), [Math.fround(1 / 3), Infinity]);
    assert.equal(cause(fpu), I | Z);
    fpu.add('ps', 0, 2, 2);
    assert.deepEqual(getPs(fpu, 0), [2, 6]);
    fpu.mul('ps', 0, 2, 4);
    assert.deepEqual(getPs(fpu, 0), [3, 0]);
    fpu.sub('ps', 0, 2, 4);
    assert.deepEqual(getPs(fpu, 0), [-2, 3]);
    ps(fpu, 6, 10, 20);
    fpu.madd('ps', 0, 6, 2, 2); // 2*2... lo: 1*1+10, hi: 3*3+20
    assert.deepEqual(getPs(fpu, 0), [11, 29]);
    fpu.nmsub('ps', 0, 6, 2, 2);
    assert.deepEqual(getPs(fpu, 0), [9, -(-11)]);
    ps(fpu, 2, -1, 4);
    fpu.abs('ps', 0, 2);
    assert.deepEqual(getPs(fpu, 0), [1, 4]);
    fpu.neg('ps', 0, 2);
    assert.deepEqual(getPs(fpu, 0), [1, -4]);
    fpu.sqrt('ps', 0, 0);
    assert.deepEqual(fpu.readD(0).map(u32), [f32(1) >>> 0, 0x7fbfffff]);
    assert.equal(cause(fpu), V);
  });

  test('c.cond.ps sets cc (lower) and cc+1 (upper)', () => {
    const fpu = gen();
    ps(fpu, 2, 1, 5);
    ps(fpu, 4, 2, 4);
    fpu.c(12, 'ps', 2, 2, 4); // lt
    assert.equal(fpu.cond(2), true);
    assert.equal(fpu.cond(3), false);
    fpu.c(12, 'ps', 2, 4, 2);
    assert.equal(fpu.cond(2), false);
    assert.equal(fpu.cond(3), true);
  });

  test('cvt.ps.s, cvt.s.pl, cvt.s.pu, pll/plu/pul/puu, cvt.ps.pw, cvt.pw.ps', () => {
    const fpu = gen();
    setS(fpu, 2, 1);
    setS(fpu, 4, 2);
    fpu.cvt('ps', 's', 6, 2, 4);
    assert.deepEqual(getPs(fpu, 6), [2, 1]); // fs goes to the upper half
    fpu.fcsr = 0x1000 << 1; // some cause bit set: cvt.s.pl clears it
    fpu.cvt('s', 'pl', 8, 6);
    assert.equal(getS(fpu, 8), 2);
    assert.equal(cause(fpu), 0);
    fpu.cvt('s', 'pu', 8, 6);
    assert.equal(getS(fpu, 8), 1);
    ps(fpu, 10, 10, 11); // lo 10, hi 11
    ps(fpu, 12, 12, 13);
    fpu.pll(14, 10, 12);
    assert.deepEqual(getPs(fpu, 14), [12, 10]);
    fpu.plu(14, 10, 12);
    assert.deepEqual(getPs(fpu, 14), [13, 10]);
    fpu.pul(14, 10, 12);
    assert.deepEqual(getPs(fpu, 14), [12, 11]);
    fpu.puu(14, 10, 12);
    assert.deepEqual(getPs(fpu, 14), [13, 11]);
    fpu.writeD(2, 7, -3);
    fpu.cvt('ps', 'pw', 0, 2);
    assert.deepEqual(getPs(fpu, 0), [7, -3]);
    ps(fpu, 2, 2.5, 1e10);
    fpu.cvt('pw', 'ps', 0, 2);
    assert.deepEqual(fpu.readD(0), [2, 0x7fffffff]);
    assert.equal(cause(fpu), I | V);
  });

  test('alnv.ps', () => {
    const fpu = gen();
    fpu.writeD(2, 0x11, 0x22);
    fpu.writeD(4, 0x33, 0x44);
    fpu.writeD(0, 0x55, 0x66);
    fpu.alnv(0, 2, 4, 0);
    assert.deepEqual(fpu.readD(0), [0x11, 0x22]);
    fpu.alnv(0, 2, 4, 4);
    assert.deepEqual(fpu.readD(0), [0x22, 0x33]);
    fpu.alnv(0, 2, 4, 4, true);
    assert.deepEqual(fpu.readD(0), [0x44, 0x11]);
    fpu.writeD(0, 0x55, 0x66);
    fpu.alnv(0, 2, 4, 2);
    assert.deepEqual(fpu.readD(0), [0x55, 0x66]);
  });
});

describe('conditional moves', () => {
  test('movt/movf/movz/movn for .s, .d, .ps', () => {
    const fpu = gen();
    fpu.writeD(2, 0x11, 0x22);
    fpu.writeD(0, 0x55, 0x66);
    fpu.ctc1(25, 0b101); // cc0, cc2
    fpu.movcf('s', 0, 2, 1, true);
    assert.deepEqual(fpu.readD(0), [0x55, 0x66]);
    fpu.movcf('s', 0, 2, 1, false);
    assert.deepEqual(fpu.readD(0), [0x11, 0x66]);
    fpu.movcf('d', 0, 2, 2, true);
    assert.deepEqual(fpu.readD(0), [0x11, 0x22]);
    fpu.writeD(0, 0x55, 0x66);
    fpu.movcf('ps', 0, 2, 2, true); // cc2 set -> low moves; cc3 clear -> high stays
    assert.deepEqual(fpu.readD(0), [0x11, 0x66]);
    fpu.writeD(0, 0x55, 0x66);
    fpu.movz('d', 0, 2, false);
    assert.deepEqual(fpu.readD(0), [0x55, 0x66]);
    fpu.movn('d', 0, 2, false);
    assert.deepEqual(fpu.readD(0), [0x11, 0x22]);
    fpu.writeD(0, 0x55, 0x66);
    fpu.movz('s', 0, 2, true);
    assert.deepEqual(fpu.readD(0), [0x11, 0x66]);
  });
});

describe('signed zeros', () => {
  test('exact zero sums: +0 except in round-down (-0); -0 + -0 = -0', () => {
    const fpu = gen();
    for (let rm = 0; rm < 4; rm++) {
      fpu.fcsr = rm;
      setD(fpu, 2, 5);
      setD(fpu, 4, -5);
      fpu.add('d', 0, 2, 4);
      assert.ok(Object.is(getD(fpu, 0), rm === 3 ? -0 : 0), `x-x rm${rm}`);
      setD(fpu, 2, -0);
      setD(fpu, 4, -0);
      fpu.add('d', 0, 2, 4);
      assert.ok(Object.is(getD(fpu, 0), -0));
      setD(fpu, 4, 0);
      fpu.add('d', 0, 2, 4);
      assert.ok(Object.is(getD(fpu, 0), rm === 3 ? -0 : 0));
      fpu.sub('d', 0, 4, 4);
      assert.ok(Object.is(getD(fpu, 0), rm === 3 ? -0 : 0));
      setS(fpu, 2, 1.5);
      setS(fpu, 4, 1.5);
      fpu.sub('s', 0, 2, 4);
      assert.ok(Object.is(getS(fpu, 0), rm === 3 ? -0 : 0));
    }
  });
});

describe('specials exhaustive', () => {
  test('every pair of special values through the four operations matches the reference', () => {
    let n = 0;
    for (const [fmt, F, L] of [['s', F32, L32], ['d', F64, L64]] as const) {
      const sp = specials(L);
      for (const a of sp) for (const b of sp) for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const fpu = gen();
        fpu.fcsr = 2;
        if (fmt === 's') { fpu.writeW(2, Number(BigInt.asIntN(32, a))); fpu.writeW(4, Number(BigInt.asIntN(32, b))); } else {
          fpu.writeD(2, Number(BigInt.asIntN(32, a)), Number(BigInt.asIntN(32, a >> 32n)));
          fpu.writeD(4, Number(BigInt.asIntN(32, b)), Number(BigInt.asIntN(32, b >> 32n)));
        }
        fpu[op](fmt, 0, 2, 4);
        const want = refBinary(op, a, b, F, 2, false);
        const [lo, hi] = fpu.readD(0);
        const got = fmt === 's' ? BigInt(lo >>> 0) : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        assert.equal(got, want.bits);
        assert.equal(cause(fpu), want.flags);
        n++;
      }
    }
    assert.equal(n, 2 * 30 * 30 * 4);
  });
});

void O; void U;
