// A minimal MIPS64 instruction encoder for generating bare-metal test programs (only what the
// FPU differential test needs). Register numbers are plain integers.

export const R = {
  zero: 0, at: 1, v0: 2, v1: 3, a0: 4, a1: 5, a2: 6, a3: 7,
  t0: 12, t1: 13, t2: 14, t3: 15, // n64 names: t0..t3 = $12..$15
  s0: 16, s1: 17, s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23,
  k0: 26, k1: 27, sp: 29, ra: 31,
} as const;

const u = (x: number): number => x >>> 0;
const imm16 = (x: number): number => x & 0xffff;

export const enc = {
  nop: (): number => 0,
  ehb: (): number => 0x000000c0,
  eret: (): number => 0x42000018,
  lui: (rt: number, imm: number): number => u((0x0f << 26) | (rt << 16) | imm16(imm)),
  ori: (rt: number, rs: number, imm: number): number => u((0x0d << 26) | (rs << 21) | (rt << 16) | imm16(imm)),
  daddiu: (rt: number, rs: number, imm: number): number => u((0x19 << 26) | (rs << 21) | (rt << 16) | imm16(imm)),
  srl: (rd: number, rt: number, sa: number): number => u((rt << 16) | (rd << 11) | (sa << 6) | 0x02),
  andi: (rt: number, rs: number, imm: number): number => u((0x0c << 26) | (rs << 21) | (rt << 16) | imm16(imm)),
  dsll: (rd: number, rt: number, sa: number): number => u((rt << 16) | (rd << 11) | (sa << 6) | 0x38),
  beq: (rs: number, rt: number, off: number): number => u((0x04 << 26) | (rs << 21) | (rt << 16) | imm16(off)),
  ld: (rt: number, off: number, base: number): number => u((0x37 << 26) | (base << 21) | (rt << 16) | imm16(off)),
  sd: (rt: number, off: number, base: number): number => u((0x3f << 26) | (base << 21) | (rt << 16) | imm16(off)),
  lw: (rt: number, off: number, base: number): number => u((0x23 << 26) | (base << 21) | (rt << 16) | imm16(off)),
  sw: (rt: number, off: number, base: number): number => u((0x2b << 26) | (base << 21) | (rt << 16) | imm16(off)),
  mfc0: (rt: number, rd: number, sel = 0): number => u((0x10 << 26) | (0 << 21) | (rt << 16) | (rd << 11) | sel),
  dmfc0: (rt: number, rd: number, sel = 0): number => u((0x10 << 26) | (1 << 21) | (rt << 16) | (rd << 11) | sel),
  mtc0: (rt: number, rd: number, sel = 0): number => u((0x10 << 26) | (4 << 21) | (rt << 16) | (rd << 11) | sel),
  dmtc0: (rt: number, rd: number, sel = 0): number => u((0x10 << 26) | (5 << 21) | (rt << 16) | (rd << 11) | sel),
  /** COP1 moves: mfc1 0, dmfc1 1, cfc1 2, mfhc1 3, mtc1 4, dmtc1 5, ctc1 6, mthc1 7. */
  cop1mv: (op: number, rt: number, fs: number): number => u((0x11 << 26) | (op << 21) | (rt << 16) | (fs << 11)),
  /** COP1 arithmetic: fmt 16 S, 17 D, 20 W, 21 L, 22 PS. */
  cop1: (fmt: number, funct: number, fd: number, fs: number, ft: number): number =>
    u((0x11 << 26) | (fmt << 21) | (ft << 16) | (fs << 11) | (fd << 6) | funct),
  /** COP1X multiply-add: op4 4 madd, 5 msub, 6 nmadd, 7 nmsub; fmt3 0 S, 1 D, 6 PS. */
  cop1x: (op4: number, fmt3: number, fd: number, fr: number, fs: number, ft: number): number =>
    u((0x13 << 26) | (fr << 21) | (ft << 16) | (fs << 11) | (fd << 6) | (op4 << 3) | fmt3),
  alnv: (fd: number, fs: number, ft: number, rs: number): number =>
    u((0x13 << 26) | (rs << 21) | (ft << 16) | (fs << 11) | (fd << 6) | 0x1e),
};

export const mfc1 = (rt: number, fs: number): number => enc.cop1mv(0, rt, fs);
export const dmfc1 = (rt: number, fs: number): number => enc.cop1mv(1, rt, fs);
export const cfc1 = (rt: number, fs: number): number => enc.cop1mv(2, rt, fs);
export const mfhc1 = (rt: number, fs: number): number => enc.cop1mv(3, rt, fs);
export const mtc1 = (rt: number, fs: number): number => enc.cop1mv(4, rt, fs);
export const dmtc1 = (rt: number, fs: number): number => enc.cop1mv(5, rt, fs);
export const ctc1 = (rt: number, fs: number): number => enc.cop1mv(6, rt, fs);
export const mthc1 = (rt: number, fs: number): number => enc.cop1mv(7, rt, fs);

/** Loads a 64-bit constant: lui/ori/dsll chain (6 instructions, or 2 for sign-extended 32-bit). */
export function li64(rt: number, v: bigint): number[] {
  v = BigInt.asUintN(64, v);
  const s32 = BigInt.asIntN(32, v);
  if (BigInt.asUintN(64, s32) === v) {
    const w = Number(BigInt.asUintN(32, v));
    return [enc.lui(rt, w >>> 16), enc.ori(rt, rt, w & 0xffff)];
  }
  const h = (n: bigint): number => Number((v >> n) & 0xffffn);
  return [enc.lui(rt, h(48n)), enc.ori(rt, rt, h(32n)), enc.dsll(rt, rt, 16), enc.ori(rt, rt, h(16n)), enc.dsll(rt, rt, 16), enc.ori(rt, rt, h(0n))];
}
