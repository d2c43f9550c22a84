// The cold path in WebAssembly: one function, compiled once per CPU, that runs a block's
// worth of not-yet-translated guest code instruction by instruction, in any privilege mode
// and either byte order — fetch through the host translation cache (the mode's tables), the
// op number from its own cache by instruction address (refilled from the interpreter's
// decoded-word cache; all in the bus's memory), a br_table with a case per op whose
// semantics (isa/semantics) it can run without a side effect before it could fail: the
// instruction IR lowered with fields taken from the word at run time (ir-wasm.ts), guest
// registers in memory. Whatever would leave the fast path — a translation-cache miss, a
// misaligned access, a raise, a helper call (CP0, TLB, FPU, atomics), a branch in a delay slot,
// a word not in the decoded-word cache yet — is run by the interpreter in a call-out (step),
// so every exception, device access and CP0 effect stays the interpreter's; the runner goes
// on after it unless it ended the block or changed what the runner assumes (no interrupt or
// event due, the TLB, KX) — after a guest exception it goes on at the vector, in the mode the
// CPU is then in. At a block's end it goes on by itself — keeping the dispatcher's heat
// bookkeeping — into the translated region the jump cache names for the next start (and the
// regions that one links to, and those the jump cache names where a region leaves: an
// exception's handler, the code eret returns to), or into the next cold block, until a start
// is the dispatcher's business (warm or hot heat, a translation not in the jump cache, an
// event near). A little-endian host only.

import type { Cpu } from '../../cpu/cpu';
import { ST_KX } from '../../isa/cp0-defs';
import type { Interpreter } from '../../cpu/interpreter';
import type { FieldName } from '../../isa/fields';
import { FieldDef, FIELDS } from '../../isa/fields';
import type { HelperName } from '../../isa/helpers';
import type { Cp0Word, SemTarget, Stmt, Ty } from '../../isa/ir';
import { C0_WORD } from '../../cpu/cp0';
import { build, OP_LIST } from '../../isa/semantics';
import { HTLB_BITS, HTLB_SIZE } from '../../mmu/host-tlb';
import type { PhysicalBus } from '../../memory/bus';
import { instantiate, wasmApi } from '../../memory/wasm-api';
import { storeAsDoubles } from '../../double-fields';
import { lookupAfterExit, lookupRegion } from './driver';
import { Code, encodeModule, Op, ValType } from './encoder';
import { bswap32 } from './ir-wasm';
import { WasmHost, WasmLowering } from './ir-wasm';
import { Ctrl, Layout } from './layout';
import { ramRead, ramWrite, Scratch } from './ram-access';
import type { WasmTier } from './tier';

/**
 * Control words (byte offsets from the runner's area): PC and branch target (int64), in a
 * delay slot, instructions per block, the budget for starting further blocks, the heat
 * thresholds (warm, hot), (out) the instructions attempted in the first block and the cold
 * blocks gone on to; whether it may enter translated regions, the icount at the start
 * (f64), (out) the regions run, how the run ended (RunEnd) and the instructions run in regions;
 * the privilege mode it runs in.
 */
