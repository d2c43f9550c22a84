// The assembly language server driven over its stdio with LSP messages, as an editor
// drives it: initialize, didOpen/didChange, published diagnostics, hover, completion,
// signature help, definition, references, rename, document/workspace symbols, folding,
// semantic tokens, formatting — on the demo guest, the CPU test programs (through
// `.include`s of lib/start.s and lib/done.s) and files with errors. Where an independent
// answer exists it is the oracle: references are checked against a plain-text search of
// the file, the words a hover shows against the assembler's ELF, diagnostics against the
// CLI's `mips64 asm` errors on the same file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Diagnostic, LspClient, ROOT, uri } from '../support/lsp-client';

const DEMO = path.join(ROOT, 'guests', 'demo', 'demo.s');
const PROGRAMS = path.join(ROOT, 'test', 'cpu', 'programs');
const demoText = readFileSync(DEMO, 'utf8');
const demoLines = demoText.split('\n');

interface Hover { contents: { kind: string; value: string }; range: { start: { character: number }; end: { character: number } } }
interface Location { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }
interface CompletionItem { label: string; insertText?: string; insertTextFormat?: number; kind?: number }

/** 0-based line and column of the first occurrence of `needle` on a line matching `lineRe`. */
function find(lines: string[], lineRe: RegExp, needle: string): { line: number; character: number } {
  const line = lines.findIndex((l) => lineRe.test(l));
  assert.ok(line >= 0, `no line matches ${lineRe}`);
  const character = lines[line].indexOf(needle);
  assert.ok(character >= 0, `'${needle}' not on line ${line + 1}`);
  return { line, character };
}

