// The debuggee: one emulated machine with its MachineDebugger, booted from a launch
// configuration, executing in slices on the adapter's own event loop. Kept separate from
// the DAP session (session.ts), which only translates requests and events.
//
// Why slices with setImmediate and not a worker thread: every inspection request
// (registers, CP0, TLB, memory, disassembly, expressions) then reads the machine
// synchronously, with no copying or message round trips and no risk of observing a
// half-executed instruction; a slice lasts a few milliseconds, so requests (pause,
// UART input, evaluate while running) are served promptly. When the guest idles in
// WAIT, virtual time is paced to wall-clock time so timers tick at their real rate.

import type { JitOptions } from '../emulator/jit/engine';
import { parseJitTuning } from '../emulator/jit/tuning';
import { InputFileError, InputKind, readInputFileSync, readInputTextSync } from '../storage/input-file';
import { basename, join, resolve } from 'node:path';
import { CPU_MODELS } from '../emulator/cpu/cpu-models';
import { fileIncludes } from './include-files';
import { bootImage } from '../emulator/boot-images';
import { DEFAULT_SILENT_SECONDS, SilentGuestWatch } from '../emulator/silent-guest';
import { BOARD_NAMES, BoardName, boardInfo } from '../emulator/boards/catalog';
import { BoardError, bootBoard, BootedBoard, KernelImage, linuxBoardFor } from '../emulator/boards/registry';
import { FdtError } from '../emulator/boards/fdt';
import { MachineDebugger, RunState, StopInfo } from '../emulator/debug/debugger';
import { Emitter } from '../emulator/events';
import { KernelSymbols, KernelSymbolsHandlers, KernelSymbolsInfo } from '../emulator/debug/kernel-symbols';
import { ModuleSymbols } from '../emulator/debug/linux-modules';
import { readSymbolFile } from './symbol-file';
import { KernelRelocation, kernelBanner, kernelLinkSymbols, KernelLinkSymbols } from '../emulator/debug/kernel-relocation';
import { hex64 } from '../emulator/debug/expr';
import { assemble } from '../emulator/isa/assembler/assembler';
import { existsSync } from 'node:fs';
import { assemblyToElf } from '../emulator/isa/assembler/to-elf';
import { AssembleResult } from '../emulator/isa/assembler/assembler';
import { ElfFile, parseElf } from '../emulator/loader/elf';
import { loadDebugInfo } from '../emulator/debug/debug-info';
import { Machine } from '../emulator/machine';
import { TimeTravelDebugger, Travel, TravelMove } from '../emulator/timetravel/reverse';
import { formatPosition } from '../emulator/timetravel/position';
import { LaunchArguments, StatsBody, TimelineBody } from './protocol';
import { cacheDir } from '../storage/cache-dir';
import { InstantBootCache, instantBootCache, restoreInstantBoot, saveInstantBootAtShell } from '../storage/instant-boot';
import { processHashes } from '../storage/parallel-hashes';

export interface RuntimeEvents {
  stopped: StopInfo;
  /** Guest console output (UART 0) or debugger messages. */
  output: { text: string; category: 'stdout' | 'console' | 'stderr' };
  exited: { code: number };
  /** Kernel symbols found at run time (kallsyms of a vmlinuz, rebased by the KASLR offset). */
  kernelSymbols: KernelSymbolsInfo;
  /** Kernel symbols were dropped or set aside until the kernel starts again (a reset, a restore into the decompressor): the text says so. */
  kernelSymbolsPending: string;
  /** A line for the console where time travel changes what it shows (replay ended, live again). */
  timeline: { text: string };
  /** Loaded modules' symbols came, changed or went (lines for the console). */
  moduleSymbols: string;
}

/** A launch problem the user must fix (reported as an error response). */
export class LaunchError extends Error {}

const DEMO_ORIGIN = 0xffffffff80100000n;
/** Instructions per run slice; the loop runs slices for up to TICK_MS before yielding. */
const SLICE = 100_000;
const TICK_MS = 15;

export interface BootInfo {
  board: BoardName;
  kernelName: string;
  entry: bigint;
  symbols: number;
  /** Notes on debugging information read at launch (DWARF line tables and CFI, or why not). */
  debugInfo: string[];
}

/**
 * A machine that is already running elsewhere (`mips64 boot --debug-port`): a debug
 * session attaches to it instead of booting one. Its MachineDebugger lives as long as the
 * machine (symbols loaded once); sessions come and go.
 */
