// Symbols the way `objdump -d` uses them: which symbols count, how several symbols at one
// address are ordered, and which symbol names an address (block headers `<sym>:` and
// branch-target annotations `<sym+0x10>`). The rules follow GNU objdump's observable
// behaviour so that our listing matches its output line for line:
//
//  - kept: named symbols that are not section/file symbols, not undefined, not common
//    (absolute symbols are kept);
//  - order: by value, then section, then "real" symbols before file-name-like ones, functions
//    before others, globals before locals, larger size first, names not starting with '.'
//    first, then by name;
//  - lookup: the last symbol at or below the address (the first of its group), preferring
//    one in the section being disassembled; for block headers, and for addresses inside the
//    section of a relocatable file, only symbols of that section qualify.
//
// Values are "BFD values": st_value, plus the section address in relocatable files, and for
// ELF32 reduced to 32 bits (objdump prints ELF32 addresses with 8 digits).

import {
  ET_REL, SHN_ABS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF, SHT_REL, SHT_RELA, SHT_SYMTAB, STB_GLOBAL, STB_LOCAL,
  STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION, type ElfFile,
} from '../../emulator/loader/elf';
import { dynamicSymbolVersions } from './versions';
import { printable } from '../printable';

/** STT_GNU_IFUNC: an indirect function, a function for objdump. */
const STT_GNU_IFUNC = 10;

export const SYM_FUNCTION = 1;
export const SYM_OBJECT = 2;
export const SYM_LOCAL = 4;
export const SYM_GLOBAL = 8;

export interface DisasmSymbol {
  /** Name as printed (with a `@@VERSION` suffix for versioned dynamic symbols). */
  readonly name: string;
  /** Name without the version suffix (what objdump sorts by). */
  readonly baseName: string;
  readonly value: bigint;
  /** Section header index, or -1 for absolute symbols. */
  readonly section: number;
  readonly flags: number;
  readonly size: bigint;
}

/** A symbol found for an address, with its position in the sorted list. */
export interface SymbolHit { readonly sym: DisasmSymbol; readonly place: number }

export interface SectionRange { readonly index: number; readonly vma: bigint; readonly size: bigint }

function isFileLike(name: string): boolean {
  const n = name.length;
  return n >= 2 && name[n - 2] === '.' && (name[n - 1] === 'o' || name[n - 1] === 'a');
}

function compareSymbols(a: DisasmSymbol, b: DisasmSymbol): number {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  const as = a.section < 0 ? 0x7fffffff : a.section, bs = b.section < 0 ? 0x7fffffff : b.section;
  if (as !== bs) return as - bs;
  const ag = /gnu_compiled|gcc2_compiled/.test(a.baseName), bg = /gnu_compiled|gcc2_compiled/.test(b.baseName);
  if (ag !== bg) return ag ? 1 : -1;
  const af = isFileLike(a.baseName), bf = isFileLike(b.baseName);
  if (af !== bf) return af ? 1 : -1;
  const afn = (a.flags & SYM_FUNCTION) !== 0, bfn = (b.flags & SYM_FUNCTION) !== 0;
  if (afn !== bfn) return afn ? -1 : 1;
  const al = (a.flags & SYM_LOCAL) !== 0, bl = (b.flags & SYM_LOCAL) !== 0;
  if (al !== bl) return al ? 1 : -1;
  const agl = (a.flags & SYM_GLOBAL) !== 0, bgl = (b.flags & SYM_GLOBAL) !== 0;
  if (agl !== bgl) return agl ? -1 : 1;
  if (a.size !== b.size) return a.size > b.size ? -1 : 1;
  const ad = a.baseName.startsWith('.'), bd = b.baseName.startsWith('.');
  if (ad !== bd) return ad ? 1 : -1;
  return a.baseName < b.baseName ? -1 : a.baseName > b.baseName ? 1 : 0;
}

