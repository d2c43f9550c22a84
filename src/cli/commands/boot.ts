// `mips64 boot [FILE.elf | GUEST]`: boots a guest with the console on this terminal.
//   (no argument)         the built-in demo guest (dist/guests/demo.elf) on the demo board
//   FILE.elf              a bare-metal ELF on the demo board
//   --board malta|octeon --kernel K [--initrd I] [--append ARGS] [--dtb FILE (octeon)]
//                         a Linux kernel ELF on a Linux board (the boards are declared in
//                         src/emulator/boards/catalog.ts and registry.ts; --kernel without
//                         --board picks the board the ELF flags say the kernel is for)
//   debian-malta, debian-octeon
//                         Debian's kernel + busybox initramfs for that board (fetched on first use)
// --debug-port N also serves DAP clients on a TCP port: they `attach` to the running guest
// (src/cli/debug-server.ts); --gdb PORT (-s: 1234) serves gdb's remote protocol (src/gdbstub),
// alongside or instead of it, on the same machine.
// See src/cli/console.ts for the terminal handling and the exit codes.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, UsageError, firstLine } from '../errors';
import { readInputFileSync } from '../../storage/input-file';
import { CliIo } from '../io';
import { printable } from '../printable';
import { ConsoleInput, runConsole, ESCAPE_HELP } from '../console';
import { JitOptions } from '../../emulator/jit/engine';
import { parseJitTuning, TUNING_HELP } from '../../emulator/jit/tuning';
import { CHECKPOINT_BOOT_OPTIONS, checkpointFileConfig, restoreFile, setupBootCheckpoints } from '../checkpoint-options';
import { HostNotes } from '../host-notes';
import { findImages, readImagesRecord, recreateMachine } from '../recreate-machine';
import { EXIT_SILENT_GUEST, watchSilentGuest } from '../silent-guest';
import { DEFAULT_SILENT_SECONDS } from '../../emulator/silent-guest';
import { Command } from './command';
import { DebugServer } from '../debug-server';
import { isLoopbackHost } from '../../gdbstub/server';
import { fetchGuest } from './guest';
import { DEBIAN_GUESTS, debianGuest } from '../guest/debian-guests';
import { DEMO_ELF } from '../guest/demo-image';
import { BOARD_NAMES, BoardName, boardInfo } from '../../emulator/boards/catalog';
import { BoardError, bootBoard, BootedBoard, KernelImage, linuxBoardFor } from '../../emulator/boards/registry';
import { FdtError } from '../../emulator/boards/fdt';
import { CPU_MODELS } from '../../emulator/cpu/cpu-models';
import { ElfError, parseElf } from '../../emulator/loader/elf';
import { MachineDebugger } from '../../emulator/debug/debugger';
import { TimeTravelDebugger } from '../../emulator/timetravel/reverse';
import { instantBootCache, restoreInstantBoot, saveInstantBootAtShell } from '../../storage/instant-boot';
import { processHashes } from '../../storage/parallel-hashes';
import { cacheDir } from '../guest/debian-packages';

const NAME = 'boot';
/** Exit code when a Linux guest panics (its console shows PANIC_TEXT). */
export const EXIT_GUEST_PANIC = 3;
const PANIC_TEXT = 'Kernel panic - not syncing';
const ENGINES = ['jit', 'interp'] as const;
const GUEST_NAMES = DEBIAN_GUESTS.map((g) => g.name);
const LINUX_BOARDS = BOARD_NAMES.filter((b) => boardInfo(b)!.loads === 'linux');

