// Page compression for checkpoints, written for this project: each 4 KiB RAM page is
// stored on its own (so an incremental checkpoint, or a restore, touches pages
// independently) with the cheapest of four encodings:
//
//   Zero  the page is all zero bytes (only needed in incrementals: a full checkpoint
//         omits zero pages, restore clears RAM first)
//   Fill  one 32-bit word repeated 1024 times (4 bytes of payload)
//   Lz    a word-oriented LZ77 stream (below), when shorter than the page
//   Raw   the 4096 bytes as they are
//
// The LZ stream works on the page's 1024 aligned 32-bit words (guest code, pointers and
// most kernel data repeat at word granularity; working on words instead of bytes makes
// compression about four times faster for a slightly larger output). It is a sequence
// of (literal run, match) pairs. Each pair starts with a token byte: literal word count
// in the high nibble, match length − 2 words in the low nibble; a nibble of 15 is
// continued by bytes of 255 and a final byte < 255 that are added to it. Then the
// literal words (4 bytes each, as they are in RAM), then (unless the literals reached
// the end of the page) a 16-bit little-endian offset in words back into the page
// (1..1023) and the match words are copied from there (overlapping copies repeat a
// pattern). The page's 1024 words end the stream exactly. Matches are found with a
// hash table of words, stepping faster through data that does not compress, so random
// pages cost little before they fall back to Raw. The decoder checks every length and
// offset: a corrupt stream is reported, never written outside the page.
//
// Before the LZ search, looksIncompressible() samples the page (SAMPLE_WORDS words
// in runs of 8 at the start of each KiB, 4 bytes each) and counts repeated byte values
// among the samples.
// Uniformly random bytes repeat little (about 27 of 128 samples); code, pointers,
// tables, text and anything with zero runs repeat far more. A page whose samples look
// random is stored Raw without a search. The verdict only chooses an encoding — a page
// it misjudges is stored Raw, exactly and decodably, a little larger than LZ would
// have made it — so it cannot affect what a restore writes.

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
const PAGE_WORDS = PAGE_SIZE / 4;

export const enum PageCodec { Zero = 0, Fill = 1, Lz = 2, Raw = 3 }

const HASH_BITS = 12;
/** Shortest match, in words (a shorter one costs as much as its literals). */
const MIN_MATCH = 2;
/** Misses before the search step grows by one. */
const SKIP_SHIFT = 4;
/** Give up on LZ when its output would reach this size (Raw is then as good). */
const LZ_LIMIT = PAGE_SIZE - 32;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Views over one buffer's memory, remembered for the last buffer seen: the compressor and
 * the decoder are called page after page on the same RAM or file, so the views are made
 * once per buffer, not per page. Each PageCompressor and PageDecoder has its own (no
 * state is shared between machines or restores).
 */
class BufferViews {
  private buffer: ArrayBufferLike | undefined;
  private wordView: Int32Array | undefined;
  private dataView: DataView | undefined;

  /** An Int32Array over all of b's buffer (from its start). */
  words(b: Uint8Array): Int32Array {
    if (this.buffer !== b.buffer) this.reset(b);
    return this.wordView ??= new Int32Array(b.buffer, 0, b.buffer.byteLength >>> 2);
  }

  /** A DataView over all of b's buffer (from its start). */
  data(b: Uint8Array): DataView {
    if (this.buffer !== b.buffer) this.reset(b);
    return this.dataView ??= new DataView(b.buffer);
  }

  private reset(b: Uint8Array): void {
    this.buffer = b.buffer;
    this.wordView = undefined;
    this.dataView = undefined;
  }
}

/**
 * Words sampled by looksIncompressible: eight consecutive words (32 bytes, within one
 * cache line) at the start of each KiB of the page. A page being checkpointed is
 * usually not in the cache; four lines cost four memory reads (the first one is
 * already loaded by isFillPage).
 */
const SAMPLE_WORDS = 32;
const SAMPLE_RUN = 8;
const SAMPLE_STRIDE = PAGE_WORDS / (SAMPLE_WORDS / SAMPLE_RUN);
/**
 * Most repeated byte values among the 4 × SAMPLE_WORDS sampled bytes for a verdict of
 * "random": uniform bytes give 27.3 on average (128 − 256·(1 − e^(−1/2))), standard
 * deviation about 3.5, so data at the threshold is 3.5 deviations less random than that.
 */
