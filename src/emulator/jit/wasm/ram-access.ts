// Guest RAM reads and writes at a host address in WebAssembly, in the guest's byte order:
// what translated regions and the cold-code runner emit once the host translation cache has
// turned a guest address into a host address. WebAssembly memory is little-endian, so a
// big-endian guest's halfwords, words and doublewords are byte-swapped on the way.

import { Code, Op } from './encoder';
import { bswap32, bswap64 } from './ir-wasm';

const LOG2: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/** Scratch locals the emitted code may use. */
export interface Scratch { i32(): number; i64(): number }

/** Replaces the host address (i32) on the stack by the i64 of `size` bytes there, sign- or zero-extended. */
export function ramRead(c: Code, size: 1 | 2 | 4 | 8, signed: boolean, big: boolean, s: Scratch): void {
  if (!big || size === 1) {
    const op = size === 1 ? (signed ? Op.i64_load8_s : Op.i64_load8_u) : size === 2 ? (signed ? Op.i64_load16_s : Op.i64_load16_u)
      : size === 4 ? (signed ? Op.i64_load32_s : Op.i64_load32_u) : Op.i64_load;
    c.mem(op, LOG2[size], 0);
    return;
  }
  if (size === 8) { c.mem(Op.i64_load, 3, 0); bswap64(c, s.i64()); return; }
  const x = s.i32();
  if (size === 2) {
    c.mem(Op.i32_load16_u, 1, 0).tee(x).i32(0xff).op(Op.i32_and).i32(8).op(Op.i32_shl);
    c.get(x).i32(8).op(Op.i32_shr_u, Op.i32_or);
    if (signed) c.op(Op.i32_extend16_s);
  } else {
    c.mem(Op.i32_load, 2, 0);
    bswap32(c, x);
  }
  c.op(signed ? Op.i64_extend_i32_s : Op.i64_extend_i32_u);
}

/** Stores the low `size` bytes of the i64 `value` pushes at the host address (i32) on the stack. */
export function ramWrite(c: Code, size: 1 | 2 | 4 | 8, big: boolean, value: () => void, s: Scratch): void {
  value();
  if (!big || size === 1) {
    c.mem(size === 1 ? Op.i64_store8 : size === 2 ? Op.i64_store16 : size === 4 ? Op.i64_store32 : Op.i64_store, LOG2[size], 0);
    return;
  }
  if (size === 8) { bswap64(c, s.i64()); c.mem(Op.i64_store, 3, 0); return; }
  const x = s.i32();
  c.op(Op.i32_wrap_i64);
  if (size === 4) { bswap32(c, x); c.mem(Op.i32_store, 2, 0); return; }
  c.tee(x).i32(0xff).op(Op.i32_and).i32(8).op(Op.i32_shl).get(x).i32(8).op(Op.i32_shr_u).i32(0xff).op(Op.i32_and, Op.i32_or);
  c.mem(Op.i32_store16, 1, 0);
}
