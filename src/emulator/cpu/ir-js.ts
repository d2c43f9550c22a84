// JavaScript from the instruction IR (isa/ir.ts): the interpreter's handler for an op, with
// the fields extracted from the word at run time. 64-bit values are int32 pairs (`…l`,
// `…h`); every node becomes a const where it is defined. A guest exception (a raise, or a
// load, store or helper that took one: Cpu.trapped) returns from the handler at once, so the
// instruction writes nothing after it and the engine does not count it.

import { FIELDS, FieldDef } from '../isa/fields';
import { HELPERS } from '../isa/helpers';
import { Effect } from '../isa/helpers';
import type { Stmt, Val } from '../isa/ir';
import { C0_WORD } from './cp0';

/** JavaScript expression for field `def` of the word in `w`. */
export function fieldJs(def: FieldDef): string {
  const mask = def.width === 32 ? -1 : (1 << def.width) - 1;
  let e = def.signed && def.width < 32
    ? `((w << ${32 - def.shift - def.width}) >> ${32 - def.width})`
    : def.width === 32 && def.shift === 0 ? 'w' : `((w >>> ${def.shift}) & ${mask})`;
  if (def.scale !== undefined) e = `(${e} << ${Math.log2(def.scale)})`;
  if (def.bias) e = `(${e} + ${def.bias})`;
  return e;
}

/** Runtime functions the generated code calls for 64-bit operations JavaScript has no operator for (results: lo, c.retHi). */
export const RUNTIME_NAMES = ['mul64', 'mulhS64', 'mulhU64', 'divS64', 'divU64', 'remS64', 'remU64', 'shl64', 'shrU64', 'shrS64', 'rotr64', 'popcnt32'] as const;

class JsGen {
  private readonly out: string[] = [];
  private indent = '  ';
  /** How the code leaves the instruction (a handler returns; an inlined case breaks out of its label). */
  constructor(private readonly exit: string) {}

  /** Expression of an i32 value, or of the low/high word of an i64 value. */
  private e32(v: Val): string {
    if (v.isConst) return String(v.k as number);
    return `v${v.id}`;
  }
  private lo(v: Val): string {
    if (v.isConst) return String(Number(BigInt.asIntN(32, v.k as bigint)));
    return `v${v.id}l`;
  }
  private hi(v: Val): string {
    if (v.isConst) return String(Number(BigInt.asIntN(32, (v.k as bigint) >> 32n)));
    return `v${v.id}h`;
  }
  private line(s: string): void { this.out.push(this.indent + s); }
  private bail(): string { return `if (c.trapped) ${this.exit}`; }

  stmts(list: readonly Stmt[]): void {
    for (const st of list) this.stmt(st);
  }

  private stmt(st: Stmt): void {
    switch (st.s) {
      case 'def': this.def(st.v); return;
      case 'setGpr': {
        const idx = st.idx;
        if (idx.isConst) {
          const n = idx.k as number;
          if (n !== 0) this.line(`r[${2 * n}] = ${this.lo(st.v)}; r[${2 * n + 1}] = ${this.hi(st.v)};`);
        } else {
          const i = this.e32(idx);
          this.line(`if (${i} !== 0) { r[${i} << 1] = ${this.lo(st.v)}; r[(${i} << 1) + 1] = ${this.hi(st.v)}; }`);
        }
        return;
      }
      case 'setHilo': {
        const at = st.hi ? 66 : 64;
        this.line(`r[${at}] = ${this.lo(st.v)}; r[${at + 1}] = ${this.hi(st.v)};`);
        return;
      }
      case 'setC0': {
        const at = C0_WORD[st.word];
        this.line(`c.c0.w[${at}] = ${this.lo(st.v)}; c.c0.w[${at + 1}] = ${this.hi(st.v)};`);
        return;
      }
      case 'store': {
        const a = st.addr, v = st.v;
        const call = st.size === 8 ? `c.wrD(${this.hi(a)}, ${this.lo(a)}, ${this.lo(v)}, ${this.hi(v)})`
          : `c.wr${st.size === 1 ? 'B' : st.size === 2 ? 'H' : 'W'}(${this.hi(a)}, ${this.lo(a)}, ${this.lo(v)})`;
        this.line(`${call}; ${this.bail()}`);
        return;
      }
      case 'raise': {
        const t = `{ c.trap(${st.code}, false, ${st.ce}); ${this.exit} }`;
        this.line(st.cond ? `if (${this.e32(st.cond)} !== 0) ${t}` : t.slice(2, -2));
        return;
      }
      case 'branch': {
        const cond = st.cond ? `${this.e32(st.cond)} !== 0` : 'true';
        if (st.likely) this.line(`c.brl(${cond}, ${this.hi(st.target)}, ${this.lo(st.target)});`);
        else this.line(`c.br(${cond}, ${this.hi(st.target)}, ${this.lo(st.target)}, c.pcHi, c.pcLo);`);
        return;
      }
      case 'if': {
        this.line(`if (${this.e32(st.cond)} !== 0) {`);
        const ind = this.indent;
        this.indent += '  ';
        this.stmts(st.then);
        this.indent = ind;
        if (st.else.length) {
          this.line('} else {');
          this.indent += '  ';
          this.stmts(st.else);
          this.indent = ind;
        }
        this.line('}');
        return;
      }
    }
  }

