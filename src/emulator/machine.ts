// The root object of an emulated system: it owns the physical bus and RAM, the CPU and
// its execution engine, every device, the board wiring and the virtual clock. Nothing
// lives in module globals, so several machines can coexist (tests, checkpoints).

import { Cp0 } from './cpu/cp0';
import { CVMSEG_PA } from './cpu/cp0-cavium';
import { CpuHooks, Cpu } from './cpu/cpu';
import { CPU_MODELS, CpuModel } from './cpu/cpu-models';
import { Interpreter } from './cpu/interpreter';
import { JitEngine, JitOptions } from './jit/engine';
import { Device, isTimed, TimedDevice } from './devices/device';
import type { BootImage } from './boot-images';
import { Emitter, MachineEvents } from './events';
import { PhysicalBus } from './memory/bus';
import { SnapshotContext } from './snapshot/context';
import { Stateful, StateSpec } from './snapshot/state';

/** Console input as it arrived: the instruction count and the bytes (replayed after a restore). */
export interface ConsoleInputRecord {
  readonly icount: number;
  readonly bytes: Uint8Array;
}

/** FPU (CP1) registers; Status.FR is CP0 state and the FPU's `fr` copy is rebuilt from it. */
const FPU_SPEC: StateSpec = { name: 'cpu0.fpu', version: 1, fields: { f: 'i32array', fcsr: 'i32' }, ranges: { f: { length: 64 } } };
/** Machine-level state: power. A powered-off machine is never checkpointed (nothing would run). */
const MACHINE_SPEC: StateSpec = {
  name: 'machine', version: 1, fields: { poweredOff: 'bool', exitCode: 'i32' },
  invariants: [(s) => (s.poweredOff ? 'the machine is powered off (a checkpoint is of a machine that runs)' : undefined)],
};

export interface MachineOptions {
  board: 'demo' | 'malta' | 'octeon';
  cpu?: string;
  memoryMiB?: number;
  bigEndian?: boolean;
  /** Virtual nanoseconds per executed instruction (default 5: a 200 MHz CPU). */
  nsPerInsn?: number;
  engine?: 'interp' | 'jit';
  /** Options of the translating engine (its WebAssembly tier, thresholds). */
  jit?: JitOptions;
  /**
   * The TLB exactly as the hardware has it: entries tlbwr replaces are gone at once (by
   * default they live on as victim entries while software cannot tell, as in QEMU: see
   * mmu/tlb.ts). For studying TLB refill behaviour; guests run slower.
   */
  exactTlb?: boolean;
}

export type StopReason = 'budget' | 'idle' | 'poweroff' | 'stop';

export interface RunResult { executed: number; reason: StopReason }

/** What a time-travel recorder (src/emulator/timetravel) hooks into: runs and console input. */
export interface RunRecorder {
  /** Before a run: may take a snapshot or deliver recorded input; returns the budget to run (at most `budget`). */
  beforeRun(budget: number): number;
  afterRun(): void;
  /** Host console input about to be delivered now: recorded, or refused by throwing (nothing delivered). */
  input(bytes: Uint8Array): void;
  /** The instruction count of the next recorded input (replay), or Infinity: a WAIT skip must not pass it. */
  inputLimit(): number;
  /** The machine's state was replaced from elsewhere (a checkpoint restore): the history starts again. */
  discontinuity(): void;
}

/** What a board provides to the machine. */
export interface Board {
  readonly name: string;
  /** Devices to map and tick, created by the board. */
  readonly devices: Device[];
  /** Console input (host keyboard) goes here. */
  consoleInput(bytes: Uint8Array | readonly number[]): void;
  reset(): void;
  /**
   * The board's options that change what the guest sees, resolved to their values (a
   * checkpoint records them: MachineConfig.options). None when the board has none.
   */
  guestOptions?(): Record<string, string | number | boolean>;
  /** The CPU executed WAIT (optional: boards that stop a halted core). */
  cpuWaits?(): void;
}

/** Exit code of a machine stopped because a guest reset needs boot images it does not have (Machine.resetUnavailable). */
export const EXIT_RESET_UNAVAILABLE = 4;

