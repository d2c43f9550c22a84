// CP0 register state of one CPU, stored as 32-bit words in one Int32Array (in the bus's
// core area, where translated WebAssembly code reads and writes them too). 32-bit registers
// take one word, 64-bit ones a low/high pair (C0 names the offsets); each has an accessor
// under its MIPS name (a bigint for 64-bit registers: the debugger's and checkpoints' view),
// and hot paths use the words directly (no BigInt on exception entry or TLB refill).
// The state spec declares the accessors, so checkpoints save exactly these. The behaviour of
// reads and writes (write masks, side effects) lives in cp0-access.ts.

import { StateSpec } from '../snapshot/state';
import { CpuModel } from './cpu-models';
import type { Cp0Word } from '../isa/ir';

/** Word offsets in Cp0.w. A 64-bit register's low word is at its offset, the high word after it. */
export const enum C0 {
  /** Count's icount base: a float64 (words 0-1). */
  COUNT_ICOUNT = 0,
  CONTEXT = 2, BADVADDR = 4, ENTRYHI = 6, EPC = 8, EBASE = 10, LLADDR = 12, WATCHLO = 14, XCONTEXT = 16,
  DEPC = 18, ERROREPC = 20, DESAVE = 22,
  /** EntryLo0/1: PFN and flags (up to 36 bits; high word then holds bits 63:32). */
  ENTRYLO0 = 24, ENTRYLO1 = 26,
  INDEX = 28, PAGEMASK, PAGEGRAIN, WIRED, HWRENA, COUNT_BASE, COMPARE, STATUS, INTCTL, SRSCTL, CAUSE, PRID,
  CONFIG0, CONFIG1, CONFIG2, CONFIG3, WATCHHI, DEBUG, PERFCTL0, PERFCNT0, ERRCTL, CACHEERR, TAGLO, DATALO, TAGHI, DATAHI,
  /** WatchLo1-7 as (low, high) pairs, then WatchHi1-7. */
  WATCHLON = 56, WATCHHIN = 70,
  WORDS = 78,
}

/** The (low) word of each CP0 register the instruction IR reads or writes directly (isa/ir.ts Cp0Word). */
export const C0_WORD: Record<Cp0Word, number> = {
  status: C0.STATUS, hwrena: C0.HWRENA, ebase: C0.EBASE, index: C0.INDEX, context: C0.CONTEXT, pagemask: C0.PAGEMASK,
  pagegrain: C0.PAGEGRAIN, wired: C0.WIRED, badvaddr: C0.BADVADDR, entryhi: C0.ENTRYHI, compare: C0.COMPARE,
  intctl: C0.INTCTL, srsctl: C0.SRSCTL, cause: C0.CAUSE, epc: C0.EPC, prid: C0.PRID, config0: C0.CONFIG0,
  config1: C0.CONFIG1, config2: C0.CONFIG2, config3: C0.CONFIG3, lladdr: C0.LLADDR, xcontext: C0.XCONTEXT,
  errorepc: C0.ERROREPC, desave: C0.DESAVE,
};

/** Bytes of a Cp0's storage (8-aligned). */
export const CP0_BYTES = C0.WORDS * 4;

const TWO32 = 4294967296;

/** Where a Cp0 keeps its words: CP0_BYTES at `offset` (8-aligned) in `buffer`. */
export interface Cp0Storage { buffer: ArrayBuffer; offset: number }

export class Cp0 {
  /** The registers' words (see C0). */
  readonly w: Int32Array;
  private readonly f: Float64Array;
  /** WatchLo1-7 as (low, high) 32-bit halves, and WatchHi1-7 (select 0 is watchLo / watchHi). */
  readonly watchLoN: Int32Array;
  readonly watchHiN: Int32Array;

  constructor(storage?: Cp0Storage) {
    const buf = storage?.buffer ?? new ArrayBuffer(CP0_BYTES);
    const at = storage?.offset ?? 0;
    this.w = new Int32Array(buf, at, C0.WORDS);
    this.f = new Float64Array(buf, at, 1);
    this.watchLoN = this.w.subarray(C0.WATCHLON, C0.WATCHLON + 14);
    this.watchHiN = this.w.subarray(C0.WATCHHIN, C0.WATCHHIN + 7);
  }

