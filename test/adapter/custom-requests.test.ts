// The adapter's custom protocol used by the VS Code extension: the `mips64/uart` event
// (launch attribute uartOutput) and the `mips64/checkpoint/*` requests, over DAP against
// the real bundle (dist/adapter.js) running the built-in demo guest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type {
  CheckpointCompareBody, CheckpointDeleteBody, CheckpointListBody, CheckpointRestoreBody, CheckpointTakeBody, UartEventBody,
} from '../../src/adapter/protocol';
import { AdapterHarness, Client, rejects } from './support';

const tmp = mkdtempSync(join(tmpdir(), 'mips64-cp-'));
const harness = new AdapterHarness([() => rmSync(tmp, { recursive: true, force: true })]);
before(() => harness.start());
after(() => harness.stop());
const client = (): Promise<Client> => harness.client();

const DEMO = { type: 'mips64', request: 'launch', name: 'demo', board: 'demo', memory: 64 };
const T = { timeout: 30_000 };
const PROMPT = "Type something ('t' = ticks, 'q' = quit)";

/** Collects `mips64/uart` event text. */
function uartText(c: Client): () => string {
  let text = '';
  c.dc.on('mips64/uart', (e: DebugProtocol.Event) => { text += (e.body as UartEventBody).text; });
  return () => text;
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("uartOutput 'event': console output comes only as mips64/uart events", T, async () => {
  const c = await client();
  const uart = uartText(c);
  await c.launch({ ...DEMO, uartOutput: 'event' });
  await until(() => uart().includes(PROMPT), 'the prompt');
  await c.dc.customRequest('mips64/uartInput', { text: 't' });
  await until(() => uart().includes('timer ticks: 0x'), 'ticks');
  assert.equal(c.stdout, '', 'no stdout output events');
});

test("uartOutput 'both' sends events and Debug Console output; the default only output", T, async () => {
  const c = await client();
  const uart = uartText(c);
  await c.launch({ ...DEMO, uartOutput: 'both' });
  await c.waitOutput(PROMPT);
  await until(() => uart().includes(PROMPT), 'the prompt event');

  const d = await client();
  const uart2 = uartText(d);
  await d.launch(DEMO);
  await d.waitOutput(PROMPT);
  assert.equal(uart2(), '');
});

test('checkpoints: take full then incremental, list, compare, restore (stop at the restored PC), delete', T, async () => {
  const c = await client();
  const entry = c.waitStopped();
  await c.launch({ ...DEMO, stopOnEntry: true });
  await entry;
  const pc0 = (await c.top()).instructionPointerReference;

  const a = (await c.dc.customRequest('mips64/checkpoint/take', { name: 'at entry' })).body as CheckpointTakeBody;
  assert.equal(a.checkpoint.name, 'at entry');
  assert.equal(a.checkpoint.kind, 'full');
  assert.equal(a.checkpoint.parentId, null);
  assert.deepEqual(a.checkpoint.stored, ['memory']);
  assert.ok(a.checkpoint.sizeBytes > 0);

  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT);
  let stopped = c.waitStopped();
  await c.dc.pauseRequest({ threadId: 1 });
  await stopped;
  const b = (await c.dc.customRequest('mips64/checkpoint/take', { name: 'at prompt' })).body as CheckpointTakeBody;
  assert.equal(b.checkpoint.kind, 'incremental');
  assert.equal(b.checkpoint.parentId, a.checkpoint.id);
  assert.ok(b.checkpoint.icount > a.checkpoint.icount);

  const list = (await c.dc.customRequest('mips64/checkpoint/list')).body as CheckpointListBody;
  assert.equal(list.location, 'memory');
  assert.deepEqual(list.checkpoints.map((x) => x.name), ['at entry', 'at prompt']);

  const cmp = (await c.dc.customRequest('mips64/checkpoint/compare', { a: 'at entry', b: b.checkpoint.id })).body as CheckpointCompareBody;
  assert.equal(cmp.identical, false);
  assert.match(cmp.text, /^A: at entry/);
  assert.match(cmp.text, /registers:/);

  stopped = c.waitStopped();
  const r = (await c.dc.customRequest('mips64/checkpoint/restore', { id: 'at entry' })).body as CheckpointRestoreBody;
  assert.equal(r.checkpoint.id, a.checkpoint.id);
  const ev = await stopped;
  assert.match(ev.body.description!, /^Restored checkpoint 'at entry' \(instruction \d+\) at 0x/);
  assert.equal((await c.top()).instructionPointerReference, pc0);
  const stats = (await c.dc.customRequest('mips64/stats')).body as { instructions: number };
  assert.equal(stats.instructions, a.checkpoint.icount);

  const del = (await c.dc.customRequest('mips64/checkpoint/delete', { id: b.checkpoint.id })).body as CheckpointDeleteBody;
  assert.equal(del.deleted, true);
  const after = (await c.dc.customRequest('mips64/checkpoint/list')).body as CheckpointListBody;
  assert.deepEqual(after.checkpoints.map((x) => x.id), [a.checkpoint.id]);

  assert.match(await rejects(c.dc.customRequest('mips64/checkpoint/restore', { id: 'nope' })), /nope/);
  assert.match(await rejects(c.dc.customRequest('mips64/checkpoint/restore', {})), /arguments\.id is required/);
});

