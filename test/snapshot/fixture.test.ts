// A checkpoint written by this build, kept as a file (test/fixtures/checkpoints), must keep
// restoring in later builds: a change to a component's state (its fields or their
// meaning) bumps its StateSpec version and brings an upgrade (StateSpec.minVersion and
// upgrades, see src/emulator/snapshot/state.ts), or this test fails. The fixture is the
// demo guest at its prompt; restored, it answers 't' and powers off on 'q'.
// UPDATE_FIXTURES=1 writes the fixture anew (only with a new checkpoint format version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { captureCheckpoint, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { parseCheckpoint } from '../../src/emulator/snapshot/format';
import { demoElf } from '../debug/demo-machine';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'checkpoints', 'demo-prompt.m64cp');

function demo(): ReturnType<typeof createDemoMachine> {
  const r = createDemoMachine({ memoryMiB: 16 });
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

test('a checkpoint file of an earlier build (the fixture) restores and the guest goes on', () => {
  const file = parseCheckpoint(new Uint8Array(readFileSync(FIXTURE)), FIXTURE);
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
