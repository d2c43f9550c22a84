// The CP0 registers an Octeon model has beyond the 5KEc's: Config4-7, KScratch1-6 and
// the Cavium ones (names as in Linux's asm/mipsregs.h and the Octeon headers):
//   CvmCount  (9, 6)   64-bit cycle counter: Linux's clocksource, udelay and sched_clock
//   CvmCtl    (9, 7)   core control; NOMUL (27) clear = the multiplier exists (its state is
//                      saved on exceptions), NOCRYPTO (26) and NODFA_CP2 (28) set: no COP2
//   CvmMemCtl (11, 7)  memory control; LMEMSZ [5:0] CVMSEG lines, CVMSEGENAU/S/K [6]/[7]/[8]
//                      enable CVMSEG local memory per mode (translate.ts maps it)
//   CacheErr  (27, 1)  D-cache error (select 0, the I-cache one, is the base register)
//   DErrAddr0/1 (26, 1/2), MultiCoreDebug (22, 0)
// No cache or parity errors are ever detected: the error registers read 0 and ignore writes.
// The state is declared once (StateSpec) and hooked into cp0-access.ts by read64()/write(),
// which return undefined/false for registers this file does not own.

import { markFieldsVariable, storeAsDoubles } from '../double-fields';
import { StateSpec } from '../snapshot/state';
import type { CpuModel, OcteonModel } from './cpu-models';

/** CP0 (register, select) as reg * 8 + sel. */
const enum Reg {
  MultiCoreDebug = 22 * 8, CvmCount = 9 * 8 + 6, CvmCtl = 9 * 8 + 7, CvmMemCtl = 11 * 8 + 7,
  Config4 = 16 * 8 + 4, Config5 = 16 * 8 + 5, Config6 = 16 * 8 + 6, Config7 = 16 * 8 + 7,
  DErrAddr0 = 26 * 8 + 1, DErrAddr1 = 26 * 8 + 2, DCacheErr = 27 * 8 + 1, KScratch1 = 31 * 8 + 2,
}

/**
 * Physical address of the CVMSEG local memory (RAM after the guest's, mapped by the
 * machine): beyond every model's PABITS, so only CVMSEG addresses reach it.
 */
export const CVMSEG_PA = 2 ** 49;
/** Virtual address (low word, in the 0xffffffff high word) where CVMSEG starts. */
export const CVMSEG_VA_LO = 0xffff8000;

/** CvmCtl bit 14: misaligned loads and stores complete in hardware instead of an address error (Linux's memcpy relies on it). */
export const CVMCTL_USEUN = 1n << 14n;

/** CvmMemCtl fields. */
export const CVMMEMCTL_LMEMSZ = 0x3f;
export const CVMMEMCTL_CVMSEGENAU = 1 << 6;
export const CVMMEMCTL_CVMSEGENAS = 1 << 7;
export const CVMMEMCTL_CVMSEGENAK = 1 << 8;
/** Writable CvmMemCtl bits: all but the read-only BIST results [63:58] and reserved [57:41]. */
const CVMMEMCTL_MASK = (1n << 41n) - 1n;
/** CvmCtl bits a write cannot change: the fuse-like feature bits NODFA_CP2, NOMUL, NOCRYPTO [28:26]. */
const CVMCTL_FIXED = 7n << 26n;

export interface CaviumCpu {
  icount: number;
  readonly model: CpuModel;
  /** Brings icount up to date inside a translated block. */
  sync(): void;
  /** Flushes the host translation cache (CVMSEG mapping changed). */
  cvmsegChanged(): void;
}

export class CaviumCp0 {
  constructor(private readonly octeon: OcteonModel) {
    storeAsDoubles(this, 'cvmCountIcount', 'multiCoreDebug', 'config4');
    markFieldsVariable(this);
  }

  config4 = 0;
  /** KScratch1-6 (CP0 31, selects 2-7) as (low, high) int32 halves. */
  readonly kscratch = new Int32Array(12);
  cvmCtl = 0n;
  cvmMemCtl = 0n;
  /** CvmCount = cvmCountBase + (icount − cvmCountIcount) / countDiv (mod 2^64). */
  cvmCountBase = 0n;
  cvmCountIcount = 0;
  multiCoreDebug = 0;

  static readonly spec: StateSpec = {
    name: 'cpu0.cp0.cavium', version: 1,
    fields: {
      config4: 'u32', kscratch: 'i32array', cvmCtl: 'u64', cvmMemCtl: 'u64', cvmCountBase: 'u64', cvmCountIcount: 'f64',
      multiCoreDebug: 'u32',
    },
    ranges: { kscratch: { length: 12 }, cvmCountIcount: { min: 0, max: Number.MAX_SAFE_INTEGER } },
  };

