// Reverse debugging through the real VS Code UI (code-server in Debian Chromium, the
// packaged extension) on the built-in demo: the debug toolbar offers Step Back and Reverse
// (Continue) once the session says it supports stepping back; a function breakpoint on
// `putc` typed into the Breakpoints view is hit three times going forward (the demo's
// syscall handler prints "0x…" with puthex: `$a0` is '0', 'x', '0' and `$ra` differs at
// each hit), each stop's `$pc`, `$a0` and `$ra` read from the Watch view. Then: Step Over
// twice and Step Back twice return to the third hit's line and state; Reverse reaches the
// second and then the first hit with the values they had; Continue from the past stops at
// the second hit again; the MIPS64 Checkpoints view lists the automatic snapshots and the
// three hits, and a click on the oldest goes back to the first hit; the Step Back Out button
// (the extension's, on the toolbar) goes back to the `jal putc` in puthex that made the call.
//
// Needs scripts/ui-setup.sh and /usr/bin/chromium; skips with the reason otherwise.
// MIPS64_UI_TESTS=0 skips it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_CONFIG } from './code-server';
import { installedVersion, missingUiTools, type Locator, type Page } from './ui-tools';
import { inVsCode, pane, rows, sleep, startDebugging, STEP, toolbarButton, topFrameLine, waitForText } from './ui-steps';

const WATCHES = ['$pc', '$a0', '$ra'];

function skipReason(): string | false {
  if (process.env.MIPS64_UI_TESTS === '0') return 'MIPS64_UI_TESTS=0';
  return missingUiTools() ?? false;
}

/** What the user sees of a stop: the pc line's text, the top frame, and the Watch values. */
interface Seen { line: string; frame: string; watch: Record<string, string> }

/** The Watch view's values, once every expression shows a hex number. */
async function watchValues(page: Page): Promise<Record<string, string>> {
  const text = await waitForText(rows(page, 'Watch'), new RegExp(WATCHES.map((w) => `\\${w}\\s*[:=]\\s*0x[0-9a-f]+`).join('[\\s\\S]*'), 'i'), 'Watch values');
  const out: Record<string, string> = {};
  for (const w of WATCHES) out[w] = new RegExp(`\\${w}\\s*[:=]\\s*(0x[0-9a-f]+)`, 'i').exec(text)![1].toLowerCase();
  return out;
}

/**
 * Waits for the session to be stopped at a stop other than `previous` (the Watch values
 * changed, or the pc line did), then returns what is shown.
 */
async function nextStop(page: Page, previous: Seen | undefined, what: string): Promise<Seen> {
  await toolbarButton(page, 'Continue').waitFor({ state: 'visible', timeout: STEP });
  const until = Date.now() + STEP;
  for (;;) {
    const watch = await watchValues(page);
    const line = await topFrameLine(page);
    const frame = (await rows(page, 'Call Stack').allInnerTexts())[0] ?? '';
    const seen = { line: line ?? '', frame, watch };
    const changed = !previous || JSON.stringify(previous.watch) !== JSON.stringify(watch) || previous.line !== seen.line;
    if (line !== undefined && changed && await toolbarButton(page, 'Continue').isVisible()) {
      // Settled: the same a moment later (the views refresh one after another).
      await sleep(300);
      const again = { line: (await topFrameLine(page)) ?? '', frame: (await rows(page, 'Call Stack').allInnerTexts())[0] ?? '', watch: await watchValues(page) };
      if (JSON.stringify(again) === JSON.stringify(seen)) return seen;
    }
    if (Date.now() > until) assert.fail(`${what}: no new stop shown within ${STEP / 1000} s; shown: ${JSON.stringify(seen)}`);
    await sleep(100);
  }
}

/** A debug toolbar button by its whole label ("Step Back" is also the start of "Step Back Out"). */
const exactButton = (page: Page, label: string): Locator => page.locator(`.debug-toolbar [aria-label="${label}"]`);
const press = async (page: Page, label: string): Promise<void> =>
  (label.startsWith('Step Back') ? exactButton(page, label) : toolbarButton(page, label)).click({ timeout: STEP });

