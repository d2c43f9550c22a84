// Packages an assembly result as a minimal ELF64 executable: each section at its linked
// address with a PT_LOAD, the symbol table, entry at `start`/`_start` (or the origin).

import { writeElf } from '../../loader/elf-writer';
import { AssembleResult } from './assembler';

/** EF_MIPS_NOREORDER | EF_MIPS_ARCH_64R2 */
const MIPS64R2_FLAGS = 0x80000001;

export function assemblyToElf(r: AssembleResult, endian: 'little' | 'big' = 'little'): Uint8Array {
  return writeElf({
    class: 64, endian, type: 2, flags: MIPS64R2_FLAGS, entry: r.entry,
    sections: r.sections.map((s) => ({
      name: s.name, type: s.nobits ? 'nobits' as const : 'progbits' as const,
      flags: BigInt(2 | (s.writable ? 1 : 0) | (s.executable ? 4 : 0)), addr: s.addr, align: Math.max(s.align, 4),
      bytes: s.bytes, size: s.size,
    })),
    symbols: r.symbols.filter((s) => s.section !== 'ABS').map((s) => ({
      name: s.name, value: s.value, size: BigInt(s.size), section: s.section,
      bind: s.global ? 'global' as const : 'local' as const,
      type: s.type === 'func' ? 'func' as const : s.type === 'object' ? 'object' as const : 'notype' as const,
    })),
  });
}
