// `mips64 boot --debug-port N`: a DAP server inside the CLI, so that a debugger (VS Code's
// "attach" configuration, or any DAP client) can attach to the guest running on this
// terminal. Every TCP connection gets a Mips64DebugSession (src/adapter/session.ts) whose
// `attach` request borrows the machine: while a session holds it, the session's Runtime
// runs the machine (breakpoints, pause, steps) and the console only moves bytes
// (src/cli/console.ts, ConsoleHandover); `disconnect` gives it back and the guest runs on
// here; another client may attach later. One session holds the machine at a time.
//
// The MachineDebugger is created once with the machine (symbols of the booted ELF loaded
// once); a session's breakpoints, watchpoints, exception filters and any step in progress
// are cleared when it lets go, so the guest then runs exactly as without a debugger.
// Kernel symbols found at run time live with the machine too (Linux boards): kallsyms of a
// stripped vmlinuz, or the KASLR offset of a kernel ELF's own symbols. Their internal
// breakpoints stay armed while no session is attached (the console passes them), and a
// session attaching later gets the symbols the running kernel has; after --restore they
// are read from the running kernel's tables.
//
// `mips64 boot --gdb PORT` serves gdb's remote protocol from here too (src/gdbstub): a gdb
// connection borrows the machine the same way. A DAP session and a gdb may hold it at the
// same time (one of each): they share one Runtime, so both see every stop; the machine
// goes back to the console when the last of them lets go.

import { createServer, Server, Socket } from 'node:net';
import { TerminatedEvent } from '@vscode/debugadapter';
import { AttachError, AttachHost } from '../adapter/attach';
import { BootInfo, Runtime } from '../adapter/runtime';
import { Mips64DebugSession } from '../adapter/session';
import { loadDebugInfo } from '../emulator/debug/debug-info';
import { MachineDebugger } from '../emulator/debug/debugger';
import { KernelRelocation, kernelLinkSymbols } from '../emulator/debug/kernel-relocation';
import { KernelSymbols, KernelSymbolsHandlers } from '../emulator/debug/kernel-symbols';
import type { KernelSymbolsWatcher } from '../adapter/runtime';
import { ElfFile, parseElf } from '../emulator/loader/elf';
import type { Machine } from '../emulator/machine';
import { BoardName, boardInfo } from '../emulator/boards/catalog';
import { ConsoleHandover } from './console';
import type { TimeTravelDebugger } from '../emulator/timetravel/reverse';
import { CliError } from './errors';
import { GdbServer } from '../gdbstub/server';
import { runtimeGdbTarget } from '../adapter/gdb-target';
import { Checkpointer } from '../emulator/snapshot/manager';

export interface DebugServerOptions {
  machine: Machine;
  engine: 'jit' | 'interp';
  board: BoardName;
  /** The booted ELF (symbols are read from it; parsed already, or not), and its name for messages. */
  image: { bytes: Uint8Array; name: string; elf?: ElfFile };
  /** Hold the guest before its first instruction until a debugger attaches. */
  waitForDebugger: boolean;
  /** The machine state came from a checkpoint (--restore): kernel symbols are read from the running kernel. */
  restored?: boolean;
  /** One-line notes for the user (stderr). */
  note(line: string): void;
  /** The machine's recording for reverse debugging (--record), lent to attached sessions. */
  tt?: TimeTravelDebugger;
  /** The MachineDebugger the recording was made with (created with the machine). */
  dbg?: MachineDebugger;
  /** The boot's checkpoints (--checkpoint-every, --restore), for gdb's `monitor checkpoint`; else one in memory. */
  checkpointer?: Checkpointer;
}

/** Who holds the machine: a DAP session, a gdb connection. */
type Holder = 'dap' | 'gdb';

/** Exit code of `mips64 boot` when the debugger ends the guest (terminate): as for SIGINT. */
export const EXIT_DEBUGGER_TERMINATED = 130;

