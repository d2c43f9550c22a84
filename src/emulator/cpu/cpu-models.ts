// CPU models: identification and configuration registers, writable-bit masks, address
// widths and TLB size, as QEMU models them (QEMU is our reference for 5KEc/5KEf), and
// the Cavium Octeon II model Debian's octeon kernel runs on (no QEMU system reference:
// values from the Linux sources that read them, see cp0-cavium.ts).

import { CpuModelName } from '../isa/decoder';

export interface CpuModel {
  readonly name: string;
  /** Instruction decoder model. */
  readonly isa: CpuModelName;
  readonly prid: number;
  readonly config0: number;
  readonly config1: number;
  readonly config2: number;
  readonly config3: number;
  /** Writable bits of Status. */
  readonly statusMask: number;
  readonly segBits: number;
  readonly paBits: number;
  readonly tlbEntries: number;
  readonly hasFpu: boolean;
  /** FIR (FCR0) when an FPU exists. */
  readonly fir: number;
  /** Count increments once every `countDiv` instructions. */
  readonly countDiv: number;
  readonly synciStep: number;
  readonly ccRes: number;
  /** Writable HWREna bits (default 0xf: CPUNum, SYNCI_Step, CC, CCRes). */
  readonly hwrenaMask?: number;
  /** Writable PageGrain bits (default none): RIE, XIE, ELPA, IEC enable RI/XI (EntryLo bits 63/62). */
  readonly pageGrainMask?: number;
  /** The Cavium Octeon extensions (cp0-cavium.ts, octeon-unit.ts): CP0 registers, multiplier, CVMSEG, RI/XI. */
  readonly octeon?: OcteonModel;
}

/** What an Octeon model adds to the MIPS64 core. */
export interface OcteonModel {
  readonly config4: number;
  /** KScratch registers present: bit n for CP0 register 31 select n (Config4.KScrExist). */
  readonly kscratchMask: number;
  /** CvmCtl at reset (feature-absent bits: NODFA_CP2, NOCRYPTO). */
  readonly cvmCtlReset: bigint;
  /** Largest CVMSEG local memory in bytes (CvmMemCtl.LMEMSZ × 128 may not exceed it). */
  readonly cvmsegBytes: number;
}

// Config1 = M | MMUSize-1 <<25 | IS<<22 | IL<<19 | IA<<16 | DS<<13 | DL<<10 | DA<<7 | C2<<6 | MD<<5 | PC<<4 | WR<<3 | CA<<2 | EP<<1 | FP
const config1 = (tlb: number, fpu: boolean): number =>
  ((1 << 31) | ((tlb - 1) << 25) | (1 << 22) | (4 << 19) | (1 << 16) | (1 << 13) | (4 << 10) | (1 << 7)
    | (1 << 4) | (1 << 3) | (1 << 1) | (fpu ? 1 : 0)) >>> 0;

export const CPU_5KEC: CpuModel = {
  name: '5KEc', isa: '5KEc', prid: 0x00018900,
  config0: 0x80004482, config1: config1(32, false), config2: 0x80000000, config3: 0,
  statusMask: 0x12f8ffff, segBits: 42, paBits: 36, tlbEntries: 32, hasFpu: false, fir: 0,
  countDiv: 2, synciStep: 32, ccRes: 2,
};

export const CPU_5KEF: CpuModel = {
  // PRId: the 5KE family shares implementation number 0x89 (Linux's PRID_IMP_5KE; QEMU).
  ...CPU_5KEC, name: '5KEf', prid: 0x00018900, config1: config1(32, true), statusMask: 0x36f8ffff, hasFpu: true,
  // FIR as QEMU's 5KEf: F64 | L | W | D | S, processor id 0x89 (no paired single, no MIPS-3D).
  fir: 0x00738900,
};

/**
 * Cavium Octeon II CN61XX pass 1.1, one core: PRId company 0x0D, implementation 0x93
 * (Linux's PRID_IMP_CAVIUM_CN61XX). 128 TLB entries (Config1.MMUSize 63 plus
 * Config4.MMUSizeExt 1 × 64), KScratch at CP0 31 selects 2 and 3, no FPU (Linux emulates
 * floating point), 49-bit virtual and physical addresses (bit 48 selects I/O), Count and
 * CvmCount at one tick per instruction. Config3: M and LPA (no ULRI: rdhwr $29 traps, as
 * on the 5KEc; no RXI: RI/XI faults are TLBL/TLBS). Status also lets CU2 be set (the
 * crypto coprocessor's enable; COP2 itself is absent, see CvmCtl.NOCRYPTO).
 */
export const CPU_OCTEON2: CpuModel = {
  name: 'Octeon2', isa: 'octeon2', prid: 0x000d9301,
  config0: 0x80004482, config1: config1(64, false), config2: 0x80000000, config3: 0x80000080,
  statusMask: 0x52f8ffff, segBits: 49, paBits: 49, tlbEntries: 128, hasFpu: false, fir: 0,
  countDiv: 1, synciStep: 128, ccRes: 1, hwrenaMask: 0xc000000f, pageGrainMask: 0xe8000000,
  octeon: {
    // KScrExist 0x0c <<16 | MMUExtDef 1 <<14 | MMUSizeExt 1
    config4: 0x000c4001,
    kscratchMask: 0x0c,
    cvmCtlReset: (1n << 28n) | (1n << 26n),
    cvmsegBytes: 54 * 128,
  },
};

export const CPU_MODELS: Record<string, CpuModel> = { '5KEc': CPU_5KEC, '5KEf': CPU_5KEF, Octeon2: CPU_OCTEON2 };
