// Text reports on machine state that more than one front end prints: the valid TLB
// entries (with EntryLo's RI/XI bits when PageGrain enables them, as Octeon's kernel does), the CP0 registers with their decoded summaries, and a side-effect-free
// virtual → physical translation. The Debug Console (src/adapter/console.ts) and gdb's
// `monitor` commands (src/gdbstub/monitor.ts) show the same lines.

import type { Cpu } from '../cpu/cpu';
import type { PhysicalBus } from '../memory/bus';
import { cp0RegsOf, pageMaskSize, readCp0, sizeText } from './cp0-fields';
import { hex64 } from './expr';
import { DebugMemory, XLATE_TEXT } from './memory';
import { ELO_RI_KEPT, ELO_XI_KEPT } from '../mmu/translate';

const PG_RIE = 0x80000000, PG_XIE = 0x40000000;

/**
 * The read-inhibit / execute-inhibit bits of a TLB entry's EntryLo (`lo` as the TLB keeps
 * it) that PageGrain enables now (RIE, XIE): undefined when it enables neither.
 */
export function entryLoInhibits(cpu: Cpu, lo: number): { ri?: boolean; xi?: boolean } | undefined {
  const pg = cpu.c0.pageGrain;
  if (!(pg & (PG_RIE | PG_XIE))) return undefined;
  return {
    ...(pg & PG_RIE ? { ri: lo >= ELO_RI_KEPT } : {}),
    ...(pg & PG_XIE ? { xi: lo % ELO_RI_KEPT >= ELO_XI_KEPT } : {}),
  };
}

/** A TLB entry's EntryLo (`lo` as the TLB keeps it) as tlbr gives it: RI/XI at bits 63/62. */
export function entryLoAsRead(lo: number): bigint {
  const ri = lo >= ELO_RI_KEPT, xi = lo % ELO_RI_KEPT >= ELO_XI_KEPT;
  return BigInt(lo % ELO_XI_KEPT) | (ri ? 1n << 63n : 0n) | (xi ? 1n << 62n : 0n);
}

/** " RI=0 XI=1" for the bits PageGrain enables ('' when none). */
export function inhibitFields(cpu: Cpu, lo: number): string {
  const b = entryLoInhibits(cpu, lo);
  if (!b) return '';
  return `${b.ri !== undefined ? ` RI=${b.ri ? 1 : 0}` : ''}${b.xi !== undefined ? ` XI=${b.xi ? 1 : 0}` : ''}`;
}

/** The same as table columns under " RI XI" headings: "  0  1". */
function inhibitColumns(cpu: Cpu, lo: number): string {
  const b = entryLoInhibits(cpu, lo);
  if (!b) return '';
  return `${b.ri !== undefined ? `  ${b.ri ? 1 : 0}` : ''}${b.xi !== undefined ? `  ${b.xi ? 1 : 0}` : ''}`;
}

/** The valid TLB entries, one row each (VPN2, ASID or G, page size, both halves), and a count. */
export function tlbTable(cpu: Cpu): string {
  const ix = entryLoInhibits(cpu, 0);
  const extra = ix ? `${ix.ri !== undefined ? ' RI' : ''}${ix.xi !== undefined ? ' XI' : ''}` : '';
  const w = 26 + extra.length;
  const rows = [`idx  VPN2               ASID  size     ${`even (PFN C D V${extra})`.padEnd(w)} odd (PFN C D V${extra})`];
  let shown = 0;
  for (let i = 0; i < cpu.tlb.size; i++) {
    const e = cpu.tlb.read(i);
    if (!(e.lo0 & 2) && !(e.lo1 & 2)) continue;
    shown++;
    const g = (e.lo0 % 2) === 1 && (e.lo1 % 2) === 1;
    const vpn2 = (BigInt(e.hiHi >>> 0) << 32n) | BigInt((e.hiLo & ~0x1fff) >>> 0);
    const half = (lo: number): string => {
      if (!(lo & 2)) return '-'.padEnd(w);
      const pfn = Math.floor(lo / 64) % 2 ** 30;
      return `0x${pfn.toString(16).padStart(7, '0')} ${(lo >>> 3) & 7} ${(lo >>> 2) & 1} ${(lo >>> 1) & 1}${inhibitColumns(cpu, lo)}`.padEnd(w);
    };
    rows.push(`${String(i).padStart(3)}  ${hex64(vpn2)} ${g ? 'G   ' : `0x${(e.hiLo & 0xff).toString(16).padStart(2, '0')}`}  ${sizeText(pageMaskSize(e.pageMask)).padEnd(7)}  ${half(e.lo0)} ${half(e.lo1)}`);
  }
  if (shown === 0) return `no valid entries (of ${cpu.tlb.size})`;
  return `${rows.join('\n')}\n${shown} valid of ${cpu.tlb.size} entries`;
}

/** Every CP0 register of the CPU's model: name, (register, select), value, and a summary where one is defined. */
export function cp0Table(cpu: Cpu): string {
  const defs = cp0RegsOf(cpu);
  const width = Math.max(...defs.map((d) => d.title.length));
  return defs.map((d) => {
    const v = readCp0(cpu, d);
    const value = d.bits === 32 ? `0x${v.toString(16).padStart(8, '0')}        ` : hex64(v);
    const summary = d.summary?.(v, cpu);
    return `${d.title.padEnd(width)}  ${`(${d.reg},${d.sel})`.padEnd(7)} ${value}${summary ? `  ${summary}` : ''}`;
  }).join('\n');
}

/** Virtual → physical as kernel-mode code would see it now: the physical address, how (TLB entry or segment), RAM or not. */
export function translationText(mem: DebugMemory, bus: PhysicalBus, va: bigint): { text: string; pa?: number } {
  const r = mem.v2p(va);
  if (!r.ok) return { text: `${hex64(va)}: not mapped — ${XLATE_TEXT[r.code] ?? 'unknown'}` };
  const ram = bus.ramOffset(r.pa) >= 0 ? 'RAM' : 'not RAM (device or unassigned)';
  const via = r.tlbIndex >= 0 ? (r.victim ? 'a victim of a replaced TLB entry, as QEMU keeps them' : `TLB[${r.tlbIndex}]`)
    : r.walked ? 'the kernel\'s page table (not in the TLB)' : 'unmapped segment';
  return { text: `${hex64(va)} → phys 0x${r.pa.toString(16)} (${via}, ${ram})`, pa: r.pa };
}
