// The MIPS64 debug session: translates Debug Adapter Protocol requests into Runtime /
// MachineDebugger calls and runtime events into DAP events. One thread ("CPU 0").

import { BOARD_NAMES, boardInfo } from '../emulator/boards/catalog';
import {
  Breakpoint, BreakpointEvent, ContinuedEvent, DebugSession, Event, ExitedEvent, InitializedEvent, InvalidatedEvent, MemoryEvent, OutputEvent, Response, Source, StoppedEvent,
  TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { CodeBreakpointKind, CodeBreakpointSpec, EXCEPTION_FILTERS, GROUPED_FILTERS, isExceptionFilter, StopInfo } from '../emulator/debug/debugger';
import { evaluate, EvalError, formatValue, hex64 } from '../emulator/debug/expr';
import { parseMemRef } from '../emulator/debug/memory';
import { Frame, frameLabel } from '../emulator/debug/unwind';
import { linuxThreads, LinuxThreads } from '../emulator/debug/linux';
import type { WatchAccess } from '../emulator/debug/watchpoints';
import { Disassembler } from '../emulator/isa/disassembler';
import type { CpuModelName } from '../emulator/isa/decoder';
import { ConsoleCommands } from './console';
import { CheckpointError, MachineConfig, ParsedCheckpoint } from '../emulator/snapshot/format';
import { describeBootImage, isBootImage } from '../emulator/boot-images';
import { bootImageInputKind, readInputFileSync } from '../storage/input-file';
import { processHashes } from '../storage/parallel-hashes';
import { formatDiff } from '../emulator/snapshot/compare';
import { Checkpointer } from '../emulator/snapshot/manager';
import { DiskCheckpointStore, readCheckpointChain } from '../storage/checkpoint-files';
import { describeConfig, prepareRestore } from '../emulator/snapshot/checkpoint';
import {
  CHECKPOINT_COMPARE, CHECKPOINT_DELETE, CHECKPOINT_LIST, CHECKPOINT_RESTORE, CHECKPOINT_TAKE, CheckpointCompareArguments,
  CheckpointItem, CheckpointRefArguments, CheckpointTakeArguments, GO_TO_INSTRUCTION, GoToInstructionArguments, LaunchArguments, STEP_BACK_OUT, TIMELINE, restoreMarkerText, STATS, UART_EVENT, UART_INPUT,
  UartEventBody, UartInputArguments,
} from './protocol';
import { LaunchError, Runtime, RuntimeEvents } from './runtime';
import { SessionGdb } from './session-gdb';
import type { AttachArguments, AttachHost } from './attach';
import { FrameContext, VariableStore } from './variables';
import { CODE_MIME_TYPE, CodeDocuments } from './code-documents';
import { SourcePathMap } from './source-map';
import { DAP_WIRE_LIMITS, guardedInput } from './wire';
import { checkRequest } from './dap-shapes';
import { RequestQueue, yieldToEventLoop } from './request-queue';

const THREAD_ID = 1;
/** Thread ids of Linux tasks: this + pid. */
const TASK_THREAD_BASE = 1000;
/** Breakpoint keys of disassembly documents (sources with a sourceReference) start so. */
const REF_KEY = 'ref:';
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Error ids of error responses. */
const enum Err { Launch = 1001, NotRunning = 1002, Eval = 1003, Memory = 1004, Step = 1005, Request = 1006, Checkpoint = 1007, Internal = 1008 }
/** The protocol library's id for an exception thrown by a request handler (it would send the stack). */
const LIBRARY_HANDLER_EXCEPTION = 1104;
/** Breakpoint expressions evaluated per step of a long request (see request-queue.ts). */
const EVALUATIONS_PER_STEP = 500;

interface StoredBp { kind: CodeBreakpointKind; spec: CodeBreakpointSpec }

export interface SessionOptions {
  /** Exception filters offered: 'grouped' (default: fewer, narrowed by their conditions) or 'detailed' (one per kind). */
  readonly exceptionFilters?: 'grouped' | 'detailed';
}

export class Mips64DebugSession extends DebugSession {
  private rt: Runtime | undefined;
  private vars: VariableStore | undefined;
  /** The Linux tasks shown as threads at this stop. */
  private tasks: LinuxThreads | undefined;
  /** Registers of the outer frames (and other tasks' frames) listed since the last stop, by frame id. */
  private readonly frameContexts = new Map<number, FrameContext>();
  private commands: ConsoleCommands | undefined;
  private dis: Disassembler | undefined;
  /** Disassembly documents of frames without a source file. */
  private docs: CodeDocuments | undefined;
  /** Whether a frame's source file exists here (asked once per stop). */
  private readonly fileExists = new Map<string, boolean>();
  private launchArgs: LaunchArguments | undefined;
  private configured = false;
  private startWhenConfigured = false;
  private nextBpId = 1;
  private lastStop: StopInfo | undefined;
  /** Breakpoints as last set by the client, re-applied after a restart. */
  private readonly code = new Map<CodeBreakpointKind, StoredBp[]>();
  private functionArgs: DebugProtocol.FunctionBreakpoint[] = [];
  /** Ids given to the function breakpoints (kept when they re-resolve after kernel symbols appear). */
  private functionIds: number[] = [];
  private instructionArgs: DebugProtocol.InstructionBreakpoint[] = [];
  private exceptionArgs: DebugProtocol.SetExceptionBreakpointsArguments = { filters: [] };
  private dataArgs: DebugProtocol.DataBreakpoint[] = [];
  private sourceArgs = new Map<string, DebugProtocol.SetBreakpointsArguments>();
  /** Ids last given to each source's breakpoints (kept when they re-resolve: 'changed' events). */
  private sourceIds = new Map<string, number[]>();
  private gotoTargets = new Map<number, bigint>();
  /** Checkpoints of the current machine (created on first use: dirty tracking costs a little). */
  private checkpointer: Checkpointer | undefined;
  /** The runtime is lent by the attach host (attach request) rather than owned. */
  private attached = false;
  /** Unsubscribes this session from its runtime's events (a lent runtime outlives the session). */
  private rtOffs: Array<() => void> = [];
  /** The launch's gdb port ("gdbPort"), while the session runs a machine. */
  private gdb: SessionGdb | undefined;
  /** DWARF (build-time) paths ↔ local paths (launch attribute `sourceMap`). */
  private paths = new SourcePathMap(undefined);
  private uartOutput: NonNullable<LaunchArguments['uartOutput']> = 'debugConsole';
  private readonly requests = new RequestQueue((r) => this.serve(r));
  /** Bumped when kernel symbols appear or move: breakpoint expressions evaluated before are stale. */
  private symbolsGeneration = 0;

  /**
   * `attachHost`: the running machine an `attach` request binds to (src/cli/debug-server.ts).
   * `options.exceptionFilters`: the exception filters offered (default the grouped set).
   */
  constructor(private readonly attachHost?: AttachHost, private readonly options: SessionOptions = {}) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- the wire, request checks and order -------------------------------------------------------

  /** Reads DAP frames within DAP_WIRE_LIMITS (wire.ts); a violation is reported and ends the connection. */
  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    super.start(guardedInput(inStream, DAP_WIRE_LIMITS, (message) => this.sendEvent(new OutputEvent(`${message}\n`, 'stderr'))), outStream);
  }

  /** Every request's arguments are checked against the protocol's shape (dap-shapes.ts) before a handler sees them. */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const problem = checkRequest(request);
    if (problem !== undefined) {
      this.sendErrorResponse(new Response(request), { id: Err.Request, format: problem, showUser: false });
      return;
    }
    this.requests.push(request);
  }

  private serve(request: DebugProtocol.Request): Promise<void> | void {
    const a = request.arguments as DebugProtocol.SetFunctionBreakpointsArguments | DebugProtocol.SetInstructionBreakpointsArguments | undefined;
    const long = this.rt !== undefined && (a?.breakpoints?.length ?? 0) > EVALUATIONS_PER_STEP;
    if (long && request.command === 'setFunctionBreakpoints') return this.inSteps(request, () => this.setFunctionBreakpointsInSteps(new Response(request) as DebugProtocol.SetFunctionBreakpointsResponse, a as DebugProtocol.SetFunctionBreakpointsArguments));
    if (long && request.command === 'setInstructionBreakpoints') return this.inSteps(request, () => this.setInstructionBreakpointsInSteps(new Response(request) as DebugProtocol.SetInstructionBreakpointsResponse, a as DebugProtocol.SetInstructionBreakpointsArguments));
    super.dispatchRequest(request);
  }

  /** Runs a long request's handler; what it throws is answered as an internal error. */
  private async inSteps(request: DebugProtocol.Request, handler: () => Promise<void>): Promise<void> {
    try {
      await handler();
    } catch (e) {
      this.sendErrorResponse(new Response(request), LIBRARY_HANDLER_EXCEPTION, '{_stack}', { _exception: e instanceof Error ? e.message : String(e), _stack: e instanceof Error ? e.stack : undefined });
    }
  }

  /**
   * The protocol library answers an exception in a handler with its stack trace: the
   * client gets one line instead (the stack goes to the adapter's stderr).
   */
  protected override sendErrorResponse(response: DebugProtocol.Response, codeOrMessage: number | DebugProtocol.Message, format?: string, variables?: unknown, dest?: number): void {
    if (codeOrMessage === LIBRARY_HANDLER_EXCEPTION) {
      const v = variables as { _exception?: string; _stack?: string } | undefined;
      process.stderr.write(`mips64 debug adapter: internal error in '${response.command}': ${v?._stack ?? v?._exception ?? format}\n`);
      const first = (v?._exception ?? 'unknown error').split('\n')[0]!;
      super.sendErrorResponse(response, { id: Err.Internal, format: `internal error in '${response.command}': ${first}`, showUser: false });
      return;
    }
    super.sendErrorResponse(response, codeOrMessage, format, variables, dest);
  }

  /** The connection closed (or the client went away): the machine stops, a lent one goes back to its host. */
  override shutdown(): void {
    this.closeGdb();
    this.releaseAttached(false);
    this.checkpointer?.dispose();
    this.checkpointer = undefined;
    this.rt?.dispose();
    this.rt = undefined;
    super.shutdown();
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsInstructionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      exceptionBreakpointFilters: (this.options.exceptionFilters === 'detailed' ? EXCEPTION_FILTERS : GROUPED_FILTERS).map((f) => ({
        filter: f.id, label: f.label, description: f.description, default: false,
        supportsCondition: f.supportsCondition ?? false, conditionDescription: f.conditionDescription,
      })),
      supportsExceptionFilterOptions: true,
      supportsExceptionInfoRequest: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsStepBack: true,
      supportsGotoTargetsRequest: true,
      supportsSetVariable: true,
      supportsSetExpression: true,
      supportsEvaluateForHovers: true,
      supportsTerminateRequest: true,
      supportsRestartRequest: true,
      supportTerminateDebuggee: true,
      supportsCompletionsRequest: false,
      supportsValueFormattingOptions: false,
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    if (this.attachHost) { this.fail(response, Err.Launch, new Error('this is the debug server of a running guest (mips64 boot --debug-port): use an "attach" configuration')); return; }
    try {
      this.createRuntime(args);
    } catch (e) {
      this.fail(response, Err.Launch, e);
      return;
    }
    this.launchArgs = args;
    this.sendResponse(response);
    // Breakpoints can resolve against the machine's symbols from now on.
    this.sendEvent(new InitializedEvent());
    if (this.configured) this.rt!.start(stopsOnEntry(args), this.bootStops());
    else this.startWhenConfigured = true;
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured = true;
    this.sendResponse(response);
    if (this.startWhenConfigured && this.rt) {
      this.startWhenConfigured = false;
      this.rt.start(stopsOnEntry(this.launchArgs), this.bootStops());
    }
  }

  /** What the client set that could stop a boot (an instant boot would skip it: the boot is cold then). */
  private bootStops(): string[] {
    if (this.launchArgs?.noDebug) return [];
    const out: string[] = [];
    const count = (n: number, what: string): void => { if (n > 0) out.push(`${n} ${what}${n === 1 ? '' : 's'}`); };
    let source = 0;
    for (const a of this.sourceArgs.values()) source += a.breakpoints?.length ?? a.lines?.length ?? 0;
    count(source, 'source breakpoint');
    count(this.functionArgs.length, 'function breakpoint');
    count(this.instructionArgs.length, 'instruction breakpoint');
    count(this.dataArgs.length, 'data breakpoint');
    // (A kernel panic cannot come before the shell the cached boot reached.)
    const filters = new Set([...this.exceptionArgs.filters, ...(this.exceptionArgs.filterOptions ?? []).map((f) => f.filterId)]);
    filters.delete('panic');
    if (filters.size) out.push(`exception filters (${[...filters].join(', ')})`);
    return out;
  }

  /**
   * Attach: binds the session to the host's running machine. Without `--wait-for-debugger`
   * the guest keeps running (pause to inspect it); with it, the session stops at the entry.
   */
  protected override attachRequest(response: DebugProtocol.AttachResponse, args: AttachArguments): void {
    const host = this.attachHost;
    if (!host) {
      this.fail(response, Err.Launch, new Error('nothing to attach to: "attach" connects to a running `mips64 boot --debug-port N` (set "port"); this adapter launches guests itself'));
      return;
    }
    if (this.rt) { this.fail(response, Err.Launch, new Error('this session is already debugging a machine')); return; }
    const launchLike: LaunchArguments = { uartOutput: args?.uartOutput, stopOnEntry: host.waitingForDebugger };
    try {
      this.createRuntime(launchLike, host.attach());
    } catch (e) {
      this.fail(response, Err.Launch, e);
      return;
    }
    this.attached = true;
    this.launchArgs = launchLike;
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
    if (this.configured) this.rt!.start(launchLike.stopOnEntry ?? false);
    else this.startWhenConfigured = true;
  }

  /** Gives a lent machine back to the attach host (it runs on there), or ends its guest. */
  releaseAttached(terminate: boolean): void {
    const rt = this.rt;
    if (!this.attached || !rt || !this.attachHost) return;
    this.attached = false;
    this.rt = undefined;
    this.checkpointer?.dispose();
    this.checkpointer = undefined;
    // The host disposes the runtime once nobody holds it (a gdb may share it).
    for (const off of this.rtOffs.splice(0)) off();
    if (terminate) this.attachHost.terminate(rt);
    else this.attachHost.detach(rt);
  }

  private createRuntime(args: LaunchArguments, lent?: Runtime): void {
    const rt = lent ?? (args.checkpoint ? runtimeFromCheckpoint(args, args.checkpoint) : new Runtime(args, adapterDir()));
    for (const off of this.rtOffs.splice(0)) off();
    this.closeGdb();
    this.rt?.dispose();
    this.checkpointer?.dispose();
    this.checkpointer = undefined;
    this.rt = rt;
    this.paths = new SourcePathMap(args.sourceMap);
    this.vars = new VariableStore(rt.dbg);
    this.commands = new ConsoleCommands(rt.dbg);
    this.dis = new Disassembler({
      model: rt.machine.cpu.model.isa as CpuModelName,
      symbolize: (a) => { const s = rt.dbg.symbols.describe(a); return s ? ` <${s}>` : ''; },
    });
    this.docs = new CodeDocuments(rt.dbg, this.dis);
    const on = <K extends keyof RuntimeEvents>(name: K, fn: (e: RuntimeEvents[K]) => void): void => { this.rtOffs.push(rt.events.on(name, fn)); };
    on('stopped', (s) => this.onStopped(s));
    on('kernelSymbols', (k) => this.onKernelSymbols(k.text));
    on('kernelSymbolsPending', (text) => this.onKernelSymbols(text));
    on('moduleSymbols', (text) => this.onKernelSymbols(text));
    if (rt.kernelSymbols?.info) this.sendEvent(new OutputEvent(`${rt.kernelSymbols.info.text}\n`, 'console')); // found before this session listened (checkpoint launch)
    const uart = this.uartOutput = args.uartOutput ?? 'debugConsole';
    on('output', (o) => {
      if (o.category !== 'stdout') { this.sendEvent(new OutputEvent(o.text, o.category)); return; }
      if (uart !== 'debugConsole') this.sendEvent(new Event(UART_EVENT, { text: o.text, port: 0 } satisfies UartEventBody));
      if (uart !== 'event') this.sendEvent(new OutputEvent(o.text, o.category));
    });
    on('timeline', ({ text }) => {
      // Where the console's output stops (replay) and continues (live), like the restore marker.
      if (uart !== 'debugConsole') this.sendEvent(new Event(UART_EVENT, { text: `\r\n\x1b[2m── ${text} ──\x1b[0m\r\n`, port: 0, marker: true } satisfies UartEventBody));
      if (uart !== 'event') this.sendEvent(new OutputEvent(`── ${text} ──\n`, 'console'));
    });
    on('exited', ({ code }) => {
      this.sendEvent(new OutputEvent(`The guest powered off (exit code ${code}).\n`, 'console'));
      this.sendEvent(new ExitedEvent(code));
      this.sendEvent(new TerminatedEvent());
    });
    this.sendEvent(new OutputEvent(`MIPS64 Studio: ${rt.boot.board} board, ${rt.machine.model.name}, ${rt.engine} engine, `
      + `${rt.machine.options.memoryMiB} MiB; ${rt.boot.kernelName} (entry ${hex64(rt.boot.entry)}, ${rt.boot.symbols} symbols)\n`, 'console'));
    for (const note of rt.boot.debugInfo) this.sendEvent(new OutputEvent(`${note}\n`, 'console'));
    this.applyAllBreakpoints();
    if (!lent && args.gdbPort !== undefined) this.startGdb(args.gdbPort, args.gdbHost ?? '127.0.0.1');
  }

  /** Serves gdb's remote protocol on the launched machine (launch attribute "gdbPort"). */
  private startGdb(port: number, host: string): void {
    const gdb: SessionGdb = this.gdb = new SessionGdb({
      runtime: (): Runtime | undefined => (this.gdb === gdb ? this.rt : undefined),
      checkpoints: (rt) => this.checkpoints(rt),
      note: (line, category) => this.sendEvent(new OutputEvent(`${line}\n`, category)),
      continued: () => this.sendEvent(new ContinuedEvent(THREAD_ID, true)),
      invalidated: () => { this.vars?.reset(); this.sendEvent(new InvalidatedEvent(['all'])); },
      kill: () => {
        this.closeGdb();
        this.rt?.dispose();
        this.rt = undefined;
        this.sendEvent(new OutputEvent('gdb killed the guest\n', 'console'));
        this.sendEvent(new TerminatedEvent());
      },
    });
    void gdb.listen(port, host);
  }

  private closeGdb(): void {
    this.gdb?.close();
    this.gdb = undefined;
  }

  /**
   * Kernel symbols appeared (or moved by the KASLR offset, or were set aside until the
   * kernel starts again) at run time: function and source breakpoints resolve again (same
   * ids, 'changed' events).
   */
  private onKernelSymbols(text: string): void {
    this.symbolsGeneration++;
    this.sendEvent(new OutputEvent(`${text}\n`, 'console'));
    if (!this.rt) return;
    if (this.functionArgs.length) {
      for (const bp of this.resolveFunctionBreakpoints(this.functionArgs, this.functionIds)) this.sendEvent(new BreakpointEvent('changed', bp));
    }
    if (this.sourceArgs.size) {
      for (const list of this.resolveSourceBreakpoints().values()) for (const bp of list) this.sendEvent(new BreakpointEvent('changed', bp));
    }
  }

  private onStopped(s: StopInfo): void {
    this.lastStop = s;
    this.vars?.reset();
    this.frameContexts.clear();
    this.fileExists.clear();
    const ev = new StoppedEvent(s.reason, THREAD_ID, s.text) as DebugProtocol.StoppedEvent;
    ev.body.description = s.description;
    ev.body.allThreadsStopped = true;
    if (s.hitBreakpointIds?.length) ev.body.hitBreakpointIds = s.hitBreakpointIds;
    this.sendEvent(ev);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    this.closeGdb();
    // Attached: the guest goes on running in its host unless the client asks to end it.
    this.releaseAttached(args?.terminateDebuggee === true);
    this.rt?.dispose();
    this.rt = undefined;
    // Responds, then (stdio mode) exits the adapter process.
    super.disconnectRequest(response, args);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.closeGdb();
    this.releaseAttached(true);
    this.rt?.dispose();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments | undefined): void {
    const next = (args?.arguments as LaunchArguments | undefined) ?? this.launchArgs;
    if (this.attached) { this.fail(response, Err.Request, new Error('an attached machine cannot be restarted (it runs in `mips64 boot`)')); return; }
    if (!next) { this.fail(response, Err.NotRunning, new Error('nothing to restart: not launched')); return; }
    try {
      this.createRuntime(next);
    } catch (e) {
      this.fail(response, Err.Launch, e);
      return;
    }
    this.launchArgs = next;
    this.sendResponse(response);
    this.rt!.start(stopsOnEntry(next));
  }

  // ---- breakpoints ----------------------------------------------------------------------------

  private applyAllBreakpoints(): void {
    const rt = this.rt;
    if (!rt) return;
    for (const kind of ['source', 'function', 'instruction'] as const) {
      rt.dbg.setCodeBreakpoints(kind, (this.code.get(kind) ?? []).map((b) => b.spec));
    }
    if (this.sourceArgs.size) this.resolveSourceBreakpoints();
    if (this.functionArgs.length) this.resolveFunctionBreakpoints(this.functionArgs);
    if (this.instructionArgs.length) this.resolveInstructionBreakpoints(this.instructionArgs);
    rt.dbg.setExceptionFilters(this.exceptionFilterList(this.exceptionArgs));
    if (this.dataArgs.length) this.resolveDataBreakpoints(this.dataArgs);
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const key = this.sourceKey(args.source);
    if (key) this.sourceArgs.set(key, args);
    const results = this.rt ? this.resolveSourceBreakpoints(key) : new Map<string, DebugProtocol.Breakpoint[]>();
    response.body = { breakpoints: (key && results.get(key)) || (args.breakpoints ?? []).map((b) => this.unbound(args.source, b.line)) };
    this.sendResponse(response);
  }

  private sourceKey(source: DebugProtocol.Source): string | undefined {
    if (source.path) return resolve(this.convertClientPathToDebugger(source.path));
    return source.sourceReference ? `${REF_KEY}${source.sourceReference}` : undefined;
  }

  /** A line of a disassembly document (key `ref:N`): its address. */
  private documentLine(key: string, line: number): { line: number; addrs: bigint[] } | undefined {
    if (!key.startsWith(REF_KEY)) return undefined;
    const addr = this.docs?.addressOf(Number(key.slice(REF_KEY.length)), line);
    return addr === undefined ? undefined : { line, addrs: [addr] };
  }

  private unbound(source: DebugProtocol.Source, line: number, id = this.nextBpId++): DebugProtocol.Breakpoint {
    const name = source.name ?? (source.path ? basename(source.path) : 'this source');
    const pending = this.rt?.dbg.symbolsPending;
    const aside = pending && source.path ? this.lineFile(source.path, true) : undefined;
    return {
      id, verified: false, line,
      message: !this.rt ? 'the machine has not been launched yet'
        : !source.path && source.sourceReference ? `line ${line} of ${name} shows no instruction, or the document is from an earlier session`
        : aside !== undefined ? `${name} is kernel code whose load address is not known yet: the breakpoint is set once ${pending}`
        : source.path && this.lineFile(source.path) !== undefined ? `no code at or after line ${line} of ${name}`
          : `no line information for ${name} (no loaded ELF file's DWARF line table names it${this.launchArgs?.sourceMap ? '' : '; a "sourceMap" maps build paths to local ones'})`,
    };
  }

  /** Binds every source's breakpoints to addresses through the line table; they keep their ids except those of `fresh` (just set). */
  private resolveSourceBreakpoints(fresh?: string): Map<string, DebugProtocol.Breakpoint[]> {
    const dbg = this.rt!.dbg;
    const files = new Map(dbg.lines.files().map((f) => [this.paths.key(f), f]));
    const functionOf = (a: bigint): bigint | undefined => dbg.unwinder.rulesAt(a)?.rules.fde.pcBegin ?? dbg.symbols.lookup(a)?.addr;
    const specs: CodeBreakpointSpec[] = [];
    const out = new Map<string, DebugProtocol.Breakpoint[]>();
    for (const [key, args] of this.sourceArgs) {
      const file = files.get(key);
      const list: DebugProtocol.Breakpoint[] = [];
      const old = key === fresh ? [] : this.sourceIds.get(key) ?? [];
      for (const [k, b] of (args.breakpoints ?? []).entries()) {
        const id = old[k] ?? this.nextBpId++;
        const r = file !== undefined ? dbg.lines.resolve(file, b.line, 20, functionOf) : this.documentLine(key, b.line);
        if (!r || r.addrs.length === 0) { list.push(this.unbound(args.source, b.line, id)); continue; }
        for (const addr of r.addrs) specs.push({ id, addr, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage });
        list.push({ id, verified: true, line: r.line, source: args.source, instructionReference: hex64(r.addrs[0]) });
      }
      out.set(key, list);
      this.sourceIds.set(key, list.map((b) => b.id!));
    }
    const errors = dbg.setCodeBreakpoints('source', specs);
    specs.forEach((s, k) => {
      if (!errors[k]) return;
      for (const l of out.values()) { const o = l.find((x) => x.id === s.id); if (o) { o.verified = false; o.message = errors[k]; } }
    });
    return out;
  }

  /** Whether the local file of a DWARF path exists (else its frames show disassembly). */
  private hasFile(file: string): boolean {
    let e = this.fileExists.get(file);
    if (e === undefined) this.fileExists.set(file, e = existsSync(this.paths.toLocal(file)));
    return e;
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const ref = args.source?.sourceReference ?? args.sourceReference;
    const text = ref ? this.docs?.content(ref) : undefined;
    if (text === undefined) { this.fail(response, Err.Request, new Error(`no such source (reference ${ref}): it belonged to an earlier session or was forgotten`)); return; }
    response.body = { content: text, mimeType: CODE_MIME_TYPE };
    this.sendResponse(response);
  }

  private sourceOf(file: string): DebugProtocol.Source {
    const local = this.paths.toLocal(file);
    return new Source(basename(local), this.convertDebuggerPathToClient(local));
  }

  /** The line table's name for a client source path (through the source map), if it has one (`aside`: among rows set aside). */
  private lineFile(clientPath: string, aside = false): string | undefined {
    const key = resolve(this.convertClientPathToDebugger(clientPath));
    const lines = this.rt?.dbg.lines;
    return (aside ? lines?.filesAside() : lines?.files())?.find((f) => this.paths.key(f) === key);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.functionArgs = args.breakpoints;
    response.body = { breakpoints: this.rt ? this.resolveFunctionBreakpoints(args.breakpoints) : args.breakpoints.map(() => this.pendingBp()) };
    this.sendResponse(response);
  }

  private pendingBp(): DebugProtocol.Breakpoint {
    return { id: this.nextBpId++, verified: false, message: 'the machine has not been launched yet' };
  }

  /** `values`: the names' values (or why not) when evaluated beforehand (setFunctionBreakpointsInSteps). */
  private resolveFunctionBreakpoints(list: DebugProtocol.FunctionBreakpoint[], ids: readonly number[] = [], values?: ReadonlyArray<bigint | Error>): DebugProtocol.Breakpoint[] {
    const dbg = this.rt!.dbg;
    const out: DebugProtocol.Breakpoint[] = [];
    const specs: CodeBreakpointSpec[] = [];
    const later = dbg.symbolsPending ? `; it is set once ${dbg.symbolsPending}`
      : this.rt!.tracksModules ? '; it is set when a module that defines it is loaded' : '';
    for (const [k, b] of list.entries()) {
      const id = ids[k] ?? this.nextBpId++;
      let addr: bigint | undefined;
      let message: string | undefined;
      const v = values?.[k];
      if (v instanceof Error) message = v.message + later;
      else if (v !== undefined) addr = U64(v);
      else try { addr = U64(evaluate(b.name, dbg.ctx).v); } catch (e) { message = (e as Error).message + later; }
      if (addr !== undefined) {
        specs.push({ id, addr, condition: b.condition, hitCondition: b.hitCondition });
        out.push({ id, verified: true, instructionReference: hex64(addr), message: dbg.addr(addr) });
      } else out.push({ id, verified: false, message });
    }
    const errors = dbg.setCodeBreakpoints('function', specs);
    this.code.set('function', []);
    specs.forEach((s, k) => { if (errors[k]) { const o = out.find((x) => x.id === s.id)!; o.verified = false; o.message = errors[k]; } });
    this.functionIds = out.map((o) => o.id!);
    return out;
  }

  /** setFunctionBreakpoints with many names: they are evaluated in steps, other requests served in between. */
  private async setFunctionBreakpointsInSteps(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    const values = await this.evaluateInSteps(args.breakpoints.map((b) => b.name));
    if (!this.rt) { this.fail(response, Err.NotRunning, new Error('the machine went away while the breakpoints were resolved')); return; }
    this.functionArgs = args.breakpoints;
    response.body = { breakpoints: this.resolveFunctionBreakpoints(args.breakpoints, [], values) };
    this.sendResponse(response);
  }

  private async setInstructionBreakpointsInSteps(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): Promise<void> {
    const values = await this.evaluateInSteps(args.breakpoints.map((b) => b.instructionReference));
    if (!this.rt) { this.fail(response, Err.NotRunning, new Error('the machine went away while the breakpoints were resolved')); return; }
    this.instructionArgs = args.breakpoints;
    response.body = { breakpoints: this.resolveInstructionBreakpoints(args.breakpoints, values) };
    this.sendResponse(response);
  }

  /**
   * Values of breakpoint expressions (or why not), EVALUATIONS_PER_STEP at a time with the
   * event loop served in between; undefined when the machine or its symbols changed
   * meanwhile (the caller then evaluates them again, at once).
   */
  private async evaluateInSteps(exprs: readonly string[]): Promise<Array<bigint | Error> | undefined> {
    const rt = this.rt, generation = this.symbolsGeneration;
    const out: Array<bigint | Error> = [];
    for (let i = 0; i < exprs.length; i++) {
      if (i > 0 && i % EVALUATIONS_PER_STEP === 0) {
        await yieldToEventLoop();
        if (this.rt !== rt || this.symbolsGeneration !== generation) return undefined;
      }
      const ref = parseMemRef(exprs[i]!);
      try { out.push(ref ? ref.addr : evaluate(exprs[i]!, rt!.dbg.ctx).v); } catch (e) { out.push(e instanceof Error ? e : new Error(String(e))); }
    }
    return out;
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.instructionArgs = args.breakpoints;
    response.body = { breakpoints: this.rt ? this.resolveInstructionBreakpoints(args.breakpoints) : args.breakpoints.map(() => this.pendingBp()) };
    this.sendResponse(response);
  }

  private resolveInstructionBreakpoints(list: DebugProtocol.InstructionBreakpoint[], values?: ReadonlyArray<bigint | Error>): DebugProtocol.Breakpoint[] {
    const dbg = this.rt!.dbg;
    const out: DebugProtocol.Breakpoint[] = [];
    const specs: CodeBreakpointSpec[] = [];
    for (const [k, b] of list.entries()) {
      const id = this.nextBpId++;
      let addr: bigint | undefined;
      let message: string | undefined;
      const v = values?.[k];
      try {
        if (v instanceof Error) throw v;
        const ref = v === undefined ? parseMemRef(b.instructionReference) : undefined;
        addr = U64((v ?? (ref ? ref.addr : evaluate(b.instructionReference, dbg.ctx).v)) + BigInt(b.offset ?? 0));
      } catch (e) { message = (e as Error).message; }
      if (addr !== undefined) {
        specs.push({ id, addr, condition: b.condition, hitCondition: b.hitCondition, logMessage: (b as { logMessage?: string }).logMessage });
        out.push({ id, verified: true, instructionReference: hex64(addr) });
      } else out.push({ id, verified: false, message });
    }
    const errors = dbg.setCodeBreakpoints('instruction', specs);
    specs.forEach((s, k) => { if (errors[k]) { const o = out.find((x) => x.id === s.id)!; o.verified = false; o.message = errors[k]; } });
    return out;
  }

  private exceptionFilterList(args: DebugProtocol.SetExceptionBreakpointsArguments): Array<{ id: string; condition?: string }> {
    const list: Array<{ id: string; condition?: string }> = args.filters.map((id) => ({ id }));
    for (const o of args.filterOptions ?? []) list.push({ id: o.filterId, condition: o.condition });
    return list;
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.exceptionArgs = args;
    const list = this.exceptionFilterList(args);
    const notes = this.rt ? this.rt.dbg.setExceptionFilters(list) : [];
    for (const n of notes) this.sendEvent(new OutputEvent(`${n}\n`, 'console'));
    response.body = { breakpoints: list.map((f) => ({ verified: isExceptionFilter(f.id) })) };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const rt = this.rt;
    const none = (description: string): void => { response.body = { dataId: null, description }; this.sendResponse(response); };
    if (!rt) { none('the machine has not been launched yet'); return; }
    // A typed variable (DWARF): a member shown in Variables/Watch, or an expression such as init_task.pid.
    const typed = this.vars?.typedLocation(args.variablesReference, args.name);
    if (args.variablesReference !== undefined && !args.asAddress && !typed) {
      none('registers and CP0 state cannot be watched: watch a memory address (e.g. a symbol or *(u64*)ADDR)');
      return;
    }
    try {
      let phys = false;
      let addr: bigint;
      const ref = parseMemRef(args.name);
      if (typed && args.bytes === undefined) args = { ...args, bytes: typed.size };
      if (typed) addr = typed.addr;
      else if (ref) { addr = ref.addr; phys = ref.phys; } else {
        const v = evaluate(args.name, rt.dbg.ctx);
        addr = v.lvalue?.kind === 'mem' ? v.lvalue.ref.addr : v.v;
        phys = v.lvalue?.kind === 'mem' ? v.lvalue.ref.phys : v.phys ?? false;
      }
      const size = args.bytes ?? (() => { const v = evaluate(args.name, rt.dbg.ctx); return v.lvalue?.kind === 'mem' ? v.lvalue.size : 8; })();
      const r = rt.dbg.watches.resolve({ id: 0, addr: U64(addr), phys, length: size, access: 'write' });
      if ('error' in r) { none(r.error); return; }
      response.body = {
        dataId: `${phys ? 'phys:' : ''}${hex64(addr)}/${size}`,
        description: `${size} byte${size > 1 ? 's' : ''} at ${phys ? `phys:0x${addr.toString(16)}` : rt.dbg.addr(U64(addr))}`,
        accessTypes: ['write', 'read', 'readWrite'], canPersist: false,
      };
      this.sendResponse(response);
    } catch (e) {
      none((e as Error).message);
    }
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.dataArgs = args.breakpoints;
    response.body = { breakpoints: this.rt ? this.resolveDataBreakpoints(args.breakpoints) : args.breakpoints.map(() => this.pendingBp()) };
    this.sendResponse(response);
  }

  private resolveDataBreakpoints(list: DebugProtocol.DataBreakpoint[]): DebugProtocol.Breakpoint[] {
    const dbg = this.rt!.dbg;
    const out: DebugProtocol.Breakpoint[] = [];
    const specs = [];
    for (const b of list) {
      const id = this.nextBpId++;
      const m = /^(phys:)?(0x[0-9a-f]+)\/(\d+)$/i.exec(b.dataId);
      if (!m) { out.push({ id, verified: false, message: `bad data breakpoint id '${b.dataId}'` }); continue; }
      const access: WatchAccess = b.accessType ?? 'write';
      specs.push({ id, addr: BigInt(m[2]), phys: !!m[1], length: Number(m[3]), access, condition: b.condition, hitCondition: b.hitCondition });
      out.push({ id, verified: true, description: `${access} ${m[3]} bytes at ${m[1] ?? ''}${m[2]}` } as DebugProtocol.Breakpoint);
    }
    const errors = dbg.setDataBreakpoints(specs);
    specs.forEach((s, k) => { if (errors[k]) { const o = out.find((x) => x.id === s.id)!; o.verified = false; o.message = errors[k]; } });
    return out;
  }

  // ---- execution ------------------------------------------------------------------------------------

  private runtime(response: DebugProtocol.Response): Runtime | undefined {
    if (!this.rt) { this.fail(response, Err.NotRunning, new Error('the machine is not running (launch first)')); return undefined; }
    return this.rt;
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const rt = this.rt;
    const threads = [new Thread(THREAD_ID, 'CPU 0')];
    // Linux tasks (with the kernel's DWARF types) as threads of their own while stopped, each with its kernel stack.
    this.tasks = rt && rt.status !== 'running' ? linuxThreads(rt.dbg.ctx) : undefined;
    if (this.tasks) {
      if (this.tasks.current) threads[0] = new Thread(THREAD_ID, `CPU 0: ${this.tasks.current.comm} (pid ${this.tasks.current.pid})`);
      for (const t of this.tasks.others) threads.push(new Thread(TASK_THREAD_BASE + t.pid, `${t.comm} (pid ${t.pid}, ${t.state})`));
      if (this.tasks.note) this.sendEvent(new OutputEvent(`Linux tasks: ${this.tasks.note}\n`, 'console'));
    }
    response.body = { threads };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    const rt = this.runtime(response); if (!rt) return;
    this.vars?.reset();
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    rt.continue();
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.step(response, (rt) => (args.granularity === 'instruction' ? rt.stepOver() : rt.stepLine(true)));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.step(response, (rt) => (args.granularity === 'instruction' ? rt.stepInstruction() : rt.stepLine(false)));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.step(response, (rt) => rt.stepOut());
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.step(response, (rt) => rt.stepBack(args.granularity === 'instruction' ? 'instruction' : 'line'));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.step(response, (rt) => rt.reverseContinue());
  }

  private step(response: DebugProtocol.Response, f: (rt: Runtime) => void): void {
    const rt = this.runtime(response); if (!rt) return;
    if (rt.status === 'running') { this.fail(response, Err.Step, new Error('the machine is running: pause first')); return; }
    try {
      this.vars?.reset();
      f(rt);
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, Err.Step, e);
    }
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    const rt = this.runtime(response); if (!rt) return;
    this.sendResponse(response);
    rt.pause();
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    const file = args.source.path ? this.lineFile(args.source.path) : undefined;
    const r = file !== undefined ? rt.dbg.lines.resolve(file, args.line, 0) : undefined;
    // Without line information: the Debug Console moves the PC (`goto ADDR`, `$pc = ADDR`).
    const targets: DebugProtocol.GotoTarget[] = [];
    for (const addr of r?.addrs ?? []) {
      const id = this.gotoTargets.size + 1;
      this.gotoTargets.set(id, addr);
      targets.push({ id, label: `${rt.dbg.addr(addr)}`, line: r!.line, instructionPointerReference: hex64(addr) });
    }
    response.body = { targets };
    this.sendResponse(response);
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    const addr = this.gotoTargets.get(args.targetId);
    if (addr === undefined) { this.fail(response, Err.Step, new Error(`unknown goto target ${args.targetId}`)); return; }
    try {
      this.sendResponse(response);
      rt.goto(addr);
    } catch (e) { this.fail(response, Err.Step, e); }
  }

  // ---- state ----------------------------------------------------------------------------------------

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    const task = args.threadId !== THREAD_ID ? this.tasks?.others.find((t) => TASK_THREAD_BASE + t.pid === args.threadId) : undefined;
    const frames = args.threadId === THREAD_ID ? rt.dbg.unwinder.unwind(64) : task ? rt.dbg.unwinder.unwind(64, task.saved) : [];
    const idBase = task ? (task.pid + 1) * 100 : 0;
    // Scopes of an outer frame or of another task's frame show its own registers.
    frames.forEach((f, k) => { if ((idBase !== 0 || k > 0) && f.regs) this.frameContexts.set(idBase + k, { pc: f.pc, regs: f.regs }); });
    const start = args.startFrame ?? 0;
    const count = args.levels && args.levels > 0 ? args.levels : frames.length;
    response.body = {
      totalFrames: frames.length,
      stackFrames: frames.slice(start, start + count).map((f, k) => {
        let name = this.frameName(f);
        if (f.kind === 'exception') name += ` [${f.errorLevel ? 'error' : f.excName} exception, ${f.errorLevel ? 'ErrorEPC' : 'EPC'}]`;
        // Callers show the line of their call (the return address is past the delay slot).
        const index = start + k;
        const caller = (index > 0 || f.returnAddress) && f.kind === 'normal';
        const callAt = caller ? U64(f.pc - 8n) : f.pc;
        const at = rt.dbg.lines.lookup(callAt) ?? rt.dbg.lines.lookup(f.pc);
        const frame: DebugProtocol.StackFrame = { id: idBase + index, name, line: 0, column: 0, instructionPointerReference: hex64(f.pc) };
        if (at && this.hasFile(at.file)) {
          frame.source = this.sourceOf(at.file);
          frame.line = at.line;
          frame.column = Math.max(1, at.column);
        } else {
          // No source file here: the function's disassembly, as a document of its own.
          const doc = this.docs!.locate(caller ? U64(f.pc - 4n) : f.pc, callAt);
          if (doc) { frame.source = doc.source; frame.line = doc.line; frame.column = 1; }
        }
        return frame;
      }),
    };
    this.sendResponse(response);
  }

  /** "function+0x10" (the function containing the frame's pc, as gdb names it), else its address. */
  private frameName(f: Frame): string {
    const dbg = this.rt!.dbg;
    return frameLabel(dbg.symbols, f) ?? dbg.unwinder.vectorLabel(f.pc) ?? hex64(f.pc);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    if (!this.runtime(response)) return;
    response.body = { scopes: this.vars!.scopes(this.frameContexts.get(args.frameId)) };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    if (!this.runtime(response)) return;
    response.body = { variables: this.vars!.variables(args.variablesReference) };
    this.sendResponse(response);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    try {
      const pc = rt.machine.cpu.pc;
      const v = this.vars!.set(args.variablesReference, args.name, args.value);
      response.body = { value: v.value, variablesReference: v.variablesReference, memoryReference: v.memoryReference };
      this.sendResponse(response);
      this.changed(pc);
    } catch (e) { this.fail(response, Err.Eval, e); }
  }

  /** After the user changed state: views refresh; a moved PC is reported as a 'goto' stop. */
  private changed(pcBefore: bigint): void {
    const rt = this.rt!;
    if (rt.machine.cpu.pc !== pcBefore && rt.status === 'stopped') { rt.goto(BigInt.asUintN(64, rt.machine.cpu.pc)); return; }
    this.vars?.reset();
    this.sendEvent(new InvalidatedEvent(['variables']));
  }

  protected override setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    try {
      const pc = rt.machine.cpu.pc;
      const res = this.commands!.run(`${args.expression} = ${args.value}`);
      if (!res) throw new EvalError(`'${args.expression}' cannot be assigned`);
      const v = evaluate(args.expression, rt.dbg.ctx);
      response.body = { value: formatValue(v, rt.dbg.symbols) };
      this.sendResponse(response);
      this.changed(pc);
    } catch (e) { this.fail(response, Err.Eval, e); }
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    try {
      if (args.context === 'repl' || args.context === undefined) {
        const pc = rt.machine.cpu.pc;
        const r = this.commands!.run(args.expression);
        if (r) {
          response.body = { result: r.text, variablesReference: 0, memoryReference: r.memoryReference };
          this.sendResponse(response);
          if (r.changed) this.changed(pc);
          return;
        }
      }
      // C expressions over the symbol files' DWARF types first (jiffies, init_task.comm, *current).
      const typed = this.vars!.evaluateTyped(args.expression);
      if (typed) { response.body = typed; this.sendResponse(response); return; }
      const v = evaluate(args.expression, rt.dbg.ctx);
      const isAddr = v.kind !== 'field' && v.kind !== 'bool' && rt.dbg.mem.ramOffset({ addr: v.v, phys: v.phys ?? false }) >= 0 && v.v >= 0x1000n;
      response.body = {
        result: formatValue(v, rt.dbg.symbols), variablesReference: 0,
        memoryReference: isAddr ? `${v.phys ? 'phys:' : ''}${hex64(v.v)}` : undefined,
      };
      this.sendResponse(response);
    } catch (e) { this.fail(response, Err.Eval, e); }
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const s = this.lastStop;
    if (!s?.exception) { this.fail(response, Err.Request, new Error('not stopped on an exception')); return; }
    response.body = {
      exceptionId: s.exception.name, description: s.description, breakMode: 'always',
      details: { message: s.description, typeName: s.exception.filter },
    };
    this.sendResponse(response);
  }

  // ---- memory and disassembly ----------------------------------------------------------------------------

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    const ref = this.memRef(response, args.memoryReference); if (!ref) return;
    const count = Math.max(0, Math.min(args.count, 1 << 20));
    const addr = U64(ref.addr + BigInt(args.offset ?? 0));
    const bytes = rt.dbg.mem.read({ addr, phys: ref.phys }, count);
    let n = 0;
    while (n < bytes.length && bytes[n] !== undefined) n++;
    let bad = 0;
    while (n + bad < bytes.length && bytes[n + bad] === undefined) bad++;
    const data = Buffer.from(bytes.slice(0, n) as number[]);
    response.body = { address: `0x${addr.toString(16)}`, data: data.toString('base64'), unreadableBytes: bad };
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    const ref = this.memRef(response, args.memoryReference); if (!ref) return;
    const addr = U64(ref.addr + BigInt(args.offset ?? 0));
    const data = Buffer.from(args.data, 'base64');
    const probe = rt.dbg.mem.read({ addr, phys: ref.phys }, data.length);
    const writable = probe.findIndex((b) => b === undefined);
    if (writable >= 0 && !args.allowPartial) {
      this.fail(response, Err.Memory, new Error(`cannot write ${data.length} bytes at 0x${addr.toString(16)}: byte ${writable} is not RAM or not mapped`));
      return;
    }
    const n = rt.dbg.mem.write({ addr, phys: ref.phys }, new Uint8Array(data));
    response.body = { bytesWritten: n, offset: 0 };
    this.sendResponse(response);
    this.vars?.reset();
    this.sendEvent(new MemoryEvent(args.memoryReference, args.offset ?? 0, n));
    this.sendEvent(new InvalidatedEvent(['variables']));
  }

  private memRef(response: DebugProtocol.Response, text: string): { addr: bigint; phys: boolean } | undefined {
    const ref = parseMemRef(text);
    if (ref) return ref;
    try {
      const v = evaluate(text, this.rt!.dbg.ctx);
      return { addr: U64(v.v), phys: v.phys ?? false };
    } catch (e) {
      this.fail(response, Err.Memory, new Error(`bad memory reference '${text}': ${(e as Error).message}`));
      return undefined;
    }
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    const rt = this.runtime(response); if (!rt) return;
    const ref = this.memRef(response, args.memoryReference); if (!ref) return;
    const count = Math.max(0, Math.min(args.instructionCount, 10000));
    // Instructions are 4 bytes: align the start down.
    const start = U64(((ref.addr + BigInt(args.offset ?? 0)) & ~3n) + BigInt((args.instructionOffset ?? 0) * 4));
    const out: DebugProtocol.DisassembledInstruction[] = [];
    for (let k = 0; k < count; k++) {
      const a = U64(start + BigInt(k * 4));
      const w = rt.dbg.mem.readUnsigned({ addr: a, phys: ref.phys }, 4);
      if (w === undefined) {
        out.push({ address: hex64(a), instruction: '??', presentationHint: 'invalid' });
        continue;
      }
      const sym = args.resolveSymbols === false || ref.phys ? undefined : rt.dbg.symbols.describe(a);
      out.push({
        address: hex64(a),
        instructionBytes: w.toString(16).padStart(8, '0'),
        instruction: this.dis!.text(Number(w) | 0, a).replace('\t', ' '),
        symbol: sym,
      });
    }
    response.body = { instructions: out };
    this.sendResponse(response);
  }

  // ---- custom requests ----------------------------------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    switch (command) {
      case UART_INPUT: {
        const rt = this.runtime(response); if (!rt) return;
        const a = args as UartInputArguments | undefined;
        if (!a || typeof a.text !== 'string') { this.fail(response, Err.Request, new Error('mips64/uartInput needs { text: string }')); return; }
        if ((a.port ?? 0) !== 0) { this.fail(response, Err.Request, new Error('only UART 0 (the console) takes input')); return; }
        try {
          rt.input(a.text);
        } catch (e) {
          this.fail(response, Err.Request, e); // typing in the recorded past (timeTravelInputInPast: refuse)
          return;
        }
        this.sendResponse(response);
        return;
      }
      case STATS: {
        const rt = this.runtime(response); if (!rt) return;
        response.body = rt.stats();
        this.sendResponse(response);
        return;
      }
      case TIMELINE: {
        const rt = this.runtime(response); if (!rt) return;
        response.body = rt.timeline();
        this.sendResponse(response);
        return;
      }
      case GO_TO_INSTRUCTION: {
        const a = args as GoToInstructionArguments;
        this.step(response, (rt) => rt.goToInstruction(a.icount, a.sub ?? 0));
        return;
      }
      case STEP_BACK_OUT: {
        this.step(response, (rt) => rt.stepBackOut());
        return;
      }
      case CHECKPOINT_TAKE: case CHECKPOINT_LIST: case CHECKPOINT_RESTORE: case CHECKPOINT_DELETE: case CHECKPOINT_COMPARE: {
        const rt = this.runtime(response); if (!rt) return;
        try {
          response.body = this.checkpointRequest(command, rt, (args ?? {}) as Record<string, unknown>);
          this.sendResponse(response);
        } catch (e) {
          this.fail(response, Err.Checkpoint, e);
        }
        return;
      }
      default:
        super.customRequest(command, response, args);
    }
  }

  private checkpoints(rt: Runtime): Checkpointer {
    if (this.checkpointer) return this.checkpointer;
    const a = this.launchArgs;
    const dir = a?.checkpointDir ? (isAbsolute(a.checkpointDir) ? a.checkpointDir : resolve(a.checkpointDir)) : undefined;
    this.checkpointer = new Checkpointer(rt.machine, {
      memoryBudgetBytes: Math.max(0, a?.checkpointMemoryMiB ?? 512) * 1048576,
      disk: dir ? new DiskCheckpointStore(dir) : undefined,
    });
    return this.checkpointer;
  }

  private checkpointRequest(command: string, rt: Runtime, args: Record<string, unknown>): unknown {
    const cp = this.checkpoints(rt);
    const str = (key: string): string => {
      const v = args[key];
      if (typeof v !== 'string' || v === '') throw new CheckpointError('not-found', `${command} needs { ${key}: string }`);
      return v;
    };
    switch (command) {
      case CHECKPOINT_TAKE: {
        const a = args as CheckpointTakeArguments;
        rt.flushOutput();
        const taken = cp.take({ name: typeof a.name === 'string' && a.name !== '' ? a.name : undefined, kind: a.kind ?? 'auto' });
        return { checkpoint: checkpointItem(taken, taken.stored) };
      }
      case CHECKPOINT_LIST:
        return { checkpoints: cp.list().map((i) => checkpointItem(i, i.stored)), location: cp.disk?.location ?? 'memory' };
      case CHECKPOINT_RESTORE: {
        const id = str('id' satisfies keyof CheckpointRefArguments);
        const r = cp.restore(id);
        const info = cp.list().find((i) => i.id === r.id)!;
        this.vars?.reset();
        rt.restored(`Restored checkpoint '${info.name}' (instruction ${info.icount}) at ${rt.dbg.addr(BigInt.asUintN(64, rt.machine.cpu.pc))}`);
        // A marker where the console's output continues from the checkpoint (after the
        // stale output rt.restored dropped, before anything the guest prints next).
        if (this.uartOutput !== 'debugConsole') {
          this.sendEvent(new Event(UART_EVENT, { text: restoreMarkerText(info.name, info.icount), port: 0, marker: true } satisfies UartEventBody));
        }
        if (this.uartOutput !== 'event') {
          this.sendEvent(new OutputEvent(`── restored checkpoint ${info.name} (icount ${info.icount}) ──\n`, 'console'));
        }
        this.sendEvent(new InvalidatedEvent(['all']));
        return { checkpoint: checkpointItem(info, info.stored) };
      }
      case CHECKPOINT_DELETE:
        return { deleted: cp.delete(str('id')) };
      default: {
        const d = cp.diff(str('a' satisfies keyof CheckpointCompareArguments), str('b'));
        return { identical: d.identical, text: formatDiff(d).join('\n') + '\n' };
      }
    }
  }

  private fail(response: DebugProtocol.Response, id: number, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    this.sendErrorResponse(response, { id, format: msg, showUser: id === Err.Launch });
  }
}

