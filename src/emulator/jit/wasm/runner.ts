// The cold path in WebAssembly: one function, compiled once, that runs a block's worth of
// not-yet-translated guest code instruction by instruction — fetch through the host
// translation cache, the op from its own cache by instruction address (refilled from the
// interpreter's decoded-word cache; all in the bus's memory), a br_table over the
// commonest integer ops, guest registers read and written in memory. An instruction it
// cannot run natively with exactly the interpreter's result and no side effect (any other
// op, a translation-cache miss, a misaligned address, a branch in a delay slot, a trap that
// fires, a word not in the decoded-word cache yet) is run by the interpreter in a call-out
// (step), so every exception, device access and CP0 effect stays the interpreter's; the
// runner goes on after it unless it ended the block, faulted, or changed what the runner
// assumes (Kernel mode, no interrupt or event due, the TLB, KX). At a block's end it goes
// on by itself — keeping the dispatcher's heat bookkeeping — into the translated region the
// jump cache names for the next start (and the regions that one links to), or into the
// next cold block, until a start is the dispatcher's business (warm or hot heat, a
// translation not in the jump cache, an event near). Little-endian guests on a
// little-endian host only.

import type { Cpu } from '../../cpu/cpu';
import { ST_KX } from '../../cpu/cp0-defs';
import { CACHE_OPS, Interpreter } from '../../cpu/interpreter';
import type { PhysicalBus } from '../../memory/bus';
import { instantiate, wasmApi } from '../../memory/wasm-api';
import { storeAsDoubles } from '../../double-fields';
import { Code, encodeModule, Op, ValType } from './encoder';
import { Ctrl, JC_SIZE, Layout } from './layout';
import type { WasmTier } from './tier';
import { LookupLocals, wideAddress, wideHit, wideTable } from './wide-lookup';

/**
 * Control words (byte offsets from the runner's area): PC and branch target (int64), in a
 * delay slot, instructions per block, the budget for starting further blocks, the heat
 * thresholds (warm, hot), (out) the instructions attempted in the first block and the cold
 * blocks gone on to; whether it may enter translated regions, the icount at the start
 * (f64), (out) the regions run, how the run ended (RunEnd) and the instructions run in regions.
 */
const enum RCtrl {
  PC = 0, DS = 8, DLY = 16, MAX = 20, BUDGET = 24, WARM = 28, HOT = 32, FIRST = 36, CHAINED = 40, ENTER = 44,
  BASE = 48, REGIONS = 56, END = 60, REGION_INSNS = 64, BYTES = 72,
}

/** How run() ended. */
export const enum RunEnd {
  /** In cold code: PC, delay state and icount are the runner's (or a call-out's, final). */
  Cold = 0,
  /**
   * Right after a region's exit: the tier's control words hold the state, or say that a
   * call-out took a guest exception (WasmTier.afterRegions).
   */
  Region = 1,
}

/** Locals of the runner. */
const N = 0, DLY = 1, MAX = 2, W = 3, OP = 4, X = 5, I = 6, RS = 7, RT = 8, RD = 9, WAS = 10, BR = 11,
  FIRST = 12, HS = 13, NB0 = 14, FX = 15, LASTREG = 16, RN0 = 17, PC = 18, DS = 19, A = 20, TGT = 21, E = 22;
const LOOKUP: LookupLocals = { a: A, x: X, i: I };
const LOCALS: ValType[] = [...new Array<ValType>(18).fill(ValType.i32), ...new Array<ValType>(5).fill(ValType.i64)];

/**
 * Entries of the runner's op cache (a power of two): direct-mapped by the instruction's
 * host address, an int64 each — the word (low half) and its op (high half), valid while
 * the word at that address is the same. Cold code runs in sequence, so this reads a few
 * cache lines per block where the decoded-word cache, hashed by the word, reads one per
 * instruction (its misses were a fifth of the runner's samples).
 */
const OPC_BITS = 15;

/** Where the runner finds its tables. */
export interface RunnerLayout {
  regs: number;
  wideTag: number;
  wideAdd: number;
  dcWord: number;
  dcOp: number;
  dcShift: number;
  /** The op cache (OPC_BITS entries of int64). */
  opc: number;
  ctrl: number;
  /** The dispatcher's block-start bookkeeping (see ColdStarts). */
  starts: ColdStarts;
  /** The translated regions' layout (jump cache, starts, control words), when the runner may enter them. */
  regions: Layout | undefined;
}

