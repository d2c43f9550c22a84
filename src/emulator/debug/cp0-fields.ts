// The CP0 registers the CPU implements, as the debugger presents them: name, number and
// select, width, and named fields (MIPS64 Volume III names) with decoded meanings. Read
// with cp0-access read64 and written with its write (the architectural write masks and
// side effects apply), so the debugger never bypasses what mtc0 would do.

import type { Cpu } from '../cpu/cpu';
import * as cp0a from '../cpu/cp0-access';
import { EXC_DESCRIPTIONS, EXC_NAMES } from '../isa/cp0-defs';

export interface Cp0Field {
  readonly name: string;
  readonly lsb: number;
  readonly width: number;
  /** Meaning of the field's value (e.g. the exception name of Cause.ExcCode). */
  readonly describe?: (v: number) => string;
}

export interface Cp0RegDef {
  /** Lower-case name used in expressions: $cp0.status. */
  readonly name: string;
  /** Display name (architecture manual spelling). */
  readonly title: string;
  readonly reg: number;
  readonly sel: number;
  readonly bits: 32 | 64;
  readonly fields: (cpu: Cpu) => readonly Cp0Field[];
  /** Summary shown next to the value (e.g. PageMask as a page size). */
  readonly summary?: (v: bigint, cpu: Cpu) => string;
}

const f = (name: string, msb: number, lsb: number, describe?: (v: number) => string): Cp0Field =>
  ({ name, lsb, width: msb - lsb + 1, describe });
const bit = (name: string, b: number): Cp0Field => ({ name, lsb: b, width: 1 });
const none = (): readonly Cp0Field[] => [];

const KSU = ['kernel', 'supervisor', 'user', 'reserved'];
const CACHE = ['cacheable, noncoherent, write-through, no write-allocate', 'cacheable, noncoherent, write-through, write-allocate',
  'uncached', 'cacheable, noncoherent, write-back', 'cacheable coherent exclusive', 'cacheable coherent exclusive on write',
  'cacheable coherent update on write', 'uncached accelerated'];
const REGION = ['xuseg (user)', 'xsseg (supervisor)', 'xkphys', 'xkseg (kernel)'];
const AT = ['MIPS32', 'MIPS64, 32-bit segments only', 'MIPS64, all segments', 'reserved'];
const MT = ['none', 'standard TLB', 'BAT', 'fixed mapping', 'dual VTLB/FTLB', 'reserved', 'reserved', 'reserved'];

export function sizeText(bytes: number): string {
  if (bytes >= 1 << 30) return `${bytes / (1 << 30)} GiB`;
  if (bytes >= 1 << 20) return `${bytes / (1 << 20)} MiB`;
  return `${bytes / 1024} KiB`;
}

/** Page size selected by a PageMask value. */
export function pageMaskSize(mask: number): number {
  return ((mask | 0x1fff) + 1) / 2;
}

const excName = (v: number): string => `${EXC_NAMES[v] ?? `reserved ${v}`}${EXC_DESCRIPTIONS[v] ? ` — ${EXC_DESCRIPTIONS[v]}` : ''}`;
const ims = (prefix: string): Cp0Field[] => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => bit(`${prefix}${i}`, 8 + i));
const cacheLine = (v: number): string => (v === 0 ? 'no cache' : `${2 << v}-byte lines`);

