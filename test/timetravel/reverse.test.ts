// Reverse execution, differentially: a forward run records every stop of a set of
// breakpoints (code with a hit count, data, exception filters) with the whole machine
// state (every component's declared state, a hash of RAM); reverse-continue from the end
// must reach each of them again, in reverse order, with identical state. stepBack N then
// step N returns through identical states; a data breakpoint set afterwards lands, in
// reverse, on the write that last changed the value; typed console input is replayed
// exactly and typing in the past is refused. Both engines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoRig, programRig } from '../debug/demo-machine';
import { MachineDebugger, RunState } from '../../src/emulator/debug/debugger';
import { saveState } from '../../src/emulator/snapshot/state';
import { sha256Hex } from '../../src/emulator/snapshot/digest';
import { nodeHashes } from '../../src/storage/node-hashes';
import { TimeTravelDebugger } from '../../src/emulator/timetravel/reverse';
import { TimeTravel, TimeTravelError } from '../../src/emulator/timetravel/recorder';
import type { Machine } from '../../src/emulator/machine';
import { assemble } from '../../src/emulator/isa/assembler/assembler';

/** node:crypto, for state fingerprints. */
const HASHES = nodeHashes();

const PROGRAM = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
	dla	$sp, stack_top
	li	$s1, 0
outer:
	li	$a0, 5
	jal	fact
	nop
	dla	$t1, counter
	li	$t0, 0
loop:
	addiu	$t0, $t0, 1
	sw	$t0, 0($t1)
	sltiu	$at, $t0, 300
	bnez	$at, loop
	nop
	addiu	$s1, $s1, 1
	sw	$s1, 4($t1)
	b	outer
	nop
fact:
	daddiu	$sp, $sp, -16
	sd	$ra, 8($sp)
	sd	$a0, 0($sp)
	sltiu	$at, $a0, 2
	beqz	$at, 1f
	nop
	b	2f
	li	$v0, 1
1:	daddiu	$a0, $a0, -1
inner:
	jal	fact
	nop
	ld	$a0, 0($sp)
	dmult	$v0, $a0
	mflo	$v0
2:	ld	$ra, 8($sp)
	jr	$ra
	daddiu	$sp, $sp, 16
	.align	3
counter:
	.word	0, 0
	.data
	.space	4096
