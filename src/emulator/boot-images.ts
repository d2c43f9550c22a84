// The images a machine boots from (a bare-metal program, a kernel, an initrd, a device
// tree blob), as a checkpoint records them: role, the host path they were read from,
// SHA-256 and size.
// RAM already holds what was loaded; the images matter again when the guest resets
// (the board boots from them once more), so a checkpoint records which files they were
// and a restore on another host can find them, check them, or say what is missing.
// The bytes themselves are not kept in checkpoints (see Machine.bootImages).

import { HashProvider, sha256Hex } from './snapshot/digest';

export type BootImageRole = 'program' | 'kernel' | 'initrd' | 'dtb';
export const BOOT_IMAGE_ROLES: readonly BootImageRole[] = ['program', 'kernel', 'initrd', 'dtb'];

export interface BootImage {
  role: BootImageRole;
  /** The host path it was read from (as the host resolved it; informative on other hosts). */
  path: string;
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string;
  bytes: number;
}

/** The record of one image read from `path` (`hashes`: a synchronous SHA-256, the host's). */
export function bootImage(role: BootImageRole, path: string, bytes: Uint8Array, hashes: HashProvider): BootImage {
  return { role, path, sha256: sha256Hex(bytes, hashes), bytes: bytes.length };
}

/** Whether `bytes` are the recorded image. */
export function isBootImage(rec: BootImage, bytes: Uint8Array, hashes: HashProvider): boolean {
  return bytes.length === rec.bytes && sha256Hex(bytes, hashes) === rec.sha256;
}

/** "kernel /path/vmlinuz (SHA-256 0123abcd…, 9 MiB)" */
export function describeBootImage(rec: BootImage): string {
  const size = rec.bytes >= 1 << 20 ? `${(rec.bytes / 1048576).toFixed(1)} MiB` : `${rec.bytes} bytes`;
  return `${rec.role} ${rec.path} (SHA-256 ${rec.sha256.slice(0, 12)}…, ${size})`;
}
