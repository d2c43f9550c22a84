// Emits a region — guest blocks of one page, entry first — as one WebAssembly function for
// the translator's second tier: a loop whose br_table runs the block whose label is in a
// local, so moving between the region's blocks never leaves the function. The guest
// registers the region uses live in WebAssembly locals, loaded on entry and stored back at
// exits and before calls to the interpreter's handlers (RAM-miss call-outs need only the
// icount; a guest exception in a call-out is caught, and the code stores its registers on
// the way out). The common integer instructions, RAM loads/stores (inline host translation
// cache lookup) and branches are native code; any other instruction calls its handler with
// precise state (import `exec`). Exits mirror the JavaScript translator: each constant exit
// has a link slot the dispatcher fills, and a linked region is entered directly (returned to
// the WebAssembly driver loop) while the next event is far enough.

import { F, InsnSpec } from '../../isa/table';
import { templateFor } from '../../cpu/interpreter';
import { add32, Region, Scanned, successors } from '../translator';
import { Code, Op, ValType } from './encoder';
import { Ctrl, Layout } from './layout';
import { LookupLocals, wideAddress, wideHit, wideTable } from './wide-lookup';

/**
 * Locals of a region function: scratch, the label of the block to run, the exit's PC, slot
 * and linked block, the instructions run since entry (N) and how many may run before a
 * link may no longer be followed (NL), more scratch, a register value on its way to memory
 * (WT), then guest registers 1..31, LO (32) and HI (33) at GR + n (those kept in locals).
 */
const T = 0, X = 1, I = 2, LBL = 3, ELO = 4, EHI = 5, ESLOT = 6, ENEXT = 7, N = 8, NL = 9,
  A = 10, V = 11, J = 12, P = 13, Q = 14, LA = 15, LB = 16, WT = 17, GR = 18;
/** The locals of the inline host translation cache test. */
const LOOKUP: LookupLocals = { a: A, x: X, i: I };
/** Register numbers of LO and HI in the block's register locals (their words follow the GPRs in Cpu.r). */
const LO = 32, HI = 33;
export const BLOCK_LOCALS: ValType[] = [...new Array<ValType>(10).fill(ValType.i32),
  ...new Array<ValType>(8).fill(ValType.i64),
  ...new Array<ValType>(34).fill(ValType.i64)];
/**
 * Guest registers a region keeps in locals: the ones it names most often; the others are
 * read and written in memory where used. Fewer values live across a region's loop leave
 * TurboFan's register allocator fewer spills (bench/results.md, sixth session: XZ part
 * 1.77-1.79 s with 6 vs 1.89-2.02 s with all; boot 4.20-4.28 vs 4.30-4.46 s).
 * MIPS64_WASM_CACHED_REGS=N overrides it for experiments.
 */
const CACHED_REGS = Number(globalThis.process?.env?.MIPS64_WASM_CACHED_REGS) || 6;

/** Imported functions of a block module. */
export const FN_MEM = 0, FN_EXEC = 1;
/** Imported functions (the region functions' indexes follow them). */
export const FN_IMPORTS = 2;

/** Slow-path memory operations (argument of the `mem` import). */
export const enum MemOp { LB, LBU, LH, LHU, LW, LWU, LD, SB, SH, SW, SD }

interface MemInsn { m: MemOp; op: Op; size: 1 | 2 | 4 | 8; store: boolean }
const MEM: Record<string, MemInsn> = {
  lb: { m: MemOp.LB, op: Op.i64_load8_s, size: 1, store: false },
  lbu: { m: MemOp.LBU, op: Op.i64_load8_u, size: 1, store: false },
  lh: { m: MemOp.LH, op: Op.i64_load16_s, size: 2, store: false },
  lhu: { m: MemOp.LHU, op: Op.i64_load16_u, size: 2, store: false },
  lw: { m: MemOp.LW, op: Op.i64_load32_s, size: 4, store: false },
  lwu: { m: MemOp.LWU, op: Op.i64_load32_u, size: 4, store: false },
  ld: { m: MemOp.LD, op: Op.i64_load, size: 8, store: false },
  sb: { m: MemOp.SB, op: Op.i64_store8, size: 1, store: true },
  sh: { m: MemOp.SH, op: Op.i64_store16, size: 2, store: true },
  sw: { m: MemOp.SW, op: Op.i64_store32, size: 4, store: true },
  sd: { m: MemOp.SD, op: Op.i64_store, size: 8, store: true },
};

