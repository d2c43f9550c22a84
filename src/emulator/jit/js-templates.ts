// The JavaScript block translator's instruction templates (jit/translator.ts inlines them
// with the fields as constants): the semantics as they were written before the instruction
// IR (isa/semantics). They remain only for that translator, whose blocks the differential
// tests compare against the IR-generated interpreter, until the WebAssembly tier runs every
// block.
//
// Template vocabulary:
//   RS RT RD       register numbers;   RS2 RT2 RD2  indexes of their low halves in r[]
//   SA IMM UIMM    shift amount, sign- and zero-extended 16-bit immediates
//   JIDX           26-bit jump index << 2;   SEL  bits 2:0;   W  the instruction word
//   FS FT FD FR    FPU register fields;  CC (20:18), CC8 (10:8), TF (bit 16)
//   PC_LO PC_HI    address of this instruction (int32 halves)
//   r              the register array (GPR pairs, LO at 64/65, HI at 66/67);  c  the Cpu
//   @WRD / @WRT    write locals `lo`, `hi` to rd / rt (dropped for $zero)
//   ${EA}          (fragment) computes the effective address base+IMM into `ahi`, `alo`
//   ${TGT}         (fragment) computes the branch target PC+4+(IMM<<2) into `thi`, `tlo`
// Exceptions are raised by calling c.exc(code) / c.* helpers, which throw.
// The Cavium Octeon instructions' templates live in semantics-octeon.ts, merged here.

import { OCTEON_SEMANTICS } from '../cpu/semantics-octeon';

const EA = `const blo = r[RS2]; const alo = (blo + IMM) | 0;
  const ahi = (r[RS2 + 1] + (IMM >> 31) + (((blo >>> 0) + (IMM >>> 0)) > 4294967295 ? 1 : 0)) | 0;`;
const TGT = `const d = 4 + (IMM << 2); const tlo = (PC_LO + d) | 0;
  const thi = (PC_HI + (d >> 31) + (((PC_LO >>> 0) + (d >>> 0)) > 4294967295 ? 1 : 0)) | 0;`;

/** 64-bit operations: Reserved Instruction in User mode without UX/PX, Supervisor without SX. */
const K64 = 'if (c.mode !== 0) c.op64();';

const JUMP = `const nl = (PC_LO + 4) | 0; const nh = (PC_HI + (((PC_LO >>> 0) + 4) > 4294967295 ? 1 : 0)) | 0;`;

/** 32-bit ALU op producing `lo` from a and b; hi is the sign extension. */
const alu32 = (expr: string): string => `{ const a = r[RS2], b = r[RT2]; const lo = (${expr}) | 0; const hi = lo >> 31; @WRD }`;
const alu64 = (lo: string, hi: string): string =>
  `{ const al = r[RS2], ah = r[RS2 + 1], bl = r[RT2], bh = r[RT2 + 1]; const lo = ${lo}; const hi = ${hi}; @WRD }`;
const shiftImm32 = (expr: string): string => `{ const a = r[RT2]; const lo = (${expr}) | 0; const hi = lo >> 31; @WRD }`;
const shiftVar32 = (expr: string): string => `{ const a = r[RT2], s = r[RS2] & 31; const lo = (${expr}) | 0; const hi = lo >> 31; @WRD }`;
const shift64 = (fn: string, amount: string): string => `{ c.${fn}(r[RT2 + 1], r[RT2], ${amount}, RD); }`;
const trapRR = (cond: string): string => `{ const al = r[RS2], ah = r[RS2 + 1], bl = r[RT2], bh = r[RT2 + 1]; if (${cond}) c.exc(13); }`;
const trapRI = (cond: string): string => `{ const al = r[RS2], ah = r[RS2 + 1], bl = IMM, bh = IMM >> 31; if (${cond}) c.exc(13); }`;
const br = (cond: string, likely = false, link = false): string =>
  `{ const al = r[RS2], ah = r[RS2 + 1], bl = r[RT2], bh = r[RT2 + 1]; ${TGT} const taken = ${cond};${link ? ' c.link(31, PC_HI, PC_LO);' : ''} c.${likely ? 'brl(taken, thi, tlo)' : 'br(taken, thi, tlo, PC_HI, PC_LO)'}; }`;
