// `mips64 boot --restore FILE` with nothing else recreates the machine the checkpoint
// records, and a guest reset afterwards boots from the recorded image again (found at
// its path, SHA-256 checked) — or, when that image is gone, stops with exit 4 and says
// which image is missing. A machine given on the command line that differs from the
// checkpoint's (here: another program image) is refused, naming the difference.
// The guest (test/fixtures/guests/reset-count.s) counts its boots in RAM a reset keeps.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, ROOT, tempDir } from './support.js';

before(() => ensureBuilt());

test('boot --restore FILE alone: the recorded machine; a reset uses the recorded image, or stops saying it is missing', () => {
  const cwd = tempDir('mips64-restore-alone-');
  try {
    const prog = join(cwd, 'reset-count.elf');
    const asm = cli(['asm', join(ROOT, 'test', 'fixtures', 'guests', 'reset-count.s'), '-o', prog, '--origin', '0xffffffff80100000']);
    assert.equal(asm.code, 0, asm.stderr);
    // Checkpoints every 100,000 instructions while the guest spins and polls for 'r'.
    const first = cli(['boot', prog, '--checkpoint-every', '100000', '--idle-exit', '0'], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(first.code, 42, first.stderr);
    assert.equal(first.stdout, '1\n2\n');
    const dir = join(cwd, '.mips64', 'checkpoints');
    const files = readdirSync(dir).filter((f) => f.endsWith('.m64cp')).sort();
    assert.ok(files.length >= 3, files.join(' '));
    const second = join(dir, files[1]!);

    // The file alone: the guest continues, reads 'r', resets (the recorded program boots
    // again) and its second boot exits 42.
    const a = cli(['boot', '--restore', second], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(a.code, 42, a.stderr);
    assert.equal(a.stdout, '2\n');
    assert.doesNotMatch(a.stderr, /reset would stop/);

    // Another program on the command line is another machine.
    const other = cli(['boot', join(ROOT, 'dist', 'guests', 'demo.elf'), '--restore', second], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /^mips64: cannot restore .*differs in program image \(program .*reset-count\.elf \(SHA-256 [0-9a-f]{12}…, \d+ bytes\) in the checkpoint, program .*demo\.elf/m);

    // The image changed: the guest still runs from the checkpoint; its reset stops the
    // machine with exit 4, naming the image.
    writeFileSync(prog, 'not the program any more');
    const b = cli(['boot', '--restore', second], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(b.code, 4, b.stderr);
    assert.equal(b.stdout, '');
    assert.match(b.stderr, /a guest reset would stop it: the program .*reset-count\.elf \(SHA-256 [0-9a-f]{12}…, \d+ bytes\) has changed/);
    assert.match(b.stderr, /warning: the guest reset the machine, which boots again from its images, but the program .*reset-count\.elf .* has changed .*: machine stopped/);
    rmSync(prog);
    const c = cli(['boot', '--restore', second], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(c.code, 4, c.stderr);
    assert.match(c.stderr, /the program .*reset-count\.elf .* cannot be read \(.*reset-count\.elf: No such file/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('boot --exact-tlb: recorded in the checkpoint, recreated by --restore alone, a default machine refused', () => {
  const cwd = tempDir('mips64-exact-tlb-');
  try {
    const prog = join(cwd, 'reset-count.elf');
    assert.equal(cli(['asm', join(ROOT, 'test', 'fixtures', 'guests', 'reset-count.s'), '-o', prog, '--origin', '0xffffffff80100000']).code, 0);
    const first = cli(['boot', prog, '--exact-tlb', '--checkpoint-every', '100000', '--idle-exit', '0'], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(first.code, 42, first.stderr);
    const dir = join(cwd, '.mips64', 'checkpoints');
    const file = join(dir, readdirSync(dir).filter((f) => f.endsWith('.m64cp')).sort()[1]!);
    const info = cli(['checkpoint', 'info', file], { cwd });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^machine {5}demo board, .*, exact TLB$/m);
    // The file alone recreates the exact-TLB machine: the guest continues and exits 42.
    const a = cli(['boot', '--restore', file], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(a.code, 42, a.stderr);
    // A command line without --exact-tlb describes another machine.
    const b = cli(['boot', prog, '--restore', file], { cwd, input: 'r', timeoutMs: 60_000 });
    assert.equal(b.code, 2);
    assert.match(b.stderr, /differs in TLB \(exact in the checkpoint, with victim entries here\)/);
    assert.equal(cli(['boot', prog, '--exact-tlb', '--restore', file], { cwd, input: 'r', timeoutMs: 60_000 }).code, 42);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
