// Kernel symbols from an ELF followed through KASLR, without booting Linux: the rebasing
// primitives (DebugSymbols, LineTable, Unwinder: move a source's tables, set them aside,
// bring them back) and KernelRelocation on a tiny "relocatable kernel" for the demo board
// whose relocate_kernel copies start_kernel elsewhere and returns the copy in v0, as
// Linux's does. The symbol file is an ELF with a hand-made .debug_line and .debug_frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { MachineDebugger } from '../../src/emulator/debug/debugger';
import { loadDebugInfo } from '../../src/emulator/debug/debug-info';
import { KernelRelocation, kernelBanner, kernelLinkSymbols } from '../../src/emulator/debug/kernel-relocation';
import type { KernelSymbolsInfo } from '../../src/emulator/debug/kernel-symbols';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import { parseElf } from '../../src/emulator/loader/elf';
import { debugFrame, fakeVmlinux, lineProgram } from '../support/fake-vmlinux';
import { runToStop } from './demo-machine';

const ORIGIN = 0xffffffff80100000n;
const SK = 0xffffffff80345678n & ~3n;
const FILE = '/src/init/main.c';
const ROWS = [{ offset: 0, line: 10 }, { offset: 4, line: 11 }, { offset: 8, line: 12 }];

/** A symbol file: _text, start_kernel (+ 16 bytes), relocate_kernel, with lines and CFI for start_kernel. */
function symbolFile(sk = SK): Uint8Array {
  return fakeVmlinux([
    { name: 'start_kernel', addr: sk, type: 'T' }, { name: 'relocate_kernel', addr: sk + 0x100n, type: 'T' },
    { name: 'panic', addr: sk + 0x200n, type: 'T' },
  ], ORIGIN, { debugLine: lineProgram('/src/init', 'main.c', sk, ROWS, 16), debugFrame: debugFrame(sk, 16n, 32) });
}

function loaded(source = 'vmlinux', bytes = symbolFile()): MachineDebugger {
  const dbg = new MachineDebugger(createDemoMachine({ memoryMiB: 16 }).machine);
  dbg.symbols.addElf(bytes, 0n, source);
  loadDebugInfo(dbg.lines, dbg.unwinder, parseElf(bytes), 0n, source);
  return dbg;
}

test('DebugSymbols.rebase moves one source\'s symbols, sets them aside and brings them back', () => {
  const dbg = loaded();
  dbg.symbols.addElf(symbolFile(SK + 0x1000n), 0xc0000000n, 'module');
  const off = 0x2a40000n;
  assert.equal(dbg.symbols.rebase('vmlinux', off), 4, '_text and three functions');
  assert.equal(dbg.symbols.byName('start_kernel'), SK + off);
  assert.equal(dbg.symbols.describe(SK + off + 8n), 'start_kernel+0x8');
  assert.equal(dbg.symbols.lookup(SK + 8n)?.source, undefined, 'nothing left at the link address');
  assert.equal(dbg.symbols.lookup(SK + 0x1000n + 0xc0000000n)?.source, 'module', 'the module stays where it was loaded');
  dbg.symbols.rebase('vmlinux', undefined);
  assert.equal(dbg.symbols.byName('panic'), BigInt.asUintN(64, SK + 0x1000n + 0xc0000000n + 0x200n), 'only the module\'s panic is left');
  assert.deepEqual(dbg.symbols.complete('start_'), ['start_kernel'], 'the module\'s');
  dbg.symbols.rebase('vmlinux', 0n);
  assert.equal(dbg.symbols.byName('start_kernel'), SK);
});

