// The Octeon CIU (devices/octeon-ciu.ts) on the octeon board, driven through CPU loads
// and stores to its CSRs (xkphys, 64-bit): summaries and enables with their W1S/W1C
// aliases into Cause.IP2-4, UART0 as SUM0 bit 34, mailbox IPIs, the watchdog's first
// expiry into INT_SUM1, soft reset, exact 64-bit values through the bus, and the one-time
// report of a CSR the model lacks. Expectations: the register descriptions Linux's
// octeon-irq.c and cvmx-ciu-defs.h rely on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOcteonMachine } from '../../src/emulator/boards/octeon';
import { Access } from '../../src/emulator/mmu/host-tlb';

const CIU = 0x8001070000000000n;
const hi = (a: bigint): number => Number(BigInt.asIntN(32, a >> 32n));
const lo = (a: bigint): number => Number(BigInt.asIntN(32, a));

function setup() {
  const { machine, board } = createOcteonMachine({ memoryMiB: 32, engine: 'interp' });
  const cpu = machine.cpu;
  cpu.c0.status = 0x00000080; // Kernel mode, KX: xkphys usable
  cpu.afterStateChange();
  const warnings: string[] = [];
  machine.events.on('log', (e) => { if (e.level === 'warn') warnings.push(e.message); });
  const rd = (off: number): bigint => {
    const a = CIU + BigInt(off);
    const l = cpu.ld(hi(a), lo(a));
    return BigInt.asUintN(64, (BigInt(cpu.ldHi) << 32n) | BigInt(l >>> 0));
  };
  const wr = (off: number, v: bigint): void => { const a = CIU + BigInt(off); cpu.sd(hi(a), lo(a), lo(v), hi(v)); };
  const ip = (): number => (cpu.c0.cause >>> 10) & 7; // IP2..IP4
  return { machine, board, cpu, rd, wr, ip, warnings };
}

describe('Octeon CIU', () => {
  test('UART0 reaches IP2 through SUM0 bit 34 and EN0(0); W1S/W1C edit the enable', () => {
    const { board, rd, wr, ip } = setup();
    board.uart0.write(0x08, 1, 0x02); // IER.ETBEI: THR empty raises the UART's interrupt
    assert.equal(rd(0x000) & (1n << 34n), 1n << 34n, 'SUM0 bit 34 follows the UART line');
    assert.equal(ip(), 0, 'not enabled');
    wr(0x6200, 1n << 34n); // EN0_W1S(0)
    assert.equal(rd(0x200), 1n << 34n);
    assert.equal(ip(), 1, 'IP2');
    wr(0x2200, 1n << 34n); // EN0_W1C(0)
    assert.equal(ip(), 0);
    wr(0x210, 1n << 34n); // EN0(1): summary 1 is IP3
    assert.equal(ip(), 2, 'IP3');
    board.uart0.write(0x08, 1, 0);
    assert.equal(ip(), 0, 'the level follows the UART');
  });

  test('mailbox IPIs: MBOX_SET/CLR, SUM0 bits 32/33', () => {
    const { rd, wr, ip } = setup();
    wr(0x200, (1n << 32n) | (1n << 33n));
    wr(0x600, 0x00010002n); // MBOX_SET0: one bit in each half
    assert.equal(rd(0x680), 0x00010002n);
    assert.equal(rd(0x000) & (3n << 32n), 3n << 32n);
    assert.equal(ip(), 1);
    wr(0x680, 0x2n); // MBOX_CLR0
    assert.equal(rd(0x000) & (3n << 32n), 2n << 32n, 'only the high half is left');
    wr(0x680, 0x10000n);
    assert.equal(ip(), 0);
  });

  test('64-bit registers keep all 64 bits through the CPU and the bus', () => {
    const { rd, wr } = setup();
    wr(0xa400, 0xfedcba9876543211n); // EN2_PP0_IP4
    assert.equal(rd(0xa400), 0xfedcba9876543211n);
    wr(0xcc00, 0xf000000000000001n); // its W1C
    assert.equal(rd(0xa400), 0x0edcba9876543210n);
  });

  test('the watchdog: first expiry sets INT_SUM1 bit 0 (IP3 with EN1(1)); a poke clears it', () => {
    const { machine, rd, wr, ip, warnings } = setup();
    wr(0x218, 1n); // EN1(1) bit 0: the watchdog on IP3
    const len = 4n; // 4 × 2^16 I/O clocks
    wr(0x500, (len << 4n) | 1n); // MODE 1: interrupt only
    const ioHz = 50e6 * Math.round(1e9 / machine.nsPerInsn / 50e6);
    const periodInsns = Math.ceil(((4 * 65536) / ioHz) * 1e9 / machine.nsPerInsn);
    machine.cpu.pc = 0xffffffff80100000n; // nops in RAM
    machine.run(periodInsns - 1000);
    assert.equal(rd(0x108), 0n);
    assert.ok(((rd(0x500) >> 20n) & 0xffffffn) > 0n, 'CNT counts down');
    machine.run(2000);
    assert.equal(rd(0x108), 1n, 'INT_SUM1 bit 0 after one period');
    assert.equal((rd(0x500) >> 2n) & 3n, 1n, 'STATE 1');
    assert.equal(ip(), 2);
    wr(0x580, 1n); // PP_POKE0
    assert.equal(rd(0x108), 0n);
    assert.equal(ip(), 0);
    machine.run(2 * periodInsns + 1000);
    assert.ok(warnings.some((w) => w.includes('expired twice')), warnings.join('; '));
  });

  test('CIU_FUSE says one core; CIU_SOFT_RST resets the board; unknown CSRs are reported once', () => {
    const { machine, cpu, rd, wr, warnings } = setup();
    assert.equal(rd(0x728), 1n);
    let resets = 0;
    machine.events.on('reset', () => { resets++; });
    wr(0x740, 1n);
    machine.run(1);
    assert.equal(resets, 1);
    cpu.c0.status = 0x80;
    cpu.afterStateChange();
    rd(0x480); rd(0x480); // CIU_TIM0: not modelled
    wr(0x480, 5n);
    assert.deepEqual(warnings.filter((w) => w.includes('0x0001070000000480')), [
      'Octeon CSR read of 0x0001070000000480 (CIU_TIM0) is not modelled: reads 0',
      'Octeon CSR write to 0x0001070000000480 (CIU_TIM0) is not modelled: ignored',
    ]);
    assert.equal(cpu.xlate(hi(CIU), lo(CIU), Access.Read), 0x1070000000000);
  });
});
