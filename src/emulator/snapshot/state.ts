// Declared machine state. Every component keeps its mutable architectural state in one
// plain object described by a StateSpec (named, versioned fields with types). The same
// declaration drives checkpoint save and restore, so no second list of fields exists.
// Caches (translated blocks, host translation cache) are never part of a state object.
//
// Every field's valid values are declared too, and a restore refuses anything else, so a
// checkpoint whose checksums were recomputed over forged values (Wired = 2^53, an
// instruction count of 0.5) cannot put the machine in a state it never could be in.
// The integer types imply their range; f64 fields, arrays, bytes and strings declare
// theirs in `ranges`; relations between fields are `invariants`. A spec's version
// changes with its fields; `minVersion` and `upgrades` let older checkpoints load.

export type FieldType =
  | 'u8' | 'u16' | 'u32' | 'i32' | 'f64' | 'bool' | 'u64' | 'str'
  | 'i32array' | 'u8array' | 'f64array' | 'bytes';

/** The valid values of a field, beyond its type (StateSpec.ranges). */
export interface FieldRange {
  /** Numbers, bigints and array elements: at least / at most (±Infinity allowed for f64). */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  /** Numbers and number-array elements may have a fraction (default: integers only). */
  readonly fraction?: boolean;
  /** f64 and f64array values may be NaN (a field that means "none" so). */
  readonly nan?: boolean;
  /** Arrays, bytes and strings: the element count, exactly or as [min, max]. */
  readonly length?: number | readonly [number, number];
}

/** A state upgrade: values of one version (decoded with that version's own fields) → the next version's. */
export type StateUpgrade = (old: Record<string, unknown>) => Record<string, unknown>;

export interface StateSpec {
  /** Component name, unique in a machine (e.g. "cpu0.cp0", "uart0"). */
  readonly name: string;
  readonly version: number;
  readonly fields: Readonly<Record<string, FieldType>>;
  /**
   * Valid values: required for the fields whose type does not bound them (f64, str and
   * the arrays); optional to narrow an integer type's implied range (u8 0..255, u16
   * 0..65535, u32 −2^31..2^32−1 — components keep some registers signed —, i32).
   */
  readonly ranges?: Readonly<Record<string, FieldRange>>;
  /** Relations between fields: each returns why the values are impossible, or undefined. */
  readonly invariants?: ReadonlyArray<(s: Readonly<Record<string, unknown>>) => string | undefined>;
  /** The oldest state version a restore accepts (default `version`: only the current one). */
  readonly minVersion?: number;
  /** upgrades[v]: the state of version v (minVersion ≤ v < version) as version v + 1 has it. */
  readonly upgrades?: Readonly<Record<number, StateUpgrade>>;
}

/** Field types whose values the type alone does not bound: they must have a range. */
export const UNBOUNDED_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(['f64', 'str', 'i32array', 'u8array', 'f64array', 'bytes']);

export interface Stateful {
  readonly stateSpec: StateSpec;
  /** The live state object whose fields the spec names. */
  readonly state: Record<string, unknown>;
  /** Called after a restore so the component can rebuild derived data (caches). */
  afterRestore?(): void;
}

/** Serialises a component's state to bytes (little-endian, self-describing by spec). */
export function saveState(c: Stateful): Uint8Array {
  const w = new Writer();
  w.str(c.stateSpec.name);
  w.u32(c.stateSpec.version);
  const names = Object.keys(c.stateSpec.fields).sort();
  w.u32(names.length);
  for (const n of names) {
    w.str(n);
    writeField(w, c.stateSpec.fields[n], c.state[n], `${c.stateSpec.name}.${n}`);
  }
  return w.done();
}

export class StateError extends Error {}

/**
 * Parses bytes produced by saveState for `c` and returns the decoded field values
 * without touching the component (so a whole checkpoint can be verified first).
 */
export function decodeState(c: Stateful, bytes: Uint8Array): Record<string, unknown> {
  const out = decodeStateAs(c.stateSpec, bytes);
  checkLiveLengths(c, out);
  return out;
}

