// NMI and soft reset entry: ErrorEPC, Status.NMI/SR/ERL/BEV, reset vector; ERET returns.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';

const SRC = `
	.set noreorder
	.text
	.globl start
start:
	li	$t0, 0
1:	addiu	$t0, $t0, 1
	b	1b
	nop
`;

for (const nmi of [true, false]) {
  test(`${nmi ? 'NMI' : 'soft reset'}: ErrorEPC = interrupted PC, Status.${nmi ? 'NMI' : 'SR'}|ERL|BEV, reset vector`, () => {
    const { machine, board } = createDemoMachine({ engine: 'interp' });
    board.boot(assemblyToElf(assemble(SRC, { origin: 0xffffffff80100000n })));
    machine.run(1001);
    const cpu = machine.cpu;
    const pcBefore = BigInt.asUintN(64, cpu.pc);
    const inDelay = cpu.inDelay;
    if (nmi) machine.nmi(); else cpu.resetException(false);
    assert.equal(BigInt.asUintN(64, cpu.pc), 0xffffffffbfc00000n);
    assert.equal(cpu.c0.errorEpc, inDelay ? pcBefore - 4n : pcBefore);
    const st = cpu.c0.status;
    assert.equal((st >>> 2) & 1, 1, 'ERL');
    assert.equal((st >>> 22) & 1, 1, 'BEV');
    assert.equal((st >>> 19) & 1, nmi ? 1 : 0, 'NMI');
    assert.equal((st >>> 20) & 1, nmi ? 0 : 1, 'SR');
    assert.equal(cpu.mode, 0, 'kernel mode');
  });
}
