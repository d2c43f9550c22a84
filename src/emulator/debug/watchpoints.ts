// Data breakpoints (watchpoints) on guest memory, any number of them, built on page
// traps: a watched RAM page traps on write (TRAP_WRITE) or on every access
// (TRAP_ACCESS), so the host translation cache never holds an entry that would bypass
// the CPU's slow path there, and every access to the page reaches Cpu.pageTrap. Pages
// without a watch keep running at full speed, in both engines.
//
// The trap arrives before the access: the handler checks the exact byte range, records
// PC, address, size and the old value, and asks the engine to stop after the
// instruction (stopRequested; ioHit makes a translated block exit right after the
// load/store). The new value is read once the instruction has completed.
//
// The translating engine owns TRAP_WRITE on pages holding translated code and clears
// it when it drops that code (or flushes): the debugger's trap is re-armed right
// after, from its page-trap client (Cpu.pageTrapClients: after the engine's, which the
// Machine registers first) and by rearm().

import type { Cpu } from '../cpu/cpu';
import { Access, TRAP_ACCESS, TRAP_WRITE } from '../mmu/host-tlb';
import { DebugMemory } from './memory';

export type WatchAccess = 'read' | 'write' | 'readWrite';

export interface WatchSpec {
  readonly id: number;
  /** Virtual (or physical, when phys) address and length in bytes. */
  readonly addr: bigint;
  readonly phys: boolean;
  readonly length: number;
  readonly access: WatchAccess;
  /** Who set it (debugger.ts keeps a remote-protocol client's watchpoints apart); default 'client'. */
  readonly owner?: 'client' | 'remote';
}

interface Watch extends WatchSpec {
  /** RAM offset of the first watched byte (the range is contiguous in RAM). */
  readonly off: number;
}

export interface WatchHit {
  readonly watch: WatchSpec;
  readonly pc: bigint;
  /** Virtual address the instruction accessed (and its RAM offset). */
  readonly va: bigint;
  readonly off: number;
  readonly size: number;
  readonly write: boolean;
  /** Value of the accessed bytes before the access (guest byte order, unsigned). */
  readonly old: bigint;
  /** Value after the instruction completed (filled in by complete()). */
  value: bigint;
}

export class Watchpoints {
  private watches: Watch[] = [];
  /** Trap flags the watchpoints need, per RAM page. */
  private readonly pages = new Map<number, number>();
  /** Hits of the instruction that just trapped (usually one). */
  hits: WatchHit[] = [];

  constructor(
    private readonly cpu: Cpu,
    private readonly mem: DebugMemory,
    /** Drops translated code on a page (the JIT's invalidatePage) before a trap is lifted. */
    private readonly dropCode: (page: number) => void,
  ) {
    cpu.pageTrapClients.push((off, acc, hi, lo) => {
      if (this.pages.size !== 0) this.onTrap(off, acc, hi, lo);
    });
  }

  get size(): number {
    return this.watches.length;
  }

  list(): readonly WatchSpec[] {
    return this.watches;
  }

  /**
   * Resolves a watch to RAM. Returns an error text when the range is not (entirely,
   * contiguously) RAM: unmapped, a device, or split across differently mapped pages.
   */
  resolve(spec: WatchSpec): { off: number } | { error: string } {
    if (spec.length < 1 || spec.length > 4096) return { error: `watch length must be 1..4096 bytes, got ${spec.length}` };
    const first = this.mem.ramOffset({ addr: spec.addr, phys: spec.phys });
    if (first < 0) return { error: `0x${spec.addr.toString(16)} is not mapped to RAM` };
    const last = this.mem.ramOffset({ addr: spec.addr + BigInt(spec.length - 1), phys: spec.phys });
    if (last !== first + spec.length - 1) return { error: 'the range is not contiguous in RAM' };
    return { off: first };
  }

  /** Replaces every watchpoint. Specs that do not resolve are skipped (see resolve()). */
  set(specs: readonly WatchSpec[]): void {
    const oldPages = new Map(this.pages);
    this.watches = [];
    this.pages.clear();
    for (const s of specs) {
      const r = this.resolve(s);
      if ('error' in r) continue;
      this.watches.push({ ...s, off: r.off });
      const flag = s.access === 'write' ? TRAP_WRITE : TRAP_ACCESS;
      for (let p = r.off >>> 12; p <= (r.off + s.length - 1) >>> 12; p++) this.pages.set(p, (this.pages.get(p) ?? 0) | flag);
    }
    const h = this.cpu.htlb;
    for (const [p, f] of oldPages) {
      const keep = this.pages.get(p) ?? 0;
      const lift = f & ~keep;
      if (lift === 0) continue;
      // Translated code on the page relies on TRAP_WRITE: drop it before lifting.
      if (lift & TRAP_WRITE) this.dropCode(p);
      h.clearTrap(p, lift);
    }
    this.rearm();
  }

  /** Sets every trap the watchpoints need (after the JIT flushed or dropped code pages). */
  rearm(): void {
    const h = this.cpu.htlb;
    for (const [p, f] of this.pages) if ((h.traps[p] & f) !== f) h.setTrap(p, f);
  }

  private onTrap(off: number, acc: Access, hi: number, lo: number): void {
    const page = off >>> 12;
    const need = this.pages.get(page);
    if (need === undefined) return;
    // The JIT may just have lifted TRAP_WRITE (dropping code on this page).
    const h = this.cpu.htlb;
    if ((h.traps[page] & need) !== need) h.setTrap(page, need);
    if (acc === Access.Fetch) return;
    const write = acc === Access.Write;
    let size = 0;
    for (const w of this.watches) {
      if (write ? w.access === 'read' : w.access === 'write') continue;
      if (size === 0) size = this.accessSize();
      if (off + size <= w.off || off >= w.off + w.length) continue;
      const cpu = this.cpu;
      const va = BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
      const old = this.ramValue(off, size);
      this.hits.push({ watch: w, pc: BigInt.asUintN(64, cpu.pc), va, off, size, write, old, value: old });
      cpu.stopRequested = true;
      cpu.ioHit = true; // a translated block exits right after this load/store
      return;
    }
  }

  /** Bytes the current instruction accesses (from its table entry), after syncing the PC. */
  private accessSize(): number {
    const c = this.cpu;
    c.sync();
    const w = this.mem.word(c.pc);
    if (w === undefined) return 1;
    const n = c.decoder.decode(w).canonical.memSize;
    return n > 0 ? n : 1;
  }

  /** Fills in the values after the trapping instruction completed; returns and clears the hits. */
  complete(): WatchHit[] {
    const hits = this.hits;
    this.hits = [];
    for (const h of hits) h.value = this.ramValue(h.off, h.size);
    return hits;
  }

  private ramValue(off: number, size: number): bigint {
    const ram = this.cpu.bus.ram, big = this.cpu.bus.bigEndian;
    let v = 0n;
    for (let k = 0; k < size; k++) v = (v << 8n) | BigInt(ram[off + (big ? k : size - 1 - k)] ?? 0);
    return v;
  }
}
