// Checkpoints of running machines: save → restore → save is byte-identical for every
// component (demo and Malta boards, both engines, with pending UART input and an armed
// timer); full and incremental checkpoints (dirty pages from CPU stores on both engines
// and from loader writes; no writes → no pages); determinism (checkpoint at N, run M
// more with scripted console input, restore, replay the input log, run M: identical
// RAM and state, on both engines and across them); the comparison function; and every
// kind of bad input refused with the machine untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { createMaltaMachine } from '../../src/emulator/boards/malta';
import { loadElf } from '../../src/emulator/loader/load-elf';
import type { Machine } from '../../src/emulator/machine';
import {
  captureCheckpoint, materializeRam, prepareRestore, readComponents, resolveChain, restoreCheckpoint,
} from '../../src/emulator/snapshot/checkpoint';
import { diffCheckpoints } from '../../src/emulator/snapshot/compare';
import { TRAP_DIRTY } from '../../src/emulator/mmu/host-tlb';
import { DebugMemory } from '../../src/emulator/debug/memory';
import {
  assembleCheckpoint, CheckpointError, parseCheckpoint, ParsedCheckpoint, SectionInput,
} from '../../src/emulator/snapshot/format';
import { replayInput, runTo } from '../../src/emulator/snapshot/input-log';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import {
  bootScribbler, demoElf, FLAG_TIMER, FLAG_UART, REGION, scribble, snapshotDiff, snapshotOf,
} from '../support/checkpoint-guests';
import { HASHES, hashed } from '../support/hashes';

const ENGINES = ['jit', 'interp'] as const;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function full(m: Machine): ParsedCheckpoint {
  return parseCheckpoint(captureCheckpoint(m, { kind: 'full', name: 't' }).bytes, undefined, HASHES);
}

/** Asserts that every component's saved bytes, the input log and every page record are the same in two checkpoints. */
function assertSameContent(a: ParsedCheckpoint, b: ParsedCheckpoint, what: string): void {
  const ca = readComponents(a), cb = readComponents(b);
  assert.deepEqual(cb.map((c) => c.name), ca.map((c) => c.name), `${what}: component list`);
  for (let i = 0; i < ca.length; i++) {
    assert.ok(Buffer.from(ca[i].bytes).equals(Buffer.from(cb[i].bytes)), `${what}: component '${ca[i].name}' differs after save → restore → save`);
  }
  const payloads = (p: ParsedCheckpoint, tag: string): Buffer => Buffer.concat(p.sections.filter((s) => s.tag === tag).map((s) => p.payload(s)));
  assert.ok(payloads(a, 'INPT').equals(payloads(b, 'INPT')), `${what}: input log`);
  assert.ok(payloads(a, 'PAGE').equals(payloads(b, 'PAGE')), `${what}: RAM pages`);
  assert.equal(a.header.icount, b.header.icount);
}

/** The demo guest, run a while, with console input still queued in the UART and the timer armed. */
function busyDemo(engine: 'jit' | 'interp', cpu = '5KEf'): { m: Machine; uartPending: () => number } {
  const { machine, board } = hashed(createDemoMachine({ engine, memoryMiB: 8, cpu }));
  board.boot(demoElf());
  machine.run(3_000_000);
  machine.consoleInput(text('some console input that takes a while to arrive at 115200 baud'));
  machine.run(150_000);
  return { m: machine, uartPending: () => board.uart.pendingInput };
}

