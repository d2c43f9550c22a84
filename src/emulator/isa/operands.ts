// Operand kinds of the instruction table. Each kind knows which instruction bits it
// occupies, how to extract its value from a word, how to print it (GNU objdump syntax)
// and how to put a value back into a word (assembler). The table's argument strings
// ("rd,rs,rt", "rt,off(base)", …) are lists of these kind names.

import {
  CP0_NAMES, CP0_SEL_NAMES, CP1_CONTROL_NAMES, GPR_NAMES, HWR_NAMES, MSA_CONTROL_NAMES,
} from './registers';

/** What the assembler must parse for an operand. */
export type OperandSyntax =
  | 'gpr' | 'fpr' | 'fcc' | 'imm' | 'target' | 'jtarget' | 'cp0' | 'cp0sel'
  | 'hwr' | 'fcr' | 'zero' | 'msareg' | 'msactl' | 'cop2reg';

export interface FormatContext {
  /** Address of the instruction (for branch/jump targets). */
  pc: bigint;
  /** Optional symbolizer: returns ` <sym+0x10>` style suffix text or ''. */
  symbolize?: (addr: bigint) => string;
  /** Print CP0 and hardware registers by number (objdump does so for Octeon). */
  numericCp0?: boolean;
}

export interface OperandKind {
  readonly name: string;
  /** Instruction bits this operand occupies. */
  readonly bits: number;
  readonly syntax: OperandSyntax;
  /** Semantic value of the operand in `word` (register number, signed immediate, byte offset …). */
  value(word: number, values: readonly number[]): number;
  /** Text objdump prints for `value`. */
  format(value: number, ctx: FormatContext, word: number): string;
  /** Bits for `value`, or an error message. `prev` holds values of earlier operands. */
  encode(value: number, prev: readonly number[]): number | string;
  /** Inclusive range of accepted semantic values (assembler checks). */
  readonly min: number;
  readonly max: number;
}

const hex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

function field(shift: number, width: number): { bits: number; get: (w: number) => number; put: (v: number) => number } {
  const m = width === 32 ? 0xffffffff : (1 << width) - 1;
  return {
    bits: (m << shift) >>> 0,
    get: (w) => (w >>> shift) & m,
    put: (v) => ((v & m) << shift) >>> 0,
  };
}

function unsigned(name: string, shift: number, width: number, syntax: OperandSyntax,
  fmt: (v: number) => string, bias = 0): OperandKind {
  const f = field(shift, width);
  const max = (width === 32 ? 0xffffffff : (1 << width) - 1) + bias;
  return {
    name, bits: f.bits, syntax, min: bias, max,
    value: (w) => f.get(w) + bias,
    format: (v) => fmt(v),
    encode: (v) => (v < bias || v > max ? `${name} out of range (${bias}..${max})` : f.put(v - bias)),
  };
}

function signed(name: string, shift: number, width: number, fmt: (v: number) => string, scale = 1): OperandKind {
  const f = field(shift, width);
  const half = 1 << (width - 1);
  return {
    name, bits: f.bits, syntax: 'imm', min: -half * scale, max: (half - 1) * scale,
    value: (w) => { const v = f.get(w); return (v >= half ? v - 2 * half : v) * scale; },
    format: (v) => fmt(v),
    encode: (v) => {
      if (v % scale !== 0) return `${name} must be a multiple of ${scale}`;
      const q = v / scale;
      return q < -half || q >= half ? `${name} out of range (${-half * scale}..${(half - 1) * scale})` : f.put(q);
    },
  };
}

const gpr = (name: string, shift: number): OperandKind => unsigned(name, shift, 5, 'gpr', (v) => GPR_NAMES[v]);
const fpr = (name: string, shift: number): OperandKind => unsigned(name, shift, 5, 'fpr', (v) => `$f${v}`);
const msaReg = (name: string, shift: number): OperandKind => unsigned(name, shift, 5, 'msareg', (v) => `$w${v}`);
const dec = (v: number): string => String(v);

function branchTarget(): OperandKind {
  const f = field(0, 16);
  return {
    name: 'btarget', bits: f.bits, syntax: 'target', min: -0x20000, max: 0x1fffc,
    value: (w) => ((f.get(w) << 16) >> 16) * 4,
    format: (v, ctx) => {
      const t = BigInt.asUintN(64, ctx.pc + 4n + BigInt(v));
      return '0x' + t.toString(16) + (ctx.symbolize ? ctx.symbolize(t) : '');
    },
    encode: (v) => {
      if (v % 4 !== 0) return 'branch target is not word aligned';
      if (v < -0x20000 || v > 0x1fffc) return 'branch out of range';
      return f.put(v / 4);
    },
  };
}

