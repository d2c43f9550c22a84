// The translating engine's dispatcher. Cold code runs in the interpreter; a block start
// executed HOT times is translated. Blocks are cached by (RAM offset, privilege mode),
// found through the host translation cache's fetch entries, chained to their last
// successor while the translation generation is unchanged, and dropped when their page
// is written (the page write-traps while it holds translated code). Near a timed event
// or the end of the budget, execution falls back to the interpreter so events fire at
// exactly the same instruction count on both engines.

import { Cpu, GUEST_EXCEPTION } from '../cpu/cpu';
import { Exc } from '../cpu/cp0-defs';
import { Interpreter } from '../cpu/interpreter';
import type { PcBreakpoints } from '../debug/breakpoints';
import { Access, HTLB_BITS, HTLB_SIZE, TRAP_WRITE } from '../mmu/host-tlb';
import { Block, MAX_BLOCK, translate } from './translator';

/** Executions of a block start before it is translated: fresh JS functions run in V8's bytecode
 * interpreter for their first calls, so translating lukewarm code costs more than interpreting it
 * (Linux boot: 22.8 guest MIPS at 8, 33.7 at 2000; bench/results.md). */
export const HOT = 1000;

export interface JitOptions {
  /** Executions of a block start before it is translated (default HOT). */
  hot?: number;
}

export interface JitStats {
  blocksTranslated: number;
  blockExecs: number;
  chainedExecs: number;
  interpretedInsns: number;
  invalidations: number;
}

export class JitEngine {
  private readonly blocks = new Map<number, Block>();
  private readonly heat = new Map<number, number>();
  /** Blocks per RAM page, for invalidation. */
  private readonly pages = new Map<number, Block[]>();
  readonly stats: JitStats = { blocksTranslated: 0, blockExecs: 0, chainedExecs: 0, interpretedInsns: 0, invalidations: 0 };
  /** Executions of a block start before it is translated. */
  hot: number;
  /**
   * Observer for tests and tracing: called after every translated-block dispatch, when
   * the block has exited normally (`faulted` false) or a guest exception was taken while
   * finding or running it (`faulted` true; the CPU is then at the exception vector).
   */
  onBlockExit: ((blk: Block | undefined, faulted: boolean) => void) | undefined = undefined;
  /**
   * Instruction breakpoints (undefined when there are none): checked before each block
   * and by the interpreter for what it runs; translated blocks end before them, so
   * changing them requires flush().
   */
  breakpoints: PcBreakpoints | undefined = undefined;

  constructor(private readonly cpu: Cpu, private readonly interp: Interpreter, opts: JitOptions = {}) {
    this.hot = opts.hot ?? (Number(globalThis.process?.env?.MIPS64_HOT) || HOT);
    const prev = cpu.pageTrap.bind(cpu);
    cpu.pageTrap = (off, acc, hi, lo) => {
      if (acc === Access.Write) {
        const page = off >>> 12;
        this.invalidatePage(page);
        // A store into the page of the block running now may rewrite instructions it
        // has yet to execute: leave the block right after the store (the exit the
        // translator emits after device accesses).
        const cur = cpu.jitBlk as Block | undefined;
        if (cur && cur.ramOff >>> 12 === page) cpu.ioHit = true;
      }
      prev(off, acc, hi, lo);
    };
  }

  /** Drops every translated block (e.g. after restoring a checkpoint). */
  flush(): void {
    for (const b of this.blocks.values()) b.valid = false;
    this.blocks.clear();
    this.heat.clear();
    for (const p of this.pages.keys()) this.cpu.htlb.clearTrap(p, TRAP_WRITE);
    this.pages.clear();
  }

  invalidatePage(page: number): void {
    const list = this.pages.get(page);
    if (!list) return;
    for (const b of list) {
      b.valid = false;
      this.blocks.delete(b.ramOff * 4 + b.mode);
    }
    this.pages.delete(page);
    this.cpu.codeGen++;
    this.cpu.htlb.clearTrap(page, TRAP_WRITE);
    this.stats.invalidations++;
  }