const load = (fn: string, post = 'const hi = lo >> 31;'): string => `{ ${EA} const lo = c.${fn}(ahi, alo); ${post} @WRT }`;
const store = (fn: string): string => `{ ${EA} c.${fn}(ahi, alo, r[RT2], r[RT2 + 1]); }`;
const fpu = (call: string, pre = ''): string => `{ c.cp1(); ${pre}c.fpuOp(() => c.fpu.${call}); }`;
/** QEMU's reserved-instruction checks before an FPU op of format `f` on registers (d, s, t). */
const fpuPre = (f: string, regs = 'FD, FS, FT'): string =>
  f === 'ps' ? 'c.needPs(); ' : f === 'd' ? `c.fpEven(${regs}); ` : '';

const S: Record<string, string> = {
  // ---- shifts
  sll: shiftImm32('a << SA'),
  srl: shiftImm32('a >>> SA'),
  sra: shiftImm32('a >> SA'),
  rotr: shiftImm32('SA === 0 ? a : (a >>> SA) | (a << (32 - SA))'),
  sllv: shiftVar32('a << s'),
  srlv: shiftVar32('a >>> s'),
  srav: shiftVar32('a >> s'),
  rotrv: shiftVar32('s === 0 ? a : (a >>> s) | (a << (32 - s))'),
  dsll: shift64('shl', 'SA'), dsll32: shift64('shl', 'SA + 32'), dsllv: shift64('shl', 'r[RS2] & 63'),
  dsrl: shift64('shr', 'SA'), dsrl32: shift64('shr', 'SA + 32'), dsrlv: shift64('shr', 'r[RS2] & 63'),
  dsra: shift64('sar', 'SA'), dsra32: shift64('sar', 'SA + 32'), dsrav: shift64('sar', 'r[RS2] & 63'),
  drotr: shift64('ror', 'SA'), drotr32: shift64('ror', 'SA + 32'), drotrv: shift64('ror', 'r[RS2] & 63'),

  // ---- ALU
  addu: alu32('a + b'),
  subu: alu32('a - b'),
  add: `{ const a = r[RS2], b = r[RT2]; const lo = (a + b) | 0; if (((a ^ lo) & (b ^ lo)) < 0) c.exc(12); const hi = lo >> 31; @WRD }`,
  sub: `{ const a = r[RS2], b = r[RT2]; const lo = (a - b) | 0; if (((a ^ b) & (a ^ lo)) < 0) c.exc(12); const hi = lo >> 31; @WRD }`,
  and: alu64('al & bl', 'ah & bh'),
  or: alu64('al | bl', 'ah | bh'),
  xor: alu64('al ^ bl', 'ah ^ bh'),
  nor: alu64('~(al | bl)', '~(ah | bh)'),
  slt: alu64('(ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0))) ? 1 : 0', '0'),
  sltu: alu64('((ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0))) ? 1 : 0', '0'),
  daddu: alu64('(al + bl) | 0', '(ah + bh + (((al >>> 0) + (bl >>> 0)) > 4294967295 ? 1 : 0)) | 0'),
  dsubu: alu64('(al - bl) | 0', '(ah - bh - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0'),
  dadd: `{ const al = r[RS2], ah = r[RS2 + 1], bl = r[RT2], bh = r[RT2 + 1];
    const lo = (al + bl) | 0; const hi = (ah + bh + (((al >>> 0) + (bl >>> 0)) > 4294967295 ? 1 : 0)) | 0;
    if (((ah ^ hi) & (bh ^ hi)) < 0) c.exc(12); @WRD }`,
  dsub: `{ const al = r[RS2], ah = r[RS2 + 1], bl = r[RT2], bh = r[RT2 + 1];
    const lo = (al - bl) | 0; const hi = (ah - bh - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
    if (((ah ^ bh) & (ah ^ hi)) < 0) c.exc(12); @WRD }`,
  movz: `{ if (r[RT2] === 0 && r[RT2 + 1] === 0) { const lo = r[RS2], hi = r[RS2 + 1]; @WRD } }`,
  movn: `{ if (r[RT2] !== 0 || r[RT2 + 1] !== 0) { const lo = r[RS2], hi = r[RS2 + 1]; @WRD } }`,
  movf: `{ c.cp1(); if (!c.fpu.cond(CC)) { const lo = r[RS2], hi = r[RS2 + 1]; @WRD } }`,
  movt: `{ c.cp1(); if (c.fpu.cond(CC)) { const lo = r[RS2], hi = r[RS2 + 1]; @WRD } }`,

  // ---- immediates
  addiu: `{ const lo = (r[RS2] + IMM) | 0; const hi = lo >> 31; @WRT }`,
  addi: `{ const a = r[RS2]; const lo = (a + IMM) | 0; if (((a ^ lo) & (IMM ^ lo)) < 0) c.exc(12); const hi = lo >> 31; @WRT }`,
  daddiu: `{ const al = r[RS2]; const lo = (al + IMM) | 0;
    const hi = (r[RS2 + 1] + (IMM >> 31) + (((al >>> 0) + (IMM >>> 0)) > 4294967295 ? 1 : 0)) | 0; @WRT }`,
  daddi: `{ const al = r[RS2], ah = r[RS2 + 1]; const lo = (al + IMM) | 0;
    const hi = (ah + (IMM >> 31) + (((al >>> 0) + (IMM >>> 0)) > 4294967295 ? 1 : 0)) | 0;
    if (((ah ^ hi) & ((IMM >> 31) ^ hi)) < 0) c.exc(12); @WRT }`,
  slti: `{ const ah = r[RS2 + 1], al = r[RS2], bh = IMM >> 31, bl = IMM;
    const lo = (ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0))) ? 1 : 0; const hi = 0; @WRT }`,
  sltiu: `{ const ah = r[RS2 + 1], al = r[RS2], bh = IMM >> 31, bl = IMM;
    const lo = ((ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0))) ? 1 : 0; const hi = 0; @WRT }`,
  andi: `{ const lo = r[RS2] & UIMM, hi = 0; @WRT }`,
  ori: `{ const lo = r[RS2] | UIMM, hi = r[RS2 + 1]; @WRT }`,
  xori: `{ const lo = r[RS2] ^ UIMM, hi = r[RS2 + 1]; @WRT }`,
  lui: `{ const lo = UIMM << 16, hi = lo >> 31; @WRT }`,

  // ---- HI/LO, multiply, divide
  mfhi: `{ const lo = r[66], hi = r[67]; @WRD }`,
  mflo: `{ const lo = r[64], hi = r[65]; @WRD }`,
  mthi: `{ r[66] = r[RS2]; r[67] = r[RS2 + 1]; }`,
  mtlo: `{ r[64] = r[RS2]; r[65] = r[RS2 + 1]; }`,
  mult: `{ c.mul32(r[RS2], r[RT2], false); }`,
  multu: `{ c.mul32(r[RS2], r[RT2], true); }`,
  div: `{ c.div32(r[RS2], r[RT2], false); }`,
  divu: `{ c.div32(r[RS2], r[RT2], true); }`,
  dmult: `{ c.dmult(RS2, RT2, false); }`,
  dmultu: `{ c.dmult(RS2, RT2, true); }`,
  ddiv: `{ c.ddiv(RS2, RT2, false); }`,
  ddivu: `{ c.ddiv(RS2, RT2, true); }`,
  mul: `{ const lo = Math.imul(r[RS2], r[RT2]), hi = lo >> 31; @WRD }`,
  madd: `{ c.madd(r[RS2], r[RT2], false, false); }`,
  maddu: `{ c.madd(r[RS2], r[RT2], true, false); }`,
  msub: `{ c.madd(r[RS2], r[RT2], false, true); }`,
  msubu: `{ c.madd(r[RS2], r[RT2], true, true); }`,
  clz: `{ const lo = Math.clz32(r[RS2]), hi = 0; @WRD }`,
  clo: `{ const lo = Math.clz32(~r[RS2]), hi = 0; @WRD }`,
  dclz: `{ const h = r[RS2 + 1]; const lo = h !== 0 ? Math.clz32(h) : 32 + Math.clz32(r[RS2]), hi = 0; @WRD }`,
  dclo: `{ const h = ~r[RS2 + 1]; const lo = h !== 0 ? Math.clz32(h) : 32 + Math.clz32(~r[RS2]), hi = 0; @WRD }`,

  // ---- bit fields and byte swaps
  ext: `{ const size = ((W >>> 11) & 31) + 1; const v = r[RS2] >>> SA;
    const lo = size === 32 ? v | 0 : v & ((1 << size) - 1); const hi = lo >> 31; @WRT }`,
  ins: `{ const lsb = SA, msb = (W >>> 11) & 31; if (msb >= lsb) {
    const m = (msb - lsb === 31 ? -1 : ((1 << (msb - lsb + 1)) - 1)) << lsb;
    const lo = (r[RT2] & ~m) | ((r[RS2] << lsb) & m); const hi = lo >> 31; @WRT } else { const lo = r[RT2], hi = lo >> 31; @WRT } }`,
  dext: `{ c.dext(RT2, RS2, SA, ((W >>> 11) & 31) + 1); }`,
  dextm: `{ c.dext(RT2, RS2, SA, ((W >>> 11) & 31) + 33); }`,
  dextu: `{ c.dext(RT2, RS2, SA + 32, ((W >>> 11) & 31) + 1); }`,
  dins: `{ c.dins(RT2, RS2, SA, ((W >>> 11) & 31)); }`,
  dinsm: `{ c.dins(RT2, RS2, SA, ((W >>> 11) & 31) + 32); }`,
  dinsu: `{ c.dins(RT2, RS2, SA + 32, ((W >>> 11) & 31) + 32); }`,
  wsbh: `{ const a = r[RT2]; const lo = ((a & 0x00ff00ff) << 8) | ((a >>> 8) & 0x00ff00ff); const hi = lo >> 31; @WRD }`,
  seb: `{ const lo = (r[RT2] << 24) >> 24, hi = lo >> 31; @WRD }`,
  seh: `{ const lo = (r[RT2] << 16) >> 16, hi = lo >> 31; @WRD }`,
  dsbh: `{ const a = r[RT2], b = r[RT2 + 1];
    const lo = ((a & 0x00ff00ff) << 8) | ((a >>> 8) & 0x00ff00ff); const hi = ((b & 0x00ff00ff) << 8) | ((b >>> 8) & 0x00ff00ff); @WRD }`,
  dshd: `{ const a = r[RT2], b = r[RT2 + 1]; const lo = (b << 16) | (b >>> 16), hi = (a << 16) | (a >>> 16); @WRD }`,

  // ---- jumps and branches
  j: `{ ${JUMP} c.br(true, nh, (nl & 0xf0000000) | JIDX, PC_HI, PC_LO); }`,
  jal: `{ ${JUMP} c.link(31, PC_HI, PC_LO); c.br(true, nh, (nl & 0xf0000000) | JIDX, PC_HI, PC_LO); }`,
  jr: `{ c.br(true, r[RS2 + 1], r[RS2], PC_HI, PC_LO); }`,
  'jr.hb': `{ c.br(true, r[RS2 + 1], r[RS2], PC_HI, PC_LO); }`,
  jalr: `{ const th = r[RS2 + 1], tl = r[RS2]; c.link(RD, PC_HI, PC_LO); c.br(true, th, tl, PC_HI, PC_LO); }`,
  'jalr.hb': `{ const th = r[RS2 + 1], tl = r[RS2]; c.link(RD, PC_HI, PC_LO); c.br(true, th, tl, PC_HI, PC_LO); }`,
  jalx: `{ c.exc(10); }`,
  beq: br('al === bl && ah === bh'),
  bne: br('al !== bl || ah !== bh'),
  beql: br('al === bl && ah === bh', true),
  bnel: br('al !== bl || ah !== bh', true),
  blez: br('ah < 0 || (ah === 0 && al === 0)'),
  bgtz: br('ah > 0 || (ah === 0 && al !== 0)'),
  blezl: br('ah < 0 || (ah === 0 && al === 0)', true),
  bgtzl: br('ah > 0 || (ah === 0 && al !== 0)', true),
  bltz: br('ah < 0'),
  bgez: br('ah >= 0'),
  bltzl: br('ah < 0', true),
  bgezl: br('ah >= 0', true),
  bltzal: br('ah < 0', false, true),
  bgezal: br('ah >= 0', false, true),
  bltzall: br('ah < 0', true, true),
  bgezall: br('ah >= 0', true, true),

  // ---- traps and system
  tge: trapRR('!(ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0)))'),
  tgeu: trapRR('!((ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0)))'),
  tlt: trapRR('ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0))'),
  tltu: trapRR('(ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0))'),
  teq: trapRR('al === bl && ah === bh'),
  tne: trapRR('al !== bl || ah !== bh'),
  tgei: trapRI('!(ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0)))'),
  tgeiu: trapRI('!((ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0)))'),
  tlti: trapRI('ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0))'),
  tltiu: trapRI('(ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0))'),
  teqi: trapRI('al === bl && ah === bh'),
  tnei: trapRI('al !== bl || ah !== bh'),
  syscall: `{ c.exc(8); }`,
  break: `{ c.exc(9); }`,
  sdbbp: `{ c.exc(10); }`,
  sync: `{}`,
  synci: `{ ${EA} c.synci(ahi, alo); }`,
  pref: `{}`,
  prefx: `{ c.cp1x(); }`,
  cache: `{ c.cp0(); ${EA} c.cacheOp(RT, ahi, alo); }`,
  rdhwr: `{ const lo = c.rdhwr(RD), hi = c.rdhwrHi; @WRT }`,

  // ---- loads and stores
  lb: load('lb'), lbu: load('lbu', 'const hi = 0;'), lh: load('lh'), lhu: load('lhu', 'const hi = 0;'),
  lw: load('lw'), lwu: load('lw', 'const hi = 0;'),
  ld: `{ ${EA} const lo = c.ld(ahi, alo), hi = c.ldHi; @WRT }`,
  ll: `{ ${EA} const lo = c.ll(ahi, alo, 4), hi = lo >> 31; @WRT }`,
  lld: `{ ${EA} const lo = c.ll(ahi, alo, 8), hi = c.ldHi; @WRT }`,
  sb: store('sb'), sh: store('sh'), sw: store('sw'), sd: store('sd'),
  sc: `{ ${EA} const lo = c.sc(ahi, alo, r[RT2], r[RT2 + 1], 4), hi = 0; @WRT }`,
  scd: `{ ${EA} const lo = c.sc(ahi, alo, r[RT2], r[RT2 + 1], 8), hi = 0; @WRT }`,
  lwl: `{ ${EA} const lo = c.lwlr(ahi, alo, r[RT2], true), hi = lo >> 31; @WRT }`,
  lwr: `{ ${EA} const lo = c.lwlr(ahi, alo, r[RT2], false), hi = lo >> 31; @WRT }`,
  ldl: `{ ${EA} c.ldlr(ahi, alo, RT2, true); }`,
  ldr: `{ ${EA} c.ldlr(ahi, alo, RT2, false); }`,
  swl: `{ ${EA} c.swlr(ahi, alo, r[RT2], true); }`,
  swr: `{ ${EA} c.swlr(ahi, alo, r[RT2], false); }`,
  sdl: `{ ${EA} c.sdlr(ahi, alo, RT2, true); }`,
  sdr: `{ ${EA} c.sdlr(ahi, alo, RT2, false); }`,
  lwc1: `{ c.cp1(); ${EA} const v = c.lw(ahi, alo); c.fpu.writeW(FT, v); }`,
  swc1: `{ c.cp1(); ${EA} c.sw(ahi, alo, c.fpu.readW(FT), 0); }`,
  ldc1: `{ c.cp1(); ${EA} const v = c.ld(ahi, alo); c.fpu.writeD(FT, v, c.ldHi); }`,
  sdc1: `{ c.cp1(); ${EA} const d = c.fpu.readD(FT); c.sd(ahi, alo, d[0], d[1]); }`,
  lwxc1: `{ c.cp1x(); const v = c.lw(c.idxHi(RS2, RT2), c.idxLo(RS2, RT2)); c.fpu.writeW(FD, v); }`,
  ldxc1: `{ c.cp1x(); const v = c.ld(c.idxHi(RS2, RT2), c.idxLo(RS2, RT2)); c.fpu.writeD(FD, v, c.ldHi); }`,
  luxc1: `{ c.cp1x(); const v = c.ld(c.idxHi(RS2, RT2), c.idxLo(RS2, RT2) & ~7); c.fpu.writeD(FD, v, c.ldHi); }`,
  swxc1: `{ c.cp1x(); c.sw(c.idxHi(RS2, RT2), c.idxLo(RS2, RT2), c.fpu.readW(FS), 0); }`,
  sdxc1: `{ c.cp1x(); const d = c.fpu.readD(FS); c.sd(c.idxHi(RS2, RT2), c.idxLo(RS2, RT2), d[0], d[1]); }`,
  suxc1: `{ c.cp1x(); const d = c.fpu.readD(FS); c.sd(c.idxHi(RS2, RT2), c.idxLo(RS2, RT2) & ~7, d[0], d[1]); }`,

  // ---- CP0
  mfc0: `{ c.cp0(); const lo = c.mfc0(RD, SEL) | 0, hi = lo >> 31; @WRT }`,
  dmfc0: `{ c.cp0(); c.dmfc0(RT2, RD, SEL); }`,
  // mtc0 moves the whole GPR (as QEMU does): a 64-bit CP0 register gets all 64 bits.
  mtc0: `{ c.cp0(); c.mtc0(RD, SEL, r[RT2], r[RT2 + 1]); }`,
  dmtc0: `{ c.cp0(); c.mtc0(RD, SEL, r[RT2], r[RT2 + 1]); }`,
  di: `{ c.cp0(); const lo = c.c0.status | 0, hi = lo >> 31; c.setStatus(c.c0.status & ~1); @WRT }`,
  ei: `{ c.cp0(); const lo = c.c0.status | 0, hi = lo >> 31; c.setStatus(c.c0.status | 1); @WRT }`,
  rdpgpr: `{ c.cp0(); const lo = r[RT2], hi = r[RT2 + 1]; @WRD }`,
  wrpgpr: `{ c.cp0(); const lo = r[RT2], hi = r[RT2 + 1]; @WRD }`,
  tlbr: `{ c.cp0(); c.tlbr(); }`,
  tlbwi: `{ c.cp0(); c.tlbwi(); }`,
  tlbwr: `{ c.cp0(); c.tlbwr(); }`,
  tlbp: `{ c.cp0(); c.tlbp(); }`,
  eret: `{ c.cp0(); c.eret(); }`,
  deret: `{ c.cp0(); c.exc(10); }`,
  wait: `{ c.cp0(); c.wait(); }`,
  c0: `{ c.cp0(); c.exc(10); }`,

  // ---- CP1 moves and branches
  mfc1: `{ c.cp1(); const lo = c.fpu.readW(FS) | 0, hi = lo >> 31; @WRT }`,
  mtc1: `{ c.cp1(); c.fpu.writeW(FS, r[RT2]); }`,
  dmfc1: `{ c.cp1(); ${K64} const d = c.fpu.readD(FS); const lo = d[0], hi = d[1]; @WRT }`,
  dmtc1: `{ c.cp1(); ${K64} c.fpu.writeD(FS, r[RT2], r[RT2 + 1]); }`,
  mfhc1: `{ c.cp1(); const lo = c.fpu.readHi(FS) | 0, hi = lo >> 31; @WRT }`,
  mthc1: `{ c.cp1(); c.fpu.writeHi(FS, r[RT2]); }`,
  cfc1: `{ c.cp1(); const lo = c.fpu.cfc1(FS) | 0, hi = lo >> 31; @WRT }`,
  ctc1: `{ c.cp1(); c.fpuOp(() => c.fpu.ctc1(FS, r[RT2])); }`,
  bc1f: `{ c.cp1(); ${TGT} c.br(!c.fpu.cond(CC), thi, tlo, PC_HI, PC_LO); }`,
  bc1t: `{ c.cp1(); ${TGT} c.br(c.fpu.cond(CC), thi, tlo, PC_HI, PC_LO); }`,
  bc1fl: `{ c.cp1(); ${TGT} c.brl(!c.fpu.cond(CC), thi, tlo); }`,
  bc1tl: `{ c.cp1(); ${TGT} c.brl(c.fpu.cond(CC), thi, tlo); }`,
  c1: `{ c.cp1(); c.fpuOp(() => { throw c.fpuUnimplemented(); }); }`,

  // ---- COP2: no coprocessor 2 on the modelled CPUs
  mfc2: `{ c.cpu2(); }`, dmfc2: `{ c.cpu2(); }`, cfc2: `{ c.cpu2(); }`, mfhc2: `{ c.cpu2(); }`,
  mtc2: `{ c.cpu2(); }`, dmtc2: `{ c.cpu2(); }`, ctc2: `{ c.cpu2(); }`, mthc2: `{ c.cpu2(); }`,
  bc2f: `{ c.cpu2(); }`, bc2t: `{ c.cpu2(); }`, bc2fl: `{ c.cpu2(); }`, bc2tl: `{ c.cpu2(); }`, c2: `{ c.cpu2(); }`,
  lwc2: `{ c.cpu2(); }`, ldc2: `{ c.cpu2(); }`, swc2: `{ c.cpu2(); }`, sdc2: `{ c.cpu2(); }`,

  // ---- not implemented by the 5KEc: reserved instruction
  reserved: `{ c.exc(10); }`,
};

