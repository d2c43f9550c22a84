// Reverse execution for the debugger core: step back (by instruction, or by source line
// over calls), reverse continue (to the latest point before now where a forward run
// would have stopped: code breakpoints with their conditions and hit counts, data
// breakpoints, exception filters) and "go to instruction count". Built on the
// time-travel recorder: every move back restores a snapshot and replays forward with
// the debugger's breakpoints armed, their stops recorded instead of reported.
//
// The API (TimeTravelDebugger) is what the debug adapter and the gdb stub use; it
// returns the stop to report, like MachineDebugger.noteStop, and runs synchronously.

import { DebuggerRunState, MachineDebugger, RunState, StopInfo } from '../debug/debugger';
import { DELAY_SLOT, F } from '../isa/table';
import { TimeTravel, TimeTravelError, TimeTravelOptions } from './recorder';
import { comparePositions, formatPosition, Position, samePosition } from './position';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

interface SeenStop { pos: Position; stop: StopInfo; state: DebuggerRunState }

export class TimeTravelDebugger {
  readonly tt: TimeTravel;

  constructor(readonly dbg: MachineDebugger, opts: Omit<TimeTravelOptions, 'extra'> = {}) {
    this.tt = new TimeTravel(dbg.machine, {
      ...opts,
      extra: { save: () => dbg.saveRunState(), load: (x) => dbg.loadRunState(x as DebuggerRunState) },
    });
  }

  get position(): Position {
    return this.tt.position;
  }

  dispose(): void {
    this.tt.dispose();
  }

  /**
   * Goes back one step: one instruction (or exception entry) with 'instruction'; else one
   * source line, over calls, where the PC has line information (one instruction where not).
   */
  stepBack(granularity: 'instruction' | 'line' = 'line'): RunState {
    const here = this.tt.position;
    if (comparePositions(here, this.tt.start0) <= 0) return this.atStart();
    const pc = U64(this.dbg.cpu.pc);
    if (granularity === 'line' && this.dbg.lines.lookup(pc)) {
      const target = this.previousLine(here);
      if (target) return this.arrive(target, { reason: 'step', description: `Stepped back to ${this.dbg.addr(U64(this.dbg.cpu.pc))}` });
      return this.atStart();
    }
    const target = this.previousInstruction(here);
    return this.arrive(target, { reason: 'step', description: `Stepped back to ${this.dbg.addr(U64(this.dbg.cpu.pc))}` });
  }

  /** Runs backwards to the latest stop a forward run would have made before now (or the start of the recording). */
  reverseContinue(): RunState {
    const here = this.tt.position;
    if (comparePositions(here, this.tt.start0) <= 0) return this.atStart();
    const snaps = this.tt.snapshotPositions();
    let segEnd = here;
    for (let i = snaps.length - 1; i >= 0; i--) {
      const from = snaps[i];
      if (comparePositions(from, segEnd) >= 0) continue;
      const stops: SeenStop[] = [];
      this.replay(from, segEnd, (pos, stop) => {
        if (comparePositions(pos, segEnd) < 0) stops.push({ pos, stop, state: this.dbg.saveRunState() });
      });
      const last = stops[stops.length - 1];
      if (last) {
        this.replay(from, last.pos);
        this.dbg.loadRunState(last.state);
        return this.dbg.noteStop(last.stop);
      }
      segEnd = from;
    }
    return this.atStart();
  }

  /** Goes to instruction count `icount` (back or forward; forward beyond the recording runs live, with breakpoints not stopping). */
  goTo(icount: number): RunState {
    if (!Number.isSafeInteger(icount) || icount < 0) throw new TimeTravelError(`not an instruction count: ${icount}`);
    const start = this.tt.start0;
    if (icount < start.icount) {
      this.replay(start, start);
      return this.dbg.noteStop({ reason: 'goto', description: `Instruction ${formatPosition({ icount, sub: 0 })} is before the start of the recording: at its start, instruction ${formatPosition(start)} (${this.dbg.addr(U64(this.dbg.cpu.pc))})` });
    }
    const target = { icount, sub: 0 };
    const from = comparePositions(this.tt.position, target) <= 0 && comparePositions(this.tt.position, this.tt.end) >= 0
      ? undefined // forward from the live end: no restore needed
      : this.latestSnapshotAtOrBefore(target);
    this.replay(from, target);
    const at = this.tt.position;
    const note = at.icount < icount ? ` (the machine stopped at instruction ${formatPosition(at)}: ${this.dbg.machine.poweredOff ? 'powered off' : 'idle, waiting for input'})` : '';
    return this.dbg.noteStop({ reason: 'goto', description: `At instruction ${formatPosition(at)}, ${this.dbg.addr(U64(this.dbg.cpu.pc))}${note}` });
  }

