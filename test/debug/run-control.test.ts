// Run control on a purpose-built program, on both engines: frame-aware step over and
// step out through recursion, unwinding recursive frames, a watchpoint on a page that
// also holds hot translated code, a breakpoint in a branch delay slot, exception and
// panic filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoRig, programRig, runToStop } from './demo-machine';
import { MachineDebugger, RunState } from '../../src/emulator/debug/debugger';
import { evaluate } from '../../src/emulator/debug/expr';
import { SymbolTable } from '../../src/emulator/loader/symbols';
import { STB_GLOBAL, STT_FUNC } from '../../src/emulator/loader/elf';
import type { JitEngine } from '../../src/emulator/jit/engine';
import type { Machine } from '../../src/emulator/machine';

const PROGRAM = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
	dla	$sp, stack_top
	li	$a0, 5
	jal	fact
	nop
	move	$s0, $v0
	li	$t0, 0
	li	$t2, 0
	dla	$t1, counter
loop:
	addiu	$t0, $t0, 1
	sw	$t0, 0($t1)
	sltiu	$at, $t0, 1000
	bnez	$at, loop
slot:
	addiu	$t2, $t2, 1
	break
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
	.word	0
	.data
	.space	4096
stack_top:
`;

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const pc = (d: MachineDebugger): bigint => U64(d.cpu.pc);
const ev = (d: MachineDebugger, e: string): bigint => evaluate(e, d.ctx).v;
function stopped(r: RunState): Extract<RunState, { kind: 'stopped' }> {
  assert.equal(r.kind, 'stopped');
  return r as Extract<RunState, { kind: 'stopped' }>;
}

for (const engine of ['jit', 'interp'] as const) {
  test(`${engine}: recursion — unwinding, frame-aware step over the recursive call, step out`, () => {
    const { dbg } = programRig(PROGRAM, engine);
    const fact = dbg.symbols.byName('fact')!;
    dbg.setCodeBreakpoints('function', [{ id: 1, addr: fact, condition: '$a0 == 1' }]);
    dbg.resume();
    stopped(runToStop(dbg));
    assert.equal(pc(dbg), fact);
    const frames = dbg.unwinder.unwind();
    // fact(1) ← fact(2) ← … ← fact(5) ← start
    assert.deepEqual(frames.map((f) => dbg.symbols.describe(f.funcStart!)), ['fact', 'fact', 'fact', 'fact', 'fact', 'start']);
    assert.deepEqual(frames.slice(1, 5).map((f) => f.pc), Array(4).fill(dbg.symbols.byName('inner')! + 8n));
    for (let i = 1; i < frames.length; i++) assert.ok(frames[i].sp > frames[i - 1].sp || i === 1);
    assert.equal(frames[1].sp - frames[0].sp, 0n); // fact(1) has not allocated its frame yet
    assert.equal(frames[2].sp - frames[1].sp, 16n);

    // Step out of fact(1): back in fact(2) after its `jal fact` + delay slot.
    dbg.setCodeBreakpoints('function', []);
    dbg.stepOut();
    assert.equal(stopped(runToStop(dbg)).stop.reason, 'step');
    assert.equal(pc(dbg), dbg.symbols.byName('inner')! + 8n);
    assert.equal(ev(dbg, '$v0'), 1n);

    // From the top: stop at `inner` in fact(5) and step over the call: the deeper
    // returns to the same address (smaller sp) do not stop; fact(4) = 24 does.
    const rig = programRig(PROGRAM, engine);
    const d = rig.dbg;
    d.setCodeBreakpoints('instruction', [{ id: 2, addr: d.symbols.byName('inner')! }]);
    d.resume();
    stopped(runToStop(d));
    assert.equal(ev(d, '$a0'), 4n);
    d.setCodeBreakpoints('instruction', []);
    d.stepOver();
    assert.equal(stopped(runToStop(d)).stop.reason, 'step');
    assert.equal(pc(d), d.symbols.byName('inner')! + 8n);
    assert.equal(ev(d, '$v0'), 24n);
  });

  test(`${engine}: watchpoint on a word in the page of a hot translated loop; breakpoint in a delay slot`, () => {
    const { dbg, machine } = programRig(PROGRAM, engine);
    if (machine.jit) machine.jit.hot = 4; // translate the loop early
    const counter = dbg.symbols.byName('counter')!;
    assert.equal(counter >> 12n, dbg.symbols.byName('loop')! >> 12n, 'same page as the loop');
    assert.deepEqual(dbg.setDataBreakpoints([{ id: 3, addr: counter, phys: false, length: 4, access: 'write', condition: '*(u32*)counter == 500' }]), ['']);
    dbg.resume();
    let r = stopped(runToStop(dbg));
    assert.equal(r.stop.reason, 'data breakpoint');
    const h = r.stop.watchHits![0];
    assert.equal(h.old, 499n);
    assert.equal(h.value, 500n);
    assert.equal(h.size, 4);
    assert.equal(ev(dbg, '$t0'), 500n);
    assert.equal(h.pc, dbg.symbols.byName('loop')! + 4n);
    assert.equal(pc(dbg), h.pc + 4n);
    if (engine === 'jit') assert.ok(machine.jit!.stats.blocksTranslated > 0);

    // Breakpoint on the delay slot of the loop branch, 100th time (the first is with $t0 = 500).
    dbg.setDataBreakpoints([]);
    const slot = dbg.symbols.byName('slot')!;
    dbg.setCodeBreakpoints('instruction', [{ id: 4, addr: slot, hitCondition: '=100' }]);
    dbg.resume();
    r = stopped(runToStop(dbg));
    assert.equal(r.stop.reason, 'instruction breakpoint');
    assert.equal(pc(dbg), slot);
    assert.equal(dbg.cpu.inDelay, true);
    assert.equal(ev(dbg, '$t0'), 599n);
    assert.equal(ev(dbg, '$t2'), 598n);

    // To the end: the loop still computes the right values; the break filter stops there.
    dbg.setCodeBreakpoints('instruction', []);
    dbg.setExceptionFilters([{ id: 'break' }]);
    dbg.resume();
    r = stopped(runToStop(dbg));
    assert.match(r.stop.description, /^Breakpoint \(Bp\) at EPC 0xffffffff801000\w+ <slot\+0x4>$/);
    assert.equal(ev(dbg, '$t0'), 1000n);
    assert.equal(ev(dbg, '$t2'), 1000n);
    assert.equal(ev(dbg, '*(u32*)counter'), 1000n);
    assert.equal(ev(dbg, '$s0'), 120n);
  });

  test(`${engine}: a conditional breakpoint in the middle of a hot (translated) loop`, () => {
    const { dbg, machine } = programRig(PROGRAM, engine);
    if (machine.jit) machine.jit.hot = 2;
    const loop = dbg.symbols.byName('loop')!;
    // Run the loop hot first (translated), then set a breakpoint inside its block.
    dbg.resume();
    assert.equal(dbg.runSlice(1500).kind, 'running');
    assert.ok(ev(dbg, '$t0') < 700n);
    if (machine.jit) assert.ok(machine.jit.stats.blocksTranslated > 0);
    dbg.setCodeBreakpoints('instruction', [{ id: 2, addr: loop + 8n, condition: '$t0 == 700' }]);
    dbg.resume();
    const r = stopped(runToStop(dbg));
    assert.equal(r.stop.reason, 'instruction breakpoint');
    assert.equal(pc(dbg), loop + 8n);
    assert.equal(ev(dbg, '$t0'), 700n);
    assert.equal(ev(dbg, '*(u32*)counter'), 700n);
    if (machine.jit) assert.ok(machine.jit.stats.blockExecs > 100, JSON.stringify(machine.jit.stats));
    // Removing it lets the loop run to the end at full speed.
    dbg.setCodeBreakpoints('instruction', []);
    dbg.setExceptionFilters([{ id: 'break' }]);
    dbg.resume();
    stopped(runToStop(dbg));
    assert.equal(ev(dbg, '$t0'), 1000n);
  });

  test(`${engine}: kernel panic filter (breakpoint on the symbol panic) and interrupt filter`, () => {
    const { dbg } = programRig(PROGRAM, engine);
    // A second symbol file that names fact "panic".
    const fact = dbg.symbols.byName('fact')!;
    dbg.symbols.add(new SymbolTable([{ name: 'panic', value: fact, size: 4n, type: STT_FUNC, bind: STB_GLOBAL, shndx: 1, index: 1, other: 0 } as never]));
    assert.deepEqual(dbg.setExceptionFilters([{ id: 'panic' }]), []);
    dbg.resume();
    const r = stopped(runToStop(dbg));
    assert.equal(r.stop.reason, 'exception');
    assert.match(r.stop.description, /^Kernel panic: panic\(\) called \(at 0xffffffff801000\w+ <(fact|panic)>\)$/);

    const demo = demoRig(engine).dbg;
    assert.deepEqual(demo.setExceptionFilters([{ id: 'panic' }, { id: 'interrupt' }]), ['no symbol `panic` is loaded: the kernel panic filter cannot stop']);
    demo.resume();
    const i = stopped(runToStop(demo));
    assert.match(i.stop.description, /^Interrupt \(Int: IP7\) at EPC 0xffffffff801001\w+ <idle(\+0x\w+)?>$/);
  });
}

/** Assembly: sets Status.KX; $t1 = the ckseg0 address of `label`, $s1 = its xkphys alias (cached, physical = ckseg0 − 0xffffffff80000000). */
const kxAndXkphysAlias = (label: string): string => `
	mfc0	$t9, $12
	ori	$t9, $t9, 0x80		# Status.KX: xkphys reachable
	mtc0	$t9, $12
	dla	$t1, ${label}
	dli	$s1, 0x9800000000000000
	dsll32	$s2, $t1, 0
	dsrl32	$s2, $s2, 0
	lui	$s3, 0x8000
	dsll32	$s3, $s3, 0
	dsrl32	$s3, $s3, 0
	dsubu	$s2, $s2, $s3
	or	$s1, $s1, $s2
