// Acceptance tests for "Malta board and real Linux", on the `debian-malta` guest: Debian's
// mips64el 5kc-malta kernel with the project's busybox initramfs (src/cli/guest/debian-guests.ts;
// /init prints USERSPACE_MARKER and starts a shell).
//
// Speed: our boots load the kernel image the vmlinuz decompressor would produce
// (bootLinuxImage with the image test/support/corpus.ts extracts from the SAME vmlinuz), which
// skips ~2.2 G instructions of in-guest XZ decompression. QEMU, which cannot load a raw image,
// boots the vmlinuz itself. One JIT boot serves tests 1-3:
//   1. commands typed at the shell, then `poweroff` (exit code 0);
//   2. its console log up to the marker against QEMU's, line by line;
//   3. the interpreter replays the same inputs, compared with the JIT run at fixed points.
// Test 4 runs the CLI on bad inputs (no boot), and one vmlinuz boot with a garbage initrd
// that must end in a kernel panic reported on the host side.
//
// The test fails, naming what is missing, when the guest cannot be fetched; the QEMU test
// fails when qemu-system-mips64el is not installed (Debian package qemu-system-mips).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMaltaMachine } from '../../src/emulator/boards/malta.js';
import { fetchDebianMalta, GuestImage, USERSPACE_MARKER } from '../../src/cli/guest/debian-guests.js';
import { sha256File } from '../../src/cli/guest/debian-packages.js';
import { debianCorpus, DebianCorpus } from '../support/corpus.js';
import { cli, ensureBuilt } from '../cli/support.js';
import { qemuMissing } from '../support/qemu.js';
import { ConsoleSession, MachineState, stateDiff } from '../support/console-session.js';

const STEP = 5_000_000;

interface Guest {
  image: GuestImage;
  corpus: DebianCorpus;
  kernelImage: Uint8Array;
  initrd: Uint8Array;
  append: string;
}

let guestPromise: Promise<Guest> | undefined;

function guest(): Promise<Guest> {
  guestPromise ??= (async () => {
    const log = (m: string): void => console.log(`# guest: ${m}`);
    let image: GuestImage, corpus: DebianCorpus;
    try {
      image = await fetchDebianMalta({ log });
      corpus = await debianCorpus(log);
    } catch (e) {
      throw new Error(`cannot get the debian-malta guest (linux-image-5kc-malta and busybox-static for mips64el, `
        + `fetched with the project's fetcher): ${(e as Error).message}`);
    }
    // The decompressed image must come from the very vmlinuz QEMU boots.
    const [a, b] = [await sha256File(image.kernel), await sha256File(corpus.vmlinuz)];
    if (a !== b) throw new Error(`debian-malta's vmlinuz (${image.kernel}) differs from the corpus one (${corpus.vmlinuz}); refresh the cache`);
    return {
      image, corpus,
      kernelImage: new Uint8Array(readFileSync(corpus.kernelImage)),
      initrd: new Uint8Array(readFileSync(image.initrd)),
      append: `${image.append} rdinit=/init`,
    };
  })();
  return guestPromise;
}

/** The Malta machine booted on the guest, driven through its console. */
class Session extends ConsoleSession {
  constructor(g: Guest, engine: 'jit' | 'interp') {
    const { machine, board } = createMaltaMachine({ memoryMiB: 256, engine });
    super(machine, STEP);
    board.bootLinuxImage(g.kernelImage, g.corpus.kernelLoadAddress, g.corpus.kernelEntry, g.initrd, g.append);
  }
}

const PROMPT = /mips64:[^\n]*# (\x1b\[6n)?$/;
/** Where the interpreter run stops and both engines' full state is compared (see test 3). */
const COMPARE_AT = [300_000_000];

interface JitRun {
  session: Session;
  bootLog: string;
  markerIcount: number;
  bootCpuSeconds: number;
  outputs: Record<string, string>;
  /** Full machine state at each COMPARE_AT icount. */
  states: Map<number, MachineState>;
  /** Console text at each COMPARE_AT icount. */
  texts: Map<number, string>;
  /** Console text, icount and full state after the scripted command (`uname -a`) at a fixed point. */
  scripted: { text: string; icount: number; state: MachineState };
  inputs: Array<{ icount: number; bytes: Uint8Array }>;
}