  // ---- targets -------------------------------------------------------------------------------

  /** The step before `here`: the state before the instruction (or exception entry) that led to it. */
  private previousInstruction(here: Position): Position {
    if (here.sub > 0) return { icount: here.icount, sub: here.sub - 1 };
    const cpu = this.dbg.cpu;
    const start = this.tt.start0;
    // While waiting, the last instruction was the WAIT (time passed since without instructions).
    let next = cpu.waiting && cpu.waitSince >= 0 && cpu.waitSince < here.icount ? cpu.waitSince + 1 : here.icount;
    for (let guard = 0; guard < 4; guard++) {
      if (next - 1 < start.icount) return start;
      const at = { icount: next - 1, sub: 0 };
      this.replay(this.latestSnapshotAtOrBefore(at), at);
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
   * The start of the previous source line in this frame or an outer one: the latest point
   * before `here` at a line's first instruction (not in a delay slot) whose call depth is
   * not deeper than every point after it (calls in between are stepped over).
   */
  private previousLine(here: Position): Position | undefined {
    const d = this.dbg, cpu = d.cpu;
    const snaps = this.tt.snapshotPositions();
    let segEnd = here;
    /** The least call depth after this segment up to `here`, relative to the segment's end. */
    let laterMin = Infinity;
    for (let i = snaps.length - 1; i >= 0; i--) {
      const from = snaps[i];
      if (comparePositions(from, segEnd) >= 0) continue;
      this.replay(from, from);
      const cands: Array<{ pos: Position; depth: number; step: number }> = [];
      const depthAfter: number[] = [];
      const stack: Array<{ ret: bigint | 'eret'; sp: bigint }> = [];
      let depth = 0;
      let sub = this.tt.position.sub;
      while (comparePositions(this.tt.position, segEnd) < 0 && !d.machine.poweredOff) {
        const pc = U64(cpu.pc);
        const sp = U64(cpu.getGpr(29));
        if (!cpu.inDelay && d.lines.isStatementStart(pc) && d.lines.lookup(pc)) cands.push({ pos: this.tt.position, depth, step: depthAfter.length });
        const w = d.mem.word(pc);
        const e = w === undefined ? undefined : cpu.decoder.decode(w).canonical;
        const call = !cpu.inDelay && e !== undefined && (e.flags & F.LINK) !== 0 && (e.flags & DELAY_SLOT) !== 0;
        const eret = e?.name === 'eret';
        // A return from a frame entered before this segment began (no call seen): one level out.
        const ret = !call && stack.length === 0 && e !== undefined && (e.flags & F.INDIRECT) !== 0 && ((w! >>> 21) & 31) === 31;
        if (!d.stepSilently()) break;
        const pos = this.tt.position;
        if (pos.sub > 0 && pos.sub !== sub) { stack.push({ ret: 'eret', sp }); depth++; }
        else if (eret && stack[stack.length - 1]?.ret === 'eret') { stack.pop(); depth--; }
        else if (call) { stack.push({ ret: U64(pc + 8n), sp }); depth++; }
        else if (ret) depth--;
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
        if (c.depth <= sufMin[c.step]) return c.pos;
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

  private arrive(target: Position, stop: StopInfo): RunState {
    this.replay(this.latestSnapshotAtOrBefore(target), target);
    return this.dbg.noteStop({ ...stop, description: `Stepped back to ${this.dbg.addr(U64(this.dbg.cpu.pc))} (instruction ${formatPosition(this.tt.position)})` });
  }

  private atStart(): RunState {
    const start = this.tt.start0;
    this.replay(start, start);
    return this.dbg.noteStop({ reason: 'entry', description: `Reached the start of the recording (instruction ${formatPosition(start)}, ${this.dbg.addr(U64(this.dbg.cpu.pc))}): nothing earlier to go back to` });
  }

  /**
   * Restores the snapshot at `from` (none: stay) and runs forward to `to` with the
   * debugger's breakpoints armed; each stop on the way is passed to onStop and passed over.
   */
  private replay(from: Position | undefined, to: Position, onStop?: (pos: Position, stop: StopInfo) => void): void {
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
          const st = d.runSlice(Math.min(to.icount - pos.icount, 10_000_000));
          if (st.kind === 'stopped') { onStop?.(tt.position, st.stop); d.resume(true); }
          else if (st.kind === 'exited') break;
          else if (st.kind === 'idle' && tt.inputLimit() > d.cpu.icount) break; // nothing recorded wakes it
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
