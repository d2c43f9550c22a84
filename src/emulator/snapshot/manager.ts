// Checkpoints of one running machine: the typed API the CLI and the debug adapter use.
//
//   const cp = new Checkpointer(machine, { memoryBudgetBytes: 512 << 20, disk });
//   const a = cp.take({ name: 'before login' });      // full (first) …
//   const b = cp.take();                               // … then incremental
//   cp.restore(a.id);                                  // verified, then applied
//   cp.diff(a.id, b.id);                               // what changed
//
// Checkpoints are kept in memory within a budget (oldest chains evicted first, never
// the chain being extended) and, when a disk store is given, also written there (the
// disk write happens first; if it fails nothing is kept and nothing changes). The
// first checkpoint is full; later ones are incremental (only pages written since the
// previous checkpoint, found by DirtyTracker) until a chain reaches `maxChain` files or
// would not fit the memory budget, when a new full checkpoint starts a new chain. After
// a restore, the next incremental continues the restored checkpoint. A restore rewrites
// only the RAM pages that can differ from the checkpoint (difference.ts) when dirty
// tracking knows them, all of RAM otherwise.

import type { Machine } from '../machine';
import {
  captureCheckpoint, describeConfig, prepareRestore, resolveChain, RestoreResult,
} from './checkpoint';
import { CheckpointDiff, diffCheckpoints } from './compare';
import { pagesToRewrite } from './difference';
import { DirtyTracker } from './dirty';
import { CheckpointError, CheckpointHeader, CheckpointKind, MachineConfig, parseCheckpoint, ParsedCheckpoint } from './format';

export interface CheckpointInfo {
  id: string;
  name: string;
  kind: CheckpointKind;
  parentId: string | null;
  parentHash: string | null;
  hash: string;
  icount: number;
  virtualNs: number;
  wallTimeMs: number;
  created: string;
  /** Encoded size in bytes. */
  sizeBytes: number;
  /** Page records in this checkpoint. */
  pages: number;
  machine: MachineConfig;
}

export function infoFromHeader(h: CheckpointHeader, hash: string, sizeBytes: number): CheckpointInfo {
  return {
    id: h.id, name: h.name, kind: h.kind, parentId: h.parentId, parentHash: h.parentHash, hash,
    icount: h.icount, virtualNs: h.virtualNs, wallTimeMs: h.wallTimeMs, created: h.created,
    sizeBytes, pages: h.pages, machine: h.machine,
  };
}

/** Where checkpoint files live. Implementations must make put atomic: all or nothing. */
export interface CheckpointStore {
  readonly kind: 'memory' | 'disk';
  /** Human-readable location (for messages). */
  readonly location: string;
  put(info: CheckpointInfo, bytes: Uint8Array): void;
  get(id: string): Uint8Array | undefined;
  has(id: string): boolean;
  list(): CheckpointInfo[];
  delete(id: string): boolean;
}

/** Checkpoints in memory, within a byte budget. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly kind = 'memory' as const;
  readonly location = 'memory';
  private readonly entries = new Map<string, { info: CheckpointInfo; bytes: Uint8Array }>();
  usedBytes = 0;

  constructor(public budgetBytes: number) {}

  put(info: CheckpointInfo, bytes: Uint8Array): void {
    if (bytes.length > this.budgetBytes) {
      throw new CheckpointError('budget', `checkpoint '${info.name}' needs ${mib(bytes.length)} MiB, more than the whole memory budget (${mib(this.budgetBytes)} MiB)`);
    }
    // The new checkpoint's ancestors must stay.
    const keep = new Set<string>([info.id]);
    for (let p = info.parentId; p && this.entries.has(p); p = this.entries.get(p)!.info.parentId) keep.add(p);
    const evict: string[] = [];
    let used = this.usedBytes;
    const gone = new Set<string>();
    for (const id of this.entries.keys()) {
      if (used + bytes.length <= this.budgetBytes) break;
      if (keep.has(id) || gone.has(id)) continue;
      // Evict it and everything in memory that depends on it.
      for (const d of [id, ...this.descendants(id)]) {
        if (keep.has(d) || gone.has(d)) continue;
        gone.add(d);
        evict.push(d);
        used -= this.entries.get(d)!.bytes.length;
      }
    }
    if (used + bytes.length > this.budgetBytes) {
      throw new CheckpointError('budget', `checkpoint '${info.name}' (${mib(bytes.length)} MiB) and the chain it continues do not fit the memory budget (${mib(this.budgetBytes)} MiB); take a full checkpoint or raise the budget`);
    }
    for (const id of evict) this.delete(id);
    const old = this.entries.get(info.id);
    if (old) this.usedBytes -= old.bytes.length;
    this.entries.set(info.id, { info, bytes });
    this.usedBytes += bytes.length;
  }

  private descendants(id: string): string[] {
    const out: string[] = [];
    const todo = [id];
    while (todo.length > 0) {
      const cur = todo.pop()!;
      for (const [cid, e] of this.entries) {
        if (e.info.parentId === cur) { out.push(cid); todo.push(cid); }
      }
    }
    return out;
  }

  /** Bytes of the chain ending at `id` that are held here. */
  chainBytes(id: string): number {
    let n = 0;
    for (let p: string | null = id; p && this.entries.has(p); p = this.entries.get(p)!.info.parentId) n += this.entries.get(p)!.bytes.length;
    return n;
  }

  get(id: string): Uint8Array | undefined { return this.entries.get(id)?.bytes; }
  has(id: string): boolean { return this.entries.has(id); }
  list(): CheckpointInfo[] { return [...this.entries.values()].map((e) => e.info); }
  delete(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    this.usedBytes -= e.bytes.length;
    return true;
  }
}

