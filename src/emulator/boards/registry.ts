// The launchable boards (catalog.ts) with what they do: which kernel ELFs they refuse
// (and for which board those are), and how a machine is built and booted from a launch
// (kernel ELF parsed once by the caller, initrd, command line). The CLI and the debug
// adapter boot through here; nothing else tests board names.

import { CPU_MODELS } from '../cpu/cpu-models';
import type { JitOptions } from '../jit/engine';
import { ElfFile, mipsInfo } from '../loader/elf';
import type { Machine } from '../machine';
import type { Uart16550 } from '../devices/uart16550';
import { BOARD_CATALOG, BoardInfo, BoardName } from './catalog';
import { createDemoMachine } from './demo';
import { createMaltaMachine, maltaOptionsFromRecord } from './malta';
import { createOcteonMachine } from './octeon';

/** A launch the user must fix (unknown CPU for the board, a kernel for another board…). */
export class BoardError extends Error {}

/** A kernel or program ELF, parsed once by whoever read the file. */
export interface KernelImage {
  readonly bytes: Uint8Array;
  readonly elf: ElfFile;
  /** File name (argv[0] of a Linux kernel, messages). */
  readonly name: string;
}

export interface BoardLaunch {
  engine?: 'jit' | 'interp';
  memoryMiB?: number;
  cpu?: string;
  bigEndian?: boolean;
  jit?: JitOptions;
  /** The hardware-exact TLB (MachineOptions.exactTlb). */
  exactTlb?: boolean;
  kernel: KernelImage;
  initrd?: Uint8Array;
  /** A flattened device tree blob for the guest (boards with `dtb`), checked before the boot. */
  dtb?: Uint8Array;
  /** Linux command line (the board's default when undefined). */
  append?: string;
  /**
   * Guest-visible board options a checkpoint recorded (MachineConfig.options), for a
   * machine built to take that checkpoint; the board applies those it has.
   */
  recorded?: Readonly<Record<string, string | number | boolean>>;
}

export interface BootedBoard {
  readonly machine: Machine;
  readonly entry: bigint;
  /** The console UART (`uartTx` port 0). */
  readonly console: Uart16550;
  /** The guest takes console input: for Linux, once its serial driver enabled the receive interrupt. */
  consoleReady(): boolean;
}

export interface BoardSpec extends BoardInfo {
  /** Why `elf` cannot run here on CPU `cpu` (naming the board it is for), or undefined. */
  refuse(elf: ElfFile, cpu: string): string | undefined;
  /** Builds the machine and boots the launch's image (`append` already defaulted to the board's). */
  boot(l: BoardLaunch): BootedBoard;
}

const isOcteon = (elf: ElfFile): boolean => (mipsInfo(elf).machName ?? '').startsWith('octeon');
const machText = (elf: ElfFile): string => {
  const i = mipsInfo(elf);
  return `${i.archName}${i.machName ? `, ${i.machName}` : ''}`;
};

/** The CPU model a launch asks for (any letter case), checked against the board; its default when none. */
export function resolveCpu(info: BoardInfo, requested: string | undefined): string {
  if (requested === undefined) return info.cpus[0]!;
  const name = Object.keys(CPU_MODELS).find((m) => m.toLowerCase() === requested.toLowerCase());
  if (!name) throw new BoardError(`unknown CPU '${requested}' (known: ${Object.keys(CPU_MODELS).join(', ')})`);
  if (!info.cpus.includes(name)) throw new BoardError(`the ${info.name} board runs ${info.cpus.join(' or ')}, not CPU ${name}`);
  return name;
}

function spec(name: BoardName, refuse: BoardSpec['refuse'], boot: BoardSpec['boot']): BoardSpec {
  const info = BOARD_CATALOG.find((b) => b.name === name)!;
  return { ...info, refuse, boot };
}

export const BOARDS: readonly BoardSpec[] = [
  spec('demo',
    (elf, cpu) => (isOcteon(elf) && !CPU_MODELS[cpu]?.octeon
      ? `it is built for Cavium Octeon (ELF flags: ${machText(elf)}): give the demo board --cpu Octeon2, or boot a kernel with --board octeon`
      : undefined),
    (l) => {
      const { machine, board } = createDemoMachine({ engine: l.engine, memoryMiB: l.memoryMiB, bigEndian: l.bigEndian, cpu: l.cpu, jit: l.jit, exactTlb: l.exactTlb });
      const entry = board.boot(l.kernel.bytes).entry;
      return { machine, entry, console: board.uart, consoleReady: () => true };
    }),
  spec('malta',
    (elf) => (isOcteon(elf)
      ? `it is a kernel for Cavium Octeon (ELF flags: ${machText(elf)}), not for the Malta's MIPS64 core: boot it with --board octeon`
      : undefined),
    (l) => {
      const append = l.append ?? '';
      const { machine, board } = createMaltaMachine({ ...maltaOptionsFromRecord(l.recorded), engine: l.engine, memoryMiB: l.memoryMiB, bigEndian: l.bigEndian, cpu: l.cpu, jit: l.jit, exactTlb: l.exactTlb, append });
      const entry = board.bootLinux(l.kernel.elf, l.initrd, append, l.kernel.name).entry;
      return { machine, entry, console: board.uart0, consoleReady: () => (board.uart0.state.ier & 1) !== 0 };
    }),
  spec('octeon',
    (elf) => {
      const mach = mipsInfo(elf).machName;
      if (mach === 'octeon3') return `it is built for Octeon III (ELF flags: ${machText(elf)}); this board's CPU is an Octeon II`;
      return isOcteon(elf) ? undefined
        : `it is not an Octeon kernel (ELF flags: ${machText(elf)}): boot it with --board malta`;
    },
    (l) => {
      const append = l.append ?? '';
      const { machine, board } = createOcteonMachine({ engine: l.engine, memoryMiB: l.memoryMiB, bigEndian: l.bigEndian, cpu: l.cpu, jit: l.jit, exactTlb: l.exactTlb, append, dtb: l.dtb });
      const entry = board.bootLinux(l.kernel.elf, l.initrd, append).entry;
      return { machine, entry, console: board.uart0.uart, consoleReady: () => (board.uart0.uart.state.ier & 1) !== 0 };
    }),
];

export function boardSpec(name: string): BoardSpec | undefined {
  return BOARDS.find((b) => b.name === name);
}

/**
 * Boots `l` on board `name`: checks the CPU model and that the ELF is for this board
 * (BoardError naming the right one otherwise), then builds and boots the machine.
 */
export function bootBoard(name: BoardName, l: BoardLaunch): BootedBoard {
  const b = boardSpec(name)!;
  const cpu = resolveCpu(b, l.cpu);
  const why = b.refuse(l.kernel.elf, cpu);
  if (why) throw new BoardError(`${l.kernel.name}: ${why}`);
  if (l.dtb && !b.dtb) throw new BoardError(`the ${name} board takes no device tree blob (${BOARDS.filter((x) => x.dtb).map((x) => x.name).join(', ')} does)`);
  return b.boot({ ...l, cpu, append: l.append ?? b.defaultAppend });
}

/** The Linux board an ELF kernel is for, by its ELF flags (a launch that names no board). */
export function linuxBoardFor(elf: ElfFile): BoardName {
  return isOcteon(elf) ? 'octeon' : 'malta';
}
