// The Octeon II model's CP0 beyond the 5KEc's, run as bare-metal snippets on both engines:
// the TLB size Linux computes from Config1/Config4 and its use, KScratch, CvmCount,
// CvmCtl's fixed feature bits, CVMSEG local memory under CvmMemCtl, EntryLo RI/XI under
// PageGrain (faults TLBL or, with PageGrain.IEC, TLBRI/TLBXI), 64-bit rdhwr $31, and the
// checkpointed state of the Cavium registers and the multiplier. No system-mode Octeon
// reference exists (QEMU models Octeon in user mode only): the expectations are the
// MIPS64 Volume III and Linux's readings of these registers (arch/mips/kernel/cpu-probe.c,
// mm/tlbex.c, cavium-octeon/setup.c).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import type { CpuHooks } from '../../src/emulator/cpu/cpu';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import { cp0ByName, cp0RegsOf, fieldValue, findField, readCp0 } from '../../src/emulator/debug/cp0-fields';
import { decodeState, saveState } from '../../src/emulator/snapshot/state';

const ORIGIN = 0xffffffff80100000n;

interface Outcome { exc: number; cause: number; badVAddr: bigint; gpr: (i: number) => bigint; icount: number }

/** Runs `body` in Kernel mode (kseg0, Status.BEV clear) until its first exception (`break` ends it). */
function runSnippet(body: string, engine: 'interp' | 'jit'): Outcome {
  const r = assemble(`  .set noreorder\n  .set noat\nstart:\n${body}\n  break\n  nop\n`, { origin: ORIGIN, model: 'octeon2' });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const { machine, board } = createDemoMachine({ cpu: 'Octeon2', engine, memoryMiB: 16 });
  if (machine.jit) machine.jit.hot = 0;
  board.boot(assemblyToElf(r, 'little', 'octeon2'));
  const cpu = machine.cpu;
  cpu.c0.status = 0x000000e0; // KX SX UX; BEV clear: vectors in RAM at 0x80000000
  cpu.afterStateChange();
  let exc = -1;
  (cpu.hooks as CpuHooks).onException = (c, code) => { exc = code; c.stopRequested = true; };
  while (exc < 0 && cpu.icount < 1_000_000) machine.run(10_000);
  return { exc, cause: cpu.c0.cause, badVAddr: cpu.c0.badVAddr, gpr: (i) => cpu.getGpr(i), icount: cpu.icount };
}

const BREAK = 9, TLBL = 2, TLBS = 3, TLBRI = 19, TLBXI = 20;
const ENGINES = ['interp', 'jit'] as const;

/** A TLB entry mapping the 4 KiB page at VA 0x10000000 (even half) to physical 0x200000, flags `lo`. */
const MAP = (lo: string): string => `
  li $2, 0x10000000
  dmtc0 $2, $10
  dli $3, ${lo}
  dmtc0 $3, $2
  dmtc0 $0, $3
  mtc0 $0, $5
  li $4, 5
  mtc0 $4, $0
  tlbwi
  ehb`;
/** PFN 0x200 (physical 0x200000), cacheable (C=3), dirty, valid, global. */
const PTE = 0x200 * 64 + 0x1f;

