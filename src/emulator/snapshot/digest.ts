// SHA-256 for checkpoint identities and boot-image hashes: the platform's implementation.
// Under Node, node:crypto (OpenSSL), fed piece by piece as the bytes go by, so a
// checkpoint's content hash costs no second pass over it. Where there is no Node (the
// emulator core has no other tie to it), WebCrypto's crypto.subtle.digest: it has no
// incremental digest and answers only asynchronously, so its Digest keeps the pieces
// (views: the caller does not change them) and hashes them at the end, through
// digestAsync() (checkpoint.ts captureCheckpointAsync, format.ts parseCheckpointAsync).
// node:crypto is looked up when this module loads, not imported, so the module also
// loads where Node's modules do not exist.

export type HashImplementation = 'node' | 'webcrypto';

export interface Digest {
  update(bytes: Uint8Array): void;
  /** The 32-byte digest; the Digest is finished. Throws where only an asynchronous SHA-256 exists (WebCrypto). */
  digest(): Uint8Array;
  /** The same, for every host. */
  digestAsync(): Promise<Uint8Array>;
}

interface NodeHash { update(b: Uint8Array): NodeHash; digest(): Uint8Array }
type CreateHash = (algorithm: string) => NodeHash;

/** node:crypto's createHash when this host has Node's modules (a CommonJS require that finds it). */
const NODE_CREATE_HASH: CreateHash | undefined = ((): CreateHash | undefined => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return typeof require === 'function' ? (require('node:crypto') as { createHash?: CreateHash }).createHash : undefined;
  } catch {
    return undefined;
  }
})();

interface SubtleDigest { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> }
const subtle = (): SubtleDigest | undefined => (globalThis as { crypto?: { subtle?: SubtleDigest } }).crypto?.subtle;

/** The SHA-256 this host offers by default: node:crypto where there is Node, else WebCrypto. */
export function defaultHashImplementation(): HashImplementation {
  return NODE_CREATE_HASH ? 'node' : 'webcrypto';
}

/** A SHA-256 in progress (`impl`: which implementation; default: the platform's). */
export function sha256(impl: HashImplementation = defaultHashImplementation()): Digest {
  if (impl === 'node') {
    if (!NODE_CREATE_HASH) throw new Error('SHA-256: node:crypto is not available on this host');
    const h = NODE_CREATE_HASH('sha256');
    const digest = (): Uint8Array => new Uint8Array(h.digest());
    return { update: (bytes) => { h.update(bytes); }, digest, digestAsync: () => Promise.resolve(digest()) };
  }
  const pieces: Uint8Array[] = [];
  return {
    update: (bytes) => { pieces.push(bytes); },
    digest: () => { throw new Error('SHA-256: this host has only WebCrypto, whose digest is asynchronous (use the asynchronous checkpoint functions)'); },
    digestAsync: async () => {
      const s = subtle();
      if (!s) throw new Error('SHA-256: this host has neither node:crypto nor WebCrypto');
      if (pieces.length === 1 && pieces[0].buffer instanceof ArrayBuffer) return new Uint8Array(await s.digest('SHA-256', pieces[0]));
      let n = 0;
      for (const p of pieces) n += p.length;
      const all = new Uint8Array(n);
      let o = 0;
      for (const p of pieces) { all.set(p, o); o += p.length; }
      return new Uint8Array(await s.digest('SHA-256', all));
    },
  };
}

/** SHA-256 of `bytes` in one call, as lowercase hex (synchronous: throws where only WebCrypto exists). */
export function sha256Hex(bytes: Uint8Array): string {
  const h = sha256();
  h.update(bytes);
  return toHex(h.digest());
}

/** The same on every host. */
export async function sha256HexAsync(bytes: Uint8Array, impl?: HashImplementation): Promise<string> {
  const h = sha256(impl);
  h.update(bytes);
  return toHex(await h.digestAsync());
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
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

/**
 * The provider of one implementation, on this thread (`impl`: default the platform's).
 * Sections are hashed as they are added (node:crypto: at once, while still in the cache;
 * WebCrypto: started at once, answered later).
 */
export function hashProvider(impl: HashImplementation = defaultHashImplementation()): HashProvider {
  const one = (p: Uint8Array): Digest => { const h = sha256(impl); h.update(p); return h; };
  const sections = (): SectionHashes => {
    const now: Uint8Array[] = [];
    const later: Array<Promise<Uint8Array>> = [];
    let open: Digest | undefined, fed = 0; // the section being written, hashed up to `fed` bytes
    return {
      partial: impl === 'node' ? (b) => { (open ??= sha256(impl)).update(b); fed += b.length; } : undefined,
      add: (b) => {
        if (impl === 'node') {
          // What partial() saw is the start of this section: hash the rest.
          if (open && fed <= b.length) { open.update(b.subarray(fed)); now.push(open.digest()); } else now.push(one(b).digest());
          open = undefined;
          fed = 0;
          return;
        }
        const p = one(b).digestAsync();
        p.catch(() => { /* reported by done() */ });
        later.push(p);
      },
      doneSync: () => {
        if (impl !== 'node') throw new Error('SHA-256: this host has only WebCrypto, whose digest is asynchronous (use the asynchronous checkpoint functions)');
        return now;
      },
      done: async () => (impl === 'node' ? now : Promise.all(later)),
    };
  };
  return {
    name: impl === 'node' ? 'node:crypto' : 'WebCrypto',
    synchronous: impl === 'node',
    sections,
    ...eachFromSections(sections),
    stream: () => sha256(impl),
    allocate: (bytes) => new Uint8Array(bytes),
  };
}
