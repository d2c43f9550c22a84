// A gdb remote-protocol client's view of a Runtime (src/gdbstub/target.ts): run control,
// stops and exits go through the Runtime that runs the machine, the same one a VS Code
// session drives (the debug adapter with "gdbPort") or the one `mips64 boot --gdb` lends
// (src/cli/debug-server.ts). Both front ends then see every stop, whoever caused it.

import type { GdbTarget, TargetState } from '../gdbstub/target';
import type { Checkpointer } from '../emulator/snapshot/manager';
import type { Runtime } from './runtime';

export interface RuntimeGdbHooks {
  /** The machine's checkpoints (the session's, or the CLI's). */
  checkpoints(): Checkpointer;
  /** gdb `kill`: ends the guest. */
  kill(): void;
  /** The client is gone (its breakpoints are already removed). */
  release(): void;
  /** The client changed registers or memory (other views refresh). */
  changed?(): void;
  /** The machine state was replaced by a checkpoint restore (besides Runtime.restored). */
  restored?(description: string): void;
  /** gdb resumed the machine (forward or back). */
  resumed?(): void;
}

export function runtimeGdbTarget(rt: Runtime, hooks: RuntimeGdbHooks): GdbTarget {
  const went = <A extends unknown[]>(f: (...a: A) => void) => (...a: A): void => { f(...a); hooks.resumed?.(); };
  const reverse = {
    step: went(() => rt.stepBack('instruction')),
    resume: went(() => rt.reverseContinue()),
  };
  return {
    dbg: rt.dbg,
    get state(): TargetState { return rt.status; },
    resume: went(() => rt.continue()),
    step: went(() => rt.stepInstruction()),
    pause: () => rt.pause(),
    onStop: (listener) => rt.events.on('stopped', listener),
    onExit: (listener) => rt.events.on('exited', (e) => listener(e.code)),
    kernelOffset: () => rt.kernelSymbols?.info?.offset,
    checkpoints: () => hooks.checkpoints(),
    restored: (description) => { rt.restored(description); hooks.restored?.(description); },
    changed: () => hooks.changed?.(),
    kill: () => hooks.kill(),
    release: () => hooks.release(),
    get reverse() { return rt.tt ? reverse : undefined; },
  };
}
