// Hover: what the token under the cursor is. A mnemonic: its description, every operand
// form on the CPU model with operand meanings and bits, the encoding, the ISA subsets,
// and the words this line assembled to (a pseudo-instruction's expansion disassembled). A
// register: number, ABI name and role; a CP0 register: number/select and fields; a
// directive: its help; a symbol: where it is defined and its value; a number: its value.

import { Disassembler } from '../emulator/isa/disassembler';
import { CPU_MODELS } from '../emulator/cpu/cpu-models';
import { Span, Statement } from '../emulator/isa/assembler/source';
import { Analysis } from './analysis';
import { resolveLocal, SymbolDef } from './file-index';
import { describeMnemonic, PSEUDO_DOCS } from './isa-docs';
import { allEntries, encodingPattern, entriesFor, flagNotes, operandLines, subsetNames, syntaxOf } from './isa-info';
import { modelsWith } from './lints';
import { cp0Doc, cp0Markdown, describeCp0, describeDirective, describeFpr, describeGpr } from './names-docs';
import { Project } from './project';
import { CpuModelName } from '../emulator/isa/decoder';

export interface HoverResult { markdown: string; line: number; start: number; end: number }

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

/** The statement and token (op, label or operand) at a column of a line. */
export function tokenAt(stmts: readonly Statement[], ch: number): { st: Statement; span: Span; role: 'op' | 'label' | 'operand' | 'assign'; index: number } | undefined {
  const inside = (s: Span): boolean => ch >= s.start && ch <= s.end;
  for (const st of stmts) {
    for (const l of st.labels) if (inside(l)) return { st, span: l, role: 'label', index: 0 };
    if (st.assign && inside(st.assign.name)) return { st, span: st.assign.name, role: 'assign', index: 0 };
    if (st.assign && inside(st.assign.value)) return { st, span: st.assign.value, role: 'operand', index: 0 };
    if (st.op && inside(st.op)) return { st, span: st.op, role: 'op', index: 0 };
    for (let i = 0; i < st.operands.length; i++) if (inside(st.operands[i])) return { st, span: st.operands[i], role: 'operand', index: i };
  }
  return undefined;
}

/** The word (identifier, register, number) of `text` around offset `at`. */
export function wordAt(text: string, at: number): { word: string; start: number; end: number } | undefined {
  const re = /\$?[A-Za-z0-9_.$]+/g;
  for (const m of text.matchAll(re)) {
    const s = m.index!, e = s + m[0].length;
    if (at >= s && at <= e) return { word: m[0], start: s, end: e };
  }
  return undefined;
}

/** Markdown for a mnemonic on a model, with this line's words when known. */
export function mnemonicMarkdown(name: string, model: CpuModelName, analysis?: Analysis, file?: string, line1?: number): string | undefined {
  const lower = name.toLowerCase();
  const pseudo = PSEUDO_DOCS[lower];
  const entries = entriesFor(lower, model);
  const any = entries.length ? entries : [...allEntries(lower)];
  if (!pseudo && any.length === 0) return undefined;
  const out: string[] = [];
  if (pseudo) out.push(`**${lower}** — ${pseudo.text}`, '', '```mips64-asm', pseudo.syntax, '```');
  else {
    out.push(`**${lower}** — ${describeMnemonic(lower) ?? 'instruction of the MIPS64 table.'}`);
    out.push('', '```mips64-asm', ...any.map(syntaxOf).filter((x, i, a) => a.indexOf(x) === i), '```');
    const e = any[0];
    const ops = operandLines(e);
    if (ops.length) out.push('', 'Operands: ' + ops.join('; '));
    out.push('', `Encoding: \`${encodingPattern(e)}\` (0x${e.match.toString(16).padStart(8, '0')} / mask 0x${e.mask.toString(16).padStart(8, '0')})`);
    const notes = flagNotes(e);
    if (notes.length) out.push('', notes.join(' · '));
    out.push('', `ISA: ${subsetNames(e.isa).join(', ')}`);
    if (entries.length === 0) out.push('', `**Not on the selected CPU model (${model})**; it exists on ${modelsWith(lower).join(', ') || 'no modelled CPU'}.`);
  }
  if (analysis && file && line1 !== undefined) {
    const words = analysis.words.get(file)?.get(line1) ?? [];
    if (words.length) {
      const dis = new Disassembler({ model });
      out.push('', words.length === 1 ? 'This line:' : `This line assembles to ${words.length} instructions:`);
      out.push('```');
      for (const w of words) out.push(`${hex(w.addr)}: ${w.word.toString(16).padStart(8, '0')}  ${dis.text(w.word, w.addr).replace('\t', ' ')}`);
      out.push('```');
    }
  }
  return out.join('\n');
}

