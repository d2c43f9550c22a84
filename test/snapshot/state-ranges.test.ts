// Declared state with valid ranges: every field of every component of every board and
// CPU model that its type does not bound (f64, arrays, bytes, strings) declares its
// range; live machines (fresh, and after running) satisfy every range and invariant;
// and checkpoints re-sealed with forged values (valid CRCs and content hash) are refused
// with the component, field and reason — before, Wired = 2^53 made the guest never
// finish, icount = 0.5 and poweredOff = 1 restored without a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { createMaltaMachine } from '../../src/emulator/boards/malta';
import { createOcteonMachine } from '../../src/emulator/boards/octeon';
import { CPU_MODELS } from '../../src/emulator/cpu/cpu-models';
import type { Machine } from '../../src/emulator/machine';
import { captureCheckpoint, prepareRestore } from '../../src/emulator/snapshot/checkpoint';
import { CheckpointError, parseCheckpoint } from '../../src/emulator/snapshot/format';
import { checkValues, saveState, UNBOUNDED_TYPES, upgradeState } from '../../src/emulator/snapshot/state';
import { demoElf } from '../debug/demo-machine';
import { forgeState } from '../support/forge';
import { HASHES, hashed } from '../support/hashes';

function machines(): Array<[string, Machine]> {
  const out: Array<[string, Machine]> = [];
  for (const cpu of Object.keys(CPU_MODELS)) {
    out.push([`demo/${cpu}`, hashed(createDemoMachine({ cpu, memoryMiB: 16 })).machine]);
    out.push([`malta/${cpu}`, hashed(createMaltaMachine({ cpu, memoryMiB: 32 })).machine]);
  }
  out.push(['octeon/Octeon2', hashed(createOcteonMachine({ memoryMiB: 128 })).machine]);
  return out;
}

