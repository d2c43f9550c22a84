// Restore by difference (difference.ts, Checkpointer.restore): after every restore of a
// checkpoint of the running session the machine must be byte-identical — RAM and every
// component's state — to the same chain restored in full into a second machine, and its
// RAM to materializeRam(chain); both machines must then also run on identically. A fixed
// scenario covers chains (full → inc → inc), restoring an older checkpoint, running,
// restoring a newer one, restoring twice in a row, restoring right after a restore,
// another branch of the same tree, and a checkpoint under another full one (which must
// fall back to a full restore); a seeded random walk of runs, guest stores, debugger
// and loader writes, takes and restores does the same on both engines. The random walk's
// seed is fixed (CKPT_DIFF_SEED=random explores, CKPT_DIFF_SEED=<n> reruns one). A page
// record used by such a restore is verified like any other: a forged one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Machine } from '../../src/emulator/machine';
import {
  materializeRam, pageIndex, prepareRestore, restoreCheckpoint, RestoreResult,
} from '../../src/emulator/snapshot/checkpoint';
import { PageCodec } from '../../src/emulator/snapshot/compress';
import { assembleCheckpoint, CheckpointError, parseCheckpoint } from '../../src/emulator/snapshot/format';
import { DebugMemory } from '../../src/emulator/debug/memory';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import {
  bootScribbler, FLAG_TIMER, FLAG_UART, REGION, scribble, snapshotDiff, snapshotOf,
} from '../support/checkpoint-guests';
import { HASHES } from '../support/hashes';

const ENGINES = ['jit', 'interp'] as const;
const MiB = 1048576;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * Restores `id` by difference into `m` (through `cp`), the same chain in full into `twin`,
 * and asserts both machines and the chain's RAM are identical, then that they stay so
 * after running the same number of instructions.
 */
function restoreAndCompare(cp: Checkpointer, m: Machine, twin: Machine, id: string, what: string): RestoreResult {
  const r = cp.restore(id);
  const chain = cp.chain(id);
  restoreCheckpoint(twin, chain);
  const ram = materializeRam(chain);
  assert.ok(Buffer.from(ram).equals(Buffer.from(m.bus.ram)), `${what}: RAM equals materializeRam(chain)`);
  assert.deepEqual(snapshotDiff(snapshotOf(twin), snapshotOf(m)), { components: [], pages: [] }, `${what}: same as a full restore`);
  assert.equal(m.inputLog.length, twin.inputLog.length, `${what}: input log`);
  // Caches rebuilt alike: both continue identically (the twin has no dirty tracking).
  const icount = m.cpu.icount;
  m.run(20_000);
  twin.run(m.cpu.icount - icount);
  assert.deepEqual(snapshotDiff(snapshotOf(twin), snapshotOf(m)), { components: [], pages: [] }, `${what}: same after running on`);
  return r;
}

