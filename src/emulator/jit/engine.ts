// The translating engine's dispatcher. Cold code runs on the cold path — the WebAssembly
// runner (wasm/runner.ts), which goes on through further cold blocks and into translated
// regions by itself, or the interpreter where the runner does not serve; a block start whose
// heat reaches HOT (HOT_SLOW off the runner) is translated into a WebAssembly region
// (wasm/tier.ts; without the tier every block is interpreted). Blocks are cached by (RAM offset, privilege mode),
// found through the host translation cache's fetch entries, and dropped when their page
// is written (the page write-traps while it holds translated code). Each exit of a block
// gets a link to the block found after it; the generated code returns the linked block
// while no event is near, so the dispatcher only calls it. Links are dropped with their
// target, and those to TLB-mapped addresses at every host translation cache flush. Near a timed event
// or the end of the budget, execution falls back to the interpreter so events fire at
// exactly the same instruction count on both engines.

import { Cpu, FAULT, GUEST_EXCEPTION } from '../cpu/cpu';
import { Exc, ST_KX } from '../isa/cp0-defs';
import { Interpreter } from '../cpu/interpreter';
import type { PcBreakpoints } from '../debug/breakpoints';
import { Access, TRAP_WRITE } from '../mmu/host-tlb';
import { keyHi } from '../mmu/tlb';
import { Block, MAX_BLOCK, scan, Scanned } from './blocks';
import { WasmTier } from './wasm/tier';
import { ColdStarts, RunEnd, WasmRunner } from './wasm/runner';

/**
 * Heat at which a block start is translated: the instructions the cold path ran from it,
 * plus RUN_WEIGHT per run (the dispatch cost of a cold block, in instructions). Counting
 * instructions rather than runs translates long straight-line blocks sooner (a 64-instruction
 * block after ~3,500 runs, a 2-instruction one after 25,000). Compiling lukewarm code costs more
 * than running it on the cold path — fresh code runs in V8's baseline tier first and each region
 * costs emission and compilation. With the cold path in WebAssembly, going on from block to
 * block and into regions (bench/results.md, sixth session), the Debian boot is fastest around
 * 250,000: 4.39-4.52 s vs 4.49-4.68 s at 150,000 and 4.39-4.53 s at 400,000 (main thread,
 * interleaved rounds); before the runner entered regions, 150,000 beat 50,000 by ~0.3 s.
 */
export const HOT = 250_000;
/**
 * The threshold where the cold path is the interpreter's JavaScript block runner (outside
 * Kernel mode, with breakpoints, big-endian guests): several times slower per instruction
 * than the WebAssembly runner, so translating pays sooner (the value tuned before the runner
 * existed). With HOT there, 20 breakpoints and 4 watchpoints cost the arith64 kernel ~40 %.
 */
export const HOT_SLOW = 50_000;
/** Heat a cold block's run adds besides its instructions. */
const RUN_WEIGHT = 8;

/**
 * Heat (fraction of `hot`) at which a block start joins the warm list: warm starts are
 * translated together with the next start that gets hot, in the same WebAssembly module
 * (a module costs ~0.45 ms to compile and instantiate, each function in it ~0.05 ms).
 */
const WARM_FRACTION = 0.25;
/** Warm starts remembered (the oldest are dropped). */
const WARM_CAP = 63;

/**
 * The heat table's second word of a slot: the last translated start that hashes to it, as
 * (RAM offset | mode) + 1 (offsets are word-aligned and below 2 GiB); 0 for none.
 */
export function startTag(ramOff: number, mode: number): number {
  return ((ramOff | mode) + 1) | 0;
}

/** Slots of the heat table (a power of two). */
const HEAT_SIZE = 1 << 16;

export interface JitOptions {
  /** Heat at which a block start is translated (default HOT; 0 translates at the first run, 1 at the second). */
  hot?: number;
  /** Translate to WebAssembly where possible (default true). */
  wasm?: boolean;
  /** Run cold code in the WebAssembly runner (default true, with the tier). */
  runner?: boolean;
  /** Blocks per WebAssembly region (default 8). */
  regionBlocks?: number;
  /** Link slots of the WebAssembly tier (default LINK_CAP; small values exercise its reset). */
  wasmLinkSlots?: number;
}