  // ---- 32-bit registers (unsigned values) --------------------------------------------
  get index(): number { return this.w[C0.INDEX] >>> 0; }
  set index(v: number) { this.w[C0.INDEX] = v; }
  get pageMask(): number { return this.w[C0.PAGEMASK] >>> 0; }
  set pageMask(v: number) { this.w[C0.PAGEMASK] = v; }
  get pageGrain(): number { return this.w[C0.PAGEGRAIN] >>> 0; }
  set pageGrain(v: number) { this.w[C0.PAGEGRAIN] = v; }
  get wired(): number { return this.w[C0.WIRED] >>> 0; }
  set wired(v: number) { this.w[C0.WIRED] = v; }
  get hwrena(): number { return this.w[C0.HWRENA] >>> 0; }
  set hwrena(v: number) { this.w[C0.HWRENA] = v; }
  /** Count = countBase + (icount − countIcount) / countDiv (mod 2^32). */
  get countBase(): number { return this.w[C0.COUNT_BASE] >>> 0; }
  set countBase(v: number) { this.w[C0.COUNT_BASE] = v; }
  get countIcount(): number { return this.f[0]; }
  set countIcount(v: number) { this.f[0] = v; }
  get compare(): number { return this.w[C0.COMPARE] >>> 0; }
  set compare(v: number) { this.w[C0.COMPARE] = v; }
  get status(): number { return this.w[C0.STATUS] >>> 0; }
  set status(v: number) { this.w[C0.STATUS] = v; }
  get intCtl(): number { return this.w[C0.INTCTL] >>> 0; }
  set intCtl(v: number) { this.w[C0.INTCTL] = v; }
  get srsCtl(): number { return this.w[C0.SRSCTL] >>> 0; }
  set srsCtl(v: number) { this.w[C0.SRSCTL] = v; }
  get cause(): number { return this.w[C0.CAUSE] >>> 0; }
  set cause(v: number) { this.w[C0.CAUSE] = v; }
  get prid(): number { return this.w[C0.PRID] >>> 0; }
  set prid(v: number) { this.w[C0.PRID] = v; }
  get config0(): number { return this.w[C0.CONFIG0] >>> 0; }
  set config0(v: number) { this.w[C0.CONFIG0] = v; }
  get config1(): number { return this.w[C0.CONFIG1] >>> 0; }
  set config1(v: number) { this.w[C0.CONFIG1] = v; }
  get config2(): number { return this.w[C0.CONFIG2] >>> 0; }
  set config2(v: number) { this.w[C0.CONFIG2] = v; }
  get config3(): number { return this.w[C0.CONFIG3] >>> 0; }
  set config3(v: number) { this.w[C0.CONFIG3] = v; }
  get watchHi(): number { return this.w[C0.WATCHHI] >>> 0; }
  set watchHi(v: number) { this.w[C0.WATCHHI] = v; }
  get debug(): number { return this.w[C0.DEBUG] >>> 0; }
  set debug(v: number) { this.w[C0.DEBUG] = v; }
  get perfCtl0(): number { return this.w[C0.PERFCTL0] >>> 0; }
  set perfCtl0(v: number) { this.w[C0.PERFCTL0] = v; }
  get perfCnt0(): number { return this.w[C0.PERFCNT0] >>> 0; }
  set perfCnt0(v: number) { this.w[C0.PERFCNT0] = v; }
  get errCtl(): number { return this.w[C0.ERRCTL] >>> 0; }
  set errCtl(v: number) { this.w[C0.ERRCTL] = v; }
  get cacheErr(): number { return this.w[C0.CACHEERR] >>> 0; }
  set cacheErr(v: number) { this.w[C0.CACHEERR] = v; }
  get tagLo(): number { return this.w[C0.TAGLO] >>> 0; }
  set tagLo(v: number) { this.w[C0.TAGLO] = v; }
  get dataLo(): number { return this.w[C0.DATALO] >>> 0; }
  set dataLo(v: number) { this.w[C0.DATALO] = v; }
  get tagHi(): number { return this.w[C0.TAGHI] >>> 0; }
  set tagHi(v: number) { this.w[C0.TAGHI] = v; }
  get dataHi(): number { return this.w[C0.DATAHI] >>> 0; }
  set dataHi(v: number) { this.w[C0.DATAHI] = v; }

  // ---- EntryLo0/1: numbers (≤ 2^36 in practice; any 64-bit value is kept exactly as a pair) ----
  get entryLo0(): number { return this.num(C0.ENTRYLO0); }
  set entryLo0(v: number) { this.setNum(C0.ENTRYLO0, v); }
  get entryLo1(): number { return this.num(C0.ENTRYLO1); }
  set entryLo1(v: number) { this.setNum(C0.ENTRYLO1, v); }

