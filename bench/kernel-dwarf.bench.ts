// Loading Debian's -dbg vmlinux (460 MB) as the debug adapter does for "symbols": ELF
// symbols, DWARF line tables, call frame information and the lazy types/variables reader;
// then the first typed lookup (which indexes the names of .debug_info) and a struct
// decoded (task_struct). Prints wall and CPU time per step and the process RSS (peak and
// after a GC). Run: node out/bench/kernel-dwarf.bench.js [VMLINUX] (default: the cached
// one of `mips64 guest fetch-symbols debian-malta`); needs --expose-gc for the settled RSS.
import { cpuUsage, memoryUsage } from 'node:process';
import { readFileSync } from 'node:fs';
import { createMaltaMachine } from '../src/emulator/boards/malta';
import { MachineDebugger } from '../src/emulator/debug/debugger';
import { loadDebugInfo } from '../src/emulator/debug/debug-info';
import { parseElf } from '../src/emulator/loader/elf';
import { resolved } from '../src/emulator/loader/dwarf/types';
import { cachedKernelDebugSymbols } from '../src/cli/guest/kernel-debug-symbols';

const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
/** RSS with the JS heap and ArrayBuffer parts. */
const parts = (): string => { const m = memoryUsage(); return `${mb(m.rss)} (JS heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)})`; };

async function main(): Promise<void> {
  const file = process.argv[2] ?? (await cachedKernelDebugSymbols())?.vmlinux;
  if (!file) { console.log('no -dbg vmlinux cached: mips64 guest fetch-symbols debian-malta'); return; }
  const gc = (globalThis as { gc?: () => void }).gc;
  let peak = 0;
  const step = <T>(name: string, f: () => T): T => {
    const t0 = performance.now(), c0 = cpuUsage();
    const r = f();
    const c = cpuUsage(c0);
    const rss = memoryUsage().rss;
    peak = Math.max(peak, rss);
    console.log(`${name}: ${(performance.now() - t0).toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms CPU, RSS ${mb(rss)}`);
    return r;
  };
  const { machine } = createMaltaMachine({ memoryMiB: 256 });
  const dbg = new MachineDebugger(machine);
  console.log(`machine and debugger: RSS ${mb(memoryUsage().rss)}`);
  step('load (read, symbols, lines, CFI, types reader)', () => {
    const bytes = readFileSync(file);
    dbg.symbols.addElf(bytes, 0n, file);
    return loadDebugInfo(dbg.lines, dbg.unwinder, parseElf(bytes), 0n, file, dbg.types);
  });
  gc?.();
  console.log(`after load and GC: RSS ${parts()}`);
  step('first lookup (name index of .debug_info): init_task', () => dbg.types.variable('init_task'));
  step('struct task_struct decoded', () => resolved(dbg.types.namedType('struct task_struct')!));
  gc?.();
  console.log(`settled (after GC): RSS ${parts()}; peak seen ${mb(peak)}`);
}

void main();
