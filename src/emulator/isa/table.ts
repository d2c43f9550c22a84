// THE instruction table of MIPS64 Studio. Every consumer — decoder, interpreter,
// translator, disassembler and assembler — is driven by this one list; there is no
// other hand-written opcode list in the project.
//
// An entry gives the mnemonic as GNU objdump prints it, the fixed encoding bits, the
// operand list (kinds from operands.ts; their bits are the only variable bits, so the
// mask is derived: every bit not covered by an operand must match exactly), the ISA
// subsets that contain it, and flags describing control flow and memory access that
// the interpreter and translator use. Entries are in priority order: the first entry
// that matches a word wins, so disassembly aliases (`move`, `b`, `li`, `nop` …) come
// before the instruction they print for. Aliases are never executed: the decoder maps
// them to their canonical entry.

import { ArgSlot, parseArgs } from './operands';

/** Instruction-set subsets. A CPU model is a union of these. */
export const enum Isa {
  BASE = 1 << 0,      // MIPS I … MIPS64 Release 2, incl. CP0, CP1 (FPU) and COP2 encodings
  OCTEON = 1 << 1,    // Cavium Octeon / Octeon+
  OCTEON2 = 1 << 2,   // Cavium Octeon II
  OCTEON3 = 1 << 3,   // Cavium Octeon III
  DSP = 1 << 4,       // MIPS DSP ASE (subset)
  MT = 1 << 5,        // MIPS MT ASE
  MSA = 1 << 6,       // MIPS SIMD (subset)
  VIRT = 1 << 7,      // Virtualization ASE
  MIPS3D = 1 << 8,    // MIPS-3D ASE
  EVA = 1 << 9,       // Enhanced Virtual Addressing
  MIPS16 = 1 << 10,   // jalx (MIPS16e / microMIPS interlinking)
}

/** Behaviour flags used by the interpreter, the translator and the debugger. */
export const enum F {
  NONE = 0,
  ALIAS = 1 << 0,       // disassembly alias; executes as its canonical entry
  BRANCH = 1 << 1,      // conditional PC-relative branch (delay slot)
  LIKELY = 1 << 2,      // branch-likely: delay slot annulled when not taken
  LINK = 1 << 3,        // writes a return address
  JUMP = 1 << 4,        // unconditional direct jump (j, jal)
  INDIRECT = 1 << 5,    // register jump (jr, jalr)
  LOAD = 1 << 6,
  STORE = 1 << 7,
  PRIV = 1 << 8,        // needs kernel mode or CU0
  FPU = 1 << 9,         // needs CU1
  TRAP = 1 << 10,       // may raise an exception by design (trap, syscall, break)
  CTX = 1 << 11,        // may change the translation context: ends a translated block
  UNALIGNED = 1 << 12,  // lwl/lwr/ldl/ldr/swl/swr/sdl/sdr
  ATOMIC = 1 << 13,     // ll/sc family, saa
  HB = 1 << 14,         // hazard barrier variants (.hb)
  RESERVED = 1 << 15,   // the reserved-instruction entry
  ASM_ONLY = 1 << 16,   // accepted by the assembler, never chosen by the disassembler
  KEEP = 1 << 17,       // an alias objdump prints even with -M no-aliases (its preferred name)
}

export const DELAY_SLOT = F.BRANCH | F.JUMP | F.INDIRECT;

export interface InsnSpec {
  /** Position in TABLE. */
  readonly id: number;
  /** Mnemonic as objdump prints it. */
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  /** Operand template, e.g. "rt,off(base)". */
  readonly args: string;
  readonly slots: readonly ArgSlot[];
  readonly flags: number;
  /** Subsets containing this entry. */
  readonly isa: number;
  /** Subsets in which this encoding is *removed* (reused by other instructions). */
  readonly notOn: number;
  /** Bytes accessed by a load/store (0 otherwise). */
  readonly memSize: number;
  /** Semantic operation key; aliases share their canonical entry's key. */
  op: string;
  /** The entry that executes: itself, or for an alias the real instruction. */
  canonical: InsnSpec;
}

interface Row {
  name: string; match: number; args: string; flags?: number; isa?: number; notOn?: number; mem?: number;
}

// ---- encoding helpers ---------------------------------------------------------------
const OP = (op: number): number => (op << 26) >>> 0;
const SPECIAL = (funct: number): number => funct;
const REGIMM = (rt: number): number => (OP(1) | (rt << 16)) >>> 0;
const SPECIAL2 = (funct: number): number => (OP(0x1c) | funct) >>> 0;
const SPECIAL3 = (funct: number): number => (OP(0x1f) | funct) >>> 0;
const COP0 = (rs: number): number => (OP(0x10) | (rs << 21)) >>> 0;
const CO = (funct: number): number => (OP(0x10) | (1 << 25) | funct) >>> 0;
const COP1 = (rs: number): number => (OP(0x11) | (rs << 21)) >>> 0;
const COP2 = (rs: number): number => (OP(0x12) | (rs << 21)) >>> 0;
const COP1X = (funct: number): number => (OP(0x13) | funct) >>> 0;
const MSA = (bits: number): number => (OP(0x1e) | bits) >>> 0;
const FMT_S = 16, FMT_D = 17, FMT_W = 20, FMT_L = 21, FMT_PS = 22;
const FP = (fmt: number, funct: number): number => (COP1(fmt) | funct) >>> 0;

const rows: Row[] = [];
const add = (name: string, match: number, args: string, flags = 0, isa = Isa.BASE, mem = 0, notOn = 0): void => {
  rows.push({ name, match: match >>> 0, args, flags, isa, mem, notOn });
};
const alias = (name: string, match: number, args: string, flags = 0, isa = Isa.BASE): void =>
  add(name, match, args, flags | F.ALIAS, isa);

