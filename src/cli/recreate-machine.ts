// `mips64 boot --restore FILE` with nothing else: the machine a checkpoint records
// (MachineConfig: board, CPU, RAM, byte order, ns per instruction, the board's options and
// its boot images by path and SHA-256) is built again here, so the file alone recreates
// it. RAM and every device come from the checkpoint; the images are only read for a later
// guest reset: when a recorded image is not at its path (or its content changed), the
// machine still runs from the checkpoint and a reset stops it, saying what is missing.
// (A restore into a machine the command line describes gets the recorded options a
// command line cannot give, RTC epoch, RNG seed…, through BoardLaunch.recorded.)

import { resolve } from 'node:path';
import { BootImage, bootImage, BootImageRole, describeBootImage, isBootImage } from '../emulator/boot-images';
import { BoardName, boardInfo } from '../emulator/boards/catalog';
import { createDemoMachine } from '../emulator/boards/demo';
import { createMaltaMachine, maltaOptionsFromRecord } from '../emulator/boards/malta';
import { createOcteonMachine } from '../emulator/boards/octeon';
import { bootBoard } from '../emulator/boards/registry';
import { parseElf } from '../emulator/loader/elf';
import { CPU_MODELS } from '../emulator/cpu/cpu-models';
import type { Machine } from '../emulator/machine';
import type { Uart16550 } from '../emulator/devices/uart16550';
import type { MachineConfig } from '../emulator/snapshot/format';
import { bootImageInputKind, readInputFileSync } from '../storage/input-file';
import { processHashes } from '../storage/parallel-hashes';
import { CliError } from './errors';

export interface RecreatedMachine {
  board: BoardName;
  machine: Machine;
  uart: Uart16550;
  /** The guest takes console input (BootedBoard.consoleReady). */
  consoleReady(): boolean;
  /** The booted program or kernel (empty when it is not at hand), for the debug server's symbols. */
  image: { bytes: Uint8Array; name: string };
  /** Lines for the user (what a reset would lack). */
  notes: string[];
}

/** The images of `config` read from their recorded paths, with what could not be found or differs. */
export function findImages(images: readonly BootImage[]): { found: Map<BootImageRole, Uint8Array>; missing: string[] } {
  const found = new Map<BootImageRole, Uint8Array>(), missing: string[] = [];
  for (const rec of images) {
    let bytes: Uint8Array;
    try {
      bytes = readInputFileSync(rec.path, bootImageInputKind(rec.role), rec.role);
    } catch (e) {
      missing.push(`the ${describeBootImage(rec)} cannot be read (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (isBootImage(rec, bytes, processHashes())) found.set(rec.role, bytes);
    else missing.push(`the ${describeBootImage(rec)} has changed (its content is not the one recorded)`);
  }
  return { found, missing };
}

/** Builds the machine `config` describes (file: the checkpoint, for messages). Throws CliError when this build cannot. */
export function recreateMachine(config: MachineConfig, engine: 'jit' | 'interp', file: string): RecreatedMachine {
  const cannot = (why: string): never => { throw new CliError(`cannot recreate the machine of checkpoint ${file}: ${why}`); };
  const info = boardInfo(config.board);
  if (!info) cannot(`it is for the ${config.board} board, which this build does not have`);
  if (!Object.hasOwn(CPU_MODELS, config.cpu)) cannot(`unknown CPU model '${config.cpu}'`);
  // (Whole MiB: an Octeon core's 64 KiB of CVMSEG are RAM the checkpoint holds too.)
  const memoryMiB = Math.floor(config.ramBytes / 1048576);
  if (memoryMiB < 1 || memoryMiB > 2048) cannot(`RAM size ${config.ramBytes} bytes is not 1 to 2048 MiB`);
  const board = config.board as BoardName;
  const images = config.images ?? [];
  const { found, missing } = findImages(images);
  const append = typeof config.options?.append === 'string' ? config.options.append : undefined;
  const launch = { engine, memoryMiB, bigEndian: config.bigEndian, cpu: config.cpu, exactTlb: config.exactTlb ?? false, append, recorded: config.options };
  const main = info!.loads === 'linux' ? 'kernel' : 'program';
  const rec = images.find((i) => i.role === main);
  if (!rec) missing.push(`the checkpoint does not record the ${main} it booted`);
  const bytes = found.get(main);
  let r: RecreatedMachine;
  if (bytes && missing.length === 0) {
    // The recorded images booted when they were recorded: loading them again fails only for a forged record.
    try {
      const b = bootBoard(board, { ...launch, kernel: { bytes, elf: parseElf(bytes), name: rec!.path }, initrd: found.get('initrd'), dtb: found.get('dtb') });
      r = { board, machine: b.machine, uart: b.console, consoleReady: () => b.consoleReady(), image: { bytes, name: rec!.path }, notes: [] };
    } catch (e) {
      cannot(`its boot images do not load: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    r = { ...createUnbooted(board, launch), board, image: { bytes: new Uint8Array(0), name: rec?.path ?? file }, notes: [] };
  }
  // Later checkpoints of this machine record the same images (found or not).
  r!.machine.bootImages = images.map((i) => ({ ...i }));
  if (missing.length > 0) {
    r!.machine.resetUnavailable = missing.join('; ');
    r!.notes.push(`the guest runs from the checkpoint, but a guest reset would stop it: ${missing.join('; ')}`);
  }
  return r!;
}

/** The machine of `board` without a boot (RAM and state come from the checkpoint). */
function createUnbooted(board: BoardName, l: { engine: 'jit' | 'interp'; memoryMiB: number; bigEndian: boolean; cpu: string; exactTlb: boolean; append?: string; recorded?: MachineConfig['options'] }):
  Pick<RecreatedMachine, 'machine' | 'uart' | 'consoleReady'> {
  const opts = { engine: l.engine, memoryMiB: l.memoryMiB, bigEndian: l.bigEndian, cpu: l.cpu, exactTlb: l.exactTlb };
  if (board === 'malta') {
    const { machine, board: b } = createMaltaMachine({ ...maltaOptionsFromRecord(l.recorded), ...opts, append: l.append });
    return { machine, uart: b.uart0, consoleReady: () => (b.uart0.state.ier & 1) !== 0 };
  }
  if (board === 'octeon') {
    const { machine, board: b } = createOcteonMachine({ ...opts, append: l.append });
    return { machine, uart: b.uart0.uart, consoleReady: () => (b.uart0.uart.state.ier & 1) !== 0 };
  }
  const { machine, board: b } = createDemoMachine(opts);
  return { machine, uart: b.uart, consoleReady: () => true };
}

/** The record of images read from the given paths (absolute), for Machine.bootImages. */
export function readImagesRecord(entries: ReadonlyArray<{ role: BootImageRole; path: string; bytes: Uint8Array }>): BootImage[] {
  return entries.map((e) => bootImage(e.role, resolve(e.path), e.bytes, processHashes()));
}
