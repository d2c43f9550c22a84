// Runs one generated program on two demo machines — the interpreter (the reference)
// and the translating engine — in lockstep, comparing the full architectural state
// after every translated block: GPRs, HI/LO, PC, delay-slot state, LL state, the
// instruction count, every CP0 field, the TLB, exceptions taken, the data area, the
// exception log and (periodically and at the end) the code, which programs rewrite.

import { parseJitTuning } from '../../src/emulator/jit/tuning';
import { assemble, AssembleResult } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { Machine } from '../../src/emulator/machine';
import { Cp0 } from '../../src/emulator/cpu/cp0';
import { Disassembler } from '../../src/emulator/isa/disassembler';
import { translate } from '../../src/emulator/mmu/translate';
import type { Block } from '../../src/emulator/jit/blocks';
import { bswap32 } from '../../src/emulator/cpu/arith';
import { CODE_LIMIT, DATA_PHYS, DATA_SIZE, FuzzProgram, LOG_PHYS, LOG_SIZE, ORIGIN, RAM_MIB } from './fuzz-gen';

export interface LockstepStats {
  /** Instructions executed (fetched by the reference interpreter; WAIT's skipped time excluded). */
  executed: number;
  /** Final instruction count (the virtual clock, which WAIT advances without executing). */
  icount: number;
  exceptions: number;
  blocksRun: number;
  blocksTranslated: number;
  /** Of which WebAssembly blocks (the translator's second tier), and the modules they were compiled in (several per module when warm starts join a hot one). */
  wasmBlocks: number;
  wasmModules: number;
  jitInterpreted: number;
  /** Of those, run by the WebAssembly cold-code runner. */
  jitRunner: number;
  /** Cold blocks the runner went on to without returning to the dispatcher. */
  jitChained: number;
  /** Translated regions the runner entered (jump cache) without returning to the dispatcher. */
  jitRunnerRegions: number;
  invalidations: number;
  comparisons: number;
  poweredOff: boolean;
  /** Exceptions taken, by Cause.ExcCode. */
  excCodes: Record<number, number>;
}

interface Side {
  machine: Machine;
  exc: number;
  stopAtExc: number;
  codes: Record<number, number>;
  fetches: number;
}

const CP0_FIELDS = Object.keys(Cp0.spec.fields);
const GPR_NAMES = ['zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra'];

const h64 = (hi: number, lo: number): string =>
  '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
const show = (v: unknown): string =>
  typeof v === 'bigint' ? '0x' + v.toString(16) : typeof v === 'number' && Number.isInteger(v) ? `${v} (0x${(v >>> 0).toString(16)})` : String(v);

function makeSide(engine: 'interp' | 'jit', elf: Uint8Array, p: FuzzProgram, hot: number | undefined): Side {
  // (MIPS64_FUZZ_TUNE: the translating engine's knobs, e.g. "region=16,hot=100".)
  const jit = parseJitTuning(process.env.MIPS64_FUZZ_TUNE ?? '');
  const { machine, board } = createDemoMachine({ engine, memoryMiB: RAM_MIB, bigEndian: p.config.bigEndian, jit });
  board.boot(elf);
  machine.bus.ram.set(p.data, DATA_PHYS);
  const side: Side = { machine, exc: 0, stopAtExc: Infinity, codes: {}, fetches: 0 };
  if (engine === 'interp') {
    // Count instructions really executed (the interpreter fetches each one).
    const cpu = machine.cpu, fetch = cpu.fetchWord.bind(cpu);
    cpu.fetchWord = (): number => { side.fetches++; return fetch(); };
  }
  machine.cpu.hooks.onException = (c, code) => {
    side.exc++;
    side.codes[code] = (side.codes[code] ?? 0) + 1;
    if (side.exc >= side.stopAtExc) c.stopRequested = true;
  };
  // (A chosen threshold overrides the program's: a huge one leaves all code to the cold path.)
  if (machine.jit) machine.jit.hot = hot ?? p.config.hot;
  return side;
}

