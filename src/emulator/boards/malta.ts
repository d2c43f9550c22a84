// The MIPS Malta board as QEMU's `-M malta` builds it, enough for Debian's 5kc-malta
// kernel: RAM, the GT-64120 system controller, the PIIX4 south bridge's ISA devices
// behind the GT's PCI I/O window, the FPGA register block and the boot ROM ID word.
//
// Physical map:
//   0x00000000  RAM, first min(RAM, 256 MiB)            (alias)
//   0x20000000  RAM from offset 512 MiB, if RAM > 512 MiB (alias)
//   0x80000000  all RAM
//   0x18000000  PCI I/O window (2 MiB, ISA port N at +N; moves with GT PCI0IOLD/HD)
//   0x1be00000  GT-64120 registers (moves with GT ISD)
//   0x1f000000  FPGA (CBUS UART at +0x900)
//   0x1fc00000  boot ROM (board ID 0x00000420 at +0x10)
//   anything else below 0x20000000 reads 0 and ignores writes (no bus error)
// ISA ports: 8259 pair 0x20/0xa0 (+ ELCR 0x4d0), PIT 0x40, RTC 0x70, UARTs 0x3f8
// (IRQ 4, ttyS0, the console) and 0x2f8 (IRQ 3), the PIIX4 PM block where Linux puts
// it (PMBA, 0x1000). Undecoded ports read all ones. The 8259's output is CPU IP2,
// the CBUS UART's is IP4; the CPU timer is IP7.
//
// Direct kernel boot (`bootLinux`) does what QEMU's -kernel does: loads the ELF at
// its physical addresses, places the initrd at ROUND_UP(ram_low − (size + 128 KiB),
// 64 KiB), builds the YAMON argument/environment table at 0x2000, and starts the CPU
// at the entry in the state QEMU's boot stub leaves (GT windows programmed, a0-a3
// and sp set, Status = BEV). A board reset (FPGA SOFTRES, Linux `reboot`) restores
// that state and reloads the images, as QEMU's reset reloads its ROM blobs.

import { BootRom } from '../devices/boot-rom';
import type { Device } from '../devices/device';
import {
  GT_ISD, GT_PCI0IOHD, GT_PCI0IOLD, GT_PCI0M0HD, GT_PCI0M0LD, GT_PCI0M1HD, GT_PCI0M1LD, Gt64120, PciWindow,
} from '../devices/gt64120';
import { I8254 } from '../devices/i8254';
import { I8259Pair } from '../devices/i8259';
import { IrqLine } from '../devices/irq';
import { IsaBus } from '../devices/isa-bus';
import { MaltaFpga } from '../devices/malta-fpga';
import { Mc146818 } from '../devices/mc146818';
import { PIIX4_DEVFN, Piix4Power } from '../devices/piix4-power';
import { ResetLatch } from '../devices/reset-latch';
import { Uart16550 } from '../devices/uart16550';
import type { ElfFile } from '../loader/elf';
import { kernelVirtToPhys, loadElf, LoadedImage } from '../loader/load-elf';
import { Board, Machine, MachineOptions } from '../machine';

export const MALTA_FPGA_BASE = 0x1f000000;
export const MALTA_BOOTROM_BASE = 0x1fc00000;
export const MALTA_ENV_PADDR = 0x2000;
export const MALTA_INITRD_ALIGN = 64 * 1024;

const KSEG0 = 0xffffffff80000000n;
const sx32 = (v: number): bigint => BigInt.asUintN(64, BigInt(v | 0));

/** GT-64120 registers as QEMU's boot stub leaves them (little- or big-endian alike). */
export const MALTA_GT_BOOT_VALUES: ReadonlyArray<readonly [number, number]> = [
  [GT_ISD, 0xdf], // registers at 0x1be00000
  [GT_PCI0IOLD, 0xc0], [GT_PCI0IOHD, 0x40], // I/O 0x18000000, 2 MiB
  [GT_PCI0M0LD, 0x80], [GT_PCI0M0HD, 0x3f], // memory 0x10000000, 128 MiB
  [GT_PCI0M1LD, 0xc1], [GT_PCI0M1HD, 0x5e], // memory 0x18200000-0x1bdfffff
];

/** The `rngseed` environment variable's seed unless MaltaOptions.rngSeed says otherwise. */
export const MALTA_DEFAULT_RNG_SEED = 0x4d495053;

export interface MaltaOptions extends Partial<MachineOptions> {
  /** Default kernel command line for bootLinux. */
  append?: string;
  /** RTC time at virtual time 0 (ms since 1970); default a fixed date. */
  rtcEpochMs?: number;
  /** Seed for the `rngseed` environment variable (deterministic by default). */
  rngSeed?: number;
  /** Let virtual time skip while the guest polls the RTC's UIP flag (default true). */
  rtcPollSkip?: boolean;
  /**
   * UART timing: 'instant' (default) sends and receives characters without baud-rate
   * delays, as QEMU's serial ports do; 'baud' models the line speed.
   */
  uartTiming?: 'instant' | 'baud';
}

