// Deterministic operand generators for FPU tests: bit patterns biased toward the interesting
// parts of the binary32/binary64 encodings (specials, subnormals, range boundaries, short
// mantissas that give exact results and ties, operand pairs that cancel or underflow).

export class Rng {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt(seed) ^ 0x9e3779b97f4a7c15n;
  }
  /** splitmix64 */
  next64(): bigint {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
  bits(n: number): bigint {
    return this.next64() & ((1n << BigInt(n)) - 1n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

export interface Layout {
  bits: 32 | 64;
  fracBits: number;
  expBits: number;
  bias: number;
}
export const L32: Layout = { bits: 32, fracBits: 23, expBits: 8, bias: 127 };
export const L64: Layout = { bits: 64, fracBits: 52, expBits: 11, bias: 1023 };

export function make(l: Layout, neg: boolean, be: number, frac: bigint): bigint {
  return ((neg ? 1n : 0n) << BigInt(l.bits - 1)) | (BigInt(be) << BigInt(l.fracBits)) | (frac & ((1n << BigInt(l.fracBits)) - 1n));
}

export function specials(l: Layout): bigint[] {
  const maxBe = (1 << l.expBits) - 1;
  const fb = BigInt(l.fracBits);
  const allFrac = (1n << fb) - 1n;
  const out: bigint[] = [];
  for (const neg of [false, true]) {
    out.push(
      make(l, neg, 0, 0n), // zero
      make(l, neg, maxBe, 0n), // inf
      make(l, neg, 0, 1n), // min subnormal
      make(l, neg, 0, allFrac), // max subnormal
      make(l, neg, 1, 0n), // min normal
      make(l, neg, 1, 1n),
      make(l, neg, maxBe - 1, allFrac), // max
      make(l, neg, maxBe - 1, 0n),
      make(l, neg, l.bias, 0n), // 1
      make(l, neg, l.bias, 1n),
      make(l, neg, l.bias - 1, allFrac),
      make(l, neg, maxBe, 1n), // quiet NaN (legacy: top fraction bit clear)
      make(l, neg, maxBe, allFrac >> 1n), // quiet NaN
      make(l, neg, maxBe, 1n << (fb - 1n)), // signalling NaN
      make(l, neg, maxBe, allFrac), // signalling NaN
    );
  }
  return out;
}

/** A random operand from a mixture of distributions. */
export function operand(r: Rng, l: Layout): bigint {
  const maxBe = (1 << l.expBits) - 1;
  const neg = r.int(2) === 1;
  const frac = (): bigint => {
    const f = r.bits(l.fracBits);
    switch (r.int(4)) {
      case 0: return f & ~((1n << BigInt(r.int(l.fracBits))) - 1n); // short mantissa
      case 1: return f | ((1n << BigInt(r.int(l.fracBits))) - 1n); // trailing ones
      default: return f;
    }
  };
  switch (r.int(10)) {
    case 0: return r.pick(specials(l));
    case 1: return make(l, neg, 0, frac()); // subnormal
    case 2: return make(l, neg, 1 + r.int(maxBe - 1), frac()); // any normal
    case 3: return make(l, neg, r.pick([1, 2, 3, maxBe - 1, maxBe - 2, maxBe - 3]), frac()); // range edges
    default: return make(l, neg, l.bias - 20 + r.int(41), frac()); // ordinary magnitudes
  }
}

/** A second operand related to the first (near-cancellation, exponents summing to the edges...). */
export function partner(r: Rng, l: Layout, a: bigint, op: string): bigint {
  const maxBe = (1 << l.expBits) - 1;
  const be = Number((a >> BigInt(l.fracBits)) & BigInt(maxBe));
  const neg = r.int(2) === 1;
  switch (r.int(6)) {
    case 0: return operand(r, l);
    case 1: return a ^ r.bits(r.int(8)); // close to a: cancellation, ties
    case 2: return a ^ (1n << BigInt(l.bits - 1)) ^ r.bits(r.int(6));
    default: {
      // exponent chosen so that the result lands near the underflow or overflow threshold
      const e = be - l.bias;
      const emin = 1 - l.bias, emax = l.bias;
      const target = r.int(2) === 0 ? emin + r.int(5) - 3 - (r.int(3) === 0 ? r.int(l.fracBits) : 0) : emax + r.int(5) - 3;
      let te: number;
      switch (op) {
        case 'mul': te = target - e; break;
        case 'div': te = e - target; break;
        default: te = target;
      }
      const tbe = Math.min(maxBe - 1, Math.max(0, te + l.bias));
      return make(l, neg, tbe, r.bits(l.fracBits));
    }
  }
}

export const hex = (v: bigint, bits: number): string => '0x' + BigInt.asUintN(bits, v).toString(16).padStart(bits / 4, '0');
