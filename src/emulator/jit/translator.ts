// Block translator: turns a guest basic block into one JavaScript function by inlining
// each instruction's semantic template (the same text the interpreter compiles) with
// its fields as constants. A block ends after a branch and its delay slot, after an
// instruction that can change the translation context (CTX: mtc0, eret, tlbw*, wait…)
// or always traps, before a page boundary, or at MAX_BLOCK instructions.
//
// Precise state: before any instruction that can fault, read time or touch a device,
// the code stores its index in c.k; Cpu.sync() rebuilds PC / delay slot / icount from
// it. After a device access the block exits (c.ioHit) so pending events and interrupts
// are taken at exactly the same instruction count as in the interpreter.

import type { Cpu } from '../cpu/cpu';
import type { PcBreakpoints } from '../debug/breakpoints';
import { expandWrites, templateFor } from '../cpu/interpreter';
import { DELAY_SLOT, F, InsnSpec } from '../isa/table';
import { bswap32 } from '../cpu/arith';

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
  readonly fn: (c: Cpu, r: Int32Array) => void;
  valid: boolean;
  /** Successor links (chaining): block last taken after this one and the host TLB generation it was valid for. */
  next: Block | undefined;
  nextGen: number;
  execs: number;
  /**
   * Another block for the same RAM offset and mode reached at a different virtual
   * address (kseg0/kseg1/xkphys/TLB aliases): the code embeds its PC, so each alias
   * needs its own translation.
   */
  alias: Block | undefined;
}

const PURE = /\bc\./; // templates that call into the CPU may fault, read time or do I/O

function add32(lo: number, hi: number, d: number): [number, number] {
  const l = (lo + d) | 0;
  const h = (hi + (((lo >>> 0) + d) > 4294967295 ? 1 : 0)) | 0;
  return [l, h];
}

/**
 * Replaces the CPU's RAM access calls by inline host-translation-cache lookups (same
 * result on a hit; the call, with its slow path, on a miss). Little-endian guests only.
 */
function inlineMemory(code: string, mode: number): string {
  const KR = (mode * 3 + 0) << 11, KW = (mode * 3 + 1) << 11;
  const hit = (k: number, align: number): string =>
    `${align ? `(alo & ${align}) === 0 && ` : ''}tl[I = ${k} | ((alo >>> 12) & 2047)] === (alo & -4096) && th[I] === ahi`;
  const off = '(hb[I] + (alo & 4095))';
  code = code
    .replace(/c\.lw\(ahi, alo\)/g, `(${hit(KR, 3)} ? M32[${off} >> 2] : c.lw(ahi, alo))`)
    .replace(/c\.ld\(ahi, alo\)/g, `(${hit(KR, 7)} ? (I = ${off} >> 2, c.ldHi = M32[I + 1], M32[I]) : c.ld(ahi, alo))`)
    .replace(/c\.lbu\(ahi, alo\)/g, `(${hit(KR, 0)} ? MU8[${off}] : c.lbu(ahi, alo))`)
    .replace(/c\.lb\(ahi, alo\)/g, `(${hit(KR, 0)} ? M8[${off}] : c.lb(ahi, alo))`)
    .replace(/c\.lhu\(ahi, alo\)/g, `(${hit(KR, 1)} ? MU16[${off} >> 1] : c.lhu(ahi, alo))`)
    .replace(/c\.lh\(ahi, alo\)/g, `(${hit(KR, 1)} ? M16[${off} >> 1] : c.lh(ahi, alo))`);
  code = code.replace(/c\.(sw|sd|sb|sh)\(ahi, alo, (r\[[^\]]+\]), (r\[[^\]]+\])\);/g, (m, fn: string, x: string, y: string) => {
    switch (fn) {
      case 'sw': return `if (${hit(KW, 3)}) M32[${off} >> 2] = ${x}; else ${m}`;
      case 'sd': return `if (${hit(KW, 7)}) { I = ${off} >> 2; M32[I] = ${x}; M32[I + 1] = ${y}; } else ${m}`;
      case 'sb': return `if (${hit(KW, 0)}) MU8[${off}] = ${x}; else ${m}`;
      default: return `if (${hit(KW, 1)}) MU16[${off} >> 1] = ${x}; else ${m}`;
    }
  });
  return code;
}

