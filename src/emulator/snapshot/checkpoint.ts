// Checkpoints of a whole machine: capture (state of every declared component, the
// console input log, RAM pages), verification and restore. Pure functions over bytes
// in the format of format.ts; where the bytes live (memory, disk) is the caller's
// business (see manager.ts and the CLI's checkpoint-files.ts).
//
// Capture happens between runs, at an instruction boundary. Events due at the current
// instruction count (timer match, device deadlines) are processed first — the run loop
// would do exactly that before the next instruction — so that a restored machine,
// whose event schedule is recomputed from its state, continues identically.
//
// Restore verifies everything before it touches the machine: every file of the chain
// (CRCs, digest, header), the links between them (parent id and hash), the machine
// configuration, every component's state (decoded against the live component) and
// every page record (codecs decoded without output). Only then is RAM rebuilt and
// state assigned; caches (translated blocks, host translation cache) are dropped and
// rebuilt from the restored state.
//
// Restore by difference: a caller that knows which RAM pages can differ from the
// chain's contents (the Checkpointer, from dirty-page tracking: see difference.ts)
// passes them, and only those pages are verified and rewritten; the rest of RAM
// already holds exactly what a full restore would write.

import type { ConsoleInputRecord, Machine } from '../machine';
import { describeBootImage } from '../boot-images';
import { DirtyTracker } from './dirty';
import { isFillPage, lzDecode, PAGE_SHIFT, PAGE_SIZE, PageCodec, PageDecoder } from './compress';
import type { HashProvider } from './digest';
import {
  assembleUnsealed, ByteReader, ByteWriter, CheckpointBuilder, CheckpointError, CheckpointHeader, CheckpointKind, MachineConfig,
  PAGE_SECTION_BYTES, PageRecord, ParsedCheckpoint, SectionInput, UnsealedCheckpoint,
} from './format';
import { decodeInputLog, encodeInputLog } from './input-log';
import { assignState, decodeState, FieldType, saveState, Stateful, StateError, StateSpec, upgradeState } from './state';

export const CHECKPOINT_PRODUCER = 'mips64-studio 0.1.0';

/** The configuration a checkpoint of `m` is tied to. */
export function machineConfig(m: Machine): MachineConfig {
  return {
    board: m.board.name,
    cpu: m.model.name,
    ramBytes: m.bus.ramSize,
    bigEndian: m.options.bigEndian,
    nsPerInsn: m.nsPerInsn,
    options: m.board.guestOptions?.() ?? {},
    images: m.bootImages.map((i) => ({ ...i })),
    ...(m.options.exactTlb ? { exactTlb: true } : {}),
  };
}

export function describeConfig(c: MachineConfig): string {
  return `${c.board} board, CPU ${c.cpu}, ${c.ramBytes / 1048576} MiB RAM, ${c.bigEndian ? 'big' : 'little'}-endian, ${c.nsPerInsn} ns/insn${c.exactTlb ? ', exact TLB' : ''}`;
}

/**
 * How the machine a checkpoint was taken on (`got`) differs from `want`, one phrase per
 * difference (empty: the same machine). Options and images are compared when both record
 * them (older checkpoints have neither); images by role and content hash (not by path).
 */
export function configDifferences(got: MachineConfig, want: MachineConfig): string[] {
  const diffs: string[] = (['board', 'cpu', 'ramBytes', 'bigEndian', 'nsPerInsn'] as const).filter((k) => got[k] !== want[k]);
  if ((got.exactTlb ?? false) !== (want.exactTlb ?? false)) {
    diffs.push(`TLB (${got.exactTlb ? 'exact' : 'with victim entries'} in the checkpoint, ${want.exactTlb ? 'exact' : 'with victim entries'} here)`);
  }
  if (got.options && want.options) {
    for (const k of new Set([...Object.keys(got.options), ...Object.keys(want.options)])) {
      const a = got.options[k], b = want.options[k];
      if (a !== b) diffs.push(`${k} (${JSON.stringify(a)} in the checkpoint, ${JSON.stringify(b)} here)`);
    }
  }
  if (got.images?.length && want.images?.length) {
    for (const role of new Set([...got.images, ...want.images].map((i) => i.role))) {
      const a = got.images.find((i) => i.role === role), b = want.images.find((i) => i.role === role);
      if (a?.sha256 !== b?.sha256) diffs.push(`${role} image (${a ? describeBootImage(a) : 'none'} in the checkpoint, ${b ? describeBootImage(b) : 'none'} here)`);
    }
  }
  return diffs;
}

