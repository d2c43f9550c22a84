// End to end through dist/cli.js: `mips64 boot --checkpoint-every N` writes checkpoints
// under .mips64/checkpoints of the current directory, `mips64 checkpoint list/verify`
// sees them, `mips64 boot --restore FILE` continues from one (same console output for
// the same input), and a damaged file is refused with one line and exit 2.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertCleanStderr, cli, ensureBuilt, tempDir } from './support.js';

before(() => ensureBuilt());

test('boot --checkpoint-every, checkpoint list/verify, boot --restore', () => {
  const cwd = tempDir('mips64-ckpt-cli-');
  try {
    // Piped input: typed at once, then the guest idles until it quits.
    // (The interval counts executed instructions: the idle demo executes ~3,000 per second of guest time.)
    const r = cli(['boot', '--checkpoint-every', '20k', '--warp'], { cwd, input: 'abc' });
    assert.equal(assertCleanStderr(r.stderr), undefined);
    assert.match(r.stderr, /checkpoint \S+ \(full, \d+ pages, \d+ KiB\) at instruction \d+\n/);
    assert.match(r.stderr, /checkpoint \S+ \(incremental, \d+ pages, \d+ KiB\) at instruction \d+\n/);
    const dir = join(cwd, '.mips64', 'checkpoints');
    const files = readdirSync(dir).filter((f) => f.endsWith('.m64cp')).sort();
    assert.ok(files.length >= 3, files.join(' '));
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary files');
    const list = cli(['checkpoint', 'list'], { cwd });
    assert.equal(list.code, 0);
    assert.match(list.stdout, new RegExp(`^${files.length} checkpoints in `));
    const third = join(dir, files[2]!);
    assert.equal(cli(['checkpoint', 'verify', third], { cwd }).code, 0);

    // Restore the third and type 't' then 'q': the guest continues (tick count, bye, exit 0).
    const a = cli(['boot', '--restore', third], { cwd, input: 'tq' });
    assert.equal(a.code, 0, a.stderr);
    const at = /every-20000@(\d+)/.exec(readFileSync(third, 'latin1'))?.[1];
    assert.match(a.stderr, new RegExp(`restored checkpoint 'every-20000@${at}' .* at instruction ${at}`));
    assert.match(a.stdout, /timer ticks: 0x[0-9a-f]{8}/);
    assert.match(a.stdout, /bye/);
    // Deterministic: the same again gives the same output.
    const b = cli(['boot', '--restore', third], { cwd, input: 'tq' });
    assert.equal(b.stdout, a.stdout);

    // A damaged parent: refused in one line, exit 2, before the guest runs.
    const first = join(dir, files[0]!);
    const bytes = readFileSync(first);
    bytes[200] ^= 0x40;
    writeFileSync(first, bytes);
    const bad = cli(['boot', '--restore', third], { cwd, input: 'q' });
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^mips64: cannot restore .*: section HEAD at offset 12 is damaged \(its SHA-256 does not match its contents\)\n$/);
    const v = cli(['checkpoint', 'verify', third], { cwd });
    assert.equal(v.code, 2);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
