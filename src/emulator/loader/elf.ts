// ELF32/ELF64 reader, little- and big-endian, with MIPS specifics (e_flags decoding and the
// MIPS64 relocation-info layout). Pure TypeScript: takes a Uint8Array, imports nothing.
//
// Every malformed input makes parseElf (and the lazy helpers on the returned object) throw a
// single ElfError whose message is one human-readable line; no RangeError/TypeError escapes.

/** The one error type thrown for malformed ELF input (and for invalid ELF writer input). */
export class ElfError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ElfError';
  }
}

// ---------------------------------------------------------------------------------------------
// Constants

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;

export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const EM_MIPS = 8;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const PN_XNUM = 0xffff;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_SYMTAB_SHNDX = 18;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;
export const SHF_INFO_LINK = 0x40;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_TLS = 7;

export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

// MIPS e_flags
export const EF_MIPS_NOREORDER = 0x00000001;
export const EF_MIPS_PIC = 0x00000002;
export const EF_MIPS_CPIC = 0x00000004;
export const EF_MIPS_XGOT = 0x00000008;
export const EF_MIPS_UCODE = 0x00000010;
export const EF_MIPS_ABI2 = 0x00000020;
export const EF_MIPS_ABI_ON32 = 0x00000040;
export const EF_MIPS_32BITMODE = 0x00000100;
export const EF_MIPS_FP64 = 0x00000200;
export const EF_MIPS_NAN2008 = 0x00000400;
export const EF_MIPS_ABI = 0x0000f000;
export const EF_MIPS_MACH = 0x00ff0000;
export const EF_MIPS_ARCH_ASE = 0x0f000000;
export const EF_MIPS_ARCH = 0xf0000000;

export const E_MIPS_ABI_O32 = 0x00001000;
export const E_MIPS_ABI_O64 = 0x00002000;
export const E_MIPS_ABI_EABI32 = 0x00003000;
export const E_MIPS_ABI_EABI64 = 0x00004000;

export const EF_MIPS_ARCH_ASE_MDMX = 0x08000000;
export const EF_MIPS_ARCH_ASE_M16 = 0x04000000;
export const EF_MIPS_ARCH_ASE_MICROMIPS = 0x02000000;

export const E_MIPS_MACH_OCTEON = 0x008b0000;
export const E_MIPS_MACH_OCTEON2 = 0x008d0000;
export const E_MIPS_MACH_OCTEON3 = 0x008e0000;

/** EF_MIPS_ARCH field (already shifted down by 28) → name, as readelf prints it. */
const MIPS_ARCH_NAMES: readonly string[] = [
  'mips1', 'mips2', 'mips3', 'mips4', 'mips5', 'mips32', 'mips64', 'mips32r2', 'mips64r2', 'mips32r6', 'mips64r6',
];

/** EF_MIPS_MACH values → names (the spelling binutils' readelf uses). */
const MIPS_MACH_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00810000, '3900'],
  [0x00820000, '4010'],
  [0x00830000, '4100'],
  [0x00840000, 'allegrex'],
  [0x00850000, '4650'],
  [0x00870000, '4120'],
  [0x00880000, '4111'],
  [0x008a0000, 'sb1'],
  [E_MIPS_MACH_OCTEON, 'octeon'],
  [0x008c0000, 'xlr'],
  [E_MIPS_MACH_OCTEON2, 'octeon2'],
  [E_MIPS_MACH_OCTEON3, 'octeon3'],
  [0x00910000, '5400'],
  [0x00920000, '5900'],
  [0x00930000, 'interaptiv-mr2'],
  [0x00980000, '5500'],
  [0x00990000, '9000'],
  [0x00a00000, 'loongson-2e'],
  [0x00a10000, 'loongson-2f'],
  [0x00a20000, 'gs464'],
  [0x00a30000, 'gs464e'],
  [0x00a40000, 'gs264e'],
]);