export { newCheckpointId } from './context';

// ---- capture ---------------------------------------------------------------------------------

export interface CaptureOptions {
  kind: CheckpointKind;
  name?: string;
  id?: string;
  /** For an incremental: the checkpoint it continues. */
  parent?: { id: string; hash: string };
  /** For an incremental: the RAM pages written since the parent (DirtyTracker.dirtyPages()). */
  pages?: Uint32Array;
  /** Wall-clock time to record (default Date.now()). */
  wallTimeMs?: number;
}

export interface EncodedCheckpoint {
  readonly bytes: Uint8Array;
  readonly hash: string;
  readonly header: CheckpointHeader;
}

/** Takes a checkpoint of `m` (between runs). The machine is not changed beyond processing due events. */
export function captureCheckpoint(m: Machine, opts: CaptureOptions): EncodedCheckpoint {
  const { header, file } = captureUnsealed(m, opts, m.snapshot.hashes);
  return { ...file.seal(), header };
}

/**
 * captureCheckpoint on every host: where the only SHA-256 is WebCrypto's (asynchronous),
 * the machine's state is captured at once (before this returns its promise) and the file
 * is sealed with its hashes when they are ready. `hashes`: default the machine's.
 */
export async function captureCheckpointAsync(m: Machine, opts: CaptureOptions, hashes: HashProvider = m.snapshot.hashes): Promise<EncodedCheckpoint> {
  const { header, file } = captureUnsealed(m, opts, hashes);
  return { ...await file.sealAsync(), header };
}

/** The checkpoint file of `m` up to END! (its content hash in progress). */
function captureUnsealed(m: Machine, opts: CaptureOptions, hashes: HashProvider): { header: CheckpointHeader; file: UnsealedCheckpoint } {
  const cpu = m.cpu;
  if (cpu.jitBlk) throw new CheckpointError('state', 'cannot take a checkpoint while a translated block is executing');
  if (m.poweredOff) throw new CheckpointError('state', `the machine has powered off (exit code ${m.exitCode}): there is nothing to continue from`);
  if (opts.kind === 'incremental' && (!opts.parent || !opts.pages)) {
    throw new CheckpointError('parent', 'an incremental checkpoint needs its parent and the pages written since');
  }
  // Process events due now, as the run loop would before the next instruction.
  if (cpu.icount >= cpu.nextEvent) cpu.hooks.onEvent(cpu);

  const comps = m.stateComponents();
  const names = new Set<string>();
  for (const c of comps) {
    if (names.has(c.stateSpec.name)) throw new CheckpointError('state', `two components are named '${c.stateSpec.name}'`);
    names.add(c.stateSpec.name);
  }
  const stat = encodeStates(comps);
  const inpt = encodeInputLog(m.inputLog);
  const wallTimeMs = opts.wallTimeMs ?? Date.now();
  const id = opts.id ?? m.snapshot.newId(wallTimeMs);
  const makeHeader = (count: number): CheckpointHeader => ({
    format: 'mips64-studio-checkpoint',
    id,
    name: opts.name ?? id,
    kind: opts.kind,
    parentId: opts.kind === 'incremental' ? opts.parent!.id : null,
    parentHash: opts.kind === 'incremental' ? opts.parent!.hash : null,
    wallTimeMs,
    created: new Date(wallTimeMs).toISOString(),
    icount: cpu.icount,
    virtualNs: m.now(),
    machine: machineConfig(m),
    components: comps.map((c) => ({ name: c.stateSpec.name, version: c.stateSpec.version })),
    pageSize: PAGE_SIZE,
    pages: count,
    inputEvents: m.inputLog.length,
    producer: CHECKPOINT_PRODUCER,
  });
  if (opts.kind === 'incremental') {
    // Every listed page has a record, so the header is known before the pages are encoded.
    const header = makeHeader(opts.pages!.length);
    return { header, file: buildIncremental(m, header, stat, inpt, opts.pages!, hashes) };
  }
  const { sections, count } = encodeAllPages(m);
  const header = makeHeader(count);
  const file = assembleUnsealed(header, [
    { tag: 'STAT', pieces: [stat] },
    { tag: 'INPT', pieces: [inpt] },
    ...sections,
  ], hashes);
  return { header, file };
}

