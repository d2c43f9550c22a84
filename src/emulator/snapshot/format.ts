// The checkpoint file format (version 5; versions 3 and 4 are read too, older ones are
// refused: see checkPreamble).
// One format serves checkpoints kept in memory and files on disk, so both are verified
// the same way before a restore.
//
//   offset 0   magic "MIPS64CK" (8 bytes)
//   offset 8   u32 format version (5)
//   offset 12  sections, each: a 48-byte section header — tag (4 ASCII bytes), u32
//              payload length, u32 first and u32 last (PAGE: the lowest and highest RAM
//              page number of its records; other sections: 0), the SHA-256 of the
//              payload (32 bytes) — then the payload
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
//   END!  u32 number of sections before it, then the content hash (the checkpoint's
//         identity): the SHA-256 of the 12-byte preamble followed by the 48-byte headers
//         of every section before END!, in order. Each header holds the SHA-256 of its
//         payload, so the identity is a hash of SHA-256s of the whole content: a file
//         changed in any byte (any payload, any header) no longer has its identity, and
//         an incremental names its parent by id and identity. END!'s own header has
//         first, last and hash 0. Nothing may follow END!.
//
// Why per-section SHA-256s (version 5) rather than one hash over the file (versions 3
// and 4, whose sections carried CRC-32s only to locate damage): the sections are hashed
// independently, so a HashProvider with helper threads verifies a 248 MiB file in about
// half the time on two cores; and a damaged file names its damaged section — for RAM,
// the page range — with the same hash that proves it.
//
// A reader checks the magic, the version, every section's bounds, every section's hash,
// the END! count and identity, and the header's fields before anything uses the
// contents; a truncated or altered file is refused with the offset and the reason.
// Version 3 and 4 files (one SHA-256 over every byte before END!, and CRC-32s: in every
// section in version 3, all but PAGE in version 4) are read with their own rules, so
// checkpoints taken by earlier builds keep restoring; they are not rewritten. (Version
// 2's hash covered only the header and the section CRCs: its files are refused.)

import { crc32 } from './crc32';
import { Digest, HashProvider, SectionHashes, toHex, webCryptoHashes } from './digest';
import type { PageCodec } from './compress';
import { BOOT_IMAGE_ROLES, type BootImage } from '../boot-images';

export const CHECKPOINT_MAGIC = 'MIPS64CK';
export const CHECKPOINT_FORMAT_VERSION = 5;
/** Versions this build reads (3 and 4: one content hash over the file, CRC-32s per section). */
const READABLE_VERSIONS: readonly number[] = [3, 4, 5];
export const CHECKPOINT_EXTENSION = '.m64cp';
/** Uncompressed-payload size at which a PAGE section is closed and another started. */
export const PAGE_SECTION_BYTES = 8 << 20;
/** Bytes of a section header in files of format `version`. */
export const sectionHeaderBytes = (version: number): number => (version >= 5 ? 48 : 12);
const HEADER = sectionHeaderBytes(CHECKPOINT_FORMAT_VERSION);
const END_LENGTH = 4 + 32;

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
  /** The section's CRC-32 (formats 3 and 4; undefined in a format-4 PAGE section and in format 5). */
  crc: number | undefined;
  /** Format 5: the SHA-256 of the payload, and the header's first and last fields (PAGE: its page range). */
  sha256?: Uint8Array;
  first?: number;
  last?: number;
}

/** Whether a section carries a CRC-32 in files of format `version`. */
const hasCrc = (tag: string, version: number): boolean => version < 4 || (version === 4 && tag !== 'PAGE');

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

/** A section payload given as one or more pieces (written back to back); PAGE: its page range. */
export interface SectionInput { tag: string; pieces: Uint8Array[]; first?: number; last?: number }

/** Bytes hashed at a time: written bytes shown to SectionHashes.partial, a format 3/4 file read (well within L2). */
const HASH_CHUNK = 256 << 10;

function writePreamble(out: Uint8Array): void {
  for (let k = 0; k < 8; k++) out[k] = CHECKPOINT_MAGIC.charCodeAt(k);
  new DataView(out.buffer, out.byteOffset, 12).setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
}

/** Writes a section header (hash zero: sealing fills it in) at `o` of `out`. */
function writeSectionHeader(dv: DataView, out: Uint8Array, o: number, tag: string, length: number, first = 0, last = 0): void {
  for (let k = 0; k < 4; k++) out[o + k] = tag.charCodeAt(k);
  dv.setUint32(o + 4, length, true);
  dv.setUint32(o + 8, first >>> 0, true);
  dv.setUint32(o + 12, last >>> 0, true);
}

