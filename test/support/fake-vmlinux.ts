// A synthetic "vmlinux" symbol file for KASLR tests: the link-time symbols of a real kernel
// (decoded from its kallsyms) in an ELF whose .text is NOBITS (no code, only addresses),
// plus a hand-assembled DWARF .debug_line for one made-up source file whose rows map the
// first instructions of start_kernel, and optionally a .debug_frame with one FDE.

import { writeElf, WriteElfSymbol } from '../../src/emulator/loader/elf-writer';
import type { KallsymsSymbol } from '../../src/emulator/loader/kallsyms';

/** Byte builder (little-endian). */
class B {
  readonly b: number[] = [];
  u8(...v: number[]): this { this.b.push(...v.map((x) => x & 0xff)); return this; }
  int(v: bigint, n: number): this { for (let i = 0; i < n; i++) this.b.push(Number((BigInt.asUintN(n * 8, v) >> BigInt(8 * i)) & 0xffn)); return this; }
  u16(v: number): this { return this.int(BigInt(v), 2); }
  u32(v: number): this { return this.int(BigInt(v), 4); }
  u64(v: bigint): this { return this.int(v, 8); }
  uleb(v: number): this { do { let x = v & 0x7f; v = Math.floor(v / 128); if (v) x |= 0x80; this.b.push(x); } while (v); return this; }
  sleb(v: number): this { for (;;) { const x = v & 0x7f; v >>= 7; if ((v === 0 && !(x & 0x40)) || (v === -1 && (x & 0x40))) { this.b.push(x); return this; } this.b.push(x | 0x80); } }
  str(s: string): this { this.b.push(...Buffer.from(s), 0); return this; }
}

export interface FakeLine { readonly offset: number; readonly line: number }

/**
 * A DWARF 3 line program for `dir/file`: one sequence starting at `base`, a statement row
 * per entry of `rows` (byte offsets from base, increasing), ending at base + `end`.
 */
export function lineProgram(dir: string, file: string, base: bigint, rows: readonly FakeLine[], end: number): Uint8Array {
  const hdr = new B().u8(4, 1, -5, 14, 13).u8(0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1)
    .str(dir).u8(0).str(file).uleb(1).uleb(0).uleb(0).u8(0);
  const prog = new B().u8(0).uleb(9).u8(2).u64(base);
  let line = 1, at = 0;
  for (const r of rows) {
    if (r.offset !== at) prog.u8(2).uleb((r.offset - at) / 4);
    if (r.line !== line) prog.u8(3).sleb(r.line - line);
    prog.u8(1);
    line = r.line; at = r.offset;
  }
  prog.u8(2).uleb((end - at) / 4).u8(0).uleb(1).u8(1);
  const body = new B().u16(3).u32(hdr.b.length).u8(...hdr.b).u8(...prog.b);
  return new Uint8Array(new B().u32(body.b.length).u8(...body.b).b);
}

/**
 * A .debug_frame with one CIE (CFA = sp, return address in $ra) and one FDE for
 * [base, base+size) that allocates `frame` bytes at +4 and saves $ra at CFA−8 at +8.
 */
export function debugFrame(base: bigint, size: bigint, frame: number): Uint8Array {
  const cie = new B().u32(0xffffffff).u8(3).str('').uleb(4).sleb(-8).uleb(31).u8(0x0c).uleb(29).uleb(0);
  const fde = new B().u32(0).u64(base).u64(size).u8(0x41, 0x0e).uleb(frame).u8(0x41, 0x80 | 31).uleb(1);
  const entry = (x: B): number[] => new B().u32(x.b.length).u8(...x.b).b;
  return new Uint8Array([...entry(cie), ...entry(fde)]);
}

/**
 * The ELF: kernel text symbols as FUNCs of a NOBITS .text from `text` (the load address,
 * where a real vmlinux defines _text: kallsyms without KALLSYMS_ALL starts at _stext),
 * plus the DWARF sections given.
 */
export function fakeVmlinux(symbols: readonly KallsymsSymbol[], text: bigint, dwarf: { debugLine?: Uint8Array; debugFrame?: Uint8Array }): Uint8Array {
  const inText = [{ name: '_text', addr: text, type: 'T' }, ...symbols.filter((s) => s.name !== '_text' && s.addr >= text && s.addr < text + 0x4000000n)];
  const end = inText.reduce((m, s) => (s.addr > m ? s.addr : m), text) + 0x1000n;
  const syms: WriteElfSymbol[] = inText.map((s) => ({
    name: s.name, value: s.addr, section: '.text', bind: s.type === s.type.toLowerCase() ? 'local' : 'global',
    type: 'tTwW'.includes(s.type) ? 'func' : 'notype',
  }));
  const sections = [{ name: '.text', type: 'nobits' as const, addr: text, size: Number(end - text), flags: 0x6 }];
  const extra = [];
  if (dwarf.debugLine) extra.push({ name: '.debug_line', bytes: dwarf.debugLine, flags: 0, align: 1 });
  if (dwarf.debugFrame) extra.push({ name: '.debug_frame', bytes: dwarf.debugFrame, flags: 0, align: 8 });
  return writeElf({ class: 64, endian: 'little', sections: [...sections, ...extra], symbols: syms });
}
