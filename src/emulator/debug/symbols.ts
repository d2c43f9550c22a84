// Symbols the debugger knows: the kernel's own table plus extra symbol files (modules,
// a separately built vmlinux) loaded at an offset. Lookups pick the closest symbol at
// or below an address across all tables. A source's tables can be moved later (a kernel
// relocated by KASLR) or set aside while their load address is unknown.

import { ElfFile, parseElf } from '../loader/elf';
import { SymbolLookup, SymbolTable } from '../loader/symbols';

interface Loaded {
  readonly table: SymbolTable;
  offset: bigint;
  readonly source: string;
  /** False while the load address is unknown: the table is kept but not used. */
  placed: boolean;
}

export interface DebugSymbol {
  readonly name: string;
  /** Address after the load offset. */
  readonly addr: bigint;
  readonly size: bigint;
  /** addr queried − symbol address. */
  readonly offset: bigint;
  readonly source: string;
}

/** An address this far past an unsized symbol (a label) is not attributed to it. */
const MAX_UNSIZED_OFFSET = 1n << 20n;

export class DebugSymbols {
  private readonly tables: Loaded[] = [];
  /** Why a name may be missing (e.g. kallsyms holds text symbols only), added to "unknown symbol" errors. */
  missingHint: string | undefined = undefined;

  get count(): number {
    return this.tables.reduce((n, t) => n + t.table.size, 0);
  }

  add(table: SymbolTable, offset = 0n, source = ''): void {
    this.tables.push({ table, offset, source, placed: true });
  }

  /**
   * Moves the tables of `source` to `offset` (their link addresses + offset), or with
   * undefined sets them aside until moved again. Returns the number of symbols concerned.
   */
  rebase(source: string, offset: bigint | undefined): number {
    let n = 0;
    for (const t of this.tables) {
      if (t.source !== source) continue;
      if (offset !== undefined) t.offset = BigInt.asUintN(64, offset);
      t.placed = offset !== undefined;
      n += t.table.size;
    }
    return n;
  }

  /** The symbol tables loaded from `source` (placed or not). */
  tablesOf(source: string): SymbolTable[] {
    return this.tables.filter((t) => t.source === source).map((t) => t.table);
  }

  /** Removes the tables loaded from `source`; returns how many symbols went. */
  remove(source: string): number {
    let n = 0;
    for (let i = this.tables.length - 1; i >= 0; i--) {
      if (this.tables[i]!.source !== source) continue;
      n += this.tables[i]!.table.size;
      this.tables.splice(i, 1);
    }
    return n;
  }

  /** Adds an ELF file's symbol table (its bytes, or the file already parsed); returns the number of symbols. */
  addElf(image: Uint8Array | ElfFile, offset = 0n, source = ''): number {
    const elf = image instanceof ElfFile ? image : parseElf(image);
    const table = SymbolTable.fromElf(elf, { signExtend32: elf.class === 32 });
    this.add(table, offset, source);
    return table.size;
  }

  /**
   * The symbol containing addr (closest start at or below it across tables; within a table
   * a sized symbol that contains it wins over a nearer unsized label, as in gdb).
   */
  lookup(addr: bigint): DebugSymbol | undefined {
    let best: DebugSymbol | undefined;
    for (const t of this.tables) {
      if (!t.placed) continue;
      const a = BigInt.asUintN(64, addr - t.offset);
      const r: SymbolLookup | undefined = t.table.lookupFunction(a);
      if (!r) continue;
      if (r.symbol.size === 0n && r.offset >= MAX_UNSIZED_OFFSET) continue;
      if (!best || r.offset < best.offset) {
        best = { name: r.name, addr: BigInt.asUintN(64, r.symbol.addr + t.offset), size: r.symbol.size, offset: r.offset, source: t.source };
      }
    }
    return best;
  }

  /** The lowest symbol start above `addr` across the placed tables, or undefined. */
  nextStart(addr: bigint): bigint | undefined {
    let best: bigint | undefined;
    for (const t of this.tables) {
      if (!t.placed) continue;
      const n = t.table.nextStart(BigInt.asUintN(64, addr - t.offset));
      if (n === undefined) continue;
      const a = BigInt.asUintN(64, n + t.offset);
      if (a > addr && (best === undefined || a < best)) best = a;
    }
    return best;
  }

  /** Address of a symbol by name (first table that has it). */
  byName(name: string): bigint | undefined {
    for (const t of this.tables) {
      if (!t.placed) continue;
      const e = t.table.byName(name);
      if (e) return BigInt.asUintN(64, e.addr + t.offset);
    }
    return undefined;
  }

  /** "name" or "name+0x10", or undefined. */
  describe(addr: bigint): string | undefined {
    const s = this.lookup(addr);
    if (!s) return undefined;
    return s.offset === 0n ? s.name : `${s.name}+0x${s.offset.toString(16)}`;
  }

  /** Symbol names starting with a prefix (completions), at most `limit`. */
  complete(prefix: string, limit = 50): string[] {
    const out = new Set<string>();
    for (const t of this.tables) {
      if (!t.placed) continue;
      for (const e of t.table.entries) {
        if (e.name.startsWith(prefix)) out.add(e.name);
        if (out.size >= limit) return [...out];
      }
    }
    return [...out];
  }
}
