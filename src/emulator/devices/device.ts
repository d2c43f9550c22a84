// The one interface every emulated device implements: reset, register read/write at
// an offset inside its mapped window, and declared state for checkpoints. Devices are
// mapped on the physical bus by address (see memory/bus.ts); they never touch module
// globals, and they raise interrupts through IrqLine objects handed to them.

import { Stateful } from '../snapshot/state';

export type AccessSize = 1 | 2 | 4 | 8;

export interface Device extends Stateful {
  readonly name: string;
  /** Size of the register window in bytes. */
  readonly size: number;
  reset(): void;
  /** Reads `size` bytes at `offset` (value in the device's natural byte order, as a u32 / u64 number ≤ 2^53). */
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  /** Optional: bigint access for 64-bit registers. */
  read64?(offset: number): bigint;
  write64?(offset: number, value: bigint): void;
}

/** A device that needs time: the machine calls it when virtual time reaches `nextEvent()`. */
export interface TimedDevice {
  /** Virtual time (ns) of the next event this device wants, or Infinity. */
  nextEvent(): number;
  /** Advances the device to virtual time `now` (ns). */
  tick(now: number): void;
}

export function isTimed(d: unknown): d is TimedDevice {
  return typeof (d as TimedDevice).nextEvent === 'function' && typeof (d as TimedDevice).tick === 'function';
}
