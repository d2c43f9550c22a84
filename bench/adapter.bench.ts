// Debugger benchmark (issue targets: stepIn → stopped median ≤ 10 ms, TLB scope ≤ 20 ms,
// a run with 20 breakpoints and 4 watchpoints set but not hit within 5 % of a run
// without). Drives the real dist/adapter.js over DAP like the adapter tests do.

import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble } from '../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../src/emulator/isa/assembler/to-elf';
import { buildAdapter, Client, startServer } from '../test/adapter/support';

const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

export async function adapterBench(): Promise<string[]> {
  buildAdapter();
  const server = await startServer();
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dap-bench-'));
  try {
    // 1. stepIn latency and TLB scope on the demo guest.
    {
      const c = await Client.connect(server.port);
      const stopped = c.waitStopped();
      await c.launch({ type: 'mips64', request: 'launch', name: 'demo', board: 'demo', memory: 64, stopOnEntry: true });
      await stopped;
      const steps: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t0 = performance.now();
        const s = c.waitStopped();
        await c.dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
        await s;
        steps.push(performance.now() - t0);
      }
      const tlb: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const vars = await c.scope('TLB');
        tlb.push(performance.now() - t0);
        if (vars.length === 0) throw new Error('empty TLB scope');
      }
      lines.push(`stepIn (instruction) → stopped: median ${median(steps).toFixed(2)} ms, max ${Math.max(...steps).toFixed(2)} ms over ${steps.length} steps (target ≤ 10 ms)`);
      lines.push(`Variables of the TLB scope (32 entries): median ${median(tlb).toFixed(2)} ms over ${tlb.length} requests (target ≤ 20 ms)`);
      await c.stop();
    }
    // 2. Run time of a compute kernel with and without 20 breakpoints + 4 watchpoints (never hit).
    const src = readFileSync(join(__dirname, '..', '..', 'bench', 'kernels', 'arith64.s'), 'utf8')
      + readFileSync(join(__dirname, '..', '..', 'bench', 'kernels', 'done.s'), 'utf8')
      + '\n\t.data\n\t.align 12\nunused:\t.space 16384\n';
    const r = assemble(src, { origin: 0xffffffff80100000n });
    const unused = r.symbols.find((s) => s.name === 'unused')!.value;
    const elf = join(dir, 'k.elf');
    writeFileSync(elf, assemblyToElf(r));
    const runOnce = async (withBps: boolean): Promise<number> => {
      const c = await Client.connect(server.port);
      const exited = c.wait('terminated', 120_000);
      const t0 = performance.now();
      await c.launch({ type: 'mips64', request: 'launch', name: 'k', board: 'demo', memory: 64, kernel: elf }, async () => {
        if (!withBps) return;
        const bps = Array.from({ length: 20 }, (_, i) => ({ instructionReference: '0x' + BigInt.asUintN(64, unused + BigInt(8192 + i * 16)).toString(16) }));
        await c.dc.customRequest('setInstructionBreakpoints', { breakpoints: bps });
        const dbs: DebugProtocol.DataBreakpoint[] = [];
        for (let i = 0; i < 4; i++) {
          const addr = '0x' + BigInt.asUintN(64, unused + BigInt(i * 1024)).toString(16);
          const info = await c.dc.dataBreakpointInfoRequest({ name: addr, asAddress: true, bytes: 8 } as DebugProtocol.DataBreakpointInfoArguments);
          dbs.push({ dataId: info.body.dataId!, accessType: 'readWrite' });
        }
        await c.dc.setDataBreakpointsRequest({ breakpoints: dbs });
      });
      await exited;
      const ms = performance.now() - t0;
      await c.stop();
      return ms;
    };
    const plain: number[] = [], armed: number[] = [];
    for (let i = 0; i < 3; i++) { plain.push(await runOnce(false)); armed.push(await runOnce(true)); }
    const p = median(plain), a = median(armed);
    lines.push(`arith64 kernel (55 M instructions) to power-off: ${p.toFixed(0)} ms without, ${a.toFixed(0)} ms with 20 instruction breakpoints + 4 watchpoints not hit (${((a / p - 1) * 100).toFixed(1)} %, target ≤ 5 %)`);
  } finally {
    server.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (require.main === module) {
  adapterBench().then((l) => { for (const x of l) console.log(x); process.exit(0); }, (e) => { console.error(e); process.exit(1); });
}