for (const engine of ENGINES) {
  test(`restore by difference (${engine}): identical to a full restore across chains, branches, repeats and trees`, () => {
    const mk = (): Machine => bootScribbler({ engine, flags: FLAG_TIMER | FLAG_UART, memoryMiB: 8 });
    const m = mk(), twin = mk();
    twin.run(77_000); // somewhere else entirely
    m.run(50_000);
    const cp = new Checkpointer(m, { maxChain: 100 });
    const F = cp.take({ name: 'F' });
    scribble(m, 40_000, 0, 0);
    m.consoleInput(text('ab'));
    m.run(30_000);
    const I1 = cp.take({ name: 'I1' });
    scribble(m, 30_000, 1, 20_000);
    const I2 = cp.take({ name: 'I2' });
    assert.deepEqual([F.kind, I1.kind, I2.kind], ['full', 'incremental', 'incremental']);
    // Written since I2, then back to the older I1.
    scribble(m, 12_000, 0, 100_000);
    new DebugMemory(m.cpu, m.bus).write({ addr: 0x00600000n, phys: true }, text('debugger write'));
    m.bus.writeBytes(0x00700000, new Uint8Array(6000).fill(0x5a));
    let r = restoreAndCompare(cp, m, twin, I1.id, 'older I1');
    assert.equal(r.byDifference, true);
    const ramPages = m.bus.ramSize >>> 12;
    assert.ok(r.pagesApplied > 0 && r.pagesApplied < ramPages / 4, `only the pages that can differ: ${r.pagesApplied} of ${ramPages}`);
    // Run on, then the newer I2.
    scribble(m, 8000, 1, 4096);
    r = restoreAndCompare(cp, m, twin, I2.id, 'newer I2');
    assert.equal(r.byDifference, true);
    // Twice in a row (restoreAndCompare ran 20,000 instructions since): the second
    // restore finds nothing written and rewrites no page.
    r = restoreAndCompare(cp, m, twin, I2.id, 'I2 again');
    assert.equal(r.byDifference, true);
    cp.restore(I2.id);
    const again = cp.restore(I2.id);
    assert.equal(again.byDifference, true);
    assert.equal(again.pagesApplied, 0, 'restoring the checkpoint RAM already matches rewrites no page');
    assert.ok(Buffer.from(materializeRam(cp.chain(I2.id))).equals(Buffer.from(m.bus.ram)));
    // Right after a restore: back to the full one.
    r = restoreAndCompare(cp, m, twin, F.id, 'F after a restore');
    assert.equal(r.byDifference, true);
    // A branch of the same tree: F → I3, then I2 (common ancestor F).
    scribble(m, 16_000, 0, 200_000);
    const I3 = cp.take({ name: 'I3' });
    assert.equal(I3.parentId, F.id);
    scribble(m, 4000, 1, 0);
    r = restoreAndCompare(cp, m, twin, I2.id, 'I2 from the branch I3');
    assert.equal(r.byDifference, true);
    r = restoreAndCompare(cp, m, twin, I3.id, 'I3 from I2');
    assert.equal(r.byDifference, true);
    // Another tree: a new full checkpoint, then a checkpoint of the first tree (full restore).
    const G = cp.take({ name: 'G', kind: 'full' });
    scribble(m, 4000, 0, 0);
    r = restoreAndCompare(cp, m, twin, I1.id, 'I1 from the tree of G');
    assert.equal(r.byDifference, false, 'different full checkpoint at the root: all of RAM');
    r = restoreAndCompare(cp, m, twin, G.id, 'G from I1');
    assert.equal(r.byDifference, false);
    r = restoreAndCompare(cp, m, twin, G.id, 'G again');
    assert.equal(r.byDifference, true, 'the base moved with the restore');
    // Forcing a full restore gives the same machine too.
    const forced = cp.restore(I2.id, { full: true });
    assert.equal(forced.byDifference, false);
    assert.ok(Buffer.from(materializeRam(cp.chain(I2.id))).equals(Buffer.from(m.bus.ram)));
    cp.dispose();
  });
}

function rng(seed: number): { int(n: number): number } {
  let x = seed >>> 0 || 0x9e3779b9;
  return { int: (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; } };
}

