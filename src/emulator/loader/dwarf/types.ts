// C types and global variables from .debug_info, read on demand (a kernel's .debug_info is
// over 100 MB): the first lookup by name walks the top-level DIEs of every unit once and
// keeps only names → DIE offsets; a type is decoded when a value needs it and cached by
// offset. Cyclic references (a struct holding a pointer to itself) are fine; a cycle that
// never reaches a struct, base or pointer type (corrupt information) is a DwarfError.

import { DieReader, Die, DieSections, scanTop } from './dies';
import { DwarfError } from './error';

const TAG = {
  array_type: 0x01, enumeration_type: 0x04, member: 0x0d, pointer_type: 0x0f, reference_type: 0x10,
  compile_unit: 0x11, structure_type: 0x13, subroutine_type: 0x15, typedef: 0x16, union_type: 0x17,
  subrange_type: 0x21, base_type: 0x24, const_type: 0x26, enumerator: 0x28, subprogram: 0x2e,
  variable: 0x34, volatile_type: 0x35, restrict_type: 0x37, atomic_type: 0x47, partial_unit: 0x3c,
} as const;
const AT = {
  location: 0x02, name: 0x03, byte_size: 0x0b, bit_offset: 0x0c, bit_size: 0x0d, const_value: 0x1c,
  upper_bound: 0x2f, count: 0x37, data_member_location: 0x38, declaration: 0x3c, encoding: 0x3e,
  specification: 0x47, type: 0x49, data_bit_offset: 0x6b,
} as const;
/** DW_ATE_* */
export const ATE = { address: 1, boolean: 2, float: 4, signed: 5, signed_char: 6, unsigned: 7, unsigned_char: 8 } as const;
const DW_OP_addr = 0x03;

export interface Member {
  readonly name: string | undefined;
  readonly offset: number;
  readonly type: CType;
  /** Bit fields: width and offset from the member's byte offset (little-endian numbering). */
  readonly bitSize?: number;
  readonly bitOffset?: number;
}

export type CType =
  | { readonly kind: 'void' }
  | { readonly kind: 'base'; readonly name: string; readonly size: number; readonly encoding: number }
  | { readonly kind: 'pointer'; readonly size: number; readonly target: CType }
  | { readonly kind: 'struct' | 'union'; readonly name: string | undefined; readonly size: number; readonly members: Member[]; readonly incomplete: boolean; readonly die: number }
  | { readonly kind: 'array'; readonly element: CType; readonly count: number | undefined }
  | { readonly kind: 'typedef'; readonly name: string; readonly target: CType }
  | { readonly kind: 'qualified'; readonly qualifier: 'const' | 'volatile' | 'restrict' | '_Atomic'; readonly target: CType }
  | { readonly kind: 'enum'; readonly name: string | undefined; readonly size: number; readonly values: ReadonlyMap<bigint, string> }
  | { readonly kind: 'function'; readonly name: string | undefined };

export interface GlobalVariable {
  readonly name: string;
  /** Link-time address (DW_OP_addr), when the DIE has one. */
  readonly addr: bigint | undefined;
  readonly type: CType;
}

const VOID: CType = { kind: 'void' };
/** C spellings → the names gcc gives base types in DWARF. */
const C_NAMES: Record<string, string> = {
  short: 'short int', 'unsigned short': 'short unsigned int', 'short unsigned': 'short unsigned int', 'signed short': 'short int',
  long: 'long int', 'unsigned long': 'long unsigned int', 'long unsigned': 'long unsigned int', 'signed long': 'long int',
  'long long': 'long long int', 'unsigned long long': 'long long unsigned int', unsigned: 'unsigned int', signed: 'int',
  'signed int': 'int', 'unsigned short int': 'short unsigned int', 'unsigned long int': 'long unsigned int',
  'unsigned long long int': 'long long unsigned int', 'signed long long': 'long long int',
};
const MAX_CHAIN = 64;

