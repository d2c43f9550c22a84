// LineTable.resolve with the lines a client may send: 2^53 and beyond (where l + 1 === l),
// Infinity, negative, fractional. Each lookup runs in a worker (test/support/isolated.ts):
// before the fix a line ≥ 2^53 looped forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineTable } from '../../src/emulator/debug/lines';
import { runIsolated } from '../support/isolated';

/** A table with lines 10 and 12 of a.s at 0x1000 and 0x1004; resolves `line` (exported for the worker). */
export function resolveIn(line: number, search: number): { line: number; addrs: string[] } | null {
  const t = new LineTable();
  t.add(0x1000n, 'a.s', 10);
  t.add(0x1004n, 'a.s', 12);
  const r = t.resolve('a.s', line, search);
  return r ? { line: r.line, addrs: r.addrs.map((a) => a.toString(16)) } : null;
}

test('resolve finds a line and the next line with code', () => {
  assert.deepEqual(resolveIn(10, 20), { line: 10, addrs: ['1000'] });
  assert.deepEqual(resolveIn(11, 20), { line: 12, addrs: ['1004'] });
  assert.equal(resolveIn(13, 20), null);
  assert.equal(resolveIn(11, 0), null);
});

test('resolve returns at once for lines no source has (2^53 and beyond, Infinity, negative, fractional)', async () => {
  const huge = [2 ** 53 - 5, 2 ** 53, 2 ** 53 + 2, 2 ** 60, 1e300, Number.MAX_VALUE, Infinity, -Infinity, NaN, -1, 1.5, Number.MIN_SAFE_INTEGER];
  for (const line of huge) {
    assert.equal(await runIsolated(__filename, 'resolveIn', [line, 20]), null, `line ${line}`);
  }
});
