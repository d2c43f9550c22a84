// Parses objects and executables produced by the MIPS cross compilers at test time and checks
// every header field, section, symbol, relocation and segment against what readelf prints.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  EM_MIPS,
  ET_EXEC,
  ET_REL,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_REL,
  SHT_RELA,
  STT_SECTION,
  mipsInfo,
  mipsRelocName,
  parseElf,
  relocations,
  type ElfFile,
} from '../../src/emulator/loader/elf.js';
import { SymbolTable } from '../../src/emulator/loader/symbols.js';
import {
  BE,
  LE,
  TempDir,
  missing,
  parseObjdumpDisasm,
  parseReadelfHeader,
  parseReadelfRelocs,
  parseReadelfSections,
  parseReadelfSegments,
  parseReadelfSymbols,
  readBytes,
  run,
  type Triple,
} from './toolchain.js';

const SOURCE = `
extern int ext(int);
extern const char *name_of(int);
int gv = 5;
static int sv;
long arr[4];
const char *greeting = "hello, mips";
static const int table[5] = { 3, 1, 4, 1, 5 };
int add(int a, int b) { return a + b + gv + ext(sv) + (int)arr[2]; }
static int helper(int x) { return x * 3 + gv + table[x & 3]; }
int pick(int k) {
  switch (k) {
    case 0: return ext(10);
    case 1: return ext(20) + 1;
    case 2: return helper(k);
    case 3: return (int)name_of(k)[0];
    case 4: return gv * 7;
    case 5: return sv - 1;
    default: return -1;
  }
}
double scale(double x) { return x * 2.5 + 0.125; }
int main(void) { sv = helper(gv); return add(1, 2) + pick(sv) + (int)scale(gv) + greeting[0]; }
`;

interface Variant {
  name: string;
  triple: Triple;
  args: string[];
  cls: 32 | 64;
  endian: 'little' | 'big';
  abi: 'o32' | 'n32' | 'n64';
  mach?: string;
}

const VARIANTS: Variant[] = [
  { name: 'n64 little-endian', triple: LE, args: ['-O1'], cls: 64, endian: 'little', abi: 'n64' },
  { name: 'n64 big-endian', triple: BE, args: ['-O1'], cls: 64, endian: 'big', abi: 'n64' },
  { name: 'n64 LE non-PIC', triple: LE, args: ['-O1', '-fno-pic', '-mno-abicalls'], cls: 64, endian: 'little', abi: 'n64' },
  { name: 'n64 BE non-PIC', triple: BE, args: ['-O1', '-fno-pic', '-mno-abicalls'], cls: 64, endian: 'big', abi: 'n64' },
  { name: 'o32 little-endian (ELF32)', triple: LE, args: ['-O1', '-mabi=32'], cls: 32, endian: 'little', abi: 'o32' },
  { name: 'o32 big-endian (ELF32)', triple: BE, args: ['-O1', '-mabi=32'], cls: 32, endian: 'big', abi: 'o32' },
  { name: 'n32 little-endian (ELF32)', triple: LE, args: ['-O1', '-mabi=n32'], cls: 32, endian: 'little', abi: 'n32' },
  { name: 'octeon2 big-endian', triple: BE, args: ['-O1', '-march=octeon2'], cls: 64, endian: 'big', abi: 'n64', mach: 'octeon2' },
  { name: 'octeon little-endian', triple: LE, args: ['-O1', '-march=octeon'], cls: 64, endian: 'little', abi: 'n64', mach: 'octeon' },
  { name: 'octeon3 big-endian', triple: BE, args: ['-O1', '-march=octeon3'], cls: 64, endian: 'big', abi: 'n64', mach: 'octeon3' },
];

