// Translating a mapped address the TLB does not hold, the way the guest itself would: its
// own TLB refill handler (at EBASE, or the BEV vectors) interpreted on a scratch copy of the
// registers it uses, with the context registers set as a refill of that address sets them,
// until its tlbwr/tlbwi — the EntryLo pair and PageMask it would write give the physical
// address. Nothing of the machine changes: guest registers, CP0 and the TLB stay as they
// are, and its loads read RAM by physical address only (kseg0/kseg1, xkphys), as a refill
// handler does. Any OS's handler works without knowing its page-table layout (Linux keeps
// the process's PGD in Context and walks PGD → PMD → PTE; huge pages set PageMask). An
// instruction outside the small set such handlers use, a load from a mapped address, a jump
// out of the vector (a page fault) or 64 instructions without tlbwr: not mapped (undefined).

import type { Cpu } from '../cpu/cpu';
import { unmappedPhys } from './kernel-pages';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const S64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const S32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const MAX_STEPS = 64;
// CP0 register numbers (MIPS64 Volume III).
const C0_ENTRYLO0 = 2, C0_ENTRYLO1 = 3, C0_CONTEXT = 4, C0_PAGEMASK = 5, C0_BADVADDR = 8, C0_ENTRYHI = 10, C0_XCONTEXT = 20;
const ST_UX = 0x20, ST_SX = 0x40, ST_KX = 0x80, ST_BEV = 0x400000;

