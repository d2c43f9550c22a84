// The typed form instruction semantics are written in (isa/semantics/*.ts): a small
// builder whose calls record a list of statements over value nodes. Every engine is
// produced from it — the JavaScript interpreter (cpu/ir-js.ts), the WebAssembly cold-code
// runner and the translated regions (jit/wasm/ir-wasm.ts) — and the properties engines
// need (may it raise, touch memory, call the CPU, end a block) are read off the nodes,
// never off text.
//
// Values are 32- or 64-bit integers. A node is defined where it is created (statement
// order is evaluation order); reads of machine state (registers, CP0 words) and effects
// (loads, helper calls) are defined in place, pure arithmetic may be computed where used.
// Fields of the instruction word are symbols (the interpreter and the runner extract them
// at run time) or constants (a translated instruction): with constants the builder folds
// arithmetic, drops writes to $zero and decides conditions, so a region gets the code of
// that one instruction.

import { FieldName, FIELDS, fieldValue } from './fields';
import { HELPERS, HelperName } from './helpers';

export type Ty = 'i32' | 'i64';

/**
 * CP0 registers semantics read (or write) directly as stored (the CPU's register file maps
 * each to its word: cpu/cp0.ts C0_WORD; isa/cp0-stored.ts says which moves are plain).
 */
export type Cp0Word = 'status' | 'hwrena' | 'ebase' | 'index' | 'context' | 'pagemask' | 'pagegrain' | 'wired'
  | 'badvaddr' | 'entryhi' | 'compare' | 'intctl' | 'srsctl' | 'cause' | 'epc' | 'prid'
  | 'config0' | 'config1' | 'config2' | 'config3' | 'lladdr' | 'xcontext' | 'errorepc' | 'desave';

export type BinOp =
  | 'add' | 'sub' | 'mul' | 'and' | 'or' | 'xor' | 'shl' | 'shrU' | 'shrS' | 'rotr'
  | 'mulhS' | 'mulhU' | 'divS' | 'divU' | 'remS' | 'remU';
export type CmpOp = 'eq' | 'ne' | 'ltS' | 'ltU' | 'leS' | 'leU' | 'gtS' | 'gtU' | 'geS' | 'geU';
export type UnOp = 'clz' | 'popcnt' | 'eqz' | 'wrap' | 'sx' | 'zx' | 'sx8' | 'sx16' | 'sx32' | 'bswap16' | 'bswap32';

/** What a node is. State reads and effects: gpr, hilo, c0w, load, call; the rest is pure. */
export type NodeOp =
  | { k: 'const'; v: number | bigint }
  | { k: 'field'; name: FieldName }
  | { k: 'pc' }
  | { k: 'mode' }
  | { k: 'gpr'; idx: Val }
  | { k: 'hilo'; hi: boolean }
  | { k: 'c0w'; word: Cp0Word }
  /** A 64-bit CP0 register as stored (both words). */
  | { k: 'c0d'; word: Cp0Word }
  | { k: 'load'; size: 1 | 2 | 4 | 8; signed: boolean; addr: Val }
  | { k: 'call'; helper: HelperName; args: readonly Val[] }
  | { k: 'bin'; op: BinOp; a: Val; b: Val }
  | { k: 'cmp'; op: CmpOp; a: Val; b: Val }
  | { k: 'un'; op: UnOp; a: Val }
  | { k: 'select'; c: Val; a: Val; b: Val };

export type Stmt =
  /** A node's definition point (every non-constant node has one). */
  | { s: 'def'; v: Val }
  | { s: 'setGpr'; idx: Val; v: Val }
  | { s: 'setHilo'; hi: boolean; v: Val }
  /** Stores all 64 bits of `v` in a CP0 register whose write is plain (isa/cp0-stored.ts). */
  | { s: 'setC0'; word: Cp0Word; v: Val }
  | { s: 'store'; size: 1 | 2 | 4 | 8; addr: Val; v: Val }
  /** Raises exception `code` (Cause.CE = ce) when `cond` (or always): the instruction ends there. */
  | { s: 'raise'; code: number; ce: number; cond: Val | undefined }
  /**
   * A branch or jump to `target` (taken when `cond`, or always): the next instruction is its
   * delay slot; a likely branch not taken annuls it.
   */
  | { s: 'branch'; cond: Val | undefined; target: Val; likely: boolean }
  | { s: 'if'; cond: Val; then: Stmt[]; else: Stmt[] };

