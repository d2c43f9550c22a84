// SymbolTable: filtering, nearest-preceding lookup with size bounds, FUNC preference,
// duplicates, and a randomized comparison against a brute-force reference.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  type ElfSection,
  type ElfSymbol,
} from '../../src/emulator/loader/elf.js';
import { SymbolTable, type SymbolEntry } from '../../src/emulator/loader/symbols.js';

let nextIndex = 1;
function sym(name: string, value: bigint, size = 0n, type = STT_FUNC, bind = STB_GLOBAL, shndx = 1): ElfSymbol {
  return { index: nextIndex++, name, value, size, type, bind, visibility: 0, other: 0, shndx };
}
const NULL_SYM: ElfSymbol = { index: 0, name: '', value: 0n, size: 0n, type: 0, bind: 0, visibility: 0, other: 0, shndx: 0 };

function section(index: number, flags: bigint): ElfSection {
  return {
    index, name: `s${index}`, nameOffset: 0, type: 1, flags, addr: 0n, offset: 0, size: 0, link: 0, info: 0,
    addralign: 1, entsize: 0, data: () => new Uint8Array(0),
  };
}

const K = 0xffffffff80100000n;

describe('SymbolTable', () => {
  test('nearest preceding symbol, offsets, sizes', () => {
    const t = new SymbolTable([
      NULL_SYM,
      sym('start', K, 0x20n),
      sym('square', K + 0x20n, 0x8n),
      sym('sum', K + 0x40n, 0x40n),
      sym('data_table', K + 0x1000n, 0x10n, STT_OBJECT),
    ]);
    assert.equal(t.size, 4);
    assert.equal(t.lookup(K - 1n), undefined);
    assert.deepEqual(t.lookup(K), { name: 'start', offset: 0n, symbol: t.byName('start') });
    assert.equal(t.format(K + 0x1cn), '<start+0x1c>');
    assert.equal(t.format(K + 0x24n), '<square+0x4>');
    assert.equal(t.lookup(K + 0x28n), undefined, 'past the end of sized `square`, before `sum`');
    assert.equal(t.format(K + 0x7cn), '<sum+0x3c>');
    assert.equal(t.format(K + 0x80n), '');
    assert.equal(t.format(K + 0x100fn), '<data_table+0xf>');
    assert.equal(t.format(K + 0x1010n), '');
    assert.equal(t.symbolAt(K + 0x40n)?.name, 'sum');
    assert.equal(t.symbolAt(K + 0x44n), undefined);
  });

  test('size-0 symbols extend up to the next symbol', () => {
    const t = new SymbolTable([sym('a', 0x1000n), sym('b', 0x2000n), sym('c', 0x3000n, 0x10n)]);
    assert.equal(t.format(0x1fffn), '<a+0xfff>');
    assert.equal(t.format(0x2000n), '<b>');
    assert.equal(t.format(0x2ffcn), '<b+0xffc>');
    assert.equal(t.format(0x3010n), '');
  });

  test('FUNC preferred at the same address, then global over local; aliases and duplicates', () => {
    const t = new SymbolTable([
      sym('label', 0x1000n, 0n, STT_NOTYPE, STB_GLOBAL),
      sym('obj', 0x1000n, 4n, STT_OBJECT),
      sym('local_fn', 0x1000n, 0x10n, STT_FUNC, STB_LOCAL),
      sym('fn', 0x1000n, 0x10n, STT_FUNC, STB_GLOBAL),
      sym('fn', 0x1000n, 0x10n, STT_FUNC, STB_GLOBAL), // exact duplicate
      sym('weak_fn', 0x1000n, 0x10n, STT_FUNC, STB_WEAK),
    ]);
    assert.equal(t.size, 5);
    assert.equal(t.symbolAt(0x1000n)?.name, 'fn');
    assert.equal(t.format(0x1008n), '<fn+0x8>');
    // Beyond every sized symbol at 0x1000, the size-0 label still extends to the next symbol.
    assert.equal(t.format(0x1020n), '<label+0x20>');
  });

  test('an enclosing sized symbol covers past a nested one', () => {
    const t = new SymbolTable([
      sym('outer', 0x1000n, 0x100n),
      sym('inner', 0x1040n, 0x10n, STT_OBJECT),
    ]);
    assert.equal(t.format(0x1044n), '<inner+0x4>');
    assert.equal(t.format(0x1060n), '<outer+0x60>');
    assert.equal(t.format(0x1100n), '');
  });

  test('filtering: undefined, absolute, common, section/file symbols, zero address, non-alloc sections', () => {
    const sections = [section(0, 0n), section(1, 2n), section(2, 0n)];
    const syms = [
      NULL_SYM,
      sym('ok', 0x100n),
      sym('undef', 0x200n, 0n, STT_FUNC, STB_GLOBAL, SHN_UNDEF),
      sym('abs', 0x300n, 0n, STT_NOTYPE, STB_GLOBAL, SHN_ABS),
      sym('common', 0x10n, 4n, STT_OBJECT, STB_GLOBAL, SHN_COMMON),
      sym('.text', 0x400n, 0n, STT_SECTION, STB_LOCAL),
      sym('file.c', 0x500n, 0n, STT_FILE, STB_LOCAL),
      sym('zero', 0n),
      sym('debug_only', 0x600n, 0n, STT_NOTYPE, STB_LOCAL, 2),
      sym('bad_shndx', 0x700n, 0n, STT_NOTYPE, STB_LOCAL, 77),
    ];
    assert.deepEqual(new SymbolTable(syms, { sections }).entries.map((e) => e.name), ['ok']);
    assert.deepEqual(
      new SymbolTable(syms, { sections, includeAbsolute: true, allowZero: true }).entries.map((e) => e.name),
      ['zero', 'ok', 'abs'],
    );
    // Without section headers, only the type/shndx/address filters apply.
    assert.deepEqual(new SymbolTable(syms).entries.map((e) => e.name), ['ok', 'debug_only', 'bad_shndx']);
    assert.deepEqual(new SymbolTable(syms, { section: 2 }).entries.map((e) => e.name), ['debug_only']);
  });

  test('byName prefers global over weak over local', () => {
    const t = new SymbolTable([
      sym('dup', 0x100n, 0n, STT_FUNC, STB_LOCAL),
      sym('dup', 0x200n, 0n, STT_FUNC, STB_GLOBAL),
      sym('dup', 0x300n, 0n, STT_FUNC, STB_WEAK),
    ]);
    assert.equal(t.byName('dup')?.addr, 0x200n);
    assert.equal(t.byName('nope'), undefined);
    assert.equal(t.size, 3);
  });

  test('signExtend32 maps ELF32 kernel addresses to their 64-bit form', () => {
    const t = new SymbolTable([sym('kernel_entry', 0x80100000n, 0x10n)], { signExtend32: true });
    assert.equal(t.format(0xffffffff80100004n), '<kernel_entry+0x4>');
    assert.equal(t.lookup(0x80100004n), undefined);
  });

  test('randomized against a brute-force reference', () => {
    let seed = 0x5eed1234;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const types = [STT_FUNC, STT_OBJECT, STT_NOTYPE];
    const binds = [STB_GLOBAL, STB_LOCAL, STB_WEAK];
    for (let round = 0; round < 50; round++) {
      const syms: ElfSymbol[] = [];
      const n = 1 + rnd(60);
      for (let i = 0; i < n; i++) {
        syms.push(sym(`s${rnd(40)}`, BigInt(0x1000 + rnd(0x400) * 4), BigInt(rnd(3) === 0 ? 0 : rnd(0x80)), types[rnd(3)]!, binds[rnd(3)]!));
      }
      const t = new SymbolTable(syms);
      for (let q = 0; q < 200; q++) {
        const a = BigInt(0x1000 + rnd(0x1100) - 0x10);
        const got = t.lookup(a);
        const want = reference(t.entries, a);
        assert.equal(got?.symbol, want, `round ${round} addr 0x${a.toString(16)}`);
        if (got) assert.equal(got.offset, a - got.symbol.addr);
      }
    }
  });
});

/** Straightforward O(n) statement of the lookup rule over the (already ordered) entries. */
function reference(entries: readonly SymbolEntry[], a: bigint): SymbolEntry | undefined {
  const below = entries.filter((e) => e.addr <= a);
  if (below.length === 0) return undefined;
  const top = below[below.length - 1]!.addr;
  const group = below.filter((e) => e.addr === top);
  const hit = group.find((e) => e.size === 0n || a < e.addr + e.size);
  if (hit) return hit;
  const covering = below.filter((e) => e.size > 0n && a < e.addr + e.size);
  if (covering.length === 0) return undefined;
  const best = covering[covering.length - 1]!.addr;
  return covering.find((e) => e.addr === best);
}
