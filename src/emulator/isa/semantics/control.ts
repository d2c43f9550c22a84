// Semantics of jumps, branches (delay slots, likely branches that annul theirs, links),
// traps and the system instructions (syscall, break, sync, pref, rdhwr).

import { Exc } from '../cp0-defs';
import type { Sem, Val } from '../ir';
import { needCp0, needCp1, SemFn, status } from './common';
import { ST_CU0 } from '../cp0-defs';

type Cond = (s: Sem, a: Val, b: Val) => Val;

/** A conditional branch on rs (and rt), optionally likely and linking $31. */
const br = (cond: Cond, likely = false, link = false): SemFn => (s) => {
  const c = cond(s, s.gpr(s.rs), s.gpr(s.rt));
  if (link) s.set(31, s.link());
  s.branch(c, s.btarget(), likely);
};

const eq: Cond = (_s, a, b) => a.eq(b);
const ne: Cond = (_s, a, b) => a.ne(b);
const lez: Cond = (_s, a) => a.leS(0n);
const gtz: Cond = (_s, a) => a.gtS(0n);
const ltz: Cond = (_s, a) => a.ltS(0n);
const gez: Cond = (_s, a) => a.geS(0n);

/** Traps: rs against rt or against the sign-extended immediate. */
const trapRR = (cond: Cond): SemFn => (s) => s.raiseIf(cond(s, s.gpr(s.rs), s.gpr(s.rt)), Exc.Tr);
const trapRI = (cond: Cond): SemFn => (s) => s.raiseIf(cond(s, s.gpr(s.rs), s.imm.sx()), Exc.Tr);

/** j/jal: the 256 MiB region of the delay slot, the 26-bit index. */
const jtarget = (s: Sem): Val => s.pc().add(4n).and(~0x0fffffffn).or(s.f('jidx').zx());

/** RDHWR register numbers. */
const HWR_CPUNUM = 0, HWR_SYNCI_STEP = 1, HWR_CC = 2, HWR_CCRES = 3;
/** Octeon: CvmCount (64 bits), and its non-virtualized copy (the helper checks the model). */
const HWR_CVMCOUNT_V = 30, HWR_CVMCOUNT = 31;

export const CONTROL: Record<string, SemFn> = {
  j: (s) => s.branch(undefined, jtarget(s)),
  jal: (s) => { const t = jtarget(s); s.set(31, s.link()); s.branch(undefined, t); },
  jr: (s) => s.branch(undefined, s.gpr(s.rs)),
  'jr.hb': (s) => s.branch(undefined, s.gpr(s.rs)),
  jalr: (s) => { const t = s.gpr(s.rs); s.set(s.rd, s.link()); s.branch(undefined, t); },
  'jalr.hb': (s) => { const t = s.gpr(s.rs); s.set(s.rd, s.link()); s.branch(undefined, t); },
  jalx: (s) => s.raise(Exc.RI),
  beq: br(eq), bne: br(ne), beql: br(eq, true), bnel: br(ne, true),
  blez: br(lez), bgtz: br(gtz), blezl: br(lez, true), bgtzl: br(gtz, true),
  bltz: br(ltz), bgez: br(gez), bltzl: br(ltz, true), bgezl: br(gez, true),
  bltzal: br(ltz, false, true), bgezal: br(gez, false, true), bltzall: br(ltz, true, true), bgezall: br(gez, true, true),
  bc1f: (s) => { needCp1(s); s.branch(s.call('fpuCond', s.f('cc')).eqz(), s.btarget()); },
  bc1t: (s) => { needCp1(s); s.branch(s.call('fpuCond', s.f('cc')).ne(0), s.btarget()); },
  bc1fl: (s) => { needCp1(s); s.branch(s.call('fpuCond', s.f('cc')).eqz(), s.btarget(), true); },
  bc1tl: (s) => { needCp1(s); s.branch(s.call('fpuCond', s.f('cc')).ne(0), s.btarget(), true); },

  tge: trapRR((_s, a, b) => a.geS(b)), tgeu: trapRR((_s, a, b) => a.geU(b)),
  tlt: trapRR((_s, a, b) => a.ltS(b)), tltu: trapRR((_s, a, b) => a.ltU(b)),
  teq: trapRR((_s, a, b) => a.eq(b)), tne: trapRR((_s, a, b) => a.ne(b)),
  tgei: trapRI((_s, a, b) => a.geS(b)), tgeiu: trapRI((_s, a, b) => a.geU(b)),
  tlti: trapRI((_s, a, b) => a.ltS(b)), tltiu: trapRI((_s, a, b) => a.ltU(b)),
  teqi: trapRI((_s, a, b) => a.eq(b)), tnei: trapRI((_s, a, b) => a.ne(b)),

  syscall: (s) => s.raise(Exc.Sys),
  break: (s) => s.raise(Exc.Bp),
  sdbbp: (s) => s.raise(Exc.RI),
  sync: () => {},
  synci: () => { /* caches are not modelled; translated code is invalidated by page traps */ },
  pref: () => {},
  prefx: (s) => needCp1(s),
  cache: (s) => needCp0(s), // (no caches modelled)

  /**
   * RDHWR: allowed in Kernel mode, with Status.CU0, or by the register's HWREna bit. Only
   * registers 0-3 exist: UserLocal (29) needs Config3.ULRI, which the modelled CPUs lack, so
   * it is a Reserved Instruction, which Linux emulates (QEMU 7.2 lets Kernel mode read it).
   */
  rdhwr: (s) => {
    const rd = s.rd;
    if (!rd.isConst) { s.set(s.rt, s.call('rdhwr', rd)); return; }
    const n = rd.k as number;
    if (n === HWR_CVMCOUNT || n === HWR_CVMCOUNT_V) { s.set(s.rt, s.call('rdhwr', n)); return; }
    if (n > HWR_CCRES) { s.raise(Exc.RI); return; }
    const denied = s.mode().ne(0).and(status(s).and(ST_CU0).eqz()).and(s.c0w('hwrena').and(1 << n).eqz());
    s.raiseIf(denied, Exc.RI);
    switch (n) {
      case HWR_CPUNUM: s.set(s.rt, s.c0w('ebase').and(0x3ff).sx()); return;
      case HWR_SYNCI_STEP: s.set(s.rt, s.i64(s.ctx.target.synciStep)); return;
      case HWR_CC: s.set(s.rt, s.call('rdhwr', HWR_CC)); return;
      default: s.set(s.rt, s.i64(s.ctx.target.ccRes));
    }
  },

  /** Every word no instruction of the model decodes to. */
  reserved: (s) => s.raise(Exc.RI),
};