/** MIPS relocation type numbers → names (R_MIPS_*). */
const MIPS_RELOC_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'R_MIPS_NONE'], [1, 'R_MIPS_16'], [2, 'R_MIPS_32'], [3, 'R_MIPS_REL32'], [4, 'R_MIPS_26'],
  [5, 'R_MIPS_HI16'], [6, 'R_MIPS_LO16'], [7, 'R_MIPS_GPREL16'], [8, 'R_MIPS_LITERAL'],
  [9, 'R_MIPS_GOT16'], [10, 'R_MIPS_PC16'], [11, 'R_MIPS_CALL16'], [12, 'R_MIPS_GPREL32'],
  [16, 'R_MIPS_SHIFT5'], [17, 'R_MIPS_SHIFT6'], [18, 'R_MIPS_64'], [19, 'R_MIPS_GOT_DISP'],
  [20, 'R_MIPS_GOT_PAGE'], [21, 'R_MIPS_GOT_OFST'], [22, 'R_MIPS_GOT_HI16'], [23, 'R_MIPS_GOT_LO16'],
  [24, 'R_MIPS_SUB'], [25, 'R_MIPS_INSERT_A'], [26, 'R_MIPS_INSERT_B'], [27, 'R_MIPS_DELETE'],
  [28, 'R_MIPS_HIGHER'], [29, 'R_MIPS_HIGHEST'], [30, 'R_MIPS_CALL_HI16'], [31, 'R_MIPS_CALL_LO16'],
  [32, 'R_MIPS_SCN_DISP'], [33, 'R_MIPS_REL16'], [34, 'R_MIPS_ADD_IMMEDIATE'], [35, 'R_MIPS_PJUMP'],
  [36, 'R_MIPS_RELGOT'], [37, 'R_MIPS_JALR'], [38, 'R_MIPS_TLS_DTPMOD32'], [39, 'R_MIPS_TLS_DTPREL32'],
  [40, 'R_MIPS_TLS_DTPMOD64'], [41, 'R_MIPS_TLS_DTPREL64'], [42, 'R_MIPS_TLS_GD'], [43, 'R_MIPS_TLS_LDM'],
  [44, 'R_MIPS_TLS_DTPREL_HI16'], [45, 'R_MIPS_TLS_DTPREL_LO16'], [46, 'R_MIPS_TLS_GOTTPREL'],
  [47, 'R_MIPS_TLS_TPREL32'], [48, 'R_MIPS_TLS_TPREL64'], [49, 'R_MIPS_TLS_TPREL_HI16'],
  [50, 'R_MIPS_TLS_TPREL_LO16'], [51, 'R_MIPS_GLOB_DAT'], [60, 'R_MIPS_PC21_S2'], [61, 'R_MIPS_PC26_S2'],
  [62, 'R_MIPS_PC18_S3'], [63, 'R_MIPS_PC19_S2'], [64, 'R_MIPS_PCHI16'], [65, 'R_MIPS_PCLO16'],
  [126, 'R_MIPS_COPY'], [127, 'R_MIPS_JUMP_SLOT'],
]);

/** Name of a MIPS relocation type, e.g. 5 → "R_MIPS_HI16"; unknown types → "R_MIPS_<n>". */
export function mipsRelocName(type: number): string {
  return MIPS_RELOC_NAMES.get(type) ?? `R_MIPS_${type}`;
}

// ---------------------------------------------------------------------------------------------
// Types

export interface ElfSection {
  /** Index in the section header table. */
  readonly index: number;
  readonly name: string;
  /** Offset of the name in the section header string table. */
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** View of the section's bytes in the file (shares memory with the input); empty for SHT_NOBITS/SHT_NULL. */
  data(): Uint8Array;
}

export interface ElfSegment {
  readonly index: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: number;
  readonly memsz: number;
  readonly align: number;
  /** View of the segment's file bytes (filesz bytes, shares memory with the input). */
  data(): Uint8Array;
}

