// DW_FORM attribute value encodings (DWARF 2-5 and the GNU extensions gcc emits): reading
// one value of a form, as used by .debug_info DIEs and DWARF 5 line-table entry formats.

import { DwarfReader, stringAt } from './reader';

export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
  block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11,
  ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18,
  flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c, strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f,
  ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25,
  strx2: 0x26, strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

/** What a form needs to be decoded: the unit's sizes and the string sections. */
export interface FormContext {
  readonly version: number;
  readonly offsetSize: 4 | 8;
  readonly addressSize: number;
  readonly str?: Uint8Array;
  readonly lineStr?: Uint8Array;
}

/**
 * A decoded value: integers and offsets as bigint, strings as string (strp/line_strp are
 * looked up), blocks as bytes; an index into another table (strx, addrx, …) as
 * { index } since this reader does not follow those tables.
 */
export type FormValue = bigint | string | Uint8Array | { readonly index: bigint; readonly form: number };

export function readForm(r: DwarfReader, form: number, ctx: FormContext, implicit?: bigint): FormValue {
  const F = DW_FORM;
  switch (form) {
    case F.addr: return r.address(ctx.addressSize);
    case F.block2: return r.bytesOf(r.u16('block length'));
    case F.block4: return r.bytesOf(r.u32('block length'));
    case F.data1: case F.ref1: case F.flag: return BigInt(r.u8());
    case F.data2: case F.ref2: return BigInt(r.u16());
    case F.data4: case F.ref4: case F.ref_sup4: return BigInt(r.u32());
    case F.data8: case F.ref8: case F.ref_sig8: case F.ref_sup8: return r.u64();
    case F.data16: return r.bytesOf(16, 'data16');
    case F.string: return r.cstr();
    case F.block: case F.exprloc: return r.bytesOf(r.uleb('block length'));
    case F.block1: return r.bytesOf(r.u8('block length'));
    case F.sdata: return r.slebBig();
    case F.udata: case F.ref_udata: return r.ulebBig();
    case F.strp: return stringAt(ctx.str, '.debug_str', r.offset(ctx.offsetSize, 'string offset'));
    case F.line_strp: return stringAt(ctx.lineStr, '.debug_line_str', r.offset(ctx.offsetSize, 'string offset'));
    case F.ref_addr: return ctx.version <= 2 ? r.address(ctx.addressSize) : BigInt(r.offset(ctx.offsetSize));
    case F.sec_offset: case F.strp_sup: case F.GNU_ref_alt: case F.GNU_strp_alt: return BigInt(r.offset(ctx.offsetSize));
    case F.indirect: {
      const f = r.uleb('indirect form');
      if (f === F.indirect) r.fail('DW_FORM_indirect refers to itself');
      return readForm(r, f, ctx, implicit);
    }
    case F.flag_present: return 1n;
    case F.implicit_const: return implicit ?? 0n;
    case F.strx: case F.addrx: case F.loclistx: case F.rnglistx: case F.GNU_addr_index: case F.GNU_str_index:
      return { index: r.ulebBig(), form };
    case F.strx1: case F.addrx1: return { index: BigInt(r.u8()), form };
    case F.strx2: case F.addrx2: return { index: BigInt(r.u16()), form };
    case F.strx3: case F.addrx3: { const b = r.bytesOf(3); return { index: BigInt(r.little ? b[0]! | (b[1]! << 8) | (b[2]! << 16) : (b[0]! << 16) | (b[1]! << 8) | b[2]!), form }; }
    case F.strx4: case F.addrx4: return { index: BigInt(r.u32()), form };
    default: return r.fail(`unknown attribute form 0x${form.toString(16)}`);
  }
}