const LOG2: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

interface Fields { rs: number; rt: number; rd: number; sa: number; imm: number; uimm: number; w: number }

/** Branch conditions on (rs, rt) as int64 comparisons; `true` for unconditional. */
const COND: Record<string, Op | 'always'> = {
  beq: Op.i64_eq, bne: Op.i64_ne, beql: Op.i64_eq, bnel: Op.i64_ne,
  blez: Op.i64_le_s, bgtz: Op.i64_gt_s, blezl: Op.i64_le_s, bgtzl: Op.i64_gt_s,
  bltz: Op.i64_lt_s, bgez: Op.i64_ge_s, bltzl: Op.i64_lt_s, bgezl: Op.i64_ge_s,
  bltzal: Op.i64_lt_s, bgezal: Op.i64_ge_s, bltzall: Op.i64_lt_s, bgezall: Op.i64_ge_s,
  j: 'always', jal: 'always', jr: 'always', 'jr.hb': 'always', jalr: 'always', 'jalr.hb': 'always',
};
const LIKELY = new Set(['beql', 'bnel', 'blezl', 'bgtzl', 'bltzl', 'bgezl', 'bltzall', 'bgezall']);
const LINK31 = new Set(['bltzal', 'bgezal', 'bltzall', 'bgezall', 'jal']);
const TWO_REG = new Set(['beq', 'bne', 'beql', 'bnel']);

type Native = (g: RegionEmitter, f: Fields) => void;

const alu3 = (op: Op, ext32 = false): Native => (g, f) => g.wr(f.rd, () => {
  g.reg(f.rs); g.reg(f.rt); g.c.op(op);
  if (ext32) g.c.op(Op.i64_extend32_s);
});
const aluImm = (op: Op, imm: (f: Fields) => bigint, ext32 = false): Native => (g, f) => g.wr(f.rt, () => {
  g.reg(f.rs); g.c.i64(imm(f)).op(op);
  if (ext32) g.c.op(Op.i64_extend32_s);
});
const cmp3 = (op: Op): Native => (g, f) => g.wr(f.rd, () => { g.reg(f.rs); g.reg(f.rt); g.c.op(op, Op.i64_extend_i32_u); });
const cmpImm = (op: Op): Native => (g, f) => g.wr(f.rt, () => { g.reg(f.rs); g.c.i64(BigInt(f.imm)).op(op, Op.i64_extend_i32_u); });
/** 32-bit shift of rt's low word by a constant or by rs (mod 32), sign-extended. */
const shift32 = (op: Op, variable: boolean): Native => (g, f) => g.wr(f.rd, () => {
  g.reg(f.rt); g.c.op(Op.i32_wrap_i64);
  if (variable) { g.reg(f.rs); g.c.op(Op.i32_wrap_i64); } else g.c.i32(f.sa);
  g.c.op(op, Op.i64_extend_i32_s);
});
/** 64-bit shift of rt by a constant (plus `add`) or by rs (mod 64). */
const shift64 = (op: Op, add: number | 'var'): Native => (g, f) => g.wr(f.rd, () => {
  g.reg(f.rt);
  if (add === 'var') g.reg(f.rs); else g.c.i64(BigInt(f.sa + add));
  g.c.op(op);
});
/** mult/multu: the 64-bit product of the low words; LO and HI get its halves sign-extended. */
const mult32 = (unsigned: boolean): Native => (g, f) => {
  const ext = unsigned ? [Op.i32_wrap_i64, Op.i64_extend_i32_u] : [Op.i64_extend32_s];
  g.reg(f.rs); g.c.op(...ext); g.reg(f.rt); g.c.op(...ext); g.c.op(Op.i64_mul).set(P);
  g.wr(LO, () => g.c.get(P).op(Op.i64_extend32_s));
  g.wr(HI, () => g.c.get(P).i64(32n).op(Op.i64_shr_u, Op.i64_extend32_s));
};
/**
 * dmult/dmultu: LO = low 64 bits of the product, HI = high 64 bits: the unsigned high
 * half from 32-bit limbs (t = a1·b0 + (a0·b0 >> 32); w = low(t) + a0·b1;
 * hi = a1·b1 + (t >> 32) + (w >> 32): no partial sum overflows), then the signed correction.
 */
