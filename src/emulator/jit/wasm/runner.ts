// The cold path in WebAssembly: one function, compiled once, that runs a block's worth of
// not-yet-translated guest code instruction by instruction — fetch through the host
// translation cache, the op from the interpreter's decoded-word cache (both in the bus's
// memory), a br_table over the commonest integer ops, guest registers read and written in
// memory. It stops, without executing it, at the first instruction it cannot run with
// exactly the interpreter's result and no side effect (any other op, a translation-cache
// miss, a misaligned address, a branch in a delay slot, a trap that fires); the interpreter's block runner
// then continues from there, so every exception, device access and CP0 effect stays the
// interpreter's. Kernel mode, little-endian guests on a little-endian host only.

import type { Cpu } from '../../cpu/cpu';
import { CACHE_OPS } from '../../cpu/interpreter';
import type { PhysicalBus } from '../../memory/bus';
import { instantiate, wasmApi } from '../../memory/wasm-api';
import { Code, encodeModule, Op, ValType } from './encoder';
import { LookupLocals, wideAddress, wideHit, wideTable } from './wide-lookup';

/** Control words (byte offsets from the runner's area): PC and branch target (int64), in a delay slot, max instructions. */
const enum RCtrl { PC = 0, DS = 8, DLY = 16, MAX = 20, BYTES = 24 }

/** Locals of the runner. */
const N = 0, DLY = 1, MAX = 2, W = 3, OP = 4, X = 5, I = 6, RS = 7, RT = 8, RD = 9, WAS = 10, BR = 11,
  PC = 12, DS = 13, A = 14, TGT = 15;
const LOOKUP: LookupLocals = { a: A, x: X, i: I };
const LOCALS: ValType[] = [...new Array<ValType>(12).fill(ValType.i32), ...new Array<ValType>(4).fill(ValType.i64)];

/** Where the runner finds its tables. */
export interface RunnerLayout {
  regs: number;
  wideTag: number;
  wideAdd: number;
  dcWord: number;
  dcOp: number;
  dcShift: number;
  ctrl: number;
}

/** Result of run(): instructions executed, and whether the interpreter must continue the block at PC. */
export const NEEDS_INTERPRETER = 0x10000;

/** Emits the runner's code: field and register helpers over its locals. */
class Emitter {
  readonly c = new Code();
  constructor(readonly L: RunnerLayout) {}

  reg(off: number): void { this.c.get(off).mem(Op.i64_load, 3, this.L.regs); }
  /** Stores the int64 `value` pushes to the register whose byte offset is in local `off` ($zero is re-zeroed after every instruction). */
  set(off: number, value: () => void): void { this.c.get(off); value(); this.c.mem(Op.i64_store, 3, this.L.regs); }
  imm(): void { this.c.get(W).i32(16).op(Op.i32_shl).i32(16).op(Op.i32_shr_s, Op.i64_extend_i32_s); }
  uimm(): void { this.c.get(W).i32(0xffff).op(Op.i32_and, Op.i64_extend_i32_u); }
  sa(): void { this.c.get(W).i32(6).op(Op.i32_shr_u).i32(31).op(Op.i32_and); }

  /**
   * The inline translation-cache test for a `size`-byte access at the address in A (Kernel
   * mode's table for `kind`: 0 read, 1 write, 2 fetch); a miss leaves to the interpreter
   * (depth: branch depth of the interpreter exit). Leaves the host address in X.
   */
  lookup(kind: number, size: number, depth: number): void {
    const c = this.c, K = wideTable(0, kind);
    wideHit(c, this.L.wideTag, K, LOOKUP, size);
    c.op(Op.i32_eqz).brIf(depth);
    wideAddress(c, this.L.wideAdd, K, LOOKUP);
    c.set(X);
  }
}

/** EA = rs + imm into A. */
const ea = (g: Emitter): void => { g.reg(RS); g.imm(); g.c.op(Op.i64_add).set(A); };

// Every case runs with the interpreter exit at depth `d` (passed), and may leave a branch target in TGT with BR = 1.
type CaseFn = (g: Emitter, d: number) => void;