const SECTION_TYPES = new Map<number, string>([
  [0, 'NULL'], [1, 'PROGBITS'], [2, 'SYMTAB'], [3, 'STRTAB'], [4, 'RELA'], [5, 'HASH'], [6, 'DYNAMIC'],
  [7, 'NOTE'], [8, 'NOBITS'], [9, 'REL'], [11, 'DYNSYM'], [14, 'INIT_ARRAY'], [15, 'FINI_ARRAY'],
  [0x6ffffff5, 'GNU_ATTRIBUTES'], [0x6ffffff6, 'GNU_HASH'], [0x6ffffffd, 'VERDEF'], [0x6ffffffe, 'VERNEED'],
  [0x6fffffff, 'VERSYM'], [0x70000006, 'MIPS_REGINFO'], [0x7000000d, 'MIPS_OPTIONS'], [0x7000002a, 'MIPS_ABIFLAGS'],
  [0x7000001e, 'MIPS_DWARF'],
]);
const SYM_TYPES = ['NOTYPE', 'OBJECT', 'FUNC', 'SECTION', 'FILE', 'COMMON', 'TLS'];
const SYM_BINDS = ['LOCAL', 'GLOBAL', 'WEAK'];
const SYM_VIS = ['DEFAULT', 'INTERNAL', 'HIDDEN', 'PROTECTED'];
const FLAG_LETTERS: [string, number][] = [
  ['W', 0x1], ['A', 0x2], ['X', 0x4], ['M', 0x10], ['S', 0x20], ['I', 0x40], ['L', 0x80], ['O', 0x100],
  ['G', 0x200], ['T', 0x400], ['C', 0x800], ['E', 0x80000000],
];

const tmp = new TempDir();
after(() => tmp.remove());

function readelf(triple: Triple, args: string[], file: string): string {
  const r = run(`${triple}-readelf`, ['-W', ...args, file]);
  assert.equal(r.stderr, '', `readelf warned: ${r.stderr}`);
  return r.stdout;
}

function ndxString(shndx: number): string {
  if (shndx === SHN_UNDEF) return 'UND';
  if (shndx === SHN_ABS) return 'ABS';
  if (shndx === SHN_COMMON) return 'COM';
  return String(shndx);
}

