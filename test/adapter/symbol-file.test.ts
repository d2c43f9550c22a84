// Sparse reading of symbol files (src/adapter/symbol-file.ts) against reading the whole file:
// a C program built with gcc -g -O2 (it has location and range lists) read sparsely has every
// section the debugger uses byte for byte, the unused DWARF sections left as zeros, and the
// debugger loads the same symbols, line rows, call frame information and types from it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSymbolFile, UNUSED_SECTIONS } from '../../src/adapter/symbol-file';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { MachineDebugger } from '../../src/emulator/debug/debugger';
import { loadDebugInfo } from '../../src/emulator/debug/debug-info';
import { parseElf } from '../../src/emulator/loader/elf';
import { BARE_FLAGS, FIXTURES } from '../loader/dwarf-oracle';
import { LE, missing, run, TempDir } from '../loader/toolchain';

test('a symbol file read sparsely: the used sections as in the file, the unused ones zero, the same debugging information', { skip: missing(`${LE}-gcc`) ?? false }, () => {
  const tmp = new TempDir();
  try {
    const out = join(tmp.path, 'tasks.elf');
    run(`${LE}-gcc`, [...BARE_FLAGS, '-Wl,-e,_start', '-O2', '-g', join(FIXTURES, 'linux-tasks.c'), '-o', out]);
    const whole = new Uint8Array(readFileSync(out));
    const sparse = readSymbolFile(out, 'symbol file', 0);
    assert.equal(sparse.length, whole.length);
    const elf = parseElf(whole);
    let skipped = 0;
    for (const s of elf.sections) {
      if (s.type === 8 || s.size === 0) continue;
      const got = sparse.subarray(s.offset, s.offset + s.size);
      if (UNUSED_SECTIONS.has(s.name)) { skipped++; assert.ok(got.every((b) => b === 0), `${s.name} not read`); }
      else assert.deepEqual(got, s.data(), `${s.name} read`);
    }
    assert.ok(skipped > 0, 'the program has location or range lists to leave out');

    const load = (bytes: Uint8Array, views: boolean): { summary: unknown; dbg: MachineDebugger } => {
      const dbg = new MachineDebugger(createDemoMachine({ memoryMiB: 16 }).machine);
      const n = dbg.symbols.addElf(bytes);
      return { summary: { n, ...loadDebugInfo(dbg.lines, dbg.unwinder, parseElf(bytes), 0n, 'tasks.elf', dbg.types, views) }, dbg };
    };
    const a = load(whole, false), b = load(sparse, true);
    assert.deepEqual(b.summary, a.summary);
    const main = a.dbg.symbols.byName('main') ?? a.dbg.symbols.byName('_start')!;
    assert.deepEqual(b.dbg.lines.lookup(main), a.dbg.lines.lookup(main));
    assert.ok(a.dbg.lines.lookup(main), 'a line for the entry');
    assert.deepEqual(b.dbg.types.variable('init_task')?.addr, a.dbg.types.variable('init_task')?.addr);
    assert.ok(a.dbg.types.variable('init_task')?.addr);
  } finally {
    tmp.remove();
  }
});