`;

// Translated Kernel-mode loads of unmapped RAM (ckseg0, xkphys) skip the host translation
// cache; a read watchpoint set afterwards must still see them (the dispatcher drops that code).
const READER = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
${kxAndXkphysAlias('value')}	li	$t0, 0
	li	$t2, 0
loop:
	lw	$t3, 0($t1)
	lw	$s4, 0($s1)
	addu	$t2, $t2, $t3
	addu	$t2, $t2, $s4
	addiu	$t0, $t0, 1
	sltiu	$at, $t0, 20000
	bnez	$at, loop
	nop
	break
	nop
	.align	3
value:
	.word	7
`;

/**
 * Runs `source` until its loop is translated (threshold 4) with direct RAM reads (`check`
 * looks at the engine then), then sets a read watchpoint on the word at `symbol` and
 * resumes: the first stop, which must be that watchpoint, with the direct-reading code dropped.
 */
function watchAfterTranslation(source: string, symbol: string, check: (m: Machine) => void = () => {}):
  { dbg: MachineDebugger; jit: JitEngine; r: Extract<RunState, { kind: 'stopped' }>; translated: number } {
  const { dbg, machine } = programRig(source, 'jit');
  const jit = machine.jit!;
  jit.hot = 4;
  machine.run(5_000);
  assert.ok(jit.wasm, 'the WebAssembly tier is on');
  assert.ok(jit.wasm.directReads, 'the translated loop reads unmapped RAM directly');
  check(machine);
  const translated = jit.stats.blocksTranslated;
  assert.deepEqual(dbg.setDataBreakpoints([{ id: 1, addr: dbg.symbols.byName(symbol)!, phys: false, length: 4, access: 'read' }]), ['']);
  dbg.resume();
  const r = stopped(runToStop(dbg));
  assert.equal(r.stop.reason, 'data breakpoint');
  assert.equal(jit.wasm.directReads, false, 'the code reading RAM directly was dropped');
  return { dbg, jit, r, translated };
}

