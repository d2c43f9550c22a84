// The reference execution engine: fetch, decode through the instruction table, run the
// op's handler — JavaScript generated from the op's semantics in the instruction IR
// (isa/semantics, cpu/ir-js.ts) — and advance PC through delay slots. Interrupts are taken
// between instructions (not inside a delay slot), timed events when the virtual clock
// reaches them, and WAIT skips virtual time forward. Guest exceptions are taken without
// unwinding (Cpu.trapped): the instruction ends and is not counted.

import type { PcBreakpoints } from '../debug/breakpoints';
import { F, InsnSpec, RESERVED } from '../isa/table';
import { build, opNumber } from '../isa/semantics';
import type { SemTarget } from '../isa/ir';
import { Cpu, GUEST_EXCEPTION } from './cpu';
import { Exc } from '../isa/cp0-defs';
import { cpuHelpers, HelperImpl } from './helpers';
import type { HelperName } from '../isa/helpers';
import { handlerSource } from './ir-js';
import { IR_RUNTIME } from './ir-runtime';

export type Handler = (c: Cpu, w: number) => void;

/**
 * Ops the block runner (runBlock, the translator's cold path) runs inline instead of calling
 * their handlers: the commonest in the Linux boot's cold code (a handler call through the one
 * call site every op shares cost ~12 % of that path). A choice of speed, not of semantics: the
 * cases are the same generated code as the handlers.
 */
export const INLINE_OPS = [
  'sll', 'srl', 'sra', 'addu', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'daddu', 'dsubu', 'movz', 'movn',
  'dsll', 'dsrl', 'dsra', 'dsll32', 'dsrl32', 'dsra32', 'addiu', 'daddiu', 'slti', 'sltiu', 'andi', 'ori', 'xori', 'lui',
  'beq', 'bne', 'blez', 'bgtz', 'bltz', 'bgez', 'beql', 'bnel', 'j', 'jal', 'jr', 'jalr',
  'lb', 'lbu', 'lh', 'lhu', 'lw', 'lwu', 'ld', 'sb', 'sh', 'sw', 'sd',
];


type BlockRunner = (self: Interpreter, max: number) => number;

/** Entries of the decoded-word cache (a power of two). */
const DC_BITS = 16;
const DC_SIZE = 1 << DC_BITS;

/**
 * The generated code of one CPU (semantics depend on its byte order and FPU): handlers per op,
 * compiled on first use, and the block runner. Owned by the Interpreter (no module-level cache).
 */
class Generated {
  private readonly handlers = new Map<string, Handler>();
  readonly helpers = cpuHelpers();
  private runner: BlockRunner | undefined;

  constructor(readonly target: SemTarget) {}

  /** The handler body of op (r, H, X in scope), leaving the instruction with `exit`. */
  body(op: string, exit: string): string {
    return handlerSource(build(op, { target: this.target }).body, exit);
  }

  handler(op: string): Handler {
    let h = this.handlers.get(op);
    if (h === undefined) {
      const src = `"use strict";\nreturn function op_${op.replace(/\W/g, '_')}(c, w) {\n  const r = c.r;\n${this.body(op, 'return;')}\n};`;
      h = new Function('H', 'X', src)(this.helpers, IR_RUNTIME) as Handler;
      this.handlers.set(op, h);
    }
    return h;
  }

  /** runBlock's loop with INLINE_OPS as cases of a switch on the op's number (1 + its index; 0: call the handler). */
  blockRunner(): BlockRunner {
    if (this.runner) return this.runner;
    const cases = INLINE_OPS.map((op, k) => `case ${opNumber(op)}: op${k}: {\n${this.body(op, `break op${k};`)}\n} break;`).join('\n');
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
      if (c.irqPending && !c.inDelay) { c.trap(EXC_INT, false, 0); c.trapped = false; return n; }
      const w = c.fetchWord();
      if (c.trapped) { c.trapped = false; return n; }
      c.brState = 0;
      const i = Math.imul(w, 0x9e3779b1) >>> SHIFT;
      if (dcWord[i] !== w) self.handlerFor(w);
      const r = c.r;
      switch (dcOp[i]) {
${cases}
        default: dcHandler[i](c, w);
      }
      if (c.trapped) { c.trapped = false; return n; }
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
    this.runner = new Function('advance', 'GUEST_EXCEPTION', 'EXC_INT', 'SHIFT', 'H', 'X', src)(
      advance, GUEST_EXCEPTION, Exc.Int, 32 - DC_BITS, this.helpers, IR_RUNTIME) as BlockRunner;
    return this.runner;
  }
}

