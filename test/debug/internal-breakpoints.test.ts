// The debugger's internal breakpoints (what kernel-symbol discovery hooks the decompressor
// and relocate_kernel with), on both engines: the handler runs once per arrival with the
// machine at the address, execution goes on without a stop, handlers can add and remove
// internal breakpoints, a user breakpoint at the same address still stops (handler run
// too), and single steps through the address run the handler as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { programRig, runToStop } from './demo-machine';

const PROGRAM = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
	li	$t0, 0
loop:
	addiu	$t0, $t0, 1
hook:
	sltiu	$at, $t0, 10
	bnez	$at, loop
	nop
done:
	li	$t1, 77
	break
	nop
`;

for (const engine of ['jit', 'interp'] as const) {
  test(`${engine}: internal breakpoints run their handler once per arrival and never stop`, () => {
    const { dbg } = programRig(PROGRAM, engine);
    const hook = dbg.symbols.byName('hook')!, done = dbg.symbols.byName('done')!;
    const seen: bigint[] = [];
    let doneAt: bigint | undefined;
    dbg.setInternalBreakpoint(hook, (pc) => {
      assert.equal(pc, hook);
      assert.equal(BigInt.asUintN(64, dbg.cpu.pc), hook, 'the machine is at the breakpoint');
      seen.push(dbg.cpu.getGpr(12)); // $t0 (n64 numbering)
      if (seen.length === 10) {
        // Chain: drop this one, arm another (as relocate_kernel's entry arms its return).
        dbg.setInternalBreakpoint(hook, undefined);
        dbg.setInternalBreakpoint(done, () => { doneAt = dbg.cpu.getGpr(13); dbg.setInternalBreakpoint(done, undefined); });
      }
    });
    dbg.setExceptionFilters([{ id: 'break' }]);
    dbg.resume(false);
    const st = runToStop(dbg);
    assert.equal(st.kind, 'stopped');
    assert.equal(st.kind === 'stopped' && st.stop.reason, 'exception', 'the only stop is the break instruction');
    assert.deepEqual(seen, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
    assert.equal(doneAt, 0n, 'the chained breakpoint ran before `li $t1, 77`');
    assert.equal(dbg.cpu.getGpr(13), 77n);
  });

  test(`${engine}: a user breakpoint at an internal one stops; steps run the handler once`, () => {
    const { dbg } = programRig(PROGRAM, engine);
    const hook = dbg.symbols.byName('hook')!;
    let calls = 0;
    dbg.setInternalBreakpoint(hook, () => { calls++; });
    dbg.setCodeBreakpoints('instruction', [{ id: 7, addr: hook }]);
    dbg.resume(false);
    const st = runToStop(dbg);
    assert.equal(st.kind === 'stopped' && st.stop.reason, 'instruction breakpoint');
    assert.deepEqual(st.kind === 'stopped' && st.stop.hitBreakpointIds, [7]);
    assert.equal(calls, 1);
    // Stepping from the stop does not run the handler again (same arrival) ...
    dbg.stepInstruction();
    assert.equal(dbg.runSlice(1).kind, 'stopped');
    assert.equal(calls, 1);
    // ... but stepping onto it again does (next loop iteration: bnez, its delay slot, addiu, then hook).
    for (let k = 0; k < 3; k++) { dbg.stepInstruction(); dbg.runSlice(1); }
    assert.equal(BigInt.asUintN(64, dbg.cpu.pc), hook);
    dbg.stepInstruction();
    dbg.runSlice(1);
    assert.equal(calls, 2);
  });
}