// ---- SPECIAL -----------------------------------------------------------------------
alias('nop', 0x00000000, '');
alias('ssnop', 0x00000040, '');
alias('ehb', 0x000000c0, '');
alias('pause', 0x00000140, '');
add('sll', SPECIAL(0x00), 'rd,rt,sa');
add('movf', SPECIAL(0x01), 'rd,rs,cc', F.FPU);
add('movt', SPECIAL(0x01) | 0x10000, 'rd,rs,cc', F.FPU);
alias('ror', SPECIAL(0x02) | 0x00200000, 'rd,rt,sa', F.KEEP);
add('srl', SPECIAL(0x02), 'rd,rt,sa');
add('rotr', SPECIAL(0x02) | 0x00200000, 'rd,rt,sa');
add('sra', SPECIAL(0x03), 'rd,rt,sa');
add('sllv', SPECIAL(0x04), 'rd,rt,rs');
alias('rorv', SPECIAL(0x06) | 0x40, 'rd,rt,rs', F.KEEP);
add('srlv', SPECIAL(0x06), 'rd,rt,rs');
add('rotrv', SPECIAL(0x06) | 0x40, 'rd,rt,rs');
add('srav', SPECIAL(0x07), 'rd,rt,rs');
add('jr', SPECIAL(0x08), 'rs', F.INDIRECT);
add('jr.hb', SPECIAL(0x08) | 0x400, 'rs', F.INDIRECT | F.HB);
add('jalr', SPECIAL(0x09) | (31 << 11), 'rs', F.INDIRECT | F.LINK);
add('jalr', SPECIAL(0x09), 'rd,rs', F.INDIRECT | F.LINK);
add('jalr.hb', SPECIAL(0x09) | (31 << 11) | 0x400, 'rs', F.INDIRECT | F.LINK | F.HB);
add('jalr.hb', SPECIAL(0x09) | 0x400, 'rd,rs', F.INDIRECT | F.LINK | F.HB);
add('lsa', SPECIAL(0x05), 'rd,rs,rt,lsasa', 0, Isa.MSA);
add('dlsa', SPECIAL(0x15), 'rd,rs,rt,lsasa', 0, Isa.MSA);
add('movz', SPECIAL(0x0a), 'rd,rs,rt');
add('movn', SPECIAL(0x0b), 'rd,rs,rt');
add('syscall', SPECIAL(0x0c), '', F.TRAP);
add('syscall', SPECIAL(0x0c), 'code20', F.TRAP);
add('break', SPECIAL(0x0d), '', F.TRAP);
add('break', SPECIAL(0x0d), 'code10', F.TRAP);
add('break', SPECIAL(0x0d), 'code10,code10lo', F.TRAP);
alias('synciobdma', SPECIAL(0x0f) | (2 << 6), '', 0, Isa.OCTEON);
alias('syncw', SPECIAL(0x0f) | (4 << 6), '', 0, Isa.OCTEON);
alias('syncws', SPECIAL(0x0f) | (5 << 6), '', 0, Isa.OCTEON);
alias('syncs', SPECIAL(0x0f) | (6 << 6), '', 0, Isa.OCTEON);
alias('sync_wmb', SPECIAL(0x0f) | (0x04 << 6), '');
alias('sync_mb', SPECIAL(0x0f) | (0x10 << 6), '');
alias('sync_acquire', SPECIAL(0x0f) | (0x11 << 6), '');
alias('sync_release', SPECIAL(0x0f) | (0x12 << 6), '');
alias('sync_rmb', SPECIAL(0x0f) | (0x13 << 6), '');
add('sync', SPECIAL(0x0f), '');
add('sync', SPECIAL(0x0f), 'stype');
add('mfhi', SPECIAL(0x10), 'rd');
add('mfhi', SPECIAL(0x10), 'rd,acs', 0, Isa.DSP);
add('mthi', SPECIAL(0x11), 'rs');
add('mthi', SPECIAL(0x11), 'rs,ac', 0, Isa.DSP);
add('mflo', SPECIAL(0x12), 'rd');
add('mflo', SPECIAL(0x12), 'rd,acs', 0, Isa.DSP);
add('mtlo', SPECIAL(0x13), 'rs');
add('mtlo', SPECIAL(0x13), 'rs,ac', 0, Isa.DSP);
add('dsllv', SPECIAL(0x14), 'rd,rt,rs');
alias('drorv', SPECIAL(0x16) | 0x40, 'rd,rt,rs', F.KEEP);
add('dsrlv', SPECIAL(0x16), 'rd,rt,rs');
add('drotrv', SPECIAL(0x16) | 0x40, 'rd,rt,rs');
add('dsrav', SPECIAL(0x17), 'rd,rt,rs');
add('mult', SPECIAL(0x18), 'rs,rt');
add('mult', SPECIAL(0x18), 'acd,rs,rt', 0, Isa.DSP);
add('multu', SPECIAL(0x19), 'rs,rt');
add('multu', SPECIAL(0x19), 'acd,rs,rt', 0, Isa.DSP);
add('div', SPECIAL(0x1a), 'zero,rs,rt', F.NONE);
add('divu', SPECIAL(0x1b), 'zero,rs,rt');
add('dmult', SPECIAL(0x1c), 'rs,rt');
add('dmultu', SPECIAL(0x1d), 'rs,rt');
add('ddiv', SPECIAL(0x1e), 'zero,rs,rt');
add('ddivu', SPECIAL(0x1f), 'zero,rs,rt');
add('add', SPECIAL(0x20), 'rd,rs,rt', F.TRAP);
alias('move', SPECIAL(0x25), 'rd,rs');
alias('move', SPECIAL(0x2d), 'rd,rs');
alias('move', SPECIAL(0x21), 'rd,rs');
add('addu', SPECIAL(0x21), 'rd,rs,rt');
alias('neg', SPECIAL(0x22), 'rd,rt');
add('sub', SPECIAL(0x22), 'rd,rs,rt', F.TRAP);
alias('negu', SPECIAL(0x23), 'rd,rt', F.KEEP);
add('subu', SPECIAL(0x23), 'rd,rs,rt');
add('and', SPECIAL(0x24), 'rd,rs,rt');
add('or', SPECIAL(0x25), 'rd,rs,rt');
add('xor', SPECIAL(0x26), 'rd,rs,rt');
add('nor', SPECIAL(0x27), 'rd,rs,rt');
add('slt', SPECIAL(0x2a), 'rd,rs,rt');
add('sltu', SPECIAL(0x2b), 'rd,rs,rt');
add('dadd', SPECIAL(0x2c), 'rd,rs,rt', F.TRAP);
add('daddu', SPECIAL(0x2d), 'rd,rs,rt');
alias('dneg', SPECIAL(0x2e), 'rd,rt');
add('dsub', SPECIAL(0x2e), 'rd,rs,rt', F.TRAP);
alias('dnegu', SPECIAL(0x2f), 'rd,rt', F.KEEP);
add('dsubu', SPECIAL(0x2f), 'rd,rs,rt');
for (const [name, funct] of [['tge', 0x30], ['tgeu', 0x31], ['tlt', 0x32], ['tltu', 0x33], ['teq', 0x34], ['tne', 0x36]] as const) {
  add(name, SPECIAL(funct), 'rs,rt', F.TRAP);
  add(name, SPECIAL(funct), 'rs,rt,code10lo', F.TRAP);
}
add('dsll', SPECIAL(0x38), 'rd,rt,sa');
alias('dror', SPECIAL(0x3a) | 0x00200000, 'rd,rt,sa', F.KEEP);
add('dsrl', SPECIAL(0x3a), 'rd,rt,sa');
add('drotr', SPECIAL(0x3a) | 0x00200000, 'rd,rt,sa');
add('dsra', SPECIAL(0x3b), 'rd,rt,sa');
add('dsll32', SPECIAL(0x3c), 'rd,rt,sa');
alias('dror32', SPECIAL(0x3e) | 0x00200000, 'rd,rt,sa', F.KEEP);
add('dsrl32', SPECIAL(0x3e), 'rd,rt,sa');
add('drotr32', SPECIAL(0x3e) | 0x00200000, 'rd,rt,sa');
add('dsra32', SPECIAL(0x3f), 'rd,rt,sa');

