// Interrupt lines as objects: a device drives a line; whoever owns the sink (the CPU's
// Cause.IP bits, an 8259 input) reacts. Level-triggered; edge-triggered consumers
// watch transitions. The level is part of the driving device's state, not of the line.

export type IrqSink = (level: boolean) => void;

export class IrqLine {
  private level = false;
  constructor(readonly name: string, private sink: IrqSink = () => {}) {}

  /** Connects the line to its consumer (board wiring). */
  connect(sink: IrqSink): void {
    this.sink = sink;
    sink(this.level);
  }

  set(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    this.sink(level);
  }

  /**
   * Drives the line and tells the consumer even if the level did not change: after a
   * checkpoint restore the consumers' derived state (the CPU's Cause.IP lines) is
   * rebuilt from the devices, which are the only place the levels are saved.
   */
  resync(level: boolean): void {
    this.level = level;
    this.sink(level);
  }

  raise(): void { this.set(true); }
  lower(): void { this.set(false); }
  get asserted(): boolean { return this.level; }
}
