// Semantics of the FPU (CP1) instructions. Moves between GPRs and FPRs or control registers
// are helper calls after the CP1 check; the arithmetic, conversions, compares and FPR moves
// (every other COP1/COP1X instruction of the table) are one call-out path, `fpuOp`, given the
// instruction word: softfloat in JavaScript (cpu/fpu.ts), QEMU-exact, with its own format
// checks and FP exceptions.

import { F, TABLE } from '../table';
import { need64, needCp1, SemFn } from './common';

/** The GPR value an FPU operation reads: rt for movz/movn.fmt, rs for alnv.ps. */
const gprOperand = (op: string): 'rt' | 'rs' | undefined =>
  op.startsWith('movz.') || op.startsWith('movn.') ? 'rt' : op === 'alnv.ps' ? 'rs' : undefined;

const MOVES: Record<string, SemFn> = {
  mfc1: (s) => { needCp1(s); s.set(s.rt, s.call('fpuGetW', s.f('fs')).sx()); },
  mtc1: (s) => { needCp1(s); s.call('fpuSetW', s.f('fs'), s.gpr(s.rt).wrap()); },
  dmfc1: (s) => { needCp1(s); need64(s); s.set(s.rt, s.call('fpuGetD', s.f('fs'))); },
  dmtc1: (s) => { needCp1(s); need64(s); s.call('fpuSetD', s.f('fs'), s.gpr(s.rt)); },
  mfhc1: (s) => { needCp1(s); s.set(s.rt, s.call('fpuGetHi', s.f('fs')).sx()); },
  mthc1: (s) => { needCp1(s); s.call('fpuSetHi', s.f('fs'), s.gpr(s.rt).wrap()); },
  cfc1: (s) => { needCp1(s); s.set(s.rt, s.call('cfc1', s.f('fs')).sx()); },
  ctc1: (s) => { needCp1(s); s.call('ctc1', s.f('fs'), s.gpr(s.rt).wrap()); },
};

/** The ops of the table's FPU instructions that are not moves, loads/stores or branches: `fpuOp`. */
function fpuArithmetic(): Record<string, SemFn> {
  const out: Record<string, SemFn> = {};
  for (const e of TABLE) {
    if (!(e.flags & F.FPU) || (e.flags & (F.ALIAS | F.LOAD | F.STORE | F.BRANCH)) || e.op in MOVES) continue;
    if (e.op === 'movf' || e.op === 'movt') continue; // (GPR conditional moves: integer.ts)
    const g = gprOperand(e.op);
    out[e.op] = (s) => {
      needCp1(s);
      // (luxc1/suxc1 and recip/rsqrt.d check FR in the helper with the other format checks.)
      s.call('fpuOp', s.f('word'), g ? s.gpr(s.f(g)) : s.i64(0));
    };
  }
  return out;
}

export const FPU: Record<string, SemFn> = { ...MOVES, ...fpuArithmetic() };

