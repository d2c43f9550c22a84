// The Node flags guest-running processes start with (src/cli/node-flags.ts): V8's thread
// pool leaves the guest thread a core, never exceeds Node's default, and Node accepts them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { engineNodeFlags } from '../../src/cli/node-flags';

test('the V8 pool leaves one core to the guest thread, at least 1 thread, at most Node\'s default 4', () => {
  assert.deepEqual(engineNodeFlags(1), ['--v8-pool-size=1']);
  assert.deepEqual(engineNodeFlags(2), ['--v8-pool-size=1']);
  assert.deepEqual(engineNodeFlags(4), ['--v8-pool-size=3']);
  assert.deepEqual(engineNodeFlags(64), ['--v8-pool-size=4']);
});

test('Node starts with the flags (and with those for this machine)', () => {
  for (const flags of [engineNodeFlags(2), engineNodeFlags()]) {
    const r = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    for (const f of flags) assert.ok((JSON.parse(r.stdout) as string[]).includes(f), `${f} in ${r.stdout}`);
  }
});