export interface ElfSymbol {
  /** Index in its symbol table (0 is the null symbol, which is included). */
  readonly index: number;
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  /** st_other & 3 (STV_*) */
  readonly visibility: number;
  readonly other: number;
  /** Section index (SHN_XINDEX already resolved through SHT_SYMTAB_SHNDX when present). */
  readonly shndx: number;
}

export interface ElfRelocation {
  readonly offset: bigint;
  /**
   * r_info in the canonical form readelf prints. ELF32: sym << 8 | type. ELF64 (non-MIPS): sym << 32 | type.
   * MIPS64: sym << 32 | ssym << 24 | type3 << 16 | type2 << 8 | type (whatever the file's byte order).
   */
  readonly info: bigint;
  readonly sym: number;
  readonly type: number;
  /** MIPS64 only (0 elsewhere). */
  readonly type2: number;
  readonly type3: number;
  readonly ssym: number;
  /** Explicit addend for SHT_RELA; undefined for SHT_REL (the addend is in the relocated field). */
  readonly addend: bigint | undefined;
  /** The referenced symbol in the table named by the relocation section's sh_link, if any. */
  readonly symbol: ElfSymbol | undefined;
}

export interface MipsInfo {
  /** e_machine === EM_MIPS */
  readonly isMips: boolean;
  /** EF_MIPS_ARCH field value (e_flags & 0xf0000000). */
  readonly arch: number;
  /** 'mips1' .. 'mips64r6', or 'unknown-arch-0x…'. */
  readonly archName: string;
  /** EF_MIPS_MACH field value (e_flags & 0x00ff0000); 0 = generic. */
  readonly mach: number;
  /** e.g. 'octeon', 'octeon2', 'octeon3'; undefined when mach is 0 (generic); 'unknown-mach-0x…' otherwise. */
  readonly machName: string | undefined;
  readonly abi: 'o32' | 'n32' | 'n64' | 'o64' | 'eabi32' | 'eabi64';
  readonly noreorder: boolean;
  readonly pic: boolean;
  readonly cpic: boolean;
  readonly xgot: boolean;
  readonly fp64: boolean;
  readonly nan2008: boolean;
  readonly micromips: boolean;
  readonly mips16: boolean;
  readonly mdmx: boolean;
  /** True for 64-bit ISA levels (mips3, mips4, mips5, mips64*). */
  readonly is64BitIsa: boolean;
}

// ---------------------------------------------------------------------------------------------
// Bounded reader

const hex = (v: number | bigint): string => '0x' + v.toString(16);

class Reader {
  readonly view: DataView;
  readonly length: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }
  private check(off: number, n: number, what: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + n > this.length) {
      throw new ElfError(`truncated ELF: ${what} at offset ${hex(off)} extends past end of file (file ${hex(this.length)})`);
    }
  }
  u8(off: number, what: string): number {
    this.check(off, 1, what);
    return this.view.getUint8(off);
  }
  u16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.view.getUint16(off, this.little);
  }
  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getUint32(off, this.little);
  }
  u64(off: number, what: string): bigint {
    this.check(off, 8, what);
    return this.view.getBigUint64(off, this.little);
  }
  i32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getInt32(off, this.little);
  }
  i64(off: number, what: string): bigint {
    this.check(off, 8, what);
    return this.view.getBigInt64(off, this.little);
  }
}

/** Converts a 64-bit file quantity to a JS number, rejecting values that are not exactly representable. */
function toNum(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`malformed ELF: ${what} ${hex(v)} is too large`);
  return Number(v);
}

/** Ensures [off, off+size) lies inside a file of `fileLen` bytes. */
function checkRange(off: number, size: number, fileLen: number, what: string): void {
  if (off > fileLen || size > fileLen - off) {
    throw new ElfError(
      `truncated ELF: ${what} extends past end of file (offset ${hex(off)}, size ${hex(size)}, file ${hex(fileLen)})`,
    );
  }
}