for (const engine of ENGINES) {
  test(`demo machine (${engine}): save → restore → save is byte-identical for every component`, () => {
    const { m, uartPending } = busyDemo(engine);
    assert.ok(uartPending() > 0, 'UART input should still be pending');
    assert.ok(m.cpu.timerIcount > m.cpu.icount && m.cpu.timerIcount !== Infinity, 'timer armed');
    assert.ok(m.cpu.fpu, 'a CPU with an FPU, so the FPU component is included');
    const a = full(m);
    const names = readComponents(a).map((c) => c.name);
    for (const n of ['machine', 'cpu0', 'cpu0.cp0', 'cpu0.tlb', 'cpu0.fpu', 'uart0', 'power']) assert.ok(names.includes(n), `component ${n}`);
    // Move on, then restore into the same machine.
    m.consoleInput(text('more'));
    m.run(2_000_000);
    restoreCheckpoint(m, [a]);
    assertSameContent(a, full(m), 'same machine');
    // And into a fresh machine of the other engine.
    const other = hashed(createDemoMachine({ engine: engine === 'jit' ? 'interp' : 'jit', memoryMiB: 8, cpu: '5KEf' })).machine;
    restoreCheckpoint(other, [a]);
    assertSameContent(a, full(other), 'fresh machine');
  });
}

test('Malta machine: save → restore → save is byte-identical for every component', () => {
  for (const engine of ENGINES) {
    const { machine: m, board } = hashed(createMaltaMachine({ engine, memoryMiB: 32, cpu: '5KEf' }));
    // The demo program runs on Malta too (its UART is Malta's ttyS0).
    const img = loadElf(m.bus, demoElf());
    m.cpu.pc = img.entry;
    m.cpu.c0.status = 0x00400000;
    m.cpu.afterStateChange();
    m.cpu.setGpr(29, 0xffffffff81f00000n);
    m.run(3_000_000);
    m.consoleInput(text('pending input for the malta uart'));
    m.run(1000);
    assert.ok(board.uart0.pendingInput > 0 || board.uart0.state.rxFifo.length > 0, 'UART input pending');
    const a = full(m);
    assert.ok(readComponents(a).some((c) => c.name === 'pic'), 'Malta devices are components');
    m.run(1_000_000);
    restoreCheckpoint(m, [a]);
    assertSameContent(a, full(m), `malta ${engine}`);
    const fresh = hashed(createMaltaMachine({ engine, memoryMiB: 32, cpu: '5KEf' })).machine;
    restoreCheckpoint(fresh, [a]);
    assertSameContent(a, full(fresh), `malta ${engine} fresh`);
  }
});

