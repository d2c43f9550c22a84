// An Octeon II board (one CN61XX core) for Debian's octeon kernel, booted the way Cavium's
// U-Boot (bootoctlinux) starts Linux: the kernel ELF loaded at its physical addresses, a
// boot descriptor, a cvmx bootinfo block and a bootmem free-memory descriptor in low
// memory, a minimal flattened device tree (CIU, UART0, an RNG seed; or the user's, `dtb`)
// passed through bootinfo's fdt_addr, the command line as the descriptor's argv, the CPU at
// the ELF entry with a0 = argc, a2 = 1 (boot core), a3 = the descriptor (ckseg0).
//
// Physical map:
//   0x00000000  RAM, first min(RAM, 256 MiB); RAM beyond 256 MiB at 0x410000000 (DR1)
//   0x00010000  boot descriptor, bootinfo, bootmem descriptor + named-block array, argv
//               strings, device tree (BOOT_AREA)
//   0x00020000  a device tree the user supplies (`dtb`, at most OCTEON_DTB_MAX bytes)
//   0x00200000  initrd (below the kernel, outside the free list: bootmem writes its block
//               headers into free memory)
//   0x01100000  the kernel (Debian: up to 0x022f38b0), and where KASLR moves it: it
//               copies itself up to 2 × its size + 16 MiB (RANDOMIZE_BASE_MAX_OFFSET)
//               higher, so the free list starts above that (with `nokaslr`, right after
//               the image); Linux takes memory from the free list in 4 MiB chunks above
//               its end
//   2^48 +      the I/O space (devices/octeon-io.ts): CIU at 0x1070000000000, UART0/1 at
//               0x1180000000800/0xc00, reset/fuse/clock CSRs; every other CSR is reported
// Interrupts: CIU → CPU IP2/IP3/IP4; CP0 Count/Compare → IP7. UART0 is CIU SUM0 bit 34.
// Clocks: the core clock (bootinfo eclock_hz, mips_hpt_frequency, CvmCount and Count
// rate) is one tick per instruction of virtual time; MIO_RST_BOOT gives C_MUL = PNR_MUL so
// the I/O clock (IPD_CLK_COUNT, UART clock) equals it.
// Power: Linux halts an Octeon core with WAIT and interrupts disabled (machine_hang,
// octeon_kill_core): that WAIT powers the board off, exit code 0. CIU_SOFT_RST resets it.
// A guest polling a CSR the board does not model is stopped: exit code STUCK_EXIT_CODE.

import { OcteonCiu, OCTEON_CIU_BASE, OCTEON_CIU_SIZE, CIU_UART0, CIU_UART1 } from '../devices/octeon-ciu';
import { Csr, IoBlock, OcteonIo, OCTEON_IO_BASE, POLL_READS } from '../devices/octeon-io';
import { OcteonUart, OCTEON_UART_SIZE } from '../devices/octeon-uart';
import type { Device } from '../devices/device';
import { IrqLine } from '../devices/irq';
import { ResetLatch } from '../devices/reset-latch';
import { ElfError, ElfFile } from '../loader/elf';
import { loadElf, LoadedImage } from '../loader/load-elf';
import { Board, Machine, MachineOptions } from '../machine';
import { ST_ERL, ST_EXL, ST_IE, ST_IM } from '../isa/cp0-defs';
import { buildFdt, cells, cells64, checkFdt, empty, str } from './fdt';

export const OCTEON_UART0 = 0x1180000000800;
export const OCTEON_UART1 = 0x1180000000c00;
/** Low memory the boot structures use, and where the initrd goes. */
export const BOOT_AREA = 0x10000;
export const OCTEON_INITRD_PA = 0x200000;
/** Where a user's device tree goes (between the boot area and the initrd), and its largest size. */
export const OCTEON_DTB_PA = 0x20000;
export const OCTEON_DTB_MAX = 1 << 20;
/** RAM beyond the first 256 MiB sits at this physical address (Octeon DDR "DR1"). */
export const OCTEON_DR1_BASE = 0x410000000;
const LOW_RAM = 256 << 20;
/** Linux's CONFIG_RANDOMIZE_BASE_MAX_OFFSET in Debian's octeon kernel (the largest KASLR step). */
const KASLR_MAX_OFFSET = 16 << 20;
const MiB = 1 << 20;
/** Exit code of a machine the board stopped because the guest waits on a CSR it does not model. */
export const STUCK_EXIT_CODE = 1;

