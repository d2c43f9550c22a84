// Guest code as the translating engine sees it: basic blocks found in RAM (scan), their
// static successors, and regions — the blocks one WebAssembly function runs (findRegion).
// A block ends after a branch and its delay slot, after an instruction that can change the
// translation context (CTX: mtc0, eret, tlbw*, wait…) or always traps, before a page
// boundary or a breakpoint, or at MAX_BLOCK instructions. Block is the dispatcher's view of
// a translated region (jit/wasm/tier.ts makes them).
//
// Precise state: before any instruction that can fault, read time or touch a device, the
// generated code records its index (c.k); Cpu.sync() rebuilds PC / delay slot / icount from
// it. After a device access the block exits (c.ioHit) so pending events and interrupts are
// taken at exactly the same instruction count as in the interpreter.

import type { Cpu } from '../cpu/cpu';
import type { PcBreakpoints } from '../debug/breakpoints';
import { DELAY_SLOT, F, InsnSpec } from '../isa/table';
import { bswap32 } from '../cpu/arith';
import { changesContext } from '../isa/cp0-stored';

export const MAX_BLOCK = 64;

export interface Block {
  readonly startLo: number;
  readonly startHi: number;
  /** RAM offset of the first instruction; the cache key is (ramOff, mode). */
  readonly ramOff: number;
  readonly mode: number;
  /** Instructions in the block (upper bound of what one execution runs). */
  readonly length: number;
  /** Index of the delay-slot instruction, or −1. */
  readonly ds: number;
  /**
   * Runs the block. Returns the next block when the exit taken is linked to it and the
   * next event is at least MAX_BLOCK instructions away (c.icount0 is then the icount at
   * that block's entry, c.icount and PC are not updated); otherwise sets PC, icount and
   * c.exitSlot (the exit's link slot, or leaves it −1) and returns undefined.
   */
  readonly fn: (c: Cpu, r: Int32Array) => Block | undefined;
  valid: boolean;
  /** Direct successor links, one slot per exit to a constant address (filled by the dispatcher). */
  readonly links: Array<Block | undefined>;
  /**
   * Target address of each link slot; undefined for the slot of an indirect jump, whose
   * link is followed only when the jump goes to the linked block's address.
   */
  readonly exitLo: Array<number | undefined>;
  readonly exitHi: Array<number | undefined>;
  /** Blocks whose link slots may point to this one (to unlink it when it is invalidated). */
  readonly incoming: Set<Block>;
  execs: number;
  /**
   * Another block for the same RAM offset and mode reached at a different virtual
   * address (kseg0/kseg1/xkphys/TLB aliases): the code embeds its PC, so each alias
   * needs its own translation.
   */
  alias: Block | undefined;
  /** Set when the block is WebAssembly code (jit/wasm/tier.ts): its function-table index and first link slot. */
  readonly wasm?: { readonly idx: number; readonly linkBase: number };
}
export function add32(lo: number, hi: number, d: number): [number, number] {
  const l = (lo + d) | 0;
  const h = (hi + (((lo >>> 0) + d) > 4294967295 ? 1 : 0)) | 0;
  return [l, h];
}

export interface Scanned {
  ramOff: number;
  startLo: number;
  startHi: number;
  insns: Array<{ e: InsnSpec; w: number }>;
  ds: number;
}


/**
 * Finds the basic block at ramOff. Returns undefined when nothing can be translated
 * there: a branch in the last word of a page (its delay slot is on the next page) or a
 * branch with a breakpoint in its delay slot, which the interpreter must run.
 */
export function scan(cpu: Cpu, startLo: number, startHi: number, ramOff: number, bp: PcBreakpoints | undefined): Scanned | undefined {
  const ram32 = cpu.bus.ram32;
  const dec = cpu.decoder;
  const insns: Array<{ e: InsnSpec; w: number }> = [];
  const pageEnd = (ramOff | 0xfff) + 1;
  let ds = -1;
  const atBreakpoint = (off: number): boolean => {
    if (!bp) return false;
    const [l, h] = add32(startLo, startHi, off - ramOff);
    return bp.has(l, h);
  };
  for (let off = ramOff; off < pageEnd && insns.length < MAX_BLOCK; off += 4) {
    // The dispatcher checks breakpoints at block starts only: end the block before one.
    if (off !== ramOff && atBreakpoint(off)) break;
    const raw = ram32[off >>> 2];
    const w = cpu.big ? bswap32(raw) : raw;
    const e = dec.decode(w).canonical;
    if (e.flags & DELAY_SLOT) {
      if (off + 4 >= pageEnd) break; // branch and delay slot must be on one page
      // ... and in one block of at most MAX_BLOCK instructions: the dispatcher runs a
      // block only when the next event is at least MAX_BLOCK instructions away.
      if (insns.length + 2 > MAX_BLOCK) break;
      // A breakpoint in the delay slot: the pair is interpreted (which checks every instruction).
      if (atBreakpoint(off + 4)) break;
      insns.push({ e, w });
      const raw2 = ram32[(off + 4) >>> 2];
      const w2 = cpu.big ? bswap32(raw2) : raw2;
      insns.push({ e: dec.decode(w2).canonical, w: w2 });
      ds = insns.length - 1;
      break;
    }
    insns.push({ e, w });
    if (e.flags & F.RESERVED || changesContext(e, w) || e.op === 'syscall' || e.op === 'break' || e.op === 'sdbbp' || e.op === 'jalx') break;
  }
  if (insns.length === 0) return undefined;
  return { ramOff, startLo, startHi, insns, ds };
}

