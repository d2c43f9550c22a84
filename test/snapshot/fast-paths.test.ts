// The checkpoint capture's fast paths, held to slow references: crc32 (zlib when the
// host has it, else the portable slicing-by-16) and crc32Portable against a
// bit-at-a-time CRC-32 written here, at every start alignment and across the lengths
// where the implementations switch; section CRCs written by assembleCheckpoint (copied
// and checksummed a chunk at a time) against that reference; the incompressibility
// sample (random pages are judged random; nothing LZ can shorten usefully is; the
// verdict is exactly the documented count against its threshold); and an
// incremental checkpoint of random pages: stored Raw, restored byte-identical; the
// one-pass CheckpointBuilder against assembleCheckpoint (byte-identical files).
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32, crc32Portable, CRC32_IMPLEMENTATION } from '../../src/emulator/snapshot/crc32';
import { PAGE_SIZE, PageCodec, PageCompressor } from '../../src/emulator/snapshot/compress';
import {
  assembleCheckpoint, CheckpointBuilder, CheckpointHeader, PAGE_SECTION_BYTES, parseCheckpoint,
} from '../../src/emulator/snapshot/format';
import { materializeRam, restoreCheckpoint, walkPages } from '../../src/emulator/snapshot/checkpoint';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import { bootScribbler, demoElf, REGION, scribble } from '../support/checkpoint-guests';
import { HASHES } from '../support/hashes';