export interface RunningMachine {
  machine: Machine;
  dbg: MachineDebugger;
  engine: 'jit' | 'interp';
  boot: BootInfo;
  consoleInput(bytes: Uint8Array): void;
  /** Kernel symbols found at run time (they live with the machine, like dbg). */
  kernelSymbols?: KernelSymbolsWatcher;
  /** The machine's recording for reverse debugging (`mips64 boot --record`); it outlives the sessions. */
  tt?: TimeTravelDebugger;
}

/** Run-time kernel symbols: from kallsyms (a stripped vmlinuz) or a kernel ELF's, followed through KASLR. */
export interface KernelSymbolsWatcher {
  readonly info: KernelSymbolsInfo | undefined;
  readonly pending: boolean;
  resync(): void;
}

export class Runtime {
  readonly events = new Emitter<RuntimeEvents>();
  readonly machine: Machine;
  readonly dbg: MachineDebugger;
  readonly engine: 'jit' | 'interp';
  readonly boot: BootInfo;
  private state: StatsBody['state'] = 'not started';
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly decoder = new TextDecoder('utf-8');
  private outBuf: number[] = [];
  private hostRunMs = 0;
  private runInsns = 0;
  private wall0 = 0;
  private virt0 = 0;
  private readonly consoleInput: (bytes: Uint8Array) => void;
  /** The demo's assembly, when its source is available: line information for source-level debugging. */
  private demoSource: { path: string; result: AssembleResult; elf: Uint8Array } | undefined;
  /** Unsubscribes from the machine's events (an attached machine outlives its runtimes). */
  private readonly offs: Array<() => void> = [];
  /**
   * Kernel symbols found at run time: kallsyms of a stripped vmlinuz, or the KASLR offset
   * of a kernel whose symbols come from an ELF file (undefined for other images).
   */
  readonly kernelSymbols: KernelSymbolsWatcher | undefined;
  /** Symbols of the Linux kernel's loaded modules (a Linux board with the kernel's DWARF types). */
  private modules: ModuleSymbols | undefined;
  /** Reverse debugging (launch attribute timeTravel, default on); undefined when off, with the reason in timeTravelOff. */
  tt: TimeTravelDebugger | undefined;
  /** A booted Linux kernel's first console output, awaited (launch attribute silentExit): a stop with the reason when none comes. */
  private silent: SilentGuestWatch | undefined;
  timeTravelOff = 'time travel is off for this session';
  private ownsTimeTravel = true;
  /** Instant boot (Linux boards, launch attribute instantBoot): the cache entry of this configuration. */
  private instant: { cache: InstantBootCache; consoleReady: () => boolean } | undefined;
  /** Stops watching for the save point of an instant boot (the first stop ends it: the user may change the state there). */
  private stopSaving: (() => void) | undefined;
  /** The time-travel move in progress. */
  private move: { travel: Travel; finished: (st: RunState) => void; failed: (e: unknown) => RunState } | undefined;

