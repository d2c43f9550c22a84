// A point in a machine's execution history. The instruction count alone is not enough:
// taking an exception (or an interrupt) executes no instruction, so the CPU can be at
// several states with one count: before the exception (sub 0), at its vector (sub 1),
// and, if that faults again, further. A position is therefore (icount, sub), where sub
// counts the exceptions taken since the count last changed; positions are totally
// ordered, and each names exactly one state of a deterministic run.

export interface Position {
  readonly icount: number;
  readonly sub: number;
}

/** Negative, zero or positive as a is before, at or after b. */
export function comparePositions(a: Position, b: Position): number {
  return a.icount - b.icount || a.sub - b.sub;
}

export function samePosition(a: Position, b: Position): boolean {
  return a.icount === b.icount && a.sub === b.sub;
}

/** "1,234,567" or "1,234,567+2" (two exceptions into that count). */
export function formatPosition(p: Position): string {
  const n = p.icount.toLocaleString('en-US');
  return p.sub > 0 ? `${n}+${p.sub}` : n;
}
