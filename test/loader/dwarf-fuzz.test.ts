// Mutation fuzzing of the DWARF readers: the debug sections of real gcc output (both byte
// orders, DWARF 2 and 5, 32- and 64-bit DWARF, .debug_frame and .eh_frame) get thousands
// of byte flips, overwritten fields (random and huge values) and truncations; the line,
// unit, CFI and type/variable readers (types.ts: name index, types of every variable and
// what they reach) run over each. Every
// mutant must parse or fail with DwarfError — never a RangeError, TypeError or a hang.
// Seed: MIPS64_DWARF_FUZZ_SEED (a number, or `random`); the default is fixed.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseElf, sectionByName } from '../../src/emulator/loader/elf';
import { CallFrameInfo, DwarfError, readLineSection } from '../../src/emulator/loader/dwarf/index';
import { readCompUnits } from '../../src/emulator/loader/dwarf/info';
import { evalExpr } from '../../src/emulator/loader/dwarf/expr';
import { CType, DwarfTypes, resolved, sizeOf, typeName } from '../../src/emulator/loader/dwarf/types';
import { BARE_FLAGS, FIXTURES } from './dwarf-oracle';
import { BE, LE, missing, readBytes, run, TempDir } from './toolchain';

const env = process.env.MIPS64_DWARF_FUZZ_SEED;
const SEED = (env === 'random' ? (Date.now() ^ (process.pid << 10)) : env ? Number(env) : 0x44574146) >>> 0 || 1; // 'DWAF'
const MUTANTS = 3000;

/** xorshift128 */
class Rng {
  private s = [0, 0, 0, 0];
  constructor(seed: number) { this.s = [seed, seed ^ 0x9e3779b9, seed ^ 0x7f4a7c15, seed ^ 0x85ebca6b].map((x) => x >>> 0 || 1); for (let i = 0; i < 16; i++) this.next(); }
  next(): number {
    let t = this.s[3]!;
    const s = this.s[0]!;
    this.s[3] = this.s[2]!; this.s[2] = this.s[1]!; this.s[1] = s;
    t ^= t << 11; t ^= t >>> 8;
    this.s[0] = (t ^ s ^ (s >>> 19)) >>> 0;
    return this.s[0];
  }
  below(n: number): number { return n <= 0 ? 0 : Math.floor((this.next() / 0x100000000) * n); }
}

const NAMES = ['.debug_line', '.debug_info', '.debug_abbrev', '.debug_str', '.debug_line_str', '.debug_frame', '.eh_frame'] as const;
type Sections = Partial<Record<(typeof NAMES)[number], Uint8Array>> & { little: boolean; ehAddr: bigint };

/** Runs every reader over the sections, and the CFI interpreter and expression evaluator at FDE PCs. */
function exercise(s: Sections): number {
  let work = 0;
  const units = s['.debug_info'] && s['.debug_abbrev']
    ? readCompUnits({ info: s['.debug_info'], abbrev: s['.debug_abbrev'], little: s.little, str: s['.debug_str'], lineStr: s['.debug_line_str'] }) : [];
  if (s['.debug_info'] && s['.debug_abbrev']) {
    // Types and variables: the name index, every variable's type and what it reaches.
    const types = new DwarfTypes({ info: s['.debug_info'], abbrev: s['.debug_abbrev'], little: s.little, str: s['.debug_str'], lineStr: s['.debug_line_str'] });
    const seen = new Set<CType>();
    const walk = (t: CType, depth: number): void => {
      if (seen.has(t) || depth > 8) return;
      seen.add(t);
      work++;
      typeName(t);
      sizeOf(t);
      const r = resolved(t);
      if (r.kind === 'struct' || r.kind === 'union') for (const m of r.members) walk(m.type, depth + 1);
      else if (r.kind === 'pointer') walk(r.target, depth + 1);
      else if (r.kind === 'array') walk(r.element, depth + 1);
    };
    for (const n of types.variableNames().slice(0, 32)) { const v = types.variable(n); if (v) walk(v.type, 0); }
  }
  const dirs = new Map(units.filter((u) => u.stmtList !== undefined).map((u) => [u.stmtList!, u.compDir]));
  if (s['.debug_line']) for (const p of readLineSection({ line: s['.debug_line'], little: s.little, str: s['.debug_str'], lineStr: s['.debug_line_str'] }, dirs)) work += p.rows.length;
  const cfi = new CallFrameInfo();
  if (s['.debug_frame']) cfi.add({ data: s['.debug_frame'], kind: 'debug_frame', addr: 0n, little: s.little, addressSize: 8 });
  if (s['.eh_frame']) cfi.add({ data: s['.eh_frame'], kind: 'eh_frame', addr: s.ehAddr, little: s.little, addressSize: 8 });
  for (const f of cfi.fdes.slice(0, 64)) {
    for (const pc of [f.pcBegin, f.pcBegin + (f.pcEnd - f.pcBegin) / 2n, f.pcEnd - 1n]) {
      const r = cfi.rulesAt(pc);
      if (!r) continue;
      work++;
      const ctx = { little: s.little, addressSize: 8, reg: (n: number) => BigInt(n) * 0x100n, read: (a: bigint) => a ^ 0x5an };
      if (r.cfa.kind === 'expr') evalExpr(r.cfa.expr, ctx);
      for (const rule of r.regs.values()) if (rule.kind === 'expr' || rule.kind === 'val_expr') evalExpr(rule.expr, ctx, [0x1000n]);
    }
  }
  return work;
}

