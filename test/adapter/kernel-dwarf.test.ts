// Kernel data from DWARF through the adapter: Debian's Malta vmlinuz booted with KASLR and
// the unstripped vmlinux of its -dbg package in "symbols" (what MIPS64: Fetch Kernel Debug
// Symbols adds). At start_kernel (relocated; the build's linux_banner checked against the
// guest's): `jiffies` equals INITIAL_JIFFIES as the file's .data holds it (objdump -s at
// System.map's address: the oracle), `init_task.comm` is "swapper", `current` is init_task
// (its pid and comm through $gp), `*current` and `init_task` expand into their members,
// and data breakpoints take typed names (`jiffies`, `init_task.pid`, a member in Variables)
// with the type's size; the first tick writes jiffies. Then at the shell, `cat /proc/version`
// stops in version_proc_show: dmesg reads the kernel log, the tasks are threads (the CPU's is
// cat; kthreadd sleeps in __schedule, its own kernel stack unwound from its switch context),
// `ps`, `bt PID` and `lsmod` in the Debug Console. Logs the launch time — no thresholds.
//
// Runs when the -dbg vmlinux is cached (mips64 guest fetch-symbols debian-malta) or with
// MIPS64_KERNEL_SYMBOLS_TESTS=1 (which fetches it: 660 MB); skips with the reason otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { GuestImage } from '../../src/cli/guest/debian-guests.js';
import type { KernelDebugSymbols } from '../../src/cli/guest/kernel-debug-symbols.js';
import { debianMaltaWithSymbolsOrSkip } from '../support/guest.js';
import { missing, run } from '../loader/toolchain';
import { AdapterHarness } from './support';

const LONG = 400_000;
const PROMPT = 'mips64:/# ';
const OBJDUMP = 'mips64el-linux-gnuabi64-objdump';

let guest: GuestImage | undefined;
let syms: KernelDebugSymbols | undefined;
let skip: string | undefined;
const harness = new AdapterHarness();

before(async () => {
  const both = await debianMaltaWithSymbolsOrSkip();
  if (typeof both === 'string') { skip = both; return; }
  ({ guest, syms } = both);
  skip = missing(OBJDUMP);
  if (!skip) await harness.start();
});

after(() => harness.stop());

/** The 8 bytes of the file's data at a link address (objdump -s), as a little-endian number. */
function fileQuad(addr: bigint): bigint {
  const a = `0x${addr.toString(16)}`, b = `0x${(addr + 8n).toString(16)}`;
  const out = run(OBJDUMP, ['-s', `--start-address=${a}`, `--stop-address=${b}`, syms!.vmlinux]).stdout;
  const line = out.split('\n').find((l) => /^ [0-9a-f]+ [0-9a-f]{8} [0-9a-f]{8}/.test(l));
  assert.ok(line, out);
  const hexBytes = line.trim().split(/\s+/).slice(1, 3).join('');
  const le = hexBytes.match(/../g)!.reverse().join('');
  return BigInt(`0x${le}`);
}