/** Instantiates an instruction template with constant fields. */
function instantiate(t: string, w: number, pcLo: number, pcHi: number, mode = -1, big = true): string {
  const rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, rd = (w >>> 11) & 31, sa = (w >>> 6) & 31;
  const imm = (w << 16) >> 16;
  let body = expandWrites(t, (reg) => {
    const n = reg === 'RD2' ? rd : rt;
    return n === 0 ? '' : `r[${n * 2}] = lo; r[${n * 2 + 1}] = hi;`;
  });
  const vals: Record<string, number> = {
    RS: rs, RT: rt, RD: rd, RS2: rs * 2, RT2: rt * 2, RD2: rd * 2, SA: sa, IMM: imm, UIMM: w & 0xffff,
    JIDX: (w & 0x3ffffff) << 2, SEL: w & 7, W: w | 0, FS: rd, FT: rt, FD: sa, FR: rs, CC: (w >>> 18) & 7,
    CC8: (w >>> 8) & 7, TF: (w >>> 16) & 1, PC_LO: pcLo, PC_HI: pcHi,
  };
  body = body.replace(/\b(RS2|RT2|RD2|RS|RT|RD|SA|IMM|UIMM|JIDX|SEL|W|FS|FT|FD|FR|CC8|CC|TF|PC_LO|PC_HI)\b/g,
    (m) => {
      const v = vals[m];
      return v < 0 ? `(${v})` : String(v);
    });
  if (mode >= 0) {
    // The privilege mode is part of the block's key: fold the 64-bit-operation check.
    body = body.replace(/if \(c\.mode !== 0\) c\.op64\(\);/g, mode === 0 ? '' : 'c.op64();');
    if (!big) body = inlineMemory(body, mode);
  }
  return body;
}

export interface TranslateInput {
  cpu: Cpu;
  startLo: number;
  startHi: number;
  ramOff: number;
  /** Instruction breakpoints: a block ends before one; a branch whose delay slot has one is not translated. */
  breakpoints?: PcBreakpoints;
}

interface Scanned {
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
function scan(cpu: Cpu, startLo: number, startHi: number, ramOff: number, bp: PcBreakpoints | undefined): Scanned | undefined {
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
    if (e.flags & (F.CTX | F.RESERVED) || e.op === 'syscall' || e.op === 'break' || e.op === 'sdbbp' || e.op === 'jalx') break;
  }
  if (insns.length === 0) return undefined;
  return { ramOff, startLo, startHi, insns, ds };
}

