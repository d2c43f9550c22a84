// Address → symbol lookup for objdump-style annotations (`<sym+0x10>`, `<sym>:`).
// Built from ElfSymbol[]: keeps FUNC/OBJECT/NOTYPE symbols with a name and a non-zero address
// defined in an allocated section; sorted by address, looked up by binary search.

import {
  ET_REL,
  SHF_ALLOC,
  SHN_ABS,
  SHN_LORESERVE,
  SHN_UNDEF,
  STB_GLOBAL,
  STB_WEAK,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  type ElfFile,
  type ElfSection,
  type ElfSymbol,
} from './elf.js';

export interface SymbolEntry {
  readonly name: string;
  readonly addr: bigint;
  /** 0n when the symbol has no size (then it extends up to the next symbol). */
  readonly size: bigint;
  /** STT_FUNC, STT_OBJECT or STT_NOTYPE */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  readonly shndx: number;
}

export interface SymbolLookup {
  readonly name: string;
  /** addr - symbol.addr */
  readonly offset: bigint;
  readonly symbol: SymbolEntry;
}

export interface SymbolTableOptions {
  /** Section headers of the file: when given, only symbols of SHF_ALLOC sections are kept. */
  readonly sections?: readonly ElfSection[];
  /** Keep SHN_ABS symbols too (default false). */
  readonly includeAbsolute?: boolean;
  /** Keep symbols whose value is 0 (default false; fromElf enables it for ET_REL files). */
  readonly allowZero?: boolean;
  /** Keep only symbols defined in this section index (useful for relocatable objects). */
  readonly section?: number;
  /** Sign-extend 32-bit values (ELF32 kernels at 0x80000000 → 0xffffffff80000000). */
  readonly signExtend32?: boolean;
}

const typeRank = (t: number): number => (t === STT_FUNC ? 0 : t === STT_OBJECT ? 1 : 2);
const bindRank = (b: number): number => (b === STB_GLOBAL ? 0 : b === STB_WEAK ? 1 : 2);

