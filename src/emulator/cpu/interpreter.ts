// The reference execution engine: fetch, decode through the instruction table, run the
// op's handler (compiled once from its semantic template), advance PC through delay
// slots. Interrupts are taken between instructions (not inside a delay slot), timed
// events when the virtual clock reaches them, and WAIT skips virtual time forward.

import type { PcBreakpoints } from '../debug/breakpoints';
import { F, InsnSpec, RESERVED } from '../isa/table';
import { Cpu, GUEST_EXCEPTION } from './cpu';
import { Exc } from './cp0-defs';
import { SEMANTICS } from './semantics';

export type Handler = (c: Cpu, w: number) => void;

/** Field definitions for the interpreter: each template token is a local constant. */
const FIELDS: Array<[string, string]> = [
  ['RS', '(w >>> 21) & 31'], ['RT', '(w >>> 16) & 31'], ['RD', '(w >>> 11) & 31'],
  ['RS2', '((w >>> 21) & 31) << 1'], ['RT2', '((w >>> 16) & 31) << 1'], ['RD2', '((w >>> 11) & 31) << 1'],
  ['SA', '(w >>> 6) & 31'], ['IMM', '(w << 16) >> 16'], ['UIMM', 'w & 0xffff'], ['JIDX', '(w & 0x3ffffff) << 2'],
  ['SEL', 'w & 7'], ['W', 'w'], ['FS', '(w >>> 11) & 31'], ['FT', '(w >>> 16) & 31'], ['FD', '(w >>> 6) & 31'],
  ['FR', '(w >>> 21) & 31'], ['CC', '(w >>> 18) & 7'], ['CC8', '(w >>> 8) & 7'], ['TF', '(w >>> 16) & 1'],
  ['PC_LO', 'c.pcLo'], ['PC_HI', 'c.pcHi'],
];

/** Expands the register-write macros of a template. */
export function expandWrites(t: string, rd: (reg: 'RD2' | 'RT2') => string): string {
  return t.replace(/@WRD/g, rd('RD2')).replace(/@WRT/g, rd('RT2'));
}

/** Template for an entry's op, or the reserved-instruction template. */
export function templateFor(e: InsnSpec): string {
  return SEMANTICS[e.op] ?? SEMANTICS.reserved;
}

const cache = new Map<string, Handler>();

/** A template's body with its field constants declared (the handler's code, or a case of the block runner). */
function handlerBody(template: string): string {
  const body = expandWrites(template, (reg) => `if (${reg} !== 0) { r[${reg}] = lo; r[${reg} + 1] = hi; }`);
  const used = FIELDS.filter(([name]) => new RegExp(`\\b${name}\\b`).test(body));
  return `${used.map(([n, e]) => `const ${n} = ${e};`).join(' ')}\n${body}`;
}

function compile(op: string, template: string): Handler {
  const key = op;
  const hit = cache.get(key);
  if (hit) return hit;
  const fn = new Function('c', 'w', `"use strict"; const r = c.r; ${handlerBody(template)}`) as Handler;
  cache.set(key, fn);
  return fn;
}

/**
 * Ops the block runner (runBlock, the translator's cold path) runs inline, by the same
 * templates, instead of calling their handlers: the commonest in the Linux boot's cold
 * code. A handler call through the one call site every op shares cost ~12 % of that path.
 */
export const INLINE_OPS = [
  'sll', 'srl', 'sra', 'addu', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'daddu', 'dsubu', 'movz', 'movn',
  'dsll', 'dsrl', 'dsra', 'dsll32', 'dsrl32', 'dsra32', 'addiu', 'daddiu', 'slti', 'sltiu', 'andi', 'ori', 'xori', 'lui',
  'beq', 'bne', 'blez', 'bgtz', 'bltz', 'bgez', 'beql', 'bnel', 'j', 'jal', 'jr', 'jalr',
  'lb', 'lbu', 'lh', 'lhu', 'lw', 'lwu', 'ld', 'sb', 'sh', 'sw', 'sd',
];

/**
 * Ops numbered in the decoded-word cache (1 + index; 0 for any other): INLINE_OPS first, then
 * more the WebAssembly cold-code runner (jit/wasm/runner.ts) runs natively and the block
 * runner hands to their handlers.
 */
