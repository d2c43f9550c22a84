// An `objdump -d` compatible listing, produced lazily in chunks of text so that even a
// 20 MB kernel is streamed rather than held as one string.
//
// Layout (as GNU objdump prints it):
//
//   <blank>
//   FILE:     file format elf64-tradlittlemips
//   <blank>
//   <blank>
//   Disassembly of section .text:
//   <blank>
//   0000000000000000 <main>:
//      0:	3c050000 	lui	a1,0x0
//      8:	1880000b 	blez	a0,38 <main+0x38>
//   	...
//
// Each section is split into blocks at symbol boundaries; a block starts with a
// `ADDRESS <sym>:` header (full-width address) and its lines show the address without
// leading zeroes (padded like objdump: the width of the section's end address rounded to
// whole groups of four digits), the instruction word and its disassembly. Runs of zero
// bytes are abbreviated to `\t...` like objdump does (at least 8 zero bytes, or the
// trailing zeroes of a block; never the delay slot of a branch). Branch and jump targets
// are printed `target <sym+0x…>` when the file has symbols, `0xtarget` when it has none.

import { CpuModelName } from '../../emulator/isa/decoder';
import { Disassembler } from '../../emulator/isa/disassembler';
import { DELAY_SLOT } from '../../emulator/isa/table';
import { ChunkBuffer } from '../io';
import { DisasmSymbol, DisasmSymbols, SYM_FUNCTION, SYM_OBJECT, SectionRange } from './symbols';

export interface ListingSection {
  readonly name: string;
  /** Section header index (symbols refer to sections by it); -1 when there is none. */
  readonly index: number;
  readonly vma: bigint;
  readonly bytes: Uint8Array;
}

export interface ListingInput {
  /** File name as given on the command line. */
  readonly fileName: string;
  /** BFD target name, e.g. elf64-tradlittlemips, or `binary`. */
  readonly formatName: string;
  readonly addressBits: 32 | 64;
  readonly bigEndian: boolean;
  /** Sections to disassemble, in file order. */
  readonly sections: readonly ListingSection[];
  readonly symbols: DisasmSymbols;
  readonly model: CpuModelName;
  readonly noAliases: boolean;
  /** objdump -D semantics (raw binaries): never dump symbol-marked objects as data. */
  readonly disassembleAll: boolean;
  /** Print o32 register names (t0-t7 for $8-$15), as objdump does for o32 files. */
  readonly o32Names: boolean;
  readonly start?: bigint;
  readonly stop?: bigint;
}

/** objdump's thresholds for abbreviating zero bytes. */
const SKIP_ZEROES = 8;
const SKIP_ZEROES_AT_END = 3;
/** Marks a branch/jump target in the disassembler's output for reformatting. */
const TARGET_MARK = '\u0001';

const O32_NAMES: Record<string, string> = { a4: 't0', a5: 't1', a6: 't2', a7: 't3', t0: 't4', t1: 't5', t2: 't6', t3: 't7' };

