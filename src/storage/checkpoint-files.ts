// Checkpoint files on disk (host side of src/emulator/snapshot), shared by the CLI and the
// debug adapter: a directory store for Checkpointer (default `.mips64/checkpoints/` of
// the workspace), atomic writes, and reading a checkpoint file with its parents.
//
// Writes are atomic: the bytes go to a temporary file in the target directory, are
// fsync'ed, and the file is renamed over the target; on any failure (no permission,
// disk full, …) the temporary file is removed and a CheckpointError('io') names the
// file and the reason. A reader never sees a partial checkpoint, and a failed write
// leaves nothing behind. Compression is done by the emulator (snapshot/compress.ts),
// so files on disk and checkpoints in memory are the same bytes.
//
// Files are named `<id>.m64cp`; an incremental's parent is found by id in the same
// directory (or in the extra directories given). A writer killed mid-write (kill -9)
// leaves its temporary file; the next writer in the directory removes those of
// processes that are gone (removeStaleTemporaries).

import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { fileProblem, INPUT_LIMITS, InputFileError, readInputFileSync } from './input-file';
import {
  CHECKPOINT_EXTENSION, CheckpointError, parseCheckpoint, ParsedCheckpoint, peekHeader, sectionHeaderBytes,
} from '../emulator/snapshot/format';
import { resolveChain } from '../emulator/snapshot/checkpoint';
import type { HashProvider } from '../emulator/snapshot/digest';
import { processHashes } from './parallel-hashes';
import { CheckpointInfo, CheckpointStore, infoFromHeader } from '../emulator/snapshot/manager';

export const DEFAULT_CHECKPOINT_DIR = join('.mips64', 'checkpoints');
/** A header is a few KiB of JSON; a listing reads no more than this of it. */
const MAX_HEADER_BYTES = 1 << 20;

/** The file-system calls used here (tests inject failures). */
export type FsOps = Pick<typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync'
  | 'readdirSync' | 'fstatSync' | 'readSync' | 'existsSync'>;

function ioError(file: string, e: unknown): CheckpointError {
  if (e instanceof CheckpointError) return e;
  if (e instanceof InputFileError) return new CheckpointError('io', e.message);
  return new CheckpointError('io', fileProblem(file, e));
}

/** The temporary file writeFileAtomicSync writes `path` through: `.NAME.PID.RANDOM.tmp` beside it. */
const TEMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether process `pid` exists on this machine (one of another user counts). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes the temporary files in `dir` that writeFileAtomicSync left behind when its
 * process was killed mid-write (kill -9, power loss): those of processes that no longer
 * exist, for files named `*suffix`. Returns their names.
 */
export function removeStaleTemporaries(dir: string, suffix: string, fs: FsOps = nodeFs): string[] {
  let names: string[];
  try { names = fs.readdirSync(dir) as string[]; } catch { return []; }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP_RE.exec(n);
    if (!m || !m[1]!.endsWith(suffix) || alive(Number(m[2]))) continue;
    try { fs.unlinkSync(join(dir, n)); removed.push(n); } catch { /* gone meanwhile, or not ours to remove */ }
  }
  return removed;
}

/** Writes `bytes` to `path` atomically (temporary file + fsync + rename). */
export function writeFileAtomicSync(path: string, bytes: Uint8Array, fs: FsOps = nodeFs): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    for (let off = 0; off < bytes.length;) {
      const n = fs.writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 24));
      if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      off += n;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) { try { fs.closeSync(fd); } catch { /* already failing */ } }
    try { fs.unlinkSync(tmp); } catch { /* never created, or gone */ }
    throw ioError(path, e);
  }
  // Make the rename durable (best effort: not every platform can fsync a directory).
  try {
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch { /* ignore */ }
}

/**
 * Reads a whole checkpoint file (a regular file within INPUT_LIMITS.checkpoint), with a
 * one-line error on failure, into memory from `hashes` (shared with its helper thread).
 */
export function readCheckpointFile(path: string, hashes: HashProvider = processHashes()): Uint8Array {
  try {
    return readInputFileSync(path, 'checkpoint', 'checkpoint', INPUT_LIMITS.checkpoint, hashes.allocate);
  } catch (e) {
    throw ioError(path, e);
  }
}

