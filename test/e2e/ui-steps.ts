// What the VS Code UI tests do and look at, as a user would: the views of Run and Debug by
// their titles, the MIPS64 console terminal, the command palette, the editor's lines and
// the line VS Code marks as the top stack frame's. Every wait is bounded by STEP and
// fails with what was shown instead.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CodeServer, CodeServerOptions } from './code-server';
import { launchChromium, type Browser, type Locator, type Page } from './ui-tools';

/** Bound on each UI step (code-server's first load, extension activation, the emulator). */
export const STEP = 90_000;
export const TERMINAL = 'MIPS64 console';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `body` on a page of a fresh code-server (a temp dir named by `prefix`; `options(dir)`
 * configures the server) opened on its workspace, with the workbench loaded. On failure a
 * screenshot, the server's log and the page's errors are kept in the dir (its path printed);
 * on success the dir is removed.
 */
export async function inVsCode(prefix: string, options: (dir: string) => CodeServerOptions, body: (page: Page) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];
  let ok = false;
  try {
    server = await CodeServer.start(dir, options(dir));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.workspaceUrl, { timeout: STEP });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: STEP });
    await body(page);
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
}

/** Run and Debug view: the workspace's configuration `name` is selected; presses its Start button. */
export async function startDebugging(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+Shift+D');
  const sidebar = page.locator('.part.sidebar');
  await waitForText(sidebar.locator('.start-debug-action-item'), new RegExp(escape(name)), 'Run and Debug configuration');
  await sidebar.locator('[aria-label^="Start Debugging"]').first().click({ timeout: STEP });
}

/** Polls the text of a locator until it matches (a UI test waits for what a user would see). */
export async function waitForText(l: Locator, re: RegExp, what: string, ms = STEP): Promise<string> {
  const until = Date.now() + ms;
  let last = '';
  for (;;) {
    last = (await l.allInnerTexts()).join('\n');
    if (re.test(last)) return last;
    if (Date.now() > until) assert.fail(`${what}: no ${re} within ${ms / 1000} s; shown:\n${last}`);
    await sleep(100);
  }
}

/** A view of the Run and Debug side bar by its title ("Variables", "Call Stack", …). */
export const pane = (page: Page, title: string): Locator => page.locator(`.pane:has(> .pane-header[aria-label="${title} Section"])`);

export const rows = (page: Page, title: string): Locator => pane(page, title).locator('.monaco-list-row');

export const terminalRows = (page: Page): Locator => page.locator('.terminal-wrapper .xterm-rows');

/** Types into the MIPS64 console terminal (the guest's console). */
export async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('.terminal-wrapper .xterm-helper-textarea').first().focus({ timeout: STEP });
  await page.keyboard.type(text);
}

/** Runs a command from the command palette by its title (then the command's own prompts follow). */
export async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.first().waitFor({ state: 'visible', timeout: STEP });
  await page.keyboard.type(title);
  await waitForText(page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first(), new RegExp(escape(title)), `palette entry ${title}`);
  await page.keyboard.press('Enter');
}

/** Accepts what a quick input (input box or pick list) offers first, once it shows `expect`. */
export async function acceptQuickInput(page: Page, expect: RegExp, what: string): Promise<void> {
  const widget = page.locator('.quick-input-widget').first();
  await waitForText(widget, expect, what);
  await page.keyboard.press('Enter');
  // Gone (hidden), or showing the command's next prompt.
  const until = Date.now() + STEP;
  while (Date.now() < until && await widget.isVisible() && expect.test((await widget.allInnerTexts()).join('\n'))) await sleep(50);
}

/** The debug toolbar's button whose label starts so (Continue, Pause, Stop, …). */
export const toolbarButton = (page: Page, label: string): Locator => page.locator(`.debug-toolbar [aria-label^="${label}"]`);

/**
 * The text of the editor line VS Code highlights as the top stack frame's (the pc line), or
 * undefined while there is none. The highlight is a line decoration in the editor's overlay
 * layer; the line with the same vertical position holds the text.
 */
export async function topFrameLine(page: Page): Promise<string | undefined> {
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  const mark = editor.locator('.debug-top-stack-frame-line');
  if (await mark.count() === 0) return undefined;
  const box = await mark.first().boundingBox();
  if (!box) return undefined;
  const lines = editor.locator('.view-lines .view-line');
  const n = await lines.count();
  for (let i = 0; i < n; i++) {
    const b = await lines.nth(i).boundingBox();
    if (b && Math.abs(b.y - box.y) < 2) return (await lines.nth(i).innerText()).replace(/\u00a0/g, ' ');
  }
  return undefined;
}

/** The title of the active editor tab. */
export async function activeTab(page: Page): Promise<string> {
  const t = await page.locator('.editor-group-container.active .tab.active').allInnerTexts();
  return t.join('').trim();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
