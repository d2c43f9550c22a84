// `mips64 disasm` against GNU objdump -d, line by line (whitespace normalised; at least
// 99.9% of the lines must be equal, differences are printed): gcc-compiled objects and
// executables (n64 little/big-endian, n32, o32, Octeon II), the cross glibc when installed
// (hundreds of thousands of lines with versioned dynamic symbols), --no-aliases on an
// object, --start/--stop, --section, and raw binaries with --raw against
// `objdump -D -b binary -m mips:isa64r2 -M gpr-names=64`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BE, CLI, LE, ROOT, assertCleanStderr, cli, compareListings, ensureBuilt, missingTools, tempDir, tool } from './support';

const SAMPLE_C = `
struct rec { int a; double d; long long w; };
static int table[] = { 1, 2, 3, 5, 8, 13, 21, 34 };
int pick(int x) {
  switch (x) { case 0: return 3; case 1: return 7; case 2: return 11; case 3: return 13; case 4: return 17; default: return table[x & 7]; }
}
double weigh(struct rec *p, int n) { double t = 0; for (int i = 0; i < n; i++) t += p[i].d * p[i].a; return t; }
long long mix(long long a, long long b) { return (a ^ (b << 13)) + (a >> 7) * b - (long long)(unsigned)a; }
static int helper(int v) { return v * v + 1; }
int walk(int n) { int s = 0; while (n-- > 0) s += helper(n); return s; }
volatile long sink;
int main(int argc, char **argv) { sink = pick(argc) + (long)weigh(0, 0) + mix(argc, 3) + walk(argc); return argv[0][0]; }
`;

const MIN_RATIO = 0.999;
const skip = missingTools(`${LE}-gcc`, `${LE}-objdump`, `${BE}-gcc`, `${BE}-objdump`);

