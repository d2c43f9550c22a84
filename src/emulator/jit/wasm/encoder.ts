// A minimal WebAssembly binary writer for the translator's second tier: function bodies
// as byte sequences (opcodes, LEB128 immediates) and modules made of one type list,
// imported memory/table/functions, defined functions and exports. Only what the tier
// emits is here; the opcode values are those of the WebAssembly core specification.

export const enum Op {
  block = 0x02, loop = 0x03, if = 0x04, else = 0x05, end = 0x0b, br = 0x0c, br_if = 0x0d, br_table = 0x0e, return = 0x0f,
  call = 0x10, call_indirect = 0x11, drop = 0x1a, select = 0x1b,
  local_get = 0x20, local_set = 0x21, local_tee = 0x22,
  i32_load = 0x28, i64_load = 0x29, f64_load = 0x2b, i32_load8_u = 0x2d, i32_load16_u = 0x2f,
  i64_load8_s = 0x30, i64_load8_u = 0x31, i64_load16_s = 0x32, i64_load16_u = 0x33, i64_load32_s = 0x34, i64_load32_u = 0x35,
  i32_store = 0x36, i64_store = 0x37, f64_store = 0x39, i32_store8 = 0x3a, i32_store16 = 0x3b, i64_store8 = 0x3c, i64_store16 = 0x3d, i64_store32 = 0x3e,
  i32_const = 0x41, i64_const = 0x42, f64_const = 0x44,
  i32_eqz = 0x45, i32_eq = 0x46, i32_ne = 0x47,
  i64_eqz = 0x50, i64_eq = 0x51, i64_ne = 0x52, i64_lt_s = 0x53, i64_lt_u = 0x54, i64_gt_s = 0x55, i64_gt_u = 0x56,
  i64_le_s = 0x57, i64_le_u = 0x58, i64_ge_s = 0x59, i64_ge_u = 0x5a,
  f64_gt = 0x64, f64_le = 0x65, i32_lt_s = 0x48, i32_lt_u = 0x49, i32_gt_s = 0x4a, i32_gt_u = 0x4b, i32_le_s = 0x4c, i32_le_u = 0x4d,
  i32_ge_s = 0x4e, i32_ge_u = 0x4f,
  i32_clz = 0x67, i32_popcnt = 0x69, i32_add = 0x6a, i32_sub = 0x6b, i32_mul = 0x6c, i32_div_s = 0x6d, i32_div_u = 0x6e,
  i32_rem_s = 0x6f, i32_rem_u = 0x70, i32_and = 0x71, i32_or = 0x72, i32_xor = 0x73,
  i32_shl = 0x74, i32_shr_s = 0x75, i32_shr_u = 0x76, i32_rotl = 0x77, i32_rotr = 0x78,
  i64_clz = 0x79, i64_popcnt = 0x7b, i64_add = 0x7c, i64_sub = 0x7d, i64_mul = 0x7e, i64_div_s = 0x7f, i64_div_u = 0x80, i64_rem_s = 0x81, i64_rem_u = 0x82, i64_and = 0x83, i64_or = 0x84, i64_xor = 0x85,
  i64_shl = 0x86, i64_shr_s = 0x87, i64_shr_u = 0x88, i64_rotl = 0x89, i64_rotr = 0x8a,
  f64_add = 0xa0, f64_sub = 0xa1, i32_wrap_i64 = 0xa7, i32_trunc_f64_s = 0xaa, f64_convert_i32_s = 0xb7, i64_extend_i32_s = 0xac, i64_extend_i32_u = 0xad,
  i32_extend8_s = 0xc0, i32_extend16_s = 0xc1, i64_extend8_s = 0xc2, i64_extend16_s = 0xc3, i64_extend32_s = 0xc4,
}

export const enum ValType { i32 = 0x7f, i64 = 0x7e, f64 = 0x7c }
/** Block type of a structured instruction with no result. */
export const VOID = 0x40;

export interface FuncType { params: ValType[]; results: ValType[] }

function uleb(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/** Signed LEB128 of an int32 (number arithmetic: most constants are i32). */
function sleb32(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && (b & 0x40))) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** Scratch for f64 constants' bytes. */
const F64_SCRATCH = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64_SCRATCH.buffer);

function sleb(out: number[], v: bigint): void {
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && !(b & 0x40)) || (v === -1n && (b & 0x40))) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** A function body under construction. */
export class Code {
  readonly bytes: number[] = [];