/**
 * The dispatcher's bookkeeping of cold block starts, which the runner keeps when it goes on
 * from one block to the next (jit/engine.ts): `slots` is an Int32Array in the bus's memory,
 * two words per slot of a power-of-two table indexed for Kernel mode by
 * ((ramOff >>> 2) ^ (ramOff >>> 18)) & (slots − 1) (the engine's heatSlot): the slot's heat
 * — a block start's run adds its instructions + `runWeight` — and the translations whose
 * start hashes to the slot (the runner leaves those starts to the dispatcher).
 */
export interface ColdStarts {
  slots: Int32Array;
  runWeight: number;
}

/** What the step call-out tells the runner after the interpreter ran one instruction. */
const enum Step {
  /** Go on with the next instruction (PC, branch target and delay state reloaded from the control words). */
  Next = 0,
  /** Return: the instruction faulted or changed the runner's assumptions (the CPU's state is final). */
  Return = 1,
  /** The block ended (as the interpreter's block runner ends it): the runner may go on with the next one. */
  End = 2,
}

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
   * mode's table for `kind`: 0 read, 1 write, 2 fetch); a miss branches to the interpreter's
   * call-out (depth: its branch depth). Leaves the host address in X.
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
/** Pushes the bit-field's msb/msbd field ((W >>> 11) & 31) + add as an i32 (ext/dext: size − 1; ins/dins: msb). */
const msbd = (g: Emitter, add: number): void => { g.c.get(W).i32(11).op(Op.i32_shr_u).i32(31).op(Op.i32_and).i32(add).op(Op.i32_add); };
/** dext/dextm/dextu: (rs >>> (sa + posAdd)) & (−1 >>> (64 − size)), size = msbd + sizeAdd. */
const dextOp = (posAdd: number, sizeAdd: number): CaseFn => (g) => g.set(RT, () => {
  const c = g.c;
  g.reg(RS); g.sa(); if (posAdd) c.i32(posAdd).op(Op.i32_add); c.op(Op.i64_extend_i32_u, Op.i64_shr_u);
  c.i64(-1n).i32(64); msbd(g, sizeAdd); c.op(Op.i32_sub, Op.i64_extend_i32_u, Op.i64_shr_u, Op.i64_and);
});
/** Byte offsets of LO and HI in the register file. */
const LO_OFF = 64 * 4, HI_OFF = 66 * 4;
/** Pushes the bit-field lsb (sa) + add as an i32. */
const lsbd = (g: Emitter, add: number): void => { g.sa(); if (add) g.c.i32(add).op(Op.i32_add); };
/** dins/dinsm/dinsu: bits lsb..msb of rt from rs (none when msb < lsb); lsb = sa + lsbAdd, msb = msbd + msbAdd. */
const dinsOp = (lsbAdd: number, msbAdd: number): CaseFn => (g) => g.set(RT, () => {
  const c = g.c;
  // A = mask: msb >= lsb ? (−1 >>> (63 − (msb − lsb))) << lsb : 0
  c.i64(-1n).i32(63); msbd(g, msbAdd); lsbd(g, lsbAdd); c.op(Op.i32_sub, Op.i32_sub, Op.i64_extend_i32_u, Op.i64_shr_u);
  lsbd(g, lsbAdd); c.op(Op.i64_extend_i32_u, Op.i64_shl);
  c.i64(0n); msbd(g, msbAdd); lsbd(g, lsbAdd); c.op(Op.i32_ge_s, Op.select).set(A);
  g.reg(RT); c.get(A).i64(-1n).op(Op.i64_xor, Op.i64_and);
  g.reg(RS); lsbd(g, lsbAdd); c.op(Op.i64_extend_i32_u, Op.i64_shl).get(A).op(Op.i64_and, Op.i64_or);
});
/**
 * lwl/lwr (little-endian): the aligned word holding EA, merged into rt's low word at the
 * byte offset b = EA & 3 (lwl: w << (24 − 8b) over rt's low bits; lwr: w >>> 8b over its
 * high bits), sign-extended. OP holds the word, I the shift.
 */
