// The joint TLB: entries with a per-entry PageMask (4 KiB … 256 MiB pages), VPN2 with
// region bits, ASID and G, and an even/odd pair of PFN/C/D/V. Lookup compares against
// each entry's own mask (the seed report's bug was using the CP0 PageMask instead).
// Entries live in one Float64Array (declared state); no derived data is kept.
//
// Victim entries: an entry tlbwr replaces is kept after the architectural ones (up to 128
// entries in all) and still translates until software could notice — a tlbwi that changes
// a mapping, a tlbr, or a tlbp that misses the architectural entries but matches a victim
// drops them. QEMU does the same ("shadow" entries), so a guest takes the same TLB refills
// on both; a 32-entry TLB under random replacement otherwise thrashes on working sets a
// little larger than it (Debian's ash loop refilled ~100 times per iteration). Victims are
// guest-visible in timing only and are part of the declared state (replay stays exact).

import { StateSpec } from '../snapshot/state';

/** Fields per entry in the state array. */
const PM = 0, HI_HI = 1, HI_LO = 2, LO0 = 3, LO1 = 4, STRIDE = 5;

/** Architectural plus victim entries at most (QEMU's MIPS_TLB_MAX). */
export const TLB_WITH_VICTIMS = 128;

export interface TlbMatch {
  index: number;
  /** Physical address of the page start for the addressed half. */
  pfnAddr: number;
  pageSize: number;
  /** EntryLo of the addressed half (C, D, V, G bits in the low 6 bits). */
  lo: number;
}

export class Tlb {
  readonly stateSpec: StateSpec;
  /**
   * `entries`: the architectural entries (a view of the front of `all`); `victims`: the
   * victim entries' fields as little-endian f64 bytes (an accessor over the back of `all`,
   * so a checkpoint holds only the victims there are).
   */
  readonly state: { entries: Float64Array; victims: number[] };
  /** Victim entries kept at most (0: the exact hardware TLB). */
  readonly victimCap: number;
  /** The architectural entries, then room for victimCap victims. */
  private readonly all: Float64Array;
  /** Victims kept now (they follow the architectural entries in `all`). */
  private nVictims = 0;

  private readonly match: TlbMatch = { index: 0, pfnAddr: 0, pageSize: 0, lo: 0 };
  private readonly range = { keyHi: 0, lo: 0, bytes: 0 };

  constructor(readonly size: number, victims = true) {
    const cap = victims ? Math.max(0, TLB_WITH_VICTIMS - size) : 0;
    this.victimCap = cap;
    this.all = new Float64Array((size + cap) * STRIDE);
    const halves = (e: ArrayLike<number>, what: string): string | undefined => {
      for (let b = 0; b < e.length; b += STRIDE) {
        if (e[b + PM]! >= 2 ** 32 || e[b + HI_HI]! >= 2 ** 32 || e[b + HI_LO]! >= 2 ** 32) return `${what} ${b / STRIDE}: PageMask and EntryHi are 32-bit halves`;
        for (let k = 0; k < STRIDE; k++) if (!Number.isInteger(e[b + k]) || e[b + k]! < 0 || e[b + k]! > 2 ** 53 - 1) return `${what} ${b / STRIDE}: fields are integers 0..2^53-1`;
      }
      return undefined;
    };
    this.stateSpec = {
      name: 'cpu0.tlb', version: 2, fields: { entries: 'f64array', victims: 'bytes' },
      ranges: { entries: { length: size * STRIDE, min: 0, max: 2 ** 53 - 1 }, victims: { length: [0, cap * STRIDE * 8] } },
      invariants: [
        (s) => halves(s.entries as Float64Array, 'entry'),
        (s) => {
          const v = s.victims as number[];
          if (v.length % (STRIDE * 8) !== 0) return `victims: ${v.length} bytes is not a whole number of entries`;
          return halves(fromBytes(v), 'victim');
        },
      ],
      // Version 1 had no victim entries.
      minVersion: 1,
      upgrades: { 1: (old) => ({ ...old, victims: [] }) },
    };
    const all = this.all;
    const state = { entries: all.subarray(0, size * STRIDE), victims: [] as number[] };
    Object.defineProperty(state, 'victims', {
      enumerable: true,
      get: (): number[] => toBytes(all.subarray(size * STRIDE, (size + this.nVictims) * STRIDE)),
      set: (v: number[]): void => {
        const f = fromBytes(v);
        all.fill(0, size * STRIDE);
        all.set(f, size * STRIDE);
        this.nVictims = f.length / STRIDE;
      },
    });
    this.state = state;
  }