export const bootCommand: Command = {
  name: NAME,
  summary: `boot a guest (built-in demo, bare-metal ELF, Linux kernel, ${GUEST_NAMES.join(', ')}) on this terminal`,
  usage: `boot [FILE.elf | ${GUEST_NAMES.join(' | ')}] [--board ${BOARD_NAMES.join('|')}] [--kernel K] [--initrd I] [--append ARGS] [--dtb FILE] [--engine jit|interp] [--memory MiB] [-EB] [--cpu CPU] [--debug-port N [--debug-host H]] [--gdb PORT | -s] [--gdb-host H] [--wait-for-debugger | -S]`,
  options: [
    { name: 'board', value: BOARD_NAMES.join('|'), help: `board (default: demo; with --kernel the one its ELF flags name: ${LINUX_BOARDS.join(' or ')})` },
    { name: 'kernel', value: 'K', help: `Linux kernel ELF (vmlinux or vmlinuz) for the ${LINUX_BOARDS.join(' or ')} board` },
    { name: 'initrd', value: 'I', help: 'initial ramdisk (cpio, optionally gzip\'d) for a Linux board' },
    { name: 'dtb', value: 'FILE', help: `flattened device tree blob (.dtb) for the kernel instead of the board's own (${BOARD_NAMES.filter((b) => boardInfo(b)!.dtb).join(', ')} board)` },
    { name: 'append', value: 'ARGS', help: `kernel command line (default: the board's, e.g. "${boardInfo('malta')!.defaultAppend}")` },
    { name: 'engine', value: 'jit|interp', help: 'execution engine (default jit)' },
    { name: 'memory', value: 'MiB', help: 'guest RAM in MiB (default 256)' },
    { name: 'tune', value: 'K=V,…', help: `the translating engine's knobs, for experiments (default: $MIPS64_TUNE): ${TUNING_HELP}` },
    { name: 'big-endian', aliases: ['-EB'], help: 'big-endian machine (the demo guest has a big-endian build)' },
    { name: 'cpu', value: 'CPU', help: `CPU model: ${Object.keys(CPU_MODELS).join(', ')} (default: the board's, 5KEc or Octeon2)` },
    { name: 'exact-tlb', help: 'the TLB exactly as the hardware has it: no victim entries kept after tlbwr (slower; for TLB refill studies)' },
    { name: 'warp', help: 'let guest time run faster than real time while the guest idles' },
    { name: 'silent-exit', value: 'SEC', help: 'Linux boards: stop a guest that wrote nothing on its console after SEC s of guest CPU time (default 30; 0: never)' },
    { name: 'cold', help: 'Linux boards: boot from scratch, not from the cached boot at the shell (instant boot)' },
    { name: 'record', help: 'with --debug-port or --gdb: record the run in memory so an attached debugger can step back and reverse-continue' },
    { name: 'idle-exit', value: 'SEC', help: 'stdin not a terminal: stop this long after end of input once the guest idles quietly (default 5)' },
    ...CHECKPOINT_BOOT_OPTIONS,
    { name: 'debug-port', value: 'N', help: 'also accept debugger connections (DAP "attach") on TCP port N (0: any free port, printed)' },
    { name: 'debug-host', value: 'H', help: 'address the debug port listens on (default 127.0.0.1; whoever can connect controls the guest)' },
    { name: 'gdb', value: 'PORT', help: 'also serve gdb\'s remote protocol (target remote :PORT) on TCP port PORT (0: any free port, printed)' },
    { name: 'gdb-default', aliases: ['-s'], help: 'shorthand for --gdb 1234 (as QEMU\'s -s)' },
    { name: 'gdb-host', value: 'H', help: 'address the gdb port listens on (default 127.0.0.1; whoever can connect controls the guest)' },
    { name: 'wait-for-debugger', aliases: ['-S'], help: 'with --debug-port or --gdb: hold the guest before its first instruction until a debugger attaches' },
  ],
  details: [
    'Guest console output goes to stdout as it is. On a terminal, keys go to the guest (Ctrl-C',
    'too). Ctrl-A starts an escape, as in QEMU (on a terminal or a pipe):',
    ...ESCAPE_HELP.map((l) => `  ${l}`),
    'With stdin not a terminal, its bytes are the guest\'s input; at end of input the guest',
    'runs until it powers off, or stops (exit 2) once it has idled without output for',
    '--idle-exit seconds. On a Linux board, piped input waits until Linux opens the console.',
    'Exit code: the guest\'s power-off code (the demo\'s q: 0; Linux poweroff/halt: 0); 0 after C-a x',
    '(as QEMU); 128 + N after signal N (SIGINT, SIGTERM, SIGHUP, the terminal closing: SIGHUP); on a',
    'Linux board, 3 once the console shows "Kernel panic - not syncing" (the guest\'s panic line is',
    'shown); 4 when the guest resets a machine restored without its boot images (see --restore);',
    '5 when a Linux guest wrote nothing on its console in --silent-exit s of guest CPU time (30 s,',
    'idle time not counted: a damaged kernel, or one for another board), naming its last exception;',
    '1 when the Octeon board stops a guest polling a CSR it does not model (named on stderr).',
    'A kernel built for another board is refused, naming the right one.',
    '--restore CKPT alone recreates the machine the checkpoint records (board, CPU, memory, byte',
    'order, kernel command line and other board options); its boot images (kernel, initrd, program)',
    'are read again from their recorded paths and checked against their SHA-256 for a later guest',
    'reset: when one is missing or changed, the guest still runs from the checkpoint, and a reset',
    'stops it (exit 4) saying which. With a board, kernel or program given too, that machine is',
    'built and the checkpoint must match it.',
    'With --debug-port, a DAP client (VS Code: an "attach" configuration with "port") can attach',
    'while the guest runs here: it pauses, inspects, sets breakpoints and steps; its disconnect',
    'lets the guest run on here, and another client may attach later. A debugger\'s terminate',
    'ends the guest (exit 130). Guest output stays on this terminal and also goes to the debugger.',
    'With --gdb PORT (or -s for 1234), gdb-multiarch connects with `target remote :PORT`: the guest',
    'stops while gdb is connected and runs on after `detach`; `monitor help` lists the extra commands',
    '(TLB, CP0, v2p, checkpoints). One gdb at a time; a DAP client may attach to the same machine.',
    'Instant boot (Linux boards): the first boot of a kernel + initrd + command line + machine',
    'without typed input saves a checkpoint in the cache directory when the console first waits at',
    'the shell; later boots of the same configuration (same emulator build) start there and say so.',
    '--cold, --restore and --wait-for-debugger (breakpoints may be set before that point) boot cold.',
  ],
  async run(args, io) {
    return boot(args.positionals, args.options, io);
  },
};

