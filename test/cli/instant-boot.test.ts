// Instant boots of `mips64 boot` on Debian's 5kc-malta kernel: a cold boot without input
// saves the boot at the shell in the cache directory; the next boot of the same kernel,
// initrd, command line and machine starts there (the console shows the saved output, a
// note says so) and runs commands; another command line boots cold; a damaged cached
// checkpoint is reported and the machine boots cold instead.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt, tempDir } from './support.js';
import { fetchDebianMalta } from '../../src/cli/guest/debian-guests.js';

let guest: { kernel: string; initrd: string } | undefined;
let skip: string | false = false;
before(async () => {
  ensureBuilt();
  try {
    const g = await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
    guest = { kernel: g.kernel, initrd: g.initrd };
  } catch (e) {
    skip = `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
  }
});

function boot(cache: string, input: string, extra: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'boot', '--board', 'malta', '--kernel', guest!.kernel, '--initrd', guest!.initrd, '--idle-exit', '1', ...extra], {
    cwd: ROOT, encoding: 'utf8', input, timeout: 600_000, killSignal: 'SIGKILL', maxBuffer: 1 << 28,
    env: { ...process.env, MIPS64_STUDIO_CACHE: cache },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('instant boot: saved at the shell on a cold boot, started from there next time; another command line and a damaged file boot cold', { timeout: 1_200_000 }, (t) => {
  if (skip) { t.skip(skip); return; }
  const cache = tempDir('mips64-instant-');
  const cold = boot(cache, '');
  assert.match(cold.stderr, /saved this boot at the shell \(instruction \d+\)/);
  const files = readdirSync(join(cache, 'boots')).sort();
  assert.equal(files.length, 2);
  assert.match(files[0], /^[0-9a-f]{32}\.ckpt$/);

  const cmd = 'echo hi-$((6*7))\npoweroff -f\n';
  const hot = boot(cache, cmd);
  assert.equal(hot.code, 0, hot.stderr);
  assert.match(hot.stderr, /instant boot: started from the cached boot at the shell \(instruction \d+, restored in \d+ ms\)/);
  assert.match(hot.stdout, /Linux version 6\.\d+/, 'the saved console output is shown');
  assert.match(hot.stdout, /hi-42/);
  assert.match(hot.stdout, /reboot: Power down/);

  // Another command line is another configuration: cold (and typed input: nothing saved).
  const other = boot(cache, cmd, ['--append', 'console=ttyS0 quiet']);
  assert.doesNotMatch(other.stderr, /instant boot/);
  assert.match(other.stdout, /hi-42/);
  assert.equal(readdirSync(join(cache, 'boots')).length, 2);

  // A damaged cached checkpoint: reported, removed, cold boot.
  const ckpt = join(cache, 'boots', files[0]);
  const bytes = readFileSync(ckpt);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(ckpt, bytes);
  const damaged = boot(cache, cmd);
  assert.match(damaged.stderr, /the cached boot checkpoint .* cannot be used \(.*damaged.*\): booting cold/);
  assert.doesNotMatch(damaged.stderr, /instant boot: started/);
  assert.match(damaged.stdout, /hi-42/);
});
