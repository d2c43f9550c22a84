// A 16550A UART: the PC serial port that Linux's 8250 driver (and every boot loader)
// knows. Registers RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR and the divisor
// latch (DLL/DLM behind LCR.DLAB); 16-byte receive and transmit FIFOs with trigger
// levels; the interrupt identification priorities; modem status with delta bits;
// loopback; overrun; the character-timeout indication.
//
// Time. The UART is a TimedDevice: a character takes a baud-rate-derived time
// (start bit + data bits + parity + stop bits, times 16 × divisor / clockHz) to
// shift out or in, and the receiver reports a character timeout after four
// character times without FIFO activity. Virtual time comes from `tick(now)` and,
// when given, from the `now` option (so that a register access between two ticks
// sees the exact current time). In `instantaneous` mode a character takes no time:
// a THR write reaches `onTransmit` before the write returns, host input enters the
// receive FIFO as soon as there is room, and the character timeout is reported as
// soon as the FIFO holds data below the trigger level and nothing more is arriving.
// `nextEvent()` can move earlier after any register access, `receive()` or
// `sendBreak()`, so the machine should re-read it after device activity.
//
// Host input. `receive()` appends to a host-side input queue that feeds the
// receiver one character at a time, only while the receive FIFO (or, with the FIFO
// disabled, the RBR) has room, and not while MCR.LOOP disconnects the serial input.
// Host input is therefore never lost to an overrun; overruns happen only in
// loopback, where the transmitter cannot be held back.
//
// Register access. Register i sits at offset i << regShift; any access inside a
// register's slot reads that register's value zero-extended (whatever the access
// size or byte lane) and writes the low byte of the value, so big- and
// little-endian guests using byte, word or doubleword accesses all work.
//
// Simplifications (documented behaviour of this model):
//  - parity and framing errors are never generated; a host break (`sendBreak`)
//    queues one zero character carrying BI. LCR.SBC (send break) is stored only.
//  - the LCR word length, parity and stop bits only set the character time;
//    characters pass unmasked as 8 bits (a guest that never programs LCR, whose
//    reset value selects 5 data bits, still prints readable text).
//  - reading an empty RBR returns the last character read.
//  - the divisor latch resets to 1 (115200 baud at 1.8432 MHz); divisor 0 counts
//    as 65536.
//  - `reset()` clears the chip but keeps the host input queue and the host modem
//    inputs (they belong to the outside world).
//  - the THRE interrupt is raised when THR becomes empty, when a TX FIFO reset
//    empties it, and when IER.ETBEI goes from 0 to 1 while THR is empty (rewriting
//    IER with ETBEI already set does not re-raise it); the FIFO-mode delay of the
//    first THRE indication is not modelled.
//  - the host modem inputs start as CTS | DSR | DCD (MSR 0xB0); see setModemInputs.
//  - `instantaneous`, `clockHz`, `regShift`, `fifoSize` are configuration, not state: restore
//    a checkpoint into a UART constructed with the same options.
//  - with `out2GatesIrq`, the interrupt output is asserted only while MCR.OUT2 is
//    set and MCR.LOOP is clear (the PC board gate); by default it is not gated.

import type { AccessSize, Device, TimedDevice } from './device';
import type { IrqLine } from './irq';
import type { FieldRange, FieldType, StateSpec } from '../snapshot/state';

// ---- register numbers and bits ------------------------------------------------

export const UART_RBR = 0; // read, DLAB=0
export const UART_THR = 0; // write, DLAB=0
export const UART_DLL = 0; // DLAB=1
export const UART_IER = 1; // DLAB=0
export const UART_DLM = 1; // DLAB=1
export const UART_IIR = 2; // read
export const UART_FCR = 2; // write
export const UART_LCR = 3;
export const UART_MCR = 4;
export const UART_LSR = 5;
export const UART_MSR = 6;
export const UART_SCR = 7;

const IER_ERBFI = 0x01; // received data available
const IER_ETBEI = 0x02; // transmitter holding register empty
const IER_ELSI = 0x04; // receiver line status
const IER_EDSSI = 0x08; // modem status
const IER_MASK = 0x0f;

