// Semantics of the Cavium Octeon instructions (decoded only for Octeon models): branch on
// bit, byte add, 64-bit multiply, population counts, compares with set, sign-extending bit
// field extract and clear-and-insert, indexed loads — in the IR; the multiplier (MPL0-2,
// P0-2), the atomic memory operations and zeroing a cache block are CPU helpers
// (cpu/octeon-unit.ts keeps the state).
//
// Field use beyond the usual: bbit* test bit RT (+32 for bbit032/bbit132) of rs; exts/cins
// take the position from SA (+32 for the *32 forms) and length − 1 from RD; seqi/snei compare
// with the signed 10-bit immediate in bits 15:6; saa/laa/… address memory at rs with no
// offset; lbx…ldx load from rs + rt (base + index) into rd.

import type { Val } from '../ir';
import type { SemFn } from './common';

/** Atomic memory operations (the octAtomic helper's `op`). */
export const enum AtomicKind { Add, Inc, Dec, Set, Clear, Swap }

/** bbit0/bbit1 of bit RT (+ off) of rs: branch when it is `set`. */
const bbit = (off: number, set: boolean): SemFn => (s) => {
  const bit = s.gpr(s.rs).shrU(s.rt.add(off)).and(1n);
  s.branch(set ? bit.ne(0n) : bit.eqz(), s.btarget());
};

/** exts: the `len`-bit field at `pos` of rs, sign-extended (a field past bit 63 is cut there). */
const exts = (off: number): SemFn => (s) => {
  const pos = s.sa.add(off), len = s.rd.add(1);
  const room = s.i32(64).sub(pos);
  const n = s.select(len.gtS(room), room, len);
  s.set(s.rt, s.gpr(s.rs).shl(room.sub(n)).shrS(s.i32(64).sub(n)));
};

/** cins: the low `len` bits of rs at bit `pos`, zeros elsewhere (bits past 63 dropped). */
const cins = (off: number): SemFn => (s) => {
  const pos = s.sa.add(off), len = s.rd.add(1);
  s.set(s.rt, s.gpr(s.rs).and(s.i64(-1).shrU(s.i32(64).sub(len))).shl(pos));
};

/** Atomic operation at (rs): rd receives the old value (`rd`), sign-extended for words. */
const atomic = (size: 4 | 8, kind: AtomicKind, withRd: boolean, withRt: boolean): SemFn => (s) => {
  const old = s.call('octAtomic', s.gpr(s.rs), withRt ? s.gpr(s.rt) : s.i64(0), size | (kind << 4));
  if (withRd) s.set(s.rd, old);
};

/** Indexed loads: rs + rt into rd. */
const loadx = (size: 1 | 2 | 4 | 8, signed: boolean): SemFn => (s) => s.set(s.rd, s.load(size, signed, s.gpr(s.rs).add(s.gpr(s.rt))));

const mtm = (n: number): SemFn => (s) => { s.call('octMtm', n, s.gpr(s.rs)); };
const mtp = (n: number): SemFn => (s) => { s.call('octMtp', n, s.gpr(s.rs)); };
const eq = (a: Val, b: Val): Val => a.eq(b).zx();

export const OCTEON: Record<string, SemFn> = {
  bbit0: bbit(0, false), bbit1: bbit(0, true), bbit032: bbit(32, false), bbit132: bbit(32, true),
  baddu: (s) => s.set(s.rd, s.gpr(s.rs).wrap().add(s.gpr(s.rt).wrap()).and(0xff).zx()),
  dmul: (s) => s.set(s.rd, s.gpr(s.rs).mul(s.gpr(s.rt))),
  pop: (s) => s.set(s.rd, s.gpr(s.rs).wrap().popcnt().zx()),
  dpop: (s) => s.set(s.rd, s.gpr(s.rs).popcnt()),
  seq: (s) => s.set(s.rd, eq(s.gpr(s.rs), s.gpr(s.rt))),
  sne: (s) => s.set(s.rd, eq(s.gpr(s.rs), s.gpr(s.rt)).xor(1n)),
  seqi: (s) => s.set(s.rt, eq(s.gpr(s.rs), s.f('simm10').sx())),
  snei: (s) => s.set(s.rt, eq(s.gpr(s.rs), s.f('simm10').sx()).xor(1n)),
  exts: exts(0), exts32: exts(32),
  cins: cins(0), cins32: cins(32),

  // The multiplier.
  mtm0: mtm(0), mtm1: mtm(1), mtm2: mtm(2),
  mtp0: mtp(0), mtp1: mtp(1), mtp2: mtp(2),
  vmulu: (s) => s.set(s.rd, s.call('octVmul', s.gpr(s.rs), s.gpr(s.rt), 2)),
  v3mulu: (s) => s.set(s.rd, s.call('octVmul', s.gpr(s.rs), s.gpr(s.rt), 3)),
  vmm0: (s) => s.set(s.rd, s.call('octVmul', s.gpr(s.rs), s.gpr(s.rt), 0)),

  // Atomic memory operations.
  saa: atomic(4, AtomicKind.Add, false, true), saad: atomic(8, AtomicKind.Add, false, true),
  laa: atomic(4, AtomicKind.Add, true, true), laad: atomic(8, AtomicKind.Add, true, true),
  law: atomic(4, AtomicKind.Swap, true, true), lawd: atomic(8, AtomicKind.Swap, true, true),
  lai: atomic(4, AtomicKind.Inc, true, false), laid: atomic(8, AtomicKind.Inc, true, false),
  lad: atomic(4, AtomicKind.Dec, true, false), ladd: atomic(8, AtomicKind.Dec, true, false),
  las: atomic(4, AtomicKind.Set, true, false), lasd: atomic(8, AtomicKind.Set, true, false),
  lac: atomic(4, AtomicKind.Clear, true, false), lacd: atomic(8, AtomicKind.Clear, true, false),
  zcb: (s) => { s.call('octZcb', s.gpr(s.rs)); },
  zcbt: (s) => { s.call('octZcb', s.gpr(s.rs)); },

  // Indexed loads (Octeon II; the same encodings as the DSP ASE's lwx/lhx/lbux/ldx).
  lbx: loadx(1, true), lbux: loadx(1, false), lhx: loadx(2, true), lhux: loadx(2, false),
  lwx: loadx(4, true), lwux: loadx(4, false), ldx: loadx(8, true),
};
