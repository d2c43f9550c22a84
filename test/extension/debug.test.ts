// "F5 in VS Code" against a stand-in `vscode` module: the debug configuration provider
// (and the Debian Malta guest fetched through a stand-in dist/cli.js), the adapter
// descriptor, the MIPS64 console terminal, the status bar and the checkpoint commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { restoreMarkerText } from '../../src/adapter/protocol';
import { engineNodeFlags } from '../../src/cli/node-flags';

// ---- fake vscode -------------------------------------------------------------------

interface Disposable { dispose(): void }

class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  readonly event = (f: (e: T) => void): Disposable => {
    this.listeners.push(f);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== f); } };
  };
  fire(e: T): void { for (const l of [...this.listeners]) l(e); }
  dispose(): void { this.listeners = []; }
}

class DebugAdapterExecutable {
  constructor(readonly command: string, readonly args: string[], readonly options?: { env?: Record<string, string>; cwd?: string }) {}
}
class DebugAdapterServer {
  constructor(readonly port: number, readonly host?: string) {}
}

interface FakePty {
  onDidWrite(f: (s: string) => void): Disposable;
  open(dims: unknown): void;
  close(): void;
  handleInput?(s: string): void;
}
interface FakeTerminal { name: string; pty: FakePty; shown: number; show(preserveFocus?: boolean): void; written: string }
interface Tracker {
  onWillReceiveMessage?(m: unknown): void;
  onDidSendMessage?(m: unknown): void;
}

const ev = {
  start: new EventEmitter<FakeSession>(),
  terminate: new EventEmitter<FakeSession>(),
  custom: new EventEmitter<{ session: FakeSession; event: string; body: unknown }>(),
  closeTerminal: new EventEmitter<FakeTerminal>(),
};

const state = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  info: [] as string[],
  errors: [] as string[],
  config: {} as Record<string, unknown>,
  terminals: [] as FakeTerminal[],
  statusItems: [] as { text: string; visible: boolean }[],
  trackerFactory: undefined as { createDebugAdapterTracker(s: FakeSession): Tracker } | undefined,
  factories: [] as unknown[],
  providers: [] as { provider: unknown; trigger?: number }[],
  progress: [] as string[],
  quickPicks: [] as { items: Array<{ label: string }>; title?: string }[],
  /** Answers to the next quick picks (by label; undefined cancels). */
  pickAnswers: [] as (string | undefined)[],
  inputAnswers: [] as (string | undefined)[],
  opened: [] as { language: string; content: string }[],
  /** Virtual documents opened: URI and the text their content provider gave. */
  openedUris: [] as { uri: string; content: string }[],
  contentProviders: new Map<string, { provideTextDocumentContent(u: { scheme: string; path: string }): string }>(),
  activeDebugSession: undefined as FakeSession | undefined,
  trees: new Map<string, FakeTreeProvider>(),
};

interface FakeTreeProvider {
  onDidChangeTreeData(f: (e: unknown) => void): Disposable;
  getChildren(e?: unknown): Promise<unknown[]>;
  getTreeItem(e: unknown): { id?: string; label?: string; description?: string; tooltip?: string; contextValue?: string };
}

class ThemeIcon { constructor(readonly id: string) {} }

