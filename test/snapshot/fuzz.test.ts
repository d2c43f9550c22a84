// Fuzzing checkpoint files: a chain (full + two incrementals) of a running guest is
// mutated in ≥ 1,200 ways — flipped bits, overwritten bytes, truncation, insertion,
// deletion, swapped or dropped sections, and "forged" files whose altered contents
// carry valid CRCs and digest (so decoding itself is exercised: component states,
// page records, LZ streams, header fields). Every case must either restore correctly
// (the machine then holds exactly what the files describe) or be refused with a
// CheckpointError leaving the running machine untouched. Any other exception fails.
// The seed is printed; rerun one with CKPT_FUZZ_SEED=<seed> (CKPT_FUZZ_CASES=<n>); the default
// seed is fixed, CKPT_FUZZ_SEED=random picks a new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Machine } from '../../src/emulator/machine';
import { crc32 } from '../../src/emulator/snapshot/crc32';
import {
  materializeRam, readComponents, resolveChain, restoreCheckpoint,
} from '../../src/emulator/snapshot/checkpoint';
import {
  assembleCheckpoint, CheckpointError, parseCheckpoint, ParsedCheckpoint, SectionInput,
} from '../../src/emulator/snapshot/format';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import { saveState } from '../../src/emulator/snapshot/state';
import { bootScribbler, FLAG_TIMER, FLAG_UART, scribble } from '../support/checkpoint-guests';
import { HASHES } from '../support/hashes';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function rng(seed: number): { next(): number; int(n: number): number; pick<T>(a: readonly T[]): T } {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return { next, int: (n) => next() % n, pick: (a) => a[next() % a.length] };
}

/** Fingerprint of a machine: every component's state, a copy of RAM, the input log length. */
function fingerprint(m: Machine): { states: string; ram: Buffer } {
  const parts: string[] = [];
  for (const c of m.stateComponents()) parts.push(`${c.stateSpec.name}:${crc32(saveState(c)).toString(16)}`);
  parts.push(`log:${m.inputLog.length}`);
  return { states: parts.join(' '), ram: Buffer.from(m.bus.ram.slice()) };
}

function sameFingerprint(a: { states: string; ram: Buffer }, m: Machine): boolean {
  const b = fingerprint(m);
  return a.states === b.states && a.ram.equals(b.ram);
}

type R = ReturnType<typeof rng>;

function sectionsOf(p: ParsedCheckpoint): SectionInput[] {
  return p.sections.slice(1).map((s) => ({ tag: s.tag, pieces: [p.payload(s).slice()] }));
}

/** Mutations on raw bytes (CRC/digest left as they are). */
function rawMutation(r: R, b: Uint8Array): { bytes: Uint8Array; how: string } {
  const n = b.length;
  switch (r.int(6)) {
    case 0: {
      const c = b.slice();
      const k = 1 + r.int(8);
      for (let i = 0; i < k; i++) c[r.int(n)] ^= 1 << r.int(8);
      return { bytes: c, how: `flip ${k} bits` };
    }
    case 1: {
      const c = b.slice();
      const at = r.int(n), len = 1 + r.int(16);
      for (let i = at; i < Math.min(n, at + len); i++) c[i] = r.int(256);
      return { bytes: c, how: `overwrite ${len} bytes at ${at}` };
    }
    case 2: { const cut = r.int(n); return { bytes: b.slice(0, cut), how: `truncate to ${cut}` }; }
    case 3: {
      const at = r.int(n + 1), len = 1 + r.int(64);
      const ins = Uint8Array.from({ length: len }, () => r.int(256));
      return { bytes: Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]), how: `insert ${len} at ${at}` };
    }
    case 4: {
      const at = r.int(n), len = 1 + r.int(64);
      return { bytes: Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + len)]), how: `delete ${len} at ${at}` };
    }
    default: {
      // Header fields in the preamble / first section header.
      const c = b.slice();
      const at = r.int(24);
      c[at] = r.int(256);
      return { bytes: c, how: `preamble byte ${at}` };
    }
  }
}

