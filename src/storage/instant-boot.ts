// Instant boots of Linux boards (`mips64 boot`, and F5 in the debug adapter): the first
// boot of a configuration saves a checkpoint where the guest's console first goes idle at
// the shell; later boots of the same configuration start from it (a note says so; --cold
// or "instantBoot": false boots from scratch and saves the checkpoint again).
//
// The cache is keyed by a SHA-256 of everything that determines the run up to that point:
// the kernel and initrd bytes (and a user's device tree blob), the command line, the
// machine configuration (board, CPU, RAM, byte order, ns per instruction) and the
// emulator build (the running bundle's own bytes). Files, in <cache dir>/boots/: KEY.ckpt (a full checkpoint, written atomically)
// and KEY.console (the console output up to it, shown again on an instant boot).
//
// The save point: Linux has enabled the console's receive interrupt (it reads the
// console), has printed since, and then waits (WAIT) without console output for 0.2 s of
// guest time: the shell's prompt, waiting for a command. A cached checkpoint that does not
// verify (damaged file, another machine configuration) is reported, removed and the
// machine boots cold.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { captureCheckpoint, describeConfig, machineConfig, prepareRestore } from '../emulator/snapshot/checkpoint';
import { readCheckpointChain, writeFileAtomicSync } from './checkpoint-files';
import type { Machine } from '../emulator/machine';

/** Guest time without console output, at the shell, that marks the save point (0.2 s). */
const QUIET_NS = 200_000_000;
const CHECK_MS = 50;

export interface InstantBootCache {
  readonly key: string;
  readonly checkpointFile: string;
  readonly consoleFile: string;
}

/** The cache entry of a boot configuration. */
export function instantBootCache(dir: string, m: Machine, kernel: Uint8Array, initrd: Uint8Array | undefined, append: string, dtb?: Uint8Array): InstantBootCache {
  const h = createHash('sha256');
  const field = (name: string, bytes: Uint8Array | string): void => {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    h.update(`${name}:${b.length}:`);
    h.update(b);
  };
  field('format', 'mips64-studio instant boot 1');
  field('build', emulatorBuild());
  field('machine', describeConfig(machineConfig(m)));
  field('kernel', kernel);
  field('initrd', initrd ?? new Uint8Array(0));
  field('append', append);
  if (dtb) field('dtb', dtb);
  const key = h.digest('hex').slice(0, 32);
  const boots = join(dir, 'boots');
  return { key, checkpointFile: join(boots, `${key}.ckpt`), consoleFile: join(boots, `${key}.console`) };
}

let buildHash: string | undefined;
/** A hash of the running emulator's code (the bundle this module is part of). */
function emulatorBuild(): string {
  buildHash ??= createHash('sha256').update(readFileSync(__filename)).digest('hex');
  return buildHash;
}

export interface InstantBootResult {
  /** The instruction count the machine continues from. */
  icount: number;
  /** The console output up to the saved point. */
  console: Uint8Array;
  ms: number;
}

/**
 * Restores the cached boot of this configuration into `m`, if there is one that verifies;
 * undefined (and a note why, when a cached file had to be dropped) otherwise.
 */
export function restoreInstantBoot(m: Machine, c: InstantBootCache, note: (line: string) => void): InstantBootResult | undefined {
  if (!existsSync(c.checkpointFile)) return undefined;
  const t0 = performance.now();
  try {
    const chain = readCheckpointChain(c.checkpointFile);
    const r = prepareRestore(m, chain).apply();
    const consoleText = existsSync(c.consoleFile) ? readFileSync(c.consoleFile) : new Uint8Array(0);
    return { icount: r.icount, console: consoleText, ms: performance.now() - t0 };
  } catch (e) {
    note(`the cached boot checkpoint ${c.checkpointFile} cannot be used (${(e as Error).message}): booting cold`);
    rmSync(c.checkpointFile, { force: true });
    rmSync(c.consoleFile, { force: true });
    return undefined;
  }
}

/**
 * Watches a cold boot and saves the cache entry at the save point (see the header).
 * `consoleOpen` tells whether the guest reads its console (Linux enabled the receive
 * interrupt). Returns a function that stops watching.
 */
export function saveInstantBootAtShell(m: Machine, c: InstantBootCache, consoleOpen: () => boolean, note: (line: string) => void): () => void {
  const transcript: number[] = [];
  let lastOut = m.now();
  let outSinceOpen = false;
  const off = m.events.on('uartTx', ({ port, byte }) => {
    if (port !== 0) return;
    transcript.push(byte);
    lastOut = m.now();
    if (consoleOpen()) outSinceOpen = true;
  });
  let stopped = false;
  const stop = (): void => { if (stopped) return; stopped = true; clearInterval(timer); off(); };
  const timer = setInterval(() => {
    if (m.poweredOff) { stop(); return; }
    if (m.inputLog.length > 0) { stop(); return; } // typed input shaped this boot: not the configuration's own
    if (!outSinceOpen || !m.cpu.waiting || m.now() - lastOut < QUIET_NS) return;
    stop();
    try {
      const cp = captureCheckpoint(m, { kind: 'full', name: 'instant boot' });
      mkdirSync(join(c.checkpointFile, '..'), { recursive: true });
      writeFileAtomicSync(c.consoleFile, Uint8Array.from(transcript));
      writeFileAtomicSync(c.checkpointFile, cp.bytes);
      note(`saved this boot at the shell (instruction ${cp.header.icount}): the next boot of this kernel, initrd, command line and machine starts there (--cold: from scratch)`);
    } catch (e) {
      note(`could not save the boot for instant boots: ${(e as Error).message}`);
    }
  }, CHECK_MS);
  timer.unref();
  return stop;
}
