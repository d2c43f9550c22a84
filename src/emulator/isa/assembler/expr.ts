// Expressions of the assembler (GNU as syntax): integers in decimal, hex, octal, binary
// and character form, symbols, `.` (current location), numeric local labels (`1f`,
// `2b`), C operators with GNU as precedence, and the MIPS relocation operators
// %hi/%lo/%higher/%highest, which are evaluated at assembly time since the assembler
// links at a known address. Values are 64-bit BigInts.

/**
 * An error in the assembler's input. Thousands are thrown and caught while an assembly
 * settles (early passes meet undefined labels, encodings are tried in turn), so none
 * captures a stack trace: that was a fifth of the time of assembling a large file.
 */
export class AsmInputError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export class ExprError extends AsmInputError {}

export interface ExprValue {
  value: bigint;
  /** Set by %lo/%hi/…: a 16-bit quantity valid in both signed and unsigned 16-bit fields. */
  part16?: boolean;
}

export interface ExprEnv {
  /** Value of a symbol, undefined if not (yet) defined. */
  symbol(name: string): bigint | undefined;
  /** Current location counter. */
  dot: bigint;
  /** Resolves numeric local label references like `1f` / `1b`. */
  local(n: number, forward: boolean): bigint | undefined;
  /** When true, undefined symbols evaluate to 0 instead of failing (early passes). */
  lenient: boolean;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const S64 = (v: bigint): bigint => BigInt.asIntN(64, v);

type Tok = { k: 'num'; v: bigint } | { k: 'id'; v: string } | { k: 'op'; v: string } | { k: 'local'; n: number; f: boolean };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  // One sticky pattern, alternatives in priority order: local label reference, hex/binary,
  // octal, decimal, character constant, relocation operator, identifier, operator.
  const re = /(\d+)([fb])(?![0-9a-zA-Z_])|(0[xX][0-9a-fA-F]+|0[bB][01]+)|0([0-7]+)(?![0-9])|(\d+)|'(\\.|[^\\'])'?|(%(?:hi|lo|higher|highest|neg|gp_rel)\b)|([A-Za-z_.$][A-Za-z0-9_.$]*)|(<<|>>|&&|\|\||==|!=|<=|>=|[-+*/%&|^~!()<>])/y;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new ExprError(`unexpected character '${c}' in expression`);
    i += m[0].length;
    if (m[1] !== undefined) out.push({ k: 'local', n: Number(m[1]), f: m[2] === 'f' });
    else if (m[3] !== undefined) out.push({ k: 'num', v: BigInt(m[3]) });
    else if (m[4] !== undefined) out.push({ k: 'num', v: BigInt('0o' + m[4]) });
    else if (m[5] !== undefined) out.push({ k: 'num', v: BigInt(m[5]) });
    else if (m[6] !== undefined) out.push({ k: 'num', v: BigInt(m[6].startsWith('\\') ? unescapeChar(m[6][1]) : m[6].charCodeAt(0)) });
    else if (m[7] !== undefined) out.push({ k: 'op', v: m[7] });
    else if (m[8] !== undefined) out.push({ k: 'id', v: m[8] });
    else out.push({ k: 'op', v: m[9] });
  }
  return out;
}

export function unescapeChar(c: string): number {
  switch (c) {
    case 'n': return 10;
    case 't': return 9;
    case 'r': return 13;
    case '0': return 0;
    case 'b': return 8;
    case 'f': return 12;
    case 'v': return 11;
    case 'a': return 7;
    case 'e': return 27;
    default: return c.charCodeAt(0);
  }
}

// Binary operator precedence (higher binds tighter), GNU as style.
const PREC: Record<string, number> = {
  '||': 1, '&&': 2,
  '==': 3, '!=': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
  '+': 4, '-': 4, '|': 5, '^': 5, '&': 5,
  '*': 6, '/': 6, '%': 6, '<<': 6, '>>': 6,
};

const MAX_DEPTH = 200;