/** Compares header, sections, symbols and relocations of `elf` with readelf's report on `file`. */
function compareWithReadelf(triple: Triple, file: string, elf: ElfFile): { relocCount: number } {
  const text = readelf(triple, ['-h', '-S', '-s', '-r'], file);

  // --- header
  const h = parseReadelfHeader(text).fields;
  assert.equal(h.get('Class'), `ELF${elf.class}`);
  assert.match(h.get('Data')!, elf.endian === 'little' ? /little endian/ : /big endian/);
  const typeWord = h.get('Type')!.split(' ')[0];
  assert.equal(typeWord, ({ [ET_REL]: 'REL', [ET_EXEC]: 'EXEC', 3: 'DYN' } as Record<number, string>)[elf.type]);
  assert.equal(elf.machine, EM_MIPS);
  assert.match(h.get('Machine')!, /MIPS/);
  assert.equal(BigInt(h.get('Entry point address')!), elf.entry);
  const flagsField = h.get('Flags')!;
  assert.equal(parseInt(flagsField.split(',')[0]!, 16), elf.flags >>> 0, 'e_flags');
  assert.equal(Number(h.get('Number of section headers')), elf.sections.length);
  assert.equal(Number(h.get('Section header string table index')), elf.shstrndx);
  assert.equal(Number(h.get('Number of program headers')), elf.segments.length);
  assert.equal(Number(h.get('Start of section headers')!.split(' ')[0]), elf.shoff);

  // --- MIPS flags, as readelf spells them
  const tokens = flagsField.split(',').slice(1).map((s) => s.trim());
  const mi = mipsInfo(elf);
  assert.ok(mi.isMips);
  assert.ok(tokens.includes(mi.archName), `arch ${mi.archName} in ${flagsField}`);
  if (mi.machName) assert.ok(tokens.includes(mi.machName), `mach ${mi.machName} in ${flagsField}`);
  assert.equal(tokens.includes('noreorder'), mi.noreorder);
  assert.equal(tokens.includes('pic'), mi.pic);
  assert.equal(tokens.includes('cpic'), mi.cpic);
  assert.equal(tokens.includes('nan2008'), mi.nan2008);
  assert.equal(tokens.includes('abi2'), mi.abi === 'n32');
  if (elf.class === 32 && mi.abi === 'o32' && (elf.flags & 0xf000) !== 0) assert.ok(tokens.includes('o32'));

  // --- sections
  const rs = parseReadelfSections(text);
  assert.equal(rs.length, elf.sections.length, 'section count');
  for (const r of rs) {
    const s = elf.sections[r.nr]!;
    const ctx = `section [${r.nr}] ${r.name}`;
    assert.equal(s.name, r.name, ctx);
    const tn = SECTION_TYPES.get(s.type);
    if (tn !== undefined) assert.equal(tn, r.type, ctx);
    assert.equal(s.addr, r.addr, ctx);
    assert.equal(s.offset, r.off, ctx);
    assert.equal(s.size, r.size, ctx);
    assert.equal(s.entsize, r.es, ctx);
    assert.equal(s.link, r.lk, ctx);
    assert.equal(s.info, r.inf, ctx);
    assert.equal(s.addralign, r.al, ctx);
    for (const [letter, bit] of FLAG_LETTERS) {
      assert.equal(r.flg.includes(letter), (s.flags & BigInt(bit)) !== 0n, `${ctx} flag ${letter}`);
    }
    assert.equal(s.data().length, r.type === 'NOBITS' || r.type === 'NULL' ? 0 : r.size, ctx);
  }

  // --- symbols (readelf lists .symtab and/or .dynsym; ours is .symtab, else .dynsym)
  const tables = parseReadelfSymbols(text);
  const tableName = tables.has('.symtab') ? '.symtab' : '.dynsym';
  const rsyms = tables.get(tableName) ?? [];
  assert.equal(elf.symbols.length, rsyms.length, `${tableName} count`);
  for (const r of rsyms) {
    const s = elf.symbols[r.num]!;
    const ctx = `symbol ${r.num} ${r.name}`;
    // readelf appends @VERSION to dynamic symbol names and shows unnamed section symbols by section name.
    const shown = s.type === STT_SECTION && s.name === '' ? (elf.sections[s.shndx]?.name ?? '') : s.name;
    assert.equal(shown, tableName === '.dynsym' ? r.name.replace(/@.*$/, '') : r.name, ctx);
    assert.equal(s.value, r.value, ctx);
    assert.equal(s.size, r.size, ctx);
    assert.equal(SYM_TYPES[s.type] ?? '?', r.type, ctx);
    assert.equal(SYM_BINDS[s.bind] ?? '?', r.bind, ctx);
    assert.equal(SYM_VIS[s.visibility], r.vis, ctx);
    if (/^(\d+|UND|ABS|COM)$/.test(r.ndx)) assert.equal(ndxString(s.shndx), r.ndx, ctx);
  }

  // --- relocations
  const rrel = parseReadelfRelocs(text);
  const relSecs = elf.sections.filter((s) => s.type === SHT_REL || s.type === SHT_RELA);
  assert.deepEqual(relSecs.map((s) => s.name).sort(), [...rrel.keys()].sort());
  let relocCount = 0;
  for (const sec of relSecs) {
    const ours = relocations(elf, sec);
    const theirs = rrel.get(sec.name)!;
    assert.equal(ours.length, theirs.length, `${sec.name} count`);
    ours.forEach((o, i) => {
      const t = theirs[i]!;
      const ctx = `${sec.name}[${i}]`;
      assert.equal(o.offset, t.offset, ctx);
      assert.equal(o.info, t.info, `${ctx} info`);
      assert.equal(mipsRelocName(o.type), t.type, ctx);
      if (t.type2 !== undefined) assert.equal(mipsRelocName(o.type2), t.type2, ctx);
      if (t.type3 !== undefined) assert.equal(mipsRelocName(o.type3), t.type3, ctx);
      if (elf.class === 64) assert.ok(t.type2 !== undefined && t.type3 !== undefined, `${ctx} readelf shows Type2/Type3`);
      if (t.symName !== undefined) {
        const sym = o.symbol!;
        const expected = sym.type === STT_SECTION ? elf.sections[sym.shndx]!.name : sym.name;
        assert.equal(expected, t.symName.replace(/@.*$/, ''), ctx);
      }
      if (sec.type === SHT_RELA) {
        assert.equal(o.addend, t.addend ?? 0n, `${ctx} addend`);
      } else {
        assert.equal(o.addend, undefined);
      }
    });
    relocCount += ours.length;
  }
  return { relocCount };
}

