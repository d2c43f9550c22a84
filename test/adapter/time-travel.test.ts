// Reverse debugging over DAP against the real bundle (dist/adapter.js) on the built-in
// demo: the capability, Step Back (one source line; one instruction with granularity
// 'instruction'), Reverse Continue to an exception stop seen earlier with the same state,
// the console markers where replay starts and live execution resumes, replayed output not
// shown twice, typing in the past refused, the timeline request and going to an
// instruction count, Pause during a long reverse scan, and time travel turned off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AdapterHarness, Client, rejects } from './support';

const harness = new AdapterHarness();
before(() => harness.start());
after(() => harness.stop());

const DEMO = { type: 'mips64', request: 'launch', name: 'demo', board: 'demo', memory: 64 };
const T = { timeout: 600_000 };
const PROMPT = "Type something ('t' = ticks, 'q' = quit)";

async function regs(c: Client): Promise<string> {
  const vars = await c.scope('Registers');
  return vars.map((v) => `${v.name}=${v.value}`).join(' ');
}

async function icount(c: Client): Promise<number> {
  const r = (await c.dc.customRequest('mips64/stats')) as DebugProtocol.Response;
  return (r.body as { instructions: number }).instructions;
}

test('Step Back and Reverse Continue on the demo: the same stops, output not repeated, markers, input in the past refused', T, async () => {
  const probe = await harness.client();
  assert.equal((await probe.dc.initializeRequest()).body?.supportsStepBack, true);
  const c = await harness.client();
  const firstStop = c.waitStopped(300_000);
  await c.launch(DEMO, async () => {
    await c.dc.setExceptionBreakpointsRequest({ filters: ['syscall', 'tlb-refill'] });
  });
  const syscall = await firstStop;
  assert.match(syscall.body.description ?? '', /Syscall/);
  const atSyscall = { pc: (await c.top()).instructionPointerReference, regs: await regs(c), icount: await icount(c) };
  // (Each wait is set up before its request: the stop can come in the same read as the response.)
  const refillStop = c.waitStopped(300_000);
  await c.dc.continueRequest({ threadId: 1 });
  const refill = await refillStop;
  assert.match(refill.body.description ?? '', /TLB refill/);
  const refillIcount = await icount(c);
  const refillFrame = (await c.top()).name.split(/\s/)[0];
  // On to the prompt, then pause.
  await c.dc.setExceptionBreakpointsRequest({ filters: [] });
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT);
  const pauseStop = c.waitStopped(300_000);
  await c.dc.pauseRequest({ threadId: 1 });
  await pauseStop;
  const end = await icount(c);
  const stdoutBefore = c.stdout;

  // One instruction back.
  const stopped = c.waitStopped(300_000);
  await c.dc.stepBackRequest({ threadId: 1, granularity: 'instruction' });
  const back = await stopped;
  assert.equal(back.body.reason, 'step');
  assert.ok((await icount(c)) < end);
  assert.match(c.console, /in the recorded past/);

  // Reverse continue: with the filters on again, the latest exception stop before now is the refill, then the syscall.
  await c.dc.setExceptionBreakpointsRequest({ filters: ['syscall', 'tlb-refill'] });
  let s = c.waitStopped(300_000);
  await c.dc.reverseContinueRequest({ threadId: 1 });
  assert.match((await s).body.description ?? '', /TLB refill/);
  assert.equal(await icount(c), refillIcount);
  s = c.waitStopped(300_000);
  await c.dc.reverseContinueRequest({ threadId: 1 });
  assert.match((await s).body.description ?? '', /Syscall/);
  assert.deepEqual({ pc: (await c.top()).instructionPointerReference, regs: await regs(c), icount: await icount(c) }, atSyscall);

  // The hits seen while running: the syscall and the refill (an exception entry into its count); go to the refill's.
  const tl = (await c.dc.customRequest('mips64/timeline')).body as { recording: { hits: Array<{ instructions: number; sub: number; reason: string; description: string }> } };
  assert.deepEqual(tl.recording.hits.map((h) => [h.reason, /Syscall|TLB refill/.exec(h.description)?.[0]]), [['exception', 'Syscall'], ['exception', 'TLB refill']]);
  const hit = tl.recording.hits[1]!;
  assert.equal(hit.instructions, refillIcount);
  assert.ok(hit.sub > 0);
  s = c.waitStopped(300_000);
  await c.dc.customRequest('mips64/goToInstruction', { icount: hit.instructions, sub: hit.sub });
  assert.match((await s).body.description ?? '', new RegExp(`At instruction ${refillIcount.toLocaleString('en-US')}\\+${hit.sub}`));
  assert.equal((await c.top()).name.split(/\s/)[0], refillFrame);
  // Reverse step-out from the refill handler: back before the exception entry, in the code that took it.
  s = c.waitStopped(300_000);
  await c.dc.customRequest('mips64/stepBackOut', { threadId: 1 });
  assert.match((await s).body.description ?? '', /Stepped back out to .*, where the frame was entered/);
  assert.equal(await icount(c), refillIcount);
  assert.notEqual((await c.top()).name.split(/\s/)[0], refillFrame);

  // Typing in the past is refused with a clear message.
  assert.match(await rejects(c.dc.customRequest('mips64/uartInput', { text: 'x' })), /in the past/);

  // Forward again: the refill stop again, then on to the end: the replayed output is not shown again.
  s = c.waitStopped(300_000);
  await c.dc.continueRequest({ threadId: 1 });
  assert.match((await s).body.description ?? '', /TLB refill/);
  await c.dc.setExceptionBreakpointsRequest({ filters: [] });
  await c.dc.continueRequest({ threadId: 1 });
  const t0 = Date.now();
  while (!c.console.includes('end of the recording')) {
    if (Date.now() - t0 > 20_000) throw new Error(`no live marker; console: ${c.console.slice(-400)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(c.stdout, stdoutBefore, 'replayed guest output is not shown a second time');
  // Live again: input is taken and echoed.
  await c.dc.customRequest('mips64/uartInput', { text: 't' });
  await c.waitOutput('timer ticks: 0x');
});

test('Step Back by line on the demo source goes back one line; time travel off gives a clear error', T, async () => {
  const c = await harness.client();
  const entry = c.waitStopped(300_000);
  await c.launch({ ...DEMO, stopOnEntry: true });
  await entry;
  const first = await c.top();
  for (let i = 0; i < 3; i++) {
    const s = c.waitStopped(300_000);
    await c.dc.nextRequest({ threadId: 1 });
    await s;
  }
  const lines: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = c.waitStopped(300_000);
    await c.dc.stepBackRequest({ threadId: 1 });
    await s;
    lines.push((await c.top()).line);
  }
  assert.ok(lines[0] > lines[2], `lines going back: ${lines.join(' ')}`);
  assert.equal(lines[2], first.line);
  assert.equal((await c.top()).instructionPointerReference, first.instructionPointerReference);

  // The timeline: where the machine is, what the recording holds; go to an instruction count.
  const tl = (await c.dc.customRequest('mips64/timeline')).body as { instructions: number; recording: { start: number; end: number; inPast: boolean; snapshots: Array<{ instructions: number }> } };
  assert.equal(tl.recording.start, 0);
  assert.ok(tl.recording.snapshots.length >= 1 && tl.recording.snapshots[0].instructions === 0);
  assert.equal(tl.recording.inPast, true);
  const target = Math.floor(tl.recording.end / 2) + 1;
  const g = c.waitStopped(300_000);
  await c.dc.customRequest('mips64/goToInstruction', { icount: target });
  assert.equal((await g).body.reason, 'goto');
  assert.equal(await icount(c), target);
  assert.match(await rejects(c.dc.customRequest('mips64/goToInstruction', { icount: -1 })), /icount/);

  const d = await harness.client();
  const entry2 = d.waitStopped(300_000);
  await d.launch({ ...DEMO, stopOnEntry: true, timeTravel: false });
  await entry2;
  assert.match(await rejects(d.dc.stepBackRequest({ threadId: 1 })), /time travel is off/);
  assert.match(((await d.dc.customRequest('mips64/timeline')).body as { off: string }).off, /time travel is off/);
});

test('Pause during a long reverse scan: the adapter stays responsive, the scan ends where nothing was skipped', T, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mips64-tt-pause-'));
  try {
    const prog = path.join(dir, 'spin.s');
    writeFileSync(prog, '\t.text\n\t.globl\tstart\nstart:\n\tli\t$t0, 0\n1:\taddiu\t$t0, $t0, 1\n\tb\t1b\n\tnop\n');
    const c = await harness.client();
    await c.launch({ type: 'mips64', request: 'launch', name: 'spin', program: prog, memory: 64 });
    // A history of 150 M+ instructions with nothing to stop at: reverse continue scans all of it.
    while ((await icount(c)) < 150_000_000) await new Promise((r) => setTimeout(r, 100));
    let s = c.waitStopped(300_000);
    await c.dc.pauseRequest({ threadId: 1 });
    await s;
    const end = await icount(c);
    s = c.waitStopped(300_000);
    await c.dc.reverseContinueRequest({ threadId: 1 });
    // Served while the scan runs (it yields between replay slices).
    const during = ((await c.dc.customRequest('mips64/stats')).body as { state: string }).state;
    await c.dc.pauseRequest({ threadId: 1 });
    const paused = await s;
    assert.equal(during, 'running');
    assert.equal(paused.body.reason, 'pause');
    assert.match(paused.body.description ?? '', new RegExp(`Reverse execution paused at instruction [\\d,]+, .*: nothing to stop at from there to instruction ${end.toLocaleString('en-US')}`));
    const at = await icount(c);
    assert.ok(at > 0 && at <= end, `paused at ${at} of ${end}`);
    // Reverse continue again: on to the start of the recording (nothing stops before).
    s = c.waitStopped(300_000);
    await c.dc.reverseContinueRequest({ threadId: 1 });
    assert.match((await s).body.description ?? '', /start of the recording/);
    assert.equal(await icount(c), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
