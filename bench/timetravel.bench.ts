// Time-travel benchmark on Debian's 5kc-malta kernel (decompressed image, JIT), recorded
// from reset with the default settings (512 MiB budget, adaptive interval):
//   - the boot to the shell with and without recording (CPU ms, interleaved runs);
//   - at the shell, after running on to ~5 G instructions: stepBack (one instruction)
//     latency over N tries (median, min, max), each from a different point;
//   - reverse-continue to a data breakpoint on a word last written ~1 G instructions
//     before the end (candidates found by comparing RAM at three points, tried in turn);
//   - the history's memory against its budget.
// `node out/bench/timetravel.bench.js [RUNS]` prints the figures (nothing is written);
// `--step-back-only` boots once (recording) and measures only the stepBack latency.
import { readFileSync } from 'node:fs';
import { createMaltaMachine } from '../src/emulator/boards/malta';
import { MachineDebugger } from '../src/emulator/debug/debugger';
import { TimeTravelDebugger } from '../src/emulator/timetravel/reverse';
import { debianCorpus } from '../test/support/corpus';
import { busyboxInitramfs, READY_MARKER } from '../test/support/initramfs';
import { hashed } from '../test/support/hashes';

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stepBackOnly = args.includes('--step-back-only');
  const runs = Number(args.find((a) => !a.startsWith('--')) ?? 3);
  const g = await debianCorpus(() => undefined);
  const initrd = busyboxInitramfs(g.busybox);
  const kernel = new Uint8Array(readFileSync(g.kernelImage));
  const boot = (record: boolean): { ms: number; dbg: MachineDebugger; ttd?: TimeTravelDebugger } => {
    const { machine, board } = hashed(createMaltaMachine({ memoryMiB: 256 }));
    board.bootLinuxImage(kernel, g.kernelLoadAddress, g.kernelEntry, initrd, 'console=ttyS0 rdinit=/init');
    const dbg = new MachineDebugger(machine);
    let text = '';
    machine.events.on('uartTx', ({ byte }) => { text += String.fromCharCode(byte); });
    const t0 = cpuMs();
    const ttd = record ? new TimeTravelDebugger(dbg) : undefined;
    dbg.resume(false);
    while (!text.includes(READY_MARKER) || !text.includes('/ # ')) dbg.runSlice(2_000_000);
    return { ms: cpuMs() - t0, dbg, ttd };
  };
  const off: number[] = [], on: number[] = [];
  let last: ReturnType<typeof boot> | undefined;
  for (let i = 0; i < (stepBackOnly ? 1 : runs); i++) {
    if (!stepBackOnly) off.push(boot(false).ms);
    last = boot(true);
    on.push(last.ms);
  }
  const mo = median(off), mn = median(on);
  if (!stepBackOnly) console.log(`boot to the shell, CPU ms (${runs} interleaved pairs): off ${off.map(Math.round).join(' ')} | recording ${on.map(Math.round).join(' ')} | median overhead ${(100 * (mn - mo) / mo).toFixed(1)} %`);
  const { dbg, ttd } = last!;
  const m = dbg.machine, tt = ttd!.tt;
  // On to ~5 G instructions (the guest idles at the prompt: timer ticks).
  while (m.cpu.icount < 5_000_000_000) dbg.runSlice(50_000_000);
  const end = m.cpu.icount;
  console.log(`at the shell: instruction ${end}; history ${(tt.usedBytes / 1048576).toFixed(1)} MiB of ${tt.budgetBytes / 1048576} MiB in ${tt.snapshots.length} snapshots; interval now ${tt.intervalInstructions}`);
  // stepBack latency from several points.
  const lat: number[] = [];
  for (let i = 0; i < 15; i++) {
    ttd!.goTo(end - i * 3_333_331);
    const t0 = performance.now();
    ttd!.stepBack('instruction');
    lat.push(performance.now() - t0);
  }
  console.log(`stepBack (1 instruction) wall ms: median ${median(lat).toFixed(1)}, min ${Math.min(...lat).toFixed(1)}, max ${Math.max(...lat).toFixed(1)} (${lat.length} points)`);
  if (stepBackOnly) return;
  // A word last written ~1 G instructions before the end.
  const at = (ic: number): Int32Array => { ttd!.goTo(ic); return m.bus.ram32.slice(); };
  const a = at(end - 1_100_000_000), b = at(end - 1_000_000_000), c = at(end);
  // A value-compare cannot see a later write of the same value: try candidates until one's last write is ~1 G back.
  const cands: number[] = [];
  for (let w = 0; w < c.length && cands.length < 40; w++) if (a[w] !== b[w] && b[w] === c[w]) cands.push(w);
  for (const word of cands) {
    ttd!.goTo(end);
    dbg.setDataBreakpoints([{ id: 1, addr: BigInt(word * 4), phys: true, length: 4, access: 'write' }]);
    const t0 = performance.now();
    const st = ttd!.reverseContinue();
    const ms = performance.now() - t0;
    const back = end - m.cpu.icount;
    console.log(`reverse-continue to a data breakpoint (phys 0x${(word * 4).toString(16)}, last written ${back} instructions before the end): ${ms.toFixed(0)} ms wall, ${st.kind === 'stopped' ? st.stop.reason : st.kind}`);
    if (back >= 900_000_000) break;
  }
}

void main();
