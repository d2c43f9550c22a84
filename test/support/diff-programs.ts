// The differential test programs (test/cpu/programs/*.s): loading, per-program
// directives, building (library + program → our assembler → ELF), and running them on
// our emulator with the same observations the QEMU side makes over GDB (registers,
// memory image, UART output, executed-PC trace).
//
// Each program is assembled as lib/start.s + program + lib/done.s (our assembler has no
// `.include`), at 0xffffffff80100000 (kseg0; physical 0x100000, where QEMU's Malta
// -kernel loader puts a kseg0 segment). Directives are comment lines in the program:
//   # diff: cpu 5KEf            run on this CPU model (default 5KEc)
//   # diff: notrace             do not compare the PC trace (timing-dependent paths)
//   # diff: mask <field> <hex>  compare only these bits of a register ('gpr3', 'hi',
//                               'cause', or a CP0 dump field such as 'cp0.cause')
//   # diff: ignore <field>      do not compare a register (e.g. a Count value)
//   # diff: ignore-mem <symbol> <bytes>   do not compare memory at symbol (a timing value)
//   # diff: endian little|big   run only in one byte order
//   # diff: todo <reason>       known disagreement: reported, not failed

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { isTimed } from '../../src/emulator/devices/device';
import { translate } from '../../src/emulator/mmu/translate';
import { assemble, AssembleResult } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import type { GdbRegisters } from './qemu';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const PROGRAM_DIR = join(ROOT, 'test', 'cpu', 'programs');
export const ORIGIN = 0xffffffff80100000n;
/** Exception vectors live at EBase = 0xffffffff80000000; compared as memory too. */
export const VECTOR_AREA = { addr: 0xffffffff80000000n, length: 0x300 };

export type Endian = 'little' | 'big';

export interface Directives {
  cpu: '5KEc' | '5KEf';
  trace: boolean;
  masks: Map<string, bigint>;
  ignore: Set<string>;
  ignoreMem: Array<{ symbol: string; length: number }>;
  endians: Endian[];
  todo?: string;
}

export interface DiffProgram {
  name: string;
  file: string;
  /** The program text alone. */
  text: string;
  /** Library + program, as assembled. */
  source: string;
  directives: Directives;
}

/** Names of the CP0 registers `done` stores after GPRs 0-31, HI and LO (8 bytes each). */
export const CP0_DUMP = [
  'index', 'entrylo0', 'entrylo1', 'context', 'pagemask', 'wired', 'hwrena', 'badvaddr', 'entryhi', 'compare',
  'status', 'intctl', 'srsctl', 'cause', 'epc', 'prid', 'ebase', 'config0', 'config1', 'config2', 'config3',
  'lladdr', 'watchlo', 'watchhi', 'xcontext', 'errorepc',
] as const;

export const DUMP_FIELDS: string[] = [
  ...Array.from({ length: 32 }, (_, i) => `dump.gpr${i}`), 'dump.hi', 'dump.lo', ...CP0_DUMP.map((n) => `cp0.${n}`),
];

export function librarySource(): { start: string; done: string } {
  return {
    start: readFileSync(join(PROGRAM_DIR, 'lib', 'start.s'), 'utf8'),
    done: readFileSync(join(PROGRAM_DIR, 'lib', 'done.s'), 'utf8'),
  };
}

