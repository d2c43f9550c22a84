// MC146818 RTC: time from the virtual clock (BCD/binary, 24/12 h), the UIP window,
// the CPU-frequency calibration loop of Linux's malta-time.c (with and without the
// poll skip), setting the time with SET, periodic / alarm / update-ended
// interrupts and register C, divider reset, CMOS RAM and checkpoint state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqLine } from '../../src/emulator/devices/irq.js';
import {
  Mc146818, RTC_DEFAULT_EPOCH_MS, RTC_REG_A, RTC_REG_B, RTC_REG_C, RTC_REG_D, UIP_HOLD_NS,
} from '../../src/emulator/devices/mc146818.js';
import { restoreState, saveState } from '../../src/emulator/snapshot/state.js';

interface Harness {
  rtc: Mc146818;
  t: { now: number };
  irq: () => boolean;
  rd(reg: number): number;
  wr(reg: number, v: number): void;
  /** Runs the device's events up to `limit`. */
  run(limit: number): void;
}

function make(opts: { epochMs?: number; skip?: boolean } = {}): Harness {
  const t = { now: 0 };
  let level = false;
  const rtc = new Mc146818({
    irq: new IrqLine('irq8', (l) => { level = l; }), now: () => t.now, epochMs: opts.epochMs,
    skipTo: opts.skip ? (ns) => { t.now = Math.max(t.now, ns); } : undefined,
  });
  return {
    rtc, t, irq: () => level,
    rd: (reg) => { rtc.write(0, 1, reg); return rtc.read(1, 1); },
    wr: (reg, v) => { rtc.write(0, 1, reg); rtc.write(1, 1, v); },
    run(limit) {
      for (let i = 0; i < 1e6; i++) {
        const e = rtc.nextEvent();
        if (e > limit) break;
        t.now = Math.max(t.now, e);
        rtc.tick(t.now);
      }
      t.now = limit;
      rtc.tick(limit);
    },
  };
}

const S = 1e9;