function encodeStates(comps: readonly Stateful[]): Uint8Array {
  const w = new ByteWriter(4096);
  w.u32(comps.length);
  for (const c of comps) {
    w.str(c.stateSpec.name);
    w.u32(c.stateSpec.version);
    w.str(JSON.stringify(c.stateSpec.fields));
    const b = saveState(c);
    w.u32(b.length);
    w.raw(b);
  }
  return w.bytes().slice();
}

/**
 * Page records of every non-zero page, for a full checkpoint (whose size is not known
 * beforehand). Raw pages are not copied here: their section pieces are views of RAM,
 * read by assembleCheckpoint (the one copy into the file) before the
 * caller returns — RAM must not change in between.
 */
function encodeAllPages(m: Machine): { sections: SectionInput[]; count: number } {
  const ram = m.bus.ram, ram32 = m.bus.ram32, compressor = m.snapshot.compressor;
  const total = ram.length >>> PAGE_SHIFT;
  // A section's writer holds record headers and compressed pages (Raw pages stay in RAM
  // until assembly). It starts small and grows as needed: a section of Raw pages holds
  // only their 5-byte headers, and allocating (zeroing) 8 MiB per section cost ~10 % of
  // a full capture. (Pieces cut before a growth keep viewing the old buffer: still valid.)
  const cap = 64 << 10;
  const sections: SectionInput[] = [];
  let w = new ByteWriter(cap);
  let pieces: Uint8Array[] = [];
  let from = 0; // writer bytes [from, w.n) are not in `pieces` yet
  let size = 0; // bytes of the current section in `pieces`
  let count = 0;
  let first = -1, last = 0; // page range of the current section
  const cut = (): void => {
    if (w.n > from) { pieces.push(w.buf.subarray(from, w.n)); size += w.n - from; from = w.n; }
  };
  const one = (p: number): void => {
    const off = p << PAGE_SHIFT;
    if (isFillPage(ram32, off >>> 2)) {
      if (ram32[off >>> 2] === 0) return; // restore clears RAM first
      w.u32(p); w.u8(PageCodec.Fill); w.raw(ram.subarray(off, off + 4));
    } else {
      const n = compressor.wordsLookIncompressible(ram32, off >>> 2) ? -1 : compressor.lz(ram, off);
      if (n < 0) {
        w.u32(p); w.u8(PageCodec.Raw);
        cut();
        pieces.push(ram.subarray(off, off + PAGE_SIZE));
        size += PAGE_SIZE;
      } else {
        w.u32(p); w.u8(PageCodec.Lz); w.u16(n); w.raw(compressor.out.subarray(0, n));
      }
    }
    count++;
    if (first < 0) first = p;
    last = p;
    if (size + w.n - from >= PAGE_SECTION_BYTES) {
      cut();
      sections.push({ tag: 'PAGE', pieces, first, last });
      first = -1;
      pieces = [];
      size = 0;
      w = new ByteWriter(cap);
      from = 0;
    }
  };
  for (let p = 0; p < total; p++) one(p);
  cut();
  if (size > 0) sections.push({ tag: 'PAGE', pieces, first, last });
  return { sections, count };
}

/** Longest page record: u32 page, u8 codec, 4096 bytes (an Lz record is always shorter). */
const MAX_RECORD = 5 + PAGE_SIZE;

