// Typed C expressions over DWARF .debug_info (src/emulator/debug/typed-expr.ts), gdb as the
// oracle: test/fixtures/debug/types.c built with gcc -g (DWARF 4 and 5) and booted on the
// demo board (its .data in RAM), each expression's value (print/x) and address (print/x &)
// compared with gdb-multiarch reading the same ELF. Also: `current` from $gp, casts of a
// register, strings and struct display, members of a struct reached through a pointer to
// it, and corrupt information (a typedef referring to itself) as a clear error.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { MachineDebugger } from '../../src/emulator/debug/debugger';
import { loadDebugInfo } from '../../src/emulator/debug/debug-info';
import { TypeFiles } from '../../src/emulator/debug/type-files';
import { children, evaluateTyped, formatTyped, NotTyped, scalar } from '../../src/emulator/debug/typed-expr';
import { parseElf } from '../../src/emulator/loader/elf';
import { DwarfTypes, sizeOf, typeName } from '../../src/emulator/loader/dwarf/types';
import { BARE_FLAGS, FIXTURES } from '../loader/dwarf-oracle';
import { LE, missing, readBytes, run, TempDir } from '../loader/toolchain';

/** Expressions with a scalar value (gdb print/x) and, where marked, an address (print/x &). */
const SCALARS = [
  'init.pid', 'second.pid', 'init.state', 'second.state', 'init.flags', 'init.prio', 'init.nice', 'second.nice', 'init.st', 'second.st',
  'init.word', 'init.bytes[1]', 'init.bytes[7]', 'init.history[1]', 'init.history[3]', 'init.cpu', 'init.delta', 'init.comm[1]',
  'init.parent', 'init.parent->pid', 'second.parent->comm[0]', 'ti.task->pid', 'ti.flags', '(*ti.task).pid', 'ticks', 'matrix[1][2]',
  'matrix[0][1]', 'counter', 'greeting', 'greeting[1]', 'init.name', '*init.name', '((struct task *)&second)->pid',
  '(unsigned char)init.pid', '(short)counter', '(pid_t)second.pid', '&init.comm', '&second.tasks', '&matrix[1]',
];
const ADDRESSES = ['init', 'init.comm', 'init.tasks', 'init.history[2]', 'second.parent->tasks.prev', 'matrix[1][1]', 'ti', 'init.word', 'init.bytes[3]'];

function gdbPrint(elf: string, exprs: readonly string[]): string[] {
  const out = run('gdb-multiarch', ['-batch', '-nx', ...exprs.flatMap((e) => ['-ex', `print/x ${e}`]), elf]).stdout;
  const vals = out.split('\n').filter((l) => /^\$\d+ = /.test(l)).map((l) => l.replace(/^\$\d+ = /, ''));
  assert.equal(vals.length, exprs.length, `gdb printed ${vals.length} of ${exprs.length} values:\n${out}`);
  return vals;
}