export const CP0_REGS: readonly Cp0RegDef[] = [
  { name: 'index', title: 'Index', reg: 0, sel: 0, bits: 32, fields: (c) => [bit('P', 31), f('Index', Math.ceil(Math.log2(c.tlb.size)) - 1, 0)] },
  { name: 'random', title: 'Random', reg: 1, sel: 0, bits: 32, fields: none },
  { name: 'entrylo0', title: 'EntryLo0', reg: 2, sel: 0, bits: 64, fields: (c) => entryLoFields(c) },
  { name: 'entrylo1', title: 'EntryLo1', reg: 3, sel: 0, bits: 64, fields: (c) => entryLoFields(c) },
  { name: 'context', title: 'Context', reg: 4, sel: 0, bits: 64, fields: () => [f('PTEBase', 63, 23), f('BadVPN2', 22, 4)] },
  {
    name: 'pagemask', title: 'PageMask', reg: 5, sel: 0, bits: 32, fields: () => [f('Mask', 28, 13)],
    summary: (v) => `${sizeText(pageMaskSize(Number(v)))} pages`,
  },
  { name: 'pagegrain', title: 'PageGrain', reg: 5, sel: 1, bits: 32, fields: () => [bit('RIE', 31), bit('XIE', 30), bit('ELPA', 29), bit('ESP', 28), bit('IEC', 27)] },
  { name: 'wired', title: 'Wired', reg: 6, sel: 0, bits: 32, fields: none },
  { name: 'hwrena', title: 'HWREna', reg: 7, sel: 0, bits: 32, fields: () => [bit('CPUNum', 0), bit('SYNCI_Step', 1), bit('CC', 2), bit('CCRes', 3), bit('UL', 29)] },
  { name: 'badvaddr', title: 'BadVAddr', reg: 8, sel: 0, bits: 64, fields: none },
  { name: 'count', title: 'Count', reg: 9, sel: 0, bits: 32, fields: none },
  {
    name: 'entryhi', title: 'EntryHi', reg: 10, sel: 0, bits: 64,
    fields: (c) => [f('R', 63, 62, (v) => REGION[v]), f('VPN2', c.segBits - 1, 13), f('ASID', 7, 0)],
  },
  { name: 'compare', title: 'Compare', reg: 11, sel: 0, bits: 32, fields: none },
  {
    name: 'status', title: 'Status', reg: 12, sel: 0, bits: 32,
    fields: () => [
      f('CU', 31, 28), bit('RP', 27), bit('FR', 26), bit('RE', 25), bit('MX', 24), bit('PX', 23), bit('BEV', 22),
      bit('TS', 21), bit('SR', 20), bit('NMI', 19), f('IM', 15, 8), ...ims('IM'), bit('KX', 7), bit('SX', 6), bit('UX', 5),
      f('KSU', 4, 3, (v) => KSU[v]), bit('ERL', 2), bit('EXL', 1), bit('IE', 0),
    ],
    summary: (v) => statusSummary(Number(v)),
  },
  { name: 'intctl', title: 'IntCtl', reg: 12, sel: 1, bits: 32, fields: () => [f('IPTI', 31, 29), f('IPPCI', 28, 26), f('VS', 9, 5)] },
  { name: 'srsctl', title: 'SRSCtl', reg: 12, sel: 2, bits: 32, fields: () => [f('HSS', 29, 26), f('EICSS', 21, 18), f('ESS', 15, 12), f('PSS', 9, 6), f('CSS', 3, 0)] },
  {
    name: 'cause', title: 'Cause', reg: 13, sel: 0, bits: 32,
    fields: () => [
      bit('BD', 31), bit('TI', 30), f('CE', 29, 28), bit('DC', 27), bit('PCI', 26), bit('IV', 23), bit('WP', 22),
      f('IP', 15, 8), ...ims('IP'), f('ExcCode', 6, 2, excName),
    ],
    summary: (v) => `ExcCode ${EXC_NAMES[(Number(v) >>> 2) & 31] ?? (Number(v) >>> 2) & 31}`,
  },
  { name: 'epc', title: 'EPC', reg: 14, sel: 0, bits: 64, fields: none },
  {
    name: 'prid', title: 'PRId', reg: 15, sel: 0, bits: 32,
    fields: () => [f('CompanyOptions', 31, 24), f('CompanyID', 23, 16), f('ProcessorID', 15, 8), f('Revision', 7, 0)],
  },
  { name: 'ebase', title: 'EBase', reg: 15, sel: 1, bits: 32, fields: () => [f('ExceptionBase', 29, 12), f('CPUNum', 9, 0)] },
  {
    name: 'config', title: 'Config', reg: 16, sel: 0, bits: 32,
    fields: () => [
      bit('M', 31), f('K23', 30, 28), f('KU', 27, 25), bit('BE', 15), f('AT', 14, 13, (v) => AT[v]), f('AR', 12, 10),
      f('MT', 9, 7, (v) => MT[v]), bit('VI', 3), f('K0', 2, 0, (v) => CACHE[v]),
    ],
  },
  {
    name: 'config1', title: 'Config1', reg: 16, sel: 1, bits: 32,
    fields: () => [
      bit('M', 31), f('MMUSize-1', 30, 25), f('IS', 24, 22), f('IL', 21, 19, cacheLine), f('IA', 18, 16), f('DS', 15, 13),
      f('DL', 12, 10, cacheLine), f('DA', 9, 7), bit('C2', 6), bit('MD', 5), bit('PC', 4), bit('WR', 3), bit('CA', 2),
      bit('EP', 1), bit('FP', 0),
    ],
  },
  { name: 'config2', title: 'Config2', reg: 16, sel: 2, bits: 32, fields: () => [bit('M', 31)] },
  {
    name: 'config3', title: 'Config3', reg: 16, sel: 3, bits: 32,
    fields: () => [bit('M', 31), bit('ULRI', 13), bit('DSPP', 10), bit('LPA', 7), bit('VEIC', 6), bit('VInt', 5), bit('SP', 4), bit('MT', 2), bit('SM', 1), bit('TL', 0)],
  },
  { name: 'lladdr', title: 'LLAddr', reg: 17, sel: 0, bits: 64, fields: none },
  { name: 'watchlo', title: 'WatchLo', reg: 18, sel: 0, bits: 64, fields: () => [f('VAddr', 63, 3), bit('I', 2), bit('R', 1), bit('W', 0)] },
  {
    name: 'watchhi', title: 'WatchHi', reg: 19, sel: 0, bits: 32,
    fields: () => [bit('M', 31), bit('G', 30), f('ASID', 23, 16), f('Mask', 11, 3), bit('I', 2), bit('R', 1), bit('W', 0)],
  },
  { name: 'xcontext', title: 'XContext', reg: 20, sel: 0, bits: 64, fields: (c) => [f('PTEBase', 63, c.segBits - 7), f('R', c.segBits - 8, c.segBits - 9), f('BadVPN2', c.segBits - 10, 4)] },
  { name: 'debug', title: 'Debug', reg: 23, sel: 0, bits: 32, fields: () => [bit('DBD', 31), bit('DM', 30)] },
  { name: 'depc', title: 'DEPC', reg: 24, sel: 0, bits: 64, fields: none },
  {
    name: 'perfctl', title: 'PerfCtl0', reg: 25, sel: 0, bits: 32,
    fields: () => [bit('M', 31), f('Event', 10, 5), bit('IE', 4), bit('U', 3), bit('S', 2), bit('K', 1), bit('EXL', 0)],
  },
  { name: 'perfcnt', title: 'PerfCnt0', reg: 25, sel: 1, bits: 32, fields: none },
  { name: 'errctl', title: 'ErrCtl', reg: 26, sel: 0, bits: 32, fields: () => [bit('PE', 31), bit('PO', 30), bit('WST', 29), bit('SPR', 28)] },
  { name: 'cacheerr', title: 'CacheErr', reg: 27, sel: 0, bits: 32, fields: none },
  { name: 'taglo', title: 'TagLo', reg: 28, sel: 0, bits: 32, fields: none },
  { name: 'datalo', title: 'DataLo', reg: 28, sel: 1, bits: 32, fields: none },
  { name: 'taghi', title: 'TagHi', reg: 29, sel: 0, bits: 32, fields: none },
  { name: 'datahi', title: 'DataHi', reg: 29, sel: 1, bits: 32, fields: none },
  { name: 'errorepc', title: 'ErrorEPC', reg: 30, sel: 0, bits: 64, fields: none },
  { name: 'desave', title: 'DESAVE', reg: 31, sel: 0, bits: 64, fields: none },
];

