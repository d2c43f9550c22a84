// The SHA-256 the CLI and the debug adapter give their machines (Machine.snapshot.hashes):
// node:crypto, on this thread and on one helper thread at once. A format-5 checkpoint
// is hashed section by section (format.ts), so verifying a 248 MiB file — most of a
// restore — or sealing one is shared between two cores.
//
// Checkpoint buffers come from allocate() as SharedArrayBuffer memory, which the helper
// reads in place (nothing is copied). Each section is offered to the helper as soon as
// it is added (while a capture goes on writing the next ones); when the digests are
// asked for, this thread takes back, from the last one down, every section the helper
// has not started (an atomic compare-and-exchange on the section's state decides who
// hashes it), hashes those itself, and waits for the rest. A section the helper took is
// waited for with a timeout, after which this thread hashes it too (a helper that died
// or is starved costs time, never a wrong or missing digest). Small sections, pieces in
// ordinary memory, or a host without worker threads: this thread alone, at once.

import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { Digest, eachFromSections, HashProvider, SectionHashes } from '../emulator/snapshot/digest';
import { nodeHashes } from './node-hashes';

/** Sections shorter than this are hashed on this thread at once (handing them over costs more). */
const HELPER_MIN_BYTES = 256 << 10;
/** How long this thread waits for a section the helper took before hashing it itself. */
const HELPER_TIMEOUT_MS = 2000;

/**
 * The helper: one message per section — its buffer, offset, length, a state word (0
 * offered, 1 taken, 2 done) and 32 bytes for the digest. It hashes the section only if
 * it is the one that moves the state from 0 to 1.
 */
const HELPER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', (j) => {
  const st = new Int32Array(j.state);
  if (Atomics.compareExchange(st, 0, 0, 1) !== 0) return;
  new Uint8Array(j.out).set(createHash('sha256').update(new Uint8Array(j.data, j.off, j.len)).digest());
  Atomics.store(st, 0, 2);
  Atomics.notify(st, 0);
});
`;

const digestOf = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

interface Job { view: Uint8Array; state?: Int32Array; out?: Uint8Array; digest?: Uint8Array }

/** node:crypto's SHA-256 with a helper thread (`helper: false`: this thread only, in shared memory all the same). */
export function parallelHashes(opts: { helper?: boolean } = {}): HashProvider & { readonly helperUsed: () => number } {
  const single = nodeHashes();
  let worker: Worker | undefined;
  let broken = opts.helper === false;
  let helped = 0; // sections the helper hashed (for tests and the benchmark)
  const helper = (): Worker | undefined => {
    if (broken) return undefined;
    if (!worker) {
      try {
        worker = new Worker(HELPER_SOURCE, { eval: true });
        worker.unref();
        worker.on('error', () => { broken = true; worker = undefined; });
        worker.on('exit', () => { broken = true; worker = undefined; });
      } catch {
        broken = true;
        return undefined;
      }
    }
    return worker;
  };
  // Started now: a worker takes tens of ms to come up, ideally before the first checkpoint.
  helper();

  const sections = (): SectionHashes => {
    const jobs: Job[] = [];
    const doneSync = (): Uint8Array[] => {
      // Take back what the helper has not started, from the end (it works from the start).
      for (let i = jobs.length - 1; i >= 0; i--) {
        const j = jobs[i];
        if (j.state && Atomics.compareExchange(j.state, 0, 0, 1) === 0) j.digest = digestOf(j.view);
      }
      for (const j of jobs) {
        if (j.digest) continue;
        const st = j.state!;
        while (Atomics.load(st, 0) !== 2) {
          if (Atomics.wait(st, 0, 1, HELPER_TIMEOUT_MS) === 'timed-out' && Atomics.load(st, 0) !== 2) break;
        }
        if (Atomics.load(st, 0) === 2) { j.digest = j.out!.slice(); helped++; } else j.digest = digestOf(j.view);
      }
      return jobs.map((j) => j.digest!);
    };
    return {
      add: (view) => {
        const w = view.buffer instanceof SharedArrayBuffer && view.length >= HELPER_MIN_BYTES ? helper() : undefined;
        if (!w) { jobs.push({ view, digest: digestOf(view) }); return; }
        const state = new Int32Array(new SharedArrayBuffer(4)), out = new Uint8Array(new SharedArrayBuffer(32));
        w.postMessage({ data: view.buffer, off: view.byteOffset, len: view.length, state: state.buffer, out: out.buffer });
        jobs.push({ view, state, out });
      },
      doneSync,
      done: () => Promise.resolve(doneSync()),
    };
  };

  return {
    name: 'node:crypto (two threads)',
    synchronous: true,
    sections,
    ...eachFromSections(sections),
    stream: (): Digest => single.stream(),
    allocate: (bytes) => new Uint8Array(new SharedArrayBuffer(bytes)),
    helperUsed: () => helped,
  };
}

/**
 * The provider for this process's machines and checkpoint files (one helper thread for
 * all of them), made on first use.
 */
export function processHashes(): HashProvider {
  return (shared ??= parallelHashes());
}
let shared: HashProvider | undefined;