export function* listing(input: ListingInput): Generator<string> {
  const out = new ChunkBuffer();
  const digits = input.addressBits / 4;
  const mask = (1n << BigInt(input.addressBits)) - 1n;
  const full = (v: bigint): string => (v & mask).toString(16).padStart(digits, '0');
  const short = (v: bigint): string => (v & mask).toString(16);
  const syms = input.symbols;
  const dis = new Disassembler({ model: input.model, noAliases: input.noAliases, symbolize: () => TARGET_MARK });
  /** objdump remembers the last "bytes per chunk" of the disassembler (used by data dumps). */
  let bytesPerChunk = 0;

  out.add(`\n${input.fileName}:     file format ${input.formatName}\n\n`);

  for (const sec of input.sections) {
    const size = BigInt(sec.bytes.length);
    if (size === 0n) continue;
    const range: SectionRange = { index: sec.index, vma: sec.vma, size };
    let addrOffset = input.start === undefined || input.start < sec.vma ? 0n : input.start - sec.vma;
    let stopOffset = size;
    if (input.stop !== undefined) stopOffset = input.stop < sec.vma ? 0n : input.stop - sec.vma < size ? input.stop - sec.vma : size;
    if (addrOffset >= stopOffset) continue;
    out.add(`\nDisassembly of section ${sec.name}:\n`);

    const view = new DataView(sec.bytes.buffer, sec.bytes.byteOffset, sec.bytes.byteLength);
    const little = !input.bigEndian;

    const addrWithSym = (sym: DisasmSymbol | undefined, vma: bigint, skipZeroes: boolean): string => {
      const v = skipZeroes ? short(vma) : full(vma);
      const [name, base] = sym ? [sym.name, sym.value] : [sec.name, sec.vma];
      const off = base === vma ? '' : base > vma ? `-0x${short(base - vma)}` : `+0x${short(vma - base)}`;
      return `${v} <${name}${off}>`;
    };
    const targetText = (target: bigint): string => {
      const t = target & mask;
      if (syms.empty) return `0x${short(t)}`;
      return addrWithSym(syms.find(t, range, false)?.sym, t, true);
    };

    // Address column: leading zeroes of the section's end address dropped in groups of 4.
    const end = full(sec.vma + size);
    let skipChars = /^0*/.exec(end)![0].length;
    if (skipChars === end.length && sec.vma !== 0n) skipChars = 0;
    if (skipChars !== 0) skipChars = (skipChars - 1) & ~3;
    const addrField = (vma: bigint): string => {
      const s = full(vma).slice(skipChars);
      const t = s.replace(/^0+/, (z) => ' '.repeat(z.length));
      return t.trim() === '' ? t.slice(0, -1) + '0' : t;
    };

    const disassembleBytes = function* (from: bigint, to: bigint, insns: boolean): Generator<string> {
      let prevDelay = false; // the previous instruction has a delay slot (objdump's branch_delay_insns)
      let off = Number(from);
      const stop = Number(to);
      while (off < stop) {
        let z = off;
        while (z < stop && sec.bytes[z] === 0) z++;
        if (!prevDelay && (z - off >= SKIP_ZEROES || (z === stop && z - off < SKIP_ZEROES_AT_END))) {
          if (z !== stop) z = off + ((z - off) & ~3);
          out.add('\t...\n');
          off = z;
          continue;
        }
        const vma = sec.vma + BigInt(off);
        if (insns) {
          if (stop - off < 4) {
            // A partial word before the next symbol or the end: objdump cannot read a whole instruction.
            const pc = vma & mask;
            out.add(`${addrField(vma)}:\tAddress 0x${short(pc)} is out of bounds.\n\n`);
            off = stop;
            continue;
          }
          const word = view.getUint32(off, little);
          const pc = input.addressBits === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, vma)) : vma;
          const d = dis.insn(word, pc);
          let ops = d.operands;
          if (input.o32Names && ops) ops = ops.replace(/\b(a[4-7]|t[0-3])\b/g, (r) => O32_NAMES[r] ?? r);
          if (ops.includes(TARGET_MARK)) {
            ops = ops.replace(/0x([0-9a-f]+)\u0001/g, (_m, h: string) => targetText(BigInt('0x' + h)));
          }
          out.add(`${addrField(vma)}:\t${word.toString(16).padStart(8, '0')} \t${ops ? `${d.mnemonic}\t${ops}` : d.mnemonic}\n`);
          bytesPerChunk = 4;
          prevDelay = (d.entry.flags & DELAY_SLOT) !== 0;
          off += 4;
        } else {
          // Data (an object symbol inside a code section): 16 bytes per line, then the characters.
          const n = Math.min(16, stop - off);
          const bpc = bytesPerChunk || 1;
          let hex = '';
          let pb = 0;
          for (; pb < n; pb += bpc) {
            let chunk = '';
            for (let k = 0; k < bpc; k++) chunk += (sec.bytes[off + pb + k] ?? 0).toString(16).padStart(2, '0');
            if (bpc > 1 && little) chunk = chunk.match(/../g)!.reverse().join('');
            hex += chunk + ' ';
          }
          for (; pb < 16; pb += bpc) hex += '  '.repeat(bpc) + ' ';
          let text = '';
          for (let k = 0; k < n; k++) {
            const c = sec.bytes[off + k]!;
            text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
          }
          out.add(`${addrField(vma)}:\t${hex}    ${text}\n`);
          off += n;
        }
        if (out.full) yield out.take();
      }
    };

    const hit = syms.find(sec.vma + addrOffset, range, true);
    let sym = hit?.sym;
    let place = hit?.place ?? 0;
    const sorted = syms.sorted;
    while (addrOffset < stopOffset) {
      const addr = sec.vma + addrOffset;
      out.add(`\n${addrWithSym(sym, addr, false)}:\n`);
      let nextSym: DisasmSymbol | undefined;
      if (sym !== undefined && sym.value > addr) nextSym = sym;
      else if (sym === undefined) nextSym = undefined;
      else {
        const cur = sym;
        while (place < sorted.length && !(sorted[place]!.section === sec.index && sorted[place]!.value > cur.value)) place++;
        nextSym = place < sorted.length ? sorted[place] : undefined;
      }
      let nextStop: bigint;
      if (sym !== undefined && sym.value > addr) nextStop = sym.value - sec.vma;
      else if (nextSym === undefined) nextStop = stopOffset;
      else nextStop = nextSym.value - sec.vma;
      if (nextStop > stopOffset || nextStop <= addrOffset) nextStop = stopOffset;
      const insns = input.disassembleAll || sym === undefined || sym.section !== sec.index || sym.value > addr
        || ((sym.flags & SYM_OBJECT) === 0 && !/gnu_compiled|gcc2_compiled/.test(sym.name)) || (sym.flags & SYM_FUNCTION) !== 0;
      yield* disassembleBytes(addrOffset, nextStop, insns);
      addrOffset = nextStop;
      sym = nextSym;
    }
  }
  yield out.take();
}
