// Semantics of the privileged (CP0) instructions and of the coprocessor moves and branches
// the modelled CPUs lack (COP2): CP0 moves, di/ei, the TLB instructions, eret, wait — each a
// CPU helper after the coprocessor-usability check.

import { Exc } from '../cp0-defs';
import { CP0_STORED_READS, CP0_STORED_WRITES } from '../cp0-stored';
import type { Sem, Val } from '../ir';
import { cop2, needCp0, SemFn } from './common';

const sel = (s: Parameters<SemFn>[0]) => s.f('sel');

/** The register (reg, sel) a CP0 move names, when the word is known (a translated instruction). */
function cp0Key(s: Sem): number | undefined {
  const r = s.rd, l = sel(s);
  return r.isConst && l.isConst ? (r.k as number) * 8 + (l.k as number) : undefined;
}

/** dmfc0's 64-bit value: the register file directly where the read is plain (isa/cp0-stored.ts), else the CPU's CP0 read. */
function cp0Read(s: Sem): Val {
  const key = cp0Key(s);
  const plain = key === undefined ? undefined : CP0_STORED_READS.get(key);
  if (plain) return plain.wide ? s.c0d(plain.word) : s.c0w(plain.word).sx();
  return s.call('mfc0', s.rd, sel(s));
}

/** mtc0/dmtc0 of the whole GPR rt: a plain store where the write is plain, else the CPU's CP0 write. */
function cp0Write(s: Sem): void {
  const key = cp0Key(s);
  const plain = key === undefined ? undefined : CP0_STORED_WRITES.get(key);
  if (plain) s.setC0(plain, s.gpr(s.rt)); else s.call('mtc0', s.rd, sel(s), s.gpr(s.rt));
}

/** A CP0 instruction that is one helper call. */
const cp0Call = (helper: 'tlbr' | 'tlbwi' | 'tlbwr' | 'tlbp' | 'eret' | 'wait'): SemFn => (s) => { needCp0(s); s.call(helper); };

export const PRIVILEGED: Record<string, SemFn> = {
  mfc0: (s) => { needCp0(s); s.set(s.rt, cp0Read(s).sx32()); },
  dmfc0: (s) => { needCp0(s); s.set(s.rt, cp0Read(s)); },
  // mtc0 moves the whole GPR (as QEMU does): a 64-bit CP0 register gets all 64 bits.
  mtc0: (s) => { needCp0(s); cp0Write(s); },
  dmtc0: (s) => { needCp0(s); cp0Write(s); },
  di: (s) => { needCp0(s); s.set(s.rt, s.call('di').sx()); },
  ei: (s) => { needCp0(s); s.set(s.rt, s.call('ei').sx()); },
  rdpgpr: (s) => { needCp0(s); s.set(s.rd, s.gpr(s.rt)); },
  wrpgpr: (s) => { needCp0(s); s.set(s.rd, s.gpr(s.rt)); },
  tlbr: cp0Call('tlbr'),
  tlbwi: cp0Call('tlbwi'),
  tlbwr: cp0Call('tlbwr'),
  tlbp: cp0Call('tlbp'),
  eret: cp0Call('eret'),
  wait: cp0Call('wait'),
  deret: (s) => { needCp0(s); s.raise(Exc.RI); },
  c0: (s) => { needCp0(s); s.raise(Exc.RI); },

  // ---- COP2: no coprocessor 2 on the modelled CPUs
  mfc2: cop2, dmfc2: cop2, cfc2: cop2, mfhc2: cop2, mtc2: cop2, dmtc2: cop2, ctc2: cop2, mthc2: cop2,
  bc2f: cop2, bc2t: cop2, bc2fl: cop2, bc2tl: cop2, c2: cop2, lwc2: cop2, ldc2: cop2, swc2: cop2, sdc2: cop2,
};