let jitPromise: Promise<JitRun> | undefined;

function cpuSeconds(t0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1e6;
}

function jitRun(): Promise<JitRun> {
  jitPromise ??= (async () => {
    const g = await guest();
    const s = new Session(g, 'jit');
    const states = new Map<number, MachineState>();
    const texts = new Map<number, string>();
    for (const n of COMPARE_AT) s.at.set(n, () => { states.set(n, s.state()); texts.set(n, s.text); });
    const t0 = process.cpuUsage();
    const marker = s.until(USERSPACE_MARKER, 4_000_000_000);
    const bootCpuSeconds = cpuSeconds(t0);
    const markerIcount = s.icount;
    const bootLog = s.text.slice(0, marker);
    console.log(`# jit: marker after ${markerIcount} instructions, ${bootCpuSeconds.toFixed(1)} s CPU`);
    let at = s.until(PROMPT, 300_000_000, marker);
    // The scripted command for test 3, typed at the first step boundary where the prompt is up.
    s.type('uname -a\n');
    at = s.until(PROMPT, 300_000_000, at);
    const scripted = { text: s.text, icount: s.icount, state: s.state() };

    const outputs: Record<string, string> = {};
    for (const cmd of ['echo $((6*7))', 'cat /proc/cpuinfo', 'ls /proc', 'dmesg | tail -3']) {
      s.type(`${cmd}\n`);
      const end = s.until(PROMPT, 500_000_000, at);
      outputs[cmd] = s.text.slice(at, end);
      at = end;
    }
    return { session: s, bootLog, markerIcount, bootCpuSeconds, outputs, states, texts, scripted, inputs: [...s.machine.inputLog] };
  })();
  return jitPromise;
}


/**
 * Console lines that legitimately differ between QEMU and us (after removing the `[ time ]`
 * prefix), as regular expressions with the reason. A line of either log that the other lacks
 * (after a longest-common-subsequence match of the two) must match one of these.
 */
const ALLOWED_DIFFERENCES: ReadonlyArray<{ re: RegExp; why: string }> = [
  // Timing model: our CP0 Count runs at 100 MHz (200 MHz CPU), QEMU's at its own rate; the
  // delay-loop calibration measures the host's speed under QEMU.
  { re: /^CPU frequency \d+\.\d+ MHz$/, why: 'CPU clock (timing model)' },
  { re: /^clocksource: MIPS: mask: 0xffffffff max_cycles: 0xffffffff, max_idle_ns: \d+ ns$/, why: 'CPU clock (timing model)' },
  { re: /^sched_clock: 32 bits at \d+MHz, resolution \d+ns, wraps every \d+ns$/, why: 'CPU clock (timing model)' },
  { re: /^Calibrating delay loop\.\.\. \d+\.\d+ BogoMIPS \(lpj=\d+\)$/, why: 'BogoMIPS calibration' },
  // Dates: QEMU's RTC follows the host clock, ours starts at a fixed date (deterministic).
  { re: /^audit: type=2000 audit\(\d+\.\d+:1\): state=initialized audit_enabled=0 res=1$/, why: 'date (audit timestamp)' },
  { re: /^rtc_cmos 70\.rtc: setting system clock to \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d UTC \(\d+\)$/, why: 'date (RTC time)' },
  // PCI functions QEMU models and we do not: PIIX4 IDE (00:0a.1) and USB (00:0a.2), the
  // AMD PCnet NIC (00:0b.0), the Cirrus VGA (00:12.0), and what the kernel does with them.
  { re: /^pci 0000:00:(0a\.[12]|0b\.0|12\.0): /, why: 'PCI device not modelled (PIIX4 IDE/USB, pcnet, Cirrus)' },
  { re: /^cirrusfb 0000:00:12\.0: /, why: 'Cirrus VGA not modelled' },
  { re: /^Console: switching to colour frame buffer device \d+x\d+$/, why: 'Cirrus VGA not modelled' },
  // The i8042 keyboard controller: not modelled ("No controller found" on our side).
  { re: /^(serio: )?i8042[ :]/, why: 'i8042 keyboard controller not modelled' },
  { re: /^input: AT Raw Set 2 keyboard as /, why: 'i8042 keyboard controller not modelled' },
  // Randomness: QEMU passes its own rngseed, and a KASLR kernel (the vmlinuz decompressor
  // relocates it; our decompressed image runs where it was linked) says where it went. Neither
  // shows up with this kernel and command line today, but both are legitimately different.
  { re: /^random: /, why: 'random seed / crng timing' },
  { re: /^Kernel relocated by 0x[0-9a-f]+$|^ --> /, why: 'KASLR offset' },
];

