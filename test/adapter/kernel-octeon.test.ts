// Debugging Debian's real octeon kernel on the Octeon board, through the adapter (dist/adapter.js
// over DAP). The kernel is the package's plain vmlinux, an ELF with its own symbol table, and it
// boots with KASLR: a function breakpoint set before the kernel runs waits (unverified) until
// relocate_kernel has returned, then is verified at the relocated address and hit there; the
// guest's /proc/kallsyms agrees (the KASLR oracle); a breakpoint on the openat syscall entry is
// hit by a command typed at the shell and the stack names its callers; the CP0 scope decodes
// the Cavium registers the kernel set up (CVMSEG), an instruction step works in the relocated
// kernel, the TLB scope lists all 128 entries with the shell's per-ASID ones and the RI/XI
// bits Linux enables in PageGrain (the shell's data pages are execute-inhibited); the launch
// passes a device tree blob of the user's ("dtb": the board's own tree with another model
// name), which the guest shows in /proc/device-tree; a checkpoint taken at the shell,
// restored in the session and launched from its file (the tree coming back from the
// checkpoint's record), gets the symbols and the offset back and the breakpoint fires again.
//
// Takes a minute or two. Skips (with the reason) when the debian-octeon guest cannot be fetched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DEBIAN_OCTEON, fetchDebianGuest, GuestImage } from '../../src/cli/guest/debian-guests.js';
import { parseElf } from '../../src/emulator/loader/elf.js';
import { SymbolTable } from '../../src/emulator/loader/symbols.js';
import { createOcteonMachine } from '../../src/emulator/boards/octeon.js';
import { AdapterHarness } from './support';

const PROMPT = 'mips64:/# ';
const OPENAT = '__se_sys_openat';
const LONG = 400_000;

let guest: GuestImage | undefined;
let link: Map<string, bigint> | undefined;
let skip: string | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'octeon-ksyms-'));
const harness = new AdapterHarness([() => rmSync(tmp, { recursive: true, force: true })]);

before(async () => {
  try {
    guest = await fetchDebianGuest(DEBIAN_OCTEON, { log: (m) => console.log(`# guest: ${m}`) });
  } catch (e) {
    skip = `the debian-octeon guest cannot be fetched: ${(e as Error).message}`;
    return;
  }
  const table = SymbolTable.fromElf(parseElf(new Uint8Array(readFileSync(guest.kernel))));
  link = new Map(table.entries.map((s) => [s.name, s.addr]));
  await harness.start();
});

after(() => harness.stop());

/** The board's own device tree with another model name of the same length: a user's tree the guest can tell apart. */
const BOARD_MODEL = 'MIPS64 Studio Octeon II board', USER_MODEL = 'User-supplied device tree 42!';
function userDtb(): string {
  const tree = Buffer.from(createOcteonMachine({ memoryMiB: 256 }).board.deviceTree());
  const at = tree.indexOf(BOARD_MODEL);
  assert.ok(at > 0 && USER_MODEL.length === BOARD_MODEL.length);
  tree.write(USER_MODEL, at);
  const file = join(tmp, 'user.dtb');
  writeFileSync(file, tree);
  return file;
}

const hex = (a: bigint): string => `0x${a.toString(16).padStart(16, '0')}`;

