// The registers a gdb client sees, numbered as gdb's MIPS target expects them (the
// regnum attributes of target.xml, src/gdbstub/target-xml.ts):
//
//   0-31   r0…r31           33 lo   34 hi   37 pc                 org.gnu.gdb.mips.cpu
//   32     status (sign-extended 32-bit)  35 badvaddr  36 cause     org.gnu.gdb.mips.cp0
//   38-69  f0…f31 (Status.FR=1: 64-bit; FR=0: the 32-bit register, zero-extended), 70 fcsr,
//          71 fir; zero without an FPU                               org.gnu.gdb.mips.fpu
//
// — the layout of QEMU's MIPS gdbstub, value for value — then, from 72 on, the other CP0
// registers of the CPU's model (mips64studio.cp0, gdb group "cp0") and the TLB entries
// as tlbr would read them (mips64studio.tlb, group "tlb": tlbN_pagemask, _entryhi,
// _entrylo0, _entrylo1; read-only: a TLB write must go through tlbwi's checks).
// The extra registers are ordered 32-bit first: gdb shows its raw numbers 74-89 (the old
// "embedded" CP0 slots) as 32-bit values whatever their size, so 64-bit registers must
// come after them.
//
// Every register is 64 bits on the wire except the 32-bit extras, in the guest's byte
// order. Reads and writes go through the debugger core: GPRs, HI/LO, FPRs and FCSR as its
// expression assignments do, CP0 registers as mtc0/dmtc0 would (write masks apply), the PC
// through MachineDebugger.setPc (leaves WAIT and any delay slot).

import type { Cpu } from '../emulator/cpu/cpu';
import { getBig } from '../emulator/cpu/arith';
import { Cp0RegDef, cp0RegsOf, readCp0 } from '../emulator/debug/cp0-fields';
import type { MachineDebugger } from '../emulator/debug/debugger';
import { assign, LValue } from '../emulator/debug/expr';
import { entryLoAsRead } from '../emulator/debug/machine-info';

export const FEATURE_CPU = 'org.gnu.gdb.mips.cpu';
export const FEATURE_CP0 = 'org.gnu.gdb.mips.cp0';
export const FEATURE_FPU = 'org.gnu.gdb.mips.fpu';
export const FEATURE_EXTRA_CP0 = 'mips64studio.cp0';
export const FEATURE_TLB = 'mips64studio.tlb';

/** Registers in the `g` packet: the 72 of QEMU's layout (the extras are read with `p`). */
export const CORE_REGISTERS = 72;
export const PC_REGNUM = 37;
export const SP_REGNUM = 29;

