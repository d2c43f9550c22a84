// GT-64120: reset values, register read-back with the part's masks (what Linux's
// mips_pcibios_init checks), the ISD relocation QEMU's boot stub performs, PCI_0
// window moves, configuration access through 0xCF8/0xCFC as ops-gt64xxx_pci0.c
// does it (with the INTRCAUSE abort check), the PIIX4 functions behind it,
// endianness, narrow accesses and checkpoint state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GT_INTRCAUSE, GT_ISD, GT_PCI0_CFGADDR, GT_PCI0_CFGDATA, GT_PCI0_CMD, GT_PCI0IOHD, GT_PCI0IOLD, GT_PCI0IOREMAP,
  GT_PCI0M0HD, GT_PCI0M0LD, GT_PCI0M0REMAP, GT_PCI0M1HD, GT_PCI0M1LD, GT_CPU, Gt64120, PciWindow,
} from '../../src/emulator/devices/gt64120.js';
import { PIIX4_DEVFN, Piix4Power } from '../../src/emulator/devices/piix4-power.js';
import { restoreState, saveState } from '../../src/emulator/snapshot/state.js';

function make(bigEndian = false): { gt: Gt64120; isd: number[]; io: PciWindow[]; piix4: Piix4Power; pm: number[] } {
  const isd: number[] = [], io: PciWindow[] = [], pm: number[] = [];
  const gt = new Gt64120({ bigEndian, iack: () => 0x42, onIsdMove: (b) => isd.push(b), onPciIoMove: (w) => io.push(w) });
  const piix4 = new Piix4Power({ now: () => 0, onPowerOff: () => {}, onIoMove: (p) => pm.push(p) });
  gt.attachPci(PIIX4_DEVFN, piix4.isa);
  gt.attachPci(PIIX4_DEVFN | 3, piix4.pm);
  return { gt, isd, io, piix4, pm };
}

/** The stub's writes (32-bit stores of little-endian values). */
function bootStub(gt: Gt64120): void {
  gt.write(GT_ISD, 4, 0xdf);
  gt.write(GT_PCI0IOLD, 4, 0xc0);
  gt.write(GT_PCI0IOHD, 4, 0x40);
  gt.write(GT_PCI0M0LD, 4, 0x80);
  gt.write(GT_PCI0M0HD, 4, 0x3f);
  gt.write(GT_PCI0M1LD, 4, 0xc1);
  gt.write(GT_PCI0M1HD, 4, 0x5e);
}

/** gt64xxx_pci0_pcibios_config_access for a read: returns the value or -1 on abort. */
function cfgRead(gt: Gt64120, bus: number, devfn: number, reg: number): number {
  if (bus === 0 && devfn >= (31 << 3)) return -1;
  gt.write(GT_INTRCAUSE, 4, ~(0x40000 | 0x80000) >>> 0); // clear abort bits
  gt.write(GT_PCI0_CFGADDR, 4, (0x80000000 | (bus << 16) | (devfn << 8) | (reg & 0xfc)) >>> 0);
  const v = gt.read(GT_PCI0_CFGDATA, 4);
  if (gt.read(GT_INTRCAUSE, 4) & (0x40000 | 0x80000)) return -1;
  return v >>> 0;
}

function cfgWrite(gt: Gt64120, devfn: number, reg: number, size: 1 | 2 | 4, v: number): void {
  gt.write(GT_PCI0_CFGADDR, 4, (0x80000000 | (devfn << 8) | (reg & 0xfc)) >>> 0);
  gt.write(GT_PCI0_CFGDATA + (reg & 3), size, v);
}

