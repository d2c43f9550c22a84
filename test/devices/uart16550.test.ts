// 16550A UART: register behaviour driven the way Linux's 8250 driver drives it at
// probe (autoconfig), startup (THRE test, TXEN test), set_termios, console output and
// interrupt-driven transmit/receive; FIFOs, trigger levels, character timeout, IIR
// priorities, loopback, overrun, break, register spacing, and checkpoint state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqLine } from '../../src/emulator/devices/irq.js';
import { Uart16550, type Uart16550Options } from '../../src/emulator/devices/uart16550.js';
import { decodeState, restoreState, saveState, StateError } from '../../src/emulator/snapshot/state.js';
import { isTimed } from '../../src/emulator/devices/device.js';

const RX = 0, TX = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
const EFR = 2;

/** One character at 115200 baud (divisor 1 at 1.8432 MHz), 8N1: 10 bits × 16 / 1843200 s. */
const C = 86806;

interface Harness {
  u: Uart16550;
  irq: IrqLine;
  tx: number[];
  edges: boolean[];
  rd(reg: number): number;
  wr(reg: number, v: number): void;
  /** Advances virtual time to `t` (ns). */
  at(t: number): void;
  /** Runs every pending event up to (not beyond) time `limit`. */
  drain(limit?: number): void;
}

function make(opts: Partial<Uart16550Options> = {}): Harness {
  const tx: number[] = [];
  const edges: boolean[] = [];
  const irq = new IrqLine('uart0.irq', (l) => edges.push(l));
  const u = new Uart16550({ name: 'uart0', irq, onTransmit: (b) => tx.push(b), ...opts });
  const shift = opts.regShift ?? 0;
  return {
    u, irq, tx, edges,
    rd: (reg) => u.read(reg << shift, 1),
    wr: (reg, v) => u.write(reg << shift, 1, v),
    at: (t) => u.tick(t),
    drain(limit = Number.MAX_SAFE_INTEGER) {
      for (let i = 0; i < 100000; i++) {
        const e = u.nextEvent();
        if (e === Infinity || e > limit) return;
        u.tick(e);
      }
      throw new Error('drain did not settle');
    },
  };
}

const bytes = (s: string): number[] => Array.from(s, (ch) => ch.charCodeAt(0));
const text = (b: number[]): string => String.fromCharCode(...b);

/** serial_dl_read / serial_dl_write, with DLAB already set. */
function dlWrite(h: Harness, v: number): void { h.wr(DLL, v & 0xff); h.wr(DLM, v >> 8); }
function dlRead(h: Harness): number { return h.rd(DLL) | (h.rd(DLM) << 8); }

/** serial8250_clear_fifos for a FIFO-capable port. */
function clearFifos(h: Harness): void { h.wr(FCR, 0x01); h.wr(FCR, 0x07); h.wr(FCR, 0x00); }

/**
 * size_fifo() of 8250_port.c: loopback at divisor 1, write 256 characters, wait 20 ms
 * and count how many can be read back.
 */
function sizeFifo(h: Harness): number {
  const oldLcr = h.rd(LCR);
  h.wr(LCR, 0);
  const oldFcr = h.rd(FCR); // reads IIR, as the driver does
  const oldMcr = h.rd(MCR);
  h.wr(FCR, 0x07);
  h.wr(MCR, 0x10);
  h.wr(LCR, 0x80);
  const oldDl = dlRead(h);
  dlWrite(h, 1);
  h.wr(LCR, 0x03);
  for (let i = 0; i < 256; i++) h.wr(TX, i);
  h.at(h.u.state.now + 20_000_000); // mdelay(20)
  let count = 0;
  while (h.rd(LSR) & 0x01 && count < 256) { h.rd(RX); count++; }
  h.wr(FCR, oldFcr);
  h.wr(MCR, oldMcr);
  h.wr(LCR, 0x80);
  dlWrite(h, oldDl);
  h.wr(LCR, oldLcr);
  return count;
}

/**
 * The probe sequence of autoconfig() + autoconfig_16550a() (with the 16550A variant
 * checks enabled), returning the detected type and FIFO size.
 */
function linuxAutoconfig(h: Harness): { type: string; fifo: number; log: Record<string, number> } {
  const log: Record<string, number> = {};
  // IER existence test
  const scratch = h.rd(IER);
  h.wr(IER, 0);
  log.scratch2 = h.rd(IER) & 0x0f;
  h.wr(IER, 0x0f);
  log.scratch3 = h.rd(IER) & 0x0f;
  h.wr(IER, scratch);
  if (log.scratch2 !== 0 || log.scratch3 !== 0x0f) return { type: 'none (IER test)', fifo: 0, log };
  const saveMcr = h.rd(MCR);
  const saveLcr = h.rd(LCR);
  // loopback test
  h.wr(MCR, 0x10 | 0x08 | 0x02);
  log.loopMsr = h.rd(MSR) & 0xf0;
  h.wr(MCR, saveMcr);
  if (log.loopMsr !== 0x90) return { type: 'none (LOOP test)', fifo: 0, log };
  h.wr(LCR, 0xbf);
  h.wr(EFR, 0);
  h.wr(LCR, 0);
  h.wr(FCR, 0x01);
  log.iir = h.rd(IIR);
  let type: string;
  switch (log.iir >> 6) {
    case 0: {
      type = '8250';
      const s0 = h.rd(SCR);
      h.wr(SCR, 0xa5);
      log.scr1 = h.rd(SCR);
      h.wr(SCR, 0x5a);
      log.scr2 = h.rd(SCR);
      h.wr(SCR, s0);
      if (log.scr1 === 0xa5 && log.scr2 === 0x5a) type = '16450';
      break;
    }
    case 2: type = '16550'; break;
    case 3: type = autoconfig16550a(h, log); break;
    default: type = 'unknown';
  }
  h.wr(LCR, saveLcr);
  // reset the UART
  h.wr(MCR, saveMcr);
  clearFifos(h);
  h.rd(RX);
  h.wr(IER, 0);
  return { type, fifo: type === '16550A' ? 16 : 1, log };
}

