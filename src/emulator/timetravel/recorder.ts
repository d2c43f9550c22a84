// The time-travel recorder: follows one machine and keeps its history in memory so any
// earlier point of the run can be reached again. It takes snapshots (every component's
// state, and the RAM pages written since the previous snapshot, found by a dirty
// tracker of its own) at intervals of guest instructions, and logs the console input
// with the instruction count it arrived at. Going back = restoring the latest snapshot
// at or before the target, then running forward: the machine is deterministic and the
// recorder delivers the logged input at the same counts (Machine.run asks it before
// each run, RunRecorder), so the run retraces the original one exactly.
//
// Snapshots are kept within a memory budget: when the history outgrows it, snapshots
// are thinned out, older ones first (the first snapshot, the start of the recording,
// always stays). The interval adapts to keep the cost of snapshots small.
//
// "In the past" means before the furthest point ever executed (`end`): running forward
// there replays (Machine.replaying: hosts do not show the guest's console output a
// second time) until `end`, where live execution resumes. Input typed in the past is
// refused, or truncates the recorded future (option inputInPast).

import type { Machine, RunRecorder } from '../machine';
import { applyStates } from '../snapshot/checkpoint';
import { isFillPage, PAGE_SHIFT } from '../snapshot/compress';
import { DirtyTracker } from '../snapshot/dirty';
import { decodeState, saveState, Stateful } from '../snapshot/state';
import { PageHistory, VersionOwner } from './page-history';
import { comparePositions, formatPosition, Position } from './position';

export interface TimeTravelOptions {
  /** Bytes the history may take (default 512 MiB). */
  budgetBytes?: number;
  /** Guest instructions between snapshots to start with (adapted later; default 4 M). */
  intervalInstructions?: number;
  /** Adapt the interval to the cost of snapshots (default true; false keeps it fixed). */
  adaptive?: boolean;
  /** Input typed while in the past: refused (default) or it truncates the recorded future. */
  inputInPast?: 'refuse' | 'truncate';
  /** Host-side state saved with each snapshot and restored with it (the debugger's counters). */
  extra?: { save(): unknown; load(x: unknown): void };
}

export class TimeTravelError extends Error {}

export interface SnapshotInfo {
  readonly icount: number;
  readonly virtualNs: number;
  /** Bytes it holds (its states and page versions). */
  readonly bytes: number;
}

interface Snapshot extends VersionOwner {
  readonly order: number;
  readonly icount: number;
  readonly virtualNs: number;
  readonly states: Uint8Array[];
  /** Machine.inputLog.length and the recorder's log index at the snapshot. */
  readonly inputLogLength: number;
  readonly logIndex: number;
  readonly waitSince: number;
  readonly extra: unknown;
  /** RAM pages with a version stored at this snapshot. */
  pages: Set<number>;
  bytes: number;
}

interface Input { readonly icount: number; readonly bytes: Uint8Array }

const MIN_INTERVAL = 1_000_000;
/** Longest interval the adaptation goes to: a step back replays at most this many instructions. */
const MAX_INTERVAL = 16_000_000;

export class TimeTravel implements RunRecorder {
  private readonly snaps: Snapshot[] = [];
  private readonly history: PageHistory;
  private readonly view: DirtyTracker;
  private readonly comps: Stateful[];
  private readonly log: Input[] = [];
  /** Next log entry to deliver (replay) / log length (live). */
  private logIndex = 0;
  private interval: number;
  private readonly minInterval: number;
  private readonly adaptive: boolean;
  private nextAt: number;
  /** Exceptions taken at instruction count excAt (the position's sub). */
  private excAt = -1;
  private excSub = 0;
  private endPos: Position;
  readonly budgetBytes: number;
  private readonly inputInPast: 'refuse' | 'truncate';
  private readonly extra: TimeTravelOptions['extra'];
  private disposed = false;
  private snapMs = 0;
  private runMs = 0;
  private runT0 = 0;
  /** Times the recording started again (the machine's state replaced from outside): positions of before name other states. */
  restarts = 0;
  /** A move (reverse step, reverse continue, go to) is in progress: it owns the machine, input is refused. */
  busy = false;
  /** Called when replay reaches the end of the recording and live execution resumes. */
  onLive: ((at: Position) => void) | undefined = undefined;
  /** Called when the machine's state was replaced from outside (a checkpoint restore) and the history restarted. */
  onRestart: ((at: Position) => void) | undefined = undefined;

