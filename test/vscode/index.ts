// Extension-host tests (the @vscode/test-electron layout: VS Code loads this module with
// --extensionTestsPath and awaits run()). They run inside a real extension host against
// the `vscode` API: the language client's diagnostics, hover, completion and definition on
// a .s file, and F5's configuration for it — a debug session paused on entry, and a file
// with errors refused. A small sequential runner (no test framework to install): every
// case runs, failures are printed, run() rejects when one failed (the exit code VS Code
// returns). test/e2e/extension-host.test.ts starts VS Code for them, or says why it cannot.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'mips64-studio.mips64-studio';
const dir = mkdtempSync(path.join(tmpdir(), 'mips64-exthost-'));
const HELLO = path.join(dir, 'hello.s');
const BAD = path.join(dir, 'bad.s');
writeFileSync(HELLO, '\t.set\tnoreorder\n\t.text\n\t.globl\tstart\nstart:\tli\t$a0, 1\n\tjal\tsub1\n\tnop\n1:\tb\t1b\n\tnop\nsub1:\tjr\t$ra\n\tnop\n');
writeFileSync(BAD, 'start:\n\tmvoe\t$2, $3\n');

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const cases: Array<[string, () => Promise<void>]> = [
  ['a .s file activates the extension; its error is a diagnostic with did-you-mean', async () => {
    const doc = await vscode.workspace.openTextDocument(BAD);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'mips64-asm');
    const d = await until('diagnostics', () => vscode.languages.getDiagnostics(doc.uri).find((x) => /mvoe/.test(x.message)));
    assert.match(d.message, /did you mean 'move'/);
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [1, 1, 5]);
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
  }],
  ['hover, completion and definition through the language client', async () => {
    const doc = await vscode.workspace.openTextDocument(HELLO);
    await vscode.window.showTextDocument(doc);
    const hovers = await until('hover', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 7));
      return h.length ? h : undefined;
    });
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*li\*\*/);
    const items = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(5, 1));
    assert.ok(items.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'addiu'));
    const defs = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', doc.uri, new vscode.Position(4, 6));
    const def = defs[0];
    const range = def && ('targetRange' in def ? def.targetRange : def.range);
    assert.equal(range?.start.line, 8);
  }],
  ['F5 in a .s editor: the configuration debugs the file, paused on entry', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(HELLO));
    const api = vscode.extensions.getExtension(EXTENSION_ID)!.exports as { provider: vscode.DebugConfigurationProvider };
    const c = await api.provider.resolveDebugConfiguration!(undefined, { type: '', request: '', name: '' });
    assert.equal(c?.['program'], HELLO);
    assert.equal(c?.['stopOnEntry'], true);
    const stops: string[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('mips64', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string } }) => { if (m.type === 'event' && m.event === 'stopped') stops.push(m.body?.reason ?? ''); } }),
    });
    try {
      assert.ok(await vscode.debug.startDebugging(undefined, c!));
      await until('a stop on entry', () => (stops.includes('entry') ? true : undefined));
      await vscode.debug.stopDebugging();
    } finally {
      tracker.dispose();
    }
  }],
  ['F5 on a file with errors is refused', async () => {
    const ok = await vscode.debug.startDebugging(undefined, { type: 'mips64', request: 'launch', name: 'bad', program: BAD, stopOnEntry: true });
    assert.equal(ok, false);
  }],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, f] of cases) {
    try {
      await f();
      console.log(`ok - ${name}`);
    } catch (e) {
      failed++;
      console.error(`not ok - ${name}\n${(e as Error).stack ?? String(e)}`);
    }
  }
  console.log(`${cases.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} of ${cases.length} extension-host tests failed`);
}
