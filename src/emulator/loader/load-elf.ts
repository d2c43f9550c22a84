// Loads an ELF executable into guest physical memory: each PT_LOAD segment at the
// physical address its virtual address maps to (kseg0/kseg1/xkphys are unmapped
// windows), zero-filling memsz beyond filesz. Raw binaries load at a given address.

import { PhysicalBus } from '../memory/bus';
import { ElfError, ElfFile, mipsInfo, parseElf, PT_LOAD } from './elf';

export interface LoadedImage {
  entry: bigint;
  elf?: ElfFile;
  /** Physical extent of what was loaded. */
  lowPa: number;
  highPa: number;
}

/** Physical address of an unmapped kernel virtual address (kseg0/kseg1/xkphys), or the address itself. */
export function kernelVirtToPhys(va: bigint): number {
  const v = BigInt.asUintN(64, va);
  if (v >= 0xffffffff80000000n && v < 0xffffffffc0000000n) return Number(v & 0x1fffffffn);
  if (v >= 0x8000000000000000n && v < 0xc000000000000000n) return Number(v & 0x07ffffffffffffffn);
  if (v < 0x80000000n) return Number(v);
  throw new ElfError(`segment address 0x${v.toString(16)} is not in an unmapped kernel segment`);
}

export function loadElf(bus: PhysicalBus, bytes: Uint8Array, opts: { expectBig?: boolean } = {}): LoadedImage {
  const elf = parseElf(bytes);
  const info = mipsInfo(elf);
  if (!info.isMips) throw new ElfError(`not a MIPS executable (machine ${elf.machine})`);
  if (opts.expectBig !== undefined && (elf.endian === 'big') !== opts.expectBig) {
    throw new ElfError(`${elf.endian}-endian ELF for a ${opts.expectBig ? 'big' : 'little'}-endian machine`);
  }
  let low = Infinity, high = 0;
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD || s.memsz === 0) continue;
    const va = elf.class === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, s.vaddr)) : s.vaddr;
    const pa = kernelVirtToPhys(va);
    const data = s.data();
    if (!bus.writeBytes(pa, data)) throw new ElfError(`segment at 0x${va.toString(16)} (phys 0x${pa.toString(16)}) is outside RAM`);
    if (s.memsz > s.filesz && !bus.writeBytes(pa + s.filesz, new Uint8Array(s.memsz - s.filesz))) {
      throw new ElfError(`segment at 0x${va.toString(16)} does not fit in RAM`);
    }
    low = Math.min(low, pa);
    high = Math.max(high, pa + s.memsz);
  }
  if (low === Infinity) throw new ElfError('ELF has no loadable segments');
  const entry = elf.class === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, elf.entry)) : elf.entry;
  return { entry, elf, lowPa: low, highPa: high };
}
