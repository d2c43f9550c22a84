// Debugger expressions, all in exact 64-bit arithmetic (BigInt, never a JS number):
//
//   $a0  $sp  $31  $pc  $hi  $lo  $f12  $fcsr       registers (ABI names, numbers)
//   $cp0.status  $cp0.status.exl  $cause.exccode    CP0 registers and their named fields
//   ticks  puts+8                                   symbols (their address)
//   *(u64*)0xffffffff80102128  *(s32*)($sp+16)      memory (virtual; phys:ADDR physical)
//   (u32)x  &x  - ~ ! * / % + - << >> < <= > >= == != & ^ | && ||   C operators
//
// Registers, CP0 registers/fields and memory are lvalues (assign()). Memory reads are
// side-effect free (DebugMemory). Errors throw EvalError with a message for the user.

import type { Cpu } from '../cpu/cpu';
import { getBig, setBig } from '../cpu/arith';
import { parseGpr } from '../isa/registers';
import { Cp0Field, Cp0RegDef, cp0ByName, fieldValue, findField, readCp0, withField, writeCp0 } from './cp0-fields';
import { DebugMemory, MemRef, XLATE_TEXT } from './memory';
import { DebugSymbols } from './symbols';

export class EvalError extends Error {}

export interface ExprContext {
  readonly cpu: Cpu;
  readonly mem: DebugMemory;
  readonly symbols: DebugSymbols;
}

export type LValue =
  | { readonly kind: 'gpr'; readonly index: number }
  | { readonly kind: 'pc' | 'hi' | 'lo' | 'fcsr' }
  | { readonly kind: 'fpr'; readonly index: number }
  | { readonly kind: 'cp0'; readonly def: Cp0RegDef; readonly field?: Cp0Field }
  | { readonly kind: 'mem'; readonly ref: MemRef; readonly size: number; readonly signed: boolean };

interface PtrType { readonly size: number; readonly signed: boolean }

export interface Value {
  /** The value as an unsigned 64-bit number (two's complement for negatives). */
  readonly v: bigint;
  readonly lvalue?: LValue;
  /** Pointer target type after a cast such as (u32*). */
  readonly ptr?: PtrType;
  /** The value is a physical address (phys:…). */
  readonly phys?: boolean;
  /** What produced it, for display. */
  readonly kind: 'number' | 'register' | 'field' | 'memory' | 'symbol' | 'bool';
  /** Field or memory width in bits (display padding). */
  readonly bits?: number;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

const TYPES: Record<string, PtrType> = {
  u8: { size: 1, signed: false }, u16: { size: 2, signed: false }, u32: { size: 4, signed: false }, u64: { size: 8, signed: false },
  s8: { size: 1, signed: true }, s16: { size: 2, signed: true }, s32: { size: 4, signed: true }, s64: { size: 8, signed: true },
  i8: { size: 1, signed: true }, i16: { size: 2, signed: true }, i32: { size: 4, signed: true }, i64: { size: 8, signed: true },
  uint8_t: { size: 1, signed: false }, uint16_t: { size: 2, signed: false }, uint32_t: { size: 4, signed: false }, uint64_t: { size: 8, signed: false },
  int8_t: { size: 1, signed: true }, int16_t: { size: 2, signed: true }, int32_t: { size: 4, signed: true }, int64_t: { size: 8, signed: true },
  char: { size: 1, signed: true }, short: { size: 2, signed: true }, int: { size: 4, signed: true }, long: { size: 8, signed: true },
  unsigned: { size: 4, signed: false }, void: { size: 1, signed: false },
};

// ---- lexer ---------------------------------------------------------------------------

type Tok = { t: 'num'; v: bigint; pos: number } | { t: 'reg' | 'id' | 'op'; s: string; pos: number } | { t: 'end'; pos: number };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', ':'];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const rest = src.slice(i);
    let m = /^(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)(?![\w.])/i.exec(rest);
    if (m) { out.push({ t: 'num', v: BigInt(m[1]), pos: i }); i += m[1].length; continue; }
    m = /^'(\\.|[^\\'])'/.exec(rest);
    if (m) {
      const ch = m[1].length === 2 ? ({ n: '\n', r: '\r', t: '\t', '0': '\0' } as Record<string, string>)[m[1][1]] ?? m[1][1] : m[1];
      out.push({ t: 'num', v: BigInt(ch.charCodeAt(0)), pos: i }); i += m[0].length; continue;
    }
    m = /^\$[A-Za-z0-9_.]+/.exec(rest);
    if (m) { out.push({ t: 'reg', s: m[0], pos: i }); i += m[0].length; continue; }
    m = /^[A-Za-z_.][A-Za-z0-9_.$@]*/.exec(rest);
    if (m) { out.push({ t: 'id', s: m[0], pos: i }); i += m[0].length; continue; }
    const op = OPS.find((o) => rest.startsWith(o));
    if (op) { out.push({ t: 'op', s: op, pos: i }); i += op.length; continue; }
    throw new EvalError(`unexpected '${c}' at column ${i + 1}`);
  }
  out.push({ t: 'end', pos: src.length });
  return out;
}