const RANDOM_MAX_REPEATS = 40;

export class PageCompressor {
  private readonly table = new Int32Array(1 << HASH_BITS);
  private stamp = 0;
  /** Output of the last lz() call. */
  readonly out = new Uint8Array(PAGE_SIZE + 64);
  private readonly outView = new DataView(this.out.buffer);

  private readonly seen = new Int32Array(256);
  private seenStamp = 0;
  private readonly views = new BufferViews();

  /**
   * True when the page at src[base, base + 4096) (4-byte aligned in its buffer) looks
   * like uniformly random bytes, which LZ cannot shorten: a cheap sample (see above).
   */
  looksIncompressible(src: Uint8Array, base: number): boolean {
    const at = src.byteOffset + base;
    if ((at & 3) !== 0) throw new RangeError('PageCompressor.looksIncompressible: the page must be 4-byte aligned');
    return this.wordsLookIncompressible(this.views.words(src), at >>> 2);
  }

  /**
   * looksIncompressible for the page at word w0 of `w` (for callers that hold a word
   * view of the whole buffer, such as RAM's, and check many pages: no view lookup).
   */
  wordsLookIncompressible(w: Int32Array, w0: number): boolean {
    // Byte values seen carry a per-page stamp, so the table is never cleared.
    this.seenStamp = (this.seenStamp + 1) | 0;
    if (this.seenStamp === 0) { this.seen.fill(0); this.seenStamp = 1; }
    const seen = this.seen, stamp = this.seenStamp;
    let repeats = 0;
    // Without branches on the data (whether a random byte repeats is unpredictable);
    // the count only grows, so testing it once per run gives the same verdict.
    for (let run = w0, end = w0 + PAGE_WORDS; run < end; run += SAMPLE_STRIDE) {
      for (let k = run; k < run + SAMPLE_RUN; k++) {
        const v = w[k];
        const b0 = v & 0xff, b1 = (v >>> 8) & 0xff, b2 = (v >>> 16) & 0xff, b3 = v >>> 24;
        repeats += seen[b0] === stamp ? 1 : 0; seen[b0] = stamp;
        repeats += seen[b1] === stamp ? 1 : 0; seen[b1] = stamp;
        repeats += seen[b2] === stamp ? 1 : 0; seen[b2] = stamp;
        repeats += seen[b3] === stamp ? 1 : 0; seen[b3] = stamp;
      }
      if (repeats > RANDOM_MAX_REPEATS) return false;
    }
    return true;
  }

  /**
   * Compresses the page at src[base, base + 4096) (4-byte aligned in its buffer) into
   * `out`; returns the length, or −1 when the result would not be usefully shorter
   * than the page.
   */
  lz(src: Uint8Array, base: number): number {
    const at = src.byteOffset + base;
    if ((at & 3) !== 0) throw new RangeError('PageCompressor.lz: the page must be 4-byte aligned');
    const w = this.views.words(src), w0 = at >>> 2;
    // Hash entries carry a per-page stamp in their high bits, so the table is never cleared.
    this.stamp = (this.stamp + 1) & 0x1fffff;
    if (this.stamp === 0) { this.table.fill(0); this.stamp = 1; }
    const stamp = this.stamp, stampHi = stamp << 10;
    const table = this.table, out = this.out;
    let i = 0, anchor = 0, op = 0, misses = 0;
    while (i < PAGE_WORDS - 1) {
      const v = w[w0 + i];
      const h = Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS);
      const e = table[h];
      table[h] = stampHi | i;
      if ((e >>> 10) === stamp) {
        const c = e & (PAGE_WORDS - 1);
        if (w[w0 + c] === v && w[w0 + c + 1] === w[w0 + i + 1]) {
          let len = MIN_MATCH;
          while (i + len < PAGE_WORDS && w[w0 + c + len] === w[w0 + i + len]) len++;
          // Sequence: literals [anchor, i), then the match.
          const lit = i - anchor;
          if (op + lit * 4 + 16 + ((lit + len) >> 7) >= LZ_LIMIT) return -1;
          op = emit(this.outView, out, op, w, w0 + anchor, lit, i - c, len);
          i += len;
          anchor = i;
          misses = 0;
          continue;
        }
      }
      i += 1 + (misses++ >> SKIP_SHIFT);
    }
    const lit = PAGE_WORDS - anchor;
    if (lit > 0) {
      if (op + lit * 4 + 8 + (lit >> 7) >= LZ_LIMIT) return -1;
      op = emit(this.outView, out, op, w, w0 + anchor, lit, 0, 0);
    }
    return op;
  }
}

