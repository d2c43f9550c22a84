// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final XOR
// 0xFFFFFFFF — the checksum of zip, gzip and PNG). Checkpoint sections carry one each.
//
// Two implementations of the same function:
//   - the host's zlib (node:zlib crc32, Node ≥ 20.15 / 22.2; vectorised, several times
//     faster than anything in JavaScript), used for pieces of NATIVE_MIN bytes or more
//     when present and when it agrees with the portable implementation on a self-test
//     at load (so a faulty host implementation can only cost speed, never integrity);
//   - a portable one, sixteen bytes at a time with sixteen derived tables ("slicing by
//     16", kept in one flat array); bytes before the first 4-byte-aligned address and
//     after the last whole 16-byte block go one at a time. It is the reference the
//     tests hold the fast path to, and the fallback.


const TABLE_COUNT = 16;

/** Table k (at k * 256) gives the CRC contribution of a byte followed by k zero bytes. */
const TABLES: Int32Array = (() => {
  const t = new Int32Array(TABLE_COUNT * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let k = 1; k < TABLE_COUNT; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
})();

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The portable implementation: continues a CRC-32 over `data`. */
export function crc32Portable(data: Uint8Array, previous = 0): number {
  const t = TABLES;
  let c = ~previous;
  let i = 0;
  const n = data.length;
  if (LITTLE_ENDIAN_HOST) {
    // Up to the first aligned byte, then whole 16-byte blocks through a word view.
    const head = Math.min(n, (4 - (data.byteOffset & 3)) & 3);
    while (i < head) c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
    const blocks = (n - i) >>> 4;
    if (blocks > 0) {
      const w = new Int32Array(data.buffer, data.byteOffset + i, blocks * 4);
      for (let k = 0; k < w.length; k += 4) {
        const a = w[k] ^ c, b = w[k + 1], d = w[k + 2], e = w[k + 3];
        c = t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^ t[3072 + (a >>> 24)]
          ^ t[2816 + (b & 0xff)] ^ t[2560 + ((b >>> 8) & 0xff)] ^ t[2304 + ((b >>> 16) & 0xff)] ^ t[2048 + (b >>> 24)]
          ^ t[1792 + (d & 0xff)] ^ t[1536 + ((d >>> 8) & 0xff)] ^ t[1280 + ((d >>> 16) & 0xff)] ^ t[1024 + (d >>> 24)]
          ^ t[768 + (e & 0xff)] ^ t[512 + ((e >>> 8) & 0xff)] ^ t[256 + ((e >>> 16) & 0xff)] ^ t[e >>> 24];
      }
      i += blocks * 16;
    }
  }
  while (i < n) c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Below this many bytes the portable code is as fast as a call into zlib. */
const NATIVE_MIN = 256;

type Crc32Fn = (data: Uint8Array, previous: number) => number;

/**
 * The host's zlib crc32 if it exists and agrees with crc32Portable on a self-test (node:zlib
 * is looked up, not imported: the module also loads where Node's modules do not exist).
 */
function nativeCrc32(): Crc32Fn | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const zlib = typeof require === 'function' ? require('node:zlib') as { crc32?: (data: Uint8Array, value?: number) => number } : undefined;
    const f = zlib?.crc32;
    if (typeof f !== 'function') return undefined;
    // Odd lengths, odd offsets, a continued CRC: every path the callers use.
    const probe = new Uint8Array(4099);
    let x = 0x2545f491;
    for (let i = 0; i < probe.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; probe[i] = x; }
    for (const [from, to, prev] of [[0, 4099, 0], [1, 4000, 0], [3, 1030, 0x1234abcd], [0, 9, 0]] as const) {
      const piece = probe.subarray(from, to);
      if ((f(piece, prev) >>> 0) !== crc32Portable(piece, prev)) return undefined;
    }
    if ((f(new TextEncoder().encode('123456789'), 0) >>> 0) !== 0xcbf43926) return undefined;
    return (data, previous) => f(data, previous) >>> 0;
  } catch {
    return undefined;
  }
}

const native = nativeCrc32();

/** Which implementation crc32() uses for long pieces (reported by the benchmark). */
export const CRC32_IMPLEMENTATION: 'zlib' | 'portable' = native ? 'zlib' : 'portable';

/** Continues a CRC-32 over `data` (pass the previous result to checksum in pieces). */
export function crc32(data: Uint8Array, previous = 0): number {
  if (native !== undefined && data.length >= NATIVE_MIN) return native(data, previous);
  return crc32Portable(data, previous);
}
