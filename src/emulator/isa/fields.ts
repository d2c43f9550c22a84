// The instruction fields the semantics read, defined once: bit position, width, and how
// the value is formed (sign extension, scale, bias). Every engine extracts them from these
// definitions — the interpreter and the WebAssembly cold-code runner at run time, the
// translated regions as constants (isa/semantics.ts, jit/wasm/ir-wasm.ts, cpu/ir-js.ts).

export interface FieldDef {
  /** Lowest bit. */
  readonly shift: number;
  readonly width: number;
  /** Sign-extend the extracted bits. */
  readonly signed?: boolean;
  /** Multiply by (a power of two), after sign extension. */
  readonly scale?: number;
  /** Added last. */
  readonly bias?: number;
}

export const FIELDS = {
  rs: { shift: 21, width: 5 },
  rt: { shift: 16, width: 5 },
  rd: { shift: 11, width: 5 },
  sa: { shift: 6, width: 5 },
  /** 16-bit immediate, sign-extended (addiu, offsets, branch displacements in words). */
  imm: { shift: 0, width: 16, signed: true },
  /** 16-bit immediate, zero-extended (andi, ori, xori, lui). */
  uimm: { shift: 0, width: 16 },
  /** 26-bit jump index in bytes. */
  jidx: { shift: 0, width: 26, scale: 4 },
  /** CP0 register select. */
  sel: { shift: 0, width: 3 },
  /** ext/dext size − 1, ins/dins msb (bits 15:11). */
  msbd: { shift: 11, width: 5 },
  fs: { shift: 11, width: 5 },
  ft: { shift: 16, width: 5 },
  fd: { shift: 6, width: 5 },
  fr: { shift: 21, width: 5 },
  /** FPU condition code of branches and conditional moves (bits 20:18), and of compares (10:8). */
  cc: { shift: 18, width: 3 },
  cc8: { shift: 8, width: 3 },
  /** Octeon seqi/snei: 10-bit signed immediate (bits 15:6). */
  simm10: { shift: 6, width: 10, signed: true },
  /** The whole instruction word (for helpers that decode it themselves). */
  word: { shift: 0, width: 32 },
} as const satisfies Record<string, FieldDef>;

export type FieldName = keyof typeof FIELDS;

/** The value of field `def` in instruction word `w`. */
export function fieldValue(def: FieldDef, w: number): number {
  let v = (w >>> def.shift) & (def.width === 32 ? -1 : (1 << def.width) - 1);
  if (def.signed && def.width < 32) v = (v << (32 - def.width)) >> (32 - def.width);
  if (def.scale !== undefined) v *= def.scale;
  return v + (def.bias ?? 0);
}