stack_top:
`;

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Every component's state and a hash of RAM. */
function fingerprint(m: Machine): string {
  const parts = m.stateComponents().map((c) => sha256Hex(saveState(c), HASHES));
  return `${parts.join(',')}|${sha256Hex(m.bus.ram, HASHES)}`;
}

interface Stop { icount: number; pc: bigint; reason: string; ids: string; fp: string }

function stopOf(d: MachineDebugger, r: RunState): Stop {
  assert.equal(r.kind, 'stopped', `expected a stop, got ${r.kind}`);
  const s = (r as Extract<RunState, { kind: 'stopped' }>).stop;
  return { icount: d.cpu.icount, pc: U64(d.cpu.pc), reason: s.reason, ids: (s.hitBreakpointIds ?? []).join(','), fp: fingerprint(d.machine) };
}

function runToStop(d: MachineDebugger, limit = 20_000_000): RunState {
  for (let n = 0; n < limit; n += 50_000) {
    const s = d.runSlice(50_000);
    if (s.kind !== 'running') return s;
  }
  throw new Error('no stop');
}

for (const engine of ['jit', 'interp'] as const) {
  test(`${engine}: reverse-continue reaches every forward stop in reverse order with identical state`, () => {
    const { dbg, machine } = programRig(PROGRAM, engine);
    const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 5000, adaptive: false });
    const fact = dbg.symbols.byName('fact')!, inner = dbg.symbols.byName('inner')!, counter = dbg.symbols.byName('counter')!;
    dbg.setCodeBreakpoints('function', [{ id: 1, addr: fact, hitCondition: '%7' }]);
    dbg.setCodeBreakpoints('instruction', [{ id: 2, addr: inner, condition: '$a0 == 2' }]);
    dbg.setDataBreakpoints([{ id: 3, addr: counter + 4n, phys: false, length: 4, access: 'write' }]);
    const forward: Stop[] = [];
    dbg.resume(false);
    for (let i = 0; i < 40; i++) { forward.push(stopOf(dbg, runToStop(dbg))); dbg.resume(); }
    assert.ok(new Set(forward.map((s) => s.ids)).size === 3, 'every kind of breakpoint stopped');
    assert.ok(ttd.tt.snapshots.length > 3, `several snapshots (${ttd.tt.snapshots.length})`);
    // Run on past the last stop, then go back.
    for (let i = 0; i < 3; i++) dbg.runSlice(1000);
    const endFp = fingerprint(machine);
    const endIcount = machine.cpu.icount;
    for (let i = forward.length - 1; i >= 0; i--) {
      const got = stopOf(dbg, ttd.reverseContinue());
      assert.deepEqual(got, forward[i], `reverse stop ${forward.length - i}`);
    }
    // Nothing earlier: the start of the recording.
    assert.equal(stopOf(dbg, ttd.reverseContinue()).reason, 'entry');
    assert.equal(ttd.position.icount, 0);
    // Forward again from the start: the same stops (hit counts as in the first run), then the end state.
    dbg.resume(false);
    for (let i = 0; i < forward.length; i++) {
      assert.deepEqual(stopOf(dbg, runToStop(dbg)), forward[i], `forward again, stop ${i + 1}`);
      dbg.resume();
    }
    ttd.goTo(endIcount);
    assert.equal(fingerprint(machine), endFp);
    assert.equal(machine.replaying, false);
    ttd.dispose();
  });

  test(`${engine}: stepBack N then step N retraces identical states (instructions and lines)`, () => {
    const { dbg, machine } = programRig(PROGRAM, engine);
    const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 2000, adaptive: false });
    dbg.resume(false);
    for (let i = 0; i < 6; i++) dbg.runSlice(1777);
    const states: string[] = [fingerprint(machine)];
    const N = 40;
    for (let i = 0; i < N; i++) {
      const r = ttd.stepBack('instruction');
      assert.equal(r.kind, 'stopped');
      states.push(fingerprint(machine));
    }
    assert.equal(new Set(states).size, N + 1, 'every step back reached a different state');
    for (let i = N - 1; i >= 0; i--) {
      dbg.stepInstruction();
      assert.equal(dbg.runSlice(1).kind, 'stopped');
      assert.equal(fingerprint(machine), states[i], `step ${N - i}`);
    }
    assert.equal(machine.replaying, false);
    ttd.dispose();
  });

  test(`${engine}: a data breakpoint reverse-continues to the last write that changed the value`, () => {
    const { dbg, machine } = programRig(PROGRAM, engine);
    const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 3000, adaptive: false });
    const counter = dbg.symbols.byName('counter')!;
    dbg.resume(false);
    for (let i = 0; i < 10; i++) dbg.runSlice(3001);
    const total = machine.bus.ram32[Number(dbg.mem.ramOffset({ addr: counter + 4n, phys: false })) >>> 2];
    assert.ok(total > 2);
    dbg.setDataBreakpoints([{ id: 9, addr: counter + 4n, phys: false, length: 4, access: 'write' }]);
    const r = ttd.reverseContinue();
    assert.equal(r.kind, 'stopped');
    const stop = (r as Extract<RunState, { kind: 'stopped' }>).stop;
    assert.equal(stop.reason, 'data breakpoint');
    assert.equal(stop.watchHits?.[0].value, BigInt(total));
    assert.equal(stop.watchHits?.[0].old, BigInt(total - 1));
    assert.equal(U64(stop.watchHits![0].pc), dbg.symbols.byName('loop')! + 24n);
    ttd.dispose();
  });

  test(`${engine}: the demo's typed input and exceptions replay exactly; typing in the past is refused`, () => {
    const { dbg, machine, output } = demoRig(engine);
    const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 400_000, adaptive: false });
    dbg.setExceptionFilters([{ id: 'syscall' }, { id: 'tlb-refill' }, { id: 'interrupt' }]);
    const forward: Stop[] = [];
    const run = (slices: number): void => {
      for (let k = 0; k < slices; k++) {
        const s = dbg.runSlice(50_000);
        if (s.kind === 'stopped') { forward.push(stopOf(dbg, s)); dbg.resume(); }
      }
    };
    dbg.resume(false);
    // Type while running: each key at its own instruction count, between timer interrupts.
    for (const key of ['a', 'b', 't', 'c']) { run(47); machine.consoleInput(Buffer.from(key)); }
    run(40);
    assert.match(output(), /TLB refill handled[^]*a[^]*timer running[^]*b[^]*timer ticks: [^]*c/);
    assert.ok(forward.length >= 6, `stops: ${forward.length}`);
    const outLen = output().length;
    const endFp = fingerprint(machine);
    const endIcount = machine.cpu.icount;
    for (let i = forward.length - 1; i >= 0; i--) assert.deepEqual(stopOf(dbg, ttd.reverseContinue()), forward[i], `reverse stop ${forward.length - i}`);
    assert.throws(() => machine.consoleInput(Buffer.from('x')), (e: Error) => e instanceof TimeTravelError && /in the past/.test(e.message));
    ttd.goTo(endIcount);
    assert.equal(fingerprint(machine), endFp, 'the typed input replayed at the same counts');
    assert.equal(output().length > outLen, true); // replay emits UART bytes; hosts drop them while Machine.replaying
    machine.consoleInput(Buffer.from('q'));
    ttd.dispose();
  });
}

