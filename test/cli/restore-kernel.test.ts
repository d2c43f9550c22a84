// `mips64 boot --kernel K --restore F` without --initrd or --append: the checkpoint's
// kernel command line and initrd (read again from its recorded path, SHA-256 checked, for
// a later reset) complete the machine; an initrd no longer at its path only makes a
// reset stop, said at once. (The demo program boots on Malta as a "kernel": it prints its
// banner on the serial console, then idles: with no input, each run ends with exit 2.)
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, ROOT, tempDir } from './support.js';

before(() => ensureBuilt());

test('boot --kernel K --restore F: the recorded initrd and command line complete the machine', () => {
  const cwd = tempDir('mips64-restore-kernel-');
  try {
    const kernel = join(ROOT, 'dist', 'guests', 'demo.elf');
    const initrd = join(cwd, 'initrd.img');
    writeFileSync(initrd, Buffer.alloc(4096, 0x5a));
    const first = cli(['boot', '--board', 'malta', '--kernel', kernel, '--initrd', initrd, '--append', 'console=ttyS0 quiet',
      '--checkpoint-every', '2000', '--idle-exit', '0'], { cwd, input: '', timeoutMs: 60_000 });
    assert.match(first.stdout, /MIPS64 Studio demo guest/, first.stderr);
    const dir = join(cwd, '.mips64', 'checkpoints');
    const files = readdirSync(dir).filter((f) => f.endsWith('.m64cp')).sort();
    assert.ok(files.length >= 1, first.stderr);
    const ckpt = join(dir, files[files.length - 1]!);

    const a = cli(['boot', '--board', 'malta', '--kernel', kernel, '--restore', ckpt, '--idle-exit', '0'], { cwd, input: '', timeoutMs: 60_000 });
    assert.equal(a.code, 2, a.stderr);
    assert.match(a.stderr, /restored checkpoint/);
    assert.doesNotMatch(a.stderr, /cannot restore|reset would stop/);

    // Another command line is still another machine.
    const other = cli(['boot', '--board', 'malta', '--kernel', kernel, '--append', 'console=ttyS0', '--restore', ckpt, '--idle-exit', '0'], { cwd, input: '', timeoutMs: 60_000 });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /^mips64: cannot restore .*differs in append/m);

    // The initrd gone: the guest runs from the checkpoint; a reset would stop, and it says so.
    rmSync(initrd);
    const b = cli(['boot', '--board', 'malta', '--kernel', kernel, '--restore', ckpt, '--idle-exit', '0'], { cwd, input: '', timeoutMs: 60_000 });
    assert.equal(b.code, 2, b.stderr);
    assert.match(b.stderr, /restored checkpoint/);
    assert.match(b.stderr, /a guest reset would stop it: the initrd .*initrd\.img .* cannot be read .*\(--initrd gives it\)/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
