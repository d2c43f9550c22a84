// Golden DAP transcript: a fixed debugging scenario on the built-in demo guest, recorded as
// every Debug Adapter Protocol message in both directions (client → adapter requests,
// adapter → client responses and events, in the order the client saw them), normalised,
// and compared exactly with the committed test/adapter/golden/demo-session.json. Any change
// to what the adapter says — capabilities, stop reasons and descriptions, register and CP0
// values, stack frames, disassembly text, memory bytes, error messages, event order — fails
// this test with a diff.
//
// Regenerate deliberately, after checking that the change is intended:
//
//   UPDATE_GOLDEN=1 node --test out/test/adapter/golden.test.js     (then review git diff)
//
// Determinism: the emulator is deterministic by instruction count (virtual time, timer
// interrupts and UART timing derive from it), and the scenario only sends a request once
// the previous one's response and every event it causes have arrived (continue/step wait
// for their `stopped` event), so messages are in a fixed order. The guest is stopped at
// breakpoints before it reaches its idle loop, where wall-clock pacing would begin.
// Normalised, because they are truly nondeterministic (and nothing else is):
//   - `seq` / `request_seq`: renumbered in transcript order per direction (after the merge below);
//   - guest console output: how the bytes printed during one `continue` are cut into
//     `output` events depends on host timing (one event per run slice of ~15 ms), so
//     consecutive stdout `output` events are merged into one;
//   - the repository's absolute path (demo.s line information) → `<ROOT>`;
//   - `mips64/stats` hostRunMs and mips (host time) → `<host-ms>`, `<host-mips>`;
//   - `mips64/stats` jit counters (deterministic, but they follow the translator's tuning,
//     which is not the adapter's protocol) → `<jit-counter>`;
//   - checkpoint ids (wall time, per-process counter, random digits) → `<checkpoint-1>`…,
//     and their `created` time → `<time>`.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AdapterServer, buildAdapter, Client, ROOT, startServer, withTimeout } from './support';

const GOLDEN = join(ROOT, 'test', 'adapter', 'golden', 'demo-session.json');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

type Message = Record<string, unknown> & { type: string; seq: number };
interface Entry { dir: 'client→adapter' | 'adapter→client'; message: Message }

let server: AdapterServer;
before(async () => {
  buildAdapter();
  server = await startServer();
});
after(() => server?.proc.kill());

/** Records every message of a DebugClient (requests as its doSend writes them, everything it receives). */
function record(c: Client): Entry[] {
  const log: Entry[] = [];
  const dc = c.dc as unknown as {
    sequence: number;
    doSend(command: string, args: unknown, clb: (r: unknown) => void): void;
    dispatch(body: string): void;
  };
  const doSend = dc.doSend.bind(dc);
  dc.doSend = (command, args, clb) => {
    const message: Message = { type: 'request', seq: dc.sequence, command };
    if (args && Object.keys(args).length > 0) message['arguments'] = JSON.parse(JSON.stringify(args)) as unknown;
    log.push({ dir: 'client→adapter', message });
    doSend(command, args, clb);
  };
  const dispatch = dc.dispatch.bind(dc);
  dc.dispatch = (body) => {
    log.push({ dir: 'adapter→client', message: JSON.parse(body) as Message });
    dispatch(body);
  };
  return log;
}

