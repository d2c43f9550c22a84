// Acceptance tests for the Octeon board on the `debian-octeon` guest: Debian's mips64el
// octeon kernel (linux-image-6.1.0-NN-octeon, the plain vmlinux) with the project's busybox
// initramfs (src/cli/guest/debian-guests.ts; /init prints USERSPACE_MARKER and starts a shell).
// One JIT boot serves the tests:
//   1. commands typed at the shell (/proc/cpuinfo names the Octeon model), then `poweroff`:
//      Linux halts the core (WAIT with interrupts disabled) and the board powers off, code 0;
//   2. its console log up to the marker against the Malta board's boot of Debian's 5kc-malta
//      kernel of the same version (no Octeon system emulator exists to compare with, and no
//      public CN61XX boot log of this kernel was found): every line one log has and the other
//      lacks must be one of the listed, explained differences;
//   3. the interpreter runs the same boot to a fixed instruction count and must reach the JIT's
//      exact state there; a checkpoint taken at the shell prompt (the project's checkpoint
//      format: every device's declared state, CVMSEG with RAM) restored into a fresh machine
//      answers the next command exactly as the original does;
//   4. without the board's device tree (bootinfo fdt_addr 0) Linux uses the CN6XXX tree built
//      into it and probes units this board does not model: each access is reported once by
//      address and CSR name, and the guest's own panic text reaches the console.
// The test fails, naming what is missing, when the guests cannot be fetched.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createOcteonMachine } from '../../src/emulator/boards/octeon.js';
import { createMaltaMachine } from '../../src/emulator/boards/malta.js';
import { DEBIAN_OCTEON, fetchDebianGuest, fetchDebianMalta, USERSPACE_MARKER } from '../../src/cli/guest/debian-guests.js';
import { captureCheckpoint, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint.js';
import { parseCheckpoint } from '../../src/emulator/snapshot/format.js';
import { debianCorpus } from '../support/corpus.js';
import { ConsoleSession, MachineState, stateDiff } from '../support/console-session.js';
import { HASHES, hashed } from '../support/hashes';

const STEP = 5_000_000;
/** Where the interpreter stops and both engines' full state is compared (past the kernel's relocation, into driver init). */
const COMPARE_AT = 150_000_000;
const PROMPT = /mips64:[^\n]*# (\x1b\[6n)?$/;

async function octeonGuest(): Promise<{ kernel: Uint8Array; initrd: Uint8Array; append: string }> {
  try {
    const g = await fetchDebianGuest(DEBIAN_OCTEON, { log: (m) => console.log(`# guest: ${m}`) });
    return { kernel: new Uint8Array(readFileSync(g.kernel)), initrd: new Uint8Array(readFileSync(g.initrd)), append: g.append };
  } catch (e) {
    throw new Error(`cannot get the debian-octeon guest (linux-image-octeon and busybox-static for mips64el, fetched with the project's fetcher): ${(e as Error).message}`);
  }
}

function octeonSession(g: { kernel: Uint8Array; initrd: Uint8Array; append: string }, engine: 'jit' | 'interp'): ConsoleSession {
  const { machine, board } = hashed(createOcteonMachine({ memoryMiB: 256, engine }));
  const s = new ConsoleSession(machine, STEP);
  board.bootLinux(g.kernel, g.initrd, g.append);
  return s;
}

interface Run {
  bootLog: string;
  markerIcount: number;
  outputs: Record<string, string>;
  stateAt: MachineState;
  twinAnswer: string;
  answer: string;
  exitCode: number;
  poweredOff: boolean;
  tail: string;
}

let runPromise: Promise<Run> | undefined;

function jitRun(): Promise<Run> {
  runPromise ??= (async () => {
    const g = await octeonGuest();
    const s = octeonSession(g, 'jit');
    s.runTo(COMPARE_AT);
    const stateAt = s.state();
    const t0 = process.cpuUsage();
    const marker = s.until(USERSPACE_MARKER, 3_000_000_000);
    const markerIcount = s.icount;
    const cpu = process.cpuUsage(t0);
    console.log(`# jit: marker after ${markerIcount} instructions, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (after the compare point)`);
    let at = s.until(PROMPT, 300_000_000, marker);

    // A checkpoint at the prompt, restored into a fresh machine: both answer the same command alike.
    const cp = parseCheckpoint(captureCheckpoint(s.machine, { kind: 'full', name: 'prompt' }).bytes, undefined, HASHES);
    const twin = new ConsoleSession(hashed(createOcteonMachine({ memoryMiB: 256, engine: 'jit' })).machine, STEP);
    restoreCheckpoint(twin.machine, [cp]);
    const cmd = 'echo $((6*7)); uname -m\n';
    twin.type(cmd);
    s.type(cmd);
    const end = s.until(PROMPT, 300_000_000, at);
    const answer = s.text.slice(at, end);
    const twinEnd = twin.until(PROMPT, 300_000_000);
    const twinAnswer = twin.text.slice(0, twinEnd);
    at = end;

    const outputs: Record<string, string> = {};
    for (const c of ['cat /proc/cpuinfo', 'cat /proc/interrupts', 'uname -a']) {
      s.type(`${c}\n`);
      const e = s.until(PROMPT, 500_000_000, at);
      outputs[c] = s.text.slice(at, e);
      at = e;
    }
    s.type('poweroff\n');
    for (let i = 0; i < 100 && !s.machine.poweredOff; i++) s.machine.run(STEP);
    return {
      bootLog: s.text.slice(0, marker), markerIcount, outputs, stateAt, twinAnswer, answer,
      exitCode: s.machine.exitCode, poweredOff: s.machine.poweredOff, tail: s.text.slice(at),
    };
  })();
  return runPromise;
}

/** Console text → lines without `\r`, the `[ seconds ]` prefix, and with every number (decimal or hex) as `#`. */
function shape(text: string): string[] {
  return text.replace(/\r/g, '').split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '').replace(/0x[0-9a-f]+|\d+/gi, '#'))
    .filter((l) => l !== '');
}

