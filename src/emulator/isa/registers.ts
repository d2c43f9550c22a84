// Register naming for the ISA layer: GPR ABI names (n64, as GNU objdump prints them),
// FPR names, CP0 register/select names (MIPS32/64 Release 2), CP1 control and RDHWR names.
// Both the disassembler (printing) and the assembler (parsing) use these tables.

export const GPR_NAMES: readonly string[] = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3',
  'a4', 'a5', 'a6', 'a7', 't0', 't1', 't2', 't3',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7',
  't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
];

/** Other accepted names: $fp for $30 (n64 names are canonical; o32's t0-t7 would be ambiguous). */
const GPR_O32_ALIASES: Record<string, number> = {
  fp: 30, ta0: 8, ta1: 9, ta2: 10, ta3: 11,
};

const GPR_BY_NAME = new Map<string, number>();
GPR_NAMES.forEach((n, i) => GPR_BY_NAME.set(n, i));
for (const [n, i] of Object.entries(GPR_O32_ALIASES)) GPR_BY_NAME.set(n, i);

/** Parses `$5`, `$a0`, `a0`, `$fp` … into a GPR number, or undefined. */
export function parseGpr(text: string): number | undefined {
  const dollar = text.startsWith('$');
  const t = dollar ? text.slice(1) : text;
  if (/^\d+$/.test(t)) {
    if (!dollar) return undefined; // a bare number is an immediate (GNU as: `teq $8, 1` is teqi)
    const n = Number(t);
    return n < 32 ? n : undefined;
  }
  return GPR_BY_NAME.get(t);
}

/** Parses `$f12` into 12. */
export function parseFpr(text: string): number | undefined {
  const m = /^\$f(\d+)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n < 32 ? n : undefined;
}

/** CP0 register names (select 0), MIPS32/64 Release 2, as objdump prints them. */
export const CP0_NAMES: readonly string[] = [
  'c0_index', 'c0_random', 'c0_entrylo0', 'c0_entrylo1',
  'c0_context', 'c0_pagemask', 'c0_wired', 'c0_hwrena',
  'c0_badvaddr', 'c0_count', 'c0_entryhi', 'c0_compare',
  'c0_status', 'c0_cause', 'c0_epc', 'c0_prid',
  'c0_config', 'c0_lladdr', 'c0_watchlo', 'c0_watchhi',
  'c0_xcontext', '$21', '$22', 'c0_debug',
  'c0_depc', 'c0_perfcnt', 'c0_errctl', 'c0_cacheerr',
  'c0_taglo', 'c0_taghi', 'c0_errorepc', 'c0_desave',
];

