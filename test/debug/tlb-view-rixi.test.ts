// The TLB views (the Debug Console's / gdb monitor's `info tlb` table, machine-info.ts)
// show EntryLo's RI and XI bits when PageGrain enables them (RIE, XIE), as Linux does on
// Octeon, and gdb's tlbN_entrylo registers read EntryLo as tlbr does. Oracle: the
// architectural EntryLo the CPU's own tlbr gives back (bits 63/62, read with dmfc0) for
// every entry written through mtc0/tlbwi; without PageGrain's enables
// (and on the 5KEc, which has no PageGrain) the table has no RI/XI columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import * as cp0 from '../../src/emulator/cpu/cp0-access';
import { entryLoAsRead, entryLoInhibits, tlbTable } from '../../src/emulator/debug/machine-info';

const RIE = 1n << 31n, XIE = 1n << 30n, RI = 1n << 63n, XI = 1n << 62n;
const PAGEGRAIN = [5, 1] as const, ENTRYLO0 = [2, 0] as const, ENTRYLO1 = [3, 0] as const, ENTRYHI = [10, 0] as const, INDEX = [0, 0] as const;

/** Writes entry i mapping VA i × 8 KiB to two pages with the given RI/XI bits (valid, dirty, C=3). */
function machineWith(pageGrain: bigint, cpuModel = 'Octeon2') {
  const { machine } = createDemoMachine({ cpu: cpuModel, memoryMiB: 16 });
  const cpu = machine.cpu;
  cp0.write(cpu, ...PAGEGRAIN, pageGrain);
  const flags = [0n, RI, XI, RI | XI];
  for (let i = 0; i < 8; i++) {
    const lo = (pfn: bigint, f: bigint): bigint => f | (pfn << 6n) | 0x1en;
    cp0.write(cpu, ...ENTRYHI, BigInt(0x10000000 + i * 0x2000) | 5n);
    cp0.write(cpu, ...ENTRYLO0, lo(BigInt(0x200 + 2 * i), flags[i % 4]!));
    cp0.write(cpu, ...ENTRYLO1, lo(BigInt(0x201 + 2 * i), flags[(i >> 1) % 4]!));
    cp0.write(cpu, ...INDEX, BigInt(i));
    cpu.tlbwi();
  }
  return cpu;
}

test('info tlb: RI/XI columns equal the bits tlbr reads back, when PageGrain enables them', () => {
  for (const [pg, cols] of [[RIE | XIE, ['RI', 'XI']], [RIE, ['RI']], [XIE, ['XI']]] as const) {
    const cpu = machineWith(pg);
    const table = tlbTable(cpu).split('\n');
    const header = table[0]!;
    assert.ok(header.includes(`even (PFN C D V ${cols.join(' ')})`), header);
    assert.ok(header.includes(`odd (PFN C D V ${cols.join(' ')})`), header);
    for (let i = 0; i < 8; i++) {
      cp0.write(cpu, ...INDEX, BigInt(i));
      cpu.tlbr();
      const halves = [cp0.read64(cpu, ...ENTRYLO0), cp0.read64(cpu, ...ENTRYLO1)];
      const row = table.find((r) => r.startsWith(`${String(i).padStart(3)}  `))!;
      assert.ok(row, `row ${i} in\n${table.join('\n')}`);
      // "0x0000200 3 1 1  0  1" per half: PFN C D V then the enabled bits, under their headings.
      const m = [...row.matchAll(/0x([0-9a-f]{7}) (\d) (\d) (\d)((?: {2}[01](?=\s|$))*)/g)];
      assert.equal(m.length, 2, row);
      halves.forEach((elo, k) => {
        const bits = m[k]![5]!.trim().split(/ +/).map(Number);
        const want = cols.map((c) => Number((elo & (c === 'RI' ? RI : XI)) !== 0n));
        assert.deepEqual(bits, want, `entry ${i} half ${k}: ${row} vs EntryLo 0x${elo.toString(16)}`);
        assert.equal(BigInt(`0x${m[k]![1]}`), (elo >> 6n) & 0x3fffffffn, 'PFN');
        // The even half's last column sits under its heading.
        const at = row.indexOf(m[k]![0]) + m[k]![0].length - 1;
        if (k === 0) assert.equal(header[at], cols.at(-1)!.at(-1), `${row}\n${header}`);
      });
      // gdb's tlbN_entrylo0/1 registers: the EntryLo values tlbr reads.
      assert.deepEqual([entryLoAsRead(cpu.tlb.read(i).lo0), entryLoAsRead(cpu.tlb.read(i).lo1)], halves);
      assert.deepEqual(entryLoInhibits(cpu, cpu.tlb.read(i).lo0), Object.fromEntries(cols.map((c) => [c.toLowerCase(), (halves[0]! & (c === 'RI' ? RI : XI)) !== 0n])));
    }
    // Some entries have them set (the test is not vacuous).
    assert.ok(table.some((r) => / 1(?: |$)/.test(r.slice(40))), table.join('\n'));
  }
});

test('info tlb: no RI/XI columns while PageGrain enables neither, nor on a CPU without PageGrain', () => {
  for (const cpu of [machineWith(0n), machineWith(0n, '5KEc')]) {
    const table = tlbTable(cpu);
    assert.doesNotMatch(table, /RI|XI/);
    assert.match(table.split('\n')[1]!, /^ {2}0 {2}0x0000000010000000 0x05 {2}4 KiB {4}0x0000200 3 1 1 {12}0x0000201 3 1 1 *$/);
    assert.equal(entryLoInhibits(cpu, cpu.tlb.read(0).lo0), undefined);
  }
});
