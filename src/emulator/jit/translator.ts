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
import { expandWrites, templateFor } from './js-templates';
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

const PURE = /\bc\./; // templates that call into the CPU may fault, read time or do I/O
/**
 * CPU helpers that only compute on registers (never fault, read time or touch memory):
 * calls to them need no precise state. (Cpu.op64, which may fault, is not among them.)
 */
const SAFE_CALLS = /\bc\.(?:link|shl|shr|sar|ror|dext|dins|mul32|div32|dmult|ddiv|madd)\([^;]*\);/g;

export function add32(lo: number, hi: number, d: number): [number, number] {
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
  // Slow paths are marked @S@: the translator puts the precise-state stores there.
  code = code
    .replace(/const lo = c\.ld\(ahi, alo\), hi = c\.ldHi;/g,
      `let lo, hi; if (${hit(KR, 7)}) { I = ${off} >> 2; lo = M32[I]; hi = M32[I + 1]; } else { @S@lo = c.LD(ahi, alo); hi = c.ldHi; }`)
    .replace(/c\.lw\(ahi, alo\)/g, `(${hit(KR, 3)} ? M32[${off} >> 2] : (@S@c.lw(ahi, alo)))`)
    .replace(/c\.ld\(ahi, alo\)/g, `(${hit(KR, 7)} ? (I = ${off} >> 2, c.ldHi = M32[I + 1], M32[I]) : c.ld(ahi, alo))`)
    .replace(/c\.lbu\(ahi, alo\)/g, `(${hit(KR, 0)} ? MU8[${off}] : (@S@c.lbu(ahi, alo)))`)
    .replace(/c\.lb\(ahi, alo\)/g, `(${hit(KR, 0)} ? M8[${off}] : (@S@c.lb(ahi, alo)))`)
    .replace(/c\.lhu\(ahi, alo\)/g, `(${hit(KR, 1)} ? MU16[${off} >> 1] : (@S@c.lhu(ahi, alo)))`)
    .replace(/c\.lh\(ahi, alo\)/g, `(${hit(KR, 1)} ? M16[${off} >> 1] : (@S@c.lh(ahi, alo)))`)
    .replace(/c\.LD\(/g, 'c.ld('); // (the ld template's slow path, kept out of the general ld replacement)
  code = code.replace(/c\.(sw|sd|sb|sh)\(ahi, alo, (r\[[^\]]+\]), (r\[[^\]]+\])\);/g, (m, fn: string, x: string, y: string) => {
    const slow = `else { @S@${m} }`;
    switch (fn) {
      case 'sw': return `if (${hit(KW, 3)}) M32[${off} >> 2] = ${x}; ${slow}`;
      case 'sd': return `if (${hit(KW, 7)}) { I = ${off} >> 2; M32[I] = ${x}; M32[I + 1] = ${y}; } ${slow}`;
      case 'sb': return `if (${hit(KW, 0)}) MU8[${off}] = ${x}; ${slow}`;
      default: return `if (${hit(KW, 1)}) MU16[${off} >> 1] = ${x}; ${slow}`;
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
    if (e.flags & (F.CTX | F.RESERVED) || e.op === 'syscall' || e.op === 'break' || e.op === 'sdbbp' || e.op === 'jalx') break;
  }
  if (insns.length === 0) return undefined;
  return { ramOff, startLo, startHi, insns, ds };
}

/** Static successors of a scanned block as [lo, hi] virtual addresses (taken target, fall-through). */
export function successors(b: Scanned): Array<[number, number]> {
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
    if (blocks[i].insns[blocks[i].insns.length - 1].e.flags & F.CTX) continue;
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
  const { blocks, labelAt } = findRegion(cpu, entry, bp, MAX_REGION_BLOCKS, MAX_REGION_INSNS);
  const body: string[] = [];
  const slots: Array<[number, number] | undefined> = [];
  const region = blocks.length > 1;
  if (region) body.push('outer: for (;;) { switch (L) {');
  blocks.forEach((b, label) => {
    // A block that branches back to itself loops right here (the tightest code V8 gets).
    const self = successors(b).some(([lo, hi]) => labelAt(lo, hi) === label);
    const at = body.length;
    const head = `${self ? 'for (;;)' : ''} {`;
    body.push(head);
    // The block's info for precise state (Cpu.sync) and the engine's self-modification
    // check, stored once on entry when some instruction may need it (not once per such
    // instruction: a store into the Cpu in a hot loop costs the arith64 kernel a third).
    const info = emitBlock(cpu, b, body, labelAt, label, self, slots) ? `c.jitBlk = B[${label}]; ` : '';
    body[at] = `${region ? `case ${label}: ` : ''}${info}${head}`;
    body.push('}');
  });
  if (region) body.push('default: return undefined; } }');
  // The host translation cache and RAM views are fixed for the CPU's life: closure
  // constants of the block rather than loads on every entry.
  const text = body.join('\n');
  const lines = ['"use strict";', 'return function (c, r) {'];
  if (/\bgen\b/.test(text)) lines.push('const gen = c.codeGen;');
  lines.push(`let I = 0, T = false, S = false${region ? ', L = 0' : ''};`, text, '};');
  // (ramOff: all of a region is on the entry's page, which is what the engine's check of
  // stores into the running block's page needs.)
  const infos = blocks.map((b) => ({ startLo: b.startLo, startHi: b.startHi, ds: b.ds, ramOff }));
  const links: Array<Block | undefined> = slots.map(() => undefined);
  // (Named for profilers: a CPU profile shows translated code per guest address.)
  lines.push(`//# sourceURL=mips64-block-${(startHi >>> 0).toString(16)}-${(startLo >>> 0).toString(16)}.js`);
  const h = cpu.htlb, m = cpu.bus;
  const fn = (new Function('B', 'X', 'tl', 'th', 'hb', 'M32', 'M8', 'MU8', 'M16', 'MU16', lines.join('\n')) as (...a: unknown[]) => Block['fn'])(
    infos, links, h.tagLo, h.tagHi, h.base, m.ram32, m.ram8, m.ram, m.ram16, m.ramU16);
  return {
    startLo, startHi, ramOff, mode: cpu.mode, length: entry.insns.length, ds: entry.ds, fn, valid: true,
    links, exitLo: slots.map((t) => t?.[0]), exitHi: slots.map((t) => t?.[1]), incoming: new Set(), execs: 0, alias: undefined,
  };
}

/**
 * Emits one block of a region; `labelAt` gives the label of a region block or −1.
 * Returns whether the block must store its info in c.jitBlk on entry (an instruction
 * outside slow paths may need precise state).
 */
function emitBlock(cpu: Cpu, b: Scanned, lines: string[], labelAt: (lo: number, hi: number) => number, me: number, selfLoop: boolean,
  slots: Array<[number, number] | undefined>): boolean {
  let needsInfo = false;
  const { startLo, startHi, insns, ds } = b;
  const n = insns.length;
  const exitAt = (k: number): string => {
    const [l, h] = add32(startLo, startHi, k * 4);
    return `c.pcLo = ${l}; c.pcHi = ${h}; c.icount = c.icount0 + ${k}; return undefined;`;
  };
  // Continue at a constant address after `done` instructions: inside the region when it
  // has that block, else at the block linked to this exit, while the next event is at
  // least MAX_BLOCK instructions away (c.jitLimit); else return to the dispatcher.
  const goTo = (lo: number, hi: number, done: number): string => {
    const label = labelAt(lo, hi);
    const j = slots.length;
    slots.push([lo, hi]);
    const leave = `c.icount = c.icount0; c.pcLo = ${lo}; c.pcHi = ${hi}; c.exitSlot = ${j}; return undefined;`;
    if (label < 0) return `c.icount0 += ${done}; if (c.icount0 <= c.jitLimit) { const nb = X[${j}]; if (nb !== undefined) return nb; } ${leave}`;
    const go = label === me && selfLoop ? 'continue;' : `L = ${label}; c.jitBlk = B[${label}]; continue outer;`;
    return `c.icount0 += ${done}; if (c.icount0 <= c.jitLimit && c.codeGen === gen) { ${go} } ${leave}`;
  };
  const succ = successors(b);
  // A direct branch or jump whose delay slot is an ordinary instruction: its outcome is
  // kept in the local T and its exits are constant (no c.br call, no branch state in
  // the CPU unless the delay slot may need precise state).
  let direct = false, likely = false;
  if (ds > 0) {
    const be = insns[ds - 1].e;
    direct = !(be.flags & F.INDIRECT) && (be.flags & (F.BRANCH | F.JUMP)) !== 0 && !(insns[ds].e.flags & (DELAY_SLOT | F.CTX))
      && succ.length === ((be.flags & F.BRANCH) ? 2 : 1);
    likely = direct && /c\.brl\(/.test(templateFor(be));
  }
  /** The delay slot of a direct branch: instructions done after it, taken target, not-taken target (none: likely or jump). */
  const slotsAt = new Map<number, { done: number; taken: [number, number]; fall: [number, number] | undefined }>();
  if (direct) slotsAt.set(ds, { done: n, taken: succ[0], fall: likely || succ.length === 1 ? undefined : succ[1] });
  for (let k = 0; k < n; k++) {
    const { e, w } = insns[k];
    const [pl, ph] = add32(startLo, startHi, k * 4);
    const t = templateFor(e);
    let code = instantiate(t, w, pl, ph, cpu.mode, cpu.big);
    const isBranch = k === ds - 1;
    const dsx = slotsAt.get(k);
    const directBranch = slotsAt.has(k + 1);
    if (directBranch) code = code.replace(/c\.br\((true|taken), [^;]*\);/, 'T = $1;').replace(/c\.brl\(taken, [^;]*\);/, 'T = taken;');
    // (Linking a return address, shifting or multiplying registers cannot fault.)
    const impure = PURE.test(code.replace(SAFE_CALLS, ''));
    // Inline RAM accesses whose only call is the slow path: precise state is stored on
    // that path alone (S records that it ran, for the device-access exit).
    const lazy = impure && code.includes('@S@') && !PURE.test(code.replace(/@S@(lo = )?c\.\w+\([^()]*\)/g, '').replace(/c\.ldHi/g, ''));
    // Precise state in a delay slot (Cpu.sync) needs the branch's target.
    const target = (sep: string): string => !dsx ? '' : dsx.fall === undefined ? `c.brLo = ${dsx.taken[0]}${sep} c.brHi = ${dsx.taken[1]}${sep} `
      : `c.brLo = T ? ${dsx.taken[0]} : ${dsx.fall[0]}${sep} c.brHi = T ? ${dsx.taken[1]} : ${dsx.fall[1]}${sep} `;
    // After a device access in a delay slot: to the dispatcher, at the branch's target.
    const dsLeave = `c.icount = c.icount0 + ${dsx ? dsx.done : n}; c.pcLo = c.brLo; c.pcHi = c.brHi; return undefined;`;
    const dsIoExit = `if (c.ioHit) { c.ioHit = false; ${dsLeave} }`;
    code = code.replace(/@S@/g, lazy ? `S = true, c.jitBlk = B[${me}], c.k = ${k}, ${target(',')}` : '');
    if (lazy) code += ` if (S) { S = false;${k === ds ? ' c.inDelay = false;' : ''} if (c.ioHit) { c.ioHit = false; ${k === ds ? dsLeave : exitAt(k + 1)} } }`;
    else if (impure) { code = `c.k = ${k}; ${code}`; needsInfo = true; }
    // Instructions that change the translation context may also read or rebase the
    // virtual clock (mtc0 Count) or the PC: give them the interpreter's view first.
    if (e.flags & F.CTX) code = `c.jitBlk = B[${me}]; c.k = ${k}; c.sync(); ${code}`;
    if (directBranch) {
      lines.push(code);
      if (isBranch && likely) {
        // Likely branch not taken: the delay slot is annulled.
        const [al, ah] = add32(startLo, startHi, (k + 2) * 4);
        lines.push(`if (!T) { ${goTo(al, ah, k + 1)} }`);
      }
      continue;
    }
    if (dsx) {
      if (impure && !lazy) lines.push(target(';'));
      lines.push(code);
      if (impure && !lazy) lines.push('c.inDelay = false;');
      if (impure && !lazy && (e.flags & (F.LOAD | F.STORE))) lines.push(dsIoExit);
      if (dsx.fall === undefined) lines.push(goTo(dsx.taken[0], dsx.taken[1], dsx.done));
      else lines.push(`if (T) { ${goTo(dsx.taken[0], dsx.taken[1], n)} }`, goTo(dsx.fall[0], dsx.fall[1], n));
      continue;
    }
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
      if (impure && (e.flags & (F.LOAD | F.STORE))) lines.push(`if (c.ioHit) { c.ioHit = false; c.icount = c.icount0 + ${n}; c.pcLo = c.brLo; c.pcHi = c.brHi; return undefined; }`);
      if (!(e.flags & F.CTX)) {
        for (const [sl, sh] of succ) lines.push(`if (c.brLo === ${sl} && c.brHi === ${sh}) { ${goTo(sl, sh, n)} }`);
      }
      if (e.flags & (F.CTX | DELAY_SLOT)) lines.push(`c.icount = c.icount0 + ${n}; c.pcLo = c.brLo; c.pcHi = c.brHi; return undefined;`);
      else {
        // Indirect jump: continue at the block linked to this exit if it starts at the target.
        const j = slots.length;
        slots.push(undefined);
        lines.push(`{ const ja = c.brLo, jh = c.brHi; c.icount0 += ${n}; if (c.icount0 <= c.jitLimit) { const nb = X[${j}]; if (nb !== undefined && nb.startLo === ja && nb.startHi === jh) return nb; }`
          + ` c.icount = c.icount0; c.pcLo = ja; c.pcHi = jh; c.exitSlot = ${j}; return undefined; }`);
      }
      continue;
    }
    if (k === n - 1 && (e.flags & F.CTX)) {
      lines.push(`c.brState = 0; ${code}`);
      const [nl, nh] = add32(startLo, startHi, n * 4);
      lines.push(`if (c.brState === 3) { c.pcLo = c.brLo; c.pcHi = c.brHi; } else { c.pcLo = ${nl}; c.pcHi = ${nh}; } c.icount = c.icount0 + ${n}; return undefined;`);
      continue;
    }
    lines.push(code);
    if (impure && !lazy && (e.flags & (F.LOAD | F.STORE))) lines.push(`if (c.ioHit) { c.ioHit = false; ${exitAt(k + 1)} }`);
  }
  if (ds < 0) {
    const last = insns[n - 1].e;
    if (succ.length === 1 && !(last.flags & F.CTX)) lines.push(goTo(succ[0][0], succ[0][1], n));
    else if (!(last.flags & F.CTX)) lines.push(exitAt(n));
  }
  return needsInfo;
}
