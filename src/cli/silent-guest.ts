// `mips64 boot` on the Malta board: a kernel that passes the loader's checks but is
// damaged, or built for another board, typically runs forever without printing a thing
// (spinning in an exception handler, or looping on the same exception). A Linux kernel
// writes on its serial console within a few billion instructions: Debian's 5kc-malta
// vmlinuz, the slowest we know, first writes after 2.2 billion (its XZ decompressor
// prints nothing); `mips64 boot` allows 30 s of guest CPU time (6 billion at 5 ns per
// instruction). So once the guest has executed `limit` instructions (idle time not
// counted) without a single byte on any UART, the machine is stopped and the caller
// says why, with the last exception the CPU took (and where). Checked between runs by
// wrapping Machine.run (the slices end on the limit).

import { EXC_DESCRIPTIONS, EXC_NAMES } from '../emulator/isa/cp0-defs';
import type { Machine, RunResult } from '../emulator/machine';

/** Exit code of `mips64 boot` when the guest was stopped for writing nothing (see watchSilentGuest). */
export const EXIT_SILENT_GUEST = 5;

export interface SilentGuestWatch {
  /** Why the guest was stopped, once it was (undefined while it runs or after it wrote). */
  readonly reason: string | undefined;
  /** Removes the watch (restores Machine.run). */
  close(): void;
}

/**
 * Powers the machine off (exit code EXIT_SILENT_GUEST) once it has executed `limit`
 * instructions without console output; `nsPerInsn` turns the limit into guest CPU time
 * for the message.
 */
export function watchSilentGuest(machine: Machine, limit: number): SilentGuestWatch {
  const cpu = machine.cpu;
  const executed = (): number => cpu.icount - cpu.idleSkipped;
  const start = executed();
  let reason: string | undefined;
  let done = false;
  let wrote = false;
  const run = machine.run;
  const close = (): void => {
    if (done) return;
    done = true;
    machine.run = run;
    offTx();
  };
  // (Not unsubscribed from inside the event: the emitter would skip the next listener.)
  const offTx = machine.events.on('uartTx', () => { wrote = true; });
  machine.run = function (budget: number): RunResult {
    let total = 0;
    let r: RunResult = { executed: 0, reason: 'budget' };
    while (total < budget) {
      r = run.call(machine, Math.min(budget - total, Math.max(1, start + limit - executed())));
      total += r.executed;
      if (wrote) close();
      if (done || r.reason !== 'budget' || r.executed === 0) break;
      if (executed() - start >= limit) {
        const secs = (limit * machine.nsPerInsn) / 1e9;
        const exc = cpu.lastExc >= 0
          ? `; the last exception it took: ${EXC_NAMES[cpu.lastExc] ?? `code ${cpu.lastExc}`}${EXC_DESCRIPTIONS[cpu.lastExc] ? ` (${EXC_DESCRIPTIONS[cpu.lastExc]})` : ''} at pc 0x${BigInt.asUintN(64, cpu.c0.epc).toString(16)}`
          : '; it took no exception';
        reason = `the guest executed ${limit.toLocaleString('en-US')} instructions (${secs < 1 ? `${Math.round(secs * 1000)} ms` : `${+secs.toFixed(1)} s`} of guest CPU time) without writing anything on its console${exc}: `
          + 'a damaged kernel, or one built for another board? Stopped (--silent-exit 0 lets it run)';
        close();
        machine.powerOff(EXIT_SILENT_GUEST);
        return { executed: total, reason: 'poweroff' };
      }
    }
    return { executed: total, reason: r.reason };
  };
  return { get reason() { return reason; }, close };
}
