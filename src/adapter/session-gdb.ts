// A launched debug session's gdb port (launch attribute "gdbPort", optional "gdbHost"):
// gdb-multiarch connects to the very machine VS Code shows (src/gdbstub through
// adapter/gdb-target.ts), one gdb at a time. Stops caused by either front end are seen by
// both; what gdb changes (registers, memory, a restored checkpoint) refreshes VS Code's views.

import { GdbServer, isLoopbackHost } from '../gdbstub/server';
import type { Checkpointer } from '../emulator/snapshot/manager';
import { runtimeGdbTarget } from './gdb-target';
import type { Runtime } from './runtime';

export interface SessionGdbHooks {
  /** The machine the session runs now (undefined: none). */
  runtime(): Runtime | undefined;
  checkpoints(rt: Runtime): Checkpointer;
  /** A line for the Debug Console (category console or stderr). */
  note(line: string, category: 'console' | 'stderr'): void;
  /** gdb resumed the machine: VS Code shows it running. */
  continued(): void;
  /** gdb changed registers or memory, or restored a checkpoint: VS Code's views refresh. */
  invalidated(): void;
  /** gdb `kill`: the session ends its guest. */
  kill(): void;
}

export class SessionGdb {
  private readonly server: GdbServer;

  constructor(private readonly hooks: SessionGdbHooks) {
    this.server = new GdbServer({
      connect: () => {
        const rt = hooks.runtime();
        if (!rt) throw new Error('the session has no machine now');
        const target = runtimeGdbTarget(rt, {
          checkpoints: () => hooks.checkpoints(rt),
          kill: () => hooks.kill(),
          release: () => undefined,
          changed: () => hooks.invalidated(),
          restored: () => hooks.invalidated(),
        });
        return {
          ...target,
          get state() { return target.state; },
          get reverse() { return target.reverse; },
          resume: () => { target.resume(); hooks.continued(); },
          step: () => { target.step(); hooks.continued(); },
        };
      },
      note: (line) => hooks.note(line, 'console'),
    });
  }

  /** Listens; the outcome is a Debug Console line (a session runs on without its gdb port). */
  async listen(port: number, host: string): Promise<void> {
    try {
      const p = await this.server.listen(port, host);
      this.hooks.note(`gdb server listening on ${host}:${p} (gdb-multiarch: target remote ${isLoopbackHost(host) ? '' : host}:${p})`, 'console');
      if (!isLoopbackHost(host)) this.hooks.note(`warning: "gdbHost": ${host} accepts gdb clients from other machines, with no authentication: whoever can connect controls the guest and can read and write its memory`, 'stderr');
    } catch (e) {
      this.hooks.note((e as Error).message, 'stderr');
    }
  }

  close(): void {
    void this.server.close();
  }
}
