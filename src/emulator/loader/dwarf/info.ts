// .debug_info / .debug_abbrev, just enough for line tables: each compilation unit's
// top DIE (DW_AT_name, DW_AT_comp_dir, DW_AT_stmt_list, DW_AT_low_pc). DWARF 2-5 unit
// headers, 32- and 64-bit DWARF.

import { FormContext, FormValue, readForm } from './forms';
import { DwarfReader } from './reader';

export interface CompUnit {
  readonly offset: number;
  readonly version: number;
  readonly name: string | undefined;
  readonly compDir: string | undefined;
  /** Offset of the unit's line program in .debug_line. */
  readonly stmtList: number | undefined;
}

export interface InfoSections {
  readonly info: Uint8Array;
  readonly abbrev: Uint8Array;
  readonly little: boolean;
  readonly str?: Uint8Array;
  readonly lineStr?: Uint8Array;
}

const DW_AT = { name: 0x03, stmt_list: 0x10, comp_dir: 0x1b } as const;
const DW_UT = { type: 2, skeleton: 4, split_compile: 5, split_type: 6 } as const;

interface AttrSpec { readonly name: number; readonly form: number; readonly implicit?: bigint }

/** The attribute specifications of abbreviation `code` in the table at `offset`. */
function findAbbrev(sec: InfoSections, offset: number, code: number): AttrSpec[] {
  const r = new DwarfReader(sec.abbrev, sec.little, '.debug_abbrev');
  r.seek(offset);
  for (;;) {
    const c = r.uleb('abbreviation code');
    if (c === 0) r.fail(`abbreviation ${code} is not in the table at 0x${offset.toString(16)}`);
    r.uleb('tag');
    r.u8('children flag');
    const specs: AttrSpec[] = [];
    for (;;) {
      const name = r.uleb('attribute name');
      const form = r.uleb('attribute form');
      if (name === 0 && form === 0) break;
      specs.push(form === 0x21 ? { name, form, implicit: r.slebBig('implicit constant') } : { name, form });
    }
    if (c === code) return specs;
  }
}

/** The compilation units of .debug_info (their top DIEs only). */
export function readCompUnits(sec: InfoSections): CompUnit[] {
  const out: CompUnit[] = [];
  const top = new DwarfReader(sec.info, sec.little, '.debug_info');
  while (!top.atEnd) {
    const offset = top.pos;
    const { end, offsetSize } = top.initialLength('compilation unit');
    const r = top.sub(top.pos, end);
    top.seek(end);
    const version = r.u16('version');
    if (version < 2 || version > 5) r.fail(`unsupported DWARF version ${version}`, r.pos - 2);
    let abbrevOffset: number, addressSize: number, unitType = 1;
    if (version >= 5) {
      unitType = r.u8('unit type');
      addressSize = r.u8('address size');
      abbrevOffset = r.offset(offsetSize, 'abbreviation offset');
      if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) r.u64('dwo id');
      if (unitType === DW_UT.type || unitType === DW_UT.split_type) { r.u64('type signature'); r.offset(offsetSize, 'type offset'); }
    } else {
      abbrevOffset = r.offset(offsetSize, 'abbreviation offset');
      addressSize = r.u8('address size');
    }
    if (![1, 2, 4, 8].includes(addressSize)) r.fail(`unsupported address size ${addressSize}`);
    const code = r.uleb('abbreviation code');
    if (code === 0) { out.push({ offset, version, name: undefined, compDir: undefined, stmtList: undefined }); continue; }
    const specs = findAbbrev(sec, abbrevOffset, code);
    const ctx: FormContext = { version, offsetSize, addressSize, str: sec.str, lineStr: sec.lineStr };
    let name: string | undefined, compDir: string | undefined, stmtList: number | undefined;
    for (const s of specs) {
      const v: FormValue = readForm(r, s.form, ctx, s.implicit);
      if (s.name === DW_AT.name && typeof v === 'string') name = v;
      else if (s.name === DW_AT.comp_dir && typeof v === 'string') compDir = v;
      else if (s.name === DW_AT.stmt_list && typeof v === 'bigint') {
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) r.fail(`DW_AT_stmt_list 0x${v.toString(16)} is too large`);
        stmtList = Number(v);
      }
    }
    out.push({ offset, version, name, compDir, stmtList });
  }
  return out;
}