  /** `const` definition(s) of node v. */
  private def(v: Val): void {
    const n = v.n;
    const id = v.id;
    const c32 = (e: string): void => this.line(`const v${id} = ${e};`);
    const c64 = (l: string, h: string): void => this.line(`const v${id}l = ${l}, v${id}h = ${h};`);
    /** A runtime call returning lo with the high word in c.retHi. */
    const rt64 = (fn: string, args: string): void => this.line(`const v${id}l = X.${fn}(c, ${args}), v${id}h = c.retHi;`);
    switch (n.k) {
      case 'const': return;
      case 'field': c32(fieldJs(FIELDS[n.name])); return;
      case 'pc': c64('c.pcLo', 'c.pcHi'); return;
      case 'mode': c32('c.mode'); return;
      case 'c0w': c32(`c.c0.w[${C0_WORD[n.word]}]`); return;
      case 'c0d': c64(`c.c0.w[${C0_WORD[n.word]}]`, `c.c0.w[${C0_WORD[n.word] + 1}]`); return;
      case 'gpr': {
        const idx = n.idx;
        if (idx.isConst) c64(`r[${2 * (idx.k as number)}]`, `r[${2 * (idx.k as number) + 1}]`);
        else c64(`r[${this.e32(idx)} << 1]`, `r[(${this.e32(idx)} << 1) + 1]`);
        return;
      }
      case 'hilo': { const at = n.hi ? 66 : 64; c64(`r[${at}]`, `r[${at + 1}]`); return; }
      case 'load': {
        const a = n.addr, ah = this.hi(a), al = this.lo(a);
        const t = `t${id}`;
        switch (n.size) {
          case 1: this.line(`const ${t} = c.rdB(${ah}, ${al}); ${this.bail()}`);
            c64(n.signed ? `(${t} << 24) >> 24` : t, n.signed ? `(${t} << 24) >> 31` : '0'); return;
          case 2: this.line(`const ${t} = c.rdH(${ah}, ${al}); ${this.bail()}`);
            c64(n.signed ? `(${t} << 16) >> 16` : t, n.signed ? `(${t} << 16) >> 31` : '0'); return;
          case 4: this.line(`const ${t} = c.rdW(${ah}, ${al}); ${this.bail()}`);
            c64(t, n.signed ? `${t} >> 31` : '0'); return;
          default: this.line(`const ${t} = c.rdD(${ah}, ${al}); ${this.bail()}`);
            c64(t, 'c.ldHi'); return;
        }
      }
      case 'call': {
        const h = HELPERS[n.helper];
        const args = ['c', ...n.args.flatMap((a, i) => (h.params[i] === 'i64' ? [this.lo(a), this.hi(a)] : [this.e32(a)]))].join(', ');
        const bail = h.effects & Effect.RAISE ? ` ${this.bail()}` : '';
        if (h.ret === 'i64') this.line(`const v${id}l = H.${n.helper}(${args}), v${id}h = c.retHi;${bail}`);
        else if (h.ret === 'i32') this.line(`const v${id} = H.${n.helper}(${args});${bail}`);
        else this.line(`H.${n.helper}(${args});${bail}`);
        return;
      }
      case 'select': {
        const c = `${this.e32(n.c)} !== 0`;
        if (v.ty === 'i32') c32(`${c} ? ${this.e32(n.a)} : ${this.e32(n.b)}`);
        else c64(`${c} ? ${this.lo(n.a)} : ${this.lo(n.b)}`, `${c} ? ${this.hi(n.a)} : ${this.hi(n.b)}`);
        return;
      }
      case 'un': {
        const a = n.a;
        if (a.ty === 'i32') {
          const x = this.e32(a);
          switch (n.op) {
            case 'clz': c32(`Math.clz32(${x})`); return;
            case 'popcnt': c32(`X.popcnt32(${x})`); return;
            case 'eqz': c32(`${x} === 0 ? 1 : 0`); return;
            case 'sx': c64(x, `${x} >> 31`); return;
            case 'zx': c64(x, '0'); return;
            case 'bswap16': c32(`((${x} & 0xff) << 8) | ((${x} >>> 8) & 0xff)`); return;
            case 'bswap32': c32(`((${x} & 0xff) << 24) | ((${x} & 0xff00) << 8) | ((${x} >>> 8) & 0xff00) | (${x} >>> 24)`); return;
            default: break;
          }
        } else {
          const l = this.lo(a), h = this.hi(a);
          switch (n.op) {
            case 'clz': c64(`${h} !== 0 ? Math.clz32(${h}) : 32 + Math.clz32(${l})`, '0'); return;
            case 'popcnt': c64(`X.popcnt32(${l}) + X.popcnt32(${h})`, '0'); return;
            case 'eqz': c32(`(${l} | ${h}) === 0 ? 1 : 0`); return;
            case 'wrap': c32(l); return;
            case 'sx8': c64(`(${l} << 24) >> 24`, `(${l} << 24) >> 31`); return;
            case 'sx16': c64(`(${l} << 16) >> 16`, `(${l} << 16) >> 31`); return;
            case 'sx32': c64(l, `${l} >> 31`); return;
            default: break;
          }
        }
        throw new Error(`ir-js: ${n.op} of ${a.ty}`);
      }
      case 'cmp': {
        const ty = n.a.ty;
        if (ty === 'i32') {
          const a = this.e32(n.a), b = this.e32(n.b);
          const sa = a, sb = b, ua = `(${a} >>> 0)`, ub = `(${b} >>> 0)`;
          const e = { eq: `${sa} === ${sb}`, ne: `${sa} !== ${sb}`, ltS: `${sa} < ${sb}`, ltU: `${ua} < ${ub}`, leS: `${sa} <= ${sb}`,
            leU: `${ua} <= ${ub}`, gtS: `${sa} > ${sb}`, gtU: `${ua} > ${ub}`, geS: `${sa} >= ${sb}`, geU: `${ua} >= ${ub}` }[n.op];
          c32(`${e} ? 1 : 0`);
          return;
        }
        const al = this.lo(n.a), ah = this.hi(n.a), bl = this.lo(n.b), bh = this.hi(n.b);
        const lt = (x: [string, string], y: [string, string], u: boolean): string => u
          ? `((${x[1]} >>> 0) < (${y[1]} >>> 0) || (${x[1]} === ${y[1]} && (${x[0]} >>> 0) < (${y[0]} >>> 0)))`
          : `(${x[1]} < ${y[1]} || (${x[1]} === ${y[1]} && (${x[0]} >>> 0) < (${y[0]} >>> 0)))`;
        const A: [string, string] = [al, ah], B: [string, string] = [bl, bh];
        const e = {
          eq: `${al} === ${bl} && ${ah} === ${bh}`, ne: `${al} !== ${bl} || ${ah} !== ${bh}`,
          ltS: lt(A, B, false), ltU: lt(A, B, true), gtS: lt(B, A, false), gtU: lt(B, A, true),
          leS: `!${lt(B, A, false)}`, leU: `!${lt(B, A, true)}`, geS: `!${lt(A, B, false)}`, geU: `!${lt(A, B, true)}`,
        }[n.op];
        c32(`(${e}) ? 1 : 0`);
        return;
      }
      case 'bin': {
        if (v.ty === 'i32') {
          const a = this.e32(n.a), b = this.e32(n.b);
          switch (n.op) {
            case 'add': c32(`(${a} + ${b}) | 0`); return;
            case 'sub': c32(`(${a} - ${b}) | 0`); return;
            case 'mul': c32(`Math.imul(${a}, ${b})`); return;
            case 'and': c32(`${a} & ${b}`); return;
            case 'or': c32(`${a} | ${b}`); return;
            case 'xor': c32(`${a} ^ ${b}`); return;
            case 'shl': c32(`${a} << ${b}`); return;
            case 'shrU': c32(`(${a} >>> ${b}) | 0`); return;
            case 'shrS': c32(`${a} >> ${b}`); return;
            case 'rotr': c32(`(${a} >>> (${b} & 31)) | (${a} << (32 - (${b} & 31)))`); return;
            case 'divS': c32(`(${a} / ${b}) | 0`); return;
            case 'divU': c32(`((${a} >>> 0) / (${b} >>> 0)) | 0`); return;
            case 'remS': c32(`(${a} % ${b}) | 0`); return;
            case 'remU': c32(`((${a} >>> 0) % (${b} >>> 0)) | 0`); return;
            default: throw new Error(`ir-js: i32 ${n.op}`);
          }
        }
        const al = this.lo(n.a), ah = this.hi(n.a), bl = this.lo(n.b), bh = this.hi(n.b);
        switch (n.op) {
          case 'add': c64(`(${al} + ${bl}) | 0`, `(${ah} + ${bh} + ((${al} >>> 0) + (${bl} >>> 0) > 4294967295 ? 1 : 0)) | 0`); return;
          case 'sub': c64(`(${al} - ${bl}) | 0`, `(${ah} - ${bh} - ((${al} >>> 0) < (${bl} >>> 0) ? 1 : 0)) | 0`); return;
          case 'and': c64(`${al} & ${bl}`, `${ah} & ${bh}`); return;
          case 'or': c64(`${al} | ${bl}`, `${ah} | ${bh}`); return;
          case 'xor': c64(`${al} ^ ${bl}`, `${ah} ^ ${bh}`); return;
          case 'shl': case 'shrU': case 'shrS': case 'rotr': {
            if (n.b.isConst) { const [l, h] = shiftConst(n.op, al, ah, Number((n.b.k as bigint) & 63n)); c64(l, h); return; }
            rt64(`${n.op}64`, `${al}, ${ah}, ${bl} & 63`);
            return;
          }
          default: rt64(`${n.op}64`, `${al}, ${ah}, ${bl}, ${bh}`); return;
        }
      }
    }
  }