export class Interpreter {
  private readonly gen: Generated;
  /** Handler per table entry id (aliases resolve to their canonical entry). */
  private readonly handlers: Handler[] = [];
  /**
   * Decoded-word cache, direct-mapped by a hash of the instruction word: the word and its
   * handler (decoding walks the table's candidate lists, the largest cost of running
   * cold code). Decoding depends on the word alone, so entries never go stale.
   */
  private readonly dcWord: Int32Array;
  private readonly dcHandler: Handler[];
  /** The cached word's op number (isa/semantics opNumber): the block runner's case, the cold-code runner's too. */
  private readonly dcOp: Int32Array;
  /** Op number per table entry id. */
  private readonly opCase: number[] = [];
  /** Instruction breakpoints, checked before each instruction run() executes; undefined when there are none. */
  breakpoints: PcBreakpoints | undefined = undefined;

  constructor(private readonly cpu: Cpu) {
    this.gen = new Generated({ big: cpu.big, fpu: cpu.fpu !== undefined, synciStep: cpu.model.synciStep, ccRes: cpu.model.ccRes, unalignedFixup: cpu.model.octeon !== undefined });
    // (In the bus's core area, where the WebAssembly block runner reads them too.)
    this.dcWord = new Int32Array(cpu.bus.buffer, cpu.bus.allocCore(DC_SIZE * 4), DC_SIZE);
    this.dcOp = new Int32Array(cpu.bus.buffer, cpu.bus.allocCore(DC_SIZE * 4), DC_SIZE);
    for (const e of cpu.decoder.entries) {
      const c = e.canonical;
      this.opCase[e.id] = opNumber((c.flags & F.RESERVED) ? 'reserved' : c.op);
    }
    this.opCase[RESERVED.id] = opNumber('reserved');
    const w0 = cpu.decoder.decode(0);
    this.dcHandler = new Array<Handler>(DC_SIZE).fill(this.handlerOf(w0));
    // (Every entry starts as word 0, which the zero-filled dcWord already says.)
    this.dcOp.fill(this.opCase[w0.id] ?? 0);
  }

  /** The handler of a table entry (compiled on first use). */
  private handlerOf(e: InsnSpec): Handler {
    let h = this.handlers[e.id];
    if (h === undefined) {
      const c = e.canonical;
      h = this.handlers[e.id] = this.gen.handler((c.flags & F.RESERVED) ? 'reserved' : c.op);
    }
    return h;
  }

  /** The CPU helpers the generated code calls (translated code calls the same). */
  get helpers(): Record<HelperName, HelperImpl> { return this.gen.helpers; }

  /** What the semantics depend on of this CPU. */
  get target(): SemTarget { return this.gen.target; }

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
    const e = this.cpu.decoder.decode(w);
    const h = this.handlerOf(e);
    this.dcWord[i] = w;
    this.dcHandler[i] = h;
    this.dcOp[i] = this.opCase[e.id] ?? 0;
    return h;
  }

  /** Executes exactly one instruction (or takes one exception/interrupt). */
  step(): void {
    const c = this.cpu;
    try {
      if (c.irqPending && !c.inDelay) { c.trap(Exc.Int, false, 0); c.trapped = false; return; }
      const w = c.fetchWord();
      if (c.trapped) { c.trapped = false; return; }
      c.brState = 0;
      this.handlerFor(w)(c, w);
      if (c.trapped) { c.trapped = false; return; }
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
        if (c.irqPending && !c.inDelay) { c.trap(Exc.Int, false, 0); c.trapped = false; continue; }
        const w = c.fetchWord();
        if (c.trapped) { c.trapped = false; continue; }
        c.brState = 0;
        this.handlerFor(w)(c, w);
        if (c.trapped) { c.trapped = false; continue; }
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
    return this.gen.blockRunner()(this, max);
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
