// Linux kallsyms tables, found and decoded in a kernel image (bytes as loaded in memory,
// plus the virtual address of the first byte). Layout written by scripts/kallsyms.c of
// Linux 6.1 with CONFIG_KALLSYMS_BASE_RELATIVE, every label aligned to 8 bytes (64-bit):
//
//   kallsyms_offsets       u32[N]   symbol address − relative_base
//   kallsyms_relative_base u64      (link-time address; relocations update it in memory)
//   kallsyms_num_syms      u32      N
//   kallsyms_names         N × (len, len token bytes); len ≥ 0x80 takes two bytes (6.1+)
//   kallsyms_markers       u32[⌈N/256⌉] offset in names of every 256th symbol
//   kallsyms_seqs_of_names 3 bytes × N, symbol indices by name (only in later 6.1 stable releases)
//   kallsyms_token_table   256 NUL-terminated strings
//   kallsyms_token_index   u16[256] offset of each token in the table
//
// Nothing labels these tables in a stripped image, so candidates are found by scanning for
// kallsyms_num_syms (preceded by a relative base inside the image) and accepted only when
// everything else agrees: the names walk ends where the markers start, every marker is the
// offset of its symbol, the token index matches the token table, names decode to printable
// text and the offsets are sorted. A decoded name's first character is the nm type letter.

import { STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, STT_NOTYPE, STT_OBJECT } from './elf';
import type { SymbolEntry } from './symbols';

export interface KallsymsSymbol {
  readonly name: string;
  readonly addr: bigint;
  /** nm type letter: T/t text, W/w weak, D/d data, R/r read-only, B/b bss, A/a absolute… */
  readonly type: string;
}

export interface Kallsyms {
  readonly symbols: readonly KallsymsSymbol[];
  /** kallsyms_relative_base as stored in the image. */
  readonly relativeBase: bigint;
  /** Image offsets of the tables (for diagnostics). */
  readonly tables: { readonly offsets: number; readonly numSyms: number; readonly names: number; readonly markers: number; /** -1 when absent. */ readonly seqsOfNames: number; readonly tokenTable: number; readonly tokenIndex: number };
}

export class KallsymsError extends Error {}

export interface KallsymsOptions {
  /** Virtual address of bytes[0] (e.g. 0xffffffff80100000 for a Malta vmlinux image). */
  readonly base: bigint;
  readonly endian: 'little' | 'big';
  /**
   * Return the valid tables at the highest address instead of the first (RAM of a running
   * relocated kernel may still hold the original copy below the live one).
   */
  readonly last?: boolean;
}

/** Why a candidate was rejected, and how far its checks got (names 0, markers 1, tokens 2, offsets 3). */
interface Failure { readonly stage: number; readonly why: string }

const MIN_SYMS = 16;
const MAX_SYMS = 4_000_000;
const align8 = (n: number): number => (n + 7) & ~7;

/** Finds and decodes the kallsyms tables; throws KallsymsError when the image has none. */
export function decodeKallsyms(bytes: Uint8Array, opts: KallsymsOptions): Kallsyms {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = opts.endian === 'little';
  const base = BigInt.asUintN(64, opts.base);
  const end = base + BigInt(bytes.length);
  let best: Failure | undefined;
  let found: Kallsyms | undefined;
  for (let q = 16; q + 16 <= bytes.length; q += 8) {
    // kallsyms_num_syms: a plausible count, 4 bytes of padding, after a base inside the image.
    const n = dv.getUint32(q, le);
    if (n < MIN_SYMS || n > MAX_SYMS || dv.getUint32(q + 4, le) !== 0) continue;
    const rel = dv.getBigUint64(q - 8, le);
    if (rel < base || rel >= end) continue;
    const r = tryAt(bytes, dv, le, q, n, rel);
    if (!('stage' in r)) {
      if (!opts.last) return r;
      found = r;
      q = r.tables.tokenIndex; // go on after these tables
      continue;
    }
    if (!best || r.stage > best.stage) best = r;
  }
  if (found) return found;
  const size = `${bytes.length} bytes at 0x${base.toString(16)}`;
  throw new KallsymsError(best
    ? `no valid kallsyms tables in the image (${size}); the closest candidate failed: ${best.why}`
    : `no kallsyms tables in the image (${size}): the kernel was built without CONFIG_KALLSYMS (base-relative, 64-bit) or this is not a kernel image`);
}

