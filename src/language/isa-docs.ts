// What each instruction of the table does, in one line, for hover and completion. Keyed by
// mnemonic; families (FPU formats, compare conditions, MSA element sizes, Octeon QMAC,
// UDI) are described by rule, so every mnemonic of src/emulator/isa/table.ts has a text
// (test/language/isa-docs.test.ts checks it). Operands, encodings and ISA subsets come
// from the table itself (hover.ts), never from here.

import { FP_CONDITIONS } from '../emulator/isa/table';

const D: Record<string, string> = {
  // no-ops and barriers
  nop: 'No operation (sll $zero, $zero, 0).',
  ssnop: 'Superscalar no-operation: issues alone (sll $zero, $zero, 1).',
  ehb: 'Execution hazard barrier: clears CP0 execution hazards (e.g. after mtc0).',
  pause: 'Wait until the LLbit is cleared (spin-wait hint).',
  sync: 'Order loads and stores: memory accesses before it complete before those after it.',
  synci: 'Make the instruction cache coherent with data writes at the address (for self-modifying code).',
  sync_wmb: 'sync 4: write memory barrier.', sync_mb: 'sync 0x10: full memory barrier.',
  sync_acquire: 'sync 0x11: acquire barrier.', sync_release: 'sync 0x12: release barrier.', sync_rmb: 'sync 0x13: read memory barrier.',
  synciobdma: 'Octeon: wait for outstanding IOBDMA operations.', syncw: 'Octeon: order stores (write barrier).',
  syncws: 'Octeon: order stores, without flushing the write buffer.', syncs: 'Octeon: store barrier, stronger than syncw.',
  // shifts
  sll: 'Shift word left logical by a constant; the 32-bit result is sign-extended.',
  srl: 'Shift word right logical by a constant; the 32-bit result is sign-extended.',
  sra: 'Shift word right arithmetic by a constant.',
  sllv: 'Shift word left logical by the low 5 bits of rs.', srlv: 'Shift word right logical by the low 5 bits of rs.',
  srav: 'Shift word right arithmetic by the low 5 bits of rs.',
  rotr: 'Rotate word right by a constant.', ror: 'Rotate word right by a constant (rotr).',
  rotrv: 'Rotate word right by the low 5 bits of rs.', rorv: 'Rotate word right by a register (rotrv).',
  dsll: 'Shift doubleword left logical by 0..31 (GNU as turns 32..63 into dsll32).',
  dsrl: 'Shift doubleword right logical by 0..31.', dsra: 'Shift doubleword right arithmetic by 0..31.',
  dsll32: 'Shift doubleword left logical by 32 + sa.', dsrl32: 'Shift doubleword right logical by 32 + sa.',
  dsra32: 'Shift doubleword right arithmetic by 32 + sa.',
  dsllv: 'Shift doubleword left logical by the low 6 bits of rs.', dsrlv: 'Shift doubleword right logical by the low 6 bits of rs.',
  dsrav: 'Shift doubleword right arithmetic by the low 6 bits of rs.',
  drotr: 'Rotate doubleword right by 0..31.', dror: 'Rotate doubleword right by a constant (drotr).',
  drotr32: 'Rotate doubleword right by 32 + sa.', dror32: 'Rotate doubleword right by 32 + sa (drotr32).',
  drotrv: 'Rotate doubleword right by the low 6 bits of rs.', drorv: 'Rotate doubleword right by a register (drotrv).',
  lsa: 'Shift rs left by 1..4 and add rt (word).', dlsa: 'Shift rs left by 1..4 and add rt (doubleword).',
  // moves and arithmetic
  movf: 'Move rs to rd if the FPU condition code is false.', movt: 'Move rs to rd if the FPU condition code is true.',
  movz: 'Move rs to rd if rt is zero.', movn: 'Move rs to rd if rt is not zero.',
  move: 'Copy a register (or/daddu/addu with $zero).',
  mfhi: 'Copy HI to a register.', mflo: 'Copy LO to a register.', mthi: 'Copy a register to HI.', mtlo: 'Copy a register to LO.',
  mult: 'Multiply words (signed): 64-bit product in HI:LO.', multu: 'Multiply words (unsigned): product in HI:LO.',
  div: 'Divide words (signed): quotient in LO, remainder in HI.', divu: 'Divide words (unsigned): quotient in LO, remainder in HI.',
  dmult: 'Multiply doublewords (signed): 128-bit product in HI:LO.', dmultu: 'Multiply doublewords (unsigned): 128-bit product in HI:LO.',
  ddiv: 'Divide doublewords (signed): quotient in LO, remainder in HI.', ddivu: 'Divide doublewords (unsigned): quotient in LO, remainder in HI.',
  add: 'Add words; Integer Overflow exception on signed overflow.', addu: 'Add words, no overflow trap (result sign-extended).',
  sub: 'Subtract words; Integer Overflow exception on signed overflow.', subu: 'Subtract words, no overflow trap.',
  neg: 'Negate a word (sub from $zero; traps on overflow).', negu: 'Negate a word (subu from $zero).',
  dadd: 'Add doublewords; Integer Overflow exception on signed overflow.', daddu: 'Add doublewords, no overflow trap.',
  dsub: 'Subtract doublewords; Integer Overflow exception on signed overflow.', dsubu: 'Subtract doublewords, no overflow trap.',
  dneg: 'Negate a doubleword (dsub from $zero).', dnegu: 'Negate a doubleword (dsubu from $zero).',
  and: 'Bitwise AND.', or: 'Bitwise OR.', xor: 'Bitwise exclusive OR.', nor: 'Bitwise NOR (not: nor with $zero).',
  slt: 'Set rd to 1 if rs < rt (signed), else 0.', sltu: 'Set rd to 1 if rs < rt (unsigned), else 0.',
  addi: 'Add a signed 16-bit immediate to a word; traps on overflow.', addiu: 'Add a signed 16-bit immediate to a word, no overflow trap.',
  daddi: 'Add a signed 16-bit immediate to a doubleword; traps on overflow.', daddiu: 'Add a signed 16-bit immediate to a doubleword, no overflow trap.',
  slti: 'Set rt to 1 if rs < the signed immediate.', sltiu: 'Set rt to 1 if rs < the sign-extended immediate, compared unsigned.',
  andi: 'AND with a zero-extended 16-bit immediate.', ori: 'OR with a zero-extended 16-bit immediate.',
  xori: 'Exclusive OR with a zero-extended 16-bit immediate.', lui: 'Load the immediate into bits 31..16 (sign-extended), low half zero.',
  li: 'Load a 32-bit constant (pseudo-instruction: addiu, ori or lui+ori).',
  dli: 'Load a 64-bit constant (pseudo-instruction: up to six instructions).',
  mul: 'Multiply words, low 32 bits of the product into rd (HI/LO unpredictable).',
  madd: 'Multiply words (signed) and add the product to HI:LO.', maddu: 'Multiply words (unsigned) and add to HI:LO.',
  msub: 'Multiply words (signed) and subtract the product from HI:LO.', msubu: 'Multiply words (unsigned) and subtract from HI:LO.',
  clz: 'Count leading zeros of a word.', clo: 'Count leading ones of a word.',
  dclz: 'Count leading zeros of a doubleword.', dclo: 'Count leading ones of a doubleword.',
  ext: 'Extract a bit field of a word (pos, size) into the low bits.', dext: 'Extract a bit field of a doubleword (pos, size).',
  dextm: 'Extract a bit field of a doubleword, size 33..64.', dextu: 'Extract a bit field of a doubleword at position 32..63.',
  ins: 'Insert the low bits of rs into a bit field of a word.', dins: 'Insert the low bits of rs into a bit field of a doubleword.',
  dinsm: 'Insert into a doubleword bit field, size 33..64.', dinsu: 'Insert into a doubleword bit field at position 32..63.',
  wsbh: 'Swap the bytes within each halfword of a word.', seb: 'Sign-extend the low byte.', seh: 'Sign-extend the low halfword.',
  dsbh: 'Swap the bytes within each halfword of a doubleword.', dshd: 'Swap the halfwords of a doubleword.',
  rdhwr: 'Read a hardware register (CPUNum, SYNCI_Step, CC, CCRes, UserLocal) into rt.',
  // jumps and branches
  j: 'Jump within the current 256 MiB region; the delay slot executes.', jal: 'Jump and link (ra = return address); the delay slot executes.',
  jalx: 'Jump and link, switching to MIPS16e/microMIPS.',
  jr: 'Jump to the address in a register; the delay slot executes.', 'jr.hb': 'Jump register and clear instruction hazards.',
  jalr: 'Jump to the address in a register and link (default rd = ra).', 'jalr.hb': 'Jump register and link, clearing instruction hazards.',
  b: 'Branch always (beq $zero, $zero); the delay slot executes.', bal: 'Branch always and link (bgezal $zero).',
  beq: 'Branch if rs = rt.', bne: 'Branch if rs ≠ rt.', beqz: 'Branch if rs = 0.', bnez: 'Branch if rs ≠ 0.',
  blez: 'Branch if rs ≤ 0 (signed).', bgtz: 'Branch if rs > 0 (signed).', bltz: 'Branch if rs < 0.', bgez: 'Branch if rs ≥ 0.',
  beql: 'Branch likely if rs = rt: the delay slot is annulled when not taken.', bnel: 'Branch likely if rs ≠ rt.',
  beqzl: 'Branch likely if rs = 0.', bnezl: 'Branch likely if rs ≠ 0.', blezl: 'Branch likely if rs ≤ 0.', bgtzl: 'Branch likely if rs > 0.',
  bltzl: 'Branch likely if rs < 0.', bgezl: 'Branch likely if rs ≥ 0.',
  bltzal: 'Branch and link if rs < 0 (ra always written).', bgezal: 'Branch and link if rs ≥ 0.',
  bltzall: 'Branch likely and link if rs < 0.', bgezall: 'Branch likely and link if rs ≥ 0.',
  bposge32: 'DSP: branch if DSPControl.pos ≥ 32.', bposge64: 'DSP: branch if DSPControl.pos ≥ 64.',
  bbit0: 'Octeon: branch if bit p (0..31) of rs is 0.', bbit032: 'Octeon: branch if bit 32 + p of rs is 0.',
  bbit1: 'Octeon: branch if bit p (0..31) of rs is 1.', bbit132: 'Octeon: branch if bit 32 + p of rs is 1.',
  // traps and exceptions
  syscall: 'System call exception.', break: 'Breakpoint exception.', sdbbp: 'EJTAG software debug breakpoint.',
  teq: 'Trap if rs = rt.', tne: 'Trap if rs ≠ rt.', tge: 'Trap if rs ≥ rt (signed).', tgeu: 'Trap if rs ≥ rt (unsigned).',
  tlt: 'Trap if rs < rt (signed).', tltu: 'Trap if rs < rt (unsigned).',
  teqi: 'Trap if rs = immediate.', tnei: 'Trap if rs ≠ immediate.', tgei: 'Trap if rs ≥ immediate (signed).',
  tgeiu: 'Trap if rs ≥ immediate (unsigned).', tlti: 'Trap if rs < immediate (signed).', tltiu: 'Trap if rs < immediate (unsigned).',
  // loads and stores
  lb: 'Load a byte, sign-extended.', lbu: 'Load a byte, zero-extended.', lh: 'Load a halfword, sign-extended.',
  lhu: 'Load a halfword, zero-extended.', lw: 'Load a word, sign-extended.', lwu: 'Load a word, zero-extended.', ld: 'Load a doubleword.',
  lwl: 'Load word left (unaligned word, with lwr).', lwr: 'Load word right (unaligned word, with lwl).',
  ldl: 'Load doubleword left (unaligned, with ldr).', ldr: 'Load doubleword right (unaligned, with ldl).',
  sb: 'Store a byte.', sh: 'Store a halfword.', sw: 'Store a word.', sd: 'Store a doubleword.',
  swl: 'Store word left (unaligned, with swr).', swr: 'Store word right (unaligned, with swl).',
  sdl: 'Store doubleword left (unaligned, with sdr).', sdr: 'Store doubleword right (unaligned, with sdl).',
  ll: 'Load linked word: starts an atomic read-modify-write (with sc).', lld: 'Load linked doubleword (with scd).',
  sc: 'Store conditional word: stores and sets rt = 1 if the link held, else rt = 0.', scd: 'Store conditional doubleword.',
  cache: 'Cache maintenance operation on the line at the address (privileged).', pref: 'Prefetch hint for the address.',
  prefx: 'Prefetch hint, indexed address.',
  lwc1: 'Load a word into an FPU register.', ldc1: 'Load a doubleword into an FPU register.',
  swc1: 'Store a word from an FPU register.', sdc1: 'Store a doubleword from an FPU register.',
  lwc2: 'Load a word into a coprocessor 2 register.', ldc2: 'Load a doubleword into a coprocessor 2 register.',
  swc2: 'Store a word from a coprocessor 2 register.', sdc2: 'Store a doubleword from a coprocessor 2 register.',
  lwxc1: 'Load a word into an FPU register, indexed address.', ldxc1: 'Load a doubleword into an FPU register, indexed.',
  luxc1: 'Load a doubleword into an FPU register, indexed, address aligned down.', swxc1: 'Store a word from an FPU register, indexed.',
  sdxc1: 'Store a doubleword from an FPU register, indexed.', suxc1: 'Store a doubleword from an FPU register, indexed, aligned down.',
  lwx: 'Load a word, indexed address (base + index).', lhx: 'Load a halfword, indexed, sign-extended.',
  lbux: 'Load a byte, indexed, zero-extended.', ldx: 'Load a doubleword, indexed.',
  lwux: 'Octeon: load a word, indexed, zero-extended.', lhux: 'Octeon: load a halfword, indexed, zero-extended.',
  lbx: 'Octeon: load a byte, indexed, sign-extended.',
  // CP0 and privileged
  mfc0: 'Move from a CP0 register (32 bits, sign-extended).', dmfc0: 'Move a doubleword from a CP0 register.',
  mtc0: 'Move to a CP0 register (32 bits); follow with ehb before depending on it.', dmtc0: 'Move a doubleword to a CP0 register.',
  mfgc0: 'VZ: move from a guest CP0 register.', dmfgc0: 'VZ: move a doubleword from a guest CP0 register.',
  mtgc0: 'VZ: move to a guest CP0 register.', dmtgc0: 'VZ: move a doubleword to a guest CP0 register.',
  rdpgpr: 'Read a GPR of the previous shadow register set.', wrpgpr: 'Write a GPR of the previous shadow register set.',
  di: 'Disable interrupts (clear Status.IE); rt gets the old Status.', ei: 'Enable interrupts (set Status.IE); rt gets the old Status.',
  dvpe: 'MT: disable virtual processors.', evpe: 'MT: enable virtual processors.',
  tlbr: 'Read the TLB entry selected by Index into EntryHi/EntryLo0/EntryLo1/PageMask.',
  tlbwi: 'Write the TLB entry selected by Index from EntryHi/EntryLo0/EntryLo1/PageMask.',
  tlbwr: 'Write the TLB entry selected by Random.', tlbp: 'Probe the TLB for EntryHi: Index = match, or P set.',
  tlbinv: 'Invalidate TLB entries matching EntryHi.ASID.', tlbinvf: 'Invalidate all TLB entries (flush).',
  eret: 'Return from exception (to EPC, or ErrorEPC when ERL is set); no delay slot.', deret: 'Return from a debug exception (to DEPC).',
  wait: 'Wait for an interrupt (low-power idle).',
  tlbgr: 'VZ: read a guest TLB entry.', tlbgwi: 'VZ: write an indexed guest TLB entry.', tlbginv: 'VZ: invalidate guest TLB entries.',
  tlbginvf: 'VZ: flush the guest TLB.', tlbgwr: 'VZ: write a random guest TLB entry.', tlbgp: 'VZ: probe the guest TLB.',
  hypcall: 'VZ: hypervisor call exception.',
  c0: 'Coprocessor 0 operation with an implementation-defined code.',
  mftc0: 'MT: move from a CP0 register of another thread context.', mttc0: 'MT: move to a CP0 register of another thread context.',
  mftgpr: 'MT: move from a GPR of another thread context.', mttgpr: 'MT: move to a GPR of another thread context.',
  // FPU moves and branches
  mfc1: 'Move a word from an FPU register to a GPR (sign-extended).', dmfc1: 'Move a doubleword from an FPU register to a GPR.',
  mtc1: 'Move a word from a GPR to an FPU register.', dmtc1: 'Move a doubleword from a GPR to an FPU register.',
  mfhc1: 'Move the high word of an FPU register to a GPR.', mthc1: 'Move a GPR to the high word of an FPU register.',
  cfc1: 'Read an FPU control register (FIR, FCSR, …).', ctc1: 'Write an FPU control register (FCSR, …).',
  bc1f: 'Branch if the FPU condition code is false.', bc1t: 'Branch if the FPU condition code is true.',
  bc1fl: 'Branch likely if the FPU condition code is false.', bc1tl: 'Branch likely if the FPU condition code is true.',
  bc1any2f: 'MIPS-3D: branch if either of two condition codes is false.', bc1any2t: 'MIPS-3D: branch if either of two condition codes is true.',
  bc1any4f: 'MIPS-3D: branch if any of four condition codes is false.', bc1any4t: 'MIPS-3D: branch if any of four condition codes is true.',
  c1: 'Coprocessor 1 operation with a raw code.', alnv: 'Align a paired-single value by the byte offset in rs.',
  'cvt.s.pu': 'Convert the upper single of a paired single to single.', 'cvt.s.pl': 'Convert the lower single of a paired single to single.',
  'cvt.ps.s': 'Make a paired single from two singles.', 'cvt.pw.ps': 'MIPS-3D: convert a paired single to paired words.',
  'cvt.ps.pw': 'MIPS-3D: convert paired words to a paired single.',
  'pll.ps': 'Paired single from the lower halves of fs and ft.', 'plu.ps': 'Paired single from the lower half of fs and upper of ft.',
  'pul.ps': 'Paired single from the upper half of fs and lower of ft.', 'puu.ps': 'Paired single from the upper halves of fs and ft.',
  'alnv.ps': 'Align a paired-single value by the byte offset in rs.',
  // COP2
  mfc2: 'Move a word from a coprocessor 2 register.', dmfc2: 'Move a doubleword from a coprocessor 2 register (Octeon: crypto state).',
  mtc2: 'Move a word to a coprocessor 2 register.', dmtc2: 'Move a doubleword to a coprocessor 2 register (Octeon: crypto operations).',
  cfc2: 'Read a coprocessor 2 control register.', ctc2: 'Write a coprocessor 2 control register.',
  mfhc2: 'Move the high word of a coprocessor 2 register.', mthc2: 'Move to the high word of a coprocessor 2 register.',
  bc2f: 'Branch if the coprocessor 2 condition is false.', bc2t: 'Branch if the coprocessor 2 condition is true.',
  bc2fl: 'Branch likely if the coprocessor 2 condition is false.', bc2tl: 'Branch likely if the coprocessor 2 condition is true.',
  c2: 'Coprocessor 2 operation with an implementation-defined code.',
  // DSP
  rddsp: 'DSP: read DSPControl fields into rd.', wrdsp: 'DSP: write DSPControl fields from rs.',
  // Octeon
  dmul: 'Octeon: multiply doublewords, low 64 bits into rd.', baddu: 'Octeon: add the low bytes unsigned (8-bit result).',
  seq: 'Octeon: set rd to 1 if rs = rt.', sne: 'Octeon: set rd to 1 if rs ≠ rt.', seqi: 'Octeon: set rt to 1 if rs = immediate.',
  snei: 'Octeon: set rt to 1 if rs ≠ immediate.', pop: 'Octeon: count the set bits of a word.', dpop: 'Octeon: count the set bits of a doubleword.',
  cins: 'Octeon: clear and insert a bit field (pos 0..31).', cins32: 'Octeon: clear and insert a bit field (pos 32..63).',
  exts: 'Octeon: extract a signed bit field (pos 0..31).', exts32: 'Octeon: extract a signed bit field (pos 32..63).',
  mtm0: 'Octeon: set multiplier input MPL0 (clears P registers).', mtm1: 'Octeon: set multiplier input MPL1.', mtm2: 'Octeon: set multiplier input MPL2.',
  mtp0: 'Octeon: set multiplier partial product P0.', mtp1: 'Octeon: set multiplier partial product P1.', mtp2: 'Octeon: set multiplier partial product P2.',
  vmulu: 'Octeon: multi-precision unsigned multiply-accumulate step.', vmm0: 'Octeon: multi-precision multiply step for Montgomery reduction.',
  v3mulu: 'Octeon: multi-precision 192-bit multiply step.',
  saa: 'Octeon: atomically add a word to memory.', saad: 'Octeon: atomically add a doubleword to memory.',
  lai: 'Octeon II: load word and atomically increment.', laid: 'Octeon II: load doubleword and atomically increment.',
  lad: 'Octeon II: load word and atomically decrement.', ladd: 'Octeon II: load doubleword and atomically decrement.',
  las: 'Octeon II: load word and atomically set to all ones.', lasd: 'Octeon II: load doubleword and atomically set.',
  lac: 'Octeon II: load word and atomically clear.', lacd: 'Octeon II: load doubleword and atomically clear.',
  laa: 'Octeon II: load word and atomically add rt.', laad: 'Octeon II: load doubleword and atomically add rt.',
  law: 'Octeon II: load word and atomically swap with rt.', lawd: 'Octeon II: load doubleword and atomically swap with rt.',
  zcb: 'Octeon II: zero a cache block (write-back).', zcbt: 'Octeon II: zero a cache block, through to memory.',
  // MSA
  ctcmsa: 'MSA: write an MSA control register.', cfcmsa: 'MSA: read an MSA control register.',
  'bz.v': 'MSA: branch if all bits of the vector are zero.', 'bnz.v': 'MSA: branch if any bit of the vector is set.',
};