/** The registers an Octeon model adds (cp0-cavium.ts); KScratch as Config4.KScrExist lists them. */
const OCTEON_REGS: readonly Cp0RegDef[] = [
  { name: 'cvmcount', title: 'CvmCount', reg: 9, sel: 6, bits: 64, fields: none },
  {
    name: 'cvmctl', title: 'CvmCtl', reg: 9, sel: 7, bits: 64,
    fields: () => [bit('NODFA_CP2', 28), bit('NOMUL', 27), bit('NOCRYPTO', 26), bit('IPREF', 13), f('IPPCI', 9, 7)],
  },
  {
    name: 'cvmmemctl', title: 'CvmMemCtl', reg: 11, sel: 7, bits: 64,
    fields: () => [
      f('BIST', 63, 58), bit('TLBNLU', 40), f('PAUSETIME', 39, 37), bit('DIDTTO2', 36), bit('DISMARKWBLONGTO', 35),
      bit('DISMRGCLRWBTO', 34), f('IOBDMASCRMSB', 33, 32), bit('SYNCWSMARKED', 31), bit('DISSYNCWS', 30), bit('DISWBFST', 29),
      bit('XKMEMENAS', 28), bit('XKMEMENAU', 27), bit('XKIOENAS', 26), bit('XKIOENAU', 25), bit('ALLSYNCW', 24), bit('NOMERGE', 23),
      f('DIDTTO', 22, 21), bit('CSRCKALWYS', 20), bit('MCLKALWYS', 19), f('WBFLTIME', 18, 16), bit('ISTRNOL2', 15),
      f('WBTHRESH', 14, 11), bit('CVMSEGENAK', 8), bit('CVMSEGENAS', 7), bit('CVMSEGENAU', 6), f('LMEMSZ', 5, 0),
    ],
    summary: (v) => `CVMSEG ${Number(v & 0x3fn) * 128} bytes${v & 0x100n ? ', kernel' : ''}${v & 0x80n ? ', supervisor' : ''}${v & 0x40n ? ', user' : ''}`,
  },
  {
    name: 'config4', title: 'Config4', reg: 16, sel: 4, bits: 32,
    fields: () => [bit('M', 31), f('KScrExist', 23, 16), f('MMUExtDef', 15, 14), f('MMUSizeExt', 7, 0)],
  },
  { name: 'multicoredebug', title: 'MultiCoreDebug', reg: 22, sel: 0, bits: 32, fields: none },
  { name: 'cacheerrd', title: 'CacheErr (D-cache)', reg: 27, sel: 1, bits: 64, fields: none },
  ...[2, 3, 4, 5, 6, 7].map((sel): Cp0RegDef => ({ name: `kscratch${sel - 1}`, title: `KScratch${sel - 1}`, reg: 31, sel, bits: 64, fields: none })),
];

