// Shared pieces of the instruction semantics: the type of a semantics function and the
// privilege checks several groups use (coprocessor usability, 64-bit operations), written
// once in the IR so every engine raises exactly the same exceptions.

import { Exc, ST_CU0, ST_CU1, ST_CU2, ST_FR, ST_PX, ST_SX, ST_UX } from '../cp0-defs';
import type { Sem, Val } from '../ir';

/** An instruction's semantics: records its statements into the builder. */
export type SemFn = (s: Sem) => void;

export const status = (s: Sem): Val => s.c0w('status');

/** CP0 usable: Kernel mode or Status.CU0; else Coprocessor Unusable (CE 0). */
export function needCp0(s: Sem): void {
  s.checks.add('cp0');
  s.raiseIf(s.mode().ne(0).and(status(s).and(ST_CU0).eqz()), Exc.CpU, 0);
}

/** CP1 usable: an FPU and Status.CU1; else Coprocessor Unusable (CE 1). */
export function needCp1(s: Sem): void {
  s.checks.add('cp1');
  if (!s.ctx.target.fpu) { s.raise(Exc.CpU, 1); return; }
  s.raiseIf(status(s).and(ST_CU1).eqz(), Exc.CpU, 1);
}

/** COP2 instructions: Coprocessor Unusable (CE 2) without Status.CU2, else Reserved Instruction (no CP2 modelled). */
export function cop2(s: Sem): void {
  s.raiseIf(status(s).and(ST_CU2).eqz(), Exc.CpU, 2);
  s.raise(Exc.RI);
}

/**
 * 64-bit operations (doubleword arithmetic, shifts, loads/stores, lwu) outside Kernel mode:
 * Reserved Instruction unless Status.UX or PX (User mode) or SX (Supervisor mode) allows them.
 * (QEMU 7.2 does not check SX: its Supervisor mode always allows them.)
 */
export function need64(s: Sem): void {
  s.checks.add('op64');
  const m = s.mode();
  if (m.isConst && m.k === 0) return;
  const st = status(s);
  const denied = s.select(m.eq(2), st.and(ST_UX | ST_PX).eqz(), s.select(m.eq(1), st.and(ST_SX).eqz(), s.i32(0)));
  s.raiseIf(denied, Exc.RI);
}

/** 64-bit-only FPU operations need Status.FR (Reserved Instruction otherwise). */
export function needFr(s: Sem): void {
  s.raiseIf(status(s).and(ST_FR).eqz(), Exc.RI);
}

/** Wraps a semantics function with the 64-bit-operation check first. */
export const op64 = (f: SemFn): SemFn => (s) => { need64(s); f(s); };