/** Static successors of a scanned block as [lo, hi] virtual addresses (taken target, fall-through). */
function successors(b: Scanned): Array<[number, number]> {
  const n = b.insns.length;
  const last = b.insns[n - 1].e;
  if (b.ds < 0) {
    if (last.flags & (F.CTX | F.RESERVED) || last.op === 'syscall' || last.op === 'break' || last.op === 'sdbbp' || last.op === 'jalx') return [];
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

// Multi-block regions are off by default: V8 deoptimizes a region function each time a
// block it never ran before executes (no type feedback), which cost more than it saved
// on the Linux boot (12–16 vs 34 guest MIPS). MIPS64_REGION=N enables them for experiments.
const MAX_REGION_BLOCKS = Number(globalThis.process?.env?.MIPS64_REGION ?? 1);
const MAX_REGION_INSNS = 1200;

/**
 * Translates the region entered at ramOff: the basic block there plus the blocks it
 * reaches through direct branches and fall-through on the same page (same mode), as
 * one function that moves between them without returning to the dispatcher while the
 * next event is at least MAX_BLOCK instructions away. Returns undefined when the
 * entry block itself cannot be translated.
 */
export function translate({ cpu, startLo, startHi, ramOff, breakpoints: bp }: TranslateInput): Block | undefined {
  const entry = scan(cpu, startLo, startHi, ramOff, bp);
  if (!entry) return undefined;
  const page = ramOff & ~0xfff;
  const blocks: Scanned[] = [entry];
  const labelOf = new Map<number, number>([[ramOff, 0]]);
  let total = entry.insns.length;
  // Breadth-first over static successors on this page.
  for (let i = 0; i < blocks.length && blocks.length < MAX_REGION_BLOCKS; i++) {
    if (blocks[i].insns[blocks[i].insns.length - 1].e.flags & F.CTX) continue;
    for (const [lo, hi] of successors(blocks[i])) {
      if (hi !== startHi) continue;
      const off = page + (((lo >>> 0) - ((startLo >>> 0) & ~0xfff)) >>> 0);
      if (((lo >>> 0) & ~0xfff) !== ((startLo >>> 0) & ~0xfff) || labelOf.has(off)) continue;
      if (bp && bp.has(lo, hi)) continue; // the dispatcher must see a breakpointed start
      const sb = scan(cpu, lo, hi, off, bp);
      if (!sb || total + sb.insns.length > MAX_REGION_INSNS || blocks.length >= MAX_REGION_BLOCKS) continue;
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
  const lines: string[] = ['"use strict";', 'return function (c, r) {'];
  if (!cpu.big) lines.push('const tl = c.htlb.tagLo, th = c.htlb.tagHi, hb = c.htlb.base, M32 = c.bus.ram32, M8 = c.bus.ram8, MU8 = c.bus.ram, M16 = c.bus.ram16, MU16 = c.bus.ramU16; let I = 0;');
  lines.push('const gen = c.codeGen; let L = 0;', 'outer: for (;;) { switch (L) {');
  blocks.forEach((b, label) => {
    // A block that branches back to itself loops right here (the tightest code V8 gets).
    const self = successors(b).some(([lo, hi]) => labelAt(lo, hi) === label);
    lines.push(`case ${label}: ${self ? 'for (;;)' : ''} {`);
    emitBlock(cpu, b, lines, labelAt, label, self);
    lines.push('}');
  });
  lines.push('default: return; } }', '};');
  // (ramOff: all of a region is on the entry's page, which is what the engine's check of
  // stores into the running block's page needs.)
  const infos = blocks.map((b) => ({ startLo: b.startLo, startHi: b.startHi, ds: b.ds, ramOff }));
  const fn = (new Function('B', lines.join('\n')) as (b: typeof infos) => Block['fn'])(infos);
  return {
    startLo, startHi, ramOff, mode: cpu.mode, length: entry.insns.length, ds: entry.ds, fn, valid: true, next: undefined,
    nextGen: -1, execs: 0, alias: undefined,
  };
}

/** Emits one block of a region; `labelAt` gives the label of a region block or −1. */
function emitBlock(cpu: Cpu, b: Scanned, lines: string[], labelAt: (lo: number, hi: number) => number, me: number, selfLoop: boolean): void {
  const { startLo, startHi, insns, ds } = b;
  const n = insns.length;
  const exitAt = (k: number): string => {
    const [l, h] = add32(startLo, startHi, k * 4);
    return `c.pcLo = ${l}; c.pcHi = ${h}; c.icount = c.icount0 + ${k}; return;`;
  };
  // Continue at a constant address after `done` instructions: inside the region when it
  // has that block and nothing requires the dispatcher, else return to it.
  const goTo = (lo: number, hi: number, done: number): string => {
    const label = labelAt(lo, hi);
    const leave = `c.pcLo = ${lo}; c.pcHi = ${hi}; c.icount = c.icount0; return;`;
    if (label < 0) return `c.icount0 += ${done}; ${leave}`;
    const go = label === me && selfLoop ? 'continue;' : `L = ${label}; c.jitBlk = B[${label}]; continue outer;`;
    return `c.icount0 += ${done}; if (c.icount0 + ${MAX_BLOCK} <= c.jitLimit && c.icount0 + ${MAX_BLOCK} <= c.nextEvent && !c.irqPending && !c.stopRequested && c.codeGen === gen) { ${go} } ${leave}`;
  };
  const succ = successors(b);
  for (let k = 0; k < n; k++) {
    const { e, w } = insns[k];
    const [pl, ph] = add32(startLo, startHi, k * 4);
    const t = templateFor(e);
    let code = instantiate(t, w, pl, ph, cpu.mode, cpu.big);
    const impure = PURE.test(code);
    const isBranch = k === ds - 1;
    if (impure) code = `c.k = ${k}; ${code}`;
    // Instructions that change the translation context may also read or rebase the
    // virtual clock (mtc0 Count) or the PC: give them the interpreter's view first.
    if (e.flags & F.CTX) code = `c.k = ${k}; c.sync(); ${code}`;
    if (isBranch) {
      lines.push(`c.brState = 0; ${code}`);
      // Likely branch not taken: the delay slot is annulled.
      const [al, ah] = add32(startLo, startHi, (k + 2) * 4);
      lines.push(`if (c.brState === 2) { ${goTo(al, ah, k + 1)} }`);
      continue;
    }
    if (k === ds) {
      lines.push(code);
      // (sync() in the delay slot set inDelay; the slot has completed now.)
      lines.push('c.inDelay = false;');
      if (!(e.flags & F.CTX)) {
        for (const [sl, sh] of succ) lines.push(`if (c.brLo === ${sl} && c.brHi === ${sh}) { ${goTo(sl, sh, n)} }`);
      }
      lines.push(`c.icount = c.icount0 + ${n}; c.pcLo = c.brLo; c.pcHi = c.brHi; return;`);
      continue;
    }
    if (k === n - 1 && (e.flags & F.CTX)) {
      lines.push(`c.brState = 0; ${code}`);
      const [nl, nh] = add32(startLo, startHi, n * 4);
      lines.push(`if (c.brState === 3) { c.pcLo = c.brLo; c.pcHi = c.brHi; } else { c.pcLo = ${nl}; c.pcHi = ${nh}; } c.icount = c.icount0 + ${n}; return;`);
      continue;
    }
    lines.push(code);
    if (impure && (e.flags & (F.LOAD | F.STORE))) lines.push(`if (c.ioHit) { c.ioHit = false; ${exitAt(k + 1)} }`);
  }
  if (ds < 0) {
    const last = insns[n - 1].e;
    if (succ.length === 1 && !(last.flags & F.CTX)) lines.push(goTo(succ[0][0], succ[0][1], n));
    else if (!(last.flags & F.CTX)) lines.push(exitAt(n));
  }
}