/** Strips typedefs and qualifiers. */
export function resolved(t: CType): CType {
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (t.kind !== 'typedef' && t.kind !== 'qualified') return t;
    t = t.target;
  }
  throw new DwarfError('a typedef/qualifier chain longer than 64 (cyclic type information?)');
}

export function sizeOf(t: CType): number {
  const r = resolved(t);
  switch (r.kind) {
    case 'base': case 'pointer': case 'struct': case 'union': case 'enum': return r.size;
    case 'array': return r.count === undefined ? 0 : r.count * sizeOf(r.element);
    default: return 0;
  }
}

/** C spelling of a type: `struct task_struct *`, `char [16]`, `unsigned long`. */
export function typeName(t: CType, depth = 0): string {
  if (depth > MAX_CHAIN) return '…';
  switch (t.kind) {
    case 'void': return 'void';
    case 'base': case 'typedef': return t.name;
    case 'pointer': {
      const inner = typeName(t.target, depth + 1);
      return inner.endsWith('*') ? `${inner}*` : `${inner} *`;
    }
    case 'struct': case 'union': return `${t.kind} ${t.name ?? '{…}'}`;
    case 'enum': return `enum ${t.name ?? '{…}'}`;
    case 'array': return `${typeName(t.element, depth + 1)} [${t.count ?? ''}]`;
    case 'qualified': return `${t.qualifier} ${typeName(t.target, depth + 1)}`;
    case 'function': return 'function';
  }
}

interface NameIndex {
  readonly variables: Map<string, { offset: number; located: boolean }>;
  readonly structs: Map<string, number>;
  readonly unions: Map<string, number>;
  readonly typedefs: Map<string, number>;
  readonly bases: Map<string, number>;
}

export class DwarfTypes {
  private readonly dies: DieReader;
  private readonly little: boolean;
  private readonly types = new Map<number, CType>();
  private readonly inProgress = new Set<number>();
  private index: NameIndex | undefined;

  constructor(private readonly sec: DieSections) {
    this.dies = new DieReader(sec);
    this.little = sec.little;
  }

  get unitCount(): number {
    return this.dies.units.length;
  }

  /** Builds the name index now (else on the first lookup); returns the number of names. */
  indexNames(): number {
    const ix = this.names();
    return ix.variables.size + ix.structs.size + ix.unions.size + ix.typedefs.size + ix.bases.size;
  }

  private names(): NameIndex {
    if (this.index) return this.index;
    const ix: NameIndex = { variables: new Map(), structs: new Map(), unions: new Map(), typedefs: new Map(), bases: new Map() };
    const wanted = new Set<number>([TAG.variable, TAG.structure_type, TAG.union_type, TAG.typedef, TAG.base_type]);
    // Definitions without a name (DW_AT_specification of a declaration): named after it.
    const specDefs: Array<{ offset: number; spec: number }> = [];
    scanTop(this.sec, this.dies.units, (tag) => wanted.has(tag), (e) => {
      if (e.name === undefined) {
        if (e.tag === TAG.variable && e.hasLocation && e.specification !== undefined) specDefs.push({ offset: e.offset, spec: e.specification });
        return;
      }
      switch (e.tag) {
        case TAG.variable: {
          // A definition (with a location) wins over the declarations every user of it has.
          const had = ix.variables.get(e.name);
          if (had === undefined || (e.hasLocation && !had.located)) ix.variables.set(e.name, { offset: e.offset, located: e.hasLocation });
          break;
        }
        case TAG.structure_type: if (!e.declaration && !ix.structs.has(e.name)) ix.structs.set(e.name, e.offset); break;
        case TAG.union_type: if (!e.declaration && !ix.unions.has(e.name)) ix.unions.set(e.name, e.offset); break;
        case TAG.typedef: if (!ix.typedefs.has(e.name)) ix.typedefs.set(e.name, e.offset); break;
        case TAG.base_type: if (!ix.bases.has(e.name)) ix.bases.set(e.name, e.offset); break;
        default: break;
      }
    });
    for (const d of specDefs) {
      const decl = this.dies.die(d.spec);
      const name = decl?.attrs.get(AT.name);
      if (typeof name !== 'string') continue;
      const had = ix.variables.get(name);
      if (had === undefined || !had.located) ix.variables.set(name, { offset: d.offset, located: true });
    }
    this.index = ix;
    return ix;
  }

