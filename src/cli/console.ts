// The interactive console of `mips64 boot`: runs a machine in slices and connects its
// console UART to the host terminal, like QEMU's `-nographic` / `-serial mon:stdio`.
//
//   guest → host  every byte the guest transmits on the console UART goes to stdout
//                 unchanged (ANSI escape sequences, UTF-8, \r\n as the guest sends them);
//   host → guest  keystrokes go to the UART's receiver. On a terminal, stdin is put in raw
//                 mode, so Ctrl-C arrives as 0x03 (the guest decides what it means).
//                 Ctrl-A starts a QEMU-style escape, as QEMU's mux does on a terminal and
//                 on a pipe alike: Ctrl-A x quits (exit 0, as QEMU), Ctrl-A h prints help,
//                 Ctrl-A b sends a break, Ctrl-A Ctrl-A sends one Ctrl-A.
//                 Not a terminal (pipes, tests): at end of input the console waits for the
//                 guest to power off, and stops with a message if it goes idle instead. A
//                 guest that opens its serial port late and discards what arrived before
//                 (Linux) gets piped input only once it enables the receive interrupt
//                 (`holdInput`); escapes in it act when they arrive.
//
// The machine runs in slices of `slice` instructions with setImmediate in between, so that
// input and output are serviced. A guest idle in WAIT with nothing scheduled makes the
// console wait for input instead of spinning; a guest idle in WAIT with a timer pending
// is paced so that its virtual time does not run ahead of the wall clock (unless `warp`).
// The terminal mode is restored on every way out: return, exception, signal, process exit.
//
// With a `handover` (`mips64 boot --debug-port`), a debugger can take over running the
// machine: while `handover.active`, this loop runs no instructions (the debug session's
// runtime does, and may hold the guest stopped), keeps moving console bytes both ways,
// and resumes running the machine itself when the debugger lets go. The end-of-input and
// idle rules do not apply while a debugger holds the machine. The debugger's internal
// breakpoints (where it reads kernel symbols) stay armed between sessions: a stop at one
// is handed to `handover.passStop()` and the loop runs on.

import type { Machine } from '../emulator/machine';
import { printable } from './printable';
import type { HostNotes } from './host-notes';

export const CTRL_A = 0x01;

export type EscapeCommand = 'quit' | 'help' | 'break';

export type KeyEvent = { kind: 'data'; bytes: Uint8Array } | { kind: 'command'; command: EscapeCommand };

/** Splits terminal input into bytes for the guest and Ctrl-A escape commands (state carries across chunks). */
export class EscapeDecoder {
  private escaped = false;

  feed(chunk: Uint8Array): KeyEvent[] {
    const events: KeyEvent[] = [];
    let run: number[] = [];
    const flush = (): void => {
      if (run.length) events.push({ kind: 'data', bytes: Uint8Array.from(run) });
      run = [];
    };
    for (const b of chunk) {
      if (this.escaped) {
        this.escaped = false;
        const command = ESCAPES.get(b);
        if (b === CTRL_A) run.push(CTRL_A);
        else if (command) {
          flush();
          events.push({ kind: 'command', command });
        }
        // any other key after Ctrl-A is dropped, as QEMU does
      } else if (b === CTRL_A) {
        this.escaped = true;
      } else {
        run.push(b);
      }
    }
    flush();
    return events;
  }
}

const ESCAPES = new Map<number, EscapeCommand>([
  [0x78, 'quit'], [0x58, 'quit'], // x X
  [0x68, 'help'], [0x48, 'help'], [0x3f, 'help'], // h H ?
  [0x62, 'break'], [0x42, 'break'], // b B
]);

export const ESCAPE_HELP = [
  'C-a h    print this help',
  'C-a x    exit the emulator',
  'C-a b    send a break (Linux: magic SysRq)',
  'C-a C-a  send C-a',
];

/** Exit code after Ctrl-A x: QEMU's ("QEMU: Terminated") is 0. */
export const EXIT_QUIT = 0;
/** Exit code when the guest is idle after the end of non-terminal input. */
export const EXIT_IDLE = 2;

export interface ConsoleUart {
  /** Host characters queued but not yet taken by the guest. */
  readonly pendingInput: number;
  sendBreak(): void;
}

export interface ConsoleInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** A debugger that can take over running the machine (see the file header). */
export interface ConsoleHandover {
  /** True while the debugger runs (or holds) the machine. */
  readonly active: boolean;
  /** Set when the debugger ended the guest (terminate): the console stops with this exit code. */
  readonly exitCode: number | undefined;
  /** Console input reached the machine while active (an idle guest must run again). */
  inputArrived(): void;
  /**
   * The machine stopped by itself while not active: the debugger's own (internal)
   * breakpoints, e.g. where kernel symbols are read; it lets execution go on.
   */
  passStop(): void;
  /** Set by runConsole: wakes its loop; call it when `active` changes or the guest powers off. */
  wake: (() => void) | undefined;
}

