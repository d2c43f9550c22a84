// `mips64 boot --debug-port N`: DAP clients (@vscode/debugadapter-testsupport's
// DebugClient) attach to the demo guest running in the real CLI bundle (dist/cli.js):
// pause, registers, a function and an instruction breakpoint (the latter hit by a key typed
// into the CLI's stdin), a step, guest output forwarded, disconnect (the guest runs on in the
// CLI, breakpoints gone), attach again, terminate; one client at a time; the guest powering
// off under the debugger; --wait-for-debugger; and the bad inputs (bad port, port in use,
// attach to the plain adapter, launch on the CLI's server).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CLI, ROOT, cli, ensureBuilt } from './support.js';
import { ADAPTER, rejects, startServer, withTimeout } from '../adapter/support.js';

const T = { timeout: 60_000 };
const running: Cli[] = [];

after(() => { for (const c of running) c.kill(); });

/** `node dist/cli.js boot … --debug-port 0` with piped stdin (kept open). */
class Cli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, 'boot', ...args], { cwd: ROOT });
    this.child.stdout.on('data', (b: Buffer) => { this.stdout += b.toString('latin1'); });
    this.child.stderr.on('data', (b: Buffer) => { this.stderr += b.toString('latin1'); });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
    running.push(this);
  }

  static async start(extra: string[] = []): Promise<{ cli: Cli; port: number }> {
    ensureBuilt();
    const c = new Cli(['--debug-port', '0', ...extra]);
    const m = await c.waitFor(() => /debug server listening on 127\.0\.0\.1:(\d+)/.exec(c.stderr));
    return { cli: c, port: Number(m[1]) };
  }

  async waitFor<R>(probe: () => R | null | undefined | false, ms = 20_000): Promise<R> {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = probe();
      if (r) return r;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        assert.fail(`timed out (exit ${this.child.exitCode})\nstdout: ${JSON.stringify(this.stdout.slice(-500))}\nstderr: ${JSON.stringify(this.stderr)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits until stdout, from offset `from`, contains `text`. */
  waitOut(text: string, from = 0): Promise<number> {
    return this.waitFor(() => { const i = this.stdout.indexOf(text, from); return i >= 0 ? i + 1 : 0; });
  }

  type(text: string): void { this.child.stdin.write(text); }
  kill(): void { if (this.child.exitCode === null) this.child.kill('SIGKILL'); }
}

/** A DebugClient on the CLI's port, attached; collects guest output. */
class Attached {
  readonly dc = new DebugClient('node', ADAPTER, 'mips64');
  stdout = '';
  console = '';

  static async attach(port: number, args: Record<string, unknown> = {}): Promise<Attached> {
    const a = new Attached();
    await a.dc.start(port);
    a.dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') a.stdout += e.body.output;
      else a.console += e.body.output;
    });
    await a.dc.initializeRequest({ adapterID: 'mips64', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = a.dc.waitForEvent('initialized');
    await a.dc.attachRequest({ ...args } as DebugProtocol.AttachRequestArguments);
    await initialized;
    return a;
  }

  stopped(): Promise<DebugProtocol.StoppedEvent> {
    return withTimeout(this.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>, 20_000, 'stopped');
  }

  async eval(expression: string): Promise<string> {
    return (await this.dc.evaluateRequest({ expression, context: 'watch', frameId: 0 })).body.result;
  }

  async pc(): Promise<bigint> {
    return BigInt((await this.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!.instructionPointerReference!);
  }

  async waitOutput(text: string): Promise<void> {
    const t0 = Date.now();
    while (!this.stdout.includes(text)) {
      if (Date.now() - t0 > 20_000) assert.fail(`no guest output '${text}' in the debugger; got ${JSON.stringify(this.stdout.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const num = (s: string): bigint => BigInt(s.split(' ')[0]!);

test('attach to a running `mips64 boot`: pause, registers, breakpoints, step, output; detach lets it run on; attach again; terminate', T, async () => {
  const { cli: c, port } = await Cli.start();
  await c.waitOut("Type something ('t' = ticks, 'q' = quit)");

  const a = await Attached.attach(port);
  await a.dc.configurationDoneRequest();
  assert.match(a.console, /MIPS64 Studio: demo board, .*built-in demo \(entry 0xffffffff80100000, \d+ symbols\)/);
  assert.match(c.stderr, /mips64: debugger attached/);

  // Guest output reaches both the terminal and the debugger; keys typed in the CLI reach the guest.
  const mark = c.stdout.length;
  c.type('t');
  await c.waitOut('timer ticks: ', mark);
  await a.waitOutput('timer ticks: ');

  // A second client cannot take the machine while the first holds it.
  const other = new DebugClient('node', ADAPTER, 'mips64');
  await other.start(port);
  await other.initializeRequest({ adapterID: 'mips64', pathFormat: 'path' });
  assert.match(await rejects(other.attachRequest({} as DebugProtocol.AttachRequestArguments)), /another debugger is attached/);
  await other.stop();

  // Pause: the idle guest stops in its WAIT loop; registers are those of the guest.
  const paused = a.stopped();
  await a.dc.pauseRequest({ threadId: 1 });
  assert.equal((await paused).body.reason, 'pause');
  const idle = num(await a.eval('idle'));
  const pc = await a.pc();
  assert.ok(pc >= idle && pc < idle + 12n, `pc ${pc.toString(16)} in the idle loop at ${idle.toString(16)}`);
  const scopes = (await a.dc.scopesRequest({ frameId: 0 })).body.scopes;
  const regs = (await a.dc.variablesRequest({ variablesReference: scopes.find((s) => s.name === 'Registers')!.variablesReference })).body.variables;
  const sp = regs.find((v) => v.name === '$sp')!;
  assert.ok(sp, `an sp register among ${regs.map((v) => v.name).join(',')}`);
  assert.equal(num(sp.value), num(await a.eval('stack_top')), 'the demo runs on its stack_top');
  const cp0 = (await a.dc.variablesRequest({ variablesReference: scopes.find((s) => s.name === 'CP0')!.variablesReference })).body.variables;
  assert.ok(cp0.length > 5);

  // Function breakpoint on the interrupt handler: the next timer tick stops there.
  const fb = await a.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'interrupt' }] });
  assert.equal(fb.body.breakpoints[0]!.verified, true);
  let stop = a.stopped();
  await a.dc.continueRequest({ threadId: 1 });
  assert.equal((await stop).body.reason, 'function breakpoint');
  assert.equal(await a.pc(), num(await a.eval('interrupt')));
  const ticks0 = num(await a.eval('*(u64*)ticks'));

  // An instruction step moves to the next instruction.
  stop = a.stopped();
  await a.dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
  assert.equal((await stop).body.reason, 'step');
  assert.equal(await a.pc(), num(await a.eval('interrupt')) + 4n);

  // Instruction breakpoint on show_ticks, hit by a key typed into the CLI's terminal.
  await a.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const ib = (await a.dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: 'show_ticks' }] })) as DebugProtocol.SetInstructionBreakpointsResponse;
  assert.equal(ib.body.breakpoints[0]!.verified, true);
  stop = a.stopped();
  await a.dc.continueRequest({ threadId: 1 });
  c.type('t');
  assert.equal((await stop).body.reason, 'instruction breakpoint');
  assert.equal(await a.pc(), num(await a.eval('show_ticks')));
  assert.ok(num(await a.eval('*(u64*)ticks')) > ticks0, 'timer ticks went on between the stops');

  // Disconnect without terminating: the guest goes on in the CLI, the breakpoint is gone.
  await a.dc.disconnectRequest({ terminateDebuggee: false });
  await a.dc.stop();
  await c.waitFor(() => /debugger detached; the guest runs on/.test(c.stderr));
  const shown = (): number => c.stdout.split('timer ticks: ').length - 1;
  await c.waitFor(() => shown() === 2); // the 't' held at the breakpoint is served once the guest runs again
  c.type('t');
  await c.waitFor(() => shown() === 3); // and the breakpoint on show_ticks is gone
  assert.equal(c.child.exitCode, null, 'the CLI keeps running');

  // Attach again (a new client), pause, terminate: the CLI ends.
  const b = await Attached.attach(port);
  await b.dc.configurationDoneRequest();
  const p2 = b.stopped();
  await b.dc.pauseRequest({ threadId: 1 });
  assert.equal((await p2).body.reason, 'pause');
  assert.ok(num(await b.eval('*(u64*)ticks')) > ticks0);
  const terminated = withTimeout(b.dc.waitForEvent('terminated'), 10_000, 'terminated');
  await b.dc.terminateRequest({});
  await terminated;
  assert.equal(await withTimeout(c.exited, 10_000, 'CLI exit'), 130);
  assert.match(c.stderr, /terminated by the debugger/);
  await withTimeout(b.dc.stop(), 3000, 'client stop').catch(() => undefined);
});