const loadWordPart = (left: boolean): CaseFn => (g, d) => {
  const c = g.c;
  ea(g); g.lookup(0, 1, d); // (any alignment: the aligned word is read)
  c.get(X).i32(-4).op(Op.i32_and).mem(Op.i32_load, 2, 0).set(OP);
  c.get(X).i32(3).op(Op.i32_and).i32(3).op(Op.i32_shl).set(I);
  if (left) c.i32(24).get(I).op(Op.i32_sub).set(I);
  g.set(RT, () => {
    if (left) {
      c.get(OP).get(I).op(Op.i32_shl);
      g.reg(RT); c.op(Op.i32_wrap_i64).i32(1).get(I).op(Op.i32_shl).i32(1).op(Op.i32_sub, Op.i32_and, Op.i32_or);
    } else {
      c.get(OP).get(I).op(Op.i32_shr_u);
      g.reg(RT); c.op(Op.i32_wrap_i64).i32(-1).get(I).op(Op.i32_shr_u).i32(-1).op(Op.i32_xor, Op.i32_and, Op.i32_or);
    }
    c.op(Op.i64_extend_i32_s);
  });
};
/**
 * ldl/ldr (little-endian): the aligned doubleword holding EA (in TGT, free outside
 * branches), merged into rt at byte offset b = EA & 7 (shift in A).
 */
const loadDoublePart = (left: boolean): CaseFn => (g, d) => {
  const c = g.c;
  ea(g); g.lookup(0, 1, d);
  c.get(X).i32(-8).op(Op.i32_and).mem(Op.i64_load, 3, 0).set(TGT);
  c.get(X).i32(7).op(Op.i32_and).i32(3).op(Op.i32_shl, Op.i64_extend_i32_u).set(A);
  if (left) c.i64(56n).get(A).op(Op.i64_sub).set(A);
  g.set(RT, () => {
    if (left) {
      c.get(TGT).get(A).op(Op.i64_shl);
      g.reg(RT); c.i64(1n).get(A).op(Op.i64_shl).i64(1n).op(Op.i64_sub, Op.i64_and, Op.i64_or);
    } else {
      c.get(TGT).get(A).op(Op.i64_shr_u);
      g.reg(RT); c.i64(-1n).get(A).op(Op.i64_shr_u).i64(-1n).op(Op.i64_xor, Op.i64_and, Op.i64_or);
    }
  });
};
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
    c.i32(-1).i32(32); msbd(g, 1); c.op(Op.i32_sub, Op.i32_shr_u, Op.i32_and, Op.i64_extend_i32_s);
  }),
  dext: dextOp(0, 1), dextm: dextOp(0, 33), dextu: dextOp(32, 1),
  mul: (g) => g.set(RD, () => { g.reg(RS); g.c.op(Op.i32_wrap_i64); g.reg(RT); g.c.op(Op.i32_wrap_i64, Op.i32_mul, Op.i64_extend_i32_s); }),
  seb: (g) => g.set(RD, () => { g.reg(RT); g.c.op(Op.i64_extend8_s); }),
  seh: (g) => g.set(RD, () => { g.reg(RT); g.c.op(Op.i64_extend16_s); }),
  // LO and HI follow the GPRs (Cpu.r words 64..67).
  mflo: (g) => g.set(RD, () => { g.c.i32(LO_OFF).mem(Op.i64_load, 3, g.L.regs); }),
  mfhi: (g) => g.set(RD, () => { g.c.i32(HI_OFF).mem(Op.i64_load, 3, g.L.regs); }),
  mtlo: (g) => { g.c.i32(LO_OFF); g.reg(RS); g.c.mem(Op.i64_store, 3, g.L.regs); },
  mthi: (g) => { g.c.i32(HI_OFF); g.reg(RS); g.c.mem(Op.i64_store, 3, g.L.regs); },
  // Byte swaps: within halfwords of the low word (sign-extended) or of the doubleword; halfwords of the doubleword.
  wsbh: (g) => g.set(RD, () => {
    const c = g.c;
    g.reg(RT); c.op(Op.i32_wrap_i64).tee(X).i32(0x00ff00ff).op(Op.i32_and).i32(8).op(Op.i32_shl);
    c.get(X).i32(8).op(Op.i32_shr_u).i32(0x00ff00ff).op(Op.i32_and, Op.i32_or, Op.i64_extend_i32_s);
  }),
  dsbh: (g) => g.set(RD, () => {
    const c = g.c, m = 0x00ff00ff00ff00ffn;
    g.reg(RT); c.set(A).get(A).i64(m).op(Op.i64_and).i64(8n).op(Op.i64_shl);
    c.get(A).i64(8n).op(Op.i64_shr_u).i64(m).op(Op.i64_and, Op.i64_or);
  }),
  dshd: (g) => g.set(RD, () => {
    const c = g.c;
    g.reg(RT); c.i64(32n).op(Op.i64_rotr).set(A);
    c.get(A).i64(16n).op(Op.i64_shl).i64(BigInt.asIntN(64, 0xffff0000ffff0000n)).op(Op.i64_and);
    c.get(A).i64(16n).op(Op.i64_shr_u).i64(0x0000ffff0000ffffn).op(Op.i64_and, Op.i64_or);
  }),
  // ins: bits lsb..msb of rt's low word from rs (none when msb < lsb), sign-extended.
  ins: (g) => g.set(RT, () => {
    const c = g.c;
    // X = mask: msb >= lsb ? (−1 >>> (31 − (msb − lsb))) << lsb : 0
    c.i32(-1).i32(31); msbd(g, 0); g.sa(); c.op(Op.i32_sub, Op.i32_sub, Op.i32_shr_u); g.sa(); c.op(Op.i32_shl);
    c.i32(0); msbd(g, 0); g.sa(); c.op(Op.i32_ge_s, Op.select).set(X);
    g.reg(RT); c.op(Op.i32_wrap_i64).get(X).i32(-1).op(Op.i32_xor, Op.i32_and);
    g.reg(RS); c.op(Op.i32_wrap_i64); g.sa(); c.op(Op.i32_shl).get(X).op(Op.i32_and, Op.i32_or, Op.i64_extend_i32_s);
  }),
  dins: dinsOp(0, 0), dinsm: dinsOp(0, 32), dinsu: dinsOp(32, 32),
  lwl: loadWordPart(true), lwr: loadWordPart(false),
  ldl: loadDoublePart(true), ldr: loadDoublePart(false),
};

