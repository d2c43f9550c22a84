// Instruction encoding for the assembler: matches the written operands of a statement
// against the operand templates of the table entries that carry the mnemonic (in table
// order, like the disassembler) and builds the 32-bit word. Accepts everything the
// disassembler prints (so assemble(disassemble(w)) == w) plus GNU as forms such as
// `$sp`, `$29`, `16($sp)`, `($sp)`, symbolic branch targets and the two-operand
// shorthand `addu $2,$3` for `addu $2,$2,$3`.

import { AsmInputError, ExprEnv, ExprError, evaluate } from './expr';
import { OperandKind } from '../operands';
import {
  CP1_CONTROL_NAMES, HWR_NAMES, MSA_CONTROL_NAMES, parseCp0Name, parseFpr, parseGpr, parseNamed,
} from '../registers';
import { F, InsnSpec, TABLE } from '../table';

export class OperandError extends AsmInputError {
  /** Index of the written operand the error is about (for the diagnostic's column), if known. */
  operand?: number;
}

/** Tags an error with the index of the operand it concerns (unless already tagged). */
function atOperand<T>(index: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OperandError && e.operand === undefined) e.operand = index;
    throw e;
  }
}

/** Entries by mnemonic, table order. */
const BY_NAME = new Map<string, InsnSpec[]>();
for (const e of TABLE) {
  if (e.flags & F.RESERVED) continue;
  let l = BY_NAME.get(e.name);
  if (!l) { l = []; BY_NAME.set(e.name, l); }
  l.push(e);
}

export function entriesNamed(name: string): readonly InsnSpec[] | undefined {
  return BY_NAME.get(name);
}

/** Splits an operand list at top-level commas (not inside parentheses, "strings" or 'c' constants). */
export function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '', quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // A string operand (.ascii/.asciz): copy up to the closing quote, honouring \ escapes.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      cur += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === "'" && !quote) { quote = true; cur += c; continue; }
    if (quote) { cur += c; if (c === "'" || (c === '\\' && (cur += text[++i] ?? '', false))) quote = false; continue; }
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim() !== '' || out.length) out.push(cur.trim());
  return out;
}

/** Template parts of an entry's args: "rt,off(base)" → ["rt", "off(base)"]. */
const partCache = new WeakMap<InsnSpec, string[]>();
function templateParts(e: InsnSpec): string[] {
  let p = partCache.get(e);
  if (!p) { p = e.args === '' ? [] : splitOperands(e.args); partCache.set(e, p); }
  return p;
}

export interface EncodeContext {
  pc: bigint;
  env: ExprEnv;
  /** ISA subsets allowed (from the CPU model / .set arch). */
  isa: number;
}

/** Parses one operand text for one operand kind into its semantic value. */
function parseOperand(kind: OperandKind, text: string, ctx: EncodeContext): number {
  const t = text.trim();
  switch (kind.syntax) {
    case 'gpr': {
      if (kind.name === 'rdt') {
        const m = /^(\S+)\s+or\s+(\S+)$/.exec(t);
        if (m) {
          const a = parseGpr(m[1]), b = parseGpr(m[2]);
          if (a === undefined || b === undefined) throw new OperandError(`invalid register '${t}'`);
          return a | (b << 5);
        }
      }
      const r = parseGpr(t);
      if (r === undefined) throw new OperandError(`expected a general register, got '${t}'`);
      return r;
    }
    case 'zero': {
      if (parseGpr(t) !== 0) throw new OperandError(`expected $zero, got '${t}'`);
      return 0;
    }
    case 'fpr': {
      const r = parseFpr(t);
      if (r === undefined) throw new OperandError(`expected a floating-point register, got '${t}'`);
      return r;
    }
    case 'msareg': {
      const m = /^\$w(\d+)$/.exec(t);
      if (!m || Number(m[1]) > 31) throw new OperandError(`expected an MSA register, got '${t}'`);
      return Number(m[1]);
    }
    case 'fcc': {
      const m = /^\$(?:fcc|cc)([0-7])$/.exec(t);
      if (!m) throw new OperandError(`expected a condition code ($fcc0-7), got '${t}'`);
      return Number(m[1]);
    }
    case 'cp0': {
      const r = parseCp0Name(t);
      if (r !== undefined && (r & 7) === 0) return r >> 3;
      const m = /^\$(\d+)$/.exec(t);
      if (m && Number(m[1]) < 32) return Number(m[1]);
      throw new OperandError(`expected a CP0 register, got '${t}'`);
    }
    case 'cop2reg': {
      const m = /^\$(\d+)$/.exec(t);
      if (m && Number(m[1]) < 32) return Number(m[1]);
      throw new OperandError(`expected a coprocessor register $0-$31, got '${t}'`);
    }
    case 'hwr': return named(HWR_NAMES, t, 'hardware register');
    case 'fcr': return named(CP1_CONTROL_NAMES, t, 'FPU control register');
    case 'msactl': return named(MSA_CONTROL_NAMES, t, 'MSA control register');
    case 'cp0sel': {
      const r = parseCp0Name(t);
      if (r !== undefined) return r;
      throw new OperandError(`expected a CP0 register, got '${t}'`);
    }
    case 'imm': {
      // DSP accumulators print as `$ac0`..`$ac3` (operand kinds ac/acs/acd).
      if (ACC_KINDS.has(kind.name)) {
        const m = /^\$ac([0-3])$/.exec(t);
        if (m) return Number(m[1]);
      }
      const v = evalExpr(t, ctx);
      return checkImm(kind, v.value, v.part16 === true);
    }
    case 'target': {
      const v = evalExpr(t, ctx).value;
      const off = BigInt.asIntN(64, v - (ctx.pc + 4n));
      if (off < -0x20000n || off > 0x1fffcn) {
        throw new OperandError(`branch target 0x${BigInt.asUintN(64, v).toString(16)} out of range `
          + `(${off} bytes from the delay slot; a branch reaches -131072..+131068)`);
      }
      return Number(off);
    }
    case 'jtarget': {
      const v = BigInt.asUintN(64, evalExpr(t, ctx).value);
      const region = (ctx.pc + 4n) & ~0x0fffffffn;
      const tgt = kind.name === 'jxtarget' ? v & ~1n : v;
      if ((tgt & ~0x0fffffffn) !== BigInt.asUintN(64, region)) {
        throw new OperandError(`jump target 0x${v.toString(16)} is outside the current 256 MiB region`);
      }
      return Number(tgt & 0x0fffffffn);
    }
  }
  throw new OperandError(`cannot parse operand '${t}'`);
}

