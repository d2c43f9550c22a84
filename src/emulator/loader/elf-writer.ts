// Minimal ELF writer: ELF32/ELF64, either byte order, ET_REL or ET_EXEC, user sections
// (PROGBITS/NOBITS) plus generated .symtab/.strtab/.shstrtab, and for ET_EXEC one PT_LOAD
// program header per allocatable section. Used by tests and tools to produce small images.

import {
  ElfError,
  EM_MIPS,
  ET_EXEC,
  ET_REL,
  PF_R,
  PF_W,
  PF_X,
  PT_LOAD,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHN_UNDEF,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
} from './elf.js';

export interface WriteElfSection {
  name: string;
  /** Default 'progbits'. */
  type?: 'progbits' | 'nobits';
  /** SHF_* bits, default SHF_ALLOC. */
  flags?: number | bigint;
  /** Virtual address (ET_EXEC); default 0. */
  addr?: bigint | number;
  /** sh_addralign, a power of two; default 4 (1 for non-alloc sections). */
  align?: number;
  /** Contents for PROGBITS. */
  bytes?: Uint8Array;
  /** Size for NOBITS (default: bytes?.length ?? 0). */
  size?: number;
}

export interface WriteElfSymbol {
  name: string;
  value: bigint | number;
  /** Default 0. */
  size?: bigint | number;
  /** A section name from `sections`, 'ABS', or 'UNDEF'. */
  section: string;
  /** Default 'global'. */
  bind?: 'local' | 'global' | 'weak';
  /** Default 'notype'. */
  type?: 'notype' | 'func' | 'object';
}

export interface WriteElfOptions {
  class: 32 | 64;
  endian: 'little' | 'big';
  /** Default ET_EXEC. */
  type?: typeof ET_REL | typeof ET_EXEC;
  /** Default EM_MIPS. */
  machine?: number;
  /** e_flags. Default 0. */
  flags?: number;
  /** Default 0. */
  entry?: bigint | number;
  sections: WriteElfSection[];
  symbols?: WriteElfSymbol[];
}

const align = (v: number, a: number): number => (a <= 1 ? v : Math.ceil(v / a) * a);