function autoconfig16550a(h: Harness, log: Record<string, number>): string {
  h.wr(LCR, 0x80);
  log.efrA = h.rd(EFR);
  if (log.efrA === 0) return '16650';
  h.wr(LCR, 0xbf);
  log.efrB = h.rd(EFR);
  if (log.efrB === 0) return '16650V2';
  // National Semiconductor SuperIO check
  h.wr(LCR, 0);
  const status1 = h.rd(MCR);
  h.wr(LCR, 0xe0);
  let status2 = h.rd(2);
  if (!((status2 ^ status1) & 0x10)) {
    h.wr(LCR, 0);
    h.wr(MCR, status1 ^ 0x10);
    h.wr(LCR, 0xe0);
    status2 = h.rd(2);
    h.wr(LCR, 0);
    h.wr(MCR, status1);
    if ((status2 ^ status1) & 0x10) return 'NS16550A';
  }
  // TI16750 check
  h.wr(LCR, 0);
  h.wr(FCR, 0x01 | 0x20);
  log.iir750a = h.rd(IIR) & 0xe0;
  h.wr(FCR, 0x01);
  h.wr(LCR, 0x80);
  h.wr(FCR, 0x01 | 0x20);
  log.iir750b = h.rd(IIR) & 0xe0;
  h.wr(FCR, 0x01);
  h.wr(LCR, 0);
  if (log.iir750a === 0xc0 && log.iir750b === 0xe0) return '16750';
  // XScale UUE bit
  const iersave = h.rd(IER);
  h.wr(IER, iersave & ~0x40);
  if (!(h.rd(IER) & 0x40)) {
    h.wr(IER, iersave | 0x40);
    log.ierUue = h.rd(IER);
    if (log.ierUue & 0x40) return 'XScale';
  }
  h.wr(IER, iersave);
  log.sizeFifo = sizeFifo(h);
  return log.sizeFifo === 64 ? 'U6_16550A' : '16550A';
}

/** serial8250_do_startup up to the IER shadow, returning what the driver concluded. */
function linuxStartup(h: Harness): { iir1: number; iir: number; bugThre: boolean; bugTxen: boolean; lsr: number } {
  clearFifos(h);
  h.rd(LSR); h.rd(RX); h.rd(IIR); h.rd(MSR);
  const lsr0 = h.rd(LSR);
  assert.notEqual(lsr0, 0xff);
  // THRE test
  while (!(h.rd(LSR) & 0x20)) h.drain(h.u.state.now + C);
  h.wr(IER, 0x02);
  const iir1 = h.rd(IIR);
  h.wr(IER, 0);
  h.wr(IER, 0x02);
  const iir = h.rd(IIR);
  h.wr(IER, 0);
  const bugThre = !(iir1 & 0x01) && (iir & 0x01) !== 0;
  h.wr(LCR, 0x03);
  h.wr(MCR, 0x08 | 0x02 | 0x01); // OUT2 | RTS | DTR
  // TXEN test
  h.wr(IER, 0x02);
  const lsr = h.rd(LSR);
  const iir2 = h.rd(IIR);
  h.wr(IER, 0);
  const bugTxen = (lsr & 0x40) !== 0 && (iir2 & 0x01) !== 0;
  h.rd(LSR); h.rd(RX); h.rd(IIR); h.rd(MSR);
  return { iir1, iir, bugThre, bugTxen, lsr };
}

/** serial8250_do_set_termios for 115200 8N1 on a 16550A, then IER = RLSI | RDI. */
function linuxSetTermios(h: Harness, quot = 1): void {
  h.wr(LCR, 0x03 | 0x80);
  dlWrite(h, quot);
  h.wr(LCR, 0x03);
  h.wr(FCR, 0x81); // UART_FCR_ENABLE_FIFO | UART_FCR_R_TRIG_10
  h.wr(IER, 0x05);
}

/**
 * A model of serial8250_handle_irq: one IIR read; receive while LSR.DR; modem status;
 * refill the transmit FIFO when THRE and IER.THRI. Returns false when IIR said no interrupt.
 */
function linuxIrq(h: Harness, out: number[], received: number[]): boolean {
  const iir = h.rd(IIR);
  if (iir & 0x01) return false;
  let lsr = h.rd(LSR);
  if (lsr & 0x11) {
    let max = 256;
    do {
      if (lsr & 0x01) received.push(h.rd(RX));
      if (--max === 0) break;
      lsr = h.rd(LSR);
    } while (lsr & 0x11);
  }
  h.rd(MSR);
  if (lsr & 0x20 && h.rd(IER) & 0x02) {
    for (let n = 0; n < 16 && out.length > 0; n++) h.wr(TX, out.shift()!);
    if (out.length === 0) h.wr(IER, h.rd(IER) & ~0x02); // __stop_tx
  }
  return true;
}

/** Runs a machine loop: service the interrupt when asserted, else advance to the next event. */
function runIrqDriven(h: Harness, out: number[], received: number[], until: () => boolean): number {
  let handled = 0;
  for (let i = 0; i < 100000 && !until(); i++) {
    if (h.irq.asserted) {
      if (linuxIrq(h, out, received)) handled++;
      continue;
    }
    const e = h.u.nextEvent();
    if (e === Infinity) break;
    h.u.tick(e);
  }
  return handled;
}

describe('16550A registers after reset', () => {
  test('reset values', () => {
    const h = make();
    assert.equal(h.u.size, 8);
    assert.equal(h.rd(IER), 0x00);
    assert.equal(h.rd(IIR), 0x01);
    assert.equal(h.rd(LCR), 0x00);
    assert.equal(h.rd(MCR), 0x00);
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.rd(MSR), 0xb0); // host lines: DCD, DSR, CTS asserted; no deltas
    assert.equal(h.rd(SCR), 0x00);
    h.wr(LCR, 0x80);
    assert.equal(h.rd(DLL), 0x01);
    assert.equal(h.rd(DLM), 0x00);
    assert.equal(h.irq.asserted, false);
    assert.deepEqual(h.edges, []);
    assert.equal(h.u.nextEvent(), Infinity);
    assert.equal(isTimed(h.u), true);
  });

  test('reset() restores the chip after use and keeps queued host input', () => {
    const h = make();
    h.wr(LCR, 0x83); h.wr(DLL, 12); h.wr(LCR, 0x03);
    h.wr(IER, 0x0f); h.wr(MCR, 0x1f); h.wr(SCR, 0x42); h.wr(FCR, 0xc1);
    h.wr(TX, 0x41);
    h.u.receive([1, 2, 3]);
    h.u.reset();
    assert.equal(h.rd(IER), 0);
    assert.equal(h.rd(IIR), 0x01);
    assert.equal(h.rd(LCR), 0);
    assert.equal(h.rd(MCR), 0);
    assert.equal(h.rd(SCR), 0);
    assert.equal(h.rd(LSR), 0x60);
    h.wr(LCR, 0x80);
    assert.equal(h.rd(DLL), 1);
    h.wr(LCR, 0x03);
    assert.equal(h.u.pendingInput, 3);
    assert.equal(h.irq.asserted, false);
    h.drain();
    assert.equal(h.rd(LSR), 0x61);
    assert.equal(h.rd(RX), 1);
  });

  test('scratch register holds any value', () => {
    const h = make();
    for (const v of [0xa5, 0x5a, 0x00, 0xff, 0x3c]) {
      h.wr(SCR, v);
      assert.equal(h.rd(SCR), v);
    }
  });

  test('IER keeps only bits 3:0; MCR only bits 4:0; LSR and MSR ignore writes', () => {
    const h = make();
    h.wr(IER, 0xff);
    assert.equal(h.rd(IER), 0x0f);
    h.wr(IER, 0x40);
    assert.equal(h.rd(IER), 0x00);
    h.wr(MCR, 0xff);
    assert.equal(h.rd(MCR), 0x1f);
    h.wr(MCR, 0);
    h.rd(MSR);
    h.wr(LSR, 0xff);
    assert.equal(h.rd(LSR), 0x60);
    h.wr(MSR, 0x0f);
    assert.equal(h.rd(MSR), 0xb0);
  });
});

