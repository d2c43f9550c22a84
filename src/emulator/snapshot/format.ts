// The checkpoint file format (version 4; version 3 is read too, older ones are refused:
// see checkPreamble).
// One format serves checkpoints kept in memory and files on disk, so both are verified
// the same way before a restore.
//
//   offset 0   magic "MIPS64CK" (8 bytes)
//   offset 8   u32 format version (4)
//   offset 12  sections, each: tag (4 ASCII bytes), u32 payload length,
//              u32 CRC-32 of the payload (0 in PAGE sections, see below), payload
//
// All integers are little-endian. Sections, in order:
//
//   HEAD  the header, UTF-8 JSON (CheckpointHeader): what machine it is for (board,
//         CPU model, RAM size, endianness, ns per instruction), the guest instruction
//         count and virtual time, wall time, name, id, kind (full or incremental) and,
//         for an incremental, the parent's id and hash; the list of components.
//   STAT  component states: u32 count, then per component: name (u32 length + UTF-8),
//         u32 state version, its StateSpec fields as JSON (name → type; the state is
//         readable without a machine), u32 length + the saveState bytes.
//   INPT  the machine's console input log: u32 count, then per entry f64 instruction
//         count, u32 length, bytes.
//   PAGE  (zero or more, ≤ 8 MiB each) RAM pages: records of u32 page number (RAM
//         offset / 4096), u8 codec, codec data — Zero: none; Fill: the 4 bytes of the
//         repeated word as they are in RAM; Lz: u16 length + word-LZ stream; Raw:
//         4096 bytes (see compress.ts). A full checkpoint lists every non-zero page; an
//         incremental lists the pages written since its parent (Zero included).
//   END!  u32 number of sections before it, then the content hash: the SHA-256 of every
//         byte of the file before END! — the 12-byte preamble, then each section's
//         payload followed by its 12-byte header (tag, length, CRC: a section's CRC is
//         known once its payload went by, so writers and readers hash in one pass). The
//         hash is the checkpoint's identity: an incremental names its parent by id and
//         hash, so a parent changed in any byte (even with its CRCs made to match) no
//         longer is that parent. Nothing may follow END!.
//
// The CRC-32s only say where a file that fails its content hash is damaged. Version 4
// leaves them out of the PAGE sections (nearly all of a file's bytes): the hash proves
// those bytes anyway, and a CRC pass over them cost a third of a full capture. Damage
// in HEAD, STAT, INPT or END! is still located by section; damage elsewhere is reported
// as a content hash mismatch. (Version 3 had a CRC in every section; its files are read
// the same way.)
//
// A reader checks the magic, the version, every section's bounds, the END! count and
// content hash (which proves every CRC: they are computed only to locate the damage in
// a file that fails it) and the header's fields before anything uses the contents; a
// truncated or altered file is refused with the offset and the reason. (Version 2's
// hash covered only the header and the section CRCs: a file altered with CRC-preserving
// bytes kept its identity. Version 2 files are refused.)

import { crc32 } from './crc32';
import { Digest, HashImplementation, sha256, toHex } from './digest';
import type { PageCodec } from './compress';
import { BOOT_IMAGE_ROLES, type BootImage } from '../boot-images';

export const CHECKPOINT_MAGIC = 'MIPS64CK';
export const CHECKPOINT_FORMAT_VERSION = 4;
/** Versions this build reads: 3 differs only in carrying CRC-32s in its PAGE sections. */
const READABLE_VERSIONS: readonly number[] = [3, 4];
export const CHECKPOINT_EXTENSION = '.m64cp';
/** Uncompressed-payload size at which a PAGE section is closed and another started. */
export const PAGE_SECTION_BYTES = 8 << 20;

export type CheckpointKind = 'full' | 'incremental';

/** What a checkpoint can be restored into: a machine built the same way. */
export interface MachineConfig {
  board: string;
  cpu: string;
  ramBytes: number;
  bigEndian: boolean;
  nsPerInsn: number;
  /**
   * The board's options that change what the guest sees, resolved (Board.guestOptions: on
   * Malta the kernel command line, RTC epoch and poll skip, RNG seed, UART timing). Absent
   * in checkpoints written before it was recorded (then not compared).
   */
  options?: Record<string, string | number | boolean>;
  /** The images a reset boots from again: paths and SHA-256 (boot-images.ts); absent as options. */
  images?: BootImage[];
  /** The hardware-exact TLB (MachineOptions.exactTlb); absent: the default TLB with victim entries. */
  exactTlb?: boolean;
}

