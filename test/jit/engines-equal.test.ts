// Both execution engines run whole programs to power-off and must agree exactly: the
// UART output, the exit code and the instruction count at power-off. The built-in demo
// guest gets scripted console input at fixed instruction counts (timer and UART
// interrupts, syscalls, a TLB refill, WAIT); the compute kernels exercise loops,
// calls, memory and 64-bit arithmetic, and one counts work between timer interrupts,
// which only matches if both engines take every interrupt at the same instruction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import { createDemoMachine } from '../../src/emulator/boards/demo';

const ROOT = join(__dirname, '..', '..', '..');
const ORIGIN = 0xffffffff80100000n;

interface Outcome {
  output: string; exitCode: number; icount: number; poweredOff: boolean; translated: number; runnerInsns: number; wasmRegions: number; wasmResets: number;
}

/** Input bytes delivered when the instruction count reaches `at`. */
interface Input { at: number; text: string }

function build(source: string): Uint8Array {
  const r = assemble(source, { origin: ORIGIN, model: '5KEc' });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'));
  return assemblyToElf(r);
}

function runOn(engine: 'interp' | 'jit', elf: Uint8Array, inputs: readonly Input[], limit: number, hot?: number, wasm = true,
  wasmLinkSlots?: number): Outcome {
  const { machine, board } = createDemoMachine({ engine, memoryMiB: 32, jit: { wasm, wasmLinkSlots } });
  if (hot !== undefined && machine.jit) machine.jit.hot = hot;
  let output = '';
  machine.events.on('uartTx', (e) => { output += String.fromCharCode(e.byte); });
  board.boot(elf);
  const cpu = machine.cpu;
  for (const inp of inputs) {
    while (cpu.icount < inp.at && !machine.poweredOff) {
      const r = machine.run(inp.at - cpu.icount);
      if (r.reason === 'idle') break;
    }
    if (machine.poweredOff) break;
    machine.consoleInput(Buffer.from(inp.text, 'latin1'));
  }
  while (!machine.poweredOff && cpu.icount < limit) {
    const r = machine.run(Math.min(1_000_000, limit - cpu.icount));
    if (r.reason === 'idle') break;
  }
  return {
    output, exitCode: machine.exitCode, icount: cpu.icount, poweredOff: machine.poweredOff,
    translated: machine.jit?.stats.blocksTranslated ?? 0,
    runnerInsns: machine.jit?.stats.runnerInsns ?? 0,
    wasmRegions: machine.jit?.wasm?.stats.blocks ?? 0,
    wasmResets: machine.jit?.wasm?.stats.resets ?? 0,
  };
}

function assertSame(name: string, source: string, inputs: readonly Input[], limit = 200_000_000): Outcome {
  const elf = build(source);
  const a = runOn('interp', elf, inputs, limit);
  assert.ok(a.poweredOff, `${name}: the interpreter run did not power off (output ${JSON.stringify(a.output)})`);
  // The default translation threshold; translating everything at once (WebAssembly regions);
  // nothing translated (the WebAssembly cold-code runner alone); without the WebAssembly tier
  // (the dispatcher interprets every block).
  const NEVER = 2 ** 31 - 1;
  for (const [hot, wasm] of [[undefined, true], [0, true], [NEVER, true], [0, false]] as const) {
    const b = runOn('jit', elf, inputs, limit, hot, wasm);
    const how = !wasm ? 'no WebAssembly tier' : hot === NEVER ? 'cold-code runner' : 'WebAssembly tier';
    const what = `${name} (jit, hot ${hot ?? 'default'}, ${how})`;
    assert.equal(b.output, a.output, `${what}: UART output`);
    assert.equal(b.exitCode, a.exitCode, `${what}: exit code`);
    assert.equal(b.icount, a.icount, `${what}: instruction count at power-off`);
    assert.equal(b.poweredOff, true);
    if (hot === 0) assert.equal(b.translated > 0, wasm, `${what}: ${b.translated} blocks translated`);
    if (hot === 0) assert.equal(b.wasmRegions > 0, wasm, `${what}: ${b.wasmRegions} WebAssembly regions`);
    if (hot === NEVER) assert.equal(b.translated, 0, `${what}: nothing is translated`);
    if (hot === NEVER) assert.ok(b.runnerInsns > 0, `${what}: the runner ran nothing`);
  }
  return a;
}

