// Error handling of the `mips64` CLI: usage errors (usage line, exit 2), bad input files
// (non-ELF, truncated, missing, directories, non-MIPS), assembler errors (one
// `file:line:col: error: message` line each), help and version, and a fuzzer of broken
// ELF files: every run ends with exit 0 or 2, at most one stderr line, never an internal
// error or a stack trace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli';
import { writeElf } from '../../src/emulator/loader/elf-writer';
import { ROOT, assertCleanStderr, cli, ensureBuilt, tempDir, type RunResult } from './support';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function expectFailure(r: RunResult, lines: Array<string | RegExp>): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  assert.equal(assertCleanStderr(r.stderr), undefined);
  const got = r.stderr.replace(/\n$/, '').split('\n');
  assert.equal(got.length, lines.length, `stderr lines:\n${r.stderr}`);
  lines.forEach((l, i) => (typeof l === 'string' ? assert.equal(got[i], l) : assert.match(got[i]!, l)));
}

/** A small valid MIPS ELF64 executable. */
function smallElf(): Uint8Array {
  const text = new Uint8Array(64);
  const v = new DataView(text.buffer);
  for (let i = 0; i < 16; i++) v.setUint32(i * 4, [0x27bdfff0, 0xffbf0008, 0x0c000000 | i, 0x00000000][i % 4]!, true);
  return writeElf({
    class: 64, endian: 'little', entry: 0x120000000n, flags: 0x80000000,
    sections: [{ name: '.text', flags: 6, addr: 0x120000000n, bytes: text }],
    symbols: [{ name: 'main', value: 0x120000000n, section: '.text', type: 'func', size: 64 }, { name: 'loop', value: 0x120000020n, section: '.text' }],
  });
}

