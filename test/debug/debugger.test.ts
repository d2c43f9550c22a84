// The emulator-side debugger on the demo guest, on both engines: breakpoints, stepping,
// exception filters, data breakpoints, expressions, unwinding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoRig, runToStop } from './demo-machine';
import { evaluate, formatValue } from '../../src/emulator/debug/expr';
import { MachineDebugger } from '../../src/emulator/debug/debugger';

const pc = (d: MachineDebugger): bigint => BigInt.asUintN(64, d.cpu.pc);

for (const engine of ['jit', 'interp'] as const) {
  test(`${engine}: breakpoint on puts, step, step over, step out`, () => {
    const { dbg } = demoRig(engine);
    const puts = dbg.symbols.byName('puts')!;
    assert.deepEqual(dbg.setCodeBreakpoints('function', [{ id: 1, addr: puts }]), ['']);
    dbg.resume();
    const s = runToStop(dbg);
    assert.equal(s.kind, 'stopped');
    if (s.kind !== 'stopped') return;
    assert.equal(s.stop.reason, 'function breakpoint');
    assert.equal(pc(dbg), puts);
    const frames = dbg.unwinder.unwind();
    assert.equal(frames.length, 2, JSON.stringify(frames.map((f) => f.pc.toString(16))));
    assert.match(dbg.symbols.describe(frames[1].pc)!, /^start\+0x/);
    // The caller frame resumes right after `jal puts` and its delay slot.
    const call = dbg.mem.word(frames[1].pc - 8n)!;
    assert.equal(call >>> 26, 3);
    assert.equal(BigInt(call & 0x3ffffff) << 2n, puts & 0x0fffffffn);
    dbg.stepInstruction();
    let r = dbg.runSlice(1000);
    assert.equal(r.kind === 'stopped' && r.stop.reason, 'step');
    assert.equal(pc(dbg), puts + 4n);
    dbg.stepOut();
    r = runToStop(dbg);
    assert.equal(r.kind === 'stopped' && r.stop.reason, 'step');
    assert.equal(pc(dbg), frames[1].pc);
    dbg.setCodeBreakpoints('function', []);
  });

  test(`${engine}: a breakpoint on the entry point stops when starting, not when resuming from it`, () => {
    const { dbg } = demoRig(engine);
    const start = pc(dbg);
    dbg.setCodeBreakpoints('function', [{ id: 1, addr: start }]);
    dbg.resume(false);
    const r = dbg.runSlice(1000);
    assert.equal(r.kind === 'stopped' && r.stop.reason, 'function breakpoint');
    assert.equal(pc(dbg), start);
    dbg.resume();
    assert.equal(dbg.runSlice(1000).kind, 'running');
  });

  test(`${engine}: single steps through WAIT: virtual time passes until the timer interrupt`, () => {
    const { dbg } = demoRig(engine);
    const idle = dbg.symbols.byName('idle')!;
    dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: idle }]);
    dbg.resume();
    runToStop(dbg);
    assert.equal(pc(dbg), idle);
    dbg.setCodeBreakpoints('instruction', []);
    dbg.stepInstruction();
    assert.equal(dbg.runSlice(1).kind, 'stopped');
    assert.equal(dbg.cpu.waiting, true);
    const t0 = dbg.cpu.icount;
    dbg.stepInstruction();
    assert.equal(dbg.runSlice(1).kind, 'stopped');
    assert.equal(dbg.cpu.waiting, false);
    assert.ok(dbg.cpu.icount - t0 > 1000, 'time skipped to the timer');
    assert.equal(pc(dbg), dbg.symbols.byName('general')!);
    assert.equal(evaluate('$cp0.cause.exccode', dbg.ctx).v, 0n);
  });

  test(`${engine}: syscall exception filter, then TLB refill`, () => {
    const { dbg } = demoRig(engine);
    dbg.setExceptionFilters([{ id: 'syscall' }, { id: 'tlb-refill' }]);
    dbg.resume();
    let r = runToStop(dbg);
    assert.ok(r.kind === 'stopped');
    assert.match(r.stop.description, /^Syscall \(Sys\) at EPC 0xffffffff80100\w+ <start\+0x\w+>$/);
    const frames = dbg.unwinder.unwind();
    assert.equal(frames[0].pc, dbg.symbols.byName('general'));
    assert.equal(frames[1].kind, 'exception');
    assert.equal(frames[1].pc, dbg.cpu.c0.epc);
    dbg.resume();
    r = runToStop(dbg);
    assert.ok(r.kind === 'stopped');
    assert.match(r.stop.description, /^TLB refill \(TLBL, load or fetch\) at EPC .*, BadVAddr 0x0000000000400000$/);
    assert.equal(formatValue(evaluate('$cp0.cause.exccode', dbg.ctx)), '2 TLBL — TLB miss/invalid (load or fetch)');
  });

  test(`${engine}: grouped exception filters narrowed by their conditions; a syscall filter with an expression`, () => {
    // 'tlb' narrowed to "modified" and a syscall filter whose expression never holds: the
    // demo's refill and syscall pass; then "refill" and the syscall number (42) stop.
    let { dbg } = demoRig(engine);
    assert.deepEqual(dbg.setExceptionFilters([{ id: 'tlb', condition: 'modified' }, { id: 'syscall', condition: '$v0 == 7' }]), []);
    dbg.resume();
    const run = (): string => { try { return runToStop(dbg, 2_000_000).kind; } catch (e) { return (e as Error).message; } };
    assert.notEqual(run(), 'stopped', 'neither the refill nor the syscall qualifies');
    assert.ok(dbg.cpu.icount > 2_000_000);
    let r;
    ({ dbg } = demoRig(engine));
    dbg.setExceptionFilters([{ id: 'tlb', condition: 'refill' }, { id: 'syscall', condition: '$v0 == 42' }]);
    dbg.resume();
    r = runToStop(dbg);
    assert.ok(r.kind === 'stopped');
    assert.match(r.stop.description, /^Syscall \(Sys\)/);
    assert.equal(evaluate('$v0', dbg.ctx).v, 42n);
    dbg.resume();
    r = runToStop(dbg);
    assert.ok(r.kind === 'stopped');
    assert.match(r.stop.description, /^TLB refill/);
    assert.deepEqual(dbg.setExceptionFilters([{ id: 'tlb', condition: 'refil' }, { id: 'syscall', condition: '$v0 ==' }, { id: 'nope' }]), [
      '"TLB exception": unknown kind \'refil\' (Only these kinds: refill, invalid, modified (empty: all))',
      "unknown exception filter 'nope'",
      "syscall filter condition '$v0 ==': unexpected end of expression",
    ]);
  });

  test(`${engine}: data breakpoint on ticks (timer interrupt handler)`, () => {
    const { dbg } = demoRig(engine);
    const ticks = dbg.symbols.byName('ticks')!;
    assert.deepEqual(dbg.setDataBreakpoints([{ id: 7, addr: ticks, phys: false, length: 8, access: 'write' }]), ['']);
    dbg.resume();
    let r = runToStop(dbg);
    assert.ok(r.kind === 'stopped');
    assert.equal(r.stop.reason, 'data breakpoint');
    assert.deepEqual(r.stop.hitBreakpointIds, [7]);
    const h = r.stop.watchHits![0];
    assert.equal(h.old, 0n);
    assert.equal(h.value, 1n);
    assert.equal(h.size, 8);
    assert.match(dbg.symbols.describe(h.pc)!, /^interrupt\+/);
    // Stopped after the store: the PC is past it.
    assert.equal(pc(dbg), h.pc + 4n);
    assert.equal(evaluate('*(u64*)ticks', dbg.ctx).v, 1n);
    dbg.resume();
    r = runToStop(dbg);
    assert.ok(r.kind === 'stopped');
    assert.equal(r.stop.watchHits![0].value, 2n);
    // A condition: stop only when the new value is 5.
    dbg.setDataBreakpoints([{ id: 8, addr: ticks, phys: false, length: 8, access: 'write', condition: '*(u64*)ticks == 5' }]);
    dbg.resume();
    r = runToStop(dbg);
    assert.ok(r.kind === 'stopped');
    assert.equal(r.stop.watchHits![0].value, 5n);
  });
}