const fakeVscode = {
  EventEmitter,
  ThemeIcon,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  DebugAdapterExecutable,
  DebugAdapterServer,
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { Notification: 15 },
  DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
  commands: {
    registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
      state.commands.set(id, fn);
      return { dispose: () => state.commands.delete(id) };
    },
  },
  debug: {
    get activeDebugSession() { return state.activeDebugSession; },
    onDidStartDebugSession: ev.start.event,
    onDidTerminateDebugSession: ev.terminate.event,
    onDidReceiveDebugSessionCustomEvent: ev.custom.event,
    registerDebugAdapterTrackerFactory(_type: string, f: { createDebugAdapterTracker(s: FakeSession): Tracker }): Disposable {
      state.trackerFactory = f;
      return { dispose() {} };
    },
    registerDebugAdapterDescriptorFactory(_type: string, f: unknown): Disposable {
      state.factories.push(f);
      return { dispose() {} };
    },
    registerDebugConfigurationProvider(_type: string, provider: unknown, trigger?: number): Disposable {
      state.providers.push({ provider, trigger });
      return { dispose() {} };
    },
  },
  window: {
    onDidCloseTerminal: ev.closeTerminal.event,
    createOutputChannel: () => ({ dispose() {}, info() {}, error() {}, warn() {}, trace() {}, debug() {} }),
    createStatusBarItem: () => {
      const item = { text: '', visible: false, name: '', tooltip: '', show() { item.visible = true; }, hide() { item.visible = false; }, dispose() {} };
      state.statusItems.push(item);
      return item;
    },
    createTerminal(opts: { name: string; pty: FakePty }): FakeTerminal {
      const t: FakeTerminal = { name: opts.name, pty: opts.pty, shown: 0, written: '', show() { t.shown++; } };
      opts.pty.onDidWrite((s) => { t.written += s; });
      state.terminals.push(t);
      // VS Code opens the pseudoterminal a little later.
      setImmediate(() => opts.pty.open(undefined));
      return t;
    },
    showInformationMessage: async (msg: string) => void state.info.push(msg),
    showErrorMessage: async (msg: string) => void state.errors.push(msg),
    withProgress: async <T>(
      opts: { title: string },
      task: (p: { report(v: { message?: string }): void }, token: { onCancellationRequested(f: () => void): Disposable }) => Promise<T>,
    ): Promise<T> => {
      state.progress.push(opts.title);
      return task({ report(v) { if (v.message) state.progress.push(v.message); } }, { onCancellationRequested: () => ({ dispose() {} }) });
    },
    showQuickPick: async <T extends { label: string }>(items: T[], opts?: { title?: string }): Promise<T | undefined> => {
      state.quickPicks.push({ items, title: opts?.title });
      const answer = state.pickAnswers.shift();
      return items.find((i) => i.label === answer);
    },
    showInputBox: async () => state.inputAnswers.shift(),
    registerTreeDataProvider(id: string, p: unknown): Disposable {
      state.trees.set(id, p as FakeTreeProvider);
      return { dispose: () => state.trees.delete(id) };
    },
    showTextDocument: async () => undefined,
  },
  workspace: {
    workspaceFolders: undefined as unknown,
    textDocuments: [],
    onDidOpenTextDocument: () => ({ dispose() {} }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
    getConfiguration: (section: string) => ({
      get: <T>(key: string, dflt: T): T => (state.config[`${section}.${key}`] as T | undefined) ?? dflt,
    }),
    registerTextDocumentContentProvider(scheme: string, p: { provideTextDocumentContent(u: { scheme: string; path: string }): string }): Disposable {
      state.contentProviders.set(scheme, p);
      return { dispose: () => state.contentProviders.delete(scheme) };
    },
    openTextDocument: async (opts: { language: string; content: string } | { scheme: string; path: string }) => {
      if ('scheme' in opts) {
        const p = state.contentProviders.get(opts.scheme);
        if (!p) throw new Error(`no content provider for ${opts.scheme}`);
        state.openedUris.push({ uri: `${opts.scheme}:${opts.path}`, content: p.provideTextDocumentContent(opts) });
        return opts;
      }
      state.opened.push(opts);
      return opts;
    },
  },
  Uri: { from: (c: { scheme: string; path: string }) => ({ scheme: c.scheme, path: c.path }) },
};

// A debug session that records custom requests and answers them from `replies`.
let nextId = 1;
class FakeSession {
  readonly id = `s${nextId++}`;
  readonly type = 'mips64';
  readonly configuration = { type: 'mips64', request: 'launch', name: 'demo' };
  readonly workspaceFolder = undefined;
  requests: { command: string; args: unknown }[] = [];
  replies = new Map<string, (args: unknown) => unknown>();
  constructor(readonly name = 'Boot built-in demo') {}
  async customRequest(command: string, args?: unknown): Promise<unknown> {
    this.requests.push({ command, args });
    const r = this.replies.get(command);
    if (!r) throw new Error(`no reply for ${command}`);
    return r(args);
  }
}

const moduleInternals = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
const originalLoad = moduleInternals._load;
moduleInternals._load = function (request: string, ...rest: unknown[]): unknown {
  if (request === 'vscode') return fakeVscode;
  return originalLoad.call(this, request, ...rest);
};
const load = createRequire(__filename);
const extension = load('../../src/extension/extension') as typeof import('../../src/extension/extension');
type Provider = import('../../src/extension/debug-config').Mips64ConfigProvider;
type Factory = import('../../src/extension/debug-config').Mips64AdapterFactory;

// ---- fixture: an extension directory with a stand-in dist/cli.js ----------------------