// ---- jumps, branches, immediates ---------------------------------------------------
add('j', OP(0x02), 'jtarget', F.JUMP);
add('jal', OP(0x03), 'jtarget', F.JUMP | F.LINK);
alias('b', OP(0x04), 'btarget', F.BRANCH);
alias('beqz', OP(0x04), 'rs,btarget', F.BRANCH);
add('beq', OP(0x04), 'rs,rt,btarget', F.BRANCH);
alias('bnez', OP(0x05), 'rs,btarget', F.BRANCH);
add('bne', OP(0x05), 'rs,rt,btarget', F.BRANCH);
add('blez', OP(0x06), 'rs,btarget', F.BRANCH);
add('bgtz', OP(0x07), 'rs,btarget', F.BRANCH);
add('addi', OP(0x08), 'rt,rs,simm', F.TRAP);
alias('li', OP(0x09), 'rt,simm');
add('addiu', OP(0x09), 'rt,rs,simm');
add('slti', OP(0x0a), 'rt,rs,simm');
add('sltiu', OP(0x0b), 'rt,rs,simm');
add('andi', OP(0x0c), 'rt,rs,uimm');
alias('li', OP(0x0d), 'rt,uimm');
alias('dli', OP(0x0d), 'rt,uimm', F.KEEP);
add('ori', OP(0x0d), 'rt,rs,uimm');
add('xori', OP(0x0e), 'rt,rs,uimm');
add('lui', OP(0x0f), 'rt,uimm');
alias('beqzl', OP(0x14), 'rs,btarget', F.BRANCH | F.LIKELY);
add('beql', OP(0x14), 'rs,rt,btarget', F.BRANCH | F.LIKELY);
alias('bnezl', OP(0x15), 'rs,btarget', F.BRANCH | F.LIKELY);
add('bnel', OP(0x15), 'rs,rt,btarget', F.BRANCH | F.LIKELY);
add('blezl', OP(0x16), 'rs,btarget', F.BRANCH | F.LIKELY);
add('bgtzl', OP(0x17), 'rs,btarget', F.BRANCH | F.LIKELY);
add('daddi', OP(0x18), 'rt,rs,simm', F.TRAP);
add('daddiu', OP(0x19), 'rt,rs,simm');
add('jalx', OP(0x1d), 'jxtarget', F.JUMP | F.LINK);

// ---- REGIMM ------------------------------------------------------------------------
add('bltz', REGIMM(0x00), 'rs,btarget', F.BRANCH);
alias('b', REGIMM(0x01), 'btarget', F.BRANCH);
add('bgez', REGIMM(0x01), 'rs,btarget', F.BRANCH);
add('bltzl', REGIMM(0x02), 'rs,btarget', F.BRANCH | F.LIKELY);
add('bgezl', REGIMM(0x03), 'rs,btarget', F.BRANCH | F.LIKELY);
add('tgei', REGIMM(0x08), 'rs,simm', F.TRAP);
add('tgeiu', REGIMM(0x09), 'rs,simm', F.TRAP);
add('tlti', REGIMM(0x0a), 'rs,simm', F.TRAP);
add('tltiu', REGIMM(0x0b), 'rs,simm', F.TRAP);
add('teqi', REGIMM(0x0c), 'rs,simm', F.TRAP);
add('tnei', REGIMM(0x0e), 'rs,simm', F.TRAP);
add('bltzal', REGIMM(0x10), 'rs,btarget', F.BRANCH | F.LINK);
alias('bal', REGIMM(0x11), 'btarget', F.BRANCH | F.LINK);
add('bgezal', REGIMM(0x11), 'rs,btarget', F.BRANCH | F.LINK);
add('bltzall', REGIMM(0x12), 'rs,btarget', F.BRANCH | F.LINK | F.LIKELY);
add('bgezall', REGIMM(0x13), 'rs,btarget', F.BRANCH | F.LINK | F.LIKELY);
add('bposge32', REGIMM(0x1c), 'btarget', F.BRANCH, Isa.DSP);
add('bposge64', REGIMM(0x1d), 'btarget', F.BRANCH, Isa.DSP);
add('synci', REGIMM(0x1f), 'off(base)');

// ---- loads and stores --------------------------------------------------------------
const load = (name: string, op: number, size: number, extra = 0): void =>
  add(name, OP(op), 'rt,off(base)', F.LOAD | extra, Isa.BASE, size);
const store = (name: string, op: number, size: number, extra = 0): void =>
  add(name, OP(op), 'rt,off(base)', F.STORE | extra, Isa.BASE, size);