  /** The names of the global variables (the name index is built first). */
  variableNames(): string[] {
    return [...this.names().variables.keys()];
  }

  /** A global (or file-static) variable by name: its address and type (a definition preferred). */
  variable(name: string): GlobalVariable | undefined {
    const v = this.names().variables.get(name);
    if (!v) return undefined;
    const d = this.dies.die(v.offset);
    if (!d) return undefined;
    return { name, addr: locationAddr(d.attrs.get(AT.location), d.unit.ctx.addressSize, this.little), type: this.typeOf(d) };
  }

  /** A named type: `struct task_struct`, `union x`, a typedef or a base type name. */
  namedType(spelling: string): CType | undefined {
    const ix = this.names();
    const m = /^(struct|union)\s+(\w+)$/.exec(spelling.trim());
    if (m) {
      const off = (m[1] === 'struct' ? ix.structs : ix.unions).get(m[2]!);
      return off === undefined ? undefined : this.type(off);
    }
    const s = spelling.trim().replace(/\s+/g, ' ');
    const off = ix.typedefs.get(s) ?? ix.bases.get(s) ?? ix.bases.get(C_NAMES[s] ?? '');
    return off === undefined ? undefined : this.type(off);
  }

  /** The complete definition of an incomplete struct/union (a declaration), if any unit has one. */
  complete(t: CType): CType {
    if ((t.kind !== 'struct' && t.kind !== 'union') || !t.incomplete || !t.name) return t;
    const off = (t.kind === 'struct' ? this.names().structs : this.names().unions).get(t.name);
    return off === undefined ? t : this.type(off);
  }

  private typeOf(d: Die): CType {
    const ref = d.attrs.get(AT.type);
    if (typeof ref === 'bigint') return this.type(Number(ref));
    const spec = d.attrs.get(AT.specification);
    if (typeof spec === 'bigint' && Number(spec) !== d.offset) {
      const s = this.dies.die(Number(spec));
      if (s) return this.typeOf(s);
    }
    return VOID;
  }

  /** The type DIE at `off`, decoded once. */
  type(off: number): CType {
    const cached = this.types.get(off);
    if (cached) return cached;
    if (this.inProgress.has(off)) throw new DwarfError(`.debug_info at offset 0x${off.toString(16)}: cyclic type reference`);
    this.inProgress.add(off);
    try {
      const t = this.decode(off);
      this.types.set(off, t);
      return t;
    } finally {
      this.inProgress.delete(off);
    }
  }

