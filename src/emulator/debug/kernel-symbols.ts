// Kernel symbols found at run time, for a self-decompressing Linux kernel (vmlinuz) whose
// only symbols are its kallsyms tables, possibly relocated by KASLR:
//
//  1. The decompressor ends with a jump to the decompressed kernel (`jalr t9` then `b .`).
//     An internal breakpoint there reads the kernel image from guest RAM (no side effects)
//     and decodes kallsyms (link-time addresses).
//  2. A CONFIG_RELOCATABLE kernel calls relocate_kernel from kernel_entry, still at its link
//     address; it copies the kernel elsewhere (KASLR) and returns in v0 the entry to jump
//     to: start_kernel in the copy, or the original one. Internal breakpoints at its entry
//     and then at its return address ($ra) read v0: offset = v0 − start_kernel's link address.
//  3. The symbols go into the debugger's table rebased by that offset; `onReady` tells the
//     front end (breakpoints by name resolve from then on).
//
// A board reset runs the decompressor again: the symbols are dropped and found again (the
// KASLR offset may differ). Internal breakpoints never surface as stops.

import { parseElf, PT_LOAD } from '../loader/elf';
import { decodeKallsyms, Kallsyms, kallsymsEntries } from '../loader/kallsyms';
import { SymbolTable } from '../loader/symbols';
import type { MachineDebugger } from './debugger';

export const KALLSYMS_SOURCE = 'kallsyms';
const PENDING = 'kernel symbols are read from kallsyms (when the decompressed kernel starts)';

export interface KernelSymbolsInfo {
  readonly count: number;
  /** Relocation (KASLR) offset added to the link-time addresses; 0 when not relocated. */
  readonly offset: bigint;
  /** Whether relocate_kernel was seen returning (false: the kernel has no relocate_kernel). */
  readonly relocatable: boolean;
  /** One line for the user. */
  readonly text: string;
}

export interface KernelSymbolsHandlers {
  readonly onReady: (info: KernelSymbolsInfo) => void;
  readonly onError: (message: string) => void;
  /** Symbols were dropped and will come again (after a restore into the decompressor). */
  readonly onPending?: () => void;
}

const KSEG0 = 0xffffffff80000000n;
const KSEG_SIZE = 0x20000000n;
const MAX_IMAGE = 256 * 1024 * 1024;
/** RAM searched for a running kernel's tables when the decompressor's place does not bound it. */
const LIVE_SCAN = 128 * 1024 * 1024;
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const S64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Where a vmlinuz decompressor jumps to the kernel: the jump's address and its target register. */
export interface DecompressorJump {
  readonly pc: bigint;
  readonly reg: number;
  /** Lowest physical address of the decompressor itself (the kernel image lies below). */
  readonly decompressorPa: number;
  /** End of the decompressor's memory (physical, exclusive). */
  readonly decompressorEnd: number;
}

/**
 * Finds the decompressor's final jump: from the ELF entry, the first `b .` (the decompressor
 * never returns) preceded by `jr`/`jalr` and its delay slot. Undefined when the ELF does not
 * look like a Linux MIPS boot decompressor.
 */
export function findDecompressorJump(elfBytes: Uint8Array): DecompressorJump | undefined {
  let elf;
  try { elf = parseElf(elfBytes); } catch { return undefined; }
  const text = elf.sections.find((s) => s.size > 0 && s.addr <= elf.entry && elf.entry < s.addr + BigInt(s.size));
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0);
  if (!text || loads.length === 0) return undefined;
  const data = text.data();
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.endian === 'little';
  const start = Number(elf.entry - text.addr);
  for (let off = start + 8; off + 4 <= data.length && off < start + 4096; off += 4) {
    if (dv.getUint32(off, le) !== 0x1000ffff) continue; // b .
    const j = dv.getUint32(off - 8, le);
    const funct = j & 0x3f;
    if (j >>> 26 !== 0 || (funct !== 0x08 && funct !== 0x09)) return undefined;
    const lowVa = loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), loads[0]!.paddr);
    const highVa = loads.reduce((m, s) => (s.paddr + BigInt(s.memsz) > m ? s.paddr + BigInt(s.memsz) : m), 0n);
    const low = U64(lowVa) - KSEG0, high = U64(highVa) - KSEG0;
    if (low < 0n || high > KSEG_SIZE || high <= low) return undefined;
    return { pc: U64(text.addr + BigInt(off - 8)), reg: (j >>> 21) & 31, decompressorPa: Number(low), decompressorEnd: Number(high) };
  }
  return undefined;
}