const extDir = mkdtempSync(path.join(os.tmpdir(), 'mips64-ext-'));
mkdirSync(path.join(extDir, 'dist'));
const cache = path.join(extDir, 'cache');
// `guest path` fails until `guest fetch` created the marker; both log their argv.
writeFileSync(
  path.join(extDir, 'dist', 'cli.js'),
  `const fs = require('fs'), path = require('path');
const args = process.argv.slice(2);
const dir = process.env.MIPS64_STUDIO_CACHE;
fs.mkdirSync(dir, { recursive: true });
fs.appendFileSync(path.join(dir, 'calls.log'), args.join(' ') + '\\n');
const marker = path.join(dir, 'fetched');
if (args[1] === 'fetch') { fs.writeFileSync(marker, ''); process.stderr.write('mips64: fetched\\n'); }
if (!fs.existsSync(marker)) { process.stderr.write('mips64: debian-malta is not fetched\\n'); process.exit(1); }
const symbols = path.join(dir, 'symbols');
if (args[1] === 'fetch-symbols') {
  process.stderr.write('mips64: downloading: 0 of 660 MB\\n');
  process.stderr.write('mips64: downloading: 330 of 660 MB\\n');
  fs.writeFileSync(symbols, '');
  process.stdout.write('vmlinux\\t' + dir + '/vmlinux-6.1.0-50-5kc-malta\\nsymbols-package\\tlinux-image-6.1.0-50-5kc-malta-dbg 6.1.1\\n');
  process.exit(0);
}
process.stdout.write('kernel\\t' + dir + '/vmlinux\\ninitrd\\t' + dir + '/initrd.gz\\nmanifest\\t' + dir + '/m.json\\nappend\\tconsole=ttyS0 quiet\\n');
if (args[0] === 'guest' && args[1] === 'path' && fs.existsSync(symbols)) process.stdout.write('vmlinux\\t' + dir + '/vmlinux-6.1.0-50-5kc-malta\\nsymbols-package\\tx 1\\n');
`,
);

const context = { extensionPath: extDir, subscriptions: [] as Disposable[] };
const activated = extension.activate(context as unknown as Parameters<typeof extension.activate>[0]);
const provider = state.providers.find((p) => p.trigger === undefined)!.provider as Provider;

test.after(() => {
  for (const d of context.subscriptions) d.dispose();
  moduleInternals._load = originalLoad;
  rmSync(extDir, { recursive: true, force: true });
});

function reset(): void {
  state.info = [];
  state.errors = [];
  state.progress = [];
  state.quickPicks = [];
  state.pickAnswers = [];
  state.inputAnswers = [];
  state.opened = [];
  state.config = { 'mips64.guestCacheDir': cache };
  state.activeDebugSession = undefined;
}

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- configurations --------------------------------------------------------------------

test('the provider offers one configuration per board, also as dynamic configurations (F5 without launch.json)', () => {
  const names = provider.provideDebugConfigurations().map((c) => c.name);
  assert.deepEqual(names, ['Boot built-in demo', 'Boot Debian Linux (Malta)', 'Boot Debian Linux (Octeon)']);
  const dynamic = state.providers.find((p) => p.trigger === 2)!.provider as { provideDebugConfigurations(): { name: string }[] };
  assert.deepEqual(dynamic.provideDebugConfigurations().map((c) => c.name), names);
});

test('F5 with an empty configuration asks which guest to boot; cancel starts nothing', async () => {
  reset();
  state.pickAnswers = ['Boot built-in demo'];
  const c = await provider.resolveDebugConfiguration(undefined, {} as never);
  assert.deepEqual(state.quickPicks[0]!.items.map((i) => i.label), ['Boot built-in demo', 'Boot Debian Linux (Malta)', 'Boot Debian Linux (Octeon)']);
  assert.equal(c!.type, 'mips64');
  assert.equal(c!['board'], 'demo');
  assert.equal(c!['stopOnEntry'], true);

  reset();
  state.pickAnswers = [undefined];
  assert.equal(await provider.resolveDebugConfiguration(undefined, {} as never), undefined);
});

test('resolveDebugConfiguration fills defaults from the settings', async () => {
  reset();
  state.config['mips64.engine'] = 'interp';
  state.config['mips64.checkpoints.memoryBudgetMiB'] = 128;
  const c = (await provider.resolveDebugConfiguration(undefined, { type: 'mips64', request: 'launch', name: 'x' }))!;
  assert.equal(c['board'], 'demo');
  assert.equal(c['engine'], 'interp');
  assert.equal(c['memory'], 64);
  assert.equal(c['stopOnEntry'], false);
  assert.equal(c['uartOutput'], 'event');
  assert.equal(c['checkpointMemoryMiB'], 128);

  state.config['mips64.console.alsoInDebugConsole'] = true;
  const k = (await provider.resolveDebugConfiguration(undefined, { type: 'mips64', request: 'launch', name: 'k', kernel: '/k', engine: 'jit' }))!;
  assert.equal(k['board'], 'malta');
  assert.equal(k['memory'], 256);
  assert.equal(k['engine'], 'jit', 'explicit values stay');
  assert.equal(k['uartOutput'], 'both');
});