export class DebugServer implements AttachHost, ConsoleHandover {
  readonly dbg: MachineDebugger;
  wake: (() => void) | undefined = undefined;
  private waiting: boolean;
  private lent: Runtime | undefined;
  private readonly holders = new Set<Holder>();
  private gdb: GdbServer | undefined;
  private checkpointer: Checkpointer | undefined;
  private ended: number | undefined;
  private readonly boot: BootInfo;
  private readonly server: Server;
  private readonly connections = new Map<Socket, Mips64DebugSession>();
  private readonly kernelSymbols: KernelSymbolsWatcher | undefined;

  constructor(private readonly o: DebugServerOptions) {
    this.waiting = o.waitForDebugger;
    this.dbg = o.dbg ?? new MachineDebugger(o.machine);
    let symbols = 0;
    const debugInfo: string[] = [];
    try {
      const elf = o.image.elf ?? parseElf(o.image.bytes);
      if (elf.symbols.length > 0) symbols = this.dbg.symbols.addElf(elf, 0n, o.image.name);
      // DWARF line tables, CFI and types (read on demand), as a launched session loads them.
      const d = loadDebugInfo(this.dbg.lines, this.dbg.unwinder, elf, 0n, o.image.name, this.dbg.types);
      for (const p of d.problems) debugInfo.push(`${o.image.name}: cannot use its debugging information: ${p}`);
    } catch { /* a raw image: no symbols */ }
    if (boardInfo(o.board)!.kernelSymbols === 'linux') this.kernelSymbols = this.watchKernelSymbols();
    this.boot = { board: o.board, kernelName: o.image.name, entry: BigInt.asUintN(64, o.machine.cpu.pc), symbols, debugInfo };
    this.server = createServer((socket) => this.connected(socket));
  }

  /** Kernel symbols at run time, told to the attached session (if any). */
  private watchKernelSymbols(): KernelSymbolsWatcher | undefined {
    const { bytes, name, elf } = this.o.image;
    const kernel = elf ?? bytes;
    const handlers: KernelSymbolsHandlers = {
      onReady: (info) => this.lent?.events.emit('kernelSymbols', info),
      onError: (message) => { if (this.lent) this.lent.events.emit('output', { text: `${message}\n`, category: 'stderr' }); else this.o.note(message); },
      onPending: () => this.lent?.events.emit('kernelSymbolsPending', 'kernel symbols: set aside until the kernel starts (and relocates itself) again'),
    };
    const link = this.dbg.symbols.tablesOf(name).map(kernelLinkSymbols).find((l) => l);
    let w: KernelSymbolsWatcher | undefined;
    if (link?.relocateKernel !== undefined) w = new KernelRelocation(this.dbg, [name], { startKernel: link.startKernel, relocateKernel: link.relocateKernel }, handlers, kernel);
    else if (!link) w = KernelSymbols.attach(this.dbg, kernel, handlers);
    if (this.o.restored) w?.resync();
    return w;
  }

  /** Starts listening; resolves with the port (0 picks a free one). Fails with a CliError. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EADDRNOTAVAIL' ? 'no such local address'
          : e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOTFOUND' ? 'unknown host' : e.message;
        reject(new CliError(`cannot listen for debuggers on ${host}:${port}: ${why}`));
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', onError);
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  private connected(socket: Socket): void {
    // DAP is request/response: Nagle's algorithm would hold small replies for ~40 ms.
    socket.setNoDelay(true);
    const session = new Mips64DebugSession(this);
    session.setRunAsServer(true);
    this.connections.set(socket, session);
    session.start(socket, socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.connections.delete(socket);
      session.releaseAttached(false); // a client that went away without disconnect lets go too
    });
  }

  // ---- AttachHost ---------------------------------------------------------------------------

  get waitingForDebugger(): boolean {
    return this.holdsForNewcomer;
  }

  /**
   * True while the guest is held for a debugger: before the first attach with
   * --wait-for-debugger, or (for a DAP session joining a gdb) when the shared machine is
   * stopped — the session then starts with a stop where it is.
   */
  private get holdsForNewcomer(): boolean {
    return this.waiting || this.lent?.status === 'stopped';
  }

  attach(): Runtime {
    if (this.holders.has('dap')) throw new AttachError('another debugger is attached to this machine (one at a time): disconnect it first');
    return this.lend('dap', 'debugger attached');
  }

