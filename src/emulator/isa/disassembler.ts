// Disassembler in GNU objdump syntax (ABI register names, objdump's choice of hex or
// decimal per operand, its aliases). Driven entirely by the instruction table: the
// operand template of the decoded entry is filled with each operand's printed value.

import { CpuModelName, Decoder, decoderFor } from './decoder';
import { FormatContext } from './operands';
import { F, InsnSpec } from './table';

export interface DisasmOptions {
  model?: CpuModelName;
  /** Print canonical instructions instead of aliases (objdump -M no-aliases). */
  noAliases?: boolean;
  symbolize?: (addr: bigint) => string;
}

export interface Disassembled {
  entry: InsnSpec;
  mnemonic: string;
  operands: string;
}

/** Splits an args template into literal and operand pieces once per entry. */
const templates = new WeakMap<InsnSpec, Array<string | number>>();
function templateOf(e: InsnSpec): Array<string | number> {
  let t = templates.get(e);
  if (t) return t;
  t = [];
  let slot = 0;
  const re = /([A-Za-z0-9_.]+)|([^A-Za-z0-9_.]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(e.args)) !== null) {
    if (m[1] !== undefined) t.push(slot++);
    else t.push(m[2]);
  }
  templates.set(e, t);
  return t;
}

/** Formats an already decoded word. */
export function formatInsn(e: InsnSpec, word: number, ctx: FormatContext): Disassembled {
  if (e.flags & F.RESERVED) return { entry: e, mnemonic: '.word', operands: '0x' + (word >>> 0).toString(16) };
  const values: number[] = [];
  for (const s of e.slots) values.push(s.kind.value(word, values));
  let operands = '';
  for (const piece of templateOf(e)) {
    if (typeof piece === 'string') operands += piece;
    else operands += e.slots[piece].kind.format(values[piece], ctx, word);
  }
  return { entry: e, mnemonic: e.name, operands };
}

export class Disassembler {
  private readonly decoder: Decoder;
  private readonly numericCp0: boolean;
  constructor(private readonly opts: DisasmOptions = {}) {
    this.decoder = decoderFor(opts.model ?? 'mips64r2');
    // objdump names CP0 and hardware registers by number for the Octeon family.
    this.numericCp0 = this.decoder.model.startsWith('octeon');
  }

  /** Disassembles one word at address `pc`. */
  insn(word: number, pc: bigint): Disassembled {
    const e = this.opts.noAliases ? this.decoder.decodeNoAlias(word) : this.decoder.decode(word);
    return formatInsn(e, word, { pc, symbolize: this.opts.symbolize, numericCp0: this.numericCp0 });
  }

  /** "mnemonic\toperands" (or just the mnemonic), as objdump prints it. */
  text(word: number, pc: bigint): string {
    const d = this.insn(word, pc);
    return d.operands ? `${d.mnemonic}\t${d.operands}` : d.mnemonic;
  }
}