const IIR_NO_INT = 0x01;
const IIR_MSR = 0x00;
const IIR_THRE = 0x02;
const IIR_RDA = 0x04;
const IIR_RLS = 0x06;
const IIR_CTI = 0x0c;
const IIR_FIFO = 0xc0;

const FCR_ENABLE = 0x01;
const FCR_CLEAR_RX = 0x02;
const FCR_CLEAR_TX = 0x04;
const FCR_STORED = 0xc9; // enable, DMA mode, trigger level
const TRIGGER_LEVELS = [1, 4, 8, 14] as const;

const LCR_DLAB = 0x80;

const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
const MCR_MASK = 0x1f;

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_PE = 0x04;
const LSR_FE = 0x08;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LSR_RXFE = 0x80;
const LSR_CHAR_ERRORS = LSR_PE | LSR_FE | LSR_BI;

const MSR_DCTS = 0x01;
const MSR_DDSR = 0x02;
const MSR_TERI = 0x04;
const MSR_DDCD = 0x08;
const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;

/** FIFO depth of a 16550A (fifoSize overrides it: the Octeon's UARTs have 64). */
const FIFO_SIZE = 16;
/** Input queue entries consumed before the queue array is compacted. */
const COMPACT_AFTER = 1024;

// ---- state --------------------------------------------------------------------

type FieldValue<T extends FieldType> =
  T extends 'bool' ? boolean
    : T extends 'u64' ? bigint
      : T extends 'str' ? string
        : T extends 'i32array' ? Int32Array
          : T extends 'u8array' ? Uint8Array
            : T extends 'f64array' ? Float64Array
              : T extends 'bytes' ? number[]
                : number;
type StateOf<F extends Readonly<Record<string, FieldType>>> = { -readonly [K in keyof F]: FieldValue<F[K]> };

const UART_FIELDS = {
  // programmer-visible registers
  ier: 'u8',
  lcr: 'u8',
  mcr: 'u8',
  scr: 'u8',
  dll: 'u8',
  dlm: 'u8',
  /** FCR bits that are stored: enable (0), DMA mode (3), trigger level (7:6). */
  fcr: 'u8',
  /** Last character read from RBR (returned when RBR is read empty). */
  rbr: 'u8',
  // receiver
  rxFifo: 'bytes',
  /** Per-character error bits (LSR PE/FE/BI positions), parallel to rxFifo. */
  rxFlags: 'bytes',
  /** Latched LSR bits OE/PE/FE/BI, cleared by an LSR read. */
  lsrErr: 'u8',
  /** LSR bit 7: an error character entered the FIFO and has not been reported away. */
  lsrFifoErr: 'bool',
  /** Virtual time of the last RX FIFO activity (a character in or out). */
  lastRxAt: 'f64',
  timeoutPending: 'bool',
  // transmitter
  txFifo: 'bytes',
  tsr: 'u8',
  tsrBusy: 'bool',
  txDoneAt: 'f64',
  thrPending: 'bool',
  // modem lines
  /** Host-side modem inputs in MSR bit positions (CTS/DSR/RI/DCD, bits 7:4). */
  modemIn: 'u8',
  /** MSR delta bits 3:0, cleared by an MSR read. */
  msrDelta: 'u8',
  // host input queue
  inQueue: 'bytes',
  /** Error bits for each queued host character (LSR_BI for a break), parallel to inQueue. */
  inFlags: 'bytes',
  /** Index of the next unconsumed entry of inQueue / inFlags. */
  inHead: 'u32',
  /** Virtual time at which the head of the input queue has been fully received. */
  rxReadyAt: 'f64',
  // bookkeeping
  now: 'f64',
  irqLevel: 'bool',
} as const satisfies Record<string, FieldType>;

export type Uart16550State = StateOf<typeof UART_FIELDS>;

