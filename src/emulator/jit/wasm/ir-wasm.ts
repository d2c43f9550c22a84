// WebAssembly from the instruction IR (isa/ir.ts): the statements of one instruction as
// code in a function under construction. What depends on the engine — where the fields,
// registers and PC come from, how memory is reached, what a raise, a helper call or a branch
// does — is the host's (the cold-code runner: fields from the word at run time, registers
// in memory; a translated region: constant fields, registers in locals, call-outs with
// precise state). Nodes that read state or have effects, or are used more than once, are
// computed into locals where they are defined; the rest where they are used.

import type { FieldName } from '../../isa/fields';
import { HELPERS, HelperName } from '../../isa/helpers';
import type { BinOp, CmpOp, Cp0Word, Stmt, Ty, UnOp, Val } from '../../isa/ir';
import { Code, Op, ValType } from './encoder';

/** The engine's side of the lowering. Each method emits code into `c`. */
export interface WasmHost {
  readonly c: Code;
  /** Structured control (the host tracks branch depths): opens an `if` on the i32 pushed, its `else`, its end. */
  openIf(): void;
  elseIf(): void;
  close(): void;
  /** A scratch local of a type for this instruction's values. */
  local(ty: Ty): number;
  /** Pushes field `name` (i32). */
  field(name: FieldName): void;
  /** Pushes GPR `idx` (i64): a constant register number, or `pushIdx` pushes it (i32). */
  gpr(idx: number | undefined, pushIdx: () => void): void;
  /** Writes GPR idx (idx known not to be 0 when constant) with the i64 `value` pushes. */
  setGpr(idx: number | undefined, pushIdx: () => void, value: () => void): void;
  hilo(hi: boolean): void;
  setHilo(hi: boolean, value: () => void): void;
  /** Pushes this instruction's address (i64). */
  pc(): void;
  /** Pushes the privilege mode (i32). */
  mode(): void;
  /** Pushes CP0 register `word`'s (low) word (i32). */
  c0w(word: Cp0Word): void;
  /** Pushes CP0 register `word` as a 64-bit value (i64). */
  c0d(word: Cp0Word): void;
  /** Stores the i64 `value` pushes in CP0 register `word` (both words). */
  setC0(word: Cp0Word, value: () => void): void;
  /** Pushes the i64 result of a load from the address `addr` pushes (or leaves the instruction on an exception). */
  load(size: 1 | 2 | 4 | 8, signed: boolean, addr: () => void): void;
  store(size: 1 | 2 | 4 | 8, addr: () => void, value: () => void): void;
  /** Takes exception `code` (the instruction ends). */
  raise(code: number, ce: number): void;
  /** A branch: `cond` pushes the i32 outcome (undefined: always), `target` the i64 target. */
  branch(cond: (() => void) | undefined, target: () => void, likely: boolean): void;
  /** Calls a helper with its arguments (pushers, in order); leaves its result (if any) pushed. */
  call(helper: HelperName, args: ReadonlyArray<{ ty: Ty; push: () => void }>, ret: Ty | 'void'): void;
}

const vt = (ty: Ty): ValType => (ty === 'i32' ? ValType.i32 : ValType.i64);

const BIN: Record<Ty, Partial<Record<BinOp, Op>>> = {
  i32: { add: Op.i32_add, sub: Op.i32_sub, mul: Op.i32_mul, and: Op.i32_and, or: Op.i32_or, xor: Op.i32_xor, shl: Op.i32_shl,
    shrU: Op.i32_shr_u, shrS: Op.i32_shr_s, rotr: Op.i32_rotr, divS: Op.i32_div_s, divU: Op.i32_div_u, remS: Op.i32_rem_s, remU: Op.i32_rem_u },
  i64: { add: Op.i64_add, sub: Op.i64_sub, mul: Op.i64_mul, and: Op.i64_and, or: Op.i64_or, xor: Op.i64_xor, shl: Op.i64_shl,
    shrU: Op.i64_shr_u, shrS: Op.i64_shr_s, rotr: Op.i64_rotr, divS: Op.i64_div_s, divU: Op.i64_div_u, remS: Op.i64_rem_s, remU: Op.i64_rem_u },
};
const CMP: Record<Ty, Record<CmpOp, Op>> = {
  i32: { eq: Op.i32_eq, ne: Op.i32_ne, ltS: Op.i32_lt_s, ltU: Op.i32_lt_u, leS: Op.i32_le_s, leU: Op.i32_le_u,
    gtS: Op.i32_gt_s, gtU: Op.i32_gt_u, geS: Op.i32_ge_s, geU: Op.i32_ge_u },
  i64: { eq: Op.i64_eq, ne: Op.i64_ne, ltS: Op.i64_lt_s, ltU: Op.i64_lt_u, leS: Op.i64_le_s, leU: Op.i64_le_u,
    gtS: Op.i64_gt_s, gtU: Op.i64_gt_u, geS: Op.i64_ge_s, geU: Op.i64_ge_u },
};

