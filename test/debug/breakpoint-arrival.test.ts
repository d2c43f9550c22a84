// A breakpoint is reported once per arrival, when its instruction is about to run — on both
// engines. Code in a mapped page the TLB does not hold yet (a kernel module's function the
// first time it runs): the refill handler runs first, then the breakpoint stops once, and a
// resume goes on. An interrupt pending at a breakpoint: the handler runs first, likewise.
// (Reporting before the exception made the resume stop at the same instruction again —
// the "hang" after rmmod at exit_minix_fs.) The debugger reads such a page through the
// guest's refill handler (refill-walk.ts) without changing the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { programRig, runToStop } from './demo-machine';

const PROGRAM = `
	.set	noreorder
	.set	noat
	.text
	.globl	start
start:
	mtc0	$zero, $12		# Status: kernel mode, BEV=0, interrupts off
	li	$s0, 0			# TLB refills taken
	li	$s3, 0			# interrupts taken
	lui	$t9, 0xc000		# kseg2 0xffffffffc0000000: mapped, no TLB entry yet
go:
	jr	$t9
	nop

	.balign	4096
mapped:					# the page kseg2's first page maps to
	li	$t1, 77
	li	$t0, 0x101
	mtc0	$t0, $12		# Status: IE, IM0
	li	$t0, 0x100
	mtc0	$t0, $13		# Cause.IP0: a software interrupt, pending from here
after_irq:
	li	$t2, 5
	break
	nop

refill_src:				# copied to the refill vector (0x80000000)
	addiu	$s0, $s0, 1
	mtc0	$s1, $2			# EntryLo0, EntryLo1 prepared by the test
	mtc0	$s2, $3
	tlbwr
	eret
	nop
refill_end:
int_src:				# copied to the general exception vector (0x80000180)
	addiu	$s3, $s3, 1
	mtc0	$zero, $13		# clears IP0
	eret
	nop
int_end:
`;

const KSEG0 = 0xffffffff80000000n;
const KSEG2 = 0xffffffffc0000000n;
const S0 = 16, S1 = 17, S2 = 18, S3 = 19, T1 = 13, T2 = 14; // n64 numbering

/** The program on a machine, with its refill and interrupt handlers in place. */
function rig(engine: 'jit' | 'interp'): { dbg: ReturnType<typeof programRig>['dbg']; sym: (n: string) => bigint; mappedPa: bigint } {
  const { dbg } = programRig(PROGRAM, engine);
  const sym = (n: string): bigint => dbg.symbols.byName(n)!;
  const copy = (from: string, to: string, vector: number): void => {
    const bytes = dbg.mem.read({ addr: sym(from), phys: false }, Number(sym(to) - sym(from)));
    dbg.mem.write({ addr: BigInt(vector), phys: true }, Uint8Array.from(bytes as number[]));
  };
  copy('refill_src', 'refill_end', 0);
  copy('int_src', 'int_end', 0x180);
  const mappedPa = sym('mapped') - KSEG0;
  dbg.cpu.setGpr(S1, ((mappedPa >> 12n) << 6n) | (3n << 3n) | 0b111n); // PFN, cacheable, D V G
  dbg.cpu.setGpr(S2, 1n); // the odd page: invalid, global
  return { dbg, sym, mappedPa };
}

for (const engine of ['jit', 'interp'] as const) {
  test(`${engine}: a breakpoint behind a TLB refill or an interrupt stops once, after the exception`, () => {
    const { dbg, sym, mappedPa } = rig(engine);
    assert.equal(mappedPa % 4096n, 0n);
    const atMapped = KSEG2, atIrq = KSEG2 + (sym('after_irq') - sym('mapped'));
    dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: atMapped }, { id: 2, addr: atIrq }]);
    dbg.setExceptionFilters([{ id: 'break' }]);
    dbg.resume(false);

    const stops: string[] = [];
    for (;;) {
      const st = runToStop(dbg, 1_000_000);
      assert.equal(st.kind, 'stopped');
      if (st.kind !== 'stopped') break;
      const pc = BigInt.asUintN(64, dbg.cpu.pc);
      stops.push(`${st.stop.reason} ${JSON.stringify(st.stop.hitBreakpointIds ?? [])} refills=${dbg.cpu.getGpr(S0)} irqs=${dbg.cpu.getGpr(S3)}`);
      if (st.stop.reason === 'exception' || stops.length > 5) break;
      if (pc === atMapped) assert.equal(dbg.cpu.getGpr(T1), 0n, 'stopped before the instruction');
      dbg.resume();
    }
    assert.deepEqual(stops, [
      'instruction breakpoint [1] refills=1 irqs=0',
      'instruction breakpoint [2] refills=1 irqs=1',
      'exception [] refills=1 irqs=1',
    ]);
    assert.equal(dbg.cpu.getGpr(T1), 77n);
    assert.equal(dbg.cpu.getGpr(T2), 5n);
  });

  test(`${engine}: the debugger reads a page the TLB does not map through the guest's own refill handler, changing nothing`, () => {
    const { dbg, sym, mappedPa } = rig(engine);
    const c = dbg.cpu;
    dbg.setCodeBreakpoints('instruction', [{ id: 9, addr: sym('go') }]);
    dbg.resume(false);
    assert.equal(runToStop(dbg, 1_000_000).kind, 'stopped'); // Status set: BEV clear, the vectors at EBASE
    const state = (): string => JSON.stringify([[...c.tlb.state.entries], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31].map((r) => c.getGpr(r).toString()), c.c0.entryHi.toString(), c.c0.context.toString(), c.c0.xContext.toString(), c.c0.badVAddr.toString(), c.c0.pageMask, String(c.pc)]);
    const before = state();
    const walked = dbg.mem.v2p(KSEG2 + 0x44n);
    assert.deepEqual(walked, { ok: true, pa: Number(mappedPa) + 0x44, tlbIndex: -1, walked: true });
    assert.deepEqual(dbg.mem.pageWalk(KSEG2), { pa: Number(mappedPa), via: 'refill handler' });
    assert.equal(dbg.mem.v2p(KSEG2 + 0x1000n).ok, false, 'the odd page of the pair is invalid');
    assert.equal(state(), before, 'registers, CP0 and the TLB as they were');
    const word = dbg.mem.readUnsigned({ addr: KSEG2, phys: false }, 4);
    assert.equal(word, dbg.mem.readUnsigned({ addr: sym('mapped'), phys: false }, 4), 'the mapped code read through kseg2');
    // The oracle: the entry the handler writes when the guest runs there; the TLB then agrees.
    dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: KSEG2 }]);
    dbg.resume();
    assert.equal(runToStop(dbg, 1_000_000).kind, 'stopped');
    const tlb = dbg.mem.v2p(KSEG2 + 0x44n);
    assert.equal(tlb.ok && tlb.tlbIndex >= 0 && !tlb.walked, true, 'now the TLB maps it');
    assert.equal(tlb.ok && tlb.pa, Number(mappedPa) + 0x44);
  });
}