test('jit: a read watchpoint set after a loop reading unmapped RAM was translated still stops at the read', () => {
  const { dbg, jit, r, translated } = watchAfterTranslation(READER, 'value');
  const h = r.stop.watchHits![0];
  assert.equal(h.write, false);
  assert.equal(h.old, 7n);
  assert.equal(h.pc, dbg.symbols.byName('loop')!);
  // The kseg0 read and its xkphys alias both reach the watchpoint, translated again or not.
  const n = ev(dbg, '$t0');
  dbg.resume();
  const r2 = stopped(runToStop(dbg));
  assert.equal(r2.stop.reason, 'data breakpoint');
  assert.equal(r2.stop.watchHits![0].pc, dbg.symbols.byName('loop')! + 4n);
  assert.equal(ev(dbg, '$t0'), n);
  // Without the watchpoint the loop finishes with the right sum.
  dbg.setDataBreakpoints([]);
  dbg.setExceptionFilters([{ id: 'break' }]);
  dbg.resume();
  stopped(runToStop(dbg));
  assert.equal(ev(dbg, '$t2'), 20000n * 14n);
  assert.ok(jit.stats.blocksTranslated > translated, 'the loop was translated again');
});

// With Status.KX clear (32-bit kernel addressing, as in the Linux decompressor) ckseg0 reads
// are direct as well; xkphys is an address error there, so no xkphys arm is compiled.
const READER_KX_CLEAR = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
	mfc0	$t9, $12
	ori	$t9, $t9, 0x80
	xori	$t9, $t9, 0x80		# Status.KX clear
	mtc0	$t9, $12
	dla	$t1, value32
	li	$t0, 0
	li	$t2, 0
