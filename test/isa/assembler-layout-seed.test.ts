// Assembling with the layout of an earlier assembly (the language server does so after each
// edit) gives exactly what assembling from scratch gives: same sections, symbols, listing
// and diagnostics — for every CPU test program, the demo guest and the GNU as fixture, seeded
// with their own layout, after edits that move every later label (an instruction added at
// the top, a pseudo-instruction growing), after an edit that adds an error, and seeded with
// the layout of an erroneous version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assemble, AsmLayout, AssembleResult } from '../../src/emulator/isa/assembler/assembler';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PROGRAMS = path.join(ROOT, 'test', 'cpu', 'programs');
const ORIGIN = 0xffffffff80100000n;

const summary = (r: AssembleResult): string => JSON.stringify({
  ok: r.ok,
  sections: r.sections.map((s) => [s.name, s.addr.toString(16), Buffer.from(s.bytes).toString('hex'), s.size]),
  symbols: r.symbols.map((s) => [s.name, s.value.toString(16), s.size]),
  lines: r.lines.map((l) => `${l.addr.toString(16)}:${l.word}:${l.line}`),
  diags: r.diagnostics.map((d) => `${d.line}:${d.column}-${d.endColumn}:${d.severity}:${d.message}`),
  entry: r.entry.toString(16),
});

const asm = (src: string, layout?: AsmLayout): AssembleResult => assemble(src, { fileName: 'x.s', origin: ORIGIN, layout });

test('a seeded assembly equals one from scratch, after edits that move labels or add errors', () => {
  const lib = (n: string): string => readFileSync(path.join(PROGRAMS, 'lib', n), 'utf8');
  const files = [
    readFileSync(path.join(ROOT, 'guests', 'demo', 'demo.s'), 'utf8'),
    readFileSync(path.join(ROOT, 'test', 'fixtures', 'asm', 'gas-compat.s'), 'utf8'),
    ...readdirSync(PROGRAMS).filter((n) => n.endsWith('.s')).map((n) => `${lib('start.s')}\n${readFileSync(path.join(PROGRAMS, n), 'utf8')}\n${lib('done.s')}`),
  ];
  let moved = 0;
  for (const src of files) {
    const base = asm(src);
    assert.ok(base.ok);
    assert.equal(summary(asm(src, base.layout)), summary(base), 'seeded with its own layout');
    // Edits: a nop before the first instruction line (every later label moves), a li that
    // grows to two words, an error.
    const lines = src.split('\n');
    const at = lines.findIndex((l) => /^\s*(\w+:)?\s*[a-z]+\s/.test(l.replace(/#.*/, '')) && !/^\s*\./.test(l) && !/=/.test(l));
    const edits = [
      [...lines.slice(0, at), '\tnop', ...lines.slice(at)].join('\n'),
      [...lines.slice(0, at), '\tli\t$2, 0x12345678', ...lines.slice(at)].join('\n'),
      [...lines.slice(0, at), '\tmvoe\t$2, $3', '\tli\t$2, nowhere', ...lines.slice(at)].join('\n'),
    ];
    for (const e of edits) {
      const fresh = asm(e);
      const seeded = asm(e, base.layout);
      assert.equal(summary(seeded), summary(fresh));
      if (fresh.symbols.some((s, i) => s.value !== base.symbols[i]?.value)) moved++;
      // And back: the original seeded with the edited (possibly erroneous) version's layout.
      assert.equal(summary(asm(src, fresh.layout)), summary(base));
    }
  }
  assert.ok(moved >= files.length, `edits moved labels in ${moved} cases`);
});