test('Debian octeon vmlinux with KASLR: breakpoints by ELF symbol at the relocated addresses, openat from the shell, checkpoints', { timeout: 900_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const c = await harness.client();
  const changed: DebugProtocol.Breakpoint[] = [];
  c.dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => { if (e.body.reason === 'changed') changed.push(e.body.breakpoint); });

  let pending: DebugProtocol.Breakpoint[] = [];
  await c.launch({
    type: 'mips64', request: 'launch', name: 'debian-octeon', board: 'octeon', memory: 256,
    kernel: guest!.kernel, initrd: guest!.initrd, append: guest!.append, checkpointDir: tmp, dtb: userDtb(),
  }, async () => {
    pending = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'start_kernel' }] })).body.breakpoints;
  });
  assert.match(c.console, /octeon board, Octeon2, jit engine, 256 MiB/);
  assert.equal(pending[0]!.verified, false);
  assert.match(pending[0]!.message ?? '', /relocated itself/, 'the message says when the breakpoint will be set');

  // start_kernel, in the relocated copy.
  const stop = await c.waitStopped(LONG);
  const m = /kernel symbols: .*vmlinux[^\n]*; KASLR offset (-?)0x([0-9a-f]+)/.exec(c.console);
  assert.ok(m, `no relocation message in ${JSON.stringify(c.console.slice(-600))}`);
  console.log(`# ${m[0]}`);
  const offset = BigInt(`0x${m[2]}`) * (m[1] ? -1n : 1n);
  assert.notEqual(offset, 0n, 'KASLR moved the kernel');
  const relocated = (name: string): bigint => BigInt.asUintN(64, link!.get(name)! + offset);
  const sk = relocated('start_kernel');
  assert.equal(stop.body.reason, 'function breakpoint');
  assert.deepEqual(stop.body.hitBreakpointIds, [pending[0]!.id]);
  const ch = changed.filter((b) => b.id === pending[0]!.id).at(-1);
  assert.ok(ch?.verified, 'the breakpoint is verified once the kernel has relocated itself');
  assert.equal(ch.instructionReference, hex(sk));
  const top = await c.top();
  assert.equal(top.name, 'start_kernel');
  assert.equal(top.instructionPointerReference, hex(sk));
  assert.equal(await c.evaluate('panic'), `${hex(relocated('panic'))} <panic>`, 'panic is relocated too');
  const cp0 = await c.scope('CP0');
  const ebase = cp0.find((r) => r.name === 'EBase');
  assert.ok(ebase, cp0.map((r) => r.name).join(', '));
  for (const n of ['CvmCtl', 'CvmCount', 'KScratch1']) assert.ok(cp0.some((r) => r.name === n), `${n} in ${cp0.map((r) => r.name).join(', ')}`);
  // kernel-entry-init.h sizes CVMSEG to CONFIG_CAVIUM_OCTEON_CVMSEG_SIZE (1 line) for the kernel.
  assert.match(cp0.find((r) => r.name === 'CvmMemCtl')?.value ?? '', /\(CVMSEG 128 bytes, kernel\)/);

  // One instruction step in the relocated kernel: the next instruction of start_kernel.
  const stepped = c.waitStopped(60_000);
  await c.dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
  assert.equal((await stepped).body.reason, 'step');
  assert.equal((await c.top()).instructionPointerReference, hex(sk + 4n));

  // On to the shell; the guest's /proc/kallsyms agrees with the debugger.
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT, LONG);
  c.stdout = '';
  await c.dc.customRequest('mips64/uartInput', { text: 'echo 0 > /proc/sys/kernel/kptr_restrict; grep -w start_kernel /proc/kallsyms\n' });
  await c.waitOutput(' T start_kernel', 180_000);
  assert.equal(`0x${/([0-9a-f]{16}) T start_kernel/.exec(c.stdout)![1]!}`, hex(sk), 'the guest\'s start_kernel is where the debugger put it');
  await c.waitOutput(PROMPT, 180_000);
  c.stdout = '';
  await c.dc.customRequest('mips64/uartInput', { text: 'cat /proc/device-tree/model; echo\n' });
  await c.waitOutput(PROMPT, 180_000);
  // (The property ends with its NUL, which cat passes on.)
  assert.match(c.stdout, new RegExp(`\n${USER_MODEL}\\x00?\\r?\n`), 'the kernel read the user\'s device tree');

  // The openat syscall entry, hit by a command typed at the shell; its callers are named.
  const openat = async (id: number, what: string, cl = c): Promise<void> => {
    const ev = cl.waitStopped(120_000);
    await cl.dc.customRequest('mips64/uartInput', { text: 'cat /proc/version\n' });
    const e = await ev;
    assert.equal(e.body.reason, 'function breakpoint', what);
    assert.deepEqual(e.body.hitBreakpointIds, [id], what);
    assert.equal((await cl.top()).instructionPointerReference, hex(relocated(OPENAT)), what);
  };
  const bp = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] })).body.breakpoints[0]!;
  assert.equal(bp.verified, true);
  assert.equal(bp.instructionReference, hex(relocated(OPENAT)));
  await openat(bp.id!, 'openat from the shell');
  const frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  console.log(`# stack at ${OPENAT}: ${frames.map((f) => f.name).join(' <- ')}`);
  assert.ok(frames.length >= 2, 'the syscall entry has callers');
  assert.match(frames[1]!.name, /^[A-Za-z_][\w.]*\+0x[0-9a-f]+/, 'its caller is named by a relocated kernel symbol');
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT, 180_000);

  // A checkpoint at the shell, restored in the session: symbols and offset come back.
  let stopped = c.waitStopped(30_000);
  await c.dc.pauseRequest({ threadId: 1 });
  await stopped;
  // The larger TLB: every one of its 128 entries listed, the shell's among them (per ASID).
  const tlb = await c.scope('TLB');
  assert.equal(tlb.length, 128);
  assert.ok(tlb.some((e) => /^ASID 0x[0-9a-f]{2} /.test(e.value)), tlb.map((e) => `${e.name} ${e.value}`).join('\n'));
  // Linux enables RI/XI (PageGrain.RIE/XIE): the shell's data pages are execute-inhibited.
  const noExec = tlb.find((e) => /^ASID .*\(no execute\)/.test(e.value));
  assert.ok(noExec, `no execute-inhibited user page in\n${tlb.map((e) => `${e.name} ${e.value}`).join('\n')}`);
  const fields = await c.children(noExec);
  const pfns = fields.filter((f) => /^PFN[01]$/.test(f.name)).map((f) => f.value);
  assert.ok(pfns.some((v) => /RI=[01] XI=1\)$/.test(v)), pfns.join(', '));
  const table = await c.evaluate('info tlb');
  assert.match(table, /even \(PFN C D V RI XI\)/);
  assert.match(table, /\n.* 0x[0-9a-f]{7} \d \d 1 {2}[01] {2}1/, table);
  const taken = ((await c.dc.customRequest('mips64/checkpoint/take', { name: 'shell', kind: 'full' })).body as { checkpoint: { id: string } }).checkpoint;
  c.console = '';
  stopped = c.waitStopped(30_000);
  await c.dc.customRequest('mips64/checkpoint/restore', { id: taken.id });
  await stopped;
  assert.equal(await c.evaluate('start_kernel'), `${hex(sk)} <start_kernel>`);
  assert.match((await c.top()).name, /^[A-Za-z_][\w.]*(\+0x[0-9a-f]+)?$/, 'the restored stop is named by a kernel symbol');
  const again = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] })).body.breakpoints[0]!;
  assert.equal(again.verified, true);
  await c.dc.continueRequest({ threadId: 1 });
  await openat(again.id!, 'openat after the restore');
  await c.stop();

  // A new session launched from the checkpoint file with the same kernel.
  const d = await harness.client();
  let fromFile: DebugProtocol.Breakpoint[] = [];
  const entry = d.waitStopped(60_000);
  await d.launch({
    type: 'mips64', request: 'launch', name: 'from checkpoint', board: 'octeon', kernel: guest!.kernel,
    checkpoint: join(tmp, `${taken.id}.m64cp`), stopOnEntry: true,
  }, async () => { fromFile = (await d.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] })).body.breakpoints; });
  await entry;
  assert.match(d.console, /KASLR offset/);
  assert.equal(fromFile[0]!.verified, true);
  assert.equal(fromFile[0]!.instructionReference, hex(relocated(OPENAT)));
  await d.dc.continueRequest({ threadId: 1 });
  await openat(fromFile[0]!.id!, 'openat in a session launched from the checkpoint', d);
});