test('restore by difference: random walks of runs, writes, takes and restores match full restores (both engines)', () => {
  const env = process.env.CKPT_DIFF_SEED;
  const seed = env === 'random' ? (Date.now() ^ (process.pid << 8)) >>> 0 : Number(env ?? 0x5eed0d1f) >>> 0;
  console.log(`# restore-by-difference walk seed ${seed} (rerun with CKPT_DIFF_SEED=${seed})`);
  for (const engine of ENGINES) {
    const r = rng(seed ^ (engine === 'jit' ? 0 : 0x1234567));
    const mk = (): Machine => bootScribbler({ engine, flags: FLAG_TIMER | FLAG_UART, memoryMiB: 8 });
    const m = mk(), twin = mk();
    m.run(10_000);
    // A small chain limit and budget: new trees and evictions happen along the way.
    const cp = new Checkpointer(m, { maxChain: 4, memoryBudgetBytes: 6 * MiB });
    const ids: string[] = [cp.take({ name: 'start' }).id];
    let byDiff = 0, full = 0;
    for (let step = 0; step < 80; step++) {
      const what = `${engine} step ${step} (seed ${seed})`;
      switch (r.int(7)) {
        case 0: m.run(1000 + r.int(50_000)); break;
        // Guest stores, debugger writes and loader writes in the guest's scratch region
        // (REGION up to the end of RAM; the guest's code and mailbox stay intact).
        case 1: scribble(m, 4 + r.int(30_000), r.int(2) as 0 | 1, r.int(2 * MiB) & ~7); break;
        case 2: new DebugMemory(m.cpu, m.bus).write({ addr: BigInt(REGION + r.int(4 * MiB - 16)), phys: true }, text(`w${step}`)); break;
        case 3: m.bus.writeBytes(REGION + r.int(4 * MiB - 9000), new Uint8Array(1 + r.int(9000)).fill(step)); break;
        case 4: ids.push(cp.take({ name: `t${step}`, kind: r.int(12) === 0 ? 'full' : 'auto' }).id); break;
        default: {
          const live = ids.filter((id) => cp.memory.has(id));
          const id = live[r.int(live.length)];
          const res = restoreAndCompare(cp, m, twin, id, `${what}: restore ${id}`);
          if (res.byDifference) byDiff++; else full++;
        }
      }
    }
    console.log(`# ${engine}: ${byDiff} restores by difference, ${full} full`);
    assert.ok(byDiff >= 5, `${engine}: ${byDiff} restores by difference (${full} full)`);
    cp.dispose();
  }
});

test('restore by difference verifies the records it uses: a malformed LZ stream of a listed page is refused, the machine untouched', () => {
  const m = bootScribbler({ engine: 'jit', memoryMiB: 8 });
  m.run(20_000);
  const cp = new Checkpointer(m);
  const F = cp.take({ name: 'F' });
  // Compressible pages: the address pattern.
  scribble(m, 64 * 1024, 1, 0);
  const I = cp.take({ name: 'I' });
  const [pf, pi] = cp.chain(I.id);
  const lz = [...pageIndex(pi, m.bus.ramSize >>> 12).values()].find((r) => r.codec === PageCodec.Lz);
  assert.ok(lz, 'the incremental holds an LZ page');
  // The same file with that stream damaged, CRCs and digest recomputed (a forged but well-framed file).
  const sections = pi.sections.slice(1).map((s) => ({ tag: s.tag, pieces: [pi.payload(s).slice()] }));
  const sec = pi.sections.slice(1).findIndex((s) => s.offset <= lz.at && lz.at < s.offset + s.length);
  sections[sec].pieces[0][lz.at - pi.sections[sec + 1].offset] = 0xff; // token: 15 literal words + impossible lengths
  const forged = parseCheckpoint(assembleCheckpoint(pi.header, sections, HASHES).bytes, undefined, HASHES);
  scribble(m, 4096, 0, 0);
  const before = snapshotOf(m);
  assert.throws(() => prepareRestore(m, [pf, forged], { pages: [lz.page] }),
    (e: unknown) => e instanceof CheckpointError && e.code === 'corrupt' && new RegExp(`compressed data of page ${lz.page} is malformed`).test(e.message));
  assert.deepEqual(snapshotDiff(before, snapshotOf(m)), { components: [], pages: [] }, 'machine untouched');
  // The full path refuses it too; the intact chain restores.
  assert.throws(() => prepareRestore(m, [pf, forged]), (e: unknown) => e instanceof CheckpointError && e.code === 'corrupt');
  assert.equal(cp.restore(I.id).byDifference, true);
  assert.ok(Buffer.from(materializeRam([pf, pi])).equals(Buffer.from(m.bus.ram)));
  void F;
});
