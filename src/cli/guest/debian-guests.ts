// The Debian guests: a Debian mips64el kernel package and an initramfs around
// busybox-static, built here with our own cpio (newc) writer and node:zlib's gzip.
//   debian-malta   linux-image-5kc-malta → linux-image-6.1.0-NN-5kc-malta (the Malta board)
//   debian-octeon  linux-image-octeon → linux-image-6.1.0-NN-octeon (the Octeon board)
// Cached under <cache>/guests/NAME/:
//   vmlinuz|vmlinux  the kernel ELF as Debian ships it (5kc-malta: self-decompressing;
//                    octeon: the plain vmlinux, with its symbol table)
//   initrd.gz     gzip'd newc archive: /bin/busybox + applet links, /dev/{console,null},
//                 /proc /sys /dev /tmp /root /etc (profile), /init (the same for both)
//   manifest.json package versions and sha256 of the kernel and initrd.gz
// The directory is staged next to its final place and moved there with one rename, the
// manifest written atomically inside it; a later fetch reuses it while both files still
// match their sha256 (pass `refresh` to download the current packages again).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir, fetchDebianPackage, sha256File, withLock, writeFileAtomic } from './debian-packages';
import { CpioWriter } from './cpio';
import { gzipSync } from 'node:zlib';

export const DEBIAN_MALTA = 'debian-malta';
export const DEBIAN_OCTEON = 'debian-octeon';
export const DEBIAN_ARCH = 'mips64el';
export const KERNEL_PACKAGE = 'linux-image-5kc-malta';
export const BUSYBOX_PACKAGE = 'busybox-static';
/** Kernel command line used by `mips64 boot debian-malta` unless --append is given. */
export const DEBIAN_MALTA_APPEND = 'console=ttyS0';

/** What distinguishes one Debian guest from another. */
export interface DebianGuestDef {
  readonly name: string;
  /** The kernel (meta-)package. */
  readonly kernelPackage: string;
  /** The kernel's file name in the cache. */
  readonly kernelFile: string;
  /** Kernel command line of `mips64 boot NAME` unless --append is given. */
  readonly append: string;
  /** The board it boots on. */
  readonly board: string;
  readonly description: string;
}

export const DEBIAN_GUESTS: readonly DebianGuestDef[] = [
  {
    name: DEBIAN_MALTA, kernelPackage: KERNEL_PACKAGE, kernelFile: 'vmlinuz', append: DEBIAN_MALTA_APPEND, board: 'malta',
    description: `Debian ${DEBIAN_ARCH} 5kc-malta Linux kernel + busybox initramfs (Malta board)`,
  },
  {
    name: DEBIAN_OCTEON, kernelPackage: 'linux-image-octeon', kernelFile: 'vmlinux', append: 'console=ttyS0,115200', board: 'octeon',
    description: `Debian ${DEBIAN_ARCH} octeon Linux kernel + busybox initramfs (Octeon board)`,
  },
];

/** The definition of a known guest. */
export function debianGuest(name: string): DebianGuestDef | undefined {
  return DEBIAN_GUESTS.find((g) => g.name === name);
}
/** Printed by /init once the root file system is mounted, just before the shell starts. */
export const USERSPACE_MARKER = 'MIPS64-STUDIO: userspace up';

export const GUEST_MANIFEST_SCHEMA = 1;

export interface GuestManifest {
  schema: number;
  guest: string;
  arch: string;
  kernel: { requested: string; package: string; version: string; source: string; file: string; size: number; sha256: string };
  busybox: { package: string; version: string; sha256: string };
  /** `recipe` identifies the initramfs contents we generate (rebuilt when it changes). */
  initrd: { file: string; size: number; sha256: string; cpioSize: number; recipe: string };
  append: string;
  date: string;
}

export interface GuestImage {
  name: string;
  dir: string;
  kernel: string;
  initrd: string;
  append: string;
  manifest: GuestManifest;
  manifestPath: string;
  fromCache: boolean;
}