test('--wait-for-debugger holds the guest until attach, which stops at the entry; q powers off under the debugger', T, async () => {
  const { cli: c, port } = await Cli.start(['--wait-for-debugger']);
  assert.match(c.stderr, /the guest waits for a debugger to attach/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.stdout, '', 'nothing ran before the debugger attached');
  const a = await Attached.attach(port);
  const entry = a.stopped();
  await a.dc.configurationDoneRequest();
  const ev = await entry;
  assert.equal(ev.body.reason, 'entry');
  assert.match(ev.body.description!, /^Stopped at entry 0xffffffff80100000 <start>$/);
  assert.equal(c.stdout, '');
  await a.dc.continueRequest({ threadId: 1 });
  await c.waitOut("'q' = quit");
  await a.waitOutput("'q' = quit");
  const exited = withTimeout(a.dc.waitForEvent('exited'), 10_000, 'exited');
  c.type('q');
  assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
  assert.equal(await withTimeout(c.exited, 10_000, 'CLI exit'), 0);
  assert.match(c.stdout, /bye/);
  await withTimeout(a.dc.stop(), 3000, 'client stop').catch(() => undefined);
});

test('a client whose connection drops without disconnect lets go of the machine', T, async () => {
  const { cli: c, port } = await Cli.start();
  const a = await Attached.attach(port);
  await a.dc.configurationDoneRequest();
  const paused = a.stopped();
  await a.dc.pauseRequest({ threadId: 1 });
  await paused;
  await a.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'show_ticks' }] });
  await a.dc.stop(); // closes the socket, no disconnect request
  await c.waitFor(() => /debugger detached/.test(c.stderr));
  const mark = c.stdout.length;
  c.type('t');
  await c.waitOut('timer ticks: ', mark);
  c.kill();
});

