// Periodic checkpoints (`boot --checkpoint-every`): the interval counts instructions the
// guest executes, not the time skipped while it idles (an idle demo guest over a long
// stretch of virtual time gets as many checkpoints as its executed instructions say);
// guest-time intervals (2s, 500ms) and k/M/G counts; retention by count and by MiB
// removes whole old chains so that every file left restores; quiet mode prints a summary
// only; host lines wait for the guest's console line to end (HostNotes).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInterval, setupBootCheckpoints } from '../../src/cli/checkpoint-options';
import { HostNotes } from '../../src/cli/host-notes';
import { UsageError } from '../../src/cli/errors';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { readInputFileSync } from '../../src/storage/input-file';
import { readCheckpointChain } from '../../src/storage/checkpoint-files';
import { CHECKPOINT_EXTENSION } from '../../src/emulator/snapshot/format';
import { bootScribbler, FLAG_TIMER } from '../support/checkpoint-guests';
import { ensureBuilt, ROOT } from './support.js';
import { hashed } from '../support/hashes';

before(() => ensureBuilt());

/** A stream that keeps what is written (synchronously). */
function sink(): { stream: NodeJS.WritableStream; text: () => string } {
  let t = '';
  const stream = { write: (s: string | Uint8Array) => { t += typeof s === 'string' ? s : Buffer.from(s).toString(); return true; } } as unknown as NodeJS.WritableStream;
  return { stream, text: () => t };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mips64-ckpt-periodic-'));
const filesIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(CHECKPOINT_EXTENSION)).sort();

test('--checkpoint-every: N, k/M/G and guest time', () => {
  assert.equal(parseInterval('50M', 5, 'boot'), 50e6);
  assert.equal(parseInterval('2_500k', 5, 'boot'), 2.5e6);
  assert.equal(parseInterval('2s', 5, 'boot'), 4e8);
  assert.equal(parseInterval('500ms', 5, 'boot'), 1e8);
  assert.equal(parseInterval('1min', 10, 'boot'), 6e9);
  for (const bad of ['0', 'x', '1.5', '2 h', '-3', '1e3', '0.1ns']) assert.throws(() => parseInterval(bad, 5, 'boot'), UsageError, bad);
});

test('idle time is not counted: an idling guest is checkpointed by the instructions it executes', () => {
  const dir = tmp();
  try {
    const { machine, board } = hashed(createDemoMachine({ memoryMiB: 8 }));
    board.boot(readInputFileSync(join(ROOT, 'dist', 'guests', 'demo.elf'), 'elf'));
    const err = sink();
    const every = 200_000;
    const ck = setupBootCheckpoints(machine, new Map([['checkpoint-every', String(every)], ['checkpoint-dir', dir]]), { stdout: sink().stream, stderr: err.stream });
    const cpu = machine.cpu;
    const exec0 = cpu.icount - cpu.idleSkipped, icount0 = cpu.icount;
    // The demo prints its banner and then idles in WAIT between timer interrupts.
    for (let i = 0; i < 40 && !machine.poweredOff; i++) machine.run(10_000_000);
    ck.close();
    const executed = cpu.icount - cpu.idleSkipped - exec0;
    const taken = filesIn(dir).length;
    assert.equal(taken, Math.floor(executed / every), `${executed} executed instructions`);
    // Most of the virtual time was idle: counted by icount there would be far more.
    assert.ok((cpu.icount - icount0) / every > 10 * Math.max(taken, 1), `icount advanced ${cpu.icount - icount0}, executed ${executed}`);
    assert.equal(err.text().split('\n').filter((l) => /^mips64: checkpoint /.test(l)).length, taken);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention: --checkpoint-keep and --checkpoint-keep-mib remove whole old chains; every file left restores; quiet prints a summary', () => {
  for (const [opt, value] of [['checkpoint-keep', '4'], ['checkpoint-keep-mib', '0.03']] as const) {
    const dir = tmp();
    try {
      const m = bootScribbler({ engine: 'jit', flags: FLAG_TIMER, memoryMiB: 8 });
      const err = sink();
      const ck = setupBootCheckpoints(m, new Map<string, string | true>([['checkpoint-every', '100000'], ['checkpoint-dir', dir], [opt, value], ['checkpoint-quiet', true]]),
        { stdout: sink().stream, stderr: err.stream });
      m.run(2_000_000); // 20 checkpoints
      ck.close();
      const files = filesIn(dir);
      if (opt === 'checkpoint-keep') assert.ok(files.length >= 2 && files.length <= 4, files.join(' '));
      else assert.ok(files.reduce((n, f) => n + statSync(join(dir, f)).size, 0) <= 0.03 * 1048576, 'within 0.03 MiB');
      for (const f of files) {
        const chain = readCheckpointChain(join(dir, f), [dir]);
        assert.ok(chain.length >= 1 && chain[0].header.kind === 'full', f);
      }
      // Quiet: no line per checkpoint, one summary.
      assert.doesNotMatch(err.text(), /mips64: checkpoint /);
      assert.match(err.text(), new RegExp(`^mips64: 20 checkpoints written to .* \\(\\d+\\.\\d MiB\\), ${20 - files.length} removed to stay within --checkpoint-keep\\n$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const m = bootScribbler({ memoryMiB: 8 });
  assert.throws(() => setupBootCheckpoints(m, new Map([['checkpoint-keep', '3']]), { stdout: sink().stream, stderr: sink().stream }), /--checkpoint-keep needs --checkpoint-every/);
});

test('host notes never land in the middle of the guest\'s console line', () => {
  const err = sink();
  const n = new HostNotes(err.stream);
  n.say('first'); // no guest output yet: at a line start
  assert.equal(err.text(), 'mips64: first\n');
  n.guestWrote(Buffer.from('login: '));
  n.say('second');
  assert.equal(n.waiting, 1);
  assert.equal(err.text(), 'mips64: first\n');
  n.guestWrote(Buffer.from('root\n# '));
  n.say('third');
  n.guestWrote(Buffer.from('ls\n'));
  assert.equal(err.text(), 'mips64: first\nmips64: second\nmips64: third\n');
  n.guestWrote(Buffer.from('# '));
  n.say('fourth');
  n.end(); // the console stops mid-line: the note gets its own line
  assert.equal(err.text(), 'mips64: first\nmips64: second\nmips64: third\n\nmips64: fourth\n');
  const raw = sink();
  const r = new HostNotes(raw.stream, () => true);
  r.say('x');
  assert.equal(raw.text(), 'mips64: x\r\n');
});
