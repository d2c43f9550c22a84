// The octeon board's boot protocol and power handling, with a bare-metal stand-in for
// the kernel (assembled here, linked where Debian's vmlinux is): it follows a3 to the boot
// descriptor, reads argc/argv and the bootinfo it points to (version, fdt_addr), prints
// argv[0] through the UART's THR alias as Linux's early printk does, and halts with WAIT
// and interrupts disabled, which powers the board off (exit code 0). Also: the bootmem
// free list kept clear of the kernel's KASLR copy, the initrd below the kernel on the
// command line, the device tree against dtc's reading of it, and refusals; a kernel that
// polls a CSR the board does not model is reported once, then stopped with exit code 1.
// A user's device tree blob (dtc-compiled) reaches the kernel through fdt_addr; damaged
// ones (bad magic, truncated, too large, broken structure) are refused before the boot.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BOOT_AREA, createOcteonMachine, OCTEON_DTB_MAX, OCTEON_DTB_PA, OCTEON_INITRD_PA, STUCK_EXIT_CODE } from '../../src/emulator/boards/octeon';
import { buildFdt, FdtError, str } from '../../src/emulator/boards/fdt';
import { POLL_READS } from '../../src/emulator/devices/octeon-io';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { OcteonBoard } from '../../src/emulator/boards/octeon';
import { hasTool, TempDir } from '../loader/toolchain';
import { octeonStandInKernel as kernelElf } from '../support/octeon-kernel';

function boot(append: string, initrd?: Uint8Array, memoryMiB = 128, kernel = kernelElf(), engine: 'jit' | 'interp' = 'jit', dtb?: Uint8Array) {
  const { machine, board } = createOcteonMachine({ memoryMiB, engine, dtb });
  let out = '';
  machine.events.on('uartTx', (e) => { out += String.fromCharCode(e.byte); });
  const logs: string[] = [];
  machine.events.on('log', (e) => logs.push(`${e.level}: ${e.message}`));
  board.bootLinux(kernel, initrd, append);
  const u64 = (pa: number): bigint => {
    const b = machine.bus.readBytes(pa, 8);
    return b.reduce((acc: bigint, x, i) => acc | (BigInt(x ?? 0) << BigInt(8 * i)), 0n);
  };
  const argv = (): string[] => {
    const n = Number(u64(BOOT_AREA + 0x38) & 0xffffffffn);
    return Array.from({ length: n }, (_, i) => {
      let pa = Number(u64(BOOT_AREA + 0x40 + 4 * i) & 0xffffffffn), s = '';
      for (let c = machine.bus.readBytes(pa, 1)[0]; c; c = machine.bus.readBytes(++pa, 1)[0]) s += String.fromCharCode(c);
      return s;
    });
  };
  return { machine, board, out: () => out, u64, argv, logs };
}

