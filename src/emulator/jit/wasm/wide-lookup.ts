// The inline host translation cache test both WebAssembly emitters (region-emitter.ts for
// translated regions, runner.ts for cold code) emit before a guest memory access: one int64
// compare of the entry's wide tag (mmu/host-tlb.ts) against the address with its page
// offset cleared but its misalignment bits kept; on a hit the host address is the entry's
// addend plus the address.

import { HTLB_BITS, HTLB_SIZE } from '../../mmu/host-tlb';
import { Code, Op } from './encoder';

/** Byte offset, within the wide tables, of the table for a privilege mode and access kind (0 read, 1 write, 2 fetch). */
export function wideTable(mode: number, kind: number): number {
  return ((mode * 3 + kind) << HTLB_BITS) * 8;
}

/** The locals the test uses: the int64 address (set by the caller), its low word, the entry's byte index. */
export interface LookupLocals { readonly a: number; readonly x: number; readonly i: number }

/**
 * Pushes (i32) whether the address in local `a` hits the table at `table` (wideTable) for a
 * `size`-byte access; leaves the address's low word in `x` and the entry's index in `i`.
 */
export function wideHit(c: Code, wideTag: number, table: number, l: LookupLocals, size: number): void {
  // i = entry index × 8 = ((x >>> 12) & (HTLB_SIZE − 1)) << 3
  c.get(l.a).op(Op.i32_wrap_i64).tee(l.x).i32(12 - 3).op(Op.i32_shr_u).i32((HTLB_SIZE - 1) << 3).op(Op.i32_and).tee(l.i);
  c.mem(Op.i64_load, 3, wideTag + table);
  c.get(l.a).i64(BigInt(-4096 | (size - 1))).op(Op.i64_and, Op.i64_eq);
}

/** Pushes (i32) the host address of a hit that wideHit found (addend + the address's low word). */
export function wideAddress(c: Code, wideAdd: number, table: number, l: LookupLocals): void {
  c.get(l.i).mem(Op.i32_load, 2, wideAdd + table).get(l.x).op(Op.i32_add);
}
