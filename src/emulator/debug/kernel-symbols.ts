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
// A board reset runs the decompressor again: the symbols are dropped at the reset and found
// again (the KASLR offset may differ). After a checkpoint restore (or when a debugger
// attaches to a restored machine) they are read from the running kernel's own tables; the
// KASLR offset is then the live kernel_entry minus its link address, which the
// decompressor's final jump holds as a constant. Internal breakpoints never surface as stops.

import { ElfFile, parseElf, PT_LOAD } from '../loader/elf';
import { decodeKallsyms, Kallsyms, kallsymsEntries } from '../loader/kallsyms';
import { SymbolTable } from '../loader/symbols';
import type { MachineDebugger } from './debugger';

export const KALLSYMS_SOURCE = 'kallsyms';
const PENDING = 'kernel symbols are read from kallsyms (when the decompressed kernel starts)';
/** What kallsyms lacks, and how to get it. */
export const KALLSYMS_ONLY = 'the kernel\'s symbols come from its kallsyms, which hold functions only: its variables and types come with '
  + 'its unstripped vmlinux — for Debian\'s guest run MIPS64: Fetch Kernel Debug Symbols (or mips64 guest fetch-symbols debian-malta) '
  + 'and start the session again; else give the vmlinux in "symbols"';

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
  /** The decompressor's code as the ELF loads it (to tell whether it still runs). */
  readonly code: { readonly addr: bigint; readonly bytes: Uint8Array; readonly little: boolean };
  /** kernel_entry's link address: the constant the jump register is loaded with, when it is one. */
  readonly kernelEntry: bigint | undefined;
}

/**
 * Finds the decompressor's final jump: from the ELF entry, the first `b .` (the decompressor
 * never returns) preceded by `jr`/`jalr` and its delay slot. Undefined when the ELF does not
 * look like a Linux MIPS boot decompressor.
 */
export function findDecompressorJump(image: Uint8Array | ElfFile): DecompressorJump | undefined {
  let elf;
  try { elf = image instanceof ElfFile ? image : parseElf(image); } catch { return undefined; }
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
    const reg = (j >>> 21) & 31;
    const pc = U64(text.addr + BigInt(off - 8));
    const kernelEntry = constantIn(dv, le, Math.max(0, off - 8 - 4 * 8), off - 8, reg);
    return {
      pc, reg, decompressorPa: Number(low), decompressorEnd: Number(high),
      code: { addr: text.addr, bytes: data.slice(), little: le }, kernelEntry: kernelEntry === undefined ? undefined : U64(kernelEntry),
    };
  }
  return undefined;
}

/**
 * The value register `reg` holds at byte `end` of straight-line code starting at `start`
 * when only constant-building instructions (lui, ori, daddiu/addiu, dsll/dsll32, daddu
 * with $zero) write it there; undefined otherwise (e.g. a value loaded from memory).
 */
function constantIn(dv: DataView, le: boolean, start: number, end: number, reg: number): bigint | undefined {
  let v: bigint | undefined;
  for (let off = start; off < end; off += 4) {
    const w = dv.getUint32(off, le);
    const op = w >>> 26, rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, rd = (w >>> 11) & 31, sa = (w >>> 6) & 31, fn = w & 0x3f;
    const imm = BigInt(w & 0xffff), simm = BigInt((w << 16) >> 16);
    const src = (r: number): bigint | undefined => (r === 0 ? 0n : r === reg ? v : undefined);
    if (op === 0x0f && rt === reg) v = S64(BigInt.asIntN(32, imm << 16n)); // lui
    else if (op === 0x0d && rt === reg) { const a = src(rs); v = a === undefined ? undefined : a | imm; } // ori
    else if (op === 0x19 && rt === reg) { const a = src(rs); v = a === undefined ? undefined : S64(a + simm); } // daddiu
    else if (op === 0x09 && rt === reg) { const a = src(rs); v = a === undefined ? undefined : BigInt.asIntN(32, a + simm); } // addiu
    else if (op === 0 && rd === reg && rs === 0 && (fn === 0x38 || fn === 0x3c)) { // dsll, dsll32
      const a = src(rt); v = a === undefined ? undefined : S64(a << BigInt(sa + (fn === 0x3c ? 32 : 0)));
    } else if (op === 0 && rd === reg && fn === 0x2d) { // daddu
      const a = src(rs), b = src(rt); v = a === undefined || b === undefined ? undefined : S64(a + b);
    } else if (writesGpr(w) === reg) v = undefined;
  }
  return v;
}

