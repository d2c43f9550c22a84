// `mips64 boot --restore FILE` with nothing else: the machine a checkpoint records
// (MachineConfig: board, CPU, RAM, byte order, ns per instruction, the board's options and
// its boot images by path and SHA-256) is built again here, so the file alone recreates
// it. RAM and every device come from the checkpoint; the images are only read for a later
// guest reset: when a recorded image is not at its path (or its content changed), the
// machine still runs from the checkpoint and a reset stops it, saying what is missing.
// Also: the options a command line cannot give (RTC epoch, RNG seed…) for a restore into
// a machine the command line describes (recordedMaltaOptions).

import { resolve } from 'node:path';
import { BootImage, bootImage, BootImageRole, describeBootImage, isBootImage } from '../emulator/boot-images';
import { createDemoMachine } from '../emulator/boards/demo';
import { createMaltaMachine, MaltaOptions } from '../emulator/boards/malta';
import { CPU_MODELS } from '../emulator/cpu/cpu-models';
import type { Machine } from '../emulator/machine';
import type { Uart16550 } from '../emulator/devices/uart16550';
import type { MachineConfig } from '../emulator/snapshot/format';
import { readInputFileSync } from '../storage/input-file';
import { CliError } from './errors';

export interface RecreatedMachine {
  board: 'demo' | 'malta';
  machine: Machine;
  uart: Uart16550;
  /** The booted program or kernel (empty when it is not at hand), for the debug server's symbols. */
  image: { bytes: Uint8Array; name: string };
  /** Lines for the user (what a reset would lack). */
  notes: string[];
}

/** The images of `config` read from their recorded paths, with what could not be found or differs. */
function findImages(images: readonly BootImage[]): { found: Map<BootImageRole, Uint8Array>; missing: string[] } {
  const found = new Map<BootImageRole, Uint8Array>(), missing: string[] = [];
  for (const rec of images) {
    let bytes: Uint8Array;
    try {
      bytes = readInputFileSync(rec.path, rec.role === 'initrd' ? 'initrd' : 'elf', rec.role);
    } catch (e) {
      missing.push(`the ${describeBootImage(rec)} cannot be read (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (isBootImage(rec, bytes)) found.set(rec.role, bytes);
    else missing.push(`the ${describeBootImage(rec)} has changed (its content is not the one recorded)`);
  }
  return { found, missing };
}

const str = (o: MachineConfig['options'], k: string): string | undefined => (typeof o?.[k] === 'string' ? o[k] as string : undefined);
const num = (o: MachineConfig['options'], k: string): number | undefined => (typeof o?.[k] === 'number' ? o[k] as number : undefined);

/** The Malta options a checkpoint records that no command-line option sets (kept when restoring into a machine built from options). */
export function recordedMaltaOptions(config: MachineConfig): MaltaOptions {
  const o = config.options;
  const timing = str(o, 'uartTiming');
  return {
    rtcEpochMs: num(o, 'rtcEpochMs'),
    rngSeed: num(o, 'rngSeed'),
    rtcPollSkip: typeof o?.rtcPollSkip === 'boolean' ? o.rtcPollSkip : undefined,
    uartTiming: timing === 'baud' || timing === 'instant' ? timing : undefined,
  };
}

/** The argv[0] a recorded Malta boot used (YAMON table), if recorded. */
export function recordedKernelName(config: MachineConfig): string | undefined {
  return str(config.options, 'kernelName');
}

/** Builds the machine `config` describes (file: the checkpoint, for messages). Throws CliError when this build cannot. */
export function recreateMachine(config: MachineConfig, engine: 'jit' | 'interp', file: string): RecreatedMachine {
  const cannot = (why: string): never => { throw new CliError(`cannot recreate the machine of checkpoint ${file}: ${why}`); };
  if (config.board !== 'demo' && config.board !== 'malta') cannot(`it is for the ${config.board} board, which 'mips64 boot' does not run`);
  if (!Object.hasOwn(CPU_MODELS, config.cpu)) cannot(`unknown CPU model '${config.cpu}'`);
  const memoryMiB = config.ramBytes / 1048576;
  if (!Number.isInteger(memoryMiB) || memoryMiB < 1 || memoryMiB > 2048) cannot(`RAM size ${config.ramBytes} bytes is not a whole number of MiB from 1 to 2048`);
  const machineOpts = { engine, memoryMiB, bigEndian: config.bigEndian, cpu: config.cpu, nsPerInsn: config.nsPerInsn };
  const images = config.images ?? [];
  const { found, missing } = findImages(images);
  // The recorded images booted when they were recorded; loading them again cannot fail but for a forged record.
  const bootOrRefuse = (load: () => void): void => {
    try { load(); } catch (e) { cannot(`its boot images do not load: ${e instanceof Error ? e.message : String(e)}`); }
  };
  const name = (role: BootImageRole): string => images.find((i) => i.role === role)?.path ?? file;
  let r: RecreatedMachine;
  if (config.board === 'demo') {
    const m = createDemoMachine(machineOpts);
    const program = found.get('program');
    if (program && missing.length === 0) bootOrRefuse(() => m.board.boot(program));
    else if (!images.some((i) => i.role === 'program')) missing.push('the checkpoint does not record the program it booted');
    r = { board: 'demo', machine: m.machine, uart: m.board.uart, image: { bytes: program ?? new Uint8Array(0), name: name('program') }, notes: [] };
  } else {
    const append = str(config.options, 'append');
    const m = createMaltaMachine({ ...machineOpts, ...recordedMaltaOptions(config), append });
    const kernel = found.get('kernel'), initrd = found.get('initrd');
    if (kernel && missing.length === 0) bootOrRefuse(() => m.board.bootLinux(kernel, initrd, append, recordedKernelName(config)));
    else if (!images.some((i) => i.role === 'kernel')) missing.push('the checkpoint does not record the kernel it booted');
    r = { board: 'malta', machine: m.machine, uart: m.board.uart0, image: { bytes: kernel ?? new Uint8Array(0), name: name('kernel') }, notes: [] };
  }
  // Later checkpoints of this machine record the same images (found or not).
  r.machine.bootImages = images.map((i) => ({ ...i }));
  if (missing.length > 0) {
    r.machine.resetUnavailable = missing.join('; ');
    r.notes.push(`the guest runs from the checkpoint, but a guest reset would stop it: ${missing.join('; ')}`);
  }
  return r;
}

/** The record of images read from the given paths (absolute), for Machine.bootImages. */
export function readImagesRecord(entries: ReadonlyArray<{ role: BootImageRole; path: string; bytes: Uint8Array }>): BootImage[] {
  return entries.map((e) => bootImage(e.role, resolve(e.path), e.bytes));
}