export class KernelSymbols {
  private kallsyms: Kallsyms | undefined;
  private startKernel: bigint | undefined;
  private relocateKernel: bigint | undefined;
  private returnHook: bigint | undefined;
  private ready = false;
  /** What the last onReady reported (undefined while pending). */
  info: KernelSymbolsInfo | undefined;

  private constructor(private readonly dbg: MachineDebugger, private readonly jump: DecompressorJump, private readonly handlers: KernelSymbolsHandlers) {
    dbg.setInternalBreakpoint(jump.pc, () => this.onKernelJump());
    dbg.symbolsPending = PENDING;
  }

  /** Watches a vmlinuz boot for its kernel symbols; undefined when `kernel` is not a decompressor ELF. */
  static attach(dbg: MachineDebugger, kernel: Uint8Array, handlers: KernelSymbolsHandlers): KernelSymbols | undefined {
    const jump = findDecompressorJump(kernel);
    return jump ? new KernelSymbols(dbg, jump, handlers) : undefined;
  }

  /** Symbols are not known yet (the kernel has not started, or is relocating itself). */
  get pending(): boolean {
    return !this.ready;
  }

  /** The decompressor jumps to the kernel: read kallsyms from the decompressed image. */
  private onKernelJump(): void {
    const dbg = this.dbg;
    const had = this.ready;
    this.ready = false;
    this.info = undefined;
    dbg.symbolsPending = PENDING;
    dbg.symbols.remove(KALLSYMS_SOURCE);
    if (had) this.handlers.onPending?.(); // a second boot (reset): breakpoints wait for the symbols again
    if (this.returnHook !== undefined) { dbg.setInternalBreakpoint(this.returnHook, undefined); this.returnHook = undefined; }
    const target = U64(dbg.cpu.getGpr(this.jump.reg));
    if (target < KSEG0 || target >= KSEG0 + KSEG_SIZE) {
      this.fail(`kernel symbols: the decompressor jumps to 0x${target.toString(16)}, outside kseg0; kallsyms not read`);
      return;
    }
    if (!this.kallsyms) {
      const targetPa = Number(target - KSEG0);
      // The image ends below the decompressor (it is placed after the kernel); else assume a bound.
      const end = this.jump.decompressorPa > targetPa ? this.jump.decompressorPa : Math.min(targetPa + 64 * 1024 * 1024, MAX_IMAGE);
      const image = dbg.mem.physBlock(0, end);
      if (!image) { this.fail(`kernel symbols: guest RAM does not hold physical 0..0x${end.toString(16)}; kallsyms not read`); return; }
      try {
        this.kallsyms = decodeKallsyms(image, { base: KSEG0, endian: dbg.mem.bigEndian ? 'big' : 'little' });
      } catch (e) {
        this.fail(`kernel symbols: ${(e as Error).message}`);
        return;
      }
      const byName = (n: string): bigint | undefined => this.kallsyms!.symbols.find((s) => s.name === n)?.addr;
      this.startKernel = byName('start_kernel');
      this.relocateKernel = byName('relocate_kernel');
    }
    const rk = this.relocateKernel;
    if (rk === undefined || this.startKernel === undefined) { this.publish(0n, false); return; }
    // kernel_entry runs at the link address and calls relocate_kernel there.
    dbg.setInternalBreakpoint(rk, () => {
      dbg.setInternalBreakpoint(rk, undefined);
      this.returnHook = hookRelocateKernelReturn(dbg, (entry) => {
        this.returnHook = undefined;
        this.onRelocated(entry);
      });
    });
  }

  /** No symbols this boot: nothing is pending any more. */
  private fail(message: string): void {
    this.dbg.symbolsPending = undefined;
    this.handlers.onError(message);
  }

  /**
   * The machine state was replaced (a checkpoint restored): a CPU still in the decompressor
   * waits for its jump as usual; otherwise the symbols come from the running kernel's own
   * tables (the highest valid copy in RAM: a relocated kernel holds relocated addresses).
   */
  resync(): void {
    const dbg = this.dbg;
    this.ready = false;
    this.info = undefined;
    dbg.symbols.remove(KALLSYMS_SOURCE);
    for (const a of [this.relocateKernel, this.returnHook]) if (a !== undefined) dbg.setInternalBreakpoint(a, undefined);
    this.returnHook = undefined;
    dbg.setInternalBreakpoint(this.jump.pc, () => this.onKernelJump());
    const pa = kseg0Physical(dbg.cpu.pc);
    if (pa >= this.jump.decompressorPa && pa < this.jump.decompressorEnd) { dbg.symbolsPending = PENDING; this.handlers.onPending?.(); return; }
    let live: Kallsyms;
    try {
      live = readLiveKallsyms(dbg, this.jump.decompressorEnd);
    } catch (e) {
      this.fail(`kernel symbols: not found in the running kernel: ${(e as Error).message}`);
      return;
    }
    // The live tables hold run-time addresses; the offset is known when the link-time tables were seen.
    const offset = this.kallsyms ? U64(live.relativeBase - this.kallsyms.relativeBase) : undefined;
    this.publishTable(live, 0n, offset === undefined ? 'KASLR offset unknown (read from the running kernel)' : `${kaslrText(offset)} (read from the running kernel)`, offset ?? 0n, true);
  }

