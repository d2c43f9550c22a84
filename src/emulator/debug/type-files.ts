// The C types and global variables of the loaded symbol files (DWARF .debug_info), each at
// its load offset; a kernel's file moves with its KASLR offset (rebase) like its symbols.

import { DwarfTypes, CType, GlobalVariable } from '../loader/dwarf/types';

interface Loaded { readonly source: string; readonly types: DwarfTypes; offset: bigint; placed: boolean }

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export class TypeFiles {
  private readonly files: Loaded[] = [];

  get empty(): boolean {
    return this.files.length === 0;
  }

  add(source: string, types: DwarfTypes, offset = 0n): void {
    this.files.push({ source, types, offset: U64(offset), placed: true });
  }

  /** Moves the file of `source` to `offset`, or with undefined sets it aside. */
  rebase(source: string, offset: bigint | undefined): void {
    for (const f of this.files) {
      if (f.source !== source) continue;
      if (offset !== undefined) f.offset = U64(offset);
      f.placed = offset !== undefined;
    }
  }

  /** Whether some file with types is placed (a kernel's waits for its relocation). */
  get available(): boolean {
    return this.files.some((f) => f.placed);
  }

  /** A global variable: run-time address (link address + the file's offset) and type. */
  variable(name: string): (GlobalVariable & { types: DwarfTypes }) | undefined {
    for (const f of this.files) {
      if (!f.placed) continue;
      const v = f.types.variable(name);
      if (v) return { ...v, addr: v.addr === undefined ? undefined : U64(v.addr + f.offset), types: f.types };
    }
    return undefined;
  }

  namedType(spelling: string): CType | undefined {
    for (const f of this.files) {
      if (!f.placed) continue;
      const t = f.types.namedType(spelling);
      if (t) return t;
    }
    return undefined;
  }

  /** The complete definition of an incomplete struct/union from any file. */
  complete(t: CType): CType {
    for (const f of this.files) {
      const c = f.types.complete(t);
      if (c !== t) return c;
    }
    return t;
  }
}