function jumpTarget(name = 'jtarget', modeBit = 0): OperandKind {
  const f = field(0, 26);
  return {
    name, bits: f.bits, syntax: 'jtarget', min: 0, max: 0x0ffffffc,
    value: (w) => f.get(w) * 4,
    format: (v, ctx) => {
      const t = BigInt.asUintN(64, ((ctx.pc + 4n) & ~0x0fffffffn) | BigInt(v | modeBit));
      return '0x' + t.toString(16) + (ctx.symbolize ? ctx.symbolize(t) : '');
    },
    encode: (v) => (v % 4 !== 0 ? 'jump target is not word aligned' : f.put(v / 4)),
  };
}

/** lsb position of ext/ins/dext/dins (bits 10:6), plus 32 for dextu/dinsu. */
const pos = (name: string, bias: number): OperandKind => unsigned(name, 6, 5, 'imm', hex, bias);

/** Size operand of ext/dext/dextm/dextu: msbd (bits 15:11) + 1 (+ 32 for dextm). */
const extSize = (name: string, bias: number): OperandKind => unsigned(name, 11, 5, 'imm', hex, 1 + bias);

/** Size operand of ins/dins/dinsm/dinsu: msb (bits 15:11) + msbBias − pos + 1, pos being the previous operand. */
function insSize(name: string, msbBias: number, posBias: number): OperandKind {
  const f = field(11, 5);
  const lsb = field(6, 5);
  return {
    name, bits: f.bits, syntax: 'imm', min: 1, max: 64,
    value: (w) => f.get(w) + msbBias - (lsb.get(w) + posBias) + 1,
    format: (v) => '0x' + (v >>> 0).toString(16),
    encode: (v, prev) => {
      const p = prev[prev.length - 1];
      const msb = p + v - 1 - msbBias;
      return msb < 0 || msb > 31 ? `${name}: position+size out of range` : f.put(msb);
    },
  };
}

/** Replaces an operand's printer by one that sees the format context. */
function withContext(k: OperandKind, format: (v: number, ctx: FormatContext) => string): OperandKind {
  return { ...k, format: (v, ctx) => format(v, ctx) };
}

const cp0Reg = (name: string, shift: number): OperandKind =>
  withContext(unsigned(name, shift, 5, 'cp0', (v) => CP0_NAMES[v]), (v, ctx) => (ctx.numericCp0 ? `$${v}` : CP0_NAMES[v]));

function cp0Sel(name = 'c0sel', shift = 11): OperandKind {
  const r = field(shift, 5);
  const s = field(0, 3);
  return {
    name, bits: (r.bits | s.bits) >>> 0, syntax: 'cp0sel', min: 0, max: 255,
    value: (w) => r.get(w) * 8 + s.get(w),
    format: (v, ctx) => (ctx.numericCp0 ? undefined : CP0_SEL_NAMES.get(v)) ?? `$${v >> 3},${v & 7}`,
    encode: (v) => (v < 0 || v > 255 ? 'bad cp0 register' : (r.put(v >> 3) | s.put(v & 7)) >>> 0),
  };
}

/**
 * The destination of clz/clo/dclz/dclo, encoded in both rd and rt. When the two
 * fields differ objdump prints "rd or rt"; the assembler accepts that form too.
 */
function rdEqualsRt(): OperandKind {
  const rd = field(11, 5);
  const rt = field(16, 5);
  return {
    name: 'rdt', bits: (rd.bits | rt.bits) >>> 0, syntax: 'gpr', min: 0, max: 0x3ff,
    value: (w) => rd.get(w) | (rt.get(w) << 5),
    format: (v) => {
      const d = v & 31, t = v >> 5;
      if (d === t || t === 0) return GPR_NAMES[d];
      if (d === 0) return GPR_NAMES[t];
      return `${GPR_NAMES[d]} or ${GPR_NAMES[t]}`;
    },
    encode: (v) => (v < 32 ? (rd.put(v) | rt.put(v)) >>> 0 : (rd.put(v & 31) | rt.put(v >> 5)) >>> 0),
  };
}

/** A constant register operand that occupies no bits (e.g. the `zero` of `div zero,s,t`). */
const zeroReg: OperandKind = {
  name: 'zero', bits: 0, syntax: 'zero', min: 0, max: 0,
  value: () => 0, format: () => 'zero', encode: (v) => (v === 0 ? 0 : 'expected $zero'),
};

