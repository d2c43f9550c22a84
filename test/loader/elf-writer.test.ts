// writeElf round trips: writer → parseElf, and writer → readelf/objdump (accepted without
// warnings; objdump disassembles the words we wrote at the addresses we gave; -t lists our symbols).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ElfError,
  EM_MIPS,
  ET_EXEC,
  ET_REL,
  PT_LOAD,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  mipsInfo,
  parseElf,
} from '../../src/emulator/loader/elf.js';
import { writeElf, type WriteElfOptions } from '../../src/emulator/loader/elf-writer.js';
import { SymbolTable } from '../../src/emulator/loader/symbols.js';
import { BE, LE, TempDir, missing, parseObjdumpDisasm, parseObjdumpSymbols, run, type Triple } from './toolchain.js';

// addiu sp,sp,-16 / li v0,1 / jr ra / nop / lui a0,0x8010 / addiu a0,a0,0x100 / jr ra / nop
const CODE = [0x27bdfff0, 0x24020001, 0x03e00008, 0x00000000, 0x3c048010, 0x24840100, 0x03e00008, 0x00000000];
const DIS = ['addiu\tsp,sp,-16', 'li\tv0,1', 'jr\tra', 'nop', 'lui\ta0,0x8010', 'addiu\ta0,a0,256', 'jr\tra', 'nop'];

function words(ws: number[], little: boolean): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w, little));
  return b;
}

interface Case {
  cls: 32 | 64;
  endian: 'little' | 'big';
  type: typeof ET_EXEC | typeof ET_REL;
}
const CASES: Case[] = [];
for (const cls of [32, 64] as const) {
  for (const endian of ['little', 'big'] as const) {
    for (const type of [ET_EXEC, ET_REL] as const) CASES.push({ cls, endian, type });
  }
}

function options(c: Case): WriteElfOptions {
  const exec = c.type === ET_EXEC;
  const base = exec ? (c.cls === 64 ? 0xffffffff80100000n : 0x80100000n) : 0n;
  const dataAddr = exec ? base + 0x1000n : 0n;
  const bssAddr = exec ? base + 0x2000n : 0n;
  const little = c.endian === 'little';
  // mips64r2 + noreorder for ELF64; mips32r2 + o32 + noreorder for ELF32.
  const flags = c.cls === 64 ? 0x80000001 : 0x70001001;
  return {
    class: c.cls,
    endian: c.endian,
    type: c.type,
    flags,
    entry: base,
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addr: base, align: 16, bytes: words(CODE, little) },
      { name: '.data', flags: SHF_ALLOC | SHF_WRITE, addr: dataAddr, align: 8, bytes: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
      { name: '.bss', type: 'nobits', flags: SHF_ALLOC | SHF_WRITE, addr: bssAddr, align: 16, size: 0x40 },
      { name: '.comment', flags: 0, align: 1, bytes: new TextEncoder().encode('MIPS64 Studio\0') },
    ],
    symbols: [
      { name: 'start', value: base, size: 16, section: '.text', type: 'func' },
      { name: 'helper', value: base + 16n, size: 16, section: '.text', type: 'func', bind: 'local' },
      { name: 'table', value: dataAddr, size: 9, section: '.data', type: 'object' },
      { name: 'buffer', value: bssAddr + 0x10n, size: 0x30, section: '.bss', type: 'object', bind: 'weak' },
      { name: 'local_label', value: base + 8n, section: '.text', bind: 'local' },
      { name: 'MAGIC', value: 0x1234, section: 'ABS' },
      { name: 'external_fn', value: 0, section: 'UNDEF' },
    ],
  };
}

const tmp = new TempDir();
after(() => tmp.remove());

const label = (c: Case): string => `ELF${c.cls} ${c.endian}-endian ${c.type === ET_EXEC ? 'ET_EXEC' : 'ET_REL'}`;