/** Imported function index of the step call-out. */
const FN_STEP = 0;

/** Emits the runner: run() → instructions attempted (the one a call-out ended with included). */
function emitRunner(L: RunnerLayout): Code {
  const g = new Emitter(L);
  const c = g.c, ctrl = L.ctrl;
  const loadCtrl = (): void => {
    c.i32(0).mem(Op.i64_load, 3, ctrl + RCtrl.PC).set(PC);
    c.i32(0).mem(Op.i64_load, 3, ctrl + RCtrl.DS).set(DS);
    c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.DLY).set(DLY);
  };
  const storeCtrl = (): void => {
    c.i32(0).get(PC).mem(Op.i64_store, 3, ctrl + RCtrl.PC);
    c.i32(0).get(DS).mem(Op.i64_store, 3, ctrl + RCtrl.DS);
    c.i32(0).get(DLY).mem(Op.i32_store, 2, ctrl + RCtrl.DLY);
  };
  const H = L.starts, heat = H.slots.byteOffset, translated = heat + 4;
  /** heat[HS] += N − NB0 + runWeight (a chained block's run; the first block's is the dispatcher's). */
  const addHeat = (): void => {
    c.get(HS).get(HS).mem(Op.i32_load, 2, heat).get(N).get(NB0).op(Op.i32_sub, Op.i32_add).i32(H.runWeight).op(Op.i32_add);
    c.mem(Op.i32_store, 2, heat);
  };
  /** Leaves the first block's count in the control words (and adds a chained block's heat). */
  const finish = (): void => {
    c.get(FIRST).i32(0).op(Op.i32_lt_s).begin(Op.if);
    c.get(N).set(FIRST);
    c.op(Op.else); addHeat(); c.op(Op.end);
    c.i32(0).get(FIRST).mem(Op.i32_store, 2, ctrl + RCtrl.FIRST);
  };
  loadCtrl();
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.MAX).set(MAX);
  c.i32(-1).set(FIRST);
  c.begin(Op.loop); // $outer: re-entered after a call-out that lets the runner go on, and for each further block
  c.begin(Op.block); // $blockEnd
  c.begin(Op.block); // $interp (depth from the loop body: see below)
  c.begin(Op.block); // $end
  // The host address of PC (Kernel mode's fetch table; a misaligned PC misses): FX, which
  // follows PC through the block (straight-line up to its delay slot, on one page).
  c.get(PC).set(A);
  g.lookup(2, 4, 1);
  c.get(X).set(FX);
  c.begin(Op.loop); // $next
  // Depths inside the loop: $next 0, $end 1, $interp 2, $blockEnd 3, $outer 4.
  c.get(N).get(MAX).op(Op.i32_ge_u).brIf(1);
  c.get(FX).mem(Op.i32_load, 2, 0).set(W);
  // The op from the op cache; on a miss from the decoded-word cache, which refills it (a
  // miss there too: the interpreter decodes the word).
  c.get(FX).i32(2).op(Op.i32_shr_u).i32((1 << OPC_BITS) - 1).op(Op.i32_and).i32(3).op(Op.i32_shl).tee(I);
  c.mem(Op.i64_load, 3, L.opc).tee(E).op(Op.i32_wrap_i64).get(W).op(Op.i32_eq);
  c.begin(Op.if);
  c.get(E).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).set(OP);
  c.op(Op.else);
  c.get(W).i32(0x9e3779b1 | 0).op(Op.i32_mul).i32(L.dcShift).op(Op.i32_shr_u).i32(2).op(Op.i32_shl).tee(RS);
  c.mem(Op.i32_load, 2, L.dcWord).get(W).op(Op.i32_ne).brIf(3);
  c.get(RS).mem(Op.i32_load, 2, L.dcOp).set(OP);
  c.get(I).get(W).op(Op.i64_extend_i32_u).get(OP).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl, Op.i64_or).mem(Op.i64_store, 3, L.opc);
  c.op(Op.end);
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
  c.get(FX).i32(4).op(Op.i32_add).set(FX);
  c.get(BR).begin(Op.if);
  c.i32(1).set(DLY).get(TGT).set(DS);
  c.op(Op.end);
  c.get(PC).op(Op.i32_wrap_i64).i32(0xfff).op(Op.i32_and, Op.i32_eqz).brIf(1); // page boundary: the block ends
  c.br(0);
  c.op(Op.end); // $next
  c.op(Op.end); // $end
  c.br(1); // $blockEnd
  c.op(Op.end); // $interp
  // The interpreter runs the instruction at PC (call-out), then the runner goes on or returns.
  storeCtrl();
  c.get(N).call(FN_STEP).set(OP);
  c.get(N).i32(1).op(Op.i32_add).set(N);
  c.get(OP).i32(Step.Return).op(Op.i32_eq).begin(Op.if);
  finish(); c.get(N).op(Op.return);
  c.op(Op.end);
  loadCtrl();
  c.get(OP).i32(Step.Next).op(Op.i32_eq).brIf(1); // $outer
  // (Step.End: the block ended.)
  c.op(Op.end); // $blockEnd
  // The block ended. Go on with the next one when it starts on its own (no delay slot
  // pending), within the budget, at a fetch-cached address: a translated region the jump
  // cache names, or a cold block whose heat one more run cannot bring to the warm or hot
  // threshold (the dispatcher's business); else return to the dispatcher. (The jump cache
  // first: most block ends go into a region, and the heat table is the larger one to miss in.)
  finish();
  c.begin(Op.loop); // $decide: after regions ran, where they left off
  c.begin(Op.block); // $exit
  c.get(DLY).brIf(0);
  c.get(N).get(MAX).op(Op.i32_add).get(NB0).op(Op.i32_sub).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.BUDGET).op(Op.i32_gt_s).brIf(0);
  c.get(PC).set(A);
  g.lookup(2, 4, 0);
  if (L.regions) enterRegions(g, L.regions);
  // A start with a translation but no region entered: the dispatcher's.
  c.get(X).i32(2).op(Op.i32_shr_u).get(X).i32(18).op(Op.i32_shr_u).op(Op.i32_xor);
  c.i32(H.slots.length / 2 - 1).op(Op.i32_and).i32(3).op(Op.i32_shl).tee(I);
  c.mem(Op.i32_load, 2, translated).brIf(0);
  // heat + per-block max + runWeight < (heat < WARM ? WARM : HOT)
  c.get(I).mem(Op.i32_load, 2, heat).tee(W).get(MAX).get(NB0).op(Op.i32_sub, Op.i32_add).i32(H.runWeight).op(Op.i32_add);
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.WARM).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.HOT);
  c.get(W).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.WARM).op(Op.i32_lt_s, Op.select, Op.i32_ge_s).brIf(0);
  // Run it: its heat slot, where its count starts, its instruction limit.
  c.i32(0).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.CHAINED).i32(1).op(Op.i32_add).mem(Op.i32_store, 2, ctrl + RCtrl.CHAINED);
  c.get(I).set(HS);
  c.get(MAX).get(NB0).op(Op.i32_sub).get(N).op(Op.i32_add).set(MAX);
  c.get(N).set(NB0);
  c.i32(0).set(LASTREG);
  c.br(2); // $outer
  c.op(Op.end); // $exit
  storeCtrl();
  c.get(LASTREG).begin(Op.if).i32(0).i32(RunEnd.Region).mem(Op.i32_store, 2, ctrl + RCtrl.END).op(Op.end);
  c.get(N).op(Op.return);
  c.op(Op.end); // $decide
  c.op(Op.end); // $outer
  c.op(0x00); // (unreachable: $outer only returns or loops)
  return c;
}