describe('divisor latch and LCR', () => {
  test('DLAB banks DLL/DLM over RBR/THR and IER', () => {
    const h = make({ instantaneous: true });
    h.wr(IER, 0x05);
    h.wr(LCR, 0x83);
    assert.equal(h.rd(LCR), 0x83);
    h.wr(DLL, 0x0c);
    h.wr(DLM, 0x00);
    assert.equal(h.rd(DLL), 0x0c);
    assert.equal(h.rd(DLM), 0x00);
    assert.deepEqual(h.tx, []); // the DLL write did not transmit
    h.wr(LCR, 0x03);
    assert.equal(h.rd(IER), 0x05); // IER unaffected by the DLM write
    h.wr(LCR, 0x83);
    assert.equal(h.rd(DLL), 0x0c);
    dlWrite(h, 0xbeef);
    assert.equal(dlRead(h), 0xbeef);
    h.wr(LCR, 0x03);
    h.wr(TX, 0x55);
    assert.deepEqual(h.tx, [0x55]);
    h.wr(LCR, 0x80);
    assert.equal(dlRead(h), 0xbeef);
  });

  test('autoconfig_read_divisor_id reads back what was written (no XR16C850 id)', () => {
    const h = make();
    h.wr(LCR, 0x03);
    const oldLcr = h.rd(LCR);
    h.wr(LCR, 0x80);
    const oldDl = dlRead(h);
    dlWrite(h, 0);
    const id = dlRead(h);
    dlWrite(h, oldDl);
    h.wr(LCR, oldLcr);
    assert.equal(id, 0x0000);
    assert.equal(oldDl, 0x0001);
    h.wr(LCR, 0x80);
    assert.equal(dlRead(h), 0x0001);
  });

  test('character time follows divisor and frame format', () => {
    const h = make();
    h.wr(LCR, 0x83);
    dlWrite(h, 1);
    h.wr(LCR, 0x03); // 8N1: 10 bits
    assert.equal(h.u.charTimeNs, C);
    h.wr(LCR, 0x83);
    dlWrite(h, 12); // 9600 baud
    h.wr(LCR, 0x03);
    assert.equal(h.u.charTimeNs, 1041667);
    h.wr(LCR, 0x1e); // 7 data bits, even parity, 2 stop bits: 11 bits
    assert.equal(h.u.charTimeNs, Math.round((11 * 16 * 12 * 1e9) / 1843200));
    h.wr(LCR, 0x04); // 5 data bits, 1.5 stop bits: 7.5 bits
    assert.equal(h.u.charTimeNs, Math.round((7.5 * 16 * 12 * 1e9) / 1843200));
    h.wr(LCR, 0x83);
    dlWrite(h, 0); // divisor 0 counts as 65536
    h.wr(LCR, 0x03);
    assert.equal(h.u.charTimeNs, Math.round((10 * 16 * 65536 * 1e9) / 1843200));
    const fast = make({ clockHz: 50_000_000 });
    fast.wr(LCR, 0x03);
    assert.equal(fast.u.charTimeNs, 3200);
    assert.equal(make({ instantaneous: true }).u.charTimeNs, 0);
  });

  test('word length sets timing only: characters pass as 8 bits', () => {
    const h = make({ instantaneous: true });
    assert.equal(h.rd(LCR), 0x00); // reset: 5 data bits
    h.wr(TX, 0xc1);
    assert.deepEqual(h.tx, [0xc1]);
    h.u.receive([0xff]);
    assert.equal(h.rd(RX), 0xff);
    h.wr(LCR, 0x02); // 7 bits
    h.wr(MCR, 0x10);
    h.wr(TX, 0xa5);
    assert.equal(h.rd(RX), 0xa5);
    assert.deepEqual(h.tx, [0xc1]);
  });
});

describe('Linux 8250 probe (autoconfig)', () => {
  for (const instantaneous of [true, false]) {
    test(`detects a 16550A with a 16-byte FIFO (${instantaneous ? 'instantaneous' : 'timed'})`, () => {
      const h = make({ instantaneous });
      const r = linuxAutoconfig(h);
      assert.equal(r.type, '16550A');
      assert.equal(r.fifo, 16);
      assert.deepEqual(r.log, {
        scratch2: 0x00,
        scratch3: 0x0f,
        loopMsr: 0x90,
        iir: 0xc1,
        efrA: 0xc1,
        efrB: 0xc1,
        iir750a: 0xc0,
        iir750b: 0xc0,
        ierUue: 0x00,
        sizeFifo: 16,
      });
      // The port is left reset: FIFOs off, IER 0, nothing pending, saved LCR/MCR restored.
      assert.equal(h.rd(IER), 0x00);
      assert.equal(h.rd(LCR), 0x00);
      assert.equal(h.rd(MCR), 0x00);
      assert.equal(h.rd(IIR), 0x01);
      assert.equal(h.rd(LSR), 0x60);
      h.wr(LCR, 0x80);
      assert.equal(dlRead(h), 0x0001);
      h.wr(LCR, 0x00);
      assert.deepEqual(h.tx, []); // loopback output never reaches the host
      assert.equal(h.irq.asserted, false);
    });
  }

  test('FIFO detection: IIR bits 7:6 are 11 after FCR=0xE7 or 0x07, 00 after FCR=0', () => {
    const h = make();
    h.wr(FCR, 0xe7);
    assert.equal(h.rd(IIR), 0xc1);
    h.wr(FCR, 0x00);
    assert.equal(h.rd(IIR), 0x01);
    h.wr(FCR, 0x07);
    assert.equal(h.rd(IIR), 0xc1);
    h.wr(FCR, 0x06); // FCR0 = 0: FIFOs off, other bits not programmed
    assert.equal(h.rd(IIR), 0x01);
  });

  test('8250-style scratch test passes (0xa5, 0x5a)', () => {
    const h = make();
    const s0 = h.rd(SCR);
    h.wr(SCR, 0xa5);
    const s1 = h.rd(SCR);
    h.wr(SCR, 0x5a);
    const s2 = h.rd(SCR);
    h.wr(SCR, s0);
    assert.deepEqual([s0, s1, s2, h.rd(SCR)], [0x00, 0xa5, 0x5a, 0x00]);
  });
});