export function parseDirectives(text: string): Directives {
  const d: Directives = { cpu: '5KEc', trace: true, masks: new Map(), ignore: new Set(), ignoreMem: [], endians: ['little', 'big'] };
  for (const m of text.matchAll(/^[ \t]*#[ \t]*diff:[ \t]*(\S+)[ \t]*(.*)$/gm)) {
    const args = m[2].trim().split(/\s+/);
    switch (m[1]) {
      case 'cpu': d.cpu = args[0] as Directives['cpu']; break;
      case 'notrace': d.trace = false; break;
      case 'mask': d.masks.set(args[0].toLowerCase(), BigInt(args[1])); break;
      case 'ignore': for (const a of args) d.ignore.add(a.toLowerCase()); break;
      case 'ignore-mem': d.ignoreMem.push({ symbol: args[0], length: Number(args[1]) }); break;
      case 'endian': d.endians = [args[0] as Endian]; break;
      case 'todo': d.todo = m[2].trim(); break;
      default: throw new Error(`unknown diff directive '${m[1]}'`);
    }
  }
  return d;
}

export function loadPrograms(): DiffProgram[] {
  const lib = librarySource();
  return readdirSync(PROGRAM_DIR).filter((f) => f.endsWith('.s')).sort().map((f) => {
    const text = readFileSync(join(PROGRAM_DIR, f), 'utf8');
    return {
      name: f.replace(/\.s$/, ''), file: join(PROGRAM_DIR, f), text,
      source: `${lib.start}\n${text}\n${lib.done}`, directives: parseDirectives(text),
    };
  });
}

export interface BuiltProgram {
  program: DiffProgram;
  endian: Endian;
  asm: AssembleResult;
  elf: Uint8Array;
  symbols: Map<string, bigint>;
  entry: bigint;
  end: bigint;
  dump: bigint;
  /** The loaded image [ORIGIN, imageEnd): compared byte for byte. */
  imageEnd: bigint;
}

export function buildProgram(p: DiffProgram, endian: Endian): BuiltProgram {
  const asm = assemble(p.source, { origin: ORIGIN, endian, fileName: `${p.name}.s` });
  if (!asm.ok) {
    const errs = asm.diagnostics.filter((d) => d.severity === 'error').slice(0, 10)
      .map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
    throw new Error(`${p.name}: assembly failed\n${errs.join('\n')}`);
  }
  const symbols = new Map(asm.symbols.map((s) => [s.name, BigInt.asUintN(64, s.value)]));
  const sym = (n: string): bigint => {
    const v = symbols.get(n);
    if (v === undefined) throw new Error(`${p.name}: no symbol '${n}'`);
    return v;
  };
  return {
    program: p, endian, asm, elf: assemblyToElf(asm, endian), symbols,
    entry: BigInt.asUintN(64, asm.entry), end: sym('end'), dump: sym('dump'), imageEnd: sym('_image_end'),
  };
}

export interface RunObservation {
  stop: 'breakpoint' | 'timeout';
  regs: GdbRegisters;
  /** [vector area, program image]. */
  memory: Uint8Array[];
  uart: string;
  trace?: bigint[];
  executed: number;
}

/** Memory ranges both sides read: the vector area and the whole program image. */
export function memoryRanges(b: BuiltProgram): Array<{ addr: bigint; length: number }> {
  return [VECTOR_AREA, { addr: ORIGIN, length: Number(b.imageEnd - ORIGIN) }];
}

export class FpuNotWired extends Error {}

/** Runs a built program on our emulator (interpreter, one step at a time) until `end`. */
export function runOurs(b: BuiltProgram, opts: { trace?: boolean; maxSteps?: number } = {}): RunObservation {
  const cpuName = b.program.directives.cpu;
  const { machine, board } = createDemoMachine({ bigEndian: b.endian === 'big', cpu: cpuName });
  const cpu = machine.cpu;
  if (cpuName === '5KEf' && !cpu.fpu) throw new FpuNotWired('the FPU is not attached to the 5KEf model yet');
  let uart = '';
  machine.events.on('uartTx', ({ byte }) => { uart += String.fromCharCode(byte); });
  board.boot(b.elf);
  const trace: bigint[] | undefined = opts.trace ? [] : undefined;
  const endLo = Number(BigInt.asIntN(32, b.end)), endHi = Number(BigInt.asIntN(32, b.end >> 32n));
  const max = opts.maxSteps ?? 5_000_000;
  let stop: RunObservation['stop'] = 'timeout';
  const start = cpu.icount;
  for (let n = 0; n < max; n++) {
    if (cpu.pcLo === endLo && cpu.pcHi === endHi && !cpu.inDelay) { stop = 'breakpoint'; break; }
    if (trace) {
      // QEMU logs an instruction when its translation block starts executing: not for an
      // interrupt taken before it, nor for a fetch the MMU refuses.
      const takesInterrupt = cpu.irqPending && !cpu.inDelay;
      if (!takesInterrupt && fetchOk(cpu)) trace.push(BigInt.asUintN(64, cpu.pc));
    }
    if (cpu.icount >= cpu.nextEvent) cpu.hooks.onEvent(cpu);
    const pcLo = cpu.pcLo, pcHi = cpu.pcHi;
    machine.interp.step();
    // A branch-likely that is not taken: QEMU enters (and logs) the delay-slot block,
    // which only jumps over the annulled instruction.
    if (trace && cpu.brState === 2) trace.push(BigInt.asUintN(64, ((BigInt(pcHi) << 32n) | BigInt(pcLo >>> 0)) + 4n));
  }
  const regs = cpuRegisters(cpu);
  const memory = memoryRanges(b).map((r) => readVirtual(machine, r.addr, r.length));
  // Let the UART finish transmitting (it models transmission time) without running the
  // CPU any further: tick the timed devices through their pending events.
  for (const d of machine.board.devices) {
    if (!isTimed(d)) continue;
    for (let i = 0; i < 10000; i++) {
      const t = d.nextEvent();
      if (t === Infinity) break;
      d.tick(t);
    }
  }
  return {
    stop, regs, memory, uart, trace, executed: cpu.icount - start,
  };
}

/**
 * Whether QEMU logs the instruction at PC: a misaligned PC is detected while translating
 * (the block raises AdEL and is logged); a fetch the MMU refuses faults before any block
 * exists (not logged).
 */
function fetchOk(cpu: ReturnType<typeof createDemoMachine>['machine']['cpu']): boolean {
  if (cpu.pcLo & 3) return true;
  return translate(cpu, cpu.pcHi, cpu.pcLo, false, cpu.mode, cpu.c0.status, cpu.asid) >= 0;
}

type Machine = ReturnType<typeof createDemoMachine>['machine'];

export function cpuRegisters(cpu: Machine['cpu']): GdbRegisters {
  const s32 = (v: number): bigint => BigInt.asUintN(64, BigInt(v | 0));
  const fpr: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const f = cpu.fpu?.f;
    fpr.push(f ? BigInt.asUintN(64, (BigInt(f[2 * i + 1]) << 32n) | BigInt(f[2 * i] >>> 0)) : 0n);
  }
  return {
    gpr: Array.from({ length: 32 }, (_, i) => BigInt.asUintN(64, cpu.getGpr(i))),
    status: s32(cpu.c0.status), lo: BigInt.asUintN(64, (BigInt(cpu.r[65]) << 32n) | BigInt(cpu.r[64] >>> 0)),
    hi: BigInt.asUintN(64, (BigInt(cpu.r[67]) << 32n) | BigInt(cpu.r[66] >>> 0)),
    badVAddr: BigInt.asUintN(64, cpu.c0.badVAddr), cause: s32(cpu.c0.cause), pc: BigInt.asUintN(64, cpu.pc),
    fpr, fcsr: s32(cpu.fpu?.fcsr ?? 0), fir: s32(cpu.model.fir),
  };
}