for (const engine of ['jit', 'interp'] as const) {
  test(`${engine}: stepBack by line goes back one source line over calls, never into the callee`, () => {
    const { dbg, machine } = programRig(PROGRAM, engine);
    const r = assemble(PROGRAM, { origin: 0xffffffff80100000n });
    assert.ok(r.ok);
    for (const l of r.lines) dbg.lines.add(l.addr, 'prog.s', l.line);
    const lineOf = (): number => dbg.lines.lookup(U64(dbg.cpu.pc))!.line;
    const srcLine = (text: string, from = 0): number => PROGRAM.split('\n').findIndex((t, i) => i >= from && t.includes(text)) + 1;
    const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 1000, adaptive: false });
    // Second pass of `outer`, at the line after `jal fact`.
    const after = r.lines.find((l) => l.line === srcLine('dla\t$t1, counter'))!.addr;
    dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: after, hitCondition: '2' }]);
    dbg.resume(false);
    stopOf(dbg, runToStop(dbg));
    dbg.setCodeBreakpoints('instruction', []);
    const expect = [srcLine('jal\tfact'), srcLine('li\t$a0, 5'), srcLine('b\touter'), srcLine('sw\t$s1'), srcLine('addiu\t$s1')];
    for (const want of expect) {
      const st = ttd.stepBack('line');
      assert.equal(st.kind, 'stopped');
      assert.equal(lineOf(), want, `back to line ${want}, at ${dbg.addr(U64(dbg.cpu.pc))}`);
    }
    // Inside the recursion: after `jal fact` returns in fact(4), one line back is that call, not fact(3)'s lines.
    const ld = dbg.symbols.byName('inner')! + 8n;
    const sp = U64(machine.cpu.getGpr(29));
    dbg.setCodeBreakpoints('instruction', [{ id: 2, addr: ld, condition: '$a0 == 4' }]);
    dbg.resume();
    stopOf(dbg, runToStop(dbg));
    dbg.setCodeBreakpoints('instruction', []);
    const frameSp = U64(machine.cpu.getGpr(29));
    assert.ok(frameSp < sp);
    ttd.stepBack('line');
    assert.equal(lineOf(), srcLine('jal\tfact', srcLine('inner:')));
    assert.equal(U64(machine.cpu.getGpr(29)), frameSp, 'the same frame');
    ttd.dispose();
  });
}

/** A loop calling `slot` (on a page of its own), whose instruction it rewrites every 64th time: li $v0, iteration / 64. */
const SELF_MODIFYING = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
	dla	$t1, slot
	li	$s2, 0
	li	$s3, 0
again:
	addiu	$s3, $s3, 1
	andi	$at, $s3, 63
	bnez	$at, call
	nop
	lui	$t0, 0x2402
	srl	$t2, $s3, 6
	or	$t0, $t0, $t2
	sw	$t0, 0($t1)
call:
	jal	slot
	nop
after:
	addu	$s2, $s2, $v0
	b	again
	nop
	.align	12
slot:
	addiu	$v0, $zero, 0
	jr	$ra
	nop
