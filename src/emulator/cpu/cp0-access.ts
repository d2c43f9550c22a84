// Behaviour of CP0 reads and writes (mfc0/dmfc0/mtc0/dmtc0) and of the TLB
// instructions: writable-bit masks per register (seed §4.1.5: never let the guest set
// reserved bits), side effects (a change of ASID or of Status's UX/SX/KX/ERL flushes the
// host translation cache, Compare write clears the timer interrupt, Count write rebases
// the counter), and TLBR/TLBWI/TLBWR/TLBP with Index.P and the machine check on
// duplicate entries. Values move as int32 halves (no BigInt on the TLB refill path); the
// bigint forms serve the debugger. EntryLo's RI/XI (bits 63/62, with PageGrain.RIE/XIE) are
// kept at bits 52/51 of the stored value (translate.ts). Registers a model adds (Config4-7,
// KScratch, the Cavium ones) are read and written by cp0-cavium.ts.

import { keyHi, POW2, storedHiLo } from '../mmu/tlb';
import { ELO_RI_KEPT, ELO_XI_KEPT } from '../mmu/translate';
import { C0, C0_WORD } from './cp0';
import { CP0_STORED_READS, CP0_STORED_WRITES } from '../isa/cp0-stored';
import { CA_TI, Exc, ST_TS } from '../isa/cp0-defs';
import type { Cpu } from './cpu';

const TWO32 = 4294967296;

/**
 * By (register × 8 + select), where a register read as stored is kept: word + 1 for a
 * 64-bit register, −(word + 1) for a 32-bit one (read sign-extended); 0: not one of them.
 */
const STORED_READ_AT = new Int16Array(256);
for (const [key, r] of CP0_STORED_READS) STORED_READ_AT[key] = r.wide ? C0_WORD[r.word] + 1 : -(C0_WORD[r.word] + 1);

/**
 * mfc0/dmfc0: the 64-bit value of (reg, sel) as int32 halves: returns the low word and
 * leaves the high word in cpu.c0Hi. 32-bit registers read sign-extended.
 */
export function readPair(cpu: Cpu, reg: number, sel: number): number {
  const c0 = cpu.c0, w = c0.w;
  let lo: number;
  const at = STORED_READ_AT[reg * 8 + sel];
  if (at !== 0) {
    // (A register read as stored: isa/cp0-stored.ts, which translated code reads directly too.)
    if (at > 0) return pair(cpu, w, at - 1);
    lo = w[-at - 1];
    cpu.c0Hi = lo >> 31;
    return lo;
  }
  switch (reg * 8 + sel) {
    case 8: lo = cpu.random(); break;
    case 16: return entryLoOut(cpu, w, C0.ENTRYLO0);
    case 24: return entryLoOut(cpu, w, C0.ENTRYLO1);
    case 72: lo = cpu.count() | 0; break;
    case 144: return pair(cpu, w, C0.WATCHLO);
    case 152: lo = w[C0.WATCHHI]; break;
    case 145: case 146: case 147: case 148: case 149: case 150: case 151:
      return pair(cpu, w, C0.WATCHLON + (sel - 1) * 2);
    case 153: case 154: case 155: case 156: case 157: case 158: case 159: lo = w[C0.WATCHHIN + sel - 1]; break;
    case 184: lo = w[C0.DEBUG]; break;
    case 192: return pair(cpu, w, C0.DEPC);
    case 200: lo = w[C0.PERFCTL0]; break;
    case 201: lo = w[C0.PERFCNT0]; break;
    case 208: lo = w[C0.ERRCTL]; break;
    case 216: lo = w[C0.CACHEERR]; break;
    case 224: lo = w[C0.TAGLO]; break;
    case 225: lo = w[C0.DATALO]; break;
    case 232: lo = w[C0.TAGHI]; break;
    case 233: lo = w[C0.DATAHI]; break;
    default: {
      const v = cpu.oct?.cp0.read64(cpu, reg, sel);
      if (v === undefined) { lo = 0; break; }
      cpu.c0Hi = Number(BigInt.asIntN(32, v >> 32n));
      return Number(BigInt.asIntN(32, v));
    }
  }
  cpu.c0Hi = lo >> 31;
  return lo;
}

