// The CP0 moves that are plain: mfc0/dmfc0 of a register read as it is stored (no value
// computed at the read: not Random, Count or EntryLo's RI/XI), and mtc0/dmtc0 of a register
// written as a whole 64-bit value (no write mask, no side effect). With the register known
// (a translated instruction) the semantics read or write the register file directly; the
// interpreter's CP0 access (cpu/cp0-access.ts) serves the same registers from this table, so
// every engine agrees. By (register × 8 + select).

import type { Cp0Word } from './ir';
import { F } from './table';

/** mfc0/dmfc0 that read the stored value: a 64-bit register (`wide`) or a 32-bit one read sign-extended. */
export const CP0_STORED_READS: ReadonlyMap<number, { readonly word: Cp0Word; readonly wide: boolean }> = new Map([
  [0, { word: 'index', wide: false }],
  [32, { word: 'context', wide: true }],
  [40, { word: 'pagemask', wide: false }],
  [41, { word: 'pagegrain', wide: false }],
  [48, { word: 'wired', wide: false }],
  [56, { word: 'hwrena', wide: false }],
  [64, { word: 'badvaddr', wide: true }],
  [80, { word: 'entryhi', wide: true }],
  [88, { word: 'compare', wide: false }],
  [96, { word: 'status', wide: false }],
  [97, { word: 'intctl', wide: false }],
  [98, { word: 'srsctl', wide: false }],
  [104, { word: 'cause', wide: false }],
  [112, { word: 'epc', wide: true }],
  [120, { word: 'prid', wide: false }],
  [121, { word: 'ebase', wide: false }],
  [128, { word: 'config0', wide: false }],
  [129, { word: 'config1', wide: false }],
  [130, { word: 'config2', wide: false }],
  [131, { word: 'config3', wide: false }],
  [136, { word: 'lladdr', wide: true }],
  [160, { word: 'xcontext', wide: true }],
  [240, { word: 'errorepc', wide: true }],
  [248, { word: 'desave', wide: true }],
] as const);

/** mtc0/dmtc0 that store the whole GPR: the exception program counters and DESAVE. */
export const CP0_STORED_WRITES: ReadonlyMap<number, Cp0Word> = new Map([
  [112, 'epc'],
  [240, 'errorepc'],
  [248, 'desave'],
] as const);

/** Whether a move to CP0 (reg, sel) is a plain store (it does not change the translation context). */
export function plainCp0Write(reg: number, sel: number): boolean {
  return CP0_STORED_WRITES.has(reg * 8 + sel);
}

/**
 * Whether instruction word `w` (of table entry `e`) may change the translation context
 * (F.CTX: it ends a translated block), decided per word: a move to a CP0 register whose
 * write is plain does not.
 */
export function changesContext(e: { readonly op: string; readonly flags: number }, w: number): boolean {
  if ((e.flags & F.CTX) === 0) return false;
  return !((e.op === 'mtc0' || e.op === 'dmtc0') && plainCp0Write((w >>> 11) & 31, w & 7));
}