/** Reads a NUL-terminated string from a string-table view. */
function readCString(table: Uint8Array, off: number, what: string): string {
  if (off >= table.length) {
    if (off === 0 && table.length === 0) return '';
    throw new ElfError(`malformed ELF: ${what} name offset ${hex(off)} is outside its string table (size ${hex(table.length)})`);
  }
  let end = off;
  while (end < table.length && table[end] !== 0) end++;
  if (end >= table.length) throw new ElfError(`malformed ELF: ${what} name at offset ${hex(off)} is not NUL-terminated`);
  return decodeUtf8(table, off, end);
}

function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (b[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let s = '';
    for (let i = start; i < end; i += 4096) {
      s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 4096)));
    }
    return s;
  }
  return new TextDecoder('utf-8').decode(b.subarray(start, end));
}

// ---------------------------------------------------------------------------------------------
// Parsed file

export class ElfFile {
  readonly class: 32 | 64;
  readonly endian: 'little' | 'big';
  /** EI_OSABI */
  readonly osabi: number;
  readonly abiversion: number;
  /** ET_* */
  readonly type: number;
  /** EM_* */
  readonly machine: number;
  readonly version: number;
  /** e_flags */
  readonly flags: number;
  readonly entry: bigint;
  readonly phoff: number;
  readonly shoff: number;
  readonly ehsize: number;
  /** Resolved section header string table index (SHN_XINDEX followed). */
  readonly shstrndx: number;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  /** Symbols of .symtab (SHT_SYMTAB), or of .dynsym when there is no symtab; entry 0 (null) included. */
  readonly symbols: readonly ElfSymbol[];
  /** The bytes the file was parsed from. */
  readonly bytes: Uint8Array;