const alu3 = (op: Op, ext32 = false): CaseFn => (g) => g.set(RD, () => { g.reg(RS); g.reg(RT); g.c.op(op); if (ext32) g.c.op(Op.i64_extend32_s); });
const aluI = (op: Op, unsignedImm: boolean, ext32 = false): CaseFn => (g) => g.set(RT, () => {
  g.reg(RS); if (unsignedImm) g.uimm(); else g.imm(); g.c.op(op); if (ext32) g.c.op(Op.i64_extend32_s);
});
const cmp3 = (op: Op): CaseFn => (g) => g.set(RD, () => { g.reg(RS); g.reg(RT); g.c.op(op, Op.i64_extend_i32_u); });
const cmpI = (op: Op): CaseFn => (g) => g.set(RT, () => { g.reg(RS); g.imm(); g.c.op(op, Op.i64_extend_i32_u); });
const sh32 = (op: Op): CaseFn => (g) => g.set(RD, () => { g.reg(RT); g.c.op(Op.i32_wrap_i64); g.sa(); g.c.op(op, Op.i64_extend_i32_s); });
const sh64 = (op: Op, add: number): CaseFn => (g) => g.set(RD, () => {
  g.reg(RT); g.sa(); if (add) g.c.i32(add).op(Op.i32_add); g.c.op(Op.i64_extend_i32_u, op);
});
/**
 * A conditional branch on rs (and rt): the next instruction is its delay slot whether it is
 * taken or not (BR = 1); TGT = taken ? PC + 4 + (imm << 2) : PC + 8.
 */
const branch = (cond: (g: Emitter) => void): CaseFn => (g, d) => {
  const c = g.c;
  c.get(WAS).brIf(d); // (a branch in a delay slot: the interpreter's business)
  c.get(PC).i64(4n).op(Op.i64_add); g.imm(); c.i64(2n).op(Op.i64_shl, Op.i64_add);
  c.get(PC).i64(8n).op(Op.i64_add);
  cond(g); c.op(Op.select).set(TGT);
  c.i32(1).set(BR);
};
const load = (op: Op, size: number): CaseFn => (g, d) => {
  ea(g); g.lookup(0, size, d);
  g.set(RT, () => { g.c.get(X).mem(op, Math.log2(size), 0); });
};
const store = (op: Op, size: number): CaseFn => (g, d) => {
  ea(g); g.lookup(1, size, d);
  g.c.get(X); g.reg(RT); g.c.mem(op, Math.log2(size), 0);
};
/** 32-bit shift of rt's low word by rs (mod 32), sign-extended. */
const shv32 = (op: Op): CaseFn => (g) => g.set(RD, () => { g.reg(RT); g.c.op(Op.i32_wrap_i64); g.reg(RS); g.c.op(Op.i32_wrap_i64, op, Op.i64_extend_i32_s); });
/** 64-bit shift of rt by rs (mod 64). */
const shv64 = (op: Op): CaseFn => (g) => g.set(RD, () => { g.reg(RT); g.reg(RS); g.c.op(op); });
/** Pushes the bit-field size ((W >>> 11) & 31) + add as an i32. */
const size = (g: Emitter, add: number): void => { g.c.get(W).i32(11).op(Op.i32_shr_u).i32(31).op(Op.i32_and).i32(add).op(Op.i32_add); };
/** dext/dextm/dextu: (rs >>> (sa + posAdd)) & (−1 >>> (64 − size)), size = msbd + sizeAdd. */
const dextOp = (posAdd: number, sizeAdd: number): CaseFn => (g) => g.set(RT, () => {
  const c = g.c;
  g.reg(RS); g.sa(); if (posAdd) c.i32(posAdd).op(Op.i32_add); c.op(Op.i64_extend_i32_u, Op.i64_shr_u);
  c.i64(-1n).i32(64); size(g, sizeAdd); c.op(Op.i32_sub, Op.i64_extend_i32_u, Op.i64_shr_u, Op.i64_and);
});
const jumpTarget = (g: Emitter): void => {
  g.c.get(PC).i64(4n).op(Op.i64_add).i64(~0x0fffffffn).op(Op.i64_and);
  g.c.get(W).i32(0x3ffffff).op(Op.i32_and, Op.i64_extend_i32_u).i64(2n).op(Op.i64_shl, Op.i64_or).set(TGT);
};