load('ldl', 0x1a, 8, F.UNALIGNED);
load('ldr', 0x1b, 8, F.UNALIGNED);
load('lb', 0x20, 1);
load('lh', 0x21, 2);
load('lwl', 0x22, 4, F.UNALIGNED);
load('lw', 0x23, 4);
load('lbu', 0x24, 1);
load('lhu', 0x25, 2);
load('lwr', 0x26, 4, F.UNALIGNED);
load('lwu', 0x27, 4);
store('sb', 0x28, 1);
store('sh', 0x29, 2);
store('swl', 0x2a, 4, F.UNALIGNED);
store('sw', 0x2b, 4);
store('sdl', 0x2c, 8, F.UNALIGNED);
store('sdr', 0x2d, 8, F.UNALIGNED);
store('swr', 0x2e, 4, F.UNALIGNED);
add('cache', OP(0x2f), 'cacheop,off(base)', F.PRIV | F.CTX);
load('ll', 0x30, 4, F.ATOMIC);
add('lwc1', OP(0x31), 'ft,off(base)', F.LOAD | F.FPU, Isa.BASE, 4);
add('lwc2', OP(0x32), 'rtnum,off(base)', F.LOAD, Isa.BASE, 4, Isa.OCTEON);
add('pref', OP(0x33), 'hint,off(base)');
load('lld', 0x34, 8, F.ATOMIC);
add('ldc1', OP(0x35), 'ft,off(base)', F.LOAD | F.FPU, Isa.BASE, 8);
add('ldc2', OP(0x36), 'rtnum,off(base)', F.LOAD, Isa.BASE, 8, Isa.OCTEON);
load('ld', 0x37, 8);
store('sc', 0x38, 4, F.ATOMIC);
add('swc1', OP(0x39), 'ft,off(base)', F.STORE | F.FPU, Isa.BASE, 4);
add('swc2', OP(0x3a), 'rtnum,off(base)', F.STORE, Isa.BASE, 4, Isa.OCTEON);
store('scd', 0x3c, 8, F.ATOMIC);
add('sdc1', OP(0x3d), 'ft,off(base)', F.STORE | F.FPU, Isa.BASE, 8);
add('sdc2', OP(0x3e), 'rtnum,off(base)', F.STORE, Isa.BASE, 8, Isa.OCTEON);
store('sd', 0x3f, 8);

// ---- Octeon branch on bit ----------------------------------------------------------
add('bbit0', OP(0x32), 'rs,bbpos,btarget', F.BRANCH, Isa.OCTEON);
add('bbit032', OP(0x36), 'rs,bbpos,btarget', F.BRANCH, Isa.OCTEON);
add('bbit1', OP(0x3a), 'rs,bbpos,btarget', F.BRANCH, Isa.OCTEON);
add('bbit132', OP(0x3e), 'rs,bbpos,btarget', F.BRANCH, Isa.OCTEON);

// ---- SPECIAL2 ----------------------------------------------------------------------
add('madd', SPECIAL2(0x00), 'rs,rt');
add('madd', SPECIAL2(0x00), 'acd,rs,rt', 0, Isa.DSP);
add('maddu', SPECIAL2(0x01), 'rs,rt');
add('maddu', SPECIAL2(0x01), 'acd,rs,rt', 0, Isa.DSP);
add('mul', SPECIAL2(0x02), 'rd,rs,rt');
add('dmul', SPECIAL2(0x03), 'rd,rs,rt', 0, Isa.OCTEON);
add('msub', SPECIAL2(0x04), 'rs,rt');
add('msub', SPECIAL2(0x04), 'acd,rs,rt', 0, Isa.DSP);
add('msubu', SPECIAL2(0x05), 'rs,rt');
add('msubu', SPECIAL2(0x05), 'acd,rs,rt', 0, Isa.DSP);
add('mtm0', SPECIAL2(0x08), 'rs', 0, Isa.OCTEON);
add('mtp0', SPECIAL2(0x09), 'rs', 0, Isa.OCTEON);
add('mtp1', SPECIAL2(0x0a), 'rs', 0, Isa.OCTEON);
add('mtp2', SPECIAL2(0x0b), 'rs', 0, Isa.OCTEON);
add('mtm1', SPECIAL2(0x0c), 'rs', 0, Isa.OCTEON);
add('mtm2', SPECIAL2(0x0d), 'rs', 0, Isa.OCTEON);
add('vmulu', SPECIAL2(0x0f), 'rd,rs,rt', 0, Isa.OCTEON);
add('vmm0', SPECIAL2(0x10), 'rd,rs,rt', 0, Isa.OCTEON);
add('v3mulu', SPECIAL2(0x11), 'rd,rs,rt', 0, Isa.OCTEON);
add('saa', SPECIAL2(0x18), 'rt,(base)', F.STORE | F.LOAD | F.ATOMIC, Isa.OCTEON, 4);
add('saad', SPECIAL2(0x19), 'rt,(base)', F.STORE | F.LOAD | F.ATOMIC, Isa.OCTEON, 8);
add('clz', SPECIAL2(0x20), 'rdt,rs');
add('clo', SPECIAL2(0x21), 'rdt,rs');
add('dclz', SPECIAL2(0x24), 'rdt,rs');
add('dclo', SPECIAL2(0x25), 'rdt,rs');
add('baddu', SPECIAL2(0x28), 'rd,rs,rt', 0, Isa.OCTEON);
add('seq', SPECIAL2(0x2a), 'rd,rs,rt', 0, Isa.OCTEON);
add('sne', SPECIAL2(0x2b), 'rd,rs,rt', 0, Isa.OCTEON);
add('pop', SPECIAL2(0x2c), 'rd,rs', 0, Isa.OCTEON);
add('dpop', SPECIAL2(0x2d), 'rd,rs', 0, Isa.OCTEON);
add('seqi', SPECIAL2(0x2e), 'rt,rs,simm10', 0, Isa.OCTEON);
add('snei', SPECIAL2(0x2f), 'rt,rs,simm10', 0, Isa.OCTEON);
add('cins', SPECIAL2(0x32), 'rt,rs,cpos,clenm1', 0, Isa.OCTEON);
add('cins32', SPECIAL2(0x33), 'rt,rs,cpos,clenm1', 0, Isa.OCTEON);
add('exts', SPECIAL2(0x3a), 'rt,rs,cpos,clenm1', 0, Isa.OCTEON);
add('exts32', SPECIAL2(0x3b), 'rt,rs,cpos,clenm1', 0, Isa.OCTEON);
add('sdbbp', SPECIAL2(0x3f), '', F.TRAP);
add('sdbbp', SPECIAL2(0x3f), 'code20', F.TRAP);
for (const [name, sa] of [['lai', 2], ['laid', 3], ['lad', 6], ['ladd', 7], ['las', 0xa], ['lasd', 0xb], ['lac', 0xe], ['lacd', 0xf]] as const) {
  add(name, SPECIAL2(0x1f) | (sa << 6), 'rd,(base)', F.LOAD | F.STORE | F.ATOMIC, Isa.OCTEON2, name.endsWith('d') ? 8 : 4);
}
for (const [name, sa] of [['laa', 0x12], ['laad', 0x13], ['law', 0x16], ['lawd', 0x17]] as const) {
  add(name, SPECIAL2(0x1f) | (sa << 6), 'rd,(base),rt', F.LOAD | F.STORE | F.ATOMIC, Isa.OCTEON2, name.endsWith('d') ? 8 : 4);
}
for (let n = 0; n < 4; n++) {
  add(`qmac.0${n}`, SPECIAL2(0x12) | ((0x10 | n) << 6), 'rs,rt', 0, Isa.OCTEON2);
  add(`qmacs.0${n}`, SPECIAL2(0x12) | (n << 6), 'rs,rt', 0, Isa.OCTEON2);
}
add('zcb', SPECIAL2(0x1f) | (28 << 6), '(base)', 0, Isa.OCTEON2);
add('zcbt', SPECIAL2(0x1f) | (29 << 6), '(base)', 0, Isa.OCTEON2);
for (let i = 0; i < 16; i++) add(`udi${i}`, SPECIAL2(0x10 + i), 'rs,rt,rd,sa', F.NONE, Isa.BASE);

