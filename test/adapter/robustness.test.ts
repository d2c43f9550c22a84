// The adapter against clients that misbehave: bytes that are not DAP frames (limits on
// header and body size, Content-Length sanity), requests whose arguments do not have the
// protocol's shape (one clear line each, never an internal stack trace), and a long
// request (10,000 function breakpoints) that must not hold up the requests behind it.
// After each, the same server still serves a normal session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterHarness } from './support';
import { RawClient } from './raw-client';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { octeonStandInKernel } from '../support/octeon-kernel';
import { buildFdt, str } from '../../src/emulator/boards/fdt';

const harness = new AdapterHarness();
before(() => harness.start());
after(() => harness.stop());
const T = { timeout: 60_000 };
const DEMO = { board: 'demo', memory: 64, stopOnEntry: true };

const raw = async (): Promise<RawClient> => RawClient.open(harness.server!.port);

/** A normal session still works: launch the demo, stop on entry, read the stack. */
async function normalSession(): Promise<void> {
  const c = await harness.client();
  const stopped = c.waitStopped();
  await c.launch({ type: 'mips64', request: 'launch', name: 'demo', ...DEMO });
  assert.equal((await stopped).body.reason, 'entry');
  assert.equal((await c.top()).name, 'start');
  await c.stop();
}

/** Sends `bytes` and expects the adapter to say what was wrong (an output event) and close the connection. */
async function refusedWire(bytes: Buffer, why: RegExp): Promise<void> {
  const r = await raw();
  r.socket.write(bytes);
  await r.until(() => r.closed, 'the adapter to close the connection');
  const said = r.messages.filter((m) => m.type === 'event' && m.event === 'output').map((m) => (m.body as { output: string }).output).join('');
  assert.match(said, /^protocol error: the client sent /);
  assert.match(said, why);
}

