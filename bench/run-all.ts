// `npm run bench`: every benchmark in one run on one machine (ISA decode/disassembly,
// CPU kernels on both engines and QEMU, the Debian Malta boot on both engines and QEMU,
// the Debian Octeon boot next to Malta's, a userland workload against QEMU, checkpoints,
// the assembly language server),
// printing a dated, commit-stamped section; `npm run bench -- --write` appends it to
// bench/results.md (results-file.ts).

import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { adapterBench } from './adapter.bench';
import { bootBench } from './boot.bench';
import { cpuBench } from './cpu.bench';
import { lspBench } from './lsp.bench';
import { octeonBootBench } from './octeon-boot.bench';
import { userlandBench } from './userland.bench';
import { recordResults, writeResults } from './results-file';

async function main(): Promise<void> {
  const commit = (() => { try { return execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim(); } catch { return '?'; } })();
  const header = `## ${new Date().toISOString().slice(0, 16)}Z — commit ${commit} — ${cpus()[0]?.model ?? '?'} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const sections: Array<[string, string[]]> = [];
  console.log(header);
  const run = async (name: string, f: () => Promise<string[]> | string[]): Promise<void> => {
    console.log(`\n### ${name}`);
    try {
      const lines = await f();
      for (const l of lines) console.log(`- ${l}`);
      sections.push([name, lines]);
    } catch (e) {
      console.log(`- failed: ${(e as Error).message}`);
      sections.push([name, [`failed: ${(e as Error).message}`]]);
    }
  };
  await run('CPU kernels (interpreter, translator, QEMU)', cpuBench);
  await run('Debugger (DAP round trips, breakpoint overhead)', adapterBench);
  await run('Debian 5kc-malta boot to the initramfs marker', bootBench);
  await run('Debian octeon boot to the shell, next to 5kc-malta (translator)', octeonBootBench);
  await run('Userland on Debian 5kc-malta: sha256sum, gzip, an ash loop, execs (mips64 boot vs QEMU, interleaved)', () => userlandBench());
  await run('Assembly language server (LSP over stdio)', lspBench);
  const text = `\n${header}\n` + sections.map(([n, l]) => `\n### ${n}\n${l.map((x) => `- ${x}`).join('\n')}\n`).join('');
  recordResults(text);
  execFileSync(process.execPath, [join(__dirname, 'isa.bench.js'), ...(writeResults() ? ['--write'] : [])], { stdio: 'inherit' });
}

void main();
