// 8254 PIT: the periodic mode Linux's i8253 clockevent programs (mode 2, LATCH for
// HZ = 250), counting read back through the latch command, mode 3 square wave,
// mode 0 terminal count (Linux's shutdown sequence), strobes, BCD, read-back
// status, gates, and IRQ 0 edges as an edge-triggered 8259 input sees them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { I8254, PIT_HZ } from '../../src/emulator/devices/i8254.js';
import { IrqLine } from '../../src/emulator/devices/irq.js';
import { restoreState, saveState } from '../../src/emulator/snapshot/state.js';

const CH0 = 0, CH2 = 2, MODE = 3;
const LATCH = Math.floor((PIT_HZ + 125) / 250); // Linux's LATCH for HZ = 250
const clk = (n: number): number => (n * 1e9) / PIT_HZ;

function make(): { pit: I8254; t: { now: number }; rises: () => number; level: () => boolean; run(limit: number): void } {
  const t = { now: 0 };
  let rises = 0, level = false;
  const pit = new I8254({ irq: new IrqLine('irq0', (l) => { if (l && !level) rises++; level = l; }), now: () => t.now });
  return {
    pit, t, rises: () => rises, level: () => level,
    run(limit) {
      for (let i = 0; i < 1e6; i++) {
        const e = pit.nextEvent();
        if (e > limit) break;
        t.now = Math.max(t.now, e);
        pit.tick(t.now);
      }
      t.now = limit;
      pit.tick(limit);
    },
  };
}

/** Counter latch command + LSB/MSB read. */
function readCount(pit: I8254, ch: number): number {
  pit.write(MODE, 1, ch << 6);
  const lo = pit.read(ch, 1);
  return lo | (pit.read(ch, 1) << 8);
}

