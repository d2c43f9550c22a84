// Reading a file a user named (a kernel, an initrd, an ELF to disassemble, a checkpoint,
// a symbol file, an assembly source) without trusting it: only a regular file is read
// (/dev/zero, a FIFO or a terminal is refused before a byte is read; a FIFO is opened
// without waiting for a writer), and only up to a size limit chosen for what the file
// is, so an endless or enormous input fails at once with one line instead of growing
// the process until it is killed. The file is read at the size it had when opened.
// Errors are InputFileError with a one-line message naming the file.

import * as fs from 'node:fs';

export class InputFileError extends Error {
  /** `message` is "FILE: reason". */
  constructor(readonly file: string, readonly reason: string, readonly code?: string) {
    super(`${file}: ${reason}`);
    this.name = 'InputFileError';
  }
}

/** Size limits by kind of input (bytes). */
export const INPUT_LIMITS = {
  /** An ELF file: a kernel with its debugging information, a program, a symbol file. */
  elf: 1 << 30,
  /** An initial ramdisk: it must fit in the Malta board's low RAM (256 MiB). */
  initrd: 256 << 20,
  /** A flattened device tree blob (the board checks its own, smaller limit and its format). */
  dtb: 16 << 20,
  /** Assembly source text. */
  source: 64 << 20,
  /** A checkpoint file: at most all of a 2 GiB guest's RAM, with page records and state. */
  checkpoint: 2 ** 31 + (64 << 20),
  /** Small JSON files (manifests). */
  json: 16 << 20,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

/** The kind of input a boot image of this role is (checkpoints record them by role). */
export function bootImageInputKind(role: 'program' | 'kernel' | 'initrd' | 'dtb'): InputKind {
  return role === 'program' || role === 'kernel' ? 'elf' : role;
}

/** What a non-regular file is, for messages. */
function kindOf(st: fs.Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeText(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** One line for a failed open/read: "FILE: No such file or directory". */
export function fileProblem(file: string, e: unknown): string {
  return `${file}: ${problem(e)}`;
}

function problem(e: unknown): string {
  switch ((e as { code?: string } | undefined)?.code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': case 'EPERM': return 'Permission denied';
    case 'EISDIR': return 'Is a directory';
    case 'ENOTDIR': return 'Not a directory';
    case 'ENOSPC': return 'No space left on device';
    case 'EROFS': return 'Read-only file system';
    case 'ELOOP': return 'Too many levels of symbolic links';
    case 'ENXIO': return 'No such device or address';
    default: return ((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '').trim();
  }
}

/**
 * The bytes of regular file `file`, at most `INPUT_LIMITS[kind]` (or `maxBytes`) of them;
 * `what` names the file in messages ("kernel", "initrd").
 */
export function readInputFileSync(file: string, kind: InputKind, what = 'file', maxBytes: number = INPUT_LIMITS[kind],
  allocate: (bytes: number) => Uint8Array = (n) => new Uint8Array(n)): Uint8Array {
  let fd: number | undefined;
  try {
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
      fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw new InputFileError(file, problem(e), (e as { code?: string }).code);
    }
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(file, 'Is a directory', 'EISDIR');
    if (!st.isFile()) throw new InputFileError(file, `${kindOf(st)}, not a regular file (the ${what} must be one)`, 'ENOTREG');
    if (st.size > maxBytes) {
      throw new InputFileError(file, `${sizeText(st.size)}, larger than the ${sizeText(maxBytes)} accepted for the ${what}`, 'ETOOBIG');
    }
    const out = allocate(st.size);
    let n = 0;
    while (n < out.length) {
      const k = fs.readSync(fd, out, n, out.length - n, n);
      if (k === 0) break; // shrank while being read: what is there
      n += k;
    }
    return n === out.length ? out : out.subarray(0, n);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(file, problem(e), (e as { code?: string }).code);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** readInputFileSync as UTF-8 text. */
export function readInputTextSync(file: string, kind: InputKind, what = 'file'): string {
  return Buffer.from(readInputFileSync(file, kind, what)).toString('utf8');
}