for (const engine of ENGINES) {
  test(`incremental checkpoints (${engine}): exactly the written pages, chains rebuild RAM, no writes → no pages`, () => {
    const m = bootScribbler({ engine, flags: 0 });
    m.run(100_000);
    const cp = new Checkpointer(m);
    const base = cp.take({ name: 'base' });
    assert.equal(base.kind, 'full');
    // The guest spins reading its mailbox: nothing is written.
    m.run(500_000);
    const idle = cp.take({ name: 'idle' });
    assert.equal(idle.kind, 'incremental');
    assert.equal(idle.pages, 0, 'no guest writes → no pages');
    assert.ok(idle.sizeBytes < 8192, `header + state only: ${idle.sizeBytes} bytes`);
    // 40 KiB of stores: 10 region pages; the mailbox page is written by the host (writeBytes) and by the guest.
    scribble(m, 40 * 1024, 0, 8192);
    const w1 = cp.take({ name: 'w1' });
    const chain1 = cp.chain(w1.id);
    const pages1 = new Set<number>();
    for (const p of chain1.slice(-1)) {
      for (const s of p.sections.filter((x) => x.tag === 'PAGE')) {
        const b = p.payload(s);
        for (let o = 0; o < b.length;) {
          pages1.add(new DataView(b.buffer, b.byteOffset + o).getUint32(0, true));
          const codec = b[o + 4];
          o += 5 + (codec === 0 ? 0 : codec === 1 ? 4 : codec === 3 ? 4096 : 2 + new DataView(b.buffer, b.byteOffset + o + 5).getUint16(0, true));
        }
      }
    }
    const region = Array.from({ length: 10 }, (_, i) => (REGION + 8192) / 4096 + i);
    assert.deepEqual([...pages1].sort((x, y) => x - y), [2, ...region], 'mailbox page + the ten region pages');
    assert.ok(Buffer.from(materializeRam(chain1)).equals(Buffer.from(m.bus.ram)), 'chain rebuilds RAM');
    // Rewrite the same pages: their fast-path write entries were dropped when the traps were re-armed.
    scribble(m, 40 * 1024, 1, 8192);
    const w2 = cp.take({ name: 'w2' });
    assert.equal(w2.pages, 11);
    assert.ok(Buffer.from(materializeRam(cp.chain(w2.id))).equals(Buffer.from(m.bus.ram)));
    // Loader writes (bus.writeBytes) are tracked too.
    m.bus.writeBytes(0x00300000, new Uint8Array(5000).fill(9));
    const w3 = cp.take({ name: 'w3' });
    assert.equal(w3.pages, 2);
    // Debugger memory writes (DebugMemory.write) are tracked too.
    new DebugMemory(m.cpu, m.bus).write({ addr: 0x00500000n, phys: true }, new Uint8Array([1, 2, 3]));
    const w3b = cp.take({ name: 'w3b' });
    assert.equal(w3b.pages, 1);
    // Only the first write to a page traps; later ones run at full speed.
    const trapsBefore = cp.tracker.traps;
    scribble(m, 64 * 1024, 0, 0);
    const pagesWritten = 16 + 1;
    assert.ok(cp.tracker.traps - trapsBefore <= pagesWritten, `one trap per page: ${cp.tracker.traps - trapsBefore}`);
    assert.equal(m.cpu.htlb.traps[REGION / 4096] & TRAP_DIRTY, 0, 'trap cleared after the first write');
    const w4 = cp.take({ name: 'w4' });
    assert.equal(w4.pages, pagesWritten);
    // Restoring an old link of the chain and continuing: the next incremental's parent is the restored one.
    cp.restore(w1.id);
    assert.ok(Buffer.from(materializeRam(cp.chain(w1.id))).equals(Buffer.from(m.bus.ram)));
    scribble(m, 4096, 0, 0);
    const w5 = cp.take({ name: 'w5' });
    assert.equal(w5.parentId, w1.id);
    assert.ok(Buffer.from(materializeRam(cp.chain(w5.id))).equals(Buffer.from(m.bus.ram)));
  });
}

test('incrementals taken while the guest runs with interrupts rebuild RAM exactly at every step (both engines)', () => {
  for (const engine of ENGINES) {
    const m = bootScribbler({ engine, flags: FLAG_TIMER | FLAG_UART, memoryMiB: 8 });
    const cp = new Checkpointer(m, { maxChain: 100 });
    const ids: string[] = [];
    const snaps = new Map<string, ReturnType<typeof snapshotOf>>();
    for (let i = 0; i < 12; i++) {
      if (i % 3 === 1) m.consoleInput(text(`k${i}`));
      scribble(m, (i % 4 + 1) * 3000, (i & 1) as 0 | 1, i * 5000);
      m.run(37_000 + i * 1000);
      const t = cp.take({ name: `s${i}` });
      ids.push(t.id);
      snaps.set(t.id, snapshotOf(m));
      assert.ok(Buffer.from(materializeRam(cp.chain(t.id))).equals(Buffer.from(m.bus.ram)), `${engine} step ${i}`);
    }
    // Restore each point (random order) and compare with the machine as it was.
    for (const id of [ids[5], ids[0], ids[11], ids[7], ids[2]]) {
      cp.restore(id);
      assert.deepEqual(snapshotDiff(snaps.get(id)!, snapshotOf(m)), { components: [], pages: [] }, `${engine} restore ${id}`);
    }
  }
});

/** Runs to `at` (absolute instruction counts), typing each input when its count is reached. */
function runScripted(m: Machine, inputs: ReadonlyArray<{ at: number; text: string }>, until: number): void {
  for (const i of inputs) {
    runTo(m, i.at);
    m.consoleInput(text(i.text));
  }
  runTo(m, until);
}

