// The WebAssembly tier's driver: run(idx) runs region idx and each region it returns (its
// links), and where a region leaves without a link — after a guest exception (the CPU at the
// vector, in Kernel mode), or after an instruction that changed the translation context
// (eret back to User mode, mtc0, tlbwr) — goes on at the new PC through the jump cache when a
// region of the current mode starts there and the address still translates to its RAM (the
// host translation cache's fetch entry), so an exception and its handler, or a TLB refill
// and the user code it returns to, run without returning to JavaScript; an exit through a
// link slot not filled yet (or an indirect jump's slot naming another target) goes on the
// same way. It returns when a call-out asked for JavaScript (Ctrl.BAIL), the instruction
// budget is spent, or no region is found at the exit's PC (the dispatcher then fills the
// exit's link slot once that start is translated). The cold-code runner (runner.ts) enters
// regions through the same lookup.

import { HTLB_BITS, HTLB_SIZE } from '../../mmu/host-tlb';
import { Code, Op, ValType } from './encoder';
import { Ctrl, JC_SIZE, Layout } from './layout';

/** Locals of the driver after its parameter (the table index): the PC, its low word, an entry index, the mode. */
const IDX = 0, PC = 1, X = 2, I = 3, M = 4;
export const DRIVER_LOCALS: ValType[] = [ValType.i64, ValType.i32, ValType.i32, ValType.i32];

/** The locals a jump-cache lookup uses: the PC (i64), scratch i32s, the mode (i32, read), the result (i32). */
export interface JumpLocals { readonly pc: number; readonly x: number; readonly i: number; readonly mode: number; readonly idx: number }

/**
 * The region the jump cache names for the PC in `l.pc` in the mode in `l.mode`, into `l.idx`
 * (its table index) — after checking that it starts there, is of that mode and, unless the PC
 * is in ckseg0/ckseg1 in Kernel mode, that the host translation cache's fetch entry maps the PC
 * to its RAM; else branches to `fail` (a depth where this code is emitted).
 */
export function lookupRegion(c: Code, L: Layout, l: JumpLocals, fail: number): void {
  c.begin(Op.block); // $ok (depths inside: +1)
  const f = fail + 1;
  c.get(l.pc).op(Op.i32_wrap_i64).tee(l.x).i32(2).op(Op.i32_shr_u).get(l.x).i32(16).op(Op.i32_shr_u).op(Op.i32_xor).i32(JC_SIZE - 1).op(Op.i32_and);
  c.i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, L.jcAll).tee(l.idx).op(Op.i32_eqz).brIf(f);
  c.get(l.idx).i32(3).op(Op.i32_shl).mem(Op.i64_load, 3, L.starts).get(l.pc).op(Op.i64_ne).brIf(f);
  c.get(l.idx).i32(3).op(Op.i32_shl).mem(Op.i32_load, 2, L.meta).get(l.mode).op(Op.i32_ne).brIf(f);
  // Unmapped Kernel addresses (ckseg0/ckseg1) always translate alike; others through the fetch entry.
  c.get(l.mode).op(Op.i32_eqz).get(l.pc).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).i32(-1).op(Op.i32_eq, Op.i32_and);
  c.get(l.x).i32(29).op(Op.i32_shr_u).i32(4).op(Op.i32_sub).i32(2).op(Op.i32_lt_u, Op.i32_and).brIf(0);
  // I = byte index of the fetch entry for the mode: ((mode·3 + 2) << HTLB_BITS | page index) × 8.
  c.get(l.mode).i32(3).op(Op.i32_mul).i32(2).op(Op.i32_add).i32(HTLB_BITS).op(Op.i32_shl);
  c.get(l.x).i32(12).op(Op.i32_shr_u).i32(HTLB_SIZE - 1).op(Op.i32_and, Op.i32_or).i32(3).op(Op.i32_shl).tee(l.i);
  c.mem(Op.i64_load, 3, L.wideTag).get(l.pc).i64(-4096n | 3n).op(Op.i64_and, Op.i64_ne).brIf(f);
  c.get(l.i).mem(Op.i32_load, 2, L.wideAdd).get(l.x).op(Op.i32_add);
  c.get(l.idx).i32(3).op(Op.i32_shl).mem(Op.i32_load, 2, L.meta + 4).op(Op.i32_ne).brIf(f);
  c.op(Op.end); // $ok
}

/**
 * Where a region left without a link (the driver's loop and the cold-code runner's): unless
 * a call-out asked for JavaScript (Ctrl.BAIL) or the instruction budget is spent, the region
 * the jump cache names at the exit's PC in the CPU's mode now, into `l.idx` — else branches
 * to `fail`. Reads the PC and mode into `l.pc` and `l.mode`.
 */
export function lookupAfterExit(c: Code, L: Layout, l: JumpLocals, fail: number): void {
  const ctrl = L.ctrl;
  c.i32(0).mem(Op.i32_load, 2, ctrl + Ctrl.BAIL).brIf(fail);
  c.i32(0).mem(Op.i32_load, 2, ctrl + Ctrl.REM).i32(0).op(Op.i32_lt_s).brIf(fail);
  c.i32(0).mem(Op.i32_load, 2, ctrl + Ctrl.PCHI).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl);
  c.i32(0).mem(Op.i32_load, 2, ctrl + Ctrl.PCLO).op(Op.i64_extend_i32_u, Op.i64_or).set(l.pc);
  c.i32(0).mem(Op.i32_load, 2, ctrl + Ctrl.MODE).set(l.mode);
  lookupRegion(c, L, l, fail);
}

export function emitDriver(L: Layout): Code {
  const c = new Code();
  c.begin(Op.block); // $exit
  c.begin(Op.loop); // $run
  c.get(IDX).callIndirect(0).tee(IDX).brIf(0);
  // A region left without a link (0): JavaScript's turn, or the region the jump cache names.
  lookupAfterExit(c, L, { pc: PC, x: X, i: I, mode: M, idx: IDX }, 1);
  c.br(0);
  c.op(Op.end); // $run
  c.op(Op.end); // $exit
  c.i32(0);
  return c;
}
