// Motorola MC146818 real-time clock and CMOS RAM (the PC RTC, ISA ports 0x70/0x71,
// IRQ 8).
//
// Register window: 2 bytes. Offset 0 (port 0x70) selects a register (bit 7, the
// PC's NMI mask, is ignored) and reads 0xff; offset 1 (port 0x71) reads/writes the
// selected register:
//   0x00-0x09  seconds, seconds alarm, minutes, minutes alarm, hours, hours alarm,
//              day of week (1 = Sunday), day of month, month, year (00-99)
//   0x0a  A: UIP (7, read-only), divider DV (6:4), periodic rate RS (3:0)
//   0x0b  B: SET (7), PIE (6), AIE (5), UIE (4), SQWE (3), DM binary (2),
//            24/12 (1), DSE (0, stored only)
//   0x0c  C: IRQF (7), PF (6), AF (5), UF (4); read-only, cleared by a read
//   0x0d  D: VRT (7) = 1, read-only
//   0x32  century (as QEMU's Malta: base year 0, so 20 for 20xx)
//   other CMOS RAM bytes hold what is written
// Reset: A = 0x26 (32.768 kHz, 1024 Hz periodic rate), B = 0x02 (24 h, BCD), D = 0x80.
//
// Time. The clock counts from `epochMs` (a fixed date by default, so boots are
// deterministic) plus the machine's virtual time. The time registers are computed
// from it on every read while the clock runs (SET clear, DV = 0b000-0b010); with SET
// (or a stopped divider) they hold what was last computed or written, and releasing
// SET restarts the clock from their contents keeping the divider's sub-second
// phase. Releasing a divider reset (DV 0b11x) starts the first update 500 ms later.
// A write to a time register while the clock runs sets the time at once. Values
// follow B.DM (BCD or binary) and B.24/12 (12-hour mode: bit 7 of hours = PM);
// alarm bytes 0xC0-0xFF mean "don't care".
//
// UIP reads 1 during the last 244 µs (8 periods of 32.768 kHz) before each second
// update while the clock runs, as QEMU models it; Linux's Malta code measures the
// CPU clock by timing UIP edges, so Count and this RTC share the virtual clock.
//
// Interrupts: at every update (once a second, not while SET) UF is set and, when the
// alarm matches, AF; PF is set at the periodic rate while the divider runs. IRQF =
// (PF & PIE) | (AF & AIE) | (UF & UIE) drives `irq`; reading C clears the flags and
// lowers it; enabling an interrupt whose flag is already set raises IRQF at once.
// Setting SET clears UIE.
//
// Polling. A guest spinning on register A waiting for UIP to change (interrupts
// off, as malta-time.c does twice at boot, one second each) would cost hundreds of
// millions of emulated instructions. When `skipTo` is given and register A is read
// twice in a row with no other register access between and the same UIP value, the
// RTC asks the machine to let virtual time jump to the next UIP change (as if the
// read had stalled until then). Count follows virtual time, so measurements agree.

import type { AccessSize, Device, TimedDevice } from './device';
import type { IrqLine } from './irq';
import type { StateSpec } from '../snapshot/state';

export const RTC_SECONDS = 0x00;
export const RTC_SECONDS_ALARM = 0x01;
export const RTC_MINUTES = 0x02;
export const RTC_MINUTES_ALARM = 0x03;
export const RTC_HOURS = 0x04;
export const RTC_HOURS_ALARM = 0x05;
export const RTC_DAY_OF_WEEK = 0x06;
export const RTC_DAY_OF_MONTH = 0x07;
export const RTC_MONTH = 0x08;
export const RTC_YEAR = 0x09;
export const RTC_REG_A = 0x0a;
export const RTC_REG_B = 0x0b;
export const RTC_REG_C = 0x0c;
export const RTC_REG_D = 0x0d;
export const RTC_CENTURY = 0x32;

export const REG_A_UIP = 0x80;
export const REG_B_SET = 0x80;
export const REG_B_PIE = 0x40;
export const REG_B_AIE = 0x20;
export const REG_B_UIE = 0x10;
export const REG_B_DM = 0x04;
export const REG_B_24H = 0x02;
export const REG_C_IRQF = 0x80;
export const REG_C_PF = 0x40;
export const REG_C_AF = 0x20;
export const REG_C_UF = 0x10;

const NS = 1e9;
/** UIP is visible for this long before each update (8 / 32768 s, truncated as QEMU). */
export const UIP_HOLD_NS = 244140;
/** Default epoch: 2024-01-01 00:00:00 UTC. */
export const RTC_DEFAULT_EPOCH_MS = Date.UTC(2024, 0, 1, 0, 0, 0);

