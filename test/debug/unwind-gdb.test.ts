// Our unwinder against gdb-multiarch on Debian's Malta kernel. gdb unwinds with the -dbg
// vmlinux's DWARF (CFI, inline frames) on QEMU's gdbstub; we unwind without DWARF — the
// vmlinux's symbol table and code only (prologue analysis, $ra for leaves, the saved
// pt_regs of exception entries) — on our own machine booted the same way (`nokaslr`). At
// the same stops, hit by the same commands typed at the shell:
//   - the kernel frames equal gdb's physical frames (gdb's inline frames share the pc of the
//     frame they are inlined into, whose function is the one the symbol table names):
//     function and pc for a stop a command reaches the same way on both machines, the
//     functions for the idle task (whose loop's call site depends on timing);
//   - where gdb's kernel frames end (a syscall or interrupt entry: gdb has no frame
//     after it), our next frame is the exception's interrupted context, at the cp0_epc of
//     the pt_regs Linux defines for it (task_pt_regs(current) for a syscall, the s1 that
//     handle_int keeps for an interrupt) — read on our machine, and for a syscall the same
//     user pc as in QEMU; the interrupted kernel context of an interrupt has gdb's frames
//     (gdb run again with the registers set from its pt_regs);
//   - with the kernel's kallsyms only (no vmlinux), the same pcs — up to the first frame in
//     .init.text, whose code the running kernel has freed (only the vmlinux has it).
//
// Needs qemu-system-mips64el, gdb-multiarch and the -dbg vmlinux (about 660 MB from
// Debian): it runs when `mips64 guest fetch-symbols debian-malta` has cached it, or fetches
// it with MIPS64_KERNEL_SYMBOLS_TESTS=1; skips with the reason otherwise.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fetchDebianMalta, GuestImage } from '../../src/cli/guest/debian-guests.js';
import { kernelDebugSymbolsOrSkip } from '../support/guest.js';
import { createMaltaMachine } from '../../src/emulator/boards/malta.js';
import { MachineDebugger } from '../../src/emulator/debug/debugger.js';
import { readLiveKallsyms } from '../../src/emulator/debug/kernel-symbols.js';
import { Frame, frameLabel } from '../../src/emulator/debug/unwind.js';
import { readPtRegs } from '../../src/emulator/debug/exception-frame.js';
import { parseElf } from '../../src/emulator/loader/elf.js';
import { kallsymsEntries } from '../../src/emulator/loader/kallsyms.js';
import { SymbolTable } from '../../src/emulator/loader/symbols.js';
import { GdbCase, gdbMissing, GdbResult, qemuBacktraces } from '../support/kernel-gdb.js';
import { qemuMissing } from '../support/qemu.js';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const hex = (v: bigint): string => `0x${v.toString(16)}`;
/** task_pt_regs(current): the pt_regs at the top of the 16 KiB kernel stack $gp points into (sizeof(struct pt_regs) 304). */
const TASK_PT_REGS = '($gp & ~0x3fff) + 0x4000 - 32 - 304';
const WAIT_IN_R4K_WAIT = '*0xffffffff80103f60'; // __r4k_wait+0x20, after `wait` (nokaslr)

const CASES: GdbCase[] = [
  { id: 'interrupt', at: 'plat_irq_dispatch', ptregs: '$s1' },
  { id: 'version', at: 'version_proc_show', cmd: 'cat /proc/version', ptregs: TASK_PT_REGS },
  { id: 'openat', at: '__se_sys_openat', cmd: 'cat /proc/version', ptregs: TASK_PT_REGS },
  { id: 'idle', at: WAIT_IN_R4K_WAIT },
];

let skip: string | false = qemuMissing(false) ?? gdbMissing() ?? false;
let guest: GuestImage | undefined;
let vmlinux: string | undefined;
let gdb: GdbResult[] = [];

