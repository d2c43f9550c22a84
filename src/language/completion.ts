// Completion and signature help. Where a mnemonic goes: the CPU model's mnemonics from the
// table (aliases and pseudo-instructions too; other models' instructions left out), the
// file's macros and the directives, each with a snippet of its operands. In an operand:
// what the table's operand kind accepts there — general, FPU or CP0 registers, labels and
// `.equ` symbols in scope — and `.set` options. Signature help lists the operand forms of
// the mnemonic with the operand under the cursor highlighted.

import { DIRECTIVES, SET_OPTIONS } from '../emulator/isa/assembler/assembler';
import { commentStart, operandSpans, splitStatements, stripLineComment } from '../emulator/isa/assembler/source';
import { CpuModelName } from '../emulator/isa/decoder';
import { OperandSyntax } from '../emulator/isa/operands';
import { GPR_NAMES } from '../emulator/isa/registers';
import { describeMnemonic, PSEUDO_DOCS } from './isa-docs';
import { entriesFor, syntaxOf, templateParts } from './isa-info';
import { mnemonicsFor } from './lints';
import { cp0Names, describeDirective, describeGpr } from './names-docs';
import { Project } from './project';

export type ItemKind = 'instruction' | 'pseudo' | 'directive' | 'macro' | 'register' | 'cp0' | 'label' | 'constant' | 'option';

export interface Item {
  label: string;
  kind: ItemKind;
  detail?: string;
  documentation?: string;
  /** Snippet text (LSP snippet syntax) when it differs from the label. */
  snippet?: string;
}

/** The statement around a cursor: text before it (after labels), and where the operands start. */
interface Context { before: string; opDone: boolean; op: string; operandIndex: number; prefix: string }

function context(lineText: string, ch: number): Context | undefined {
  if (commentStart(lineText) < ch) return undefined;
  const upto = stripLineComment(lineText.slice(0, ch));
  const stmts = splitStatements(upto);
  const last = stmts.at(-1);
  const prefix = /[$A-Za-z0-9_.]*$/.exec(upto)![0];
  if (!last || upto.endsWith(';')) return { before: '', opDone: false, op: '', operandIndex: 0, prefix };
  // Drop labels.
  let s = last[0];
  for (;;) {
    const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*|\d+)\s*:(?!=)\s*/.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  const head = /^(\S+)(\s+)([\s\S]*)$/.exec(s);
  if (!head) return { before: s, opDone: false, op: '', operandIndex: 0, prefix };
  if (/^"/.test(prefix)) return undefined;
  const rest = head[3];
  if (/"/.test(rest) && (rest.match(/"/g)!.length % 2 === 1)) return undefined; // inside a string
  return { before: s, opDone: true, op: head[1].toLowerCase(), operandIndex: Math.max(0, operandSpans(rest).length - 1), prefix };
}

function mnemonicItems(model: CpuModelName): Item[] {
  const out: Item[] = [];
  for (const name of mnemonicsFor(model)) {
    const pseudo = PSEUDO_DOCS[name];
    if (pseudo) {
      const ops = pseudo.syntax.split(/\s+/).slice(1).join(' ').split(/,\s*/).filter((x) => x !== '');
      out.push({ label: name, kind: 'pseudo', detail: pseudo.syntax, documentation: pseudo.text, snippet: snippet(name, ops) });
      continue;
    }
    const e = entriesFor(name, model)[0];
    out.push({ label: name, kind: 'instruction', detail: syntaxOf(e), documentation: describeMnemonic(name), snippet: snippet(name, templateParts(e)) });
  }
  return out;
}

function snippet(name: string, parts: string[]): string | undefined {
  if (parts.length === 0) return undefined;
  return `${name}\t${parts.map((p, i) => `\${${i + 1}:${p.replace(/[$}\\]/g, (c) => `\\${c}`)}}`).join(', ')}`;
}

const GPR_ITEMS = (): Item[] => GPR_NAMES.map((n, i) => ({ label: `$${n}`, kind: 'register', detail: `$${i}`, documentation: describeGpr(n)!.role }));
const FPR_ITEMS = (): Item[] => Array.from({ length: 32 }, (_, i) => ({ label: `$f${i}`, kind: 'register' as const }));
const CP0_ITEMS = (): Item[] => cp0Names().map((c) => ({ label: c.name, kind: 'cp0', detail: `CP0 register ${c.reg}, select ${c.sel}` }));

