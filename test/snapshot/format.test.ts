// Building blocks of the checkpoint format: CRC-32 against published test vectors and
// zlib, the content hash against an independent SHA-256 of the file's bytes (node:crypto),
// the page compressor (round trips over many kinds of page, malformed streams refused
// without writing outside the page), and the container (sections, content hash,
// truncation, CRC-compensated edits and version errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { crc32 } from '../../src/emulator/snapshot/crc32';
import { reseal, sectionsOf } from '../support/forge';
import { isFillPage, lzDecode, PAGE_SIZE, PageCompressor } from '../../src/emulator/snapshot/compress';
import {
  assembleCheckpoint, CheckpointError, CheckpointHeader, parseCheckpoint, peekHeader,
} from '../../src/emulator/snapshot/format';
import { HASHES } from '../support/hashes';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

test('CRC-32 matches the check value and zlib.crc32 on random data, also in pieces', () => {
  assert.equal(crc32(enc('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  const r = rng(7);
  for (const n of [1, 3, 7, 8, 9, 63, 64, 65, 1000, 4096, 100_003]) {
    const b = Uint8Array.from({ length: n }, () => r() & 0xff);
    const want = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32?.(b);
    if (want !== undefined) assert.equal(crc32(b), want >>> 0, `n=${n}`);
    const cut = Math.floor(n / 3);
    assert.equal(crc32(b.subarray(cut), crc32(b.subarray(0, cut))), crc32(b), `pieces n=${n}`);
  }
  // Independent oracle on every Node version: the CRC-32 in a gzip member's trailer
  // (zlib), for every start alignment and lengths around the 16-byte blocks.
  const big = Uint8Array.from({ length: 5000 }, () => r() & 0xff);
  for (const start of [0, 1, 2, 3, 4, 5, 7]) {
    for (const n of [0, 1, 15, 16, 17, 31, 33, 64, 100, 4096, 4099]) {
      const b = big.subarray(start, start + n);
      const gz = zlib.gzipSync(b);
      const want = new DataView(gz.buffer, gz.byteOffset + gz.length - 8, 4).getUint32(0, true);
      assert.equal(crc32(b), want, `start ${start} n=${n}`);
    }
  }
});

/**
 * The identity computed independently from a file's bytes (format.ts, version 5): the
 * SHA-256 of the preamble and the 48-byte section headers before END!, each header
 * holding the SHA-256 of its payload (checked here too).
 */
function contentHash(b: Uint8Array): string {
  const h = createHash('sha256').update(b.subarray(0, 12));
  for (const s of sectionsOf(b)) {
    if (s.tag === 'END!') break;
    assert.equal(s.offset - s.header, 48);
    assert.deepEqual(b.subarray(s.header + 16, s.offset), new Uint8Array(createHash('sha256').update(b.subarray(s.offset, s.offset + s.length)).digest()), `${s.tag} hash`);
    h.update(b.subarray(s.header, s.offset));
  }
  return h.digest('hex');
}

/** Pages of many shapes: text, code-like, sparse, runs, random, periodic. */
function pages(): Array<[string, Uint8Array]> {
  const r = rng(99);
  const out: Array<[string, Uint8Array]> = [];
  const mk = (name: string, f: (i: number) => number): void => {
    out.push([name, Uint8Array.from({ length: PAGE_SIZE }, (_, i) => f(i) & 0xff)]);
  };
  mk('zero', () => 0);
  mk('ones', () => 0xff);
  mk('random', () => r());
  mk('text', (i) => 'the quick brown fox jumps over the lazy dog; '.charCodeAt(i % 45));
  mk('period3', (i) => [1, 2, 3][i % 3]);
  mk('counter32', (i) => (i >> 2) >> ((i & 3) * 8));
  mk('sparse', (i) => (i % 611 === 0 ? r() : 0));
  mk('half random', (i) => (i < 2048 ? r() : 0));
  mk('tail random', (i) => (i >= 4090 ? r() : 7));
  mk('last byte', (i) => (i === 4095 ? 1 : 0));
  mk('runs', (i) => Math.floor(i / 300));
  mk('long literal then match', (i) => (i < 600 ? r() : i < 3000 ? 5 : r()));
  mk('words', (i) => [0x27, 0xbd, 0xff, 0xe0, 0xff, 0xbf, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00][i % 12] ^ ((i >> 9) & 1));
  for (let k = 0; k < 40; k++) {
    const density = r() % 100;
    mk(`mixed ${k}`, () => (r() % 100 < density ? r() : (k * 37) & 0xff));
  }
  return out;
}

test('page compressor: every page round-trips exactly; compressible pages shrink; random ones fall back', () => {
  const c = new PageCompressor();
  const dst = new Uint8Array(PAGE_SIZE + 8).fill(0xee);
  for (const [name, page] of pages()) {
    // Compress from an offset inside a larger buffer, as from RAM.
    const ram = new Uint8Array(PAGE_SIZE * 3);
    ram.set(page, PAGE_SIZE);
    const n = c.lz(ram, PAGE_SIZE);
    if (name === 'random') assert.equal(n, -1, 'random page should not compress');
    assert.throws(() => c.lz(ram, PAGE_SIZE + 1), RangeError, 'pages are word-aligned');
    if (['text', 'period3', 'zero', 'runs', 'sparse'].includes(name)) assert.ok(n > 0 && n < 400, `${name}: ${n} bytes`);
    if (n < 0) continue;
    assert.ok(n < PAGE_SIZE, name);
    const stream = c.out.slice(0, n);
    assert.equal(lzDecode(stream, 0, n, undefined, 0), true, `${name}: validates`);
    dst.fill(0xee);
    assert.equal(lzDecode(stream, 0, n, dst, 4), true, `${name}: decodes`);
    assert.deepEqual(dst.subarray(4, 4 + PAGE_SIZE), page, `${name}: round trip`);
    assert.equal(dst[3], 0xee);
    assert.equal(dst[4 + PAGE_SIZE], 0xee);
    // A destination that is not word-aligned takes the byte-copy path: same result.
    dst.fill(0xee);
    assert.equal(lzDecode(stream, 0, n, dst, 3), true, `${name}: decodes unaligned`);
    assert.deepEqual(dst.subarray(3, 3 + PAGE_SIZE), page, `${name}: unaligned round trip`);
    assert.equal(dst[2], 0xee);
    assert.equal(dst[3 + PAGE_SIZE], 0xee);
  }
});

test('page decoder: truncated, extended or altered streams are refused and never write outside the page', () => {
  const c = new PageCompressor();
  const r = rng(12345);
  let refused = 0, accepted = 0;
  for (const [, page] of pages()) {
    const n = c.lz(page, 0);
    if (n < 0) continue;
    const stream = c.out.slice(0, n);
    const variants: Uint8Array[] = [stream.subarray(0, n - 1), stream.subarray(1), Uint8Array.from([...stream, 0])];
    for (let k = 0; k < 30; k++) {
      const v = stream.slice();
      v[r() % n] ^= 1 << (r() % 8);
      variants.push(v);
    }
    for (const v of variants) {
      const guard = new Uint8Array(PAGE_SIZE + 64).fill(0xaa);
      const ok = lzDecode(v, 0, v.length, guard, 32);
      for (let i = 0; i < 32; i++) assert.equal(guard[i], 0xaa);
      for (let i = 32 + PAGE_SIZE; i < guard.length; i++) assert.equal(guard[i], 0xaa);
      assert.equal(lzDecode(v, 0, v.length, undefined, 0), ok, 'validation agrees with decoding');
      if (ok) accepted++; else refused++;
    }
  }
  assert.ok(refused > 100, `refused ${refused}`);
  void accepted;
});

test('isFillPage', () => {
  const a = new Int32Array(2048);
  assert.equal(isFillPage(a, 0), true);
  a.fill(0x12345678, 1024);
  assert.equal(isFillPage(a, 1024), true);
  a[2047] = 1;
  assert.equal(isFillPage(a, 1024), false);
  a[0] = -1;
  assert.equal(isFillPage(a, 0), false);
});

function header(over: Partial<CheckpointHeader> = {}): CheckpointHeader {
  return {
    format: 'mips64-studio-checkpoint', id: 'x1', name: 'test', kind: 'full', parentId: null, parentHash: null,
    wallTimeMs: 0, created: new Date(0).toISOString(), icount: 5, virtualNs: 25,
    machine: { board: 'demo', cpu: '5KEc', ramBytes: 1 << 20, bigEndian: false, nsPerInsn: 5 },
    components: [], pageSize: 4096, pages: 0, inputEvents: 0, producer: 'test', ...over,
  };
}

test('container: sections and digest round-trip; any truncation or flipped bit is refused', () => {
  const stat = Uint8Array.from([0, 0, 0, 0]);
  const inpt = Uint8Array.from([0, 0, 0, 0]);
  const { bytes, hash } = assembleCheckpoint(header(), [{ tag: 'STAT', pieces: [stat] }, { tag: 'INPT', pieces: [inpt.subarray(0, 2), inpt.subarray(2)] }], HASHES);
  const p = parseCheckpoint(bytes, undefined, HASHES);
  assert.equal(p.hash, hash);
  assert.equal(hash, contentHash(bytes), 'the identity is the SHA-256 of the content');
  assert.equal(p.header.name, 'test');
  assert.deepEqual(p.sections.map((s) => s.tag), ['HEAD', 'STAT', 'INPT']);
  assert.equal(peekHeader(bytes).id, 'x1');
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(() => parseCheckpoint(bytes.subarray(0, cut), undefined, HASHES), (e: unknown) => e instanceof CheckpointError && e.code === 'corrupt', `cut ${cut}`);
  }
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const b = bytes.slice();
      b[i] ^= 1 << bit;
      assert.throws(() => parseCheckpoint(b, undefined, HASHES), (e: unknown) => e instanceof CheckpointError, `byte ${i} bit ${bit}`);
    }
  }
  assert.throws(() => parseCheckpoint(Uint8Array.from([...bytes, 0]), undefined, HASHES), /unexpected bytes after/);
});

