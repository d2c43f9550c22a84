// The ESLint layering rules (eslint.config.mjs): probe files placed under src/emulator
// and src/adapter that import forbidden modules must be reported, allowed imports not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..', '..');
const LAYERING_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);
const eslint = new ESLint({ cwd: root });

function layeringMessages(result: ESLint.LintResult | undefined): string[] {
  assert.ok(result, 'no lint result');
  assert.equal(result.fatalErrorCount, 0, JSON.stringify(result.messages));
  return result.messages.filter((m) => m.ruleId !== null && LAYERING_RULES.has(m.ruleId)).map((m) => m.message);
}

/**
 * Writes `source` to a temporary file in `relDir` (relative to the repository root),
 * lints it from disk with the project's configuration and deletes it again. Returns the
 * messages of the layering rules. The probe must be valid, compilable TypeScript:
 * another process (tsc) may see it while it exists.
 */
async function lintProbeFile(relDir: string, source: string): Promise<string[]> {
  const dir = path.join(root, relDir);
  const createdDir = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `__layering_probe_${process.pid}.ts`);
  writeFileSync(file, source);
  try {
    const [result] = await eslint.lintFiles([file]);
    return layeringMessages(result);
  } finally {
    rmSync(file, { force: true });
    if (createdDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Lints `source` as if it were the file `relPath` (nothing is written to disk). */
async function lintAs(relPath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, relPath) });
  return layeringMessages(result);
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

test('src/emulator may not import vscode', async () => {
  const messages = await lintProbeFile('src/emulator', lines("import * as vscode from 'vscode';", 'export const probe = vscode.version;'));
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(messages[0]!, /VS Code/);
});

test('src/adapter may not import vscode', async () => {
  const messages = await lintProbeFile('src/adapter', lines("import * as vscode from 'vscode';", 'export const probe = vscode.version;'));
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(messages[0]!, /VS Code/);
});

test('src/emulator (nested) may not import @vscode/*, the other layers, or load vscode dynamically', async () => {
  const messages = await lintAs(
    'src/emulator/cpu/probe.ts',
    lines(
      "import { DebugSession } from '@vscode/debugadapter';",
      "import { activate } from '../../extension/extension';",
      "import { x } from '../../adapter/session';",
      "import { y } from '../../cli/main';",
      "import { z } from '../../language/hover';",
      "import { w } from '../../../src/extension/extension';",
      "export type T = typeof import('vscode');",
      'export const all = [DebugSession, activate, x, y, z, w];',
      "export async function late(): Promise<unknown> { return import('vscode'); }",
    ),
  );
  assert.equal(messages.length, 8, messages.join('\n'));
});

test('the rules follow the directory depth of the importing file', async () => {
  // three levels below src/emulator, '../../../adapter' is src/adapter ...
  assert.equal((await lintAs('src/emulator/a/b/c/probe.ts', lines("export { x } from '../../../../adapter/x';"))).length, 1);
  // ... while '../../adapter' would be src/emulator/a/adapter, which is allowed
  assert.deepEqual(await lintAs('src/emulator/a/b/c/probe.ts', lines("export { x } from '../../adapter/x';")), []);
});

test('src/emulator may import node builtins and other emulator modules', async () => {
  const messages = await lintAs(
    'src/emulator/cpu/probe.ts',
    lines(
      "import { readFileSync } from 'node:fs';",
      "import { a } from '../mmu/tlb';",
      "import { b } from './extension';",
      'export const all = [readFileSync, a, b];',
    ),
  );
  assert.deepEqual(messages, []);
});

test('src/adapter (nested) may not import the extension or require vscode', async () => {
  const messages = await lintAs(
    'src/adapter/dap/probe.ts',
    lines(
      "import { activate } from '../../extension/extension';",
      "import type { Uri } from 'vscode';",
      "export const all = [activate, require('vscode'), import('vscode')];",
      'export type U = Uri;',
    ),
  );
  assert.equal(messages.length, 4, messages.join('\n'));
});

test('src/adapter may use the @vscode/* debug adapter packages', async () => {
  const messages = await lintAs(
    'src/adapter/dap/probe.ts',
    lines(
      "import { DebugSession } from '@vscode/debugadapter';",
      "import type { DebugProtocol } from '@vscode/debugprotocol';",
      "export const all = [DebugSession, require('@vscode/debugadapter-testsupport')];",
      'export type R = DebugProtocol.Request;',
    ),
  );
  assert.deepEqual(messages, []);
});

test('src/adapter may import the emulator', async () => {
  const messages = await lintAs('src/adapter/probe.ts', lines("import { run } from '../emulator/machine';", 'export const all = [run];'));
  assert.deepEqual(messages, []);
});

test('src/language may not import the extension', async () => {
  const messages = await lintAs(
    'src/language/probe.ts',
    lines("import { activate } from '../extension/extension';", 'export const all = [activate];'),
  );
  assert.equal(messages.length, 1, messages.join('\n'));
});

test('src/extension may import vscode and every layer', async () => {
  const messages = await lintAs(
    'src/extension/probe.ts',
    lines("import * as vscode from 'vscode';", "import { run } from '../emulator/machine';", 'export const all = [vscode, run];'),
  );
  assert.deepEqual(messages, []);
});
