// What one machine's checkpoints share, owned by the Machine (Machine.snapshot) so that
// nothing under src/emulator/snapshot lives in module globals: the page compressor and its
// tables, the sequence number of new checkpoint ids, the hub of the dirty-page
// trackers (created by the first DirtyTracker.of or DirtyTracker.view), and the
// SHA-256 provider its checkpoints are sealed and verified with.

import { PageCompressor } from './compress';
import type { DirtyHub } from './dirty';
import { HashProvider, webCryptoHashes } from './digest';

export class SnapshotContext {
  /** Compresses the pages of every checkpoint this machine takes (one at a time: captures never overlap). */
  readonly compressor = new PageCompressor();
  /** The machine's dirty-page trackers and their shared hooks, once one was created (dirty.ts). */
  dirtyHub: DirtyHub | undefined = undefined;
  /**
   * The SHA-256s its checkpoints are sealed and checked with, given by the host (the CLI
   * and the adapter: node:crypto on two threads, src/storage/parallel-hashes.ts); by
   * default WebCrypto, with which only the asynchronous checkpoint functions work.
   */
  hashes: HashProvider = webCryptoHashes();
  private sequence = 0;

  /** A new checkpoint id: UTC time of capture, this machine's sequence number and random digits (sortable, unique). */
  newId(wallTimeMs: number): string {
    this.sequence = (this.sequence + 1) & 0xffff;
    return newCheckpointId(wallTimeMs, this.sequence);
  }
}

/** A checkpoint id from the capture's wall time and a sequence number (with random digits: ids from other machines differ too). */
export function newCheckpointId(wallTimeMs: number, sequence: number): string {
  const t = new Date(wallTimeMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const r = Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0');
  return `${t}-${(sequence & 0xffff).toString(16).padStart(4, '0')}${r}`;
}