test('VS Code UI (code-server in Chromium): Step Back and Reverse on the demo go back to the right stops with the right values',
  { skip: skipReason(), timeout: 600_000 }, async () => {
    console.log(`# code-server ${installedVersion('code-server')}, Node ${installedVersion('node24')}, playwright-core ${installedVersion('playwright')}`);
    await inVsCode('mips64-ui-reverse-', () => ({}), async (page) => {
      await startDebugging(page, DEMO_CONFIG);
      await toolbarButton(page, 'Continue').waitFor({ state: 'visible', timeout: STEP });
      await waitForText(pane(page, 'Call Stack'), /entry/i, 'Call Stack after stopOnEntry');
      // The session supports stepping back: the toolbar shows both reverse buttons.
      await exactButton(page, 'Step Back').waitFor({ state: 'visible', timeout: STEP });
      await toolbarButton(page, 'Reverse').waitFor({ state: 'visible', timeout: STEP });
      await exactButton(page, 'Step Back Out').waitFor({ state: 'visible', timeout: STEP });

      // Watch expressions: the pc and the two registers that tell putc's hits apart.
      for (const w of WATCHES) {
        await pane(page, 'Watch').locator('.pane-header').hover({ timeout: STEP });
        await pane(page, 'Watch').locator('[aria-label="Add Expression"]').click({ timeout: STEP });
        await page.keyboard.type(w);
        await page.keyboard.press('Enter');
      }
      const entry = await nextStop(page, undefined, 'entry');

      // A function breakpoint on putc, typed into the Breakpoints view.
      await pane(page, 'Breakpoints').locator('.pane-header').hover({ timeout: STEP });
      await pane(page, 'Breakpoints').locator('[aria-label="Add Function Breakpoint"]').click({ timeout: STEP });
      await page.keyboard.type('putc');
      await page.keyboard.press('Enter');
      await waitForText(rows(page, 'Breakpoints'), /putc/, 'the function breakpoint listed');

      // Forward: three hits.
      const hits: Seen[] = [];
      let last = entry;
      for (let i = 1; i <= 3; i++) {
        await press(page, 'Continue');
        last = await nextStop(page, last, `forward hit ${i}`);
        assert.match(last.frame, /^putc\b/, `forward hit ${i}: the top frame is putc`);
        hits.push(last);
      }
      assert.deepEqual(hits.map((h) => Number(BigInt(h.watch.$a0))), [0x30, 0x78, 0x30], "puthex's first three characters: '0', 'x', '0'");
      assert.equal(new Set(hits.map((h) => h.watch.$ra)).size, 3, `three different return addresses: ${hits.map((h) => h.watch.$ra).join(', ')}`);
      assert.ok(hits.every((h) => h.watch.$pc === hits[0].watch.$pc), 'every hit at putc');
      await waitForText(pane(page, 'Call Stack'), /breakpoint/i, 'Call Stack says why (breakpoint)');

      // Step Over twice, then Step Back twice: the same lines in reverse, back at the hit's state.
      const third = hits[2];
      const ahead1 = await (async () => { await press(page, 'Step Over'); return nextStop(page, third, 'step over 1'); })();
      const ahead2 = await (async () => { await press(page, 'Step Over'); return nextStop(page, ahead1, 'step over 2'); })();
      assert.ok(BigInt(ahead2.watch.$pc) > BigInt(ahead1.watch.$pc) && BigInt(ahead1.watch.$pc) > BigInt(third.watch.$pc), 'stepped forward through putc');
      await press(page, 'Step Back');
      const back1 = await nextStop(page, ahead2, 'step back 1');
      assert.equal(back1.line, ahead1.line, 'Step Back: the line before');
      assert.deepEqual(back1.watch, ahead1.watch, 'Step Back: the values it had there');
      await press(page, 'Step Back');
      const back2 = await nextStop(page, back1, 'step back 2');
      assert.equal(back2.line, third.line, 'second Step Back: the hit\'s line');
      assert.deepEqual(back2.watch, third.watch, 'second Step Back: the hit\'s values');

      // Reverse: the second hit, then the first, with the values they had.
      await press(page, 'Reverse');
      const rev2 = await nextStop(page, back2, 'reverse 1');
      assert.deepEqual(rev2.watch, hits[1].watch, 'Reverse: the second hit');
      assert.equal(rev2.line, hits[1].line);
      await waitForText(pane(page, 'Call Stack'), /breakpoint/i, 'Call Stack says why after Reverse');
      await press(page, 'Reverse');
      const rev1 = await nextStop(page, rev2, 'reverse 2');
      assert.deepEqual(rev1.watch, hits[0].watch, 'Reverse again: the first hit');

      // Forward again from the past: the second hit once more.
      await press(page, 'Continue');
      const again = await nextStop(page, rev1, 'continue from the past');
      assert.deepEqual(again.watch, hits[1].watch, 'Continue from the past: the second hit');

      // The Checkpoints view: the recording's automatic snapshots on the time axis, and the
      // three hits seen while running (newest first): a click on the first goes there.
      const view = pane(page, 'MIPS64 Checkpoints');
      const header = view.locator('.pane-header');
      if (await header.getAttribute('aria-expanded') === 'false') await header.click({ timeout: STEP });
      await waitForText(rows(page, 'MIPS64 Checkpoints'), /instruction 0[\s\S]*automatic/, 'the automatic snapshot at the start');
      const group = rows(page, 'MIPS64 Checkpoints').filter({ hasText: /Breakpoint hits/ }).first();
      await waitForText(group, /3 seen while running/, 'the hits group');
      await group.click({ timeout: STEP });
      const hitRows = rows(page, 'MIPS64 Checkpoints').filter({ hasText: /instruction [\d,]+/ }).filter({ hasText: /breakpoint ·/ });
      await waitForText(hitRows, /[\s\S]*breakpoint ·[\s\S]*breakpoint ·[\s\S]*breakpoint ·/, 'three hit rows');
      await hitRows.nth(2).click({ timeout: STEP });
      const viaView = await nextStop(page, again, 'the first hit from the view');
      assert.deepEqual(viaView.watch, hits[0].watch, 'the view\'s oldest hit is the first hit');

      // Step Back Out (the extension's toolbar button): back to puthex's `jal putc` that made this call.
      await press(page, 'Step Back Out');
      const out = await nextStop(page, viaView, 'step back out');
      assert.equal(BigInt(out.watch.$pc), BigInt(hits[0].watch.$ra) - 8n, 'at the call (the return address less the call and its delay slot)');
      assert.match(out.line, /jal\s+putc/);
      assert.match(out.frame, /^puthex\b/);

      await press(page, 'Stop');
      await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: STEP });
    });
  });