// Offsets in the boot area.
const DESC = 0x0, BOOTINFO = 0x1000, BOOTMEM = 0x2000, NAMED = 0x3000, ARGV = 0x6000, FDT = 0x8000;
const ARGV_MAX = 64, NAMED_BLOCKS = 64, NAME_LEN = 128;
/** cvmx board type GENERIC (not SIM, which would cap memory at 64 MiB). */
const BOARD_TYPE_GENERIC = 28;

export interface OcteonOptions extends Partial<MachineOptions> {
  /** Default kernel command line for bootLinux. */
  append?: string;
  /** 'instant' (default): characters take no time, as Malta's UARTs; 'baud': line speed. */
  uartTiming?: 'instant' | 'baud';
  /**
   * 'board' (default): the board's minimal device tree (CIU, UART0) through bootinfo's
   * fdt_addr. 'kernel': fdt_addr 0, so Linux uses the tree built into it (a whole CN6XXX
   * board: networking, I2C, MDIO, compact flash…) and probes units this board does not model.
   */
  deviceTree?: 'board' | 'kernel';
  /**
   * A flattened device tree of the user's (a .dtb) passed through fdt_addr instead of the
   * board's; checked when the board is built (FdtError: bad magic, truncated, too large…).
   */
  dtb?: Uint8Array;
}

interface BootImages { kernel: Uint8Array | ElfFile; initrd?: Uint8Array; append: string }

const sx = (pa: number): bigint => 0xffffffff80000000n + BigInt(pa);

export class OcteonBoard implements Board {
  readonly name = 'octeon';
  readonly ciu: OcteonCiu;
  readonly uart0: OcteonUart;
  readonly uart1: OcteonUart;
  readonly io: OcteonIo;
  readonly devices: Device[];
  /** Guest RAM (the machine's RAM array also holds the core's CVMSEG after it). */
  readonly ramBytes: number;
  /** Core clock in Hz: one tick per instruction of virtual time. */
  readonly clockHz: number;
  image: LoadedImage | undefined;
  private boot: BootImages | undefined;
  private readonly latch: ResetLatch;
  private readonly ioClockMul: number;

  constructor(private readonly m: Machine, private readonly opts: OcteonOptions = {}) {
    if (!m.model.octeon) throw new Error(`the octeon board needs an Octeon CPU model (not ${m.model.name})`);
    if (opts.dtb) {
      if (opts.deviceTree === 'kernel') throw new Error('a device tree blob and deviceTree \'kernel\' (the kernel\'s built-in tree) exclude each other');
      checkFdt(opts.dtb, OCTEON_DTB_MAX);
    }
    const bus = m.bus;
    this.ramBytes = m.options.memoryMiB * MiB;
    bus.mapRam(0, Math.min(this.ramBytes, LOW_RAM));
    if (this.ramBytes > LOW_RAM) bus.mapRam(OCTEON_DR1_BASE, this.ramBytes - LOW_RAM, LOW_RAM);
    this.clockHz = Math.round(1e9 / (m.nsPerInsn * m.model.countDiv));
    this.ioClockMul = Math.max(1, Math.round(this.clockHz / 50e6));

    const warn = (message: string): void => m.events.emit('log', { level: 'warn', message });
    const now = (): number => m.now();
    const instantaneous = (opts.uartTiming ?? 'instant') === 'instant';
    const big = m.options.bigEndian;
    this.ciu = new OcteonCiu({
      ip2: new IrqLine('ciu.ip2', (l) => m.cpu.setIrq(2, l)),
      ip3: new IrqLine('ciu.ip3', (l) => m.cpu.setIrq(3, l)),
      ip4: new IrqLine('ciu.ip4', (l) => m.cpu.setIrq(4, l)),
      onSoftReset: () => this.requestReset(),
      unknown: (off, write) => this.io.unknown(OCTEON_CIU_BASE + off, write),
      warn,
      bigEndian: big,
      now,
      ioClockHz: 50e6 * this.ioClockMul,
    });
    const uart = (n: number, base: number, bit: bigint): OcteonUart => new OcteonUart({
      name: `uart${n}`, irq: new IrqLine(`uart${n}`, (l) => this.ciu.setInput(bit, l)), now, instantaneous,
      clockHz: 50e6 * this.ioClockMul,
      onTransmit: (byte) => m.events.emit('uartTx', { port: n, byte }),
      unknown: (off, write) => this.io.unknown(base + off, write),
    });
    this.uart0 = uart(0, OCTEON_UART0, CIU_UART0);
    this.uart1 = uart(1, OCTEON_UART1, CIU_UART1);
    const blocks: IoBlock[] = [
      { base: OCTEON_CIU_BASE, size: OCTEON_CIU_SIZE, read64: (o) => this.ciu.read64(o), write64: (o, v) => this.ciu.write64(o, v),
        write: (o, s, v) => this.ciu.write(o, s, v) },
      uartBlock(OCTEON_UART0, this.uart0), uartBlock(OCTEON_UART1, this.uart1),
    ];
    this.io = new OcteonIo(blocks, this.csrs(), warn, big, {
      icount: () => m.cpu.icount,
      stuck: (pa, name) => {
        const addr = `0x${pa.toString(16).padStart(16, '0')}`;
        m.events.emit('log', {
          level: 'error',
          message: `the guest read Octeon CSR ${addr} (${name}) ${POLL_READS} times in a row, waiting for something this board does not model: stopped (exit code ${STUCK_EXIT_CODE})`,
        });
        m.powerOff(STUCK_EXIT_CODE);
      },
    });
    bus.mapDevice(OCTEON_IO_BASE, this.io);
    this.latch = new ResetLatch(() => m.reset());
    this.devices = [this.io, this.ciu, this.uart0, this.uart1, this.latch];
    m.attachBoard(this);
  }

