// Hand-assembled DWARF for what gcc does not emit in the differential tests: CFI with
// remember/restore_state, def_cfa_expression, expression/val_expression, val_offset,
// register rules, restore, advance_loc1/2/4, set_loc; .eh_frame with pcrel|sdata8 and
// udata4 pointers in both byte orders and a 'zPLR' CIE; a line program with
// define_file, fixed_advance_pc and const_add_pc; the LineTable and the sourceMap mapping.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallFrameInfo, DwarfError } from '../../src/emulator/loader/dwarf/index';
import { evalExpr } from '../../src/emulator/loader/dwarf/expr';
import { parseLineProgram } from '../../src/emulator/loader/dwarf/line';
import { LineTable } from '../../src/emulator/debug/lines';
import { SourcePathMap } from '../../src/adapter/source-map';

/** Little byte builder. */
class B {
  readonly b: number[] = [];
  constructor(readonly little = true) {}
  u8(...v: number[]): this { this.b.push(...v.map((x) => x & 0xff)); return this; }
  u16(v: number): this { return this.int(BigInt(v), 2); }
  u32(v: number): this { return this.int(BigInt(v), 4); }
  u64(v: bigint): this { return this.int(v, 8); }
  int(v: bigint, n: number): this {
    const bytes: number[] = [];
    for (let i = 0; i < n; i++) bytes.push(Number((BigInt.asUintN(n * 8, v) >> BigInt(8 * i)) & 0xffn));
    this.b.push(...(this.little ? bytes : bytes.reverse()));
    return this;
  }
  uleb(v: number): this { do { let x = v & 0x7f; v = Math.floor(v / 128); if (v) x |= 0x80; this.b.push(x); } while (v); return this; }
  sleb(v: number): this { for (;;) { const x = v & 0x7f; v >>= 7; if ((v === 0 && !(x & 0x40)) || (v === -1 && (x & 0x40))) { this.b.push(x); return this; } this.b.push(x | 0x80); } }
  str(s: string): this { this.b.push(...Buffer.from(s), 0); return this; }
  bytes(x: number[]): this { this.b.push(...x); return this; }
  get length(): number { return this.b.length; }
}

/** A .debug_frame entry (32-bit DWARF): length, then the body. */
const entry = (body: B, little = true): number[] => new B(little).u32(body.length).bytes(body.b).b;

function debugFrame(little: boolean, fdeInstr: number[], base = 0x1000n, range = 0x100n): Uint8Array {
  const cie = new B(little).u32(0xffffffff).u8(3).str('').uleb(4).sleb(-8).uleb(31).u8(0x0c, 29, 0); // def_cfa sp+0
  const fde = new B(little).u32(0).u64(base).u64(range).bytes(fdeInstr);
  return new Uint8Array([...entry(cie, little), ...entry(fde, little)]);
}

const fmt = (cfi: CallFrameInfo, pc: bigint): string => {
  const r = cfi.rulesAt(pc)!;
  const cfa = r.cfa.kind === 'reg' ? `r${r.cfa.reg}+${r.cfa.offset}` : 'exp';
  const regs = [...r.regs].sort((a, b) => a[0] - b[0]).map(([n, x]) => `${n}:${x.kind}${'offset' in x ? x.offset : 'reg' in x ? x.reg : ''}`);
  return [cfa, ...regs].join(' ');
};

for (const little of [true, false]) {
  test(`CFI interpreter (${little ? 'little' : 'big'}-endian): remember/restore state, restore, register, val_offset, advance_loc1/2/4`, () => {
    const I = new B(little)
      .u8(0x41).u8(0x0e).uleb(32) // +4: cfa sp+32
      .u8(0x41).u8(0x80 | 31).uleb(1).u8(0x80 | 30).uleb(2) // +8: ra at cfa-8, s8 at cfa-16
      .u8(0x41).u8(0x0d).uleb(30) // +12: cfa s8+32
      .u8(0x0a) // remember
      .u8(0x02, 1).u8(0x0d).uleb(29).u8(0xc0 | 30).u8(0x09).uleb(16).uleb(2).u8(0x14).uleb(17).uleb(1) // +16: epilogue-ish
      .u8(0x03).u16(1).u8(0x0b) // +20: restore the remembered row
      .u8(0x04).u32(1).u8(0x07).uleb(31); // +24: ra undefined
    const cfi = new CallFrameInfo();
    cfi.add({ data: debugFrame(little, I.b), kind: 'debug_frame', addr: 0n, little, addressSize: 8 });
    assert.equal(fmt(cfi, 0x1000n), 'r29+0');
    assert.equal(fmt(cfi, 0x1004n), 'r29+32');
    assert.equal(fmt(cfi, 0x1008n), 'r29+32 30:offset-16 31:offset-8');
    assert.equal(fmt(cfi, 0x100cn), 'r30+32 30:offset-16 31:offset-8');
    assert.equal(fmt(cfi, 0x1010n), 'r29+32 16:register2 17:val_offset-8 31:offset-8');
    assert.equal(fmt(cfi, 0x1014n), 'r30+32 30:offset-16 31:offset-8');
    assert.equal(fmt(cfi, 0x10fcn), 'r30+32 30:offset-16 31:undefined');
    assert.equal(cfi.rulesAt(0x1100n), undefined);
    assert.equal(cfi.rulesAt(0xfffn), undefined);
  });
}

