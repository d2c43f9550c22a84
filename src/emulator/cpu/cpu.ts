// One MIPS64 CPU: registers (64-bit values as int32 halves in one Int32Array), PC and
// delay-slot state, LL state, CP0, TLB, the FPU, and the primitives the instruction
// semantics call (memory access through the host translation cache, exceptions,
// branches, CP0 side effects). Execution engines (interpreter, translator) drive it.

import { markFieldsVariable, storeAsDoubles } from '../double-fields';
import { Decoder, decoderFor } from '../isa/decoder';
import { PhysicalBus } from '../memory/bus';
import { Access, HostTlb, HTLB_STORAGE_BYTES } from '../mmu/host-tlb';
import { lastXlate, Mode, modeOf, translate, Xlate } from '../mmu/translate';
import { Tlb } from '../mmu/tlb';
import { StateSpec } from '../snapshot/state';
import { bswap32, div32, div64, dmul64, getBig, ldlrMerge, madd32, mul32, ror64, sar64, sdlrMerge, setBig, shl64, shr64, toBig } from './arith';
import { Cp0 } from './cp0';
import * as cp0a from './cp0-access';
import {
  CA_BD, CA_CE, CA_EXCCODE, CA_IP, CA_IV, CA_TI, Exc, ST_BEV, ST_NMI, ST_SR, ST_CU0, ST_CU1, ST_CU2, ST_ERL, ST_EXL, ST_IE, ST_IM,
  ST_KX, ST_PX, ST_SX, ST_UX, ST_XLATE,
} from './cp0-defs';
import { CpuModel } from './cpu-models';
import { Fpu, FPU_5KEF } from './fpu';
import { CVMCTL_USEUN, CVMSEG_PA } from './cp0-cavium';
import { OcteonUnit } from './octeon-unit';

/** Thrown (never constructed per exception) to unwind out of an instruction after a guest exception. */
export const GUEST_EXCEPTION = { guestException: true } as const;

/** Minimal view of the FPU the CPU core needs directly; instruction templates call the rest. */
export interface FpuUnit {
  readonly f: Int32Array;
  fcsr: number;
  fr: boolean;
  reset(): void;
  cond(cc: number): boolean;
}

export interface CpuHooks {
  /** Called when icount reaches nextEvent; returns the new nextEvent. */
  onEvent(cpu: Cpu): void;
  /** Observes every exception (debugger filters); may request a stop. */
  onException?(cpu: Cpu, code: number): void;
  /** A WAIT executed (a board may treat a WAIT that nothing can end as the core halting). */
  onWait?(cpu: Cpu): void;
}

const TWO32 = 4294967296;
/** Exceptions in a row at one instruction count after which a run stops (see raise()). */
export const EXCEPTION_LOOP_LIMIT = 10_000;
/** sdl/sdr scratch: the merged doubleword. */
const SD_OUT = new Int32Array(2);

/** What precise state needs from a translated block. */
export interface JitBlockInfo {
  readonly startLo: number;
  readonly startHi: number;
  /** Index of the delay-slot instruction, or −1. */
  readonly ds: number;
  /** RAM offset of the translated code's page (a store into it may rewrite code still to run). */
  readonly ramOff: number;
}

export class Cpu {
  /**
   * GPR i: lo at 2i, hi at 2i+1; LO at 64/65; HI at 66/67. In the bus's core area (so on a
   * little-endian host each register is also one int64 for translated WebAssembly code).
   */
  readonly r: Int32Array;
  pcLo = 0;
  pcHi = 0;
  /** The current instruction executes in a delay slot; after it, PC = ds. */
  inDelay = false;
  dsLo = 0;
  dsHi = 0;
  /** Set by branch semantics during one instruction: 0 none, 1 branch (delay slot follows), 2 likely not taken. */
  brState = 0;
  brLo = 0;
  brHi = 0;
  llbit = false;
  llPhys = 0;
  /** Executed instructions: the virtual clock. */
  icount = 0;
  /**
   * Instructions' worth of virtual time skipped while the guest idled (WAIT with nothing
   * pending, a Malta guest polling the RTC): icount minus this counts instructions the
   * guest really executed (periodic checkpoints count those). Host-side, not saved state.
   */
  idleSkipped = 0;
  /** Halted in WAIT until an interrupt is pending. */
  waiting = false;
  /** External interrupt lines IP2..IP7 as Cause bits. */
  ipLines = 0;

  readonly c0 = new Cp0();
  readonly tlb: Tlb;
  readonly htlb: HostTlb;
  readonly decoder: Decoder;
  fpu: FpuUnit | undefined;
  /** The Cavium Octeon additions (CP0 registers, multiplier), on Octeon models. */
  readonly oct: OcteonUnit | undefined;
  /** CVMSEG local memory for translate() (Octeon models). */
  readonly cvmseg: { bytes(mode: Mode): number; readonly pa: number } | undefined;
  mode: Mode = Mode.Kernel;
  asid = 0;
  irqPending = false;
  /** icount at which the next timed event (timer match, device) is due. */
  nextEvent = Infinity;
  timerIcount = Infinity;
  /** Upper half of the last ld/lld result. */
  ldHi = 0;
  /** Upper half of the last rdhwr result. */
  rdhwrHi = 0;
  readonly big: boolean;
  readonly segBits: number;
  readonly paBits: number;
  stopRequested = false;
  /** Last exception raised (for debugger descriptions). */
  lastExc = -1;
  /** icount at the last exception, and exceptions raised since at that same count (an exception loop). */
  private excIcount = -1;
  private excStreak = 0;
  /** Translated block being executed, for precise state: set by the generated code before an instruction that may need it (cleared by the dispatcher). */
  jitBlk: JitBlockInfo | undefined = undefined;
  /** Index in jitBlk of the instruction executing (stored by generated code before it). */
  k = 0;
  /** icount when jitBlk was entered. */
  icount0 = 0;
  /** Set when a device was accessed (translated code leaves its block right after). */
  ioHit = false;
  /** Bumped whenever translated code is invalidated (self-looping blocks re-check it). */
  codeGen = 0;
  /** Highest icount at which a translated block may start (next event or end of budget, minus the longest block). */
  jitLimit = 0;
  /** Link slot of the exit a translated block last left through to the dispatcher, or −1. */
  exitSlot = -1;

