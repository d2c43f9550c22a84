// 8259A pair driven as Linux's drivers/irqchip/irq-i8259.c does on Malta: the
// init_8259A sequence, interrupt acknowledge through the GT-64120's PCI0_IACK
// register, specific EOIs (slave then master for IRQs 8-15), the ISR-based spurious
// check, plus the chip features Linux does not use (poll, rotation, auto-EOI,
// special mask, ELCR level mode) and checkpoint state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Gt64120, GT_PCI0_IACK } from '../../src/emulator/devices/gt64120.js';
import { I8259Pair } from '../../src/emulator/devices/i8259.js';
import { IrqLine } from '../../src/emulator/devices/irq.js';
import { restoreState, saveState } from '../../src/emulator/snapshot/state.js';

const M_CMD = 0, M_IMR = 1, S_CMD = 2, S_IMR = 3, ELCR1 = 4, ELCR2 = 5;

function make(): { pic: I8259Pair; gt: Gt64120; intr: () => boolean; edges: boolean[] } {
  const edges: boolean[] = [];
  let level = false;
  const pic = new I8259Pair(new IrqLine('intr', (l) => { level = l; edges.push(l); }));
  const gt = new Gt64120({ bigEndian: false, iack: () => pic.acknowledge() });
  return { pic, gt, intr: () => level, edges };
}

/** init_8259A(0) with vector bases 0 and 8, then every line masked. */
function linuxInit(pic: I8259Pair): void {
  pic.write(M_IMR, 1, 0xff);
  pic.write(S_IMR, 1, 0xff);
  pic.write(M_CMD, 1, 0x11); // ICW1: edge, cascade, ICW4 needed
  pic.write(M_IMR, 1, 0x00); // ICW2: vector base 0
  pic.write(M_IMR, 1, 1 << 2); // ICW3: slave on IR2
  pic.write(M_IMR, 1, 0x01); // ICW4: 8086 mode, normal EOI
  pic.write(S_CMD, 1, 0x11);
  pic.write(S_IMR, 1, 0x08);
  pic.write(S_IMR, 1, 0x02);
  pic.write(S_IMR, 1, 0x01);
  pic.write(M_IMR, 1, 0xff);
  pic.write(S_IMR, 1, 0xff);
}

/** enable_8259A_irq */
function unmask(pic: I8259Pair, irq: number): void {
  if (irq & 8) {
    pic.write(S_IMR, 1, pic.read(S_IMR, 1) & ~(1 << (irq & 7)));
    pic.write(M_IMR, 1, pic.read(M_IMR, 1) & ~(1 << 2));
  } else {
    pic.write(M_IMR, 1, pic.read(M_IMR, 1) & ~(1 << irq));
  }
}

/** mask_and_ack_8259A's EOI part. */
function eoi(pic: I8259Pair, irq: number): void {
  if (irq & 8) {
    pic.write(S_CMD, 1, 0x60 + (irq & 7));
    pic.write(M_CMD, 1, 0x60 + 2);
  } else {
    pic.write(M_CMD, 1, 0x60 + irq);
  }
}

const iack = (gt: Gt64120): number => gt.read(GT_PCI0_IACK, 4) & 0xff;
const readIsr = (pic: I8259Pair, cmd: number): number => { pic.write(cmd, 1, 0x0b); const v = pic.read(cmd, 1); pic.write(cmd, 1, 0x0a); return v; };
const readIrr = (pic: I8259Pair, cmd: number): number => { pic.write(cmd, 1, 0x0a); return pic.read(cmd, 1); };

