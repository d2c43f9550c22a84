// Semantic tokens: what each token of a line is, as the assembler reads it — instruction
// mnemonics (the table's, pseudo-instructions), directives, macro uses, label and symbol
// definitions and uses, registers, CP0 register names and numbers. Encoded as LSP's
// relative 5-tuples (line, start, length, type, modifiers).

import { DIRECTIVES } from '../emulator/isa/assembler/assembler';
import { entriesNamed } from '../emulator/isa/assembler/encode';
import { parseCp0Name, parseFpr, parseGpr } from '../emulator/isa/registers';
import { FileIndex } from './file-index';
import { PSEUDO_DOCS } from './isa-docs';

/** Token types, in legend order. */
export const TOKEN_TYPES = ['keyword', 'macro', 'function', 'variable', 'parameter', 'property', 'number', 'string', 'enumMember'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;

type TokenType = (typeof TOKEN_TYPES)[number];
const T = (t: TokenType): number => TOKEN_TYPES.indexOf(t);
const DECL = 1, READONLY = 2, LIBRARY = 4;

const DIRECTIVE_SET = new Set(DIRECTIVES);

/** The encoded token data of a file (`macros`: macro names in scope, lower case). */
export function semanticTokens(ix: FileIndex, macros: ReadonlySet<string>, constants: ReadonlySet<string>): number[] {
  const toks: Array<[number, number, number, number, number]> = [];
  ix.lines.forEach((stmts, line) => {
    for (const st of stmts) {
      for (const l of st.labels) toks.push([line, l.start, l.end - l.start, T('function'), DECL]);
      if (st.assign) {
        toks.push([line, st.assign.name.start, st.assign.name.end - st.assign.name.start, T('enumMember'), DECL | READONLY]);
        operandTokens(st.assign.value.text, st.assign.value.start, line, toks, constants);
        continue;
      }
      if (!st.op) continue;
      const name = st.op.text.toLowerCase();
      const len = st.op.end - st.op.start;
      if (name.startsWith('.')) { if (DIRECTIVE_SET.has(name)) toks.push([line, st.op.start, len, T('macro'), LIBRARY]); }
      else if (macros.has(name)) toks.push([line, st.op.start, len, T('macro'), 0]);
      else if (entriesNamed(name) || PSEUDO_DOCS[name]) toks.push([line, st.op.start, len, T('keyword'), 0]);
      if (name === '.include' || name === '.section' || name === '.ascii' || name === '.asciz' || name === '.string') continue;
      for (const o of st.operands) operandTokens(o.text, o.start, line, toks, constants);
    }
  });
  // Relative encoding, tokens sorted by position.
  toks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  let pl = 0, ps = 0;
  for (const [l, s, n, t, m] of toks) {
    out.push(l - pl, l === pl ? s - ps : s, n, t, m);
    pl = l; ps = s;
  }
  return out;
}

function operandTokens(text: string, base: number, line: number, toks: Array<[number, number, number, number, number]>, constants: ReadonlySet<string>): void {
  const blank = text.replace(/"(?:[^"\\]|\\.)*"?|'(?:\\.|[^\\'])'?/g, (m) => ' '.repeat(m.length));
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"?/g)) toks.push([line, base + m.index!, m[0].length, T('string'), 0]);
  for (const m of blank.matchAll(/%[a-z_]+|\$?[A-Za-z0-9_.$]+/g)) {
    const w = m[0], s = base + m.index!;
    if (w.startsWith('%')) continue;
    if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/.test(w)) { toks.push([line, s, w.length, T('number'), 0]); continue; }
    if (/^\d+[fb]$/.test(w)) { toks.push([line, s, w.length, T('function'), 0]); continue; }
    if (w.startsWith('$') && (parseGpr(w) !== undefined || parseFpr(w) !== undefined || /^\$(\d+|f\d+|w\d+|fcc\d|cc\d|ac\d)$/.test(w))) {
      toks.push([line, s, w.length, T('parameter'), 0]); continue;
    }
    if (parseCp0Name(w) !== undefined || /^(c1|hwr|msa)_/.test(w)) { toks.push([line, s, w.length, T('property'), 0]); continue; }
    if (/^[A-Za-z_.][A-Za-z0-9_.$]*$/.test(w) && w !== '.') toks.push([line, s, w.length, constants.has(w) ? T('enumMember') : T('variable'), constants.has(w) ? READONLY : 0]);
  }
}