test('every field whose type does not bound it declares its valid range', () => {
  const missing: string[] = [];
  for (const [what, m] of machines()) {
    for (const c of m.stateComponents()) {
      for (const [f, t] of Object.entries(c.stateSpec.fields)) {
        if (UNBOUNDED_TYPES.has(t) && !c.stateSpec.ranges?.[f]) missing.push(`${what}: ${c.stateSpec.name}.${f} (${t})`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

test('live machines satisfy every range and invariant, fresh and after running', () => {
  for (const [what, m] of machines()) {
    const check = (when: string): void => {
      const values = new Map<string, Record<string, unknown>>();
      for (const c of m.stateComponents()) {
        assert.doesNotThrow(() => checkValues(c.stateSpec, c.state), `${what} ${when}: ${c.stateSpec.name}`);
        values.set(c.stateSpec.name, c.state);
      }
      assert.equal(m.stateProblem(values), undefined, `${what} ${when}`);
    };
    check('fresh');
    if (what.startsWith('demo/')) {
      (m.board as unknown as { boot(b: Uint8Array): void }).boot(demoElf());
      m.consoleInput(new TextEncoder().encode('t'));
      m.run(3_000_000);
      check('after running');
    }
  }
});

/** A demo machine that ran a while, its checkpoint, and a fresh machine to restore into. */
function rig(): { file: Uint8Array; fresh: () => Machine } {
  const make = (): Machine => {
    const { machine, board } = hashed(createDemoMachine({ memoryMiB: 16 }));
    board.boot(demoElf());
    return machine;
  };
  const m = make();
  m.run(2_000_000);
  return { file: captureCheckpoint(m, { kind: 'full' }).bytes, fresh: make };
}

test('re-sealed checkpoints with forged state values are refused, naming the field', () => {
  const { file, fresh } = rig();
  const restore = (b: Uint8Array): void => { prepareRestore(fresh(), [parseCheckpoint(b, undefined, HASHES)]); };
  assert.doesNotThrow(() => restore(file), 'the genuine file restores');
  const cases: Array<[string, string, (v: Record<string, unknown>) => void, RegExp]> = [
    ['Wired = 2^53', 'cpu0.cp0', (v) => { v.wired = 2 ** 53; }, /cpu0\.cp0\.wired: 9007199254740992 is outside -2147483648\.\.4294967295/],
    ['Wired beyond the TLB', 'cpu0.cp0', (v) => { v.wired = 40; }, /cpu0\.cp0\.wired: 40 is not below the 32 TLB entries of a 5KEc/],
    ['Index beyond the TLB', 'cpu0.cp0', (v) => { v.index = 77; }, /cpu0\.cp0\.index: 77 names no entry/],
    ['icount 0.5', 'cpu0', (v) => { v.icount = 0.5; }, /cpu0\.icount: 0\.5 is not an integer/],
    ['icount negative', 'cpu0', (v) => { v.icount = -3; }, /cpu0\.icount: -3 is outside 0\.\./],
    ['Count reference after icount', 'cpu0.cp0', (v) => { v.countIcount = 2 ** 52; }, /countIcount: 4503599627370496 is after the instruction count/],
    ['poweredOff', 'machine', (v) => { v.poweredOff = true; }, /machine: the machine is powered off/],
    ['EntryLo beyond 2^53', 'cpu0.cp0', (v) => { v.entryLo0 = 2 ** 60; }, /entryLo0: 11529215046068\d+ is outside 0\.\.9007199254740991/],
    ['a TLB EntryHi half of 33 bits', 'cpu0.tlb', (v) => { (v.entries as Float64Array)[2] = 2 ** 40; }, /cpu0\.tlb: entry 0: PageMask and EntryHi are 32-bit halves/],
    ['UART FIFO of 17', 'uart0', (v) => { v.rxFifo = new Array(17).fill(65); v.rxFlags = new Array(17).fill(0); }, /uart0\.rxFifo: 17 elements, not 0\.\.16/],
    ['UART input head past its queue', 'uart0', (v) => { v.inHead = 5; }, /uart0: inHead 5 is outside the input queue/],
    ['llPhys fraction', 'cpu0', (v) => { v.llPhys = 1.5; }, /cpu0\.llPhys: 1\.5 is not an integer/],
  ];
  for (const [what, comp, change, want] of cases) {
    const forged = forgeState(file, comp, change);
    assert.doesNotThrow(() => parseCheckpoint(forged, undefined, HASHES), `${what}: the forgery is a well-formed file`);
    assert.throws(() => restore(forged), (e: unknown) => e instanceof CheckpointError && e.code === 'state' && want.test(e.message), what);
  }
});

test('a powered-off machine is not checkpointed', () => {
  const { machine, board } = hashed(createDemoMachine({ memoryMiB: 16 }));
  board.boot(demoElf());
  machine.powerOff(0);
  assert.throws(() => captureCheckpoint(machine, { kind: 'full' }), /powered off/);
});

test('an older state version is upgraded (minVersion, upgrades); too old, too new and a missing upgrade are refused', () => {
  const v1: import('../../src/emulator/snapshot/state').StateSpec = { name: 'dev', version: 1, fields: { a: 'u8', t: 'f64' }, ranges: { t: { min: 0, max: 1e6 } } };
  const old = saveState({ stateSpec: v1, state: { a: 7, t: 250 } });
  // Version 3 renamed a → level and stores time in µs instead of ms; it reads versions 1 and 2.
  const v3 = {
    name: 'dev', version: 3, minVersion: 1, fields: { level: 'u8', tUs: 'f64' },
    ranges: { tUs: { min: 0, max: 1e9 } },
    upgrades: {
      1: (s: Record<string, unknown>) => ({ level: s.a, t: s.t }),
      2: (s: Record<string, unknown>) => ({ level: s.level, tUs: (s.t as number) * 1000 }),
    },
  } as const;
  const live = { stateSpec: v3, state: { level: 0, tUs: 0 } };
  assert.deepEqual(upgradeState(live, v1, old), { level: 7, tUs: 250_000 });
  assert.throws(() => upgradeState({ stateSpec: { ...v3, minVersion: 2 }, state: live.state }, v1, old), /state version 1 is too old \(this build reads versions 2 to 3\)/);
  assert.throws(() => upgradeState({ stateSpec: { ...v3, upgrades: { 1: v3.upgrades[1] } }, state: live.state }, v1, old), /no upgrade from state version 2 to 3/);
  const v4 = saveState({ stateSpec: { ...v3, version: 4 }, state: { level: 1, tUs: 1 } });
  assert.throws(() => upgradeState(live, { ...v3, version: 4 }, v4), /state version 4 was written by a newer build/);
  // What an upgrade produces is checked like a current state.
  const big = saveState({ stateSpec: v1, state: { a: 7, t: 2e6 } });
  const asStored = { name: 'dev', version: 1, fields: v1.fields }; // a file holds the field types only
  assert.throws(() => upgradeState(live, asStored, big), /dev\.tUs: 2000000000 is outside 0\.\.1000000000/);
});
