// Debian's stripped Malta vmlinuz booted with KASLR, its symbols given as a separate ELF
// symbol file (as the vmlinux of the -dbg package would be): a synthetic "vmlinux" holding
// the kernel's link-time symbols (decoded on the host from the same kernel's kallsyms) and a
// hand-made .debug_line for a made-up source file mapping start_kernel's first instructions.
// Before the kernel relocates itself, the function and source-line breakpoints are unverified
// (saying why); once relocate_kernel returns, the symbol table and the line rows move by the
// KASLR offset, both breakpoints change to the relocated addresses and are hit there, and
// the stack frames name the made-up file and line.
//
// Takes a minute or two (the in-guest XZ decompression). Skips (with the reason) when the
// debian-malta guest cannot be fetched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fetchDebianMalta, GuestImage } from '../../src/cli/guest/debian-guests.js';
import { decodeKallsyms, KallsymsSymbol } from '../../src/emulator/loader/kallsyms.js';
import { debianCorpus } from '../support/corpus.js';
import { fakeVmlinux, lineProgram } from '../support/fake-vmlinux.js';
import { AdapterHarness } from './support';

const LONG = 400_000;
const DIR = '/usr/src/fake-linux/init';
const FILE = 'fake-main.c';
/** start_kernel + offset → line of the made-up source. */
const ROWS = [{ offset: 0, line: 900 }, { offset: 4, line: 901 }, { offset: 8, line: 903 }];

let guest: GuestImage | undefined;
let link: Map<string, bigint> | undefined;
let skip: string | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'vmlinux-'));
const harness = new AdapterHarness([() => rmSync(tmp, { recursive: true, force: true })]);
const vmlinux = join(tmp, 'vmlinux-fake');

before(async () => {
  let symbols: readonly KallsymsSymbol[];
  let text: bigint;
  try {
    guest = await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
    const corpus = await debianCorpus();
    text = corpus.kernelLoadAddress;
    symbols = decodeKallsyms(new Uint8Array(readFileSync(corpus.kernelImage)), { base: corpus.kernelLoadAddress, endian: 'little' }).symbols;
  } catch (e) {
    skip = `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
    return;
  }
  link = new Map(symbols.map((s) => [s.name, s.addr]));
  const sk = link.get('start_kernel')!;
  writeFileSync(vmlinux, fakeVmlinux(symbols, text, { debugLine: lineProgram(DIR, FILE, sk, ROWS, 12) }));
  await harness.start();
});

after(() => harness.stop());

const hex = (a: bigint): string => `0x${a.toString(16).padStart(16, '0')}`;

test('Debian vmlinuz with KASLR and a vmlinux symbol file: symbols and DWARF lines move by the offset; function and line breakpoints hit there', { timeout: 600_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const c = await harness.client();
  const changed: DebugProtocol.Breakpoint[] = [];
  c.dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => { if (e.body.reason === 'changed') changed.push(e.body.breakpoint); });
  const source = { name: FILE, path: `${DIR}/${FILE}` };
  let fn: DebugProtocol.Breakpoint[] = [];
  let src: DebugProtocol.Breakpoint[] = [];
  await c.launch({
    type: 'mips64', request: 'launch', name: 'debian-malta + vmlinux', board: 'malta', memory: 256,
    kernel: guest!.kernel, initrd: guest!.initrd, append: `${guest!.append} rdinit=/init`, symbols: [{ path: vmlinux }],
  }, async () => {
    fn = (await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'start_kernel' }] })).body.breakpoints;
    src = (await c.dc.setBreakpointsRequest({ source, breakpoints: [{ line: 902 }] })).body.breakpoints;
  });
  // Before relocation: set aside, so unverified, saying when they will be set.
  assert.equal(fn[0]!.verified, false);
  assert.match(fn[0]!.message ?? '', /relocated itself/);
  assert.equal(src[0]!.verified, false);
  assert.match(src[0]!.message ?? '', /relocated itself/);
  assert.match(c.console, /vmlinux-fake: DWARF line information for 1 source file \(3 rows\)/);

  const stop = await c.waitStopped(LONG);
  const m = /kernel symbols: .*vmlinux-fake \((\d+) symbols, (\d+) line rows, 0 CFI entries\); KASLR offset (-?)0x([0-9a-f]+)/.exec(c.console);
  assert.ok(m, `no relocation message in ${JSON.stringify(c.console.slice(-600))}`);
  console.log(`# ${m[0]}`);
  const offset = BigInt.asUintN(64, BigInt(`0x${m[4]}`) * (m[3] ? -1n : 1n));
  assert.notEqual(offset, 0n, 'KASLR moved the kernel');
  assert.equal(Number(m[2]), ROWS.length, 'every row of the made-up file');
  const at = (name: string, plus = 0n): bigint => BigInt.asUintN(64, link!.get(name)! + offset + plus);
  const sk = at('start_kernel');

  /** The frame's line of its disassembly document: address, label and line comment (the instruction dropped). */
  const frameLine = async (f: DebugProtocol.StackFrame): Promise<string> => {
    assert.ok(f.source?.sourceReference, `${f.name}: a disassembly document`);
    const text = (await c.dc.sourceRequest({ source: f.source, sourceReference: f.source.sourceReference })).body.content;
    const l = text.split('\n')[f.line - 1] ?? '';
    return l.replace(/^(\S+) +(<\S+>).*?(# \S+)?$/, (_m, a: string, b: string, d?: string) => `${a} ${b}${d ? ` ${d}` : ''}`);
  };

  // Both breakpoints changed to the relocated addresses (same ids).
  const chFn = changed.filter((b) => b.id === fn[0]!.id).at(-1);
  assert.ok(chFn?.verified, 'the function breakpoint is verified');
  assert.equal(chFn.instructionReference, hex(sk));
  const chSrc = changed.filter((b) => b.id === src[0]!.id).at(-1);
  assert.ok(chSrc?.verified, 'the source breakpoint is verified');
  assert.equal(chSrc.line, 903, 'line 902 has no code: the next line with code');
  assert.equal(chSrc.instructionReference, hex(sk + 8n));

  // start_kernel in the relocated copy, shown at the made-up file's line.
  assert.equal(stop.body.reason, 'function breakpoint');
  assert.deepEqual(stop.body.hitBreakpointIds, [fn[0]!.id]);
  let frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.equal(frames[0]!.name, 'start_kernel');
  assert.equal(frames[0]!.instructionPointerReference, hex(sk));
  // The made-up source file is not on this machine: the frame shows the function's
  // disassembly, its lines annotated with the DWARF file and line.
  assert.equal(await frameLine(frames[0]!), `${hex(sk)} <start_kernel> # ${FILE}:900`);
  assert.equal(await c.evaluate('panic'), `${hex(at('panic'))} <panic>`, 'other symbols of the file moved too');
  assert.equal(await c.evaluate('__se_sys_openat'), `${hex(at('__se_sys_openat'))} <__se_sys_openat>`);

  // The line breakpoint, two instructions on.
  const hit = c.waitStopped(60_000);
  await c.dc.continueRequest({ threadId: 1 });
  const ev = await hit;
  assert.equal(ev.body.reason, 'breakpoint');
  assert.deepEqual(ev.body.hitBreakpointIds, [src[0]!.id]);
  frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.equal(frames[0]!.instructionPointerReference, hex(sk + 8n));
  assert.equal(frames[0]!.name, 'start_kernel+0x8');
  assert.equal(await frameLine(frames[0]!), `${hex(sk + 8n)} <start_kernel+0x8> # ${FILE}:903`);
});