  /** relocate_kernel returned `entry` (v0): start_kernel, moved or not. */
  private onRelocated(entry: bigint): void {
    this.publish(relocationOffset(this.dbg, entry, this.startKernel!, this.handlers.onError) ?? 0n, true);
  }

  private publish(offset: bigint, relocatable: boolean): void {
    this.publishTable(this.kallsyms!, offset, relocatable ? kaslrText(offset) : 'kernel not relocatable (no relocate_kernel)', offset, relocatable);
  }

  /** Adds `ks` (rebased by `rebase`) as the kernel's symbols and tells the front end. */
  private publishTable(ks: Kallsyms, rebase: bigint, kaslr: string, offset: bigint, relocatable: boolean): void {
    this.dbg.symbols.remove(KALLSYMS_SOURCE);
    this.dbg.symbols.add(SymbolTable.fromEntries(kallsymsEntries(ks.symbols)), rebase, KALLSYMS_SOURCE);
    this.ready = true;
    this.dbg.symbolsPending = undefined;
    this.dbg.symbolsChanged();
    this.info = { count: ks.symbols.length, offset, relocatable, text: `kernel symbols: ${ks.symbols.length} from kallsyms; ${kaslr}` };
    this.handlers.onReady(this.info);
  }
}

/**
 * The running kernel's kallsyms tables (run-time addresses): the highest valid copy in RAM
 * (a relocated kernel lies above its link-time image). Throws when none is found.
 */
export function readLiveKallsyms(dbg: MachineDebugger, scanAtLeast = 0): Kallsyms {
  const ram = dbg.mem.physView(0, Math.min(Math.max(scanAtLeast, LIVE_SCAN), dbg.machine.bus.ramSize));
  if (!ram) throw new Error('guest RAM is not contiguous from physical 0');
  return decodeKallsyms(ram, { base: KSEG0, endian: dbg.mem.bigEndian ? 'big' : 'little', last: true });
}

/**
 * Called at relocate_kernel's entry (kernel_entry calls it at its link address): hooks its
 * return address ($ra now) once and there hands `onReturn` the entry it returned in v0.
 * Returns the hooked address.
 */
export function hookRelocateKernelReturn(dbg: MachineDebugger, onReturn: (entry: bigint) => void): bigint {
  const ra = U64(dbg.cpu.getGpr(31));
  dbg.setInternalBreakpoint(ra, () => {
    dbg.setInternalBreakpoint(ra, undefined);
    onReturn(U64(dbg.cpu.getGpr(2)));
  });
  return ra;
}

/**
 * The KASLR offset implied by relocate_kernel returning `entry` (start_kernel, moved or
 * not), checked: a moved copy must begin with the same instruction as the original.
 * Reports through `onError` and returns undefined when it does not.
 */
export function relocationOffset(dbg: MachineDebugger, entry: bigint, startKernel: bigint, onError: (message: string) => void): bigint | undefined {
  const offset = U64(entry - startKernel);
  const a = dbg.mem.word(entry), b = dbg.mem.word(startKernel);
  if (a === undefined || (offset !== 0n && a !== b)) {
    onError(`kernel symbols: relocate_kernel returned 0x${entry.toString(16)}, which does not look like start_kernel (link address 0x${startKernel.toString(16)}); symbols not rebased`);
    return undefined;
  }
  return offset;
}

/** Physical address of a kseg0 virtual address, or -1 outside kseg0. */
export function kseg0Physical(va: bigint): number {
  const v = U64(va);
  return v >= KSEG0 && v < KSEG0 + KSEG_SIZE ? Number(v - KSEG0) : -1;
}

export function kaslrText(offset: bigint): string {
  const o = S64(offset);
  return `KASLR offset ${o < 0n ? '-' : ''}0x${(o < 0n ? -o : o).toString(16)}${o === 0n ? ' (not relocated)' : ''}`;
}
