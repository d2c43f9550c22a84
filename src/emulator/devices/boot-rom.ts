// The Malta boot ROM window (4 MiB at physical 0x1fc00000, the reset vector
// 0xbfc00000): a read-only copy of the start of the flash. With a directly booted
// kernel there is no firmware in it; what Linux reads is the board identification
// word at offset 0x10, 0x00000420: core card "Core LV" ((v >> 10) & 0x3f = 1) and
// system controller GT-64120 (v >> 24 = 0). The first 4 KiB are an image the board
// fills (ID word included); the rest reads 0. Writes are ignored. The image is
// configuration, not state: it never changes while the machine runs.

import type { AccessSize, Device } from './device';
import type { StateSpec } from '../snapshot/state';

export const MALTA_BOARD_ID = 0x00000420;
export const BOARD_ID_OFFSET = 0x10;

export class BootRom implements Device {
  readonly name: string;
  readonly size = 0x400000;
  readonly stateSpec: StateSpec;
  readonly state: Record<string, never> = {};
  /** The first 4 KiB of the ROM. */
  readonly image = new Uint8Array(4096);

  constructor(private readonly bigEndian: boolean, name = 'bootrom') {
    this.name = name;
    this.stateSpec = { name, version: 1, fields: {} };
    this.putWord(BOARD_ID_OFFSET, MALTA_BOARD_ID);
  }

  /** Stores a 32-bit word in the CPU's byte order. */
  putWord(offset: number, v: number): void {
    for (let i = 0; i < 4; i++) {
      this.image[offset + (this.bigEndian ? 3 - i : i)] = (v >>> (8 * i)) & 0xff;
    }
  }

  reset(): void {}

  read(offset: number, size: AccessSize): number {
    let v = 0;
    for (let i = 0; i < size; i++) {
      const o = offset + (this.bigEndian ? i : size - 1 - i);
      v = v * 256 + (o < this.image.length ? this.image[o] : 0);
    }
    return v;
  }

  write(): void {}
}