export interface JitStats {
  blocksTranslated: number;
  blockExecs: number;
  chainedExecs: number;
  interpretedInsns: number;
  /** Of those, run by the WebAssembly cold-code runner. */
  runnerInsns: number;
  /** Cold blocks the runner went on to from the one the dispatcher gave it (each a dispatch saved). */
  runnerChained: number;
  /** Translated regions the runner entered through the jump cache (each a dispatch saved). */
  runnerRegions: number;
  invalidations: number;
}

export class JitEngine {
  private readonly blocks = new Map<number, Block>();
  /**
   * Per slot of a direct-mapped table hashed by (RAM offset, mode), two words: the heat of
   * untranslated block starts (see HOT; a Map lookup and update per cold block cost more
   * than running it; starts that share a slot share their heat, so one may be translated a
   * little early), then the translations whose start hashes to the slot (the cold-code
   * runner, which keeps the heat of the blocks it goes on to, leaves those starts to the
   * dispatcher). Side by side, the runner's test of both at a block end reads one cache line.
   */
  private readonly slots: Int32Array;
  /** Block starts that got warm since the last translation (see WARM_FRACTION). */
  private readonly warm: Array<{ lo: number; hi: number; off: number; mode: number }> = [];
  /** The region whose exit the cold-code runner stopped after (and its slot), for the dispatcher to link. */
  private regionExit: Block | undefined = undefined;
  private regionExitSlot = -1;
  /** Block starts the translator refused (run by the interpreter until the next flush). */
  private readonly untranslatable = new Set<number>();
  /**
   * Links that depend on the TLB, as (block, slot) pairs by their target's virtual page
   * (pageKey): all dropped when the host translation cache flushes, those into a range when
   * the TLB entry that mapped it is replaced (Cpu.mappingListeners).
   */
  private readonly mapped = new Map<number, Array<Block | number>>();
  /** Host translation cache flush count the links in `mapped` were made under. */
  private linkFlushes = 0;
  /** Blocks per RAM page, for invalidation. */
  private readonly pages = new Map<number, Block[]>();
  readonly stats: JitStats = { blocksTranslated: 0, blockExecs: 0, chainedExecs: 0, interpretedInsns: 0, runnerInsns: 0, runnerChained: 0, runnerRegions: 0, invalidations: 0 };
  /** Heat at which a block start is translated (HOT; setting it sets HOT_SLOW's threshold too). */
  get hot(): number { return this.hotAt; }
  set hot(v: number) { this.thresholds(v, v); }
  private hotAt = HOT;
  private warmAt = Math.floor(HOT * WARM_FRACTION);
  private slowHotAt = HOT_SLOW;
  private slowWarmAt = Math.floor(HOT_SLOW * WARM_FRACTION);

  private thresholds(fast: number, slow: number): void {
    this.hotAt = fast;
    this.warmAt = Math.max(1, Math.floor(fast * WARM_FRACTION));
    this.slowHotAt = slow;
    this.slowWarmAt = Math.max(1, Math.floor(slow * WARM_FRACTION));
  }
  /**
   * Observer for tests and tracing: called after every translated-block dispatch, when
   * the block has exited normally (`faulted` false) or a guest exception was taken while
   * finding or running it (`faulted` true; the CPU is then at the exception vector).
   */
  onBlockExit: ((blk: Block | undefined, faulted: boolean) => void) | undefined = undefined;
  /**
   * Let WebAssembly code chain linked regions even while onBlockExit observes (it then
   * sees one exit per dispatch, as for a JavaScript block that loops in place); by
   * default an observer sees every region exit.
   */
  chainObserved = false;
  /**
   * Instruction breakpoints (undefined when there are none): checked before each block
   * and by the interpreter for what it runs; translated blocks end before them, so
   * changing them requires flush().
   */
  breakpoints: PcBreakpoints | undefined = undefined;

  /** The WebAssembly tier (undefined: off or unavailable; every block is JavaScript). */
  readonly wasm: WasmTier | undefined;
  /** Cold code's WebAssembly runner (with the tier; Kernel mode), ahead of the interpreter's block runner. */
  private readonly runner: WasmRunner | undefined;