// ---- SPECIAL3 ----------------------------------------------------------------------
add('ext', SPECIAL3(0x00), 'rt,rs,pos,size');
alias('dext', SPECIAL3(0x01), 'rt,rs,pos,size32', F.KEEP);
add('dextm', SPECIAL3(0x01), 'rt,rs,pos,size32');
alias('dext', SPECIAL3(0x02), 'rt,rs,pos32,size', F.KEEP);
add('dextu', SPECIAL3(0x02), 'rt,rs,pos32,size');
add('dext', SPECIAL3(0x03), 'rt,rs,pos,size');
add('ins', SPECIAL3(0x04), 'rt,rs,pos,isize');
alias('dins', SPECIAL3(0x05), 'rt,rs,pos,isizem', F.KEEP);
add('dinsm', SPECIAL3(0x05), 'rt,rs,pos,isizem');
alias('dins', SPECIAL3(0x06), 'rt,rs,pos32,isizeu', F.KEEP);
add('dinsu', SPECIAL3(0x06), 'rt,rs,pos32,isizeu');
add('dins', SPECIAL3(0x07), 'rt,rs,pos,isize');
add('lwx', SPECIAL3(0x0a) | (0x00 << 6), 'rd,index(base)', F.LOAD, Isa.DSP | Isa.OCTEON2, 4);
add('lhx', SPECIAL3(0x0a) | (0x04 << 6), 'rd,index(base)', F.LOAD, Isa.DSP | Isa.OCTEON2, 2);
add('lbux', SPECIAL3(0x0a) | (0x06 << 6), 'rd,index(base)', F.LOAD, Isa.DSP | Isa.OCTEON2, 1);
add('ldx', SPECIAL3(0x0a) | (0x08 << 6), 'rd,index(base)', F.LOAD, Isa.DSP | Isa.OCTEON2, 8);
add('lwux', SPECIAL3(0x0a) | (0x10 << 6), 'rd,index(base)', F.LOAD, Isa.OCTEON2, 4);
add('lhux', SPECIAL3(0x0a) | (0x14 << 6), 'rd,index(base)', F.LOAD, Isa.OCTEON2, 2);
add('lbx', SPECIAL3(0x0a) | (0x16 << 6), 'rd,index(base)', F.LOAD, Isa.OCTEON2, 1);
add('wsbh', SPECIAL3(0x20) | (0x02 << 6), 'rd,rt');
add('seb', SPECIAL3(0x20) | (0x10 << 6), 'rd,rt');
add('seh', SPECIAL3(0x20) | (0x18 << 6), 'rd,rt');
add('dsbh', SPECIAL3(0x24) | (0x02 << 6), 'rd,rt');
add('dshd', SPECIAL3(0x24) | (0x05 << 6), 'rd,rt');
add('rddsp', SPECIAL3(0x38) | (0x12 << 6) | (0x3ff << 16), 'rd', 0, Isa.DSP); // all-ones mask is the default
add('rddsp', SPECIAL3(0x38) | (0x12 << 6), 'rd,dspmask', 0, Isa.DSP);
add('wrdsp', SPECIAL3(0x38) | (0x13 << 6) | (0x3ff << 11), 'rs', 0, Isa.DSP);
add('wrdsp', SPECIAL3(0x38) | (0x13 << 6), 'rs,dspmaskw', 0, Isa.DSP);
add('rdhwr', SPECIAL3(0x3b), 'rt,hwr');