/** Header and hash of a checkpoint file from its first and last bytes (not verified; for listings). */
export function peekCheckpointFile(path: string, fs: FsOps = nodeFs): CheckpointInfo {
  let fd: number | undefined;
  try {
    // (Non-blocking: a FIFO named like a checkpoint must not hang a listing.)
    fd = fs.openSync(path, nodeFs.constants.O_RDONLY | (nodeFs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new CheckpointError('io', `${path}: not a regular file`);
    if (st.size > INPUT_LIMITS.checkpoint) throw new CheckpointError('corrupt', `${path}: ${st.size} bytes is more than a checkpoint may be`);
    const size = st.size;
    // Preamble and HEAD's section header (its length at offset 16 in every format).
    const pre = new Uint8Array(24);
    fs.readSync(fd, pre, 0, 24, 0);
    const hb = sectionHeaderBytes(new DataView(pre.buffer).getUint32(8, true));
    const headLen = new DataView(pre.buffer).getUint32(16, true);
    if (headLen > MAX_HEADER_BYTES) throw new CheckpointError('corrupt', `${path}: its header claims ${headLen} bytes (a header is at most ${MAX_HEADER_BYTES})`);
    const first = new Uint8Array(Math.min(size, 12 + hb + headLen));
    fs.readSync(fd, first, 0, first.length, 0);
    const header = peekHeader(first, path);
    // END!: its section header, u32 count, the 32-byte identity.
    const tail = new Uint8Array(hb + 36);
    if (size < 12 + tail.length) throw new CheckpointError('corrupt', `${path}: truncated`);
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    const tag = String.fromCharCode(tail[0], tail[1], tail[2], tail[3]);
    if (tag !== 'END!') throw new CheckpointError('corrupt', `${path}: truncated (no END! section at the end)`);
    let hash = '';
    for (let i = hb + 4; i < hb + 36; i++) hash += tail[i].toString(16).padStart(2, '0');
    return infoFromHeader(header, hash, size);
  } catch (e) {
    throw ioError(path, e);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Checkpoints as files `<id>.m64cp` in one directory (created on first write). */
export class DiskCheckpointStore implements CheckpointStore {
  readonly kind = 'disk' as const;
  readonly dir: string;
  /** Files that could not be read by the last list() (path and reason). */
  problems: Array<{ file: string; message: string }> = [];

  constructor(dir: string, private readonly fs: FsOps = nodeFs) {
    this.dir = resolve(dir);
  }

  get location(): string { return this.dir; }

  /** Removes what runs killed while writing here left behind (removeStaleTemporaries); returns their names. */
  removeStaleTemporaries(): string[] {
    return removeStaleTemporaries(this.dir, CHECKPOINT_EXTENSION, this.fs);
  }

  fileFor(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id) || id.startsWith('.')) throw new CheckpointError('not-found', `invalid checkpoint id '${id}'`);
    return join(this.dir, id + CHECKPOINT_EXTENSION);
  }

  put(info: CheckpointInfo, bytes: Uint8Array): void {
    try {
      this.fs.mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw ioError(this.dir, e);
    }
    writeFileAtomicSync(this.fileFor(info.id), bytes, this.fs);
  }

  get(id: string): Uint8Array | undefined {
    const f = this.fileFor(id);
    if (!this.fs.existsSync(f)) return undefined;
    return readCheckpointFile(f);
  }

  has(id: string): boolean {
    return this.fs.existsSync(this.fileFor(id));
  }

  list(): CheckpointInfo[] {
    this.problems = [];
    let names: string[];
    try {
      names = this.fs.readdirSync(this.dir) as string[];
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return [];
      throw ioError(this.dir, e);
    }
    const out: CheckpointInfo[] = [];
    for (const n of names.sort()) {
      if (!n.endsWith(CHECKPOINT_EXTENSION) || n.startsWith('.')) continue;
      const f = join(this.dir, n);
      try {
        out.push(peekCheckpointFile(f, this.fs));
      } catch (e) {
        this.problems.push({ file: f, message: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }

  delete(id: string): boolean {
    const f = this.fileFor(id);
    try {
      this.fs.unlinkSync(f);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return false;
      throw ioError(f, e);
    }
  }
}

/**
 * The file a checkpoint reference names: a path to a file, else the id or the (unique)
 * name of a checkpoint in `store` — what `checkpoint list` and `info` print. Throws a
 * CheckpointError('not-found') saying what was looked for.
 */
export function resolveCheckpointRef(ref: string, store: DiskCheckpointStore): string {
  if (nodeFs.existsSync(ref)) return ref;
  const byId = join(store.dir, ref + CHECKPOINT_EXTENSION);
  if (/^[A-Za-z0-9._-]+$/.test(ref) && !ref.startsWith('.') && nodeFs.existsSync(byId)) return byId;
  const named = store.list().filter((c) => c.name === ref);
  if (named.length === 1) return store.fileFor(named[0]!.id);
  if (named.length > 1) throw new CheckpointError('not-found', `${named.length} checkpoints in ${store.dir} are named '${ref}'; give an id`);
  throw new CheckpointError('not-found', `${ref}: no such checkpoint file, and no checkpoint with that id or name in ${store.dir}`);
}

/**
 * Reads the checkpoint `file` and the chain it continues (parents looked up by id in
 * the file's directory, then in `dirs`), fully verified. Base first.
 */
export function readCheckpointChain(file: string, dirs: readonly string[] = [], fs: FsOps = nodeFs): ParsedCheckpoint[] {
  const hashes = processHashes();
  const tip = parseCheckpoint(readCheckpointFile(file, hashes), file, hashes);
  const stores = [dirname(resolve(file)), ...dirs].map((d) => new DiskCheckpointStore(d, fs));
  return resolveChain(tip, (id) => {
    for (const s of stores) {
      const f = s.fileFor(id);
      if (fs.existsSync(f)) return parseCheckpoint(readCheckpointFile(f, hashes), f, hashes);
    }
    return undefined;
  });
}
