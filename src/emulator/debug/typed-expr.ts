// C expressions over the DWARF types of the loaded symbol files: global variables by name
// (`jiffies`, `init_task.comm`), `current` (MIPS Linux: the task of the thread_info in $gp),
// member access (`.`, `->`), indexing, `*`, `&`, casts to struct/union/typedef/base types
// and pointers to them (`((struct task_struct *)$a0)->pid`), registers and numbers.
// Values are read from guest memory when shown; unreadable memory is said, never thrown
// past the caller. Anything else is NotTyped: the caller falls back to the plain
// (untyped) expression evaluator.

import { ATE, CType, Member, resolved, sizeOf, typeName } from '../loader/dwarf/types';
import { evaluate, EvalError, ExprContext, hex64 } from './expr';
import type { TypeFiles } from './type-files';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** The expression is not one for the typed evaluator. */
export class NotTyped extends Error {}

/** A value: in guest memory at `addr` (an lvalue) or computed (`value`). */
export interface TypedValue {
  readonly type: CType;
  readonly addr?: bigint;
  readonly value?: bigint;
  /** Bit field of the containing member. */
  readonly bits?: { readonly size: number; readonly offset: number };
}

export interface TypedContext extends ExprContext {
  readonly types: TypeFiles;
}

type Tok = { t: 'id' | 'num' | 'reg' | 'op'; s: string };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(0x[0-9a-fA-F]+|\d+)|(\$[A-Za-z0-9_.]+)|([A-Za-z_]\w*)|(->|[().*&[\]]))/y;
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new NotTyped(`unexpected '${s.slice(i, i + 10)}'`);
    i = re.lastIndex;
    if (m[1]) out.push({ t: 'num', s: m[1] });
    else if (m[2]) out.push({ t: 'reg', s: m[2] });
    else if (m[3]) out.push({ t: 'id', s: m[3] });
    else out.push({ t: 'op', s: m[4]! });
  }
  return out;
}

const TYPE_WORDS = new Set(['struct', 'union', 'enum', 'unsigned', 'signed', 'const', 'volatile', 'long', 'short', 'int', 'char', 'void']);

class Parser {
  private i = 0;
  /** Whether DWARF gave anything a meaning (else the plain evaluator is as good). */
  usedTypes = false;

  constructor(private readonly toks: Tok[], private readonly ctx: TypedContext, private readonly text: string) {}

  parse(): TypedValue {
    const v = this.unary();
    if (this.i < this.toks.length) throw new NotTyped(`unexpected '${this.toks[this.i]!.s}'`);
    if (!this.usedTypes) throw new NotTyped('no typed names');
    return v;
  }

  private peek(): Tok | undefined { return this.toks[this.i]; }
  private isOp(s: string): boolean { const t = this.peek(); return t?.t === 'op' && t.s === s; }
  private expect(s: string): void {
    if (!this.isOp(s)) throw new EvalError(`expected '${s}' in '${this.text}'`);
    this.i++;
  }

  /** At '(': a cast if a type name follows. */
  private castType(): CType | undefined {
    const save = this.i;
    this.i++;
    const words: string[] = [];
    while (this.peek()?.t === 'id') words.push(this.toks[this.i++]!.s);
    let stars = 0;
    while (this.isOp('*')) { stars++; this.i++; }
    if (words.length === 0 || !this.isOp(')')) { this.i = save; return undefined; }
    const spelling = words.filter((w) => w !== 'const' && w !== 'volatile').join(' ');
    const known = words.some((w) => TYPE_WORDS.has(w));
    let t = spelling === 'void' ? { kind: 'void' as const } : this.ctx.types.namedType(spelling);
    if (!t) {
      if (known || words.length > 1 || stars > 0) throw new EvalError(`unknown type '${spelling}'`);
      this.i = save; // "(name)": a parenthesized expression
      return undefined;
    }
    this.i++; // ')'
    this.usedTypes = true;
    for (let k = 0; k < stars; k++) t = { kind: 'pointer', size: 8, target: t };
    return t;
  }

