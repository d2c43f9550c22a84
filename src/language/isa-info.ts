// Facts about mnemonics read from the instruction table: the entries a mnemonic has on a
// CPU model, their operand templates ("rt, off(base)"), each operand's bits and range,
// the encoding pattern (fixed bits and operand fields), the ISA subsets that have it.
// Hover, completion and signature help print these.

import { splitOperands, entriesNamed } from '../emulator/isa/assembler/encode';
import { CpuModelName, MODEL_ISA } from '../emulator/isa/decoder';
import { OperandKind } from '../emulator/isa/operands';
import { F, InsnSpec, Isa } from '../emulator/isa/table';

/** Table entries of `name` usable on `model` (all entries when none is). */
export function entriesFor(name: string, model: CpuModelName): InsnSpec[] {
  const all = entriesNamed(name.toLowerCase()) ?? [];
  const isa = MODEL_ISA[model];
  return all.filter((e) => (e.isa & isa) !== 0 && (e.notOn & isa) === 0);
}

/** Every table entry of `name`, whatever the model. */
export function allEntries(name: string): readonly InsnSpec[] {
  return entriesNamed(name.toLowerCase()) ?? [];
}

/** Operand template parts: "rt,off(base)" → ["rt", "off(base)"]. */
export function templateParts(e: InsnSpec): string[] {
  return e.args === '' ? [] : splitOperands(e.args);
}

/** "addiu rt, rs, simm". */
export function syntaxOf(e: InsnSpec): string {
  const p = templateParts(e);
  return p.length ? `${e.name} ${p.join(', ')}` : e.name;
}

/** Highest and lowest bit of a contiguous field mask, or undefined when it is not one field. */
function fieldBits(mask: number): [number, number] | undefined {
  if (mask === 0) return undefined;
  let lo = 0;
  while (((mask >>> lo) & 1) === 0) lo++;
  let hi = lo;
  while (hi < 31 && ((mask >>> (hi + 1)) & 1) === 1) hi++;
  return ((mask >>> 0) === ((((hi === 31 ? 0xffffffff : (2 ** (hi + 1)) - 1) >>> lo) << lo) >>> 0)) ? [hi, lo] : undefined;
}

const KIND_WORDS: Record<string, string> = {
  rs: 'source register', rt: 'register (target/second source)', rd: 'destination register', base: 'base address register',
  index: 'index register', fs: 'FPU source register', ft: 'FPU second source register', fd: 'FPU destination register',
  fr: 'FPU addend register', sa: 'shift amount', simm: 'signed 16-bit immediate', uimm: 'unsigned 16-bit immediate',
  off: 'signed 16-bit byte offset', btarget: 'branch target: a label, within ±128 KiB of the delay slot',
  jtarget: 'jump target: a label in the same 256 MiB region', jxtarget: 'jump target (mode switch)',
  c0reg: 'CP0 register (name or $n)', c0sel: 'CP0 register and select (name, or $n, sel)', sel: 'select',
  hwr: 'hardware register', fcr: 'FPU control register', cc: 'FPU condition code', cc8: 'FPU condition code',
  code10: 'code for the exception handler', code10lo: 'code for the exception handler', code20: 'code for the exception handler',
  code19: 'implementation-defined code', cacheop: 'cache operation', hint: 'prefetch hint', hintx: 'prefetch hint', stype: 'sync type',
  pos: 'bit position', pos32: 'bit position (32..63)', size: 'field size', size32: 'field size (33..64)', isize: 'field size',
  isizem: 'field size (33..64)', isizeu: 'field size', rdt: 'destination register', zero: '$zero (ignored)', bbpos: 'bit number',
};

/** One line per operand slot: name, meaning, bits and accepted range. */
export function operandLines(e: InsnSpec): string[] {
  return e.slots.map((s) => {
    const k: OperandKind = s.kind;
    const bits = fieldBits(k.bits);
    const where = k.bits === 0 ? 'no bits' : bits ? (bits[0] === bits[1] ? `bit ${bits[0]}` : `bits ${bits[0]}..${bits[1]}`) : 'several fields';
    const range = k.syntax === 'imm' ? `, ${k.min}..${k.max}` : '';
    return `\`${k.name}\`${KIND_WORDS[k.name] ? ` — ${KIND_WORDS[k.name]}` : ''} (${where}${range})`;
  });
}

/** Encoding pattern, MSB first, fields separated: "001001 sssss ttttt iiiiiiiiiiiiiiii". */
export function encodingPattern(e: InsnSpec): string {
  const owner: string[] = [];
  const id: number[] = []; // slot index, or -1 for a fixed bit
  for (let b = 31; b >= 0; b--) {
    const i = e.slots.findIndex((s) => ((s.kind.bits >>> b) & 1) === 1);
    owner.push(i >= 0 ? e.slots[i].kind.name[0] : String((e.match >>> b) & 1));
    id.push(i);
  }
  // A blank between operand fields, between fixed bits and a field, and at the MIPS format
  // boundaries (31..26 | 25..21 | 20..16 | 15..11 | 10..6 | 5..0) inside fixed bits.
  let out = owner[0];
  for (let b = 30; b >= 0; b--) {
    const c = id[31 - b], prev = id[31 - b - 1];
    const boundary = b === 25 || b === 20 || b === 15 || b === 10 || b === 5;
    if (c !== prev || (c < 0 && boundary)) out += ' ';
    out += owner[31 - b];
  }
  return out;
}

const SUBSETS: Array<[number, string]> = [
  [Isa.BASE, 'MIPS64 Release 2'], [Isa.OCTEON, 'Cavium Octeon'], [Isa.OCTEON2, 'Cavium Octeon II'], [Isa.OCTEON3, 'Cavium Octeon III'],
  [Isa.DSP, 'MIPS DSP ASE'], [Isa.MT, 'MIPS MT ASE'], [Isa.MSA, 'MIPS SIMD (MSA)'], [Isa.VIRT, 'Virtualization ASE'],
  [Isa.MIPS3D, 'MIPS-3D ASE'], [Isa.EVA, 'EVA'], [Isa.MIPS16, 'MIPS16e/microMIPS interlinking'],
];

/** "Cavium Octeon II" etc. */
export function subsetNames(isa: number): string[] {
  return SUBSETS.filter(([bit]) => (isa & bit) !== 0).map(([, n]) => n);
}

/** Behaviour notes from the table's flags. */
export function flagNotes(e: InsnSpec): string[] {
  const n: string[] = [];
  if (e.flags & (F.BRANCH | F.JUMP | F.INDIRECT)) n.push(e.flags & F.LIKELY ? 'delay slot (annulled when not taken)' : 'delay slot');
  if (e.flags & F.LINK) n.push('writes a return address');
  if (e.flags & F.LOAD && e.memSize) n.push(`reads ${e.memSize} byte${e.memSize > 1 ? 's' : ''}`);
  if (e.flags & F.STORE && e.memSize) n.push(`writes ${e.memSize} byte${e.memSize > 1 ? 's' : ''}`);
  if (e.flags & F.ATOMIC) n.push('atomic');
  if (e.flags & F.PRIV) n.push('privileged (kernel mode or CU0)');
  if (e.flags & F.FPU) n.push('needs the FPU (Status.CU1)');
  if (e.flags & F.TRAP) n.push('may raise an exception');
  if (e.flags & F.ALIAS) n.push(`alias of ${e.canonical.name}`);
  return n;
}