  static readonly spec: StateSpec = {
    // Version 2: the external interrupt lines (ipLines) are no longer saved — they are
    // derived from the devices' saved output levels, which re-drive them on restore.
    name: 'cpu0', version: 2,
    fields: {
      r: 'i32array', pcLo: 'i32', pcHi: 'i32', inDelay: 'bool', dsLo: 'i32', dsHi: 'i32', llbit: 'bool',
      llPhys: 'f64', icount: 'f64', waiting: 'bool',
    },
    ranges: {
      r: { length: 68 },
      /** A physical address, or −1 after an LL whose translation failed. */
      llPhys: { min: -1, max: 2 ** 50 },
      icount: { min: 0, max: Number.MAX_SAFE_INTEGER },
    },
  };

  constructor(readonly model: CpuModel, readonly bus: PhysicalBus, readonly hooks: CpuHooks) {
    this.tlb = new Tlb(model.tlbEntries);
    this.r = new Int32Array(bus.buffer, bus.allocCore(68 * 4), 68);
    this.htlb = new HostTlb(bus.ramSize, { buffer: bus.buffer, offset: bus.allocCore(HTLB_STORAGE_BYTES) });
    this.decoder = decoderFor(model.isa);
    if (model.hasFpu) this.fpu = new Fpu(FPU_5KEF) as unknown as FpuUnit;
    const oct = model.octeon ? new OcteonUnit(model.octeon) : undefined;
    this.oct = oct;
    this.cvmseg = oct ? { bytes: (mode: Mode) => oct.cp0.cvmsegBytes(mode), pa: CVMSEG_PA } : undefined;
    this.big = bus.bigEndian;
    this.segBits = model.segBits;
    this.paBits = model.paBits;
    // (Addresses' 32-bit halves and instruction counts leave V8's small-integer range.)
    storeAsDoubles(this, 'pcLo', 'pcHi', 'dsLo', 'dsHi', 'brLo', 'brHi', 'ldHi', 'llPhys', 'icount', 'idleSkipped', 'icount0', 'jitLimit', 'excIcount' as keyof Cpu);
    this.reset();
    markFieldsVariable(this);
  }

  reset(): void {
    this.r.fill(0);
    this.pcHi = -1;
    this.pcLo = 0xbfc00000 | 0;
    this.inDelay = false;
    this.brState = 0;
    this.llbit = false;
    this.waiting = false;
    this.tlb.reset();
    this.c0.reset(this.model, this.icount);
    // Config0.BE reports the byte order.
    if (this.big) this.c0.config0 = (this.c0.config0 | 0x8000) >>> 0;
    this.fpu?.reset();
    this.oct?.reset(this.icount);
    this.afterStateChange();
  }

  /** The CVMSEG mapping changed (CvmMemCtl): cached translations of it are stale. */
  cvmsegChanged(): void {
    this.htlb.flush();
  }

  /** Recomputes everything derived from architectural state (after reset/restore/CP0 writes). */
  afterStateChange(): void {
    this.mode = modeOf(this.c0.status);
    this.asid = Number(this.c0.entryHi & 0xffn);
    this.htlb.flush();
    this.updateIrq();
    this.rescheduleTimer();
  }

  /**
   * After an instruction changed Status from `was`: the privilege mode, the host
   * translation cache when a bit that changes translation moved (ST_XLATE: it is keyed
   * by mode only), the interrupt state.
   */
  statusChanged(was: number): void {
    this.mode = modeOf(this.c0.status);
    if ((was ^ this.c0.status) & ST_XLATE) this.htlb.flush();
    this.updateIrq();
  }

  get pc(): bigint { return toBig(this.pcHi, this.pcLo); }
  set pc(v: bigint) {
    this.pcLo = Number(BigInt.asIntN(32, v));
    this.pcHi = Number(BigInt.asIntN(32, v >> 32n));
    this.inDelay = false;
  }

  getGpr(i: number): bigint { return getBig(this.r, i * 2); }
  setGpr(i: number, v: bigint): void { if (i !== 0) setBig(this.r, i * 2, v); }

  // ---- exceptions ------------------------------------------------------------------

  /** Raises a general exception with `code`; never returns. */
  exc(code: number): never {
    return this.raise(code, false, 0);
  }

  /**
   * Inside a translated block, brings PC, delay-slot state and icount up to the
   * instruction executing (index this.k), as if the interpreter had run so far.
   */
  sync(): void {
    const b = this.jitBlk;
    if (!b) return;
    const off = this.k * 4;
    this.pcLo = (b.startLo + off) | 0;
    this.pcHi = (b.startHi + (((b.startLo >>> 0) + off) > 4294967295 ? 1 : 0)) | 0;
    this.inDelay = this.k === b.ds;
    if (this.inDelay) { this.dsLo = this.brLo; this.dsHi = this.brHi; }
    this.icount = this.icount0 + this.k;
  }