describe('Octeon board', () => {
  test('the kernel finds descriptor, bootinfo 1.4 and the device tree; WAIT with interrupts off powers off', () => {
    const b = boot('console=ttyS0,115200 nokaslr rdinit=/init');
    while (!b.machine.poweredOff && b.machine.cpu.icount < 100_000) b.machine.run(10_000);
    const cpu = b.machine.cpu;
    assert.equal(b.out(), 'console=ttyS0,115200');
    assert.equal(cpu.getGpr(8), 3n, 'argc: the command line\'s words (no program name: Linux joins them all)');
    assert.deepEqual([cpu.getGpr(12), cpu.getGpr(13)], [1n, 4n], 'bootinfo major.minor 1.4');
    assert.equal(BigInt.asUintN(32, cpu.getGpr(15)), 0xedfe0dd0n, 'FDT magic 0xd00dfeed (big-endian) at fdt_addr');
    assert.ok(b.machine.poweredOff);
    assert.equal(b.machine.exitCode, 0);
    assert.deepEqual(b.argv(), ['console=ttyS0,115200', 'nokaslr', 'rdinit=/init']);
  });

  test('bootmem: one free block above the kernel, beyond its KASLR copy unless nokaslr', () => {
    const img = boot('').board.image!;
    for (const [append, min] of [['', img.highPa + (img.highPa - img.lowPa) + (16 << 20)], ['nokaslr', img.highPa]] as const) {
      const b = boot(append);
      const desc = BOOT_AREA + 0x2000;
      assert.equal(b.u64(desc + 0x10) >> 32n, 3n, 'major version 3 (little-endian view: minor, major)');
      const head = Number(b.u64(desc + 0x08));
      assert.ok(head >= min && head < min + (1 << 20) && head % (1 << 20) === 0, `head 0x${head.toString(16)}`);
      assert.equal(b.u64(head), 0n, 'the last block');
      assert.equal(Number(b.u64(head + 8)), (128 << 20) - head, 'up to the end of RAM');
    }
  });

  test('the initrd goes below the kernel, on the command line as rd_start/rd_size', () => {
    const initrd = new Uint8Array(3000).map((_, i) => i & 0xff);
    const b = boot('console=ttyS0', initrd);
    assert.deepEqual(b.argv().slice(0, 2), [`rd_start=0xffffffff80${OCTEON_INITRD_PA.toString(16).padStart(6, '0')}`, 'rd_size=3000']);
    assert.deepEqual(b.machine.bus.readBytes(OCTEON_INITRD_PA, 3000), Array.from(initrd));
    assert.throws(() => boot('', new Uint8Array(17 << 20)), /initrd \(17825792 bytes\) does not fit below the kernel/);
  });

  test('refusals: a machine without an Octeon CPU; too little RAM', () => {
    assert.throws(() => new OcteonBoard(createDemoMachine({}).machine), /needs an Octeon CPU model/);
    assert.throws(() => boot('', undefined, 32), /32 MiB of RAM leaves no free memory above the kernel/);
  });

  for (const engine of ['jit', 'interp'] as const) {
    test(`a kernel polling a CSR the board lacks: reported once, then stopped with exit code 1 (${engine})`, () => {
      const b = boot('console=ttyS0', undefined, 128, kernelElf({ pollCsr: 0x1180000001000n }), engine);
      while (!b.machine.poweredOff && b.machine.cpu.icount < 5_000_000) b.machine.run(100_000);
      assert.equal(b.out(), 'console=ttyS0');
      assert.ok(b.machine.poweredOff, `still running after ${b.machine.cpu.icount} instructions; logs: ${b.logs.join(' | ')}`);
      assert.equal(b.machine.exitCode, STUCK_EXIT_CODE);
      assert.deepEqual(b.logs, [
        'warn: Octeon CSR read of 0x0001180000001000 (MIO_TWS0_SW_TWSI) is not modelled: reads 0',
        `error: the guest read Octeon CSR 0x0001180000001000 (MIO_TWS0_SW_TWSI) ${POLL_READS} times in a row, waiting for something this board does not model: stopped (exit code 1)`,
      ]);
    });
  }

  test('the device tree as dtc reads it', (t) => {
    if (!hasTool('dtc')) {
      if (process.env.CI === 'true') assert.fail('dtc not installed (Debian package device-tree-compiler)');
      t.skip('dtc not installed (Debian package device-tree-compiler)');
      return;
    }
    const dir = new TempDir();
    // /chosen/rng-seed: 32 bytes of xorshift32 from the board's fixed seed 0x4f435445.
    let x = 0x4f435445;
    const rngSeedHex = Array.from({ length: 32 }, () => {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      return (x & 0xff).toString(16).padStart(2, '0');
    }).join(' ');
    try {
      const ours = dir.file('ours.dtb', boot('').board.deviceTree());
      const want = dir.file('want.dts', `/dts-v1/;
/ {
  compatible = "cavium,octeon-6100", "cavium,octeon-3860"; model = "MIPS64 Studio Octeon II board";
  #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&ciu>;
  soc@0 {
    compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges;
    ciu: interrupt-controller@1070000000000 {
      compatible = "cavium,octeon-3860-ciu"; interrupt-controller; #interrupt-cells = <2>; reg = <0x10700 0x0 0x0 0x7000>;
    };
    serial@1180000000800 {
      compatible = "cavium,octeon-3860-uart", "ns16550"; reg = <0x11800 0x800 0x0 0x400>; clock-frequency = <200000000>;
      current-speed = <115200>; reg-shift = <3>; interrupts = <0 34>;
    };
  };
  aliases { serial0 = "/soc@0/serial@1180000000800"; };
  chosen { stdout-path = "serial0:115200n8"; rng-seed = [${rngSeedHex}]; };
};
`);
      const dtc = (args: string[]): string => {
        const r = spawnSync('dtc', ['-q', ...args], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      // Both trees as dtc prints a binary: ours, and the source above compiled by dtc.
      const wantDtb = dir.file('want.dtb', '');
      dtc(['-I', 'dts', '-O', 'dtb', '-o', wantDtb, want]);
      assert.equal(dtc(['-I', 'dtb', '-O', 'dts', ours]), dtc(['-I', 'dtb', '-O', 'dts', wantDtb]));
    } finally {
      dir.remove();
    }
  });

  test('a user\'s device tree blob: at fdt_addr for the kernel; damaged ones refused before the boot', (t) => {
    // A tree dtc compiled (labels, phandles, a memory reservation) when dtc is here; ours otherwise.
    let dtb = buildFdt({ name: '', props: [['model', str('user tree')]], children: [{ name: 'chosen', props: [['bootargs', str('x')]] }] });
    if (hasTool('dtc')) {
      const dir = new TempDir();
      try {
        const src = dir.file('user.dts', '/dts-v1/;\n/memreserve/ 0x1000 0x1000;\n/ { model = "user tree"; #address-cells = <2>; #size-cells = <2>;\n'
          + '  ciu: interrupt-controller@1070000000000 { interrupt-controller; #interrupt-cells = <2>; reg = <0x10700 0 0 0x7000>; };\n'
          + '  serial@1180000000800 { interrupt-parent = <&ciu>; interrupts = <0 34>; }; };\n');
        const out = dir.file('user.dtb', '');
        const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, src], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        dtb = new Uint8Array(readFileSync(out));
      } finally {
        dir.remove();
      }
    } else if (process.env.CI === 'true') {
      assert.fail('dtc not installed (Debian package device-tree-compiler)');
    } else {
      t.diagnostic('dtc not installed: the tree is our own writer\'s');
    }
    const b = boot('console=ttyS0 nokaslr', undefined, 128, kernelElf(), 'jit', dtb);
    while (!b.machine.poweredOff && b.machine.cpu.icount < 100_000) b.machine.run(10_000);
    const cpu = b.machine.cpu;
    assert.equal(BigInt.asUintN(64, cpu.getGpr(14)), 0xffffffff80000000n + BigInt(OCTEON_DTB_PA), 'fdt_addr: the user\'s tree');
    assert.equal(BigInt.asUintN(32, cpu.getGpr(15)), 0xedfe0dd0n, 'its magic, as the kernel reads it');
    assert.deepEqual(b.machine.bus.readBytes(OCTEON_DTB_PA, dtb.length), Array.from(dtb));
    assert.equal(b.machine.exitCode, 0);

    const be = (bytes: Uint8Array, at: number, v: number): Uint8Array => {
      const c = bytes.slice();
      new DataView(c.buffer).setUint32(at, v);
      return c;
    };
    const structOff = new DataView(dtb.buffer, dtb.byteOffset).getUint32(8);
    const big = new Uint8Array(OCTEON_DTB_MAX + 8);
    big.set(dtb);
    for (const [what, bytes, msg] of [
      ['bad magic', be(dtb, 0, 0x12345678), /magic 0x12345678, not 0xd00dfeed$/],
      ['a .dts source', new TextEncoder().encode('/dts-v1/;\n/ { model = "x"; };\n'.padEnd(64)), /not 0xd00dfeed \(a \.dts source\? compile it with dtc -O dtb\)$/],
      ['shorter than the header', dtb.subarray(0, 20), /20 bytes, shorter than the 40-byte header \(truncated\?\)$/],
      ['truncated', dtb.subarray(0, dtb.length - 9), new RegExp(`the header says ${dtb.length} bytes, the file has ${dtb.length - 9} \\(truncated\\)$`)],
      ['larger than the limit', be(big, 4, big.length), new RegExp(`${big.length} bytes, more than the ${OCTEON_DTB_MAX}-byte limit$`)],
      ['a version Linux does not read', be(dtb, 20, 1), /version 1 \(compatible with \d+\); Linux reads versions 16 and 17$/],
      ['strings block outside the tree', be(dtb, 12, dtb.length), /the strings block \(offset \d+, \d+ bytes\) lies outside the \d+-byte tree$/],
      ['an unknown token', be(dtb, structOff, 7), /unknown token 0x7 at offset \d+ of the structure block$/],
      // The root's FDT_END_NODE (before FDT_END) made a NOP.
      ['a node left open', be(dtb, structOff + new DataView(dtb.buffer, dtb.byteOffset).getUint32(36) - 8, 4), /FDT_END inside an unclosed node \(depth 1\)$/],
    ] as const) {
      assert.throws(() => createOcteonMachine({ memoryMiB: 128, dtb: bytes }), (e: Error) => {
        assert.ok(e instanceof FdtError, `${what}: ${e.message}`);
        assert.match(e.message, /^not a usable device tree blob: /, what);
        assert.match(e.message, msg, what);
        assert.doesNotMatch(e.message, /\n/, what);
        return true;
      }, what);
    }
    assert.throws(() => createOcteonMachine({ memoryMiB: 128, dtb, deviceTree: 'kernel' }), /exclude each other/);
  });
});
