// Comparing two checkpoints (for "MIPS64: Compare Checkpoints" and `mips64 checkpoint
// diff`): CPU registers by name, CP0 fields, TLB entries, FPU, every other component's
// fields, and the RAM pages whose contents differ, merged into ranges. Works on the
// files alone: component states are decoded with the specs stored in the checkpoints.

import { GPR_NAMES } from '../isa/registers';
import { decodePage, readComponents, StoredComponent, walkPages } from './checkpoint';
import { PAGE_SHIFT, PAGE_SIZE, PageDecoder } from './compress';
import { CheckpointError, ParsedCheckpoint } from './format';
import { decodeStateAs, StateError } from './state';

export interface FieldDiff {
  component: string;
  field: string;
  a: string;
  b: string;
}

export interface TlbEntryView {
  pageMask: string;
  entryHi: string;
  entryLo0: string;
  entryLo1: string;
}

export interface TlbDiff {
  index: number;
  a: TlbEntryView;
  b: TlbEntryView;
}

/** RAM byte range [start, end) by RAM offset (the physical address on both boards for RAM below 256 MiB). */
export interface PageRange {
  start: number;
  end: number;
}

export interface CheckpointSummary {
  id: string;
  name: string;
  kind: string;
  icount: number;
  hash: string;
}

export interface CheckpointDiff {
  a: CheckpointSummary;
  b: CheckpointSummary;
  /** General-purpose registers (by n64 name), HI/LO, PC and the other CPU fields. */
  registers: FieldDiff[];
  cp0: FieldDiff[];
  tlb: TlbDiff[];
  fpu: FieldDiff[];
  /** Every other component: devices, the machine's power state. */
  devices: FieldDiff[];
  componentsOnlyInA: string[];
  componentsOnlyInB: string[];
  pages: { count: number; bytes: number; ranges: PageRange[] };
  /** Nothing differs (state and RAM); instruction counts and names may still. */
  identical: boolean;
}

/** Element diffs listed per array field before the rest is summarised. */
const MAX_ELEMENT_DIFFS = 64;

export function diffCheckpoints(chainA: readonly ParsedCheckpoint[], chainB: readonly ParsedCheckpoint[]): CheckpointDiff {
  const ta = chainA[chainA.length - 1], tb = chainB[chainB.length - 1];
  const summary = (p: ParsedCheckpoint): CheckpointSummary =>
    ({ id: p.header.id, name: p.header.name, kind: p.header.kind, icount: p.header.icount, hash: p.hash });
  const ca = decodeAll(ta), cb = decodeAll(tb);
  const out: CheckpointDiff = {
    a: summary(ta), b: summary(tb), registers: [], cp0: [], tlb: [], fpu: [], devices: [],
    componentsOnlyInA: [...ca.keys()].filter((k) => !cb.has(k)),
    componentsOnlyInB: [...cb.keys()].filter((k) => !ca.has(k)),
    pages: { count: 0, bytes: 0, ranges: [] },
    identical: false,
  };
  for (const [name, va] of ca) {
    const vb = cb.get(name);
    if (!vb) continue;
    if (name === 'cpu0') diffCpu(va.values, vb.values, out.registers, va.stored.spec.fields);
    else if (name === 'cpu0.tlb') diffTlb(va.values, vb.values, out.tlb);
    else {
      const list = name === 'cpu0.cp0' ? out.cp0 : name === 'cpu0.fpu' ? out.fpu : out.devices;
      diffFields(name, va, vb, list);
    }
  }
  out.pages = diffPages(chainA, chainB);
  out.identical = out.registers.length + out.cp0.length + out.tlb.length + out.fpu.length + out.devices.length === 0
    && out.componentsOnlyInA.length + out.componentsOnlyInB.length === 0 && out.pages.count === 0;
  return out;
}

interface Decoded { stored: StoredComponent; values: Record<string, unknown> }

function decodeAll(p: ParsedCheckpoint): Map<string, Decoded> {
  const m = new Map<string, Decoded>();
  for (const s of readComponents(p)) {
    try {
      m.set(s.name, { stored: s, values: decodeStateAs(s.spec, s.bytes) });
    } catch (e) {
      if (e instanceof StateError) throw new CheckpointError('state', `checkpoint ${p.header.id}: ${e.message}`);
      throw e;
    }
  }
  return m;
}

// ---- formatting --------------------------------------------------------------------------------

function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