test('wire: a header that never ends, lengths that are absurd, absent or malformed end the connection with one line', T, async () => {
  await refusedWire(Buffer.alloc(9000, 'A'), /a DAP header longer than 8192 bytes/);
  await refusedWire(Buffer.from(`X-Pad: ${'p'.repeat(9000)}\r\n\r\n`), /a DAP header of 9\d{3} bytes/);
  await refusedWire(Buffer.from('Content-Length: 1099511627776\r\n\r\n{'), /a Content-Length of 1099511627776 bytes \(at most 16777216/);
  await refusedWire(Buffer.from('Content-Length: -5\r\n\r\n'), /an invalid Content-Length "-5"/);
  await refusedWire(Buffer.from('Content-Length: 0x10\r\n\r\n'), /an invalid Content-Length "0x10"/);
  await refusedWire(Buffer.from('Content-Type: application/json\r\n\r\n{}'), /a DAP header without Content-Length/);
  await refusedWire(Buffer.from('Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}'), /two different Content-Length headers/);
  await refusedWire(Buffer.from('Content-Length 2\r\n\r\n{}'), /a malformed DAP header line "Content-Length 2"/);
  await normalSession();
});

test('wire: a large frame split into small chunks, and two frames in one chunk, are read', T, async () => {
  const r = await raw();
  const big = r.frame('evaluate', { expression: `1${' + 1'.repeat(200_000)}`, context: 'watch' });
  for (let i = 0; i < big.bytes.length; i += 1000) r.socket.write(big.bytes.subarray(i, i + 1000));
  const res = await r.response(big.seq);
  assert.equal(res.success, false); // not launched yet; what matters is that it was read whole
  assert.match(res.message!, /not running/);
  const [a, b] = r.send(['threads'], ['threads']);
  assert.equal((await r.response(a!)).success, true);
  assert.equal((await r.response(b!)).success, true);
  r.close();
});

/** [command, arguments, what the error must say] */
const MALFORMED: Array<[string, unknown, RegExp]> = [
  ['setBreakpoints', [1, 2], /^setBreakpoints: arguments must be an object \(got an array of 2\)$/],
  ['setBreakpoints', { source: { path: '/a.s' }, breakpoints: [{ line: 2 ** 53 }] }, /arguments\.breakpoints\[0\]\.line must be an integer from 1 to 2147483647 \(got 9007199254740992\)/],
  ['setBreakpoints', { breakpoints: [] }, /arguments\.source is required/],
  ['setBreakpoints', { source: 'a.s' }, /arguments\.source must be an object/],
  ['gotoTargets', { source: { path: '/a.s' }, line: 1e300 }, /arguments\.line must be an integer from 1 to 2147483647/],
  ['setFunctionBreakpoints', { breakpoints: [{ name: 7 }] }, /arguments\.breakpoints\[0\]\.name must be a string \(got 7\)/],
  ['setFunctionBreakpoints', {}, /arguments\.breakpoints is required/],
  ['setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x0', offset: 0.5 }] }, /offset must be an integer/],
  ['setExceptionBreakpoints', { filters: 'all' }, /arguments\.filters must be an array/],
  ['setDataBreakpoints', { breakpoints: [{ dataId: '0x0/4', accessType: 'execute' }] }, /accessType must be one of 'read', 'write', 'readWrite'/],
  ['dataBreakpointInfo', { name: 'x', bytes: -1 }, /arguments\.bytes must be an integer from 1/],
  ['stackTrace', { threadId: 1, levels: 'x' }, /arguments\.levels must be an integer of at least 0 \(got "x"\)/],
  ['stackTrace', {}, /arguments\.threadId is required/],
  ['variables', { variablesReference: 'a' }, /variablesReference must be an integer/],
  ['readMemory', { memoryReference: '0x80100000', count: 1.5 }, /arguments\.count must be an integer of at least 0 \(got 1\.5\)/],
  ['readMemory', { memoryReference: 5, count: 4 }, /arguments\.memoryReference must be a string/],
  ['writeMemory', { memoryReference: '0x0' }, /arguments\.data is required/],
  ['disassemble', { memoryReference: '0x0', instructionCount: 'all' }, /instructionCount must be an integer/],
  ['evaluate', { expression: ['$pc'] }, /arguments\.expression must be a string/],
  ['continue', null, /^continue: arguments must be an object \(got null\)$/],
  ['next', { threadId: 1, granularity: 'word' }, /granularity must be one of 'statement', 'line', 'instruction'/],
  ['launch', { board: 'vax' }, /arguments\.board must be one of 'demo', 'malta', 'octeon'/],
  ['launch', { symbols: [{ offset: 4 }] }, /arguments\.symbols\[0\]\.path is required/],
  ['launch', { sourceMap: { '/b': 3 } }, /arguments\.sourceMap\["\/b"\] must be a string/],
  ['initialize', { adapterID: 5 }, /arguments\.adapterID must be a string/],
  ['mips64/uartInput', { text: 5 }, /arguments\.text must be a string/],
  ['mips64/checkpoint/restore', {}, /arguments\.id is required/],
];

test('arguments of the wrong shape get one line naming the property, never an internal error', T, async () => {
  const r = await raw();
  assert.equal((await r.request('initialize', { adapterID: 'mips64', pathFormat: 'path' })).success, true);
  for (const phase of ['before launch', 'stopped at entry']) {
    for (const [command, args, want] of MALFORMED) {
      const res = await r.request(command, args);
      assert.equal(res.success, false, `${phase}: ${command} ${JSON.stringify(args)} succeeded`);
      assert.match(res.message!, want, `${phase}: ${command}`);
      assert.doesNotMatch(res.message!, /\n|\bat .*:\d+:\d+|TypeError|internal error/);
    }
    if (phase === 'before launch') {
      assert.equal((await r.request('launch', DEMO)).success, true);
      assert.equal((await r.request('configurationDone')).success, true);
      await r.until(() => r.messages.some((m) => m.type === 'event' && m.event === 'stopped'), 'the entry stop');
    }
  }
  // The session is unharmed.
  const st = await r.request('stackTrace', { threadId: 1 });
  assert.equal((st.body as { stackFrames: Array<{ name: string }> }).stackFrames[0]!.name, 'start');
  r.close();
  await normalSession();
});

