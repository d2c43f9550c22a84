// Go to definition, find references and rename for labels, `.equ`/`=` symbols, macros and
// numeric local labels, across a file's scope (the files it includes and the open files
// that include it); the outline (sections with their labels, macros and constants); and
// workspace symbols over the workspace's assembly files.

import { FileIndex, resolveLocal, SymbolDef } from './file-index';
import { findDef, tokenAt, wordAt } from './hover';
import { Project } from './project';

export interface Loc { file: string; line: number; start: number; end: number }

/** The symbol name under the cursor (label, symbol in an operand, macro use), with its range. */
export function symbolAt(project: Project, path: string, line: number, ch: number): { name: string; loc: Loc } | undefined {
  const ix = project.index(path);
  const stmts = ix?.lines[line];
  if (!ix || !stmts) return undefined;
  const t = tokenAt(stmts, ch);
  if (!t) return undefined;
  if (t.role === 'label' || t.role === 'assign' || t.role === 'op') {
    if (t.role === 'op' && t.span.text.startsWith('.')) {
      // `.equ NAME, …`, `.globl NAME`: the name is an operand, not the op.
      return undefined;
    }
    return { name: t.span.text, loc: { file: path, line, start: t.span.start, end: t.span.end } };
  }
  const w = wordAt(t.span.text, ch - t.span.start);
  if (!w || w.word.startsWith('$')) return undefined;
  return { name: w.word, loc: { file: path, line, start: t.span.start + w.start, end: t.span.start + w.end } };
}

export function definition(project: Project, path: string, line: number, ch: number): Loc | undefined {
  const s = symbolAt(project, path, line, ch);
  if (!s) return undefined;
  const d = findDef(project, path, s.name, line);
  return d ? { file: d.file, line: d.def.line, start: d.def.start, end: d.def.end } : undefined;
}

/** Every occurrence (definition included when asked) of the symbol under the cursor. */
export function references(project: Project, path: string, line: number, ch: number, includeDecl = true): Loc[] {
  const s = symbolAt(project, path, line, ch);
  if (!s) return [];
  const d = findDef(project, path, s.name, line);
  if (!d) return [];
  return occurrences(project, d.file, d.def, includeDecl);
}

function occurrences(project: Project, defFile: string, def: SymbolDef, includeDecl: boolean): Loc[] {
  const out: Loc[] = [];
  if (includeDecl) out.push({ file: defFile, line: def.line, start: def.start, end: def.end });
  if (def.kind === 'local') {
    // `1b`/`1f` references that resolve to this definition (same file only).
    const ix = project.index(defFile)!;
    for (const r of ix.refs) {
      if (r.local && r.name.slice(0, -1) === def.name && resolveLocal(ix, r.name, r.line) === def) {
        out.push({ file: defFile, line: r.line, start: r.start, end: r.start + def.name.length });
      }
    }
    return out;
  }
  const lower = def.name.toLowerCase();
  for (const f of project.scope(defFile)) {
    const ix = project.index(f);
    if (!ix) continue;
    for (const r of ix.refs) {
      if (r.local) continue;
      const same = def.kind === 'macro' ? r.macroUse === true && r.name.toLowerCase() === lower : !r.macroUse && r.name === def.name;
      if (same) out.push({ file: f, line: r.line, start: r.start, end: r.end });
    }
  }
  return out;
}

const SYMBOL_NAME = /^[A-Za-z_.$][A-Za-z0-9_.$]*$/;

/** Rename edits, or an error message (bad name, nothing to rename, name taken). */
export function rename(project: Project, path: string, line: number, ch: number, newName: string): Loc[] | string {
  const s = symbolAt(project, path, line, ch);
  if (!s) return 'no label or symbol here';
  const d = findDef(project, path, s.name, line);
  if (!d) return `'${s.name}' is not defined in this file or the files it includes`;
  if (d.def.kind === 'local') {
    if (!/^\d+$/.test(newName)) return 'a numeric local label is renamed to another number';
  } else if (!SYMBOL_NAME.test(newName) || newName.startsWith('$')) return `'${newName}' is not a valid symbol name`;
  if (d.def.kind !== 'local' && findDef(project, path, newName, line)) return `'${newName}' is already defined`;
  return occurrences(project, d.file, d.def, true);
}

export interface OutlineItem { name: string; kind: 'section' | 'function' | 'label' | 'constant' | 'macro'; line: number; start: number; end: number; endLine: number; children: OutlineItem[] }

/** Sections holding their labels (global or `.type @function` labels as functions), with macros and constants. */
export function outline(ix: FileIndex): OutlineItem[] {
  const out: OutlineItem[] = [];
  const lastLine = ix.lines.length - 1;
  const sections = ix.sections.length ? ix.sections : [{ name: '.text', line: 0 }];
  const secItems = sections.map((s, i): OutlineItem => ({
    name: s.name, kind: 'section', line: s.line, start: 0, end: 0,
    endLine: i + 1 < sections.length ? Math.max(s.line, sections[i + 1].line - 1) : lastLine, children: [],
  }));
  // Sections that appear before the first section directive go to an implicit .text.
  let si = 0;
  const secAt = (line: number): OutlineItem | undefined => {
    while (si + 1 < secItems.length && secItems[si + 1].line <= line) si++;
    return secItems[si] && secItems[si].line <= line ? secItems[si] : undefined;
  };
  const defs = ix.defs.filter((d) => d.kind !== 'local');
  // The next label after each definition (labels end at the next one).
  const nextLabel: Array<SymbolDef | undefined> = new Array(defs.length);
  for (let i = defs.length - 1, n: SymbolDef | undefined; i >= 0; i--) { nextLabel[i] = n; if (defs[i].kind === 'label') n = defs[i]; }
  defs.forEach((d, i) => {
    const next = nextLabel[i];
    const kind: OutlineItem['kind'] = d.kind === 'label' ? (ix.globals.has(d.name) ? 'function' : 'label') : d.kind === 'macro' ? 'macro' : 'constant';
    const item: OutlineItem = { name: d.name, kind, line: d.line, start: d.start, end: d.end, endLine: d.kind === 'label' ? Math.max(d.line, (next?.line ?? lastLine + 1) - 1) : d.line, children: [] };
    const sec = d.kind === 'label' ? secAt(d.line) : undefined;
    if (sec) { item.endLine = Math.min(item.endLine, sec.endLine); sec.children.push(item); } else out.push(item);
  });
  return [...secItems.filter((s) => s.children.length > 0 || ix.sections.length > 0), ...out].sort((a, b) => a.line - b.line);
}

/** Workspace symbols whose name contains `query` (case-insensitive), at most `limit`. */
export function workspaceSymbols(project: Project, query: string, limit = 500): Array<{ name: string; kind: SymbolDef['kind']; loc: Loc }> {
  const q = query.toLowerCase();
  const out: Array<{ name: string; kind: SymbolDef['kind']; loc: Loc }> = [];
  for (const f of project.workspaceFiles()) {
    for (const d of project.index(f)?.defs ?? []) {
      if (d.kind === 'local' || !d.name.toLowerCase().includes(q)) continue;
      out.push({ name: d.name, kind: d.kind, loc: { file: f, line: d.line, start: d.start, end: d.end } });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