const CASES: Record<string, CaseFn> = {
  sll: sh32(Op.i32_shl), srl: sh32(Op.i32_shr_u), sra: sh32(Op.i32_shr_s),
  addu: alu3(Op.i64_add, true), subu: alu3(Op.i64_sub, true), and: alu3(Op.i64_and), or: alu3(Op.i64_or), xor: alu3(Op.i64_xor),
  nor: (g) => g.set(RD, () => { g.reg(RS); g.reg(RT); g.c.op(Op.i64_or).i64(-1n).op(Op.i64_xor); }),
  slt: cmp3(Op.i64_lt_s), sltu: cmp3(Op.i64_lt_u), daddu: alu3(Op.i64_add), dsubu: alu3(Op.i64_sub),
  movz: (g) => { g.reg(RT); g.c.op(Op.i64_eqz).begin(Op.if); g.set(RD, () => g.reg(RS)); g.c.op(Op.end); },
  movn: (g) => { g.reg(RT); g.c.op(Op.i64_eqz, Op.i32_eqz).begin(Op.if); g.set(RD, () => g.reg(RS)); g.c.op(Op.end); },
  dsll: sh64(Op.i64_shl, 0), dsrl: sh64(Op.i64_shr_u, 0), dsra: sh64(Op.i64_shr_s, 0),
  dsll32: sh64(Op.i64_shl, 32), dsrl32: sh64(Op.i64_shr_u, 32), dsra32: sh64(Op.i64_shr_s, 32),
  addiu: aluI(Op.i64_add, false, true), daddiu: aluI(Op.i64_add, false),
  slti: cmpI(Op.i64_lt_s), sltiu: cmpI(Op.i64_lt_u),
  andi: aluI(Op.i64_and, true), ori: aluI(Op.i64_or, true), xori: aluI(Op.i64_xor, true),
  lui: (g) => g.set(RT, () => { g.c.get(W).i32(16).op(Op.i32_shl, Op.i64_extend_i32_s); }),
  beq: branch((g) => { g.reg(RS); g.reg(RT); g.c.op(Op.i64_eq); }),
  bne: branch((g) => { g.reg(RS); g.reg(RT); g.c.op(Op.i64_ne); }),
  blez: branch((g) => { g.reg(RS); g.c.i64(0n).op(Op.i64_le_s); }),
  bgtz: branch((g) => { g.reg(RS); g.c.i64(0n).op(Op.i64_gt_s); }),
  bltz: branch((g) => { g.reg(RS); g.c.i64(0n).op(Op.i64_lt_s); }),
  bgez: branch((g) => { g.reg(RS); g.c.i64(0n).op(Op.i64_ge_s); }),
  j: (g, d) => { g.c.get(WAS).brIf(d); jumpTarget(g); g.c.i32(1).set(BR); },
  jal: (g, d) => {
    g.c.get(WAS).brIf(d); jumpTarget(g); g.c.i32(1).set(BR);
    g.c.i32(31 * 8).get(PC).i64(8n).op(Op.i64_add).mem(Op.i64_store, 3, g.L.regs);
  },
  jr: (g, d) => { g.c.get(WAS).brIf(d); g.reg(RS); g.c.set(TGT).i32(1).set(BR); },
  jalr: (g, d) => { g.c.get(WAS).brIf(d); g.reg(RS); g.c.set(TGT).i32(1).set(BR); g.set(RD, () => { g.c.get(PC).i64(8n).op(Op.i64_add); }); },
  lb: load(Op.i64_load8_s, 1), lbu: load(Op.i64_load8_u, 1), lh: load(Op.i64_load16_s, 2), lhu: load(Op.i64_load16_u, 2),
  lw: load(Op.i64_load32_s, 4), lwu: load(Op.i64_load32_u, 4), ld: load(Op.i64_load, 8),
  sb: store(Op.i64_store8, 1), sh: store(Op.i64_store16, 2), sw: store(Op.i64_store32, 4), sd: store(Op.i64_store, 8),
  // (cache: caches are not modelled and Kernel mode may use CP0.)
  sync: () => {}, pref: () => {}, cache: () => {},
  // A trap that fires is the interpreter's (it raises Tr); one that does not is a no-op.
  teq: (g, d) => { g.reg(RS); g.reg(RT); g.c.op(Op.i64_eq).brIf(d); },
  tne: (g, d) => { g.reg(RS); g.reg(RT); g.c.op(Op.i64_ne).brIf(d); },
  sllv: shv32(Op.i32_shl), srlv: shv32(Op.i32_shr_u), srav: shv32(Op.i32_shr_s), rotrv: shv32(Op.i32_rotr),
  rotr: sh32(Op.i32_rotr),
  dsllv: shv64(Op.i64_shl), dsrlv: shv64(Op.i64_shr_u), dsrav: shv64(Op.i64_shr_s),
  // ext: (low word of rs >>> pos) & ones(size), sign-extended; dext*: (rs >>> pos) & ones(size) on 64 bits.
  ext: (g) => g.set(RT, () => {
    const c = g.c;
    g.reg(RS); c.op(Op.i32_wrap_i64); g.sa(); c.op(Op.i32_shr_u);
    c.i32(-1).i32(32); size(g, 1); c.op(Op.i32_sub, Op.i32_shr_u, Op.i32_and, Op.i64_extend_i32_s);
  }),
  dext: dextOp(0, 1), dextm: dextOp(0, 33), dextu: dextOp(32, 1),
  mul: (g) => g.set(RD, () => { g.reg(RS); g.c.op(Op.i32_wrap_i64); g.reg(RT); g.c.op(Op.i32_wrap_i64, Op.i32_mul, Op.i64_extend_i32_s); }),
  seb: (g) => g.set(RD, () => { g.reg(RT); g.c.op(Op.i64_extend8_s); }),
  seh: (g) => g.set(RD, () => { g.reg(RT); g.c.op(Op.i64_extend16_s); }),
};

