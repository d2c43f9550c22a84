// Typed shapes the MIPS64 debug adapter adds to the Debug Adapter Protocol: the launch
// configuration (package.json contributes.debuggers[0].configurationAttributes.launch)
// and the custom requests the extension sends.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BoardName } from '../emulator/boards/catalog';

export interface SymbolFileArg {
  path: string;
  /** Load offset added to every symbol: a number or a hex string ("0xffffffffc0000000"). */
  offset?: number | string;
}

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** ELF kernel/program; omitted: the built-in demo guest. */
  kernel?: string;
  /**
   * An assembly source (GNU as syntax, .s/.S) assembled by the adapter at the demo board's
   * address and booted on the demo board, with its lines as source-level debug information.
   */
  program?: string;
  /** Directories `.include` searches after the including file's own (with `program`). */
  includePaths?: string[];
  board?: BoardName;
  initrd?: string;
  /** A flattened device tree blob for the guest (boards that take one: octeon). */
  dtb?: string;
  append?: string;
  /** Guest RAM in MiB. */
  memory?: number;
  engine?: 'jit' | 'interp';
  /** The translating engine's knobs, for experiments ("hot=20000,region=4"; emulator/jit/tuning.ts). */
  tune?: string;
  /** The hardware-exact TLB: no victim entries after tlbwr (MachineOptions.exactTlb; default false). */
  exactTlb?: boolean;
  cpu?: string;
  symbols?: SymbolFileArg[];
  stopOnEntry?: boolean;
  checkpoint?: string;
  sourceMap?: Record<string, string>;
  /**
   * Where guest console (UART 0) output goes: 'debugConsole' (default: stdout `output`
   * events), 'event' (only the custom `mips64/uart` event, shown by the extension's
   * terminal) or 'both'.
   */
  uartOutput?: 'debugConsole' | 'event' | 'both';
  /** Also keep checkpoints as files in this directory (relative: to the adapter's cwd). */
  checkpointDir?: string;
  /** In-memory checkpoint budget in MiB (default 512). */
  checkpointMemoryMiB?: number;
  /** Record the run for reverse debugging (Step Back, Reverse Continue; default true). */
  timeTravel?: boolean;
  /** Memory for the time-travel history in MiB (default 512). */
  timeTravelMemoryMiB?: number;
  /** Console input typed while in the past: refused (default) or it discards the recorded future. */
  timeTravelInputInPast?: 'refuse' | 'truncate';
  /**
   * Linux boards: seconds of guest CPU time a kernel may run without writing on its console
   * before the session stops with the reason (default 30; 0: never; emulator/silent-guest.ts).
   */
  silentExit?: number;
  /**
   * Linux boards: start from this configuration's cached boot at the shell when there is
   * one (default true; a launch that could stop during the boot — breakpoints, exception
   * filters, stopOnEntry — boots cold), else boot cold and save it there.
   */
  instantBoot?: boolean;
  /** The cache directory of instant boots (default $MIPS64_STUDIO_CACHE, else ~/.cache/mips64-studio). */
  cacheDir?: string;
  /** Also serve gdb's remote protocol on this TCP port (0: any free port, told in the Debug Console). */
  gdbPort?: number;
  /** Address the gdb port listens on (default 127.0.0.1). */
  gdbHost?: string;
}

/** Custom event `mips64/uart`: guest console output, bytes (as UTF-8 text) and ANSI intact. */
export const UART_EVENT = 'mips64/uart';
export interface UartEventBody {
  text: string;
  /** UART index (0 = the console). */
  port: number;
  /** Set when the text is a line from the debugger, not guest output (e.g. the checkpoint-restore marker). */
  marker?: boolean;
}

/**
 * The line the console shows where the guest's output continues from a restored
 * checkpoint: dim, on a line of its own (ANSI SGR 2), for a terminal.
 */
export function restoreMarkerText(name: string, icount: number): string {
  return `\r\n\x1b[2m── restored checkpoint ${name} (icount ${icount}) ──\x1b[0m\r\n`;
}