function checkpointItem(i: Omit<CheckpointItem, 'stored'>, stored: Array<'memory' | 'disk'>): CheckpointItem {
  return {
    id: i.id, name: i.name, kind: i.kind, parentId: i.parentId, icount: i.icount, created: i.created,
    sizeBytes: i.sizeBytes, pages: i.pages, stored: [...stored],
  };
}

/**
 * The `checkpoint` launch attribute: boots the machine the checkpoint file records (its
 * board and RAM size; `board`/`memory` given as well must agree), then restores the file
 * (with its parents, looked up next to it and in `checkpointDir`). Anything wrong with the
 * file (unreadable, corrupt, missing parent, another machine) is a LaunchError.
 */
function runtimeFromCheckpoint(args: LaunchArguments, file: string): Runtime {
  const dirs = args.checkpointDir ? [isAbsolute(args.checkpointDir) ? args.checkpointDir : resolve(args.checkpointDir)] : [];
  const cannot = (why: string): LaunchError => new LaunchError(`cannot start from checkpoint '${file}': ${why}`);
  let chain: ParsedCheckpoint[];
  try {
    chain = readCheckpointChain(file, dirs);
  } catch (e) {
    throw cannot(e instanceof Error ? e.message : String(e));
  }
  const tip = chain[chain.length - 1]!.header;
  const m = tip.machine;
  const board = boardInfo(m.board);
  if (!board) throw cannot(`it is for a different machine (${describeConfig(m)}); this adapter runs the ${BOARD_NAMES.join(', ')} boards`);
  if (args.board !== undefined && args.board !== m.board) throw cannot(`it is for the ${m.board} board, not "board": "${args.board}"`);
  // (Whole MiB: an Octeon core's 64 KiB of CVMSEG are RAM the checkpoint holds too.)
  const memory = Math.floor(m.ramBytes / 1048576);
  if (args.memory !== undefined && args.memory !== memory) throw cannot(`it is for ${memory} MiB of RAM, not "memory": ${args.memory}`);
  const rt = new Runtime({ ...args, ...recordedLaunch(m, board.loads === 'linux', args, cannot), board: board.name, memory }, adapterDir(), undefined, m.options);
  try {
    const r = prepareRestore(rt.machine, chain).apply();
    rt.startedFromCheckpoint(`checkpoint '${r.name}' (${file}, instruction ${r.icount})`);
  } catch (e) {
    rt.dispose();
    throw cannot(e instanceof Error ? e.message : String(e));
  }
  return rt;
}

