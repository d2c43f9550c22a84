// The translator's WebAssembly tier: turns hot regions (jit/translator.ts findRegion) into
// WebAssembly functions (region-emitter.ts) over the bus's memory, puts them in one
// function table, and runs chains of linked regions inside a small WebAssembly driver
// loop, so hot code that spans pages returns to JavaScript only when an event is near. A
// region is an ordinary Block for the dispatcher (its fn enters the driver); the
// dispatcher's links are mirrored into shared link slots when both ends are WebAssembly.
//
// The call-outs (`mem` for RAM misses and devices, `call` for the CPU helpers instructions'
// semantics use, `raise` for exceptions) set the same precise state as the JavaScript
// translator before touching the CPU; a guest exception taken in one makes the code exit,
// and enter() rethrows it to the dispatcher.

import { Cpu, GUEST_EXCEPTION } from '../../cpu/cpu';
import { ST_KX } from '../../isa/cp0-defs';
import { C0 } from '../../cpu/cp0';
import { DRIVER_LOCALS, emitDriver } from './driver';
import type { Interpreter } from '../../cpu/interpreter';
import { Effect, HELPERS } from '../../isa/helpers';
import type { HelperImpl } from '../../cpu/helpers';
import type { PhysicalBus } from '../../memory/bus';
import { Block, findRegion, Scanned } from '../blocks';
import type { PcBreakpoints } from '../../debug/breakpoints';
import type { JitBlockInfo } from '../../cpu/cpu';
import { BLOCK_LOCALS, emitRegion, FN_IMPORTS, HELPER_LIST, MemOp, maxSlots, unsupported } from './region-emitter';
import { Code, encodeModule, ValType } from './encoder';
import { Ctrl, JC_SIZE, jcSlot, Layout, LINK_CAP, TABLE_CAP } from './layout';
import { instantiate, wasmApi, WasmTable } from '../../memory/wasm-api';

/**
 * Region limits (blocks, instructions) for one WebAssembly function. Smaller regions cost
 * less to compile (V8's optimizing tier too) and the boot ran no slower for it (bench/results.md
 * 2026-11-21: 8 blocks 6.3–6.7 s, 10 s CPU in all threads; 16 blocks 6.6–7.7 s, 11–13 s; the XZ
 * part 2.0 s either way). JitOptions.regionBlocks overrides it for experiments.
 */
