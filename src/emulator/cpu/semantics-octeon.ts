// Semantics of the Cavium Octeon instructions, in the template vocabulary of semantics.ts
// (merged into its table, so the interpreter and the translators run them like any
// other instruction). Self-contained: the fragments they need are written here. The
// decoder only produces these ops for Octeon models, whose Cpu has `c.oct`
// (octeon-unit.ts: multiplier state and the longer operations).
//
// Field use beyond the usual: bbit* test bit RT (+32 for bbit032/bbit132) of rs;
// exts/cins take the position from SA (+32 for the *32 forms) and length − 1 from RD;
// seqi/snei compare with the signed 10-bit immediate in bits 15:6; saa/laa/… address
// memory at rs with no offset; lbx…ldx load from rs + rt (base + index) into rd.

import { AtomicOp } from './octeon-unit';

/** Branch target PC + 4 + (IMM << 2) into `thi`, `tlo`. */
const TGT = `const d = 4 + (IMM << 2); const tlo = (PC_LO + d) | 0;
  const thi = (PC_HI + (d >> 31) + (((PC_LO >>> 0) + (d >>> 0)) > 4294967295 ? 1 : 0)) | 0;`;
/**
 * bbit0/bbit1 on word `half` (0 low, 1 high) of rs: branch when bit RT is `set`. (The
 * condition is named `taken`, as in semantics.ts's branches: the translator recognises
 * `c.br(taken, …)` and keeps the outcome in a local.)
 */
const bbit = (half: 0 | 1, set: 0 | 1): string =>
  `{ const b = (r[RS2 + ${half}] >>> RT) & 1; ${TGT} const taken = b === ${set}; c.br(taken, thi, tlo, PC_HI, PC_LO); }`;
/** seq/sne: rd = 1 when rs and rt are (not) equal. */
const cmp = (eq: boolean): string =>
  `{ const e = r[RS2] === r[RT2] && r[RS2 + 1] === r[RT2 + 1]; const lo = ${eq ? 'e' : '!e'} ? 1 : 0, hi = 0; @WRD }`;
/** seqi/snei: rt = 1 when rs is (not) the sign-extended 10-bit immediate. */
const cmpi = (eq: boolean): string =>
  `{ const i = (W << 16) >> 22; const e = r[RS2] === i && r[RS2 + 1] === (i >> 31); const lo = ${eq ? 'e' : '!e'} ? 1 : 0, hi = 0; @WRT }`;
/** Indexed load (rs + rt) of `fn`, the high word by `post`. */
const loadx = (fn: string, post = 'const hi = lo >> 31;'): string =>
  `{ const lo = c.${fn}(c.idxHi(RS2, RT2), c.idxLo(RS2, RT2)); ${post} @WRD }`;
/** Atomic memory operation at (rs): rd receives the old value unless rd2 is −1. */
const atomic = (size: 4 | 8, op: AtomicOp, rd: 'RD2' | '-1', rt = 'RT2'): string =>
  `{ c.oct.atomic(c, RS2, ${rt}, ${rd}, ${size}, ${op}); }`;

const S: Record<string, string> = {
  bbit0: bbit(0, 0), bbit1: bbit(0, 1), bbit032: bbit(1, 0), bbit132: bbit(1, 1),
  baddu: `{ const lo = (r[RS2] + r[RT2]) & 0xff, hi = 0; @WRD }`,
  dmul: `{ c.oct.dmul(r, RS2, RT2, RD2); }`,
  pop: `{ const lo = c.oct.pop(r[RS2], 0), hi = 0; @WRD }`,
  dpop: `{ const lo = c.oct.pop(r[RS2], r[RS2 + 1]), hi = 0; @WRD }`,
  seq: cmp(true), sne: cmp(false), seqi: cmpi(true), snei: cmpi(false),
  exts: `{ c.oct.exts(r, RS2, RT2, SA, RD + 1); }`,
  exts32: `{ c.oct.exts(r, RS2, RT2, SA + 32, RD + 1); }`,
  cins: `{ c.oct.cins(r, RS2, RT2, SA, RD + 1); }`,
  cins32: `{ c.oct.cins(r, RS2, RT2, SA + 32, RD + 1); }`,

  // The multiplier (MPL0-2, P0-2).
  mtm0: `{ c.oct.mtm(0, r[RS2], r[RS2 + 1]); }`,
  mtm1: `{ c.oct.mtm(1, r[RS2], r[RS2 + 1]); }`,
  mtm2: `{ c.oct.mtm(2, r[RS2], r[RS2 + 1]); }`,
  mtp0: `{ c.oct.mtp(0, r[RS2], r[RS2 + 1]); }`,
  mtp1: `{ c.oct.mtp(1, r[RS2], r[RS2 + 1]); }`,
  mtp2: `{ c.oct.mtp(2, r[RS2], r[RS2 + 1]); }`,
  vmulu: `{ c.oct.vmul(r, RS2, RT2, RD2, 2); }`,
  v3mulu: `{ c.oct.vmul(r, RS2, RT2, RD2, 3); }`,
  vmm0: `{ c.oct.vmm0(r, RS2, RT2, RD2); }`,

  // Atomic memory operations.
  saa: atomic(4, AtomicOp.Add, '-1'), saad: atomic(8, AtomicOp.Add, '-1'),
  laa: atomic(4, AtomicOp.Add, 'RD2'), laad: atomic(8, AtomicOp.Add, 'RD2'),
  law: atomic(4, AtomicOp.Swap, 'RD2'), lawd: atomic(8, AtomicOp.Swap, 'RD2'),
  lai: atomic(4, AtomicOp.Inc, 'RD2', '0'), laid: atomic(8, AtomicOp.Inc, 'RD2', '0'),
  lad: atomic(4, AtomicOp.Dec, 'RD2', '0'), ladd: atomic(8, AtomicOp.Dec, 'RD2', '0'),
  las: atomic(4, AtomicOp.Set, 'RD2', '0'), lasd: atomic(8, AtomicOp.Set, 'RD2', '0'),
  lac: atomic(4, AtomicOp.Clear, 'RD2', '0'), lacd: atomic(8, AtomicOp.Clear, 'RD2', '0'),
  zcb: `{ c.oct.zcb(c, RS2); }`,
  zcbt: `{ c.oct.zcb(c, RS2); }`,

  // Indexed loads (Octeon II; the same encodings as the DSP ASE's lwx/lhx/lbux/ldx).
  lbx: loadx('lb'), lbux: loadx('lbu', 'const hi = 0;'), lhx: loadx('lh'), lhux: loadx('lhu', 'const hi = 0;'),
  lwx: loadx('lw'), lwux: loadx('lw', 'const hi = 0;'), ldx: loadx('ld', 'const hi = c.ldHi;'),
};

export const OCTEON_SEMANTICS: Readonly<Record<string, string>> = S;
