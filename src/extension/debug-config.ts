// Debug configurations for "F5 in VS Code": how VS Code starts the debug adapter
// (dist/adapter.js in a child process running the editor's own Node), the configurations
// offered without a launch.json (one per board of the board catalog), the defaults filled
// into every launch, and fetching a board's Debian guest on first use (through the CLI in
// a child process).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUN_AS_NODE_ENV, cliScriptPath, runCli, stderrTail } from './cli-runner';
import { attachTarget, probeDebugServer } from './attach-config';
import { engineNodeFlags } from '../cli/node-flags';
import { BOARD_CATALOG, boardInfo } from '../emulator/boards/catalog';

export const DEBUG_TYPE = 'mips64';
export const DEBIAN_MALTA = 'debian-malta';

/** The ready-made configuration of each board (its catalog entry's launch). */
export const BOARD_CONFIGS: readonly vscode.DebugConfiguration[] = BOARD_CATALOG.map((b) => ({ ...b.launch.config }) as vscode.DebugConfiguration);
export const DEMO_CONFIG: vscode.DebugConfiguration = BOARD_CONFIGS.find((c) => c['board'] === 'demo')!;
export const MALTA_CONFIG: vscode.DebugConfiguration = BOARD_CONFIGS.find((c) => c['board'] === 'malta')!;

/** Path of the bundled debug adapter inside an installed extension. */
export function adapterScriptPath(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'adapter.js');
}

/** Starts `dist/adapter.js` with the extension host's Node; attach connects to a server. */
export class Mips64AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionPath: string) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const c = session.configuration;
    if (c.request === 'attach') {
      // Validated (and probed) by Mips64ConfigProvider before VS Code gets here.
      const t = attachTarget(c);
      if (typeof t === 'string') throw new Error(t);
      return new vscode.DebugAdapterServer(t.port, t.host);
    }
    // (V8's thread pool sized to leave the guest a core: src/cli/node-flags.ts.)
    const detailed = vscode.workspace.getConfiguration('mips64').get<string>('debug.exceptionFilters', 'grouped') === 'detailed';
    const args = [...engineNodeFlags(), adapterScriptPath(this.extensionPath), ...(detailed ? ['--exception-filters=detailed'] : [])];
    return new vscode.DebugAdapterExecutable(process.execPath, args, {
      env: { ...RUN_AS_NODE_ENV },
      cwd: session.workspaceFolder?.uri.fsPath,
    });
  }
}

/** Kernel, initrd and command line of a fetched guest (`mips64 guest path` output). */
export interface GuestPaths {
  kernel: string;
  initrd: string;
  append: string;
  /** The kernel's unstripped vmlinux, when its debug symbols were fetched. */
  vmlinux?: string;
}

