// activate() and the Disassemble ELF File command, run against a minimal stand-in for
// the `vscode` module and a stand-in dist/cli.js (the real CLI has its own tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

// ---- fake vscode -------------------------------------------------------------------

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    const u = new URL(s);
    return new Uri(u.protocol.replace(/:$/, ''), decodeURIComponent(u.pathname));
  }
  get fsPath(): string {
    return this.path;
  }
}
class TabInputText {
  constructor(readonly uri: Uri) {}
}
class TabInputCustom {
  constructor(
    readonly uri: Uri,
    readonly viewType: string,
  ) {}
}

interface Disposable {
  dispose(): void;
}
const state = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  info: [] as string[],
  errors: [] as string[],
  opened: [] as { language: string; content: string }[],
  shown: 0,
  openDialogCalls: 0,
  openDialogResult: undefined as Uri[] | undefined,
  activeTabInput: undefined as unknown,
  config: {} as Record<string, unknown>,
  files: new Map<string, Uint8Array>(),
};

const noEvent = (): Disposable => ({ dispose() {} });
class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  readonly event = (f: (e: T) => void): Disposable => {
    this.listeners.push(f);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== f); } };
  };
  fire(e: T): void { for (const l of this.listeners) l(e); }
  dispose(): void { this.listeners = []; }
}

const fakeVscode = {
  Uri,
  EventEmitter,
  StatusBarAlignment: { Left: 1, Right: 2 },
  DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
  debug: {
    activeDebugSession: undefined,
    onDidStartDebugSession: noEvent,
    onDidTerminateDebugSession: noEvent,
    onDidReceiveDebugSessionCustomEvent: noEvent,
    registerDebugAdapterTrackerFactory: noEvent,
    registerDebugAdapterDescriptorFactory: noEvent,
    registerDebugConfigurationProvider: noEvent,
  },
  TabInputText,
  TabInputCustom,
  ProgressLocation: { Notification: 15 },
  commands: {
    registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
      assert.ok(!state.commands.has(id), `${id} registered twice`);
      state.commands.set(id, fn);
      return { dispose: () => state.commands.delete(id) };
    },
  },
  window: {
    onDidCloseTerminal: noEvent,
    createStatusBarItem: () => ({ text: '', show() {}, hide() {}, dispose() {} }),
    createOutputChannel: (): Disposable & Record<string, (msg: string) => void> => ({
      dispose() {},
      info() {},
      error() {},
      warn() {},
      trace() {},
      debug() {},
    }),
    showInformationMessage: async (msg: string) => void state.info.push(msg),
    showErrorMessage: async (msg: string) => void state.errors.push(msg),
    showOpenDialog: async () => {
      state.openDialogCalls++;
      return state.openDialogResult;
    },
    withProgress: async <T>(
      _opts: unknown,
      task: (p: { report(): void }, token: { onCancellationRequested(f: () => void): Disposable }) => Promise<T>,
    ): Promise<T> => task({ report() {} }, { onCancellationRequested: () => ({ dispose() {} }) }),
    get tabGroups() {
      return { activeTabGroup: { activeTab: state.activeTabInput ? { input: state.activeTabInput } : undefined } };
    },
    activeTextEditor: undefined,
    registerTreeDataProvider: noEvent,
    showTextDocument: async () => {
      state.shown++;
    },
  },
  workspace: {
    workspaceFolders: undefined,
    textDocuments: [],
    onDidOpenTextDocument: noEvent,
    onDidChangeConfiguration: noEvent,
    registerTextDocumentContentProvider: noEvent,
    getConfiguration: (section: string) => ({
      get: <T>(key: string, dflt: T): T => (state.config[`${section}.${key}`] as T | undefined) ?? dflt,
    }),
    openTextDocument: async (opts: { language: string; content: string }) => {
      state.opened.push(opts);
      return opts;
    },
    fs: {
      readFile: async (uri: Uri) => {
        const data = state.files.get(`${uri.scheme}:${uri.path}`);
        if (!data) throw new Error(`no such file ${uri.scheme}:${uri.path}`);
        return data;
      },
    },
  },
};

// Route `require('vscode')` to the fake.
const moduleInternals = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
const originalLoad = moduleInternals._load;
moduleInternals._load = function (request: string, ...rest: unknown[]): unknown {
  if (request === 'vscode') return fakeVscode;
  return originalLoad.call(this, request, ...rest);
};
const load = createRequire(__filename);
const extension = load('../../src/extension/extension') as typeof import('../../src/extension/extension');

// ---- fixture: a fake extension directory with dist/cli.js ------------------------------

