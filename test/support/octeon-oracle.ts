// Cavium instruction test programs and their oracles. A program is GNU assembly for
// `-march=octeon2`: straight-line cases, each leaving 64-bit results in a `results`
// array, then the Linux n64 syscalls write(1, results, n) and exit(0). So the same ELF
// (GNU as + ld) runs
//  - under QEMU user mode (`qemu-mips64el -cpu Octeon68XX`, Debian's qemu-user), which
//    prints the results: the oracle for the instructions QEMU 7.2 implements (bbit*,
//    baddu, dmul, exts/exts32, cins/cins32, pop/dpop, seq/sne/seqi/snei, lbux/lhx/lwx/ldx);
//  - on our CPU (demo board, Status.ERL so kuseg is unmapped), stopped at the syscall,
//    results read from memory.
// For the instructions QEMU 7.2 lacks (saa/saad, the laa family, v3mulu/vmulu/vmm0,
// mtm0-2/mtp0-2, zcb/zcbt, lbx/lhux/lwux) the generator computes each expected result
// itself, with BigInt models written from the Cavium descriptions (independent of the
// emulator's int32-half code).

import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import type { CpuHooks } from '../../src/emulator/cpu/cpu';
import { hasTool, TempDir, readBytes, run } from '../loader/toolchain';

export const OCTEON_QEMU_PACKAGE = 'qemu-user';
export const GAS = 'mips64el-linux-gnuabi64-as';
export const LD = 'mips64el-linux-gnuabi64-ld';

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const hex = (v: bigint): string => `0x${u64(v).toString(16)}`;

/** Deterministic xorshift64* stream of 64-bit values, biased towards edge cases. */
export class Rng {
  private s: bigint;
  constructor(seed: number) { this.s = BigInt(seed) * 0x9e3779b97f4a7c15n | 1n; }
  next(): bigint {
    let x = this.s;
    x ^= x >> 12n; x ^= (x << 25n) & M64; x ^= x >> 27n;
    this.s = x & M64;
    return (this.s * 0x2545f4914f6cdd1dn) & M64;
  }
  int(n: number): number { return Number(this.next() % BigInt(n)); }
  /** A 64-bit operand: random, or one of the values where carries and signs change. */
  value(): bigint {
    const edges = [0n, 1n, M64, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n,
      0xffffffff80000000n, 0xffn, 0x100n, 0x8000n];
    switch (this.int(5)) {
      case 0: return edges[this.int(edges.length)];
      case 1: return BigInt(this.int(1024)) - 512n & M64;
      case 2: return u64(BigInt.asIntN(32, this.next()));
      default: return this.next();
    }
  }
}

export interface OcteonProgram {
  name: string;
  source: string;
  /** Result words; for reference-model programs, the expected values (else undefined: QEMU decides). */
  expected: bigint[] | undefined;
  count: number;
}

/** Assembles a program body around the results array, a scratch area and the two syscalls. */
function wrap(body: string[], count: number, data: bigint[]): string {
  return [
    '  .set noreorder', '  .set arch=octeon2', '  .text', '  .globl __start', '__start:',
    '  dla $16, results', '  dla $17, scratch',
    ...body,
    '  li $2, 5001', '  li $4, 1', '  dla $5, results', `  li $6, ${count * 8}`, '  syscall',
    '  li $2, 5058', '  li $4, 0', '  syscall',
    '  .data', '  .align 7', 'scratch:', ...data.map((d) => `  .dword ${hex(d)}`),
    '  .align 3', `results: .space ${count * 8}`, '',
  ].join('\n');
}