  /** Lends the machine's Runtime to a holder (shared when the other kind holds it already). */
  private lend(who: Holder, note?: string): Runtime {
    const m = this.o.machine;
    if (m.poweredOff) throw new AttachError(`the guest has powered off (exit code ${m.exitCode})`);
    if (this.ended !== undefined) throw new AttachError('the guest is being terminated');
    let rt = this.lent;
    if (!rt) {
      rt = new Runtime({}, __dirname, {
        machine: m, dbg: this.dbg, engine: this.o.engine, boot: this.boot, consoleInput: (bytes) => m.consoleInput(bytes),
        kernelSymbols: this.kernelSymbols, tt: this.o.tt,
      });
      // The guest powering off under the debugger ends the console too (after the session's events are out).
      rt.events.on('exited', () => setImmediate(() => this.wake?.()));
      this.lent = rt;
    }
    this.holders.add(who);
    this.waiting = false;
    if (note) this.o.note(note);
    this.wake?.();
    return rt;
  }

  detach(rt: Runtime): void {
    if (rt !== this.lent || !this.holders.has('dap')) return;
    const d = this.dbg;
    // Forget the session's breakpoints; the gdb's (if one holds the machine too) stay.
    for (const kind of ['source', 'function', 'instruction'] as const) d.setCodeBreakpoints(kind, []);
    d.setDataBreakpoints([]);
    d.setExceptionFilters([]);
    this.giveBack('dap', 'debugger detached');
  }

  /** A holder lets go; the last one gives the machine back to the console. */
  private giveBack(who: Holder, what?: string): void {
    const rt = this.lent;
    if (!rt || !this.holders.delete(who)) return;
    const runsOn = !this.o.machine.poweredOff && this.ended === undefined;
    if (this.holders.size > 0) {
      if (runsOn && what) this.o.note(`${what}; the other debugger still holds the guest`);
      return;
    }
    this.lent = undefined;
    const d = this.dbg;
    // Forget the debugging state: any step in progress, a pending pause, every breakpoint.
    d.noteStop({ reason: 'pause', description: 'detached' });
    d.runSlice(0);
    d.setExceptionFilters([]);
    d.onLog = undefined;
    rt.dispose();
    if (runsOn) this.o.note(`${what ?? 'the debugger let go'}; the guest runs on`);
    this.wake?.();
  }

  terminate(rt: Runtime): void {
    this.ended = EXIT_DEBUGGER_TERMINATED;
    this.detach(rt);
    this.wake?.();
  }

  /** Serves gdb's remote protocol on a TCP port; resolves with the port. Fails with a CliError. */
  async listenGdb(port: number, host: string): Promise<number> {
    const server = new GdbServer({
      connect: () => {
        const rt = this.lend('gdb');
        let released = false;
        return runtimeGdbTarget(rt, {
          checkpoints: () => this.checkpoints(),
          kill: () => { this.ended = EXIT_DEBUGGER_TERMINATED; this.wake?.(); },
          release: () => { if (!released) { released = true; this.giveBack('gdb'); } },
        });
      },
      note: (line) => this.o.note(line),
    });
    this.gdb = server;
    try {
      return await server.listen(port, host);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }

  private checkpoints(): Checkpointer {
    this.checkpointer ??= this.o.checkpointer ?? new Checkpointer(this.o.machine);
    return this.checkpointer;
  }

  // ---- ConsoleHandover ----------------------------------------------------------------------

  get active(): boolean {
    return this.lent !== undefined || this.waiting;
  }

  get exitCode(): number | undefined {
    return this.ended;
  }

  inputArrived(): void {
    this.lent?.inputArrived();
  }

  passStop(): void {
    this.dbg.passStop();
  }

  /** Stops listening; attached clients are told the debuggee is gone, then disconnected. */
  async close(): Promise<void> {
    for (const [socket, session] of this.connections) {
      session.releaseAttached(false);
      session.sendEvent(new TerminatedEvent());
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref(); // a client that does not close its end
    }
    this.server.close();
    await this.gdb?.close();
    if (this.checkpointer !== this.o.checkpointer) this.checkpointer?.dispose();
  }
}