  constructor(private readonly cpu: Cpu, private readonly interp: Interpreter, opts: JitOptions = {}) {
    if (opts.hot !== undefined) this.hot = opts.hot; else this.thresholds(HOT, HOT_SLOW);
    this.wasm = opts.wasm ?? true ? WasmTier.create(cpu, cpu.bus, interp, opts.wasmLinkSlots, opts.regionBlocks) : undefined;
    // (In the bus's memory when there is one, where the cold-code runner keeps them too.)
    const bus = cpu.bus;
    this.slots = bus.memory ? new Int32Array(bus.buffer, bus.allocCore(HEAT_SIZE * 8), HEAT_SIZE * 2) : new Int32Array(HEAT_SIZE * 2);
    const starts: ColdStarts = { slots: this.slots, runWeight: RUN_WEIGHT };
    this.runner = this.wasm && (opts.runner ?? true) ? WasmRunner.create(cpu, bus, interp, starts, this.wasm) : undefined;
    cpu.mappingListeners.push((key, lo, bytes) => this.unlinkRange(key, lo, bytes));
    cpu.pageTrapClients.push((off, acc) => {
      if (acc === Access.Write) {
        const page = off >>> 12;
        this.invalidatePage(page);
        // A store into the page of the block running now may rewrite instructions it
        // has yet to execute: leave the block right after the store (the exit the
        // translator emits after device accesses).
        const cur = cpu.jitBlk;
        if (cur && cur.ramOff >>> 12 === page) cpu.ioHit = true;
      }
    });
  }

  /** Drops every translated block (e.g. after restoring a checkpoint). */
  flush(): void {
    for (const head of this.blocks.values()) {
      for (let b: Block | undefined = head; b; b = b.alias) { b.valid = false; b.links.fill(undefined); b.incoming.clear(); }
    }
    this.wasm?.reset();
    this.blocks.clear();
    this.mapped.clear();
    this.slots.fill(0);
    this.warm.length = 0;
    this.untranslatable.clear();
    for (const p of this.pages.keys()) this.cpu.htlb.clearTrap(p, TRAP_WRITE);
    this.pages.clear();
  }

  invalidatePage(page: number): void {
    const list = this.pages.get(page);
    if (!list) return;
    for (const b of list) {
      b.valid = false;
      // Unlink it: no block may continue into invalid code.
      for (const src of b.incoming) {
        const l = src.links;
        for (let j = 0; j < l.length; j++) if (l[j] === b) { l[j] = undefined; this.wasm?.setLink(src, j, undefined); }
      }
      b.incoming.clear();
      this.wasm?.release(b);
      this.blocks.delete(b.ramOff * 4 + b.mode);
      const ts = 2 * this.heatSlot(b.ramOff, b.mode) + 1;
      if (this.slots[ts] === startTag(b.ramOff, b.mode)) this.slots[ts] = 0;
    }
    this.pages.delete(page);
    this.cpu.codeGen++;
    this.cpu.htlb.clearTrap(page, TRAP_WRITE);
    this.stats.invalidations++;
  }