/** Typed arrays keep their lengths (the component allocated them for its configuration). */
function checkLiveLengths(c: Stateful, values: Record<string, unknown>): void {
  for (const [f, t] of Object.entries(c.stateSpec.fields)) {
    if (t === 'i32array' || t === 'u8array' || t === 'f64array') {
      const cur = c.state[f] as ArrayLike<number>;
      const nv = values[f] as ArrayLike<number>;
      if (cur.length !== nv.length) throw new StateError(`${c.stateSpec.name}.${f}: length ${nv.length}, expected ${cur.length}`);
    }
  }
}

/**
 * Decodes a component's state saved by an older build (version `stored.version`, with
 * the field list stored beside it) and brings it to the live spec's version through its
 * upgrades; the result is checked like a current state. Throws StateError when that
 * version is newer than this build's, older than the spec's minVersion, or an upgrade is
 * missing.
 */
export function upgradeState(c: Stateful, stored: StateSpec, bytes: Uint8Array): Record<string, unknown> {
  const spec = c.stateSpec;
  const name = spec.name;
  if (stored.version > spec.version) {
    throw new StateError(`${name}: state version ${stored.version} was written by a newer build (this build reads versions ${spec.minVersion ?? spec.version} to ${spec.version})`);
  }
  const min = spec.minVersion ?? spec.version;
  if (stored.version < min) {
    throw new StateError(`${name}: state version ${stored.version} is too old (this build reads versions ${min} to ${spec.version}); take the checkpoint again`);
  }
  let values = decodeStateAs({ name, version: stored.version, fields: stored.fields }, bytes);
  for (let v = stored.version; v < spec.version; v++) {
    const up = spec.upgrades?.[v];
    if (!up) throw new StateError(`${name}: no upgrade from state version ${v} to ${v + 1}`);
    values = up(values);
  }
  checkValues(spec, values);
  checkLiveLengths(c, values);
  return values;
}

/**
 * Decodes saveState bytes with a spec alone (no live component): used to read and
 * compare checkpoints without a machine. Checks name, version, field set and value
 * ranges; typed-array lengths are whatever the bytes say.
 */
export function decodeStateAs(spec: StateSpec, bytes: Uint8Array): Record<string, unknown> {
  const r = new Reader(bytes);
  const name = r.str();
  if (name !== spec.name) throw new StateError(`state for '${name}' given to '${spec.name}'`);
  const version = r.u32();
  if (version !== spec.version) {
    throw new StateError(`${name}: state version ${version} is not supported (expected ${spec.version})`);
  }
  const n = r.u32();
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const field = r.str();
    const type = spec.fields[field];
    if (!type || Object.prototype.hasOwnProperty.call(out, field)) throw new StateError(`${name}: unknown or repeated field '${field}'`);
    let v: unknown;
    try {
      v = readField(r, type);
    } catch (e) {
      throw e instanceof StateError ? new StateError(`${name}.${field}: ${e.message}`) : e;
    }
    if (!inRange(type, v)) throw new StateError(`${name}.${field}: value out of range for ${type}`);
    out[field] = v;
  }
  for (const f of Object.keys(spec.fields)) if (!(f in out)) throw new StateError(`${name}: missing field '${f}'`);
  if (!r.atEnd()) throw new StateError(`${name}: trailing bytes`);
  checkRanges(spec, out);
  return out;
}

/**
 * Checks values (decoded, or produced by upgrades) against a spec: every field present
 * with a value of its type, within its range, and the invariants hold.
 */
export function checkValues(spec: StateSpec, values: Record<string, unknown>): void {
  for (const [f, t] of Object.entries(spec.fields)) {
    if (!(f in values)) throw new StateError(`${spec.name}: missing field '${f}'`);
    if (!hasType(t, values[f]) || !inRange(t, values[f])) throw new StateError(`${spec.name}.${f}: not a valid ${t} value`);
  }
  checkRanges(spec, values);
}

function hasType(t: FieldType, v: unknown): boolean {
  switch (t) {
    case 'u8': case 'u16': case 'u32': case 'i32': case 'f64': return typeof v === 'number';
    case 'bool': return typeof v === 'boolean';
    case 'u64': return typeof v === 'bigint' && v >= 0n && v < 1n << 64n;
    case 'str': return typeof v === 'string';
    case 'i32array': return v instanceof Int32Array;
    case 'u8array': return v instanceof Uint8Array;
    case 'f64array': return v instanceof Float64Array;
    case 'bytes': return Array.isArray(v) && v.every((b) => Number.isInteger(b));
  }
}

