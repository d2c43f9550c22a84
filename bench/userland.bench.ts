// Userland benchmark: Debian's 5kc-malta kernel with a busybox initramfs whose /init runs
// CPU-heavy user programs (sha256sum over 16 MiB, gzip -1 over 8 MiB, an ash loop, 200
// program starts) and powers off. Each round runs `mips64 boot --board malta --kernel …
// --initrd … --append …` (as a user runs it: process start to exit) and the same QEMU
// command line, interleaved; the host timestamps the phase markers the guest prints, so
// the user part is measured alone too. The guest's own results (sha256, gzip size, loop
// count) must equal on both and equal the host's sha256 of the same data.
//
//   node out/bench/userland.bench.js [--rounds N] [--only ours|qemu] [--engine jit|interp]

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fetchDebianPackage } from '../src/cli/guest/debian-packages';
import { fetchDebianMalta, BUSYBOX_PACKAGE, DEBIAN_ARCH } from '../src/cli/guest/debian-guests';
import { busyboxInitramfs } from '../test/support/initramfs';

/** Copies of busybox concatenated into the sha256 input (≈ 16 MiB with Debian 12's ~2.3 MiB binary). */
const COPIES = 7;
const GZIP_BYTES = 8 << 20;
const LOOP = 20000;
const EXECS = 200;
export const PHASES = ['boot', 'mkblob', 'sha256', 'gzip', 'loop', 'exec'] as const;

/** The workload's /init: each phase starts with a `PHASE name` line; `USERLAND-END` before power-off. */
export function workloadInit(): string {
  return `#!/bin/sh
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo PHASE mkblob
i=0; while [ $i -lt ${COPIES} ]; do cat /bin/busybox; i=$((i+1)); done > /tmp/blob
echo PHASE sha256
sha256sum /tmp/blob
echo PHASE gzip
echo gzip-bytes $(head -c ${GZIP_BYTES} /tmp/blob | gzip -1 | wc -c)
echo PHASE loop
i=0; while [ $i -lt ${LOOP} ]; do i=$((i+1)); done; echo loop $i
echo PHASE exec
i=0; while [ $i -lt ${EXECS} ]; do /bin/busybox true; i=$((i+1)); done; echo execs $i
echo USERLAND-END
poweroff -f
`;
}

export interface Run {
  label: string;
  /** Process start to exit. */
  wallMs: number;
  /** Host ms from process start to each phase marker, and to USERLAND-END. */
  marks: Record<string, number>;
  /** The guest's result lines (sha256, gzip size, loop, execs). */
  results: string[];
}

function runProcess(label: string, cmd: string, args: string[]): Promise<Run> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const marks: Record<string, number> = {};
    const timer = setTimeout(() => { p.kill('SIGKILL'); rej(new Error(`${label}: timeout; tail: ${out.slice(-400)}`)); }, 600_000);
    p.stdout.on('data', (d: Buffer) => {
      const now = performance.now() - t0;
      out += d.toString('latin1');
      for (const m of out.matchAll(/PHASE (\w+)|USERLAND-END/g)) {
        const key = m[1] ?? 'end';
        if (!(key in marks)) marks[key] = now;
      }
    });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', (e) => { clearTimeout(timer); rej(e); });
    p.on('exit', () => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      if (!('end' in marks)) { rej(new Error(`${label}: no USERLAND-END; tail: ${out.slice(-600)} ${err.slice(-300)}`)); return; }
      const results = out.split(/\r?\n/).filter((l) => /^[0-9a-f]{64} |^gzip-bytes |^loop |^execs /.test(l)).map((l) => l.trim());
      res({ label, wallMs, marks, results });
    });
  });
}

export interface Workload { kernel: string; initrd: string; append: string; expectSha: string }

export async function prepareWorkload(log: (m: string) => void = () => {}): Promise<Workload> {
  const g = await fetchDebianMalta({ log });
  const bb = await fetchDebianPackage(BUSYBOX_PACKAGE, DEBIAN_ARCH, { log });
  const busybox = join(bb.root, 'bin', 'busybox');
  const dir = mkdtempSync(join(tmpdir(), 'mips64-userland-'));
  const initrd = join(dir, 'userland.cpio.gz');
  writeFileSync(initrd, busyboxInitramfs(busybox, workloadInit()));
  const blob = readFileSync(busybox);
  const h = createHash('sha256');
  for (let i = 0; i < COPIES; i++) h.update(blob);
  return { kernel: g.kernel, initrd, append: 'console=ttyS0 rdinit=/init', expectSha: h.digest('hex') };
}