describe('mips64 disasm vs objdump -d', { skip }, () => {
  let dir = '';
  before(() => {
    ensureBuilt();
    dir = tempDir('mips64-cli-disasm-');
    writeFileSync(join(dir, 'sample.c'), SAMPLE_C);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function gcc(triple: string, out: string, args: string[]): string {
    const p = join(dir, out);
    const r = tool(`${triple}-gcc`, [...args, join(dir, 'sample.c'), '-o', p]);
    assert.equal(r.code, 0, r.stderr);
    return p;
  }

  function compare(triple: string, file: string, ourArgs: string[] = [], odArgs: string[] = [], label = file): void {
    const od = tool(`${triple}-objdump`, ['-d', ...odArgs, file]);
    assert.equal(od.code, 0, od.stderr);
    const t0 = performance.now();
    const ours = cli(['disasm', ...ourArgs, file]);
    const ms = performance.now() - t0;
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(assertCleanStderr(ours.stderr), undefined);
    const c = compareListings(od.stdout, ours.stdout);
    console.log(`${label}: ${c.equal}/${c.total} lines equal (${(100 * c.ratio).toFixed(3)}%), ${ms.toFixed(0)} ms`);
    if (c.diffs.length) console.log(c.diffs.join('\n'));
    assert.ok(c.total > 20, `listing too short (${c.total} lines)`);
    assert.ok(c.ratio >= MIN_RATIO, `only ${(100 * c.ratio).toFixed(3)}% of ${c.total} lines equal:\n${c.diffs.join('\n')}`);
  }

  test('gcc -O2 -c object, little-endian n64', () => compare(LE, gcc(LE, 'le.o', ['-O2', '-c']), [], [], 'le.o'));
  test('gcc -O2 -c object, big-endian n64', () => compare(BE, gcc(BE, 'be.o', ['-O2', '-c']), [], [], 'be.o'));
  test('gcc -O2 executable, little-endian n64 (dynamic, crt files, PLT stubs)', () => compare(LE, gcc(LE, 'le.elf', ['-O2']), [], [], 'le.elf'));
  test('gcc -O2 executable, big-endian n64', () => compare(BE, gcc(BE, 'be.elf', ['-O2']), [], [], 'be.elf'));
  test('gcc -O1 static executable in the kernel segment (64-bit addresses)', () => {
    const f = gcc(LE, 'kseg.elf', ['-O1', '-nostdlib', '-static', '-Wl,-e,main', '-Wl,-Ttext=0xffffffff80100000']);
    compare(LE, f, [], [], 'kseg.elf');
  });
  test('n32 object (ELF32, 64-bit ISA)', () => compare(LE, gcc(LE, 'n32.o', ['-O2', '-c', '-mabi=n32']), [], [], 'n32.o'));
  test('o32 object, big-endian (ELF32, o32 register names)', () => compare(BE, gcc(BE, 'o32.o', ['-O2', '-c', '-mabi=32']), [], [], 'o32.o'));
  test('Octeon II object (model chosen from the ELF flags)', () => {
    const src = join(ROOT, 'test', 'fixtures', 'octeon2-sample.c');
    const f = join(dir, 'oct2.o');
    const r = tool(`${LE}-gcc`, ['-march=octeon2', '-O2', '-c', existsSync(src) ? src : join(dir, 'sample.c'), '-o', f]);
    assert.equal(r.code, 0, r.stderr);
    compare(LE, f, [], [], 'oct2.o');
  });
  test('--no-aliases on an object = objdump -M no-aliases', () => {
    compare(LE, gcc(LE, 'na.o', ['-O2', '-c']), ['--no-aliases'], ['-M', 'no-aliases'], 'na.o --no-aliases');
  });
  test('--start/--stop = objdump --start-address/--stop-address (mid-function start)', () => {
    const f = gcc(LE, 'range.elf', ['-O2']);
    const syms = tool(`${LE}-nm`, [f]).stdout;
    const m = /^([0-9a-f]+) T main$/m.exec(syms);
    assert.ok(m, 'no main in nm output');
    const start = BigInt('0x' + m[1]) + 8n, stop = start + 0x40n;
    compare(LE, f, ['--start', `0x${start.toString(16)}`, '--stop', `0x${stop.toString(16)}`],
      [`--start-address=0x${start.toString(16)}`, `--stop-address=0x${stop.toString(16)}`], 'range.elf --start/--stop');
  });
  test('--section .init = objdump -j .init', () => compare(LE, gcc(LE, 'sec.elf', ['-O2']), ['--section', '.init'], ['-j', '.init'], 'sec.elf -j .init'));

  const libc = `/usr/${LE}/lib/libc.so.6`;
  test('the cross glibc (libc.so.6: .dynsym with symbol versions)', { skip: existsSync(libc) ? false : `${libc} not installed` }, () => {
    compare(LE, libc, [], [], 'libc.so.6');
  });

  test('--raw = objdump -D -b binary -m mips:isa64r2 -M gpr-names=64, both byte orders', () => {
    for (const [triple, flag] of [[LE, '-EL'], [BE, '-EB']] as const) {
      const elf = gcc(triple, `raw${flag}.elf`, ['-O2']);
      const text = join(dir, `text${flag}.bin`);
      assert.equal(tool(`${triple}-objcopy`, ['-O', 'binary', '-j', '.text', elf, text]).code, 0);
      const od = tool(`${triple}-objdump`, ['-D', '-b', 'binary', '-m', 'mips:isa64r2', '-M', 'gpr-names=64', flag,
        '--adjust-vma=0xffffffff80100000', text]);
      const ours = cli(['disasm', '--raw', '--base', '0xffffffff80100000', flag, text]);
      assert.equal(ours.code, 0, ours.stderr);
      const c = compareListings(od.stdout, ours.stdout);
      console.log(`raw ${flag}: ${c.equal}/${c.total} lines equal`);
      assert.ok(c.ratio >= MIN_RATIO, c.diffs.join('\n'));
    }
  });

  test('output is streamed in chunks, and a closed pipe ends the program quietly', async () => {
    // 4 MiB of `addiu` instructions: 1M lines (~40 MB of text), written as it is produced.
    const f = join(dir, 'big.bin');
    const buf = Buffer.alloc(4 << 20);
    for (let i = 0; i < buf.length; i += 4) buf.writeUInt32LE(0x24420001, i);
    writeFileSync(f, buf);
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'disasm', '--raw', f], { stdio: ['ignore', 'pipe', 'pipe'] });
    let chunks = 0, bytes = 0, lines = 0, firstAt = 0, stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdout.on('data', (d: Buffer) => {
      if (chunks++ === 0) firstAt = performance.now() - t0;
      bytes += d.length;
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
    });
    const [code] = await once(child, 'close') as [number];
    const ms = performance.now() - t0;
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.ok(lines > buf.length / 4, `${lines} lines`);
    console.log(`4 MiB raw image: ${lines} lines, ${bytes} bytes in ${chunks} chunks; first after ${firstAt.toFixed(0)} ms, done after ${ms.toFixed(0)} ms`);
    // (Streamed: many chunks. The first chunk's time is printed, not asserted: process start-up
    // dominates it on a loaded machine.)
    assert.ok(chunks > 50, `output arrived in only ${chunks} chunks`);

    // `mips64 disasm big | head -1`: the reader goes away after the first chunk.
    const early = spawn(process.execPath, [CLI, 'disasm', '--raw', f], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err2 = '';
    early.stderr.setEncoding('utf8').on('data', (d: string) => { err2 += d; });
    early.stdout.once('data', () => early.stdout.destroy());
    const [code2] = await once(early, 'close') as [number];
    assert.equal(err2, '', 'nothing on stderr after EPIPE');
    assert.equal(code2, 0);
  });
});