/**
 * An incremental checkpoint written in one pass: each listed page is classified
 * (Zero, Fill, incompressible → Raw, else LZ when shorter) and its record written
 * straight into the file while the page is still in the cache. Same records and section
 * boundaries as encodeAllPages; each PAGE section's header names its page range.
 */
function buildIncremental(m: Machine, header: CheckpointHeader, stat: Uint8Array, inpt: Uint8Array, pages: Uint32Array, hashes: HashProvider): UnsealedCheckpoint {
  const ram = m.bus.ram, ram32 = m.bus.ram32, compressor = m.snapshot.compressor;
  const total = ram.length >>> PAGE_SHIFT;
  for (let i = 0; i < pages.length; i++) {
    if (pages[i] >= total) throw new CheckpointError('state', `page ${pages[i]} is outside RAM`);
  }
  const head = new TextEncoder().encode(JSON.stringify(header));
  const pageBytes = pages.length * MAX_RECORD;
  const b = new CheckpointBuilder(head.length + stat.length + inpt.length + pageBytes, 4 + Math.ceil(pageBytes / PAGE_SECTION_BYTES), hashes);
  b.begin('HEAD'); b.bytes(head); b.end();
  b.begin('STAT'); b.bytes(stat); b.end();
  b.begin('INPT'); b.bytes(inpt); b.end();
  const out = b.out;
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let open = false;
  let first = 0, last = 0; // page range of the open section
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i];
    if (!open) { b.begin('PAGE'); open = true; first = p; last = p; }
    if (p < first) first = p;
    if (p > last) last = p;
    b.reserve(MAX_RECORD);
    let o = b.at;
    const off = p << PAGE_SHIFT, w0 = off >>> 2;
    dv.setUint32(o, p, true);
    // Most pages differ in their first two words: only those that do not are scanned.
    if (ram32[w0 + 1] === ram32[w0] && isFillPage(ram32, w0)) {
      if (ram32[w0] === 0) {
        out[o + 4] = PageCodec.Zero;
        o += 5;
      } else {
        out[o + 4] = PageCodec.Fill;
        for (let k = 0; k < 4; k++) out[o + 5 + k] = ram[off + k];
        o += 9;
      }
    } else {
      const n = compressor.wordsLookIncompressible(ram32, w0) ? -1 : compressor.lz(ram, off);
      if (n < 0) {
        out[o + 4] = PageCodec.Raw;
        out.set(ram.subarray(off, off + PAGE_SIZE), o + 5);
        o += 5 + PAGE_SIZE;
      } else {
        out[o + 4] = PageCodec.Lz;
        dv.setUint16(o + 5, n, true);
        out.set(compressor.out.subarray(0, n), o + 7);
        o += 7 + n;
      }
    }
    b.at = o;
    if (b.sectionLength >= PAGE_SECTION_BYTES) { b.end(first, last); open = false; }
  }
  if (open) b.end(first, last);
  return b.finishUnsealed();
}

// ---- reading the sections ------------------------------------------------------------------------

export interface StoredComponent {
  name: string;
  version: number;
  spec: StateSpec;
  bytes: Uint8Array;
}

const FIELD_TYPES: ReadonlySet<string> = new Set<FieldType>([
  'u8', 'u16', 'u32', 'i32', 'f64', 'bool', 'u64', 'str', 'i32array', 'u8array', 'f64array', 'bytes',
]);

function sectionOf(p: ParsedCheckpoint, tag: string): Uint8Array {
  const s = p.sections.find((x) => x.tag === tag);
  if (!s) throw new CheckpointError('corrupt', `checkpoint ${p.header.id}: no ${tag} section`);
  return p.payload(s);
}

