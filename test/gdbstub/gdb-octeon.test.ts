// gdb-multiarch on Debian's octeon kernel through `mips64 boot debian-octeon --gdb 0` (one
// boot; the package's vmlinux, an ELF with its symbol table, as gdb's symbol file: gdb moves
// it by the KASLR offset qOffsets gives). Oracles: the guest's own /proc/kallsyms (the
// relocated addresses of _stext and the openat syscall entry), the ELF's link addresses, and
// the board's own tables. At the shell: a breakpoint set by function name on the openat
// syscall entry is hit by a command typed into the CLI at its relocated address; bt names
// the callers from the symbol file; the target description is Octeon's (mips:octeon2 with
// the Cavium CP0 registers: CvmMemCtl as the kernel set it up, CVMSEG one line for the
// kernel; CvmCtl's feature bits); gdb's TLB registers read EntryLo as tlbr does, RI/XI at bits 63/62, the same
// bits `monitor info tlb` shows in its RI/XI columns; detach lets the guest run on.
//
// Skips (with the reason) when the debian-octeon guest cannot be fetched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEBIAN_OCTEON, fetchDebianGuest, GuestImage, USERSPACE_MARKER } from '../../src/cli/guest/debian-guests.js';
import { parseElf } from '../../src/emulator/loader/elf.js';
import { missingTools } from '../cli/support.js';
import { BootProc, GDB, guestKallsyms, printed, runGdb } from './support.js';

const OPENAT = '__se_sys_openat';
let skip: string | false | undefined = missingTools(GDB);
let guest: GuestImage | undefined;
let boot: BootProc | undefined;

before(async () => {
  if (skip) return;
  try {
    guest = await fetchDebianGuest(DEBIAN_OCTEON, { log: (m) => console.log(`# guest: ${m}`) });
  } catch (e) {
    skip = `the debian-octeon guest cannot be fetched: ${(e as Error).message}`;
  }
});

after(() => boot?.kill());