/** Words of the kept RI/XI bits (52/51) and of the architectural ones (63/62) in the high word. */
const RI_KEPT_HI = ELO_RI_KEPT / TWO32, XI_KEPT_HI = ELO_XI_KEPT / TWO32;
const RI_HI = 1 << 31, XI_HI = 1 << 30;

/** EntryLo as the architecture shows it: RI/XI from their kept bits 52/51 to 63/62. */
function entryLoOut(cpu: Cpu, w: Int32Array, at: number): number {
  const hi = w[at + 1];
  cpu.c0Hi = (hi & ~(RI_KEPT_HI | XI_KEPT_HI)) | (hi & RI_KEPT_HI ? RI_HI : 0) | (hi & XI_KEPT_HI ? XI_HI : 0);
  return w[at];
}

function pair(cpu: Cpu, w: Int32Array, at: number): number {
  cpu.c0Hi = w[at + 1];
  return w[at];
}

/** dmfc0 as a bigint (the debugger's view). */
export function read64(cpu: Cpu, reg: number, sel: number): bigint {
  const lo = readPair(cpu, reg, sel);
  return BigInt.asUintN(64, (BigInt(cpu.c0Hi) << 32n) | BigInt(lo >>> 0));
}

/** mfc0: low 32 bits (sign-extended by the caller). */
export function read(cpu: Cpu, reg: number, sel: number): number {
  return readPair(cpu, reg, sel);
}