function diffRam(a: Int32Array, b: Int32Array, from: number, bytes: number, out: string[], what: string): void {
  const end = (from + bytes) >>> 2;
  for (let i = from >>> 2; i < end; i++) {
    if (a[i] !== b[i]) {
      out.push(`${what} word at physical 0x${(i * 4).toString(16)}: interp 0x${(a[i] >>> 0).toString(16)} jit 0x${(b[i] >>> 0).toString(16)}`);
      if (out.length > 12) return;
    }
  }
}

/** Differences between the two machines' architectural state (empty when equal). */
export function diffState(A: Side, B: Side, withCode: boolean): string[] {
  const a = A.machine.cpu, b = B.machine.cpu;
  const out: string[] = [];
  const cmp = (name: string, x: unknown, y: unknown): void => { if (x !== y) out.push(`${name}: interp ${show(x)} jit ${show(y)}`); };
  cmp('icount', a.icount, b.icount);
  cmp('exceptions taken', A.exc, B.exc);
  cmp('pc', h64(a.pcHi, a.pcLo), h64(b.pcHi, b.pcLo));
  cmp('inDelay', a.inDelay, b.inDelay);
  if (a.inDelay && b.inDelay) cmp('delay-slot target', h64(a.dsHi, a.dsLo), h64(b.dsHi, b.dsLo));
  for (let i = 1; i < 32; i++) {
    if (a.r[2 * i] !== b.r[2 * i] || a.r[2 * i + 1] !== b.r[2 * i + 1]) {
      out.push(`$${i} (${GPR_NAMES[i]}): interp ${h64(a.r[2 * i + 1], a.r[2 * i])} jit ${h64(b.r[2 * i + 1], b.r[2 * i])}`);
    }
  }
  cmp('LO', h64(a.r[65], a.r[64]), h64(b.r[65], b.r[64]));
  cmp('HI', h64(a.r[67], a.r[66]), h64(b.r[67], b.r[66]));
  cmp('llbit', a.llbit, b.llbit);
  if (a.llbit && b.llbit) cmp('llPhys', a.llPhys, b.llPhys);
  cmp('waiting', a.waiting, b.waiting);
  cmp('mode', a.mode, b.mode);
  cmp('asid', a.asid, b.asid);
  cmp('irqPending', a.irqPending, b.irqPending);
  cmp('timerIcount', a.timerIcount, b.timerIcount);
  cmp('ipLines', a.ipLines, b.ipLines);
  cmp('lastExc', a.lastExc, b.lastExc);
  const ca = a.c0 as unknown as Record<string, unknown>, cb = b.c0 as unknown as Record<string, unknown>;
  for (const f of CP0_FIELDS) {
    const x = ca[f], y = cb[f];
    if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
      // register sets (e.g. WatchLo/WatchHi per select)
      const xa = x as ArrayLike<unknown>, ya = y as ArrayLike<unknown>;
      for (let i = 0; i < Math.max(xa.length, ya.length); i++) cmp(`CP0.${f}[${i}]`, xa[i], ya[i]);
    } else cmp(`CP0.${f}`, x, y);
  }
  cmp('Count', a.count(), b.count());
  const ta = a.tlb.state.entries, tb = b.tlb.state.entries;
  for (let i = 0; i < ta.length; i++) {
    if (ta[i] !== tb[i]) { out.push(`TLB entry ${Math.floor(i / 5)} field ${i % 5}: interp ${ta[i]} jit ${tb[i]}`); break; }
  }
  cmp('poweredOff', A.machine.poweredOff, B.machine.poweredOff);
  cmp('exitCode', A.machine.exitCode, B.machine.exitCode);
  const ra = A.machine.bus.ram32, rb = B.machine.bus.ram32;
  diffRam(ra, rb, DATA_PHYS, DATA_SIZE, out, 'data');
  diffRam(ra, rb, LOG_PHYS, LOG_SIZE, out, 'exception log');
  if (withCode) diffRam(ra, rb, 0, CODE_LIMIT, out, 'code');
  return out;
}

export class FuzzMismatch extends Error {}

