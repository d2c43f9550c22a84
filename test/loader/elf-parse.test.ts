// Targeted parser checks on synthetic images: error messages for malformed input, extended
// section numbering (e_shnum == 0, e_shstrndx == SHN_XINDEX), both MIPS64 relocation layouts,
// ELF32 relocations, and MIPS e_flags decoding.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ElfError,
  SHN_XINDEX,
  canonicalAddress,
  SHT_REL,
  SHT_RELA,
  mipsInfo,
  mipsRelocName,
  parseElf,
  relocations,
  type ElfFile,
} from '../../src/emulator/loader/elf.js';
import { writeElf, type WriteElfOptions } from '../../src/emulator/loader/elf-writer.js';

function sample(cls: 32 | 64, endian: 'little' | 'big', extra: WriteElfOptions['sections'] = []): Uint8Array {
  return writeElf({
    class: cls,
    endian,
    type: 2,
    flags: cls === 64 ? 0x80000007 : 0x70001007,
    entry: cls === 64 ? 0xffffffff80100000n : 0x80100000n,
    sections: [
      { name: '.text', flags: 6, addr: cls === 64 ? 0xffffffff80100000n : 0x80100000n, align: 4, bytes: new Uint8Array(16) },
      ...extra,
    ],
    symbols: [
      { name: 'start', value: cls === 64 ? 0xffffffff80100000n : 0x80100000n, size: 16, section: '.text', type: 'func' },
      { name: 'target', value: cls === 64 ? 0xffffffff80100008n : 0x80100008n, section: '.text', type: 'func' },
    ],
  });
}

/** Field patcher for an image in its own byte order. */
class Patch {
  readonly dv: DataView;
  readonly little: boolean;
  readonly is64: boolean;
  constructor(readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.little = b[5] === 1;
    this.is64 = b[4] === 2;
  }
  u16(o: number, v: number): void {
    this.dv.setUint16(o, v, this.little);
  }
  u32(o: number, v: number): void {
    this.dv.setUint32(o, v, this.little);
  }
  word(o: number, v: bigint): void {
    if (this.is64) this.dv.setBigUint64(o, v, this.little);
    else this.dv.setUint32(o, Number(v), this.little);
  }
  get shoff(): number {
    return this.is64 ? Number(this.dv.getBigUint64(40, this.little)) : this.dv.getUint32(32, this.little);
  }
  get shentsize(): number {
    return this.dv.getUint16(this.is64 ? 58 : 46, this.little);
  }
  /** Offset of a section header field. */
  sh(i: number, field: 'name' | 'type' | 'flags' | 'addr' | 'offset' | 'size' | 'link' | 'info' | 'align' | 'entsize'): number {
    const f64 = { name: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, align: 48, entsize: 56 };
    const f32 = { name: 0, type: 4, flags: 8, addr: 12, offset: 16, size: 20, link: 24, info: 28, align: 32, entsize: 36 };
    return this.shoff + i * this.shentsize + (this.is64 ? f64 : f32)[field];
  }
  /** Writes a section-header field of natural width (word-sized for flags/addr/offset/size/align/entsize). */
  setSh(i: number, field: Parameters<Patch['sh']>[1], v: bigint): void {
    const o = this.sh(i, field);
    if (field === 'name' || field === 'type' || field === 'link' || field === 'info') this.u32(o, Number(v));
    else this.word(o, v);
  }
  readSh(i: number, field: Parameters<Patch['sh']>[1]): number {
    const o = this.sh(i, field);
    if (field === 'name' || field === 'type' || field === 'link' || field === 'info' || !this.is64) return this.dv.getUint32(o, this.little);
    return Number(this.dv.getBigUint64(o, this.little));
  }
}

function throwsElf(bytes: Uint8Array, re: RegExp): void {
  assert.throws(
    () => parseElf(bytes),
    (e: unknown) => {
      assert.ok(e instanceof ElfError, `expected ElfError, got ${String(e)}`);
      assert.match(e.message, re);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    },
  );
}

