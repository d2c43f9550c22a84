// The debian-malta guest for tests that boot Debian's kernel: fetched (cached) on first use,
// and its kernel's -dbg vmlinux (opt-in: cached, or MIPS64_KERNEL_SYMBOLS_TESTS=1); where
// they cannot be had, the reason a test skips with.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fetchDebianMalta, GuestImage } from '../../src/cli/guest/debian-guests.js';
import { debianPackageDir } from '../../src/cli/guest/debian-packages.js';
import { cpioNewc, S_IFREG } from './initramfs.js';
import { cachedKernelDebugSymbols, fetchKernelDebugSymbols, KernelDebugSymbols } from '../../src/cli/guest/kernel-debug-symbols.js';

export async function debianMaltaOrSkip(): Promise<GuestImage | string> {
  try {
    return await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
  } catch (e) {
    return `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
  }
}

/**
 * The unstripped vmlinux of the guest's kernel (Debian's -dbg package): when cached, or
 * fetched with MIPS64_KERNEL_SYMBOLS_TESTS=1 (660 MB); else the reason a test skips with.
 */
export async function kernelDebugSymbolsOrSkip(): Promise<KernelDebugSymbols | string> {
  try {
    const cached = await cachedKernelDebugSymbols();
    if (cached) return cached;
    if (process.env.MIPS64_KERNEL_SYMBOLS_TESTS === '1') return await fetchKernelDebugSymbols({ log: (m) => console.log(`# symbols: ${m}`) });
  } catch (e) {
    return `the guest kernel's debug symbols cannot be fetched: ${(e as Error).message}`;
  }
  return 'the -dbg vmlinux is not cached (mips64 guest fetch-symbols debian-malta, or MIPS64_KERNEL_SYMBOLS_TESTS=1)';
}

/** The debian-malta guest and its kernel's -dbg vmlinux, or the reason a test skips with. */
export async function debianMaltaWithSymbolsOrSkip(): Promise<{ guest: GuestImage; syms: KernelDebugSymbols } | string> {
  const guest = await debianMaltaOrSkip();
  if (typeof guest === 'string') return guest;
  const syms = await kernelDebugSymbolsOrSkip();
  return typeof syms === 'string' ? syms : { guest, syms };
}

/**
 * The guest's initramfs with a module of its kernel package appended (a second archive the
 * kernel unpacks too) as /NAME.ko, written to `dir`; or the reason a test skips with.
 */
export function initrdWithModule(guest: GuestImage, syms: KernelDebugSymbols, dir: string, path: string): { initrd: string; ko: string } | string {
  const ko = join(debianPackageDir(guest.manifest.kernel.requested, 'mips64el'), 'root', 'lib', 'modules', syms.release, 'kernel', path);
  if (!existsSync(ko)) return `${ko} is not in the cached kernel package`;
  const initrd = join(dir, 'initrd.gz');
  const extra = gzipSync(cpioNewc([{ name: basename(ko), mode: S_IFREG | 0o644, data: new Uint8Array(readFileSync(ko)) }]));
  writeFileSync(initrd, Buffer.concat([readFileSync(guest.initrd), extra]));
  return { initrd, ko };
}