test('Malta without a kernel: the guest is fetched once (with progress) through the CLI, then reused', async () => {
  reset();
  const base = { type: 'mips64', request: 'launch', name: 'm', board: 'malta' };
  const c = (await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, base))!;
  assert.equal(c['kernel'], `${cache}/vmlinux`);
  assert.equal(c['initrd'], `${cache}/initrd.gz`);
  assert.equal(c['append'], 'console=ttyS0 quiet');
  assert.equal(state.progress.length, 2);
  assert.match(state.progress[0]!, /fetching the Debian Malta guest/);
  const { readFileSync } = await import('node:fs');
  assert.deepEqual(readFileSync(path.join(cache, 'calls.log'), 'utf8').trim().split('\n'),
    ['guest path debian-malta', 'guest fetch debian-malta', 'guest path debian-malta']);

  reset();
  const again = (await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, { ...base, append: 'console=ttyS0 init=/bin/sh' }))!;
  assert.equal(again['kernel'], `${cache}/vmlinux`);
  assert.equal(again['append'], 'console=ttyS0 init=/bin/sh', 'a given append stays');
  assert.deepEqual(state.progress, [], 'cached: no progress notification');

  // A given kernel is never replaced; relative checkpointDir is made absolute against the folder.
  const folder = { uri: { fsPath: '/ws' }, name: 'ws', index: 0 };
  const k = (await provider.resolveDebugConfigurationWithSubstitutedVariables(folder as never, { ...base, kernel: '/my/vmlinux', checkpointDir: '.mips64/checkpoints' }))!;
  assert.equal(k['kernel'], '/my/vmlinux');
  assert.equal(k['checkpointDir'], path.join('/ws', '.mips64/checkpoints'));
});

test('MIPS64: Fetch Kernel Debug Symbols: downloads with progress; Malta launches without kernel/symbols load the vmlinux', async () => {
  reset();
  const base = { type: 'mips64', request: 'launch', name: 'm', board: 'malta' };
  const before = (await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, base))!;
  assert.equal(before['symbols'], undefined, 'not fetched yet: no symbols');
  reset();
  const got = await state.commands.get('mips64.fetchKernelSymbols')!();
  assert.equal(got, `${cache}/vmlinux-6.1.0-50-5kc-malta`);
  assert.match(state.progress[0]!, /fetching the kernel debug symbols/);
  assert.ok(state.progress.includes('downloading: 330 of 660 MB'), state.progress.join(' | '));
  assert.match(state.info.at(-1)!, /kernel debug symbols ready .*vmlinux-6\.1\.0-50-5kc-malta/);
  const { readFileSync } = await import('node:fs');
  assert.ok(readFileSync(path.join(cache, 'calls.log'), 'utf8').includes('guest fetch-symbols debian-malta'));

  const c = (await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, base))!;
  assert.deepEqual(c['symbols'], [{ path: `${cache}/vmlinux-6.1.0-50-5kc-malta` }]);
  const own = (await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, { ...base, symbols: [] }))!;
  assert.deepEqual(own['symbols'], [], 'the configuration\'s own symbols stay');
  state.config['mips64.kernelDebugSymbols'] = false;
  const off = (await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, base))!;
  assert.equal(off['symbols'], undefined, 'mips64.kernelDebugSymbols: false');
  rmSync(path.join(cache, 'symbols'));
});

test('a failed guest fetch shows the CLI error and starts nothing', async () => {
  reset();
  rmSync(cache, { recursive: true, force: true });
  state.config['mips64.guestCacheDir'] = path.join(extDir, 'no-such-dir');
  // Make `fetch` fail: the stand-in CLI cannot create its cache under a file.
  writeFileSync(path.join(extDir, 'blocker'), '');
  state.config['mips64.guestCacheDir'] = path.join(extDir, 'blocker', 'cache');
  const c = await provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, { type: 'mips64', request: 'launch', name: 'm', board: 'malta' });
  assert.equal(c, undefined);
  assert.equal(state.errors.length, 1);
  assert.match(state.errors[0]!, /could not fetch the Debian Malta guest/);
});