// ---- COP0 (privileged) -------------------------------------------------------------
add('mfc0', COP0(0x00), 'rt,c0reg', F.PRIV);
add('mfc0', COP0(0x00), 'rt,c0sel', F.PRIV);
add('dmfc0', COP0(0x01), 'rt,c0reg', F.PRIV);
add('dmfc0', COP0(0x01), 'rt,c0sel', F.PRIV);
add('mfgc0', COP0(0x03), 'rt,c0reg', F.PRIV, Isa.VIRT);
add('mfgc0', COP0(0x03), 'rt,c0sel', F.PRIV, Isa.VIRT);
add('dmfgc0', COP0(0x03) | 0x100, 'rt,c0reg', F.PRIV, Isa.VIRT);
add('dmfgc0', COP0(0x03) | 0x100, 'rt,c0sel', F.PRIV, Isa.VIRT);
add('mtgc0', COP0(0x03) | 0x200, 'rt,c0reg', F.PRIV, Isa.VIRT);
add('mtgc0', COP0(0x03) | 0x200, 'rt,c0sel', F.PRIV, Isa.VIRT);
add('dmtgc0', COP0(0x03) | 0x300, 'rt,c0reg', F.PRIV, Isa.VIRT);
add('dmtgc0', COP0(0x03) | 0x300, 'rt,c0sel', F.PRIV, Isa.VIRT);
add('mtc0', COP0(0x04), 'rt,c0reg', F.PRIV | F.CTX);
add('mtc0', COP0(0x04), 'rt,c0sel', F.PRIV | F.CTX);
add('dmtc0', COP0(0x05), 'rt,c0reg', F.PRIV | F.CTX);
add('dmtc0', COP0(0x05), 'rt,c0sel', F.PRIV | F.CTX);
add('rdpgpr', COP0(0x0a), 'rd,rt', F.PRIV);
add('dvpe', COP0(0x0b) | 0x0001, '', F.PRIV, Isa.MT);
add('dvpe', COP0(0x0b) | 0x0001, 'rt', F.PRIV, Isa.MT);
add('evpe', COP0(0x0b) | 0x0021, '', F.PRIV, Isa.MT);
add('evpe', COP0(0x0b) | 0x0021, 'rt', F.PRIV, Isa.MT);
add('di', COP0(0x0b) | 0x6000, '', F.PRIV | F.CTX);
add('di', COP0(0x0b) | 0x6000, 'rt', F.PRIV | F.CTX);
add('ei', COP0(0x0b) | 0x6020, '', F.PRIV | F.CTX);
add('ei', COP0(0x0b) | 0x6020, 'rt', F.PRIV | F.CTX);
add('wrpgpr', COP0(0x0e), 'rd,rt', F.PRIV);
add('tlbr', CO(0x01), '', F.PRIV | F.CTX);
add('tlbwi', CO(0x02), '', F.PRIV | F.CTX);
add('tlbinv', CO(0x03), '', F.PRIV | F.CTX, Isa.EVA);
add('tlbinvf', CO(0x04), '', F.PRIV | F.CTX, Isa.EVA);
add('tlbwr', CO(0x06), '', F.PRIV | F.CTX);
add('tlbp', CO(0x08), '', F.PRIV | F.CTX);
add('eret', CO(0x18), '', F.PRIV | F.CTX);
add('deret', CO(0x1f), '', F.PRIV | F.CTX);
add('wait', CO(0x20), '', F.PRIV | F.CTX);
add('wait', CO(0x20), 'code19', F.PRIV | F.CTX);
// Virtualization ASE (printed only: the modelled CPUs have no VZ)
add('tlbgr', CO(0x09), '', F.PRIV | F.CTX, Isa.VIRT);
add('tlbgwi', CO(0x0a), '', F.PRIV | F.CTX, Isa.VIRT);
add('tlbginv', CO(0x0b), '', F.PRIV | F.CTX, Isa.VIRT);
add('tlbginvf', CO(0x0c), '', F.PRIV | F.CTX, Isa.VIRT);
add('tlbgwr', CO(0x0e), '', F.PRIV | F.CTX, Isa.VIRT);
add('tlbgp', CO(0x10), '', F.PRIV | F.CTX, Isa.VIRT);
add('hypcall', CO(0x28), '', F.PRIV | F.TRAP, Isa.VIRT);
add('hypcall', CO(0x28), 'code10hc', F.PRIV | F.TRAP, Isa.VIRT);
add('c0', CO(0x00), 'cop2', F.PRIV, Isa.BASE, 0, Isa.OCTEON);

// ---- MT ASE (moves to/from other thread contexts; printed only) ----------------------
add('mftc0', OP(0x10) | (0x08 << 21) | 0x0000, 'rd,c0regt', F.PRIV, Isa.MT);
add('mftc0', OP(0x10) | (0x08 << 21) | 0x0000, 'rd,c0selt', F.PRIV, Isa.MT);
add('mftgpr', OP(0x10) | (0x08 << 21) | 0x0020, 'rd,rt', F.PRIV, Isa.MT);
add('mttc0', OP(0x10) | (0x0c << 21) | 0x0000, 'rt,c0reg', F.PRIV, Isa.MT);
add('mttc0', OP(0x10) | (0x0c << 21) | 0x0000, 'rt,c0sel', F.PRIV, Isa.MT);
add('mttgpr', OP(0x10) | (0x0c << 21) | 0x0020, 'rt,rd', F.PRIV, Isa.MT);

// ---- COP1 (FPU) --------------------------------------------------------------------
add('mfc1', COP1(0x00), 'rt,fs', F.FPU);
add('dmfc1', COP1(0x01), 'rt,fs', F.FPU);
add('cfc1', COP1(0x02), 'rt,fcr', F.FPU);
add('mfhc1', COP1(0x03), 'rt,fs', F.FPU);
add('mtc1', COP1(0x04), 'rt,fs', F.FPU);
add('dmtc1', COP1(0x05), 'rt,fs', F.FPU);
add('ctc1', COP1(0x06), 'rt,fcr', F.FPU | F.CTX);
add('mthc1', COP1(0x07), 'rt,fs', F.FPU);
for (const [name, tfnd, fl] of [
  ['bc1f', 0, F.BRANCH], ['bc1t', 1, F.BRANCH], ['bc1fl', 2, F.BRANCH | F.LIKELY], ['bc1tl', 3, F.BRANCH | F.LIKELY],
] as const) {
  add(name, COP1(0x08) | (tfnd << 16), 'btarget', fl | F.FPU);
  add(name, COP1(0x08) | (tfnd << 16), 'cc,btarget', fl | F.FPU);
}
add('bc1any2f', COP1(0x09), 'cc,btarget', F.BRANCH | F.FPU, Isa.MIPS3D);
add('bc1any2t', COP1(0x09) | 0x10000, 'cc,btarget', F.BRANCH | F.FPU, Isa.MIPS3D);
add('bc1any4f', COP1(0x0a), 'cc,btarget', F.BRANCH | F.FPU, Isa.MIPS3D);
add('bc1any4t', COP1(0x0a) | 0x10000, 'cc,btarget', F.BRANCH | F.FPU, Isa.MIPS3D);

