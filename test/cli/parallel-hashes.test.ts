// The CLI's and the adapter's SHA-256 provider (src/storage/parallel-hashes.ts): sections
// in shared memory are hashed on this thread and a helper thread at once. The oracle is
// node:crypto on this thread: every digest equal, whichever thread computed it; the
// helper takes part; checkpoints sealed and verified with it are byte for byte those of
// the one-thread provider, and damage is still named by section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomFillSync } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { parallelHashes } from '../../src/storage/parallel-hashes';
import { nodeHashes } from '../../src/storage/node-hashes';
import { captureCheckpoint, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { CheckpointError, parseCheckpoint } from '../../src/emulator/snapshot/format';
import { bootScribbler } from '../support/checkpoint-guests';

const ref = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('parallel SHA-256: every section digest equals node:crypto\'s on this thread; the helper thread takes part', async () => {
  const hashes = parallelHashes();
  const buf = hashes.allocate(24 << 20);
  assert.ok(buf.buffer instanceof SharedArrayBuffer, 'checkpoint buffers are shared with the helper');
  randomFillSync(buf);
  // Sections of many sizes (empty, tiny, unaligned, 8 MiB), back to back.
  const sizes = [0, 1, 55, 4096, 1 << 20, 8 << 20, 3, 777_777, 2 << 20, 64, 5 << 20, 12345];
  const pieces: Uint8Array[] = [];
  let o = 7;
  for (const n of sizes) { pieces.push(buf.subarray(o, o + n)); o += n; }
  const want = pieces.map(ref);
  for (let round = 0; round < 200 && hashes.helperUsed() === 0; round++) {
    assert.deepEqual(hashes.eachSync(pieces).map(hex), want, `round ${round}`);
    await tick(); // (the helper starts on its own thread; nothing here waits for it)
  }
  assert.ok(hashes.helperUsed() > 0, 'the helper thread hashed some sections');
  assert.deepEqual((await hashes.each(pieces)).map(hex), want);
  // Ordinary memory, and a provider without helper: this thread, the same digests.
  const plain = pieces.map((p) => p.slice());
  assert.deepEqual(hashes.eachSync(plain).map(hex), want);
  assert.deepEqual(parallelHashes({ helper: false }).eachSync(pieces).map(hex), want);
});

test('checkpoints sealed and verified on two threads are those of one thread; a damaged section is named', () => {
  const m = bootScribbler({ memoryMiB: 32 });
  m.snapshot.hashes = nodeHashes();
  m.run(20_000);
  randomFillSync(m.bus.ram.subarray(8 << 20, 28 << 20)); // 20 MiB of incompressible pages: several PAGE sections
  const id = '20261207T000000Z-0001abcdef', wallTimeMs = 1_800_000_000_000;
  const one = captureCheckpoint(m, { kind: 'full', id, wallTimeMs });
  const two = parallelHashes();
  m.snapshot.hashes = two;
  const par = captureCheckpoint(m, { kind: 'full', id, wallTimeMs });
  assert.ok(par.bytes.buffer instanceof SharedArrayBuffer);
  assert.equal(par.hash, one.hash);
  assert.deepEqual(new Uint8Array(par.bytes), one.bytes);
  const p = parseCheckpoint(par.bytes, 'par', two);
  assert.equal(p.hash, parseCheckpoint(one.bytes, 'one', nodeHashes()).hash);
  assert.ok(p.sections.filter((s) => s.tag === 'PAGE').length >= 3, 'several PAGE sections');
  const other = bootScribbler({ memoryMiB: 32 });
  restoreCheckpoint(other, [p]);
  assert.deepEqual(other.bus.ram, m.bus.ram);
  // Damage in the last PAGE section, in shared memory: named with its page range.
  const bad = two.allocate(par.bytes.length);
  bad.set(par.bytes);
  const last = p.sections.filter((s) => s.tag === 'PAGE').pop()!;
  bad[last.offset + last.length - 1] ^= 0x80;
  assert.throws(() => parseCheckpoint(bad, 'bad', two), (e: unknown) => e instanceof CheckpointError
    && new RegExp(`section PAGE (\\d+) of \\1 at offset ${last.offset - 48} \\(RAM pages 0x${last.first!.toString(16)}–0x${last.last!.toString(16)}, `).test(e.message));
});
