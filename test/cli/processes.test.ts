// `mips64 boot` as a process: however the command ends — SIGKILL, SIGINT, SIGTERM, SIGHUP
// sent to its PID, with and without the re-executed child (MIPS64_STUDIO_NO_REEXEC),
// while it writes periodic checkpoints — no process of it is left running (the child has
// an IPC watchdog; before, kill -9 left the child running the guest and writing
// checkpoints, 11 of 11 tries, and SIGINT to the PID with piped stdin was ignored), and a
// caught signal exits 128 + N with no temporary file left behind. Ctrl-A x works on a
// pipe as on a terminal (QEMU's mux) and exits 0; temporary files that a killed run left
// in a checkpoint directory are removed by the next run there.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt, tempDir } from './support';

const LINUX = process.platform === 'linux' ? false : 'reads /proc';
const T = { timeout: 120_000, skip: LINUX };
const PROMPT = /Type something \('t' = ticks, 'q' = quit\):\r\n/;
const SIGNUM: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 };

before(() => ensureBuilt());

/** `node dist/cli.js boot …` with piped stdio. */
class Boot {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
    this.child = spawn(process.execPath, [CLI, 'boot', ...args], { cwd, env: { ...process.env, ...env } });
    this.child.stdout.on('data', (b: Buffer) => { this.stdout += b.toString('latin1'); });
    this.child.stderr.on('data', (b: Buffer) => { this.stderr += b.toString('latin1'); });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  async waitFor(re: RegExp, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!re.test(this.stdout + this.stderr)) {
      if (Date.now() > deadline || this.child.exitCode !== null) assert.fail(`waiting for ${re}\nstdout: ${JSON.stringify(this.stdout.slice(-400))}\nstderr: ${JSON.stringify(this.stderr)}`);
      await sleep(20);
    }
  }

  /** PIDs of this command's processes: itself and its descendants (Linux /proc). */
  tree(): number[] {
    const out: number[] = [];
    const todo = [this.child.pid!];
    while (todo.length) {
      const p = todo.pop()!;
      out.push(p);
      try {
        for (const t of readdirSync(`/proc/${p}/task`)) {
          todo.push(...readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
        }
      } catch { /* gone */ }
    }
    return out;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether a process exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits (bounded: a process left running fails the test) until none of `pids` runs. */
async function allGone(pids: number[], what: string): Promise<void> {
  for (let i = 0; i < 300 && pids.some(running); i++) await sleep(50);
  assert.deepEqual(pids.filter(running), [], `${what}: still running`);
}

for (const reexec of [true, false]) {
  for (const sig of ['SIGKILL', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const mode = reexec ? 're-executed child' : 'MIPS64_STUDIO_NO_REEXEC=1';
    test(`${sig} to the command (${mode}, piped stdin, checkpointing): nothing keeps running${sig === 'SIGKILL' ? '' : `, exit ${128 + SIGNUM[sig]!}, no temporary file left`}`, T, async () => {
      const dir = tempDir('mips64-proc-');
      try {
        // (--idle-exit: Node closes our end of its stdin when the command exits; the guest
        // must not stop by itself at that end of input while we watch for what keeps running.)
        const b = new Boot(['--checkpoint-every', '1000000', '--checkpoint-dir', dir, '--idle-exit', '3600'], reexec ? {} : { MIPS64_STUDIO_NO_REEXEC: '1' });
        await b.waitFor(PROMPT);
        // Periodic checkpoints are being written (the interval counts executed instructions:
        // the demo's boot executes ~4 M, a full and incrementals; idle, it executes little).
        await b.waitFor(/mips64: checkpoint \S+ \(incremental/);
        const pids = b.tree();
        assert.equal(pids.length, reexec ? 2 : 1, `processes: ${pids.join(' ')}`);
        b.child.kill(sig);
        const end = await b.exited;
        await allGone(pids, `${sig} (${mode})`);
        if (sig === 'SIGKILL') return;
        assert.equal(end.code, 128 + SIGNUM[sig]!, b.stderr);
        assert.match(b.stderr, new RegExp(`mips64: terminated by ${sig}`));
        assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

test('Ctrl-A x on piped stdin quits like QEMU: exit 0, the x never reaches the guest; C-a C-a sends one C-a', T, async () => {
  const b = new Boot([]);
  await b.waitFor(PROMPT);
  b.child.stdin.write('abc\r');
  await b.waitFor(/abc/);
  b.child.stdin.write('\x01\x01');
  await b.waitFor(/abc[\s\S]*\x01/); // the guest echoes the one C-a it received
  const mark = b.stdout.length;
  b.child.stdin.write('\x01x');
  const end = await b.exited;
  assert.equal(end.code, 0, b.stderr);
  assert.equal(b.stderr, 'mips64: terminated by C-a x\n');
  assert.doesNotMatch(b.stdout.slice(mark), /x/);
});

test('the next run in a checkpoint directory removes temporary files that killed runs left there', T, async () => {
  const dir = tempDir('mips64-stale-');
  try {
    // A process that has exited: its PID names a writer that is gone.
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const dead = Number(gone.stdout.trim());
    assert.equal(running(dead), false);
    const stale = `.every-1.m64cp.${dead}.0badf00d.tmp`;
    const live = `.every-2.m64cp.${process.pid}.0c0ffee0.tmp`; // a writer that still runs: kept
    const other = `.notes.txt.${dead}.12345678.tmp`; // not a checkpoint's: kept
    for (const f of [stale, live, other]) writeFileSync(join(dir, f), 'partial');
    const b = new Boot(['--checkpoint-every', '1000000', '--checkpoint-dir', dir]);
    await b.waitFor(PROMPT);
    b.child.stdin.write('q');
    assert.equal((await b.exited).code, 0, b.stderr);
    assert.match(b.stderr, /^mips64: removed 1 incomplete checkpoint file left in .* by an interrupted run$/m);
    assert.equal(existsSync(join(dir, stale)), false);
    assert.equal(existsSync(join(dir, live)), true);
    assert.equal(existsSync(join(dir, other)), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