/** mtc0/dmtc0 of the 64-bit value (hi:lo) (the whole GPR for both). */
export function writePair(cpu: Cpu, reg: number, sel: number, hi: number, lo: number): void {
  const c0 = cpu.c0, w = c0.w;
  const m = cpu.model;
  const plain = CP0_STORED_WRITES.get(reg * 8 + sel);
  // (A plain store, which translated code does directly too: isa/cp0-stored.ts.)
  if (plain !== undefined) { c0.set64(C0_WORD[plain], hi, lo); return; }
  switch (reg * 8 + sel) {
    case 0: {
      // An index beyond the TLB is ignored (QEMU; UNDEFINED in the architecture). P is read-only.
      const i = lo & 0x7fffffff;
      if (i < cpu.tlb.size) w[C0.INDEX] = (w[C0.INDEX] & 0x80000000) | i;
      return;
    }
    case 16: entryLo(cpu, C0.ENTRYLO0, hi, lo); return;
    case 24: entryLo(cpu, C0.ENTRYLO1, hi, lo); return;
    case 32: c0.set64(C0.CONTEXT, hi, (w[C0.CONTEXT] & 0x7fffff) | (lo & ~0x7fffff)); return;
    case 40: {
      // Only a run of ones from bit 13 is a page size; anything else selects 4 KiB (QEMU).
      const mk = (lo >>> 13) & 0xffff;
      w[C0.PAGEMASK] = (mk & (mk + 1)) === 0 ? mk << 13 : 0;
      return;
    }
    case 41: w[C0.PAGEGRAIN] = lo & (m.pageGrainMask ?? 0); return;
    case 48: w[C0.WIRED] = (lo >>> 0) % cpu.tlb.size; return;
    case 56: w[C0.HWRENA] = lo & (m.hwrenaMask ?? 0xf); return;
    case 72: w[C0.COUNT_BASE] = lo; c0.countIcount = cpu.icount; cpu.rescheduleTimer(); return;
    case 80: {
      // Region bits 63:62, VPN2 up to SEGBITS, ASID.
      const hiMask = (0xc0000000 | (POW2[cpu.segBits - 32] - 1)) | 0;
      w[C0.ENTRYHI] = lo & (~0x1fff | 0xff);
      w[C0.ENTRYHI + 1] = hi & hiMask;
      const asid = lo & 0xff;
      if (asid !== cpu.asid) { cpu.asid = asid; cpu.htlb.flush(); }
      return;
    }
    case 88:
      w[C0.COMPARE] = lo;
      w[C0.CAUSE] &= ~CA_TI;
      cpu.updateCauseIp();
      cpu.rescheduleTimer();
      return;
    case 96: {
      const mask = m.statusMask, was = c0.status;
      w[C0.STATUS] = (w[C0.STATUS] & ~mask) | (lo & mask);
      cpu.statusChanged(was);
      return;
    }
    case 97: w[C0.INTCTL] = (w[C0.INTCTL] & ~0x3e0) | (lo & 0x3e0); return;
    case 98: w[C0.SRSCTL] = (w[C0.SRSCTL] & ~0xf3c0) | (lo & 0xf3c0); return;
    case 104: {
      const mask = 0x08c00300;
      w[C0.CAUSE] = (w[C0.CAUSE] & ~mask) | (lo & mask);
      cpu.updateIrq();
      return;
    }
    case 121: {
      // Only bits 29:12 are writable; the register reads as the sign-extended 32-bit value.
      const v = (w[C0.EBASE] & ~0x3ffff000) | (lo & 0x3ffff000);
      c0.set64(C0.EBASE, v >> 31, v);
      return;
    }
    case 128: w[C0.CONFIG0] = (w[C0.CONFIG0] & ~7) | (lo & 7); return;
    case 144: c0.set64(C0.WATCHLO, hi, lo & ~7); return; // I/R/W: no watch conditions implemented (QEMU)
    case 152: w[C0.WATCHHI] = ((w[C0.WATCHHI] & ~0x40ff0ff8) | (lo & 0x40ff0ff8)) & ~(lo & 7); return;
    case 145: case 146: case 147: case 148: case 149: case 150: case 151:
      // WatchLo1-7, as select 0.
      c0.set64(C0.WATCHLON + (sel - 1) * 2, hi, lo & ~7);
      return;
    case 153: case 154: case 155: case 156: case 157: case 158: case 159: {
      const o = w[C0.WATCHHIN + sel - 1];
      w[C0.WATCHHIN + sel - 1] = ((o & ~0x40ff0ff8) | (lo & 0x40ff0ff8)) & ~(lo & 7);
      return;
    }
    case 160: {
      // PTEBase (bits 63:SEGBITS-7) is writable; BadVPN2 and R are not.
      const keepHi = ~(-1 << (cpu.segBits - 39));
      c0.set64(C0.XCONTEXT, (w[C0.XCONTEXT + 1] & keepHi) | (hi & ~keepHi), w[C0.XCONTEXT]);
      return;
    }
    case 200: w[C0.PERFCTL0] = lo & 0x7ff; return; // Event, IE, U, S, K, EXL (M, W read-only)
    case 201: w[C0.PERFCNT0] = lo; return;
    case 208: w[C0.ERRCTL] = lo & 0x30000000; return; // only WST and SPR are writable (no parity enable), as QEMU
    case 224: w[C0.TAGLO] = lo & 0xfffffcf6; return; // QEMU's TagLo mask
    case 225: w[C0.DATALO] = lo; return;
    case 232: w[C0.TAGHI] = lo; return;
    case 233: w[C0.DATAHI] = lo; return;
    default:
      // A model's own registers (cp0-cavium.ts); else read-only or unimplemented: ignored.
      cpu.oct?.cp0.write(cpu, reg, sel, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
      return;
  }
}

/** mtc0/dmtc0 of a bigint (the debugger's view). */
export function write(cpu: Cpu, reg: number, sel: number, v: bigint): void {
  writePair(cpu, reg, sel, Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asIntN(32, v)));
}

/**
 * EntryLo0/1: PFN up to PABITS, C, D, V, G (bits above PFN read as zero), and RI/XI (kept at
 * bits 52/51) when PageGrain.RIE/XIE enable them.
 */
function entryLo(cpu: Cpu, at: number, hi: number, lo: number): void {
  // PFN occupies bits 6..PABITS-7.
  const bits = cpu.paBits - 6;
  const w = cpu.c0.w;
  const pg = w[C0.PAGEGRAIN];
  w[at] = bits >= 32 ? lo : lo & ((1 << bits) - 1);
  w[at + 1] = (bits <= 32 ? 0 : hi & ((1 << (bits - 32)) - 1))
    | ((pg & (1 << 31)) && (hi & RI_HI) ? RI_KEPT_HI : 0) | ((pg & (1 << 30)) && (hi & XI_HI) ? XI_KEPT_HI : 0);
}