  /**
   * Boots a machine from a launch configuration, or (`running`) drives one that already
   * runs; `recorded`: the board options of the checkpoint it is booted to take (MachineConfig.options).
   */
  constructor(args: LaunchArguments, private readonly adapterDir: string, running?: RunningMachine, recorded?: Readonly<Record<string, string | number | boolean>>) {
    if (running) {
      this.machine = running.machine;
      this.dbg = running.dbg;
      this.engine = running.engine;
      this.boot = { ...running.boot };
      this.consoleInput = (bytes) => running.consoleInput(bytes);
      this.kernelSymbols = running.kernelSymbols;
      this.tt = running.tt;
      this.ownsTimeTravel = false;
      if (!this.tt) this.timeTravelOff = 'time travel is off: the guest was not started with `mips64 boot --record`';
      this.listen();
      this.listenTimeTravel();
      // Loaded modules, as a launched session follows them: when the booted kernel ELF has
      // DWARF types; read now if the kernel's symbols are placed, again whenever they move.
      if (boardInfo(this.boot.board)?.kernelSymbols === 'linux' && !this.dbg.types.empty) {
        this.modules = new ModuleSymbols(this.dbg, (text) => this.events.emit('moduleSymbols', text));
        this.offs.push(this.events.on('kernelSymbols', () => this.modules?.arm()));
        if (running.kernelSymbols?.info) this.modules.arm();
      }
      return;
    }
    const kernelPath = args.kernel;
    if (args.program !== undefined && kernelPath !== undefined) throw new LaunchError('give either "program" (an assembly source) or "kernel" (an ELF), not both');
    if (args.board !== undefined && !(BOARD_NAMES as readonly string[]).includes(args.board)) {
      throw new LaunchError(`unknown board '${String(args.board)}' (${BOARD_NAMES.join(', ')})`);
    }
    if (args.program !== undefined && args.board !== undefined && args.board !== 'demo') {
      throw new LaunchError(`"program" (an assembly source) runs on the demo board; remove "board": "${args.board}"`);
    }
    const engine = args.engine ?? 'jit';
    if (engine !== 'jit' && engine !== 'interp') throw new LaunchError(`unknown engine '${String(engine)}' (jit or interp)`);
    this.engine = engine;
    const program = args.program !== undefined ? assembleProgram(args.program, args.cpu, args.includePaths) : undefined;
    const kernel = kernelPath ? readInput(kernelPath, 'kernel') : program?.elf;
    const requested = args.board;
    if (!kernelPath && requested !== undefined && boardInfo(requested)!.loads === 'linux') {
      throw new LaunchError(`board "${requested}" needs a "kernel" (an ELF vmlinux or vmlinuz); omit "board" or use "demo" for the built-in demo`);
    }
    const what = kernelPath ? `'${kernelPath}'` : program ? `'${args.program}'` : 'the demo guest';
    // The kernel ELF, parsed once: the board loads it, the debugger reads its symbols.
    let image: KernelImage;
    let jit: JitOptions | undefined;
    try { jit = args.tune !== undefined ? parseJitTuning(args.tune) : undefined; } catch (e) { throw new LaunchError(`"tune": ${(e as Error).message}`); }
    try {
      const bytes = kernel ?? this.demoElf();
      image = { bytes, elf: parseElf(bytes), name: kernelPath ?? args.program ?? 'built-in demo' };
    } catch (e) {
      if (e instanceof LaunchError) throw e;
      throw new LaunchError(`cannot boot ${what}: ${(e as Error).message}`);
    }
    const board: BoardName = requested ?? (kernelPath ? linuxBoardFor(image.elf) : 'demo');
    const memoryMiB = args.memory ?? boardInfo(board)!.memoryMiB.default;
    if (!Number.isInteger(memoryMiB) || memoryMiB < 16 || memoryMiB > 2048) throw new LaunchError(`memory must be an integer number of MiB in 16..2048, got ${String(args.memory)}`);
    let entry: bigint;
    try {
      const initrd = args.initrd && boardInfo(board)!.loads === 'linux' ? readInput(args.initrd, 'initrd', 'initrd') : undefined;
      const dtb = args.dtb !== undefined ? readInput(args.dtb, 'device tree blob', 'dtb') : undefined;
      let b: BootedBoard;
      try {
        b = bootBoard(board, { engine, jit, exactTlb: args.exactTlb ?? false, memoryMiB, cpu: args.cpu, kernel: image, initrd, dtb, append: args.append, recorded });
      } catch (e) {
        if (e instanceof FdtError) throw new LaunchError(`"dtb" '${args.dtb}': ${e.message}`);
        throw e;
      }
      this.machine = b.machine;
      b.machine.snapshot.hashes = processHashes();
      // Checkpoints record the images a reset boots from again (a built-in or assembled program has no file).
      if (kernelPath) {
        b.machine.bootImages = [bootImage(boardInfo(board)!.loads === 'linux' ? 'kernel' : 'program', resolve(kernelPath), image.bytes, b.machine.snapshot.hashes),
          ...(initrd ? [bootImage('initrd', resolve(args.initrd!), initrd, b.machine.snapshot.hashes)] : []),
          ...(dtb ? [bootImage('dtb', resolve(args.dtb!), dtb, b.machine.snapshot.hashes)] : [])];
      }
      entry = b.entry;
      this.consoleInput = (bytes) => b.machine.consoleInput(bytes);
      if (boardInfo(board)!.loads === 'linux' && args.instantBoot !== false && !args.checkpoint) {
        this.instant = { cache: instantBootCache(args.cacheDir ?? cacheDir(), b.machine, image.bytes, initrd, args.append ?? '', dtb), consoleReady: () => b.consoleReady() };
      }
    } catch (e) {
      if (e instanceof LaunchError) throw e;
      if (e instanceof BoardError) throw new LaunchError(e.message);
      throw new LaunchError(`cannot boot ${what}: ${(e as Error).message}`);
    }
    const kernelBytes = image.bytes;
    this.dbg = new MachineDebugger(this.machine);
    let symbols = 0;
    const debugInfo: string[] = [];
    /** Files loaded at offset 0 whose symbols say they are the kernel (KASLR moves them). */
    const kernelFiles: Array<{ source: string; link: KernelLinkSymbols }> = [];
    const noteKernel = (source: string, offset: bigint, elf: ElfFile): void => {
      const table = offset === 0n ? this.dbg.symbols.tablesOf(source).find((t) => kernelLinkSymbols(t)) : undefined;
      if (table) kernelFiles.push({ source, link: { ...kernelLinkSymbols(table)!, banner: kernelBanner(elf, table) } });
    };
    const kernelSource = kernelPath ?? args.program ?? 'demo';
    if (image.elf.symbols.length > 0) symbols += this.dbg.symbols.addElf(image.elf, 0n, kernelSource);
    this.addDebugInfo(image.elf, 0n, kernelSource, debugInfo);
    noteKernel(kernelSource, 0n, image.elf);
    for (const s of args.symbols ?? []) {
      if (!s || typeof s.path !== 'string') throw new LaunchError('each "symbols" entry needs a "path"');
      const offset = parseOffset(s.offset);
      try {
        const bytes = readSymbols(s.path);
        symbols += this.dbg.symbols.addElf(bytes, offset, s.path);
        const elf = parseElf(bytes);
        this.addDebugInfo(elf, offset, s.path, debugInfo, true);
        noteKernel(s.path, offset, elf);
      } catch (e) {
        if (e instanceof LaunchError) throw e;
        throw new LaunchError(`cannot load symbols from '${s.path}': ${(e as Error).message}`);
      }
    }
    this.boot = { board, kernelName: kernelPath ?? args.program ?? 'built-in demo', entry, symbols, debugInfo };
    const handlers: KernelSymbolsHandlers = {
      onReady: (info) => { this.events.emit('kernelSymbols', info); this.modules?.arm(); },
      onError: (message) => this.events.emit('output', { text: `${message}\n`, category: 'stderr' }),
      onPending: () => this.events.emit('kernelSymbolsPending', 'kernel symbols: set aside until the kernel starts (and relocates itself) again'),
    };
    const rk = kernelFiles[0]?.link.relocateKernel;
    const linuxSymbols = boardInfo(board)!.kernelSymbols === 'linux';
    if (linuxSymbols && !this.dbg.types.empty) this.modules = new ModuleSymbols(this.dbg, (text) => this.events.emit('moduleSymbols', text));
    if (linuxSymbols && rk !== undefined) {
      // Kernel symbols from an ELF (vmlinux): moved by the KASLR offset once the kernel relocates itself.
      const sk = kernelFiles[0]!.link.startKernel;
      const same = kernelFiles.filter((k) => k.link.startKernel === sk).map((k) => k.source);
      this.kernelSymbols = new KernelRelocation(this.dbg, same, { startKernel: sk, relocateKernel: rk, banner: kernelFiles[0]!.link.banner }, handlers, image.elf);
    } else if (linuxSymbols && this.dbg.symbols.byName('start_kernel') === undefined) {
      // A stripped vmlinuz: symbols from kallsyms once the kernel runs.
      this.kernelSymbols = KernelSymbols.attach(this.dbg, image.elf, handlers);
    }
    // The assembly program's lines (its includes too) are its source-level debug information.
    if (program) {
      for (const l of program.result.lines) this.dbg.lines.add(l.addr, l.file, l.line);
      debugInfo.push(`${args.program}: assembled, ${program.result.lines.length} instructions from ${1 + program.result.includes.length} source file${program.result.includes.length ? 's' : ''}`);
    }
    // Source lines of the demo, when the booted image is exactly what its source assembles to.
    const ds = kernel ? undefined : this.assembleDemoSource();
    if (ds && equalBytes(ds.elf, kernelBytes)) {
      for (const l of ds.result.lines) this.dbg.lines.add(l.addr, ds.path, l.line);
    }
    this.listen();
    this.startTimeTravel(args);
    // A kernel that writes nothing on its console (damaged, or for another board) stops the
    // session with the reason; not a machine taking a checkpoint (it ran before).
    const silentSec = args.silentExit ?? DEFAULT_SILENT_SECONDS;
    if (boardInfo(board)!.loads === 'linux' && recorded === undefined && silentSec > 0) this.silent = SilentGuestWatch.forSeconds(this.machine, silentSec);
  }

