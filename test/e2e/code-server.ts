// A throwaway code-server for the UI end-to-end tests: packages the extension (vsce, into a
// temp dir), installs the .vsix into a temp extensions dir, writes quiet user settings and a
// workspace whose .vscode/launch.json holds the test's configurations (default: boot the
// built-in demo), then serves VS Code on a
// free loopback port with no authentication. Everything lives under one temp dir; the
// server runs in its own process group so stop() also ends its extension host and the
// debug adapter it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { codeServerBin, node24Bin } from './ui-tools';

const root = path.resolve(__dirname, '..', '..', '..');

export const DEMO_CONFIG = 'Boot built-in demo';
export const MALTA_CONFIG = 'Boot Debian Linux (Malta)';

export interface CodeServerOptions {
  /** launch.json configurations (default: the demo, stopped on entry). */
  readonly configurations?: ReadonlyArray<Record<string, unknown>>;
  /** User settings added to the quiet defaults. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Environment of code-server (and so of the extension host and the adapter) added to this process's. */
  readonly env?: Readonly<Record<string, string>>;
  /** false: the workspace has no .vscode/launch.json. */
  readonly launchJson?: boolean;
  /** Files written into the workspace folder (name → text). */
  readonly files?: Readonly<Record<string, string>>;
}

/** Settings that keep a fresh VS Code from showing welcome pages, chat, or going online. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'debug.openDebug': 'openOnSessionStart',
  // The DOM renderer keeps terminal text in the page, where the test reads it.
  'terminal.integrated.gpuAcceleration': 'off',
};

const DEMO_LAUNCH = [{ type: 'mips64', request: 'launch', name: DEMO_CONFIG, board: 'demo', stopOnEntry: true }];

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for code-server). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): void {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
}

export class CodeServer {
  readonly workspace: string;
  readonly log: string[] = [];
  private proc: ChildProcess | undefined;

  private constructor(readonly dir: string, readonly url: string, private readonly env: NodeJS.ProcessEnv) {
    this.workspace = path.join(dir, 'workspace');
  }

  /** Packages and installs the extension, then starts code-server and waits until it listens. */
  static async start(dir: string, opts: CodeServerOptions = {}): Promise<CodeServer> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${node24Bin}${path.delimiter}${process.env.PATH ?? ''}`,
      // code-server writes its default config.yaml here, not into the user's ~/.config.
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      ...opts.env,
    };
    const cs = new CodeServer(dir, `http://127.0.0.1:${port}/`, env);
    mkdirSync(path.join(cs.workspace, '.vscode'), { recursive: true });
    const launch = { version: '0.2.0', configurations: opts.configurations ?? DEMO_LAUNCH };
    if (opts.launchJson !== false) writeFileSync(path.join(cs.workspace, '.vscode', 'launch.json'), JSON.stringify(launch, null, 2));
    for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(path.join(cs.workspace, name), text);
    mkdirSync(path.join(dir, 'user-data', 'User'), { recursive: true });
    writeFileSync(path.join(dir, 'user-data', 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...opts.settings }, null, 2));

    // vsce runs `vscode:prepublish` (the dist/ build) first, as `npm run package` does.
    const vsix = path.join(dir, 'mips64-studio.vsix');
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], process.env, 'vsce package');
    run(codeServerBin, [...cs.dirArgs(), '--install-extension', vsix], env, 'code-server --install-extension');

    await cs.serve(port);
    return cs;
  }

  private dirArgs(): string[] {
    return ['--user-data-dir', path.join(this.dir, 'user-data'), '--extensions-dir', path.join(this.dir, 'extensions')];
  }

  private serve(port: number): Promise<void> {
    const args = [
      '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--ignore-last-opened', ...this.dirArgs(), this.workspace,
    ];
    const proc = spawn(codeServerBin, args, { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not listen within 60 s:\n${this.log.join('')}`)), 60_000);
      const onData = (b: Buffer): void => {
        this.log.push(b.toString());
        if (this.log.join('').includes('HTTP server listening on')) { clearTimeout(timer); resolve(); }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('error', (e) => { clearTimeout(timer); reject(e); });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${signal ?? code}) before listening:\n${this.log.join('')}`));
      });
    });
  }

  /** The page that opens the workspace folder. */
  get workspaceUrl(): string {
    return `${this.url}?folder=${encodeURIComponent(this.workspace)}`;
  }

  /** Ends code-server and everything it started (its process group), waiting for it to exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    const signal = (s: NodeJS.Signals): void => { try { process.kill(-p.pid!, s); } catch { /* already gone */ } };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // The extension host and the adapter may outlive the server by a moment.
    signal('SIGKILL');
  }
}