export interface GdbRegister {
  readonly regnum: number;
  readonly name: string;
  readonly bits: 32 | 64;
  readonly feature: string;
  /** target.xml type (default int). */
  readonly type?: 'code_ptr' | 'data_ptr' | 'ieee_double';
  /** gdb register group (`info registers GROUP`). */
  readonly group?: string;
  /** The value, unsigned, `bits` wide. */
  read(cpu: Cpu): bigint;
  /** Writes the value; throws an Error whose message is for the user. Absent: read-only. */
  write?(dbg: MachineDebugger, value: bigint): void;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const sext32 = (v: bigint): bigint => U64(BigInt.asIntN(32, v));

const byLvalue = (lv: LValue) => (dbg: MachineDebugger, v: bigint): void => assign(lv, v, dbg.ctx);

function cp0Register(def: Cp0RegDef, regnum: number, feature: string, name = def.name, signExtend = false, group?: string): GdbRegister {
  return {
    regnum, name, feature, group, bits: signExtend ? 64 : def.bits,
    read: (cpu) => (signExtend ? sext32(readCp0(cpu, def)) : readCp0(cpu, def)),
    write: byLvalue({ kind: 'cp0', def }),
  };
}

/** The register list for a CPU (its model decides the FPU, the extra CP0 registers and the TLB size). */
export function registersOf(cpu: Cpu): GdbRegister[] {
  const defs = cp0RegsOf(cpu);
  const def = (reg: number, sel: number): Cp0RegDef => defs.find((d) => d.reg === reg && d.sel === sel)!;
  const status = def(12, 0), badvaddr = def(8, 0), cause = def(13, 0);
  const regs: GdbRegister[] = [];
  for (let i = 0; i < 32; i++) {
    regs.push({
      regnum: i, name: `r${i}`, bits: 64, feature: FEATURE_CPU, type: i === SP_REGNUM ? 'data_ptr' : undefined,
      read: (c) => U64(c.getGpr(i)),
      // r0 is hard-wired: writing it (gdb's G packet does) changes nothing.
      write: i === 0 ? () => undefined : byLvalue({ kind: 'gpr', index: i }),
    });
  }
  regs.push(cp0Register(status, 32, FEATURE_CP0, 'status', true));
  regs.push({ regnum: 33, name: 'lo', bits: 64, feature: FEATURE_CPU, read: (c) => U64(getBig(c.r, 64)), write: byLvalue({ kind: 'lo' }) });
  regs.push({ regnum: 34, name: 'hi', bits: 64, feature: FEATURE_CPU, read: (c) => U64(getBig(c.r, 66)), write: byLvalue({ kind: 'hi' }) });
  regs.push(cp0Register(badvaddr, 35, FEATURE_CP0, 'badvaddr'));
  regs.push(cp0Register(cause, 36, FEATURE_CP0, 'cause', true));
  regs.push({
    regnum: PC_REGNUM, name: 'pc', bits: 64, feature: FEATURE_CPU, type: 'code_ptr',
    read: (c) => U64(c.pc), write: (dbg, v) => dbg.setPc(v),
  });
  const hasFpu = cpu.fpu !== undefined;
  for (let i = 0; i < 32; i++) {
    regs.push({
      regnum: 38 + i, name: `f${i}`, bits: 64, feature: FEATURE_FPU, type: 'ieee_double',
      read: (c) => {
        const f = c.fpu;
        if (!f) return 0n;
        return f.fr ? U64(getBig(f.f, i * 2)) : BigInt(f.f[i * 2]! >>> 0);
      },
      write: hasFpu ? (dbg, v) => {
        const f = dbg.cpu.fpu!;
        // FR=0: the 32-bit register is the low word of FPR i (the high word stays).
        if (f.fr) assign({ kind: 'fpr', index: i }, v, dbg.ctx);
        else f.f[i * 2] = Number(BigInt.asIntN(32, v));
      } : noFpu,
    });
  }
  regs.push({
    regnum: 70, name: 'fcsr', bits: 64, feature: FEATURE_FPU,
    read: (c) => (c.fpu ? sext32(BigInt(c.fpu.fcsr)) : 0n), write: hasFpu ? byLvalue({ kind: 'fcsr' }) : noFpu,
  });
  regs.push({ regnum: 71, name: 'fir', bits: 64, feature: FEATURE_FPU, read: (c) => (c.fpu ? sext32(BigInt(c.model.fir)) : 0n) });

  // The extras: 32-bit ones first (see the header).
  const extras: Array<Omit<GdbRegister, 'regnum'>> = [];
  for (const d of defs) {
    if (d === status || d === badvaddr || d === cause) continue;
    extras.push({ ...cp0Register(d, 0, FEATURE_EXTRA_CP0, d.name, false, 'cp0') });
  }
  const tlb = cpu.tlb;
  for (let i = 0; i < tlb.size; i++) {
    extras.push({ name: `tlb${i}_pagemask`, bits: 32, feature: FEATURE_TLB, group: 'tlb', read: (c) => BigInt(c.tlb.read(i).pageMask >>> 0) });
    extras.push({ name: `tlb${i}_entryhi`, bits: 64, feature: FEATURE_TLB, group: 'tlb', read: (c) => { const e = c.tlb.read(i); return (BigInt(e.hiHi >>> 0) << 32n) | BigInt(e.hiLo >>> 0); } });
    extras.push({ name: `tlb${i}_entrylo0`, bits: 64, feature: FEATURE_TLB, group: 'tlb', read: (c) => entryLoAsRead(c.tlb.read(i).lo0) });
    extras.push({ name: `tlb${i}_entrylo1`, bits: 64, feature: FEATURE_TLB, group: 'tlb', read: (c) => entryLoAsRead(c.tlb.read(i).lo1) });
  }
  const ordered = [...extras.filter((r) => r.bits === 32), ...extras.filter((r) => r.bits === 64)];
  ordered.forEach((r, k) => regs.push({ ...r, regnum: CORE_REGISTERS + k } as GdbRegister));
  return regs;
}

function noFpu(): void {
  throw new Error('this CPU has no FPU');
}

/** A register's value as bytes in the guest's byte order. */
export function encodeRegister(r: GdbRegister, value: bigint, bigEndian: boolean, out: Uint8Array, at: number): void {
  const n = r.bits / 8;
  let v = BigInt.asUintN(r.bits, value);
  for (let k = 0; k < n; k++) {
    out[at + (bigEndian ? n - 1 - k : k)] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export function decodeRegister(r: GdbRegister, bytes: Uint8Array, at: number, bigEndian: boolean): bigint {
  const n = r.bits / 8;
  let v = 0n;
  for (let k = 0; k < n; k++) v = (v << 8n) | BigInt(bytes[at + (bigEndian ? k : n - 1 - k)]!);
  return v;
}