describe('Octeon II CP0', () => {
  for (const engine of ENGINES) {
    test(`identification and TLB size as Linux reads them (${engine})`, () => {
      const o = runSnippet(`
  mfc0 $2, $15
  mfc0 $3, $16, 1
  mfc0 $4, $16, 3
  mfc0 $5, $16, 4
  li $6, 127
  mtc0 $6, $0
  li $7, 0x7f00000
  dmtc0 $7, $10
  tlbwi
  mtc0 $0, $0
  tlbp
  mfc0 $8, $0`, engine);
      assert.equal(o.exc, BREAK);
      assert.equal(o.gpr(2), 0x000d9301n);
      const config1 = Number(o.gpr(3)) >>> 0, config4 = Number(o.gpr(5)) >>> 0;
      assert.ok(Number(o.gpr(4)) & 0x80000000, 'Config3.M (Config4 exists)');
      // cpu-probe.c: tlbsize = Config1.MMUSize + 1 + Config4.MMUSizeExt × 64 when MMUExtDef = 1.
      assert.equal((config4 >>> 14) & 3, 1);
      assert.equal(((config1 >>> 25) & 63) + 1 + (config4 & 0xff) * 64, 128);
      assert.equal((config4 >>> 16) & 0xff, 0x0c, 'KScrExist: selects 2 and 3');
      assert.equal(o.gpr(8), 127n, 'tlbp finds the entry written at index 127');
    });

    test(`KScratch, CvmCtl, CvmCount, HWREna and rdhwr $31 (${engine})`, () => {
      const o = runSnippet(`
  dli $2, 0x123456789abcdef0
  dmtc0 $2, $31, 2
  dmtc0 $2, $31, 4
  dmfc0 $3, $31, 2
  dmfc0 $4, $31, 4
  dmfc0 $5, $9, 7
  dli $6, -1
  dmtc0 $6, $9, 7
  dmfc0 $7, $9, 7
  dli $8, 0x100000000
  dmtc0 $8, $9, 6
  nop
  nop
  dmfc0 $9, $9, 6
  rdhwr $10, $31
  mtc0 $6, $7
  mfc0 $11, $7`, engine);
      assert.equal(o.exc, BREAK);
      assert.equal(o.gpr(3), 0x123456789abcdef0n);
      assert.equal(o.gpr(4), 0n, 'no KScratch at select 4');
      assert.equal(o.gpr(5), (1n << 28n) | (1n << 26n), 'CvmCtl at reset: NODFA_CP2, NOCRYPTO; NOMUL clear');
      assert.equal(BigInt.asUintN(64, o.gpr(7)), BigInt.asUintN(64, -1n) & ~(1n << 27n), 'the feature bits keep their values');
      assert.equal(o.gpr(9), 0x100000003n, 'CvmCount counts one per instruction from the value written (at the dmtc0)');
      assert.equal(o.gpr(10), 0x100000004n, 'rdhwr $31 reads all 64 bits of CvmCount');
      assert.equal(BigInt.asUintN(32, o.gpr(11)), 0xc000000fn, 'HWREna: the Octeon bits 30/31 are writable');
    });

    test(`CVMSEG local memory follows CvmMemCtl (${engine})`, () => {
      const enabled = runSnippet(`
  li $2, 0x102
  dmtc0 $2, $11, 7
  dli $3, 0xffffffffffff8000
  dli $4, 0x1122334455667788
  sd $4, 0($3)
  sd $4, 248($3)
  ld $5, 0($3)
  ld $6, 248($3)
  ld $7, 256($3)`, engine);
      assert.equal(enabled.exc, TLBL, 'beyond LMEMSZ × 128 bytes: kseg3 is mapped (refill)');
      assert.equal(enabled.gpr(5), 0x1122334455667788n);
      assert.equal(enabled.gpr(6), 0x1122334455667788n);
      assert.equal(enabled.badVAddr, 0xffffffffffff8100n);
      const disabled = runSnippet(`
  li $2, 0x02
  dmtc0 $2, $11, 7
  dli $3, 0xffffffffffff8000
  sd $0, 0($3)`, engine);
      assert.equal(disabled.exc, TLBS, 'CVMSEGENAK clear: a store to CVMSEG refills like kseg3');
    });

    test(`EntryLo RI/XI under PageGrain (${engine})`, () => {
      const ri = (1n << 63n) + BigInt(PTE), xi = (1n << 62n) + BigInt(PTE);
      // Without PageGrain.RIE the bit is not kept: the load succeeds.
      const off = runSnippet(`${MAP(`0x${ri.toString(16)}`)}
  dmfc0 $5, $2
  lw $6, 0($2)`, engine);
      assert.equal(off.exc, BREAK);
      assert.equal(off.gpr(5), BigInt(PTE));
      // RIE: EntryLo keeps RI; loads fault (TLBL, IEC clear), stores do not.
      const load = runSnippet(`
  lui $9, 0x8000
  mtc0 $9, $5, 1${MAP(`0x${ri.toString(16)}`)}
  dmfc0 $5, $2
  sw $0, 0($2)
  lw $6, 4($2)`, engine);
      assert.equal(load.exc, TLBL);
      assert.equal(BigInt.asUintN(64, load.gpr(5)), ri);
      assert.equal(load.badVAddr, 0x10000004n);
      // IEC: TLBRI for the load, TLBXI for a fetch from an XI page.
      const iec = runSnippet(`
  lui $9, 0x8800
  mtc0 $9, $5, 1${MAP(`0x${ri.toString(16)}`)}
  lw $6, 0($2)`, engine);
      assert.equal(iec.exc, TLBRI);
      const exec = runSnippet(`
  lui $9, 0x4800
  mtc0 $9, $5, 1${MAP(`0x${xi.toString(16)}`)}
  lw $6, 0($2)
  jr $2
  nop`, engine);
      assert.equal(exec.exc, TLBXI);
      assert.equal(exec.badVAddr, 0x10000000n);
    });
  }

  test('the debugger decodes the Cavium registers, only on the Octeon model', () => {
    const { machine } = createDemoMachine({ cpu: 'Octeon2', engine: 'interp', memoryMiB: 16 });
    const cpu = machine.cpu;
    const names = cp0RegsOf(cpu).map((d) => d.name);
    for (const n of ['cvmcount', 'cvmctl', 'cvmmemctl', 'config4', 'kscratch1', 'kscratch2']) assert.ok(names.includes(n), n);
    assert.ok(!names.includes('kscratch3'), 'KScratch3 is absent (KScrExist 0x0c)');
    cpu.oct!.cp0.cvmMemCtl = 0x101n;
    const def = cp0ByName('cvmmemctl', cpu)!;
    assert.equal(fieldValue(readCp0(cpu, def), findField(def, cpu, 'LMEMSZ')!), 1n);
    assert.equal(def.summary!(readCp0(cpu, def), cpu), 'CVMSEG 128 bytes, kernel');
    const malta = createDemoMachine({ cpu: '5KEc', engine: 'interp', memoryMiB: 16 }).machine.cpu;
    assert.equal(cp0ByName('cvmmemctl', malta), undefined);
    assert.ok(!cp0RegsOf(malta).some((d) => d.name === 'cvmctl'));
  });

  test('the Cavium registers and the multiplier are checkpointed state', () => {
    const { machine } = createDemoMachine({ cpu: 'Octeon2', engine: 'interp', memoryMiB: 16 });
    const names = machine.stateComponents().map((c) => c.stateSpec.name);
    assert.ok(names.includes('cpu0.cp0.cavium') && names.includes('cpu0.octeon.mul'), names.join(', '));
    const oct = machine.cpu.oct!;
    oct.cp0.cvmMemCtl = 0x1234n;
    oct.mul[5] = -7;
    const comps = machine.stateComponents();
    const cav = comps.find((c) => c.stateSpec.name === 'cpu0.cp0.cavium')!;
    const mul = comps.find((c) => c.stateSpec.name === 'cpu0.octeon.mul')!;
    assert.equal(decodeState(cav, saveState(cav)).cvmMemCtl, 0x1234n);
    assert.equal((decodeState(mul, saveState(mul)).mul as Int32Array)[5], -7);
  });
});
