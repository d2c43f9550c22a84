// The lexical layer of the assembler (GNU as syntax): comments, statements separated by
// `;`, labels, `name = value` assignments, the mnemonic or directive and its operands,
// each with its exact columns in the line. The assembler reads every line through
// scanLine(); the language server (src/language) uses the same scanner, so both see the
// same tokens at the same places. Columns are 0-based UTF-16 offsets into the line.

/** A piece of a line: its text (trimmed) and its columns [start, end). */
export interface Span {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** One statement of a line. */
export interface Statement {
  /** Column of the statement's first non-blank character. */
  readonly start: number;
  /** Labels defined before the statement (`a: b: nop`), names without the colon. */
  readonly labels: readonly Span[];
  /** `name = value` (GNU as symbol assignment). */
  readonly assign?: { readonly name: Span; readonly value: Span };
  /** Mnemonic or directive as written (case kept), when the statement has one. */
  readonly op?: Span;
  /** The text after the mnemonic (untrimmed start column), '' when none. */
  readonly rest?: Span;
  /** Operands split at top-level commas. */
  readonly operands: readonly Span[];
}

/** Replaces C block comments by spaces, keeping newlines (line numbers and columns stay right). */
export function stripBlockComments(src: string): string {
  if (!src.includes('/*')) return src;
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
}

/** Column where a `#` comment starts (outside strings and character constants), or the line length. */
export function commentStart(line: string): number {
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inStr) { if (c === '\\') i++; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true;
    else if (c === "'") i += line[i + 1] === '\\' ? 2 : 1;
    else if (c === '#') return i;
  }
  return line.length;
}

/** Removes a `#` comment (outside strings and character constants). */
export function stripLineComment(line: string): string {
  const c = commentStart(line);
  return c === line.length ? line : line.slice(0, c);
}

/** Splits a line (comment removed) at `;` outside strings into statements (leading blanks removed) and their 0-based columns. */
export function splitStatements(line: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let start = 0, inStr = false;
  for (let i = 0; i <= line.length; i++) {
    const c = line[i];
    // (An unterminated string runs to the end of the line; the assembler reports it.)
    if (inStr && i < line.length) { if (c === '\\' && i + 1 < line.length) i++; else if (c === '"') inStr = false; continue; }
    if (c === '"') { inStr = true; continue; }
    if (c === ';' || i === line.length) {
      const text = line.slice(start, i);
      const lead = text.length - text.trimStart().length;
      if (text.trim() !== '') out.push([text.slice(lead), start + lead]);
      start = i + 1;
    }
  }
  return out;
}

/** Spans of the operands of an operand list at column `base` (split at top-level commas). */
export function operandSpans(text: string, base = 0): Span[] {
  const out: Span[] = [];
  let start = 0, depth = 0;
  const push = (end: number): void => {
    const part = text.slice(start, end);
    const lead = part.length - part.trimStart().length;
    const t = part.trim();
    out.push({ text: t, start: base + start + lead, end: base + start + lead + t.length });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === "'") {
      i += text[i + 1] === '\\' ? 2 : 1;
      if (text[i + 1] === "'") i++;
    } else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) { push(i); start = i + 1; }
  }
  if (text.trim() !== '') push(text.length);
  return out;
}

const LABEL = /^([A-Za-z_.$][A-Za-z0-9_.$]*|\d+)\s*:(?!=)/;
const ASSIGN = /^([A-Za-z_.$][A-Za-z0-9_.$]*)(\s*=\s*)(.+)$/;
const HEAD = /^(\S+)(\s*)(.*)$/;

/** Scans one statement (as split by splitStatements) that starts at column `col`. */
export function scanStatement(stmt: string, col: number): Statement {
  let s = stmt.trimEnd();
  let at = col; // column of s[0]
  const skip = (): void => {
    const n = s.length - s.trimStart().length;
    s = s.slice(n);
    at += n;
  };
  skip();
  const start = at;
  const labels: Span[] = [];
  for (;;) {
    const m = LABEL.exec(s);
    if (!m) break;
    labels.push({ text: m[1], start: at, end: at + m[1].length });
    s = s.slice(m[0].length);
    at += m[0].length;
    skip();
  }
  if (s === '') return { start, labels, operands: [] };
  const a = ASSIGN.exec(s);
  if (a && !a[1].startsWith('.')) {
    const v = at + a[1].length + a[2].length;
    const value = a[3].trimEnd();
    return {
      start, labels, operands: [],
      assign: { name: { text: a[1], start: at, end: at + a[1].length }, value: { text: value, start: v, end: v + value.length } },
    };
  }
  const m = HEAD.exec(s)!;
  const op: Span = { text: m[1], start: at, end: at + m[1].length };
  const restCol = at + m[1].length + m[2].length;
  const rest: Span = { text: m[3], start: restCol, end: restCol + m[3].length };
  return { start, labels, op, rest, operands: operandSpans(m[3], restCol) };
}

/** Every statement of one source line (block comments already replaced). */
export function scanLine(line: string): Statement[] {
  return splitStatements(stripLineComment(line)).map(([text, col]) => scanStatement(text, col));
}
