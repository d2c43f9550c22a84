// Intel 8254 programmable interval timer (ISA ports 0x40-0x43): three 16-bit down
// counters clocked at 1.193182 MHz; counter 0's output is ISA IRQ 0.
//
// Register window: 4 bytes. Offsets 0-2 are the counters' data ports, offset 3 the
// control word (write-only; reads 0xff):
//   SC (7:6) = 0-2: select counter; RW (5:4) = 0 counter latch, 1 LSB only, 2 MSB
//   only, 3 LSB then MSB; M (3:1) mode 0-5 (6, 7 alias 2, 3); BCD (0).
//   SC = 3: read-back command: bit 5 clear = latch counts, bit 4 clear = latch
//   status, bits 3:1 select counters 2:0.
// Status byte: OUT (7), null count (6), RW (5:4), mode (3:1), BCD (0).
//
// Modes (N = initial count; 0 means 0x10000, or 10000 in BCD):
//   0 interrupt on terminal count: OUT low, high when the count reaches 0; counting
//     continues (wrapping). Writing the first byte of a two-byte count stops it.
//   1 hardware one-shot: a gate rising edge loads N; OUT low until the count reaches 0.
//   2 rate generator: OUT high, low for the one clock when the count is 1; reloads
//     every N clocks.
//   3 square wave: OUT high for ceil(N/2), low for floor(N/2) clocks.
//   4 software strobe: OUT high, low for one clock when the count reaches 0 (once).
//   5 hardware strobe: as 4, started by a gate rising edge.
// A new count written in modes 2 and 3 takes effect immediately (as QEMU does; the
// real part waits for the end of the current period). Gate low stops counting in
// modes 0, 2, 4 (and holds OUT high in 2, 3); gates 0 and 1 are tied high, gate 2 is
// settable (`setGate`) and starts low as on a PC.
//
// Counting is computed from the virtual time of the last load: count and OUT are
// functions of elapsed clocks, so no periodic work happens. Counter 0's OUT drives
// `irq`; the machine is asked to come back at the next OUT change, and a low pulse
// shorter than the time between two events is replayed as low-then-high so the
// 8259's edge detector sees every period.

import type { AccessSize, Device, TimedDevice } from './device';
import type { IrqLine } from './irq';
import type { FieldRange, StateSpec } from '../snapshot/state';

export const PIT_HZ = 1193182;
const NS = 1e9;

const FIELDS = {
  /** Per counter (3 entries each): */
  mode: 'bytes', rw: 'bytes', bcd: 'bytes', gate: 'bytes',
  /** Initial count as a number of clocks (1..65536 or 1..10000). */
  count: 'f64array',
  /** Virtual time (ns) the count was loaded / counting started; NaN: not counting (waiting for count or gate). */
  loadNs: 'f64array',
  /** Clocks already elapsed when counting was stopped by the gate (resumes from there). */
  heldClocks: 'f64array',
  /** Latched count (-1 none) and status (-1 none). */
  latched: 'f64array', status: 'f64array',
  /** LSB/MSB flip-flops for reads and writes, and the LSB written so far. */
  readMsb: 'bytes', writeMsb: 'bytes', writeLsb: 'bytes',
  /** Null count: a count was written but not yet loaded into the counting element. */
  nullCount: 'bytes',
  /** Mode 0 stopped by a partial two-byte count write. */
  writePending: 'bytes',
  /** Counter 0 OUT level last driven, and the number of rising edges reported so far. */
  out0: 'bool', edges0: 'f64',
} as const;

const per3 = (max: number): FieldRange => ({ length: 3, min: 0, max });
/** Virtual nanoseconds (fractions of the clock period included). */
const TIME_NS: FieldRange = { min: 0, max: 2 ** 64, fraction: true };
const I8254_RANGES: Readonly<Record<keyof typeof FIELDS, FieldRange>> = {
  mode: per3(5), rw: per3(3), bcd: per3(1), gate: per3(1),
  count: { length: 3, min: 1, max: 0x10000 },
  loadNs: { ...TIME_NS, length: 3, nan: true },
  heldClocks: { ...TIME_NS, length: 3 },
  latched: { length: 3, min: -1, max: 0xffff }, status: { length: 3, min: -1, max: 0xff },
  readMsb: per3(1), writeMsb: per3(1), writeLsb: per3(0xff), nullCount: per3(1), writePending: per3(1),
  out0: {}, edges0: { min: 0, max: Number.MAX_SAFE_INTEGER },
};

