// Galileo (Marvell) GT-64120 system controller, as on the Malta board: the CPU-side
// register file (4 KiB window at the "internal space decode" address), the PCI_0
// I/O and memory window decoders, PCI configuration access, the PCI interrupt-
// acknowledge register and the interrupt cause register.
//
// Register file: every register reads back what was written, with the field masks of
// the part (LD/HD/REMAP, ISD 15 bits, PCI command); read-only registers (error
// report, ECC, GT_MULTI) keep their reset values; the sync-barrier registers read a
// junk value. Writing ISD moves the window (bits 14:0 → address bits 35:21, kept out
// of the Malta flash/FPGA/boot ranges); writing PCI0 LD/HD moves the I/O and memory
// windows (and an LD write also sets the matching REMAP). The board applies moves
// through the callbacks.
//
// Endianness: register values are 32-bit and byte-swapped unless GT_CPU's
// Endianness bit (12) is set — set at reset for a little-endian CPU, so a
// little-endian guest sees plain values. Narrower accesses address bytes of the
// 32-bit value in the CPU's byte order; narrow writes store the value shifted into
// place with the other bytes zero. PCI0_CFGADDR (0xCF8) is little-endian and only
// takes 32-bit writes; PCI0_CFGDATA (0xCFC) is little-endian when PCI0_CMD's
// MByteSwap bit (0) is set, big-endian otherwise (swapped relative to the CPU).
//
// Configuration access: CFGADDR = enable(31) | bus(23:16) | devfn(15:8) | reg(7:2);
// data accesses go to the function registered at (bus 0, devfn) with the byte offset
// of the access added; absent functions (and accesses with enable clear) read all
// ones and ignore writes, without master-abort bits in INTRCAUSE. The controller
// itself answers as function 0 of device 0 (11ab:4620, host bridge).
//
// PCI0_IACK (0xC34) read: an interrupt-acknowledge cycle on PCI (the PIIX4's 8259
// pair answers with the vector). INTRCAUSE (0xC18): bits are cleared by writing 0,
// bit 0 summarises the others; the controller raises no interrupts itself.

import type { AccessSize, Device } from './device';
import { PciConfig, PciFunction } from './pci';
import type { StateSpec } from '../snapshot/state';

export const GT_CPU = 0x000;
export const GT_MULTI = 0x120;
export const GT_PCI0IOLD = 0x048;
export const GT_PCI0IOHD = 0x050;
export const GT_PCI0M0LD = 0x058;
export const GT_PCI0M0HD = 0x060;
export const GT_ISD = 0x068;
export const GT_PCI0M1LD = 0x080;
export const GT_PCI0M1HD = 0x088;
export const GT_PCI0IOREMAP = 0x0f0;
export const GT_PCI0M0REMAP = 0x0f8;
export const GT_PCI0M1REMAP = 0x100;
export const GT_PCI0_CMD = 0xc00;
export const GT_INTRCAUSE = 0xc18;
export const GT_INTRMASK = 0xc1c;
export const GT_PCI0_IACK = 0xc34;
export const GT_PCI0_CFGADDR = 0xcf8;
export const GT_PCI0_CFGDATA = 0xcfc;

/** Physical address of the register window at reset and after YAMON/QEMU's boot code. */
export const GT_RESET_BASE = 0x14000000;
export const GT_BOOT_BASE = 0x1be00000;

const ENDIAN_BIT = 0x1000;