/** Validates and decodes the tables around kallsyms_num_syms at q; a reason string when they do not hold. */
function tryAt(bytes: Uint8Array, dv: DataView, le: boolean, q: number, n: number, rel: bigint): Kallsyms | Failure {
  const at = `kallsyms_num_syms candidate at +0x${q.toString(16)} (${n} symbols)`;
  // Names: length-prefixed token strings.
  const namesOff = q + 8;
  const marks: number[] = [];
  let p = namesOff;
  for (let i = 0; i < n; i++) {
    if (p >= bytes.length) return { stage: 0, why: `${at}: names run past the image` };
    if ((i & 255) === 0) marks.push(p - namesOff);
    let len = bytes[p]!;
    p++;
    if (len & 0x80) {
      if (p >= bytes.length) return { stage: 0, why: `${at}: names run past the image` };
      len = (len & 0x7f) | (bytes[p]! << 7);
      p++;
    }
    if (len === 0) return { stage: 0, why: `${at}: symbol ${i} has an empty name` };
    p += len;
  }
  if (p > bytes.length) return { stage: 0, why: `${at}: names run past the image` };
  const markersOff = align8(p);
  const nMarkers = (n + 255) >>> 8;
  if (markersOff + 4 * nMarkers > bytes.length) return { stage: 1, why: `${at}: markers run past the image` };
  for (let k = 0; k < nMarkers; k++) {
    if (dv.getUint32(markersOff + 4 * k, le) !== marks[k]) return { stage: 1, why: `${at}: marker ${k} does not match the names` };
  }
  // kallsyms_seqs_of_names (3 bytes per symbol, backported to later 6.1 stable releases) may
  // sit between the markers and the token table.
  const afterMarkers = align8(markersOff + 4 * nMarkers);
  let tok = readTokens(bytes, dv, le, afterMarkers);
  let seqsOff = -1;
  if (typeof tok === 'string') {
    const t2 = readTokens(bytes, dv, le, align8(afterMarkers + 3 * n));
    if (typeof t2 === 'string') return { stage: 2, why: `${at}: ${tok} (after a kallsyms_seqs_of_names: ${t2})` };
    const seen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const o = afterMarkers + 3 * i;
      const s = (bytes[o]! << 16) | (bytes[o + 1]! << 8) | bytes[o + 2]!;
      if (s >= n || seen[s]) return { stage: 2, why: `${at}: kallsyms_seqs_of_names is not a permutation of the symbols` };
      seen[s] = 1;
    }
    seqsOff = afterMarkers;
    tok = t2;
  }
  const { tokens, tableOff: tokenTableOff, indexOff: tokenIndexOff } = tok;
  // Offsets, then decode.
  const offsetsOff = q - 8 - align8(4 * n);
  if (offsetsOff < 0) return { stage: 3, why: `${at}: offsets would start before the image` };
  const symbols: KallsymsSymbol[] = new Array(n);
  let prev = -1;
  let s = namesOff;
  for (let i = 0; i < n; i++) {
    const o = dv.getUint32(offsetsOff + 4 * i, le);
    if (o < prev) return { stage: 3, why: `${at}: offsets are not sorted (symbol ${i})` };
    prev = o;
    let len = bytes[s]!;
    s++;
    if (len & 0x80) { len = (len & 0x7f) | (bytes[s]! << 7); s++; }
    let text = '';
    for (let k = 0; k < len; k++) text += tokens[bytes[s + k]!]!;
    s += len;
    if (text.length < 2 || !/^[A-Za-z?][\x21-\x7e]+$/.test(text)) return { stage: 3, why: `${at}: symbol ${i} does not decode to a printable name` };
    symbols[i] = { name: text.slice(1), type: text[0]!, addr: BigInt.asUintN(64, rel + BigInt(o)) };
  }
  return {
    symbols, relativeBase: rel,
    tables: { offsets: offsetsOff, numSyms: q, names: namesOff, markers: markersOff, seqsOfNames: seqsOff, tokenTable: tokenTableOff, tokenIndex: tokenIndexOff },
  };
}

/** The token table at `off` and the index after it, or why they are not there. */
function readTokens(bytes: Uint8Array, dv: DataView, le: boolean, off: number): { tokens: string[]; tableOff: number; indexOff: number } | string {
  const tokens: string[] = [];
  let t = off;
  for (let i = 0; i < 256; i++) {
    const s = t;
    while (t < bytes.length && bytes[t] !== 0) t++;
    if (t >= bytes.length) return 'the token table runs past the image';
    if (t === s) return `token ${i} is empty`;
    tokens.push(latin1(bytes, s, t));
    t++;
  }
  const indexOff = align8(t);
  if (indexOff + 512 > bytes.length) return 'the token index runs past the image';
  let o = 0;
  for (let i = 0; i < 256; i++) {
    if (dv.getUint16(indexOff + 2 * i, le) !== o) return `token index entry ${i} does not match the token table`;
    o += tokens[i]!.length + 1;
  }
  return { tokens, tableOff: off, indexOff };
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Symbol-table entries for kallsyms symbols (unsized: each extends to the next one), rebased by `offset`. */
export function kallsymsEntries(symbols: readonly KallsymsSymbol[], offset = 0n): SymbolEntry[] {
  return symbols.map((s) => {
    const lower = s.type.toLowerCase();
    const type = lower === 't' || lower === 'w' ? STT_FUNC : 'dbrgsv'.includes(lower) ? STT_OBJECT : STT_NOTYPE;
    const bind = lower === 'w' || lower === 'v' ? STB_WEAK : s.type === lower ? STB_LOCAL : STB_GLOBAL;
    return { name: s.name, addr: BigInt.asUintN(64, s.addr + offset), size: 0n, type, bind, shndx: 1 };
  });
}
