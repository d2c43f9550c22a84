// Differential test of the CPU core against QEMU, instruction by instruction.
//
// Every program in test/cpu/programs/*.s (with the shared library lib/start.s and
// lib/done.s, see there) is assembled by our assembler into an ELF, then run
//  - under QEMU (qemu-system-mips64el / qemu-system-mips64 -M malta -cpu 5KEc|5KEf
//    -kernel, stopped over the GDB protocol at the breakpoint `end`), and
//  - on our emulator (demo board, interpreter stepped one instruction at a time),
// in both byte orders. Compared: GPRs 1-31, HI, LO, PC, Status, Cause, BadVAddr (and the
// FPRs/FCSR on the 5KEf), the whole program image in memory (including the results the
// programs record and the CP0 dump `done` writes: Index, EntryLo0/1, Context, PageMask,
// Wired, HWREna, BadVAddr, EntryHi, Compare, Status, IntCtl, SRSCtl, Cause, EPC, PRId,
// EBase, Config0-3, LLAddr, WatchLo/Hi, XContext, ErrorEPC), the exception vector area,
// and the UART output. For programs without `# diff: notrace` the executed-PC trace from
// the program entry to `end` is compared too (QEMU: -singlestep -d exec,nochain).
// Exclusions (timing-dependent values) are listed in DEFAULT_MASKS
// (test/support/diff-programs.ts) and per program by `# diff:` directives.
//
// Without QEMU the test is skipped, or fails under CI=true naming the Debian package.
// DIFF_FILTER=<substring> limits the programs (development).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildProgram, compareRuns, compareTraces, describeMismatches, FpuNotWired, loadPrograms, memoryRanges,
  qemuTraceFromEntry, RunObservation, runOurs,
} from '../support/diff-programs';
import { decodeRegisters, limiter, parseExecTrace, QEMU_DEBIAN_PACKAGE, qemuMissing, rleDecode, runQemu } from '../support/qemu';

const programs = loadPrograms().filter((p) => !process.env.DIFF_FILTER || p.name.includes(process.env.DIFF_FILTER));
const qemuSlot = limiter(2);

describe('QEMU harness', () => {
  test('GDB run-length decoding', () => {
    assert.equal(rleDecode('0* '), '0'.repeat(4));
    assert.equal(rleDecode('ab*!c'), 'abbbbbc');
  });
  test('exec log parsing', () => {
    const log = 'Trace 0: 0x7f00 [0000000000000000/ffffffffbfc00000/10000018/ff000201] \n'
      + 'Trace 0: 0x7f40 [0000000000000000/ffffffff80100000/10000018/ff000201] main\n';
    assert.deepEqual(parseExecTrace(log), [0xffffffffbfc00000n, 0xffffffff80100000n]);
  });
  test('register packet layout (little- and big-endian)', () => {
    const le = '0100000000000000'.repeat(32) + '0200000000000000' + '0'.repeat(16 * 4) + '0080108000000000';
    const r = decodeRegisters(le + '0'.repeat(16 * 35), false);
    assert.equal(r.gpr[31], 1n);
    assert.equal(r.status, 2n);
    assert.equal(r.pc, 0x80108000n);
    const be = '0000000000000001'.repeat(32) + '0000000000000002';
    assert.equal(decodeRegisters(be + '0'.repeat(16 * 40), true).status, 2n);
  });
  test('a program under QEMU with the GDB stub on a TCP port', { skip: qemuMissing(false) }, async () => {
    const p = programs.find((x) => x.name === 'arith-add') ?? loadPrograms().find((x) => x.name === 'arith-add')!;
    const b = buildProgram(p, 'little');
    const q = await qemuSlot(() => runQemu({ elf: b.elf, bigEndian: false, breakAt: b.end, gdbTcp: true }));
    assert.equal(q.stop, 'breakpoint');
    assert.equal(q.regs.pc, b.end);
    assert.match(q.uart, /^DONE [0-9a-f]{8}\n$/);
  });
});

describe('CPU vs QEMU, program by program', { concurrency: 3 }, () => {
  test('enough programs', () => {
    if (process.env.DIFF_FILTER) return;
    assert.ok(programs.length >= 40, `only ${programs.length} programs`);
    assert.ok(programs.filter((p) => p.directives.trace).length >= 10, 'fewer than 10 traced programs');
  });

  for (const p of programs) {
    for (const endian of p.directives.endians) {
      test(`${p.name} [${endian}]`, async (t) => {
        const missing = qemuMissing(endian === 'big');
        if (missing) {
          if (process.env.CI === 'true') assert.fail(`${missing}: install it with apt-get install ${QEMU_DEBIAN_PACKAGE}`);
          t.skip(missing);
          return;
        }
        const b = buildProgram(p, endian);
        const d = p.directives;
        let ours: RunObservation;
        try {
          ours = runOurs(b, { trace: d.trace });
        } catch (e) {
          if (e instanceof FpuNotWired) { t.todo(e.message); return; }
          throw e;
        }
        const q = await qemuSlot(() => runQemu({
          elf: b.elf, bigEndian: endian === 'big', cpu: d.cpu, breakAt: b.end, memory: memoryRanges(b),
          trace: d.trace, timeoutMs: 20000,
        }));
        const qemu: RunObservation = { ...q, trace: q.trace && qemuTraceFromEntry(b, q.trace), executed: 0 };
        const problems: string[] = [];
        const ms = compareRuns(b, ours, qemu);
        if (ms.length) problems.push(`${p.name} [${endian}] differs from QEMU:\n${describeMismatches(b, ms)}`);
        if (d.trace && ours.trace && qemu.trace) {
          const td = compareTraces(b, ours.trace, qemu.trace);
          if (td) problems.push(`${p.name} [${endian}] ${td}`);
        }
        if (problems.length && d.todo) { t.todo(`${d.todo}\n${problems.join('\n')}`); return; }
        assert.ok(problems.length === 0, problems.join('\n'));
      });
    }
  }
});
