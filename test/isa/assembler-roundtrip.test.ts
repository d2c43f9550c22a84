// Property tests of the assembler against the disassembler, on random 32-bit words:
//
//  (a) no aliases: for every word the decoder accepts, encoding the objdump-syntax text
//      (`encodeInstruction(mnemonic, splitOperands(operands))`) gives back exactly the word;
//  (b) aliases on (default disassembly): assembling the text with assemble() gives one word
//      that executes as the same canonical instruction with the same operand values.
//
// Some texts are not injective in objdump syntax itself, so no assembler can recover the
// word: clz/clo/dclz/dclo print one register when rd or rt is zero, and `li`/`move`/`b`
// print several different encodings the same way. Such cases are recognised (the
// re-encoded word prints identically, or has the same effect) and listed, but must stay
// within the known classes below; anything else fails with every failing class
// (mnemonic + example) in the assertion message.
//
// The seed is printed; set ASM_ROUNDTRIP_SEED=0x… to reproduce another run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuModelName, Decoder, MODEL_ISA, decoderFor } from '../../src/emulator/isa/decoder';
import { Disassembler } from '../../src/emulator/isa/disassembler';
import { InsnSpec, RESERVED } from '../../src/emulator/isa/table';
import { encodeInstruction, splitOperands } from '../../src/emulator/isa/assembler/encode';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { ExprEnv } from '../../src/emulator/isa/assembler/expr';

const SEED = Number(process.env.ASM_ROUNDTRIP_SEED ?? 0x5eed_a53b) >>> 0;
const PC = 0xffffffff80123450n;

/** Texts that objdump prints identically for different words (see header). */
const AMBIGUOUS_TEXT = new Set(['clz', 'clo', 'dclz', 'dclo']);
/** Aliases whose re-assembled encoding differs but has the same effect. */
const EQUIVALENT_ALIAS = new Set(['li', 'b', 'move']);

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

function values(e: InsnSpec, w: number): number[] {
  const v: number[] = [];
  for (const s of e.slots) v.push(s.kind.value(w, v));
  return v;
}

function operandsByKind(e: InsnSpec, w: number): Map<string, number> {
  const v = values(e, w);
  return new Map(e.slots.map((s, i) => [s.kind.name, v[i]]));
}

/** Effect of a word for the alias families that have several encodings. */
function effect(d: Decoder, w: number): string {
  const c = d.decodeExec(w);
  const o = operandsByKind(c, w);
  if ((c.op === 'or' || c.op === 'addu' || c.op === 'daddu') && o.get('rt') === 0) return `move ${o.get('rd')},${o.get('rs')}`;
  if (c.op === 'ori' && o.get('rs') === 0) return `li ${o.get('rt')},${o.get('uimm')}`;
  if (c.op === 'addiu' && o.get('rs') === 0) return `li ${o.get('rt')},${o.get('simm')}`;
  if (c.op === 'beq' && o.get('rs') === o.get('rt')) return `b ${o.get('btarget')}`;
  if (c.op === 'bgez' && o.get('rs') === 0) return `b ${o.get('btarget')}`;
  return `${c.op} ${values(c, w).join(',')}`;
}

interface Failure { count: number; example: string }

class Classes {
  readonly fail = new Map<string, Failure>();
  readonly tolerated = new Map<string, Failure>();
  private static add(m: Map<string, Failure>, key: string, example: string): void {
    const f = m.get(key);
    if (f) f.count++;
    else m.set(key, { count: 1, example });
  }
  failure(key: string, example: string): void { Classes.add(this.fail, key, example); }
  tolerate(key: string, example: string): void { Classes.add(this.tolerated, key, example); }
  static describe(m: Map<string, Failure>): string {
    return [...m].map(([k, f]) => `  ${k} ×${f.count}: ${f.example}`).join('\n');
  }
}

const hex8 = (w: number): string => (w >>> 0).toString(16).padStart(8, '0');

function splitText(text: string): [string, string[]] {
  const tab = text.indexOf('\t');
  if (tab < 0) return [text, []];
  return [text.slice(0, tab), splitOperands(text.slice(tab + 1))];
}

const noSymbols: ExprEnv = { symbol: () => undefined, dot: PC, local: () => undefined, lenient: false };

function roundTripNoAliases(model: CpuModelName, count: number, seed: number): void {
  const dec = decoderFor(model);
  const dis = new Disassembler({ model, noAliases: true });
  const rnd = xorshift(seed);
  const classes = new Classes();
  let accepted = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const w = rnd();
    if (dec.decode(w) === RESERVED) continue;
    accepted++;
    const text = dis.text(w, PC);
    const [mn, ops] = splitText(text);
    let got: number | undefined;
    let err = '';
    try {
      got = encodeInstruction(mn, ops, { pc: PC, env: noSymbols, isa: MODEL_ISA[model] }).word;
    } catch (e) {
      err = e instanceof Error ? e.message : String(e);
    }
    if (got === w) continue;
    const example = `${hex8(w)} "${text}" → ${got === undefined ? `error: ${err}` : hex8(got)}`;
    if (got !== undefined && dis.text(got, PC) === text && AMBIGUOUS_TEXT.has(mn)) classes.tolerate(mn, example);
    else classes.failure(mn, example);
  }
  const ms = performance.now() - t0;
  console.log(`[${model}] no-aliases round trip: seed 0x${seed.toString(16)}, ${count} words, ${accepted} accepted, `
    + `${ms.toFixed(0)} ms`);
  if (classes.tolerated.size) console.log(`  ambiguous objdump texts (tolerated):\n${Classes.describe(classes.tolerated)}`);
  assert.ok(accepted > count / 2, `too few words accepted (${accepted})`);
  assert.equal(classes.fail.size, 0, `[${model}] seed 0x${seed.toString(16)}: failing classes:\n${Classes.describe(classes.fail)}`);
}

