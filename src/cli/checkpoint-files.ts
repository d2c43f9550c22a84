// Checkpoint files on disk (host side of src/emulator/snapshot): a directory store for
// Checkpointer (default `.mips64/checkpoints/` of the workspace), atomic writes, and
// reading a checkpoint file with its parents.
//
// Writes are atomic: the bytes go to a temporary file in the target directory, are
// fsync'ed, and the file is renamed over the target; on any failure (no permission,
// disk full, …) the temporary file is removed and a CheckpointError('io') names the
// file and the reason. A reader never sees a partial checkpoint, and a failed write
// leaves nothing behind. Compression is done by the emulator (snapshot/compress.ts),
// so files on disk and checkpoints in memory are the same bytes.
//
// Files are named `<id>.m64cp`; an incremental's parent is found by id in the same
// directory (or in the extra directories given).

import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { fileErrorMessage } from './errors';
import {
  CHECKPOINT_EXTENSION, CheckpointError, parseCheckpoint, ParsedCheckpoint, peekHeader,
} from '../emulator/snapshot/format';
import { resolveChain } from '../emulator/snapshot/checkpoint';
import { CheckpointInfo, CheckpointStore, infoFromHeader } from '../emulator/snapshot/manager';

export const DEFAULT_CHECKPOINT_DIR = join('.mips64', 'checkpoints');

/** The file-system calls used here (tests inject failures). */
export type FsOps = Pick<typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync' | 'readFileSync'
  | 'readdirSync' | 'statSync' | 'readSync' | 'existsSync'>;

function ioError(file: string, e: unknown): CheckpointError {
  if (e instanceof CheckpointError) return e;
  return new CheckpointError('io', fileErrorMessage(file, e));
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

/** Reads a whole checkpoint file, with a one-line error on failure. */
export function readCheckpointFile(path: string, fs: FsOps = nodeFs): Uint8Array {
  try {
    const b = fs.readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw ioError(path, e);
  }
}

/** Header and hash of a checkpoint file from its first and last bytes (not verified; for listings). */
export function peekCheckpointFile(path: string, fs: FsOps = nodeFs): CheckpointInfo {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    const size = fs.statSync(path).size;
    const pre = new Uint8Array(24);
    fs.readSync(fd, pre, 0, 24, 0);
    const headLen = new DataView(pre.buffer).getUint32(16, true);
    const first = new Uint8Array(Math.min(size, 24 + headLen));
    fs.readSync(fd, first, 0, first.length, 0);
    const header = peekHeader(first, path);
    const tail = new Uint8Array(48);
    if (size < 12 + 48) throw new CheckpointError('corrupt', `${path}: truncated`);
    fs.readSync(fd, tail, 0, 48, size - 48);
    const tag = String.fromCharCode(tail[0], tail[1], tail[2], tail[3]);
    if (tag !== 'END!') throw new CheckpointError('corrupt', `${path}: truncated (no END! section at the end)`);
    let hash = '';
    for (let i = 16; i < 48; i++) hash += tail[i].toString(16).padStart(2, '0');
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
    return readCheckpointFile(f, this.fs);
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
 * Reads the checkpoint `file` and the chain it continues (parents looked up by id in
 * the file's directory, then in `dirs`), fully verified. Base first.
 */
export function readCheckpointChain(file: string, dirs: readonly string[] = [], fs: FsOps = nodeFs): ParsedCheckpoint[] {
  const tip = parseCheckpoint(readCheckpointFile(file, fs), file);
  const stores = [dirname(resolve(file)), ...dirs].map((d) => new DiskCheckpointStore(d, fs));
  return resolveChain(tip, (id) => {
    for (const s of stores) {
      const f = s.fileFor(id);
      if (fs.existsSync(f)) return parseCheckpoint(readCheckpointFile(f, fs), f);
    }
    return undefined;
  });
}