const SEED = process.env.CKPT_FAST_SEED === 'random' ? (Date.now() & 0x7fffffff) : Number(process.env.CKPT_FAST_SEED ?? 20261121);
console.log(`fast-paths seed ${SEED} (CKPT_FAST_SEED=random explores)`);

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** CRC-32 one bit at a time, straight from the definition (reflected 0xEDB88320). */
function crcBitwise(b: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

const LENGTHS = [
  ...Array.from({ length: 70 }, (_, i) => i), 127, 128, 129, 255, 256, 257, 511, 1000, 4095, 4096, 4097, 65535, 65536, 70001,
];

test('CRC-32: both implementations equal a bit-at-a-time reference at every alignment, length and split', () => {
  const r = rng(SEED);
  const big = Uint8Array.from({ length: 70001 + 32 }, () => r() & 0xff);
  for (let start = 0; start < 16; start++) {
    for (const n of LENGTHS) {
      const b = big.subarray(start, start + n);
      const want = crcBitwise(b);
      assert.equal(crc32Portable(b), want, `portable start ${start} n=${n}`);
      assert.equal(crc32(b), want, `crc32 start ${start} n=${n}`);
      // Continued over two pieces with an arbitrary cut (one side may take the other path).
      const cut = n === 0 ? 0 : r() % (n + 1);
      assert.equal(crc32(b.subarray(cut), crc32(b.subarray(0, cut))), want, `crc32 pieces start ${start} n=${n} cut ${cut}`);
      assert.equal(crc32Portable(b.subarray(cut), crc32Portable(b.subarray(0, cut))), want, `portable pieces start ${start} n=${n}`);
    }
  }
  // Mixed: a CRC started by one implementation and continued by the other.
  const b = big.subarray(3, 9000);
  assert.equal(crc32Portable(b.subarray(5000), crc32(b.subarray(0, 5000))), crcBitwise(b));
  assert.equal(crc32(b.subarray(77), crc32Portable(b.subarray(0, 77))), crcBitwise(b));
});

test('CRC-32: the host zlib is used when this Node has zlib.crc32 (and agreed with the reference at load)', () => {
  const has = typeof (zlib as { crc32?: unknown }).crc32 === 'function';
  assert.equal(CRC32_IMPLEMENTATION, has ? 'zlib' : 'portable');
});

function header(): CheckpointHeader {
  return {
    format: 'mips64-studio-checkpoint', id: 'f1', name: 'fast', kind: 'full', parentId: null, parentHash: null,
    wallTimeMs: 0, created: new Date(0).toISOString(), icount: 0, virtualNs: 0,
    machine: { board: 'demo', cpu: '5KEc', ramBytes: 1 << 20, bigEndian: false, nsPerInsn: 5 },
    components: [], pageSize: 4096, pages: 0, inputEvents: 0, producer: 'test',
  };
}

test('container: sections of many pieces carry the SHA-256 of exactly their bytes', () => {
  const r = rng(SEED ^ 0x5a5a);
  const mk = (count: number): Uint8Array[] => Array.from({ length: count }, () => {
    const n = [0, 1, 5, 4096, r() % 9000][r() % 5];
    const backing = Uint8Array.from({ length: n + 3 }, () => r() & 0xff);
    const off = r() % 4; // pieces at every alignment
    return backing.subarray(off, Math.min(backing.length, off + n));
  });
  const stat = mk(40), inpt = mk(3), page = mk(300);
  const { bytes } = assembleCheckpoint(header(), [
    { tag: 'STAT', pieces: stat }, { tag: 'INPT', pieces: inpt }, { tag: 'PAGE', pieces: page },
  ], HASHES);
  const p = parseCheckpoint(bytes, undefined, HASHES);
  const concat = (a: Uint8Array[]): Uint8Array => Uint8Array.from(a.flatMap((x) => [...x]));
  const want = [concat(stat), concat(inpt), concat(page)];
  assert.ok(want[2].length > 3 * 65536, 'the PAGE section spans many pieces');
  p.sections.slice(1).forEach((s, i) => {
    const payload = p.payload(s);
    assert.deepEqual(payload, want[i], `${s.tag} payload`);
    // Format 5: no CRCs; each section header holds the SHA-256 of its payload.
    assert.equal(s.crc, undefined, `${s.tag} CRC`);
    assert.equal(Buffer.from(s.sha256!).toString('hex'), createHash('sha256').update(Buffer.concat(i === 0 ? stat : i === 1 ? inpt : page)).digest('hex'), `${s.tag} SHA-256`);
  });
});

test('CheckpointBuilder writes byte for byte the file assembleCheckpoint makes of the same sections', () => {
  const r = rng(SEED ^ 0x3c3c);
  const blob = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => r() & 0xff);
  const secs = [
    { tag: 'STAT', pieces: [blob(100), blob(7)] }, { tag: 'INPT', pieces: [blob(0)] },
    { tag: 'PAGE', pieces: [blob(300_000), blob(5)] }, { tag: 'PAGE', pieces: [blob(70_000)] },
  ];
  const want = assembleCheckpoint(header(), secs, HASHES);
  const head = new TextEncoder().encode(JSON.stringify(header()));
  const b = new CheckpointBuilder(1 << 20, secs.length + 1, HASHES);
  b.begin('HEAD'); b.bytes(head); b.end();
  for (const s of secs) {
    b.begin(s.tag);
    for (const p of s.pieces) {
      // Half written through bytes(), half in place through reserve()/at, as callers do.
      const k = p.length >> 1;
      b.bytes(p.subarray(0, k));
      b.reserve(p.length - k);
      b.out.set(p.subarray(k), b.at);
      b.at += p.length - k;
    }
    b.end();
  }
  const got = b.finish();
  assert.equal(got.hash, want.hash);
  assert.deepEqual(got.bytes, want.bytes);
  assert.ok(got.bytes.buffer.byteLength < want.bytes.length * 4 / 3, 'a mostly empty buffer is not kept');
  // Misuse is refused rather than producing a bad file.
  const c = new CheckpointBuilder(16, 2, HASHES);
  assert.throws(() => c.begin('STAT'), /HEAD comes first/);
  c.begin('HEAD');
  assert.throws(() => c.bytes(new Uint8Array(200)), RangeError);
  assert.throws(() => c.finish(), /unfinished/);
});