export interface ConsoleOptions {
  machine: Machine;
  /** The console UART (for pending input and breaks). */
  uart: ConsoleUart;
  /** `uartTx` port of the console UART (default 0). */
  port?: number;
  stdin: ConsoleInput;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Instructions per slice (default 2,000,000). */
  slice?: number;
  /** Let virtual time run ahead of the wall clock while the guest idles (default false). */
  warp?: boolean;
  /** After end of input: ms of quiet WAIT idling (guest time) before giving up (default 5000). */
  idleExitMs?: number;
  /**
   * Piped (non-terminal) input is held back while this returns true, e.g. until a Linux
   * guest has opened its console (UART receive interrupt enabled). Checked between slices;
   * once it returns false, input flows freely.
   */
  holdInput?: () => boolean;
  /** Install process signal and exit handlers (default true; false for in-process tests). */
  handleSignals?: boolean;
  /** A debugger that may take over the machine (mips64 boot --debug-port). */
  handover?: ConsoleHandover;
  /** Host lines that wait for the guest's console line to end (told of each chunk of guest output). */
  notes?: HostNotes;
}

/** The pieces of the terminal state machine that must survive any exit path. */
class Terminal {
  private raw = false;
  private readonly onExit = (): void => this.restore();

  constructor(private readonly stdin: ConsoleInput, private readonly hooks: boolean) {}

  enterRaw(): void {
    if (!this.stdin.isTTY || typeof this.stdin.setRawMode !== 'function') return;
    this.stdin.setRawMode(true);
    this.raw = true;
    if (this.hooks) process.on('exit', this.onExit);
  }

  get isRaw(): boolean {
    return this.raw;
  }

  /** After SIGCONT the shell may have reset the terminal: raw again. */
  reassert(): void {
    if (this.raw) this.stdin.setRawMode?.(true);
  }

  restore(): void {
    if (!this.raw) return;
    this.raw = false;
    try {
      this.stdin.setRawMode?.(false);
    } catch {
      // the terminal is gone (hang-up); nothing to restore
    }
    if (this.hooks) process.removeListener('exit', this.onExit);
  }
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGQUIT: 3 } as const;

