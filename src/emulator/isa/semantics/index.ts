// THE instruction semantics: every op of the instruction table (isa/table.ts) mapped to its
// description in the IR (isa/ir.ts), from which every engine is produced. An op absent here
// executes as Reserved Instruction (`reserved`): the table has encodings only the
// disassembler knows (DSP, MT, MSA, VZ, MIPS-3D); the ops a modelled CPU decodes but runs as
// Reserved Instruction by decision are declared so (DECLARED_RESERVED); a test
// (test/isa/semantics-coverage) checks that every op a modelled CPU decodes is here.

import { Sem, SemContext, Stmt } from '../ir';
import type { SemFn } from './common';
import { CONTROL } from './control';
import { FPU } from './fpu';
import { INTEGER } from './integer';
import { MEMORY } from './memory';
import { OCTEON } from './octeon';
import { PRIVILEGED } from './privileged';

/**
 * Ops the modelled CPUs decode but run as Reserved Instruction, by decision: UDI (no
 * user-defined-instruction unit on the 5K or Octeon II cores) and QMAC/QMACS (the
 * multiply-accumulate of later Octeons).
 */
export const DECLARED_RESERVED: readonly string[] = [
  ...Array.from({ length: 16 }, (_, i) => `udi${i}`),
  ...[0, 1, 2, 3].flatMap((n) => [`qmac.0${n}`, `qmacs.0${n}`]),
];

export const SEMANTICS: Readonly<Record<string, SemFn>> = {
  ...INTEGER, ...CONTROL, ...MEMORY, ...PRIVILEGED, ...FPU, ...OCTEON,
  ...Object.fromEntries(DECLARED_RESERVED.map((op) => [op, CONTROL.reserved])),
};

/** Every op with semantics, numbered from 1 in this order (engines dispatch on the number; 0 is none). */
export const OP_LIST: readonly string[] = Object.keys(SEMANTICS);
const OP_NUMBER = new Map(OP_LIST.map((op, i) => [op, i + 1]));

/** The number of op (that of `reserved` for an op without semantics). */
export function opNumber(op: string): number {
  return OP_NUMBER.get(op) ?? OP_NUMBER.get('reserved')!;
}

/** Whether op has its own semantics (else it is a Reserved Instruction). */
export function hasSemantics(op: string): boolean {
  return Object.prototype.hasOwnProperty.call(SEMANTICS, op);
}

/** The statements of `op` in a context (fields symbolic, or one instruction's constants); also the builder. */
export function build(op: string, ctx: SemContext): { sem: Sem; body: Stmt[] } {
  const sem = new Sem(ctx);
  (hasSemantics(op) ? SEMANTICS[op] : SEMANTICS.reserved)(sem);
  return { sem, body: sem.finish() };
}
