// The physical address space: RAM windows (one backing array, possibly visible at
// several physical addresses, as Malta aliases low RAM) and devices mapped by address
// range. CPU loads/stores to RAM go straight to the typed-array views; device accesses
// go through read/write. An access to nothing returns `undefined` so the CPU can raise
// a bus error; a board may install a fallback (Malta's unassigned I/O reads 0).

import { AccessSize, Device } from '../devices/device';
import { wasmApi, WasmMemory } from './wasm-api';

/**
 * Bytes after RAM, in the same WebAssembly memory, for CPU state that translated
 * WebAssembly code reads and writes directly (GPRs, the host translation cache, the
 * translator's dispatch tables): allocated with PhysicalBus.allocCore.
 */
export const CORE_BYTES = 4 << 20;

interface RamWindow { base: number; size: number; offset: number }
interface DeviceWindow { base: number; size: number; dev: Device }

export type Fallback = { read(pa: number, size: AccessSize): number | undefined; write(pa: number, size: AccessSize, v: number): boolean };

export class PhysicalBus {
  readonly ram: Uint8Array;
  readonly ram8: Int8Array;
  readonly ram16: Int16Array;
  readonly ramU16: Uint16Array;
  readonly ram32: Int32Array;
  readonly ramSize: number;
  /**
   * The WebAssembly memory holding RAM at offset 0 and the core area after it, or
   * undefined when the host has no WebAssembly (RAM is then a plain ArrayBuffer).
   */
  readonly memory: WasmMemory | undefined;
  /** Next free byte of the core area (an offset in `memory`). */
  private coreTop: number;
  private readonly ramWindows: RamWindow[] = [];
  private devices: DeviceWindow[] = [];
  private lastDev: DeviceWindow | undefined;
  fallback: Fallback | undefined;
  /** Called after every device access (devices may have rescheduled timed events). */
  afterIo: () => void = () => {};
  /**
   * Observer of RAM writes that do not come from CPU stores (loaders, DMA-like device
   * writes, debugger memory edits): offset and length in the RAM array. Dirty-page
   * tracking for incremental checkpoints installs it. Anything that writes `ram`
   * directly instead of through writeBytes must call it too.
   */
  onRamWrite: ((offset: number, length: number) => void) | undefined = undefined;
  /** Log of unassigned accesses (bounded), for diagnostics. */
  readonly unassigned: string[] = [];

  constructor(ramBytes: number, readonly bigEndian: boolean) {
    if (ramBytes % 65536 !== 0) throw new Error('RAM size must be a multiple of 64 KiB');
    let memory: WasmMemory | undefined;
    try {
      memory = wasmApi ? new wasmApi.Memory({ initial: (ramBytes + CORE_BYTES) / 65536 }) : undefined;
    } catch {
      memory = undefined; // (address space exhausted: run without the WebAssembly tier)
    }
    this.memory = memory;
    const buf = memory ? memory.buffer : new ArrayBuffer(ramBytes + CORE_BYTES);
    this.ram = new Uint8Array(buf, 0, ramBytes);
    this.ram8 = new Int8Array(buf, 0, ramBytes);
    this.ram16 = new Int16Array(buf, 0, ramBytes >>> 1);
    this.ramU16 = new Uint16Array(buf, 0, ramBytes >>> 1);
    this.ram32 = new Int32Array(buf, 0, ramBytes >>> 2);
    this.ramSize = ramBytes;
    this.coreTop = ramBytes;
  }

  /** Allocates `bytes` (8-byte aligned) of the core area; returns their offset in the memory's buffer. */
  allocCore(bytes: number): number {
    const at = this.coreTop;
    const end = at + ((bytes + 7) & ~7);
    if (end > this.ramSize + CORE_BYTES) throw new Error('core area exhausted');
    this.coreTop = end;
    return at;
  }

  /** The buffer holding RAM and the core area. */
  get buffer(): ArrayBuffer {
    return this.ram.buffer as ArrayBuffer;
  }

  /** Makes RAM bytes [offset, offset+size) visible at physical `base`. */
  mapRam(base: number, size: number, offset = 0): void {
    if (offset + size > this.ramSize) size = this.ramSize - offset;
    if (size <= 0) return;
    this.ramWindows.push({ base, size, offset });
  }

  mapDevice(base: number, dev: Device, size = dev.size): void {
    this.devices.push({ base, size, dev });
    this.devices.sort((a, b) => a.base - b.base);
  }

  unmapDevice(dev: Device): void {
    this.devices = this.devices.filter((d) => d.dev !== dev);
    this.lastDev = undefined;
  }

  get deviceList(): readonly Device[] {
    return this.devices.map((d) => d.dev);
  }

  /**
   * The largest power of two P (up to 512 MiB, the unmapped kernel segments' reach) such
   * that physical [0, P) is RAM at the same offsets; 0 when RAM does not start at 0.
   */
  identityRam(): number {
    const w = this.ramWindows.find((r) => r.base === 0 && r.offset === 0);
    if (!w) return 0;
    let p = 1 << 29;
    while (p > w.size) p >>>= 1;
    return p >= 4096 ? p : 0;
  }

