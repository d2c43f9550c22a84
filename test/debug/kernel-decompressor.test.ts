// What the debugger reads from Debian's vmlinuz (the self-decompressing Malta kernel) to
// follow its kernel symbols through restores: kernel_entry's link address, the constant
// its final jump is built from, against the corpus's own independent evaluation (the
// target that lies in the decompressed image); and whether a restored PC is in the
// decompressor — its code in RAM at that address — or in a kernel copied over its place.
//
// Needs the Debian corpus (test/support/corpus.ts); skips with the reason without it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMaltaMachine } from '../../src/emulator/boards/malta.js';
import { MachineDebugger } from '../../src/emulator/debug/debugger.js';
import { findDecompressorJump, inDecompressor } from '../../src/emulator/debug/kernel-symbols.js';
import { debianCorpus, DebianCorpus } from '../support/corpus.js';

let corpus: DebianCorpus | undefined;
let skip: string | undefined;

before(async () => {
  try { corpus = await debianCorpus(); } catch (e) { skip = `the Debian corpus cannot be fetched: ${(e as Error).message}`; }
});

test('vmlinuz: kernel_entry\'s link address from the decompressor\'s jump; inDecompressor by the code in RAM', (t) => {
  if (skip) { t.skip(skip); return; }
  const vmlinuz = new Uint8Array(readFileSync(corpus!.vmlinuz));
  const jump = findDecompressorJump(vmlinuz);
  assert.ok(jump, 'the vmlinuz is a decompressor');
  assert.equal(jump.kernelEntry, corpus!.kernelEntry, 'the jump target the corpus found by following the decompressor');

  const { machine, board } = createMaltaMachine({ memoryMiB: 64 });
  board.bootLinux(vmlinuz, undefined, 'console=ttyS0');
  const dbg = new MachineDebugger(machine);
  const entry = BigInt.asUintN(64, machine.cpu.pc);
  assert.ok(entry >= jump.code.addr && entry < jump.code.addr + BigInt(jump.code.bytes.length), 'the boot enters the decompressor');
  assert.equal(inDecompressor(dbg, jump), true, 'at its entry');
  machine.cpu.pc = jump.pc;
  assert.equal(inDecompressor(dbg, jump), true, 'at its final jump');
  // A kernel relocated over the decompressor's place: same PC, other code.
  const was = dbg.mem.word(jump.pc + 4n)!;
  assert.ok(dbg.mem.writeUnsigned({ addr: jump.pc + 4n, phys: false }, 4, BigInt((was ^ 0x1234) >>> 0)));
  assert.equal(inDecompressor(dbg, jump), false, 'other code at the PC');
  machine.cpu.pc = corpus!.kernelEntry;
  assert.equal(inDecompressor(dbg, jump), false, 'in the kernel');
});