export function tlbr(cpu: Cpu): void {
  const c0 = cpu.c0, w = c0.w;
  const i = w[C0.INDEX] & 0x7fffffff;
  if (i >= cpu.tlb.size) return;
  // (Software reading the TLB may go on to reason about what it holds: no victims from here.)
  cpu.dropTlbVictims(cpu.tlb.size);
  const e = cpu.tlb.read(i);
  w[C0.PAGEMASK] = e.pageMask;
  c0.set64(C0.ENTRYHI, e.hiHi, e.hiLo);
  c0.entryLo0 = e.lo0;
  c0.entryLo1 = e.lo1;
  // EntryHi's ASID is the current one: a new ASID changes every mapped translation.
  const asid = e.hiLo & 0xff;
  if (asid !== cpu.asid) { cpu.asid = asid; cpu.htlb.flush(); }
}

/**
 * tlbwi (random false) or tlbwr (random true) of entry i from EntryHi/EntryLo0/1/PageMask.
 * tlbwr keeps the entry it replaces as a victim (mmu/tlb.ts); tlbwi drops every victim
 * unless it only grants more to the same mapping (sets V or D), as the refill and Modified
 * handlers' updates do.
 */
export function tlbwrite(cpu: Cpu, i: number, random = false): void {
  const c0 = cpu.c0, w = c0.w;
  if (i >= cpu.tlb.size) return;
  const hiHi = keyHi(w[C0.ENTRYHI + 1], cpu.segBits);
  const hiLo = w[C0.ENTRYHI] >>> 0;
  const e0 = c0.entryLo0, e1 = c0.entryLo1;
  const g = (e0 % 2) === 1 && (e1 % 2) === 1;
  // PFN bits below the page size are cleared (QEMU does; implementation dependent).
  const pm = w[C0.PAGEMASK] >>> 0;
  const pfnLow = (pm >>> 13) << 6;
  const clip = (lo: number): number => lo - (((lo % TWO32) & pfnLow) >>> 0);
  const lo0 = clip(g ? e0 : e0 - (e0 % 2));
  const lo1 = clip(g ? e1 : e1 - (e1 % 2));
  if (cpu.tlb.overlaps(hiHi, hiLo, pm, hiLo & 0xff, g, i) && ((lo0 & 2) !== 0 || (lo1 & 2) !== 0)) {
    // A second matching entry would make lookups ambiguous: machine check (Status.TS).
    w[C0.STATUS] |= ST_TS;
    cpu.raise(Exc.MCheck, false, 0);
  }
  if (cpu.tlb.victims > 0 && !random && !onlyGrants(cpu, i, pm, hiHi, hiLo, lo0, lo1)) cpu.dropTlbVictims(cpu.tlb.size);
  // Only the replaced entry's translations can be cached: drop those (not the whole
  // cache) — unless it lives on as a victim, which translates the same.
  if (!(random && cpu.tlb.keepVictim(i, cpu.asid))) cpu.tlbEntryReplaced(i);
  cpu.tlb.write(i, pm, hiHi, hiLo, lo0, lo1);
}

/** Whether writing (pm, hi, lo0, lo1) over entry i keeps its mapping and only sets V or D bits. */
function onlyGrants(cpu: Cpu, i: number, pm: number, hiHi: number, hiLo: number, lo0: number, lo1: number): boolean {
  const e = cpu.tlb.read(i);
  if (e.pageMask !== pm || e.hiHi !== hiHi || e.hiLo !== storedHiLo(hiLo)) return false;
  const grants = (was: number, now: number): boolean => {
    // The same PFN, C, G, RI/XI; V and D may only appear.
    const keep = (x: number): number => x - (x % 8) + (x % 2);
    if (keep(was) !== keep(now)) return false;
    return ((was & 6) & ~(now & 6)) === 0;
  };
  return grants(e.lo0, lo0) && grants(e.lo1, lo1);
}

export function tlbp(cpu: Cpu): void {
  const w = cpu.c0.w;
  const hiHi = keyHi(w[C0.ENTRYHI + 1], cpu.segBits);
  const hiLo = w[C0.ENTRYHI] >>> 0;
  const i = cpu.tlb.find(hiHi, hiLo, hiLo & 0xff);
  if (i >= 0) { w[C0.INDEX] = i; return; }
  // Software probing for a mapping it will change finds none: a victim of it must go
  // (with the victims kept after it).
  const v = cpu.tlb.victimMatching(hiHi, hiLo, hiLo & 0xff);
  if (v >= 0) cpu.dropTlbVictims(v);
  w[C0.INDEX] |= 0x80000000;
}
