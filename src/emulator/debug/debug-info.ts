// Loads the DWARF debugging information of an ELF file into the debugger: line tables
// into the LineTable, call frame information and the executable sections' code into the
// unwinder, .debug_info's types and variables (read lazily) into TypeFiles, all moved by the file's load offset, under the file's name (`source`: what rebase() moves later). Malformed
// parts are reported (and skipped), never thrown.

import { ElfFile } from '../loader/elf';
import { readDebugInfo, readTypes } from '../loader/dwarf/index';
import { DwarfError } from '../loader/dwarf/error';
import { LineTable } from './lines';
import type { TypeFiles } from './type-files';
import { Unwinder } from './unwind';

export interface DebugInfoSummary {
  /** Line-table rows that cover code. */
  readonly rows: number;
  /** Source files with statement starts. */
  readonly files: number;
  /** FDEs of the call frame information. */
  readonly fdes: number;
  /** Units of .debug_info whose types and variables can be looked up (0: none). */
  readonly typeUnits: number;
  /** What could not be read (each a DwarfError message). */
  readonly problems: readonly string[];
}

export function loadDebugInfo(lines: LineTable, unwinder: Unwinder, elf: ElfFile, offset = 0n, source = '', types?: TypeFiles): DebugInfoSummary {
  const info = readDebugInfo(elf);
  const problems = [...info.problems];
  let typeUnits = 0;
  if (types) {
    try {
      const t = readTypes(elf);
      if (t) { types.add(source, t, offset); typeUnits = t.unitCount; }
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      problems.push(`types and variables: ${e.message}`);
    }
  }
  let rows = 0;
  const files = new Set<string>();
  for (const p of info.lines) {
    rows += lines.addRows(p.rows, offset, source);
    for (const r of p.rows) if (r.isStmt && !r.endSequence) files.add(r.file);
  }
  if (info.cfi) unwinder.addCallFrameInfo(info.cfi, offset, elf.endian === 'little', source);
  unwinder.code.addElf(elf, offset, source);
  return { rows, files: files.size, fdes: info.cfi?.fdes.length ?? 0, typeUnits, problems };
}
