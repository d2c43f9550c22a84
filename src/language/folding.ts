// Folding ranges: sections (a section directive to the line before the next one),
// functions (a global label, or a label in .text, to the line before the next such label),
// `.ent`…`.end` and `.macro`…`.endm` blocks, and runs of full-line comments.

import { FileIndex } from './file-index';

export interface Fold { start: number; end: number; kind?: 'comment' | 'region' }

export function foldingRanges(ix: FileIndex): Fold[] {
  const out: Fold[] = [];
  const last = lastNonBlank(ix);
  ix.sections.forEach((s, i) => {
    const end = i + 1 < ix.sections.length ? ix.sections[i + 1].line - 1 : last;
    if (end > s.line) out.push({ start: s.line, end, kind: 'region' });
  });
  const fns = ix.defs.filter((d) => d.kind === 'label' && !d.name.startsWith('.L') && (ix.globals.has(d.name) || d.section.startsWith('.text')));
  fns.forEach((d, i) => {
    const nextSection = ix.sections.find((s) => s.line > d.line)?.line ?? last + 1;
    const end = Math.min((fns[i + 1]?.line ?? last + 1) - 1, nextSection - 1);
    if (end > d.line) out.push({ start: d.line, end: trimBlank(ix, d.line, end) });
  });
  for (const b of ix.blocks) if (b.end > b.start) out.push({ start: b.start, end: b.end });
  let run: number[] = [];
  const flush = (): void => { if (run.length >= 2) out.push({ start: run[0], end: run[run.length - 1], kind: 'comment' }); run = []; };
  for (const l of ix.commentLines) { if (run.length && l !== run[run.length - 1] + 1) flush(); run.push(l); }
  flush();
  return out.filter((f) => f.end > f.start);
}

function lastNonBlank(ix: FileIndex): number {
  for (let l = ix.lines.length - 1; l >= 0; l--) if (ix.lines[l].length > 0) return l;
  return 0;
}

/** Ends a range on its last line that holds a statement (blank lines after it stay unfolded). */
function trimBlank(ix: FileIndex, start: number, end: number): number {
  let e = end;
  while (e > start && ix.lines[e].length === 0) e--;
  return e;
}
