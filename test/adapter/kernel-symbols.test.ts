// Debugging Debian's real Malta kernel by symbol, through the adapter (dist/adapter.js over
// DAP): the vmlinuz boots with KASLR (no `nokaslr`), function breakpoints set before any
// symbol exists are unverified, then verified at the relocated address once kallsyms and
// the KASLR offset are known; start_kernel is hit there; CP0 Status/Config decode; the shell
// comes up; a userspace TLB entry is seen; the guest's own /proc/kallsyms agrees with the
// address we computed (the KASLR oracle); a breakpoint on the openat syscall entry is hit
// by a command typed at the shell; a checkpoint of the running kernel, restored in the session
// and launched from its file, gets the symbols and the KASLR offset back from the live
// (relocated) tables, and the breakpoint fires again after each; a reboot of the guest sets
// the symbols aside until the kernel has relocated itself again, then the breakpoint fires.
// The default command line (the guest's own) relocates this kernel over the decompressor's
// place in RAM: a restored PC there is the kernel's, not the decompressor's.
//
// Takes a few minutes: the in-guest XZ decompression alone is ~2.2 G instructions. Skips
// (with the reason) when the debian-malta guest cannot be fetched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fetchDebianMalta, GuestImage } from '../../src/cli/guest/debian-guests.js';
import { decodeKallsyms } from '../../src/emulator/loader/kallsyms.js';
import { debianCorpus } from '../support/corpus.js';
import { AdapterHarness } from './support';

const PROMPT = 'mips64:/# ';
const OPENAT = '__se_sys_openat';
const LONG = 400_000;

let guest: GuestImage | undefined;
let link: Map<string, bigint> | undefined;
let linkCount = 0;
let skip: string | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'ksyms-'));
const harness = new AdapterHarness([() => rmSync(tmp, { recursive: true, force: true })]);

