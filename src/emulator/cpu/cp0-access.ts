// Behaviour of CP0 reads and writes (mfc0/dmfc0/mtc0/dmtc0) and of the TLB
// instructions: writable-bit masks per register (seed §4.1.5: never let the guest set
// reserved bits), side effects (a change of ASID or of Status's UX/SX/KX/ERL flushes the
// host translation cache, Compare write clears the timer interrupt, Count write rebases
// the counter), and TLBR/TLBWI/TLBWR/TLBP with Index.P and the machine check on
// duplicate entries. EntryLo's RI/XI (bits 63/62, with PageGrain.RIE/XIE) are kept at
// bits 52/51 of the stored value (translate.ts). Registers a model adds (Config4-7,
// KScratch, the Cavium ones) are read and written by cp0-cavium.ts.

import { keyHi, POW2 } from '../mmu/tlb';
import { ELO_RI_KEPT, ELO_XI_KEPT } from '../mmu/translate';
import { CA_TI, Exc, ST_TS } from './cp0-defs';
import type { Cpu } from './cpu';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const S32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** dmfc0: the full 64-bit value of (reg, sel). */
export function read64(cpu: Cpu, reg: number, sel: number): bigint {
  const c0 = cpu.c0;
  switch (reg * 8 + sel) {
    case 0: return BigInt(c0.index | 0);
    case 8: return BigInt(cpu.random());
    case 16: return entryLoOut(c0.entryLo0);
    case 24: return entryLoOut(c0.entryLo1);
    case 32: return c0.context;
    case 40: return BigInt(c0.pageMask);
    case 41: return BigInt(c0.pageGrain | 0);
    case 48: return BigInt(c0.wired);
    case 56: return BigInt(c0.hwrena);
    case 64: return c0.badVAddr;
    case 72: return BigInt(cpu.count() | 0);
    case 80: return c0.entryHi;
    case 88: return BigInt(c0.compare | 0);
    case 96: return BigInt(c0.status | 0);
    case 97: return BigInt(c0.intCtl | 0);
    case 98: return BigInt(c0.srsCtl | 0);
    case 99: return 0n;
    case 104: return BigInt(c0.cause | 0);
    case 112: return c0.epc;
    case 120: return BigInt(c0.prid | 0);
    case 121: return BigInt.asIntN(64, BigInt.asIntN(32, c0.ebase));
    case 128: return BigInt(c0.config0 | 0);
    case 129: return BigInt(c0.config1 | 0);
    case 130: return BigInt(c0.config2 | 0);
    case 131: return BigInt(c0.config3 | 0);
    case 136: return c0.lladdr;
    case 144: return c0.watchLo;
    case 152: return BigInt(c0.watchHi | 0);
    case 145: case 146: case 147: case 148: case 149: case 150: case 151: {
      const i = (sel - 1) * 2;
      return (BigInt(c0.watchLoN[i + 1] >>> 0) << 32n) | BigInt(c0.watchLoN[i] >>> 0);
    }
    case 153: case 154: case 155: case 156: case 157: case 158: case 159: return BigInt(c0.watchHiN[sel - 1]);
    case 160: return c0.xContext;
    case 184: return BigInt(c0.debug | 0);
    case 192: return c0.depc;
    case 200: return BigInt(c0.perfCtl0 | 0);
    case 201: return BigInt(c0.perfCnt0 | 0);
    case 208: return BigInt(c0.errCtl | 0);
    case 216: return BigInt(c0.cacheErr | 0);
    case 224: return BigInt(c0.tagLo | 0);
    case 225: return BigInt(c0.dataLo | 0);
    case 232: return BigInt(c0.tagHi | 0);
    case 233: return BigInt(c0.dataHi | 0);
    case 240: return c0.errorEpc;
    case 248: return c0.desave;
    default: return cpu.oct?.cp0.read64(cpu, reg, sel) ?? 0n;
  }
}

/** EntryLo as the architecture shows it: RI/XI from their kept bits 52/51 to 63/62. */
function entryLoOut(v: number): bigint {
  if (v < ELO_XI_KEPT) return BigInt(v);
  const ri = v >= ELO_RI_KEPT, xi = (v % ELO_RI_KEPT) >= ELO_XI_KEPT;
  return BigInt(v % ELO_XI_KEPT) | (ri ? 1n << 63n : 0n) | (xi ? 1n << 62n : 0n);
}

