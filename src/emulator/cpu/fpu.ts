// MIPS64 Release 2 floating-point unit (CP1), modelled on QEMU's emulation of the 5KEf FPU
// (legacy NaN encoding, FCSR.NAN2008 = ABS2008 = 0). Arithmetic lives in fpu-softfloat.ts;
// this file holds the register file, FCSR/FIR/FCCR/FEXR/FENR, and the instruction-level
// operations the interpreter calls.
//
// Register file layout (identical to QEMU's fpu_f64[]): FPR i is the 64-bit value
// f[2*i] (low word) | f[2*i+1] (high word).
//  - FR=1: 32 independent 64-bit registers.
//  - FR=0: the 32-bit register i is always the LOW word of FPR i (f[2*i]); a 64-bit value in
//    register pair (2k, 2k+1) is f[4k] (low) | f[4k+2] (high). An odd register number used as
//    a 64-bit operand (UNPREDICTABLE) addresses the pair (r & ~1, r | 1), as QEMU does.
//  - 32-bit writes (mtc1, lwc1, .s/.w results) leave the high word of the FPR unchanged.
//
// What QEMU (7.2, the version the differential test runs) does before it reaches these
// operations — the interpreter's job:
//  - any CP1 instruction with Status.CU1 = 0: Coprocessor Unusable;
//  - .d arithmetic/compare/cvt with FR=0 and an odd register: Reserved Instruction
//    (check_cp1_registers);
//  - .l conversions (cvt/round/trunc/ceil/floor .l.fmt, cvt.d.l, cvt.s.l), luxc1/suxc1 and
//    recip/rsqrt .d need FR=1, else Reserved Instruction (check_cp1_64bitmode);
//  - every PS instruction, including cvt.s.pl/cvt.s.pu, cvt.ps.s, pll/plu/pul/puu, alnv.ps,
//    c.cond.ps, mov*.ps and madd.ps..., needs FIR.PS (or MIPS-3D) AND FR=1: on the 5KEf
//    FIR.PS = 0, so they are all Reserved Instructions there (see `hasPairedSingle`);
//  - there is no div.ps, sqrt.ps, recip.ps or rsqrt.ps in MIPS64 (Reserved Instruction even
//    with PS); this class computes them anyway if asked.
//
// Exceptions: an operation whose Cause bits intersect the Enables throws FpuException('fpe')
// after updating FCSR.Cause; then neither the destination nor FCSR.Flags (nor, for c.cond,
// the condition code) are written (QEMU's update_fcr31). Operations that raise nothing clear
// Cause; abs/neg/mov/movcf/movz/movn/pll.../alnv/cvt.ps.s leave FCSR alone. QEMU never raises
// Unimplemented Operation (Cause.E) from arithmetic, denormal operands included, so
// FpuException('unimplemented') is never thrown; E can only be set by ctc1, and then always
// traps (as 'fpe': both are the Floating Point exception, ExcCode 15).

import {
  FpStatus, FLAG_I, FLAG_V, RM_RM, RM_RN, RM_RP, RM_RZ,
  add32, add64, compare, cvt32from64, cvt32fromI32, cvt32fromI64, cvt64fromI64, dec32, dec64,
  div32, div64, f32Bits, f32FromBits, f64FromBits, f64Hi, f64Lo, int64Words, isNaN32, isNaN64,
  isSNaN32, isSNaN64, mul32, mul64, sqrt32, sqrt64, sub32, sub64, toInt,
} from './fpu-softfloat';

export class FpuException {
  constructor(readonly kind: 'fpe' | 'unimplemented') {}
}

export type FpFmt = 's' | 'd' | 'ps' | 'w' | 'l';
export type ArithFmt = 's' | 'd' | 'ps';
export type CvtFrom = 's' | 'd' | 'w' | 'l' | 'ps' | 'pu' | 'pl' | 'pw';
export type CvtTo = 's' | 'd' | 'w' | 'l' | 'ps' | 'pw';

/** FIR bits. */
export const FIR_S = 1 << 16, FIR_D = 1 << 17, FIR_PS = 1 << 18, FIR_3D = 1 << 19,
  FIR_W = 1 << 20, FIR_L = 1 << 21, FIR_F64 = 1 << 22, FIR_HAS2008 = 1 << 23;