/** Physical address of `va` by the guest's refill handler (current ASID), or undefined. */
export function refillWalk(cpu: Cpu, va: bigint, read64: (pa: bigint) => bigint | undefined, bigEndian: boolean): number | undefined {
  const v = U64(va);
  const c0 = cpu.c0;
  const sb = BigInt(cpu.segBits);
  const region = Number(v >> 62n);
  const wide = (c0.status & [ST_UX, ST_SX, 0, ST_KX][region]!) !== 0; // the XTLB refill vector (cpu.ts xtlbRefill)
  const base = (c0.status & ST_BEV) !== 0 ? 0xffffffffbfc00200n : U64(S64(c0.ebase) & ~0xfffn);
  const vector = U64(base + (wide ? 0x80n : 0n));
  // The registers a refill of `va` sets (cpu.ts fault()).
  const cp0 = new Map<number, bigint>([
    [C0_BADVADDR, v],
    [C0_CONTEXT, (U64(c0.context) & ~0x7fffffn) | ((v >> 9n) & 0x7ffff0n)],
    [C0_XCONTEXT, (U64(c0.xContext) & ~((1n << (sb - 7n)) - 1n)) | ((v >> 62n) << (sb - 9n)) | (((v >> 13n) & ((1n << (sb - 13n)) - 1n)) << 4n)],
    [C0_ENTRYHI, (v & (0xc000000000000000n | ((1n << sb) - 1n)) & ~0x1fffn) | (U64(c0.entryHi) & 0xffn)],
    [C0_PAGEMASK, BigInt(c0.pageMask)],
  ]);
  const gpr = new Map<number, bigint>();
  const get = (r: number): bigint => (r === 0 ? 0n : gpr.get(r) ?? U64(cpu.getGpr(r)));
  const set = (r: number, x: bigint): void => { if (r !== 0) gpr.set(r, U64(x)); };
  const load = (addr: bigint, size: 4 | 8, signed: boolean): bigint | undefined => {
    const pa = unmappedPhys(addr);
    if (pa === undefined || (addr & BigInt(size - 1)) !== 0n) return undefined;
    const d = read64(pa & ~7n);
    if (d === undefined) return undefined;
    if (size === 8) return d;
    const w = (d >> (((pa & 4n) !== 0n) !== bigEndian ? 32n : 0n)) & 0xffffffffn;
    return signed ? U64(S32(w)) : w;
  };
  let pc = vector;
  let branchTo: bigint | undefined;
  for (let step = 0; step < MAX_STEPS; step++) {
    const pa = unmappedPhys(pc);
    const d = pa === undefined ? undefined : read64(pa & ~7n);
    if (d === undefined) return undefined;
    const w = Number((d >> ((((pa! & 4n) !== 0n) !== bigEndian) ? 32n : 0n)) & 0xffffffffn) | 0;
    const name = cpu.decoder.decode(w).canonical.name;
    const rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, rd = (w >>> 11) & 31, sa = (w >>> 6) & 31;
    const imm = BigInt((w << 16) >> 16), uimm = BigInt(w & 0xffff);
    const target = U64(pc + 4n + (imm << 2n));
    let jump: bigint | undefined;
    switch (name) {
      case 'sll': if (rd !== 0) set(rd, S32((get(rt) << BigInt(sa)) & 0xffffffffn)); break; // nop, ehb, ssnop too
      case 'srl': set(rd, S32((get(rt) & 0xffffffffn) >> BigInt(sa))); break;
      case 'dsll': set(rd, get(rt) << BigInt(sa)); break;
      case 'dsll32': set(rd, get(rt) << BigInt(sa + 32)); break;
      case 'dsrl': set(rd, get(rt) >> BigInt(sa)); break;
      case 'dsrl32': set(rd, get(rt) >> BigInt(sa + 32)); break;
      case 'dsra': set(rd, S64(get(rt)) >> BigInt(sa)); break;
      case 'dsra32': set(rd, S64(get(rt)) >> BigInt(sa + 32)); break;
      case 'drotr': case 'drotr32': {
        const n = BigInt(sa + (name === 'drotr32' ? 32 : 0)), x = get(rt);
        set(rd, (x >> n) | (x << (64n - n)));
        break;
      }
      case 'lui': set(rt, S32(uimm << 16n)); break;
      case 'addiu': set(rt, S32(get(rs) + imm)); break;
      case 'daddiu': set(rt, get(rs) + imm); break;
      case 'ori': set(rt, get(rs) | uimm); break;
      case 'andi': set(rt, get(rs) & uimm); break;
      case 'xori': set(rt, get(rs) ^ uimm); break;
      case 'addu': set(rd, S32(get(rs) + get(rt))); break;
      case 'daddu': set(rd, get(rs) + get(rt)); break;
      case 'dsubu': set(rd, get(rs) - get(rt)); break;
      case 'and': set(rd, get(rs) & get(rt)); break;
      case 'or': set(rd, get(rs) | get(rt)); break;
      case 'xor': set(rd, get(rs) ^ get(rt)); break;
      case 'dins': case 'dinsm': case 'dinsu': case 'ins': {
        const pos = BigInt(sa + (name === 'dinsu' ? 32 : 0)), size = BigInt(rd - sa + 1 + (name === 'dinsm' ? 32 : 0));
        const mask = ((1n << size) - 1n) << pos;
        const r = (get(rt) & ~mask) | ((get(rs) << pos) & mask);
        set(rt, name === 'ins' ? S32(r & 0xffffffffn) : r);
        break;
      }
      case 'dext': case 'dextm': case 'dextu': case 'ext': {
        const pos = BigInt(sa + (name === 'dextu' ? 32 : 0)), size = BigInt(rd + 1 + (name === 'dextm' ? 32 : 0));
        set(rt, (get(rs) >> pos) & ((1n << size) - 1n));
        break;
      }
      case 'ld': case 'lw': case 'lwu': {
        const x = load(U64(get(rs) + imm), name === 'ld' ? 8 : 4, name === 'lw');
        if (x === undefined) return undefined;
        set(rt, x);
        break;
      }
      case 'mfc0': case 'dmfc0': {
        const x = (w & 7) === 0 ? cp0.get(rd) : undefined;
        if (x === undefined) return undefined;
        set(rt, name === 'mfc0' ? S32(x & 0xffffffffn) : x);
        break;
      }
      case 'mtc0': case 'dmtc0': {
        if ((w & 7) !== 0 || ![C0_ENTRYLO0, C0_ENTRYLO1, C0_PAGEMASK, C0_ENTRYHI].includes(rd)) return undefined;
        cp0.set(rd, name === 'mtc0' ? U64(S32(get(rt) & 0xffffffffn)) : get(rt));
        break;
      }
      case 'tlbwr': case 'tlbwi': return entryPhys(cpu, v, cp0.get(C0_ENTRYLO0), cp0.get(C0_ENTRYLO1), cp0.get(C0_PAGEMASK)!);
      case 'beq': if (get(rs) === get(rt)) jump = target; break;
      case 'bne': if (get(rs) !== get(rt)) jump = target; break;
      case 'bltz': if (S64(get(rs)) < 0n) jump = target; break;
      case 'bgez': if (S64(get(rs)) >= 0n) jump = target; break;
      case 'blez': if (S64(get(rs)) <= 0n) jump = target; break;
      case 'bgtz': if (S64(get(rs)) > 0n) jump = target; break;
      case 'j': jump = (U64(pc + 4n) & ~0x0fffffffn) | (BigInt(w & 0x3ffffff) << 2n); break;
      case 'jr': jump = get(rs); break;
      default: return undefined; // eret before tlbwr, a store, anything else: not a refill of a mapping
    }
    if (branchTo !== undefined) { pc = branchTo; branchTo = undefined; if (!inVector(pc, vector)) return undefined; continue; }
    if (jump !== undefined) branchTo = jump;
    pc = U64(pc + 4n);
  }
  return undefined;
}

/** A refill handler's code lies in the vector area (EBASE's page and the next ones it spills into). */
function inVector(pc: bigint, vector: bigint): boolean {
  return pc >= (vector & ~0xfffn) && pc < (vector & ~0xfffn) + 0x2000n;
}

/** The physical address of `va` through the EntryLo pair and PageMask a handler writes, or undefined when invalid. */
function entryPhys(cpu: Cpu, va: bigint, lo0: bigint | undefined, lo1: bigint | undefined, pageMask: bigint): number | undefined {
  const page = (((pageMask >> 13n) & 0xffffn) + 1n) << 12n;
  const lo = (va / page) % 2n === 0n ? lo0 : lo1;
  if (lo === undefined || (lo & 2n) === 0n) return undefined; // V
  const pfn = (lo >> 6n) & ((1n << BigInt(cpu.paBits - 12)) - 1n);
  const pa = ((pfn << 12n) & ~(page - 1n)) | (va & (page - 1n));
  return pa < 2n ** 53n ? Number(pa) : undefined;
}
