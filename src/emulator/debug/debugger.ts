// The emulator side of debugging: run control (continue in slices, single instruction
// step, step over calls, step out, pause), instruction breakpoints with conditions, hit
// counts and logpoints, data breakpoints, exception stops filtered by ExcCode, a
// "console output matches" stop, and the shared services a debugger front end needs
// (side-effect-free memory, symbols, expressions, unwinding). It knows nothing about
// the Debug Adapter Protocol: src/adapter translates.
//
// Execution always goes through Machine.run (either engine) in slices the host
// schedules; between slices the machine is quiescent and can be inspected or modified.

import { TypeFiles } from './type-files';
import type { TypedContext } from './typed-expr';
import { Cpu } from '../cpu/cpu';
import { CA_BD, EXC_DESCRIPTIONS, EXC_NAMES, Exc, ST_BEV } from '../isa/cp0-defs';
import { EXCEPTION_FILTERS, expandFilters } from './exception-filters';
import { F, DELAY_SLOT } from '../isa/table';
import type { Machine } from '../machine';
import { Xlate } from '../mmu/translate';
import { PcBreakpoints } from './breakpoints';
import { evaluate, EvalError, hex64, interpolate } from './expr';
import { LineTable } from './lines';
import { DebugMemory } from './memory';
import { DebugSymbols } from './symbols';
import { Unwinder } from './unwind';
import { WatchAccess, WatchHit, Watchpoints, WatchSpec } from './watchpoints';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export type StopReason =
  | 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'data breakpoint'
  | 'exception' | 'pause' | 'goto';

export interface StopInfo {
  readonly reason: StopReason;
  /** One line for the user: "TLB refill at 0x…, BadVAddr 0x…". */
  readonly description: string;
  /** Short label (exception name, breakpoint kind). */
  readonly text?: string;
  readonly hitBreakpointIds?: number[];
  readonly exception?: { readonly filter: string; readonly code: number; readonly name: string; readonly epc: bigint; readonly badVAddr?: bigint };
  readonly watchHits?: readonly WatchHit[];
}

export type RunState =
  | { readonly kind: 'stopped'; readonly stop: StopInfo }
  | { readonly kind: 'running' }
  /** Waiting for an interrupt with nothing scheduled: only host input can wake the guest. */
  | { readonly kind: 'idle' }
  | { readonly kind: 'exited'; readonly code: number };

/**
 * Who set a breakpoint: the DAP front end's three kinds, or 'remote' (a gdb remote-protocol
 * client, src/gdbstub). A remote client's breakpoints and watchpoints are kept apart from the
 * others (each front end replaces only its own) and their ids are never reported in
 * hitBreakpointIds (the ids of the two front ends are unrelated).
 */
export type CodeBreakpointKind = 'source' | 'function' | 'instruction' | 'remote';
/** Data breakpoints of the DAP front end ('client') or of a remote-protocol client ('remote'). */
export type DataBreakpointOwner = 'client' | 'remote';