// FPU arithmetic, generated per format from the table's names (add.s, cvt.d.w, c.eq.d …).
const FMT3 = ['add', 'sub', 'mul', 'div'];
const FMT2 = ['sqrt', 'abs', 'neg', 'mov', 'recip', 'rsqrt'];
for (const f of ['s', 'd', 'ps']) {
  const pre = fpuPre(f);
  for (const op of FMT3) S[`${op}.${f}`] = fpu(`${op}('${f}', FD, FS, FT)`, pre);
  for (const op of FMT2) {
    S[`${op}.${f}`] = fpu(`${op}('${f}', FD, FS)`, (op === 'recip' || op === 'rsqrt') && f === 'd' ? 'c.need64(); ' : fpuPre(f, 'FD, FS, 0'));
  }
  S[`movf.${f}`] = fpu(`movcf('${f}', FD, FS, CC, false)`, fpuPre(f, 'FD, FS, 0'));
  S[`movt.${f}`] = fpu(`movcf('${f}', FD, FS, CC, true)`, fpuPre(f, 'FD, FS, 0'));
  S[`movz.${f}`] = `{ c.cp1(); ${fpuPre(f, 'FD, FS, 0')}c.fpuOp(() => c.fpu.movz('${f}', FD, FS, r[RT2] === 0 && r[RT2 + 1] === 0)); }`;
  S[`movn.${f}`] = `{ c.cp1(); ${fpuPre(f, 'FD, FS, 0')}c.fpuOp(() => c.fpu.movn('${f}', FD, FS, r[RT2] === 0 && r[RT2 + 1] === 0)); }`;
  for (const m of ['madd', 'msub', 'nmadd', 'nmsub']) {
    S[`${m}.${f}`] = `{ c.cp1x(); ${f === 'ps' ? 'c.needPs(); ' : f === 'd' ? 'c.fpEven(FD, FS, FT); c.fpEven(FR, 0, 0); ' : ''}c.fpuOp(() => c.fpu.${m}('${f}', FD, FR, FS, FT)); }`;
  }
  for (let i = 0; i < 16; i++) {
    const cond = ['f', 'un', 'eq', 'ueq', 'olt', 'ult', 'ole', 'ule', 'sf', 'ngle', 'seq', 'ngl', 'lt', 'nge', 'le', 'ngt'][i];
    S[`c.${cond}.${f}`] = fpu(`c(${i}, '${f}', CC8, FS, FT)`, fpuPre(f, '0, FS, FT'));
  }
  for (const r of ['round', 'trunc', 'ceil', 'floor']) {
    for (const to of ['l', 'w']) S[`${r}.${to}.${f}`] = fpu(`${r}('${to}', '${f}', FD, FS)`, to === 'l' ? 'c.need64(); ' : fpuPre(f, '0, FS, 0'));
  }
}
for (const [to, froms] of [['s', ['d', 'w', 'l']], ['d', ['s', 'w', 'l']], ['w', ['s', 'd']], ['l', ['s', 'd']]] as const) {
  for (const from of froms) {
    const pre = to === 'l' || from === 'l' ? 'c.need64(); ' : to === 'd' ? 'c.fpEven(FD, 0, 0); ' : from === 'd' ? 'c.fpEven(0, FS, 0); ' : '';
    S[`cvt.${to}.${from}`] = fpu(`cvt('${to}', '${from}', FD, FS)`, pre);
  }
}
S['cvt.s.pu'] = fpu(`cvt('s', 'pu', FD, FS)`, 'c.needPs(); ');
S['cvt.s.pl'] = fpu(`cvt('s', 'pl', FD, FS)`, 'c.needPs(); ');
S['cvt.ps.s'] = fpu(`cvt('ps', 's', FD, FS, FT)`, 'c.needPs(); ');
for (const p of ['pll', 'plu', 'pul', 'puu']) S[`${p}.ps`] = fpu(`${p}(FD, FS, FT)`, 'c.needPs(); ');
S['alnv.ps'] = `{ c.cp1x(); c.needPs(); c.fpuOp(() => c.fpu.alnv(FD, FS, FT, r[RS2] & 7)); }`;
S.luxc1 = S.luxc1.replace('c.cp1x();', 'c.cp1x(); c.need64();');
S.suxc1 = S.suxc1.replace('c.cp1x();', 'c.cp1x(); c.need64();');

