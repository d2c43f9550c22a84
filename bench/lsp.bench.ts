// The assembly language server's latencies, measured as an editor sees them, over stdio
// (test/support/lsp-client.ts): startup (spawn to the initialize response), diagnostics
// after an edit of a 5,000-line file (didChange to publishDiagnostics, which includes
// the server's debounce; the analysis alone is reported too), hover and completion on
// that file, and the server's resident memory after the 5,000-line and a 100,000-line
// file. `node out/bench/lsp.bench.js` prints; `npm run bench` appends to results.md.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LspClient, ROOT, uri } from '../test/support/lsp-client';

const DEBOUNCE_MS = 150; // src/language/server.ts

/** A realistic file of `lines` lines: the demo guest's code repeated with renamed labels. */
export function bigFile(lines: number): string {
  const text = readFileSync(path.join(ROOT, 'guests', 'demo', 'demo.s'), 'utf8');
  const labels = new Set([...text.matchAll(/^([a-z_][a-z0-9_]*):/gm)].map((m) => m[1]));
  const demo = text.split('\n');
  const body = demo.filter((l) => !/^\s*\.(set|globl|org)\b/.test(l) && !/^\s*(UART|POWER|TICK)\s*=/.test(l));
  const out = ['\t.set\tnoreorder', '\t.set\tnoat', '\tUART = 0xffffffffb80003f8', '\tPOWER = 0xffffffffbf100000', '\tTICK = 2000000'];
  // Whole copies (a cut one would leave undefined labels), then blank lines up to `lines`.
  for (let k = 0; out.length + body.length <= lines; k++) {
    // Labels and their uses get a suffix per copy (local labels 1:/1b stay).
    for (const l of body) out.push(l.replace(/\b([a-z_][a-z0-9_]*)(?=:|\b)/g, (m) => (labels.has(m) ? `${m}_${k}` : m)));
  }
  while (out.length < lines) out.push('');
  return out.join('\n') + '\n';
}

const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (x: number): string => x.toFixed(1);

/** CPU milliseconds (user + system) a process has used, from /proc (robust when the machine is loaded). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

function rssMiB(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function lspBench(): Promise<string[]> {
  const out: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const c = new LspClient();
    await c.initialize({}, '/tmp');
    starts.push(performance.now() - t0);
    await c.shutdown();
  }
  out.push(`startup (spawn to initialize response, 5 runs): median ${ms(q(starts, 0.5))} ms (${ms(Math.min(...starts))}–${ms(Math.max(...starts))})`);

  const c = new LspClient();
  await c.initialize({}, '/tmp');
  const file = '/tmp/mips64-lsp-bench/big.s';
  const text = bigFile(5000);
  const lines = text.split('\n');
  c.open(file, text);
  const first = await c.diagnostics(file, 0, 60_000);
  let index = first.index;
  const errs = first.diagnostics.filter((d) => d.severity === 1).length;
  const rss5k = rssMiB(c.pid);
  // Edits: change one immediate each time; time to the diagnostics of that version.
  const lat: number[] = [];
  const target = lines.findIndex((l) => /\tli\t\$t0, 0x83/.test(l));
  const cpu0 = cpuMs(c.pid);
  for (let v = 2; v < 42; v++) {
    lines[target] = `\tli\t$t0, ${v}`;
    const t0 = performance.now();
    c.change(file, lines.join('\n'), v);
    const r = await c.diagnostics(file, index, 60_000);
    lat.push(performance.now() - t0);
    index = r.index;
  }
  const cpuPerEdit = (cpuMs(c.pid) - cpu0) / 40;
  out.push(`diagnostics after an edit, 5,000-line file (40 edits): median ${ms(q(lat, 0.5))} ms wall (${ms(Math.min(...lat))}–${ms(Math.max(...lat))}), of which ${DEBOUNCE_MS} ms debounce → ${ms(q(lat, 0.5) - DEBOUNCE_MS)} ms median for receiving the text, assembling, checking and publishing; server CPU ${ms(cpuPerEdit)} ms per edit (${errs} errors, ${first.diagnostics.length - errs} warnings in the file)`);
  const hov: number[] = [], comp: number[] = [];
  for (let i = 0; i < 200; i++) {
    const line = (i * 2477) % (lines.length - 1);
    const ch = Math.max(0, lines[line].search(/\S/)) + 1;
    let t0 = performance.now();
    await c.request('textDocument/hover', { textDocument: { uri: uri(file) }, position: { line, character: ch } });
    hov.push(performance.now() - t0);
    t0 = performance.now();
    await c.request('textDocument/completion', { textDocument: { uri: uri(file) }, position: { line, character: 1 } });
    comp.push(performance.now() - t0);
  }
  out.push(`hover, 5,000-line file (200 requests): median ${ms(q(hov, 0.5))} ms, p95 ${ms(q(hov, 0.95))} ms`);
  out.push(`completion at a mnemonic, 5,000-line file (200 requests, ~600 items): median ${ms(q(comp, 0.5))} ms, p95 ${ms(q(comp, 0.95))} ms`);
  const big = '/tmp/mips64-lsp-bench/huge.s';
  const t0 = performance.now();
  c.open(big, bigFile(100_000));
  await c.diagnostics(big, 0, 120_000);
  out.push(`100,000-line file: diagnostics ${ms(performance.now() - t0)} ms after didOpen`);
  out.push(`server memory (RSS): ${ms(rss5k)} MiB with the 5,000-line file, ${ms(rssMiB(c.pid))} MiB with the 100,000-line file too`);
  await c.shutdown();
  return out;
}

if (require.main === module) {
  void lspBench().then((lines) => { for (const l of lines) console.log(`- ${l}`); });
}