const FP_OPS: Record<string, string> = {
  add: 'Floating-point add', sub: 'Floating-point subtract', mul: 'Floating-point multiply', div: 'Floating-point divide',
  sqrt: 'Floating-point square root', abs: 'Floating-point absolute value', mov: 'Floating-point move', neg: 'Floating-point negate',
  'round.l': 'Round to a 64-bit integer (nearest)', 'trunc.l': 'Truncate to a 64-bit integer', 'ceil.l': 'Round up to a 64-bit integer',
  'floor.l': 'Round down to a 64-bit integer', 'round.w': 'Round to a 32-bit integer (nearest)', 'trunc.w': 'Truncate to a 32-bit integer',
  'ceil.w': 'Round up to a 32-bit integer', 'floor.w': 'Round down to a 32-bit integer',
  movf: 'Floating-point move if the condition code is false', movt: 'Floating-point move if the condition code is true',
  movz: 'Floating-point move if rt is zero', movn: 'Floating-point move if rt is not zero',
  recip: 'Reciprocal approximation', rsqrt: 'Reciprocal square root approximation',
  addr: 'MIPS-3D: reduction add', mulr: 'MIPS-3D: reduction multiply', recip1: 'MIPS-3D: reciprocal first step',
  recip2: 'MIPS-3D: reciprocal second step', rsqrt1: 'MIPS-3D: reciprocal square root first step', rsqrt2: 'MIPS-3D: reciprocal square root second step',
  madd: 'Floating-point multiply-add (fr + fs × ft)', msub: 'Floating-point multiply-subtract (fs × ft − fr)',
  nmadd: 'Negated floating-point multiply-add', nmsub: 'Negated floating-point multiply-subtract',
  'cvt.s': 'Convert to single precision', 'cvt.d': 'Convert to double precision', 'cvt.w': 'Convert to a 32-bit integer (FCSR rounding)',
  'cvt.l': 'Convert to a 64-bit integer (FCSR rounding)',
};