test('LineTable.rebase moves one source\'s rows (lookups, statement starts, line resolution), sets them aside, remove() forgets them', () => {
  const dbg = loaded();
  const l = dbg.lines;
  l.add(ORIGIN, '/demo.s', 1); // another source's row stays put
  assert.equal(l.lookup(SK + 4n)?.line, 11);
  const off = 0x10000n;
  assert.equal(l.rebase('vmlinux', off), 3);
  assert.equal(l.lookup(SK + 4n), undefined);
  assert.deepEqual(l.lookup(SK + off + 4n), { addr: SK + off + 4n, end: SK + off + 8n, file: FILE, line: 11, column: 0, stmt: true });
  assert.equal(l.isStatementStart(SK + off + 8n), true);
  assert.equal(l.isStatementStart(SK + 8n), false);
  assert.deepEqual(l.resolve(FILE, 12), { line: 12, addrs: [SK + off + 8n] });
  // Moving again is relative to where they are now.
  l.rebase('vmlinux', 0x20000n);
  assert.deepEqual(l.resolve(FILE, 10), { line: 10, addrs: [SK + 0x20000n] });
  l.rebase('vmlinux', undefined);
  assert.equal(l.lookup(SK + 0x20000n), undefined);
  assert.equal(l.resolve(FILE, 10), undefined);
  assert.deepEqual(l.files(), ['/demo.s']);
  l.rebase('vmlinux', off);
  assert.deepEqual(l.resolve(FILE, 10), { line: 10, addrs: [SK + off] });
  assert.equal(l.remove('vmlinux'), 3);
  assert.deepEqual(l.files(), ['/demo.s']);
  assert.equal(l.lookup(ORIGIN)?.line, 1);
});

test('Unwinder.rebase moves one source\'s CFI (FDE lookup and function start), sets it aside', () => {
  const dbg = loaded();
  const off = 0x4000n;
  assert.ok(dbg.unwinder.rulesAt(SK + 8n));
  assert.equal(dbg.unwinder.rebase('vmlinux', off), 1);
  assert.equal(dbg.unwinder.rulesAt(SK + 8n), undefined);
  const r = dbg.unwinder.rulesAt(SK + off + 8n)!;
  assert.equal(r.offset, off);
  assert.equal(r.rules.fde.pcBegin, SK, 'FDE addresses stay link-time; the table offset moves them');
  assert.equal(r.rules.cfa.kind === 'reg' && r.rules.cfa.offset, 32n);
  dbg.unwinder.rebase('vmlinux', undefined);
  assert.equal(dbg.unwinder.rulesAt(SK + off + 8n), undefined);
});

test('kernelLinkSymbols: a kernel symbol file is one with start_kernel and _text in kseg0; a module is not', () => {
  const k = kernelLinkSymbols(loaded().symbols.tablesOf('vmlinux')[0]!);
  assert.deepEqual(k, { startKernel: SK, relocateKernel: SK + 0x100n });
  const mod = fakeVmlinux([{ name: 'start_kernel', addr: 0xffffffffc0001000n, type: 'T' }], 0xffffffffc0000000n, {});
  assert.equal(kernelLinkSymbols(loaded('m', mod).symbols.tablesOf('m')[0]!), undefined);
});

/**
 * A relocatable "kernel" at ORIGIN: kernel_entry calls relocate_kernel, which copies
 * start_kernel..start_kernel_end to start_kernel + OFF and returns the copy in v0; then it
 * jumps there (start_kernel spins).
 */
function relocatingKernel(off: number, banner?: string): { elf: Uint8Array; sk: bigint; rk: bigint } {
  const src = `
	.set noreorder
	.text
	.globl kernel_entry
kernel_entry:
	jal relocate_kernel
	nop
	jr $v0
	nop
relocate_kernel:
	dla $t0, start_kernel
	dla $t1, start_kernel_end
	li $t2, ${off}
	daddu $t3, $t0, $t2
copy:
	lw $t8, 0($t0)
	sw $t8, 0($t3)
	daddiu $t0, $t0, 4
	bne $t0, $t1, copy
	daddiu $t3, $t3, 4
	dla $v0, start_kernel
	jr $ra
	daddu $v0, $v0, $t2
	.align 4
start_kernel:
	ori $s1, $zero, 1
	ori $s2, $zero, 2
	ori $s3, $zero, 3
spin:
	b spin
	nop
${banner !== undefined ? `linux_banner:\n\t.asciz "${banner}"\n\t.align 2\n` : ''}start_kernel_end:
	nop
`;
  const r = assemble(src, { origin: ORIGIN });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const elf = assemblyToElf(r);
  const syms = parseElf(elf).symbols;
  const at = (n: string): bigint => BigInt.asUintN(64, syms.find((s) => s.name === n)!.value);
  return { elf, sk: at('start_kernel'), rk: at('relocate_kernel') };
}

