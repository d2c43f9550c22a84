// Checkpoint flags of `mips64 boot`, kept out of boot.ts: the command adds
// CHECKPOINT_BOOT_OPTIONS to its options and calls setupBootCheckpoints(machine, …)
// once the machine is built (before running it):
//
//   --restore FILE          restore FILE (and its parents) into the booted machine and
//                           continue from there; refused, before anything runs, when
//                           the file is damaged, its chain is incomplete, or it was
//                           taken on a different machine configuration
//   --checkpoint-every N    take a checkpoint every N guest instructions (the first
//                           full, then incrementals) into the checkpoint directory
//   --checkpoint-dir DIR    where checkpoints go (default .mips64/checkpoints)
//   --checkpoint-memory MiB in-memory budget for checkpoints (default 256)

import { OptionSpec } from './args';
import { DEFAULT_CHECKPOINT_DIR, DiskCheckpointStore, peekCheckpointFile, readCheckpointChain, resolveCheckpointRef } from '../storage/checkpoint-files';
import { CliError, UsageError } from './errors';
import { CliIo } from './io';
import { printable } from './printable';
import { prepareRestore, RestoreResult } from '../emulator/snapshot/checkpoint';
import { CheckpointError, MachineConfig } from '../emulator/snapshot/format';
import { Checkpointer, TakenCheckpoint } from '../emulator/snapshot/manager';
import type { Machine, RunResult } from '../emulator/machine';

export const CHECKPOINT_BOOT_OPTIONS: readonly OptionSpec[] = [
  { name: 'restore', value: 'CKPT', help: 'continue from a checkpoint: a file, or an id or name in the checkpoint directory (same board, CPU, memory and byte order)' },
  { name: 'checkpoint-every', value: 'N', help: 'take a checkpoint every N guest instructions (first full, then incremental)' },
  { name: 'checkpoint-dir', value: 'DIR', help: `checkpoint directory (default ${DEFAULT_CHECKPOINT_DIR})` },
  { name: 'checkpoint-memory', value: 'MiB', help: 'memory budget for checkpoints kept in memory (default 256)' },
];

export interface BootCheckpointing {
  readonly checkpointer: Checkpointer | undefined;
  /** The restore performed at start-up, if --restore was given. */
  readonly restored: RestoreResult | undefined;
  /** Stops periodic checkpoints (restores Machine.run). */
  close(): void;
}

/** The file `--restore REF` names: a path, or an id or name in the checkpoint directory (resolveCheckpointRef). */
export function restoreFile(o: ReadonlyMap<string, string | true>): string | undefined {
  const ref = o.get('restore');
  if (ref === undefined) return undefined;
  try {
    return resolveCheckpointRef(String(ref), new DiskCheckpointStore(String(o.get('checkpoint-dir') ?? DEFAULT_CHECKPOINT_DIR)));
  } catch (e) {
    if (e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
}

/** Machine configuration a checkpoint file needs (so boot can build the right machine before restoring). */
export function checkpointFileConfig(file: string): MachineConfig {
  try {
    return peekCheckpointFile(file).machine;
  } catch (e) {
    if (e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
}

function positiveInt(o: ReadonlyMap<string, string | true>, name: string, command: string): number | undefined {
  if (!o.has(name)) return undefined;
  const s = String(o.get(name)).replace(/_/g, '');
  const v = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(v >= 1 && Number.isSafeInteger(v))) throw new UsageError(`invalid --${name} '${o.get(name)}' (expected a positive integer)`, command);
  return v;
}

/**
 * Applies the checkpoint flags to a freshly booted machine: restores --restore FILE
 * (verified first: on error nothing is changed and a CliError explains) and installs
 * --checkpoint-every. Messages go to stderr.
 */
export function setupBootCheckpoints(
  machine: Machine, o: ReadonlyMap<string, string | true>, io: CliIo, command = 'boot',
): BootCheckpointing {
  const every = positiveInt(o, 'checkpoint-every', command);
  const budgetMiB = positiveInt(o, 'checkpoint-memory', command) ?? 256;
  const dir = String(o.get('checkpoint-dir') ?? DEFAULT_CHECKPOINT_DIR);
  const note = (m: string): void => { io.stderr.write(`mips64: ${printable(m)}\n`); };
  let restored: RestoreResult | undefined;
  const restoring = restoreFile(o);
  const checkpointer = every !== undefined || restoring !== undefined
    ? new Checkpointer(machine, { memoryBudgetBytes: budgetMiB << 20, disk: every !== undefined ? new DiskCheckpointStore(dir) : undefined })
    : undefined;
  if (restoring !== undefined) {
    const file = restoring;
    try {
      const chain = readCheckpointChain(file, [dir]);
      restored = prepareRestore(machine, chain).apply();
    } catch (e) {
      checkpointer?.dispose();
      if (e instanceof CheckpointError) throw new CliError(`cannot restore ${file}: ${e.message}`);
      throw e;
    }
    note(`restored checkpoint '${restored.name}' (${restored.id}) at instruction ${restored.icount}`);
  }
  let uninstall = (): void => {};
  if (every !== undefined && checkpointer) {
    const stale = (checkpointer.disk as DiskCheckpointStore).removeStaleTemporaries();
    if (stale.length) note(`removed ${stale.length} incomplete checkpoint file${stale.length === 1 ? '' : 's'} left in ${dir} by an interrupted run`);
    uninstall = checkpointEvery(machine, checkpointer, every, (c) => {
      note(`checkpoint ${c.id} (${c.kind}, ${c.pages} pages, ${(c.sizeBytes / 1024).toFixed(0)} KiB) at instruction ${c.icount}`);
    }, (e) => {
      note(`checkpoint failed: ${e.message}`);
    });
  }
  return {
    checkpointer,
    restored,
    close(): void {
      uninstall();
      checkpointer?.dispose();
    },
  };
}

/**
 * Takes a checkpoint whenever the instruction count reaches a multiple of `every`, by
 * splitting Machine.run at those counts (so checkpoints land on exact, reproducible
 * instruction counts whatever slices the caller runs). Returns an uninstaller.
 */
export function checkpointEvery(
  machine: Machine, cp: Checkpointer, every: number,
  onTaken: (c: TakenCheckpoint) => void, onError: (e: Error) => void,
): () => void {
  const run = machine.run;
  const nextAfter = (icount: number): number => (Math.floor(icount / every) + 1) * every;
  let next = nextAfter(machine.cpu.icount);
  let failed = false;
  machine.run = function (budget: number): RunResult {
    let executed = 0;
    let reason: RunResult['reason'] = 'budget';
    while (executed < budget) {
      const cpu = machine.cpu;
      if (cpu.icount >= next) next = nextAfter(cpu.icount);
      const r = run.call(machine, Math.min(budget - executed, next - cpu.icount));
      executed += r.executed;
      reason = r.reason;
      if (machine.cpu.icount >= next && !failed) {
        try {
          onTaken(cp.take({ name: `every-${every}@${machine.cpu.icount}` }));
        } catch (e) {
          if (!(e instanceof CheckpointError)) throw e;
          failed = true; // reported once; the guest keeps running
          onError(e);
        }
        next = nextAfter(machine.cpu.icount);
      }
      if (r.reason !== 'budget' || r.executed === 0) break;
    }
    return { executed, reason };
  };
  return () => { machine.run = run; };
}
