// What a debug session needs to serve an `attach` request: a host that owns an already
// running machine (`mips64 boot --debug-port N`, src/cli/debug-server.ts) and lends it to
// one session at a time. The session drives the machine through the Runtime it gets, and
// gives it back on `disconnect` (the guest goes on running in the host) or ends the host's
// guest on `terminate` / `disconnect` with terminateDebuggee.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Runtime } from './runtime';

export interface AttachArguments extends DebugProtocol.AttachRequestArguments {
  /** TCP port of the debug server (used by VS Code to connect; not read by the adapter). */
  port?: number;
  host?: string;
  /** As for launch: where guest console output goes (default 'debugConsole'). */
  uartOutput?: 'debugConsole' | 'event' | 'both';
}

/** An attach request the host refuses (another session holds the machine, the guest is off). */
export class AttachError extends Error {}

export interface AttachHost {
  /**
   * Lends the machine to a session: a Runtime bound to it, not started yet. Throws
   * AttachError when it cannot (another session is attached, the guest has powered off).
   */
  attach(): Runtime;
  /**
   * True when the host holds the guest before its first instruction until a debugger
   * attaches (`--wait-for-debugger`): the session then reports a stop at the entry point.
   */
  readonly waitingForDebugger: boolean;
  /** The session is done with the machine (disconnect, or its connection closed): the host runs it again. */
  detach(rt: Runtime): void;
  /** Ends the host's guest (terminate, or disconnect with terminateDebuggee). */
  terminate(rt: Runtime): void;
}
