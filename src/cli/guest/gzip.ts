// gzip container (RFC 1952) around a raw DEFLATE stream from node:zlib: the 10-byte
// header (no optional fields unless a file name is given), the compressed blocks, then
// the CRC-32 of the uncompressed data and its length modulo 2^32, both little-endian.
// The CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xedb88320) is computed here.

import { deflateRawSync } from 'node:zlib';

const CRC_TABLES: Uint32Array[] = (() => {
  // Eight tables for slicing-by-8: table k maps a byte to its CRC contribution k bytes later.
  const t: Uint32Array[] = [];
  const base = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    base[n] = c >>> 0;
  }
  t.push(base);
  for (let k = 1; k < 8; k++) {
    const prev = t[k - 1]!;
    const cur = new Uint32Array(256);
    for (let n = 0; n < 256; n++) cur[n] = (base[prev[n]! & 0xff]! ^ (prev[n]! >>> 8)) >>> 0;
    t.push(cur);
  }
  return t;
})();

/** CRC-32 of `data`, continuing from `crc` (the CRC of the bytes before it; 0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  for (; i + 8 <= n; i += 8) {
    const lo = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]!
      ^ t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
  }
  for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export interface GzipOptions {
  /** DEFLATE level 0-9 (default 9). */
  level?: number;
  /** MTIME in seconds since 1970 (default 0: no time stamp, reproducible output). */
  mtime?: number;
  /** Original file name (FNAME field, ISO 8859-1, no NUL). */
  name?: string;
}

const FLG_FNAME = 0x08;
const OS_UNIX = 3;

/** Compresses `data` into a gzip member (one member, as gzip(1) writes). */
export function gzip(data: Uint8Array, opts: GzipOptions = {}): Uint8Array {
  const level = opts.level ?? 9;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError(`gzip level must be 0..9, got ${level}`);
  const mtime = opts.mtime ?? 0;
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > 0xffffffff) throw new RangeError(`gzip mtime out of range: ${mtime}`);
  let name = new Uint8Array(0);
  if (opts.name !== undefined) {
    if (/[\0\u0100-\uffff]/.test(opts.name)) throw new RangeError('gzip file name must be ISO 8859-1 without NUL');
    name = Uint8Array.from(opts.name, (ch) => ch.charCodeAt(0));
  }
  const body = deflateRawSync(data, { level });

  const header = new Uint8Array(10 + (opts.name !== undefined ? name.length + 1 : 0));
  const hv = new DataView(header.buffer);
  header[0] = 0x1f; // ID1
  header[1] = 0x8b; // ID2
  header[2] = 8; // CM = deflate
  header[3] = opts.name !== undefined ? FLG_FNAME : 0;
  hv.setUint32(4, mtime, true);
  header[8] = level === 9 ? 2 : level === 1 ? 4 : 0; // XFL: slowest / fastest compression
  header[9] = OS_UNIX;
  if (opts.name !== undefined) header.set(name, 10); // followed by the NUL already in place

  const trailer = new Uint8Array(8);
  const tv = new DataView(trailer.buffer);
  tv.setUint32(0, crc32(data), true);
  tv.setUint32(4, data.length % 0x100000000, true);

  const out = new Uint8Array(header.length + body.length + trailer.length);
  out.set(header, 0);
  out.set(body, header.length);
  out.set(trailer, header.length + body.length);
  return out;
}
