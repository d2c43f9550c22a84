// Time travel on Debian's 5kc-malta kernel at the busybox shell, on one boot (recorded
// from the prompt on): a command typed into the console; a forward run through it stops
// at every write(2) syscall (an exception filter with a condition) and records the pc,
// the instruction count, every component's state and a RAM hash; reverse-continue from
// the end reaches each again, in reverse order, identically; stepBack N then step N
// retraces identical states; a data breakpoint (physical) on a word that changed
// recently reverse-continues to the write that stored its present value (the last one);
// going to the end again replays the typed input exactly (same state and RAM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMaltaMachine } from '../../src/emulator/boards/malta.js';
import { MachineDebugger, RunState } from '../../src/emulator/debug/debugger.js';
import { TimeTravelDebugger } from '../../src/emulator/timetravel/reverse.js';
import { saveState } from '../../src/emulator/snapshot/state.js';
import { sha256Hex } from '../../src/emulator/snapshot/digest.js';
import type { Machine } from '../../src/emulator/machine.js';
import { debianCorpus } from '../support/corpus.js';
import { busyboxInitramfs, READY_MARKER } from '../support/initramfs.js';
import { HASHES, hashed } from '../support/hashes';


const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function stateHash(m: Machine, ram: boolean): string {
  const parts = m.stateComponents().map((c) => sha256Hex(saveState(c), HASHES));
  return `${parts.join(',')}${ram ? `|${sha256Hex(m.bus.ram, HASHES)}` : ''}`;
}

function stopped(r: RunState): void {
  assert.equal(r.kind, 'stopped', `expected a stop, got ${r.kind}`);
}

test('Debian Malta at the shell: reverse-continue over syscalls, stepBack/step, data breakpoint, typed input replayed', { timeout: 900_000 }, async () => {
  const g = await debianCorpus((m) => console.log(`# guest: ${m}`));
  const initrd = busyboxInitramfs(g.busybox);
  const kernel = new Uint8Array(readFileSync(g.kernelImage));
  const { machine, board } = hashed(createMaltaMachine({ memoryMiB: 256 }));
  board.bootLinuxImage(kernel, g.kernelLoadAddress, g.kernelEntry, initrd, 'console=ttyS0 rdinit=/init');
  const dbg = new MachineDebugger(machine);
  let text = '';
  machine.events.on('uartTx', ({ port, byte }) => { if (port === 0 && !machine.replaying) text += String.fromCharCode(byte); });
  const runUntil = (s: string, budget: number): void => {
    const from = machine.cpu.icount;
    dbg.resume(false);
    while (!text.includes(s)) {
      if (machine.cpu.icount - from > budget) throw new Error(`no '${s}' after ${budget} instructions; console: ${text.slice(-500)}`);
      const r = dbg.runSlice(2_000_000);
      if (r.kind === 'stopped') dbg.resume();
      assert.notEqual(r.kind, 'exited');
    }
  };
  const type = (s: string): void => machine.consoleInput(new TextEncoder().encode(s));
  runUntil(READY_MARKER, 3_000_000_000);
  runUntil('/ # ', 300_000_000);
  // Recorded from the shell on (lean: the boot is not replayed), in short intervals.
  const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 2_000_000, adaptive: false });

  // Forward: a command typed at the prompt, every write(2) a stop (a syscall filter with a condition; n64 write = 5001).
  type('echo $((6*7)) > /tmp/x; cat /tmp/x\n');
  const WRITES = [{ id: 'syscall', condition: '$v0 == 5001' }];
  dbg.setExceptionFilters(WRITES);
  const forward: Array<{ icount: number; pc: bigint; state: string }> = [];
  dbg.resume(false);
  const mark = text.length;
  // Until the answer is out, and a little further (the end is not at a stop).
  let extra = 3, lastStopped = false;
  while (!/42\r?\n/.test(text.slice(mark)) || extra-- > 0 || lastStopped) {
    const r = dbg.runSlice(2_000_000);
    lastStopped = r.kind === 'stopped';
    if (r.kind === 'stopped') {
      forward.push({ icount: machine.cpu.icount, pc: U64(machine.cpu.pc), state: stateHash(machine, true) });
      dbg.resume();
    }
    assert.ok(machine.cpu.icount < 4_000_000_000, 'the command completes');
  }
  assert.ok(forward.length >= 3, `write(2) stops: ${forward.length}`);
  dbg.setExceptionFilters([]);
  const endState = stateHash(machine, true);
  const end = machine.cpu.icount;

  // Reverse: the same stops, last first.
  dbg.setExceptionFilters(WRITES);
  for (let i = forward.length - 1; i >= 0; i--) {
    stopped(ttd.reverseContinue());
    assert.deepEqual({ icount: machine.cpu.icount, pc: U64(machine.cpu.pc), state: stateHash(machine, true) }, forward[i], `reverse stop ${forward.length - i}`);
  }
  dbg.setExceptionFilters([]);

  // stepBack N, then step N.
  const states = [stateHash(machine, false)];
  for (let i = 0; i < 25; i++) { stopped(ttd.stepBack('instruction')); states.push(stateHash(machine, false)); }
  for (let i = 24; i >= 0; i--) {
    dbg.stepInstruction();
    stopped(dbg.runSlice(1));
    assert.equal(stateHash(machine, false), states[i], `step ${25 - i}`);
  }

  // A word that changed in the last ~20 M instructions: reverse-continue lands on the write that stored its value.
  ttd.goTo(end - 20_000_000);
  const before = machine.bus.ram.slice();
  ttd.goTo(end);
  assert.equal(stateHash(machine, true), endState, 'the typed input replays exactly');
  const ram32 = machine.bus.ram32, old32 = new Int32Array(before.buffer);
  let word = -1;
  for (let w = 0; w < ram32.length; w += 1) if (ram32[w] !== old32[w]) { word = w; break; }
  assert.ok(word >= 0, 'some word changed');
  const value = ram32[word] >>> 0;
  dbg.setDataBreakpoints([{ id: 1, addr: BigInt(word * 4), phys: true, length: 4, access: 'write' }]);
  const r = ttd.reverseContinue();
  stopped(r);
  const hit = (r as Extract<RunState, { kind: 'stopped' }>).stop.watchHits?.[0];
  assert.ok(hit, 'a data breakpoint stop');
  assert.ok(machine.cpu.icount > end - 20_000_000 && machine.cpu.icount <= end);
  assert.equal(ram32[word] >>> 0, value, 'the write stored the present value');
  // It was the last write: forward from here to the end, the watch does not fire again.
  dbg.resume();
  while (machine.cpu.icount < end) {
    const s = dbg.runSlice(Math.min(2_000_000, end - machine.cpu.icount));
    assert.notEqual(s.kind, 'stopped', `a later write at instruction ${machine.cpu.icount}`);
  }
  ttd.dispose();
});