describe('malformed input → ElfError', () => {
  test('bad magic / empty / tiny', () => {
    throwsElf(new Uint8Array(0), /^not an ELF file \(bad magic\)$/);
    throwsElf(new TextEncoder().encode('#!/bin/sh\necho hi\n'), /^not an ELF file \(bad magic\)$/);
    throwsElf(Uint8Array.from([0x7f, 0x45, 0x4c]), /bad magic/);
    throwsElf(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]), /truncated ELF: identification/);
  });

  test('bad class and data bytes', () => {
    const a = sample(64, 'little');
    a[4] = 3;
    throwsElf(a, /unsupported ELF class 3/);
    const b = sample(64, 'little');
    b[5] = 0;
    throwsElf(b, /unsupported ELF data encoding 0/);
  });

  test('truncated header', () => {
    throwsElf(sample(64, 'big').subarray(0, 40), /truncated ELF: file is 40 bytes, smaller than the 64-byte ELF64 header/);
    throwsElf(sample(32, 'big').subarray(0, 51), /smaller than the 52-byte ELF32 header/);
  });

  test('section header table past end of file', () => {
    for (const [cls, endian] of [[64, 'little'], [32, 'big']] as const) {
      const full = sample(cls, endian);
      throwsElf(
        full.subarray(0, full.length - 1),
        /^truncated ELF: section header table extends past end of file \(offset 0x[0-9a-f]+, size 0x[0-9a-f]+, file 0x[0-9a-f]+\)$/,
      );
      const p = new Patch(sample(cls, endian));
      p.word(cls === 64 ? 40 : 32, 0xfffffff0n);
      throwsElf(p.b, /section header table extends past end of file/);
    }
  });

  test('huge 64-bit offsets and counts', () => {
    const p = new Patch(sample(64, 'little'));
    p.word(40, 0xffffffffffffff00n);
    throwsElf(p.b, /section header table offset 0xffffffffffffff00 is too large/);
    const q = new Patch(sample(64, 'big'));
    q.u16(60, 0); // e_shnum = 0 → count from section 0's sh_size
    q.setSh(0, 'size', 0x7fffffffn);
    throwsElf(q.b, /section header table extends past end of file/);
    const r = new Patch(sample(64, 'big'));
    r.u16(60, 0);
    r.setSh(0, 'size', 0xffffffffffffffffn);
    throwsElf(r.b, /too large/);
    const s = new Patch(sample(32, 'little'));
    s.u16(44, 0xffff); // e_phnum
    throwsElf(s.b, /program header table extends past end of file/);
  });

  test('section string table index out of range', () => {
    const p = new Patch(sample(32, 'little'));
    p.u16(50, 99);
    throwsElf(p.b, /^malformed ELF: section string table index 99 is out of range \(\d+ sections\)$/);
  });

  test('section data past end of file', () => {
    const p = new Patch(sample(64, 'big'));
    p.setSh(1, 'size', 0x100000n);
    throwsElf(p.b, /^truncated ELF: section 1 \(type 0x1\) extends past end of file \(offset 0x[0-9a-f]+, size 0x100000, file 0x[0-9a-f]+\)$/);
    // NOBITS sections may be any size.
    const q = new Patch(sample(64, 'big'));
    q.setSh(1, 'type', 8n);
    q.setSh(1, 'size', 0x100000000n);
    assert.equal(parseElf(q.b).sections[1]!.size, 0x100000000);
  });

  test('names without NUL and name offsets out of range', () => {
    const elf = parseElf(sample(64, 'little'));
    const shstr = elf.shstrndx;
    const p = new Patch(sample(64, 'little'));
    p.setSh(shstr, 'size', BigInt(p.readSh(shstr, 'size') - 1)); // cut the final NUL of ".shstrtab"
    throwsElf(p.b, /not NUL-terminated/);
    const q = new Patch(sample(64, 'little'));
    q.setSh(1, 'name', 0x10000n);
    throwsElf(q.b, /^malformed ELF: section 1 name offset 0x10000 is outside its string table/);
    const strtab = elf.sections.findIndex((s) => s.name === '.strtab');
    const r = new Patch(sample(64, 'little'));
    r.setSh(strtab, 'size', BigInt(r.readSh(strtab, 'size') - 1)); // last symbol name loses its NUL
    throwsElf(r.b, /^malformed ELF: symbol 2 name at offset 0x[0-9a-f]+ is not NUL-terminated$/);
    const s = new Patch(sample(32, 'big'));
    const symtab = elf.sections.findIndex((x) => x.name === '.symtab');
    s.setSh(symtab, 'link', 1000n);
    throwsElf(s.b, /links to string table 1000, which does not exist/);
  });

  test('entry sizes smaller than the structure', () => {
    const p = new Patch(sample(64, 'little'));
    p.u16(58, 32);
    throwsElf(p.b, /section header entry size 32 is smaller than 64/);
    const q = new Patch(sample(32, 'little'));
    q.u16(42, 8);
    throwsElf(q.b, /program header entry size 8 is smaller than 32/);
  });
});