test('CFI: def_cfa_expression and expression rules evaluate with the frame\'s registers and memory', () => {
  // CFA = *(sp + 8) + 16; ra saved at CFA - 8 (expression: push CFA, lit8, minus).
  const cfaExpr = [0x8d, 8, 0x06, 0x23, 16]; // breg29 +8; deref; plus_uconst 16
  const raExpr = [0x38, 0x1c]; // lit8; minus
  const I = new B().u8(0x0f).uleb(cfaExpr.length).bytes(cfaExpr).u8(0x10).uleb(31).uleb(raExpr.length).bytes(raExpr)
    .u8(0x16).uleb(30).uleb(1).u8(0x30); // s8 = val_expression lit0
  const cfi = new CallFrameInfo();
  cfi.add({ data: debugFrame(true, I.b), kind: 'debug_frame', addr: 0n, little: true, addressSize: 8 });
  const r = cfi.rulesAt(0x1000n)!;
  assert.equal(r.cfa.kind, 'expr');
  const mem = new Map<bigint, bigint>([[0x8008n, 0x9000n]]);
  const ctx = { little: true, addressSize: 8, reg: (n: number) => (n === 29 ? 0x8000n : undefined), read: (a: bigint) => mem.get(a) };
  const cfa = evalExpr((r.cfa as { expr: Uint8Array }).expr, ctx);
  assert.equal(cfa, 0x9010n);
  const ra = r.regs.get(31)!;
  assert.equal(ra.kind, 'expr');
  assert.equal(evalExpr((ra as { expr: Uint8Array }).expr, ctx, [cfa]), 0x9008n);
  assert.equal(r.regs.get(30)!.kind, 'val_expr');
  // Errors are DwarfErrors: unknown register, unreadable memory, stack underflow, unknown op.
  assert.throws(() => evalExpr(new Uint8Array([0x70, 0]), ctx), DwarfError);
  assert.throws(() => evalExpr(new Uint8Array([0x30, 0x06]), ctx), DwarfError);
  assert.throws(() => evalExpr(new Uint8Array([0x22]), ctx), DwarfError);
  assert.throws(() => evalExpr(new Uint8Array([0xe0]), ctx), /unsupported operation 0xe0/);
  // Branches: skip over a lit1 → lit2 stays on top.
  assert.equal(evalExpr(new Uint8Array([0x32, 0x2f, 1, 0, 0x31]), ctx), 2n);
});