/** Labels and constants visible from `path`. */
function symbolItems(project: Project, path: string): Item[] {
  const seen = new Set<string>();
  const out: Item[] = [];
  for (const f of project.scope(path)) {
    for (const d of project.index(f)?.defs ?? []) {
      if (d.kind === 'local' || d.kind === 'macro' || seen.has(d.name)) continue;
      seen.add(d.name);
      out.push({ label: d.name, kind: d.kind === 'constant' ? 'constant' : 'label', detail: `${d.kind} (line ${d.line + 1}${f === path ? '' : ` of ${f.slice(f.lastIndexOf('/') + 1)}`})` });
    }
  }
  return out;
}

function macroItems(project: Project, path: string): Item[] {
  const out: Item[] = [];
  for (const f of project.scope(path)) {
    for (const d of project.index(f)?.defs ?? []) if (d.kind === 'macro') out.push({ label: d.name, kind: 'macro', detail: `macro (line ${d.line + 1})` });
  }
  return out;
}

/** Completion items at a 0-based line/character. */
export function complete(project: Project, path: string, lineText: string, ch: number): Item[] {
  const c = context(lineText, ch);
  if (!c) return [];
  const model = project.settings.model;
  if (!c.opDone) {
    if (c.prefix.startsWith('.')) return DIRECTIVES.map((d) => ({ label: d, kind: 'directive', documentation: describeDirective(d) }));
    return [...mnemonicItems(model), ...macroItems(project, path), ...DIRECTIVES.map((d): Item => ({ label: d, kind: 'directive', documentation: describeDirective(d) }))];
  }
  if (c.op === '.set') return c.operandIndex === 0 ? SET_OPTIONS.map((o) => ({ label: o, kind: 'option' })) : symbolItems(project, path);
  if (c.op.startsWith('.')) return c.op === '.include' || c.op === '.section' ? [] : symbolItems(project, path);
  const kinds = operandSyntaxes(c.op, model, c.operandIndex, c.before);
  const out: Item[] = [];
  if (kinds.has('gpr') || kinds.has('zero')) out.push(...GPR_ITEMS());
  if (kinds.has('fpr')) out.push(...FPR_ITEMS());
  if (kinds.has('cp0') || kinds.has('cp0sel')) out.push(...CP0_ITEMS());
  if (!c.prefix.startsWith('$') && (kinds.has('imm') || kinds.has('target') || kinds.has('jtarget') || kinds.size === 0)) out.push(...symbolItems(project, path));
  if (kinds.size === 0) out.push(...GPR_ITEMS());
  return out;
}

/** Operand syntaxes the mnemonic's entries accept at operand `i` (the register inside `off(base)` when the cursor is in the parentheses). */
function operandSyntaxes(op: string, model: CpuModelName, i: number, before: string): Set<OperandSyntax> {
  const out = new Set<OperandSyntax>();
  const inParens = /\([^)]*$/.test(before);
  if (PSEUDO_DOCS[op]) { out.add(i === 0 ? 'gpr' : 'imm'); return out; }
  for (const e of entriesFor(op, model)) {
    const parts = templateParts(e);
    if (i >= parts.length) continue;
    // The slots of part i: count the slots of the parts before it.
    let slot = 0;
    for (let p = 0; p < i; p++) slot += parts[p].split(/[()[\],]/).filter((x) => x !== '').length;
    const inner = parts[i].split(/[()[\]]/).filter((x) => x !== '');
    const k = e.slots[slot + (inParens && inner.length > 1 ? inner.length - 1 : 0)]?.kind;
    if (k) out.add(k.syntax);
  }
  return out;
}

export interface Signature { label: string; parameters: string[]; documentation?: string }

/** Signature help at a cursor: the operand forms of the mnemonic, and the operand being written. */
export function signatureHelp(project: Project, lineText: string, ch: number): { signatures: Signature[]; activeParameter: number } | undefined {
  const c = context(lineText, ch);
  if (!c || !c.opDone || c.op.startsWith('.')) return undefined;
  const model = project.settings.model;
  const pseudo = PSEUDO_DOCS[c.op];
  if (pseudo) {
    const params = pseudo.syntax.split(/\s+/).slice(1).join(' ').split(/,\s*/).filter((x) => x !== '');
    return { signatures: [{ label: pseudo.syntax, parameters: params, documentation: pseudo.text }], activeParameter: c.operandIndex };
  }
  const entries = entriesFor(c.op, model);
  if (entries.length === 0) return undefined;
  const seen = new Set<string>();
  const signatures: Signature[] = [];
  for (const e of entries) {
    const label = syntaxOf(e);
    if (seen.has(label)) continue;
    seen.add(label);
    signatures.push({ label, parameters: templateParts(e), documentation: describeMnemonic(c.op) });
  }
  return { signatures, activeParameter: c.operandIndex };
}