for (const engine of ENGINES) {
  test(`determinism (${engine}): demo guest, checkpoint at N, run M with input; restore + replay gives identical RAM and state`, () => {
    const { m } = busyDemo(engine);
    const N = 4_000_000, M = 6_000_000;
    runTo(m, N);
    const cp = new Checkpointer(m);
    const c = cp.take({ name: 'N' });
    assert.equal(c.icount, N);
    let out1 = '';
    const off1 = m.events.on('uartTx', (e) => { out1 += String.fromCharCode(e.byte); });
    runScripted(m, [
      { at: N + 100_000, text: 't' }, { at: N + 777_777, text: 'hello\r' }, { at: N + 2_000_001, text: 'x\x03y' },
      { at: N + 4_500_000, text: 'tt' },
    ], N + M);
    off1();
    const s1 = snapshotOf(m);
    const log = m.inputLog.slice(cp.find(c.id) ? parseCheckpoint(cp.bytes(c.id)!, undefined, HASHES).header.inputEvents : 0);
    assert.equal(log.length, 4);
    assert.match(out1, /hello/);
    assert.match(out1, /timer ticks/);

    let out2 = '';
    const off2 = m.events.on('uartTx', (e) => { out2 += String.fromCharCode(e.byte); });
    cp.restore(c.id);
    assert.equal(m.cpu.icount, N);
    replayInput(m, log, N + M);
    off2();
    assert.deepEqual(snapshotDiff(s1, snapshotOf(m)), { components: [], pages: [] });
    assert.equal(out2, out1, 'console output');

    // Across engines: the other engine, in a fresh machine, from the same checkpoint.
    const other = hashed(createDemoMachine({ engine: engine === 'jit' ? 'interp' : 'jit', memoryMiB: 8, cpu: '5KEf' })).machine;
    restoreCheckpoint(other, resolveChain(parseCheckpoint(cp.bytes(c.id)!, undefined, HASHES), () => undefined));
    replayInput(other, log, N + M);
    // The engines leave different stale values in the delay-slot target outside delay slots (dead state).
    assert.deepEqual(snapshotDiff(snapshotOf(m, true), snapshotOf(other, true)), { components: [], pages: [] });
  });
}

test('determinism with a guest that writes memory and takes interrupts, through an incremental chain (both engines)', () => {
  for (const engine of ENGINES) {
    const m = bootScribbler({ engine, flags: FLAG_TIMER | FLAG_UART });
    m.run(50_000);
    const cp = new Checkpointer(m);
    cp.take({ name: 'base' });
    scribble(m, 100_000, 0, 0);
    m.consoleInput(text('abc'));
    m.run(33_333);
    const c = cp.take({ name: 'mid' }); // incremental
    assert.equal(c.kind, 'incremental');
    const N = c.icount;
    scribble(m, 50_000, 1, 30_000);
    m.consoleInput(text('zz'));
    scribble(m, 70_000, 0, 100_000);
    m.consoleInput(text('q'));
    runTo(m, m.cpu.icount + 123_457);
    const end = m.cpu.icount;
    const s1 = snapshotOf(m);
    const log = m.inputLog.slice(parseCheckpoint(cp.bytes(c.id)!, undefined, HASHES).header.inputEvents);
    cp.restore(c.id);
    assert.equal(m.cpu.icount, N);
    // The mailbox requests were host writes (not console input): redo them at the same counts.
    // Instead of replaying those, compare the restored state right away and then run the same host script.
    scribble(m, 50_000, 1, 30_000);
    m.consoleInput(text('zz'));
    scribble(m, 70_000, 0, 100_000);
    m.consoleInput(text('q'));
    runTo(m, end);
    assert.deepEqual(snapshotDiff(s1, snapshotOf(m)), { components: [], pages: [] }, engine);
    assert.equal(log.length, 2);
  }
});