const FMTS: Record<string, number> = { s: FMT_S, d: FMT_D, w: FMT_W, l: FMT_L, ps: FMT_PS };
const fpOp = (name: string, funct: number, fmts: string, args: string, isa = Isa.BASE): void => {
  for (const f of fmts.split(' ')) add(`${name}.${f}`, FP(FMTS[f], funct), args, F.FPU, isa);
};
fpOp('add', 0x00, 's d ps', 'fd,fs,ft');
fpOp('sub', 0x01, 's d ps', 'fd,fs,ft');
fpOp('mul', 0x02, 's d ps', 'fd,fs,ft');
fpOp('div', 0x03, 's d', 'fd,fs,ft');
fpOp('sqrt', 0x04, 's d', 'fd,fs');
fpOp('abs', 0x05, 's d ps', 'fd,fs');
fpOp('mov', 0x06, 's d ps', 'fd,fs');
fpOp('neg', 0x07, 's d ps', 'fd,fs');
fpOp('round.l', 0x08, 's d', 'fd,fs');
fpOp('trunc.l', 0x09, 's d', 'fd,fs');
fpOp('ceil.l', 0x0a, 's d', 'fd,fs');
fpOp('floor.l', 0x0b, 's d', 'fd,fs');
fpOp('round.w', 0x0c, 's d', 'fd,fs');
fpOp('trunc.w', 0x0d, 's d', 'fd,fs');
fpOp('ceil.w', 0x0e, 's d', 'fd,fs');
fpOp('floor.w', 0x0f, 's d', 'fd,fs');
for (const f of ['s', 'd', 'ps']) {
  add(`movf.${f}`, FP(FMTS[f], 0x11), 'fd,fs,cc', F.FPU);
  add(`movt.${f}`, FP(FMTS[f], 0x11) | 0x10000, 'fd,fs,cc', F.FPU);
}
fpOp('movz', 0x12, 's d ps', 'fd,fs,rt');
fpOp('movn', 0x13, 's d ps', 'fd,fs,rt');
fpOp('recip', 0x15, 's d', 'fd,fs');
fpOp('rsqrt', 0x16, 's d', 'fd,fs');
fpOp('addr', 0x18, 'ps', 'fd,fs,ft', Isa.MIPS3D);
fpOp('mulr', 0x1a, 'ps', 'fd,fs,ft', Isa.MIPS3D);
fpOp('recip2', 0x1c, 's d ps', 'fd,fs,ft', Isa.MIPS3D);
fpOp('recip1', 0x1d, 's d ps', 'fd,fs', Isa.MIPS3D);
fpOp('rsqrt1', 0x1e, 's d ps', 'fd,fs', Isa.MIPS3D);
fpOp('rsqrt2', 0x1f, 's d ps', 'fd,fs,ft', Isa.MIPS3D);
add('cvt.s.pu', FP(FMT_PS, 0x20), 'fd,fs', F.FPU);
fpOp('cvt.s', 0x20, 'd w l', 'fd,fs');
fpOp('cvt.d', 0x21, 's w l', 'fd,fs');
fpOp('cvt.w', 0x24, 's d', 'fd,fs');
add('cvt.pw.ps', FP(FMT_PS, 0x24), 'fd,fs', F.FPU, Isa.MIPS3D);
fpOp('cvt.l', 0x25, 's d', 'fd,fs');
add('cvt.ps.s', FP(FMT_S, 0x26), 'fd,fs,ft', F.FPU);
add('cvt.ps.pw', FP(FMT_W, 0x26), 'fd,fs', F.FPU, Isa.MIPS3D);
add('cvt.s.pl', FP(FMT_PS, 0x28), 'fd,fs', F.FPU);
add('pll.ps', FP(FMT_PS, 0x2c), 'fd,fs,ft', F.FPU);
add('plu.ps', FP(FMT_PS, 0x2d), 'fd,fs,ft', F.FPU);
add('pul.ps', FP(FMT_PS, 0x2e), 'fd,fs,ft', F.FPU);
add('puu.ps', FP(FMT_PS, 0x2f), 'fd,fs,ft', F.FPU);
export const FP_CONDITIONS = ['f', 'un', 'eq', 'ueq', 'olt', 'ult', 'ole', 'ule', 'sf', 'ngle', 'seq', 'ngl', 'lt', 'nge', 'le', 'ngt'];
for (const f of ['s', 'd', 'ps']) {
  FP_CONDITIONS.forEach((c, i) => {
    add(`c.${c}.${f}`, FP(FMTS[f], 0x30 | i), 'fs,ft', F.FPU);
    add(`c.${c}.${f}`, FP(FMTS[f], 0x30 | i), 'cc8,fs,ft', F.FPU);
  });
  FP_CONDITIONS.forEach((c, i) => {
    add(`cabs.${c}.${f}`, FP(FMTS[f], 0x30 | i) | 0x40, 'cc8,fs,ft', F.FPU, Isa.MIPS3D);
  });
}

for (const [name, rs] of [['bz.v', 0x0b], ['bnz.v', 0x0f], ['bz.b', 0x18], ['bz.h', 0x19], ['bz.w', 0x1a], ['bz.d', 0x1b],
  ['bnz.b', 0x1c], ['bnz.h', 0x1d], ['bnz.w', 0x1e], ['bnz.d', 0x1f]] as const) {
  add(name, COP1(rs), 'wt,btarget', F.BRANCH, Isa.MSA);
}
add('c1', COP1(0x10), 'cop2', F.FPU);