before(async () => {
  try {
    guest = await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
    // Link-time addresses, from the same kernel decompressed on the host.
    const corpus = await debianCorpus();
    const ks = decodeKallsyms(new Uint8Array(readFileSync(corpus.kernelImage)), { base: corpus.kernelLoadAddress, endian: 'little' });
    link = new Map(ks.symbols.map((s) => [s.name, s.addr]));
    linkCount = ks.symbols.length;
  } catch (e) {
    skip = `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
    return;
  }
  await harness.start();
});

after(() => harness.stop());

const hex = (a: bigint): string => `0x${a.toString(16).padStart(16, '0')}`;

test('Debian Malta kernel with KASLR: breakpoints by kallsyms symbol, CP0, TLB, openat from the shell', { timeout: 900_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const c = await harness.client();
  const changed: DebugProtocol.Breakpoint[] = [];
  c.dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => { if (e.body.reason === 'changed') changed.push(e.body.breakpoint); });

  // Before the kernel runs: no symbols, so the breakpoints are pending.
  let pending: DebugProtocol.Breakpoint[] = [];
  await c.launch({
    type: 'mips64', request: 'launch', name: 'debian-malta', board: 'malta', memory: 256,
    kernel: guest!.kernel, initrd: guest!.initrd, append: guest!.append, checkpointDir: tmp,
  }, async () => {
    pending = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'start_kernel' }] })).body.breakpoints;
    await c.dc.setExceptionBreakpointsRequest({ filters: ['panic'] });
  });
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.verified, false);
  assert.match(pending[0]!.message ?? '', /kallsyms/, 'the message says when the breakpoint will be set');
  assert.match(c.console, /kernel panic filter is armed once kernel symbols are read from kallsyms/);

  // start_kernel, in the relocated copy.
  const stop = await c.waitStopped(LONG);
  const m = /kernel symbols: (\d+) from kallsyms; KASLR offset (-?)0x([0-9a-f]+)/.exec(c.console);
  assert.ok(m, `no kernel symbols message in ${JSON.stringify(c.console.slice(-500))}`);
  const offset = BigInt(`0x${m[3]}`) * (m[2] ? -1n : 1n);
  console.log(`# ${m[0]}`);
  assert.equal(Number(m[1]), linkCount, 'every kallsyms symbol');
  const relocated = (name: string): bigint => BigInt.asUintN(64, link!.get(name)! + offset);
  const sk = relocated('start_kernel');
  assert.equal(stop.body.reason, 'function breakpoint');
  assert.deepEqual(stop.body.hitBreakpointIds, [pending[0]!.id]);
  const ch = changed.find((b) => b.id === pending[0]!.id);
  assert.ok(ch, 'a breakpoint changed event for start_kernel');
  assert.equal(ch.verified, true);
  assert.equal(ch.instructionReference, hex(sk));
  const top = await c.top();
  assert.equal(top.name, 'start_kernel');
  assert.equal(top.instructionPointerReference, hex(sk));
  const dis = await c.dc.disassembleRequest({ memoryReference: hex(sk), instructionCount: 2 });
  assert.equal(dis.body!.instructions[0]!.symbol, 'start_kernel');
  assert.equal(dis.body!.instructions[1]!.symbol, 'start_kernel+0x4');
  assert.equal(await c.evaluate('panic'), `${hex(relocated('panic'))} <panic>`, 'panic is relocated too');
  // kallsyms has functions only: a variable is unknown, and the message says what is missing and how to get it.
  await assert.rejects(c.evaluate('jiffies'), /unknown symbol 'jiffies' \(.*kallsyms.*functions only.*MIPS64: Fetch Kernel Debug Symbols/);

  // CP0 Status and Config, decoded.
  const cp0 = await c.scope('CP0');
  const status = cp0.find((r) => r.name === 'Status')!;
  const sv = Number(BigInt(status.value.split(' ')[0]!) & 0xffffffffn);
  const sf = await c.children(status);
  const field = (fs: DebugProtocol.Variable[], n: string): string => fs.find((f) => f.name === n)!.value;
  assert.equal(field(sf, 'KX'), String((sv >>> 7) & 1));
  assert.equal(field(sf, 'KX'), '1', 'a 64-bit kernel runs with KX set');
  assert.equal(field(sf, 'EXL'), '0');
  assert.equal(field(sf, 'ERL'), '0');
  assert.equal(field(sf, 'KSU'), '0 (kernel)');
  const config = cp0.find((r) => r.name === 'Config')!;
  const cv = Number(BigInt(config.value.split(' ')[0]!) & 0xffffffffn);
  const cf = await c.children(config);
  assert.match(field(cf, 'AT'), /^2\b/, 'Config.AT: MIPS64 with 64-bit segments');
  assert.match(field(cf, 'K0'), new RegExp(`^${cv & 7}\\b`));
  assert.equal(field(cf, 'BE'), '0', 'little endian');

  // On to the shell; userspace fills the TLB with non-global (per-ASID) entries.
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT, LONG);
  const paused = c.waitStopped(30_000);
  await c.dc.pauseRequest({ threadId: 1 });
  await paused;
  const tlb = await c.scope('TLB');
  const user = tlb.filter((e) => /^ASID 0x[0-9a-f]{2} /.test(e.value));
  assert.ok(user.length > 0, `no valid non-global TLB entry:\n${tlb.map((e) => `${e.name} ${e.value}`).join('\n')}`);
  const uf = await c.children(user[0]!);
  assert.equal(field(uf, 'G'), '0');
  assert.match(field(uf, 'even page') + field(uf, 'odd page'), /0x[0-9a-f]{16}-0x[0-9a-f]{16} → /, 'a valid half');
  console.log(`# ${user.length} non-global TLB entries, e.g. ${user[0]!.name}: ${user[0]!.value}`);

  // KASLR oracle: the guest's own /proc/kallsyms (root; kptr_restrict cleared).
  await c.dc.continueRequest({ threadId: 1 });
  c.stdout = '';
  await c.dc.customRequest('mips64/uartInput', { text: 'echo 0 > /proc/sys/kernel/kptr_restrict; grep -w start_kernel /proc/kallsyms\n' });
  await c.waitOutput(' T start_kernel', 180_000);
  const guestSays = /([0-9a-f]{16}) T start_kernel/.exec(c.stdout)![1]!;
  assert.equal(`0x${guestSays}`, hex(sk), 'the guest\'s start_kernel is where the debugger put it');
  await c.waitOutput(PROMPT, 180_000);

  // The openat syscall entry, hit by a command typed at the shell.
  const bp = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] })).body.breakpoints[0]!;
  assert.equal(bp.verified, true);
  assert.equal(bp.instructionReference, hex(relocated(OPENAT)));
  const hit = c.waitStopped(60_000);
  await c.dc.customRequest('mips64/uartInput', { text: 'cat /proc/version\n' });
  const ev = await hit;
  assert.equal(ev.body.reason, 'function breakpoint');
  assert.deepEqual(ev.body.hitBreakpointIds, [bp.id]);
  const at = await c.top();
  assert.equal(at.instructionPointerReference, hex(relocated(OPENAT)));
  assert.match(at.name, /sys_openat$/);
  const frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  console.log(`# stack at ${OPENAT}: ${frames.map((f) => f.name).join(' <- ')}`);
  assert.ok(frames.length >= 2, 'the syscall entry has callers');
  assert.match(frames[1]!.name, /^[A-Za-z_][\w.]*\+0x[0-9a-f]+/, 'its caller is named by a relocated kernel symbol');
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput('Linux version 6.1', 180_000);
  await c.waitOutput(PROMPT, 180_000);

  // A checkpoint of the running kernel: restored here, the symbols are read again from the
  // live (relocated) tables; a breakpoint set then fires.
  let stopped = c.waitStopped(30_000);
  await c.dc.pauseRequest({ threadId: 1 });
  await stopped;
  const taken = ((await c.dc.customRequest('mips64/checkpoint/take', { name: 'shell', kind: 'full' })).body as { checkpoint: { id: string } }).checkpoint;
  console.log(`# checkpoint at ${(await c.top()).name}`);
  c.console = '';
  stopped = c.waitStopped(30_000);
  await c.dc.customRequest('mips64/checkpoint/restore', { id: taken.id });
  await stopped;
  const liveText = `kernel symbols: ${linkCount} from kallsyms; KASLR offset 0x${offset.toString(16)} \\(read from the running kernel\\)`;
  assert.match(c.console, new RegExp(liveText));
  assert.equal(await c.evaluate('start_kernel'), `${hex(sk)} <start_kernel>`);
  assert.match((await c.top()).name, /^[A-Za-z_][\w.]*(\+0x[0-9a-f]+)?$/, 'the restored stop is named by a kernel symbol');
  const openat = async (cl: typeof c, id: number, what: string): Promise<void> => {
    const ev = cl.waitStopped(60_000);
    await cl.dc.customRequest('mips64/uartInput', { text: 'cat /proc/version\n' });
    const e = await ev;
    assert.equal(e.body.reason, 'function breakpoint', what);
    assert.deepEqual(e.body.hitBreakpointIds, [id], what);
    assert.equal((await cl.top()).instructionPointerReference, hex(relocated(OPENAT)), what);
  };
  const again = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] })).body.breakpoints[0]!;
  assert.equal(again.verified, true);
  await c.dc.continueRequest({ threadId: 1 });
  await openat(c, again.id!, 'openat after the restore');

  // A reboot: the kernel's symbols are set aside at the reset (the breakpoint is unverified),
  // found again when the new boot relocates itself (verified), and the breakpoint fires.
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  c.stdout = '';
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT, 180_000);
  c.console = '';
  changed.length = 0;
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] });
  // The shell's own openat calls before the reset stop it too: go on until the new boot's.
  let booted = c.waitStopped(LONG);
  await c.dc.customRequest('mips64/uartInput', { text: 'reboot\n' });
  let reboot = await booted;
  for (let n = 0; n < 20 && !/KASLR offset/.test(c.console); n++) {
    booted = c.waitStopped(LONG);
    await c.dc.continueRequest({ threadId: 1 });
    reboot = await booted;
  }
  assert.equal(reboot.body.reason, 'function breakpoint');
  assert.match(c.console, /kernel symbols: set aside until the kernel starts \(and relocates itself\) again\nkernel symbols: \d+ from kallsyms; KASLR offset/);
  assert.deepEqual(changed.map((b) => b.verified), [false, true], 'unverified at the reset, verified after the relocation');
  assert.match((await c.top()).name, /sys_openat$/);
  await c.stop();

  // A new session launched from the checkpoint file: the symbols and the KASLR offset come
  // from the running kernel (kernel_entry there vs. the decompressor's jump target).
  const d = await harness.client();
  let fromFile: DebugProtocol.Breakpoint[] = [];
  const entry = d.waitStopped(60_000);
  await d.launch({
    type: 'mips64', request: 'launch', name: 'from checkpoint', board: 'malta', kernel: guest!.kernel,
    checkpoint: join(tmp, `${taken.id}.m64cp`), stopOnEntry: true,
  }, async () => { fromFile = (await d.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: OPENAT }] })).body.breakpoints; });
  await entry;
  assert.match(d.console, new RegExp(liveText));
  assert.equal(fromFile[0]!.verified, true);
  assert.equal(fromFile[0]!.instructionReference, hex(relocated(OPENAT)));
  assert.equal(await d.evaluate('panic'), `${hex(relocated('panic'))} <panic>`);
  await d.dc.continueRequest({ threadId: 1 });
  await openat(d, fromFile[0]!.id!, 'openat in a session launched from the checkpoint');
});

test('Debian Malta kernel with `nokaslr`: start_kernel is hit at its link address (offset 0)', { timeout: 600_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const c = await harness.client();
  let pending: DebugProtocol.Breakpoint[] = [];
  await c.launch({
    type: 'mips64', request: 'launch', name: 'debian-malta nokaslr', board: 'malta', memory: 256,
    kernel: guest!.kernel, initrd: guest!.initrd, append: `${guest!.append} rdinit=/init nokaslr`,
  }, async () => {
    pending = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'start_kernel' }] })).body.breakpoints;
  });
  assert.equal(pending[0]!.verified, false);
  const stop = await c.waitStopped(LONG);
  assert.match(c.console, /kernel symbols: \d+ from kallsyms; KASLR offset 0x0 \(not relocated\)/);
  assert.equal(stop.body.reason, 'function breakpoint');
  const top = await c.top();
  assert.equal(top.name, 'start_kernel');
  assert.equal(top.instructionPointerReference, hex(link!.get('start_kernel')!));
});