describe('mips64 CLI errors', () => {
  let dir = '';
  before(() => {
    ensureBuilt();
    dir = tempDir('mips64-cli-errors-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const USAGE_MAIN = /^usage: mips64 <command> \[options\]/;
  const USAGE_DISASM = /^usage: mips64 disasm FILE /;
  const USAGE_ASM = /^usage: mips64 asm IN\.s -o OUT /;

  test('usage errors: exit 2, the message and the usage line', () => {
    expectFailure(cli(['frobnicate']), ["mips64: unknown command 'frobnicate'", USAGE_MAIN]);
    expectFailure(cli(['--frob']), ["mips64: unknown option '--frob'", USAGE_MAIN]);
    expectFailure(cli(['disasm', '--bogus', 'x']), ["mips64: unknown option '--bogus'", USAGE_DISASM]);
    expectFailure(cli(['disasm', '-X', 'x']), ["mips64: unknown option '-X'", USAGE_DISASM]);
    expectFailure(cli(['disasm']), ['mips64: missing FILE', USAGE_DISASM]);
    expectFailure(cli(['disasm', 'a', 'b']), ["mips64: unexpected argument 'b'", USAGE_DISASM]);
    expectFailure(cli(['disasm', '--model', 'z80', 'f']), [/^mips64: unknown model 'z80' \(expected one of 5KEc, mips64r2/, USAGE_DISASM]);
    expectFailure(cli(['disasm', '--start', 'zz', 'f']), [/^mips64: invalid start address 'zz'/, USAGE_DISASM]);
    expectFailure(cli(['disasm', '--model']), [/^mips64: option '--model' needs a value/, USAGE_DISASM]);
    expectFailure(cli(['disasm', '--no-aliases=yes', 'f']), ["mips64: option '--no-aliases' takes no value", USAGE_DISASM]);
    expectFailure(cli(['disasm', '--base', '0x100', 'f']), [/^mips64: --base, -EB and -EL apply to raw binaries only/, USAGE_DISASM]);
    expectFailure(cli(['asm', 'x.s']), ['mips64: missing -o OUT', USAGE_ASM]);
    expectFailure(cli(['asm', 'x.s', '-o', 'y', '--format', 'hex']), ["mips64: unknown format 'hex' (expected bin or elf)", USAGE_ASM]);
    expectFailure(cli(['asm', 'x.s', '-o']), [/^mips64: option '-o' needs a value/, USAGE_ASM]);
    expectFailure(cli(['help', 'nope']), ["mips64: unknown command 'nope'", USAGE_MAIN]);
  });

  test('no arguments: the help on stderr, exit 2', () => {
    const r = cli([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, USAGE_MAIN);
  });

  test('--version, --help, help CMD, CMD --help: exit 0 on stdout', () => {
    for (const args of [['--version'], ['-V']]) {
      const r = cli(args);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `mips64 ${VERSION}\n`);
      assert.equal(r.stderr, '');
    }
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = cli(args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, USAGE_MAIN);
      assert.match(r.stdout, /^ {2}disasm /m);
      assert.match(r.stdout, /^ {2}asm /m);
    }
    for (const [args, usage] of [[['help', 'disasm'], USAGE_DISASM], [['disasm', '--help'], USAGE_DISASM],
      [['help', 'asm'], USAGE_ASM], [['asm', '-h'], USAGE_ASM]] as const) {
      const r = cli([...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, usage);
      assert.match(r.stdout, /--help/);
    }
  });

  test('input files that are not (valid) MIPS ELF files', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, world\n');
    expectFailure(cli(['disasm', text]), [`mips64: ${text}: not an ELF file (bad magic)`]);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expectFailure(cli(['disasm', empty]), [`mips64: ${empty}: not an ELF file (bad magic)`]);
    const missing = join(dir, 'missing.elf');
    expectFailure(cli(['disasm', missing]), [`mips64: ${missing}: No such file or directory`]);
    expectFailure(cli(['disasm', dir]), [`mips64: ${dir}: Is a directory`]);
    const elf = smallElf();
    const trunc = join(dir, 'trunc.elf');
    writeFileSync(trunc, elf.subarray(0, 40));
    expectFailure(cli(['disasm', trunc]), [new RegExp(`^mips64: ${trunc.replace(/[.]/g, '\\.')}: truncated ELF: `)]);
    const trunc2 = join(dir, 'trunc2.elf');
    writeFileSync(trunc2, elf.subarray(0, elf.length - 100));
    expectFailure(cli(['disasm', trunc2]), [/^mips64: .*trunc2\.elf: (truncated|malformed) ELF/]);
    if (existsSync('/bin/ls') && readFileSync('/bin/ls').subarray(0, 4).toString('latin1') === '\x7fELF') {
      const r = cli(['disasm', '/bin/ls']);
      if (!/e_machine 8\)/.test(r.stderr)) expectFailure(r, [/^mips64: \/bin\/ls: not a MIPS ELF file \(e_machine \d+\)$/]);
    }
    expectFailure(cli(['asm', missing, '-o', join(dir, 'o')]), [`mips64: ${missing}: No such file or directory`]);
    const good = join(dir, 'good.elf');
    writeFileSync(good, elf);
    expectFailure(cli(['disasm', '--section', '.nosuch', good]), [`mips64: ${good}: no section named '.nosuch'`]);
    const ok = cli(['disasm', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /<main>:\n/);
    assert.match(ok.stdout, /jal\t120000008 <main\+0x8>/);
  });

  test('assembler errors: one file:line:col line each, exit 2', () => {
    const src = join(dir, 'errors.s');
    writeFileSync(src, [
      'start:', //                                   1
      '\tfrobnicate $2, $3', //                      2  unknown mnemonic
      '\taddu $2, $33, $4', //                       3  bad register
      '\taddiu $2, $3, 0x12345', //                  4  immediate out of range
      '\tlw $2, nowhere($sp)', //                    5  undefined symbol
      '\tbeq $2, $3, far', //                        6  branch out of range
      '\t.bogus 1', //                               7  bad directive
      '\t.ascii "no end', //                         8  unterminated string
      '\t.space 0x20000', //                         9
      'far:\tnop', //                                10
    ].join('\n') + '\n');
    const r = cli(['asm', src, '-o', join(dir, 'errors.elf')]);
    expectFailure(r, [
      `${src}:2:2: error: unknown instruction 'frobnicate'`,
      `${src}:3:11: error: expected a general register, got '$33'`,
      `${src}:4:16: error: signed 16-bit immediate 74565 out of range (-32768..32767)`,
      `${src}:5:9: error: undefined symbol 'nowhere'`,
      /:6:14: error: branch target 0x20018 out of range \(131076 bytes from the delay slot; a branch reaches -131072\.\.\+131068\)$/,
      `${src}:7:2: error: unknown directive '.bogus'`,
      `${src}:8:9: error: unterminated string (missing closing ")`,
    ]);
    assert.equal(existsSync(join(dir, 'errors.elf')), false, 'no output on failure');
  });

  test('broken ELF files never cause an internal error (40 mutants)', () => {
    const base = smallElf();
    let s = 0x5eed1234;
    const rnd = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
    const f = join(dir, 'mutant.elf');
    const codes = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      let m: Uint8Array;
      if (i < 10) m = base.subarray(0, rnd() % base.length);
      else {
        m = base.slice();
        for (let k = 0; k < 1 + (rnd() % 6); k++) {
          const at = i < 25 ? rnd() % 64 : rnd() % m.length; // the header, or anywhere
          m[at] = rnd() & 0xff;
        }
      }
      writeFileSync(f, m);
      const r = cli(['disasm', f]);
      codes.set(r.code ?? -1, (codes.get(r.code ?? -1) ?? 0) + 1);
      assert.ok(r.code === 0 || r.code === 2, `mutant ${i}: exit ${r.code}: ${r.stderr}`);
      assert.equal(assertCleanStderr(r.stderr), undefined, `mutant ${i}`);
      if (r.code === 2) assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, `mutant ${i}: ${r.stderr}`);
    }
    console.log(`exit codes of 40 mutants: ${[...codes].map(([c, n]) => `${c}×${n}`).join(', ')}`);
  });
});

describe('internal errors', () => {
  test('an unexpected exception is one "mips64: internal error" line and exit 70', async () => {
    const dir = tempDir('mips64-cli-internal-');
    try {
      const f = join(dir, 'x.elf');
      writeFileSync(f, smallElf());
      let stderr = '';
      const stdout = { write: (): boolean => { throw new TypeError('simulated failure\n    at somewhere (file.js:1:1)'); } };
      const io = { stdout: stdout as unknown as NodeJS.WritableStream, stderr: { write: (s: string) => { stderr += s; return true; } } as unknown as NodeJS.WritableStream };
      const code = await runCli(['disasm', f], io);
      assert.equal(code, 70);
      assert.equal(stderr, 'mips64: internal error: simulated failure\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
