// The boards a user can launch, as data: names, CPU models, RAM, what a launch gives them
// (kernel, initrd, command line), where a debugger gets kernel symbols, the guest that
// `mips64 guest fetch` provides for them, and their VS Code launch configuration. The CLI,
// the debug adapter, the extension and checkpoints ask here (and registry.ts, which adds
// how each is built and booted) instead of testing board names. No imports: the
// extension reads it without pulling in the emulator.

export type BoardName = 'demo' | 'malta' | 'octeon';

export interface BoardInfo {
  readonly name: BoardName;
  /** One line for lists (CLI help, the extension's pick list). */
  readonly description: string;
  /** CPU models it runs, the default first (cpu-models.ts names). */
  readonly cpus: readonly string[];
  /** Guest RAM in MiB: default and accepted range. */
  readonly memoryMiB: { readonly default: number; readonly min: number; readonly max: number };
  /** Where RAM is, for help texts. */
  readonly ramLayout: string;
  /**
   * What a launch boots: 'program' a bare-metal ELF (the built-in demo when none is given);
   * 'linux' a Linux kernel ELF, with an optional initrd and a command line.
   */
  readonly loads: 'program' | 'linux';
  /** It takes a user's flattened device tree (`--dtb FILE`, launch attribute "dtb"). */
  readonly dtb?: boolean;
  /** Default kernel command line (Linux boards). */
  readonly defaultAppend?: string;
  /**
   * Where a debugger gets kernel symbols: 'elf' the booted ELF's symbol table; 'linux' the
   * kernel ELF's symbols moved by the KASLR offset once relocate_kernel returns, or for a
   * stripped self-decompressing vmlinuz, kallsyms read from guest RAM.
   */
  readonly kernelSymbols: 'elf' | 'linux';
  /** The ready-made guest for it (`mips64 guest fetch NAME`, `mips64 boot NAME`). */
  readonly guest?: string;
  /** Its VS Code launch configuration (the F5 pick list and package.json's snippet). */
  readonly launch: { readonly label: string; readonly description: string; readonly config: Readonly<Record<string, unknown>> };
}

export const BOARD_CATALOG: readonly BoardInfo[] = [
  {
    name: 'demo', description: 'minimal board for bare-metal programs (RAM, a 16550 UART, power register)',
    cpus: ['5KEc', '5KEf', 'Octeon2'], memoryMiB: { default: 64, min: 1, max: 2048 },
    ramLayout: 'RAM at physical 0; UART at 0x180003f8; power at 0x1f100000',
    loads: 'program', kernelSymbols: 'elf',
    launch: {
      label: 'MIPS64: Boot built-in demo', description: 'Boot the built-in demo program and stop on entry.',
      config: { type: 'mips64', request: 'launch', name: 'Boot built-in demo', board: 'demo', stopOnEntry: true },
    },
  },
  {
    name: 'malta', description: 'MIPS Malta (GT-64120, PIIX4, 16550 UARTs) as QEMU builds it, for Debian\'s 5kc-malta kernel',
    cpus: ['5KEc', '5KEf'], memoryMiB: { default: 256, min: 16, max: 2048 },
    ramLayout: 'RAM at physical 0 (up to 256 MiB) and all of it at 0x80000000',
    loads: 'linux', defaultAppend: 'console=ttyS0', kernelSymbols: 'linux', guest: 'debian-malta',
    launch: {
      label: 'MIPS64: Boot Debian Linux (Malta)', description: 'Boot Debian\'s 5kc-malta kernel and a busybox initrd on the Malta board (fetched from Debian on first use; add "kernel"/"initrd" for your own).',
      config: { type: 'mips64', request: 'launch', name: 'Boot Debian Linux (Malta)', board: 'malta', cpu: '5KEc', memory: 256 },
    },
  },
  {
    name: 'octeon', description: 'Cavium Octeon II board (one CN61XX core, CIU, MIO UARTs), for Debian\'s octeon kernel',
    cpus: ['Octeon2'], memoryMiB: { default: 256, min: 128, max: 2048 },
    ramLayout: 'RAM at physical 0 (up to 256 MiB), the rest at 0x410000000; CSRs at 0x1000000000000',
    loads: 'linux', defaultAppend: 'console=ttyS0,115200', kernelSymbols: 'linux', guest: 'debian-octeon', dtb: true,
    launch: {
      label: 'MIPS64: Boot Debian Linux (Octeon)', description: 'Boot Debian\'s mips64el octeon kernel and initrd on the Octeon board.',
      config: { type: 'mips64', request: 'launch', name: 'Boot Debian Linux (Octeon)', board: 'octeon', cpu: 'Octeon2', memory: 256 },
    },
  },
];

export const BOARD_NAMES: readonly BoardName[] = BOARD_CATALOG.map((b) => b.name);

/** The board's entry, or undefined for a name that is not a board. */
export function boardInfo(name: string): BoardInfo | undefined {
  return BOARD_CATALOG.find((b) => b.name === name);
}

/** The board a ready-made guest runs on. */
export function boardOfGuest(guest: string): BoardInfo | undefined {
  return BOARD_CATALOG.find((b) => b.guest === guest);
}