/** Evaluates `src` in `env`. Throws ExprError with a readable message. */
export function evaluate(src: string, env: ExprEnv): ExprValue {
  const toks = tokenize(src);
  if (toks.length === 0) throw new ExprError('missing expression');
  let p = 0;
  let depth = 0;
  const peek = (): Tok | undefined => toks[p];

  function primary(): ExprValue {
    // Bounded recursion: `((((…` or `----…` thousands deep must not overflow the stack.
    if (++depth > MAX_DEPTH) throw new ExprError('expression too deeply nested');
    try {
      return primaryInner();
    } finally {
      depth--;
    }
  }

  function primaryInner(): ExprValue {
    const t = toks[p++];
    if (!t) throw new ExprError('unexpected end of expression');
    if (t.k === 'num') return { value: t.v };
    if (t.k === 'local') {
      const v = env.local(t.n, t.f);
      if (v === undefined) {
        if (env.lenient) return { value: 0n };
        throw new ExprError(`undefined local label ${t.n}${t.f ? 'f' : 'b'}`);
      }
      return { value: v };
    }
    if (t.k === 'id') {
      if (t.v === '.') return { value: env.dot };
      const v = env.symbol(t.v);
      if (v === undefined) {
        if (env.lenient) return { value: 0n };
        throw new ExprError(`undefined symbol '${t.v}'`);
      }
      return { value: v };
    }
    if (t.v.startsWith('%')) {
      const op = t.v;
      const open = toks[p++];
      if (!open || open.k !== 'op' || open.v !== '(') throw new ExprError(`expected '(' after ${op}`);
      const inner = binary(0).value;
      const close = toks[p++];
      if (!close || close.k !== 'op' || close.v !== ')') throw new ExprError(`expected ')' after ${op}(...`);
      return { value: relocOp(op, inner), part16: true };
    }
    if (t.v === '(') {
      const v = binary(0);
      const close = toks[p++];
      if (!close || close.k !== 'op' || close.v !== ')') throw new ExprError("missing ')'");
      return v;
    }
    if (t.v === '-') return { value: S64(-primary().value) };
    if (t.v === '+') return primary();
    if (t.v === '~') return { value: S64(~primary().value) };
    if (t.v === '!') return { value: primary().value === 0n ? 1n : 0n };
    throw new ExprError(`unexpected '${t.v}'`);
  }

  function binary(minPrec: number): ExprValue {
    let lhs = primary();
    for (;;) {
      const t = peek();
      if (!t || t.k !== 'op') break;
      const prec = PREC[t.v];
      if (prec === undefined || prec < minPrec) break;
      p++;
      const rhs = binary(prec + 1);
      lhs = { value: apply(t.v, lhs.value, rhs.value) };
    }
    return lhs;
  }

  const v = binary(0);
  if (p !== toks.length) {
    const t = toks[p];
    throw new ExprError(`unexpected '${t.k === 'num' ? t.v.toString() : t.k === 'local' ? `${t.n}` : t.v}' in expression`);
  }
  return { value: S64(v.value), part16: v.part16 };
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+': return S64(a + b);
    case '-': return S64(a - b);
    case '*': return S64(a * b);
    case '/': if (b === 0n) throw new ExprError('division by zero'); return S64(a / b);
    case '%': if (b === 0n) throw new ExprError('division by zero'); return S64(a % b);
    case '<<': return S64(a << (b & 63n));
    case '>>': return S64(a >> (b & 63n));
    case '&': return S64(a & b);
    case '|': return S64(a | b);
    case '^': return S64(a ^ b);
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    case '==': return a === b ? -1n : 0n;
    case '!=': return a !== b ? -1n : 0n;
    case '<': return a < b ? -1n : 0n;
    case '>': return a > b ? -1n : 0n;
    case '<=': return a <= b ? -1n : 0n;
    case '>=': return a >= b ? -1n : 0n;
    default: throw new ExprError(`unknown operator ${op}`);
  }
}

/** The MIPS relocation operators, as the linker would resolve them. */
export function relocOp(op: string, x: bigint): bigint {
  const u = U64(x);
  switch (op) {
    case '%lo': return u & 0xffffn;
    case '%hi': return ((u + 0x8000n) >> 16n) & 0xffffn;
    case '%higher': return ((u + 0x80008000n) >> 32n) & 0xffffn;
    case '%highest': return ((u + 0x800080008000n) >> 48n) & 0xffffn;
    case '%neg': return S64(-x);
    default: throw new ExprError(`${op} is not supported without a GP/GOT (use absolute addressing)`);
  }
}
