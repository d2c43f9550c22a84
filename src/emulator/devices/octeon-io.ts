// The Octeon's I/O space: physical addresses with bit 48 set (0x1_0000_0000_0000 up to
// 2^49), where every on-chip unit has its 64-bit CSRs. One device decodes it: the CIU
// and the two MIO UARTs are blocks inside it, the reset/fuse/clock registers the
// kernel reads at boot are answered here (OcteonCsrs below), and every other address
// is reported the first time it is read or written — by address and CSR name (or the
// unit's name) — then reads 0 and ignores writes, so a kernel that needs something
// this board lacks says so on the console instead of failing silently. A guest that
// keeps reading one such address (waiting for a bit this board never sets) is stopped
// through PollWatch.stuck rather than left spinning.

import type { AccessSize, Device } from './device';
import type { StateSpec } from '../snapshot/state';
import { csrName } from './octeon-csr-names';

export const OCTEON_IO_BASE = 2 ** 48;
export const OCTEON_IO_SIZE = 2 ** 48;

/** A unit inside the I/O space: offsets are from its base; 64-bit registers. */
export interface IoBlock {
  readonly base: number;
  readonly size: number;
  read64(offset: number): bigint;
  write64(offset: number, value: bigint): void;
  /** A narrower write, when a read-modify-write of the register would have side effects (UART). */
  write?(offset: number, size: AccessSize, value: number): void;
}

/**
 * A CSR answered here: a value computed on each read (constants, counters) with writes
 * accepted without effect, or (stored) a register that keeps what is written — saved
 * with the machine state under its name.
 */
export type Csr =
  | { readonly name: string; read(): bigint; readonly why: string }
  | { readonly name: string; readonly stored: true; readonly reset?: bigint };

/** Reads of one unmodelled address, each within POLL_GAP instructions of the last, that make a poll loop. */
export const POLL_READS = 10_000;
/** Instructions between two reads of the same address that still count as one poll loop. */
export const POLL_GAP = 100_000;

/** Watches for a guest polling an address the board does not model. */
export interface PollWatch {
  /** The instruction count (the guest's clock of the poll). */
  icount(): number;
  /** The guest read `pa` POLL_READS times in a row: it waits for something this board never does. */
  stuck(pa: number, name: string): void;
}

export class OcteonIo implements Device {
  readonly name = 'octeon-io';
  readonly size = OCTEON_IO_SIZE;
  readonly stateSpec: StateSpec;
  /** The stored CSRs' values, by name. */
  readonly state: Record<string, bigint> = {};
  /** Addresses already reported (bit 0 of the key: write). */
  private readonly reported = new Set<number>();
  private last: IoBlock | undefined;
  /** Per unmodelled address read: consecutive reads and the instruction count of the last (diagnostic, not state). */
  private readonly polls = new Map<number, { reads: number; at: number }>();

  constructor(
    private readonly blocks: readonly IoBlock[],
    private readonly csrs: ReadonlyMap<number, Csr>,
    private readonly warn: (message: string) => void,
    private readonly bigEndian = false,
    private readonly poll?: PollWatch,
  ) {
    const fields: Record<string, 'u64'> = {};
    for (const c of csrs.values()) if ('stored' in c) fields[c.name] = 'u64';
    this.stateSpec = { name: 'octeon-csrs', version: 1, fields };
    this.reset();
  }

  reset(): void {
    for (const c of this.csrs.values()) if ('stored' in c) this.state[c.name] = c.reset ?? 0n;
  }

  /** Reports an access the model does not implement, once per address and direction. */
  unknown(pa: number, write: boolean): void {
    if (!write && this.poll) this.countPoll(pa, this.poll);
    const key = pa * 2 + (write ? 1 : 0);
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const addr = `0x${pa.toString(16).padStart(16, '0')}`;
    this.warn(`Octeon CSR ${write ? 'write to' : 'read of'} ${addr} (${csrName(pa)}) is not modelled: ${write ? 'ignored' : 'reads 0'}`);
  }

  private countPoll(pa: number, w: PollWatch): void {
    const now = w.icount(), p = this.polls.get(pa);
    if (!p) { this.polls.set(pa, { reads: 1, at: now }); return; }
    p.reads = now - p.at <= POLL_GAP ? p.reads + 1 : 1;
    p.at = now;
    if (p.reads === POLL_READS) w.stuck(pa, csrName(pa));
  }

  private block(pa: number): IoBlock | undefined {
    const l = this.last;
    if (l && pa >= l.base && pa < l.base + l.size) return l;
    for (const b of this.blocks) if (pa >= b.base && pa < b.base + b.size) { this.last = b; return b; }
    return undefined;
  }

  read64(offset: number): bigint {
    const pa = OCTEON_IO_BASE + offset;
    const b = this.block(pa);
    if (b) return b.read64(pa - b.base);
    const c = this.csrs.get(pa);
    if (c) return 'stored' in c ? this.state[c.name] : BigInt.asUintN(64, c.read());
    this.unknown(pa, false);
    return 0n;
  }

  write64(offset: number, value: bigint): void {
    const pa = OCTEON_IO_BASE + offset;
    const b = this.block(pa);
    if (b) { b.write64(pa - b.base, BigInt.asUintN(64, value)); return; }
    const c = this.csrs.get(pa);
    if (c) { if ('stored' in c) this.state[c.name] = BigInt.asUintN(64, value); return; }
    this.unknown(pa, true);
  }

  /** Narrower accesses see the addressed bytes of the 64-bit register. */
  read(offset: number, size: AccessSize): number {
    return size === 8 ? Number(this.read64(offset)) : narrowRead(this.read64(offset & ~7), offset, size, this.bigEndian);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size === 8) { this.write64(offset, BigInt(value)); return; }
    const pa = OCTEON_IO_BASE + offset, b = this.block(pa);
    if (b?.write) { b.write(pa - b.base, size, value); return; }
    this.write64(offset & ~7, narrowMerge(this.read64(offset & ~7), offset, size, value, this.bigEndian));
  }
}

/** Bit position of the bytes an access of `size` at `offset` addresses in a 64-bit register. */
function lane(offset: number, size: number, bigEndian: boolean): bigint {
  return BigInt((bigEndian ? 8 - size - (offset & 7) : offset & 7) * 8);
}

/** The bytes of 64-bit register value `reg` that a narrower read at `offset` sees. */
export function narrowRead(reg: bigint, offset: number, size: AccessSize, bigEndian: boolean): number {
  return Number((reg >> lane(offset, size, bigEndian)) & ((1n << BigInt(size * 8)) - 1n));
}

/** Register value `old` with the bytes a narrower write at `offset` addresses replaced by `value`. */
export function narrowMerge(old: bigint, offset: number, size: AccessSize, value: number, bigEndian: boolean): bigint {
  const sh = lane(offset, size, bigEndian), m = ((1n << BigInt(size * 8)) - 1n) << sh;
  return (old & ~m) | ((BigInt(value >>> 0) << sh) & m);
}
