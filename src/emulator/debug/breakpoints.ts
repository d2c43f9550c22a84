// Instruction breakpoints by virtual PC, as the execution engines see them. The engines
// hold a reference only while at least one breakpoint exists and test the low word of
// the PC against `lows` before each instruction (interpreter) or block (translator's
// dispatcher); the full 64-bit address and everything else (skip-once after a resume,
// conditions, hit counts) is decided by check(), off the fast path. An instruction is
// reached when it is about to run: not while an interrupt is taken before it, nor while
// fetching it faults (a TLB refill of a page not mapped yet) — the exception runs first and
// the return to it is the one arrival, as with QEMU's gdbstub. Reporting it before the
// exception too made a resume from the report stop at it a second time.

import type { Cpu } from '../cpu/cpu';
import { translate } from '../mmu/translate';

const key = (lo: number, hi: number): string => `${hi >>> 0}:${lo >>> 0}`;

export class PcBreakpoints {
  /**
   * Low words (int32) of every breakpoint address, with the number of addresses that
   * share each: the engines' quick filter (`lows.has`). Kept by counts, so adding or
   * removing one breakpoint costs O(1) (rebuilding it per add made 10,000 cost ~10 s).
   */
  private readonly lowRefs = new Map<number, number>();
  readonly lows: { has(lo: number): boolean } = this.lowRefs;
  /** Full addresses as "hi:lo" (uint32 halves) with a reference count per address. */
  private readonly full = new Map<string, number>();
  /** A resume from (skipLo, skipHi) at icount skipAt passes that breakpoint once. */
  private skipLo = 0;
  private skipHi = 0;
  private skipAt = -1;
  /** Bumped on every change (the translator's blocks depend on the set). */
  version = 0;
  /** Address of the breakpoint that stopped execution last (set by check()). */
  hitAt: bigint | undefined = undefined;
  /**
   * Decides whether a breakpoint reached at the CPU's PC stops execution (conditions,
   * hit counts, logpoints). Called with precise CPU state before the instruction runs.
   */
  filter: ((pc: bigint, cpu: Cpu) => boolean) | undefined = undefined;

  get size(): number {
    return this.full.size;
  }

  add(addr: bigint): void {
    const a = BigInt.asUintN(64, addr);
    const lo = Number(BigInt.asIntN(32, a)), hi = Number(BigInt.asIntN(32, a >> 32n));
    const k = key(lo, hi);
    const n = this.full.get(k) ?? 0;
    this.full.set(k, n + 1);
    if (n === 0) this.lowRefs.set(lo | 0, (this.lowRefs.get(lo | 0) ?? 0) + 1);
    this.version++;
  }

  delete(addr: bigint): void {
    const a = BigInt.asUintN(64, addr);
    const lo = Number(BigInt.asIntN(32, a)), hi = Number(BigInt.asIntN(32, a >> 32n));
    const k = key(lo, hi);
    const n = this.full.get(k);
    if (n === undefined) return;
    if (n > 1) this.full.set(k, n - 1);
    else {
      this.full.delete(k);
      const r = this.lowRefs.get(lo | 0)!;
      if (r > 1) this.lowRefs.set(lo | 0, r - 1);
      else this.lowRefs.delete(lo | 0);
    }
    this.version++;
  }

  clear(): void {
    this.full.clear();
    this.lowRefs.clear();
    this.version++;
  }

  /** Whether there is a breakpoint at (lo, hi) (int32 halves of the address). */
  has(lo: number, hi: number): boolean {
    return this.lows.has(lo | 0) && this.full.has(key(lo, hi));
  }

  hasAddr(addr: bigint): boolean {
    const a = BigInt.asUintN(64, addr);
    return this.has(Number(BigInt.asIntN(32, a)), Number(BigInt.asIntN(32, a >> 32n)));
  }

  /** Lets the next check at the CPU's current PC and instruction count pass (resume from a breakpoint). */
  skipOnce(cpu: Cpu): void {
    this.skipLo = cpu.pcLo;
    this.skipHi = cpu.pcHi;
    this.skipAt = cpu.icount;
  }

  /** The skip-once state (time travel saves it with its snapshots). */
  get skipState(): readonly [number, number, number] {
    return [this.skipLo, this.skipHi, this.skipAt];
  }

  set skipState(s: readonly [number, number, number]) {
    [this.skipLo, this.skipHi, this.skipAt] = s;
  }

  /**
   * Called by an engine when lows has the PC's low word, before running the instruction
   * there. Returns true when execution must stop (the engine then sets stopRequested).
   */
  check(cpu: Cpu): boolean {
    const lo = cpu.pcLo, hi = cpu.pcHi;
    if (!this.full.has(key(lo, hi))) return false;
    if (lo === this.skipLo && hi === this.skipHi && cpu.icount === this.skipAt) return false;
    if (!reached(cpu)) return false;
    const pc = BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
    if (this.filter && !this.filter(pc, cpu)) {
      // Evaluated once per arrival: an engine handing the instruction to another check
      // (dispatcher, then interpreter) must not count a hit or log twice.
      this.skipOnce(cpu);
      return false;
    }
    this.hitAt = pc;
    return true;
  }
}

/** Whether the instruction at the PC runs next: no interrupt is taken before it and fetching it does not fault. */
function reached(cpu: Cpu): boolean {
  if (cpu.irqPending && !cpu.inDelay) return false;
  if ((cpu.pcLo & 3) !== 0) return false;
  if (translate(cpu, cpu.pcHi, cpu.pcLo, false, cpu.mode, cpu.c0.status, cpu.asid) < 0) return false;
  return (cpu.xlateInfo.inhibit & 1) === 0; // XI: the fetch is refused
}