const mib = (n: number): string => (n / 1048576).toFixed(n < 1048576 ? 3 : 1);

export interface CheckpointerOptions {
  /** In-memory budget (default 512 MiB). */
  memoryBudgetBytes?: number;
  /** Also write every checkpoint here (e.g. the CLI's directory store). */
  disk?: CheckpointStore;
  /** Incrementals in a chain before the next automatic checkpoint is full again (default 32). */
  maxChain?: number;
}

export interface TakeOptions {
  name?: string;
  /** 'auto' (default): incremental when a previous checkpoint of this session exists. */
  kind?: CheckpointKind | 'auto';
}

export interface TakenCheckpoint extends CheckpointInfo {
  /** Where it was stored. */
  stored: Array<'memory' | 'disk'>;
  /** Milliseconds spent capturing (encoding) and storing. */
  captureMs: number;
  storeMs: number;
}

export class Checkpointer {
  readonly memory: MemoryCheckpointStore;
  readonly disk: CheckpointStore | undefined;
  readonly tracker: DirtyTracker;
  readonly maxChain: number;
  /** The checkpoint the machine's RAM was last saved to or restored from (the next incremental's parent). */
  private last: { id: string; hash: string; chainLength: number } | undefined;
  private readonly off: () => void;
  private parsed = new Map<string, ParsedCheckpoint>();

  constructor(readonly machine: Machine, opts: CheckpointerOptions = {}) {
    this.memory = new MemoryCheckpointStore(opts.memoryBudgetBytes ?? 512 << 20);
    this.disk = opts.disk;
    this.maxChain = opts.maxChain ?? 32;
    this.tracker = DirtyTracker.of(machine);
    // Restores by anyone (this object or restoreCheckpoint directly) move the base.
    this.off = machine.events.on('checkpoint', (e) => {
      if (e.action === 'restored') {
        this.last = { id: e.id, hash: e.hash, chainLength: this.chainLengthOf(e.id) };
      }
    });
  }

  dispose(): void {
    this.off();
  }

  /** The checkpoint the next incremental would continue, if any. */
  get parent(): { id: string; hash: string } | undefined {
    return this.last && { id: this.last.id, hash: this.last.hash };
  }

  /** Takes a checkpoint now (between runs). */
  take(opts: TakeOptions = {}): TakenCheckpoint {
    const m = this.machine, tracker = this.tracker;
    let kind = opts.kind ?? 'auto';
    const last = this.last;
    // The tracker's interval must start at our last checkpoint (another Checkpointer or a
    // restore elsewhere may have moved it).
    const canIncrement = last !== undefined && tracker.active && tracker.base?.id === last.id && tracker.base.hash === last.hash;
    if (kind === 'incremental' && !canIncrement) {
      throw new CheckpointError('parent', 'no previous checkpoint of this machine to continue (or RAM was saved or restored elsewhere since): take a full checkpoint first');
    }
    if (kind === 'auto') {
      kind = canIncrement && this.last!.chainLength <= this.maxChain ? 'incremental' : 'full';
      // Without a disk, an incremental must fit in memory with its whole chain.
      if (kind === 'incremental' && !this.disk) {
        const estimate = tracker.count * 4200 + 65536;
        if (this.memory.chainBytes(this.last!.id) + estimate > this.memory.budgetBytes) kind = 'full';
      }
    }
    const pages = kind === 'incremental' ? tracker.dirtyPages() : undefined;
    const t0 = performance.now();
    const enc = captureCheckpoint(m, { kind, name: opts.name, parent: kind === 'incremental' ? this.last : undefined, pages });
    const t1 = performance.now();
    const info = infoFromHeader(enc.header, enc.hash, enc.bytes.length);
    const stored: Array<'memory' | 'disk'> = [];
    if (this.disk) {
      this.disk.put(info, enc.bytes); // throws, with nothing left behind, on failure
      stored.push('disk');
    }
    try {
      this.memory.put(info, enc.bytes);
      stored.push('memory');
    } catch (e) {
      if (!this.disk || !(e instanceof CheckpointError)) throw e;
    }
    const t2 = performance.now();
    // Stored: the next interval starts now.
    const base = { id: info.id, hash: info.hash };
    if (kind === 'full') tracker.resetAll(base);
    else tracker.rearm(pages!, base);
    this.last = { id: info.id, hash: info.hash, chainLength: kind === 'full' ? 1 : this.last!.chainLength + 1 };
    const message = `--- checkpoint '${info.name}' (${kind}, ${info.pages} pages, ${(info.sizeBytes / 1024).toFixed(0)} KiB) at instruction ${info.icount} ---`;
    m.events.emit('checkpoint', { action: 'saved', id: info.id, hash: info.hash, name: info.name, kind, icount: info.icount, message });
    return { ...info, stored, captureMs: t1 - t0, storeMs: t2 - t1 };
  }

