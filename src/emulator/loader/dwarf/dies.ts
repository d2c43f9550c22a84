// Random access to the debugging information entries (DIEs) of .debug_info, read lazily:
// only the unit headers are indexed up front; a DIE is decoded when asked for (by its
// section offset), its abbreviation table once per unit. References are returned as
// section offsets (unit-relative forms made absolute). Children are walked by
// DW_AT_sibling where present, else by skipping the subtree. Every malformed offset,
// length or form is a DwarfError.

import { DwarfError } from './error';
import { DW_FORM, FormContext, FormValue, readForm } from './forms';
import { DwarfReader } from './reader';

export interface DieSections {
  readonly info: Uint8Array;
  readonly abbrev: Uint8Array;
  readonly little: boolean;
  readonly str?: Uint8Array;
  readonly lineStr?: Uint8Array;
}

interface AttrSpec { readonly name: number; readonly form: number; readonly implicit?: bigint }
interface Abbrev { readonly tag: number; readonly children: boolean; readonly specs: readonly AttrSpec[] }

export interface Unit {
  readonly offset: number;
  readonly end: number;
  /** The unit's first (top) DIE. */
  readonly dieOffset: number;
  readonly ctx: FormContext;
  readonly abbrevOffset: number;
}

export interface Die {
  readonly offset: number;
  readonly tag: number;
  readonly children: boolean;
  /** Attributes by DW_AT code; references as absolute .debug_info offsets (bigint). */
  readonly attrs: ReadonlyMap<number, FormValue>;
  /** Offset just past this DIE's attributes (its first child when it has children). */
  readonly next: number;
  readonly unit: Unit;
}

export const DW_AT_sibling = 0x01;
const UNIT_RELATIVE = new Set<number>([DW_FORM.ref1, DW_FORM.ref2, DW_FORM.ref4, DW_FORM.ref8, DW_FORM.ref_udata]);
const MAX_DEPTH = 256;

export class DieReader {
  readonly units: readonly Unit[];
  private readonly abbrevs = new Map<number, Map<number, Abbrev>>();

  constructor(private readonly sec: DieSections) {
    this.units = this.readUnits();
  }

  private readUnits(): Unit[] {
    const out: Unit[] = [];
    const top = new DwarfReader(this.sec.info, this.sec.little, '.debug_info');
    while (!top.atEnd) {
      const offset = top.pos;
      const { end, offsetSize } = top.initialLength('compilation unit');
      const r = top.sub(top.pos, end);
      top.seek(end);
      const version = r.u16('version');
      if (version < 2 || version > 5) r.fail(`unsupported DWARF version ${version}`, r.pos - 2);
      let abbrevOffset: number, addressSize: number;
      if (version >= 5) {
        const unitType = r.u8('unit type');
        addressSize = r.u8('address size');
        abbrevOffset = r.offset(offsetSize, 'abbreviation offset');
        if (unitType === 4 || unitType === 5) r.u64('dwo id');
        if (unitType === 2 || unitType === 6) { r.u64('type signature'); r.offset(offsetSize, 'type offset'); }
      } else {
        abbrevOffset = r.offset(offsetSize, 'abbreviation offset');
        addressSize = r.u8('address size');
      }
      if (![4, 8].includes(addressSize)) r.fail(`unsupported address size ${addressSize}`);
      out.push({ offset, end, dieOffset: r.pos, abbrevOffset, ctx: { version, offsetSize, addressSize, str: this.sec.str, lineStr: this.sec.lineStr } });
    }
    return out;
  }