export const CACHE_OPS = [
  ...INLINE_OPS,
  'sync', 'sllv', 'srlv', 'srav', 'rotr', 'rotrv', 'dsllv', 'dsrlv', 'dsrav', 'ext', 'dext', 'dextm', 'dextu', 'mul', 'seb', 'seh',
  'pref', 'teq', 'tne', 'cache',
  'mflo', 'mfhi', 'mtlo', 'mthi', 'wsbh', 'dsbh', 'dshd', 'ins', 'dins', 'dinsm', 'dinsu', 'lwl', 'lwr', 'ldl', 'ldr',
];

type BlockRunner = (self: Interpreter, max: number) => number;
let blockRunner: BlockRunner | undefined;

/** Builds runBlock's loop with INLINE_OPS as cases of a switch on the op's number (1 + its index; 0: call the handler). */
function compileBlockRunner(): BlockRunner {
  const cases = INLINE_OPS.map((op, k) => `case ${k + 1}: { ${handlerBody(SEMANTICS[op])} } break;`).join('\n');
  const src = `"use strict";
return function runBlock(self, max) {
  const c = self.cpu;
  const bp = self.breakpoints;
  const dcWord = self.dcWord, dcOp = self.dcOp, dcHandler = self.dcHandler;
  c.stopRequested = false;
  for (let n = 1; n <= max; n++) {
    if (c.waiting) return n - 1;
    if (bp !== undefined && bp.lows.has(c.pcLo) && bp.check(c)) { c.stopRequested = true; return n - 1; }
    const wasDelay = c.inDelay;
    try {
      if (c.irqPending && !c.inDelay) c.raise(EXC_INT, false, 0);
      const w = c.fetch();
      c.brState = 0;
      const i = Math.imul(w, 0x9e3779b1) >>> SHIFT;
      if (dcWord[i] !== w) self.handlerFor(w);
      const r = c.r;
      switch (dcOp[i]) {
${cases}
        default: dcHandler[i](c, w);
      }
      c.icount++;
      advance(c);
    } catch (err) {
      if (err !== GUEST_EXCEPTION) throw err;
      return n;
    }
    if (c.waiting || c.stopRequested) return n;
    if (wasDelay || c.brState === 2 || c.brState === 3) return n; // delay slot done, likely annulled, eret
    if ((c.pcLo & 0xfff) === 0 || c.icount >= c.nextEvent) return n;
  }
  return max;
};`;
  return new Function('advance', 'GUEST_EXCEPTION', 'EXC_INT', 'SHIFT', src)(advance, GUEST_EXCEPTION, Exc.Int, 32 - DC_BITS) as BlockRunner;
}

/** Entries of the decoded-word cache (a power of two). */
const DC_BITS = 16;
const DC_SIZE = 1 << DC_BITS;

export class Interpreter {
  /** Handler per table entry id (aliases resolve to their canonical entry). */
  private readonly handlers: Handler[] = [];
  /**
   * Decoded-word cache, direct-mapped by a hash of the instruction word: the word and its
   * handler (decoding walks the table's candidate lists, the largest cost of running
   * cold code). Decoding depends on the word alone, so entries never go stale.
   */
  private readonly dcWord: Int32Array;
  private readonly dcHandler: Handler[];
  /** The block runner's case for the cached word's op (0: call its handler). */
  private readonly dcOp: Int32Array;
  /** Decoded-word cache op number (CACHE_OPS) per table entry id. */
  private readonly opCase: number[] = [];
  /** Instruction breakpoints, checked before each instruction run() executes; undefined when there are none. */
  breakpoints: PcBreakpoints | undefined = undefined;

  constructor(private readonly cpu: Cpu) {
    // (In the bus's core area, where the WebAssembly block runner reads them too.)
    this.dcWord = new Int32Array(cpu.bus.buffer, cpu.bus.allocCore(DC_SIZE * 4), DC_SIZE);
    this.dcOp = new Int32Array(cpu.bus.buffer, cpu.bus.allocCore(DC_SIZE * 4), DC_SIZE);
    const reserved = compile('reserved', SEMANTICS.reserved);
    for (const e of cpu.decoder.entries) {
      const c = e.canonical;
      this.handlers[e.id] = (c.flags & F.RESERVED) ? reserved : compile(c.op, templateFor(c));
      const k = CACHE_OPS.indexOf(c.op);
      this.opCase[e.id] = (c.flags & F.RESERVED) || k < 0 ? 0 : k + 1;
    }
    this.handlers[RESERVED.id] = reserved;
    // (Every entry starts as word 0, which the zero-filled dcWord already says.)
    this.dcHandler = new Array<Handler>(DC_SIZE).fill(this.handlers[cpu.decoder.decode(0).id]);
    this.dcOp.fill(this.opCase[cpu.decoder.decode(0).id] ?? 0);
  }

