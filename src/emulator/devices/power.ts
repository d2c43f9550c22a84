// "syscon" power controller of the built-in demo board: lets a guest program end the
// emulation with an exit code, or ask for a machine reset.
//
// Register window: 8 bytes.
//   offset 0  CMD (write, 32-bit or wider; reads as 0)
//               0x5a5a0000 | code  power off, exit code = code & 0xff
//               0x52534554 ('RSET') reset the machine, at the next instruction
//                                   boundary (after the store, before the next
//                                   instruction: a reset inside the store would pull
//                                   the CPU state from under it)
//               anything else       ignored
//             Writes narrower than 32 bits are ignored. For 64-bit writes the low 32
//             bits of the value are the command, so `sd` works on either endianness.
//   offset 4  ID (read-only) 0x4d503634 = 'MP64'. A 32-bit read at offset 4 (or a
//             64-bit read at offset 0) returns 0x4d503634; byte and halfword reads see
//             the ID in big-endian byte order, so the bytes at 4..7 spell "MP64".
//
// Power-off takes effect in the write (the machine stops); a reset is latched and done
// by tick() at the next event check, which the bus asks for after every device access.
// Declared state: whether a reset is pending (version 2; version 1, which had no
// state, is read as none pending).

import type { AccessSize, Device, TimedDevice } from './device';
import type { StateSpec } from '../snapshot/state';

export const POWER_CMD = 0;
export const POWER_ID = 4;
export const POWER_ID_VALUE = 0x4d503634; // 'MP64'
export const POWER_OFF_MAGIC = 0x5a5a0000;
export const POWER_RESET_MAGIC = 0x52534554; // 'RSET'

export interface PowerOptions {
  /** Device and state name; default "power". */
  name?: string;
  onPowerOff: (code: number) => void;
  onReset: () => void;
}

export class PowerDevice implements Device, TimedDevice {
  readonly name: string;
  readonly size = 8;
  readonly stateSpec: StateSpec;
  readonly state = { resetPending: false };
  private readonly onPowerOff: (code: number) => void;
  private readonly onReset: () => void;

  constructor(opts: PowerOptions) {
    this.name = opts.name ?? 'power';
    this.stateSpec = {
      name: this.name, version: 2, fields: { resetPending: 'bool' },
      minVersion: 1, upgrades: { 1: () => ({ resetPending: false }) },
    };
    this.onPowerOff = opts.onPowerOff;
    this.onReset = opts.onReset;
  }

  reset(): void { this.state.resetPending = false; }

  nextEvent(): number { return this.state.resetPending ? 0 : Infinity; }

  tick(): void {
    if (!this.state.resetPending) return;
    this.state.resetPending = false;
    this.onReset();
  }

  read(offset: number, size: AccessSize): number {
    if (!(offset >= 0 && offset + size <= this.size)) return 0;
    // Big-endian image of the window: 00 00 00 00 'M' 'P' '6' '4'.
    let v = 0;
    for (let i = 0; i < size; i++) {
      const p = offset + i;
      const byte = p < 4 ? 0 : (POWER_ID_VALUE >>> (8 * (7 - p))) & 0xff;
      v = v * 256 + byte;
    }
    return v;
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset !== POWER_CMD || size < 4) return;
    const cmd = (value % 0x100000000) >>> 0;
    if (cmd >>> 16 === POWER_OFF_MAGIC >>> 16) this.onPowerOff(cmd & 0xff);
    else if (cmd === POWER_RESET_MAGIC) this.state.resetPending = true;
  }
}
