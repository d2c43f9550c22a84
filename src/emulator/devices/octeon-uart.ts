// An Octeon MIO UART (MIO_UART0/1: a DesignWare 8250 with 64-bit registers 8 bytes
// apart, as Linux's 8250_dw drives it for "cavium,octeon-3860-uart"): the 16550
// registers at index 0-7 (Uart16550 with regShift 3 and 64-byte FIFOs), and the
// DesignWare/Octeon extras the kernel uses:
//   THR alias  (index 8, +0x40)   a transmit holding register that ignores LCR.DLAB: the
//                                 kernel's prom_putchar (early printk) writes it
//   DLL/DLH    (+0x80/+0x88)      the divisor latch without DLAB
//   USR        (index 0x27)       UART status: BUSY (never: the line is instantaneous or
//                                 the LCR write lands at once), TFNF, TFE, RFNE, RFF;
//                                 reading it clears a busy-detect indication
//   TFL/RFL    (+0x200/+0x208)    FIFO levels;  SRR (+0x210) software reset
// Any access size works (a byte/word access reads the register's low bits; the driver
// uses doublewords). Other registers of the window are reported once and read 0.

import type { AccessSize, Device, TimedDevice } from './device';
import { Uart16550, Uart16550Options } from './uart16550';

export const OCTEON_UART_SIZE = 0x400;
const THR_ALIAS = 0x40, DLL = 0x80, DLH = 0x88, USR = 0x138, TFL = 0x200, RFL = 0x208, SRR = 0x210;
const USR_TFNF = 0x02, USR_TFE = 0x04, USR_RFNE = 0x08, USR_RFF = 0x10;

export interface OcteonUartOptions extends Omit<Uart16550Options, 'regShift' | 'fifoSize'> {
  /** Reports an access to a register the model lacks (once per register, by the caller's policy). */
  unknown(offset: number, write: boolean): void;
}

export class OcteonUart implements Device, TimedDevice {
  readonly name: string;
  readonly size = OCTEON_UART_SIZE;
  readonly uart: Uart16550;
  private readonly unknown: (offset: number, write: boolean) => void;

  constructor(opts: OcteonUartOptions) {
    this.name = opts.name;
    this.uart = new Uart16550({ ...opts, regShift: 3, fifoSize: 64 });
    this.unknown = opts.unknown;
  }

  get stateSpec(): Uart16550['stateSpec'] { return this.uart.stateSpec; }
  get state(): Uart16550['state'] { return this.uart.state; }
  reset(): void { this.uart.reset(); }
  afterRestore(): void { this.uart.afterRestore(); }
  nextEvent(): number { return this.uart.nextEvent(); }
  tick(now: number): void { this.uart.tick(now); }
  receive(bytes: Uint8Array | readonly number[]): void { this.uart.receive(bytes); }

  read(offset: number, _size: AccessSize): number {
    const reg = offset & ~7;
    if (reg < 0x40) return this.uart.read(reg, 1);
    const s = this.uart.state;
    switch (reg) {
      case THR_ALIAS: return 0;
      case DLL: return s.dll;
      case DLH: return s.dlm;
      case USR: {
        const rx = s.rxFifo.length, tx = s.txFifo.length;
        return (tx < this.uart.fifoSize ? USR_TFNF : 0) | (tx === 0 ? USR_TFE : 0) | (rx > 0 ? USR_RFNE : 0)
          | (rx >= this.uart.fifoSize ? USR_RFF : 0);
      }
      case TFL: return s.txFifo.length;
      case RFL: return s.rxFifo.length;
      default: this.unknown(reg, false); return 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const reg = offset & ~7;
    if (reg < 0x40) { this.uart.write(reg, 1, value & 0xff); return; }
    const s = this.uart.state;
    switch (reg) {
      case THR_ALIAS: {
        // The holding register whatever DLAB says: clear DLAB around a THR write.
        const lcr = s.lcr;
        s.lcr = lcr & 0x7f;
        this.uart.write(0, 1, value & 0xff);
        s.lcr = lcr;
        return;
      }
      case DLL: s.dll = value & 0xff; return;
      case DLH: s.dlm = value & 0xff; return;
      case SRR: if (value & 1) this.uart.reset(); return;
      case USR: case TFL: case RFL: return; // read-only
      default: this.unknown(reg, true);
    }
  }

  read64(offset: number): bigint { return BigInt(this.read(offset, 8)); }
  write64(offset: number, value: bigint): void { this.write(offset, 8, Number(value & 0xffn)); }
}
