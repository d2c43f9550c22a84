// Boot benchmark: Debian's 5kc-malta kernel (vmlinuz: the XZ decompressor runs in the
// guest, as on QEMU) + the project's busybox initramfs, from power-on to the initramfs
// marker line, on the interpreter, the translator and qemu-system-mips64el -M malta, in
// one run on one machine. Reports wall and CPU time, instructions, guest MIPS, peak RSS.
// Each engine boots in its own Node process started as the debug adapter is (with
// src/cli/node-flags.ts), so RSS and V8's background threads are that boot's alone.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { engineNodeFlags } from '../src/cli/node-flags';
import { fetchDebianMalta, USERSPACE_MARKER } from '../src/cli/guest/debian-guests';
import { createMaltaMachine } from '../src/emulator/boards/malta';

export interface BootResult { label: string; wallMs: number; cpuMs: number; insns?: number; executed?: number; rssMiB?: number }

function bootOurs(engine: 'interp' | 'jit', kernel: Uint8Array, initrd: Uint8Array, append: string): BootResult {
  const { machine, board } = createMaltaMachine({ memoryMiB: 256, engine });
  let out = '';
  machine.events.on('uartTx', ({ port, byte }) => { if (port === 0) out += String.fromCharCode(byte); });
  board.bootLinux(kernel, initrd, append);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let executed = 0;
  for (let i = 0; i < 20000 && !out.includes(USERSPACE_MARKER); i++) {
    const r = machine.run(2_000_000);
    executed += r.executed;
    if (r.reason === 'poweroff') break;
  }
  const cu = process.cpuUsage(c0);
  if (!out.includes(USERSPACE_MARKER)) throw new Error(`${engine}: no marker; console tail: ${out.slice(-300)}`);
  return {
    label: engine, wallMs: performance.now() - t0, cpuMs: (cu.user + cu.system) / 1000, insns: machine.cpu.icount,
    executed, rssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function bootQemu(kernel: string, initrd: string, append: string): Promise<BootResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const q = spawn('qemu-system-mips64el', ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none',
      '-kernel', kernel, '-initrd', initrd, '-append', append], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => { q.kill('SIGKILL'); reject(new Error('qemu: timeout')); }, 180_000);
    q.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (out.includes(USERSPACE_MARKER)) {
        const wallMs = performance.now() - t0;
        clearTimeout(timer);
        q.kill('SIGKILL');
        resolve({ label: 'qemu', wallMs, cpuMs: NaN });
      }
    });
    q.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** One engine's boot in a fresh Node process (this file with --child ENGINE), as JSON on its stdout. */
function bootInChild(engine: 'interp' | 'jit'): BootResult {
  const out = execFileSync(process.execPath, [...engineNodeFlags(), __filename, '--child', engine], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as BootResult;
}

async function childMain(engine: 'interp' | 'jit'): Promise<void> {
  const g = await fetchDebianMalta({ log: (m) => console.error(`# ${m}`) });
  const r = bootOurs(engine, new Uint8Array(readFileSync(g.kernel)), new Uint8Array(readFileSync(g.initrd)), g.append + ' rdinit=/init');
  process.stdout.write(JSON.stringify(r) + '\n');
}

export async function bootBench(): Promise<string[]> {
  const g = await fetchDebianMalta({ log: (m) => console.error(`# ${m}`) });
  const results: BootResult[] = [];
  for (const e of ['jit', 'interp'] as const) results.push(bootInChild(e));
  try { results.push(await bootQemu(g.kernel, g.initrd, g.append + ' rdinit=/init')); } catch (e) { console.error(`# qemu: ${(e as Error).message}`); }
  const byLabel = new Map(results.map((r) => [r.label, r]));
  const lines = results.map((r) => `${r.label}: ${(r.wallMs / 1000).toFixed(1)} s wall`
    + (Number.isNaN(r.cpuMs) ? '' : `, ${(r.cpuMs / 1000).toFixed(1)} s CPU`)
    + (r.insns ? `, ${(r.insns / 1e6).toFixed(0)} M guest instructions (virtual clock; executed ${(r.executed! / 1e6).toFixed(0)} M incl. skipped idle/poll time), ${(r.insns / r.cpuMs / 1000).toFixed(1)} guest MIPS per CPU second, peak RSS ${r.rssMiB!.toFixed(0)} MiB` : ''));
  const j = byLabel.get('jit'), i = byLabel.get('interp'), q = byLabel.get('qemu');
  lines.push(`our boots: each in its own process, node ${engineNodeFlags().join(' ')} (as the debug adapter starts)`);
  if (j && q) lines.push(`translator/QEMU wall ratio: ${(j.wallMs / q.wallMs).toFixed(2)}× (target ≤ 1.0×)`);
  if (i && j) lines.push(`interpreter/translator CPU ratio: ${(i.cpuMs / j.cpuMs).toFixed(2)}×`);
  if (i && j && i.insns !== j.insns) lines.push(`WARNING: instruction counts differ between engines (${i.insns} vs ${j.insns})`);
  else if (i && j) lines.push(`both engines: identical instruction count ${i.insns}`);
  return lines;
}

if (require.main === module) {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    childMain(process.argv[child + 1] as 'interp' | 'jit').catch((e) => { console.error(e); process.exit(1); });
  } else {
    bootBench().then((l) => { for (const x of l) console.log(x); }, (e) => { console.error(e); process.exit(1); });
  }
}