/** The component states stored in a checkpoint, with their self-described specs. */
export function readComponents(p: ParsedCheckpoint): StoredComponent[] {
  const what = `checkpoint ${p.header.id}: component states`;
  const r = new ByteReader(sectionOf(p, 'STAT'), what);
  const n = r.u32();
  if (n > 100000) throw new CheckpointError('corrupt', `${what}: ${n} components`);
  const out: StoredComponent[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const name = r.str();
    const version = r.u32();
    let fields: unknown;
    try { fields = JSON.parse(r.str()); } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError('corrupt', `${what}: the field list of '${name}' is not valid JSON`);
    }
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)
      || !Object.values(fields).every((t) => typeof t === 'string' && FIELD_TYPES.has(t))) {
      throw new CheckpointError('corrupt', `${what}: the field list of '${name}' is invalid`);
    }
    if (seen.has(name)) throw new CheckpointError('corrupt', `${what}: '${name}' appears twice`);
    seen.add(name);
    const len = r.u32();
    out.push({ name, version, spec: { name, version, fields: fields as Record<string, FieldType> }, bytes: r.raw(len) });
  }
  if (!r.atEnd) throw new CheckpointError('corrupt', `${what}: trailing bytes`);
  return out;
}

/** The console input log stored in a checkpoint. */
export function readInputLog(p: ParsedCheckpoint): ConsoleInputRecord[] {
  const log = decodeInputLog(sectionOf(p, 'INPT'), `checkpoint ${p.header.id}`);
  if (log.length !== p.header.inputEvents) {
    throw new CheckpointError('corrupt', `checkpoint ${p.header.id}: input log has ${log.length} entries, the header says ${p.header.inputEvents}`);
  }
  return log;
}

export type { PageRecord };

/**
 * Walks the page records of one checkpoint, checking each (page in range, codec known,
 * LZ stream well-formed), calling `visit` for each. Returns the number of records.
 */
export function walkPages(p: ParsedCheckpoint, ramPages: number, visit?: (r: PageRecord) => void, checkLz = true): number {
  const what = `checkpoint ${p.header.id}: pages`;
  let count = 0;
  for (const s of p.sections) {
    if (s.tag !== 'PAGE') continue;
    const b = p.bytes;
    const end = s.offset + s.length;
    let o = s.offset;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    while (o < end) {
      if (end - o < 5) throw new CheckpointError('corrupt', `${what}: record cut short at byte ${o}`);
      const page = dv.getUint32(o, true);
      const codec = b[o + 4] as PageCodec;
      o += 5;
      if (page >= ramPages) throw new CheckpointError('corrupt', `${what}: page ${page} is outside the ${ramPages}-page RAM`);
      let at = o, length: number;
      switch (codec) {
        case PageCodec.Zero: length = 0; break;
        case PageCodec.Fill: length = 4; break;
        case PageCodec.Raw: length = PAGE_SIZE; break;
        case PageCodec.Lz:
          if (end - o < 2) throw new CheckpointError('corrupt', `${what}: record cut short at byte ${o}`);
          length = dv.getUint16(o, true);
          at = o + 2;
          o += 2;
          break;
        default: throw new CheckpointError('corrupt', `${what}: unknown page encoding ${codec as number} at byte ${o - 1}`);
      }
      if (end - o < length) throw new CheckpointError('corrupt', `${what}: record for page ${page} cut short`);
      if (checkLz && codec === PageCodec.Lz && !lzDecode(b, at, at + length, undefined, 0)) {
        throw new CheckpointError('corrupt', `${what}: compressed data of page ${page} is malformed`);
      }
      o += length;
      count++;
      visit?.({ page, codec, at, length });
    }
  }
  if (count !== p.header.pages) throw new CheckpointError('corrupt', `${what}: ${count} page records, the header says ${p.header.pages}`);
  return count;
}

/**
 * Writes one page record's 4096 bytes at dst[dp]. The record must have been checked by
 * walkPages. Page after page: pass one PageDecoder (it keeps its views of the buffers).
 */
export function decodePage(b: Uint8Array, r: PageRecord, dst: Uint8Array, dp: number, decoder?: PageDecoder): void {
  switch (r.codec) {
    case PageCodec.Zero: dst.fill(0, dp, dp + PAGE_SIZE); return;
    case PageCodec.Fill:
      dst.set(b.subarray(r.at, r.at + 4), dp);
      for (let k = 4; k < PAGE_SIZE; k *= 2) dst.copyWithin(dp + k, dp, dp + k);
      return;
    case PageCodec.Raw: dst.set(b.subarray(r.at, r.at + PAGE_SIZE), dp); return;
    case PageCodec.Lz:
      if (!(decoder ? decoder.decode(b, r.at, r.at + r.length, dst, dp) : lzDecode(b, r.at, r.at + r.length, dst, dp))) throw new CheckpointError('corrupt', `page ${r.page}: malformed compressed data`);
  }
}

