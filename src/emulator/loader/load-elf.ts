// Loads an ELF executable into guest physical memory: each PT_LOAD segment at the
// physical address its virtual address maps to (kseg0/kseg1/xkphys are unmapped
// windows), zero-filling memsz beyond filesz. Raw binaries load at a given address.
//
// What cannot run is refused before anything is loaded, with the reason: a file that is
// not an executable (a shared library such as libc.so.6, an object file), code for an
// instruction set the CPU model does not run (an Octeon kernel on a 5KEc, MIPS R6),
// program headers that make no sense (a segment whose file part is larger than its
// memory size, loadable segments overlapping each other) and an entry point outside
// every executable loadable segment (a damaged kernel).

import { PhysicalBus } from '../memory/bus';
import type { CpuModelName } from '../isa/decoder';
import { ElfError, ElfFile, ET_EXEC, mipsInfo, parseElf, PT_LOAD } from './elf';

const PF_X = 1;
const ELF_TYPES: Readonly<Record<number, string>> = { 0: 'a file of no type', 1: 'a relocatable object file', 3: 'a shared object', 4: 'a core dump' };
const OCTEON_GENERATION: Readonly<Record<string, number>> = { octeon: 1, octeon2: 2, octeon3: 3 };

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

export interface LoadOptions {
  expectBig?: boolean;
  /** The CPU model's instruction set: code for another one is refused. */
  isa?: CpuModelName;
}

/** Why the CPU model `isa` cannot run the ELF's code, or undefined. */
function isaMismatch(elf: ElfFile, isa: CpuModelName): string | undefined {
  const info = mipsInfo(elf);
  if (/r6$/.test(info.archName)) return `${info.archName} code (Release 6 changed the encodings this ${isa} CPU runs)`;
  if (info.micromips) return 'microMIPS code';
  const wants = info.machName !== undefined ? OCTEON_GENERATION[info.machName] : undefined;
  const has = OCTEON_GENERATION[isa] ?? 0;
  if (wants !== undefined && has < wants) return `${info.machName} (Cavium Octeon) code, which a ${isa} CPU does not run`;
  return undefined;
}

const va64 = (elf: ElfFile, v: bigint): bigint => (elf.class === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, v)) : v);

/** Checks the ELF is an executable this machine can run (see the header); throws ElfError otherwise. */
export function checkExecutable(elf: ElfFile, opts: LoadOptions = {}): void {
  const info = mipsInfo(elf);
  if (!info.isMips) throw new ElfError(`not a MIPS executable (machine ${elf.machine})`);
  if (elf.type !== ET_EXEC) throw new ElfError(`${ELF_TYPES[elf.type] ?? `an ELF file of type ${elf.type}`}, not an executable (a kernel or a program linked to run on its own)`);
  if (opts.expectBig !== undefined && (elf.endian === 'big') !== opts.expectBig) {
    throw new ElfError(`${elf.endian}-endian ELF for a ${opts.expectBig ? 'big' : 'little'}-endian machine`);
  }
  const isa = opts.isa !== undefined ? isaMismatch(elf, opts.isa) : undefined;
  if (isa) throw new ElfError(`built for ${isa}`);
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0);
  const ranges: Array<{ lo: bigint; hi: bigint; index: number }> = [];
  for (const s of loads) {
    if (s.filesz > s.memsz) throw new ElfError(`malformed program header ${s.index}: its file size (${s.filesz}) exceeds its memory size (${s.memsz})`);
    const lo = va64(elf, s.vaddr);
    ranges.push({ lo, hi: lo + BigInt(s.memsz), index: s.index });
  }
  ranges.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.lo < ranges[i - 1]!.hi) throw new ElfError(`malformed program headers: loadable segments ${ranges[i - 1]!.index} and ${ranges[i]!.index} overlap`);
  }
  const entry = va64(elf, elf.entry);
  const inCode = loads.some((s) => (s.flags & PF_X) !== 0 && entry >= va64(elf, s.vaddr) && entry < va64(elf, s.vaddr) + BigInt(s.memsz));
  if (loads.length > 0 && !inCode) throw new ElfError(`the entry point 0x${entry.toString(16)} is not in an executable loadable segment (a damaged file?)`);
}

/** Loads an ELF (its bytes, or the file already parsed) into physical memory. */
export function loadElf(bus: PhysicalBus, image: Uint8Array | ElfFile, opts: LoadOptions = {}): LoadedImage {
  const elf = image instanceof ElfFile ? image : parseElf(image);
  checkExecutable(elf, opts);
  let low = Infinity, high = 0;
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD || s.memsz === 0) continue;
    const va = va64(elf, s.vaddr);
    const pa = kernelVirtToPhys(va);
    const data = s.data();
    if (!bus.writeBytes(pa, data)) throw new ElfError(`segment at 0x${va.toString(16)} (phys 0x${pa.toString(16)}) is outside RAM`);
    // (A memory size beyond RAM is refused before its zero fill is allocated.)
    if (s.memsz > s.filesz && (s.memsz - s.filesz > bus.ramSize || !bus.writeBytes(pa + s.filesz, new Uint8Array(s.memsz - s.filesz)))) {
      throw new ElfError(`segment at 0x${va.toString(16)} does not fit in RAM`);
    }
    low = Math.min(low, pa);
    high = Math.max(high, pa + s.memsz);
  }
  if (low === Infinity) throw new ElfError('ELF has no loadable segments');
  return { entry: va64(elf, elf.entry), elf, lowPa: low, highPa: high };
}