test('the adapter runs as dist/adapter.js under the extension host\'s Node; attach connects to a port', () => {
  const f = state.factories[0] as Factory;
  const launch = f.createDebugAdapterDescriptor({ configuration: { request: 'launch' }, workspaceFolder: undefined } as never) as unknown as DebugAdapterExecutable;
  assert.ok(launch instanceof DebugAdapterExecutable);
  assert.equal(launch.command, process.execPath);
  assert.deepEqual(launch.args, [...engineNodeFlags(), path.join(extDir, 'dist', 'adapter.js')]);
  assert.equal(launch.options?.env?.['ELECTRON_RUN_AS_NODE'], '1');
  const attach = f.createDebugAdapterDescriptor({ configuration: { request: 'attach', port: 4712 } } as never) as unknown as DebugAdapterServer;
  assert.ok(attach instanceof DebugAdapterServer);
  assert.equal(attach.port, 4712);
  assert.equal(attach.host, '127.0.0.1');
  const there = f.createDebugAdapterDescriptor({ configuration: { request: 'attach', port: '5000', host: 'board.lan' } } as never) as unknown as DebugAdapterServer;
  assert.deepEqual([there.port, there.host], [5000, 'board.lan']);
  assert.throws(() => f.createDebugAdapterDescriptor({ configuration: { request: 'attach' } } as never), /needs a "port"/);
});

test('attach configurations: a missing or bad port, or a port nobody listens on, is a clear error and starts nothing', async () => {
  const { createServer } = await import('node:net');
  const attach = (extra: Record<string, unknown>): Promise<unknown> =>
    provider.resolveDebugConfigurationWithSubstitutedVariables(undefined, { type: 'mips64', request: 'attach', name: 'a', ...extra });
  reset();
  assert.equal(await attach({}), undefined);
  assert.match(state.errors[0]!, /^MIPS64: cannot attach: the attach configuration needs a "port": start the guest with `mips64 boot --debug-port N`/);
  reset();
  assert.equal(await attach({ port: 70000 }), undefined);
  assert.match(state.errors[0]!, /"port" must be a TCP port number \(1 to 65535\), not 70000/);
  reset();
  assert.equal(await attach({ port: 4711, host: 42 }), undefined);
  assert.match(state.errors[0]!, /"host" must be a host name or address, not 42/);

  // A listening server passes; once it is closed, the same port is refused with a hint.
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  reset();
  const ok = await attach({ port });
  assert.deepEqual(ok, { type: 'mips64', request: 'attach', name: 'a', port });
  assert.deepEqual(state.errors, []);
  await new Promise<void>((r) => server.close(() => r()));
  reset();
  assert.equal(await attach({ port }), undefined);
  assert.equal(state.errors[0], `MIPS64: cannot attach: nothing is listening on 127.0.0.1:${port}: start the guest with \`mips64 boot --debug-port ${port}\` first`);

  // Defaults: a name, and the console output routed to the MIPS64 console terminal.
  reset();
  const d = (await provider.resolveDebugConfiguration(undefined, { type: 'mips64', request: 'attach', name: '', port }))!;
  assert.equal(d['name'], 'Attach to MIPS64');
  assert.equal(d['uartOutput'], 'event');
});

// ---- console terminal -------------------------------------------------------------------

test('the MIPS64 console shows guest output with \\r\\n, forwards keystrokes, ends read-only, and is reused', async () => {
  reset();
  const s = new FakeSession();
  s.replies.set('mips64/uartInput', () => undefined);
  s.replies.set('mips64/stats', () => ({ state: 'running', instructions: 5 }));
  ev.start.fire(s);
  assert.equal(state.terminals.length, 1);
  const t = state.terminals[0]!;
  assert.equal(t.name, 'MIPS64 console');
  assert.ok(t.shown >= 1);
  // Output before VS Code opened the pty is kept.
  ev.custom.fire({ session: s, event: 'mips64/uart', body: { text: 'Linux version\n\x1b[1mbold\x1b[0m\r\nok\r', port: 0 } });
  assert.equal(t.written.length, 0, 'nothing written before the pty is open');
  await new Promise((r) => setImmediate(r)); // the fake opens the pty in a setImmediate
  ev.custom.fire({ session: s, event: 'mips64/uart', body: { text: '\n# ', port: 0 } });
  ev.custom.fire({ session: s, event: 'output', body: { text: 'ignored' } });
  ev.custom.fire({ session: new FakeSession(), event: 'mips64/uart', body: { text: 'other session' } });
  assert.equal(t.written, 'Linux version\r\n\x1b[1mbold\x1b[0m\r\nok\r\n# ');
  // The adapter's checkpoint-restore marker (a mips64/uart event with marker: true) is shown as sent: a dim line of its own.
  const marker = restoreMarkerText('at the prompt', 1234);
  ev.custom.fire({ session: s, event: 'mips64/uart', body: { text: marker, port: 0, marker: true } });
  assert.ok(t.written.endsWith('# \r\n\x1b[2m── restored checkpoint at the prompt (icount 1234) ──\x1b[0m\r\n'), JSON.stringify(t.written.slice(-80)));

  t.pty.handleInput!('ls\r');
  t.pty.handleInput!('\x03');
  assert.deepEqual(s.requests.filter((r) => r.command === 'mips64/uartInput').map((r) => r.args), [{ text: 'ls\r' }, { text: '\x03' }]);

  ev.terminate.fire(s);
  assert.ok(t.written.endsWith('\r\n\x1b[2m[session ended]\x1b[0m\r\n'));
  const n = s.requests.length;
  t.pty.handleInput!('x');
  ev.custom.fire({ session: s, event: 'mips64/uart', body: { text: 'late' } });
  assert.equal(s.requests.length, n, 'read-only after the session ended');
  assert.ok(!t.written.includes('late'));

  // The next session reuses the ended console.
  const s2 = new FakeSession('Boot Debian Linux (Malta)');
  s2.replies.set('mips64/stats', () => ({ state: 'running', instructions: 1 }));
  ev.start.fire(s2);
  assert.equal(state.terminals.length, 1);
  assert.match(t.written, /\[new session: Boot Debian Linux \(Malta\)\]/);
  ev.custom.fire({ session: s2, event: 'mips64/uart', body: { text: 'again\n' } });
  assert.ok(t.written.endsWith('again\r\n'));
  // Closed by the user: the next session gets a new terminal.
  ev.terminate.fire(s2);
  t.pty.close();
  ev.closeTerminal.fire(t);
  const s3 = new FakeSession();
  s3.replies.set('mips64/stats', () => ({ state: 'running', instructions: 1 }));
  ev.start.fire(s3);
  assert.equal(state.terminals.length, 2);
  ev.terminate.fire(s3);
  assert.ok(activated.consoles);
});

