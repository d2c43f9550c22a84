// Random program generator for the differential fuzzer (interpreter vs translator).
//
// It writes assembly text for the project's assembler: a bare-metal program for the demo
// board with an exception handler at EBase, a prologue that sets up Status, the TLB,
// the timer and random 64-bit register values, and a body of randomly chosen "chunks"
// (straight-line code, forward branches of every kind with delay slots, counted loops,
// calls through kseg0/kseg1/xkphys/TLB aliases of the same code, computed jumps, fetch
// faults, user-mode excursions, TLB and ASID changes, self-modifying code, device
// accesses, timer and Count games) executed several times by an outer loop so that the
// translator really runs its blocks. Every program terminates: loops are counted, all
// other branches go forward, the handler resumes after the faulting instruction and
// the run has an instruction budget anyway.
//
// Register conventions of generated code:
//   $1–$15, $20–$24   data registers (random values, written by random instructions)
//   $16–$19           base registers (data area via kseg0, kuseg TLB, xuseg TLB, an alias)
//   $25               code addresses for computed jumps   $26/$27  the exception handler
//   $28               resume address after a faulting instruction fetch
//   $29               inner loop counter    $30  outer loop counter    $31  return address

import { decoderFor } from '../../src/emulator/isa/decoder';
import { F } from '../../src/emulator/isa/table';

/** xorshift32 (Marsaglia), seeded. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x9e3779b9;
    for (let i = 0; i < 8; i++) this.u32();
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Integer in [0, n). */
  int(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }
  /** Integer in [a, b]. */
  range(a: number, b: number): number { return a + this.int(b - a + 1); }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
  u64(): bigint { return (BigInt(this.u32()) << 32n) | BigInt(this.u32()); }
  /** Picks a key of `w` with probability proportional to its weight. */
  weighted<K extends string>(w: Readonly<Record<K, number>>): K {
    const keys = Object.keys(w) as K[];
    let total = 0;
    for (const k of keys) total += w[k];
    let x = this.int(total);
    for (const k of keys) { x -= w[k]; if (x < 0) return k; }
    return keys[keys.length - 1];
  }
}

/** Mixes a master seed and an index into a program seed. */
export function programSeed(master: number, index: number): number {
  let h = (master ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

// ---- memory layout (physical; code and data reached through kseg0 0xffffffff80000000) ----

export const ORIGIN = 0xffffffff80000000n;
/** Exception log: header (count) at +0, 32-byte records (Cause, EPC, BadVAddr, Status) at +0x100. */
export const LOG_PHYS = 0x80000;
export const LOG_SIZE = 0x8200;
/** Data area the random loads and stores use (random initial contents). */
export const DATA_PHYS = 0x100000;
export const DATA_SIZE = 0x8000;
/** Code must stay below this (the TLB code alias maps physical 0 … 128 KiB). */
export const CODE_LIMIT = 0x20000;
export const RAM_MIB = 2;
export const MAX_EXCEPTIONS = 30000;

const CODE_ALIAS_VA = 0x800000; // kuseg alias of physical 0 (TLB, 64 KiB pages)

const DATA = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24];
const BASES = [16, 17, 18, 19];

interface BaseWindow { lo: number; hi: number }
const WINDOWS: Record<number, BaseWindow> = {
  16: { lo: -0x4000, hi: 0x3fff },  // kseg0 0xffffffff80104000: the whole data area
  17: { lo: -0x4000, hi: 0x7fff },  // kuseg 0x00404000: TLB pages of every kind
  18: { lo: -0x2000, hi: 0x1fff },  // xuseg 0x0000020000002000: mapped pair, then refill
  19: { lo: -0x1000, hi: 0x2fff },  // an alias (kseg1, xkphys, xkseg, kseg3), rebased at run time
};
const R19_ALIASES = ['0xffffffffa0104000', '0x9000000000104000', '0x9800000000101000', '0xc000000000001000', '0xffffffffe0001000', '0x0000000000401000'];

/** TLB entries written by the prologue (indexes 0..7; Wired = 8). */
interface TlbInit { mask: number; hi: bigint; lo0: number; lo1: number }
const lo = (pa: number, flags: string): number =>
  ((pa >>> 12) << 6) | (3 << 3) | (flags.includes('D') ? 4 : 0) | (flags.includes('V') ? 2 : 0) | (flags.includes('G') ? 1 : 0);
const TLB_INIT: TlbInit[] = [
  { mask: 0, hi: 0x400000n, lo0: lo(0x100000, 'VDG'), lo1: lo(0x101000, 'VDG') },
  { mask: 0, hi: 0x402000n, lo0: lo(0x102000, 'VG'), lo1: lo(0x103000, 'DG') },           // read-only, invalid
  { mask: 0, hi: 0x406000n | 5n, lo0: lo(0x104000, 'VD'), lo1: lo(0x105000, 'VD') },      // ASID 5 only
  { mask: 0x6000, hi: 0x408000n, lo0: lo(0x104000, 'VDG'), lo1: lo(0, 'G') },              // 16 KiB pages
  { mask: 0, hi: 0x20000000000n, lo0: lo(0x106000, 'VDG'), lo1: lo(0x107000, 'VG') },      // xuseg
  { mask: 0x1e000, hi: BigInt(CODE_ALIAS_VA), lo0: lo(0, 'VDG'), lo1: lo(0x10000, 'VG') }, // code alias, 64 KiB
  { mask: 0, hi: 0xc000000000000000n, lo0: lo(0x100000, 'VDG'), lo1: lo(0x101000, 'VDG') }, // xkseg
  { mask: 0, hi: 0xffffffffe0000000n, lo0: lo(0x102000, 'VDG'), lo1: lo(0x103000, 'VDG') }, // kseg3
];

export interface FuzzConfig {
  /** Outer loop iterations of the body. */
  iterations: number;
  /** Timer interrupts enabled (Status.IE and IM7), with this Compare step; 0 = off. */
  timerDelta: number;
  /** Translation threshold (JitEngine.hot: heat, ~instructions run) for the JIT machine; 0 translates at the first run. */
  hot: number;
  /** Instruction budget of the run. */
  budget: number;
  /** Big-endian machine. */
  bigEndian: boolean;
}

export interface FuzzProgram {
  seed: number;
  source: string;
  config: FuzzConfig;
  /** Initial contents of the data area (same for both machines). */
  data: Uint8Array;
}

// Words that decode to no 5KEc instruction (reserved instruction exception) or to
// coprocessor instructions of an absent unit (coprocessor unusable).
let riWords: number[] | undefined;
function reservedWords(): number[] {
  if (riWords) return riWords;
  const dec = decoderFor('5KEc');
  const out: number[] = [];
  const rng = new Rng(12345);
  const prefixes = [0x1c, 0x1d, 0x1e, 0x1f, 0x1b, 0x3b, 0x3b, 0x33, 0x13, 0x12, 0x00, 0x01, 0x10];
  for (let i = 0; i < 20000 && out.length < 64; i++) {
    const w = ((rng.pick(prefixes) << 26) | (rng.u32() & 0x03ffffff)) >>> 0;
    const e = dec.decode(w).canonical;
    if (e.flags & F.RESERVED) out.push(w);
  }
  riWords = out;
  return out;
}
const CPU_WORDS = [0x44000000, 0x44a00800, 0xc6000008, 0x46020800, 0x48000000, 0x4c000000, 0xd6000000, 0x45000002];

const hex = (v: number | bigint): string => (typeof v === 'bigint' ? (v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16)) : (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16)));