export class DisasmSymbols {
  /** Sorted as objdump sorts them. */
  readonly sorted: readonly DisasmSymbol[];
  /** True for relocatable files with relocation sections (objdump's HAS_RELOC). */
  readonly relocatable: boolean;

  constructor(symbols: readonly DisasmSymbol[], relocatable: boolean) {
    this.sorted = [...symbols].sort(compareSymbols);
    this.relocatable = relocatable;
  }

  static fromElf(elf: ElfFile, mask: bigint): DisasmSymbols {
    const out: DisasmSymbol[] = [];
    const versions = dynamicSymbolVersions(elf);
    const isRel = elf.type === ET_REL;
    for (const s of elf.symbols) {
      if (s.index === 0 || s.name === '') continue;
      if (s.type === STT_SECTION || s.type === STT_FILE) continue;
      if (s.shndx === SHN_UNDEF || s.shndx === SHN_COMMON) continue;
      let section = s.shndx;
      let value = s.value;
      if (s.shndx === SHN_ABS) section = -1;
      else if (s.shndx >= SHN_LORESERVE) continue;
      else if (isRel) value += elf.sections[s.shndx]?.addr ?? 0n;
      let flags = 0;
      if (s.type === STT_FUNC || s.type === STT_GNU_IFUNC) flags |= SYM_FUNCTION;
      if (s.type === STT_OBJECT) flags |= SYM_OBJECT;
      if (s.bind === STB_LOCAL) flags |= SYM_LOCAL;
      if (s.bind === STB_GLOBAL) flags |= SYM_GLOBAL;
      out.push({ name: printable(s.name + (versions?.get(s.index) ?? '')), baseName: s.name, value: value & mask, section, flags, size: s.size });
    }
    // objdump's HAS_RELOC: a relocation section that applies to another section via .symtab.
    const relocatable = elf.sections.some((sec) => (sec.type === SHT_REL || sec.type === SHT_RELA) && sec.info !== 0
      && elf.sections[sec.link]?.type === SHT_SYMTAB);
    return new DisasmSymbols(out, relocatable);
  }

  get empty(): boolean {
    return this.sorted.length === 0;
  }

  /**
   * The symbol objdump names `vma` with while disassembling `sec`. `requireSec`: only
   * symbols of that section (block headers).
   */
  find(vma: bigint, sec: SectionRange, requireSec: boolean): SymbolHit | undefined {
    const syms = this.sorted;
    const n = syms.length;
    if (n === 0) return undefined;
    // Binary search for the closest symbol at or below vma in (min, max].
    let min = 0, max = n;
    while (min + 1 < max) {
      const mid = (min + max) >>> 1;
      const v = syms[mid]!.value;
      if (v > vma) max = mid;
      else if (v < vma) min = mid;
      else { min = mid; break; }
    }
    // First of a group of symbols with the same value.
    let place = min;
    while (place > 0 && syms[place]!.value === syms[place - 1]!.value) place--;
    // Prefer a symbol of this section among those with the same value.
    for (let i = place; i < max && syms[i]!.value === syms[place]!.value; i++) {
      if (syms[i]!.section === sec.index) return { sym: syms[i]!, place: i };
    }
    let end = place;
    while (end < max && syms[end]!.value === syms[place]!.value) end++;
    const wantSection = requireSec || (this.relocatable && vma >= sec.vma && vma < sec.vma + sec.size);
    if (wantSection && syms[place]!.section !== sec.index) {
      // The nearest earlier symbol of this section (first of its group), else the next one.
      let found = -1;
      for (let i = end - 1; i >= 0; i--) {
        if (syms[i]!.section !== sec.index) continue;
        if (found >= 0 && syms[i]!.value !== syms[found]!.value) break;
        found = i;
      }
      if (found < 0) {
        for (let i = place + 1; i < n; i++) {
          if (syms[i]!.section === sec.index) { found = i; break; }
        }
      }
      if (found < 0) return undefined;
      place = found;
    }
    return { sym: syms[place]!, place };
  }
}
