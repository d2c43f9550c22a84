// Reverse execution for the debugger core: step back (by instruction, or by source line
// over calls), reverse continue (to the latest point before now where a forward run
// would have stopped: code breakpoints with their conditions and hit counts, data
// breakpoints, exception filters) and "go to instruction count". Built on the
// time-travel recorder: every move back restores a snapshot and replays forward with
// the debugger's breakpoints armed, their stops recorded instead of reported.
//
// The API (TimeTravelDebugger) is what the debug adapter and the gdb stub use: each move
// returns the stop to report, like MachineDebugger.noteStop, either at once (stepBack,
// reverseContinue, goTo) or as a Travel worked in host-time slices (begin), which Pause
// can interrupt: the move then ends at the latest point it knows has nothing to stop at
// between there and where it started (or back where it started), never past a stop.
// Moves are generators that yield between replay slices.

import { DebuggerRunState, MachineDebugger, RunState, StopInfo, StopReason } from '../debug/debugger';
import { DELAY_SLOT, F } from '../isa/table';
import { TimeTravel, TimeTravelError, TimeTravelOptions } from './recorder';
import { comparePositions, formatPosition, Position, samePosition } from './position';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

interface SeenStop { pos: Position; stop: StopInfo; state: DebuggerRunState }

/** A move in progress: yields between slices of work, returns the stop to report. */
type Move = Generator<void, RunState, void>;
type Work<T> = Generator<void, T, void>;

/** Instructions replayed between yields (a few ms of host time with the translator). */
const REPLAY_CHUNK = 1_000_000;
/** Instructions stepped one by one (line and frame tracking) between yields. */
const STEP_CHUNK = 20_000;

/** What a move may be interrupted at: where it lands then, and how that is said. */
interface Landing { pos: Position; say: (at: string) => string }

/** The time-travel moves a debugger can make. */
export type TravelMove =
  | { kind: 'stepBack'; granularity: 'instruction' | 'line' }
  | { kind: 'stepBackOut' }
  | { kind: 'reverseContinue' }
  | { kind: 'goTo'; icount: number; sub?: number };

/** A stop made while running live (a breakpoint, data breakpoint or exception filter hit), to go back (or forward) to. */
export interface SeenHit {
  readonly pos: Position;
  readonly reason: string;
  readonly description: string;
  readonly pc: bigint;
}

/** Stops kept in the list of hits (the oldest go first). */
const MAX_HITS = 1000;
const HIT_REASONS = new Set<string>(['breakpoint', 'function breakpoint', 'instruction breakpoint', 'data breakpoint', 'exception'] satisfies StopReason[]);

/**
 * A move in progress (TimeTravelDebugger.begin): work() it in slices of host time until it
 * returns the stop to report; cancel() (Pause) ends it at a consistent point instead.
 */
export class Travel {
  private done = false;

  constructor(private readonly owner: TimeTravelDebugger, private readonly it: Move, private readonly landing: Landing) {
    owner.tt.busy = true;
  }

  /** Works for about `ms` of host time: the stop to report once the move is done, else undefined. */
  work(ms: number): RunState | undefined {
    if (this.done) throw new TimeTravelError('this move is over');
    const t0 = performance.now();
    for (;;) {
      let r: IteratorResult<void, RunState>;
      try { r = this.it.next(); } catch (e) { this.end(); throw e; }
      if (r.done) { this.end(); return r.value; }
      if (performance.now() - t0 >= ms) return undefined;
    }
  }

  /** Interrupts the move: lands where `landing` says (the latest point known to have nothing to stop at) and reports a pause there. */
  cancel(): RunState {
    if (this.done) throw new TimeTravelError('this move is over');
    this.end();
    this.it.return(undefined as unknown as RunState); // runs the move's clean-ups
    return this.owner.land(this.landing);
  }

  private end(): void {
    this.done = true;
    this.owner.tt.busy = false;
  }

  /** Runs the move to its end (no interruption). */
  finish(): RunState {
    for (;;) {
      const st = this.work(Infinity);
      if (st) return st;
    }
  }
}

export class TimeTravelDebugger {
  readonly tt: TimeTravel;

