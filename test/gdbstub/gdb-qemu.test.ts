// Differential: gdb-multiarch sees the same machine through our stub as through QEMU's.
// One bare-metal program of the CPU differential suite (test/cpu/programs/algo-crc32.s,
// assembled to an ELF) runs to its `end` breakpoint under `qemu-system-mips64el -M malta
// -cpu 5KEc -S -gdb tcp:…` and under `mips64 boot prog.elf --gdb 0 -S` (demo board, 5KEc);
// the same gdb batch script then prints `info registers` and dumps the program image with
// `dump binary memory`. Every register both stubs describe (GPRs, status, lo, hi, badvaddr,
// cause, pc; Cause's IP bits masked as in the CPU differential) and every image byte
// must be equal.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram, DEFAULT_MASKS, loadPrograms, ORIGIN } from '../support/diff-programs';
import { freeTcpPort, qemuMissing } from '../support/qemu';
import { missingTools, tempDir } from '../cli/support.js';
import { BootProc, GDB, runGdb } from './support.js';

const skip = missingTools(GDB) || qemuMissing(false) || false;
const children: Array<{ kill(): void }> = [];
after(() => { for (const c of children) c.kill(); });

/** gdb's MIPS `info registers` (rows of names over rows of hex values): name → value. */
function registerTable(out: string): Map<string, bigint> {
  const regs = new Map<string, bigint>();
  const lines = out.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const names = lines[i]!.trim().split(/\s+/);
    if (!names.every((n) => /^[a-z][a-z0-9_]*$/.test(n))) continue;
    const values = lines[i + 1]!.trim().replace(/^R\d+\s+/, '').split(/\s+/);
    if (values.length !== names.length || !values.every((v) => /^[0-9a-f]{8,16}$/.test(v))) continue;
    names.forEach((n, k) => regs.set(n, BigInt(`0x${values[k]}`)));
    i++;
  }
  return regs;
}

test('info registers and a memory dump through our stub equal QEMU\'s gdbstub at the same point', { skip, timeout: 300_000 }, async () => {
  const prog = loadPrograms().find((p) => p.name === 'algo-crc32')!;
  const b = buildProgram(prog, 'little');
  const dir = tempDir('mips64-gdb-qemu-');
  const elf = join(dir, 'prog.elf');
  writeFileSync(elf, b.elf);
  const hex = (v: bigint): string => `0x${v.toString(16)}`;
  const script = (dump: string): string[] => [
    `break *${hex(b.end)}`, 'continue', 'info registers',
    `dump binary memory ${dump} ${hex(ORIGIN)} ${hex(b.imageEnd)}`, 'kill',
  ];

  const port = await freeTcpPort();
  const qemu: ChildProcess = spawn('qemu-system-mips64el', ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none',
    '-serial', 'null', '-kernel', elf, '-S', '-gdb', `tcp:127.0.0.1:${port}`], { stdio: 'ignore' });
  children.push({ kill: () => qemu.kill('SIGKILL') });
  // QEMU listens once it has started: gdb retries the connection until then.
  const theirs = await runGdb(port, script(join(dir, 'qemu.bin')), { file: elf, init: ['set tcp connect-timeout 60'] });
  assert.equal(theirs.code, 0, theirs.out);

  const ours = await BootProc.start([elf, '-S']);
  children.push(ours);
  const mine = await runGdb(ours.gdbPort, script(join(dir, 'ours.bin')), { file: elf });
  assert.equal(mine.code, 0, mine.out);

  // gdb names QEMU's registers from its built-in layout (no target description): sr, bad, fsr.
  const alias = new Map([['sr', 'status'], ['bad', 'badvaddr'], ['fsr', 'fcsr']]);
  const q = new Map([...registerTable(theirs.out)].map(([n, v]) => [alias.get(n) ?? n, v])), o = registerTable(mine.out);
  const common = [...q.keys()].filter((n) => o.has(n));
  for (const n of ['zero', 'at', 'v0', 'a0', 't0', 's0', 't8', 'gp', 'sp', 's8', 'ra', 'status', 'lo', 'hi', 'badvaddr', 'cause', 'pc']) {
    assert.ok(common.includes(n), `both show ${n}: ours ${[...o.keys()].join(' ')}; QEMU ${[...q.keys()].join(' ')}`);
  }
  for (const n of common) {
    const mask = DEFAULT_MASKS.get(n) ?? 0xffffffffffffffffn;
    assert.equal(hex(o.get(n)! & mask), hex(q.get(n)! & mask), `register ${n}`);
  }
  assert.equal(o.get('pc'), b.end);

  const qb = readFileSync(join(dir, 'qemu.bin')), ob = readFileSync(join(dir, 'ours.bin'));
  assert.equal(ob.length, Number(b.imageEnd - ORIGIN));
  assert.ok(ob.equals(qb), 'the program image read through both stubs is the same');
  assert.notEqual(await ours.exited, null);
});