describe('Linux 8250 startup: THRE interrupt semantics', () => {
  for (const instantaneous of [true, false]) {
    test(`THRE test and TXEN test find no bugs (${instantaneous ? 'instantaneous' : 'timed'})`, () => {
      const h = make({ instantaneous });
      linuxAutoconfig(h);
      const edgesBefore = h.edges.length;
      const r = linuxStartup(h);
      assert.equal(r.iir1, 0x02);
      assert.equal(r.iir, 0x02);
      assert.equal(r.bugThre, false);
      assert.equal(r.lsr, 0x60);
      assert.equal(r.bugTxen, false);
      // Each IER=THRI raised the line, each IIR read / IER=0 lowered it: 3 pulses.
      assert.deepEqual(h.edges.slice(edgesBefore), [true, false, true, false, true, false]);
      linuxSetTermios(h);
      assert.equal(h.rd(IER), 0x05);
      assert.equal(h.rd(IIR), 0xc1);
      assert.equal(h.rd(LCR), 0x03);
      assert.equal(h.rd(MCR), 0x0b);
      assert.equal(h.irq.asserted, false);
    });
  }

  test('IIR read clears a pending THRE interrupt; a THR write clears it too', () => {
    const h = make({ instantaneous: true });
    h.wr(IER, 0x02);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0x02);
    assert.equal(h.irq.asserted, false);
    assert.equal(h.rd(IIR), 0x01);
    // rewriting IER with ETBEI already set does not re-raise it
    h.wr(IER, 0x02);
    assert.equal(h.rd(IIR), 0x01);
    // transmitting re-raises it once THR is empty again
    h.wr(TX, 0x41);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0x02);
    assert.equal(h.rd(IIR), 0x01);
    // IER 0 -> THRI while THR empty re-raises
    h.wr(IER, 0x00);
    h.wr(IER, 0x02);
    assert.equal(h.rd(IIR), 0x02);
  });

  test('THRE with IER.ETBEI only reports while THR is empty (timed, FIFO)', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.wr(FCR, 0x07);
    h.wr(IER, 0x02);
    assert.equal(h.rd(IIR), 0xc2);
    h.wr(TX, 0x61); // goes straight to the shift register: THR empty again
    assert.equal(h.rd(IIR), 0xc2);
    h.wr(TX, 0x62); // waits in the FIFO
    assert.equal(h.rd(LSR), 0x00);
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.irq.asserted, false);
    h.at(C); // 'a' done, 'b' moves to the shift register
    assert.deepEqual(h.tx, [0x61]);
    assert.equal(h.rd(LSR), 0x20);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0xc2);
    h.at(2 * C);
    assert.deepEqual(h.tx, [0x61, 0x62]);
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.rd(IIR), 0xc1);
  });
});

describe('transmit', () => {
  test('console write (polling LSR.THRE) in instantaneous mode', () => {
    const h = make({ instantaneous: true });
    const msg = 'Linux version 6.1.0 (mips64)\r\n';
    h.wr(IER, 0); // console_write saves IER and clears it
    for (const ch of bytes(msg)) {
      let spins = 0;
      while (!(h.rd(LSR) & 0x20)) assert.ok(++spins < 10);
      h.wr(TX, ch);
    }
    assert.equal(h.rd(LSR) & 0x60, 0x60); // wait_for_xmitr(BOTH_EMPTY)
    assert.equal(text(h.tx), msg);
    assert.equal(h.u.nextEvent(), Infinity);
  });

  test('console write in timed mode takes one character time per character', () => {
    const h = make();
    linuxSetTermios(h);
    h.wr(IER, 0);
    const msg = 'hi\n';
    let t = 0;
    for (const ch of bytes(msg)) {
      while (!(h.rd(LSR) & 0x20)) { t = h.u.nextEvent(); h.at(t); }
      h.wr(TX, ch);
    }
    while ((h.rd(LSR) & 0x60) !== 0x60) { t = h.u.nextEvent(); h.at(t); }
    assert.equal(text(h.tx), msg);
    assert.equal(t, 3 * C);
  });

  test('timed FIFO transmit: THRE when the FIFO empties, TEMT when the last bit is out', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.wr(FCR, 0x07);
    for (const ch of bytes('ABC')) h.wr(TX, ch);
    assert.equal(h.rd(LSR), 0x00);
    assert.equal(h.u.nextEvent(), C);
    h.at(C - 1);
    assert.deepEqual(h.tx, []);
    h.at(C);
    assert.equal(text(h.tx), 'A');
    assert.equal(h.rd(LSR), 0x00);
    h.at(2 * C);
    assert.equal(text(h.tx), 'AB');
    assert.equal(h.rd(LSR), 0x20); // FIFO empty, 'C' shifting out
    assert.equal(h.u.nextEvent(), 3 * C);
    h.at(3 * C);
    assert.equal(text(h.tx), 'ABC');
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.u.nextEvent(), Infinity);
  });

  test('a full transmit FIFO drops further writes; without FIFO THR is overwritten', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.wr(FCR, 0x01);
    for (let i = 0; i < 20; i++) h.wr(TX, 0x40 + i); // 1 in the shift register + 16 in the FIFO
    h.drain();
    assert.deepEqual(h.tx, Array.from({ length: 17 }, (_, i) => 0x40 + i));
    const g = make();
    g.wr(LCR, 0x03);
    g.wr(TX, 0x31); // shift register
    g.wr(TX, 0x32); // THR
    g.wr(TX, 0x33); // overwrites THR
    g.drain();
    assert.equal(text(g.tx), '13');
  });

  test('interrupt-driven transmit of a long string (timed)', () => {
    const h = make();
    linuxAutoconfig(h);
    linuxStartup(h);
    linuxSetTermios(h);
    const msg = 'The quick brown fox jumps over the lazy dog. 0123456789\r\n';
    const out = bytes(msg);
    const received: number[] = [];
    const t0 = h.u.state.now;
    h.wr(IER, h.rd(IER) | 0x02); // start_tx: THRI 0 -> 1 raises THRE
    assert.equal(h.irq.asserted, true);
    const handled = runIrqDriven(h, out, received, () => h.tx.length === msg.length && (h.rd(LSR) & 0x40) !== 0);
    assert.equal(text(h.tx), msg);
    assert.equal(out.length, 0);
    assert.deepEqual(received, []);
    assert.equal(handled, 4); // 1 + 16 per interrupt: 57 characters need 4 refills
    assert.equal(h.rd(IER), 0x05);
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.irq.asserted, false);
    assert.equal(h.u.state.now - t0, msg.length * C);
  });
});

