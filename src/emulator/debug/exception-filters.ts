// Exception breakpoint filters: the detailed ones (one per kind of exception, plus kernel
// panic and console output) and the grouped set a debugger UI offers by default, where one
// filter stands for several kinds and its condition narrows them ("refill", "AdEL RI", …).
// The syscall filter's condition is a debugger expression instead ($v0 == 5057). Both
// sets are accepted by every session; expand() turns enabled filters into the detailed
// kinds to stop on.

import { Exc } from '../isa/cp0-defs';

export interface ExceptionFilter {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** ExcCodes it stops on (empty for the special filters). */
  readonly codes: readonly number[];
  readonly supportsCondition?: boolean;
  readonly conditionDescription?: string;
}

/** One filter per kind. */
export const EXCEPTION_FILTERS: readonly ExceptionFilter[] = [
  { id: 'tlb-refill', label: 'TLB refill', description: 'A TLB miss (TLBL/TLBS through the refill vector).', codes: [Exc.TLBL, Exc.TLBS] },
  { id: 'tlb-invalid', label: 'TLB invalid', description: 'A TLB entry matched but is invalid (V=0).', codes: [Exc.TLBL, Exc.TLBS] },
  { id: 'tlb-modified', label: 'TLB modified', description: 'A store to a page whose TLB entry is not dirty (D=0).', codes: [Exc.Mod] },
  { id: 'address-error', label: 'Address error', description: 'Misaligned or privileged address (AdEL/AdES).', codes: [Exc.AdEL, Exc.AdES] },
  { id: 'bus-error', label: 'Bus error', description: 'Access to nothing on the bus (IBE/DBE).', codes: [Exc.IBE, Exc.DBE] },
  {
    id: 'syscall', label: 'Syscall', description: 'The syscall instruction (Sys).', codes: [Exc.Sys],
    supportsCondition: true, conditionDescription: 'Stop only when this expression is true, e.g. $v0 == 5057 (the syscall number is in $v0)',
  },
  { id: 'break', label: 'Break', description: 'The break instruction (Bp).', codes: [Exc.Bp] },
  { id: 'reserved-instruction', label: 'Reserved instruction', description: 'An undefined or disallowed instruction (RI).', codes: [Exc.RI] },
  { id: 'trap', label: 'Trap', description: 'A trap instruction whose condition held (Tr).', codes: [Exc.Tr] },
  { id: 'interrupt', label: 'Interrupt', description: 'Any interrupt taken (Int): timer, devices.', codes: [Exc.Int] },
  { id: 'other', label: 'Other exceptions', description: 'Coprocessor unusable, overflow, FPU, watch, machine check.', codes: [Exc.CpU, Exc.Ov, Exc.FPE, Exc.WATCH, Exc.MCheck] },
  { id: 'panic', label: 'Kernel panic', description: 'A call to the kernel\'s panic() (breakpoint on the symbol `panic`).', codes: [] },
  {
    id: 'console', label: 'Console output matches', description: 'Stop when the guest console has printed a given text.', codes: [],
    supportsCondition: true, conditionDescription: 'Text the console output must contain, e.g. "Kernel panic"',
  },
];

interface Group extends ExceptionFilter {
  /** Condition words → the detailed filters they select (no condition: all of them). */
  readonly words: Readonly<Record<string, string>>;
}

const TLB_WORDS = { refill: 'tlb-refill', invalid: 'tlb-invalid', modified: 'tlb-modified', mod: 'tlb-modified', tlbl: 'tlb-refill tlb-invalid', tlbs: 'tlb-refill tlb-invalid' };
const FAULT_WORDS = {
  adel: 'address-error', ades: 'address-error', address: 'address-error', ibe: 'bus-error', dbe: 'bus-error', bus: 'bus-error',
  ri: 'reserved-instruction', bp: 'break', break: 'break', tr: 'trap', trap: 'trap',
};
const OTHER_WORDS = { int: 'interrupt', interrupt: 'interrupt', cpu: 'other', ov: 'other', fpe: 'other', watch: 'other', mcheck: 'other', other: 'other' };