/** Ordering: by address, then preference (FUNC, OBJECT, NOTYPE; global, weak, local; sized first; name). */
function compare(a: SymbolEntry, b: SymbolEntry): number {
  if (a.addr !== b.addr) return a.addr < b.addr ? -1 : 1;
  const d = typeRank(a.type) - typeRank(b.type) || bindRank(a.bind) - bindRank(b.bind);
  if (d !== 0) return d;
  if ((a.size > 0n) !== (b.size > 0n)) return a.size > 0n ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class SymbolTable {
  /** Sorted by address, preferred symbol first among those sharing an address. */
  readonly entries: readonly SymbolEntry[];
  private readonly addrs: bigint[];
  /** maxEnd[i] = max over j <= i of the end (addr + size) of entries[j]. */
  private readonly maxEnd: bigint[];
  private readonly names = new Map<string, SymbolEntry>();

  static fromElf(elf: ElfFile, opts: SymbolTableOptions = {}): SymbolTable {
    return new SymbolTable(elf.symbols, {
      sections: elf.sections,
      allowZero: elf.type === ET_REL,
      ...opts,
    });
  }

  /**
   * A table from plain entries (symbols that come from no ELF file, e.g. a kernel's kallsyms).
   * Entries need a name; an address of 0 is kept.
   */
  static fromEntries(entries: readonly SymbolEntry[]): SymbolTable {
    return new SymbolTable(entries.map((e, i) => ({
      index: i + 1, name: e.name, value: e.addr, size: e.size, type: e.type, bind: e.bind, visibility: 0, other: 0,
      shndx: e.shndx === SHN_UNDEF || e.shndx >= SHN_LORESERVE ? 1 : e.shndx,
    })), { allowZero: true });
  }

  constructor(symbols: readonly ElfSymbol[], opts: SymbolTableOptions = {}) {
    const list: SymbolEntry[] = [];
    const seen = new Set<string>();
    for (const s of symbols) {
      if (s.name === '' || s.index === 0) continue;
      if (s.type !== STT_FUNC && s.type !== STT_OBJECT && s.type !== STT_NOTYPE) continue;
      if (s.shndx === SHN_UNDEF) continue;
      if (s.shndx === SHN_ABS) {
        if (!opts.includeAbsolute) continue;
      } else if (s.shndx >= SHN_LORESERVE) {
        continue; // COMMON and other reserved indices have no address
      } else if (opts.sections) {
        const sec = opts.sections[s.shndx];
        if (!sec || (sec.flags & BigInt(SHF_ALLOC)) === 0n) continue;
      }
      if (opts.section !== undefined && s.shndx !== opts.section) continue;
      let addr = s.value;
      if (opts.signExtend32) addr = BigInt.asUintN(64, BigInt.asIntN(32, addr));
      if (addr === 0n && !opts.allowZero) continue;
      const key = `${s.name}\0${addr}`;
      if (seen.has(key)) continue; // exact duplicates
      seen.add(key);
      list.push({ name: s.name, addr, size: s.size, type: s.type, bind: s.bind, shndx: s.shndx });
    }
    list.sort(compare);
    this.entries = list;
    this.addrs = list.map((e) => e.addr);
    this.maxEnd = [];
    let m = -1n;
    for (const e of list) {
      const end = e.addr + e.size;
      if (end > m) m = end;
      this.maxEnd.push(m);
    }
    for (const e of list) {
      const cur = this.names.get(e.name);
      if (!cur || bindRank(e.bind) < bindRank(cur.bind)) this.names.set(e.name, e);
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** Index of the last entry with addr <= a, or -1. */
  private floor(a: bigint): number {
    let lo = 0;
    let hi = this.addrs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.addrs[mid]! <= a) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * The symbol containing `addr`: the nearest symbol at or below it (FUNC preferred among symbols
   * at the same address), bounded by its size when it has one, otherwise extending up to the
   * next symbol. When the nearest symbols are sized and end before `addr`, an earlier symbol
   * whose extent covers `addr` (e.g. an enclosing function) is returned instead.
   */
  lookup(addr: bigint): SymbolLookup | undefined {
    let i = this.floor(addr);
    if (i < 0) return undefined;
    const covers = (e: SymbolEntry): boolean => e.size === 0n || addr < e.addr + e.size;
    // The group at the nearest address, in preference order.
    const groupAddr = this.addrs[i]!;
    let g = i;
    while (g > 0 && this.addrs[g - 1] === groupAddr) g--;
    for (let j = g; j <= i; j++) {
      const e = this.entries[j]!;
      if (covers(e)) return { name: e.name, offset: addr - e.addr, symbol: e };
    }
    // Look further back for a sized symbol covering addr.
    i = g - 1;
    let found: SymbolEntry | undefined;
    while (i >= 0 && this.maxEnd[i]! > addr) {
      const e = this.entries[i]!;
      if (found && e.addr !== found.addr) break;
      if (e.size > 0n && addr < e.addr + e.size) found = e; // later overwrite = more preferred in group
      i--;
    }
    return found ? { name: found.name, offset: addr - found.addr, symbol: found } : undefined;
  }

  /**
   * The function containing `addr` as gdb chooses it: a sized symbol that contains it (the
   * nearest such), even where an unsized label lies between it and `addr`; else lookup().
   */
  lookupFunction(addr: bigint): SymbolLookup | undefined {
    const nearest = this.lookup(addr);
    if (nearest && nearest.symbol.size > 0n) return nearest;
    let found: SymbolEntry | undefined;
    for (let j = this.floor(addr); j >= 0 && this.maxEnd[j]! > addr; j--) {
      const e = this.entries[j]!;
      if (found && e.addr !== found.addr) break;
      if (e.size > 0n && addr < e.addr + e.size) found = e; // the group's preferred symbol comes first: keep overwriting
    }
    return found ? { name: found.name, offset: addr - found.addr, symbol: found } : nearest;
  }

  /** The preferred symbol starting exactly at `addr` (for `<sym>:` headers). */
  symbolAt(addr: bigint): SymbolEntry | undefined {
    const i = this.floor(addr);
    if (i < 0 || this.addrs[i] !== addr) return undefined;
    let g = i;
    while (g > 0 && this.addrs[g - 1] === addr) g--;
    return this.entries[g];
  }

  /** The lowest symbol address above `addr` (where the symbol containing it ends at the latest), or undefined. */
  nextStart(addr: bigint): bigint | undefined {
    const i = this.floor(addr) + 1;
    return i < this.addrs.length ? this.addrs[i] : undefined;
  }

  /** A symbol with this name (global preferred over weak over local). */
  byName(name: string): SymbolEntry | undefined {
    return this.names.get(name);
  }

  /** objdump-style annotation: "<sym>" or "<sym+0x10>", or "" when no symbol contains addr. */
  format(addr: bigint): string {
    const r = this.lookup(addr);
    if (!r) return '';
    return r.offset === 0n ? `<${r.name}>` : `<${r.name}+0x${r.offset.toString(16)}>`;
  }
}