test('compare: registers, CP0, devices and page ranges that differ; a checkpoint equals itself', () => {
  const m = bootScribbler({ engine: 'jit', flags: FLAG_TIMER | FLAG_UART });
  m.run(100_000);
  const cp = new Checkpointer(m);
  const a = cp.take({ name: 'a' });
  scribble(m, 3 * 4096, 0, 4096 * 10);
  m.consoleInput(text('x'));
  m.run(50_000);
  const b = cp.take({ name: 'b' });
  const d = cp.diff(a.id, b.id);
  assert.equal(d.identical, false);
  assert.ok(d.registers.some((r) => r.field === 'icount'));
  assert.ok(d.registers.some((r) => r.field === '$s2'), 'xorshift state register');
  assert.ok(d.cp0.some((r) => r.field === 'compare' || r.field === 'cause' || r.field === 'epc'));
  assert.ok(d.devices.some((r) => r.component === 'uart0'));
  const region = d.pages.ranges.find((r) => r.start === REGION + 4096 * 10);
  assert.ok(region && region.end === REGION + 4096 * 13, JSON.stringify(d.pages.ranges));
  assert.ok(d.pages.ranges.some((r) => r.start === 0x2000), 'mailbox page');
  const same = cp.diff(b.id, b.id);
  assert.equal(same.identical, true);
  // TLB entries: write one and compare.
  m.cpu.tlb.write(3, 0, 0, 0x4000, 0x1f, 0x5f);
  const c = cp.take({ name: 'c' });
  const d2 = diffCheckpoints(cp.chain(b.id), cp.chain(c.id));
  assert.deepEqual(d2.tlb.map((t) => t.index), [3]);
});

// ---- bad input -------------------------------------------------------------------------------

/** Rebuilds a checkpoint with changed header/sections and valid CRCs and digest (a "forged" file). */
function forge(p: ParsedCheckpoint, change: { header?: object; sections?: (s: SectionInput[]) => SectionInput[] }): Uint8Array {
  let sections: SectionInput[] = p.sections.slice(1).map((s) => ({ tag: s.tag, pieces: [p.payload(s).slice()] }));
  if (change.sections) sections = change.sections(sections);
  return assembleCheckpoint({ ...p.header, ...change.header }, sections, HASHES).bytes;
}