const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** A value node. Its methods build nodes of the same builder. */
export class Val {
  /** Uses by other nodes and statements (filled by Sem.finish). */
  uses = 0;
  constructor(readonly b: Sem, readonly id: number, readonly ty: Ty, readonly n: NodeOp) {}

  get isConst(): boolean { return this.n.k === 'const'; }
  /** The constant (a number for i32, a bigint for i64). */
  get k(): number | bigint { if (this.n.k !== 'const') throw new Error('ir: not a constant'); return this.n.v; }
  /** Reads machine state or has an effect: must be computed where it is defined. */
  get pinned(): boolean { const k = this.n.k; return k === 'gpr' || k === 'hilo' || k === 'c0w' || k === 'c0d' || k === 'load' || k === 'call' || k === 'pc' || k === 'mode'; }

  private arg(x: Val | number | bigint): Val { return x instanceof Val ? x : this.ty === 'i32' ? this.b.i32(Number(x)) : this.b.i64(BigInt(x)); }
  add(x: Val | number | bigint): Val { return this.b.bin('add', this, this.arg(x)); }
  sub(x: Val | number | bigint): Val { return this.b.bin('sub', this, this.arg(x)); }
  mul(x: Val | number | bigint): Val { return this.b.bin('mul', this, this.arg(x)); }
  and(x: Val | number | bigint): Val { return this.b.bin('and', this, this.arg(x)); }
  or(x: Val | number | bigint): Val { return this.b.bin('or', this, this.arg(x)); }
  xor(x: Val | number | bigint): Val { return this.b.bin('xor', this, this.arg(x)); }
  not(): Val { return this.xor(this.ty === 'i32' ? -1 : -1n); }
  /** Shifts take the amount modulo the width (as WebAssembly does). */
  shl(x: Val | number): Val { return this.b.bin('shl', this, this.amount(x)); }
  shrU(x: Val | number): Val { return this.b.bin('shrU', this, this.amount(x)); }
  shrS(x: Val | number): Val { return this.b.bin('shrS', this, this.amount(x)); }
  rotr(x: Val | number): Val { return this.b.bin('rotr', this, this.amount(x)); }
  mulhS(x: Val): Val { return this.b.bin('mulhS', this, x); }
  mulhU(x: Val): Val { return this.b.bin('mulhU', this, x); }
  /** Division: the divisor must not be 0 (nor −1 with the minimum dividend, signed). */
  divS(x: Val): Val { return this.b.bin('divS', this, x); }
  divU(x: Val): Val { return this.b.bin('divU', this, x); }
  remS(x: Val): Val { return this.b.bin('remS', this, x); }
  remU(x: Val): Val { return this.b.bin('remU', this, x); }
  eq(x: Val | number | bigint): Val { return this.b.cmp('eq', this, this.arg(x)); }
  ne(x: Val | number | bigint): Val { return this.b.cmp('ne', this, this.arg(x)); }
  ltS(x: Val | number | bigint): Val { return this.b.cmp('ltS', this, this.arg(x)); }
  ltU(x: Val | number | bigint): Val { return this.b.cmp('ltU', this, this.arg(x)); }
  leS(x: Val | number | bigint): Val { return this.b.cmp('leS', this, this.arg(x)); }
  leU(x: Val | number | bigint): Val { return this.b.cmp('leU', this, this.arg(x)); }
  gtS(x: Val | number | bigint): Val { return this.b.cmp('gtS', this, this.arg(x)); }
  gtU(x: Val | number | bigint): Val { return this.b.cmp('gtU', this, this.arg(x)); }
  geS(x: Val | number | bigint): Val { return this.b.cmp('geS', this, this.arg(x)); }
  geU(x: Val | number | bigint): Val { return this.b.cmp('geU', this, this.arg(x)); }
  eqz(): Val { return this.b.un('eqz', this); }
  clz(): Val { return this.b.un('clz', this); }
  popcnt(): Val { return this.b.un('popcnt', this); }
  /** Low 32 bits (i64 → i32). */
  wrap(): Val { return this.ty === 'i32' ? this : this.b.un('wrap', this); }
  /** Sign- or zero-extension to 64 bits (i32 → i64). */
  sx(): Val { return this.ty === 'i64' ? this : this.b.un('sx', this); }
  zx(): Val { return this.ty === 'i64' ? this : this.b.un('zx', this); }
  /** i64 sign-extended from its low 8/16/32 bits. */
  sx8(): Val { return this.b.un('sx8', this); }
  sx16(): Val { return this.b.un('sx16', this); }
  sx32(): Val { return this.b.un('sx32', this); }
  /** i32 byte swaps: of the low halfword (zero-extended), of the word. */
  bswap16(): Val { return this.b.un('bswap16', this); }
  bswap32(): Val { return this.b.un('bswap32', this); }
  private amount(x: Val | number): Val { return x instanceof Val ? (x.ty === this.ty ? x : this.ty === 'i64' ? x.zx() : x.wrap()) : this.arg(x); }
}

