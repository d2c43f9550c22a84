// Call stacks of Debian's Malta kernel (KASLR, kallsyms only) through the adapter, across
// exceptions: a static user program built here with symbols (gcc -g, in a second initramfs
// archive after the guest's) makes a syscall from main → outer → inner → getppid; at the
// kernel's sys_getppid the stack runs from the syscall entry (handle_sys64's pt_regs) into
// the user program, its frames named from the program's ELF (a "symbols" entry), each a
// return address right after a call of the frame before; no frame twice. A stop on the
// syscall exception itself (the filter, narrowed by an expression) shows the vector by
// name, then the interrupted user code once. User memory the TLB does not map (a stack page
// evicted by a refill on the way: frames were missing now and then) is read through the
// guest's own refill handler: `pt` gives the TLB's physical page wherever the TLB maps it.
//
// Skips (with the reason) without the debian-malta guest or the mips64el cross gcc.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { GuestImage } from '../../src/cli/guest/debian-guests.js';
import { debianMaltaOrSkip } from '../support/guest.js';
import { parseElf } from '../../src/emulator/loader/elf.js';
import { cpioNewc, S_IFREG } from '../support/initramfs.js';
import { LE, missing, run, TempDir } from '../loader/toolchain.js';
import { AdapterHarness } from './support';

const PROMPT = 'mips64:/# ';
const PROGRAM = `#include <unistd.h>
#include <stdio.h>
__attribute__((noinline)) long inner(long x) { return getppid() + x; }
__attribute__((noinline)) long outer(long x) { return inner(x * 2) + 1; }
int main(void) { printf("outer: %ld\\n", outer(20)); return 0; }
`;
/** n64 getppid (Linux arch/mips/kernel/syscalls/syscall_n64.tbl: 108 + 5000). */
const NR_GETPPID = 5108;

const tmp = new TempDir();
const harness = new AdapterHarness([() => tmp.remove()]);
let guest: GuestImage | undefined;
let skip: string | false = missing(`${LE}-gcc`) ?? false;
let program = '';
let initrd = '';

before(async () => {
  if (skip) return;
  const g = await debianMaltaOrSkip();
  if (typeof g === 'string') { skip = g; return; }
  guest = g;
  writeFileSync(join(tmp.path, 'hello.c'), PROGRAM);
  program = join(tmp.path, 'hello');
  run(`${LE}-gcc`, ['-static', '-O1', '-g', '-o', program, join(tmp.path, 'hello.c')]);
  // The guest's initramfs, then a second archive with the program (the kernel unpacks both).
  initrd = join(tmp.path, 'initrd.gz');
  const extra = gzipSync(cpioNewc([{ name: 'bin/hello', mode: S_IFREG | 0o755, data: new Uint8Array(readFileSync(program)) }]));
  writeFileSync(initrd, Buffer.concat([readFileSync(guest.initrd), extra]));
  await harness.start();
});

after(() => harness.stop());