  /** Victim entries kept now (they have the indices size … size + victims − 1). */
  get victims(): number { return this.nVictims; }

  reset(): void {
    this.all.fill(0);
    this.nVictims = 0;
  }

  /** Raw fields of entry i: PageMask, EntryHi (as hi/lo u32 halves), EntryLo0/1 (numbers ≤ 2^53). */
  read(i: number): { pageMask: number; hiHi: number; hiLo: number; lo0: number; lo1: number } {
    const e = this.all, b = i * STRIDE;
    return { pageMask: e[b + PM], hiHi: e[b + HI_HI], hiLo: e[b + HI_LO], lo0: e[b + LO0], lo1: e[b + LO1] };
  }

  write(i: number, pageMask: number, hiHi: number, hiLo: number, lo0: number, lo1: number): void {
    const e = this.all, b = i * STRIDE;
    e[b + PM] = pageMask;
    e[b + HI_HI] = hiHi >>> 0;
    // VPN2 bits covered by the mask are kept (as QEMU does; implementation dependent in
    // the architecture): lookups ignore them, tlbr returns them.
    e[b + HI_LO] = storedHiLo(hiLo);
    e[b + LO0] = lo0;
    e[b + LO1] = lo1;
  }

  /**
   * Finds the architectural entry mapping virtual address (vaHi:vaLo) for `asid` (what
   * tlbp sees). `keyHi` is the comparable high part: region bits 63:62 and VPN2 bits above
   * 31 (see keyHi()). Returns -1 on no match.
   */
  find(keyHi: number, vaLo: number, asid: number, skip = -1): number {
    return this.scan(0, this.size, keyHi, vaLo, asid, skip);
  }

  /**
   * The entry a translation uses: the architectural one, else a victim (index ≥ size);
   * -1 when neither maps the address.
   */
  lookup(keyHi: number, vaLo: number, asid: number): number {
    const i = this.scan(0, this.size, keyHi, vaLo, asid, -1);
    return i >= 0 ? i : this.victimMatching(keyHi, vaLo, asid);
  }

  private scan(from: number, to: number, keyHi: number, vaLo: number, asid: number, skip: number): number {
    const e = this.all;
    for (let i = from; i < to; i++) {
      if (i === skip) continue;
      const b = i * STRIDE;
      const mask = e[b + PM];
      if (e[b + HI_HI] !== keyHi) continue;
      const hiLo = e[b + HI_LO];
      if ((((hiLo ^ vaLo) & ~(mask | 0x1fff)) >>> 0) !== 0) continue;
      const g = (e[b + LO0] % 2) === 1 && (e[b + LO1] % 2) === 1;
      if (!g && (hiLo & 0xff) !== asid) continue;
      return i;
    }
    return -1;
  }

  /**
   * Keeps entry i (about to be replaced by tlbwr) as a victim when there is room and it
   * could translate now (global, or of the current `asid`: a translation cached from it
   * stays right). Returns whether it was kept.
   */
  keepVictim(i: number, asid: number): boolean {
    const n = this.nVictims;
    if (n >= this.victimCap) return false;
    const e = this.all, b = i * STRIDE;
    const g = (e[b + LO0] % 2) === 1 && (e[b + LO1] % 2) === 1;
    if (!g && (e[b + HI_LO] & 0xff) !== asid) return false;
    e.copyWithin((this.size + n) * STRIDE, b, b + STRIDE);
    this.nVictims = n + 1;
    return true;
  }

  /** The first victim that would match (keyHi, vaLo) for `asid` as tlbp compares, or -1. */
  victimMatching(keyHi: number, vaLo: number, asid: number): number {
    return this.nVictims === 0 ? -1 : this.scan(this.size, this.size + this.nVictims, keyHi, vaLo, asid, -1);
  }

  /**
   * Drops the victims from index `from` (≥ size) on, calling `dropped` with each one's
   * index first (for the host caches of what it translated).
   */
  dropVictims(from: number, dropped: (i: number) => void): void {
    const end = this.size + this.nVictims;
    for (let i = end - 1; i >= from; i--) dropped(i);
    this.all.fill(0, from * STRIDE, end * STRIDE);
    this.nVictims = Math.max(0, from - this.size);
  }