/** Disassembly of `n` words before and after a virtual address, with the generator's source lines. */
function disasm(m: Machine, asm: AssembleResult, source: string[], pcHi: number, pcLo: number, before: number, after: number, mark: bigint): string {
  const c = m.cpu;
  const d = new Disassembler({ model: '5KEc' });
  const lineOf = new Map<number, number>();
  for (const l of asm.lines) lineOf.set(Number(l.addr - ORIGIN), l.line);
  const out: string[] = [];
  const base = (BigInt(pcHi) << 32n) | BigInt(pcLo >>> 0);
  for (let k = -before; k <= after; k++) {
    const va = BigInt.asUintN(64, base + BigInt(k * 4));
    const hi = Number(BigInt.asIntN(32, va >> 32n)), lo = Number(BigInt.asIntN(32, va));
    const pa = translate(c, hi, lo, false, c.mode, c.c0.status, c.asid);
    const off = pa >= 0 ? m.bus.ramOffset(pa) : -1;
    if (off < 0) { out.push(`    0x${va.toString(16)}: <not RAM>`); continue; }
    const raw = m.bus.ram32[off >>> 2];
    const w = m.bus.bigEndian ? bswap32(raw) : raw;
    const line = lineOf.get(off);
    const src = line !== undefined ? `   ; line ${line}: ${source[line - 1].trim()}` : '';
    out.push(`${va === mark ? ' => ' : '    '}0x${va.toString(16)}: ${(w >>> 0).toString(16).padStart(8, '0')}  ${d.text(w, va)}${src}`);
  }
  return out.join('\n');
}

export interface LockstepOptions {
  /** Compare the code area every this many comparisons (and at the end). */
  codeEvery?: number;
  /** Text prepended to a mismatch report (seeds, how to reproduce). */
  context?: string;
  /** Translation threshold instead of the program's (1e9: everything runs on the cold path). */
  hot?: number;
  /** Let translated code chain (and the cold-code runner enter regions) between comparisons in every program, not half. */
  chainAlways?: boolean;
}

