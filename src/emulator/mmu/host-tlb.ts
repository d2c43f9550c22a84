// Host translation cache: guest virtual page → offset in the RAM array, one direct-mapped
// table per (privilege mode, access kind). A hit costs two compares and an add, with no
// call. A second copy of each entry (wide tables: the tag as one int64, and the RAM offset
// minus the page's address) serves translated WebAssembly code, where one 64-bit compare
// checks the page, the high word and the alignment at once. Entries exist only for RAM pages whose access is allowed without side effects:
// a page can be made to trap on write or on any access (page traps), which the same
// mechanism uses for dirty-page tracking, watchpoints and translated-code protection.
// It is a cache: never saved, flushed on TLB writes, ASID changes and trap changes.

import { keyHi } from './tlb';

export const enum Access { Read = 0, Write = 1, Fetch = 2 }

export const HTLB_BITS = 11;
export const HTLB_SIZE = 1 << HTLB_BITS;
const MODES = 3;

/** Page-trap flags, per 4 KiB RAM page. */
export const TRAP_WRITE = 1;
export const TRAP_ACCESS = 2;
/**
 * Dirty-page tracking (checkpoints): the first write to the page in an interval traps,
 * like TRAP_WRITE, but it is owned by the tracker, so clearing TRAP_WRITE (translated
 * code invalidation) never disarms it and vice versa.
 */
export const TRAP_DIRTY = 4;
const WRITE_TRAPS = TRAP_WRITE | TRAP_DIRTY;

/** Entries of each of the three tables. */
export const HTLB_ENTRIES = MODES * 3 * HTLB_SIZE;

/**
 * Bytes of the tables: three Int32Arrays of HTLB_ENTRIES (tagLo, tagHi, base), then the
 * wide tables, two int64 per entry each (wideTag, wideAdd).
 */
export const HTLB_STORAGE_BYTES = HTLB_ENTRIES * 28;

/** Where the tables live: HTLB_STORAGE_BYTES in `buffer` from `offset` (8-byte aligned). */
export interface HostTlbStorage { buffer: ArrayBuffer; offset: number }

/** A wide tag no address matches (bits 3..11 of a masked address are always clear). */
const WIDE_INVALID = -1;

export class HostTlb {
  /** Tag: virtual page (low word, page aligned); 1 = invalid. */
  readonly tagLo: Int32Array;
  /** Tag: high word of the virtual address. */
  readonly tagHi: Int32Array;
  /** RAM offset of the page start. */
  readonly base: Int32Array;
  /**
   * Wide tables, as int32 pairs (little-endian int64 per entry): the tag's low and high
   * words (WIDE_INVALID in both when empty), and the RAM offset of the page start minus
   * the page's virtual address (low word; a hit's RAM offset is that plus the address, mod 2^32).
   */
  readonly wideTag: Int32Array;
  readonly wideAdd: Int32Array;
  /** Trap flags per RAM page. */
  readonly traps: Uint8Array;
  /**
   * Pages with TRAP_ACCESS (read traps: watchpoints). Translated code may read unmapped
   * RAM without this table only while there are none (jit/wasm/region-emitter.ts).
   */
  accessTrapped = 0;
  flushes = 0;

  /** `storage` places the tables in shared memory (read by translated WebAssembly code). */
  constructor(ramBytes: number, storage?: HostTlbStorage) {
    const buf = storage?.buffer ?? new ArrayBuffer(HTLB_STORAGE_BYTES);
    const at = storage?.offset ?? 0;
    this.tagLo = new Int32Array(buf, at, HTLB_ENTRIES).fill(1);
    this.tagHi = new Int32Array(buf, at + HTLB_ENTRIES * 4, HTLB_ENTRIES);
    this.base = new Int32Array(buf, at + HTLB_ENTRIES * 8, HTLB_ENTRIES);
    this.wideTag = new Int32Array(buf, at + HTLB_ENTRIES * 12, HTLB_ENTRIES * 2).fill(WIDE_INVALID);
    this.wideAdd = new Int32Array(buf, at + HTLB_ENTRIES * 20, HTLB_ENTRIES * 2);
    this.traps = new Uint8Array(Math.ceil(ramBytes / 4096));
  }

  static index(mode: number, acc: Access, lo: number): number {
    return ((mode * 3 + acc) << HTLB_BITS) | ((lo >>> 12) & (HTLB_SIZE - 1));
  }

