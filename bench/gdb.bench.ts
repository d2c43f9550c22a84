// gdb remote stub benchmark: the same gdb-multiarch (Python timing inside gdb, so gdb's
// own start-up is not counted) against `mips64 boot prog.elf --gdb 0 -S` and against
// `qemu-system-mips64el -M malta -cpu 5KEc -S -gdb tcp:…`, interleaved, on one bare-metal
// program of the CPU differential suite (algo-crc32: its LCG fill loop is hit again and
// again). Per round and side:
//   stepi      mean round trip of 200 `stepi` (gdb: vCont;s or a software step, stop reply,
//              register and memory reads)
//   bp hit     mean time of 100 `continue`s each ending at a breakpoint in a loop (about 8
//              guest instructions per iteration: the cost is the stop/resume round trip)
//   dump       `dump binary memory` of 16 MiB of KSEG0 RAM (throughput)
//
//   node out/bench/gdb.bench.js [--rounds N]

import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { buildProgram, loadPrograms } from '../test/support/diff-programs';
import { freeTcpPort } from '../test/support/qemu';
import { tempDir } from '../test/cli/support';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const STEPS = 200, HITS = 100, DUMP = 16 << 20;

interface Sample { stepiMs: number; bpHitMs: number; dumpMiBs: number }

const GDB_PY = (dumpFile: string): string => `
import time, gdb, re
def t(f, n=1):
    a = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter() - a) / n
dis = gdb.execute('x/40i main', to_string=True)
sb = [l for l in dis.splitlines() if re.search(r'\\tsb\\t', l)][0]
addr = re.search(r'0x[0-9a-f]+', sb).group(0)
step = t(lambda: gdb.execute('stepi', to_string=True), ${STEPS})
gdb.execute('break *' + addr, to_string=True)
gdb.execute('continue', to_string=True)
hit = t(lambda: gdb.execute('continue', to_string=True), ${HITS})
gdb.execute('delete', to_string=True)
dump = t(lambda: gdb.execute('dump binary memory ${dumpFile} 0xffffffff80000000 0x${(0xffffffff80000000n + BigInt(DUMP)).toString(16)}', to_string=True))
print('RESULT %f %f %f' % (step * 1e3, hit * 1e3, ${DUMP} / dump / 1048576))
`;

function runGdb(port: number, elf: string, py: string): Promise<Sample> {
  return new Promise((res, rej) => {
    const g = spawn('gdb-multiarch', ['-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set confirm off', '-ex', 'set tcp connect-timeout 60',
      '-ex', `file ${elf}`, '-ex', `target remote 127.0.0.1:${port}`, '-x', py, '-ex', 'kill'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    g.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    g.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    g.on('close', () => {
      const m = /RESULT ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out);
      if (!m) { rej(new Error(`gdb: ${out.slice(-600)}`)); return; }
      res({ stepiMs: Number(m[1]), bpHitMs: Number(m[2]), dumpMiBs: Number(m[3]) });
    });
  });
}

async function ours(elf: string, py: string): Promise<Sample> {
  const c = spawn(process.execPath, [CLI, 'boot', elf, '-S', '--gdb', '0'], { stdio: ['pipe', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<number>((res, rej) => {
      let err = '';
      c.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /gdb server listening on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m) res(Number(m[1]));
      });
      c.on('close', () => rej(new Error(`mips64 boot ended: ${err}`)));
    });
    return await runGdb(port, elf, py);
  } finally {
    c.kill('SIGKILL');
  }
}

async function qemu(elf: string, py: string): Promise<Sample> {
  const port = await freeTcpPort();
  const q: ChildProcess = spawn('qemu-system-mips64el', ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none',
    '-serial', 'null', '-kernel', elf, '-S', '-gdb', `tcp:127.0.0.1:${port}`], { stdio: 'ignore' });
  try {
    return await runGdb(port, elf, py);
  } finally {
    q.kill('SIGKILL');
  }
}

const range = (xs: number[], digits: number): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)]!.toFixed(digits)} (${s[0]!.toFixed(digits)}–${s[s.length - 1]!.toFixed(digits)})`;
};

export async function gdbBench(rounds = 3): Promise<string[]> {
  const dir = tempDir('mips64-gdb-bench-');
  const elf = join(dir, 'prog.elf');
  writeFileSync(elf, buildProgram(loadPrograms().find((p) => p.name === 'algo-crc32')!, 'little').elf);
  const py = join(dir, 'bench.py');
  writeFileSync(py, GDB_PY(join(dir, 'dump.bin')));
  const o: Sample[] = [], q: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    o.push(await ours(elf, py));
    q.push(await qemu(elf, py));
  }
  const line = (name: string, s: Sample[]): string =>
    `${name}: stepi ${range(s.map((x) => x.stepiMs), 2)} ms, breakpoint hit ${range(s.map((x) => x.bpHitMs), 2)} ms, dump 16 MiB ${range(s.map((x) => x.dumpMiBs), 1)} MiB/s`;
  return [
    `${rounds} interleaved rounds, median (min–max); ${cpus()[0]?.model ?? '?'} ×${cpus().length}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    line('mips64 boot --gdb', o),
    line('QEMU -gdb', q),
  ];
}

if (require.main === module) {
  const i = process.argv.indexOf('--rounds');
  gdbBench(i > 0 ? Number(process.argv[i + 1]) : 3).then((lines) => { for (const l of lines) console.log(`- ${l}`); }, (e: unknown) => { console.error(e); process.exit(1); });
}
