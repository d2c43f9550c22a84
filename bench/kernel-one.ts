// Kernel-alone runner for translator tuning: runs one CPU benchmark kernel on one engine
// N times and prints each run's wall and CPU time and guest MIPS (no QEMU, no results.md).
// Usage: node out/bench/kernel-one.js [kernel=arith64] [engine=jit] [runs=5]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoMachine } from '../src/emulator/boards/demo';
import { assemble } from '../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../src/emulator/isa/assembler/to-elf';

const DIR = join(__dirname, '..', '..', 'bench', 'kernels');
const [name = 'arith64', engine = 'jit', runsArg = '5'] = process.argv.slice(2);
if (engine !== 'jit' && engine !== 'interp') throw new Error(`engine must be jit or interp, not ${engine}`);
const src = readFileSync(join(DIR, `${name}.s`), 'utf8') + readFileSync(join(DIR, 'done.s'), 'utf8');
const asm = assemble(src, { origin: 0xffffffff80100000n, fileName: name });
if (!asm.ok) throw new Error(asm.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
const elf = assemblyToElf(asm);
for (let i = 0; i < Number(runsArg); i++) {
  const { machine, board } = createDemoMachine({ engine });
  board.boot(elf);
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  let insns = 0;
  for (;;) {
    const r = machine.run(50_000_000);
    insns += r.executed;
    if (r.reason !== 'budget') break;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6, cu = process.cpuUsage(c0);
  console.log(`${name} ${engine}: ${insns} insns, ${ms.toFixed(0)} ms wall, ${((cu.user + cu.system) / 1000).toFixed(0)} ms CPU, ${(insns / ms / 1000).toFixed(1)} MIPS`);
}