function refuses(m: Machine, chain: () => ParsedCheckpoint[], code: CheckpointError['code'], re: RegExp): void {
  const before = snapshotOf(m);
  assert.throws(() => restoreCheckpoint(m, chain()), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `not a CheckpointError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
  assert.deepEqual(snapshotDiff(before, snapshotOf(m)), { components: [], pages: [] }, 'machine untouched');
}

test('bad input is refused with a clear message and the running machine untouched', () => {
  const src = bootScribbler({ engine: 'jit', flags: FLAG_TIMER, memoryMiB: 8 });
  src.run(100_000);
  const cp = new Checkpointer(src);
  const f = cp.take({ name: 'f' });
  scribble(src, 20_000, 0, 0);
  const i1 = cp.take({ name: 'i1' });
  scribble(src, 20_000, 1, 0);
  const i2 = cp.take({ name: 'i2' });
  const F = parseCheckpoint(cp.bytes(f.id)!, undefined, HASHES), I1 = parseCheckpoint(cp.bytes(i1.id)!, undefined, HASHES), I2 = parseCheckpoint(cp.bytes(i2.id)!, undefined, HASHES);

  // The victim: another machine of the same configuration, running.
  const m = bootScribbler({ engine: 'jit', flags: FLAG_TIMER, memoryMiB: 8 });
  m.run(77_777);
  const parse = (b: Uint8Array): ParsedCheckpoint => parseCheckpoint(b, 'file', HASHES);

  refuses(m, () => [parse(F.bytes.subarray(0, F.bytes.length - 1))], 'corrupt', /truncated/);
  refuses(m, () => [parse(F.bytes.subarray(0, 100))], 'corrupt', /truncated/);
  // Damage is located: the section, and for RAM its page range (as its header records it).
  const flipped = F.bytes.slice();
  const page = F.sections.find((s) => s.tag === 'PAGE')!;
  flipped[page.offset + 10] ^= 0x10;
  refuses(m, () => [parse(flipped)], 'corrupt',
    new RegExp(`section PAGE at offset ${page.offset - 48} \\(RAM pages 0x${page.first!.toString(16)}–0x${page.last!.toString(16)}, .*\\) is damaged`));
  const flippedStat = F.bytes.slice();
  flippedStat[F.sections.find((s) => s.tag === 'STAT')!.offset + 10] ^= 0x10;
  refuses(m, () => [parse(flippedStat)], 'corrupt', /section STAT at offset \d+ is damaged \(its SHA-256 does not match its contents\)/);
  // A section header altered (its page range): the identity no longer matches.
  const flippedHeader = F.bytes.slice();
  flippedHeader[page.offset - 48 + 8] ^= 0x01;
  refuses(m, () => [parse(flippedHeader)], 'corrupt', /content hash mismatch \(a section header or END! was altered or damaged\)/);
  const v2 = F.bytes.slice();
  new DataView(v2.buffer).setUint32(8, 7, true);
  refuses(m, () => [parse(v2)], 'version', /format version 7 is not supported/);
  // Different machines: RAM size, board, byte order.
  const big = hashed(createDemoMachine({ memoryMiB: 16 })).machine;
  refuses(big, () => [F], 'machine', /different machine .*differs in ramBytes/);
  const malta = hashed(createMaltaMachine({ memoryMiB: 8 })).machine;
  refuses(malta, () => [F], 'machine', /differs in board/);
  const be = hashed(createDemoMachine({ memoryMiB: 8, bigEndian: true })).machine;
  refuses(be, () => [F], 'machine', /differs in bigEndian/);
  const fpu = hashed(createDemoMachine({ memoryMiB: 8, cpu: '5KEf' })).machine;
  refuses(fpu, () => [F], 'machine', /differs in cpu/);
  // Chains: gap, wrong parent content, wrong order, incremental alone.
  refuses(m, () => resolveChain(I2, (id) => (id === F.header.id ? F : undefined)), 'parent', /needs its parent .* cannot be found \(the chain has a gap\)/);
  refuses(m, () => [F, I2], 'parent', /continues .* not .* \(the chain has a gap\)/);
  refuses(m, () => [I1, I2], 'parent', /is incremental and its parent .* is missing/);
  const otherF = parse(forge(F, { header: { name: 'changed' } }));
  refuses(m, () => [otherF, I1], 'parent', /has changed since it was taken/);
  // Forged files (valid CRCs and digest, bad contents).
  const stat = (s: SectionInput[], f: (b: Uint8Array) => Uint8Array): SectionInput[] =>
    s.map((x) => (x.tag === 'STAT' ? { tag: 'STAT', pieces: [f(x.pieces[0])] } : x));
  const renamed = parse(forge(F, { sections: (s) => stat(s, (b) => { const c = b.slice(); const i = Buffer.from(c).indexOf('uart0'); c[i + 4] = 0x39; return c; }) }));
  refuses(m, () => [renamed], 'machine', /no state for component 'uart0'/);
  const vbump = parse(forge(F, {
    sections: (s) => stat(s, (b) => {
      const c = b.slice();
      const i = Buffer.from(c).indexOf('cpu0.tlb');
      new DataView(c.buffer).setUint32(i + 8, 99, true);
      return c;
    }),
  }));
  refuses(m, () => [vbump], 'version', new RegExp(`cpu0\\.tlb: state version 99 was written by a newer build \\(this build reads versions 1 to ${m.cpu.tlb.stateSpec.version}\\)`));
  const pagesOut = parse(forge(F, {
    sections: (s) => s.map((x) => {
      if (x.tag !== 'PAGE') return x;
      const c = x.pieces[0].slice();
      new DataView(c.buffer).setUint32(0, 5000, true);
      return { tag: 'PAGE', pieces: [c] };
    }),
  }));
  refuses(m, () => [pagesOut], 'corrupt', /page 5000 is outside the 2048-page RAM/);
  const countWrong = parse(forge(F, { header: { pages: F.header.pages + 1 } }));
  refuses(m, () => [countWrong], 'corrupt', /page records, the header says/);
  // After all that, a good restore works.
  const r = prepareRestore(m, [F, I1, I2]).apply();
  assert.equal(r.chainLength, 3);
  assert.ok(Buffer.from(m.bus.ram).equals(Buffer.from(src.bus.ram)));
});

test('memory budget: oldest chains are evicted, the current chain never; an oversized checkpoint is refused', () => {
  const m = bootScribbler({ engine: 'jit', memoryMiB: 8 });
  m.run(10_000);
  scribble(m, 256 * 1024, 0, 0); // ~64 incompressible pages: a full checkpoint of ~270 KiB
  const cp = new Checkpointer(m, { memoryBudgetBytes: 450 * 1024, maxChain: 3 });
  const a = cp.take({ name: 'a' });
  const incs: string[] = [];
  for (let i = 0; i < 3; i++) { scribble(m, 4096, 0, i * 4096); incs.push(cp.take().id); }
  const b = cp.take({ name: 'b' }); // chain length 4 reached: full again
  assert.equal(b.kind, 'full');
  scribble(m, 4096, 0, 0);
  const c = cp.take();
  assert.equal(c.kind, 'incremental');
  const held = cp.memory.list().map((i) => i.id);
  assert.ok(!held.includes(a.id), 'old chain evicted');
  assert.ok(held.includes(b.id) && held.includes(c.id), 'current chain kept');
  assert.ok(cp.memory.usedBytes <= 450 * 1024);
  assert.throws(() => cp.restore(incs[1]), (e: unknown) => e instanceof CheckpointError && e.code === 'not-found');
  cp.restore(c.id);
  const tiny = new Checkpointer(m, { memoryBudgetBytes: 64 * 1024 });
  const before = snapshotOf(m);
  assert.throws(() => tiny.take({ kind: 'full' }), (e: unknown) => e instanceof CheckpointError && e.code === 'budget' && /memory budget/.test(e.message));
  assert.equal(tiny.tracker.active, true, 'the shared tracker keeps the interval of the other checkpointer');
  assert.deepEqual(snapshotDiff(before, snapshotOf(m)), { components: [], pages: [] });
});

test('restore emits a marker event for consoles', () => {
  const m = bootScribbler({ engine: 'interp', memoryMiB: 2 });
  m.run(1000);
  const cp = new Checkpointer(m);
  const a = cp.take({ name: 'marker' });
  const seen: string[] = [];
  m.events.on('checkpoint', (e) => seen.push(`${e.action} ${e.name}`));
  m.events.on('log', (e) => seen.push(e.message));
  cp.restore(a.id);
  assert.deepEqual(seen, ['restored marker', `--- restored checkpoint 'marker' (${a.id}) at instruction ${a.icount} ---`]);
});

test('two checkpointers on one machine never chain an incremental onto a base the tracker no longer follows', () => {
  const m = bootScribbler({ engine: 'jit', memoryMiB: 8 });
  m.run(10_000);
  const a = new Checkpointer(m), b = new Checkpointer(m);
  const a1 = a.take({ name: 'a1' });
  scribble(m, 8192, 0, 0);
  b.take({ name: 'b1' }); // opens a new interval: pages written since a1 are no longer tracked for a
  scribble(m, 4096, 0, 65536);
  assert.throws(() => a.take({ kind: 'incremental' }), (e: unknown) => e instanceof CheckpointError && e.code === 'parent');
  const a2 = a.take({ name: 'a2' });
  assert.equal(a2.kind, 'full');
  const b2 = b.take({ name: 'b2' });
  assert.equal(b2.kind, 'full', 'b\'s base moved too');
  scribble(m, 4096, 0, 0);
  const b3 = b.take({ name: 'b3' });
  assert.equal(b3.kind, 'incremental');
  assert.ok(Buffer.from(materializeRam(b.chain(b3.id))).equals(Buffer.from(m.bus.ram)));
  void a1;
});