/** The CP0 registers of this CPU's model, in register order. */
export function cp0RegsOf(cpu: Cpu): readonly Cp0RegDef[] {
  const oct = cpu.model.octeon;
  if (!oct) return CP0_REGS;
  const extra = OCTEON_REGS.filter((d) => d.reg !== 31 || (oct.kscratchMask & (1 << d.sel)) !== 0);
  return [...CP0_REGS, ...extra].sort((a, b) => a.reg * 8 + a.sel - (b.reg * 8 + b.sel));
}

function entryLoFields(c: Cpu): Cp0Field[] {
  const rixi = c.model.pageGrainMask ? [bit('RI', 63), bit('XI', 62)] : [];
  return [...rixi, f('PFN', c.paBits - 12 + 5, 6), f('C', 5, 3, (v) => CACHE[v]), bit('D', 2), bit('V', 1), bit('G', 0)];
}

function statusSummary(v: number): string {
  const parts: string[] = [];
  parts.push(KSU[(v >>> 3) & 3]);
  for (const [b, n] of [[22, 'BEV'], [2, 'ERL'], [1, 'EXL'], [0, 'IE'], [7, 'KX'], [6, 'SX'], [5, 'UX']] as const) if (v & (1 << b)) parts.push(n);
  parts.push(`IM=0x${((v >>> 8) & 0xff).toString(16).padStart(2, '0')}`);
  return parts.join(' ');
}

const BY_NAME = new Map<string, Cp0RegDef>([...CP0_REGS, ...OCTEON_REGS].map((r) => [r.name, r]));
// A few aliases as other tools spell them.
for (const [alias, name] of [['config0', 'config'], ['perfctl0', 'perfctl'], ['perfcnt0', 'perfcnt'], ['sr', 'status'], ['errorpc', 'errorepc']]) {
  BY_NAME.set(alias, BY_NAME.get(name)!);
}

/** A CP0 register by name (`cpu` given: only if its model has the register). */
export function cp0ByName(name: string, cpu?: Cpu): Cp0RegDef | undefined {
  const d = BY_NAME.get(name.toLowerCase());
  return d && cpu && !cp0RegsOf(cpu).includes(d) ? undefined : d;
}

export function findField(def: Cp0RegDef, cpu: Cpu, name: string): Cp0Field | undefined {
  const n = name.toLowerCase();
  return def.fields(cpu).find((x) => x.name.toLowerCase() === n);
}

/** The register's value: 64-bit registers in full, 32-bit ones zero-extended. */
export function readCp0(cpu: Cpu, def: Cp0RegDef): bigint {
  const v = cp0a.read64(cpu, def.reg, def.sel);
  return def.bits === 32 ? BigInt.asUintN(32, v) : BigInt.asUintN(64, v);
}

/** Writes as mtc0/dmtc0 would (write masks and side effects apply). */
export function writeCp0(cpu: Cpu, def: Cp0RegDef, value: bigint): void {
  const v = def.bits === 32 ? BigInt.asIntN(32, value) : BigInt.asIntN(64, value);
  cp0a.write(cpu, def.reg, def.sel, v);
  cpu.afterStateChange();
}

export function fieldValue(v: bigint, fd: Cp0Field): bigint {
  return (v >> BigInt(fd.lsb)) & ((1n << BigInt(fd.width)) - 1n);
}

export function withField(v: bigint, fd: Cp0Field, x: bigint): bigint {
  const m = ((1n << BigInt(fd.width)) - 1n) << BigInt(fd.lsb);
  return (v & ~m) | ((x << BigInt(fd.lsb)) & m);
}