/** Lines of `a` and of `b` outside a longest common subsequence of the two. */
function unmatched(a: string[], b: string[]): { onlyA: string[]; onlyB: string[] } {
  const n = a.length, m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) {
    L[i]![j] = a[i] === b[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  }
  const onlyA: string[] = [], onlyB: string[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { i++; j++; }
    else if (j >= m || (i < n && L[i + 1]![j]! >= L[i]![j + 1]!)) onlyA.push(a[i++]!);
    else onlyB.push(b[j++]!);
  }
  return { onlyA, onlyB };
}

/**
 * The differences between the two boards' boot logs (lines as shape() leaves them), each
 * with the reason. Everything else the Malta boot prints, the Octeon boot prints too.
 */
const MALTA_ONLY: ReadonlyArray<{ re: RegExp; why: string }> = [
  { re: /^Linux version #\.#\.#-#-#kc-malta /, why: 'the kernel flavour (5kc-malta vs octeon)' },
  { re: /^earlycon: uart# at I\/O port|^printk: bootconsole \[uart#\]/, why: 'Malta\'s early console is the 8250 at I/O 0x3f8' },
  { re: /^CPU# revision is: # \(MIPS #KE\)$|^MIPS: machine is mti,malta$/, why: 'the CPU and machine (5KEc on Malta)' },
  { re: /^Software DMA cache coherency enabled$|^Cache parity protection disabled$/, why: 'the 5KEc\'s caches (Octeon: coherent, no parity setting)' },
  { re: /^Primary (instruction|data) cache #kB, .*VIPT/, why: 'cache geometry (5KEc VIPT vs Octeon virtually tagged)' },
  { re: /^ {2}DMA {6}\[mem #-#\]$/, why: 'zones: Malta\'s low 16 MiB DMA zone (Octeon has DMA32 only)' },
  { re: /^audit: type=# audit\(#\.#:#\): state=initialized audit_enabled=# res=#$/, why: 'printed by both, at a different point: the audit thread prints it when it is first scheduled' },
  { re: /^random: crng init done$/, why: 'printed by both, at a different point: Malta credits its YAMON environment\'s rngseed after the memory setup, Octeon the device tree\'s /chosen/rng-seed before its banner' },
  { re: /^Kernel command line: rd_start=# rd_size=# console=ttyS# rdinit=\/init$/, why: 'command lines (each board\'s default console)' },
  { re: /^CPU frequency #\.# MHz$|^clocksource: MIPS: |^sched_clock: # bits at |^clocksource: Switched to clocksource MIPS$/,
    why: 'Malta\'s clocksource is CP0 Count; Octeon\'s is CvmCount' },
  { re: /^Calibrating delay loop\.\.\. #\.# BogoMIPS/, why: 'Octeon presets lpj from the clock (no calibration)' },
  { re: /^Performance counters: Either hardware does not support performance counters/, why: '5KEc has no perf counters Linux uses' },
  { re: /^pci_bus #:#: root bus resource \[(mem|io ) #-#\]$|^pci #:#:#a?\.#: /, why: 'Malta\'s GT-64120 PCI bus and PIIX4 (Octeon: PCIe ports skipped)' },
  { re: /^Serial: #\/# driver, # ports, IRQ sharing enabled$/, why: '8250 driver configuration of each kernel' },
  { re: /^serial#\.#: ttyS# (at I\/O|at MMIO|extra baud rates)/, why: 'Malta\'s 16550A UARTs (Octeon: the MIO UART, "is a OCTEON")' },
  { re: /^i#: No controller found$/, why: 'the PC keyboard controller probe (Malta kernel only)' },
  { re: /^rtc_cmos #\.rtc: /, why: 'Malta\'s MC146818 RTC (the Octeon board has none)' },
  { re: /^Loaded X\.# cert 'Build time autogenerated kernel key: [0-9a-f#]+'$/, why: 'each kernel build has its own signing key' },
  { re: /^clk: Disabling unused clocks$/, why: 'Malta\'s common clock framework clocks' },
  { re: /^Freeing initrd memory: #K$/, why: 'printed by both, at a different point: Octeon frees the initrd earlier in initcalls' },
];
const OCTEON_ONLY: ReadonlyArray<{ re: RegExp; why: string }> = [
  { re: /^Linux version #\.#\.#-#-octeon /, why: 'the kernel flavour' },
  { re: /^Skipping L# locking due to reduced L# cache size$/, why: 'L2D_FUS3 reports a reduced L2: Linux does not lock its vectors in L2 (no L2C model needed)' },
  { re: /^CVMSEG size: # cache lines \(# bytes\)$/, why: 'Octeon CVMSEG local memory' },
  { re: /^printk: bootconsole \[early#\] (enabled|disabled)$/, why: 'Octeon\'s early printk (THR alias)' },
  { re: /^CPU# revision is: #d# \(Cavium Octeon II\)$/, why: 'the CPU' },
  { re: /^Kernel sections are not in the memory maps$/, why: 'KASLR moved the kernel below the bootmem free list, which starts above any place KASLR can copy it to; Linux adds its own sections' },
  { re: /^Wasting # bytes for tracking # unused pages$/, why: 'memmap for the low memory outside the free list (boot structures, initrd, the kernel\'s first copy)' },
  { re: /^audit: type=# audit\(#\.#:#\): state=initialized audit_enabled=# res=#$/, why: 'printed by both, at a different point: the audit thread prints it when it is first scheduled' },
  { re: /^random: crng init done$/, why: 'printed by both, at a different point: Octeon credits the device tree\'s /chosen/rng-seed before its banner' },
  { re: /^Using passed Device Tree\.$/, why: 'the board passes a device tree through bootinfo.fdt_addr' },
  { re: /^software IO TLB: /, why: 'Octeon uses SWIOTLB for DMA' },
  { re: /^Primary (instruction|data) cache #kB, .*(virtually tagged|sets)/, why: 'cache geometry' },
  { re: /^ {2}node {3}#: \[mem #-#\]$|^On node #, zone DMA#: # pages in unavailable ranges$/, why: 'memory comes in bootmem chunks above the kernel (Malta: one range from 0)' },
  { re: /^Kernel command line: {2}rd_start=# rd_size=# console=ttyS#,#$/, why: 'the argv words joined (Linux\'s Octeon code starts them with a space)' },
  { re: /^clocksource: OCTEON_CVMCOUNT: |^clocksource: Switched to clocksource OCTEON_CVMCOUNT$/, why: 'CvmCount is the clocksource' },
  { re: /^Calibrating delay loop \(skipped\) preset value\.\. #\.# BogoMIPS/, why: 'lpj preset from the clock' },
  { re: /^Performance counters: octeon PMU enabled, /, why: 'Octeon\'s PMU' },
  { re: /^PCIe: Port # (in endpoint mode|not in root complex mode), skipping\.$/, why: 'MIO_RST_CTLx: no PCIe root complex on this board' },
  { re: /^EDAC MC: Ver: #\.#\.#$/, why: 'EDAC core built into the octeon kernel' },
  { re: /^pci_bus #:#: root bus resource \[(mem #|io  #)\]$/, why: 'the (empty) Octeon PCI host bridge' },
  { re: /^Serial: #\/# driver, # ports, IRQ sharing disabled$/, why: '8250 driver configuration of each kernel' },
  { re: /^#\.serial: ttyS# at MMIO # \(irq = #, base_baud = #\) is a OCTEON$/, why: 'the MIO UART' },
  { re: /^Driver 'pata_octeon_cf' needs updating - please use bus_type methods$/, why: 'Octeon compact-flash driver registration' },
  { re: /^octeon_wdt: Initial granularity # Sec$/, why: 'the CIU watchdog driver' },
  { re: /^Freeing initrd memory: #K$/, why: 'printed by both, at a different point: Octeon frees the initrd earlier in initcalls' },
  { re: /^Loaded X\.# cert 'Build time autogenerated kernel key: [0-9a-f#]+'$/, why: 'each kernel build has its own signing key' },
];

describe('Octeon board and real Linux: acceptance (debian-octeon)', () => {
  test('1. boots to userspace, runs commands on the console, powers off with exit code 0', async () => {
    const r = await jitRun();
    const cpuinfo = r.outputs['cat /proc/cpuinfo']!;
    assert.match(cpuinfo, /cpu model\s*: Cavium Octeon II V0\.1/);
    assert.match(cpuinfo, /system type\s*: GENERIC \(CN6110p1\.1-\d+-CP\)/);
    assert.match(cpuinfo, /tlb_entries\s*: 128/);
    assert.match(cpuinfo, /kscratch registers\s*: 2/);
    assert.match(r.outputs['cat /proc/interrupts']!, /CIU\s+34\s+ttyS0/);
    assert.match(r.outputs['uname -a']!, /Linux mips64 6\.1\.\d+-\d+-octeon #1 SMP Debian .* mips64 GNU\/Linux/);
    assert.match(r.answer, /\n42\r?\nmips64\r?\n/);
    assert.doesNotMatch(r.bootLog, /Oops|Call Trace|Kernel panic|BUG:|WARNING:/);
    assert.ok(r.poweredOff, `not powered off; console after poweroff:\n${r.tail}`);
    assert.equal(r.exitCode, 0);
    assert.match(r.tail, /reboot: (Power down|System halted)/);
  });

  test('2. the boot log equals the Malta boot of the same Debian kernel version, except the listed differences', async () => {
    const r = await jitRun();
    const corpus = await debianCorpus((m) => console.log(`# guest: ${m}`));
    const malta = await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
    const { machine, board } = hashed(createMaltaMachine({ memoryMiB: 256 }));
    const ms = new ConsoleSession(machine, STEP);
    board.bootLinuxImage(new Uint8Array(readFileSync(corpus.kernelImage)), corpus.kernelLoadAddress, corpus.kernelEntry,
      new Uint8Array(readFileSync(malta.initrd)), 'console=ttyS0 rdinit=/init');
    const maltaEnd = ms.until(USERSPACE_MARKER, 3_000_000_000);
    const maltaLog = ms.text.slice(0, maltaEnd);
    const { onlyA, onlyB } = unmatched(shape(maltaLog), shape(r.bootLog));
    const explain = (lines: string[], allowed: typeof MALTA_ONLY): string[] => lines.filter((l) => !allowed.some((a) => a.re.test(l)));
    const problems = [...explain(onlyA, MALTA_ONLY).map((l) => `Malta only: ${l}`), ...explain(onlyB, OCTEON_ONLY).map((l) => `Octeon only: ${l}`)];
    console.log(`# malta vs octeon: ${shape(maltaLog).length} / ${shape(r.bootLog).length} lines, ${onlyA.length + onlyB.length} listed differences`);
    assert.deepEqual(problems, [], `unexplained boot log differences:\n${problems.join('\n')}`);
    // Most of the boot is the same kernel code: the common part dominates.
    assert.ok(shape(r.bootLog).length - onlyB.length > 100, `only ${shape(r.bootLog).length - onlyB.length} shared lines`);
  });

  test('3. the interpreter reaches the JIT\'s exact state; a restored checkpoint continues identically', async () => {
    const r = await jitRun();
    const g = await octeonGuest();
    const s = octeonSession(g, 'interp');
    s.runTo(COMPARE_AT);
    const diffs = stateDiff(r.stateAt, s.state()).map((d) => `${d} (jit vs interp)`);
    assert.deepEqual(diffs, [], `state differences at ${COMPARE_AT}:\n${diffs.join('\n')}`);
    assert.equal(r.twinAnswer, r.answer);
    assert.match(r.twinAnswer, /\n42\r?\nmips64\r?\n/);
  });

  test('4. the kernel\'s own device tree: the units it probes that the board lacks are reported, its panic reaches the console', async () => {
    const g = await octeonGuest();
    const { machine, board } = hashed(createOcteonMachine({ memoryMiB: 256, engine: 'jit', deviceTree: 'kernel' }));
    const logs: string[] = [];
    machine.events.on('log', (e) => logs.push(`${e.level}: ${e.message}`));
    const s = new ConsoleSession(machine, STEP);
    board.bootLinux(g.kernel, g.initrd, g.append);
    s.until(/---\[ end Kernel panic - not syncing: [^\n]*\]---/, 1_500_000_000);
    const why = /Kernel panic - not syncing: ([^\r\n]*)/.exec(s.text)![1];
    console.log(`# the kernel's own device tree: ${logs.length} accesses reported, panic "${why}" after ${s.icount} instructions`);
    // The I2C driver resets its TWSI unit and reads it back; MDIO enables SMI 0 (both in the built-in tree only).
    assert.match(s.text, /i2c-octeon 1180000001000\.i2c: .*TWSI_RST failed/);
    assert.ok(logs.includes('warn: Octeon CSR read of 0x0001180000001000 (MIO_TWS0_SW_TWSI) is not modelled: reads 0'), logs.slice(0, 40).join('\n'));
    assert.ok(logs.includes('warn: Octeon CSR write to 0x0001180000001820 (SMI0_EN) is not modelled: ignored'), logs.slice(0, 40).join('\n'));
    assert.equal(new Set(logs).size, logs.length, 'each address and direction is reported once');
    assert.ok(logs.every((l) => /^warn: Octeon CSR (read of|write to) 0x[0-9a-f]{16} \(.+\) is not modelled: (reads 0|ignored)$/.test(l)), 'every report names the address and the CSR or its unit');
  });
});
