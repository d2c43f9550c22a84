// GNU as compatibility: test/fixtures/asm/gas-compat.s (labels, local labels, expressions,
// %hi/%lo/%higher/%highest, every supported directive, li/dli/la/dla and the other
// pseudo-instructions, reorder/noreorder, FPU, CP0, loads/stores, wide shifts) assembled by
// our assembler and by GNU as + ld at the same origin must give identical bytes, for
// little- and big-endian and several origins (kernel segment, user space, and one where
// %hi/%higher/%highest carry).
//
// GNU side: `as -O0 -mabi=64 -march=mips64r2 -non_shared -mno-fix-loongson3-llsc`
// (Debian's mips64el binutils enable the Loongson-3 ll/sc workaround by default, which
// inserts `sync` instructions), a linker script placing the sections in our order at our
// addresses (first at the origin, the others aligned like ours: max(16, section align)),
// then `objcopy -O binary`. GNU as pads sections to their alignment: the bytes beyond
// our section size must be zero (= nop).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assemble, AssembleResult } from '../../src/emulator/isa/assembler/assembler';
import { Disassembler } from '../../src/emulator/isa/disassembler';
import { parseElf } from '../../src/emulator/loader/elf';

const ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'asm', 'gas-compat.s');
const TRIPLE = { little: 'mips64el-linux-gnuabi64', big: 'mips64-linux-gnuabi64' } as const;

function tool(name: string): boolean {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stderr;
}

const hex = (v: bigint): string => '0x' + v.toString(16);

interface GnuImage { elf: ReturnType<typeof parseElf>; flat: Uint8Array; stderr: string }

/** Assembles and links the fixture with binutils at the addresses our assembler chose. */
function gnuBuild(dir: string, src: string, ours: AssembleResult, endian: 'little' | 'big'): GnuImage {
  const t = TRIPLE[endian];
  const script = ['SECTIONS {', `  . = ${hex(ours.sections[0].addr)};`];
  for (const [i, s] of ours.sections.entries()) {
    if (i > 0) script.push(`  . = ALIGN(${Math.max(16, s.align)});`);
    script.push(`  ${s.name} : { *(${s.name}) }`);
  }
  script.push('}');
  writeFileSync(join(dir, 'link.ld'), script.join('\n') + '\n');
  const obj = join(dir, 'gas.o'), exe = join(dir, 'gas.elf'), bin = join(dir, 'gas.bin');
  let stderr = run(`${t}-as`, ['-O0', '-mabi=64', '-march=mips64r2', '-non_shared', '-mno-fix-loongson3-llsc',
    endian === 'big' ? '-EB' : '-EL', src, '-o', obj]);
  stderr += run(`${t}-ld`, ['-T', join(dir, 'link.ld'), '-e', 'start', obj, '-o', exe]);
  run(`${t}-objcopy`, ['-O', 'binary', ...ours.sections.flatMap((s) => ['-j', s.name]), exe, bin]);
  return { elf: parseElf(new Uint8Array(readFileSync(exe))), flat: new Uint8Array(readFileSync(bin)), stderr };
}

/** Our sections concatenated at their addresses, gaps zero-filled. */
function flatImage(r: AssembleResult): Uint8Array {
  const base = r.sections[0].addr;
  let end = base;
  for (const s of r.sections) if (!s.nobits && s.addr + BigInt(s.size) > end) end = s.addr + BigInt(s.size);
  const out = new Uint8Array(Number(end - base));
  for (const s of r.sections) if (!s.nobits) out.set(s.bytes, Number(s.addr - base));
  return out;
}

/** Human-readable list of the differing words (address, source line, both disassemblies). */
function describeDiffs(ours: Uint8Array, gnu: Uint8Array, base: bigint, r: AssembleResult, src: string[], big: boolean): string[] {
  const dis = new Disassembler({ model: 'mips64r2' });
  const lineAt = new Map(r.lines.map((l) => [l.addr, l.line]));
  const word = (b: Uint8Array, i: number): number | undefined => {
    if (i + 4 > b.length) return undefined;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return v.getUint32(i, !big);
  };
  const out: string[] = [];
  for (let i = 0; i < ours.length && out.length < 40; i += 4) {
    const a = ours.subarray(i, i + 4), g = gnu.subarray(i, Math.min(i + 4, gnu.length));
    if (a.length === g.length && a.every((x, k) => x === g[k])) continue;
    const addr = base + BigInt(i);
    const wa = word(ours, i), wg = word(gnu, i);
    const line = lineAt.get(addr);
    out.push(`${hex(addr)}: ours ${Buffer.from(a).toString('hex')}${wa !== undefined ? ` (${dis.text(wa, addr)})` : ''}`
      + ` gnu ${Buffer.from(g).toString('hex')}${wg !== undefined ? ` (${dis.text(wg, addr)})` : ''}`
      + (line ? `  line ${line}: ${src[line - 1].trim()}` : ''));
  }
  return out;
}