/** Mutations that keep the container valid (CRCs and digest recomputed). */
function forgedMutation(r: R, p: ParsedCheckpoint): { bytes: Uint8Array; how: string } {
  const secs = sectionsOf(p);
  const header = { ...p.header } as Record<string, unknown>;
  const which = r.int(9);
  const mutatePayload = (tag: string): string => {
    const cand = secs.filter((s) => s.tag === tag);
    if (cand.length === 0) return `no ${tag}`;
    const s = r.pick(cand);
    const c = s.pieces[0];
    if (c.length === 0) return `empty ${tag}`;
    const k = 1 + r.int(4);
    for (let i = 0; i < k; i++) {
      if (r.int(2)) c[r.int(c.length)] ^= 1 << r.int(8);
      else c[r.int(c.length)] = r.pick([0, 0xff, 0x7f, 0x80, 1, r.int(256)]);
    }
    return `forged ${tag} (${k} bytes)`;
  };
  let how: string;
  switch (which) {
    case 0: case 1: how = mutatePayload('STAT'); break;
    case 2: case 3: how = mutatePayload('PAGE'); break;
    case 4: how = mutatePayload('INPT'); break;
    case 5: {
      const f = r.pick(['icount', 'virtualNs', 'pages', 'inputEvents', 'kind', 'parentId', 'parentHash', 'id', 'pageSize', 'machine', 'components', 'format', 'name']);
      const v = r.pick<unknown>([0, -1, 1e300, 'x', null, true, [], {}, 4096, 'full', 'incremental', 'a'.repeat(64), 3.5]);
      header[f] = v;
      how = `forged header ${f}=${JSON.stringify(v)}`;
      break;
    }
    case 6: {
      const m = { ...(header.machine as object) } as Record<string, unknown>;
      const f = r.pick(['board', 'cpu', 'ramBytes', 'bigEndian', 'nsPerInsn']);
      m[f] = r.pick<unknown>(['malta', '5KEf', 4 << 20, 16 << 20, true, 4, 5, 'demo', '5KEc', false]);
      header.machine = m;
      how = `forged machine.${f}=${JSON.stringify(m[f])}`;
      break;
    }
    case 7: {
      // Drop, duplicate or reorder sections.
      const i = r.int(secs.length);
      const op = r.int(3);
      if (op === 0) secs.splice(i, 1);
      else if (op === 1) secs.splice(i, 0, { tag: secs[i].tag, pieces: [secs[i].pieces[0].slice()] });
      else { const j = r.int(secs.length); [secs[i], secs[j]] = [secs[j], secs[i]]; }
      how = `sections ${['drop', 'duplicate', 'swap'][op]} ${i}`;
      break;
    }
    default: {
      // Truncate or extend one payload.
      const s = r.pick(secs);
      const c = s.pieces[0];
      s.pieces[0] = r.int(2) ? c.subarray(0, r.int(c.length + 1)) : Uint8Array.from([...c, ...Array.from({ length: 1 + r.int(9) }, () => r.int(256))]);
      how = `resize ${s.tag} payload to ${s.pieces[0].length}`;
    }
  }
  return { bytes: assembleCheckpoint(header as never, secs, HASHES).bytes, how };
}

