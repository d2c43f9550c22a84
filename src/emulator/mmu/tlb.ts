// The joint TLB: entries with a per-entry PageMask (4 KiB … 256 MiB pages), VPN2 with
// region bits, ASID and G, and an even/odd pair of PFN/C/D/V. Lookup compares against
// each entry's own mask (the seed report's bug was using the CP0 PageMask instead).
// Entries live in one Float64Array (declared state); no derived data is kept.

import { StateSpec } from '../snapshot/state';

/** Fields per entry in the state array. */
const PM = 0, HI_HI = 1, HI_LO = 2, LO0 = 3, LO1 = 4, STRIDE = 5;

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
  readonly state: { entries: Float64Array };

  private readonly match: TlbMatch = { index: 0, pfnAddr: 0, pageSize: 0, lo: 0 };
  private readonly range = { keyHi: 0, lo: 0, bytes: 0 };

  constructor(readonly size: number) {
    this.stateSpec = {
      name: 'cpu0.tlb', version: 1, fields: { entries: 'f64array' },
      ranges: { entries: { length: size * STRIDE, min: 0, max: 2 ** 53 - 1 } },
      invariants: [(s) => {
        const e = s.entries as Float64Array;
        for (let b = 0; b < e.length; b += STRIDE) {
          if (e[b + PM]! >= 2 ** 32 || e[b + HI_HI]! >= 2 ** 32 || e[b + HI_LO]! >= 2 ** 32) return `entry ${b / STRIDE}: PageMask and EntryHi are 32-bit halves`;
        }
        return undefined;
      }],
    };
    this.state = { entries: new Float64Array(size * STRIDE) };
  }

  reset(): void {
    this.state.entries.fill(0);
  }

  /** Raw fields of entry i: PageMask, EntryHi (as hi/lo u32 halves), EntryLo0/1 (numbers ≤ 2^53). */
  read(i: number): { pageMask: number; hiHi: number; hiLo: number; lo0: number; lo1: number } {
    const e = this.state.entries, b = i * STRIDE;
    return { pageMask: e[b + PM], hiHi: e[b + HI_HI], hiLo: e[b + HI_LO], lo0: e[b + LO0], lo1: e[b + LO1] };
  }

  write(i: number, pageMask: number, hiHi: number, hiLo: number, lo0: number, lo1: number): void {
    const e = this.state.entries, b = i * STRIDE;
    e[b + PM] = pageMask;
    e[b + HI_HI] = hiHi >>> 0;
    // VPN2 bits covered by the mask are kept (as QEMU does; implementation dependent in
    // the architecture): lookups ignore them, tlbr returns them.
    e[b + HI_LO] = ((hiLo & ~0x1fff) | (hiLo & 0xff)) >>> 0;
    e[b + LO0] = lo0;
    e[b + LO1] = lo1;
  }

  /**
   * Finds the entry mapping virtual address (vaHi:vaLo) for `asid`. `vaHiKey` is the
   * comparable high part: region bits 63:62 and VPN2 bits above 31 (see keyHi()).
   * Returns -1 on no match; `multiple` reports a second match (machine check).
   */
  find(keyHi: number, vaLo: number, asid: number, skip = -1): number {
    const e = this.state.entries;
    for (let i = 0; i < this.size; i++) {
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

  /** Page size of entry i. */
  pageSize(i: number): number {
    return ((this.state.entries[i * STRIDE + PM] | 0x1fff) + 1) / 2;
  }

  /**
   * The half of entry i that maps vaLo, in `match` (reused: valid until the next call):
   * its page's physical start, size and EntryLo.
   */
  half(i: number, vaLo: number): TlbMatch {
    const e = this.state.entries, b = i * STRIDE;
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
    const e = this.state.entries, b = i * STRIDE;
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
    const e = this.state.entries;
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