/** Lowers one instruction's statements through a host. */
export class WasmLowering {
  /** Local holding each node computed into one. */
  private readonly at = new Map<number, number>();

  constructor(private readonly h: WasmHost) {}

  stmts(list: readonly Stmt[]): void {
    for (const st of list) this.stmt(st);
  }

  private stmt(st: Stmt): void {
    const h = this.h, c = h.c;
    switch (st.s) {
      case 'def': {
        const v = st.v;
        if (v.isConst || (!v.pinned && v.uses <= 1)) return; // (computed where used)
        if (v.n.k === 'call' && HELPERS[v.n.helper].ret === 'void') { this.compute(v); return; }
        this.compute(v);
        // (An unused read or effect still happens: a device register read, a helper.)
        if (v.uses === 0) { c.op(Op.drop); return; }
        const l = h.local(v.ty);
        c.set(l);
        this.at.set(v.id, l);
        return;
      }
      case 'setGpr': {
        const idx = st.idx;
        if (idx.isConst) { if (idx.k !== 0) h.setGpr(idx.k as number, () => {}, () => this.push(st.v)); return; }
        h.setGpr(undefined, () => this.push(idx), () => this.push(st.v));
        return;
      }
      case 'setHilo': h.setHilo(st.hi, () => this.push(st.v)); return;
      case 'setC0': h.setC0(st.word, () => this.push(st.v)); return;
      case 'store': h.store(st.size, () => this.push(st.addr), () => this.push(st.v)); return;
      case 'raise':
        if (!st.cond) { h.raise(st.code, st.ce); return; }
        this.push(st.cond);
        h.openIf();
        h.raise(st.code, st.ce);
        h.close();
        return;
      case 'branch':
        h.branch(st.cond ? () => this.push(st.cond!) : undefined, () => this.push(st.target), st.likely);
        return;
      case 'if':
        this.push(st.cond);
        h.openIf();
        this.stmts(st.then);
        if (st.else.length) { h.elseIf(); this.stmts(st.else); }
        h.close();
        return;
    }
  }

  /** Pushes node v's value. */
  push(v: Val): void {
    const c = this.h.c;
    if (v.isConst) {
      if (v.ty === 'i32') c.i32(v.k as number); else c.i64(v.k as bigint);
      return;
    }
    const l = this.at.get(v.id);
    if (l !== undefined) { c.get(l); return; }
    this.compute(v);
  }

  /** Emits the computation of node v (its operands pushed first). */
  private compute(v: Val): void {
    const h = this.h, c = h.c, n = v.n;
    switch (n.k) {
      case 'const': this.push(v); return;
      case 'field': h.field(n.name); return;
      case 'pc': h.pc(); return;
      case 'mode': h.mode(); return;
      case 'c0w': h.c0w(n.word); return;
      case 'c0d': h.c0d(n.word); return;
      case 'gpr': {
        const idx = n.idx;
        if (idx.isConst) h.gpr(idx.k as number, () => {}); else h.gpr(undefined, () => this.push(idx));
        return;
      }
      case 'hilo': h.hilo(n.hi); return;
      case 'load': h.load(n.size, n.signed, () => this.push(n.addr)); return;
      case 'call': {
        const args = n.args.map((a) => ({ ty: a.ty, push: () => this.push(a) }));
        h.call(n.helper, args, v.ty);
        return;
      }
      case 'select':
        this.push(n.a); this.push(n.b); this.push(n.c);
        c.op(Op.select);
        return;
      case 'cmp':
        this.push(n.a); this.push(n.b);
        c.op(CMP[n.a.ty][n.op]);
        return;
      case 'un': this.unary(n.op, n.a); return;
      case 'bin': this.binary(n.op, n.a, n.b, v.ty); return;
    }
  }