/** Cases for the instructions QEMU's Octeon68XX executes: the QEMU oracle. */
export function qemuProgram(seed: number, cases: number): OcteonProgram {
  const rng = new Rng(seed);
  const body: string[] = [];
  let k = 0;
  const store = (reg = '$10'): void => { body.push(`  sd ${reg}, ${8 * k++}($16)`); };
  const data = Array.from({ length: 32 }, () => rng.next());
  const kinds = ['rrr', 'rr', 'rri', 'exts', 'cins', 'bbit', 'load'];
  for (let n = 0; n < cases; n++) {
    const a = rng.value(), b = rng.int(4) === 0 ? a : rng.value();
    body.push(`  dli $8, ${hex(a)}`, `  dli $9, ${hex(b)}`, `  dli $10, ${hex(rng.next())}`);
    switch (kinds[n % kinds.length]) {
      case 'rrr': {
        const op = ['baddu', 'dmul', 'seq', 'sne'][rng.int(4)];
        body.push(`  ${op} $10, $8, $${rng.int(5) === 0 ? 8 : 9}`);
        break;
      }
      case 'rr': body.push(`  ${rng.int(2) ? 'pop' : 'dpop'} $10, $8`); break;
      case 'rri': {
        const imm = rng.int(2) ? Number(BigInt.asIntN(10, a)) : rng.int(1024) - 512;
        body.push(`  ${rng.int(2) ? 'seqi' : 'snei'} $10, $8, ${imm}`);
        break;
      }
      case 'exts': case 'cins': {
        const op = kinds[n % kinds.length];
        const wide = rng.int(2) === 1;
        const pos = rng.int(32), lenm1 = wide ? rng.int(32 - pos) : rng.int(32);
        body.push(`  ${op}${wide ? '32' : ''} $10, $8, ${pos}, ${lenm1}`);
        break;
      }
      case 'bbit': {
        const op = ['bbit0', 'bbit1', 'bbit032', 'bbit132'][rng.int(4)];
        body.push('  li $10, 0', `  ${op} $8, ${rng.int(32)}, 1f`, '  daddiu $10, $10, 2', '  daddiu $10, $10, 1', '1:');
        break;
      }
      default: {
        const [op, size] = [['lbux', 1], ['lhx', 2], ['lwx', 4], ['ldx', 8]][rng.int(4)] as [string, number];
        body.push(`  li $9, ${rng.int(256 / size) * size}`, `  ${op} $10, $9($17)`);
        break;
      }
    }
    store();
  }
  return { name: `qemu-${seed}`, source: wrap(body, k, data), expected: undefined, count: k };
}

