// Completeness of the one instruction description: every instruction of every CPU model's
// table has semantics in the IR (isa/semantics), and every engine can run it from there —
// the interpreter's JavaScript handler compiles, a WebAssembly region holding it lowers
// and validates (helper calls are the declared call-outs of isa/helpers.ts), in both byte
// orders — and the properties the engines read (isa/properties.ts) are derived for it.
// A new instruction added to the table without semantics, or semantics a backend cannot
// lower, fails here by name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DELAY_SLOT, F, InsnSpec, TABLE } from '../../src/emulator/isa/table';
import { decoderFor } from '../../src/emulator/isa/decoder';
import { build, OP_LIST, SEMANTICS } from '../../src/emulator/isa/semantics';
import { HELPERS } from '../../src/emulator/isa/helpers';
import { OP_PROPS } from '../../src/emulator/isa/properties';
import type { SemTarget, Stmt } from '../../src/emulator/isa/ir';
import { CPU_MODELS } from '../../src/emulator/cpu/cpu-models';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { BLOCK_LOCALS, emitRegion } from '../../src/emulator/jit/wasm/region-emitter';
import { encodeRegionModule } from '../../src/emulator/jit/wasm/tier';
import type { Scanned } from '../../src/emulator/jit/blocks';

const NOP = 0;
const ORIGIN_LO = 0x80100000 | 0, ORIGIN_HI = -1;

/** Every op a model's decoder can produce (its canonical entries). */
function modelOps(model: keyof typeof CPU_MODELS): InsnSpec[] {
  const dec = decoderFor(CPU_MODELS[model].isa);
  const seen = new Map<string, InsnSpec>();
  for (const e of dec.entries) if (!(e.flags & F.RESERVED)) seen.set(e.op, e);
  return [...seen.values()];
}

/** The helper names a statement list calls (nodes and statements alike). */
function calledHelpers(sem: { nodes: readonly { n: { k: string; helper?: string } }[] }): string[] {
  return sem.nodes.filter((v) => v.n.k === 'call').map((v) => String(v.n.helper));
}

/** The host's WebAssembly validator (the DOM lib is not in this project's types). */
const validate = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate;

test('every op of every CPU model has IR semantics, derived properties and declared helpers only', () => {
  let ops = 0;
  for (const model of Object.keys(CPU_MODELS) as Array<keyof typeof CPU_MODELS>) {
    for (const e of modelOps(model)) {
      ops++;
      assert.ok(Object.hasOwn(SEMANTICS, e.op), `${model}: ${e.op} has no semantics in isa/semantics`);
      assert.ok(OP_PROPS.get(e.op) !== undefined, `${model}: ${e.op} has no derived properties`);
      for (const big of [false, true]) {
        const target: SemTarget = { big, fpu: CPU_MODELS[model].hasFpu, synciStep: 32, ccRes: 2, unalignedFixup: model === 'Octeon2' };
        const { sem } = build(e.op, { target, word: e.match });
        for (const h of calledHelpers(sem as never)) assert.ok(Object.hasOwn(HELPERS, h), `${e.op} calls undeclared helper ${h}`);
      }
    }
  }
  assert.ok(ops > 300, `only ${ops} ops found`);
  // (No semantics for an op the table does not have: a stale or misspelt entry is an error too.)
  const named = new Set(TABLE.map((e) => e.op));
  assert.deepEqual(OP_LIST.filter((op) => op !== 'reserved' && !named.has(op)), [], 'semantics without a table entry');
});

test('every op compiles as an interpreter handler and lowers into a valid WebAssembly region, both byte orders', () => {
  for (const model of Object.keys(CPU_MODELS) as Array<keyof typeof CPU_MODELS>) {
    for (const bigEndian of [false, true]) {
      const { machine } = createDemoMachine({ cpu: model, bigEndian, memoryMiB: 8 });
      const tier = machine.jit?.wasm;
      assert.ok(tier, 'the WebAssembly tier is available');
      const L = tier.entry.layout;
      const target = machine.interp.target;
      for (const e of modelOps(model)) {
        const what = `${model} ${bigEndian ? 'BE' : 'LE'} ${e.op}`;
        // The interpreter: decode the word to this op and compile its handler.
        const h = machine.interp.handlerFor(e.match);
        assert.equal(typeof h, 'function', `${what}: interpreter handler`);
        // A region of one block: the instruction (with a nop in the delay slot of a branch).
        const insns = [{ e, w: e.match }];
        if (e.flags & DELAY_SLOT) insns.push({ e: decoderFor(CPU_MODELS[model].isa).decode(NOP).canonical, w: NOP });
        const block: Scanned = { ramOff: 0x100000, startLo: ORIGIN_LO, startHi: ORIGIN_HI, insns, ds: e.flags & DELAY_SLOT ? 1 : -1 };
        const region = { blocks: [block], labelAt: (lo: number, hi: number) => (lo === ORIGIN_LO && hi === ORIGIN_HI ? 0 : -1) };
        let bytes: Uint8Array;
        try {
          bytes = encodeRegionModule([{ type: 0, locals: BLOCK_LOCALS, code: emitRegion(L, region, target, 0, 1, 0).code }], [{ name: 'b0', func: 3 }]);
        } catch (err) {
          assert.fail(`${what}: no WebAssembly lowering: ${(err as Error).message}`);
        }
        assert.ok(validate(bytes), `${what}: the region's module does not validate`);
      }
    }
  }
});

test('the IR of a branch places the branch statement; of a store, a store statement (the engines rely on both)', () => {
  const target: SemTarget = { big: false, fpu: true, synciStep: 32, ccRes: 2 };
  const kinds = (op: string): Set<string> => {
    const out = new Set<string>();
    const walk = (l: readonly Stmt[]): void => { for (const st of l) { out.add(st.s); if (st.s === 'if') { walk(st.then); walk(st.else); } } };
    walk(build(op, { target }).body);
    return out;
  };
  for (const op of ['beq', 'bne', 'jal', 'jr', 'bgezall']) assert.ok(kinds(op).has('branch'), `${op}: branch statement`);
  for (const op of ['sb', 'sh', 'sw', 'sd']) assert.ok(kinds(op).has('store'), `${op}: store statement`);
});