  /** The unit holding section offset `off`. */
  unitAt(off: number): Unit {
    const u = this.units;
    let lo = 0, hi = u.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (off < u[mid]!.offset) hi = mid - 1;
      else if (off >= u[mid]!.end) lo = mid + 1;
      else return u[mid]!;
    }
    throw new DwarfError(`.debug_info offset 0x${off.toString(16)} is in no unit`);
  }

  private table(offset: number): Map<number, Abbrev> {
    let t = this.abbrevs.get(offset);
    if (t) return t;
    t = new Map();
    const r = new DwarfReader(this.sec.abbrev, this.sec.little, '.debug_abbrev');
    r.seek(offset);
    for (;;) {
      const code = r.uleb('abbreviation code');
      if (code === 0) break;
      const tag = r.uleb('tag');
      const children = r.u8('children flag') !== 0;
      const specs: AttrSpec[] = [];
      for (;;) {
        const name = r.uleb('attribute name');
        const form = r.uleb('attribute form');
        if (name === 0 && form === 0) break;
        specs.push(form === DW_FORM.implicit_const ? { name, form, implicit: r.slebBig('implicit constant') } : { name, form });
      }
      t.set(code, { tag, children, specs });
    }
    this.abbrevs.set(offset, t);
    return t;
  }

  /** The DIE at `off`, or undefined for a null entry (the end of a sibling list). */
  die(off: number, unit = this.unitAt(off)): Die | undefined {
    const r = new DwarfReader(this.sec.info, this.sec.little, '.debug_info', unit.offset, unit.end);
    if (off < unit.dieOffset || off >= unit.end) r.fail(`DIE offset 0x${off.toString(16)} is outside its unit's entries`, off);
    r.seek(off);
    const code = r.uleb('abbreviation code');
    if (code === 0) return undefined;
    const a = this.table(unit.abbrevOffset).get(code);
    if (!a) throw new DwarfError(`.debug_info at offset 0x${off.toString(16)}: abbreviation ${code} is not in the table at 0x${unit.abbrevOffset.toString(16)}`);
    const attrs = new Map<number, FormValue>();
    for (const s of a.specs) {
      let v = readForm(r, s.form, unit.ctx, s.implicit);
      if (UNIT_RELATIVE.has(s.form) && typeof v === 'bigint') v += BigInt(unit.offset);
      attrs.set(s.name, v);
    }
    return { offset: off, tag: a.tag, children: a.children, attrs, next: r.pos, unit };
  }

  /** The offset after `d` and all its descendants (its next sibling). */
  skip(d: Die, depth = 0): number {
    if (!d.children) return d.next;
    const sib = d.attrs.get(DW_AT_sibling);
    if (typeof sib === 'bigint' && sib > BigInt(d.offset) && sib <= BigInt(d.unit.end)) return Number(sib);
    if (depth > MAX_DEPTH) throw new DwarfError(`.debug_info at offset 0x${d.offset.toString(16)}: DIEs nested more than ${MAX_DEPTH} deep`);
    let off = d.next;
    for (;;) {
      if (off >= d.unit.end) throw new DwarfError(`.debug_info at offset 0x${d.offset.toString(16)}: children run past the end of the unit`);
      const c = this.die(off, d.unit);
      if (!c) return off + 1;
      off = this.skip(c, depth + 1);
    }
  }

  /** The children of `d`, in order. */
  *childrenOf(d: Die): Generator<Die> {
    if (!d.children) return;
    let off = d.next;
    while (off < d.unit.end) {
      const c = this.die(off, d.unit);
      if (!c) return;
      yield c;
      const n = this.skip(c);
      if (n <= off) throw new DwarfError(`.debug_info at offset 0x${off.toString(16)}: a sibling reference goes backwards`);
      off = n;
    }
  }
}

// ---- fast scan of the top-level entries (the name index) ---------------------------------------

/** What scanTop reports of a unit's top-level entry. */
export interface TopEntry {
  readonly offset: number;
  readonly tag: number;
  /** DW_AT_name (inline or from .debug_str), if any. */
  readonly name: string | undefined;
  readonly hasLocation: boolean;
  readonly declaration: boolean;
  /** DW_AT_specification as a section offset. */
  readonly specification: number | undefined;
}

interface FastAbbrev {
  readonly tag: number;
  readonly children: boolean;
  readonly forms: Int32Array;
  readonly names: Int32Array;
}

const AT_name = 0x03, AT_location = 0x02, AT_declaration = 0x3c, AT_specification = 0x47;

/**
 * Walks the top-level entries (children of each unit's DIE) of every unit, decoding only
 * the few attributes an index needs and skipping the rest byte-wise (a kernel's 140 MB
 * .debug_info in seconds). `wanted(tag)` says which entries to report.
 */