/** Reads kseg0 memory (physical = virtual & 0x1fffffff) from our machine's RAM. */
function readVirtual(m: Machine, addr: bigint, length: number): Uint8Array {
  const pa = Number(addr & 0x1fffffffn);
  return m.bus.ram.slice(pa, pa + length);
}

// ---- comparison -------------------------------------------------------------------------

/**
 * Bits compared in every program unless a directive says otherwise. Exclusions, each
 * with its reason:
 *  - Count (CP0 9) and Random (CP0 1) are never dumped: Count follows QEMU's host-clock
 *    virtual time (ours counts instructions), and QEMU's Random comes from a global
 *    pseudo-random generator.
 *  - Cause.IP2..IP6 (bits 14:10), in the GDB `cause` and the dumped Cause: external
 *    interrupt lines of the board. QEMU's Malta routes its i8259 (with a running PIT
 *    channel 0 after reset) to IP2; our demo board wires only its UART there. Programs
 *    never unmask IM2..IM6, so these lines never change control flow.
 */
export const DEFAULT_MASKS: ReadonlyMap<string, bigint> = new Map([
  ['cause', ~0x7c00n & 0xffffffffffffffffn],
  ['cp0.cause', ~0x7c00n & 0xffffffffffffffffn],
]);

export interface Mismatch { field: string; ours: bigint | string; qemu: bigint | string }

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');

export function symbolize(b: BuiltProgram, addr: bigint): string {
  let best: [string, bigint] | undefined;
  for (const [n, v] of b.symbols) if (v <= addr && (!best || v > best[1] || (v === best[1] && n < best[0]))) best = [n, v];
  if (!best) return hex(addr);
  return addr === best[1] ? best[0] : `${best[0]}+0x${(addr - best[1]).toString(16)}`;
}

function maskFor(d: Directives, field: string): bigint | undefined {
  if (d.ignore.has(field)) return undefined;
  return d.masks.get(field) ?? DEFAULT_MASKS.get(field) ?? 0xffffffffffffffffn;
}

