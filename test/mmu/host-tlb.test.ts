// Host translation cache: the wide tables the WebAssembly tier reads (one int64 tag, and
// the RAM offset minus the page address) must say exactly what the narrow tables say
// after every kind of update — fills, flushes, page traps — and a wide lookup must find
// the same RAM offset, refuse misaligned addresses, and never match an empty entry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Access, HostTlb, HTLB_ENTRIES, TRAP_ACCESS, TRAP_DIRTY, TRAP_WRITE } from '../../src/emulator/mmu/host-tlb';

const RAM = 1 << 24;

/** The WebAssembly tier's lookup, in JavaScript: RAM offset or −1 on a miss. */
function wideLookup(h: HostTlb, mode: number, acc: Access, hi: number, lo: number, size: number): number {
  const i = HostTlb.index(mode, acc, lo);
  const tag = (BigInt(h.wideTag[2 * i + 1]) << 32n) | BigInt(h.wideTag[2 * i] >>> 0);
  const addr = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  const masked = BigInt.asIntN(64, addr & BigInt.asUintN(64, BigInt(-4096 | (size - 1))));
  if (BigInt.asIntN(64, tag) !== masked) return -1;
  return (h.wideAdd[2 * i] + lo) >>> 0;
}

function assertTablesAgree(h: HostTlb): void {
  for (let i = 0; i < HTLB_ENTRIES; i++) {
    if (h.tagLo[i] === 1) {
      assert.equal(h.wideTag[2 * i], -1, `entry ${i}: narrow empty, wide tag low word set`);
      assert.equal(h.wideTag[2 * i + 1], -1, `entry ${i}: narrow empty, wide tag high word set`);
    } else {
      assert.equal(h.wideTag[2 * i], h.tagLo[i], `entry ${i}: tag low word`);
      assert.equal(h.wideTag[2 * i + 1], h.tagHi[i], `entry ${i}: tag high word`);
      assert.equal(h.wideAdd[2 * i], (h.base[i] - h.tagLo[i]) | 0, `entry ${i}: addend`);
    }
  }
}

test('wide entries agree with narrow ones after fills, flushes and traps', () => {
  const h = new HostTlb(RAM);
  assertTablesAgree(h);
  // kseg0-like kernel addresses, user addresses, and a page whose VA is below its RAM offset.
  const fills: Array<[number, Access, number, number, number]> = [
    [0, Access.Read, -1, 0x80123000 | 0, 0x123000],
    [0, Access.Write, -1, 0x80123000 | 0, 0x123000],
    [2, Access.Read, 0, 0x00400000, 0x7ff000],
    [2, Access.Write, 0, 0x00401000, 0x10000],
    [1, Access.Fetch, 1, 0x00002000, 0x5000],
  ];
  for (const [m, a, hi, lo, off] of fills) h.fill(m, a, hi, lo, off);
  assertTablesAgree(h);
  for (const [m, a, hi, lo, off] of fills) {
    for (const k of [0, 8, 0xff8]) {
      assert.equal(wideLookup(h, m, a, hi, lo + k, 8), off + k, `hit at ${lo.toString(16)}+${k}`);
      assert.equal(h.cached(m, a, hi, lo + k), off + k); // (the narrow lookup the interpreter and dispatcher use)
    }
    assert.equal(wideLookup(h, m, a, hi, lo + 2, 4), -1, 'a misaligned word misses (slow path raises AdEL)');
    assert.equal(wideLookup(h, m, a, hi, lo + 2, 2), off + 2, 'an aligned halfword hits');
    assert.equal(wideLookup(h, m, a, hi ^ 1, lo, 1), -1, 'another high word misses');
  }
  h.setTrap(0x123, TRAP_WRITE);
  assert.equal(wideLookup(h, 0, Access.Write, -1, 0x80123000 | 0, 4), -1, 'a write-trapped page drops its write entry');
  assert.equal(wideLookup(h, 0, Access.Read, -1, 0x80123000 | 0, 4), 0x123000, 'but keeps its read entry');
  h.setTrap(0x7ff, TRAP_ACCESS);
  assert.equal(wideLookup(h, 2, Access.Read, 0, 0x00400000, 4), -1, 'an access-trapped page drops every entry');
  h.fill(2, Access.Read, 0, 0x00400000, 0x7ff000);
  assert.equal(wideLookup(h, 2, Access.Read, 0, 0x00400000, 4), -1, 'and is not refilled while it traps');
  assertTablesAgree(h);
  h.setTrapBulk(TRAP_DIRTY);
  assert.equal(wideLookup(h, 2, Access.Write, 0, 0x00401000, 4), -1, 'dirty tracking drops write entries');
  assert.equal(wideLookup(h, 1, Access.Fetch, 1, 0x00002000, 4), 0x5000, 'and keeps fetch entries');
  assertTablesAgree(h);
  h.flush();
  assertTablesAgree(h);
  for (const [m, a, hi, lo] of fills) assert.equal(wideLookup(h, m, a, hi, lo, 1), -1, 'flushed');
});

test('an empty wide entry matches no address, including page 0 of every segment', () => {
  const h = new HostTlb(RAM);
  for (const hi of [0, -1, 0x40000000, 0xc0000000 | 0]) {
    for (const lo of [0, 1, 3, 7, 0xfff, 0x80000000 | 0, -1]) {
      for (const size of [1, 2, 4, 8]) {
        for (const acc of [Access.Read, Access.Write, Access.Fetch]) assert.equal(wideLookup(h, 0, acc, hi, lo, size), -1);
      }
    }
  }
});
