// KASLR for kernel symbols that come from an ELF file (an unstripped vmlinux booted
// directly, or the vmlinux of Debian's -dbg package given as a symbol file next to the
// stripped vmlinuz): the symbol table, the DWARF line rows and the call frame information
// of that file are at link addresses, and a CONFIG_RELOCATABLE kernel moves itself.
//
// kernel_entry calls relocate_kernel at its link address; it returns in v0 the entry to
// jump to (start_kernel, in the copy or not). An internal breakpoint at relocate_kernel,
// then at its return address, reads v0: offset = v0 − start_kernel's link address. Until
// then the kernel file's symbols, lines and CFI are set aside (breakpoints on them stay
// unverified, saying so); then they are moved by the offset and `onReady` tells the front
// end. The breakpoint on relocate_kernel stays armed, so a board reset (which boots and
// relocates again) is followed: at the reset the file's symbols are set aside until then.
// After a checkpoint restore, resync() reads the running kernel's own kallsyms to find
// where start_kernel is now.

import { SHT_NOBITS } from '../loader/elf';
import type { ElfFile } from '../loader/elf';
import type { SymbolTable } from '../loader/symbols';
import type { MachineDebugger } from './debugger';
import {
  DecompressorJump, findDecompressorJump, hookRelocateKernelReturn, inDecompressor, kaslrText, KernelSymbolsHandlers, KernelSymbolsInfo,
  readLiveKallsyms, relocationOffset,
} from './kernel-symbols';

const KSEG0 = 0xffffffff80000000n;
/** Kernel images link in kseg0/kseg1; modules (kseg2 and up) are not "the kernel". */
const KERNEL_END = 0xffffffffc0000000n;
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const PENDING = 'the kernel has relocated itself (its KASLR offset is read when relocate_kernel returns)';

/** Link addresses that make a symbol file "the kernel" and let its relocation be followed. */
export interface KernelLinkSymbols {
  readonly startKernel: bigint;
  readonly relocateKernel: bigint | undefined;
  /** The file's linux_banner ("Linux version … #1 SMP …"): the build it describes. */
  readonly banner?: { readonly addr: bigint; readonly text: string };
}

/** The NUL-terminated linux_banner string of a kernel ELF at its link address, if it has one. */
export function kernelBanner(elf: ElfFile, table: SymbolTable): { addr: bigint; text: string } | undefined {
  const addr = table.byName('linux_banner')?.addr;
  if (addr === undefined) return undefined;
  const a = U64(addr);
  for (const sec of elf.sections) {
    const start = elf.class === 32 ? U64(BigInt.asIntN(32, sec.addr)) : sec.addr;
    if (sec.type === SHT_NOBITS || sec.size === 0 || a < start || a >= start + BigInt(sec.size)) continue;
    const bytes = sec.data();
    const from = Number(a - start);
    let end = from;
    while (end < bytes.length && end - from < 512 && bytes[end] !== 0) end++;
    const text = new TextDecoder('latin1').decode(bytes.subarray(from, end));
    return /^Linux version /.test(text) ? { addr: a, text } : undefined;
  }
  return undefined;
}

/**
 * Whether a symbol table is a Linux MIPS kernel's (defines start_kernel and _text (or
 * _stext), in kseg0/kseg1): its link addresses, else undefined.
 */
export function kernelLinkSymbols(table: SymbolTable): KernelLinkSymbols | undefined {
  const sk = table.byName('start_kernel')?.addr;
  const text = (table.byName('_text') ?? table.byName('_stext'))?.addr;
  if (sk === undefined || text === undefined) return undefined;
  const t = U64(text);
  if (t < KSEG0 || t >= KERNEL_END) return undefined;
  return { startKernel: U64(sk), relocateKernel: table.byName('relocate_kernel')?.addr };
}

export class KernelRelocation {
  private returnHook: bigint | undefined;
  private offset: bigint | undefined;
  /** What the last onReady reported (undefined while pending). */
  info: KernelSymbolsInfo | undefined;
  private readonly decompressor: DecompressorJump | undefined;

  /**
   * Follows the relocation of the kernel whose symbols, lines and CFI were loaded from
   * `sources` (at offset 0) with link addresses `link`. `kernel`: the booted image (a
   * vmlinuz: a CPU inside its decompressor has not started the kernel yet).
   */
  constructor(
    private readonly dbg: MachineDebugger,
    private readonly sources: readonly string[],
    private readonly link: KernelLinkSymbols & { relocateKernel: bigint },
    private readonly handlers: KernelSymbolsHandlers,
    kernel?: Uint8Array | ElfFile,
  ) {
    this.decompressor = kernel ? findDecompressorJump(kernel) : undefined;
    this.arm();
    this.place(undefined);
    dbg.machine.events.on('reset', () => this.onReset());
  }

  /** A board reset: the kernel boots (and relocates itself) again. */
  private onReset(): void {
    if (this.returnHook !== undefined && this.returnHook !== this.link.relocateKernel) this.dbg.setInternalBreakpoint(this.returnHook, undefined);
    this.returnHook = undefined;
    this.arm();
    if (this.offset === undefined) return;
    this.place(undefined);
    this.handlers.onPending?.();
  }