describe('receive', () => {
  test('non-FIFO receive with IER.ERBFI raises and lowers the line', () => {
    const h = make({ instantaneous: true });
    h.wr(IER, 0x01);
    assert.equal(h.irq.asserted, false);
    h.u.receive(bytes('xy'));
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0x04);
    assert.equal(h.rd(LSR), 0x61);
    assert.equal(h.u.pendingInput, 1); // 'y' waits: RBR holds one character
    assert.equal(h.rd(RX), 0x78);
    assert.equal(h.irq.asserted, true); // 'y' arrived as soon as RBR was free
    assert.equal(h.rd(RX), 0x79);
    assert.equal(h.irq.asserted, false);
    assert.equal(h.rd(IIR), 0x01);
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.rd(RX), 0x79); // empty RBR reads the last character
    assert.deepEqual(h.edges, [true, false]);
  });

  test('host input is never lost while the FIFO is disabled (timed)', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.u.receive(new Uint8Array(bytes('abcde')));
    assert.equal(h.u.nextEvent(), C);
    h.at(100 * C);
    assert.equal(h.rd(LSR), 0x61); // no overrun
    assert.equal(h.u.pendingInput, 4);
    assert.equal(h.rd(RX), 0x61);
    assert.equal(h.rd(RX), 0x62); // the waiting character entered as soon as RBR was read
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.u.nextEvent(), 101 * C);
    h.at(101 * C);
    assert.equal(h.rd(RX), 0x63);
    h.drain();
    assert.equal(h.rd(RX), 0x64);
    h.drain();
    assert.equal(h.rd(RX), 0x65);
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.u.pendingInput, 0);
  });

  test('a long paste is delivered completely through the FIFO', () => {
    const h = make({ instantaneous: true });
    h.wr(FCR, 0x01);
    const data = Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
    h.u.receive(data);
    assert.equal(h.u.pendingInput, 5000 - 16);
    const got: number[] = [];
    while (h.rd(LSR) & 0x01) got.push(h.rd(RX));
    assert.deepEqual(got, data);
    assert.equal(h.rd(LSR), 0x60);
  });

  test('FIFO trigger levels 1/4/8/14 (timed, loopback)', () => {
    for (const [fcr, level] of [[0x01, 1], [0x41, 4], [0x81, 8], [0xc1, 14]] as const) {
      for (const k of [level - 1, level]) {
        if (k === 0) continue;
        const h = make();
        h.wr(LCR, 0x03);
        h.wr(FCR, fcr);
        h.wr(MCR, 0x10);
        h.wr(IER, 0x01);
        for (let i = 0; i < k; i++) h.wr(TX, 0x30 + i);
        h.at(k * C); // all k characters looped back, timeout not yet due
        assert.equal(h.rd(IIR), k >= level ? 0xc4 : 0xc1, `fcr ${fcr.toString(16)} k ${k}`);
        assert.equal(h.irq.asserted, k >= level);
        assert.equal(h.u.nextEvent(), k * C + 4 * C);
      }
    }
  });

  test('receive with IER.ERBFI in FIFO mode: RDA at the trigger level (timed)', () => {
    const h = make();
    linuxSetTermios(h); // trigger 8, IER = RLSI | RDI
    h.u.receive(bytes('0123456789'));
    h.at(7 * C);
    assert.equal(h.rd(LSR), 0x61);
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.irq.asserted, false);
    h.at(8 * C);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0xc4);
    const got: number[] = [];
    got.push(h.rd(RX));
    assert.equal(h.rd(IIR), 0xc1); // 7 left: below the trigger
    assert.equal(h.irq.asserted, false);
    while (h.rd(LSR) & 0x01) got.push(h.rd(RX));
    assert.equal(text(got), '01234567');
    h.drain();
    while (h.rd(LSR) & 0x01) got.push(h.rd(RX));
    assert.equal(text(got), '0123456789');
  });

  test('character timeout: IIR 0xCC with the FIFO below the trigger level (timed)', () => {
    const h = make();
    linuxSetTermios(h);
    h.u.receive(bytes('abc'));
    h.at(3 * C);
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.u.nextEvent(), 7 * C); // 4 character times after the last one arrived
    h.at(7 * C - 1);
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.irq.asserted, false);
    h.at(7 * C);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0xcc);
    assert.equal(h.rd(IIR), 0xcc); // IIR read does not clear it
    assert.equal(h.rd(RX), 0x61); // reading a character does, and restarts the timer
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.irq.asserted, false);
    assert.equal(h.u.nextEvent(), 11 * C);
    h.at(11 * C);
    assert.equal(h.rd(IIR), 0xcc);
    assert.equal(h.rd(RX), 0x62);
    assert.equal(h.rd(RX), 0x63);
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.u.nextEvent(), Infinity);
  });

  test('character timeout in instantaneous mode is reported at once; never without FIFO', () => {
    const h = make({ instantaneous: true });
    h.wr(FCR, 0x81);
    h.wr(IER, 0x01);
    h.u.receive(bytes('ab'));
    assert.equal(h.rd(IIR), 0xcc);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(RX), 0x61);
    assert.equal(h.rd(IIR), 0xcc); // one left, still nothing more arriving
    assert.equal(h.rd(RX), 0x62);
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.irq.asserted, false);
    const g = make();
    g.wr(LCR, 0x03);
    g.wr(IER, 0x01);
    g.u.receive([0x41]);
    g.at(1000 * C);
    assert.equal(g.rd(IIR), 0x04);
    assert.equal(g.u.nextEvent(), Infinity);
  });

  test('interrupt-driven receive of a typed line (timed)', () => {
    const h = make();
    linuxAutoconfig(h);
    linuxStartup(h);
    linuxSetTermios(h);
    const line = 'uname -a; cat /proc/cpuinfo | head -20\n';
    h.u.receive(bytes(line));
    const received: number[] = [];
    const handled = runIrqDriven(h, [], received, () => received.length === line.length);
    assert.equal(text(received), line);
    // 40 characters: five RDA interrupts at 8 each; the handler drains whatever is there.
    assert.equal(handled, 5);
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.irq.asserted, false);
  });

  test('a break arrives as a zero character with BI and the FIFO error bit', () => {
    const h = make({ instantaneous: true });
    h.wr(FCR, 0x01);
    h.wr(IER, 0x04);
    h.u.receive([0x61]);
    h.u.sendBreak();
    h.u.receive([0x62]);
    assert.equal(h.rd(IIR), 0xc1); // the break is not at the top yet
    assert.equal(h.rd(LSR), 0xe1); // DR | THRE | TEMT | RX FIFO error
    assert.equal(h.rd(RX), 0x61);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0xc6);
    assert.equal(h.rd(LSR), 0xf1); // BI now reported for the top character
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.rd(RX), 0x00);
    assert.equal(h.rd(LSR), 0x61);
    assert.equal(h.rd(RX), 0x62);
    assert.equal(h.rd(LSR), 0x60);
    const g = make({ instantaneous: true }); // without FIFO: BI, no bit 7
    g.u.sendBreak();
    assert.equal(g.rd(LSR), 0x71);
    assert.equal(g.rd(RX), 0x00);
    assert.equal(g.rd(LSR), 0x60);
  });
});

