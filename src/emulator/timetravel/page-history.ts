// RAM contents over time, for the time-travel recorder: versions of 4 KiB pages, each
// stored at the snapshot it was saved with. RAM at snapshot S is, for every page, its
// latest version at or before S (a page without one is zero). A snapshot holds the
// pages written since the snapshot before it (the first one holds every non-zero
// page), so removing a snapshot moves its versions into the next one wherever that
// one has none of its own (its RAM stays the same) and frees the rest.
//
// Versions are kept encoded: a zero page, a repeated word, the project's word-LZ
// (snapshot/compress.ts), or a raw copy when that does not pay.

import { isFillPage, lzDecode, PAGE_SHIFT, PAGE_SIZE, PageCodec, PageCompressor } from '../snapshot/compress';

/** What a version is stored with: its place in time. */
export interface VersionOwner {
  /** Order of the snapshot in the timeline (larger is later). */
  readonly order: number;
}

interface Version {
  owner: VersionOwner;
  /** [codec, payload…] */
  data: Uint8Array;
}

/** Bookkeeping bytes counted per stored version (object, array slot). */
export const VERSION_OVERHEAD = 48;

export class PageHistory {
  /** Per RAM page, its versions in timeline order. */
  private readonly versions: Array<Version[] | undefined>;
  private readonly compressor = new PageCompressor();
  /** Bytes held by versions (data plus VERSION_OVERHEAD each). */
  bytes = 0;

  constructor(readonly ram: Uint8Array, readonly ram32: Int32Array) {
    this.versions = new Array<Version[] | undefined>(ram.length >>> PAGE_SHIFT);
  }

  get pageCount(): number {
    return this.versions.length;
  }

  /** Saves RAM page p as its version at `owner`; returns the bytes it takes. */
  save(p: number, owner: VersionOwner): number {
    const data = this.encode(p);
    const list = this.versions[p] ??= [];
    // Usually the latest; a snapshot inserted into the past goes in its place.
    let i = list.length;
    while (i > 0 && list[i - 1].owner.order > owner.order) i--;
    if (i > 0 && list[i - 1].owner === owner) {
      this.bytes -= list[i - 1].data.length;
      list[i - 1].data = data;
      this.bytes += data.length;
      return data.length;
    }
    list.splice(i, 0, { owner, data });
    const n = data.length + VERSION_OVERHEAD;
    this.bytes += n;
    return n;
  }

  /** The version of page p in effect at `at` (latest at or before it), undefined for a zero page. */
  private versionAt(p: number, at: VersionOwner): Version | undefined {
    const list = this.versions[p];
    if (!list) return undefined;
    let lo = 0, hi = list.length; // first index with order > at.order
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].owner.order <= at.order) lo = mid + 1; else hi = mid;
    }
    return lo > 0 ? list[lo - 1] : undefined;
  }

  /** Writes page p as it was at `at` into RAM. */
  restore(p: number, at: VersionOwner): void {
    const v = this.versionAt(p, at);
    const off = p << PAGE_SHIFT;
    if (!v) { this.ram.fill(0, off, off + PAGE_SIZE); return; }
    decode(v.data, this.ram, off);
  }

  /**
   * Removes page p's version at `owner`: it moves to `into` (the next snapshot) unless
   * that has one; returns the change in bytes held by `into` and the bytes freed.
   */
  merge(p: number, owner: VersionOwner, into: VersionOwner | undefined): { moved: number; freed: number } {
    const list = this.versions[p];
    const i = list ? list.findIndex((v) => v.owner === owner) : -1;
    if (!list || i < 0) return { moved: 0, freed: 0 };
    const v = list[i];
    const size = v.data.length + VERSION_OVERHEAD;
    const next = list[i + 1];
    if (into && (!next || next.owner !== into)) {
      v.owner = into;
      return { moved: size, freed: 0 };
    }
    list.splice(i, 1);
    if (list.length === 0) this.versions[p] = undefined;
    this.bytes -= size;
    return { moved: 0, freed: size };
  }

  /** Forgets every version. */
  clear(): void {
    this.versions.fill(undefined);
    this.bytes = 0;
  }

  /** Whether page p has a version at `owner`. */
  has(p: number, owner: VersionOwner): boolean {
    return this.versions[p]?.some((v) => v.owner === owner) ?? false;
  }

  private encode(p: number): Uint8Array {
    const off = p << PAGE_SHIFT, w0 = off >>> 2;
    const ram = this.ram, ram32 = this.ram32;
    if (ram32[w0] === ram32[w0 + 1] && isFillPage(ram32, w0)) {
      if (ram32[w0] === 0) return ZERO;
      const d = new Uint8Array(5);
      d[0] = PageCodec.Fill;
      d.set(ram.subarray(off, off + 4), 1);
      return d;
    }
    const c = this.compressor;
    const n = c.wordsLookIncompressible(ram32, w0) ? -1 : c.lz(ram, off);
    if (n < 0) {
      const d = new Uint8Array(1 + PAGE_SIZE);
      d[0] = PageCodec.Raw;
      d.set(ram.subarray(off, off + PAGE_SIZE), 1);
      return d;
    }
    const d = new Uint8Array(1 + n);
    d[0] = PageCodec.Lz;
    d.set(c.out.subarray(0, n), 1);
    return d;
  }
}

const ZERO = Uint8Array.of(PageCodec.Zero);

function decode(d: Uint8Array, ram: Uint8Array, off: number): void {
  switch (d[0] as PageCodec) {
    case PageCodec.Zero: ram.fill(0, off, off + PAGE_SIZE); return;
    case PageCodec.Fill:
      ram.set(d.subarray(1, 5), off);
      for (let k = 4; k < PAGE_SIZE; k *= 2) ram.copyWithin(off + k, off, off + k);
      return;
    case PageCodec.Raw: ram.set(d.subarray(1, 1 + PAGE_SIZE), off); return;
    default:
      if (!lzDecode(d, 1, d.length, ram, off)) throw new Error(`time travel: a saved page ${off >>> PAGE_SHIFT} does not decode`);
  }
}