/** QEMU's 5KEf: F64 | L | W | D | S, processor id 0x89, revision 0 (no PS, no 3D). */
export const FIR_5KEF = FIR_F64 | FIR_L | FIR_W | FIR_D | FIR_S | (0x89 << 8);
/** QEMU's MIPS64R2-generic: adds PS and MIPS-3D. */
export const FIR_MIPS64R2_GENERIC = FIR_F64 | FIR_3D | FIR_PS | FIR_L | FIR_W | FIR_D | FIR_S;

/**
 * Bits of FCSR that `ctc1 rt, $31` may change. QEMU's 5KEf definition has no
 * CP1_fcr31_rw_bitmask, i.e. 0: a ctc1 to FCSR changes nothing there (FCCR, FEXR and FENR
 * still work). Other QEMU R2 models with an FPU use 0xff83ffff.
 */
export const FCSR_MASK_5KEF = 0;
export const FCSR_MASK_R2 = 0xff83ffff | 0;

export interface FpuConfig {
  fir: number;
  /** Writable bits of FCSR through ctc1 $31. */
  fcsrWriteMask: number;
  /** FCSR value at reset. */
  fcsrReset: number;
}

export const FPU_5KEF: FpuConfig = { fir: FIR_5KEF, fcsrWriteMask: FCSR_MASK_5KEF, fcsrReset: 0 };
export const FPU_MIPS64R2_GENERIC: FpuConfig = { fir: FIR_MIPS64R2_GENERIC, fcsrWriteMask: FCSR_MASK_R2, fcsrReset: 0 };

const OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3;
const SAT32 = 0x7fffffff;

/** Bit position of condition code cc in FCSR (JS shifts mask the count like x86 does). */
const fccBit = (cc: number): number => (cc === 0 ? 23 : 24 + cc);

export class Fpu {
  /** 32 FPRs of 64 bits: lo word of FPR i at f[2*i], hi word at f[2*i+1]. */
  readonly f = new Int32Array(64);
  /** FCSR (FCR31). */
  fcsr: number;
  /** FIR (FCR0). */
  readonly fir: number;
  /** Status.FR: true = 32 64-bit registers; false = 32-bit registers paired for 64-bit values. */
  fr = false;
  private readonly cfg: FpuConfig;
  private readonly st = new FpStatus();
  private readonly st2 = new FpStatus();

  constructor(config: FpuConfig = FPU_5KEF) {
    this.cfg = config;
    this.fir = config.fir | 0;
    this.fcsr = config.fcsrReset | 0;
  }

  /** Whether paired-single instructions exist (FIR.PS or FIR.3D, as QEMU's check_ps). */
  get hasPairedSingle(): boolean {
    return (this.fir & (FIR_PS | FIR_3D)) !== 0;
  }

  reset(): void {
    this.f.fill(0);
    this.fcsr = this.cfg.fcsrReset | 0;
  }

  // -------------------------------------------------------------------------------------------
  // Raw register access honouring FR

  /** 32-bit word of FPR fs (mfc1, swc1, .s/.w operands). */
  readW(fs: number): number {
    return this.f[fs << 1];
  }
  /** Writes the 32-bit word of FPR fd, keeping the high word (mtc1, lwc1, .s/.w results). */
  writeW(fd: number, bits: number): void {
    this.f[fd << 1] = bits;
  }
  /** 64-bit value of FPR fs as [lo, hi] (dmfc1, sdc1, .d/.l operands). */
  readD(fs: number): [lo: number, hi: number] {
    return [this.dLo(fs), this.dHi(fs)];
  }
  writeD(fd: number, lo: number, hi: number): void {
    if (this.fr) {
      this.f[fd << 1] = lo;
      this.f[(fd << 1) | 1] = hi;
    } else {
      this.f[(fd & ~1) << 1] = lo;
      this.f[(fd | 1) << 1] = hi;
    }
  }
  /** mfhc1: the high word of the 64-bit value. */
  readHi(fs: number): number {
    return this.fr ? this.f[(fs << 1) | 1] : this.f[(fs | 1) << 1];
  }
  /** mthc1. */
  writeHi(fd: number, bits: number): void {
    if (this.fr) this.f[(fd << 1) | 1] = bits;
    else this.f[(fd | 1) << 1] = bits;
  }
  private dLo(r: number): number {
    return this.fr ? this.f[r << 1] : this.f[(r & ~1) << 1];
  }
  private dHi(r: number): number {
    return this.fr ? this.f[(r << 1) | 1] : this.f[(r | 1) << 1];
  }

