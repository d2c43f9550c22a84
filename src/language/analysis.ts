// One analysis of an assembly file: the project's assembler run over it (with its
// `.include`s, at the demo board's origin, for the selected CPU model and byte order) plus
// the language server's own checks (lints.ts). Everything the features need afterwards —
// diagnostics, the instruction words of each line, symbol values, macros, included files —
// is read from this result; nothing here parses assembly a second way.

import { assemble, AsmLayout, AsmLine, AssembleResult, IncludeResult } from '../emulator/isa/assembler/assembler';
import { includeCandidates } from '../emulator/isa/assembler/include';
import { CpuModelName } from '../emulator/isa/decoder';
import { Finding, lint } from './lints';

export type { Finding };
import { Settings } from './settings';

/** Where text comes from: open editors first (unsaved changes), then the disk. */
export interface SourceStore {
  /** Text of a file by absolute path, or why it cannot be read; undefined when absent. */
  read(path: string): { text: string } | { error: string } | undefined;
}

/** The demo board's link address (dist/guests/demo.elf and F5 on a .s file use it too). */
export const ANALYSIS_ORIGIN = 0xffffffff80100000n;


export interface Analysis {
  readonly file: string;
  readonly model: CpuModelName;
  readonly result: AssembleResult;
  readonly findings: readonly Finding[];
  /** Instruction words by file, then by 1-based line. */
  readonly words: ReadonlyMap<string, ReadonlyMap<number, readonly AsmLine[]>>;
  /** Symbol values by name (labels and absolute symbols). */
  readonly values: ReadonlyMap<string, bigint>;
  /** Milliseconds the assembler and the checks took. */
  readonly millis: number;
}

/** A file that is not assembly text: NUL bytes or mostly control characters in its first 64 KiB. */
export function binaryReason(text: string): string | undefined {
  const head = text.slice(0, 65536);
  if (head.includes('\u0000')) return 'this file contains NUL bytes: it looks like a binary file, not assembly source';
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd) control++;
  }
  return head.length > 256 && control > head.length / 10 ? 'this file is mostly control characters or invalid UTF-8: not analysed as assembly' : undefined;
}

/**
 * Assembles `text` (the file `file`) and runs the checks; bounded by `budgetMs`. `layout`:
 * what the previous analysis of this file settled on (an edit then costs one pass, not four).
 */
export function analyse(file: string, text: string, settings: Settings, store: SourceStore, budgetMs = 2000, layout?: AsmLayout): Analysis {
  const t0 = performance.now();
  const binary = binaryReason(text);
  if (binary !== undefined) {
    const empty = assemble('', { fileName: file });
    return {
      file, model: settings.model, result: empty, words: new Map(), values: new Map(), millis: performance.now() - t0,
      findings: [{ file, line: 1, column: 1, endColumn: 2, severity: 'error', message: binary, code: 'binary' }],
    };
  }
  const readInclude = (name: string, from: string): IncludeResult => {
    for (const p of includeCandidates(name, from, settings.includePaths)) {
      const r = store.read(p);
      if (r === undefined) continue;
      if ('error' in r) return { error: r.error };
      const why = binaryReason(r.text);
      return why === undefined ? { file: p, text: r.text } : { error: why };
    }
    return { error: `not found (looked in ${includeCandidates(name, from, settings.includePaths).join(', ')})` };
  };
  const deadline = t0 + budgetMs;
  const result = assemble(text, {
    fileName: file, origin: ANALYSIS_ORIGIN, model: settings.model, endian: settings.endian, readInclude,
    shouldStop: () => performance.now() > deadline, layout,
  });
  const words = new Map<string, Map<number, AsmLine[]>>();
  for (const l of result.lines) {
    let f = words.get(l.file);
    if (!f) { f = new Map(); words.set(l.file, f); }
    let w = f.get(l.line);
    if (!w) { w = []; f.set(l.line, w); }
    w.push(l);
  }
  const values = new Map(result.symbols.map((s) => [s.name, s.value] as const));
  const findings = lint(result, settings.model);
  return { file, model: settings.model, result, findings, words, values, millis: performance.now() - t0 };
}
