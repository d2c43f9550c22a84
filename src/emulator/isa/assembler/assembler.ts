// The MIPS64 assembler (GNU as syntax). It links while it assembles: sections are laid
// out from an origin address, so every expression — including %hi/%lo of labels — is
// resolved to a number and the output is a flat image (raw binary) or a minimal ELF
// with a symbol table. Passes repeat until label addresses stop moving (pseudo
// instructions such as li/dli change size with their operand). Errors never throw:
// they are returned as diagnostics with file:line:column and the column range of the
// offending token. `.include` reads files through the caller's readInclude (the assembler
// itself does no I/O); `.macro`/`.endm` define GNU as macros, expanded at their use.
// Nesting of both is bounded, and a caller may stop a long assembly (shouldStop).

import { CpuModelName, MODEL_ISA } from '../decoder';
import { Isa } from '../table';
import { DELAY_SLOT } from '../table';
import { parseGpr } from '../registers';
import { encodeInstruction, entriesNamed, OperandError, splitOperands } from './encode';
import { AsmInputError, ExprEnv, ExprError, evaluate, unescapeChar } from './expr';
import { absMacro, loadAddress, loadConstant, Stmt, wideShift } from './macros';
import { scanLine, scanStatement, Span, splitStatements, Statement, stripBlockComments, stripLineComment } from './source';

export interface AsmDiagnostic {
  file: string;
  line: number;   // 1-based
  column: number; // 1-based
  /** End of the offending token (1-based, exclusive); column + 1 at least. */
  endColumn: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface AsmSection {
  name: string;
  addr: bigint;
  bytes: Uint8Array;
  /** Size in memory (differs from bytes.length for .bss). */
  size: number;
  nobits: boolean;
  executable: boolean;
  writable: boolean;
  align: number;
}

export interface AsmSymbol { name: string; value: bigint; section: string; global: boolean; size: number; type: 'func' | 'object' | 'notype' }

/** An instruction word with the source line (file and 1-based line) that produced it. */
export interface AsmLine { addr: bigint; word: number; line: number; file: string }

/** A file read for `.include`: its resolved name and text, or why it cannot be read. */
export type IncludeResult = { file: string; text: string } | { error: string };

/** A `.macro` definition. */
export interface AsmMacro { name: string; params: string[]; file: string; line: number; column: number }

export interface AssembleOptions {
  fileName?: string;
  /** Address of the first section (default 0). */
  origin?: bigint;
  model?: CpuModelName;
  endian?: 'little' | 'big';
  /** Reads the file of `.include "name"` written in `fromFile` (no includes without it). */
  readInclude?: (name: string, fromFile: string) => IncludeResult;
  /** Polled every few hundred statements: true stops the assembly with an error. */
  shouldStop?: () => boolean;
  /**
   * The layout of an earlier assembly of (nearly) the same source: the passes start from
   * its symbol values and section bases, so an unchanged layout settles in one pass.
   */
  layout?: AsmLayout;
}

/** Symbol values, numeric local label values and section bases an assembly settled on. */
export interface AsmLayout {
  readonly values: ReadonlyMap<string, bigint>;
  readonly locals: ReadonlyMap<number, readonly bigint[]>;
  readonly bases: ReadonlyMap<string, bigint>;
  /** The assembly had no errors (its final pass then lays out exactly as the settled passes). */
  readonly clean: boolean;
}

export interface AssembleResult {
  ok: boolean;
  diagnostics: AsmDiagnostic[];
  sections: AsmSection[];
  symbols: AsmSymbol[];
  entry: bigint;
  /** Instruction words with the source line that produced them. */
  lines: AsmLine[];
  /** Files read by `.include` (resolved names), in the order they were first read. */
  includes: string[];
  /** Macros defined with `.macro`. */
  macros: AsmMacro[];
  /** What the passes settled on (AssembleOptions.layout of a later assembly). */
  layout: AsmLayout;
}

interface Section {
  name: string; data: ByteBuf; loc: number; align: number; nobits: boolean; exec: boolean; write: boolean;
  base: bigint;
}

interface SourceLine {
  text: string; line: number; file: string;
  /** Consumed before the passes: a `.macro` … `.endm` body, or an `.include` line. */
  skip?: boolean;
  /** The line's statements, scanned by the first pass. */
  stmts?: Statement[];
}

interface MacroDef extends AsmMacro { defaults: Array<string | undefined>; required: boolean[]; vararg: boolean; body: SourceLine[] }

const MAX_PASSES = 12;
/** Bounds on hostile input: nested `.include`s, included lines, macro nesting and expansion. */
const MAX_INCLUDE_DEPTH = 32;
const MAX_SOURCE_LINES = 2_000_000;
const MAX_MACRO_DEPTH = 100;
const MAX_MACRO_STATEMENTS = 1_000_000;

/** Stops an assembly from inside (shouldStop, limits): reported once, the pass abandoned. */
class AssemblyStopped extends Error {}

/** Every directive the assembler accepts (the cases of Assembler.directive), for editors. */
export const DIRECTIVES: readonly string[] = [
  '.text', '.data', '.bss', '.rodata', '.section', '.previous', '.globl', '.global', '.local', '.weak', '.hidden',
  '.protected', '.extern', '.type', '.size', '.ent', '.end', '.frame', '.mask', '.fmask', '.file', '.loc', '.ident',
  '.gnu_attribute', '.module', '.abicalls', '.option', '.nan', '.insn', '.cpload', '.cprestore', '.cpsetup',
  '.cpreturn', '.aent', '.mdebug', '.addrsig', '.addrsig_sym', '.include', '.macro', '.endm', '.entry', '.set',
  '.equ', '.equiv', '.org', '.align', '.p2align', '.balign', '.space', '.skip', '.zero', '.byte', '.half', '.hword',
  '.short', '.word', '.int', '.long', '.dword', '.quad', '.8byte', '.ascii', '.asciz', '.string',
];

/** Options of `.set` the assembler accepts (besides `.set name, value` and `arch=`/ISA names). */
export const SET_OPTIONS: readonly string[] = [
  'noreorder', 'reorder', 'noat', 'at', 'push', 'pop', 'macro', 'nomacro', 'volatile', 'novolatile', 'nomips16',
  'nomicromips', 'hardfloat', 'softfloat', 'nodsp', 'nomt', 'nomsa', 'novirt', 'gp=64', 'fp=64', 'fp=32', 'oddspreg',
  'nooddspreg', 'mips0', 'dsp', 'dspr2', 'mt', 'msa', 'virt', 'mips3d', 'mips64r2', 'mips32r2', 'mips64', 'mips3',
  'mips4', 'mips5', 'octeon', 'octeon+', 'octeon2', 'octeon3', 'arch=octeon', 'arch=octeon2', 'arch=octeon3', 'arch=mips64r2',
];

export function assemble(source: string, opts: AssembleOptions = {}): AssembleResult {
  return new Assembler(source, opts).run();
}

class Assembler {
  private readonly file: string;
  private readonly origin: bigint;
  private readonly big: boolean;
  private readonly lines: SourceLine[] = [];
  private readonly opts: AssembleOptions;
  private readonly includes: string[] = [];
  private readonly macroDefs = new Map<string, MacroDef>();
  /** Problems found while reading the source (includes, macro definitions): reported by the final pass. */
  private readonly sourceDiags: AsmDiagnostic[] = [];
  private macroDepth = 0;
  /** The outermost macro use being expanded (where errors inside it are reported). */
  private macroSite: { line: number; file: string; span: [number, number]; name: string } | undefined;
  private macroStatements = 0;
  private macroCounter = 0;
  private stopped: string | undefined;
  private statementsRun = 0;
  private curFile = '';
  // Per pass state
  private sections = new Map<string, Section>();
  private cur!: Section;
  private diags: AsmDiagnostic[] = [];
  private symbols = new Map<string, { section: string; offset: number } | { abs: bigint }>();
  private prevValues = new Map<string, bigint>();
  private globals = new Set<string>();
  private types = new Map<string, 'func' | 'object'>();
  private sizes = new Map<string, number>();
  private locals = new Map<number, Array<{ section: string; offset: number }>>();
  private prevLocals = new Map<number, bigint[]>();
  private localSeen = new Map<number, number>();
  private reorder = true;
  private at = true;
  private isa: number;
  private readonly baseIsa: number;
  private setStack: Array<{ reorder: boolean; at: boolean; isa: number }> = [];
  private final = false;
  private listing: AsmLine[] = [];
  private curLine = 0;
  /** Columns [start, end) (1-based) of the current statement's mnemonic or directive. */
  private curSpan: [number, number] = [1, 2];
  /** Columns of the current statement's operands. */
  private operandSpans: Array<[number, number]> = [];
  private sectionOrder: string[] = [];
  private entrySym = 'start';