  // -------------------------------------------------------------------------------------------
  // Control registers

  /** cfc1: FIR(0), FCCR(25), FEXR(26), FENR(28); 1 and 5 read 0 here (no UFR/FRE); others FCSR. */
  cfc1(reg: number): number {
    const c = this.fcsr;
    switch (reg) {
      case 0: return this.fir;
      case 1: case 5: return 0;
      case 25: return ((c >>> 24) & 0xfe) | ((c >>> 23) & 1);
      case 26: return c & 0x0003f07c;
      case 28: return (c & 0x00000f83) | ((c >>> 22) & 4);
      default: return c;
    }
  }

  /**
   * ctc1 (as QEMU's helper_ctc1 for an R2 core without UFR/FRE). `value` is the low word of
   * the GPR (QEMU's reserved-bit checks only look at the low 32 bits). Registers other than
   * 25, 26, 28, 31 are ignored. After a write, an FPE is raised (thrown) if Cause.E or an
   * enabled cause bit is set.
   */
  ctc1(reg: number, value: number): void {
    const c = this.fcsr;
    switch (reg) {
      case 25:
        if ((value & 0xffffff00) !== 0) return;
        this.fcsr = (c & 0x017fffff) | ((value & 0xfe) << 24) | ((value & 1) << 23);
        break;
      case 26:
        if (value & 0x007c0000) return;
        this.fcsr = (c & 0xfffc0f83) | (value & 0x0003f07c);
        break;
      case 28:
        if (value & 0x007c0000) return;
        this.fcsr = (c & 0xfefff07c) | (value & 0x00000f83) | ((value & 4) << 22);
        break;
      case 31: {
        const m = this.cfg.fcsrWriteMask;
        this.fcsr = (value & m) | (c & ~m);
        break;
      }
      default:
        return;
    }
    const x = this.fcsr;
    if ((((x >>> 7) & 0x1f) | 0x20) & (x >>> 12) & 0x3f) throw new FpuException('fpe');
  }

  /** FCC bit cc (0 = FCSR bit 23, 1..7 = bits 25..31). */
  cond(cc: number): boolean {
    return ((this.fcsr >>> fccBit(cc)) & 1) !== 0;
  }

  private setCond(cc: number, v: boolean): void {
    const m = 1 << fccBit(cc);
    this.fcsr = v ? this.fcsr | m : this.fcsr & ~m;
  }

  // -------------------------------------------------------------------------------------------
  // Flag handling

  private begin(): FpStatus {
    const st = this.st;
    st.rm = this.fcsr & 3;
    st.ftz = (this.fcsr & (1 << 24)) !== 0;
    st.flags = 0;
    return st;
  }

  /** QEMU's update_fcr31: sets Cause; traps if enabled, else accumulates Flags. */
  private finish(flags: number): void {
    let c = (this.fcsr & ~0x3f000) | (flags << 12);
    if (flags !== 0) {
      if (((c >>> 7) & 0x1f & flags) !== 0) {
        this.fcsr = c;
        throw new FpuException('fpe');
      }
      c |= flags << 2;
    }
    this.fcsr = c;
  }

  private s(r: number, st: FpStatus): number {
    return dec32(this.f[r << 1], st);
  }
  private d(r: number, st: FpStatus): number {
    return dec64(this.dLo(r), this.dHi(r), st);
  }
  private wd(fd: number, x: number): void {
    this.writeD(fd, f64Lo(x), f64Hi(x));
  }

  // -------------------------------------------------------------------------------------------
  // Arithmetic

  add(fmt: ArithFmt, fd: number, fs: number, ft: number): void { this.binop(OP_ADD, fmt, fd, fs, ft); }
  sub(fmt: ArithFmt, fd: number, fs: number, ft: number): void { this.binop(OP_SUB, fmt, fd, fs, ft); }
  mul(fmt: ArithFmt, fd: number, fs: number, ft: number): void { this.binop(OP_MUL, fmt, fd, fs, ft); }
  div(fmt: ArithFmt, fd: number, fs: number, ft: number): void { this.binop(OP_DIV, fmt, fd, fs, ft); }

