// CPU models: identification and configuration registers, writable-bit masks, address
// widths and TLB size, as QEMU models them (QEMU is our reference for 5KEc/5KEf).

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

export const CPU_MODELS: Record<string, CpuModel> = { '5KEc': CPU_5KEC, '5KEf': CPU_5KEF };
