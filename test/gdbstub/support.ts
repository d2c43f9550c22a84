// Helpers of the gdb stub tests: `mips64 boot … --gdb 0` as a child process (its port read
// from stderr, stdin kept open for the guest's console), and gdb-multiarch in batch mode
// running a command list against it.
import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { CLI, ROOT, ensureBuilt } from '../cli/support.js';

export const GDB = 'gdb-multiarch';

export class BootProc {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  gdbPort = 0;

  constructor(args: string[]) {
    ensureBuilt();
    this.child = spawn(process.execPath, [CLI, 'boot', ...args], { cwd: ROOT });
    this.child.stdout.on('data', (b: Buffer) => { this.stdout += b.toString('latin1'); });
    this.child.stderr.on('data', (b: Buffer) => { this.stderr += b.toString('latin1'); });
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Boots with `--gdb 0` and the extra arguments; resolves once the gdb port is known. */
  static async start(args: string[], ms = 60_000): Promise<BootProc> {
    const b = new BootProc([...args, '--gdb', '0']);
    const m = await b.waitFor(() => /gdb server listening on 127\.0\.0\.1:(\d+)/.exec(b.stderr), ms);
    b.gdbPort = Number(m[1]);
    return b;
  }

  async waitFor<R>(probe: () => R | null | undefined | false, ms = 30_000): Promise<R> {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = probe();
      if (r) return r;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        assert.fail(`timed out (exit ${this.child.exitCode})\nstdout: ${JSON.stringify(this.stdout.slice(-800))}\nstderr: ${JSON.stringify(this.stderr)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

export interface GdbRun {
  readonly code: number | null;
  readonly out: string;
}

/**
 * Runs gdb-multiarch in batch mode: `file` (when given), `target remote`, the commands.
 * `init`: commands before those (e.g. `set mips abi n64` without a file). `interruptWhen`:
 * sends gdb a SIGINT (Ctrl-C) once its output matches; `onOutput` sees the output so far.
 */
export function runGdb(port: number, commands: readonly string[], o: {
  file?: string; init?: readonly string[]; interruptWhen?: RegExp; onOutput?: (out: string) => void; timeoutMs?: number;
} = {}): Promise<GdbRun> {
  const args = ['-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set confirm off', '-ex', 'set width 0', '-ex', 'set remotetimeout 60'];
  for (const c of o.init ?? []) args.push('-ex', c);
  if (o.file) args.push('-ex', `file ${o.file}`);
  args.push('-ex', `target remote 127.0.0.1:${port}`);
  for (const c of commands) args.push('-ex', c);
  return new Promise((resolve) => {
    const g = spawn(GDB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let interrupted = false;
    // (Decoded per stream across chunks: a chunk may end inside a UTF-8 sequence, such as
    // the monitor's "→".)
    const onData = (text: string): void => {
      out += text;
      o.onOutput?.(out);
      if (o.interruptWhen && !interrupted && o.interruptWhen.test(out)) {
        interrupted = true;
        setTimeout(() => g.kill('SIGINT'), 300);
      }
    };
    g.stdout.setEncoding('utf8').on('data', onData);
    g.stderr.setEncoding('utf8').on('data', onData);
    const timer = setTimeout(() => g.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    g.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

/** The values gdb printed for `p/x …` commands, in order ($N = 0x…). */
export function printed(out: string): bigint[] {
  return [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+|\d+)$/gm)].map((m) => BigInt(m[1]!));
}

/**
 * The guest's own /proc/kallsyms addresses of the text symbols _stext and `fn`, typed at its
 * shell (root; kptr_restrict cleared first): the oracle for KASLR-moved kernel addresses.
 */
export async function guestKallsyms(b: BootProc, fn: string): Promise<{ stext: bigint; fn: bigint }> {
  b.child.stdin.write(`echo 0 > /proc/sys/kernel/kptr_restrict; grep -w -e _stext -e ${fn} /proc/kallsyms\n`);
  return b.waitFor(() => {
    const get = (name: string): bigint | undefined => {
      const m = new RegExp(`([0-9a-f]{16}) [Tt] ${name}\\b`).exec(b.stdout);
      return m ? BigInt(`0x${m[1]}`) : undefined;
    };
    const stext = get('_stext'), at = get(fn);
    return stext !== undefined && at !== undefined ? { stext, fn: at } : undefined;
  }, 300_000);
}