  text(): string { return this.out.join('\n'); }
}

/** A 64-bit shift of (h:l) by the constant k (0..63) as (lo, hi) expressions. */
function shiftConst(op: 'shl' | 'shrU' | 'shrS' | 'rotr', l: string, h: string, k: number): [string, string] {
  if (k === 0) return [l, h];
  const j = k - 32;
  switch (op) {
    case 'shl': return k < 32 ? [`${l} << ${k}`, `(${h} << ${k}) | (${l} >>> ${32 - k})`] : [`0`, `${l} << ${j}`];
    case 'shrU': return k < 32 ? [`(${l} >>> ${k}) | (${h} << ${32 - k})`, `(${h} >>> ${k}) | 0`] : [`(${h} >>> ${j}) | 0`, '0'];
    case 'shrS': return k < 32 ? [`(${l} >>> ${k}) | (${h} << ${32 - k})`, `${h} >> ${k}`] : [`${h} >> ${j}`, `${h} >> 31`];
    default:
      if (k === 32) return [h, l];
      return k < 32 ? [`(${l} >>> ${k}) | (${h} << ${32 - k})`, `(${h} >>> ${k}) | (${l} << ${32 - k})`]
        : [`(${h} >>> ${j}) | (${l} << ${32 - j})`, `(${l} >>> ${j}) | (${h} << ${32 - j})`];
  }
}

/** The body of a handler `(c, w)` for statements built with symbolic fields (r = c.r, H = helpers, X = runtime). */
export function handlerSource(body: readonly Stmt[], exit = 'return;'): string {
  const g = new JsGen(exit);
  g.stmts(body);
  return g.text();
}