  /** RAM offset for physical address `pa`, or -1 if `pa` is not RAM. */
  ramOffset(pa: number): number {
    const w = this.ramWindows;
    for (let i = 0; i < w.length; i++) {
      const r = w[i];
      if (pa >= r.base && pa < r.base + r.size) return pa - r.base + r.offset;
    }
    return -1;
  }

  private device(pa: number): DeviceWindow | undefined {
    const l = this.lastDev;
    if (l && pa >= l.base && pa < l.base + l.size) return l;
    for (const d of this.devices) {
      if (pa >= d.base && pa < d.base + d.size) { this.lastDev = d; return d; }
    }
    return undefined;
  }

  /**
   * Device/unassigned read; undefined means bus error. An 8-byte read also leaves the
   * exact value in ioLo/ioHi (the returned number is exact only below 2^53); a device
   * with read64 is read once as a 64-bit register, others as two 32-bit halves.
   */
  ioRead(pa: number, size: AccessSize): number | undefined {
    const d = this.device(pa);
    if (d) {
      this.afterIo();
      if (size === 8) {
        if (d.dev.read64) {
          const v = d.dev.read64(pa - d.base);
          this.ioLo = Number(BigInt.asIntN(32, v));
          this.ioHi = Number(BigInt.asIntN(32, v >> 32n));
        } else {
          const a = d.dev.read(pa - d.base, 4) | 0, b = d.dev.read(pa - d.base + 4, 4) | 0;
          this.ioLo = this.bigEndian ? b : a;
          this.ioHi = this.bigEndian ? a : b;
        }
        return (this.ioHi >>> 0) * 2 ** 32 + (this.ioLo >>> 0);
      }
      return d.dev.read(pa - d.base, size);
    }
    const v = this.fallback?.read(pa, size);
    if (v === undefined) this.note(`read${size * 8} 0x${pa.toString(16)}`);
    else if (size === 8) { this.ioLo = v | 0; this.ioHi = Math.floor(v / 2 ** 32) | 0; }
    return v;
  }

  /** Exact low and high words of the last 8-byte ioRead. */
  ioLo = 0;
  ioHi = 0;

  /** Device/unassigned write; false means bus error. (8 bytes exactly: ioWrite64.) */
  ioWrite(pa: number, size: AccessSize, value: number): boolean {
    if (size === 8) return this.ioWrite64(pa, value >>> 0, Math.floor(value / 2 ** 32) | 0);
    const d = this.device(pa);
    if (d) {
      this.afterIo();
      d.dev.write(pa - d.base, size, value);
      return true;
    }
    const ok = this.fallback?.write(pa, size, value) ?? false;
    if (!ok) this.note(`write${size * 8} 0x${pa.toString(16)}`);
    return ok;
  }

  /** An 8-byte device write of (hi:lo): write64 when the device has it, else two 32-bit halves. */
  ioWrite64(pa: number, lo: number, hi: number): boolean {
    const d = this.device(pa);
    if (d) {
      this.afterIo();
      if (d.dev.write64) {
        d.dev.write64(pa - d.base, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
        return true;
      }
      d.dev.write(pa - d.base, 4, (this.bigEndian ? hi : lo) >>> 0);
      d.dev.write(pa - d.base + 4, 4, (this.bigEndian ? lo : hi) >>> 0);
      return true;
    }
    const ok = this.fallback?.write(pa, 8, (hi >>> 0) * 2 ** 32 + (lo >>> 0)) ?? false;
    if (!ok) this.note(`write64 0x${pa.toString(16)}`);
    return ok;
  }

  private note(s: string): void {
    if (this.unassigned.length < 64) this.unassigned.push(s);
  }

  /** Copies bytes into physical memory (loaders); returns false if any byte is not RAM. */
  writeBytes(pa: number, bytes: Uint8Array): boolean {
    let ok = true;
    for (let i = 0; i < bytes.length;) {
      const off = this.ramOffset(pa + i);
      if (off < 0) { ok = false; i++; continue; }
      const n = Math.min(bytes.length - i, this.ramSize - off, this.windowRemaining(pa + i));
      this.ram.set(bytes.subarray(i, i + n), off);
      this.onRamWrite?.(off, n);
      i += n;
    }
    return ok;
  }

  /** Reads physical bytes without side effects (RAM only; devices read as undefined). */
  readBytes(pa: number, n: number): (number | undefined)[] {
    const out: (number | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const off = this.ramOffset(pa + i);
      out.push(off < 0 ? undefined : this.ram[off]);
    }
    return out;
  }

  private windowRemaining(pa: number): number {
    for (const r of this.ramWindows) if (pa >= r.base && pa < r.base + r.size) return r.base + r.size - pa;
    return 1;
  }
}