describe('writeElf → parseElf', () => {
  for (const c of CASES) {
    test(label(c), () => {
      const opts = options(c);
      const elf = parseElf(writeElf(opts));
      assert.equal(elf.class, c.cls);
      assert.equal(elf.endian, c.endian);
      assert.equal(elf.type, c.type);
      assert.equal(elf.machine, EM_MIPS);
      assert.equal(elf.flags, opts.flags);
      assert.equal(elf.entry, BigInt(opts.entry!));
      const mi = mipsInfo(elf);
      assert.equal(mi.archName, c.cls === 64 ? 'mips64r2' : 'mips32r2');
      assert.equal(mi.abi, c.cls === 64 ? 'n64' : 'o32');
      assert.ok(mi.noreorder && !mi.pic);

      assert.deepEqual(
        elf.sections.map((s) => s.name),
        ['', '.text', '.data', '.bss', '.comment', '.symtab', '.strtab', '.shstrtab'],
      );
      assert.equal(elf.shstrndx, 7);
      opts.sections.forEach((w, i) => {
        const s = elf.sections[i + 1]!;
        assert.equal(s.type, w.type === 'nobits' ? SHT_NOBITS : SHT_PROGBITS);
        assert.equal(s.flags, BigInt(w.flags!));
        assert.equal(s.addr, BigInt(w.addr ?? 0));
        assert.equal(s.addralign, w.align);
        if (w.type === 'nobits') {
          assert.equal(s.size, w.size);
          assert.equal(s.data().length, 0);
        } else {
          assert.deepEqual(s.data(), w.bytes);
          assert.equal(s.offset % w.align!, 0);
        }
      });
      const symtab = elf.sections[5]!;
      assert.equal(symtab.type, SHT_SYMTAB);
      assert.equal(symtab.link, 6);
      assert.equal(elf.sections[6]!.type, SHT_STRTAB);
      // Locals first; sh_info = index of the first non-local symbol.
      assert.deepEqual(
        elf.symbols.map((s) => s.name),
        ['', 'helper', 'local_label', 'start', 'table', 'buffer', 'MAGIC', 'external_fn'],
      );
      assert.equal(symtab.info, 3);
      elf.symbols.forEach((s, i) => assert.equal(s.bind === STB_LOCAL, i < 3, s.name));
      const start = elf.findSymbol('start')!;
      assert.equal(start.type, STT_FUNC);
      assert.equal(start.bind, STB_GLOBAL);
      assert.equal(start.size, 16n);
      assert.equal(elf.sections[start.shndx]!.name, '.text');
      assert.equal(elf.findSymbol('table')!.type, STT_OBJECT);
      assert.equal(elf.findSymbol('buffer')!.bind, 2);
      assert.equal(elf.findSymbol('local_label')!.type, STT_NOTYPE);
      assert.equal(elf.findSymbol('MAGIC')!.shndx, SHN_ABS);
      assert.equal(elf.findSymbol('MAGIC')!.value, 0x1234n);
      assert.equal(elf.findSymbol('external_fn')!.shndx, 0);

      if (c.type === ET_EXEC) {
        // One PT_LOAD per allocatable section, sorted by address, offset ≡ vaddr (mod align).
        assert.equal(elf.segments.length, 3);
        for (const seg of elf.segments) {
          assert.equal(seg.type, PT_LOAD);
          assert.equal(BigInt(seg.offset) % BigInt(seg.align), seg.vaddr % BigInt(seg.align));
        }
        const [text, data, bss] = elf.segments;
        assert.equal(text!.vaddr, BigInt(opts.entry!));
        assert.equal(text!.flags, 5); // R+X
        assert.deepEqual(text!.data(), opts.sections[0]!.bytes);
        assert.equal(data!.flags, 6); // R+W
        assert.equal(bss!.filesz, 0);
        assert.equal(bss!.memsz, 0x40);
        // The symbol table works on the parsed result.
        const table = SymbolTable.fromElf(elf);
        assert.equal(table.format(BigInt(opts.entry!) + 4n), '<start+0x4>');
        assert.equal(table.format(BigInt(opts.entry!) + 0x14n), '<helper+0x4>');
        assert.equal(table.format(BigInt(opts.entry!) + 0x2018n), '<buffer+0x8>');
      } else {
        assert.equal(elf.segments.length, 0);
        assert.equal(elf.phoff, 0);
      }
    });
  }

  test('rejects inconsistent input with ElfError', () => {
    const base: WriteElfOptions = { class: 32, endian: 'little', sections: [] };
    assert.throws(() => writeElf({ ...base, sections: [{ name: '.text', align: 3 }] }), ElfError);
    assert.throws(() => writeElf({ ...base, sections: [{ name: '.text', addr: 0x1002, align: 4 }] }), ElfError);
    assert.throws(() => writeElf({ ...base, entry: 0x100000000n }), ElfError);
    assert.throws(() => writeElf({ ...base, symbols: [{ name: 'x', value: 0, section: '.nope' }] }), ElfError);
    // An empty file is still valid: null section + symtab/strtab/shstrtab.
    const e = parseElf(writeElf(base));
    assert.equal(e.sections.length, 4);
    assert.equal(e.symbols.length, 1);
  });
});

