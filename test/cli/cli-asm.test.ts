// `mips64 asm`: the GNU as compatibility fixture assembled to an ELF64 executable and to a
// raw image; readelf must accept the ELF (header, sections, segments, symbols, entry =
// `start`), `mips64 disasm` and `objdump -d` must agree on it line by line, and the raw
// image must be the ELF's sections at their addresses. Also: atomic output (a failed run
// leaves an existing output untouched and no temporary files behind).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../../src/emulator/loader/elf';
import { BE, LE, ROOT, assertCleanStderr, cli, compareListings, ensureBuilt, missingTools, tempDir, tool } from './support';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'asm', 'gas-compat.s');
const ORIGIN = 0xffffffff80100000n;

describe('mips64 asm', { skip: missingTools(`${LE}-objdump`, `${LE}-readelf`, `${BE}-objdump`, `${BE}-readelf`) }, () => {
  let dir = '';
  before(() => {
    ensureBuilt();
    dir = tempDir('mips64-cli-asm-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [endian, triple, flag] of [['little', LE, '-EL'], ['big', BE, '-EB']] as const) {
    test(`ELF round trip (${endian}-endian): readelf accepts it, our disasm = objdump -d`, () => {
      const out = join(dir, `fixture-${endian}.elf`);
      const r = cli(['asm', FIXTURE, '-o', out, '--origin', `0x${ORIGIN.toString(16)}`, flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.ok((statSync(out).mode & 0o111) !== 0, 'ELF output is executable');

      const re = tool(`${triple}-readelf`, ['-a', '-W', out]);
      assert.equal(re.code, 0, re.stderr);
      assert.doesNotMatch(re.stderr, /warning|error/i, re.stderr);
      assert.match(re.stdout, /Class:\s+ELF64/);
      assert.match(re.stdout, new RegExp(`Data:\\s+2's complement, ${endian} endian`));
      assert.match(re.stdout, /Type:\s+EXEC \(Executable file\)/);
      assert.match(re.stdout, /Machine:\s+MIPS R3000/);
      assert.match(re.stdout, /Flags:\s+0x80000000, mips64r2/);
      const elf = parseElf(new Uint8Array(readFileSync(out)));
      const start = elf.findSymbol('start');
      assert.ok(start, 'symbol start');
      assert.equal(elf.entry, start.value, 'entry = start');
      assert.equal(start.value, ORIGIN);
      assert.match(re.stdout, new RegExp(`Entry point address:\\s+0x${ORIGIN.toString(16)}`));
      for (const name of ['.text', '.data', '.rodata']) assert.match(re.stdout, new RegExp(`\\] \\${name}\\s+PROGBITS`));
      assert.match(re.stdout, /LOAD\s+0x[0-9a-f]+ 0xffffffff80100000 0xffffffff80100000 0x[0-9a-f]+ 0x[0-9a-f]+ R E/);
      for (const sym of ['start', 'helper', 'table', 'message', 'buffer', 'COUNT', 'BIGVAL']) {
        assert.match(re.stdout, new RegExp(`\\s${sym}$`, 'm'), `symbol ${sym}`);
      }
      assert.match(re.stdout, /GLOBAL DEFAULT\s+\d+ start$/m);

      const od = tool(`${triple}-objdump`, ['-d', out]);
      assert.equal(od.code, 0, od.stderr);
      const ours = cli(['disasm', out]);
      assert.equal(ours.code, 0, ours.stderr);
      const c = compareListings(od.stdout, ours.stdout);
      console.log(`asm → ELF → disasm (${endian}): ${c.equal}/${c.total} lines equal`);
      assert.ok(c.total > 400);
      assert.deepEqual(c.diffs, []);
    });

    test(`raw image (${endian}-endian) = the ELF's sections at their addresses`, () => {
      const elfOut = join(dir, `img-${endian}.elf`), binOut = join(dir, `img-${endian}.bin`);
      const origin = '0x80100000';
      assert.equal(cli(['asm', FIXTURE, '-o', elfOut, '--origin', origin, flag]).code, 0);
      const r = cli(['asm', FIXTURE, '-o', binOut, '--origin', origin, flag, '--format', 'bin']);
      assert.equal(r.code, 0, r.stderr);
      const img = readFileSync(binOut);
      const elf = parseElf(new Uint8Array(readFileSync(elfOut)));
      const base = 0x80100000n;
      let end = 0;
      for (const s of elf.sections.filter((x) => ['.text', '.data', '.rodata'].includes(x.name))) {
        const off = Number(s.addr - base);
        assert.deepEqual(img.subarray(off, off + s.size), Buffer.from(s.data()), s.name);
        end = Math.max(end, off + s.size);
      }
      assert.equal(img.length, end);
      // The raw image disassembles like objdump -b binary does.
      const od = tool(`${triple}-objdump`, ['-D', '-b', 'binary', '-m', 'mips:isa64r2', '-M', 'gpr-names=64', flag,
        '--adjust-vma=0x80100000', '--stop-address=0x801006c0', binOut]);
      const ours = cli(['disasm', '--raw', '--base', origin, flag, '--stop', '0x801006c0', binOut]);
      assert.equal(ours.code, 0, ours.stderr);
      const c = compareListings(od.stdout, ours.stdout);
      assert.ok(c.ratio >= 0.999, c.diffs.join('\n'));
    });
  }

  test('--model octeon2 marks the ELF so that disasm and objdump pick Octeon II', () => {
    const src = join(dir, 'oct.s');
    writeFileSync(src, '\t.text\nstart:\tbaddu $2, $3, $4\n\tpop $5, $6\n\tbbit1 $2, 5, start\n\tmfc0 $2, $12\n\tsaa $4, ($5)\n');
    const out = join(dir, 'oct.elf');
    const r = cli(['asm', src, '-o', out, '--model', 'octeon2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(tool(`${LE}-readelf`, ['-h', out]).stdout, /octeon2/);
    const od = tool(`${LE}-objdump`, ['-d', out]);
    const ours = cli(['disasm', out]);
    const c = compareListings(od.stdout, ours.stdout);
    assert.deepEqual(c.diffs, []);
    assert.match(ours.stdout, /baddu\tv0,v1,a0/);
    assert.match(ours.stdout, /mfc0\tv0,\$12/);
  });

  test('a failing assembly leaves an existing output untouched and no temporary files', () => {
    const src = join(dir, 'bad.s'), out = join(dir, 'keep.bin');
    writeFileSync(src, 'start:\tnop\n\tbogus $1\n');
    writeFileSync(out, 'previous contents');
    const before = readdirSync(dir).sort();
    const r = cli(['asm', src, '-o', out, '--format', 'bin']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `${src}:2:2: error: unknown instruction 'bogus'\n`);
    assert.equal(assertCleanStderr(r.stderr), undefined);
    assert.equal(readFileSync(out, 'utf8'), 'previous contents');
    assert.deepEqual(readdirSync(dir).sort(), before);
  });

  test('an unwritable output is one error line, nothing left behind', () => {
    const src = join(dir, 'ok.s');
    writeFileSync(src, 'start:\tnop\n');
    const out = join(dir, 'no', 'such', 'dir', 'x.elf');
    const r = cli(['asm', src, '-o', out]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `mips64: ${out}: No such file or directory\n`);
  });

  test('.include searches beside the file, then the -I directories; a missing file is an error at its name', () => {
    mkdirSync(join(dir, 'inc'), { recursive: true });
    writeFileSync(join(dir, 'inc', 'defs.s'), '\t.equ VALUE, 0x1234\n');
    const src = join(dir, 'uses-include.s');
    writeFileSync(src, '\t.include "defs.s"\nstart:\tli $2, VALUE\n');
    const out = join(dir, 'uses-include.bin');
    const missing = cli(['asm', src, '-o', out]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:11: error: cannot include 'defs.s': not found`));
    const r = cli(['asm', src, '-o', out, '-I', join(dir, 'inc')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...readFileSync(out)], [0x34, 0x12, 0x02, 0x24]); // addiu $2, $0, 0x1234
  });

  test('warnings are printed but do not fail the build', () => {
    const src = join(dir, 'warn.s');
    writeFileSync(src, '\t.data\n\t.byte 300\n');
    const out = join(dir, 'warn.bin');
    const r = cli(['asm', src, '-o', out]);
    assert.equal(r.code, 0);
    // (at the value, column 8 of "\t.byte 300")
    assert.equal(r.stderr, `${src}:2:8: warning: value 0x12c truncated to 1 bytes\n`);
  });
});
