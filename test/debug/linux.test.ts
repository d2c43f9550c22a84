// Linux awareness over DWARF types (src/emulator/debug/linux.ts) on a miniature task list
// (test/fixtures/debug/linux-tasks.c, gcc -g, booted on the demo board): the ring from
// init_task with pid, comm, state and each task's saved switch context; `current` from $gp;
// and a task list corrupted by the guest — a loop that never returns to init_task, a
// misaligned or null next pointer, a next pointer into unmapped memory — each ends the walk
// with a note saying what is wrong, the tasks read so far kept, nothing thrown.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { MachineDebugger } from '../../src/emulator/debug/debugger';
import { loadDebugInfo } from '../../src/emulator/debug/debug-info';
import { linuxDmesg, linuxTasks, linuxThreads, linuxTypesAvailable } from '../../src/emulator/debug/linux';
import { evaluateTyped } from '../../src/emulator/debug/typed-expr';
import { parseElf } from '../../src/emulator/loader/elf';
import { BARE_FLAGS, FIXTURES } from '../loader/dwarf-oracle';
import { LE, missing, readBytes, run, TempDir } from '../loader/toolchain';

test('Linux tasks from DWARF: the ring from init_task, current from $gp; a corrupted list ends with a note', { skip: missing(`${LE}-gcc`) ?? false }, () => {
  const tmp = new TempDir();
  try {
    const out = join(tmp.path, 'tasks.elf');
    run(`${LE}-gcc`, [...BARE_FLAGS, '-Wl,-e,_start', '-O0', '-g', join(FIXTURES, 'linux-tasks.c'), '-o', out]);
    const bytes = readBytes(out);
    const { machine, board } = createDemoMachine({ memoryMiB: 16 });
    board.boot(bytes);
    const dbg = new MachineDebugger(machine);
    dbg.symbols.addElf(bytes);
    loadDebugInfo(dbg.lines, dbg.unwinder, parseElf(bytes), 0n, 'tasks.elf', dbg.types);
    const ctx = dbg.ctx;
    assert.equal(linuxTypesAvailable(ctx), true);
    const at = (e: string): bigint => evaluateTyped(`&${e}`, ctx).value!;
    const link = (from: string, to: string | bigint): void => {
      const v = typeof to === 'bigint' ? to : at(`${to}.tasks`);
      assert.ok(dbg.mem.writeUnsigned({ addr: at(`${from}.tasks.next`), phys: false }, 8, v));
    };
    link('init_task', 't1'); link('t1', 't2'); link('t2', 't3'); link('t3', 'init_task');

    const ok = linuxTasks(ctx);
    assert.equal(ok.note, undefined);
    assert.deepEqual(ok.tasks.map((t) => `${t.pid} ${t.state} ${t.comm}`), ['0 R swapper/0', '1 S init', '2 I kthreadd', '17 D sh']);
    assert.deepEqual(ok.tasks.map((t) => [t.saved.pc, t.saved.regs[29]]), [[0x2000n, 0x1000n], [0x2100n, 0x1100n], [0x2200n, 0x1200n], [0x2300n, 0x1300n]]);
    assert.equal(ok.tasks[1]!.addr, at('t1'));

    // current: the thread_info $gp points at (the CPU runs in Kernel mode at the demo's kseg0 entry).
    machine.cpu.setGpr(28, at('ti'));
    const th = linuxThreads(ctx)!;
    assert.equal(th.current?.comm, 'sh');
    assert.deepEqual(th.others.map((t) => t.pid), [0, 1, 2]);

    // Corruptions by the guest.
    link('t2', 't1'); // t1 -> t2 -> t1 …
    const loop = linuxTasks(ctx);
    assert.deepEqual(loop.tasks.map((t) => t.pid), [0, 1, 2]);
    assert.match(loop.note ?? '', /the task list loops back to 0x[0-9a-f]+ without reaching init_task/);
    link('t2', 3n);
    assert.match(linuxTasks(ctx).note ?? '', /task 0x[0-9a-f]+ has a corrupt tasks\.next \(0x3\)/);
    link('t2', 0n);
    assert.match(linuxTasks(ctx).note ?? '', /corrupt tasks\.next \(0x0\)/);
    link('t2', 0x10000n); // user space: no TLB entry maps it
    const unmapped = linuxTasks(ctx);
    assert.deepEqual(unmapped.tasks.map((t) => t.pid), [0, 1, 2]);
    assert.match(unmapped.note ?? '', /^the task list cannot be read further: cannot read 0x/);

    // No printk ring buffer in these types: dmesg says so.
    assert.match(linuxDmesg(ctx).note ?? '', /the kernel log cannot be read: /);
  } finally { tmp.remove(); }
});