export interface I8254State {
  mode: number[]; rw: number[]; bcd: number[]; gate: number[];
  count: Float64Array; loadNs: Float64Array; heldClocks: Float64Array; latched: Float64Array; status: Float64Array;
  readMsb: number[]; writeMsb: number[]; writeLsb: number[]; nullCount: number[]; writePending: number[];
  out0: boolean; edges0: number;
  [k: string]: unknown;
}

export interface I8254Options {
  name?: string;
  /** Counter 0 output (ISA IRQ 0). */
  irq: IrqLine;
  now: () => number;
}

const toBcd = (v: number): number => {
  let r = 0;
  for (let sh = 0; sh < 16; sh += 4) { r |= (v % 10) << sh; v = Math.floor(v / 10); }
  return r;
};
const fromBcd = (v: number): number =>
  (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;

export class I8254 implements Device, TimedDevice {
  readonly name: string;
  readonly size = 4;
  readonly stateSpec: StateSpec;
  readonly state: I8254State;
  private readonly irq: IrqLine;
  private readonly clock: () => number;

  constructor(opts: I8254Options) {
    this.name = opts.name ?? 'pit';
    this.irq = opts.irq;
    this.clock = opts.now;
    this.stateSpec = { name: this.name, version: 1, fields: FIELDS, ranges: I8254_RANGES };
    const z = (): number[] => [0, 0, 0];
    this.state = {
      mode: z(), rw: z(), bcd: z(), gate: [1, 1, 0],
      count: new Float64Array(3), loadNs: new Float64Array(3), heldClocks: new Float64Array(3),
      latched: new Float64Array(3), status: new Float64Array(3),
      readMsb: z(), writeMsb: z(), writeLsb: z(), nullCount: z(), writePending: z(),
      out0: false, edges0: 0,
    };
    this.reset();
  }

  reset(): void {
    const s = this.state;
    for (let i = 0; i < 3; i++) {
      s.mode[i] = 0; s.rw[i] = 3; s.bcd[i] = 0;
      s.count[i] = 0x10000; s.loadNs[i] = NaN; s.heldClocks[i] = 0;
      s.latched[i] = -1; s.status[i] = -1;
      s.readMsb[i] = 0; s.writeMsb[i] = 0; s.writeLsb[i] = 0; s.nullCount[i] = 1; s.writePending[i] = 0;
    }
    s.gate[0] = 1; s.gate[1] = 1; s.gate[2] = 0;
    s.out0 = false;
    s.edges0 = 0;
    this.irq.set(false);
  }

  afterRestore(): void {
    this.irq.resync(this.state.out0);
  }

  // ---- counting model ----

  /** Clocks elapsed since counting started at time t, or -1 if not counting. */
  private elapsed(i: number, t: number): number {
    const s = this.state;
    const load = s.loadNs[i];
    if (Number.isNaN(load)) return -1;
    if (!s.gate[i] && (s.mode[i] & 3) !== 1) return s.heldClocks[i]; // gate low holds modes 0, 2, 3, 4
    // (+1e-6: a time computed from a whole number of clocks must not round down)
    return s.heldClocks[i] + Math.max(0, Math.floor(((t - load) * PIT_HZ) / NS + 1e-6));
  }

  /** Current counting-element value (1..N, as a number of clocks). */
  private value(i: number, t: number): number {
    const s = this.state;
    const n = s.count[i];
    const d = this.elapsed(i, t);
    if (d < 0) return n % (s.bcd[i] ? 10000 : 0x10000);
    const mod = s.bcd[i] ? 10000 : 0x10000;
    switch (s.mode[i]) {
      case 2: return n - (d % n);
      case 3: {
        // Counts down by two twice per period; report the position within the half period.
        const half = d % n;
        const hi = Math.ceil(n / 2);
        const pos = half < hi ? half : half - hi;
        return ((n - 2 * pos) % mod + mod) % mod & ~1;
      }
      default: // 0, 1, 4, 5: count down and wrap
        return (((n - d) % mod) + mod) % mod;
    }
  }

  /** OUT level at time t. */
  out(i: number, t: number): boolean {
    const s = this.state;
    const d = this.elapsed(i, t);
    const n = s.count[i];
    switch (s.mode[i]) {
      case 0: return d >= 0 && !s.writePending[i] ? d >= n : false;
      case 1: return d < 0 ? true : d >= n;
      case 2: if (d < 0 || !s.gate[i]) return true; return (d % n) !== n - 1;
      case 3: if (d < 0 || !s.gate[i]) return true; return (d % n) < Math.ceil(n / 2);
      case 4: case 5: return d < 0 ? true : d !== n;
      default: return true;
    }
  }

  /** Number of OUT rising edges of counter i from the start of counting to time t (modes 2, 3, periodic). */
  private risingEdges(i: number, t: number): number {
    const s = this.state;
    const d = this.elapsed(i, t);
    if (d < 0) return 0;
    const n = s.count[i];
    switch (s.mode[i]) {
      case 0: return d >= n ? 1 : 0;
      case 1: return d >= n ? 1 : 0;
      case 2: return Math.floor(d / n); // rises at d = k*N
      case 3: return Math.floor(d / n); // rises at the start of every period after the first
      case 4: case 5: return d > n ? 1 : 0;
      default: return 0;
    }
  }

  /** Virtual time of counter 0's next OUT change after `t`, or Infinity. */
  private nextChange(t: number): number {
    const s = this.state;
    const d = this.elapsed(0, t);
    if (d < 0 || (!s.gate[0] && s.mode[0] !== 1 && s.mode[0] !== 5)) return Infinity;
    const n = s.count[0];
    let target: number; // clock index of the next change
    switch (s.mode[0]) {
      case 0: case 1: target = d < n ? n : Infinity; break;
      case 2: { const r = d % n; target = r < n - 1 ? d - r + n - 1 : d - r + n; break; }
      case 3: { const r = d % n, hi = Math.ceil(n / 2); target = r < hi ? d - r + hi : d - r + n; break; }
      case 4: case 5: target = d < n ? n : d === n ? n + 1 : Infinity; break;
      default: target = Infinity;
    }
    if (target === Infinity) return Infinity;
    const load = s.loadNs[0];
    return load + Math.ceil(((target - s.heldClocks[0]) * NS) / PIT_HZ);
  }

  private updateIrq(t: number): void {
    const s = this.state;
    const level = this.out(0, t);
    const edges = this.risingEdges(0, t);
    if (edges > s.edges0 && s.out0 && level) {
      // A whole low pulse passed between two looks: replay it.
      this.irq.set(false);
    }
    s.edges0 = edges;
    s.out0 = level;
    this.irq.set(level);
  }

  // ---- register access ----

  read(offset: number, _size: AccessSize): number {
    const s = this.state;
    if (offset === 3 || offset < 0 || offset > 3) return 0xff;
    const i = offset;
    const t = this.clock();
    this.updateIrq(t);
    if (s.status[i] >= 0) {
      const v = s.status[i];
      s.status[i] = -1;
      return v;
    }
    const v = s.latched[i] >= 0 ? s.latched[i] : this.encode(i, this.value(i, t));
    let byte: number;
    switch (s.rw[i]) {
      case 1: byte = v & 0xff; s.latched[i] = -1; break;
      case 2: byte = (v >> 8) & 0xff; s.latched[i] = -1; break;
      default:
        byte = s.readMsb[i] ? (v >> 8) & 0xff : v & 0xff;
        if (s.readMsb[i]) s.latched[i] = -1;
        s.readMsb[i] ^= 1;
    }
    return byte;
  }

  private encode(i: number, v: number): number {
    const s = this.state;
    const m = s.bcd[i] ? v % 10000 : v & 0xffff;
    return s.bcd[i] ? toBcd(m) : m;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const s = this.state;
    const v = value & 0xff;
    const t = this.clock();
    this.updateIrq(t);
    if (offset === 3) {
      this.control(v, t);
    } else if (offset >= 0 && offset < 3) {
      const i = offset;
      switch (s.rw[i]) {
        case 1: this.load(i, v, t); break;
        case 2: this.load(i, v << 8, t); break;
        default:
          if (!s.writeMsb[i]) {
            s.writeLsb[i] = v;
            s.writeMsb[i] = 1;
            if (s.mode[i] === 0) { this.freeze(i, t); s.writePending[i] = 1; }
          } else {
            s.writeMsb[i] = 0;
            this.load(i, s.writeLsb[i] | (v << 8), t);
          }
      }
    }
    this.updateIrq(t);
  }

  private control(v: number, t: number): void {
    const s = this.state;
    const sc = v >> 6;
    if (sc === 3) {
      // Read-back.
      for (let i = 0; i < 3; i++) {
        if (!(v & (2 << i))) continue;
        if (!(v & 0x20) && s.latched[i] < 0) s.latched[i] = this.encode(i, this.value(i, t));
        if (!(v & 0x10) && s.status[i] < 0) {
          s.status[i] = (this.out(i, t) ? 0x80 : 0) | (s.nullCount[i] ? 0x40 : 0) | (s.rw[i] << 4) | (s.mode[i] << 1) | s.bcd[i];
        }
      }
      return;
    }
    const i = sc;
    const rw = (v >> 4) & 3;
    if (rw === 0) {
      // Counter latch command.
      if (s.latched[i] < 0) s.latched[i] = this.encode(i, this.value(i, t));
      return;
    }
    let mode = (v >> 1) & 7;
    if (mode > 5) mode -= 4;
    s.rw[i] = rw;
    s.mode[i] = mode;
    s.bcd[i] = v & 1;
    s.readMsb[i] = 0;
    s.writeMsb[i] = 0;
    s.latched[i] = -1;
    s.status[i] = -1;
    s.nullCount[i] = 1;
    s.writePending[i] = 0;
    s.loadNs[i] = NaN; // counting stops until a count is written
    s.heldClocks[i] = 0;
    if (i === 0) s.edges0 = 0;
  }

  /** Stops counter i where it is (mode 0 partial reload). */
  private freeze(i: number, t: number): void {
    const s = this.state;
    const d = this.elapsed(i, t);
    if (d < 0) return;
    s.heldClocks[i] = d;
    s.loadNs[i] = NaN;
  }

  private load(i: number, raw: number, t: number): void {
    const s = this.state;
    let n = s.bcd[i] ? fromBcd(raw) : raw & 0xffff;
    if (n === 0) n = s.bcd[i] ? 10000 : 0x10000;
    if ((s.mode[i] === 2 || s.mode[i] === 3) && n === 1) n = 2; // count 1 is illegal there
    s.count[i] = n;
    s.writePending[i] = 0;
    s.nullCount[i] = 0;
    s.heldClocks[i] = 0;
    if (i === 0) s.edges0 = 0;
    // Modes 1 and 5 wait for a gate trigger; the others start counting now.
    s.loadNs[i] = s.mode[i] === 1 || s.mode[i] === 5 ? NaN : t;
  }

  /** Drives counter i's gate input. */
  setGate(i: number, level: boolean): void {
    const s = this.state;
    const t = this.clock();
    const g = level ? 1 : 0;
    if (s.gate[i] === g) return;
    if (!g) {
      // Falling gate: hold modes 0, 2, 3, 4 where they are.
      const d = this.elapsed(i, t);
      if (d >= 0 && s.mode[i] !== 1 && s.mode[i] !== 5) { s.heldClocks[i] = d; }
      s.gate[i] = 0;
      if (d >= 0 && s.mode[i] !== 1 && s.mode[i] !== 5) s.loadNs[i] = t;
    } else {
      s.gate[i] = 1;
      if (s.mode[i] === 1 || s.mode[i] === 5 || s.mode[i] === 2 || s.mode[i] === 3) {
        // Rising gate (re)triggers modes 1, 5 and restarts 2, 3.
        if (!s.nullCount[i] || s.mode[i] === 1 || s.mode[i] === 5) { s.loadNs[i] = t; s.heldClocks[i] = 0; }
        if (i === 0) s.edges0 = 0;
      } else if (!Number.isNaN(s.loadNs[i])) {
        s.loadNs[i] = t; // resume counting from heldClocks
      }
    }
    if (i === 0) this.updateIrq(t);
  }

  /** OUT of counter 2 (port 0x61 bit 5 on a PC). */
  get out2(): boolean { return this.out(2, this.clock()); }

  // ---- TimedDevice ----

  nextEvent(): number {
    return this.nextChange(this.clock());
  }

  tick(now: number): void {
    this.updateIrq(now);
  }
}
