// CP0 moves in translated code (isa/cp0-stored.ts): mfc0/dmfc0 of registers read as stored
// and dmtc0 to EPC, ErrorEPC and DESAVE use the register file directly in a region, while
// the interpreter goes through cpu/cp0-access.ts. A Kernel-mode loop writes the three
// registers and reads them back with the others the table names; every engine must end
// with the interpreter's registers, and the values must be the ones written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import type { CpuHooks } from '../../src/emulator/cpu/cpu';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';

const ORIGIN = 0xffffffff80100000n;
const BREAK = 9;
const ITERATIONS = 200;

const SOURCE = `  .set noreorder
  .set noat
start:
  li $20, ${ITERATIONS}
  li $2, 0
loop:
  lui $8, 0x1234
  ori $8, $8, 0x5678
  dsll $8, $8, 16
  ori $8, $8, 0x9abc
  dsll $8, $8, 16
  daddu $8, $8, $20
  dmtc0 $8, $14
  daddiu $9, $8, 8
  dmtc0 $9, $30
  daddiu $10, $8, 16
  dmtc0 $10, $31
  dmfc0 $11, $14
  mfc0 $12, $14
  dmfc0 $13, $30
  dmfc0 $14, $31
  mfc0 $15, $12
  mfc0 $16, $13
  dmfc0 $17, $10
  mfc0 $18, $15, 1
  mfc0 $19, $16, 1
  dmfc0 $21, $20
  dmfc0 $22, $4
  mfc0 $23, $0
  mfc0 $24, $6
  mfc0 $25, $15
  xor $2, $2, $11
  daddu $2, $2, $12
  xor $2, $2, $13
  daddu $2, $2, $14
  xor $2, $2, $15
  daddu $2, $2, $16
  xor $2, $2, $17
  daddu $2, $2, $18
  xor $2, $2, $19
  daddu $2, $2, $21
  xor $2, $2, $22
  daddu $2, $2, $23
  xor $2, $2, $24
  daddu $2, $2, $25
  addiu $20, $20, -1
  bnez $20, loop
  nop
  break
  nop
`;

function run(engine: 'interp' | 'jit'): { gprs: bigint[]; translated: number; icount: number } {
  const r = assemble(SOURCE, { origin: ORIGIN, model: '5KEc' });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const { machine, board } = createDemoMachine({ cpu: '5KEc', engine, memoryMiB: 16 });
  if (machine.jit) machine.jit.hot = 0;
  board.boot(assemblyToElf(r, 'little'));
  const cpu = machine.cpu;
  let exc = -1;
  (cpu.hooks as CpuHooks).onException = (c, code) => { exc = code; c.stopRequested = true; };
  while (exc < 0 && cpu.icount < 1_000_000) machine.run(10_000);
  assert.equal(exc, BREAK, `${engine}: the program ends at its break`);
  return { gprs: Array.from({ length: 32 }, (_, i) => cpu.getGpr(i)), translated: machine.jit?.wasm?.stats.blocks ?? 0, icount: cpu.icount };
}

test('CP0 moves of stored registers: translated regions end with the interpreter\'s registers and the values written', () => {
  const a = run('interp'), b = run('jit');
  assert.ok(b.translated > 0, 'the loop ran as a translated region');
  assert.equal(b.icount, a.icount);
  for (let i = 0; i < 32; i++) assert.equal(b.gprs[i], a.gprs[i], `GPR ${i}`);
  // The last iteration ($20 = 1) wrote EPC = 0x123456789abc0000 + 1, ErrorEPC + 8, DESAVE + 16.
  const epc = 0x123456789abc0001n;
  assert.equal(a.gprs[11], epc, 'dmfc0 EPC reads what dmtc0 wrote');
  assert.equal(a.gprs[12], BigInt.asIntN(32, epc), 'mfc0 EPC reads its low word sign-extended');
  assert.equal(a.gprs[13], epc + 8n, 'ErrorEPC');
  assert.equal(a.gprs[14], epc + 16n, 'DESAVE');
});
