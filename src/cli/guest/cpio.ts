// cpio archives in the SVR4 "newc" format (magic 070701), the format the Linux kernel
// unpacks as an initramfs (init/initramfs.c). Each member is a 110-byte ASCII header of
// thirteen 8-digit hexadecimal fields, the NUL-terminated path padded to a multiple of
// four bytes (counting the header), then the data padded likewise. A member named
// TRAILER!!! ends the archive. Symbolic links store their target as the data.
//
// The writer is strict: paths are relative ("bin/sh", no "." or ".." components), each
// parent directory must have been added before its contents (the kernel creates members
// in archive order), and a path may appear once.

export type CpioType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo';

export interface CpioMember {
  path: string;
  type: CpioType;
  /** Permission bits (0o7777 at most). Defaults: dirs 0o755, files 0o644, symlinks 0o777, nodes 0o600. */
  perm: number;
  uid: number;
  gid: number;
  /** Seconds since 1970. */
  mtime: number;
  /** Contents of a file; target of a symlink (UTF-8). */
  data: Uint8Array;
  /** Device number of character and block nodes. */
  major: number;
  minor: number;
}

export const S_IFMT = 0o170000;
const TYPE_BITS: Record<CpioType, number> = {
  fifo: 0o010000, char: 0o020000, dir: 0o040000, block: 0o060000, file: 0o100000, symlink: 0o120000,
};

export const CPIO_NEWC_MAGIC = '070701';
export const CPIO_TRAILER = 'TRAILER!!!';
const HEADER_SIZE = 110;

export interface CpioOptions {
  /** mtime of members that do not set one (default 0, for reproducible archives). */
  mtime?: number;
  uid?: number;
  gid?: number;
}

type Common = Partial<Pick<CpioMember, 'uid' | 'gid' | 'mtime'>>;

/** Collects members and serialises them as a newc archive. */
export class CpioWriter {
  private readonly members: CpioMember[] = [];
  private readonly kinds = new Map<string, CpioType>();

  constructor(private readonly opts: CpioOptions = {}) {}

  dir(path: string, perm = 0o755, o: Common = {}): this {
    return this.add(path, 'dir', perm, new Uint8Array(0), o);
  }

  file(path: string, data: Uint8Array | string, perm = 0o644, o: Common = {}): this {
    return this.add(path, 'file', perm, typeof data === 'string' ? new TextEncoder().encode(data) : data, o);
  }

  symlink(path: string, target: string, o: Common = {}): this {
    if (target.length === 0 || target.includes('\0')) throw new Error(`cpio: bad symlink target for ${path}`);
    return this.add(path, 'symlink', 0o777, new TextEncoder().encode(target), o);
  }

  /** A character or block device node. */
  device(path: string, kind: 'char' | 'block', major: number, minor: number, perm = 0o600, o: Common = {}): this {
    for (const [what, v] of [['major', major], ['minor', minor]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`cpio: bad ${what} number ${v} for ${path}`);
    }
    return this.add(path, kind, perm, new Uint8Array(0), { ...o, major, minor });
  }

  fifo(path: string, perm = 0o644, o: Common = {}): this {
    return this.add(path, 'fifo', perm, new Uint8Array(0), o);
  }

  has(path: string): boolean {
    return this.kinds.has(path);
  }

  get entries(): readonly CpioMember[] {
    return this.members;
  }

  private add(path: string, type: CpioType, perm: number, data: Uint8Array, o: Common & { major?: number; minor?: number }): this {
    checkPath(path);
    if (this.kinds.has(path)) throw new Error(`cpio: duplicate path ${path}`);
    const slash = path.lastIndexOf('/');
    if (slash >= 0) {
      const parent = path.slice(0, slash);
      if (this.kinds.get(parent) !== 'dir') throw new Error(`cpio: ${path}: parent directory ${parent} has not been added`);
    }
    if (!Number.isInteger(perm) || perm < 0 || perm > 0o7777) throw new Error(`cpio: bad permissions 0${perm.toString(8)} for ${path}`);
    if (data.length > 0xffffffff) throw new Error(`cpio: ${path} is too large for a newc archive`);
    const m: CpioMember = {
      path, type, perm, data,
      uid: o.uid ?? this.opts.uid ?? 0,
      gid: o.gid ?? this.opts.gid ?? 0,
      mtime: o.mtime ?? this.opts.mtime ?? 0,
      major: o.major ?? 0,
      minor: o.minor ?? 0,
    };
    for (const f of ['uid', 'gid', 'mtime'] as const) {
      if (!Number.isInteger(m[f]) || m[f] < 0 || m[f] > 0xffffffff) throw new Error(`cpio: bad ${f} ${m[f]} for ${path}`);
    }
    this.members.push(m);
    this.kinds.set(path, type);
    return this;
  }