describe('GT-64120', () => {
  test('reset: registers at 0x14000000, little-endian, byte-swap bits set', () => {
    const { gt, isd } = make();
    assert.equal(gt.isdBase, 0x14000000);
    assert.deepEqual(isd, [0x14000000]);
    assert.equal(gt.read(GT_ISD, 4), 0xa0);
    assert.equal(gt.read(GT_CPU, 4) & 0x1000, 0x1000);
    assert.equal(gt.read(GT_PCI0_CMD, 4), 0x00010001);
    assert.deepEqual(gt.pciIoWindow, { base: 0x10000000, size: 0x02000000 });
  });

  test('the boot stub moves the registers and programs the PCI windows; registers read back', () => {
    const { gt, isd, io } = make();
    bootStub(gt);
    assert.equal(isd.at(-1), 0x1be00000);
    assert.equal(gt.read(GT_ISD, 4), 0xdf);
    assert.deepEqual(io.at(-1), { base: 0x18000000, size: 0x200000 });
    assert.equal(gt.read(GT_PCI0IOLD, 4), 0xc0);
    assert.equal(gt.read(GT_PCI0IOREMAP, 4), 0xc0, 'LD write sets REMAP');
    assert.equal(gt.read(GT_PCI0IOHD, 4), 0x40);
    assert.equal(gt.read(GT_PCI0M0REMAP, 4), 0x80);
    assert.deepEqual(gt.pciMem0Window, { base: 0x10000000, size: 0x08000000 });
    assert.deepEqual(gt.pciMem1Window, { base: 0x18200000, size: 0x1be00000 - 0x18200000 });
    // What Linux's pci-malta.c derives: I/O base, size and remap must be consistent.
    const start = (gt.read(GT_PCI0IOLD, 4) & 0x7fff) << 21;
    const end = ((gt.read(GT_PCI0IOHD, 4) & 0x7f) << 21) | (start & 0xffe00000) | 0x1fffff;
    assert.equal(start, 0x18000000);
    assert.equal(end >>> 0, 0x181fffff);
  });

  test('masks: LD keeps 15 bits, HD 7, REMAP 11; ISD avoids the flash and boot ROM', () => {
    const { gt } = make();
    gt.write(GT_PCI0M0LD, 4, 0xffffffff);
    assert.equal(gt.read(GT_PCI0M0LD, 4), 0x7fff);
    assert.equal(gt.read(GT_PCI0M0REMAP, 4), 0x7ff);
    gt.write(GT_PCI0M0HD, 4, 0xffffffff);
    assert.equal(gt.read(GT_PCI0M0HD, 4), 0x7f);
    gt.write(GT_PCI0IOREMAP, 4, 0);
    assert.equal(gt.read(GT_PCI0IOREMAP, 4), 0, 'Linux clears overlapping remap bits');
    gt.write(GT_ISD, 4, 0xf0); // 0x1e000000: inside the flash
    assert.equal(gt.isdBase, 0x1f100000);
    gt.write(GT_ISD, 4, 0xfe); // 0x1fc00000: the boot ROM
    assert.equal(gt.isdBase, 0x1fd00000);
  });

  test('PCI0_IACK returns the interrupt controller vector', () => {
    const { gt } = make();
    assert.equal(gt.read(0xc34, 4), 0x42);
  });

  test('INTRCAUSE: the CPU can only clear bits; Linux\'s abort check sees none', () => {
    const { gt } = make();
    gt.write(GT_INTRCAUSE, 4, 0xffffffff);
    assert.equal(gt.read(GT_INTRCAUSE, 4), 0);
  });

  test('configuration scan: the controller itself, the PIIX4 functions, empty slots', () => {
    const { gt } = make();
    assert.equal(cfgRead(gt, 0, 0, 0), 0x462011ab);
    assert.equal(cfgRead(gt, 0, 0, 8) >>> 8, 0x060000, 'host bridge class');
    assert.equal(cfgRead(gt, 0, PIIX4_DEVFN, 0), 0x71108086);
    assert.equal((cfgRead(gt, 0, PIIX4_DEVFN, 0x0c) >>> 16) & 0xff, 0x80, 'multi-function header');
    assert.equal(cfgRead(gt, 0, PIIX4_DEVFN | 1, 0), 0xffffffff, 'no IDE function');
    assert.equal(cfgRead(gt, 0, PIIX4_DEVFN | 3, 0), 0x71138086);
    assert.equal(cfgRead(gt, 0, PIIX4_DEVFN | 3, 8) >>> 8, 0x068000);
    assert.equal(cfgRead(gt, 0, 11 << 3, 0), 0xffffffff);
    assert.equal(cfgRead(gt, 1, 0, 0), 0xffffffff, 'no other bus');
    gt.write(GT_PCI0_CFGADDR, 4, 0); // enable bit clear
    assert.equal(gt.read(GT_PCI0_CFGDATA, 4), 0xffffffff);
  });

  test('the controller\'s BARs are read-only (Linux cannot size BARs 1-5)', () => {
    const { gt } = make();
    cfgWrite(gt, 0, 0x14, 4, 0xffffffff);
    assert.equal(cfgRead(gt, 0, 0, 0x14), 0x01000008);
    cfgWrite(gt, 0, 0x20, 4, 0x1be00000);
    assert.equal(cfgRead(gt, 0, 0, 0x20), 0x14000000);
  });

  test('narrow configuration accesses and the Malta PIIX4 fixups', () => {
    const { gt, pm } = make();
    gt.write(GT_PCI0_CFGADDR, 4, 0x80000000 | (PIIX4_DEVFN << 8));
    assert.equal(gt.read(GT_PCI0_CFGDATA + 2, 2), 0x7110, 'device ID by halfword');
    assert.equal(gt.read(GT_PCI0_CFGDATA + 1, 1), 0x80, 'vendor high byte');
    // malta_piix_func3_base_fixup: PMBA = 0x1000, PMREGMISC = 1.
    cfgWrite(gt, PIIX4_DEVFN | 3, 0x40, 2, 0x1000);
    cfgWrite(gt, PIIX4_DEVFN | 3, 0x80, 1, 0x01);
    assert.equal(cfgRead(gt, 0, PIIX4_DEVFN | 3, 0x40), 0x1001, 'bit 0 marks I/O space');
    assert.equal(pm.at(-1), 0x1000);
    // The PIIX4 ACPI quirk reads SMBus base 0x90.
    assert.equal(cfgRead(gt, 0, PIIX4_DEVFN | 3, 0x90) & 0xfff0, 0x1100);
  });

  test('config data follows MByteSwap: clear = swapped on a little-endian CPU', () => {
    const { gt } = make();
    gt.write(GT_PCI0_CMD, 4, 0);
    assert.equal(cfgRead(gt, 0, 0, 0), 0xab112046);
    gt.write(GT_PCI0_CMD, 4, 0x10001);
    assert.equal(cfgRead(gt, 0, 0, 0), 0x462011ab);
  });

  test('big-endian CPU: Endianness bit clear, registers appear byte-swapped', () => {
    const { gt } = make(true);
    assert.equal(gt.reg(GT_CPU) & 0x1000, 0);
    assert.equal(gt.read(GT_ISD, 4), 0xa0000000);
    gt.write(GT_ISD, 4, 0xdf000000);
    assert.equal(gt.isdBase, 0x1be00000);
    assert.equal(gt.read(GT_ISD + 3, 1), 0x00, 'byte lanes in big-endian order');
    assert.equal(gt.read(GT_ISD, 1), 0xdf);
  });

  test('little-endian byte and halfword reads pick lanes of the 32-bit register', () => {
    const { gt } = make();
    gt.write(GT_PCI0M1LD, 4, 0x1234);
    assert.equal(gt.read(GT_PCI0M1LD, 1), 0x34);
    assert.equal(gt.read(GT_PCI0M1LD + 1, 1), 0x12);
    assert.equal(gt.read(GT_PCI0M1LD, 2), 0x1234);
    assert.equal(gt.read(GT_PCI0M1HD, 4), 0x1f, 'HD untouched');
  });

  test('checkpoint state restores the register file and re-announces the windows', () => {
    const a = make();
    bootStub(a.gt);
    const bytes = saveState(a.gt);
    const b = make();
    restoreState(b.gt, bytes);
    assert.equal(b.isd.at(-1), 0x1be00000);
    assert.deepEqual(b.io.at(-1), { base: 0x18000000, size: 0x200000 });
    assert.equal(b.gt.read(GT_PCI0M1LD, 4), 0xc1);
  });
});
