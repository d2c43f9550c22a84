// The Linux kernel's own page table for its mapped segments (XKSEG: vmalloc; CKSSEG: where
// a kernel linked in ckseg0 loads its modules) and the current process's for user addresses, walked the way the kernel's TLB
// refill handler does when the TLB holds no entry for an address: PGD (swapper_pg_dir, or
// the mm's pgd) → PMD table → PTE; the PTE shifted right by
// _PFN_SHIFT is the page frame. The layout comes from the kernel's DWARF types, never
// guessed: the table sizes from the arrays swapper_pg_dir, invalid_pmd_table (3 levels)
// and invalid_pte_table, the PTE bit positions from `enum pgtable_bits`. Reads are
// physical only (table pointers are kseg0/xkphys addresses), so the walk never recurses.

import { resolved, type CType } from '../loader/dwarf/types';
import type { TypeFiles } from './type-files';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const XKSEG = 0xc000000000000000n;
const CKSEG0 = 0xffffffff80000000n;
const CKSSEG = 0xffffffffc0000000n;
const PHYS_MASK = (1n << 48n) - 1n;

export interface KernelPageLayout {
  /** Run-time (kseg0) address of swapper_pg_dir. */
  readonly pgd: bigint;
  readonly pgdEntries: number;
  /** PMD entries per table, 0 with two levels. */
  readonly pmdEntries: number;
  readonly pteEntries: number;
  readonly pageShift: number;
  /** _PAGE_GLOBAL_SHIFT: EntryLo's G bit; V is the next bit, the PFN starts 6 bits above. */
  readonly globalShift: number;
  readonly presentShift: number;
  /** Run-time addresses of the tables that stand for "nothing mapped here". */
  readonly invalidPmd: bigint | undefined;
  readonly invalidPte: bigint | undefined;
}

const log2 = (n: number): number => Math.round(Math.log2(n));

function arrayCount(t: CType): number | undefined {
  const r = resolved(t);
  return r.kind === 'array' && r.count !== undefined && r.count > 0 && (r.count & (r.count - 1)) === 0 ? r.count : undefined;
}

/** The layout from the kernel's types, or why it cannot be known. */
export function kernelPageLayout(types: TypeFiles): KernelPageLayout | string {
  let pgdVar, pmdVar, pteVar, bits;
  try {
    pgdVar = types.variable('swapper_pg_dir');
    pmdVar = types.variable('invalid_pmd_table');
    pteVar = types.variable('invalid_pte_table');
    bits = types.namedType('enum pgtable_bits');
  } catch (e) {
    return `the kernel's page-table types cannot be read: ${(e as Error).message}`;
  }
  if (!pgdVar?.addr || !pteVar?.addr) return 'no swapper_pg_dir / invalid_pte_table in the kernel\'s debugging information';
  const pgdEntries = arrayCount(pgdVar.type), pteEntries = arrayCount(pteVar.type);
  const pmdEntries = pmdVar ? arrayCount(pmdVar.type) : 0;
  if (!pgdEntries || !pteEntries || pmdEntries === undefined) return 'the kernel\'s page-table arrays have no usable sizes';
  const e = bits ? resolved(bits) : undefined;
  const shift = (name: string): number | undefined => {
    if (e?.kind !== 'enum') return undefined;
    for (const [v, n] of e.values) if (n === name) return Number(v);
    return undefined;
  };
  const globalShift = shift('_PAGE_GLOBAL_SHIFT'), presentShift = shift('_PAGE_PRESENT_SHIFT');
  if (globalShift === undefined || presentShift === undefined) return 'no enum pgtable_bits (_PAGE_GLOBAL_SHIFT) in the kernel\'s debugging information';
  return {
    pgd: pgdVar.addr, pgdEntries, pmdEntries, pteEntries, pageShift: log2(pteEntries) + 3, globalShift, presentShift,
    invalidPmd: pmdVar?.addr, invalidPte: pteVar.addr,
  };
}

/** Physical address of an unmapped kernel address (kseg0/kseg1, xkphys), else undefined. */
export function unmappedPhys(va: bigint): bigint | undefined {
  const v = U64(va);
  if (v >= CKSEG0 && v < CKSEG0 + 0x40000000n) return v & 0x1fffffffn;
  if (v >> 62n === 2n) return v & PHYS_MASK;
  return undefined;
}

/**
 * The physical address `va` maps to through the kernel's page table, or undefined (not in
 * XKSEG's table range, not present, or a table pointer that is not a kernel address).
 * `read64` reads a doubleword of guest RAM at a physical address.
 */
export function walkKernelPage(layout: KernelPageLayout, va: bigint, read64: (pa: bigint) => bigint | undefined): bigint | undefined {
  const v = U64(va);
  // XKSEG (vmalloc) from its start; CKSSEG (modules, in 64-bit kernels linked in ckseg0) in the table's top entries.
  if (v >> 62n !== 3n || (v >= CKSEG0 && v < CKSSEG)) return undefined;
  return walk(layout, layout.pgd, v < CKSEG0 ? v - XKSEG : v, v, read64);
}

/** The same through a process's page table (`pgd`: its mm's, a kernel address) for a user (xuseg) address. */
export function walkUserPage(layout: KernelPageLayout, pgd: bigint, va: bigint, read64: (pa: bigint) => bigint | undefined): bigint | undefined {
  const v = U64(va);
  if (v >> 62n !== 0n) return undefined;
  return walk(layout, pgd, v, v, read64);
}

function walk(layout: KernelPageLayout, pgd: bigint, off: bigint, v: bigint, read64: (pa: bigint) => bigint | undefined): bigint | undefined {
  const ps = BigInt(layout.pageShift);
  const pteBits = BigInt(log2(layout.pteEntries)), pmdBits = BigInt(layout.pmdEntries ? log2(layout.pmdEntries) : 0);
  const pmdShift = ps + pteBits, pgdShift = pmdShift + pmdBits;
  // The refill handler indexes with the address bits masked: CKSSEG lands in the last entries.
  if (off < CKSSEG && off >> pgdShift >= BigInt(layout.pgdEntries)) return undefined;
  const pgdIndex = (off >> pgdShift) & BigInt(layout.pgdEntries - 1);
  const entry = (table: bigint | undefined, index: bigint): bigint | undefined => {
    const pa = table === undefined ? undefined : unmappedPhys(table);
    return pa === undefined ? undefined : read64(pa + index * 8n);
  };
  let next = entry(pgd, pgdIndex);
  if (layout.pmdEntries) {
    if (next === undefined || next === layout.invalidPmd) return undefined;
    next = entry(next, (off >> pmdShift) & ((1n << pmdBits) - 1n));
  }
  if (next === undefined || next === layout.invalidPte) return undefined;
  const pte = entry(next, (off >> ps) & ((1n << pteBits) - 1n));
  if (pte === undefined || ((pte >> BigInt(layout.presentShift)) & 1n) === 0n || ((pte >> BigInt(layout.globalShift + 1)) & 1n) === 0n) return undefined;
  const pfnShift = ps - 12n + BigInt(layout.globalShift) + 6n;
  return (((pte >> pfnShift) << ps) & PHYS_MASK) | (v & ((1n << ps) - 1n));
}