const mult64 = (unsigned: boolean): Native => (g, f) => {
  const c = g.c, M = 0xffffffffn;
  const lo32 = (l: number): void => { c.get(l).i64(M).op(Op.i64_and); };
  const hi32 = (l: number): void => { c.get(l).i64(32n).op(Op.i64_shr_u); };
  g.reg(f.rs); c.set(LA); g.reg(f.rt); c.set(LB);
  g.wr(LO, () => c.get(LA).get(LB).op(Op.i64_mul));
  lo32(LA); lo32(LB); c.op(Op.i64_mul).i64(32n).op(Op.i64_shr_u);
  hi32(LA); lo32(LB); c.op(Op.i64_mul, Op.i64_add).set(P); // t
  c.get(P).i64(M).op(Op.i64_and); lo32(LA); hi32(LB); c.op(Op.i64_mul, Op.i64_add).set(Q); // w
  hi32(LA); hi32(LB); c.op(Op.i64_mul);
  c.get(P).i64(32n).op(Op.i64_shr_u, Op.i64_add).get(Q).i64(32n).op(Op.i64_shr_u, Op.i64_add);
  if (!unsigned) {
    c.get(LB).i64(0n).get(LA).i64(0n).op(Op.i64_lt_s, Op.select, Op.i64_sub);
    c.get(LA).i64(0n).get(LB).i64(0n).op(Op.i64_lt_s, Op.select, Op.i64_sub);
  }
  c.set(V);
  g.wr(HI, () => c.get(V));
};

/** Bits a..b (0 ≤ a ≤ b ≤ 63) as an int64 mask. */
const bits = (a: number, b: number): bigint => BigInt.asIntN(64, ((1n << BigInt(b - a + 1)) - 1n) << BigInt(a));

/** dext family: `size` bits of rs from `pos`, zero-extended. */
const dext = (pos: (f: Fields) => number, size: (f: Fields) => number): Native => (g, f) => g.wr(f.rt, () => {
  const p = pos(f), n = size(f);
  g.reg(f.rs); g.c.i64(BigInt(p)).op(Op.i64_shr_u);
  if (n < 64) g.c.i64(bits(0, n - 1)).op(Op.i64_and);
});
/** dins family: rs inserted into rt at bits lsb..msb (no change when msb < lsb). */
const dins = (lsb: (f: Fields) => number, msb: (f: Fields) => number): Native => (g, f) => {
  const a = lsb(f), b = msb(f);
  if (b < a || b > 63) return;
  const m = bits(a, b);
  g.wr(f.rt, () => {
    g.reg(f.rt); g.c.i64(~m).op(Op.i64_and);
    g.reg(f.rs); g.c.i64(BigInt(a)).op(Op.i64_shl).i64(m).op(Op.i64_and, Op.i64_or);
  });
};
/** ddiv/ddivu: LO = quotient, HI = remainder; a zero divisor (and −2^63 / −1) divide by 1, as the interpreter does. */
const div64 = (unsigned: boolean): Native => (g, f) => {
  const c = g.c;
  g.reg(f.rs); c.set(LA); g.reg(f.rt); c.set(LB);
  // divisor = (b == 0 || (signed && a == MIN && b == −1)) ? 1 : b
  c.i64(1n).get(LB).get(LB).op(Op.i64_eqz);
  if (!unsigned) c.get(LA).i64(-(1n << 63n)).op(Op.i64_eq).get(LB).i64(-1n).op(Op.i64_eq, Op.i32_and, Op.i32_or);
  c.op(Op.select).set(LB);
  g.wr(LO, () => c.get(LA).get(LB).op(unsigned ? Op.i64_div_u : Op.i64_div_s));
  g.wr(HI, () => c.get(LA).get(LB).op(unsigned ? Op.i64_rem_u : Op.i64_rem_s));
};