// ---- chains and verification ---------------------------------------------------------------

/** Checks that `chain` (base first) is a full checkpoint followed by its incrementals, each naming its parent. */
export function verifyChain(chain: readonly ParsedCheckpoint[]): void {
  if (chain.length === 0) throw new CheckpointError('parent', 'empty checkpoint chain');
  const base = chain[0].header;
  if (base.kind !== 'full') {
    throw new CheckpointError('parent', `checkpoint ${base.id} is incremental and its parent ${base.parentId} is missing (the chain has a gap)`);
  }
  for (let i = 1; i < chain.length; i++) {
    const h = chain[i].header, parent = chain[i - 1];
    if (h.kind !== 'incremental') throw new CheckpointError('parent', `checkpoint ${h.id} is full but is used as an incremental of ${parent.header.id}`);
    if (h.parentId !== parent.header.id) {
      throw new CheckpointError('parent', `checkpoint ${h.id} continues ${h.parentId}, not ${parent.header.id} (the chain has a gap)`);
    }
    if (h.parentHash !== parent.hash) {
      throw new CheckpointError('parent', `checkpoint ${h.id}: its parent ${parent.header.id} has changed since it was taken (hash ${parent.hash.slice(0, 16)}…, expected ${h.parentHash!.slice(0, 16)}…)`);
    }
    const a = JSON.stringify(h.machine), b = JSON.stringify(parent.header.machine);
    if (a !== b) throw new CheckpointError('machine', `checkpoint ${h.id} and its parent ${parent.header.id} are for different machines`);
  }
}

/**
 * Resolves the chain ending at `tip` (base first) by looking parents up with `lookup`
 * (id → parsed checkpoint, or undefined). A missing parent is a 'parent' error.
 */
export function resolveChain(tip: ParsedCheckpoint, lookup: (id: string) => ParsedCheckpoint | undefined): ParsedCheckpoint[] {
  const chain = [tip];
  const seen = new Set([tip.header.id]);
  let cur = tip;
  while (cur.header.kind === 'incremental') {
    const pid = cur.header.parentId!;
    if (seen.has(pid)) throw new CheckpointError('parent', `checkpoint chain of ${tip.header.id} loops at ${pid}`);
    const p = lookup(pid);
    if (!p) {
      throw new CheckpointError('parent', `checkpoint ${cur.header.id} ('${cur.header.name}') needs its parent ${pid}, which cannot be found (the chain has a gap)`);
    }
    if (p.header.id !== pid) throw new CheckpointError('parent', `looking for checkpoint ${pid}, found ${p.header.id}`);
    seen.add(pid);
    chain.unshift(p);
    cur = p;
  }
  verifyChain(chain);
  return chain;
}

export interface RestoreResult {
  id: string;
  hash: string;
  name: string;
  kind: CheckpointKind;
  icount: number;
  /** Number of files in the chain that were applied (1 for a full checkpoint). */
  chainLength: number;
  /** Page records applied over the whole chain (full restore), or pages rewritten (by difference). */
  pagesApplied: number;
  /** Whether only the pages that could differ were rewritten (see RestoreOptions.pages). */
  byDifference: boolean;
  /** The input log as it was at the checkpoint (now the machine's inputLog). */
  inputLog: ConsoleInputRecord[];
}

export interface PreparedRestore {
  readonly chain: readonly ParsedCheckpoint[];
  /** Applies the verified checkpoint to the machine (cannot fail on checkpoint contents). */
  apply(): RestoreResult;
}

export interface RestoreOptions {
  /**
   * Restore by difference: the only RAM pages that may differ from the chain's contents
   * (every page not listed must already hold exactly what the chain describes — the
   * caller's guarantee). Only these are verified and rewritten. Omitted: all of RAM.
   */
  pages?: ArrayLike<number>;
}

