// Address ↔ source line mapping for source-level debugging. Filled from the assembler's
// per-instruction line records for assembly programs (the built-in demo); DWARF line
// programs of compiled code will feed the same table.

export interface LineLocation {
  readonly file: string;
  readonly line: number;
}

interface Entry extends LineLocation {
  readonly addr: bigint;
}

export class LineTable {
  /** Entries sorted by address (one per instruction, or per statement start). */
  private entries: Entry[] = [];
  private sorted = true;
  private readonly byLine = new Map<string, bigint[]>();

  get size(): number {
    return this.entries.length;
  }

  add(addr: bigint, file: string, line: number): void {
    const e = { addr: BigInt.asUintN(64, addr), file, line };
    if (this.entries.length && this.entries[this.entries.length - 1].addr > e.addr) this.sorted = false;
    this.entries.push(e);
    const k = `${file}\0${line}`;
    const l = this.byLine.get(k);
    if (l) l.push(e.addr); else this.byLine.set(k, [e.addr]);
  }

  private sort(): void {
    if (this.sorted) return;
    this.entries.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    this.sorted = true;
  }

  /** The entry for the instruction at addr (exact match). */
  private find(addr: bigint): number {
    this.sort();
    let lo = 0, hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].addr < addr) lo = mid + 1; else hi = mid;
    }
    return lo < this.entries.length && this.entries[lo].addr === addr ? lo : -1;
  }

  lookup(addr: bigint): LineLocation | undefined {
    const i = this.find(BigInt.asUintN(64, addr));
    return i < 0 ? undefined : this.entries[i];
  }

  /** Whether addr is the first instruction of its line's run (a statement start). */
  isStatementStart(addr: bigint): boolean {
    const i = this.find(BigInt.asUintN(64, addr));
    if (i < 0) return false;
    if (i === 0) return true;
    const p = this.entries[i - 1], e = this.entries[i];
    return !(p.file === e.file && p.line === e.line && p.addr + 4n === e.addr);
  }

  files(): string[] {
    return [...new Set(this.entries.map((e) => e.file))];
  }

  /**
   * Statement starts of `line` in `file`, or of the first line after it that has code
   * (up to `search` lines further). Returns the line actually used.
   */
  resolve(file: string, line: number, search = 20): { line: number; addrs: bigint[] } | undefined {
    for (let l = line; l <= line + search; l++) {
      const addrs = this.byLine.get(`${file}\0${l}`);
      if (addrs) return { line: l, addrs: addrs.filter((a) => this.isStatementStart(a)) };
    }
    return undefined;
  }
}