/**
 * How far ahead of the write position the writers touch a new buffer (one store per
 * 4 KiB). A new buffer is fresh memory whose pages the kernel maps on first write;
 * taking those faults in a tight loop of stores, a chunk ahead, is cheaper than taking
 * them inside the many page-sized copies that follow (64 MiB of incompressible pages:
 * ~35 ms instead of ~47 ms on the machine this was measured on). The stored bytes are
 * zeros at offsets not written yet, so the file is unaffected.
 */
const TOUCH_AHEAD = 256 << 10;

/**
 * A checkpoint file written up to END! (section hashes zero): seal() collects every
 * section's hash (started as each section was written: see SectionHashes), writes them
 * into their headers, then END! with the identity; sealAsync() the same on every host
 * (WebCrypto).
 */
export interface UnsealedCheckpoint {
  seal(): { bytes: Uint8Array; hash: string };
  sealAsync(): Promise<{ bytes: Uint8Array; hash: string }>;
}

/**
 * The sealing of a file whose sections (header offsets `heads`, their hashes in
 * `sections`) are written and whose END! goes at `at`; `done` returns the file's bytes
 * once END! is written.
 */
function unsealed(out: Uint8Array, heads: readonly number[], sections: SectionHashes, at: number, hashes: HashProvider,
  done: (end: number) => Uint8Array): UnsealedCheckpoint {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  /** The preamble and the section headers, once the section hashes are in them (what the identity hashes). */
  const table = (digests: readonly Uint8Array[]): Uint8Array => {
    heads.forEach((h, i) => { out.set(digests[i], h + 16); });
    const t = new Uint8Array(12 + heads.length * HEADER);
    t.set(out.subarray(0, 12));
    heads.forEach((h, i) => { t.set(out.subarray(h, h + HEADER), 12 + i * HEADER); });
    return t;
  };
  const finish = (identity: Uint8Array): { bytes: Uint8Array; hash: string } => {
    writeSectionHeader(dv, out, at, 'END!', END_LENGTH);
    dv.setUint32(at + HEADER, heads.length, true);
    out.set(identity, at + HEADER + 4);
    return { bytes: done(at + HEADER + END_LENGTH), hash: toHex(identity) };
  };
  return {
    seal: () => finish(hashes.eachSync([table(sections.doneSync())])[0]),
    sealAsync: async () => finish((await hashes.each([table(await sections.done())]))[0]),
  };
}

/**
 * Assembles a checkpoint file: preamble, HEAD, the given sections, END!. The pieces are
 * copied into the file once (into memory from hashes.allocate, which the provider's
 * helpers can read), then sealed.
 */
export function assembleCheckpoint(header: CheckpointHeader, sections: readonly SectionInput[], hashes?: HashProvider): { bytes: Uint8Array; hash: string } {
  return assembleUnsealed(header, sections, hashes).seal();
}

/** assembleCheckpoint, but END! waits for seal() or sealAsync() (`hashes`: default the platform's). */
export function assembleUnsealed(header: CheckpointHeader, sections: readonly SectionInput[], hashes: HashProvider = webCryptoHashes()): UnsealedCheckpoint {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const all: SectionInput[] = [{ tag: 'HEAD', pieces: [head] }, ...sections];
  const lens = all.map((s) => {
    let len = 0;
    for (const p of s.pieces) len += p.length;
    if (len > 0xffffffff) throw new CheckpointError('corrupt', `section ${s.tag} is too large (${len} bytes)`);
    return len;
  });
  let total = 12 + HEADER + END_LENGTH;
  for (const len of lens) total += HEADER + len;
  const out = hashes.allocate(total);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // Fresh memory: its pages are touched a chunk ahead of the copies (see TOUCH_AHEAD),
  // at offsets from the write position on (nothing is written there yet).
  let touched = 0;
  const touch = (at: number, need: number): void => {
    const to = Math.min(total, need + TOUCH_AHEAD);
    for (let i = Math.max(touched, at); i < to; i += 4096) out[i] = 0;
    touched = to;
  };
  writePreamble(out);
  const heads: number[] = [];
  const hashing = hashes.sections();
  let o = 12;
  all.forEach((s, i) => {
    writeSectionHeader(dv, out, o, s.tag, lens[i], s.first, s.last);
    heads.push(o);
    o += HEADER;
    let from = o; // bytes from here on not shown to hashing.partial yet
    for (const p of s.pieces) {
      if (o + p.length > touched) touch(o, o + p.length);
      out.set(p, o);
      o += p.length;
      if (o - from >= HASH_CHUNK) { hashing.partial?.(out.subarray(from, o)); from = o; }
    }
    hashing.add(out.subarray(o - lens[i], o));
  });
  return unsealed(out, heads, hashing, o, hashes, (end) => {
    if (end !== total) throw new Error(`assembleCheckpoint: wrote ${end} of ${total} bytes`);
    return out;
  });
}