  private unary(op: UnOp, a: Val): void {
    const c = this.h.c;
    this.push(a);
    const t = a.ty;
    switch (op) {
      case 'clz': c.op(t === 'i32' ? Op.i32_clz : Op.i64_clz); return;
      case 'popcnt': c.op(t === 'i32' ? Op.i32_popcnt : Op.i64_popcnt); return;
      case 'eqz': c.op(t === 'i32' ? Op.i32_eqz : Op.i64_eqz); return;
      case 'wrap': c.op(Op.i32_wrap_i64); return;
      case 'sx': c.op(Op.i64_extend_i32_s); return;
      case 'zx': c.op(Op.i64_extend_i32_u); return;
      case 'sx8': c.op(Op.i64_extend8_s); return;
      case 'sx16': c.op(Op.i64_extend16_s); return;
      case 'sx32': c.op(Op.i64_extend32_s); return;
      case 'bswap16': {
        // ((x & 0xff) << 8) | ((x >>> 8) & 0xff)
        const x = this.h.local('i32');
        c.tee(x).i32(0xff).op(Op.i32_and).i32(8).op(Op.i32_shl);
        c.get(x).i32(8).op(Op.i32_shr_u).i32(0xff).op(Op.i32_and, Op.i32_or);
        return;
      }
      case 'bswap32': bswap32(c, this.h.local('i32')); return;
    }
  }

  private binary(op: BinOp, a: Val, b: Val, ty: Ty): void {
    const c = this.h.c;
    if (op === 'mulhU' || op === 'mulhS') {
      this.push(a); const x = this.h.local('i64'); c.set(x);
      this.push(b); const y = this.h.local('i64'); c.set(y);
      mulHigh64(c, x, y, op === 'mulhU', () => this.h.local('i64'));
      return;
    }
    this.push(a); this.push(b);
    const o = BIN[ty][op];
    if (o === undefined) throw new Error(`ir-wasm: ${ty} ${op}`);
    c.op(o);
  }
}

/** Byte swap of the i32 on the stack (scratch local x): rotl(x, 8) & 0x00ff00ff | rotr(x, 8) & 0xff00ff00. */
export function bswap32(c: Code, x: number): void {
  c.tee(x).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and);
  c.get(x).i32(8).op(Op.i32_rotr).i32(0xff00ff00 | 0).op(Op.i32_and, Op.i32_or);
}

/** Byte swap of the i64 on the stack (scratch local x). */
export function bswap64(c: Code, x: number): void {
  // Swap the words, then bytes within halfwords, then halfwords within words.
  c.i64(32n).op(Op.i64_rotr).tee(x).i64(0x00ff00ff00ff00ffn).op(Op.i64_and).i64(8n).op(Op.i64_shl);
  c.get(x).i64(8n).op(Op.i64_shr_u).i64(0x00ff00ff00ff00ffn).op(Op.i64_and, Op.i64_or).tee(x);
  c.i64(0x0000ffff0000ffffn).op(Op.i64_and).i64(16n).op(Op.i64_shl);
  c.get(x).i64(16n).op(Op.i64_shr_u).i64(0x0000ffff0000ffffn).op(Op.i64_and, Op.i64_or);
}

/**
 * High 64 bits of the 128-bit product of locals x and y: the unsigned high half from 32-bit
 * limbs (t = a1·b0 + (a0·b0 >> 32); w = low(t) + a0·b1; hi = a1·b1 + (t >> 32) + (w >> 32):
 * no partial sum overflows), then the signed correction.
 */
function mulHigh64(c: Code, x: number, y: number, unsigned: boolean, local: () => number): void {
  const M = 0xffffffffn, p = local(), q = local();
  const lo32 = (l: number): void => { c.get(l).i64(M).op(Op.i64_and); };
  const hi32 = (l: number): void => { c.get(l).i64(32n).op(Op.i64_shr_u); };
  lo32(x); lo32(y); c.op(Op.i64_mul).i64(32n).op(Op.i64_shr_u);
  hi32(x); lo32(y); c.op(Op.i64_mul, Op.i64_add).set(p); // t
  c.get(p).i64(M).op(Op.i64_and); lo32(x); hi32(y); c.op(Op.i64_mul, Op.i64_add).set(q); // w
  hi32(x); hi32(y); c.op(Op.i64_mul);
  c.get(p).i64(32n).op(Op.i64_shr_u, Op.i64_add).get(q).i64(32n).op(Op.i64_shr_u, Op.i64_add);
  if (!unsigned) {
    c.get(y).i64(0n).get(x).i64(0n).op(Op.i64_lt_s, Op.select, Op.i64_sub);
    c.get(x).i64(0n).get(y).i64(0n).op(Op.i64_lt_s, Op.select, Op.i64_sub);
  }
}

export { vt };
