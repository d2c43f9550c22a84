// One MIPS64 CPU: registers (64-bit values as int32 halves in one Int32Array), PC and
// delay-slot state, LL state, CP0, TLB, the FPU, and the primitives the instruction
// semantics call (memory access through the host translation cache, exceptions,
// branches, CP0 side effects). Execution engines (interpreter, translator) drive it.

import { markFieldsVariable, storeAsDoubles } from '../double-fields';
import { Decoder, decoderFor } from '../isa/decoder';
import { PhysicalBus } from '../memory/bus';
import { Access, HostTlb, HTLB_STORAGE_BYTES } from '../mmu/host-tlb';
import { Mode, modeOf, newXlateInfo, translate, Xlate } from '../mmu/translate';
import { POW2, Tlb } from '../mmu/tlb';
import { StateSpec } from '../snapshot/state';
import { bswap32, getBig, sdlrMerge, setBig, toBig } from './arith';
import { C0, Cp0, CP0_BYTES } from './cp0';
import * as cp0a from './cp0-access';
import {
  CA_BD, CA_CE, CA_EXCCODE, CA_IP, CA_IV, CA_TI, Exc, ST_BEV, ST_NMI, ST_SR, ST_CU0, ST_ERL, ST_EXL, ST_IE, ST_IM,
  ST_KX, ST_SX, ST_UX, ST_XLATE,
} from '../isa/cp0-defs';
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
/** An access's result when it took a guest exception (Cpu.access). */
export const FAULT = Number.MIN_SAFE_INTEGER;
/** Exceptions in a row at one instruction count after which a run stops (see raise()). */
export const EXCEPTION_LOOP_LIMIT = 10_000;
/** A page-trap client: an access of kind `acc` to RAM offset `off` (virtual vaHi:vaLo) on a trapped page. */
export type PageTrapClient = (off: number, acc: Access, vaHi: number, vaLo: number) => void;

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

  readonly c0: Cp0;
  /** High word of the last CP0 read (cp0-access readPair). */
  c0Hi = 0;
  /**
   * Told before a TLB entry is replaced, with the virtual range it mapped (keyHi form, low
   * word, bytes): translated code's links to mapped addresses in it are dropped (jit/engine.ts).
   */
  /** translate()'s extra output for this CPU's translations. */
  readonly xlateInfo = newXlateInfo();
  /** sdl/sdr's merged doubleword (scratch). */
  private readonly sdOut = new Int32Array(2);
  readonly mappingListeners: Array<(keyHi: number, lo: number, bytes: number) => void> = [];
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
  /** A guest exception was taken without unwinding (trap): the current instruction ends there. */
  trapped = false;
  /** High word of an i64 result of a helper or of the interpreter's 64-bit arithmetic. */
  retHi = 0;
  /** Last exception raised (for debugger descriptions). */
  lastExc = -1;
  /** icount at the last exception, and exceptions raised since at that same count (an exception loop). */
  private excIcount = -1;
  /** Instruction count of the WAIT that started the current wait (time travel steps back over waits); not state. */
  waitSince = -1;
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

  constructor(readonly model: CpuModel, readonly bus: PhysicalBus, readonly hooks: CpuHooks, opts: { exactTlb?: boolean } = {}) {
    this.tlb = new Tlb(model.tlbEntries, !opts.exactTlb);
    this.r = new Int32Array(bus.buffer, bus.allocCore(68 * 4), 68);
    this.c0 = new Cp0({ buffer: bus.buffer, offset: bus.allocCore(CP0_BYTES) });
    // (XContext and EntryHi are computed on int32 halves assuming SEGBITS 41..62.)
    if (model.segBits < 41 || model.segBits > 62) throw new Error(`CPU model ${model.name}: SEGBITS ${model.segBits} not supported`);
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
    this.asid = this.c0.w[C0.ENTRYHI] & 0xff;
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

  /** Takes a general exception (`refill`: through the TLB refill vector) and unwinds (throws). */
  raise(code: number, refill: boolean, ce: number): never {
    this.enterException(code, refill, ce);
    throw GUEST_EXCEPTION;
  }

  /**
   * Takes a general exception without unwinding: sets `trapped`, which the engine checks
   * (the instruction ends; it is not counted).
   */
  trap(code: number, refill = false, ce = 0): void {
    this.enterException(code, refill, ce);
    this.trapped = true;
  }

  /** Exception entry: EPC/Cause.BD, Cause.ExcCode (and CE), Status.EXL, PC at the vector, Kernel mode. */
  enterException(code: number, refill: boolean, ce: number): void {
    this.sync();
    this.jitBlk = undefined;
    const w = this.c0.w;
    const st = w[C0.STATUS];
    let cause = w[C0.CAUSE];
    let off = 0x180;
    if (!(st & ST_EXL)) {
      const lo = this.pcLo;
      if (this.inDelay) {
        // EPC = the branch: PC − 4.
        w[C0.EPC] = (lo - 4) | 0;
        w[C0.EPC + 1] = (lo >>> 0) < 4 ? (this.pcHi - 1) | 0 : this.pcHi;
        cause |= CA_BD;
      } else {
        w[C0.EPC] = lo;
        w[C0.EPC + 1] = this.pcHi;
        cause &= ~CA_BD;
      }
      if (refill) off = this.xtlbRefill() ? 0x080 : 0x000;
      else if (code === Exc.Int && (cause & CA_IV)) off = 0x200;
    }
    // Cause.CE is loaded by a Coprocessor Unusable exception only; other exceptions leave
    // it as it was (QEMU; UNPREDICTABLE in the architecture).
    const ceMask = code === Exc.CpU ? CA_CE : 0;
    w[C0.CAUSE] = (cause & ~(CA_EXCCODE | ceMask)) | (code << 2) | (code === Exc.CpU ? ce << 28 : 0);
    w[C0.STATUS] = st | ST_EXL;
    if (st & ST_BEV) {
      this.pcHi = -1;
      this.pcLo = (0xbfc00200 + off) | 0;
    } else {
      // EBase's low word sign-extended, bits 11:0 cleared, plus the offset (no carry).
      const base = w[C0.EBASE] & ~0xfff;
      this.pcLo = base | off;
      this.pcHi = base >> 31;
    }
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
  }

  private xtlbRefill(): boolean {
    const region = this.c0.w[C0.BADVADDR + 1] >>> 30;
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
    const d = this.inDelay ? 4 : 0;
    c0.set64(C0.ERROREPC, (this.pcLo >>> 0) < d ? (this.pcHi - 1) | 0 : this.pcHi, (this.pcLo - d) | 0);
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
    this.fault(code, vaHi, vaLo, write, misaligned, fetch);
    return this.unwind();
  }

  /** An address-related exception taken without unwinding (trapped). */
  fault(code: Xlate, vaHi: number, vaLo: number, write: boolean, misaligned: boolean, fetch = false): void {
    const c0 = this.c0, w = c0.w;
    c0.set64(C0.BADVADDR, vaHi, vaLo);
    if (misaligned) { this.trap(write ? Exc.AdES : Exc.AdEL, false, 0); return; }
    // Context.BadVPN2 (bits 22:4) = VA bits 31:13.
    w[C0.CONTEXT] = (w[C0.CONTEXT] & ~0x7fffff) | ((vaLo >>> 9) & 0x7ffff0);
    // XContext: BadVPN2 (bits SEGBITS-10:4) = VA bits SEGBITS-1:13, R (the next two bits) =
    // VA bits 63:62, PTEBase kept above; with SEGBITS 41..62 R and PTEBase are in the high word.
    const sb = this.segBits;
    const tLo = (vaLo >>> 9) | (vaHi << 23), tHi = vaHi >>> 9; // VA >> 9
    w[C0.XCONTEXT] = tLo & ~0xf;
    w[C0.XCONTEXT + 1] = (w[C0.XCONTEXT + 1] & (-1 << (sb - 39))) | ((vaHi >>> 30) << (sb - 41)) | (tHi & ((1 << (sb - 41)) - 1));
    // EntryHi: VPN2 and region bits of the VA, ASID kept.
    w[C0.ENTRYHI] = (vaLo & ~0x1fff) | (w[C0.ENTRYHI] & 0xff);
    w[C0.ENTRYHI + 1] = vaHi & (0xc0000000 | (POW2[sb - 32] - 1));
    if (code === Xlate.AddressError) this.trap(write ? Exc.AdES : Exc.AdEL, false, 0);
    else if (code === Xlate.Modified) this.trap(Exc.Mod, false, 0);
    else if (code === Xlate.Inhibited) {
      // TLBRI/TLBXI with PageGrain.IEC, else TLBL for both (MIPS64 Volume III, RI/XI).
      const iec = (c0.pageGrain & (1 << 27)) !== 0;
      this.trap(!iec ? Exc.TLBL : fetch ? Exc.TLBXI : Exc.TLBRI, false, 0);
    } else this.trap(write ? Exc.TLBS : Exc.TLBL, code === Xlate.Refill, 0);
  }

  // ---- memory access ---------------------------------------------------------------
  //
  // The accesses the instruction semantics use (rdB … wrD) never throw: a guest exception
  // is taken (trap) and `trapped` set, the access returning 0; the caller ends the
  // instruction. The older throwing forms (lb … sd) wrap them for code that unwinds.

  /** Translates for an access, raising the guest exception on failure; returns the physical address. */
  xlate(vaHi: number, vaLo: number, acc: Access): number {
    const pa = translate(this, vaHi, vaLo, acc === Access.Write, this.mode, this.c0.status, this.asid);
    if (pa < 0) return this.addrFault(pa as Xlate, vaHi, vaLo, acc === Access.Write);
    // RI refuses loads, XI fetches (EntryLo bits that exist only with PageGrain.RIE/XIE).
    if (this.xlateInfo.inhibit !== 0 && (acc === Access.Read ? this.xlateInfo.inhibit & 2 : acc === Access.Fetch ? this.xlateInfo.inhibit & 1 : 0)) {
      return this.addrFault(Xlate.Inhibited, vaHi, vaLo, false, false, acc === Access.Fetch);
    }
    return pa;
  }

  /** Translates for a store, raising its exception (AdES/TLBS/Mod) before anything is read. */
  xlateStore(vaHi: number, vaLo: number): void {
    this.xlate(vaHi, vaLo, Access.Write);
  }

  /**
   * Slow path: translate, fill the host cache when RAM; returns the RAM offset, −1 − pa for
   * I/O, or FAULT once the exception is taken.
   */
  private slow(vaHi: number, vaLo: number, acc: Access): number {
    const pa = translate(this, vaHi, vaLo, acc === Access.Write, this.mode, this.c0.status, this.asid);
    if (pa < 0) { this.fault(pa as Xlate, vaHi, vaLo, acc === Access.Write, false); return FAULT; }
    // RI refuses loads, XI fetches (EntryLo bits that exist only with PageGrain.RIE/XIE).
    if (this.xlateInfo.inhibit !== 0 && (acc === Access.Read ? this.xlateInfo.inhibit & 2 : acc === Access.Fetch ? this.xlateInfo.inhibit & 1 : 0)) {
      this.fault(Xlate.Inhibited, vaHi, vaLo, false, false, acc === Access.Fetch);
      return FAULT;
    }
    const off = this.bus.ramOffset(pa);
    if (off < 0) return -1 - pa;
    if ((acc !== Access.Write || this.xlateInfo.writable) && !this.xlateInfo.partialPage) this.htlb.fill(this.mode, acc, vaHi, vaLo, off);
    if (this.htlb.traps[off >>> 12] !== 0) this.pageTrap(off, acc, vaHi, vaLo);
    return off;
  }

  /**
   * The clients of page traps (HostTlb.setTrap), called in registration order for every
   * access that reaches a trapped page: code invalidation (the translating engine), dirty
   * tracking (checkpoints), watchpoints (the debugger). Each decides by the access and its
   * own trap bits; none replaces another.
   */
  readonly pageTrapClients: PageTrapClient[] = [];

  /** Calls every page-trap client for an access to RAM offset `off`. */
  pageTrap(off: number, acc: Access, vaHi: number, vaLo: number): void {
    const cl = this.pageTrapClients;
    for (let i = 0; i < cl.length; i++) cl[i](off, acc, vaHi, vaLo);
  }

  /**
   * RAM offset for an access of `mask + 1` bytes, −1 − pa for I/O, or FAULT once the guest
   * exception (misaligned, TLB, address error) is taken.
   */
  access(vaHi: number, vaLo: number, acc: Access, mask: number): number {
    if (vaLo & mask) { this.fault(Xlate.AddressError, vaHi, vaLo, acc === Access.Write, true); return FAULT; }
    const off = this.htlb.cached(this.mode, acc, vaHi, vaLo);
    return off >= 0 ? off : this.slow(vaHi, vaLo, acc);
  }

  /** A device read (I/O offset `off` from access()); a bus error is taken (trapped, 0 returned). */
  private ioRead(off: number, size: 1 | 2 | 4 | 8, vaHi: number, vaLo: number, fetch: boolean): number {
    this.sync();
    this.ioHit = true;
    const v = this.bus.ioRead(-1 - off, size);
    if (v === undefined) {
      this.c0.set64(C0.BADVADDR, vaHi, vaLo);
      this.trap(fetch ? Exc.IBE : Exc.DBE, false, 0);
      return 0;
    }
    return v;
  }

  private ioWrite(off: number, size: 1 | 2 | 4 | 8, value: number, vaHi: number, vaLo: number): void {
    this.sync();
    this.ioHit = true;
    if (!this.bus.ioWrite(-1 - off, size, value)) {
      this.c0.set64(C0.BADVADDR, vaHi, vaLo);
      this.trap(Exc.DBE, false, 0);
    }
  }

  private ioWrite64(off: number, lo: number, hi: number, vaHi: number, vaLo: number): void {
    this.sync();
    this.ioHit = true;
    if (!this.bus.ioWrite64(-1 - off, lo, hi)) {
      this.c0.set64(C0.BADVADDR, vaHi, vaLo);
      this.trap(Exc.DBE, false, 0);
    }
  }

  /** Raises the address error of a misaligned access (AdES for a store, else AdEL); throws (for the Octeon unit). */
  addressError(vaHi: number, vaLo: number, write: boolean): never {
    this.fault(Xlate.AddressError, vaHi, vaLo, write, true);
    return this.unwind();
  }

  /** Octeon's unaligned load/store hardware fixup (CvmCtl bit 14), as Linux sets it. */
  private get unalignedFixup(): boolean {
    return this.oct !== undefined && (this.oct.cp0.cvmCtl & CVMCTL_USEUN) !== 0n;
  }

  /**
   * A misaligned load of `size` bytes with the Octeon fixup: the bytes one by one (each
   * translated; a page-crossing access may fault on its second page: trapped, 0). Returns
   * the low word zero-extended below 32 bits; an 8-byte load leaves the high word in ldHi.
   */
  private misalignedRead(vaHi: number, vaLo: number, size: 2 | 4 | 8): number {
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      const l = (vaLo + i) | 0, h = (vaHi + (((vaLo >>> 0) + i) > 4294967295 ? 1 : 0)) | 0;
      const b = this.rdB(h, l), k = this.big ? size - 1 - i : i;
      if (this.trapped) { this.ldHi = 0; return 0; }
      if (k < 4) lo |= b << (8 * k); else hi |= b << (8 * (k - 4));
    }
    this.ldHi = hi;
    return lo;
  }

  /** A misaligned store with the Octeon fixup: both ends translate for writing, then the bytes one by one. */
  private misalignedWrite(vaHi: number, vaLo: number, size: 2 | 4 | 8, lo: number, hi: number): void {
    const at = (i: number): [number, number] => [(vaLo + i) | 0, (vaHi + (((vaLo >>> 0) + i) > 4294967295 ? 1 : 0)) | 0];
    const [el, eh] = at(size - 1);
    if (this.access(vaHi, vaLo, Access.Write, 0) === FAULT || this.access(eh, el, Access.Write, 0) === FAULT) return;
    for (let i = 0; i < size; i++) {
      const k = this.big ? size - 1 - i : i, [l, h] = at(i);
      this.wrB(h, l, (k < 4 ? lo >>> (8 * k) : hi >>> (8 * (k - 4))) & 0xff);
      if (this.trapped) return;
    }
  }

  /** ll/lld: Address Error unless aligned (the Octeon fixup never applies to them). */
  alignLinked(vaHi: number, vaLo: number, mask: number): void {
    if (vaLo & mask) this.fault(Xlate.AddressError, vaHi, vaLo, false, true);
  }

  /** The instruction word at PC (trapped on a fetch exception). */
  fetchWord(): number {
    const vaHi = this.pcHi, vaLo = this.pcLo;
    if (vaLo & 3) {
      this.c0.set64(C0.BADVADDR, vaHi, vaLo);
      this.trap(Exc.AdEL, false, 0);
      return 0;
    }
    let off = this.htlb.cached(this.mode, Access.Fetch, vaHi, vaLo);
    if (off < 0) {
      off = this.slow(vaHi, vaLo, Access.Fetch);
      if (off === FAULT) return 0;
      if (off < 0) return this.ioRead(off, 4, vaHi, vaLo, true) | 0;
    }
    const w = this.bus.ram32[off >>> 2];
    return this.big ? bswap32(w) : w;
  }

  /** Byte load, zero-extended. */
  rdB(vaHi: number, vaLo: number): number {
    const off = this.access(vaHi, vaLo, Access.Read, 0);
    if (off >= 0) return this.bus.ram[off];
    return off === FAULT ? 0 : this.ioRead(off, 1, vaHi, vaLo, false) & 0xff;
  }

  /** Halfword load, zero-extended. */
  rdH(vaHi: number, vaLo: number): number {
    if ((vaLo & 1) !== 0 && this.unalignedFixup) return this.misalignedRead(vaHi, vaLo, 2);
    const off = this.access(vaHi, vaLo, Access.Read, 1);
    if (off >= 0) { const v = this.bus.ramU16[off >>> 1]; return this.big ? ((v & 0xff) << 8) | (v >>> 8) : v; }
    return off === FAULT ? 0 : this.ioRead(off, 2, vaHi, vaLo, false) & 0xffff;
  }

  /** Word load (int32). */
  rdW(vaHi: number, vaLo: number): number {
    if ((vaLo & 3) !== 0 && this.unalignedFixup) return this.misalignedRead(vaHi, vaLo, 4) | 0;
    const off = this.access(vaHi, vaLo, Access.Read, 3);
    if (off >= 0) { const v = this.bus.ram32[off >>> 2]; return this.big ? bswap32(v) : v; }
    return off === FAULT ? 0 : this.ioRead(off, 4, vaHi, vaLo, false) | 0;
  }

  /** Doubleword load: returns the low word, the high word in this.ldHi. */
  rdD(vaHi: number, vaLo: number): number {
    if ((vaLo & 7) !== 0 && this.unalignedFixup) return this.misalignedRead(vaHi, vaLo, 8);
    const off = this.access(vaHi, vaLo, Access.Read, 7);
    if (off >= 0) {
      const i = off >>> 2, m = this.bus.ram32;
      if (this.big) { this.ldHi = bswap32(m[i]); return bswap32(m[i + 1]); }
      this.ldHi = m[i + 1];
      return m[i];
    }
    if (off === FAULT) { this.ldHi = 0; return 0; }
    this.ioRead(off, 8, vaHi, vaLo, false);
    if (this.trapped) { this.ldHi = 0; return 0; }
    this.ldHi = this.bus.ioHi;
    return this.bus.ioLo;
  }

  wrB(vaHi: number, vaLo: number, lo: number): void {
    const off = this.access(vaHi, vaLo, Access.Write, 0);
    if (off >= 0) this.bus.ram[off] = lo;
    else if (off !== FAULT) this.ioWrite(off, 1, lo & 0xff, vaHi, vaLo);
  }

  wrH(vaHi: number, vaLo: number, lo: number): void {
    if ((vaLo & 1) !== 0 && this.unalignedFixup) { this.misalignedWrite(vaHi, vaLo, 2, lo, 0); return; }
    const off = this.access(vaHi, vaLo, Access.Write, 1);
    if (off >= 0) this.bus.ramU16[off >>> 1] = this.big ? ((lo & 0xff) << 8) | ((lo >>> 8) & 0xff) : lo;
    else if (off !== FAULT) this.ioWrite(off, 2, lo & 0xffff, vaHi, vaLo);
  }

  wrW(vaHi: number, vaLo: number, lo: number): void {
    if ((vaLo & 3) !== 0 && this.unalignedFixup) { this.misalignedWrite(vaHi, vaLo, 4, lo, 0); return; }
    const off = this.access(vaHi, vaLo, Access.Write, 3);
    if (off >= 0) this.bus.ram32[off >>> 2] = this.big ? bswap32(lo) : lo;
    else if (off !== FAULT) this.ioWrite(off, 4, lo >>> 0, vaHi, vaLo);
  }

  wrD(vaHi: number, vaLo: number, lo: number, hi: number): void {
    if ((vaLo & 7) !== 0 && this.unalignedFixup) { this.misalignedWrite(vaHi, vaLo, 8, lo, hi); return; }
    const off = this.access(vaHi, vaLo, Access.Write, 7);
    if (off >= 0) {
      const i = off >>> 2, m = this.bus.ram32;
      if (this.big) { m[i] = bswap32(hi); m[i + 1] = bswap32(lo); } else { m[i] = lo; m[i + 1] = hi; }
    } else if (off !== FAULT) this.ioWrite64(off, lo, hi, vaHi, vaLo);
  }

  /** After a non-throwing access: turns a taken guest exception into the throw older callers expect. */
  private unwind(): never {
    this.trapped = false;
    throw GUEST_EXCEPTION;
  }
  private checked<T>(v: T): T {
    if (this.trapped) this.unwind();
    return v;
  }

  lw(vaHi: number, vaLo: number): number { return this.checked(this.rdW(vaHi, vaLo)); }
  /** 64-bit load: returns the low word, high word in this.ldHi. */
  ld(vaHi: number, vaLo: number): number { return this.checked(this.rdD(vaHi, vaLo)); }
  sw(vaHi: number, vaLo: number, lo: number): void { this.wrW(vaHi, vaLo, lo); this.checked(0); }
  sd(vaHi: number, vaLo: number, lo: number, hi: number): void { this.wrD(vaHi, vaLo, lo, hi); this.checked(0); }

  /** After ll/lld's load at (vaHi:vaLo): LLbit, the linked physical address and LLAddr. */
  llSet(vaHi: number, vaLo: number): void {
    this.llbit = true;
    // (The load just went through the host translation cache: a RAM page is there.)
    const off = this.htlb.cached(this.mode, Access.Read, vaHi, vaLo);
    this.llPhys = off >= 0 ? this.bus.physOfRam(off) : this.linkedPhys(translate(this, vaHi, vaLo, false, this.mode, this.c0.status, this.asid));
    const ll = Math.floor(Math.max(0, this.llPhys) / 16);
    this.c0.set64(C0.LLADDR, Math.floor(ll / TWO32), ll % TWO32);
  }

  /**
   * The name LL/SC compare a physical address by: RAM by its first window (bus.physOfRam,
   * whichever alias was used — so the host translation cache's RAM offsets name it too),
   * anything else as it is.
   */
  private linkedPhys(pa: number): number {
    if (pa < 0) return pa;
    const off = this.bus.ramOffset(pa);
    return off >= 0 ? this.bus.physOfRam(off) : pa;
  }

  /** sc/scd (non-throwing): 1 when stored, 0 when LLbit was clear or the address is not the linked one. */
  scNT(vaHi: number, vaLo: number, lo: number, hi: number, size: 4 | 8): number {
    // Translate first: a faulting SC raises its exception whatever LLbit is.
    const off = this.access(vaHi, vaLo, Access.Write, size - 1);
    if (off === FAULT) return 0;
    const pa = off >= 0 ? this.bus.physOfRam(off) : this.linkedPhys(translate(this, vaHi, vaLo, true, this.mode, this.c0.status, this.asid));
    if (!this.llbit || pa !== this.llPhys) { this.llbit = false; return 0; }
    if (size === 4) this.wrW(vaHi, vaLo, lo); else this.wrD(vaHi, vaLo, lo, hi);
    this.llbit = false;
    return this.trapped ? 0 : 1;
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

  /** sdl/sdr of the value (vh:vl). */
  sdlrValue(vaHi: number, vaLo: number, vl: number, vh: number, left: boolean): void {
    const b = this.big ? 7 - (vaLo & 7) : vaLo & 7;
    this.xlate(vaHi, vaLo & ~7, Access.Write);
    const lo = this.ld(vaHi, vaLo & ~7);
    const out = this.sdOut;
    sdlrMerge(lo, this.ldHi, vl, vh, b, left, out);
    this.sd(vaHi, vaLo & ~7, out[0], out[1]);
  }

  // ---- arithmetic helpers called by semantics ------------------------------------------

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

  // ---- coprocessor usability -------------------------------------------------------------

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
  fpuOp(f: () => void): void {
    try { f(); } catch (e) {
      if (e && typeof e === 'object' && 'kind' in e) this.raise(Exc.FPE, false, 0);
      throw e;
    }
  }
  fpuUnimplemented(): object { return { kind: 'unimplemented' }; }

  /**
   * RDHWR: allowed in Kernel mode, with Status.CU0, or by the register's HWREna bit.
   * Only registers 0-3 exist: UserLocal (29) needs Config3.ULRI, which the 5KEc lacks
   * (QEMU 7.2 nevertheless lets Kernel mode read it; we raise Reserved Instruction).
   */
  /**
   * rdhwr: the hardware register, or a Reserved Instruction exception taken as a trap
   * (Cpu.trapped; 0 returned) — no throw: Linux emulates rdhwr $29 on CPUs without it (the
   * 5Kc), so a busybox loop takes it 30 times per iteration.
   */
  rdhwr(rd: number): number {
    if (this.mode !== Mode.Kernel && !(this.c0.status & ST_CU0) && !(this.c0.hwrena & (1 << rd))) { this.trap(Exc.RI); return 0; }
    let v: number;
    switch (rd) {
      case 0: v = this.c0.w[C0.EBASE] & 0x3ff; break;
      case 1: v = this.model.synciStep; break;
      case 2: v = this.count() | 0; break;
      case 3: v = this.model.ccRes; break;
      case 30: case 31: {
        // Octeon: CvmCount, all 64 bits (register 30 is its non-virtualized copy).
        if (!this.oct) { this.trap(Exc.RI); return 0; }
        const t = this.oct.cp0.cvmCount(this);
        this.rdhwrHi = Number(BigInt.asIntN(32, t >> 32n));
        return Number(BigInt.asIntN(32, t));
      }
      default: this.trap(Exc.RI); return 0;
    }
    this.rdhwrHi = v >> 31;
    return v;
  }

  // ---- CP0 ----------------------------------------------------------------------------

  setStatus(v: number): void { cp0a.writePair(this, 12, 0, 0, v); }
  tlbr(): void { cp0a.tlbr(this); }
  tlbwi(): void { cp0a.tlbwrite(this, this.c0.index & 0x7fffffff); }
  tlbwr(): void { cp0a.tlbwrite(this, this.random(), true); }
  tlbp(): void { cp0a.tlbp(this); }

  /**
   * Before TLB entry i is overwritten: the host translations it may have produced (its
   * virtual range, whatever the ASID) are dropped, and the mapping listeners told — not
   * the whole host translation cache, which the refill handler's tlbwr would otherwise empty
   * on every TLB miss.
   */
  tlbEntryReplaced(i: number): void {
    const r = this.tlb.mappedRange(i);
    if (r === undefined) return;
    this.htlb.dropRange(r.keyHi, r.lo, r.bytes, this.segBits);
    for (const l of this.mappingListeners) l(r.keyHi, r.lo, r.bytes);
  }

  /** Drops the TLB's victim entries from index `from` (≥ its size) on, with what was cached from them. */
  dropTlbVictims(from: number): void {
    this.tlb.dropVictims(from, (i) => this.tlbEntryReplaced(i));
  }

  /**
   * Random: an entry from Wired to the top, a deterministic function of virtual time. The
   * hardware decrements it every cycle; counting down with the instruction count instead
   * made refills of a periodic guest loop land on the same few entries (each refill evicting
   * the page the next one needs: Debian's ash loop took 2,000× QEMU's TLB misses). Hashing
   * the instruction count spreads the entries as a free-running counter does, and keeps
   * Random stateless (nothing to checkpoint, equal on every engine).
   */
  random(): number {
    this.sync();
    const n = this.tlb.size, w = Math.min(this.c0.wired, n - 1);
    const span = n - w;
    const t = this.icount;
    let h = (t >>> 0) ^ Math.imul(Math.floor(t / 4294967296), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    return n - 1 - ((h >>> 0) % span);
  }

  eret(): void {
    const c0 = this.c0, w = c0.w;
    const was = w[C0.STATUS];
    const at = was & ST_ERL ? C0.ERROREPC : C0.EPC;
    w[C0.STATUS] = was & ~(was & ST_ERL ? ST_ERL : ST_EXL);
    this.llbit = false;
    this.statusChanged(was >>> 0);
    // ERET has no delay slot: jump directly.
    this.brState = 3;
    this.brLo = w[at];
    this.brHi = w[at + 1];
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
    if (!((this.c0.cause & this.c0.status & ST_IM) !== 0)) { this.waiting = true; this.waitSince = this.icount; }
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