  constructor(readonly m: Machine, opts: TimeTravelOptions = {}) {
    const budget = opts.budgetBytes ?? 512 * 1024 * 1024;
    if (!Number.isFinite(budget) || budget <= 0) throw new TimeTravelError(`a time-travel memory budget of ${budget} bytes holds no history: give at least a few MiB (or turn time travel off)`);
    if (m.recorder) throw new TimeTravelError('this machine is already recorded');
    this.budgetBytes = budget;
    const iv = opts.intervalInstructions ?? 4_000_000;
    if (!Number.isSafeInteger(iv) || iv < 1000) throw new TimeTravelError(`a snapshot interval of ${iv} instructions is too small (at least 1000)`);
    this.interval = Math.min(MAX_INTERVAL, iv);
    this.minInterval = Math.min(MIN_INTERVAL, this.interval);
    this.adaptive = opts.adaptive ?? true;
    this.inputInPast = opts.inputInPast ?? 'refuse';
    this.extra = opts.extra;
    this.history = new PageHistory(m.bus.ram, m.bus.ram32);
    this.comps = m.stateComponents();
    this.view = DirtyTracker.view(m);
    const prev = m.cpu.hooks.onException;
    m.cpu.hooks.onException = (c, code) => {
      if (!this.disposed) {
        if (c.icount === this.excAt) this.excSub++;
        else { this.excAt = c.icount; this.excSub = 1; }
      }
      prev?.(c, code);
    };
    this.endPos = this.position;
    this.nextAt = m.cpu.icount;
    this.start();
    m.recorder = this;
  }

  /** Where the machine is now. */
  get position(): Position {
    const icount = this.m.cpu.icount;
    return { icount, sub: icount === this.excAt ? this.excSub : 0 };
  }

  /** The furthest point executed. */
  get end(): Position {
    return this.endPos;
  }

  /** The earliest point that can be reached. */
  get start0(): Position {
    return { icount: this.snaps[0].icount, sub: 0 };
  }

  get inPast(): boolean {
    return comparePositions(this.position, this.endPos) < 0;
  }

  /** Bytes the history takes now. */
  get usedBytes(): number {
    let n = this.history.bytes;
    for (const s of this.snaps) n += stateBytes(s);
    return n;
  }

  get snapshots(): SnapshotInfo[] {
    return this.snaps.map((s) => ({ icount: s.icount, virtualNs: s.virtualNs, bytes: s.bytes }));
  }

  get intervalInstructions(): number {
    return this.interval;
  }