test('fuzz: mutated checkpoint files are restored correctly or refused cleanly', () => {
  const seedEnv = process.env.CKPT_FUZZ_SEED;
  // A fixed default seed so CI cannot fail by chance; CKPT_FUZZ_SEED=random explores.
  const seed = seedEnv === 'random' ? (Date.now() ^ (process.pid << 8)) >>> 0 : Number(seedEnv ?? 0x0c4ec6b7) >>> 0;
  const cases = Number(process.env.CKPT_FUZZ_CASES ?? 1200);
  console.log(`# checkpoint fuzz seed ${seed} (${cases} cases; rerun with CKPT_FUZZ_SEED=${seed})`);
  const r = rng(seed);

  const src = bootScribbler({ engine: 'jit', flags: FLAG_TIMER | FLAG_UART, memoryMiB: 5 });
  src.run(50_000);
  const cp = new Checkpointer(src);
  const full = cp.take({ name: 'full' });
  scribble(src, 30_000, 0, 0);
  src.consoleInput(text('ab'));
  src.run(20_000);
  const inc1 = cp.take({ name: 'inc1' });
  scribble(src, 20_000, 1, 10_000);
  src.consoleInput(text('c'));
  src.run(10_000);
  const inc2 = cp.take({ name: 'inc2' });
  const originals = [full, inc1, inc2].map((i) => cp.bytes(i.id)!);

  // The victim machine, running something else.
  const m = bootScribbler({ engine: 'jit', flags: FLAG_TIMER, memoryMiB: 5 });
  m.run(123_456);
  const pristineChain = originals.map((b) => parseCheckpoint(b, undefined, HASHES));
  const stateAtStart = cp.chain(inc2.id); // parsed originals, for resetting the victim
  void stateAtStart;

  // Outcomes: refused cleanly (CheckpointError, clear message, machine untouched), restored
  // correctly (the machine holds exactly what the files say, and runs on), crashed (any
  // other exception), hung (restored, but the machine cannot run: a run that executes
  // nothing and gives no reason), wrong (refused with the machine changed, an unclear
  // message, or restored state that is not the files'). Only the first two may occur.
  let refused = 0, restored = 0, unchanged = 0;
  const bad = { crashed: [] as string[], hung: [] as string[], wrong: [] as string[] };
  const reasons = new Map<string, number>();
  for (let i = 0; i < cases; i++) {
    const target = r.int(3);
    const forged = r.int(2) === 1;
    const mut = forged ? forgedMutation(r, pristineChain[target]) : rawMutation(r, originals[target]);
    const files = originals.slice();
    files[target] = mut.bytes;
    const label = `case ${i} (seed ${seed}): file ${target} ${mut.how}`;
    const before = fingerprint(m);
    let chain: ParsedCheckpoint[] | undefined;
    try {
      const parsed = files.map((b, k) => parseCheckpoint(b, `file${k}`, HASHES));
      const byId = new Map(parsed.map((p) => [p.header.id, p]));
      chain = resolveChain(parsed[2], (id) => byId.get(id));
      restoreCheckpoint(m, chain);
    } catch (e) {
      if (!(e instanceof CheckpointError)) {
        bad.crashed.push(`${label}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
      } else if (!(e.message.length > 10 && !/undefined|NaN|\[object/.test(e.message))) {
        bad.wrong.push(`${label}: unclear message '${e.message}'`);
      } else if (!sameFingerprint(before, m)) {
        bad.wrong.push(`${label}: refused (${e.message}) but the machine changed`);
      } else {
        refused++;
        reasons.set(e.code, (reasons.get(e.code) ?? 0) + 1);
        continue;
      }
      restoreCheckpoint(m, pristineChain);
      continue;
    }
    // Restored: the machine must hold exactly what the (possibly forged) files say.
    const tip = chain[chain.length - 1];
    const comps = new Map(readComponents(tip).map((c) => [c.name, c.bytes]));
    const unfaithful = m.stateComponents().find((c) => !Buffer.from(saveState(c)).equals(Buffer.from(comps.get(c.stateSpec.name)!)));
    if (unfaithful) bad.wrong.push(`${label}: component ${unfaithful.stateSpec.name} not restored faithfully`);
    else if (!Buffer.from(m.bus.ram).equals(Buffer.from(materializeRam(chain)))) bad.wrong.push(`${label}: RAM not restored faithfully`);
    else {
      // And it runs on: a bounded run returns, having executed something or with a reason.
      try {
        const run = m.run(20_000);
        if (run.executed === 0 && run.reason === 'budget') bad.hung.push(`${label}: restored, but a run executes nothing`);
        else restored++;
      } catch (e) {
        bad.crashed.push(`${label}: running the restored machine: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (files.every((b, k) => Buffer.from(b).equals(Buffer.from(originals[k])))) unchanged++;
    // Continue from the pristine victim state for the next case.
    restoreCheckpoint(m, pristineChain);
  }
  console.log(`# checkpoint fuzz: ${cases} tried, ${refused} refused cleanly (${[...reasons].map(([k, v]) => `${k} ${v}`).join(', ')}), `
    + `${restored} restored correctly (${unchanged} with unchanged bytes), ${bad.crashed.length} crashed, ${bad.hung.length} hung, ${bad.wrong.length} wrong`);
  for (const [k, list] of Object.entries(bad)) assert.deepEqual(list.slice(0, 3), [], `${list.length} ${k}`);
  assert.ok(cases < 1000 || refused > cases / 2, 'most mutations must be refused');
});
