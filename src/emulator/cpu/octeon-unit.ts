// The Cavium Octeon additions to one CPU core: the CP0 registers of cp0-cavium.ts, the
// multiplier state behind v3mulu/vmulu/vmm0/mtm0-2/mtp0-2 (MPL0-2, the multiplicand, and
// P0-2, the partial product; declared state), and the operations of the Cavium
// instructions that are more than a line of their semantic template
// (semantics-octeon.ts): 64-bit multiply, population count, bit-field insert/extract,
// the wide multiplies, atomic memory operations and zeroing a cache block. Values are
// int32 halves in the register array, as everywhere in the CPU core.

import { markFieldsVariable } from '../double-fields';
import { StateSpec } from '../snapshot/state';
import { mulHiU32 } from './arith';
import { CaviumCp0, CaviumCpu } from './cp0-cavium';
import type { OcteonModel } from './cpu-models';

/** The CPU primitives the atomic operations use (they raise the guest's exceptions). */
export interface OcteonMemory extends CaviumCpu {
  readonly r: Int32Array;
  lw(vaHi: number, vaLo: number): number;
  ld(vaHi: number, vaLo: number): number;
  ldHi: number;
  sw(vaHi: number, vaLo: number, lo: number, hi: number): void;
  sd(vaHi: number, vaLo: number, lo: number, hi: number): void;
  /** Translates for a store (TLBS/Mod/AdES before anything is read). */
  xlateStore(vaHi: number, vaLo: number): void;
  /** Raises AdEL/AdES for a misaligned address. */
  addressError(vaHi: number, vaLo: number, write: boolean): never;
}

const M64 = (1n << 64n) - 1n;

/** Population count of a 32-bit word. */
function pop32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Atomic memory operations: what is stored given the old value (bigint, sign-extended for words) and rt. */
export const enum AtomicOp { Add, Inc, Dec, Set, Clear, Swap }

export class OcteonUnit {
  readonly cp0: CaviumCp0;
  /** MPL0-2 then P0-2, each as (low, high) int32 halves. */
  readonly mul = new Int32Array(12);

  static readonly mulSpec: StateSpec = { name: 'cpu0.octeon.mul', version: 1, fields: { mul: 'i32array' }, ranges: { mul: { length: 12 } } };

  constructor(model: OcteonModel) {
    this.cp0 = new CaviumCp0(model);
    markFieldsVariable(this);
  }

  reset(icount: number): void {
    this.cp0.reset(icount);
    this.mul.fill(0);
  }

  /** The multiplier as a Stateful component. */
  get mulState(): { stateSpec: StateSpec; state: Record<string, unknown> } {
    return { stateSpec: OcteonUnit.mulSpec, state: this as unknown as Record<string, unknown> };
  }

  private big(i: number): bigint {
    return (BigInt(this.mul[2 * i + 1] >>> 0) << 32n) | BigInt(this.mul[2 * i] >>> 0);
  }

