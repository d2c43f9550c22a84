// Emits a region — guest blocks of one page, entry first — as one WebAssembly function for
// the translator's second tier: a loop whose br_table runs the block whose label is in a
// local, so moving between the region's blocks never leaves the function. The guest
// registers the region uses live in WebAssembly locals, loaded on entry and stored back at
// exits and before call-outs that need them. Each instruction is its semantics in the
// instruction IR (isa/semantics) lowered with constant fields (ir-wasm.ts): integer
// operations native, loads and stores through the host translation cache inline (the `mem`
// import on a miss or a device; either byte order), helpers (CP0, TLB, FPU, atomics) through
// the `call` import and exceptions through `raise`, with precise state. Exits mirror the
// JavaScript translator: each constant exit has a link slot the dispatcher fills, and a
// linked region is entered directly (returned to the WebAssembly driver loop) while the next
// event is far enough.

import { DELAY_SLOT, F, InsnSpec } from '../../isa/table';
import { Effect, HELPERS, HelperName } from '../../isa/helpers';
import type { FieldName } from '../../isa/fields';
import type { Cp0Word, SemTarget, Stmt, Ty } from '../../isa/ir';
import { C0_WORD } from '../../cpu/cp0';
import { build } from '../../isa/semantics';
import { opProps } from '../../isa/properties';
import { changesContext } from '../../isa/cp0-stored';
import { add32, Region, Scanned, successors } from '../blocks';
import { Code, Op, ValType } from './encoder';
import { WasmHost, WasmLowering } from './ir-wasm';
import { ramRead, ramWrite, Scratch } from './ram-access';
import { Ctrl, Layout } from './layout';
import { LookupLocals, wideAddress, wideHit, wideTable } from './wide-lookup';

/**
 * Locals of a region function: scratch, the label of the block to run, the exit's PC, slot
 * and linked block, the instructions run since entry (N) and how many may run before a
 * link may no longer be followed (NL), more scratch, a register value on its way to memory
 * (WT), guest registers 1..31, LO (32) and HI (33) at GR + n (those kept in locals), then the
 * scratch locals of the instruction being lowered (S32 i32s, S64 i64s).
 */
const T = 0, X = 1, I = 2, LBL = 3, ELO = 4, EHI = 5, ESLOT = 6, ENEXT = 7, N = 8, NL = 9,
  A = 10, J = 12, Q = 14, WT = 17, GR = 18; // (11, 13, 15, 16: unused i64 scratch)
const SCRATCH = 24;
const S32 = GR + 34, S64 = S32 + SCRATCH;
/** The locals of the inline host translation cache test. */
const LOOKUP: LookupLocals = { a: A, x: X, i: I };
/** Register numbers of LO and HI in the block's register locals (their words follow the GPRs in Cpu.r). */
const LO = 32, HI = 33;
export const BLOCK_LOCALS: ValType[] = [...new Array<ValType>(10).fill(ValType.i32),
  ...new Array<ValType>(8).fill(ValType.i64),
  ...new Array<ValType>(34).fill(ValType.i64),
  ...new Array<ValType>(SCRATCH).fill(ValType.i32),
  ...new Array<ValType>(SCRATCH).fill(ValType.i64)];
/**
 * Guest registers a region keeps in locals: the ones it names most often; the others are
 * read and written in memory where used. Fewer values live across a region's loop leave
 * TurboFan's register allocator fewer spills (bench/results.md, sixth session: XZ part
 * 1.77-1.79 s with 6 vs 1.89-2.02 s with all; boot 4.20-4.28 vs 4.30-4.46 s).
 */
const CACHED_REGS = 6;

/** Imported functions of a block module: the memory slow path, helpers, exceptions. */
export const FN_MEM = 0, FN_CALL = 1, FN_RAISE = 2;
/** Imported functions (the region functions' indexes follow them). */
export const FN_IMPORTS = 3;