  /** The reset, fuse and clock CSRs Linux reads at boot, and the ones it writes that need no model. */
  private csrs(): Map<number, Csr> {
    const mul = BigInt(this.ioClockMul);
    const cycles = (): bigint => BigInt(Math.floor(this.m.cpu.icount / this.m.model.countDiv));
    return new Map<number, Csr>([
      // C_MUL [35:30] = PNR_MUL [29:24]: the I/O clock equals the core clock.
      [0x1180000001600, { name: 'MIO_RST_BOOT', read: () => (mul << 30n) | (mul << 24n), why: 'clock multipliers' }],
      // One of four cores fused in; no crypto, no DFA (CvmCtl says the same).
      [0x1180000001410, { name: 'MIO_FUS_DAT2', read: () => (1n << 28n) | (1n << 26n) | 0xen, why: 'fuses' }],
      [0x1180000001418, { name: 'MIO_FUS_DAT3', read: () => 0n, why: 'fuses' }],
      [0x1180000001420, { name: 'MIO_FUS_PDF', read: () => 0n, why: 'fuses' }],
      // Fuse reads complete at once with data 0 (no model number in the fuses).
      [0x1180000001500, { name: 'MIO_FUS_RCMD', read: () => 0n, why: 'fuse read command' }],
      // L2D_FUS3 [35:34] ≠ 0: a reduced L2, so Linux skips locking its vectors in L2.
      [0x11800800007b8, { name: 'L2D_FUS3', read: () => 1n << 34n, why: 'L2 fuses' }],
      [0x14f0000000338, { name: 'IPD_CLK_COUNT', read: cycles, why: 'I/O clock counter' }],
      // No PCIe: both ports read as endpoints (HOST_MODE clear), so Linux skips them.
      [0x1180000001618, { name: 'MIO_RST_CTL0', read: () => 0n, why: 'PCIe port 0 mode' }],
      [0x1180000001620, { name: 'MIO_RST_CTL1', read: () => 0n, why: 'PCIe port 1 mode' }],
      [0x11800000000f8, { name: 'MIO_BOOT_BIST_STAT', read: () => 0n, why: 'boot bus self-test passed' }],
      // The boot-location window (octeon_wdt writes its NMI entry code there): kept, never executed.
      [0x1180000000080, { name: 'MIO_BOOT_LOC_CFG0', stored: true }],
      [0x1180000000088, { name: 'MIO_BOOT_LOC_CFG1', stored: true }],
      [0x1180000000090, { name: 'MIO_BOOT_LOC_ADR', stored: true }],
      [0x1180000000098, { name: 'MIO_BOOT_LOC_DAT', stored: true }],
      [0x1670000000210, { name: 'POW_NW_TIM', stored: true }],
      [0x11800f0000000, { name: 'IOB_FAU_TIMEOUT', stored: true }],
    ]);
  }

  /** Asks for a board reset at the next instruction boundary. */
  requestReset(): void {
    this.latch.state.pending = true;
    this.m.cpu.nextEvent = this.m.cpu.icount;
  }

