// What the loader refuses before loading anything (src/emulator/loader/load-elf.ts): a
// file that is not an executable (a shared library, an object file), code for another
// instruction set (Octeon on a 5KEc, MIPS R6), program headers that make no sense, an
// entry point outside the executable segments. Before, such files "booted" and ran
// silently (an Octeon vmlinux or libc.so.6 given to --board malta ran 40 s). Each case
// is a valid little ELF with one field changed; the unchanged one loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { writeElf } from '../../src/emulator/loader/elf-writer';
import { E_MIPS_MACH_OCTEON2, parseElf } from '../../src/emulator/loader/elf';
import { cli, ensureBuilt } from '../cli/support';

const BASE = 0xffffffff80100000n;

/** An ELF64 LE executable: .text (4 instructions) and .data, entry at .text. */
function base(): Uint8Array {
  const text = new Uint8Array(16);
  new DataView(text.buffer).setUint32(0, 0x1000ffff, true); // b . (a loop)
  return writeElf({
    class: 64, endian: 'little', entry: BASE, flags: 0x80000000,
    sections: [
      { name: '.text', flags: 6, addr: BASE, bytes: text },
      { name: '.data', flags: 3, addr: BASE + 0x1000n, bytes: new Uint8Array(32) },
    ],
  });
}

function patched(f: (dv: DataView, phoff: number) => void): Uint8Array {
  const b = base().slice();
  f(new DataView(b.buffer), parseElf(b).phoff);
  return b;
}

function boot(elf: Uint8Array): string | bigint {
  const { board } = createDemoMachine({ memoryMiB: 16 });
  try { return board.boot(elf).entry; } catch (e) { return (e as Error).message; }
}

test('a valid executable loads; each broken variant is refused with the reason', () => {
  assert.equal(boot(base()), BASE);
  const phdr = parseElf(base()).segments.filter((s) => s.type === 1);
  assert.equal(phdr.length, 2, 'the base has two loadable segments');
  const PH = 56; // ELF64 program header size
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['a shared object', patched((dv) => dv.setUint16(16, 3, true)), /^a shared object, not an executable/],
    ['an object file', patched((dv) => dv.setUint16(16, 1, true)), /^a relocatable object file, not an executable/],
    ['Octeon II code', patched((dv) => dv.setUint32(48, (0x80000000 | E_MIPS_MACH_OCTEON2) >>> 0, true)), /^built for octeon2 \(Cavium Octeon\) code, which a 5KEc CPU does not run$/],
    ['MIPS64 R6 code', patched((dv) => dv.setUint32(48, 0xa0000000, true)), /^built for mips64r6 code/],
    ['filesz > memsz', patched((dv, ph) => dv.setBigUint64(ph + 40, 8n, true)), /^malformed program header 0: its file size \(16\) exceeds its memory size \(8\)$/],
    ['overlapping segments', patched((dv, ph) => dv.setBigUint64(ph + PH + 16, BASE + 8n, true)), /^malformed program headers: loadable segments 0 and 1 overlap$/],
    ['entry outside the code', patched((dv) => dv.setBigUint64(24, BASE + 0x1000n, true)), /^the entry point 0xffffffff80101000 is not in an executable loadable segment/],
  ];
  for (const [what, elf, want] of cases) {
    const r = boot(elf);
    assert.equal(typeof r, 'string', `${what} was loaded`);
    assert.match(r as string, want, what);
  }
});

const LIBC = '/usr/mips64el-linux-gnuabi64/lib/libc.so.6';
test('mips64 boot --board malta --kernel libc.so.6 stops at once with one line', { skip: existsSync(LIBC) ? false : `no ${LIBC}` }, () => {
  ensureBuilt();
  assert.equal(readFileSync(LIBC).subarray(0, 4).toString('latin1'), '\x7fELF');
  const r = cli(['boot', '--board', 'malta', '--kernel', LIBC], { input: '', timeoutMs: 60_000 });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `mips64: ${LIBC}: a shared object, not an executable (a kernel or a program linked to run on its own)\n`);
});