class Gen {
  readonly out: string[] = [];
  private label = 0;
  private readonly subs: string[][] = [];
  private readonly smcSlots: string[] = [];
  private nSubs = 0;
  private smcSlotCount = 0;

  constructor(private readonly r: Rng, private readonly cfg: FuzzConfig, private readonly focus?: string) {}

  emit(s: string): void { this.out.push('\t' + s); }
  lab(): string { return `L${this.label++}`; }
  place(l: string): void { this.out.push(`${l}:`); }

  // ---- operands ----------------------------------------------------------------------
  dst(): string { return '$' + (this.r.chance(0.02) ? 0 : this.r.pick(DATA)); }
  src(): string {
    const x = this.r.int(100);
    if (x < 6) return '$0';
    if (x < 10) return '$' + this.r.pick(BASES);
    if (x < 12) return '$' + this.r.pick([29, 30]);
    return '$' + this.r.pick(DATA);
  }
  simm(): number {
    const x = this.r.int(10);
    if (x < 4) return this.r.range(-16, 16);
    if (x < 6) return this.r.pick([-32768, 32767, -1, 1, 0x7fff, -0x8000, 0x4000]);
    return this.r.range(-32768, 32767);
  }
  uimm(): number {
    const x = this.r.int(10);
    if (x < 3) return this.r.range(0, 16);
    if (x < 5) return this.r.pick([0xffff, 0x8000, 0x7fff, 0xff00]);
    return this.r.range(0, 0xffff);
  }

  /** "off(base)" for an access of `size` bytes. */
  mem(size: number): string {
    const r = this.r;
    if (r.chance(0.08)) {
      // a data register as the base: usually an address error or a TLB refill
      return `${r.range(-64, 64) & ~(size - 1)}($${r.pick(DATA)})`;
    }
    const b = r.pick(BASES);
    const w = WINDOWS[b];
    let off: number;
    if (r.chance(0.35)) {
      // next to a page boundary
      const pages: number[] = [];
      for (let p = Math.ceil(w.lo / 0x1000) * 0x1000; p <= w.hi; p += 0x1000) pages.push(p);
      off = r.pick(pages) + r.range(-16, 15);
    } else off = r.range(w.lo, w.hi);
    if (!r.chance(0.04)) off &= ~(size - 1);
    off = Math.max(-32768, Math.min(32767, off));
    return `${off}($${b})`;
  }