export function scanTop(sec: DieSections, units: readonly Unit[], wanted: (tag: number) => boolean, visit: (e: TopEntry) => void): void {
  const b = sec.info;
  const strCache = new Map<number, string>();
  const decoder = new TextDecoder('utf-8');
  const abbrevCache = new Map<number, Map<number, FastAbbrev>>();
  let pos = 0, end = 0;
  const fail = (what: string, at = pos): never => { throw new DwarfError(`.debug_info at offset 0x${at.toString(16)}: ${what}`); };
  const need = (n: number): number => { const p = pos; if (p + n > end) fail('an entry runs past the end of its unit'); pos = p + n; return p; };
  const uleb = (): number => {
    let v = 0, mul = 1, byte: number;
    do {
      if (pos >= end) fail('a LEB128 runs past the end of its unit');
      byte = b[pos++]!;
      v += (byte & 0x7f) * mul;
      mul *= 128;
      if (mul > 2 ** 70) fail('a LEB128 is too long');
    } while (byte & 0x80);
    return v;
  };
  const uint = (n: number): number => {
    const p = need(n);
    let v = 0;
    if (sec.little) for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
    else for (let i = 0; i < n; i++) v = v * 256 + b[p + i]!;
    return v;
  };
  const cstrAt = (s: Uint8Array | undefined, off: number, what: string): string => {
    if (!s || off >= s.length) fail(`a name's offset 0x${off.toString(16)} is outside ${what}`);
    let i = off;
    while (i < s!.length && s![i] !== 0) i++;
    return decoder.decode(s!.subarray(off, i));
  };
  const F = DW_FORM;
  for (const u of units) {
    let table = abbrevCache.get(u.abbrevOffset);
    if (!table) {
      table = new Map();
      const r = new DwarfReader(sec.abbrev, sec.little, '.debug_abbrev');
      r.seek(u.abbrevOffset);
      for (;;) {
        const code = r.uleb('abbreviation code');
        if (code === 0) break;
        const tag = r.uleb('tag');
        const children = r.u8('children flag') !== 0;
        const forms: number[] = [], names: number[] = [];
        for (;;) {
          const name = r.uleb('attribute name');
          const form = r.uleb('attribute form');
          if (name === 0 && form === 0) break;
          if (form === F.implicit_const) r.slebBig('implicit constant');
          names.push(name); forms.push(form);
        }
        table.set(code, { tag, children, forms: Int32Array.from(forms), names: Int32Array.from(names) });
      }
      abbrevCache.set(u.abbrevOffset, table);
    }
    const { offsetSize, addressSize, version } = u.ctx;
    end = u.end;
    pos = u.dieOffset;
    let depth = 0;
    // The unit's DIE, then its children (depth 1) reported, deeper ones skipped.
    while (pos < end) {
      const at = pos;
      const code = uleb();
      if (code === 0) { if (--depth <= 0) break; continue; }
      const a = table.get(code);
      if (!a) throw new DwarfError(`.debug_info at offset 0x${at.toString(16)}: abbreviation ${code} is not in the table at 0x${u.abbrevOffset.toString(16)}`);
      const report = depth === 1 && wanted(a.tag);
      let name: string | undefined, hasLocation = false, declaration = false, specification: number | undefined, sibling: number | undefined;
      for (let i = 0; i < a.forms.length; i++) {
        let form = a.forms[i]!;
        const attr = a.names[i]!;
        if (form === F.indirect) form = uleb();
        if (attr === 0x01 /* sibling */) {
          if (form === F.ref4) { sibling = u.offset + uint(4); continue; }
          if (form === F.ref_udata) { sibling = u.offset + uleb(); continue; }
        }
        if (report && attr === AT_name) {
          if (form === F.strp) { const o = uint(offsetSize); let s = strCache.get(o); if (s === undefined) { s = cstrAt(sec.str, o, '.debug_str'); strCache.set(o, s); } name = s; continue; }
          if (form === F.line_strp) { name = cstrAt(sec.lineStr, uint(offsetSize), '.debug_line_str'); continue; }
          if (form === F.string) { const s0 = pos; while (pos < end && b[pos] !== 0) pos++; if (pos >= end) fail('a name is not NUL-terminated'); name = decoder.decode(b.subarray(s0, pos)); pos++; continue; }
        }
        if (report && attr === AT_location) hasLocation = true;
        if (report && attr === AT_declaration) declaration = true;
        if (report && attr === AT_specification && (form === F.ref4 || form === F.ref_udata || form === F.ref_addr)) {
          specification = form === F.ref4 ? u.offset + uint(4) : form === F.ref_udata ? u.offset + uleb() : uint(version <= 2 ? addressSize : offsetSize);
          continue;
        }
        switch (form) {
          case F.addr: need(addressSize); break;
          case F.data1: case F.ref1: case F.flag: case F.strx1: case F.addrx1: need(1); break;
          case F.data2: case F.ref2: case F.strx2: case F.addrx2: need(2); break;
          case F.strx3: case F.addrx3: need(3); break;
          case F.data4: case F.ref4: case F.ref_sup4: case F.strx4: case F.addrx4: need(4); break;
          case F.data8: case F.ref8: case F.ref_sig8: case F.ref_sup8: need(8); break;
          case F.data16: need(16); break;
          case F.string: { while (pos < end && b[pos] !== 0) pos++; need(1); break; }
          case F.block: case F.exprloc: need(uleb()); break;
          case F.block1: need(uint(1)); break;
          case F.block2: need(uint(2)); break;
          case F.block4: need(uint(4)); break;
          case F.sdata: case F.udata: case F.ref_udata: case F.strx: case F.addrx: case F.loclistx: case F.rnglistx:
          case F.GNU_addr_index: case F.GNU_str_index: uleb(); break;
          case F.strp: case F.line_strp: case F.sec_offset: case F.strp_sup: case F.GNU_ref_alt: case F.GNU_strp_alt: need(offsetSize); break;
          case F.ref_addr: need(version <= 2 ? addressSize : offsetSize); break;
          case F.flag_present: case F.implicit_const: break;
          default: fail(`unknown attribute form 0x${form.toString(16)}`);
        }
      }
      if (report) visit({ offset: at, tag: a.tag, name, hasLocation, declaration, specification });
      if (!a.children) { if (depth === 0) break; continue; }
      if (depth >= 1 && sibling !== undefined && sibling > at && sibling <= end) { pos = sibling; continue; }
      if (++depth > MAX_DEPTH) fail(`DIEs nested more than ${MAX_DEPTH} deep`, at);
    }
  }
}
