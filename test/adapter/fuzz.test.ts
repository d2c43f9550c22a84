// DAP request fuzz: a session on the demo guest gets 600 requests of every command the
// adapter serves (and a few it does not), with arguments built from the protocol's
// property names filled with random JSON (huge, negative and fractional numbers, long
// strings, wrong types, nesting). Every request must be answered — success, or an error
// of one line that is not an internal error or a stack trace — and afterwards the same
// server must serve a normal session. Prints the throughput and the outcome counts.
// The seed is fixed; DAP_FUZZ_SEED=<n> reruns another.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterHarness } from './support';
import { RawClient } from './raw-client';
import { SHAPED_COMMANDS } from '../../src/adapter/dap-shapes';

const harness = new AdapterHarness();
before(() => harness.start());
after(() => harness.stop());

function rng(seed: number): { int(n: number): number; pick<T>(a: readonly T[]): T; chance(p: number): boolean } {
  let x = seed >>> 0 || 1;
  const next = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return { int: (n) => next() % n, pick: (a) => a[next() % a.length]!, chance: (p) => next() / 2 ** 32 < p };
}

/** Property names the protocol's requests use (so random arguments reach the handlers). */
const KEYS = [
  'threadId', 'frameId', 'variablesReference', 'name', 'value', 'expression', 'context', 'source', 'path', 'line', 'lines',
  'column', 'breakpoints', 'condition', 'hitCondition', 'logMessage', 'instructionReference', 'offset', 'filters', 'filterOptions',
  'filterId', 'dataId', 'accessType', 'bytes', 'asAddress', 'memoryReference', 'count', 'data', 'allowPartial', 'instructionOffset',
  'instructionCount', 'resolveSymbols', 'startFrame', 'levels', 'granularity', 'targetId', 'text', 'port', 'id', 'a', 'b', 'kind',
  'board', 'kernel', 'memory', 'stopOnEntry', 'symbols', 'checkpoint', 'terminateDebuggee', 'adapterID', 'pathFormat', 'start', 'filter',
];

function randomValue(r: ReturnType<typeof rng>, depth: number): unknown {
  switch (r.int(depth > 2 ? 6 : 9)) {
    case 0: return r.pick([0, 1, -1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1.5, 1e300, 0.1, 4, 0x80100000, 100_000]);
    case 1: return r.pick(['', 'main', '$pc', '0xffffffff80100000', 'start+4', '*(u64*)0', 'x/16gx $sp', '((((', 'phys:0x1000', 'a'.repeat(r.int(5000)), '\u0000\u001b[2J', '/tmp/x.s', 'readWrite', 'instruction']);
    case 2: return r.chance(0.5);
    case 3: return null;
    case 4: return r.int(64);
    case 5: return `0x${r.int(2 ** 31).toString(16)}`;
    case 6: return Array.from({ length: r.int(r.chance(0.1) ? 3000 : 6) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let k = r.int(6); k > 0; k--) o[r.pick(KEYS)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

test('600 random requests: each answered, success or one clean line; then a normal session works', { timeout: 300_000 }, async () => {
  const seed = Number(process.env.DAP_FUZZ_SEED ?? 0x5eed0d49);
  const r = rng(seed);
  const c = await RawClient.open(harness.server!.port);
  await c.request('initialize', { adapterID: 'mips64', pathFormat: 'path' });
  await c.request('launch', { board: 'demo', memory: 64, stopOnEntry: true });
  await c.request('configurationDone');
  const commands = [...SHAPED_COMMANDS.filter((x) => !['disconnect', 'terminate', 'restart', 'launch', 'attach'].includes(x)), 'stepBack', 'nosuch', 'completions'];
  const outcomes = new Map<string, number>();
  const count = (k: string): void => { outcomes.set(k, (outcomes.get(k) ?? 0) + 1); };
  const t0 = performance.now();
  const N = 600;
  for (let i = 0; i < N; i++) {
    const command = r.pick(commands);
    const args = r.chance(0.15) ? randomValue(r, 0) : Object.fromEntries(Array.from({ length: 1 + r.int(5) }, () => [r.pick(KEYS), randomValue(r, 1)]));
    const res = await c.request(command, args);
    if (res.success) { count('success'); continue; }
    const msg = res.message ?? '';
    assert.doesNotMatch(msg, /\n|\bat .*:\d+:\d+|internal error|TypeError|RangeError/, `${command} ${JSON.stringify(args)?.slice(0, 300)}: ${msg}`);
    count(/^\S+: arguments/.test(msg) ? 'refused: arguments' : 'refused: other');
  }
  const ms = performance.now() - t0;
  console.log(`# DAP fuzz seed ${seed}: ${N} requests in ${ms.toFixed(0)} ms (${(N / (ms / 1000)).toFixed(0)}/s): ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  // The fuzzed session still answers; the server serves a normal session.
  assert.equal((await c.request('threads')).success, true);
  c.close();
  const n = await harness.client();
  const stopped = n.waitStopped();
  await n.launch({ type: 'mips64', request: 'launch', name: 'demo', board: 'demo', memory: 64, stopOnEntry: true });
  assert.equal((await stopped).body.reason, 'entry');
  assert.equal((await n.top()).name, 'start');
  const bp = await n.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'puts' }] });
  assert.equal(bp.body.breakpoints[0]!.verified, true);
  const hit = n.waitStopped();
  await n.dc.continueRequest({ threadId: 1 });
  assert.equal((await hit).body.reason, 'function breakpoint');
  // (The harness ends the session.)
});
