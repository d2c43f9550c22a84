// The PC's pair of 8259A programmable interrupt controllers, as in the PIIX4 south
// bridge: a master (ISA IRQ 0-7) and a slave (IRQ 8-15) cascaded on master input 2,
// plus the PIIX4's edge/level control registers (ELCR).
//
// Register window (one device; the board maps its parts at their ISA ports):
//   offset 0/1  master command / data   (ports 0x20/0x21)
//   offset 2/3  slave  command / data   (ports 0xa0/0xa1)
//   offset 4/5  ELCR1 / ELCR2           (ports 0x4d0/0x4d1)
//
// Per chip: initialisation words ICW1-ICW4 (ICW1 resets the chip: IMR, ISR, IRR
// cleared, priority rotation reset, read register = IRR, special mask off; ICW2 the
// vector base; ICW3 cascade wiring, accepted and ignored; ICW4 auto-EOI and special
// fully nested mode), OCW1 (IMR), OCW2 (non-specific/specific EOI, rotate on
// non-specific EOI, set priority, rotate in auto-EOI mode), OCW3 (read IRR/ISR, poll,
// special mask mode).
//
// Inputs: edge-triggered inputs latch IRR on a rising edge and drop it on
// acknowledge; level-triggered inputs (ELCR bit set) follow the line and are not
// cleared by acknowledge. ICW1's LTIM bit is ignored, as on the PIIX4 (the ELCR decides).
// The ELCR bits of IRQ 0, 1, 2, 8 and 13 are hard-wired to edge.
//
// Interrupt acknowledge: `acknowledge()` performs the two-pulse INTA cycle the
// GT-64120's PCI0_IACK register generates and returns the vector (base + line); with
// nothing pending the chip answers IRQ 7 of its vector base (spurious), without
// setting ISR. A poll command (OCW3 P=1) makes the next read of the chip's command or
// data port return 0x80 | line (and acknowledge it) or 0 when nothing is pending.
//
// The master's INT output drives `intr` (board: CPU line IP2).

import type { AccessSize, Device } from './device';
import type { IrqLine } from './irq';
import type { FieldRange, StateSpec } from '../snapshot/state';

export const PIC_MASTER_CMD = 0;
export const PIC_MASTER_DATA = 1;
export const PIC_SLAVE_CMD = 2;
export const PIC_SLAVE_DATA = 3;
export const PIC_ELCR1 = 4;
export const PIC_ELCR2 = 5;

/** Bits of the ELCRs that may be set (IRQ 0, 1, 2 and 8, 13 are always edge). */
const ELCR_MASK = [0xf8, 0xde] as const;

const FIELDS = {
  /** Per chip (index 0 master, 1 slave): */
  irr: 'bytes', imr: 'bytes', isr: 'bytes',
  /** Input line levels (for edge detection). */
  lines: 'bytes',
  elcr: 'bytes',
  /** Lowest-priority-rotation offset: the line with priority 0 is (0 + priorityAdd) & 7. */
  priorityAdd: 'bytes',
  vectorBase: 'bytes',
  /** 0 = normal, 1 = expecting ICW2, 2 = ICW3, 3 = ICW4. */
  initState: 'bytes',
  needIcw4: 'bytes', single: 'bytes', autoEoi: 'bytes', rotateOnAutoEoi: 'bytes',
  readIsr: 'bytes', poll: 'bytes', specialMask: 'bytes', sfnm: 'bytes',
  /** Level of the master's INT output. */
  out: 'bool',
} as const;

type Arr = number[];
export interface I8259State {
  irr: Arr; imr: Arr; isr: Arr; lines: Arr; elcr: Arr; priorityAdd: Arr; vectorBase: Arr; initState: Arr;
  needIcw4: Arr; single: Arr; autoEoi: Arr; rotateOnAutoEoi: Arr; readIsr: Arr; poll: Arr; specialMask: Arr; sfnm: Arr;
  out: boolean;
  [k: string]: unknown;
}


const per2 = (max: number): FieldRange => ({ length: 2, min: 0, max });
const I8259_RANGES: Readonly<Record<keyof typeof FIELDS, FieldRange>> = {
  irr: per2(0xff), imr: per2(0xff), isr: per2(0xff), lines: per2(0xff), elcr: per2(0xff),
  priorityAdd: per2(7), vectorBase: per2(0xf8), initState: per2(3),
  needIcw4: per2(1), single: per2(1), autoEoi: per2(1), rotateOnAutoEoi: per2(1),
  readIsr: per2(1), poll: per2(1), specialMask: per2(1), sfnm: per2(1), out: {},
};
export class I8259Pair implements Device {
  readonly name: string;
  readonly size = 6;
  readonly stateSpec: StateSpec;
  readonly state: I8259State;