// ---- COP1X -------------------------------------------------------------------------
add('lwxc1', COP1X(0x00), 'fd,index(base)', F.LOAD | F.FPU, Isa.BASE, 4);
add('ldxc1', COP1X(0x01), 'fd,index(base)', F.LOAD | F.FPU, Isa.BASE, 8);
add('luxc1', COP1X(0x05), 'fd,index(base)', F.LOAD | F.FPU, Isa.BASE, 8);
add('swxc1', COP1X(0x08), 'fs,index(base)', F.STORE | F.FPU, Isa.BASE, 4);
add('sdxc1', COP1X(0x09), 'fs,index(base)', F.STORE | F.FPU, Isa.BASE, 8);
add('suxc1', COP1X(0x0d), 'fs,index(base)', F.STORE | F.FPU, Isa.BASE, 8);
add('prefx', COP1X(0x0f), 'hintx,index(base)', F.NONE);
add('alnv.ps', COP1X(0x1e), 'fd,fs,ft,rs', F.FPU);
for (const [name, base] of [['madd', 0x20], ['msub', 0x28], ['nmadd', 0x30], ['nmsub', 0x38]] as const) {
  add(`${name}.s`, COP1X(base | 0), 'fd,fr,fs,ft', F.FPU);
  add(`${name}.d`, COP1X(base | 1), 'fd,fr,fs,ft', F.FPU);
  add(`${name}.ps`, COP1X(base | 6), 'fd,fr,fs,ft', F.FPU);
}

// ---- COP2 (coprocessor 2: unusable on the modelled CPUs; Octeon uses it for crypto) ---
add('dmfc2', COP2(0x01), 'rt,uimm', F.NONE, Isa.OCTEON);
add('dmtc2', COP2(0x05), 'rt,uimm', F.NONE, Isa.OCTEON);
for (const [name, rs, hi] of [['mfc2', 0, false], ['dmfc2', 1, false], ['cfc2', 2, false], ['mfhc2', 3, true],
  ['mtc2', 4, false], ['dmtc2', 5, false], ['ctc2', 6, false], ['mthc2', 7, true]] as const) {
  add(name, COP2(rs), 'rt,rdnum', F.NONE, Isa.BASE, 0, Isa.OCTEON);
  if (name !== 'cfc2' && name !== 'ctc2') add(name, COP2(rs), 'rt,rdnum,sel', F.NONE, Isa.BASE, 0, Isa.OCTEON);
  if (hi) add(name, COP2(rs), 'rt,uimm', F.NONE, Isa.BASE, 0, Isa.OCTEON);
}
for (const [name, tfnd, fl] of [
  ['bc2f', 0, F.BRANCH], ['bc2t', 1, F.BRANCH], ['bc2fl', 2, F.BRANCH | F.LIKELY], ['bc2tl', 3, F.BRANCH | F.LIKELY],
] as const) {
  add(name, COP2(0x08) | (tfnd << 16), 'btarget', fl, Isa.BASE, 0, Isa.OCTEON);
  add(name, COP2(0x08) | (tfnd << 16), 'cc2,btarget', fl, Isa.BASE, 0, Isa.OCTEON);
}
add('c2', COP2(0x10), 'cop2', F.NONE, Isa.BASE, 0, Isa.OCTEON);

// ---- MSA (the load/store/move subset Linux's FPU context code uses) ------------------
for (const [df, dfn] of [['b', 0], ['h', 1], ['w', 2], ['d', 3]] as const) {
  add(`ld.${df}`, MSA(0x20 | dfn), `wd,moff.${df}(msabase)`, F.LOAD, Isa.MSA, 16);
  add(`st.${df}`, MSA(0x24 | dfn), `wd,moff.${df}(msabase)`, F.STORE, Isa.MSA, 16);
}
const msaElm = (name: string, minor: number, op: number, args: (df: string) => string, dfs = 'b h w d'): void => {
  for (const [df, dfbits] of [['b', 0x00], ['h', 0x20], ['w', 0x30], ['d', 0x38]] as const) {
    if (!dfs.includes(df)) continue;
    add(`${name}.${df}`, MSA(minor | (op << 22) | (dfbits << 16)), args(df), F.NONE, Isa.MSA);
  }
};
msaElm('copy_s', 0x19, 2, (df) => `rdw,ws[n.${df}]`);
msaElm('copy_u', 0x19, 3, (df) => `rdw,ws[n.${df}]`, 'b h w');
msaElm('insert', 0x19, 4, (df) => `wd[n.${df}],rsw`);
add('ctcmsa', MSA(0x19 | (0x3e << 16)), 'msacd,rsw', F.NONE, Isa.MSA);
add('cfcmsa', MSA(0x19 | (0x7e << 16)), 'rdw,msacs', F.NONE, Isa.MSA);

// -------------------------------------------------------------------------------------

/** All entries, in priority order. */
export const TABLE: readonly InsnSpec[] = buildTable();

/** The entry every undecodable word maps to: executing it raises Reserved Instruction. */
export const RESERVED: InsnSpec = TABLE[TABLE.length - 1];

function buildTable(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (const r of rows) {
    const slots = parseArgs(r.args);
    let bits = 0;
    for (const s of slots) bits |= s.kind.bits;
    const mask = ~bits >>> 0;
    if ((r.match & ~mask) !== 0) throw new Error(`table: ${r.name} ${r.args}: match has operand bits set`);
    const e: InsnSpec = {
      id: out.length, name: r.name, match: r.match, mask, args: r.args, slots,
      flags: r.flags ?? 0, isa: r.isa ?? Isa.BASE, notOn: r.notOn ?? 0, memSize: r.mem ?? 0,
      op: r.name, canonical: undefined as unknown as InsnSpec,
    };
    out.push(e);
  }
  const reserved: InsnSpec = {
    id: out.length, name: '.word', match: 0, mask: 0, args: '', slots: [], flags: F.RESERVED,
    isa: ~0, notOn: 0, memSize: 0, op: 'reserved', canonical: undefined as unknown as InsnSpec,
  };
  reserved.canonical = reserved;
  out.push(reserved);
  // Resolve aliases to the first non-alias entry that covers the alias's encodings.
  for (const e of out) {
    if (!(e.flags & F.ALIAS)) { e.canonical = e; continue; }
    const c = out.find((x) => !(x.flags & (F.ALIAS | F.RESERVED)) && (e.match & x.mask) === x.match
      && ((x.mask & ~e.mask) >>> 0) === 0 && (x.isa & e.isa) !== 0);
    const c2 = c ?? out.find((x) => !(x.flags & (F.ALIAS | F.RESERVED)) && (e.match & x.mask) === x.match
      && ((x.mask & ~e.mask) >>> 0) === 0);
    if (!c2) throw new Error(`table: alias ${e.name} has no canonical instruction`);
    e.canonical = c2;
    e.op = c2.op;
  }
  return out;
}
