// The unwinder with call frame information: second.c + start.S built by gcc -O2 (both
// byte orders' CFI flavours: .debug_frame and .eh_frame), stopped in the leaf `classify`
// called from `sum` called from the assembly `entry` (no CFI: prologue analysis). Frames
// come from CFI where an FDE covers the PC, and the caller lines from DWARF agree with
// objdump --dwarf=decodedline.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { MachineDebugger } from '../../src/emulator/debug/debugger';
import { loadDebugInfo } from '../../src/emulator/debug/debug-info';
import { parseElf } from '../../src/emulator/loader/elf';
import { BARE_FLAGS, FIXTURES, parseDecodedLine } from '../loader/dwarf-oracle';
import { LE, missing, readBytes, run, TempDir } from '../loader/toolchain';
import { runToStop } from './demo-machine';

for (const flavour of [['-gdwarf-4'], ['-gdwarf-5', '-fasynchronous-unwind-tables']]) {
  test(`CFI unwinding through -O2 code (${flavour.join(' ')}): classify ← sum ← entry`, { skip: missing(`${LE}-gcc`, `${LE}-objdump`) ?? false }, () => {
    const tmp = new TempDir();
    try {
      const out = join(tmp.path, 'm.elf');
      run(`${LE}-gcc`, [...BARE_FLAGS, '-Wl,-e,entry', '-O2', '-fno-inline', ...flavour, join(FIXTURES, 'second.c'), join(FIXTURES, 'start.S'), '-o', out]);
      const bytes = readBytes(out);
      const { machine, board } = createDemoMachine({ engine: 'jit', memoryMiB: 16 });
      board.boot(bytes);
      const dbg = new MachineDebugger(machine);
      dbg.symbols.addElf(bytes);
      const info = loadDebugInfo(dbg.lines, dbg.unwinder, parseElf(bytes));
      assert.deepEqual(info.problems, []);
      assert.ok(info.fdes >= 2 && info.rows > 10, JSON.stringify(info));
      const classify = dbg.symbols.byName('classify')!;
      assert.deepEqual(dbg.setCodeBreakpoints('function', [{ id: 1, addr: classify, hitCondition: '3' }]), ['']);
      dbg.resume(false);
      runToStop(dbg);
      assert.equal(BigInt.asUintN(64, machine.cpu.pc), classify);
      const frames = dbg.unwinder.unwind();
      assert.deepEqual(frames.map((f) => dbg.symbols.lookup(f.pc)?.name), ['classify', 'sum', 'entry']);
      assert.deepEqual(frames.map((f) => f.unwoundBy), ['cfi', 'cfi', 'prologue']);
      // The caller lines: objdump's rows for the call instructions (return address − 8).
      const rows = parseDecodedLine(run(`${LE}-objdump`, ['--dwarf=decodedline', out]).stdout);
      const lineAt = (a: bigint): number | undefined => {
        let best: number | undefined;
        rows.forEach((r, i) => { const n = rows[i + 1]; if (r.line !== undefined && r.addr <= a && n && a < n.addr) best = r.line; });
        return best;
      };
      for (const f of frames.slice(1)) assert.equal(dbg.lines.lookup(f.pc - 8n)?.line, lineAt(f.pc - 8n));
      assert.match(dbg.lines.lookup(frames[2]!.pc - 8n)!.file, /start\.S$/);
      // The stack pointer of each caller is the CFA of its callee.
      const r0 = dbg.unwinder.rulesAt(frames[0]!.pc)!.rules;
      assert.equal(r0.cfa.kind, 'reg');
      assert.equal(frames[1]!.sp, BigInt.asUintN(64, machine.cpu.getGpr(29) + (r0.cfa.kind === 'reg' ? r0.cfa.offset : 0n)));
    } finally { tmp.remove(); }
  });
}