/** Emits one sequence: `lit` literal words from w[litWord…], then a match (len 0: none). */
function emit(dv: DataView, out: Uint8Array, op: number, w: Int32Array, litWord: number, lit: number, offset: number, len: number): number {
  const ml = len === 0 ? 0 : len - MIN_MATCH;
  out[op++] = ((lit >= 15 ? 15 : lit) << 4) | (ml >= 15 ? 15 : ml);
  if (lit >= 15) op = putLength(out, op, lit - 15);
  // Literal words keep their bytes as in RAM (host byte order in, host byte order out).
  for (let k = 0; k < lit; k++, op += 4) dv.setInt32(op, w[litWord + k], LITTLE_ENDIAN_HOST);
  if (len === 0) return op;
  out[op++] = offset & 0xff;
  out[op++] = offset >>> 8;
  if (ml >= 15) op = putLength(out, op, ml - 15);
  return op;
}

function putLength(out: Uint8Array, op: number, n: number): number {
  while (n >= 255) { out[op++] = 255; n -= 255; }
  out[op++] = n;
  return op;
}

/**
 * Decodes LZ page streams (lzDecode), keeping its views of the buffers it last read and
 * wrote: one per restore, which decodes page after page of one file into one RAM.
 */
export class PageDecoder {
  private readonly dstViews = new BufferViews();
  private readonly srcViews = new BufferViews();

  /** lzDecode through this decoder's views. */
  decode(src: Uint8Array, sp: number, sEnd: number, dst: Uint8Array | undefined, dp: number): boolean {
    // Matches copy whole words through an Int32Array view when the page is aligned.
    const dw = dst && ((dst.byteOffset + dp) & 3) === 0 ? this.dstViews.words(dst) : undefined;
    return decodeStream(src, sp, sEnd, dst, dp, dw, dw ? this.srcViews.data(src) : undefined);
  }
}

/**
 * Decodes an LZ page stream src[sp, sEnd) into dst[dp, dp + 4096) (or, with dst
 * undefined, only checks it). Returns false, having written at most the page, when the
 * stream is malformed. (Page after page: PageDecoder, which keeps its buffer views.)
 */
export function lzDecode(src: Uint8Array, sp: number, sEnd: number, dst: Uint8Array | undefined, dp: number): boolean {
  return dst ? new PageDecoder().decode(src, sp, sEnd, dst, dp) : decodeStream(src, sp, sEnd, undefined, dp, undefined, undefined);
}

/** lzDecode with the word view of dst's buffer (aligned pages) and the DataView of src's, when given. */
function decodeStream(
  src: Uint8Array, sp: number, sEnd: number, dst: Uint8Array | undefined, dp: number, dw: Int32Array | undefined, sv: DataView | undefined,
): boolean {
  const d0 = dst ? (dst.byteOffset + dp) >>> 2 : 0;
  let o = 0; // words written
  while (o < PAGE_WORDS) {
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
    if (lit > PAGE_WORDS - o || lit * 4 > sEnd - sp) return false;
    const nb = lit * 4;
    if (dw) {
      const s0 = src.byteOffset + sp, d = d0 + o;
      for (let k = 0; k < lit; k++) dw[d + k] = sv!.getInt32(s0 + k * 4, LITTLE_ENDIAN_HOST);
    } else if (dst) {
      const d = dp + o * 4;
      for (let k = 0; k < nb; k++) dst[d + k] = src[sp + k];
    }
    sp += nb;
    o += lit;
    if (o === PAGE_WORDS) break;
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
    if (offset === 0 || offset > o || len > PAGE_WORDS - o) return false;
    if (dw) {
      const d = d0 + o;
      for (let k = 0; k < len; k++) dw[d + k] = dw[d - offset + k];
    } else if (dst) {
      // Byte by byte, forwards: an overlapping copy repeats the pattern, as with words.
      const d = dp + o * 4, back = offset * 4;
      for (let k = 0; k < len * 4; k++) dst[d + k] = dst[d - back + k];
    }
    o += len;
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