// ---- parser / evaluator ------------------------------------------------------------------

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8,
  '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly ctx: ExprContext) {}

  private peek(): Tok { return this.toks[this.i]; }
  private isOp(s: string, k = 0): boolean {
    const t = this.toks[this.i + k];
    return t !== undefined && t.t === 'op' && t.s === s;
  }
  private expectOp(s: string): void {
    if (!this.isOp(s)) throw new EvalError(`expected '${s}' at column ${this.peek().pos + 1}`);
    this.i++;
  }

  parse(): Value {
    if (this.peek().t === 'end') throw new EvalError('empty expression');
    const v = this.binary(0);
    const t = this.peek();
    if (t.t !== 'end') throw new EvalError(`unexpected ${describeTok(t)} at column ${t.pos + 1}`);
    return v;
  }

  private binary(minPrec: number): Value {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op') return left;
      const p = BINARY[t.s];
      if (p === undefined || p <= minPrec) return left;
      this.i++;
      const right = this.binary(p);
      left = binop(t.s, left, right);
    }
  }

  /** A cast `(type)` or `(type*)` at the cursor: returns the type, or undefined (a parenthesised expression). */
  private castAhead(): { type: PtrType; ptr: boolean; len: number } | undefined {
    if (!this.isOp('(')) return undefined;
    let k = 1;
    const names: string[] = [];
    while (this.toks[this.i + k]?.t === 'id') { names.push((this.toks[this.i + k] as { s: string }).s); k++; }
    if (names.length === 0) return undefined;
    let type: PtrType | undefined;
    if (names.length === 1) type = TYPES[names[0]];
    else if (names.length === 2 && names[0] === 'unsigned' && TYPES[names[1]]) type = { size: TYPES[names[1]].size, signed: false };
    else if (names.length === 2 && names[0] === 'signed' && TYPES[names[1]]) type = { size: TYPES[names[1]].size, signed: true };
    if (!type) return undefined;
    let ptr = false;
    if (this.isOp('*', k)) { ptr = true; k++; }
    if (!this.isOp(')', k)) return undefined;
    return { type, ptr, len: k + 1 };
  }

  private unary(): Value {
    const t = this.peek();
    if (t.t === 'op') {
      const cast = this.castAhead();
      if (cast) {
        this.i += cast.len;
        const x = this.unary();
        if (cast.ptr) return { v: x.v, kind: 'number', ptr: cast.type, phys: x.phys };
        const bits = BigInt(cast.type.size * 8);
        const v = cast.type.signed ? U64(BigInt.asIntN(Number(bits), x.v)) : BigInt.asUintN(Number(bits), x.v);
        return { v, kind: 'number', bits: cast.type.size * 8 };
      }
      switch (t.s) {
        case '-': this.i++; return { v: U64(-this.unary().v), kind: 'number' };
        case '+': this.i++; return this.unary();
        case '~': this.i++; return { v: U64(~this.unary().v), kind: 'number' };
        case '!': this.i++; return { v: this.unary().v === 0n ? 1n : 0n, kind: 'bool' };
        case '*': {
          this.i++;
          const p = this.unary();
          return this.deref(p.v, p.ptr ?? { size: 8, signed: false }, p.phys ?? false);
        }
        case '&': {
          this.i++;
          const x = this.unary();
          if (x.lvalue?.kind === 'mem') return { v: x.lvalue.ref.addr, kind: 'number', phys: x.lvalue.ref.phys, ptr: { size: x.lvalue.size, signed: x.lvalue.signed } };
          if (x.kind === 'symbol') return x;
          throw new EvalError('cannot take the address of a register or a computed value');
        }
        default: break;
      }
    }
    return this.primary();
  }

  private deref(addr: bigint, type: PtrType, phys: boolean): Value {
    const ref: MemRef = { addr: U64(addr), phys };
    const raw = this.ctx.mem.readUnsigned(ref, type.size);
    if (raw === undefined) throw new EvalError(`cannot read ${type.size} byte${type.size > 1 ? 's' : ''} at ${phys ? 'phys:' : ''}0x${ref.addr.toString(16)}${this.whyUnreadable(ref)}`);
    const v = type.signed ? U64(BigInt.asIntN(type.size * 8, raw)) : raw;
    return { v, kind: 'memory', bits: type.size * 8, lvalue: { kind: 'mem', ref, size: type.size, signed: type.signed } };
  }

  private whyUnreadable(ref: MemRef): string {
    if (ref.phys) return ' (not RAM)';
    const t = this.ctx.mem.v2p(ref.addr);
    return t.ok ? ' (not RAM: device or unassigned)' : ` (${XLATE_TEXT[t.code] ?? 'not mapped'})`;
  }

  private primary(): Value {
    const t = this.peek();
    switch (t.t) {
      case 'num': this.i++; return { v: U64(t.v), kind: 'number' };
      case 'reg': this.i++; return readRegister(t.s, this.ctx);
      case 'id': {
        this.i++;
        if (t.s === 'phys' && this.isOp(':')) {
          this.i++;
          const x = this.unary();
          return { v: x.v, kind: 'number', phys: true, ptr: x.ptr };
        }
        const a = this.ctx.symbols.byName(t.s);
        if (a === undefined) {
          const hint = this.ctx.symbols.missingHint;
          throw new EvalError(`unknown symbol '${t.s}'${hint ? ` (${hint})` : ''}`);
        }
        return { v: a, kind: 'symbol' };
      }
      case 'op':
        if (t.s === '(') {
          this.i++;
          const v = this.binary(0);
          this.expectOp(')');
          return v;
        }
        throw new EvalError(`unexpected '${t.s}' at column ${t.pos + 1}`);
      default:
        throw new EvalError('unexpected end of expression');
    }
  }
}

