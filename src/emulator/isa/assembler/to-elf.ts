// Packages an assembly result as a minimal ELF64 executable: each section at its linked
// address with a PT_LOAD, the symbol table (absolute symbols included), entry at
// `start`/`_start` (or the origin), e_flags naming the ISA (and the Octeon machine).

import { CpuModelName } from '../decoder';
import {
  E_MIPS_MACH_OCTEON, E_MIPS_MACH_OCTEON2, E_MIPS_MACH_OCTEON3, ET_EXEC, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE,
} from '../../loader/elf';
import { WriteElfSection, WriteElfSymbol, writeElf } from '../../loader/elf-writer';
import { AssembleResult } from './assembler';

const EF_MIPS_ARCH_64 = 0x60000000;
const EF_MIPS_ARCH_64R2 = 0x80000000;

export function assemblyToElf(r: AssembleResult, endian: 'little' | 'big' = 'little', model: CpuModelName = 'mips64r2'): Uint8Array {
  let flags = model === '5KEc' ? EF_MIPS_ARCH_64 : EF_MIPS_ARCH_64R2;
  if (model === 'octeon') flags |= E_MIPS_MACH_OCTEON;
  else if (model === 'octeon2') flags |= E_MIPS_MACH_OCTEON2;
  else if (model === 'octeon3') flags |= E_MIPS_MACH_OCTEON3;
  const sections: WriteElfSection[] = r.sections.map((s) => ({
    name: s.name,
    type: s.nobits ? 'nobits' : 'progbits',
    flags: SHF_ALLOC | (s.executable ? SHF_EXECINSTR : 0) | (s.writable ? SHF_WRITE : 0),
    addr: s.addr,
    align: Math.max(4, s.align),
    bytes: s.nobits ? undefined : s.bytes,
    size: s.size,
  }));
  const names = new Set(sections.map((s) => s.name));
  const symbols: WriteElfSymbol[] = r.symbols.filter((s) => s.section === 'ABS' || names.has(s.section)).map((s) => ({
    name: s.name,
    value: BigInt.asUintN(64, s.value),
    size: s.size,
    section: s.section,
    bind: s.global ? 'global' : 'local',
    type: s.type,
  }));
  return writeElf({ class: 64, endian, type: ET_EXEC, flags: flags >>> 0, entry: BigInt.asUintN(64, r.entry), sections, symbols });
}