/** Slow-path memory operations (argument of the `mem` import). */
export const enum MemOp { LB, LBU, LH, LHU, LW, LWU, LD, SB, SH, SW, SD }

/** Helpers by index (the `call` import's first argument). */
export const HELPER_LIST = Object.keys(HELPERS) as HelperName[];
const HELPER_INDEX = new Map(HELPER_LIST.map((h, i) => [h, i]));

/** Why a scanned block cannot be a WebAssembly block, or undefined when it can. */
export function unsupported(b: Scanned): string | undefined {
  for (let k = 0; k < b.insns.length; k++) {
    const e = b.insns[k].e;
    // (An instruction that changes the translation context ends its block: after it the
    // region exits, at the address the call-out leaves in Ctrl.NEXT; not in a delay slot.)
    if (changesContext(e, b.insns[k].w) && k === b.ds) return `${e.op}: changes the translation context in a delay slot`;
    if (k === b.ds && (e.flags & DELAY_SLOT)) return 'branch in a delay slot';
  }
  return undefined;
}

export interface EmittedRegion {
  code: Code;
  /** Target of each link slot ([lo, hi]), or undefined for an indirect jump's slot. */
  slots: Array<[number, number] | undefined>;
  /**
   * Where the guest resumes after an instruction that always raises (outside a delay slot):
   * syscall, break, rdhwr on a CPU without it… — the kernel's handler returns there (eret to
   * EPC + 4), so each is worth a region entry of its own.
   */
  resumes: Array<[number, number]>;
}

/**
 * Emits the function for a region (blocks `unsupported` accepted, entry first): one
 * loop that runs the block whose label is in LBL (br_table) and moves between the
 * region's blocks without leaving the function, registers staying in locals.
 * Call-outs pass k | label << 8 | me << 16 (me: the function's table index). Link slots start at linkBase.
 * `fastRam` (a power of two; 0 outside Kernel mode or for none): physical [0, fastRam) is
 * RAM at the same offsets and no RAM page traps reads, so loads from ckseg0 below it read
 * RAM directly — and from xkphys too when `xkphys` (Status.KX is set: without it xkphys is
 * an address error) (PhysicalBus.identityRam, HostTlb.accessTrapped; the dispatcher drops
 * such code when a read trap appears, and code with the xkphys arm when KX is cleared).
 */
export function emitRegion(L: Layout, region: Region, target: SemTarget, mode: number, me: number, linkBase: number,
  fastRam = 0, xkphys = false): EmittedRegion {
  // The first pass finds the registers the region reads and writes and how often; the
  // second keeps the CACHED_REGS most named in locals — loaded on entry, stored back before
  // exits and call-outs — and the rest in memory.
  const probe = new RegionEmitter(L, region, target, mode, me, linkBase, fastRam, xkphys, undefined);
  probe.emit();
  const cached = new Set([...probe.uses].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, CACHED_REGS).map(([n]) => n));
  return new RegionEmitter(L, region, target, mode, me, linkBase, fastRam, xkphys, {
    used: new Set([...probe.used].filter((n) => cached.has(n))), written: new Set([...probe.written].filter((n) => cached.has(n))), cached,
  }).emit();
}

/** Exits a region can have (link slots it may need): two per block, plus a likely branch's. */
export function maxSlots(region: Region): number {
  return region.blocks.length * 3;
}

class RegionEmitter implements WasmHost {
  readonly c = new Code();
  /** Registers read or written (1..33), and written, by native code. */
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  /** How often native code names each register. */
  readonly uses = new Map<number, number>();
  private readonly slots: Array<[number, number] | undefined> = [];
  private readonly resumes: Array<[number, number]> = [];
  /** Open structured instructions at the current position, and the level of the dispatch loop. */
  private depth = 0;
  private loopLevel = -1;
  private exitLevel = -1;
  /** Level of the current block's own loop, and of each block's wrapper (its code follows the wrapper's end). */
  private selfLevel = -1;
  private readonly blockLevel: number[] = [];
  // The block being emitted.
  private b!: Scanned;
  private label = 0;
  private n = 0;
  /** Branch targets of the block's branch (delay-slot precise state and exits). */
  private taken: [number, number] | undefined;
  private fall: [number, number] | undefined;
  private indirect = false;
  private likely = false;

