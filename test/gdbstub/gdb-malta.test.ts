// gdb-multiarch on Debian's Malta kernel through `mips64 boot debian-malta --gdb 0` (one
// boot; the stripped vmlinuz, so gdb has no symbol file: addresses come from the guest's
// own /proc/kallsyms, the oracle — text symbols only, this kernel has no KALLSYMS_ALL).
// At the shell: qOffsets gives the KASLR offset the guest's _stext shows (the kernel is
// linked with _stext at 0xffffffff80100400); a breakpoint on the openat syscall entry is
// hit by a command typed into the CLI; bt; x/4i there; a read watchpoint on the kernel
// global the function loads first (its address decoded from gdb's own disassembly: lui +
// ld) stops right after that load; monitor info tlb lists the TLB; detach (the guest runs
// on), then a second gdb attaches and detaches again, and the shell still answers.
//
// Skips (with the reason) when the debian-malta guest cannot be fetched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchDebianMalta, USERSPACE_MARKER } from '../../src/cli/guest/debian-guests.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingTools, tempDir } from '../cli/support.js';
import { BootProc, GDB, guestKallsyms, printed, runGdb } from './support.js';

/** Where Debian's Malta kernel links _stext (before KASLR moves it). */
const LINK_STEXT = 0xffffffff80100400n;
/** gdb Python: finds the first `lui rX,HI` … `ld rY,LO(rX)` at the PC and sets a read watchpoint there. */
const WATCH_KERNEL_GLOBAL = `import gdb, re
dis = gdb.execute('x/24i $pc', to_string=True)
m = re.search(r'lui\\t(\\w+),0x([0-9a-f]+)\\n(?:.*\\n)*?.*\\tld\\t\\w+,(-?\\d+)\\(\\1\\)', dis)
hi = int(m.group(2), 16)
hi = hi - 0x10000 if hi & 0x8000 else hi
addr = ((hi << 16) + int(m.group(3))) & (2**64 - 1)
print('KERNEL-GLOBAL 0x%x' % addr)
gdb.execute('rwatch *(long*)0x%x' % addr)
`;
const OPENAT = '__se_sys_openat';
let skip: string | false | undefined = missingTools(GDB);
let boot: BootProc | undefined;

before(async () => {
  if (skip) return;
  try {
    await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
  } catch (e) {
    skip = `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
  }
});

after(() => boot?.kill());

test('gdb-multiarch on the Malta kernel: KASLR offset, breakpoint on openat, bt, a read watchpoint on kernel data, detach and re-attach', { timeout: 1_200_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const b = boot = await BootProc.start(['debian-malta']);
  await b.waitFor(() => b.stdout.includes(USERSPACE_MARKER), 900_000);

  // The oracle: the guest's own kallsyms.
  const k = await guestKallsyms(b, OPENAT);
  const sym = { stext: k.stext, openat: k.fn };
  const py = join(tempDir('mips64-gdb-malta-'), 'watch-global.py');
  writeFileSync(py, WATCH_KERNEL_GLOBAL);
  const hex = (a: bigint): string => `0x${a.toString(16)}`;

  const mark = b.stdout.length;
  let typed = false;
  const r = await runGdb(b.gdbPort, [
    'maint packet qOffsets',
    `break *${hex(sym.openat)}`,
    'set debug remote 1', 'continue', 'set debug remote 0',
    'p/x $pc', 'bt 1', 'x/4i $pc',
    'delete',
    `source ${py}`, 'continue', 'p/x $pc', 'x/i $pc-4', 'delete',
    'monitor info tlb',
    'detach',
  ], {
    init: ['set mips abi n64'],
    // Once gdb has resumed the guest: a command that opens a file.
    onOutput: (out) => {
      if (!typed && /Sending packet: \$vCont;c/.test(out)) { typed = true; b.child.stdin.write('cat /proc/version\n'); }
    },
  });
  const out = r.out;
  assert.equal(r.code, 0, out);

  const off = /received: "Text=([0-9a-f]+);Data=\1;Bss=\1"/.exec(out);
  assert.ok(off, `qOffsets: ${out.slice(0, 2000)}`);
  assert.equal(BigInt(`0x${off[1]}`), sym.stext - LINK_STEXT, 'the KASLR offset the guest\'s _stext shows');

  assert.match(out, /^Breakpoint 1, /m); // (gdb's remote log on stderr may split the line)
  const [pc, afterLoad] = printed(out);
  assert.equal(pc, sym.openat);
  assert.match(out, new RegExp(`^#0\\s+${hex(sym.openat)} in \\?\\? \\(\\)`, 'm'), 'bt starts at the breakpoint');
  assert.match(out, new RegExp(`^=> ${hex(sym.openat)}:\\t\\S+`, 'm'), 'x/4i disassembles there');

  const global = /KERNEL-GLOBAL (0x[0-9a-f]+)/.exec(out);
  assert.ok(global, `a kernel global loaded by ${OPENAT}: ${out.slice(0, 3000)}`);
  assert.match(out, new RegExp(`Hardware read watchpoint 2: \\*\\(long\\*\\)${global[1]}\\s+Value = -?\\d+`));
  // Stopped right after the load: in the function, and the instruction before the PC is an ld.
  assert.ok(afterLoad! > sym.openat && afterLoad! - sym.openat < 24n * 4n, `stopped in ${OPENAT}: ${hex(afterLoad!)}`);
  assert.match(out, new RegExp(`^\\s*${hex(afterLoad! - 4n)}:\\tld\\t`, 'm'), 'the access was the load');

  assert.match(out, /^\s*\d+\s+0x[0-9a-f]{16} (G|0x[0-9a-f]{2})\s+\d+ [KM]iB/m, 'the kernel\'s TLB entries');
  assert.match(out, /\d+ valid of \d+ entries/);
  assert.match(out, /Inferior 1 \(Remote target\) detached/);
  await b.waitFor(() => b.stdout.indexOf('Linux version', mark) >= 0, 120_000);

  // Re-attach: the guest stops in the kernel for the second gdb, and runs on after it.
  const again = await runGdb(b.gdbPort, ['p/x $pc', 'monitor v2p $pc', 'detach'], { init: ['set mips abi n64'] });
  assert.equal(again.code, 0, again.out);
  const [pc2] = printed(again.out);
  assert.ok(pc2! >= 0xffffffff80000000n, `stopped in the kernel: ${hex(pc2!)}`);
  assert.match(again.out, /→ phys 0x[0-9a-f]+ \(unmapped segment, RAM\)/);
  const mark2 = b.stdout.length;
  b.child.stdin.write('echo hi-$((6*7))\n');
  await b.waitFor(() => b.stdout.indexOf('hi-42', mark2) >= 0, 120_000);
});