test('container: an edited payload is refused naming its section; with its hash redone, by the identity; re-sealed, it is another checkpoint', () => {
  const payload = enc('the original text, long enough to hide four compensating bytes in it');
  const { bytes, hash } = assembleCheckpoint(header(), [{ tag: 'STAT', pieces: [payload] }, { tag: 'INPT', pieces: [new Uint8Array(4)] }], HASHES);
  const stat = sectionsOf(bytes).find((s) => s.tag === 'STAT')!;
  const forged = bytes.slice();
  forged.set(enc('THE FORGED'), stat.offset);
  assert.throws(() => parseCheckpoint(forged, undefined, HASHES), new RegExp(`section STAT at offset ${stat.header} is damaged \\(its SHA-256 does not match its contents\\)`));
  // The section's own hash recomputed (as a forger would): the identity covers it.
  const rehashed = forged.slice();
  rehashed.set(createHash('sha256').update(rehashed.subarray(stat.offset, stat.offset + stat.length)).digest(), stat.header + 16);
  assert.throws(() => parseCheckpoint(rehashed, undefined, HASHES), /content hash mismatch \(a section header or END! was altered or damaged\)/);
  // Re-sealed (every hash recomputed): a valid file, but another identity.
  const sealed = reseal(forged.slice());
  const resealed = parseCheckpoint(sealed, undefined, HASHES);
  assert.notEqual(resealed.hash, hash);
  assert.equal(resealed.hash, contentHash(sealed));
});