  constructor(readonly dbg: MachineDebugger, opts: Omit<TimeTravelOptions, 'extra'> = {}) {
    this.tt = new TimeTravel(dbg.machine, {
      ...opts,
      extra: { save: () => dbg.saveRunState(), load: (x) => dbg.loadRunState(x as DebuggerRunState) },
    });
  }

  private readonly seen: Array<SeenHit & { restarts: number }> = [];

  get position(): Position {
    return this.tt.position;
  }

  /** Notes a stop reported to the user: one made while running live is kept in `hits`. */
  noteStop(stop: StopInfo): void {
    if (this.tt.inPast || this.tt.busy || !HIT_REASONS.has(stop.reason)) return;
    const pos = this.tt.position;
    const last = this.seen[this.seen.length - 1];
    if (last && last.restarts === this.tt.restarts && samePosition(last.pos, pos)) return;
    this.seen.push({ pos, reason: stop.reason, description: stop.description, pc: U64(this.dbg.cpu.pc), restarts: this.tt.restarts });
    if (this.seen.length > MAX_HITS) this.seen.splice(0, this.seen.length - MAX_HITS);
  }

  /** The hits seen while running that the recording still holds, earliest first. */
  get hits(): SeenHit[] {
    const start = this.tt.start0, end = this.tt.end;
    return this.seen
      .filter((h) => h.restarts === this.tt.restarts && comparePositions(h.pos, start) >= 0 && comparePositions(h.pos, end) <= 0)
      .map(({ restarts: _r, ...h }) => h);
  }

  dispose(): void {
    this.tt.dispose();
  }

  /**
   * Starts a move, to be worked in slices (Travel.work) and interruptible (Travel.cancel).
   * Nothing else may run the machine until it is done or cancelled.
   */
  begin(move: TravelMove): Travel {
    const here = this.tt.position;
    const landing: Landing = { pos: here, say: (at) => `Interrupted: back at ${at}` };
    switch (move.kind) {
      case 'stepBack': return new Travel(this, this.stepBackMove(move.granularity), landing);
      case 'stepBackOut': return new Travel(this, this.stepBackOutMove(), landing);
      case 'reverseContinue': {
        landing.say = (at) => `Reverse execution paused at ${at}: nothing to stop at from there to instruction ${formatPosition(here)}`;
        return new Travel(this, this.reverseContinueMove(landing), landing);
      }
      case 'goTo': return new Travel(this, this.goToMove(move.icount, move.sub ?? 0, landing), landing);
    }
  }

  /**
   * Goes back one step: one instruction (or exception entry) with 'instruction'; else one
   * source line, over calls, where the PC has line information (one instruction where not).
   */
  stepBack(granularity: 'instruction' | 'line' = 'line'): RunState {
    return this.begin({ kind: 'stepBack', granularity }).finish();
  }

  /**
   * Reverse step-out: back to the call (or exception entry) that entered the current frame,
   * the state before that call instruction ran.
   */
  stepBackOut(): RunState {
    return this.begin({ kind: 'stepBackOut' }).finish();
  }

  /** Runs backwards to the latest stop a forward run would have made before now (or the start of the recording). */
  reverseContinue(): RunState {
    return this.begin({ kind: 'reverseContinue' }).finish();
  }

  /**
   * Goes to instruction count `icount` (back or forward; forward beyond the recording runs
   * live, with breakpoints not stopping); `sub`: that many exception entries into the count.
   */
  goTo(icount: number, sub = 0): RunState {
    return this.begin({ kind: 'goTo', icount, sub }).finish();
  }

  /** Ends an interrupted move at `l.pos` with a pause stop (Travel.cancel). */
  land(l: Landing): RunState {
    drain(this.replay(this.latestSnapshotAtOrBefore(l.pos), l.pos));
    const at = `instruction ${formatPosition(this.tt.position)}, ${this.dbg.addr(U64(this.dbg.cpu.pc))}`;
    return this.dbg.noteStop({ reason: 'pause', description: l.say(at) });
  }

  // ---- moves -----------------------------------------------------------------------------------