  private readonly rd: Reader;
  private readonly symCache = new Map<number, readonly ElfSymbol[]>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    const len = bytes.byteLength;
    if (len < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      throw new ElfError('not an ELF file (bad magic)');
    }
    if (len < 16) throw new ElfError(`truncated ELF: identification is ${len} bytes, expected 16`);
    const cls = bytes[4]!;
    if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfError(`unsupported ELF class ${cls} (expected 1 = ELF32 or 2 = ELF64)`);
    const data = bytes[5]!;
    if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) {
      throw new ElfError(`unsupported ELF data encoding ${data} (expected 1 = little-endian or 2 = big-endian)`);
    }
    this.class = cls === ELFCLASS32 ? 32 : 64;
    this.endian = data === ELFDATA2LSB ? 'little' : 'big';
    this.osabi = bytes[7]!;
    this.abiversion = bytes[8]!;
    const is64 = this.class === 64;
    const ehMin = is64 ? 64 : 52;
    if (len < ehMin) throw new ElfError(`truncated ELF: file is ${len} bytes, smaller than the ${ehMin}-byte ELF${this.class} header`);
    const rd = (this.rd = new Reader(bytes, data === ELFDATA2LSB));

    const H = 'ELF header';
    this.type = rd.u16(16, H);
    this.machine = rd.u16(18, H);
    this.version = rd.u32(20, H);
    let phoffB: bigint;
    let shoffB: bigint;
    if (is64) {
      this.entry = rd.u64(24, H);
      phoffB = rd.u64(32, H);
      shoffB = rd.u64(40, H);
      this.flags = rd.u32(48, H);
    } else {
      this.entry = BigInt(rd.u32(24, H));
      phoffB = BigInt(rd.u32(28, H));
      shoffB = BigInt(rd.u32(32, H));
      this.flags = rd.u32(36, H);
    }
    const b = is64 ? 52 : 40;
    this.ehsize = rd.u16(b, H);
    const phentsize = rd.u16(b + 2, H);
    let phnum = rd.u16(b + 4, H);
    const shentsize = rd.u16(b + 6, H);
    let shnum = rd.u16(b + 8, H);
    let shstrndx = rd.u16(b + 10, H);
    this.phoff = toNum(phoffB, 'program header table offset');
    this.shoff = toNum(shoffB, 'section header table offset');

    // --- section header table -----------------------------------------------------------------
    const shMin = is64 ? 64 : 40;
    const sections: ElfSection[] = [];
    if (this.shoff !== 0) {
      if (shentsize < shMin) {
        throw new ElfError(`malformed ELF: section header entry size ${shentsize} is smaller than ${shMin}`);
      }
      checkRange(this.shoff, shMin, len, 'section header table');
      // Section 0 carries the extended counts when the header fields overflow.
      const s0 = this.readShdr(this.shoff);
      if (shnum === 0) shnum = s0.size; // extended section count
      if (shstrndx === SHN_XINDEX) shstrndx = s0.link;
      if (phnum === PN_XNUM && s0.info !== 0) phnum = s0.info;
      const tableSize = shnum * shentsize;
      if (!Number.isSafeInteger(tableSize)) throw new ElfError(`malformed ELF: section count ${shnum} is too large`);
      checkRange(this.shoff, tableSize, len, 'section header table');
      const raw: RawShdr[] = [];
      for (let i = 0; i < shnum; i++) raw.push(i === 0 ? s0 : this.readShdr(this.shoff + i * shentsize));
      if (shstrndx !== SHN_UNDEF && shstrndx >= shnum) {
        throw new ElfError(`malformed ELF: section string table index ${shstrndx} is out of range (${shnum} sections)`);
      }
      // Validate every section's file range before building views.
      raw.forEach((s, i) => {
        if (s.type !== SHT_NOBITS && s.type !== SHT_NULL) {
          checkRange(s.offset, s.size, len, `section ${i} (type ${hex(s.type)})`);
        }
      });
      let names: Uint8Array | undefined;
      if (shstrndx !== SHN_UNDEF) {
        const st = raw[shstrndx]!;
        if (st.type === SHT_NOBITS) throw new ElfError(`malformed ELF: section string table (section ${shstrndx}) has no file data`);
        names = bytes.subarray(st.offset, st.offset + st.size);
      }
      raw.forEach((s, i) => {
        const name = names ? readCString(names, s.name, `section ${i}`) : '';
        const hasData = s.type !== SHT_NOBITS && s.type !== SHT_NULL;
        const view = hasData ? bytes.subarray(s.offset, s.offset + s.size) : new Uint8Array(0);
        sections.push({
          index: i,
          name,
          nameOffset: s.name,
          type: s.type,
          flags: s.flags,
          addr: s.addr,
          offset: s.offset,
          size: s.size,
          link: s.link,
          info: s.info,
          addralign: s.addralign,
          entsize: s.entsize,
          data: () => view,
        });
      });
    } else {
      shstrndx = SHN_UNDEF;
    }
    this.shstrndx = shstrndx;
    this.sections = sections;

    // --- program header table -----------------------------------------------------------------
    const phMin = is64 ? 56 : 32;
    const segments: ElfSegment[] = [];
    if (this.phoff !== 0 && phnum !== 0) {
      if (phentsize < phMin) {
        throw new ElfError(`malformed ELF: program header entry size ${phentsize} is smaller than ${phMin}`);
      }
      checkRange(this.phoff, phnum * phentsize, len, 'program header table');
      for (let i = 0; i < phnum; i++) {
        const o = this.phoff + i * phentsize;
        const what = `program header ${i}`;
        let type: number, flags: number, offset: number, vaddr: bigint, paddr: bigint;
        let filesz: number, memsz: number, align: number;
        if (is64) {
          type = rd.u32(o, what);
          flags = rd.u32(o + 4, what);
          offset = toNum(rd.u64(o + 8, what), `${what} p_offset`);
          vaddr = rd.u64(o + 16, what);
          paddr = rd.u64(o + 24, what);
          filesz = toNum(rd.u64(o + 32, what), `${what} p_filesz`);
          memsz = toNum(rd.u64(o + 40, what), `${what} p_memsz`);
          align = toNum(rd.u64(o + 48, what), `${what} p_align`);
        } else {
          type = rd.u32(o, what);
          offset = rd.u32(o + 4, what);
          vaddr = BigInt(rd.u32(o + 8, what));
          paddr = BigInt(rd.u32(o + 12, what));
          filesz = rd.u32(o + 16, what);
          memsz = rd.u32(o + 20, what);
          flags = rd.u32(o + 24, what);
          align = rd.u32(o + 28, what);
        }
        if (type !== PT_NULL) checkRange(offset, filesz, len, `segment ${i} (type ${hex(type)})`);
        const view = type !== PT_NULL ? bytes.subarray(offset, offset + filesz) : new Uint8Array(0);
        segments.push({ index: i, type, flags, offset, vaddr, paddr, filesz, memsz, align, data: () => view });
      }
    }
    this.segments = segments;

    // --- symbols ------------------------------------------------------------------------------
    const symtab = sections.find((s) => s.type === SHT_SYMTAB) ?? sections.find((s) => s.type === SHT_DYNSYM);
    this.symbols = symtab ? this.symbolsOf(symtab) : [];
  }

  private readShdr(o: number): RawShdr {
    const rd = this.rd;
    const what = 'section header';
    if (this.class === 64) {
      return {
        name: rd.u32(o, what),
        type: rd.u32(o + 4, what),
        flags: rd.u64(o + 8, what),
        addr: rd.u64(o + 16, what),
        offset: toNum(rd.u64(o + 24, what), 'section offset'),
        size: toNum(rd.u64(o + 32, what), 'section size'),
        link: rd.u32(o + 40, what),
        info: rd.u32(o + 44, what),
        addralign: toNum(rd.u64(o + 48, what), 'section alignment'),
        entsize: toNum(rd.u64(o + 56, what), 'section entry size'),
      };
    }
    return {
      name: rd.u32(o, what),
      type: rd.u32(o + 4, what),
      flags: BigInt(rd.u32(o + 8, what)),
      addr: BigInt(rd.u32(o + 12, what)),
      offset: rd.u32(o + 16, what),
      size: rd.u32(o + 20, what),
      link: rd.u32(o + 24, what),
      info: rd.u32(o + 28, what),
      addralign: rd.u32(o + 32, what),
      entsize: rd.u32(o + 36, what),
    };
  }

  /** First section with this name. */
  sectionByName(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** A symbol of `symbols` with this name, preferring a defined global over a local or undefined one. */
  findSymbol(name: string): ElfSymbol | undefined {
    let best: ElfSymbol | undefined;
    let bestRank = -1;
    for (const s of this.symbols) {
      if (s.name !== name || s.index === 0) continue;
      const rank = (s.shndx !== SHN_UNDEF ? 2 : 0) + (s.bind !== STB_LOCAL ? 1 : 0);
      if (rank > bestRank) {
        best = s;
        bestRank = rank;
      }
    }
    return best;
  }

  /** Decodes the symbols of any SHT_SYMTAB/SHT_DYNSYM section (cached). */
  symbolsOf(section: ElfSection): readonly ElfSymbol[] {
    const cached = this.symCache.get(section.index);
    if (cached) return cached;
    if (section.type !== SHT_SYMTAB && section.type !== SHT_DYNSYM) {
      throw new ElfError(`section ${section.index} (${section.name || 'unnamed'}) is not a symbol table`);
    }
    const is64 = this.class === 64;
    const min = is64 ? 24 : 16;
    const stride = section.entsize === 0 ? min : section.entsize;
    if (stride < min) throw new ElfError(`malformed ELF: symbol table ${section.name || section.index} has entry size ${stride}, expected ${min}`);
    if (section.link >= this.sections.length) {
      throw new ElfError(`malformed ELF: symbol table ${section.name || section.index} links to string table ${section.link}, which does not exist`);
    }
    const strSec = this.sections[section.link]!;
    const strtab = strSec.data();
    // Extended section indices for SHN_XINDEX symbols.
    const xSec = this.sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === section.index);
    const count = Math.floor(section.size / stride);
    const rd = this.rd;
    const out: ElfSymbol[] = [];
    for (let i = 0; i < count; i++) {
      const o = section.offset + i * stride;
      const what = `symbol ${i}`;
      let nameOff: number, value: bigint, size: bigint, info: number, other: number, shndx: number;
      if (is64) {
        nameOff = rd.u32(o, what);
        info = rd.u8(o + 4, what);
        other = rd.u8(o + 5, what);
        shndx = rd.u16(o + 6, what);
        value = rd.u64(o + 8, what);
        size = rd.u64(o + 16, what);
      } else {
        nameOff = rd.u32(o, what);
        value = BigInt(rd.u32(o + 4, what));
        size = BigInt(rd.u32(o + 8, what));
        info = rd.u8(o + 12, what);
        other = rd.u8(o + 13, what);
        shndx = rd.u16(o + 14, what);
      }
      if (shndx === SHN_XINDEX && xSec) {
        if ((i + 1) * 4 > xSec.size) throw new ElfError(`malformed ELF: extended section index table too short for symbol ${i}`);
        shndx = rd.u32(xSec.offset + i * 4, what);
      }
      const name = nameOff === 0 ? '' : readCString(strtab, nameOff, `symbol ${i}`);
      out.push({ index: i, name, value, size, type: info & 0xf, bind: info >> 4, visibility: other & 3, other, shndx });
    }
    this.symCache.set(section.index, out);
    return out;
  }

  /**
   * Decodes an SHT_REL or SHT_RELA section. Handles the MIPS64 r_info layout
   * (r_sym:32, r_ssym:8, r_type3:8, r_type2:8, r_type:8 stored as a struct in file byte order).
   */
  relocations(section: ElfSection): ElfRelocation[] {
    const isRela = section.type === SHT_RELA;
    if (!isRela && section.type !== SHT_REL) {
      throw new ElfError(`section ${section.index} (${section.name || 'unnamed'}) is not a relocation section`);
    }
    const is64 = this.class === 64;
    const min = (is64 ? 16 : 8) + (isRela ? (is64 ? 8 : 4) : 0);
    const stride = section.entsize === 0 ? min : section.entsize;
    if (stride < min) {
      throw new ElfError(`malformed ELF: relocation section ${section.name || section.index} has entry size ${stride}, expected ${min}`);
    }
    let syms: readonly ElfSymbol[] = [];
    if (section.link !== 0) {
      const symSec = this.sections[section.link];
      if (!symSec) {
        throw new ElfError(`malformed ELF: relocation section ${section.name || section.index} links to symbol table ${section.link}, which does not exist`);
      }
      if (symSec.type === SHT_SYMTAB || symSec.type === SHT_DYNSYM) syms = this.symbolsOf(symSec);
    }
    const mips64 = is64 && this.machine === EM_MIPS;
    const count = Math.floor(section.size / stride);
    const rd = this.rd;
    const out: ElfRelocation[] = [];
    for (let i = 0; i < count; i++) {
      const o = section.offset + i * stride;
      const what = `relocation ${i}`;
      let offset: bigint, info: bigint, sym: number, type: number;
      let type2 = 0, type3 = 0, ssym = 0;
      let addend: bigint | undefined;
      if (is64) {
        offset = rd.u64(o, what);
        if (mips64) {
          sym = rd.u32(o + 8, what);
          ssym = rd.u8(o + 12, what);
          type3 = rd.u8(o + 13, what);
          type2 = rd.u8(o + 14, what);
          type = rd.u8(o + 15, what);
          info = (BigInt(sym) << 32n) | BigInt((ssym << 24) | (type3 << 16) | (type2 << 8) | type);
        } else {
          info = rd.u64(o + 8, what);
          sym = Number(info >> 32n);
          type = Number(info & 0xffffffffn);
        }
        if (isRela) addend = rd.i64(o + 16, what);
      } else {
        offset = BigInt(rd.u32(o, what));
        const inf = rd.u32(o + 4, what);
        info = BigInt(inf);
        sym = inf >>> 8;
        type = inf & 0xff;
        if (isRela) addend = BigInt(rd.i32(o + 8, what));
      }
      out.push({ offset, info, sym, type, type2, type3, ssym, addend, symbol: syms[sym] });
    }
    return out;
  }
}

