// The built-in demo board: RAM at physical 0, one 16550A UART where Malta has its
// ttyS0 (ISA port 0x3f8 in the I/O window at 0x18000000, so the same bare-metal
// program runs on QEMU's Malta), the CPU's Count/Compare timer, and a power/reset
// register. The UART interrupt goes straight to CPU line IP2.

import { PowerDevice } from '../devices/power';
import { IrqLine } from '../devices/irq';
import { Uart16550 } from '../devices/uart16550';
import { loadElf, LoadedImage } from '../loader/load-elf';
import { Board, Machine, MachineOptions } from '../machine';

export const DEMO_UART_BASE = 0x180003f8;
export const DEMO_POWER_BASE = 0x1f100000;

export class DemoBoard implements Board {
  readonly name = 'demo';
  readonly uart: Uart16550;
  readonly power: PowerDevice;
  readonly devices;
  private image: LoadedImage | undefined;

  constructor(private readonly m: Machine) {
    const irq = new IrqLine('uart0', (level) => m.cpu.setIrq(2, level));
    this.uart = new Uart16550({
      name: 'uart0', irq, now: () => m.now(),
      onTransmit: (byte) => m.events.emit('uartTx', { port: 0, byte }),
    });
    // Powering off, the UART first sends what the guest wrote to it (its last words).
    this.power = new PowerDevice({ onPowerOff: (code) => { this.uart.drainTransmitter(); m.powerOff(code); }, onReset: () => m.reset() });
    this.devices = [this.uart, this.power];
    m.bus.mapRam(0, m.bus.ramSize);
    m.bus.mapDevice(DEMO_UART_BASE, this.uart);
    m.bus.mapDevice(DEMO_POWER_BASE, this.power);
    m.attachBoard(this);
  }

  /** Loads a program and points the CPU at it, as QEMU's -kernel does (BEV set, ERL clear). */
  boot(elf: Uint8Array): LoadedImage {
    this.image = loadElf(this.m.bus, elf, { expectBig: this.m.options.bigEndian, isa: this.m.model.isa });
    this.start();
    return this.image;
  }

  private start(): void {
    const cpu = this.m.cpu;
    if (!this.image) return;
    cpu.pc = this.image.entry;
    cpu.c0.status = 0x00400000;
    cpu.afterStateChange();
    // sp at the top of RAM (kseg0), like a boot monitor would.
    const top = Math.min(this.m.bus.ramSize, 256 << 20);
    cpu.setGpr(29, BigInt.asUintN(64, BigInt(0x80000000 + top - 64) | 0xffffffff00000000n));
  }

  consoleInput(bytes: Uint8Array | readonly number[]): void {
    this.uart.receive(bytes);
  }

  reset(): void {
    this.start();
  }
}

export function createDemoMachine(opts: Partial<MachineOptions> = {}): { machine: Machine; board: DemoBoard } {
  const machine = new Machine({ ...opts, board: 'demo' });
  const board = new DemoBoard(machine);
  return { machine, board };
}