  /** Starts recording for reverse debugging unless the launch turned it off (a problem becomes a note: the session runs on without it). */
  private startTimeTravel(args: LaunchArguments): void {
    if (args.timeTravel === false) { this.timeTravelOff = 'time travel is off ("timeTravel": false)'; return; }
    const mib = args.timeTravelMemoryMiB ?? 512;
    try {
      this.tt = new TimeTravelDebugger(this.dbg, { budgetBytes: mib * 1048576, inputInPast: args.timeTravelInputInPast ?? 'refuse' });
    } catch (e) {
      this.timeTravelOff = `time travel is off: ${(e as Error).message}`;
      this.events.emit('output', { text: `${this.timeTravelOff}\n`, category: 'stderr' });
      return;
    }
    this.listenTimeTravel();
  }

  private listenTimeTravel(): void {
    if (this.tt) this.tt.tt.onLive = (at) => this.events.emit('timeline', { text: `end of the recording (instruction ${formatPosition(at)}): live execution resumes` });
  }

  private timeTravel(): TimeTravelDebugger {
    if (!this.tt) throw new Error(this.timeTravelOff);
    return this.tt;
  }

  /** Steps back (a source line over calls, or one instruction) and reports the stop; runs after the request's response. */
  stepBack(granularity: 'instruction' | 'line'): void {
    this.travel({ kind: 'stepBack', granularity });
  }

