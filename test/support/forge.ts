// Forging checkpoint files, for tests that check forgeries are caught: compensating bytes
// that keep a section's CRC-32 after its payload was changed (CRC-32 is affine over GF(2),
// so four chosen bytes reach any CRC: formats 3 and 4), re-sealing a file after edits
// (every section's hash or CRC and the END! identity recomputed, as an attacker with the
// format in hand would),
// and forged component state values in a re-sealed file.
import { createHash } from 'node:crypto';
import { crc32 } from '../../src/emulator/snapshot/crc32';
import { readComponents } from '../../src/emulator/snapshot/checkpoint';
import { assembleCheckpoint, ByteWriter, parseCheckpoint, sectionHeaderBytes } from '../../src/emulator/snapshot/format';
import { decodeStateAs, saveState } from '../../src/emulator/snapshot/state';
import { HASHES } from './hashes';

/**
 * Sets b[at..at+4) so that crc32(b[from..to)) === want (at within [from, to - 4]).
 * Returns false when the bytes at `at` cannot reach it (never, for CRC-32).
 */
export function forgeCrc(b: Uint8Array, from: number, to: number, at: number, want: number): boolean {
  const crcOf = (): number => crc32(b.subarray(from, to));
  b.fill(0, at, at + 4);
  const base = crcOf();
  // Column k: the change of the CRC when bit k of the 4 bytes is set (linear part).
  const cols: number[] = [];
  for (let k = 0; k < 32; k++) {
    b.fill(0, at, at + 4);
    b[at + (k >> 3)] = 1 << (k & 7);
    cols.push((crcOf() ^ base) >>> 0);
  }
  // Solve cols · x = want ^ base over GF(2): Gaussian elimination on 32 rows.
  const target = (want ^ base) >>> 0;
  const rows: Array<{ v: number; x: number }> = cols.map((v, k) => ({ v, x: (2 ** k) >>> 0 }));
  const basis: Array<{ v: number; x: number } | undefined> = new Array(32);
  for (let { v, x } of rows) {
    for (let bit = 31; bit >= 0 && v; bit--) {
      if (!((v >>> bit) & 1)) continue;
      const r = basis[bit];
      if (!r) { basis[bit] = { v, x }; v = 0; break; }
      v = (v ^ r.v) >>> 0;
      x = (x ^ r.x) >>> 0;
    }
  }
  let t = target, x = 0;
  for (let bit = 31; bit >= 0; bit--) {
    if (!((t >>> bit) & 1)) continue;
    const r = basis[bit];
    if (!r) return false;
    t = (t ^ r.v) >>> 0;
    x = (x ^ r.x) >>> 0;
  }
  for (let i = 0; i < 4; i++) b[at + i] = (x >>> (8 * i)) & 0xff;
  return crcOf() === want;
}

export interface RawSection { tag: string; header: number; offset: number; length: number }

/** The sections of a checkpoint file as laid out (no checks). */
export function sectionsOf(b: Uint8Array): RawSection[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hb = sectionHeaderBytes(dv.getUint32(8, true));
  const out: RawSection[] = [];
  for (let o = 12; o + hb <= b.length;) {
    const tag = String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
    const length = dv.getUint32(o + 4, true);
    out.push({ tag, header: o, offset: o + hb, length });
    o += hb + length;
  }
  return out;
}

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/**
 * Recomputes the checksums after edits: format 5, every section's SHA-256 and the END!
 * identity over the preamble and the section headers; formats 3/4, every section's CRC
 * (none in a version 4 PAGE section) and the END! content hash.
 */
export function reseal(b: Uint8Array): Uint8Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = dv.getUint32(8, true);
  const h = createHash('sha256');
  h.update(b.subarray(0, 12));
  let count = 0;
  for (const s of sectionsOf(b)) {
    if (s.tag === 'END!') {
      dv.setUint32(s.offset, count, true);
      b.set(h.digest(), s.offset + 4);
      if (version < 5) dv.setUint32(s.header + 8, crc32(b.subarray(s.offset, s.offset + s.length)), true);
      break;
    }
    if (version >= 5) {
      b.set(sha(b.subarray(s.offset, s.offset + s.length)), s.header + 16);
      h.update(b.subarray(s.header, s.offset));
    } else {
      dv.setUint32(s.header + 8, version >= 4 && s.tag === 'PAGE' ? 0 : crc32(b.subarray(s.offset, s.offset + s.length)), true);
      h.update(b.subarray(s.offset, s.offset + s.length));
      h.update(b.subarray(s.header, s.offset));
    }
    count++;
  }
  return b;
}

/**
 * A checkpoint whose component `component` has forged state values, re-sealed into a
 * valid file (every CRC and the content hash recomputed: what someone who knows the
 * format can produce). `change` edits the decoded values in place.
 */
export function forgeState(file: Uint8Array, component: string, change: (values: Record<string, unknown>) => void): Uint8Array {
  const p = parseCheckpoint(file, undefined, HASHES);
  const comps = readComponents(p);
  const c = comps.find((x) => x.name === component);
  if (!c) throw new Error(`no component '${component}' (have ${comps.map((x) => x.name).join(', ')})`);
  const values = decodeStateAs(c.spec, c.bytes);
  change(values);
  c.bytes = saveState({ stateSpec: c.spec, state: values });
  const w = new ByteWriter();
  w.u32(comps.length);
  for (const x of comps) {
    w.str(x.name); w.u32(x.version); w.str(JSON.stringify(x.spec.fields)); w.u32(x.bytes.length); w.raw(x.bytes);
  }
  const sections = p.sections.slice(1).map((s) => ({ tag: s.tag, pieces: [s.tag === 'STAT' ? w.bytes() : p.payload(s)] }));
  return assembleCheckpoint(p.header, sections, HASHES).bytes;
}
