// gdb-multiarch against `mips64 boot --gdb 0 -S` on the demo guest (the real CLI bundle),
// with the demo's ELF for symbols. Oracles: the ELF's entry and symbols (nm), its code
// (objdump), and the guest's own behaviour (its banner string passed to puts, its timer
// tick counter). Covered: the hold before the first instruction, break/continue, stepi,
// x/8i and x/8xw, registers, a watchpoint on a variable hit twice at the instruction after
// the store (as on hardware), monitor commands, Ctrl-C, detach (the guest runs on in the
// CLI) and a second client on the same port, then the guest quits through its console.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, LE, tool, missingTools } from '../cli/support.js';
import { BootProc, GDB, printed, runGdb } from './support.js';

const ELF = join(ROOT, 'dist', 'guests', 'demo.elf');
const skip = missingTools(GDB, `${LE}-objdump`, `${LE}-nm`);
const procs: BootProc[] = [];
after(() => { for (const p of procs) p.kill(); });

function symbols(): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const line of tool(`${LE}-nm`, [ELF]).stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 3) m.set(f[2]!, BigInt(`0x${f[0]}`));
  }
  return m;
}

/** objdump's instruction words and mnemonics by address. */
function code(): Map<bigint, { word: number; text: string }> {
  const m = new Map<bigint, { word: number; text: string }>();
  for (const line of tool(`${LE}-objdump`, ['-d', ELF]).stdout.split('\n')) {
    const r = /^\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$/.exec(line);
    if (r) m.set(BigInt(`0x${r[1]}`), { word: parseInt(r[2]!, 16), text: r[3]! });
  }
  return m;
}

test('gdb-multiarch debugs the demo guest through mips64 boot --gdb', { skip, timeout: 240_000 }, async () => {
  const sym = symbols();
  const text = code();
  const boot = await BootProc.start(['-S']);
  procs.push(boot);
  assert.match(boot.stderr, /the guest waits for a debugger/);
  assert.equal(boot.stdout, '', 'held before its first instruction');

  const r = await runGdb(boot.gdbPort, [
    'p/x $pc',
    'break puts', 'continue',
    'p/x $pc', 'p/x $a0', 'p/x &banner',
    'stepi', 'p/x $pc',
    'x/8i $pc', 'x/8xw $pc',
    'info registers',
    'delete',
    'watch *(long*)&ticks', 'continue', 'p/x $pc', 'continue', 'p/x $pc',
    'monitor info tlb', 'monitor info cp0', 'monitor v2p 0x400000', 'info registers tlb',
    'detach',
  ], { file: ELF });
  const out = r.out;
  assert.equal(r.code, 0, out);
  const v = printed(out);
  const [pc0, atPuts, a0, banner, stepped, watch1, watch2] = v;
  const entry = sym.get('start')!;
  assert.equal(pc0, entry, 'stopped at the entry point');
  assert.match(out, /Breakpoint 1, 0x[0-9a-f]+ in puts \(\)/);
  assert.equal(atPuts, sym.get('puts'));
  assert.equal(a0, banner, 'the first puts prints the banner');
  assert.equal(banner, sym.get('banner'));
  assert.equal(stepped, atPuts! + 4n);

  // x/8i and x/8xw read the code through the stub: objdump's words and mnemonics.
  const xi = [...out.matchAll(/^(?:=>)?\s+0x([0-9a-f]+) <puts\+\d+>:\t(\S+)/gm)].map((m) => ({ addr: BigInt(`0x${m[1]}`), op: m[2]! }));
  assert.equal(xi.length, 8, out);
  for (const [i, ins] of xi.entries()) {
    assert.equal(ins.addr, stepped! + BigInt(i * 4));
    assert.equal(ins.op, text.get(ins.addr)!.text.split(/\s+/)[0], `instruction at 0x${ins.addr.toString(16)}`);
  }
  const words = [...out.matchAll(/^0x[0-9a-f]+ <puts\+\d+>:((?:\t0x[0-9a-f]{8})+)$/gm)].flatMap((m) => m[1]!.trim().split('\t').map((w) => parseInt(w, 16)));
  assert.deepEqual(words, [...Array(8).keys()].map((i) => text.get(stepped! + BigInt(i * 4))!.word));

  // info registers: gdb's MIPS layout, 64-bit, with the PC where we are.
  assert.match(out, /^\s*zero\s+at\s+v0\s+v1/m);
  assert.match(out, new RegExp(`cause\\s+pc\\s*\\n\\s*[0-9a-f]{16} 0*${stepped!.toString(16)}\\b`), 'info registers shows the PC');

  // The watchpoint: the timer interrupt's store to ticks, reported at the next instruction.
  assert.match(out, /Hardware watchpoint 2: \*\(long\*\)&ticks\s+Old value = 0\s+New value = 1/);
  assert.match(out, /Old value = 1\s+New value = 2/);
  assert.equal(watch1, watch2, 'both hits stop at the same place');
  const before = text.get(watch1! - 4n)!.text;
  assert.match(before, /^sd\s/, `the instruction before the stop (${before}) is the store`);

  // monitor commands: the demo's TLB refill entry for 0x00400000, CP0, translation.
  assert.match(out, /0x0000000000400000 G\s+4 KiB/);
  assert.match(out, /1 valid of \d+ entries/);
  assert.match(out, /^tlb\d+_entryhi:?\s+0x400000\b/m, 'the TLB entries as registers (mips64studio.tlb)');
  assert.match(out, /Status\s+\(12,0\)\s+0x/);
  assert.match(out, /0x0000000000400000 → phys 0x103000 \(TLB\[\d+\], RAM\)/);
  assert.match(out, /Inferior 1 \(Remote target\) detached/);

  // Detached: the guest runs on in the CLI (its prompt appears), the port serves again.
  await boot.waitFor(() => boot.stdout.includes('timer running'));
  // (gdb's stdout is a pipe, buffered: its remote log on stderr says when it has resumed.)
  const again = await runGdb(boot.gdbPort, ['set debug remote 1', 'continue'], { file: ELF, interruptWhen: /Sending packet: \$vCont;c/ });
  assert.match(again.out, /Program received signal SIGINT, Interrupt\./, again.out);
  await boot.waitFor(() => /gdb disconnected[^]*gdb disconnected/.test(boot.stderr));

  // The guest still answers its console, and quits with its own exit code.
  const mark = boot.stdout.length;
  boot.child.stdin.write('t');
  await boot.waitFor(() => boot.stdout.indexOf('timer ticks', mark) >= 0);
  boot.child.stdin.write('q');
  assert.equal(await boot.exited, 0, boot.stderr);
});
