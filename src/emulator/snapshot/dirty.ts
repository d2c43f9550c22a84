// Dirty-page tracking for incremental checkpoints, the soft-dirty way: at the start of
// an interval every RAM page is write-protected in the host translation cache
// (TRAP_DIRTY), so the first CPU store to a page leaves the fast path and reaches
// Cpu.pageTrap. The tracker's page-trap client (Cpu.pageTrapClients, beside the
// engine's code invalidation and the watchpoints) marks the page in a bitmap and clears the
// trap: later stores to the page run at full speed with no bookkeeping. Writes that do
// not come from CPU stores (loaders, DMA-like device writes: PhysicalBus.writeBytes)
// are marked through the bus's onRamWrite hook.
//
// At the next checkpoint only the marked pages are saved and re-armed.
//
// Several independent trackers (views) can follow one machine: the checkpoints of a
// session (DirtyTracker.of, the primary) and the time-travel recorder
// (DirtyTracker.view), each with its own intervals. They share the one trap bit under
// one rule: a page's trap is disarmed only when every active view has it marked dirty
// (the trap handler marks the page in all of them before disarming it); arming more
// pages than a view needs only costs it a trap that marks pages already marked.

import { Access, TRAP_DIRTY } from '../mmu/host-tlb';
import type { Machine } from '../machine';

/** The views of one machine and the hooks they share (kept by its SnapshotContext). */
export class DirtyHub {
  readonly views: DirtyTracker[] = [];
  primary: DirtyTracker | undefined;

  constructor(readonly m: Machine) {
    const cpu = m.cpu;
    const traps = cpu.htlb.traps;
    const views = this.views;
    cpu.pageTrapClients.push((off, acc) => {
      if (acc === Access.Write) {
        const p = off >>> 12;
        if (traps[p] & TRAP_DIRTY) {
          traps[p] &= ~TRAP_DIRTY;
          for (let i = 0; i < views.length; i++) views[i].trapped(p);
        }
      }
    });
    const prevBus = m.bus.onRamWrite;
    m.bus.onRamWrite = (off, len) => {
      for (const v of views) v.markRange(off, len);
      prevBus?.(off, len);
    };
  }

  get anyActive(): boolean {
    return this.views.some((v) => v.active);
  }
}

/** The hub of `m`, created (and hooked in) on first use. */
function hubOf(m: Machine): DirtyHub {
  return m.snapshot.dirtyHub ??= new DirtyHub(m);
}

export class DirtyTracker {
  /** One byte per 4 KiB RAM page: 1 if written in the current interval. */
  readonly dirty: Uint8Array;
  /** Number of pages marked in `dirty`. */
  count = 0;
  /** Whether an interval is open (traps armed). */
  active = false;
  /** Traps taken (first writes) since construction, for statistics. */
  traps = 0;
  /**
   * The checkpoint RAM matched when the interval opened (the parent an incremental taken
   * now must name). Several Checkpointers on one machine share the primary tracker; only
   * the one whose last checkpoint is this base may take an incremental.
   */
  base: { id: string; hash: string } | undefined = undefined;

  /** The primary tracker of `m` (session checkpoints), created (and hooked in) on first use. */
  static of(m: Machine): DirtyTracker {
    const h = hubOf(m);
    h.primary ??= new DirtyTracker(h);
    return h.primary;
  }

  /** The primary tracker of `m` if one was created. */
  static existing(m: Machine): DirtyTracker | undefined {
    return m.snapshot.dirtyHub?.primary;
  }

  /** A tracker of its own for `m`, independent of the primary one (dispose() it when done). */
  static view(m: Machine): DirtyTracker {
    return new DirtyTracker(hubOf(m));
  }

  /**
   * RAM pages were rewritten wholesale (a restore; `pages` undefined: all of RAM): every
   * active view but `except` marks them dirty.
   */
  static noteRewritten(m: Machine, pages: ArrayLike<number> | undefined, except?: DirtyTracker): void {
    const h = m.snapshot.dirtyHub;
    if (!h) return;
    for (const v of h.views) {
      if (v === except || !v.active) continue;
      if (pages === undefined) v.markAll();
      else for (let i = 0; i < pages.length; i++) v.mark(pages[i]);
    }
  }