  private unary(): TypedValue {
    if (this.isOp('*')) { this.i++; return this.deref(this.unary()); }
    if (this.isOp('&')) {
      this.i++;
      const v = this.unary();
      if (v.addr === undefined || v.bits) throw new EvalError('& needs a value in memory');
      return { type: { kind: 'pointer', size: 8, target: v.type }, value: v.addr };
    }
    if (this.isOp('(')) {
      const t = this.castType();
      if (t) {
        const v = this.unary();
        const r = resolved(t);
        if (r.kind === 'struct' || r.kind === 'union' || r.kind === 'array') {
          if (v.addr === undefined) throw new EvalError(`a cast to ${typeName(t)} needs a value in memory`);
          return { type: t, addr: v.addr };
        }
        return { type: t, value: truncate(scalar(v, this.ctx), t) };
      }
    }
    return this.postfix();
  }

  private postfix(): TypedValue {
    let v = this.primary();
    for (;;) {
      if (this.isOp('.')) { this.i++; v = this.member(v, this.ident()); continue; }
      if (this.isOp('->')) { this.i++; v = this.member(this.deref(v), this.ident()); continue; }
      if (this.isOp('[')) {
        this.i++;
        const idx = this.unary();
        this.expect(']');
        v = this.index(v, scalar(idx, this.ctx));
        continue;
      }
      return v;
    }
  }

  private ident(): string {
    const t = this.peek();
    if (t?.t !== 'id') throw new EvalError(`expected a member name in '${this.text}'`);
    this.i++;
    return t.s;
  }

  private primary(): TypedValue {
    const t = this.peek();
    if (!t) throw new EvalError('empty expression');
    if (t.t === 'num') { this.i++; return { type: ulong(this.ctx), value: U64(BigInt(t.s)) }; }
    if (t.t === 'reg') { this.i++; return { type: ulong(this.ctx), value: evaluate(t.s, this.ctx).v }; }
    if (t.t === 'op' && t.s === '(') {
      this.i++;
      const v = this.unary();
      this.expect(')');
      return v;
    }
    if (t.t !== 'id') throw new NotTyped(`unexpected '${t.s}'`);
    this.i++;
    const g = this.ctx.types.variable(t.s);
    if (g) {
      this.usedTypes = true;
      const addr = g.addr ?? this.ctx.symbols.byName(t.s);
      if (addr === undefined) throw new EvalError(`'${t.s}' (${typeName(g.type)}) has no address in the debugging information or the symbols`);
      return { type: g.type, addr };
    }
    if (t.s === 'current') {
      // MIPS Linux keeps the current thread_info in $gp ($28); its task is current.
      const ti = this.ctx.types.namedType('struct thread_info');
      if (ti) {
        this.usedTypes = true;
        return this.member({ type: ti, addr: evaluate('$gp', this.ctx).v }, 'task');
      }
    }
    throw new NotTyped(`'${t.s}' is no typed variable`);
  }

  private deref(v: TypedValue): TypedValue {
    const r = resolved(v.type);
    if (r.kind === 'array') return { type: r.element, addr: v.addr };
    if (r.kind !== 'pointer') throw new EvalError(`cannot dereference a ${typeName(v.type)}`);
    const target = this.ctx.types.complete(r.target);
    if (resolved(target).kind === 'void') throw new EvalError('cannot dereference a void *');
    return { type: target, addr: scalar(v, this.ctx) };
  }

  private member(v: TypedValue, name: string): TypedValue {
    const t = resolved(this.ctx.types.complete(v.type));
    if (t.kind !== 'struct' && t.kind !== 'union') throw new EvalError(`'${name}': ${typeName(v.type)} is not a struct or union`);
    if (v.addr === undefined) throw new EvalError(`'${name}': the ${typeName(v.type)} is not in memory`);
    const found = findMember(t.members, name, 0);
    if (!found) throw new EvalError(`${typeName(v.type)} has no member '${name}'`);
    const m = found.member;
    return { type: m.type, addr: U64(v.addr + BigInt(found.offset)), ...(m.bitSize !== undefined ? { bits: { size: m.bitSize, offset: m.bitOffset ?? 0 } } : {}) };
  }

  private index(v: TypedValue, i: bigint): TypedValue {
    const r = resolved(v.type);
    const signed = BigInt.asIntN(64, i);
    if (r.kind === 'array') {
      if (v.addr === undefined) throw new EvalError('the array is not in memory');
      return { type: r.element, addr: U64(v.addr + signed * BigInt(sizeOf(r.element))) };
    }
    if (r.kind === 'pointer') {
      const target = this.ctx.types.complete(r.target);
      return { type: target, addr: U64(scalar(v, this.ctx) + signed * BigInt(Math.max(1, sizeOf(target)))) };
    }
    throw new EvalError(`cannot index a ${typeName(v.type)}`);
  }
}