function describeTok(t: Tok): string {
  if (t.t === 'num') return `number ${t.v}`;
  if (t.t === 'end') return 'end';
  return `'${t.s}'`;
}

function binop(op: string, a: Value, b: Value): Value {
  const x = a.v, y = b.v;
  const num = (v: bigint): Value => ({ v: U64(v), kind: 'number' });
  const bool = (c: boolean): Value => ({ v: c ? 1n : 0n, kind: 'bool' });
  switch (op) {
    case '+':
      if (a.ptr && !b.ptr) return { v: U64(x + y * BigInt(a.ptr.size)), kind: 'number', ptr: a.ptr, phys: a.phys };
      return { ...num(x + y), phys: a.phys || b.phys };
    case '-':
      if (a.ptr && !b.ptr) return { v: U64(x - y * BigInt(a.ptr.size)), kind: 'number', ptr: a.ptr, phys: a.phys };
      return { ...num(x - y), phys: a.phys };
    case '*': return num(x * y);
    case '/': if (y === 0n) throw new EvalError('division by zero'); return num(x / y);
    case '%': if (y === 0n) throw new EvalError('division by zero'); return num(x % y);
    case '<<': return num(y >= 64n ? 0n : x << y);
    case '>>': return num(y >= 64n ? 0n : x >> y);
    case '&': return num(x & y);
    case '|': return num(x | y);
    case '^': return num(x ^ y);
    case '==': return bool(x === y);
    case '!=': return bool(x !== y);
    case '<': return bool(x < y);
    case '>': return bool(x > y);
    case '<=': return bool(x <= y);
    case '>=': return bool(x >= y);
    case '&&': return bool(x !== 0n && y !== 0n);
    case '||': return bool(x !== 0n || y !== 0n);
    default: throw new EvalError(`unknown operator '${op}'`);
  }
}

/** `$name` → register value (with its lvalue). */
function readRegister(name: string, ctx: ExprContext): Value {
  const cpu = ctx.cpu;
  const n = name.slice(1).toLowerCase();
  const parts = n.split('.');
  const head = parts[0];
  if (parts.length === 1) {
    const g = parseGpr(head);
    if (g !== undefined) return { v: U64(cpu.getGpr(g)), kind: 'register', bits: 64, lvalue: { kind: 'gpr', index: g } };
    if (head === 'pc') return { v: U64(cpu.pc), kind: 'register', bits: 64, lvalue: { kind: 'pc' } };
    if (head === 'hi') return { v: U64(getBig(cpu.r, 66)), kind: 'register', bits: 64, lvalue: { kind: 'hi' } };
    if (head === 'lo') return { v: U64(getBig(cpu.r, 64)), kind: 'register', bits: 64, lvalue: { kind: 'lo' } };
    const fm = /^f(\d+)$/.exec(head);
    if (fm && Number(fm[1]) < 32) {
      const fpu = requireFpu(cpu);
      return { v: U64(getBig(fpu.f, Number(fm[1]) * 2)), kind: 'register', bits: 64, lvalue: { kind: 'fpr', index: Number(fm[1]) } };
    }
    if (head === 'fcsr') return { v: BigInt(requireFpu(cpu).fcsr >>> 0), kind: 'register', bits: 32, lvalue: { kind: 'fcsr' } };
  }
  // $cp0.status[.field], or the shorthand $status[.field]
  let rest = parts;
  if (head === 'cp0') {
    rest = parts.slice(1);
    if (rest.length === 0) throw new EvalError('$cp0 needs a register name, e.g. $cp0.status');
  }
  const def = cp0ByName(rest[0], cpu);
  if (!def) throw new EvalError(head === 'cp0' ? `unknown CP0 register '${rest[0]}'` : `unknown register '${name}'`);
  const v = readCp0(cpu, def);
  if (rest.length === 1) return { v, kind: 'register', bits: def.bits, lvalue: { kind: 'cp0', def } };
  if (rest.length > 2) throw new EvalError(`'${name}': a CP0 field has no sub-fields`);
  const fd = findField(def, cpu, rest[1]);
  if (!fd) {
    const known = def.fields(cpu).map((x) => x.name).join(', ');
    throw new EvalError(`${def.title} has no field '${rest[1]}'${known ? ` (fields: ${known})` : ''}`);
  }
  return { v: fieldValue(v, fd), kind: 'field', bits: fd.width, lvalue: { kind: 'cp0', def, field: fd } };
}