describe('parseElf on compiler output', () => {
  for (const v of VARIANTS) {
    test(`${v.name}: ${v.triple}-gcc -c ${v.args.join(' ')}`, (t) => {
      const why = missing(`${v.triple}-gcc`, `${v.triple}-readelf`);
      if (why) return t.skip(why);
      const file = tmp.compile(v.triple, SOURCE, v.args);
      const elf = parseElf(readBytes(file));
      assert.equal(elf.class, v.cls);
      assert.equal(elf.endian, v.endian);
      assert.equal(elf.type, ET_REL);
      const mi = mipsInfo(elf);
      assert.equal(mi.abi, v.abi);
      assert.equal(mi.machName, v.mach);
      const { relocCount } = compareWithReadelf(v.triple, file, elf);
      assert.ok(relocCount > 10, `expected relocations, got ${relocCount}`);

      // Symbol helpers.
      for (const name of ['add', 'pick', 'main', 'scale']) {
        const s = elf.findSymbol(name);
        assert.ok(s, name);
        assert.equal(elf.sections[s.shndx]!.name, '.text');
      }
      assert.equal(elf.findSymbol('ext')?.shndx, SHN_UNDEF);
      assert.equal(elf.findSymbol('no_such_symbol'), undefined);
      assert.equal(elf.sectionByName('.text')?.name, '.text');
      // The .text bytes really are the code: first word of `add` matches the objdump word.
      const text = elf.sectionByName('.text')!;
      assert.ok(text.data().length > 0);
    });
  }
});

const KERNEL_SOURCE = `
int counter;
int values[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
__attribute__((noinline)) int square(int x) { return x * x; }
__attribute__((noinline)) int sum(void) { int s = 0; for (int i = 0; i < 8; i++) s += square(values[i]); return s; }
void start(void) { counter = sum(); for (;;) { } }
`;

interface LinkVariant {
  name: string;
  triple: Triple;
  args: string[];
  textAddr: bigint;
}
const LINK_VARIANTS: LinkVariant[] = [
  { name: 'n64 LE kernel-style executable', triple: LE, args: ['-mabi=64'], textAddr: 0xffffffff80100000n },
  { name: 'n64 BE kernel-style executable', triple: BE, args: ['-mabi=64', '-march=octeon2'], textAddr: 0xffffffff80100000n },
  { name: 'o32 LE executable', triple: LE, args: ['-mabi=32'], textAddr: 0x80100000n },
  { name: 'o32 BE executable', triple: BE, args: ['-mabi=32'], textAddr: 0x80100000n },
];

