// Launch with "program": an assembly file (and a file it includes) assembled by the
// adapter and debugged on the demo board, as F5 on an open .s file does: stopped at the
// entry on the source line of `start`; line breakpoints in both files verified at the
// address the assembler's listing gives that line; stepping by line walks the source
// lines in order (over the `jal` with next); the UART output; power-off ends the session.
// Run Without Debugging (noDebug) ignores stopOnEntry. A file with errors is refused
// with its first error. The addresses are checked against GNU as + objdump of the same
// file (objdump -d -l prints the line of each instruction).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AdapterHarness } from './support';

const dir = mkdtempSync(path.join(tmpdir(), 'mips64-asm-program-'));
const MAIN = path.join(dir, 'hello.s');
const INC = path.join(dir, 'putc.s');

const MAIN_SRC = `# F5 test program
	.set	noreorder
	UART	= 0xffffffffb80003f8
	POWER	= 0xffffffffbf100000
	.text
	.globl	start
start:
	li	$s1, 3
loop:
	li	$a0, 'h'
	jal	putc
	nop
	addiu	$s1, $s1, -1
	bnez	$s1, loop
	nop
	li	$a0, 10
	jal	putc
	nop
	dli	$t0, UART
2:	lbu	$t1, 5($t0)		# LSR: wait until the transmitter is empty
	andi	$t1, $t1, 0x40
	beqz	$t1, 2b
	nop
	dli	$t0, POWER
	li	$t1, 0x5a5a0007
	sw	$t1, 0($t0)
1:	b	1b
	nop
	.include "putc.s"
`;
const INC_SRC = `putc:	dli	$t0, UART
1:	lbu	$t1, 5($t0)		# LSR.THRE
	andi	$t1, $t1, 0x20
	beqz	$t1, 1b
	nop
	sb	$a0, 0($t0)
	jr	$ra
	nop
`;

const lineOf = (src: string, re: RegExp): number => src.split('\n').findIndex((l) => re.test(l)) + 1;

describe('launch "program": an assembly file on the demo board', () => {
  const h = new AdapterHarness([() => rmSync(dir, { recursive: true, force: true })]);
  before(async () => {
    writeFileSync(MAIN, MAIN_SRC);
    writeFileSync(INC, INC_SRC);
    await h.start();
  });
  after(() => h.stop());

  test('stop on entry at start, breakpoints in both files verified, step by line, UART output, exit code', async () => {
    const c = await h.client();
    const bpMain = lineOf(MAIN_SRC, /addiu\t\$s1, \$s1, -1/);
    const bpInc = lineOf(INC_SRC, /sb\t\$a0/);
    let verified: boolean[] = [];
    let lines: number[] = [];
    const stopped = c.waitStopped();
    await c.launch({ program: MAIN, stopOnEntry: true }, async () => {
      const a = await c.dc.setBreakpointsRequest({ source: { path: MAIN }, breakpoints: [{ line: bpMain }] });
      const b = await c.dc.setBreakpointsRequest({ source: { path: INC }, breakpoints: [{ line: bpInc }] });
      verified = [...a.body.breakpoints, ...b.body.breakpoints].map((x) => x.verified);
      lines = [...a.body.breakpoints, ...b.body.breakpoints].map((x) => x.line ?? -1);
    });
    assert.deepEqual(verified, [true, true]);
    assert.deepEqual(lines, [bpMain, bpInc]);
    assert.equal((await stopped).body.reason, 'entry');
    let top = await c.top();
    assert.equal(top.source?.path, MAIN);
    assert.equal(top.line, lineOf(MAIN_SRC, /^\tli\t\$s1, 3/));
    assert.equal(BigInt(top.instructionPointerReference!), gnuAddress(lineOf(MAIN_SRC, /^\tli\t\$s1, 3/)));

    // Continue: the breakpoint in the included file (first call of putc).
    let s = c.waitStopped();
    await c.dc.continueRequest({ threadId: 1 });
    assert.equal((await s).body.reason, 'breakpoint');
    top = await c.top();
    assert.deepEqual([top.source?.path, top.line], [INC, bpInc]);
    // Step by line: the next line of putc, then back in hello.s after the call.
    s = c.waitStopped();
    await c.dc.nextRequest({ threadId: 1 });
    await s;
    top = await c.top();
    assert.deepEqual([top.source?.path, top.line], [INC, bpInc + 1]);
    s = c.waitStopped();
    await c.dc.nextRequest({ threadId: 1 }); // jr $ra (and its delay slot)
    await s;
    top = await c.top();
    assert.equal(top.source?.path, MAIN);
    assert.equal(top.line, bpMain, 'returned after `jal putc` to the next source line with code');

    // Drop the breakpoints and run to the end: three 'h', a newline, exit code 7.
    await c.dc.setBreakpointsRequest({ source: { path: MAIN }, breakpoints: [] });
    await c.dc.setBreakpointsRequest({ source: { path: INC }, breakpoints: [] });
    const exited = c.wait<{ event: string; body: { exitCode: number } } & import('@vscode/debugprotocol').DebugProtocol.Event>('exited');
    await c.dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, 7);
    await c.waitOutput('hhh\n');
  });

  test('Run Without Debugging: noDebug ignores stopOnEntry and runs to the end', async () => {
    const c = await h.client();
    const exited = c.wait<import('@vscode/debugprotocol').DebugProtocol.ExitedEvent>('exited');
    await c.launch({ program: MAIN, stopOnEntry: true, noDebug: true });
    assert.equal((await exited).body.exitCode, 7);
    await c.waitOutput('hhh\n');
  });

  test('a file with errors is refused with its first error', async () => {
    const bad = path.join(dir, 'bad.s');
    writeFileSync(bad, 'start:\n\tmvoe\t$2, $3\n\taddiu\t$2, $3, 70000\n');
    const c = await h.client();
    await assert.rejects(c.dc.launch({ program: bad }), /cannot assemble bad\.s: bad\.s:2:2: unknown instruction 'mvoe'; bad\.s:3:16: signed 16-bit immediate 70000 out of range/);
    await assert.rejects((await h.client()).dc.launch({ program: path.join(dir, 'none.s') }), /cannot read program '.*none\.s': No such file or directory/);
  });
});

/**
 * Address of the first instruction of `line` of hello.s as GNU as + ld place it at the demo
 * board's link address (objdump -d -l prints `file:line` before each line's code).
 */
function gnuAddress(line: number): bigint {
  const t = 'mips64el-linux-gnuabi64';
  const o = path.join(dir, 'g.o'), e = path.join(dir, 'g.elf');
  const run = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
    if (r.error) return '';
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
    return r.stdout;
  };
  if (!run(`${t}-as`, ['--version'])) return BigInt(-1); // (no binutils: the comparison fails loudly below)
  run(`${t}-as`, ['--gdwarf-2', '-O0', '-mabi=64', '-march=mips64r2', '-mno-fix-loongson3-llsc', '-EL', MAIN, '-o', o]);
  run(`${t}-ld`, ['-Ttext=0xffffffff80100000', '-e', 'start', o, '-o', e]);
  const dump = run(`${t}-objdump`, ['-d', '-l', e]);
  const at = dump.indexOf(`${MAIN}:${line}\n`);
  assert.ok(at >= 0, `objdump shows ${MAIN}:${line}`);
  const m = /\n\s*([0-9a-f]+):/.exec(dump.slice(at));
  return BigInt.asUintN(64, BigInt('0x' + m![1]));
}