describe('i8259 pair', () => {
  test('Linux init sequence leaves everything masked and quiet', () => {
    const { pic, intr } = make();
    linuxInit(pic);
    assert.equal(pic.read(M_IMR, 1), 0xff);
    assert.equal(pic.read(S_IMR, 1), 0xff);
    pic.setIrq(4, true);
    assert.equal(intr(), false, 'masked line does not interrupt');
    assert.equal(readIrr(pic, M_CMD) & 0x10, 0x10, 'but IRR records it');
  });

  test('master interrupt: INT, IACK through the GT, specific EOI', () => {
    const { pic, gt, intr } = make();
    linuxInit(pic);
    unmask(pic, 4);
    pic.setIrq(4, true);
    assert.equal(intr(), true);
    assert.equal(iack(gt), 4);
    assert.equal(intr(), false, 'in service: no new INT');
    assert.equal(readIsr(pic, M_CMD), 0x10);
    assert.equal(readIrr(pic, M_CMD) & 0x10, 0, 'edge request cleared by the acknowledge');
    pic.setIrq(4, false);
    eoi(pic, 4);
    assert.equal(readIsr(pic, M_CMD), 0);
    assert.equal(intr(), false);
  });

  test('cascaded slave interrupt (RTC, IRQ 8) and the double EOI', () => {
    const { pic, gt, intr } = make();
    linuxInit(pic);
    unmask(pic, 8);
    pic.setIrq(8, true);
    assert.equal(intr(), true);
    assert.equal(iack(gt), 8);
    assert.equal(readIsr(pic, M_CMD), 0x04, 'cascade line in service on the master');
    assert.equal(readIsr(pic, S_CMD), 0x01);
    pic.setIrq(8, false);
    eoi(pic, 8);
    assert.equal(readIsr(pic, M_CMD), 0);
    assert.equal(readIsr(pic, S_CMD), 0);
    // A second slave interrupt after the EOIs is delivered again.
    pic.setIrq(8, true);
    assert.equal(intr(), true);
    assert.equal(iack(gt), 8);
  });

  test('spurious acknowledge returns 7 without setting ISR (Linux checks ISR bit 7)', () => {
    const { pic, gt, intr } = make();
    linuxInit(pic);
    assert.equal(intr(), false);
    assert.equal(iack(gt), 7);
    assert.equal(readIsr(pic, M_CMD) & 0x80, 0);
  });

  test('priority: a lower-priority request waits for the EOI; a higher one nests', () => {
    const { pic, gt, intr } = make();
    linuxInit(pic);
    unmask(pic, 3); unmask(pic, 4); unmask(pic, 1);
    pic.setIrq(3, true);
    assert.equal(iack(gt), 3);
    pic.setIrq(4, true);
    assert.equal(intr(), false, 'IRQ 4 is below IRQ 3 in service');
    pic.setIrq(1, true);
    assert.equal(intr(), true, 'IRQ 1 preempts');
    assert.equal(iack(gt), 1);
    eoi(pic, 1);
    assert.equal(intr(), false);
    eoi(pic, 3);
    assert.equal(intr(), true);
    assert.equal(iack(gt), 4);
  });

  test('edge mode: a line held high does not re-trigger after EOI', () => {
    const { pic, gt, intr } = make();
    linuxInit(pic);
    unmask(pic, 4);
    pic.setIrq(4, true);
    assert.equal(iack(gt), 4);
    eoi(pic, 4);
    assert.equal(intr(), false);
    pic.setIrq(4, false);
    pic.setIrq(4, true);
    assert.equal(intr(), true, 'new rising edge');
  });

  test('level mode through ELCR: IRR follows the line and survives the acknowledge', () => {
    const { pic, gt, intr } = make();
    linuxInit(pic);
    pic.write(ELCR2, 1, 0xff);
    assert.equal(pic.read(ELCR2, 1), 0xde, 'IRQ 8 and 13 are edge-only');
    pic.write(ELCR1, 1, 0xff);
    assert.equal(pic.read(ELCR1, 1), 0xf8, 'IRQ 0-2 are edge-only');
    unmask(pic, 5);
    pic.setIrq(5, true);
    assert.equal(iack(gt), 5);
    eoi(pic, 5);
    assert.equal(intr(), true, 'still asserted: interrupts again');
    pic.setIrq(5, false);
    assert.equal(intr(), false);
    assert.equal(readIrr(pic, M_CMD) & 0x20, 0);
  });

  test('poll mode: OCW3 P=1 makes the next read return 0x80 | line and acknowledge it', () => {
    const { pic } = make();
    linuxInit(pic);
    unmask(pic, 6);
    pic.write(M_CMD, 1, 0x0c);
    assert.equal(pic.read(M_CMD, 1), 0, 'nothing pending');
    pic.setIrq(6, true);
    pic.write(M_CMD, 1, 0x0c);
    assert.equal(pic.read(M_CMD, 1), 0x86);
    assert.equal(readIsr(pic, M_CMD), 0x40);
    assert.equal(pic.read(M_IMR, 1), 0xff & ~(1 << 6), 'the poll is one-shot: next read is IMR again');
  });

  test('non-specific EOI with rotation makes the serviced line lowest priority', () => {
    const { pic, gt } = make();
    linuxInit(pic);
    unmask(pic, 3); unmask(pic, 5);
    pic.setIrq(3, true);
    assert.equal(iack(gt), 3);
    pic.write(M_CMD, 1, 0xa0); // rotate on non-specific EOI
    pic.setIrq(5, true);
    pic.setIrq(3, false);
    pic.setIrq(3, true);
    assert.equal(iack(gt), 5, 'IRQ 3 is now lowest priority');
  });

  test('auto-EOI mode leaves ISR clear', () => {
    const { pic, gt } = make();
    pic.write(M_CMD, 1, 0x11);
    pic.write(M_IMR, 1, 0x20);
    pic.write(M_IMR, 1, 0x04);
    pic.write(M_IMR, 1, 0x03); // ICW4: AEOI
    pic.write(M_IMR, 1, 0x00);
    pic.setIrq(1, true);
    assert.equal(iack(gt), 0x21, 'vector base 0x20');
    assert.equal(readIsr(pic, M_CMD), 0);
  });

  test('checkpoint state round-trips', () => {
    const a = make();
    linuxInit(a.pic);
    unmask(a.pic, 4);
    a.pic.setIrq(4, true);
    const bytes = saveState(a.pic);
    const b = make();
    restoreState(b.pic, bytes);
    assert.equal(b.intr(), true);
    assert.equal(iack(b.gt), 4);
  });
});
