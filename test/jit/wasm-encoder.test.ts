// The WebAssembly writer the translator's second tier uses: modules it encodes must
// validate and compute what was written — signed LEB128 constants at every length
// boundary (i32 and i64), f64 constants, locals by type, br_table, imported memory and
// cross-module calls through a shared table. V8 is the oracle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, encodeModule, Op, ValType } from '../../src/emulator/jit/wasm/encoder';
import { instantiate } from '../../src/emulator/memory/wasm-api';

const I64_EDGES: bigint[] = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 127n, 128n, -128n, -129n, 8191n, 8192n, -8193n,
  (1n << 31n) - 1n, -(1n << 31n), 1n << 32n, (1n << 32n) - 1n, -(1n << 32n), (1n << 62n), (1n << 63n) - 1n, -(1n << 63n),
  0x123456789abcdef0n, 0x923456789abcdef0n - (1n << 64n), 0xffffffff00000000n - (1n << 64n)];
const I32_EDGES = [0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8193, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678];

test('i64 and i32 constants round-trip through signed LEB128 at every length boundary', () => {
  const funcs = [];
  for (const v of I64_EDGES) funcs.push({ type: 0, locals: [], code: new Code().i64(v) });
  for (const v of I32_EDGES) funcs.push({ type: 1, locals: [], code: new Code().i32(v) });
  const inst = instantiate(encodeModule({
    types: [{ params: [], results: [ValType.i64] }, { params: [], results: [ValType.i32] }],
    imports: [], funcs, exports: funcs.map((_, i) => ({ name: `f${i}`, func: i })),
  }), {});
  I64_EDGES.forEach((v, i) => assert.equal((inst.exports[`f${i}`] as () => bigint)(), v, `i64 ${v}`));
  I32_EDGES.forEach((v, i) => assert.equal((inst.exports[`f${I64_EDGES.length + i}`] as () => number)(), v, `i32 ${v}`));
});

test('i64hl builds the constant from int32 halves; f64 constants are exact', () => {
  const cases: Array<[number, number]> = [[0, 0], [-1, -1], [0, -1], [-1, 0], [0x7fffffff, 0x80000000 | 0], [-2147483648, 1]];
  const funcs = cases.map(([hi, lo]) => ({ type: 0, locals: [], code: new Code().i64hl(hi, lo) }));
  const floats = [0, -0, 1.5, -1e300, Infinity, -Infinity, 2 ** 53 + 2];
  for (const f of floats) funcs.push({ type: 1, locals: [], code: new Code().f64(f) });
  const inst = instantiate(encodeModule({
    types: [{ params: [], results: [ValType.i64] }, { params: [], results: [ValType.f64] }],
    imports: [], funcs, exports: funcs.map((_, i) => ({ name: `f${i}`, func: i })),
  }), {});
  cases.forEach(([hi, lo], i) => assert.equal((inst.exports[`f${i}`] as () => bigint)(), (BigInt(hi) << 32n) | BigInt(lo >>> 0)));
  floats.forEach((f, i) => assert.ok(Object.is((inst.exports[`f${cases.length + i}`] as () => number)(), f), `f64 ${f}`));
});

test('locals of mixed types, a loop and a br_table with more than 127 labels', () => {
  // sum(n) = 0 + 1 + … + n−1 with an i64 accumulator and i32 counter, then br_table picks one of 200 results.
  const c = new Code();
  c.begin(Op.loop);
  c.get(0).op(Op.i32_eqz);
  c.begin(Op.if).op(Op.else);
  c.get(0).i32(-1).op(Op.i32_add).set(0);
  c.get(1).get(0).op(Op.i64_extend_i32_u, Op.i64_add).set(1);
  c.br(1);
  c.op(Op.end, Op.end);
  const sw = new Code();
  const n = 200;
  for (let i = 0; i < n; i++) sw.begin(Op.block);
  sw.get(0).op(Op.br_table).u32(n);
  for (let j = 0; j < n; j++) sw.u32(j);
  sw.u32(0);
  for (let j = 0; j < n; j++) sw.op(Op.end).i32(j * 3).op(Op.return);
  sw.i32(-1);
  const inst = instantiate(encodeModule({
    types: [{ params: [ValType.i32], results: [ValType.i64] }, { params: [ValType.i32], results: [ValType.i32] }],
    imports: [],
    funcs: [{ type: 0, locals: [ValType.i64, ValType.f64, ValType.i32], code: c.get(1) }, { type: 1, locals: [], code: sw }],
    exports: [{ name: 'sum', func: 0 }, { name: 'pick', func: 1 }],
  }), {});
  const sum = inst.exports.sum as (n: number) => bigint;
  assert.equal(sum(0), 0n);
  assert.equal(sum(1000), 499500n);
  const pick = inst.exports.pick as (i: number) => number;
  for (const i of [0, 1, 127, 128, 199]) assert.equal(pick(i), i * 3);
  assert.equal(pick(500), 0, 'out of range: the default label');
});

test('imported memory is shared with JavaScript views, and a driver calls functions of another module through an imported table', () => {
  const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer }; Table: new (d: { element: string; initial: number }) => { set(i: number, f: unknown): void } } }).WebAssembly;
  const memory = new api.Memory({ initial: 1 });
  const table = new api.Table({ element: 'anyfunc', initial: 4 });
  // Block module: stores 0x1122334455667788 at byte 64 and returns the next table index.
  const blk = new Code().i32(0).i64(0x1122334455667788n).mem(Op.i64_store, 3, 64).i32(0).i32(0).mem(Op.i32_load, 2, 72).op(Op.i32_add);
  const b = instantiate(encodeModule({
    types: [{ params: [], results: [ValType.i32] }],
    memory: { module: 'm', name: 'mem', minPages: 0 },
    imports: [], funcs: [{ type: 0, locals: [], code: blk }], exports: [{ name: 'b', func: 0 }],
  }), { m: { mem: memory } });
  table.set(2, b.exports.b);
  const drv = new Code().begin(Op.loop).get(0).callIndirect(0).tee(0).brIf(0).op(Op.end).i32(7);
  const d = instantiate(encodeModule({
    types: [{ params: [], results: [ValType.i32] }, { params: [ValType.i32], results: [ValType.i32] }],
    table: { module: 'm', name: 't', min: 4 },
    imports: [], funcs: [{ type: 1, locals: [], code: drv }], exports: [{ name: 'run', func: 0 }],
  }), { m: { t: table } });
  const words = new Int32Array(memory.buffer);
  words[72 / 4] = 0; // the block returns 0: the driver stops after one call
  assert.equal((d.exports.run as (i: number) => number)(2), 7);
  assert.equal(words[16], 0x55667788);
  assert.equal(words[17], 0x11223344);
});