test('10,000 function breakpoints are resolved in steps: requests sent after them are answered first', T, async () => {
  const r = await raw();
  await r.request('initialize', { adapterID: 'mips64', pathFormat: 'path' });
  await r.request('launch', DEMO);
  await r.request('configurationDone');
  await r.until(() => r.messages.some((m) => m.type === 'event' && m.event === 'stopped'), 'the entry stop');
  const names = Array.from({ length: 10_000 }, (_, i) => ({ name: `start+${i * 4}`, hitCondition: '2' }));
  // One write: the adapter reads all three requests at once.
  const [bps, threads, next] = r.send(['setFunctionBreakpoints', { breakpoints: names }], ['threads'], ['next', { threadId: 1, granularity: 'instruction' }]);
  const order = async (): Promise<number[]> => {
    await Promise.all([r.response(bps!), r.response(threads!), r.response(next!)]);
    return r.messages.filter((m) => m.type === 'response').map((m) => m.request_seq).filter((s) => [bps, threads, next].includes(s));
  };
  // threads reads state: answered while the breakpoints resolve; next changes state: after them.
  assert.deepEqual(await order(), [threads, bps, next]);
  const set = (await r.response(bps!)).body as { breakpoints: Array<{ verified: boolean; instructionReference: string }> };
  assert.equal(set.breakpoints.length, 10_000);
  assert.ok(set.breakpoints.every((b) => b.verified));
  assert.equal(set.breakpoints[9_999]!.instructionReference, `0x${(0xffffffff80100000n + 39_996n).toString(16)}`);
  r.close();
});

test('launch inputs that are not regular files are refused at once with one line', T, async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ board: 'malta', kernel: '/dev/zero' }, /^cannot read kernel '\/dev\/zero': a character device, not a regular file/],
    [{ board: 'demo', symbols: [{ path: '/dev/zero' }] }, /^cannot read symbol file '\/dev\/zero': a character device/],
    [{ board: 'demo', checkpoint: '/dev/zero' }, /^cannot start from checkpoint '\/dev\/zero': .*not a regular file/],
  ];
  for (const [args, want] of cases) {
    const r = await raw();
    await r.request('initialize', { adapterID: 'mips64', pathFormat: 'path' });
    const res = await r.request('launch', args);
    assert.equal(res.success, false, JSON.stringify(args));
    assert.match(res.message!, want);
    r.close();
  }
});

test('a launch "dtb" that is missing, not a device tree, or for a board without one is refused with one line', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mips64-dtb-'));
  try {
    const kernel = join(dir, 'vmlinux'), good = join(dir, 'good.dtb'), bad = join(dir, 'bad.dtb');
    writeFileSync(kernel, octeonStandInKernel());
    writeFileSync(good, buildFdt({ name: '', props: [['model', str('user tree')]] }));
    writeFileSync(bad, Buffer.alloc(64, 0x41));
    const cases: Array<[Record<string, unknown>, RegExp | undefined]> = [
      [{ board: 'octeon', kernel, memory: 128, dtb: join(dir, 'nope.dtb') }, /^cannot read device tree blob '.*nope\.dtb': No such file or directory$/],
      [{ board: 'octeon', kernel, memory: 128, dtb: bad }, /^"dtb" '.*bad\.dtb': not a usable device tree blob: magic 0x41414141, not 0xd00dfeed$/],
      [{ board: 'demo', dtb: good }, /^the demo board takes no device tree blob \(octeon does\)$/],
      [{ board: 'octeon', kernel, memory: 128, dtb: good, instantBoot: false }, undefined],
    ];
    for (const [args, want] of cases) {
      const r = await raw();
      await r.request('initialize', { adapterID: 'mips64', pathFormat: 'path' });
      const res = await r.request('launch', args);
      if (want) {
        assert.equal(res.success, false, JSON.stringify(args));
        assert.match(res.message!, want);
      } else {
        assert.equal(res.success, true, res.message);
      }
      r.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
