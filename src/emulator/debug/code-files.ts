// The code of loaded symbol files, as the unwinder reads it for prologue analysis: the
// executable sections of each ELF file at their link address plus the file's load offset
// (moved with the file when a kernel relocates itself). Code the guest no longer holds —
// a kernel's .init.text, freed and reused after boot, still runs on the idle task's
// stack — is read from the file, as gdb reads it from the executable.

import { ElfFile, SHF_EXECINSTR, SHT_NOBITS } from '../loader/elf';

interface Part { readonly addr: bigint; readonly bytes: Uint8Array }
interface File { readonly source: string; readonly parts: readonly Part[]; readonly little: boolean; offset: bigint; placed: boolean }

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export class CodeFiles {
  private readonly files: File[] = [];

  /** The executable sections of `elf` (copied), at their addresses + `offset`. */
  addElf(elf: ElfFile, offset = 0n, source = ''): void {
    const parts: Part[] = [];
    for (const s of elf.sections) {
      if ((s.flags & BigInt(SHF_EXECINSTR)) === 0n || s.type === SHT_NOBITS || s.size === 0 || s.addr === 0n) continue;
      const addr = elf.class === 32 ? U64(BigInt.asIntN(32, s.addr)) : s.addr;
      parts.push({ addr, bytes: new Uint8Array(s.data()) }); // a copy (Buffer#slice would keep the file alive)
    }
    if (parts.length) this.files.push({ source, parts, little: elf.endian === 'little', offset: U64(offset), placed: true });
  }

  /** Moves the files of `source` to `offset`, or with undefined sets them aside. */
  rebase(source: string, offset: bigint | undefined): void {
    for (const f of this.files) {
      if (f.source !== source) continue;
      if (offset !== undefined) f.offset = U64(offset);
      f.placed = offset !== undefined;
    }
  }

  /** The instruction word at `addr` in a loaded file's code (signed 32-bit, as DebugMemory.word), or undefined. */
  word(addr: bigint): number | undefined {
    for (const f of this.files) {
      if (!f.placed) continue;
      const a = U64(addr - f.offset);
      for (const p of f.parts) {
        if (a < p.addr || a + 4n > p.addr + BigInt(p.bytes.length)) continue;
        const o = Number(a - p.addr);
        const b = p.bytes;
        return f.little ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
      }
    }
    return undefined;
  }
}