// ---- compute kernels -------------------------------------------------------------------

/** Start-up, exit (v0 = exit code) and polled UART output shared by the kernels. */
const PRELUDE = `
	.set	noreorder
	.set	noat
	UART	= 0xffffffffb80003f8
	POWER	= 0xffffffffbf100000
	.text
	.globl	start
start:
	dla	$sp, stack_top
	dli	$25, UART
	li	$1, 3
	sb	$1, 3($25)		# LCR 8N1
	li	$1, 7
	sb	$1, 2($25)		# FCR: FIFOs on
	jal	main
	nop
	dli	$25, UART
2:	lbu	$1, 5($25)		# wait until the transmitter is empty (TEMT)
	andi	$1, $1, 0x40
	beqz	$1, 2b
	nop
	dli	$8, POWER
	andi	$2, $2, 0xff
	lui	$9, 0x5a5a
	or	$9, $9, $2
	sw	$9, 0($8)
1:	b	1b
	nop

# putc(a0); clobbers $1, $25
putc:
	dli	$25, UART
1:	lbu	$1, 5($25)
	andi	$1, $1, 0x20
	beqz	$1, 1b
	nop
	jr	$31
	sb	$4, 0($25)

# puthex(a0): 16 hex digits and a newline; clobbers $1, $4, $12-$15, $25
puthex:
	move	$15, $31
	move	$12, $4
	li	$13, 60
1:	dsrlv	$14, $12, $13
	andi	$14, $14, 15
	sltiu	$1, $14, 10
	bnez	$1, 2f
	addiu	$4, $14, 0x30
	addiu	$4, $14, 0x57
2:	jal	putc
	nop
	bnez	$13, 1b
	addiu	$13, $13, -4
	li	$4, 10
	jal	putc
	nop
	jr	$15
	nop
`;

const STACK = `
	.data
	.align	4
	.space	16384
stack_top:
`;

const SIEVE = PRELUDE + `
	N = 30000
main:
	daddiu	$sp, $sp, -16
	sd	$31, 0($sp)
	dla	$16, flags
	li	$17, N
	move	$8, $0
1:	daddu	$9, $16, $8
	sb	$0, 0($9)
	addiu	$8, $8, 1
	bne	$8, $17, 1b
	nop
	li	$18, 0
	li	$8, 2
2:	daddu	$9, $16, $8
	lbu	$10, 0($9)
	bnez	$10, 4f
	nop
	addiu	$18, $18, 1
	mul	$11, $8, $8
	slt	$1, $11, $17
	beqz	$1, 4f
	li	$10, 1
3:	daddu	$9, $16, $11
	sb	$10, 0($9)
	addu	$11, $11, $8
	slt	$1, $11, $17
	bnez	$1, 3b
	nop
4:	addiu	$8, $8, 1
	bne	$8, $17, 2b
	nop
	move	$4, $18
	jal	puthex
	nop
	move	$2, $18
	ld	$31, 0($sp)
	jr	$31
	daddiu	$sp, $sp, 16
` + STACK + `
flags:	.space	30000
`;