/** An integer count or time in hex (negative ones signed); a fraction stays decimal. */
function hexNumber(v: number): string {
  if (!Number.isSafeInteger(v)) return String(v);
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** A field value as text, hex throughout: 64-bit values, integer registers (32-bit ones as unsigned), counts and times. */
export function formatValue(v: unknown, type?: string): string {
  if (type === 'f64' && typeof v === 'number') return hexNumber(v);
  if (typeof v === 'bigint') return hex64(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff) return `0x${(v >>> 0).toString(16)}`;
    return hexNumber(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const a = Array.from(v as ArrayLike<number>);
    const shown = a.slice(0, 32).map((x) => formatValue(x)).join(', ');
    return `[${shown}${a.length > 32 ? `, … (${a.length} items)` : ''}]`;
  }
  return String(v);
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = a as ArrayLike<unknown>, y = b as ArrayLike<unknown>;
    if (!y || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!same(x[i], y[i])) return false;
    return true;
  }
  return a === b;
}

function diffFields(component: string, a: Decoded, b: Decoded, out: FieldDiff[]): void {
  const fields = new Set([...Object.keys(a.values), ...Object.keys(b.values)]);
  for (const f of fields) {
    const va = a.values[f], vb = b.values[f];
    if (same(va, vb)) continue;
    const ta = a.stored.spec.fields[f];
    if ((ta === 'i32array' || ta === 'f64array' || ta === 'u8array') && ArrayBuffer.isView(va) && ArrayBuffer.isView(vb)) {
      const x = va as unknown as ArrayLike<number>, y = vb as unknown as ArrayLike<number>;
      if (x.length === y.length) {
        let n = 0;
        for (let i = 0; i < x.length; i++) {
          if (same(x[i], y[i])) continue;
          if (n++ < MAX_ELEMENT_DIFFS) out.push({ component, field: `${f}[${i}]`, a: formatValue(x[i]), b: formatValue(y[i]) });
        }
        if (n > MAX_ELEMENT_DIFFS) out.push({ component, field: `${f}[…]`, a: `${n - MAX_ELEMENT_DIFFS} more elements differ`, b: '' });
        continue;
      }
    }
    out.push({ component, field: f, a: formatValue(va, ta), b: formatValue(vb, ta) });
  }
}

function diffCpu(a: Record<string, unknown>, b: Record<string, unknown>, out: FieldDiff[], spec: Record<string, string>): void {
  const ra = a.r as Int32Array | undefined, rb = b.r as Int32Array | undefined;
  const pair = (r: Int32Array, i: number): bigint => (BigInt(r[i + 1]) << 32n) | BigInt(r[i] >>> 0);
  if (ra && rb && ra.length === rb.length) {
    const names = [...GPR_NAMES.map((n) => `$${n}`), 'lo', 'hi'];
    for (let i = 0; i < ra.length / 2; i++) {
      const x = pair(ra, 2 * i), y = pair(rb, 2 * i);
      if (x !== y) out.push({ component: 'cpu0', field: names[i] ?? `r${i}`, a: hex64(x), b: hex64(y) });
    }
  }
  const big = (v: Record<string, unknown>, hi: string, lo: string): bigint =>
    (BigInt(v[hi] as number) << 32n) | BigInt((v[lo] as number) >>> 0);
  const combined: Array<[string, string, string]> = [['pc', 'pcHi', 'pcLo'], ['delaySlotTarget', 'dsHi', 'dsLo']];
  for (const [name, hi, lo] of combined) {
    if (!(hi in a) || !(hi in b)) continue;
    const x = big(a, hi, lo), y = big(b, hi, lo);
    if (x !== y) out.push({ component: 'cpu0', field: name, a: hex64(x), b: hex64(y) });
  }
  const skip = new Set(['r', 'pcHi', 'pcLo', 'dsHi', 'dsLo']);
  for (const f of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (skip.has(f) || same(a[f], b[f])) continue;
    out.push({ component: 'cpu0', field: f, a: formatValue(a[f], spec[f]), b: formatValue(b[f], spec[f]) });
  }
}

function tlbView(e: Float64Array, i: number): TlbEntryView {
  const b = i * 5;
  const hi = (BigInt(e[b + 1]) << 32n) | BigInt(e[b + 2] >>> 0);
  const h = (n: number): string => `0x${n.toString(16)}`;
  return { pageMask: h(e[b]), entryHi: hex64(hi), entryLo0: h(e[b + 3]), entryLo1: h(e[b + 4]) };
}

function diffTlb(a: Record<string, unknown>, b: Record<string, unknown>, out: TlbDiff[]): void {
  const ea = a.entries as Float64Array, eb = b.entries as Float64Array;
  const n = Math.max(ea.length, eb.length) / 5;
  const empty = new Float64Array(5);
  for (let i = 0; i < n; i++) {
    let differs = false;
    for (let k = 0; k < 5; k++) if (!same(ea[i * 5 + k] ?? 0, eb[i * 5 + k] ?? 0)) differs = true;
    if (!differs) continue;
    out.push({
      index: i,
      a: i * 5 < ea.length ? tlbView(ea, i) : tlbView(empty, 0),
      b: i * 5 < eb.length ? tlbView(eb, i) : tlbView(empty, 0),
    });
  }
}