  /** Runs backwards to the latest stop a forward run would have made. */
  reverseContinue(): void {
    this.travel({ kind: 'reverseContinue' });
  }

  /** Reverse step-out: back to the call that entered the current frame. */
  stepBackOut(): void {
    this.travel({ kind: 'stepBackOut' });
  }

  /** Goes to a guest instruction count (back, or forward by replay and then live); `sub` exception entries into it. */
  goToInstruction(icount: number, sub = 0): void {
    this.travel({ kind: 'goTo', icount, sub });
  }

  /** Starts a move, worked in slices of TICK_MS on the event loop so requests (Pause) are served meanwhile. */
  private travel(m: TravelMove): void {
    const t = this.timeTravel();
    if (this.state === 'running') throw new Error('the machine is running: pause first');
    const wasPast = t.tt.inPast;
    this.flushOutput();
    this.state = 'running';
    const finished = (st: RunState): void => {
      this.move = undefined;
      this.kernelSymbols?.resync();
      this.outBuf = [];
      this.wall0 = performance.now();
      this.virt0 = this.machine.now();
      if (!wasPast && t.tt.inPast) {
        this.events.emit('timeline', { text: `in the recorded past (instruction ${formatPosition(t.position)} of ${formatPosition(t.tt.end)}): guest output is not shown again until live execution resumes` });
      } else if (wasPast && !t.tt.inPast) {
        this.events.emit('timeline', { text: `end of the recording (instruction ${formatPosition(t.position)}): live execution resumes` });
      }
      this.report(st);
    };
    const failed = (e: unknown): RunState => this.dbg.noteStop({ reason: 'pause', description: `Time travel failed: ${(e as Error).message}` });
    let travel: Travel;
    try { travel = t.begin(m); } catch (e) { setImmediate(() => finished(failed(e))); return; }
    this.move = { travel, finished, failed };
    const slice = (): void => {
      if (this.disposed || this.move?.travel !== travel) return;
      let st: RunState | undefined;
      try { st = travel.work(TICK_MS); } catch (e) { st = failed(e); }
      if (st) finished(st); else setImmediate(slice);
    };
    setImmediate(slice);
  }

  private listen(): void {
    this.dbg.onLog = (text) => this.events.emit('output', { text: text.endsWith('\n') ? text : `${text}\n`, category: 'console' });
    this.offs.push(
      // Replayed history was shown when it first ran.
      this.machine.events.on('uartTx', ({ port, byte }) => { if (port === 0 && !this.machine.replaying) this.outBuf.push(byte); }),
      this.machine.events.on('log', ({ level, message }) => this.events.emit('output', { text: `[${level}] ${message}\n`, category: 'console' })),
    );
  }

  /** DWARF line tables and call frame information of an ELF file (problems become notes, not launch errors). */
  /** `views`: the file was read by readSymbolFile (sparse: its types keep views of it, no copies). */
  private addDebugInfo(elf: ElfFile, offset: bigint, name: string, notes: string[], views = false): void {
    const d = loadDebugInfo(this.dbg.lines, this.dbg.unwinder, elf, offset, name, this.dbg.types, views);
    if (d.rows || d.fdes) notes.push(`${name}: DWARF line information for ${d.files} source file${d.files === 1 ? '' : 's'} (${d.rows} rows), call frame information for ${d.fdes} function${d.fdes === 1 ? '' : 's'}`);
    if (d.typeUnits) notes.push(`${name}: types and variables of ${d.typeUnits} compilation unit${d.typeUnits === 1 ? '' : 's'} (read when an expression needs them)`);
    for (const p of d.problems) notes.push(`${name}: cannot use its debugging information: ${p}`);
  }

  /** The demo guest: dist/guests/demo.elf when built, else assembled from guests/demo/demo.s. */
  private demoElf(): Uint8Array {
    for (const p of [join(this.adapterDir, 'guests', 'demo.elf'), join(this.adapterDir, '..', 'dist', 'guests', 'demo.elf')]) {
      try { return readInputFileSync(p, 'elf', 'demo guest'); } catch { /* next */ }
    }
    const ds = this.assembleDemoSource();
    if (!ds) throw new LaunchError('the built-in demo guest is missing (dist/guests/demo.elf); rebuild the extension');
    return ds.elf;
  }

