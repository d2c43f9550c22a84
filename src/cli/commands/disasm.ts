// `mips64 disasm FILE`: disassembles an ELF file (ELF32/ELF64, either byte order) or a raw
// binary like GNU `objdump -d` (raw: like `objdump -D -b binary -m mips:isa64r2`), with
// the same layout so that listings can be compared line by line. Output is streamed.

import { readInputFileSync } from '../../storage/input-file';
import { parseAddress } from '../args';
import { CliError, UsageError } from '../errors';
import { writeChunks } from '../io';
import { printable } from '../printable';
import { Command, MODELS } from './command';
import { CpuModelName } from '../../emulator/isa/decoder';
import { EM_MIPS, ElfError, SHF_EXECINSTR, SHT_NOBITS, mipsInfo, parseElf } from '../../emulator/loader/elf';
import { DisasmSymbols } from '../disasm/symbols';
import { ListingInput, ListingSection, listing } from '../disasm/listing';

const NAME = 'disasm';

export const disasmCommand: Command = {
  name: NAME,
  summary: 'disassemble an ELF file or raw binary (objdump -d format)',
  usage: 'disasm FILE [--no-aliases] [--model MODEL] [--section NAME] [--start ADDR] [--stop ADDR] [--raw [--base ADDR] [-EB|-EL]]',
  options: [
    { name: 'no-aliases', help: 'print canonical instructions instead of aliases (objdump -M no-aliases)' },
    { name: 'model', value: 'MODEL', help: `CPU model: ${MODELS.join(', ')} (default: from the ELF flags, else mips64r2)` },
    { name: 'section', aliases: ['-j'], value: 'NAME', help: 'disassemble only this section (any section, not just code)' },
    { name: 'start', value: 'ADDR', help: 'start at this address (objdump --start-address)' },
    { name: 'stop', value: 'ADDR', help: 'stop before this address (objdump --stop-address)' },
    { name: 'raw', help: 'FILE is a raw binary image, not an ELF file' },
    { name: 'base', value: 'ADDR', help: 'load address of a raw binary (default 0)' },
    { name: 'big-endian', aliases: ['-EB'], help: 'raw binary is big-endian' },
    { name: 'little-endian', aliases: ['-EL'], help: 'raw binary is little-endian (default)' },
  ],
  details: [
    'Code sections of an ELF file are disassembled with symbol headers (<sym>:) and branch',
    'targets annotated <sym+0x…>, exactly as GNU objdump -d prints them. Octeon ELF files',
    'select an Octeon model automatically. Addresses are hexadecimal (0x…) or decimal.',
  ],
  async run(args, io) {
    const o = args.options;
    if (args.positionals.length !== 1) {
      throw new UsageError(args.positionals.length === 0 ? 'missing FILE' : `unexpected argument '${args.positionals[1]}'`, NAME);
    }
    const file = args.positionals[0]!;
    const model = o.has('model') ? checkModel(String(o.get('model'))) : undefined;
    const start = o.has('start') ? parseAddress(String(o.get('start')), 'start address', NAME) : undefined;
    const stop = o.has('stop') ? parseAddress(String(o.get('stop')), 'stop address', NAME) : undefined;
    const raw = o.has('raw');
    if (!raw && (o.has('base') || o.has('big-endian') || o.has('little-endian'))) {
      throw new UsageError('--base, -EB and -EL apply to raw binaries only (add --raw)', NAME);
    }
    if (o.has('big-endian') && o.has('little-endian')) throw new UsageError('-EB and -EL are mutually exclusive', NAME);

    let bytes: Uint8Array;
    try {
      bytes = readInputFileSync(file, 'elf', o.has('raw') ? 'binary' : 'ELF file');
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    const common = { fileName: printable(file), noAliases: o.has('no-aliases'), start, stop };
    let input: ListingInput;
    if (raw) {
      const base = o.has('base') ? parseAddress(String(o.get('base')), 'base address', NAME) : 0n;
      if (o.has('section') && o.get('section') !== '.data') throw new CliError(`${file}: a raw binary has one section, .data`);
      input = {
        ...common, formatName: 'binary', addressBits: 64, bigEndian: o.has('big-endian'),
        sections: [{ name: '.data', index: -1, vma: base, bytes }],
        symbols: new DisasmSymbols([], false), model: model ?? 'mips64r2', disassembleAll: true, o32Names: false,
      };
    } else {
      input = elfInput(file, bytes, model, o.has('section') ? String(o.get('section')) : undefined, common);
    }
    await writeChunks(io.stdout, listing(input));
    return 0;
  },
};

function checkModel(m: string): CpuModelName {
  const hit = MODELS.find((x) => x.toLowerCase() === m.toLowerCase());
  if (!hit) throw new UsageError(`unknown model '${m}' (expected one of ${MODELS.join(', ')})`, NAME);
  return hit;
}

function elfInput(file: string, bytes: Uint8Array, model: CpuModelName | undefined, only: string | undefined,
  common: Pick<ListingInput, 'fileName' | 'noAliases' | 'start' | 'stop'>): ListingInput {
  try {
    const elf = parseElf(bytes);
    if (elf.machine !== EM_MIPS) throw new CliError(`${file}: not a MIPS ELF file (e_machine ${elf.machine})`);
    const info = mipsInfo(elf);
    const mach = info.machName;
    const chosen: CpuModelName = model ?? (mach === 'octeon' || mach === 'octeon2' || mach === 'octeon3' ? mach : 'mips64r2');
    const addressBits = elf.class;
    const mask = (1n << BigInt(addressBits)) - 1n;
    const sections: ListingSection[] = [];
    let found = false;
    for (const s of elf.sections) {
      if (s.index === 0) continue;
      if (only !== undefined) {
        if (s.name !== only) continue;
        found = true;
      } else if ((s.flags & BigInt(SHF_EXECINSTR)) === 0n) continue;
      if (s.type === SHT_NOBITS || s.size === 0) continue;
      if (s.offset + s.size > bytes.length) {
        throw new ElfError(`truncated ELF: section ${s.name} (offset 0x${s.offset.toString(16)}, size 0x${s.size.toString(16)}) extends past end of file`);
      }
      sections.push({ name: printable(s.name), index: s.index, vma: s.addr & mask, bytes: bytes.subarray(s.offset, s.offset + s.size) });
    }
    if (only !== undefined && !found) throw new CliError(`${file}: no section named '${only}'`);
    const end = elf.endian === 'big' ? 'big' : 'little';
    const formatName = elf.class === 64 ? `elf64-trad${end}mips` : info.abi === 'n32' ? `elf32-ntrad${end}mips` : `elf32-trad${end}mips`;
    return {
      ...common, formatName, addressBits, bigEndian: elf.endian === 'big', sections,
      symbols: DisasmSymbols.fromElf(elf, mask), model: chosen, disassembleAll: false,
      o32Names: elf.class === 32 && info.abi === 'o32',
    };
  } catch (e) {
    if (e instanceof ElfError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}