for (const little of [true, false]) {
  test(`.eh_frame (${little ? 'little' : 'big'}-endian): 'zPLR' CIE, pcrel|sdata8 and udata4 FDE pointers, LSDA, terminator`, () => {
    const ehAddr = 0xffffffff80200000n;
    // CIE 1: zPLR, personality absptr, LSDA udata4, FDEs pcrel|sdata8.
    const aug = new B(little).u8(0x00).u64(0xffffffff80123450n).u8(0x03).u8(0x1c);
    const cie1 = new B(little).u32(0).u8(1).str('zPLR').uleb(4).sleb(-8).u8(31).uleb(aug.length).bytes(aug.b).u8(0x0c, 29, 0);
    const out: number[] = [...entry(cie1, little)];
    const cie1Off = 0;
    // FDE 1: pc_begin pcrel sdata8 → 0xffffffff80100000, range 0x40, LSDA 0x1234.
    const fde1Start = out.length;
    const pcField = fde1Start + 8; // length(4) + CIE pointer(4)
    const f1 = new B(little).u32(pcField - 4 - cie1Off).int(0xffffffff80100000n - (ehAddr + BigInt(pcField)), 8).u64(0x40n).uleb(4).u32(0x1234)
      .u8(0x44).u8(0x0e).uleb(16);
    out.push(...entry(f1, little));
    // CIE 2: zR with udata4 pointers.
    const cie2Off = out.length;
    const cie2 = new B(little).u32(0).u8(1).str('zR').uleb(4).sleb(-8).u8(31).uleb(1).u8(0x03).u8(0x0c, 29, 0);
    out.push(...entry(cie2, little));
    const f2Start = out.length;
    const f2 = new B(little).u32(f2Start + 4 - cie2Off).u32(0x80300000).u32(0x20).uleb(0).u8(0x42).u8(0x80 | 31).uleb(1);
    out.push(...entry(f2, little));
    out.push(0, 0, 0, 0); // terminator
    out.push(0xde, 0xad); // junk after the terminator is not read
    const cfi = new CallFrameInfo();
    cfi.add({ data: new Uint8Array(out), kind: 'eh_frame', addr: ehAddr, little, addressSize: 8 });
    assert.equal(cfi.fdes.length, 2);
    const f = cfi.find(0xffffffff80100010n)!;
    assert.equal(f.pcBegin, 0xffffffff80100000n);
    assert.equal(f.pcEnd, 0xffffffff80100040n);
    assert.equal(f.lsda, 0x1234n);
    assert.equal(f.cie.personality, 0xffffffff80123450n);
    assert.equal(fmt(cfi, 0xffffffff80100010n), 'r29+16');
    assert.equal(fmt(cfi, 0xffffffff8010000cn), 'r29+0');
    assert.equal(fmt(cfi, 0x80300008n), 'r29+0 31:offset-8');
    assert.equal(cfi.find(0x80300020n), undefined);
  });
}

test('malformed CFI: clear DwarfErrors (unknown op, restore_state without remember, bad CIE pointer, bad augmentation)', () => {
  const add = (data: Uint8Array, kind: 'debug_frame' | 'eh_frame' = 'debug_frame'): CallFrameInfo => {
    const c = new CallFrameInfo();
    c.add({ data, kind, addr: 0n, little: true, addressSize: 8 });
    return c;
  };
  assert.throws(() => add(debugFrame(true, [0x3f])).rulesAt(0x1000n) ?? (() => { throw new Error('no rules'); })(), /unknown call frame instruction 0x3f/);
  assert.throws(() => add(debugFrame(true, [0x0b])).rulesAt(0x1000n), /DW_CFA_restore_state without DW_CFA_remember_state/);
  const badPtr = new Uint8Array([...entry(new B().u32(0x500).u64(0n).u64(4n))]);
  assert.throws(() => add(badPtr), /CIE pointer 0x500 is outside the section/);
  const badAug = new Uint8Array([...entry(new B().u32(0xffffffff).u8(1).str('xyz').uleb(4).sleb(-8).u8(31))]);
  assert.throws(() => add(badAug), /unknown augmentation "xyz"/);
  assert.throws(() => add(new Uint8Array([0xf0, 0xff, 0xff, 0xff])), /reserved value/);
  assert.throws(() => add(new Uint8Array([0x40, 0, 0, 0, 1])), /runs past the end of the section/);
});