  /** Symbols of the kernel are set aside until its relocation is seen. */
  get pending(): boolean {
    return this.offset === undefined;
  }

  private arm(): void {
    const rk = this.link.relocateKernel;
    this.dbg.setInternalBreakpoint(rk, () => this.onRelocateKernel());
  }

  /** kernel_entry calls relocate_kernel (at its link address): wait for its return. */
  private onRelocateKernel(): void {
    if (this.offset !== undefined) {
      this.place(undefined); // a second boot (reset): the offset may differ
      this.handlers.onPending?.();
    }
    if (this.returnHook !== undefined && this.returnHook !== this.link.relocateKernel) this.dbg.setInternalBreakpoint(this.returnHook, undefined);
    this.returnHook = hookRelocateKernelReturn(this.dbg, (entry) => {
      this.returnHook = undefined;
      this.arm();
      this.onRelocated(entry);
    });
  }

  /** relocate_kernel returned `entry` (v0): start_kernel, moved or not. */
  private onRelocated(entry: bigint): void {
    const offset = relocationOffset(this.dbg, entry, this.link.startKernel, this.handlers.onError);
    if (offset === undefined) this.publish(0n, 'not rebased');
    else this.publish(offset, kaslrText(offset));
  }

  /** Moves (or with undefined sets aside) the kernel's symbols, lines and CFI. */
  private place(offset: bigint | undefined): { symbols: number; rows: number; fdes: number } {
    const dbg = this.dbg;
    this.offset = offset;
    this.info = undefined;
    dbg.symbolsPending = offset === undefined ? PENDING : undefined;
    let symbols = 0, rows = 0, fdes = 0;
    for (const s of this.sources) {
      symbols += dbg.symbols.rebase(s, offset);
      rows += dbg.lines.rebase(s, offset);
      fdes += dbg.unwinder.rebase(s, offset);
      dbg.types.rebase(s, offset);
    }
    return { symbols, rows, fdes };
  }

  /**
   * Whether the running kernel is the build the symbol file describes: its linux_banner in
   * guest memory (at the file's address + offset) equals the file's. Unreadable memory (a
   * page not mapped yet) is no evidence either way.
   */
  private otherBuild(offset: bigint): string | undefined {
    const b = this.link.banner;
    if (!b) return undefined;
    const bytes = this.dbg.mem.read({ addr: U64(b.addr + offset), phys: false }, b.text.length + 1);
    if (bytes.some((x) => x === undefined)) return undefined;
    const running = String.fromCharCode(...(bytes as number[]));
    if (running === `${b.text}\0`) return undefined;
    const line = (t: string): string => JSON.stringify(t.replace(/\0.*$/s, '').trim().slice(0, 120));
    return `kernel symbols: ${this.sources.join(', ')} is not the running kernel's build (its banner ${line(b.text)}, the guest's ${line(running)}): `
      + 'its symbols, lines and CFI are not used. Give the unstripped vmlinux of this very kernel (for Debian\'s guest: '
      + 'MIPS64: Fetch Kernel Debug Symbols, or mips64 guest fetch-symbols debian-malta --refresh)';
  }

  private publish(offset: bigint, kaslr: string): void {
    const other = this.otherBuild(offset);
    if (other !== undefined) {
      this.place(undefined);
      this.dbg.symbolsPending = undefined; // not pending: refused until the next boot or restore
      this.dbg.symbolsChanged();
      this.handlers.onError(other);
      return;
    }
    const n = this.place(offset);
    this.dbg.symbolsChanged();
    const what = `${n.symbols} symbols, ${n.rows} line rows, ${n.fdes} CFI entries`;
    this.info = { count: n.symbols, offset, relocatable: true, text: `kernel symbols: ${this.sources.join(', ')} (${what}); ${kaslr}` };
    this.handlers.onReady(this.info);
  }

  /**
   * The machine state was replaced (checkpoint restore, or a debugger attaching to a
   * running machine): a CPU in the decompressor has not started the kernel; otherwise the
   * running kernel's kallsyms say where start_kernel is now.
   */
  resync(): void {
    const dbg = this.dbg;
    if (this.returnHook !== undefined && this.returnHook !== this.link.relocateKernel) dbg.setInternalBreakpoint(this.returnHook, undefined);
    this.returnHook = undefined;
    this.arm();
    if (this.decompressor && inDecompressor(dbg, this.decompressor)) {
      this.place(undefined);
      this.handlers.onPending?.();
      return;
    }
    let live: bigint | undefined;
    try {
      live = readLiveKallsyms(dbg, this.decompressor?.decompressorEnd ?? 0).symbols.find((s) => s.name === 'start_kernel')?.addr;
      if (live === undefined) throw new Error('no start_kernel in them');
    } catch (e) {
      this.handlers.onError(`kernel symbols: the running kernel's kallsyms cannot be read (${(e as Error).message}); its symbols are assumed not relocated`);
      this.publish(0n, 'KASLR offset unknown, assumed 0');
      return;
    }
    const offset = U64(live - this.link.startKernel);
    this.publish(offset, `${kaslrText(offset)} (read from the running kernel)`);
  }
}