export interface GuestFetchOptions {
  log?: (message: string) => void;
  /** Cache root (default cacheDir()). */
  cacheDir?: string;
  /** Download the packages again and rebuild, even when the cache is valid. */
  refresh?: boolean;
}

/** The guests `mips64 guest` knows. */
export const GUESTS: ReadonlyArray<{ name: string; description: string }> = DEBIAN_GUESTS.map(({ name, description }) => ({ name, description }));

export function guestDir(name: string, root = cacheDir()): string {
  return join(root, 'guests', name);
}

/** Applets linked in /bin. */
export const APPLETS: readonly string[] = [
  'sh', 'ash', 'cttyhack', 'setsid', 'mount', 'umount', 'echo', 'cat', 'ls', 'dmesg', 'mkdir', 'rmdir', 'rm', 'cp', 'mv',
  'ln', 'touch', 'chmod', 'chown', 'mknod', 'ps', 'kill', 'killall', 'sleep', 'uname', 'hostname', 'free', 'uptime', 'top',
  'df', 'du', 'date', 'env', 'printf', 'test', '[', '[[', 'true', 'false', 'pwd', 'head', 'tail', 'wc', 'grep', 'sed',
  'awk', 'sort', 'uniq', 'cut', 'tr', 'xargs', 'find', 'which', 'tee', 'seq', 'expr', 'basename', 'dirname', 'readlink',
  'stat', 'od', 'hexdump', 'xxd', 'md5sum', 'sha256sum', 'gzip', 'gunzip', 'zcat', 'tar', 'cpio', 'dd', 'vi', 'less',
  'more', 'clear', 'reset', 'stty', 'tty', 'id', 'whoami', 'nproc', 'sync', 'sysctl', 'time', 'timeout', 'watch', 'yes',
  'diff', 'cmp', 'strings', 'lsmod', 'insmod', 'rmmod', 'modprobe', 'ifconfig', 'ip', 'ping', 'devmem', 'poweroff',
  'reboot', 'halt',
];

export const INIT_SCRIPT = `#!/bin/sh
# /init of the MIPS64 Studio debian-malta initramfs (busybox-static from Debian).
export PATH=/bin:/sbin HOME=/root TERM=\${TERM:-vt100} ENV=/etc/profile
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
hostname mips64
echo
echo "${USERSPACE_MARKER}"
echo "  busybox shell on the serial console; 'poweroff' ends the emulation."
# The shell gets the console as its controlling terminal (cttyhack) in a new session
# (setsid), so job control and Ctrl-C work. PID 1 stays this script: if the shell
# exits, another one starts.
while :; do
  setsid cttyhack sh -l
  echo "shell exited; starting a new one (poweroff ends the emulation)"
done
`;

/**
 * Read by every interactive shell (login shells and $ENV). PID 1 is a shell script, not an
 * init that acts on the signal busybox's poweroff/reboot/halt send it (and Debian's ash
 * runs applets without looking at $PATH), so these functions do it directly.
 */
export const PROFILE = `PS1='\\h:\\w\\$ '
poweroff() { sync; busybox poweroff -f "$@"; }
reboot() { sync; busybox reboot -f "$@"; }
halt() { sync; busybox halt -f "$@"; }
`;

/** Identifies what buildInitramfs puts around busybox; a cache built from another recipe is rebuilt. */
export const INITRD_RECIPE = createHash('sha256').update(JSON.stringify([INIT_SCRIPT, PROFILE, APPLETS, 1])).digest('hex').slice(0, 16);

/** The initramfs as the kernel reads it: gzip (node:zlib, level 9, no time stamp: reproducible). */
export function compressInitramfs(cpio: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(cpio, { level: 9 }));
}