// ---- pages ----------------------------------------------------------------------------------------

interface PageSource { file: ParsedCheckpoint; at: number; rec: Parameters<typeof decodePage>[1] }

/** The record that last wrote each page along a chain (undefined: zero). */
function pageMap(chain: readonly ParsedCheckpoint[], pages: number): Array<PageSource | undefined> {
  const map = new Array<PageSource | undefined>(pages);
  const ramPages = chain[0].header.machine.ramBytes >>> PAGE_SHIFT;
  for (const file of chain) {
    walkPages(file, ramPages, (rec) => { map[rec.page] = { file, at: rec.at, rec }; });
  }
  return map;
}

function diffPages(chainA: readonly ParsedCheckpoint[], chainB: readonly ParsedCheckpoint[]): CheckpointDiff['pages'] {
  const pa = chainA[0].header.machine.ramBytes >>> PAGE_SHIFT, pb = chainB[0].header.machine.ramBytes >>> PAGE_SHIFT;
  const pages = Math.max(pa, pb);
  const ma = pageMap(chainA, pages), mb = pageMap(chainB, pages);
  const bufA = new Uint8Array(PAGE_SIZE), bufB = new Uint8Array(PAGE_SIZE);
  const decA = new PageDecoder(), decB = new PageDecoder();
  const ranges: PageRange[] = [];
  let count = 0;
  for (let p = 0; p < pages; p++) {
    const a = ma[p], b = mb[p];
    if (a === undefined && b === undefined) continue;
    if (a && b && a.file.bytes === b.file.bytes && a.at === b.at) continue;
    if (a) decodePage(a.file.bytes, a.rec, bufA, 0, decA); else bufA.fill(0);
    if (b) decodePage(b.file.bytes, b.rec, bufB, 0, decB); else bufB.fill(0);
    let eq = true;
    for (let i = 0; i < PAGE_SIZE; i++) if (bufA[i] !== bufB[i]) { eq = false; break; }
    if (eq) continue;
    count++;
    const start = p << PAGE_SHIFT;
    const last = ranges[ranges.length - 1];
    if (last && last.end === start) last.end = start + PAGE_SIZE;
    else ranges.push({ start, end: start + PAGE_SIZE });
  }
  return { count, bytes: count * PAGE_SIZE, ranges };
}

/** A plain-text rendering of a diff (CLI). */
export function formatDiff(d: CheckpointDiff): string[] {
  const lines: string[] = [];
  lines.push(`A: ${d.a.name} (${d.a.id}, ${d.a.kind}, instruction ${hexNumber(d.a.icount)})`);
  lines.push(`B: ${d.b.name} (${d.b.id}, ${d.b.kind}, instruction ${hexNumber(d.b.icount)})`);
  if (d.identical) { lines.push('identical machine state and RAM'); return lines; }
  const fields = (title: string, l: FieldDiff[]): void => {
    if (l.length === 0) return;
    lines.push(`${title}:`);
    const w = Math.max(...l.map((f) => f.field.length + (f.component.startsWith('cpu0') ? 0 : f.component.length + 1)));
    for (const f of l) {
      const name = f.component.startsWith('cpu0') ? f.field : `${f.component}.${f.field}`;
      lines.push(`  ${name.padEnd(w)}  ${f.a}${f.b !== '' ? ` -> ${f.b}` : ''}`);
    }
  };
  fields('registers', d.registers);
  fields('cp0', d.cp0);
  if (d.tlb.length > 0) {
    lines.push('tlb:');
    for (const t of d.tlb) {
      lines.push(`  [${t.index}] A: mask ${t.a.pageMask} hi ${t.a.entryHi} lo0 ${t.a.entryLo0} lo1 ${t.a.entryLo1}`);
      lines.push(`  ${' '.repeat(String(t.index).length + 2)} B: mask ${t.b.pageMask} hi ${t.b.entryHi} lo0 ${t.b.entryLo0} lo1 ${t.b.entryLo1}`);
    }
  }
  fields('fpu', d.fpu);
  fields('devices', d.devices);
  if (d.componentsOnlyInA.length) lines.push(`only in A: ${d.componentsOnlyInA.join(', ')}`);
  if (d.componentsOnlyInB.length) lines.push(`only in B: ${d.componentsOnlyInB.join(', ')}`);
  lines.push(`pages: ${d.pages.count} differ (${(d.pages.bytes / 1024).toFixed(0)} KiB)`);
  for (const r of d.pages.ranges.slice(0, 200)) {
    lines.push(`  0x${r.start.toString(16).padStart(8, '0')}-0x${(r.end - 1).toString(16).padStart(8, '0')} (${(r.end - r.start) >>> PAGE_SHIFT} pages)`);
  }
  if (d.pages.ranges.length > 200) lines.push(`  … ${d.pages.ranges.length - 200} more ranges`);
  return lines;
}