test('line program (DWARF 3): define_file, fixed_advance_pc, const_add_pc, advance_pc, negate_stmt, end_sequence', () => {
  const hdr = new B().u8(4).u8(1).u8(-5 & 0xff).u8(14).u8(13).u8(0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1)
    .str('inc').u8(0).str('a.c').uleb(0).uleb(0).uleb(0).str('h.h').uleb(1).uleb(0).uleb(0).u8(0);
  const unitWith = (hFile: number): Uint8Array => {
  const prog = new B()
    .u8(0, 9, 2).u64(0x1000n) // set_address
    .u8(0x05).uleb(3).u8(0x01) // column 3, copy: a.c:1 @0x1000
    .u8(13 + 14 * 1 + (2 - -5)) // special: +4, line +2 → a.c:3 @0x1004
    .u8(0x09).u16(8).u8(0x04).uleb(hFile).u8(0x06).u8(0x01) // +8, file h.h, !stmt: h.h:3 @0x100c
    .u8(0, 13, 3).str('/abs/x.c').u8(0, 0, 0).u8(0x04).uleb(3).u8(0x06).u8(0x08).u8(0x03).sleb(-2).u8(0x01) // define x.c, const_add_pc (+68), line 1
    .u8(0x02).uleb(1).u8(0, 1, 1); // advance 1 instruction (4 bytes); end_sequence
  const body = new B().u16(3).u32(hdr.length).bytes(hdr.b).bytes(prog.b);
  return new Uint8Array(new B().u32(body.length).bytes(body.b).b);
  };
  const unit = unitWith(2);
  const p = parseLineProgram({ line: unit, little: true }, 0, '/cd');
  assert.deepEqual(p.files.map((f) => f?.path), [undefined, '/cd/a.c', '/cd/inc/h.h', '/abs/x.c']);
  assert.deepEqual(p.rows.map((r) => [Number(r.address), r.file, r.line, r.column, r.isStmt, r.endSequence]), [
    [0x1000, '/cd/a.c', 1, 3, true, false],
    [0x1004, '/cd/a.c', 3, 3, true, false],
    [0x100c, '/cd/inc/h.h', 3, 3, false, false],
    [0x1050, '/abs/x.c', 1, 3, true, false],
    [0x1054, '/abs/x.c', 1, 3, true, true],
  ]);
  // The LineTable: ranges up to the next row, statement starts, per-function resolution.
  const lt = new LineTable();
  assert.equal(lt.addRows(p.rows, 0x100n), 4);
  assert.deepEqual(lt.lookup(0x1108n), { addr: 0x1104n, end: 0x110cn, file: '/cd/a.c', line: 3, column: 3, stmt: true });
  assert.equal(lt.lookup(0x1154n), undefined);
  assert.equal(lt.isStatementStart(0x110cn), false);
  assert.equal(lt.isStatementStart(0x1150n), true);
  assert.deepEqual(lt.resolve('/cd/a.c', 2), { line: 3, addrs: [0x1104n] });
  assert.equal(lt.resolve('/cd/inc/h.h', 3), undefined); // only a non-statement row
  // Corrupt: a row naming a file the header lacks.
  assert.throws(() => parseLineProgram({ line: unitWith(9), little: true }, 0, '/cd'), /file 9, which the header does not define/);
});

test('sourceMap: longest prefix, whole path components, both directions', () => {
  const m = new SourcePathMap({ '/build': '/home/me/src', '/build/gen/': '/tmp/gen', '/other': '/x' });
  assert.equal(m.toLocal('/build/a/b.c'), '/home/me/src/a/b.c');
  assert.equal(m.toLocal('/build/gen/c.c'), '/tmp/gen/c.c');
  assert.equal(m.toLocal('/buildx/c.c'), '/buildx/c.c');
  assert.equal(m.toBuild('/home/me/src/a/b.c'), '/build/a/b.c');
  assert.equal(m.toBuild('/tmp/gen/c.c'), '/build/gen/c.c');
  assert.equal(new SourcePathMap(undefined).toLocal('/a/b'), '/a/b');
});

test('CFI: a .debug_frame CIE with augmentation "S" and no \'z\' (Linux\'s exception entry) is a signal frame; its FDE is read', () => {
  const cie = new B().u32(0xffffffff).u8(1).str('S').uleb(1).sleb(-4).u8(31).u8(0x0d).uleb(29);
  const fde = new B().u32(0).u64(0xffffffff80103fa0n).u64(0x150n).u8(0x44, 0x09).uleb(29).uleb(26);
  const cfi = new CallFrameInfo();
  cfi.add({ data: new Uint8Array([...entry(cie), ...entry(fde)]), kind: 'debug_frame', addr: 0n, little: true, addressSize: 8 });
  assert.equal(cfi.fdes.length, 1);
  assert.equal(cfi.fdes[0]!.cie.signalFrame, true);
  assert.equal(fmt(cfi, 0xffffffff80103fb0n), 'r29+0 29:register26');
  const bad = new B().u32(0xffffffff).u8(1).str('Sx').uleb(1).sleb(-4).u8(31);
  assert.throws(() => new CallFrameInfo().add({ data: new Uint8Array(entry(bad)), kind: 'debug_frame', addr: 0n, little: true, addressSize: 8 }), /unknown augmentation "Sx"/);
});
