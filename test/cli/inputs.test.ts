// Inputs the CLI must not trust: every file it reads is refused at once with one line when
// it is not a regular file (/dev/zero, a FIFO with no writer, a directory) or is larger
// than that kind of input may be (a sparse 2 GiB "ELF"); before, `disasm /dev/zero` and
// `--kernel /dev/zero` grew to 2.4 GB until killed. And names that come from files
// (checkpoint names, ELF symbol names, assembler source) are printed terminal-safe: a
// newline or ESC [ 2 J in them shows as an escape, never forges a line or clears the screen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { printable } from '../../src/cli/printable';
import { assertCleanStderr, cli, ensureBuilt, ROOT, tempDir } from './support';
import { hashed } from '../support/hashes';

let dir = '';
before(() => { ensureBuilt(); dir = tempDir('mips64-inputs-'); });
after(() => rmSync(dir, { recursive: true, force: true }));

const DEMO_ELF = join(ROOT, 'dist', 'guests', 'demo.elf');
/** Generous: a run that would read /dev/zero forever is killed and fails the test. */
const HANG = { timeoutMs: 60_000 };

function oneLine(args: string[], want: RegExp): void {
  const r = cli(args, { ...HANG, input: '' });
  assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  assert.equal(assertCleanStderr(r.stderr), undefined);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `${args.join(' ')}:\n${r.stderr}`);
  assert.match(lines[0]!, want, args.join(' '));
}

test('character devices, FIFOs and oversized files are refused before they are read', () => {
  const zero = /^mips64: \/dev\/zero: a character device, not a regular file \(the (ELF file|kernel|initrd|source file|checkpoint|program) must be one\)$/;
  oneLine(['disasm', '/dev/zero'], zero);
  oneLine(['disasm', '--raw', '/dev/zero'], /\/dev\/zero: a character device, not a regular file \(the binary must be one\)/);
  oneLine(['boot', '--kernel', '/dev/zero'], zero);
  oneLine(['boot', '/dev/zero'], zero);
  oneLine(['boot', '--kernel', DEMO_ELF, '--initrd', '/dev/zero'], zero);
  oneLine(['asm', '/dev/zero', '-o', join(dir, 'out.elf')], zero);
  oneLine(['checkpoint', 'info', '/dev/zero'], zero);
  const v = cli(['checkpoint', 'verify', '/dev/zero'], HANG);
  assert.equal(v.code, 2);
  assert.equal(v.stdout, '/dev/zero: BAD: /dev/zero: a character device, not a regular file (the checkpoint must be one)\n');
  oneLine(['boot', '--restore', '/dev/zero'], /\/dev\/zero: .*not a regular file/);
  const fifo = join(dir, 'fifo');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status === 0) {
    oneLine(['disasm', fifo], /fifo: a pipe, not a regular file/);
    oneLine(['boot', '--kernel', fifo], /fifo: a pipe, not a regular file/);
    oneLine(['checkpoint', 'info', fifo], /fifo: a pipe, not a regular file/);
  }
  // Sparse files: their size is what matters, nothing is read.
  const big = join(dir, 'big.elf');
  const fd = openSync(big, 'w');
  closeSync(fd);
  spawnSync('truncate', ['-s', '2G', big]);
  oneLine(['disasm', big], /big\.elf: 2\.0 GiB, larger than the 1\.0 GiB accepted for the ELF file$/);
  oneLine(['boot', '--kernel', DEMO_ELF, '--initrd', big], /big\.elf: 2\.0 GiB, larger than the 256\.0 MiB accepted for the initrd$/);
  oneLine(['asm', big, '-o', join(dir, 'o.elf')], /larger than the 64\.0 MiB accepted for the source file$/);
});

test('printable: control characters, bidi overrides and lone surrogates become escapes', () => {
  assert.equal(printable('a\nb\x1b[2J\tc\x7f\u009b\u202e\ud800z'), 'a\\nb\\x1b[2J\\tc\\x7f\\x9b\\u202e\\ud800z');
  assert.equal(printable('plain ünïcode 😀 name'), 'plain ünïcode 😀 name');
});

test('checkpoint list/info print names from files terminal-safe', () => {
  const ckdir = join(dir, 'ck');
  const { machine, board } = hashed(createDemoMachine({ memoryMiB: 16 }));
  board.boot(new Uint8Array(readFileSync(DEMO_ELF)));
  machine.run(10_000);
  const forged = 'evil\nFAKE  full  insn 1  0 KiB  forged-entry\x1b[2J';
  const enc = captureCheckpoint(machine, { kind: 'full', name: forged, id: 'evil-1' });
  spawnSync('mkdir', ['-p', ckdir]);
  writeFileSync(join(ckdir, 'evil-1.m64cp'), enc.bytes);
  const list = cli(['checkpoint', 'list', '--checkpoint-dir', ckdir]);
  assert.equal(list.code, 0, list.stderr);
  assert.doesNotMatch(list.stdout, /\x1b/);
  const lines = list.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 2, list.stdout); // the count line and one entry: no forged entry
  assert.match(lines[1]!, /evil\\nFAKE .*forged-entry\\x1b\[2J$/);
  const info = cli(['checkpoint', 'info', 'evil-1', '--checkpoint-dir', ckdir]);
  assert.equal(info.code, 0, info.stderr);
  assert.doesNotMatch(info.stdout, /\x1b/);
  assert.match(info.stdout, /^checkpoint  evil\\nFAKE .*\\x1b\[2J \(evil-1\)$/m);
});

test('disassembly and assembler messages print names from files terminal-safe', () => {
  // The demo's symbol `puts` renamed to ESC [ 2 J (same length) in its string table.
  const elf = Buffer.from(readFileSync(DEMO_ELF));
  const at = elf.indexOf('\0puts\0');
  assert.ok(at > 0);
  elf.write('\x1b[2J', at + 1, 'latin1');
  const f = join(dir, 'esc.elf');
  writeFileSync(f, elf);
  const r = cli(['disasm', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b/);
  assert.match(r.stdout, /<\\x1b\[2J>:\n/);
  const src = join(dir, 'esc.s');
  writeFileSync(src, 'start:\n\tfrob\x1b[2J $2\n');
  const a = cli(['asm', src, '-o', join(dir, 'esc.o')]);
  assert.equal(a.code, 2);
  assert.doesNotMatch(a.stderr, /\x1b/);
  assert.match(a.stderr, /unknown instruction 'frob\\x1b\[2j'/);
});