/** Instructions emitted as WebAssembly (others call the interpreter's handler). */
const NATIVE: Record<string, Native> = {
  addu: alu3(Op.i64_add, true), subu: alu3(Op.i64_sub, true),
  daddu: alu3(Op.i64_add), dsubu: alu3(Op.i64_sub),
  and: alu3(Op.i64_and), or: alu3(Op.i64_or), xor: alu3(Op.i64_xor),
  nor: (g, f) => g.wr(f.rd, () => { g.reg(f.rs); g.reg(f.rt); g.c.op(Op.i64_or).i64(-1n).op(Op.i64_xor); }),
  slt: cmp3(Op.i64_lt_s), sltu: cmp3(Op.i64_lt_u),
  addiu: aluImm(Op.i64_add, (f) => BigInt(f.imm), true),
  daddiu: aluImm(Op.i64_add, (f) => BigInt(f.imm)),
  andi: aluImm(Op.i64_and, (f) => BigInt(f.uimm)),
  ori: aluImm(Op.i64_or, (f) => BigInt(f.uimm)),
  xori: aluImm(Op.i64_xor, (f) => BigInt(f.uimm)),
  slti: cmpImm(Op.i64_lt_s), sltiu: cmpImm(Op.i64_lt_u),
  lui: (g, f) => g.wr(f.rt, () => { g.c.i64(BigInt((f.uimm << 16) | 0)); }),
  movz: (g, f) => { if (f.rd === 0) return; g.reg(f.rt); g.c.op(Op.i64_eqz).begin(Op.if); g.wr(f.rd, () => g.reg(f.rs)); g.c.op(Op.end); },
  movn: (g, f) => {
    if (f.rd === 0) return;
    g.reg(f.rt); g.c.op(Op.i64_eqz, Op.i32_eqz).begin(Op.if); g.wr(f.rd, () => g.reg(f.rs)); g.c.op(Op.end);
  },
  sll: shift32(Op.i32_shl, false), srl: shift32(Op.i32_shr_u, false), sra: shift32(Op.i32_shr_s, false),
  rotr: shift32(Op.i32_rotr, false),
  sllv: shift32(Op.i32_shl, true), srlv: shift32(Op.i32_shr_u, true), srav: shift32(Op.i32_shr_s, true),
  rotrv: shift32(Op.i32_rotr, true),
  dsll: shift64(Op.i64_shl, 0), dsrl: shift64(Op.i64_shr_u, 0), dsra: shift64(Op.i64_shr_s, 0), drotr: shift64(Op.i64_rotr, 0),
  dsll32: shift64(Op.i64_shl, 32), dsrl32: shift64(Op.i64_shr_u, 32), dsra32: shift64(Op.i64_shr_s, 32), drotr32: shift64(Op.i64_rotr, 32),
  dsllv: shift64(Op.i64_shl, 'var'), dsrlv: shift64(Op.i64_shr_u, 'var'), dsrav: shift64(Op.i64_shr_s, 'var'), drotrv: shift64(Op.i64_rotr, 'var'),
  mfhi: (g, f) => g.wr(f.rd, () => g.reg(HI)),
  mflo: (g, f) => g.wr(f.rd, () => g.reg(LO)),
  mthi: (g, f) => g.wr(HI, () => g.reg(f.rs)),
  mtlo: (g, f) => g.wr(LO, () => g.reg(f.rs)),
  mult: mult32(false), multu: mult32(true), dmult: mult64(false), dmultu: mult64(true),
  mul: alu3(Op.i64_mul, true),
  clz: (g, f) => g.wr(f.rd, () => { g.reg(f.rs); g.c.op(Op.i32_wrap_i64, Op.i32_clz, Op.i64_extend_i32_u); }),
  clo: (g, f) => g.wr(f.rd, () => { g.reg(f.rs); g.c.op(Op.i32_wrap_i64).i32(-1).op(Op.i32_xor, Op.i32_clz, Op.i64_extend_i32_u); }),
  dclz: (g, f) => g.wr(f.rd, () => { g.reg(f.rs); g.c.op(Op.i64_clz); }),
  dclo: (g, f) => g.wr(f.rd, () => { g.reg(f.rs); g.c.i64(-1n).op(Op.i64_xor, Op.i64_clz); }),
  seb: (g, f) => g.wr(f.rd, () => { g.reg(f.rt); g.c.op(Op.i64_extend8_s); }),
  seh: (g, f) => g.wr(f.rd, () => { g.reg(f.rt); g.c.op(Op.i64_extend16_s); }),
  ext: (g, f) => g.wr(f.rt, () => {
    const size = ((f.w >>> 11) & 31) + 1;
    g.reg(f.rs); g.c.op(Op.i32_wrap_i64).i32(f.sa).op(Op.i32_shr_u);
    if (size < 32) g.c.i32((1 << size) - 1).op(Op.i32_and);
    g.c.op(Op.i64_extend_i32_s);
  }),
  ins: (g, f) => g.wr(f.rt, () => {
    const lsb = f.sa, msb = (f.w >>> 11) & 31;
    g.reg(f.rt);
    if (msb >= lsb) {
      const m = bits(lsb, msb);
      g.c.i64(~m).op(Op.i64_and);
      g.reg(f.rs); g.c.i64(BigInt(lsb)).op(Op.i64_shl).i64(m).op(Op.i64_and, Op.i64_or);
    }
    g.c.op(Op.i64_extend32_s);
  }),
  dext: dext((f) => f.sa, (f) => ((f.w >>> 11) & 31) + 1),
  dextm: dext((f) => f.sa, (f) => ((f.w >>> 11) & 31) + 33),
  dextu: dext((f) => f.sa + 32, (f) => ((f.w >>> 11) & 31) + 1),
  dins: dins((f) => f.sa, (f) => (f.w >>> 11) & 31),
  dinsm: dins((f) => f.sa, (f) => ((f.w >>> 11) & 31) + 32),
  dinsu: dins((f) => f.sa + 32, (f) => ((f.w >>> 11) & 31) + 32),
  ddiv: div64(false), ddivu: div64(true),
  sync: () => {},
  pref: () => {},
};