/** A member by name, also inside anonymous struct/union members (their offsets added). */
function findMember(members: readonly Member[], name: string, base: number, depth = 0): { member: Member; offset: number } | undefined {
  if (depth > 16) return undefined;
  for (const m of members) if (m.name === name) return { member: m, offset: base + m.offset };
  for (const m of members) {
    if (m.name !== undefined) continue;
    const r = resolved(m.type);
    if (r.kind !== 'struct' && r.kind !== 'union') continue;
    const f = findMember(r.members, name, base + m.offset, depth + 1);
    if (f) return f;
  }
  return undefined;
}

function ulong(ctx: TypedContext): CType {
  return ctx.types.namedType('long unsigned int') ?? { kind: 'base', name: 'unsigned long', size: 8, encoding: ATE.unsigned };
}

function truncate(v: bigint, t: CType): bigint {
  const size = sizeOf(t);
  return size > 0 && size < 8 ? BigInt.asUintN(size * 8, v) : U64(v);
}

function isSigned(t: CType): boolean {
  const r = resolved(t);
  return r.kind === 'base' && (r.encoding === ATE.signed || r.encoding === ATE.signed_char);
}

/** Reads a scalar (integer, enum, pointer; bit fields extracted), as an unsigned 64-bit value; sign-extended for signed types. */
export function scalar(v: TypedValue, ctx: ExprContext): bigint {
  if (v.value !== undefined) return v.value;
  const r = resolved(v.type);
  if (v.addr === undefined) throw new EvalError('no value');
  if (r.kind === 'struct' || r.kind === 'union') throw new EvalError(`a ${typeName(v.type)} is not a number`);
  if (r.kind === 'array') return v.addr;
  const size = sizeOf(r);
  if (![1, 2, 4, 8].includes(size)) throw new EvalError(`cannot read a ${size}-byte ${typeName(v.type)}`);
  let x = ctx.mem.readUnsigned({ addr: v.addr, phys: false }, size);
  if (x === undefined) throw new EvalError(`cannot read ${hex64(v.addr)}${describeUnreadable(ctx, v.addr)}`);
  if (v.bits) {
    x = (x >> BigInt(v.bits.offset)) & ((1n << BigInt(v.bits.size)) - 1n);
    if (isSigned(r) && (x >> BigInt(v.bits.size - 1)) & 1n) x -= 1n << BigInt(v.bits.size);
    return U64(x);
  }
  return isSigned(r) ? U64(BigInt.asIntN(size * 8, x)) : x;
}

function describeUnreadable(ctx: ExprContext, addr: bigint): string {
  const t = ctx.mem.v2p(addr);
  return t.ok ? ' (not RAM)' : ` (${t.reason})`;
}

/** Evaluates a typed C expression; NotTyped when it is not one (the plain evaluator takes it). */
export function evaluateTyped(text: string, ctx: TypedContext): TypedValue {
  if (!ctx.types.available) throw new NotTyped('no types loaded');
  return new Parser(tokenize(text), ctx, text).parse();
}

// ---- display ------------------------------------------------------------------------------------

const MAX_STRING = 256;

function charString(ctx: ExprContext, addr: bigint, max: number): string {
  const bytes = ctx.mem.read({ addr, phys: false }, max);
  let s = '';
  for (const b of bytes) {
    if (b === undefined) return `${JSON.stringify(s)}… (unreadable at ${hex64(addr + BigInt(s.length))})`;
    if (b === 0) return JSON.stringify(s);
    s += String.fromCharCode(b);
  }
  return `${JSON.stringify(s)}…`;
}

function isCharType(t: CType): boolean {
  const r = resolved(t);
  return r.kind === 'base' && r.size === 1 && (r.encoding === ATE.signed_char || r.encoding === ATE.unsigned_char);
}

