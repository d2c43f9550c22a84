// Checkpoint flags of `mips64 boot`, kept out of boot.ts: the command adds
// CHECKPOINT_BOOT_OPTIONS to its options and calls setupBootCheckpoints(machine, …)
// once the machine is built (before running it):
//
//   --restore FILE          restore FILE (and its parents) into the booted machine and
//                           continue from there; refused, before anything runs, when
//                           the file is damaged, its chain is incomplete, or it was
//                           taken on a different machine configuration
//   --checkpoint-every N|T  take a checkpoint every N instructions the guest executes,
//                           or every T of guest CPU time (2s = 2e9 / ns-per-instruction
//                           instructions); time skipped while the guest idles does not
//                           count, so an idle guest is not checkpointed again and again
//                           (the first full, then incrementals) into the directory
//   --checkpoint-dir DIR    where checkpoints go (default .mips64/checkpoints)
//   --checkpoint-memory MiB in-memory budget for checkpoints (default 256)
//   --checkpoint-keep N, --checkpoint-keep-mib M
//                           retention: this run's files are kept within N files / M MiB
//                           by removing the oldest whole chains (every file left still
//                           restores); chains restart with a full checkpoint at half the limit
//   --checkpoint-quiet      no progress line per checkpoint; a summary at the end
// Progress lines never break into the guest's console line (host-notes.ts).

import { OptionSpec } from './args';
import { DEFAULT_CHECKPOINT_DIR, DiskCheckpointStore, peekCheckpointFile, readCheckpointChain, resolveCheckpointRef } from '../storage/checkpoint-files';
import { CliError, UsageError } from './errors';
import { CliIo } from './io';
import { printable } from './printable';
import { prepareRestore, RestoreResult } from '../emulator/snapshot/checkpoint';
import { CheckpointError, MachineConfig } from '../emulator/snapshot/format';
import { Checkpointer, TakenCheckpoint, TakeOptions } from '../emulator/snapshot/manager';
import type { HostNotes } from './host-notes';
import type { Machine, RunResult } from '../emulator/machine';

export const CHECKPOINT_BOOT_OPTIONS: readonly OptionSpec[] = [
  { name: 'restore', value: 'CKPT', help: 'continue from a checkpoint: a file, or an id or name in the checkpoint directory; alone, it recreates the machine the checkpoint records' },
  { name: 'checkpoint-every', value: 'N|T', help: 'take a checkpoint every N instructions the guest executes (k, M, G: thousands, millions, billions), or every T of guest CPU time (500ms, 2s, 1min: at the machine\'s ns per instruction); idle time is not counted (first full, then incremental)' },
  { name: 'checkpoint-dir', value: 'DIR', help: `checkpoint directory (default ${DEFAULT_CHECKPOINT_DIR})` },
  { name: 'checkpoint-memory', value: 'MiB', help: 'memory budget for checkpoints kept in memory (default 256)' },
  { name: 'checkpoint-keep', value: 'N', help: 'keep at most N of this run\'s checkpoint files (the oldest chains are removed; chains restart with a full checkpoint)' },
  { name: 'checkpoint-keep-mib', value: 'MiB', help: 'keep at most this many MiB of this run\'s checkpoint files (as --checkpoint-keep)' },
  { name: 'checkpoint-quiet', help: 'no line per periodic checkpoint (errors, and a summary at the end, still)' },
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
 * The --checkpoint-every interval in executed instructions: a count (with an optional k, M
 * or G suffix; underscores allowed) or guest CPU time (ms, s, min) at `nsPerInsn`.
 */
export function parseInterval(text: string, nsPerInsn: number, command: string): number {
  const t = text.replace(/_/g, '').trim();
  const m = /^(\d+(?:\.\d+)?)(k|M|G|ms|s|min)?$/.exec(t);
  const scale: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9 };
  const ns: Record<string, number> = { ms: 1e6, s: 1e9, min: 60e9 };
  let v = NaN;
  if (m) {
    const x = Number(m[1]), unit = m[2] ?? '';
    v = unit in ns ? Math.round((x * ns[unit]) / nsPerInsn) : x * scale[unit];
  }
  if (!(Number.isSafeInteger(v) && v >= 1)) {
    throw new UsageError(`invalid --checkpoint-every '${text}' (expected a number of instructions such as 50000000 or 50M, or guest time such as 2s)`, command);
  }
  return v;
}

