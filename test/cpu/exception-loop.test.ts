// A guest whose exception vector cannot be fetched takes bus errors forever without
// completing an instruction, so the virtual clock never reaches any budget. The run must
// still return (as a stop), on both engines, leaving the CPU at the vector.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { EXCEPTION_LOOP_LIMIT } from '../../src/emulator/cpu/cpu';
import { Exc } from '../../src/emulator/isa/cp0-defs';

for (const engine of ['interp', 'jit'] as const) {
  test(`an exception loop at an unfetchable vector ends the run (${engine})`, () => {
    const { machine } = createDemoMachine({ engine, memoryMiB: 16 });
    const cpu = machine.cpu;
    let exceptions = 0;
    cpu.hooks.onException = () => { exceptions++; };
    // Nothing at physical 0x17000000 nor at the bootstrap vectors (0x1fc00200+).
    cpu.c0.status = (cpu.c0.status | 0x00400000) >>> 0; // BEV
    cpu.pc = 0xffffffffb7000000n;
    const r = machine.run(1_000_000);
    assert.equal(r.executed, 0);
    assert.equal(r.reason, 'stop');
    assert.equal(exceptions, EXCEPTION_LOOP_LIMIT + 1);
    assert.equal(cpu.lastExc, Exc.IBE);
    assert.equal(BigInt.asUintN(64, cpu.pc), 0xffffffffbfc00380n);
    // A later run stops the same way instead of hanging.
    assert.equal(machine.run(1000).reason, 'stop');
  });
}
