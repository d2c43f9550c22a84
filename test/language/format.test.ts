// Formatting never changes what a file assembles to, and is idempotent: the demo guest,
// every CPU test program (with lib/start.s and lib/done.s) and the GNU as compatibility
// fixture, formatted with tabs and with spaces, assemble to the same section bytes and
// symbols as the original; formatting the result again changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { formatText, FormatOptions } from '../../src/language/format';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PROGRAMS = path.join(ROOT, 'test', 'cpu', 'programs');

function apply(text: string, o: FormatOptions): string {
  const lines = text.split('\n');
  for (const e of formatText(text, o)) lines[e.line] = e.text;
  return lines.join('\n');
}

const image = (src: string): string => {
  const r = assemble(src, { origin: 0xffffffff80100000n });
  assert.ok(r.ok, r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'));
  return JSON.stringify([r.sections.map((s) => [s.name, s.addr.toString(16), Buffer.from(s.bytes).toString('hex')]), r.symbols.map((s) => [s.name, s.value.toString(16)])]);
};

test('formatting keeps the assembled bytes and is idempotent', () => {
  const lib = (n: string): string => readFileSync(path.join(PROGRAMS, 'lib', n), 'utf8');
  const files: Array<[string, string]> = [
    ['demo.s', readFileSync(path.join(ROOT, 'guests', 'demo', 'demo.s'), 'utf8')],
    ['gas-compat.s', readFileSync(path.join(ROOT, 'test', 'fixtures', 'asm', 'gas-compat.s'), 'utf8')],
    ...readdirSync(PROGRAMS).filter((n) => n.endsWith('.s')).map((n): [string, string] => [n, `${lib('start.s')}\n${readFileSync(path.join(PROGRAMS, n), 'utf8')}\n${lib('done.s')}`]),
  ];
  let changed = 0;
  for (const [name, src] of files) {
    const want = image(src);
    for (const o of [{ tabSize: 8, insertSpaces: false }, { tabSize: 4, insertSpaces: true }]) {
      const out = apply(src, o);
      if (out !== src) changed++;
      assert.equal(image(out), want, `${name} (${JSON.stringify(o)})`);
      assert.deepEqual(formatText(out, o), [], `${name}: formatting twice changes more`);
    }
  }
  assert.ok(changed > files.length, `formatting changed ${changed} of ${2 * files.length} texts`);
});