/** Emits the runner: run() → instructions executed, | NEEDS_INTERPRETER when it stopped at one it cannot run. */
function emitRunner(L: RunnerLayout): Code {
  const g = new Emitter(L);
  const c = g.c, ctrl = L.ctrl;
  c.i32(0).mem(Op.i64_load, 3, ctrl + RCtrl.PC).set(PC);
  c.i32(0).mem(Op.i64_load, 3, ctrl + RCtrl.DS).set(DS);
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.DLY).set(DLY);
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.MAX).set(MAX);
  c.begin(Op.block); // $interp (depth from the loop body: see below)
  c.begin(Op.block); // $end
  c.begin(Op.loop); // $next
  // Depths inside the loop: $next 0, $end 1, $interp 2.
  c.get(N).get(MAX).op(Op.i32_ge_u).brIf(1);
  // Fetch (Kernel mode's fetch table; a misaligned PC misses).
  c.get(PC).set(A);
  g.lookup(2, 4, 2);
  c.get(X).mem(Op.i32_load, 2, 0).set(W);
  // The op from the decoded-word cache (a miss: the interpreter decodes it).
  c.get(W).i32(0x9e3779b1 | 0).op(Op.i32_mul).i32(L.dcShift).op(Op.i32_shr_u).i32(2).op(Op.i32_shl).tee(I);
  c.mem(Op.i32_load, 2, L.dcWord).get(W).op(Op.i32_ne).brIf(2);
  c.get(I).mem(Op.i32_load, 2, L.dcOp).set(OP);
  c.get(W).i32(18).op(Op.i32_shr_u).i32(31 << 3).op(Op.i32_and).set(RS);
  c.get(W).i32(13).op(Op.i32_shr_u).i32(31 << 3).op(Op.i32_and).set(RT);
  c.get(W).i32(8).op(Op.i32_shr_u).i32(31 << 3).op(Op.i32_and).set(RD);
  c.get(DLY).set(WAS);
  c.i32(0).set(BR);
  // One block per case, innermost first; br_table index k lands after block k's end.
  const ops = CACHE_OPS.map((op) => CASES[op]);
  c.begin(Op.block); // $done
  for (let k = 0; k <= ops.length; k++) c.begin(Op.block);
  // Index k lands after the end of the block at depth k: case k's code. Op 0 (one the block
  // runner calls a handler for) and ops without a case land at depth 0, which leaves to the interpreter.
  c.get(OP).op(Op.br_table);
  c.u32(ops.length + 1);
  c.u32(0);
  for (let k = 1; k <= ops.length; k++) c.u32(ops[k - 1] ? k : 0);
  c.u32(0);
  c.op(Op.end);
  // Here: ops.length case blocks open, then $done, $next, $end, $interp.
  c.br(ops.length + 3);
  for (let k = 1; k <= ops.length; k++) {
    c.op(Op.end);
    // Here: ops.length − k case blocks open, then $done, $next, $end, $interp.
    const depthDone = ops.length - k;
    const f = ops[k - 1];
    if (f) { f(g, depthDone + 3); c.br(depthDone); } else c.op(0x00 /* unreachable: index k never lands here */);
  }
  c.op(Op.end); // $done
  // $zero stays zero; one more instruction done.
  c.i32(0).i64(0n).mem(Op.i64_store, 3, L.regs);
  c.get(N).i32(1).op(Op.i32_add).set(N);
  // Advance: after a delay slot, to the branch target and the block ends; a branch makes the next instruction its delay slot.
  c.get(WAS).begin(Op.if);
  c.get(DS).set(PC).i32(0).set(DLY).br(2);
  c.op(Op.end);
  c.get(PC).i64(4n).op(Op.i64_add).set(PC);
  c.get(BR).begin(Op.if);
  c.i32(1).set(DLY).get(TGT).set(DS);
  c.op(Op.end);
  c.get(PC).op(Op.i32_wrap_i64).i32(0xfff).op(Op.i32_and, Op.i32_eqz).brIf(1); // page boundary: the block ends
  c.br(0);
  c.op(Op.end); // $next
  c.op(Op.end); // $end
  c.i32(0).get(PC).mem(Op.i64_store, 3, ctrl + RCtrl.PC);
  c.i32(0).get(DS).mem(Op.i64_store, 3, ctrl + RCtrl.DS);
  c.i32(0).get(DLY).mem(Op.i32_store, 2, ctrl + RCtrl.DLY);
  c.get(N).op(Op.return);
  c.op(Op.end); // $interp
  c.i32(0).get(PC).mem(Op.i64_store, 3, ctrl + RCtrl.PC);
  c.i32(0).get(DS).mem(Op.i64_store, 3, ctrl + RCtrl.DS);
  c.i32(0).get(DLY).mem(Op.i32_store, 2, ctrl + RCtrl.DLY);
  c.get(N).i32(NEEDS_INTERPRETER).op(Op.i32_or);
  return c;
}

