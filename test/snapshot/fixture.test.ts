// A checkpoint written by this build, kept as a file (test/fixtures/checkpoints), must keep
// restoring in later builds: a change to a component's state (its fields or their
// meaning) bumps its StateSpec version and brings an upgrade (StateSpec.minVersion and
// upgrades, see src/emulator/snapshot/state.ts), or this test fails. The fixture is the
// demo guest at its prompt; restored, it answers 't' and powers off on 'q'.
// The fixture of each format is kept (demo-prompt.m64cp: format 3; demo-prompt-vN: format N);
// the current format's is written when missing (UPDATE_FIXTURES=1: anew).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { captureCheckpoint, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { CHECKPOINT_FORMAT_VERSION, parseCheckpoint } from '../../src/emulator/snapshot/format';
import { demoElf } from '../debug/demo-machine';
import { HASHES, hashed } from '../support/hashes';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'checkpoints');
/** The fixture of the current format (written when missing), and those of earlier formats (kept: they must keep restoring). */
const FIXTURE = join(DIR, `demo-prompt-v${CHECKPOINT_FORMAT_VERSION}.m64cp`);
const OLDER = [{ file: join(DIR, 'demo-prompt.m64cp'), format: 3 }, { file: join(DIR, 'demo-prompt-v4.m64cp'), format: 4 }];

function demo(): ReturnType<typeof createDemoMachine> {
  const r = hashed(createDemoMachine({ memoryMiB: 16 }));
  r.board.boot(demoElf());
  return r;
}

function output(m: ReturnType<typeof createDemoMachine>['machine']): () => string {
  let out = '';
  m.events.on('uartTx', ({ byte }) => { out += String.fromCharCode(byte); });
  return () => out;
}

if (process.env.UPDATE_FIXTURES === '1' || !existsSync(FIXTURE)) {
  const { machine } = demo();
  const out = output(machine);
  for (let i = 0; i < 200 && !out().includes("'q' = quit"); i++) machine.run(200_000);
  assert.match(out(), /'q' = quit/);
  writeFileSync(FIXTURE, captureCheckpoint(machine, { kind: 'full', name: 'demo at its prompt', id: 'fixture-demo-prompt' }).bytes);
}

for (const { file: path, format } of [{ file: FIXTURE, format: CHECKPOINT_FORMAT_VERSION }, ...OLDER]) {
  test(`a checkpoint file of an earlier build (format ${format}) restores and the guest goes on`, () => {
    const bytes = new Uint8Array(readFileSync(path));
    assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true), format);
    const file = parseCheckpoint(bytes, path, HASHES);
    const { machine } = demo();
    const out = output(machine);
    const r = restoreCheckpoint(machine, [file]);
    assert.equal(r.id, 'fixture-demo-prompt');
    machine.consoleInput(new TextEncoder().encode('t'));
    for (let i = 0; i < 100 && !/timer ticks: 0x[0-9a-f]{8}/.test(out()); i++) machine.run(200_000);
    assert.match(out(), /timer ticks: 0x[0-9a-f]{8}/);
    machine.consoleInput(new TextEncoder().encode('q'));
    for (let i = 0; i < 100 && !machine.poweredOff; i++) machine.run(200_000);
    assert.equal(machine.poweredOff, true);
    assert.equal(machine.exitCode, 0);
    assert.match(out(), /bye/);
  });
}