  private binop(op: number, fmt: ArithFmt, fd: number, fs: number, ft: number): void {
    const st = this.begin();
    if (fmt === 'd') {
      const r = op64(op, this.d(fs, st), this.d(ft, st), st);
      this.finish(st.flags);
      this.wd(fd, r);
    } else if (fmt === 's') {
      const r = op32(op, this.s(fs, st), this.s(ft, st), st);
      this.finish(st.flags);
      this.f[fd << 1] = f32Bits(r);
    } else {
      const lo = op32(op, dec32(this.dLo(fs), st), dec32(this.dLo(ft), st), st);
      const hi = op32(op, dec32(this.dHi(fs), st), dec32(this.dHi(ft), st), st);
      this.finish(st.flags);
      this.writeD(fd, f32Bits(lo), f32Bits(hi));
    }
  }

  sqrt(fmt: ArithFmt, fd: number, fs: number): void { this.unop(0, fmt, fd, fs); }
  /** recip.fmt: 1 / fs, one rounding. */
  recip(fmt: ArithFmt, fd: number, fs: number): void { this.unop(1, fmt, fd, fs); }
  /** rsqrt.fmt: QEMU computes 1 / sqrt(fs) with two roundings. */
  rsqrt(fmt: ArithFmt, fd: number, fs: number): void { this.unop(2, fmt, fd, fs); }

  private unop(kind: number, fmt: ArithFmt, fd: number, fs: number): void {
    const st = this.begin();
    if (fmt === 'd') {
      const r = un64(kind, this.d(fs, st), st);
      this.finish(st.flags);
      this.wd(fd, r);
    } else if (fmt === 's') {
      const r = un32(kind, this.s(fs, st), st);
      this.finish(st.flags);
      this.f[fd << 1] = f32Bits(r);
    } else {
      const lo = un32(kind, dec32(this.dLo(fs), st), st);
      const hi = un32(kind, dec32(this.dHi(fs), st), st);
      this.finish(st.flags);
      this.writeD(fd, f32Bits(lo), f32Bits(hi));
    }
  }

  /** abs.fmt: clears the sign bit(s); no FCSR change (QEMU, ABS2008 = 0). */
  abs(fmt: ArithFmt, fd: number, fs: number): void { this.signop(fmt, fd, fs, 0x7fffffff, 0); }
  /** neg.fmt: flips the sign bit(s); no FCSR change. */
  neg(fmt: ArithFmt, fd: number, fs: number): void { this.signop(fmt, fd, fs, -1, 0x80000000 | 0); }

  private signop(fmt: ArithFmt, fd: number, fs: number, and: number, xor: number): void {
    if (fmt === 's') this.f[fd << 1] = (this.f[fs << 1] & and) ^ xor;
    else if (fmt === 'd') this.writeD(fd, this.dLo(fs), (this.dHi(fs) & and) ^ xor);
    else this.writeD(fd, (this.dLo(fs) & and) ^ xor, (this.dHi(fs) & and) ^ xor);
  }

  mov(fmt: ArithFmt, fd: number, fs: number): void {
    if (fmt === 's') this.f[fd << 1] = this.f[fs << 1];
    else this.writeD(fd, this.dLo(fs), this.dHi(fs));
  }

  /** madd.fmt fd, fr, fs, ft: fs * ft + fr, rounded twice (QEMU does not fuse). */
  madd(fmt: ArithFmt, fd: number, fr: number, fs: number, ft: number): void { this.mac(fmt, fd, fr, fs, ft, false, false); }
  /** msub.fmt: fs * ft - fr. */
  msub(fmt: ArithFmt, fd: number, fr: number, fs: number, ft: number): void { this.mac(fmt, fd, fr, fs, ft, true, false); }
  /** nmadd.fmt: -(fs * ft + fr); the sign of a NaN result is flipped too. */
  nmadd(fmt: ArithFmt, fd: number, fr: number, fs: number, ft: number): void { this.mac(fmt, fd, fr, fs, ft, false, true); }
  /** nmsub.fmt: -(fs * ft - fr). */
  nmsub(fmt: ArithFmt, fd: number, fr: number, fs: number, ft: number): void { this.mac(fmt, fd, fr, fs, ft, true, true); }