const TIME_REGS = [RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK, RTC_DAY_OF_MONTH, RTC_MONTH, RTC_YEAR, RTC_CENTURY];

const FIELDS = {
  cmos: 'u8array',
  index: 'u8',
  /** RTC time (whole seconds since 1970) at virtual time `refNs`; `refNs` is a second boundary of the divider chain. */
  baseSec: 'f64',
  refNs: 'f64',
  /** Virtual time up to which update/periodic flags have been accounted. */
  syncedNs: 'f64',
  /** Last register-A read saw UIP = this (-1: the previous access was not a register-A read). */
  lastUip: 'i32',
} as const;

export interface Mc146818State {
  cmos: Uint8Array; index: number; baseSec: number; refNs: number; syncedNs: number; lastUip: number;
  [k: string]: unknown;
}

export interface Mc146818Options {
  name?: string;
  irq: IrqLine;
  /** Current virtual time in ns. */
  now: () => number;
  /** RTC time at virtual time 0, in ms since 1970 (UTC). Default RTC_DEFAULT_EPOCH_MS. */
  epochMs?: number;
  /** Lets virtual time jump forward while the guest polls UIP (see header). */
  skipTo?: (ns: number) => void;
}

export class Mc146818 implements Device, TimedDevice {
  readonly name: string;
  readonly size = 2;
  readonly stateSpec: StateSpec;
  readonly state: Mc146818State;
  readonly epochMs: number;
  private readonly irq: IrqLine;
  private readonly clock: () => number;
  private readonly skipTo: ((ns: number) => void) | undefined;

  constructor(opts: Mc146818Options) {
    this.name = opts.name ?? 'rtc';
    this.irq = opts.irq;
    this.clock = opts.now;
    this.skipTo = opts.skipTo;
    this.epochMs = opts.epochMs ?? RTC_DEFAULT_EPOCH_MS;
    this.stateSpec = {
      name: this.name, version: 1, fields: FIELDS,
      ranges: {
        cmos: { length: 128 }, index: { max: 0x7f },
        baseSec: { min: 0, max: 2 ** 40 }, refNs: { min: 0, max: 2 ** 64, fraction: true }, syncedNs: { min: 0, max: 2 ** 64, fraction: true },
        lastUip: { min: -1, max: 1 },
      },
    };
    this.state = { cmos: new Uint8Array(128), index: 0, baseSec: 0, refNs: 0, syncedNs: 0, lastUip: -1 };
    this.powerOn();
  }

  /** Power-on state: registers A-D at their defaults and the clock set from the epoch. */
  powerOn(): void {
    const s = this.state;
    const now = this.clock();
    s.cmos.fill(0);
    s.cmos[RTC_REG_A] = 0x26;
    s.cmos[RTC_REG_B] = 0x02;
    s.cmos[RTC_REG_D] = 0x80;
    const ms = this.epochMs;
    const sec = Math.floor(ms / 1000);
    // Virtual time 0 is epochMs exactly; `refNs` is the (possibly negative) start of that second.
    s.baseSec = sec;
    s.refNs = -(ms - sec * 1000) * 1e6;
    s.syncedNs = now;
    s.index = 0;
    s.lastUip = -1;
    this.irq.set(false);
  }