/** Cases for the instructions QEMU 7.2 lacks, with expected results from BigInt models. */
export function modelProgram(seed: number, cases: number): OcteonProgram {
  const rng = new Rng(seed);
  const body: string[] = [];
  const expected: bigint[] = [];
  const data = Array.from({ length: 32 }, () => rng.next());
  const mem = new DataView(new ArrayBuffer(256));
  data.forEach((d, i) => mem.setBigUint64(i * 8, d, true));
  const mpl = [0n, 0n, 0n], p = [0n, 0n, 0n];
  const store = (reg: string, v: bigint): void => { body.push(`  sd ${reg}, ${8 * expected.length}($16)`); expected.push(u64(v)); };
  for (let n = 0; n < cases; n++) {
    const a = rng.value(), b = rng.value();
    body.push(`  dli $8, ${hex(a)}`, `  dli $9, ${hex(b)}`);
    switch (n % 5) {
      case 0: { // atomic memory operations
        const ops: Array<[string, number, (old: bigint) => bigint, boolean]> = [
          ['saa', 4, (o) => o + b, false], ['saad', 8, (o) => o + b, false], ['laa', 4, (o) => o + b, true], ['laad', 8, (o) => o + b, true],
          ['law', 4, () => b, true], ['lawd', 8, () => b, true], ['lai', 4, (o) => o + 1n, true], ['laid', 8, (o) => o + 1n, true],
          ['lad', 4, (o) => o - 1n, true], ['ladd', 8, (o) => o - 1n, true], ['las', 4, () => M64, true], ['lasd', 8, () => M64, true],
          ['lac', 4, () => 0n, true], ['lacd', 8, () => 0n, true],
        ];
        const [op, size, f, returns] = ops[rng.int(ops.length)];
        const off = rng.int(256 / size) * size;
        const old = size === 4 ? BigInt(mem.getInt32(off, true)) : mem.getBigInt64(off, true);
        const nv = f(old);
        if (size === 4) mem.setInt32(off, Number(BigInt.asIntN(32, nv)), true); else mem.setBigInt64(off, s64(nv), true);
        body.push(`  daddiu $11, $17, ${off}`, '  dli $10, 0x5a5a5a5a5a5a5a5a');
        const twoRegs = op === 'saa' || op === 'saad';
        const three = ['laa', 'laad', 'law', 'lawd'].includes(op);
        body.push(twoRegs ? `  ${op} $9, ($11)` : three ? `  ${op} $10, ($11), $9` : `  ${op} $10, ($11)`);
        store('$10', returns ? old : 0x5a5a5a5a5a5a5a5an);
        body.push(`  ld $12, ${off & ~7}($17)`);
        store('$12', mem.getBigUint64(off & ~7, true));
        break;
      }
      case 1: { // load the multiplier: mtm0-2 clear P, mtp0-2 set it
        const vals = [a, b, rng.value(), rng.value(), rng.value(), rng.value()];
        vals.forEach((v, i) => body.push(`  dli $${10 + i}, ${hex(v)}`));
        for (let i = 0; i < 3; i++) { body.push(`  mtm${i} $${10 + i}`); mpl[i] = vals[i]; p[0] = p[1] = p[2] = 0n; }
        if (rng.int(3) !== 0) for (let i = 0; i < 3; i++) { body.push(`  mtp${i} $${13 + i}`); p[i] = vals[3 + i]; }
        break;
      }
      case 2: { // v3mulu / vmulu
        const words = rng.int(2) ? 3 : 2;
        let m = 0n, pp = 0n;
        for (let i = words - 1; i >= 0; i--) { m = (m << 64n) | mpl[i]; pp = (pp << 64n) | p[i]; }
        const t = m * a + b + pp;
        for (let i = 0; i < words; i++) p[i] = (t >> BigInt(64 * (i + 1))) & M64;
        body.push(`  ${words === 3 ? 'v3mulu' : 'vmulu'} $10, $8, $9`);
        store('$10', t & M64);
        break;
      }
      case 3: { // vmm0, or read the state back as Linux's octeon_mult_save2 does
        if (rng.int(2)) {
          const t = (mpl[0] * a + b + p[0]) & M64;
          mpl[0] = t; p[0] = p[1] = p[2] = 0n;
          body.push('  vmm0 $10, $8, $9');
          store('$10', t);
        } else {
          for (let i = 0; i < 3; i++) { body.push('  v3mulu $10, $0, $0'); store('$10', p[i]); }
          p[0] = p[1] = p[2] = 0n;
          body.push('  ori $11, $0, 1', '  v3mulu $10, $11, $0');
          store('$10', mpl[0]);
          p[0] = mpl[1]; p[1] = mpl[2]; p[2] = 0n;
          for (let i = 0; i < 2; i++) { body.push('  v3mulu $10, $0, $0'); store('$10', p[i]); }
          p[0] = p[1] = p[2] = 0n;
        }
        break;
      }
      default: { // Octeon II indexed loads QEMU lacks, and zeroing a cache block
        const k = rng.int(4);
        if (k === 3) {
          const off = rng.int(256);
          body.push(`  daddiu $11, $17, ${off}`, `  ${rng.int(2) ? 'zcb' : 'zcbt'} ($11)`, `  ld $10, ${off & ~7}($17)`);
          for (let i = off & ~127; i < (off & ~127) + 128; i += 8) mem.setBigUint64(i, 0n, true);
          store('$10', 0n);
          break;
        }
        const [op, size, read] = [
          ['lbx', 1, (o: number) => BigInt(mem.getInt8(o))], ['lhux', 2, (o: number) => BigInt(mem.getUint16(o, true))],
          ['lwux', 4, (o: number) => BigInt(mem.getUint32(o, true))],
        ][k] as [string, number, (o: number) => bigint];
        const off = rng.int(256 / size) * size;
        body.push(`  li $9, ${off}`, `  ${op} $10, $9($17)`);
        store('$10', read(off));
        break;
      }
    }
  }
  return { name: `model-${seed}`, source: wrap(body, expected.length, data), expected, count: expected.length };
}

