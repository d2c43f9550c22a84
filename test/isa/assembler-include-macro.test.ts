// `.include` and `.macro` in the project's assembler: the same bytes as GNU as for files
// with macros (parameters, defaults, \@, vararg, nested use, .exitm) and includes (nested,
// searched in the including file's directory then the include directories); hostile
// input — a file including itself, a recursive macro, a macro bomb — ends with one clear
// error at the right place, never a hang or a crash; shouldStop ends a long assembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, AsmDiagnostic, AssembleOptions, IncludeResult } from '../../src/emulator/isa/assembler/assembler';
import { includeCandidates } from '../../src/emulator/isa/assembler/include';

const AS = 'mips64el-linux-gnuabi64-as';
const OBJCOPY = 'mips64el-linux-gnuabi64-objcopy';
const hasGas = !spawnSync(AS, ['--version']).error;
const fmt = (d: AsmDiagnostic): string => `${d.file}:${d.line}:${d.column}-${d.endColumn}: ${d.severity}: ${d.message}`;

/** readInclude over the real file system, searching like GNU as with `dirs` as -I. */
function fsIncludes(dirs: string[] = []): AssembleOptions['readInclude'] {
  return (name, from): IncludeResult => {
    for (const p of includeCandidates(name, from, dirs)) if (existsSync(p)) return { file: p, text: readFileSync(p, 'utf8') };
    return { error: 'no such file' };
  };
}

const MACROS = `
	.set noreorder
	.macro	push reg
	daddiu	$sp, $sp, -8
	sd	\\reg, 0($sp)
	.endm
	.macro	pop reg
	ld	\\reg, 0($sp)
	daddiu	$sp, $sp, 8
	.endm
	.macro	addn dst, src, n=1
	addiu	\\dst, \\src, \\n
	.endm
	.macro	loop n
\\@:	addiu	$t0, $t0, -\\n
	bnez	$t0, \\@b
	nop
	.endm
	.macro	words first, rest:vararg
	.word	\\first
	.word	\\rest
	.endm
	.macro	early r
	move	\\r, $zero
	.exitm
	move	\\r, $ra
	.endm
	.macro	twice m, r
	\\m	\\r
	\\m	\\r
	.endm
start:	push	$ra
	push	$s0 ; pop $s0
	addn	$t0, $t1
	addn	$t0, $t1, 12
	loop	2
	loop	3
	early	$v0
	twice	pop, $a0
	pop	$ra
	jr	$ra
	nop
	words	1, 2, 3
`;

