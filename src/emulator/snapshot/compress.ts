// Page compression for checkpoints, written for this project: each 4 KiB RAM page is
// stored on its own (so an incremental checkpoint, or a restore, touches pages
// independently) with the cheapest of four encodings:
//
//   Zero  the page is all zero bytes (only needed in incrementals: a full checkpoint
//         omits zero pages, restore clears RAM first)
//   Fill  one 32-bit word repeated 1024 times (4 bytes of payload)
//   Lz    a byte-oriented LZ77 stream (below), when shorter than the page
//   Raw   the 4096 bytes as they are
//
// The LZ stream is a sequence of (literal run, match) pairs. Each pair starts with a
// token byte: literal count in the high nibble, match length − 4 in the low nibble; a
// nibble of 15 is continued by bytes of 255 and a final byte < 255 that are added to
// it. Then the literals, then (unless the literals reached the end of the page) a
// 16-bit little-endian offset back into the page (1..4095) and the match bytes are
// copied from there (overlapping copies repeat a pattern). The page's 4096 bytes end
// the stream exactly. Matches are found with a 4-byte hash table, stepping faster
// through data that does not compress, so random pages cost little before they fall
// back to Raw. The decoder checks every length and offset: a corrupt stream is
// reported, never written outside the page.

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export const enum PageCodec { Zero = 0, Fill = 1, Lz = 2, Raw = 3 }

const HASH_BITS = 12;
const MIN_MATCH = 4;
/** Misses before the search step grows by one. */
const SKIP_SHIFT = 5;
/** Give up on LZ when its output would reach this size (Raw is then as good). */
const LZ_LIMIT = PAGE_SIZE - 32;

export class PageCompressor {
  private readonly table = new Int32Array(1 << HASH_BITS);
  private stamp = 0;
  /** Output of the last lz() call. */
  readonly out = new Uint8Array(PAGE_SIZE + 64);

  /**
   * Compresses the page at src[base, base + 4096) into `out`; returns the length, or −1
   * when the result would not be usefully shorter than the page.
   */
  lz(src: Uint8Array, base: number): number {
    // Hash entries carry a per-page stamp in their high bits, so the table is never cleared.
    this.stamp = (this.stamp + 1) & 0x7ffff;
    if (this.stamp === 0) { this.table.fill(0); this.stamp = 1; }
    const stampHi = this.stamp << PAGE_SHIFT;
    const table = this.table, out = this.out;
    const end = PAGE_SIZE;
    let ip = 0, anchor = 0, op = 0, misses = 0;
    while (ip <= end - MIN_MATCH) {
      const p = base + ip;
      const seq = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
      const h = Math.imul(seq, 0x9e3779b1) >>> (32 - HASH_BITS);
      const v = table[h];
      table[h] = stampHi | ip;
      if ((v >>> PAGE_SHIFT) === this.stamp) {
        const cand = v & (PAGE_SIZE - 1);
        const q = base + cand;
        if ((src[q] | (src[q + 1] << 8) | (src[q + 2] << 16) | (src[q + 3] << 24)) === seq) {
          let len = MIN_MATCH;
          while (ip + len < end && src[q + len] === src[p + len]) len++;
          // Sequence: literals [anchor, ip), then the match.
          const lit = ip - anchor;
          if (op + lit + 16 + ((lit + len) >> 7) >= LZ_LIMIT) return -1;
          op = this.emit(out, op, src, base + anchor, lit, ip - cand, len);
          ip += len;
          anchor = ip;
          misses = 0;
          continue;
        }
      }
      ip += 1 + (misses++ >> SKIP_SHIFT);
    }
    const lit = end - anchor;
    if (lit > 0) {
      if (op + lit + 8 + (lit >> 7) >= LZ_LIMIT) return -1;
      op = this.emit(out, op, src, base + anchor, lit, 0, 0);
    }
    return op;
  }

  private emit(out: Uint8Array, op: number, src: Uint8Array, litStart: number, lit: number, offset: number, len: number): number {
    const ml = len === 0 ? 0 : len - MIN_MATCH;
    out[op++] = ((lit >= 15 ? 15 : lit) << 4) | (ml >= 15 ? 15 : ml);
    if (lit >= 15) op = putLength(out, op, lit - 15);
    if (lit > 32) {
      out.set(src.subarray(litStart, litStart + lit), op);
      op += lit;
    } else {
      for (let i = 0; i < lit; i++) out[op++] = src[litStart + i];
    }
    if (len === 0) return op;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    if (ml >= 15) op = putLength(out, op, ml - 15);
    return op;
  }
}

function putLength(out: Uint8Array, op: number, n: number): number {
  while (n >= 255) { out[op++] = 255; n -= 255; }
  out[op++] = n;
  return op;
}

/**
 * Decodes an LZ page stream src[sp, sEnd) into dst[dp, dp + 4096) (or, with dst
 * undefined, only checks it). Returns false, having written at most the page, when the
 * stream is malformed.
 */
export function lzDecode(src: Uint8Array, sp: number, sEnd: number, dst: Uint8Array | undefined, dp: number): boolean {
  let op = 0;
  while (op < PAGE_SIZE) {
    if (sp >= sEnd) return false;
    const token = src[sp++];
    let lit = token >>> 4;
    if (lit === 15) {
      for (;;) {
        if (sp >= sEnd) return false;
        const b = src[sp++];
        lit += b;
        if (b !== 255) break;
      }
    }
    if (lit > sEnd - sp || lit > PAGE_SIZE - op) return false;
    if (dst) {
      if (lit > 32) dst.set(src.subarray(sp, sp + lit), dp + op);
      else for (let i = 0, d = dp + op; i < lit; i++) dst[d + i] = src[sp + i];
    }
    sp += lit;
    op += lit;
    if (op === PAGE_SIZE) break;
    if (sEnd - sp < 2) return false;
    const offset = src[sp] | (src[sp + 1] << 8);
    sp += 2;
    let len = (token & 15) + MIN_MATCH;
    if ((token & 15) === 15) {
      for (;;) {
        if (sp >= sEnd) return false;
        const b = src[sp++];
        len += b;
        if (b !== 255) break;
      }
    }
    if (offset === 0 || offset > op || len > PAGE_SIZE - op) return false;
    if (dst) {
      const d = dp + op;
      if (offset >= len && len > 32) dst.copyWithin(d, d - offset, d - offset + len);
      else for (let i = 0; i < len; i++) dst[d + i] = dst[d - offset + i];
    }
    op += len;
  }
  return sp === sEnd;
}

/** True when the 4 KiB page at word index w (of a RAM Int32Array view) is one repeated word. */
export function isFillPage(ram32: Int32Array, w: number): boolean {
  const v = ram32[w];
  const end = w + PAGE_SIZE / 4;
  for (let i = w + 1; i < end; i++) if (ram32[i] !== v) return false;
  return true;
}