export class Machine {
  readonly events = new Emitter<MachineEvents>();
  readonly bus: PhysicalBus;
  readonly cpu: Cpu;
  readonly interp: Interpreter;
  /** The translating engine, when selected. */
  readonly jit: JitEngine | undefined;
  readonly model: CpuModel;
  readonly nsPerInsn: number;
  readonly options: Required<Pick<MachineOptions, 'board' | 'memoryMiB' | 'bigEndian'>> & MachineOptions;
  board!: Board;
  private timed: TimedDevice[] = [];
  poweredOff = false;
  exitCode = 0;
  /**
   * Every console input since power-on (or since the restored checkpoint), in order:
   * a run is reproduced exactly by restoring a checkpoint and replaying the entries
   * recorded after it (snapshot/input-log.ts).
   */
  inputLog: ConsoleInputRecord[] = [];
  /**
   * The images the board boots from (again on a reset), recorded by the host that read
   * them; checkpoints carry this list (paths and hashes, not the bytes).
   */
  bootImages: BootImage[] = [];
  /**
   * Set when the board cannot boot again (a machine recreated from a checkpoint whose
   * images are not at hand): what is missing. A guest reset then stops the machine with
   * this reason (EXIT_RESET_UNAVAILABLE) instead of running whatever is at the reset vector.
   */
  resetUnavailable: string | undefined = undefined;
  /** What this machine's checkpoints share: page compressor, id sequence, dirty-page tracker. */
  readonly snapshot = new SnapshotContext();
  /** The time-travel recorder following this machine, if any. */
  recorder: RunRecorder | undefined = undefined;
  /**
   * True while recorded history executes again (time travel): its console output was
   * shown when it first ran, so hosts do not show it again.
   */
  replaying = false;

  constructor(opts: MachineOptions) {
    const memoryMiB = opts.memoryMiB ?? 256;
    if (!(memoryMiB >= 1 && memoryMiB <= 2048)) throw new Error(`memory must be 1..2048 MiB, got ${memoryMiB}`);
    const model = CPU_MODELS[opts.cpu ?? '5KEc'];
    if (!model) throw new Error(`unknown CPU model '${opts.cpu}' (known: ${Object.keys(CPU_MODELS).join(', ')})`);
    this.model = model;
    this.options = { ...opts, memoryMiB, bigEndian: opts.bigEndian ?? false };
    this.nsPerInsn = opts.nsPerInsn ?? 5;
    // An Octeon core's CVMSEG local memory lives in 64 KiB of RAM after the guest's (so it
    // is saved with RAM), mapped where only CVMSEG addresses translate (cp0-cavium.ts).
    const localBytes = model.octeon ? 65536 : 0;
    this.bus = new PhysicalBus(memoryMiB * 1024 * 1024 + localBytes, this.options.bigEndian);
    if (model.octeon) this.bus.mapRam(CVMSEG_PA, model.octeon.cvmsegBytes, memoryMiB * 1024 * 1024);
    const hooks: CpuHooks = { onEvent: (c) => this.onEvent(c), onWait: () => this.board?.cpuWaits?.() };
    this.cpu = new Cpu(model, this.bus, hooks, { exactTlb: opts.exactTlb ?? false });
    this.interp = new Interpreter(this.cpu);
    this.jit = (opts.engine ?? 'jit') === 'jit' ? new JitEngine(this.cpu, this.interp, opts.jit) : undefined;
    this.bus.afterIo = () => { this.cpu.nextEvent = this.cpu.icount; };
  }

  /** Installs the board (called by board factories). */
  attachBoard(board: Board): void {
    this.board = board;
    this.timed = board.devices.filter(isTimed) as unknown as TimedDevice[];
  }

  /** Virtual time in nanoseconds. */
  now(): number {
    return this.cpu.icount * this.nsPerInsn;
  }

  private onEvent(c: Cpu): void {
    if (c.icount >= c.timerIcount) c.timerFire();
    const now = this.now();
    let next = c.timerIcount;
    for (const d of this.timed) {
      if (d.nextEvent() <= now) d.tick(now);
      const t = d.nextEvent();
      if (t !== Infinity) next = Math.min(next, Math.max(c.icount + 1, Math.ceil(t / this.nsPerInsn)));
    }
    c.nextEvent = next;
  }

