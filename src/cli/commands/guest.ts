// `mips64 guest fetch|list|path|fetch-symbols NAME`: downloads and prepares ready-to-boot
// guests in the cache (see src/cli/guest/debian-guests.ts), lists them, prints their file
// paths; fetch-symbols downloads debian-malta's unstripped vmlinux (kernel-debug-symbols.ts).

import { UsageError, CliError } from '../errors';
import { cacheDir } from '../guest/debian-packages';
import { DEBIAN_MALTA, GUESTS, GuestFetchError, GuestImage, cachedGuest, debianGuest, fetchDebianGuest, guestDir, guestManualSteps } from '../guest/debian-guests';
import { cachedKernelDebugSymbols, fetchKernelDebugSymbols, KernelDebugSymbols } from '../guest/kernel-debug-symbols';
import { Command } from './command';

const NAME = 'guest';

export const guestCommand: Command = {
  name: NAME,
  summary: 'download and prepare ready-to-boot guests (debian-malta, debian-octeon)',
  usage: 'guest fetch NAME [--refresh] | guest fetch-symbols debian-malta [--refresh] | guest list | guest path NAME',
  options: [
    { name: 'refresh', help: 'fetch, fetch-symbols: download the current packages again (and rebuild the guest)' },
  ],
  details: [
    'guest fetch debian-malta   Debian\'s mips64el 5kc-malta kernel and a busybox-static',
    '                           initramfs (our own cpio + gzip writers), via apt-get download;',
    '                           reused from the cache on later calls',
    'guest fetch debian-octeon  the same with Debian\'s mips64el octeon kernel (Octeon board)',
    'guest list                 the known guests and whether they are cached',
    'guest path NAME            the cached kernel, initrd and manifest paths (debian-malta: and',
    '                           its vmlinux, when its symbols were fetched)',
    'guest fetch-symbols debian-malta',
    '                           the guest kernel\'s unstripped vmlinux (DWARF) from Debian\'s',
    '                           linux-image-*-dbg package of the same version (~660 MB download,',
    '                           only the vmlinux and System.map kept, ~460 MB); cached',
    `Cache: $MIPS64_STUDIO_CACHE, else \${XDG_CACHE_HOME:-~/.cache}/mips64-studio (now ${cacheDir()}).`,
    'Boot one with: mips64 boot debian-malta (or debian-octeon)',
  ],
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (sub === undefined) throw new UsageError('missing subcommand (fetch, list or path)', NAME);
    if (args.options.has('refresh') && sub !== 'fetch' && sub !== 'fetch-symbols') throw new UsageError('--refresh applies to guest fetch and fetch-symbols only', NAME);
    switch (sub) {
      case 'list': {
        if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`, NAME);
        for (const g of GUESTS) {
          const img = await cachedGuest(g.name);
          const state = img ? `cached (${img.manifest.kernel.package} ${img.manifest.kernel.version})` : 'not fetched';
          io.stdout.write(`${g.name}\t${state}\t${g.description}\n`);
        }
        return 0;
      }
      case 'fetch': {
        const name = guestName(rest);
        const log = (m: string): void => { io.stderr.write(`mips64: ${m}\n`); };
        const img = await fetchGuest(name, { log, refresh: args.options.has('refresh') });
        io.stderr.write(img.fromCache ? `mips64: ${name} is already cached in ${img.dir}\n` : '');
        printPaths(img, io.stdout);
        return 0;
      }
      case 'path': {
        const name = guestName(rest);
        const img = await cachedGuest(name);
        if (!img) throw new CliError(`${name} is not fetched (or its files changed) in ${guestDir(name)}; run 'mips64 guest fetch ${name}'`);
        printPaths(img, io.stdout);
        const syms = name === DEBIAN_MALTA ? await cachedKernelDebugSymbols() : undefined;
        if (syms) printSymbols(syms, io.stdout);
        return 0;
      }
      case 'fetch-symbols': {
        const name = guestName(rest);
        if (name !== DEBIAN_MALTA) throw new UsageError(`fetch-symbols knows ${DEBIAN_MALTA}'s kernel only`, NAME);
        const log = (m: string): void => { io.stderr.write(`mips64: ${m}\n`); };
        let shown = -1;
        const progress = (bytes: number, total: number | undefined): void => {
          const mb = Math.floor(bytes / 1048576);
          if (mb === shown) return;
          shown = mb;
          io.stderr.write(`mips64: downloading: ${mb}${total ? ` of ${Math.round(total / 1048576)}` : ''} MB\n`);
        };
        let syms: KernelDebugSymbols;
        try {
          syms = await fetchKernelDebugSymbols({ log, progress, refresh: args.options.has('refresh') });
        } catch (e) {
          const [first, ...more] = (e as Error).message.split('\n');
          throw new CliError(`cannot fetch the kernel debug symbols of ${name}: ${first}`, 2, [`mips64: cannot fetch the kernel debug symbols of ${name}: ${first}`, ...more]);
        }
        if (syms.fromCache) io.stderr.write(`mips64: the debug symbols of ${syms.release} are already cached\n`);
        printSymbols(syms, io.stdout);
        return 0;
      }
      default:
        throw new UsageError(`unknown subcommand '${sub}' (expected fetch, fetch-symbols, list or path)`, NAME);
    }
  },
};

function guestName(rest: readonly string[]): string {
  if (rest.length === 0) throw new UsageError(`missing guest name (known: ${GUESTS.map((g) => g.name).join(', ')})`, NAME);
  if (rest.length > 1) throw new UsageError(`unexpected argument '${rest[1]}'`, NAME);
  const name = rest[0]!;
  if (!GUESTS.some((g) => g.name === name)) throw new UsageError(`unknown guest '${name}' (known: ${GUESTS.map((g) => g.name).join(', ')})`, NAME);
  return name;
}

function printSymbols(s: KernelDebugSymbols, out: NodeJS.WritableStream): void {
  out.write(`vmlinux\t${s.vmlinux}\nsymbols-package\t${s.package} ${s.version}\n`);
}

function printPaths(img: GuestImage, out: NodeJS.WritableStream): void {
  out.write(`kernel\t${img.kernel}\ninitrd\t${img.initrd}\nmanifest\t${img.manifestPath}\nappend\t${img.append}\n`);
}

/**
 * Returns the named guest, fetching it when needed (shared with `mips64 boot`). Failures to
 * obtain the packages become a CliError: one `mips64: cannot fetch …` line, then the
 * details and the manual steps.
 */
export async function fetchGuest(name: string, opts: { log: (m: string) => void; refresh?: boolean }): Promise<GuestImage> {
  if (!debianGuest(name)) throw new CliError(`unknown guest '${name}'`);
  try {
    return await fetchDebianGuest(name, opts);
  } catch (e) {
    const errno = typeof (e as NodeJS.ErrnoException | undefined)?.code === 'string';
    if (!(e instanceof GuestFetchError) && !errno) throw e;
    const [first, ...more] = (e as Error).message.split('\n');
    if (errno) throw new CliError(`cannot fetch ${name}: ${first}`);
    throw new CliError(`cannot fetch ${name}: ${first}`, 2, [`mips64: cannot fetch ${name}: ${first}`, ...more, ...guestManualSteps(name)]);
  }
}
