// Noticing a guest that makes no progress on its console. A kernel that passes the
// loader's checks but is damaged, or built for another board, typically runs forever
// without printing a thing (spinning in an exception handler, or looping on the same
// exception). A Linux kernel writes on its serial console within a few billion
// instructions: Debian's 5kc-malta vmlinuz, the slowest we know, first writes after 2.2
// billion (its XZ decompressor prints nothing). So once the guest has executed `limit`
// instructions (idle time not counted: Cpu.idleSkipped) without a single byte on any
// UART, the watch reports why, with the last exception the CPU took and where.
//
// The host asks between runs: remaining() bounds the next run so it ends on the limit,
// check() gives the reason once the limit is reached. Both the CLI (which stops the
// machine: `mips64 boot --silent-exit`) and the debug adapter (which stops the session
// with the reason) use it.

import { EXC_DESCRIPTIONS, EXC_NAMES } from './isa/cp0-defs';
import type { Machine } from './machine';

/** Guest CPU seconds a Linux guest may run before its first console output, unless the user says otherwise. */
export const DEFAULT_SILENT_SECONDS = 30;

export class SilentGuestWatch {
  private readonly start: number;
  private wrote = false;
  private done = false;
  private readonly offTx: () => void;

  /** `limit`: instructions the guest may execute (idle time not counted) before it must have written. */
  constructor(private readonly machine: Machine, readonly limit: number) {
    this.start = this.executed();
    this.offTx = machine.events.on('uartTx', () => { this.wrote = true; });
  }

  /** A watch for `seconds` of guest CPU time (at the machine's ns per instruction). */
  static forSeconds(machine: Machine, seconds: number): SilentGuestWatch {
    return new SilentGuestWatch(machine, Math.max(1, Math.round((seconds * 1e9) / machine.nsPerInsn)));
  }

  private executed(): number {
    const cpu = this.machine.cpu;
    return cpu.icount - cpu.idleSkipped;
  }

  /** Whether the watch is over: the guest wrote, the reason was given, or it was closed. */
  get finished(): boolean {
    return this.done || this.wrote;
  }

  /** Instructions the guest may still execute before check() reports it (Infinity once finished). */
  remaining(): number {
    if (this.finished) return Infinity;
    return Math.max(1, this.start + this.limit - this.executed());
  }

  /**
   * After a run: the reason, the first time the guest has executed `limit` instructions
   * without writing (the watch is then over); undefined otherwise.
   */
  check(): string | undefined {
    if (this.wrote) this.close();
    if (this.done || this.executed() - this.start < this.limit) return undefined;
    this.close();
    const cpu = this.machine.cpu;
    const secs = (this.limit * this.machine.nsPerInsn) / 1e9;
    const exc = cpu.lastExc >= 0
      ? `; the last exception it took: ${EXC_NAMES[cpu.lastExc] ?? `code ${cpu.lastExc}`}${EXC_DESCRIPTIONS[cpu.lastExc] ? ` (${EXC_DESCRIPTIONS[cpu.lastExc]})` : ''} at pc 0x${BigInt.asUintN(64, cpu.c0.epc).toString(16)}`
      : '; it took no exception';
    return `the guest executed ${this.limit.toLocaleString('en-US')} instructions (${secs < 1 ? `${Math.round(secs * 1000)} ms` : `${+secs.toFixed(1)} s`} of guest CPU time) `
      + `without writing anything on its console${exc}: a damaged kernel, or one built for another board?`;
  }

  /** Ends the watch (it stops listening to the console). */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.offTx();
  }
}
