// CPU benchmark: four bare-metal kernels (integer loop, memcpy, 64-bit arithmetic, a chain of short blocks) on
// the interpreter and the translator, and on QEMU (qemu-system-mips64el -M malta) in
// the same run when installed; on the translator also big-endian (the same source for a
// big-endian machine) and TLB-mapped (run from a kseg2 alias of the code through a wired
// TLB entry, as a kernel module runs). Prints guest MIPS and wall times.

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

/**
 * A prologue that maps 0xffffffffc0000000..+2 MiB (kseg2) to physical 0..2 MiB with a wired
 * pair of 1 MiB pages and jumps to the kernel's kseg2 alias (its code is at 0x80100000:
 * the alias runs mapped, jumps stay in it, data stays in kseg0).
 */
const MAPPED_PROLOGUE = `	.set noreorder
	.text
	.globl start
start:
	mtc0	$zero, $0
	li	$t0, 1
	mtc0	$t0, $6
	li	$t0, 0x1fe000
	mtc0	$t0, $5
	dli	$t0, 0xffffffffc0000000
	dmtc0	$t0, $10
	li	$t0, 0x1f
	dmtc0	$t0, $2
	li	$t0, 0x401f
	dmtc0	$t0, $3
	tlbwi
	ehb
	la	$t0, kstart
	lui	$t1, 0x4000
	daddu	$t0, $t0, $t1
	jr	$t0
	nop
kstart:
`;

type Variant = 'plain' | 'big' | 'mapped';

function build(name: string, qemu: boolean, variant: Variant = 'plain'): Uint8Array {
  let src = readFileSync(join(DIR, `${name}.s`), 'utf8') + (qemu ? QEMU_DONE : readFileSync(join(DIR, 'done.s'), 'utf8'));
  if (variant === 'mapped') src = MAPPED_PROLOGUE + src.replace(/^\s*\.globl\s+start\s*$/m, '').replace(/^start:/m, 'kernel_start:');
  const endian = variant === 'big' ? 'big' : 'little';
  const r = assemble(src, { origin: 0xffffffff80100000n, fileName: name, endian });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  return assemblyToElf(r, endian);
}

function runOurs(elf: Uint8Array, engine: 'interp' | 'jit', bigEndian = false): { insns: number; ms: number } {
  const { machine, board } = createDemoMachine({ engine, bigEndian });
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
      const be = runOurs(build(k, false, 'big'), 'jit', true);
      const mp = runOurs(build(k, false, 'mapped'), 'jit');
      const mips = (x: { insns: number; ms: number }): string => `${x.ms.toFixed(0)} ms (${(x.insns / x.ms / 1000).toFixed(1)} MIPS)`;
      lines.push(`${k}: ${i.insns} insns | interp ${mips(i)} | jit ${mips(j)} | jit big-endian ${mips(be)} | jit TLB-mapped ${mips(mp)}${q}`);
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