const enum RCtrl {
  PC = 0, DS = 8, DLY = 16, MAX = 20, BUDGET = 24, WARM = 28, HOT = 32, FIRST = 36, CHAINED = 40, ENTER = 44,
  BASE = 48, REGIONS = 56, END = 60, REGION_INSNS = 64, MODE = 68, TRAPS = 72, BYTES = 80,
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

/** Locals of the runner: counters, the word, its op, scratch, the mode and its tables, state, IR scratch (S32, S64). */
const N = 0, DLY = 1, MAX = 2, W = 3, OP = 4, X = 5, I = 6, T1 = 7, MODE = 8, KB = 9, WAS = 10, BR = 11,
  FIRST = 12, HS = 13, NB0 = 14, FX = 15, LASTREG = 16, RN0 = 17, ANN = 18,
  PC = 19, DS = 20, A = 21, TGT = 22, E = 23;
const SCRATCH = 16;
const S32 = 24, S64 = S32 + SCRATCH;
/** Between regions: the PC (i64) and the mode (i32) a region left the CPU at. */
const RPC = S64 + SCRATCH, RMODE = RPC + 1;
const LOCALS: ValType[] = [...new Array<ValType>(19).fill(ValType.i32), ...new Array<ValType>(5).fill(ValType.i64),
  ...new Array<ValType>(SCRATCH).fill(ValType.i32), ...new Array<ValType>(SCRATCH).fill(ValType.i64), ValType.i64, ValType.i32];

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
  /** CP0 register words (cpu/cp0.ts C0). */
  cp0: number;
  /** What the semantics depend on of the CPU. */
  target: SemTarget;
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
 * two words per slot of a power-of-two table indexed by
 * ((ramOff >>> 2) ^ (ramOff >>> 18) ^ (mode << 14)) & (slots − 1) (the engine's heatSlot): the slot's heat
 * — a block start's run adds its instructions + `runWeight` — and the tag of the last
 * translated start that hashes to it (engine.ts startTag: the runner leaves that start to the
 * dispatcher; another start of the slot stays cold code).
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
  /**
   * The instruction took a guest exception and nothing else changed that the runner relies
   * on: the block ended; the runner goes on at the vector (PC) in the mode the CPU is now in
   * (control words), the faulting instruction not counted.
   */
  Trapped = 3,
}

/** Emits the runner's code; the host of the instruction lowering for each case. */
class Emitter implements WasmHost {
  readonly c = new Code();
  /** While a case is emitted: the depth of $interp from its code, the ifs open in it, its scratch locals in use. */
  private interp = 0;
  private extra = 0;
  private n32 = 0;
  private n64 = 0;
  private readonly scratch: Scratch = { i32: () => this.local('i32'), i64: () => this.local('i64') };

  constructor(readonly L: RunnerLayout) {}

  /**
   * Starts a case whose code is `depth` structured levels inside $interp; an op that branches
   * first leaves to the interpreter when it is in a delay slot (before any of its writes).
   */
  startCase(depth: number, branches: boolean): void {
    this.interp = depth; this.extra = 0; this.n32 = 0; this.n64 = 0;
    if (branches) { this.c.get(WAS); this.openIf(); this.toInterp(); this.close(); }
  }
  private toInterp(): void { this.c.br(this.interp + this.extra); }

  // ---- structure
  openIf(): void { this.c.begin(Op.if); this.extra++; }
  elseIf(): void { this.c.op(Op.else); }
  close(): void { this.c.op(Op.end); this.extra--; }
  local(ty: Ty): number {
    if (ty === 'i32') { if (this.n32 >= SCRATCH) throw new Error('runner: out of i32 scratch locals'); return S32 + this.n32++; }
    if (this.n64 >= SCRATCH) throw new Error('runner: out of i64 scratch locals');
    return S64 + this.n64++;
  }

  // ---- state: fields from the word, registers in memory, the mode and PC in locals
  field(name: FieldName): void {
    const d: FieldDef = FIELDS[name], c = this.c;
    c.get(W);
    if (d.signed && d.width < 32) c.i32(32 - d.shift - d.width).op(Op.i32_shl).i32(32 - d.width).op(Op.i32_shr_s);
    else {
      if (d.shift) c.i32(d.shift).op(Op.i32_shr_u);
      if (d.width < 32) c.i32((1 << d.width) - 1).op(Op.i32_and);
    }
    if (d.scale !== undefined) c.i32(Math.log2(d.scale)).op(Op.i32_shl);
    if (d.bias) c.i32(d.bias).op(Op.i32_add);
  }
  gpr(idx: number | undefined, pushIdx: () => void): void {
    if (idx !== undefined) this.c.i32(8 * idx); else { pushIdx(); this.c.i32(3).op(Op.i32_shl); }
    this.c.mem(Op.i64_load, 3, this.L.regs);
  }
  /** ($zero is written like any register and re-zeroed after every instruction.) */
  setGpr(idx: number | undefined, pushIdx: () => void, value: () => void): void {
    if (idx !== undefined) this.c.i32(8 * idx); else { pushIdx(); this.c.i32(3).op(Op.i32_shl); }
    value();
    this.c.mem(Op.i64_store, 3, this.L.regs);
  }
  hilo(hi: boolean): void { this.c.i32(0).mem(Op.i64_load, 3, this.L.regs + (hi ? HI_OFF : LO_OFF)); }
  setHilo(hi: boolean, value: () => void): void { this.c.i32(0); value(); this.c.mem(Op.i64_store, 3, this.L.regs + (hi ? HI_OFF : LO_OFF)); }
  pc(): void { this.c.get(PC); }
  mode(): void { this.c.get(MODE); }
  c0w(word: Cp0Word): void { this.c.i32(0).mem(Op.i32_load, 2, this.L.cp0 + 4 * C0_WORD[word]); }
  c0d(word: Cp0Word): void { this.c.i32(0).mem(Op.i64_load, 3, this.L.cp0 + 4 * C0_WORD[word]); }
  setC0(word: Cp0Word, value: () => void): void { this.c.i32(0); value(); this.c.mem(Op.i64_store, 3, this.L.cp0 + 4 * C0_WORD[word]); }

  // ---- what leaves the fast path goes to the interpreter
  raise(): void { this.toInterp(); }
  call(_helper: HelperName): void { this.toInterp(); }

  load(size: 1 | 2 | 4 | 8, signed: boolean, addr: () => void): void {
    addr(); this.c.set(A);
    this.lookup(0, size);
    this.c.get(X);
    ramRead(this.c, size, signed, this.L.target.big, this.scratch);
  }
  store(size: 1 | 2 | 4 | 8, addr: () => void, value: () => void): void {
    const v = this.local('i64');
    addr(); this.c.set(A);
    value(); this.c.set(v);
    this.lookup(1, size);
    this.c.get(X);
    ramWrite(this.c, size, this.L.target.big, () => this.c.get(v), this.scratch);
  }

  /**
   * A branch: the next instruction is its delay slot (BR = 1, its target in TGT: the target
   * when taken, else PC + 8); a likely branch not taken annuls it (ANN). A branch in a delay
   * slot is the interpreter's.
   */
  branch(cond: (() => void) | undefined, target: () => void, likely: boolean): void {
    const c = this.c;
    if (!cond) { target(); c.set(TGT).i32(1).set(BR); return; }
    if (likely) {
      cond(); this.openIf();
      target(); c.set(TGT).i32(1).set(BR);
      this.elseIf(); c.i32(1).set(ANN);
      this.close();
      return;
    }
    target(); c.get(PC).i64(8n).op(Op.i64_add); cond(); c.op(Op.select).set(TGT).i32(1).set(BR);
  }

  /**
   * The host translation cache test for a `size`-byte access at the address in A (the run's
   * mode's table for `kind`: 0 read, 1 write, 2 fetch; KB holds the mode's table base); a miss
   * goes to the interpreter. Leaves the host address in X.
   */
  lookup(kind: number, size: number): void {
    const c = this.c, L = this.L, K = (kind << HTLB_BITS) * 8;
    c.get(A).op(Op.i32_wrap_i64).tee(X).i32(12 - 3).op(Op.i32_shr_u).i32((HTLB_SIZE - 1) << 3).op(Op.i32_and).get(KB).op(Op.i32_add).tee(I);
    c.mem(Op.i64_load, 3, L.wideTag + K);
    c.get(A).i64(BigInt(-4096 | (size - 1))).op(Op.i64_and, Op.i64_ne);
    this.openIf(); this.toInterp(); this.close();
    c.get(I).mem(Op.i32_load, 2, L.wideAdd + K).get(X).op(Op.i32_add).set(X);
  }
}

/** Byte offsets of LO and HI in the register file. */
const LO_OFF = 64 * 4, HI_OFF = 66 * 4;

/**
 * Whether the runner runs op natively: nothing in its semantics would have to go to the
 * interpreter (a raise, a helper call, a memory access that may miss) after the instruction
 * has changed state (a register, HI/LO, memory, the branch state) — the interpreter then runs
 * the whole instruction again.
 */
export function runnerNative(body: readonly Stmt[], sem: { nodes: readonly { n: { k: string } }[] }): boolean {
  if (sem.nodes.some((v) => v.n.k === 'call')) return false;
  let wrote = false, ok = true;
  // (Loads are defined in statement order as 'def' statements.)
  const walk = (l: readonly Stmt[]): void => {
    for (const st of l) {
      if (!ok) return;
      switch (st.s) {
        case 'def': if (st.v.n.k === 'load' && wrote) ok = false; break;
        case 'raise': if (wrote) ok = false; break;
        case 'store': if (wrote) ok = false; wrote = true; break;
        case 'setGpr': case 'setHilo': case 'setC0': case 'branch': wrote = true; break;
        case 'if': walk(st.then); walk(st.else); break;
      }
    }
  };
  walk(body);
  return ok;
}

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
  // The mode the run is in, and its host translation cache tables' byte offset.
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.MODE).tee(MODE).i32(3 * 8 << HTLB_BITS).op(Op.i32_mul).set(KB);
  c.begin(Op.loop); // $outer: re-entered after a call-out that lets the runner go on, and for each further block
  c.begin(Op.block); // $blockEnd
  c.begin(Op.block); // $interp (depth from the loop body: see below)
  c.begin(Op.block); // $end
  // The host address of PC (the mode's fetch table; a misaligned PC misses): FX, which
  // follows PC through the block (straight-line up to its delay slot, on one page).
  c.get(PC).set(A);
  g.startCase(1, false);
  g.lookup(2, 4);
  c.get(X).set(FX);
  c.begin(Op.loop); // $next
  // Depths inside the loop: $next 0, $end 1, $interp 2, $blockEnd 3, $outer 4.
  c.get(N).get(MAX).op(Op.i32_ge_u).brIf(1);
  c.get(FX).mem(Op.i32_load, 2, 0);
  if (L.target.big) bswap32(c, T1);
  c.set(W);
  // The op from the op cache; on a miss from the decoded-word cache, which refills it (a
  // miss there too: the interpreter decodes the word).
  c.get(FX).i32(2).op(Op.i32_shr_u).i32((1 << OPC_BITS) - 1).op(Op.i32_and).i32(3).op(Op.i32_shl).tee(I);
  c.mem(Op.i64_load, 3, L.opc).tee(E).op(Op.i32_wrap_i64).get(W).op(Op.i32_eq);
  c.begin(Op.if);
  c.get(E).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).set(OP);
  c.op(Op.else);
  c.get(W).i32(0x9e3779b1 | 0).op(Op.i32_mul).i32(L.dcShift).op(Op.i32_shr_u).i32(2).op(Op.i32_shl).tee(T1);
  c.mem(Op.i32_load, 2, L.dcWord).get(W).op(Op.i32_ne).brIf(3);
  c.get(T1).mem(Op.i32_load, 2, L.dcOp).set(OP);
  c.get(I).get(W).op(Op.i64_extend_i32_u).get(OP).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl, Op.i64_or).mem(Op.i64_store, 3, L.opc);
  c.op(Op.end);
  c.get(DLY).set(WAS);
  c.i32(0).set(BR);
  // One block per case, innermost first; br_table index k lands after block k's end. Op
  // numbers are isa/semantics's; ops the runner leaves to the interpreter land at depth 0.
  const ops = OP_LIST.map((op) => {
    const { sem, body } = build(op, { target: L.target });
    return runnerNative(body, sem) ? { body, branch: body.some((st) => st.s === 'branch') } : undefined;
  });
  c.begin(Op.block); // $done
  for (let k = 0; k <= ops.length; k++) c.begin(Op.block);
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
    const op = ops[k - 1];
    if (!op) { c.op(0x00 /* unreachable: index k never lands here */); continue; }
    g.startCase(depthDone + 3, op.branch);
    new WasmLowering(g).stmts(op.body);
    c.br(depthDone);
  }
  c.op(Op.end); // $done
  // $zero stays zero; one more instruction done.
  c.i32(0).i64(0n).mem(Op.i64_store, 3, L.regs);
  c.get(N).i32(1).op(Op.i32_add).set(N);
  // A likely branch not taken: its delay slot is skipped and the block ends.
  c.get(ANN).begin(Op.if);
  c.i32(0).set(ANN).get(PC).i64(8n).op(Op.i64_add).set(PC).br(2);
  c.op(Op.end);
  // Advance: after a delay slot, to the branch target and the block ends; a branch makes the next instruction its delay slot.
  c.get(WAS).begin(Op.if);
  c.get(DS).set(PC).i32(0).set(DLY).br(2);
  c.op(Op.end);
  c.get(PC).i64(4n).op(Op.i64_add).set(PC);
  c.get(FX).i32(4).op(Op.i32_add).set(FX);
  c.get(BR).begin(Op.if);
  c.i32(1).set(DLY).get(TGT).set(DS);
  c.op(Op.end);
  // A page boundary ends the block — unless a delay slot is pending: the fetch translation of
  // the next page ($outer's), then the delay slot.
  c.get(PC).op(Op.i32_wrap_i64).i32(0xfff).op(Op.i32_and, Op.i32_eqz).begin(Op.if);
  c.get(DLY).brIf(5); // $outer
  c.br(2); // $end
  c.op(Op.end);
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
  c.get(OP).i32(Step.Trapped).op(Op.i32_eq).begin(Op.if);
  c.get(N).i32(1).op(Op.i32_sub).set(N);
  c.i32(0).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.TRAPS).i32(1).op(Op.i32_add).mem(Op.i32_store, 2, ctrl + RCtrl.TRAPS);
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.MODE).tee(MODE).i32(3 * 8 << HTLB_BITS).op(Op.i32_mul).set(KB);
  c.op(Op.end);
  // (Step.End or Trapped: the block ended.)
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
  g.startCase(0, false);
  g.lookup(2, 4);
  if (L.regions) enterRegions(g, L.regions);
  // A start with a translation but no region entered: the dispatcher's.
  c.get(X).i32(2).op(Op.i32_shr_u).get(X).i32(18).op(Op.i32_shr_u).op(Op.i32_xor).get(MODE).i32(14).op(Op.i32_shl).op(Op.i32_xor);
  c.i32(H.slots.length / 2 - 1).op(Op.i32_and).i32(3).op(Op.i32_shl).tee(I);
  c.mem(Op.i32_load, 2, translated).get(X).get(MODE).op(Op.i32_or).i32(1).op(Op.i32_add, Op.i32_eq).brIf(0);
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
 * and it starts there), the regions it links to and — as the driver does (driver.ts) — the
 * regions the jump cache names where one leaves without a link: after an exit to code not
 * linked yet, an instruction that changed the translation context (eret into User mode) or
 * a guest exception (its vector), in the mode the CPU is then in. Then goes back to $decide
 * at the last exit — or leaves: after a guest exception whose vector has no region, when a
 * call-out asked for JavaScript (Ctrl.BAIL: a device access, an interrupt…), past the
 * icount limit, after an exit without a link slot, or in another mode than the run's.
 * Falls through when no region is entered.
 */
