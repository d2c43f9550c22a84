// `mips64 asm IN.s -o OUT`: assembles GNU as syntax into a raw image (sections at their
// addresses, gaps zero-filled) or an ELF64 executable (ET_EXEC, one PT_LOAD per section,
// symbols, entry at `start`/`_start` or the origin). The output is written atomically.

import { readInputTextSync } from '../../storage/input-file';
import { parseAddress } from '../args';
import { CliError, UsageError, fileErrorMessage } from '../errors';
import { writeFileAtomic } from '../io';
import { Command, MODELS } from './command';
import { AssembleResult, assemble } from '../../emulator/isa/assembler/assembler';
import { CpuModelName } from '../../emulator/isa/decoder';
import { ElfError } from '../../emulator/loader/elf';
import { assemblyToElf } from '../../emulator/isa/assembler/to-elf';
import { printable } from '../printable';
import { fileIncludes } from '../../adapter/include-files';

const NAME = 'asm';

/** Largest raw image we write (sections far apart would make a huge sparse file). */
const MAX_IMAGE = 256 * 1024 * 1024;

export const asmCommand: Command = {
  name: NAME,
  summary: 'assemble a GNU as syntax source into a raw image or an ELF64 executable',
  usage: 'asm IN.s -o OUT [--format bin|elf] [--origin ADDR] [-EB|-EL] [--model MODEL] [-I DIR[:DIR…]]',
  options: [
    { name: 'output', aliases: ['-o'], value: 'OUT', help: 'output file (required)' },
    { name: 'format', value: 'bin|elf', help: 'raw image or ELF64 executable (default: elf; bin for *.bin)' },
    { name: 'origin', value: 'ADDR', help: 'address of the first section (default 0)' },
    { name: 'big-endian', aliases: ['-EB'], help: 'big-endian output' },
    { name: 'little-endian', aliases: ['-EL'], help: 'little-endian output (default)' },
    { name: 'model', value: 'MODEL', help: `CPU model: ${MODELS.join(', ')} (default mips64r2)` },
    { name: 'include-dir', aliases: ['-I'], value: 'DIR[:DIR…]', help: 'directories searched by .include after the including file\'s own' },
  ],
  details: [
    'Sections are laid out from the origin in order of first appearance (.text first), each',
    'after the first aligned to max(16, its alignment). Branches in `.set reorder` get a nop',
    'in the delay slot, as GNU as -O0 does. Errors are printed as FILE:LINE:COLUMN: error: …',
  ],
  async run(args, io) {
    const o = args.options;
    if (args.positionals.length !== 1) {
      throw new UsageError(args.positionals.length === 0 ? 'missing input file' : `unexpected argument '${args.positionals[1]}'`, NAME);
    }
    const input = args.positionals[0]!;
    const output = o.get('output');
    if (typeof output !== 'string') throw new UsageError('missing -o OUT', NAME);
    const fmtOpt = o.get('format');
    if (fmtOpt !== undefined && fmtOpt !== 'bin' && fmtOpt !== 'elf') throw new UsageError(`unknown format '${String(fmtOpt)}' (expected bin or elf)`, NAME);
    const format = (fmtOpt as 'bin' | 'elf' | undefined) ?? (/\.(bin|img|raw)$/i.test(output) ? 'bin' : 'elf');
    if (o.has('big-endian') && o.has('little-endian')) throw new UsageError('-EB and -EL are mutually exclusive', NAME);
    const endian = o.has('big-endian') ? 'big' : 'little';
    const origin = o.has('origin') ? parseAddress(String(o.get('origin')), 'origin', NAME) : 0n;
    let model: CpuModelName = 'mips64r2';
    if (o.has('model')) {
      const m = String(o.get('model'));
      const hit = MODELS.find((x) => x.toLowerCase() === m.toLowerCase());
      if (!hit) throw new UsageError(`unknown model '${m}' (expected one of ${MODELS.join(', ')})`, NAME);
      model = hit;
    }

    let source: string;
    try {
      source = readInputTextSync(input, 'source', 'source file');
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    const dirs = o.has('include-dir') ? String(o.get('include-dir')).split(':').filter((d) => d !== '') : [];
    const r = assemble(source, { fileName: input, origin, model, endian, readInclude: fileIncludes(dirs) });
    const diagnostics = r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
    if (!r.ok) throw new CliError(`${input}: assembly failed`, 2, diagnostics);
    for (const line of diagnostics) io.stderr.write(printable(line) + '\n');

    let data: Uint8Array;
    try {
      data = format === 'bin' ? rawImage(r) : elfImage(r, model, endian);
    } catch (e) {
      if (e instanceof ElfError) throw new CliError(`${output}: ${e.message}`);
      throw e;
    }
    try {
      await writeFileAtomic(output, data, format === 'elf' ? 0o755 : 0o644);
    } catch (e) {
      throw new CliError(fileErrorMessage(output, e));
    }
    return 0;
  },
};

/** Sections with contents at their addresses relative to the first section, gaps zero. */
function rawImage(r: AssembleResult): Uint8Array {
  const secs = r.sections.filter((s) => !s.nobits && s.size > 0);
  if (secs.length === 0) return new Uint8Array(0);
  const base = r.sections[0]!.addr;
  let end = base;
  for (const s of secs) if (s.addr + BigInt(s.size) > end) end = s.addr + BigInt(s.size);
  if (end - base > BigInt(MAX_IMAGE)) throw new CliError(`raw image would be ${end - base} bytes; use --format elf`);
  const out = new Uint8Array(Number(end - base));
  for (const s of secs) out.set(s.bytes, Number(s.addr - base));
  return out;
}

function elfImage(r: AssembleResult, model: CpuModelName, endian: 'little' | 'big'): Uint8Array {
  return assemblyToElf(r, endian, model);
}
