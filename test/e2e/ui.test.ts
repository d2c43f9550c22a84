// End-to-end through the real VS Code UI: code-server (VS Code served to a browser) with the
// packaged extension installed, driven in headless Debian Chromium. A user's first session:
// Run and Debug → Start on the workspace's "Boot built-in demo" configuration, paused on
// entry with the top frame focused by VS Code itself and the Registers scope filled (no
// click) showing pc at the demo ELF's entry point, Continue, the guest's banner in the
// "MIPS64 console" terminal, Stop. On failure a screenshot and the server's log are kept
// in a temp dir whose path is printed.
//
// Needs scripts/ui-setup.sh (Node 24, code-server and playwright-core in the user's cache)
// and /usr/bin/chromium; skips with the reason otherwise. MIPS64_UI_TESTS=0 skips it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEMO_CONFIG } from './code-server';
import { installedVersion, missingUiTools } from './ui-tools';
import { inVsCode, pane, startDebugging, STEP, TERMINAL, waitForText } from './ui-steps';

const root = path.resolve(__dirname, '..', '..', '..');
const BANNER = 'MIPS64 Studio demo guest';

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

test('VS Code UI (code-server in Chromium): start the demo, paused on entry with pc, continue to the console banner, stop',
  { skip: skipReason(), timeout: 600_000 }, async () => {
    console.log(`# code-server ${installedVersion('code-server')}, Node ${installedVersion('node24')}, playwright-core ${installedVersion('playwright')}`);
    await inVsCode('mips64-ui-', () => ({}), async (page) => {
      const entry = demoEntry();
      await startDebugging(page, DEMO_CONFIG);

      // Paused on entry: the debug toolbar offers Continue; the Call Stack says why.
      const toolbar = page.locator('.debug-toolbar');
      await toolbar.locator('[aria-label^="Continue"]').waitFor({ state: 'visible', timeout: STEP });
      await waitForText(pane(page, 'Call Stack'), /entry/i, 'Call Stack after stopOnEntry');

      // Variables: the Registers scope, with pc at the ELF entry point, filled without a click
      // (every frame has a source, so VS Code focuses the top frame itself).
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
    });
  });