/**
 * What a checkpoint records of the machine it was taken on, as launch attributes the
 * configuration does not give: CPU, kernel command line, and the boot images (read again
 * from their recorded paths, for a later guest reset, when their SHA-256 still matches),
 * each unless the launch gives its own. A Linux kernel or initrd that is missing or
 * changed is a LaunchError naming it (the adapter needs the kernel for its symbols, and a
 * machine without the initrd would be another machine); give "kernel"/"initrd" with a copy.
 */
function recordedLaunch(m: MachineConfig, linux: boolean, args: LaunchArguments, cannot: (why: string) => LaunchError): Partial<LaunchArguments> {
  const out: Partial<LaunchArguments> = {};
  if (args.cpu === undefined) out.cpu = m.cpu;
  if (args.exactTlb === undefined && m.exactTlb) out.exactTlb = true;
  if (args.append === undefined && typeof m.options?.append === 'string') out.append = m.options.append;
  const given = args.kernel !== undefined || args.program !== undefined;
  for (const rec of m.images ?? []) {
    // The launch's own kernel or program wins; a recorded initrd or dtb fills in for one not given.
    if (rec.role === 'initrd' || rec.role === 'dtb' ? args[rec.role] !== undefined : given) continue;
    let ok = false;
    try { ok = isBootImage(rec, readInputFileSync(rec.path, bootImageInputKind(rec.role), rec.role), processHashes()); } catch { /* below */ }
    if (!ok) {
      if (linux) throw cannot(`the ${describeBootImage(rec)} it was booted from is not there or has changed; give "${rec.role}" with a copy`);
      continue;
    }
    if (rec.role === 'initrd' || rec.role === 'dtb') out[rec.role] = rec.path;
    else out.kernel = rec.path;
  }
  return out;
}

/** Directory of the running adapter bundle (dist/). */
function adapterDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.');
}

export { Breakpoint };

/** Run Without Debugging (noDebug) never stops at the entry. */
function stopsOnEntry(args: LaunchArguments | undefined): boolean {
  return args?.noDebug !== true && (args?.stopOnEntry ?? false);
}
