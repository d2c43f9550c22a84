// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final XOR
// 0xFFFFFFFF — the checksum of zip, gzip and PNG), computed eight bytes at a time with
// eight derived tables ("slicing by 8"). Checkpoint sections carry one each.

const TABLES: Uint32Array[] = (() => {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  // Table k gives the CRC contribution of a byte followed by k zero bytes.
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1], t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n] >>> 8) ^ t0[prev[n] & 0xff];
    tables.push(t);
  }
  return tables;
})();

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Continues a CRC-32 over `data` (pass the previous result to checksum in pieces). */
export function crc32(data: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = ~previous >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n & 7);
  if (LITTLE_ENDIAN_HOST && (data.byteOffset & 3) === 0 && end8 > 0) {
    // Whole words at a time through an aligned view.
    const w = new Uint32Array(data.buffer, data.byteOffset, end8 >>> 2);
    for (let k = 0; k < w.length; k += 2) {
      const a = w[k] ^ c, b = w[k + 1];
      c = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24]
        ^ t3[b & 0xff] ^ t2[(b >>> 8) & 0xff] ^ t1[(b >>> 16) & 0xff] ^ t0[b >>> 24];
    }
    i = end8;
  }
  while (i < end8) {
    const a = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ c;
    c = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24]
      ^ t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
    i += 8;
  }
  while (i < n) c = t0[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
