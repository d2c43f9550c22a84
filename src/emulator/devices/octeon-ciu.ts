// The Octeon II Central Interrupt Unit (CIU, "cavium,octeon-3860-ciu") for one core,
// as Linux's arch/mips/cavium-octeon/octeon-irq.c drives it on a CN61XX. Registers are
// 64-bit, at offsets from physical 0x1070000000000 (cvmx-ciu-defs.h):
//   SUM0(n)        0x000 + 8n   n = 0: the core's IP2 summary, n = 1: its IP3 summary (same
//                               sources): bits 32/33 mailbox, 34/35 UART0/1 (levels), other
//                               bits edge-latched (write 1 to clear)
//   INT_SUM1       0x108        second summary: bit 0 is core 0's watchdog interrupt
//   EN0(n)/EN1(n)  0x200/0x208 + 16n, W1C at +0x2000, W1S at +0x6000
//   SUM2_PPx_IPy   0x8800/0x8A00/0x8C00,  EN2_PPx_IPy 0xA000/0xA200/0xA400 (W1S +0x800,
//                  W1C +0x2800): the Octeon II third summary; nothing drives SUM2 here
//   MBOX_SET/CLR   0x600/0x680   the core's 32 mailbox bits (IPIs, even with one core)
//   WDOG0 0x500 / PP_POKE0 0x580  core 0's watchdog: MODE [1:0], STATE [3:2], LEN [19:4],
//                  CNT [43:20]; CNT counts down once every 256 I/O clocks from LEN << 8,
//                  and a poke reloads it. Its first expiry sets INT_SUM1 bit 0 (STATE 1):
//                  Linux's octeon_wdt pokes from that interrupt. A second expiry (the NMI
//                  and the soft reset of MODE 2/3) is reported once, not modelled
//   FUSE 0x728 (one core), SOFT_BIST 0x738, SOFT_RST 0x740 (1 resets the board), PP_RST
//   0x700, BIST 0x730, PP_DBG 0x708, GSTOP 0x710, EN4_0/1, SUM4
// Outputs: IP2 = SUM0 & EN0(0) | SUM1 & EN1(0), IP3 = SUM0 & EN0(1) | SUM1 & EN1(1),
// IP4 = SUM0 & EN4_0 | SUM1 & EN4_1 (SUM2, which the EN2 registers select from, has no
// sources on this board). Registers the model
// lacks (CIU timers, GPIO, NMI, DINT, other cores' registers) are reported once and read 0.

import type { AccessSize, Device, TimedDevice } from './device';
import { narrowMerge, narrowRead } from './octeon-io';
import type { IrqLine } from './irq';
import type { StateSpec } from '../snapshot/state';

export const OCTEON_CIU_BASE = 0x1070000000000;
export const OCTEON_CIU_SIZE = 0x10000;

/** SUM0 bits. */
export const CIU_MBOX0 = 32n, CIU_MBOX1 = 33n, CIU_UART0 = 34n, CIU_UART1 = 35n;
const LEVEL_BITS = (1n << CIU_MBOX0) | (1n << CIU_MBOX1) | (1n << CIU_UART0) | (1n << CIU_UART1);
const M64 = (1n << 64n) - 1n;

export interface OcteonCiuOptions {
  /** The core's IP2, IP3, IP4 inputs. */
  ip2: IrqLine;
  ip3: IrqLine;
  ip4: IrqLine;
  /** CIU_SOFT_RST written with 1. */
  onSoftReset(): void;
  /** An access to a register the model lacks (offset, write). */
  unknown(offset: number, write: boolean): void;
  /** A one-line notice (the watchdog being armed, which is not modelled). */
  warn(message: string): void;
  /** Byte lanes of narrower accesses. */
  bigEndian: boolean;
  /** Virtual time in ns, and the I/O clock the watchdog counts. */
  now(): number;
  ioClockHz: number;
}

interface CiuState {
  /** EN0/EN1 of summaries 0 (IP2) and 1 (IP3). */
  en0_0: bigint; en0_1: bigint; en1_0: bigint; en1_1: bigint;
  en2ip2: bigint; en2ip3: bigint; en2ip4: bigint;
  en40: bigint; en41: bigint;
  /** Edge-latched SUM0 bits (write 1 to clear). */
  edge: bigint;
  /** Level inputs (UART0/1), as the devices drive them. */
  inputs: bigint;
  mbox: number;
  /** WDOG0 as last written (MODE, LEN); STATE and CNT are derived from the poke time. */
  wdog: bigint;
  /** Virtual time (ns) of the last poke or WDOG0 write: the count started from LEN << 8 then. */
  wdogStart: number;
  /** Watchdog expiries since then (0: counting, 1: interrupt raised, 2: NMI stage reported). */
  wdogStage: number;
  softBist: bigint;
  softPrst: bigint;
  timMultiCast: bigint;
  [k: string]: unknown;
}

