// The ISA/PCI I/O port space as the CPU sees it through a bridge window (on Malta the
// GT-64120's PCI_0 I/O window, 2 MiB at 0x18000000: port N at window offset N).
// Devices are attached at port ranges, optionally at an offset inside their own
// register window (one device may answer at several port ranges, like the 8259
// pair at 0x20, 0xa0 and 0x4d0). Accesses to ports nobody decodes read all ones and
// ignore writes, as on a PC (so an absent i8042 keyboard controller reads 0xff).

import type { AccessSize, Device } from './device';
import type { StateSpec } from '../snapshot/state';

interface PortRange { port: number; size: number; dev: Device; devOffset: number }

export class IsaBus implements Device {
  readonly name: string;
  readonly stateSpec: StateSpec;
  readonly state: Record<string, never> = {};
  private ranges: PortRange[] = [];
  private last: PortRange | undefined;

  constructor(readonly size = 0x200000, name = 'isa-io') {
    this.name = name;
    this.stateSpec = { name, version: 1, fields: {} };
  }

  /** Makes `dev` answer at ports [port, port+size) (device offsets devOffset…). */
  attach(port: number, dev: Device, size = dev.size, devOffset = 0): void {
    this.ranges.push({ port, size, dev, devOffset });
    this.last = undefined;
  }

  /** Removes every range of `dev` (or only the one at `port`). */
  detach(dev: Device, port?: number): void {
    this.ranges = this.ranges.filter((r) => r.dev !== dev || (port !== undefined && r.port !== port));
    this.last = undefined;
  }

  reset(): void {}

  private find(port: number): PortRange | undefined {
    const l = this.last;
    if (l && port >= l.port && port < l.port + l.size) return l;
    for (const r of this.ranges) {
      if (port >= r.port && port < r.port + r.size) { this.last = r; return r; }
    }
    return undefined;
  }

  read(offset: number, size: AccessSize): number {
    const r = this.find(offset);
    if (!r) return size >= 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    return r.dev.read(offset - r.port + r.devOffset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const r = this.find(offset);
    if (r) r.dev.write(offset - r.port + r.devOffset, size, value);
  }
}