const detailed = (id: string): ExceptionFilter => EXCEPTION_FILTERS.find((f) => f.id === id)!;

const GROUPS_LIST: readonly Group[] = [
  {
    id: 'tlb', label: 'TLB exception', description: 'TLB refill, invalid or modified (TLBL, TLBS, Mod).', codes: [Exc.TLBL, Exc.TLBS, Exc.Mod],
    supportsCondition: true, conditionDescription: 'Only these kinds: refill, invalid, modified (empty: all)', words: TLB_WORDS,
  },
  {
    id: 'fault', label: 'Address/bus error, RI, break, trap', description: 'AdEL/AdES, IBE/DBE, reserved instruction, break (BUG()), trap.',
    codes: [Exc.AdEL, Exc.AdES, Exc.IBE, Exc.DBE, Exc.RI, Exc.Bp, Exc.Tr],
    supportsCondition: true, conditionDescription: 'Only these: AdEL AdES IBE DBE RI Bp Tr (empty: all)', words: FAULT_WORDS,
  },
  {
    id: 'interrupt-other', label: 'Interrupt or other exception', description: 'Interrupts, coprocessor unusable, overflow, FPU, watch, machine check.',
    codes: [Exc.Int, Exc.CpU, Exc.Ov, Exc.FPE, Exc.WATCH, Exc.MCheck],
    supportsCondition: true, conditionDescription: 'Only these: Int CpU Ov FPE WATCH MCheck (empty: all)', words: OTHER_WORDS,
  },
];
const GROUPS = new Map(GROUPS_LIST.map((g) => [g.id, g]));
const plain = ({ words: _w, ...f }: Group): ExceptionFilter => f;

/** The grouped set: fewer filters, the kinds inside a group chosen by its condition. */
export const GROUPED_FILTERS: readonly ExceptionFilter[] = [
  plain(GROUPS.get('tlb')!), plain(GROUPS.get('fault')!), detailed('syscall'), plain(GROUPS.get('interrupt-other')!), detailed('panic'), detailed('console'),
];

/** Whether `id` names a filter of either set. */
export function isExceptionFilter(id: string): boolean {
  return EXCEPTION_FILTERS.some((f) => f.id === id) || GROUPS.has(id);
}

export interface ExpandedFilters {
  /** Detailed filter ids to stop on. */
  readonly ids: Set<string>;
  /** Condition text per detailed id (syscall expressions, console texts). */
  readonly conditions: Map<string, string[]>;
  /** Problems for the user (unknown filters or words). */
  readonly notes: string[];
}

/** The detailed kinds enabled filters (of either set) stand for. */
export function expandFilters(filters: ReadonlyArray<{ id: string; condition?: string }>): ExpandedFilters {
  const ids = new Set<string>();
  const conditions = new Map<string, string[]>();
  const notes: string[] = [];
  for (const f of filters) {
    const g = GROUPS.get(f.id);
    if (g) {
      const words = (f.condition ?? '').toLowerCase().split(/[\s,|]+/).filter((w) => w !== '');
      if (words.length === 0) for (const v of new Set(Object.values(g.words))) for (const id of v.split(' ')) ids.add(id);
      for (const w of words) {
        const to = g.words[w];
        if (to) for (const id of to.split(' ')) ids.add(id);
        else notes.push(`"${g.label}": unknown kind '${w}' (${g.conditionDescription})`);
      }
      continue;
    }
    if (!EXCEPTION_FILTERS.some((x) => x.id === f.id)) { notes.push(`unknown exception filter '${f.id}'`); continue; }
    ids.add(f.id);
    if (f.condition !== undefined && f.condition.trim() !== '') {
      const list = conditions.get(f.id) ?? [];
      list.push(f.condition);
      conditions.set(f.id, list);
    }
  }
  return { ids, conditions, notes };
}
