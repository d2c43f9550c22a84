// The demo board's power register seen from a guest: an 'RSET' store resets the machine
// at the instruction boundary after it (never inside the store: the instructions after
// it do not run, and the interpreter and the translating engine agree on every
// register, RAM and the instruction count), and a line written to the UART just before
// a power-off reaches the console whole (machine events and `mips64 boot FILE.elf`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { buildElf } from '../support/checkpoint-guests';
import { LAST_WORDS, LAST_WORDS_OUTPUT } from '../support/last-words';
import { cli, ensureBuilt } from '../cli/support';

const RESETS = 40;

/**
 * Counts its boots at RAM 0x3000; resets itself with 'RSET' until the count reaches
 * RESETS, then powers off with the exit code read from 0x3008, which only the two
 * instructions after the RSET store write (0: they never ran). The store sits in a
 * block with more after it, so a translating engine that finished the block first
 * would be caught.
 */
const RESETTER = `
	.set	noreorder
	.text
	.globl	start
start:
	dli	$t0, 0xffffffff80003000
	ld	$t1, 0($t0)
	daddiu	$t1, $t1, 1
	sd	$t1, 0($t0)
	dli	$t2, 0xffffffffbf100000
	li	$t3, ${RESETS}
	beq	$t1, $t3, off
	nop
	li	$s1, 0x52534554
	sw	$s1, 0($t2)
	daddiu	$s2, $t1, 100
	sd	$s2, 8($t0)
1:	b	1b
	nop
off:
	ld	$s2, 8($t0)
	li	$s3, 0x5a5a0000
	or	$s3, $s3, $s2
	sw	$s3, 0($t2)
2:	b	2b
	nop
`;

function runToPowerOff(engine: 'interp' | 'jit', elf: Uint8Array): { machine: ReturnType<typeof createDemoMachine>['machine']; out: string; resets: number } {
  const { machine, board } = createDemoMachine({ engine, memoryMiB: 8 });
  board.boot(elf);
  let out = '', resets = 0;
  machine.events.on('uartTx', ({ byte }) => { out += String.fromCharCode(byte); });
  machine.events.on('reset', () => { resets++; });
  for (let i = 0; i < 200 && !machine.poweredOff; i++) machine.run(50_000);
  assert.equal(machine.poweredOff, true, `${engine}: powered off`);
  return { machine, out, resets };
}

test('RSET resets at the instruction boundary after the store; the interpreter and the JIT agree', () => {
  const elf = buildElf(RESETTER);
  const a = runToPowerOff('interp', elf), b = runToPowerOff('jit', elf);
  for (const [engine, r] of [['interp', a], ['jit', b]] as const) {
    assert.equal(r.resets, RESETS - 1, `${engine}: resets`);
    assert.equal(r.machine.exitCode, 0, `${engine}: the instructions after the RSET store never ran`);
    assert.equal(new DataView(r.machine.bus.ram.buffer, 0x3000).getBigUint64(0, true), BigInt(RESETS), `${engine}: boots counted`);
  }
  assert.equal(b.machine.cpu.icount, a.machine.cpu.icount, 'the same instruction count');
  for (let i = 0; i < 32; i++) assert.equal(b.machine.cpu.getGpr(i), a.machine.cpu.getGpr(i), `$${i}`);
  assert.equal(b.machine.cpu.pc, a.machine.cpu.pc, 'pc');
  assert.deepEqual(b.machine.bus.ram, a.machine.bus.ram, 'RAM');
});

test('the line a guest writes just before powering off reaches the console: machine events and `mips64 boot FILE.elf`', () => {
  const elf = buildElf(LAST_WORDS);
  const want = LAST_WORDS_OUTPUT;
  for (const engine of ['interp', 'jit'] as const) {
    const r = runToPowerOff(engine, elf);
    assert.equal(r.out, want, engine);
    assert.equal(r.machine.exitCode, 7);
  }
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'mips64-last-words-'));
  try {
    const file = join(dir, 'last-words.elf');
    writeFileSync(file, elf);
    const c = cli(['boot', file]);
    assert.equal(c.code, 7, c.stderr);
    assert.equal(c.stdout.replace(/\r\n/g, '\n'), want);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