export interface CheckpointHeader {
  format: 'mips64-studio-checkpoint';
  id: string;
  name: string;
  kind: CheckpointKind;
  parentId: string | null;
  parentHash: string | null;
  /** Wall-clock time of capture (ms since 1970) and the same as ISO 8601. */
  wallTimeMs: number;
  created: string;
  /** Guest instructions executed (the virtual clock) and virtual time in ns. */
  icount: number;
  virtualNs: number;
  machine: MachineConfig;
  components: Array<{ name: string; version: number }>;
  pageSize: number;
  /** Page records in this file. */
  pages: number;
  /** Entries of the machine's console input log at capture. */
  inputEvents: number;
  producer: string;
}

/** Thrown for anything wrong with a checkpoint; the message says what and where. */
export class CheckpointError extends Error {
  constructor(
    readonly code: 'corrupt' | 'version' | 'machine' | 'parent' | 'budget' | 'io' | 'not-found' | 'state',
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface Section {
  tag: string;
  /** Offset of the payload in the file. */
  offset: number;
  length: number;
  /** The section's CRC-32 (undefined: a version 4 PAGE section, which has none). */
  crc: number | undefined;
}

/** Whether a section carries a CRC-32 in files of format `version`. */
const hasCrc = (tag: string, version: number): boolean => version < 4 || tag !== 'PAGE';

export interface ParsedCheckpoint {
  readonly bytes: Uint8Array;
  readonly header: CheckpointHeader;
  readonly sections: readonly Section[];
  /** Hex SHA-256 identity digest (END!). */
  readonly hash: string;
  payload(s: Section): Uint8Array;
  /** What users derive from the (immutable) bytes, kept with them: the page index (checkpoint.ts pageIndex). */
  readonly derived: { pageIndex?: { ramPages: number; index: ReadonlyMap<number, PageRecord> } };
}

/** A page record's place in a checkpoint file. */
export interface PageRecord {
  page: number;
  codec: PageCodec;
  /** Offset of the codec data in the file's bytes, and its length. */
  at: number;
  length: number;
}

const TAG_RE = /^[A-Z!]{4}$/;
/** UTF-8 text of a header or name (invalid UTF-8 throws). */
const decodeUtf8 = (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(b);

// ---- writing --------------------------------------------------------------------------

/** A section payload given as one or more pieces (written back to back). */
export interface SectionInput { tag: string; pieces: Uint8Array[] }

/** Bytes copied into the file before the CRC and the hash catch up with them (well within L2). */
const CRC_CHUNK = 256 << 10;

/** Feeds `b` to the content hash and continues a CRC over it (`crc` undefined: none, see hasCrc), while it is in the cache. */
function checksum(b: Uint8Array, crc: number | undefined, h: Digest | undefined): number | undefined {
  h?.update(b);
  return crc === undefined ? undefined : crc32(b, crc);
}

function writePreamble(out: Uint8Array): void {
  for (let k = 0; k < 8; k++) out[k] = CHECKPOINT_MAGIC.charCodeAt(k);
  new DataView(out.buffer, out.byteOffset, 12).setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
}
/**
 * How far ahead of the write position CheckpointBuilder touches its buffer (one store
 * per 4 KiB). A new buffer is fresh memory whose pages the kernel maps on first write;
 * taking those faults in a tight loop of stores, a chunk ahead, is cheaper than taking
 * them inside the many page-sized copies that follow (64 MiB of incompressible pages:
 * ~35 ms instead of ~47 ms on the machine this was measured on). The stored bytes are
 * zeros at offsets the builder has not written yet, so the file is unaffected.
 */
const TOUCH_AHEAD = 256 << 10;

/**
 * A checkpoint file written up to END!, whose content hash is being computed: seal()
 * writes END! with the digest (from `digest`: at once with node:crypto, asynchronously
 * with WebCrypto, see digest.ts).
 */
export interface UnsealedCheckpoint {
  readonly digest: Digest;
  seal(digest: Uint8Array): { bytes: Uint8Array; hash: string };
}

/**
 * Assembles a checkpoint file: preamble, HEAD, the given sections, END!. The pieces are
 * copied into the file once, and each section's CRC is computed over its copy in the
 * file, a chunk at a time right after the chunk was copied (one pass over the source).
 */
export function assembleCheckpoint(header: CheckpointHeader, sections: readonly SectionInput[]): { bytes: Uint8Array; hash: string } {
  const u = assembleUnsealed(header, sections);
  return u.seal(u.digest.digest());
}

/** assembleCheckpoint, but END! waits for seal() (`impl`: the SHA-256 to use). */
export function assembleUnsealed(header: CheckpointHeader, sections: readonly SectionInput[], impl?: HashImplementation): UnsealedCheckpoint {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const all: SectionInput[] = [{ tag: 'HEAD', pieces: [head] }, ...sections];
  const lens = all.map((s) => {
    let len = 0;
    for (const p of s.pieces) len += p.length;
    if (len > 0xffffffff) throw new CheckpointError('corrupt', `section ${s.tag} is too large (${len} bytes)`);
    return len;
  });
  const END_LENGTH = 4 + 32;
  let total = 12 + 12 + END_LENGTH;
  for (const len of lens) total += 12 + len;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  // Fresh memory: its pages are touched a chunk ahead of the copies (see TOUCH_AHEAD),
  // at offsets from the write position `at` on (nothing is written there yet).
  let touched = 0;
  const touch = (at: number, need: number): void => {
    const to = Math.min(total, need + TOUCH_AHEAD);
    for (let i = Math.max(touched, at); i < to; i += 4096) out[i] = 0;
    touched = to;
  };
  writePreamble(out);
  const hash = sha256(impl);
  hash.update(out.subarray(0, 12));
  let o = 12;
  const putSection = (tag: string, len: number, pieces: readonly Uint8Array[], h: Digest | undefined): void => {
    for (let k = 0; k < 4; k++) out[o + k] = tag.charCodeAt(k);
    dv.setUint32(o + 4, len, true);
    const at = o + 12;
    // The CRC and the hash follow the copy a chunk behind, over bytes still in the cache.
    let q = at, from = at, crc = hasCrc(tag, CHECKPOINT_FORMAT_VERSION) ? 0 : undefined;
    for (const p of pieces) {
      if (q + p.length > touched) touch(q, q + p.length);
      out.set(p, q);
      q += p.length;
      if (q - from >= CRC_CHUNK) { crc = checksum(out.subarray(from, q), crc, h); from = q; }
    }
    crc = checksum(out.subarray(from, q), crc, h);
    dv.setUint32(o + 8, crc ?? 0, true);
    h?.update(out.subarray(o, at));
    o = q;
  };
  all.forEach((s, i) => { putSection(s.tag, lens[i], s.pieces, hash); });
  return {
    digest: hash,
    seal: (digest) => {
      const end = new Uint8Array(END_LENGTH);
      new DataView(end.buffer).setUint32(0, all.length, true);
      end.set(digest, 4);
      putSection('END!', END_LENGTH, [end], undefined);
      if (o !== total) throw new Error(`assembleCheckpoint: wrote ${o} of ${total} bytes`);
      return { bytes: out, hash: toHex(digest) };
    },
  };
}

/**
 * Writes a checkpoint file front to back into one buffer of a known maximum size, for
 * callers that produce section payloads in place (an incremental's pages are copied
 * from RAM straight into the file, and checksummed there while still in the cache).
 * Same layout and checks as assembleCheckpoint: begin(tag), write payload bytes at
 * `at` through reserve(n), end(); then finish() adds END! and returns the file.
 */
export class CheckpointBuilder {
  readonly out: Uint8Array;
  private readonly dv: DataView;
  /** Write position. */
  at = 12;
  /** Offsets below this have been touched (see TOUCH_AHEAD). */
  private touched = 0;
  /** Sections written (END! excluded). */
  private sections = 0;
  private open: { tag: string; start: number; from: number; crc: number | undefined } | undefined;
  /** The content hash, fed as the payloads are written (undefined while END! is written). */
  private hash: Digest | undefined;

  /** `impl`: the SHA-256 to use (default: the platform's, digest.ts). */
  constructor(maxPayloadBytes: number, maxSections: number, impl?: HashImplementation) {
    this.hash = sha256(impl);
    this.out = new Uint8Array(12 + (maxSections + 1) * 12 + 36 + maxPayloadBytes);
    this.dv = new DataView(this.out.buffer);
    writePreamble(this.out);
    this.hash!.update(this.out.subarray(0, 12));
  }

  begin(tag: string): void {
    if (this.open) throw new Error(`CheckpointBuilder: section ${this.open.tag} is still open`);
    if (this.sections === 0 && tag !== 'HEAD') throw new Error('CheckpointBuilder: HEAD comes first');
    this.reserve(12);
    for (let k = 0; k < 4; k++) this.out[this.at + k] = tag.charCodeAt(k);
    this.at += 12;
    this.open = { tag, start: this.at, from: this.at, crc: hasCrc(tag, CHECKPOINT_FORMAT_VERSION) ? 0 : undefined };
  }

  /** Makes room for n more payload bytes at `at` (the caller writes them and advances `at`). */
  reserve(n: number): void {
    const need = this.at + n;
    if (need > this.out.length) throw new RangeError(`CheckpointBuilder: ${n} more bytes exceed the ${this.out.length}-byte buffer`);
    if (need > this.touched) this.touch(need);
    const s = this.open;
    // Checksum and hash what was written since, while it is still in the cache.
    if (s && this.at - s.from >= CRC_CHUNK) { s.crc = checksum(this.out.subarray(s.from, this.at), s.crc, this.hash); s.from = this.at; }
  }

  /** Touches the buffer from `touched` to TOUCH_AHEAD past `need`: a store of 0 per 4 KiB, at offsets not written yet. */
  private touch(need: number): void {
    const out = this.out, to = Math.min(out.length, need + TOUCH_AHEAD);
    for (let i = Math.max(this.touched, this.at); i < to; i += 4096) out[i] = 0;
    this.touched = to;
  }

  bytes(b: Uint8Array): void { this.reserve(b.length); this.out.set(b, this.at); this.at += b.length; }

  /** Payload bytes of the open section so far. */
  get sectionLength(): number { return this.open ? this.at - this.open.start : 0; }

  end(): void {
    const s = this.open;
    if (!s) throw new Error('CheckpointBuilder: no open section');
    const len = this.at - s.start;
    if (len > 0xffffffff) throw new CheckpointError('corrupt', `section ${s.tag} is too large (${len} bytes)`);
    const crc = checksum(this.out.subarray(s.from, this.at), s.crc, this.hash);
    this.dv.setUint32(s.start - 8, len, true);
    this.dv.setUint32(s.start - 4, crc ?? 0, true);
    this.hash?.update(this.out.subarray(s.start - 12, s.start));
    if (this.hash) this.sections++;
    this.open = undefined;
  }

  /**
   * Appends END! and returns the file: a view of the buffer when it is mostly used, else
   * a copy of the used part (so a checkpoint does not hold on to unused room).
   */
  finish(): { bytes: Uint8Array; hash: string } {
    const u = this.finishUnsealed();
    return u.seal(u.digest.digest());
  }

  /** finish(), but END! waits for seal(). */
  finishUnsealed(): UnsealedCheckpoint {
    if (this.open || this.sections === 0 || !this.hash) throw new Error('CheckpointBuilder: unfinished sections');
    const hash = this.hash;
    this.hash = undefined;
    return {
      digest: hash,
      seal: (digest) => {
        const n = this.sections;
        this.begin('END!');
        this.reserve(36);
        this.dv.setUint32(this.at, n, true);
        this.out.set(digest, this.at + 4);
        this.at += 36;
        this.end();
        const used = this.out.subarray(0, this.at);
        return { bytes: this.at >= this.out.length * 0.75 ? used : used.slice(), hash: toHex(digest) };
      },
    };
  }
}

// ---- reading --------------------------------------------------------------------------

/** Reads only the preamble and the header (for listings); still checks the header's CRC. */
export function peekHeader(bytes: Uint8Array, what = 'checkpoint'): CheckpointHeader {
  const version = checkPreamble(bytes, what);
  const s = readSectionAt(bytes, 12, what, version);
  if (s.tag !== 'HEAD') throw new CheckpointError('corrupt', `${what}: first section is '${s.tag}', expected HEAD`);
  return parseHeader(bytes.subarray(s.offset, s.offset + s.length), what);
}

/** Parses and fully checks a checkpoint file (the content hash, the framing, the header). */
export function parseCheckpoint(bytes: Uint8Array, what = 'checkpoint'): ParsedCheckpoint {
  const scan = scanSections(bytes, what);
  return checkParsed(bytes, what, scan, scan.hash.digest());
}

/** parseCheckpoint on every host (WebCrypto's digest is asynchronous); `impl`: the SHA-256 to use. */
export async function parseCheckpointAsync(bytes: Uint8Array, what = 'checkpoint', impl?: HashImplementation): Promise<ParsedCheckpoint> {
  const scan = scanSections(bytes, what, impl);
  return checkParsed(bytes, what, scan, await scan.hash.digestAsync());
}

interface SectionScan { version: number; sections: Section[]; end: Section; hash: Digest }

/** Reads the section framing up to END! (checked: bounds, END!'s CRC, nothing after it), feeding the content hash. */
function scanSections(bytes: Uint8Array, what: string, impl?: HashImplementation): SectionScan {
  const version = checkPreamble(bytes, what);
  const sections: Section[] = [];
  const hash = sha256(impl);
  hash.update(bytes.subarray(0, 12));
  let o = 12;
  let end: Section | undefined;
  // One pass over the contents: the content hash. It covers every byte before END!, the
  // section CRC fields included, so a matching hash proves every CRC too; the CRCs are
  // computed only to say which section is damaged when the hash does not match.
  while (o < bytes.length) {
    const s = readSectionAt(bytes, o, what, version);
    if (s.tag === 'END!') {
      if (crc32(bytes.subarray(s.offset, s.offset + s.length)) !== s.crc) {
        throw new CheckpointError('corrupt', `${what}: section END! at offset ${o} fails its CRC-32 check (the file is damaged)`);
      }
      o = s.offset + s.length;
      end = s;
      break;
    }
    for (let c = s.offset; c < s.offset + s.length; c += CRC_CHUNK) hash.update(bytes.subarray(c, Math.min(c + CRC_CHUNK, s.offset + s.length)));
    hash.update(bytes.subarray(o, o + 12));
    o = s.offset + s.length;
    sections.push(s);
  }
  if (!end) {
    damagedSection(bytes, sections, what);
    throw new CheckpointError('corrupt', `${what}: truncated (no END! section; ${bytes.length} bytes)`);
  }
  if (o !== bytes.length) throw new CheckpointError('corrupt', `${what}: ${bytes.length - o} unexpected bytes after the END! section`);
  if (end.length !== 36) throw new CheckpointError('corrupt', `${what}: END! section has length ${end.length}, expected 36`);
  return { version, sections, end, hash };
}

/** Compares the content hash with END!'s, then checks the sections and the header. */
function checkParsed(bytes: Uint8Array, what: string, scan: SectionScan, digest: Uint8Array): ParsedCheckpoint {
  const { version, sections, end } = scan;
  const stored = bytes.subarray(end.offset + 4, end.offset + 36);
  for (let i = 0; i < 32; i++) {
    if (digest[i] !== stored[i]) {
      damagedSection(bytes, sections, what);
      throw new CheckpointError('corrupt', `${what}: content hash mismatch (the file was altered after it was written${version >= 4 ? ', or its RAM pages are damaged' : ''})`);
    }
  }
  if (sections.length === 0 || sections[0].tag !== 'HEAD') throw new CheckpointError('corrupt', `${what}: first section is not HEAD`);
  const edv = new DataView(bytes.buffer, bytes.byteOffset + end.offset, end.length);
  const count = edv.getUint32(0, true);
  if (count !== sections.length) {
    throw new CheckpointError('corrupt', `${what}: END! counts ${count} sections, the file has ${sections.length}`);
  }
  const headSec = sections[0];
  const head = bytes.subarray(headSec.offset, headSec.offset + headSec.length);
  const header = parseHeader(head, what);
  for (const t of ['STAT', 'INPT']) {
    const n = sections.filter((s) => s.tag === t).length;
    if (n !== 1) throw new CheckpointError('corrupt', `${what}: ${n} ${t} sections, expected exactly 1`);
  }
  for (const s of sections.slice(1)) {
    if (s.tag !== 'STAT' && s.tag !== 'INPT' && s.tag !== 'PAGE') {
      throw new CheckpointError('corrupt', `${what}: unknown section '${s.tag}'`);
    }
  }
  return {
    bytes, header, sections, hash: toHex(digest),
    payload: (s: Section) => bytes.subarray(s.offset, s.offset + s.length),
    derived: {},
  };
}

/** For a file that failed its content hash: throws for the first section whose CRC-32 fails (where the damage is), if any. */
function damagedSection(bytes: Uint8Array, sections: readonly Section[], what: string): void {
  for (const s of sections) {
    if (s.crc !== undefined && crc32(bytes.subarray(s.offset, s.offset + s.length)) !== s.crc) {
      throw new CheckpointError('corrupt', `${what}: section ${s.tag} at offset ${s.offset - 12} fails its CRC-32 check (the file is damaged)`);
    }
  }
}

/** Checks the magic and the version; returns the version (one of READABLE_VERSIONS). */
function checkPreamble(bytes: Uint8Array, what: string): number {
  if (bytes.length < 12) throw new CheckpointError('corrupt', `${what}: truncated (${bytes.length} bytes, not even a preamble)`);
  for (let k = 0; k < 8; k++) {
    if (bytes[k] !== CHECKPOINT_MAGIC.charCodeAt(k)) {
      throw new CheckpointError('corrupt', `${what}: not a MIPS64 Studio checkpoint (bad magic)`);
    }
  }
  const version = new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8, true);
  if (!READABLE_VERSIONS.includes(version)) {
    const why = version === 2 ? 'it was written by an older build of MIPS64 Studio, whose identity hash did not cover the contents; take the checkpoint again'
      : version < CHECKPOINT_FORMAT_VERSION ? 'it was written by an older build of MIPS64 Studio, whose page encoding this build no longer reads; take the checkpoint again'
        : 'it was written by a newer build of MIPS64 Studio';
    throw new CheckpointError('version', `${what}: checkpoint format version ${version} is not supported (this build reads versions ${READABLE_VERSIONS.join(' and ')}): ${why}`);
  }
  return version;
}

function readSectionAt(bytes: Uint8Array, o: number, what: string, version: number): Section {
  if (bytes.length - o < 12) throw new CheckpointError('corrupt', `${what}: truncated at offset ${o} (section header cut short)`);
  let tag = '';
  for (let k = 0; k < 4; k++) tag += String.fromCharCode(bytes[o + k]);
  if (!TAG_RE.test(tag)) throw new CheckpointError('corrupt', `${what}: bad section tag at offset ${o}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + o, 12);
  const length = dv.getUint32(4, true);
  const crc = dv.getUint32(8, true);
  if (length > bytes.length - o - 12) {
    throw new CheckpointError('corrupt', `${what}: truncated (section ${tag} at offset ${o} claims ${length} bytes, ${bytes.length - o - 12} remain)`);
  }
  return { tag, offset: o + 12, length, crc: hasCrc(tag, version) ? crc : undefined };
}

function parseHeader(raw: Uint8Array, what: string): CheckpointHeader {
  let h: unknown;
  try {
    h = JSON.parse(decodeUtf8(raw));
  } catch {
    throw new CheckpointError('corrupt', `${what}: header is not valid JSON`);
  }
  const bad = (field: string): never => { throw new CheckpointError('corrupt', `${what}: header field '${field}' is missing or invalid`); };
  if (typeof h !== 'object' || h === null) bad('(header)');
  const o = h as Record<string, unknown>;
  const str = (f: string): void => { if (typeof o[f] !== 'string') bad(f); };
  const num = (f: string, v = o[f]): void => { if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(f); };
  if (o.format !== 'mips64-studio-checkpoint') bad('format');
  str('id'); str('name'); str('created'); str('producer');
  if (o.kind !== 'full' && o.kind !== 'incremental') bad('kind');
  if (o.kind === 'full' ? o.parentId !== null || o.parentHash !== null
    : typeof o.parentId !== 'string' || typeof o.parentHash !== 'string' || !/^[0-9a-f]{64}$/.test(o.parentHash)) bad('parentId');
  for (const f of ['wallTimeMs', 'icount', 'virtualNs', 'pages', 'inputEvents']) num(f);
  if (o.pageSize !== 4096) bad('pageSize');
  const m = o.machine as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null) bad('machine');
  const mm = m as Record<string, unknown>;
  if (typeof mm.board !== 'string') bad('machine.board');
  if (typeof mm.cpu !== 'string') bad('machine.cpu');
  num('machine.ramBytes', mm.ramBytes);
  num('machine.nsPerInsn', mm.nsPerInsn);
  if ((mm.ramBytes as number) % 4096 !== 0 || (mm.ramBytes as number) > 2 ** 32) bad('machine.ramBytes');
  if (typeof mm.bigEndian !== 'boolean') bad('machine.bigEndian');
  if (mm.options !== undefined) {
    const opts = mm.options as Record<string, unknown> | null;
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || Object.keys(opts).length > 64) bad('machine.options');
    for (const v of Object.values(opts as object)) {
      if (!(typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 4096))) bad('machine.options');
    }
  }
  if (mm.images !== undefined) {
    const imgs = mm.images as unknown[];
    if (!Array.isArray(imgs) || imgs.length > 8) bad('machine.images');
    for (const i of imgs as Array<Record<string, unknown> | null>) {
      if (typeof i !== 'object' || i === null || !(BOOT_IMAGE_ROLES as readonly unknown[]).includes(i.role) || typeof i.path !== 'string'
        || typeof i.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(i.sha256) || !Number.isSafeInteger(i.bytes) || (i.bytes as number) < 0) bad('machine.images');
    }
  }
  if (!Array.isArray(o.components) || !o.components.every((c: unknown) => typeof c === 'object' && c !== null
    && typeof (c as { name: unknown }).name === 'string' && Number.isInteger((c as { version: unknown }).version))) bad('components');
  return h as CheckpointHeader;
}

// ---- small byte helpers shared by the checkpoint code ---------------------------------------

/** Growable little-endian byte writer. */
export class ByteWriter {
  buf: Uint8Array;
  private dv: DataView;
  n = 0;
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
    this.dv = new DataView(this.buf.buffer);
  }
  ensure(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    nb.set(this.buf.subarray(0, this.n));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(v: number): void { this.ensure(1); this.buf[this.n++] = v; }
  u16(v: number): void { this.ensure(2); this.dv.setUint16(this.n, v, true); this.n += 2; }
  u32(v: number): void { this.ensure(4); this.dv.setUint32(this.n, v >>> 0, true); this.n += 4; }
  f64(v: number): void { this.ensure(8); this.dv.setFloat64(this.n, v, true); this.n += 8; }
  raw(a: Uint8Array): void { this.ensure(a.length); this.buf.set(a, this.n); this.n += a.length; }
  str(s: string): void { const b = new TextEncoder().encode(s); this.u32(b.length); this.raw(b); }
  bytes(): Uint8Array { return this.buf.subarray(0, this.n); }
}

/** Bounds-checked little-endian reader; every overrun is a CheckpointError. */
export class ByteReader {
  private readonly dv: DataView;
  p = 0;
  constructor(readonly b: Uint8Array, private readonly what: string) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  need(k: number): void {
    if (k < 0 || this.p + k > this.b.length) throw new CheckpointError('corrupt', `${this.what}: truncated data at byte ${this.p}`);
  }
  u8(): number { this.need(1); return this.b[this.p++]; }
  u16(): number { this.need(2); const v = this.dv.getUint16(this.p, true); this.p += 2; return v; }
  u32(): number { this.need(4); const v = this.dv.getUint32(this.p, true); this.p += 4; return v; }
  f64(): number { this.need(8); const v = this.dv.getFloat64(this.p, true); this.p += 8; return v; }
  raw(n: number): Uint8Array { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  str(): string {
    const n = this.u32();
    try { return decodeUtf8(this.raw(n)); } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError('corrupt', `${this.what}: invalid UTF-8 at byte ${this.p}`);
    }
  }
  get atEnd(): boolean { return this.p === this.b.length; }
}