  /**
   * Assembles the demo's source: guests/demo/demo.s in a checkout (the file a developer
   * edits), else the copy the build ships beside the images (dist/guests/demo.s, the
   * installed extension).
   */
  private assembleDemoSource(): { path: string; result: AssembleResult; elf: Uint8Array } | undefined {
    if (this.demoSource) return this.demoSource;
    for (const src of [join(this.adapterDir, '..', 'guests', 'demo', 'demo.s'), join(this.adapterDir, 'guests', 'demo.s')]) {
      if (!existsSync(src)) continue;
      const r = assemble(readInputTextSync(src, 'source', 'demo source'), { fileName: src, origin: DEMO_ORIGIN });
      if (!r.ok) throw new LaunchError(`cannot assemble the demo guest: ${r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
      this.demoSource = { path: src, result: r, elf: assemblyToElf(r) };
      return this.demoSource;
    }
    return undefined;
  }

  /**
   * The machine state was replaced by a checkpoint before the session started (launch
   * attribute `checkpoint`): "entry" is the restored PC, and pacing starts from the
   * restored virtual time.
   */
  startedFromCheckpoint(what: string): void {
    this.boot.entry = BigInt.asUintN(64, this.machine.cpu.pc);
    this.boot.kernelName = `${this.boot.kernelName}, resumed from ${what}`;
    this.outBuf = [];
    this.virt0 = this.machine.now();
    this.kernelSymbols?.resync();
    // A guest resumed from a checkpoint has run before: not watched for a silent boot.
    this.silent?.close();
    this.silent = undefined;
  }

  private instantBoot(ib: { cache: InstantBootCache; consoleReady: () => boolean }, coldBecause: readonly string[]): void {
    const note = (text: string): void => this.events.emit('output', { text: `instant boot: ${text}\n`, category: 'console' });
    const cached = existsSync(ib.cache.checkpointFile);
    if (cached && coldBecause.length) {
      note(`not used: ${coldBecause.join(', ')} could stop during the boot, so it boots cold (the cached boot starts at the shell)`);
    }
    const hit = coldBecause.length ? undefined : restoreInstantBoot(this.machine, ib.cache, note);
    if (hit) {
      this.outBuf.push(...hit.console);
      this.flushOutput();
      this.startedFromCheckpoint(`the cached boot at the shell (instruction ${hit.icount})`);
      note(`started from the cached boot at the shell (instruction ${hit.icount}, restored in ${Math.round(hit.ms)} ms); "instantBoot": false boots cold`);
      return;
    }
    this.stopSaving = saveInstantBootAtShell(this.machine, ib.cache, ib.consoleReady, (text) => note(text.replace('(--cold: from scratch)', '("instantBoot": false: from scratch)')));
  }

  get status(): StatsBody['state'] {
    return this.state;
  }

  /** Whether the loaded modules' symbols are followed (function breakpoints may wait for a module). */
  get tracksModules(): boolean {
    return this.modules !== undefined;
  }

  /**
   * Starts execution (after configurationDone): stops at entry or runs. A Linux boot starts
   * from its cached boot at the shell unless `coldBecause` names what could stop it during
   * the boot (breakpoints, exception filters) or it stops on entry; a cold one saves it.
   */
  start(stopOnEntry: boolean, coldBecause: readonly string[] = []): void {
    if (this.instant) this.instantBoot(this.instant, stopOnEntry ? ['stopOnEntry', ...coldBecause] : coldBecause);
    if (stopOnEntry) this.report(this.dbg.noteStop({ reason: 'entry', description: `Stopped at entry ${this.dbg.addr(this.boot.entry)}` }));
    else { this.dbg.resume(false); this.run(); }
  }

  continue(): void { this.dbg.resume(); this.run(); }
  stepLine(over: boolean): void { this.dbg.stepLine(over); this.run(); }
  stepInstruction(): void { this.dbg.stepInstruction(); this.run(); }
  stepOver(): void { this.dbg.stepOver(); this.run(); }
  stepOut(): void { this.dbg.stepOut(); this.run(); }

  pause(): void {
    if (this.state === 'stopped' || this.state === 'exited') return;
    const mv = this.move;
    if (mv) {
      // A time-travel move: it ends at the latest point it knows has nothing to stop at.
      let st: RunState;
      try { st = mv.travel.cancel(); } catch (e) { st = mv.failed(e); }
      mv.finished(st);
      return;
    }
    this.dbg.pause();
    this.run(); // serves the pause at once when idle
  }

  /** Moves the PC and reports a 'goto' stop. */
  goto(addr: bigint): void {
    this.dbg.setPc(addr);
    this.report(this.dbg.noteStop({ reason: 'goto', description: `PC set to ${this.dbg.addr(addr)}` }));
  }

  /** Console input for the guest; wakes an idle guest. */
  input(text: string): void {
    this.consoleInput(new TextEncoder().encode(text));
    this.inputArrived();
  }

  /** Input reached the machine another way (the CLI's terminal): an idle guest runs again. */
  inputArrived(): void {
    if (this.state === 'idle') this.run();
  }

  private run(): void {
    if (this.disposed || this.state === 'exited') return;
    if (this.move) return; // a time-travel move drives the machine until it reports its stop (or Pause ends it)
    if (this.state !== 'running') {
      this.state = 'running';
      this.wall0 = performance.now();
      this.virt0 = this.machine.now();
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    const go = (): void => { this.scheduled = false; this.timer = undefined; this.tick(); };
    if (delayMs > 0) this.timer = setTimeout(go, delayMs);
    else setImmediate(go);
  }

  private tick(): void {
    if (this.disposed || this.state !== 'running') return;
    const t0 = performance.now();
    const i0 = this.machine.cpu.icount;
    let st: RunState;
    let ahead = 0;
    for (;;) {
      st = this.dbg.runSlice(this.silent ? Math.min(SLICE, this.silent.remaining()) : SLICE);
      if (this.silent && (st.kind === 'running' || st.kind === 'idle')) {
        const silence = this.silent.check();
        if (this.silent.finished) this.silent = undefined;
        if (silence !== undefined) {
          const description = `No console output: ${silence} Stopped ("silentExit": 0 lets it run)`;
          this.events.emit('output', { text: `${description}\n`, category: 'stderr' });
          st = this.dbg.noteStop({
            reason: 'exception', text: 'no console output', description,
            exception: { filter: 'silent', code: -1, name: 'no console output', epc: BigInt.asUintN(64, this.machine.cpu.pc) },
          });
          break;
        }
      }
      if (st.kind !== 'running') break;
      const now = performance.now();
      // Pacing: an idle guest (WAIT) must not run ahead of wall-clock time.
      ahead = (this.machine.now() - this.virt0) / 1e6 - (now - this.wall0);
      if (this.machine.cpu.waiting && ahead > 1) break;
      if (now - t0 >= TICK_MS) break;
    }
    this.hostRunMs += performance.now() - t0;
    this.runInsns += this.machine.cpu.icount - i0;
    this.flushOutput();
    switch (st.kind) {
      case 'stopped': this.report(st); return;
      case 'exited':
        this.state = 'exited';
        this.events.emit('exited', { code: st.code });
        return;
      case 'idle': this.state = 'idle'; return;
      default:
        if (this.machine.cpu.waiting && ahead > 1) this.schedule(Math.min(ahead, 50));
        else {
          // Behind wall-clock time (busy guest) by a lot: do not try to catch up later.
          if (ahead < -1000) { this.wall0 = performance.now(); this.virt0 = this.machine.now(); }
          this.schedule(0);
        }
    }
  }

  private report(st: RunState): void {
    if (st.kind !== 'stopped') return;
    this.modules?.refresh();
    this.stopSaving?.();
    this.stopSaving = undefined;
    this.tt?.noteStop(st.stop);
    this.state = 'stopped';
    this.flushOutput();
    this.events.emit('stopped', st.stop);
  }

  /** Sends buffered console output. */
  flushOutput(): void {
    if (this.outBuf.length === 0) return;
    const text = this.decoder.decode(Uint8Array.from(this.outBuf), { stream: true });
    this.outBuf = [];
    if (text) this.events.emit('output', { text, category: 'stdout' });
  }

  /** The time-travel recording (mips64/timeline), or why there is none. */
  timeline(): TimelineBody {
    const m = this.machine;
    const t = this.tt?.tt;
    return {
      instructions: m.cpu.icount, virtualTimeNs: m.now(),
      recording: t ? {
        start: t.start0.icount, end: t.end.icount, inPast: t.inPast, usedBytes: t.usedBytes, budgetBytes: t.budgetBytes,
        snapshots: t.snapshots.map((s) => ({ instructions: s.icount, virtualTimeNs: s.virtualNs })),
        hits: this.tt!.hits.map((h) => ({ instructions: h.pos.icount, sub: h.pos.sub, reason: h.reason, description: h.description, pc: hex64(h.pc) })),
      } : undefined,
      off: t ? undefined : this.timeTravelOff,
    };
  }

  stats(): StatsBody {
    const m = this.machine;
    const jit = m.jit ? { ...m.jit.stats } : undefined;
    return {
      state: this.state, board: this.boot.board, cpu: m.model.name, engine: this.engine,
      instructions: m.cpu.icount, virtualTimeNs: m.now(), hostRunMs: Math.round(this.hostRunMs),
      mips: this.hostRunMs > 0 ? Math.round((this.runInsns / this.hostRunMs) / 10) / 100 : 0, jit,
    };
  }

  /**
   * After the machine state was replaced (checkpoint restore): pacing restarts from the
   * restored virtual time, stale console output is dropped, and a stopped machine reports
   * a stop at the restored PC (views refresh); a running or idle one keeps running.
   */
  restored(description: string): void {
    this.kernelSymbols?.resync();
    this.outBuf = [];
    this.wall0 = performance.now();
    this.virt0 = this.machine.now();
    if (this.state === 'stopped' || this.state === 'not started') this.report(this.dbg.noteStop({ reason: 'goto', description }));
    else if (this.state === 'idle' || this.state === 'exited') { this.state = 'stopped'; this.dbg.resume(false); this.run(); }
  }

  dispose(): void {
    this.disposed = true;
    this.modules?.dispose();
    this.stopSaving?.();
    try { this.move?.travel.cancel(); } catch { /* the machine goes with the session, or runs on from where the move ended */ }
    this.move = undefined;
    if (this.ownsTimeTravel) this.tt?.dispose();
    else if (this.tt) this.tt.tt.onLive = undefined;
    this.tt = undefined;
    if (this.timer) clearTimeout(this.timer);
    for (const off of this.offs.splice(0)) off();
  }
}

/**
 * Assembles a `program` for the demo board (at the demo's link address, for the launch's
 * CPU model) into an ELF; errors are a LaunchError listing the first few.
 */
function assembleProgram(path: string, cpu: string | undefined, includePaths: string[] | undefined): { result: AssembleResult; elf: Uint8Array } {
  if (typeof path !== 'string' || path === '') throw new LaunchError('"program" must be the path of an assembly source file');
  const text = new TextDecoder().decode(readInput(path, 'program', 'source'));
  const want = (cpu ?? '5KEc').toLowerCase();
  const model = Object.entries(CPU_MODELS).find(([k]) => k.toLowerCase() === want)?.[1].isa;
  if (!model) throw new LaunchError(`unknown cpu '${String(cpu)}' (known: ${Object.keys(CPU_MODELS).join(', ')})`);
  const result = assemble(text, { fileName: path, origin: DEMO_ORIGIN, model, readInclude: fileIncludes(Array.isArray(includePaths) ? includePaths : []) });
  if (!result.ok) {
    const errs = result.diagnostics.filter((d) => d.severity === 'error');
    const first = errs.slice(0, 3).map((d) => `${basename(d.file)}:${d.line}:${d.column}: ${d.message}`).join('; ');
    throw new LaunchError(`cannot assemble ${basename(path)}: ${first}${errs.length > 3 ? ` (and ${errs.length - 3} more errors)` : ''}`);
  }
  return { result, elf: assemblyToElf(result, 'little', model) };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A launch input: a regular file within its size limit (src/storage/input-file.ts). */
/** A symbol file: a large ELF is read sparsely (only the sections in use). */
function readSymbols(path: string): Uint8Array {
  try {
    return readSymbolFile(path, 'symbol file');
  } catch (e) {
    throw new LaunchError(`cannot read symbol file '${path}': ${e instanceof InputFileError ? e.reason : String(e)}`);
  }
}

function readInput(path: string, what: string, kind: InputKind = 'elf'): Uint8Array {
  try {
    return readInputFileSync(path, kind, what);
  } catch (e) {
    throw new LaunchError(`cannot read ${what} '${path}': ${e instanceof InputFileError ? e.reason : String(e)}`);
  }
}

function parseOffset(o: number | string | undefined): bigint {
  if (o === undefined) return 0n;
  if (typeof o === 'number') {
    if (!Number.isSafeInteger(o)) throw new LaunchError(`symbol offset ${o} is not an exact integer: give it as a hex string`);
    return BigInt.asUintN(64, BigInt(o));
  }
  const t = o.trim();
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) throw new LaunchError(`bad symbol offset '${o}' (a number or a hex string such as "0xffffffffc0000000")`);
  const neg = t.startsWith('-');
  const v = BigInt(neg ? t.slice(1) : t);
  return BigInt.asUintN(64, neg ? -v : v);
}

export { hex64 };
