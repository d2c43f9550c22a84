// Address ↔ source line mapping for source-level debugging. Filled from the assembler's
// per-instruction line records for assembly programs (the built-in demo), and from DWARF
// line programs (.debug_line) of compiled code: each row covers the addresses up to the
// next row of its sequence; is_stmt rows are the statement starts breakpoints and line
// steps use. Rows are kept per file they came from (`source`), at their link addresses,
// with one load offset per source: a source moves as a whole in O(1) (a kernel relocated
// by KASLR: millions of rows) or is set aside while its load address is unknown.

import type { LineRow } from '../loader/dwarf/line';

export interface LineLocation {
  readonly file: string;
  readonly line: number;
  /** 1-based column; 0 when unknown. */
  readonly column: number;
}

/** A row as looked up: its addresses after the source's load offset. */
export interface LineEntry extends LineLocation {
  readonly addr: bigint;
  /** First address past the entry. */
  readonly end: bigint;
  readonly stmt: boolean;
}

interface Entry extends LineLocation {
  /** Link-time address (before the source's offset). */
  readonly addr: bigint;
  /** Bytes of code it covers (0 for a row that covers none): a number, not a second BigInt per row (a kernel has over a million). */
  readonly len: number;
  readonly stmt: boolean;
}

const endOf = (e: Entry): bigint => e.addr + BigInt(e.len);

/** The rows of one source. */
class Part {
  /** Entries covering code, sorted by address (stable: rows at one address keep their order). */
  entries: Entry[] = [];
  sorted = true;
  /** Statement starts (link-time) by file, then line. */
  readonly byLine = new Map<string, Map<number, bigint[]>>();
  readonly stmtStarts = new Set<bigint>();
  placed = true;
  constructor(readonly source: string, public offset: bigint) {}

  push(e: Entry): void {
    if (e.len > 0) {
      if (this.entries.length && this.entries[this.entries.length - 1]!.addr > e.addr) this.sorted = false;
      this.entries.push(e);
    }
    if (e.stmt) {
      this.stmtStarts.add(e.addr);
      let f = this.byLine.get(e.file);
      if (!f) this.byLine.set(e.file, f = new Map());
      const l = f.get(e.line);
      if (!l) f.set(e.line, [e.addr]);
      else if (l[l.length - 1] !== e.addr) l.push(e.addr); // duplicates (rare) go in resolve(): a header line inlined thousands of times must not cost O(n²)
    }
  }

  /** The entry covering a link-time address, if any. */
  lookup(a: bigint): Entry | undefined {
    if (!this.sorted) { this.entries.sort(cmp); this.sorted = true; } // Array.prototype.sort is stable
    const es = this.entries;
    let lo = 0, hi = es.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (es[mid]!.addr <= a) lo = mid + 1; else hi = mid;
    }
    // Overlapping sequences are rare; the nearest start that covers addr wins.
    for (let k = lo - 1; k >= 0 && k > lo - 9; k--) if (a < endOf(es[k]!)) return es[k];
    return undefined;
  }
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const cmp = (a: Entry, b: Entry): number => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0);

export class LineTable {
  private readonly parts = new Map<string, Part>();

  get size(): number {
    let n = 0;
    for (const p of this.parts.values()) if (p.placed) n += p.entries.length;
    return n;
  }

  private part(source: string, offset: bigint): Part {
    let p = this.parts.get(source);
    if (!p) this.parts.set(source, p = new Part(source, U64(offset)));
    return p;
  }

  /** One instruction (assembler line records): a statement start unless it continues the previous instruction's line. */
  add(addr: bigint, file: string, line: number): void {
    const part = this.part('', 0n);
    const a = U64(addr - part.offset);
    const p = part.entries[part.entries.length - 1];
    const continues = p !== undefined && endOf(p) === a && p.file === file && p.line === line;
    part.push({ addr: a, len: 4, file, line, column: 0, stmt: !continues });
  }