  run(budget: number): RunResult {
    if (this.poweredOff) return { executed: 0, reason: 'poweroff' };
    const rec = this.recorder;
    if (rec) budget = rec.beforeRun(budget);
    const executed = this.jit ? this.jit.run(budget) : this.interp.run(budget);
    rec?.afterRun();
    if (this.poweredOff) return { executed, reason: 'poweroff' };
    if (this.cpu.stopRequested) return { executed, reason: 'stop' };
    if (this.cpu.waiting && this.cpu.nextEvent === Infinity) return { executed, reason: 'idle' };
    return { executed, reason: 'budget' };
  }

  /** Host keyboard input for the guest console. */
  consoleInput(bytes: Uint8Array | readonly number[]): void {
    const b = Uint8Array.from(bytes);
    this.recorder?.input(b);
    this.deliverInput(b);
  }

  /** Delivers console input now without consulting the recorder (which replays recorded input so). */
  deliverInput(bytes: Uint8Array): void {
    this.inputLog.push({ icount: this.cpu.icount, bytes: bytes.slice() });
    this.board.consoleInput(bytes);
    this.cpu.nextEvent = this.cpu.icount;
  }

  powerOff(code: number): void {
    this.poweredOff = true;
    this.exitCode = code;
    this.cpu.stopRequested = true;
    this.events.emit('powerOff', { code });
  }

  /** Raises a non-maskable interrupt (as QEMU's monitor `nmi`): the guest continues at the reset vector with Status.NMI. */
  nmi(): void {
    this.cpu.resetException(true);
  }

  reset(): void {
    if (this.resetUnavailable !== undefined) {
      this.events.emit('log', { level: 'warn', message: `the guest reset the machine, which boots again from its images, but ${this.resetUnavailable}: machine stopped` });
      this.powerOff(EXIT_RESET_UNAVAILABLE);
      return;
    }
    this.cpu.reset();
    for (const d of this.board.devices) d.reset();
    this.board.reset();
    this.events.emit('reset', {});
  }

  /**
   * What no one component's spec can say about restored state (each was checked against
   * its own): Wired and Index within the TLB this model has, the timers' reference counts
   * not after the instruction count. Why `values` (by component) cannot be this machine's
   * state, or undefined.
   */
  stateProblem(values: ReadonlyMap<string, Readonly<Record<string, unknown>>>): string | undefined {
    const cpu = values.get('cpu0'), c0 = values.get('cpu0.cp0'), cav = values.get('cpu0.cp0.cavium');
    const entries = this.cpu.tlb.size;
    if (c0) {
      if (((c0.wired as number) >>> 0) >= entries) return `cpu0.cp0.wired: ${c0.wired} is not below the ${entries} TLB entries of a ${this.model.name}`;
      if (((c0.index as number) & 0x7fffffff) >= entries) return `cpu0.cp0.index: ${c0.index} names no entry of the ${entries}-entry TLB`;
    }
    const icount = cpu?.icount as number | undefined;
    if (icount !== undefined && c0 && (c0.countIcount as number) > icount) return `cpu0.cp0.countIcount: ${c0.countIcount} is after the instruction count ${icount}`;
    if (icount !== undefined && cav && (cav.cvmCountIcount as number) > icount) return `cpu0.cp0.cavium.cvmCountIcount: ${cav.cvmCountIcount} is after the instruction count ${icount}`;
    return undefined;
  }

  /** Every component with declared state, for checkpoints. */
  stateComponents(): Stateful[] {
    const cpu = this.cpu;
    const asStateful = (name: string, obj: object, spec: Stateful['stateSpec'], afterRestore?: () => void): Stateful =>
      ({ stateSpec: { ...spec, name }, state: obj as Record<string, unknown>, afterRestore });
    const fpu = cpu.fpu;
    const oct = cpu.oct;
    return [
      asStateful('machine', this, MACHINE_SPEC),
      asStateful('cpu0', cpu, Cpu.spec),
      asStateful('cpu0.cp0', cpu.c0, Cp0.spec),
      cpu.tlb,
      ...(fpu ? [asStateful('cpu0.fpu', fpu, FPU_SPEC, () => { fpu.fr = (cpu.c0.status & (1 << 26)) !== 0; })] : []),
      ...(oct ? [oct.cp0, oct.mulState] : []),
      ...this.board.devices,
    ];
  }
}