/** Names of CP0 (register, select) pairs with select != 0. Key: reg * 8 + sel. */
export const CP0_SEL_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [0 * 8 + 1, 'c0_mvpcontrol'], [0 * 8 + 2, 'c0_mvpconf0'], [0 * 8 + 3, 'c0_mvpconf1'],
  [1 * 8 + 1, 'c0_vpecontrol'], [1 * 8 + 2, 'c0_vpeconf0'], [1 * 8 + 3, 'c0_vpeconf1'],
  [1 * 8 + 4, 'c0_yqmask'], [1 * 8 + 5, 'c0_vpeschedule'], [1 * 8 + 6, 'c0_vpeschefback'],
  [2 * 8 + 1, 'c0_tcstatus'], [2 * 8 + 2, 'c0_tcbind'], [2 * 8 + 3, 'c0_tcrestart'],
  [2 * 8 + 4, 'c0_tchalt'], [2 * 8 + 5, 'c0_tccontext'], [2 * 8 + 6, 'c0_tcschedule'],
  [2 * 8 + 7, 'c0_tcschefback'],
  [4 * 8 + 1, 'c0_contextconfig'],
  [5 * 8 + 1, 'c0_pagegrain'],
  [6 * 8 + 1, 'c0_srsconf0'], [6 * 8 + 2, 'c0_srsconf1'], [6 * 8 + 3, 'c0_srsconf2'],
  [6 * 8 + 4, 'c0_srsconf3'], [6 * 8 + 5, 'c0_srsconf4'],
  [12 * 8 + 1, 'c0_intctl'], [12 * 8 + 2, 'c0_srsctl'], [12 * 8 + 3, 'c0_srsmap'],
  [15 * 8 + 1, 'c0_ebase'],
  [16 * 8 + 1, 'c0_config1'], [16 * 8 + 2, 'c0_config2'], [16 * 8 + 3, 'c0_config3'],
  ...[1, 2, 3, 4, 5, 6, 7].map((s): [number, string] => [18 * 8 + s, `c0_watchlo,${s}`]),
  ...[1, 2, 3, 4, 5, 6, 7].map((s): [number, string] => [19 * 8 + s, `c0_watchhi,${s}`]),
  [23 * 8 + 1, 'c0_tracecontrol'], [23 * 8 + 2, 'c0_tracecontrol2'],
  [23 * 8 + 3, 'c0_usertracedata'], [23 * 8 + 4, 'c0_tracebpc'],
  ...[1, 2, 3, 4, 5, 6, 7].map((s): [number, string] => [25 * 8 + s, `c0_perfcnt,${s}`]),
  ...[1, 2, 3].map((s): [number, string] => [27 * 8 + s, `c0_cacheerr,${s}`]),
  [28 * 8 + 1, 'c0_datalo'], [28 * 8 + 2, 'c0_taglo1'], [28 * 8 + 3, 'c0_datalo1'],
  [28 * 8 + 4, 'c0_taglo2'], [28 * 8 + 5, 'c0_datalo2'], [28 * 8 + 6, 'c0_taglo3'],
  [28 * 8 + 7, 'c0_datalo3'],
  [29 * 8 + 1, 'c0_datahi'], [29 * 8 + 2, 'c0_taghi1'], [29 * 8 + 3, 'c0_datahi1'],
  [29 * 8 + 4, 'c0_taghi2'], [29 * 8 + 5, 'c0_datahi2'], [29 * 8 + 6, 'c0_taghi3'],
  [29 * 8 + 7, 'c0_datahi3'],
]);

const CP0_BY_NAME = new Map<string, number>();
CP0_NAMES.forEach((n, i) => { if (!n.startsWith('$')) CP0_BY_NAME.set(n, i * 8); });
for (const [k, n] of CP0_SEL_NAMES) CP0_BY_NAME.set(n, k);
CP0_BY_NAME.set('c0_sr', 12 * 8);

/** Formats a CP0 register operand: `c0_status`, `c0_config1`, or `$16,5`. */
export function formatCp0(reg: number, sel: number, withSel: boolean): string {
  if (!withSel || sel === 0) {
    if (withSel) return CP0_NAMES[reg];
    return CP0_NAMES[reg];
  }
  return CP0_SEL_NAMES.get(reg * 8 + sel) ?? `$${reg},${sel}`;
}

/** Parses a CP0 register name (`c0_status`, `c0_config1`, `c0_watchlo,3`) → reg*8+sel. */
export function parseCp0Name(text: string): number | undefined {
  return CP0_BY_NAME.get(text);
}

/** CP1 control register names (cfc1/ctc1). */
export const CP1_CONTROL_NAMES: readonly string[] = Array.from({ length: 32 }, (_, i) => {
  switch (i) {
    case 0: return 'c1_fir';
    case 1: return 'c1_ufr';
    case 4: return 'c1_unfr';
    case 25: return 'c1_fccr';
    case 26: return 'c1_fexr';
    case 28: return 'c1_fenr';
    case 31: return 'c1_fcsr';
    default: return `$${i}`;
  }
});

/** RDHWR hardware register names. */
export const HWR_NAMES: readonly string[] = Array.from({ length: 32 }, (_, i) =>
  ['hwr_cpunum', 'hwr_synci_step', 'hwr_cc', 'hwr_ccres'][i] ?? `$${i}`);

/** MSA control register names (cfcmsa/ctcmsa). */
export const MSA_CONTROL_NAMES: readonly string[] = Array.from({ length: 32 }, (_, i) =>
  ['msa_ir', 'msa_csr', 'msa_access', 'msa_save', 'msa_modify', 'msa_request', 'msa_map', 'msa_unmap'][i] ?? `$${i}`);

/** Generic lookup of a `$N` or named entry in a 32-entry name table. */
export function parseNamed(table: readonly string[], text: string): number | undefined {
  const i = table.indexOf(text);
  if (i >= 0) return i;
  const m = /^\$(\d+)$/.exec(text);
  if (m && Number(m[1]) < 32) return Number(m[1]);
  return undefined;
}