/** The initramfs archive (uncompressed newc cpio) around a busybox binary. */
export function buildInitramfs(busybox: Uint8Array): Uint8Array {
  const w = new CpioWriter();
  for (const d of ['bin', 'sbin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root', 'usr', 'usr/bin', 'usr/sbin']) {
    w.dir(d, d === 'tmp' ? 0o1777 : d === 'root' ? 0o700 : 0o755);
  }
  w.device('dev/console', 'char', 5, 1, 0o600);
  w.device('dev/null', 'char', 1, 3, 0o666);
  w.file('bin/busybox', busybox, 0o755);
  for (const a of APPLETS) w.symlink(`bin/${a}`, 'busybox');
  w.file('etc/profile', PROFILE, 0o644);
  w.file('etc/hostname', 'mips64\n', 0o644);
  w.file('init', INIT_SCRIPT, 0o755);
  return w.toBytes();
}

/** The cached guest if present and intact (both files match the manifest); never downloads. */
export async function cachedGuest(name: string, root = cacheDir()): Promise<GuestImage | undefined> {
  const dir = guestDir(name, root);
  const manifestPath = join(dir, 'manifest.json');
  let manifest: GuestManifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as GuestManifest;
  } catch {
    return undefined;
  }
  if (manifest.schema !== GUEST_MANIFEST_SCHEMA || manifest.guest !== name || !manifest.kernel || !manifest.initrd) return undefined;
  if (manifest.initrd.recipe !== INITRD_RECIPE) return undefined;
  const kernel = join(dir, manifest.kernel.file);
  const initrd = join(dir, manifest.initrd.file);
  for (const [file, sum] of [[kernel, manifest.kernel.sha256], [initrd, manifest.initrd.sha256]] as const) {
    const actual = await sha256File(file).catch(() => undefined);
    if (actual !== sum) return undefined;
  }
  return { name, dir, kernel, initrd, append: manifest.append, manifest, manifestPath, fromCache: true };
}

/** The debian-malta guest (fetchDebianGuest). */
export function fetchDebianMalta(opts: GuestFetchOptions = {}): Promise<GuestImage> {
  return fetchDebianGuest(DEBIAN_MALTA, opts);
}

/**
 * Returns a Debian guest, building it on first use: fetches the packages with apt (see
 * debian-packages.ts), copies the kernel, builds initrd.gz. Errors carry the manual steps
 * when apt/dpkg cannot be used.
 */
