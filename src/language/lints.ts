// The language server's checks on top of the assembler's own diagnostics, all from the
// instruction table and the assembled words:
//  - an unknown mnemonic gets "did you mean" (table mnemonics of the model, pseudo-
//    instructions, the file's macros);
//  - an instruction missing from the selected CPU model names the models that have it;
//  - a branch, jump or eret in a delay slot (the architecture leaves it unpredictable);
//  - CP0 execution hazards of MIPS64 Release 2 in straight-line code without an `ehb`:
//    TLB instructions after an mtc0 to the registers they read, and mfc0 of what
//    tlbp/tlbr wrote.

import { AsmDiagnostic, AsmLine, AssembleResult } from '../emulator/isa/assembler/assembler';
import { CpuModelName, decoderFor, MODEL_ISA } from '../emulator/isa/decoder';
import { DELAY_SLOT, F, InsnSpec, TABLE } from '../emulator/isa/table';
import { PSEUDO_DOCS } from './isa-docs';

/** An assembler diagnostic, or one of the language server's checks (with a code). */
export interface Finding extends AsmDiagnostic {
  code?: string;
}

/** Mnemonics the assembler accepts for a model: table entries (aliases too) and pseudo-instructions. */
export function mnemonicsFor(model: CpuModelName): string[] {
  const isa = MODEL_ISA[model];
  const out = new Set<string>();
  for (const e of TABLE) if (!(e.flags & F.RESERVED) && (e.isa & isa) !== 0 && (e.notOn & isa) === 0) out.add(e.name);
  for (const p of Object.keys(PSEUDO_DOCS)) out.add(p);
  return [...out];
}

/** Models in which some table entry of `name` exists. */
export function modelsWith(name: string): CpuModelName[] {
  return (Object.keys(MODEL_ISA) as CpuModelName[]).filter((m) => TABLE.some((e) => e.name === name && !(e.flags & F.RESERVED)
    && (e.isa & MODEL_ISA[m]) !== 0 && (e.notOn & MODEL_ISA[m]) === 0));
}

/** Optimal string alignment distance (edits, with adjacent transpositions), capped at `max` + 1. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Up to three known names closest to `name` (at most 2 edits, 1 for short names). */
export function suggest(name: string, known: readonly string[]): string[] {
  const max = name.length <= 3 ? 1 : 2;
  return known.map((k) => ({ k, d: editDistance(name, k, max) })).filter((x) => x.d <= max)
    .sort((x, y) => x.d - y.d || x.k.length - y.k.length || (x.k < y.k ? -1 : 1)).slice(0, 3).map((x) => x.k);
}

/** The assembler's diagnostics with the checks' additions and findings. */
export function lint(r: AssembleResult, model: CpuModelName): Finding[] {
  let known: string[] | undefined;
  const out: Finding[] = r.diagnostics.map((d) => {
    let m = /^unknown instruction '([^']+)'$/.exec(d.message);
    if (m) {
      known ??= [...mnemonicsFor(model), ...r.macros.map((x) => x.name)];
      const s = suggest(m[1], known);
      return { ...d, code: 'unknown-mnemonic', message: s.length ? `${d.message}; did you mean ${s.map((x) => `'${x}'`).join(', ')}?` : d.message };
    }
    m = /^instruction '([^']+)' is not available on this CPU/.exec(d.message);
    if (m) {
      const where = modelsWith(m[1]);
      return { ...d, code: 'not-in-model', message: `'${m[1]}' is not an instruction of the selected CPU model (${model})${where.length ? `; it exists on ${where.join(', ')}` : ''}` };
    }
    return d;
  });
  out.push(...mergeHazards(delaySlotChecks(r.lines, model)));
  return out;
}

/** One hazard finding per instruction, naming every register it is exposed to. */
function mergeHazards(fs: Finding[]): Finding[] {
  const out: Finding[] = [];
  const byPlace = new Map<string, { f: Finding; regs: string[] }>();
  for (const f of fs) {
    const m = f.code === 'cp0-hazard' ? /^CP0 hazard: '([^']+)' uses (.+) written by '([^']+)' on line (\d+) without an ehb between them$/.exec(f.message) : null;
    if (!m) { out.push(f); continue; }
    const key = `${f.file}:${f.line}`;
    const seen = byPlace.get(key);
    const reg = `${m[2]} (${m[3]}, line ${m[4]})`;
    if (seen) { seen.regs.push(reg); seen.f.message = `CP0 hazard: '${m[1]}' uses ${seen.regs.join(', ')} without an ehb between them`; continue; }
    const copy = { ...f };
    byPlace.set(key, { f: copy, regs: [reg] });
    out.push(copy);
  }
  return out;
}