/** `count` random words, or (count 0) 32 random operand fills of every decodable table entry. */
function* wordsFor(dec: Decoder, count: number, seed: number): Generator<number> {
  const rnd = xorshift(seed);
  if (count > 0) {
    for (let i = 0; i < count; i++) yield rnd();
    return;
  }
  for (const e of dec.entries) for (let i = 0; i < 32; i++) yield (e.match | (rnd() & ~e.mask)) >>> 0;
}

function roundTripAliases(model: CpuModelName, count: number, seed: number): void {
  const dec = decoderFor(model);
  const dis = new Disassembler({ model });
  const classes = new Classes();
  let accepted = 0, total = 0;
  const t0 = performance.now();
  for (const w of wordsFor(dec, count, seed)) {
    total++;
    if (dec.decode(w) === RESERVED) continue;
    accepted++;
    const text = dis.text(w, PC);
    const mn = splitText(text)[0];
    const r = assemble(`\t.set noreorder\n\t${text}\n`, { origin: PC, model, fileName: 'rt.s' });
    let problem: string | undefined;
    let w2: number | undefined;
    if (!r.ok) problem = r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('; ');
    else if (r.lines.length !== 1) problem = `${r.lines.length} words: ${r.lines.map((l) => hex8(l.word)).join(' ')}`;
    else {
      w2 = r.lines[0].word;
      const a = dec.decodeExec(w), b = dec.decodeExec(w2);
      if (a !== b) problem = `canonical ${a.name} vs ${b.name} (${hex8(w2)})`;
      else if (values(a, w).join() !== values(b, w2).join()) problem = `operands ${values(a, w).join()} vs ${values(b, w2).join()} (${hex8(w2)})`;
    }
    if (problem === undefined) continue;
    const example = `${hex8(w)} "${text}" → ${problem}`;
    if (w2 !== undefined && EQUIVALENT_ALIAS.has(mn) && effect(dec, w) === effect(dec, w2)) classes.tolerate(`${mn} (same effect)`, example);
    else if (w2 !== undefined && AMBIGUOUS_TEXT.has(mn) && dis.text(w2, PC) === text) classes.tolerate(`${mn} (same text)`, example);
    else classes.failure(mn, example);
  }
  const ms = performance.now() - t0;
  console.log(`[${model}] alias round trip via assemble(): seed 0x${seed.toString(16)}, ${total} words, ${accepted} accepted, `
    + `${ms.toFixed(0)} ms`);
  if (classes.tolerated.size) console.log(`  other encodings of the same text (tolerated):\n${Classes.describe(classes.tolerated)}`);
  assert.equal(classes.fail.size, 0, `[${model}] seed 0x${seed.toString(16)}: failing classes:\n${Classes.describe(classes.fail)}`);
}

test('no-aliases text re-encodes to the same word: 1,000,000 random words, mips64r2', () => {
  roundTripNoAliases('mips64r2', 1_000_000, SEED);
});

test('no-aliases text re-encodes to the same word: 300,000 random words, octeon2', () => {
  roundTripNoAliases('octeon2', 300_000, (SEED ^ 0x0c7e0002) >>> 0);
});

test('no-aliases round trip of every decodable table entry (64 random operand fills each, all models)', () => {
  const rnd = xorshift(SEED ^ 0xe7e7e7e7);
  const fails = new Classes();
  for (const model of ['5KEc', 'mips64r2', 'octeon', 'octeon2', 'octeon3'] as const) {
    const dec = decoderFor(model);
    const dis = new Disassembler({ model, noAliases: true });
    for (const e of dec.entries) {
      for (let i = 0; i < 64; i++) {
        const w = (e.match | (rnd() & ~e.mask)) >>> 0;
        if (dec.decode(w) === RESERVED) continue;
        const text = dis.text(w, PC);
        const [mn, ops] = splitText(text);
        let got: number | undefined;
        let err = '';
        try { got = encodeInstruction(mn, ops, { pc: PC, env: noSymbols, isa: MODEL_ISA[model] }).word; } catch (x) { err = (x as Error).message; }
        if (got === w) continue;
        if (got !== undefined && AMBIGUOUS_TEXT.has(mn) && dis.text(got, PC) === text) continue;
        fails.failure(`${model} ${mn}`, `${hex8(w)} "${text}" → ${got === undefined ? `error: ${err}` : hex8(got)}`);
      }
    }
  }
  assert.equal(fails.fail.size, 0, `failing classes:\n${Classes.describe(fails.fail)}`);
});

test('alias text assembles to the same instruction: 1,000,000 random words, mips64r2', () => {
  roundTripAliases('mips64r2', 1_000_000, SEED);
});

test('alias text assembles to the same instruction: 300,000 random words, octeon2', () => {
  roundTripAliases('octeon2', 300_000, (SEED ^ 0x0c7e0002) >>> 0);
});

test('alias text assembles to the same instruction: every decodable table entry (32 random fills each, all models)', () => {
  for (const model of ['5KEc', 'mips64r2', 'octeon', 'octeon2', 'octeon3'] as const) roundTripAliases(model, 0, (SEED ^ 0xa11a5) >>> 0);
});
