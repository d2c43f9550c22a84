// PCI configuration space of one function: 256 bytes read as little-endian values, a
// per-byte writable mask and a per-byte write-one-to-clear mask. Header fields
// follow the conventions QEMU's PCI core gives every function (command/cache line/
// latency/interrupt line writable, status error bits W1C, device-specific registers
// 0x40-0xff writable unless a device narrows them), so Linux's BAR sizing and
// enumeration see the same answers. The bytes live in the owning device's state.

export interface PciFunction {
  /** Reads `size` (1, 2, 4) bytes of configuration space at `reg` (little-endian value). */
  configRead(reg: number, size: number): number;
  configWrite(reg: number, size: number, value: number): void;
}

export interface PciIdentity {
  vendor: number;
  device: number;
  revision: number;
  /** Class code: base class << 16 | subclass << 8 | programming interface. */
  classCode: number;
  headerType?: number;
  interruptPin?: number;
}

export class PciConfig implements PciFunction {
  readonly wmask = new Uint8Array(256);
  readonly w1cmask = new Uint8Array(256);

  /** `bytes` is the state array that holds the configuration space. */
  constructor(readonly bytes: Uint8Array, private readonly onWrite?: (reg: number, size: number) => void) {
    // Command: I/O, memory, master, special, MWI, palette snoop, parity, SERR, fast b2b, INTx disable.
    this.wmask[0x04] = 0x7f; this.wmask[0x05] = 0x05;
    this.w1cmask[0x07] = 0xf9; // status error bits
    this.wmask[0x0c] = 0xff; this.wmask[0x0d] = 0xff; this.wmask[0x3c] = 0xff;
    this.wmask.fill(0xff, 0x40, 0x100);
  }

  /** Writes the identity registers (at reset). */
  setIdentity(id: PciIdentity): void {
    this.set(0x00, 2, id.vendor);
    this.set(0x02, 2, id.device);
    this.set(0x08, 1, id.revision);
    this.set(0x09, 1, id.classCode & 0xff);
    this.set(0x0a, 2, id.classCode >>> 8);
    this.set(0x0e, 1, id.headerType ?? 0);
    this.set(0x3d, 1, id.interruptPin ?? 0);
  }

  /** Stores a value without masks (device-side update). */
  set(reg: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) this.bytes[reg + i] = (value >>> (8 * i)) & 0xff;
  }

  get(reg: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.bytes[reg + i];
    return v;
  }

  /** Makes a 32-bit register's bits writable (e.g. a BAR's size mask). */
  setWmask32(reg: number, mask: number): void {
    for (let i = 0; i < 4; i++) this.wmask[reg + i] = (mask >>> (8 * i)) & 0xff;
  }

  configRead(reg: number, size: number): number {
    if (reg < 0 || reg + size > 256) return 2 ** (8 * size) - 1;
    return this.get(reg, size);
  }

  configWrite(reg: number, size: number, value: number): void {
    if (reg < 0 || reg + size > 256) return;
    for (let i = 0; i < size; i++) {
      const a = reg + i, b = (value >>> (8 * i)) & 0xff;
      const wm = this.wmask[a], cm = this.w1cmask[a];
      this.bytes[a] = ((this.bytes[a] & ~wm) | (b & wm)) & ~(b & cm);
    }
    this.onWrite?.(reg, size);
  }
}