/** The implied ranges of the integer types (u32 admits the signed form some components keep). */
const TYPE_RANGES: Partial<Record<FieldType, { min: number; max: number }>> = {
  u8: { min: 0, max: 0xff }, u16: { min: 0, max: 0xffff }, u32: { min: -(2 ** 31), max: 2 ** 32 - 1 }, i32: { min: -(2 ** 31), max: 2 ** 31 - 1 },
};

function show(v: unknown): string {
  return typeof v === 'number' || typeof v === 'bigint' ? String(v) : JSON.stringify(v)?.slice(0, 40) ?? String(v);
}

/** The field's problem with `v` given its range (and its type's), or undefined. */
function rangeProblem(t: FieldType, r: FieldRange | undefined, v: unknown): string | undefined {
  const implied = TYPE_RANGES[t];
  if (!r && !implied) return undefined; // (a spec read from a file: types only)
  const lo = r?.min ?? implied?.min, hi = r?.max ?? implied?.max;
  const scalar = (x: number | bigint): string | undefined => {
    if (typeof x === 'number') {
      if (Number.isNaN(x)) return r?.nan ? undefined : 'NaN is not a valid value';
      if (!r?.fraction && Number.isFinite(x) && !Number.isInteger(x)) return `${x} is not an integer`;
      if (!r?.fraction && !Number.isFinite(x) && lo !== -Infinity && hi !== Infinity) return `${x} is not an integer`;
    }
    if ((lo !== undefined && x < lo) || (hi !== undefined && x > hi)) return `${show(x)} is outside ${show(lo ?? '-∞')}..${show(hi ?? '∞')}`;
    return undefined;
  };
  if (typeof v === 'number' || typeof v === 'bigint') return scalar(v);
  if (typeof v === 'string' || ArrayBuffer.isView(v) || Array.isArray(v)) {
    const n = (v as { length: number }).length;
    const len = r?.length;
    if (len !== undefined) {
      const [a, b] = typeof len === 'number' ? [len, len] : len;
      if (n < a || n > b) return `${n} elements, not ${a === b ? a : `${a}..${b}`}`;
    }
    if (typeof v !== 'string') {
      const a = v as ArrayLike<number>;
      for (let i = 0; i < a.length; i++) {
        const e = scalar(a[i]!);
        if (e) return `element ${i}: ${e}`;
      }
    }
  }
  return undefined;
}

/** Ranges of every field, then the invariants. */
function checkRanges(spec: StateSpec, values: Record<string, unknown>): void {
  for (const [f, t] of Object.entries(spec.fields)) {
    const e = rangeProblem(t, spec.ranges?.[f], values[f]);
    if (e) throw new StateError(`${spec.name}.${f}: ${e}`);
  }
  for (const inv of spec.invariants ?? []) {
    const e = inv(values);
    if (e) throw new StateError(`${spec.name}: ${e}`);
  }
}

/**
 * Sanity check of decoded values: integers for the integer types (components store
 * some u32 registers as signed numbers, so only integrality and magnitude are checked),
 * no NaN anywhere, bytes within 0..255.
 */
function inRange(t: FieldType, v: unknown): boolean {
  switch (t) {
    case 'u8': case 'u16': case 'u32': case 'i32':
      return Number.isInteger(v) && Math.abs(v as number) <= 2 ** 53;
    case 'f64': return !Number.isNaN(v);
    case 'bytes': return (v as number[]).every((b) => b >= 0 && b <= 0xff);
    default: return true;
  }
}

/** Applies decoded values (from decodeState) to the live component. */
export function applyState(c: Stateful, values: Record<string, unknown>): void {
  assignState(c, values);
  c.afterRestore?.();
}

/**
 * Stores decoded values without calling afterRestore: a whole machine is assigned
 * first, then every component rebuilds its derived state (so none of them sees a
 * half-restored neighbour).
 */
export function assignState(c: Stateful, values: Record<string, unknown>): void {
  for (const [f, t] of Object.entries(c.stateSpec.fields)) {
    const v = values[f];
    if (t === 'i32array' || t === 'u8array' || t === 'f64array') {
      (c.state[f] as Int32Array | Uint8Array | Float64Array).set(v as ArrayLike<number>);
    } else {
      c.state[f] = v;
    }
  }
}