/** Why a scanned block cannot be a WebAssembly block, or undefined when it can. */
export function unsupported(b: Scanned): string | undefined {
  for (let k = 0; k < b.insns.length; k++) {
    const e = b.insns[k].e;
    if (e.flags & F.CTX) return `${e.op}: changes the translation context`;
    if (k === b.ds - 1 && !(e.op in COND)) return `${e.op}: branch not supported`;
    if (k === b.ds && (e.flags & (F.BRANCH | F.JUMP | F.INDIRECT))) return 'branch in a delay slot';
  }
  return undefined;
}

export interface EmittedRegion {
  code: Code;
  /** Target of each link slot ([lo, hi]), or undefined for an indirect jump's slot. */
  slots: Array<[number, number] | undefined>;
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
export function emitRegion(L: Layout, region: Region, mode: number, me: number, linkBase: number,
  fastRam = 0, xkphys = false): EmittedRegion {
  // The first pass finds the registers the region reads and writes and how often; the
  // second keeps the CACHED_REGS most named in locals — loaded on entry, stored back before
  // exits and call-outs — and the rest in memory.
  const probe = new RegionEmitter(L, region, mode, me, linkBase, fastRam, xkphys, undefined);
  probe.emit();
  const cached = new Set([...probe.uses].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, CACHED_REGS).map(([n]) => n));
  return new RegionEmitter(L, region, mode, me, linkBase, fastRam, xkphys, {
    used: new Set([...probe.used].filter((n) => cached.has(n))), written: new Set([...probe.written].filter((n) => cached.has(n))), cached,
  }).emit();
}

/** Exits a region can have (link slots it may need): two per block, plus a likely branch's. */
export function maxSlots(region: Region): number {
  return region.blocks.length * 3;
}

class RegionEmitter {
  readonly c = new Code();
  /** Registers read or written (1..33), and written, by native code. */
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  /** How often native code names each register. */
  readonly uses = new Map<number, number>();
  private readonly slots: Array<[number, number] | undefined> = [];
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

