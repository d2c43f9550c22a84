// Loaded kernel modules with their symbols, through the adapter: Debian's Malta kernel with
// the -dbg vmlinux in "symbols" and, in a second initramfs archive, minix.ko from the same
// linux-image package (no dependencies). Function breakpoints on the module's init and exit
// functions wait (unverified, saying why) until `insmod` typed at the shell loads it; then
// they verify and fire with the module's frames named. The oracle is the .ko itself
// (readelf): every function of its .text is found by name, and its first instruction in
// guest memory — read through the kernel's page table when the TLB does not map it — is the
// file's word where no relocation applies, and the guest kernel's page table walked (`pt`)
// gives the TLB's physical address (`v2p`). `rmmod` stops in the exit function, called from
// the delete_module syscall; continued, the module's symbols go, the init breakpoint waits
// again and the shell answers the next command. `insmod` again reads the symbols anew: the
// init breakpoint verifies at the module's new address and fires there.
//
// Runs when the -dbg vmlinux is cached (mips64 guest fetch-symbols debian-malta) or with
// MIPS64_KERNEL_SYMBOLS_TESTS=1; skips with the reason otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { GuestImage } from '../../src/cli/guest/debian-guests.js';
import type { KernelDebugSymbols } from '../../src/cli/guest/kernel-debug-symbols.js';
import { debianMaltaWithSymbolsOrSkip, initrdWithModule } from '../support/guest.js';
import { LE, missing, parseReadelfRelocs, parseReadelfSections, parseReadelfSymbols, run, TempDir } from '../loader/toolchain';
import { AdapterHarness, Client } from './support';

const LONG = 400_000;
const PROMPT = 'mips64:/# ';
const READELF = `${LE}-readelf`;

const tmp = new TempDir();
const harness = new AdapterHarness([() => tmp.remove()]);
let guest: GuestImage | undefined;
let syms: KernelDebugSymbols | undefined;
let skip: string | undefined;
let ko = '';
let initrd = '';

before(async () => {
  skip = missing(READELF);
  if (skip) return;
  const both = await debianMaltaWithSymbolsOrSkip();
  if (typeof both === 'string') { skip = both; return; }
  ({ guest, syms } = both);
  const m = initrdWithModule(guest, syms, tmp.path, 'fs/minix/minix.ko');
  if (typeof m === 'string') { skip = m; return; }
  ({ initrd, ko } = m);
  await harness.start();
});

after(() => harness.stop());

/** The .ko's functions in .text with their first instruction word where no relocation patches it. */
function moduleFunctions(): Map<string, number | undefined> {
  const sections = parseReadelfSections(run(READELF, ['-SW', ko]).stdout);
  const text = sections.find((s) => s.name === '.text')!;
  const relocs = parseReadelfRelocs(run(READELF, ['-rW', ko]).stdout).get('.rela.text') ?? [];
  const patched = new Set(relocs.map((r) => r.offset));
  const bytes = readFileSync(ko);
  const out = new Map<string, number | undefined>();
  const funcs = (parseReadelfSymbols(run(READELF, ['-sW', ko]).stdout).get('.symtab') ?? []).filter((s) => s.type === 'FUNC' && s.ndx === String(text.nr));
  for (const s of funcs) {
    if (funcs.filter((f) => f.name === s.name).length > 1) continue; // a static name twice (itree_v1.c's and itree_v2.c's get_block): ambiguous
    out.set(s.name, patched.has(s.value) ? undefined : bytes.readUInt32LE(text.off + Number(s.value)));
  }
  return out;
}

async function type(c: Client, text: string): Promise<DebugProtocol.StoppedEvent> {
  const stopped = c.waitStopped(180_000);
  await c.dc.customRequest('mips64/uartInput', { text });
  return stopped;
}

