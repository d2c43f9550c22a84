// Debugger access to guest memory without side effects: virtual addresses are
// translated with translate() (pure: no TLB exception, no host-cache fill, no page
// trap) in kernel mode with the current Status and ASID (an address the TLB does not map:
// through the guest's page table, refill-walk.ts); only RAM is read or written —
// device registers are never touched (a read could pop a FIFO), they read as unreadable.
// Writes invalidate translated code on the pages they change.

import type { Cpu } from '../cpu/cpu';
import { Mode, translate, Xlate } from '../mmu/translate';
import type { PhysicalBus } from '../memory/bus';
import { refillWalk } from './refill-walk';

/** A memory address as the debugger names it: virtual (default) or physical (`phys:`). */
export interface MemRef {
  readonly addr: bigint;
  readonly phys: boolean;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Parses "0x…", a decimal number, or "phys:0x…". Returns undefined when it is not a plain address. */
export function parseMemRef(text: string): MemRef | undefined {
  let t = text.trim();
  let phys = false;
  if (/^phys:/i.test(t)) { phys = true; t = t.slice(5).trim(); }
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  return { addr: U64(BigInt(t)), phys };
}

export function formatMemRef(r: MemRef): string {
  return `${r.phys ? 'phys:' : ''}0x${r.addr.toString(16).padStart(r.phys ? 1 : 16, '0')}`;
}

export const XLATE_TEXT: Record<number, string> = {
  [Xlate.AddressError]: 'address error (not accessible in kernel mode with this Status)',
  [Xlate.Refill]: 'no TLB entry maps it',
  [Xlate.Invalid]: 'its TLB entry is invalid (V=0)',
  [Xlate.Modified]: 'its TLB entry is not writable (D=0)',
};

/**
 * tlbIndex: the TLB entry used (−1: none); victim: a victim entry (mmu/tlb.ts), not an
 * architectural one; walked (tlbIndex −1): no TLB entry, found in the kernel's page table (kernel-pages.ts).
 */
export type Translation = { ok: true; pa: number; tlbIndex: number; victim?: boolean; walked?: boolean } | { ok: false; code: Xlate; reason: string };

export class DebugMemory {
  /** Called after the debugger wrote RAM page `page` (translated code must be dropped). */
  onWrite: ((page: number) => void) | undefined = undefined;
  /** A mapped kernel address the TLB does not hold, through the guest kernel's page table (or undefined). */
  kernelPages: ((va: bigint) => number | undefined) | undefined = undefined;

  constructor(private readonly cpu: Cpu, private readonly bus: PhysicalBus) {}

  /** Virtual → physical, as kernel-mode code with the current Status and ASID would see it. */
  v2p(va: bigint, write = false): Translation {
    const v = U64(va);
    const lo = Number(BigInt.asIntN(32, v)), hi = Number(BigInt.asIntN(32, v >> 32n));
    const pa = translate(this.cpu, hi, lo, write, Mode.Kernel, this.cpu.c0.status, this.cpu.asid);
    if (pa === Xlate.Refill) {
      const walked = this.pageWalk(v);
      if (walked !== undefined) return { ok: true, pa: walked.pa, tlbIndex: -1, walked: true };
    }
    if (pa < 0) return { ok: false, code: pa as Xlate, reason: XLATE_TEXT[pa] ?? 'not mapped' };
    const i = this.cpu.xlateInfo.tlbIndex;
    return { ok: true, pa, tlbIndex: i, victim: i >= this.cpu.tlb.size };
  }

  /**
   * `va` through the guest's page table, never the TLB: the Linux kernel's walked with its
   * DWARF layout (kernelPages), else the guest's own TLB refill handler interpreted.
   */
  pageWalk(va: bigint): { pa: number; via: 'page table' | 'refill handler' } | undefined {
    const v = U64(va);
    const k = this.kernelPages?.(v);
    if (k !== undefined) return { pa: k, via: 'page table' };
    const r = refillWalk(this.cpu, v, (p) => this.readUnsigned({ addr: p, phys: true }, 8), this.bus.bigEndian);
    return r === undefined ? undefined : { pa: r, via: 'refill handler' };
  }

  /** A copy of `n` bytes of RAM from physical address `pa`, or undefined unless all of it is contiguous RAM. */
  physBlock(pa: number, n: number): Uint8Array | undefined {
    if (n <= 0) return new Uint8Array(0);
    const first = this.bus.ramOffset(pa), last = this.bus.ramOffset(pa + n - 1);
    if (first < 0 || last !== first + n - 1) return undefined;
    return this.bus.ram.slice(first, first + n);
  }

  /** Like physBlock, but a view of guest RAM itself (valid until the guest runs again; do not write through it). */
  physView(pa: number, n: number): Uint8Array | undefined {
    if (n <= 0) return new Uint8Array(0);
    const first = this.bus.ramOffset(pa), last = this.bus.ramOffset(pa + n - 1);
    if (first < 0 || last !== first + n - 1) return undefined;
    return this.bus.ram.subarray(first, first + n);
  }

  /** Whether guest memory is big-endian. */
  get bigEndian(): boolean {
    return this.bus.bigEndian;
  }

