// Debian's unstripped vmlinux for the debian-malta guest's kernel: the -dbg package of the
// exact kernel package and version the guest was built from (linux-image-6.1.0-NN-5kc-malta-dbg
// = version), downloaded with apt and cached like any Debian package, of which only
// usr/lib/debug/boot/{vmlinux,System.map}-<release> are extracted (they come first in the
// 660 MB archive: the extraction stops there). With it the debugger has the kernel's
// DWARF: types, variables, inline frames, CFI, source lines.
//
// Whether a vmlinux belongs to a running kernel is decided elsewhere (its build ID in guest
// RAM); here the versions are matched by construction, and a version the archive no longer
// has is refused with what to do.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir, debianPackageDir, DebianPackage, fetchDebianPackage, FetchOptions } from './debian-packages';
import { cachedGuest, DEBIAN_ARCH, DEBIAN_MALTA, fetchDebianMalta, GuestFetchError } from './debian-guests';

export interface KernelDebugSymbols {
  /** The unstripped vmlinux (DWARF, symbols). */
  readonly vmlinux: string;
  readonly systemMap: string;
  /** The -dbg package and its version (= the guest kernel's). */
  readonly package: string;
  readonly version: string;
  /** The kernel release, e.g. 6.1.0-50-5kc-malta. */
  readonly release: string;
  readonly fromCache: boolean;
}

export interface SymbolsFetchOptions {
  log?: (message: string) => void;
  progress?: FetchOptions['progress'];
  cacheDir?: string;
  refresh?: boolean;
}

/** The -dbg package name and release for a kernel image package (linux-image-<release>). */
export function debugPackageOf(kernelPackage: string): { package: string; release: string } {
  const m = /^linux-image-(.+)$/.exec(kernelPackage);
  if (!m) throw new GuestFetchError(`'${kernelPackage}' is not a linux-image-<release> package`);
  return { package: `${kernelPackage}-dbg`, release: m[1]! };
}

function members(release: string): { vmlinux: string; systemMap: string } {
  return { vmlinux: `usr/lib/debug/boot/vmlinux-${release}`, systemMap: `usr/lib/debug/boot/System.map-${release}` };
}

/** The cached vmlinux of the debian-malta guest's kernel, or undefined (never downloads). */
export async function cachedKernelDebugSymbols(root = cacheDir()): Promise<KernelDebugSymbols | undefined> {
  const guest = await cachedGuest(DEBIAN_MALTA, root);
  if (!guest) return undefined;
  const { package: pkg, release } = debugPackageOf(guest.manifest.kernel.package);
  const dir = join(debianPackageDir(pkg, DEBIAN_ARCH, root), 'root');
  const m = members(release);
  const manifest = await readFile(join(debianPackageDir(pkg, DEBIAN_ARCH, root), 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as { version?: string; files?: Record<string, string> }, () => undefined);
  if (!manifest || manifest.version !== guest.manifest.kernel.version || !manifest.files?.[m.vmlinux]) return undefined;
  return { vmlinux: join(dir, m.vmlinux), systemMap: join(dir, m.systemMap), package: pkg, version: manifest.version, release, fromCache: true };
}

/**
 * The vmlinux of the debian-malta guest's kernel, fetched (about 660 MB from Debian) and
 * cached on first use; the guest is fetched first if needed.
 */
export async function fetchKernelDebugSymbols(opts: SymbolsFetchOptions = {}): Promise<KernelDebugSymbols> {
  const root = opts.cacheDir ?? cacheDir();
  const guest = await fetchDebianMalta({ log: opts.log, cacheDir: root });
  const { version } = guest.manifest.kernel;
  const { package: pkg, release } = debugPackageOf(guest.manifest.kernel.package);
  const m = members(release);
  const fetch = (refresh: boolean | undefined): Promise<DebianPackage> => fetchDebianPackage(pkg, DEBIAN_ARCH, {
    log: opts.log, cacheDir: root, refresh, version, extract: [m.vmlinux, m.systemMap], keyFiles: () => true, progress: opts.progress,
  });
  let got: DebianPackage;
  try {
    got = await fetch(opts.refresh);
    // A cached entry of another version (same package name, the guest refreshed since): replace it.
    if (got.manifest.version !== version) got = await fetch(true);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (/apt-get download .* failed/.test(why) && /(Can't find|Unable to locate|Version .* was not found)/i.test(why)) {
      throw new GuestFetchError(`${pkg} ${version} (the guest kernel's version) is not in Debian's archive any more; `
        + `fetch the current guest and its symbols again: mips64 guest fetch debian-malta --refresh && mips64 guest fetch-symbols debian-malta\n${why}`);
    }
    throw new GuestFetchError(why);
  }
  if (got.manifest.version !== version) {
    throw new GuestFetchError(`the cached ${pkg} is version ${got.manifest.version}, the guest kernel is ${version}: run mips64 guest fetch-symbols debian-malta --refresh`);
  }
  return { vmlinux: join(got.root, m.vmlinux), systemMap: join(got.root, m.systemMap), package: pkg, version, release, fromCache: got.fromCache };
}
