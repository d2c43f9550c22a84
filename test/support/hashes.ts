// The SHA-256 the tests give machines and checkpoint functions: node:crypto on this
// thread (the emulator core has none of its own: src/emulator/snapshot/digest.ts).
import type { Machine } from '../../src/emulator/machine';
import { nodeHashes } from '../../src/storage/node-hashes';

export const HASHES = nodeHashes();

/** `r` (a board factory's or bootBoard's result) with its machine given HASHES. */
export function hashed<T extends { machine: Machine }>(r: T): T {
  r.machine.snapshot.hashes = HASHES;
  return r;
}