test('bad input: --debug-port values, options without it, a port in use, attach to the plain adapter, launch on the CLI server', T, async () => {
  ensureBuilt();
  let r = cli(['boot', '--debug-port', '70000']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid --debug-port '70000'/);
  r = cli(['boot', '--wait-for-debugger']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--wait-for-debugger needs --debug-port N/);

  const busy = createServer();
  await new Promise<void>((res) => busy.listen(0, '127.0.0.1', () => res()));
  const busyPort = (busy.address() as { port: number }).port;
  r = cli(['boot', '--debug-port', String(busyPort)], { input: '' });
  busy.close();
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`cannot listen for debuggers on 127\\.0\\.0\\.1:${busyPort}: the address is in use`));
  assert.equal(r.stdout, '', 'nothing booted');

  // The standalone adapter has no running machine to attach to.
  const server = await startServer();
  try {
    const dc = new DebugClient('node', ADAPTER, 'mips64');
    await dc.start(server.port);
    await dc.initializeRequest({ adapterID: 'mips64', pathFormat: 'path' });
    assert.match(await rejects(dc.attachRequest({ port: 1 } as DebugProtocol.AttachRequestArguments)), /nothing to attach to: "attach" connects to a running `mips64 boot --debug-port N`/);
    await dc.stop();
  } finally {
    server.proc.kill();
  }

  // The CLI's server debugs its own guest only.
  const { cli: c, port } = await Cli.start();
  const dc = new DebugClient('node', ADAPTER, 'mips64');
  await dc.start(port);
  await dc.initializeRequest({ adapterID: 'mips64', pathFormat: 'path' });
  assert.match(await rejects(dc.launchRequest({ board: 'demo' } as DebugProtocol.LaunchRequestArguments)), /use an "attach" configuration/);
  await dc.stop();
  c.kill();
});

test('--debug-host other than loopback warns that whoever connects controls the guest', T, async () => {
  const open = new Cli(['--debug-port', '0', '--debug-host', '0.0.0.0']);
  await open.waitFor(() => /debug server listening on 0\.0\.0\.0:\d+\n/.test(open.stderr));
  await open.waitFor(() => /warning: --debug-host 0\.0\.0\.0 accepts debuggers from other machines, with no authentication/.test(open.stderr));
  open.kill();
  const local = await Cli.start();
  await local.cli.waitOut('MIPS64 Studio demo guest');
  assert.doesNotMatch(local.cli.stderr, /warning/);
  local.cli.kill();
});
