// .debug_info, just enough for line tables: each compilation unit's top DIE (DW_AT_name,
// DW_AT_comp_dir, DW_AT_stmt_list), read through the DIE reader (dies.ts). DWARF 2-5 unit
// headers, 32- and 64-bit DWARF.

import { DieReader, DieSections } from './dies';
import { DwarfError } from './error';

export interface CompUnit {
  readonly offset: number;
  readonly version: number;
  readonly name: string | undefined;
  readonly compDir: string | undefined;
  /** Offset of the unit's line program in .debug_line. */
  readonly stmtList: number | undefined;
}

export type InfoSections = DieSections;

const DW_AT = { name: 0x03, stmt_list: 0x10, comp_dir: 0x1b } as const;

/** The compilation units of .debug_info (their top DIEs only). */
export function readCompUnits(sec: InfoSections): CompUnit[] {
  const dies = new DieReader(sec);
  return dies.units.map((u) => {
    const d = dies.die(u.dieOffset, u);
    const version = u.ctx.version;
    if (!d) return { offset: u.offset, version, name: undefined, compDir: undefined, stmtList: undefined };
    const name = d.attrs.get(DW_AT.name), compDir = d.attrs.get(DW_AT.comp_dir), stmt = d.attrs.get(DW_AT.stmt_list);
    if (typeof stmt === 'bigint' && stmt > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DwarfError(`.debug_info at offset 0x${d.offset.toString(16)}: DW_AT_stmt_list 0x${stmt.toString(16)} is too large`);
    }
    return {
      offset: u.offset, version,
      name: typeof name === 'string' ? name : undefined,
      compDir: typeof compDir === 'string' ? compDir : undefined,
      stmtList: typeof stmt === 'bigint' ? Number(stmt) : undefined,
    };
  });
}