  /**
   * Rows of DWARF line programs (in program order) of the file `source`, loaded at
   * `offset` (a symbol file loaded elsewhere; more rows of a source already here share its
   * offset). Returns the number of rows that cover code.
   */
  addRows(rows: readonly LineRow[], offset = 0n, source = ''): number {
    const part = this.part(source, offset);
    let n = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (r.endSequence) continue;
      const next = rows[i + 1];
      // The last row of a sequence without end_sequence (truncated program) covers nothing.
      const end = next && next.address >= r.address ? next.address : r.address;
      const len = end - r.address;
      if (len > 0xffffffffn) continue; // a row that would cover more than 4 GB is corrupt
      part.push({ addr: U64(r.address), len: Number(len), file: r.file, line: r.line, column: r.column, stmt: r.isStmt });
      if (end > r.address) n++;
    }
    return n;
  }

  /**
   * Moves the rows of `source` to `offset` (their link addresses + offset), or with
   * undefined sets them aside (not looked up, no breakpoints bind to them) until moved
   * again. Returns the number of rows (covering code) concerned.
   */
  rebase(source: string, offset: bigint | undefined): number {
    const p = this.parts.get(source);
    if (!p) return 0;
    if (offset !== undefined) p.offset = U64(offset);
    p.placed = offset !== undefined;
    return p.entries.length;
  }

  /** Forgets the rows of `source`; returns how many (covering code) went. */
  remove(source: string): number {
    const n = this.parts.get(source)?.entries.length ?? 0;
    this.parts.delete(source);
    return n;
  }

  /** The line of the instruction at addr. */
  lookup(addr: bigint): LineEntry | undefined {
    let best: LineEntry | undefined;
    for (const p of this.parts.values()) {
      if (!p.placed) continue;
      const e = p.lookup(U64(addr - p.offset));
      if (!e) continue;
      const at = U64(e.addr + p.offset);
      if (!best || at > best.addr) best = { addr: at, end: U64(endOf(e) + p.offset), file: e.file, line: e.line, column: e.column, stmt: e.stmt };
    }
    return best;
  }

  /** Whether addr is the start of a statement (a breakpoint or line-step target). */
  isStatementStart(addr: bigint): boolean {
    for (const p of this.parts.values()) if (p.placed && p.stmtStarts.has(U64(addr - p.offset))) return true;
    return false;
  }

  files(): string[] {
    return this.filesOf(true);
  }

  /** Files with statement rows in sources set aside (load address unknown). */
  filesAside(): string[] {
    return this.filesOf(false);
  }

  private filesOf(placed: boolean): string[] {
    const out = new Set<string>();
    for (const p of this.parts.values()) if (p.placed === placed) for (const f of p.byLine.keys()) out.add(f);
    return [...out];
  }

  /**
   * Statement starts of `line` in `file`, or of the first line after it that has code
   * (up to `search` lines further). Returns the line actually used. With `functionOf`,
   * only the lowest address per function is kept (a `for` line's condition and
   * increment are not separate stops).
   */
  resolve(file: string, line: number, search = 20, functionOf?: (addr: bigint) => bigint | undefined): { line: number; addrs: bigint[] } | undefined {
    const maps: Array<{ lines: Map<number, bigint[]>; offset: bigint }> = [];
    for (const p of this.parts.values()) {
      const m = p.placed ? p.byLine.get(file) : undefined;
      if (m) maps.push({ lines: m, offset: p.offset });
    }
    if (maps.length === 0) return undefined;
    // Lines come from clients: only safe integers, and the loop counts steps, not lines
    // (past 2^53, l + 1 === l: a loop on the line number itself would never end).
    if (!Number.isSafeInteger(line) || line < 0 || !Number.isSafeInteger(search) || search < 0) return undefined;
    for (let k = 0, l = line; k <= search && Number.isSafeInteger(l); k++, l++) {
      const addrs: bigint[] = [];
      for (const m of maps) for (const a of m.lines.get(l) ?? []) addrs.push(U64(a + m.offset));
      if (addrs.length === 0) continue;
      const sortedAddrs = [...new Set(addrs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
