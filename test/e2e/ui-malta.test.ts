// A kernel engineer's journey through the real VS Code UI (code-server in Debian Chromium,
// the packaged extension) on Debian's Malta kernel: F5 on "Boot Debian Linux (Malta)" with
// no kernel path (the extension finds the guest in the cache dir of the user setting
// mips64.guestCacheDir — honoured under code-server: its path is in the session's first
// line), the busybox shell in the MIPS64 console terminal, a function breakpoint typed into
// the Breakpoints view (its input in sight: six exception filters by default), hit by a
// command typed at the shell: the Call Stack's top frame is focused, the Variables view
// filled and the editor shows the function's code with the pc line highlighted — all
// without a click. Then MIPS64: Take Checkpoint, Continue, MIPS64: Restore Checkpoint (the
// guest runs on from the checkpoint, printing the command's output again), the command
// typed again: the same breakpoint hits again, shown the same way.
//
// Logs (not asserted, no timing thresholds) the time from the stop reaching VS Code (the
// status bar says "stopped") to the Variables view, the code and the pc line all shown.
// Needs the UI tools (scripts/ui-setup.sh) and the debian-malta guest; skips otherwise.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { GuestImage } from '../../src/cli/guest/debian-guests.js';
import { debianMaltaOrSkip } from '../support/guest.js';
import { MALTA_CONFIG } from './code-server';
import { missingUiTools, type Page } from './ui-tools';
import {
  acceptQuickInput, activeTab, inVsCode, palette, pane, rows, sleep, startDebugging, STEP, terminalRows, toolbarButton, topFrameLine,
  typeInTerminal, waitForText,
} from './ui-steps';

const FUNCTION = 'version_proc_show';
const PROMPT = /mips64:\/#\s*$/;

let guest: GuestImage | undefined;
let skip: string | false = process.env.MIPS64_UI_TESTS === '0' ? 'MIPS64_UI_TESTS=0' : missingUiTools() ?? false;

before(async () => {
  if (skip) return;
  const g = await debianMaltaOrSkip();
  if (typeof g === 'string') skip = g; else guest = g;
});

/** A cache dir for the guestCacheDir setting: links to the cached guest's files. */
function linkedCache(dir: string, g: GuestImage): string {
  const cache = path.join(dir, 'guest-cache');
  const at = path.join(cache, 'guests', g.name);
  mkdirSync(at, { recursive: true });
  for (const f of [g.kernel, g.initrd, g.manifestPath]) symlinkSync(f, path.join(at, path.basename(f)));
  return cache;
}

/**
 * Waits for a stop at FUNCTION shown completely: the top frame in the Call Stack, Registers
 * in Variables, the function's code in the editor with its pc line marked. Returns the ms
 * from the status bar's "stopped" to all of it.
 */
async function stopShown(page: Page, what: string): Promise<number> {
  const status = page.locator('.statusbar-item:has-text("MIPS64 stopped")');
  const mark = page.locator('.editor-group-container.active .monaco-editor .debug-top-stack-frame-line');
  const until = Date.now() + STEP;
  let stoppedAt: number | undefined;
  for (;;) {
    if (stoppedAt === undefined && await status.count() > 0) stoppedAt = Date.now();
    // Cheap checks while polling (the pc line's text is read once they hold).
    if (stoppedAt !== undefined && await mark.count() > 0 && await activeTab(page) === `${FUNCTION} (disassembly)`
      && /Registers[\s\S]*\$zero/.test((await rows(page, 'Variables').allInnerTexts()).join('\n'))) break;
    if (Date.now() > until) {
      assert.fail(`${what}: the stop is not shown within ${STEP / 1000} s (status ${stoppedAt ? 'stopped' : 'not stopped'}; `
        + `tab '${await activeTab(page)}'; pc line ${JSON.stringify(await topFrameLine(page))}; Variables:\n${(await rows(page, 'Variables').allInnerTexts()).join('\n')})`);
    }
    await sleep(10);
  }
  const ms = Date.now() - stoppedAt;
  const frames = await rows(page, 'Call Stack').allInnerTexts();
  assert.match(frames[0] ?? '', new RegExp(`^${FUNCTION}\\b`), `${what}: the top frame`);
  assert.equal(await activeTab(page), `${FUNCTION} (disassembly)`, `${what}: the code shown is the function's`);
  const line = (await topFrameLine(page))!;
  assert.match(line, new RegExp(`^0x[0-9a-f]{16} <${FUNCTION}> `), `${what}: the pc line is the function's first instruction`);
  const a0 = (await rows(page, 'Variables').allInnerTexts()).find((r) => /^\$a0\b/.test(r));
  assert.match(a0 ?? '', /^\$a0 =\s*0x[0-9a-f]{16}/, `${what}: Registers show $a0 (the seq_file)`);
  return ms;
}