/** Properties of the CPU the code is for that semantics depend on. */
export interface SemTarget {
  /** Big-endian byte order (unaligned loads and stores merge bytes the other way). */
  readonly big: boolean;
  /** An FPU (CP1) exists. */
  readonly fpu: boolean;
  /** RDHWR's SYNCI_Step and CCRes. */
  readonly synciStep: number;
  readonly ccRes: number;
  /** Misaligned ordinary loads and stores may complete in hardware (Octeon CvmCtl); ll/lld check alignment themselves. */
  readonly unalignedFixup?: boolean;
}

/** Where a builder's fields come from: an instruction word (constants) or none (symbols). */
export interface SemContext {
  readonly target: SemTarget;
  /** The instruction word when translating one instruction; undefined for code that runs any word of the op. */
  readonly word?: number;
  /** Its address (int32 halves) when known. */
  readonly pc?: readonly [number, number];
  /** The privilege mode when known (0 Kernel, 1 Supervisor, 2 User). */
  readonly mode?: number;
}

/** The builder semantics functions receive. */
export class Sem {
  readonly body: Stmt[] = [];
  private out: Stmt[] = this.body;
  private next = 0;
  /** Every node, by id. */
  readonly nodes: Val[] = [];
  /** Whether a statement can end the instruction early (a raise, or a call/load that may raise). */
  mayRaise = false;
  /** Checks the semantics declared (isa/semantics/common.ts): 'op64' (a 64-bit operation), 'cp0', 'cp1'. */
  readonly checks = new Set<string>();
  private readonly fieldNodes = new Map<FieldName, Val>();

  constructor(readonly ctx: SemContext) {}

  // ---- fields and constants ----------------------------------------------------------------
  f(name: FieldName): Val {
    if (this.ctx.word !== undefined) return this.i32(fieldValue(FIELDS[name], this.ctx.word));
    let v = this.fieldNodes.get(name);
    if (v === undefined) {
      // (Defined at the top: the first use may be inside an `if`.)
      v = this.node('i32', { k: 'field', name });
      this.body.unshift({ s: 'def', v });
      this.fieldNodes.set(name, v);
    }
    return v;
  }
  get rs(): Val { return this.f('rs'); }
  get rt(): Val { return this.f('rt'); }
  get rd(): Val { return this.f('rd'); }
  get sa(): Val { return this.f('sa'); }
  get imm(): Val { return this.f('imm'); }
  get uimm(): Val { return this.f('uimm'); }