  // ---- single instructions (safe in a delay slot) ------------------------------------
  simple(ctx: { ds?: boolean } = {}): void {
    const r = this.r;
    const kind = r.weighted({
      alu: 22, shift: 12, imm: 14, hilo: 9, bits: 7, load: 12, store: 8, unal: 4, trap: 3, sys: 1.5, cp0r: 3, cp0w: 1.5,
      misc: 2, llsc: 1.5, rdhwr: 0.7,
    });
    switch (kind) {
      case 'alu': {
        const op = r.pick(['addu', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'daddu', 'dsubu', 'movz', 'movn', 'mul',
          'add', 'sub', 'dadd', 'dsub']);
        const s = this.src();
        this.emit(`${op}\t${this.dst()}, ${s}, ${r.chance(0.1) ? s : this.src()}`);
        return;
      }
      case 'shift': {
        if (r.chance(0.6)) {
          const op = r.pick(['sll', 'srl', 'sra', 'rotr', 'dsll', 'dsll32', 'dsrl', 'dsrl32', 'dsra', 'dsra32', 'drotr', 'drotr32']);
          this.emit(`${op}\t${this.dst()}, ${this.src()}, ${r.int(32)}`);
        } else {
          const op = r.pick(['sllv', 'srlv', 'srav', 'rotrv', 'dsllv', 'dsrlv', 'dsrav', 'drotrv']);
          this.emit(`${op}\t${this.dst()}, ${this.src()}, ${this.src()}`);
        }
        return;
      }
      case 'imm': {
        const op = r.pick(['addiu', 'daddiu', 'slti', 'sltiu', 'addi', 'daddi', 'andi', 'ori', 'xori', 'lui']);
        if (op === 'lui') this.emit(`lui\t${this.dst()}, ${hex(this.uimm())}`);
        else if (op === 'andi' || op === 'ori' || op === 'xori') this.emit(`${op}\t${this.dst()}, ${this.src()}, ${hex(this.uimm())}`);
        else this.emit(`${op}\t${this.dst()}, ${this.src()}, ${this.simm()}`);
        return;
      }
      case 'hilo': {
        const op = r.pick(['mfhi', 'mflo', 'mthi', 'mtlo', 'mult', 'multu', 'dmult', 'dmultu', 'madd', 'maddu', 'msub', 'msubu',
          'div', 'divu', 'ddiv', 'ddivu', 'mfhi', 'mflo']);
        if (op === 'mfhi' || op === 'mflo') this.emit(`${op}\t${this.dst()}`);
        else if (op === 'mthi' || op === 'mtlo') this.emit(`${op}\t${this.src()}`);
        else if (op.includes('div')) this.emit(`${op}\t$0, ${this.src()}, ${r.chance(0.1) ? '$0' : this.src()}`);
        else this.emit(`${op}\t${this.src()}, ${this.src()}`);
        return;
      }
      case 'bits': {
        const op = r.pick(['clz', 'clo', 'dclz', 'dclo', 'ext', 'ins', 'dext', 'dextm', 'dextu', 'dins', 'dinsm', 'dinsu',
          'wsbh', 'seb', 'seh', 'dsbh', 'dshd']);
        const d = this.dst(), s = this.src();
        switch (op) {
          case 'ext': case 'ins': case 'dins': { const pos = r.int(32); this.emit(`${op}\t${d}, ${s}, ${pos}, ${r.range(1, 32 - pos)}`); return; }
          case 'dext': { const pos = r.int(32); this.emit(`${op}\t${d}, ${s}, ${pos}, ${r.range(1, 32)}`); return; }
          case 'dextm': { const pos = r.int(32); this.emit(`${op}\t${d}, ${s}, ${pos}, ${r.range(33, 64 - pos)}`); return; }
          case 'dextu': case 'dinsu': { const pos = r.range(32, 63); this.emit(`${op}\t${d}, ${s}, ${pos}, ${r.range(1, 64 - pos)}`); return; }
          case 'dinsm': { const pos = r.int(32); this.emit(`${op}\t${d}, ${s}, ${pos}, ${r.range(Math.max(2, 33 - pos), 64 - pos)}`); return; }
          case 'clz': case 'clo': case 'dclz': case 'dclo': this.emit(`${op}\t${d}, ${s}`); return;
          default: this.emit(`${op}\t${d}, ${s}`);
        }
        return;
      }
      case 'load': {
        const [op, size] = r.pick([['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4], ['lwu', 4], ['ld', 8], ['ld', 8], ['lw', 4]] as const);
        this.emit(`${op}\t${this.dst()}, ${this.mem(size)}`);
        return;
      }
      case 'store': {
        const [op, size] = r.pick([['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8], ['sd', 8], ['sw', 4]] as const);
        this.emit(`${op}\t${this.src()}, ${this.mem(size)}`);
        return;
      }
      case 'unal': {
        const [op, size] = r.pick([['lwl', 4], ['lwr', 4], ['ldl', 8], ['ldr', 8], ['swl', 4], ['swr', 4], ['sdl', 8], ['sdr', 8]] as const);
        const m = this.mem(1);
        this.emit(`${op}\t${op.startsWith('s') ? this.src() : this.dst()}, ${m}`);
        void size;
        return;
      }
      case 'trap': {
        const op = r.pick(['tge', 'tgeu', 'tlt', 'tltu', 'teq', 'tne', 'tgei', 'tgeiu', 'tlti', 'tltiu', 'teqi', 'tnei']);
        const s = this.src();
        if (['tgei', 'tgeiu', 'tlti', 'tltiu', 'teqi', 'tnei'].includes(op)) this.emit(`${op}\t${s}, ${this.simm()}`);
        else this.emit(`${op}\t${s}, ${r.chance(0.3) ? s : this.src()}${r.chance(0.2) ? ', ' + r.int(1024) : ''}`);
        return;
      }
      case 'sys': {
        const x = r.int(6);
        if (x === 0) this.emit(`syscall\t${r.int(1 << 20)}`);
        else if (x === 1) this.emit(`break\t${r.int(1024)}`);
        else if (x === 2) this.emit('sdbbp');
        else if (x === 3) this.emit(`.word\t${hex(r.pick(CPU_WORDS))}`);
        else this.emit(`.word\t${hex(r.pick(reservedWords()))}`);
        return;
      }
      case 'cp0r': {
        const [reg, sel] = r.pick([[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0], [7, 0], [8, 0], [9, 0], [9, 0], [10, 0],
          [11, 0], [12, 0], [13, 0], [14, 0], [15, 0], [15, 1], [16, 0], [16, 1], [16, 2], [16, 3], [17, 0], [20, 0], [28, 0],
          [30, 0], [31, 0], [12, 1], [12, 2], [25, 0]] as const);
        this.emit(`${r.chance(0.5) ? 'dmfc0' : 'mfc0'}\t${this.dst()}, $${reg}${sel ? ', ' + sel : ''}`);
        return;
      }
      case 'cp0w': {
        // (Count and Compare are written by timer chunks, with values that keep the timer firing.)
        const [reg, sel] = r.pick([[2, 0], [3, 0], [4, 0], [0, 0], [13, 0], [28, 0], [29, 0], [31, 0], [20, 0],
          [26, 0], [10, 0], [14, 0], [12, 1], [17, 0]] as const);
        if (reg === 14 && ctx.ds) { this.emit('ehb'); return; }
        this.emit(`${r.chance(0.5) ? 'dmtc0' : 'mtc0'}\t${this.src()}, $${reg}${sel ? ', ' + sel : ''}`);
        return;
      }
      case 'misc': {
        const x = r.int(7);
        if (x === 0) this.emit('sync');
        else if (x === 1) this.emit(`pref\t${r.int(32)}, ${this.mem(1)}`);
        else if (x === 2) this.emit(`synci\t${this.mem(1)}`);
        else if (x === 3) this.emit(`cache\t${r.pick([0, 1, 5, 9, 0x15, 0x19])}, ${this.mem(1)}`);
        else if (x === 4) this.emit('ehb');
        else if (x === 5) this.emit('ssnop');
        else this.emit('nop');
        return;
      }
      case 'llsc': {
        const op = r.pick(['ll', 'lld', 'sc', 'scd']);
        const m = this.mem(op.endsWith('d') ? 8 : 4);
        this.emit(`${op}\t${op.startsWith('s') ? '$' + r.pick(DATA) : this.dst()}, ${m}`);
        return;
      }
      case 'rdhwr':
        this.emit(`rdhwr\t${this.dst()}, $${r.pick([0, 1, 2, 2, 3, 4, 29])}`);
        return;
    }
  }

  straight(n: number): void { for (let i = 0; i < n; i++) this.simple(); }

  // ---- control flow chunks -------------------------------------------------------------
  condBranch(target: string, opts: { link?: boolean } = {}): void {
    const r = this.r;
    const likely = r.chance(0.3);
    const two = ['beq', 'bne'];
    const one = ['blez', 'bgtz', 'bltz', 'bgez'];
    const links = ['bltzal', 'bgezal'];
    let op: string;
    const x = r.int(10);
    if (opts.link !== false && x === 0) op = r.pick(links);
    else if (x < 5) op = r.pick(two);
    else op = r.pick(one);
    if (likely) op += 'l';
    if (op === 'bltzall' || op === 'bgezall') { /* fine */ }
    const s = r.chance(0.1) ? '$0' : this.src();
    if (op.startsWith('beq') || op.startsWith('bne')) this.emit(`${op}\t${s}, ${r.chance(0.15) ? s : this.src()}, ${target}`);
    else this.emit(`${op}\t${s}, ${target}`);
    this.simple({ ds: true });
  }

  /** Forward branch over a few instructions (possibly nested). */
  fwdBranch(depth: number, inSub: boolean): void {
    const l = this.lab();
    this.condBranch(l, { link: !inSub });
    const n = this.r.range(0, 6);
    for (let i = 0; i < n; i++) {
      if (depth < 2 && this.r.chance(0.15)) this.fwdBranch(depth + 1, inSub);
      else this.simple();
    }
    this.place(l);
  }

  loop(): void {
    const r = this.r;
    const l = this.lab();
    const n = r.range(1, 10);
    this.emit(`li\t$29, ${n}`);
    this.place(l);
    const body = r.range(1, 12);
    for (let i = 0; i < body; i++) {
      if (r.chance(0.2)) this.fwdBranch(1, false);
      else if (r.chance(0.05)) this.memPair();
      else this.simple();
    }
    switch (r.int(5)) {
      case 0: this.emit('addiu\t$29, $29, -1'); this.emit(`bnez\t$29, ${l}`); this.simple({ ds: true }); break;
      case 1: this.emit(`bne\t$29, $0, ${l}`); this.emit('addiu\t$29, $29, -1'); break;
      case 2: this.emit('addiu\t$29, $29, -1'); this.emit(`bnezl\t$29, ${l}`); this.simple({ ds: true }); break;
      case 3: this.emit('addiu\t$29, $29, -1'); this.emit(`bgtzl\t$29, ${l}`); this.simple({ ds: true }); break;
      default: this.emit(`bgtz\t$29, ${l}`); this.emit('addiu\t$29, $29, -1');
    }
  }

  /** An ALU instruction, or often a load or store through a base register: never ends a block. */
  pure(avoid = -1): void {
    const r = this.r;
    let d = this.dst();
    while (d === `$${avoid}`) d = this.dst();
    const x = r.int(10);
    // (kseg0 data: these never fault)
    const m = (size: number): string => `${r.range(WINDOWS[16].lo, WINDOWS[16].hi) & ~(size - 1)}($16)`;
    if (x < 2) {
      const [op, size] = r.pick([['lw', 4], ['ld', 8], ['lbu', 1], ['lh', 2]] as const);
      this.emit(`${op}\t${d}, ${m(size)}`);
    } else if (x < 3) {
      const [op, size] = r.pick([['sw', 4], ['sd', 8], ['sb', 1]] as const);
      this.emit(`${op}\t${this.src()}, ${m(size)}`);
    } else {
      const op = r.pick(['addu', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'daddu', 'dsubu', 'movz', 'movn', 'dsllv', 'mul']);
      this.emit(`${op}\t${d}, ${this.src()}, ${this.src()}`);
    }
  }

  /**
   * A hot counted loop whose body is one block, often a maximal one (63 instructions,
   * then the branch and its delay slot). The delay slot may change the interrupt
   * enable, re-arm the timer or rebase Count, so that a translation looping inside
   * itself must notice.
   */
  bigLoop(): void {
    const r = this.r;
    const l = this.lab();
    const t = r.pick(DATA);
    const ds = r.chance(0.1) ? 6 : this.cfg.timerDelta ? r.int(6) : r.int(4);
    const after = this.lab();
    if (ds === 1 || ds === 2) {
      this.emit(`mfc0\t$${t}, $9`);
      this.emit(`addiu\t$${t}, $${t}, ${r.range(5, 400)}`);
    } else if (ds === 6) {
      // the delay slot switches to user mode: the next fetch (kseg0) faults, and the
      // handler resumes at $28 in kernel mode
      this.emit(`dla\t$28, ${after}`);
      this.emit(`mfc0\t$${t}, $12`);
    }
    this.emit(`li\t$29, ${r.range(3, 40)}`);
    this.place(l);
    const move = (ds === 1 || ds === 2) && r.chance(0.7);
    // 61 + 3: exactly one maximal block; one more: the branch starts the next block.
    const n = (r.chance(0.6) ? r.pick([61, 61, 62]) : r.range(1, 20)) - (move ? 1 : ds === 6 ? 3 : 0);
    const at = r.int(n + 1);
    for (let i = 0; i <= n; i++) {
      // Compare moving down towards Count (or Count up towards Compare): the timer matches inside the loop.
      if (i === at && move) this.emit(`addiu\t$${t}, $${t}, ${ds === 1 ? -r.range(1, 9) : r.range(1, 9)}`);
      if (i === at && ds === 6) {
        // user mode (KSU = 2) only in the last iterations
        this.emit(`sltiu\t$25, $29, ${r.range(1, 6)}`);
        this.emit('sll\t$25, $25, 4');
        this.emit(`or\t$25, $25, $${t}`);
      }
      if (i < n) this.pure(t);
    }
    this.emit('addiu\t$29, $29, -1');
    this.emit(`bnez\t$29, ${l}`);
    switch (ds) {
      case 0: this.pure(t); break;
      case 1: this.emit(`mtc0\t$${t}, $11`); break;
      case 2: this.emit(`mtc0\t$${t}, $9`); break;
      case 3: this.simple({ ds: true }); break;
      case 4: this.emit('ei'); break;
      case 5: this.emit('di'); break;
      default: this.emit('mtc0\t$25, $12');
    }
    this.place(after);
  }

  /** A loop-free subroutine; returns its label. */
  subroutine(): string {
    const name = `sub${this.nSubs++}`;
    const saved = this.out.length;
    this.place(name);
    const n = this.r.range(1, 12);
    for (let i = 0; i < n; i++) {
      if (this.r.chance(0.15)) this.fwdBranch(1, true);
      else this.simple();
    }
    this.emit(`${this.r.chance(0.2) ? 'jr.hb' : 'jr'}\t$31`);
    this.simple({ ds: true });
    // A fault in the return's delay slot resumes after it: return again.
    this.emit('jr\t$31');
    this.emit('nop');
    this.subs.push(this.out.splice(saved));
    return name;
  }

  /** Address expression of `label` through an alias of the code. */
  alias(label: string, kind: 'kseg0' | 'kseg1' | 'xkphys' | 'useg'): string {
    switch (kind) {
      case 'kseg0': return label;
      case 'kseg1': return `${label} + 0x20000000`;
      case 'xkphys': return `${label} + 0x9000000080000000`;
      case 'useg': return `${label} - 0xffffffff7f800000`;
    }
  }

  call(): void {
    const r = this.r;
    const sub = this.nSubs > 0 && r.chance(0.6) ? `sub${r.int(this.nSubs)}` : this.subroutine();
    const x = r.int(8);
    if (x <= 1) { this.emit(`jal\t${sub}`); this.simple({ ds: true }); return; }
    if (x === 2) {
      const op = r.pick(['bal', 'bgezal', 'bltzal', 'bgezall', 'bltzall']);
      this.emit(op === 'bal' ? `bal\t${sub}` : `${op}\t${this.src()}, ${sub}`);
      this.simple({ ds: true });
      return;
    }
    const kind = r.pick(['kseg0', 'kseg1', 'xkphys', 'useg', 'kseg1', 'useg'] as const);
    // If the alias cannot be fetched (TLB entry made invalid, KX clear), resume after the call.
    const ret = this.lab();
    this.emit(`dla\t$28, ${ret}`);
    this.emit(`dla\t$25, ${this.alias(sub, kind)}`);
    this.emit(`${r.chance(0.2) ? 'jalr.hb' : 'jalr'}\t$25`);
    this.simple({ ds: true });
    this.place(ret);
  }

  /** Computed forward jump (jr / jalr rd / j / eret), possibly through an alias. */
  jump(): void {
    const r = this.r;
    const l = this.lab();
    const x = r.int(5);
    if (x === 0) {
      this.emit(`j\t${l}`);
      this.simple({ ds: true });
    } else if (x === 1) {
      // eret as a jump: EPC = target (EXL is clear, so eret clears nothing else but LLbit)
      this.emit(`dla\t$25, ${this.alias(l, r.pick(['kseg0', 'kseg1', 'xkphys'] as const))}`);
      this.emit('dmtc0\t$25, $14');
      this.emit('eret');
    } else {
      this.emit(`dla\t$28, ${l}`);   // resume point if the alias cannot be fetched
      this.emit(`dla\t$25, ${this.alias(l, r.pick(['kseg0', 'kseg1', 'xkphys', 'useg'] as const))}`);
      if (x === 2) this.emit(`jr\t$25`);
      else this.emit(`jalr\t$${r.pick([31, 28, 25])}, $25`);
      this.simple({ ds: true });
    }
    const n = r.range(0, 3);
    for (let i = 0; i < n; i++) this.simple();
    this.place(l);
    // Return to kseg0 addresses (we may be running at an alias now).
    if (x !== 0) this.backToKseg0();
  }

  backToKseg0(): void {
    const l = this.lab();
    this.emit(`dla\t$25, ${l}`);
    this.emit('jr\t$25');
    this.emit('nop');
    this.place(l);
  }

  /** Jump to an address whose fetch faults; the handler resumes at $28 (the link). */
  fetchFault(): void {
    const r = this.r;
    const l = this.lab();
    const bad = r.pick([`${l} + 2`, '0x420000', '0xffffffffbfc00000', '0xc000000000100000', '0x4000000000000000', '0x421000',
      `${l} + 0x20000001`, '0x0000020000003000']);
    this.emit(`dla\t$25, ${bad}`);
    if (r.chance(0.2)) {
      // eret to the bad address
      this.emit(`dla\t$28, ${l}`);
      this.emit('dmtc0\t$25, $14');
      this.emit('eret');
    } else {
      this.emit('jalr\t$28, $25');
      this.simple({ ds: true });
    }
    this.place(l);
    this.emit('nop');
  }

  /** A stretch of user-mode code reached by eret through the kuseg alias; any exception returns to kernel mode. */
  userMode(): void {
    const r = this.r;
    const l = this.lab();
    const d = '$' + r.pick(DATA);
    this.emit(`dla\t$25, ${this.alias(l, 'useg')}`);
    this.emit('dmtc0\t$25, $14');
    this.emit(`mfc0\t${d}, $12`);
    this.emit(`ori\t${d}, ${d}, ${r.pick(['0x12', '0x12', '0x0a'])}`);   // KSU = user or supervisor, EXL
    this.emit(`mtc0\t${d}, $12`);
    this.emit('eret');
    this.place(l);
    const n = r.range(1, 12);
    for (let i = 0; i < n; i++) {
      if (r.chance(0.15)) this.fwdBranch(1, true);
      else this.simple();
    }
    this.emit('syscall');
    this.backToKseg0();
  }

  /** An unaligned load/store pair, often across a page boundary. */
  memPair(): void {
    const r = this.r;
    const b = r.pick(BASES);
    const w = WINDOWS[b];
    const pages: number[] = [];
    for (let p = Math.ceil(w.lo / 0x1000) * 0x1000 + 0x1000; p <= w.hi; p += 0x1000) pages.push(p);
    const size = r.pick([4, 8]);
    const off = r.chance(0.7) ? r.pick(pages) - r.range(1, size - 1) : r.range(w.lo, w.hi - 8);
    const store = r.chance(0.4);
    const reg = store ? this.src() : this.dst();
    const [left, right] = size === 4 ? (store ? ['swl', 'swr'] : ['lwl', 'lwr']) : (store ? ['sdl', 'sdr'] : ['ldl', 'ldr']);
    // Little endian: the "left" part is at the high address.
    this.emit(`${left}\t${reg}, ${off + size - 1}($${b})`);
    this.emit(`${right}\t${reg}, ${off}($${b})`);
  }

  llsc(): void {
    const r = this.r;
    const dbl = r.chance(0.4);
    const m = this.mem(dbl ? 8 : 4);
    this.emit(`${dbl ? 'lld' : 'll'}\t${this.dst()}, ${m}`);
    const n = r.range(0, 3);
    for (let i = 0; i < n; i++) this.simple();
    const m2 = r.chance(0.7) ? m : this.mem(dbl ? 8 : 4);
    this.emit(`${dbl ? 'scd' : 'sc'}\t$${r.pick(DATA)}, ${m2}`);
  }

  computedMem(): void {
    const r = this.r;
    const t = '$' + r.pick(DATA);
    const b = r.pick(BASES);
    this.emit(`daddiu\t${t}, $${b}, ${r.range(WINDOWS[b].lo, WINDOWS[b].hi) & ~7}`);
    const [op, size] = r.pick([['lw', 4], ['sd', 8], ['lbu', 1], ['sh', 2], ['ld', 8], ['sw', 4]] as const);
    const off = r.range(-32, 32) & ~(size - 1);
    this.emit(`${op}\t${op.startsWith('s') ? this.src() : this.dst()}, ${off}(${t})`);
  }

  /** UART scratch register / line status and the power device's ID: device accesses. */
  io(): void {
    const r = this.r;
    const t = '$' + r.pick(DATA);
    if (r.chance(0.7)) {
      this.emit(`dli\t${t}, 0xffffffffb80003f8`);
      const n = r.range(1, 3);
      for (let i = 0; i < n; i++) {
        const x = r.int(4);
        if (x === 0) this.emit(`sb\t${this.src()}, 7(${t})`);
        else if (x === 1) this.emit(`lbu\t${this.dst()}, 7(${t})`);
        else if (x === 2) this.emit(`lb\t${this.dst()}, 5(${t})`);
        else this.simple();
      }
    } else {
      this.emit(`dli\t${t}, 0xffffffffbf100000`);
      this.emit(`${r.pick(['lw', 'lbu', 'lhu', 'ld'])}\t${this.dst()}, ${r.pick([0, 4])}(${t})`);
    }
  }

  /** Count/Compare: make the timer fire soon, rebase Count, read it, mask interrupts, wait. */
  timer(): void {
    const r = this.r;
    const t = '$' + r.pick(DATA);
    const x = r.int(5);
    if (x === 0) {
      this.emit(`mfc0\t${t}, $9`);
      this.emit(`addiu\t${t}, ${t}, ${r.range(1, 200)}`);
      this.emit(`mtc0\t${t}, $11`);
    } else if (x === 1) {
      this.emit(`li\t${t}, ${r.range(0, 1 << 20)}`);
      this.emit(`mtc0\t${t}, $9`);
      this.emit(`addiu\t${t}, ${t}, ${r.range(1, 300)}`);
      this.emit(`mtc0\t${t}, $11`);
    } else if (x === 2) {
      this.emit(`mfc0\t${this.dst()}, $9`);
      this.straight(r.range(0, 4));
      this.emit(`mfc0\t${this.dst()}, $9`);
    } else if (x === 3 && this.cfg.timerDelta) {
      this.emit(r.chance(0.5) ? `di\t${this.dst()}` : 'di');
      this.straight(r.range(0, 6));
      this.emit(r.chance(0.5) ? `ei\t${this.dst()}` : 'ei');
    } else if (x === 4 && this.cfg.timerDelta) {
      // wait for the timer interrupt (skips virtual time)
      this.emit(`mfc0\t${t}, $9`);
      this.emit(`addiu\t${t}, ${t}, ${r.range(1, 100)}`);
      this.emit(`mtc0\t${t}, $11`);
      this.emit('ei');
      this.straight(r.range(0, 3));
      this.emit('wait');
    } else this.emit(`rdhwr\t${this.dst()}, $2`);
  }

  /** TLB instructions and ASID changes. */
  tlb(): void {
    const r = this.r;
    const t = '$' + r.pick(DATA);
    const x = r.int(6);
    if (x === 0) {
      // switch ASID (entry 2 only matches ASID 5)
      this.emit(`li\t${t}, ${r.pick([0, 5, 5, 7])}`);
      this.emit(`dmtc0\t${t}, $10`);
    } else if (x === 1) {
      // tlbp for a mapped or unmapped VPN2 (keeps the ASID)
      const e = r.pick(TLB_INIT);
      this.emit(`dli\t${t}, ${hex(r.chance(0.7) ? e.hi & ~0xffn : 0x404000n)}`);
      this.emit(`dmtc0\t${t}, $10`);
      this.emit('tlbp');
      this.emit(`mfc0\t${this.dst()}, $0`);
    } else if (x === 2) {
      // tlbr of a random entry: EntryHi (and so the ASID) comes from the entry
      this.emit(`li\t${t}, ${r.int(32)}`);
      this.emit(`mtc0\t${t}, $0`);
      this.emit('tlbr');
      this.emit(`dmfc0\t${this.dst()}, $10`);
      this.emit(`dmfc0\t${this.dst()}, $2`);
    } else if (x === 3 || x === 4) {
      // rewrite one of the prologue's entries with other V/D bits
      const i = r.int(TLB_INIT.length - 2);   // (5: the code alias)
      const e = TLB_INIT[i];
      const flip = (v: number): number => v ^ (r.chance(0.5) ? 4 : 0) ^ (r.chance(0.3) ? 2 : 0);
      this.emit(`li\t${t}, ${i}`);
      this.emit(`mtc0\t${t}, $0`);
      this.emit(`dli\t${t}, ${hex(e.hi)}`);
      this.emit(`dmtc0\t${t}, $10`);
      this.emit(`li\t${t}, ${hex(e.mask)}`);
      this.emit(`mtc0\t${t}, $5`);
      this.emit(`dli\t${t}, ${hex(flip(e.lo0))}`);
      this.emit(`dmtc0\t${t}, $2`);
      this.emit(`dli\t${t}, ${hex(flip(e.lo1))}`);
      this.emit(`dmtc0\t${t}, $3`);
      this.emit('tlbwi');
      this.emit('mtc0\t$0, $5');
      this.emit('dmtc0\t$0, $10');
    } else {
      // tlbwr (Random depends on the instruction count) of a new mapping of the refill hole
      // or of a never-matching kseg0 VPN2
      const hole = r.chance(0.5);
      this.emit(`dli\t${t}, ${hole ? '0x404000' : hex(0xffffffff80000000n + (BigInt(r.range(40, 4000)) << 13n))}`);
      this.emit(`dmtc0\t${t}, $10`);
      this.emit(`dli\t${t}, ${hex(lo(0x106000, r.pick(['VDG', 'VG', 'G', 'VD'])))}`);
      this.emit(`dmtc0\t${t}, $2`);
      this.emit(`dmtc0\t${t}, $3`);
      this.emit('tlbwr');
      this.emit('dmtc0\t$0, $10');
    }
  }

  /** Re-points the alias base register $19. */
  rebase(): void {
    this.emit(`dli\t$19, ${this.r.pick(R19_ALIASES)}`);
  }

  /** Self-modifying code: store a new instruction into a slot, then run it. */
  smc(): void {
    const r = this.r;
    const t = '$' + r.pick(DATA), a = '$25';
    const rt = r.pick(DATA), rs = r.pick(DATA);
    const word = r.pick([
      (0x09 << 26) | (rs << 21) | (rt << 16) | r.int(0x10000),   // addiu
      (0x19 << 26) | (rs << 21) | (rt << 16) | r.int(0x10000),   // daddiu
      (0x0e << 26) | (rs << 21) | (rt << 16) | r.int(0x10000),   // xori
      (0x0f << 26) | (rt << 16) | r.int(0x10000),                // lui
      (rs << 21) | (rt << 16) | (rt << 11) | 0x2d,               // daddu
    ]) >>> 0;
    this.emit(`li\t${t}, ${hex(word | 0)}`);
    if (r.chance(0.5) || this.smcSlotCount === 0) {
      // patch an instruction a few words ahead in this very block
      const l = this.lab();
      this.emit(`dla\t${a}, ${this.alias(l, r.pick(['kseg0', 'kseg1', 'xkphys'] as const))}`);
      this.emit(`sw\t${t}, 0(${a})`);
      this.straight(r.range(0, 2));
      this.place(l);
      this.simple();
    } else {
      const slot = `smc${r.int(this.smcSlotCount)}`;
      this.emit(`dla\t${a}, ${this.alias(slot, r.pick(['kseg0', 'kseg1', 'xkphys', 'useg'] as const))}`);
      this.emit(`sw\t${t}, 0(${a})`);
      this.emit(`jal\t${slot}`);
      this.simple({ ds: true });
    }
  }

  addSmcSlots(n: number): void {
    for (let i = 0; i < n; i++) {
      this.smcSlots.push(`smc${i}:`, '\tnop', '\tjr\t$31', '\tnop', '\tjr\t$31', '\tnop');
    }
    this.smcSlotCount = n;
  }

  chunk(): void {
    const r = this.r;
    const weights: Record<string, number> = {
      straight: 20, long: 2, fwd: 16, loop: 8, call: 8, jump: 4, fetch: 1.5, user: 2.5, pair: 4, llsc: 3, cmem: 3, io: 1.5,
      timer: 2, tlb: 2.5, rebase: 1, smc: 2, bigloop: 1.5,
    };
    if (this.focus && this.focus in weights) weights[this.focus] *= 25;
    const kind = r.weighted(weights);
    switch (kind) {
      case 'straight': this.straight(r.range(1, 10)); return;
      case 'long':
        // Long straight runs make maximal blocks; ending exactly at 63 puts a branch and
        // its delay slot right after a full block.
        this.straight(r.chance(0.5) ? 63 : r.range(50, 90));
        if (r.chance(0.5)) this.fwdBranch(1, false);
        return;
      case 'fwd': this.fwdBranch(0, false); return;
      case 'loop': this.loop(); return;
      case 'call': this.call(); return;
      case 'jump': this.jump(); return;
      case 'fetch': this.fetchFault(); return;
      case 'user': this.userMode(); return;
      case 'pair': this.memPair(); return;
      case 'llsc': this.llsc(); return;
      case 'cmem': this.computedMem(); return;
      case 'io': this.io(); return;
      case 'timer': this.timer(); return;
      case 'tlb': this.tlb(); return;
      case 'rebase': this.rebase(); return;
      case 'smc': this.smc(); return;
      case 'bigloop': this.bigLoop(); return;
    }
  }

  finish(): string[] {
    const lines: string[] = [];
    for (const s of this.subs) lines.push(...s);
    lines.push(...this.smcSlots);
    return lines;
  }
}

function handler(timerDelta: number): string {
  return `
	.org	0x000
	j	handler
	nop
	.org	0x080
	j	handler
	nop
	.org	0x180
	j	handler
	nop
	.org	0x200
	j	handler
	nop
	.org	0x400
handler:
	lui	$26, 0x8008		# log header: exception count
	ld	$27, 0($26)
	daddiu	$27, $27, 1
	sd	$27, 0($26)
	andi	$27, $27, 0x3ff
	dsll	$27, $27, 5
	daddu	$27, $27, $26
	mfc0	$26, $13
	sd	$26, 0x100($27)
	dmfc0	$26, $14
	sd	$26, 0x108($27)
	dmfc0	$26, $8
	sd	$26, 0x110($27)
	mfc0	$26, $12
	sd	$26, 0x118($27)
	lui	$26, 0x8008
	ld	$27, 0($26)
	sltiu	$27, $27, ${MAX_EXCEPTIONS}
	beqz	$27, h_abort
	mfc0	$27, $13
	andi	$26, $27, 0x7c
	beqz	$26, h_int
	nop
	dmfc0	$26, $14
	dmfc0	$27, $8
	bne	$26, $27, h_data
	nop
	dmtc0	$28, $14		# instruction fetch fault: resume at $28
	b	h_out
	nop
h_data:
	mfc0	$27, $13
	bltz	$27, h_bd		# Cause.BD: skip the branch and its delay slot
	daddiu	$26, $26, 4
	b	h_set
	nop
h_bd:
	daddiu	$26, $26, 4
h_set:
	dmtc0	$26, $14
h_out:
	mfc0	$26, $12
	li	$27, -25		# back to kernel mode (KSU = 0)
	and	$26, $26, $27
	mtc0	$26, $12
	eret
h_int:
	mfc0	$26, $9			# timer interrupt: Compare = Count + delta
	addiu	$26, $26, ${timerDelta || 1000}
	mtc0	$26, $11
	b	h_out
	nop
h_abort:
	dla	$26, done
	dmtc0	$26, $14
	b	h_out
	nop
`;
}

function value64(r: Rng): bigint {
  const x = r.int(12);
  if (x < 3) return r.u64();
  if (x < 5) return BigInt.asUintN(64, BigInt(r.u32() | 0));          // sign-extended 32-bit
  if (x < 7) return BigInt(r.range(0, 300));
  if (x < 8) return BigInt.asUintN(64, BigInt(-r.range(1, 300)));
  return r.pick([0n, 1n, 0x7fffffffn, 0xffffffff80000000n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn,
    0x80000000n, 0xffffffffn, 0x100000000n]);
}

/**
 * Generates the program for `seed`. `focus` names a chunk kind (straight, long, fwd, loop,
 * call, jump, fetch, user, pair, llsc, cmem, io, timer, tlb, rebase, smc, bigloop) made
 * 25 times likelier than usual.
 */
export function generateProgram(seed: number, opts: { budget?: number; focus?: string } = {}): FuzzProgram {
  const r = new Rng(seed);
  const timerDelta = r.chance(0.5) ? r.pick([40, 150, 400, 1500, 5000]) : 0;
  const cfg: FuzzConfig = {
    iterations: r.range(6, 24),
    timerDelta,
    hot: r.pick([0, 0, 1, 20, 60]),
    budget: opts.budget ?? 60000,
    bigEndian: r.chance(0.25),
  };
  const g = new Gen(r, cfg, opts.focus);
  const smcSlots = r.range(1, 3);
  g.addSmcSlots(smcSlots);
  // KX SX UX (usually), IM7 when the timer interrupts
  const status = (r.chance(0.9) ? 0x80 : 0) | (r.chance(0.8) ? 0x40 : 0) | (r.chance(0.8) ? 0x20 : 0) | (timerDelta ? 0x8000 : 0);
  const src: string[] = [
    '# MIPS64 Studio differential fuzzer program, seed ' + seed,
    '\t.set\tnoreorder', '\t.set\tnoat', '\t.text', '\t.globl\tstart',
    handler(timerDelta),
    '\t.org\t0x1000',
    'start:',
  ];
  const E = (s: string): void => { src.push('\t' + s); };
  E(`li\t$1, ${hex(status)}`);
  E('mtc0\t$1, $12');
  E('mtc0\t$0, $13');
  // TLB: every entry a distinct never-matching kseg0 VPN2, then the fuzz mappings.
  E('mtc0\t$0, $5'); E('dmtc0\t$0, $2'); E('dmtc0\t$0, $3');
  E('li\t$8, 0'); E('li\t$9, 32');
  src.push('1:');
  E('mtc0\t$8, $0'); E('dsll\t$10, $8, 13'); E('lui\t$11, 0x8000'); E('daddu\t$10, $10, $11'); E('dmtc0\t$10, $10');
  E('tlbwi'); E('addiu\t$8, $8, 1'); E('bne\t$8, $9, 1b'); E('nop');
  TLB_INIT.forEach((e, i) => {
    E(`li\t$1, ${i}`); E('mtc0\t$1, $0');
    E(`li\t$1, ${hex(e.mask)}`); E('mtc0\t$1, $5');
    E(`dli\t$1, ${hex(e.hi)}`); E('dmtc0\t$1, $10');
    E(`dli\t$1, ${hex(e.lo0)}`); E('dmtc0\t$1, $2');
    E(`dli\t$1, ${hex(e.lo1)}`); E('dmtc0\t$1, $3');
    E('tlbwi');
  });
  E('mtc0\t$0, $5'); E(`li\t$1, ${TLB_INIT.length}`); E('mtc0\t$1, $6'); E('dmtc0\t$0, $10'); E('mtc0\t$0, $0');
  // Timer: first match soon; interrupts on when configured.
  E('mfc0\t$1, $9'); E(`addiu\t$1, $1, ${timerDelta || r.range(100, 5000)}`); E('mtc0\t$1, $11');
  if (timerDelta) { E('mfc0\t$1, $12'); E('ori\t$1, $1, 1'); E('mtc0\t$1, $12'); }
  // Registers.
  for (const d of DATA) E(`dli\t$${d}, ${hex(value64(r))}`);
  E('dli\t$16, 0xffffffff80104000');
  E('dli\t$17, 0x404000');
  E('dli\t$18, 0x20000002000');
  E(`dli\t$19, ${r.pick(R19_ALIASES)}`);
  E('dla\t$28, done');
  E('li\t$25, 0');
  E(`li\t$30, ${cfg.iterations}`);
  src.push('body:');
  const chunks = r.range(25, 90);
  for (let i = 0; i < chunks; i++) g.chunk();
  g.out.push('\taddiu\t$30, $30, -1', '\tbnez\t$30, body', '\tnop');
  src.push(...g.out);
  src.push('done:');
  E('dli\t$1, 0xffffffffbf100000');
  E('lui\t$2, 0x5a5a');
  E('sw\t$2, 0($1)');
  src.push('1:'); E('b\t1b'); E('nop');
  src.push(...g.finish());
  const data = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i += 4) {
    const v = r.u32();
    data[i] = v; data[i + 1] = v >>> 8; data[i + 2] = v >>> 16; data[i + 3] = v >>> 24;
  }
  return { seed, source: src.join('\n') + '\n', config: cfg, data };
}