export interface CodeBreakpointSpec {
  readonly id: number;
  readonly addr: bigint;
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

export interface DataBreakpointSpec extends WatchSpec {
  readonly condition?: string;
  readonly hitCondition?: string;
}

export { EXCEPTION_FILTERS, GROUPED_FILTERS, isExceptionFilter } from './exception-filters';
export type { ExceptionFilter } from './exception-filters';

interface CodeBp extends CodeBreakpointSpec { kind: CodeBreakpointKind; hits: number }
interface DataBp extends DataBreakpointSpec { hits: number; owner: DataBreakpointOwner }

/** Validates a hit condition: "N" (from the Nth hit on), "=N"/"==N", ">N", ">=N", "<N", "<=N", "%N" (every Nth). */
export function parseHitCondition(s: string): ((hits: number) => boolean) | string {
  const m = /^\s*(==|=|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(s);
  if (!m) return `invalid hit count '${s}' (use N, =N, >N, >=N, <N, <=N or %N)`;
  const n = Number(m[2]);
  switch (m[1]) {
    case undefined: return (h) => h >= n;
    case '=': case '==': return (h) => h === n;
    case '>': return (h) => h > n;
    case '>=': return (h) => h >= n;
    case '<': return (h) => h < n;
    case '<=': return (h) => h <= n;
    default: return n === 0 ? `invalid hit count '${s}' (%0)` : (h) => h % n === 0;
  }
}

/** What a forward run has counted so far (hit counts, the skip-once of a resume): time travel saves and restores it. */
export interface DebuggerRunState {
  readonly hits: ReadonlyMap<string, number>;
  readonly skip: readonly [number, number, number];
  readonly consoleTail: string;
}

export class MachineDebugger {
  readonly cpu: Cpu;
  readonly bps = new PcBreakpoints();
  readonly mem: DebugMemory;
  readonly watches: Watchpoints;
  readonly symbols = new DebugSymbols();
  /** Source lines of the code (empty without line information). */
  readonly lines = new LineTable();
  readonly unwinder: Unwinder;
  /** C types and global variables of the symbol files with DWARF .debug_info. */
  readonly types = new TypeFiles();
  readonly ctx: TypedContext;
  /** Set while symbols are expected later (e.g. "kernel symbols are read from kallsyms when the kernel starts"). */
  symbolsPending: string | undefined = undefined;
  /** Logpoint messages and debugger notes for the user. */
  onLog: ((text: string) => void) | undefined = undefined;

  private readonly code = new Map<CodeBreakpointKind, CodeBp[]>();
  private readonly data = new Map<DataBreakpointOwner, DataBp[]>();
  private temp: { addrs: bigint[]; minSp: bigint } | undefined;
  private panicAddr: bigint | undefined;
  /** Breakpoints of the debugger's own (never reported): the handler runs, execution goes on. */
  private readonly internal = new Map<bigint, (pc: bigint) => void>();
  private internalRan = { pc: -1n, icount: -1 };
  private readonly filters = new Set<string>();
  private consolePatterns: string[] = [];
  /** Expressions the syscall filter's stops must satisfy (any of them; none: every syscall). */
  private syscallConditions: string[] = [];
  private consoleTail = '';
  private pending: StopInfo | undefined;
  private bpStop: { ids: number[]; kinds: Set<CodeBreakpointKind>; temp: boolean; panic: boolean; internal?: bigint; conditionError?: string } | undefined;
  private mode: 'stopped' | 'continue' | 'step' | 'line' = 'stopped';
  /** A source-line step in progress: the line it started on, and whether calls are stepped over. */
  private lineStep: { from: string | undefined; over: boolean } | undefined;
  private pauseRequested = false;
  private bpSignature = '';
  private tlbPrev: Float64Array;
  private tlbLast: Float64Array;

  constructor(readonly machine: Machine) {
    const cpu = this.cpu = machine.cpu;
    this.mem = new DebugMemory(cpu, machine.bus);
    this.watches = new Watchpoints(cpu, this.mem, (page) => machine.jit?.invalidatePage(page));
    this.mem.onWrite = (page) => { machine.jit?.invalidatePage(page); this.watches.rearm(); };
    this.unwinder = new Unwinder(cpu, this.mem, this.symbols);
    this.ctx = { cpu, mem: this.mem, symbols: this.symbols, types: this.types };
    this.bps.filter = (pc) => this.onBreakpoint(pc);
    const prevHook = cpu.hooks.onException;
    cpu.hooks.onException = (c, code) => { prevHook?.(c, code); this.onException(code); };
    machine.events.on('uartTx', ({ port, byte }) => { if (port === 0) this.onConsole(byte); });
    this.tlbPrev = cpu.tlb.state.entries.slice();
    this.tlbLast = this.tlbPrev;
  }

  // ---- breakpoints --------------------------------------------------------------------------

  /** Replaces the breakpoints of one kind; returns an error text per spec ('' when accepted). */
  setCodeBreakpoints(kind: CodeBreakpointKind, specs: readonly CodeBreakpointSpec[]): string[] {
    const errors: string[] = [];
    const list: CodeBp[] = [];
    for (const s of specs) {
      let err = '';
      if (s.hitCondition) { const h = parseHitCondition(s.hitCondition); if (typeof h === 'string') err = h; }
      if (!err && s.condition) err = this.checkSyntax(s.condition);
      if (!err && (s.addr & 3n) !== 0n) err = `0x${s.addr.toString(16)} is not 4-byte aligned`;
      errors.push(err);
      if (!err) list.push({ ...s, addr: U64(s.addr), kind, hits: 0 });
    }
    this.code.set(kind, list);
    this.applyBreakpoints();
    return errors;
  }

  /** Checks an expression parses (symbols and registers resolve); '' or the error. */
  checkSyntax(expr: string): string {
    try { evaluate(expr, this.ctx); return ''; } catch (e) {
      // Memory may be unreadable now and readable later: only syntax/name errors reject.
      const m = (e as Error).message;
      return e instanceof EvalError && !/^cannot read/.test(m) ? m : '';
    }
  }

  /** Replaces the data breakpoints of one owner (default: the DAP front end's); an error text per spec ('' when accepted). */
  setDataBreakpoints(specs: readonly DataBreakpointSpec[], owner: DataBreakpointOwner = 'client'): string[] {
    const errors: string[] = [];
    const ok: DataBp[] = [];
    for (const s of specs) {
      let err = '';
      const r = this.watches.resolve(s);
      if ('error' in r) err = r.error;
      if (!err && s.hitCondition) { const h = parseHitCondition(s.hitCondition); if (typeof h === 'string') err = h; }
      if (!err && s.condition) err = this.checkSyntax(s.condition);
      errors.push(err);
      if (!err) ok.push({ ...s, owner, hits: 0 });
    }
    this.data.set(owner, ok);
    this.watches.set([...this.data.values()].flat());
    return errors;
  }

  /**
   * Enables exception filters (detailed or grouped, see exception-filters.ts); returns notes
   * for filters that cannot work (e.g. no `panic` symbol) or conditions that are wrong.
   */
  setExceptionFilters(filters: ReadonlyArray<{ id: string; condition?: string }>): string[] {
    const x = expandFilters(filters);
    const notes = [...x.notes];
    this.filters.clear();
    for (const id of x.ids) this.filters.add(id);
    this.consolePatterns = [];
    this.syscallConditions = [];
    this.panicAddr = undefined;
    if (x.ids.has('console')) {
      const texts = x.conditions.get('console') ?? [];
      for (const t of texts) this.consolePatterns.push(unescapeText(t));
      if (texts.length === 0) notes.push('"Console output matches" needs a condition: the text to wait for');
    }
    for (const c of x.conditions.get('syscall') ?? []) {
      const err = this.checkSyntax(c);
      if (err) notes.push(`syscall filter condition '${c}': ${err}`);
      else this.syscallConditions.push(c);
    }
    if (x.ids.has('panic')) {
      this.panicAddr = this.symbols.byName('panic');
      if (this.panicAddr === undefined) {
        notes.push(this.symbolsPending ? `the kernel panic filter is armed once ${this.symbolsPending}` : 'no symbol `panic` is loaded: the kernel panic filter cannot stop');
      }
    }
    this.applyBreakpoints();
    return notes;
  }

  /**
   * Sets (or with no handler removes) an internal breakpoint: when the CPU reaches `addr` the
   * machine stops between instructions, `handler` runs (it may read state, set other internal
   * breakpoints) and execution continues as if nothing happened. Single steps honour them too.
   */
  setInternalBreakpoint(addr: bigint, handler: ((pc: bigint) => void) | undefined): void {
    if (handler) this.internal.set(U64(addr), handler);
    else this.internal.delete(U64(addr));
    this.applyBreakpoints();
  }

  /** Symbols changed (e.g. kernel symbols found at run time): the panic filter re-resolves `panic`. */
  symbolsChanged(): void {
    if (!this.filters.has('panic')) return;
    this.panicAddr = this.symbols.byName('panic');
    this.applyBreakpoints();
  }

  /**
   * The engines stopped while no debugger runs the machine (the CLI's own run loop, with no
   * session attached): only the debugger's internal breakpoints can be armed then. Their
   * handlers run and execution passes on from there, as runSlice would do silently.
   */
  passStop(): void {
    const b = this.bpStop;
    this.bpStop = undefined;
    this.pending = undefined;
    this.watches.complete();
    if (b?.internal !== undefined) this.runInternal(b.internal);
    if (b) this.bps.skipOnce(this.cpu);
  }

  /** Runs the internal breakpoint's handler once per arrival (a hit, then a step from there, is one arrival). */
  private runInternal(pc: bigint): void {
    const h = this.internal.get(pc);
    if (!h || (this.internalRan.pc === pc && this.internalRan.icount === this.cpu.icount)) return;
    this.internalRan = { pc, icount: this.cpu.icount };
    h(pc);
  }

  private applyBreakpoints(): void {
    const b = this.bps;
    const addrs: bigint[] = [...this.internal.keys()];
    for (const l of this.code.values()) for (const x of l) addrs.push(x.addr);
    if (this.temp) addrs.push(...this.temp.addrs);
    if (this.panicAddr !== undefined) addrs.push(this.panicAddr);
    const sig = [...new Set(addrs.map((a) => a.toString(16)))].sort();
    const before = new Set(this.bpSignature ? this.bpSignature.split(',') : []);
    const now = new Set(sig);
    const changed = [...sig.filter((a) => !before.has(a)), ...[...before].filter((a) => !now.has(a))];
    if (changed.length === 0) return;
    this.bpSignature = sig.join(',');
    b.clear();
    for (const a of addrs) b.add(a);
    const engines = b.size > 0 ? b : undefined;
    this.machine.interp.breakpoints = engines;
    const jit = this.machine.jit;
    if (jit) {
      jit.breakpoints = engines;
      // Translated blocks end before the breakpoints they knew of: drop the code on the
      // pages whose breakpoints changed. Blocks never span pages, so that is enough for
      // unmapped segments (kseg0/kseg1/xkphys, a fixed VA→PA); a breakpoint in a mapped
      // segment may concern code under other mappings (ASIDs): drop everything then.
      const pages = new Set<number>();
      let all = false;
      for (const h of changed) {
        const va = BigInt(`0x${h}`);
        const off = isUnmappedSegment(va) ? this.mem.ramOffset({ addr: va, phys: false }) : -1;
        if (off < 0) { all = true; break; }
        pages.add(off >>> 12);
      }
      if (all) jit.flush();
      else for (const p of pages) jit.invalidatePage(p);
      this.watches.rearm();
    }
  }

  /** Decides a breakpoint hit at pc (conditions, hit counts, logpoints); true stops. */
  private onBreakpoint(pc: bigint): boolean {
    let stop = false;
    const ids: number[] = [];
    const kinds = new Set<CodeBreakpointKind>();
    let temp = false, panic = false;
    let conditionError: string | undefined;
    const internal = this.internal.has(pc) ? pc : undefined;
    if (internal !== undefined) stop = true;
    if (this.temp && this.temp.addrs.includes(pc) && U64(this.cpu.getGpr(29)) >= this.temp.minSp) { stop = true; temp = true; }
    if (this.panicAddr === pc) { stop = true; panic = true; }
    for (const l of this.code.values()) {
      for (const bp of l) {
        if (bp.addr !== pc) continue;
        if (bp.condition) {
          try {
            if (evaluate(bp.condition, this.ctx).v === 0n) continue;
          } catch (e) {
            conditionError = `breakpoint condition '${bp.condition}' failed: ${(e as Error).message}`;
            stop = true; ids.push(bp.id); kinds.add(bp.kind);
            continue;
          }
        }
        bp.hits++;
        if (bp.hitCondition) {
          const h = parseHitCondition(bp.hitCondition);
          if (typeof h !== 'string' && !h(bp.hits)) continue;
        }
        if (bp.logMessage) { this.onLog?.(interpolate(bp.logMessage, this.ctx)); continue; }
        stop = true; kinds.add(bp.kind);
        if (bp.kind !== 'remote') ids.push(bp.id);
      }
    }
    if (stop) this.bpStop = { ids, kinds, temp, panic, internal, conditionError };
    return stop;
  }

  /** The counters a forward run keeps (for time travel: going back restores them as they were). */
  saveRunState(): DebuggerRunState {
    const hits = new Map<string, number>();
    for (const [kind, l] of this.code) for (const bp of l) hits.set(`${kind}:${bp.id}:${bp.addr}`, bp.hits);
    for (const [owner, l] of this.data) for (const bp of l) hits.set(`data:${owner}:${bp.id}`, bp.hits);
    return { hits, skip: this.bps.skipState, consoleTail: this.consoleTail };
  }

  /** Restores counters saved by saveRunState (breakpoints set since keep theirs from 0). */
  loadRunState(s: DebuggerRunState): void {
    for (const [kind, l] of this.code) for (const bp of l) bp.hits = s.hits.get(`${kind}:${bp.id}:${bp.addr}`) ?? 0;
    for (const [owner, l] of this.data) for (const bp of l) bp.hits = s.hits.get(`data:${owner}:${bp.id}`) ?? 0;
    this.bps.skipState = s.skip;
    this.consoleTail = s.consoleTail;
    this.pending = undefined;
    this.bpStop = undefined;
    this.watches.complete();
  }

  // ---- exceptions and console -----------------------------------------------------------------

  private onException(code: number): void {
    if (this.filters.size === 0) return;
    const c0 = this.cpu.c0;
    let filter = EXCEPTION_FILTERS.find((f) => f.codes.includes(code))?.id;
    if (code === Exc.TLBL || code === Exc.TLBS) filter = this.isRefill() ? 'tlb-refill' : 'tlb-invalid';
    if (!filter || !this.filters.has(filter)) return;
    if (filter === 'syscall' && this.syscallConditions.length > 0 && !this.syscallConditions.some((c) => this.holds(c))) return;
    const name = EXC_NAMES[code] ?? `ExcCode ${code}`;
    const epc = c0.epc;
    const bd = (c0.cause & CA_BD) !== 0 ? ' (in a branch delay slot)' : '';
    const addrExc = [Exc.Mod, Exc.TLBL, Exc.TLBS, Exc.AdEL, Exc.AdES, Exc.IBE, Exc.DBE].includes(code);
    const bad = addrExc ? `, BadVAddr ${this.addr(c0.badVAddr)}` : '';
    let what: string;
    switch (filter) {
      case 'tlb-refill': what = `TLB refill (${name}, ${code === Exc.TLBS ? 'store' : 'load or fetch'})`; break;
      case 'tlb-invalid': what = `TLB invalid (${name}, ${code === Exc.TLBS ? 'store' : 'load or fetch'})`; break;
      case 'syscall': what = `Syscall (${name})`; break;
      case 'interrupt': {
        const ip = (c0.cause & c0.status & 0xff00) >>> 8;
        const lines = [7, 6, 5, 4, 3, 2, 1, 0].filter((i) => ip & (1 << i)).map((i) => `IP${i}`).join(' ');
        what = `Interrupt (${name}${lines ? `: ${lines}` : ''})`;
        break;
      }
      default: what = `${capital(EXC_DESCRIPTIONS[code] ?? 'exception')} (${name})`;
    }
    const description = `${what} at EPC ${this.addr(epc)}${bd}${bad}`;
    this.pending = {
      reason: 'exception', description, text: name,
      exception: { filter, code, name, epc, badVAddr: addrExc ? c0.badVAddr : undefined },
    };
    this.cpu.stopRequested = true;
  }

  /** Whether an exception filter's condition holds now (an expression that fails to evaluate counts as true: the user sees why). */
  private holds(condition: string): boolean {
    try { return evaluate(condition, this.ctx).v !== 0n; } catch { return true; }
  }

  /** Whether the TLB exception just raised went through the refill vector (or would have). */
  private isRefill(): boolean {
    const c = this.cpu;
    const base = (c.c0.status & ST_BEV) ? 0xffffffffbfc00200n : U64(BigInt.asIntN(32, c.c0.ebase) & ~0xfffn);
    const off = U64(c.pc - base);
    if (off === 0n || off === 0x80n) return true;
    const t = this.mem.v2p(c.c0.badVAddr);
    return !t.ok && t.code === Xlate.Refill;
  }

  private onConsole(byte: number): void {
    if (this.consolePatterns.length === 0) return;
    this.consoleTail = (this.consoleTail + String.fromCharCode(byte)).slice(-4096);
    const hit = this.consolePatterns.find((p) => p.length > 0 && this.consoleTail.endsWith(p));
    if (!hit || this.pending) return;
    this.pending = {
      reason: 'exception', text: 'console', description: `Console output matched "${hit}"`,
      exception: { filter: 'console', code: -1, name: 'console', epc: U64(this.cpu.pc) },
    };
    this.cpu.stopRequested = true;
  }

  // ---- run control -------------------------------------------------------------------------------

  get running(): boolean {
    return this.mode !== 'stopped';
  }

  /**
   * Continues from the current PC. A breakpoint there is passed once (resuming from a
   * stop) unless `fromCurrent` is false (starting: a breakpoint on the entry point stops).
   */
  resume(fromCurrent = true): void {
    this.lineStep = undefined;
    this.pending = undefined;
    this.bpStop = undefined;
    if (fromCurrent) this.bps.skipOnce(this.cpu);
    this.mode = 'continue';
  }

  stepInstruction(): void {
    this.lineStep = undefined;
    this.pending = undefined;
    this.bpStop = undefined;
    this.mode = 'step';
  }

  /** Steps over a call (jal/jalr/bal/bgezal… with its delay slot) to PC+8, in this frame or an outer one. */
  stepOver(): void {
    const c = this.cpu;
    const w = this.mem.word(c.pc);
    const e = w === undefined ? undefined : c.decoder.decode(w).canonical;
    if (!e || c.inDelay || !(e.flags & F.LINK) || !(e.flags & DELAY_SLOT)) { this.stepInstruction(); return; }
    this.temp = { addrs: [U64(c.pc + 8n)], minSp: U64(c.getGpr(29)) };
    this.applyBreakpoints();
    this.resume();
  }

  /** Runs until the current function returns to its caller (frame-aware: same or outer stack frame). */
  stepOut(): void {
    const frames = this.unwinder.unwind(2);
    const caller = frames[1];
    if (!caller) throw new Error('cannot step out: the caller of this frame is unknown');
    // Leaving an exception handler: eret returns to EPC, or past it (syscall handlers add 4).
    const addrs = caller.kind === 'exception' ? [caller.pc, U64(caller.pc + 4n)] : [caller.pc];
    this.temp = { addrs, minSp: caller.sp };
    this.applyBreakpoints();
    this.resume();
  }

  /**
   * Steps to the start of another source line (stepIn when !over; next when over: calls
   * run to their return). Without line information at the PC it is an instruction step.
   */
  stepLine(over: boolean): void {
    const here = this.lines.lookup(this.cpu.pc);
    if (!here) { if (over) this.stepOver(); else this.stepInstruction(); return; }
    this.pending = undefined;
    this.bpStop = undefined;
    this.lineStep = { from: `${here.file}:${here.line}`, over };
    this.mode = 'line';
  }

  /** One slice of a line step: instruction steps (calls run over) until the line changes. */
  private lineSlice(budget: number): RunState | undefined {
    const ls = this.lineStep!;
    const c = this.cpu;
    for (let n = 0; n < budget; n++) {
      if (ls.over && !c.inDelay) {
        const w = this.mem.word(c.pc);
        const e = w === undefined ? undefined : c.decoder.decode(w).canonical;
        if (e && (e.flags & F.LINK) && (e.flags & DELAY_SLOT)) {
          // Run the call at full speed; the line step resumes at its return.
          this.temp = { addrs: [U64(c.pc + 8n)], minSp: U64(c.getGpr(29)) };
          this.applyBreakpoints();
          this.bps.skipOnce(c);
          this.mode = 'continue';
          return undefined;
        }
      }
      if (!this.stepOne()) return { kind: 'idle' };
      if (this.machine.poweredOff) return undefined;
      const s = this.collect();
      if (s) return this.stopped(s);
      if (this.lineDone()) return this.stopped({ reason: 'step', description: `Stepped to ${this.addr(U64(c.pc))}` });
    }
    return { kind: 'running' };
  }

  /** A line step ends on a new line's first instruction (not a delay slot: it belongs with its branch) or in code without lines. */
  private lineDone(): boolean {
    const c = this.cpu;
    if (c.inDelay) return false;
    const pc = U64(c.pc);
    const at = this.lines.lookup(pc);
    if (!at) return true;
    const line = `${at.file}:${at.line}`;
    if (line === this.lineStep!.from || !this.lines.isStatementStart(pc)) return false;
    if (this.isFunctionEntry(pc)) {
      // Stepped into a function: its opening line is the prologue; go on to the body's first line.
      this.lineStep!.from = line;
      return false;
    }
    return true;
  }

  /** The first instruction of compiled code's function (an FDE's start; hand-written assembly without CFI has no prologue to skip). */
  private isFunctionEntry(pc: bigint): boolean {
    const cfi = this.unwinder.rulesAt(pc);
    return cfi !== undefined && U64(cfi.rules.fde.pcBegin + cfi.offset) === pc;
  }

  /** Requests a stop; the next runSlice() reports it. */
  pause(): void {
    this.pauseRequested = true;
  }

  /** Moves the PC (goto); the CPU leaves WAIT and any delay slot. */
  setPc(addr: bigint): void {
    if (addr & 3n) throw new Error(`0x${addr.toString(16)} is not 4-byte aligned`);
    this.cpu.pc = U64(addr);
    this.cpu.waiting = false;
    this.cpu.brState = 0;
  }

  /**
   * Runs for at most `budget` instructions (a continue slice), or one step. The host
   * calls it repeatedly while the state is 'running'.
   */
  runSlice(budget: number): RunState {
    const m = this.machine;
    if (m.poweredOff) { this.mode = 'stopped'; return { kind: 'exited', code: m.exitCode }; }
    if (this.pauseRequested) {
      this.pauseRequested = false;
      return this.stopped({ reason: 'pause', description: `Paused at ${this.addr(U64(this.cpu.pc))}` });
    }
    if (this.mode === 'line') {
      const r = this.lineSlice(Math.max(1, Math.min(budget, 20_000)));
      if (m.poweredOff) { this.mode = 'stopped'; return { kind: 'exited', code: m.exitCode }; }
      if (r) return r;
      return { kind: 'running' };
    }
    if (this.mode === 'step') {
      const idle = !this.stepOne();
      if (m.poweredOff) { this.mode = 'stopped'; return { kind: 'exited', code: m.exitCode }; }
      const s = this.collect();
      if (s) return this.stopped(s);
      if (idle) { this.mode = 'continue'; return { kind: 'idle' }; }
      return this.stopped({ reason: 'step', description: `Stepped to ${this.addr(U64(this.cpu.pc))}` });
    }
    if (this.mode !== 'continue') return this.stopped({ reason: 'pause', description: 'not running' });
    const r = m.run(budget);
    if (m.poweredOff) { this.mode = 'stopped'; return { kind: 'exited', code: m.exitCode }; }
    const s = this.collect();
    if (s?.reason === 'step' && this.lineStep) {
      // The call a line step ran over has returned: done, or go on stepping the line.
      this.temp = undefined;
      this.applyBreakpoints();
      if (this.lineDone()) return this.stopped(s);
      this.mode = 'line';
      return { kind: 'running' };
    }
    if (s) return this.stopped(s);
    if (r.reason === 'idle') return { kind: 'idle' };
    return { kind: 'running' };
  }

  /** One instruction in the interpreter (or one exception), after letting WAIT time pass. False: idle forever. */
  private stepOne(): boolean {
    const c = this.cpu;
    const rec = this.machine.recorder;
    for (let guard = 0; guard < 1_000_000; guard++) {
      // A time-travel recorder delivers recorded input (replay) and snapshots (live) here too.
      let limit = Infinity;
      if (rec) { rec.beforeRun(1); limit = rec.inputLimit(); }
      if (c.icount >= c.nextEvent) c.hooks.onEvent(c);
      if (!c.waiting) break;
      const w = c.waitStep(limit); // the engines' WAIT rule
      if (w === 'idle') return false;
      if (w === 'run') break;
    }
    c.stopRequested = false;
    if (this.internal.size > 0) this.runInternal(U64(c.pc));
    this.machine.interp.step();
    rec?.afterRun();
    return true;
  }

  /** One instruction (or exception entry) with no stop reported (time travel's scans); false: idle forever. */
  stepSilently(): boolean {
    const r = this.stepOne();
    this.pending = undefined;
    this.bpStop = undefined;
    this.watches.complete();
    return r;
  }

  /** The stop the last slice produced, if any (watch hits whose conditions fail are dropped). */
  private collect(): StopInfo | undefined {
    if (this.pending) { const p = this.pending; this.pending = undefined; return p; }
    const hits = this.watches.complete();
    if (hits.length > 0) {
      const keep: WatchHit[] = [];
      const ids: number[] = [];
      for (const h of hits) {
        const bp = this.data.get(h.watch.owner ?? 'client')?.find((d) => d.id === h.watch.id);
        if (!bp) continue;
        if (bp.condition) {
          try { if (evaluate(bp.condition, this.ctx).v === 0n) continue; } catch { /* stop: the user sees the state */ }
        }
        bp.hits++;
        if (bp.hitCondition) {
          const hc = parseHitCondition(bp.hitCondition);
          if (typeof hc !== 'string' && !hc(bp.hits)) continue;
        }
        keep.push(h);
        if (bp.owner === 'client') ids.push(bp.id);
      }
      if (keep.length > 0) {
        return { reason: 'data breakpoint', description: keep.map((h) => this.describeHit(h)).join('; '), text: 'data breakpoint', hitBreakpointIds: ids, watchHits: keep };
      }
    }
    const b = this.bpStop;
    if (b) {
      this.bpStop = undefined;
      if (b.internal !== undefined) {
        this.runInternal(b.internal);
        if (b.kinds.size === 0 && !b.temp && !b.panic && !b.conditionError) {
          this.bps.skipOnce(this.cpu); // a silent stop: the next slice goes on from here
          return undefined;
        }
      }
      const at = this.addr(U64(this.cpu.pc));
      if (b.conditionError) return { reason: 'breakpoint', description: `${capital(b.conditionError)} (stopped at ${at})`, hitBreakpointIds: b.ids };
      if (b.kinds.size > 0) {
        const reason: StopReason = b.kinds.has('source') ? 'breakpoint' : b.kinds.has('function') ? 'function breakpoint' : 'instruction breakpoint';
        return { reason, description: `Breakpoint at ${at}`, hitBreakpointIds: b.ids };
      }
      if (b.panic) return { reason: 'exception', text: 'panic', description: `Kernel panic: panic() called (at ${at})`, exception: { filter: 'panic', code: -1, name: 'panic', epc: U64(this.cpu.pc) } };
      if (b.temp) return { reason: 'step', description: `Stepped to ${at}` };
    }
    return undefined;
  }

  private stopped(stop: StopInfo): RunState {
    this.mode = 'stopped';
    this.lineStep = undefined;
    if (this.temp) { this.temp = undefined; this.applyBreakpoints(); }
    this.tlbPrev = this.tlbLast;
    this.tlbLast = this.cpu.tlb.state.entries.slice();
    return { kind: 'stopped', stop };
  }

  /** Marks the current state as a stop seen by the user (entry, goto) without running. */
  noteStop(stop: StopInfo): RunState {
    return this.stopped(stop);
  }

  /** Whether TLB entry i changed between the previous stop and the last one. */
  tlbChanged(i: number): boolean {
    for (let k = i * 5; k < i * 5 + 5; k++) if (this.tlbPrev[k] !== this.tlbLast[k]) return true;
    return false;
  }

  private describeHit(h: WatchHit): string {
    const digits = h.size * 2;
    const v = (x: bigint): string => `0x${x.toString(16).padStart(digits, '0')}`;
    const change = h.write ? `${v(h.old)} → ${v(h.value)}` : `value ${v(h.old)}`;
    return `Data breakpoint: ${h.write ? 'write' : 'read'} of ${h.size} byte${h.size > 1 ? 's' : ''} at ${this.addr(h.va)} by ${this.addr(h.pc)}: ${change}`;
  }

  /** "0x… <sym+off>" */
  addr(a: bigint): string {
    const s = this.symbols.describe(a);
    return s ? `${hex64(a)} <${s}>` : hex64(a);
  }
}

/** kseg0, kseg1 and xkphys: translated without the TLB, the same for every ASID. */
function isUnmappedSegment(va: bigint): boolean {
  return (va >= 0xffffffff80000000n && va < 0xffffffffc0000000n) || (va >= 0x8000000000000000n && va < 0xc000000000000000n);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Condition text as typed in the UI: optional quotes, \r \n \t escapes. */
function unescapeText(s: string): string {
  let t = s.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) t = t.slice(1, -1);
  return t.replace(/\\([rnt\\"'])/g, (_m, c: string) => ({ r: '\r', n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
}

export type { WatchAccess, WatchHit };
