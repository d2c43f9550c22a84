// The Intel PIIX4 south bridge's PCI functions as Malta's Linux needs them: function
// 0 (ISA bridge, 8086:7110, configuration space only) and function 3 (power
// management, 8086:7113) with its PM I/O block, which is how Linux powers the board
// off.
//
// How `poweroff` gets here: Linux's PCI scan finds 00:0a.3 through the GT-64120's
// configuration registers; the Malta fixup (arch/mips/pci/fixup-malta.c) writes
// PMBA (config 0x40) = 0x1000 and sets PMREGMISC (config 0x80) bit 0 to enable the
// block; the PIIX4 ACPI quirk claims [io 0x1000-0x103f]; the piix4-poweroff driver
// (drivers/power/reset/piix4-poweroff.c) binds to 8086:7113 and, on power-off,
// clears PWRBTN_STS in PMSTS, then writes PMCNTRL = SUS_EN | SUS_TYP 0 (soft off).
// That write ends the machine (QEMU does the same on SUS_EN with type 0), so the
// special bus cycle the driver issues afterwards is never needed.
//
// PM I/O block (64 bytes at PMBA & 0xffc0 while PMREGMISC.0 is set):
//   0x00 PMSTS   16-bit, write 1 to clear (PWRBTN_STS bit 8 etc.)
//   0x02 PMEN    16-bit
//   0x04 PMCNTRL 16-bit: SCI_EN (0), SUS_TYP (12:10), SUS_EN (13, write-only):
//                SUS_EN with SUS_TYP 0 powers off; other types are stored only
//   0x08 PMTMR   24-bit ACPI timer at 3.579545 MHz from virtual time (read-only)
//   other bytes  stored
//
// Function 3's configuration also holds the SMBus base (0x90 = 0x1101, enabled by
// 0xd2 bit 0) as QEMU's Malta sets it, so Linux claims the same regions; no SMBus
// controller is modelled behind it.

import type { AccessSize, Device } from './device';
import { PciConfig } from './pci';
import type { StateSpec } from '../snapshot/state';

export const PIIX4_DEVFN = 10 << 3;
export const PM_PMSTS = 0x00;
export const PM_PMEN = 0x02;
export const PM_PMCNTRL = 0x04;
export const PM_PMTMR = 0x08;
export const PMCNTRL_SUS_EN = 1 << 13;
export const PMTMR_HZ = 3579545;

const FIELDS = { isaConfig: 'u8array', pmConfig: 'u8array', regs: 'u8array' } as const;

export interface Piix4PowerOptions {
  name?: string;
  now: () => number;
  onPowerOff: () => void;
  /** The PM I/O block moved: port base, or -1 when disabled. */
  onIoMove?: (port: number) => void;
}

export class Piix4Power implements Device {
  readonly name: string;
  readonly size = 64;
  readonly stateSpec: StateSpec;
  readonly state: { isaConfig: Uint8Array; pmConfig: Uint8Array; regs: Uint8Array };
  /** PCI function 0: ISA bridge configuration space. */
  readonly isa: PciConfig;
  /** PCI function 3: power management configuration space. */
  readonly pm: PciConfig;

  constructor(private readonly opts: Piix4PowerOptions) {
    this.name = opts.name ?? 'piix4';
    this.stateSpec = { name: this.name, version: 1, fields: FIELDS, ranges: { isaConfig: { length: 256 }, pmConfig: { length: 256 }, regs: { length: 64 } } };
    this.state = { isaConfig: new Uint8Array(256), pmConfig: new Uint8Array(256), regs: new Uint8Array(64) };
    this.isa = new PciConfig(this.state.isaConfig);
    this.pm = new PciConfig(this.state.pmConfig, (reg, size) => {
      if ((reg < 0x44 && reg + size > 0x40) || (reg <= 0x80 && reg + size > 0x80)) this.opts.onIoMove?.(this.ioBase);
    });
    this.pm.wmask[0x40] = 0xc0; // PMBA: 64-byte aligned, bit 0 reads 1 (I/O space)
    this.pm.wmask[0x42] = 0; this.pm.wmask[0x43] = 0;
    this.reset();
  }

  reset(): void {
    const i = this.isa, p = this.pm;
    i.bytes.fill(0);
    i.setIdentity({ vendor: 0x8086, device: 0x7110, revision: 0, classCode: 0x060100, headerType: 0x80 });
    i.set(0x04, 2, 0x0007); // I/O, memory, bus master enabled
    i.set(0x06, 2, 0x0200); // medium DEVSEL
    // Datasheet defaults of the registers Linux's Malta fixups read: PIRQ[A-D] routing
    // disabled, SERIRQ control, top of memory.
    i.set(0x60, 4, 0x80808080);
    i.set(0x64, 1, 0x10);
    i.set(0x69, 1, 0x02);
    p.bytes.fill(0);
    p.setIdentity({ vendor: 0x8086, device: 0x7113, revision: 0x03, classCode: 0x068000, interruptPin: 1 });
    p.set(0x06, 2, 0x0280);
    p.set(0x40, 1, 0x01);
    p.set(0x90, 4, 0x00001101); // SMBus base 0x1100, I/O
    p.set(0xd2, 1, 0x09); // SMBus host enable, IRQ 9 routing
    this.state.regs.fill(0);
    this.opts.onIoMove?.(this.ioBase);
  }

  afterRestore(): void {
    this.opts.onIoMove?.(this.ioBase);
  }

  /** Port of the PM I/O block, or -1 while PMREGMISC.0 is clear. */
  get ioBase(): number {
    if (!(this.pm.get(0x80, 1) & 1)) return -1;
    return this.pm.get(0x40, 4) & 0xffc0;
  }

  read(offset: number, size: AccessSize): number {
    if (offset < 0 || offset >= 64) return 0xffffffff;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.byte(offset + i);
    return v;
  }

  private byte(o: number): number {
    if (o >= PM_PMTMR && o < PM_PMTMR + 4) {
      const ticks = Math.floor((this.opts.now() * PMTMR_HZ) / 1e9) % 0x1000000;
      return o - PM_PMTMR < 3 ? (ticks >>> (8 * (o - PM_PMTMR))) & 0xff : 0;
    }
    if (o === PM_PMCNTRL + 1) return this.state.regs[o] & ~(PMCNTRL_SUS_EN >> 8);
    return this.state.regs[o];
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset < 0 || offset >= 64) return;
    const r = this.state.regs;
    for (let i = 0; i < size && offset + i < 64; i++) {
      const o = offset + i, b = (value >>> (8 * i)) & 0xff;
      if (o < PM_PMSTS + 2) r[o] &= ~b; // W1C status
      else if (o >= PM_PMTMR && o < PM_PMTMR + 4) continue; // timer read-only
      else r[o] = b;
    }
    if (offset <= PM_PMCNTRL + 1 && offset + size > PM_PMCNTRL) {
      const cntrl = r[PM_PMCNTRL] | (r[PM_PMCNTRL + 1] << 8);
      if (cntrl & PMCNTRL_SUS_EN) {
        r[PM_PMCNTRL + 1] &= ~(PMCNTRL_SUS_EN >> 8);
        if (((cntrl >> 10) & 7) === 0) this.opts.onPowerOff();
      }
    }
  }
}
