// A DWARF expression evaluator for the expressions CFI uses (DW_CFA_def_cfa_expression,
// DW_CFA_expression, DW_CFA_val_expression): literals and constants, register-relative
// values (DW_OP_breg*, DW_OP_bregx), stack and arithmetic operations, dereferences and
// forward branches. Registers and memory come from callbacks; anything it cannot
// evaluate throws DwarfError.

import { DwarfError } from './error';
import { DwarfReader } from './reader';

export interface ExprContext {
  readonly little: boolean;
  readonly addressSize: number;
  /** A register's value in the frame, undefined when unknown. */
  reg(n: number): bigint | undefined;
  /** Reads `size` bytes (1-8) of target memory as an unsigned value; undefined when unreadable. */
  read(addr: bigint, size: number): bigint | undefined;
}

const MAX_STEPS = 10_000;

export function evalExpr(expr: Uint8Array, ctx: ExprContext, initial: readonly bigint[] = []): bigint {
  const r = new DwarfReader(expr, ctx.little, 'DWARF expression');
  const st: bigint[] = [...initial];
  const bits = BigInt(ctx.addressSize * 8);
  const wrap = (v: bigint): bigint => BigInt.asUintN(Number(bits), v);
  const pop = (): bigint => { const v = st.pop(); if (v === undefined) r.fail('stack underflow'); return v!; };
  const reg = (n: number): bigint => { const v = ctx.reg(n); if (v === undefined) r.fail(`register ${n} is unknown in this frame`); return v!; };
  const read = (a: bigint, n: number): bigint => { const v = ctx.read(a, n); if (v === undefined) r.fail(`memory at 0x${a.toString(16)} is not readable`); return v!; };
  for (let steps = 0; !r.atEnd; steps++) {
    if (steps > MAX_STEPS) r.fail('expression does not terminate');
    const op = r.u8('operation');
    if (op >= 0x30 && op <= 0x4f) { st.push(BigInt(op - 0x30)); continue; } // DW_OP_lit0..31
    if (op >= 0x70 && op <= 0x8f) { st.push(wrap(reg(op - 0x70) + r.slebBig())); continue; } // DW_OP_breg0..31
    switch (op) {
      case 0x03: st.push(r.address(ctx.addressSize)); break; // addr
      case 0x06: st.push(read(pop(), ctx.addressSize)); break; // deref
      case 0x08: st.push(BigInt(r.u8())); break; // const1u
      case 0x09: st.push(wrap(BigInt(r.i8()))); break;
      case 0x0a: st.push(BigInt(r.u16())); break;
      case 0x0b: st.push(wrap(r.signed(2))); break;
      case 0x0c: st.push(BigInt(r.u32())); break;
      case 0x0d: st.push(wrap(BigInt(r.i32()))); break;
      case 0x0e: st.push(wrap(r.u64())); break;
      case 0x0f: st.push(wrap(r.i64())); break;
      case 0x10: st.push(wrap(r.ulebBig())); break; // constu
      case 0x11: st.push(wrap(r.slebBig())); break; // consts
      case 0x12: st.push(st.length ? st[st.length - 1]! : pop()); break; // dup
      case 0x13: pop(); break; // drop
      case 0x14: { if (st.length < 2) r.fail('stack underflow'); st.push(st[st.length - 2]!); break; } // over
      case 0x15: { const i = r.u8(); if (i >= st.length) r.fail('DW_OP_pick past the stack'); st.push(st[st.length - 1 - i]!); break; }
      case 0x16: { const a = pop(), b = pop(); st.push(a, b); break; } // swap
      case 0x17: { const a = pop(), b = pop(), c = pop(); st.push(a, c, b); break; } // rot
      case 0x19: { const a = BigInt.asIntN(Number(bits), pop()); st.push(wrap(a < 0n ? -a : a)); break; } // abs
      case 0x1a: { const b = pop(), a = pop(); st.push(a & b); break; }
      case 0x1c: { const b = pop(), a = pop(); st.push(wrap(a - b)); break; }
      case 0x1e: { const b = pop(), a = pop(); st.push(wrap(a * b)); break; }
      case 0x1f: st.push(wrap(-pop())); break;
      case 0x20: st.push(wrap(~pop())); break;
      case 0x21: { const b = pop(), a = pop(); st.push(a | b); break; }
      case 0x22: { const b = pop(), a = pop(); st.push(wrap(a + b)); break; }
      case 0x23: st.push(wrap(pop() + r.ulebBig())); break; // plus_uconst
      case 0x24: { const b = pop(), a = pop(); st.push(b >= bits ? 0n : wrap(a << b)); break; }
      case 0x25: { const b = pop(), a = pop(); st.push(b >= bits ? 0n : a >> b); break; }
      case 0x26: { const b = pop(), a = pop(); st.push(wrap(BigInt.asIntN(Number(bits), a) >> (b >= bits ? bits - 1n : b))); break; }
      case 0x27: { const b = pop(), a = pop(); st.push(a ^ b); break; }
      case 0x28: { const off = r.signed(2); const c = pop(); if (c !== 0n) jump(r, off); break; } // bra
      case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: {
        const b = BigInt.asIntN(Number(bits), pop()), a = BigInt.asIntN(Number(bits), pop());
        const res = [a === b, a >= b, a > b, a <= b, a < b, a !== b][op - 0x29];
        st.push(res ? 1n : 0n);
        break;
      }
      case 0x2f: jump(r, r.signed(2)); break; // skip
      case 0x92: { const n = r.uleb('register'); st.push(wrap(reg(n) + r.slebBig())); break; } // bregx
      case 0x94: { const n = r.u8('size'); if (n < 1 || n > 8) r.fail(`DW_OP_deref_size ${n}`); st.push(read(pop(), n)); break; }
      case 0x96: break; // nop
      case 0x9c: r.fail('DW_OP_call_frame_cfa inside CFI'); break;
      default: r.fail(`unsupported operation 0x${op.toString(16)}`);
    }
  }
  const v = st.pop();
  if (v === undefined) throw new DwarfError('DWARF expression left no value');
  return v;
}

function jump(r: DwarfReader, off: bigint): void {
  const to = r.pos + Number(off);
  if (to < 0 || to > r.end) r.fail(`branch to ${to} is outside the expression`);
  r.pos = to;
}
