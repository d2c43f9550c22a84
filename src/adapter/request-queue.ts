// The order in which a debug session serves requests. Most requests are served at once,
// in arrival order. A long one (thousands of breakpoints to resolve) runs in steps and
// yields between them; while it runs, requests that only read state (threads, stack,
// variables, memory, disassembly, statistics, pause) are still served at once, and every
// other request waits — in order, behind the first one that had to wait — until the long
// one is done. So a client never sees a request take effect before one it sent earlier,
// and nothing it asks while a long request is resolved waits for it needlessly.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CHECKPOINT_LIST, STATS } from './protocol';

/** Requests that read state only (or, for pause, only stop the machine). */
const READ_ONLY = new Set([
  'threads', 'stackTrace', 'scopes', 'variables', 'source', 'exceptionInfo', 'readMemory', 'disassemble', 'pause',
  'loadedSources', STATS, CHECKPOINT_LIST,
]);

function readOnly(r: DebugProtocol.Request): boolean {
  if (READ_ONLY.has(r.command)) return true;
  // Hovers and watches evaluate expressions; the Debug Console (repl) may assign.
  const context = (r.arguments as { context?: unknown } | undefined)?.context;
  return r.command === 'evaluate' && (context === 'hover' || context === 'watch' || context === 'variables');
}

export class RequestQueue {
  /** Long requests in progress. */
  private running = 0;
  private readonly waiting: DebugProtocol.Request[] = [];

  /** `serve` handles one request; a Promise means it is long and done when the Promise settles. */
  constructor(private readonly serve: (r: DebugProtocol.Request) => Promise<void> | void) {}

  push(r: DebugProtocol.Request): void {
    if (this.running > 0 && (this.waiting.length > 0 || !readOnly(r))) this.waiting.push(r);
    else this.start(r);
  }

  private start(r: DebugProtocol.Request): void {
    const p = this.serve(r);
    if (!p) return;
    this.running++;
    const done = (): void => {
      this.running--;
      while (this.running === 0 && this.waiting.length > 0) this.start(this.waiting.shift()!);
    };
    p.then(done, done);
  }
}

/** Lets other work (I/O, the machine's run slices) happen before the rest of a long request. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
