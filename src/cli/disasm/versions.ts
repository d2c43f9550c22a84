// GNU symbol versions of dynamic symbols (.gnu.version, .gnu.version_d, .gnu.version_r),
// which objdump appends to symbol names taken from .dynsym: `abort@@GLIBC_2.0` (the
// default version) or `name@VERSION` (hidden or required versions). Only used when a file
// has no .symtab, i.e. the listing's symbols come from .dynsym. Malformed version data is
// ignored (names are then printed without versions), never an error.

import { SHT_DYNSYM, SHT_SYMTAB, type ElfFile, type ElfSection } from '../../emulator/loader/elf';

const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const VERSYM_HIDDEN = 0x8000;
const VERSYM_VERSION = 0x7fff;
const VER_FLG_BASE = 1;

/** Version suffixes (`@@V` / `@V`) by .dynsym symbol index; undefined when not applicable. */
export function dynamicSymbolVersions(elf: ElfFile): Map<number, string> | undefined {
  if (elf.sections.some((s) => s.type === SHT_SYMTAB)) return undefined;
  const dynsym = elf.sections.find((s) => s.type === SHT_DYNSYM);
  const versym = elf.sections.find((s) => s.type === SHT_GNU_VERSYM);
  if (!dynsym || !versym) return undefined;
  try {
    const little = elf.endian === 'little';
    const verdef = elf.sections.find((s) => s.type === SHT_GNU_VERDEF);
    const verneed = elf.sections.find((s) => s.type === SHT_GNU_VERNEED);
    if (!verdef && !verneed) return undefined;
    const defs = verdef ? readVerdef(elf, verdef, little) : [];
    const needs = verneed ? readVerneed(elf, verneed, little) : new Map<number, string>();
    const vs = versym.data();
    const view = new DataView(vs.buffer, vs.byteOffset, vs.byteLength);
    const out = new Map<number, string>();
    for (const sym of elf.symbols) {
      if (sym.index === 0 || (sym.index + 1) * 2 > vs.length) continue;
      const raw = view.getUint16(sym.index * 2, little);
      let hidden = (raw & VERSYM_HIDDEN) !== 0;
      const num = raw & VERSYM_VERSION;
      let version = '';
      if (num === 0) version = '';
      else if (num === 1 && (num > defs.length || defs[0]?.flags === VER_FLG_BASE)) version = defs[0]?.name ?? '';
      else if (num <= defs.length) version = defs[num - 1]?.name ?? '';
      else {
        const n = needs.get(num);
        if (n !== undefined) { version = n; hidden = true; } else version = '<corrupt>';
      }
      if (sym.shndx === 0) hidden = true;
      if (version !== '') out.set(sym.index, `${hidden ? '@' : '@@'}${version}`);
    }
    return out;
  } catch {
    return undefined;
  }
}

function cstring(table: Uint8Array, off: number): string {
  let end = off;
  while (end < table.length && table[end] !== 0) end++;
  if (off >= table.length || end >= table.length) throw new Error('bad string');
  return new TextDecoder().decode(table.subarray(off, end));
}

/** Version definitions indexed by vd_ndx - 1. */
function readVerdef(elf: ElfFile, sec: ElfSection, little: boolean): Array<{ name: string; flags: number } | undefined> {
  const d = sec.data();
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const strtab = elf.sections[sec.link]!.data();
  const out: Array<{ name: string; flags: number } | undefined> = [];
  let off = 0;
  for (let i = 0; i < 10000 && off + 20 <= d.length; i++) {
    const flags = v.getUint16(off + 2, little);
    const ndx = v.getUint16(off + 4, little);
    const cnt = v.getUint16(off + 6, little);
    const aux = v.getUint32(off + 12, little);
    const next = v.getUint32(off + 16, little);
    const name = cnt > 0 && off + aux + 8 <= d.length ? cstring(strtab, v.getUint32(off + aux, little)) : '';
    if (ndx > 0 && ndx < 0x8000) {
      while (out.length < ndx) out.push(undefined);
      out[ndx - 1] = { name, flags };
    }
    if (next === 0) break;
    off += next;
  }
  return out;
}

/** Required versions: vna_other → name. */
function readVerneed(elf: ElfFile, sec: ElfSection, little: boolean): Map<number, string> {
  const d = sec.data();
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const strtab = elf.sections[sec.link]!.data();
  const out = new Map<number, string>();
  let off = 0;
  for (let i = 0; i < 10000 && off + 16 <= d.length; i++) {
    const cnt = v.getUint16(off + 2, little);
    let a = off + v.getUint32(off + 8, little);
    for (let j = 0; j < cnt && a + 16 <= d.length; j++) {
      const other = v.getUint16(a + 6, little);
      out.set(other, cstring(strtab, v.getUint32(a + 8, little)));
      const next = v.getUint32(a + 12, little);
      if (next === 0) break;
      a += next;
    }
    const next = v.getUint32(off + 12, little);
    if (next === 0) break;
    off += next;
  }
  return out;
}