const CRC32 = PRELUDE + `
	LEN = 16384
main:
	daddiu	$sp, $sp, -16
	sd	$31, 0($sp)
	dla	$16, table
	li	$8, 0
1:	move	$9, $8
	li	$10, 8
2:	andi	$11, $9, 1
	srl	$9, $9, 1
	beqz	$11, 3f
	nop
	lui	$12, 0xedb8
	ori	$12, $12, 0x8320
	xor	$9, $9, $12
3:	addiu	$10, $10, -1
	bnez	$10, 2b
	nop
	dsll	$13, $8, 2
	daddu	$13, $13, $16
	sw	$9, 0($13)
	addiu	$8, $8, 1
	li	$1, 256
	bne	$8, $1, 1b
	nop
	dla	$17, buf
	li	$18, LEN
	li	$8, 12345
	move	$9, $0
	lui	$10, 0x41c6
	ori	$10, $10, 0x4e6d
4:	mul	$8, $8, $10
	addiu	$8, $8, 12345
	srl	$11, $8, 16
	daddu	$12, $17, $9
	sb	$11, 0($12)
	addiu	$9, $9, 1
	bne	$9, $18, 4b
	nop
	li	$3, -1
	move	$9, $0
5:	daddu	$12, $17, $9
	lbu	$11, 0($12)
	xor	$13, $3, $11
	andi	$13, $13, 0xff
	sll	$13, $13, 2
	daddu	$13, $13, $16
	lw	$14, 0($13)
	srl	$3, $3, 8
	xor	$3, $3, $14
	addiu	$9, $9, 1
	bne	$9, $18, 5b
	nop
	nor	$3, $3, $0
	dsll32	$4, $3, 0
	dsrl32	$4, $4, 0
	move	$19, $4
	jal	puthex
	nop
	move	$2, $19
	ld	$31, 0($sp)
	jr	$31
	daddiu	$sp, $sp, 16
` + STACK + `
	.align	3
table:	.space	1024
buf:	.space	LEN
`;

/** 20×20 64-bit matrix product, row sums divided (ddiv/ddivu), checksum of everything. */
const MATMUL = PRELUDE + `
	N = 20
main:
	daddiu	$sp, $sp, -16
	sd	$31, 0($sp)
	dla	$16, ma
	dla	$17, mb
	dla	$18, mc
	dli	$8, 0x9e3779b97f4a7c15
	li	$9, 0
1:	dsll	$10, $8, 13			# xorshift64
	xor	$8, $8, $10
	dsrl	$10, $8, 7
	xor	$8, $8, $10
	dsll	$10, $8, 17
	xor	$8, $8, $10
	dsll	$11, $9, 3
	daddu	$12, $16, $11
	sd	$8, 0($12)
	drotr	$13, $8, 29
	daddu	$12, $17, $11
	sd	$13, 0($12)
	addiu	$9, $9, 1
	li	$1, N * N
	bne	$9, $1, 1b
	nop
	li	$19, 0				# i
2:	li	$20, 0				# j
3:	li	$21, 0				# k
	move	$22, $0				# acc
4:	li	$1, N
	mul	$10, $19, $1
	addu	$10, $10, $21
	dsll	$10, $10, 3
	daddu	$10, $10, $16
	ld	$11, 0($10)			# a[i][k]
	mul	$10, $21, $1
	addu	$10, $10, $20
	dsll	$10, $10, 3
	daddu	$10, $10, $17
	ld	$12, 0($10)			# b[k][j]
	dmultu	$11, $12
	mflo	$13
	mfhi	$14
	daddu	$22, $22, $13
	xor	$22, $22, $14
	addiu	$21, $21, 1
	bne	$21, $1, 4b
	nop
	mul	$10, $19, $1
	addu	$10, $10, $20
	dsll	$10, $10, 3
	daddu	$10, $10, $18
	sd	$22, 0($10)
	addiu	$20, $20, 1
	bne	$20, $1, 3b
	nop
	addiu	$19, $19, 1
	bne	$19, $1, 2b
	nop
	# checksum with divisions
	move	$23, $0
	li	$9, 0
5:	dsll	$10, $9, 3
	daddu	$10, $10, $18
	ld	$11, 0($10)
	ori	$12, $9, 3
	ddivu	$0, $11, $12
	mflo	$13
	mfhi	$14
	ddiv	$0, $11, $12
	mflo	$15
	daddu	$23, $23, $13
	dsubu	$23, $23, $15
	drotr32	$23, $23, 5
	xor	$23, $23, $14
	addiu	$9, $9, 1
	li	$1, N * N
	bne	$9, $1, 5b
	nop
	move	$4, $23
	jal	puthex
	nop
	move	$2, $23
	ld	$31, 0($sp)
	jr	$31
	daddiu	$sp, $sp, 16
` + STACK + `
	.align	3
ma:	.space	N * N * 8
mb:	.space	N * N * 8
mc:	.space	N * N * 8
`;