test('checkpoints: checkpointDir also writes files there; a running guest keeps running after restore', T, async () => {
  const dir = join(tmp, 'cps');
  const c = await client();
  await c.launch({ ...DEMO, checkpointDir: dir });
  await c.waitOutput(PROMPT);
  const a = (await c.dc.customRequest('mips64/checkpoint/take', { name: 'prompt', kind: 'full' })).body as CheckpointTakeBody;
  assert.deepEqual(a.checkpoint.stored.sort(), ['disk', 'memory']);
  assert.ok(existsSync(dir));
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.m64cp')), [`${a.checkpoint.id}.m64cp`]);
  const list = (await c.dc.customRequest('mips64/checkpoint/list')).body as CheckpointListBody;
  assert.equal(list.location, dir);
  await c.dc.customRequest('mips64/checkpoint/restore', { id: a.checkpoint.id });
  await c.dc.customRequest('mips64/uartInput', { text: 't' });
  await c.waitOutput('timer ticks: 0x');
  const stats = (await c.dc.customRequest('mips64/stats')).body as { state: string };
  assert.notEqual(stats.state, 'stopped');
});

test('restoring a checkpoint marks the console: a dim marker line in the mips64/uart stream, a plain line in the Debug Console', T, async () => {
  const c = await client();
  const events: UartEventBody[] = [];
  c.dc.on('mips64/uart', (e: DebugProtocol.Event) => { events.push(e.body as UartEventBody); });
  const uart = (): string => events.map((e) => e.text).join('');
  await c.launch({ ...DEMO, uartOutput: 'both' });
  await until(() => uart().includes(PROMPT), 'the prompt');
  const a = (await c.dc.customRequest('mips64/checkpoint/take', { name: 'at the prompt' })).body as CheckpointTakeBody;
  await c.dc.customRequest('mips64/uartInput', { text: 't' });
  await until(() => uart().includes('timer ticks: 0x'), 'ticks');
  await c.dc.customRequest('mips64/checkpoint/restore', { id: 'at the prompt' });
  const line = `── restored checkpoint at the prompt (icount ${a.checkpoint.icount}) ──`;
  const markers = events.filter((e) => e.marker === true);
  assert.equal(markers.length, 1, 'one marker event');
  assert.equal(markers[0].port, 0);
  assert.equal(markers[0].text, `\r\n\x1b[2m${line}\x1b[0m\r\n`, 'dim, on a line of its own');
  assert.ok(events.every((e) => e === markers[0] || e.marker === undefined), 'guest output is not marked');
  await until(() => c.console.includes(`${line}\n`), 'the Debug Console line');
  assert.ok(!c.stdout.includes(line), 'the marker is not guest output');
  // The guest continues from the checkpoint after the marker: typing works again.
  const at = events.indexOf(markers[0]);
  await c.dc.customRequest('mips64/uartInput', { text: 't' });
  await until(() => events.slice(at + 1).map((e) => e.text).join('').includes('timer ticks: 0x'), 'ticks after the restore');

  // uartOutput 'event' (the terminal only): the marker event, no Debug Console line.
  const d = await client();
  const dEvents: UartEventBody[] = [];
  d.dc.on('mips64/uart', (e: DebugProtocol.Event) => { dEvents.push(e.body as UartEventBody); });
  await d.launch({ ...DEMO, uartOutput: 'event' });
  await until(() => dEvents.map((e) => e.text).join('').includes(PROMPT), 'the prompt (event only)');
  const b = (await d.dc.customRequest('mips64/checkpoint/take', { name: 'p' })).body as CheckpointTakeBody;
  await d.dc.customRequest('mips64/checkpoint/restore', { id: b.checkpoint.id });
  await until(() => dEvents.some((e) => e.marker === true), 'the marker event');
  assert.ok(!d.console.includes('restored checkpoint p'), 'no Debug Console marker when console output goes to the terminal only');
});