  private mac(fmt: ArithFmt, fd: number, fr: number, fs: number, ft: number, subtract: boolean, negate: boolean): void {
    const st = this.begin();
    const flip = negate ? 0x80000000 | 0 : 0;
    if (fmt === 'd') {
      const a = this.d(fs, st), b = this.d(ft, st), c = this.d(fr, st);
      const p = mul64(a, b, st);
      const r = subtract ? sub64(p, c, st) : add64(p, c, st);
      this.finish(st.flags);
      this.writeD(fd, f64Lo(r), f64Hi(r) ^ flip);
    } else if (fmt === 's') {
      const a = this.s(fs, st), b = this.s(ft, st), c = this.s(fr, st);
      const p = mul32(a, b, st);
      const r = subtract ? sub32(p, c, st) : add32(p, c, st);
      this.finish(st.flags);
      this.f[fd << 1] = f32Bits(r) ^ flip;
    } else {
      const half = (w: (r: number) => number): number => {
        const a = dec32(w(fs), st), b = dec32(w(ft), st), c = dec32(w(fr), st);
        const p = mul32(a, b, st);
        return f32Bits(subtract ? sub32(p, c, st) : add32(p, c, st)) ^ flip;
      };
      const lo = half((r) => this.dLo(r));
      const hi = half((r) => this.dHi(r));
      this.finish(st.flags);
      this.writeD(fd, lo, hi);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Conversions

  /** round.{w,l}.{s,d}: to integer, ties to even. */
  round(toFmt: 'w' | 'l', fromFmt: 's' | 'd', fd: number, fs: number): void { this.toInteger(toFmt, fromFmt, fd, fs, RM_RN); }
  trunc(toFmt: 'w' | 'l', fromFmt: 's' | 'd', fd: number, fs: number): void { this.toInteger(toFmt, fromFmt, fd, fs, RM_RZ); }
  ceil(toFmt: 'w' | 'l', fromFmt: 's' | 'd', fd: number, fs: number): void { this.toInteger(toFmt, fromFmt, fd, fs, RM_RP); }
  floor(toFmt: 'w' | 'l', fromFmt: 's' | 'd', fd: number, fs: number): void { this.toInteger(toFmt, fromFmt, fd, fs, RM_RM); }

  private toInteger(toFmt: 'w' | 'l', fromFmt: 's' | 'd', fd: number, fs: number, rm: number): void {
    const st = this.begin();
    const x = fromFmt === 's' ? this.rawS(fs) : this.rawD(fs);
    const n = toInt(x, rm, toFmt === 'w' ? 32 : 64, st);
    this.finish(st.flags);
    this.storeInt(toFmt, fd, n);
  }

  /** A binary32 operand without the signalling-NaN check (NaN for any NaN). */
  private rawS(r: number): number {
    const b = this.f[r << 1];
    return isNaN32(b) ? NaN : f32FromBits(b);
  }
  private rawD(r: number): number {
    const lo = this.dLo(r), hi = this.dHi(r);
    return isNaN64(lo, hi) ? NaN : f64FromBits(lo, hi);
  }

  /** Stores an integer result; NaN stands for "invalid": the legacy MIPS saturation value. */
  private storeInt(toFmt: 'w' | 'l', fd: number, n: number): void {
    if (toFmt === 'w') this.f[fd << 1] = n !== n ? SAT32 : n | 0;
    else if (n !== n) this.writeD(fd, -1, SAT32);
    else {
      const [lo, hi] = int64Words(n);
      this.writeD(fd, lo, hi);
    }
  }

  /**
   * cvt.toFmt.fromFmt. Formats: cvt.s.{d,w,l,pu,pl}, cvt.d.{s,w,l}, cvt.{w,l}.{s,d},
   * cvt.ps.s (fd = fs:ft, fs in the upper half; needs `ft`), cvt.ps.pw, cvt.pw.ps.
   */
  cvt(toFmt: CvtTo, fromFmt: CvtFrom, fd: number, fs: number, ft = 0): void {
    if (toFmt === 'ps' && fromFmt === 's') {
      this.writeD(fd, this.f[ft << 1], this.f[fs << 1]); // no FCSR change
      return;
    }
    const st = this.begin();
    switch (toFmt) {
      case 's': {
        let bits: number;
        switch (fromFmt) {
          case 'd': bits = f32Bits(cvt32from64(this.d(fs, st), st)); break;
          case 'w': bits = f32Bits(cvt32fromI32(this.f[fs << 1], st)); break;
          case 'l': bits = f32Bits(cvt32fromI64(this.dLo(fs), this.dHi(fs), st)); break;
          // QEMU's cvt.s.pl/pu helpers only copy the word, but still clear Cause
          case 'pl': bits = this.f[fs << 1]; break;
          case 'pu': bits = this.readHi(fs); break;
          default: return this.badCvt(toFmt, fromFmt);
        }
        this.finish(st.flags);
        this.f[fd << 1] = bits;
        return;
      }
      case 'd': {
        let r: number;
        switch (fromFmt) {
          case 's': r = this.s(fs, st); break; // exact
          case 'w': r = this.f[fs << 1]; break; // exact
          case 'l': r = cvt64fromI64(this.dLo(fs), this.dHi(fs), st); break;
          default: return this.badCvt(toFmt, fromFmt);
        }
        this.finish(st.flags);
        this.wd(fd, r);
        return;
      }
      case 'w': case 'l': {
        if (fromFmt !== 's' && fromFmt !== 'd') return this.badCvt(toFmt, fromFmt);
        const x = fromFmt === 's' ? this.rawS(fs) : this.rawD(fs);
        const n = toInt(x, st.rm, toFmt === 'w' ? 32 : 64, st);
        this.finish(st.flags);
        this.storeInt(toFmt, fd, n);
        return;
      }
      case 'ps': {
        if (fromFmt !== 'pw') return this.badCvt(toFmt, fromFmt);
        const lo = f32Bits(cvt32fromI32(this.dLo(fs), st));
        const hi = f32Bits(cvt32fromI32(this.dHi(fs), st));
        this.finish(st.flags);
        this.writeD(fd, lo, hi);
        return;
      }
      case 'pw': {
        if (fromFmt !== 'ps') return this.badCvt(toFmt, fromFmt);
        // each half saturates on its own flags (QEMU's cvt.pw.ps)
        const st2 = this.st2;
        st2.rm = st.rm; st2.ftz = st.ftz;
        st2.flags = 0;
        const lo = toInt(this.rawHalf(this.dLo(fs)), st.rm, 32, st2);
        const fl = st2.flags;
        st2.flags = 0;
        const hi = toInt(this.rawHalf(this.dHi(fs)), st.rm, 32, st2);
        this.finish(fl | st2.flags);
        this.writeD(fd, lo !== lo ? SAT32 : lo | 0, hi !== hi ? SAT32 : hi | 0);
        return;
      }
    }
  }

  private rawHalf(b: number): number {
    return isNaN32(b) ? NaN : f32FromBits(b);
  }

  private badCvt(toFmt: string, fromFmt: string): never {
    throw new Error(`fpu: no conversion cvt.${toFmt}.${fromFmt}`);
  }

  // -------------------------------------------------------------------------------------------
  // Compare and conditional moves

  /** c.cond.fmt cc, fs, ft (cond 0..15: f un eq ueq olt ult ole ule sf ngle seq ngl lt nge le ngt). */
  c(cond: number, fmt: ArithFmt, cc: number, fs: number, ft: number): void {
    const st = this.begin();
    if (fmt === 'ps') {
      const l = this.cmp32(cond, this.dLo(fs), this.dLo(ft), st);
      const h = this.cmp32(cond, this.dHi(fs), this.dHi(ft), st);
      this.finish(st.flags);
      this.setCond(cc, l);
      this.setCond(cc + 1, h);
      return;
    }
    let v: boolean;
    if (fmt === 's') v = this.cmp32(cond, this.f[fs << 1], this.f[ft << 1], st);
    else {
      const al = this.dLo(fs), ah = this.dHi(fs), bl = this.dLo(ft), bh = this.dHi(ft);
      const a = isNaN64(al, ah) ? NaN : f64FromBits(al, ah);
      const b = isNaN64(bl, bh) ? NaN : f64FromBits(bl, bh);
      v = compare(cond, a, b, isSNaN64(al, ah) || isSNaN64(bl, bh), st);
    }
    this.finish(st.flags);
    this.setCond(cc, v);
  }

  private cmp32(cond: number, x: number, y: number, st: FpStatus): boolean {
    return compare(cond, this.rawHalf(x), this.rawHalf(y), isSNaN32(x) || isSNaN32(y), st);
  }

  /** movt.fmt (tf = true) / movf.fmt (tf = false). For .ps, cc gates the low half and cc+1 the high. */
  movcf(fmt: ArithFmt, fd: number, fs: number, cc: number, tf: boolean): void {
    if (fmt === 'ps') {
      if (this.cond(cc) === tf) this.f[fd << 1] = this.f[fs << 1];
      if (this.cond(cc + 1) === tf) this.writeHi(fd, this.readHi(fs));
    } else if (this.cond(cc) === tf) this.mov(fmt, fd, fs);
  }
  /** movz.fmt: moves when GPR rt is zero. */
  movz(fmt: ArithFmt, fd: number, fs: number, gprIsZero: boolean): void {
    if (gprIsZero) this.mov(fmt, fd, fs);
  }
  /** movn.fmt: moves when GPR rt is not zero. */
  movn(fmt: ArithFmt, fd: number, fs: number, gprIsZero: boolean): void {
    if (!gprIsZero) this.mov(fmt, fd, fs);
  }

  // -------------------------------------------------------------------------------------------
  // Paired-single data movement

  /** pll.ps: fd = fs.lower : ft.lower. */
  pll(fd: number, fs: number, ft: number): void { this.pair(fd, this.f[fs << 1], this.f[ft << 1]); }
  /** plu.ps: fd = fs.lower : ft.upper. */
  plu(fd: number, fs: number, ft: number): void { this.pair(fd, this.f[fs << 1], this.readHi(ft)); }
  /** pul.ps: fd = fs.upper : ft.lower. */
  pul(fd: number, fs: number, ft: number): void { this.pair(fd, this.readHi(fs), this.f[ft << 1]); }
  /** puu.ps: fd = fs.upper : ft.upper. */
  puu(fd: number, fs: number, ft: number): void { this.pair(fd, this.readHi(fs), this.readHi(ft)); }

  private pair(fd: number, hi: number, lo: number): void {
    this.f[fd << 1] = lo;
    this.writeHi(fd, hi);
  }

  /**
   * alnv.ps fd, fs, ft, rs: rsLow3 = GPR[rs] & 7. 0: fd = fs; 4: the pair straddling fs and ft
   * (little-endian: fd = ft.lower : fs.upper; big-endian: fs.lower : ft.upper); otherwise fd is
   * left unchanged (QEMU).
   */
  alnv(fd: number, fs: number, ft: number, rsLow3: number, bigEndian = false): void {
    if (rsLow3 === 0) this.pair(fd, this.readHi(fs), this.f[fs << 1]);
    else if (rsLow3 === 4) {
      if (bigEndian) this.pair(fd, this.f[fs << 1], this.readHi(ft));
      else this.pair(fd, this.f[ft << 1], this.readHi(fs));
    }
  }
}

function op64(op: number, a: number, b: number, st: FpStatus): number {
  switch (op) {
    case OP_ADD: return add64(a, b, st);
    case OP_SUB: return sub64(a, b, st);
    case OP_MUL: return mul64(a, b, st);
    default: return div64(a, b, st);
  }
}

function op32(op: number, a: number, b: number, st: FpStatus): number {
  switch (op) {
    case OP_ADD: return add32(a, b, st);
    case OP_SUB: return sub32(a, b, st);
    case OP_MUL: return mul32(a, b, st);
    default: return div32(a, b, st);
  }
}

function un64(kind: number, a: number, st: FpStatus): number {
  switch (kind) {
    case 0: return sqrt64(a, st);
    case 1: return div64(1, a, st);
    default: return div64(1, sqrt64(a, st), st);
  }
}

function un32(kind: number, a: number, st: FpStatus): number {
  switch (kind) {
    case 0: return sqrt32(a, st);
    case 1: return div32(1, a, st);
    default: return div32(1, sqrt32(a, st), st);
  }
}

// Re-exported for engines that want flag/rounding constants without a second import.
export { FLAG_I, FLAG_V, RM_RM, RM_RN, RM_RP, RM_RZ };