/**
 * Inside $exit, $decide, $outer: runs the region the jump cache names for PC (if allowed,
 * and it starts there) and the regions it links to, then goes back to $decide at their exit
 * — or leaves, after a region's exit without a link slot (a device access), past the icount
 * limit, or on a guest exception. Falls through when no region is entered.
 */
function enterRegions(g: Emitter, R: Layout): void {
  const c = g.c, ctrl = g.L.ctrl, tc = R.ctrl;
  c.begin(Op.block); // depths: block 0, $exit 1, $decide 2, $outer 3
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.ENTER).op(Op.i32_eqz).brIf(0);
  // OP = jc[jcSlot(PC)]: ((lo >>> 2) ^ (lo >>> 16)) & (JC_SIZE − 1)
  c.get(PC).op(Op.i32_wrap_i64).tee(W).i32(2).op(Op.i32_shr_u).get(W).i32(16).op(Op.i32_shr_u).op(Op.i32_xor);
  c.i32(JC_SIZE - 1).op(Op.i32_and).i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, R.jc).tee(OP).op(Op.i32_eqz).brIf(0);
  c.get(OP).i32(3).op(Op.i32_shl).mem(Op.i64_load, 3, R.starts).get(PC).op(Op.i64_ne).brIf(0);
  // The regions' icount at entry (Ctrl.IC0) and the instructions they may run before a
  // link may no longer be followed (Ctrl.REM0/REM): BUDGET − MAX − N, as the dispatcher's jitLimit.
  c.i32(0).i32(0).mem(Op.f64_load, 3, ctrl + RCtrl.BASE).get(N).op(Op.f64_convert_i32_s, Op.f64_add).mem(Op.f64_store, 3, tc + Ctrl.IC0);
  c.i32(0).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.BUDGET).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.MAX).op(Op.i32_sub).get(N).op(Op.i32_sub).tee(RN0);
  c.mem(Op.i32_store, 2, tc + Ctrl.REM0).i32(0).get(RN0).mem(Op.i32_store, 2, tc + Ctrl.REM);
  c.begin(Op.loop);
  c.i32(0).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.REGIONS).i32(1).op(Op.i32_add).mem(Op.i32_store, 2, ctrl + RCtrl.REGIONS);
  c.get(OP).callIndirect(0).tee(OP).brIf(0);
  c.op(Op.end);
  c.i32(1).set(LASTREG);
  c.i32(0).mem(Op.i32_load, 2, tc + Ctrl.SLOT).tee(W).i32(-2).op(Op.i32_eq).begin(Op.if);
  c.i32(0).i32(RunEnd.Region).mem(Op.i32_store, 2, ctrl + RCtrl.END).get(N).op(Op.return);
  c.op(Op.end);
  // Instructions the regions ran: REM0 − REM (RN0 holds REM0).
  c.i32(0).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.REGION_INSNS).get(RN0).i32(0).mem(Op.i32_load, 2, tc + Ctrl.REM).op(Op.i32_sub).tee(OP);
  c.op(Op.i32_add).mem(Op.i32_store, 2, ctrl + RCtrl.REGION_INSNS);
  c.get(N).get(OP).op(Op.i32_add).set(N);
  c.i32(0).mem(Op.i32_load, 2, tc + Ctrl.PCHI).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl);
  c.i32(0).mem(Op.i32_load, 2, tc + Ctrl.PCLO).op(Op.i64_extend_i32_u, Op.i64_or).set(PC);
  // (A device access, or no link could be followed any more: the dispatcher's turn.)
  c.get(W).i32(-1).op(Op.i32_eq).brIf(1);
  c.i32(0).mem(Op.i32_load, 2, tc + Ctrl.REM).i32(0).op(Op.i32_lt_s).brIf(1);
  c.br(2); // $decide
  c.op(Op.end);
}