test('kernel → syscall entry → user frames named from the program\'s ELF; a syscall exception stop names its vector; no frame twice', { timeout: 600_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const c = await harness.client();
  await c.launch({
    type: 'mips64', request: 'launch', name: 'unwind', board: 'malta', memory: 256,
    kernel: guest!.kernel, initrd, append: guest!.append, symbols: [{ path: program }],
  });
  await c.waitOutput(PROMPT, 400_000);
  const syms = parseElf(new Uint8Array(readFileSync(program))).symbols;
  const addr = (n: string): bigint => BigInt.asUintN(64, syms.find((s) => s.name === n)!.value);

  const bp = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sys_getppid' }] })).body.breakpoints[0]!;
  assert.equal(bp.verified, true);
  const hit = c.waitStopped(60_000);
  await c.dc.customRequest('mips64/uartInput', { text: 'hello\n' });
  assert.equal((await hit).body.reason, 'function breakpoint');
  const frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const names = frames.map((f) => f.name);
  console.log(`# ${names.join(' <- ')}`);
  // (kallsyms names the entry's code after the label in it; glibc's getppid is __getppid's alias.)
  const fn = (n: string): string => n.replace(/ \[.*\]$/, '').replace(/\+0x[0-9a-f]+$/, '').replace(/^syscall_common$/, 'handle_sys64').replace(/^__getppid$/, 'getppid');
  assert.deepEqual(names.slice(0, 6).map(fn), ['sys_getppid', 'handle_sys64', 'getppid', 'inner', 'outer', 'main']);
  assert.match(names[2]!, /getppid\+0x[0-9a-f]+ \[Sys exception, EPC\]$/, 'the syscall\'s user context, at EPC');
  // Each user caller frame is a return address right after a call (a jal: of the frame before it).
  const pcs = frames.map((f) => BigInt(f.instructionPointerReference!));
  for (const [k, callee] of [[3, 'getppid'], [4, 'inner'], [5, 'outer']] as const) {
    const dis = run(`${LE}-objdump`, ['-d', `--start-address=0x${(pcs[k]! - 8n).toString(16)}`, `--stop-address=0x${(pcs[k]! - 4n).toString(16)}`, program]).stdout;
    const last = dis.trim().split('\n').pop() ?? '';
    const call = /\t(jal|jalr|bal|jalr\.hb)\s+(\S+)/.exec(last);
    assert.ok(call, `frame ${k} returns after a call (objdump: ${last})`);
    if (call[1] === 'jal') assert.equal(`0x${call[2]}`, `0x${addr(callee).toString(16)}`, `frame ${k} returns from a call of ${callee}`);
  }
  const seen = new Set(frames.map((f) => `${f.instructionPointerReference}`));
  assert.equal(seen.size, frames.length, 'no frame twice');
  // User pages read through the guest's own TLB refill handler (pt) where the TLB may not map
  // them: the same physical page as the TLB's wherever it does (v2p).
  const userPcs = pcs.filter((p) => p >> 62n === 0n);
  let same = 0;
  for (const p of userPcs) {
    const a = `0x${p.toString(16)}`;
    const pt = await c.evaluate(`pt ${a}`);
    const walked = / → (phys 0x[0-9a-f]+) \(the guest's TLB refill handler, interpreted\)/.exec(pt)?.[1];
    assert.ok(walked, pt);
    const v2p = await c.evaluate(`v2p ${a}`);
    if (/\(TLB\[\d+\]/.test(v2p)) { assert.equal(/ → (phys 0x[0-9a-f]+) /.exec(v2p)?.[1], walked, `${v2p} / ${pt}`); same++; }
  }
  console.log(`# refill-handler walk = TLB for ${same} of ${userPcs.length} user frames' pages`);
  assert.ok(same > 0);

  // The syscall exception itself (only getppid's number): the vector, named, then the user code once.
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  await c.dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'syscall', condition: `$v0 == ${NR_GETPPID}` }] });
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT, 60_000);
  const exc = c.waitStopped(60_000);
  await c.dc.customRequest('mips64/uartInput', { text: 'hello\n' });
  const e = await exc;
  assert.equal(e.body.reason, 'exception');
  const at = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  console.log(`# ${at.map((f) => f.name).join(' <- ')}`);
  assert.match(at[0]!.name, /^EBASE\+0x180 \(general exception vector\)$/);
  assert.match(at[0]!.source?.name ?? '', /general exception vector/, 'its code, by that name');
  assert.deepEqual(at.slice(1, 5).map((f) => fn(f.name)), ['getppid', 'inner', 'outer', 'main']);
  assert.match(at[1]!.name, /\[Sys exception, EPC\]$/);
  assert.equal(new Set(at.map((f) => f.instructionPointerReference)).size, at.length, 'no frame twice');
  // The user stack at the vector ($sp not switched yet) through the refill handler, as through the TLB.
  const ptSp = await c.evaluate('pt $sp'), v2pSp = await c.evaluate('v2p $sp');
  console.log(`# ${ptSp} / ${v2pSp}`);
  const spPhys = / → (phys 0x[0-9a-f]+) \(the guest's TLB refill handler/.exec(ptSp)?.[1];
  assert.ok(spPhys, ptSp);
  assert.equal(/ → (phys 0x[0-9a-f]+) /.exec(v2pSp)?.[1], spPhys);
});
