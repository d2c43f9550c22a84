// The extension's child-process runner for the bundled CLI, exercised with a stand-in
// CLI script (the real dist/cli.js is tested by the CLI's own tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CliOutputTooLargeError,
  RUN_AS_NODE_ENV,
  cliScriptPath,
  disasmArgs,
  isElfFile,
  runCli,
  stderrTail,
} from '../../src/extension/cli-runner';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mips64-cli-runner-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const fakeCli = path.join(dir, 'fake-cli.js');
writeFileSync(
  fakeCli,
  `const args = process.argv.slice(2);
if (args[0] === 'fail') { process.stderr.write('line1\\nerror: bad ELF\\n'); process.exit(3); }
if (args[0] === 'big') { process.stdout.write('x'.repeat(1 << 20)); }
else if (args[0] === 'sleep') { setTimeout(() => {}, 60000); }
else process.stdout.write(JSON.stringify({ args, env: process.env.ELECTRON_RUN_AS_NODE ?? null }));
`,
);

test('cliScriptPath and disasmArgs', () => {
  assert.equal(cliScriptPath('/ext'), path.join('/ext', 'dist', 'cli.js'));
  assert.deepEqual(disasmArgs('/tmp/a.elf', { aliases: true }), ['disasm', '/tmp/a.elf']);
  assert.deepEqual(disasmArgs('/tmp/a.elf', { aliases: false }), ['disasm', '--no-aliases', '/tmp/a.elf']);
});

test('runCli passes arguments and environment and captures stdout', async () => {
  const r = await runCli({
    execPath: process.execPath,
    cliScript: fakeCli,
    args: ['disasm', '/some file.elf'],
    env: RUN_AS_NODE_ENV,
  });
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), { args: ['disasm', '/some file.elf'], env: '1' });
});

test('runCli reports a non-zero exit with stderr', async () => {
  const r = await runCli({ execPath: process.execPath, cliScript: fakeCli, args: ['fail'] });
  assert.equal(r.code, 3);
  assert.equal(stderrTail(r.stderr, 1), 'error: bad ELF');
  assert.equal(stderrTail(r.stderr), 'line1\nerror: bad ELF');
});

test('runCli enforces the output limit', async () => {
  await assert.rejects(
    runCli({ execPath: process.execPath, cliScript: fakeCli, args: ['big'], maxOutputBytes: 1000 }),
    CliOutputTooLargeError,
  );
});

test('runCli can be cancelled', async () => {
  const abort = new AbortController();
  const p = runCli({ execPath: process.execPath, cliScript: fakeCli, args: ['sleep'], signal: abort.signal });
  setTimeout(() => abort.abort(), 100);
  await assert.rejects(p, { name: 'AbortError' });
});

test('runCli rejects when the executable does not exist', async () => {
  await assert.rejects(
    runCli({ execPath: path.join(dir, 'no-such-node'), cliScript: fakeCli, args: [] }),
    { code: 'ENOENT' },
  );
});

test('isElfFile checks the magic number', async () => {
  const elf = path.join(dir, 'a.elf');
  writeFileSync(elf, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1, 0]));
  const text = path.join(dir, 'a.s');
  writeFileSync(text, '\tnop\n');
  const short = path.join(dir, 'short');
  writeFileSync(short, Buffer.from([0x7f, 0x45]));
  assert.equal(await isElfFile(elf), true);
  assert.equal(await isElfFile(text), false);
  assert.equal(await isElfFile(short), false);
  assert.equal(await isElfFile(path.join(dir, 'missing')), false);
});