const MAX_REGION_BLOCKS = 8;
const MAX_REGION_INSNS = 1200;
/** Regions translated together at most when the entries where traps resume are added (WasmTier.translate). */
const MAX_BATCH = 64;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The module of region functions (emitRegion's code; function i exported as exports[i].name):
 * type 0 the regions', then the `mem`, `call` and `raise` imports (FN_MEM, FN_CALL, FN_RAISE)
 * and the shared memory.
 */
export function encodeRegionModule(funcs: Array<{ type: number; locals: ValType[]; code: Code }>,
  exports: Array<{ name: string; func: number }>): Uint8Array {
  const i32 = ValType.i32;
  return encodeModule({
    types: [
      { params: [], results: [i32] },
      { params: [i32, i32, i32, i32, i32, i32], results: [i32] },
      { params: [i32, i32, i32, i32, i32, i32, i32, i32], results: [i32] },
      { params: [i32, i32], results: [] },
    ],
    memory: { module: 'm', name: 'mem', minPages: 0 },
    imports: [{ module: 'h', name: 'mem', type: 1 }, { module: 'h', name: 'call', type: 2 }, { module: 'h', name: 'raise', type: 3 }],
    funcs,
    exports,
  });
}

export interface WasmTierStats {
  blocks: number;
  /** Blocks the tier could not take (left to the JavaScript translator). */
  refused: number;
  /** Bytes of WebAssembly compiled, and modules (each holds the regions translated together). */
  bytes: number;
  modules: number;
  /** Resets (every translation dropped: a flush, or the link slots ran out). */
  resets: number;
}

export class WasmTier {
  private readonly L: Layout;
  private readonly table: WasmTable;
  private readonly run: (idx: number) => number;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly linkWords: Int32Array;
  private readonly startWords: Int32Array;
  /** The jump caches (Layout.jc, jcAll) and the regions' mode and start (Layout.meta). */
  private readonly jcWords: Int32Array;
  private readonly jcAllWords: Int32Array;
  private readonly metaWords: Int32Array;
  /** What the driver's chain was entered with: a call-out that changes any of them asks for JavaScript (Ctrl.BAIL). */
  private eventAt = 0;
  private flushesAt = 0;
  private kxAt = 0;
  private trapsAt = 0;
  /** Block per table index. */
  private readonly byIdx: Array<Block | undefined> = [undefined];
  /** Per table index: precise-state info and instruction words of each region block (by label), for call-outs. */
  private readonly infos: JitBlockInfo[][] = [];
  private readonly words: number[][][] = [];
  /** Imports of every region module: the call-outs find their instruction from the id the code passes (emitRegion). */
  private readonly imports: Record<string, Record<string, unknown>>;
  private readonly free: number[] = [];
  private next = 1;
  /** Next unused link slot (slots are not reused before reset()). */
  private nextLink = 0;
  /** The block that last exited to JavaScript through its wrapper (read by the dispatcher). */
  last: Block | undefined;
  /**
   * Set when the link slots ran out (they are not reused until reset): the dispatcher
   * then flushes all translations, which resets the tier.
   */
  full = false;
  /** Chain blocks inside the driver (off while the dispatcher observes every block). */
  chain = true;
  /**
   * Set when a region reads unmapped RAM directly (emitRegion's fastRam): such code is
   * wrong once a page traps reads — and, when `xkphysReads`, once Status.KX is cleared —
   * so the dispatcher then flushes all translations.
   */
  directReads = false;
  xkphysReads = false;

  readonly stats: WasmTierStats = { blocks: 0, refused: 0, bytes: 0, modules: 0, resets: 0 };

  /** Creates the tier for `cpu`, or returns undefined when the host cannot run it. */
  static create(cpu: Cpu, bus: PhysicalBus, interp: Interpreter, linkSlots = LINK_CAP, regionBlocks = MAX_REGION_BLOCKS): WasmTier | undefined {
    if (!wasmApi || !bus.memory || !LITTLE_ENDIAN_HOST) return undefined;
    if (cpu.r.buffer !== bus.buffer || cpu.htlb.wideTag.buffer !== bus.buffer || cpu.c0.w.buffer !== bus.buffer) return undefined;
    return new WasmTier(cpu, bus, interp, Math.max(16, Math.min(LINK_CAP, linkSlots)), Math.max(1, Math.min(64, regionBlocks)));
  }

  /** Helper implementations by index (region-emitter.ts HELPER_LIST), and whether each changes the translation context. */
  private readonly helperImpls: HelperImpl[];
  private readonly helperCtx: boolean[];

  private constructor(private readonly cpu: Cpu, private readonly bus: PhysicalBus, private readonly interp: Interpreter,
    private readonly linkCap: number, private readonly regionBlocks: number) {
    this.helperImpls = HELPER_LIST.map((h) => interp.helpers[h]);
    this.helperCtx = HELPER_LIST.map((h) => (HELPERS[h].effects & Effect.CTX) !== 0);
    const h = cpu.htlb;
    const ctrl = bus.allocCore(Ctrl.BYTES);
    this.L = {
      regs: cpu.r.byteOffset, cp0: cpu.c0.w.byteOffset, wideTag: h.wideTag.byteOffset, wideAdd: h.wideAdd.byteOffset,
      ctrl, links: bus.allocCore(linkCap * 4), starts: bus.allocCore(TABLE_CAP * 8), jc: bus.allocCore(JC_SIZE * 4),
      jcAll: bus.allocCore(JC_SIZE * 4), meta: bus.allocCore(TABLE_CAP * 8),
    };
    this.jcWords = new Int32Array(bus.buffer, this.L.jc, JC_SIZE);
    this.jcAllWords = new Int32Array(bus.buffer, this.L.jcAll, JC_SIZE);
    this.metaWords = new Int32Array(bus.buffer, this.L.meta, TABLE_CAP * 2);
    const buf = bus.buffer;
    this.f64 = new Float64Array(buf, ctrl, 2);
    this.i32 = new Int32Array(buf, ctrl, Ctrl.BYTES / 4);
    this.linkWords = new Int32Array(buf, this.L.links, linkCap);
    this.startWords = new Int32Array(buf, this.L.starts, TABLE_CAP * 2);
    this.table = new wasmApi!.Table({ element: 'anyfunc', initial: TABLE_CAP });
    // The driver (driver.ts): run(idx) runs block idx, the blocks it links to, and regions the jump cache names.
    const driver = instantiate(encodeModule({
      types: [{ params: [], results: [ValType.i32] }, { params: [ValType.i32], results: [ValType.i32] }],
      memory: { module: 'm', name: 'mem', minPages: 0 },
      table: { module: 'm', name: 't', min: TABLE_CAP },
      imports: [],
      funcs: [{ type: 1, locals: DRIVER_LOCALS, code: emitDriver(this.L) }],
      exports: [{ name: 'run', func: 0 }],
    }), { m: { t: this.table, mem: bus.memory } });
    this.run = driver.exports.run as (idx: number) => number;
    this.imports = {
      m: { mem: bus.memory },
      h: {
        // (Import order: FN_MEM, FN_CALL, FN_RAISE.)
        mem: (op: number, id: number, lo: number, hi: number, vl: number, vh: number) =>
          this.mem(this.infos[id >>> 16][(id >>> 8) & 255], op, id & 255, lo, hi, vl, vh),
        call: (h: number, id: number, a: number, b: number, c: number, d: number, e: number, f: number) =>
          this.call(this.infos[id >>> 16][(id >>> 8) & 255], id & 255, h, a, b, c, d, e, f),
        raise: (codeCe: number, id: number) => this.raise(this.infos[id >>> 16][(id >>> 8) & 255], id & 255, codeCe),
      },
    };
  }

  /**
   * Translates the regions entered at scanned blocks (each: the blocks it reaches on its
   * page that have already run, `seen`: jit/translator.ts findRegion) into one module —
   * compiling and instantiating a module costs ~0.45 ms whatever its size, one function
   * ~0.05 ms — and returns each entry's Block, or undefined where the entry needs the
   * JavaScript translator (or the tier's tables are full).
   */
  translate(entries: Scanned[], bp: PcBreakpoints | undefined, seen: (ramOff: number) => boolean,
    resume?: (lo: number, hi: number) => Scanned | undefined): Array<Block | undefined> {
    const cpu = this.cpu;
    const out: Array<Block | undefined> = [];
    const funcs: Array<{ type: number; locals: ValType[]; code: Code }> = [];
    const exports: Array<{ name: string; func: number }> = [];
    const made: Array<{ blk: Block; idx: number; linkBase: number; slots: number }> = [];
    // (Direct RAM reads in Kernel mode while no page traps reads: see emitRegion.)
    const fastRam = cpu.mode === 0 && cpu.htlb.accessTrapped === 0 ? this.bus.identityRam() : 0;
    const xkphys = (cpu.c0.status & ST_KX) !== 0;
    for (const s of entries) {
      out.push(undefined);
      if (unsupported(s) !== undefined) { this.stats.refused++; continue; }
      const region = findRegion(cpu, s, bp, this.regionBlocks, MAX_REGION_INSNS, (x) => unsupported(x) === undefined && seen(x.ramOff));
      const linkBase = this.nextLink;
      if (linkBase + maxSlots(region) > this.linkCap) {
        // (A reset helps only if slots are in use; a region too large for all of them stays JavaScript.)
        this.stats.refused++;
        this.full = linkBase > 0;
        continue;
      }
      const idx = this.free.pop() ?? (this.next < TABLE_CAP ? this.next++ : 0);
      if (idx === 0) { this.stats.refused++; continue; }
      const { code, slots, resumes } = emitRegion(this.L, region, this.interp.target, cpu.mode, idx, linkBase, fastRam, xkphys);
      // (Where a trap's handler returns: translated with it, up to a batch of MAX_BATCH.)
      for (const [lo, hi] of resumes) {
        if (entries.length >= MAX_BATCH) break;
        const r = resume?.(lo, hi);
        if (r !== undefined && !entries.some((x) => x.ramOff === r.ramOff)) entries.push(r);
      }
      if (fastRam !== 0) { this.directReads = true; if (xkphys) this.xkphysReads = true; }
      this.nextLink = linkBase + slots.length;
      const blk: Block = {
        startLo: s.startLo, startHi: s.startHi, ramOff: s.ramOff, mode: cpu.mode, length: s.insns.length, ds: s.ds,
        fn: () => this.enter(idx),
        valid: true, links: slots.map(() => undefined), exitLo: slots.map((t) => t?.[0]), exitHi: slots.map((t) => t?.[1]),
        incoming: new Set(), execs: 0, alias: undefined, wasm: { idx, linkBase },
      };
      // Precise state per region block (label): the entry is the Block itself.
      this.infos[idx] = region.blocks.map((b, i) => i === 0 ? blk : { startLo: b.startLo, startHi: b.startHi, ds: b.ds, ramOff: s.ramOff });
      this.words[idx] = region.blocks.map((b) => b.insns.map((x) => x.w));
      exports.push({ name: `b${funcs.length}`, func: FN_IMPORTS + funcs.length });
      funcs.push({ type: 0, locals: BLOCK_LOCALS, code });
      made.push({ blk, idx, linkBase, slots: slots.length });
      out[out.length - 1] = blk;
    }
    if (made.length === 0) return out;
    const bytes = encodeRegionModule(funcs, exports);
    const inst = instantiate(bytes, this.imports);
    made.forEach(({ blk, idx, linkBase, slots }, f) => {
      this.table.set(idx, inst.exports[`b${f}`]);
      this.byIdx[idx] = blk;
      this.startWords[idx * 2] = blk.startLo;
      this.startWords[idx * 2 + 1] = blk.startHi;
      this.linkWords.fill(0, linkBase, linkBase + slots);
    });
    this.stats.blocks += made.length;
    this.stats.modules++;
    this.stats.bytes += bytes.length;
    return out;
  }

  /** Mirrors a dispatcher link (or its removal) into the shared link slots. */
  setLink(from: Block, slot: number, to: Block | undefined): void {
    if (!from.wasm) return;
    this.linkWords[from.wasm.linkBase + slot] = to?.wasm && to.valid ? to.wasm.idx : 0;
  }

  /**
   * Enters a WebAssembly block of Kernel mode that starts in ckseg0/ckseg1 (whose
   * translation no TLB or Status change can alter) in the jump cache, where the cold-code
   * runner finds it without the dispatcher.
   */
  noteStart(b: Block): void {
    if (!b.wasm) return;
    const idx = b.wasm.idx;
    this.metaWords[idx * 2] = b.mode;
    this.metaWords[idx * 2 + 1] = b.ramOff;
    this.jcAllWords[jcSlot(b.startLo)] = idx;
    if (b.mode !== 0 || !unmappedKernel(b.startHi, b.startLo)) return;
    this.jcWords[jcSlot(b.startLo)] = idx;
  }

  /** The function table, jump cache and control words the cold-code runner enters regions through. */
  get entry(): { table: WasmTable; layout: Layout } { return { table: this.table, layout: this.L }; }

  /**
   * After the cold-code runner ran regions and stopped right after one's exit: the state
   * enter() would leave (icount, PC, exit slot; `last`), or sets Cpu.trapped when a
   * call-out took a guest exception (the CPU is at the vector).
   */
  afterRegions(): void {
    const c = this.cpu, i = this.i32;
    c.jitBlk = undefined;
    const slot = i[Ctrl.SLOT >> 2];
    if (slot === -2) { c.trapped = true; return; }
    c.icount = c.icount0 = this.icountNow();
    c.pcLo = i[Ctrl.PCLO >> 2];
    c.pcHi = i[Ctrl.PCHI >> 2];
    c.inDelay = false;
    c.exitSlot = slot;
    this.last = this.byIdx[i[Ctrl.LAST >> 2]];
  }

  /** Frees an invalidated block's table index (its incoming links are already cleared). */
  release(b: Block): void {
    if (!b.wasm || this.byIdx[b.wasm.idx] !== b) return;
    this.linkWords.fill(0, b.wasm.linkBase, b.wasm.linkBase + b.links.length);
    this.byIdx[b.wasm.idx] = undefined;
    // (Jump-cache entries check the start: none matches 0, never an unmapped Kernel address.)
    this.startWords[b.wasm.idx * 2] = 0;
    this.startWords[b.wasm.idx * 2 + 1] = 0;
    this.infos[b.wasm.idx] = [];
    this.words[b.wasm.idx] = [];
    this.table.set(b.wasm.idx, null);
    this.free.push(b.wasm.idx);
  }

  /** Drops every block (the dispatcher's flush). */
  reset(): void {
    this.stats.resets++;
    this.linkWords.fill(0);
    for (let i = 1; i < this.next; i++) {
      if (this.byIdx[i]) this.table.set(i, null);
      this.byIdx[i] = undefined;
      this.infos[i] = [];
      this.words[i] = [];
    }
    this.startWords.fill(0);
    this.jcWords.fill(0);
    this.jcAllWords.fill(0);
    this.free.length = 0;
    this.next = 1;
    this.nextLink = 0;
    this.full = false;
    this.directReads = false;
    this.xkphysReads = false;
  }

  /** Runs block idx and the blocks linked after it; the dispatcher's view of the exit, as Block.fn. */
  private enter(idx: number): Block | undefined {
    const c = this.cpu, f = this.f64, i = this.i32;
    f[Ctrl.IC0 >> 3] = c.icount0;
    const rem = this.chain ? Math.max(-REM_OFF, Math.min(REM_OFF, c.jitLimit - c.icount0)) : -REM_OFF;
    i[Ctrl.REM0 >> 2] = rem;
    i[Ctrl.REM >> 2] = rem;
    this.chainEntered();
    this.run(idx);
    const slot = i[Ctrl.SLOT >> 2], lo = i[Ctrl.PCLO >> 2], hi = i[Ctrl.PCHI >> 2];
    // (A call-out took a guest exception — the CPU is at the exception vector — and the code
    // stored its registers and left: the dispatcher sees Cpu.trapped.)
    if (slot === -2) { c.trapped = true; return undefined; }
    c.icount0 = this.icountNow();
    const last = this.byIdx[i[Ctrl.LAST >> 2]]!;
    if (slot >= 0 && c.icount0 <= c.jitLimit) {
      const nb = last.links[slot];
      if (nb !== undefined && (last.exitLo[slot] !== undefined || (nb.startLo === lo && nb.startHi === hi))) return nb;
    }
    c.icount = c.icount0;
    c.pcLo = lo;
    c.pcHi = hi;
    c.exitSlot = slot;
    this.last = last;
    return undefined;
  }

  /** Before a chain runs: what a call-out must not change without asking for JavaScript (Ctrl.BAIL), and the mode. */
  chainEntered(): void {
    const c = this.cpu, i = this.i32;
    this.eventAt = c.nextEvent;
    this.flushesAt = c.htlb.flushes;
    this.kxAt = c.c0.w[C0.STATUS] & ST_KX;
    this.trapsAt = c.htlb.accessTrapped;
    i[Ctrl.BAIL >> 2] = 0;
    i[Ctrl.MODE >> 2] = c.mode;
  }

  /**
   * After a call-out: the mode the CPU is in, and whether the driver must return to JavaScript
   * rather than go on through the jump cache (Ctrl.BAIL).
   */
  private settle(): void {
    const c = this.cpu, i = this.i32;
    i[Ctrl.MODE >> 2] = c.mode;
    if (c.stopRequested || c.irqPending || c.waiting || c.nextEvent !== this.eventAt || c.htlb.flushes !== this.flushesAt
      || (c.c0.w[C0.STATUS] & ST_KX) !== this.kxAt || c.htlb.accessTrapped !== this.trapsAt || this.full) i[Ctrl.BAIL >> 2] = 1;
  }

  /** Precise state for a call-out from instruction k of `b`. */
  private precise(b: JitBlockInfo, k: number): void {
    const c = this.cpu;
    c.jitBlk = b;
    c.k = k;
    c.icount0 = this.icountNow();
    if (k === b.ds) { c.brLo = this.i32[Ctrl.BRLO >> 2]; c.brHi = this.i32[Ctrl.BRHI >> 2]; }
  }

  /** The icount where the regions running left it (at an exit or call-out): IC0 + REM0 − REM. */
  private icountNow(): number {
    const i = this.i32;
    return this.f64[Ctrl.IC0 >> 3] + ((i[Ctrl.REM0 >> 2] - i[Ctrl.REM >> 2]) | 0);
  }

  private ioDone(): void {
    const c = this.cpu;
    this.i32[Ctrl.STATUS >> 2] = c.ioHit ? 1 : 0;
    if (c.ioHit) this.i32[Ctrl.BAIL >> 2] = 1;
    c.ioHit = false;
    this.settle();
  }

  /** A guest exception in a call-out: the code stores its registers and exits (status 2), then enter() rethrows. */
  private caught(err: unknown): void {
    if (err !== GUEST_EXCEPTION) throw err;
    const c = this.cpu, i = this.i32;
    i[Ctrl.STATUS >> 2] = 2;
    i[Ctrl.SLOT >> 2] = -2;
    // (Where the driver may go on: the exception vector.)
    i[Ctrl.PCLO >> 2] = c.pcLo;
    i[Ctrl.PCHI >> 2] = c.pcHi;
    this.settle();
  }

  /** A RAM access the inline lookup missed (TLB, page trap, device, alignment). */
  private mem(b: JitBlockInfo, op: MemOp, k: number, lo: number, hi: number, vl: number, vh: number): number {
    const c = this.cpu;
    this.precise(b, k);
    let res = 0, rh = 0;
    // (The accesses take a guest exception without unwinding: Cpu.trapped.)
    switch (op) {
      case MemOp.LB: res = (c.rdB(hi, lo) << 24) >> 24; rh = res >> 31; break;
      case MemOp.LBU: res = c.rdB(hi, lo); break;
      case MemOp.LH: res = (c.rdH(hi, lo) << 16) >> 16; rh = res >> 31; break;
      case MemOp.LHU: res = c.rdH(hi, lo); break;
      case MemOp.LW: res = c.rdW(hi, lo); rh = res >> 31; break;
      case MemOp.LWU: res = c.rdW(hi, lo); break;
      case MemOp.LD: res = c.rdD(hi, lo); rh = c.ldHi; break;
      case MemOp.SB: c.wrB(hi, lo, vl); break;
      case MemOp.SH: c.wrH(hi, lo, vl); break;
      case MemOp.SW: c.wrW(hi, lo, vl); break;
      default: c.wrD(hi, lo, vl, vh); break;
    }
    if (c.trapped) { c.trapped = false; this.caught(GUEST_EXCEPTION); return 0; }
    if (k === b.ds) c.inDelay = false;
    this.i32[Ctrl.RESHI >> 2] = rh;
    this.ioDone();
    return res;
  }

  /** A CPU helper for instruction k of `b` (arguments as int32 words), with precise state. */
  private call(b: JitBlockInfo, k: number, h: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    const c = this.cpu;
    this.precise(b, k);
    c.sync();
    c.brState = 0;
    let r: number;
    try {
      r = (this.helperImpls[h](c, a0, a1, a2, a3, a4, a5) as number | undefined) ?? 0;
    } catch (err) {
      this.caught(err);
      return 0;
    }
    if (c.trapped) { c.trapped = false; this.caught(GUEST_EXCEPTION); return 0; }
    c.inDelay = false;
    const i = this.i32;
    i[Ctrl.RESHI >> 2] = c.retHi;
    if (this.helperCtx[h]) {
      // (Where a block ending in an instruction that changes the translation context goes on.)
      if (c.brState === 3) { i[Ctrl.NEXTLO >> 2] = c.brLo; i[Ctrl.NEXTHI >> 2] = c.brHi; } else {
        i[Ctrl.NEXTLO >> 2] = (c.pcLo + 4) | 0;
        i[Ctrl.NEXTHI >> 2] = c.pcLo === -4 ? (c.pcHi + 1) | 0 : c.pcHi;
      }
    }
    this.ioDone();
    return r;
  }

  /** Exception `codeCe & 0xff` (Cause.CE = codeCe >> 8) at instruction k of `b`. */
  private raise(b: JitBlockInfo, k: number, codeCe: number): void {
    const c = this.cpu;
    this.precise(b, k);
    c.sync();
    c.trap(codeCe & 0xff, false, codeCe >> 8);
    c.trapped = false;
    this.caught(GUEST_EXCEPTION);
  }
}

/** Bound of Ctrl.REM (instructions a chain may run): far from int32 wrap-around; −REM_OFF disables links. */
const REM_OFF = 1 << 30;

/** Whether (hi:lo) is in ckseg0/ckseg1: unmapped in Kernel mode whatever Status and the TLB say. */
export function unmappedKernel(hi: number, lo: number): boolean {
  return hi === -1 && (lo >>> 29) >= 4 && (lo >>> 29) <= 5;
}
