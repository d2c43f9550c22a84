// Help for the names an assembly line uses besides mnemonics: general registers (number,
// n64 ABI name and role), FPU registers, CP0 registers (name, number/select and fields —
// from the debugger's own CP0 description, src/emulator/debug/cp0-fields.ts) and the
// assembler's directives (the list exported by the assembler: every one has a text here).

import { CPU_5KEC, CpuModel } from '../emulator/cpu/cpu-models';
import type { Cpu } from '../emulator/cpu/cpu';
import { CP0_REGS, Cp0Field } from '../emulator/debug/cp0-fields';
import { CP0_NAMES, CP0_SEL_NAMES, GPR_NAMES, parseCp0Name, parseGpr } from '../emulator/isa/registers';

const GPR_ROLES: readonly string[] = [
  'always zero (writes are ignored)', 'assembler temporary (used by pseudo-instructions unless .set noat)',
  'function result', 'function result (second)',
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `argument ${i} (n64)`),
  ...[0, 1, 2, 3].map((i) => `temporary (caller-saved) t${i}`),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `saved (callee-saved) s${i}`),
  'temporary (caller-saved) t8', 'temporary t9 (PIC: address of the called function)',
  'reserved for the kernel (exception handlers)', 'reserved for the kernel (exception handlers)',
  'global pointer', 'stack pointer', 'saved register s8 / frame pointer (fp)', 'return address (written by jal/bal/jalr)',
];

/** Register number, ABI name and role of a GPR operand (`$a0`, `$4`, `a0`, `$fp`). */
export function describeGpr(text: string): { num: number; name: string; role: string } | undefined {
  const n = parseGpr(text);
  if (n === undefined) return undefined;
  return { num: n, name: GPR_NAMES[n], role: GPR_ROLES[n] };
}

/** `$f0`..`$f31`. */
export function describeFpr(text: string): string | undefined {
  const m = /^\$f(\d+)$/.exec(text);
  if (!m || Number(m[1]) > 31) return undefined;
  const n = Number(m[1]);
  const role = n === 0 || n === 2 ? 'floating-point result (n64)' : n >= 12 && n <= 19 ? `floating-point argument ${n - 12} (n64)`
    : n >= 24 ? 'callee-saved (n64)' : 'temporary (caller-saved)';
  return `FPU register ${n}: ${role}.`;
}

/**
 * The debugger's CP0 field lists need a CPU only for its address widths and TLB size: a
 * model supplies them (the 5KEc when none is given).
 */
function cpuShape(model: CpuModel): Cpu {
  return { segBits: model.segBits, paBits: model.paBits, tlb: { size: model.tlbEntries } } as unknown as Cpu;
}

export interface Cp0Doc { name: string; reg: number; sel: number; title?: string; bits?: number; fields: readonly Cp0Field[] }

/** A CP0 register by its assembler name (`c0_status`, `c0_config1`), or undefined. */
export function describeCp0(text: string, model: CpuModel = CPU_5KEC): Cp0Doc | undefined {
  const k = parseCp0Name(text);
  if (k === undefined) return undefined;
  return cp0Doc(k >> 3, k & 7, text, model);
}

/** A CP0 register by number and select (`$12` with select 0, or `$16, 1`). */
export function cp0Doc(reg: number, sel: number, name?: string, model: CpuModel = CPU_5KEC): Cp0Doc {
  const def = CP0_REGS.find((d) => d.reg === reg && d.sel === sel);
  const n = name ?? (sel === 0 ? CP0_NAMES[reg] : CP0_SEL_NAMES.get(reg * 8 + sel)) ?? `$${reg},${sel}`;
  return { name: n, reg, sel, title: def?.title, bits: def?.bits, fields: def ? def.fields(cpuShape(model)) : [] };
}

/** Every CP0 register name the assembler accepts, with its number and select. */
export function cp0Names(): Array<{ name: string; reg: number; sel: number }> {
  const out: Array<{ name: string; reg: number; sel: number }> = [];
  CP0_NAMES.forEach((n, i) => { if (!n.startsWith('$')) out.push({ name: n, reg: i, sel: 0 }); });
  for (const [k, n] of CP0_SEL_NAMES) out.push({ name: n, reg: k >> 3, sel: k & 7 });
  return out;
}

/** Markdown lines for a CP0 register. */
export function cp0Markdown(d: Cp0Doc): string[] {
  const head = `**${d.name}** — CP0 register ${d.reg}, select ${d.sel}${d.title ? ` (${d.title}${d.bits ? `, ${d.bits}-bit` : ''})` : ''}`;
  const out = [head];
  if (d.fields.length) {
    out.push('', '| field | bits |', '|---|---|');
    for (const f of [...d.fields].sort((a, b) => b.lsb - a.lsb)) {
      out.push(`| ${f.name} | ${f.width === 1 ? f.lsb : `${f.lsb + f.width - 1}..${f.lsb}`} |`);
    }
  }
  return out;
}

