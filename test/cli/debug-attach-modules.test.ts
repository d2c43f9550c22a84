// Attach sessions follow the loaded modules as launched ones do: `mips64 boot --board malta
// --kernel VMLINUX --debug-port 0` with Debian's unstripped vmlinux (its -dbg package: DWARF
// types) and minix.ko in a second initramfs archive. A DAP client attaching at the shell sets
// a function breakpoint on the module's init function: unverified, waiting for the module;
// `insmod` typed into the CLI loads it, the breakpoint verifies and fires there, named from
// the module's own kallsyms; `lsmod` lists it; after disconnect the guest runs on.
//
// Runs when the -dbg vmlinux is cached (mips64 guest fetch-symbols debian-malta) or with
// MIPS64_KERNEL_SYMBOLS_TESTS=1; skips with the reason otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { USERSPACE_MARKER } from '../../src/cli/guest/debian-guests.js';
import { debianMaltaWithSymbolsOrSkip, initrdWithModule } from '../support/guest.js';
import { TempDir } from '../loader/toolchain';
import { ensureBuilt, spawnCli } from './support.js';
import { ADAPTER, withTimeout } from '../adapter/support.js';

const tmp = new TempDir();
let skip: string | undefined;
let args: string[] = [];
let child: ChildProcessWithoutNullStreams | undefined;

before(async () => {
  const both = await debianMaltaWithSymbolsOrSkip();
  if (typeof both === 'string') { skip = both; return; }
  const m = initrdWithModule(both.guest, both.syms, tmp.path, 'fs/minix/minix.ko');
  if (typeof m === 'string') { skip = m; return; }
  args = ['boot', '--board', 'malta', '--kernel', both.syms.vmlinux, '--initrd', m.initrd, '--append', both.guest.append, '--debug-port', '0'];
});

after(() => { if (child && child.exitCode === null) child.kill('SIGKILL'); tmp.remove(); });

test('attach to `mips64 boot --kernel VMLINUX` (DWARF types): a module breakpoint waits for insmod typed in the CLI, then fires', { timeout: 1_200_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  ensureBuilt();
  const p = spawnCli(args);
  const c = child = p.child;
  const port = Number((await p.waitFor(() => /debug server listening on 127\.0\.0\.1:(\d+)/.exec(p.stderr()), 120_000, 'listening'))[1]);
  await p.waitFor(() => p.stdout().includes(USERSPACE_MARKER), 600_000, 'the shell');

  const dc = new DebugClient('node', ADAPTER, 'mips64');
  let console_ = '';
  await dc.start(port);
  dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category !== 'stdout') console_ += e.body.output; });
  const changed: DebugProtocol.Breakpoint[] = [];
  dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => { if (e.body.reason === 'changed') changed.push(e.body.breakpoint); });
  try {
    await dc.initializeRequest({ adapterID: 'mips64', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = dc.waitForEvent('initialized');
    await dc.attachRequest({} as DebugProtocol.AttachRequestArguments);
    await initialized;
    const bp = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'init_minix_fs' }] })).body.breakpoints[0]!;
    await dc.configurationDoneRequest();
    assert.equal(bp.verified, false);
    assert.match(bp.message ?? '', /set when a module that defines it is loaded/);
    assert.equal((await dc.evaluateRequest({ expression: 'lsmod', context: 'repl' })).body.result, '(no modules loaded)');

    const hit = withTimeout(dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>, 180_000, 'init_minix_fs');
    c.stdin.write('insmod /minix.ko\n');
    const ev = await hit;
    assert.equal(ev.body.reason, 'function breakpoint');
    assert.deepEqual(ev.body.hitBreakpointIds, [bp.id]);
    const now = [...changed].reverse().find((b) => b.id === bp.id);
    assert.equal(now?.verified, true, 'verified when the module loaded');
    assert.match(console_, /module minix: \d+ symbols from its kallsyms/);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    console.log(`# attached, at insmod: ${frames.map((f) => f.name).join(' <- ')}`);
    assert.equal(frames[0]!.name, 'init_minix_fs');
    assert.equal(frames[0]!.instructionPointerReference, now?.instructionReference);
    assert.ok(frames.some((f) => /^do_init_module\+0x/.test(f.name)));
    assert.match((await dc.evaluateRequest({ expression: 'lsmod', context: 'repl' })).body.result, /^minix\s+0x[0-9a-f]{16}\s+\d+/m);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.disconnectRequest({});
  } finally {
    await withTimeout(dc.stop(), 5000, 'disconnect').catch(() => undefined);
  }
  // Detached: the guest runs on in the CLI.
  const mark = p.stdout().length;
  c.stdin.write('echo still-$((6*7))\n');
  await p.waitFor(() => p.stdout().slice(mark).includes('still-42'), 180_000, 'the shell after detach');
});
