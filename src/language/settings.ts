// The language server's settings: CPU model (an assembler model name, or a CPU model of
// the emulator such as `5KEc`/`octeon2`, mapped through cpu-models.ts), byte order,
// include paths, and whether formatting is on. Read from the client's
// initializationOptions and `workspace/didChangeConfiguration` ({ mips64: { asm: … } } or
// the same keys at the top level, for editors other than VS Code). Bad values fall back to
// the defaults, with a message.

import { CPU_MODELS } from '../emulator/cpu/cpu-models';
import { CpuModelName, MODEL_ISA } from '../emulator/isa/decoder';

export interface Settings {
  readonly model: CpuModelName;
  readonly endian: 'little' | 'big';
  readonly includePaths: readonly string[];
  readonly formatting: boolean;
}

export const DEFAULT_SETTINGS: Settings = { model: 'mips64r2', endian: 'little', includePaths: [], formatting: false };

/** Assembler model names, then the emulator's CPU models that map to one. */
export function knownModels(): string[] {
  return [...Object.keys(MODEL_ISA), ...Object.keys(CPU_MODELS).filter((m) => !(m in MODEL_ISA))];
}

/** The assembler model for a setting or a launch configuration's `cpu`, or undefined. */
export function assemblerModel(name: string): CpuModelName | undefined {
  const lower = name.toLowerCase();
  const asm = (Object.keys(MODEL_ISA) as CpuModelName[]).find((m) => m.toLowerCase() === lower);
  if (asm) return asm;
  const cpu = Object.entries(CPU_MODELS).find(([k]) => k.toLowerCase() === lower)?.[1];
  return cpu?.isa;
}

/** Settings from a client's options object; `problems` gets one line per ignored value. */
export function parseSettings(raw: unknown, problems: string[] = []): Settings {
  const o = pick(raw);
  let model = DEFAULT_SETTINGS.model;
  if (typeof o['cpuModel'] === 'string' && o['cpuModel'] !== '') {
    const m = assemblerModel(o['cpuModel']);
    if (m) model = m;
    else problems.push(`unknown CPU model '${o['cpuModel']}' (known: ${knownModels().join(', ')}); using ${model}`);
  }
  let endian = DEFAULT_SETTINGS.endian;
  if (o['endianness'] === 'big' || o['endianness'] === 'little') endian = o['endianness'];
  else if (o['endianness'] !== undefined) problems.push(`endianness must be "little" or "big"; using ${endian}`);
  const inc = o['includePaths'];
  const includePaths = Array.isArray(inc) ? inc.filter((x): x is string => typeof x === 'string' && x !== '') : [];
  const formatting = o['formatting'] === true || (typeof o['format'] === 'object' && o['format'] !== null && (o['format'] as Record<string, unknown>)['enable'] === true);
  return { model, endian, includePaths, formatting };
}

/** The `asm` settings object: { mips64: { asm: {…} } }, { asm: {…} } or the keys themselves. */
function pick(raw: unknown): Record<string, unknown> {
  let o = isObj(raw) ? raw : {};
  if (isObj(o['mips64'])) o = o['mips64'];
  if (isObj(o['asm'])) o = o['asm'];
  return o;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
