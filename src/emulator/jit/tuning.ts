// The translating engine's tuning knobs as text ("hot=20000,region=4,runner=off"), parsed
// into JitOptions. The CLI (--tune, or MIPS64_TUNE in its environment) and the debug adapter
// (launch attribute `tune`) resolve them; nothing inside the emulator reads the environment.

import type { JitOptions } from './engine';

const KNOBS: Record<string, { doc: string; set(o: JitOptions, v: string): void }> = {
  hot: { doc: 'heat at which a block is translated (integer ≥ 0)', set: (o, v) => { o.hot = int(v, 0, 2 ** 31); } },
  wasm: { doc: 'the WebAssembly tier (on|off)', set: (o, v) => { o.wasm = onOff(v); } },
  runner: { doc: 'the WebAssembly cold-code runner (on|off)', set: (o, v) => { o.runner = onOff(v); } },
  region: { doc: 'blocks per WebAssembly region (1–64)', set: (o, v) => { o.regionBlocks = int(v, 1, 64); } },
};

/** One line per knob, for help texts. */
export const TUNING_HELP = Object.entries(KNOBS).map(([k, d]) => `${k}: ${d.doc}`).join('; ');

function int(v: string, lo: number, hi: number): number {
  if (!/^\d+$/.test(v)) throw new Error(`expected an integer, got "${v}"`);
  const n = Number(v);
  if (n < lo || n > hi) throw new Error(`${n} is out of range ${lo}..${hi}`);
  return n;
}

function onOff(v: string): boolean {
  if (v === 'on' || v === '1' || v === 'true') return true;
  if (v === 'off' || v === '0' || v === 'false') return false;
  throw new Error(`expected on or off, got "${v}"`);
}

/** Parses "key=value,…" (blank: no options). Throws a one-line error naming the bad knob. */
export function parseJitTuning(spec: string): JitOptions {
  const o: JitOptions = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const knob = Object.hasOwn(KNOBS, key) ? KNOBS[key] : undefined;
    if (!knob) throw new Error(`unknown tuning knob "${key.slice(0, 40)}" (known: ${Object.keys(KNOBS).join(', ')})`);
    if (eq < 0) throw new Error(`tuning knob "${key}" needs a value (${knob.doc})`);
    try { knob.set(o, part.slice(eq + 1)); } catch (e) { throw new Error(`tuning knob "${key}": ${(e as Error).message}`); }
  }
  return o;
}