  /** WAIT that no interrupt can end (Status.IE clear, EXL/ERL set, or IM all clear): the core halted. */
  cpuWaits(): void {
    const st = this.m.cpu.c0.status;
    if ((st & ST_IE) && !(st & (ST_EXL | ST_ERL)) && (st & ST_IM)) return;
    this.m.events.emit('log', { level: 'info', message: 'the Octeon core halted (WAIT with interrupts disabled): power off' });
    this.m.powerOff(0);
  }

  /**
   * Boots a Linux vmlinux ELF with an optional initrd, as bootoctlinux would. The command
   * line's words are the descriptor's argv (Linux's Octeon code joins every argv word into
   * its command line, so no program name comes first).
   */
  bootLinux(kernel: Uint8Array | ElfFile, initrd?: Uint8Array, append?: string): LoadedImage {
    this.boot = { kernel, initrd, append: append ?? this.opts.append ?? '' };
    return this.start();
  }

  private start(): LoadedImage {
    const b = this.boot;
    if (!b) throw new Error('no kernel loaded');
    const m = this.m, cpu = m.cpu, bus = m.bus;
    const image = loadElf(bus, b.kernel, { expectBig: m.options.bigEndian, isa: m.model.isa });
    if (image.highPa > Math.min(this.ramBytes, LOW_RAM)) throw new ElfError(`the kernel (ends at 0x${image.highPa.toString(16)}) does not fit in ${this.ramBytes >> 20} MiB of RAM`);
    this.image = image;
    let cmdline = b.append;
    if (b.initrd && b.initrd.length > 0) {
      const end = OCTEON_INITRD_PA + b.initrd.length;
      if (end > image.lowPa) {
        throw new Error(`initrd (${b.initrd.length} bytes) does not fit below the kernel (at most ${image.lowPa - OCTEON_INITRD_PA} bytes)`);
      }
      bus.writeBytes(OCTEON_INITRD_PA, b.initrd);
      cmdline = `rd_start=0x${sx(OCTEON_INITRD_PA).toString(16)} rd_size=${b.initrd.length} ${cmdline}`;
    }
    const kaslr = !/(^|\s)nokaslr(\s|$)/.test(cmdline);
    const freeStart = alignUp(kaslr ? image.highPa + (image.highPa - image.lowPa) + KASLR_MAX_OFFSET + 0x10000 : image.highPa, MiB);
    this.writeBootStructures(cmdline.split(/\s+/).filter((a) => a.length > 0), freeStart);

    // The state bootoctlinux leaves: BEV, 64-bit kernel segments, CVMSEG usable by the kernel.
    cpu.c0.status = 0x00400080;
    cpu.oct!.cp0.cvmMemCtl = 0x100n;
    cpu.afterStateChange();
    cpu.setGpr(4, 0n); // a0 = argc (Linux reads it from the descriptor)
    cpu.setGpr(5, 0n);
    cpu.setGpr(6, 1n); // a2: the boot core
    cpu.setGpr(7, sx(BOOT_AREA + DESC)); // a3: the boot descriptor (ckseg0)
    cpu.setGpr(29, sx(BOOT_AREA - 16)); // sp below the boot area
    cpu.pc = image.entry;
    return image;
  }