test('macros assemble to the bytes GNU as gives', { skip: hasGas ? false : `${AS} not installed` }, () => {
  const src = MACROS;
  const ours = assemble(src, { fileName: 'm.s' });
  assert.deepEqual(ours.diagnostics.map(fmt), []);
  const dir = mkdtempSync(join(tmpdir(), 'mips64-macro-'));
  try {
    writeFileSync(join(dir, 'm.s'), src);
    const r = spawnSync(AS, ['-O0', '-mabi=64', '-march=mips64r2', '-mno-fix-loongson3-llsc', '-EL', join(dir, 'm.s'), '-o', join(dir, 'm.o')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const c = spawnSync(OBJCOPY, ['-O', 'binary', '-j', '.text', join(dir, 'm.o'), join(dir, 'm.bin')], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    const gas = new Uint8Array(readFileSync(join(dir, 'm.bin')));
    const text = ours.sections.find((s) => s.name === '.text')!.bytes;
    assert.ok(text.length >= 4 * 20, `${text.length} bytes`);
    assert.deepEqual(Buffer.from(text).toString('hex'), Buffer.from(gas.subarray(0, text.length)).toString('hex'));
    assert.ok(gas.subarray(text.length).every((b) => b === 0), 'GNU as pads with zeros only');
    // The listing attributes every word of an expansion to the line of the macro's use.
    const popLine = src.split('\n').findIndex((l) => l.startsWith('\ttwice')) + 1;
    assert.equal(ours.lines.filter((l) => l.line === popLine).length, 4);
    assert.deepEqual(ours.macros.map((m) => m.name), ['push', 'pop', 'addn', 'loop', 'words', 'early', 'twice']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('includes: nested, searched beside the including file then in the include directories; lines keep their file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mips64-inc-'));
  try {
    mkdirSync(join(dir, 'sub'));
    mkdirSync(join(dir, 'inc'));
    writeFileSync(join(dir, 'main.s'), '\t.include "sub/a.s"\nstart:\tjal f\n\tnop\n');
    writeFileSync(join(dir, 'sub', 'a.s'), '\t.include "b.s"\n');
    writeFileSync(join(dir, 'inc', 'b.s'), 'f:\tjr $ra\n\tnop\n\t.equ K, 5\n');
    const r = assemble(readFileSync(join(dir, 'main.s'), 'utf8'), { fileName: join(dir, 'main.s'), readInclude: fsIncludes([join(dir, 'inc')]) });
    assert.deepEqual(r.diagnostics.map(fmt), []);
    assert.deepEqual(r.includes, [join(dir, 'sub', 'a.s'), join(dir, 'inc', 'b.s')]);
    assert.deepEqual(r.lines.map((l) => `${l.file.slice(dir.length)}:${l.line}`), ['/inc/b.s:1', '/inc/b.s:1', '/inc/b.s:2', '/main.s:2', '/main.s:2', '/main.s:3']);
    assert.equal(r.symbols.find((s) => s.name === 'K')?.value, 5n);
    // Without the include directory: one error at the .include's file name.
    const miss = assemble(readFileSync(join(dir, 'main.s'), 'utf8'), { fileName: join(dir, 'main.s'), readInclude: fsIncludes() });
    const errs = miss.diagnostics.filter((d) => d.message.startsWith('cannot include'));
    assert.deepEqual(errs.map((d) => `${d.file.slice(dir.length)}:${d.line}:${d.column}-${d.endColumn}`), ['/sub/a.s:1:11-16']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile input: a file including itself, a recursive macro, a macro bomb each end with one error', () => {
  const self: AssembleOptions['readInclude'] = (name) => ({ file: name, text: `\tnop\n\t.include "${name}"\n` });
  const r1 = assemble('\t.include "loop.s"\n', { fileName: 'top.s', readInclude: self });
  const e1 = r1.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(e1.length, 1, e1.map(fmt).join('\n'));
  assert.match(e1[0].message, /nested more than 32 deep/);
  assert.equal(r1.lines.length, 32, 'each level still assembled');

  const r2 = assemble('\t.macro r x\n\tr \\x\n\t.endm\n\tr 1\n', { fileName: 'rec.s' });
  assert.deepEqual(r2.diagnostics.map(fmt), ["rec.s:4:2-3: error: in macro 'r': macro 'r' nested more than 100 deep (recursive macro?)"]);

  // 2^30 statements if expanded: stopped at the expansion limit.
  let bomb = '\t.macro m0\n\tnop\n\t.endm\n';
  for (let i = 1; i <= 30; i++) bomb += `\t.macro m${i}\n\tm${i - 1}\n\tm${i - 1}\n\t.endm\n`;
  const r3 = assemble(`${bomb}\tm30\n`, { fileName: 'bomb.s' });
  const e3 = r3.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(e3.length, 1, e3.map(fmt).join('\n'));
  assert.match(e3[0].message, /macro expansion exceeds/);

  const r4 = assemble('\t.macro m\n\tnop\n', { fileName: 'open.s' });
  assert.deepEqual(r4.diagnostics.map(fmt), ['open.s:1:2-8: error: .macro m has no .endm']);
});

test('shouldStop ends a long assembly with one error', () => {
  const src = '\tnop\n'.repeat(20_000);
  let polls = 0;
  const r = assemble(src, { fileName: 'long.s', shouldStop: () => ++polls > 10 });
  const e = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(e.length, 1);
  assert.match(e[0].message, /stopped: it took too long/);
  assert.equal(r.ok, false);
});

test('include candidates: absolute, beside the including file, then the include directories', () => {
  assert.deepEqual(includeCandidates('/x/y.s', '/a/b.s', ['/i']), ['/x/y.s']);
  assert.deepEqual(includeCandidates('../y.s', '/a/b/c.s', ['/i', '/j/']), ['/a/y.s', '/y.s']);
  assert.deepEqual(includeCandidates('y.s', 'rel.s'), ['y.s']);
  assert.deepEqual(includeCandidates('y.s', '/a/b.s', ['/a', '/k']), ['/a/y.s', '/k/y.s']);
});
