// Demo-board power controller: power-off with exit code, reset request, ID register,
// ignored accesses, and checkpoint state (a pending reset).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  POWER_ID_VALUE,
  POWER_OFF_MAGIC,
  POWER_RESET_MAGIC,
  PowerDevice,
} from '../../src/emulator/devices/power.js';
import { restoreState, saveState } from '../../src/emulator/snapshot/state.js';

function make(): { dev: PowerDevice; events: string[] } {
  const events: string[] = [];
  const dev = new PowerDevice({
    onPowerOff: (code) => events.push(`off ${code}`),
    onReset: () => events.push('reset'),
  });
  return { dev, events };
}

describe('power controller', () => {
  test('constants', () => {
    assert.equal(POWER_OFF_MAGIC, 0x5a5a0000);
    assert.equal(POWER_RESET_MAGIC, 0x52534554);
    assert.equal(POWER_ID_VALUE, 0x4d503634);
    assert.equal(String.fromCharCode(0x4d, 0x50, 0x36, 0x34), 'MP64');
    assert.equal(String.fromCharCode(0x52, 0x53, 0x45, 0x54), 'RSET');
  });

  test('0x5a5a0000 | code powers off with exit code code & 0xff', () => {
    const { dev, events } = make();
    dev.write(0, 4, 0x5a5a0000);
    dev.write(0, 4, 0x5a5a0003);
    dev.write(0, 4, 0x5a5a00ff);
    dev.write(0, 4, 0x5a5a1234); // upper bits of the low half are ignored
    assert.deepEqual(events, ['off 0', 'off 3', 'off 255', 'off 52']);
  });

  test("'RSET' requests a reset, done at the next event check (tick), not inside the write", () => {
    const { dev, events } = make();
    assert.equal(dev.nextEvent(), Infinity);
    dev.write(0, 4, 0x52534554);
    assert.deepEqual(events, []);
    assert.equal(dev.state.resetPending, true);
    assert.equal(dev.nextEvent(), 0);
    dev.tick();
    assert.deepEqual(events, ['reset']);
    assert.equal(dev.nextEvent(), Infinity);
    dev.tick();
    assert.deepEqual(events, ['reset']);
    // A machine reset drops a pending request.
    dev.write(0, 4, 0x52534554);
    dev.reset();
    dev.tick();
    assert.deepEqual(events, ['reset']);
  });

  test('other values, narrow writes and writes elsewhere are ignored', () => {
    const { dev, events } = make();
    dev.write(0, 4, 0);
    dev.write(0, 4, 0x5a5b0001);
    dev.write(0, 4, 0x52534555);
    dev.write(0, 4, 0xa5a50001);
    dev.write(0, 1, 0x5a);
    dev.write(0, 2, 0x5a5a);
    dev.write(4, 4, 0x5a5a0001);
    dev.write(2, 4, 0x5a5a0001);
    dev.write(8, 4, 0x52534554);
    dev.tick();
    assert.deepEqual(events, []);
  });

  test('64-bit writes use the low 32 bits as the command', () => {
    const { dev, events } = make();
    dev.write(0, 8, 0x5a5a0007);
    dev.write(0, 8, 0x1_5a5a_0009); // high word ignored
    dev.write(0, 8, 0x52534554);
    dev.tick();
    assert.deepEqual(events, ['off 7', 'off 9', 'reset']);
  });

  test("reads: CMD reads 0, ID reads 'MP64' (big-endian bytes)", () => {
    const { dev, events } = make();
    assert.equal(dev.size, 8);
    assert.equal(dev.name, 'power');
    assert.equal(dev.read(0, 4), 0);
    assert.equal(dev.read(4, 4), 0x4d503634);
    assert.equal(dev.read(0, 8), 0x4d503634);
    assert.deepEqual([4, 5, 6, 7].map((o) => dev.read(o, 1)), [0x4d, 0x50, 0x36, 0x34]);
    assert.equal(dev.read(4, 2), 0x4d50);
    assert.equal(dev.read(6, 2), 0x3634);
    assert.equal(dev.read(0, 1), 0);
    assert.equal(dev.read(8, 4), 0);
    assert.equal(dev.read(6, 4), 0); // crosses the end of the window
    dev.write(0, 4, 0x5a5a0001);
    assert.equal(dev.read(0, 4), 0); // commands do not read back
    assert.deepEqual(events, ['off 1']);
  });

  test('name option, reset and state', () => {
    const events: string[] = [];
    const dev = new PowerDevice({ name: 'syscon', onPowerOff: (c) => events.push(`off ${c}`), onReset: () => events.push('reset') });
    assert.equal(dev.name, 'syscon');
    assert.equal(dev.stateSpec.name, 'syscon');
    assert.equal(dev.stateSpec.version, 2);
    assert.deepEqual(Object.keys(dev.stateSpec.fields), ['resetPending']);
    assert.equal(dev.stateSpec.minVersion, 1, 'version 1 (no state) is upgraded');
    dev.reset();
    assert.equal(events.length, 0);
    const a = saveState(dev);
    restoreState(dev, a);
    assert.deepEqual(saveState(dev), a);
    const fresh = new PowerDevice({ name: 'syscon', onPowerOff: (c) => events.push(`fresh ${c}`), onReset: () => {} });
    restoreState(fresh, a);
    fresh.write(0, 4, 0x5a5a0002);
    assert.deepEqual(events, ['fresh 2']);
    assert.equal(fresh.read(4, 4), 0x4d503634);
  });
});