const errors = (d: Diagnostic[]): Diagnostic[] => d.filter((x) => x.severity === 1);
const show = (d: Diagnostic[]): string => d.map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1}: ${x.message}`).join('\n');

describe('language server over stdio', () => {
  let c: LspClient;
  let dir = '';
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mips64-lsp-'));
    c = new LspClient();
    const init = await c.initialize({}, dir);
    for (const cap of ['hoverProvider', 'completionProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'documentSymbolProvider',
      'workspaceSymbolProvider', 'foldingRangeProvider', 'semanticTokensProvider', 'signatureHelpProvider', 'documentFormattingProvider']) {
      assert.ok(init.capabilities[cap], `capability ${cap}`);
    }
  });
  after(async () => {
    const code = await c.shutdown();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, `server exit code; stderr:\n${c.stderr}`);
  });

  test('the demo guest: no errors; hover shows the words the assembler produced; CP0 and register help', async () => {
    c.open(DEMO, demoText);
    const { diagnostics } = await c.diagnostics(DEMO);
    assert.deepEqual(errors(diagnostics), [], show(diagnostics));

    // dla is a pseudo-instruction: the hover lists its expansion, each word as the ELF has it.
    const dla = find(demoLines, /^\tdla\t\$t0, vectors/, 'dla');
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(DEMO) }, position: dla });
    assert.match(h.contents.value, /\*\*dla\*\*/);
    const shown = [...h.contents.value.matchAll(/^0x([0-9a-f]+): ([0-9a-f]{8}) /gm)].map((m) => [BigInt('0x' + m[1]), parseInt(m[2], 16)] as const);
    assert.ok(shown.length >= 4, `dla expands to several words:\n${h.contents.value}`);
    const elf = readFileSync(path.join(ROOT, 'dist', 'guests', 'demo.elf'));
    const text = elfText(elf);
    for (const [addr, word] of shown) assert.equal(text.word(addr), word, `word at 0x${addr.toString(16)} in demo.elf`);
    assert.equal(h.range.start.character, dla.character);
    assert.equal(h.range.end.character, dla.character + 3);

    const mtc0 = find(demoLines, /^\tmtc0\t\$t0, \$15, 1/, '$15');
    const h2 = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(DEMO) }, position: mtc0 });
    assert.match(h2.contents.value, /CP0 register 15, select 1 \(EBase/);
    const sp = find(demoLines, /^\tdla\t\$sp, stack_top/, '$sp');
    const h3 = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(DEMO) }, position: { line: sp.line, character: sp.character + 1 } });
    assert.match(h3.contents.value, /general register \$29: stack pointer/);
    const dir = find(demoLines, /^\t\.set\tnoreorder/, '.set');
    const h4 = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(DEMO) }, position: dir });
    assert.match(h4.contents.value, /noreorder/);
  });

  test('definition, references and rename of a label agree with a text search of the file', async () => {
    const call = find(demoLines, /^\tjal\tputs/, 'puts');
    const def = await c.request<Location>('textDocument/definition', { textDocument: { uri: uri(DEMO) }, position: call });
    assert.equal(def.uri, uri(DEMO));
    assert.equal(demoLines[def.range.start.line].slice(0, 5), 'puts:');
    const refs = await c.request<Location[]>('textDocument/references', { textDocument: { uri: uri(DEMO) }, position: call, context: { includeDeclaration: true } });
    // Oracle: every whole-word `puts` outside comments.
    const expected: string[] = [];
    demoLines.forEach((l, i) => {
      const code = l.replace(/#.*/, '');
      for (const m of code.matchAll(/(?<![\w.$])puts(?![\w.$])/g)) expected.push(`${i}:${m.index}`);
    });
    assert.ok(expected.length >= 4);
    assert.deepEqual(refs.map((r) => `${r.range.start.line}:${r.range.start.character}`).sort(), expected.sort());
    const edit = await c.request<{ changes: Record<string, Array<{ range: Location['range']; newText: string }>> }>('textDocument/rename', { textDocument: { uri: uri(DEMO) }, position: call, newName: 'print_string' });
    assert.deepEqual(Object.keys(edit.changes), [uri(DEMO)]);
    assert.equal(edit.changes[uri(DEMO)].length, expected.length);
    assert.ok(edit.changes[uri(DEMO)].every((e) => e.newText === 'print_string'));
    // Renaming to an existing name or to a register-like name is refused with a message.
    await assert.rejects(c.request('textDocument/rename', { textDocument: { uri: uri(DEMO) }, position: call, newName: 'start' }), /already defined/);
    await assert.rejects(c.request('textDocument/rename', { textDocument: { uri: uri(DEMO) }, position: call, newName: '9x' }), /not a valid symbol name/);
  });

  test('document symbols, folding, semantic tokens and workspace symbols on the demo', async () => {
    const syms = await c.request<Array<{ name: string; kind: number; children?: Array<{ name: string }> }>>('textDocument/documentSymbol', { textDocument: { uri: uri(DEMO) } });
    const all = syms.flatMap((s) => [s.name, ...(s.children ?? []).map((x) => x.name)]);
    for (const n of ['.text', 'start', 'puts', 'UART']) assert.ok(all.includes(n), `outline has ${n}: ${all.join(' ')}`);
    const folds = await c.request<Array<{ startLine: number; endLine: number }>>('textDocument/foldingRange', { textDocument: { uri: uri(DEMO) } });
    const putsLine = demoLines.findIndex((l) => l.startsWith('puts:'));
    assert.ok(folds.some((f) => f.startLine === putsLine && f.endLine > putsLine), 'puts folds');
    const toks = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: uri(DEMO) } });
    assert.equal(toks.data.length % 5, 0);
    // Every instruction mnemonic is a keyword token (type 0): as many as lines with an instruction.
    let line = 0, keywords = 0;
    const keywordLines = new Set<number>();
    for (let i = 0; i < toks.data.length; i += 5) { line += toks.data[i]; if (toks.data[i + 3] === 0) { keywords++; keywordLines.add(line); } }
    const instrLines = demoLines.map((l, i) => [l.replace(/#.*/, ''), i] as const).filter(([l]) => /^\s*(\w+:)?\s*[a-z][a-z0-9.]*(\s|$)/.test(l) && !/^\s*\w+\s*=/.test(l) && !/^\w+:\s*$/.test(l)).map(([, i]) => i);
    assert.deepEqual([...keywordLines].sort((a, b) => a - b), instrLines);
    assert.equal(keywords, instrLines.length);
    const ws = await c.request<Array<{ name: string; location: Location }>>('workspace/symbol', { query: 'puthex' });
    assert.ok(ws.some((s) => s.name === 'puthex' && s.location.uri === uri(DEMO)), JSON.stringify(ws));
  });

  test('completion: the model\'s mnemonics with snippets, registers, CP0 names and labels in operands; signature help', async () => {
    const f = path.join(dir, 'complete.s');
    const text = 'start:\n\t\n\tlw\t$t0, \n\tmtc0\t$t0, \n\taddiu\t$t0, $t1, \nloop:\tb\tlo\n';
    c.open(f, text);
    await c.diagnostics(f);
    const at = async (line: number, character: number): Promise<CompletionItem[]> =>
      c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: uri(f) }, position: { line, character } });
    const ops = await at(1, 1);
    const addiu = ops.find((i) => i.label === 'addiu');
    assert.equal(addiu?.insertText, 'addiu\t${1:rt}, ${2:rs}, ${3:simm}');
    assert.equal(addiu?.insertTextFormat, 2);
    assert.ok(ops.some((i) => i.label === '.word') && ops.some((i) => i.label === 'dla') && ops.some((i) => i.label === 'li'));
    assert.ok(!ops.some((i) => i.label === 'baddu'), 'no Octeon instruction on mips64r2');
    const lw = (await at(2, 9)).map((i) => i.label);
    assert.ok(lw.includes('start') && lw.includes('loop'), 'labels for an offset');
    const cp0 = (await at(3, 11)).map((i) => i.label);
    assert.ok(cp0.includes('c0_status') && cp0.includes('c0_ebase') && !cp0.includes('start'), cp0.slice(0, 10).join(' '));
    const gpr = (await at(4, 17)).map((i) => i.label);
    assert.ok(!gpr.includes('$a0'), 'the third operand of addiu is an immediate');
    const sig = await c.request<{ signatures: Array<{ label: string }>; activeParameter: number }>('textDocument/signatureHelp', { textDocument: { uri: uri(f) }, position: { line: 4, character: 17 } });
    assert.equal(sig.signatures[0].label, 'addiu rt, rs, simm');
    assert.equal(sig.activeParameter, 2);
  });

  test('files with errors: exact ranges, did-you-mean, CPU model, delay-slot and CP0 hazard warnings; a fix clears them', async () => {
    const f = path.join(dir, 'errors.s');
    const src = [
      '\t.set noreorder',
      'start:\tmvoe\t$2, $3',
      '\taddiu\t$2, $3, 40000',
      '\tbaddu\t$2, $3, $4',
      '\tbeq\t$2, $3, start',
      '\tj\tstart',
      '\tnop',
      '\tmtc0\t$2, $10',
      '\ttlbwi',
      '\t.ascii "abc',
      '',
    ].join('\n');
    c.open(f, src);
    const { diagnostics, index } = await c.diagnostics(f);
    const by = (re: RegExp): Diagnostic => {
      const d = diagnostics.find((x) => re.test(x.message));
      assert.ok(d, `no diagnostic ${re}:\n${show(diagnostics)}`);
      return d!;
    };
    const mvoe = by(/unknown instruction 'mvoe'/);
    assert.match(mvoe.message, /did you mean 'move'/);
    assert.deepEqual([mvoe.range.start.line, mvoe.range.start.character, mvoe.range.end.character], [1, 7, 11]);
    const imm = by(/40000 out of range/);
    assert.deepEqual([imm.range.start.line, imm.range.start.character, imm.range.end.character], [2, 15, 20]);
    const oct = by(/'baddu' is not an instruction of the selected CPU model \(mips64r2\); it exists on octeon/);
    assert.equal(oct.range.start.line, 3);
    const slot = by(/'j' in the delay slot of 'beq'/);
    assert.deepEqual([slot.severity, slot.range.start.line, slot.range.start.character, slot.range.end.character], [2, 5, 1, 2]);
    const hz = by(/CP0 hazard: 'tlbwi' uses EntryHi written by 'mtc0' on line 8/);
    assert.equal(hz.range.start.line, 8);
    const str = by(/unterminated string/);
    assert.equal(str.range.start.line, 9);
    // Oracle: the CLI's assembler reports the same errors at the same places.
    writeFileSync(f, src);
    const cli = await import('node:child_process').then((cp) => cp.spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'asm', f, '-o', path.join(dir, 'e.bin')], { encoding: 'utf8' }));
    const cliErrors = cli.stderr.split('\n').filter((l) => l.includes(': error: ')).map((l) => /:(\d+):(\d+): error: (.*)$/.exec(l)!).map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(errors(diagnostics).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}`), cliErrors);

    // Fixed text: no problems left (published after the debounce).
    c.change(f, '\t.set noreorder\nstart:\tmove\t$2, $3\n\tbeq\t$2, $3, start\n\tnop\n\tmtc0\t$2, $10\n\tehb\n\ttlbwi\n', 2);
    const next = await c.diagnostics(f, index);
    assert.deepEqual(next.diagnostics, []);
    // An Octeon model accepts baddu.
    c.notify('workspace/didChangeConfiguration', { settings: { mips64: { asm: { cpuModel: 'octeon2' } } } });
    c.change(f, '\tbaddu\t$2, $3, $4\n', 3);
    let d3 = await c.diagnostics(f, next.index);
    while (d3.diagnostics.length > 0) d3 = await c.diagnostics(f, d3.index); // (the re-analysis of version 2 may come first)
    assert.deepEqual(d3.diagnostics, []);
    c.notify('workspace/didChangeConfiguration', { settings: { mips64: { asm: { cpuModel: 'mips64r2' } } } });
  });

  test('every CPU test program (with lib/start.s and lib/done.s included) has no errors; definitions cross the includes', async () => {
    const progs = readdirSync(PROGRAMS).filter((n) => n.endsWith('.s'));
    assert.ok(progs.length >= 40);
    let from = c.notifications.length;
    for (const p of progs) {
      const wrapper = path.join(PROGRAMS, `.lsp-${p}`);
      // (Not written to disk: the wrapper exists only as an open document.)
      c.open(wrapper, `\t.include "lib/start.s"\n\t.include "${p}"\n\t.include "lib/done.s"\n`);
      const { diagnostics } = await c.diagnostics(wrapper, from);
      assert.deepEqual(errors(diagnostics), [], `${p}:\n${show(diagnostics)}`);
      c.notify('textDocument/didClose', { textDocument: { uri: uri(wrapper) } });
      from = c.notifications.length;
    }
    // In a program opened next to its wrapper, `b done` goes to lib/done.s.
    const wrapper = path.join(PROGRAMS, '.lsp-wrap.s');
    c.open(wrapper, '\t.include "lib/start.s"\n\t.include "arith-add.s"\n\t.include "lib/done.s"\n');
    await c.diagnostics(wrapper, from);
    const prog = path.join(PROGRAMS, 'arith-add.s');
    const lines = readFileSync(prog, 'utf8').split('\n');
    c.open(prog, lines.join('\n'));
    const pos = find(lines, /\bdone\b/, 'done');
    const def = await c.request<Location>('textDocument/definition', { textDocument: { uri: uri(prog) }, position: pos });
    assert.equal(def?.uri, uri(path.join(PROGRAMS, 'lib', 'done.s')));
  });

  test('formatting (opt-in) aligns columns and keeps the assembled bytes', async () => {
    const f = path.join(dir, 'fmt.s');
    const src = 'start: li $t0,5 # five\n  addu $t0,$t0,$t1\nloop:\n b loop\n';
    c.open(f, src);
    await c.diagnostics(f);
    const off = await c.request<unknown[]>('textDocument/formatting', { textDocument: { uri: uri(f) }, options: { tabSize: 8, insertSpaces: false } });
    assert.deepEqual(off, [], 'formatting is off unless enabled');
    c.notify('workspace/didChangeConfiguration', { settings: { mips64: { asm: { format: { enable: true } } } } });
    const edits = await c.request<Array<{ range: Location['range']; newText: string }>>('textDocument/formatting', { textDocument: { uri: uri(f) }, options: { tabSize: 8, insertSpaces: false } });
    const out = src.split('\n');
    for (const e of edits) out[e.range.start.line] = e.newText;
    assert.deepEqual(out, ['start:\tli\t$t0, 5\t\t\t# five', '\taddu\t$t0, $t0, $t1', 'loop:', '\tb\tloop', '']);
    c.notify('workspace/didChangeConfiguration', { settings: { mips64: { asm: {} } } });
  });
});

/** Reads 32-bit words of an ELF64 little-endian executable's PT_LOAD segments by virtual address. */
function elfText(elf: Buffer): { word(addr: bigint): number } {
  const phoff = Number(elf.readBigUInt64LE(32));
  const phnum = elf.readUInt16LE(56);
  const segs: Array<{ vaddr: bigint; off: number; size: number }> = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * 56;
    if (elf.readUInt32LE(p) !== 1) continue;
    segs.push({ off: Number(elf.readBigUInt64LE(p + 8)), vaddr: elf.readBigUInt64LE(p + 16), size: Number(elf.readBigUInt64LE(p + 32)) });
  }
  return {
    word(addr) {
      const s = segs.find((x) => addr >= x.vaddr && addr < x.vaddr + BigInt(x.size));
      assert.ok(s, `0x${addr.toString(16)} in a segment`);
      return elf.readUInt32LE(s.off + Number(addr - s.vaddr));
    },
  };
}