/** The checkpoint files of this run on disk, and the limits --checkpoint-keep(-mib) put on them. */
class Retention {
  private readonly files: TakenCheckpoint[] = [];
  removed = 0;
  written = 0;
  writtenBytes = 0;
  private warnedSize = false;

  constructor(private readonly keep: number | undefined, private readonly keepBytes: number | undefined) {}

  get active(): boolean { return this.keep !== undefined || this.keepBytes !== undefined; }

  private get bytes(): number { return this.files.reduce((n, f) => n + f.sizeBytes, 0); }

  private over(): boolean {
    return (this.keep !== undefined && this.files.length > this.keep) || (this.keepBytes !== undefined && this.bytes > this.keepBytes);
  }

  /**
   * Records a checkpoint written; removes the oldest whole chains (a full checkpoint and
   * its incrementals: never part of one, so every file left restores) while over a limit.
   * Returns what was removed and a warning when the newest chain alone exceeds the limit.
   */
  add(c: TakenCheckpoint, remove: (id: string) => void): { removed: TakenCheckpoint[]; warning?: string } {
    this.files.push(c);
    this.written++;
    this.writtenBytes += c.sizeBytes;
    const removed: TakenCheckpoint[] = [];
    while (this.over()) {
      const nextFull = this.files.findIndex((f, i) => i > 0 && f.kind === 'full');
      if (nextFull <= 0) break;
      for (const f of this.files.splice(0, nextFull)) { remove(f.id); removed.push(f); }
    }
    this.removed += removed.length;
    let warning: string | undefined;
    if (this.over() && !this.warnedSize) {
      this.warnedSize = true;
      warning = `the newest checkpoint chain alone (${this.files.length} file${this.files.length === 1 ? '' : 's'}, ${mib(this.bytes)} MiB) exceeds the --checkpoint-keep limits; it is kept`;
    }
    return { removed, warning };
  }

  /** Whether the next checkpoint must start a new chain (full), so that an older chain can go while the newer one stays within half the limits. */
  nextMustBeFull(): boolean {
    let start = this.files.length - 1;
    while (start > 0 && this.files[start].kind !== 'full') start--;
    const chain = this.files.slice(Math.max(start, 0));
    const chainBytes = chain.reduce((n, f) => n + f.sizeBytes, 0);
    return (this.keep !== undefined && chain.length >= Math.max(1, Math.floor(this.keep / 2)))
      || (this.keepBytes !== undefined && chainBytes >= this.keepBytes / 2);
  }
}

const mib = (n: number): string => (n / 1048576).toFixed(1);

/**
 * Applies the checkpoint flags to a freshly booted machine: restores --restore FILE
 * (verified first: on error nothing is changed and a CliError explains) and installs
 * --checkpoint-every with its retention (--checkpoint-keep, --checkpoint-keep-mib) and
 * --checkpoint-quiet. Progress lines go through `notes` (never into the middle of the
 * guest's console line: host-notes.ts); the summary and errors too.
 */
