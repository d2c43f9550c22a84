// Test support for the debug adapter: builds dist/ (the real bundle), starts
// `node dist/adapter.js --server=0` once, and opens DebugClient sessions to it.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { GuestImage } from '../../src/cli/guest/debian-guests.js';
import type { KernelDebugSymbols } from '../../src/cli/guest/kernel-debug-symbols.js';

export const ROOT = join(__dirname, '..', '..', '..');
export const ADAPTER = join(ROOT, 'dist', 'adapter.js');

/** Builds dist/ with scripts/build.mjs (the bundle the extension ships). */
export function buildAdapter(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

export interface AdapterServer { port: number; proc: ChildProcess; stderr: () => string }

export function startServer(args: readonly string[] = []): Promise<AdapterServer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [ADAPTER, '--server=0', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`adapter server did not start: ${err}`)), 10_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on port (\d+)/.exec(err);
      if (m) { clearTimeout(timer); resolve({ port: Number(m[1]), proc, stderr: () => err }); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`adapter server exited (${code}): ${err}`)); });
  });
}

/**
 * One test file's adapter server: start() builds dist/ and starts it, client() opens a
 * session, stop() ends every session, stops the server and removes `cleanup` paths.
 */
export class AdapterHarness {
  server: AdapterServer | undefined;
  private readonly clients: Client[] = [];

  constructor(readonly cleanup: Array<() => void> = []) {}

  async start(): Promise<void> {
    buildAdapter();
    this.server = await startServer();
  }

  async client(): Promise<Client> {
    const c = await Client.connect(this.server!.port);
    this.clients.push(c);
    return c;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) await c.stop();
    this.server?.proc.kill();
    for (const f of this.cleanup) f();
  }
}

/** A DebugClient connected to the server, collecting output events. */
export class Client {
  readonly dc = new DebugClient('node', ADAPTER, 'mips64');
  stdout = '';
  console = '';

  static async connect(port: number): Promise<Client> {
    const c = new Client();
    await c.dc.start(port);
    c.dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') c.stdout += e.body.output;
      else c.console += e.body.output;
    });
    return c;
  }

  /** Waits for an event (the test support has no timeouts for socket connections). */
  wait<T extends DebugProtocol.Event>(event: string, ms = 10_000): Promise<T> {
    return withTimeout(this.dc.waitForEvent(event) as Promise<T>, ms, `event '${event}'`);
  }

  waitStopped(ms = 10_000): Promise<DebugProtocol.StoppedEvent> {
    return this.wait<DebugProtocol.StoppedEvent>('stopped', ms);
  }

  /** Resolves when the console output contains `text`. */
  async waitOutput(text: string, ms = 10_000): Promise<void> {
    const t0 = Date.now();
    while (!this.stdout.includes(text)) {
      if (Date.now() - t0 > ms) throw new Error(`no output '${text}' after ${ms} ms; got ${JSON.stringify(this.stdout.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves when the console output after offset `from` (a length of `stdout` taken earlier) contains `text`. */
  async waitOutputFrom(from: number, text: string, ms = 10_000): Promise<void> {
    const t0 = Date.now();
    while (!this.stdout.slice(from).includes(text)) {
      if (Date.now() - t0 > ms) throw new Error(`no output ${JSON.stringify(text)} after ${ms} ms; got ${JSON.stringify(this.stdout.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Launches Debian's Malta kernel (with `initrd`, default the guest's) and its -dbg vmlinux
   * in "symbols", up to the initialized event (set breakpoints, then configurationDone).
   */
  async launchMaltaWithSymbols(name: string, guest: GuestImage, syms: KernelDebugSymbols, initrd = guest.initrd): Promise<void> {
    this.dc.defaultTimeout = 300_000; // the launch reads the 460 MB file
    const initialized = this.wait('initialized', 300_000);
    await this.dc.launch({
      type: 'mips64', request: 'launch', name, board: 'malta', memory: 256,
      kernel: guest.kernel, initrd, append: guest.append, symbols: [{ path: syms.vmlinux }],
    } as DebugProtocol.LaunchRequestArguments);
    await initialized;
  }

  /**
   * Initialize + launch; `configure` runs between the initialized event and
   * configurationDone (set breakpoints there).
   */
  async launch(args: Record<string, unknown>, configure?: () => Promise<void>): Promise<void> {
    const initialized = this.wait('initialized');
    await this.dc.launch(args);
    await initialized;
    if (configure) await configure();
    await this.dc.configurationDoneRequest();
  }

  async stop(): Promise<void> {
    await withTimeout(this.dc.stop(), 5000, 'disconnect').catch(() => undefined);
  }

  /** Top frame of thread 1. */
  async top(): Promise<DebugProtocol.StackFrame> {
    const st = await this.dc.stackTraceRequest({ threadId: 1 });
    return st.body.stackFrames[0]!;
  }

  async evaluate(expression: string, context = 'repl'): Promise<string> {
    const r = await this.dc.evaluateRequest({ expression, context, frameId: 0 });
    return r.body.result;
  }

  /** Variables of a named scope of frame 0. */
  async scope(name: string): Promise<DebugProtocol.Variable[]> {
    const s = await this.dc.scopesRequest({ frameId: 0 });
    const sc = s.body.scopes.find((x) => x.name === name);
    if (!sc) throw new Error(`no scope ${name}`);
    return (await this.dc.variablesRequest({ variablesReference: sc.variablesReference })).body.variables;
  }

  async children(v: DebugProtocol.Variable): Promise<DebugProtocol.Variable[]> {
    return (await this.dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables;
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), ms); }),
  ]);
}

/** Expects a request to fail; returns the error message. */
export async function rejects(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the request succeeded but should have failed');
}
