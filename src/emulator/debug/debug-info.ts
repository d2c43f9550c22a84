// Loads the DWARF debugging information of an ELF file into the debugger: line tables
// into the LineTable, call frame information and the executable sections' code into the
// unwinder, .debug_info's types and variables (read lazily) into TypeFiles, all moved by
// the file's load offset, under the file's name (`source`: what rebase() moves later). Line
// programs go into the table one at a time. Malformed parts are reported (and skipped),
// never thrown.

import { ElfError, ElfFile } from '../loader/elf';
import { CallFrameInfo, eachLineProgram, readCallFrameInfo, readCompilationUnits, readTypes } from '../loader/dwarf/index';
import type { CompUnit } from '../loader/dwarf/info';
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

export function loadDebugInfo(lines: LineTable, unwinder: Unwinder, elf: ElfFile, offset = 0n, source = '', types?: TypeFiles, views = false): DebugInfoSummary {
  const problems: string[] = [];
  const attempt = (f: () => void): void => {
    try { f(); } catch (e) {
      if (!(e instanceof DwarfError) && !(e instanceof ElfError)) throw e;
      problems.push(e.message);
    }
  };
  let units: CompUnit[] = [];
  attempt(() => { units = readCompilationUnits(elf); });
  // One line program at a time into the table: a kernel's million rows are never all parsed objects at once.
  let rows = 0;
  const files = new Set<string>();
  attempt(() => {
    for (const p of eachLineProgram(elf, units)) {
      rows += lines.addRows(p.rows, offset, source);
      for (const r of p.rows) if (r.isStmt && !r.endSequence) files.add(r.file);
    }
  });
  let cfi: CallFrameInfo | undefined;
  attempt(() => { cfi = readCallFrameInfo(elf); });
  if (cfi) unwinder.addCallFrameInfo(cfi, offset, elf.endian === 'little', source);
  unwinder.code.addElf(elf, offset, source);
  let typeUnits = 0;
  if (types) {
    try {
      const t = readTypes(elf, views);
      if (t) { types.add(source, t, offset); typeUnits = t.unitCount; }
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      problems.push(`types and variables: ${e.message}`);
    }
  }
  return { rows, files: files.size, fdes: cfi?.fdes.length ?? 0, typeUnits, problems };
}
