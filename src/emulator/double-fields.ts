// How the emulator's hot objects keep their V8 shape for the whole run.
//
// Instruction counts pass 2^30 — V8's small-integer range — within a second of a Linux
// boot. A number field that held only small integers and then gets a larger value changes
// representation (integer → double), and a field stored once and first changed much later
// (the first ll, the first TLB write) stops being a constant: either way V8 changes the
// object's map and deoptimizes every optimized function that relied on the old one (for
// the Cpu: most of the emulator), then recompiles them on its one compile thread, which
// the WebAssembly tier also needs (boot: ~490 ms of recompilation). So the hot objects'
// fields take their final kind at construction.

/** Makes V8 store the named number fields of `obj` as doubles (their values unchanged). */
export function storeAsDoubles<T extends object>(obj: T, ...fields: Array<keyof T>): void {
  const o = obj as Record<keyof T, unknown>;
  for (const f of fields) {
    const v = o[f];
    o[f] = 0.5; // (not a small integer: the field's representation becomes double)
    o[f] = v;
  }
}

/**
 * Marks every own number, boolean and BigInt field of `obj` as variable for V8 (stores
 * another value of the same kind, then the value back), so the first real change later
 * does not deoptimize code that took the field for a constant.
 */
export function markFieldsVariable(obj: object): void {
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'number') {
      // (A small integer stays one; anything else is a double already.)
      o[k] = Number.isInteger(v) && Math.abs(v) < 2 ** 29 ? v ^ 1 : 0.5;
      o[k] = v;
    } else if (typeof v === 'boolean') {
      o[k] = !v;
      o[k] = v;
    } else if (typeof v === 'bigint') {
      o[k] = v + 1n;
      o[k] = v;
    } else if (v === undefined) {
      // (An object later: the field's type becomes "any object" now.)
      o[k] = {};
      o[k] = v;
    }
  }
}
