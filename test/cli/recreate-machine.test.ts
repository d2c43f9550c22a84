// The machine configuration a checkpoint records is complete: every Malta option that
// changes what the guest sees (kernel command line, RTC epoch and poll skip, RNG
// seed, UART timing) and the boot images' hashes; a machine differing in any one of them
// is refused naming it; recreateMachine (boot --restore FILE alone) builds a machine
// whose configuration is the recorded one, and the checkpoint restores into it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootImage } from '../../src/emulator/boot-images';
import { createMaltaMachine, MaltaMachineOptions } from '../../src/emulator/boards/malta';
import { RTC_DEFAULT_EPOCH_MS } from '../../src/emulator/devices/mc146818';
import { machineConfig, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { CheckpointError, parseCheckpoint } from '../../src/emulator/snapshot/format';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import { recreateMachine } from '../../src/cli/recreate-machine';
import { nodeHashes } from '../../src/storage/node-hashes';
import { HASHES, hashed } from '../support/hashes';

const BASE: MaltaMachineOptions = { memoryMiB: 16, append: 'console=ttyS0 quiet', rngSeed: 7, rtcEpochMs: Date.UTC(2020, 5, 1), rtcPollSkip: false, uartTiming: 'baud' };

test('a Malta checkpoint records every guest-visible option; a machine differing in one is refused naming it', () => {
  const { machine } = hashed(createMaltaMachine(BASE));
  const cp = new Checkpointer(machine);
  const taken = cp.take({ name: 'opts' });
  const header = parseCheckpoint(cp.bytes(taken.id)!, undefined, HASHES).header;
  assert.deepEqual(header.machine.options, {
    append: 'console=ttyS0 quiet', rtcEpochMs: Date.UTC(2020, 5, 1), rngSeed: 7, rtcPollSkip: false, uartTiming: 'baud',
  });
  // Defaults are recorded as values (a later change of a default cannot alter a restored machine).
  assert.deepEqual(machineConfig(hashed(createMaltaMachine({ memoryMiB: 16 })).machine).options, {
    append: '', rtcEpochMs: RTC_DEFAULT_EPOCH_MS, rngSeed: 0x4d495053, rtcPollSkip: true, uartTiming: 'instant',
  });
  const chain = cp.chain(taken.id);
  const variants: Array<[string, MaltaMachineOptions]> = [
    ['append', { append: 'console=ttyS0' }], ['rngSeed', { rngSeed: 8 }], ['rtcEpochMs', { rtcEpochMs: 0 }],
    ['rtcPollSkip', { rtcPollSkip: true }], ['uartTiming', { uartTiming: 'instant' }],
  ];
  for (const [key, change] of variants) {
    const other = hashed(createMaltaMachine({ ...BASE, ...change })).machine;
    assert.throws(() => restoreCheckpoint(other, chain), (e: unknown) => e instanceof CheckpointError && e.code === 'machine'
      && new RegExp(`differs in ${key} \\(`).test(e.message), key);
  }
  // The same options: restored.
  restoreCheckpoint(hashed(createMaltaMachine(BASE)).machine, chain);
  cp.dispose();
});

test('boot images are recorded by hash; recreateMachine builds the recorded machine, finding the images at their paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mips64-recreate-'));
  try {
    const kernel = join(dir, 'kernel.bin'), initrd = join(dir, 'initrd.bin');
    const kbytes = Uint8Array.from({ length: 5000 }, (_, i) => i * 7), ibytes = Uint8Array.from({ length: 300 }, (_, i) => i);
    writeFileSync(kernel, kbytes);
    writeFileSync(initrd, ibytes);
    const { machine } = hashed(createMaltaMachine(BASE));
    machine.bootImages = [bootImage('kernel', kernel, kbytes, nodeHashes()), bootImage('initrd', initrd, ibytes, nodeHashes())];
    const cp = new Checkpointer(machine);
    const taken = cp.take();
    const config = parseCheckpoint(cp.bytes(taken.id)!, undefined, HASHES).header.machine;
    assert.equal(config.images?.length, 2);
    // The kernel gone: the machine is recreated from the checkpoint, a reset is unavailable.
    rmSync(kernel);
    const r = recreateMachine(config, 'interp', 'ck');
    assert.deepEqual(machineConfig(r.machine).options, config.options);
    assert.deepEqual(r.machine.bootImages, config.images);
    assert.match(r.machine.resetUnavailable ?? '', /the kernel .*kernel\.bin \(SHA-256 [0-9a-f]{12}…, 5000 bytes\) cannot be read/);
    assert.equal(r.notes.length, 1);
    restoreCheckpoint(r.machine, cp.chain(taken.id));
    // A guest reset now stops the machine with exit code 4 and says why.
    const logs: string[] = [];
    r.machine.events.on('log', (l) => logs.push(l.message));
    r.machine.reset();
    assert.equal(r.machine.poweredOff, true);
    assert.equal(r.machine.exitCode, 4);
    assert.match(logs.join('\n'), /boots again from its images, but the kernel .* cannot be read/);
    // A machine booted from another kernel is another machine.
    const other = hashed(createMaltaMachine(BASE)).machine;
    other.bootImages = [bootImage('kernel', kernel, kbytes.map((b) => b ^ 1), nodeHashes()), bootImage('initrd', initrd, ibytes, nodeHashes())];
    assert.throws(() => restoreCheckpoint(other, cp.chain(taken.id)), /differs in kernel image/);
    cp.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