test('container: damage in one of many PAGE sections names it and its RAM page range; more damage is counted', () => {
  const page = (fill: number): Uint8Array => new Uint8Array(5 + 4096).fill(fill).fill(0, 0, 4);
  const { bytes } = assembleCheckpoint(header(), [
    { tag: 'STAT', pieces: [new Uint8Array(4)] }, { tag: 'INPT', pieces: [new Uint8Array(4)] },
    { tag: 'PAGE', pieces: [page(1)], first: 0x10, last: 0x1f },
    { tag: 'PAGE', pieces: [page(2)], first: 0x20, last: 0x3ff },
    { tag: 'PAGE', pieces: [page(3)], first: 0x400, last: 0x400 },
  ], HASHES);
  const secs = sectionsOf(bytes).filter((s) => s.tag === 'PAGE');
  const b = bytes.slice();
  b[secs[1].offset + 100] ^= 4;
  assert.throws(() => parseCheckpoint(b, undefined, HASHES), new RegExp(`section PAGE 2 of 3 at offset ${secs[1].header} \\(RAM pages 0x20–0x3ff, bytes 0x20000–0x3fffff\\) is damaged \\(its SHA-256 does not match its contents\\)$`));
  b[secs[2].offset + 7] ^= 4;
  assert.throws(() => parseCheckpoint(b, undefined, HASHES), /section PAGE 2 of 3 .* is damaged .*; 1 more section is damaged too$/);
});