  /** The boot descriptor, bootinfo, bootmem descriptor, argv strings and device tree. */
  private writeBootStructures(argv: string[], freeStart: number): void {
    const bus = this.m.bus, le = !this.m.options.bigEndian;
    const area = new Uint8Array(0x10000);
    const dv = new DataView(area.buffer);
    // Offsets are the little-endian layout's. The kernel's structs list the fields of each
    // doubleword in the opposite order for big-endian: a field of `size` bytes at
    // little-endian offset o is at o ^ (8 − size) there.
    const u16 = (o: number, v: number): void => dv.setUint16(le ? o : o ^ 6, v, le);
    const u32 = (o: number, v: number): void => dv.setUint32(le ? o : o ^ 4, v >>> 0, le);
    const u64 = (o: number, v: bigint): void => dv.setBigUint64(o, BigInt.asUintN(64, v), le);
    const pa = (o: number): number => BOOT_AREA + o;
    if (argv.length > ARGV_MAX) throw new Error(`too many command line words (${argv.length}; at most ${ARGV_MAX})`);

    // argv strings.
    let s = ARGV;
    const argvPa = argv.map((a) => {
      const bytes = new TextEncoder().encode(`${a}\0`);
      if (s + bytes.length > FDT) throw new Error('kernel command line too long (the board keeps 8 KiB for it)');
      area.set(bytes, s);
      const at = pa(s);
      s += bytes.length;
      return at;
    });

    // Boot descriptor (asm/octeon/octeon.h, struct octeon_boot_descriptor).
    u32(DESC + 0x00, 0x190); // desc_size (little-endian view: desc_size first)
    u32(DESC + 0x04, 7); // desc_version
    u64(DESC + 0x08, sx(BOOT_AREA)); // stack_top
    u64(DESC + 0x28, sx(BOOT_AREA + DESC)); // desc_vaddr
    u32(DESC + 0x38, argv.length); // argc
    argvPa.forEach((a, i) => dv.setUint32(DESC + 0x40 + i * 4, a, le)); // argv[] (32-bit physical)
    u32(DESC + 0x140, 1); // core_mask
    u32(DESC + 0x144, 1); // flags: BOOT_FLAG_INIT_CORE (console on UART0)
    u32(DESC + 0x148, pa(BOOTMEM)); // phy_mem_desc_addr
    u32(DESC + 0x14c, this.ramBytes / MiB); // dram_size
    u32(DESC + 0x150, this.clockHz); // eclock_hz
    u32(DESC + 0x15c, 400e6); // dclock_hz
    u16(DESC + 0x166, BOARD_TYPE_GENERIC);
    u64(DESC + 0x188, BigInt(pa(BOOTINFO))); // cvmx_desc_vaddr: the bootinfo's physical address

    // cvmx bootinfo 1.4 (asm/octeon/cvmx-bootinfo.h).
    u32(BOOTINFO + 0x00, 4); // minor_version (little-endian view: minor first)
    u32(BOOTINFO + 0x04, 1); // major_version
    u64(BOOTINFO + 0x08, sx(BOOT_AREA)); // stack_top
    u64(BOOTINFO + 0x20, sx(BOOT_AREA + DESC)); // desc_vaddr
    u32(BOOTINFO + 0x30, 1); // core_mask
    u32(BOOTINFO + 0x34, 1); // flags
    u32(BOOTINFO + 0x38, pa(BOOTMEM)); // phy_mem_desc_addr
    u32(BOOTINFO + 0x3c, this.ramBytes / MiB); // dram_size in MiB
    u32(BOOTINFO + 0x40, this.clockHz); // eclock_hz
    u32(BOOTINFO + 0x4c, 400e6); // dclock_hz
    u16(BOOTINFO + 0x56, BOARD_TYPE_GENERIC); // board_type
    area.set(new TextEncoder().encode('MIPS64STUDIO'), BOOTINFO + 0x58); // board_serial_number
    area.set([0x02, 0x00, 0x5a, 0x4d, 0x00, 0x00], BOOTINFO + 0x6c); // mac_addr_base (locally administered)
    area[BOOTINFO + 0x72] = 1; // mac_addr_count
    // compact flash and LED display addresses 0 (absent); config_flags 0: not a PCI host.
    const user = this.opts.dtb;
    const ownTree = !user && (this.opts.deviceTree ?? 'board') === 'board';
    // fdt_addr (0: the kernel's built-in tree)
    u64(BOOTINFO + 0x98, user ? BigInt(OCTEON_DTB_PA) : ownTree ? BigInt(pa(FDT)) : 0n);
    u64(BOOTINFO + 0xa0, 1n); // ext_core_mask: core 0

    // bootmem descriptor 3.0 (asm/octeon/cvmx-bootmem.h) and one free block.
    u32(BOOTMEM + 0x00, 0); // flags (little-endian view: flags, then the lock, 0 = free)
    u32(BOOTMEM + 0x04, 0); // lock
    u64(BOOTMEM + 0x08, BigInt(freeStart)); // head_addr
    u32(BOOTMEM + 0x10, 0); // minor_version
    u32(BOOTMEM + 0x14, 3); // major_version
    u32(BOOTMEM + 0x28, NAME_LEN); // named_block_name_len
    u32(BOOTMEM + 0x2c, NAMED_BLOCKS); // named_block_num_blocks
    u64(BOOTMEM + 0x30, BigInt(pa(NAMED))); // named_block_array_addr (all empty)

    if (ownTree) {
      const fdt = this.deviceTree();
      if (FDT + fdt.length > area.length) throw new Error('device tree too large');
      area.set(fdt, FDT);
    }
    bus.writeBytes(BOOT_AREA, area);
    if (user) bus.writeBytes(OCTEON_DTB_PA, user);

    // The free memory: one block in low RAM above the kernel (and its KASLR copy), one for DR1.
    const lowEnd = Math.min(this.ramBytes, LOW_RAM);
    if (freeStart + 4 * MiB > lowEnd) throw new Error(`${this.ramBytes >> 20} MiB of RAM leaves no free memory above the kernel (needs more than ${(freeStart >> 20) + 4} MiB)`);
    const dr1 = this.ramBytes > LOW_RAM ? OCTEON_DR1_BASE : 0;
    this.writeFreeBlock(freeStart, dr1, lowEnd - freeStart);
    if (dr1) this.writeFreeBlock(dr1, 0, this.ramBytes - LOW_RAM);
  }