/**
 * Writes a checkpoint file front to back into one buffer of a known maximum size, for
 * callers that produce section payloads in place (an incremental's pages are copied
 * from RAM straight into the file). Same layout and checks as assembleCheckpoint:
 * begin(tag), write payload bytes at `at` through reserve(n), end(); then finish()
 * (or finishUnsealed()) adds the hashes and END! and returns the file.
 */
export class CheckpointBuilder {
  readonly out: Uint8Array;
  private readonly dv: DataView;
  /** Write position. */
  at = 12;
  /** Offsets below this have been touched (see TOUCH_AHEAD). */
  private touched = 0;
  /** Header offsets of the sections written (END! excluded). */
  private readonly heads: number[] = [];
  private open: { tag: string; start: number; from: number } | undefined;
  private finished = false;
  /** The sections' hashes, begun as each section is closed. */
  private readonly hashing: SectionHashes;

  /** `hashes`: the SHA-256s to seal with (default: the platform's, digest.ts). */
  constructor(maxPayloadBytes: number, maxSections: number, private readonly hashes: HashProvider = webCryptoHashes()) {
    this.out = hashes.allocate(12 + (maxSections + 1) * HEADER + END_LENGTH + maxPayloadBytes);
    this.dv = new DataView(this.out.buffer, this.out.byteOffset, this.out.byteLength);
    this.hashing = hashes.sections();
    writePreamble(this.out);
  }

  begin(tag: string): void {
    if (this.open) throw new Error(`CheckpointBuilder: section ${this.open.tag} is still open`);
    if (this.heads.length === 0 && tag !== 'HEAD') throw new Error('CheckpointBuilder: HEAD comes first');
    this.reserve(HEADER);
    writeSectionHeader(this.dv, this.out, this.at, tag, 0);
    this.at += HEADER;
    this.open = { tag, start: this.at, from: this.at };
  }

