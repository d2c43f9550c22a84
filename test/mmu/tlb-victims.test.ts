// TLB victim entries (mmu/tlb.ts): an entry tlbwr replaces keeps translating until
// software could tell — a tlbp that misses the architectural entries but matches it, a
// tlbwi that changes a mapping, a tlbr — and only for the ASID it was replaced under;
// `exactTlb` turns them off. Guest snippets on a 5KEc (32 entries) under every engine;
// Wired = 31 makes Random (and so tlbwr) always pick entry 31.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import type { CpuHooks } from '../../src/emulator/cpu/cpu';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import { decodeState, saveState } from '../../src/emulator/snapshot/state';

const ORIGIN = 0xffffffff80100000n;
const BREAK = 9, TLBL = 2;
const ENGINES = ['interp', 'jit'] as const;
/** What the mapped page holds (written through kseg0 at physical 0x200000 first). */
const MAGIC = 0x5eed1234;

interface Outcome { exc: number; v0: number; victims: number; machine: ReturnType<typeof createDemoMachine>['machine'] }

function run(body: string, engine: 'interp' | 'jit', exactTlb = false): Outcome {
  const src = `  .set noreorder\n  .set noat\nstart:\n  li $9, ${MAGIC}\n  lui $8, 0x8020\n  sw $9, 0($8)\n  sw $9, 0x1000($8)\n  li $2, 31\n  mtc0 $2, $6\n${body}\n  break\n  nop\n`;
  const r = assemble(src, { origin: ORIGIN });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const { machine, board } = createDemoMachine({ cpu: '5KEc', engine, memoryMiB: 16, exactTlb });
  if (machine.jit) machine.jit.hot = 0;
  board.boot(assemblyToElf(r, 'little'));
  const cpu = machine.cpu;
  cpu.c0.status = 0x000000e0; // KX SX UX, Kernel mode, BEV clear
  cpu.afterStateChange();
  let exc = -1;
  (cpu.hooks as CpuHooks).onException = (c, code) => { exc = code; c.stopRequested = true; };
  while (exc < 0 && cpu.icount < 1_000_000) machine.run(10_000);
  return { exc, v0: Number(cpu.getGpr(2) & 0xffffffffn), victims: cpu.tlb.victims, machine };
}

/**
 * Entry `how` (tlbwi at index 31, or tlbwr) mapping the even 4 KiB page at `va` with
 * ASID `asid` to physical 0x200000 + `pfnOff` pages; `flags` in EntryLo0 (V=2, D=4, G=1).
 */
const entry = (how: 'tlbwi' | 'tlbwr', va: number, asid: number, flags = 0x1e, pfnOff = 0): string => `
  li $3, ${va | asid}
  dmtc0 $3, $10
  li $3, ${(0x200 + pfnOff) * 64 + flags}
  dmtc0 $3, $2
  dmtc0 $0, $3
  mtc0 $0, $5
  li $3, 31
  mtc0 $3, $0
  ${how}
  ehb`;
/** Makes `asid` current (EntryHi with a VPN no entry maps). */
const asid = (a: number): string => `\n  li $3, ${0x7000000 | a}\n  dmtc0 $3, $10\n  ehb`;
const load = (va: number): string => `\n  li $4, ${va}\n  lw $2, 0($4)`;

