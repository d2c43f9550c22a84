// Helpers of the CLI tests: make sure dist/cli.js is built (once, and only when a source
// is newer than it — several test files may run at the same time), run it, run binutils,
// and compare listings line by line; run it in the background and wait for its output.
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const LE = 'mips64el-linux-gnuabi64';
export const BE = 'mips64-linux-gnuabi64';

function newestMtime(dir: string): number {
  let m = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    m = Math.max(m, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return m;
}

/** Builds dist/ with scripts/build.mjs unless dist/cli.js is newer than every source (src/, guests/) and dist/guests/ exists. */
export function ensureBuilt(): void {
  const lock = join(ROOT, 'out', '.cli-build.lock');
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // sleep 100 ms
    }
  }
  try {
    const src = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'guests')), statSync(join(ROOT, 'scripts', 'build.mjs')).mtimeMs);
    const guestsBuilt = existsSync(join(ROOT, 'dist', 'guests', 'demo.elf'));
    if (guestsBuilt && existsSync(CLI) && statSync(CLI).mtimeMs >= src) return;
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface RunResult { code: number | null; stdout: string; stderr: string }

/** Runs dist/cli.js; `timeoutMs` bounds a run that might hang (it is then killed: code null). */
export function cli(args: string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 1 << 30, input: opts.input, timeout: opts.timeoutMs, killSignal: 'SIGKILL' });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tool(cmd: string, args: string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function haveTool(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export function missingTools(...tools: string[]): string | false {
  const absent = tools.filter((t) => !haveTool(t));
  return absent.length ? `not installed: ${absent.join(', ')}` : false;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Collapses whitespace runs; lines compare equal when their non-blank text is equal. */
export const normalise = (line: string): string => line.replace(/\s+/g, ' ').trim();

export interface ListingComparison {
  total: number;
  equal: number;
  ratio: number;
  /** First differing lines, "N: objdump | ours". */
  diffs: string[];
}

export function compareListings(objdump: string, ours: string): ListingComparison {
  const a = objdump.split('\n'), b = ours.split('\n');
  const total = Math.max(a.length, b.length);
  let equal = 0;
  const diffs: string[] = [];
  for (let i = 0; i < total; i++) {
    if (a[i] !== undefined && b[i] !== undefined && normalise(a[i]!) === normalise(b[i]!)) equal++;
    else if (diffs.length < 25) diffs.push(`${i + 1}: objdump: ${JSON.stringify(a[i] ?? '<none>')}\n${' '.repeat(String(i + 1).length)}  ours:    ${JSON.stringify(b[i] ?? '<none>')}`);
  }
  return { total, equal, ratio: total === 0 ? 1 : equal / total, diffs };
}

/** No stack-trace lines ("    at f (file:1:2)") and no "internal error". */
export function assertCleanStderr(stderr: string): string | undefined {
  if (/^\s+at .+/m.test(stderr)) return `stack trace in stderr:\n${stderr}`;
  if (/internal error/.test(stderr)) return `internal error:\n${stderr}`;
  return undefined;
}

/** `mips64 ARGS` running in the background: its output so far, and a wait for something in it. */
export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Polls `probe` until it returns something (or fails the test with the output's tail after `ms`, or when the CLI exits). */
  waitFor<R>(probe: () => R | null | undefined | false, ms: number, what: string): Promise<R>;
}

export function spawnCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  let out = '', err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString('latin1'); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString('latin1'); });
  return {
    child, stdout: () => out, stderr: () => err,
    async waitFor<R>(probe: () => R | null | undefined | false, ms: number, what: string): Promise<R> {
      const deadline = Date.now() + ms;
      for (;;) {
        const r = probe();
        if (r) return r;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`${what}: timed out (exit ${child.exitCode})\nstdout: ${JSON.stringify(out.slice(-800))}\nstderr: ${JSON.stringify(err.slice(-800))}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
