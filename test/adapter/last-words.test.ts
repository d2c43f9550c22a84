// A demo-board program that prints a line and powers off at once: the whole line reaches
// the debug session's output before it ends (the UART sends what it still holds at
// power-off: see test/boards/demo-power.test.ts for the machine and the CLI).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AdapterHarness } from './support';
import { TempDir } from '../loader/toolchain';
import { buildElf } from '../support/checkpoint-guests';
import { LAST_WORDS, LAST_WORDS_OUTPUT } from '../support/last-words';

const harness = new AdapterHarness();
before(() => harness.start());
after(() => harness.stop());

test('the line a demo program writes just before powering off is in the DAP output', { timeout: 60_000 }, async () => {
  const dir = new TempDir();
  try {
    const program = dir.file('last-words.elf', buildElf(LAST_WORDS));
    const c = await harness.client();
    const exited = c.wait<DebugProtocol.ExitedEvent>('exited', 30_000);
    await c.launch({ type: 'mips64', request: 'launch', name: 'last words', board: 'demo', kernel: program, stopOnEntry: false, timeTravel: false });
    assert.equal((await exited).body.exitCode, 7);
    await c.waitOutput('the last line, written just before power-off\n', 10_000);
    assert.equal(c.stdout.replace(/\r\n/g, '\n'), LAST_WORDS_OUTPUT);
  } finally {
    dir.remove();
  }
});
