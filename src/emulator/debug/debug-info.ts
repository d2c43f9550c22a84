// Loads the DWARF debugging information of an ELF file into the debugger: line tables
// into the LineTable, call frame information and the executable sections' code into the
// unwinder, all moved by the file's load offset, under the file's name (`source`: what rebase() moves later). Malformed
// parts are reported (and skipped), never thrown.

import { ElfFile } from '../loader/elf';
import { readDebugInfo } from '../loader/dwarf/index';
import { LineTable } from './lines';
import { Unwinder } from './unwind';

export interface DebugInfoSummary {
  /** Line-table rows that cover code. */
  readonly rows: number;
  /** Source files with statement starts. */
  readonly files: number;
  /** FDEs of the call frame information. */
  readonly fdes: number;
  /** What could not be read (each a DwarfError message). */
  readonly problems: readonly string[];
}

export function loadDebugInfo(lines: LineTable, unwinder: Unwinder, elf: ElfFile, offset = 0n, source = ''): DebugInfoSummary {
  const info = readDebugInfo(elf);
  let rows = 0;
  const files = new Set<string>();
  for (const p of info.lines) {
    rows += lines.addRows(p.rows, offset, source);
    for (const r of p.rows) if (r.isStmt && !r.endSequence) files.add(r.file);
  }
  if (info.cfi) unwinder.addCallFrameInfo(info.cfi, offset, elf.endian === 'little', source);
  unwinder.code.addElf(elf, offset, source);
  return { rows, files: files.size, fdes: info.cfi?.fdes.length ?? 0, problems: info.problems };
}