  private *stepBackMove(granularity: 'instruction' | 'line'): Move {
    const here = this.tt.position;
    if (comparePositions(here, this.tt.start0) <= 0) return yield* this.atStart();
    const pc = U64(this.dbg.cpu.pc);
    if (granularity === 'line' && this.dbg.lines.lookup(pc)) {
      const target = yield* this.previousPoint(here, 'line');
      if (target) return yield* this.arrive(target, { reason: 'step', description: '' });
      return yield* this.atStart();
    }
    const target = yield* this.previousInstruction(here);
    return yield* this.arrive(target, { reason: 'step', description: '' });
  }

  private *stepBackOutMove(): Move {
    const here = this.tt.position;
    if (comparePositions(here, this.tt.start0) <= 0) return yield* this.atStart();
    const target = yield* this.previousPoint(here, 'call');
    if (!target) return yield* this.atStart();
    yield* this.replay(this.latestSnapshotAtOrBefore(target), target);
    return this.dbg.noteStop({ reason: 'step', description: `Stepped back out to ${this.dbg.addr(U64(this.dbg.cpu.pc))} (instruction ${formatPosition(this.tt.position)}), where the frame was entered` });
  }

  private *reverseContinueMove(landing: Landing): Move {
    const here = this.tt.position;
    if (comparePositions(here, this.tt.start0) <= 0) return yield* this.atStart();
    const snaps = this.tt.snapshotPositions();
    let segEnd = here;
    for (let i = snaps.length - 1; i >= 0; i--) {
      const from = snaps[i];
      if (comparePositions(from, segEnd) >= 0) continue;
      const stops: SeenStop[] = [];
      const end = segEnd;
      yield* this.replay(from, end, (pos, stop) => {
        if (comparePositions(pos, end) < 0) stops.push({ pos, stop, state: this.dbg.saveRunState() });
      });
      const last = stops[stops.length - 1];
      if (last) {
        yield* this.replay(from, last.pos);
        this.dbg.loadRunState(last.state);
        return this.dbg.noteStop(last.stop);
      }
      segEnd = from;
      landing.pos = from; // nothing to stop at from here on
      yield;
    }
    return yield* this.atStart();
  }

  private *goToMove(icount: number, sub: number, landing: Landing): Move {
    if (!Number.isSafeInteger(icount) || icount < 0) throw new TimeTravelError(`not an instruction count: ${icount}`);
    if (!Number.isSafeInteger(sub) || sub < 0 || sub > 64) throw new TimeTravelError(`not a number of exception entries into an instruction: ${sub}`);
    const start = this.tt.start0;
    if (icount < start.icount) {
      yield* this.replay(start, start);
      return this.dbg.noteStop({ reason: 'goto', description: `Instruction ${formatPosition({ icount, sub: 0 })} is before the start of the recording: at its start, instruction ${formatPosition(start)} (${this.dbg.addr(U64(this.dbg.cpu.pc))})` });
    }
    const target = { icount, sub };
    const from = comparePositions(this.tt.position, target) <= 0 && comparePositions(this.tt.position, this.tt.end) >= 0
      ? undefined // forward from the live end: no restore needed
      : this.latestSnapshotAtOrBefore(target);
    // Interrupted: wherever the replay got to (a point of the run like any other).
    landing.say = (at) => `Interrupted on the way to instruction ${formatPosition(target)}: at ${at}`;
    yield* this.replay(from, target, undefined, (pos) => { landing.pos = pos; });
    const at = this.tt.position;
    const note = comparePositions(at, target) < 0 ? ` (the machine stopped at instruction ${formatPosition(at)}: ${this.dbg.machine.poweredOff ? 'powered off' : 'idle, waiting for input'})` : '';
    return this.dbg.noteStop({ reason: 'goto', description: `At instruction ${formatPosition(at)}, ${this.dbg.addr(U64(this.dbg.cpu.pc))}${note}` });
  }

  // ---- targets -------------------------------------------------------------------------------