const FORMATS: Record<string, string> = {
  s: 'single precision', d: 'double precision', ps: 'paired single', w: '32-bit integer', l: '64-bit integer',
};

const CONDITIONS: Record<string, string> = {
  f: 'false', un: 'unordered', eq: 'equal', ueq: 'unordered or equal', olt: 'ordered less than', ult: 'unordered or less than',
  ole: 'ordered less or equal', ule: 'unordered or less or equal', sf: 'signaling false', ngle: 'not greater, less or equal (signaling unordered)',
  seq: 'signaling equal', ngl: 'not greater or less (signaling)', lt: 'less than (signaling)', nge: 'not greater or equal (signaling)',
  le: 'less or equal (signaling)', ngt: 'not greater than (signaling)',
};

const ELEMENTS: Record<string, string> = { b: 'byte', h: 'halfword', w: 'word', d: 'doubleword' };

/** One-line description of a mnemonic (table instruction or alias), or undefined for an unknown name. */
export function describeMnemonic(name: string): string | undefined {
  const direct = D[name];
  if (direct) return direct;
  let m = /^(c|cabs)\.([a-z]+)\.(s|d|ps)$/.exec(name);
  if (m && CONDITIONS[m[2]] && FP_CONDITIONS.includes(m[2])) {
    return `${m[1] === 'cabs' ? 'MIPS-3D: compare absolute values' : 'Floating-point compare'} (${FORMATS[m[3]]}): condition code = fs ${CONDITIONS[m[2]]} ft.`;
  }
  m = /^(.+)\.(s|d|ps|w|l)$/.exec(name);
  if (m && FP_OPS[m[1]]) return `${FP_OPS[m[1]]}, ${m[1].startsWith('cvt.') ? 'from ' : ''}${FORMATS[m[2]]}.`;
  m = /^(ld|st)\.([bhwd])$/.exec(name);
  if (m) return `MSA: ${m[1] === 'ld' ? 'load' : 'store'} a 128-bit vector of ${ELEMENTS[m[2]]}s.`;
  m = /^(copy_s|copy_u|insert)\.([bhwd])$/.exec(name);
  if (m) {
    const what = m[1] === 'insert' ? 'Insert a GPR into' : `Copy (${m[1] === 'copy_s' ? 'sign' : 'zero'}-extended) to a GPR from`;
    return `MSA: ${what} one ${ELEMENTS[m[2]]} element of a vector.`;
  }
  m = /^(bz|bnz)\.([bhwd])$/.exec(name);
  if (m) return `MSA: branch if ${m[1] === 'bz' ? 'any' : 'all'} ${ELEMENTS[m[2]]} element${m[1] === 'bz' ? ' is zero' : 's are non-zero'}.`;
  m = /^qmac(s?)\.0([0-3])$/.exec(name);
  if (m) return `Octeon II: Q15 multiply-accumulate of halfword ${m[2]}${m[1] ? ', saturating' : ''}.`;
  m = /^udi(\d+)$/.exec(name);
  if (m) return `User-defined instruction ${m[1]} (SPECIAL2 function 0x${(0x10 + Number(m[1])).toString(16)}).`;
  return undefined;
}

/** Pseudo-instructions the assembler expands (beyond the table's aliases), with their syntax. */
export const PSEUDO_DOCS: Readonly<Record<string, { syntax: string; text: string }>> = {
  la: { syntax: 'la rt, address', text: 'Load an address (pseudo-instruction: the 64-bit dla sequence, or one daddiu).' },
  dla: { syntax: 'dla rt, address', text: 'Load a 64-bit address (pseudo-instruction: up to six instructions, uses $at unless .set noat).' },
  not: { syntax: 'not rd, rs', text: 'Bitwise NOT (nor rd, rs, $zero).' },
  abs: { syntax: 'abs rd, rs', text: 'Absolute value of a word (pseudo-instruction: bgez, move, neg).' },
  dabs: { syntax: 'dabs rd, rs', text: 'Absolute value of a doubleword (pseudo-instruction: bgez, move, dneg).' },
};