  raise(code: number, refill: boolean, ce: number): never {
    this.sync();
    this.jitBlk = undefined;
    const c0 = this.c0;
    const st = c0.status;
    let off = 0x180;
    if (!(st & ST_EXL)) {
      if (this.inDelay) {
        c0.epc = BigInt.asUintN(64, toBig(this.pcHi, this.pcLo) - 4n);
        c0.cause |= CA_BD;
      } else {
        c0.epc = BigInt.asUintN(64, toBig(this.pcHi, this.pcLo));
        c0.cause &= ~CA_BD;
      }
      if (refill) off = this.xtlbRefill() ? 0x080 : 0x000;
      else if (code === Exc.Int && (c0.cause & CA_IV)) off = 0x200;
    }
    // Cause.CE is loaded by a Coprocessor Unusable exception only; other exceptions leave
    // it as it was (QEMU; UNPREDICTABLE in the architecture).
    const ceMask = code === Exc.CpU ? CA_CE : 0;
    c0.cause = ((c0.cause & ~(CA_EXCCODE | ceMask)) | (code << 2) | (code === Exc.CpU ? ce << 28 : 0)) >>> 0;
    c0.status = (st | ST_EXL) >>> 0;
    let base: bigint;
    if (st & ST_BEV) base = 0xffffffffbfc00200n;
    else base = BigInt.asUintN(64, BigInt.asIntN(32, c0.ebase) & ~0xfffn);
    const vec = base + BigInt(off);
    this.pcLo = Number(BigInt.asIntN(32, vec));
    this.pcHi = Number(BigInt.asIntN(32, vec >> 32n));
    this.inDelay = false;
    this.brState = 0;
    this.waiting = false;
    this.lastExc = code;
    this.mode = Mode.Kernel;
    this.updateIrq();
    // Exceptions that keep recurring with no instruction completing (a vector that
    // cannot be fetched) never advance the virtual clock, so no budget would end the
    // run: stop it, as a pause, so the host regains control.
    if (this.icount !== this.excIcount) { this.excIcount = this.icount; this.excStreak = 0; }
    else if (++this.excStreak >= EXCEPTION_LOOP_LIMIT) { this.excStreak = 0; this.stopRequested = true; }
    this.hooks.onException?.(this, code);
    throw GUEST_EXCEPTION;
  }

  private xtlbRefill(): boolean {
    const region = (Number(this.c0.badVAddr >> 62n) & 3);
    const st = this.c0.status;
    return (region === 0 && (st & ST_UX) !== 0) || (region === 3 && (st & ST_KX) !== 0) || (region === 1 && (st & ST_SX) !== 0);
  }

  /**
   * Non-maskable interrupt (nmi=true) or soft reset: ErrorEPC = PC (the branch when in a
   * delay slot), Status.ERL|BEV and NMI or SR set, execution at the reset vector
   * 0xFFFFFFFFBFC00000. Taken between instructions (call it outside a run slice).
   */
  resetException(nmi: boolean): void {
    const c0 = this.c0;
    const pc = BigInt.asUintN(64, toBig(this.pcHi, this.pcLo) - (this.inDelay ? 4n : 0n));
    c0.errorEpc = pc;
    c0.status = ((c0.status & ~(ST_NMI | ST_SR)) | ST_ERL | ST_BEV | (nmi ? ST_NMI : ST_SR)) >>> 0;
    this.pcHi = -1;
    this.pcLo = 0xbfc00000 | 0;
    this.inDelay = false;
    this.brState = 0;
    this.waiting = false;
    this.llbit = false;
    this.afterStateChange();
  }

  /**
   * Address-related exception: sets BadVAddr (and the TLB context registers) then raises.
   * Context, XContext and EntryHi get the faulting VPN2 on TLB exceptions and, as in
   * QEMU, on address errors from a segment violation (the architecture leaves them
   * UNPREDICTABLE there); a misaligned access (`misaligned`) changes only BadVAddr.
   */
  private addrFault(code: Xlate, vaHi: number, vaLo: number, write: boolean, misaligned = false, fetch = false): never {
    const c0 = this.c0;
    const va = BigInt.asUintN(64, toBig(vaHi, vaLo));
    c0.badVAddr = va;
    if (misaligned) return this.raise(write ? Exc.AdES : Exc.AdEL, false, 0);
    c0.context = (c0.context & ~0x7fffffn) | ((va >> 9n) & 0x7ffff0n);
    const sb = BigInt(this.segBits);
    c0.xContext = BigInt.asUintN(64, (c0.xContext & (~0n << (sb - 7n)))
      | ((va >> 62n) << (sb - 9n)) | (((va >> 13n) & ((1n << (sb - 13n)) - 1n)) << 4n));
    const segMask = (3n << 62n) | ((1n << sb) - 1n);
    c0.entryHi = ((va & ~0x1fffn) & segMask) | (c0.entryHi & 0xffn);
    if (code === Xlate.AddressError) return this.raise(write ? Exc.AdES : Exc.AdEL, false, 0);
    if (code === Xlate.Modified) return this.raise(Exc.Mod, false, 0);
    if (code === Xlate.Inhibited) {
      // TLBRI/TLBXI with PageGrain.IEC, else TLBL for both (MIPS64 Volume III, RI/XI).
      const iec = (c0.pageGrain & (1 << 27)) !== 0;
      return this.raise(!iec ? Exc.TLBL : fetch ? Exc.TLBXI : Exc.TLBRI, false, 0);
    }
    return this.raise(write ? Exc.TLBS : Exc.TLBL, code === Xlate.Refill, 0);
  }