  /** The step before `here`: the state before the instruction (or exception entry) that led to it. */
  private *previousInstruction(here: Position): Work<Position> {
    if (here.sub > 0) return { icount: here.icount, sub: here.sub - 1 };
    const cpu = this.dbg.cpu;
    const start = this.tt.start0;
    // While waiting, the last instruction was the WAIT (time passed since without instructions).
    let next = cpu.waiting && cpu.waitSince >= 0 && cpu.waitSince < here.icount ? cpu.waitSince + 1 : here.icount;
    for (let guard = 0; guard < 4; guard++) {
      if (next - 1 < start.icount) return start;
      const at = { icount: next - 1, sub: 0 };
      yield* this.replay(this.latestSnapshotAtOrBefore(at), at);
      if (!samePosition(this.tt.position, at)) return this.tt.position;
      if (cpu.waiting) {
        if (cpu.waitSince >= 0 && cpu.waitSince + 1 < next) { next = cpu.waitSince + 1; continue; }
        return at;
      }
      // Exceptions taken at this count before its instruction completes: step until it does.
      let n = 0;
      while (cpu.icount < next && n < 64 && !this.dbg.machine.poweredOff) { this.dbg.stepSilently(); n++; }
      return { icount: next - 1, sub: Math.max(0, n - 1) };
    }
    return { icount: next - 1, sub: 0 };
  }

  /**
   * 'line': the start of the previous source line in this frame or an outer one: the latest
   * point before `here` at a line's first instruction (not in a delay slot) whose call depth
   * is not deeper than every point after it (calls in between are stepped over).
   * 'call': the call that entered the current frame: the latest point before `here` at a
   * call instruction (or an exception entry) whose depth is less than every point after it.
   */
  private *previousPoint(here: Position, kind: 'line' | 'call'): Work<Position | undefined> {
    const d = this.dbg, cpu = d.cpu;
    const snaps = this.tt.snapshotPositions();
    let segEnd = here;
    /** The least call depth after this segment up to `here`, relative to the segment's end. */
    let laterMin = Infinity;
    for (let i = snaps.length - 1; i >= 0; i--) {
      const from = snaps[i];
      if (comparePositions(from, segEnd) >= 0) continue;
      yield* this.replay(from, from);
      const cands: Array<{ pos: Position; depth: number; step: number }> = [];
      const depthAfter: number[] = [];
      const stack: Array<{ ret: bigint | 'eret'; sp: bigint }> = [];
      let depth = 0;
      let sub = this.tt.position.sub;
      let steps = 0;
      while (comparePositions(this.tt.position, segEnd) < 0 && !d.machine.poweredOff) {
        if (++steps % STEP_CHUNK === 0) yield;
        const pc = U64(cpu.pc);
        const sp = U64(cpu.getGpr(29));
        const before = this.tt.position;
        if (kind === 'line' && !cpu.inDelay && d.lines.isStatementStart(pc) && d.lines.lookup(pc)) cands.push({ pos: before, depth, step: depthAfter.length });
        const w = d.mem.word(pc);
        const e = w === undefined ? undefined : cpu.decoder.decode(w).canonical;
        const call = !cpu.inDelay && e !== undefined && (e.flags & F.LINK) !== 0 && (e.flags & DELAY_SLOT) !== 0;
        const depthBefore = depth;
        const eret = e?.name === 'eret';
        // A return from a frame entered before this segment began (no call seen): one level out.
        const ret = !call && stack.length === 0 && e !== undefined && (e.flags & F.INDIRECT) !== 0 && ((w! >>> 21) & 31) === 31;
        if (!d.stepSilently()) break;
        const pos = this.tt.position;
        const entered = pos.sub > 0 && pos.sub !== sub;
        if (entered) { stack.push({ ret: 'eret', sp }); depth++; }
        else if (eret && stack[stack.length - 1]?.ret === 'eret') { stack.pop(); depth--; }
        else if (call) { stack.push({ ret: U64(pc + 8n), sp }); depth++; }
        else if (ret) depth--;
        if (kind === 'call' && (entered || call)) cands.push({ pos: entered ? { icount: pos.icount, sub: pos.sub - 1 } : before, depth: depthBefore, step: depthAfter.length });
        const top = stack[stack.length - 1];
        if (top && top.ret !== 'eret' && top.ret === U64(cpu.pc) && U64(cpu.getGpr(29)) >= top.sp) { stack.pop(); depth--; }
        sub = pos.sub;
        depthAfter.push(depth);
      }
      // sufMin[j]: the least depth after step j, up to `here`.
      const sufMin = new Array<number>(depthAfter.length + 1);
      sufMin[depthAfter.length] = depth + laterMin;
      for (let j = depthAfter.length - 1; j >= 0; j--) sufMin[j] = Math.min(depthAfter[j], sufMin[j + 1]);
      for (let k = cands.length - 1; k >= 0; k--) {
        const c = cands[k];
        if (kind === 'line' ? c.depth <= sufMin[c.step] : c.depth < sufMin[c.step]) return c.pos;
      }
      laterMin = Math.min(0, sufMin[0]);
      segEnd = from;
    }
    return undefined;
  }