test('checkpoint requests need a launched machine', T, async () => {
  const c = await client();
  await c.dc.initializeRequest({ adapterID: 'mips64', pathFormat: 'path' });
  assert.ok((await rejects(c.dc.customRequest('mips64/checkpoint/list'))).length > 0);
});

test('the checkpoint launch attribute starts a session from a checkpoint file; bad files are refused', T, async () => {
  const dir = join(tmp, 'from-file');
  const a = await client();
  let stopped = a.waitStopped();
  await a.launch({ ...DEMO, checkpointDir: dir, stopOnEntry: true });
  await stopped;
  for (let i = 0; i < 3; i++) {
    stopped = a.waitStopped();
    await a.dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
    await stopped;
  }
  const taken = ((await a.dc.customRequest('mips64/checkpoint/take', { name: 'stepped', kind: 'full' })).body as CheckpointTakeBody).checkpoint;
  const pcA = await a.evaluate('$pc');
  const icountA = ((await a.dc.customRequest('mips64/stats')).body as { instructions: number }).instructions;
  assert.equal(icountA, taken.icount);
  await a.stop();
  const file = join(dir, `${taken.id}.m64cp`);
  assert.ok(existsSync(file));

  // Board and RAM come from the file (no board/memory given).
  const b = await client();
  const bStopped = b.waitStopped();
  await b.launch({ type: 'mips64', request: 'launch', name: 'resume', checkpoint: file, stopOnEntry: true });
  const stop = await bStopped;
  assert.equal(stop.body.reason, 'entry');
  assert.equal(await b.evaluate('$pc'), pcA);
  const stats = (await b.dc.customRequest('mips64/stats')).body as { instructions: number; board: string };
  assert.equal(stats.instructions, taken.icount);
  assert.equal(stats.board, 'demo');
  assert.match(b.console, /resumed from checkpoint 'stepped'/);
  await b.stop();

  // A corrupt file, a missing file, and a file for another machine are refused at launch.
  const bytes = readFileSync(file);
  const corrupt = join(tmp, 'corrupt.m64cp');
  const bad = Uint8Array.from(bytes);
  bad[bad.length >> 1] ^= 0xff;
  writeFileSync(corrupt, bad);
  const c = await client();
  await c.dc.initializeRequest({ adapterID: 'mips64', pathFormat: 'path' });
  assert.match(await rejects(c.dc.launch({ type: 'mips64', request: 'launch', name: 'x', checkpoint: corrupt })), /cannot start from checkpoint '.*corrupt\.m64cp'/);
  assert.match(await rejects(c.dc.launch({ type: 'mips64', request: 'launch', name: 'x', checkpoint: join(tmp, 'none.m64cp') })), /cannot start from checkpoint/);
  assert.match(await rejects(c.dc.launch({ type: 'mips64', request: 'launch', name: 'x', checkpoint: file, memory: 128 })), /for 64 MiB of RAM, not "memory": 128/);
  assert.match(await rejects(c.dc.launch({ type: 'mips64', request: 'launch', name: 'x', checkpoint: file, board: 'malta', kernel: file })), /for the demo board/);
});
