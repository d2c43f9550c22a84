// `mips64 boot debian-malta --debug-port 0`: Debian's stripped vmlinuz boots with KASLR in
// the real CLI bundle with no debugger attached (the debugger's internal breakpoints that
// read kallsyms and the KASLR offset are passed by the CLI's own run loop: the shell comes
// up). A DAP client attaching at the shell gets the kernel's symbols, relocated: the
// guest's own /proc/kallsyms (the oracle) agrees on start_kernel and the openat syscall
// entry, a function breakpoint there is hit by a command typed into the CLI, the stack is
// named by kernel symbols; after disconnect the guest runs on.
//
// Skips (with the reason) when the debian-malta guest cannot be fetched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fetchDebianMalta, USERSPACE_MARKER } from '../../src/cli/guest/debian-guests.js';
import { ensureBuilt, spawnCli } from './support.js';
import { ADAPTER, withTimeout } from '../adapter/support.js';

const OPENAT = '__se_sys_openat';
let skip: string | undefined;
let child: ChildProcessWithoutNullStreams | undefined;

before(async () => {
  try {
    await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
  } catch (e) {
    skip = `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
  }
});

after(() => { if (child && child.exitCode === null) child.kill('SIGKILL'); });

test('attach to `mips64 boot debian-malta` at the shell: kernel symbols from kallsyms, relocated as the guest says; a breakpoint on openat', { timeout: 1_200_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  ensureBuilt();
  const p = spawnCli(['boot', 'debian-malta', '--debug-port', '0']);
  const c = child = p.child;
  const port = Number((await p.waitFor(() => /debug server listening on 127\.0\.0\.1:(\d+)/.exec(p.stderr()), 60_000, 'listening'))[1]);
  await p.waitFor(() => p.stdout().includes(USERSPACE_MARKER), 400_000, 'the shell');

  // The oracle: the guest's own kallsyms (root; kptr_restrict cleared).
  c.stdin.write(`echo 0 > /proc/sys/kernel/kptr_restrict; grep -w -e start_kernel -e ${OPENAT} /proc/kallsyms\n`);
  const guest = await p.waitFor(() => {
    const sk = /([0-9a-f]{16}) T start_kernel\b/.exec(p.stdout()), op = new RegExp(`([0-9a-f]{16}) [Tt] ${OPENAT}\\b`).exec(p.stdout());
    return sk && op ? { sk: BigInt(`0x${sk[1]}`), openat: BigInt(`0x${op[1]}`) } : undefined;
  }, 300_000, '/proc/kallsyms'); // grep through 36 k symbols in the guest: slow on a loaded host
  const hex = (a: bigint): string => `0x${a.toString(16).padStart(16, '0')}`;

  const dc = new DebugClient('node', ADAPTER, 'mips64');
  let console_ = '';
  await dc.start(port);
  dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category !== 'stdout') console_ += e.body.output; });
  try {
    await dc.initializeRequest({ adapterID: 'mips64', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = dc.waitForEvent('initialized');
    await dc.attachRequest({} as DebugProtocol.AttachRequestArguments);
    await initialized;
    const bp = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] })).body.breakpoints[0]!;
    await dc.configurationDoneRequest();
    const m = /kernel symbols: (\d+) from kallsyms; KASLR offset (0x[0-9a-f]+)/.exec(console_);
    assert.ok(m, `no kernel symbols message: ${JSON.stringify(console_)}`);
    console.log(`# ${m[0]}; guest start_kernel ${hex(guest.sk)}`);
    assert.notEqual(BigInt(m[2]!), 0n, 'KASLR moved the kernel');
    assert.equal(bp.verified, true);
    assert.equal(bp.instructionReference, hex(guest.openat), 'where the guest says the openat entry is');
    const sk = (await dc.evaluateRequest({ expression: 'start_kernel', context: 'watch' })).body.result;
    assert.equal(sk, `${hex(guest.sk)} <start_kernel>`);

    const hit = withTimeout(dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>, 180_000, 'openat');
    c.stdin.write('cat /proc/version\n');
    const ev = await hit;
    assert.equal(ev.body.reason, 'function breakpoint');
    assert.deepEqual(ev.body.hitBreakpointIds, [bp.id]);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    console.log(`# stack at ${OPENAT}: ${frames.map((f) => f.name).join(' <- ')}`);
    assert.match(frames[0]!.name, /sys_openat$/);
    assert.equal(frames[0]!.instructionPointerReference, hex(guest.openat));
    assert.ok(frames.length >= 2);
    assert.match(frames[1]!.name, /^[A-Za-z_][\w.]*\+0x[0-9a-f]+/, 'the caller is named by a relocated kernel symbol');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.disconnectRequest({});
  } finally {
    await withTimeout(dc.stop(), 5000, 'disconnect').catch(() => undefined);
  }
  // Detached: the guest runs on in the CLI.
  await p.waitFor(() => /Linux version 6\.1/.test(p.stdout()), 180_000, 'cat /proc/version after detach');
  c.stdin.write('echo still-$((6*7))\n');
  await p.waitFor(() => p.stdout().includes('still-42'), 180_000, 'the shell after detach');
});
