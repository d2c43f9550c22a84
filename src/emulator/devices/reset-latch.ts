// A deferred board reset: a guest register write asks for it, and it runs at the next
// event check, outside the instruction that asked (a reset inside an instruction would
// pull the CPU state from under it). Declared state: whether a reset is pending.

import type { Device, TimedDevice } from './device';
import type { StateSpec } from '../snapshot/state';

export class ResetLatch implements Device, TimedDevice {
  readonly name = 'reset-latch';
  readonly size = 0;
  readonly stateSpec: StateSpec = { name: 'reset-latch', version: 1, fields: { pending: 'bool' } };
  readonly state = { pending: false };
  constructor(private readonly fire: () => void) {}
  reset(): void { this.state.pending = false; }
  read(): number { return 0; }
  write(): void {}
  nextEvent(): number { return this.state.pending ? 0 : Infinity; }
  tick(): void {
    if (!this.state.pending) return;
    this.state.pending = false;
    this.fire();
  }
}