  // ---- memory access ---------------------------------------------------------------

  /** Translates for an access, raising the guest exception on failure; returns the physical address. */
  xlate(vaHi: number, vaLo: number, acc: Access): number {
    const pa = translate(this, vaHi, vaLo, acc === Access.Write, this.mode, this.c0.status, this.asid);
    if (pa < 0) return this.addrFault(pa as Xlate, vaHi, vaLo, acc === Access.Write);
    // RI refuses loads, XI fetches (EntryLo bits that exist only with PageGrain.RIE/XIE).
    if (lastXlate.inhibit !== 0 && (acc === Access.Read ? lastXlate.inhibit & 2 : acc === Access.Fetch ? lastXlate.inhibit & 1 : 0)) {
      return this.addrFault(Xlate.Inhibited, vaHi, vaLo, false, false, acc === Access.Fetch);
    }
    return pa;
  }

  /** Translates for a store, raising its exception (AdES/TLBS/Mod) before anything is read. */
  xlateStore(vaHi: number, vaLo: number): void {
    this.xlate(vaHi, vaLo, Access.Write);
  }

  /** Slow path: translate, fill the host cache when RAM, return RAM offset or −1 − pa for I/O. */
  private slow(vaHi: number, vaLo: number, acc: Access): number {
    const pa = this.xlate(vaHi, vaLo, acc);
    const off = this.bus.ramOffset(pa);
    if (off < 0) return -1 - pa;
    if ((acc !== Access.Write || lastXlate.writable) && !lastXlate.partialPage) this.htlb.fill(this.mode, acc, vaHi, vaLo, off);
    if (this.htlb.traps[off >>> 12] !== 0) this.pageTrap(off, acc, vaHi, vaLo);
    return off;
  }

  /** Hook for trapped pages (watchpoints, dirty tracking, code invalidation). */
  pageTrap(_off: number, _acc: Access, _vaHi: number, _vaLo: number): void {}

  /** RAM offset for an access (fast path inline), or −1 − pa for I/O. */
  ramOff(vaHi: number, vaLo: number, acc: Access): number {
    const off = this.htlb.cached(this.mode, acc, vaHi, vaLo);
    return off >= 0 ? off : this.slow(vaHi, vaLo, acc);
  }

  private ioRead(off: number, size: 1 | 2 | 4 | 8, vaHi: number, vaLo: number, fetch: boolean): number {
    this.sync();
    this.ioHit = true;
    const v = this.bus.ioRead(-1 - off, size);
    if (v === undefined) {
      this.c0.badVAddr = BigInt.asUintN(64, toBig(vaHi, vaLo));
      return this.raise(fetch ? Exc.IBE : Exc.DBE, false, 0);
    }
    return v;
  }

  private ioWrite(off: number, size: 1 | 2 | 4 | 8, value: number, vaHi: number, vaLo: number): void {
    this.sync();
    this.ioHit = true;
    if (!this.bus.ioWrite(-1 - off, size, value)) {
      this.c0.badVAddr = BigInt.asUintN(64, toBig(vaHi, vaLo));
      this.raise(Exc.DBE, false, 0);
    }
  }

  private ioWrite64(off: number, lo: number, hi: number, vaHi: number, vaLo: number): void {
    this.sync();
    this.ioHit = true;
    if (!this.bus.ioWrite64(-1 - off, lo, hi)) {
      this.c0.badVAddr = BigInt.asUintN(64, toBig(vaHi, vaLo));
      this.raise(Exc.DBE, false, 0);
    }
  }

  private align(vaHi: number, vaLo: number, mask: number, write: boolean): void {
    if (vaLo & mask) this.addrFault(Xlate.AddressError, vaHi, vaLo, write, true);
  }

  /** Raises the address error of a misaligned access (AdES for a store, else AdEL). */
  addressError(vaHi: number, vaLo: number, write: boolean): never {
    return this.addrFault(Xlate.AddressError, vaHi, vaLo, write, true);
  }

  /** Octeon's unaligned load/store hardware fixup (CvmCtl bit 14), as Linux sets it. */
  private get unalignedFixup(): boolean {
    return this.oct !== undefined && (this.oct.cp0.cvmCtl & CVMCTL_USEUN) !== 0n;
  }