export function setupBootCheckpoints(
  machine: Machine, o: ReadonlyMap<string, string | true>, io: CliIo, command = 'boot', notes?: HostNotes,
): BootCheckpointing {
  const every = o.has('checkpoint-every') ? parseInterval(String(o.get('checkpoint-every')), machine.nsPerInsn, command) : undefined;
  const budgetMiB = positiveInt(o, 'checkpoint-memory', command) ?? 256;
  const keep = positiveInt(o, 'checkpoint-keep', command);
  let keepMiB: number | undefined;
  if (o.has('checkpoint-keep-mib')) {
    const t = String(o.get('checkpoint-keep-mib'));
    keepMiB = /^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
    if (!(keepMiB > 0 && keepMiB <= 1 << 30)) throw new UsageError(`invalid --checkpoint-keep-mib '${t}' (expected a positive number of MiB)`, command);
  }
  const quiet = o.has('checkpoint-quiet');
  if (every === undefined) {
    for (const k of ['checkpoint-keep', 'checkpoint-keep-mib', 'checkpoint-quiet']) if (o.has(k)) throw new UsageError(`--${k} needs --checkpoint-every`, command);
  }
  const dir = String(o.get('checkpoint-dir') ?? DEFAULT_CHECKPOINT_DIR);
  const note = (m: string): void => {
    if (notes) notes.say(m);
    else io.stderr.write(`mips64: ${printable(m)}\n`);
  };
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
  const retention = new Retention(keep, keepMiB !== undefined ? Math.round(keepMiB * 1048576) : undefined);
  if (every !== undefined && checkpointer) {
    const stale = (checkpointer.disk as DiskCheckpointStore).removeStaleTemporaries();
    if (stale.length) note(`removed ${stale.length} incomplete checkpoint file${stale.length === 1 ? '' : 's'} left in ${dir} by an interrupted run`);
    uninstall = checkpointEvery(machine, checkpointer, every, (c) => {
      if (!quiet) note(`checkpoint ${c.id} (${c.kind}, ${c.pages} pages, ${(c.sizeBytes / 1024).toFixed(0)} KiB) at instruction ${c.icount}`);
      const r = retention.add(c, (id) => { checkpointer.delete(id); });
      if (r.removed.length && !quiet) note(`removed ${r.removed.length} older checkpoint${r.removed.length === 1 ? '' : 's'} (${r.removed[0].id}${r.removed.length > 1 ? ` … ${r.removed[r.removed.length - 1].id}` : ''}) to stay within --checkpoint-keep`);
      if (r.warning) note(`warning: ${r.warning}`);
    }, (e) => {
      note(`checkpoint failed: ${e.message}`);
    }, () => (retention.active && retention.nextMustBeFull() ? 'full' : 'auto'));
  }
  return {
    checkpointer,
    restored,
    close(): void {
      uninstall();
      checkpointer?.dispose();
      if (quiet && retention.written > 0) {
        note(`${retention.written} checkpoint${retention.written === 1 ? '' : 's'} written to ${dir} (${mib(retention.writtenBytes)} MiB)${retention.removed ? `, ${retention.removed} removed to stay within --checkpoint-keep` : ''}`);
      }
    },
  };
}

/**
 * Takes a checkpoint each time the guest has executed `every` more instructions (the
 * instruction count without the time skipped while it idled: Cpu.idleSkipped), by
 * splitting Machine.run there, so checkpoints land on exact, reproducible instruction
 * counts whatever slices the caller runs. `kind` chooses each checkpoint's kind (default
 * 'auto'). Returns an uninstaller.
 */
export function checkpointEvery(
  machine: Machine, cp: Checkpointer, every: number,
  onTaken: (c: TakenCheckpoint) => void, onError: (e: Error) => void, kind: () => TakeOptions['kind'] = () => 'auto',
): () => void {
  const run = machine.run;
  const cpu = machine.cpu;
  const executedSoFar = (): number => cpu.icount - cpu.idleSkipped;
  let next = executedSoFar() + every;
  let failed = false;
  // A restore moves the instruction count: the interval starts again there.
  const off = machine.events.on('checkpoint', (e) => { if (e.action === 'restored') next = executedSoFar() + every; });
  machine.run = function (budget: number): RunResult {
    let executed = 0;
    let reason: RunResult['reason'] = 'budget';
    while (executed < budget) {
      // (Executed instructions advance no faster than the count: the run stops at `next` or before.)
      const r = run.call(machine, Math.min(budget - executed, next - executedSoFar()));
      executed += r.executed;
      reason = r.reason;
      if (executedSoFar() >= next) {
        if (!failed) {
          try {
            onTaken(cp.take({ name: `every-${every}@${cpu.icount}`, kind: kind() }));
          } catch (e) {
            if (!(e instanceof CheckpointError)) throw e;
            failed = true; // reported once; the guest keeps running
            onError(e);
          }
        }
        next = executedSoFar() + every;
      }
      if (r.reason !== 'budget' || r.executed === 0) break;
    }
    return { executed, reason };
  };
  return () => { machine.run = run; off(); };
}