// ---- status bar --------------------------------------------------------------------------

test('status bar: run state and instruction count, polled while running and on stops', async () => {
  reset();
  const item = state.statusItems[0]!;
  let icount = 1000;
  let adapterState = 'running';
  const s = new FakeSession();
  s.replies.set('mips64/stats', () => ({ state: adapterState, instructions: icount }));
  ev.start.fire(s);
  assert.ok(item.visible);
  await tick(20);
  assert.equal(item.text, '$(play) MIPS64 running · 1,000 instr');

  const tracker = state.trackerFactory!.createDebugAdapterTracker(s as never);
  icount = 2_500_000;
  adapterState = 'stopped';
  tracker.onDidSendMessage!({ type: 'event', event: 'stopped', body: { reason: 'pause' } });
  assert.match(item.text, /^\$\(debug-pause\) MIPS64 stopped/);
  await tick(20);
  assert.equal(item.text, '$(debug-pause) MIPS64 stopped · 2.50M instr');
  const polls = s.requests.filter((r) => r.command === 'mips64/stats').length;
  await tick(1100);
  assert.equal(s.requests.filter((r) => r.command === 'mips64/stats').length, polls, 'no polling while stopped');

  adapterState = 'running';
  icount = 3_000_000_000;
  tracker.onWillReceiveMessage!({ type: 'request', command: 'continue', seq: 9 });
  await tick(20);
  assert.equal(item.text, '$(play) MIPS64 running · 3.00G instr');
  icount = 3_100_000_000;
  await tick(1100);
  assert.equal(item.text, '$(play) MIPS64 running · 3.10G instr', 'polled every second while running');

  ev.terminate.fire(s);
  assert.equal(item.text, '$(debug-stop) MIPS64 ended · 3.10G instr');
  assert.equal(activated.status.runState, 'ended');
});

// ---- checkpoint commands ------------------------------------------------------------------

const CPS = [
  { id: 'c1', name: 'boot', kind: 'full', parentId: null, icount: 1000, created: '2024-01-01T10:00:00Z', sizeBytes: 3 * 1048576, pages: 700, stored: ['memory'] },
  { id: 'c2', name: 'shell', kind: 'incremental', parentId: 'c1', icount: 5000, created: '2024-01-01T10:01:00Z', sizeBytes: 4096, pages: 1, stored: ['memory', 'disk'] },
];

async function run(id: string): Promise<void> {
  await state.commands.get(id)!();
}

test('checkpoint commands need a MIPS64 session', async () => {
  reset();
  await run('mips64.takeCheckpoint');
  assert.match(state.info[0]!, /Take Checkpoint is available when a MIPS64 debug session is running/);
});