export class OcteonCiu implements Device, TimedDevice {
  readonly name = 'ciu';
  readonly size = OCTEON_CIU_SIZE;
  readonly stateSpec: StateSpec = {
    name: 'ciu', version: 1,
    fields: {
      en0_0: 'u64', en0_1: 'u64', en1_0: 'u64', en1_1: 'u64', en2ip2: 'u64', en2ip3: 'u64', en2ip4: 'u64', en40: 'u64', en41: 'u64',
      edge: 'u64', inputs: 'u64', mbox: 'u32', wdog: 'u64', wdogStart: 'f64', wdogStage: 'u8', softBist: 'u64', softPrst: 'u64',
      timMultiCast: 'u64',
    },
    // wdogStart: virtual ns when the watchdog count last started; stages past 2 are not modelled.
    ranges: { wdogStart: { min: 0, max: Number.MAX_VALUE, fraction: true }, wdogStage: { min: 0, max: 2 } },
  };
  readonly state: CiuState = {
    en0_0: 0n, en0_1: 0n, en1_0: 0n, en1_1: 0n, en2ip2: 0n, en2ip3: 0n, en2ip4: 0n, en40: 0n, en41: 0n,
    edge: 0n, inputs: 0n, mbox: 0, wdog: 0n, wdogStart: 0, wdogStage: 0, softBist: 0n, softPrst: 0n, timMultiCast: 0n,
  };

  constructor(private readonly o: OcteonCiuOptions) {}

  reset(): void {
    const s = this.state;
    s.en0_0 = s.en0_1 = s.en1_0 = s.en1_1 = 0n;
    s.en2ip2 = s.en2ip3 = s.en2ip4 = s.en40 = s.en41 = 0n;
    s.edge = 0n; s.mbox = 0; s.wdog = 0n; s.wdogStart = 0; s.wdogStage = 0; s.softBist = 0n; s.softPrst = 0n; s.timMultiCast = 0n;
    this.update();
  }

  afterRestore(): void {
    this.update(true);
  }

  /** A level source on SUM0 bit `bit` (UART0/1) changed. */
  setInput(bit: bigint, level: boolean): void {
    const s = this.state;
    s.inputs = level ? s.inputs | (1n << bit) : s.inputs & ~(1n << bit);
    this.update();
  }

  /** SUM0 as the core sees it. */
  sum0(): bigint {
    const s = this.state;
    const mbox = (s.mbox & 0xffff ? 1n << CIU_MBOX0 : 0n) | (s.mbox >>> 16 ? 1n << CIU_MBOX1 : 0n);
    return s.edge | s.inputs | mbox;
  }

  /** INT_SUM1: the watchdog interrupt once it expired. */
  sum1(): bigint {
    return this.state.wdogStage > 0 ? 1n : 0n;
  }

  // ---- watchdog

  /** Nanoseconds of one full count (LEN << 8 decrements, one per 256 I/O clocks); Infinity when off. */
  private wdogPeriod(): number {
    const w = this.state.wdog;
    if ((w & 3n) === 0n) return Infinity;
    const len = Number((w >> 4n) & 0xffffn);
    return Math.max(1, (len * 256 * 256 * 1e9) / this.o.ioClockHz);
  }

  nextEvent(): number {
    const s = this.state;
    if (s.wdogStage >= 2) return Infinity;
    return s.wdogStart + this.wdogPeriod() * (s.wdogStage + 1);
  }

  tick(now: number): void {
    const s = this.state;
    while (s.wdogStage < 2 && now >= this.nextEvent()) {
      s.wdogStage++;
      if (s.wdogStage === 2) {
        this.o.warn('CIU_WDOG0 expired twice without a poke (the core stopped servicing interrupts); its NMI and reset are not modelled');
      }
    }
    this.update();
  }

  private poke(): void {
    this.state.wdogStart = this.o.now();
    this.state.wdogStage = 0;
  }

  /** WDOG0 as read: MODE and LEN as written, STATE, and CNT counting down. */
  private wdogValue(): bigint {
    const s = this.state, period = this.wdogPeriod();
    if (period === Infinity) return s.wdog & 0xffff3n;
    const len = (s.wdog >> 4n) & 0xffffn;
    const elapsed = (this.o.now() - s.wdogStart) % period;
    const cnt = BigInt(Math.max(0, Math.floor(Number(len << 8n) * (1 - elapsed / period))));
    return (s.wdog & 0xffff3n) | (BigInt(Math.min(s.wdogStage, 3)) << 2n) | ((cnt & 0xffffffn) << 20n);
  }

  private update(resync = false): void {
    const s = this.state, sum = this.sum0(), sum1 = this.sum1();
    const ip2 = ((sum & s.en0_0) | (sum1 & s.en1_0)) !== 0n, ip3 = ((sum & s.en0_1) | (sum1 & s.en1_1)) !== 0n;
    const ip4 = ((sum & s.en40) | (sum1 & s.en41)) !== 0n;
    if (resync) { this.o.ip2.resync(ip2); this.o.ip3.resync(ip3); this.o.ip4.resync(ip4); return; }
    this.o.ip2.set(ip2); this.o.ip3.set(ip3); this.o.ip4.set(ip4);
  }