  run(budget: number): number {
    const c = this.cpu;
    const start = c.icount;
    const end = start + budget;
    const h = c.htlb;
    const bp = this.breakpoints;
    c.stopRequested = false;
    let prev: Block | undefined;
    while (c.icount < end && !c.stopRequested) {
      if (c.icount >= c.nextEvent) { c.hooks.onEvent(c); prev = undefined; }
      if (c.waiting) {
        const w = c.waitStep(end);
        if (w === 'idle') break;
        if (w === 'skip') continue;
      }
      if (bp !== undefined && bp.lows.has(c.pcLo) && bp.check(c)) { c.stopRequested = true; break; }
      const limit = Math.min(c.nextEvent, end);
      if (c.inDelay || limit - c.icount < MAX_BLOCK) {
        // Resuming inside a delay slot, or close to an event: interpret one instruction.
        this.interp.run(1);
        this.stats.interpretedInsns++;
        prev = undefined;
        continue;
      }
      let blk: Block | undefined;
      try {
        if (c.irqPending) c.raise(Exc.Int, false, 0);
        // Find the block at PC: chained successor, or fetch translation + cache lookup.
        if (prev && prev.next && prev.next.valid && prev.nextGen === h.flushes && prev.next.mode === c.mode
          && prev.next.startLo === c.pcLo && prev.next.startHi === c.pcHi) {
          blk = prev.next;
          this.stats.chainedExecs++;
        } else {
          const lo = c.pcLo, hi = c.pcHi;
          if (lo & 3) { c.fetch(); continue; } // raises AdEL
          const i = ((c.mode * 3 + Access.Fetch) << HTLB_BITS) | ((lo >>> 12) & (HTLB_SIZE - 1));
          const off = h.tagLo[i] === (lo & ~0xfff) && h.tagHi[i] === hi ? h.base[i] + (lo & 0xfff) : c.ramOff(hi, lo, Access.Fetch);
          if (off < 0) { this.interp.run(1); this.stats.interpretedInsns++; prev = undefined; continue; }
          const key = off * 4 + c.mode;
          const head = this.blocks.get(key);
          blk = head;
          while (blk && (blk.startLo !== lo || blk.startHi !== hi)) blk = blk.alias;
          if (!blk) {
            const heat = (this.heat.get(key) ?? 0) + 1;
            if (heat < this.hot) {
              this.heat.set(key, heat);
              this.interpretBlock();
              prev = undefined;
              continue;
            }
            blk = translate({ cpu: c, startLo: lo, startHi: hi, ramOff: off, breakpoints: bp });
            if (!blk) {
              // Untranslatable (a branch whose delay slot is on the next page or holds a
              // breakpoint): always interpret (until the next flush).
              this.heat.set(key, -Infinity);
              this.interpretBlock();
              prev = undefined;
              continue;
            }
            this.heat.delete(key);
            blk.alias = head;
            this.blocks.set(key, blk);
            this.track(blk);
            this.stats.blocksTranslated++;
          }
          if (prev) { prev.next = blk; prev.nextGen = h.flushes; }
        }
        // Run the block, then follow its chained successor directly while nothing needs
        // the outer loop (events, interrupts, WAIT, stops, breakpoints, delay slots).
        for (;;) {
          c.jitBlk = blk;
          c.icount0 = c.icount;
          c.jitLimit = Math.min(c.nextEvent, end);
          c.ioHit = false;
          blk.fn(c, c.r);
          c.jitBlk = undefined;
          this.stats.blockExecs++;
          blk.execs++;
          if (this.onBlockExit) this.onBlockExit(blk, false);
          const n: Block | undefined = blk.next;
          if (n === undefined || !blk.valid || !n.valid || blk.nextGen !== h.flushes || n.mode !== c.mode
            || n.startLo !== c.pcLo || n.startHi !== c.pcHi || c.waiting || c.stopRequested || c.irqPending || c.inDelay
            || c.icount + MAX_BLOCK > c.nextEvent || c.icount + MAX_BLOCK > end
            || (bp !== undefined && bp.lows.has(c.pcLo))) break;
          blk = n;
          this.stats.chainedExecs++;
        }
        prev = blk.valid ? blk : undefined;
      } catch (err) {
        c.jitBlk = undefined;
        prev = undefined;
        if (err !== GUEST_EXCEPTION) throw err;
        if (this.onBlockExit) this.onBlockExit(blk, true);
      }
    }
    return c.icount - start;
  }

  /** Runs one block's worth of instructions in the interpreter (until a branch's delay slot completes or a CTX instruction). */
  private interpretBlock(): void {
    const c = this.cpu;
    for (let n = 0; n < MAX_BLOCK; n++) {
      const before = c.icount;
      const wasDelay = c.inDelay;
      this.interp.run(1);
      this.stats.interpretedInsns++;
      if (c.icount === before || c.waiting || c.stopRequested) return; // exception, wait or stop
      if (wasDelay || c.brState === 2 || c.brState === 3) return; // delay slot done, likely annulled, eret
      if ((c.pcLo & 0xfff) === 0 || c.icount >= c.nextEvent) return;
    }
  }

  private track(b: Block): void {
    const page = b.ramOff >>> 12;
    let l = this.pages.get(page);
    if (!l) { l = []; this.pages.set(page, l); }
    l.push(b);
    this.cpu.htlb.setTrap(page, TRAP_WRITE);
  }
}