/** `mips64/uartInput`: bytes typed into the guest console. */
export const UART_INPUT = 'mips64/uartInput';
export interface UartInputArguments {
  text: string;
  /** UART index (0 = the console). */
  port?: number;
}

/** `mips64/stats`: execution statistics. */
export const STATS = 'mips64/stats';
export interface StatsBody {
  state: 'running' | 'stopped' | 'idle' | 'exited' | 'not started';
  board: string;
  cpu: string;
  engine: 'jit' | 'interp';
  /** Guest instructions executed (the virtual clock). */
  instructions: number;
  /** Virtual time in nanoseconds. */
  virtualTimeNs: number;
  /** Host milliseconds spent executing guest code. */
  hostRunMs: number;
  /** Million guest instructions per host second while running. */
  mips: number;
  jit?: { blocksTranslated: number; blockExecs: number; chainedExecs: number; interpretedInsns: number; invalidations: number };
}

/** `mips64/timeline`: where the machine is in time and what the time-travel recording holds. */
export const TIMELINE = 'mips64/timeline';
export interface TimelineBody {
  instructions: number;
  virtualTimeNs: number;
  /** The recording: first and furthest instruction counts, whether the machine is before the end, memory, automatic snapshots. */
  recording?: {
    start: number; end: number; inPast: boolean; usedBytes: number; budgetBytes: number;
    snapshots: Array<{ instructions: number; virtualTimeNs: number }>;
    /** Breakpoint, data breakpoint and exception stops made while running live, earliest first (go to one with mips64/goToInstruction). */
    hits: Array<{ instructions: number; sub: number; reason: string; description: string; pc: string }>;
  };
  /** Why there is no recording. */
  off?: string;
}

/** `mips64/goToInstruction`: moves the machine to a guest instruction count (time travel); a stop follows. */
export const GO_TO_INSTRUCTION = 'mips64/goToInstruction';
export interface GoToInstructionArguments {
  icount: number;
  /** Exception entries into that instruction count (a hit at an exception vector), default 0. */
  sub?: number;
}

/** `mips64/stepBackOut`: reverse step-out, back to the call (or exception entry) that entered the current frame; a stop follows. */
export const STEP_BACK_OUT = 'mips64/stepBackOut';

/** Checkpoint custom requests (`mips64/checkpoint/…`). */
export const CHECKPOINT_TAKE = 'mips64/checkpoint/take';
export const CHECKPOINT_LIST = 'mips64/checkpoint/list';
export const CHECKPOINT_RESTORE = 'mips64/checkpoint/restore';
export const CHECKPOINT_DELETE = 'mips64/checkpoint/delete';
export const CHECKPOINT_COMPARE = 'mips64/checkpoint/compare';

/** One checkpoint as the adapter reports it. */
export interface CheckpointItem {
  id: string;
  name: string;
  kind: 'full' | 'incremental';
  parentId: string | null;
  /** Guest instructions executed when it was taken. */
  icount: number;
  /** ISO time it was taken. */
  created: string;
  sizeBytes: number;
  pages: number;
  stored: Array<'memory' | 'disk'>;
}

export interface CheckpointTakeArguments {
  name?: string;
  /** Default 'auto': incremental when a previous checkpoint of this session exists. */
  kind?: 'full' | 'incremental' | 'auto';
}
export interface CheckpointTakeBody { checkpoint: CheckpointItem }

export interface CheckpointListBody {
  checkpoints: CheckpointItem[];
  /** 'memory' or the checkpoint directory. */
  location: string;
}

/** restore / delete: a checkpoint id, or a unique name. */
export interface CheckpointRefArguments { id: string }
export interface CheckpointRestoreBody { checkpoint: CheckpointItem }
export interface CheckpointDeleteBody { deleted: boolean }

export interface CheckpointCompareArguments { a: string; b: string }
export interface CheckpointCompareBody {
  identical: boolean;
  /** Human-readable diff (one line per difference). */
  text: string;
}