  /**
   * A misaligned load of `size` bytes: AdEL, or with the Octeon fixup the bytes one by one
   * (each translated; a page-crossing access may fault on its second page). Returns the
   * low word zero-extended below 32 bits; an 8-byte load leaves the high word in ldHi.
   */
  private misaligned(vaHi: number, vaLo: number, size: 2 | 4 | 8): number {
    if (!this.unalignedFixup) return this.addrFault(Xlate.AddressError, vaHi, vaLo, false, true);
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      const l = (vaLo + i) | 0, h = (vaHi + (((vaLo >>> 0) + i) > 4294967295 ? 1 : 0)) | 0;
      const b = this.lbu(h, l), k = this.big ? size - 1 - i : i;
      if (k < 4) lo |= b << (8 * k); else hi |= b << (8 * (k - 4));
    }
    this.ldHi = hi;
    return lo;
  }

  /** A misaligned store: AdES, or with the Octeon fixup the bytes one by one after both ends translate for writing. */
  private misalignedStore(vaHi: number, vaLo: number, size: 2 | 4 | 8, lo: number, hi: number): void {
    if (!this.unalignedFixup) this.addrFault(Xlate.AddressError, vaHi, vaLo, true, true);
    const at = (i: number): [number, number] => [(vaLo + i) | 0, (vaHi + (((vaLo >>> 0) + i) > 4294967295 ? 1 : 0)) | 0];
    const [el, eh] = at(size - 1);
    this.xlate(vaHi, vaLo, Access.Write);
    this.xlate(eh, el, Access.Write);
    for (let i = 0; i < size; i++) {
      const k = this.big ? size - 1 - i : i, [l, h] = at(i);
      this.sb(h, l, (k < 4 ? lo >>> (8 * k) : hi >>> (8 * (k - 4))) & 0xff);
    }
  }

  fetch(): number {
    const vaHi = this.pcHi, vaLo = this.pcLo;
    if (vaLo & 3) {
      this.c0.badVAddr = BigInt.asUintN(64, toBig(vaHi, vaLo));
      return this.raise(Exc.AdEL, false, 0);
    }
    const off = this.ramOff(vaHi, vaLo, Access.Fetch);
    if (off < 0) return this.ioRead(off, 4, vaHi, vaLo, true) | 0;
    const w = this.bus.ram32[off >>> 2];
    return this.big ? bswap32(w) : w;
  }

  lb(vaHi: number, vaLo: number): number {
    const off = this.ramOff(vaHi, vaLo, Access.Read);
    if (off < 0) return (this.ioRead(off, 1, vaHi, vaLo, false) << 24) >> 24;
    return this.bus.ram8[off];
  }

  lbu(vaHi: number, vaLo: number): number {
    const off = this.ramOff(vaHi, vaLo, Access.Read);
    if (off < 0) return this.ioRead(off, 1, vaHi, vaLo, false) & 0xff;
    return this.bus.ram[off];
  }

  lh(vaHi: number, vaLo: number): number {
    if (vaLo & 1) return (this.misaligned(vaHi, vaLo, 2) << 16) >> 16;
    const off = this.ramOff(vaHi, vaLo, Access.Read);
    if (off < 0) return (this.ioRead(off, 2, vaHi, vaLo, false) << 16) >> 16;
    const v = this.bus.ram16[off >>> 1];
    return this.big ? (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff) : v;
  }

  lhu(vaHi: number, vaLo: number): number {
    if (vaLo & 1) return this.misaligned(vaHi, vaLo, 2);
    const off = this.ramOff(vaHi, vaLo, Access.Read);
    if (off < 0) return this.ioRead(off, 2, vaHi, vaLo, false) & 0xffff;
    const v = this.bus.ramU16[off >>> 1];
    return this.big ? ((v & 0xff) << 8) | (v >>> 8) : v;
  }

  lw(vaHi: number, vaLo: number): number {
    if (vaLo & 3) return this.misaligned(vaHi, vaLo, 4) | 0;
    const off = this.ramOff(vaHi, vaLo, Access.Read);
    if (off < 0) return this.ioRead(off, 4, vaHi, vaLo, false) | 0;
    const v = this.bus.ram32[off >>> 2];
    return this.big ? bswap32(v) : v;
  }

  /** 64-bit load: returns the low word, high word in this.ldHi. */
  ld(vaHi: number, vaLo: number): number {
    if (vaLo & 7) return this.misaligned(vaHi, vaLo, 8);
    const off = this.ramOff(vaHi, vaLo, Access.Read);
    if (off < 0) {
      this.ioRead(off, 8, vaHi, vaLo, false);
      this.ldHi = this.bus.ioHi;
      return this.bus.ioLo;
    }
    const i = off >>> 2, m = this.bus.ram32;
    if (this.big) { this.ldHi = bswap32(m[i]); return bswap32(m[i + 1]); }
    this.ldHi = m[i + 1];
    return m[i];
  }

  sb(vaHi: number, vaLo: number, lo: number): void {
    const off = this.ramOff(vaHi, vaLo, Access.Write);
    if (off < 0) { this.ioWrite(off, 1, lo & 0xff, vaHi, vaLo); return; }
    this.bus.ram[off] = lo;
  }

  sh(vaHi: number, vaLo: number, lo: number): void {
    if (vaLo & 1) { this.misalignedStore(vaHi, vaLo, 2, lo, 0); return; }
    const off = this.ramOff(vaHi, vaLo, Access.Write);
    if (off < 0) { this.ioWrite(off, 2, lo & 0xffff, vaHi, vaLo); return; }
    this.bus.ramU16[off >>> 1] = this.big ? ((lo & 0xff) << 8) | ((lo >>> 8) & 0xff) : lo;
  }

  sw(vaHi: number, vaLo: number, lo: number): void {
    if (vaLo & 3) { this.misalignedStore(vaHi, vaLo, 4, lo, 0); return; }
    const off = this.ramOff(vaHi, vaLo, Access.Write);
    if (off < 0) { this.ioWrite(off, 4, lo >>> 0, vaHi, vaLo); return; }
    this.bus.ram32[off >>> 2] = this.big ? bswap32(lo) : lo;
  }

  sd(vaHi: number, vaLo: number, lo: number, hi: number): void {
    if (vaLo & 7) { this.misalignedStore(vaHi, vaLo, 8, lo, hi); return; }
    const off = this.ramOff(vaHi, vaLo, Access.Write);
    if (off < 0) { this.ioWrite64(off, lo, hi, vaHi, vaLo); return; }
    const i = off >>> 2, m = this.bus.ram32;
    if (this.big) { m[i] = bswap32(hi); m[i + 1] = bswap32(lo); } else { m[i] = lo; m[i + 1] = hi; }
  }

  ll(vaHi: number, vaLo: number, size: 4 | 8): number {
    this.align(vaHi, vaLo, size - 1, false);
    const v = size === 4 ? this.lw(vaHi, vaLo) : this.ld(vaHi, vaLo);
    this.llbit = true;
    this.llPhys = translate(this, vaHi, vaLo, false, this.mode, this.c0.status, this.asid);
    this.c0.lladdr = BigInt(Math.max(0, this.llPhys)) >> 4n;
    return v;
  }

  sc(vaHi: number, vaLo: number, lo: number, hi: number, size: 4 | 8): number {
    // Translate first: a faulting SC raises its exception whatever LLbit is.
    this.align(vaHi, vaLo, size - 1, true);
    const pa = this.xlate(vaHi, vaLo, Access.Write);
    if (!this.llbit || pa !== this.llPhys) { this.llbit = false; return 0; }
    if (size === 4) this.sw(vaHi, vaLo, lo); else this.sd(vaHi, vaLo, lo, hi);
    this.llbit = false;
    return 1;
  }

  /** lwl/lwr: merges the addressed bytes of the aligned word into `old`. */
  lwlr(vaHi: number, vaLo: number, old: number, left: boolean): number {
    const b = this.big ? 3 - (vaLo & 3) : vaLo & 3;
    const w = this.lw(vaHi, vaLo & ~3);
    if (left) {
      const sh = (3 - b) * 8;
      return sh === 0 ? w : (w << sh) | (old & ((1 << sh) - 1));
    }
    const sh = b * 8;
    return sh === 0 ? w : (w >>> sh) | (old & ~(-1 >>> sh));
  }

  swlr(vaHi: number, vaLo: number, v: number, left: boolean): void {
    const b = this.big ? 3 - (vaLo & 3) : vaLo & 3;
    // Check the store is permitted before reading (a store fault must report a store).
    this.xlate(vaHi, vaLo & ~3, Access.Write);
    const w = this.lw(vaHi, vaLo & ~3);
    let nw: number;
    if (left) {
      const sh = (3 - b) * 8;
      nw = sh === 0 ? v : (w & ~(-1 >>> sh)) | (v >>> sh);
    } else {
      const sh = b * 8;
      nw = sh === 0 ? v : (w & ((1 << sh) - 1)) | (v << sh);
    }
    this.sw(vaHi, vaLo & ~3, nw);
  }

  ldlr(vaHi: number, vaLo: number, rt2: number, left: boolean): void {
    const b = this.big ? 7 - (vaLo & 7) : vaLo & 7;
    const lo = this.ld(vaHi, vaLo & ~7);
    if (rt2 !== 0) ldlrMerge(lo, this.ldHi, this.r[rt2], this.r[rt2 + 1], b, left, this.r, rt2);
  }

  sdlr(vaHi: number, vaLo: number, rt2: number, left: boolean): void {
    const b = this.big ? 7 - (vaLo & 7) : vaLo & 7;
    this.xlate(vaHi, vaLo & ~7, Access.Write);
    const lo = this.ld(vaHi, vaLo & ~7);
    sdlrMerge(lo, this.ldHi, this.r[rt2], this.r[rt2 + 1], b, left, SD_OUT);
    this.sd(vaHi, vaLo & ~7, SD_OUT[0], SD_OUT[1]);
  }

  /** Index address base+index for COP1X: the two halves. */
  idxLo(rs2: number, rt2: number): number { return (this.r[rs2] + this.r[rt2]) | 0; }
  idxHi(rs2: number, rt2: number): number {
    const a = this.r[rs2], b = this.r[rt2];
    return (this.r[rs2 + 1] + this.r[rt2 + 1] + (((a >>> 0) + (b >>> 0)) > 4294967295 ? 1 : 0)) | 0;
  }

  synci(_vaHi: number, _vaLo: number): void { /* caches are not modelled; translated code is invalidated by page traps */ }
  cacheOp(_op: number, _vaHi: number, _vaLo: number): void { /* no caches modelled */ }

  // ---- arithmetic helpers called by semantics ------------------------------------------

  mul32(a: number, b: number, u: boolean): void { mul32(a, b, u, this.r, 64, 66); }
  div32(a: number, b: number, u: boolean): void { div32(this.r, a, b, u); }
  dmult(rs2: number, rt2: number, u: boolean): void { dmul64(this.r, rs2, rt2, u); }
  ddiv(rs2: number, rt2: number, u: boolean): void { div64(this.r, rs2, rt2, u); }
  madd(a: number, b: number, u: boolean, sub: boolean): void { madd32(this.r, a, b, u, sub); }
  shl(hi: number, lo: number, s: number, rd: number): void { if (rd) shl64(hi, lo, s, this.r, rd * 2); }
  shr(hi: number, lo: number, s: number, rd: number): void { if (rd) shr64(hi, lo, s, this.r, rd * 2); }
  sar(hi: number, lo: number, s: number, rd: number): void { if (rd) sar64(hi, lo, s, this.r, rd * 2); }
  ror(hi: number, lo: number, s: number, rd: number): void { if (rd) ror64(hi, lo, s, this.r, rd * 2); }
  /** Bit-field extract of `size` bits at `pos` (64-bit, zero-extended), on int32 halves. */
  dext(rt2: number, rs2: number, pos: number, size: number): void {
    if (rt2 === 0) return;
    const r = this.r;
    let lo = r[rs2], hi = r[rs2 + 1];
    if (pos >= 32) { lo = hi >>> (pos - 32); hi = 0; } else if (pos > 0) { lo = (lo >>> pos) | (hi << (32 - pos)); hi >>>= pos; }
    if (size < 32) { lo &= (1 << size) - 1; hi = 0; } else if (size === 32) hi = 0; else if (size < 64) hi &= (1 << (size - 32)) - 1;
    r[rt2] = lo | 0; r[rt2 + 1] = hi | 0;
  }
  /** Bit-field insert of rs into rt at bits msb..lsb (64-bit), on int32 halves. */
  dins(rt2: number, rs2: number, lsb: number, msb: number): void {
    if (rt2 === 0 || msb < lsb) return;
    const r = this.r;
    const ones = (a: number, b: number): number => (b - a === 31 ? -1 : ((1 << (b - a + 1)) - 1) << a); // bits a..b of a word
    const mLo = lsb <= 31 ? ones(lsb, Math.min(msb, 31)) : 0;
    const mHi = msb >= 32 ? ones(Math.max(lsb, 32) - 32, msb - 32) : 0;
    const sl = r[rs2], sh = r[rs2 + 1];
    let vLo: number, vHi: number; // rs << lsb
    if (lsb === 0) { vLo = sl; vHi = sh; } else if (lsb < 32) { vLo = sl << lsb; vHi = (sh << lsb) | (sl >>> (32 - lsb)); } else { vLo = 0; vHi = sl << (lsb - 32); }
    r[rt2] = (r[rt2] & ~mLo) | (vLo & mLo);
    r[rt2 + 1] = (r[rt2 + 1] & ~mHi) | (vHi & mHi);
  }

  // ---- control flow ------------------------------------------------------------------

  /** A branch at (pcHi:pcLo): taken → target, else the instruction after the delay slot. */
  br(taken: boolean, thi: number, tlo: number, pcHi: number, pcLo: number): void {
    this.brState = 1;
    if (taken) { this.brHi = thi; this.brLo = tlo; return; }
    this.brHi = (pcHi + (((pcLo >>> 0) + 8) > 4294967295 ? 1 : 0)) | 0;
    this.brLo = (pcLo + 8) | 0;
  }

  brl(taken: boolean, thi: number, tlo: number): void {
    if (taken) { this.brState = 1; this.brHi = thi; this.brLo = tlo; } else this.brState = 2;
  }

  /** Writes the address after the delay slot of the branch at (pcHi:pcLo) to GPR rd. */
  link(rd: number, pcHi: number, pcLo: number): void {
    if (rd === 0) return;
    this.r[rd * 2] = (pcLo + 8) | 0;
    this.r[rd * 2 + 1] = (pcHi + (((pcLo >>> 0) + 8) > 4294967295 ? 1 : 0)) | 0;
  }

  // ---- coprocessor usability -------------------------------------------------------------

  cp0(): void {
    if (this.mode !== Mode.Kernel && !(this.c0.status & ST_CU0)) this.raise(Exc.CpU, false, 0);
  }
  cp1(): void {
    if (!(this.c0.status & ST_CU1) || !this.fpu) this.raise(Exc.CpU, false, 1);
    this.fpu.fr = (this.c0.status & (1 << 26)) !== 0;
  }
  cp1x(): void { this.cp1(); }
  /** Paired-single instructions need FIR.PS and FR=1 (Reserved Instruction otherwise, as QEMU). */
  needPs(): void {
    if (!(this.fpu as unknown as { hasPairedSingle: boolean }).hasPairedSingle || !this.fpu!.fr) this.raise(Exc.RI, false, 0);
  }
  /** 64-bit-only FPU operations (.l formats, luxc1/suxc1, recip/rsqrt.d) need FR=1. */
  need64(): void {
    if (!this.fpu!.fr) this.raise(Exc.RI, false, 0);
  }
  /** Double operands on odd registers with FR=0 are Reserved Instructions (QEMU's check). */
  fpEven(a: number, b: number, c: number): void {
    if (!this.fpu!.fr && ((a | b | c) & 1)) this.raise(Exc.RI, false, 0);
  }
  cpu2(): void {
    if (!(this.c0.status & ST_CU2)) this.raise(Exc.CpU, false, 2);
    this.raise(Exc.RI, false, 0);
  }
  fpuOp(f: () => void): void {
    try { f(); } catch (e) {
      if (e && typeof e === 'object' && 'kind' in e) this.raise(Exc.FPE, false, 0);
      throw e;
    }
  }
  fpuUnimplemented(): object { return { kind: 'unimplemented' }; }

  /**
   * 64-bit operations (doubleword arithmetic, shifts, loads/stores, lwu) outside Kernel
   * mode: Reserved Instruction unless enabled by Status.UX or PX (User mode) or SX
   * (Supervisor mode). Called by the templates only when mode !== Kernel. (QEMU 7.2
   * does not check SX: its Supervisor mode always allows them.)
   */
  op64(): void {
    const st = this.c0.status;
    const ok = this.mode === Mode.User ? (st & (ST_UX | ST_PX)) !== 0 : this.mode !== Mode.Supervisor || (st & ST_SX) !== 0;
    if (!ok) this.raise(Exc.RI, false, 0);
  }

  /**
   * RDHWR: allowed in Kernel mode, with Status.CU0, or by the register's HWREna bit.
   * Only registers 0-3 exist: UserLocal (29) needs Config3.ULRI, which the 5KEc lacks
   * (QEMU 7.2 nevertheless lets Kernel mode read it; we raise Reserved Instruction).
   */
  rdhwr(rd: number): number {
    if (this.mode !== Mode.Kernel && !(this.c0.status & ST_CU0) && !(this.c0.hwrena & (1 << rd))) this.raise(Exc.RI, false, 0);
    let v: number;
    switch (rd) {
      case 0: v = Number(this.c0.ebase & 0x3ffn); break;
      case 1: v = this.model.synciStep; break;
      case 2: v = this.count() | 0; break;
      case 3: v = this.model.ccRes; break;
      case 30: case 31: {
        // Octeon: CvmCount, all 64 bits (register 30 is its non-virtualized copy).
        if (!this.oct) return this.raise(Exc.RI, false, 0);
        const t = this.oct.cp0.cvmCount(this);
        this.rdhwrHi = Number(BigInt.asIntN(32, t >> 32n));
        return Number(BigInt.asIntN(32, t));
      }
      default: return this.raise(Exc.RI, false, 0);
    }
    this.rdhwrHi = v >> 31;
    return v;
  }

  // ---- CP0 ----------------------------------------------------------------------------

  mfc0(rd: number, sel: number): number { return cp0a.read(this, rd, sel); }
  dmfc0(rt2: number, rd: number, sel: number): void {
    const v = cp0a.read64(this, rd, sel);
    if (rt2 !== 0) setBig(this.r, rt2, v);
  }
  mtc0(rd: number, sel: number, lo: number, hi: number): void { cp0a.write(this, rd, sel, toBig(hi, lo)); }
  setStatus(v: number): void { cp0a.write(this, 12, 0, BigInt(v >>> 0)); }
  tlbr(): void { cp0a.tlbr(this); }
  tlbwi(): void { cp0a.tlbwrite(this, this.c0.index & 0x7fffffff); }
  tlbwr(): void { cp0a.tlbwrite(this, this.random()); }
  tlbp(): void { cp0a.tlbp(this); }

  /** Random: deterministic, cycles down from the top entry to Wired with virtual time. */
  random(): number {
    this.sync();
    const n = this.tlb.size, w = Math.min(this.c0.wired, n - 1);
    const span = n - w;
    return n - 1 - (Math.floor(this.icount) % span);
  }

  eret(): void {
    const c0 = this.c0;
    let target: bigint;
    const was = c0.status;
    if (c0.status & ST_ERL) { target = c0.errorEpc; c0.status &= ~ST_ERL; }
    else { target = c0.epc; c0.status &= ~ST_EXL; }
    c0.status >>>= 0;
    this.llbit = false;
    this.statusChanged(was);
    // ERET has no delay slot: jump directly.
    this.brState = 3;
    this.brLo = Number(BigInt.asIntN(32, target));
    this.brHi = Number(BigInt.asIntN(32, target >> 32n));
  }

  /**
   * While halted in WAIT: wakes on a pending (unmasked) interrupt and returns 'run';
   * otherwise skips virtual time to the next event (at most `end`) and returns 'skip',
   * or 'idle' when nothing is scheduled. Used identically by both engines.
   */
  waitStep(end: number): 'run' | 'skip' | 'idle' {
    if ((this.c0.cause & this.c0.status & 0xff00) !== 0) { this.waiting = false; return 'run'; }
    if (this.nextEvent === Infinity) return 'idle';
    const to = Math.max(this.icount, Math.min(this.nextEvent, end));
    this.idleSkipped += to - this.icount;
    this.icount = to;
    return 'skip';
  }

  wait(): void {
    this.sync();
    if (!((this.c0.cause & this.c0.status & ST_IM) !== 0)) this.waiting = true;
    this.hooks.onWait?.(this);
  }

  // ---- interrupts and time --------------------------------------------------------------

  /** Count register value now. */
  count(): number {
    this.sync();
    const c0 = this.c0;
    return (c0.countBase + Math.floor((this.icount - c0.countIcount) / this.model.countDiv)) >>> 0;
  }

  /** Drives external interrupt line `ip` (2..7). */
  setIrq(ip: number, level: boolean): void {
    const bit = 1 << (8 + ip);
    this.ipLines = level ? this.ipLines | bit : this.ipLines & ~bit;
    this.updateCauseIp();
  }

  updateCauseIp(): void {
    const c0 = this.c0;
    const ti = (c0.cause & CA_TI) ? 1 << (8 + ((c0.intCtl >>> 29) & 7)) : 0;
    c0.cause = ((c0.cause & ~(CA_IP & ~0x300)) | this.ipLines | ti) >>> 0;
    this.updateIrq();
  }

  updateIrq(): void {
    const st = this.c0.status;
    this.irqPending = (st & ST_IE) !== 0 && (st & (ST_EXL | ST_ERL)) === 0 && (this.c0.cause & st & ST_IM) !== 0;
  }

  /** Recomputes when Count next equals Compare. */
  rescheduleTimer(): void {
    this.sync();
    const c0 = this.c0, div = this.model.countDiv;
    const ticks = Math.floor((this.icount - c0.countIcount) / div);
    const cur = (c0.countBase + ticks) >>> 0;
    let delta = (c0.compare - cur) >>> 0;
    if (delta === 0) delta = TWO32;
    this.timerIcount = c0.countIcount + (ticks + delta) * div;
    if (this.timerIcount < this.nextEvent) this.nextEvent = this.timerIcount;
  }

  /** Timer match: sets Cause.TI (and the IP line IntCtl.IPTI names). */
  timerFire(): void {
    this.c0.cause |= CA_TI;
    this.updateCauseIp();
    this.rescheduleTimer();
  }
}
