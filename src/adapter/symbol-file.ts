// Reads a symbol file (a "symbols" entry: an unstripped vmlinux of hundreds of MB) without
// holding what the debugger never uses: the buffer has the file's full size (offsets stay
// the ELF's) but only the headers and the sections the debugger reads are read into it.
// The rest stays zero pages that the OS never commits — Debian's -dbg vmlinux is 457 MB
// of which about 190 MB are sections in use (its location and range lists, 22 MB, are
// not read). Anything that does not parse as a large ELF is read whole, so errors are
// the ELF parser's as for any file.

import * as fs from 'node:fs';
import { INPUT_LIMITS, InputFileError, readInputFileSync } from '../storage/input-file';

/** Below this size a file is read whole (nothing worth saving). */
const SPARSE_FROM = 32 * 1024 * 1024;
/** Sections no part of the debugger reads. */
export const UNUSED_SECTIONS: ReadonlySet<string> = new Set(['.debug_loclists', '.debug_rnglists', '.debug_loc', '.debug_ranges', '.debug_aranges', '.debug_macro', '.comment']);
const SHT_NOBITS = 8, SHT_NULL = 0;

/** The file's bytes: whole, or (an ELF of `sparseFrom` bytes or more) sparse with the used sections read. Throws InputFileError. */
export function readSymbolFile(path: string, what: string, sparseFrom = SPARSE_FROM): Uint8Array {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size < sparseFrom || st.size > INPUT_LIMITS.elf) return readInputFileSync(path, 'elf', what);
    const buf = readSparse(fd, st.size);
    return buf ?? readInputFileSync(path, 'elf', what);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    return readInputFileSync(path, 'elf', what);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Undefined when the headers do not describe a plausible ELF (then the caller reads it whole). */
function readSparse(fd: number, size: number): Uint8Array | undefined {
  const buf = new Uint8Array(size);
  const fill = (off: number, n: number): boolean => {
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(n) || off < 0 || n < 0 || off + n > size) return false;
    let k = 0;
    while (k < n) {
      const r = fs.readSync(fd, buf, off + k, n - k, off + k);
      if (r === 0) return false;
      k += r;
    }
    return true;
  };
  if (!fill(0, 64) || buf[0] !== 0x7f || buf[1] !== 0x45 || buf[2] !== 0x4c || buf[3] !== 0x46) return undefined;
  const is64 = buf[4] === 2, le = buf[5] === 1;
  const dv = new DataView(buf.buffer);
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const word = (o: number): number => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  const phoff = word(is64 ? 32 : 28), shoff = word(is64 ? 40 : 32);
  const b = is64 ? 52 : 40;
  const phentsize = u16(b + 2), phnum = u16(b + 4), shentsize = u16(b + 6);
  let shnum = u16(b + 8);
  let shstrndx = u16(b + 10);
  if (shoff === 0 || shentsize < (is64 ? 64 : 40)) return undefined;
  if (!fill(shoff, shentsize)) return undefined;
  if (shnum === 0) shnum = word(shoff + (is64 ? 32 : 20));
  if (shstrndx === 0xffff) shstrndx = u32(shoff + (is64 ? 40 : 24));
  if (shnum > 65536 || !fill(shoff, shnum * shentsize)) return undefined;
  if (phoff !== 0 && phnum > 0 && !fill(phoff, phnum * phentsize)) return undefined;
  const shdr = (i: number): { name: number; type: number; offset: number; size: number } => {
    const o = shoff + i * shentsize;
    return is64 ? { name: u32(o), type: u32(o + 4), offset: word(o + 24), size: word(o + 32) }
      : { name: u32(o), type: u32(o + 4), offset: u32(o + 16), size: u32(o + 20) };
  };
  if (shstrndx >= shnum) return undefined;
  const names = shdr(shstrndx);
  if (!fill(names.offset, names.size)) return undefined;
  const nameOf = (off: number): string => {
    let s = '';
    for (let p = names.offset + off; p < names.offset + names.size && buf[p] !== 0; p++) s += String.fromCharCode(buf[p]!);
    return s;
  };
  for (let i = 1; i < shnum; i++) {
    const s = shdr(i);
    if (s.type === SHT_NOBITS || s.type === SHT_NULL || s.size === 0 || UNUSED_SECTIONS.has(nameOf(s.name))) continue;
    if (!fill(s.offset, s.size)) return undefined;
  }
  return buf;
}