test('take, restore, delete and compare checkpoints through mips64/checkpoint/* requests', async () => {
  reset();
  const s = new FakeSession();
  s.replies.set('mips64/stats', () => ({ state: 'stopped', instructions: 1 }));
  s.replies.set('mips64/checkpoint/take', (a) => ({ checkpoint: { ...CPS[0], name: (a as { name: string }).name } }));
  s.replies.set('mips64/checkpoint/list', () => ({ checkpoints: CPS, location: 'memory' }));
  s.replies.set('mips64/checkpoint/restore', () => ({ checkpoint: CPS[0] }));
  s.replies.set('mips64/checkpoint/delete', () => ({ deleted: true }));
  s.replies.set('mips64/checkpoint/compare', () => ({ identical: false, text: 'A: boot\nB: shell\nregisters:\n' }));
  state.activeDebugSession = s;

  state.inputAnswers = ['before login'];
  state.pickAnswers = ['Full'];
  await run('mips64.takeCheckpoint');
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/checkpoint/take', args: { name: 'before login', kind: 'full' } });
  assert.match(state.info.at(-1)!, /checkpoint 'before login' taken \(full, 3\.0 MiB, instruction 1,000\)/);

  state.inputAnswers = ['x'];
  state.pickAnswers = ['Incremental'];
  await run('mips64.takeCheckpoint');
  assert.deepEqual(s.requests.at(-1)!.args, { name: 'x', kind: 'auto' });

  state.inputAnswers = [undefined];
  const n = s.requests.length;
  await run('mips64.takeCheckpoint');
  assert.equal(s.requests.length, n, 'cancelled name: nothing taken');

  state.quickPicks = [];
  state.pickAnswers = ['boot'];
  await run('mips64.restoreCheckpoint');
  const items = state.quickPicks[0]!.items as Array<{ label: string; description: string; detail: string }>;
  assert.deepEqual(items.map((i) => i.label), ['shell', 'boot'], 'newest first');
  assert.match(items[0]!.description, /^incremental · instruction 5,000 · .+ · 4\.0 KiB$/);
  assert.match(items[0]!.detail, /^parent: boot · c2 · in memory and disk$/);
  assert.match(items[1]!.detail, /^no parent/);
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/checkpoint/restore', args: { id: 'c1' } });

  state.pickAnswers = ['shell'];
  await run('mips64.deleteCheckpoint');
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/checkpoint/delete', args: { id: 'c2' } });
  assert.match(state.info.at(-1)!, /deleted 'shell'/);

  state.quickPicks = [];
  state.pickAnswers = ['boot', 'shell'];
  await run('mips64.compareCheckpoints');
  assert.deepEqual(state.quickPicks[1]!.items.map((i) => i.label), ['shell'], 'B excludes A');
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/checkpoint/compare', args: { a: 'c1', b: 'c2' } });
  // A read-only virtual document (no Untitled one that asks to be saved), its text the adapter's.
  assert.equal(state.opened.length, 0, 'no Untitled document');
  assert.match(state.openedUris.at(-1)!.uri, /^mips64-compare:\/\d+\/boot ↔ shell\.checkpoint-diff$/);
  assert.equal(state.openedUris.at(-1)!.content, 'A: boot\nB: shell\nregisters:\n');

  s.replies.set('mips64/checkpoint/restore', () => { throw new Error("no checkpoint 'boot'"); });
  state.pickAnswers = ['boot'];
  await run('mips64.restoreCheckpoint');
  assert.match(state.errors.at(-1)!, /MIPS64: no checkpoint 'boot'/);
  assert.ok(!existsSync(path.join(extDir, 'never')));
});

// ---- checkpoint view ------------------------------------------------------------------------