before(async () => {
  if (skip) return;
  try {
    guest = await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
  } catch (e) {
    skip = `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
    return;
  }
  const syms = await kernelDebugSymbolsOrSkip();
  if (typeof syms === 'string') { skip = syms; return; }
  vmlinux = syms.vmlinux;
  gdb = await qemuBacktraces(guest!, vmlinux, CASES);
});

interface Ours {
  readonly id: string;
  readonly frames: Frame[];
  readonly names: string[];
  /** The case's pt_regs on our machine, by the same definition as gdb's. */
  readonly epc?: bigint;
  /** Frames with the kernel's kallsyms only. */
  readonly kallsymsPcs: bigint[];
}

/** Our machine booted like QEMU's, stopped at the same cases. */
function ourBacktraces(file: Uint8Array): Ours[] {
  const { machine, board } = createMaltaMachine({ memoryMiB: 256, append: 'console=ttyS0 nokaslr' });
  board.bootLinux(new Uint8Array(readFileSync(guest!.kernel)), new Uint8Array(readFileSync(guest!.initrd)), 'console=ttyS0 nokaslr');
  const dbg = new MachineDebugger(machine);
  dbg.symbols.addElf(file, 0n, 'vmlinux');
  dbg.unwinder.code.addElf(parseElf(file), 0n, 'vmlinux'); // its code, not its DWARF
  let out = '';
  machine.events.on('uartTx', ({ byte }) => { out += String.fromCharCode(byte); });
  const run = (until?: () => boolean): boolean => {
    dbg.resume();
    for (let n = 0; n < 20_000; n++) {
      const r = dbg.runSlice(1_000_000);
      if (r.kind === 'stopped') return true;
      if (until?.()) return false;
    }
    throw new Error(`no stop; console:\n${out.slice(-800)}`);
  };
  run(() => out.includes('mips64:/# '));
  const results: Ours[] = [];
  for (const c of CASES) {
    const addr = c.at.startsWith('*') ? BigInt(c.at.slice(1)) : dbg.symbols.byName(c.at)!;
    dbg.setCodeBreakpoints('function', [{ id: 1, addr }]);
    if (c.cmd) machine.consoleInput(new TextEncoder().encode(`${c.cmd}\n`));
    assert.ok(run(), `${c.id}: stopped`);
    const frames = dbg.unwinder.unwind(64);
    let epc: bigint | undefined;
    if (c.ptregs === '$s1') epc = readPtRegs(dbg.mem, U64(dbg.cpu.getGpr(17)))?.epc;
    else if (c.ptregs) epc = readPtRegs(dbg.mem, U64((U64(dbg.cpu.getGpr(28)) & ~0x3fffn) + 0x4000n - 32n - 304n))?.epc;
    // The same stop with the kernel's own kallsyms instead of the vmlinux.
    dbg.symbols.rebase('vmlinux', undefined);
    dbg.unwinder.code.rebase('vmlinux', undefined);
    dbg.symbols.add(SymbolTable.fromEntries(kallsymsEntries(readLiveKallsyms(dbg).symbols)), 0n, 'kallsyms');
    const kallsymsPcs = dbg.unwinder.unwind(64).map((f) => f.pc);
    dbg.symbols.remove('kallsyms');
    dbg.symbols.rebase('vmlinux', 0n);
    dbg.unwinder.code.rebase('vmlinux', 0n);
    results.push({ id: c.id, frames, names: frames.map((f) => frameLabel(dbg.symbols, f) ?? hex(f.pc)), epc, kallsymsPcs });
    dbg.setCodeBreakpoints('function', []);
    if (c.cmd) { out = ''; run(() => out.includes('mips64:/# ')); }
  }
  return results;
}

/**
 * gdb's physical frames: inline frames dropped (each shares its pc with the frame it is
 * inlined into), and nothing after an exception entry (gdb's "signal handler" frame: what
 * gdb shows beyond it is not the interrupted context).
 */
function physical(frames: GdbResult['frames']): Array<{ pc: bigint; name: string }> {
  const entry = frames.findIndex((f) => f.type === 4);
  return frames.slice(0, entry < 0 ? frames.length : entry + 1).filter((f) => f.type !== 2 && f.pc !== 0n).map((f) => ({ pc: f.pc, name: f.name ?? hex(f.pc) }));
}

const fn = (label: string): string => label.replace(/\+0x[0-9a-f]+$/, '');

test('backtraces without DWARF equal gdb\'s (DWARF, on QEMU) at the same kernel stops; exception frames lead on to the interrupted context', { timeout: 900_000 }, (t) => {
  if (skip) { t.skip(skip); return; }
  const file = new Uint8Array(readFileSync(vmlinux!));
  const ours = ourBacktraces(file);
  const init = parseElf(file).sections.find((x) => x.name === '.init.text')!;
  const initText = { start: init.addr, end: init.addr + BigInt(init.size) };
  for (const c of CASES) {
    const g = gdb.find((r) => r.id === c.id)!;
    const o = ours.find((r) => r.id === c.id)!;
    const theirs = physical(g.frames);
    console.log(`# ${c.id}: gdb ${theirs.map((f) => f.name).join(' <- ')}`);
    console.log(`# ${c.id}: ours ${o.names.join(' <- ')}`);
    const kernel = o.frames.findIndex((f) => f.kind === 'exception');
    const head = kernel < 0 ? o.frames : o.frames.slice(0, kernel);
    assert.deepEqual(head.map((_, i) => fn(o.names[i]!)), theirs.map((f) => f.name), `${c.id}: the kernel frames' functions`);
    if (c.cmd) assert.deepEqual(head.map((f) => hex(f.pc)), theirs.map((f) => hex(f.pc)), `${c.id}: the kernel frames' pcs`);
    const freed = head.findIndex((f) => f.pc >= initText.start && f.pc < initText.end);
    const upTo = freed < 0 ? head.length : freed + 1;
    assert.deepEqual(o.kallsymsPcs.slice(0, upTo).map(hex), head.slice(0, upTo).map((f) => hex(f.pc)), `${c.id}: the same pcs with kallsyms only`);
    if (!c.ptregs) { assert.equal(kernel, -1, `${c.id}: no exception frame`); assert.equal(head.length, o.frames.length); continue; }
    // gdb's frames end at the entry; ours go on into the interrupted context.
    const exc = o.frames[kernel];
    assert.ok(exc, `${c.id}: an exception frame after ${o.names[kernel - 1]}`);
    assert.equal(hex(exc.pc), hex(o.epc!), `${c.id}: at the saved cp0_epc`);
    if (c.cmd) assert.equal(hex(exc.pc), hex(g.epc!), `${c.id}: the same user pc as in QEMU`);
    if (exc.pc >= 0xffffffff80000000n) {
      const after = physical(g.interrupted!);
      const mine = o.names.slice(kernel).map(fn);
      console.log(`# ${c.id}: interrupted, gdb ${after.map((f) => f.name).join(' <- ')}; ours ${mine.join(' <- ')}`);
      assert.deepEqual(mine, after.map((f) => f.name), `${c.id}: the interrupted kernel context's functions`);
    }
  }
});