describe('loopback and modem status', () => {
  test('Linux loop test: MCR = LOOP|OUT2|RTS reads MSR status 0x90', () => {
    const h = make();
    h.wr(MCR, 0x1a);
    assert.equal(h.rd(MSR) & 0xf0, 0x90);
    h.wr(MCR, 0x00);
    assert.equal(h.rd(MSR), 0xb2); // host lines again; DSR changed on the way out
    assert.equal(h.rd(MSR), 0xb0);
  });

  test('modem outputs loop to inputs with delta bits and TERI', () => {
    const h = make();
    h.wr(MCR, 0x10);
    assert.equal(h.rd(MSR), 0x0b); // CTS, DSR, DCD dropped
    assert.equal(h.rd(MSR), 0x00);
    h.wr(MCR, 0x11); // DTR -> DSR
    assert.equal(h.rd(MSR), 0x22);
    h.wr(MCR, 0x12); // RTS -> CTS
    assert.equal(h.rd(MSR), 0x13);
    h.wr(MCR, 0x14); // OUT1 -> RI (leading edge: no TERI)
    assert.equal(h.rd(MSR), 0x41);
    h.wr(MCR, 0x18); // OUT2 -> DCD, RI trailing edge
    assert.equal(h.rd(MSR), 0x8c);
    h.wr(MCR, 0x1f);
    assert.equal(h.rd(MSR), 0xf3);
    assert.equal(h.u.modemOutputs, 0); // forced inactive on the line in loopback
    h.wr(MCR, 0x0b);
    assert.equal(h.u.modemOutputs, 0x0b);
  });

  test('modem status interrupt from host line changes, cleared by MSR read', () => {
    const h = make();
    h.wr(IER, 0x08);
    assert.equal(h.rd(IIR), 0x01);
    h.u.setModemInputs(0xb0 | 0x40); // ring
    assert.equal(h.irq.asserted, false); // RI leading edge is no delta
    h.u.setModemInputs(0xb0); // ring ends: TERI
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0x00);
    assert.equal(h.rd(MSR), 0xb4);
    assert.equal(h.irq.asserted, false);
    h.u.setModemInputs(0x30); // carrier lost
    assert.equal(h.rd(IIR), 0x00);
    assert.equal(h.rd(MSR), 0x38);
    assert.equal(h.rd(IIR), 0x01);
  });

  test('transmitted characters loop back to the receiver, not to the host', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.wr(FCR, 0x07);
    h.wr(MCR, 0x10);
    h.u.receive(bytes('host')); // held while the serial input is disconnected
    for (const ch of bytes('loop')) h.wr(TX, ch);
    h.drain(4 * C);
    assert.deepEqual(h.tx, []);
    const got: number[] = [];
    while (h.rd(LSR) & 0x01) got.push(h.rd(RX));
    assert.equal(text(got), 'loop');
    assert.equal(h.u.pendingInput, 4);
    h.wr(MCR, 0x00);
    h.drain();
    while (h.rd(LSR) & 0x01) got.push(h.rd(RX));
    assert.equal(text(got), 'loophost');
  });
});

describe('overrun', () => {
  test('FIFO overrun keeps 16 characters and reports OE with RLS priority', () => {
    const h = make({ instantaneous: true });
    h.wr(FCR, 0xc7); // trigger 14
    h.wr(MCR, 0x10);
    h.wr(IER, 0x05);
    for (let i = 0; i < 17; i++) h.wr(TX, 0x41 + i);
    assert.equal(h.rd(IIR), 0xc6);
    assert.equal(h.rd(LSR), 0x63);
    assert.equal(h.rd(LSR), 0x61); // OE cleared by the read
    assert.equal(h.rd(IIR), 0xcc); // instantaneous: nothing more coming, so timeout
    const got: number[] = [];
    while (h.rd(LSR) & 0x01) got.push(h.rd(RX));
    assert.deepEqual(got, Array.from({ length: 16 }, (_, i) => 0x41 + i)); // the 17th was lost
    assert.equal(h.rd(IIR), 0xc1);
  });

  test('timed FIFO overrun (size_fifo pattern) and non-FIFO overrun replacing RBR', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.wr(FCR, 0xc7);
    h.wr(MCR, 0x10);
    h.wr(IER, 0x04);
    for (let i = 0; i < 40; i++) h.wr(TX, i); // 17 accepted: shift register + FIFO
    h.drain();
    assert.equal(h.u.state.now, 17 * C + 4 * C); // last transmit done, then the timeout
    assert.equal(h.rd(IIR), 0xc6);
    assert.equal(h.rd(LSR), 0xe3 & ~0x80); // DR | OE | THRE | TEMT
    let n = 0;
    while (h.rd(LSR) & 0x01) { assert.equal(h.rd(RX), n); n++; }
    assert.equal(n, 16);
    const g = make({ instantaneous: true });
    g.wr(MCR, 0x10);
    g.wr(TX, 0x61);
    g.wr(TX, 0x62);
    assert.equal(g.rd(LSR), 0x63);
    assert.equal(g.rd(RX), 0x62);
    assert.equal(g.rd(LSR), 0x60);
  });
});