test('container: another format version is refused as such (older: take it again; newer); so is a header with missing fields', () => {
  const { bytes } = assembleCheckpoint(header(), [{ tag: 'STAT', pieces: [new Uint8Array(4)] }, { tag: 'INPT', pieces: [new Uint8Array(4)] }], HASHES);
  assert.equal(new DataView(bytes.buffer).getUint32(8, true), 5, 'this build writes version 5');
  assert.equal(parseCheckpoint(bytes, undefined, HASHES).header.id, 'x1');
  const b = bytes.slice();
  new DataView(b.buffer).setUint32(8, 1, true);
  assert.throws(() => parseCheckpoint(b, undefined, HASHES), (e: unknown) => e instanceof CheckpointError && e.code === 'version'
    && /format version 1 is not supported \(this build reads versions 3, 4, 5\): .*older build.*take the checkpoint again/.test(e.message));
  assert.throws(() => peekHeader(b), (e: unknown) => e instanceof CheckpointError && e.code === 'version');
  new DataView(b.buffer).setUint32(8, 2, true);
  assert.throws(() => parseCheckpoint(b, undefined, HASHES), (e: unknown) => e instanceof CheckpointError && e.code === 'version'
    && /format version 2 is not supported \(this build reads versions 3, 4, 5\): .*identity hash did not cover the contents; take the checkpoint again/.test(e.message));
  new DataView(b.buffer).setUint32(8, 6, true);
  assert.throws(() => parseCheckpoint(b, undefined, HASHES), (e: unknown) => e instanceof CheckpointError && e.code === 'version'
    && /format version 6 is not supported \(this build reads versions 3, 4, 5\): .*newer build/.test(e.message));
  const bad = assembleCheckpoint({ ...header(), machine: undefined } as unknown as CheckpointHeader,
    [{ tag: 'STAT', pieces: [new Uint8Array(4)] }, { tag: 'INPT', pieces: [new Uint8Array(4)] }], HASHES);
  assert.throws(() => parseCheckpoint(bad.bytes, undefined, HASHES), /header field 'machine'/);
  const inc = assembleCheckpoint(header({ kind: 'incremental' }), [{ tag: 'STAT', pieces: [new Uint8Array(4)] }, { tag: 'INPT', pieces: [new Uint8Array(4)] }], HASHES);
  assert.throws(() => parseCheckpoint(inc.bytes, undefined, HASHES), /header field 'parentId'/);
});