  /** Every checkpoint available (memory and disk), oldest first. */
  list(): Array<CheckpointInfo & { stored: Array<'memory' | 'disk'> }> {
    const out = new Map<string, CheckpointInfo & { stored: Array<'memory' | 'disk'> }>();
    for (const i of this.memory.list()) out.set(i.id, { ...i, stored: ['memory'] });
    for (const i of this.disk?.list() ?? []) {
      const e = out.get(i.id);
      if (e) e.stored.push('disk'); else out.set(i.id, { ...i, stored: ['disk'] });
    }
    return [...out.values()].sort((a, b) => a.wallTimeMs - b.wallTimeMs || a.icount - b.icount);
  }

  /** Finds a checkpoint by id, or by name when unique. */
  find(idOrName: string): CheckpointInfo | undefined {
    const all = this.list();
    const byId = all.find((i) => i.id === idOrName);
    if (byId) return byId;
    const byName = all.filter((i) => i.name === idOrName);
    if (byName.length > 1) throw new CheckpointError('not-found', `${byName.length} checkpoints are named '${idOrName}'; use an id`);
    return byName[0];
  }

  /** The encoded bytes of a checkpoint (memory first, then disk). */
  bytes(id: string): Uint8Array | undefined {
    return this.memory.get(id) ?? this.disk?.get(id);
  }

  /** Parsed and fully checked checkpoint (cached per id for memory-held ones). */
  parsedCheckpoint(id: string): ParsedCheckpoint | undefined {
    const b = this.bytes(id);
    if (!b) return undefined;
    const hit = this.parsed.get(id);
    if (hit && hit.bytes === b) return hit;
    const p = parseCheckpoint(b, `checkpoint ${id}`, this.machine.snapshot.hashes);
    if (this.parsed.size > 64) this.parsed.clear();
    this.parsed.set(id, p);
    return p;
  }

  /** The chain (base first) that ends at checkpoint `idOrName`. */
  chain(idOrName: string): ParsedCheckpoint[] {
    const info = this.find(idOrName);
    if (!info) throw new CheckpointError('not-found', `no checkpoint '${idOrName}'`);
    const tip = this.parsedCheckpoint(info.id);
    if (!tip) throw new CheckpointError('not-found', `no checkpoint '${idOrName}'`);
    return resolveChain(tip, (id) => this.parsedCheckpoint(id));
  }

  /**
   * Restores checkpoint `idOrName` into the running machine. Everything is verified
   * first; on any error the machine is untouched and a CheckpointError says why.
   */
  restore(idOrName: string, opts: { full?: boolean } = {}): RestoreResult {
    const chain = this.chain(idOrName);
    const m = this.machine;
    // By difference when dirty tracking tells which pages can differ (difference.ts);
    // otherwise (or with opts.full) all of RAM.
    const plan = opts.full ? undefined : pagesToRewrite(this.tracker, m.bus.ramSize, chain, (id) => this.parsedCheckpoint(id));
    const r = prepareRestore(m, chain, { pages: plan?.pages }).apply();
    // From now on RAM is followed relative to the restored checkpoint, so that the next
    // restore (and the next incremental) can rely on what changed since.
    if (!this.tracker.active) this.tracker.resetAll({ id: r.id, hash: r.hash });
    this.last = { id: r.id, hash: r.hash, chainLength: chain.length };
    return r;
  }

  /** Differences between two checkpoints (registers, CP0, TLB, devices, pages). */
  diff(a: string, b: string): CheckpointDiff {
    return diffCheckpoints(this.chain(a), this.chain(b));
  }

  delete(idOrName: string): boolean {
    const info = this.find(idOrName);
    if (!info) return false;
    const a = this.memory.delete(info.id);
    const b = this.disk?.delete(info.id) ?? false;
    this.parsed.delete(info.id);
    return a || b;
  }

  /** Length of the chain ending at `id`, as far as memory knows (restore() sets the exact value). */
  private chainLengthOf(id: string): number {
    let n = 0;
    for (let p: string | null = id; p && n < 100000; n++) {
      const info = this.memory.list().find((i) => i.id === p);
      if (!info) return n + 1;
      p = info.parentId;
    }
    return n;
  }

}

export { describeConfig };