function enterRegions(g: Emitter, R: Layout): void {
  const c = g.c, ctrl = g.L.ctrl, tc = R.ctrl;
  c.begin(Op.block); // depths: block 0, $exit 1, $decide 2, $outer 3
  c.i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.ENTER).op(Op.i32_eqz).brIf(0);
  // OP = the region of this mode the jump cache names for PC (checked: driver.ts lookupRegion).
  lookupRegion(c, R, { pc: PC, x: W, i: T1, mode: MODE, idx: OP }, 0);
  // The regions' icount at entry (Ctrl.IC0) and the instructions they may run before a
  // link may no longer be followed (Ctrl.REM0/REM): BUDGET − MAX − N, as the dispatcher's jitLimit.
  c.i32(0).i32(0).mem(Op.f64_load, 3, ctrl + RCtrl.BASE).get(N).op(Op.f64_convert_i32_s, Op.f64_add).mem(Op.f64_store, 3, tc + Ctrl.IC0);
  c.i32(0).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.BUDGET).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.MAX).op(Op.i32_sub).get(N).op(Op.i32_sub).tee(RN0);
  c.mem(Op.i32_store, 2, tc + Ctrl.REM0).i32(0).get(RN0).mem(Op.i32_store, 2, tc + Ctrl.REM);
  c.begin(Op.loop); // $regions (depths inside: $left 0 … block 2, $exit 3)
  c.begin(Op.block); // $left
  c.begin(Op.loop); // $linked
  c.i32(0).i32(0).mem(Op.i32_load, 2, ctrl + RCtrl.REGIONS).i32(1).op(Op.i32_add).mem(Op.i32_store, 2, ctrl + RCtrl.REGIONS);
  c.get(OP).callIndirect(0).tee(OP).brIf(0);
  c.op(Op.end); // $linked
  // Left without a link: on through the jump cache unless JavaScript must decide or the budget is spent.
  lookupAfterExit(c, R, { pc: RPC, x: W, i: T1, mode: RMODE, idx: OP }, 0);
  c.br(1); // $regions
  c.op(Op.end); // $left
  c.op(Op.end); // $regions
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
  // (A device access or another reason for JavaScript, or no link could be followed any
  // more: the dispatcher's turn.)
  c.i32(0).mem(Op.i32_load, 2, tc + Ctrl.BAIL).brIf(1);
  c.i32(0).mem(Op.i32_load, 2, tc + Ctrl.REM).i32(0).op(Op.i32_lt_s).brIf(1);
  // The cold code that follows runs in the mode the regions left the CPU in (an exception's
  // handler returned to User mode by eret, at a start the jump cache does not name).
  c.i32(0).mem(Op.i32_load, 2, tc + Ctrl.MODE).tee(MODE).i32(3 * 8 << HTLB_BITS).op(Op.i32_mul).set(KB);
  c.i32(0).get(MODE).mem(Op.i32_store, 2, ctrl + RCtrl.MODE);
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
    if (!wasmApi || !bus.memory || dc.word.buffer !== bus.buffer || cpu.htlb.wideTag.buffer !== bus.buffer || cpu.c0.w.buffer !== bus.buffer) return undefined;
    if (starts.slots.buffer !== bus.buffer) return undefined;
    return new WasmRunner(cpu, bus, interp, dc, starts, tier);
  }

  private constructor(private readonly cpu: Cpu, bus: PhysicalBus, private readonly interp: Interpreter,
    dc: { word: Int32Array; op: Int32Array; shift: number }, starts: ColdStarts, private readonly tier: WasmTier | undefined) {
    storeAsDoubles(this, 'base' as keyof WasmRunner);
    const ctrl = bus.allocCore(RCtrl.BYTES);
    // (Every op-cache entry starts as word 0 and its op: word 0's decoded-word cache entry is index 0.)
    interp.handlerFor(0);
    const opc = new BigInt64Array(bus.buffer, bus.allocCore(8 << OPC_BITS), 1 << OPC_BITS).fill(BigInt(dc.op[0]) << 32n);
    const entry = tier?.entry;
    const L: RunnerLayout = {
      regs: cpu.r.byteOffset, cp0: cpu.c0.w.byteOffset, target: interp.target, wideTag: cpu.htlb.wideTag.byteOffset, wideAdd: cpu.htlb.wideAdd.byteOffset,
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
    const stay = !c.irqPending && !c.waiting && !c.stopRequested && c.nextEvent === this.event && c.htlb.flushes === this.flushes
      && (c.c0.status & ST_KX) === this.kx;
    if (stay && c.icount === done - 1) {
      // A guest exception (the CPU at its vector): the runner goes on there, in the CPU's mode now.
      m[RCtrl.PC >> 2] = c.pcLo; m[(RCtrl.PC >> 2) + 1] = c.pcHi;
      m[RCtrl.DLY >> 2] = 0;
      m[RCtrl.MODE >> 2] = c.mode;
      return Step.Trapped;
    }
    if (c.icount !== done || c.mode !== m[RCtrl.MODE >> 2] || !stay) {
      // Faulted (the CPU is at the exception vector), or the mode, the event horizon, a
      // pending interrupt, the TLB (links to mapped code) or KX (direct reads) changed.
      this.returned = true;
      return Step.Return;
    }
    m[RCtrl.PC >> 2] = c.pcLo; m[(RCtrl.PC >> 2) + 1] = c.pcHi;
    m[RCtrl.DS >> 2] = c.dsLo; m[(RCtrl.DS >> 2) + 1] = c.dsHi;
    m[RCtrl.DLY >> 2] = c.inDelay ? 1 : 0;
    // (The block ends after a delay slot, an annulled likely branch, eret, or at a page boundary
    // unless its delay slot is on the next page.)
    return wasDelay || c.brState === 2 || c.brState === 3 || ((c.pcLo & 0xfff) === 0 && !c.inDelay) ? Step.End : Step.Next;
  }

  /** Instructions attempted in the first block of the last run() (the rest went to their starts' heat). */
  get first(): number { return this.i32[RCtrl.FIRST >> 2]; }

  /** Cold blocks the last run() went on to after the first. */
  get chained(): number { return this.i32[RCtrl.CHAINED >> 2]; }

  /** Translated regions the last run() ran (through the jump cache and their links). */
  get regions(): number { return this.i32[RCtrl.REGIONS >> 2]; }

  /** Instructions the last run() attempted that took a guest exception it went on after (not in its count). */
  get traps(): number { return this.i32[RCtrl.TRAPS >> 2]; }

  /** Instructions the last run() ran in translated regions (none when one took an exception). */
  get regionInsns(): number { return this.i32[RCtrl.REGION_INSNS >> 2]; }

  /** How the last run() ended (RunEnd.Region…: the tier's afterRegions() completes the state). */
  get end(): RunEnd { return this.i32[RCtrl.END >> 2]; }

  /**
   * Runs the block at PC, as the interpreter's block runner would (up to `max` instructions,
   * in the current mode; the caller checked that no interrupt, breakpoint, WAIT or event is due
   * within them), then further blocks while each starts with its max instructions within
   * `budget` instructions of this run: cold blocks one more run cannot take to `warm` or
   * `hot` heat (ColdStarts), and — with `regions` — the translated regions the jump cache
   * names, with the regions they link to. Updates PC, the delay-slot state and icount
   * (after RunEnd.Region, WasmTier.afterRegions() does). A guest exception ends its block, and
   * the run goes on at the vector, in the mode the CPU is then in. Returns the instructions
   * attempted (a faulting one that ends the run included, as Interpreter.runBlock counts; those
   * it went on after are counted in `traps`); `first` those of the first block.
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
    m[RCtrl.TRAPS >> 2] = 0;
    m[RCtrl.END >> 2] = RunEnd.Cold;
    m[RCtrl.ENTER >> 2] = regions ? 1 : 0;
    // (What the regions' call-outs compare against to ask for JavaScript: Ctrl.BAIL.)
    if (regions) this.tier?.chainEntered();
    f[RCtrl.BASE >> 3] = c.icount;
    this.base = c.icount;
    this.event = c.nextEvent;
    this.flushes = c.htlb.flushes;
    this.kx = c.c0.status & ST_KX;
    m[RCtrl.MODE >> 2] = c.mode;
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