  run(budget: number): number {
    const c = this.cpu;
    const r = c.r;
    const start = c.icount;
    const end = start + budget;
    const h = c.htlb;
    const bp = this.breakpoints;
    const stats = this.stats;
    c.stopRequested = false;
    c.exitSlot = -1;
    // The block that last returned to the dispatcher through a link slot (and the slot):
    // linked to the block found next if that is the slot's target and nothing intervened.
    let from: Block | undefined;
    let fromSlot = -1;
    while (c.icount < end && !c.stopRequested) {
      if (c.icount >= c.nextEvent) { c.hooks.onEvent(c); from = undefined; }
      if (c.waiting) {
        from = undefined;
        const w = c.waitStep(end);
        if (w === 'idle') break;
        if (w === 'skip') continue;
      }
      if (bp !== undefined && bp.lows.has(c.pcLo) && bp.check(c)) { c.stopRequested = true; break; }
      const limit = Math.min(c.nextEvent, end);
      if (c.inDelay || limit - c.icount < MAX_BLOCK) {
        // Resuming inside a delay slot, or close to an event: interpret one instruction.
        this.interp.run(1);
        stats.interpretedInsns++;
        from = undefined;
        continue;
      }
      let blk: Block | undefined;
      try {
        if (c.irqPending) { from = undefined; c.raise(Exc.Int, false, 0); }
        if (h.flushes !== this.linkFlushes) this.unlinkMapped();
        // (Also when code that reads RAM directly meets a read trap — a watchpoint — or KX cleared.)
        const w = this.wasm;
        if (w !== undefined && (w.full || (w.directReads && (h.accessTrapped !== 0 || (w.xkphysReads && (c.c0.status & ST_KX) === 0))))) {
          this.flush();
          from = undefined;
        }
        // Find the block at PC: fetch translation + cache lookup.
        const lo = c.pcLo, hi = c.pcHi;
        const off = c.access(hi, lo, Access.Fetch, 3);
        if (off === FAULT) { c.trapped = false; from = undefined; if (this.onBlockExit) this.onBlockExit(undefined, true); continue; }
        if (off < 0) { this.interp.run(1); stats.interpretedInsns++; from = undefined; continue; }
        const key = off * 4 + c.mode;
        blk = this.cachedBlock(key, lo, hi);
        if (!blk) {
          from = undefined;
          const slot = this.heatSlot(off, c.mode);
          const heat = this.slots[2 * slot];
          // (The thresholds for the cold path this block takes: the runner's, or the interpreter's.)
          const fast = this.runnerServes();
          const hotAt = fast ? this.hotAt : this.slowHotAt, warmAt = fast ? this.warmAt : this.slowWarmAt;
          if (heat < hotAt || this.wasm === undefined || this.untranslatable.has(key)) {
            const n = this.interpretBlock(limit);
            // (Re-read: the runner may have gone on through this start again.)
            const was = this.slots[2 * slot];
            // (An untranslatable start stays cold: the runner goes on through it without asking here.)
            const now = this.untranslatable.has(key) ? 0 : Math.min(was + n + RUN_WEIGHT, hotAt);
            this.slots[2 * slot] = now;
            if (was < warmAt && now >= warmAt && this.wasm !== undefined) this.noteWarm(lo, hi, off, key & 3);
            // (The runner stopped right after a region's exit: link that exit to what comes next.)
            if (this.regionExit !== undefined) { from = this.regionExit; fromSlot = this.regionExitSlot; this.regionExit = undefined; }
            continue;
          }
          blk = this.translate(lo, hi, off, bp);
          if (!blk) {
            // Untranslatable (a branch whose delay slot is on the next page or holds a
            // breakpoint): always interpret (until the next flush).
            this.untranslatable.add(key);
            this.slots[2 * slot] = 0;
            this.interpretBlock(limit);
            continue;
          }
          this.install(blk);
        } else if (blk.wasm !== undefined) {
          // (Its jump-cache entry may have gone to another start since: the runner and the driver find it there.)
          this.wasm!.noteStart(blk);
        }
        if (from !== undefined) {
          // (An indirect jump's slot, with no fixed target, links to where it went last.)
          const tlo = from.exitLo[fromSlot], thi = from.exitHi[fromSlot];
          if (bp === undefined && from.valid && from.mode === blk.mode && (tlo === undefined || (tlo === lo && thi === hi))) this.link(from, fromSlot, blk);
          from = undefined;
        }
        // Run the block and the blocks it is linked to while no event is due (the
        // generated code checks c.jitLimit before following a link).
        c.icount0 = c.icount;
        c.jitLimit = limit - MAX_BLOCK;
        c.ioHit = false;
        // (The generated code sets c.jitBlk itself before anything that may need precise state.)
        const observe = this.onBlockExit;
        if (this.wasm) this.wasm.chain = (observe === undefined || this.chainObserved) && bp === undefined;
        let chained = 0;
        for (;;) {
          const nb: Block | undefined = blk.fn(c, r);
          if (nb === undefined) break;
          chained++;
          if (observe !== undefined) {
            // Materialize the state at the block boundary for the observer.
            c.jitBlk = undefined;
            c.pcLo = nb.startLo; c.pcHi = nb.startHi; c.icount = c.icount0;
            observe(blk, false);
          }
          blk = nb;
        }
        if (c.trapped) {
          // A WebAssembly region's call-out took a guest exception (the CPU is at its vector).
          c.trapped = false;
          c.jitBlk = undefined;
          c.exitSlot = -1;
          from = undefined;
          stats.blockExecs += chained + 1;
          stats.chainedExecs += chained;
          if (this.onBlockExit) this.onBlockExit(blk, true);
          continue;
        }
        // (A WebAssembly block may have run others linked after it: the last one exited.)
        if (blk.wasm !== undefined) blk = this.wasm!.last!;
        c.jitBlk = undefined;
        stats.blockExecs += chained + 1;
        stats.chainedExecs += chained;
        if (observe !== undefined) observe(blk, false);
        if (c.exitSlot >= 0) {
          if (blk.valid) { from = blk; fromSlot = c.exitSlot; }
          c.exitSlot = -1;
        }
      } catch (err) {
        c.jitBlk = undefined;
        c.exitSlot = -1;
        from = undefined;
        if (err !== GUEST_EXCEPTION) throw err;
        if (this.onBlockExit) this.onBlockExit(blk, true);
      }
    }
    return c.icount - start;
  }

