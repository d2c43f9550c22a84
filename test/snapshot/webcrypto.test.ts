// The checkpoint content hash where node:crypto is absent: WebCrypto's SHA-256 (the
// core's default HashProvider) must give byte for byte the file and identity node:crypto
// gives, verify files the same way and refuse altered ones; and the emulator core, loaded
// where node:crypto cannot be loaded at all, captures and restores a machine.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { captureCheckpoint, captureCheckpointAsync, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { sha256HexAsync, webCryptoHashes } from '../../src/emulator/snapshot/digest';
import { nodeHashes } from '../../src/storage/node-hashes';
import { CheckpointError, parseCheckpoint, parseCheckpointAsync } from '../../src/emulator/snapshot/format';
import { bootScribbler, scribble } from '../support/checkpoint-guests';

test('WebCrypto SHA-256: the FIPS 180-2 vector; its synchronous digest is refused with the reason', async () => {
  const abc = new TextEncoder().encode('abc');
  const want = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  assert.equal(await sha256HexAsync(abc, webCryptoHashes()), want);
  assert.equal(await sha256HexAsync(abc, nodeHashes()), want);
  const h = webCryptoHashes().stream();
  h.update(abc);
  assert.throws(() => h.digest(), /only WebCrypto, whose digest is asynchronous/);
});

test('checkpoints sealed and verified with WebCrypto equal node:crypto\'s, full and incremental; altered files are refused', async () => {
  const web = webCryptoHashes();
  const m = bootScribbler({ memoryMiB: 8 });
  m.snapshot.hashes = nodeHashes();
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
  assert.equal(pf.hash, parseCheckpoint(full.bytes, 'full', nodeHashes()).hash);
  const other = bootScribbler({ memoryMiB: 8 });
  other.run(5_000);
  assert.equal(restoreCheckpoint(other, [pf, pi]).id, i1.header.id);
  assert.deepEqual(other.bus.ram, m.bus.ram);

  // One byte of RAM contents changed: refused as by node:crypto.
  const altered = full.bytes.slice();
  altered[altered.length - 200] ^= 1;
  await assert.rejects(parseCheckpointAsync(altered, 'altered', web),
    (e: unknown) => e instanceof CheckpointError && /section PAGE .*is damaged/.test(e.message));
  assert.throws(() => parseCheckpoint(altered, 'altered', nodeHashes()), /section PAGE .*is damaged/);
});

test('without node:crypto (it cannot be loaded): the core captures, verifies and restores a machine with WebCrypto; synchronous capture says why not', () => {
  const out = join(__dirname, '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'mips64-no-node-crypto-'));
  try {
    // Loaded before anything else: node:crypto (or crypto) cannot be required in this process.
    const blocker = join(dir, 'block-crypto.js');
    writeFileSync(blocker, `const M = require('node:module'); const load = M._load;
M._load = function (req, ...rest) { if (req === 'crypto' || req === 'node:crypto') throw new Error('node:crypto is not available here'); return load.call(this, req, ...rest); };`);
    const file = join(dir, 'cp.m64cp');
    const script = `
const out = ${JSON.stringify(out)};
const { readFileSync } = require('node:fs');
const { createDemoMachine } = require(out + '/src/emulator/boards/demo.js');
const { assemble } = require(out + '/src/emulator/isa/assembler/assembler.js');
const { assemblyToElf } = require(out + '/src/emulator/isa/assembler/to-elf.js');
const { captureCheckpoint, captureCheckpointAsync, restoreCheckpoint } = require(out + '/src/emulator/snapshot/checkpoint.js');
const { parseCheckpointAsync } = require(out + '/src/emulator/snapshot/format.js');
(async () => {
  let blocked = false;
  try { require('node:crypto'); } catch { blocked = true; }
  const a = assemble(readFileSync(out + '/../guests/demo/demo.s', 'utf8'), { origin: 0xffffffff80100000n, model: '5KEc' });
  if (!a.ok) throw new Error('the demo guest does not assemble');
  const elf = assemblyToElf(a);
  const demo = () => { const r = createDemoMachine({ memoryMiB: 8 }); r.board.boot(elf); let text = ''; r.machine.events.on('uartTx', ({ byte }) => { text += String.fromCharCode(byte); }); return { m: r.machine, out: () => text }; };
  const one = demo(), m = one.m;
  m.run(3000000);
  let syncError = '';
  try { captureCheckpoint(m, { kind: 'full' }); } catch (e) { syncError = e.message; }
  const cp = await captureCheckpointAsync(m, { kind: 'full', name: 'without node:crypto' });
  require('node:fs').writeFileSync(${JSON.stringify(file)}, cp.bytes);
  const p = await parseCheckpointAsync(cp.bytes, 'cp');
  const two = demo(), other = two.m;
  other.run(5000);
  restoreCheckpoint(other, [p]);
  const before = one.out().length;
  for (const x of [m, other]) { x.consoleInput(new TextEncoder().encode('t')); x.run(3000000); }
  const after = [one.out().slice(before), two.out()];
  console.log(JSON.stringify({ blocked, syncError, hash: cp.hash, provider: m.snapshot.hashes.name,
    sameRam: Buffer.compare(Buffer.from(m.bus.ram), Buffer.from(other.bus.ram)) === 0, icount: [m.cpu.icount, other.cpu.icount], after }));
})().catch((e) => { console.error(e.stack); process.exit(1); });`;
    const main = join(dir, 'main.js');
    writeFileSync(main, script);
    const r = spawnSync(process.execPath, ['-r', blocker, main], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { blocked: boolean; syncError: string; hash: string; provider: string; sameRam: boolean; icount: number[]; after: string[] };
    assert.equal(got.blocked, true, 'node:crypto could not be loaded in that process');
    assert.equal(got.provider, 'WebCrypto');
    assert.match(got.syncError, /only WebCrypto, whose digest is asynchronous/);
    assert.equal(got.sameRam, true, 'the restored machine ran on like the original');
    assert.equal(got.icount[1], got.icount[0]);
    assert.match(got.after[1]!, /timer ticks: 0x[0-9a-f]{8}/, 'the restored guest answers');
    assert.equal(got.after[1], got.after[0], 'as the original does');
    // The file it wrote is a valid checkpoint for node:crypto too, with the same identity.
    assert.equal(parseCheckpoint(new Uint8Array(readFileSync(file)), file, nodeHashes()).hash, got.hash);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
