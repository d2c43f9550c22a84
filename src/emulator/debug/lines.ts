// Address ↔ source line mapping for source-level debugging. Filled from the assembler's
// per-instruction line records for assembly programs (the built-in demo), and from DWARF
// line programs (.debug_line) of compiled code: each row covers the addresses up to the
// next row of its sequence; is_stmt rows are the statement starts breakpoints and line
// steps use. Rows remember the file they came from (`source`): a source's rows can be
// moved together (a kernel relocated by KASLR) or set aside while its load address is
// unknown.

import type { LineRow } from '../loader/dwarf/line';

export interface LineLocation {
  readonly file: string;
  readonly line: number;
  /** 1-based column; 0 when unknown. */
  readonly column: number;
}

interface Entry extends LineLocation {
  addr: bigint;
  /** First address past the entry (addr for a row that covers no code). */
  end: bigint;
  readonly stmt: boolean;
  readonly source: string;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const cmp = (a: Entry, b: Entry): number => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0);

export class LineTable {
  /** Entries covering code, sorted by address (stable: rows at one address keep their order). */
  private entries: Entry[] = [];
  private sorted = true;
  /** Statement starts by file and line. */
  private readonly byLine = new Map<string, bigint[]>();
  private readonly stmtStarts = new Set<bigint>();
  /** Every row added, in order, placed or not (what rebase() re-indexes). */
  private all: Entry[] = [];
  /** Current load offset per source. */
  private readonly offsets = new Map<string, bigint>();
  /** Sources set aside (load address unknown). */
  private readonly unplaced = new Set<string>();

  get size(): number {
    return this.entries.length;
  }

  private push(e: Entry): void {
    this.all.push(e);
    if (!this.unplaced.has(e.source)) this.index(e);
  }

  private index(e: Entry): void {
    if (e.end > e.addr) {
      if (this.entries.length && this.entries[this.entries.length - 1]!.addr > e.addr) this.sorted = false;
      this.entries.push(e);
    }
    if (e.stmt) {
      this.stmtStarts.add(e.addr);
      const k = `${e.file}\0${e.line}`;
      const l = this.byLine.get(k);
      if (l) { if (!l.includes(e.addr)) l.push(e.addr); } else this.byLine.set(k, [e.addr]);
    }
  }

  /** One instruction (assembler line records): a statement start unless it continues the previous instruction's line. */
  add(addr: bigint, file: string, line: number): void {
    const a = U64(addr);
    const p = this.entries[this.entries.length - 1];
    const continues = p !== undefined && p.end === a && p.file === file && p.line === line;
    this.push({ addr: a, end: U64(a + 4n), file, line, column: 0, stmt: !continues, source: '' });
  }

  /**
   * Rows of DWARF line programs (in program order), moved by `offset` (a symbol file
   * loaded elsewhere), from the file `source`. Returns the number of rows that cover code.
   */
  addRows(rows: readonly LineRow[], offset = 0n, source = ''): number {
    let n = 0;
    offset = this.offsetFor(source, offset);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (r.endSequence) continue;
      const next = rows[i + 1];
      // The last row of a sequence without end_sequence (truncated program) covers nothing.
      const end = next && next.address >= r.address ? next.address : r.address;
      this.push({ addr: U64(r.address + offset), end: U64(end + offset), file: r.file, line: r.line, column: r.column, stmt: r.isStmt, source });
      if (end > r.address) n++;
    }
    return n;
  }

  /** A source's rows share one offset: more rows of a moved source are moved likewise. */
  private offsetFor(source: string, offset: bigint): bigint {
    const cur = this.offsets.get(source);
    if (cur === undefined) { this.offsets.set(source, U64(offset)); return offset; }
    return cur;
  }

  /**
   * Moves the rows of `source` to `offset` (their link addresses + offset), or with
   * undefined sets them aside (not looked up, no breakpoints bind to them) until moved
   * again. Returns the number of rows concerned.
   */
  rebase(source: string, offset: bigint | undefined): number {
    const old = this.offsets.get(source) ?? 0n;
    let n = 0;
    const delta = offset === undefined ? 0n : offset - old;
    for (const e of this.all) {
      if (e.source !== source) continue;
      n++;
      if (delta !== 0n) { e.addr = U64(e.addr + delta); e.end = U64(e.end + delta); }
    }
    if (offset === undefined) this.unplaced.add(source);
    else { this.unplaced.delete(source); this.offsets.set(source, U64(offset)); }
    this.reindex();
    return n;
  }

  /** Forgets the rows of `source`; returns how many went. */
  remove(source: string): number {
    const before = this.all.length;
    this.all = this.all.filter((e) => e.source !== source);
    this.offsets.delete(source);
    this.unplaced.delete(source);
    this.reindex();
    return before - this.all.length;
  }

  private reindex(): void {
    this.entries = [];
    this.sorted = true;
    this.byLine.clear();
    this.stmtStarts.clear();
    for (const e of this.all) if (!this.unplaced.has(e.source)) this.index(e);
  }

  private sort(): void {
    if (this.sorted) return;
    this.entries.sort(cmp); // Array.prototype.sort is stable
    this.sorted = true;
  }

  /** Index of the last entry starting at or below addr, or -1. */
  private floor(addr: bigint): number {
    this.sort();
    let lo = 0, hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.addr <= addr) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  /** The line of the instruction at addr. */
  lookup(addr: bigint): LineLocation | undefined {
    const a = U64(addr);
    const i = this.floor(a);
    if (i < 0) return undefined;
    // Overlapping sequences are rare; the nearest start that covers addr wins.
    for (let k = i; k >= 0 && k > i - 8; k--) {
      const e = this.entries[k]!;
      if (a < e.end) return e;
    }
    return undefined;
  }

  /** Whether addr is the start of a statement (a breakpoint or line-step target). */
  isStatementStart(addr: bigint): boolean {
    return this.stmtStarts.has(U64(addr));
  }

  files(): string[] {
    return [...new Set([...this.byLine.keys()].map((k) => k.slice(0, k.indexOf('\0'))))];
  }

  /** Files with statement rows in sources set aside (load address unknown). */
  filesAside(): string[] {
    if (this.unplaced.size === 0) return [];
    const out = new Set<string>();
    for (const e of this.all) if (e.stmt && this.unplaced.has(e.source)) out.add(e.file);
    return [...out];
  }

  /**
   * Statement starts of `line` in `file`, or of the first line after it that has code
   * (up to `search` lines further). Returns the line actually used. With `functionOf`,
   * only the lowest address per function is kept (a `for` line's condition and
   * increment are not separate stops).
   */
  resolve(file: string, line: number, search = 20, functionOf?: (addr: bigint) => bigint | undefined): { line: number; addrs: bigint[] } | undefined {
    for (let l = line; l <= line + search; l++) {
      const addrs = this.byLine.get(`${file}\0${l}`);
      if (!addrs) continue;
      const sortedAddrs = [...addrs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (!functionOf) return { line: l, addrs: sortedAddrs };
      const seen = new Set<bigint | undefined>();
      const out: bigint[] = [];
      for (const a of sortedAddrs) {
        const f = functionOf(a);
        if (f !== undefined && seen.has(f)) continue;
        seen.add(f);
        out.push(a);
      }
      return { line: l, addrs: out };
    }
    return undefined;
  }
}