interface RawShdr {
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

// ---------------------------------------------------------------------------------------------
// Entry points and helpers

/** Parses an ELF32/ELF64 image of either byte order. Throws ElfError on any malformed input. */
export function parseElf(bytes: Uint8Array): ElfFile {
  try {
    return new ElfFile(bytes);
  } catch (e) {
    throw asElfError(e);
  }
}

function asElfError(e: unknown): ElfError {
  if (e instanceof ElfError) return e;
  // Safety net only: bounds are checked explicitly, so this is not expected to happen (the fuzz
  // test fails if it does: such errors carry the original exception as `cause`).
  return new ElfError(`malformed ELF: ${e instanceof Error ? e.message : String(e)}`.split('\n')[0]!, { cause: e });
}

export function sectionByName(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sectionByName(name);
}

export function findSymbol(elf: ElfFile, name: string): ElfSymbol | undefined {
  return elf.findSymbol(name);
}

export function relocations(elf: ElfFile, section: ElfSection): ElfRelocation[] {
  try {
    return elf.relocations(section);
  } catch (e) {
    throw asElfError(e);
  }
}

/**
 * The 64-bit form of an address read from the file: ELF32 values are sign-extended from 32 bits
 * (MIPS convention, so an o32 kernel at 0x80100000 runs at 0xffffffff80100000); ELF64 values are
 * returned unchanged.
 */
export function canonicalAddress(elf: ElfFile, v: bigint): bigint {
  return elf.class === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, v)) : v;
}

