// Source-level debugging of compiled C through DWARF, over DAP: the bare-metal program
// test/fixtures/debug/bare.c built with gcc -g -O0. Line breakpoints bind to is_stmt rows,
// stack frames carry bare.c and their lines (checked against objdump --dwarf=decodedline
// and the source text), next/stepIn/stepOut go by source line, `sourceMap` maps a
// -fdebug-prefix-map'ed build path back, and corrupt DWARF is reported without harm.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterHarness, Client, ROOT } from './support';
import { LE, missing, run, TempDir } from '../loader/toolchain';
import { BARE_FLAGS, parseDecodedLine } from '../loader/dwarf-oracle';
import { parseElf, sectionByName } from '../../src/emulator/loader/elf';

const GCC = `${LE}-gcc`;
const skip = missing(GCC, `${LE}-objdump`) ?? false;
const T = { timeout: 60_000, skip };
const SRC_DIR = join(ROOT, 'test', 'fixtures', 'debug');
const BARE = join(SRC_DIR, 'bare.c');
const SOURCE = readFileSync(BARE, 'utf8').split('\n');

let tmp: TempDir;
const harness = new AdapterHarness([() => tmp?.remove()]);
let elf = '';

/** The 1-based line of bare.c whose text (trimmed) starts with `text`. */
function line(text: string): number {
  const i = SOURCE.findIndex((l) => l.trim().startsWith(text));
  assert.ok(i >= 0, text);
  return i + 1;
}

function build(out: string, extra: string[] = []): string {
  run(GCC, ['-g', '-O0', ...BARE_FLAGS, '-Wl,-e,_start', ...extra, BARE, '-o', out]);
  return out;
}

/** The source line objdump gives the instruction at addr (the row covering it). */
function objdumpLine(file: string, addr: bigint): number | undefined {
  const rows = parseDecodedLine(run(`${LE}-objdump`, ['--dwarf=decodedline', file]).stdout);
  let best: number | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!, n = rows[i + 1];
    if (r.line !== undefined && r.addr <= addr && n && addr < n.addr) best = r.line;
  }
  return best;
}

/** The number of FDEs readelf lists. */
function fdeCount(file: string): number {
  return run(`${LE}-readelf`, ['--debug-dump=frames', file]).stdout.split('\n').filter((l) => / FDE cie=/.test(l)).length;
}

before(async () => {
  if (skip) return;
  await harness.start();
  tmp = new TempDir();
  elf = build(join(tmp.path, 'bare.elf'));
});

after(() => harness.stop());

async function launch(extra: Record<string, unknown>, configure?: (c: Client) => Promise<void>): Promise<Client> {
  const c = await harness.client();
  const stopped = c.waitStopped();
  await c.launch({ type: 'mips64', request: 'launch', name: 'bare', board: 'demo', memory: 64, stopOnEntry: true, ...extra }, configure ? () => configure(c) : undefined);
  await stopped;
  return c;
}

async function stepAndWait(c: Client, f: () => Promise<unknown>): Promise<string> {
  const stopped = c.waitStopped();
  await f();
  return (await stopped).body.reason;
}