  /** Stops recording; the history is dropped. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.view.dispose();
    if (this.m.recorder === this) this.m.recorder = undefined;
    this.m.replaying = false;
    this.snaps.length = 0;
  }

  // ---- RunRecorder -----------------------------------------------------------------------------

  beforeRun(budget: number): number {
    if (this.disposed) return budget;
    const icount = this.m.cpu.icount;
    this.runT0 = performance.now();
    if (!this.inPast) {
      this.m.replaying = false;
      if (icount >= this.nextAt && this.position.sub === 0) this.snapshot();
      return Math.max(1, Math.min(budget, this.nextAt - icount));
    }
    this.m.replaying = true;
    while (this.logIndex < this.log.length && this.log[this.logIndex].icount <= icount) {
      this.m.deliverInput(this.log[this.logIndex++].bytes);
    }
    // Passing a snapshot: RAM is what it saved, so pages written from here on are new to it.
    const s = this.snaps.find((x) => x.icount === icount);
    if (s && this.position.sub === 0) this.view.rearm(this.view.dirtyPages());
    let limit = this.endPos.icount > icount ? this.endPos.icount : Infinity;
    if (this.logIndex < this.log.length) limit = Math.min(limit, this.log[this.logIndex].icount);
    const next = this.snaps.find((x) => x.icount > icount);
    if (next) limit = Math.min(limit, next.icount);
    return Math.max(1, Math.min(budget, limit - icount));
  }

  afterRun(): void {
    if (this.disposed) return;
    this.runMs += performance.now() - this.runT0;
    const pos = this.position;
    if (comparePositions(pos, this.endPos) >= 0) {
      const wasPast = this.m.replaying;
      this.endPos = pos;
      if (wasPast) {
        this.m.replaying = false;
        this.onLive?.(pos);
      }
    }
  }

  inputLimit(): number {
    if (this.disposed || !this.inPast) return Infinity;
    return this.logIndex < this.log.length ? this.log[this.logIndex].icount : Infinity;
  }

  input(bytes: Uint8Array): void {
    if (this.disposed) return;
    const pos = this.position;
    if (this.busy) throw new TimeTravelError('input refused: the machine is travelling in time (wait for the step back or reverse continue to end, or pause it)');
    if (comparePositions(pos, this.endPos) < 0) {
      if (this.inputInPast === 'refuse') {
        throw new TimeTravelError(`input refused: the machine is in the past (instruction ${formatPosition(pos)} of ${formatPosition(this.endPos)}); continue to the end first, or let typing in the past discard the recorded future (setting)`);
      }
      this.truncate();
    }
    this.log.push({ icount: pos.icount, bytes: bytes.slice() });
    this.logIndex = this.log.length;
  }

  discontinuity(): void {
    if (this.disposed) return;
    this.restarts++;
    this.snaps.length = 0;
    this.history.clear();
    this.log.length = 0;
    this.logIndex = 0;
    this.excAt = -1;
    this.excSub = 0;
    this.endPos = this.position;
    this.nextAt = this.m.cpu.icount;
    this.m.replaying = false;
    this.start();
    this.onRestart?.(this.endPos);
  }

  // ---- going back ----------------------------------------------------------------------------

  /** Forgets the recorded future: the present becomes the end of the recording. */
  truncate(): void {
    const pos = this.position;
    this.endPos = pos;
    this.log.length = this.logIndex;
    while (this.snaps.length > 1 && this.snaps[this.snaps.length - 1].icount > pos.icount) this.drop(this.snaps.length - 1);
    this.nextAt = pos.icount + this.interval;
    this.m.replaying = false;
  }

  /**
   * Restores the latest snapshot at or before `target` (the start of the recording if
   * none); returns its position. Run forward from there to reach the target.
   */
  restoreBefore(target: Position): Position {
    if (this.disposed) throw new TimeTravelError('time travel is off');
    let i = this.snaps.length - 1;
    while (i > 0 && this.snaps[i].icount > target.icount) i--;
    this.restore(this.snaps[i]);
    return { icount: this.snaps[i].icount, sub: 0 };
  }

  /** Positions of the snapshots, earliest first. */
  snapshotPositions(): Position[] {
    return this.snaps.map((s) => ({ icount: s.icount, sub: 0 }));
  }

  private restore(s: Snapshot): void {
    const m = this.m;
    const decoded = this.comps.map((c, i) => ({ c, values: decodeState(c, s.states[i]) }));
    // RAM pages that can differ from the snapshot: those saved after it and those written since the last snapshot.
    const pages = new Set<number>(this.view.dirtyPages());
    const after = Math.min(s.order, this.m.cpu.icount);
    for (const t of this.snaps) if (t.order > after) for (const p of t.pages) pages.add(p);
    const list = [...pages].sort((a, b) => a - b);
    for (const p of list) this.history.restore(p, s);
    applyStates(m, decoded);
    // Translated code stays valid but on the pages rewritten (the host translation cache
    // was flushed by applyStates, and with it the links that depend on the TLB).
    const jit = m.jit;
    if (jit) for (const p of list) jit.invalidatePage(p);
    this.view.rearm(list);
    DirtyTracker.noteRewritten(m, list, this.view);
    m.inputLog.length = Math.min(m.inputLog.length, s.inputLogLength);
    this.logIndex = s.logIndex;
    m.cpu.waitSince = s.waitSince;
    this.excAt = -1;
    this.excSub = 0;
    m.replaying = comparePositions(this.position, this.endPos) < 0;
    this.extra?.load(s.extra);
  }