  /** The cached RAM offset for an access to (hi:lo) in a mode, or −1 when it is not cached. */
  cached(mode: number, acc: Access, hi: number, lo: number): number {
    const i = HostTlb.index(mode, acc, lo);
    return this.tagLo[i] === (lo & ~0xfff) && this.tagHi[i] === hi ? this.base[i] + (lo & 0xfff) : -1;
  }

  flush(): void {
    this.tagLo.fill(1);
    this.wideTag.fill(WIDE_INVALID);
    this.flushes++;
  }

  /** Empties entry i. */
  private drop(i: number): void {
    this.tagLo[i] = 1;
    this.wideTag[2 * i] = WIDE_INVALID;
    this.wideTag[2 * i + 1] = WIDE_INVALID;
  }

  /** Records a translation unless the page traps for this access. */
  fill(mode: number, acc: Access, hi: number, lo: number, ramOffset: number): void {
    const page = ramOffset >>> 12;
    const t = this.traps[page];
    if (t & TRAP_ACCESS) return;
    if (acc === Access.Write && (t & WRITE_TRAPS)) return;
    const i = HostTlb.index(mode, acc, lo);
    const va = lo & ~0xfff, ram = ramOffset & ~0xfff;
    this.tagLo[i] = va;
    this.tagHi[i] = hi;
    this.base[i] = ram;
    this.wideTag[2 * i] = va;
    this.wideTag[2 * i + 1] = hi;
    this.wideAdd[2 * i] = (ram - va) | 0;
  }

  /** Sets trap flags on a RAM page; entries that would bypass the trap are dropped. */
  setTrap(page: number, flags: number): void {
    const old = this.traps[page];
    this.traps[page] = old | flags;
    if (flags & ~old & TRAP_ACCESS) this.accessTrapped++;
    if ((old | flags) !== old) this.dropPage(page, flags & TRAP_ACCESS ? -1 : Access.Write);
  }

  clearTrap(page: number, flags: number): void {
    const old = this.traps[page];
    this.traps[page] = old & ~flags;
    if (flags & old & TRAP_ACCESS) this.accessTrapped--;
  }

  /**
   * Sets trap flags on many RAM pages at once (every page when `pages` is omitted) and
   * drops the cached translations that would bypass them with one scan of the table,
   * instead of one scan per page.
   */
  setTrapBulk(flags: number, pages?: Iterable<number>): void {
    const t = this.traps;
    const set = (p: number): void => {
      if (flags & ~t[p] & TRAP_ACCESS) this.accessTrapped++;
      t[p] |= flags;
    };
    if (pages === undefined) {
      for (let p = 0; p < t.length; p++) set(p);
    } else {
      for (const p of pages) set(p);
    }
    for (let i = 0; i < this.base.length; i++) {
      if (this.tagLo[i] !== 1 && ((flags & TRAP_ACCESS) || ((i >>> HTLB_BITS) % 3) === Access.Write)) this.drop(i);
    }
  }

  /**
   * Drops the cached translations of virtual addresses in [lo, lo + bytes) (low words; a
   * power-of-two span aligned to itself) whose high word has TLB key `key` (mmu/tlb.ts
   * keyHi) in every mode and access kind: what a replaced TLB entry may have produced.
   */
  dropRange(key: number, lo: number, bytes: number, segBits: number): void {
    const pages = bytes / 4096;
    const first = lo >>> 12;
    const tl = this.tagLo, th = this.tagHi;
    const hit = (i: number): boolean => {
      const t = tl[i];
      return t !== 1 && ((t >>> 12) - first) >>> 0 < pages && keyHi(th[i], segBits) === key;
    };
    if (pages >= HTLB_SIZE) {
      for (let i = 0; i < tl.length; i++) if (hit(i)) this.drop(i);
      return;
    }
    for (let t = 0; t < MODES * 3; t++) {
      for (let p = 0; p < pages; p++) {
        const i = (t << HTLB_BITS) | ((first + p) & (HTLB_SIZE - 1));
        if (hit(i)) this.drop(i);
      }
    }
  }

  /** Drops cached translations to a RAM page (all access kinds if acc < 0). */
  dropPage(page: number, acc: number): void {
    const b = page << 12;
    for (let i = 0; i < this.base.length; i++) {
      if (this.tagLo[i] !== 1 && this.base[i] === b) {
        if (acc < 0 || ((i >>> HTLB_BITS) % 3) === acc) this.drop(i);
      }
    }
  }
}