describe('FIFO control', () => {
  test('RX FIFO reset empties the receiver; TX FIFO reset leaves the shift register', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.wr(FCR, 0x01);
    h.wr(MCR, 0x10);
    for (const ch of bytes('12345')) h.wr(TX, ch);
    h.drain(5 * C);
    assert.equal(h.rd(LSR), 0x61);
    h.wr(FCR, 0x03);
    assert.equal(h.rd(LSR), 0x60);
    assert.equal(h.u.nextEvent(), Infinity); // no timeout on an empty FIFO
    h.wr(MCR, 0x00);
    for (const ch of bytes('abcde')) h.wr(TX, ch);
    h.wr(IER, 0x02);
    assert.equal(h.rd(IIR), 0xc1); // THR not empty
    h.wr(FCR, 0x05);
    assert.equal(h.rd(LSR), 0x20); // THR empty, 'a' still shifting
    assert.equal(h.rd(IIR), 0xc2); // the reset emptied THR: THRE interrupt
    h.drain();
    assert.equal(text(h.tx), 'a');
    assert.equal(h.rd(LSR), 0x60);
  });

  test('changing the FIFO enable bit empties both FIFOs', () => {
    const h = make({ instantaneous: true });
    h.wr(FCR, 0x01);
    h.wr(MCR, 0x10);
    for (const ch of bytes('xyz')) h.wr(TX, ch);
    assert.equal(h.rd(LSR), 0xe1 & ~0x80);
    h.wr(FCR, 0x00);
    assert.equal(h.rd(LSR), 0x60);
    h.wr(TX, 0x31);
    h.wr(FCR, 0x01);
    assert.equal(h.rd(LSR), 0x60);
    h.wr(FCR, 0x01); // writing the same enable keeps the contents
    h.wr(TX, 0x32);
    h.wr(FCR, 0x01);
    assert.equal(h.rd(RX), 0x32);
  });
});

describe('IIR priorities', () => {
  test('line status > received data > THRE > modem status', () => {
    const h = make({ instantaneous: true });
    h.wr(FCR, 0x01); // trigger 1
    h.wr(MCR, 0x10);
    for (let i = 0; i < 17; i++) h.wr(TX, 0x30); // RX full + overrun
    h.wr(MCR, 0x13); // modem delta (DSR, CTS) in loopback
    h.wr(IER, 0x0f); // THRI 0->1 with THR empty: THRE pending
    assert.equal(h.rd(IIR), 0xc6);
    assert.equal(h.rd(IIR), 0xc6);
    h.rd(LSR);
    assert.equal(h.rd(IIR), 0xcc); // received data: timeout indication (instantaneous)
    while (h.rd(LSR) & 0x01) h.rd(RX);
    assert.equal(h.irq.asserted, true);
    assert.equal(h.rd(IIR), 0xc2); // THRE, cleared by this read
    assert.equal(h.rd(IIR), 0xc0); // modem status
    assert.equal(h.rd(MSR), 0x3b); // deltas accumulated since entering loopback
    assert.equal(h.rd(IIR), 0xc1);
    assert.equal(h.irq.asserted, false);
  });

  test('received data available outranks THRE in FIFO mode without timeout (timed)', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.wr(FCR, 0x01);
    h.u.receive([0x55]);
    h.at(C);
    h.wr(IER, 0x03);
    assert.equal(h.rd(IIR), 0xc4);
    h.rd(RX);
    assert.equal(h.rd(IIR), 0xc2);
    assert.equal(h.rd(IIR), 0xc1);
  });

  test('out2GatesIrq: the line follows IIR only with OUT2 set and LOOP clear', () => {
    const h = make({ instantaneous: true, out2GatesIrq: true });
    h.wr(IER, 0x02);
    assert.equal(h.irq.asserted, false);
    h.wr(MCR, 0x08);
    assert.equal(h.irq.asserted, true);
    h.wr(MCR, 0x18);
    assert.equal(h.irq.asserted, false);
    h.wr(MCR, 0x08);
    assert.equal(h.rd(IIR), 0x02);
    assert.equal(h.irq.asserted, false);
  });
});

