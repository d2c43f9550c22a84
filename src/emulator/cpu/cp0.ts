// CP0 register state of one CPU. Plain fields (64-bit registers as BigInt, 32-bit ones
// as numbers) declared once in the state spec, so checkpoints save exactly these. The
// behaviour of reads and writes (write masks, side effects) lives in cp0-access.ts.

import { markFieldsVariable, storeAsDoubles } from '../double-fields';
import { StateSpec } from '../snapshot/state';
import { CpuModel } from './cpu-models';

export class Cp0 {
  constructor() {
    // (32-bit registers reach 2^31 — Cause.BD, Count, Compare — beyond V8's small integers.)
    const self = this as unknown as Record<string, unknown>;
    storeAsDoubles(this, ...Object.keys(this).filter((k) => typeof self[k] === 'number') as Array<keyof Cp0>);
    markFieldsVariable(this);
  }

  index = 0;
  entryLo0 = 0;       // ≤ 2^36: numbers are exact
  entryLo1 = 0;
  context = 0n;
  pageMask = 0;
  pageGrain = 0;
  wired = 0;
  hwrena = 0;
  badVAddr = 0n;
  /** Count = countBase + (icount − countIcount) / countDiv (mod 2^32). */
  countBase = 0;
  countIcount = 0;
  entryHi = 0n;
  compare = 0;
  status = 0;
  intCtl = 0;
  srsCtl = 0;
  cause = 0;
  epc = 0n;
  prid = 0;
  ebase = 0n;
  config0 = 0;
  config1 = 0;
  config2 = 0;
  config3 = 0;
  lladdr = 0n;
  watchLo = 0n;
  watchHi = 0;
  /** WatchLo1-7 as (low, high) 32-bit halves, and WatchHi1-7 (select 0 is watchLo / watchHi). */
  readonly watchLoN = new Int32Array(14);
  readonly watchHiN = new Int32Array(7);
  xContext = 0n;
  debug = 0;
  depc = 0n;
  perfCtl0 = 0;
  perfCnt0 = 0;
  errCtl = 0;
  cacheErr = 0;
  tagLo = 0;
  dataLo = 0;
  tagHi = 0;
  dataHi = 0;
  errorEpc = 0n;
  desave = 0n;

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
    this.index = 0; this.entryLo0 = 0; this.entryLo1 = 0; this.context = 0n; this.pageMask = 0;
    this.pageGrain = 0; this.wired = 0; this.hwrena = 0; this.badVAddr = 0n;
    this.countBase = 1; this.countIcount = icount;
    this.entryHi = 0n; this.compare = 0;
    this.status = (1 << 22) | (1 << 2); // BEV | ERL
    this.intCtl = 0xe0000000; this.srsCtl = 0; this.cause = 0; this.epc = 0n;
    this.prid = model.prid; this.ebase = 0xffffffff80000000n;
    this.config0 = model.config0; this.config1 = model.config1; this.config2 = model.config2; this.config3 = model.config3;
    this.lladdr = 0n; this.watchLo = 0n;
    this.watchHi = 0x80000000; // M: QEMU resets WatchHi0-6 with M = 1 (more Watch pairs follow)
    this.watchLoN.fill(0);
    for (let i = 0; i < 7; i++) this.watchHiN[i] = i < 6 ? 0x80000000 | 0 : 0; // WatchHi7: last pair
    this.xContext = 0n; this.debug = 0; this.depc = 0n;
    this.perfCtl0 = 0; this.perfCnt0 = 0; this.errCtl = 0; this.cacheErr = 0;
    this.tagLo = 0; this.dataLo = 0; this.tagHi = 0; this.dataHi = 0; this.errorEpc = 0n; this.desave = 0n;
  }
}