for (const off of [0x40000, 0]) {
  test(`KernelRelocation: symbols, lines and CFI set aside until relocate_kernel returns, then moved by ${off ? `the offset 0x${off.toString(16)}` : '0 (not relocated)'}`, () => {
    const k = relocatingKernel(off);
    const { machine, board } = createDemoMachine({ memoryMiB: 16 });
    board.boot(k.elf);
    const dbg = new MachineDebugger(machine);
    const file = fakeVmlinux([{ name: 'start_kernel', addr: k.sk, type: 'T' }, { name: 'relocate_kernel', addr: k.rk, type: 'T' }],
      ORIGIN, { debugLine: lineProgram('/src/init', 'main.c', k.sk, ROWS, 16), debugFrame: debugFrame(k.sk, 16n, 32) });
    dbg.symbols.addElf(file, 0n, 'vmlinux');
    loadDebugInfo(dbg.lines, dbg.unwinder, parseElf(file), 0n, 'vmlinux');
    const link = kernelLinkSymbols(dbg.symbols.tablesOf('vmlinux')[0]!)!;
    const ready: KernelSymbolsInfo[] = [];
    const errors: string[] = [];
    const rel = new KernelRelocation(dbg, ['vmlinux'], { startKernel: link.startKernel, relocateKernel: link.relocateKernel! },
      { onReady: (i) => ready.push(i), onError: (m) => errors.push(m) });
    assert.equal(rel.pending, true);
    assert.equal(dbg.symbols.byName('start_kernel'), undefined, 'set aside before relocation');
    assert.deepEqual(dbg.lines.files(), []);
    assert.match(dbg.symbolsPending ?? '', /relocated itself/);

    const moved = BigInt.asUintN(64, k.sk + BigInt(off));
    dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: moved + 8n }]);
    dbg.resume(false);
    const st = runToStop(dbg, 1_000_000);
    assert.equal(st.kind, 'stopped');
    assert.equal(BigInt.asUintN(64, machine.cpu.pc), moved + 8n);
    assert.deepEqual(errors, []);
    assert.equal(ready.length, 1);
    assert.equal(ready[0]!.offset, BigInt(off));
    assert.match(ready[0]!.text, new RegExp(`vmlinux \\(3 symbols, 3 line rows, 1 CFI entries\\); KASLR offset 0x${off.toString(16)}`));
    assert.equal(rel.pending, false);
    assert.equal(dbg.symbolsPending, undefined);
    assert.equal(dbg.symbols.describe(moved + 8n), 'start_kernel+0x8');
    assert.deepEqual(dbg.lines.resolve(FILE, 11), { line: 11, addrs: [moved + 4n] });
    assert.equal(dbg.lines.lookup(machine.cpu.pc)?.line, 12);
    const top = dbg.unwinder.unwind(1)[0]!;
    assert.equal(top.funcStart, moved);
    assert.equal(top.unwoundBy, 'cfi');
  });
}