describe('parseElf on linked executables', () => {
  for (const v of LINK_VARIANTS) {
    test(v.name, (t) => {
      const why = missing(`${v.triple}-gcc`, `${v.triple}-readelf`, `${v.triple}-objdump`);
      if (why) return t.skip(why);
      const file = tmp.compile(
        v.triple,
        KERNEL_SOURCE,
        [
          '-O1', '-fno-pic', '-mno-abicalls', '-nostdlib', '-static', '-ffreestanding', '-G0',
          ...v.args, `-Wl,-Ttext=0x${v.textAddr.toString(16)}`, '-Wl,-e,start', '-Wl,--build-id=none',
        ],
        true,
      );
      const elf = parseElf(readBytes(file));
      assert.equal(elf.type, ET_EXEC);
      compareWithReadelf(v.triple, file, elf);

      // Entry point is `start`, within .text at the requested address.
      const start = elf.findSymbol('start')!;
      assert.equal(elf.entry, start.value);
      assert.equal(elf.sectionByName('.text')!.addr, v.textAddr);

      // Segments against readelf -l.
      const segs = parseReadelfSegments(readelf(v.triple, ['-l'], file));
      assert.equal(elf.segments.length, segs.length);
      assert.ok(segs.some((s) => s.type === 'LOAD'));
      segs.forEach((r, i) => {
        const s = elf.segments[i]!;
        assert.equal(s.offset, r.offset);
        assert.equal(s.vaddr, r.vaddr);
        assert.equal(s.paddr, r.paddr);
        assert.equal(s.filesz, r.filesz);
        assert.equal(s.memsz, r.memsz);
        assert.equal(s.align, r.align);
        assert.equal(r.type === 'LOAD', s.type === 1);
        assert.equal(r.flg, `${s.flags & 4 ? 'R' : ' '}${s.flags & 2 ? 'W' : ' '}${s.flags & 1 ? 'E' : ' '}`);
        assert.equal(s.data().length, s.filesz);
      });

      // The code bytes in the LOAD segment that contains the entry are what objdump disassembles,
      // and the SymbolTable reproduces objdump's `<sym>:` headers and `<sym+off>` annotations.
      const dis = parseObjdumpDisasm(run(`${v.triple}-objdump`, ['-d', file]).stdout);
      const table = SymbolTable.fromElf(elf);
      const seg = elf.segments.find((s) => s.type === 1 && s.vaddr <= elf.entry && elf.entry < s.vaddr + BigInt(s.memsz))!;
      const dv = new DataView(seg.data().buffer, seg.data().byteOffset, seg.data().byteLength);
      assert.ok(dis.insns.length > 10);
      for (const insn of dis.insns) {
        const off = Number(insn.addr - seg.vaddr);
        assert.equal(dv.getUint32(off, elf.endian === 'little'), insn.word, `word at ${insn.addr.toString(16)}`);
        const ann = /<([^>]+)>$/.exec(insn.text);
        if (ann && /^(jal|j|b\S*)\s/.test(insn.text)) {
          const target = BigInt('0x' + /([0-9a-f]+) <[^>]+>$/.exec(insn.text)![1]);
          assert.equal(table.format(target), `<${ann[1]}>`, insn.text);
        }
      }
      assert.ok(dis.labels.size >= 3);
      for (const [addr, label] of dis.labels) {
        assert.equal(table.symbolAt(addr)?.name, label);
        assert.equal(table.format(addr), `<${label}>`);
        assert.equal(table.format(addr + 4n), `<${label}+0x4>`);
      }
      assert.equal(table.byName('square')?.addr, elf.findSymbol('square')!.value);
    });
  }
});

describe('parseElf on a shared library (dynsym only)', () => {
  for (const triple of [LE, BE] as const) {
    const lib = `/usr/${triple}/lib/libc.so.6`;
    test(`${lib}`, (t) => {
      const why = missing(`${triple}-readelf`) ?? (existsSync(lib) ? undefined : `${lib} not present`);
      if (why) return t.skip(why);
      const file = lib;
      const elf = parseElf(readBytes(file));
      assert.equal(elf.class, 64);
      assert.ok(elf.segments.length > 0);
      assert.ok(elf.symbols.length > 1000, 'dynsym symbols');
      compareWithReadelf(triple, file, elf);
    });
  }
});
