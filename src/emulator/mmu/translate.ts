// Virtual → physical translation as the MIPS64 MMU defines it: the 32-bit compatibility
// segments (kuseg, kseg0, kseg1, ksseg, kseg3) and the 64-bit ones (xuseg, xsseg,
// xkphys with its cache-attribute field, xkseg), gated by UX/SX/KX and the current mode,
// then the TLB for mapped segments, and the Octeon's CVMSEG local memory at the top of
// kseg3 when its CvmMemCtl enables it for the mode. Pure: it raises nothing itself — the caller turns
// the result code into the right exception, and the debugger uses it side-effect free.

import { ST_ERL, ST_KX, ST_SX, ST_UX } from '../isa/cp0-defs';
import { keyHi, POW2, Tlb } from './tlb';

/** Result codes (negative) of translate(); a value ≥ 0 is the physical address. */
export const enum Xlate {
  AddressError = -1,
  Refill = -2,
  Invalid = -3,
  Modified = -4,
  /** The mapping has EntryLo.RI (a load) or XI (a fetch) set: see lastXlate.inhibit. */
  Inhibited = -5,
}

/**
 * EntryLo.RI and XI (architectural bits 63 and 62) as kept in EntryLo0/1 and TLB entries,
 * whose values are exact numbers below 2^53: at bits 52 and 51 (above any PFN of a
 * 49-bit physical address). cp0-access.ts converts on mtc0/mfc0.
 */
export const ELO_RI_KEPT = 2 ** 52;
export const ELO_XI_KEPT = 2 ** 51;

export const enum Mode { Kernel = 0, Supervisor = 1, User = 2 }

export interface MmuContext {
  readonly tlb: Tlb;
  readonly segBits: number;
  readonly paBits: number;
  /** Octeon CVMSEG local memory: bytes usable from 0xffffffffffff8000 in a mode (0: none), and where it is physically. */
  readonly cvmseg?: { bytes(mode: Mode): number; readonly pa: number };
  /** Where translate() leaves its extra output (the context's own object: no allocation per call). */
  readonly xlateInfo: XlateInfo;
}

/** Extra output of the last translate() call with a context. */
export interface XlateInfo {
  /** Whether the mapping permits writes without a TLB Modified exception. */
  writable: boolean;
  /** TLB index used, or -1 for unmapped segments. */
  tlbIndex: number;
  /** Whether the address was in a mapped segment (for the refill vector choice). */
  mapped: boolean;
  /** RI (bit 1) and XI (bit 0) of the mapping; the caller refuses a load from RI, a fetch from XI. */
  inhibit: number;
  /** CVMSEG: usable for fewer bytes than a page, so never a host-cache page. */
  partialPage: boolean;
}

/** A fresh XlateInfo for a context to own. */
export const newXlateInfo = (): XlateInfo => ({ writable: true, tlbIndex: -1, mapped: false, inhibit: 0, partialPage: false });

const TWO32 = 4294967296;

/**
 * Translates (vaHi:vaLo) for a read/fetch (write=false) or write, in privilege `mode`
 * with Status `status` and current `asid`. Returns a physical address or an Xlate code.
 */
export function translate(ctx: MmuContext, vaHi: number, vaLo: number, write: boolean, mode: Mode, status: number, asid: number): number {
  const lastXlate = ctx.xlateInfo;
  lastXlate.writable = true;
  lastXlate.tlbIndex = -1;
  lastXlate.mapped = false;
  lastXlate.inhibit = 0;
  lastXlate.partialPage = false;
  const hiU = vaHi >>> 0;
  const segHiLimit = POW2[ctx.segBits - 32]; // VPN bits above 31 must stay below this
  if (vaHi === 0 && vaLo >= 0) {
    // kuseg / useg (0 … 0x7fffffff)
    if ((status & ST_ERL) && mode === Mode.Kernel) return vaLo;
    return mapped(ctx, vaHi, vaLo, write, asid);
  }
  if (hiU < 0x40000000) {
    // xuseg
    if (!(status & ST_UX) || hiU >= segHiLimit) return Xlate.AddressError;
    return mapped(ctx, vaHi, vaLo, write, asid);
  }
  if (hiU < 0x80000000) {
    // xsseg
    if (mode === Mode.User || !(status & ST_SX) || (hiU & 0x3fffffff) >= segHiLimit) return Xlate.AddressError;
    return mapped(ctx, vaHi, vaLo, write, asid);
  }
  if (hiU < 0xc0000000) {
    // xkphys: bits 61:59 are the cache attribute, 58:PABITS must be zero
    if (mode !== Mode.Kernel || !(status & ST_KX)) return Xlate.AddressError;
    const pa = (hiU & 0x07ffffff) * TWO32 + (vaLo >>> 0);
    if (pa >= POW2[ctx.paBits]) return Xlate.AddressError;
    return pa;
  }
  if (vaHi !== -1 || vaLo >= 0) {
    // xkseg (up to the compatibility segments at 0xffffffff80000000)
    if (mode !== Mode.Kernel || !(status & ST_KX) || (hiU & 0x3fffffff) >= segHiLimit) return Xlate.AddressError;
    return mapped(ctx, vaHi, vaLo, write, asid);
  }
  const lo = vaLo >>> 0;
  if (lo < 0xc0000000) {
    // kseg0 / kseg1: unmapped, kernel only
    if (mode !== Mode.Kernel) return Xlate.AddressError;
    return lo & 0x1fffffff;
  }
  if (lo < 0xe0000000) {
    // ksseg / sseg
    if (mode === Mode.User) return Xlate.AddressError;
    return mapped(ctx, vaHi, vaLo, write, asid);
  }
  // kseg3 (CVMSEG at its top when enabled for the mode)
  if (lo >= 0xffff8000 && ctx.cvmseg !== undefined && lo - 0xffff8000 < ctx.cvmseg.bytes(mode)) {
    lastXlate.partialPage = true;
    return ctx.cvmseg.pa + (lo - 0xffff8000);
  }
  if (mode !== Mode.Kernel) return Xlate.AddressError;
  return mapped(ctx, vaHi, vaLo, write, asid);
}

function mapped(ctx: MmuContext, vaHi: number, vaLo: number, write: boolean, asid: number): number {
  const lastXlate = ctx.xlateInfo;
  lastXlate.mapped = true;
  const i = ctx.tlb.find(keyHi(vaHi, ctx.segBits), vaLo >>> 0, asid);
  if (i < 0) return Xlate.Refill;
  lastXlate.tlbIndex = i;
  const h = ctx.tlb.half(i, vaLo);
  if (!(h.lo & 2)) return Xlate.Invalid;
  if (h.lo >= ELO_XI_KEPT) lastXlate.inhibit = (h.lo >= ELO_RI_KEPT ? 2 : 0) | ((h.lo % ELO_RI_KEPT) >= ELO_XI_KEPT ? 1 : 0);
  const dirty = (h.lo & 4) !== 0;
  lastXlate.writable = dirty;
  if (write && !dirty) return Xlate.Modified;
  return h.pfnAddr + ((vaLo >>> 0) & (h.pageSize - 1));
}

/** Privilege mode from Status (EXL/ERL force kernel mode). */
export function modeOf(status: number): Mode {
  if (status & 6) return Mode.Kernel;
  const ksu = (status >>> 3) & 3;
  return ksu === 0 ? Mode.Kernel : ksu === 1 ? Mode.Supervisor : Mode.User;
}