interface Plan {
  /** Undefined: the board the kernel's ELF flags name (decided once the kernel is read). */
  board: BoardName | undefined;
  /** Demo board: ELF to load (path, or undefined for the built-in demo). */
  elf?: string;
  kernel?: string;
  initrd?: string;
  /** A user's device tree blob (boards with `dtb`). */
  dtb?: string;
  append?: string;
  engine: 'jit' | 'interp';
  /** The translating engine's knobs (--tune / MIPS64_TUNE). */
  jit: JitOptions;
  memoryMiB?: number;
  bigEndian: boolean;
  cpu?: string;
  warp: boolean;
  /** --exact-tlb: MachineOptions.exactTlb. */
  exactTlb: boolean;
  idleExitMs: number;
  /** Seconds of guest CPU time a Linux guest may run without console output (undefined: DEFAULT_SILENT_SECONDS). */
  silentExitSec?: number;
  guest?: string;
  /** Debugger ports: DAP (--debug-port) and/or gdb (--gdb); wait holds the guest until one attaches. */
  debug?: { dap?: { port: number; host: string }; gdb?: { port: number; host: string }; wait: boolean };
  cold: boolean;
  record: boolean;
}

/** The boot plan the command line describes (`recorded`: the board of the checkpoint a bare --restore recreates). */
function plan(positionals: readonly string[], o: ReadonlyMap<string, string | true>, recorded?: BoardName): Plan {
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`, NAME);
  const str = (k: string): string | undefined => (o.has(k) ? String(o.get(k)) : undefined);
  const engine = str('engine') ?? 'jit';
  if (!(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`unknown engine '${engine}' (expected jit or interp)`, NAME);
  let memoryMiB: number | undefined;
  const mem = str('memory');
  if (mem !== undefined) {
    memoryMiB = /^\d+$/.test(mem) ? Number(mem) : NaN;
    if (!(memoryMiB >= 1 && memoryMiB <= 2048)) throw new UsageError(`invalid memory size '${mem}' (expected MiB, 1 to 2048)`, NAME);
  }
  let cpu = str('cpu');
  if (cpu !== undefined) {
    const hit = Object.keys(CPU_MODELS).find((m) => m.toLowerCase() === cpu!.toLowerCase());
    if (!hit) throw new UsageError(`unknown CPU '${cpu}' (expected one of ${Object.keys(CPU_MODELS).join(', ')})`, NAME);
    cpu = hit;
  }
  const boardOpt = str('board');
  if (boardOpt !== undefined && !(BOARD_NAMES as readonly string[]).includes(boardOpt)) {
    throw new UsageError(`unknown board '${boardOpt}' (expected ${BOARD_NAMES.join(', ')})`, NAME);
  }
  let silentExitSec: number | undefined;
  const silent = str('silent-exit');
  if (silent !== undefined) {
    silentExitSec = /^\d+(\.\d+)?$/.test(silent) ? Number(silent) : NaN;
    if (!(silentExitSec >= 0 && silentExitSec <= 86_400)) throw new UsageError(`invalid --silent-exit '${silent}' (expected seconds)`, NAME);
  }
  let idleExitMs = 5000;
  const idle = str('idle-exit');
  if (idle !== undefined) {
    idleExitMs = /^\d+(\.\d+)?$/.test(idle) ? Number(idle) * 1000 : NaN;
    if (!(idleExitMs >= 0 && idleExitMs <= 86_400_000)) throw new UsageError(`invalid --idle-exit '${idle}' (expected seconds)`, NAME);
  }
  let jit: JitOptions;
  try { jit = parseJitTuning(str('tune') ?? process.env.MIPS64_TUNE ?? ''); } catch (e) { throw new UsageError(`--tune: ${(e as Error).message}`, NAME); }
  const common = {
    engine: engine as Plan['engine'], jit, memoryMiB, bigEndian: o.has('big-endian'), cpu, warp: o.has('warp'), exactTlb: o.has('exact-tlb'), idleExitMs, silentExitSec, debug: debugPlan(o),
    cold: o.has('cold'), record: o.has('record'),
  };
  if (common.record && !common.debug) throw new UsageError('--record needs --debug-port N or --gdb PORT (an attached debugger steps back through the recording)', NAME);
  const arg = positionals[0];
  if (recorded !== undefined) return { ...common, board: recorded };
  const dtbOf = (b: string): string | undefined => {
    if (o.has('dtb') && !boardInfo(b)?.dtb) throw new UsageError(`--dtb is for the ${BOARD_NAMES.filter((n) => boardInfo(n)!.dtb).join(', ')} board, not ${b}`, NAME);
    return str('dtb');
  };

  const guest = arg !== undefined ? debianGuest(arg) : undefined;
  if (guest) {
    if (boardOpt !== undefined && boardOpt !== guest.board) throw new UsageError(`${guest.name} runs on the ${guest.board} board`, NAME);
    for (const k of ['kernel', 'initrd']) if (o.has(k)) throw new UsageError(`--${k} cannot be combined with ${guest.name}`, NAME);
    if (common.bigEndian) throw new UsageError(`${guest.name} is little-endian (mips64el); drop -EB`, NAME);
    return { ...common, board: guest.board as BoardName, guest: guest.name, append: str('append'), dtb: dtbOf(guest.board) };
  }
  const board = (boardOpt ?? (o.has('kernel') ? undefined : 'demo')) as BoardName | undefined;
  if (board === undefined || boardInfo(board)!.loads === 'linux') {
    const kernel = str('kernel') ?? arg;
    if (kernel === undefined) throw new UsageError(`missing --kernel K for the ${board} board`, NAME);
    if (o.has('kernel') && arg !== undefined) throw new UsageError(`unexpected argument '${arg}' (the kernel is given by --kernel)`, NAME);
    return { ...common, board, kernel, initrd: str('initrd'), append: str('append'), dtb: board === undefined ? str('dtb') : dtbOf(board) };
  }
  for (const k of ['kernel', 'initrd', 'append', 'dtb']) if (o.has(k)) throw new UsageError(`--${k} needs a Linux board (--board ${LINUX_BOARDS.join('|')})`, NAME);
  return { ...common, board: 'demo', elf: arg };
}

function debugPlan(o: ReadonlyMap<string, string | true>): Plan['debug'] {
  const portOf = (k: string): number | undefined => {
    const v = o.get(k);
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(String(v)) ? Number(v) : NaN;
    if (!(n >= 0 && n <= 65535)) throw new UsageError(`invalid --${k} '${String(v)}' (expected a TCP port, 0 to 65535)`, NAME);
    return n;
  };
  const hostOf = (k: string): string => { const h = o.get(k); return typeof h === 'string' ? h : '127.0.0.1'; };
  const dapPort = portOf('debug-port');
  if (o.has('gdb') && o.has('gdb-default')) throw new UsageError('give either --gdb PORT or -s (--gdb 1234), not both', NAME);
  const gdbPort = o.has('gdb-default') ? 1234 : portOf('gdb');
  if (dapPort === undefined && o.has('debug-host')) throw new UsageError('--debug-host needs --debug-port N', NAME);
  if (gdbPort === undefined && o.has('gdb-host')) throw new UsageError('--gdb-host needs --gdb PORT (or -s)', NAME);
  if (dapPort === undefined && gdbPort === undefined) {
    if (o.has('wait-for-debugger')) throw new UsageError('--wait-for-debugger needs --debug-port N or --gdb PORT', NAME);
    return undefined;
  }
  return {
    dap: dapPort === undefined ? undefined : { port: dapPort, host: hostOf('debug-host') },
    gdb: gdbPort === undefined ? undefined : { port: gdbPort, host: hostOf('gdb-host') },
    wait: o.has('wait-for-debugger'),
  };
}

function remoteWarning(option: string, host: string, who: string): string {
  return `mips64: warning: ${option} ${printable(host)} accepts ${who} from other machines, with no authentication: whoever can connect controls the guest and can read and write its memory\n`;
}


/** dist/guests/<file> next to the bundled CLI (dist/cli.js). */
export function builtinGuestPath(file: string): string {
  return join(__dirname, 'guests', file);
}

/** A kernel, ELF or initrd: a regular file within its size limit (src/storage/input-file.ts). */
function readInput(file: string, kind: 'elf' | 'initrd' | 'dtb', what: string): Uint8Array {
  try {
    return readInputFileSync(file, kind, what);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

/** Turns a load failure into one line: `FILE: message` (with a hint for the byte order). */
function loadError(file: string, e: unknown, bigEndian: boolean): never {
  if (e instanceof ElfError || e instanceof Error) {
    let msg = firstLine(e.message);
    if (/-endian ELF for a/.test(msg)) msg += bigEndian ? ' (drop -EB)' : ' (add -EB)';
    throw new CliError(`${file}: ${msg}`);
  }
  throw e;
}

async function boot(positionals: readonly string[], options: ReadonlyMap<string, string | true>, io: CliIo): Promise<number> {
  // --restore with no board, kernel or program: the checkpoint's machine, recreated from the file alone.
  const restoring = restoreFile(options);
  const config = restoring !== undefined ? checkpointFileConfig(restoring) : undefined;
  const fromFile = config !== undefined && positionals.length === 0
    && !['board', 'kernel', 'initrd', 'dtb', 'append', 'memory', 'big-endian', 'cpu', 'exact-tlb'].some((k) => options.has(k));
  const p = plan(positionals, options, fromFile ? config.board as BoardName : undefined);
  // --restore: the machine gets the checkpoint's RAM size unless --memory says otherwise
  // (whole MiB: an Octeon core's 64 KiB of CVMSEG are RAM the checkpoint holds too).
  if (config !== undefined && p.memoryMiB === undefined) p.memoryMiB = Math.floor(config.ramBytes / 1048576);
  const log = (m: string): void => { io.stderr.write(`mips64: ${printable(m)}\n`); };
  let panicked = false;
  let booted: BootedBoard;
  let image: { bytes: Uint8Array; name: string; elf?: KernelImage['elf'] };
  let board: BoardName;
  // Restoring: the board options a command line cannot give are the checkpoint's.
  const machineOpts = { engine: p.engine, jit: p.jit, memoryMiB: p.memoryMiB, bigEndian: p.bigEndian, cpu: p.cpu, exactTlb: p.exactTlb, recorded: config?.options };
  let instant = false;
  let stopSaving = (): void => {};

  if (fromFile) {
    const r = recreateMachine(config, p.engine, restoring!);
    booted = { machine: r.machine, entry: r.machine.cpu.pc, console: r.uart, consoleReady: r.consoleReady };
    image = r.image;
    board = r.board;
    for (const n of r.notes) log(n);
  } else if (p.board === 'demo') {
    board = 'demo';
    let file = p.elf;
    if (file === undefined) {
      file = builtinGuestPath(p.bigEndian ? DEMO_ELF.big : DEMO_ELF.little);
      if (!existsSync(file)) throw new CliError(`built-in demo guest not found at ${file} (run 'npm run build')`);
    }
    const bytes = readInput(file, 'elf', 'program');
    const name = p.elf ?? 'built-in demo';
    try {
      const program: KernelImage = { bytes, elf: parseElf(bytes), name };
      image = program;
      booted = bootBoard('demo', { ...machineOpts, kernel: program });
    } catch (e) {
      loadError(p.elf ?? 'built-in demo guest', e, p.bigEndian);
    }
    booted.machine.bootImages = readImagesRecord([{ role: 'program', path: file, bytes }]);
  } else {
    let kernelPath = p.kernel, initrdPath = p.initrd, append = p.append;
    if (p.guest) {
      const img = await fetchGuest(p.guest, { log });
      kernelPath = img.kernel;
      initrdPath = img.initrd;
      append ??= img.append;
    }
    const kernel = readInput(kernelPath!, 'elf', 'kernel');
    let initrd = initrdPath !== undefined ? readInput(initrdPath, 'initrd', 'initrd') : undefined;
    let dtbPath = p.dtb;
    let dtb = dtbPath !== undefined ? readInput(dtbPath, 'dtb', 'device tree blob') : undefined;
    // Restoring into this kernel: what the command line leaves out (the kernel command
    // line, the initrd a reset boots with) is the checkpoint's; an initrd not at its
    // recorded path only makes a later guest reset stop, saying so.
    const recordedInitrd = config?.images?.find((i) => i.role === 'initrd');
    let initrdMissing: string | undefined;
    if (config !== undefined) {
      if (append === undefined && typeof config.options?.append === 'string') append = config.options.append;
      if (initrd === undefined && recordedInitrd) {
        const { found, missing } = findImages([recordedInitrd]);
        initrd = found.get('initrd');
        if (initrd) initrdPath = recordedInitrd.path;
        else initrdMissing = `${missing.join('; ')} (--initrd gives it)`;
      }
      // A recorded device tree is part of the machine: without it, this would be another one.
      const recordedDtb = config.images?.find((i) => i.role === 'dtb');
      if (dtb === undefined && recordedDtb) {
        const { found, missing } = findImages([recordedDtb]);
        dtb = found.get('dtb');
        if (!dtb) throw new CliError(`${missing.join('; ')}: give it with --dtb`);
        dtbPath = recordedDtb.path;
      }
    }
    let kimage: KernelImage;
    try {
      kimage = { bytes: kernel, elf: parseElf(kernel), name: kernelPath! };
    } catch (e) {
      loadError(kernelPath!, e, p.bigEndian);
    }
    image = kimage;
    board = p.board ?? linuxBoardFor(kimage.elf);
    try {
      booted = bootBoard(board, { ...machineOpts, kernel: kimage, initrd, dtb, append });
    } catch (e) {
      if (e instanceof BoardError) throw new CliError(e.message);
      if (e instanceof FdtError) throw new CliError(`${dtbPath}: ${e.message}`);
      loadError(e instanceof ElfError || initrd === undefined ? kernelPath! : `${kernelPath}, ${initrdPath}`, e, p.bigEndian);
    }
    booted.machine.bootImages = readImagesRecord([
      { role: 'kernel', path: kernelPath!, bytes: kernel },
      ...(initrd !== undefined ? [{ role: 'initrd' as const, path: initrdPath!, bytes: initrd }] : []),
      ...(dtb !== undefined ? [{ role: 'dtb' as const, path: dtbPath!, bytes: dtb }] : []),
    ]);
    if (initrdMissing !== undefined) {
      booted.machine.bootImages.push({ ...recordedInitrd! });
      booted.machine.resetUnavailable = initrdMissing;
      log(`the guest runs from the checkpoint, but a guest reset would stop it: ${initrdMissing}`);
    }
    booted.machine.snapshot.hashes = processHashes();
    // Instant boot: start from this configuration's cached boot at the shell, or save it this time.
    if (restoring === undefined && !p.debug?.wait) {
      const machine = booted.machine;
      const cache = instantBootCache(cacheDir(), machine, kernel, initrd, append ?? '', dtb);
      const hit = p.cold ? undefined : restoreInstantBoot(machine, cache, log);
      if (hit) {
        instant = true;
        io.stdout.write(hit.console);
        log(`instant boot: started from the cached boot at the shell (instruction ${hit.icount}, restored in ${Math.round(hit.ms)} ms); --cold boots from scratch`);
      } else {
        const b = booted;
        stopSaving = saveInstantBootAtShell(machine, cache, () => b.consoleReady(), log);
      }
    }
  }
  // Checkpoints of this machine are sealed and verified on two threads (storage/parallel-hashes.ts).
  booted.machine.snapshot.hashes = processHashes();
  const linux = boardInfo(board)!.loads === 'linux';
  if (linux) {
    const machine = booted.machine;
    // A panicking kernel never powers off (or reboots into the same panic): once its panic
    // line is complete on the console, stop the machine and say so on the host side.
    let tail = '';
    machine.events.on('uartTx', ({ port, byte }) => {
      if (port !== 0 || panicked) return;
      tail = (tail + String.fromCharCode(byte)).slice(-200);
      const at = tail.indexOf(PANIC_TEXT);
      if (at >= 0 && tail.indexOf('\n', at) >= 0) {
        panicked = true;
        machine.powerOff(EXIT_GUEST_PANIC);
      }
    });
  }
  const { machine, console: uart } = booted;

  const stdin = process.stdin as ConsoleInput;
  if (stdin.isTTY) io.stderr.write(`mips64: booting (${board} board, ${p.engine}); C-a x quits, C-a h for help\n`);
  // Host lines during the run (checkpoint progress) wait for the guest's console line to end.
  const notes = new HostNotes(io.stderr, () => (stdin as { isRaw?: boolean }).isRaw === true);
  const checkpoints = setupBootCheckpoints(machine, options, io, NAME, notes); // --restore, --checkpoint-every
  // A kernel that never writes on its console (damaged, another board's) is stopped; not a restored guest (it ran before).
  const silentSec = p.silentExitSec ?? (linux && checkpoints.restored === undefined && !instant ? DEFAULT_SILENT_SECONDS : 0);
  const silentWatch = silentSec > 0 ? watchSilentGuest(machine, Math.round((silentSec * 1e9) / machine.nsPerInsn)) : undefined;
  let debug: DebugServer | undefined;
  try {
    if (p.debug) {
      const tty = stdin.isTTY === true;
      let record: { dbg: MachineDebugger; tt: TimeTravelDebugger } | undefined;
      if (p.record) {
        const dbg = new MachineDebugger(machine);
        record = { dbg, tt: new TimeTravelDebugger(dbg) };
        io.stderr.write(`mips64: recording for reverse debugging (history within ${record.tt.tt.budgetBytes >> 20} MiB)\n`);
      }
      debug = new DebugServer({
        machine, engine: p.engine, board, image, waitForDebugger: p.debug.wait, restored: checkpoints.restored !== undefined || instant,
        checkpointer: checkpoints.checkpointer,
        ...record,
        // The console may have the terminal in raw mode: \r\n there.
        note: (line) => io.stderr.write(tty ? `\r\nmips64: ${printable(line)}\r\n` : `mips64: ${printable(line)}\n`),
      });
      const waits = p.debug.wait ? '; the guest waits for a debugger to attach' : '';
      const { dap, gdb } = p.debug;
      if (dap) {
        const port = await debug.listen(dap.port, dap.host);
        io.stderr.write(`mips64: debug server listening on ${dap.host}:${port}${waits}\n`);
        if (!isLoopbackHost(dap.host)) io.stderr.write(remoteWarning('--debug-host', dap.host, 'debuggers'));
      }
      if (gdb) {
        const port = await debug.listenGdb(gdb.port, gdb.host);
        io.stderr.write(`mips64: gdb server listening on ${gdb.host}:${port} (gdb-multiarch: target remote ${isLoopbackHost(gdb.host) ? '' : gdb.host}:${port})${waits}\n`);
        if (!isLoopbackHost(gdb.host)) io.stderr.write(remoteWarning('--gdb-host', gdb.host, 'gdb clients'));
      }
    }
    const code = await runConsole({ machine, uart, stdin, stdout: io.stdout, stderr: io.stderr, warp: p.warp, handover: debug,
      idleExitMs: p.idleExitMs, notes,
      // Linux opens the serial console late and drops what arrived before: hold piped input
      // until the receive interrupt is enabled.
      holdInput: linux ? () => !booted.consoleReady() : undefined,
    });
    if (panicked) {
      io.stderr.write('mips64: guest kernel panic\n');
      return EXIT_GUEST_PANIC;
    }
    if (silentWatch?.reason !== undefined) {
      io.stderr.write(`mips64: ${silentWatch.reason}\n`);
      return EXIT_SILENT_GUEST;
    }
    return code;
  } finally {
    silentWatch?.close();
    stopSaving();
    await debug?.close();
    checkpoints.close();
  }
}
