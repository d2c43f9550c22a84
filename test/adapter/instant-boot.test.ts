// F5 instant boots over DAP (the real bundle, dist/adapter.js) on Debian's Malta kernel:
// the first launch of a configuration boots cold and saves its boot at the shell in the
// launch's cacheDir (the console says so); the next launch starts there (the console
// says so and shows the saved boot output), its shell runs a typed command; a launch with
// a function breakpoint boots cold (it could stop during the boot) and says why; with
// "instantBoot": false nothing is said and the boot is cold.
//
// Skips (with the reason) without the debian-malta guest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestImage } from '../../src/cli/guest/debian-guests.js';
import { debianMaltaOrSkip } from '../support/guest.js';
import { TempDir } from '../loader/toolchain.js';
import { AdapterHarness, Client } from './support';

const PROMPT = 'mips64:/# ';
const tmp = new TempDir();
const harness = new AdapterHarness([() => tmp.remove()]);
let guest: GuestImage | undefined;
let skip: string | false = false;

before(async () => {
  const g = await debianMaltaOrSkip();
  if (typeof g === 'string') { skip = g; return; }
  guest = g;
  await harness.start();
});

after(() => harness.stop());

async function waitConsole(c: Client, re: RegExp, ms = 600_000): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    const m = re.exec(c.console);
    if (m) return m;
    if (Date.now() - t0 > ms) throw new Error(`no ${re} in the console after ${ms / 1000} s; got ${JSON.stringify(c.console.slice(-600))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('F5 instant boot: saved at the shell on a cold launch, the next launch starts there; breakpoints boot cold', { timeout: 1_200_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const g = guest!;
  const cacheDir = join(tmp.path, 'cache');
  const launch = { type: 'mips64', request: 'launch', name: 'malta', board: 'malta', kernel: g.kernel, initrd: g.initrd, append: g.append, cacheDir };

  // Cold: boots to the shell and saves the boot there.
  const cold = await harness.client();
  await cold.launch(launch);
  const saved = await waitConsole(cold, /instant boot: saved this boot at the shell \(instruction (\d+)\)/);
  assert.match(cold.stdout, /Linux version 6\.\d+[\s\S]*mips64:\/# /);
  assert.doesNotMatch(cold.console, /started from the cached boot/);
  await cold.stop();
  const files = readdirSync(join(cacheDir, 'boots')).sort();
  assert.equal(files.length, 2);
  assert.match(files[0], /^[0-9a-f]{32}\.ckpt$/);

  // Instant: starts at the saved instruction, shows the saved output, the shell answers.
  const hot = await harness.client();
  await hot.launch(launch);
  const started = await waitConsole(hot, /instant boot: started from the cached boot at the shell \(instruction (\d+), restored in \d+ ms\)/);
  assert.equal(started[1], saved[1], 'it starts where the cold boot saved');
  const rec = ((await hot.dc.customRequest('mips64/timeline')).body as { recording: { start: number } }).recording;
  assert.equal(rec.start, Number(saved[1]), 'the time-travel recording starts at the cached point');
  await hot.waitOutput(PROMPT, 60_000);
  assert.match(hot.stdout, /Linux version 6\.\d+/, 'the saved console output is shown');
  await hot.dc.customRequest('mips64/uartInput', { text: 'echo hi-$((6*7))\n' });
  await hot.waitOutput('hi-42', 120_000);
  await hot.stop();

  // A function breakpoint could stop during the boot: cold, and the console says why.
  const bp = await harness.client();
  await bp.launch(launch, async () => { await bp.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'version_proc_show' }] }); });
  await waitConsole(bp, /instant boot: not used: 1 function breakpoint could stop during the boot, so it boots cold/);
  assert.doesNotMatch(bp.console, /started from the cached boot/);
  await bp.stop();

  // Turned off: cold (it runs from instruction 0), no note.
  const off = await harness.client();
  await off.launch({ ...launch, instantBoot: false });
  for (;;) {
    const st = (await off.dc.customRequest('mips64/stats')).body as { instructions: number };
    if (st.instructions > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const tl = (await off.dc.customRequest('mips64/timeline')).body as { recording: { start: number } };
  assert.equal(tl.recording.start, 0, 'recorded from reset: a cold boot');
  assert.doesNotMatch(off.console, /instant boot/);
  await off.stop();
});