  private constructor(private readonly hub: DirtyHub) {
    this.dirty = new Uint8Array(hub.m.cpu.htlb.traps.length);
    hub.views.push(this);
  }

  /** Stops tracking and forgets this view (a view created by view()). */
  dispose(): void {
    this.stop();
    const v = this.hub.views;
    const i = v.indexOf(this);
    if (i >= 0) v.splice(i, 1);
    if (this.hub.primary === this) this.hub.primary = undefined;
  }

  /** The trap of page p fired (first write since it was armed). */
  trapped(p: number): void {
    if (!this.active) return;
    this.traps++;
    this.mark(p);
  }

  private mark(p: number): void {
    if (this.dirty[p] === 0) { this.dirty[p] = 1; this.count++; }
  }

  private markAll(): void {
    this.dirty.fill(1);
    this.count = this.dirty.length;
  }

  /** Marks RAM bytes [off, off + len) as written (no-op while no interval is open). */
  markRange(off: number, len: number): void {
    if (!this.active || len <= 0) return;
    const last = Math.min((off + len - 1) >>> 12, this.dirty.length - 1);
    for (let p = off >>> 12; p <= last; p++) this.mark(p);
    // Disarmed only if every active view now has the page marked (see the header).
    if (this.hub.views.every((v) => !v.active || v === this || isMarked(v, off >>> 12, last))) {
      const traps = this.hub.m.cpu.htlb.traps;
      for (let p = off >>> 12; p <= last; p++) traps[p] &= ~TRAP_DIRTY;
    }
  }

  /** Marks the given pages dirty again (a checkpoint that used them failed). */
  markPages(pages: Iterable<number>): void {
    if (!this.active) return;
    for (const p of pages) this.mark(p);
  }

  /** Opens a new interval with every page clean and armed (after a full checkpoint or a restore). */
  resetAll(base?: { id: string; hash: string }): void {
    this.base = base;
    this.dirty.fill(0);
    this.count = 0;
    this.active = true;
    this.hub.m.cpu.htlb.setTrapBulk(TRAP_DIRTY);
  }

  /** The pages written in the current interval, ascending (the interval stays open, unchanged). */
  dirtyPages(): Uint32Array {
    const out = new Uint32Array(this.count);
    const d = this.dirty;
    let k = 0;
    for (let p = 0; p < d.length && k < out.length; p++) if (d[p] !== 0) out[k++] = p;
    return out;
  }

  /** Starts the next interval after `pages` (from dirtyPages()) were saved: only they are re-armed. */
  rearm(pages: ArrayLike<number>, base?: { id: string; hash: string }): void {
    this.base = base;
    for (let i = 0; i < pages.length; i++) {
      if (this.dirty[pages[i]] !== 0) { this.dirty[pages[i]] = 0; this.count--; }
    }
    this.active = true;
    this.hub.m.cpu.htlb.setTrapBulk(TRAP_DIRTY, Array.from(pages));
  }

  /** RAM was replaced wholesale (a restore): a running interval starts again from the new contents. */
  restarted(base?: { id: string; hash: string }): void {
    if (this.active) this.resetAll(base);
  }

  /** Stops tracking (the traps are disarmed once no view is active). */
  stop(): void {
    this.dirty.fill(0);
    this.count = 0;
    this.active = false;
    this.base = undefined;
    if (this.hub.anyActive) return;
    const t = this.hub.m.cpu.htlb.traps;
    for (let p = 0; p < t.length; p++) t[p] &= ~TRAP_DIRTY;
  }
}

/** Whether view v has every page of [firstPage, lastPage] marked. */
function isMarked(v: DirtyTracker, firstPage: number, lastPage: number): boolean {
  for (let p = firstPage; p <= lastPage; p++) if (v.dirty[p] === 0) return false;
  return true;
}