/**
 * Verifies that `chain` (base first, as from resolveChain) can be restored into `m`,
 * without changing `m`. Throws CheckpointError with a clear message otherwise.
 */
export function prepareRestore(m: Machine, chain: readonly ParsedCheckpoint[], opts: RestoreOptions = {}): PreparedRestore {
  if (m.cpu.jitBlk) throw new CheckpointError('state', 'cannot restore while a translated block is executing (restore between runs)');
  verifyChain(chain);
  const tip = chain[chain.length - 1];
  const want = machineConfig(m);
  for (const p of chain) {
    const got = p.header.machine;
    const diffs = configDifferences(got, want);
    if (diffs.length > 0) {
      throw new CheckpointError('machine', `checkpoint ${p.header.id} is for a different machine (${describeConfig(got)}); `
        + `this machine is ${describeConfig(want)} (differs in ${diffs.join(', ')})`);
    }
  }
  // Component states, decoded against the live components.
  const stored = readComponents(tip);
  const live = m.stateComponents();
  const byName = new Map(stored.map((s) => [s.name, s]));
  const decoded: Array<{ c: Stateful; values: Record<string, unknown> }> = [];
  for (const c of live) {
    const s = byName.get(c.stateSpec.name);
    if (!s) throw new CheckpointError('machine', `checkpoint ${tip.header.id} has no state for component '${c.stateSpec.name}' of this machine`);
    try {
      // Its own version: checked against its spec; an older one: upgraded first (state.ts).
      decoded.push({ c, values: s.version === c.stateSpec.version ? decodeState(c, s.bytes) : upgradeState(c, s.spec, s.bytes) });
    } catch (e) {
      if (e instanceof StateError) throw new CheckpointError(s.version === c.stateSpec.version ? 'state' : 'version', `checkpoint ${tip.header.id}: ${e.message}`);
      throw e;
    }
    byName.delete(c.stateSpec.name);
  }
  if (byName.size > 0) {
    throw new CheckpointError('machine', `checkpoint ${tip.header.id} has state for components this machine lacks: ${[...byName.keys()].join(', ')}`);
  }
  const problem = m.stateProblem(new Map(decoded.map((d) => [d.c.stateSpec.name, d.values])));
  if (problem) throw new CheckpointError('state', `checkpoint ${tip.header.id}: ${problem}`);
  const inputLog = readInputLog(tip);
  const ramPages = m.bus.ramSize >>> PAGE_SHIFT;
  let pagesApplied = 0;
  let sources: Array<{ page: number; file: ParsedCheckpoint | undefined; record: PageRecord | undefined }> | undefined;
  if (opts.pages) {
    // Only the listed pages: each one's latest record in the chain (none: a zero page),
    // its encoding checked now.
    const indexes = chain.map((p) => pageIndex(p, ramPages));
    sources = [];
    for (let i = 0; i < opts.pages.length; i++) {
      const page = opts.pages[i];
      if (!Number.isInteger(page) || page < 0 || page >= ramPages) throw new RangeError(`restore by difference: page ${page} is outside RAM`);
      let file: ParsedCheckpoint | undefined, record: PageRecord | undefined;
      for (let k = chain.length - 1; k >= 0 && !record; k--) {
        record = indexes[k].get(page);
        if (record) file = chain[k];
      }
      if (record && record.codec === PageCodec.Lz && !lzDecode(file!.bytes, record.at, record.at + record.length, undefined, 0)) {
        throw new CheckpointError('corrupt', `checkpoint ${file!.header.id}: pages: compressed data of page ${page} is malformed`);
      }
      sources.push({ page, file, record });
    }
    pagesApplied = sources.length;
  } else {
    for (const p of chain) pagesApplied += walkPages(p, ramPages);
  }

  return {
    chain,
    apply(): RestoreResult {
      const ram = m.bus.ram;
      const decoder = new PageDecoder();
      if (sources) {
        for (const { page, file, record } of sources) {
          const off = page << PAGE_SHIFT;
          if (record) decodePage(file!.bytes, record, ram, off, decoder);
          else ram.fill(0, off, off + PAGE_SIZE);
        }
      } else {
        // Every page a record writes, then zeros in the pages none does (a full checkpoint
        // omits zero pages): RAM is written once, not cleared first.
        const written = new Uint8Array(ramPages);
        for (const p of chain) {
          walkPages(p, ramPages, (r) => { decodePage(p.bytes, r, ram, r.page << PAGE_SHIFT, decoder); written[r.page] = 1; }, false);
        }
        for (let page = 0; page < ramPages;) {
          if (written[page]) { page++; continue; }
          const from = page;
          while (page < ramPages && !written[page]) page++;
          ram.fill(0, from << PAGE_SHIFT, page << PAGE_SHIFT);
        }
      }
      applyStates(m, decoded);
      m.jit?.flush();
      const cpu = m.cpu;
      m.inputLog = inputLog.slice();
      const h = tip.header;
      // Other dirty trackers (the time-travel recorder's) see the rewritten pages as written.
      DirtyTracker.noteRewritten(m, sources?.map((x) => x.page), DirtyTracker.existing(m));
      DirtyTracker.existing(m)?.restarted({ id: h.id, hash: tip.hash });
      m.recorder?.discontinuity();
      const result: RestoreResult = {
        id: h.id, hash: tip.hash, name: h.name, kind: h.kind, icount: cpu.icount, chainLength: chain.length, pagesApplied,
        byDifference: sources !== undefined, inputLog,
      };
      const message = `--- restored checkpoint '${h.name}' (${h.id}) at instruction ${h.icount} ---`;
      m.events.emit('checkpoint', { action: 'restored', id: h.id, hash: tip.hash, name: h.name, kind: h.kind, icount: h.icount, message });
      m.events.emit('log', { level: 'info', message });
      return result;
    },
  };
}