  read64(off: number): bigint {
    const s = this.state;
    switch (off) {
      case 0x000: case 0x008: return this.sum0();
      case 0x108: return this.sum1();
      case 0x110: return 0n; // INT33_SUM0: no sources
      case 0x200: return s.en0_0;
      case 0x208: return s.en1_0;
      case 0x210: return s.en0_1;
      case 0x218: return s.en1_1;
      case 0x500: return this.wdogValue();
      case 0x600: case 0x680: return BigInt(s.mbox);
      case 0x700: case 0x708: case 0x710: case 0x730: case 0x7c0: return 0n; // PP_RST, PP_DBG, GSTOP, BIST, BLOCK_INT
      case 0x728: return 1n; // CIU_FUSE: one core
      case 0x738: return s.softBist;
      case 0x748: return s.softPrst;
      case 0xc00: return this.sum0(); // SUM4(0): the same sources
      case 0xc80: return s.en40;
      case 0xc88: return s.en41;
      case 0x8000: case 0x8200: case 0x8400: return 0n; // SUM1_PP0_IP2/3/4
      case 0x8800: case 0x8a00: case 0x8c00: return 0n; // SUM2_PP0_IP2/3/4
      case 0xa000: return s.en2ip2;
      case 0xa200: return s.en2ip3;
      case 0xa400: return s.en2ip4;
      case 0xc200: return s.timMultiCast;
      default: this.o.unknown(off, false); return 0n;
    }
  }

  write64(off: number, value: bigint): void {
    const s = this.state, v = value & M64;
    switch (off) {
      case 0x000: case 0x008: s.edge &= ~(v & ~LEVEL_BITS); break;
      case 0x108: break; // INT_SUM1: the watchdog bit clears with a poke
      case 0x200: s.en0_0 = v; break;
      case 0x208: s.en1_0 = v; break;
      case 0x210: s.en0_1 = v; break;
      case 0x218: s.en1_1 = v; break;
      case 0x2200: s.en0_0 &= ~v; break;
      case 0x2208: s.en1_0 &= ~v; break;
      case 0x2210: s.en0_1 &= ~v; break;
      case 0x2218: s.en1_1 &= ~v; break;
      case 0x6200: s.en0_0 |= v; break;
      case 0x6208: s.en1_0 |= v; break;
      case 0x6210: s.en0_1 |= v; break;
      case 0x6218: s.en1_1 |= v; break;
      case 0x500: s.wdog = v & 0xffff3n; this.poke(); break;
      case 0x580: this.poke(); break; // PP_POKE0
      case 0x600: s.mbox = (s.mbox | Number(v & 0xffffffffn)) >>> 0; break;
      case 0x680: s.mbox = (s.mbox & ~Number(v & 0xffffffffn)) >>> 0; break;
      case 0x700: if (v & ~1n) this.o.warn(`CIU_PP_RST 0x${v.toString(16)}: this board has one core`); break;
      case 0x738: s.softBist = v & 1n; break;
      case 0x740: if (v & 1n) this.o.onSoftReset(); break;
      case 0x748: s.softPrst = v; break;
      case 0xc80: s.en40 = v; break;
      case 0xc88: s.en41 = v; break;
      case 0x2c80: s.en40 &= ~v; break;
      case 0x2c88: s.en41 &= ~v; break;
      case 0x6c80: s.en40 |= v; break;
      case 0x6c88: s.en41 |= v; break;
      case 0x8000: case 0x8200: case 0x8400: case 0x8800: case 0x8a00: case 0x8c00: break; // nothing latched
      case 0xa000: s.en2ip2 = v; break;
      case 0xa200: s.en2ip3 = v; break;
      case 0xa400: s.en2ip4 = v; break;
      case 0xa800: s.en2ip2 |= v; break;
      case 0xaa00: s.en2ip3 |= v; break;
      case 0xac00: s.en2ip4 |= v; break;
      case 0xc800: s.en2ip2 &= ~v; break;
      case 0xca00: s.en2ip3 &= ~v; break;
      case 0xcc00: s.en2ip4 &= ~v; break;
      case 0xc200: s.timMultiCast = v; break;
      default: this.o.unknown(off, true); return;
    }
    this.update();
  }

  read(off: number, size: AccessSize): number {
    return size === 8 ? Number(this.read64(off)) : narrowRead(this.read64(off & ~7), off, size, this.o.bigEndian);
  }

  write(off: number, size: AccessSize, value: number): void {
    if (size === 8) { this.write64(off, BigInt(value)); return; }
    this.write64(off & ~7, narrowMerge(this.read64(off & ~7), off, size, value, this.o.bigEndian));
  }
}