test('incremental checkpoint spanning several PAGE sections, every codec: parses, section sizes bounded, decodes to RAM', () => {
  const MiB = 1048576;
  const m = bootScribbler({ engine: 'jit', memoryMiB: 32 });
  m.run(1000);
  const cp = new Checkpointer(m, { memoryBudgetBytes: 256 * MiB });
  cp.take({ kind: 'full' });
  scribble(m, 10 * MiB, 0, 0); // random: Raw records over more than one 8 MiB section
  m.bus.writeBytes(REGION + 12 * MiB, new Uint8Array(PAGE_SIZE).fill(0x5a)); // Fill
  m.bus.writeBytes(REGION + 13 * MiB, new TextEncoder().encode('lz '.repeat(2000))); // Lz
  m.bus.writeBytes(REGION + 14 * MiB, new Uint8Array(PAGE_SIZE)); // Zero (written, still zero)
  const want = m.bus.ram.slice();
  const inc = cp.take({ kind: 'incremental' });
  const chain = cp.chain(inc.id);
  const pageSecs = chain[1].sections.filter((s) => s.tag === 'PAGE');
  assert.ok(pageSecs.length >= 2, `${pageSecs.length} PAGE sections`);
  for (const s of pageSecs.slice(0, -1)) assert.ok(s.length >= PAGE_SECTION_BYTES && s.length < PAGE_SECTION_BYTES + PAGE_SIZE + 5, `section of ${s.length} bytes`);
  const seen = new Set<PageCodec>();
  assert.equal(walkPages(chain[1], m.bus.ramSize >>> 12, (rec) => seen.add(rec.codec)), inc.pages);
  assert.deepEqual([...seen].sort(), [PageCodec.Zero, PageCodec.Fill, PageCodec.Lz, PageCodec.Raw].sort());
  assert.deepEqual(materializeRam(chain), want);
  cp.dispose();
});

/**
 * Pages LZ shortens by at least an eighth (when it does): the sample must not call
 * these random. (A sample has blind spots: zero runs under a KiB between its sample
 * points can go unseen, costing that page its compression, never its contents.)
 */
function compressiblePages(): Array<[string, Uint8Array]> {
  const r = rng(SEED ^ 0x1234);
  const out: Array<[string, Uint8Array]> = [];
  const mk = (name: string, f: (i: number) => number): void => { out.push([name, Uint8Array.from({ length: PAGE_SIZE }, (_, i) => f(i) & 0xff)]); };
  mk('text', (i) => 'the quick brown fox jumps over the lazy dog; '.charCodeAt(i % 45));
  mk('half random, half zero', (i) => (i < 2048 ? r() : 0));
  // Zero runs of a KiB or more anywhere (a partly used page: a short file, a buffer).
  mk('random head, zero tail', (i) => (i < 3000 ? r() : 0));
  mk('zero head, random tail', (i) => (i < 1100 ? 0 : r()));
  mk('random around a zero KiB', (i) => (i >= 1500 && i < 2600 ? 0 : r()));
  mk('pointer table', (i) => { const d = i >> 3, k = i & 7; return k >= 4 ? 0xff : k === 3 ? 0x80 : (d * 40 + 0x1000) >> (k * 8); });
  mk('sparse', (i) => (i % 611 === 0 ? r() : 0));
  mk('counter', (i) => (i >> 2) >> ((i & 3) * 8));
  // The demo guest's code, page by page (MIPS instructions as they are in RAM).
  const elf = demoElf();
  for (let o = 0; o + PAGE_SIZE <= elf.length; o += PAGE_SIZE) out.push([`demo ELF page ${o / PAGE_SIZE}`, elf.slice(o, o + PAGE_SIZE)]);
  return out;
}

test('incompressibility sample: random pages are judged random; pages LZ can shorten are not', () => {
  const c = new PageCompressor();
  const r = rng(SEED ^ 0x77);
  const ram = new Uint8Array(PAGE_SIZE * 201);
  for (let i = 0; i < ram.length; i++) ram[i] = r() & 0xff;
  let random = 0;
  for (let p = 0; p < 200; p++) if (c.looksIncompressible(ram, PAGE_SIZE * p)) random++;
  // A uniform page fails the test with probability ~3.5e-4; 200 of them: at most a few.
  assert.ok(random >= 196, `${random} of 200 random pages judged random`);
  assert.throws(() => c.looksIncompressible(ram, 2), RangeError);
  let checked = 0;
  for (const [name, page] of compressiblePages()) {
    const buf = new Uint8Array(PAGE_SIZE * 2);
    buf.set(page, PAGE_SIZE);
    const n = c.lz(buf, PAGE_SIZE);
    if (n < 0 || n > PAGE_SIZE * 7 / 8) continue;
    checked++;
    assert.equal(c.looksIncompressible(buf, PAGE_SIZE), false, `${name}: LZ makes ${n} bytes of it, yet judged random`);
  }
  assert.ok(checked >= 6, `${checked} compressible pages checked`);
});