test('kernel variables and types from the -dbg vmlinux at start_kernel: jiffies, init_task.comm, current, expansion, data breakpoints by name', { timeout: 900_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const map = readFileSync(syms!.systemMap, 'utf8');
  const linkOf = (name: string): bigint => BigInt(`0x${new RegExp(`^([0-9a-f]+) \\S ${name}$`, 'm').exec(map)![1]}`);
  const initial = fileQuad(linkOf('jiffies_64'));

  const c = await harness.client();
  const t0 = Date.now();
  await c.launchMaltaWithSymbols('debian-malta + -dbg', guest!, syms!);
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'start_kernel' }] });
  await c.dc.configurationDoneRequest();
  console.log(`# launch with the -dbg vmlinux: ${Date.now() - t0} ms`);
  assert.match(c.console, /types and variables of \d+ compilation units/);
  await c.waitStopped(LONG);
  assert.match(c.console, /kernel symbols: .*vmlinux-6\.1\.0-\S+ \(\d+ symbols, \d+ line rows, \d+ CFI entries\); KASLR offset/, 'the banner matched: symbols placed');
  assert.doesNotMatch(c.console, /not the running kernel's build/);
  assert.equal((await c.top()).name, 'start_kernel');

  // Values: jiffies as in the file (no tick yet), init_task's name, current = init_task.
  const t1 = Date.now();
  const jiffies = await c.dc.evaluateRequest({ expression: 'jiffies', context: 'repl', frameId: 0 });
  console.log(`# first typed lookup (indexes the names of .debug_info): ${Date.now() - t1} ms`);
  assert.equal(jiffies.body.result, `${initial} (0x${initial.toString(16)})`);
  assert.equal(jiffies.body.type, 'volatile long unsigned int');
  assert.equal(await c.evaluate('init_task.comm'), '"swapper"');
  assert.equal(await c.evaluate('current->pid'), '0 (0x0)');
  assert.equal(await c.evaluate('current->comm', 'hover'), '"swapper"');
  assert.match(await c.evaluate('$sp + 16'), /^0x[0-9a-f]{16}/, 'not typed: the plain evaluator still answers');
  const cur = await c.dc.evaluateRequest({ expression: '*current', context: 'watch', frameId: 0 });
  assert.match(cur.body.result, /^\{__state = 0 \(0x0\), /);
  assert.equal(cur.body.type, 'struct task_struct');
  assert.ok(cur.body.variablesReference > 0, '*current expands');
  const members = (await c.dc.variablesRequest({ variablesReference: cur.body.variablesReference })).body.variables;
  const byName = new Map(members.map((m) => [m.name, m]));
  assert.equal(byName.get('comm')?.value, '"swapper"');
  assert.equal(byName.get('pid')?.value, '0 (0x0)');
  assert.equal(byName.get('tasks')?.type, 'struct list_head');
  assert.ok((byName.get('tasks')?.variablesReference ?? 0) > 0);
  // A pointer expands into its target.
  const stack = byName.get('stack')!;
  assert.match(stack.value, /^0x[0-9a-f]{16}/);

  // Data breakpoints by typed name: the variable's address and its type's size.
  const info = async (name: string, variablesReference?: number): Promise<DebugProtocol.DataBreakpointInfoResponse['body']> =>
    (await c.dc.customRequest('dataBreakpointInfo', { name, variablesReference })).body as DebugProtocol.DataBreakpointInfoResponse['body'];
  const jinfo = await info('jiffies');
  assert.match(jinfo.dataId ?? '', /^0x[0-9a-f]{16}\/8$/);
  assert.match(jinfo.description, /^8 bytes at /);
  assert.match((await info('init_task.pid')).dataId ?? '', /^0x[0-9a-f]{16}\/4$/);
  assert.match((await info('comm', cur.body.variablesReference)).dataId ?? '', /^0x[0-9a-f]{16}\/16$/, 'a member in Variables');
  const set = await c.dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: jinfo.dataId, accessType: 'write' }] });
  assert.equal((set.body as DebugProtocol.SetDataBreakpointsResponse['body']).breakpoints[0]!.verified, true);
  // The first timer tick writes jiffies.
  await c.dc.continueRequest({ threadId: 1 });
  const hit = await c.waitStopped(LONG);
  assert.equal(hit.body.reason, 'data breakpoint');
  const after = await c.evaluate('jiffies');
  assert.notEqual(after, `${initial} (0x${initial.toString(16)})`, 'jiffies moved');
  await c.dc.customRequest('setDataBreakpoints', { breakpoints: [] });

  // At the shell, a command's kernel function: the log, the tasks as threads with their own kernel stacks.
  await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'version_proc_show' }] });
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutput(PROMPT, LONG);
  const stopped = c.waitStopped(180_000);
  await c.dc.customRequest('mips64/uartInput', { text: 'cat /proc/version\n' });
  await stopped;
  const dmesg = await c.evaluate('dmesg 2000');
  assert.match(dmesg, /^\[    0\.000000\] Linux version 6\.1\.0-\S+-5kc-malta /m, 'the kernel log from its first line');
  assert.match(dmesg, /\] Run \/init as init process$/m);
  const threads = (await c.dc.threadsRequest()).body.threads;
  assert.match(threads[0]!.name, /^CPU 0: cat \(pid \d+\)$/, 'the CPU runs cat');
  assert.ok(threads.length > 5, threads.map((th) => th.name).join(', '));
  const kthreadd = threads.find((th) => /^kthreadd \(pid 2, [SIDR]\)$/.test(th.name));
  assert.ok(kthreadd, threads.map((th) => th.name).join(', '));
  const kframes = (await c.dc.stackTraceRequest({ threadId: kthreadd.id })).body.stackFrames;
  console.log(`# kthreadd: ${kframes.map((f) => f.name).join(' <- ')}`);
  assert.match(kframes[0]!.name, /^__schedule\+0x/, 'a sleeping task is in the scheduler');
  assert.ok(kframes.some((f) => /^kthreadd\+0x/.test(f.name)), 'its own function further down');
  assert.equal(new Set(kframes.map((f) => f.id)).size, kframes.length);
  const ps = await c.evaluate('ps');
  assert.match(ps, /^\s+2 [SIDR] kthreadd\s+0x[0-9a-f]{16} __schedule\+0x/m);
  assert.match(await c.evaluate('bt 2'), /^#0 0x[0-9a-f]{16} __schedule\+0x[\s\S]*kthreadd\+0x/);
  assert.equal(await c.evaluate('lsmod'), '(no modules loaded)', 'the busybox guest loads none; the kernel\'s modules list is read');
});