  constructor(private readonly intr: IrqLine, name = 'pic') {
    this.name = name;
    this.stateSpec = { name, version: 1, fields: FIELDS, ranges: I8259_RANGES };
    const z = (): number[] => [0, 0];
    this.state = {
      irr: z(), imr: z(), isr: z(), lines: z(), elcr: z(), priorityAdd: z(), vectorBase: z(), initState: z(),
      needIcw4: z(), single: z(), autoEoi: z(), rotateOnAutoEoi: z(), readIsr: z(), poll: z(), specialMask: z(), sfnm: z(),
      out: false,
    };
    this.reset();
  }

  reset(): void {
    const s = this.state;
    for (const c of [0, 1]) {
      this.chipReset(c);
      s.elcr[c] = 0;
      s.vectorBase[c] = 0;
    }
    this.update();
  }

  afterRestore(): void {
    this.intr.resync(this.state.out);
  }

  // ---- inputs ----

  /** Drives ISA interrupt line `irq` (0-15). Line 2 is the cascade and is ignored. */
  setIrq(irq: number, level: boolean): void {
    if (irq === 2 || irq < 0 || irq > 15) return;
    this.input(irq >> 3, irq & 7, level);
    this.update();
  }

  private input(c: number, line: number, level: boolean): void {
    const s = this.state, bit = 1 << line;
    const was = (s.lines[c] & bit) !== 0;
    if (level) s.lines[c] |= bit; else s.lines[c] &= ~bit;
    if (s.elcr[c] & bit) {
      if (level) s.irr[c] |= bit; else s.irr[c] &= ~bit;
    } else if (level && !was) {
      s.irr[c] |= bit;
    }
  }

  // ---- priority logic ----

  /** Priority (0 highest) of the best bit in `mask`, or 8 when empty. */
  private priority(c: number, mask: number): number {
    if (!mask) return 8;
    const add = this.state.priorityAdd[c];
    let p = 0;
    while (!(mask & (1 << ((p + add) & 7)))) p++;
    return p;
  }

  /** Line the chip wants to interrupt with, or -1. */
  private pending(c: number): number {
    const s = this.state;
    const req = s.irr[c] & ~s.imr[c];
    const p = this.priority(c, req);
    if (p === 8) return -1;
    let inService = s.isr[c];
    if (s.specialMask[c]) inService &= ~s.imr[c];
    if (s.sfnm[c] && c === 0) inService &= ~(1 << 2);
    return p < this.priority(c, inService) ? (p + s.priorityAdd[c]) & 7 : -1;
  }

  /** Propagates the slave's output to master input 2 and the master's to `intr`. */
  private update(): void {
    const s = this.state;
    const slaveOut = this.pending(1) >= 0;
    // Cascade input: follows the slave's INT level, edge-detected like any input.
    this.input(0, 2, slaveOut);
    s.out = this.pending(0) >= 0;
    this.intr.set(s.out);
  }

  private intack(c: number, line: number): void {
    const s = this.state, bit = 1 << line;
    if (s.autoEoi[c]) {
      if (s.rotateOnAutoEoi[c]) s.priorityAdd[c] = (line + 1) & 7;
    } else {
      s.isr[c] |= bit;
    }
    if (!(s.elcr[c] & bit)) s.irr[c] &= ~bit;
  }

  /** INTA cycle (GT-64120 PCI0_IACK): returns the vector byte. */
  acknowledge(): number {
    const s = this.state;
    let vector: number;
    const line = this.pending(0);
    if (line < 0) {
      vector = s.vectorBase[0] + 7; // spurious on the master
    } else if (line === 2 && !s.single[0]) {
      const l2 = this.pending(1);
      if (l2 >= 0) {
        this.intack(1, l2);
        vector = s.vectorBase[1] + l2;
      } else {
        vector = s.vectorBase[1] + 7; // spurious on the slave
      }
      this.intack(0, 2);
    } else {
      this.intack(0, line);
      vector = s.vectorBase[0] + line;
    }
    this.update();
    return vector & 0xff;
  }