/** Virtual nanoseconds; Infinity: never. */
const WHEN: FieldRange = { min: 0, max: Infinity, fraction: true };
/** Host input not yet received by the guest (queued while the guest reads nothing): bounded. */
const MAX_INPUT_QUEUE = 1 << 26;
/** Field ranges of a UART whose FIFOs hold `fifo` bytes. */
const uartRanges = (fifo: number): Readonly<Partial<Record<keyof typeof UART_FIELDS, FieldRange>>> => ({
  rxFifo: { length: [0, fifo] }, rxFlags: { length: [0, fifo] }, txFifo: { length: [0, fifo] },
  inQueue: { length: [0, MAX_INPUT_QUEUE] }, inFlags: { length: [0, MAX_INPUT_QUEUE] },
  lastRxAt: WHEN, txDoneAt: WHEN, rxReadyAt: WHEN, now: WHEN,
});
const UART_INVARIANTS: StateSpec['invariants'] = [
  (s) => ((s.rxFlags as number[]).length !== (s.rxFifo as number[]).length ? 'rxFlags and rxFifo differ in length' : undefined),
  (s) => ((s.inFlags as number[]).length !== (s.inQueue as number[]).length ? 'inFlags and inQueue differ in length' : undefined),
  (s) => ((s.inHead as number) < 0 || (s.inHead as number) > (s.inQueue as number[]).length ? `inHead ${s.inHead as number} is outside the input queue` : undefined),
];

/** Version of the UART's state layout; bump when fields change meaning. */
export const UART16550_STATE_VERSION = 1;

// ---- device -------------------------------------------------------------------

export interface Uart16550Options {
  /** Device and state name, unique in the machine (e.g. "uart0"). */
  name: string;
  /** Interrupt output. */
  irq: IrqLine;
  /** Called with each character the UART finishes transmitting (not in loopback). */
  onTransmit?: (byte: number) => void;
  /** Register spacing: register i is at offset i << regShift (0..3). Default 0. */
  regShift?: number;
  /** Input clock of the baud rate generator in Hz. Default 1 843 200. */
  clockHz?: number;
  /** Characters take no time to transmit or receive. Default false. */
  instantaneous?: boolean;
  /** Current virtual time in ns, consulted on register access and host input. */
  now?: () => number;
  /** Gate the interrupt output with MCR.OUT2 (and off in loopback), as PC boards do. Default false. */
  out2GatesIrq?: boolean;
  /** Depth of the receive and transmit FIFOs. Default 16. */
  fifoSize?: number;
}

export class Uart16550 implements Device, TimedDevice {
  readonly name: string;
  readonly size: number;
  readonly stateSpec: StateSpec;
  readonly state: Uart16550State;
  readonly regShift: number;
  readonly clockHz: number;
  readonly instantaneous: boolean;
  readonly fifoSize: number;

  private readonly irq: IrqLine;
  private readonly onTransmit: (byte: number) => void;
  private readonly clock: (() => number) | undefined;
  private readonly out2GatesIrq: boolean;

  constructor(opts: Uart16550Options) {
    const regShift = opts.regShift ?? 0;
    if (!Number.isInteger(regShift) || regShift < 0 || regShift > 3) {
      throw new RangeError(`${opts.name}: regShift must be 0..3, got ${regShift}`);
    }
    const clockHz = opts.clockHz ?? 1_843_200;
    if (!(clockHz > 0) || !Number.isFinite(clockHz)) throw new RangeError(`${opts.name}: bad clockHz ${clockHz}`);
    this.name = opts.name;
    this.regShift = regShift;
    this.size = 8 << regShift;
    this.clockHz = clockHz;
    this.instantaneous = opts.instantaneous ?? false;
    this.irq = opts.irq;
    this.onTransmit = opts.onTransmit ?? (() => {});
    this.clock = opts.now;
    this.out2GatesIrq = opts.out2GatesIrq ?? false;
    this.fifoSize = opts.fifoSize ?? FIFO_SIZE;
    this.stateSpec = { name: opts.name, version: UART16550_STATE_VERSION, fields: UART_FIELDS, ranges: uartRanges(this.fifoSize), invariants: UART_INVARIANTS };
    this.state = {
      ier: 0, lcr: 0, mcr: 0, scr: 0, dll: 1, dlm: 0, fcr: 0, rbr: 0,
      rxFifo: [], rxFlags: [], lsrErr: 0, lsrFifoErr: false, lastRxAt: 0, timeoutPending: false,
      txFifo: [], tsr: 0, tsrBusy: false, txDoneAt: Infinity, thrPending: false,
      modemIn: MSR_CTS | MSR_DSR | MSR_DCD, msrDelta: 0,
      inQueue: [], inFlags: [], inHead: 0, rxReadyAt: Infinity,
      now: 0, irqLevel: false,
    };
    this.reset();
  }