  constructor(readonly L: Layout, private readonly region: Region, private readonly mode: number, private readonly me: number,
    private readonly linkBase: number, private readonly fastRam: number, private readonly xkphys: boolean,
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
  private close(): void { this.c.op(Op.end); this.depth--; }

  // ---- exits

  private addIcount(done: number): void {
    if (done !== 0) this.c.get(N).i32(done).op(Op.i32_add).set(N);
  }


  /** Pushes the branch target's low (half 0) or high (half 1) word. */
  private target(half: 0 | 1): void {
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
    this.target(0); this.c.set(ELO);
    this.target(1); this.c.set(EHI);
    this.leave(-1);
  }

  /** Exit after a call-out took a guest exception (the CPU state is already the exception's). */
  private exceptionExit(): void {
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
    this.c.i32(0); this.target(0); this.c.mem(Op.i32_store, 2, this.ctrl(Ctrl.BRLO));
    this.c.i32(0); this.target(1); this.c.mem(Op.i32_store, 2, this.ctrl(Ctrl.BRHI));
  }

  /** After a call-out: exits on a guest exception (status 2) or a device access (status 1). */
  private statusCheck(k: number): void {
    const c = this.c;
    c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.STATUS)).tee(X);
    this.open(Op.if);
    c.get(X).i32(2).op(Op.i32_eq);
    this.open(Op.if); this.exceptionExit(); this.close();
    this.ioExit(k);
    this.close();
  }

  /** A call-out's argument naming its instruction: k | label << 8 | table index << 16. */
  private callId(k: number): number {
    return k | (this.label << 8) | (this.me << 16);
  }

  /** Instruction k through the interpreter's handler. */
  private generic(k: number): void {
    this.precise(k, true);
    this.c.i32(this.callId(k)).call(FN_EXEC);
    this.loadRegs();
    this.statusCheck(k);
  }

  /** The effective address rs + imm into local A. */
  private ea(f: Fields): void {
    this.reg(f.rs);
    if (f.imm !== 0) this.c.i64(BigInt(f.imm)).op(Op.i64_add);
    this.c.set(A);
  }

  /** RAM load or store with the host translation cache inline; the `mem` import on a miss. */
  private memory(k: number, m: MemInsn, f: Fields): void {
    const c = this.c, L = this.L;
    // (The table's offset for this mode and access kind is folded into the loads' offsets.)
    const K = wideTable(this.mode, m.store ? 1 : 0);
    this.ea(f);
    const direct = !m.store && this.fastRam !== 0;
    if (direct) {
      // Unmapped RAM below fastRam, aligned: ckseg0 (0xffffffff80000000 + physical), then
      // (with KX) xkphys (0b10 in bits 63:62, any cache attribute in 61:59); Q = the RAM offset.
      const outside = BigInt.asIntN(64, ~(BigInt(this.fastRam) - 1n) | BigInt(m.size - 1));
      const hit = (): void => {
        this.open(Op.if);
        c.get(Q).op(Op.i32_wrap_i64).mem(m.op, LOG2[m.size], 0);
        if (f.rt === 0) c.op(Op.drop); else this.wr(f.rt, () => {});
        c.op(Op.else);
      };
      c.get(A).i64(0x80000000n).op(Op.i64_add).tee(Q).i64(outside).op(Op.i64_and, Op.i64_eqz);
      hit();
      if (this.xkphys) {
        c.get(A).i64(BigInt.asIntN(64, ~(7n << 59n))).op(Op.i64_and).i64(BigInt.asIntN(64, 2n << 62n)).op(Op.i64_xor).tee(Q);
        c.i64(outside).op(Op.i64_and, Op.i64_eqz);
        hit();
      }
    }
    wideHit(c, L.wideTag, K, LOOKUP, m.size);
    const addr = (): void => wideAddress(c, L.wideAdd, K, LOOKUP);
    const slowArgs = (): void => { c.i32(m.m).i32(this.callId(k)).get(X).get(A).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64); };
    this.open(Op.if);
    if (m.store) {
      addr(); this.reg(f.rt); c.mem(m.op, LOG2[m.size], 0);
      c.op(Op.else);
      this.precise(k, false);
      slowArgs(); this.reg(f.rt); c.op(Op.i32_wrap_i64); this.reg(f.rt); c.i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64);
      c.call(FN_MEM).op(Op.drop);
      this.statusCheck(k);
      this.close();
      return;
    }
    // (Loads into $zero still access memory: devices may have read side effects.)
    addr(); c.mem(m.op, LOG2[m.size], 0);
    if (f.rt === 0) c.op(Op.drop); else this.wr(f.rt, () => {});
    c.op(Op.else);
    this.precise(k, false);
    slowArgs(); c.i32(0).i32(0).call(FN_MEM).set(X);
    // (A guest exception leaves rt as it was.)
    c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.STATUS)).i32(2).op(Op.i32_eq);
    this.open(Op.if); this.exceptionExit(); this.close();
    c.get(X).op(Op.i64_extend_i32_u);
    c.i32(0).mem(Op.i32_load, 2, this.ctrl(Ctrl.RESHI)).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl, Op.i64_or);
    if (f.rt === 0) c.op(Op.drop); else this.wr(f.rt, () => {});
    this.statusCheck(k);
    this.close();
    if (direct) { this.close(); if (this.xkphys) this.close(); }
  }

  /**
   * ldl/ldr (little-endian): the aligned doubleword through the inline lookup, merged into
   * rt; a miss runs the interpreter's handler (which takes any exception exactly).
   */
  private loadPart(k: number, f: Fields, left: boolean): void {
    const c = this.c, L = this.L;
    const K = wideTable(this.mode, 0);
    this.ea(f);
    wideHit(c, L.wideTag, K, LOOKUP, 1); // (any alignment: the aligned doubleword is read)
    this.open(Op.if);
    wideAddress(c, L.wideAdd, K, LOOKUP);
    c.i32(-8).op(Op.i32_and).mem(Op.i64_load, 3, 0).set(P);
    // Q = byte offset × 8 (ldr's shift; ldl shifts by 56 − Q).
    c.get(X).i32(7).op(Op.i32_and).i32(3).op(Op.i32_shl, Op.i64_extend_i32_u).set(Q);
    if (left) {
      c.i64(56n).get(Q).op(Op.i64_sub).set(Q);
      // (m << Q) | (rt & ((1 << Q) − 1))
      this.wr(f.rt, () => { c.get(P).get(Q).op(Op.i64_shl); this.reg(f.rt); c.i64(1n).get(Q).op(Op.i64_shl).i64(1n).op(Op.i64_sub, Op.i64_and, Op.i64_or); });
    } else {
      // (m >>> Q) | (rt & ~(−1 >>> Q))
      this.wr(f.rt, () => { c.get(P).get(Q).op(Op.i64_shr_u); this.reg(f.rt); c.i64(-1n).get(Q).op(Op.i64_shr_u).i64(-1n).op(Op.i64_xor, Op.i64_and, Op.i64_or); });
    }
    c.op(Op.else);
    this.generic(k);
    this.close();
  }

  // ---- instructions

  private fields(w: number): Fields {
    return { rs: (w >>> 21) & 31, rt: (w >>> 16) & 31, rd: (w >>> 11) & 31, sa: (w >>> 6) & 31, imm: (w << 16) >> 16, uimm: w & 0xffff, w };
  }

  private insn(k: number, e: InsnSpec, w: number): void {
    const f = this.fields(w);
    // 64-bit operations check their privilege outside Kernel mode: leave that to the handler.
    const checked = this.mode !== 0 && templateFor(e).includes('c.op64');
    const m = MEM[e.op];
    if (m && !checked) { this.memory(k, m, f); return; }
    if ((e.op === 'ldl' || e.op === 'ldr') && !checked && f.rt !== 0) { this.loadPart(k, f, e.op === 'ldl'); return; }
    const nat = NATIVE[e.op];
    if (nat && !checked) { nat(this, f); return; }
    this.generic(k);
  }

  /** The branch at k (delay slot at k + 1): outcome in T, indirect target in J, link register written. */
  private branch(k: number, e: InsnSpec, w: number, pcLo: number, pcHi: number): void {
    const f = this.fields(w);
    const c = this.c;
    const cond = COND[e.op];
    this.likely = LIKELY.has(e.op);
    this.indirect = (e.flags & F.INDIRECT) !== 0;
    if (this.indirect) { this.reg(f.rs); c.set(J); }
    if (cond !== 'always') {
      this.reg(f.rs);
      if (TWO_REG.has(e.op)) this.reg(f.rt); else c.i64(0n);
      c.op(cond).set(T);
    }
    const [ll, lh] = add32(pcLo, pcHi, 8);
    if (LINK31.has(e.op)) this.wr(31, () => c.i64hl(lh, ll));
    else if (e.flags & F.LINK) this.wr(f.rd, () => c.i64hl(lh, ll));
    if (this.likely) {
      c.get(T).op(Op.i32_eqz);
      this.open(Op.if); this.goTo(ll, lh, k + 1); this.close();
    }
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
      if (k === b.ds - 1) { this.branch(k, e, w, pl, ph); continue; }
      this.insn(k, e, w);
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
    return { code: c, slots: this.slots };
  }
}
