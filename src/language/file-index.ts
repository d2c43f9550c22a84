// The symbols of one assembly file, read with the assembler's own scanner (source.ts):
// definitions (labels, numeric local labels, `.equ`/`.equiv`/`.set`/`=` constants,
// `.macro`s), references (symbols in operands and expressions, macro uses, `1b`/`1f`), and
// the sections, for go to definition, references, rename, outline, folding and
// semantic tokens. Lines and columns are 0-based (LSP positions).

import { scanLine, Span, Statement, stripBlockComments } from '../emulator/isa/assembler/source';
import { parseCp0Name, parseGpr } from '../emulator/isa/registers';

export type DefKind = 'label' | 'local' | 'constant' | 'macro';

export interface SymbolDef { name: string; kind: DefKind; line: number; start: number; end: number; section: string }
export interface SymbolRef { name: string; line: number; start: number; end: number; local?: boolean; macroUse?: boolean }

export interface FileIndex {
  readonly file: string;
  /** Statements of each line. */
  readonly lines: readonly (readonly Statement[])[];
  readonly defs: readonly SymbolDef[];
  readonly refs: readonly SymbolRef[];
  /** Section switches: the section entered at each line. */
  readonly sections: ReadonlyArray<{ name: string; line: number }>;
  /** `.globl` names. */
  readonly globals: ReadonlySet<string>;
  /** Full-line `#` comments (for folding). */
  readonly commentLines: readonly number[];
  /** `.ent`/`.end`, `.macro`/`.endm` pairs (0-based lines). */
  readonly blocks: ReadonlyArray<{ start: number; end: number; kind: 'function' | 'macro' }>;
}

const SECTION_DIRECTIVES = new Set(['.text', '.data', '.bss', '.rodata']);
/** Directives whose operands are not expressions (names of sections, options, strings…). */
const NO_SYMBOL_OPERANDS = new Set([
  '.section', '.include', '.file', '.ident', '.module', '.option', '.nan', '.gnu_attribute', '.ascii', '.asciz',
  '.string', '.macro', '.endm', '.loc', '.frame', '.mask', '.fmask', '.abicalls', '.mdebug', '.cpload', '.cprestore',
  '.cpsetup', '.cpreturn', '.previous',
]);
/** Directives whose first operand is a symbol name (the rest, if any, an expression). */
const NAME_FIRST = new Set(['.globl', '.global', '.local', '.weak', '.hidden', '.protected', '.extern', '.type', '.size', '.ent', '.end', '.aent', '.entry', '.insn']);
const DEFINING = new Set(['.equ', '.equiv', '.set']);

const IDENT = /[A-Za-z_.$][A-Za-z0-9_.$]*/g;
const LOCAL_REF = /\b(\d+)([fb])\b/g;

/** Blanks out strings and character constants (positions kept). */
function blankStrings(t: string): string {
  return t.replace(/"(?:[^"\\]|\\.)*"?|'(?:\\.|[^\\'])'?/g, (m) => ' '.repeat(m.length));
}

/** True when an identifier in an operand names a register or a CP0/FPU/hardware register, not a symbol. */
function isRegisterName(name: string): boolean {
  return parseGpr(name) !== undefined || parseCp0Name(name) !== undefined || /^(c0|c1|hwr|msa)_/.test(name);
}

/** Symbol references in an expression or operand at `span`. */
function refsIn(span: Span, line: number, out: SymbolRef[], wholeOperandIsName = false): void {
  const t = blankStrings(span.text);
  if (wholeOperandIsName) {
    const m = /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(t.trim());
    if (m) out.push({ name: m[0], line, start: span.start + t.indexOf(m[0]), end: span.start + t.indexOf(m[0]) + m[0].length });
    return;
  }
  for (const m of t.matchAll(IDENT)) {
    const name = m[0];
    const i = m.index!;
    const before = t[i - 1];
    if (name.startsWith('$') || before === '%' || before === '\\' || name === '.' || isRegisterName(name)) continue;
    if (/^\d/.test(t.slice(i - 1, i)) ) continue; // (inside a number such as 0x1f: not an identifier)
    out.push({ name, line, start: span.start + i, end: span.start + i + name.length });
  }
  for (const m of t.matchAll(LOCAL_REF)) {
    if (/[A-Za-z0-9_.$]/.test(t[m.index! - 1] ?? '')) continue;
    out.push({ name: m[0], line, start: span.start + m.index!, end: span.start + m.index! + m[0].length, local: true });
  }
}