const extDir = mkdtempSync(path.join(os.tmpdir(), 'mips64-ext-'));
mkdirSync(path.join(extDir, 'dist'));
writeFileSync(
  path.join(extDir, 'dist', 'cli.js'),
  `const args = process.argv.slice(2);
const file = args[args.length - 1];
if (file.endsWith('bad.elf')) { process.stderr.write('mips64: not a MIPS ELF file\\n'); process.exit(2); }
process.stdout.write('# ' + JSON.stringify(args) + '\\n\\tnop\\n');
`,
);
const elf = path.join(extDir, 'vmlinux');
writeFileSync(elf, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1, 0]));
const bad = path.join(extDir, 'bad.elf');
writeFileSync(bad, Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
const notElf = path.join(extDir, 'main.c');
writeFileSync(notElf, 'int main(void) { return 0; }\n');

const context = { extensionPath: extDir, subscriptions: [] as Disposable[] };

test.before(() => {
  extension.activate(context as unknown as Parameters<typeof extension.activate>[0]);
});
test.after(() => {
  for (const d of context.subscriptions) d.dispose();
  moduleInternals._load = originalLoad;
  rmSync(extDir, { recursive: true, force: true });
});

function reset(): void {
  state.info = [];
  state.errors = [];
  state.opened = [];
  state.shown = 0;
  state.openDialogCalls = 0;
  state.openDialogResult = undefined;
  state.activeTabInput = undefined;
  state.config = {};
}

async function run(id: string, ...args: unknown[]): Promise<void> {
  const fn = state.commands.get(id);
  assert.ok(fn, `${id} not registered`);
  await fn(...args);
}

test('activate registers every contributed command', () => {
  assert.deepEqual([...state.commands.keys()].sort(), [
    'mips64.compareCheckpoints',
    'mips64.deleteCheckpoint',
    'mips64.disassembleFile',
    'mips64.fetchKernelSymbols',
    'mips64.goToCheckpoint',
    'mips64.goToInstruction',
    'mips64.goToTimelinePoint',
    'mips64.restoreCheckpoint',
    'mips64.stepBackOut',
    'mips64.takeCheckpoint',
  ]);
  assert.ok(context.subscriptions.length >= 5);
});

test('checkpoint commands explain that they need a debug session', async () => {
  for (const id of ['mips64.takeCheckpoint', 'mips64.restoreCheckpoint', 'mips64.deleteCheckpoint', 'mips64.compareCheckpoints']) {
    reset();
    await run(id);
    assert.equal(state.info.length, 1);
    assert.match(state.info[0]!, /available when a MIPS64 debug session is running/);
  }
});

test('disassembleFile runs `cli.js disasm FILE` and opens a mips64-asm document', async () => {
  reset();
  await run('mips64.disassembleFile', Uri.file(elf));
  assert.deepEqual(state.errors, []);
  assert.equal(state.opened.length, 1);
  assert.equal(state.opened[0]!.language, 'mips64-asm');
  assert.equal(state.opened[0]!.content, `# ${JSON.stringify(['disasm', elf])}\n\tnop\n`);
  assert.equal(state.shown, 1);
  assert.equal(state.openDialogCalls, 0);
});

test('disassembleFile passes --no-aliases when mips64.disassembly.aliases is off', async () => {
  reset();
  state.config['mips64.disassembly.aliases'] = false;
  await run('mips64.disassembleFile', Uri.file(elf));
  assert.equal(state.opened[0]!.content, `# ${JSON.stringify(['disasm', '--no-aliases', elf])}\n\tnop\n`);
});

test('disassembleFile uses the active editor file when it is an ELF file', async () => {
  reset();
  state.activeTabInput = new TabInputCustom(Uri.file(elf), 'hexEditor.hexedit');
  await run('mips64.disassembleFile');
  assert.equal(state.openDialogCalls, 0);
  assert.equal(state.opened.length, 1);
  assert.match(state.opened[0]!.content, /vmlinux/);
});

test('disassembleFile asks for a file when the active editor is not an ELF file', async () => {
  reset();
  state.activeTabInput = new TabInputText(Uri.file(notElf));
  await run('mips64.disassembleFile');
  assert.equal(state.openDialogCalls, 1);
  assert.equal(state.opened.length, 0, 'cancelled dialog opens nothing');

  reset();
  state.openDialogResult = [Uri.file(elf)];
  await run('mips64.disassembleFile');
  assert.equal(state.openDialogCalls, 1);
  assert.equal(state.opened.length, 1);
});

test('disassembleFile copies non-file URIs to a local temporary file', async () => {
  reset();
  state.files.set('vscode-remote:/home/u/kernel.elf', new Uint8Array([0x7f, 0x45, 0x4c, 0x46]));
  await run('mips64.disassembleFile', Uri.parse('vscode-remote:///home/u/kernel.elf'));
  assert.deepEqual(state.errors, []);
  const args = JSON.parse(state.opened[0]!.content.split('\n')[0]!.slice(2)) as string[];
  assert.equal(args[0], 'disasm');
  assert.equal(path.basename(args[1]!), 'kernel.elf');
  assert.notEqual(args[1], '/home/u/kernel.elf');
});

test('disassembleFile reports CLI failures with the CLI error message', async () => {
  reset();
  await run('mips64.disassembleFile', Uri.file(bad));
  assert.equal(state.opened.length, 0);
  assert.equal(state.errors.length, 1);
  assert.match(state.errors[0]!, /bad\.elf.*not a MIPS ELF file/);
});