interface BootImages {
  /** The kernel: a raw image's bytes, or an ELF (bytes or parsed). */
  kernel: Uint8Array | ElfFile;
  /** Raw image (instead of an ELF): where it loads and where it starts. */
  raw?: { loadVa: bigint; entry: bigint };
  initrd?: Uint8Array;
  append: string;
  kernelName: string;
}

export class MaltaBoard implements Board {
  readonly name = 'malta';
  readonly gt: Gt64120;
  readonly pic: I8259Pair;
  readonly pit: I8254;
  readonly rtc: Mc146818;
  readonly uart0: Uart16550;
  readonly uart1: Uart16550;
  readonly uart2: Uart16550;
  readonly fpga: MaltaFpga;
  readonly piix4: Piix4Power;
  readonly isa: IsaBus;
  readonly bootRom: BootRom;
  readonly devices: Device[];
  /** ISA interrupt lines 0-15 (into the 8259 pair). */
  readonly isaIrq: IrqLine[];
  /** RAM below the I/O hole: min(RAM, 256 MiB). */
  readonly ramLow: number;
  /** Instructions' worth of virtual time skipped while the guest polled the RTC. */
  skippedInsns = 0;
  image: LoadedImage | undefined;
  initrdPa = 0;
  private boot: BootImages | undefined;
  private readonly latch: ResetLatch;
  private isaBase = -1;
  private gtBase = -1;
  private pmPort = -1;

  constructor(private readonly m: Machine, private readonly opts: MaltaOptions = {}) {
    const bus = m.bus;
    const big = m.options.bigEndian;
    const ram = bus.ramSize;
    this.ramLow = Math.min(ram, 256 << 20);
    bus.mapRam(0, this.ramLow);
    bus.mapRam(0x80000000, ram);
    if (ram > 512 << 20) bus.mapRam(0x20000000, ram - (512 << 20), 512 << 20);
    // The GT-64120 decodes 0-0x1fffffff: nothing there is a bus error.
    bus.fallback = {
      read: (pa) => (pa < 0x20000000 ? 0 : undefined),
      write: (pa) => pa < 0x20000000,
    };

    const now = (): number => m.now();
    this.pic = new I8259Pair(new IrqLine('pic.int', (l) => m.cpu.setIrq(2, l)));
    const pic = this.pic;
    this.isaIrq = Array.from({ length: 16 }, (_, n) => new IrqLine(`isa.irq${n}`, (l) => pic.setIrq(n, l)));
    this.isa = new IsaBus();
    this.gt = new Gt64120({
      bigEndian: big,
      iack: () => pic.acknowledge(),
      onIsdMove: (base) => this.moveGt(base),
      onPciIoMove: (w) => this.moveIsa(w),
    });
    this.pit = new I8254({ irq: this.isaIrq[0], now });
    const skip = opts.rtcPollSkip ?? true;
    this.rtc = new Mc146818({
      irq: this.isaIrq[8], now, epochMs: opts.rtcEpochMs,
      skipTo: skip ? (ns) => this.skipTo(ns) : undefined,
    });
    const tx = (port: number) => (byte: number): void => m.events.emit('uartTx', { port, byte });
    const instantaneous = (opts.uartTiming ?? 'instant') === 'instant';
    this.uart0 = new Uart16550({ name: 'uart0', irq: this.isaIrq[4], now, onTransmit: tx(0), instantaneous });
    this.uart1 = new Uart16550({ name: 'uart1', irq: this.isaIrq[3], now, onTransmit: tx(1), instantaneous });
    this.uart2 = new Uart16550({
      name: 'uart2', irq: new IrqLine('cbus-uart', (l) => m.cpu.setIrq(4, l)), now, onTransmit: tx(2),
      regShift: 3, clockHz: 3686400, instantaneous,
    });
    this.latch = new ResetLatch(() => m.reset());
    this.fpga = new MaltaFpga({ bigEndian: big, uart: this.uart2, onReset: () => this.requestReset() });
    this.piix4 = new Piix4Power({
      now, onPowerOff: () => m.powerOff(0), onIoMove: (port) => this.movePm(port),
    });
    this.gt.attachPci(PIIX4_DEVFN, this.piix4.isa);
    this.gt.attachPci(PIIX4_DEVFN | 3, this.piix4.pm);
    this.bootRom = new BootRom(big);

    const isa = this.isa;
    isa.attach(0x20, pic, 2, 0);
    isa.attach(0xa0, pic, 2, 2);
    isa.attach(0x4d0, pic, 2, 4);
    isa.attach(0x40, this.pit);
    isa.attach(0x70, this.rtc);
    isa.attach(0x3f8, this.uart0);
    isa.attach(0x2f8, this.uart1);

    bus.mapDevice(MALTA_FPGA_BASE, this.fpga);
    bus.mapDevice(MALTA_BOOTROM_BASE, this.bootRom);
    this.devices = [this.gt, pic, this.pit, this.rtc, this.uart0, this.uart1, this.uart2, this.fpga, this.piix4,
      this.isa, this.bootRom, this.latch];
    // Windows as the GT's reset left them, then as the boot stub programs them.
    this.moveGt(this.gt.isdBase);
    this.moveIsa(this.gt.pciIoWindow);
    this.programGt();
    m.attachBoard(this);
  }