/** The runner for one CPU. */
export class WasmRunner {
  private readonly fn: () => number;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  /** icount when run() began (the runner counts from it). */
  private base = 0;
  /** c.nextEvent when run() began: a call-out that moves it returns to the dispatcher. */
  private event = 0;
  /** Host translation cache flushes and Status.KX when run() began (a call-out changing them returns). */
  private flushes = 0;
  private kx = 0;
  /** Set by a call-out that returned Step.Return: the CPU's PC, delay state and icount are final. */
  private returned = false;

  static create(cpu: Cpu, bus: PhysicalBus, interp: Interpreter, starts: ColdStarts, tier: WasmTier | undefined): WasmRunner | undefined {
    const dc = interp.decodeCache();
    if (!wasmApi || !bus.memory || cpu.big || dc.word.buffer !== bus.buffer || cpu.htlb.wideTag.buffer !== bus.buffer) return undefined;
    if (starts.slots.buffer !== bus.buffer) return undefined;
    return new WasmRunner(cpu, bus, interp, dc, starts, tier);
  }

  private constructor(private readonly cpu: Cpu, bus: PhysicalBus, private readonly interp: Interpreter,
    dc: { word: Int32Array; op: Int32Array; shift: number }, starts: ColdStarts, tier: WasmTier | undefined) {
    storeAsDoubles(this, 'base' as keyof WasmRunner);
    const ctrl = bus.allocCore(RCtrl.BYTES);
    // (Every op-cache entry starts as word 0 and its op: word 0's decoded-word cache entry is index 0.)
    interp.handlerFor(0);
    const opc = new BigInt64Array(bus.buffer, bus.allocCore(8 << OPC_BITS), 1 << OPC_BITS).fill(BigInt(dc.op[0]) << 32n);
    const entry = tier?.entry;
    const L: RunnerLayout = {
      regs: cpu.r.byteOffset, wideTag: cpu.htlb.wideTag.byteOffset, wideAdd: cpu.htlb.wideAdd.byteOffset,
      dcWord: dc.word.byteOffset, dcOp: dc.op.byteOffset, dcShift: dc.shift, opc: opc.byteOffset, ctrl, starts, regions: entry?.layout,
    };
    this.i32 = new Int32Array(bus.buffer, ctrl, RCtrl.BYTES / 4);
    this.f64 = new Float64Array(bus.buffer, ctrl, RCtrl.BYTES / 8);
    const bytes = encodeModule({
      types: [{ params: [], results: [ValType.i32] }, { params: [ValType.i32], results: [ValType.i32] }],
      memory: { module: 'm', name: 'mem', minPages: 0 },
      table: entry ? { module: 'm', name: 't', min: 1 } : undefined,
      imports: [{ module: 'h', name: 'step', type: 1 }],
      funcs: [{ type: 0, locals: LOCALS, code: emitRunner(L) }],
      exports: [{ name: 'run', func: 1 }],
    });
    const m: Record<string, unknown> = { mem: bus.memory };
    if (entry) m.t = entry.table;
    this.fn = instantiate(bytes, { m, h: { step: (n: number) => this.step(n) } }).exports.run as () => number;
  }