/** Why the GNU tools or QEMU user mode are missing, or undefined. */
export function toolsMissing(qemu: boolean): string | undefined {
  const absent = [GAS, LD, ...(qemu ? ['qemu-mips64el'] : [])].filter((t) => !hasTool(t));
  return absent.length ? `not installed: ${absent.join(', ')}` : undefined;
}

/** GNU as + ld: a static n64 executable from 0x400000 (kuseg, unmapped on our side under ERL). */
export function buildOcteon(dir: TempDir, p: OcteonProgram): Uint8Array {
  const src = dir.file(`${p.name}.s`, p.source);
  const obj = src.replace(/\.s$/, '.o'), elf = src.replace(/\.s$/, '.elf');
  run(GAS, ['-march=octeon2', '-EL', src, '-o', obj]);
  run(LD, ['-EL', '-Ttext-segment=0x400000', '-e', '__start', obj, '-o', elf]);
  return readBytes(elf);
}

/** The results as QEMU's Octeon68XX prints them. */
export function runQemuUser(dir: TempDir, p: OcteonProgram, elf: Uint8Array): bigint[] {
  const path = dir.file(`${p.name}.bin`, elf);
  chmodSync(path, 0o755);
  const r = spawnSync('qemu-mips64el', ['-cpu', 'Octeon68XX', path], { maxBuffer: 1 << 24 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`qemu-mips64el exited ${r.status} (signal ${r.signal}): ${r.stderr.toString()}`);
  const out = r.stdout;
  if (out.length !== p.count * 8) throw new Error(`qemu-mips64el printed ${out.length} bytes, expected ${p.count * 8}`);
  return Array.from({ length: p.count }, (_, i) => out.readBigUInt64LE(i * 8));
}

export interface EngineChoice { engine: 'interp' | 'jit'; wasm?: boolean; hot?: number }

/** Runs the program on our Octeon CPU until its first syscall; returns the results. */
export function runOurs(elf: Uint8Array, p: OcteonProgram, e: EngineChoice): bigint[] {
  const { machine, board } = createDemoMachine({ cpu: 'Octeon2', engine: e.engine, memoryMiB: 16, jit: { wasm: e.wasm ?? true } });
  if (e.hot !== undefined && machine.jit) machine.jit.hot = e.hot;
  board.boot(elf);
  const cpu = machine.cpu;
  cpu.c0.status = 0x00400004; // BEV | ERL: kuseg is unmapped, as the ELF expects
  cpu.afterStateChange();
  let sys = false, other = -1;
  (cpu.hooks as CpuHooks).onException = (c, code) => {
    if (code === 8) sys = true; else other = code;
    c.stopRequested = true;
  };
  while (!sys && other < 0 && cpu.icount < 10_000_000) machine.run(100_000);
  if (!sys) throw new Error(`no syscall: exception ${other} at pc 0x${cpu.pc.toString(16)}`);
  const at = Number(cpu.getGpr(5)), n = Number(cpu.getGpr(6));
  if (n !== p.count * 8) throw new Error(`write of ${n} bytes, expected ${p.count * 8}`);
  const bytes = Uint8Array.from(machine.bus.readBytes(at, n).map((b) => b ?? 0));
  const dv = new DataView(bytes.buffer);
  return Array.from({ length: p.count }, (_, i) => dv.getBigUint64(i * 8, true));
}

/** The source lines of result word i's case (for failure messages). */
export function caseText(p: OcteonProgram, i: number): string {
  const lines = p.source.split('\n');
  const at = lines.findIndex((l) => l.trim() === `sd $10, ${8 * i}($16)` || l.trim() === `sd $12, ${8 * i}($16)`);
  return lines.slice(Math.max(0, at - 6), at + 1).join('\n');
}
