// The cold-code runner going on into translated regions (jump cache) and back: a cold
// caller loop calls a hot function whose region calls out to the interpreter (div), then
// goes on in cold code. The run must leave no precise-state block behind (an exception or
// interrupt raised afterwards would use it) and compute what the interpreter computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { programRig } from '../debug/demo-machine';

const PROGRAM = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
	li	$s0, 0
	li	$s1, 0
	li	$s3, 7
caller:
	jal	callee
	move	$a0, $s0
	addu	$s1, $s1, $v0
	addiu	$s0, $s0, 1
	sltiu	$at, $s0, 600
	bnez	$at, caller
	nop
done:
	b	done
	nop
callee:
	li	$v0, 0
	li	$t0, 0
1:	addu	$t1, $a0, $t0
	div	$zero, $t1, $s3
	mfhi	$t2
	addu	$v0, $v0, $t2
	addiu	$t0, $t0, 1
	sltiu	$at, $t0, 40
	bnez	$at, 1b
	nop
	jr	$ra
	nop
`;

function expected(): bigint {
  let s1 = 0n;
  for (let s0 = 0n; s0 < 600n; s0++) {
    let v0 = 0n;
    for (let t0 = 0n; t0 < 40n; t0++) v0 += (s0 + t0) % 7n;
    s1 += v0;
  }
  return s1;
}

test('the runner enters a translated region from cold code and leaves no precise-state block behind', () => {
  const { machine, dbg } = programRig(PROGRAM, 'jit');
  const jit = machine.jit!;
  assert.ok(jit.wasm, 'the WebAssembly tier is on');
  jit.hot = 20_000; // the callee's loop gets hot long before the caller
  const done = dbg.symbols.byName('done')!;
  let slices = 0;
  while (BigInt.asUintN(64, machine.cpu.pc) !== done && slices < 10_000) {
    machine.run(3_001);
    slices++;
    assert.equal(machine.cpu.jitBlk, undefined, `a precise-state block lingers after run() (slice ${slices})`);
  }
  assert.equal(BigInt.asUintN(64, machine.cpu.pc), done, 'the program did not finish');
  assert.ok(jit.stats.runnerRegions > 0, 'the runner never entered the translated callee');
  assert.ok(jit.stats.runnerChained > 0, 'the runner never went on through cold code');
  assert.equal(BigInt.asUintN(64, dbg.cpu.getGpr(17)), expected());
});