/** Hover at a 0-based line and character of `path`. */
export function hover(project: Project, path: string, line: number, ch: number): HoverResult | undefined {
  const ix = project.index(path);
  const stmts = ix?.lines[line];
  if (!ix || !stmts) return undefined;
  const t = tokenAt(stmts, ch);
  if (!t) return undefined;
  const analysis = project.analysis(path) ?? [...project.scope(path)].map((p) => project.analysis(p)).find((a) => a?.words.has(path));
  const model = project.settings.model;
  const cpu = Object.values(CPU_MODELS).find((m) => m.isa === model);
  const at = (md: string | undefined, s: number, e: number): HoverResult | undefined => (md ? { markdown: md, line, start: s, end: e } : undefined);
  if (t.role === 'op') {
    const name = t.span.text.toLowerCase();
    if (name.startsWith('.')) {
      const d = describeDirective(name);
      return at(d ? `**${name}** — ${d}` : undefined, t.span.start, t.span.end);
    }
    const macro = findDef(project, path, t.span.text, line, 'macro');
    if (macro) {
      const am = analysis?.result.macros.find((m) => m.name.toLowerCase() === name);
      return at(`**macro ${macro.def.name}**${am ? `(${am.params.join(', ')})` : ''} — defined at ${shortName(macro.file)}:${macro.def.line + 1}`, t.span.start, t.span.end);
    }
    return at(mnemonicMarkdown(name, model, analysis, path, line + 1), t.span.start, t.span.end);
  }
  if (t.role === 'label' || t.role === 'assign') return at(symbolMarkdown(project, path, t.span.text, line, analysis), t.span.start, t.span.end);
  // An operand: the word under the cursor.
  const w = wordAt(t.span.text, ch - t.span.start);
  if (!w) return undefined;
  const s = t.span.start + w.start, e = t.span.start + w.end;
  const word = w.word;
  const op = t.st.op?.text.toLowerCase() ?? '';
  const gpr = describeGpr(word);
  if (word.startsWith('$') && /^(d?m[ft]c0|mftc0|mttc0)$/.test(op) && t.index === 1) {
    // A CP0 operand written by number: $12 (and a select after it).
    const m = /^\$(\d+)$/.exec(word);
    if (m && Number(m[1]) < 32) {
      const sel = t.st.operands[2] ? Number(t.st.operands[2].text) : 0;
      return at(cp0Markdown(cp0Doc(Number(m[1]), Number.isInteger(sel) && sel >= 0 && sel < 8 ? sel : 0, undefined, cpu)).join('\n'), s, e);
    }
  }
  if (gpr && (word.startsWith('$') || !findDef(project, path, word, line))) {
    return at(`**$${gpr.name}** — general register $${gpr.num}: ${gpr.role}.`, s, e);
  }
  const f = describeFpr(word);
  if (f) return at(`**${word}** — ${f}`, s, e);
  const c0 = describeCp0(word, cpu);
  if (c0) return at(cp0Markdown(c0).join('\n'), s, e);
  if (/^\d+[fb]$/.test(word)) {
    const d = resolveLocal(ix, word, line);
    return at(d ? `local label **${d.name}** (${word.endsWith('f') ? 'forward' : 'backward'}) — line ${d.line + 1}` : `local label ${word}: no ${word.endsWith('f') ? 'following' : 'preceding'} '${word.slice(0, -1)}:'`, s, e);
  }
  if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/.test(word)) {
    const v = BigInt(/^0\d/.test(word) ? '0o' + word.slice(1) : word);
    return at(`\`${word}\` = ${v} = 0x${v.toString(16)}${v < 1n << 32n ? ` = 0b${v.toString(2)}` : ''}`, s, e);
  }
  return at(symbolMarkdown(project, path, word, line, analysis), s, e);
}

function shortName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** A definition of `name` visible from `path` (this file first, then its scope). */
export function findDef(project: Project, path: string, name: string, line: number, kind?: SymbolDef['kind']): { file: string; def: SymbolDef } | undefined {
  if (/^\d+[fb]$/.test(name)) {
    const ix = project.index(path);
    const d = ix && resolveLocal(ix, name, line);
    return d ? { file: path, def: d } : undefined;
  }
  const lower = name.toLowerCase();
  for (const f of project.scope(path)) {
    const d = project.index(f)?.defs.find((x) => x.kind !== 'local' && (kind ? x.kind === kind : true)
      && (x.kind === 'macro' ? x.name.toLowerCase() === lower : x.name === name));
    if (d) return { file: f, def: d };
  }
  return undefined;
}

function symbolMarkdown(project: Project, path: string, name: string, line: number, analysis: Analysis | undefined): string | undefined {
  const d = findDef(project, path, name, line);
  if (!d) return undefined;
  const v = analysis?.values.get(name);
  const kind = d.def.kind === 'constant' ? 'constant' : d.def.kind === 'macro' ? 'macro' : 'label';
  const where = `${d.file === path ? 'line' : `${shortName(d.file)}:`}${d.file === path ? ' ' : ''}${d.def.line + 1}`;
  const value = v === undefined ? '' : kind === 'constant' ? ` = ${BigInt.asIntN(64, v)} (${hex(v)})` : ` at ${hex(v)}`;
  return `${kind} **${name}**${value} — defined ${d.def.kind === 'label' ? `in ${d.def.section}, ` : ''}${where}`;
}