test('a run loop driving machine.run() itself (the CLI with no session attached) passes internal breakpoints with passStop(): relocation still followed', () => {
  const off = 0x40000;
  const k = relocatingKernel(off);
  const { machine, board } = createDemoMachine({ memoryMiB: 16 });
  board.boot(k.elf);
  const dbg = new MachineDebugger(machine);
  const file = fakeVmlinux([{ name: 'start_kernel', addr: k.sk, type: 'T' }, { name: 'relocate_kernel', addr: k.rk, type: 'T' }], ORIGIN, {});
  dbg.symbols.addElf(file, 0n, 'vmlinux');
  const ready: KernelSymbolsInfo[] = [];
  new KernelRelocation(dbg, ['vmlinux'], { startKernel: k.sk, relocateKernel: k.rk }, { onReady: (i) => ready.push(i), onError: (m) => assert.fail(m) });
  // Without passStop the engines stop at the internal breakpoint again and again.
  const first = machine.run(100_000);
  assert.equal(first.reason, 'stop');
  assert.equal(BigInt.asUintN(64, machine.cpu.pc), k.rk);
  assert.equal(machine.run(100_000).executed, 0, 'stuck there');
  dbg.passStop();
  let stops = 1;
  for (let i = 0; i < 100 && ready.length === 0; i++) {
    const r = machine.run(1000);
    if (r.reason === 'stop') { stops++; dbg.passStop(); }
  }
  assert.equal(ready.length, 1);
  assert.equal(ready[0]!.offset, BigInt(off));
  assert.equal(stops, 2, 'relocate_kernel, then its return address');
  for (let i = 0; i < 10; i++) assert.notEqual(machine.run(1000).reason, 'stop');
  const pc = BigInt.asUintN(64, machine.cpu.pc);
  assert.ok(pc >= k.sk + BigInt(off) && pc < k.sk + BigInt(off) + 20n, `spinning in the copy (pc 0x${pc.toString(16)})`);
  assert.equal(dbg.symbols.describe(pc), `start_kernel+0x${(pc - k.sk - BigInt(off)).toString(16)}`);
});

test('KernelRelocation refuses a symbol file of another build: its linux_banner differs from the running kernel\'s', () => {
  const BANNER = 'Linux version 6.1.0-50-5kc-malta (gcc 12) #1 SMP Debian 6.1.1';
  for (const file of [BANNER, BANNER.replace('-50-', '-49-')]) {
    const off = 0x40000;
    const k = relocatingKernel(off, BANNER);
    const elf = parseElf(k.elf);
    const { machine, board } = createDemoMachine({ memoryMiB: 16 });
    board.boot(k.elf);
    const dbg = new MachineDebugger(machine);
    dbg.symbols.addElf(k.elf, 0n, 'vmlinux');
    const table = dbg.symbols.tablesOf('vmlinux')[0]!;
    const found = kernelBanner(elf, table)!;
    assert.equal(found.text, BANNER, 'the banner read from the ELF');
    const ready: KernelSymbolsInfo[] = [];
    const errors: string[] = [];
    new KernelRelocation(dbg, ['vmlinux'], { startKernel: k.sk, relocateKernel: k.rk, banner: { addr: found.addr, text: file } },
      { onReady: (i) => ready.push(i), onError: (m) => errors.push(m) });
    const moved = BigInt.asUintN(64, k.sk + BigInt(off));
    dbg.setCodeBreakpoints('instruction', [{ id: 1, addr: moved + 8n }]);
    dbg.resume(false);
    assert.equal(runToStop(dbg, 1_000_000).kind, 'stopped', 'the session goes on either way');
    if (file === BANNER) {
      assert.deepEqual(errors, []);
      assert.equal(ready.length, 1);
      assert.equal(dbg.symbols.describe(moved + 8n), 'start_kernel+0x8');
    } else {
      assert.equal(ready.length, 0);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /vmlinux is not the running kernel's build \(its banner "Linux version 6\.1\.0-49-5kc-malta .*", the guest's "Linux version 6\.1\.0-50-5kc-malta .*"\): its symbols, lines and CFI are not used/);
      assert.match(errors[0]!, /Fetch Kernel Debug Symbols/);
      assert.equal(dbg.symbols.byName('start_kernel'), undefined, 'set aside, not placed at the wrong addresses');
      assert.equal(dbg.symbolsPending, undefined);
    }
  }
});