/** Recursive quicksort of 3000 64-bit values, then a sortedness check and a checksum. */
const QSORT = PRELUDE + `
	N = 3000
main:
	daddiu	$sp, $sp, -16
	sd	$31, 0($sp)
	dla	$16, arr
	dli	$8, 0x2545f4914f6cdd1d
	li	$9, 0
1:	dsll	$10, $8, 13
	xor	$8, $8, $10
	dsrl	$10, $8, 7
	xor	$8, $8, $10
	dsll	$10, $8, 17
	xor	$8, $8, $10
	dsll	$11, $9, 3
	daddu	$11, $11, $16
	sd	$8, 0($11)
	addiu	$9, $9, 1
	li	$1, N
	bne	$9, $1, 1b
	nop
	move	$4, $16
	dla	$5, arr + (N - 1) * 8
	jal	qsort
	nop
	# check order and checksum
	li	$2, 0
	move	$23, $0
	li	$9, 1
2:	dsll	$11, $9, 3
	daddu	$11, $11, $16
	ld	$12, -8($11)
	ld	$13, 0($11)
	slt	$1, $13, $12
	or	$2, $2, $1
	daddu	$23, $23, $13
	drotr	$23, $23, 11
	addiu	$9, $9, 1
	li	$1, N
	bne	$9, $1, 2b
	nop
	move	$19, $2
	move	$4, $23
	jal	puthex
	nop
	move	$2, $19
	ld	$31, 0($sp)
	jr	$31
	daddiu	$sp, $sp, 16

# qsort(a0 = first, a1 = last), signed 64-bit, Lomuto partition
qsort:
	sltu	$1, $4, $5
	beqz	$1, 9f
	nop
	daddiu	$sp, $sp, -32
	sd	$31, 0($sp)
	sd	$16, 8($sp)
	sd	$17, 16($sp)
	sd	$18, 24($sp)
	move	$16, $4
	move	$17, $5
	ld	$8, 0($17)			# pivot
	move	$18, $16			# store index
	move	$9, $16
3:	ld	$10, 0($9)
	slt	$1, $10, $8
	beqz	$1, 4f
	nop
	ld	$11, 0($18)
	sd	$10, 0($18)
	sd	$11, 0($9)
	daddiu	$18, $18, 8
4:	daddiu	$9, $9, 8
	bne	$9, $17, 3b
	nop
	ld	$11, 0($18)
	ld	$10, 0($17)
	sd	$10, 0($18)
	sd	$11, 0($17)
	move	$4, $16
	jal	qsort
	daddiu	$5, $18, -8
	daddiu	$4, $18, 8
	jal	qsort
	move	$5, $17
	ld	$31, 0($sp)
	ld	$16, 8($sp)
	ld	$17, 16($sp)
	ld	$18, 24($sp)
	daddiu	$sp, $sp, 32
9:	jr	$31
	nop
` + STACK + `
	.align	3
arr:	.space	N * 8
`;

/**
 * Work counted between timer interrupts: the main loop counts iterations until the
 * handler has seen 40 ticks, then reports the count per tick. Any difference in when
 * an interrupt is taken changes the output.
 */
