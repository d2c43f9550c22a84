// Development tool (not shipped): boots Debian's 5kc-malta kernel with a busybox
// initramfs on the Malta board and prints the console, then a summary (instructions
// executed and skipped, virtual/wall/CPU time, PC and symbol, exception counts, JIT
// statistics). By default the kernel image the vmlinuz decompressor would produce is
// booted directly (test/support/corpus.ts); --vmlinuz boots the ELF with its
// decompressor. Optional symbols: a copy of /proc/kallsyms from a `nokaslr` boot
// (pass --append "… nokaslr" so addresses match).
//
//   node out/bench/malta-boot.js [--insns N] [--slice N] [--engine interp|jit] [--mem MiB]
//        [--tune K=V,…] [--vmlinuz] [--append "..."] [--initrd FILE] [--write-initrd FILE]
//        [--kallsyms FILE] [--input "cmd\n"] [--until TEXT] [--sample-after TEXT] [--trace-exc]
//        [--profile N] [--wall-profile N [--wall-from TEXT] [--wall-to TEXT]]
//                        (top N guest functions by instructions / by host time, optionally between two console texts)
//        [--profile N]   (PC sampled at every slice end; prints the N functions with most samples)

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fetchDebianPackage } from '../src/cli/guest/debian-packages.js';
import { createMaltaMachine } from '../src/emulator/boards/malta.js';
import { parseJitTuning } from '../src/emulator/jit/tuning.js';
import { EXC_NAMES } from '../src/emulator/isa/cp0-defs.js';
import { busyboxInitramfs, READY_MARKER } from '../test/support/initramfs.js';
import { debianCorpus } from '../test/support/corpus.js';
import { join } from 'node:path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(name);

class Symbols {
  private addrs: bigint[] = [];
  private names: string[] = [];
  constructor(path?: string) {
    if (!path) return;
    const rows: Array<[bigint, string]> = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [a, t, n] = line.split(/\s+/);
      if (!n || !/[tTwW]/.test(t)) continue;
      rows.push([BigInt('0x' + a), n]);
    }
    rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    this.addrs = rows.map((r) => r[0]);
    this.names = rows.map((r) => r[1]);
  }
  lookup(a: bigint): string {
    const v = BigInt.asUintN(64, a);
    let lo = 0, hi = this.addrs.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.addrs[mid] <= v) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) return '?';
    return `${this.names[best]}+0x${(v - this.addrs[best]).toString(16)}`;
  }
}