describe('MC146818 RTC', () => {
  test('power-on registers and the default epoch (2024-01-01 00:00:00, a Monday) in BCD 24 h', () => {
    const h = make();
    assert.equal(RTC_DEFAULT_EPOCH_MS, Date.UTC(2024, 0, 1));
    assert.equal(h.rd(RTC_REG_A), 0x26);
    assert.equal(h.rd(RTC_REG_B), 0x02);
    assert.equal(h.rd(RTC_REG_D), 0x80);
    assert.deepEqual([0, 2, 4, 6, 7, 8, 9, 0x32].map((r) => h.rd(r)), [0x00, 0x00, 0x00, 0x02, 0x01, 0x01, 0x24, 0x20]);
    assert.equal(h.rtc.read(0, 1), 0xff, 'the index port reads 0xff');
  });

  test('time advances with virtual time; binary and 12-hour formats', () => {
    const h = make({ epochMs: Date.UTC(2023, 11, 31, 23, 59, 58, 500) });
    assert.equal(h.rd(0), 0x58);
    h.t.now = 1.6 * S; // 2024-01-01 00:00:00.1
    assert.deepEqual([0, 2, 4, 7, 8, 9].map((r) => h.rd(r)), [0x00, 0x00, 0x00, 0x01, 0x01, 0x24]);
    h.t.now = 1.6 * S + 13.5 * 3600 * S; // 13:30:00 → 1:30 PM
    h.wr(RTC_REG_B, 0x04); // binary, 12 h
    assert.equal(h.rd(4), 0x80 | 1, 'PM bit + 1 o\'clock');
    assert.equal(h.rd(2), 30);
    h.wr(RTC_REG_B, 0x06); // binary 24 h
    assert.equal(h.rd(4), 13);
  });

  test('UIP is set for the last 244 µs before each update', () => {
    const h = make();
    h.t.now = S - UIP_HOLD_NS - 1;
    assert.equal(h.rd(RTC_REG_A) & 0x80, 0);
    h.t.now = S - UIP_HOLD_NS + 1;
    assert.equal(h.rd(RTC_REG_A) & 0x80, 0x80);
    assert.equal(h.rd(0), 0x00, 'still the old second');
    h.t.now = S;
    assert.equal(h.rd(RTC_REG_A) & 0x80, 0);
    assert.equal(h.rd(0), 0x01);
  });

  /** malta-time.c estimate_frequencies with a CPU whose Count runs at `hz` and each port access takes `accessNs`. */
  function calibrate(h: Harness, hz: number, accessNs: number): { count: number; reads: number } {
    let reads = 0;
    const uip = (): boolean => { h.t.now += accessNs; reads++; return (h.rd(RTC_REG_A) & 0x80) !== 0; };
    const count = (): number => Math.floor((h.t.now * hz) / S) >>> 0;
    // init_rtc: force the 32 kHz time base and clear SET.
    if ((h.rd(RTC_REG_A) & 0x70) !== 0x20) h.wr(RTC_REG_A, 0x20);
    const ctrl = h.rd(RTC_REG_B);
    if (ctrl & 0x80) h.wr(RTC_REG_B, ctrl & ~0x80);
    while (uip());
    while (!uip());
    const start = count();
    while (uip());
    while (!uip());
    return { count: (count() - start) >>> 0, reads };
  }

  test('Linux calibration loop measures the Count frequency over one RTC second', () => {
    const h = make();
    h.t.now = 0.3 * S;
    const r = calibrate(h, 100e6, 500);
    assert.ok(Math.abs(r.count - 100e6) <= 100, `measured ${r.count}`);
    assert.ok(r.reads > 1e6, 'polled the slow way');
  });

  test('with the poll skip the same loop needs a handful of reads and measures the same', () => {
    const h = make({ skip: true });
    h.t.now = 0.3 * S;
    const r = calibrate(h, 100e6, 500);
    assert.ok(Math.abs(r.count - 100e6) <= 100, `measured ${r.count}`);
    assert.ok(r.reads < 20, `${r.reads} reads`);
  });

  test('setting the time with SET (as rtc-cmos does)', () => {
    const h = make();
    h.t.now = 0.25 * S;
    h.wr(RTC_REG_B, h.rd(RTC_REG_B) | 0x80);
    assert.equal(h.rd(RTC_REG_B) & 0x10, 0, 'UIE cleared by SET');
    h.wr(0, 0x30); h.wr(2, 0x45); h.wr(4, 0x12); h.wr(7, 0x15); h.wr(8, 0x06); h.wr(9, 0x25); h.wr(0x32, 0x20);
    h.t.now = 5 * S;
    assert.equal(h.rd(0), 0x30, 'frozen while SET');
    h.wr(RTC_REG_B, h.rd(RTC_REG_B) & ~0x80);
    assert.equal(h.rtc.date().toISOString(), '2025-06-15T12:45:30.000Z');
    h.t.now = 5.9 * S; // the divider phase was kept: the next update is at a whole second of virtual time
    assert.equal(h.rd(0), 0x30);
    h.t.now = 6 * S;
    assert.equal(h.rd(0), 0x31);
  });

  test('a time register written while running sets the time at once', () => {
    const h = make();
    h.wr(2, 0x10);
    assert.equal(h.rd(2), 0x10);
    h.t.now = 61 * S;
    assert.equal(h.rd(2), 0x11);
  });

  test('periodic interrupt: 1024 Hz with RS = 6, PF and IRQF, read of C clears', () => {
    const h = make();
    h.wr(RTC_REG_B, 0x02 | 0x40);
    assert.equal(h.irq(), false);
    const next = h.rtc.nextEvent();
    assert.ok(Math.abs(next - S / 1024) < 1, `${next}`);
    h.run(next);
    assert.equal(h.irq(), true);
    assert.equal(h.rd(RTC_REG_C), 0xc0);
    assert.equal(h.irq(), false);
    assert.equal(h.rd(RTC_REG_C), 0);
    // 100 ms later about 102 periods passed; flags coalesce until C is read.
    let n = 0;
    for (let i = 0; i < 102; i++) { h.run(h.rtc.nextEvent()); if (h.irq()) { n++; h.rd(RTC_REG_C); } }
    assert.equal(n, 102);
    assert.ok(Math.abs(h.t.now - 103 * S / 1024) < 10);
  });

  test('update-ended and alarm interrupts', () => {
    const h = make();
    h.wr(1, 0x05); h.wr(3, 0x00); h.wr(5, 0x00); // alarm 00:00:05
    h.wr(RTC_REG_B, 0x02 | 0x20); // AIE
    h.run(4.9 * S);
    assert.equal(h.irq(), false);
    h.run(5.01 * S);
    assert.equal(h.irq(), true);
    // PF is set too: the periodic flag runs whether or not PIE is set (RS = 6 by default).
    assert.equal(h.rd(RTC_REG_C), 0x80 | 0x40 | 0x20 | 0x10, 'IRQF, PF, AF and UF');
    h.wr(RTC_REG_B, 0x02 | 0x10); // UIE only
    h.run(5.99 * S);
    assert.equal(h.irq(), false);
    h.run(6 * S);
    assert.equal(h.irq(), true);
    assert.equal(h.rd(RTC_REG_C) & ~0x40, 0x90);
    // Don't-care alarm bytes match every second.
    h.wr(1, 0xc0); h.wr(3, 0xff); h.wr(5, 0xff);
    h.wr(RTC_REG_B, 0x02 | 0x20);
    h.run(7 * S);
    assert.equal(h.rd(RTC_REG_C) & 0x20, 0x20);
  });

  test('enabling an interrupt whose flag is already set raises IRQF immediately', () => {
    const h = make();
    h.run(1.5 * S); // UF set, no interrupt enabled
    assert.equal(h.irq(), false);
    h.wr(RTC_REG_B, 0x02 | 0x10);
    assert.equal(h.irq(), true);
  });

  test('divider reset stops the clock; the first update comes 500 ms after release', () => {
    const h = make();
    h.t.now = 0.2 * S;
    h.wr(RTC_REG_A, 0x70);
    h.t.now = 10 * S;
    assert.equal(h.rd(0), 0x00);
    assert.equal(h.rd(RTC_REG_A) & 0x80, 0, 'no UIP while stopped');
    h.wr(RTC_REG_A, 0x26);
    h.t.now = 10.49 * S;
    assert.equal(h.rd(0), 0x00);
    h.t.now = 10.51 * S;
    assert.equal(h.rd(0), 0x01);
  });

  test('CMOS RAM holds bytes; C and D are read-only', () => {
    const h = make();
    h.wr(0x0e, 0x5a);
    h.wr(0x7f, 0xa5);
    assert.equal(h.rd(0x0e), 0x5a);
    assert.equal(h.rd(0x7f), 0xa5);
    h.wr(RTC_REG_D, 0);
    assert.equal(h.rd(RTC_REG_D), 0x80);
    h.rtc.write(0, 1, 0x80 | 0x0e); // NMI-disable bit is ignored
    assert.equal(h.rtc.read(1, 1), 0x5a);
  });

  test('checkpoint state round-trips (time keeps running from the same base)', () => {
    const a = make();
    a.wr(2, 0x33);
    a.wr(RTC_REG_B, 0x02 | 0x40);
    const bytes = saveState(a.rtc);
    const b = make();
    restoreState(b.rtc, bytes);
    b.t.now = 60 * S;
    assert.equal(b.rd(2), 0x34);
    assert.equal(b.rd(RTC_REG_B), 0x42);
  });
});
