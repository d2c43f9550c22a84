// Formatting (opt-in, `mips64.asm.format.enable`): column alignment of statements — labels
// at the left margin, mnemonics and directives at the first tab stop, operands at the
// second (", " between them), `#` comments after the code at a common column. Lines with
// several statements, inside strings that would change, or only comments keep their text
// (trailing blanks removed). The assembled bytes never change (test/language checks it on
// every test program).

import { commentStart, scanLine } from '../emulator/isa/assembler/source';

export interface FormatOptions { tabSize: number; insertSpaces: boolean }
export interface LineEdit { line: number; text: string }

const OP_COLUMN = 1, OPERAND_COLUMN = 2, COMMENT_MIN = 40;

/** Edits (whole lines) that align the statements of `text`. */
export function formatText(text: string, o: FormatOptions): LineEdit[] {
  const rows = text.split('\n');
  const tab = Math.max(1, Math.min(16, Math.trunc(o.tabSize) || 8));
  const width = (s: string): number => { let w = 0; for (const c of s) w = c === '\t' ? (Math.floor(w / tab) + 1) * tab : w + 1; return w; };
  const padTo = (s: string, col: number): string => {
    const w = width(s);
    if (o.insertSpaces) return s + ' '.repeat(Math.max(1, col - w));
    let out = s, cur = w;
    if (cur >= col) return out + ' ';
    while (cur < col) { out += '\t'; cur = (Math.floor(cur / tab) + 1) * tab; }
    return out;
  };
  const edits: LineEdit[] = [];
  let inBlock = false;
  rows.forEach((row, line) => {
    const cr = row.endsWith('\r') ? '\r' : '';
    const raw = cr ? row.slice(0, -1) : row;
    // Lines inside or around /* */ comments are left alone.
    const opens = raw.includes('/*'), closes = raw.includes('*/');
    if (inBlock || opens) { if (opens && !closes) inBlock = true; else if (closes) inBlock = false; return; }
    const c = commentStart(raw);
    const code = raw.slice(0, c).trimEnd();
    const comment = raw.slice(c).trimEnd();
    const stmts = scanLine(raw);
    let out: string;
    if (stmts.length === 0) out = code === '' ? (comment.startsWith('#') && /^\s/.test(raw) ? padTo('', OP_COLUMN * tab) + comment : comment) : raw.trimEnd();
    else if (stmts.length > 1 || /\\/.test(code)) out = raw.trimEnd();
    else {
      const st = stmts[0];
      let s = st.labels.map((l) => `${l.text}:`).join(' ');
      if (st.assign) s = padTo(s, OP_COLUMN * tab) + `${st.assign.name.text} = ${st.assign.value.text}`;
      else if (st.op) {
        s = padTo(s, OP_COLUMN * tab) + st.op.text;
        if (st.operands.length) s = padTo(s, OPERAND_COLUMN * tab) + st.operands.map((x) => x.text).join(', ');
      }
      out = comment ? padTo(s, Math.max(COMMENT_MIN, Math.ceil((width(s) + 1) / tab) * tab)) + comment : s;
    }
    if (out + cr !== row) edits.push({ line, text: out + cr });
  });
  return edits;
}