  op(...ops: number[]): this { for (const o of ops) this.bytes.push(o); return this; }
  /** An unsigned LEB128 immediate (br_table's label vector). */
  u32(v: number): this { uleb(this.bytes, v); return this; }
  /** i32.trunc_sat_f64_s: float to int32, saturating (NaN → 0). */
  truncSatF64ToI32(): this { this.bytes.push(0xfc, 0x02); return this; }
  i32(v: number): this { this.bytes.push(Op.i32_const); sleb32(this.bytes, v); return this; }
  i64(v: bigint): this { this.bytes.push(Op.i64_const); sleb(this.bytes, BigInt.asIntN(64, v)); return this; }
  /** i64.const from int32 halves. */
  i64hl(hi: number, lo: number): this { return this.i64((BigInt(hi | 0) << 32n) | BigInt(lo >>> 0)); }
  f64(v: number): this {
    this.bytes.push(Op.f64_const);
    F64_SCRATCH[0] = v;
    for (let i = 0; i < 8; i++) this.bytes.push(F64_BYTES[i]);
    return this;
  }
  get(l: number): this { this.bytes.push(Op.local_get); uleb(this.bytes, l); return this; }
  set(l: number): this { this.bytes.push(Op.local_set); uleb(this.bytes, l); return this; }
  tee(l: number): this { this.bytes.push(Op.local_tee); uleb(this.bytes, l); return this; }
  /** A load or store with alignment hint log2 `align` and constant offset. */
  mem(op: Op, align: number, offset: number): this { this.bytes.push(op, align); uleb(this.bytes, offset); return this; }
  call(f: number): this { this.bytes.push(Op.call); uleb(this.bytes, f); return this; }
  br(depth: number): this { this.bytes.push(Op.br); uleb(this.bytes, depth); return this; }
  brIf(depth: number): this { this.bytes.push(Op.br_if); uleb(this.bytes, depth); return this; }
  /** Starts if/block/loop with a block type (VOID or a value type). */
  begin(op: Op.if | Op.block | Op.loop, type: number = VOID): this { this.bytes.push(op, type); return this; }
  callIndirect(type: number, table = 0): this { this.bytes.push(Op.call_indirect); uleb(this.bytes, type); uleb(this.bytes, table); return this; }
}

export interface ModuleSpec {
  types: FuncType[];
  /** Imported memory (module, name, minimum pages), at memory index 0. */
  memory?: { module: string; name: string; minPages: number };
  /** Imported funcref table at table index 0. */
  table?: { module: string; name: string; min: number };
  /** Imported functions (type indexes), numbered before defined ones. */
  imports: Array<{ module: string; name: string; type: number }>;
  /** Defined functions: type index, extra locals (by type), body (without the final end). */
  funcs: Array<{ type: number; locals: ValType[]; code: Code }>;
  /** Exported functions: name and function index. */
  exports: Array<{ name: string; func: number }>;
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (let i = 0; i < body.length; i++) out.push(body[i]);
}

/** Encodes a module (the function bodies, most of its bytes, are copied once, into the result). */
export function encodeModule(m: ModuleSpec): Uint8Array {
  const head: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, m.types.length);
  for (const t of m.types) {
    types.push(0x60);
    uleb(types, t.params.length); types.push(...t.params);
    uleb(types, t.results.length); types.push(...t.results);
  }
  section(head, 1, types);
  const imps: number[] = [];
  uleb(imps, m.imports.length + (m.memory ? 1 : 0) + (m.table ? 1 : 0));
  if (m.memory) { name(imps, m.memory.module); name(imps, m.memory.name); imps.push(0x02, 0x00); uleb(imps, m.memory.minPages); }
  if (m.table) { name(imps, m.table.module); name(imps, m.table.name); imps.push(0x01, 0x70, 0x00); uleb(imps, m.table.min); }
  for (const i of m.imports) { name(imps, i.module); name(imps, i.name); imps.push(0x00); uleb(imps, i.type); }
  section(head, 2, imps);
  const fns: number[] = [];
  uleb(fns, m.funcs.length);
  for (const f of m.funcs) uleb(fns, f.type);
  section(head, 3, fns);
  const exps: number[] = [];
  uleb(exps, m.exports.length);
  for (const e of m.exports) { name(exps, e.name); exps.push(0x00); uleb(exps, e.func); }
  section(head, 7, exps);
  // Code section: per function its size, locals (run-length grouped by type), body, end.
  const prefixes: number[][] = [];
  let codeLen = 0;
  const count: number[] = [];
  uleb(count, m.funcs.length);
  codeLen += count.length;
  for (const f of m.funcs) {
    const locals: number[] = [];
    const groups: Array<[number, ValType]> = [];
    for (const t of f.locals) {
      const g = groups[groups.length - 1];
      if (g && g[1] === t) g[0]++; else groups.push([1, t]);
    }
    uleb(locals, groups.length);
    for (const [n, t] of groups) { uleb(locals, n); locals.push(t); }
    const prefix: number[] = [];
    uleb(prefix, locals.length + f.code.bytes.length + 1);
    for (const b of locals) prefix.push(b);
    prefixes.push(prefix);
    codeLen += prefix.length + f.code.bytes.length + 1;
  }
  head.push(10);
  uleb(head, codeLen);
  const out = new Uint8Array(head.length + codeLen);
  out.set(head);
  let at = head.length;
  out.set(count, at); at += count.length;
  m.funcs.forEach((f, k) => {
    out.set(prefixes[k], at); at += prefixes[k].length;
    out.set(f.code.bytes, at); at += f.code.bytes.length;
    out[at++] = Op.end;
  });
  return out;
}
