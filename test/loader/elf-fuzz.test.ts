// Mutation fuzzing: real ELF images get thousands of random byte flips, truncations and
// header/section-header/symbol field overwrites (random and huge values). Every mutant must
// either parse — and then survive use of the whole API — or throw ElfError; any other
// exception fails the test with the seed and mutation that caused it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfError, SHT_DYNSYM, SHT_REL, SHT_RELA, SHT_SYMTAB, mipsInfo, parseElf } from '../../src/emulator/loader/elf.js';
import { writeElf } from '../../src/emulator/loader/elf-writer.js';
import { SymbolTable } from '../../src/emulator/loader/symbols.js';
import { BE, LE, TempDir, hasTool, readBytes, type Triple } from './toolchain.js';

const SEED = 0x4d495053; // fixed: 'MIPS'
const MUTANTS_PER_IMAGE = 2500;

/** xorshift128+-style deterministic generator (BigInt-free, 32-bit state words). */
class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  constructor(seed: number) {
    this.s0 = seed >>> 0 || 1;
    this.s1 = 0x9e3779b9;
    this.s2 = 0x243f6a88;
    this.s3 = 0xb7e15162;
    for (let i = 0; i < 16; i++) this.next();
  }
  next(): number {
    // xoshiro128** step
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x100000000) * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  big64(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next());
  }
}
const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

const SOURCE = `
extern int ext(int);
int gv = 5; static int sv; long arr[4];
const char *msg = "fuzz";
int add(int a, int b) { return a + b + gv + ext(sv) + (int)arr[2] + msg[1]; }
static int helper(int x) { return x * 3 + gv; }
int main(void) { sv = helper(gv); return add(1, 2); }
`;

interface Img {
  name: string;
  bytes: Uint8Array;
}

function images(tmp: TempDir): Img[] {
  const out: Img[] = [];
  const compilers: [Triple, string[], string][] = [
    [LE, ['-O1'], 'gcc n64 LE object'],
    [BE, ['-O1', '-mabi=32'], 'gcc o32 BE object'],
  ];
  for (const [triple, args, name] of compilers) {
    if (hasTool(`${triple}-gcc`)) out.push({ name, bytes: readBytes(tmp.compile(triple, SOURCE, args)) });
  }
  if (out.length === 0) {
    // No cross compiler: fall back to images from our own writer so the fuzzer still runs.
    for (const cls of [64, 32] as const) {
      out.push({
        name: `writeElf ELF${cls}`,
        bytes: writeElf({
          class: cls,
          endian: cls === 64 ? 'little' : 'big',
          flags: 0x80000007,
          entry: 0x80100000n,
          sections: [
            { name: '.text', flags: 6, addr: 0x80100000n, align: 16, bytes: new Uint8Array(64).fill(0x24) },
            { name: '.data', flags: 3, addr: 0x80110000n, align: 8, bytes: new Uint8Array(24).fill(7) },
            { name: '.bss', type: 'nobits', flags: 3, addr: 0x80120000n, size: 0x100 },
          ],
          symbols: [
            { name: 'start', value: 0x80100000n, size: 64, section: '.text', type: 'func' },
            { name: 'tbl', value: 0x80110000n, size: 24, section: '.data', type: 'object', bind: 'local' },
          ],
        }),
      });
    }
  }
  return out;
}

const INTERESTING32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0xfff1, 0xfff2, 0xff00, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
const INTERESTING64 = [0n, 1n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 1n << 53n, (1n << 53n) + 1n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn];

/** Applies one random mutation in place (may return a truncated/extended copy). */
interface Layout {
  tables: { kind: 'sym' | 'rel'; offset: number; count: number; ent: number }[];
}

function layoutOf(bytes: Uint8Array): Layout {
  const elf = parseElf(bytes);
  const tables: Layout['tables'] = [];
  for (const s of elf.sections) {
    const kind = s.type === SHT_SYMTAB || s.type === SHT_DYNSYM ? 'sym' : s.type === SHT_REL || s.type === SHT_RELA ? 'rel' : undefined;
    if (kind && s.entsize > 0 && s.size >= s.entsize) tables.push({ kind, offset: s.offset, count: Math.floor(s.size / s.entsize), ent: s.entsize });
  }
  return { tables };
}