  i32(v: number): Val { return this.node('i32', { k: 'const', v: v | 0 }); }
  i64(v: bigint | number): Val { return this.node('i64', { k: 'const', v: s64(BigInt(v)) }); }

  // ---- machine state ------------------------------------------------------------------------
  /** GPR `idx` (a field or a constant register number). */
  gpr(idx: Val | number): Val {
    const i = typeof idx === 'number' ? this.i32(idx) : idx;
    if (i.isConst && i.k === 0) return this.i64(0);
    return this.def(this.node('i64', { k: 'gpr', idx: i }));
  }
  /** Writes GPR `idx` (nothing for $zero). */
  set(idx: Val | number, v: Val): void {
    const i = typeof idx === 'number' ? this.i32(idx) : idx;
    if (i.isConst && i.k === 0) return;
    this.emit({ s: 'setGpr', idx: i, v: this.as64(v) });
  }
  lo(): Val { return this.def(this.node('i64', { k: 'hilo', hi: false })); }
  hi(): Val { return this.def(this.node('i64', { k: 'hilo', hi: true })); }
  setLo(v: Val): void { this.emit({ s: 'setHilo', hi: false, v: this.as64(v) }); }
  setHi(v: Val): void { this.emit({ s: 'setHilo', hi: true, v: this.as64(v) }); }
  /** The instruction's address. */
  pc(): Val {
    const p = this.ctx.pc;
    if (p) return this.i64((BigInt(p[1]) << 32n) | BigInt(p[0] >>> 0));
    return this.def(this.node('i64', { k: 'pc' }));
  }
  /** The privilege mode (0 Kernel, 1 Supervisor, 2 User). */
  mode(): Val {
    if (this.ctx.mode !== undefined) return this.i32(this.ctx.mode);
    return this.def(this.node('i32', { k: 'mode' }));
  }
  /** A 32-bit CP0 register (the low word of a 64-bit one). */
  c0w(word: Cp0Word): Val { return this.def(this.node('i32', { k: 'c0w', word })); }
  /** A 64-bit CP0 register as stored. */
  c0d(word: Cp0Word): Val { return this.def(this.node('i64', { k: 'c0d', word })); }
  /** Writes a CP0 register whose write is a plain store of all 64 bits. */
  setC0(word: Cp0Word, v: Val): void { this.emit({ s: 'setC0', word, v: this.as64(v) }); }

  // ---- memory -------------------------------------------------------------------------------
  /** rs + the 16-bit offset: the effective address of a load or store. */
  ea(): Val { return this.gpr(this.rs).add(this.imm.sx()); }
  /** A naturally aligned load (misaligned: Address Error); the value extended to 64 bits. */
  load(size: 1 | 2 | 4 | 8, signed: boolean, addr: Val): Val {
    this.mayRaise = true;
    return this.def(this.node('i64', { k: 'load', size, signed, addr: this.as64(addr) }));
  }
  store(size: 1 | 2 | 4 | 8, addr: Val, v: Val): void {
    this.mayRaise = true;
    this.emit({ s: 'store', size, addr: this.as64(addr), v: this.as64(v) });
  }