function requireFpu(cpu: Cpu): NonNullable<Cpu['fpu']> {
  if (!cpu.fpu) throw new EvalError(`this CPU (${cpu.model.name}) has no FPU`);
  return cpu.fpu;
}

export function evaluate(text: string, ctx: ExprContext): Value {
  return new Parser(lex(text), ctx).parse();
}

/** Writes `value` to an lvalue (registers exact to 64 bits, CP0 through mtc0 semantics). */
export function assign(lv: LValue, value: bigint, ctx: ExprContext): void {
  const cpu = ctx.cpu;
  switch (lv.kind) {
    case 'gpr':
      if (lv.index === 0) throw new EvalError('$zero is hard-wired to 0');
      cpu.setGpr(lv.index, U64(value));
      return;
    case 'pc':
      if (value & 3n) throw new EvalError('the PC must be 4-byte aligned');
      cpu.pc = U64(value);
      cpu.waiting = false;
      return;
    case 'hi': setBig(cpu.r, 66, U64(value)); return;
    case 'lo': setBig(cpu.r, 64, U64(value)); return;
    case 'fpr': setBig(requireFpu(cpu).f, lv.index * 2, U64(value)); return;
    case 'fcsr': requireFpu(cpu).fcsr = Number(BigInt.asIntN(32, value)); return;
    case 'cp0': {
      const v = lv.field ? withField(readCp0(cpu, lv.def), lv.field, value) : value;
      writeCp0(cpu, lv.def, v);
      return;
    }
    case 'mem':
      if (!ctx.mem.writeUnsigned(lv.ref, lv.size, value)) throw new EvalError(`cannot write ${lv.size} bytes at 0x${lv.ref.addr.toString(16)}`);
      return;
  }
}

export const hex64 = (v: bigint): string => `0x${U64(v).toString(16).padStart(16, '0')}`;

/** How the Debug Console and hovers show a value. */
export function formatValue(val: Value, symbols?: DebugSymbols, fieldDescribe?: (v: number) => string): string {
  switch (val.kind) {
    case 'bool': return val.v ? 'true (1)' : 'false (0)';
    case 'field': {
      const d = fieldDescribe ?? (val.lvalue?.kind === 'cp0' ? val.lvalue.field?.describe : undefined);
      const dec = val.v.toString();
      const hex = val.bits && val.bits > 8 ? ` (0x${val.v.toString(16)})` : '';
      return d ? `${dec}${hex} ${d(Number(val.v))}` : `${dec}${hex}`;
    }
    case 'memory': {
      const digits = (val.bits ?? 64) / 4;
      const signed = val.lvalue?.kind === 'mem' && val.lvalue.signed;
      const dec = signed ? BigInt.asIntN(64, val.v).toString() : val.v.toString();
      return `0x${BigInt.asUintN(val.bits ?? 64, val.v).toString(16).padStart(digits, '0')} (${dec})`;
    }
    default: {
      const bits = val.bits ?? 64;
      const s = `0x${BigInt.asUintN(bits, val.v).toString(16).padStart(bits / 4, '0')}`;
      const sym = symbols && bits === 64 ? symbols.describe(val.v) : undefined;
      if (sym && (val.kind === 'symbol' || val.kind === 'register' || val.kind === 'number')) return `${s} <${sym}>`;
      if (val.kind === 'number' && val.v < 0x100000000n && !val.ptr) return `${s} (${val.v})`;
      return s;
    }
  }
}

/** Short form for logpoint interpolation. */
export function formatShort(val: Value): string {
  if (val.kind === 'field' || val.kind === 'bool') return val.v.toString();
  return `0x${val.v.toString(16)}`;
}

/** Interpolates `{expr}` in a logpoint message ({{ and }} are literal braces). */
export function interpolate(message: string, ctx: ExprContext): string {
  return message.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, expr: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    try {
      return formatShort(evaluate(expr ?? '', ctx));
    } catch (e) {
      return `<${(e as Error).message}>`;
    }
  });
}
