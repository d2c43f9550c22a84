// Bad input never crashes or hangs the language server: a binary file opened as assembly,
// a 100,000-line file, a file that includes itself, a recursive macro and a macro bomb,
// unterminated strings and block comments, a 1 MiB line, invalid UTF-8 inside a message,
// and a message that is not JSON. Each gets its diagnostics (or none) and the server keeps
// answering requests afterwards, then exits cleanly on shutdown/exit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LspClient, uri } from '../support/lsp-client';

describe('language server: bad input', () => {
  let c: LspClient;
  let dir = '';
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mips64-lsp-bad-'));
    c = new LspClient();
    await c.initialize({}, dir);
  });
  after(async () => {
    const code = await c.shutdown();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, c.stderr);
  });

  /** The server still answers: a hover on a known line of a small document. */
  async function alive(): Promise<void> {
    const f = path.join(dir, 'alive.s');
    c.open(f, '\tnop\n');
    const h = await c.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: uri(f) }, position: { line: 0, character: 2 } });
    assert.match(h.contents.value, /\*\*nop\*\*/);
    c.notify('textDocument/didClose', { textDocument: { uri: uri(f) } });
  }

  test('a binary file: one diagnostic, nothing assembled', async () => {
    const f = path.join(dir, 'bin.s');
    const bytes = Buffer.alloc(20000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) & 0xff;
    c.open(f, bytes.toString('latin1'));
    const { diagnostics } = await c.diagnostics(f);
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /binary file/);
    await c.request('textDocument/documentSymbol', { textDocument: { uri: uri(f) } });
    await c.request('textDocument/semanticTokens/full', { textDocument: { uri: uri(f) } });
    await alive();
  });

  test('a 100,000-line file is analysed and answered', async () => {
    const f = path.join(dir, 'big.s');
    const lines = ['\t.set noreorder'];
    for (let i = 0; lines.length < 100_000; i++) lines.push(`l${i}:\taddiu\t$t0, $t0, ${i % 1000}`, `\tbne\t$t0, $zero, l${i}`, '\tnop');
    c.open(f, lines.join('\n'));
    const { diagnostics } = await c.diagnostics(f, 0, 120_000);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 1 && !/took too long/.test(d.message)), []);
    const h = await c.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: uri(f) }, position: { line: 99_998, character: 2 } });
    assert.ok(h && h.contents.value.length > 0);
    const syms = await c.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: uri(f) } });
    assert.ok(syms.length > 0);
    c.notify('textDocument/didClose', { textDocument: { uri: uri(f) } });
  });

  test('a file that includes itself, a recursive macro, a macro bomb: one error each', async () => {
    const self = path.join(dir, 'self.s');
    writeFileSync(self, '\t.include "self.s"\n');
    c.open(self, '\t.include "self.s"\n');
    const d1 = (await c.diagnostics(self)).diagnostics;
    assert.equal(d1.length, 1, JSON.stringify(d1));
    assert.match(d1[0].message, /nested more than 32 deep/);

    const rec = path.join(dir, 'rec.s');
    c.open(rec, '\t.macro r\n\tr\n\t.endm\n\tr\n');
    const d2 = (await c.diagnostics(rec)).diagnostics;
    assert.equal(d2.length, 1);
    assert.match(d2[0].message, /nested more than 100 deep/);

    let bomb = '\t.macro m0\n\tnop\n\t.endm\n';
    for (let i = 1; i <= 40; i++) bomb += `\t.macro m${i}\n\tm${i - 1}\n\tm${i - 1}\n\t.endm\n`;
    const b = path.join(dir, 'bomb.s');
    c.open(b, `${bomb}\tm40\n`);
    const d3 = (await c.diagnostics(b, 0, 120_000)).diagnostics;
    assert.equal(d3.filter((d) => d.severity === 1).length, 1, JSON.stringify(d3));
    await alive();
  });

  test('unterminated strings and comments, a 1 MiB line', async () => {
    const f = path.join(dir, 'strings.s');
    c.open(f, '\t.ascii "abc\n\t.asciz "x\\"\n\tli $2, \'\n/* never closed\n\tnop\n' + '\tnop # ' + 'x'.repeat(1 << 20) + '\n' + 'y'.repeat(1 << 20) + '\n');
    const { diagnostics } = await c.diagnostics(f, 0, 120_000);
    assert.ok(diagnostics.some((d) => /unterminated string/.test(d.message)));
    const h = await c.request('textDocument/hover', { textDocument: { uri: uri(f) }, position: { line: 6, character: 500_000 } });
    void h;
    await c.request('textDocument/completion', { textDocument: { uri: uri(f) }, position: { line: 6, character: 1 << 20 } });
    await alive();
  });

  test('invalid UTF-8 inside a message and a message that is not JSON', async () => {
    const f = path.join(dir, 'utf8.s');
    const head = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: uri(f), languageId: 'mips64-asm', version: 1, text: 'MARK' } } }));
    const i = head.indexOf('MARK');
    c.writeRaw(Buffer.concat([head.subarray(0, i), Buffer.from([0x09, 0x6e, 0x6f, 0x70, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x0a]), head.subarray(i + 4)]));
    // (vscode-jsonrpc drops a message whose body is not UTF-8; the server goes on.)
    await alive();
    c.writeRaw(Buffer.from('{"jsonrpc": "2.0", "method": '));
    await alive();
  });
});