  /** Board reset: interrupt enables and flags clear; the time keeps running (battery-backed). */
  reset(): void {
    const s = this.state;
    this.sync(this.clock());
    s.cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | 0x08);
    s.cmos[RTC_REG_C] = 0;
    s.lastUip = -1;
    this.updateIrq();
  }

  afterRestore(): void {
    this.irq.resync((this.state.cmos[RTC_REG_C] & REG_C_IRQF) !== 0);
  }

  // ---- clock ----

  private get dividerRunning(): boolean { return (this.state.cmos[RTC_REG_A] & 0x70) <= 0x20; }
  private get running(): boolean { return this.dividerRunning && !(this.state.cmos[RTC_REG_B] & REG_B_SET); }

  /** RTC seconds (since 1970) and nanoseconds into the second at virtual time `t` (clock running). */
  private timeAt(t: number): { sec: number; frac: number } {
    const s = this.state;
    const k = Math.floor((t - s.refNs) / NS);
    return { sec: s.baseSec + k, frac: t - s.refNs - k * NS };
  }

  /** Current RTC time as a Date (for hosts and tests). */
  date(): Date {
    const now = this.clock();
    if (this.running) return new Date(this.timeAt(now).sec * 1000);
    return new Date(this.decodeTime() * 1000);
  }

  /** Periodic interrupt period in ns for the current RS, or 0 for none. */
  get periodicNs(): number {
    const rs = this.state.cmos[RTC_REG_A] & 0x0f;
    if (rs === 0) return 0;
    const r = rs <= 2 ? rs + 7 : rs;
    return (2 ** (r - 1)) * NS / 32768;
  }

  /** Accounts the updates and periodic ticks that happened up to `t`. */
  private sync(t: number): void {
    const s = this.state;
    const from = s.syncedNs;
    if (t <= from) return;
    s.syncedNs = t;
    const c = s.cmos;
    if (!this.dividerRunning) return;
    let flags = 0;
    if (this.running) {
      const k0 = Math.floor((from - s.refNs) / NS), k1 = Math.floor((t - s.refNs) / NS);
      if (k1 > k0) {
        flags |= REG_C_UF;
        const first = Math.max(k0 + 1, k1 - 86400);
        for (let k = k1; k >= first; k--) {
          if (this.alarmMatches(s.baseSec + k)) { flags |= REG_C_AF; break; }
        }
      }
    }
    const p = this.periodicNs;
    if (p > 0 && Math.floor((t - s.refNs) / p) > Math.floor((from - s.refNs) / p)) flags |= REG_C_PF;
    if (flags) {
      c[RTC_REG_C] |= flags;
      this.updateIrq();
    }
  }

  private updateIrq(): void {
    const c = this.state.cmos;
    if (c[RTC_REG_C] & c[RTC_REG_B] & (REG_C_PF | REG_C_AF | REG_C_UF)) c[RTC_REG_C] |= REG_C_IRQF;
    this.irq.set((c[RTC_REG_C] & REG_C_IRQF) !== 0);
  }

  private alarmMatches(sec: number): boolean {
    const c = this.state.cmos;
    const d = new Date(sec * 1000);
    const check = (alarm: number, v: number, hours: boolean): boolean => {
      if ((alarm & 0xc0) === 0xc0) return true;
      return hours ? this.decodeHours(alarm) === v : this.fromBcd(alarm) === v;
    };
    return check(c[RTC_SECONDS_ALARM], d.getUTCSeconds(), false) && check(c[RTC_MINUTES_ALARM], d.getUTCMinutes(), false)
      && check(c[RTC_HOURS_ALARM], d.getUTCHours(), true);
  }

  // ---- encoding ----

  private toBcd(v: number): number {
    return (this.state.cmos[RTC_REG_B] & REG_B_DM) ? v : (Math.floor(v / 10) << 4) | (v % 10);
  }

  private fromBcd(v: number): number {
    return (this.state.cmos[RTC_REG_B] & REG_B_DM) ? v : (v >> 4) * 10 + (v & 0x0f);
  }

  private encodeHours(h: number): number {
    if (this.state.cmos[RTC_REG_B] & REG_B_24H) return this.toBcd(h);
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.toBcd(h12) | (h >= 12 ? 0x80 : 0);
  }

  private decodeHours(v: number): number {
    let h = this.fromBcd(v & 0x7f);
    if (!(this.state.cmos[RTC_REG_B] & REG_B_24H)) {
      h %= 12;
      if (v & 0x80) h += 12;
    }
    return h;
  }

  /** Writes the time registers for RTC second `sec`. */
  private encodeTime(sec: number): void {
    const c = this.state.cmos;
    const d = new Date(sec * 1000);
    const year = d.getUTCFullYear();
    c[RTC_SECONDS] = this.toBcd(d.getUTCSeconds());
    c[RTC_MINUTES] = this.toBcd(d.getUTCMinutes());
    c[RTC_HOURS] = this.encodeHours(d.getUTCHours());
    c[RTC_DAY_OF_WEEK] = this.toBcd(d.getUTCDay() + 1);
    c[RTC_DAY_OF_MONTH] = this.toBcd(d.getUTCDate());
    c[RTC_MONTH] = this.toBcd(d.getUTCMonth() + 1);
    c[RTC_YEAR] = this.toBcd(year % 100);
    c[RTC_CENTURY] = this.toBcd(Math.floor(year / 100));
  }

  /** RTC seconds since 1970 from the time registers. */
  private decodeTime(): number {
    const c = this.state.cmos;
    const year = this.fromBcd(c[RTC_CENTURY]) * 100 + this.fromBcd(c[RTC_YEAR]);
    return Date.UTC(year, this.fromBcd(c[RTC_MONTH]) - 1, this.fromBcd(c[RTC_DAY_OF_MONTH]),
      this.decodeHours(c[RTC_HOURS]), this.fromBcd(c[RTC_MINUTES]), this.fromBcd(c[RTC_SECONDS])) / 1000;
  }

  /** Restarts the clock from the time registers at `t`, keeping the divider phase. */
  private setTimeFromRegisters(t: number): void {
    const s = this.state;
    const { frac } = this.timeAt(t);
    s.refNs = t - frac;
    s.baseSec = this.decodeTime();
  }

  private uip(t: number): boolean {
    return this.running && this.timeAt(t).frac >= NS - UIP_HOLD_NS;
  }

  // ---- register access ----

  read(offset: number, _size: AccessSize): number {
    const s = this.state;
    if ((offset & 1) === 0) return 0xff;
    const t = this.clock();
    this.sync(t);
    const c = s.cmos;
    const reg = s.index;
    if (reg !== RTC_REG_A) s.lastUip = -1;
    switch (reg) {
      case RTC_REG_A: {
        const u = this.uip(t);
        if (this.skipTo && s.lastUip === (u ? 1 : 0) && this.running) {
          // Second identical poll: let time run to the next UIP change.
          const { frac } = this.timeAt(t);
          const next = u ? t + (NS - frac) : t + (NS - UIP_HOLD_NS - frac);
          s.lastUip = -1;
          this.skipTo(next);
        } else {
          s.lastUip = u ? 1 : 0;
        }
        return (c[RTC_REG_A] & 0x7f) | (u ? REG_A_UIP : 0);
      }
      case RTC_REG_C: {
        const v = c[RTC_REG_C];
        c[RTC_REG_C] = 0;
        this.irq.set(false);
        return v;
      }
      default:
        if (TIME_REGS.includes(reg) && this.running) this.encodeTime(this.timeAt(t).sec);
        return c[reg];
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const s = this.state;
    const v = value & 0xff;
    if ((offset & 1) === 0) {
      s.index = v & 0x7f;
      if (s.index !== RTC_REG_A) s.lastUip = -1; // re-selecting A keeps a poll going
      return;
    }
    s.lastUip = -1;
    const t = this.clock();
    this.sync(t);
    const c = s.cmos;
    const reg = s.index;
    switch (reg) {
      case RTC_REG_A: {
        const wasRunning = this.running;
        const wasReset = (c[RTC_REG_A] & 0x60) === 0x60;
        if (wasRunning) this.encodeTime(this.timeAt(t).sec);
        c[RTC_REG_A] = v & 0x7f;
        const isReset = (v & 0x60) === 0x60;
        if (wasReset && !isReset && this.dividerRunning) {
          // First update half a second after the divider reset is released.
          s.refNs = t - NS / 2;
          if (!(c[RTC_REG_B] & REG_B_SET)) s.baseSec = this.decodeTime();
        } else if (!wasRunning && this.running) {
          this.setTimeFromRegisters(t);
        }
        s.syncedNs = t;
        this.updateIrq();
        return;
      }
      case RTC_REG_B: {
        const wasRunning = this.running;
        let nv = v;
        if (nv & REG_B_SET) {
          if (wasRunning) this.encodeTime(this.timeAt(t).sec);
          nv &= ~REG_B_UIE;
        }
        const wasSet = (c[RTC_REG_B] & REG_B_SET) !== 0;
        c[RTC_REG_B] = nv;
        if (wasSet && !(nv & REG_B_SET) && this.dividerRunning) this.setTimeFromRegisters(t);
        if (c[RTC_REG_C] & nv & (REG_C_PF | REG_C_AF | REG_C_UF)) c[RTC_REG_C] |= REG_C_IRQF;
        else c[RTC_REG_C] &= ~REG_C_IRQF;
        this.updateIrq();
        return;
      }
      case RTC_REG_C: case RTC_REG_D:
        return; // read-only
      default:
        if (TIME_REGS.includes(reg)) {
          if (this.running) {
            this.encodeTime(this.timeAt(t).sec);
            c[reg] = v;
            this.setTimeFromRegisters(t);
          } else {
            c[reg] = v;
          }
          return;
        }
        c[reg] = v;
    }
  }

  // ---- TimedDevice ----

  nextEvent(): number {
    const s = this.state;
    const c = s.cmos;
    if (c[RTC_REG_C] & REG_C_IRQF) return Infinity; // the line stays up until C is read
    if (!this.dividerRunning) return Infinity;
    const b = c[RTC_REG_B];
    const t = s.syncedNs;
    let next = Infinity;
    if ((b & (REG_B_UIE | REG_B_AIE)) && this.running) {
      next = s.refNs + (Math.floor((t - s.refNs) / NS) + 1) * NS;
    }
    const p = this.periodicNs;
    if ((b & REG_B_PIE) && p > 0) next = Math.min(next, s.refNs + (Math.floor((t - s.refNs) / p) + 1) * p);
    return next;
  }

  tick(now: number): void {
    this.sync(now);
  }
}