  // ---- snapshots -----------------------------------------------------------------------------

  private start(): void {
    const m = this.m;
    this.view.resetAll();
    // The first snapshot holds every non-zero page (a missing version reads as zero).
    const all = new Set<number>();
    const ram32 = m.bus.ram32;
    for (let p = 0; p < this.history.pageCount; p++) {
      const w = p << (PAGE_SHIFT - 2);
      if (!(ram32[w] === 0 && isFillPage(ram32, w))) all.add(p);
    }
    this.snapshot(all);
    if (this.usedBytes > this.budgetBytes) {
      const need = this.usedBytes;
      this.dispose();
      throw new TimeTravelError(`the time-travel memory budget (${mib(this.budgetBytes)} MiB) is smaller than the machine's first snapshot (${mib(need)} MiB): raise it`);
    }
  }

  private snapshot(firstPages?: Set<number>): void {
    const t0 = performance.now();
    const m = this.m, cpu = m.cpu;
    // Process events due now, as the run loop would before the next instruction.
    if (cpu.icount >= cpu.nextEvent) cpu.hooks.onEvent(cpu);
    const s: Snapshot = {
      order: cpu.icount, icount: cpu.icount, virtualNs: m.now(),
      states: this.comps.map(saveState),
      inputLogLength: m.inputLog.length, logIndex: this.logIndex, waitSince: cpu.waitSince,
      extra: this.extra?.save(), pages: new Set(), bytes: 0,
    };
    const dirty = firstPages ? [...firstPages] : [...this.view.dirtyPages()];
    for (const p of dirty) { s.bytes += this.history.save(p, s); s.pages.add(p); }
    s.bytes += stateBytes(s);
    if (!firstPages) this.view.rearm(dirty);
    this.snaps.push(s);
    this.thin();
    // Adapt: keep snapshots below ~2 % of the run time.
    this.snapMs += performance.now() - t0;
    if (this.adaptive && this.runMs > 0) {
      const share = this.snapMs / this.runMs;
      if (share > 0.03) this.interval = Math.min(MAX_INTERVAL, this.interval * 2);
      else if (share < 0.005) this.interval = Math.max(this.minInterval, Math.floor(this.interval / 2));
      this.snapMs = 0;
      this.runMs = 0;
    }
    this.nextAt = cpu.icount + this.interval;
  }

  /** Removes snapshots until the history fits the budget: where they are densest relative to their age. */
  private thin(): void {
    while (this.usedBytes > this.budgetBytes && this.snaps.length > 2) {
      const now = this.m.cpu.icount;
      let best = -1, bestScore = Infinity;
      for (let i = 1; i < this.snaps.length - 1; i++) {
        const gap = this.snaps[i + 1].icount - this.snaps[i - 1].icount;
        const score = gap / Math.max(1, now - this.snaps[i].icount);
        if (score < bestScore) { bestScore = score; best = i; }
      }
      this.drop(best);
    }
  }

  /** Removes snapshot i: its page versions move into the next snapshot (or are freed). */
  private drop(i: number): void {
    const s = this.snaps[i];
    const into = this.snaps[i + 1];
    for (const p of s.pages) {
      const r = this.history.merge(p, s, into);
      if (into && r.moved > 0) { into.pages.add(p); into.bytes += r.moved; }
    }
    this.snaps.splice(i, 1);
  }
}

function stateBytes(s: Snapshot): number {
  let n = 64;
  for (const b of s.states) n += b.length;
  return n;
}

function mib(n: number): string {
  return (n / 1048576).toFixed(1);
}
