// Debugging information of one ELF file: its line tables (.debug_line, with compilation
// directories from .debug_info) and call frame information (.debug_frame, .eh_frame).
// Each part is read on its own: a malformed section is reported as a problem (the
// DwarfError text) and the other parts are still used.

import { ElfError, ElfFile, sectionByName } from '../elf';
import { CallFrameInfo } from './cfi';
import { DwarfError } from './error';
import { CompUnit, readCompUnits } from './info';
import { LineProgram, LineSections, parseLineProgram } from './line';
import { DwarfReader } from './reader';
import { DwarfTypes } from './types';

export { DwarfError } from './error';
export type { LineRow, LineProgram, LineFile } from './line';
export { CallFrameInfo } from './cfi';
export type { CfaRule, RegRule, FrameRules, Fde, Cie } from './cfi';

const SHF_COMPRESSED = 0x800n;

export interface DebugInfo {
  readonly units: readonly CompUnit[];
  readonly lines: readonly LineProgram[];
  /** Undefined when the file has neither .debug_frame nor .eh_frame. */
  readonly cfi: CallFrameInfo | undefined;
  /** Messages of the parts that could not be read. */
  readonly problems: readonly string[];
}

function section(elf: ElfFile, name: string): Uint8Array | undefined {
  const s = sectionByName(elf, name);
  if (!s || s.type === 8 /* SHT_NOBITS */) return undefined;
  if (s.flags & SHF_COMPRESSED) throw new DwarfError(`${name} is compressed (SHF_COMPRESSED), which is not supported: link with --compress-debug-sections=none`);
  return s.data();
}

/** Every line program of .debug_line, in section order (compilation directories from the units). */
export function readLinePrograms(elf: ElfFile, units: readonly CompUnit[] = []): LineProgram[] {
  const line = section(elf, '.debug_line');
  if (!line) return [];
  const little = elf.endian === 'little';
  const sec = { line, little, str: section(elf, '.debug_str'), lineStr: section(elf, '.debug_line_str') };
  const compDirs = new Map<number, string | undefined>();
  for (const u of units) if (u.stmtList !== undefined) compDirs.set(u.stmtList, u.compDir);
  return readLineSection(sec, compDirs);
}

/** Every line program of a .debug_line section's bytes (compilation directories by unit offset). */
export function readLineSection(sec: LineSections, compDirs: ReadonlyMap<number, string | undefined> = new Map()): LineProgram[] {
  const out: LineProgram[] = [];
  const r = new DwarfReader(sec.line, sec.little, '.debug_line');
  while (!r.atEnd) {
    const at = r.pos;
    out.push(parseLineProgram(sec, at, compDirs.get(at)));
    r.seek(r.initialLength('line program').end);
  }
  return out;
}

export function readCompilationUnits(elf: ElfFile): CompUnit[] {
  const info = section(elf, '.debug_info');
  const abbrev = section(elf, '.debug_abbrev');
  if (!info) return [];
  if (!abbrev) throw new DwarfError('.debug_info without .debug_abbrev');
  return readCompUnits({ info, abbrev, little: elf.endian === 'little', str: section(elf, '.debug_str'), lineStr: section(elf, '.debug_line_str') });
}

export function readCallFrameInfo(elf: ElfFile): CallFrameInfo | undefined {
  let cfi: CallFrameInfo | undefined;
  const little = elf.endian === 'little';
  const addressSize = elf.class === 64 ? 8 : 4;
  for (const [name, kind] of [['.debug_frame', 'debug_frame'], ['.eh_frame', 'eh_frame']] as const) {
    const s = sectionByName(elf, name);
    const data = section(elf, name);
    if (!s || !data) continue;
    cfi ??= new CallFrameInfo();
    // A copy: the entries keep readers over it, which must not keep the whole file's buffer alive.
    cfi.add({ data: new Uint8Array(data), kind, addr: s.addr, little, addressSize });
  }
  return cfi;
}

/**
 * The types and global variables of .debug_info, read on demand. The sections are copied
 * (the file's buffer, with code and line tables, need not stay in memory for them).
 */
export function readTypes(elf: ElfFile): DwarfTypes | undefined {
  const info = section(elf, '.debug_info');
  const abbrev = section(elf, '.debug_abbrev');
  if (!info || !abbrev) return undefined;
  // new Uint8Array(view) copies (a Node Buffer's slice() would be a view of the file).
  const copy = (b: Uint8Array | undefined): Uint8Array | undefined => (b ? new Uint8Array(b) : undefined);
  return new DwarfTypes({
    info: new Uint8Array(info), abbrev: new Uint8Array(abbrev), little: elf.endian === 'little',
    str: copy(section(elf, '.debug_str')), lineStr: copy(section(elf, '.debug_line_str')),
  });
}

/** Reads what it can; problems are collected, not thrown. */
export function readDebugInfo(elf: ElfFile): DebugInfo {
  const problems: string[] = [];
  const attempt = <T>(f: () => T, fallback: T): T => {
    try { return f(); } catch (e) {
      if (!(e instanceof DwarfError) && !(e instanceof ElfError)) throw e;
      problems.push(e.message);
      return fallback;
    }
  };
  const units = attempt(() => readCompilationUnits(elf), [] as CompUnit[]);
  const lines = attempt(() => readLinePrograms(elf, units), [] as LineProgram[]);
  const cfi = attempt(() => readCallFrameInfo(elf), undefined);
  return { units, lines, cfi, problems };
}
