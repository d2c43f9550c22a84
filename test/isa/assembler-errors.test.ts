// Assembler diagnostics: each kind of error is reported once, at the exact file:line:column
// of the offending token (the mnemonic, directive or operand), with a clear one-line
// message and the column range of that token; and assemble() never throws — checked with 2,000 random mutations (token
// swaps, deletions, insertions, garbage) of chunks of the GNU as compatibility fixture
// plus 100 mutated copies of the whole file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assemble, AsmDiagnostic } from '../../src/emulator/isa/assembler/assembler';

const ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURE_LINES = readFileSync(join(ROOT, 'test', 'fixtures', 'asm', 'gas-compat.s'), 'utf8').split('\n');

const fmt = (d: AsmDiagnostic): string => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;

interface ErrorCase { name: string; src: string; line: number; column: number; message: RegExp }

const CASES: ErrorCase[] = [
  { name: 'unknown mnemonic', src: 'start:\n\tnop\n\tfrobnicate\t$2, $3\n', line: 3, column: 2, message: /^unknown instruction 'frobnicate'$/ },
  { name: 'unknown mnemonic after a label', src: 'start:\tmvoe $2, $3\n', line: 1, column: 8, message: /^unknown instruction 'mvoe'$/ },
  { name: 'bad register', src: '\taddu\t$2, $33, $4\n', line: 1, column: 11, message: /^expected a general register, got '\$33'$/ },
  { name: 'bad register name', src: '\tor $2, $zz, $4\n', line: 1, column: 9, message: /^expected a general register, got '\$zz'$/ },
  { name: 'bad FPU register', src: '\tadd.d $f0, $f2, $f40\n', line: 1, column: 18, message: /floating-point register, got '\$f40'/ },
  { name: 'bad register inside a macro', src: '\tnot $2, $40\n', line: 1, column: 10, message: /^expected a general register, got '\$40'$/ },
  { name: 'signed immediate out of range', src: '\n\taddiu\t$2, $3, 40000\n', line: 2, column: 16, message: /^signed 16-bit immediate 40000 out of range \(-32768\.\.32767\)$/ },
  { name: 'unsigned immediate out of range', src: '\tori $2, $3, -1\n', line: 1, column: 14, message: /^unsigned 16-bit immediate -1 out of range \(0\.\.65535\)$/ },
  { name: 'shift amount out of range', src: '\tsll $2, $3, 32\n', line: 1, column: 14, message: /^shift amount 32 out of range \(0\.\.31\)$/ },
  { name: 'li constant too large', src: '\tli $2, 0x123456789\n', line: 1, column: 9, message: /^number \(0x123456789\) larger than 32 bits$/ },
  { name: 'offset out of range', src: '\tlw $2, 0x8000($sp)\n', line: 1, column: 9, message: /^offset 32768 out of range/ },
  { name: 'undefined symbol', src: '\tlw\t$2, nowhere($3)\n', line: 1, column: 9, message: /^undefined symbol 'nowhere'$/ },
  { name: 'undefined branch target', src: '\tnop\n\tbeq $2, $3, missing\n', line: 2, column: 14, message: /^undefined symbol 'missing'$/ },
  { name: 'undefined symbol in la', src: '\tla $4, nosuch + 8\n', line: 1, column: 9, message: /^undefined symbol 'nosuch'$/ },
  { name: 'undefined symbol in data', src: '\t.data\n\t.word 1, 2, nosuch\n', line: 2, column: 14, message: /^undefined symbol 'nosuch'$/ },
  { name: 'undefined local label', src: '\tb 1f\n', line: 1, column: 4, message: /^undefined local label 1f$/ },
  {
    name: 'branch out of range', src: '\tbeq\t$2, $3, far\n\t.space 0x40000\nfar:\tnop\n', line: 1, column: 14,
    message: /^branch target 0xffffffff80140008 out of range \(262148 bytes from the delay slot; a branch reaches -131072\.\.\+131068\)$/,
  },
  { name: 'jump out of region', src: '\tj 0x20000000\n', line: 1, column: 4, message: /^jump target 0x20000000 is outside the current 256 MiB region$/ },
  { name: 'bad directive', src: '\t.text\n\t.bogus 1, 2\n', line: 2, column: 2, message: /^unknown directive '\.bogus'$/ },
  { name: 'bad .set option', src: '\t.set nofrob\n', line: 1, column: 2, message: /^unknown \.set option 'nofrob'$/ },
  { name: 'unterminated string', src: '\t.data\n\t.ascii "abc\n', line: 2, column: 9, message: /^unterminated string/ },
  { name: 'unterminated second string', src: '\t.asciz "ok", "abc\\"\n', line: 1, column: 15, message: /^unterminated string/ },
  { name: 'unterminated string with a comment char', src: '\t.ascii "a # b\n', line: 1, column: 9, message: /^unterminated string/ },
  { name: 'duplicate label', src: 'x:\tnop\n  x:\tnop\n', line: 2, column: 3, message: /^symbol 'x' is already defined$/ },
  { name: 'too many operands', src: '\taddu $2, $3, $4, $5\n', line: 1, column: 19, message: /^too many operands \(expected 3\)$/ },
  { name: 'too few operands', src: '\taddu $2\n', line: 1, column: 2, message: /^too few operands \(expected 3\)$/ },
  { name: 'bad CP0 select', src: '\tmfc0 $2, $12, 9\n', line: 1, column: 11, message: /^bad CP0 register \$12,9$/ },
  { name: 'malformed memory operand', src: '\tldc1 $f2, 3($sp\n', line: 1, column: 12, message: /^expected 'value\(reg\)' form, got '3\(\$sp'$/ },
  { name: 'second statement on a line', src: 'lbl: addiu $2, $3, 1 ; ori $2, $2, 0x12345\n', line: 1, column: 36, message: /^unsigned 16-bit immediate 74565 out of range/ },
  { name: 'division by zero', src: '\tli $2, 1/0\n', line: 1, column: 9, message: /^division by zero$/ },
  { name: 'expression syntax', src: '\taddiu $2, $3, 4 +\n', line: 1, column: 16, message: /unexpected end of expression/ },
  { name: 'deeply nested expression', src: `\tli $2, ${'('.repeat(5000)}1${')'.repeat(5000)}\n`, line: 1, column: 9, message: /^expression too deeply nested$/ },
  { name: 'huge .space', src: '\t.space 0xffffffff\n', line: 1, column: 2, message: /out of range/ },
  { name: 'huge .org', src: '\t.data\n\t.org 0xfffffff\n', line: 2, column: 2, message: /would exceed 64 MiB/ },
  { name: 'huge alignment', src: '\t.align 40\n', line: 1, column: 2, message: /^alignment 2\*\*40 out of range/ },
  { name: 'instruction not on this CPU', src: '\tbaddu $2, $3, $4\n', line: 1, column: 2, message: /not available on this CPU/ },
];

