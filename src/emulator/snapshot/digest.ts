// SHA-256 for checkpoint identities and boot-image hashes: the platform's implementation
// (node:crypto, OpenSSL), fed piece by piece as the bytes go by, so a checkpoint's content
// hash costs no second pass over it. (A host without node:crypto would supply WebCrypto's
// here; WebCrypto has no incremental digest, so it would hash the assembled bytes.)

import { createHash } from 'node:crypto';

export interface Digest {
  update(bytes: Uint8Array): void;
  /** The 32-byte digest; the Digest is finished. */
  digest(): Uint8Array;
}

export function sha256(): Digest {
  const h = createHash('sha256');
  return {
    update: (bytes) => { h.update(bytes); },
    digest: () => new Uint8Array(h.digest()),
  };
}

/** SHA-256 of `bytes` in one call, as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