  // ---- control ------------------------------------------------------------------------------
  raise(code: number, ce = 0): void {
    this.mayRaise = true;
    this.emit({ s: 'raise', code, ce, cond: undefined });
  }
  raiseIf(cond: Val, code: number, ce = 0): void {
    if (cond.isConst) { if (cond.k !== 0) this.raise(code, ce); return; }
    this.mayRaise = true;
    this.emit({ s: 'raise', code, ce, cond });
  }
  /** A branch (delay slot next) to `target` when `cond` (undefined: always). */
  branch(cond: Val | undefined, target: Val, likely = false): void {
    this.emit({ s: 'branch', cond, target: this.as64(target), likely });
  }
  /** Target of a PC-relative branch: PC + 4 + (imm << 2). */
  btarget(): Val { return this.pc().add(4n).add(this.imm.shl(2).sx()); }
  /** The return address of a branch or jump at PC: PC + 8. */
  link(): Val { return this.pc().add(8n); }
  if(cond: Val, then: () => void, otherwise?: () => void): void {
    if (cond.isConst) { if (cond.k !== 0) then(); else otherwise?.(); return; }
    const st: Stmt = { s: 'if', cond, then: [], else: [] };
    this.emit(st);
    const outer = this.out;
    this.out = st.then; then();
    this.out = st.else; otherwise?.();
    this.out = outer;
  }
  /** A call of a CPU helper (isa/helpers.ts declares each one's signature and effects). */
  call(helper: HelperName, ...args: Array<Val | number>): Val {
    const h = HELPERS[helper];
    if (args.length !== h.params.length) throw new Error(`ir: ${helper} takes ${h.params.length} arguments`);
    const vs = args.map((a, i) => {
      const v = typeof a === 'number' ? this.i32(a) : a;
      return h.params[i] === 'i64' ? this.as64(v) : v.wrap();
    });
    if (h.effects & 1 /* Effect.RAISE */) this.mayRaise = true;
    return this.def(this.node(h.ret === 'i64' ? 'i64' : 'i32', { k: 'call', helper, args: vs }));
  }

  // ---- node construction with folding --------------------------------------------------------
  bin(op: BinOp, a: Val, b: Val): Val {
    if (a.ty !== b.ty) throw new Error(`ir: ${op} of ${a.ty} and ${b.ty}`);
    if (a.isConst && b.isConst) {
      const r = a.ty === 'i32' ? fold32(op, a.k as number, b.k as number) : fold64(op, a.k as bigint, b.k as bigint);
      if (r !== undefined) return a.ty === 'i32' ? this.i32(Number(r)) : this.i64(r);
    }
    // x + 0, x | 0, x ^ 0, x << 0 …
    if (b.isConst && (b.k === 0 || b.k === 0n) && (op === 'add' || op === 'sub' || op === 'or' || op === 'xor' || op === 'shl' || op === 'shrU' || op === 'shrS' || op === 'rotr')) return a;
    return this.def(this.node(a.ty, { k: 'bin', op, a, b }));
  }
  cmp(op: CmpOp, a: Val, b: Val): Val {
    if (a.ty !== b.ty) throw new Error(`ir: ${op} of ${a.ty} and ${b.ty}`);
    if (a.isConst && b.isConst) return this.i32(foldCmp(op, a.ty, a.k, b.k) ? 1 : 0);
    return this.def(this.node('i32', { k: 'cmp', op, a, b }));
  }
  un(op: UnOp, a: Val): Val {
    const ty: Ty = op === 'wrap' || op === 'eqz' || op === 'bswap16' || op === 'bswap32' ? 'i32'
      : op === 'sx' || op === 'zx' ? 'i64' : a.ty;
    if (a.isConst) return ty === 'i32' ? this.i32(Number(foldUn(op, a.ty, a.k))) : this.i64(foldUn(op, a.ty, a.k));
    return this.def(this.node(ty, { k: 'un', op, a }));
  }
  select(c: Val, a: Val, b: Val): Val {
    if (a.ty !== b.ty) throw new Error('ir: select of different types');
    if (c.isConst) return c.k !== 0 ? a : b;
    return this.def(this.node(a.ty, { k: 'select', c, a, b }));
  }

  /** Counts uses (after the semantics ran); returns the statements. */
  finish(): Stmt[] {
    const use = (v: Val): void => { v.uses++; };
    for (const n of this.nodes) {
      const o = n.n;
      switch (o.k) {
        case 'gpr': use(o.idx); break;
        case 'load': use(o.addr); break;
        case 'call': o.args.forEach(use); break;
        case 'bin': case 'cmp': use(o.a); use(o.b); break;
        case 'un': use(o.a); break;
        case 'select': use(o.c); use(o.a); use(o.b); break;
        default: break;
      }
    }
    const walk = (list: Stmt[]): void => {
      for (const st of list) {
        switch (st.s) {
          case 'setGpr': use(st.idx); use(st.v); break;
          case 'setHilo': case 'setC0': use(st.v); break;
          case 'store': use(st.addr); use(st.v); break;
          case 'raise': if (st.cond) use(st.cond); break;
          case 'branch': if (st.cond) use(st.cond); use(st.target); break;
          case 'if': use(st.cond); walk(st.then); walk(st.else); break;
          default: break;
        }
      }
    };
    walk(this.body);
    return this.body;
  }