/** The GPR an instruction writes, for the few kinds constantIn must not mistake (-1: none it tracks). */
function writesGpr(w: number): number {
  const op = w >>> 26;
  if (op === 0) return (w >>> 11) & 31;
  if (op === 0x03) return 31; // jal
  if (op >= 0x08 && op <= 0x0f) return (w >>> 16) & 31; // immediate arithmetic/logic
  if (op >= 0x18 && op <= 0x1a) return (w >>> 16) & 31; // daddi, daddiu, ldl
  if ((op >= 0x20 && op <= 0x27) || op === 0x37 || op === 0x1b) return (w >>> 16) & 31; // loads
  return -1;
}

/**
 * Whether the CPU runs the decompressor: its PC is in the decompressor's code and the RAM
 * there still holds that code (a kernel relocated by KASLR may have been copied over it).
 */
export function inDecompressor(dbg: MachineDebugger, jump: DecompressorJump): boolean {
  const pc = U64(dbg.cpu.pc);
  const { addr, bytes, little } = jump.code;
  if (pc < addr || pc + 16n > addr + BigInt(bytes.length)) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < 4; k++) {
    const off = Number(pc - addr) + k * 4;
    if (dbg.mem.word(pc + BigInt(k * 4)) !== (dv.getUint32(off, little) | 0)) return false;
  }
  return true;
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
    // A board reset boots again: the symbols are gone until the decompressor jumps to the kernel.
    dbg.machine.events.on('reset', () => this.drop(true));
  }

  /** Forgets the kernel's symbols until it starts again (`tell`: the front end hears so). */
  private drop(tell: boolean): void {
    const had = this.ready;
    this.ready = false;
    this.info = undefined;
    this.dbg.symbolsPending = PENDING;
    this.dbg.symbols.remove(KALLSYMS_SOURCE);
    for (const a of [this.relocateKernel, this.returnHook]) if (a !== undefined) this.dbg.setInternalBreakpoint(a, undefined);
    this.returnHook = undefined;
    this.dbg.setInternalBreakpoint(this.jump.pc, () => this.onKernelJump());
    if (had && tell) this.handlers.onPending?.();
  }

  /** Watches a vmlinuz boot for its kernel symbols; undefined when `kernel` is not a decompressor ELF. */
  static attach(dbg: MachineDebugger, kernel: Uint8Array | ElfFile, handlers: KernelSymbolsHandlers): KernelSymbols | undefined {
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
    this.drop(true); // a second boot not seen as a reset: breakpoints wait for the symbols again
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
    this.drop(false);
    if (inDecompressor(dbg, this.jump)) { this.handlers.onPending?.(); return; }
    let live: Kallsyms;
    try {
      live = readLiveKallsyms(dbg, this.jump.decompressorEnd);
    } catch (e) {
      this.fail(`kernel symbols: not found in the running kernel: ${(e as Error).message}`);
      return;
    }
    // The live tables hold run-time addresses; the offset is known when the link-time tables
    // were seen, else from kernel_entry (its link address is the decompressor's jump target).
    const liveEntry = live.symbols.find((s) => s.name === 'kernel_entry')?.addr;
    const offset = this.kallsyms ? U64(live.relativeBase - this.kallsyms.relativeBase)
      : this.jump.kernelEntry !== undefined && liveEntry !== undefined ? U64(liveEntry - this.jump.kernelEntry) : undefined;
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
    this.dbg.symbols.missingHint = KALLSYMS_ONLY;
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

export function kaslrText(offset: bigint): string {
  const o = S64(offset);
  return `KASLR offset ${o < 0n ? '-' : ''}0x${(o < 0n ? -o : o).toString(16)}${o === 0n ? ' (not relocated)' : ''}`;
}