  constructor(source: string, opts: AssembleOptions) {
    this.file = opts.fileName ?? '<input>';
    this.origin = opts.origin ?? 0n;
    this.big = opts.endian === 'big';
    this.baseIsa = MODEL_ISA[opts.model ?? 'mips64r2'];
    this.isa = this.baseIsa;
    this.opts = opts;
    this.readSource(source, this.file, 0, undefined);
  }

  // ---- source: includes and macro definitions ----------------------------------------

  /** Appends the lines of one file, reading its `.include`s in place and setting aside `.macro` bodies. */
  private readSource(source: string, file: string, depth: number, from: SourceLine | undefined): void {
    const texts = stripBlockComments(source).split('\n');
    let macro: MacroDef | undefined;
    for (let i = 0; i < texts.length; i++) {
      if (this.lines.length >= MAX_SOURCE_LINES) {
        this.sourceProblem(from ?? { text: '', line: i + 1, file }, [1, 2], `source too large: more than ${MAX_SOURCE_LINES} lines with its includes`);
        return;
      }
      const l: SourceLine = { text: texts[i], line: i + 1, file };
      this.lines.push(l);
      const stmts = texts[i].includes('.') ? scanLine(texts[i]) : [];
      const op = stmts.length === 1 ? stmts[0].op : undefined;
      const name = op?.text.toLowerCase();
      if (macro) {
        l.skip = true;
        if (name === '.endm') { macro = undefined; continue; }
        if (name === '.macro') this.sourceProblem(l, span1(op!), 'nested .macro definitions are not supported');
        macro.body.push(l);
        continue;
      }
      if (name === '.macro') {
        l.skip = true;
        macro = this.defineMacro(l, stmts[0]);
      } else if (name === '.include') {
        l.skip = true;
        this.include(l, stmts[0], depth);
      }
    }
    if (macro) this.sourceProblem(this.lines.find((x) => x.file === macro!.file && x.line === macro!.line)!, [macro.column, macro.column + 6], `.macro ${macro.name} has no .endm`);
  }

