// The Octeon MIO UART (devices/octeon-uart.ts) through CPU loads and stores on the octeon
// board: the early-printk path (poll LSR THRE, write the THR alias even with DLAB set),
// 64-bit register accesses that read a FIFO once, USR's FIFO flags, the 64-byte FIFOs
// at line speed, and the report of a register the model lacks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOcteonMachine } from '../../src/emulator/boards/octeon';

const UART0 = 0x8001180000000800n;

function setup(uartTiming: 'instant' | 'baud' = 'instant') {
  const { machine, board } = createOcteonMachine({ memoryMiB: 32, engine: 'interp', uartTiming });
  const cpu = machine.cpu;
  cpu.c0.status = 0x80;
  cpu.afterStateChange();
  let out = '';
  machine.events.on('uartTx', (e) => { if (e.port === 0) out += String.fromCharCode(e.byte); });
  const warnings: string[] = [];
  machine.events.on('log', (e) => warnings.push(e.message));
  const a = (off: number): [number, number] => { const v = UART0 + BigInt(off); return [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asIntN(32, v))]; };
  const rd = (off: number): number => { const [h, l] = a(off); return cpu.ld(h, l) >>> 0; };
  const wr = (off: number, v: number): void => { const [h, l] = a(off); cpu.sd(h, l, v, 0); };
  return { machine, board, rd, wr, out: () => out, warnings };
}

describe('Octeon UART', () => {
  test('early printk: LSR.THRE, then the THR alias transmits even with LCR.DLAB set', () => {
    const u = setup();
    assert.ok(u.rd(0x28) & 0x20, 'LSR.THRE');
    u.wr(0x18, 0x83); // LCR: DLAB | 8 bits
    u.wr(0x40, 0x41); // THR alias
    u.wr(0x00, 0x07); // with DLAB, offset 0 is DLL
    assert.equal(u.out(), 'A');
    assert.equal(u.rd(0x80), 0x07, 'the divisor latch is readable without DLAB at +0x80');
    assert.equal(u.rd(0x18), 0x83);
  });

  test('a doubleword read of RBR takes one character; USR reports the FIFOs', () => {
    const u = setup();
    assert.equal(u.rd(0x138) & 0x1f, 0x06, 'USR: TFNF | TFE, receive FIFO empty');
    u.wr(0x10, 0x01); // FCR: FIFOs on
    u.board.consoleInput([0x31, 0x32]);
    assert.equal(u.rd(0x138) & 0x08, 0x08, 'RFNE');
    assert.equal(u.rd(0x208), 2, 'RFL');
    assert.equal(u.rd(0x00), 0x31);
    assert.equal(u.rd(0x00), 0x32);
    assert.equal(u.rd(0x208), 0);
  });

  test('64-byte FIFO at line speed: a burst of 64 characters is sent whole', () => {
    const u = setup('baud');
    u.wr(0x10, 0x01);
    const text = 'The quick brown fox jumps over the lazy dog. 0123456789 abcdefgh';
    assert.equal(text.length, 64);
    for (const ch of text) u.wr(0x00, ch.charCodeAt(0));
    assert.equal(u.rd(0x200), 63, 'TFL: one character in the shifter, 63 waiting');
    u.machine.cpu.pc = 0xffffffff80100000n; // nops in RAM
    u.machine.run(2_000_000);
    assert.equal(u.out(), text);
  });

  test('a register the model lacks is reported once', () => {
    const u = setup();
    u.rd(0x300);
    u.rd(0x300);
    assert.deepEqual(u.warnings.filter((w) => w.includes('0x0001180000000b00')), [
      'Octeon CSR read of 0x0001180000000b00 (MIO unit, offset 0xb00) is not modelled: reads 0',
    ]);
  });
});