  // ---- Device ----

  reset(): void {
    const s = this.state;
    s.ier = 0;
    s.lcr = 0;
    s.mcr = 0;
    s.scr = 0;
    s.dll = 1;
    s.dlm = 0;
    s.fcr = 0;
    s.rbr = 0;
    s.rxFifo = [];
    s.rxFlags = [];
    s.lsrErr = 0;
    s.lsrFifoErr = false;
    s.lastRxAt = s.now;
    s.timeoutPending = false;
    s.txFifo = [];
    s.tsr = 0;
    s.tsrBusy = false;
    s.txDoneAt = Infinity;
    s.thrPending = false;
    s.msrDelta = 0;
    s.rxReadyAt = this.pendingInput > 0 ? s.now + this.charTimeNs : Infinity;
    this.advance(s.now);
    this.updateIrq();
  }

  read(offset: number, _size: AccessSize): number {
    const reg = this.regIndex(offset);
    if (reg < 0) return 0;
    const t = this.time();
    this.advance(t);
    const v = this.readReg(reg, true, t);
    this.advance(t);
    this.updateIrq();
    return v;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const reg = this.regIndex(offset);
    if (reg < 0) return;
    const t = this.time();
    this.advance(t);
    this.writeReg(reg, Number(value) & 0xff, t);
    this.advance(t);
    this.updateIrq();
  }

  /** Register value without side effects (for debuggers): `reg` is the register number 0..7. */
  peek(reg: number): number {
    return this.readReg(reg & 7, false, this.state.now);
  }

  afterRestore(): void {
    this.updateIrq();
    this.irq.resync(this.state.irqLevel);
  }

  // ---- TimedDevice ----

  nextEvent(): number {
    return this.nextEventTime().when;
  }

  tick(now: number): void {
    this.advance(Math.max(now, this.state.now));
    this.updateIrq();
  }

  // ---- host side ----

  /** Queues host input (e.g. terminal keystrokes) for the receiver. */
  receive(bytes: Uint8Array | readonly number[]): void {
    if (bytes.length === 0) return;
    const t = this.time();
    this.advance(t);
    const s = this.state;
    const wasEmpty = this.pendingInput === 0;
    for (let i = 0; i < bytes.length; i++) {
      s.inQueue.push(bytes[i] & 0xff);
      s.inFlags.push(0);
    }
    if (wasEmpty) s.rxReadyAt = t + this.charTimeNs;
    this.advance(t);
    this.updateIrq();
  }

  /** Queues a break condition: the receiver gets one zero character with LSR.BI. */
  sendBreak(): void {
    const t = this.time();
    this.advance(t);
    const s = this.state;
    if (this.pendingInput === 0) s.rxReadyAt = t + this.charTimeNs;
    s.inQueue.push(0);
    s.inFlags.push(LSR_BI);
    this.advance(t);
    this.updateIrq();
  }

  /** Sets the host-driven modem inputs, in MSR bit positions: CTS 0x10, DSR 0x20, RI 0x40, DCD 0x80. */
  setModemInputs(msrBits: number): void {
    const t = this.time();
    this.advance(t);
    const before = this.modemInputs();
    this.state.modemIn = msrBits & 0xf0;
    this.noteModemChange(before, this.modemInputs());
    this.updateIrq();
  }

