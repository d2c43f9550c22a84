// Dirty-page tracking for incremental checkpoints, the soft-dirty way: at the start of
// an interval every RAM page is write-protected in the host translation cache
// (TRAP_DIRTY), so the first CPU store to a page leaves the fast path and reaches
// Cpu.pageTrap. The tracker's handler (chained in front of whatever was installed,
// e.g. the translator's code invalidation) marks the page in a bitmap and clears the
// trap: later stores to the page run at full speed with no bookkeeping. Writes that do
// not come from CPU stores (loaders, DMA-like device writes: PhysicalBus.writeBytes)
// are marked through the bus's onRamWrite hook.
//
// At the next checkpoint only the marked pages are saved and re-armed.

import { Access, TRAP_DIRTY } from '../mmu/host-tlb';
import type { Machine } from '../machine';

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
   * now must name). Several Checkpointers on one machine share the tracker; only the one
   * whose last checkpoint is this base may take an incremental.
   */
  base: { id: string; hash: string } | undefined = undefined;

  /** The tracker of `m` (kept by its SnapshotContext), created (and hooked in) on first use. */
  static of(m: Machine): DirtyTracker {
    return m.snapshot.tracker ??= new DirtyTracker(m);
  }

  /** The tracker of `m` if one was created. */
  static existing(m: Machine): DirtyTracker | undefined {
    return m.snapshot.tracker;
  }

  private constructor(private readonly m: Machine) {
    const cpu = m.cpu;
    const traps = cpu.htlb.traps;
    const dirty = this.dirty = new Uint8Array(traps.length);
    const prev = cpu.pageTrap;
    cpu.pageTrap = (off, acc, hi, lo) => {
      if (acc === Access.Write) {
        const p = off >>> 12;
        if (traps[p] & TRAP_DIRTY) {
          traps[p] &= ~TRAP_DIRTY;
          this.traps++;
          if (dirty[p] === 0) { dirty[p] = 1; this.count++; }
        }
      }
      prev.call(cpu, off, acc, hi, lo);
    };
    const prevBus = m.bus.onRamWrite;
    m.bus.onRamWrite = (off, len) => {
      this.markRange(off, len);
      prevBus?.(off, len);
    };
  }

  /** Marks RAM bytes [off, off + len) as written (no-op while no interval is open). */
  markRange(off: number, len: number): void {
    if (!this.active || len <= 0) return;
    const traps = this.m.cpu.htlb.traps;
    const last = Math.min((off + len - 1) >>> 12, this.dirty.length - 1);
    for (let p = off >>> 12; p <= last; p++) {
      traps[p] &= ~TRAP_DIRTY;
      if (this.dirty[p] === 0) { this.dirty[p] = 1; this.count++; }
    }
  }

  /** Marks the given pages dirty again (a checkpoint that used them failed). */
  markPages(pages: Iterable<number>): void {
    if (!this.active) return;
    const traps = this.m.cpu.htlb.traps;
    for (const p of pages) {
      traps[p] &= ~TRAP_DIRTY;
      if (this.dirty[p] === 0) { this.dirty[p] = 1; this.count++; }
    }
  }

  /** Opens a new interval with every page clean and armed (after a full checkpoint or a restore). */
  resetAll(base?: { id: string; hash: string }): void {
    this.base = base;
    this.dirty.fill(0);
    this.count = 0;
    this.active = true;
    this.m.cpu.htlb.setTrapBulk(TRAP_DIRTY);
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
  rearm(pages: Uint32Array, base?: { id: string; hash: string }): void {
    this.base = base;
    for (let i = 0; i < pages.length; i++) {
      if (this.dirty[pages[i]] !== 0) { this.dirty[pages[i]] = 0; this.count--; }
    }
    this.m.cpu.htlb.setTrapBulk(TRAP_DIRTY, pages);
  }

  /** RAM was replaced wholesale (a restore): a running interval starts again from the new contents. */
  restarted(base?: { id: string; hash: string }): void {
    if (this.active) this.resetAll(base);
  }

  /** Stops tracking: disarms every page. */
  stop(): void {
    const t = this.m.cpu.htlb.traps;
    for (let p = 0; p < t.length; p++) t[p] &= ~TRAP_DIRTY;
    this.dirty.fill(0);
    this.count = 0;
    this.active = false;
    this.base = undefined;
  }
}
