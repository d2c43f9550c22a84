// Malta FPGA registers (as QEMU models them) and the PIIX4 power-management block
// that Linux's piix4-poweroff driver writes to power the board off.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqLine } from '../../src/emulator/devices/irq.js';
import {
  FPGA_ASCIIPOS0, FPGA_ASCIIWORD, FPGA_BRKRES, FPGA_GPINP, FPGA_I2CSEL, FPGA_JMPRS, FPGA_LEDBAR, FPGA_SOFTRES,
  FPGA_STATUS, FPGA_SWITCH, FPGA_UART, MaltaFpga,
} from '../../src/emulator/devices/malta-fpga.js';
import { PM_PMCNTRL, PM_PMSTS, PM_PMTMR, Piix4Power } from '../../src/emulator/devices/piix4-power.js';
import { Uart16550 } from '../../src/emulator/devices/uart16550.js';
import { restoreState, saveState } from '../../src/emulator/snapshot/state.js';

function fpga(bigEndian = false): { f: MaltaFpga; resets: () => number; uart: Uart16550; tx: number[] } {
  let resets = 0;
  const tx: number[] = [];
  const uart = new Uart16550({ name: 'uart2', irq: new IrqLine('u'), regShift: 3, instantaneous: true, onTransmit: (b) => tx.push(b) });
  const f = new MaltaFpga({ bigEndian, onReset: () => { resets++; }, uart });
  return { f, resets: () => resets, uart, tx };
}

describe('Malta FPGA', () => {
  test('identification registers', () => {
    const { f } = fpga();
    assert.equal(f.read(FPGA_SWITCH, 4), 0);
    assert.equal(f.read(FPGA_STATUS, 4), 0x10);
    assert.equal(fpga(true).f.read(FPGA_STATUS, 4), 0x12);
    assert.equal(f.read(FPGA_JMPRS, 4) & 0x1c, 0, 'PCI clock field 0: 33 MHz');
    assert.equal(f.read(FPGA_BRKRES, 4), 0x0a);
  });

  test('LED bar and ASCII display', () => {
    const { f } = fpga();
    assert.equal(f.displayText(), '        ');
    f.write(FPGA_LEDBAR, 4, 0x181);
    assert.equal(f.read(FPGA_LEDBAR, 4), 0x81);
    assert.equal(f.ledText(), '#      #');
    f.write(FPGA_ASCIIWORD, 4, 0xdeadbeef);
    assert.equal(f.displayText(), 'DEADBEEF');
    'LINUX ON'.split('').forEach((ch, i) => f.write(FPGA_ASCIIPOS0 + 8 * i, 4, ch.charCodeAt(0)));
    assert.equal(f.displayText(), 'LINUX ON');
    f.write(FPGA_ASCIIPOS0 + 4, 1, 0x41); // not a register
    assert.equal(f.displayText(), 'LINUX ON');
  });

  test('SOFTRES: only 0x42 resets the board (Linux syscon-reboot)', () => {
    const { f, resets } = fpga();
    f.write(FPGA_SOFTRES, 4, 0x41);
    assert.equal(resets(), 0);
    f.write(FPGA_SOFTRES, 4, 0x42);
    assert.equal(resets(), 1);
  });

  test('GPINP mirrors I2COUT while I2CSEL is set', () => {
    const { f } = fpga();
    assert.equal(f.read(FPGA_GPINP, 4), 3);
    f.write(FPGA_I2CSEL, 4, 0);
    assert.equal(f.read(FPGA_GPINP, 4), 0);
  });

  test('the CBUS UART answers at 0x900 with 8-byte register spacing', () => {
    const { f, tx } = fpga();
    f.write(FPGA_UART + 3 * 8, 4, 0x03); // LCR
    assert.equal(f.read(FPGA_UART + 3 * 8, 4), 0x03);
    f.write(FPGA_UART, 4, 0x41);
    assert.deepEqual(tx, [0x41]);
  });

  test('checkpoint state round-trips', () => {
    const a = fpga();
    a.f.write(FPGA_ASCIIWORD, 4, 0x1234);
    a.f.write(FPGA_LEDBAR, 4, 0x0f);
    const b = fpga();
    restoreState(b.f, saveState(a.f));
    assert.equal(b.f.displayText(), '00001234');
    assert.equal(b.f.read(FPGA_LEDBAR, 4), 0x0f);
  });
});

describe('PIIX4 power management', () => {
  function pm(): { p: Piix4Power; offs: () => number; t: { now: number }; ports: number[] } {
    let offs = 0;
    const t = { now: 0 };
    const ports: number[] = [];
    const p = new Piix4Power({ now: () => t.now, onPowerOff: () => { offs++; }, onIoMove: (port) => ports.push(port) });
    return { p, offs: () => offs, t, ports };
  }

  test('the block is decoded only once PMREGMISC enables it, at PMBA', () => {
    const { p, ports } = pm();
    assert.equal(p.ioBase, -1);
    p.pm.configWrite(0x40, 2, 0x1000);
    assert.equal(p.ioBase, -1);
    p.pm.configWrite(0x80, 1, 1);
    assert.equal(p.ioBase, 0x1000);
    assert.equal(ports.at(-1), 0x1000);
  });

  test('piix4_poweroff: clear PWRBTN_STS, then PMCNTRL = SUS_EN | SUS_TYP 0 powers off', () => {
    const { p, offs } = pm();
    assert.equal(p.read(PM_PMSTS, 2) & 0x100, 0);
    p.write(PM_PMSTS, 2, 0x100);
    p.write(PM_PMCNTRL, 2, 1 << 13);
    assert.equal(offs(), 1);
    assert.equal(p.read(PM_PMCNTRL, 2) & (1 << 13), 0, 'SUS_EN reads 0');
  });

  test('other sleep types do not power off; SCI_EN is stored', () => {
    const { p, offs } = pm();
    p.write(PM_PMCNTRL, 2, (1 << 13) | (1 << 10) | 1);
    assert.equal(offs(), 0);
    assert.equal(p.read(PM_PMCNTRL, 2), (1 << 10) | 1);
  });

  test('PM timer counts at 3.579545 MHz, 24 bits', () => {
    const { p, t } = pm();
    t.now = 1e9;
    assert.equal(p.read(PM_PMTMR, 4), 3579545);
    t.now = 10e9;
    assert.equal(p.read(PM_PMTMR, 4), 35795450 % 0x1000000);
  });
});
