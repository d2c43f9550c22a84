// A launch of a Linux board whose kernel makes no progress on its console (damaged, or
// built for another board) stops the session with the reason after "silentExit" seconds
// of guest CPU time; a kernel that writes is not stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AdapterHarness, ROOT } from './support';
import { TempDir } from '../loader/toolchain';
import { buildElf } from '../support/checkpoint-guests';

const harness = new AdapterHarness();
before(() => harness.start());
after(() => harness.stop());

const LAUNCH = { type: 'mips64', request: 'launch', name: 'silent', board: 'malta', memory: 64, timeTravel: false };

test('a silent Malta kernel stops the session with the reason; a talking one runs on', { timeout: 60_000 }, async () => {
  const dir = new TempDir();
  try {
    const kernel = dir.file('silent.elf', buildElf(readFileSync(join(ROOT, 'test', 'fixtures', 'guests', 'silent-fault.s'), 'utf8')));
    const c = await harness.client();
    const stopped = c.waitStopped(30_000);
    // 0.02 s of guest CPU time: 4,000,000 instructions at 5 ns.
    await c.launch({ ...LAUNCH, kernel, silentExit: 0.02 });
    const ev = await stopped;
    assert.equal(ev.body.reason, 'exception');
    const why = /^No console output: the guest executed 4,000,000 instructions \(20 ms of guest CPU time\) without writing anything on its console; the last exception it took: TLBL .* at pc 0x[0-9a-f]+: a damaged kernel, or one built for another board\? Stopped \("silentExit": 0 lets it run\)$/;
    assert.match(ev.body.description!, why);
    assert.match(c.console, /No console output: the guest executed 4,000,000 instructions/);
    const info = await c.dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description!, why);
    assert.equal(info.body.exceptionId, 'no console output');
    // The session is usable: the guest is where it spins.
    const top = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0]!;
    assert.ok(top.instructionPointerReference, 'a stack frame at the stop');

    // The demo guest writes its banner at once on the same board: never stopped for silence.
    const d = await harness.client();
    await d.launch({ ...LAUNCH, kernel: join(ROOT, 'dist', 'guests', 'demo.elf'), silentExit: 0.02 });
    await d.waitOutput('MIPS64 Studio demo guest', 30_000);
    const paused = d.waitStopped(30_000);
    await d.dc.pauseRequest({ threadId: 1 });
    assert.equal(((await paused) as DebugProtocol.StoppedEvent).body.reason, 'pause');
    assert.doesNotMatch(d.console, /No console output/);
  } finally {
    dir.remove();
  }
});