const TLB_INPUTS: Record<string, readonly number[]> = {
  // (CP0 register numbers read by each TLB instruction: Index 0, EntryLo0 2, EntryLo1 3, PageMask 5, EntryHi 10)
  tlbwi: [0, 2, 3, 5, 10], tlbwr: [2, 3, 5, 10], tlbp: [10], tlbr: [0],
};
const TLB_OUTPUTS: Record<string, readonly number[]> = { tlbp: [0], tlbr: [2, 3, 5, 10] };
const CP0_NAMES_SHORT: Record<number, string> = { 0: 'Index', 2: 'EntryLo0', 3: 'EntryLo1', 5: 'PageMask', 10: 'EntryHi' };
/** Instructions after which no CP0 execution hazard remains. */
const BARRIERS = new Set(['ehb', 'eret', 'deret', 'jr.hb', 'jalr.hb']);
/** How far (instructions) a hazard is followed in straight-line code. */
const HAZARD_WINDOW = 4;

function delaySlotChecks(lines: readonly AsmLine[], model: CpuModelName): Finding[] {
  const dec = decoderFor(model);
  const out: Finding[] = [];
  const at = (l: AsmLine, message: string, code: string): Finding =>
    ({ file: l.file, line: l.line, column: 1, endColumn: 1, severity: 'warning', message, code });
  const exec: InsnSpec[] = lines.map((l) => dec.decode(l.word));
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i], b = lines[i + 1];
    if (b.addr !== a.addr + 4n) continue;
    const ea = exec[i], eb = exec[i + 1];
    if (ea.flags & DELAY_SLOT) {
      if (eb.flags & DELAY_SLOT) out.push(at(b, `'${eb.name}' in the delay slot of '${ea.name}' (line ${a.line}): a branch or jump in a delay slot is unpredictable`, 'branch-in-delay-slot'));
      else if (eb.name === 'eret' || eb.name === 'deret') out.push(at(b, `'${eb.name}' in the delay slot of '${ea.name}' (line ${a.line}): unpredictable (it has no delay slot of its own and must not be in one)`, 'eret-in-delay-slot'));
    }
    // CP0 hazards: an mtc0 to a TLB input, or tlbp/tlbr, then a reader before any barrier.
    const written = cp0Written(ea, a.word);
    if (written === undefined) continue;
    for (let j = i + 1; j < lines.length && j <= i + HAZARD_WINDOW; j++) {
      if (lines[j].addr !== lines[j - 1].addr + 4n) break;
      const e = exec[j];
      if (BARRIERS.has(e.name)) break;
      const reads = cp0Read(e, lines[j].word);
      const hit = reads.find((r) => written.includes(r));
      if (hit !== undefined) {
        out.push(at(lines[j], `CP0 hazard: '${e.name}' uses ${CP0_NAMES_SHORT[hit] ?? `CP0 register ${hit}`} written by '${ea.name}' on line ${a.line} without an ehb between them`, 'cp0-hazard'));
        break;
      }
      if (e.flags & DELAY_SLOT) break; // control flow leaves the straight line after the slot
    }
  }
  return out;
}

/** CP0 registers (select 0) an instruction writes: mtc0/dmtc0's target, or what tlbp/tlbr write. */
function cp0Written(e: InsnSpec, word: number): readonly number[] | undefined {
  const n = e.canonical.name;
  if ((n === 'mtc0' || n === 'dmtc0') && (word & 7) === 0) return [(word >>> 11) & 31];
  return TLB_OUTPUTS[n];
}

/** CP0 registers an instruction reads that matter here: TLB inputs, or mfc0's source. */
function cp0Read(e: InsnSpec, word: number): readonly number[] {
  const n = e.canonical.name;
  if ((n === 'mfc0' || n === 'dmfc0') && (word & 7) === 0) return [(word >>> 11) & 31];
  return TLB_INPUTS[n] ?? [];
}