  /** A bootmem free-block header {next, size} at the block's start. */
  private writeFreeBlock(at: number, next: number, size: number): void {
    const b = new Uint8Array(16), dv = new DataView(b.buffer), le = !this.m.options.bigEndian;
    dv.setBigUint64(0, BigInt(next), le);
    dv.setBigUint64(8, BigInt(size), le);
    this.m.bus.writeBytes(at, b);
  }

  /** The minimal device tree: the CIU and UART0 (as octeon_3xxx.dtsi names them), UART0 as the console, an RNG seed. */
  deviceTree(): Uint8Array {
    const uart0 = 'serial@1180000000800';
    return buildFdt({
      name: '',
      props: [
        ['compatible', str('cavium,octeon-6100', 'cavium,octeon-3860')], ['model', str('MIPS64 Studio Octeon II board')],
        ['#address-cells', cells(2)], ['#size-cells', cells(2)], ['interrupt-parent', cells(1)],
      ],
      children: [
        {
          name: 'soc@0',
          props: [['compatible', str('simple-bus')], ['#address-cells', cells(2)], ['#size-cells', cells(2)], ['ranges', empty()]],
          children: [
            {
              name: 'interrupt-controller@1070000000000',
              props: [
                ['compatible', str('cavium,octeon-3860-ciu')], ['interrupt-controller', empty()], ['#interrupt-cells', cells(2)],
                ['reg', cells(...cells64(OCTEON_CIU_BASE), 0, 0x7000)], ['phandle', cells(1)],
              ],
            },
            {
              name: uart0,
              props: [
                ['compatible', str('cavium,octeon-3860-uart', 'ns16550')], ['reg', cells(...cells64(OCTEON_UART0), 0, OCTEON_UART_SIZE)],
                ['clock-frequency', cells(50e6 * this.ioClockMul)], ['current-speed', cells(115200)], ['reg-shift', cells(3)],
                ['interrupts', cells(0, Number(CIU_UART0))],
              ],
            },
          ],
        },
        { name: 'aliases', props: [['serial0', str(`/soc@0/${uart0}`)]] },
        // rng-seed: Linux credits it as bootloader randomness at once (before its banner), so
        // its crng is ready from the start instead of mixing interrupt entropy and hashing
        // through the boot until it is (25 M fewer guest instructions to the shell).
        { name: 'chosen', props: [['stdout-path', str('serial0:115200n8')], ['rng-seed', rngSeed(OCTEON_RNG_SEED)]] },
      ],
    });
  }

  consoleInput(bytes: Uint8Array | readonly number[]): void {
    this.uart0.receive(bytes);
  }

  reset(): void {
    if (this.boot) this.start();
  }
}

/** A UART as a block of the I/O space (64-bit and narrower accesses, no read-modify-write). */
function uartBlock(base: number, u: OcteonUart): IoBlock {
  return {
    base, size: OCTEON_UART_SIZE,
    read64: (o) => u.read64(o), write64: (o, v) => u.write64(o, v), write: (o, s, v) => u.write(o, s, v),
  };
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** The seed of the device tree's /chosen/rng-seed (fixed: boots are deterministic). */
const OCTEON_RNG_SEED = 0x4f435445;

/** 32 pseudo-random bytes (256 bits: all Linux's crng needs) from `seed` (xorshift32). */
function rngSeed(seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  return Uint8Array.from({ length: 32 }, () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x & 0xff;
  });
}

export interface OcteonMachineOptions extends OcteonOptions {
  memoryMiB?: number;
  cpu?: string;
  bigEndian?: boolean;
}

export function createOcteonMachine(opts: OcteonMachineOptions = {}): { machine: Machine; board: OcteonBoard } {
  const machine = new Machine({ ...opts, cpu: opts.cpu ?? 'Octeon2', board: 'octeon' });
  const board = new OcteonBoard(machine, opts);
  return { machine, board };
}