test('module symbols from the module\'s kallsyms: breakpoints in a module wait for insmod, verify and fire; rmmod stops in its exit function and the guest runs on; a reload moves them', { timeout: 900_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const c = await harness.client();
  const changed: DebugProtocol.Breakpoint[] = [];
  c.dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => { if (e.body.reason === 'changed') changed.push(e.body.breakpoint); });
  await c.launchMaltaWithSymbols('modules', guest!, syms!, initrd);
  const set = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'init_minix_fs' }, { name: 'exit_minix_fs' }] })).body.breakpoints;
  await c.dc.configurationDoneRequest();
  await c.waitOutput(PROMPT, LONG);
  const [initBp, exitBp] = set;
  const latest = (id: number | undefined): DebugProtocol.Breakpoint | undefined => [...changed].reverse().find((b) => b.id === id);
  for (const b of [initBp!, exitBp!]) {
    const now = latest(b.id) ?? b;
    assert.equal(now.verified, false);
    assert.match(now.message ?? '', /set when a module that defines it is loaded/);
  }

  const hit = await type(c, 'insmod /minix.ko\n');
  assert.equal(hit.body.reason, 'function breakpoint');
  assert.deepEqual(hit.body.hitBreakpointIds, [initBp!.id]);
  assert.equal(latest(initBp!.id)?.verified, true, 'the init breakpoint verified when the module loaded');
  assert.equal(latest(exitBp!.id)?.verified, true);
  assert.match(c.console, /module minix: \d+ symbols from its kallsyms/);
  const frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.equal(frames[0]!.name, 'init_minix_fs');
  const firstInit = (await c.evaluate('$pc')).split(' ')[0]!;
  assert.equal(latest(initBp!.id)?.instructionReference, firstInit);
  assert.ok(frames.some((f) => /^do_init_module\+0x/.test(f.name)), frames.map((f) => f.name).join(' <- '));
  assert.match(await c.evaluate('lsmod'), /^minix\s+0x[0-9a-f]{16}\s+\d+/m);

  // The oracle: the .ko's functions by name, their code in guest memory.
  const fns = moduleFunctions();
  // Names the kernel has too (System.map) name the kernel's function first: not the module's.
  const kernelNames = new Set(readFileSync(syms!.systemMap, 'utf8').split('\n').map((l) => l.split(' ')[2]));
  for (const n of [...fns.keys()]) if (kernelNames.has(n)) fns.delete(n);
  assert.ok(fns.size > 20, `${fns.size} functions in minix.ko`);
  let compared = 0;
  for (const [name, word] of fns) {
    const addr = BigInt.asUintN(64, BigInt((await c.evaluate(name)).split(' ')[0]!));
    assert.ok(addr >= 0xffffffffc0000000n, `${name} is in the modules' segment (CKSSEG): 0x${addr.toString(16)}`);
    if (word === undefined) continue;
    const mem = (await c.dc.customRequest('readMemory', { memoryReference: `0x${addr.toString(16)}`, count: 4 })).body as DebugProtocol.ReadMemoryResponse['body'];
    assert.equal(Buffer.from(mem!.data!, 'base64').readUInt32LE(0), word, `${name}'s first instruction`);
    compared++;
  }
  console.log(`# ${fns.size} module functions found by name; ${compared} first instructions equal the file's`);
  assert.ok(compared > 10);
  // The guest kernel's page table walked (pt) agrees with the TLB (v2p) wherever the TLB maps module code.
  let walked = 0;
  for (const name of fns.keys()) {
    const v2p = await c.evaluate(`v2p ${name}`);
    const pt = await c.evaluate(`pt ${name}`);
    const phys = / → (phys 0x[0-9a-f]+) /.exec(pt)?.[1];
    assert.ok(phys, pt);
    if (/\(TLB\[\d+\], RAM\)/.test(v2p)) { assert.equal(/ → (phys 0x[0-9a-f]+) /.exec(v2p)?.[1], phys, `${name}: ${v2p} / ${pt}`); walked++; }
  }
  console.log(`# page-table walk = TLB for ${walked} module functions`);
  assert.ok(walked > 0);

  let mark = c.stdout.length;
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutputFrom(mark, PROMPT, 120_000); // insmod returned: the shell prompts again
  mark = c.stdout.length;
  const out = await type(c, 'rmmod minix\n');
  assert.deepEqual(out.body.hitBreakpointIds, [exitBp!.id]);
  const exitFrames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.equal(exitFrames[0]!.name, 'exit_minix_fs');
  console.log(`# rmmod: ${exitFrames.map((f) => f.name).join(' <- ')}`);
  assert.match(exitFrames[1]!.name, /delete_module\+0x/);

  // The module goes (its symbols with it) and the guest runs on: the shell answers.
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutputFrom(mark, PROMPT, 120_000);
  assert.match(c.console, /module minix unloaded: its symbols are gone/);
  assert.equal(latest(initBp!.id)?.verified, false, 'the init breakpoint waits for the module again');
  await assert.rejects(c.evaluate('init_minix_fs'), /unknown symbol 'init_minix_fs'/);
  mark = c.stdout.length;
  await c.dc.customRequest('mips64/uartInput', { text: 'echo after-rmmod $((6*7))\n' });
  await c.waitOutputFrom(mark, 'after-rmmod 42', 120_000);

  // Loaded again: its symbols are read anew and the init breakpoint fires where the module is now.
  const again = await type(c, 'insmod /minix.ko\n');
  assert.deepEqual(again.body.hitBreakpointIds, [initBp!.id]);
  const initAgain = latest(initBp!.id)!;
  assert.equal(initAgain.verified, true);
  const pc2 = (await c.evaluate('$pc')).split(' ')[0]!;
  assert.equal(initAgain.instructionReference, pc2, 'the breakpoint is set where the module is now');
  assert.equal((await c.top()).name, 'init_minix_fs');
  console.log(`# init_minix_fs: first load ${firstInit}, reload ${pc2}`);
  assert.equal((c.console.match(/module minix: \d+ symbols from its kallsyms/g) ?? []).length >= 2, true, 'the symbols were read again');
  mark = c.stdout.length;
  await c.dc.continueRequest({ threadId: 1 });
  await c.waitOutputFrom(mark, PROMPT, 120_000);
  assert.match(await c.evaluate('lsmod'), /^minix\s+0x[0-9a-f]{16}\s+\d+/m);
});