/** Indexes one file's text. */
export function indexFile(file: string, text: string): FileIndex {
  const rows = stripBlockComments(text).split('\n');
  const lines: Statement[][] = [];
  const defs: SymbolDef[] = [];
  const refs: SymbolRef[] = [];
  const sections: Array<{ name: string; line: number }> = [];
  const globals = new Set<string>();
  const commentLines: number[] = [];
  const blocks: Array<{ start: number; end: number; kind: 'function' | 'macro' }> = [];
  const open: Array<{ start: number; kind: 'function' | 'macro' }> = [];
  let section = '.text';
  for (let ln = 0; ln < rows.length; ln++) {
    const row = rows[ln];
    const stmts = scanLine(row);
    lines.push(stmts);
    if (stmts.length === 0 && /^\s*#/.test(row)) commentLines.push(ln);
    for (const st of stmts) {
      for (const l of st.labels) defs.push({ name: l.text, kind: /^\d+$/.test(l.text) ? 'local' : 'label', line: ln, start: l.start, end: l.end, section });
      if (st.assign) {
        defs.push({ name: st.assign.name.text, kind: 'constant', line: ln, start: st.assign.name.start, end: st.assign.name.end, section });
        refsIn(st.assign.value, ln, refs);
        continue;
      }
      if (!st.op) continue;
      const op = st.op.text.toLowerCase();
      if (op.startsWith('.')) {
        if (SECTION_DIRECTIVES.has(op)) sections.push({ name: (section = op), line: ln });
        else if (op === '.section' && st.operands[0]) sections.push({ name: (section = st.operands[0].text.replace(/"/g, '')), line: ln });
        if (op === '.macro') {
          const m = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*)/.exec(st.rest!.text);
          if (m) {
            const s = st.rest!.start + st.rest!.text.indexOf(m[1]);
            defs.push({ name: m[1], kind: 'macro', line: ln, start: s, end: s + m[1].length, section });
          }
          open.push({ start: ln, kind: 'macro' });
        } else if (op === '.endm' || op === '.end') {
          const want = op === '.endm' ? 'macro' : 'function';
          const i = open.map((o) => o.kind).lastIndexOf(want);
          if (i >= 0) { blocks.push({ start: open[i].start, end: ln, kind: want }); open.splice(i, 1); }
        } else if (op === '.ent') open.push({ start: ln, kind: 'function' });
        if ((op === '.globl' || op === '.global') && st.operands[0]) for (const o of st.operands) globals.add(o.text);
        if (DEFINING.has(op) && st.operands.length >= 2 && /^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(st.operands[0].text)
          && !(op === '.set' && /^(mips|arch)/.test(st.operands[0].text))) {
          const n = st.operands[0];
          defs.push({ name: n.text, kind: 'constant', line: ln, start: n.start, end: n.end, section });
          for (const o of st.operands.slice(1)) refsIn(o, ln, refs);
          continue;
        }
        if (NO_SYMBOL_OPERANDS.has(op) || op === '.set') continue;
        st.operands.forEach((o, i) => refsIn(o, ln, refs, i === 0 && NAME_FIRST.has(op)));
        continue;
      }
      refs.push({ name: st.op.text, line: ln, start: st.op.start, end: st.op.end, macroUse: true });
      for (const o of st.operands) refsIn(o, ln, refs);
    }
  }
  return { file, lines, defs, refs, sections, globals, commentLines, blocks };
}

/** The definition a numeric local reference (`1b`, `2f`) at `line` names in this file. */
export function resolveLocal(ix: FileIndex, ref: string, line: number): SymbolDef | undefined {
  const m = /^(\d+)([fb])$/.exec(ref);
  if (!m) return undefined;
  const defs = ix.defs.filter((d) => d.kind === 'local' && d.name === m[1]);
  return m[2] === 'b' ? defs.filter((d) => d.line <= line).at(-1) : defs.find((d) => d.line > line);
}