  get stateSpec(): StateSpec { return CaviumCp0.spec; }
  get state(): Record<string, unknown> { return this as unknown as Record<string, unknown>; }

  reset(icount: number): void {
    this.config4 = this.octeon.config4;
    this.kscratch.fill(0);
    this.cvmCtl = this.octeon.cvmCtlReset;
    this.cvmMemCtl = 0n;
    this.cvmCountBase = 0n;
    this.cvmCountIcount = icount;
    this.multiCoreDebug = 0;
  }

  /** CvmCount now. */
  cvmCount(cpu: CaviumCpu): bigint {
    cpu.sync();
    const ticks = Math.floor((cpu.icount - this.cvmCountIcount) / cpu.model.countDiv);
    return BigInt.asUintN(64, this.cvmCountBase + BigInt(ticks));
  }

  /** Bytes of CVMSEG local memory usable in a mode (0 kernel, 1 supervisor, 2 user), or 0. */
  cvmsegBytes(mode: number): number {
    const v = Number(this.cvmMemCtl & 0x1ffn);
    const enable = mode === 0 ? CVMMEMCTL_CVMSEGENAK : mode === 1 ? CVMMEMCTL_CVMSEGENAS : CVMMEMCTL_CVMSEGENAU;
    if (!(v & enable)) return 0;
    return Math.min((v & CVMMEMCTL_LMEMSZ) * 128, this.octeon.cvmsegBytes);
  }

  /** dmfc0 of a register this file owns, else undefined. */
  read64(cpu: CaviumCpu, reg: number, sel: number): bigint | undefined {
    const k = reg * 8 + sel;
    switch (k) {
      case Reg.CvmCount: return this.cvmCount(cpu);
      case Reg.CvmCtl: return this.cvmCtl;
      case Reg.CvmMemCtl: return this.cvmMemCtl;
      case Reg.Config4: return BigInt(this.config4 | 0);
      case Reg.Config5: case Reg.Config6: case Reg.Config7: return 0n;
      case Reg.DCacheErr: case Reg.DErrAddr0: case Reg.DErrAddr1: return 0n;
      case Reg.MultiCoreDebug: return BigInt(this.multiCoreDebug | 0);
      default:
        if (k >= Reg.KScratch1 && k < Reg.KScratch1 + 6 && (this.octeon.kscratchMask & (1 << sel))) {
          const i = (sel - 2) * 2;
          return BigInt.asIntN(64, (BigInt(this.kscratch[i + 1]) << 32n) | BigInt(this.kscratch[i] >>> 0));
        }
        return undefined;
    }
  }

  /** mtc0/dmtc0 of a register this file owns (true), else false. */
  write(cpu: CaviumCpu, reg: number, sel: number, v: bigint): boolean {
    const k = reg * 8 + sel;
    switch (k) {
      case Reg.CvmCount:
        cpu.sync();
        this.cvmCountBase = BigInt.asUintN(64, v);
        this.cvmCountIcount = cpu.icount;
        return true;
      case Reg.CvmCtl:
        this.cvmCtl = (this.cvmCtl & CVMCTL_FIXED) | (BigInt.asUintN(64, v) & ~CVMCTL_FIXED);
        return true;
      case Reg.CvmMemCtl: {
        const was = this.cvmMemCtl;
        this.cvmMemCtl = BigInt.asUintN(64, v) & CVMMEMCTL_MASK;
        if (((was ^ this.cvmMemCtl) & 0x1ffn) !== 0n) cpu.cvmsegChanged();
        return true;
      }
      case Reg.Config4: case Reg.Config5: case Reg.Config6: case Reg.Config7: return true; // read-only
      case Reg.DCacheErr: case Reg.DErrAddr0: case Reg.DErrAddr1: return true; // no errors to clear
      case Reg.MultiCoreDebug: this.multiCoreDebug = Number(v & 0xffffffffn); return true;
      default:
        if (k >= Reg.KScratch1 && k < Reg.KScratch1 + 6 && (this.octeon.kscratchMask & (1 << sel))) {
          const i = (sel - 2) * 2;
          this.kscratch[i] = Number(BigInt.asIntN(32, v));
          this.kscratch[i + 1] = Number(BigInt.asIntN(32, v >> 32n));
          return true;
        }
        return false;
    }
  }
}
