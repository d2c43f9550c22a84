// The checkpoint content hash where node:crypto is absent: WebCrypto's SHA-256 (forced
// here, in Node, through the implementation parameter) must give byte for byte the file
// and identity node:crypto gives, verify files the same way and refuse altered ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureCheckpoint, captureCheckpointAsync, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { hashProvider, sha256, sha256HexAsync } from '../../src/emulator/snapshot/digest';
import { CheckpointError, parseCheckpoint, parseCheckpointAsync } from '../../src/emulator/snapshot/format';
import { bootScribbler, scribble } from '../support/checkpoint-guests';

test('WebCrypto SHA-256: the FIPS 180-2 vector; its synchronous digest is refused with the reason', async () => {
  const abc = new TextEncoder().encode('abc');
  const want = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  assert.equal(await sha256HexAsync(abc, 'webcrypto'), want);
  assert.equal(await sha256HexAsync(abc, 'node'), want);
  const h = sha256('webcrypto');
  h.update(abc);
  assert.throws(() => h.digest(), /only WebCrypto, whose digest is asynchronous/);
});

test('checkpoints sealed and verified with WebCrypto equal node:crypto\'s, full and incremental; altered files are refused', async () => {
  const web = hashProvider('webcrypto');
  const m = bootScribbler({ memoryMiB: 8 });
  m.run(20_000);
  scribble(m, 300_000, 0, 0);
  const id = '20261207T000000Z-0001abcdef', wallTimeMs = 1_800_000_000_000;
  const full = captureCheckpoint(m, { kind: 'full', id, wallTimeMs });
  const fullWeb = await captureCheckpointAsync(m, { kind: 'full', id, wallTimeMs }, web);
  assert.equal(fullWeb.hash, full.hash);
  assert.deepEqual(fullWeb.bytes, full.bytes);

  const pages = Uint32Array.of(0x400, 0x401, 0x7ff);
  const inc = { kind: 'incremental' as const, id: `${id}-i`, wallTimeMs, parent: { id, hash: full.hash }, pages };
  const i1 = captureCheckpoint(m, inc);
  const i1Web = await captureCheckpointAsync(m, inc, web);
  assert.equal(i1Web.hash, i1.hash);
  assert.deepEqual(i1Web.bytes, i1.bytes);

  // Verified with WebCrypto: the same identity; the chain restores into another machine.
  const pf = await parseCheckpointAsync(full.bytes, 'full', web);
  const pi = await parseCheckpointAsync(i1.bytes, 'inc', web);
  assert.equal(pf.hash, parseCheckpoint(full.bytes).hash);
  const other = bootScribbler({ memoryMiB: 8 });
  other.run(5_000);
  assert.equal(restoreCheckpoint(other, [pf, pi]).id, i1.header.id);
  assert.deepEqual(other.bus.ram, m.bus.ram);

  // One byte of RAM contents changed: refused as by node:crypto.
  const altered = full.bytes.slice();
  altered[altered.length - 200] ^= 1;
  await assert.rejects(parseCheckpointAsync(altered, 'altered', web),
    (e: unknown) => e instanceof CheckpointError && /section PAGE .*is damaged/.test(e.message));
  assert.throws(() => parseCheckpoint(altered, 'altered'), /section PAGE .*is damaged/);
});