  /**
   * The call-out: the interpreter runs the instruction at the runner's PC (`n` instructions
   * into this run). Returns Step.Return, with the CPU's state final, when it faulted or
   * changed what the runner relies on; else Step.End when it ended the block, Step.Next
   * when the block goes on.
   */
  private step(n: number): Step {
    const c = this.cpu, m = this.i32;
    // (A region run before may have left its precise-state block: this is cold code.)
    c.jitBlk = undefined;
    c.icount = this.base + n;
    c.pcLo = m[RCtrl.PC >> 2]; c.pcHi = m[(RCtrl.PC >> 2) + 1];
    c.dsLo = m[RCtrl.DS >> 2]; c.dsHi = m[(RCtrl.DS >> 2) + 1];
    const wasDelay = c.inDelay = m[RCtrl.DLY >> 2] !== 0;
    const done = c.icount + 1;
    this.interp.step();
    if (c.icount !== done || c.mode !== 0 || c.irqPending || c.waiting || c.stopRequested || c.nextEvent !== this.event ||
      c.htlb.flushes !== this.flushes || (c.c0.status & ST_KX) !== this.kx) {
      // Faulted (the CPU is at the exception vector), or Kernel mode, the event horizon, a
      // pending interrupt, the TLB (links to mapped code) or KX (direct reads) changed.
      this.returned = true;
      return Step.Return;
    }
    m[RCtrl.PC >> 2] = c.pcLo; m[(RCtrl.PC >> 2) + 1] = c.pcHi;
    m[RCtrl.DS >> 2] = c.dsLo; m[(RCtrl.DS >> 2) + 1] = c.dsHi;
    m[RCtrl.DLY >> 2] = c.inDelay ? 1 : 0;
    // (The block ends after a delay slot, an annulled likely branch, eret, or at a page boundary.)
    return wasDelay || c.brState === 2 || c.brState === 3 || (c.pcLo & 0xfff) === 0 ? Step.End : Step.Next;
  }