  /** The decoded-word cache's words and block-runner cases (for jit/wasm/runner.ts) and its index: top `32 − shift` bits of w × 0x9e3779b1. */
  decodeCache(): { word: Int32Array; op: Int32Array; shift: number } {
    return { word: this.dcWord, op: this.dcOp, shift: 32 - DC_BITS };
  }

  /** The handler for instruction word w. */
  handlerFor(w: number): Handler {
    // Fibonacci hashing: the top bits of w × 2^32/φ. (An xor of shifted copies of w left
    // 5.5 % of the XZ decompressor's fetches missing among its 545 distinct words; this, 0.8 %.)
    const i = Math.imul(w, 0x9e3779b1) >>> (32 - DC_BITS);
    if (this.dcWord[i] === w) return this.dcHandler[i];
    const id = this.cpu.decoder.decode(w).id;
    const h = this.handlers[id];
    this.dcWord[i] = w;
    this.dcHandler[i] = h;
    this.dcOp[i] = this.opCase[id] ?? 0;
    return h;
  }

  /** Executes exactly one instruction (or takes one exception/interrupt). */
  step(): void {
    const c = this.cpu;
    try {
      if (c.irqPending && !c.inDelay) c.raise(Exc.Int, false, 0);
      const w = c.fetch();
      c.brState = 0;
      this.handlerFor(w)(c, w);
      c.icount++;
      advance(c);
    } catch (err) {
      if (err !== GUEST_EXCEPTION) throw err;
    }
  }

  /**
   * Runs until `budget` instructions have executed, a stop is requested, or the CPU
   * idles in WAIT with nothing scheduled. Returns the number of instructions executed.
   */
  run(budget: number): number {
    const c = this.cpu;
    const start = c.icount;
    const end = start + budget;
    const bp = this.breakpoints;
    c.stopRequested = false;
    while (c.icount < end && !c.stopRequested) {
      if (c.icount >= c.nextEvent) c.hooks.onEvent(c);
      if (c.waiting) {
        const w = c.waitStep(end);
        if (w === 'idle') break;
        if (w === 'skip') continue;
      }
      if (bp !== undefined && bp.lows.has(c.pcLo) && bp.check(c)) { c.stopRequested = true; break; }
      // step()'s body, written out here and in runBlock: calling step() (with its try)
      // cost ~13 % CPU on the arith64 kernel (`node out/bench/kernel-one.js arith64 interp 3`).
      try {
        if (c.irqPending && !c.inDelay) c.raise(Exc.Int, false, 0);
        const w = c.fetch();
        c.brState = 0;
        this.handlerFor(w)(c, w);
        c.icount++;
        advance(c);
      } catch (err) {
        if (err !== GUEST_EXCEPTION) throw err;
      }
    }
    return c.icount - start;
  }

  /**
   * Runs one block's worth of instructions (for the translator's dispatcher, on cold
   * code): as run(1) repeatedly, but stops after a branch's delay slot, an annulled
   * likely branch or eret, at a page boundary, when an event is due, on an exception,
   * WAIT or a stop, or after `max` instructions. Returns the instructions attempted.
   * (A loop generated once, with the commonest ops inline: INLINE_OPS.)
   */
  runBlock(max: number): number {
    return (blockRunner ??= compileBlockRunner())(this, max);
  }
}

/** Moves PC past the instruction just executed, through delay slots. */
export function advance(c: Cpu): void {
  if (c.inDelay) {
    c.pcLo = c.dsLo; c.pcHi = c.dsHi; c.inDelay = false;
    if (c.brState === 3) { c.pcLo = c.brLo; c.pcHi = c.brHi; }
    return;
  }
  switch (c.brState) {
    case 0: {
      const l = c.pcLo;
      c.pcLo = (l + 4) | 0;
      if (l === -4) c.pcHi = (c.pcHi + 1) | 0;
      return;
    }
    case 1: {
      c.dsLo = c.brLo; c.dsHi = c.brHi; c.inDelay = true;
      const l = c.pcLo;
      c.pcLo = (l + 4) | 0;
      if (l === -4) c.pcHi = (c.pcHi + 1) | 0;
      return;
    }
    case 2: {
      const l = c.pcLo;
      c.pcLo = (l + 8) | 0;
      if ((l >>> 0) + 8 > 4294967295) c.pcHi = (c.pcHi + 1) | 0;
      return;
    }
    default:
      c.pcLo = c.brLo; c.pcHi = c.brHi;
  }
}