for (const engine of ENGINES) {
  test(`an entry tlbwr replaced still translates, as in QEMU (${engine})`, () => {
    const o = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1) + load(0x10000000), engine);
    assert.equal(o.exc, BREAK, 'no refill for the replaced entry');
    assert.equal(o.v0, MAGIC);
    assert.equal(o.victims, 1);
    const exact = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1) + load(0x10000000), engine, true);
    assert.equal(exact.exc, TLBL, 'exactTlb: the replaced mapping is gone');
    assert.equal(exact.victims, 0);
  });

  test(`a tlbp that finds only a victim drops it (${engine})`, () => {
    const probe = `\n  li $3, ${0x10000000 | 1}\n  dmtc0 $3, $10\n  tlbp\n  ehb\n  mfc0 $5, $0`;
    const o = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1) + probe + load(0x10000000), engine);
    assert.equal(o.exc, TLBL, 'after the probe missed, the old mapping refills');
    assert.equal(o.victims, 0);
    assert.ok(Number(o.machine.cpu.getGpr(5)) < 0, 'Index.P: the probe missed');
  });

  test(`tlbwi drops victims unless it only sets V or D of the same mapping (${engine})`, () => {
    const base = entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1, 0x1a);
    // The same mapping of 0x20000000 with D set (a Modified handler's update): victims stay.
    const grant = run(base + entry('tlbwi', 0x20000000, 1, 0x1e) + load(0x10000000), engine);
    assert.equal(grant.exc, BREAK);
    assert.equal(grant.v0, MAGIC);
    assert.equal(grant.victims, 1);
    // Another physical page for 0x20000000: every victim goes.
    const change = run(base + entry('tlbwi', 0x20000000, 1, 0x1e, 1) + load(0x10000000), engine);
    assert.equal(change.exc, TLBL);
    assert.equal(change.victims, 0);
  });

  test(`tlbr drops victims; a victim keeps its ASID (${engine})`, () => {
    const read = `\n  li $3, 31\n  mtc0 $3, $0\n  tlbr\n  ehb`;
    const r = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1) + read + asid(1) + load(0x10000000), engine);
    assert.equal(r.exc, TLBL);
    assert.equal(r.victims, 0);
    // Kept under ASID 1: ASID 2 does not see it, ASID 1 again does.
    const other = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1) + asid(2) + load(0x10000000), engine);
    assert.equal(other.exc, TLBL);
    const back = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1) + asid(2) + asid(1) + load(0x10000000), engine);
    assert.equal(back.exc, BREAK);
    assert.equal(back.v0, MAGIC);
    // Replaced while another ASID was current: not kept (nothing cached could come from it).
    const foreign = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 2) + asid(1) + load(0x10000000), engine);
    assert.equal(foreign.exc, TLBL);
    assert.equal(foreign.victims, 0);
  });
}

test('victims are saved and restored with the TLB; a version 1 TLB state loads with none', () => {
  const o = run(entry('tlbwi', 0x10000000, 1) + entry('tlbwr', 0x20000000, 1), 'interp');
  assert.equal(o.victims, 1);
  const tlb = o.machine.cpu.tlb;
  const saved = saveState(tlb);
  const fresh = createDemoMachine({ cpu: '5KEc', engine: 'interp', memoryMiB: 16 }).machine;
  const values = decodeState(fresh.cpu.tlb, saved);
  assert.equal((values.victims as number[]).length, 40, 'one victim: five f64 fields');
  fresh.cpu.tlb.state.victims = values.victims as number[];
  fresh.cpu.tlb.state.entries.set(values.entries as Float64Array);
  assert.equal(fresh.cpu.tlb.victims, 1);
  assert.deepEqual(fresh.cpu.tlb.read(32), tlb.read(32), 'the victim entry round-trips');
  assert.equal(fresh.cpu.tlb.lookup(tlb.read(32).hiHi, 0x10000000, 1), 32, 'and translates after the restore');
  // A forged victim list (not whole entries) is refused.
  assert.throws(() => {
    const spec = fresh.cpu.tlb.stateSpec;
    const bad = spec.invariants!.map((f) => f({ entries: values.entries, victims: [1, 2, 3] })).find((m) => m !== undefined);
    if (bad) throw new Error(bad);
  }, /not a whole number of entries/);
  // Version 1 (no victims field) upgrades to no victims.
  const up = fresh.cpu.tlb.stateSpec.upgrades![1]!({ entries: values.entries });
  assert.deepEqual(up.victims, []);
  // With exactTlb there is no room for victims: a checkpoint holding one is refused by range.
  const exact = createDemoMachine({ cpu: '5KEc', engine: 'interp', memoryMiB: 16, exactTlb: true }).machine;
  assert.throws(() => decodeState(exact.cpu.tlb, saved), /victims/);
});