  /** The instruction being lowered (its index in the block), and its scratch locals in use. */
  private k = 0;
  private n32 = 0;
  private n64 = 0;
  /** The instruction's I/O flag (an i32 local; −1 when it makes no call-out that may reach a device). */
  private iof = -1;

  constructor(readonly L: Layout, private readonly region: Region, private readonly semTarget: SemTarget, private readonly cpuMode: number,
    private readonly me: number, private readonly linkBase: number, private readonly fastRam: number, private readonly xkphys: boolean,
    private readonly regs: { used: Set<number>; written: Set<number>; cached: Set<number> } | undefined) {}

  // ---- registers

  /** Pushes register n (GPR, LO = 32, HI = 33) as an int64. */
  reg(n: number): void {
    if (n === 0) { this.c.i64(0n); return; }
    this.used.add(n);
    this.uses.set(n, (this.uses.get(n) ?? 0) + 1);
    if (this.regs && !this.regs.cached.has(n)) { this.c.i32(0).mem(Op.i64_load, 3, this.L.regs + 8 * n); return; }
    this.c.get(GR + n);
  }

  /** Writes the int64 that `value` pushes to register n (nothing for $zero: values are pure). */
  wr(n: number, value: () => void): void {
    if (n === 0) return;
    this.used.add(n);
    this.written.add(n);
    this.uses.set(n, (this.uses.get(n) ?? 0) + 1);
    value();
    // (In memory: the value is already pushed, so it goes through WT to follow the address.)
    if (this.regs && !this.regs.cached.has(n)) { this.c.set(WT).i32(0).get(WT).mem(Op.i64_store, 3, this.L.regs + 8 * n); return; }
    this.c.set(GR + n);
  }

  /** Loads the region's registers from memory into their locals (on entry and after a handler ran). */
  private loadRegs(): void {
    for (const n of this.regs?.used ?? []) this.c.i32(0).mem(Op.i64_load, 3, this.L.regs + 8 * n).set(GR + n);
  }

  /** Stores the registers the region writes, and the icount, to memory (before an exit or a call-out). */
  private spill(): void {
    for (const n of this.regs?.written ?? []) this.c.i32(0).get(GR + n).mem(Op.i64_store, 3, this.L.regs + 8 * n);
    this.storeIcount();
  }

  /** Stores the instructions that may still run (NL − N: Ctrl.REM), from which the dispatcher and call-outs know the icount. */
  private storeIcount(): void {
    this.c.i32(0).get(NL).get(N).op(Op.i32_sub).mem(Op.i32_store, 2, this.ctrl(Ctrl.REM));
  }

  private ctrl(off: Ctrl): number { return this.L.ctrl + off; }

  // ---- structure

  private open(op: Op.if | Op.block | Op.loop, type?: number): void { this.c.begin(op, type); this.depth++; }
  close(): void { this.c.op(Op.end); this.depth--; }
  openIf(): void { this.open(Op.if); }
  elseIf(): void { this.c.op(Op.else); }

  // ---- exits

  private addIcount(done: number): void {
    if (done !== 0) this.c.get(N).i32(done).op(Op.i32_add).set(N);
  }


  /** Pushes the branch target's low (half 0) or high (half 1) word. */
  private branchWord(half: 0 | 1): void {
    const c = this.c;
    if (this.indirect) {
      c.get(J);
      if (half) c.i64(32n).op(Op.i64_shr_u);
      c.op(Op.i32_wrap_i64);
    } else if (this.fall === undefined || this.likely) {
      c.i32(this.taken![half]);
    } else {
      c.i32(this.taken![half]).i32(this.fall[half]).get(T).op(Op.select);
    }
  }