for (const c of CASES) {
  test(`error: ${c.name}`, () => {
    const r = assemble(c.src, { fileName: 'case.s', origin: 0xffffffff80100000n });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(r.ok, false);
    assert.equal(errors.length, 1, `expected one error, got:\n${r.diagnostics.map(fmt).join('\n')}`);
    const d = errors[0];
    assert.equal(`${d.file}:${d.line}:${d.column}`, `case.s:${c.line}:${c.column}`, fmt(d));
    assert.match(d.message, c.message, fmt(d));
    assert.ok(!d.message.includes('\n'), 'message must be one line');
    // The range is exactly one token: no blanks at its ends, not cut inside a word.
    const line = c.src.split('\n')[c.line - 1];
    const tok = line.slice(d.column - 1, d.endColumn - 1);
    assert.ok(tok.length > 0 && tok.trim() === tok, `range ${d.column}..${d.endColumn} of ${JSON.stringify(line)}: ${JSON.stringify(tok)}`);
    assert.ok(!/\w/.test(line[d.endColumn - 1] ?? '') || !/\w/.test(tok.at(-1)!), `range ends inside a word: ${JSON.stringify(tok)}`);
  });
}

test('a later error keeps earlier addresses right (failing instructions keep their size)', () => {
  const r = assemble('\tfoo $1\n\tb target\n\t.space 0x1fff0\ntarget:\tnop\n', { fileName: 'a.s' });
  // The unknown instruction still occupies 4 bytes, so `b target` stays in range and only one error is reported.
  assert.deepEqual(r.diagnostics.map(fmt), ["a.s:1:2: error: unknown instruction 'foo'"]);
});