  private latestSnapshotAtOrBefore(target: Position): Position {
    const snaps = this.tt.snapshotPositions();
    let i = snaps.length - 1;
    while (i > 0 && snaps[i].icount > target.icount) i--;
    return snaps[i];
  }

  // ---- moving ----------------------------------------------------------------------------------

  private *arrive(target: Position, stop: StopInfo): Move {
    yield* this.replay(this.latestSnapshotAtOrBefore(target), target);
    return this.dbg.noteStop({ ...stop, description: `Stepped back to ${this.dbg.addr(U64(this.dbg.cpu.pc))} (instruction ${formatPosition(this.tt.position)})` });
  }

  private *atStart(): Move {
    const start = this.tt.start0;
    yield* this.replay(start, start);
    return this.dbg.noteStop({ reason: 'entry', description: `Reached the start of the recording (instruction ${formatPosition(start)}, ${this.dbg.addr(U64(this.dbg.cpu.pc))}): nothing earlier to go back to` });
  }

  /**
   * Restores the snapshot at `from` (none: stay) and runs forward to `to` with the
   * debugger's breakpoints armed; each stop on the way is passed to onStop and passed over.
   * Yields between slices of REPLAY_CHUNK instructions (after telling `progress` where it is).
   */
  private *replay(from: Position | undefined, to: Position, onStop?: (pos: Position, stop: StopInfo) => void, progress?: (at: Position) => void): Work<void> {
    const d = this.dbg, tt = this.tt;
    const log = d.onLog, live = tt.onLive;
    d.onLog = undefined;
    tt.onLive = undefined; // passing the end while searching is not the user's return to live execution
    try {
      if (from) tt.restoreBefore(from);
      d.watches.rearm();
      d.resume(false);
      for (let guard = 0; ; guard++) {
        const pos = tt.position;
        if (d.machine.poweredOff) break;
        if (pos.icount < to.icount) {
          const st = d.runSlice(Math.min(to.icount - pos.icount, REPLAY_CHUNK));
          if (st.kind === 'stopped') { onStop?.(tt.position, st.stop); d.resume(true); }
          else if (st.kind === 'exited') break;
          else if (st.kind === 'idle' && tt.inputLimit() > d.cpu.icount) break; // nothing recorded wakes it
          if (tt.position.icount < to.icount) {
            progress?.(tt.position);
            // (Others may use the machine's hooks while this move waits: give them back meanwhile.)
            d.onLog = log; tt.onLive = live;
            yield;
            d.onLog = undefined; tt.onLive = undefined;
          }
        } else if (pos.icount === to.icount && pos.sub < to.sub) {
          d.stepInstruction();
          const st = d.runSlice(1);
          if (st.kind === 'stopped' && st.stop.reason !== 'step') onStop?.(tt.position, st.stop);
          if (st.kind === 'idle' || st.kind === 'exited') break;
        } else break;
        if (guard > 100_000_000) throw new TimeTravelError('replay does not progress');
      }
    } finally {
      d.onLog = log;
      tt.onLive = live;
    }
  }
}

/** Runs a piece of work to its end. */
function drain<T>(w: Work<T>): T {
  for (;;) {
    const r = w.next();
    if (r.done) return r.value;
  }
}