/**
 * Assigns decoded component states to a machine and rebuilds what derives from them (the
 * CPU's interrupt inputs, re-driven by the devices; its modes, host translation cache
 * and timer schedule). Translated code is the caller's business (RAM may have changed).
 */
export function applyStates(m: Machine, decoded: ReadonlyArray<{ c: Stateful; values: Record<string, unknown> }>): void {
  for (const d of decoded) assignState(d.c, d.values);
  m.cpu.ipLines = 0;
  for (const d of decoded) d.c.afterRestore?.();
  const cpu = m.cpu;
  cpu.jitBlk = undefined;
  cpu.brState = 0;
  cpu.afterStateChange();
  cpu.nextEvent = cpu.icount;
}

/** Verifies, then restores `chain` (base first) into `m`. */
export function restoreCheckpoint(m: Machine, chain: readonly ParsedCheckpoint[], opts: RestoreOptions = {}): RestoreResult {
  return prepareRestore(m, chain, opts).apply();
}

/**
 * The page records of one checkpoint by page number (a page listed twice: its last
 * record, the one a full decode leaves in RAM). Record framing, page numbers and the
 * header's count are checked (walkPages); LZ streams are not. Kept with the parsed
 * checkpoint (whose bytes are immutable): ParsedCheckpoint.derived.
 */
export function pageIndex(p: ParsedCheckpoint, ramPages: number): ReadonlyMap<number, PageRecord> {
  const hit = p.derived.pageIndex;
  if (hit && hit.ramPages === ramPages) return hit.index;
  const index = new Map<number, PageRecord>();
  walkPages(p, ramPages, (r) => index.set(r.page, r), false);
  p.derived.pageIndex = { ramPages, index };
  return index;
}

/** RAM contents of a chain as one buffer (tests, tools). */
export function materializeRam(chain: readonly ParsedCheckpoint[]): Uint8Array {
  verifyChain(chain);
  const ramBytes = chain[0].header.machine.ramBytes;
  const ram = new Uint8Array(ramBytes);
  const decoder = new PageDecoder();
  for (const p of chain) walkPages(p, ramBytes >>> PAGE_SHIFT, (r) => decodePage(p.bytes, r, ram, r.page << PAGE_SHIFT, decoder));
  return ram;
}