const KINDS: OperandKind[] = [
  gpr('rs', 21), gpr('rt', 16), gpr('rd', 11), gpr('base', 21), gpr('index', 16),
  fpr('fs', 11), fpr('ft', 16), fpr('fd', 6), fpr('fr', 21),
  unsigned('sa', 6, 5, 'imm', hex),
  unsigned('lsasa', 6, 2, 'imm', hex, 1),
  unsigned('uimm', 0, 16, 'imm', hex),
  signed('simm', 0, 16, dec),
  signed('off', 0, 16, dec),
  branchTarget(),
  jumpTarget(),
  jumpTarget('jxtarget', 1),
  unsigned('cc2', 18, 3, 'fcc', (v) => `$cc${v}`),
  unsigned('code20', 6, 20, 'imm', hex),
  unsigned('code19', 6, 19, 'imm', hex),
  unsigned('code10', 16, 10, 'imm', hex),
  unsigned('code10lo', 6, 10, 'imm', hex),
  unsigned('code10hc', 11, 10, 'imm', hex),
  unsigned('cacheop', 16, 5, 'imm', hex),
  unsigned('hint', 16, 5, 'imm', hex),
  unsigned('hintx', 11, 5, 'imm', hex),
  unsigned('stype', 6, 5, 'imm', hex),
  pos('pos', 0), pos('pos32', 32),
  extSize('size', 0), extSize('size32', 32),
  insSize('isize', 0, 0), insSize('isizem', 32, 0), insSize('isizeu', 32, 32),
  cp0Reg('c0reg', 11),
  unsigned('c0num', 11, 5, 'cp0', (v) => `$${v}`),
  cp0Sel(),
  cp0Reg('c0regt', 16),
  cp0Sel('c0selt', 16),
  gpr('msabase', 11),
  unsigned('sel', 0, 3, 'imm', dec),
  withContext(unsigned('hwr', 11, 5, 'hwr', (v) => HWR_NAMES[v]), (v, ctx) => (ctx.numericCp0 ? `$${v}` : HWR_NAMES[v])),
  unsigned('fcr', 11, 5, 'fcr', (v) => CP1_CONTROL_NAMES[v]),
  unsigned('cc', 18, 3, 'fcc', (v) => `$fcc${v}`),
  unsigned('cc8', 8, 3, 'fcc', (v) => `$fcc${v}`),
  unsigned('cop2', 0, 25, 'imm', hex),
  unsigned('rtnum', 16, 5, 'cop2reg', (v) => `$${v}`),
  zeroReg,
  unsigned('rdnum', 11, 5, 'cop2reg', (v) => `$${v}`),
  gpr('rdw', 6), gpr('rsw', 11),
  rdEqualsRt(),
  // Octeon
  unsigned('bbpos', 16, 5, 'imm', hex),
  unsigned('cpos', 6, 5, 'imm', hex), unsigned('cpos32', 6, 5, 'imm', hex, 32),
  unsigned('clenm1', 11, 5, 'imm', hex),
  signed('simm10', 6, 10, dec),
  // MSA (subset used by Linux's context switch code)
  msaReg('wd', 6), msaReg('ws', 11), msaReg('wt', 16),
  unsigned('msacs', 11, 5, 'msactl', (v) => MSA_CONTROL_NAMES[v]),
  unsigned('msacd', 6, 5, 'msactl', (v) => MSA_CONTROL_NAMES[v]),
  signed('moff.b', 16, 10, dec, 1), signed('moff.h', 16, 10, dec, 2),
  signed('moff.w', 16, 10, dec, 4), signed('moff.d', 16, 10, dec, 8),
  unsigned('n.b', 16, 4, 'imm', dec), unsigned('n.h', 16, 3, 'imm', dec),
  unsigned('n.w', 16, 2, 'imm', dec), unsigned('n.d', 16, 1, 'imm', dec),
  // DSP
  unsigned('dspmask', 16, 6, 'imm', hex),
  unsigned('dspmaskw', 11, 6, 'imm', hex),
  unsigned('ac', 11, 2, 'imm', (v) => `$ac${v}`),
  unsigned('acs', 21, 2, 'imm', (v) => `$ac${v}`),
  unsigned('acd', 11, 2, 'imm', (v) => `$ac${v}`),
  // MT
  unsigned('mtu', 5, 1, 'imm', hex), unsigned('mth', 4, 1, 'imm', hex),
];

export const OPERANDS: ReadonlyMap<string, OperandKind> = new Map(KINDS.map((k) => [k.name, k]));

/** One parsed operand slot of an instruction's argument string. */
export interface ArgSlot {
  readonly kind: OperandKind;
  /** True when this slot is the base register of an `off(base)` memory operand. */
  readonly inParens: boolean;
}

/**
 * Parses an argument string such as "rt,off(base)" into slots. Separator
 * characters are kept as a template for printing: "rt,off(base)" → tokens
 * rt , off ( base ).
 */
export function parseArgs(args: string): ArgSlot[] {
  const slots: ArgSlot[] = [];
  if (args === '') return slots;
  const re = /([A-Za-z0-9_.]+)|([,()[\]])/g;
  let m: RegExpExecArray | null;
  let paren = false;
  while ((m = re.exec(args)) !== null) {
    if (m[2] === '(') paren = true;
    else if (m[2] === ')') paren = false;
    else if (m[1] !== undefined) {
      const kind = OPERANDS.get(m[1]);
      if (!kind) throw new Error(`unknown operand kind '${m[1]}' in '${args}'`);
      slots.push({ kind, inParens: paren });
    }
  }
  return slots;
}
