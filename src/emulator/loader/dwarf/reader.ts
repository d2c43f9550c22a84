// Bounded cursor over one DWARF section: fixed-size integers in the file's byte order,
// LEB128, C strings, initial lengths (32- and 64-bit DWARF), offsets and target addresses.
// Reading past the end (of the section or of the current unit) throws DwarfError.

import { DwarfError } from './error';

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

export class DwarfReader {
  private readonly view: DataView;
  /** Current position (byte offset in the section). */
  pos: number;
  /** Reads stop here (the end of the current unit, or of the section). */
  end: number;

  constructor(readonly bytes: Uint8Array, readonly little: boolean, readonly section: string, pos = 0, end = bytes.length) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.end = Math.min(end, bytes.length);
  }

  /** A reader over [pos, end) of the same section. */
  sub(pos: number, end: number): DwarfReader {
    if (end > this.end || pos > end || pos < 0) this.fail(`range ${hex(pos)}..${hex(end)} is outside ${hex(0)}..${hex(this.end)}`, pos);
    return new DwarfReader(this.bytes, this.little, this.section, pos, end);
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(what: string, at = this.pos): never {
    throw new DwarfError(`${this.section} at offset ${hex(at)}: ${what}`);
  }

  private need(n: number, what: string): number {
    const p = this.pos;
    if (p + n > this.end) this.fail(`${what} (${n} bytes) runs past the end at ${hex(this.end)}`);
    this.pos = p + n;
    return p;
  }

  seek(pos: number): void {
    if (pos < 0 || pos > this.end) this.fail(`offset ${hex(pos)} is outside the section (size ${hex(this.end)})`);
    this.pos = pos;
  }

  skip(n: number | bigint, what = 'data'): void {
    if (typeof n === 'bigint') {
      if (n > BigInt(this.end - this.pos)) this.fail(`${what} (${n} bytes) runs past the end at ${hex(this.end)}`);
      n = Number(n);
    }
    this.need(n, what);
  }

  u8(what = 'byte'): number { return this.view.getUint8(this.need(1, what)); }
  i8(what = 'byte'): number { return this.view.getInt8(this.need(1, what)); }
  u16(what = 'half'): number { return this.view.getUint16(this.need(2, what), this.little); }
  u32(what = 'word'): number { return this.view.getUint32(this.need(4, what), this.little); }
  i32(what = 'word'): number { return this.view.getInt32(this.need(4, what), this.little); }
  u64(what = 'doubleword'): bigint { return this.view.getBigUint64(this.need(8, what), this.little); }
  i64(what = 'doubleword'): bigint { return this.view.getBigInt64(this.need(8, what), this.little); }

  bytesOf(n: number, what = 'block'): Uint8Array {
    const p = this.need(n, what);
    return this.bytes.subarray(p, p + n);
  }

  /** Unsigned integer of 1, 2, 4 or 8 bytes. */
  unsigned(size: number, what = 'value'): bigint {
    switch (size) {
      case 1: return BigInt(this.u8(what));
      case 2: return BigInt(this.u16(what));
      case 4: return BigInt(this.u32(what));
      case 8: return this.u64(what);
      default: return this.fail(`unsupported ${what} size ${size}`);
    }
  }

  /** Signed integer of 1, 2, 4 or 8 bytes. */
  signed(size: number, what = 'value'): bigint {
    switch (size) {
      case 1: return BigInt(this.i8(what));
      case 2: return BigInt.asIntN(16, BigInt(this.u16(what)));
      case 4: return BigInt(this.i32(what));
      case 8: return this.i64(what);
      default: return this.fail(`unsupported ${what} size ${size}`);
    }
  }

  /** A target address of `size` bytes. */
  address(size: number): bigint {
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) this.fail(`unsupported address size ${size}`);
    return this.unsigned(size, 'address');
  }

  /** ULEB128 as a bigint (at most 64 significant bits are kept; longer encodings are refused). */
  ulebBig(what = 'ULEB128'): bigint {
    let result = 0n, shift = 0n;
    for (;;) {
      const b = this.u8(what);
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      else if ((b & 0x7f) !== 0) this.fail(`${what} does not fit in 64 bits`);
      if (!(b & 0x80)) return BigInt.asUintN(64, result);
      shift += 7n;
      if (shift > 640n) this.fail(`${what} is too long`);
    }
  }

  slebBig(what = 'SLEB128'): bigint {
    let result = 0n, shift = 0n, b: number;
    do {
      b = this.u8(what);
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (shift > 640n) this.fail(`${what} is too long`);
    } while (b & 0x80);
    if (shift < 64n && (b & 0x40)) result -= 1n << shift;
    return BigInt.asIntN(64, result);
  }

  /** ULEB128 that must fit a JS safe integer (counts, indices, lengths). */
  uleb(what = 'ULEB128'): number {
    const p = this.pos;
    const v = this.ulebBig(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${hex(v)} is too large`, p);
    return Number(v);
  }

  /** SLEB128 that must fit a JS safe integer. */
  sleb(what = 'SLEB128'): number {
    const p = this.pos;
    const v = this.slebBig(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) this.fail(`${what} ${v} is out of range`, p);
    return Number(v);
  }

  /** NUL-terminated UTF-8 string. */
  cstr(what = 'string'): string {
    const start = this.pos;
    let i = start;
    while (i < this.end && this.bytes[i] !== 0) i++;
    if (i >= this.end) this.fail(`${what} is not NUL-terminated`, start);
    this.pos = i + 1;
    return decoder.decode(this.bytes.subarray(start, i));
  }

  /**
   * An initial length: 32-bit DWARF, or 0xffffffff then a 64-bit length (64-bit DWARF).
   * Returns the unit's end offset and its offset size; the unit must fit the section.
   */
  initialLength(what = 'unit'): { end: number; offsetSize: 4 | 8 } {
    const at = this.pos;
    const l32 = this.u32(`${what} length`);
    let len: bigint;
    let offsetSize: 4 | 8 = 4;
    if (l32 === 0xffffffff) { len = this.u64(`${what} 64-bit length`); offsetSize = 8; }
    else if (l32 >= 0xfffffff0) this.fail(`${what} length ${hex(l32)} is a reserved value`, at);
    else len = BigInt(l32);
    if (len > BigInt(this.end - this.pos)) this.fail(`${what} length ${hex(len)} runs past the end of the section (${hex(this.end)})`, at);
    return { end: this.pos + Number(len), offsetSize };
  }

  /** A section offset of the unit's offset size (4 or 8 bytes), as a number. */
  offset(size: 4 | 8, what = 'offset'): number {
    const p = this.pos;
    const v = size === 4 ? BigInt(this.u32(what)) : this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${hex(v)} is too large`, p);
    return Number(v);
  }
}

const decoder = new TextDecoder('utf-8');

/** Reads a NUL-terminated string at an offset of a string section (.debug_str, .debug_line_str). */
export function stringAt(sec: Uint8Array | undefined, name: string, off: number): string {
  if (!sec) throw new DwarfError(`string offset ${hex(off)} refers to ${name}, which is missing`);
  if (off < 0 || off >= sec.length) throw new DwarfError(`string offset ${hex(off)} is outside ${name} (size ${hex(sec.length)})`);
  return new DwarfReader(sec, true, name, off).cstr();
}