/** Runs the machine with the console attached until it powers off or the user quits; returns the exit code. */
export async function runConsole(o: ConsoleOptions): Promise<number> {
  const { machine, uart, stdin, stdout, stderr } = o;
  const port = o.port ?? 0;
  const slice = o.slice ?? 2_000_000;
  const idleExitNs = (o.idleExitMs ?? 5000) * 1e6;
  const hooks = o.handleSignals ?? true;
  const handover = o.handover;
  const tty = stdin.isTTY === true;
  const term = new Terminal(stdin, hooks);
  const decoder = new EscapeDecoder();
  const nl = (): string => (term.isRaw ? '\r\n' : '\n');
  const note = (line: string): void => {
    stderr.write(`${term.isRaw ? '\r\n' : ''}mips64: ${printable(line)}${nl()}`);
  };

  // Guest output, collected during a slice and written after it.
  let out = new Uint8Array(4096);
  let outLen = 0;
  let quietSince = machine.now();
  const offTx = machine.events.on('uartTx', ({ port: p, byte }) => {
    if (p !== port || machine.replaying) return; // replayed history (time travel) was shown when it ran
    if (outLen === out.length) {
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[outLen++] = byte;
    if (handover?.active) poke(); // the debugger runs the machine: this loop waits and must write it
  });
  let warned = 0;
  const offLog = machine.events.on('log', ({ level, message }) => {
    if (level === 'error') { note(message); return; }
    if (level !== 'warn' || warned > 20) return;
    warned++;
    note(warned > 20 ? 'further emulator warnings suppressed' : `warning: ${message}`);
  });

  let exitCode: number | undefined;
  let eof = false;
  let wake: (() => void) | undefined;
  /** A poke while the loop was not waiting: its next wait returns at once (no lost wake-ups). */
  let kicked = false;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    if (w) w();
    else kicked = true;
  };
  if (handover) handover.wake = poke;

  // Piped input held back until the guest is ready for it (holdInput).
  let holding = !tty && o.holdInput !== undefined;
  const held: Buffer[] = [];
  const release = (): void => {
    if (!holding || o.holdInput!()) return;
    holding = false;
    if (held.length) machine.consoleInput(Buffer.concat(held.splice(0)));
  };

  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (const ev of decoder.feed(bytes)) {
      if (ev.kind === 'data') {
        if (holding) held.push(Buffer.from(ev.bytes));
        else {
          // Refused while a time-travel recording is in its past (mips64 boot --record): say why, drop the keys.
          try { machine.consoleInput(ev.bytes); } catch (e) { note((e as Error).message); }
        }
      } else if (ev.command === 'quit') {
        note('terminated by C-a x');
        exitCode ??= EXIT_QUIT;
      } else if (ev.command === 'help') {
        stderr.write(nl() + ESCAPE_HELP.join(nl()) + nl());
      } else {
        uart.sendBreak();
        machine.cpu.nextEvent = machine.cpu.icount;
      }
    }
    quietSince = machine.now();
    if (handover?.active) handover.inputArrived();
    poke();
  };
  const onEnd = (): void => {
    eof = true;
    quietSince = machine.now();
    if (tty) {
      note('terminal closed');
      exitCode ??= 128 + SIGNALS.SIGHUP;
    }
    poke();
  };
  const onError = (): void => onEnd();
  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  if (hooks) {
    for (const [sig, num] of Object.entries(SIGNALS) as Array<[NodeJS.Signals, number]>) {
      const h = (): void => {
        note(`terminated by ${sig}`);
        exitCode ??= 128 + num;
        poke();
      };
      signalHandlers.set(sig, h);
      process.on(sig, h);
    }
    const cont = (): void => term.reassert();
    signalHandlers.set('SIGCONT', cont);
    process.on('SIGCONT', cont);
  }

  /** Flushes guest output, waiting while stdout's buffer is full. */
  const flush = async (): Promise<void> => {
    if (outLen === 0) return;
    const chunk = Buffer.from(out.subarray(0, outLen));
    outLen = 0;
    quietSince = machine.now();
    const written = stdout.write(chunk);
    o.notes?.guestWrote(chunk);
    if (!written) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdout.removeListener('drain', done);
          stdout.removeListener('close', done);
          stdout.removeListener('error', done);
          resolve();
        };
        stdout.on('drain', done);
        stdout.on('close', done);
        stdout.on('error', done);
      });
    }
  };

  /** Waits for input, a command or a signal; at most `ms` milliseconds when given. */
  const waitForInput = (ms?: number): Promise<void> => new Promise((resolve) => {
    if (kicked) {
      kicked = false;
      resolve();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    wake = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    if (ms !== undefined) timer = setTimeout(() => poke(), Math.max(0, ms));
  });
  const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  try {
    term.enterRaw();
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();

    // Pacing: virtual time (ns) against wall time (ms), re-based when the guest falls behind.
    let wall0 = performance.now();
    let virt0 = machine.now();
    for (;;) {
      if (exitCode !== undefined) return exitCode;
      if (handover?.exitCode !== undefined) {
        await flush();
        note('terminated by the debugger');
        return handover.exitCode;
      }
      if (handover?.active) {
        // A debugger runs the machine: move its output, wait for input, output or release.
        await flush();
        if (machine.poweredOff) return exitCode ?? machine.exitCode;
        release();
        await waitForInput();
        await flush();
        wall0 = performance.now();
        virt0 = machine.now();
        quietSince = machine.now();
        continue;
      }
      const r = machine.run(slice);
      if (r.reason === 'stop' && !machine.poweredOff) handover?.passStop();
      await flush();
      if (r.reason === 'poweroff' || machine.poweredOff) {
        return exitCode ?? machine.exitCode;
      }
      if (exitCode !== undefined) return exitCode;
      const cpu = machine.cpu;
      release();
      const inputDone = eof && !holding && uart.pendingInput === 0;
      if (eof && holding && (r.reason === 'idle' || machine.now() - quietSince > idleExitNs)) {
        // The guest will not get ready by itself: give it what was held back.
        holding = false;
        machine.consoleInput(Buffer.concat(held.splice(0)));
        quietSince = machine.now();
        continue;
      }
      if (r.reason === 'idle') {
        // Nothing will ever happen without input.
        if (inputDone) {
          note('end of input and the guest is idle (waiting with nothing scheduled); stopping');
          return EXIT_IDLE;
        }
        await waitForInput();
        wall0 = performance.now();
        virt0 = machine.now();
        continue;
      }
      if (!cpu.waiting) quietSince = machine.now();
      if (inputDone && machine.now() - quietSince > idleExitNs) {
        note(`end of input and the guest has been idle for ${(idleExitNs / 1e9).toFixed(1)} s without output; stopping`);
        return EXIT_IDLE;
      }
      const ahead = (machine.now() - virt0) / 1e6 - (performance.now() - wall0);
      if (ahead < -100) {
        wall0 = performance.now();
        virt0 = machine.now();
      }
      if (cpu.waiting && !o.warp && ahead > 1) await waitForInput(Math.min(ahead, 100));
      else await yieldToIo();
    }
  } finally {
    o.notes?.end();
    offTx();
    offLog();
    stdin.removeListener('data', onData);
    stdin.removeListener('end', onEnd);
    stdin.removeListener('error', onError);
    term.restore();
    stdin.pause();
    for (const [sig, h] of signalHandlers) process.removeListener(sig, h);
    wake = undefined;
    if (handover) handover.wake = undefined;
  }
}
