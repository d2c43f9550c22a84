// Decoder built from the instruction table. For a CPU model (a set of ISA subsets) it
// builds a two-level dispatch — the primary opcode, then one secondary bit field chosen
// per opcode from the entries' masks — ending in short candidate lists scanned in table
// order. decode() returns the first matching entry (aliases included, as the
// disassembler wants); decodeExec() returns the entry that executes. Unknown words
// decode to RESERVED; nothing here throws for any 32-bit input.

import { F, InsnSpec, Isa, RESERVED, TABLE } from './table';

export type CpuModelName = '5KEc' | 'mips64r2' | 'octeon' | 'octeon2' | 'octeon3';

/** ISA subsets per model. `mips64r2` is objdump's view of a MIPS64R2 ELF (all ASEs on). */
export const MODEL_ISA: Record<CpuModelName, number> = {
  '5KEc': Isa.BASE,
  mips64r2: Isa.BASE | Isa.DSP | Isa.MT | Isa.MSA | Isa.VIRT | Isa.MIPS3D | Isa.EVA | Isa.MIPS16,
  octeon: Isa.BASE | Isa.OCTEON,
  octeon2: Isa.BASE | Isa.OCTEON | Isa.OCTEON2,
  octeon3: Isa.BASE | Isa.OCTEON | Isa.OCTEON2 | Isa.OCTEON3,
};

/** Dispatch on up to two bit fields: index = field1 << width2 | field2. */
interface Leaf { s1: number; m1: number; s2: number; m2: number; w2: number; lists: InsnSpec[][] }

/** Candidate secondary fields: [shift, width]. */
const FIELDS: ReadonlyArray<readonly [number, number]> = [[0, 6], [16, 5], [21, 5], [6, 5], [11, 5], [21, 4]];

export class Decoder {
  readonly model: CpuModelName;
  readonly isa: number;
  private readonly primary: Leaf[] = [];
  /** Entries this decoder accepts, in table order. */
  readonly entries: readonly InsnSpec[];

  constructor(model: CpuModelName) {
    this.model = model;
    this.isa = MODEL_ISA[model];
    const isa = this.isa;
    this.entries = TABLE.filter((e) => !(e.flags & (F.RESERVED | F.ASM_ONLY)) && (e.isa & isa) !== 0 && (e.notOn & isa) === 0);
    for (let op = 0; op < 64; op++) {
      const cands = this.entries.filter((e) => ((e.mask >>> 26) === 0x3f) && (e.match >>> 26) === op);
      this.primary.push(buildLeaf(cands));
    }
  }

  /** First matching entry in table order, aliases included (the disassembler's view). */
  decode(word: number): InsnSpec {
    const leaf = this.primary[word >>> 26];
    const list = leaf.lists[(((word >>> leaf.s1) & leaf.m1) << leaf.w2) | ((word >>> leaf.s2) & leaf.m2)];
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (((word & e.mask) >>> 0) === e.match) return e;
    }
    return RESERVED;
  }

  /** The entry that executes for `word` (aliases resolved to their instruction). */
  decodeExec(word: number): InsnSpec {
    return this.decode(word).canonical;
  }

  /** Like decode() but skipping aliases (objdump's -M no-aliases). */
  decodeNoAlias(word: number): InsnSpec {
    const leaf = this.primary[word >>> 26];
    const list = leaf.lists[(((word >>> leaf.s1) & leaf.m1) << leaf.w2) | ((word >>> leaf.s2) & leaf.m2)];
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if ((!(e.flags & F.ALIAS) || (e.flags & F.KEEP)) && ((word & e.mask) >>> 0) === e.match) return e;
    }
    return RESERVED;
  }
}

/** Splits a candidate list on the pair of bit fields that separates it best. */
function buildLeaf(cands: InsnSpec[]): Leaf {
  let best: Leaf = { s1: 0, m1: 0, s2: 0, m2: 0, w2: 0, lists: [cands] };
  let bestScore = cands.length;
  // Rank single fields by how many candidates fix them entirely; try pairs of the best three.
  const ranked = FIELDS.map(([a, wa]) => {
    const fm = (((1 << wa) - 1) << a) >>> 0;
    return { a, wa, fixed: cands.filter((e) => ((e.mask & fm) >>> 0) === fm).length };
  }).sort((x, y) => y.fixed - x.fixed).slice(0, 3);
  const options: Array<[number, number, number, number]> = [];
  for (const { a, wa } of ranked) {
    options.push([a, wa, 0, 0]);
    for (const { a: b, wa: wb } of ranked) {
      const fa = ((1 << wa) - 1) << a, fb = ((1 << wb) - 1) << b;
      if ((fa & fb) === 0 && wa + wb <= 11) options.push([a, wa, b, wb]);
    }
  }
  for (const [s1, w1, s2, w2] of options) {
    const m1 = (1 << w1) - 1, m2 = (1 << w2) - 1;
    const fm = ((m1 << s1) | (m2 << s2)) >>> 0;
    const n = 1 << (w1 + w2);
    const lists: InsnSpec[][] = Array.from({ length: n }, () => []);
    for (let v = 0; v < n; v++) {
      const bits = ((((v >>> w2) & m1) << s1) | ((v & m2) << s2)) >>> 0;
      for (const e of cands) if (((((bits ^ e.match) & e.mask & fm) >>> 0)) === 0) lists[v].push(e);
    }
    // Prefer the smallest worst case, then the smallest table.
    const score = Math.max(...lists.map((l) => l.length)) * 4096 + n;
    if (score < bestScore * 4096 + (best.lists.length)) {
      bestScore = Math.max(...lists.map((l) => l.length));
      best = { s1, m1, s2, m2, w2, lists };
    }
  }
  return best;
}

const decoders = new Map<CpuModelName, Decoder>();

/** Shared decoder per model (building one costs a few milliseconds). */
export function decoderFor(model: CpuModelName): Decoder {
  let d = decoders.get(model);
  if (!d) { d = new Decoder(model); decoders.set(model, d); }
  return d;
}