function named(table: readonly string[], t: string, what: string): number {
  const r = parseNamed(table, t);
  if (r === undefined) throw new OperandError(`expected a ${what}, got '${t}'`);
  return r;
}

function evalExpr(t: string, ctx: EncodeContext): { value: bigint; part16?: boolean } {
  if (t === '') throw new OperandError('missing operand');
  try {
    return evaluate(t, ctx.env);
  } catch (e) {
    if (e instanceof ExprError) throw new OperandError(e.message);
    throw e;
  }
}

const ACC_KINDS = new Set(['ac', 'acs', 'acd']);
/** Size operands of ins/dins/dinsm/dinsu: objdump prints msb < lsb as a negative size in 32-bit hex. */
const INS_SIZE_KINDS = new Set(['isize', 'isizem', 'isizeu']);

function checkImm(kind: OperandKind, v: bigint, part16: boolean): number {
  if (part16 && (kind.name === 'simm' || kind.name === 'off')) return Number(BigInt.asIntN(16, v));
  if (part16 && kind.name === 'uimm') return Number(BigInt.asUintN(16, v));
  // The kind's encoder checks that position + size gives a valid msb field.
  if (INS_SIZE_KINDS.has(kind.name) && v >= -0x80000000n && v <= 0xffffffffn) return Number(BigInt.asIntN(32, v));
  if (v < BigInt(kind.min) || v > BigInt(kind.max)) {
    throw new OperandError(`${describe(kind)} ${v} out of range (${kind.min}..${kind.max})`);
  }
  return Number(v);
}

function describe(k: OperandKind): string {
  switch (k.name) {
    case 'simm': return 'signed 16-bit immediate';
    case 'uimm': return 'unsigned 16-bit immediate';
    case 'off': return 'offset';
    case 'sa': return 'shift amount';
    default: return `operand (${k.name})`;
  }
}

/** Tries one entry; returns the word or throws OperandError. */
function tryEntry(e: InsnSpec, ops: string[], ctx: EncodeContext): number {
  const parts = templateParts(e);
  // GNU as shorthand: `addu $2,$3` = `addu $2,$2,$3` (three-register and reg,reg,imm forms).
  let shorthand = false;
  if (ops.length === parts.length - 1 && parts.length === 3 && e.slots.length === 3
    && e.slots[0].kind.syntax === e.slots[1].kind.syntax && (e.slots[0].kind.syntax === 'gpr' || e.slots[0].kind.syntax === 'fpr')
    && !(e.flags & DELAY_MASK)) {
    ops = [ops[0], ...ops];
    shorthand = true;
  }
  /** Written operand index of operand `i` of `ops`. */
  const written = (i: number): number => (shorthand ? Math.max(0, i - 1) : i);
  const values: number[] = [];
  /** Written operand of each slot value. */
  const slotOperand: number[] = [];
  let oi = 0;
  for (const part of parts) {
    const at = oi;
    const text = ops[oi++];
    if (text === undefined) throw new OperandError(`too few operands (expected ${parts.length})`);
    atOperand(written(at), () => { oi = parsePart(e, part, text, ops, oi, values, ctx); });
    while (slotOperand.length < values.length) slotOperand.push(written(at));
  }
  if (oi !== ops.length) {
    throw Object.assign(new OperandError(`too many operands (expected ${parts.length})`), { operand: written(parts.length) });
  }
  let word = e.match;
  for (let i = 0; i < e.slots.length; i++) {
    const bits = e.slots[i].kind.encode(values[i], values.slice(0, i));
    if (typeof bits === 'string') throw Object.assign(new OperandError(bits), { operand: slotOperand[i] });
    if (((bits & ~e.slots[i].kind.bits) >>> 0) !== 0) throw Object.assign(new OperandError(`operand ${i + 1} out of range`), { operand: slotOperand[i] });
    word = (word | bits) >>> 0;
  }
  return word >>> 0;
}