describe('8254 PIT', () => {
  test('mode 2 as Linux programs it: one IRQ 0 edge per LATCH clocks', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x34); // counter 0, LSB then MSB, mode 2, binary
    h.pit.write(CH0, 1, LATCH & 0xff);
    h.pit.write(CH0, 1, LATCH >> 8);
    assert.equal(h.level(), true, 'OUT high in mode 2');
    const r0 = h.rises();
    h.run(clk(LATCH * 10) + 1);
    assert.equal(h.rises() - r0, 10, 'ten periods, ten rising edges');
    assert.equal(h.level(), true);
  });

  test('the count decreases with time and reloads (latch command)', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x34);
    h.pit.write(CH0, 1, LATCH & 0xff);
    h.pit.write(CH0, 1, LATCH >> 8);
    h.t.now = clk(100);
    assert.equal(readCount(h.pit, 0), LATCH - 100);
    h.t.now = clk(LATCH + 5);
    assert.equal(readCount(h.pit, 0), LATCH - 5);
  });

  test('a latched count is held until both bytes are read', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x34);
    h.pit.write(CH0, 1, 0); h.pit.write(CH0, 1, 0x10); // 0x1000
    h.t.now = clk(0x10);
    h.pit.write(MODE, 1, 0x00);
    h.t.now = clk(0x800);
    assert.equal(h.pit.read(CH0, 1), 0xf0);
    assert.equal(h.pit.read(CH0, 1), 0x0f);
    assert.equal(readCount(h.pit, 0), 0x800);
  });

  test('mode 3 square wave: high for half a period, low for the other half', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x36); // mode 3
    h.pit.write(CH0, 1, 100); h.pit.write(CH0, 1, 0);
    h.t.now = clk(10); h.pit.tick(h.t.now);
    assert.equal(h.level(), true);
    const r0 = h.rises();
    h.t.now = clk(60); h.pit.tick(h.t.now);
    assert.equal(h.level(), false);
    h.run(clk(100 * 5) + 1);
    assert.equal(h.rises() - r0, 5);
  });

  test('mode 0: OUT low until terminal count, one edge (Linux pit_shutdown: 0x30, 0, 0)', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x30);
    assert.equal(h.level(), false);
    h.pit.write(CH0, 1, 0);
    h.pit.write(CH0, 1, 0);
    h.run(clk(0x10000) - 10);
    assert.equal(h.level(), false);
    h.run(clk(0x10000) + 10);
    assert.equal(h.level(), true);
    h.run(clk(0x10000 * 3));
    assert.equal(h.rises(), 1, 'mode 0 fires once');
  });

  test('mode 0: writing the first byte of a new count stops counting', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x30);
    h.pit.write(CH0, 1, 0x00); h.pit.write(CH0, 1, 0x01); // 256
    h.t.now = clk(50);
    h.pit.write(CH0, 1, 0x10);
    h.t.now = clk(5000);
    h.pit.tick(h.t.now);
    assert.equal(h.level(), false, 'no terminal count while reloading');
    h.pit.write(CH0, 1, 0x00); // count 0x0010
    h.run(clk(5000 + 16) + 10);
    assert.equal(h.level(), true);
  });

  test('mode 4 software strobe: one low clock at terminal count', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x38);
    h.pit.write(CH0, 1, 20); h.pit.write(CH0, 1, 0);
    assert.equal(h.level(), true);
    const r0 = h.rises();
    h.run(clk(100));
    assert.equal(h.rises() - r0, 1, 'low pulse then high again');
    assert.equal(h.level(), true);
  });

  test('BCD counting and LSB-only / MSB-only access', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x95); // counter 2, MSB only, mode 2, BCD
    h.pit.write(CH2, 1, 0x12); // 1200 decimal
    h.pit.setGate(2, true);
    h.t.now = clk(1);
    h.pit.write(MODE, 1, 0x80); // latch counter 2
    assert.equal(h.pit.read(CH2, 1), 0x11, 'MSB of BCD 1199');
    h.pit.write(MODE, 1, 0x50); // counter 1, LSB only, mode 0
    h.pit.write(1, 1, 0x40);
    h.t.now = clk(1 + 0x10);
    h.pit.write(MODE, 1, 0x40);
    assert.equal(h.pit.read(1, 1), 0x30);
  });

  test('read-back command: status byte and count', () => {
    const h = make();
    h.pit.write(MODE, 1, 0x34);
    h.pit.write(MODE, 1, 0xc2); // read-back: count and status of counter 0
    assert.equal(h.pit.read(CH0, 1), 0x80 | 0x40 | 0x30 | 0x04, 'OUT high, null count, LSB/MSB, mode 2');
    h.pit.write(CH0, 1, 0x34); h.pit.write(CH0, 1, 0x12);
    h.pit.write(MODE, 1, 0xe2); // latch status only
    assert.equal(h.pit.read(CH0, 1) & 0x40, 0, 'count loaded');
  });

  test('gate: counter 2 starts gated off; a gate low holds mode 0', () => {
    const h = make();
    h.pit.write(MODE, 1, 0xb0); // counter 2, mode 0
    h.pit.write(CH2, 1, 0x00); h.pit.write(CH2, 1, 0x10);
    h.t.now = clk(500);
    assert.equal(readCount(h.pit, 2), 0x1000, 'gate low: not counting');
    h.pit.setGate(2, true);
    h.t.now = clk(600);
    assert.equal(readCount(h.pit, 2), 0x1000 - 100);
    h.pit.setGate(2, false);
    h.t.now = clk(900);
    assert.equal(readCount(h.pit, 2), 0x1000 - 100);
    assert.equal(h.pit.out2, false);
  });

  test('mode 1 one-shot triggered by the gate', () => {
    const h = make();
    h.pit.write(MODE, 1, 0xb2); // counter 2, mode 1
    h.pit.write(CH2, 1, 50); h.pit.write(CH2, 1, 0);
    assert.equal(h.pit.out2, true, 'waiting for trigger');
    h.pit.setGate(2, true);
    h.t.now += clk(10);
    assert.equal(h.pit.out2, false);
    h.t.now += clk(50);
    assert.equal(h.pit.out2, true);
  });

  test('checkpoint state round-trips', () => {
    const a = make();
    a.pit.write(MODE, 1, 0x34);
    a.pit.write(CH0, 1, LATCH & 0xff);
    a.pit.write(CH0, 1, LATCH >> 8);
    a.t.now = clk(1000);
    const bytes = saveState(a.pit);
    const b = make();
    restoreState(b.pit, bytes);
    b.t.now = clk(1000);
    assert.equal(readCount(b.pit, 0), LATCH - 1000);
  });
});