/** The normalisations listed in the file header. */
export function normalise(log: readonly Entry[]): Entry[] {
  // Merge runs of stdout output events.
  const merged: Entry[] = [];
  for (const e of log) {
    const prev = merged[merged.length - 1];
    const m = e.message;
    const isOut = (x: Message): boolean => x.type === 'event' && x['event'] === 'output' && (x['body'] as { category?: string }).category === 'stdout';
    if (prev && prev.dir === e.dir && isOut(prev.message) && isOut(m)) {
      const pb = prev.message['body'] as { output: string };
      prev.message = { ...prev.message, body: { ...pb, output: pb.output + (m['body'] as { output: string }).output } };
      continue;
    }
    merged.push({ dir: e.dir, message: JSON.parse(JSON.stringify(m)) as Message });
  }
  // Renumber seq per direction; request_seq follows its request.
  const seqs = { 'client→adapter': 0, 'adapter→client': 0 };
  const requestSeq = new Map<number, number>();
  const ids = new Map<string, string>();
  const text = (s: string): string => s.split(ROOT).join('<ROOT>')
    .replace(/\b\d{8}T\d{6}Z-[0-9a-f]{10}\b/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<checkpoint-${ids.size + 1}>`);
      return ids.get(id)!;
    });
  const walk = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') return key === 'created' ? '<time>' : text(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x, k);
      return o;
    }
    return v;
  };
  return merged.map((e) => {
    const m = walk(e.message) as Message;
    const seq = ++seqs[e.dir];
    if (m.type === 'request') requestSeq.set(m.seq, seq);
    m.seq = seq;
    if (m.type === 'response') {
      m['request_seq'] = requestSeq.get(m['request_seq'] as number) ?? -1;
      if (m['command'] === 'mips64/stats') {
        const b = m['body'] as Record<string, unknown>;
        b['hostRunMs'] = '<host-ms>';
        b['mips'] = '<host-mips>';
        // The translator's counters are deterministic but follow its tuning (hot threshold,
        // block links): their names are protocol, their values are not.
        const jit = b['jit'] as Record<string, unknown> | undefined;
        if (jit) for (const k of Object.keys(jit)) jit[k] = typeof jit[k] === 'number' ? '<jit-counter>' : jit[k];
      }
    }
    return { dir: e.dir, message: m };
  });
}

test('golden DAP transcript of a demo debugging session (UPDATE_GOLDEN=1 regenerates it)', { timeout: 60_000 }, async () => {
  const c = await Client.connect(server.port);
  const log = record(c);
  const dc = c.dc;
  const stopped = (): Promise<DebugProtocol.StoppedEvent> => c.waitStopped(20_000);
  const demoSource = join(ROOT, 'guests', 'demo', 'demo.s');
  let transcript: Entry[] = [];
  try {
    await dc.initializeRequest({ clientID: 'golden', adapterID: 'mips64', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = c.wait('initialized');
    await dc.launchRequest({ board: 'demo', memory: 64, engine: 'jit', stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    // Breakpoints: a source line (the demo's assembly), a symbol, an instruction (by symbol + offset).
    await dc.setBreakpointsRequest({ source: { path: demoSource, name: 'demo.s' }, breakpoints: [{ line: 52 }] });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'do_syscall' }, { name: 'no_such_symbol' }] });
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: 'puthex', offset: 8 }] });
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    let stop = stopped();
    await dc.configurationDoneRequest();
    await stop;                                                         // entry
    await dc.threadsRequest();

    stop = stopped();
    await dc.continueRequest({ threadId: 1 });
    await stop;                                                         // line 52, after the banner
    await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 });
    const scopes = (await dc.scopesRequest({ frameId: 0 })).body.scopes;
    for (const name of ['Registers', 'CP0']) {
      await dc.variablesRequest({ variablesReference: scopes.find((s) => s.name === name)!.variablesReference });
    }
    await dc.evaluateRequest({ expression: '$sp', context: 'watch', frameId: 0 });
    await dc.evaluateRequest({ expression: '$cp0.status', context: 'hover', frameId: 0 });
    await dc.evaluateRequest({ expression: 'x/4i $pc', context: 'repl', frameId: 0 });
    await dc.evaluateRequest({ expression: '$nosuchreg + 1', context: 'watch', frameId: 0 }).catch(() => undefined);

    stop = stopped();
    await dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
    await stop;                                                         // one instruction
    await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 1 });

    stop = stopped();
    await dc.continueRequest({ threadId: 1 });
    await stop;                                                         // do_syscall (function breakpoint)
    await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 });
    await dc.disassembleRequest({ memoryReference: 'do_syscall', offset: 0, instructionOffset: -2, instructionCount: 8, resolveSymbols: true });
    await dc.customRequest('readMemory', { memoryReference: 'banner', offset: 0, count: 48 });

    stop = stopped();
    await dc.continueRequest({ threadId: 1 });
    await stop;                                                         // puthex+8 (instruction breakpoint)
    await dc.evaluateRequest({ expression: '$a0', context: 'watch', frameId: 0 });
    await dc.customRequest('mips64/stats');
    await dc.customRequest('mips64/checkpoint/take', { name: 'in puthex', kind: 'full' });
    await dc.customRequest('mips64/checkpoint/list');
    await dc.disconnectRequest({ terminateDebuggee: true });
    transcript = log.slice(); // (stop() below sends another disconnect: not part of the scenario)
  } finally {
    await withTimeout(dc.stop(), 5000, 'stop').catch(() => undefined);
  }

  const actual = normalise(transcript);
  if (UPDATE) {
    mkdirSync(join(GOLDEN, '..'), { recursive: true });
    writeFileSync(`${GOLDEN}.tmp`, JSON.stringify(actual, null, 1) + '\n');
    renameSync(`${GOLDEN}.tmp`, GOLDEN);
  }
  const expected = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Entry[];
  assert.deepEqual(actual, expected, `the DAP transcript differs from ${GOLDEN}; if the change is intended, regenerate with UPDATE_GOLDEN=1 (see the header)`);
});

test('normalise: merges stdout output runs, renumbers seq/request_seq, replaces paths, host times and checkpoint ids', () => {
  const ev = (seq: number, event: string, body: unknown): Entry => ({ dir: 'adapter→client', message: { type: 'event', seq, event, body } });
  const log: Entry[] = [
    { dir: 'client→adapter', message: { type: 'request', seq: 7, command: 'continue' } },
    { dir: 'adapter→client', message: { type: 'response', seq: 40, request_seq: 7, command: 'continue', success: true } },
    ev(41, 'output', { category: 'stdout', output: 'MIP' }),
    ev(42, 'output', { category: 'stdout', output: 'S64\r\n' }),
    ev(43, 'output', { category: 'console', output: `at ${ROOT}/guests/demo/demo.s` }),
    { dir: 'client→adapter', message: { type: 'request', seq: 8, command: 'mips64/stats' } },
    { dir: 'adapter→client', message: { type: 'response', seq: 44, request_seq: 8, command: 'mips64/stats', success: true, body: { hostRunMs: 12, mips: 3.5, instructions: 99 } } },
    ev(45, 'x', { id: '20261121T075431Z-0001abcdef', parentId: '20261121T075431Z-0001abcdef', created: '2026-11-21T07:54:31.000Z' }),
  ];
  assert.deepEqual(normalise(log), [
    { dir: 'client→adapter', message: { type: 'request', seq: 1, command: 'continue' } },
    { dir: 'adapter→client', message: { type: 'response', seq: 1, request_seq: 1, command: 'continue', success: true } },
    { dir: 'adapter→client', message: { type: 'event', seq: 2, event: 'output', body: { category: 'stdout', output: 'MIPS64\r\n' } } },
    { dir: 'adapter→client', message: { type: 'event', seq: 3, event: 'output', body: { category: 'console', output: 'at <ROOT>/guests/demo/demo.s' } } },
    { dir: 'client→adapter', message: { type: 'request', seq: 2, command: 'mips64/stats' } },
    { dir: 'adapter→client', message: { type: 'response', seq: 4, request_seq: 2, command: 'mips64/stats', success: true, body: { hostRunMs: '<host-ms>', mips: '<host-mips>', instructions: 99 } } },
    { dir: 'adapter→client', message: { type: 'event', seq: 5, event: 'x', body: { id: '<checkpoint-1>', parentId: '<checkpoint-1>', created: '<time>' } } },
  ]);
});
