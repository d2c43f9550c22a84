// Test corpus of real MIPS64 code from Debian (mips64el), fetched and cached with
// src/cli/guest/debian-packages.ts:
//   - busybox-static's /bin/busybox (a static n64 executable);
//   - linux-image-5kc-malta's /boot/vmlinuz-* (the self-decompressing Malta kernel, an ELF);
//   - the kernel image inside that vmlinuz, decompressed and cached next to the packages.
//
// The vmlinuz ELF is the kernel's boot decompressor: its .data holds the compressed kernel as
// one XZ stream. The XZ magic (FD 37 7A 58 5A 00) also occurs elsewhere — first as an 8-byte
// string constant in .rodata.str1.8 — so every occurrence is tried in file order and the first
// one that `xz -dc --single-stream` accepts wins. The result is the raw image the decompressor
// copies to VMLINUX_LOAD_ADDRESS (0xffffffff80100000 on Malta). As a check, the target of the
// decompressor's final `jalr` (the jump to kernel_entry, made after decompress_kernel returns)
// must lie inside the image at that address.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir, fetchDebianPackage, sha256File, writeFileAtomic } from '../../src/cli/guest/debian-packages.js';
import { parseElf } from '../../src/emulator/loader/elf.js';

export const KERNEL_LOAD_ADDRESS = 0xffffffff80100000n;

export interface DebianCorpus {
  /** busybox-static:mips64el /bin/busybox */
  busybox: string;
  busyboxVersion: string;
  /** linux-image-5kc-malta:mips64el /boot/vmlinuz-* */
  vmlinuz: string;
  /** Resolved kernel package, e.g. linux-image-6.1.0-50-5kc-malta 6.1.176-1. */
  kernelPackage: string;
  kernelVersion: string;
  /** Decompressed raw kernel image (load it at kernelLoadAddress). */
  kernelImage: string;
  kernelLoadAddress: bigint;
  /** kernel_entry, the target of the decompressor's final jump. */
  kernelEntry: bigint;
}

/** Cross tools and the Debian packages that provide them (for failure messages and CI). */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'mips64el-linux-gnuabi64-objdump': 'binutils-mips64el-linux-gnuabi64',
  'mips64-linux-gnuabi64-objdump': 'binutils-mips64-linux-gnuabi64',
  'mips64el-linux-gnuabi64-gcc': 'gcc-mips64el-linux-gnuabi64',
  'mips64-linux-gnuabi64-gcc': 'gcc-mips64-linux-gnuabi64',
  xz: 'xz-utils',
};

/** Throws (never skips) when a tool is missing, naming the Debian package to install. */
export function requireTool(tool: string): void {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    const pkg = TOOL_PACKAGES[tool] ?? '(unknown package)';
    throw new Error(`${tool} is not installed: apt-get install ${pkg} (the CI script .ci/run installs it)`);
  }
}

let pending: Promise<DebianCorpus> | undefined;

/** Paths of the corpus files, downloading/decompressing on first use (cached across runs). */
export function debianCorpus(log: (m: string) => void = (m) => console.log(`# corpus: ${m}`)): Promise<DebianCorpus> {
  pending ??= build(log);
  return pending;
}

async function build(log: (m: string) => void): Promise<DebianCorpus> {
  const bb = await fetchDebianPackage('busybox-static', 'mips64el', { log });
  const kernel = await fetchDebianPackage('linux-image-5kc-malta', 'mips64el', { log });
  const boot = join(kernel.root, 'boot');
  const vmlinuzNames = readdirSync(boot).filter((f) => f.startsWith('vmlinuz-'));
  if (vmlinuzNames.length !== 1) throw new Error(`expected one vmlinuz-* in ${boot}, found ${vmlinuzNames.join(', ') || 'none'}`);
  const vmlinuz = join(boot, vmlinuzNames[0]!);
  const image = await decompressedKernel(vmlinuz, log);
  return {
    busybox: join(bb.root, 'bin', 'busybox'),
    busyboxVersion: bb.manifest.version,
    vmlinuz,
    kernelPackage: kernel.manifest.package,
    kernelVersion: kernel.manifest.version,
    kernelImage: image.path,
    kernelLoadAddress: KERNEL_LOAD_ADDRESS,
    kernelEntry: image.entry,
  };
}

interface ImageMeta {
  source: string;
  sourceSha256: string;
  xzOffset: number;
  sha256: string;
  size: number;
  loadAddress: string;
  entry: string;
}