describe('section numbering edge cases', () => {
  test('e_shoff == 0: no sections, no symbols, segments still read', () => {
    const p = new Patch(sample(64, 'big'));
    p.word(40, 0n);
    const elf = parseElf(p.b);
    assert.equal(elf.sections.length, 0);
    assert.equal(elf.symbols.length, 0);
    assert.equal(elf.segments.length, 1);
    assert.equal(elf.shstrndx, 0);
  });

  test('e_shnum == 0 with the count in section 0 sh_size, e_shstrndx == SHN_XINDEX with it in sh_link', () => {
    for (const [cls, endian] of [[64, 'little'], [32, 'big']] as const) {
      const orig = parseElf(sample(cls, endian));
      const p = new Patch(sample(cls, endian));
      const b = cls === 64 ? 52 : 40;
      p.u16(b + 8, 0);
      p.u16(b + 10, SHN_XINDEX);
      p.setSh(0, 'size', BigInt(orig.sections.length));
      p.setSh(0, 'link', BigInt(orig.shstrndx));
      const elf = parseElf(p.b);
      assert.deepEqual(elf.sections.map((s) => s.name), orig.sections.map((s) => s.name));
      assert.equal(elf.shstrndx, orig.shstrndx);
      assert.equal(elf.findSymbol('start')!.value, orig.findSymbol('start')!.value);
    }
  });

  test('e_shstrndx == SHN_UNDEF: sections have empty names', () => {
    const p = new Patch(sample(32, 'little'));
    p.u16(50, 0);
    const elf = parseElf(p.b);
    assert.ok(elf.sections.length > 1);
    assert.ok(elf.sections.every((s) => s.name === ''));
    assert.equal(elf.findSymbol('start')!.size, 16n); // symbol names come from .strtab, not shstrtab
  });
});

/** Builds an image with a relocation section (a PROGBITS section patched into SHT_REL/RELA). */
function withRelocs(cls: 32 | 64, endian: 'little' | 'big', rela: boolean, entries: Uint8Array, machine = 8): ElfFile {
  const bytes = sample(cls, endian, [{ name: rela ? '.rela.text' : '.rel.text', flags: 0x40, align: cls === 64 ? 8 : 4, bytes: entries }]);
  const p = new Patch(bytes);
  const pre = parseElf(bytes);
  const idx = pre.sections.findIndex((s) => s.name.startsWith('.rel'));
  const symtab = pre.sections.findIndex((s) => s.name === '.symtab');
  p.setSh(idx, 'type', BigInt(rela ? SHT_RELA : SHT_REL));
  p.setSh(idx, 'link', BigInt(symtab));
  p.setSh(idx, 'info', 1n);
  p.setSh(idx, 'entsize', BigInt((cls === 64 ? 16 : 8) + (rela ? (cls === 64 ? 8 : 4) : 0)));
  p.u16(18, machine);
  return parseElf(p.b);
}

describe('relocations', () => {
  test('MIPS64 little-endian r_info layout (r_sym LE u32, then ssym, type3, type2, type bytes)', () => {
    const b = new Uint8Array(48);
    const dv = new DataView(b.buffer);
    // #0: offset 0x10, sym 2 (target), R_MIPS_GPREL16 / R_MIPS_SUB / R_MIPS_HI16, addend -8
    dv.setBigUint64(0, 0x10n, true);
    dv.setUint32(8, 2, true);
    b.set([0, 5, 24, 7], 12);
    dv.setBigInt64(16, -8n, true);
    // #1: offset 0x20, sym 1 (start), R_MIPS_64 only, addend 0x1234
    dv.setBigUint64(24, 0x20n, true);
    dv.setUint32(32, 1, true);
    b.set([0, 0, 0, 18], 36);
    dv.setBigInt64(40, 0x1234n, true);
    const elf = withRelocs(64, 'little', true, b);
    const [r0, r1] = relocations(elf, elf.sectionByName('.rela.text')!);
    assert.equal(r0!.offset, 0x10n);
    assert.equal(r0!.sym, 2);
    assert.equal(r0!.symbol?.name, 'target');
    assert.equal(mipsRelocName(r0!.type), 'R_MIPS_GPREL16');
    assert.equal(mipsRelocName(r0!.type2), 'R_MIPS_SUB');
    assert.equal(mipsRelocName(r0!.type3), 'R_MIPS_HI16');
    assert.equal(r0!.info, 0x0000000200051807n); // readelf's canonical form
    assert.equal(r0!.addend, -8n);
    assert.equal(r1!.symbol?.name, 'start');
    assert.equal(mipsRelocName(r1!.type), 'R_MIPS_64');
    assert.equal(r1!.type2, 0);
    assert.equal(r1!.addend, 0x1234n);
  });

  test('MIPS64 big-endian r_info layout', () => {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, 0x44n, false);
    dv.setUint32(8, 2, false);
    b.set([0, 6, 24, 7], 12);
    const elf = withRelocs(64, 'big', false, b);
    const [r] = elf.relocations(elf.sectionByName('.rel.text')!);
    assert.equal(r!.offset, 0x44n);
    assert.equal(r!.symbol?.name, 'target');
    assert.equal(r!.type, 7);
    assert.equal(r!.type2, 24);
    assert.equal(r!.type3, 6);
    assert.equal(r!.info, 0x0000000200061807n);
    assert.equal(r!.addend, undefined);
  });

  test('non-MIPS ELF64 uses the standard sym<<32|type r_info', () => {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, 8n, true);
    dv.setBigUint64(8, (1n << 32n) | 0x2an, true);
    dv.setBigInt64(16, 4n, true);
    const elf = withRelocs(64, 'little', true, b, 62);
    const [r] = elf.relocations(elf.sectionByName('.rela.text')!);
    assert.equal(r!.sym, 1);
    assert.equal(r!.type, 0x2a);
    assert.equal(r!.type2, 0);
    assert.equal(r!.addend, 4n);
  });

  test('ELF32 REL and RELA, both byte orders', () => {
    for (const endian of ['little', 'big'] as const) {
      const little = endian === 'little';
      const b = new Uint8Array(12);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, 0x80100004, little);
      dv.setUint32(4, (2 << 8) | 4, little); // sym 2, R_MIPS_26
      dv.setInt32(8, -4, little);
      const rel = withRelocs(32, endian, false, b.subarray(0, 8));
      const [r] = rel.relocations(rel.sectionByName('.rel.text')!);
      assert.equal(r!.offset, 0x80100004n);
      assert.equal(r!.info, 0x204n);
      assert.equal(r!.symbol?.name, 'target');
      assert.equal(mipsRelocName(r!.type), 'R_MIPS_26');
      const rela = withRelocs(32, endian, true, b);
      const [ra] = rela.relocations(rela.sectionByName('.rela.text')!);
      assert.equal(ra!.addend, -4n);
    }
  });

  test('relocations() on a non-relocation section throws ElfError', () => {
    const elf = parseElf(sample(64, 'little'));
    assert.throws(() => relocations(elf, elf.sectionByName('.text')!), ElfError);
  });
});