  /**
   * Links `from`'s exit `slot` to `to`. A target in kseg0/kseg1 reached in Kernel mode
   * is unmapped, so the link holds until `to` is invalidated; any other target depends
   * on the TLB, so the link is also dropped at the next host translation cache flush.
   */
  private link(from: Block, slot: number, to: Block): void {
    from.links[slot] = to;
    this.wasm?.setLink(from, slot, to);
    to.incoming.add(from);
    const lo = to.startLo >>> 0;
    if (!(to.mode === 0 && to.startHi === -1 && lo >= 0x80000000 && lo < 0xc0000000)) {
      const key = this.pageKey(keyHi(to.startHi, this.cpu.segBits), lo);
      let l = this.mapped.get(key);
      if (l === undefined) this.mapped.set(key, l = []);
      l.push(from, slot);
    }
  }

  /** A virtual page's key in `mapped`: its TLB key (mmu/tlb.ts keyHi) and page number. */
  private pageKey(key: number, lo: number): number {
    return key * 1048576 + (lo >>> 12);
  }

  /** Drops the links that depend on the TLB (after a host translation cache flush). */
  private unlinkMapped(): void {
    for (const l of this.mapped.values()) this.unlinkAll(l);
    this.mapped.clear();
    this.linkFlushes = this.cpu.htlb.flushes;
  }

  /** Drops the links into [lo, lo + bytes) of TLB key `key` (a TLB entry that mapped it is being replaced). */
  private unlinkRange(key: number, lo: number, bytes: number): void {
    const pages = bytes / 4096;
    if (pages > this.mapped.size) {
      for (const [k, l] of this.mapped) {
        if (Math.floor(k / 1048576) === key && ((k % 1048576) - (lo >>> 12)) >>> 0 < pages) { this.unlinkAll(l); this.mapped.delete(k); }
      }
      return;
    }
    for (let p = 0; p < pages; p++) {
      const k = this.pageKey(key, lo + p * 4096);
      const l = this.mapped.get(k);
      if (l !== undefined) { this.unlinkAll(l); this.mapped.delete(k); }
    }
  }

  /** Clears the (block, slot) links of list `l`. */
  private unlinkAll(l: Array<Block | number>): void {
    for (let i = 0; i < l.length; i += 2) {
      (l[i] as Block).links[l[i + 1] as number] = undefined;
      this.wasm?.setLink(l[i] as Block, l[i + 1] as number, undefined);
    }
  }

  /** Whether the block start at RAM offset `off` (current mode) has run: it has heat or a translation. */
  private seen(off: number): boolean {
    const mode = this.cpu.mode;
    return this.slots[2 * this.heatSlot(off, mode)] > 0 || this.blocks.has(off * 4 + mode);
  }

  private heatSlot(off: number, mode: number): number {
    return ((off >>> 2) ^ (off >>> 18) ^ (mode << 14)) & (HEAT_SIZE - 1);
  }

  /**
   * Translates the block at (hi:lo), RAM offset `off` into WebAssembly (together with the
   * warm block starts, installed here), or returns undefined when the tier does not take it.
   */
  private translate(lo: number, hi: number, off: number, bp: PcBreakpoints | undefined): Block | undefined {
    const c = this.cpu;
    if (!this.wasm) return undefined;
    const s = scan(c, lo, hi, off, bp);
    if (!s) return undefined;
    const entries = [s, ...this.warmEntries(bp, off)];
    const made = this.wasm.translate(entries, bp, (o) => this.seen(o), (l, h) => this.resumeEntry(l, h, bp));
    for (let k = 1; k < made.length; k++) if (made[k]) this.install(made[k]!);
    return made[0];
  }

  /**
   * The block where a trap's handler resumes the guest (hi:lo, after an instruction that
   * always raises), to translate with the region that traps — unless it is translated
   * already, cannot be, holds a breakpoint or its fetch translation is not cached.
   */
  private resumeEntry(lo: number, hi: number, bp: PcBreakpoints | undefined): Scanned | undefined {
    const c = this.cpu, mode = c.mode;
    const off = c.htlb.cached(mode, Access.Fetch, hi, lo);
    if (off < 0 || this.untranslatable.has(off * 4 + mode) || this.cachedBlock(off * 4 + mode, lo, hi)) return undefined;
    if (bp && bp.has(lo, hi)) return undefined;
    return scan(c, lo, hi, off, bp);
  }