/** One-line text of a value: numbers in decimal (and hex), pointers in hex, char arrays as strings, structs as a preview. */
export function formatTyped(v: TypedValue, ctx: TypedContext, depth = 0): string {
  try {
    const t = ctx.types.complete(v.type);
    const r = resolved(t);
    switch (r.kind) {
      case 'base': {
        const x = scalar(v, ctx);
        if (r.encoding === ATE.boolean) return x ? 'true' : 'false';
        if (isCharType(r)) return `${BigInt.asIntN(8, x)} '${x >= 0x20n && x < 0x7fn ? String.fromCharCode(Number(x)) : `\\x${x.toString(16)}`}'`;
        if (r.encoding === ATE.float) return `0x${x.toString(16)} (${r.name} bits)`;
        const n = isSigned(r) ? BigInt.asIntN(64, x) : x;
        return `${n} (0x${BigInt.asUintN(r.size * 8, x).toString(16)})`;
      }
      case 'enum': {
        const x = scalar(v, ctx);
        const sx = BigInt.asIntN(r.size * 8, x);
        return r.values.get(sx) ?? r.values.get(x) ?? `${sx}`;
      }
      case 'pointer': {
        const p = scalar(v, ctx);
        if (p === 0n) return '0x0 (NULL)';
        // A string's text (as gdb shows char *), else the symbol it points into.
        if (isCharType(resolved(r.target))) return `${hex64(p)} ${charString(ctx, p, MAX_STRING)}`;
        const sym = ctx.symbols.describe(p);
        return `${hex64(p)}${sym ? ` <${sym}>` : ''}`;
      }
      case 'array': {
        if (v.addr === undefined) return '[…]';
        if (isCharType(r.element)) return charString(ctx, v.addr, r.count ?? MAX_STRING);
        if (depth > 0) return `[${r.count ?? '?'}]`;
        const items = children(v, ctx).slice(0, 8).map((c) => formatTyped(c.value, ctx, depth + 1));
        return `[${items.join(', ')}${(r.count ?? 0) > 8 ? ', …' : ''}]`;
      }
      case 'struct': case 'union': {
        if (depth > 0) return '{…}';
        const items = children(v, ctx).slice(0, 6).map((c) => `${c.name} = ${formatTyped(c.value, ctx, depth + 1)}`);
        return `{${items.join(', ')}${r.members.length > 6 ? ', …' : ''}}`;
      }
      case 'void': return v.addr !== undefined ? hex64(v.addr) : 'void';
      case 'function': return v.addr !== undefined ? `${hex64(v.addr)}${ctx.symbols.describe(v.addr) ? ` <${ctx.symbols.describe(v.addr)}>` : ''}` : 'function';
      default: return '?';
    }
  } catch (e) {
    if (e instanceof EvalError) return `<${e.message}>`;
    throw e;
  }
}

/** Whether a value has children to show (struct, union, array, non-null pointer to data). */
export function hasChildren(v: TypedValue, ctx: TypedContext): boolean {
  const r = resolved(ctx.types.complete(v.type));
  if (r.kind === 'struct' || r.kind === 'union') return v.addr !== undefined;
  if (r.kind === 'array') return v.addr !== undefined && !isCharType(r.element) && (r.count ?? 0) > 0;
  if (r.kind === 'pointer') {
    const tr = resolved(ctx.types.complete(r.target));
    if (tr.kind === 'void' || tr.kind === 'function') return false;
    try { return scalar(v, ctx) !== 0n; } catch { return false; }
  }
  return false;
}

const MAX_CHILDREN = 1000;

/** The members of a struct/union, elements of an array, or the target of a pointer. */
export function children(v: TypedValue, ctx: TypedContext): Array<{ name: string; value: TypedValue }> {
  const t = ctx.types.complete(v.type);
  const r = resolved(t);
  if ((r.kind === 'struct' || r.kind === 'union') && v.addr !== undefined) {
    return r.members.map((m, k) => ({
      name: m.name ?? `<anonymous ${k}>`,
      value: { type: m.type, addr: U64(v.addr! + BigInt(m.offset)), ...(m.bitSize !== undefined ? { bits: { size: m.bitSize, offset: m.bitOffset ?? 0 } } : {}) },
    }));
  }
  if (r.kind === 'array' && v.addr !== undefined) {
    const n = Math.min(r.count ?? 0, MAX_CHILDREN);
    const size = BigInt(sizeOf(r.element));
    return Array.from({ length: n }, (_, i) => ({ name: `[${i}]`, value: { type: r.element, addr: U64(v.addr! + BigInt(i) * size) } }));
  }
  if (r.kind === 'pointer') {
    const p = scalar(v, ctx);
    return [{ name: `*${hex64(p)}`, value: { type: ctx.types.complete(r.target), addr: p } }];
  }
  return [];
}

export { typeName };