  /** Instructions attempted in the first block of the last run() (the rest went to their starts' heat). */
  get first(): number { return this.i32[RCtrl.FIRST >> 2]; }

  /** Cold blocks the last run() went on to after the first. */
  get chained(): number { return this.i32[RCtrl.CHAINED >> 2]; }

  /** Translated regions the last run() ran (through the jump cache and their links). */
  get regions(): number { return this.i32[RCtrl.REGIONS >> 2]; }

  /** Instructions the last run() ran in translated regions (none when one took an exception). */
  get regionInsns(): number { return this.i32[RCtrl.REGION_INSNS >> 2]; }

  /** How the last run() ended (RunEnd.Region…: the tier's afterRegions() completes the state). */
  get end(): RunEnd { return this.i32[RCtrl.END >> 2]; }

  /**
   * Runs the block at PC, as the interpreter's block runner would (up to `max` instructions;
   * Kernel mode; the caller checked that no interrupt, breakpoint, WAIT or event is due
   * within them), then further blocks while each starts with its max instructions within
   * `budget` instructions of this run: cold blocks one more run cannot take to `warm` or
   * `hot` heat (ColdStarts), and — with `regions` — the translated regions the jump cache
   * names, with the regions they link to. Updates PC, the delay-slot state and icount
   * (after RunEnd.Region, WasmTier.afterRegions() does). Returns the instructions attempted
   * (a faulting one included, as Interpreter.runBlock counts); `first` those of the first block.
   */
  run(max: number, budget: number, warm: number, hot: number, regions: boolean): number {
    const c = this.cpu, m = this.i32, f = this.f64;
    m[RCtrl.PC >> 2] = c.pcLo; m[(RCtrl.PC >> 2) + 1] = c.pcHi;
    m[RCtrl.DS >> 2] = c.dsLo; m[(RCtrl.DS >> 2) + 1] = c.dsHi;
    m[RCtrl.DLY >> 2] = c.inDelay ? 1 : 0;
    m[RCtrl.MAX >> 2] = max;
    budget = Math.min(budget, 1 << 30);
    m[RCtrl.BUDGET >> 2] = budget;
    m[RCtrl.WARM >> 2] = warm;
    m[RCtrl.HOT >> 2] = hot;
    m[RCtrl.CHAINED >> 2] = 0;
    m[RCtrl.REGIONS >> 2] = 0;
    m[RCtrl.REGION_INSNS >> 2] = 0;
    m[RCtrl.END >> 2] = RunEnd.Cold;
    m[RCtrl.ENTER >> 2] = regions ? 1 : 0;
    f[RCtrl.BASE >> 3] = c.icount;
    this.base = c.icount;
    this.event = c.nextEvent;
    this.flushes = c.htlb.flushes;
    this.kx = c.c0.status & ST_KX;
    this.returned = false;
    const n = this.fn();
    // (Regions' call-outs leave their precise-state block set: stale once they returned.)
    c.jitBlk = undefined;
    if (this.returned || m[RCtrl.END >> 2] !== RunEnd.Cold) return n;
    c.pcLo = m[RCtrl.PC >> 2]; c.pcHi = m[(RCtrl.PC >> 2) + 1];
    c.dsLo = m[RCtrl.DS >> 2]; c.dsHi = m[(RCtrl.DS >> 2) + 1];
    c.inDelay = m[RCtrl.DLY >> 2] !== 0;
    c.icount = this.base + n;
    return n;
  }
}