export async function fetchDebianGuest(name: string, opts: GuestFetchOptions = {}): Promise<GuestImage> {
  const def = debianGuest(name);
  if (!def) throw new Error(`unknown guest '${name}'`);
  const log = opts.log ?? (() => undefined);
  const root = opts.cacheDir ?? cacheDir();
  const dir = guestDir(name, root);
  if (!opts.refresh) {
    const hit = await cachedGuest(name, root);
    if (hit) return hit;
  }
  await fs.mkdir(join(root, 'guests'), { recursive: true });
  return withLock(`${dir}.lock`, 30 * 60_000, log, async () => {
    if (!opts.refresh) {
      const hit = await cachedGuest(name, root);
      if (hit) return hit;
    }
    let kpkg, bpkg;
    try {
      kpkg = await fetchDebianPackage(def.kernelPackage, DEBIAN_ARCH, { log, cacheDir: root, refresh: opts.refresh });
      bpkg = await fetchDebianPackage(BUSYBOX_PACKAGE, DEBIAN_ARCH, { log, cacheDir: root, refresh: opts.refresh });
    } catch (e) {
      throw new GuestFetchError(e instanceof Error ? e.message : String(e));
    }
    const bootDir = join(kpkg.root, 'boot');
    const kernels = (await fs.readdir(bootDir).catch(() => [] as string[])).filter((f) => /^vmlinu[xz]-/.test(f)).sort();
    if (kernels.length !== 1) {
      throw new GuestFetchError(`${kpkg.manifest.package} ${kpkg.manifest.version}: expected one boot/vmlinu[xz]-* in the package, found ${kernels.length ? kernels.join(', ') : 'none'}`);
    }
    const kernelSource = `boot/${kernels[0]!}`;
    const kernel = new Uint8Array(await fs.readFile(join(kpkg.root, 'boot', kernels[0]!)));
    const busybox = new Uint8Array(await fs.readFile(join(bpkg.root, 'bin', 'busybox')).catch(() => {
      throw new GuestFetchError(`${bpkg.manifest.package} ${bpkg.manifest.version}: bin/busybox missing from the package`);
    }));

    log(`building initrd.gz: busybox ${bpkg.manifest.version}, ${APPLETS.length} applet links, /init`);
    const cpio = buildInitramfs(busybox);
    const initrd = compressInitramfs(cpio);
    const manifest: GuestManifest = {
      schema: GUEST_MANIFEST_SCHEMA,
      guest: name,
      arch: DEBIAN_ARCH,
      kernel: {
        requested: def.kernelPackage, package: kpkg.manifest.package, version: kpkg.manifest.version,
        source: kernelSource, file: def.kernelFile, size: kernel.length, sha256: sha256(kernel),
      },
      busybox: { package: bpkg.manifest.package, version: bpkg.manifest.version, sha256: sha256(busybox) },
      initrd: { file: 'initrd.gz', size: initrd.length, sha256: sha256(initrd), cpioSize: cpio.length, recipe: INITRD_RECIPE },
      append: def.append,
      date: new Date().toISOString(),
    };

    const stage = await fs.mkdtemp(join(root, 'guests', `.${name}.tmp-`));
    try {
      await fs.writeFile(join(stage, def.kernelFile), kernel);
      await fs.writeFile(join(stage, 'initrd.gz'), initrd);
      await writeFileAtomic(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
      await fs.chmod(stage, 0o755);
      // Replace the directory with one rename (an old one is moved aside first).
      const old = `${stage}.old`;
      await fs.rename(dir, old).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await fs.rename(stage, dir);
      await fs.rm(old, { recursive: true, force: true });
    } finally {
      await fs.rm(stage, { recursive: true, force: true });
    }
    log(`cached ${name} in ${dir} (kernel ${kpkg.manifest.package} ${kpkg.manifest.version})`);
    return {
      name, dir, kernel: join(dir, def.kernelFile), initrd: join(dir, 'initrd.gz'), append: manifest.append,
      manifest, manifestPath: join(dir, 'manifest.json'), fromCache: false,
    };
  });
}

/** A failure to obtain the packages; the message may span several lines (manual steps). */
export class GuestFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestFetchError';
  }
}

/** What to do by hand when the packages of guest `name` cannot be fetched automatically. */
export function guestManualSteps(name = DEBIAN_MALTA): string[] {
  const g = debianGuest(name) ?? DEBIAN_GUESTS[0]!;
  const flavour = g.kernelPackage.replace(/^linux-image-/, '');
  return [
    `To set up ${g.name} by hand:`,
    `  1. download the ${DEBIAN_ARCH} packages linux-image-6.1.0-*-${flavour} (what ${g.kernelPackage} depends on) and ${BUSYBOX_PACKAGE},`,
    `     e.g. from https://packages.debian.org/bookworm/${DEBIAN_ARCH}/${g.kernelPackage} and .../${BUSYBOX_PACKAGE};`,
    '  2. extract each: dpkg-deb -x PACKAGE.deb DIR  (without dpkg: ar x PACKAGE.deb && tar -xf data.tar.* -C DIR);',
    '  3. make an initramfs holding bin/busybox and an executable /init script, e.g.',
    '     (cd ROOT && find . | cpio -o -H newc | gzip -9 > initrd.gz);',
    `  4. mips64 boot --board ${g.board} --kernel DIR/boot/${g.kernelFile}-* --initrd initrd.gz --append "${g.append}"`,
  ];
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
