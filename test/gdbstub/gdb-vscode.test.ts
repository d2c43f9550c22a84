// gdb and VS Code on the same machine: a DAP session launches the demo with "gdbPort": 0
// (the real adapter bundle); gdb-multiarch connects to the port the Debug Console names,
// breaks on puts, steps, and goes back with reverse-stepi and reverse-continue (bs/bc
// through the session's time travel); the DAP client sees gdb's stops (continued and
// stopped events, the top frame where gdb is) and the register gdb wrote; gdb's detach
// lets the guest run on for VS Code, which pauses it again. Bad launch values are refused.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, LE, tool, missingTools } from '../cli/support.js';
import { AdapterHarness, rejects } from '../adapter/support.js';
import { GDB, printed, runGdb } from './support.js';

const ELF = join(ROOT, 'dist', 'guests', 'demo.elf');
const skip = missingTools(GDB, `${LE}-nm`);
const harness = new AdapterHarness();
before(() => harness.start());
after(() => harness.stop());

const DEMO = { type: 'mips64', request: 'launch', name: 'demo', board: 'demo', memory: 64 };

test('"gdbPort": gdb-multiarch and VS Code debug the same machine; reverse-stepi and reverse-continue', { skip, timeout: 600_000 }, async () => {
  const puts = BigInt(`0x${/^([0-9a-f]+) \w puts$/m.exec(tool(`${LE}-nm`, [ELF]).stdout)![1]}`);
  const c = await harness.client();
  const entry = c.waitStopped(120_000);
  await c.launch({ ...DEMO, stopOnEntry: true, gdbPort: 0 });
  await entry;
  const port = Number((await waitFor(() => /gdb server listening on 127\.0\.0\.1:(\d+)/.exec(c.console), 'the gdb port'))[1]);
  let continued = 0, stops = 0;
  c.dc.on('continued', () => { continued++; });
  c.dc.on('stopped', () => { stops++; });

  const r = await runGdb(port, [
    'p/x $pc',
    'break puts', 'continue', 'p/x $pc',
    'stepi', 'stepi', 'p/x $pc',
    'reverse-stepi', 'p/x $pc',
    'reverse-continue', 'p/x $pc',
    'set var $a1 = 0x1234',
  ], { file: ELF });
  assert.equal(r.code, 0, r.out);
  const [pc0, hit, twoSteps, oneBack, reverseHit] = printed(r.out);
  assert.equal(pc0, 0xffffffff80100000n, 'gdb sees the session\'s stop at the entry');
  assert.equal(hit, puts);
  assert.equal(twoSteps, puts + 8n);
  assert.equal(oneBack, puts + 4n, 'reverse-stepi goes back one instruction');
  assert.equal(reverseHit, puts, 'reverse-continue goes back to the breakpoint');
  assert.match(r.out, /Breakpoint 1, 0x[0-9a-f]+ in puts \(\)/);

  // VS Code saw gdb run the machine and stop it; it shows where gdb left it and what gdb wrote.
  await waitFor(() => continued > 0 && stops > 0, 'DAP events');
  assert.match(c.console, /gdb connected from 127\.0\.0\.1/);
  // gdb's detach (at the end of its batch) lets the guest run on: VS Code pauses it again.
  await waitFor(() => /gdb disconnected/.test(c.console), 'gdb gone');
  const paused = c.waitStopped(120_000);
  await c.dc.pauseRequest({ threadId: 1 });
  await paused;
  assert.match(await c.evaluate('$a1'), /^0x0*1234$/);

  // A second gdb gets the same machine; bad launch values are refused.
  const again = await runGdb(port, ['p/x $pc', 'detach'], { file: ELF });
  assert.equal(again.code, 0, again.out);
  const bad = await harness.client();
  assert.match(await rejects(bad.dc.launch({ ...DEMO, gdbPort: 70000 } as never)), /gdbPort/);
});

async function waitFor<R>(probe: () => R | null | undefined | false, what: string, ms = 120_000): Promise<R> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = probe();
    if (r) return r;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