export function compareRuns(b: BuiltProgram, ours: RunObservation, qemu: RunObservation): Mismatch[] {
  const d = b.program.directives;
  const out: Mismatch[] = [];
  const cmp = (field: string, o: bigint, q: bigint): void => {
    const m = maskFor(d, field);
    if (m === undefined) return;
    if ((BigInt.asUintN(64, o) & m) !== (BigInt.asUintN(64, q) & m)) out.push({ field, ours: o, qemu: q });
  };
  if (ours.stop !== qemu.stop) out.push({ field: 'stop', ours: ours.stop, qemu: qemu.stop });
  for (let i = 1; i < 32; i++) cmp(`gpr${i}`, ours.regs.gpr[i], qemu.regs.gpr[i]);
  for (const f of ['hi', 'lo', 'pc', 'status', 'badVAddr', 'cause'] as const) cmp(f.toLowerCase(), ours.regs[f], qemu.regs[f]);
  if (d.cpu === '5KEf') {
    // With Status.FR = 0 QEMU's stub reports only the 32-bit word of each FPR.
    const fr = (ours.regs.status & (1n << 26n)) !== 0n;
    for (let i = 0; i < 32; i++) {
      cmp(`fpr${i}`, fr ? ours.regs.fpr[i] : ours.regs.fpr[i] & 0xffffffffn, fr ? qemu.regs.fpr[i] : qemu.regs.fpr[i] & 0xffffffffn);
    }
    cmp('fcsr', ours.regs.fcsr, qemu.regs.fcsr);
  }
  // Memory: the dump area field by field, everything else byte by byte.
  const ignored = new Set<bigint>();
  for (const im of d.ignoreMem) {
    const base = b.symbols.get(im.symbol);
    if (base === undefined) throw new Error(`${b.program.name}: ignore-mem symbol '${im.symbol}' not found`);
    for (let i = 0; i < im.length; i++) ignored.add(base + BigInt(i));
  }
  const ranges = memoryRanges(b);
  const dumpEnd = b.dump + BigInt(DUMP_FIELDS.length * 8);
  const big = b.endian === 'big';
  const word = (buf: Uint8Array, off: number): bigint => {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(buf[big ? off + i : off + 7 - i]);
    return v;
  };
  ranges.forEach((r, ri) => {
    const o = ours.memory[ri], q = qemu.memory[ri];
    let reported = 0;
    for (let i = 0; i < r.length; i++) {
      const a = r.addr + BigInt(i);
      if (a >= b.dump && a < dumpEnd) {
        if ((a - b.dump) % 8n === 0n) {
          const field = DUMP_FIELDS[Number((a - b.dump) / 8n)];
          cmp(field, word(o, i), word(q, i));
        }
        continue;
      }
      if (o[i] === q[i] || ignored.has(a)) continue;
      if (reported++ < 8) {
        const al = i & ~7;
        out.push({ field: `mem ${symbolize(b, r.addr + BigInt(al))} (${hex(r.addr + BigInt(al))})`, ours: word(o, al), qemu: word(q, al) });
        i = al + 7;
      }
    }
  });
  if (ours.uart !== qemu.uart) out.push({ field: 'uart', ours: JSON.stringify(ours.uart), qemu: JSON.stringify(qemu.uart) });
  return out;
}

/**
 * QEMU's executed PCs from the program entry on (its boot stub runs first), with
 * consecutive repeats collapsed: QEMU logs a block when it enters it, and a block that
 * exits at once on a pending exit request (an I/O-thread kick, a timer, a device
 * interrupt line) is entered and logged again. Consecutive equal PCs cannot otherwise
 * occur in these programs (none returns with eret to the eret itself), and our trace is
 * collapsed the same way.
 */
export function qemuTraceFromEntry(b: BuiltProgram, trace: bigint[]): bigint[] {
  const i = trace.indexOf(b.entry);
  const t = collapseRepeats(i < 0 ? [] : trace.slice(i));
  // The breakpoint at `end` stops before `end` executes; drop it if it was logged.
  while (t.length && t[t.length - 1] === b.end) t.pop();
  return t;
}

export function collapseRepeats(t: bigint[]): bigint[] {
  return t.filter((pc, i) => i === 0 || pc !== t[i - 1]);
}

/** First divergence of two PC traces, described with symbols, or undefined when equal. */
export function compareTraces(b: BuiltProgram, oursRaw: bigint[], qemu: bigint[]): string | undefined {
  const ours = collapseRepeats(oursRaw);
  const n = Math.min(ours.length, qemu.length);
  let i = 0;
  while (i < n && ours[i] === qemu[i]) i++;
  if (i === n && ours.length === qemu.length) return undefined;
  const ctx = (t: bigint[]): string => t.slice(Math.max(0, i - 4), i + 3)
    .map((pc, k) => `${Math.max(0, i - 4) + k === i ? '>' : ' '}${symbolize(b, pc)}`).join(' ');
  return `PC traces diverge at step ${i} (ours ${ours.length} steps, QEMU ${qemu.length}):\n  ours: ${ctx(ours)}\n  qemu: ${ctx(qemu)}`;
}

export function describeMismatches(b: BuiltProgram, ms: Mismatch[]): string {
  const fmt = (v: bigint | string): string => (typeof v === 'bigint' ? hex(v) : v);
  return ms.map((m) => `  ${b.program.name} [${b.endian}] ${m.field}: ours ${fmt(m.ours)}, qemu ${fmt(m.qemu)}`).join('\n');
}
