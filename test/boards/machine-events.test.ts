// Machine events (src/emulator/events.ts): unsubscribing is idempotent — a second call of
// the function `on` returned must not remove another listener (it used to remove the last
// one: the debug adapter then lost the guest's console output after an instant boot's
// save point stopped watching twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../src/emulator/events';

test('unsubscribing twice leaves the other listeners', () => {
  const e = new Emitter<{ tick: number }>();
  const got: string[] = [];
  const offA = e.on('tick', (n) => got.push(`a${n}`));
  e.on('tick', (n) => got.push(`b${n}`));
  offA();
  offA();
  e.emit('tick', 1);
  assert.deepEqual(got, ['b1']);
});