  private decode(off: number): CType {
    const d = this.dies.die(off);
    if (!d) throw new DwarfError(`.debug_info at offset 0x${off.toString(16)}: a type reference to a null entry`);
    const name = d.attrs.get(AT.name);
    const nm = typeof name === 'string' ? name : undefined;
    const size = num(d.attrs.get(AT.byte_size));
    switch (d.tag) {
      case TAG.base_type: return { kind: 'base', name: nm ?? '?', size: size ?? 0, encoding: num(d.attrs.get(AT.encoding)) ?? 0 };
      case TAG.pointer_type: case TAG.reference_type: {
        // The pointer is cached before its target: a struct pointing to itself is no cycle.
        const p = { kind: 'pointer' as const, size: size ?? d.unit.ctx.addressSize, target: VOID };
        this.types.set(off, p);
        (p as { target: CType }).target = this.typeOf(d);
        return p;
      }
      case TAG.structure_type: case TAG.union_type: {
        const s = { kind: d.tag === TAG.structure_type ? 'struct' as const : 'union' as const, name: nm, size: size ?? 0, members: [] as Member[], incomplete: d.attrs.has(AT.declaration), die: off };
        this.types.set(off, s);
        for (const c of this.dies.childrenOf(d)) {
          if (c.tag !== TAG.member) continue;
          const mn = c.attrs.get(AT.name);
          const mtype = this.typeOf(c);
          const bitSize = num(c.attrs.get(AT.bit_size));
          let offset = num(c.attrs.get(AT.data_member_location)) ?? 0;
          let bitOffset: number | undefined;
          if (bitSize !== undefined) {
            // The shift from the least significant bit of the member type's container, read in target byte order.
            const unit = (sizeOf(mtype) || 4) * 8;
            const dbo = num(c.attrs.get(AT.data_bit_offset));
            const bo = num(c.attrs.get(AT.bit_offset));
            if (dbo !== undefined) {
              offset = Math.floor(dbo / unit) * (unit / 8);
              bitOffset = this.little ? dbo % unit : unit - (dbo % unit) - bitSize;
            } else if (bo !== undefined) {
              bitOffset = (num(c.attrs.get(AT.byte_size)) ?? unit / 8) * 8 - bo - bitSize;
            } else bitOffset = 0;
            if (bitOffset < 0 || bitOffset + bitSize > 64) throw new DwarfError(`.debug_info at offset 0x${c.offset.toString(16)}: a bit field outside its container`);
          }
          s.members.push({ name: typeof mn === 'string' ? mn : undefined, offset, type: mtype, ...(bitSize !== undefined ? { bitSize, bitOffset } : {}) });
        }
        return s;
      }
      case TAG.array_type: {
        const dims: Array<number | undefined> = [];
        for (const c of this.dies.childrenOf(d)) {
          if (c.tag !== TAG.subrange_type) continue;
          const count = num(c.attrs.get(AT.count));
          const ub = c.attrs.get(AT.upper_bound);
          dims.push(count ?? (typeof ub === 'bigint' && ub < 0xffffffffn ? Number(ub) + 1 : undefined));
        }
        let t = this.typeOf(d);
        for (let i = Math.max(dims.length, 1) - 1; i >= 0; i--) t = { kind: 'array', element: t, count: dims[i] };
        return t;
      }
      case TAG.typedef: return { kind: 'typedef', name: nm ?? '?', target: this.typeOf(d) };
      case TAG.const_type: return { kind: 'qualified', qualifier: 'const', target: this.typeOf(d) };
      case TAG.volatile_type: return { kind: 'qualified', qualifier: 'volatile', target: this.typeOf(d) };
      case TAG.restrict_type: return { kind: 'qualified', qualifier: 'restrict', target: this.typeOf(d) };
      case TAG.atomic_type: return { kind: 'qualified', qualifier: '_Atomic', target: this.typeOf(d) };
      case TAG.enumeration_type: {
        const values = new Map<bigint, string>();
        for (const c of this.dies.childrenOf(d)) {
          const v = c.attrs.get(AT.const_value), n = c.attrs.get(AT.name);
          if (c.tag === TAG.enumerator && typeof v === 'bigint' && typeof n === 'string' && !values.has(v)) values.set(v, n);
        }
        return { kind: 'enum', name: nm, size: size ?? 4, values };
      }
      case TAG.subroutine_type: case TAG.subprogram: return { kind: 'function', name: nm };
      default: return { kind: 'base', name: nm ?? `<DWARF tag 0x${d.tag.toString(16)}>`, size: size ?? 0, encoding: 0 };
    }
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** The address of a DW_AT_location that is one DW_OP_addr. */
function locationAddr(v: unknown, addressSize: number, little: boolean): bigint | undefined {
  if (!(v instanceof Uint8Array) || v.length !== 1 + addressSize || v[0] !== DW_OP_addr) return undefined;
  let a = 0n;
  for (let i = 0; i < addressSize; i++) a |= BigInt(v[1 + (little ? i : addressSize - 1 - i)]!) << BigInt(8 * i);
  return addressSize === 4 ? BigInt.asUintN(64, BigInt.asIntN(32, a)) : a;
}