  private moveGt(base: number): void {
    if (!this.gt || base === this.gtBase) return;
    this.m.bus.unmapDevice(this.gt);
    this.m.bus.mapDevice(base, this.gt);
    this.gtBase = base;
  }

  private moveIsa(w: PciWindow): void {
    if (!this.isa) return;
    this.m.bus.unmapDevice(this.isa);
    this.isaBase = w.size > 0 ? w.base : -1;
    if (w.size > 0) this.m.bus.mapDevice(w.base, this.isa, Math.min(w.size, this.isa.size));
  }

  private movePm(port: number): void {
    if (!this.isa || port === this.pmPort) return;
    this.isa.detach(this.piix4);
    this.pmPort = port;
    if (port >= 0) this.isa.attach(port, this.piix4);
  }

  /** Physical address of ISA port 0 (the PCI I/O window), or -1. */
  get isaWindowBase(): number { return this.isaBase; }

  /** The GT-64120 register window's physical address. */
  get gtWindowBase(): number { return this.gtBase; }

  private programGt(): void {
    for (const [off, v] of MALTA_GT_BOOT_VALUES) this.gt.setRegister(off, v);
  }

  /** Asks for a board reset at the next instruction boundary. */
  requestReset(): void {
    this.latch.state.pending = true;
    this.m.cpu.nextEvent = this.m.cpu.icount;
  }

  private skipTo(ns: number): void {
    const cpu = this.m.cpu;
    const target = Math.ceil(ns / this.m.nsPerInsn);
    const delta = target - cpu.icount;
    if (delta <= 0) return;
    this.skippedInsns += delta;
    cpu.idleSkipped += delta;
    cpu.icount += delta;
    // Inside a translated block icount is rebuilt from icount0 at exit: move both.
    cpu.icount0 += delta;
    cpu.nextEvent = cpu.icount;
  }

  /**
   * Boots a Linux kernel ELF (vmlinux or the self-decompressing vmlinuz) with an
   * optional initrd, as QEMU's -kernel/-initrd/-append do.
   */
  bootLinux(kernel: Uint8Array | ElfFile, initrd?: Uint8Array, append?: string, kernelName = 'vmlinuz'): LoadedImage {
    this.boot = { kernel, initrd, append: append ?? this.opts.append ?? '', kernelName };
    return this.start();
  }

  /**
   * Boots an already decompressed kernel image (the raw bytes the vmlinuz decompressor
   * would write at `loadVa`), entering at `entry` with the same registers the
   * decompressor passes on. Skips the (slow to emulate) XZ decompression.
   */
  bootLinuxImage(image: Uint8Array, loadVa: bigint, entry: bigint, initrd?: Uint8Array, append?: string, kernelName = 'vmlinux'): LoadedImage {
    this.boot = { kernel: image, raw: { loadVa, entry }, initrd, append: append ?? this.opts.append ?? '', kernelName };
    return this.start();
  }