  /** The translation of the block at (hi:lo) with cache key `key` (its aliases share the key), if any. */
  private cachedBlock(key: number, lo: number, hi: number): Block | undefined {
    let b = this.blocks.get(key);
    while (b && (b.startLo !== lo || b.startHi !== hi)) b = b.alias;
    return b;
  }

  /** Adds a translated block to the cache (its start's heat restarts for the next translation after an invalidation). */
  private install(blk: Block): void {
    const key = blk.ramOff * 4 + blk.mode;
    blk.alias = this.blocks.get(key);
    this.blocks.set(key, blk);
    this.track(blk);
    const slot = this.heatSlot(blk.ramOff, blk.mode);
    this.slots[2 * slot] = 0;
    this.slots[2 * slot + 1] = startTag(blk.ramOff, blk.mode);
    this.stats.blocksTranslated++;
    this.wasm?.noteStart(blk);
  }

  /** Remembers a block start that got warm (the oldest is forgotten when the list is full). */
  private noteWarm(lo: number, hi: number, off: number, mode: number): void {
    if (this.warm.length >= WARM_CAP) this.warm.shift();
    this.warm.push({ lo, hi, off, mode });
  }

  /**
   * The warm starts still worth translating now (and empties the list): not translated
   * yet, in the current mode, and still at the same RAM offset (their fetch translation
   * is cached: checking it cannot fault).
   */
  private warmEntries(bp: PcBreakpoints | undefined, except: number): Scanned[] {
    const c = this.cpu, h = c.htlb, mode = c.mode;
    const out: Scanned[] = [];
    // (A start can be noted twice when another start's translation reset their shared heat slot.)
    const taken = new Set<number>([except]);
    for (const w of this.warm) {
      if (w.mode !== mode || taken.has(w.off) || this.untranslatable.has(w.off * 4 + mode)) continue;
      taken.add(w.off);
      if (this.cachedBlock(w.off * 4 + mode, w.lo, w.hi) || h.cached(mode, Access.Fetch, w.hi, w.lo) !== w.off) continue;
      if (bp && bp.has(w.lo, w.hi)) continue;
      const s = scan(c, w.lo, w.hi, w.off, bp);
      if (s) out.push(s);
    }
    this.warm.length = 0;
    return out;
  }

  /** Whether the WebAssembly runner is the cold path here (no breakpoints the interpreter must check). */
  private runnerServes(): boolean {
    return this.runner !== undefined && this.interp.breakpoints === undefined;
  }

  /**
   * Runs one block's worth of instructions in the interpreter (until a branch's delay slot
   * completes or a CTX instruction) — the cold-code runner may go on with further cold
   * blocks up to `limit` (the next event or the end of the budget), adding their heat
   * itself; returns the instructions of the first block.
   */
  private interpretBlock(limit: number): number {
    const c = this.cpu, r = this.runner;
    if (r !== undefined && this.runnerServes() && !c.irqPending && !c.waiting) {
      // (No event within MAX_BLOCK instructions: the dispatcher checked.)
      const n = r.run(MAX_BLOCK, this.breakpoints === undefined ? limit - c.icount : 0, this.warmAt, this.hotAt,
        this.onBlockExit === undefined || this.chainObserved);
      // (Attempted cold instructions: those that took an exception the runner went on after too.)
      const regions = r.regions, cold = n - r.regionInsns + r.traps;
      this.stats.runnerChained += r.chained;
      this.stats.runnerRegions += regions;
      this.stats.blockExecs += regions;
      this.stats.chainedExecs += regions;
      this.stats.runnerInsns += cold;
      this.stats.interpretedInsns += cold;
      if (r.end !== RunEnd.Cold) {
        // Regions ran last: their exit's state (or their guest exception: Cpu.trapped).
        this.wasm!.afterRegions();
        if (c.trapped) {
          c.trapped = false;
          c.exitSlot = -1;
          this.onBlockExit?.(undefined, true);
          return r.first;
        }
        const last = this.wasm!.last;
        if (c.exitSlot >= 0 && last !== undefined && last.valid) { this.regionExit = last; this.regionExitSlot = c.exitSlot; }
        c.exitSlot = -1;
      }
      return r.first;
    }
    const n = this.interp.runBlock(MAX_BLOCK);
    this.stats.interpretedInsns += n;
    return n;
  }

  private track(b: Block): void {
    const page = b.ramOff >>> 12;
    let l = this.pages.get(page);
    if (!l) { l = []; this.pages.set(page, l); }
    l.push(b);
    this.cpu.htlb.setTrap(page, TRAP_WRITE);
  }
}