/** Parses the `key<TAB>value` lines printed by `mips64 guest fetch|path`. */
export function parseGuestPaths(stdout: string): GuestPaths | undefined {
  const map = new Map<string, string>();
  for (const line of stdout.split(/\r?\n/)) {
    const tab = line.indexOf('\t');
    if (tab > 0) map.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const kernel = map.get('kernel');
  const initrd = map.get('initrd');
  if (!kernel || !initrd) return undefined;
  const vmlinux = map.get('vmlinux');
  return { kernel, initrd, append: map.get('append') ?? 'console=ttyS0', ...(vmlinux ? { vmlinux } : {}) };
}

/** F5 on an assembly file (asm-launch.ts): its configuration, and the check before launching it. */
export interface AsmLaunch {
  /** The configuration for the active editor's assembly file, if it shows one. */
  activeConfig(noDebug: boolean): vscode.DebugConfiguration | undefined;
  /** Assembles `program` for `cpu`: false (errors shown) refuses the launch. */
  check(program: string, cpu: string | undefined): Promise<boolean>;
}

export interface ProviderDeps {
  readonly extensionPath: string;
  readonly log?: vscode.LogOutputChannel;
  readonly asm?: AsmLaunch;
}

export class Mips64ConfigProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly deps: ProviderDeps) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return BOARD_CONFIGS.map((c) => ({ ...c }));
  }

  /** Fills defaults; F5 without a launch.json (empty configuration) asks which guest to boot. */
  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    let c: vscode.DebugConfiguration = { ...config };
    if (!c.type && !c.request && !c.name) {
      // F5 in an assembly file: debug (or run) that file on the demo board.
      const asm = this.deps.asm?.activeConfig(c['noDebug'] === true);
      if (asm) return fillDefaults(asm, folder);
      const picked = await vscode.window.showQuickPick(
        BOARD_CATALOG.map((b) => ({
          label: String(b.launch.config['name']),
          description: b.guest ? `${b.description}; Debian mips64el kernel + busybox initrd (downloaded on first use)` : 'small built-in program, stops on entry',
          config: b.launch.config as vscode.DebugConfiguration,
        })),
        { title: 'MIPS64: what should be booted?', placeHolder: 'Select a guest to boot' },
      );
      if (!picked) return undefined;
      c = { ...picked.config };
    }
    return fillDefaults(c, folder);
  }

  /** After ${variables} are substituted: absolute checkpointDir, and the board's Debian guest when no kernel is given. */
  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    const c: vscode.DebugConfiguration = { ...config };
    if (c.request === 'attach') return this.checkAttach(c);
    if (c.request !== 'launch') return c;
    if (typeof c['program'] === 'string' && this.deps.asm && !(await this.deps.asm.check(c['program'], c['cpu']))) return undefined;
    if (typeof c['checkpointDir'] === 'string' && c['checkpointDir'] !== '' && !path.isAbsolute(c['checkpointDir'])) {
      const base = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (base) c['checkpointDir'] = path.join(base, c['checkpointDir']);
    }
    const guestName = boardInfo(String(c['board']))?.guest;
    if (guestName && !c['kernel']) {
      const guest = await this.guest(guestName);
      if (!guest) return undefined;
      c['kernel'] = guest.kernel;
      c['initrd'] ??= guest.initrd;
      c['append'] ??= guest.append;
      // Its unstripped vmlinux (MIPS64: Fetch Kernel Debug Symbols), unless the configuration names symbol files.
      if (guest.vmlinux && c['symbols'] === undefined && vscode.workspace.getConfiguration('mips64').get<boolean>('kernelDebugSymbols', true)) {
        c['symbols'] = [{ path: guest.vmlinux }];
      }
    }
    return c;
  }

  /** Attach: a usable port/host where a debug server answers, else an error message and no session. */
  private async checkAttach(c: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    const t = attachTarget(c);
    const problem = typeof t === 'string' ? t : await probeDebugServer(t);
    if (problem === undefined) return c;
    void vscode.window.showErrorMessage(`MIPS64: cannot attach: ${problem}`);
    return undefined;
  }

  /** A cached Debian guest (debian-malta by default), fetched first (with a progress notification) if needed. */
  async guest(name = DEBIAN_MALTA): Promise<GuestPaths | undefined> {
    const board = BOARD_CATALOG.find((b) => b.guest === name)?.name ?? name;
    const what = `the Debian ${board.charAt(0).toUpperCase()}${board.slice(1)} guest`;
    const cached = await this.cli(['guest', 'path', name]);
    if (cached.code === 0) {
      const p = parseGuestPaths(cached.stdout);
      if (p) return p;
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MIPS64: fetching ${what} (first use)…`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          progress.report({ message: 'downloading the kernel and busybox packages from Debian' });
          const fetched = await this.cli(['guest', 'fetch', name], abort.signal);
          if (fetched.stderr) this.deps.log?.info(fetched.stderr.trimEnd());
          if (fetched.code !== 0) {
            void vscode.window.showErrorMessage(`MIPS64: could not fetch ${what}: ${stderrTail(fetched.stderr) || `exit code ${fetched.code ?? fetched.signal}`}`);
            return undefined;
          }
          const r = await this.cli(['guest', 'path', name], abort.signal);
          const p = r.code === 0 ? parseGuestPaths(r.stdout) : undefined;
          if (!p) void vscode.window.showErrorMessage(`MIPS64: ${what} is not usable: ${stderrTail(r.stderr) || 'no kernel/initrd paths'}`);
          return p;
        } catch (e) {
          if (!abort.signal.aborted) void vscode.window.showErrorMessage(`MIPS64: could not fetch ${what}: ${String(e)}`);
          return undefined;
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /** Runs the bundled CLI with the guest cache of the mips64.guestCacheDir setting. */
  cli(args: string[], signal?: AbortSignal, onStderr?: (text: string) => void): ReturnType<typeof runCli> {
    this.deps.log?.info(`running mips64 ${args.join(' ')}`);
    const cacheDir = vscode.workspace.getConfiguration('mips64').get<string>('guestCacheDir', '');
    return runCli({
      execPath: process.execPath,
      cliScript: cliScriptPath(this.deps.extensionPath),
      args,
      env: { ...RUN_AS_NODE_ENV, ...(cacheDir ? { MIPS64_STUDIO_CACHE: cacheDir } : {}) },
      signal,
      onStderr,
    });
  }
}

/** Defaults of a launch configuration (settings-derived values only where the configuration has none). */
export function fillDefaults(config: vscode.DebugConfiguration, _folder?: vscode.WorkspaceFolder): vscode.DebugConfiguration {
  const c: vscode.DebugConfiguration = { ...config };
  c.type ||= DEBUG_TYPE;
  c.request ||= 'launch';
  const settings = vscode.workspace.getConfiguration('mips64');
  if (c.request !== 'launch') {
    c.name ||= 'Attach to MIPS64';
    c['uartOutput'] ??= settings.get<boolean>('console.alsoInDebugConsole', false) ? 'both' : 'event';
    return c;
  }
  c['board'] ??= c['kernel'] ? 'malta' : 'demo';
  const board = boardInfo(String(c['board']));
  c.name ||= String(board?.launch.config['name'] ?? MALTA_CONFIG.name);
  c['memory'] ??= board?.memoryMiB.default ?? 256;
  c['engine'] ??= settings.get<string>('engine', 'jit');
  c['stopOnEntry'] ??= false;
  c['uartOutput'] ??= settings.get<boolean>('console.alsoInDebugConsole', false) ? 'both' : 'event';
  c['checkpointMemoryMiB'] ??= settings.get<number>('checkpoints.memoryBudgetMiB', 512);
  c['instantBoot'] ??= settings.get<boolean>('instantBoot', true);
  const cache = settings.get<string>('guestCacheDir', '');
  if (cache) c['cacheDir'] ??= cache;
  return c;
}
