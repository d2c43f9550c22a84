// A small checker for JSON values against declared shapes, for the arguments of DAP
// requests (dap-shapes.ts). A mismatch is one line naming the path and what was
// expected: "arguments.breakpoints[2].line must be an integer from 1 to 2147483647
// (got 9007199254740992)". Objects are open (clients add their own properties, e.g.
// VS Code's `__sessionId`); only the declared properties are checked.

export type Shape =
  | { readonly kind: 'string'; readonly maxLength?: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly integer: boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'array'; readonly of: Shape; readonly maxLength?: number }
  | { readonly kind: 'object'; readonly props: Readonly<Record<string, Shape>>; readonly required: readonly string[] }
  | { readonly kind: 'record'; readonly of: Shape }
  | { readonly kind: 'oneOf'; readonly of: readonly Shape[] }
  | { readonly kind: 'any' };

/** Integers that address things (ids, counts, offsets) stay exact as doubles. */
const SAFE = Number.MAX_SAFE_INTEGER;

export const str = (maxLength?: number): Shape => ({ kind: 'string', maxLength });
export const bool: Shape = { kind: 'boolean' };
export const int = (min = -SAFE, max = SAFE): Shape => ({ kind: 'number', min, max, integer: true });
export const num = (min = -Number.MAX_VALUE, max = Number.MAX_VALUE): Shape => ({ kind: 'number', min, max, integer: false });
export const oneOfValues = (...values: string[]): Shape => ({ kind: 'enum', values });
export const arr = (of: Shape, maxLength?: number): Shape => ({ kind: 'array', of, maxLength });
export const record = (of: Shape): Shape => ({ kind: 'record', of });
export const oneOf = (...of: Shape[]): Shape => ({ kind: 'oneOf', of });
export const any: Shape = { kind: 'any' };
/** An object; properties named in `required` must be present (the others may be absent or null). */
export const obj = (props: Record<string, Shape>, required: string[] = []): Shape => ({ kind: 'object', props, required });

/** The problem with `v` at `path`, or undefined when it has the shape. */
export function checkShape(v: unknown, s: Shape, path: string): string | undefined {
  switch (s.kind) {
    case 'any': return undefined;
    case 'string':
      if (typeof v !== 'string') return `${path} must be a string (got ${describe(v)})`;
      if (s.maxLength !== undefined && v.length > s.maxLength) return `${path} must be at most ${s.maxLength} characters long (got ${v.length})`;
      return undefined;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `${path} must be true or false (got ${describe(v)})`;
    case 'number': {
      const ok = typeof v === 'number' && Number.isFinite(v) && v >= s.min && v <= s.max && (!s.integer || Number.isInteger(v));
      if (ok) return undefined;
      const what = s.integer ? 'an integer' : 'a number';
      const range = s.min === -SAFE && s.max === SAFE ? ' (exactly representable)' : s.max === SAFE ? ` of at least ${s.min}` : ` from ${s.min} to ${s.max}`;
      return `${path} must be ${what}${range} (got ${describe(v)})`;
    }
    case 'enum':
      return typeof v === 'string' && s.values.includes(v) ? undefined : `${path} must be one of ${s.values.map((x) => `'${x}'`).join(', ')} (got ${describe(v)})`;
    case 'array': {
      if (!Array.isArray(v)) return `${path} must be an array (got ${describe(v)})`;
      if (s.maxLength !== undefined && v.length > s.maxLength) return `${path} may have at most ${s.maxLength} elements (got ${v.length})`;
      for (let i = 0; i < v.length; i++) {
        const e = checkShape(v[i], s.of, `${path}[${i}]`);
        if (e) return e;
      }
      return undefined;
    }
    case 'record': {
      if (!isObject(v)) return `${path} must be an object (got ${describe(v)})`;
      for (const [k, x] of Object.entries(v)) {
        const e = checkShape(x, s.of, `${path}[${JSON.stringify(k)}]`);
        if (e) return e;
      }
      return undefined;
    }
    case 'object': {
      if (!isObject(v)) return `${path} must be an object (got ${describe(v)})`;
      for (const r of s.required) if (v[r] === undefined || v[r] === null) return `${path}.${r} is required`;
      for (const [k, ps] of Object.entries(s.props)) {
        const x = v[k];
        if (x === undefined || x === null) continue;
        const e = checkShape(x, ps, `${path}.${k}`);
        if (e) return e;
      }
      return undefined;
    }
    case 'oneOf': {
      let first: string | undefined;
      for (const o of s.of) {
        const e = checkShape(v, o, path);
        if (!e) return undefined;
        first ??= e;
      }
      return first;
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of a value for messages (never its whole text). */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  switch (typeof v) {
    case 'string': return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    case 'number': return String(v);
    case 'object': return 'an object';
    case 'undefined': return 'nothing';
    default: return String(v);
  }
}