  // ---- 64-bit registers as bigint (unsigned) -------------------------------------------
  get context(): bigint { return this.big(C0.CONTEXT); }
  set context(v: bigint) { this.setBig(C0.CONTEXT, v); }
  get badVAddr(): bigint { return this.big(C0.BADVADDR); }
  set badVAddr(v: bigint) { this.setBig(C0.BADVADDR, v); }
  get entryHi(): bigint { return this.big(C0.ENTRYHI); }
  set entryHi(v: bigint) { this.setBig(C0.ENTRYHI, v); }
  get epc(): bigint { return this.big(C0.EPC); }
  set epc(v: bigint) { this.setBig(C0.EPC, v); }
  get ebase(): bigint { return this.big(C0.EBASE); }
  set ebase(v: bigint) { this.setBig(C0.EBASE, v); }
  get lladdr(): bigint { return this.big(C0.LLADDR); }
  set lladdr(v: bigint) { this.setBig(C0.LLADDR, v); }
  get watchLo(): bigint { return this.big(C0.WATCHLO); }
  set watchLo(v: bigint) { this.setBig(C0.WATCHLO, v); }
  get xContext(): bigint { return this.big(C0.XCONTEXT); }
  set xContext(v: bigint) { this.setBig(C0.XCONTEXT, v); }
  get depc(): bigint { return this.big(C0.DEPC); }
  set depc(v: bigint) { this.setBig(C0.DEPC, v); }
  get errorEpc(): bigint { return this.big(C0.ERROREPC); }
  set errorEpc(v: bigint) { this.setBig(C0.ERROREPC, v); }
  get desave(): bigint { return this.big(C0.DESAVE); }
  set desave(v: bigint) { this.setBig(C0.DESAVE, v); }

  /** Sets the 64-bit register at word offset `at` from int32 halves. */
  set64(at: number, hi: number, lo: number): void {
    this.w[at] = lo;
    this.w[at + 1] = hi;
  }

  private big(at: number): bigint {
    return (BigInt(this.w[at + 1] >>> 0) << 32n) | BigInt(this.w[at] >>> 0);
  }

  private setBig(at: number, v: bigint): void {
    this.w[at] = Number(BigInt.asIntN(32, v));
    this.w[at + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  private num(at: number): number {
    return (this.w[at + 1] >>> 0) * TWO32 + (this.w[at] >>> 0);
  }

  private setNum(at: number, v: number): void {
    this.w[at] = v % TWO32;
    this.w[at + 1] = Math.floor(v / TWO32);
  }

  static readonly spec: StateSpec = {
    name: 'cpu0.cp0', version: 2,
    fields: {
      index: 'u32', entryLo0: 'f64', entryLo1: 'f64', context: 'u64', pageMask: 'u32', pageGrain: 'u32',
      wired: 'u32', hwrena: 'u32', badVAddr: 'u64', countBase: 'u32', countIcount: 'f64', entryHi: 'u64',
      compare: 'u32', status: 'u32', intCtl: 'u32', srsCtl: 'u32', cause: 'u32', epc: 'u64', prid: 'u32',
      ebase: 'u64', config0: 'u32', config1: 'u32', config2: 'u32', config3: 'u32', lladdr: 'u64',
      watchLo: 'u64', watchHi: 'u32', watchLoN: 'i32array', watchHiN: 'i32array', xContext: 'u64', debug: 'u32', depc: 'u64', perfCtl0: 'u32',
      perfCnt0: 'u32', errCtl: 'u32', cacheErr: 'u32', tagLo: 'u32', dataLo: 'u32', tagHi: 'u32', dataHi: 'u32',
      errorEpc: 'u64', desave: 'u64',
    },
    ranges: {
      // PFN, C, D, V, G, and on Octeon RI/XI at bits 52/51.
      entryLo0: { min: 0, max: 2 ** 53 - 1 }, entryLo1: { min: 0, max: 2 ** 53 - 1 },
      countIcount: { min: 0, max: Number.MAX_SAFE_INTEGER },
      watchLoN: { length: 14 }, watchHiN: { length: 7 },
    },
    // (Wired and Index against the TLB's size, and countIcount against the instruction
    // count, are checked by the machine: Machine.stateProblem.)
  };

  /** Power-on / reset values for a model (QEMU's reset state). */
  reset(model: CpuModel, icount: number): void {
    this.w.fill(0);
    this.countBase = 1; this.countIcount = icount;
    this.status = (1 << 22) | (1 << 2); // BEV | ERL
    this.intCtl = 0xe0000000;
    this.prid = model.prid;
    this.set64(C0.EBASE, -1, 0x80000000 | 0);
    this.config0 = model.config0; this.config1 = model.config1; this.config2 = model.config2; this.config3 = model.config3;
    this.watchHi = 0x80000000; // M: QEMU resets WatchHi0-6 with M = 1 (more Watch pairs follow)
    for (let i = 0; i < 7; i++) this.watchHiN[i] = i < 6 ? 0x80000000 | 0 : 0; // WatchHi7: last pair
  }
}