export function runOurs(w: Workload, engine = 'jit'): Promise<Run> {
  const cli = resolve(__dirname, '..', '..', 'dist', 'cli.js');
  return runProcess(`ours-${engine}`, process.execPath, [cli, 'boot', '--board', 'malta', '--kernel', w.kernel, '--initrd', w.initrd,
    '--append', w.append, '--engine', engine]);
}

export function runQemu(w: Workload): Promise<Run> {
  return runProcess('qemu', 'qemu-system-mips64el', ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none',
    '-no-reboot', '-kernel', w.kernel, '-initrd', w.initrd, '-append', w.append]);
}

const s = (ms: number): string => (ms / 1000).toFixed(2);

/** One line per run: whole wall time, boot (to the first phase), user part, and each phase. */
export function describe(r: Run): string {
  const m = r.marks;
  const phases = PHASES.slice(1).map((p, i) => {
    const next = PHASES[i + 2] ?? 'end';
    return `${p} ${s((m[next] ?? NaN) - (m[p] ?? NaN))}`;
  });
  return `${r.label}: whole ${s(r.wallMs)} s | boot ${s(m.mkblob)} | user ${s(m.end - m.mkblob)} (${phases.join(', ')})`;
}

/**
 * Rounds of ours and QEMU interleaved; the lines of a result section (each run, the guest's
 * results and any mismatch, the whole-run and user-part ratios).
 */
export async function userlandBench(opts: { rounds?: number; only?: string; engine?: string; log?: (l: string) => void } = {}): Promise<string[]> {
  const rounds = opts.rounds ?? 2, only = opts.only, engine = opts.engine ?? 'jit';
  const lines: string[] = [];
  const say = (l: string): void => { lines.push(l); opts.log?.(l); };
  const w = await prepareWorkload((m) => console.error(`# ${m}`));
  const ours: Run[] = [], qemu: Run[] = [];
  for (let i = 0; i < rounds; i++) {
    if (only !== 'qemu') { const r = await runOurs(w, engine); ours.push(r); say(describe(r)); }
    if (only !== 'ours') { const r = await runQemu(w); qemu.push(r); say(describe(r)); }
  }
  const all = [...ours, ...qemu];
  const ref = all[0]?.results.join(' | ');
  for (const r of all) {
    if (r.results.join(' | ') !== ref) say(`WARNING: ${r.label} results differ: ${r.results.join(' | ')} vs ${ref}`);
    if (!r.results[0]?.startsWith(w.expectSha)) say(`WARNING: ${r.label} sha256 ${r.results[0]} != host ${w.expectSha}`);
  }
  say(`guest results: ${ref}`);
  const range = (xs: number[]): string => `${s(Math.min(...xs))}–${s(Math.max(...xs))}`;
  if (ours.length && qemu.length) {
    const whole = ours.map((o) => o.wallMs), wq = qemu.map((q) => q.wallMs);
    const user = ours.map((o) => o.marks.end - o.marks.mkblob), uq = qemu.map((q) => q.marks.end - q.marks.mkblob);
    const ratio = (a: number[], b: number[]): string => `${(Math.min(...a) / Math.max(...b)).toFixed(2)}–${(Math.max(...a) / Math.min(...b)).toFixed(2)}×`;
    say(`whole run: ours ${range(whole)} s, QEMU ${range(wq)} s → ${ratio(whole, wq)} (target ≤ 1.0×)`);
    say(`user part: ours ${range(user)} s, QEMU ${range(uq)} s → ${ratio(user, uq)} (target ≤ 1.5×)`);
  }
  return lines;
}

async function main(): Promise<void> {
  const arg = (n: string): string | undefined => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : undefined; };
  await userlandBench({ rounds: Number(arg('--rounds') ?? 3), only: arg('--only'), engine: arg('--engine'), log: (l) => console.log(l) });
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