  /**
   * Virtual addresses that reach physical address `pa`: kseg0/kseg1 (below 512 MiB),
   * xkphys (cached, when Status.KX would allow it) and every valid TLB mapping.
   */
  p2v(pa: number): Array<{ va: bigint; via: string }> {
    const out: Array<{ va: bigint; via: string }> = [];
    const p = BigInt(pa);
    if (pa < 0x20000000) {
      out.push({ va: 0xffffffff80000000n + p, via: 'kseg0' });
      out.push({ va: 0xffffffffa0000000n + p, via: 'kseg1' });
    }
    out.push({ va: 0x9800000000000000n + p, via: 'xkphys (cacheable)' });
    const tlb = this.cpu.tlb;
    for (let i = 0; i < tlb.size; i++) {
      const e = tlb.read(i);
      const size = tlb.pageSize(i);
      for (const [odd, lo] of [[0, e.lo0], [1, e.lo1]] as const) {
        if (!(lo & 2)) continue;
        const pfnAddr = Math.floor(((Math.floor(lo / 64) % 2 ** 30) * 4096) / size) * size;
        if (pa < pfnAddr || pa >= pfnAddr + size) continue;
        const region = BigInt(e.hiHi >>> 30) << 62n;
        const vpnHi = BigInt(e.hiHi & 0x3fffffff) << 32n;
        const vpn2 = BigInt((e.hiLo & ~0x1fff & ~((size * 2) - 1)) >>> 0);
        let va = region | vpnHi | vpn2 | (odd ? BigInt(size) : 0n) | BigInt(pa - pfnAddr);
        // Compatibility segments are sign-extended 32-bit addresses.
        if ((e.hiHi >>> 30) === 3 && (e.hiHi & 0x3fffffff) === (2 ** (this.cpu.segBits - 32)) - 1) va |= 0xffffffff00000000n;
        const g = (e.lo0 % 2) === 1 && (e.lo1 % 2) === 1;
        out.push({ va: U64(va), via: `TLB[${i}]${g ? ' global' : ` ASID 0x${(e.hiLo & 0xff).toString(16)}`}` });
      }
    }
    return out;
  }

  /** Physical address of ref, or undefined when unmapped. */
  physOf(ref: MemRef, write = false): number | undefined {
    if (ref.phys) return ref.addr < 2n ** 53n ? Number(ref.addr) : undefined;
    const t = this.v2p(ref.addr, write);
    return t.ok ? t.pa : undefined;
  }

  /** RAM offset of ref, or -1 (unmapped, or not RAM). */
  ramOffset(ref: MemRef, write = false): number {
    const pa = this.physOf(ref, write);
    return pa === undefined ? -1 : this.bus.ramOffset(pa);
  }

  /** Reads n bytes; undefined marks a byte that is unmapped or not RAM. */
  read(ref: MemRef, n: number): (number | undefined)[] {
    const out: (number | undefined)[] = [];
    let i = 0;
    while (i < n) {
      const a = U64(ref.addr + BigInt(i));
      // Translate once per page (virtual) or per byte run (physical windows).
      const inPage = Math.min(n - i, 4096 - Number(a & 0xfffn));
      const off = this.ramOffset({ addr: a, phys: ref.phys });
      for (let k = 0; k < inPage; k++) {
        if (off < 0 || off + k >= this.bus.ramSize) out.push(undefined);
        else out.push(this.bus.ram[off + k]);
      }
      i += inPage;
    }
    return out;
  }

  /**
   * Reads up to n bytes into one array, stopping at the first byte that is unmapped or not
   * RAM (a bulk read for remote debuggers: the result may be shorter than asked).
   */
  readPrefix(ref: MemRef, n: number): Uint8Array {
    const out = new Uint8Array(n);
    let i = 0;
    while (i < n) {
      const a = U64(ref.addr + BigInt(i));
      const inPage = Math.min(n - i, 4096 - Number(a & 0xfffn));
      const off = this.ramOffset({ addr: a, phys: ref.phys });
      if (off < 0) break;
      const k = Math.min(inPage, this.bus.ramSize - off);
      out.set(this.bus.ram.subarray(off, off + k), i);
      i += k;
      if (k < inPage) break;
    }
    return out.subarray(0, i);
  }

  /** Reads an unsigned little/big-endian value of `size` bytes (guest byte order), or undefined. */
  readUnsigned(ref: MemRef, size: number): bigint | undefined {
    const b = this.read(ref, size);
    if (b.some((x) => x === undefined)) return undefined;
    let v = 0n;
    for (let k = 0; k < size; k++) {
      const byte = BigInt(b[this.bus.bigEndian ? k : size - 1 - k]!);
      v = (v << 8n) | byte;
    }
    return v;
  }

  /** Writes bytes (debugger writes ignore TLB write protection); returns how many were written before the first unwritable byte. */
  write(ref: MemRef, bytes: Uint8Array): number {
    let i = 0;
    const touched = new Set<number>();
    while (i < bytes.length) {
      const a = U64(ref.addr + BigInt(i));
      const inPage = Math.min(bytes.length - i, 4096 - Number(a & 0xfffn));
      const off = this.ramOffset({ addr: a, phys: ref.phys });
      if (off < 0) break;
      const n = Math.min(inPage, this.bus.ramSize - off);
      this.bus.ram.set(bytes.subarray(i, i + n), off);
      this.bus.onRamWrite?.(off, n); // dirty-page tracking (incremental checkpoints)
      for (let p = off >>> 12; p <= (off + n - 1) >>> 12; p++) touched.add(p);
      i += n;
      if (n < inPage) break;
    }
    for (const p of touched) this.onWrite?.(p);
    return i;
  }

  writeUnsigned(ref: MemRef, size: number, value: bigint): boolean {
    const bytes = new Uint8Array(size);
    let v = BigInt.asUintN(size * 8, value);
    for (let k = 0; k < size; k++) {
      bytes[this.bus.bigEndian ? size - 1 - k : k] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this.write(ref, bytes) === size;
  }

  /** The instruction word at a virtual address, or undefined. */
  word(va: bigint): number | undefined {
    const v = this.readUnsigned({ addr: va, phys: false }, 4);
    return v === undefined ? undefined : Number(v) | 0;
  }
}
