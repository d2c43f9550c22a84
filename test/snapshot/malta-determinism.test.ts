// Checkpoints of Debian's 5kc-malta kernel at its busybox shell (the guest from the
// project's Debian fetcher, as in test/boards/malta-boot.test.ts): save → restore →
// save is byte-identical for every component; and, on both engines, a checkpoint at
// instruction N, M more instructions with commands typed at fixed counts (state S1),
// then restore + replay of the console input log + M instructions (state S2): S1 and S2
// identical in RAM and every component, with the same console output.
//
// The kernel boots once on the translating engine (~850 M instructions); each engine
// then starts from that shell checkpoint restored into a fresh machine.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMaltaMachine } from '../../src/emulator/boards/malta';
import type { Machine } from '../../src/emulator/machine';
import { captureCheckpoint, readComponents, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { parseCheckpoint, ParsedCheckpoint } from '../../src/emulator/snapshot/format';
import { replayInput, runTo } from '../../src/emulator/snapshot/input-log';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import { debianCorpus } from '../support/corpus';
import { busyboxInitramfs, READY_MARKER } from '../support/initramfs';
import { snapshotDiff, snapshotOf } from '../support/checkpoint-guests';
import { HASHES, hashed } from '../support/hashes';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Guest { kernel: Uint8Array; initrd: Uint8Array; loadVa: bigint; entry: bigint }

async function guest(): Promise<Guest> {
  try {
    const g = await debianCorpus((m) => console.log(`# guest: ${m}`));
    return { kernel: new Uint8Array(readFileSync(g.kernelImage)), initrd: busyboxInitramfs(g.busybox), loadVa: g.kernelLoadAddress, entry: g.kernelEntry };
  } catch (e) {
    throw new Error(`cannot get the Debian Malta guest (linux-image-5kc-malta and busybox-static for mips64el) `
      + `with the project's fetcher: ${(e as Error).message}`);
  }
}

function malta(g: Guest, engine: 'jit' | 'interp'): Machine {
  const { machine, board } = hashed(createMaltaMachine({ memoryMiB: 256, engine }));
  board.bootLinuxImage(g.kernel, g.loadVa, g.entry, g.initrd, 'console=ttyS0 rdinit=/init');
  return machine;
}

function consoleOf(m: Machine): { text: () => string; off: () => void } {
  let t = '';
  const off = m.events.on('uartTx', ({ port, byte }) => { if (port === 0) t += String.fromCharCode(byte); });
  return { text: () => t, off };
}

function runUntil(m: Machine, con: { text: () => string }, s: string, budget: number, from = 0): void {
  let done = 0;
  while (con.text().indexOf(s, from) < 0) {
    if (done >= budget) throw new Error(`console never showed ${JSON.stringify(s)}; last output:\n${con.text().slice(-1500)}`);
    const r = m.run(5_000_000);
    done += r.executed;
    if (r.reason === 'poweroff') throw new Error('powered off');
  }
}

function full(m: Machine): ParsedCheckpoint {
  return parseCheckpoint(captureCheckpoint(m, { kind: 'full' }).bytes, undefined, HASHES);
}

describe('checkpoints of Debian 5kc-malta at the shell', () => {
  let shell: ParsedCheckpoint | undefined;
  let g: Guest | undefined;

  test('boot to the shell; save → restore → save is byte-identical for every component', async () => {
    g = await guest();
    const m = malta(g, 'jit');
    const con = consoleOf(m);
    const t0 = performance.now();
    runUntil(m, con, READY_MARKER, 3_000_000_000);
    runUntil(m, con, '/ # ', 300_000_000);
    m.run(2_000_000);
    console.log(`# shell after ${m.cpu.icount} instructions, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    m.consoleInput(text('echo pending input'));
    const t1 = performance.now();
    const a = full(m);
    console.log(`# full checkpoint at the shell: ${(a.bytes.length / 1048576).toFixed(1)} MiB, ${a.header.pages} pages, ${(performance.now() - t1).toFixed(0)} ms`);
    shell = a;
    m.run(10_000_000);
    restoreCheckpoint(m, [a]);
    const b = full(m);
    const ca = readComponents(a), cb = readComponents(b);
    for (let i = 0; i < ca.length; i++) {
      assert.ok(Buffer.from(ca[i].bytes).equals(Buffer.from(cb[i].bytes)), `component ${ca[i].name} differs after save → restore → save`);
    }
    const pages = (p: ParsedCheckpoint): Buffer => Buffer.concat(p.sections.filter((s) => s.tag === 'PAGE').map((s) => p.payload(s)));
    assert.ok(pages(a).equals(pages(b)), 'RAM pages');
    con.off();
  });

  for (const engine of ['jit', 'interp'] as const) {
    test(`determinism on ${engine}: checkpoint at N, typed commands, M instructions; restore + replay is identical`, () => {
      assert.ok(shell && g, 'the boot test must run first');
      const m = malta(g, engine);
      restoreCheckpoint(m, [shell]);
      const N = m.cpu.icount + 3_000_000;
      const M = 150_000_000;
      runTo(m, N);
      const cp = new Checkpointer(m, { memoryBudgetBytes: 1 << 30 });
      const c = cp.take({ name: 'N' });
      const inputsBefore = m.inputLog.length;
      const con1 = consoleOf(m);
      const script = [
        { at: N + 1_000_000, s: '\necho hello $((3*4))\n' },
        { at: N + 40_000_000, s: 'ls /\n' },
        { at: N + 80_000_001, s: 'cat /proc/uptime; echo done\n' },
      ];
      for (const x of script) { runTo(m, x.at); m.consoleInput(text(x.s)); }
      runTo(m, N + M);
      con1.off();
      assert.match(con1.text(), /hello 12/);
      assert.match(con1.text(), /done/);
      const s1 = snapshotOf(m);
      const log = m.inputLog.slice(inputsBefore);
      assert.equal(log.length, 3);

      const con2 = consoleOf(m);
      cp.restore(c.id);
      assert.equal(m.cpu.icount, N);
      replayInput(m, log, N + M);
      con2.off();
      assert.equal(con2.text(), con1.text(), 'console output');
      assert.deepEqual(snapshotDiff(s1, snapshotOf(m)), { components: [], pages: [] });
    });
  }
});