/** Decompresses (or takes from the cache) the kernel image inside a vmlinuz ELF. */
async function decompressedKernel(vmlinuz: string, log: (m: string) => void): Promise<{ path: string; entry: bigint }> {
  const srcSum = await sha256File(vmlinuz);
  const dir = join(cacheDir(), 'derived');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `vmlinux-${srcSum.slice(0, 16)}.bin`);
  const metaPath = `${path}.json`;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ImageMeta;
    if (meta.sourceSha256 === srcSum && statSync(path).size === meta.size && (await sha256File(path)) === meta.sha256) {
      return { path, entry: BigInt(meta.entry) };
    }
  } catch {
    // not cached yet
  }
  requireTool('xz');
  const bytes = new Uint8Array(await readFile(vmlinuz));
  const elf = parseElf(bytes);
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let image: Buffer | undefined;
  let xzOffset = -1;
  let skipped = 0;
  for (let off = buf.indexOf(magic); off >= 0; off = buf.indexOf(magic, off + 1)) {
    const r = spawnSync('xz', ['-dc', '--single-stream'], { input: buf.subarray(off), maxBuffer: 1 << 30 });
    if (r.status === 0 && r.stdout.length > 0) {
      image = r.stdout;
      xzOffset = off;
      break;
    }
    skipped++;
  }
  if (!image) throw new Error(`${vmlinuz}: no XZ stream that decompresses`);
  const section = elf.sections.find((s) => s.size > 0 && xzOffset >= s.offset && xzOffset < s.offset + s.size);
  if (section?.name !== '.data') throw new Error(`${vmlinuz}: XZ stream at file offset ${xzOffset} is in ${section?.name ?? 'no section'}, expected .data`);

  const entry = decompressorJumpTarget(elf, vmlinuz);
  const end = KERNEL_LOAD_ADDRESS + BigInt(image.length);
  if (entry < KERNEL_LOAD_ADDRESS || entry >= end) {
    throw new Error(`${vmlinuz}: the decompressor jumps to 0x${entry.toString(16)}, outside the image at 0x${KERNEL_LOAD_ADDRESS.toString(16)}..0x${end.toString(16)}`);
  }
  log(`decompressed ${image.length} bytes from ${vmlinuz} (XZ stream at .data+0x${(xzOffset - section.offset).toString(16)}, `
    + `after ${skipped} false magic match(es)); kernel_entry 0x${entry.toString(16)}`);
  await writeFileAtomic(path, image);
  const meta: ImageMeta = {
    source: vmlinuz,
    sourceSha256: srcSum,
    xzOffset,
    sha256: await sha256File(path),
    size: image.length,
    loadAddress: '0x' + KERNEL_LOAD_ADDRESS.toString(16),
    entry: '0x' + entry.toString(16),
  };
  await writeFileAtomic(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { path, entry };
}

/**
 * Follows the decompressor from its ELF entry to its final `b .` and returns the target of the
 * last `jalr`/`jr` before it, tracking the constants built with lui/ori/(d)addiu. Independent
 * of the project's decoder on purpose: this only needs a handful of encodings.
 */
function decompressorJumpTarget(elf: ReturnType<typeof parseElf>, name: string): bigint {
  const text = elf.sections.find((s) => s.addr <= elf.entry && elf.entry < s.addr + BigInt(s.size));
  if (!text) throw new Error(`${name}: no section holds the entry point`);
  const data = text.data();
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.endian === 'little';
  const regs = new Map<number, bigint>();
  const sx32 = (v: bigint): bigint => BigInt.asUintN(64, BigInt.asIntN(32, v));
  const sx16 = (v: number): bigint => BigInt((v << 16) >> 16);
  let target: bigint | undefined;
  for (let off = Number(elf.entry - text.addr); off + 4 <= data.length && off < 4096; off += 4) {
    const w = dv.getUint32(off, le);
    if (w === 0x1000ffff) break; // b . — the decompressor never gets here
    const op = w >>> 26, rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, imm = w & 0xffff;
    const src = regs.get(rs);
    if (op === 0x0f) regs.set(rt, sx32(BigInt(imm) << 16n)); // lui
    else if (op === 0x0d) { if (src !== undefined) regs.set(rt, src | BigInt(imm)); else regs.delete(rt); } // ori
    else if (op === 0x19) { if (src !== undefined) regs.set(rt, BigInt.asUintN(64, src + sx16(imm))); else regs.delete(rt); } // daddiu
    else if (op === 0x09) { if (src !== undefined) regs.set(rt, sx32(src + sx16(imm))); else regs.delete(rt); } // addiu
    else if (op === 0 && ((w & 0x3f) === 0x09 || (w & 0x3f) === 0x08)) target = regs.get(rs); // jalr / jr
  }
  if (target === undefined) throw new Error(`${name}: could not find the decompressor's final jump`);
  return target;
}
