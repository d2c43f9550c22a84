// Malta board without a real kernel: the physical map (RAM aliases, GT-64120 after
// the boot stub, ISA window, FPGA, boot ROM ID word, harmless unassigned reads), the
// state QEMU's -kernel boot leaves (registers, YAMON table, initrd placement), the
// FPGA software reset reloading the images, and power-off through the PIIX4 the way
// Linux reaches it (PCI configuration through the GT, then the PM I/O block).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMaltaMachine } from '../../src/emulator/boards/malta.js';

const LOAD = 0xffffffff80100000n;

/** lui t0,0xbf00; ori t1,zero,0x42; sw t1,0x500(t0); b .; nop — a guest that resets the board. */
function resetProgram(): Uint8Array {
  const words = [0x3c08bf00, 0x34090042, 0xad090500, 0x1000ffff, 0x00000000];
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return b;
}

function cString(bytes: (number | undefined)[]): string {
  let s = '';
  for (const b of bytes) { if (!b) break; s += String.fromCharCode(b); }
  return s;
}

function readU32(m: ReturnType<typeof createMaltaMachine>['machine'], pa: number): number {
  const b = m.bus.readBytes(pa, 4);
  return ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0;
}

describe('Malta board', () => {
  test('physical map after the boot stub', () => {
    const { machine } = createMaltaMachine({ memoryMiB: 64, engine: 'interp' });
    const bus = machine.bus;
    assert.equal(bus.ioRead(0x1fc00010, 4), 0x00000420, 'board ID: Core LV on GT-64120');
    assert.equal(bus.ioRead(0x1be00068, 4), 0xdf, 'GT ISD, registers at 0x1be00000');
    assert.equal(bus.ioRead(0x14000068, 4), 0, 'nothing left at the reset address');
    assert.equal(bus.ioRead(0x1be00048, 4), 0xc0, 'PCI0 I/O window at 0x18000000');
    assert.equal(bus.ioRead(0x18000060, 1), 0xff, 'no i8042: undecoded port reads all ones');
    assert.equal(bus.ioRead(0x1f000208, 4), 0x10, 'FPGA STATUS');
    assert.equal(bus.ioRead(0x1e000000, 4), 0, 'flash absent: reads 0');
    assert.equal(bus.ioWrite(0x1e000000, 4, 1), true, 'and writes are ignored');
    assert.equal(bus.ioRead(0x40000000, 4), undefined, 'above 512 MiB nothing answers: bus error');
    // RTC through the ISA window.
    bus.ioWrite(0x18000070, 1, 0x0a);
    assert.equal(bus.ioRead(0x18000071, 1), 0x26);
    // RAM at 0 is the start of RAM at 0x80000000.
    bus.writeBytes(0x80001000, Uint8Array.of(1, 2, 3, 4));
    assert.deepEqual(bus.readBytes(0x1000, 4), [1, 2, 3, 4]);
  });

  test('big-endian board: ID word, FPGA STATUS and GT registers as a big-endian CPU sees them', () => {
    const { machine } = createMaltaMachine({ memoryMiB: 32, engine: 'interp', bigEndian: true });
    const bus = machine.bus;
    assert.equal(bus.ioRead(0x1fc00010, 4), 0x00000420);
    assert.equal(bus.ioRead(0x1fc00013, 1), 0x20, 'low byte last in big-endian order');
    assert.equal(bus.ioRead(0x1f000208, 4), 0x12);
    assert.equal(bus.ioRead(0x1be00068, 4), 0xdf000000, 'GT without the Endianness bit: byte-swapped');
  });

  test('RAM above 512 MiB is also visible at 0x20000000', () => {
    const { machine } = createMaltaMachine({ memoryMiB: 640, engine: 'interp' });
    const bus = machine.bus;
    bus.writeBytes(0x80000000 + (512 << 20), Uint8Array.of(0xaa));
    assert.deepEqual(bus.readBytes(0x20000000, 1), [0xaa]);
    assert.deepEqual(bus.readBytes(0x10000000, 1), [undefined], 'low alias stops at 256 MiB');
  });

  test('direct boot: registers, YAMON table and initrd as QEMU -kernel leaves them', () => {
    const { machine, board } = createMaltaMachine({ memoryMiB: 256, engine: 'interp' });
    const initrd = new Uint8Array(1147034).fill(7);
    board.bootLinuxImage(resetProgram(), LOAD, LOAD, initrd, 'console=ttyS0', 'vmlinuz');
    const cpu = machine.cpu;
    assert.equal(BigInt.asUintN(64, cpu.pc), LOAD);
    assert.equal(cpu.getGpr(4), 2n);
    assert.equal(BigInt.asUintN(64, cpu.getGpr(5)), 0xffffffff80002000n);
    assert.equal(BigInt.asUintN(64, cpu.getGpr(6)), 0xffffffff80002008n);
    assert.equal(cpu.getGpr(7), 256n << 20n);
    assert.equal(BigInt.asUintN(64, cpu.getGpr(29)), 0xffffffff80001fc0n);
    assert.equal(cpu.c0.status, 0x00400000);
    // Same address as QEMU gives a 1147034-byte initrd in 256 MiB.
    assert.equal(board.initrdPa, 0x0fed0000);
    assert.deepEqual(machine.bus.readBytes(0x0fed0000, 2), [7, 7]);
    const entries: string[] = [];
    for (let i = 0; i < 16; i++) {
      const p = readU32(machine, 0x2000 + 4 * i);
      if (!p) break;
      assert.equal(p, 0x80002040 + 256 * i);
      entries.push(cString(machine.bus.readBytes(p - 0x80000000, 256)));
    }
    assert.deepEqual(entries.slice(0, 9), [
      'vmlinuz', 'rd_start=0xffffffff8fed0000 rd_size=1147034 console=ttyS0',
      'memsize', '268435456', 'ememsize', '268435456', 'modetty0', '38400n8r', 'rngseed',
    ]);
    assert.match(entries[9]!, /^[0-9a-f]{64}$/);
    assert.equal(entries.length, 10, 'null-terminated');
  });

  test('FPGA SOFTRES resets the board and the images are reloaded', () => {
    const { machine, board } = createMaltaMachine({ memoryMiB: 64, engine: 'interp' });
    board.bootLinuxImage(resetProgram(), LOAD, LOAD, undefined, 'quiet');
    let resets = 0;
    machine.events.on('reset', () => { resets++; });
    machine.bus.writeBytes(0x2040, new TextEncoder().encode('garbage'));
    machine.run(3); // lui, ori, sw → reset requested
    assert.equal(resets, 0, 'the reset happens at the next instruction boundary');
    machine.run(1);
    assert.equal(resets, 1);
    assert.equal(BigInt.asUintN(64, machine.cpu.pc), LOAD + 4n, 'restarted at the entry (one instruction run since)');
    assert.equal(cString(machine.bus.readBytes(0x2040, 16)), 'vmlinux');
    assert.equal(machine.bus.ioRead(0x1be00068, 4), 0xdf, 'GT reprogrammed as by the boot stub');
  });

  test('power-off the way Linux does it: PCI fixup of PMBA, then PMCNTRL in the I/O window', () => {
    const { machine } = createMaltaMachine({ memoryMiB: 64, engine: 'interp' });
    const bus = machine.bus;
    const cfg = (devfn: number, reg: number, size: 1 | 2 | 4, v: number): void => {
      bus.ioWrite(0x1be00cf8, 4, (0x80000000 | (devfn << 8) | (reg & 0xfc)) >>> 0);
      bus.ioWrite(0x1be00cfc + (reg & 3), size, v);
    };
    bus.ioWrite(0x1be00cf8, 4, 0x80000000 | ((10 << 3 | 3) << 8));
    assert.equal(bus.ioRead(0x1be00cfc, 4), 0x71138086);
    assert.equal(bus.ioRead(0x18001000, 2), 0xffff, 'PM block not decoded yet');
    cfg(10 << 3 | 3, 0x40, 2, 0x1000);
    cfg(10 << 3 | 3, 0x80, 1, 1);
    assert.equal(bus.ioRead(0x18001000, 2), 0);
    let code = -1;
    machine.events.on('powerOff', (e) => { code = e.code; });
    bus.ioWrite(0x18001004, 2, 1 << 13);
    assert.equal(machine.poweredOff, true);
    assert.equal(code, 0);
  });
});