test('the MIPS64 Checkpoints view lists the session\'s checkpoints and refreshes after take/restore/delete and on start/stop', async () => {
  reset();
  const tree = state.trees.get('mips64.checkpoints')!;
  assert.ok(tree, 'tree data provider registered for mips64.checkpoints');
  let refreshes = 0;
  const sub = tree.onDidChangeTreeData(() => { refreshes++; });
  assert.deepEqual(await tree.getChildren(), [], 'no session: empty');

  let list: unknown[] = [CPS[0]];
  const s = new FakeSession();
  s.replies.set('mips64/stats', () => ({ state: 'stopped', instructions: 1 }));
  s.replies.set('mips64/checkpoint/list', () => ({ checkpoints: list, location: 'memory' }));
  s.replies.set('mips64/checkpoint/take', () => { list = CPS; return { checkpoint: CPS[1] }; });
  s.replies.set('mips64/checkpoint/restore', () => ({ checkpoint: CPS[0] }));
  s.replies.set('mips64/checkpoint/delete', () => ({ deleted: true }));
  ev.start.fire(s);
  assert.equal(refreshes, 1, 'refreshed on session start');

  const before = await tree.getChildren();
  assert.deepEqual(before.map((n) => tree.getTreeItem(n).label), ['boot']);

  state.inputAnswers = ['shell'];
  state.pickAnswers = ['Incremental'];
  await run('mips64.takeCheckpoint');
  assert.equal(refreshes, 2, 'refreshed after take');
  const nodes = await tree.getChildren();
  const items = nodes.map((n) => tree.getTreeItem(n));
  assert.deepEqual(items.map((i) => i.label), ['shell', 'boot'], 'newest first');
  assert.equal(items[0]!.description, 'incremental · instruction 5,000 · 4.0 KiB');
  assert.equal(items[1]!.description, 'full · instruction 1,000 · 3.0 MiB');
  assert.match(items[0]!.tooltip!, /parent: boot/);
  assert.match(items[1]!.tooltip!, /no parent/);
  assert.equal(items[0]!.contextValue, 'mips64.checkpoint');
  assert.equal(items[0]!.id, 'c2');
  assert.deepEqual(await tree.getChildren(nodes[0]), [], 'items have no children');

  // Context menu: restore / delete act on the item without asking.
  state.quickPicks = [];
  await state.commands.get('mips64.restoreCheckpoint')!(nodes[1]);
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/checkpoint/restore', args: { id: 'c1' } });
  assert.equal(refreshes, 3, 'refreshed after restore');
  await state.commands.get('mips64.deleteCheckpoint')!(nodes[0]);
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/checkpoint/delete', args: { id: 'c2' } });
  assert.equal(refreshes, 4, 'refreshed after delete');
  assert.equal(state.quickPicks.length, 0, 'no quick pick for a view item');

  // A list request that fails (e.g. not launched yet) shows nothing.
  s.replies.set('mips64/checkpoint/list', () => { throw new Error('not running'); });
  assert.deepEqual(await tree.getChildren(), []);
  assert.deepEqual(state.errors, []);

  ev.terminate.fire(s);
  assert.equal(refreshes, 5, 'refreshed on session end');
  assert.deepEqual(await tree.getChildren(), [], 'ended: empty');
  sub.dispose();
});

test('the Checkpoints view puts automatic snapshots and named checkpoints on one time axis, hits above; a click goes there', async () => {
  reset();
  const tree = state.trees.get('mips64.checkpoints')!;
  const s = new FakeSession();
  s.replies.set('mips64/stats', () => ({ state: 'stopped', instructions: 1 }));
  s.replies.set('mips64/checkpoint/list', () => ({ checkpoints: CPS, location: 'memory' }));
  s.replies.set('mips64/timeline', () => ({
    instructions: 7000, virtualTimeNs: 1e6,
    recording: {
      start: 0, end: 7000, inPast: false, usedBytes: 1, budgetBytes: 2,
      snapshots: [{ instructions: 0, virtualTimeNs: 0 }, { instructions: 3000, virtualTimeNs: 5e5 }, { instructions: 6000, virtualTimeNs: 9e5 }],
      hits: [
        { instructions: 2500, sub: 0, reason: 'function breakpoint', description: 'Breakpoint at putc', pc: '0xffffffff80100100' },
        { instructions: 4000, sub: 1, reason: 'exception', description: 'TLB refill at 0x…', pc: '0xffffffff80101000' },
      ],
    },
  }));
  ev.start.fire(s);
  const nodes = await tree.getChildren();
  const items = nodes.map((n) => tree.getTreeItem(n) as { label?: string; description?: string; command?: { command: string; arguments: unknown[] } });
  assert.deepEqual(items.map((i) => i.label), ['Breakpoint hits', 'instruction 6,000', 'shell', 'instruction 3,000', 'boot', 'instruction 0']);
  assert.equal(items[0]!.description, '2 seen while running');
  assert.match(items[1]!.description!, /^automatic/);
  const hits = (await tree.getChildren(nodes[0])).map((n) => tree.getTreeItem(n) as { label?: string; description?: string; command?: { command: string; arguments: unknown[] } });
  assert.deepEqual(hits.map((h) => h.description), ['exception · instruction 4,000+1', 'function breakpoint · instruction 2,500'], 'newest first');
  // A click on the refill hit goes to its position (an exception entry into its count).
  await state.commands.get(hits[0]!.command!.command)!(...hits[0]!.command!.arguments);
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/goToInstruction', args: { icount: 4000, sub: 1 } });
  await state.commands.get(items[3]!.command!.command)!(...items[3]!.command!.arguments);
  assert.deepEqual(s.requests.at(-1), { command: 'mips64/goToInstruction', args: { icount: 3000, sub: 0 } });
  ev.terminate.fire(s);
});