test('C source breakpoints, stack frames with bare.c lines, next/stepIn/stepOut by source line', T, async () => {
  const ifLine = line('if (n < 2)');
  let bps: { verified: boolean; line?: number; message?: string }[] = [];
  const c = await launch({ kernel: elf }, async (cl) => {
    const r = await cl.dc.setBreakpointsRequest({ source: { path: BARE }, breakpoints: [{ line: ifLine }, { line: SOURCE.length + 50 }] });
    bps = r.body.breakpoints;
  });
  assert.match(c.console, new RegExp(`bare\\.elf: DWARF line information for 1 source file \\(\\d+ rows\\), call frame information for ${fdeCount(elf)} functions`));
  assert.deepEqual([bps[0]!.verified, bps[0]!.line], [true, ifLine]);
  assert.equal(bps[1]!.verified, false);
  assert.match(bps[1]!.message!, /no code at or after line \d+ of bare\.c/);

  // fact(1), called from _start's loop.
  assert.equal(await stepAndWait(c, () => c.dc.continueRequest({ threadId: 1 })), 'breakpoint');
  let frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.deepEqual(frames.map((f) => f.name.replace(/\+0x[0-9a-f]+$/, '')), ['fact', '_start']);
  assert.deepEqual(frames.map((f) => [f.source?.path, f.source?.name]), [[BARE, 'bare.c'], [BARE, 'bare.c']]);
  assert.equal(frames[0]!.line, ifLine);
  const callLine = line('results[i] = fact(i + 1);');
  assert.equal(frames[1]!.line, callLine);
  // The caller's line is objdump's line for its call instruction (the return address − 8).
  assert.equal(frames[1]!.line, objdumpLine(elf, BigInt(frames[1]!.instructionPointerReference!) - 8n));
  assert.ok(frames[0]!.column! >= 1);
  assert.equal(await c.evaluate('$a0'), '0x0000000000000001 (1)'.slice(0, 18));

  // next: n < 2, so `return 1;`.
  assert.equal(await stepAndWait(c, () => c.dc.nextRequest({ threadId: 1 })), 'step');
  let top = await c.top();
  assert.deepEqual([top.name.replace(/\+0x[0-9a-f]+$/, ''), top.line], ['fact', line('return 1;')]);

  // stepOut: back in _start, on the line of the call.
  await c.dc.setBreakpointsRequest({ source: { path: BARE }, breakpoints: [] });
  assert.equal(await stepAndWait(c, () => c.dc.stepOutRequest({ threadId: 1 })), 'step');
  top = await c.top();
  assert.equal(top.name.replace(/\+0x[0-9a-f]+$/, ''), '_start');
  assert.equal(top.line, callLine);
  assert.equal(top.line, objdumpLine(elf, BigInt(top.instructionPointerReference!)));

  // next: the rest of the call's line, then `bump(i);`.
  assert.equal(await stepAndWait(c, () => c.dc.nextRequest({ threadId: 1 })), 'step');
  assert.equal((await c.top()).line, line('bump(i);'));

  // stepIn enters bump, past its prologue (the opening line) to its body.
  assert.equal(await stepAndWait(c, () => c.dc.stepInRequest({ threadId: 1 })), 'step');
  top = await c.top();
  assert.equal(top.name.replace(/\+0x[0-9a-f]+$/, ''), 'bump');
  assert.equal(top.line, line('counter += by;'));
  frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.deepEqual(frames.map((f) => f.name.replace(/\+0x[0-9a-f]+$/, '')), ['bump', '_start']);
  assert.equal(frames[1]!.line, line('bump(i);'));

  // stepOut returns to _start (the line objdump gives the return address).
  assert.equal(await stepAndWait(c, () => c.dc.stepOutRequest({ threadId: 1 })), 'step');
  top = await c.top();
  assert.equal(top.name.replace(/\+0x[0-9a-f]+$/, ''), '_start');
  assert.equal(top.line, objdumpLine(elf, BigInt(top.instructionPointerReference!)));

  // next over a recursive call: fact(3) at `return n * fact(n - 1);` stays in its frame.
  const recLine = line('return n * fact(n - 1);');
  const set = await c.dc.setBreakpointsRequest({ source: { path: BARE }, breakpoints: [{ line: recLine, condition: '$a0 == 3' }] });
  assert.equal(set.body.breakpoints[0]!.verified, true);
  assert.equal(await stepAndWait(c, () => c.dc.continueRequest({ threadId: 1 })), 'breakpoint');
  assert.equal(await c.evaluate('$a0'), '0x0000000000000003 (3)'.slice(0, 18));
  const depth = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames.length;
  await c.dc.setBreakpointsRequest({ source: { path: BARE }, breakpoints: [] });
  assert.equal(await stepAndWait(c, () => c.dc.nextRequest({ threadId: 1 })), 'step');
  top = await c.top();
  assert.deepEqual([top.name.replace(/\+0x[0-9a-f]+$/, ''), top.line], ['fact', line('return n * fact(n - 1);') + 1]);
  assert.equal((await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames.length, depth);
});

test('sourceMap: a -fdebug-prefix-map build path maps to the local bare.c both ways', T, async () => {
  const mapped = build(join(tmp.path, 'mapped.elf'), [`-fdebug-prefix-map=${SRC_DIR}=/build/elsewhere`]);
  assert.match(run(`${LE}-objdump`, ['--dwarf=decodedline', mapped]).stdout, /\/build\/elsewhere\/bare\.c/);
  const ifLine = line('if (n < 2)');

  // Without the map: the build path is unknown locally.
  let bp: { verified: boolean; message?: string } | undefined;
  const a = await launch({ kernel: mapped }, async (cl) => { bp = (await cl.dc.setBreakpointsRequest({ source: { path: BARE }, breakpoints: [{ line: ifLine }] })).body.breakpoints[0]; });
  assert.equal(bp!.verified, false);
  assert.match(bp!.message!, /no line information for bare\.c.*sourceMap/);
  // The frame's build path is not on this machine: its code is shown as a disassembly
  // document instead, which names the build file and line.
  const at = await a.top();
  assert.equal(at.source?.path, undefined);
  assert.ok(at.source?.sourceReference, 'a disassembly document');
  const text = (await a.dc.sourceRequest({ source: at.source, sourceReference: at.source.sourceReference })).body.content;
  assert.match(text.split('\n')[at.line - 1]!, new RegExp(`^${at.instructionPointerReference} <`), 'the frame\'s line shows its pc');
  assert.match(text, /# bare\.c:\d+/);

  // With it: verified, hit, and frames point at the local file.
  const c = await launch({ kernel: mapped, sourceMap: { '/build/elsewhere': SRC_DIR } }, async (cl) => {
    bp = (await cl.dc.setBreakpointsRequest({ source: { path: BARE }, breakpoints: [{ line: ifLine }] })).body.breakpoints[0];
  });
  assert.equal(bp!.verified, true);
  assert.equal((await c.top()).source?.path, BARE);
  assert.equal(await stepAndWait(c, () => c.dc.continueRequest({ threadId: 1 })), 'breakpoint');
  const top = await c.top();
  assert.deepEqual([top.source?.path, top.line], [BARE, ifLine]);
});

test('corrupt .debug_line: the session launches, says why, and still unwinds by CFI', T, async () => {
  const bad = join(tmp.path, 'corrupt.elf');
  copyFileSync(elf, bad);
  const bytes = new Uint8Array(readFileSync(bad));
  const sec = sectionByName(parseElf(bytes), '.debug_line')!;
  // The unit's version field: 0x6502 is no DWARF version.
  bytes[sec.offset + 4] = 0x02; bytes[sec.offset + 5] = 0x65;
  writeFileSync(bad, bytes);
  const c = await launch({ kernel: bad }, async (cl) => {
    await cl.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'fact' }] });
  });
  assert.match(c.console, /corrupt\.elf: cannot use its debugging information: \.debug_line at offset 0x4: unsupported line table version 25858/);
  assert.match(c.console, new RegExp(`call frame information for ${fdeCount(bad)} functions`));
  const r = await c.dc.setBreakpointsRequest({ source: { path: BARE }, breakpoints: [{ line: line('if (n < 2)') }] });
  assert.equal(r.body.breakpoints[0]!.verified, false);
  assert.equal(await stepAndWait(c, () => c.dc.continueRequest({ threadId: 1 })), 'function breakpoint');
  const frames = (await c.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.deepEqual(frames.map((f) => f.name.replace(/\+0x[0-9a-f]+$/, '')), ['fact', '_start']);
  assert.equal(frames[0]!.source?.name, 'fact (disassembly)', 'no lines: the function\'s disassembly');
});
