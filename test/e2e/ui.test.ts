// End-to-end through the real VS Code UI: code-server (VS Code served to a browser) with the
// packaged extension installed, driven in headless Debian Chromium. A user's first session:
// Run and Debug → Start on the workspace's "Boot built-in demo" configuration, paused on
// entry with the Registers scope showing pc at the demo ELF's entry point, Continue, the
// guest's banner in the "MIPS64 console" terminal, Stop. On failure a screenshot and the
// server's log are kept in a temp dir whose path is printed.
//
// Needs scripts/ui-setup.sh (Node 24, code-server and playwright-core in the user's cache)
// and /usr/bin/chromium; skips with the reason otherwise. MIPS64_UI_TESTS=0 skips it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CodeServer, DEMO_CONFIG } from './code-server';
import { installedVersion, launchChromium, missingUiTools, type Browser, type Locator, type Page } from './ui-tools';

const root = path.resolve(__dirname, '..', '..', '..');
const BANNER = 'MIPS64 Studio demo guest';
const TERMINAL = 'MIPS64 console';
/** Bound on each UI step (code-server's first load, extension activation, the emulator). */
const STEP = 90_000;

function skipReason(): string | false {
  if (process.env.MIPS64_UI_TESTS === '0') return 'MIPS64_UI_TESTS=0';
  return missingUiTools() ?? false;
}

/** e_entry of the built demo guest (ELF64 little-endian), as VS Code shows a 64-bit register. */
function demoEntry(): bigint {
  const elf = readFileSync(path.join(root, 'dist', 'guests', 'demo.elf'));
  assert.equal(elf.toString('latin1', 1, 4), 'ELF');
  assert.equal(elf[4], 2, 'demo.elf is ELF64');
  assert.equal(elf[5], 1, 'demo.elf is little-endian');
  return elf.readBigUInt64LE(24);
}

/** Polls the text of a locator until it matches (a UI test waits for what a user would see). */
async function waitForText(l: Locator, re: RegExp, what: string): Promise<string> {
  const until = Date.now() + STEP;
  let last = '';
  for (;;) {
    last = (await l.allInnerTexts()).join('\n');
    if (re.test(last)) return last;
    if (Date.now() > until) assert.fail(`${what}: no ${re} within ${STEP / 1000} s; shown:\n${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const pane = (page: Page, title: string): Locator => page.locator(`.pane:has(> .pane-header[aria-label="${title} Section"])`);

test('VS Code UI (code-server in Chromium): start the demo, paused on entry with pc, continue to the console banner, stop',
  { skip: skipReason(), timeout: 600_000 }, async () => {
    console.log(`# code-server ${installedVersion('code-server')}, Node ${installedVersion('node24')}, playwright-core ${installedVersion('playwright')}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'mips64-ui-'));
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    let page: Page | undefined;
    const pageErrors: string[] = [];
    let ok = false;
    try {
      server = await CodeServer.start(dir);
      const entry = demoEntry();
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(server.workspaceUrl, { timeout: STEP });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: STEP });

      // Run and Debug view: the workspace's configuration is selected; press its Start button.
      await page.keyboard.press('Control+Shift+D');
      const sidebar = page.locator('.part.sidebar');
      await waitForText(sidebar.locator('.start-debug-action-item'), new RegExp(DEMO_CONFIG), 'Run and Debug configuration');
      await sidebar.locator('[aria-label^="Start Debugging"]').first().click({ timeout: STEP });

      // Paused on entry: the debug toolbar offers Continue; the Call Stack says why.
      const toolbar = page.locator('.debug-toolbar');
      await toolbar.locator('[aria-label^="Continue"]').waitFor({ state: 'visible', timeout: STEP });
      await waitForText(pane(page, 'Call Stack'), /entry/i, 'Call Stack after stopOnEntry');

      // Variables: the Registers scope, with pc at the ELF entry point. The demo has no line
      // information, and VS Code focuses a stopped thread's top frame by itself only when it
      // has a source (or after an instruction step/breakpoint), so a user clicks the frame.
      const frames = pane(page, 'Call Stack').locator('.monaco-list-row');
      await waitForText(frames.first(), /\S/, 'Call Stack frame');
      await frames.first().click({ timeout: STEP });
      const rows = pane(page, 'Variables').locator('.monaco-list-row');
      await waitForText(rows, /Registers[\s\S]*\$zero/, 'Variables view (Registers expanded)');
      // The tree renders only the rows in sight: pc follows the 32 GPRs, so scroll to the end.
      await rows.filter({ hasText: /^\$zero/ }).first().click({ timeout: STEP });
      await page.keyboard.press('End');
      await waitForText(rows, /(^|\n)pc\b/, 'Variables view, pc row');
      const pcRow = (await rows.allInnerTexts()).find((t) => /^pc\b/.test(t)) ?? '';
      const pcHex = /0x[0-9a-f]+/i.exec(pcRow)?.[0];
      assert.ok(pcHex, `pc has a hex value: ${JSON.stringify(pcRow)}`);
      assert.equal(BigInt.asUintN(64, BigInt(pcHex)), entry, `pc ${pcHex} is demo.elf's entry 0x${entry.toString(16)}`);

      // The guest has not run yet: its console holds no banner.
      const terminalRows = page.locator('.terminal-wrapper .xterm-rows');
      const before = (await terminalRows.allInnerTexts()).join('\n');
      assert.ok(!before.includes(BANNER), `banner before the guest ran:\n${before}`);

      // Continue: the demo prints its banner to UART 0, shown in the MIPS64 console terminal.
      await toolbar.locator('[aria-label^="Continue"]').click({ timeout: STEP });
      await toolbar.locator('[aria-label^="Pause"]').waitFor({ state: 'visible', timeout: STEP });
      await waitForText(page.locator('.part.panel .terminal-tabs-entry, .part.panel .single-terminal-tab'), new RegExp(TERMINAL), 'terminal tab');
      await waitForText(terminalRows, new RegExp(BANNER), `${TERMINAL} terminal`);
      // Its later lines say the guest got through its syscall, exception and TLB refill tests.
      await waitForText(terminalRows, /TLB refill handled[\s\S]*timer running/, `${TERMINAL} terminal, later lines`);

      // Stop: the toolbar goes away and the console says the session ended.
      await toolbar.locator('[aria-label^="Stop"]').click({ timeout: STEP });
      await toolbar.waitFor({ state: 'hidden', timeout: STEP });
      await waitForText(terminalRows, /\[session ended\]/, `${TERMINAL} after Stop`);
      ok = true;
    } finally {
      if (!ok) {
        const shot = path.join(dir, 'failure.png');
        if (page) await page.screenshot({ path: shot }).then(() => console.log(`# screenshot: ${shot}`), (e: Error) => console.log(`# no screenshot: ${e.message}`));
        writeFileSync(path.join(dir, 'code-server.log'), server?.log.join('') ?? '');
        if (pageErrors.length) writeFileSync(path.join(dir, 'page-errors.txt'), pageErrors.join('\n'));
        console.log(`# kept for inspection: ${dir} (code-server.log, user-data/logs/)`);
      }
      await browser?.close().catch(() => undefined);
      await server?.stop();
      if (ok) rmSync(dir, { recursive: true, force: true });
    }
  });