function mutate(rng: Rng, src: Uint8Array, layout: Layout): { bytes: Uint8Array; what: string } {
  let b: Uint8Array = src.slice();
  const little = b[5] === 1;
  const is64 = b[4] === 2;
  const dv = () => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const put = (o: number, width: 1 | 2 | 4 | 8, v: bigint): void => {
    if (o < 0 || o + width > b.length) return;
    const d = dv();
    if (width === 1) d.setUint8(o, Number(v & 0xffn));
    else if (width === 2) d.setUint16(o, Number(v & 0xffffn), little);
    else if (width === 4) d.setUint32(o, Number(v & 0xffffffffn), little);
    else d.setBigUint64(o, BigInt.asUintN(64, v), little);
  };
  const value = (width: 1 | 2 | 4 | 8): bigint => {
    switch (rng.int(4)) {
      case 0:
        return BigInt(rng.pick(INTERESTING32));
      case 1:
        return width === 8 ? rng.pick(INTERESTING64) : BigInt(rng.pick(INTERESTING32));
      case 2:
        return BigInt(rng.int(b.length + 64)); // plausible offset/size around the file length
      default:
        return rng.big64();
    }
  };
  const shoff = (): number => {
    const d = dv();
    if (b.length < (is64 ? 64 : 52)) return -1;
    return is64 ? Number(d.getBigUint64(40, little) & 0xffffffffn) : d.getUint32(32, little);
  };

  const kind = rng.int(8);
  switch (kind) {
    case 0: {
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return { bytes: b, what: `flip ${n} bits` };
    }
    case 1: {
      const n = 1 + rng.int(16);
      for (let i = 0; i < n; i++) b[rng.int(b.length)] = rng.int(256);
      return { bytes: b, what: `randomize ${n} bytes` };
    }
    case 2: {
      const len = rng.int(4) === 0 ? rng.int(80) : rng.int(b.length);
      return { bytes: b.slice(0, len), what: `truncate to ${len}` };
    }
    case 3: {
      // ELF header fields (offset, width).
      const fields: [string, number, 1 | 2 | 4 | 8][] = is64
        ? [['class', 4, 1], ['data', 5, 1], ['type', 16, 2], ['machine', 18, 2], ['entry', 24, 8], ['phoff', 32, 8], ['shoff', 40, 8],
           ['flags', 48, 4], ['ehsize', 52, 2], ['phentsize', 54, 2], ['phnum', 56, 2], ['shentsize', 58, 2], ['shnum', 60, 2], ['shstrndx', 62, 2]]
        : [['class', 4, 1], ['data', 5, 1], ['type', 16, 2], ['machine', 18, 2], ['entry', 24, 4], ['phoff', 28, 4], ['shoff', 32, 4],
           ['flags', 36, 4], ['ehsize', 40, 2], ['phentsize', 42, 2], ['phnum', 44, 2], ['shentsize', 46, 2], ['shnum', 48, 2], ['shstrndx', 50, 2]];
      const [name, off, w] = rng.pick(fields);
      const v = value(w);
      put(off, w, v);
      return { bytes: b, what: `e_${name} = 0x${v.toString(16)}` };
    }
    case 4:
    case 5: {
      // Section header fields of a random section.
      const so = shoff();
      const ent = is64 ? 64 : 40;
      const count = so > 0 ? Math.max(1, Math.floor((b.length - so) / ent)) : 1;
      const i = rng.int(count);
      const fields: [string, number, 1 | 2 | 4 | 8][] = is64
        ? [['name', 0, 4], ['type', 4, 4], ['flags', 8, 8], ['addr', 16, 8], ['offset', 24, 8], ['size', 32, 8], ['link', 40, 4], ['info', 44, 4], ['addralign', 48, 8], ['entsize', 56, 8]]
        : [['name', 0, 4], ['type', 4, 4], ['flags', 8, 4], ['addr', 12, 4], ['offset', 16, 4], ['size', 20, 4], ['link', 24, 4], ['info', 28, 4], ['addralign', 32, 4], ['entsize', 36, 4]];
      const [name, off, w] = rng.pick(fields);
      let v = value(w);
      if (name === 'type' && rng.int(2) === 0) v = BigInt(rng.pick([0, 1, 2, 3, 4, 8, 9, 11, 18]));
      if (name === 'link' && rng.int(2) === 0) v = BigInt(rng.int(count + 2));
      put(so + i * ent + off, w, v);
      return { bytes: b, what: `section ${i} sh_${name} = 0x${v.toString(16)}` };
    }
    case 6: {
      // Fields of symbol-table and relocation entries (located in the original image).
      const tables = layout.tables;
      if (tables.length === 0) {
        const o = rng.int(b.length);
        b[o] = rng.int(256);
        return { bytes: b, what: `byte @0x${o.toString(16)}` };
      }
      const t = rng.pick(tables);
      const entry = t.offset + rng.int(t.count) * t.ent;
      const fields: [string, number, 1 | 2 | 4 | 8][] = t.kind === 'sym'
        ? is64
          ? [['st_name', 0, 4], ['st_info', 4, 1], ['st_shndx', 6, 2], ['st_value', 8, 8], ['st_size', 16, 8]]
          : [['st_name', 0, 4], ['st_value', 4, 4], ['st_size', 8, 4], ['st_info', 12, 1], ['st_shndx', 14, 2]]
        : is64
          ? [['r_offset', 0, 8], ['r_sym', 8, 4], ['r_type', 12, 4], ['r_info', 8, 8]]
          : [['r_offset', 0, 4], ['r_info', 4, 4]];
      const [name, off, w] = rng.pick(fields);
      const v = name === 'st_shndx' && rng.int(2) === 0 ? BigInt(rng.pick([0, 0xfff1, 0xfff2, 0xffff, rng.int(40)])) : value(w);
      put(entry + off, w, v);
      return { bytes: b, what: `${t.kind} entry @0x${entry.toString(16)} ${name} = 0x${v.toString(16)}` };
    }
    default: {
      // Several mutations stacked, or garbage appended.
      if (rng.int(3) === 0) {
        const extra = new Uint8Array(rng.int(256));
        for (let i = 0; i < extra.length; i++) extra[i] = rng.int(256);
        const c = new Uint8Array(b.length + extra.length);
        c.set(b);
        c.set(extra, b.length);
        return { bytes: c, what: `append ${extra.length} random bytes` };
      }
      const n = 2 + rng.int(3);
      const parts: string[] = [];
      for (let i = 0; i < n; i++) {
        const m = mutate(rng, b, layout);
        b = m.bytes;
        parts.push(m.what);
      }
      return { bytes: b, what: parts.join('; ') };
    }
  }
}