  private include(l: SourceLine, st: ReturnType<typeof scanStatement>, depth: number): void {
    const arg = st.operands[0];
    const at = arg ? span1(arg) : span1(st.op!);
    const name = arg?.text.startsWith('"') && arg.text.endsWith('"') && arg.text.length >= 2 ? arg.text.slice(1, -1) : undefined;
    if (name === undefined || name === '') { this.sourceProblem(l, at, '.include needs a file name in double quotes'); return; }
    if (depth >= MAX_INCLUDE_DEPTH) { this.sourceProblem(l, at, `.include nested more than ${MAX_INCLUDE_DEPTH} deep (does '${name}' include itself?)`); return; }
    const r = this.opts.readInclude?.(name, l.file) ?? { error: 'includes are not available here' };
    if ('error' in r) { this.sourceProblem(l, at, `cannot include '${name}': ${r.error}`); return; }
    if (!this.includes.includes(r.file)) this.includes.push(r.file);
    this.readSource(r.text, r.file, depth + 1, l);
  }

  private defineMacro(l: SourceLine, st: ReturnType<typeof scanStatement>): MacroDef | undefined {
    // `.macro name a, b=1, c:req, d:vararg` (parameters separated by commas or blanks).
    const words = (st.rest?.text ?? '').split(/[\s,]+/).filter((w) => w !== '');
    const name = words.shift();
    const def: MacroDef = {
      name: name ?? '', params: [], defaults: [], required: [], vararg: false, body: [],
      file: l.file, line: l.line, column: st.op!.start + 1,
    };
    if (!name || !/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(name)) {
      this.sourceProblem(l, span1(st.op!), '.macro needs a name');
      return def; // its body is still set aside up to .endm
    }
    for (const w of words) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::(req|vararg))?(?:=(.*))?$/.exec(w);
      if (!m) { this.sourceProblem(l, span1(st.rest!), `bad macro parameter '${w}'`); continue; }
      def.params.push(m[1]);
      def.required.push(m[2] === 'req');
      def.defaults.push(m[3]);
      if (m[2] === 'vararg') def.vararg = true;
    }
    if (this.macroDefs.has(name.toLowerCase())) this.sourceProblem(l, span1(st.op!), `macro '${name}' is already defined`);
    else this.macroDefs.set(name.toLowerCase(), def);
    return def;
  }

  private sourceProblem(l: SourceLine, [column, endColumn]: [number, number], message: string): void {
    this.sourceDiags.push({ file: l.file, line: l.line, column, endColumn, message, severity: 'error' });
  }

  run(): AssembleResult {
    let stable = false;
    const seed = this.opts.layout;
    if (seed) {
      this.prevValues = new Map(seed.values);
      this.prevLocals = new Map([...seed.locals].map(([k, v]) => [k, [...v]]));
      this.prevBases = new Map(seed.bases);
    }
    // With a seed from an assembly without errors the first pass runs as the final one: when
    // the layout it computes is the seed's, its output (words, diagnostics) is the result.
    // (An error can change a statement's size in the final pass only: no shortcut then.)
    this.final = seed?.clean === true;
    let done = false;
    for (let pass = 0; pass < MAX_PASSES && !stable && this.stopped === undefined; pass++) {
      const bases = this.prevBases;
      this.onePass();
      const values = this.symbolValues();
      const localVals = this.localValues();
      // Settled when a pass computed from the previous values reproduces them (a seed counts).
      stable = (pass > 0 || seed !== undefined) && sameMap(values, this.prevValues) && sameLocals(localVals, this.prevLocals)
        && sameMap(bases, this.prevBases);
      this.prevValues = values;
      this.prevLocals = localVals;
      done = stable && this.final;
      this.final = false;
    }
    this.final = true;
    if (this.stopped === undefined && !done) this.onePass();
    if (this.stopped !== undefined) this.diags.push({ ...this.stopAt, message: this.stopped, severity: 'error' });
    this.diags.unshift(...this.sourceDiags);
    const ok = !this.diags.some((d) => d.severity === 'error');
    return {
      ok, diagnostics: this.diags, sections: this.outputSections(), symbols: this.outputSymbols(),
      entry: this.prevValues.get(this.entrySym) ?? this.prevValues.get('_start') ?? this.origin,
      lines: this.listing, includes: this.includes,
      layout: { values: this.prevValues, locals: this.prevLocals, bases: this.prevBases, clean: ok },
      macros: [...this.macroDefs.values()].map(({ name, params, file, line, column }) => ({ name, params, file, line, column })),
    };
  }

  private stopAt: { file: string; line: number; column: number; endColumn: number } = { file: '', line: 1, column: 1, endColumn: 2 };

  /** Stops the assembly (from any depth): the rest of the pass and further passes are skipped. */
  private stop(message: string): never {
    this.stopped ??= message;
    this.stopAt = { file: this.curFile, line: this.curLine, column: this.curSpan[0], endColumn: this.curSpan[1] };
    throw new AssemblyStopped(message);
  }

  // ---- pass driver ----------------------------------------------------------------

  private onePass(): void {
    this.sections = new Map();
    this.sectionOrder = [];
    this.symbols = new Map();
    this.globals = new Set();
    this.locals = new Map();
    this.localSeen = new Map();
    this.diags = [];
    this.listing = [];
    this.reorder = true;
    this.at = true;
    this.isa = this.baseIsa;
    this.setStack = [];
    this.switchSection('.text');
    this.layoutFromPrevious();
    this.macroStatements = 0;
    this.macroCounter = 0;
    try {
      for (const l of this.lines) {
        if (l.skip) continue;
        // (A source line is scanned once, in the first pass.)
        l.stmts ??= splitStatements(stripLineComment(l.text)).map(([text, col]) => scanStatement(text, col));
        this.runStatements(l.stmts, l.line, l.file);
      }
    } catch (e) {
      if (!(e instanceof AssemblyStopped)) throw e;
    }
  }

  /** Assembles the statements of one line of a macro expansion. */
  private runLine(text: string, line: number, file: string): void {
    this.runStatements(splitStatements(stripLineComment(text)).map(([t, col]) => scanStatement(t, col)), line, file);
  }

  /** Assembles the scanned statements of one line. */
  private runStatements(stmts: readonly Statement[], line: number, file: string): void {
    this.curLine = line;
    this.curFile = file;
    for (const st of stmts) {
      if ((++this.statementsRun & 255) === 0 && this.opts.shouldStop?.()) this.stop('assembly stopped: it took too long');
      this.curSpan = [st.start + 1, st.start + 2];
      this.operandSpans = [];
      try {
        this.statement(st);
      } catch (e) {
        if (e instanceof OperandError || e instanceof ExprError || e instanceof AsmError) {
          const op = (e as { operand?: number }).operand;
          this.error(e.message, op === undefined ? undefined : this.operandSpans[op]);
        } else throw e;
      }
    }
  }

  /** Section base addresses are taken from the previous pass's sizes. */
  private prevBases = new Map<string, bigint>();
  private layoutFromPrevious(): void {
    for (const s of this.sections.values()) s.base = this.prevBases.get(s.name) ?? this.origin;
  }

  private computeBases(): Map<string, bigint> {
    const bases = new Map<string, bigint>();
    let addr = this.origin;
    for (const name of this.sectionOrder) {
      const s = this.sections.get(name)!;
      const align = BigInt(Math.max(s.align, name === this.sectionOrder[0] ? 1 : 16));
      addr = (addr + align - 1n) / align * align;
      bases.set(name, addr);
      addr += BigInt(s.loc);
    }
    return bases;
  }

  private symbolValues(): Map<string, bigint> {
    this.prevBases = this.computeBases();
    const out = new Map<string, bigint>();
    for (const [name, def] of this.symbols) {
      out.set(name, 'abs' in def ? def.abs : this.prevBases.get(def.section)! + BigInt(def.offset));
    }
    return out;
  }

  private localValues(): Map<number, bigint[]> {
    const out = new Map<number, bigint[]>();
    for (const [n, defs] of this.locals) out.set(n, defs.map((d) => this.prevBases.get(d.section)! + BigInt(d.offset)));
    return out;
  }

  private get dot(): bigint {
    return (this.prevBases.get(this.cur.name) ?? this.origin) + BigInt(this.cur.loc);
  }

  /** The expression environment at the current location (one object: `dot` and `lenient` are read when used). */
  private readonly envObj: ExprEnv = ((self: Assembler): ExprEnv => ({
    get dot() { return self.dot; },
    get lenient() { return !self.final; },
    symbol: (name) => {
      const d = self.symbols.get(name);
      if (d && 'abs' in d) return d.abs;
      return self.prevValues.get(name);
    },
    local: (n, forward) => {
      const vals = self.prevLocals.get(n);
      if (!vals) return undefined;
      const seen = self.localSeen.get(n) ?? 0; // definitions already passed
      return forward ? vals[seen] : vals[seen - 1];
    },
  }))(this);

  private env(): ExprEnv {
    return this.envObj;
  }

  // ---- statements -----------------------------------------------------------------

  private statement(st: ReturnType<typeof scanStatement>): void {
    for (const l of st.labels) {
      this.curSpan = span1(l);
      this.defineLabel(l.text);
    }
    if (st.assign) {
      this.curSpan = span1(st.assign.name);
      this.operandSpans = [span1(st.assign.value)];
      atOperand(0, () => this.defineAbs(st.assign!.name.text, st.assign!.value.text));
      return;
    }
    if (!st.op) return;
    const name = st.op.text.toLowerCase();
    const rest = st.rest!.text;
    this.curSpan = span1(st.op);
    this.operandSpans = st.operands.map(span1);
    if (name.startsWith('.')) this.directive(name, rest);
    else if (this.macroDefs.has(name)) this.expandUserMacro(this.macroDefs.get(name)!, st);
    else this.instruction(name, rest === '' ? [] : splitOperands(rest), true);
  }

  /** Runs the body of a `.macro` with its parameters replaced by the written arguments. */
  private expandUserMacro(def: MacroDef, st: ReturnType<typeof scanStatement>): void {
    if (this.macroDepth >= MAX_MACRO_DEPTH) throw new AsmError(`macro '${def.name}' nested more than ${MAX_MACRO_DEPTH} deep (recursive macro?)`);
    const args = st.operands.map((o) => o.text);
    if (args.length > def.params.length && !def.vararg) throw new AsmError(`too many arguments for macro '${def.name}' (it takes ${def.params.length})`);
    const values = new Map<string, string>();
    def.params.forEach((p, i) => {
      let v: string | undefined = def.vararg && i === def.params.length - 1 ? args.slice(i).join(', ') : args[i];
      if (v === undefined || v === '') v = def.defaults[i];
      if (v === undefined && def.required[i]) throw new AsmError(`macro '${def.name}' needs a value for '${p}'`);
      values.set(p, v ?? '');
    });
    const counter = String(this.macroCounter++);
    const at = { line: this.curLine, file: this.curFile, span: this.curSpan, name: def.name };
    const outer = this.macroSite;
    this.macroSite ??= at; // errors anywhere inside are reported at the outermost use
    this.macroDepth++;
    try {
      for (const b of def.body) {
        if (++this.macroStatements > MAX_MACRO_STATEMENTS) this.stop(`macro expansion exceeds ${MAX_MACRO_STATEMENTS} statements (recursive macro?)`);
        const text = b.text.replace(/\\(@|\(\)|[A-Za-z_][A-Za-z0-9_]*)/g, (m, p: string) =>
          p === '@' ? counter : p === '()' ? '' : values.get(p) ?? m);
        if (/^\s*\.exitm\b/i.test(text)) break;
        // Errors inside the expansion are reported at the macro's use.
        this.runLine(text, at.line, at.file);
        this.curLine = at.line;
        this.curFile = at.file;
        this.curSpan = at.span;
      }
    } finally {
      this.macroDepth--;
      this.macroSite = outer;
    }
  }

  private defineLabel(name: string): void {
    if (/^\d+$/.test(name)) {
      const n = Number(name);
      let l = this.locals.get(n);
      if (!l) { l = []; this.locals.set(n, l); }
      l.push({ section: this.cur.name, offset: this.cur.loc });
      this.localSeen.set(n, (this.localSeen.get(n) ?? 0) + 1);
      return;
    }
    if (this.symbols.has(name)) throw new AsmError(`symbol '${name}' is already defined`);
    this.symbols.set(name, { section: this.cur.name, offset: this.cur.loc });
  }

  private defineAbs(name: string, expr: string): void {
    const v = evaluate(expr, this.env()).value;
    this.symbols.set(name, { abs: v });
  }

  private directive(name: string, rest: string): void {
    const args = rest === '' ? [] : splitOperands(rest);
    switch (name) {
      case '.text': case '.data': case '.bss': case '.rodata':
        this.switchSection(name); return;
      case '.section': {
        const sec = args[0]?.replace(/^"|"$/g, '');
        if (!sec) throw new AsmError('.section needs a name');
        this.switchSection(sec, args.slice(1)); return;
      }
      case '.previous': return;
      case '.globl': case '.global':
        for (const a of args) this.globals.add(a.trim()); return;
      case '.local': case '.weak': case '.hidden': case '.protected': case '.extern':
        return;
      case '.type': {
        if (args.length >= 2) {
          const t = args[1].replace(/^[@%"]/, '').replace(/"$/, '');
          if (t === 'function') this.types.set(args[0], 'func');
          else if (t === 'object') this.types.set(args[0], 'object');
        }
        return;
      }
      case '.size':
        if (args.length >= 2 && this.final) this.sizes.set(args[0], Number(this.absExpr(args[1])));
        return;
      case '.ent': case '.end': case '.frame': case '.mask': case '.fmask': case '.file': case '.loc':
      case '.ident': case '.gnu_attribute': case '.module': case '.abicalls': case '.option': case '.nan':
      case '.insn': case '.cpload': case '.cprestore': case '.cpsetup': case '.cpreturn': case '.aent':
      case '.mdebug': case '.addrsig': case '.addrsig_sym': case '.include': case '.macro': case '.endm':
        return;
      case '.entry': if (args[0]) this.entrySym = args[0]; return;
      case '.set': this.set(args); return;
      case '.equ': case '.equiv': {
        if (args.length !== 2) throw new AsmError(`${name} needs a name and a value`);
        this.defineAbs(args[0], args[1]); return;
      }
      case '.org': {
        // .org is relative to the start of the current section, as in GNU as.
        const v = this.absExpr(args[0]);
        const rel = Number(v);
        if (v < 0n || v > 1n << 28n) throw new AsmError(`.org 0x${v.toString(16)} out of range`);
        if (rel < this.cur.loc) throw new AsmError(`.org 0x${v.toString(16)} moves the location counter backwards`);
        this.fill(rel - this.cur.loc, Number(args[1] ? this.absExpr(args[1]) : 0n));
        return;
      }
      case '.align': case '.p2align': {
        const p = this.absExpr(args[0] ?? '0');
        if (p < 0n || p > 16n) throw new AsmError(`alignment 2**${p} out of range (0..16)`);
        this.alignTo(1 << Number(p), args[1]); return;
      }
      case '.balign': {
        const b = this.absExpr(args[0] ?? '1');
        if (b < 0n || b > BigInt(MAX_ALIGN)) throw new AsmError(`alignment ${b} out of range (1..${MAX_ALIGN})`);
        this.alignTo(Number(b), args[1]); return;
      }
      case '.space': case '.skip': case '.zero': {
        const n = Number(this.absExpr(args[0] ?? '0'));
        if (n < 0 || n > 1 << 28) throw new AsmError(`${name} size ${n} out of range`);
        this.fill(n, Number(args[1] ? this.absExpr(args[1]) : 0n)); return;
      }
      case '.byte': this.data(args, 1, false); return;
      case '.half': case '.hword': case '.short': this.data(args, 2, true); return;
      case '.word': case '.int': case '.long': this.data(args, 4, true); return;
      case '.dword': case '.quad': case '.8byte': this.data(args, 8, true); return;
      case '.ascii': args.forEach((a, i) => this.bytes(atOperand(i, () => parseString(a)))); return;
      case '.asciz': case '.string': args.forEach((a, i) => { this.bytes(atOperand(i, () => parseString(a))); this.bytes([0]); }); return;
      default:
        throw new AsmError(`unknown directive '${name}'`);
    }
  }

  private set(args: string[]): void {
    const a = (args[0] ?? '').trim();
    if (args.length >= 2 && /^[A-Za-z_$][\w.$]*$/.test(a) && !/^(mips|arch)/.test(a)) { this.defineAbs(a, args[1]); return; }
    switch (a) {
      case 'noreorder': this.reorder = false; return;
      case 'reorder': this.reorder = true; return;
      case 'noat': this.at = false; return;
      case 'at': this.at = true; return;
      case 'push': this.setStack.push({ reorder: this.reorder, at: this.at, isa: this.isa }); return;
      case 'pop': {
        const s = this.setStack.pop();
        if (!s) throw new AsmError('.set pop without .set push');
        ({ reorder: this.reorder, at: this.at, isa: this.isa } = s); return;
      }
      case 'macro': case 'nomacro': case 'volatile': case 'novolatile': case 'nomips16': case 'nomicromips':
      case 'hardfloat': case 'softfloat': case 'nodsp': case 'nomt': case 'nomsa': case 'novirt': case 'gp=64':
      case 'fp=64': case 'fp=32': case 'oddspreg': case 'nooddspreg': case 'mips0':
        return;
      case 'dsp': case 'dspr2': this.isa |= Isa.DSP; return;
      case 'mt': this.isa |= Isa.MT; return;
      case 'msa': this.isa |= Isa.MSA; return;
      case 'virt': this.isa |= Isa.VIRT; return;
      case 'mips3d': this.isa |= Isa.MIPS3D; return;
    }
    const arch = /^(?:arch=)?(mips64r2|mips32r2|mips64|mips3|mips4|mips5|octeon|octeon\+|octeon2|octeon3|5kc|5kf|mips1|mips2|mips32)$/.exec(a);
    if (arch) {
      const n = arch[1];
      this.isa = n === 'octeon' || n === 'octeon+' ? MODEL_ISA.octeon : n === 'octeon2' ? MODEL_ISA.octeon2
        : n === 'octeon3' ? MODEL_ISA.octeon3 : this.baseIsa & ~(Isa.OCTEON | Isa.OCTEON2 | Isa.OCTEON3) | Isa.BASE;
      return;
    }
    throw new AsmError(`unknown .set option '${a}'`);
  }

  // ---- instructions ---------------------------------------------------------------

  private instruction(name: string, ops: string[], user: boolean): void {
    const expanded = this.expandMacro(name, ops);
    if (expanded) {
      // A one-instruction expansion (`j $3` → `jr $3`) gets its delay slot filled like the
      // instruction itself; multi-instruction macros (abs) manage their own slots.
      for (const [n, o] of expanded) {
        try {
          this.instruction(n, o, user && expanded.length === 1);
        } catch (e) {
          // Point at the written operand when the expansion copied it verbatim.
          if (e instanceof OperandError && e.operand !== undefined) {
            const i = ops.findIndex((x) => x.trim() === (o[e.operand!] ?? '').trim());
            e.operand = i >= 0 ? i : undefined;
          }
          throw e;
        }
      }
      return;
    }
    this.alignTo(4);
    let encoded: ReturnType<typeof encodeInstruction>;
    try {
      encoded = encodeInstruction(name, ops, { pc: this.dot, env: this.env(), isa: this.isa });
    } catch (e) {
      // Keep the layout of a failing instruction (a placeholder and its delay slot) so that
      // the addresses in later messages are those of the intended program.
      this.emitWord(0);
      if (user && this.reorder && ((entriesNamed(name)?.[0]?.flags ?? 0) & DELAY_SLOT)) this.emitWord(0);
      throw e;
    }
    this.emitWord(encoded.word);
    if (user && this.reorder && (encoded.entry.flags & DELAY_SLOT)) this.emitWord(0);
  }

  private emitWord(word: number): void {
    this.listing.push({ addr: this.dot, word, line: this.curLine, file: this.curFile });
    const b = [word >>> 24, (word >>> 16) & 255, (word >>> 8) & 255, word & 255];
    this.bytes(this.big ? b : b.reverse());
  }

  private expandMacro(name: string, ops: string[]): Stmt[] | undefined {
    switch (name) {
      case 'li': case 'dli': {
        if (ops.length !== 2) throw new AsmError(`${name} needs a register and a value`);
        return atOperand(1, () => {
          const v = this.absExpr(ops[1]);
          try { return loadConstant(ops[0], v, name === 'dli'); } catch (e) { throw new AsmError((e as Error).message); }
        });
      }
      case 'la': case 'dla': {
        if (ops.length !== 2) throw new AsmError(`${name} needs a register and an address`);
        const m = /^(.*)\((\$?\w+)\)$/.exec(ops[1].trim());
        if (m) {
          // la $r, off($base): address arithmetic
          return [['daddiu', [ops[0], m[2], m[1].trim() === '' ? '0' : m[1]]]];
        }
        // Report a bad address expression here, at its operand, rather than inside the expansion.
        if (this.final) atOperand(1, () => evaluate(ops[1], this.env()));
        if (this.isConstant(ops[1])) {
          // GNU as: a 16-bit constant is one (d)addiu from $zero, anything else a dli sequence.
          const v = this.absExpr(ops[1]);
          if (v >= -0x8000n && v < 0x8000n) return [['daddiu', [ops[0], '$0', String(v)]]];
          return loadConstant(ops[0], v, true);
        }
        return loadAddress(ops[0], ops[1], this.at);
      }
      case 'not': if (ops.length === 2) return [['nor', [ops[0], ops[1], '$0']]]; return undefined;
      case 'abs': case 'dabs':
        if (ops.length === 2) return absMacro(name, ops[0], ops[1]);
        if (ops.length === 1) return absMacro(name, ops[0], ops[0]);
        return undefined;
      case 'neg': case 'negu': case 'dneg': case 'dnegu':
        if (ops.length === 1) return [[name, [ops[0], ops[0]]]];
        return undefined;
      case 'dsll': case 'dsrl': case 'dsra': case 'drotr': case 'dror': {
        if (ops.length !== 3 || /^\$/.test(ops[2].trim())) return undefined;
        return wideShift(name, ops, this.absExpr(ops[2]));
      }
      case 'teq': case 'tne': case 'tge': case 'tgeu': case 'tlt': case 'tltu':
        // GNU as: a trap against an immediate is the immediate form (teq $8, 1 → teqi $8, 1).
        if (ops.length === 2 && !/^\$/.test(ops[1].trim()) && parseGpr(ops[1].trim()) === undefined) return [[`${name}i`, ops]];
        return undefined;
      case 'j': case 'jal':
        if (ops.length === 1 && /^\$/.test(ops[0].trim())) return [[name === 'j' ? 'jr' : 'jalr', ops]];
        return undefined;
      default:
        return undefined;
    }
  }

  private isConstant(expr: string): boolean {
    // (Lenient, noting what is not an absolute symbol: no exception for every label.)
    let constant = true;
    try {
      evaluate(expr, {
        ...this.env(), lenient: true,
        symbol: (n) => { const d = this.symbols.get(n); if (d && 'abs' in d) return d.abs; constant = false; return 0n; },
        local: () => { constant = false; return 0n; },
      });
      return constant;
    } catch {
      return false;
    }
  }

  private absExpr(expr: string | undefined): bigint {
    if (expr === undefined || expr.trim() === '') throw new AsmError('missing expression');
    return evaluate(expr, this.env()).value;
  }

  // ---- data -----------------------------------------------------------------------

  private data(args: string[], size: number, autoAlign: boolean): void {
    if (autoAlign) this.alignTo(size);
    let failure: unknown;
    for (const [i, a] of args.entries()) {
      let v = 0n;
      try {
        v = BigInt.asUintN(64, atOperand(i, () => evaluate(a, this.env())).value);
      } catch (e) {
        failure ??= e; // report the first bad value, but keep the data's size
      }
      if (size < 8) {
        const lim = 1n << BigInt(size * 8);
        const sv = BigInt.asIntN(64, v);
        if (this.final && (sv >= lim || sv < -(lim >> 1n))) this.warn(`value 0x${v.toString(16)} truncated to ${size} bytes`, this.operandSpans[i]);
      }
      const b: number[] = [];
      for (let i = 0; i < size; i++) b.push(Number((v >> BigInt(8 * i)) & 0xffn));
      this.bytes(this.big ? b.reverse() : b);
    }
    if (failure) throw failure;
  }

  private bytes(b: number[]): void {
    const s = this.cur;
    if (s.nobits) {
      if (b.some((x) => x !== 0)) throw new AsmError(`non-zero data in ${s.name}`);
      this.grow(b.length);
      return;
    }
    this.grow(b.length);
    s.data.push(b);
  }

  private fill(n: number, value: number): void {
    if (n <= 0) return;
    const s = this.cur;
    if (s.nobits && (value & 0xff) !== 0) throw new AsmError(`non-zero data in ${s.name}`);
    this.grow(n);
    if (!s.nobits) s.data.fill(n, value & 0xff);
  }

  /** Advances the location counter of the current section by n bytes (size limit checked). */
  private grow(n: number): void {
    const s = this.cur;
    const limit = s.nobits ? MAX_NOBITS_BYTES : MAX_SECTION_BYTES;
    if (s.loc + n > limit) throw new AsmError(`section ${s.name} would exceed ${limit / (1 << 20)} MiB`);
    s.loc += n;
  }

  private alignTo(n: number, fillArg?: string): void {
    if (n <= 1) return;
    if ((n & (n - 1)) !== 0) throw new AsmError(`alignment ${n} is not a power of 2`);
    if (n > MAX_ALIGN) throw new AsmError(`alignment ${n} is too large (at most ${MAX_ALIGN})`);
    this.cur.align = Math.max(this.cur.align, n);
    const pad = (n - (this.cur.loc % n)) % n;
    this.fill(pad, fillArg ? Number(this.absExpr(fillArg)) : 0);
  }

  private switchSection(name: string, flags: string[] = []): void {
    let s = this.sections.get(name);
    if (!s) {
      const f = (flags[0] ?? '').replace(/"/g, '');
      const nobits = name === '.bss' || name.startsWith('.bss.') || flags.some((x) => x.includes('nobits'));
      const exec = name === '.text' || name.startsWith('.text.') || f.includes('x');
      const write = name === '.data' || name === '.bss' || name.startsWith('.data.') || f.includes('w');
      s = { name, data: new ByteBuf(), loc: 0, align: 4, nobits, exec, write, base: this.prevBases.get(name) ?? this.origin };
      this.sections.set(name, s);
      this.sectionOrder.push(name);
    }
    this.cur = s;
  }

  // ---- output & diagnostics ---------------------------------------------------------

  private outputSections(): AsmSection[] {
    const bases = this.computeBases();
    return this.sectionOrder.map((n) => {
      const s = this.sections.get(n)!;
      const size = s.loc;
      const bytes = s.nobits ? new Uint8Array(0) : s.data.bytes();
      return { name: n, addr: bases.get(n)!, bytes, size, nobits: s.nobits, executable: s.exec, writable: s.write, align: s.align };
    }).filter((s) => s.size > 0 || s.name === '.text');
  }

  private outputSymbols(): AsmSymbol[] {
    const out: AsmSymbol[] = [];
    for (const [name, def] of this.symbols) {
      if (name.startsWith('.L')) continue;
      const value = this.prevValues.get(name) ?? 0n;
      const size = this.sizes.get(name) ?? 0;
      out.push({
        name, value, section: 'abs' in def ? 'ABS' : def.section, global: this.globals.has(name), size: Math.max(0, size),
        type: this.types.get(name) ?? 'notype',
      });
    }
    return out;
  }

  private error(message: string, span?: [number, number]): void {
    if (this.final) this.report(message, span, 'error');
  }

  private warn(message: string, span?: [number, number]): void {
    this.report(message, span, 'warning');
  }

  private report(message: string, span: [number, number] | undefined, severity: 'error' | 'warning'): void {
    const m = this.macroSite;
    const [column, endColumn] = m ? m.span : span ?? this.curSpan;
    const text = m ? `in macro '${m.name}': ${message}` : message;
    this.diags.push({ file: m ? m.file : this.curFile, line: m ? m.line : this.curLine, column, endColumn, message: text, severity });
  }
}

class AsmError extends AsmInputError {
  operand?: number;
}

/** Limits that keep hostile or mistyped input (`.space 1<<40`) from exhausting memory. */
const MAX_SECTION_BYTES = 64 << 20;
const MAX_NOBITS_BYTES = 2 ** 32;
const MAX_ALIGN = 1 << 16;

/** Growable byte buffer of a section's contents. */
class ByteBuf {
  private buf = new Uint8Array(256);
  private len = 0;
  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.len + n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  push(b: readonly number[]): void {
    this.reserve(b.length);
    for (const x of b) this.buf[this.len++] = x;
  }
  fill(n: number, value: number): void {
    this.reserve(n);
    this.buf.fill(value, this.len, this.len + n);
    this.len += n;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Runs `f`, tagging an assembler/expression error it throws with operand index `i`. */
function atOperand<T>(i: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if ((e instanceof AsmError || e instanceof ExprError || e instanceof OperandError) && (e as { operand?: number }).operand === undefined) {
      (e as { operand?: number }).operand = i;
    }
    throw e;
  }
}

function sameMap(a: Map<string, bigint>, b: Map<string, bigint>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function sameLocals(a: Map<number, bigint[]>, b: Map<number, bigint[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.length !== v.length || v.some((x, i) => x !== w[i])) return false;
  }
  return true;
}

/** 1-based [start, end) columns of a 0-based span (an empty token still gets one column). */
function span1(s: Span): [number, number] {
  return [s.start + 1, Math.max(s.end, s.start + 1) + 1];
}

const UTF8 = new TextEncoder();

function parseString(a: string): number[] {
  const t = a.trim();
  if (!t.startsWith('"')) throw new AsmError(`expected a string in double quotes, got '${t}'`);
  let close = 1;
  while (close < t.length && t[close] !== '"') close += t[close] === '\\' ? 2 : 1;
  if (close >= t.length) throw new AsmError('unterminated string (missing closing ")');
  if (close !== t.length - 1) throw new AsmError(`unexpected '${t.slice(close + 1).trim()}' after the string`);
  const out: number[] = [];
  for (let i = 1; i < t.length - 1; i++) {
    const c = t[i];
    if (c !== '\\') {
      const code = c.charCodeAt(0);
      if (code < 0x80) { out.push(code); continue; }
      // UTF-8 of the whole code point (both halves of a surrogate pair).
      const ch = String.fromCodePoint(t.codePointAt(i)!);
      out.push(...UTF8.encode(ch));
      i += ch.length - 1;
      continue;
    }
    const n = t[++i];
    if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(t.slice(i + 1));
      if (!m) throw new AsmError('bad \\x escape');
      out.push(parseInt(m[0], 16)); i += m[0].length;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(t.slice(i))!;
      out.push(parseInt(m[0], 8) & 0xff); i += m[0].length - 1;
    } else out.push(unescapeChar(n));
  }
  return out;
}