loop32:
	lw	$t3, 0($t1)
	addu	$t2, $t2, $t3
	addiu	$t0, $t0, 1
	sltiu	$at, $t0, 20000
	bnez	$at, loop32
	nop
	break
	nop
	.align	3
value32:
	.word	5
`;

test('jit: with Status.KX clear, translated ckseg0 reads are direct and a read watchpoint set afterwards still stops at them', () => {
  const { dbg, r } = watchAfterTranslation(READER_KX_CLEAR, 'value32', (m) => {
    assert.equal(m.cpu.c0.status & 0x80, 0, 'KX is clear');
    assert.equal(m.jit!.wasm!.xkphysReads, false, 'no xkphys arm was compiled without KX');
  });
  assert.equal(r.stop.watchHits![0].pc, dbg.symbols.byName('loop32')!);
  dbg.setDataBreakpoints([]);
  dbg.setExceptionFilters([{ id: 'break' }]);
  dbg.resume();
  stopped(runToStop(dbg));
  assert.equal(ev(dbg, '$t2'), 20000n * 5n);
});

// A loop translated with KX set reads xkphys directly; once KX is cleared the same code must
// not run any more: the same read is then an address error (AdEL, BadVAddr the xkphys address).
const XKPHYS_THEN_KX_CLEAR = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
${kxAndXkphysAlias('word64')}	jal	sum
	li	$a0, 20000
	mfc0	$t9, $12
	xori	$t9, $t9, 0x80		# KX clear: xkphys is an address error now
	mtc0	$t9, $12
	jal	sum
	li	$a0, 10
	break
	nop
sum:
	li	$t2, 0
again:
	lw	$t3, 0($s1)
	addu	$t2, $t2, $t3
	addiu	$a0, $a0, -1
	bnez	$a0, again
	nop
	jr	$ra
	nop
	.align	3
word64:
	.word	3
`;

for (const engine of ['interp', 'jit'] as const) {
  test(`${engine}: an xkphys read after Status.KX was cleared is an address error, though the same read ran with KX set (host translation cache flushed; translated code with direct xkphys reads dropped)`, () => {
    const { dbg, machine } = programRig(XKPHYS_THEN_KX_CLEAR, engine);
    if (machine.jit) machine.jit.hot = 4;
    dbg.setExceptionFilters([{ id: 'address-error' }, { id: 'break' }]);
    dbg.resume();
    const r = stopped(runToStop(dbg));
    assert.equal(r.stop.reason, 'exception', r.stop.description);
    assert.match(r.stop.description, /AdEL/);
    assert.equal(r.stop.exception?.epc, dbg.symbols.byName('again')!);
    assert.equal(r.stop.exception?.badVAddr, BigInt.asUintN(64, ev(dbg, '$s1')));
    assert.equal(ev(dbg, '$t2'), 0n, 'the second call read nothing');
    assert.equal(ev(dbg, '$a0'), 10n);
    if (machine.jit) {
      assert.ok(machine.jit.stats.blocksTranslated > 0, 'the loop was translated');
      assert.equal(machine.jit.wasm?.xkphysReads, false, 'the code with the xkphys arm was dropped');
    }
  });
}
