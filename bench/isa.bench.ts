// ISA throughput benchmark: `npm run bench:isa`.
//
// Decoder.decode (decoderFor('mips64r2')) and Disassembler.text, each over
//   - the words of busybox-static:mips64el's .text (real code, from the test corpus), repeated;
//   - pseudo-random 32-bit words (xorshift32, fixed seed: the same words every run).
// Prints a table of instructions/second and appends one dated line (git commit, CPU model) to
// bench/results.md, creating it with a header when missing.

import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { decoderFor } from '../src/emulator/isa/decoder.js';
import { Disassembler } from '../src/emulator/isa/disassembler.js';
import { parseElf } from '../src/emulator/loader/elf.js';
import { debianCorpus } from '../test/support/corpus.js';
import { writeResults } from './results-file.js';

const REPO = resolve(__dirname, '..', '..');
const RESULTS = join(REPO, 'bench', 'results.md');
const DECODES = 20_000_000;
const DISASSEMBLIES = 2_000_000;

interface Row { name: string; count: number; seconds: number }

function xorshiftWords(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x;
  }
  return out;
}

/** Runs `body` over `words` until at least `min` items were processed; returns the count. */
function timed(name: string, words: Uint32Array, min: number, body: (words: Uint32Array) => number): Row {
  body(words.subarray(0, Math.min(words.length, 200_000))); // warm-up (JIT)
  const passes = Math.ceil(min / words.length);
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < passes; p++) sink = (sink + body(words)) | 0;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === 0x7fffffff) console.log(''); // keep the work observable
  return { name, count: passes * words.length, seconds };
}

async function main(): Promise<void> {
  const corpus = await debianCorpus((m) => console.log(`corpus: ${m}`));
  const elf = parseElf(new Uint8Array(readFileSync(corpus.busybox)));
  const text = elf.sections.find((s) => s.name === '.text');
  if (!text) throw new Error(`${corpus.busybox}: no .text`);
  const data = text.data();
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const busybox = new Uint32Array(data.length >>> 2);
  for (let i = 0; i < busybox.length; i++) busybox[i] = dv.getUint32(i * 4, true);
  const random = xorshiftWords(1 << 20, 0x2545f491);

  const dec = decoderFor('mips64r2');
  const decode = (ws: Uint32Array): number => {
    let s = 0;
    for (let i = 0; i < ws.length; i++) s += dec.decode(ws[i]!).id;
    return s;
  };
  const dis = new Disassembler({ model: 'mips64r2' });
  const base = text.addr;
  const disassemble = (ws: Uint32Array): number => {
    let s = 0;
    for (let i = 0; i < ws.length; i++) s += dis.text(ws[i]!, base + BigInt(i * 4)).length;
    return s;
  };

  const rows = [
    timed('decode, busybox .text', busybox, DECODES, decode),
    timed('decode, random words', random, DECODES, decode),
    timed('disassemble, busybox .text', busybox, DISASSEMBLIES, disassemble),
    timed('disassemble, random words', random, DISASSEMBLIES, disassemble),
  ];

  const rate = (r: Row): number => r.count / r.seconds;
  const fmt = (n: number): string => (n / 1e6).toFixed(2);
  console.log(`\nISA benchmark (busybox .text: ${busybox.length} words; ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version})\n`);
  console.log(`${'measurement'.padEnd(30)} ${'items'.padStart(12)} ${'seconds'.padStart(9)} ${'M insn/s'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(30)} ${String(r.count).padStart(12)} ${r.seconds.toFixed(3).padStart(9)} ${fmt(rate(r)).padStart(9)}`);
  }

  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  if (!writeResults()) {
    console.log('\n(bench/results.md not changed: add --write to append these figures)');
    return;
  }
  if (!existsSync(RESULTS)) {
    writeFileSync(RESULTS, [
      '# ISA benchmark results',
      '',
      'Appended by `npm run bench:isa` (bench/isa.bench.ts). Millions of instructions per second:',
      'Decoder.decode (model mips64r2) and Disassembler.text, over the .text of',
      'busybox-static:mips64el (repeated to ≥ 20 M decodes / ≥ 2 M disassemblies) and over',
      'pseudo-random words.',
      '',
      '| date | commit | machine | node | decode busybox | decode random | disasm busybox | disasm random |',
      '|---|---|---|---|---:|---:|---:|---:|',
      '',
    ].join('\n'));
  }
  const cpu = (cpus()[0]?.model ?? 'unknown').replace(/\s+/g, ' ').replace(/\|/g, '/').trim();
  const line = `| ${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z | ${commit} | ${cpu} (${cpus().length} CPUs) | ${process.version} | `
    + rows.map((r) => fmt(rate(r))).join(' | ') + ' |\n';
  appendFileSync(RESULTS, line);
  console.log(`\nappended to ${RESULTS}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