  /** Leaves through the shared exit code (end of the function) with the exit's PC already in ELO/EHI. */
  private leave(slot: number): void {
    this.c.i32(slot).set(ESLOT).i32(0).set(ENEXT).br(this.depth - this.exitLevel - 1);
  }

  private setExitPc(lo: number, hi: number): void {
    this.c.i32(lo).set(ELO).i32(hi).set(EHI);
  }

  /** Leaves to the dispatcher after `done` instructions of the block at a constant PC without a link slot. */
  private exitAt(done: number): void {
    this.addIcount(done);
    const [l, h] = add32(this.b.startLo, this.b.startHi, done * 4);
    this.setExitPc(l, h);
    this.leave(-1);
  }

  /** Exit after instruction k called out and touched a device. */
  private ioExit(k: number): void {
    if (k !== this.b.ds) { this.exitAt(k + 1); return; }
    this.addIcount(k + 1);
    this.branchWord(0); this.c.set(ELO);
    this.branchWord(1); this.c.set(EHI);
    this.leave(-1);
  }

  /** Exit after a call-out took a guest exception (the CPU state is already the exception's). */
  private exceptionExit(): void {
    // (The instructions before this one count: the icount the exit leaves — from which the
    // driver goes on — is the faulting instruction's, as the call-out's precise state had it.
    // The call-out left the vector's address in Ctrl.PCLO/PCHI, which the exit stores back.)
    this.addIcount(this.k);
    this.c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.PCLO)).set(ELO).i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.PCHI)).set(EHI);
    this.leave(-2);
  }

  /**
   * Continues at a constant address after `done` instructions: a block of the region,
   * else the block linked to this exit, else the dispatcher (also when the next event
   * is near).
   */
  private goTo(lo: number, hi: number, done: number): void {
    const c = this.c;
    const label = this.region.labelAt(lo, hi);
    this.addIcount(done);
    c.get(N).get(NL).op(Op.i32_le_s);
    this.open(Op.if);
    let slot = -1;
    if (label === this.label) {
      c.br(this.depth - this.selfLevel - 1); // the block's own loop
    } else if (label > this.label) {
      c.br(this.depth - this.blockLevel[label] - 1); // forward: the end of the wrapper its code follows
    } else if (label >= 0) {
      c.i32(label).set(LBL).br(this.depth - this.loopLevel - 1); // backward: through the br_table
    } else {
      slot = this.slots.length;
      this.slots.push([lo, hi]);
      c.i32(0).mem(Op.i32_load, 2, this.L.links + 4 * (this.linkBase + slot)).tee(ENEXT);
      c.brIf(this.depth - this.exitLevel - 1);
    }
    this.close();
    this.setExitPc(lo, hi);
    this.leave(slot);
  }

  /** The exit of an indirect jump (target in J): its link is followed only when the linked block starts there. */
  private indirectExit(done: number): void {
    const slot = this.slots.length;
    this.slots.push(undefined);
    const c = this.c;
    this.addIcount(done);
    c.get(N).get(NL).op(Op.i32_le_s);
    this.open(Op.if);
    c.i32(0).mem(Op.i32_load, 2, this.L.links + 4 * (this.linkBase + slot)).tee(X);
    this.open(Op.if);
    c.get(X).i32(3).op(Op.i32_shl).mem(Op.i64_load, 3, this.L.starts).get(J).op(Op.i64_eq);
    this.open(Op.if); c.get(X).set(ENEXT).br(this.depth - this.exitLevel - 1); this.close();
    this.close();
    this.close();
    c.get(J).op(Op.i32_wrap_i64).set(ELO);
    c.get(J).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).set(EHI);
    this.leave(slot);
  }

  /** The shared exit: registers back to memory, then the linked block or the exit's PC and slot for the dispatcher. */
  private exitCode(): void {
    const c = this.c;
    this.spill();
    c.get(ENEXT);
    this.open(Op.if); c.get(ENEXT).op(Op.return); this.close();
    c.i32(0).get(ELO).mem(Op.i32_store, 2, this.ctrl(Ctrl.PCLO));
    c.i32(0).get(EHI).mem(Op.i32_store, 2, this.ctrl(Ctrl.PCHI));
    c.i32(0).get(ESLOT).mem(Op.i32_store, 2, this.ctrl(Ctrl.SLOT));
    c.i32(0).i32(this.me).mem(Op.i32_store, 2, this.ctrl(Ctrl.LAST));
    c.i32(0);
  }

  // ---- call-outs

  /**
   * Before a call-out: the icount (and from the delay slot the branch target) for
   * precise state; before the interpreter's handler also the registers.
   */
  private precise(k: number, regs: boolean): void {
    if (regs) this.spill(); else this.storeIcount();
    if (k !== this.b.ds) return;
    this.c.i32(0); this.branchWord(0); this.c.mem(Op.i32_store, 2, this.ctrl(Ctrl.BRLO));
    this.c.i32(0); this.branchWord(1); this.c.mem(Op.i32_store, 2, this.ctrl(Ctrl.BRHI));
  }

  /**
   * After a call-out: exits on a guest exception (status 2); a device access (status 1) is
   * noted in the instruction's I/O flag, and the region exits once the instruction completes.
   */
  private statusCheck(): void {
    const c = this.c;
    c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.STATUS)).tee(X);
    this.open(Op.if);
    c.get(X).i32(2).op(Op.i32_eq);
    this.open(Op.if); this.exceptionExit(); this.close();
    if (this.iof < 0) throw new Error('region: a device access without the instruction\'s I/O flag');
    c.i32(1).set(this.iof);
    this.close();
  }

  /** A call-out's argument naming its instruction: k | label << 8 | table index << 16. */
  private callId(k: number): number {
    return k | (this.label << 8) | (this.me << 16);
  }

  // ---- the WasmHost of the instruction lowering (ir-wasm.ts): constant fields and PC

  local(ty: Ty): number {
    if (ty === 'i32') { if (this.n32 >= SCRATCH) throw new Error('region: out of i32 scratch locals'); return S32 + this.n32++; }
    if (this.n64 >= SCRATCH) throw new Error('region: out of i64 scratch locals');
    return S64 + this.n64++;
  }
  field(name: FieldName): void { throw new Error(`region: field ${name} is a constant`); }
  pc(): void { throw new Error('region: the PC is a constant'); }
  mode(): void { throw new Error('region: the mode is a constant'); }
  gpr(idx: number | undefined): void {
    if (idx === undefined) throw new Error('region: register numbers are constants');
    this.reg(idx);
  }
  setGpr(idx: number | undefined, _pushIdx: () => void, value: () => void): void {
    if (idx === undefined) throw new Error('region: register numbers are constants');
    this.wr(idx, value);
  }
  hilo(hi: boolean): void { this.reg(hi ? HI : LO); }
  setHilo(hi: boolean, value: () => void): void { this.wr(hi ? HI : LO, value); }
  c0w(word: Cp0Word): void { this.c.i32(0).mem(Op.i32_load, 2, this.L.cp0 + 4 * C0_WORD[word]); }
  c0d(word: Cp0Word): void { this.c.i32(0).mem(Op.i64_load, 3, this.L.cp0 + 4 * C0_WORD[word]); }
  setC0(word: Cp0Word, value: () => void): void { this.c.i32(0); value(); this.c.mem(Op.i64_store, 3, this.L.cp0 + 4 * C0_WORD[word]); }

  load(size: 1 | 2 | 4 | 8, signed: boolean, addr: () => void): void {
    const r = this.local('i64');
    addr();
    this.c.set(A);
    this.loadVal(size, signed, r);
    this.c.get(r);
  }

  store(size: 1 | 2 | 4 | 8, addr: () => void, value: () => void): void {
    const v = this.local('i64');
    addr();
    this.c.set(A);
    value();
    this.c.set(v);
    this.storeVal(size, v);
  }

  raise(code: number, ce: number): void {
    this.precise(this.k, true);
    this.c.i32(code | (ce << 8)).i32(this.callId(this.k)).call(FN_RAISE);
    this.exceptionExit();
  }

  branch(cond: (() => void) | undefined, target: () => void, likely: boolean): void {
    const c = this.c;
    if (this.indirect) { target(); c.set(J); }
    if (cond) { cond(); c.set(T); }
    if (likely) {
      // Likely branch not taken: the delay slot is annulled.
      const [al, ah] = add32(this.b.startLo, this.b.startHi, (this.k + 2) * 4);
      c.get(T).op(Op.i32_eqz);
      this.open(Op.if); this.goTo(al, ah, this.k + 1); this.close();
    }
  }

  call(helper: HelperName, args: ReadonlyArray<{ ty: Ty; push: () => void }>, ret: Ty | 'void'): void {
    const c = this.c, h = HELPERS[helper];
    const k = this.k;
    // (FPU-only helpers need no precise state; the rest see the registers and icount in memory.)
    const precise = (h.effects & ~Effect.FPU) !== 0;
    if (precise) this.precise(k, true);
    // Arguments as int32 words (an i64 as low, high), up to six.
    const words: Array<() => void> = [];
    for (const a of args) {
      if (a.ty === 'i32') { words.push(a.push); continue; }
      const t = this.local('i64');
      a.push(); c.set(t);
      words.push(() => c.get(t).op(Op.i32_wrap_i64));
      words.push(() => c.get(t).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64));
    }
    if (words.length > 6) throw new Error(`region: ${helper} takes more than six words`);
    c.i32(HELPER_INDEX.get(helper)!).i32(this.callId(k));
    for (let i = 0; i < 6; i++) { if (i < words.length) words[i](); else c.i32(0); }
    c.call(FN_CALL);
    const r = this.local('i64');
    if (ret === 'i64') c.op(Op.i64_extend_i32_u).i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.RESHI)).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl, Op.i64_or);
    else c.op(Op.i64_extend_i32_u);
    c.set(r);
    if (h.effects & Effect.REGS) this.loadRegs();
    if (h.effects & (Effect.RAISE | Effect.MEM)) this.statusCheck();
    if (ret === 'i64') c.get(r);
    else if (ret === 'i32') c.get(r).op(Op.i32_wrap_i64);
  }

  // ---- memory

  /**
   * Loads `size` bytes from the address in A into i64 local r (sign- or zero-extended): the
   * host translation cache inline (and unmapped Kernel RAM directly: fastRam), the `mem`
   * import on a miss; a guest exception leaves.
   */
  private loadVal(size: 1 | 2 | 4 | 8, signed: boolean, r: number): void {
    const c = this.c, L = this.L;
    const K = wideTable(this.cpuMode, 0);
    /** Reads RAM at the host address on the stack (i32) into r, in guest byte order. */
    const read = (): void => { this.ramRead(size, signed); c.set(r); };
    const direct = this.fastRam !== 0;
    if (direct) {
      // Unmapped RAM below fastRam, aligned: ckseg0 (0xffffffff80000000 + physical), then
      // (with KX) xkphys (0b10 in bits 63:62, any cache attribute in 61:59); Q = the RAM offset.
      const outside = BigInt.asIntN(64, ~(BigInt(this.fastRam) - 1n) | BigInt(size - 1));
      const hit = (): void => { this.open(Op.if); c.get(Q).op(Op.i32_wrap_i64); read(); c.op(Op.else); };
      c.get(A).i64(0x80000000n).op(Op.i64_add).tee(Q).i64(outside).op(Op.i64_and, Op.i64_eqz);
      hit();
      if (this.xkphys) {
        c.get(A).i64(BigInt.asIntN(64, ~(7n << 59n))).op(Op.i64_and).i64(BigInt.asIntN(64, 2n << 62n)).op(Op.i64_xor).tee(Q);
        c.i64(outside).op(Op.i64_and, Op.i64_eqz);
        hit();
      }
    }
    wideHit(c, L.wideTag, K, LOOKUP, size);
    this.open(Op.if);
    wideAddress(c, L.wideAdd, K, LOOKUP);
    read();
    c.op(Op.else);
    this.precise(this.k, false);
    c.i32(memOp(size, signed, false)).i32(this.callId(this.k)).get(X).get(A).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64);
    c.i32(0).i32(0).call(FN_MEM).set(X);
    // (A guest exception leaves rt as it was.)
    c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.STATUS)).i32(2).op(Op.i32_eq);
    this.open(Op.if); this.exceptionExit(); this.close();
    c.get(X).op(Op.i64_extend_i32_u);
    c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.RESHI)).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl, Op.i64_or).set(r);
    this.statusCheck();
    this.close();
    if (direct) { this.close(); if (this.xkphys) this.close(); }
  }

  /** Pushes the i64 of `size` bytes at the host address on the stack (i32), in the guest's byte order. */
  private ramRead(size: 1 | 2 | 4 | 8, signed: boolean): void {
    ramRead(this.c, size, signed, this.semTarget.big, this.scratch);
  }

  /** Scratch locals for RAM access code. */
  private readonly scratch: Scratch = { i32: () => this.local('i32'), i64: () => this.local('i64') };

  /** Stores the low `size` bytes of i64 local v at the address in A (guest byte order), the `mem` import on a miss. */
  private storeVal(size: 1 | 2 | 4 | 8, v: number): void {
    const c = this.c, L = this.L;
    const K = wideTable(this.cpuMode, 1);
    wideHit(c, L.wideTag, K, LOOKUP, size);
    this.open(Op.if);
    wideAddress(c, L.wideAdd, K, LOOKUP);
    ramWrite(c, size, this.semTarget.big, () => c.get(v), this.scratch);
    c.op(Op.else);
    this.precise(this.k, false);
    c.i32(memOp(size, false, true)).i32(this.callId(this.k)).get(X).get(A).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64);
    c.get(v).op(Op.i32_wrap_i64).get(v).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64);
    c.call(FN_MEM).op(Op.drop);
    this.statusCheck();
    this.close();
  }

  // ---- instructions

  /** Instruction k: its semantics with this word's fields, PC and the region's mode as constants. */
  private insn(k: number, e: InsnSpec, w: number, pcLo: number, pcHi: number): void {
    this.k = k;
    this.n32 = 0;
    this.n64 = 0;
    const { sem, body } = build(e.op, { target: this.semTarget, word: w, pc: [pcLo, pcHi], mode: this.cpuMode });
    // (Loads, stores and helpers that may reach a device, or raise: their call-outs report it.)
    const io = sem.nodes.some((v) => v.n.k === 'load' || (v.n.k === 'call' && (HELPERS[v.n.helper].effects & (Effect.MEM | Effect.RAISE)) !== 0))
      || hasStore(body);
    this.iof = -1;
    if (io) { this.iof = this.local('i32'); this.c.i32(0).set(this.iof); }
    new WasmLowering(this).stmts(body);
    if (k !== this.b.ds && body.some((st) => st.s === 'raise' && st.cond === undefined)) this.resumes.push(add32(pcLo, pcHi, 4));
    // After a device access: leave once the instruction is complete (events are due at once).
    if (io) { this.c.get(this.iof); this.open(Op.if); this.ioExit(k); this.close(); }
  }

  /** One block's code; every path ends in an exit or a move to another block. */
  private block(b: Scanned, label: number): void {
    const c = this.c;
    this.b = b;
    this.label = label;
    this.n = b.insns.length;
    const succ = successors(b);
    this.taken = succ[0];
    this.fall = succ[1];
    this.indirect = false;
    this.likely = false;
    for (let k = 0; k < this.n; k++) {
      const { e, w } = b.insns[k];
      const [pl, ph] = add32(b.startLo, b.startHi, k * 4);
      if (k === b.ds - 1) {
        // The branch: its outcome in T, an indirect target in J (its link register written by its semantics).
        this.indirect = (e.flags & F.INDIRECT) !== 0;
        this.likely = (e.flags & F.LIKELY) !== 0;
      }
      this.insn(k, e, w, pl, ph);
    }
    if (b.ds >= 0) {
      if (this.indirect) this.indirectExit(this.n);
      else if (this.fall === undefined || this.likely) this.goTo(this.taken![0], this.taken![1], this.n);
      else {
        c.get(T);
        this.open(Op.if); this.goTo(this.taken![0], this.taken![1], this.n); this.close();
        this.goTo(this.fall[0], this.fall[1], this.n);
      }
    } else if (succ.length === 1) {
      this.goTo(succ[0][0], succ[0][1], this.n);
    } else if (changesContext(b.insns[this.n - 1].e, b.insns[this.n - 1].w) && (opProps(b.insns[this.n - 1].e.op).effects & Effect.CTX)) {
      // After mtc0, eret, tlbw*, wait…: to the dispatcher at the PC the call-out left (eret's target).
      this.addIcount(this.n);
      c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.NEXTLO)).set(ELO);
      c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.NEXTHI)).set(EHI);
      this.leave(-1);
    } else {
      this.exitAt(this.n);
    }
  }

  emit(): EmittedRegion {
    const c = this.c;
    const blocks = this.region.blocks;
    // NL = Ctrl.REM (very negative when chaining is off; N starts at 0).
    c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.REM)).set(NL);
    this.loadRegs();
    // (LBL starts at 0, the entry.)
    this.exitLevel = this.depth;
    this.open(Op.block);
    this.loopLevel = this.depth;
    this.open(Op.loop);
    for (let i = blocks.length - 1; i >= 0; i--) { this.blockLevel[i] = this.depth; this.open(Op.block); }
    // br_table: label j leaves j + 1 blocks, landing on block j's code.
    c.get(LBL).op(Op.br_table);
    c.u32(blocks.length);
    for (let j = 0; j < blocks.length; j++) c.u32(j);
    c.u32(0);
    for (let j = 0; j < blocks.length; j++) {
      this.close();
      // Each block's code is a loop, so a branch back to its start is a direct jump.
      this.selfLevel = this.depth;
      this.open(Op.loop);
      this.block(blocks[j], j);
      this.close();
    }
    this.close();
    c.op(0x00 /* unreachable */);
    this.close();
    this.exitCode();
    return { code: c, slots: this.slots, resumes: this.resumes };
  }
}

/** The `mem` import's operation for an access. */
function memOp(size: 1 | 2 | 4 | 8, signed: boolean, store: boolean): MemOp {
  if (store) return size === 1 ? MemOp.SB : size === 2 ? MemOp.SH : size === 4 ? MemOp.SW : MemOp.SD;
  return size === 1 ? (signed ? MemOp.LB : MemOp.LBU) : size === 2 ? (signed ? MemOp.LH : MemOp.LHU)
    : size === 4 ? (signed ? MemOp.LW : MemOp.LWU) : MemOp.LD;
}

/** Whether statements contain a store (at any depth). */
function hasStore(l: readonly Stmt[]): boolean {
  return l.some((st) => st.s === 'store' || (st.s === 'if' && (hasStore(st.then) || hasStore(st.else))));
}
