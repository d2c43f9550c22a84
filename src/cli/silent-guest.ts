// `mips64 boot` on a Linux board: a guest that writes nothing on its console for
// --silent-exit seconds of guest CPU time (idle time not counted) is stopped, with the
// reason the emulator's SilentGuestWatch gives (a damaged kernel, or one for another
// board). Checked between runs by wrapping Machine.run (the slices end on the limit).

import type { Machine, RunResult } from '../emulator/machine';
import { SilentGuestWatch } from '../emulator/silent-guest';

/** Exit code of `mips64 boot` when the guest was stopped for writing nothing (see watchSilentGuest). */
export const EXIT_SILENT_GUEST = 5;

export interface SilentGuestStop {
  /** Why the guest was stopped, once it was (undefined while it runs or after it wrote). */
  readonly reason: string | undefined;
  /** Removes the watch (restores Machine.run). */
  close(): void;
}

/** Powers the machine off (exit code EXIT_SILENT_GUEST) once it has executed `limit` instructions without console output. */
export function watchSilentGuest(machine: Machine, limit: number): SilentGuestStop {
  const watch = new SilentGuestWatch(machine, limit);
  let reason: string | undefined;
  const run = machine.run;
  const close = (): void => {
    watch.close();
    if (machine.run !== run) machine.run = run;
  };
  machine.run = function (budget: number): RunResult {
    let total = 0;
    let r: RunResult = { executed: 0, reason: 'budget' };
    while (total < budget) {
      r = run.call(machine, Math.min(budget - total, watch.remaining()));
      total += r.executed;
      const why = watch.check();
      if (why !== undefined) {
        reason = `${why} Stopped (--silent-exit 0 lets it run)`;
        close();
        machine.powerOff(EXIT_SILENT_GUEST);
        return { executed: total, reason: 'poweroff' };
      }
      if (watch.finished) { close(); break; }
      if (r.reason !== 'budget' || r.executed === 0) break;
    }
    return { executed: total, reason: r.reason };
  };
  return { get reason() { return reason; }, close };
}