/** The runner for one CPU. */
export class WasmRunner {
  private readonly fn: () => number;
  private readonly i32: Int32Array;

  static create(cpu: Cpu, bus: PhysicalBus, dc: { word: Int32Array; op: Int32Array; shift: number }): WasmRunner | undefined {
    if (!wasmApi || !bus.memory || cpu.big || dc.word.buffer !== bus.buffer || cpu.htlb.wideTag.buffer !== bus.buffer) return undefined;
    return new WasmRunner(cpu, bus, dc);
  }

  private constructor(private readonly cpu: Cpu, bus: PhysicalBus, dc: { word: Int32Array; op: Int32Array; shift: number }) {
    const ctrl = bus.allocCore(RCtrl.BYTES);
    const L: RunnerLayout = {
      regs: cpu.r.byteOffset, wideTag: cpu.htlb.wideTag.byteOffset, wideAdd: cpu.htlb.wideAdd.byteOffset,
      dcWord: dc.word.byteOffset, dcOp: dc.op.byteOffset, dcShift: dc.shift, ctrl,
    };
    this.i32 = new Int32Array(bus.buffer, ctrl, RCtrl.BYTES / 4);
    const bytes = encodeModule({
      types: [{ params: [], results: [ValType.i32] }],
      memory: { module: 'm', name: 'mem', minPages: 0 },
      imports: [],
      funcs: [{ type: 0, locals: LOCALS, code: emitRunner(L) }],
      exports: [{ name: 'run', func: 0 }],
    });
    this.fn = instantiate(bytes, { m: { mem: bus.memory } }).exports.run as () => number;
  }

  /**
   * Runs up to `max` instructions of the block at PC (Kernel mode; the caller checked that
   * no interrupt, breakpoint, WAIT or event is due within them) and updates PC, the delay-
   * slot state and icount; returns the instructions run, | NEEDS_INTERPRETER when the
   * interpreter must continue the block at PC.
   */
  run(max: number): number {
    const c = this.cpu, m = this.i32;
    m[RCtrl.PC >> 2] = c.pcLo; m[(RCtrl.PC >> 2) + 1] = c.pcHi;
    m[RCtrl.DS >> 2] = c.dsLo; m[(RCtrl.DS >> 2) + 1] = c.dsHi;
    m[RCtrl.DLY >> 2] = c.inDelay ? 1 : 0;
    m[RCtrl.MAX >> 2] = max;
    const r = this.fn();
    c.pcLo = m[RCtrl.PC >> 2]; c.pcHi = m[(RCtrl.PC >> 2) + 1];
    c.dsLo = m[RCtrl.DS >> 2]; c.dsHi = m[(RCtrl.DS >> 2) + 1];
    c.inDelay = m[RCtrl.DLY >> 2] !== 0;
    c.icount += r & 0xffff;
    return r;
  }
}