/** CPU seconds of the main thread alone (Linux /proc; NaN elsewhere): excludes V8's background compilation and GC threads. */
function mainThreadCpu(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const budget = Number(arg('--insns') ?? 2e9);
  const slice = Number(arg('--slice') ?? 1e6);
  const append = arg('--append') ?? 'console=ttyS0 rdinit=/init';
  const syms = new Symbols(arg('--kallsyms'));
  const until = arg('--until');
  const input = arg('--input');
  const sampleAfter = arg('--sample-after');
  const log = (m: string): void => console.error(`# ${m}`);
  const kpkg = await fetchDebianPackage('linux-image-5kc-malta', 'mips64el', { log });
  const boot = join(kpkg.root, 'boot');
  const vmlinuz = join(boot, readdirSync(boot).find((f) => f.startsWith('vmlinuz-'))!);
  let initrd: Uint8Array;
  if (arg('--initrd')) initrd = new Uint8Array(readFileSync(arg('--initrd')!));
  else {
    const bb = await fetchDebianPackage('busybox-static', 'mips64el', { log });
    initrd = busyboxInitramfs(join(bb.root, 'bin', 'busybox'));
  }
  if (arg('--write-initrd')) writeFileSync(arg('--write-initrd')!, initrd);

  const engine = (arg('--engine') ?? 'interp') as 'interp' | 'jit';
  const { machine, board } = createMaltaMachine({ memoryMiB: Number(arg('--mem') ?? 256), engine, jit: parseJitTuning(arg('--tune') ?? '') });
  let out = '';
  machine.events.on('uartTx', ({ port, byte }) => {
    if (port !== 0) return;
    const ch = String.fromCharCode(byte);
    out += ch;
    process.stdout.write(ch);
  });
  const excCounts = new Map<number, number>();
  const traceExc = flag('--trace-exc');
  machine.cpu.hooks.onException = (cpu, code) => {
    excCounts.set(code, (excCounts.get(code) ?? 0) + 1);
    if (traceExc && code !== 0) {
      process.stderr.write(`[exc ${EXC_NAMES[code] ?? code} epc=${cpu.c0.epc.toString(16)} ${syms.lookup(cpu.c0.epc)} bad=${cpu.c0.badVAddr.toString(16)}]\n`);
    }
  };
  if (flag('--vmlinuz')) board.bootLinux(new Uint8Array(readFileSync(vmlinuz)), initrd, append);
  else {
    const corpus = await debianCorpus(log);
    board.bootLinuxImage(new Uint8Array(readFileSync(corpus.kernelImage)), corpus.kernelLoadAddress, corpus.kernelEntry, initrd, append);
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpu();
  let executed = 0;
  let sentInput = false;
  let reason = '';
  let lastPcs: string[] = [];
  const profileTop = Number(arg('--profile') ?? 0);
  const samples = new Map<string, number>();
  // Host time per guest function: each slice's wall time goes to the function it ended in.
  const wallTop = Number(arg('--wall-profile') ?? 0);
  const wallBy = new Map<string, number>();
  // (Only between the console's first `--wall-from` text and its first `--wall-to` text, when given.)
  const wallFrom = arg('--wall-from'), wallTo = arg('--wall-to');
  let tSlice = performance.now();
  while (executed < budget) {
    const r = machine.run(Math.min(slice, budget - executed));
    if (wallTop > 0) {
      const now = performance.now();
      const inWindow = (!wallFrom || out.includes(wallFrom)) && (!wallTo || !out.includes(wallTo));
      const sym = syms.lookup(machine.cpu.pc);
      const fn = machine.cpu.mode !== 0 ? '(user mode)' : sym === '?' ? `0x${(BigInt.asUintN(64, machine.cpu.pc) & ~4095n).toString(16)}` : sym.replace(/\+0x[0-9a-f]+$/, '');
      if (inWindow) wallBy.set(fn, (wallBy.get(fn) ?? 0) + now - tSlice);
      tSlice = now;
    }
    executed += r.executed;
    if (r.reason === 'poweroff') { reason = 'poweroff'; break; }
    if (r.reason === 'idle') { reason = 'idle'; break; }
    if (input && !sentInput && out.includes(READY_MARKER)) {
      sentInput = true;
      machine.consoleInput(Buffer.from(input.replace(/\\n/g, '\n')));
    }
    if (until && out.includes(until)) { reason = 'until'; break; }
    if (sampleAfter && out.includes(sampleAfter)) {
      console.error(`[sample ${(machine.now() / 1e9).toFixed(4)}s icount=${machine.cpu.icount} ${syms.lookup(machine.cpu.pc)} ra=${syms.lookup(machine.cpu.getGpr(31))} waiting=${machine.cpu.waiting}]`);
    }
    if (profileTop > 0) {
      // (Without a symbol: the 64-byte code line.)
      const sym = syms.lookup(machine.cpu.pc);
      const fn = sym === '?' ? `0x${(BigInt.asUintN(64, machine.cpu.pc) & ~63n).toString(16)}` : sym.replace(/\+0x[0-9a-f]+$/, '');
      samples.set(fn, (samples.get(fn) ?? 0) + 1);
    }
    lastPcs.push(syms.lookup(machine.cpu.pc));
    if (lastPcs.length > 8) lastPcs = lastPcs.slice(-8);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpuUse = process.cpuUsage(cpu0);
  const cpuSec = (cpuUse.user + cpuUse.system) / 1e6;
  const mainSec = mainThreadCpu() - main0;
  const cpu = machine.cpu;
  console.error(`\n# stop: ${reason || 'budget'}; icount ${cpu.icount} (skipped ${board.skippedInsns}), virtual ${(machine.now() / 1e9).toFixed(3)} s, wall ${wall.toFixed(1)} s, cpu ${cpuSec.toFixed(1)} s (main thread ${mainSec.toFixed(2)} s), ${((cpu.icount - board.skippedInsns) / cpuSec / 1e6).toFixed(1)} MIPS (per cpu second)`);
  console.error(`# pc ${BigInt.asUintN(64, cpu.pc).toString(16)} ${syms.lookup(cpu.pc)} ra ${BigInt.asUintN(64, cpu.getGpr(31)).toString(16)} ${syms.lookup(cpu.getGpr(31))}`);
  console.error(`# status ${cpu.c0.status.toString(16)} cause ${cpu.c0.cause.toString(16)} epc ${cpu.c0.epc.toString(16)} ${syms.lookup(cpu.c0.epc)} badva ${cpu.c0.badVAddr.toString(16)}`);
  console.error(`# recent slices: ${lastPcs.join(' | ')}`);
  console.error(`# exceptions: ${[...excCounts].map(([c, n]) => `${EXC_NAMES[c] ?? c}=${n}`).join(' ')}`);
  if (profileTop > 0) {
    const total = [...samples.values()].reduce((a, b) => a + b, 0);
    console.error(`# guest profile (${total} samples, one per ${slice} instructions):`);
    for (const [fn, n] of [...samples].sort((a, b) => b[1] - a[1]).slice(0, profileTop)) {
      console.error(`#   ${((100 * n) / total).toFixed(1).padStart(5)} %  ${fn}`);
    }
  }
  if (wallTop > 0) {
    console.error(`# host time by guest function (slices of ${slice} instructions, each counted for the function it ended in):`);
    for (const [fn, ms] of [...wallBy].sort((a, b) => b[1] - a[1]).slice(0, wallTop)) console.error(`#   ${ms.toFixed(0).padStart(6)} ms  ${fn}`);
  }
  if (machine.jit) console.error(`# jit: ${JSON.stringify(machine.jit.stats)}${machine.jit.wasm ? ` wasm: ${JSON.stringify(machine.jit.wasm.stats)}` : ''}`);
  if (machine.bus.unassigned.length) console.error(`# unassigned: ${machine.bus.unassigned.slice(0, 16).join(', ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
