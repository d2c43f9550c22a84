// Test-only initramfs builder: a cpio "newc" archive (the format the kernel's
// init/initramfs.c unpacks) holding a static busybox, its applet links, the device
// nodes the console needs and an /init script that prints a marker and starts a shell.
// gzip-compressed with node:zlib. (The project's own cpio+gzip writer for `guest fetch`
// lives in src/; this is a small independent helper for tests and the boot bench.)

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface CpioEntry {
  name: string;
  /** Full st_mode (type bits | permissions). */
  mode: number;
  data?: Uint8Array;
  /** Device number for character/block nodes. */
  rdevMajor?: number;
  rdevMinor?: number;
}

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

/** Serialises entries as a newc archive terminated by TRAILER!!!. */
export function cpioNewc(entries: readonly CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array): void => { parts.push(b); size += b.length; };
  const pad4 = (): void => { if (size % 4) push(new Uint8Array(4 - (size % 4))); };
  const hex = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
  let ino = 1;
  const all = [...entries, { name: 'TRAILER!!!', mode: 0 }];
  for (const e of all) {
    const data = e.data ?? new Uint8Array(0);
    const name = new TextEncoder().encode(e.name + '\0');
    const isDir = (e.mode & 0o170000) === S_IFDIR;
    const header = '070701' + hex(e.name === 'TRAILER!!!' ? 0 : ino++) + hex(e.mode) + hex(0) + hex(0)
      + hex(isDir ? 2 : 1) + hex(0) + hex(data.length) + hex(0) + hex(0)
      + hex(e.rdevMajor ?? 0) + hex(e.rdevMinor ?? 0) + hex(name.length) + hex(0);
    push(new TextEncoder().encode(header));
    push(name);
    pad4();
    push(data);
    pad4();
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Marker the default /init prints once the shell is about to start. */
export const READY_MARKER = 'MIPS64-STUDIO-READY';

export const DEFAULT_INIT = `#!/bin/sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo ${READY_MARKER}
exec /bin/sh
`;

/** A gzip-compressed initramfs with busybox at /bin/busybox and `init` as /init. */
export function busyboxInitramfs(busyboxPath: string, init = DEFAULT_INIT, opts: { gzip?: boolean } = {}): Uint8Array {
  const enc = new TextEncoder();
  const busybox = new Uint8Array(readFileSync(busyboxPath));
  const entries: CpioEntry[] = [
    { name: 'bin', mode: S_IFDIR | 0o755 },
    { name: 'dev', mode: S_IFDIR | 0o755 },
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdevMajor: 5, rdevMinor: 1 },
    { name: 'dev/null', mode: S_IFCHR | 0o666, rdevMajor: 1, rdevMinor: 3 },
    { name: 'proc', mode: S_IFDIR | 0o755 },
    { name: 'sys', mode: S_IFDIR | 0o755 },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: busybox },
    { name: 'bin/sh', mode: S_IFLNK | 0o777, data: enc.encode('busybox') },
    { name: 'init', mode: S_IFREG | 0o755, data: enc.encode(init) },
  ];
  const cpio = cpioNewc(entries);
  return opts.gzip === false ? cpio : new Uint8Array(gzipSync(cpio, { level: 6 }));
}