  private start(): LoadedImage {
    const b = this.boot;
    if (!b) throw new Error('no kernel loaded');
    const m = this.m, cpu = m.cpu, bus = m.bus;
    let image: LoadedImage;
    if (b.raw) {
      const raw = b.kernel as Uint8Array;
      const pa = kernelVirtToPhys(b.raw.loadVa);
      if (!bus.writeBytes(pa, raw)) throw new Error(`kernel image at 0x${pa.toString(16)} does not fit in RAM`);
      image = { entry: b.raw.entry, lowPa: pa, highPa: pa + raw.length };
    } else {
      image = loadElf(bus, b.kernel, { expectBig: m.options.bigEndian, isa: m.model.isa });
    }
    this.image = image;
    let cmdline = b.append;
    if (b.initrd && b.initrd.length > 0) {
      const size = b.initrd.length;
      const pa = Math.ceil((this.ramLow - (size + 128 * 1024)) / MALTA_INITRD_ALIGN) * MALTA_INITRD_ALIGN;
      if (pa < image.highPa) {
        throw new Error(`initrd (${size} bytes) does not fit in low RAM above the kernel (ends at 0x${image.highPa.toString(16)})`);
      }
      if (!bus.writeBytes(pa, b.initrd)) throw new Error('initrd is outside RAM');
      this.initrdPa = pa;
      cmdline = `rd_start=0x${(KSEG0 + BigInt(pa)).toString(16)} rd_size=${size} ${b.append}`;
    }
    this.writeEnv([b.kernelName, cmdline], [
      ['memsize', String(this.ramLow)],
      ['ememsize', String(bus.ramSize)],
      ['modetty0', '38400n8r'],
      ['rngseed', this.rngSeedHex()],
    ]);
    this.programGt();
    // Registers as the boot stub leaves them before `jalr t9`.
    cpu.c0.status = 0x00400000;
    cpu.afterStateChange();
    const envVa = 0x80000000 + MALTA_ENV_PADDR;
    cpu.setGpr(4, 2n); // a0 = argc
    cpu.setGpr(5, sx32(envVa)); // a1 = argv
    cpu.setGpr(6, sx32(envVa + 8)); // a2 = envp
    cpu.setGpr(7, BigInt(this.ramLow)); // a3 = RAM size below the I/O hole
    cpu.setGpr(29, sx32(envVa - 64)); // sp
    cpu.setGpr(25, image.entry); // t9
    cpu.pc = image.entry;
    return image;
  }

  /** The YAMON table: 16 pointers, then 16 strings of 256 bytes; argv, then name/value pairs, then NULL. */
  private writeEnv(argv: string[], env: Array<[string, string]>): void {
    const entries = [...argv, ...env.flat()];
    const N = 16, SIZE = 256;
    const buf = new Uint8Array(N * 4 + N * SIZE);
    const dv = new DataView(buf.buffer);
    const le = !this.m.options.bigEndian;
    entries.slice(0, N - 1).forEach((s, i) => {
      const off = N * 4 + i * SIZE;
      dv.setUint32(i * 4, 0x80000000 + MALTA_ENV_PADDR + off, le);
      const bytes = new TextEncoder().encode(s).subarray(0, SIZE - 1);
      buf.set(bytes, off);
    });
    this.m.bus.writeBytes(MALTA_ENV_PADDR, buf);
  }

  /**
   * The options that change what the guest sees, resolved (checkpoints record them, and a
   * machine recreated from one gets them back: MaltaOptions of the same names). `append`
   * is what a reset boots with again. (argv[0], the kernel's file name as given, is not
   * compared: the same kernel may be named differently on another host.)
   */
  guestOptions(): Record<string, string | number | boolean> {
    const o = this.opts;
    return {
      append: this.boot?.append ?? o.append ?? '',
      rtcEpochMs: this.rtc.epochMs,
      rngSeed: (o.rngSeed ?? MALTA_DEFAULT_RNG_SEED) >>> 0,
      rtcPollSkip: o.rtcPollSkip ?? true,
      uartTiming: o.uartTiming ?? 'instant',
    };
  }

  /** 32 pseudo-random bytes as 64 hex digits, from the configured seed (xorshift32). */
  private rngSeedHex(): string {
    let x = (this.opts.rngSeed ?? MALTA_DEFAULT_RNG_SEED) >>> 0 || 1;
    let hex = '';
    for (let i = 0; i < 32; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      hex += (x & 0xff).toString(16).padStart(2, '0');
    }
    return hex;
  }

  consoleInput(bytes: Uint8Array | readonly number[]): void {
    this.uart0.receive(bytes);
  }

  reset(): void {
    this.skippedInsns = 0;
    if (this.boot) this.start();
    else this.programGt();
  }
}

/** The MaltaOptions a checkpoint recorded (MaltaBoard.guestOptions) that a command line cannot give. */
export function maltaOptionsFromRecord(r: Readonly<Record<string, string | number | boolean>> | undefined): MaltaOptions {
  const timing = r?.uartTiming;
  return {
    rtcEpochMs: typeof r?.rtcEpochMs === 'number' ? r.rtcEpochMs : undefined,
    rngSeed: typeof r?.rngSeed === 'number' ? r.rngSeed : undefined,
    rtcPollSkip: typeof r?.rtcPollSkip === 'boolean' ? r.rtcPollSkip : undefined,
    uartTiming: timing === 'baud' || timing === 'instant' ? timing : undefined,
  };
}

export interface MaltaMachineOptions extends MaltaOptions {
  memoryMiB?: number;
  cpu?: string;
  bigEndian?: boolean;
}

export function createMaltaMachine(opts: MaltaMachineOptions = {}): { machine: Machine; board: MaltaBoard } {
  const machine = new Machine({ ...opts, board: 'malta' });
  const board = new MaltaBoard(machine, opts);
  return { machine, board };
}