  /** The archive: every member in the order added, then the trailer. */
  toBytes(): Uint8Array {
    const enc = new TextEncoder();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const emit = (b: Uint8Array): void => {
      chunks.push(b);
      size += b.length;
    };
    const align = (): void => {
      const pad = (4 - (size % 4)) % 4;
      if (pad) emit(new Uint8Array(pad));
    };
    const member = (ino: number, mode: number, m: Pick<CpioMember, 'path' | 'uid' | 'gid' | 'mtime' | 'data' | 'major' | 'minor'>, nlink: number): void => {
      const name = enc.encode(m.path + '\0');
      const fields = [ino, mode, m.uid, m.gid, nlink, m.mtime, m.data.length, 0, 0, m.major, m.minor, name.length, 0];
      emit(enc.encode(CPIO_NEWC_MAGIC + fields.map(hex8).join('')));
      emit(name);
      align();
      if (m.data.length) emit(m.data);
      align();
    };
    this.members.forEach((m, i) => member(i + 1, TYPE_BITS[m.type] | m.perm, m, m.type === 'dir' ? 2 : 1));
    member(0, 0, { path: CPIO_TRAILER, uid: 0, gid: 0, mtime: 0, data: new Uint8Array(0), major: 0, minor: 0 }, 1);
    const out = new Uint8Array(size);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

function checkPath(path: string): void {
  if (path.length === 0 || path.startsWith('/') || path.endsWith('/') || path.includes('\0') || path === CPIO_TRAILER
    || path.split('/').some((c) => c === '' || c === '.' || c === '..')) {
    throw new Error(`cpio: bad member path '${path}'`);
  }
}

/** Reads a newc archive back (for checks and tests); throws on malformed input. */
export function readCpio(bytes: Uint8Array): CpioMember[] {
  const dec = new TextDecoder();
  const out: CpioMember[] = [];
  let p = 0;
  for (;;) {
    if (p + HEADER_SIZE > bytes.length) throw new Error(`cpio: truncated header at offset ${p}`);
    const header = dec.decode(bytes.subarray(p, p + HEADER_SIZE));
    if (!header.startsWith(CPIO_NEWC_MAGIC)) throw new Error(`cpio: bad magic at offset ${p}`);
    const field = (i: number): number => {
      const s = header.slice(6 + 8 * i, 14 + 8 * i);
      if (!/^[0-9a-fA-F]{8}$/.test(s)) throw new Error(`cpio: bad header field at offset ${p}`);
      return Number.parseInt(s, 16);
    };
    const mode = field(1), fileSize = field(6), nameSize = field(11);
    const nameStart = p + HEADER_SIZE;
    if (nameSize === 0 || nameStart + nameSize > bytes.length) throw new Error(`cpio: bad name size at offset ${p}`);
    const path = dec.decode(bytes.subarray(nameStart, nameStart + nameSize - 1));
    const dataStart = pad4(nameStart + nameSize);
    if (dataStart + fileSize > bytes.length) throw new Error(`cpio: truncated data of ${path}`);
    p = pad4(dataStart + fileSize);
    if (path === CPIO_TRAILER) return out;
    const type = (Object.keys(TYPE_BITS) as CpioType[]).find((t) => TYPE_BITS[t] === (mode & S_IFMT));
    if (!type) throw new Error(`cpio: ${path}: unknown file type 0${(mode & S_IFMT).toString(8)}`);
    out.push({
      path, type, perm: mode & 0o7777, uid: field(2), gid: field(3), mtime: field(5),
      data: bytes.slice(dataStart, dataStart + fileSize), major: field(9), minor: field(10),
    });
  }
}

const pad4 = (n: number): number => (n + 3) & ~3;