const TICKS = PRELUDE + `
main:
	daddiu	$sp, $sp, -16
	sd	$31, 0($sp)
	dla	$8, vectors
	mtc0	$8, $15, 1			# EBase
	mfc0	$9, $9
	addiu	$9, $9, 777
	mtc0	$9, $11				# first tick
	li	$8, 0x8001			# IM7 | IE, BEV and ERL clear
	mtc0	$8, $12
	ehb
	dla	$16, ticks
	move	$17, $0				# iterations
	move	$18, $0				# a running hash of Count reads
1:	addiu	$17, $17, 1
	mfc0	$9, $9
	xor	$18, $18, $9
	dsll	$18, $18, 1
	ld	$10, 0($16)
	sltiu	$1, $10, 40
	bnez	$1, 1b
	nop
	mtc0	$0, $12
	ehb
	move	$4, $17
	jal	puthex
	nop
	move	$4, $18
	jal	puthex
	nop
	move	$2, $17
	ld	$31, 0($sp)
	jr	$31
	daddiu	$sp, $sp, 16

	.align	12
vectors:
	.space	0x180				# general exception vector at EBase + 0x180
	dla	$26, ticks
	ld	$27, 0($26)
	daddiu	$27, $27, 1
	sd	$27, 0($26)
	mfc0	$26, $11
	addiu	$26, $26, 1000 + 37		# next tick (acknowledges the interrupt)
	mtc0	$26, $11
	eret
	nop
` + STACK + `
	.align	3
ticks:	.dword	0
`;

function crc32Expected(): number {
  const table: number[] = [];
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    table.push(c >>> 0);
  }
  let x = 12345, crc = 0xffffffff;
  for (let i = 0; i < 16384; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    const b = (x >>> 16) & 0xff;
    crc = (crc >>> 8) ^ table[(crc ^ b) & 0xff];
  }
  return (~crc) >>> 0;
}

const hex16 = (v: number | bigint): string => BigInt(v).toString(16).padStart(16, '0');

test('the demo guest behaves identically on both engines with scripted console input', () => {
  const source = readFileSync(join(ROOT, 'guests', 'demo', 'demo.s'), 'utf8');
  const inputs: Input[] = [
    { at: 300_000, text: 'hello' },
    { at: 1_200_000, text: '\r' },
    { at: 5_000_000, text: 't' },
    { at: 9_000_000, text: 'x\x03y' },
    { at: 13_000_000, text: 't' },
    { at: 13_000_100, text: 'abc\rdef' },
    { at: 17_500_000, text: 'q' },
  ];
  const a = assertSame('demo', source, inputs, 100_000_000);
  assert.match(a.output, /syscall handled/);
  assert.match(a.output, /hello/);
  assert.match(a.output, /\^C/);
  assert.match(a.output, /timer ticks: 0x0000000[1-9]/);
  assert.match(a.output, /bye/);
  assert.equal(a.exitCode, 0);
});

test('sieve kernel: same output, exit code and instruction count on both engines', () => {
  const a = assertSame('sieve', SIEVE, []);
  assert.equal(a.output, hex16(3245) + '\n');
});

test('crc32 kernel: same output, exit code and instruction count on both engines', () => {
  const a = assertSame('crc32', CRC32, []);
  assert.equal(a.output, hex16(crc32Expected()) + '\n');
});

test('matrix kernel (dmultu, ddiv, ddivu): same on both engines', () => {
  const a = assertSame('matmul', MATMUL, []);
  assert.match(a.output, /^[0-9a-f]{16}\n$/);
});

test('recursive quicksort kernel: same on both engines, and sorted', () => {
  const a = assertSame('qsort', QSORT, []);
  assert.match(a.output, /^[0-9a-f]{16}\n$/);
  assert.equal(a.exitCode, 0, 'array not sorted');
});

test('timer-interrupt kernel: both engines take every interrupt at the same instruction', () => {
  const a = assertSame('ticks', TICKS, [], 50_000_000);
  assert.match(a.output, /^[0-9a-f]{16}\n[0-9a-f]{16}\n$/);
});

test('the WebAssembly tier running out of link slots resets (all translations dropped) and the run stays exact', () => {
  const elf = build(CRC32);
  const a = runOn('interp', elf, [], 200_000_000);
  // 16 link slots: every few regions exhaust them, so the run keeps flushing and retranslating.
  const b = runOn('jit', elf, [], 200_000_000, 0, true, 16);
  assert.ok(b.wasmResets >= 3, `${b.wasmResets} resets`);
  assert.ok(b.wasmRegions > 16, `${b.wasmRegions} regions`);
  assert.equal(b.output, a.output);
  assert.equal(b.exitCode, a.exitCode);
  assert.equal(b.icount, a.icount);
});