/** Console text → lines without `\r` and without the `[ seconds ]` prefix. */
function logLines(text: string): string[] {
  return text.replace(/\r/g, '').split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '')).filter((l) => l !== '');
}

/** Lines of `a` and of `b` outside a longest common subsequence of the two. */
function unmatched(a: string[], b: string[]): { onlyA: Array<[number, string]>; onlyB: Array<[number, string]> } {
  const n = a.length, m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) {
    L[i]![j] = a[i] === b[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  }
  const onlyA: Array<[number, string]> = [], onlyB: Array<[number, string]> = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { i++; j++; }
    else if (j >= m || (i < n && L[i + 1]![j]! >= L[i]![j + 1]!)) { onlyA.push([i + 1, a[i]!]); i++; }
    else { onlyB.push([j + 1, b[j]!]); j++; }
  }
  return { onlyA, onlyB };
}

interface QemuLog { text: string; wallSeconds: number }

let qemuPromise: Promise<QemuLog> | undefined;

/** QEMU's console up to the marker, booting the vmlinuz itself with the same initrd and append. */
function qemuRun(): Promise<QemuLog> {
  qemuPromise ??= (async () => {
    const missing = qemuMissing(false);
    if (missing) throw new Error(`cannot run the QEMU comparison: ${missing}`);
    const g = await guest();
    const args = ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none',
      '-kernel', g.image.kernel, '-initrd', g.image.initrd, '-append', g.append];
    const t0 = performance.now();
    const child: ChildProcess = spawn('qemu-system-mips64el', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '', err = '';
    child.stdout!.setEncoding('latin1').on('data', (d: string) => {
      text += d;
      if (text.includes(USERSPACE_MARKER)) child.kill('SIGKILL');
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    await new Promise<void>((resolve, reject) => { child.on('error', reject); child.on('close', () => resolve()); });
    clearTimeout(timer);
    const wallSeconds = (performance.now() - t0) / 1000;
    const i = text.indexOf(USERSPACE_MARKER);
    if (i < 0) throw new Error(`QEMU (${args.join(' ')}) never printed the marker; stderr: ${err.trim()}\nlast output:\n${text.slice(-2000)}`);
    // (Seen once the event loop runs again: our synchronous boot may delay it.)
    console.log(`# qemu: marker seen after ${wallSeconds.toFixed(1)} s wall`);
    return { text: text.slice(0, i + USERSPACE_MARKER.length), wallSeconds };
  })();
  return qemuPromise;
}

describe('Malta board and real Linux: acceptance (debian-malta)', () => {
  // QEMU boots on its own process (the other core) while our JIT boot runs.
  before(() => { qemuRun().catch(() => { /* reported by test 2 */ }); });

  test('1. boots to userspace, runs commands on the console, powers off with exit code 0', async () => {
    const r = await jitRun();
    const o = r.outputs;
    const lines = (t: string): string[] => t.replace(/\r/g, '').split('\n');
    // Each output starts with the echoed command line.
    assert.ok(lines(o['echo $((6*7))']!).includes('42'), `echo $((6*7)) printed:\n${o['echo $((6*7))']}`);
    assert.match(o['cat /proc/cpuinfo']!, /cpu model\s*: MIPS 5KE\b/);
    assert.match(o['cat /proc/cpuinfo']!, /system type\s*: MIPS Malta/);
    const procNames = lines(o['ls /proc']!).slice(1, -1).join(' ').split(/\s+/);
    for (const f of ['cpuinfo', 'meminfo', 'interrupts', 'version', 'self']) {
      assert.ok(procNames.includes(f), `ls /proc lacks ${f}:\n${o['ls /proc']}`);
    }
    const dmesg = lines(o['dmesg | tail -3']!).slice(1, -1);
    assert.equal(dmesg.length, 3, `dmesg | tail -3 printed:\n${o['dmesg | tail -3']}`);
    for (const l of dmesg) assert.match(l, /^\[\s*\d+\.\d{6}\] ./, `not a kernel log line: ${JSON.stringify(l)}`);

    const s = r.session;
    const m = s.machine;
    const from = s.text.length;
    s.type('poweroff\n');
    for (let i = 0; i < 100 && !m.poweredOff; i++) m.run(STEP);
    assert.equal(m.poweredOff, true, `machine still running after poweroff; last output:\n${s.text.slice(-1000)}`);
    assert.equal(m.exitCode, 0);
    assert.match(s.text.slice(from), /reboot: Power down/);
  });

  test('2. the console log up to the marker equals QEMU\'s, except the listed lines', async () => {
    const ours = await jitRun();
    // QEMU's log depends on host timing (async initcalls); if one QEMU run shows an
    // unexplained difference, a second QEMU boot decides (ours is deterministic).
    const compare = (qemuText: string): { bad: string[]; onlyQemu: Array<[number, string]>; onlyOurs: Array<[number, string]> } => {
      const um = unmatched(logLines(qemuText), logLines(ours.bootLog));
      // Lines both logs print, only in another order, are not differences (seen:
      // "Initialise system trusted keyrings" one position apart in one run of five).
      const onlyQemu = [...um.onlyA], onlyOurs = [...um.onlyB];
      for (let i = onlyQemu.length - 1; i >= 0; i--) {
        const j = onlyOurs.findIndex(([, l]) => l === onlyQemu[i][1]);
        if (j >= 0) { onlyQemu.splice(i, 1); onlyOurs.splice(j, 1); }
      }
      const unexplained = (side: string, lines: Array<[number, string]>): string[] =>
        lines.filter(([, l]) => !ALLOWED_DIFFERENCES.some((d) => d.re.test(l))).map(([n, l]) => `  ${side} line ${n}: ${l}`);
      return { bad: [...unexplained('only QEMU', onlyQemu), ...unexplained('only ours', onlyOurs)], onlyQemu, onlyOurs };
    };
    let qemu = await qemuRun();
    let cmp = compare(qemu.text);
    if (cmp.bad.length > 0) {
      console.log(`# first QEMU run differs:\n${cmp.bad.join('\n')}\n# booting QEMU once more`);
      qemuPromise = undefined;
      qemu = await qemuRun();
      cmp = compare(qemu.text);
    }
    const { bad, onlyQemu, onlyOurs } = cmp;
    const explained = onlyQemu.length + onlyOurs.length - bad.length;
    console.log(`# qemu vs ours: ${logLines(qemu.text).length} / ${logLines(ours.bootLog).length} lines, ${explained} allowed differences`);
    assert.equal(bad.length, 0, `console lines that differ from QEMU's and are not in ALLOWED_DIFFERENCES:\n${bad.join('\n')}`);
    // Not vacuous: the logs share the kernel banner and reach userspace on both sides.
    assert.match(ours.bootLog, /Linux version 6\.\d+\.\d+-\d+-5kc-malta/);
  });

  // Both engines run the whole boot: the interpreter takes ~2x the JIT's time (~45 s CPU here),
  // affordable in CI. The interpreter replays the JIT run's console input at the same icounts
  // (input is typed at step boundaries, multiples of STEP, on both).
  test('3. deterministic across engines: the interpreter replays the JIT boot byte for byte', async () => {
    const r = await jitRun();
    const g = await guest();
    const s = new Session(g, 'interp');
    const mismatches: string[] = [];
    for (const n of COMPARE_AT) {
      s.at.set(n, () => {
        if (s.text !== r.texts.get(n)) mismatches.push(`icount ${n}: console differs`);
        mismatches.push(...stateDiff(s.state(), r.states.get(n)!).map((d) => `icount ${n}: ${d} (interp vs jit)`));
      });
    }
    // Only the input typed before the scripted point (the JIT typed the next command right after it).
    for (const { icount, bytes } of r.inputs.filter((x) => x.icount < r.scripted.icount)) {
      assert.equal(icount % STEP, 0, 'JIT input not at a step boundary');
      const prev = s.at.get(icount);
      s.at.set(icount, () => { prev?.(); s.machine.consoleInput(bytes); });
    }
    const t0 = process.cpuUsage();
    const marker = s.until(USERSPACE_MARKER, 4_000_000_000);
    const bootCpu = cpuSeconds(t0);
    console.log(`# interp: marker after ${s.icount} instructions, ${bootCpu.toFixed(1)} s CPU (jit ${r.bootCpuSeconds.toFixed(1)} s)`);
    assert.equal(s.text.slice(0, marker), r.bootLog, 'console up to the marker');
    assert.equal(s.icount, r.markerIcount, 'icount when the marker appeared');
    s.runTo(r.scripted.icount);
    assert.deepEqual(mismatches, []);
    assert.equal(s.text, r.scripted.text, 'console after the scripted `uname -a`');
    assert.match(s.text, /Linux mips64 6\.\d+\.\d+-\d+-5kc-malta #1 SMP .* mips64 GNU\/Linux/);
    assert.equal(s.icount, r.scripted.icount);
    assert.deepEqual(stateDiff(s.state(), r.scripted.state).map((d) => `${d} (interp vs jit)`), [], 'machine state after the scripted command');
  });

  test('4a. a kernel that is not a little-endian MIPS ELF: one clear line, exit code 2', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'malta-bad-'));
    try {
      const elfHeader = (bigEndian: boolean, machine: number): Buffer => {
        const h = Buffer.alloc(64);
        h.set([0x7f, 0x45, 0x4c, 0x46, 2, bigEndian ? 2 : 1, 1]);
        if (bigEndian) { h.writeUInt16BE(2, 16); h.writeUInt16BE(machine, 18); h.writeUInt32BE(1, 20); }
        else { h.writeUInt16LE(2, 16); h.writeUInt16LE(machine, 18); h.writeUInt32LE(1, 20); }
        return h;
      };
      const cases: Array<[string, Buffer, RegExp]> = [
        ['x86-64.elf', elfHeader(false, 62), /not a MIPS executable \(machine 62\)/],
        ['mips-be.elf', elfHeader(true, 8), /big-endian ELF for a little-endian machine \(add -EB\)/],
        ['notes.txt', Buffer.from('this is not a kernel\n'), /not an ELF file/],
      ];
      for (const [name, bytes, re] of cases) {
        const file = join(dir, name);
        writeFileSync(file, bytes);
        const r = cli(['boot', '--kernel', file], { input: '' });
        assert.equal(r.code, 2, `${name}: exit code (stderr: ${r.stderr})`);
        const lines = r.stderr.split('\n').filter((l) => l !== '');
        assert.equal(lines.length, 1, `${name}: one line on stderr, got:\n${r.stderr}`);
        assert.match(lines[0]!, new RegExp(`^mips64: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        assert.match(lines[0]!, re);
        assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at |Error:/, `${name}: no stack trace`);
        assert.equal(r.stdout, '', `${name}: nothing on stdout`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The real vmlinuz (decompressor included, ~2.2 G instructions; ~35 s CPU here) with an
  // initrd of random bytes: the kernel rejects the initramfs, finds no root file system and
  // panics. The CLI stops at the completed panic line (exit code 3, one host line).
  test('4b. an initrd that is not gzip/cpio: the guest panics visibly, one host line, exit code 3', async () => {
    const g = await guest();
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'malta-bad-'));
    try {
      const garbage = join(dir, 'garbage.img');
      const bytes = Buffer.alloc(4096);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24; // not gzip, not cpio
      writeFileSync(garbage, bytes);
      const t0 = performance.now();
      const r = cli(['boot', '--kernel', g.image.kernel, '--initrd', garbage, '--append', 'console=ttyS0', '--warp'], { input: '' });
      console.log(`# panic boot: ${((performance.now() - t0) / 1000).toFixed(1)} s wall`);
      assert.match(r.stdout, /Initramfs unpacking failed: /, 'the kernel says why the initrd was rejected');
      assert.match(r.stdout, /Kernel panic - not syncing: VFS: Unable to mount root fs/, 'the guest\'s panic text is on the console');
      assert.equal(r.stderr, 'mips64: guest kernel panic\n');
      assert.equal(r.code, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