/** Uses everything the loader offers on a parsed mutant. */
function exercise(bytes: Uint8Array, rng: Rng): void {
  const elf = parseElf(bytes);
  mipsInfo(elf);
  for (const s of elf.sections) {
    const d = s.data();
    if (d.length) void d[d.length - 1];
    if (s.type === SHT_REL || s.type === SHT_RELA) {
      try {
        elf.relocations(s);
      } catch (e) {
        if (!(e instanceof ElfError)) throw e;
      }
    }
    if (s.type === SHT_SYMTAB || s.type === SHT_DYNSYM) {
      try {
        elf.symbolsOf(s);
      } catch (e) {
        if (!(e instanceof ElfError)) throw e;
      }
    }
  }
  for (const p of elf.segments) void p.data().length;
  const table = SymbolTable.fromElf(elf);
  for (let i = 0; i < 8; i++) table.format(rng.big64() & 0xffffn);
  for (const s of elf.symbols) {
    table.lookup(s.value);
    elf.findSymbol(s.name);
  }
  elf.sectionByName('.text');
}

const tmp = new TempDir();
after(() => tmp.remove());

describe('fuzz: mutated ELF images parse or throw ElfError', () => {
  for (const img of images(tmp)) {
    test(`${img.name}: ${MUTANTS_PER_IMAGE} mutants, seed 0x${SEED.toString(16)}`, () => {
      console.log(`fuzz ${img.name}: seed 0x${SEED.toString(16)}, ${MUTANTS_PER_IMAGE} mutants of ${img.bytes.length} bytes`);
      // The unmutated image must parse.
      exercise(img.bytes, new Rng(1));
      const layout = layoutOf(img.bytes);
      const rng = new Rng(SEED);
      const failures: string[] = [];
      let parsed = 0;
      let rejected = 0;
      const messages = new Set<string>();
      for (let i = 0; i < MUTANTS_PER_IMAGE; i++) {
        const m = mutate(rng, img.bytes, layout);
        try {
          exercise(m.bytes, rng);
          parsed++;
        } catch (e) {
          if (e instanceof ElfError && e.cause === undefined) {
            rejected++;
            assert.ok(e.message.length > 0 && !e.message.includes('\n'), `one-line message: ${e.message}`);
            messages.add(e.message.replace(/0x[0-9a-f]+|\d+/g, 'N'));
          } else {
            const err = e instanceof ElfError && e.cause !== undefined ? e.cause : e;
            failures.push(`mutant #${i} (${m.what}): ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
          }
        }
      }
      console.log(`fuzz ${img.name}: ${parsed} parsed, ${rejected} rejected with ElfError (${messages.size} distinct messages)`);
      assert.deepEqual(failures.slice(0, 10), [], `seed 0x${SEED.toString(16)}: ${failures.length} mutants threw something other than ElfError`);
      assert.ok(parsed > 100, `some mutants should still parse (got ${parsed})`);
      assert.ok(rejected > 100, `some mutants should be rejected (got ${rejected})`);
    });
  }
});
