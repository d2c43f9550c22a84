// Deterministic replay. The machine is deterministic given its state and the console
// input it receives, so a run is reproduced from a checkpoint by delivering the same
// input at the same instruction counts. Machine.consoleInput records every input with
// the instruction count at which it arrived (Machine.inputLog); a checkpoint stores
// the log and how many entries existed at capture (header.inputEvents), so the input
// that came after a checkpoint is `log.slice(header.inputEvents)` of any later log.

import type { ConsoleInputRecord, Machine, RunResult } from '../machine';
import { ByteReader, ByteWriter, CheckpointError } from './format';

/** Runs `m` until its instruction count reaches `icount` (or it idles or powers off). */
export function runTo(m: Machine, icount: number, chunk = 10_000_000): RunResult {
  let executed = 0;
  let last: RunResult = { executed: 0, reason: 'budget' };
  while (m.cpu.icount < icount) {
    last = m.run(Math.min(chunk, icount - m.cpu.icount));
    executed += last.executed;
    if (last.reason !== 'budget') break;
  }
  return { executed, reason: last.reason };
}

/**
 * Runs `m` up to instruction count `until`, delivering each input of `entries` when the
 * instruction count reaches the count it was recorded at (inputs recorded before the
 * machine's current count are delivered at once, in order). Stops early on power-off.
 */
export function replayInput(m: Machine, entries: readonly ConsoleInputRecord[], until: number): RunResult {
  let executed = 0;
  let reason: RunResult['reason'] = 'budget';
  for (const e of entries) {
    if (e.icount > until) break;
    if (m.cpu.icount < e.icount) {
      const r = runTo(m, e.icount);
      executed += r.executed;
      reason = r.reason;
      if (m.poweredOff) return { executed, reason: 'poweroff' };
    }
    m.consoleInput(e.bytes);
  }
  if (m.cpu.icount < until) {
    const r = runTo(m, until);
    executed += r.executed;
    reason = r.reason;
  }
  return { executed, reason };
}

/** Serialises an input log (INPT section payload). */
export function encodeInputLog(log: readonly ConsoleInputRecord[]): Uint8Array {
  const w = new ByteWriter(16 + log.length * 16);
  w.u32(log.length);
  for (const e of log) {
    w.f64(e.icount);
    w.u32(e.bytes.length);
    w.raw(e.bytes);
  }
  return w.bytes().slice();
}

export function decodeInputLog(b: Uint8Array, what: string): ConsoleInputRecord[] {
  const r = new ByteReader(b, `${what}: input log`);
  const n = r.u32();
  const out: ConsoleInputRecord[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const icount = r.f64();
    if (!Number.isInteger(icount) || icount < prev) {
      const why = Number.isInteger(icount) ? `${icount}, before the previous entry's ${prev}` : 'that is not a whole number';
      throw new CheckpointError('corrupt', `${what}: input log entry ${i} has an instruction count ${why}`);
    }
    prev = icount;
    const len = r.u32();
    out.push({ icount, bytes: r.raw(len).slice() });
  }
  if (!r.atEnd) throw new CheckpointError('corrupt', `${what}: input log has trailing bytes`);
  return out;
}
