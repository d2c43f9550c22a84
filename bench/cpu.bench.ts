// CPU benchmark: four bare-metal kernels (integer loop, memcpy, 64-bit arithmetic, a chain of short blocks) on
// the interpreter and the translator, and on QEMU (qemu-system-mips64el -M malta) in
// the same run when installed. Prints guest MIPS and wall times; appends to results.md.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoMachine } from '../src/emulator/boards/demo';
import { assemble } from '../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../src/emulator/isa/assembler/to-elf';
import { recordResults } from './results-file';

const DIR = join(__dirname, '..', '..', 'bench', 'kernels');
const KERNELS = ['intloop', 'memcpy', 'arith64', 'chain'];
const QEMU_DONE = `done:\n\tlui $t8, 0xbf00\n\tli $t9, 0x42\n\tsw $t9, 0x500($t8)\n3:\tb 3b\n\tnop\n`;

function build(name: string, qemu: boolean): Uint8Array {
  const src = readFileSync(join(DIR, `${name}.s`), 'utf8') + (qemu ? QEMU_DONE : readFileSync(join(DIR, 'done.s'), 'utf8'));
  const r = assemble(src, { origin: 0xffffffff80100000n, fileName: name });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  return assemblyToElf(r);
}

function runOurs(elf: Uint8Array, engine: 'interp' | 'jit'): { insns: number; ms: number } {
  const { machine, board } = createDemoMachine({ engine });
  board.boot(elf);
  const t0 = process.hrtime.bigint();
  let insns = 0;
  for (;;) {
    const r = machine.run(50_000_000);
    insns += r.executed;
    if (r.reason !== 'budget') break;
  }
  return { insns, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

function qemuAvailable(): boolean {
  return spawnSync('qemu-system-mips64el', ['--version']).status === 0;
}

function runQemu(elf: Uint8Array, dir: string, name: string): number {
  const f = join(dir, `${name}.elf`);
  writeFileSync(f, elf);
  const t0 = process.hrtime.bigint();
  execFileSync('qemu-system-mips64el', ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-no-reboot',
    '-monitor', 'none', '-serial', 'null', '-kernel', f], { timeout: 120_000, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function cpuBench(): string[] {
  const lines: string[] = [];
  const haveQemu = qemuAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    let qemuBase = 0;
    if (haveQemu) {
      const empty = assemble(`\t.text\n\t.globl start\nstart:\n\tb done\n\tnop\n${QEMU_DONE}`, { origin: 0xffffffff80100000n });
      qemuBase = Math.min(runQemu(assemblyToElf(empty), dir, 'empty'), runQemu(assemblyToElf(empty), dir, 'empty'));
    }
    for (const k of KERNELS) {
      const elf = build(k, false);
      const i = runOurs(elf, 'interp');
      const j = runOurs(elf, 'jit');
      let q = '';
      if (haveQemu) {
        const ms = runQemu(build(k, true), dir, k) - qemuBase;
        q = ` | QEMU ${ms.toFixed(0)} ms (${(i.insns / ms / 1000).toFixed(0)} MIPS, startup ${qemuBase.toFixed(0)} ms subtracted)`;
      }
      lines.push(`${k}: ${i.insns} insns | interp ${i.ms.toFixed(0)} ms (${(i.insns / i.ms / 1000).toFixed(1)} MIPS)`
        + ` | jit ${j.ms.toFixed(0)} ms (${(j.insns / j.ms / 1000).toFixed(1)} MIPS)${q}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (require.main === module) {
  const lines = cpuBench();
  for (const l of lines) console.log(l);
  const commit = (() => { try { return execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim(); } catch { return '?'; } })();
  recordResults(`\n### CPU kernels — ${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${cpus()[0]?.model ?? '?'}, node ${process.version}\n`
    + lines.map((l) => `- ${l}`).join('\n') + '\n');
}
