// End-to-end through the real VS Code UI (code-server in Debian's Chromium), for assembly
// files: a workspace with no launch.json and two .s files. Opening bad.s shows the language
// server's error squiggle under the misspelt mnemonic, and hovering it shows the message
// with "did you mean"; in hello.s hovering `dli` shows the instruction's help; F5 in hello.s
// starts a debug session paused on entry (Call Stack says so, the editor marks the entry
// line as the top stack frame), Continue runs it to its UART output in the MIPS64 console,
// and it exits. On failure a screenshot and the server's log are kept (path printed).
//
// Needs scripts/ui-setup.sh and /usr/bin/chromium; skips with the reason otherwise.
// MIPS64_UI_TESTS=0 skips it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installedVersion, missingUiTools, type Locator, type Page } from './ui-tools';
import { inVsCode, pane, STEP, TERMINAL, terminalRows, waitForText } from './ui-steps';

const BAD = '\t.text\nstart:\n\tmvoe\t$2, $3\n';
const HELLO = `	.set	noreorder
	UART	= 0xffffffffb80003f8
	POWER	= 0xffffffffbf100000
	.macro	putc ch
	li	$a0, \\ch
	jal	putc_
	nop
	.endm
	.text
	.globl	start
start:
	dli	$t0, UART
	putc	'H'
	putc	'i'
	putc	10
1:	lbu	$t1, 5($t0)		# LSR.TEMT: all sent
	andi	$t1, $t1, 0x40
	beqz	$t1, 1b
	nop
	dli	$t0, POWER
	li	$t1, 0x5a5a0000
	sw	$t1, 0($t0)
2:	b	2b
	nop
putc_:	lbu	$t1, 5($t0)		# LSR.THRE
	andi	$t1, $t1, 0x20
	beqz	$t1, putc_
	nop
	sb	$a0, 0($t0)
	jr	$ra
	nop
`;

function skipReason(): string | false {
  if (process.env.MIPS64_UI_TESTS === '0') return 'MIPS64_UI_TESTS=0';
  return missingUiTools() ?? false;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Opens a workspace file with Quick Open and waits for its editor tab. */
async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: STEP });
  await page.keyboard.type(name, { delay: 20 });
  await waitForText(page.locator('.quick-input-list .monaco-list-row'), new RegExp(escape(name)), 'Quick Open');
  await page.keyboard.press('Enter');
  // (The tab shows the name's stem and extension in separate elements.)
  await waitForText(page.locator('.tabs-container .tab.active'), new RegExp(escape(name).replace('\\.', '\\s*\\.')), `editor tab ${name}`);
}

/** The token `text` in the active editor (TextMate splits lines into spans per token). */
const token = (page: Page, text: string): Locator => page.locator(`.editor-group-container.active .monaco-editor .view-lines span:text-is("${text}")`).first();

/**
 * Shows the hover of a token the way a keyboard user does (the cursor on it, then Ctrl+K
 * Ctrl+I, "Show Hover"), again every few seconds until it says `re`: a mouse hover alone
 * was missed now and then on a loaded machine.
 */
async function hoverText(page: Page, text: string, re: RegExp, what: string): Promise<string> {
  const until = Date.now() + STEP;
  for (;;) {
    await token(page, text).click({ timeout: STEP });
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    try {
      return await waitForText(page.locator('.monaco-hover'), re, what, 5000);
    } catch (e) {
      if (Date.now() > until) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

test('VS Code UI (code-server in Chromium): a .s file shows a squiggle and hovers; F5 debugs it paused on entry',
  { skip: skipReason(), timeout: 600_000 }, async () => {
    console.log(`# code-server ${installedVersion('code-server')}, Node ${installedVersion('node24')}, playwright-core ${installedVersion('playwright')}`);
    await inVsCode('mips64-asm-ui-', () => ({ launchJson: false, files: { 'bad.s': BAD, 'hello.s': HELLO } }), async (page) => {
      // bad.s: the squiggle under `mvoe`, and its message on hover.
      await openFile(page, 'bad.s');
      await page.locator('.editor-group-container.active .monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: STEP });
      assert.match(await hoverText(page, 'mvoe', /unknown instruction 'mvoe'; did you mean 'move'/, 'hover on the error'), /did you mean 'move'/);

      // hello.s: instruction help on hover.
      await openFile(page, 'hello.s');
      assert.match(await hoverText(page, 'dli', /Load a 64-bit constant[\s\S]*This line assembles to/, 'hover on dli'), /This line assembles to/);

      // F5 (no launch.json): a session on hello.s, paused on entry at `start`.
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').click({ timeout: STEP });
      await page.keyboard.press('Escape');
      await page.keyboard.press('F5');
      const toolbar = page.locator('.debug-toolbar');
      await toolbar.locator('[aria-label^="Continue"]').waitFor({ state: 'visible', timeout: STEP });
      await waitForText(pane(page, 'Call Stack'), /entry/i, 'Call Stack after F5');
      assert.match(await waitForText(pane(page, 'Call Stack'), /hello\.s/, 'Call Stack frame in hello.s'), /hello\.s/);
      await page.locator('.editor-group-container.active .monaco-editor .debug-top-stack-frame-line').first().waitFor({ state: 'attached', timeout: STEP });

      // Continue: the program's output in the MIPS64 console, then it powers off.
      await toolbar.locator('[aria-label^="Continue"]').click({ timeout: STEP });
      assert.match(await waitForText(terminalRows(page), /Hi/, TERMINAL), /Hi/);
      await toolbar.waitFor({ state: 'hidden', timeout: STEP });
    });
  });
