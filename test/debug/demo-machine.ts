// Test support: the built-in demo guest on a demo machine, with a MachineDebugger.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { MachineDebugger, RunState } from '../../src/emulator/debug/debugger';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import { Machine } from '../../src/emulator/machine';
import type { JitOptions } from '../../src/emulator/jit/engine';
import { hashed } from '../support/hashes';

const ROOT = join(__dirname, '..', '..', '..');

let cached: Uint8Array | undefined;
export function demoElf(): Uint8Array {
  if (cached) return cached;
  const r = assemble(readFileSync(join(ROOT, 'guests', 'demo', 'demo.s'), 'utf8'), { origin: 0xffffffff80100000n });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  cached = assemblyToElf(r);
  return cached;
}

export interface DemoRig { machine: Machine; dbg: MachineDebugger; output: () => string }

export function demoRig(engine: 'jit' | 'interp' = 'jit'): DemoRig {
  const { machine, board } = hashed(createDemoMachine({ engine, memoryMiB: 64 }));
  const elf = demoElf();
  board.boot(elf);
  const dbg = new MachineDebugger(machine);
  dbg.symbols.addElf(elf);
  let out = '';
  machine.events.on('uartTx', ({ byte }) => { out += String.fromCharCode(byte); });
  return { machine, dbg, output: () => out };
}

/** Runs until a stop (or the instruction limit). */
export function runToStop(dbg: MachineDebugger, limit = 50_000_000): RunState {
  let n = 0;
  for (;;) {
    const s = dbg.runSlice(100_000);
    if (s.kind !== 'running') return s;
    n += 100_000;
    if (n > limit) throw new Error('no stop');
  }
}

/** A machine running an assembly program (demo board) with a debugger. */
export function programRig(source: string, engine: 'jit' | 'interp' = 'jit', jit?: JitOptions): DemoRig {
  const r = assemble(source, { origin: 0xffffffff80100000n });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const elf = assemblyToElf(r);
  const { machine, board } = hashed(createDemoMachine({ engine, memoryMiB: 16, jit }));
  board.boot(elf);
  const dbg = new MachineDebugger(machine);
  dbg.symbols.addElf(elf);
  let out = '';
  machine.events.on('uartTx', ({ byte }) => { out += String.fromCharCode(byte); });
  return { machine, dbg, output: () => out };
}