const bswap32 = (v: number): number =>
  (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
const bswap16 = (v: number): number => ((v & 0xff) << 8) | ((v >>> 8) & 0xff);

/** Reset values (offset → value); everything else resets to 0. */
const RESET: ReadonlyArray<readonly [number, number]> = [
  [0x120, 0x00000003], // MULTI
  [0x008, 0x00000000], [0x010, 0x00000007], [0x018, 0x00000008], [0x020, 0x0000000f], // SCS10/32 LD/HD
  [0x028, 0x000000e0], [0x030, 0x00000070], [0x038, 0x000000f8], [0x040, 0x0000007f], // CS20, CS3BOOT
  [0x048, 0x00000080], [0x050, 0x0000000f], [0x058, 0x00000090], [0x060, 0x0000001f], // PCI0 IO, M0
  [0x068, 0x000000a0], [0x080, 0x00000790], [0x088, 0x0000001f], // ISD, PCI0 M1
  [0x090, 0x00000100], [0x098, 0x0000000f], [0x0a0, 0x00000110], [0x0a8, 0x0000001f], // PCI1 IO, M0
  [0x0b0, 0x00000120], [0x0b8, 0x0000002f], // PCI1 M1
  [0x0d0, 0x00000000], [0x0d8, 0x00000008], [0x0e0, 0x000000e0], [0x0e8, 0x000000f8], // address remaps
  [0x0f0, 0x00000080], [0x0f8, 0x00000090], [0x100, 0x00000790],
  [0x108, 0x00000100], [0x110, 0x00000110], [0x118, 0x00000120],
  [0x128, 0xffffffff], [0x130, 0xffffffff], [0x138, 0x000000ff], // CPU error data/parity
  [0x400, 0x00000000], [0x404, 0x00000007], [0x408, 0x00000008], [0x40c, 0x0000000f], // SCS0-3
  [0x410, 0x00000010], [0x414, 0x00000017], [0x418, 0x00000018], [0x41c, 0x0000001f],
  [0x420, 0x000000c0], [0x424, 0x000000c7], [0x428, 0x000000c8], [0x42c, 0x000000cf], // CS0-3, BOOT
  [0x430, 0x000000d0], [0x434, 0x000000df], [0x438, 0x000000f0], [0x43c, 0x000000fb],
  [0x440, 0x000000fc], [0x444, 0x000000ff], [0x470, 0xffffffff],
  [0x448, 0x00000200], [0x474, 0x00000000], [0x478, 0x00000007], [0x47c, 0x00000002], // SDRAM config
  [0x44c, 0x00000005], [0x450, 0x00000005], [0x454, 0x00000005], [0x458, 0x00000005], // SDRAM params
  [0x45c, 0x386fffff], [0x460, 0x386fffff], [0x464, 0x386fffff], [0x468, 0x386fffff], [0x46c, 0x146fffff],
  [0x850, 0xffffffff], [0x854, 0x00ffffff], [0x858, 0x00ffffff], [0x85c, 0x00ffffff], // timers
  [0xc04, 0x0000070f], [0xc08, 0x00fff000], [0xc0c, 0x00fff000], [0xc10, 0x01fff000], [0xc14, 0x00fff000],
  [0xc3c, 0x0000000f], [0xc40, 0x00000040], [0xc48, 0x00000000], [0xc4c, 0x01000000],
  [0xc50, 0x1c000000], [0xc54, 0x1f000000], [0xc58, 0x00000000], [0xc5c, 0x01000000], [0xc64, 0x1f000000],
  [0xc84, 0x0000070f], [0xc88, 0x00fff000], [0xc8c, 0x00fff000], [0xc90, 0x01fff000], [0xc94, 0x00fff000],
  [0xcbc, 0x0000000f], [0xcc0, 0x00000040], [0xcc8, 0x00000000], [0xccc, 0x01000000],
  [0xcd0, 0x1c000000], [0xcd4, 0x1f000000], [0xcd8, 0x00000000], [0xcdc, 0x01000000], [0xce4, 0x1f000000],
];

/** Registers whose writes are ignored (read-only or not modelled: they keep their value). */
const READ_ONLY = new Set([
  0x070, 0x078, 0x128, 0x130, 0x138, // CPU error report
  0x0c0, 0x0c8, // sync barriers
  0x480, 0x484, 0x488, 0x48c, 0x490, // ECC
  0x120, // MULTI
  0xc34, 0xc30, // IACK
]);

export interface PciWindow { base: number; size: number }

export interface Gt64120Options {
  name?: string;
  /** CPU byte order (sets GT_CPU.Endianness and the PCI byte-swap bits at reset). */
  bigEndian: boolean;
  /** Answers the interrupt-acknowledge cycle (the 8259 pair). */
  iack: () => number;
  /** The register window moved (ISD write). */
  onIsdMove?: (base: number) => void;
  /** The PCI_0 I/O window moved or was resized. */
  onPciIoMove?: (w: PciWindow) => void;
}

const FIELDS = { regs: 'i32array', hostConfig: 'u8array' } as const;

export class Gt64120 implements Device {
  readonly name: string;
  readonly size = 0x1000;
  readonly stateSpec: StateSpec;
  readonly state: { regs: Int32Array; hostConfig: Uint8Array };
  /** PCI functions on bus 0 by devfn (the controller is devfn 0). */
  private readonly functions = new Map<number, PciFunction>();
  private readonly host: PciConfig;
  private readonly big: boolean;

  constructor(private readonly opts: Gt64120Options) {
    this.name = opts.name ?? 'gt64120';
    this.big = opts.bigEndian;
    this.stateSpec = { name: this.name, version: 1, fields: FIELDS, ranges: { regs: { length: 1024 }, hostConfig: { length: 256 } } };
    this.state = { regs: new Int32Array(0x400), hostConfig: new Uint8Array(256) };
    // The BARs (SCS[1:0], SCS[3:2], CS[2:0], CS[3]/BootCS, ISD memory, ISD I/O) are
    // read-only, as in QEMU 7.2: Linux reports BARs 1-5 as unsizable and leaves them.
    this.host = new PciConfig(this.state.hostConfig);
    this.functions.set(0, this.host);
    this.reset();
  }

  /** Registers a PCI function at bus 0, `devfn` (slot << 3 | function). */
  attachPci(devfn: number, fn: PciFunction): void {
    this.functions.set(devfn, fn);
  }

  reset(): void {
    const r = this.state.regs;
    r.fill(0);
    for (const [off, v] of RESET) r[off >> 2] = v | 0;
    const le = !this.big;
    r[GT_CPU >> 2] = le ? ENDIAN_BIT : 0;
    r[GT_PCI0_CMD >> 2] = le ? 0x00010001 : 0;
    r[0xc80 >> 2] = le ? 0x00010001 : 0; // PCI1_CMD
    const h = this.host;
    h.bytes.fill(0);
    h.setIdentity({ vendor: 0x11ab, device: 0x4620, revision: 0x10, classCode: 0x060000, interruptPin: 1 });
    h.set(0x06, 2, 0x0280); // fast back-to-back capable, medium DEVSEL
    [0x00000008, 0x01000008, 0x1c000000, 0x1f000000, 0x14000000, 0x14000001].forEach((v, i) => h.set(0x10 + 4 * i, 4, v));
    this.remapAll();
  }

  afterRestore(): void {
    this.remapAll();
  }

  /** Current base of the register window. */
  get isdBase(): number {
    let start = (this.reg(GT_ISD) * 2 ** 21) % 2 ** 36;
    // Keep clear of the Malta flash/FPGA (0x1e000000-0x1f0fffff) and boot ROM (0x1fc00000-0x1fcfffff).
    if (start >= 0x1e000000 && start < 0x1f100000) start = 0x1f100000;
    if (start >= 0x1fc00000 && start < 0x1fd00000) start = 0x1fd00000;
    return start;
  }

  /** PCI_0 I/O window (size 0 when LD > HD). */
  get pciIoWindow(): PciWindow { return this.window(GT_PCI0IOLD, GT_PCI0IOHD); }
  get pciMem0Window(): PciWindow { return this.window(GT_PCI0M0LD, GT_PCI0M0HD); }
  get pciMem1Window(): PciWindow { return this.window(GT_PCI0M1LD, GT_PCI0M1HD); }

  private window(ld: number, hd: number): PciWindow {
    const l = this.reg(ld), h = this.reg(hd);
    if ((l & 0x7f) > h) return { base: 0, size: 0 };
    return { base: l * 2 ** 21, size: (h + 1 - (l & 0x7f)) * 2 ** 21 };
  }

  private remapAll(): void {
    this.opts.onIsdMove?.(this.isdBase);
    this.opts.onPciIoMove?.(this.pciIoWindow);
  }

  /** Raw register value (host order). */
  reg(off: number): number {
    return this.state.regs[off >> 2] >>> 0;
  }

  /** Writes a register by offset with its write semantics (host order: no byte swap), as boot code would. */
  setRegister(off: number, v: number): void {
    this.writeReg(off & ~3, v >>> 0);
  }

  // ---- register window ----

  read(offset: number, size: AccessSize): number {
    const o = offset & ~3;
    if (o === GT_PCI0_CFGDATA) return this.configData(offset & 3, size, undefined);
    let v: number;
    if (o === GT_PCI0_CFGADDR) {
      v = this.reg(o);
      if (this.big) v = bswap32(v);
    } else {
      v = this.readReg(o);
      if (!(this.reg(GT_CPU) & ENDIAN_BIT)) v = bswap32(v);
    }
    return extract(v, offset & 3, size, this.big);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const o = offset & ~3;
    if (o === GT_PCI0_CFGDATA) { this.configData(offset & 3, size, value); return; }
    if (o === GT_PCI0_CFGADDR) {
      if (size !== 4) return;
      this.state.regs[o >> 2] = (this.big ? bswap32(value >>> 0) : value) | 0;
      return;
    }
    let v = place(value, offset & 3, size, this.big);
    if (!(this.reg(GT_CPU) & ENDIAN_BIT)) v = bswap32(v);
    this.writeReg(o, v >>> 0);
  }

  private readReg(o: number): number {
    switch (o) {
      case GT_PCI0_IACK: return this.opts.iack() >>> 0;
      case 0x0c0: case 0x0c8: return 0xc000ffee; // sync barriers: junk
      default: return this.reg(o);
    }
  }

  private writeReg(o: number, v: number): void {
    const r = this.state.regs;
    const set = (off: number, val: number): void => { r[off >> 2] = val | 0; };
    switch (o) {
      case GT_PCI0IOLD: case GT_PCI0M0LD: case GT_PCI0M1LD: {
        set(o, v & 0x7fff);
        const remap = o === GT_PCI0IOLD ? GT_PCI0IOREMAP : o === GT_PCI0M0LD ? GT_PCI0M0REMAP : GT_PCI0M1REMAP;
        set(remap, v & 0x7ff);
        if (o === GT_PCI0IOLD) this.opts.onPciIoMove?.(this.pciIoWindow);
        return;
      }
      case 0x090: case 0x0a0: case 0x0b0: // PCI1 LD
        set(o, v & 0x7fff);
        set(o === 0x090 ? 0x108 : o === 0x0a0 ? 0x110 : 0x118, v & 0x7ff);
        return;
      case GT_PCI0IOHD: case GT_PCI0M0HD: case GT_PCI0M1HD:
        set(o, v & 0x7f);
        if (o === GT_PCI0IOHD) this.opts.onPciIoMove?.(this.pciIoWindow);
        return;
      case 0x098: case 0x0a8: case 0x0b8:
        set(o, v & 0x7f);
        return;
      case GT_ISD:
        set(o, v & 0x7fff);
        this.opts.onIsdMove?.(this.isdBase);
        return;
      case GT_PCI0IOREMAP: case GT_PCI0M0REMAP: case GT_PCI0M1REMAP: case 0x108: case 0x110: case 0x118:
        set(o, v & 0x7ff);
        return;
      case GT_PCI0_CMD: case 0xc80:
        set(o, v & 0x0401fc0f);
        return;
      case GT_INTRCAUSE: {
        // Bits are cleared by writing 0; bit 0 is the OR of the others.
        let c = this.reg(o) & v & 0xfffffffe;
        if (c) c |= 1;
        set(o, c);
        return;
      }
      case GT_INTRMASK: set(o, v & 0x3c3ffffe); return;
      case 0xc24: set(o, v & 0x03fffffe); return; // PCI0_ICMASK
      case 0xc28: set(o, v & 0x3f); return; // PCI0_SERR0MASK
      default:
        if (READ_ONLY.has(o)) return;
        set(o, v);
    }
  }

  // ---- PCI configuration ----

  private configData(byte: number, size: AccessSize, value: number | undefined): number {
    const addr = this.reg(GT_PCI0_CFGADDR);
    const le = (this.reg(GT_PCI0_CMD) & 1) !== 0;
    const swap = le === this.big; // device byte order differs from the CPU's
    const sz = size === 8 ? 4 : size;
    const sw = (v: number): number => (!swap || sz === 1 ? v : sz === 2 ? bswap16(v) : bswap32(v));
    const fn = (addr & 0x80000000) && ((addr >>> 16) & 0xff) === 0 ? this.functions.get((addr >>> 8) & 0xff) : undefined;
    const reg = (addr & 0xfc) + byte;
    if (value === undefined) {
      if (!fn) return sz === 4 ? 0xffffffff : 2 ** (8 * sz) - 1;
      return sw(fn.configRead(reg, sz) >>> 0) >>> 0;
    }
    fn?.configWrite(reg, sz, sw(value >>> 0) >>> 0);
    return 0;
  }
}

/** Bytes [byte, byte+size) of a 32-bit register value, in the CPU's byte order. */
function extract(v: number, byte: number, size: AccessSize, big: boolean): number {
  if (size >= 4) return v >>> 0;
  const shift = big ? 8 * (4 - size - byte) : 8 * byte;
  return (v >>> shift) & (size === 1 ? 0xff : 0xffff);
}

/** A narrow write's value placed at its bytes of the 32-bit register (others zero). */
function place(value: number, byte: number, size: AccessSize, big: boolean): number {
  if (size >= 4) return value >>> 0;
  const shift = big ? 8 * (4 - size - byte) : 8 * byte;
  return ((value & (size === 1 ? 0xff : 0xffff)) << shift) >>> 0;
}