/** An EntryLo write: PFN and flags, and RI/XI (kept at bits 52/51) when PageGrain.RIE/XIE enable them. */
function entryLoIn(cpu: Cpu, v: bigint): number {
  const base = Number(BigInt.asUintN(64, v) & BigInt(entryLoMask(cpu.paBits)));
  const pg = cpu.c0.pageGrain;
  const ri = (pg & (1 << 31)) !== 0 && (v & (1n << 63n)) !== 0n;
  const xi = (pg & (1 << 30)) !== 0 && (v & (1n << 62n)) !== 0n;
  return base + (ri ? ELO_RI_KEPT : 0) + (xi ? ELO_XI_KEPT : 0);
}

/** mfc0: low 32 bits (sign-extended by the caller). */
export function read(cpu: Cpu, reg: number, sel: number): number {
  return S32(read64(cpu, reg, sel));
}

/** mtc0/dmtc0 of `v` (the whole GPR for both). */
export function write(cpu: Cpu, reg: number, sel: number, v: bigint): void {
  const c0 = cpu.c0;
  const m = cpu.model;
  const lo = S32(v) >>> 0;
  switch (reg * 8 + sel) {
    case 0: {
      // An index beyond the TLB is ignored (QEMU; UNDEFINED in the architecture). P is read-only.
      const i = lo & 0x7fffffff;
      if (i < cpu.tlb.size) c0.index = ((c0.index & 0x80000000) | i) >>> 0;
      return;
    }
    case 16: c0.entryLo0 = entryLoIn(cpu, v); return;
    case 24: c0.entryLo1 = entryLoIn(cpu, v); return;
    case 32: c0.context = U64((c0.context & 0x7fffffn) | (v & ~0x7fffffn)); return;
    case 40: {
      // Only a run of ones from bit 13 is a page size; anything else selects 4 KiB (QEMU).
      const m = (lo >>> 13) & 0xffff;
      c0.pageMask = (m & (m + 1)) === 0 ? m << 13 : 0;
      return;
    }
    case 41: c0.pageGrain = (lo & (m.pageGrainMask ?? 0)) >>> 0; return;
    case 48: c0.wired = lo % cpu.tlb.size; return;
    case 56: c0.hwrena = (lo & (m.hwrenaMask ?? 0xf)) >>> 0; return;
    case 72: c0.countBase = lo; c0.countIcount = cpu.icount; cpu.rescheduleTimer(); return;
    case 80: {
      const segMask = (3n << 62n) | ((1n << BigInt(cpu.segBits)) - 1n);
      c0.entryHi = U64(v) & ((segMask & ~0x1fffn) | 0xffn);
      const asid = Number(c0.entryHi & 0xffn);
      if (asid !== cpu.asid) { cpu.asid = asid; cpu.htlb.flush(); }
      return;
    }
    case 88:
      c0.compare = lo;
      c0.cause = (c0.cause & ~CA_TI) >>> 0;
      cpu.updateCauseIp();
      cpu.rescheduleTimer();
      return;
    case 96: {
      const mask = m.statusMask, was = c0.status;
      c0.status = ((c0.status & ~mask) | (lo & mask)) >>> 0;
      cpu.statusChanged(was);
      return;
    }
    case 97: c0.intCtl = ((c0.intCtl & ~0x3e0) | (lo & 0x3e0)) >>> 0; return;
    case 98: c0.srsCtl = ((c0.srsCtl & ~0xf3c0) | (lo & 0xf3c0)) >>> 0; return;
    case 104: {
      const mask = 0x08c00300;
      c0.cause = ((c0.cause & ~mask) | (lo & mask)) >>> 0;
      cpu.updateIrq();
      return;
    }
    case 112: c0.epc = U64(v); return;
    case 121: {
      const old = Number(c0.ebase & 0xffffffffn);
      c0.ebase = U64(BigInt(((old & ~0x3ffff000) | (lo & 0x3ffff000)) | 0));
      return;
    }
    case 128: c0.config0 = ((c0.config0 & ~7) | (lo & 7)) >>> 0; return;
    case 144: c0.watchLo = U64(v) & ~7n; return; // I/R/W: no watch conditions implemented (QEMU)
    case 152: c0.watchHi = (((c0.watchHi & ~0x40ff0ff8) | (lo & 0x40ff0ff8)) & ~(lo & 7)) >>> 0; return;
    case 145: case 146: case 147: case 148: case 149: case 150: case 151: {
      // WatchLo1-7, as select 0.
      const w = U64(v) & ~7n, i = (sel - 1) * 2;
      c0.watchLoN[i] = Number(w & 0xffffffffn) | 0;
      c0.watchLoN[i + 1] = Number(w >> 32n) | 0;
      return;
    }
    case 153: case 154: case 155: case 156: case 157: case 158: case 159: {
      const o = c0.watchHiN[sel - 1];
      c0.watchHiN[sel - 1] = ((o & ~0x40ff0ff8) | (lo & 0x40ff0ff8)) & ~(lo & 7);
      return;
    }
    case 160: {
      const keep = (1n << BigInt(cpu.segBits - 7)) - 1n;
      c0.xContext = U64((c0.xContext & keep) | (v & ~keep));
      return;
    }
    case 200: c0.perfCtl0 = lo & 0x7ff; return; // Event, IE, U, S, K, EXL (M, W read-only)
    case 201: c0.perfCnt0 = lo; return;
    case 208: c0.errCtl = lo & 0x30000000; return; // only WST and SPR are writable (no parity enable), as QEMU
    case 224: c0.tagLo = (lo & 0xfffffcf6) >>> 0; return; // QEMU's TagLo mask
    case 225: c0.dataLo = lo; return;
    case 232: c0.tagHi = lo; return;
    case 233: c0.dataHi = lo; return;
    case 240: c0.errorEpc = U64(v); return;
    case 248: c0.desave = U64(v); return;
    default: cpu.oct?.cp0.write(cpu, reg, sel, v); return; // else read-only or unimplemented: ignored
  }
}