export function runLockstep(p: FuzzProgram, opts: LockstepOptions = {}): LockstepStats {
  const endian = p.config.bigEndian ? 'big' : 'little';
  const asm = assemble(p.source, { origin: ORIGIN, model: '5KEc', endian });
  if (!asm.ok) {
    const d = asm.diagnostics.filter((x) => x.severity === 'error').slice(0, 5)
      .map((x) => `${x.line}: ${x.message}: ${p.source.split('\n')[x.line - 1]}`);
    throw new Error(`fuzz program ${p.seed} does not assemble:\n${d.join('\n')}`);
  }
  const end = asm.sections.reduce((m, s) => Math.max(m, Number(s.addr - ORIGIN) + s.size), 0);
  if (end > CODE_LIMIT) throw new Error(`fuzz program ${p.seed} too large (${end} bytes)`);
  const elf = assemblyToElf(asm, endian);
  const A = makeSide('interp', elf, p, undefined);
  const B = makeSide('jit', elf, p, opts.hot);
  const jit = B.machine.jit!;
  // Half the programs let WebAssembly regions chain between comparisons (the paths a
  // boot takes), half compare after every region exit.
  jit.chainObserved = opts.chainAlways === true || (p.seed & 1) === 1;
  const source = p.source.split('\n');
  const codeEvery = opts.codeEvery ?? 64;
  let comparisons = 0;
  let lastBlock: { blk: Block | undefined; faulted: boolean } | undefined;
  /** The last dispatches (for the report): block start, length, icount and PC afterwards. */
  const recent: string[] = [];

  const fail = (diffs: string[]): never => {
    const a = A.machine.cpu, b = B.machine.cpu;
    const parts = [
      `${opts.context ?? ''}interpreter and translator disagree (program seed ${p.seed}, config ${JSON.stringify(p.config)}, `
        + `WebAssembly chaining between comparisons: ${jit.chainObserved})`,
      `at icount interp ${a.icount} / jit ${b.icount}; interp PC ${h64(a.pcHi, a.pcLo)}, jit PC ${h64(b.pcHi, b.pcLo)}`,
      'differences:', ...diffs.map((x) => '  ' + x),
    ];
    if (recent.length) parts.push('last dispatches of the translator (oldest first):', ...recent.map((x) => '  ' + x));
    if (lastBlock) {
      const blk = lastBlock.blk;
      if (blk) {
        parts.push(`last translated block: 0x${h64(blk.startHi, blk.startLo).slice(2)}, ${blk.length} instructions${lastBlock.faulted ? ', left by a guest exception' : ''}:`);
        parts.push(disasm(B.machine, asm, source, blk.startHi, blk.startLo, 0, blk.length - 1, -1n));
      } else if (lastBlock.faulted) parts.push('last dispatch: guest exception before a block was entered');
    }
    parts.push('interpreter around its PC:');
    parts.push(disasm(A.machine, asm, source, a.pcHi, a.pcLo, 6, 3, (BigInt(a.pcHi >>> 0) << 32n) | BigInt(a.pcLo >>> 0)));
    if (a.pcLo !== b.pcLo || a.pcHi !== b.pcHi) {
      parts.push('translator around its PC:');
      parts.push(disasm(B.machine, asm, source, b.pcHi, b.pcLo, 6, 3, (BigInt(b.pcHi >>> 0) << 32n) | BigInt(b.pcLo >>> 0)));
    }
    throw new FuzzMismatch(parts.join('\n'));
  };

  /** Brings the interpreter to the translator's point (instruction count, then exceptions) and compares. */
  const catchUp = (withCode: boolean): void => {
    const a = A.machine.cpu, b = B.machine.cpu;
    const x = b.icount;
    A.stopAtExc = Infinity;
    while (a.icount < x && !A.machine.poweredOff) {
      const n = A.machine.interp.run(x - a.icount);
      if (n === 0) break;
    }
    while (A.exc < B.exc && a.icount === x && !A.machine.poweredOff) {
      A.stopAtExc = A.exc + 1;
      A.machine.interp.run(1);
      A.stopAtExc = Infinity;
    }
    comparisons++;
    const diffs = diffState(A, B, withCode || comparisons % codeEvery === 0);
    if (diffs.length) fail(diffs);
  };

  jit.onBlockExit = (blk, faulted) => {
    lastBlock = { blk, faulted };
    const b = B.machine.cpu;
    if (recent.length >= 12) recent.shift();
    recent.push(`${blk ? `block 0x${h64(blk.startHi, blk.startLo).slice(2)} (${blk.length} insns)` : 'no block'}`
      + `${faulted ? ' left by an exception' : ''} -> icount ${b.icount}, PC ${h64(b.pcHi, b.pcLo)}`);
    catchUp(false);
  };
  const budget = p.config.budget;
  while (B.machine.cpu.icount < budget && !B.machine.poweredOff) {
    const r = B.machine.run(Math.min(5000, budget - B.machine.cpu.icount));
    // Outside translated code no precise-state block may linger (an exception raised later would use it).
    if (B.machine.cpu.jitBlk !== undefined) fail(['Cpu.jitBlk still set after run() returned']);
    lastBlock = undefined;
    recent.push(`(run() returned at icount ${B.machine.cpu.icount})`);
    catchUp(false);
    if (r.executed === 0) break;
  }
  catchUp(true);
  jit.onBlockExit = undefined;
  return {
    executed: A.fetches,
    icount: B.machine.cpu.icount,
    exceptions: B.exc,
    blocksRun: jit.stats.blockExecs,
    blocksTranslated: jit.stats.blocksTranslated,
    wasmBlocks: jit.wasm?.stats.blocks ?? 0,
    wasmModules: jit.wasm?.stats.modules ?? 0,
    jitInterpreted: jit.stats.interpretedInsns,
    jitRunner: jit.stats.runnerInsns,
    jitChained: jit.stats.runnerChained,
    jitRunnerRegions: jit.stats.runnerRegions,
    invalidations: jit.stats.invalidations,
    comparisons,
    poweredOff: B.machine.poweredOff,
    excCodes: B.codes,
  };
}