describe('register spacing and access width', () => {
  test('regShift 3: registers 8 bytes apart, any byte lane and width reaches the register', () => {
    const h = make({ regShift: 3, instantaneous: true });
    assert.equal(h.u.size, 64);
    h.u.write(SCR << 3, 8, 0x1234_5678_9a);
    assert.equal(h.u.read(SCR << 3, 8), 0x9a);
    assert.equal(h.u.read((SCR << 3) + 7, 1), 0x9a); // big-endian byte lane
    assert.equal(h.u.read((SCR << 3) + 4, 4), 0x9a);
    h.u.write((LCR << 3) + 7, 1, 0x83);
    h.u.write(DLL << 3, 4, 0x0c);
    h.u.write((LCR << 3), 8, 0x03);
    h.u.write((TX << 3) + 7, 1, 0x4f);
    h.u.write(TX << 3, 8, 0x4b);
    assert.equal(text(h.tx), 'OK');
    assert.equal(h.u.read(LSR << 3, 8), 0x60);
    assert.equal(h.u.read((IIR << 3) + 3, 1), 0x01);
    h.wr(LCR, 0x80);
    assert.equal(h.rd(DLL), 0x0c);
    assert.equal(h.u.read(64, 1), 0);
    assert.equal(h.u.read(-1, 1), 0);
  });

  test('regShift 0: wider accesses touch only the addressed register', () => {
    const h = make({ instantaneous: true });
    h.u.write(TX, 2, 0xab41);
    assert.deepEqual(h.tx, [0x41]);
    assert.equal(h.rd(IER), 0); // not written by the upper byte
    h.u.write(SCR, 4, 0xffffff77);
    assert.equal(h.u.read(SCR, 4), 0x77);
    h.u.write(8, 1, 0x55); // outside the window: ignored
    assert.equal(h.u.read(8, 1), 0);
  });

  test('invalid options are rejected', () => {
    const irq = new IrqLine('x');
    assert.throws(() => new Uart16550({ name: 'u', irq, regShift: 4 }), RangeError);
    assert.throws(() => new Uart16550({ name: 'u', irq, clockHz: 0 }), RangeError);
  });

  test('peek has no side effects', () => {
    const h = make({ instantaneous: true });
    h.wr(IER, 0x06);
    h.wr(MCR, 0x10);
    h.wr(TX, 0x21);
    h.wr(TX, 0x22); // RBR overrun in non-FIFO mode
    assert.equal(h.u.peek(IIR), 0x06);
    assert.equal(h.u.peek(LSR), 0x63);
    assert.equal(h.u.peek(LSR), 0x63);
    assert.equal(h.u.peek(RX), 0x22);
    assert.equal(h.u.peek(MSR), 0x0b);
    assert.equal(h.rd(LSR), 0x63);
    assert.equal(h.rd(RX), 0x22);
    assert.equal(h.u.peek(IIR), 0x02);
    assert.equal(h.rd(IIR), 0x02);
    assert.equal(h.rd(IIR), 0x01);
  });

  test('the now() option times register writes between ticks', () => {
    let vt = 1_000_000;
    const h = make({ now: () => vt });
    h.wr(LCR, 0x03);
    h.wr(TX, 0x41);
    assert.equal(h.u.nextEvent(), 1_000_000 + C);
    vt = 1_000_000 + C;
    assert.equal(h.rd(LSR), 0x60); // the access itself brought the device up to date
    assert.deepEqual(h.tx, [0x41]);
    vt += 500;
    h.u.receive([0x42]);
    assert.equal(h.u.nextEvent(), 1_000_000 + 2 * C + 500);
  });
});

describe('checkpoint state', () => {
  /** Brings a timed UART into a busy state: partial FIFOs, shift register busy, queue, timeout. */
  function busy(h: Harness): void {
    linuxAutoconfig(h);
    linuxStartup(h);
    linuxSetTermios(h);
    h.wr(SCR, 0x5c);
    h.wr(IER, 0x0f);
    h.u.receive(bytes('abcdefghijklmnopqrstuvwxyz0123456789'));
    h.u.sendBreak();
    for (const ch of bytes('output!')) h.wr(TX, ch);
    h.at(h.u.state.now + 3 * C + 17);
    h.rd(RX);
    h.u.setModemInputs(0x90);
  }

  /** The same guest/host activity applied to any instance; returns everything observed. */
  function script(h: Harness): number[] {
    const seen: number[] = [];
    const t0 = h.u.state.now;
    for (let i = 1; i <= 60; i++) {
      h.at(t0 + i * (C / 3));
      seen.push(h.rd(IIR), h.rd(LSR), h.rd(MSR), h.irq.asserted ? 1 : 0);
      if (i % 4 === 0) seen.push(h.rd(RX));
      if (i % 9 === 0) h.wr(TX, 0x60 + i);
      if (i === 30) h.u.receive(bytes('late'));
      if (i === 40) h.wr(FCR, 0xc7);
    }
    h.drain();
    while (h.rd(LSR) & 0x01) seen.push(h.rd(RX));
    seen.push(...h.tx, h.u.state.now);
    return seen;
  }

  test('spec is named after the device and versioned', () => {
    const h = make();
    assert.equal(h.u.stateSpec.name, 'uart0');
    assert.equal(h.u.stateSpec.version, 1);
    assert.equal(h.u.stateSpec.fields.rxFifo, 'bytes');
    assert.equal(h.u.stateSpec.fields.inQueue, 'bytes');
    assert.equal(h.u.stateSpec.fields.txFifo, 'bytes');
  });

  test('save -> restore -> save is byte-identical', () => {
    const h = make();
    busy(h);
    const a = saveState(h.u);
    restoreState(h.u, a);
    const b = saveState(h.u);
    assert.deepEqual(b, a);
    assert.ok(a.length > 200);
    // the same holds for a fresh device and an instantaneous one
    const f = make();
    assert.deepEqual(saveState(f.u), saveState(make().u));
    const i = make({ instantaneous: true });
    i.u.receive(bytes('xyz'));
    const ia = saveState(i.u);
    restoreState(i.u, ia);
    assert.deepEqual(saveState(i.u), ia);
  });

  test('restoring into a fresh instance reproduces subsequent behaviour', () => {
    const h = make();
    busy(h);
    const snap = saveState(h.u);
    h.tx.length = 0;
    const fresh = make();
    restoreState(fresh.u, snap);
    assert.deepEqual(saveState(fresh.u), snap);
    assert.equal(fresh.irq.asserted, h.irq.asserted); // afterRestore drives the line
    assert.equal(fresh.u.nextEvent(), h.u.nextEvent());
    assert.equal(fresh.u.pendingInput, h.u.pendingInput);
    const expected = script(h);
    const actual = script(fresh);
    assert.deepEqual(actual, expected);
    assert.deepEqual(saveState(fresh.u), saveState(h.u));
    assert.ok(expected.length > 250);
    // a restored snapshot rewinds the original as well
    const again = make();
    restoreState(again.u, snap);
    restoreState(h.u, snap);
    h.tx.length = 0;
    assert.deepEqual(script(h), script(again));
  });

  test('host input queued mid-transfer survives a restore', () => {
    const h = make();
    h.wr(LCR, 0x03);
    h.u.receive(bytes('persist'));
    h.at(C);
    const snap = saveState(h.u);
    const fresh = make();
    restoreState(fresh.u, snap);
    assert.equal(fresh.u.pendingInput, 6);
    const got: number[] = [];
    for (let i = 0; i < 50 && got.length < 7; i++) {
      if (fresh.rd(LSR) & 0x01) got.push(fresh.rd(RX));
      else fresh.drain(fresh.u.state.now + C);
    }
    assert.equal(text(got), 'persist');
  });

  test('state from another device name or version is rejected', () => {
    const h = make();
    const snap = saveState(h.u);
    const other = new Uart16550({ name: 'uart1', irq: new IrqLine('x') });
    assert.throws(() => restoreState(other, snap), StateError);
    const future = { stateSpec: { ...h.u.stateSpec, version: 2 }, state: h.u.state };
    assert.throws(() => decodeState(future, snap), /version 1 is not supported/);
  });
});