test('errors on several lines are all reported, in order', () => {
  const r = assemble('\tfoo\n\tnop\n\taddiu $2, $3, 70000\n\t.bad\n', { fileName: 'm.s' });
  assert.deepEqual(r.diagnostics.map((d) => `${d.line}:${d.column}`), ['1:2', '3:16', '4:2']);
});

// ---- never throws ---------------------------------------------------------------------

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

const GARBAGE = ['$', '(', ')', ',', '"', "'", '%hi(', '%lo', '%higher', '0x', '\\', '#', ';', ':', '.', '-', '~', '<<', '>>',
  '99999999999999999999999', '0x1ffffffffffffffffff', '-0x8000000000000000', '$99', '$f40', '$w3', '1f', '2b', '.+', '/*', '*/',
  '\t', ' ', 'é', '\u0000', '0b', '017', '089', '%highest(', 'start', '.text', '.data', '.set', 'noreorder', ')(', '[', ']', '@',
  '!', '/0', '%0', '*', '=', ':', '.space 0xfffffff', '.align 99', '.org 0x7fffffff', '(((((((((((', 'c0_status', '$ac1', '"x\\'];

const tokens = (l: string): string[] => l.match(/\s+|[A-Za-z0-9_.$%]+|./g) ?? [];

function mutate(line: string, rnd: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[rnd() % a.length];
  const t = tokens(line);
  const n = 1 + (rnd() % 3);
  for (let k = 0; k < n; k++) {
    const i = t.length ? rnd() % t.length : 0;
    switch (rnd() % 6) {
      case 0: if (t.length) t.splice(i, 1); break; // delete a token
      case 1: if (t.length > 1) { const j = rnd() % t.length; [t[i], t[j]] = [t[j], t[i]]; } break; // swap
      case 2: t.splice(i, 0, pick(GARBAGE)); break; // insert garbage
      case 3: if (t.length) t[i] = pick(GARBAGE); break; // replace by garbage
      case 4: t.splice(i, 0, pick(tokens(pick(FIXTURE_LINES)))); break; // token from another line
      default: if (t.length) t[i] += pick(GARBAGE); break;
    }
  }
  return t.join('');
}

function checkNoThrow(lines: string[], rnd: () => number, what: string): number {
  const src = lines.join('\n');
  let r;
  try {
    r = assemble(src, { fileName: 'fuzz.s', origin: BigInt(rnd()) << 12n, endian: rnd() & 1 ? 'big' : 'little' });
  } catch (e) {
    assert.fail(`assemble() threw on ${what}: ${e instanceof Error ? e.stack : String(e)}\n--- source ---\n${src}`);
  }
  for (const d of r.diagnostics) {
    const ok = d.file === 'fuzz.s' && d.line >= 1 && d.line <= lines.length && d.column >= 1
      && d.column <= lines[d.line - 1].length + 1 && d.message.length > 0 && !d.message.includes('\n');
    assert.ok(ok, `bad diagnostic on ${what}: ${JSON.stringify(d)} for line ${JSON.stringify(lines[d.line - 1])}`);
  }
  return r.diagnostics.length;
}

test('assemble() never throws: 2,000 mutated chunks of the fixture', () => {
  const seed = Number(process.env.ASM_FUZZ_SEED ?? 0xf022) >>> 0;
  const rnd = xorshift(seed);
  let diags = 0;
  for (let m = 0; m < 2000; m++) {
    const start = rnd() % FIXTURE_LINES.length;
    const chunk = FIXTURE_LINES.slice(start, start + 10 + (rnd() % 40));
    const count = 1 + (rnd() % 3);
    for (let k = 0; k < count; k++) {
      const i = rnd() % chunk.length;
      chunk[i] = mutate(chunk[i], rnd);
    }
    diags += checkNoThrow(chunk, rnd, `mutant ${m} (seed 0x${seed.toString(16)})`);
  }
  console.log(`2000 mutants, ${diags} diagnostics, seed 0x${seed.toString(16)}`);
});

test('assemble() never throws: 100 mutated copies of the whole fixture', () => {
  const rnd = xorshift(0xf1e1d);
  for (let m = 0; m < 100; m++) {
    const lines = FIXTURE_LINES.slice();
    for (let k = 0; k < 1 + (rnd() % 8); k++) {
      const i = rnd() % lines.length;
      lines[i] = mutate(lines[i], rnd);
    }
    checkNoThrow(lines, rnd, `whole-file mutant ${m}`);
  }
});
