// What a gdb connection drives: one machine with its MachineDebugger, run by a host that
// executes it in slices — the debug adapter's Runtime (a VS Code session, or `mips64 boot`
// with --gdb: src/adapter/gdb-target.ts). The stub (session.ts) only translates packets
// into these calls and the host's stops into stop replies; breakpoints, watchpoints,
// stepping and memory are the debugger core's (src/emulator/debug).

import type { MachineDebugger, StopInfo } from '../emulator/debug/debugger';
import type { Checkpointer } from '../emulator/snapshot/manager';

export type TargetState = 'not started' | 'running' | 'idle' | 'stopped' | 'exited';

export interface GdbTarget {
  readonly dbg: MachineDebugger;
  readonly state: TargetState;
  /** Continues from the PC (a breakpoint there is passed once). */
  resume(): void;
  /** Executes one instruction. */
  step(): void;
  /** Requests a stop; a stop event follows (at once when idle). */
  pause(): void;
  /** Called for every stop (whoever caused it: this client, another front end, a breakpoint). */
  onStop(listener: (stop: StopInfo) => void): () => void;
  /** Called when the guest powers off. */
  onExit(listener: (code: number) => void): () => void;
  /** How far the running kernel moved its symbols (KASLR), once known; undefined for other guests or before. */
  kernelOffset(): bigint | undefined;
  /** The machine's checkpoints (shared with the other front end, if any). */
  checkpoints(): Checkpointer;
  /** The machine state was replaced by a checkpoint restore: the host re-synchronises (pacing, kernel symbols, views). */
  restored(description: string): void;
  /** The machine state (registers, memory) was changed by this client: other views refresh. */
  changed(): void;
  /** gdb `kill`: ends the guest. */
  kill(): void;
  /** The client detached or went away (its breakpoints are already removed). */
  release(): void;
  /** Reverse execution (time travel), when the host has it. */
  readonly reverse?: { step(): void; resume(): void };
}