/** The sample's repeat count from its definition: the first 32 bytes of each KiB, byte values seen before. */
function sampleRepeats(page: Uint8Array): number {
  const seen = new Set<number>();
  let repeats = 0;
  for (let kib = 0; kib < 4; kib++) {
    for (let k = 0; k < 32; k++) {
      const v = page[kib * 1024 + k];
      if (seen.has(v)) repeats++; else seen.add(v);
    }
  }
  return repeats;
}

test('incompressibility sample: the verdict is exactly "at most 40 repeated byte values" (either entry point), on both sides of the threshold', () => {
  const c = new PageCompressor();
  const r = rng(SEED ^ 0x5a5a);
  const pages = 3000;
  const ram = new Uint8Array(PAGE_SIZE * (pages + 1));
  const w = new Int32Array(ram.buffer);
  // Bytes drawn from alphabets of 40..256 values put the repeat count anywhere from ~90
  // down to the ~27 of uniform bytes, so pages land on both sides of 40 and at it.
  for (let p = 0; p < pages; p++) {
    const k = 40 + (r() % 217);
    for (let i = 0; i < PAGE_SIZE; i++) ram[p * PAGE_SIZE + i] = r() % k;
  }
  let random = 0, near = 0;
  for (let p = 0; p < pages; p++) {
    const page = ram.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
    const n = sampleRepeats(page);
    if (n >= 38 && n <= 43) near++;
    const want = n <= 40;
    assert.equal(c.looksIncompressible(ram, p * PAGE_SIZE), want, `page ${p}: ${n} repeats`);
    assert.equal(c.wordsLookIncompressible(w, p * PAGE_SIZE / 4), want, `page ${p}: ${n} repeats (word view)`);
    if (want) random++;
  }
  assert.ok(random > pages / 10 && random < pages * 9 / 10, `${random} of ${pages} judged random`);
  assert.ok(near >= 100, `${near} pages within 3 of the threshold`);
});

test('incremental checkpoint of random pages: stored Raw (no LZ), compressible ones still LZ; restore is byte-identical', () => {
  const MiB = 1048576;
  const m = bootScribbler({ engine: 'jit', memoryMiB: 16 });
  m.run(1000);
  const cp = new Checkpointer(m, { memoryBudgetBytes: 256 * MiB });
  const base = cp.take({ kind: 'full' });
  scribble(m, 256 * 1024, 0, 0); // xorshift64 dwords: incompressible
  const text = new TextEncoder().encode('checkpoint fast path '.repeat(1000));
  m.bus.writeBytes(REGION + 1024 * 1024, text);
  const want = m.bus.ram.slice();
  const inc = cp.take({ kind: 'incremental' });
  const chain = cp.chain(inc.id);
  const codecs = new Map<number, PageCodec>();
  walkPages(chain[1], m.bus.ramSize >>> 12, (rec) => codecs.set(rec.page, rec.codec));
  const regionPage = REGION >>> 12;
  for (let p = regionPage; p < regionPage + 64; p++) assert.equal(codecs.get(p), PageCodec.Raw, `random page ${p} stored Raw`);
  const textPage = (REGION + 1024 * 1024) >>> 12;
  assert.equal(codecs.get(textPage + 1), PageCodec.Lz, 'a text page is still compressed');
  assert.deepEqual(materializeRam(chain), want, 'the chain decodes to RAM as it was');
  // Back to the full checkpoint, then forward to the incremental: RAM as it was.
  cp.restore(base.id);
  assert.notDeepEqual(m.bus.ram, want);
  cp.restore(inc.id);
  assert.deepEqual(m.bus.ram, want, 'restore by difference');
  const fresh = bootScribbler({ engine: 'interp', memoryMiB: 16 });
  restoreCheckpoint(fresh, chain);
  assert.deepEqual(fresh.bus.ram, want, 'full restore into another machine');
  cp.dispose();
});