// 64-bit operations (QEMU's check_mips_64 set; dmfc1/dmtc1 check CU1 first, above).
for (const op of [
  'dsll', 'dsll32', 'dsllv', 'dsrl', 'dsrl32', 'dsrlv', 'dsra', 'dsra32', 'dsrav', 'drotr', 'drotr32', 'drotrv',
  'dadd', 'daddu', 'dsub', 'dsubu', 'daddi', 'daddiu', 'dmult', 'dmultu', 'ddiv', 'ddivu', 'dclz', 'dclo',
  'dext', 'dextm', 'dextu', 'dins', 'dinsm', 'dinsu', 'dsbh', 'dshd',
  'ld', 'lld', 'ldl', 'ldr', 'lwu', 'sd', 'scd', 'sdl', 'sdr',
]) S[op] = `{ ${K64} ${S[op]} }`;

Object.assign(S, OCTEON_SEMANTICS);

export const SEMANTICS: Readonly<Record<string, string>> = S;

/** Expands the register-write macros of a template. */
export function expandWrites(t: string, rd: (reg: 'RD2' | 'RT2') => string): string {
  return t.replace(/@WRD/g, rd('RD2')).replace(/@WRT/g, rd('RT2'));
}

/** Template for an entry's op, or the reserved-instruction template. */
export function templateFor(e: { op: string }): string {
  return SEMANTICS[e.op] ?? SEMANTICS.reserved;
}