/** Static successors of a scanned block as [lo, hi] virtual addresses (taken target, fall-through). */
export function successors(b: Scanned): Array<[number, number]> {
  const n = b.insns.length;
  const last = b.insns[n - 1].e;
  if (b.ds < 0) {
    if (last.flags & F.RESERVED || changesContext(last, b.insns[n - 1].w) || last.op === 'syscall' || last.op === 'break' || last.op === 'sdbbp' || last.op === 'jalx') return [];
    return [add32(b.startLo, b.startHi, n * 4)];
  }
  const br = b.insns[b.ds - 1];
  const [pl, ph] = add32(b.startLo, b.startHi, (b.ds - 1) * 4);
  const out: Array<[number, number]> = [];
  if ((br.e.flags & F.BRANCH) && !(br.e.flags & F.INDIRECT)) {
    out.push(add32(pl, ph, 4 + (((br.w << 16) >> 16) << 2)));
    out.push(add32(pl, ph, 8));
  } else if ((br.e.flags & F.JUMP) && !(br.e.flags & F.INDIRECT)) {
    const [nl, nh] = add32(pl, ph, 4);
    out.push([(nl & 0xf0000000) | ((br.w & 0x3ffffff) << 2), nh]);
  }
  return out;
}

export interface Region {
  /** The entry block first. */
  blocks: Scanned[];
  /** Label (index in blocks) of the block starting at a virtual address, or −1 (not in the region, or the entry when it has a breakpoint). */
  labelAt(lo: number, hi: number): number;
}

/**
 * The region entered at `entry`: the blocks it reaches through direct branches and
 * fall-through on the same page (breadth-first; same mode), up to `maxBlocks` blocks
 * and `maxInsns` instructions, among those `accept` takes.
 */
export function findRegion(cpu: Cpu, entry: Scanned, bp: PcBreakpoints | undefined, maxBlocks: number, maxInsns: number,
  accept: (s: Scanned) => boolean = () => true): Region {
  const { startLo, startHi, ramOff } = entry;
  const page = ramOff & ~0xfff;
  const blocks: Scanned[] = [entry];
  const labelOf = new Map<number, number>([[ramOff, 0]]);
  let total = entry.insns.length;
  for (let i = 0; i < blocks.length && blocks.length < maxBlocks; i++) {
    const end = blocks[i].insns[blocks[i].insns.length - 1];
    if (changesContext(end.e, end.w)) continue;
    for (const [lo, hi] of successors(blocks[i])) {
      if (hi !== startHi) continue;
      const off = page + (((lo >>> 0) - ((startLo >>> 0) & ~0xfff)) >>> 0);
      if (((lo >>> 0) & ~0xfff) !== ((startLo >>> 0) & ~0xfff) || labelOf.has(off)) continue;
      if (bp && bp.has(lo, hi)) continue; // the dispatcher must see a breakpointed start
      const sb = scan(cpu, lo, hi, off, bp);
      if (!sb || total + sb.insns.length > maxInsns || blocks.length >= maxBlocks || !accept(sb)) continue;
      labelOf.set(off, blocks.length);
      blocks.push(sb);
      total += sb.insns.length;
    }
  }
  const entryIsBreakpoint = bp !== undefined && bp.has(startLo, startHi);
  const labelAt = (lo: number, hi: number): number => {
    if (hi !== startHi || ((lo >>> 0) & ~0xfff) !== ((startLo >>> 0) & ~0xfff)) return -1;
    const label = labelOf.get(page + ((lo >>> 0) & 0xfff)) ?? -1;
    return label === 0 && entryIsBreakpoint ? -1 : label;
  };
  return { blocks, labelAt };
}