/** Decodes the MIPS-specific e_flags of a file (meaningful only when isMips). */
export function mipsInfo(elf: ElfFile): MipsInfo {
  const f = elf.flags >>> 0;
  const archField = (f & EF_MIPS_ARCH) >>> 0;
  const archIdx = archField >>> 28;
  const archName = MIPS_ARCH_NAMES[archIdx] ?? `unknown-arch-${hex(archField)}`;
  const mach = f & EF_MIPS_MACH;
  const machName = mach === 0 ? undefined : (MIPS_MACH_NAMES.get(mach) ?? `unknown-mach-${hex(mach)}`);
  const abiField = f & EF_MIPS_ABI;
  let abi: MipsInfo['abi'];
  if (elf.class === 64) abi = 'n64';
  else if (f & EF_MIPS_ABI2) abi = 'n32';
  else if (abiField === E_MIPS_ABI_O64) abi = 'o64';
  else if (abiField === E_MIPS_ABI_EABI32) abi = 'eabi32';
  else if (abiField === E_MIPS_ABI_EABI64) abi = 'eabi64';
  else abi = 'o32';
  return {
    isMips: elf.machine === EM_MIPS,
    arch: archField,
    archName,
    mach,
    machName,
    abi,
    noreorder: (f & EF_MIPS_NOREORDER) !== 0,
    pic: (f & EF_MIPS_PIC) !== 0,
    cpic: (f & EF_MIPS_CPIC) !== 0,
    xgot: (f & EF_MIPS_XGOT) !== 0,
    fp64: (f & EF_MIPS_FP64) !== 0,
    nan2008: (f & EF_MIPS_NAN2008) !== 0,
    micromips: (f & EF_MIPS_ARCH_ASE_MICROMIPS) !== 0,
    mips16: (f & EF_MIPS_ARCH_ASE_M16) !== 0,
    mdmx: (f & EF_MIPS_ARCH_ASE_MDMX) !== 0,
    is64BitIsa: [2, 3, 4, 6, 8, 10].includes(archIdx),
  };
}
