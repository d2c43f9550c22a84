// Instant boot against QEMU on Debian's 5kc-malta guest: wall time from process start to the
// shell prompt on the console, `mips64 boot --board malta --kernel K --initrd I --append A`
// (dist/cli.js) started from its cached boot at the shell, against qemu-system-mips64el -M
// malta with the same kernel, initrd and command line, in interleaved rounds. The cache is a
// temporary directory filled by one cold boot first. Our process is then given
// `poweroff -f` and must exit 0 (the guest answered at that prompt).
// `node out/bench/instant-boot.bench.js [ROUNDS]` prints the figures (nothing is written).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchDebianMalta } from '../src/cli/guest/debian-guests';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PROMPT = 'mips64:/# ';
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

interface Run { promptMs: number; note: string }

/**
 * Starts `cmd`, resolves with the ms to the prompt; at the prompt the process is killed, or
 * `atPrompt` answers it and it must exit 0, or (`wait`: its input closed at once) it ends itself.
 */
function toPrompt(cmd: string, args: string[], env: NodeJS.ProcessEnv, atPrompt?: ((w: (s: string) => void) => void) | 'wait'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    if (atPrompt === 'wait') p.stdin.end();
    let out = '', err = '', promptMs = -1;
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`${cmd}: no prompt within 300 s; ${err.slice(-300)}`)); }, 300_000);
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString('latin1');
      if (promptMs < 0 && out.includes(PROMPT)) {
        promptMs = performance.now() - t0;
        if (typeof atPrompt === 'function') atPrompt((s) => p.stdin.write(s));
        else if (atPrompt === undefined) p.kill('SIGKILL');
      }
    });
    p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (promptMs < 0) { reject(new Error(`${cmd} exited (${signal ?? code}) before the prompt: ${err.slice(-300)}`)); return; }
      if (typeof atPrompt === 'function' && code !== 0) { reject(new Error(`${cmd} exited ${signal ?? code} after the prompt: ${err.slice(-300)}`)); return; }
      resolve({ promptMs, note: /instant boot: [^\n]*/.exec(err)?.[0] ?? /saved this boot[^\n]*/.exec(err)?.[0] ?? '' });
    });
  });
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const g = await fetchDebianMalta({ log: () => undefined });
  const cache = mkdtempSync(join(tmpdir(), 'mips64-instant-bench-'));
  try {
    const env = { ...process.env, MIPS64_STUDIO_CACHE: cache };
    const ours = (): Promise<Run> => toPrompt(process.execPath, [CLI, 'boot', '--board', 'malta', '--kernel', g.kernel, '--initrd', g.initrd, '--append', g.append], env,
      (w) => w('poweroff -f\n'));
    const qemu = (): Promise<Run> => toPrompt('qemu-system-mips64el', ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none', '-no-reboot',
      '-kernel', g.kernel, '-initrd', g.initrd, '-append', g.append], process.env);
    // The cold boot that fills the cache (its save point waits for the console to be quiet at the shell).
    const cold = await toPrompt(process.execPath, [CLI, 'boot', '--board', 'malta', '--kernel', g.kernel, '--initrd', g.initrd, '--append', g.append, '--idle-exit', '1'], env, 'wait');
    console.log(`cold boot to the prompt (fills the cache): ${cold.promptMs.toFixed(0)} ms; ${cold.note}`);
    const a: number[] = [], b: number[] = [];
    let note = '';
    for (let i = 0; i < rounds; i++) {
      const r = await ours();
      a.push(r.promptMs);
      note = r.note;
      b.push((await qemu()).promptMs);
    }
    const f = (xs: number[]): string => `median ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    console.log(`instant boot to the prompt (${rounds} interleaved rounds): ours ${f(a)} | QEMU ${f(b)}`);
    console.log(`last: ${note}`);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

void main().catch((e) => { console.error(e); process.exit(1); });