class StrTab {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private readonly seen = new Map<string, number>();
  add(s: string): number {
    if (s === '') return 0;
    const hit = this.seen.get(s);
    if (hit !== undefined) return hit;
    const enc = new TextEncoder().encode(s);
    if (enc.includes(0)) throw new ElfError(`invalid ELF writer input: name ${JSON.stringify(s)} contains NUL`);
    const off = this.size;
    const b = new Uint8Array(enc.length + 1);
    b.set(enc);
    this.parts.push(b);
    this.size += b.length;
    this.seen.set(s, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

interface Shdr {
  name: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

/** Produces a complete ELF image. Throws ElfError on inconsistent input. */
export function writeElf(opts: WriteElfOptions): Uint8Array {
  const is64 = opts.class === 64;
  if (opts.class !== 32 && opts.class !== 64) throw new ElfError(`invalid ELF writer input: class ${String(opts.class)}`);
  const little = opts.endian === 'little';
  const etype = opts.type ?? ET_EXEC;
  const addrMax = is64 ? (1n << 64n) - 1n : (1n << 32n) - 1n;
  const addrOk = (v: bigint, what: string): bigint => {
    if (v < 0n || v > addrMax) throw new ElfError(`invalid ELF writer input: ${what} ${v.toString(16)} does not fit ELF${opts.class}`);
    return v;
  };

  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const symentsize = is64 ? 24 : 16;
  const wordAlign = is64 ? 8 : 4;

  const user = opts.sections.map((s, i) => {
    const type = (s.type ?? 'progbits') === 'nobits' ? SHT_NOBITS : SHT_PROGBITS;
    const flags = BigInt(s.flags ?? SHF_ALLOC);
    const alloc = (flags & BigInt(SHF_ALLOC)) !== 0n;
    const al = s.align ?? (alloc ? 4 : 1);
    if (!Number.isInteger(al) || al < 1 || (al & (al - 1)) !== 0) {
      throw new ElfError(`invalid ELF writer input: section ${s.name} alignment ${al} is not a power of two`);
    }
    const bytes = type === SHT_NOBITS ? new Uint8Array(0) : (s.bytes ?? new Uint8Array(0));
    const size = type === SHT_NOBITS ? (s.size ?? s.bytes?.length ?? 0) : bytes.length;
    const addr = addrOk(BigInt(s.addr ?? 0), `section ${s.name} address`);
    if (alloc && al > 1 && addr % BigInt(al) !== 0n) {
      throw new ElfError(`invalid ELF writer input: section ${s.name} address 0x${addr.toString(16)} is not ${al}-aligned`);
    }
    return { index: i + 1, name: s.name, type, flags, alloc, align: al, bytes, size, addr };
  });
  const secIndex = new Map<string, number>();
  for (const s of user) if (!secIndex.has(s.name)) secIndex.set(s.name, s.index);

  const strtabIdx = user.length + 2; // .symtab is user.length + 1
  const shstrtabIdx = user.length + 3;
  const shnum = user.length + 4;

  // --- symbols (locals first) ---------------------------------------------------------------
  const strtab = new StrTab();
  const syms = (opts.symbols ?? []).map((s) => {
    const bind = s.bind === 'local' ? STB_LOCAL : s.bind === 'weak' ? STB_WEAK : STB_GLOBAL;
    const type = s.type === 'func' ? STT_FUNC : s.type === 'object' ? STT_OBJECT : STT_NOTYPE;
    let shndx: number;
    if (s.section === 'ABS') shndx = SHN_ABS;
    else if (s.section === 'UNDEF') shndx = SHN_UNDEF;
    else {
      const idx = secIndex.get(s.section);
      if (idx === undefined) throw new ElfError(`invalid ELF writer input: symbol ${s.name} refers to unknown section ${s.section}`);
      shndx = idx;
    }
    return {
      name: strtab.add(s.name),
      value: addrOk(BigInt(s.value), `symbol ${s.name} value`),
      size: addrOk(BigInt(s.size ?? 0), `symbol ${s.name} size`),
      info: (bind << 4) | type,
      shndx,
      local: bind === STB_LOCAL,
    };
  });
  const ordered = [...syms.filter((s) => s.local), ...syms.filter((s) => !s.local)];
  const firstGlobal = 1 + syms.filter((s) => s.local).length;

  const shstrtab = new StrTab();
  const names = user.map((s) => shstrtab.add(s.name));
  const symtabName = shstrtab.add('.symtab');
  const strtabName = shstrtab.add('.strtab');
  const shstrtabName = shstrtab.add('.shstrtab');

  // --- layout ---------------------------------------------------------------------------------
  const loadable = etype === ET_EXEC ? user.filter((s) => s.alloc) : [];
  const phnum = loadable.length;
  let off = ehsize;
  const phoff = phnum > 0 ? off : 0;
  off += phnum * phentsize;
  const secOff: number[] = [];
  for (const s of user) {
    // Keep file offset congruent with the address modulo the alignment (needed for PT_LOAD).
    off = align(off, s.align);
    secOff.push(off);
    if (s.type !== SHT_NOBITS) off += s.size;
  }
  off = align(off, wordAlign);
  const symtabOff = off;
  const symtabSize = (ordered.length + 1) * symentsize;
  off += symtabSize;
  const strBytes = strtab.bytes();
  const strtabOff = off;
  off += strBytes.length;
  const shstrBytes = shstrtab.bytes();
  const shstrtabOff = off;
  off += shstrBytes.length;
  off = align(off, wordAlign);
  const shoff = off;
  off += shnum * shentsize;
  const total = off;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const u16 = (o: number, v: number): void => dv.setUint16(o, v, little);
  const u32 = (o: number, v: number): void => dv.setUint32(o, v >>> 0, little);
  const u64 = (o: number, v: bigint): void => dv.setBigUint64(o, BigInt.asUintN(64, v), little);
  const word = (o: number, v: bigint): void => (is64 ? u64(o, v) : u32(o, Number(BigInt.asUintN(32, v))));

  // --- ELF header -----------------------------------------------------------------------------
  out.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, little ? 1 : 2, 1, 0]);
  u16(16, etype);
  u16(18, opts.machine ?? EM_MIPS);
  u32(20, 1);
  word(24, addrOk(BigInt(opts.entry ?? 0), 'entry'));
  if (is64) {
    u64(32, BigInt(phoff));
    u64(40, BigInt(shoff));
    u32(48, opts.flags ?? 0);
  } else {
    u32(28, phoff);
    u32(32, shoff);
    u32(36, opts.flags ?? 0);
  }
  const b = is64 ? 52 : 40;
  u16(b, ehsize);
  u16(b + 2, phnum > 0 ? phentsize : 0);
  u16(b + 4, phnum);
  u16(b + 6, shentsize);
  u16(b + 8, shnum);
  u16(b + 10, shstrtabIdx);

  // --- program headers (sorted by address) -----------------------------------------------------
  const segs = loadable.map((s) => ({ s, off: secOff[s.index - 1]! })).sort((x, y) => (x.s.addr < y.s.addr ? -1 : x.s.addr > y.s.addr ? 1 : 0));
  segs.forEach(({ s, off: so }, i) => {
    const o = phoff + i * phentsize;
    const pflags = PF_R | ((s.flags & BigInt(SHF_WRITE)) !== 0n ? PF_W : 0) | ((s.flags & BigInt(SHF_EXECINSTR)) !== 0n ? PF_X : 0);
    const filesz = s.type === SHT_NOBITS ? 0 : s.size;
    if (is64) {
      u32(o, PT_LOAD);
      u32(o + 4, pflags);
      u64(o + 8, BigInt(so));
      u64(o + 16, s.addr);
      u64(o + 24, s.addr);
      u64(o + 32, BigInt(filesz));
      u64(o + 40, BigInt(s.size));
      u64(o + 48, BigInt(s.align));
    } else {
      u32(o, PT_LOAD);
      u32(o + 4, so);
      u32(o + 8, Number(s.addr));
      u32(o + 12, Number(s.addr));
      u32(o + 16, filesz);
      u32(o + 20, s.size);
      u32(o + 24, pflags);
      u32(o + 28, s.align);
    }
  });

  // --- section contents -------------------------------------------------------------------------
  user.forEach((s, i) => {
    if (s.type !== SHT_NOBITS) out.set(s.bytes, secOff[i]!);
  });
  ordered.forEach((s, i) => {
    const o = symtabOff + (i + 1) * symentsize;
    u32(o, s.name);
    if (is64) {
      out[o + 4] = s.info;
      out[o + 5] = 0;
      u16(o + 6, s.shndx);
      u64(o + 8, s.value);
      u64(o + 16, s.size);
    } else {
      u32(o + 4, Number(s.value));
      u32(o + 8, Number(s.size));
      out[o + 12] = s.info;
      out[o + 13] = 0;
      u16(o + 14, s.shndx);
    }
  });
  out.set(strBytes, strtabOff);
  out.set(shstrBytes, shstrtabOff);

  // --- section headers --------------------------------------------------------------------------
  const shdrs: Shdr[] = [
    { name: 0, type: 0, flags: 0n, addr: 0n, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0 },
    ...user.map((s, i) => ({
      name: names[i]!,
      type: s.type,
      flags: s.flags,
      addr: s.addr,
      offset: secOff[i]!,
      size: s.size,
      link: 0,
      info: 0,
      addralign: s.align,
      entsize: 0,
    })),
    {
      name: symtabName, type: SHT_SYMTAB, flags: 0n, addr: 0n, offset: symtabOff, size: symtabSize,
      link: strtabIdx, info: firstGlobal, addralign: wordAlign, entsize: symentsize,
    },
    { name: strtabName, type: SHT_STRTAB, flags: 0n, addr: 0n, offset: strtabOff, size: strBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 },
    { name: shstrtabName, type: SHT_STRTAB, flags: 0n, addr: 0n, offset: shstrtabOff, size: shstrBytes.length, link: 0, info: 0, addralign: 1, entsize: 0 },
  ];
  shdrs.forEach((h, i) => {
    const o = shoff + i * shentsize;
    u32(o, h.name);
    u32(o + 4, h.type);
    if (is64) {
      u64(o + 8, h.flags);
      u64(o + 16, h.addr);
      u64(o + 24, BigInt(h.offset));
      u64(o + 32, BigInt(h.size));
      u32(o + 40, h.link);
      u32(o + 44, h.info);
      u64(o + 48, BigInt(h.addralign));
      u64(o + 56, BigInt(h.entsize));
    } else {
      u32(o + 8, Number(h.flags));
      u32(o + 12, Number(h.addr));
      u32(o + 16, h.offset);
      u32(o + 20, h.size);
      u32(o + 24, h.link);
      u32(o + 28, h.info);
      u32(o + 32, h.addralign);
      u32(o + 36, h.entsize);
    }
  });
  return out;
}