test('canonicalAddress sign-extends ELF32 addresses only', () => {
  const e32 = parseElf(sample(32, 'little'));
  assert.equal(canonicalAddress(e32, e32.entry), 0xffffffff80100000n);
  assert.equal(canonicalAddress(e32, 0x00400000n), 0x00400000n);
  const e64 = parseElf(sample(64, 'little'));
  assert.equal(canonicalAddress(e64, 0x80100000n), 0x80100000n);
});

describe('mipsInfo', () => {
  const withFlags = (cls: 32 | 64, flags: number, machine = 8) => {
    const p = new Patch(sample(cls, 'big'));
    p.u32(cls === 64 ? 48 : 36, flags >>> 0);
    p.u16(18, machine);
    return mipsInfo(parseElf(p.b));
  };

  test('octeon machines', () => {
    const o2 = withFlags(64, 0x808d0007);
    assert.equal(o2.machName, 'octeon2');
    assert.equal(o2.mach, 0x008d0000);
    assert.equal(o2.archName, 'mips64r2');
    assert.ok(o2.noreorder && o2.pic && o2.cpic && o2.isMips && o2.is64BitIsa);
    assert.equal(o2.abi, 'n64');
    assert.equal(withFlags(64, 0x808b0001).machName, 'octeon');
    assert.equal(withFlags(64, 0x808e0001).machName, 'octeon3');
    assert.equal(withFlags(64, 0x80000001).machName, undefined);
  });

  test('arch levels', () => {
    const names = ['mips1', 'mips2', 'mips3', 'mips4', 'mips5', 'mips32', 'mips64', 'mips32r2', 'mips64r2', 'mips32r6', 'mips64r6'];
    names.forEach((n, i) => assert.equal(withFlags(32, (i << 28) >>> 0).archName, n));
    assert.match(withFlags(32, 0xf0000000).archName, /^unknown/);
  });

  test('ABIs and misc flags', () => {
    assert.equal(withFlags(32, 0x70001007).abi, 'o32');
    assert.equal(withFlags(32, 0x70000000).abi, 'o32');
    assert.equal(withFlags(32, 0x80000027).abi, 'n32');
    assert.equal(withFlags(32, 0x60002000).abi, 'o64');
    assert.equal(withFlags(32, 0x00003000).abi, 'eabi32');
    assert.equal(withFlags(64, 0xa0000407).abi, 'n64');
    const f = withFlags(64, 0xa0000407);
    assert.ok(f.nan2008 && !f.fp64 && !f.micromips);
    assert.equal(withFlags(32, 0x72000200).micromips, true);
    assert.equal(withFlags(32, 0x72000200).fp64, true);
    assert.equal(withFlags(64, 0, 62).isMips, false);
  });
});
