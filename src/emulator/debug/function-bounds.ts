// The extent of the function around an address, for showing its code: the FDE of the call
// frame information that covers it, else a sized symbol, else an unsized one (kallsyms)
// up to the next symbol, else the exception vector slot it is in, else the heuristic start (prologue analysis, see unwind.ts) up to
// the first `jr ra` (and its delay slot) after the address. Very long extents are cut to a
// window around the address.

import type { DebugSymbols } from './symbols';
import type { Unwinder } from './unwind';

export interface FunctionBounds {
  /** First instruction shown. */
  readonly start: bigint;
  /** First address past the last instruction shown. */
  readonly end: bigint;
  /** The symbol the range starts at (its name), when one does. */
  readonly name: string | undefined;
  /** How the range was found. */
  readonly by: 'cfi' | 'symbol' | 'heuristic';
  /** The function is longer than shown (a window around the address). */
  readonly cut: boolean;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** At most this many bytes of code are shown; the window around the address is half of it each side. */
const MAX_BYTES = 64n * 1024n;
/** A heuristic end is searched this far past the address. */
const SCAN_BYTES = 4096n;

export function functionBounds(pc: bigint, symbols: DebugSymbols, unwinder: Unwinder): FunctionBounds {
  const a = U64(pc) & ~3n;
  let start: bigint | undefined, end: bigint | undefined;
  let by: FunctionBounds['by'] = 'heuristic';
  const cfi = unwinder.rulesAt(a);
  if (cfi) {
    start = U64(cfi.rules.fde.pcBegin + cfi.offset);
    end = U64(cfi.rules.fde.pcEnd + cfi.offset);
    by = 'cfi';
  } else {
    const sym = symbols.lookup(a);
    if (sym && sym.size > 0n) { start = sym.addr; end = U64(sym.addr + sym.size); by = 'symbol'; } else if (sym) {
      const next = symbols.nextStart(a);
      if (next !== undefined && next > a) { start = sym.addr; end = next; by = 'symbol'; }
    }
  }
  const vector = start === undefined ? unwinder.vectorAt(a) : undefined;
  if (vector && !symbols.lookup(a)) { start = vector.start; end = vector.end; by = 'symbol'; }
  if (start === undefined || end === undefined || end <= a || start > a) {
    start = unwinder.functionStart(a) ?? a;
    end = U64(a + 4n);
    for (let x = a; x < a + SCAN_BYTES; x += 4n) {
      const w = unwinder.word(x);
      if (w === undefined) { end = x > a ? x : U64(a + 4n); break; }
      end = U64(x + 4n);
      if (w === 0x03e00008 || w === 0x03e00408) { end = U64(x + 8n); break; } // jr ra (+ its delay slot)
    }
    by = 'heuristic';
  }
  let cut = false;
  if (end - start > MAX_BYTES) {
    cut = true;
    const lo = a - MAX_BYTES / 2n > start ? a - MAX_BYTES / 2n : start;
    start = lo;
    end = lo + MAX_BYTES < end ? lo + MAX_BYTES : end;
  }
  const head = symbols.lookup(start);
  return { start, end, name: head && head.offset === 0n ? head.name : unwinder.vectorLabel(start), by, cut };
}