  /** Makes room for n more payload bytes at `at` (the caller writes them and advances `at`). */
  reserve(n: number): void {
    const need = this.at + n;
    if (need > this.out.length) throw new RangeError(`CheckpointBuilder: ${n} more bytes exceed the ${this.out.length}-byte buffer`);
    if (need > this.touched) this.touch(need);
    // Shows what was written since to the hashing, while it is still in the cache.
    const s = this.open;
    if (s && this.at - s.from >= HASH_CHUNK) { this.hashing.partial?.(this.out.subarray(s.from, this.at)); s.from = this.at; }
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

  /** Closes the open section (`first`, `last`: a PAGE section's page range). */
  end(first = 0, last = 0): void {
    const s = this.open;
    if (!s) throw new Error('CheckpointBuilder: no open section');
    const len = this.at - s.start;
    if (len > 0xffffffff) throw new CheckpointError('corrupt', `section ${s.tag} is too large (${len} bytes)`);
    writeSectionHeader(this.dv, this.out, s.start - HEADER, s.tag, len, first, last);
    this.heads.push(s.start - HEADER);
    this.hashing.add(this.out.subarray(s.start, this.at));
    this.open = undefined;
  }

  /**
   * Seals the file and returns it: a view of the buffer when it is mostly used, else a
   * copy of the used part (so a checkpoint does not hold on to unused room).
   */
  finish(): { bytes: Uint8Array; hash: string } {
    return this.finishUnsealed().seal();
  }

  /** finish(), but the hashes and END! wait for seal() or sealAsync(). */
  finishUnsealed(): UnsealedCheckpoint {
    if (this.open || this.heads.length === 0 || this.finished) throw new Error('CheckpointBuilder: unfinished sections');
    this.finished = true;
    this.reserve(HEADER + END_LENGTH);
    return unsealed(this.out, this.heads, this.hashing, this.at, this.hashes, (end) => {
      const used = this.out.subarray(0, end);
      return end >= this.out.length * 0.75 ? used : used.slice();
    });
  }
}

// ---- reading --------------------------------------------------------------------------

/** Reads only the preamble and the header (for listings; not verified). */
export function peekHeader(bytes: Uint8Array, what = 'checkpoint'): CheckpointHeader {
  const version = checkPreamble(bytes, what);
  const s = readSectionAt(bytes, 12, what, version);
  if (s.tag !== 'HEAD') throw new CheckpointError('corrupt', `${what}: first section is '${s.tag}', expected HEAD`);
  return parseHeader(bytes.subarray(s.offset, s.offset + s.length), what);
}

/**
 * Parses and fully checks a checkpoint file (every section's hash, the identity, the
 * framing, the header). `hashes`: the SHA-256s to check with (default: the platform's;
 * a provider with helper threads checks several sections at once).
 */
export function parseCheckpoint(bytes: Uint8Array, what = 'checkpoint', hashes: HashProvider = webCryptoHashes()): ParsedCheckpoint {
  const scan = scanSections(bytes, what);
  if (scan.version >= 5) {
    checkSectionHashes(what, scan, hashes.eachSync(scan.sections.map((s) => payloadOf(bytes, s))));
    return checkParsed(bytes, what, scan, hashes.eachSync([sectionTable(bytes, scan)])[0]);
  }
  const h = hashes.stream();
  feedWholeFile(h, bytes, scan);
  return checkParsed(bytes, what, scan, h.digest());
}

/** parseCheckpoint on every host (WebCrypto's digest is asynchronous). */
export async function parseCheckpointAsync(bytes: Uint8Array, what = 'checkpoint', hashes: HashProvider = webCryptoHashes()): Promise<ParsedCheckpoint> {
  const scan = scanSections(bytes, what);
  if (scan.version >= 5) {
    checkSectionHashes(what, scan, await hashes.each(scan.sections.map((s) => payloadOf(bytes, s))));
    return checkParsed(bytes, what, scan, (await hashes.each([sectionTable(bytes, scan)]))[0]);
  }
  const h = hashes.stream();
  feedWholeFile(h, bytes, scan);
  return checkParsed(bytes, what, scan, await h.digestAsync());
}

interface SectionScan { version: number; sections: Section[]; end: Section }

const payloadOf = (bytes: Uint8Array, s: Section): Uint8Array => bytes.subarray(s.offset, s.offset + s.length);

/** Reads the section framing up to END! (checked: bounds, END!'s length, CRC in formats 3/4, nothing after it). */
function scanSections(bytes: Uint8Array, what: string): SectionScan {
  const version = checkPreamble(bytes, what);
  const headerBytes = sectionHeaderBytes(version);
  const sections: Section[] = [];
  let o = 12;
  let end: Section | undefined;
  while (o < bytes.length) {
    const s = readSectionAt(bytes, o, what, version);
    o = s.offset + s.length;
    if (s.tag === 'END!') {
      if (s.crc !== undefined && crc32(payloadOf(bytes, s)) !== s.crc) {
        throw new CheckpointError('corrupt', `${what}: section END! at offset ${s.offset - headerBytes} fails its CRC-32 check (the file is damaged)`);
      }
      end = s;
      break;
    }
    sections.push(s);
  }
  if (!end) {
    if (version < 5) damagedSection(bytes, sections, what, version);
    throw new CheckpointError('corrupt', `${what}: truncated (no END! section; ${bytes.length} bytes)`);
  }
  if (o !== bytes.length) throw new CheckpointError('corrupt', `${what}: ${bytes.length - o} unexpected bytes after the END! section`);
  if (end.length !== END_LENGTH) throw new CheckpointError('corrupt', `${what}: END! section has length ${end.length}, expected ${END_LENGTH}`);
  if (end.sha256 && (end.first !== 0 || end.last !== 0 || end.sha256.some((x) => x !== 0))) {
    throw new CheckpointError('corrupt', `${what}: END! section header at offset ${end.offset - headerBytes} is damaged (its first, last and hash fields must be 0)`);
  }
  return { version, sections, end };
}

/** Format 3/4: every byte before END! — the preamble, then each payload followed by its header — into `h`. */
function feedWholeFile(h: Digest, bytes: Uint8Array, scan: SectionScan): void {
  h.update(bytes.subarray(0, 12));
  for (const s of scan.sections) {
    for (let c = s.offset; c < s.offset + s.length; c += HASH_CHUNK) h.update(bytes.subarray(c, Math.min(c + HASH_CHUNK, s.offset + s.length)));
    h.update(bytes.subarray(s.offset - 12, s.offset));
  }
}

/** Format 5: what the identity hashes — the preamble and the section headers (END!'s excluded). */
function sectionTable(bytes: Uint8Array, scan: SectionScan): Uint8Array {
  const t = new Uint8Array(12 + scan.sections.length * HEADER);
  t.set(bytes.subarray(0, 12));
  scan.sections.forEach((s, i) => { t.set(bytes.subarray(s.offset - HEADER, s.offset), 12 + i * HEADER); });
  return t;
}

const hex8 = (n: number): string => `0x${n.toString(16)}`;

/** Where a section is, for messages: "section PAGE 3 of 31 at offset 123 (RAM pages 0x400–0x7ff)". */
function describeSection(s: Section, sections: readonly Section[], headerBytes: number): string {
  const same = sections.filter((x) => x.tag === s.tag);
  const nth = same.length > 1 ? ` ${same.indexOf(s) + 1} of ${same.length}` : '';
  const range = s.tag === 'PAGE' && s.first !== undefined && s.last !== undefined
    ? ` (RAM pages ${hex8(s.first)}–${hex8(s.last)}, bytes ${hex8(s.first * 4096)}–${hex8(s.last * 4096 + 4095)})` : '';
  return `section ${s.tag}${nth} at offset ${s.offset - headerBytes}${range}`;
}

/** Format 5: each section's payload against the SHA-256 in its header; the first that differs is named (and how many more). */
function checkSectionHashes(what: string, scan: SectionScan, digests: readonly Uint8Array[]): void {
  const bad = scan.sections.filter((s, i) => {
    const d = digests[i], want = s.sha256!;
    for (let k = 0; k < 32; k++) if (d[k] !== want[k]) return true;
    return false;
  });
  if (bad.length === 0) return;
  const more = bad.length > 1 ? `; ${bad.length - 1} more section${bad.length > 2 ? 's are' : ' is'} damaged too` : '';
  throw new CheckpointError('corrupt', `${what}: ${describeSection(bad[0], scan.sections, HEADER)} is damaged (its SHA-256 does not match its contents)${more}`);
}

/** Compares the content hash with END!'s, then checks the sections and the header. */
function checkParsed(bytes: Uint8Array, what: string, scan: SectionScan, digest: Uint8Array): ParsedCheckpoint {
  const { version, sections, end } = scan;
  const stored = bytes.subarray(end.offset + 4, end.offset + 36);
  for (let i = 0; i < 32; i++) {
    if (digest[i] !== stored[i]) {
      if (version < 5) damagedSection(bytes, sections, what, version);
      const why = version >= 5 ? 'a section header or END! was altered or damaged'
        : `the file was altered after it was written${version >= 4 ? ', or its RAM pages are damaged' : ''}`;
      throw new CheckpointError('corrupt', `${what}: content hash mismatch (${why})`);
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

/** Formats 3/4, for a file that failed its content hash: throws for the first section whose CRC-32 fails (where the damage is), if any. */
function damagedSection(bytes: Uint8Array, sections: readonly Section[], what: string, version: number): void {
  for (const s of sections) {
    if (s.crc !== undefined && crc32(payloadOf(bytes, s)) !== s.crc) {
      throw new CheckpointError('corrupt', `${what}: ${describeSection(s, sections, sectionHeaderBytes(version))} fails its CRC-32 check (the file is damaged)`);
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
    throw new CheckpointError('version', `${what}: checkpoint format version ${version} is not supported (this build reads versions ${READABLE_VERSIONS.join(', ')}): ${why}`);
  }
  return version;
}

function readSectionAt(bytes: Uint8Array, o: number, what: string, version: number): Section {
  const headerBytes = sectionHeaderBytes(version);
  if (bytes.length - o < headerBytes) throw new CheckpointError('corrupt', `${what}: truncated at offset ${o} (section header cut short)`);
  let tag = '';
  for (let k = 0; k < 4; k++) tag += String.fromCharCode(bytes[o + k]);
  if (!TAG_RE.test(tag)) throw new CheckpointError('corrupt', `${what}: bad section tag at offset ${o}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + o, headerBytes);
  const length = dv.getUint32(4, true);
  if (length > bytes.length - o - headerBytes) {
    throw new CheckpointError('corrupt', `${what}: truncated (section ${tag} at offset ${o} claims ${length} bytes, ${bytes.length - o - headerBytes} remain)`);
  }
  if (version >= 5) {
    return { tag, offset: o + headerBytes, length, crc: undefined, first: dv.getUint32(8, true), last: dv.getUint32(12, true), sha256: bytes.subarray(o + 16, o + 48) };
  }
  const crc = dv.getUint32(8, true);
  return { tag, offset: o + headerBytes, length, crc: hasCrc(tag, version) ? crc : undefined };
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