test('VS Code UI on Debian Malta: F5 → shell → function breakpoint hit from a typed command, shown without a click → checkpoint → restore → hit again',
  { timeout: 900_000 }, async (t) => {
    if (skip) { t.skip(skip); return; }
    let cache = '';
    await inVsCode('mips64-ui-malta-', (dir) => {
      cache = linkedCache(dir, guest!);
      return {
        configurations: [{ type: 'mips64', request: 'launch', name: MALTA_CONFIG, board: 'malta' }],
        settings: { 'mips64.guestCacheDir': cache },
        // Nothing in the default cache: only the setting leads to the guest.
        env: { XDG_CACHE_HOME: path.join(dir, 'empty-cache') },
      };
    }, async (page) => {
      // F5 (Run and Debug's Start button): the kernel boots to the shell in the MIPS64 console.
      await startDebugging(page, MALTA_CONFIG);
      await waitForText(terminalRows(page), PROMPT, 'the shell prompt', 300_000);

      // The function breakpoint, typed into the Breakpoints view: its input is in sight below the six exception filters.
      const filters = (await rows(page, 'Breakpoints').allInnerTexts()).length;
      assert.equal(filters, 6, 'six exception filters by default');
      await pane(page, 'Breakpoints').locator('.pane-header').hover({ timeout: STEP });
      await pane(page, 'Breakpoints').locator('[aria-label="Add Function Breakpoint"]').click({ timeout: STEP });
      await page.keyboard.type(FUNCTION);
      await page.keyboard.press('Enter');
      await waitForText(rows(page, 'Breakpoints'), new RegExp(FUNCTION), 'the function breakpoint listed');

      // Hit from a command typed at the shell.
      await typeInTerminal(page, 'cat /proc/version\n');
      const first = await stopShown(page, 'first hit');
      console.log(`# stop to Variables + code + pc line shown: ${first} ms (first hit)`);

      // Checkpoint here (name and kind as offered), continue: the command finishes.
      await palette(page, 'MIPS64: Take Checkpoint');
      await acceptQuickInput(page, /Checkpoint name/, 'checkpoint name');
      await acceptQuickInput(page, /Incremental/, 'checkpoint kind');
      await waitForText(page.locator('.notifications-toasts'), /checkpoint 'checkpoint 1' taken/, 'checkpoint taken');
      await palette(page, 'Terminal: Clear');
      await toolbarButton(page, 'Continue').click({ timeout: STEP });
      await waitForText(terminalRows(page), /Linux version 6\.1[\s\S]*mips64:\/#\s*$/, 'cat prints the version, then the prompt');

      // Restore while the guest runs: it goes on from the checkpoint (the output comes again).
      await palette(page, 'Terminal: Clear');
      await palette(page, 'MIPS64: Restore Checkpoint');
      await acceptQuickInput(page, /checkpoint 1/, 'the checkpoint to restore');
      await waitForText(terminalRows(page), /restored checkpoint checkpoint 1[\s\S]*Linux version 6\.1[\s\S]*mips64:\/#\s*$/, 'the guest replays from the checkpoint');

      // The same command: the same breakpoint hits again, shown the same way.
      await typeInTerminal(page, 'cat /proc/version\n');
      const again = await stopShown(page, 'hit after the restore');
      console.log(`# stop to Variables + code + pc line shown: ${again} ms (after the restore)`);

      // The guest came from the setting's cache dir (the session's first line names the kernel).
      await page.keyboard.press('Control+Shift+Y'); // Debug Console
      await waitForText(page.locator('.repl .monaco-list-row'), new RegExp(`MIPS64 Studio: malta board.*${cache.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        'the session names the kernel from mips64.guestCacheDir');

      await toolbarButton(page, 'Stop').click({ timeout: STEP });
      await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: STEP });
    });
  });