/**
 * Parses the written operand `text` for template part `part`, appending slot values.
 * Returns the index of the next written operand (a CP0 select consumes one more).
 */
function parsePart(e: InsnSpec, part: string, text: string, ops: string[], oi: number, values: number[], ctx: EncodeContext): number {
  const m = /^([A-Za-z0-9_.]*)([[(])([A-Za-z0-9_.]+)[\])]$/.exec(part);
  if (m) {
    // "off(base)", "(base)", "wd[n.d]", "ws[n.w]" templates.
    const open = m[2], close = open === '(' ? ')' : ']';
    const k1 = m[1] ? kindAt(e, values.length) : undefined;
    const i = text.lastIndexOf(open);
    if (i < 0 || !text.endsWith(close)) {
      throw new OperandError(`expected '${part.replace(/[A-Za-z0-9_.]+/g, (x) => x === m[1] ? 'value' : 'reg')}' form, got '${text}'`);
    }
    const outer = text.slice(0, i).trim();
    const inner = text.slice(i + 1, -1);
    if (k1) values.push(outer === '' ? 0 : parseOperand(k1, outer, ctx));
    else if (outer !== '') throw new OperandError(`unexpected '${outer}' before '${open}'`);
    values.push(parseOperand(kindAt(e, values.length), inner, ctx));
    return oi;
  }
  const k = kindAt(e, values.length);
  const cp0Base = k.syntax === 'cp0sel' && ops[oi] !== undefined ? cp0SelectBase(text.trim()) : undefined;
  if (cp0Base !== undefined) {
    // `$12,1` or a named register with an explicit select, e.g. objdump's `c0_watchlo,3`.
    const reg = cp0Base;
    const selText = ops[oi++];
    if (selText === undefined) throw new OperandError('expected a select after the CP0 register');
    const sel = Number(evalExpr(selText, ctx).value);
    if (reg > 31 || sel < 0 || sel > 7) throw new OperandError(`bad CP0 register $${reg},${sel}`);
    values.push(reg * 8 + sel);
    return oi;
  }
  values.push(parseOperand(k, text, ctx));
  return oi;
}

const DELAY_MASK = F.BRANCH | F.JUMP | F.INDIRECT;

/** Register number of a CP0 operand that may be followed by a select: `$N` or a select-0 name. */
function cp0SelectBase(t: string): number | undefined {
  if (/^\$\d+$/.test(t)) return Number(t.slice(1));
  const r = parseCp0Name(t);
  return r !== undefined && (r & 7) === 0 ? r >> 3 : undefined;
}

function kindAt(e: InsnSpec, i: number): OperandKind {
  const s = e.slots[i];
  if (!s) throw new OperandError('too many operands');
  return s.kind;
}

/**
 * Encodes `name ops…` at `ctx.pc`. Returns the word and the entry used, or throws
 * OperandError with the most relevant message when no entry accepts the operands.
 */
export function encodeInstruction(name: string, ops: string[], ctx: EncodeContext): { word: number; entry: InsnSpec } {
  const cands = BY_NAME.get(name);
  if (!cands) throw new OperandError(`unknown instruction '${name}'`);
  let firstErr: OperandError | undefined;
  let anyIsa = false;
  for (const e of cands) {
    if ((e.isa & ctx.isa) === 0 || (e.notOn & ctx.isa) !== 0) continue;
    anyIsa = true;
    try {
      return { word: tryEntry(e, ops, ctx), entry: e };
    } catch (err) {
      if (!(err instanceof OperandError)) throw err;
      // Prefer errors about an operand's value over operand-count errors, and errors from
      // entries with the same operand count (most specific message); else the first.
      const rank = /^too (many|few) operands/.test(err.message) ? 0 : templateParts(e).length === ops.length ? 2 : 1;
      if (!firstErr || rank > errRank(firstErr)) firstErr = Object.assign(err, { rank });
    }
  }
  if (!anyIsa) throw new OperandError(`instruction '${name}' is not available on this CPU (use .set arch=…)`);
  throw firstErr ?? new OperandError(`invalid operands for '${name}'`);
}

function errRank(e: OperandError): number {
  return (e as OperandError & { rank?: number }).rank ?? 0;
}