for (const dwarf of ['-gdwarf-4', '-gdwarf-5']) {
  test(`typed expressions (${dwarf}) equal gdb's values and addresses; current, casts, strings, structs`, { skip: missing(`${LE}-gcc`, 'gdb-multiarch') ?? false }, () => {
    const tmp = new TempDir();
    try {
      const out = join(tmp.path, 't.elf');
      run(`${LE}-gcc`, [...BARE_FLAGS, '-Wl,-e,_start', '-O0', dwarf, join(FIXTURES, 'types.c'), '-o', out]);
      const bytes = readBytes(out);
      const { machine, board } = createDemoMachine({ memoryMiB: 16 });
      board.boot(bytes);
      const dbg = new MachineDebugger(machine);
      dbg.symbols.addElf(bytes);
      const info = loadDebugInfo(dbg.lines, dbg.unwinder, parseElf(bytes), 0n, 't.elf', dbg.types);
      assert.deepEqual(info.problems, []);
      assert.ok(info.typeUnits >= 1);
      const ctx = dbg.ctx;

      const want = gdbPrint(out, SCALARS);
      SCALARS.forEach((e, i) => {
        const v = evaluateTyped(e, ctx);
        const bits = BigInt(Math.max(1, sizeOf(v.type)) * 8);
        const ours = `0x${BigInt.asUintN(Number(bits), scalar(v, ctx)).toString(16)}`;
        // gdb prints arrays' addresses for &array as the pointer; print/x of a pointer is the address.
        assert.equal(ours, want[i]!.replace(/^\{.*\}$/, ''), `${e}: ours ${ours}, gdb ${want[i]}`);
      });
      const addrs = gdbPrint(out, ADDRESSES.map((e) => `&${e}`));
      ADDRESSES.forEach((e, i) => {
        const v = evaluateTyped(e, ctx);
        assert.equal(`0x${v.addr!.toString(16)}`, addrs[i], `&${e}`);
      });

      // Display: strings, enums, bit fields, a struct preview and its members, a pointer's target.
      assert.equal(formatTyped(evaluateTyped('init.comm', ctx), ctx), '"swapper"');
      assert.equal(formatTyped(evaluateTyped('second.st', ctx), ctx), 'DEAD');
      assert.equal(formatTyped(evaluateTyped('init.nice', ctx), ctx), '-7 (0xfffffff9)');
      assert.match(formatTyped(evaluateTyped('greeting', ctx), ctx), /^0x[0-9a-f]{16} "hello"$/);
      assert.match(formatTyped(evaluateTyped('init', ctx), ctx), /^\{state = 0 \(0x0\), pid = 0 \(0x0\), comm = "swapper", tasks = \{…\}, parent = 0x[0-9a-f]{16} <init>, flags = 5 \(0x5\), …\}$/);
      const members = children(evaluateTyped('init', ctx), ctx).map((c) => c.name);
      assert.deepEqual(members.slice(0, 9), ['state', 'pid', 'comm', 'tasks', 'parent', 'flags', 'prio', 'nice', 'st']);
      assert.equal(members.filter((m) => m.startsWith('<anonymous')).length, 1, 'the anonymous union is one member');
      const target = children(evaluateTyped('ti.task', ctx), ctx);
      assert.equal(target.length, 1);
      assert.equal(typeName(target[0]!.value.type), 'struct task');
      assert.equal(formatTyped(evaluateTyped('ti.task->comm', ctx), ctx), '"sh"');

      // current: the task of the thread_info $gp points at (MIPS Linux).
      machine.cpu.setGpr(28, evaluateTyped('&ti', ctx).value!);
      assert.equal(scalar(evaluateTyped('current->pid', ctx), ctx), 42n);
      assert.equal(formatTyped(evaluateTyped('(*current).comm', ctx), ctx), '"sh"');
      // A register cast to a struct pointer.
      machine.cpu.setGpr(4, evaluateTyped('&init', ctx).value!);
      assert.equal(formatTyped(evaluateTyped('((struct task *)$a0)->comm', ctx), ctx), '"swapper"');
      assert.equal(scalar(evaluateTyped('((struct task *)$a0)->parent->parent->prio', ctx), ctx), 120n);

      // Not typed: the plain evaluator's business. Errors say what is wrong.
      assert.throws(() => evaluateTyped('$a0 + 4', ctx), NotTyped);
      assert.throws(() => evaluateTyped('nosuchname', ctx), NotTyped);
      assert.throws(() => evaluateTyped('init.nosuch', ctx), /struct task has no member 'nosuch'/);
      assert.throws(() => evaluateTyped('(struct nosuch *)$a0', ctx), /unknown type 'struct nosuch'/);
      assert.throws(() => evaluateTyped('*init.pid', ctx), /cannot dereference a pid_t/);
      assert.match(formatTyped(evaluateTyped('((struct task *)0x10)->pid', ctx), ctx), /^<cannot read 0x0000000000000018/);
    } finally { tmp.remove(); }
  });
}

/** Byte builder (little-endian). */
const bytes = (...parts: Array<number | string | number[]>): number[] =>
  parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p), 0] : Array.isArray(p) ? p : [p]));
const u32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];

test('corrupt type information: a typedef referring to itself is a clear error, the rest still works', () => {
  // abbrev 1: compile_unit (children); 2: typedef name/string type/ref4; 3: variable name/string type/ref4 location/exprloc; 4: base_type.
  const abbrev = new Uint8Array(bytes(
    1, 0x11, 1, 0, 0,
    2, 0x16, 0, 0x03, 0x08, 0x49, 0x13, 0, 0,
    3, 0x34, 0, 0x03, 0x08, 0x49, 0x13, 0x02, 0x18, 0, 0,
    4, 0x24, 0, 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b, 0, 0,
    0,
  ));
  // Unit header (DWARF 4): length, version, abbrev offset, address size; DIEs from offset 11.
  const dies: number[] = [];
  const at = (): number => 11 + dies.length;
  dies.push(1);
  const loop = at(); dies.push(...bytes(2, 'loop'), ...u32(0)); // patched below: refers to itself
  dies.splice(dies.length - 4, 4, ...u32(loop));
  const int = at(); dies.push(...bytes(4, 'int'), 4, 5);
  dies.push(...bytes(3, 'bad'), ...u32(loop), 9, 0x03, ...[0x00, 0x10, 0x10, 0x80, 0xff, 0xff, 0xff, 0xff]);
  dies.push(...bytes(3, 'good'), ...u32(int), 9, 0x03, ...[0x04, 0x10, 0x10, 0x80, 0xff, 0xff, 0xff, 0xff]);
  dies.push(0);
  const body = [4, 0, ...u32(0), 8, ...dies];
  const info = new Uint8Array([...u32(body.length), ...body]);
  const types = new DwarfTypes({ info, abbrev, little: true });
  const files = new TypeFiles();
  files.add('x', types);
  const { machine } = createDemoMachine({ memoryMiB: 16 });
  const dbg = new MachineDebugger(machine);
  const ctx = { ...dbg.ctx, types: files };
  assert.throws(() => evaluateTyped('bad', ctx), /cyclic type reference|chain longer than 64/);
  const good = evaluateTyped('good', ctx);
  assert.equal(good.addr, 0xffffffff80101004n);
  assert.equal(typeName(good.type), 'int');
  // Truncated information: a clear DwarfError, never a RangeError.
  assert.throws(() => new DwarfTypes({ info: info.subarray(0, 20), abbrev, little: true }), /\.debug_info/);
  const cut = new DwarfTypes({ info: new Uint8Array([...u32(body.length - 6), ...body.slice(0, -6)]), abbrev, little: true });
  assert.throws(() => cut.variable('good'), /\.debug_info at offset/);
});
