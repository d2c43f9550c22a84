// Pseudo-instructions of the assembler, expanded into table instructions the way GNU as
// (-O0, n64) expands them: li/dli with any 64-bit constant, la/dla, not, abs/dabs,
// 64-bit shifts by 32..63, and `j`/`jal` through a register. Each expansion is a list of
// [mnemonic, operands] statements that the assembler then encodes normally.

export type Stmt = [string, string[]];

const reg = (n: number | string): string => (typeof n === 'number' ? `$${n}` : n);
const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);
const U32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const isSext16 = (v: bigint): boolean => v >= -0x8000n && v < 0x8000n;
const isSext32 = (v: bigint): boolean => v >= -0x80000000n && v < 0x80000000n;

function countTopZeroes32(x: bigint): number {
  let n = 0;
  for (let bit = 31; bit >= 0 && ((x >> BigInt(bit)) & 1n) === 0n; bit--) n++;
  return n;
}

/**
 * Loads constant `value` into register `r`. `dbl` selects the 64-bit (dli) rules;
 * without it the value must fit in 32 bits and is sign-extended, as GNU as does for li.
 */
export function loadConstant(r: string, value: bigint, dbl: boolean): Stmt[] {
  const out: Stmt[] = [];
  let v = BigInt.asIntN(64, value);
  if (!dbl) {
    if (v < -0x80000000n || v > 0xffffffffn) throw new Error(`number (${hex(v)}) larger than 32 bits`);
    v = BigInt.asIntN(32, v);
  }
  load(r, v, dbl, out);
  return out;
}

function load(r: string, v: bigint, dbl: boolean, out: Stmt[]): void {
  if (isSext16(v)) { out.push(['addiu', [r, '$0', String(v)]]); return; }
  if (v >= 0n && v < 0x10000n) { out.push(['ori', [r, '$0', hex(v)]]); return; }
  if (isSext32(v)) {
    out.push(['lui', [r, hex((U32(v) >> 16n) & 0xffffn)]]);
    if ((v & 0xffffn) !== 0n) out.push(['ori', [r, r, hex(v & 0xffffn)]]);
    return;
  }
  if (!dbl) throw new Error(`number (${hex(v)}) larger than 32 bits`);
  const u = BigInt.asUintN(64, v);
  let hi32 = u >> 32n;
  const lo32 = u & 0xffffffffn;
  let freg = '$0';
  if (hi32 !== 0n) {
    // A 16-bit constant shifted left?
    for (let shift = 17; shift <= 48; shift++) {
      let himask: bigint, lomask: bigint;
      if (shift < 32) { himask = 0xffffn >> BigInt(32 - shift); lomask = (0xffffn << BigInt(shift)) & 0xffffffffn; }
      else { himask = 0xffffn << BigInt(shift - 32); lomask = 0n; }
      if ((hi32 & ~himask) === 0n && (lo32 & ~lomask) === 0n) {
        const k = (u >> BigInt(shift)) & 0xffffn;
        out.push(['ori', [r, '$0', hex(k)]]);
        out.push([shift >= 32 ? 'dsll32' : 'dsll', [r, r, hex(BigInt(shift & 31))]]);
        return;
      }
    }
    // Lowest one bit and the value shifted down to it.
    let hi = hi32, lo = lo32, bit: number;
    if (lo !== 0n) {
      bit = 0;
      while ((lo & 1n) === 0n) { lo >>= 1n; bit++; }
      lo |= (hi & ((1n << BigInt(bit)) - 1n)) << BigInt(32 - bit);
      lo &= 0xffffffffn;
      hi >>= BigInt(bit);
    } else {
      bit = 32;
      while ((hi & 1n) === 0n) { hi >>= 1n; bit++; }
      lo = hi; hi = 0n;
    }
    // A run of ones (2^n - 1) shifted: all-ones, then shift into place.
    if ((hi === 0n && ((lo + 1n) & lo) === 0n) || (lo === 0xffffffffn && ((hi + 1n) & hi) === 0n)) {
      const shift = countTopZeroes32(hi32);
      if (shift !== 0) {
        out.push(['addiu', [r, '$0', '-1']]);
        if (bit !== 0) {
          const b = bit + shift;
          out.push([b >= 32 ? 'dsll32' : 'dsll', [r, r, hex(BigInt(b & 31))]]);
        }
        out.push([shift >= 32 ? 'dsrl32' : 'dsrl', [r, r, hex(BigInt(shift & 31))]]);
        return;
      }
    }
    // Load the (sign-extended) high half, then shift in the low half.
    if (hi32 & 0x80000000n) hi32 = BigInt.asIntN(64, hi32 | ~0xffffffffn);
    load(r, hi32, false, out);
    freg = r;
  }
  if ((lo32 & 0xffff0000n) === 0n) {
    if (freg !== '$0') { out.push(['dsll32', [r, freg, '0x0']]); freg = r; }
  } else {
    if (freg === '$0' && lo32 === 0xffffffffn) {
      out.push(['lui', [r, '0xffff']]);
      out.push(['dsrl32', [r, r, '0x0']]);
      return;
    }
    if (freg !== '$0') { out.push(['dsll', [r, freg, '0x10']]); freg = r; }
    out.push(['ori', [r, freg, hex((lo32 >> 16n) & 0xffffn)]]);
    out.push(['dsll', [r, r, '0x10']]);
    freg = r;
  }
  if ((lo32 & 0xffffn) !== 0n) out.push(['ori', [r, freg, hex(lo32 & 0xffffn)]]);
}

/** Loads a 64-bit address: GNU as's 6-instruction dla sequence (with or without $at). */
export function loadAddress(r: string, expr: string, useAt: boolean): Stmt[] {
  const e = `(${expr})`;
  if (useAt && r !== '$1' && r !== 'at' && r !== '$at') {
    return [
      ['lui', [r, `%highest${e}`]],
      ['lui', ['$1', `%hi${e}`]],
      ['daddiu', [r, r, `%higher${e}`]],
      ['daddiu', ['$1', '$1', `%lo${e}`]],
      ['dsll32', [r, r, '0']],
      ['daddu', [r, r, '$1']],
    ];
  }
  return [
    ['lui', [r, `%highest${e}`]],
    ['daddiu', [r, r, `%higher${e}`]],
    ['dsll', [r, r, '16']],
    ['daddiu', [r, r, `%hi${e}`]],
    ['dsll', [r, r, '16']],
    ['daddiu', [r, r, `%lo${e}`]],
  ];
}

/** Shifts by 32..63 written with the plain mnemonic. */
export function wideShift(name: string, ops: string[], amount: bigint): Stmt[] | undefined {
  const map: Record<string, string> = { dsll: 'dsll32', dsrl: 'dsrl32', dsra: 'dsra32', drotr: 'drotr32', dror: 'dror32' };
  if (!(name in map) || amount < 32n || amount > 63n) return undefined;
  return [[map[name], [ops[0], ops[1], String(amount - 32n)]]];
}

/** abs/dabs d,s: branch over a negate, as GNU as expands them (a nop fills the slot when d is s). */
export function absMacro(name: 'abs' | 'dabs', d: string, s: string): Stmt[] {
  return [
    ['bgez', [s, '.+12']],
    d.trim() === s.trim() ? ['nop', []] : ['move', [d, s]],
    [name === 'abs' ? 'neg' : 'dneg', [d, s]],
  ];
}

export { reg };
