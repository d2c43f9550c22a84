// Typed shapes the MIPS64 debug adapter adds to the Debug Adapter Protocol: the launch
// configuration (package.json contributes.debuggers[0].configurationAttributes.launch)
// and the custom requests the extension sends.

import type { DebugProtocol } from '@vscode/debugprotocol';

export interface SymbolFileArg {
  path: string;
  /** Load offset added to every symbol: a number or a hex string ("0xffffffffc0000000"). */
  offset?: number | string;
}

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** ELF kernel/program; omitted: the built-in demo guest. */
  kernel?: string;
  board?: 'demo' | 'malta';
  initrd?: string;
  append?: string;
  /** Guest RAM in MiB. */
  memory?: number;
  engine?: 'jit' | 'interp';
  cpu?: string;
  symbols?: SymbolFileArg[];
  stopOnEntry?: boolean;
  checkpoint?: string;
  sourceMap?: Record<string, string>;
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