const DIRECTIVE_DOCS: Record<string, string> = {
  '.text': 'Assemble into the code section.', '.data': 'Assemble into the initialized data section.',
  '.bss': 'Assemble into the zero-initialized section (only zeros and .space).', '.rodata': 'Assemble into the read-only data section.',
  '.section': '`.section name[, "flags"[, @type]]`: switch to a named section (flags a=alloc, w=write, x=exec).',
  '.previous': 'Accepted for compatibility (no effect here).',
  '.globl': '`.globl sym`: make a symbol global (visible in the ELF symbol table).', '.global': 'Same as .globl.',
  '.local': 'Accepted for compatibility.', '.weak': 'Accepted for compatibility (symbols are not weak here).',
  '.hidden': 'Accepted for compatibility.', '.protected': 'Accepted for compatibility.', '.extern': 'Accepted for compatibility.',
  '.type': '`.type sym, @function|@object`: the ELF symbol type.', '.size': '`.size sym, expr`: the ELF symbol size (often `.-sym`).',
  '.ent': '`.ent func`: start of a function (debug information; folding range).', '.end': '`.end func`: end of a function.',
  '.frame': 'Stack frame description (accepted, no effect).', '.mask': 'Saved GPR mask (accepted, no effect).',
  '.fmask': 'Saved FPR mask (accepted, no effect).', '.file': 'Source file name (accepted, no effect).',
  '.loc': 'Line information (accepted, no effect).', '.ident': 'Identification string (accepted, no effect).',
  '.gnu_attribute': 'GNU object attribute (accepted, no effect).', '.module': 'Module options such as `arch=` (accepted, no effect).',
  '.abicalls': 'PIC calling convention marker (accepted; code is linked at a fixed address).', '.option': 'Accepted, no effect.',
  '.nan': 'NaN encoding (accepted, no effect).', '.insn': 'Marks a label as code (accepted, no effect).',
  '.cpload': 'PIC $gp setup (accepted, no effect).', '.cprestore': 'PIC $gp restore (accepted, no effect).',
  '.cpsetup': 'PIC $gp setup, n64 (accepted, no effect).', '.cpreturn': 'PIC $gp restore, n64 (accepted, no effect).',
  '.aent': 'Alternative function entry (accepted, no effect).', '.mdebug': 'Accepted, no effect.',
  '.addrsig': 'Accepted, no effect.', '.addrsig_sym': 'Accepted, no effect.',
  '.include': '`.include "file"`: assemble another file here (searched beside this file, then in the include paths).',
  '.macro': '`.macro name [arg[=default|:req|:vararg], …]` … `.endm`: define a macro; `\\arg` in the body is replaced, `\\@` counts expansions.',
  '.endm': 'End of a .macro definition.',
  '.entry': '`.entry sym`: the ELF entry point (default `start`, then `_start`, then the origin).',
  '.set': '`.set noreorder|reorder`, `noat|at`, `push|pop`, `arch=…`, ASEs (`dsp`, `mt`, `msa`, `virt`, `mips3d`), or `.set sym, value`.',
  '.equ': '`.equ sym, value`: define an absolute symbol.', '.equiv': '`.equiv sym, value`: define an absolute symbol.',
  '.org': '`.org offset[, fill]`: move the location counter forward to an offset in the section.',
  '.align': '`.align n[, fill]`: align to 2^n bytes.', '.p2align': '`.p2align n[, fill]`: align to 2^n bytes.',
  '.balign': '`.balign bytes[, fill]`: align to a byte boundary.',
  '.space': '`.space n[, fill]`: reserve n bytes.', '.skip': 'Same as .space.', '.zero': '`.zero n`: n zero bytes.',
  '.byte': '`.byte v, …`: 8-bit values.', '.half': '`.half v, …`: 16-bit values (aligned).', '.hword': 'Same as .half.',
  '.short': 'Same as .half.', '.word': '`.word v, …`: 32-bit values (aligned).', '.int': 'Same as .word.', '.long': 'Same as .word.',
  '.dword': '`.dword v, …`: 64-bit values (aligned).', '.quad': 'Same as .dword.', '.8byte': 'Same as .dword.',
  '.ascii': '`.ascii "text", …`: bytes of strings, no terminator.', '.asciz': '`.asciz "text", …`: strings with a NUL terminator.',
  '.string': 'Same as .asciz.',
};

/** Help for a directive (lower case, with its dot), or undefined. */
export function describeDirective(name: string): string | undefined {
  return DIRECTIVE_DOCS[name];
}
