// Property: every mnemonic of the instruction table has hover text and a completion item,
// on every CPU model that has it — asked of the language server over stdio, one document
// per model with every mnemonic on a line of its own. The hover must name the mnemonic,
// describe it (isa-docs.ts: no generic fallback), give its operand forms and encoding
// from the table; completion at an empty line must offer exactly the model's mnemonics
// (other models' instructions left out). Every directive the assembler accepts has help
// and a completion item.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DIRECTIVES } from '../../src/emulator/isa/assembler/assembler';
import { CpuModelName, MODEL_ISA } from '../../src/emulator/isa/decoder';
import { F, TABLE } from '../../src/emulator/isa/table';
import { describeMnemonic } from '../../src/language/isa-docs';
import { describeDirective } from '../../src/language/names-docs';
import { LspClient } from '../support/lsp-client';

interface Hover { contents: { value: string } }

test('every table mnemonic has a description, hover (syntax, encoding) and completion on each model that has it', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mips64-lsp-prop-'));
  const c = new LspClient();
  try {
    await c.initialize({}, dir);
    const allNames = [...new Set(TABLE.filter((e) => !(e.flags & F.RESERVED)).map((e) => e.name))];
    for (const n of allNames) assert.ok(describeMnemonic(n), `description of ${n}`);
    const covered = new Set<string>();
    for (const model of Object.keys(MODEL_ISA) as CpuModelName[]) {
      const isa = MODEL_ISA[model];
      const names = [...new Set(TABLE.filter((e) => !(e.flags & F.RESERVED) && (e.isa & isa) !== 0 && (e.notOn & isa) === 0).map((e) => e.name))];
      c.notify('workspace/didChangeConfiguration', { settings: { mips64: { asm: { cpuModel: model } } } });
      const file = path.join(dir, `${model}.s`);
      c.open(file, names.map((n) => `\t${n}`).join('\n') + '\n\t\n');
      for (const [i, n] of names.entries()) {
        const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: `file://${file}` }, position: { line: i, character: 2 } });
        assert.ok(h, `${model}: hover of ${n}`);
        const v = h!.contents.value;
        assert.ok(v.startsWith(`**${n}** — ${describeMnemonic(n)}`), `${model} ${n}: ${v.slice(0, 120)}`);
        assert.match(v, /Encoding: `[01a-z ]{32,}`/, `${model} ${n}: encoding`);
        assert.ok(v.includes('```mips64-asm\n' + n), `${model} ${n}: syntax`);
        assert.doesNotMatch(v, /Not on the selected CPU model/, `${model} ${n}`);
        covered.add(n);
      }
      const items = await c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri: `file://${file}` }, position: { line: names.length, character: 1 } });
      const labels = new Set(items.map((x) => x.label));
      for (const n of names) assert.ok(labels.has(n), `${model}: completion offers ${n}`);
      const foreign = allNames.filter((n) => !names.includes(n) && labels.has(n));
      assert.deepEqual(foreign, [], `${model}: completion offers other models' instructions`);
      for (const d of DIRECTIVES) assert.ok(labels.has(d), `${model}: completion offers ${d}`);
      c.notify('textDocument/didClose', { textDocument: { uri: `file://${file}` } });
    }
    assert.deepEqual(allNames.filter((n) => !covered.has(n)), [], 'mnemonics on no model');
    for (const d of DIRECTIVES) assert.ok(describeDirective(d), `help for ${d}`);
  } finally {
    await c.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