  /** Page size of entry i. */
  pageSize(i: number): number {
    return ((this.all[i * STRIDE + PM] | 0x1fff) + 1) / 2;
  }

  /**
   * The half of entry i that maps vaLo, in `match` (reused: valid until the next call):
   * its page's physical start, size and EntryLo.
   */
  half(i: number, vaLo: number): TlbMatch {
    const e = this.all, b = i * STRIDE;
    const size = this.pageSize(i);
    const odd = ((vaLo >>> 0) & size) !== 0;
    const lo = odd ? e[b + LO1] : e[b + LO0];
    const pfn = Math.floor(lo / 64) % 1073741824;
    const m = this.match;
    m.index = i;
    m.pfnAddr = Math.floor((pfn * 4096) / size) * size;
    m.pageSize = size;
    m.lo = lo;
    return m;
  }

  /**
   * The virtual range entry i maps (both halves: keyHi form of the high word, low word
   * start, bytes), or undefined when neither half is valid (nothing can be cached from it).
   * Reused object: valid until the next call.
   */
  mappedRange(i: number): { keyHi: number; lo: number; bytes: number } | undefined {
    const e = this.all, b = i * STRIDE;
    if (!(e[b + LO0] & 2) && !(e[b + LO1] & 2)) return undefined;
    const span = (e[b + PM] | 0x1fff) + 1;
    const r = this.range;
    r.keyHi = e[b + HI_HI];
    r.lo = ((e[b + HI_LO] >>> 0) - ((e[b + HI_LO] >>> 0) % span)) >>> 0;
    r.bytes = span;
    return r;
  }

  /** Entries that would match the same addresses as (keyHi, vaLo, mask, asid/global), excluding `skip`. */
  overlaps(keyHi: number, vaLo: number, mask: number, asid: number, global: boolean, skip: number): boolean {
    const e = this.all;
    for (let i = 0; i < this.size; i++) {
      if (i === skip) continue;
      const b = i * STRIDE;
      if (e[b + HI_HI] !== keyHi) continue;
      const m = Math.max(mask, e[b + PM]);
      if (((((e[b + HI_LO] ^ vaLo) >>> 0) & ~(m | 0x1fff)) >>> 0) !== 0) continue;
      const v = (e[b + LO0] & 2) !== 0 || (e[b + LO1] & 2) !== 0;
      if (!v) continue;
      const g = (e[b + LO0] % 2) === 1 && (e[b + LO1] % 2) === 1;
      if (!g && !global && (e[b + HI_LO] & 0xff) !== asid) continue;
      return true;
    }
    return false;
  }
}

/** EntryHi's low word as an entry keeps it: VPN2 bits and ASID. */
export function storedHiLo(hiLo: number): number {
  return ((hiLo & ~0x1fff) | (hiLo & 0xff)) >>> 0;
}

/** f64 values as little-endian bytes (a checkpoint's `bytes` field). */
function toBytes(f: Float64Array): number[] {
  const d = new DataView(new ArrayBuffer(f.length * 8));
  for (let k = 0; k < f.length; k++) d.setFloat64(k * 8, f[k]!, true);
  return Array.from(new Uint8Array(d.buffer));
}

/** The inverse of toBytes (a trailing partial value is ignored). */
function fromBytes(b: readonly number[]): Float64Array {
  const d = new DataView(Uint8Array.from(b).buffer);
  const f = new Float64Array(Math.floor(b.length / 8));
  for (let k = 0; k < f.length; k++) f[k] = d.getFloat64(k * 8, true);
  return f;
}

/**
 * 2^n for n in 0..63: the MMU's limits come from SEGBITS/PABITS on every translation, and
 * `2 ** n` with a variable n is a call to pow (~65 ms of a boot's main thread).
 */
export const POW2: readonly number[] = Array.from({ length: 64 }, (_, n) => 2 ** n);

/**
 * The comparable high word of a virtual address: bits 63:62 (region) at 31:30 and the
 * VPN2 bits 41:32 (SEGBITS 42) at 9:0. 32-bit compatibility addresses are sign-extended
 * so kseg3/ksseg fall in region 3 with all VPN2 high bits set, as on hardware.
 */
export function keyHi(vaHi: number, segBits: number): number {
  const vpnHiMask = segBits > 32 ? POW2[segBits - 32] - 1 : 0;
  return ((((vaHi >>> 30) & 3) << 30) | (vaHi & vpnHiMask)) >>> 0;
}