const missing = [...Object.values(TRIPLE).flatMap((t) => [`${t}-as`, `${t}-ld`, `${t}-objcopy`])].filter((t) => !tool(t));

describe('GNU as compatibility (test/fixtures/asm/gas-compat.s)', { skip: missing.length ? `not installed: ${missing.join(', ')}` : false }, () => {
  let dir = '';
  let source = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mips64-gas-compat-'));
    source = readFileSync(FIXTURE, 'utf8');
  });

  const cases: Array<['little' | 'big', bigint]> = [
    ['little', 0xffffffff80100000n],
    ['little', 0x00007fffffff8000n],
    ['big', 0xffffffff80100000n],
    ['big', 0x0000001234560000n],
  ];
  for (const [endian, origin] of cases) {
    test(`${endian}-endian at ${hex(origin)}: identical bytes`, () => {
      const sub = mkdtempSync(join(dir, 'case-'));
      try {
        const t0 = performance.now();
        const r = assemble(source, { fileName: 'gas-compat.s', origin, endian, model: 'mips64r2' });
        const ms = performance.now() - t0;
        assert.deepEqual(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.severity}: ${d.message}`), [], 'our assembler reported diagnostics');
        assert.ok(r.ok);
        assert.ok(r.lines.length > 400, `only ${r.lines.length} instructions`);
        assert.deepEqual(r.sections.map((s) => s.name), ['.text', '.data', '.rodata']);
        const gnu = gnuBuild(sub, FIXTURE, r, endian);
        // GNU as may only warn about `la` of a 64-bit address (it expands like dla, as we do).
        const warnings = gnu.stderr.split('\n').filter((l) => /Warning|Error/.test(l) && !/la used to load 64-bit address/.test(l));
        assert.deepEqual(warnings, [], 'unexpected GNU as/ld messages');
        const src = source.split('\n');
        const big = endian === 'big';

        // Section by section: same address, same bytes, GNU padding zero.
        for (const s of r.sections) {
          const g = gnu.elf.sectionByName(s.name);
          assert.ok(g, `GNU output has no ${s.name}`);
          assert.equal(hex(g.addr), hex(s.addr), `${s.name} address`);
          assert.ok(g.size >= s.size, `${s.name}: GNU size ${g.size} < ours ${s.size}`);
          const gb = gnu.elf.bytes.subarray(g.offset, g.offset + g.size);
          const diffs = describeDiffs(s.bytes, gb.subarray(0, s.size), s.addr, r, src, big);
          assert.deepEqual(diffs, [], `${s.name} differs from GNU as:\n${diffs.join('\n')}`);
          assert.ok(gb.subarray(s.size).every((b) => b === 0), `${s.name}: GNU padding beyond our size is not zero`);
        }

        // The flat images (objcopy -O binary vs our sections at their addresses).
        const ours = flatImage(r);
        assert.ok(gnu.flat.length >= ours.length, `GNU image ${gnu.flat.length} bytes < ours ${ours.length}`);
        const diffs = describeDiffs(ours, gnu.flat.subarray(0, ours.length), origin, r, src, big);
        assert.deepEqual(diffs, [], `image differs from GNU as:\n${diffs.join('\n')}`);
        assert.ok(gnu.flat.subarray(ours.length).every((b) => b === 0), 'GNU image padding is not zero');
        console.log(`${endian} ${hex(origin)}: ${ours.length} bytes, ${r.lines.length} instructions identical (assembled in ${ms.toFixed(1)} ms)`);
      } finally {
        rmSync(sub, { recursive: true, force: true });
      }
    });
  }

  test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});
