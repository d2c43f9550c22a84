// The built-in demo guest (guests/demo/demo.s) as an ELF executable. Used at build time by
// scripts/build.mjs, which writes dist/guests/demo.elf (little-endian) and
// dist/guests/demo-eb.elf (big-endian) for `mips64 boot` and the debugger's demo board.

import { assemble } from '../../emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../emulator/isa/assembler/to-elf';

/** Link address of the demo guest (kseg0, 1 MiB into RAM). */
export const DEMO_ORIGIN = 0xffffffff80100000n;

/** File names of the built images in dist/guests/. */
export const DEMO_ELF = { little: 'demo.elf', big: 'demo-eb.elf' } as const;

/** Assembles the demo source into an ELF64 executable; throws with the diagnostics on errors. */
export function buildDemoElf(source: string, endian: 'little' | 'big', fileName = 'guests/demo/demo.s'): Uint8Array {
  const r = assemble(source, { fileName, origin: DEMO_ORIGIN, endian });
  if (!r.ok) {
    const lines = r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
    throw new Error(`cannot assemble the demo guest:\n${lines.join('\n')}`);
  }
  return assemblyToElf(r, endian);
}