  private setBig(i: number, v: bigint): void {
    this.mul[2 * i] = Number(BigInt.asIntN(32, v));
    this.mul[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  // ---- register-to-register operations (results into r[rd2], r[rd2 + 1]; rd2 = 0 is $zero)

  /** dmul: the low 64 bits of rs × rt. */
  dmul(r: Int32Array, rs2: number, rt2: number, rd2: number): void {
    if (rd2 === 0) return;
    const al = r[rs2], ah = r[rs2 + 1], bl = r[rt2], bh = r[rt2 + 1];
    const lo = Math.imul(al, bl);
    const hi = (mulHiU32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
    r[rd2] = lo; r[rd2 + 1] = hi;
  }

  /** pop (32-bit, of the low word) and dpop (64-bit) population counts. */
  pop(lo: number, hi: number): number {
    return pop32(lo) + pop32(hi);
  }

  /**
   * exts/exts32: the bit field of `len` bits at `pos` of rs, sign-extended. A field
   * reaching past bit 63 (UNPREDICTABLE for Cavium) is cut at bit 63: rs >> pos, arithmetic.
   */
  exts(r: Int32Array, rs2: number, rt2: number, pos: number, len: number): void {
    if (rt2 === 0) return;
    let lo = r[rs2], hi = r[rs2 + 1];
    if (pos >= 32) { lo = hi >> (pos - 32); hi >>= 31; } else if (pos > 0) { lo = (lo >>> pos) | (hi << (32 - pos)); hi >>= pos; }
    const n = Math.min(len, 64 - pos);
    if (n <= 32) { lo = (lo << (32 - n)) >> (32 - n); hi = lo >> 31; } else if (n < 64) hi = (hi << (64 - n)) >> (64 - n);
    r[rt2] = lo; r[rt2 + 1] = hi;
  }

  /** cins/cins32: the low `len` (1-32) bits of rs at bit `pos`, zeros elsewhere (bits past 63 dropped). */
  cins(r: Int32Array, rs2: number, rt2: number, pos: number, len: number): void {
    if (rt2 === 0) return;
    let lo = len >= 32 ? r[rs2] : r[rs2] & ((1 << len) - 1), hi = 0;
    if (pos >= 32) { hi = lo << (pos - 32); lo = 0; } else if (pos > 0) { hi = lo >>> (32 - pos); lo <<= pos; }
    r[rt2] = lo; r[rt2 + 1] = hi;
  }

  // ---- the multiplier

  /** mtm0-2 (n = 0-2): MPLn = rs; the partial product P0-2 is cleared. */
  mtm(n: number, lo: number, hi: number): void {
    this.mul[2 * n] = lo; this.mul[2 * n + 1] = hi;
    this.mul.fill(0, 6, 12);
  }

  /** mtp0-2: Pn = rs. */
  mtp(n: number, lo: number, hi: number): void {
    this.mul[6 + 2 * n] = lo; this.mul[6 + 2 * n + 1] = hi;
  }

  /**
   * v3mulu (words = 3) and vmulu (2): T = MPL × rs + rt + P over (words + 1) × 64 bits;
   * rd = T[63:0], P = T >> 64. With rs = rt = 0 the first three v3mulu return P0, P1, P2
   * (how Linux saves the multiplier: arch/mips/kernel/octeon_switch.S).
   */
  vmul(r: Int32Array, rs2: number, rt2: number, rd2: number, words: 2 | 3): void {
    const rs = (BigInt(r[rs2 + 1] >>> 0) << 32n) | BigInt(r[rs2] >>> 0);
    const rt = (BigInt(r[rt2 + 1] >>> 0) << 32n) | BigInt(r[rt2] >>> 0);
    let mpl = 0n, p = 0n;
    for (let i = words - 1; i >= 0; i--) { mpl = (mpl << 64n) | this.big(i); p = (p << 64n) | this.big(3 + i); }
    const t = mpl * rs + rt + p;
    for (let i = 0; i < words; i++) this.setBig(3 + i, (t >> BigInt(64 * (i + 1))) & M64);
    if (rd2 !== 0) { r[rd2] = Number(BigInt.asIntN(32, t)); r[rd2 + 1] = Number(BigInt.asIntN(32, t >> 32n)); }
  }

  /** vmm0: T = MPL0 × rs + rt + P0; rd = MPL0 = T[63:0]; P0-2 cleared. */
  vmm0(r: Int32Array, rs2: number, rt2: number, rd2: number): void {
    const rs = (BigInt(r[rs2 + 1] >>> 0) << 32n) | BigInt(r[rs2] >>> 0);
    const rt = (BigInt(r[rt2 + 1] >>> 0) << 32n) | BigInt(r[rt2] >>> 0);
    const t = (this.big(0) * rs + rt + this.big(3)) & M64;
    this.setBig(0, t);
    this.mul.fill(0, 6, 12);
    if (rd2 !== 0) { r[rd2] = Number(BigInt.asIntN(32, t)); r[rd2 + 1] = Number(BigInt.asIntN(32, t >> 32n)); }
  }

  // ---- memory

  /**
   * saa/saad and the load-atomic family (laa, lai, lad, las, lac, law and their
   * doubleword forms): at the address in base (no offset), aligned to `size`, store
   * op(old, rt) and (unless rd2 is −1, or 0 for $zero) return old in rd, a word
   * sign-extended. Faults are a store's: AdES, TLBS, Mod.
   */
  atomic(c: OcteonMemory, base2: number, rt2: number, rd2: number, size: 4 | 8, op: AtomicOp): void {
    const r = c.r;
    const ahi = r[base2 + 1], alo = r[base2];
    if (alo & (size - 1)) c.addressError(ahi, alo, true);
    c.xlateStore(ahi, alo);
    let oldLo: number, oldHi: number;
    if (size === 4) { oldLo = c.lw(ahi, alo); oldHi = oldLo >> 31; } else { oldLo = c.ld(ahi, alo); oldHi = c.ldHi; }
    const tLo = r[rt2], tHi = r[rt2 + 1];
    let nLo: number, nHi: number;
    switch (op) {
      case AtomicOp.Add: nLo = (oldLo + tLo) | 0; nHi = (oldHi + tHi + (((oldLo >>> 0) + (tLo >>> 0)) > 0xffffffff ? 1 : 0)) | 0; break;
      case AtomicOp.Inc: nLo = (oldLo + 1) | 0; nHi = (oldHi + (oldLo === -1 ? 1 : 0)) | 0; break;
      case AtomicOp.Dec: nLo = (oldLo - 1) | 0; nHi = (oldHi - (oldLo === 0 ? 1 : 0)) | 0; break;
      case AtomicOp.Set: nLo = -1; nHi = -1; break;
      case AtomicOp.Clear: nLo = 0; nHi = 0; break;
      default: nLo = tLo; nHi = tHi; break;
    }
    if (size === 4) c.sw(ahi, alo, nLo, 0); else c.sd(ahi, alo, nLo, nHi);
    if (rd2 > 0) { r[rd2] = oldLo; r[rd2 + 1] = oldHi; }
  }

  /** zcb/zcbt: zeroes the 128-byte cache block holding the address in base. */
  zcb(c: OcteonMemory, base2: number): void {
    const ahi = c.r[base2 + 1], alo = c.r[base2] & ~127;
    c.xlateStore(ahi, alo);
    for (let off = 0; off < 128; off += 8) c.sd(ahi, alo + off, 0, 0);
  }
}
