// The differential test programs (test/cpu/programs/*.s with their library, as the
// QEMU differential test assembles them) double as an assembler test: GNU as must
// produce exactly the bytes our assembler produces, for both byte orders.
//
// GNU side: `<triple>-as -O0 -mabi=64 -march=mips64r2 -non_shared -mno-fix-loongson3-llsc
// -EL|-EB` (Debian's mips64el binutils enable the Loongson-3 ll/sc workaround by default),
// `ld` with a script that puts each section at the address our assembler chose, then
// `objcopy -O binary -j <section>` per section. GNU as pads a section to its alignment:
// bytes beyond our section size must be zero.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, Endian, loadPrograms } from '../support/diff-programs';

const TRIPLE = { little: 'mips64el-linux-gnuabi64', big: 'mips64-linux-gnuabi64' } as const;

function missingTools(endian: Endian): string | undefined {
  for (const t of ['as', 'ld', 'objcopy']) {
    const r = spawnSync(`${TRIPLE[endian]}-${t}`, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${TRIPLE[endian]}-${t} not installed (Debian package binutils-${TRIPLE[endian]})`;
  }
  return undefined;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
}

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

describe('test programs: our assembler vs GNU as', { concurrency: 2 }, () => {
  for (const p of loadPrograms()) {
    for (const endian of ['little', 'big'] as const) {
      test(`${p.name} [${endian}]`, (t) => {
        const missing = missingTools(endian);
        if (missing) { t.skip(missing); return; }
        const ours = buildProgram(p, endian).asm;
        const dir = mkdtempSync(join(tmpdir(), 'mips64-progs-gas-'));
        try {
          const src = join(dir, `${p.name}.s`), obj = join(dir, 'p.o'), exe = join(dir, 'p.elf');
          writeFileSync(src, p.source);
          const script = ['SECTIONS {', ...ours.sections.map((s) => `  ${s.name} ${hex(s.addr)} : { *(${s.name}) }`),
            '  /DISCARD/ : { *(.MIPS.abiflags) *(.MIPS.options) *(.reginfo) *(.gnu.attributes) *(.pdr) }', '}'];
          writeFileSync(join(dir, 'link.ld'), script.join('\n') + '\n');
          const tr = TRIPLE[endian];
          run(`${tr}-as`, ['-O0', '-mabi=64', '-march=mips64r2', '-non_shared', '-mno-fix-loongson3-llsc',
            endian === 'big' ? '-EB' : '-EL', src, '-o', obj]);
          run(`${tr}-ld`, ['-T', join(dir, 'link.ld'), '-e', 'start', obj, '-o', exe]);
          for (const s of ours.sections) {
            const bin = join(dir, `${s.name.replace(/\W/g, '')}.bin`);
            run(`${tr}-objcopy`, ['-O', 'binary', '-j', s.name, exe, bin]);
            const gnu = new Uint8Array(readFileSync(bin));
            assert.ok(gnu.length >= s.bytes.length, `${p.name} ${s.name}: GNU section is ${gnu.length} bytes, ours ${s.bytes.length}`);
            for (let i = 0; i < gnu.length; i++) {
              const o = i < s.bytes.length ? s.bytes[i] : 0;
              if (gnu[i] !== o) {
                const at = i & ~3;
                const line = ours.lines.find((l) => l.addr === s.addr + BigInt(at));
                const w = (b: Uint8Array): string => Array.from(b.slice(at, at + 4), (x) => x.toString(16).padStart(2, '0')).join('');
                assert.fail(`${p.name} [${endian}] ${s.name}+0x${at.toString(16)} (${hex(s.addr + BigInt(at))}`
                  + `${line ? `, source line ${line.line}` : ''}): ours ${w(s.bytes)}, GNU as ${w(gnu)}`);
              }
            }
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
});