  /** Whether the master's INT output is asserted. */
  get output(): boolean { return this.state.out; }

  // ---- register access ----

  read(offset: number, _size: AccessSize): number {
    const s = this.state;
    if (offset === PIC_ELCR1 || offset === PIC_ELCR2) return s.elcr[offset - PIC_ELCR1];
    if (offset < 0 || offset > 3) return 0xff;
    const c = offset >> 1;
    if (s.poll[c]) {
      s.poll[c] = 0;
      const line = this.pending(c);
      let v = 0;
      if (line >= 0) { this.intack(c, line); v = 0x80 | line; }
      this.update();
      return v;
    }
    if (offset & 1) return s.imr[c];
    return s.readIsr[c] ? s.isr[c] : s.irr[c];
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const s = this.state;
    const v = value & 0xff;
    if (offset === PIC_ELCR1 || offset === PIC_ELCR2) {
      const c = offset - PIC_ELCR1;
      s.elcr[c] = v & ELCR_MASK[c];
      // A line switched to level mode reports its current level.
      for (let l = 0; l < 8; l++) {
        const bit = 1 << l;
        if (s.elcr[c] & bit) { if (s.lines[c] & bit) s.irr[c] |= bit; else s.irr[c] &= ~bit; }
      }
      this.update();
      return;
    }
    if (offset < 0 || offset > 3) return;
    const c = offset >> 1;
    if (offset & 1) this.writeData(c, v); else this.writeCommand(c, v);
    this.update();
  }

  private chipReset(c: number): void {
    const s = this.state;
    // Inputs stay as they are; IRR keeps level-triggered requests of lines still high.
    s.irr[c] = s.lines[c] & s.elcr[c];
    s.imr[c] = 0; s.isr[c] = 0; s.priorityAdd[c] = 0; s.initState[c] = 0;
    s.needIcw4[c] = 0; s.single[c] = 0; s.autoEoi[c] = 0; s.rotateOnAutoEoi[c] = 0;
    s.readIsr[c] = 0; s.poll[c] = 0; s.specialMask[c] = 0; s.sfnm[c] = 0;
  }

  private writeCommand(c: number, v: number): void {
    const s = this.state;
    if (v & 0x10) {
      // ICW1
      this.chipReset(c);
      s.initState[c] = 1;
      s.needIcw4[c] = v & 1;
      s.single[c] = (v >> 1) & 1;
      return;
    }
    if (v & 0x08) {
      // OCW3
      if (v & 0x04) s.poll[c] = 1;
      if (v & 0x02) s.readIsr[c] = v & 1;
      if (v & 0x40) s.specialMask[c] = (v >> 5) & 1;
      return;
    }
    // OCW2
    const cmd = v >> 5;
    switch (cmd) {
      case 0: case 4: // clear / set rotate in automatic EOI mode
        s.rotateOnAutoEoi[c] = cmd >> 2;
        return;
      case 1: case 5: { // non-specific EOI (5: and rotate)
        const p = this.priority(c, s.isr[c]);
        if (p === 8) return;
        const line = (p + s.priorityAdd[c]) & 7;
        s.isr[c] &= ~(1 << line);
        if (cmd === 5) s.priorityAdd[c] = (line + 1) & 7;
        return;
      }
      case 3: // specific EOI
        s.isr[c] &= ~(1 << (v & 7));
        return;
      case 6: // set priority: line v&7 becomes the lowest
        s.priorityAdd[c] = ((v & 7) + 1) & 7;
        return;
      case 7: // rotate on specific EOI
        s.isr[c] &= ~(1 << (v & 7));
        s.priorityAdd[c] = ((v & 7) + 1) & 7;
        return;
      default: // 2: no operation
        return;
    }
  }

  private writeData(c: number, v: number): void {
    const s = this.state;
    switch (s.initState[c]) {
      case 0: s.imr[c] = v; return; // OCW1
      case 1: // ICW2
        s.vectorBase[c] = v & 0xf8;
        s.initState[c] = s.single[c] ? (s.needIcw4[c] ? 3 : 0) : 2;
        return;
      case 2: // ICW3 (cascade wiring is fixed on the board)
        s.initState[c] = s.needIcw4[c] ? 3 : 0;
        return;
      default: // ICW4
        s.sfnm[c] = (v >> 4) & 1;
        s.autoEoi[c] = (v >> 1) & 1;
        s.initState[c] = 0;
        return;
    }
  }
}
