// `mips64 boot`: the built-in demo guest with piped stdin on both engines (banner, ticks,
// q → exit 0 and "bye"), end of input while the guest idles, load errors as one line with
// exit 2, usage errors, and the terminal handling under a pseudo-terminal (util-linux
// `script`): Ctrl-C reaches the guest, Ctrl-A h / Ctrl-A Ctrl-A / Ctrl-A x, and the
// terminal settings are restored afterwards; the guest runs in a child Node started with
// the engine's flags (src/cli/node-flags.ts).

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, assertCleanStderr, cli, ensureBuilt, tempDir } from './support.js';
import { EscapeDecoder, KeyEvent } from '../../src/cli/console.js';
import { engineNodeFlags } from '../../src/cli/node-flags.js';
import { octeonStandInKernel } from '../support/octeon-kernel.js';
import { buildFdt, str } from '../../src/emulator/boards/fdt.js';

/** A running `node dist/cli.js …` whose output can be awaited. */
class Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(cmd: string, args: string[]) {
    this.child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, TZ: 'UTC' } });
    const wake = (): void => {
      for (const w of this.waiters.splice(0)) w();
    };
    this.child.stdout.on('data', (b: Buffer) => { this.stdout += b.toString('latin1'); wake(); });
    this.child.stderr.on('data', (b: Buffer) => { this.stderr += b.toString('latin1'); wake(); });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => { wake(); resolve(code); }));
  }

  /** Waits until stdout (+ stderr) matches; fails with what was seen after `ms`. */
  async waitFor(re: RegExp, ms = 30_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = (this.stdout + this.stderr).slice(from).match(re);
      if (m) return m;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        assert.fail(`timed out waiting for ${re}\nstdout: ${JSON.stringify(this.stdout)}\nstderr: ${JSON.stringify(this.stderr)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  type(text: string): void {
    this.child.stdin.write(Buffer.from(text, 'latin1'));
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The command line of pid's only child process (Linux /proc), or undefined. */
function childCmdline(pid: number): string[] | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (kids.length !== 1) return undefined;
    return readFileSync(`/proc/${kids[0]}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

test('boot runs the guest in a child Node started with the engine\'s flags (V8 pool size), the exit code passed through',
  { timeout: 120_000, skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const r = new Running(process.execPath, [CLI, 'boot']);
    try {
      await r.waitFor(PROMPT);
      const cmd = childCmdline(r.child.pid!);
      assert.ok(cmd, 'no single child process');
      for (const f of engineNodeFlags()) assert.ok(cmd.includes(f), `${f} in ${JSON.stringify(cmd)}`);
      assert.deepEqual(cmd.slice(-1), ['boot']);
      r.type('q');
      assert.equal(await r.exited, 0, r.stderr);
      await r.waitFor(/bye/);
    } finally {
      r.kill();
    }
  });

test('boot: SIGTERM to the command ends the guest\'s child too (exit 128 + 15)', { timeout: 120_000, skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const r = new Running(process.execPath, [CLI, 'boot']);
  try {
    await r.waitFor(PROMPT);
    const kids = readFileSync(`/proc/${r.child.pid}/task/${r.child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    assert.equal(kids.length, 1);
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 143, r.stderr);
    for (let i = 0; i < 50 && existsSync(`/proc/${kids[0]}`); i++) await sleep(100);
    assert.equal(existsSync(`/proc/${kids[0]}`), false, 'the child still runs');
  } finally {
    r.kill();
  }
});
const PROMPT = /Type something \('t' = ticks, 'q' = quit\):\r\r?\n/; // a terminal adds \r (ONLCR)

before(() => ensureBuilt());

for (const engine of ['jit', 'interp'] as const) {
  describe(`boot the demo guest (--engine ${engine})`, () => {
    test('banner, t shows the timer ticks, q powers off with exit code 0 and "bye"', { timeout: 120_000 }, async () => {
      const r = new Running(process.execPath, [CLI, 'boot', '--engine', engine]);
      try {
        await r.waitFor(/MIPS64 Studio demo guest \(bare metal, MIPS64 Release 2\)\r\n/);
        await r.waitFor(/syscall handled: v0 = 0x0000002a/);
        await r.waitFor(/TLB refill handled, 0x00400000 reads 0x600dcafe/);
        await r.waitFor(PROMPT);
        await sleep(400); // some timer ticks (10 ms of guest time each, paced to the wall clock)
        r.type('t');
        const m = await r.waitFor(/timer ticks: 0x([0-9a-f]{8})\r\n/);
        assert.ok(Number.parseInt(m[1]!, 16) > 0, `ticks ${m[1]}`);
        r.type('hi');
        await r.waitFor(/hi/, 30_000, r.stdout.indexOf('timer ticks'));
        r.type('q');
        const code = await r.exited;
        assert.equal(code, 0, r.stderr);
        assert.match(r.stdout, /\r\n {2}bye\r\n$/);
        assert.equal(r.stderr, '', 'nothing on stderr for a piped session');
      } finally {
        r.kill();
      }
    });

    test('input ending before the guest powers off: it runs on, then stops with a message (exit 2)', { timeout: 120_000 }, async () => {
      const r = new Running(process.execPath, [CLI, 'boot', '--engine', engine, '--idle-exit', '1.5']);
      try {
        r.type('abc');
        r.child.stdin.end();
        const code = await r.exited;
        assert.equal(code, 2);
        assert.match(r.stdout, /timer running/);
        assert.match(r.stdout, /abc/, 'input typed ahead still reaches the guest');
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, /^mips64: end of input and the guest has been idle for 1\.5 s without output; stopping$/);
      } finally {
        r.kill();
      }
    });

    test('one line and exit 2 for a missing ELF and for a file that is not an ELF', () => {
      const dir = tempDir('mips64-boot-');
      const text = join(dir, 'notes.elf');
      writeFileSync(text, 'this is a text file, not an ELF executable\n');
      for (const [args, msg] of [
        [['missing.elf'], /^mips64: missing\.elf: No such file or directory$/],
        [[text], new RegExp(`^mips64: ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not an ELF file`)],
      ] as const) {
        const r = cli(['boot', '--engine', engine, ...args]);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, '');
        const lines = r.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, msg);
        assert.equal(assertCleanStderr(r.stderr), undefined);
      }
    });
  });
}

test('-EB boots the big-endian build of the demo guest; a little-endian ELF on a big-endian machine is refused', { timeout: 60_000 }, () => {
  const r = cli(['boot', '-EB'], { input: 'q' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /MIPS64 Studio demo guest/);
  assert.match(r.stdout, /bye/);
  const bad = cli(['boot', '-EB', join(ROOT, 'dist', 'guests', 'demo.elf')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^mips64: .*demo\.elf: little-endian ELF for a big-endian machine \(drop -EB\)\n$/);
});

test('usage errors: exit 2 with the usage line, no stack traces', () => {
  for (const [args, msg] of [
    [['--engine', 'fast'], /unknown engine 'fast'/],
    [['--memory', 'lots'], /invalid memory size 'lots'/],
    [['--cpu', 'r4000'], /unknown CPU 'r4000'/],
    [['--board', 'pc'], /unknown board 'pc'/],
    [['--idle-exit', 'soon'], /invalid --idle-exit 'soon'/],
    [['--initrd', 'x.gz'], /--initrd needs a Linux board \(--board malta\|octeon\)/],
    [['--board', 'malta'], /missing --kernel K/],
    [['a.elf', 'b.elf'], /unexpected argument 'b\.elf'/],
    [['debian-malta', '-EB'], /debian-malta is little-endian/],
    [['debian-malta', '--kernel', 'k'], /--kernel cannot be combined with debian-malta/],
  ] as const) {
    const r = cli(['boot', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.match(r.stderr, /\nusage: mips64 boot /);
    assert.equal(assertCleanStderr(r.stderr), undefined);
  }
});

test('--board malta: a missing kernel or initrd, or a kernel that is not an ELF, is one line and exit 2', () => {
  const dir = tempDir('mips64-boot-');
  const text = join(dir, 'vmlinux');
  writeFileSync(text, '#!/bin/sh\necho not a kernel\n');
  for (const [args, msg] of [
    [['--kernel', join(dir, 'nope')], /^mips64: .*nope: No such file or directory$/],
    [['--board', 'malta', '--kernel', text], /^mips64: .*vmlinux: not an ELF file/],
    [['--kernel', join(ROOT, 'dist', 'guests', 'demo.elf'), '--initrd', join(dir, 'initrd.gz')], /^mips64: .*initrd\.gz: No such file or directory$/],
  ] as const) {
    const r = cli(['boot', ...args]);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, msg);
  }
});

test('the board a kernel is for: by its ELF flags without --board; refused by another board, naming the right one', () => {
  const dir = tempDir('mips64-boot-');
  const octeon = join(dir, 'vmlinux-octeon');
  writeFileSync(octeon, octeonStandInKernel());
  const generic = join(ROOT, 'dist', 'guests', 'demo.elf');
  // No --board: the octeon2 ELF flags pick the Octeon board; the stand-in kernel prints argv[0]
  // (the board's default command line's first word) and halts.
  const r = cli(['boot', '--kernel', octeon, '--memory', '128'], { input: '' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'console=ttyS0,115200');
  for (const [args, msg] of [
    [['--board', 'malta', '--kernel', octeon], /vmlinux-octeon: it is a kernel for Cavium Octeon \(ELF flags: mips64r2, octeon2\), not for the Malta's MIPS64 core: boot it with --board octeon$/],
    [['--board', 'octeon', '--kernel', generic], /demo\.elf: it is not an Octeon kernel \(ELF flags: mips64r2\): boot it with --board malta$/],
    [['--board', 'octeon', '--cpu', '5KEc', '--kernel', octeon], /the octeon board runs Octeon2, not CPU 5KEc$/],
  ] as const) {
    const e = cli(['boot', ...args]);
    assert.equal(e.code, 2, e.stderr);
    const lines = e.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, e.stderr);
    assert.match(lines[0]!, msg);
  }
});

test('--dtb FILE: the Octeon kernel boots with it; a missing, malformed or oversized one is one line and exit 2 before the boot', () => {
  const dir = tempDir('mips64-boot-');
  const kernel = join(dir, 'vmlinux-octeon');
  writeFileSync(kernel, octeonStandInKernel());
  const good = join(dir, 'good.dtb');
  writeFileSync(good, buildFdt({ name: '', props: [['model', str('user tree')]] }));
  const r = cli(['boot', '--kernel', kernel, '--memory', '128', '--dtb', good, '--cold'], { input: '' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'console=ttyS0,115200');
  const dts = join(dir, 'board.dts');
  writeFileSync(dts, '/dts-v1/;\n/ { model = "not compiled"; };\n');
  const cut = join(dir, 'cut.dtb');
  writeFileSync(cut, readFileSync(good).subarray(0, 50));
  const huge = join(dir, 'huge.dtb');
  const big = Buffer.alloc(2 << 20);
  readFileSync(good).copy(big);
  big.writeUInt32BE(big.length, 4);
  writeFileSync(huge, big);
  for (const [args, msg] of [
    [['--dtb', join(dir, 'nope.dtb')], /^mips64: .*nope\.dtb: No such file or directory$/],
    [['--dtb', dts], /^mips64: .*board\.dts: not a usable device tree blob: magic 0x2f647473, not 0xd00dfeed \(a \.dts source\? compile it with dtc -O dtb\)$/],
    [['--dtb', cut], /^mips64: .*cut\.dtb: not a usable device tree blob: the header says \d+ bytes, the file has 50 \(truncated\)$/],
    [['--dtb', huge], /^mips64: .*huge\.dtb: not a usable device tree blob: 2097152 bytes, more than the 1048576-byte limit$/],
  ] as const) {
    const e = cli(['boot', '--kernel', kernel, '--memory', '128', ...args], { input: '' });
    assert.equal(e.code, 2, e.stderr);
    assert.equal(e.stdout, '', 'nothing booted');
    const lines = e.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, e.stderr);
    assert.match(lines[0]!, msg);
  }
  // Boards without a device tree refuse one.
  for (const args of [['--dtb', good], ['--board', 'malta', '--kernel', kernel, '--dtb', good], ['debian-malta', '--dtb', good]]) {
    const e = cli(['boot', ...args]);
    assert.equal(e.code, 2, e.stderr);
    assert.match(e.stderr, /--dtb (is for the octeon board, not (demo|malta)|needs a Linux board)/);
  }
});

test('an Octeon kernel polling a CSR the board lacks: the access on stderr, then stopped with exit code 1', () => {
  const dir = tempDir('mips64-boot-');
  const kernel = join(dir, 'vmlinux-polls');
  writeFileSync(kernel, octeonStandInKernel({ pollCsr: 0x1180000001000n }));
  const r = cli(['boot', '--kernel', kernel, '--memory', '128'], { input: '' });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, 'console=ttyS0,115200');
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    'mips64: warning: Octeon CSR read of 0x0001180000001000 (MIO_TWS0_SW_TWSI) is not modelled: reads 0',
    'mips64: the guest read Octeon CSR 0x0001180000001000 (MIO_TWS0_SW_TWSI) 10000 times in a row, waiting for something this board does not model: stopped (exit code 1)',
  ]);
});

describe('on a terminal (pseudo-terminal from util-linux script)', () => {
  test('raw keys: Ctrl-C goes to the guest, C-a h help, C-a C-a, C-a x exits 0 (as QEMU); the terminal is restored', { timeout: 120_000 }, async () => {
    // script(1) runs the shell command on a new pseudo-terminal and copies our stdin to it.
    const inner = `stty -g; stty -a | tr ' ' '\\n' | grep -x -e -icanon -e icanon -e echo -e -echo -e isig -e -isig | tr '\\n' ' '; echo; `
      + `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} boot; echo "EXIT=$?"; stty -g; `
      + `stty -a | tr ' ' '\\n' | grep -x -e -icanon -e icanon -e echo -e -echo -e isig -e -isig | tr '\\n' ' '; echo; sleep 1`;
    const r = new Running('script', ['-qefc', inner, '/dev/null']);
    try {
      await r.waitFor(/mips64: booting \(demo board, jit\); C-a x quits, C-a h for help/);
      await r.waitFor(PROMPT);
      await sleep(300);
      r.type('x\x03y');
      await r.waitFor(/x\^C\r\r?\ny/);
      r.type('\x01h');
      await r.waitFor(/C-a x {4}exit the emulator/);
      const before = r.stdout.length;
      r.type('\x01\x01');
      await r.waitFor(/\x01/, 30_000, before); // the guest echoes the one C-a it received
      r.type('\x01zt'); // unknown escape: dropped; then t
      await r.waitFor(/timer ticks: 0x/);
      r.type('\x01x');
      await r.waitFor(/EXIT=\d+/);
      const code = await r.exited;
      assert.equal(code, 0, r.stderr);
      assert.match(r.stdout, /mips64: terminated by C-a x/);
      assert.match(r.stdout, /EXIT=0\r?\n/);
      assert.doesNotMatch(r.stdout, /\x01z/, 'C-a z is not sent to the guest');
      // Terminal settings before and after are the same (stty -g), and cooked again.
      const settings = [...r.stdout.matchAll(/^([0-9a-f]+(?::[0-9a-f]+){10,})\r?$/gm)].map((m) => m[1]);
      assert.equal(settings.length, 2, r.stdout);
      assert.equal(settings[0], settings[1], 'stty -g before/after');
      const flags = [...r.stdout.matchAll(/^((?:-?(?:isig|icanon|echo) ?){3})\r?$/gm)].map((m) => m[1]!.trim());
      assert.deepEqual(flags, ['isig icanon echo', 'isig icanon echo'], r.stdout);
    } finally {
      r.kill();
    }
  });

  test('q: the guest powers off, exit code 0, terminal restored', { timeout: 120_000 }, async () => {
    const inner = `stty -g; ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} boot --engine interp; echo "EXIT=$?"; stty -g; sleep 1`;
    const r = new Running('script', ['-qefc', inner, '/dev/null']);
    try {
      await r.waitFor(PROMPT);
      r.type('q');
      await r.waitFor(/EXIT=\d+/);
      await r.exited;
      assert.match(r.stdout, /bye\r\r?\n/);
      assert.match(r.stdout, /EXIT=0/);
      const settings = [...r.stdout.matchAll(/^([0-9a-f]+(?::[0-9a-f]+){10,})\r?$/gm)].map((m) => m[1]);
      assert.equal(settings.length, 2, r.stdout);
      assert.equal(settings[0], settings[1]);
    } finally {
      r.kill();
    }
  });
});

test('EscapeDecoder: Ctrl-A commands, C-a C-a, unknown escapes dropped, state kept across chunks', () => {
  const d = new EscapeDecoder();
  const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');
  const show = (evs: KeyEvent[]): string[] => evs.map((e) => (e.kind === 'data' ? `data:${Buffer.from(e.bytes).toString('latin1')}` : `cmd:${e.command}`));
  assert.deepEqual(show(d.feed(enc('ab\x03c'))), ['data:ab\x03c']);
  assert.deepEqual(show(d.feed(enc('x\x01hy'))), ['data:x', 'cmd:help', 'data:y']);
  assert.deepEqual(show(d.feed(enc('\x01\x01'))), ['data:\x01']);
  assert.deepEqual(show(d.feed(enc('z\x01'))), ['data:z']); // escape pending at the end of a chunk
  assert.deepEqual(show(d.feed(enc('x'))), ['cmd:quit']);
  assert.deepEqual(show(d.feed(enc('\x01q1\x01b\x01?'))), ['data:1', 'cmd:break', 'cmd:help']);
});
