// Semantics of loads and stores: aligned accesses (Address Error when misaligned, TLB
// exceptions, bus errors — the engine's memory access does those), the unaligned-access
// pairs (lwl/lwr/ldl/ldr merge the addressed bytes in either byte order; the stores call
// a helper that checks the store before reading), ll/sc and the FPU's loads and stores.

import type { Sem, Val } from '../ir';
import { needCp1, needFr, op64, SemFn } from './common';

const load = (size: 1 | 2 | 4 | 8, signed: boolean): SemFn => (s) => s.set(s.rt, s.load(size, signed, s.ea()));
const store = (size: 1 | 2 | 4 | 8): SemFn => (s) => s.store(size, s.ea(), s.gpr(s.rt));

/** Byte index of `addr` within its aligned unit of `size` bytes, in memory order of significance. */
const byteIndex = (s: Sem, addr: Val, size: 4 | 8): Val => {
  const b = addr.wrap().and(size - 1);
  return s.ctx.target.big ? b.xor(size - 1) : b;
};

/** lwl/lwr: the aligned word holding the address merged into rt's low word, sign-extended. */
const loadWordPart = (left: boolean): SemFn => (s) => {
  const addr = s.ea();
  const w = s.load(4, false, addr.and(~3n)).wrap();
  const b = byteIndex(s, addr, 4);
  const old = s.gpr(s.rt).wrap();
  let r: Val;
  if (left) {
    // (w << sh) | (old & ((1 << sh) − 1)), sh = (3 − b)·8
    const sh = s.i32(3).sub(b).shl(3);
    r = w.shl(sh).or(old.and(s.i32(1).shl(sh).sub(1)));
  } else {
    // (w >>> sh) | (old & ~(−1 >>> sh)), sh = b·8
    const sh = b.shl(3);
    r = w.shrU(sh).or(old.and(s.i32(-1).shrU(sh).not()));
  }
  s.set(s.rt, r.sx());
};

/** ldl/ldr: the aligned doubleword holding the address merged into rt. */
const loadDoublePart = (left: boolean): SemFn => op64((s) => {
  const addr = s.ea();
  const w = s.load(8, false, addr.and(~7n));
  const b = byteIndex(s, addr, 8);
  const old = s.gpr(s.rt);
  let r: Val;
  if (left) {
    const sh = s.i32(7).sub(b).shl(3);
    r = w.shl(sh).or(old.and(s.i64(1).shl(sh).sub(1n)));
  } else {
    const sh = b.shl(3);
    r = w.shrU(sh).or(old.and(s.i64(-1).shrU(sh).not()));
  }
  s.set(s.rt, r);
});

/** ll/lld's address; where ordinary loads may be fixed up in hardware, checked for alignment first. */
const linked = (s: Sem, mask: number): Val => {
  const a = s.ea();
  if (s.ctx.target.unalignedFixup) s.call('alignLinked', a, mask);
  return a;
};

/** swl/swr/sdl/sdr (kind 0-3): one call-out (the store is checked before the memory is read). */
const storePart = (kind: number): SemFn => (s) => s.call('storePart', s.ea(), s.gpr(s.rt), kind);

/** COP1X indexed address: base (rs) + index (rt). */
const indexed = (s: Sem): Val => s.gpr(s.rs).add(s.gpr(s.rt));

export const MEMORY: Record<string, SemFn> = {
  lb: load(1, true), lbu: load(1, false), lh: load(2, true), lhu: load(2, false), lw: load(4, true),
  lwu: op64(load(4, false)), ld: op64(load(8, true)),
  sb: store(1), sh: store(2), sw: store(4), sd: op64(store(8)),
  ll: (s) => { const a = linked(s, 3); const v = s.load(4, true, a); s.call('llSet', a); s.set(s.rt, v); },
  lld: op64((s) => { const a = linked(s, 7); const v = s.load(8, true, a); s.call('llSet', a); s.set(s.rt, v); }),
  sc: (s) => s.set(s.rt, s.call('sc', s.ea(), s.gpr(s.rt), 4).zx()),
  scd: op64((s) => s.set(s.rt, s.call('sc', s.ea(), s.gpr(s.rt), 8).zx())),
  lwl: loadWordPart(true), lwr: loadWordPart(false),
  ldl: loadDoublePart(true), ldr: loadDoublePart(false),
  swl: storePart(0), swr: storePart(1), sdl: op64(storePart(2)), sdr: op64(storePart(3)),

  lwc1: (s) => { needCp1(s); const v = s.load(4, false, s.ea()); s.call('fpuSetW', s.f('ft'), v.wrap()); },
  swc1: (s) => { needCp1(s); const a = s.ea(); s.store(4, a, s.call('fpuGetW', s.f('ft')).zx()); },
  ldc1: (s) => { needCp1(s); const v = s.load(8, false, s.ea()); s.call('fpuSetD', s.f('ft'), v); },
  sdc1: (s) => { needCp1(s); const a = s.ea(); s.store(8, a, s.call('fpuGetD', s.f('ft'))); },
  lwxc1: (s) => { needCp1(s); const v = s.load(4, false, indexed(s)); s.call('fpuSetW', s.f('fd'), v.wrap()); },
  ldxc1: (s) => { needCp1(s); const v = s.load(8, false, indexed(s)); s.call('fpuSetD', s.f('fd'), v); },
  luxc1: (s) => { needCp1(s); needFr(s); const v = s.load(8, false, indexed(s).and(~7n)); s.call('fpuSetD', s.f('fd'), v); },
  swxc1: (s) => { needCp1(s); const a = indexed(s); s.store(4, a, s.call('fpuGetW', s.f('fs')).zx()); },
  sdxc1: (s) => { needCp1(s); const a = indexed(s); s.store(8, a, s.call('fpuGetD', s.f('fs'))); },
  suxc1: (s) => { needCp1(s); needFr(s); const a = indexed(s).and(~7n); s.store(8, a, s.call('fpuGetD', s.f('fs'))); },
};
