// The installed extension has no repository around it: its adapter finds the built-in
// demo's source only in dist/guests/demo.s (shipped by the build). With it, frames of the
// demo carry that source and line, so VS Code focuses the top frame when the guest stops
// (without a source it does not, and the Variables view stays empty until a click).
// The adapter bundle is run from a copy of dist/ in a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildAdapter, ROOT, withTimeout } from './support';

/** A copy of the packaged layout: dist/adapter.js and dist/guests/ (with or without demo.s). */
function packagedCopy(withSource: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'mips64-packaged-'));
  mkdirSync(join(dir, 'dist', 'guests'), { recursive: true });
  copyFileSync(join(ROOT, 'dist', 'adapter.js'), join(dir, 'dist', 'adapter.js'));
  const files = ['demo.elf', 'demo-eb.elf', ...(withSource ? ['demo.s'] : [])];
  for (const f of files) copyFileSync(join(ROOT, 'dist', 'guests', f), join(dir, 'dist', 'guests', f));
  return dir;
}

async function topFrameAtEntry(dir: string): Promise<DebugProtocol.StackFrame> {
  const dc = new DebugClient(process.execPath, join(dir, 'dist', 'adapter.js'), 'mips64', { cwd: dir });
  await dc.start();
  try {
    await dc.initializeRequest({ adapterID: 'mips64', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const stopped = withTimeout(dc.waitForEvent('stopped'), 10_000, 'stopped');
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest({ board: 'demo', stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.configurationDoneRequest();
    assert.equal(((await stopped) as DebugProtocol.StoppedEvent).body.reason, 'entry');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    await dc.terminateRequest({});
    return st.body.stackFrames[0]!;
  } finally {
    await dc.stop();
  }
}

test('packaged adapter: the demo stops at entry on a source line of dist/guests/demo.s', { timeout: 120_000 }, async () => {
  buildAdapter();
  const withSource = packagedCopy(true);
  const without = packagedCopy(false);
  try {
    const f = await topFrameAtEntry(withSource);
    assert.equal(f.name, 'start');
    assert.equal(f.source?.path, join(withSource, 'dist', 'guests', 'demo.s'));
    assert.ok(f.line > 0, `line ${f.line}`);
    // That line of the shipped source is an instruction (not a comment or a blank line).
    const text = readFileSync(join(withSource, 'dist', 'guests', 'demo.s'), 'utf8').split('\n')[f.line - 1]!;
    assert.match(text.replace(/#.*/, '').trim(), /^([A-Za-z_.$][\w.$]*:\s*)?[a-z][a-z0-9.]*\b/, `line ${f.line}: ${text}`);
    const g = await topFrameAtEntry(without);
    assert.equal(g.name, 'start');
    assert.equal(g.source?.path, undefined, 'without the shipped source the frame has no file (what the build fixes)');
    assert.equal(g.source?.name, 'start (disassembly)', 'but its disassembly');
  } finally {
    rmSync(withSource, { recursive: true, force: true });
    rmSync(without, { recursive: true, force: true });
  }
});
