// The Malta board's FPGA register block (1 MiB window at physical 0x1f000000):
// switches, status and jumpers, the 8-LED bar and the 8-character ASCII display,
// software reset, break/reset control, general-purpose output and the I2C bit-bang
// lines. Offsets 0x900-0x9ff hold the "CBUS" UART, a separate device the board
// passes in (forwarded here, absent = reads 0).
//
//   0x200 SWITCH     reads 0
//   0x208 STATUS     reads 0x10 (little-endian board), 0x12 (big-endian)
//   0x210 JMPRS      reads 0 (Linux: PCI clock field 0 = 33 MHz)
//   0x408 LEDBAR     8 LEDs (bit i = LED i)
//   0x410 ASCIIWORD  writing shows the value as 8 hex digits
//   0x418-0x450 ASCIIPOS0-7 (8-byte stride): one character each
//   0x500 SOFTRES    writing 0x42 resets the board
//   0x508 BRKRES     stored (8 bits), reset value 0x0a
//   0xa00 GPOUT      stored (8 bits)
//   0xa08 GPINP      reads I2COUT while I2CSEL is set, else 0
//   0xb00 I2CINP     reads 0x3 (both lines idle high; no SPD EEPROM is modelled)
//   0xb08 I2COE, 0xb10 I2COUT, 0xb18 I2CSEL   stored
// Registers answer at their exact offsets, any access size (the value is returned
// whole, masked to the access size); other offsets read 0 and ignore writes.

import type { AccessSize, Device } from './device';
import type { StateSpec } from '../snapshot/state';

export const FPGA_SWITCH = 0x200;
export const FPGA_STATUS = 0x208;
export const FPGA_JMPRS = 0x210;
export const FPGA_LEDBAR = 0x408;
export const FPGA_ASCIIWORD = 0x410;
export const FPGA_ASCIIPOS0 = 0x418;
export const FPGA_SOFTRES = 0x500;
export const FPGA_BRKRES = 0x508;
export const FPGA_GPOUT = 0xa00;
export const FPGA_GPINP = 0xa08;
export const FPGA_I2CINP = 0xb00;
export const FPGA_I2COE = 0xb08;
export const FPGA_I2COUT = 0xb10;
export const FPGA_I2CSEL = 0xb18;
export const FPGA_UART = 0x900;
export const SOFTRES_MAGIC = 0x42;

const FIELDS = {
  leds: 'u8', brk: 'u8', gpout: 'u8', i2coe: 'u8', i2cout: 'u32', i2csel: 'u8',
  /** The 8 display characters as char codes. */
  display: 'bytes',
} as const;

export interface MaltaFpgaState {
  leds: number; brk: number; gpout: number; i2coe: number; i2cout: number; i2csel: number; display: number[];
  [k: string]: unknown;
}

export interface MaltaFpgaOptions {
  name?: string;
  bigEndian: boolean;
  /** SOFTRES written with 0x42. */
  onReset: () => void;
  /** Device at offsets 0x900-0x9ff (the CBUS UART), if any. */
  uart?: Device;
  /** Called when the LEDs or the display change (device view). */
  onDisplay?: () => void;
}

export class MaltaFpga implements Device {
  readonly name: string;
  readonly size = 0x100000;
  readonly stateSpec: StateSpec;
  readonly state: MaltaFpgaState;

  constructor(private readonly opts: MaltaFpgaOptions) {
    this.name = opts.name ?? 'fpga';
    this.stateSpec = { name: this.name, version: 1, fields: FIELDS, ranges: { display: { length: 8 } } };
    this.state = { leds: 0, brk: 0x0a, gpout: 0, i2coe: 0, i2cout: 3, i2csel: 1, display: [] };
    this.reset();
  }

  reset(): void {
    const s = this.state;
    s.leds = 0; s.brk = 0x0a; s.gpout = 0; s.i2coe = 0; s.i2cout = 3; s.i2csel = 1;
    s.display = new Array<number>(8).fill(0x20);
  }

  /** The 8-character ASCII display as text. */
  displayText(): string {
    return String.fromCharCode(...this.state.display);
  }

  /** The LED bar as 8 characters, LED 7 first ('#' lit, ' ' dark), as QEMU prints it. */
  ledText(): string {
    let t = '';
    for (let i = 7; i >= 0; i--) t += (this.state.leds >> i) & 1 ? '#' : ' ';
    return t;
  }

  read(offset: number, size: AccessSize): number {
    if (offset >= FPGA_UART && offset < FPGA_UART + 0x100) {
      return this.opts.uart && offset - FPGA_UART < this.opts.uart.size ? this.opts.uart.read(offset - FPGA_UART, size) : 0;
    }
    const s = this.state;
    let v: number;
    switch (offset) {
      case FPGA_SWITCH: v = 0; break;
      case FPGA_STATUS: v = this.opts.bigEndian ? 0x12 : 0x10; break;
      case FPGA_JMPRS: v = 0; break;
      case FPGA_LEDBAR: v = s.leds; break;
      case FPGA_BRKRES: v = s.brk; break;
      case FPGA_GPOUT: v = s.gpout; break;
      case FPGA_GPINP: v = s.i2csel ? s.i2cout : 0; break;
      case FPGA_I2CINP: v = 0x3; break;
      case FPGA_I2COE: v = s.i2coe; break;
      case FPGA_I2COUT: v = s.i2cout; break;
      case FPGA_I2CSEL: v = s.i2csel; break;
      default: v = 0;
    }
    return size >= 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset >= FPGA_UART && offset < FPGA_UART + 0x100) {
      if (this.opts.uart && offset - FPGA_UART < this.opts.uart.size) this.opts.uart.write(offset - FPGA_UART, size, value);
      return;
    }
    const s = this.state;
    const v = value >>> 0;
    switch (offset) {
      case FPGA_LEDBAR: s.leds = v & 0xff; this.opts.onDisplay?.(); return;
      case FPGA_ASCIIWORD: {
        const hex = (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
        s.display = Array.from(hex, (ch) => ch.charCodeAt(0));
        this.opts.onDisplay?.();
        return;
      }
      case FPGA_SOFTRES:
        if (v === SOFTRES_MAGIC) this.opts.onReset();
        return;
      case FPGA_BRKRES: s.brk = v & 0xff; return;
      case FPGA_GPOUT: s.gpout = v & 0xff; return;
      case FPGA_I2COE: s.i2coe = v & 3; return;
      case FPGA_I2COUT: s.i2cout = v; return;
      case FPGA_I2CSEL: s.i2csel = v & 1; return;
      default:
        if (offset >= FPGA_ASCIIPOS0 && offset <= FPGA_ASCIIPOS0 + 7 * 8 && (offset - FPGA_ASCIIPOS0) % 8 === 0) {
          s.display[(offset - FPGA_ASCIIPOS0) >> 3] = v & 0xff;
          this.opts.onDisplay?.();
        }
    }
  }
}