export function restoreState(c: Stateful, bytes: Uint8Array): void {
  applyState(c, decodeState(c, bytes));
}

function writeField(w: Writer, t: FieldType, v: unknown, where: string): void {
  switch (t) {
    case 'u8': case 'u16': case 'u32': case 'i32': w.f64(check(v, where)); return;
    case 'f64': w.f64(check(v, where)); return;
    case 'bool': w.u8(v ? 1 : 0); return;
    case 'u64': if (typeof v !== 'bigint') throw new StateError(`${where}: expected bigint`); w.u64(v); return;
    case 'str': w.str(String(v)); return;
    case 'i32array': { const a = v as Int32Array; w.u32(a.length); for (let i = 0; i < a.length; i++) w.i32(a[i]); return; }
    case 'u8array': { const a = v as Uint8Array; w.u32(a.length); w.raw(a); return; }
    case 'f64array': { const a = v as Float64Array; w.u32(a.length); for (let i = 0; i < a.length; i++) w.f64(a[i]); return; }
    case 'bytes': { const a = v as number[]; w.u32(a.length); w.raw(Uint8Array.from(a)); return; }
  }
}

function check(v: unknown, where: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new StateError(`${where}: expected a number`);
  return v;
}

function readField(r: Reader, t: FieldType): unknown {
  switch (t) {
    case 'u8': case 'u16': case 'u32': case 'i32': case 'f64': return r.f64();
    case 'bool': {
      const b = r.u8();
      if (b > 1) throw new StateError(`boolean byte ${b} (expected 0 or 1)`);
      return b === 1;
    }
    case 'u64': return r.u64();
    case 'str': return r.str();
    case 'i32array': { const n = r.count(4); const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = r.i32(); return a; }
    case 'u8array': { const n = r.count(1); return r.raw(n).slice(); }
    case 'f64array': { const n = r.count(8); const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = r.f64(); return a; }
    case 'bytes': { const n = r.count(1); return Array.from(r.raw(n)); }
  }
}

class Writer {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  private n = 0;
  private ensure(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    nb.set(this.buf);
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(v: number): void { this.ensure(1); this.dv.setUint8(this.n, v); this.n += 1; }
  u32(v: number): void { this.ensure(4); this.dv.setUint32(this.n, v >>> 0, true); this.n += 4; }
  i32(v: number): void { this.ensure(4); this.dv.setInt32(this.n, v | 0, true); this.n += 4; }
  f64(v: number): void { this.ensure(8); this.dv.setFloat64(this.n, v, true); this.n += 8; }
  u64(v: bigint): void { this.ensure(8); this.dv.setBigUint64(this.n, BigInt.asUintN(64, v), true); this.n += 8; }
  raw(a: Uint8Array): void { this.ensure(a.length); this.buf.set(a, this.n); this.n += a.length; }
  str(s: string): void { const b = new TextEncoder().encode(s); this.u32(b.length); this.raw(b); }
  done(): Uint8Array { return this.buf.slice(0, this.n); }
}

class Reader {
  private readonly dv: DataView;
  private p = 0;
  constructor(private readonly b: Uint8Array) { this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength); }
  private need(k: number): void { if (this.p + k > this.b.length) throw new StateError('truncated state'); }
  u8(): number { this.need(1); return this.dv.getUint8(this.p++); }
  u32(): number { this.need(4); const v = this.dv.getUint32(this.p, true); this.p += 4; return v; }
  i32(): number { this.need(4); const v = this.dv.getInt32(this.p, true); this.p += 4; return v; }
  f64(): number { this.need(8); const v = this.dv.getFloat64(this.p, true); this.p += 8; return v; }
  u64(): bigint { this.need(8); const v = this.dv.getBigUint64(this.p, true); this.p += 8; return v; }
  count(elem: number): number { const n = this.u32(); this.need(n * elem); return n; }
  raw(n: number): Uint8Array { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  str(): string { const n = this.count(1); return new TextDecoder().decode(this.raw(n)); }
  atEnd(): boolean { return this.p === this.b.length; }
}