function entryLoMask(paBits: number): number {
  return (POW2[paBits - 12] - 1) * 64 + 0x3f;
}

export function tlbr(cpu: Cpu): void {
  const c0 = cpu.c0;
  const i = c0.index & 0x7fffffff;
  if (i >= cpu.tlb.size) return;
  const e = cpu.tlb.read(i);
  c0.pageMask = e.pageMask;
  const hi = (BigInt(e.hiHi >>> 0) << 32n) | BigInt(e.hiLo >>> 0);
  c0.entryHi = hi;
  c0.entryLo0 = e.lo0;
  c0.entryLo1 = e.lo1;
  const asid = Number(hi & 0xffn);
  if (asid !== cpu.asid) { cpu.asid = asid; }
  cpu.htlb.flush();
}

export function tlbwrite(cpu: Cpu, i: number): void {
  const c0 = cpu.c0;
  if (i >= cpu.tlb.size) return;
  const hiHi = keyHi(Number(BigInt.asIntN(32, c0.entryHi >> 32n)), cpu.segBits);
  const hiLo = Number(c0.entryHi & 0xffffffffn);
  const g = (c0.entryLo0 % 2) === 1 && (c0.entryLo1 % 2) === 1;
  // PFN bits below the page size are cleared (QEMU does; implementation dependent).
  const pfnLow = (c0.pageMask >>> 13) << 6;
  const clip = (lo: number): number => lo - (((lo % 4294967296) & pfnLow) >>> 0);
  const lo0 = clip(g ? c0.entryLo0 : c0.entryLo0 - (c0.entryLo0 % 2));
  const lo1 = clip(g ? c0.entryLo1 : c0.entryLo1 - (c0.entryLo1 % 2));
  if (cpu.tlb.overlaps(hiHi, hiLo >>> 0, c0.pageMask, hiLo & 0xff, g, i)
    && ((lo0 & 2) !== 0 || (lo1 & 2) !== 0)) {
    // A second matching entry would make lookups ambiguous: machine check (Status.TS).
    c0.status = (c0.status | ST_TS) >>> 0;
    cpu.raise(Exc.MCheck, false, 0);
  }
  cpu.tlb.write(i, c0.pageMask, hiHi, hiLo, lo0, lo1);
  cpu.htlb.flush();
}

export function tlbp(cpu: Cpu): void {
  const c0 = cpu.c0;
  const hiHi = keyHi(Number(BigInt.asIntN(32, c0.entryHi >> 32n)), cpu.segBits);
  const hiLo = Number(c0.entryHi & 0xffffffffn);
  const i = cpu.tlb.find(hiHi, hiLo >>> 0, hiLo & 0xff);
  if (i >= 0) c0.index = i;
  else c0.index = (c0.index | 0x80000000) >>> 0;
}