describe('writeElf → readelf / objdump', () => {
  for (const c of CASES) {
    const triple: Triple = c.endian === 'little' ? LE : BE;
    test(label(c), (t) => {
      const why = missing(`${triple}-readelf`, `${triple}-objdump`);
      if (why) return t.skip(why);
      const opts = options(c);
      const file = tmp.file(`w${c.cls}${c.endian}${c.type}.elf`, writeElf(opts));

      const re = run(`${triple}-readelf`, ['-a', '-W', file]);
      assert.equal(re.stderr, '', 'readelf -a stderr');
      assert.doesNotMatch(re.stdout, /warning|error|corrupt/i);
      assert.match(re.stdout, new RegExp(`Class:\\s+ELF${c.cls}`));
      assert.match(re.stdout, c.type === ET_EXEC ? /Type:\s+EXEC/ : /Type:\s+REL/);
      if (c.type === ET_EXEC) assert.match(re.stdout, /Section to Segment mapping/);

      const od = run(`${triple}-objdump`, ['-d', '-t', file]);
      assert.equal(od.stderr, '', 'objdump stderr');
      assert.doesNotMatch(od.stdout, /warning/i);
      assert.match(od.stdout, new RegExp(`file format elf${c.cls}-trad${c.endian === 'little' ? 'little' : 'big'}mips`));

      const base = BigInt(opts.entry!);
      const dis = parseObjdumpDisasm(od.stdout);
      assert.equal(dis.insns.length, CODE.length);
      dis.insns.forEach((insn, i) => {
        assert.equal(insn.addr, base + BigInt(i * 4));
        assert.equal(insn.word, CODE[i]);
        assert.equal(insn.text, DIS[i]);
      });
      assert.equal(dis.labels.get(base), 'start');
      assert.equal(dis.labels.get(base + 16n), 'helper');

      const syms = parseObjdumpSymbols(od.stdout);
      const find = (name: string) => {
        const s = syms.find((x) => x.name === name);
        assert.ok(s, `objdump -t lists ${name}`);
        return s;
      };
      const width = c.cls === 64 ? 16 : 8;
      assert.match(od.stdout, new RegExp(`^${base.toString(16).padStart(width, '0')} g +F \\.text\\s+0+10 start$`, 'm'));
      assert.equal(find('start').flags[0], 'g');
      assert.equal(find('start').flags[6], 'F');
      assert.equal(find('helper').flags[0], 'l');
      assert.equal(find('helper').addr, base + 16n);
      assert.equal(find('table').section, '.data');
      assert.equal(find('table').flags[6], 'O');
      assert.equal(find('table').size, 9n);
      assert.equal(find('buffer').section, '.bss');
      assert.equal(find('buffer').flags[1], 'w');
      assert.equal(find('MAGIC').section, '*ABS*');
      assert.equal(find('MAGIC').addr, 0x1234n);
      assert.equal(find('external_fn').section, '*UND*');
    });
  }
});