function mutate(rng: Rng, orig: Sections): { s: Sections; what: string } {
  const present = NAMES.filter((n) => orig[n]);
  const name = present[rng.below(present.length)]!;
  const b = new Uint8Array(orig[name]!);
  const s: Sections = { ...orig, [name]: b };
  const kind = rng.below(5);
  const at = rng.below(b.length);
  switch (kind) {
    case 0: { const n = 1 + rng.below(8); for (let i = 0; i < n; i++) b[rng.below(b.length)] ^= 1 << rng.below(8); return { s, what: `${name}: ${n} bit flips` }; }
    case 1: b[at] = rng.below(256); return { s, what: `${name}[0x${at.toString(16)}] = random byte` };
    case 2: { const v = [0xff, 0x7f, 0x80, 0x00][rng.below(4)]!; for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = v; return { s, what: `${name}[0x${at.toString(16)}..+4] = 0x${v.toString(16)}` }; }
    case 3: return { s: { ...orig, [name]: b.subarray(0, at) }, what: `${name} truncated to 0x${at.toString(16)}` };
    default: { const v = rng.next(); new DataView(b.buffer).setUint32(Math.min(at, Math.max(0, b.length - 4)), v, s.little); return { s, what: `${name}[0x${at.toString(16)}] = 0x${v.toString(16)} (u32)` }; }
  }
}

const skip = missing(`${LE}-gcc`, `${BE}-gcc`) ?? false;

test(`DWARF readers: ${MUTANTS} mutants of real debug sections throw only DwarfError (seed 0x${SEED.toString(16)})`, { skip, timeout: 300_000 }, () => {
  console.log(`# dwarf fuzz seed 0x${SEED.toString(16)} (MIPS64_DWARF_FUZZ_SEED=random explores)`);
  const tmp = new TempDir();
  const inputs: Sections[] = [];
  try {
    const variants: Array<[string, string[]]> = [
      [LE, ['-O2', '-gdwarf-5', '-gno-as-loc-support', '-gdwarf64', '-fasynchronous-unwind-tables']],
      [BE, ['-O0', '-gdwarf-2', '-gno-as-loc-support']],
      [LE, ['-O2', '-gdwarf-4', '-fasynchronous-unwind-tables', '-fno-dwarf2-cfi-asm']],
    ];
    variants.forEach(([triple, fl], i) => {
      const out = join(tmp.path, `f${i}.elf`);
      run(`${triple}-gcc`, [...BARE_FLAGS, '-Wl,-e,entry', ...fl, join(FIXTURES, 'second.c'), join(FIXTURES, 'start.S'), '-o', out]);
      const elf = parseElf(readBytes(out));
      const s: Sections = { little: elf.endian === 'little', ehAddr: sectionByName(elf, '.eh_frame')?.addr ?? 0n };
      for (const n of NAMES) { const sec = sectionByName(elf, n); if (sec) s[n] = sec.data(); }
      assert.ok(exercise(s) > 10, `unmutated input ${i} reads`);
      inputs.push(s);
    });
  } finally { tmp.remove(); }
  const rng = new Rng(SEED);
  const failures: string[] = [];
  let rejected = 0;
  for (let k = 0; k < MUTANTS; k++) {
    const { s, what } = mutate(rng, inputs[k % inputs.length]!);
    try { exercise(s); } catch (e) {
      if (e instanceof DwarfError) { rejected++; assert.ok(e.message.length > 10); continue; }
      failures.push(`mutant ${k} (${what}): ${(e as Error)?.constructor?.name}: ${(e as Error).message}`);
    }
  }
  console.log(`# ${MUTANTS} mutants: ${rejected} rejected with DwarfError, ${MUTANTS - rejected - failures.length} still read`);
  assert.deepEqual(failures.slice(0, 10), [], `seed 0x${SEED.toString(16)}: ${failures.length} mutants threw something other than DwarfError`);
  assert.ok(rejected > MUTANTS / 20, `only ${rejected} mutants were rejected: the mutations do not reach the readers`);
});