test('gdb-multiarch on the Octeon kernel: symbols moved by KASLR, break by name on openat, bt, Cavium CP0 and TLB RI/XI, detach', { timeout: 1_200_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const elf = parseElf(new Uint8Array(readFileSync(guest!.kernel)));
  const link = (name: string): bigint => elf.findSymbol(name)!.value;
  const b = boot = await BootProc.start(['debian-octeon']);
  await b.waitFor(() => b.stdout.includes(USERSPACE_MARKER), 900_000);

  // The oracle: the guest's own kallsyms.
  const k = await guestKallsyms(b, OPENAT);
  const sym = { stext: k.stext, openat: k.fn };
  const offset = sym.stext - link('_stext');
  assert.notEqual(offset, 0n, 'KASLR moved the kernel');
  assert.equal(sym.openat - link(OPENAT), offset);
  const hex = (a: bigint): string => `0x${a.toString(16)}`;

  let typed = false;
  const r = await runGdb(b.gdbPort, [
    'maint packet qOffsets',
    `break ${OPENAT}`,
    'set debug remote 1', 'continue', 'set debug remote 0',
    'p/x $pc', 'bt 3',
    'show architecture',
    'p/x $cvmmemctl', 'p/x $cvmctl', 'p/x $cvmcount',
    'monitor info tlb',
    'info registers tlb',
    'delete',
    'detach',
  ], {
    file: guest!.kernel,
    // Once gdb has resumed the guest: a command that opens a file.
    onOutput: (out) => {
      if (!typed && /Sending packet: \$vCont;c/.test(out)) { typed = true; b.child.stdin.write('cat /proc/version\n'); }
    },
  });
  const out = r.out;
  assert.equal(r.code, 0, out.slice(-3000));

  const off = /received: "Text=([0-9a-f]+);Data=\1;Bss=\1"/.exec(out);
  assert.ok(off, `qOffsets: ${out.slice(0, 2000)}`);
  assert.equal(BigInt(`0x${off[1]}`), BigInt.asUintN(64, offset), 'qOffsets: the KASLR offset the guest\'s _stext shows');

  // The breakpoint by name, at the relocated address; bt names callers from the symbol file.
  assert.match(out, /^Breakpoint 1, /m);
  const [pc, memctl, cvmctl, cvmcount] = printed(out);
  // (gdb puts a breakpoint by name after the function's prologue, as it reads it.)
  assert.ok(pc! >= sym.openat && pc! < sym.openat + 64n, `stopped in ${OPENAT} (${hex(sym.openat)}): ${hex(pc!)}\n${out.slice(-4000)}`);
  assert.match(out, new RegExp(`^Breakpoint 1 at ${hex(pc!)}`, 'm'), 'where gdb put the breakpoint');
  // (sys_openat is the same address: the SYSCALL_DEFINE alias gdb names it by.)
  assert.match(out, new RegExp(`^#0\\s+${hex(pc!)} in (__se_)?sys_openat \\(`, 'm'), `bt starts at the breakpoint, named\n${out.slice(0, 6000)}`);
  assert.match(out, /^#1\s+0x[0-9a-f]+ in handle_sys64 \(/m, 'its caller, the syscall entry, is named');

  // Octeon's target description and Cavium CP0 registers.
  // The stub says mips:octeon2 (the CPU); gdb keeps the symbol file's mips:octeon (Debian
  // builds the kernel for the first Octeon), with a warning that the two differ.
  assert.match(out, /The target architecture is set to "auto" \(currently "mips:octeon2?"\)/);
  assert.equal(memctl! & 0x3fn, 1n, 'CvmMemCtl.LMEMSZ: one CVMSEG line, as the kernel sets it');
  assert.equal((memctl! >> 8n) & 1n, 1n, 'CvmMemCtl.CVMSEGENAK');
  assert.equal(cvmctl! & ((1n << 28n) | (1n << 26n)), (1n << 28n) | (1n << 26n), 'CvmCtl: no DFA, no crypto');
  assert.ok(cvmcount! > 100_000_000n, `CvmCount ${cvmcount}`);

  // gdb's TLB registers and the monitor's table agree on RI/XI; some user page is execute-inhibited.
  const regs = new Map([...out.matchAll(/^(tlb\d+_\w+):?\s+(0x[0-9a-f]+)/gm)].map((m) => [m[1]!, BigInt(m[2]!)]));
  assert.equal(regs.size, 128 * 4, 'every entry of the 128-entry TLB');
  const rows = [...out.matchAll(/^\s*(\d+)\s+0x[0-9a-f]{16} (?:G   |0x[0-9a-f]{2})\s+\d+ [KM]iB\s+(?:0x([0-9a-f]{7}) \d \d \d {2}([01]) {2}([01])|-)\s+(?:0x([0-9a-f]{7}) \d \d \d {2}([01]) {2}([01])|-)/gm)];
  assert.ok(rows.length > 0, out.slice(-6000));
  let xi = 0;
  for (const m of rows) {
    const i = m[1]!;
    for (const [k, pfn, ri, x] of [[0, m[2], m[3], m[4]], [1, m[5], m[6], m[7]]] as const) {
      if (pfn === undefined) continue;
      const lo = regs.get(`tlb${i}_entrylo${k}`)!;
      assert.equal((lo >> 6n) & 0x3fffffffn, BigInt(`0x${pfn}`), `tlb${i}_entrylo${k} PFN`);
      assert.equal(`${lo >> 63n} ${(lo >> 62n) & 1n}`, `${ri} ${x}`, `tlb${i}_entrylo${k} RI XI`);
      if (x === '1') xi++;
    }
  }
  assert.ok(xi > 0, 'an execute-inhibited page');
  assert.match(out, /Inferior 1 \(Remote target\) detached/);

  // The guest runs on.
  const mark = b.stdout.length;
  b.child.stdin.write('echo hi-$((6*7))\n');
  await b.waitFor(() => b.stdout.indexOf('hi-42', mark) >= 0, 120_000);
});