`;

test('jit: going back keeps translated code but on rewritten pages (self-modifying code replays exactly)', () => {
  // Translate at the second run: slot's code is translated, rewritten and translated again all along.
  const { dbg, machine } = programRig(SELF_MODIFYING, 'jit', { hot: 1 });
  const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 3000, adaptive: false });
  dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: dbg.symbols.byName('after')!, hitCondition: '%97' }]);
  const forward: Stop[] = [];
  dbg.resume(false);
  for (let i = 0; i < 12; i++) { forward.push(stopOf(dbg, runToStop(dbg))); dbg.resume(); }
  assert.ok(machine.jit!.stats.blocksTranslated > 10 && machine.jit!.stats.invalidations > 10, `translated and invalidated: ${JSON.stringify(machine.jit!.stats)}`);
  for (let i = 0; i < 50; i++) dbg.runSlice(100);
  for (let i = forward.length - 1; i >= 0; i--) {
    assert.deepEqual(stopOf(dbg, ttd.reverseContinue()), forward[i], `reverse stop ${forward.length - i}`);
    // $v0 is what the rewritten slot returned at that hit (iteration 97 × hits).
    assert.equal(machine.cpu.getGpr(2), BigInt(Math.floor(97 * (i + 1) / 64)));
  }
  ttd.dispose();
});

test('a reverse scan works in slices and Pause ends it where nothing was skipped', () => {
  const { dbg, machine } = programRig(PROGRAM, 'jit');
  const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 2000, adaptive: false });
  const fact = dbg.symbols.byName('fact')!;
  // The first call of fact is the only stop: far back, behind many snapshots.
  dbg.setCodeBreakpoints('function', [{ id: 1, addr: fact, hitCondition: '==1' }]);
  dbg.resume(false);
  const first = stopOf(dbg, runToStop(dbg));
  dbg.resume();
  for (let i = 0; i < 60; i++) dbg.runSlice(1000);
  const here = machine.cpu.icount;
  const travel = ttd.begin({ kind: 'reverseContinue' });
  // Working in slices: each returns between replay slices, the machine mid-scan.
  let slices = 0;
  while (slices < 3 && travel.work(0) === undefined) slices++;
  assert.equal(slices, 3, 'the scan took more than three slices');
  assert.throws(() => machine.consoleInput(Buffer.from('x')), /travelling in time/);
  const st = travel.cancel();
  assert.equal(st.kind, 'stopped');
  assert.equal((st as Extract<RunState, { kind: 'stopped' }>).stop.reason, 'pause');
  assert.match((st as Extract<RunState, { kind: 'stopped' }>).stop.description ?? '', /Reverse execution paused at instruction .* nothing to stop at from there/);
  // It went back, but not past the stop; it is at a snapshot (a scanned segment's start) or back where it began.
  const at = machine.cpu.icount;
  assert.ok(at > first.icount && at <= here, `paused at ${at}, between the stop at ${first.icount} and ${here}`);
  assert.ok(at === here || ttd.tt.snapshots.some((s) => s.icount === at), `at a snapshot: ${at}`);
  assert.throws(() => travel.work(1), /over/);
  // Reverse continue again from there: the stop, identical to the forward one.
  assert.deepEqual(stopOf(dbg, ttd.reverseContinue()), first);
  ttd.dispose();
});

for (const engine of ['jit', 'interp'] as const) {
  test(`${engine}: reverse step-out goes back to the call that entered the frame, frame by frame, with the forward state`, () => {
    const { dbg, machine } = programRig(PROGRAM, engine);
    const inner = dbg.symbols.byName('inner')!, fact = dbg.symbols.byName('fact')!;
    const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 1000, adaptive: false });
    // Forward: the states at the recursive calls of the second pass (fact(5) → fact(4) → fact(3) → fact(2)).
    dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: inner, condition: '$s1 == 1' }]);
    dbg.resume(false);
    const calls: Stop[] = [];
    const a0: bigint[] = [];
    for (let i = 0; i < 3; i++) { calls.push(stopOf(dbg, runToStop(dbg))); a0.push(machine.cpu.getGpr(4)); dbg.resume(); }
    assert.deepEqual(a0, [4n, 3n, 2n], 'the calls of fact(4), fact(3), fact(2)');
    // Into fact(2): its first instruction, then a few more.
    dbg.setCodeBreakpoints('instruction', [{ id: 2, addr: fact, condition: '$a0 == 2 && $s1 == 1' }]);
    stopOf(dbg, runToStop(dbg));
    dbg.setCodeBreakpoints('instruction', []);
    for (let i = 0; i < 3; i++) { dbg.stepInstruction(); dbg.runSlice(1); }
    // Out, out, out: the jal in fact(3), fact(4), fact(5), each the forward state at that call.
    for (let i = calls.length - 1; i >= 0; i--) {
      const st = ttd.stepBackOut();
      assert.equal(st.kind, 'stopped');
      assert.match((st as Extract<RunState, { kind: 'stopped' }>).stop.description, /Stepped back out to .*, where the frame was entered/);
      assert.deepEqual({ ...stopOf(dbg, st), reason: calls[i].reason, ids: calls[i].ids }, calls[i], `out to call ${i + 1}`);
    }
    // Once more: the call of fact(5) in `outer`.
    const st = ttd.stepBackOut();
    const w = dbg.mem.word(U64(machine.cpu.pc))!;
    assert.equal(machine.cpu.decoder.decode(w).canonical.name, 'jal', `at a jal: ${dbg.addr(U64(machine.cpu.pc))}`);
    assert.equal(machine.cpu.getGpr(4), 5n);
    assert.equal(st.kind, 'stopped');
    ttd.dispose();
  });
}

test('hits seen while running are listed and can be gone to again; goTo reaches an exception entry', () => {
  const { dbg, machine } = demoRig('jit');
  const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 400_000, adaptive: false });
  dbg.setExceptionFilters([{ id: 'syscall' }, { id: 'tlb-refill' }]);
  dbg.resume(false);
  const seen: Stop[] = [];
  for (let i = 0; i < 2; i++) {
    const r = runToStop(dbg);
    ttd.noteStop((r as Extract<RunState, { kind: 'stopped' }>).stop);
    seen.push(stopOf(dbg, r));
    dbg.resume();
  }
  for (let i = 0; i < 20; i++) dbg.runSlice(50_000);
  const hits = ttd.hits;
  assert.deepEqual(hits.map((h) => h.reason), ['exception', 'exception']);
  assert.match(hits[0].description, /Syscall/);
  assert.match(hits[1].description, /TLB refill/);
  assert.ok(hits[1].pos.sub > 0, 'the refill stop is at the vector: an exception entry into its instruction count');
  // Back to each (by position), identical state; a stop in the past is not a new hit.
  for (let i = hits.length - 1; i >= 0; i--) {
    const st = ttd.goTo(hits[i].pos.icount, hits[i].pos.sub);
    assert.equal(U64(machine.cpu.pc), hits[i].pc);
    assert.equal(stopOf(dbg, st).fp, seen[i].fp, `hit ${i + 1}`);
    ttd.noteStop((st as Extract<RunState, { kind: 'stopped' }>).stop);
  }
  assert.equal(ttd.hits.length, 2);
  assert.throws(() => ttd.goTo(1, 65), /exception entries/);
  ttd.dispose();
});

test('bad input: a budget of 0, a budget below the first snapshot, a second recorder', () => {
  const { dbg, machine } = programRig(PROGRAM);
  assert.throws(() => new TimeTravel(machine, { budgetBytes: 0 }), /budget of 0 bytes holds no history/);
  assert.throws(() => new TimeTravel(machine, { budgetBytes: 100 }), /smaller than the machine's first snapshot/);
  assert.equal(machine.recorder, undefined);
  const t = new TimeTravelDebugger(dbg);
  assert.throws(() => new TimeTravel(machine), /already recorded/);
  t.dispose();
  assert.equal(machine.recorder, undefined);
});

test('the history stays within its budget: older snapshots are thinned out', () => {
  const { dbg, machine } = programRig(PROGRAM);
  const budget = 600_000;
  const ttd = new TimeTravelDebugger(dbg, { intervalInstructions: 1000, budgetBytes: budget, adaptive: false });
  dbg.resume(false);
  for (let i = 0; i < 400; i++) { dbg.runSlice(997); assert.ok(ttd.tt.usedBytes <= budget, `used ${ttd.tt.usedBytes}`); }
  const snaps = ttd.tt.snapshots;
  assert.equal(snaps[0].icount, 0, 'the start stays');
  const gaps = snaps.slice(1).map((s, i) => s.icount - snaps[i].icount);
  assert.ok(gaps[1] >= gaps[gaps.length - 1], `older gaps are wider: ${gaps.join(' ')}`);
  // Going back across thinned snapshots still lands on the exact state.
  const fp = fingerprint(machine);
  const here = machine.cpu.icount;
  ttd.goTo(Math.floor(here / 3));
  ttd.goTo(here);
  assert.equal(fingerprint(machine), fp);
  ttd.dispose();
});