  private as64(v: Val): Val { return v.ty === 'i64' ? v : v.sx(); }
  private node(ty: Ty, n: NodeOp): Val {
    const v = new Val(this, this.next++, ty, n);
    this.nodes.push(v);
    return v;
  }
  private def(v: Val): Val { this.out.push({ s: 'def', v }); return v; }
  private emit(st: Stmt): void { this.out.push(st); }
}

function fold32(op: BinOp, a: number, b: number): number | undefined {
  switch (op) {
    case 'add': return (a + b) | 0;
    case 'sub': return (a - b) | 0;
    case 'mul': return Math.imul(a, b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return a << (b & 31);
    case 'shrU': return (a >>> (b & 31)) | 0;
    case 'shrS': return a >> (b & 31);
    case 'rotr': { const s = b & 31; return s === 0 ? a : (a >>> s) | (a << (32 - s)); }
    default: return undefined;
  }
}

function fold64(op: BinOp, a: bigint, b: bigint): bigint | undefined {
  const au = BigInt.asUintN(64, a), s = b & 63n;
  switch (op) {
    case 'add': return s64(a + b);
    case 'sub': return s64(a - b);
    case 'mul': return s64(a * b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return s64(a << s);
    case 'shrU': return s64(au >> s);
    case 'shrS': return a >> s;
    case 'rotr': return s === 0n ? a : s64((au >> s) | (au << (64n - s)));
    default: return undefined;
  }
}

function foldCmp(op: CmpOp, ty: Ty, a: number | bigint, b: number | bigint): boolean {
  const sa = BigInt(a), sb = BigInt(b);
  const w = ty === 'i32' ? 32 : 64;
  const ua = BigInt.asUintN(w, sa), ub = BigInt.asUintN(w, sb);
  switch (op) {
    case 'eq': return sa === sb;
    case 'ne': return sa !== sb;
    case 'ltS': return sa < sb;
    case 'ltU': return ua < ub;
    case 'leS': return sa <= sb;
    case 'leU': return ua <= ub;
    case 'gtS': return sa > sb;
    case 'gtU': return ua > ub;
    case 'geS': return sa >= sb;
    case 'geU': return ua >= ub;
  }
}

function foldUn(op: UnOp, ty: Ty, x: number | bigint): bigint {
  const v = BigInt(x);
  const w = ty === 'i32' ? 32 : 64;
  const u = BigInt.asUintN(w, v);
  switch (op) {
    case 'clz': { let n = 0; for (let i = w - 1; i >= 0 && !((u >> BigInt(i)) & 1n); i--) n++; return BigInt(n); }
    case 'popcnt': { let n = 0n; for (let t = u; t; t >>= 1n) n += t & 1n; return n; }
    case 'eqz': return v === 0n ? 1n : 0n;
    case 'wrap': return BigInt.asIntN(32, v);
    case 'sx': return v;
    case 'zx': return BigInt.asUintN(32, v);
    case 'sx8': return BigInt.asIntN(8, v);
    case 'sx16': return BigInt.asIntN(16, v);
    case 'sx32': return BigInt.asIntN(32, v);
    case 'bswap16': return ((v & 0xffn) << 8n) | ((v >> 8n) & 0xffn);
    case 'bswap32': {
      const b = BigInt.asUintN(32, v);
      return BigInt.asIntN(32, ((b & 0xffn) << 24n) | ((b & 0xff00n) << 8n) | ((b >> 8n) & 0xff00n) | (b >> 24n));
    }
  }
}