  /** Modem control outputs as seen on the line (MCR DTR/RTS/OUT1/OUT2 bits; all 0 in loopback). */
  get modemOutputs(): number {
    const m = this.state.mcr;
    return m & MCR_LOOP ? 0 : m & (MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
  }

  /** Host characters queued but not yet in the receive FIFO. */
  get pendingInput(): number {
    return this.state.inQueue.length - this.state.inHead;
  }

  /** Time one character takes on the line at the current LCR and divisor (0 when instantaneous). */
  get charTimeNs(): number {
    if (this.instantaneous) return 0;
    const s = this.state;
    const lcr = s.lcr;
    const dataBits = 5 + (lcr & 3);
    const parity = lcr & 0x08 ? 1 : 0;
    const stop = lcr & 0x04 ? (dataBits === 5 ? 1.5 : 2) : 1;
    const divisor = ((s.dlm << 8) | s.dll) || 0x10000;
    return Math.max(1, Math.round(((1 + dataBits + parity + stop) * 16 * divisor * 1e9) / this.clockHz));
  }

  // ---- registers ----

  private regIndex(offset: number): number {
    if (!(offset >= 0 && offset < this.size)) return -1;
    return offset >>> this.regShift;
  }

  private get fifoEnabled(): boolean {
    return (this.state.fcr & FCR_ENABLE) !== 0;
  }

  private readReg(reg: number, consume: boolean, t: number): number {
    const s = this.state;
    const dlab = (s.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case 0:
        if (dlab) return s.dll;
        return consume ? this.popRx(t) : s.rxFifo.length > 0 ? s.rxFifo[0] : s.rbr;
      case 1:
        return dlab ? s.dlm : s.ier;
      case 2: {
        const id = this.interruptId();
        if (consume && id === IIR_THRE) s.thrPending = false;
        return id | (this.fifoEnabled ? IIR_FIFO : 0);
      }
      case 3:
        return s.lcr;
      case 4:
        return s.mcr;
      case 5: {
        let v = s.lsrErr;
        if (s.rxFifo.length > 0) v |= LSR_DR;
        if (s.txFifo.length === 0) {
          v |= LSR_THRE;
          if (!s.tsrBusy) v |= LSR_TEMT;
        }
        if (this.fifoEnabled && s.lsrFifoErr) v |= LSR_RXFE;
        if (consume) {
          s.lsrErr = 0;
          s.lsrFifoErr = s.rxFlags.some((f, i) => i > 0 && f !== 0);
        }
        return v;
      }
      case 6: {
        const v = this.modemInputs() | s.msrDelta;
        if (consume) s.msrDelta = 0;
        return v;
      }
      case 7:
        return s.scr;
      default:
        return 0;
    }
  }

  private writeReg(reg: number, v: number, t: number): void {
    const s = this.state;
    const dlab = (s.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case 0:
        if (dlab) s.dll = v;
        else this.writeThr(v, t);
        return;
      case 1:
        if (dlab) {
          s.dlm = v;
        } else {
          const old = s.ier;
          s.ier = v & IER_MASK;
          // Enabling the THRE interrupt while THR is empty raises it at once (Linux's THRE test).
          if (s.ier & IER_ETBEI && !(old & IER_ETBEI) && s.txFifo.length === 0) s.thrPending = true;
        }
        return;
      case 2:
        this.writeFcr(v);
        return;
      case 3:
        s.lcr = v;
        return;
      case 4: {
        const before = this.modemInputs();
        s.mcr = v & MCR_MASK;
        this.noteModemChange(before, this.modemInputs());
        return;
      }
      case 7:
        s.scr = v;
        return;
      default:
        return; // LSR and MSR are read-only (LSR writes are a factory test on the real part)
    }
  }

  private writeThr(v: number, t: number): void {
    const s = this.state;
    s.thrPending = false;
    if (this.fifoEnabled) {
      if (s.txFifo.length < this.fifoSize) s.txFifo.push(v); // a write to a full FIFO is lost
    } else if (s.txFifo.length === 0) {
      s.txFifo.push(v);
    } else {
      s.txFifo[0] = v; // THR overwritten
    }
    this.startTx(t);
  }

  private writeFcr(v: number): void {
    const s = this.state;
    const on = (v & FCR_ENABLE) !== 0;
    if (on !== this.fifoEnabled) {
      // Changing the FIFO enable bit empties both FIFOs.
      this.clearRx();
      this.clearTx();
    }
    if (!on) {
      // The other bits are only programmed while FCR0 is written as 1.
      s.fcr &= ~FCR_ENABLE;
      return;
    }
    if (v & FCR_CLEAR_RX) this.clearRx();
    if (v & FCR_CLEAR_TX) this.clearTx();
    s.fcr = v & FCR_STORED;
  }

  private clearRx(): void {
    const s = this.state;
    s.rxFifo = [];
    s.rxFlags = [];
    s.lsrErr &= ~LSR_CHAR_ERRORS;
    s.lsrFifoErr = false;
    s.timeoutPending = false;
  }

  private clearTx(): void {
    const s = this.state;
    if (s.txFifo.length > 0) s.thrPending = true; // THR just became empty
    s.txFifo = [];
  }

  // ---- transmitter ----

  /**
   * Sends at once what the transmitter still holds (shift register, then FIFO), as if
   * their character times had passed: for a machine powering off, whose guest wrote
   * its last line just before (the host sees it, as on QEMU, whose UART takes no time).
   */
  drainTransmitter(): void {
    const s = this.state;
    while (s.tsrBusy) this.completeTx(s.txDoneAt);
  }

  private startTx(t: number): void {
    const s = this.state;
    if (s.tsrBusy || s.txFifo.length === 0) return;
    s.tsr = s.txFifo.shift()!;
    s.tsrBusy = true;
    s.txDoneAt = t + this.charTimeNs;
    if (s.txFifo.length === 0) s.thrPending = true;
  }

  private completeTx(t: number): void {
    const s = this.state;
    const b = s.tsr;
    s.tsrBusy = false;
    s.txDoneAt = Infinity;
    if (s.mcr & MCR_LOOP) this.rxPush(b, 0, t);
    else this.onTransmit(b);
    this.startTx(t);
  }

  // ---- receiver ----

  private rxCapacity(): number {
    return this.fifoEnabled ? this.fifoSize : 1;
  }

  /** A character (from the line or from loopback) has been fully received at time t. */
  private rxPush(byte: number, flags: number, t: number): void {
    const s = this.state;
    s.lastRxAt = t;
    if (s.rxFifo.length >= this.rxCapacity()) {
      s.lsrErr |= LSR_OE;
      if (!this.fifoEnabled) {
        // Without FIFO the new character replaces the unread one in RBR.
        s.rxFifo[0] = byte;
        s.rxFlags[0] = flags;
        s.lsrErr |= flags;
      }
      // With FIFO the character in the shift register is lost.
      return;
    }
    s.rxFifo.push(byte);
    s.rxFlags.push(flags);
    if (s.rxFifo.length === 1) s.lsrErr |= flags; // errors show in LSR when the character is at the top
    if (flags !== 0 && this.fifoEnabled) s.lsrFifoErr = true;
  }

  private popRx(t: number): number {
    const s = this.state;
    if (s.rxFifo.length === 0) return s.rbr;
    const b = s.rxFifo.shift()!;
    s.rxFlags.shift();
    s.rbr = b;
    s.timeoutPending = false;
    s.lastRxAt = t;
    if (s.rxFlags.length > 0) s.lsrErr |= s.rxFlags[0];
    return b;
  }

  /** The host input queue may deliver its head character now (ignoring time). */
  private hostRxOpen(): boolean {
    const s = this.state;
    return this.pendingInput > 0 && !(s.mcr & MCR_LOOP) && s.rxFifo.length < this.rxCapacity();
  }

  private deliverHostChar(t: number): void {
    const s = this.state;
    const b = s.inQueue[s.inHead];
    const f = s.inFlags[s.inHead];
    s.inHead++;
    if (s.inHead === s.inQueue.length) {
      s.inQueue = [];
      s.inFlags = [];
      s.inHead = 0;
    } else if (s.inHead >= COMPACT_AFTER && s.inHead * 2 >= s.inQueue.length) {
      s.inQueue = s.inQueue.slice(s.inHead);
      s.inFlags = s.inFlags.slice(s.inHead);
      s.inHead = 0;
    }
    this.rxPush(b, f, t);
    s.rxReadyAt = this.pendingInput > 0 ? t + this.charTimeNs : Infinity;
  }

  private timeoutAt(): number {
    const s = this.state;
    if (!this.fifoEnabled || s.rxFifo.length === 0 || s.timeoutPending) return Infinity;
    return s.lastRxAt + 4 * this.charTimeNs;
  }

  // ---- time ----

  private time(): number {
    const c = this.clock?.();
    return c !== undefined && c > this.state.now ? c : this.state.now;
  }

  private nextEventTime(): { when: number; which: 0 | 1 | 2 | 3 } {
    const s = this.state;
    let when = Infinity;
    let which: 0 | 1 | 2 | 3 = 0;
    if (s.tsrBusy) {
      when = s.txDoneAt;
      which = 1;
    }
    if (this.hostRxOpen() && s.rxReadyAt < when) {
      when = s.rxReadyAt;
      which = 2;
    }
    const to = this.timeoutAt();
    if (to < when) {
      when = to;
      which = 3;
    }
    return { when, which };
  }

  /** Processes every event due at or before t, in time order. */
  private advance(t: number): void {
    const s = this.state;
    if (t > s.now) s.now = t;
    for (;;) {
      const { when, which } = this.nextEventTime();
      if (which === 0 || when > t) break;
      if (which === 1) this.completeTx(when);
      else if (which === 2) this.deliverHostChar(when);
      else s.timeoutPending = true;
    }
    // A host character that is due but has no room waits; it arrives when room appears.
    if (this.pendingInput > 0 && s.rxReadyAt < t && !this.hostRxOpen()) s.rxReadyAt = t;
  }

  // ---- interrupts and modem lines ----

  private interruptId(): number {
    const s = this.state;
    const ier = s.ier;
    if (ier & IER_ELSI && s.lsrErr & (LSR_OE | LSR_CHAR_ERRORS)) return IIR_RLS;
    if (ier & IER_ERBFI) {
      if (this.fifoEnabled) {
        if (s.timeoutPending) return IIR_CTI;
        if (s.rxFifo.length >= TRIGGER_LEVELS[s.fcr >> 6]) return IIR_RDA;
      } else if (s.rxFifo.length > 0) {
        return IIR_RDA;
      }
    }
    if (ier & IER_ETBEI && s.thrPending) return IIR_THRE;
    if (ier & IER_EDSSI && s.msrDelta !== 0) return IIR_MSR;
    return IIR_NO_INT;
  }

  private updateIrq(): void {
    const s = this.state;
    let level = this.interruptId() !== IIR_NO_INT;
    if (this.out2GatesIrq && (!(s.mcr & MCR_OUT2) || s.mcr & MCR_LOOP)) level = false;
    s.irqLevel = level;
    this.irq.set(level);
  }

  /** Effective modem inputs (MSR bits 7:4): the host lines, or the MCR outputs in loopback. */
  private modemInputs(): number {
    const s = this.state;
    const m = s.mcr;
    if (!(m & MCR_LOOP)) return s.modemIn;
    return (m & MCR_DTR ? MSR_DSR : 0) | (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
  }

  private noteModemChange(before: number, after: number): void {
    const changed = before ^ after;
    let d = 0;
    if (changed & MSR_CTS) d |= MSR_DCTS;
    if (changed & MSR_DSR) d |= MSR_DDSR;
    if (before & MSR_RI && !(after & MSR_RI)) d |= MSR_TERI; // trailing edge of ring
    if (changed & MSR_DCD) d |= MSR_DDCD;
    this.state.msrDelta |= d;
  }
}
