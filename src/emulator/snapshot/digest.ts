// SHA-256 for checkpoint identities and boot-image hashes, as the host provides it: the
// emulator core imports no hash implementation. A HashProvider is given to the core —
// owned by the machine (Machine.snapshot.hashes) or passed to the functions that take
// one. Hosts with a synchronous SHA-256 build one with syncHashes() from a
// createHash-like function (the CLI and the adapter: node:crypto, src/storage/
// node-hashes.ts and parallel-hashes.ts). Everywhere else the default is WebCrypto's
// crypto.subtle.digest (webCryptoHashes): it has no incremental digest and answers only
// asynchronously, so its Digest keeps the pieces (views: the caller does not change
// them) and hashes them at the end; only the asynchronous checkpoint functions work
// with it (checkpoint.ts captureCheckpointAsync, format.ts parseCheckpointAsync).

export interface Digest {
  update(bytes: Uint8Array): void;
  /** The 32-byte digest; the Digest is finished. Throws where only an asynchronous SHA-256 exists (WebCrypto). */
  digest(): Uint8Array;
  /** The same, for every host. */
  digestAsync(): Promise<Uint8Array>;
}

/**
 * The SHA-256s of a file's sections, as they are written or read: add() each section
 * (a view of the file's buffer, not changed afterwards), then done() or doneSync() gives
 * their digests in order. A provider may hash a section at once (still in the cache),
 * in the background (a helper thread), or at the end.
 */
export interface SectionHashes {
  /**
   * Optional early look at the bytes of the section being written, in order, as they are
   * written (a provider that hashes on this thread does so now, while they are in the
   * cache); add() of the whole section follows.
   */
  partial?(bytes: Uint8Array): void;
  add(section: Uint8Array): void;
  /** Throws where the provider is not synchronous. */
  doneSync(): Uint8Array[];
  done(): Promise<Uint8Array[]>;
}

/**
 * The SHA-256s a machine's checkpoints use (Machine.snapshot.hashes): each section of a
 * format-5 file is hashed on its own, so a provider may hash several at once (helper
 * threads: the CLI's and the adapter's, src/storage/parallel-hashes.ts).
 */
export interface HashProvider {
  readonly name: string;
  /** Whether the *Sync functions and stream().digest() work (false: WebCrypto, asynchronous only). */
  readonly synchronous: boolean;
  /** A new set of section hashes. */
  sections(): SectionHashes;
  /** The SHA-256 of each piece, in order. Throws where !synchronous. */
  eachSync(pieces: readonly Uint8Array[]): Uint8Array[];
  /** The same on every host. */
  each(pieces: readonly Uint8Array[]): Promise<Uint8Array[]>;
  /** A SHA-256 fed piece by piece (format 3 and 4 files). */
  stream(): Digest;
  /** A zeroed buffer for a checkpoint file (memory this provider's helpers can read, if it has any). */
  allocate(bytes: number): Uint8Array;
}

/** A provider's eachSync and each, from its sections(). */
export function eachFromSections(sections: () => SectionHashes): Pick<HashProvider, 'eachSync' | 'each'> {
  const of = (pieces: readonly Uint8Array[]): SectionHashes => { const h = sections(); for (const p of pieces) h.add(p); return h; };
  return { eachSync: (pieces) => of(pieces).doneSync(), each: (pieces) => of(pieces).done() };
}

/** The shape of node:crypto's createHash (what a host with a synchronous SHA-256 passes to syncHashes). */
export type CreateHash = (algorithm: 'sha256') => { update(b: Uint8Array): unknown; digest(): Uint8Array };

/**
 * A synchronous provider from the host's createHash, on this thread: sections are hashed
 * as they are written (partial(): while in the cache) or added.
 */
export function syncHashes(createHash: CreateHash, name: string): HashProvider {
  const stream = (): Digest => {
    const h = createHash('sha256');
    const digest = (): Uint8Array => new Uint8Array(h.digest());
    return { update: (b) => { h.update(b); }, digest, digestAsync: () => Promise.resolve(digest()) };
  };
  const sections = (): SectionHashes => {
    const now: Uint8Array[] = [];
    let open: Digest | undefined, fed = 0; // the section being written, hashed up to `fed` bytes
    const doneSync = (): Uint8Array[] => now;
    return {
      partial: (b) => { (open ??= stream()).update(b); fed += b.length; },
      add: (b) => {
        // What partial() saw is the start of this section: hash the rest.
        if (open && fed <= b.length) { open.update(b.subarray(fed)); now.push(open.digest()); } else { const h = stream(); h.update(b); now.push(h.digest()); }
        open = undefined;
        fed = 0;
      },
      doneSync,
      done: () => Promise.resolve(doneSync()),
    };
  };
  return { name, synchronous: true, sections, ...eachFromSections(sections), stream, allocate: (bytes) => new Uint8Array(bytes) };
}

interface SubtleDigest { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> }
const subtle = (): SubtleDigest | undefined => (globalThis as { crypto?: { subtle?: SubtleDigest } }).crypto?.subtle;

const ASYNC_ONLY = 'SHA-256: this machine has only WebCrypto, whose digest is asynchronous (use the asynchronous checkpoint functions, '
  + 'or give it a synchronous HashProvider: Machine.snapshot.hashes)';

/** WebCrypto's SHA-256 of the pieces back to back (copied into one buffer unless there is one piece in ordinary memory). */
async function webDigest(pieces: readonly Uint8Array[]): Promise<Uint8Array> {
  const s = subtle();
  if (!s) throw new Error('SHA-256: this host has no WebCrypto (crypto.subtle), and no other SHA-256 was given');
  if (pieces.length === 1 && pieces[0].buffer instanceof ArrayBuffer) return new Uint8Array(await s.digest('SHA-256', pieces[0]));
  let n = 0;
  for (const p of pieces) n += p.length;
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of pieces) { all.set(p, o); o += p.length; }
  return new Uint8Array(await s.digest('SHA-256', all));
}

/** The provider where no other is given: WebCrypto, asynchronous only (each section's digest started as it is added). */
export function webCryptoHashes(): HashProvider {
  const stream = (): Digest => {
    const pieces: Uint8Array[] = [];
    return {
      update: (b) => { pieces.push(b); },
      digest: () => { throw new Error(ASYNC_ONLY); },
      digestAsync: () => webDigest(pieces),
    };
  };
  const sections = (): SectionHashes => {
    const later: Array<Promise<Uint8Array>> = [];
    return {
      add: (b) => {
        const p = webDigest([b]);
        p.catch(() => { /* reported by done() */ });
        later.push(p);
      },
      doneSync: () => { throw new Error(ASYNC_ONLY); },
      done: () => Promise.all(later),
    };
  };
  return { name: 'WebCrypto', synchronous: false, sections, ...eachFromSections(sections), stream, allocate: (bytes) => new Uint8Array(bytes) };
}

/** SHA-256 of `bytes` as lowercase hex, with `hashes` (synchronous providers only). */
export function sha256Hex(bytes: Uint8Array, hashes: HashProvider): string {
  return toHex(hashes.eachSync([bytes])[0]);
}

/** The same on every host (default WebCrypto). */
export async function sha256HexAsync(bytes: Uint8Array, hashes: HashProvider = webCryptoHashes()): Promise<string> {
  return toHex((await hashes.each([bytes]))[0]);
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
