// Scopes and variables of a stopped machine: Registers, CP0 (registers expandable into
// named fields), TLB (one child per entry, changed entries marked, RI/XI when PageGrain
// enables them), FPU (when the CPU has one) and Devices. Every 64-bit value is formatted from BigInt, never through a JS
// number; values that are RAM addresses carry a memoryReference.

import { Handles, Scope } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { getBig } from '../emulator/cpu/arith';
import { EXC_NAMES, ST_FR } from '../emulator/isa/cp0-defs';
import { CP0_REGS, cp0RegsOf, Cp0Field, Cp0RegDef, fieldValue, pageMaskSize, readCp0, sizeText } from '../emulator/debug/cp0-fields';
import { MachineDebugger } from '../emulator/debug/debugger';
import { entryLoInhibits, inhibitFields } from '../emulator/debug/machine-info';
import { assign, evaluate, EvalError, hex64, LValue } from '../emulator/debug/expr';
import { GPR_NAMES } from '../emulator/isa/registers';
import { children, evaluateTyped, formatTyped, hasChildren, NotTyped, TypedValue, typeName } from '../emulator/debug/typed-expr';
import { DwarfError } from '../emulator/loader/dwarf/error';
import { sizeOf } from '../emulator/loader/dwarf/types';
import type { Device } from '../emulator/devices/device';

/** A frame other than the CPU's innermost: its pc and registers as the unwinder recovered them. */
export interface FrameContext {
  readonly pc: bigint;
  readonly regs: ReadonlyArray<bigint | undefined>;
}

type Container =
  | { kind: 'registers'; frame?: FrameContext }
  | { kind: 'cp0' }
  | { kind: 'cp0reg'; def: Cp0RegDef }
  | { kind: 'tlb' }
  | { kind: 'tlbentry'; index: number }
  | { kind: 'fpu' }
  | { kind: 'fpr'; index: number }
  | { kind: 'fcsr' }
  | { kind: 'devices' }
  | { kind: 'device'; dev: Device }
  | { kind: 'timer' }
  | { kind: 'typed'; value: TypedValue };

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const hex = (v: bigint | number, digits: number): string => `0x${BigInt(v).toString(16).padStart(digits, '0')}`;

/** FCSR fields (MIPS64 FCSR layout). */
const FCSR_FIELDS: ReadonlyArray<[string, number, number]> = [
  ['FCC7', 31, 31], ['FCC6', 30, 30], ['FCC5', 29, 29], ['FCC4', 28, 28], ['FCC3', 27, 27], ['FCC2', 26, 26], ['FCC1', 25, 25],
  ['FS', 24, 24], ['FCC0', 23, 23], ['Cause', 17, 12], ['Enables', 11, 7], ['Flags', 6, 2], ['RM', 1, 0],
];
const RM = ['round to nearest', 'toward zero', 'toward +infinity', 'toward -infinity'];
const VZOUI = (v: number, withE: boolean): string => {
  const names = withE ? ['I', 'U', 'O', 'Z', 'V', 'E'] : ['I', 'U', 'O', 'Z', 'V'];
  const on = names.filter((_, i) => v & (1 << i));
  return on.length ? on.reverse().join(' ') : 'none';
};

export class VariableStore {
  private readonly handles = new Handles<Container>();

  constructor(private readonly dbg: MachineDebugger) {}

  /** Drops every variablesReference (after the machine ran or changed). */
  reset(): void {
    this.handles.reset();
  }

  /** The scopes of the innermost frame, or (`frame`) of an outer frame or another task's: its own registers, the machine's CP0, TLB, FPU and devices. */
  scopes(frame?: FrameContext): DebugProtocol.Scope[] {
    const s = (name: string, c: Container, expensive = false): DebugProtocol.Scope => new Scope(name, this.handles.create(c), expensive);
    const out = [
      { ...s('Registers', frame ? { kind: 'registers', frame } : { kind: 'registers' }), presentationHint: 'registers' },
      s('CP0', { kind: 'cp0' }),
      s('TLB', { kind: 'tlb' }),
    ];
    if (this.dbg.cpu.fpu) out.push(s('FPU', { kind: 'fpu' }));
    out.push(s('Devices', { kind: 'devices' }));
    return out;
  }

  variables(ref: number): DebugProtocol.Variable[] {
    const c = this.handles.get(ref);
    if (!c) return [];
    switch (c.kind) {
      case 'registers': return c.frame ? this.frameRegisters(c.frame) : this.registers();
      case 'cp0': return cp0RegsOf(this.dbg.cpu).map((d) => this.cp0Reg(d));
      case 'cp0reg': return this.cp0Fields(c.def);
      case 'tlb': return this.tlb();
      case 'tlbentry': return this.tlbEntry(c.index);
      case 'fpu': return this.fpu();
      case 'fpr': return this.fpr(c.index);
      case 'fcsr': return this.fcsr();
      case 'devices': return this.devices();
      case 'device': return this.device(c.dev);
      case 'timer': return this.timer();
      case 'typed': return this.typedChildren(c.value);
    }
  }

  // ---- typed values (DWARF) ----------------------------------------------------------------------

  /**
   * A typed C expression (a global variable, `current`, casts, members): its text, type and
   * a reference to expand it; undefined when the expression is not one (no DWARF names in it).
   */
  evaluateTyped(expression: string): { result: string; type: string; variablesReference: number; memoryReference?: string } | undefined {
    const ctx = this.dbg.ctx;
    let v: TypedValue;
    try {
      v = evaluateTyped(expression, ctx);
    } catch (e) {
      if (e instanceof NotTyped) return undefined;
      if (e instanceof DwarfError) throw new EvalError(`the debugging information cannot be read: ${e.message}`);
      throw e;
    }
    return this.typedBody(v);
  }

  private typedBody(v: TypedValue): { result: string; type: string; variablesReference: number; memoryReference?: string } {
    const ctx = this.dbg.ctx;
    try {
      return {
        result: formatTyped(v, ctx),
        type: typeName(v.type),
        variablesReference: hasChildren(v, ctx) ? this.handles.create({ kind: 'typed', value: v }) : 0,
        ...(v.addr !== undefined ? { memoryReference: hex64(v.addr) } : {}),
      };
    } catch (e) {
      if (e instanceof DwarfError) return { result: `<the debugging information cannot be read: ${e.message}>`, type: '?', variablesReference: 0 };
      throw e;
    }
  }

  /**
   * Where a typed value lives, for a data breakpoint: `name` is a child of the typed
   * container `ref`, or (no ref) a typed expression. Undefined when it is not typed or not
   * in memory (a bit field is watched through its container).
   */
  typedLocation(ref: number | undefined, name: string): { addr: bigint; size: number } | undefined {
    const ctx = this.dbg.ctx;
    try {
      let v: TypedValue | undefined;
      if (ref !== undefined) {
        const c = this.handles.get(ref);
        if (c?.kind !== 'typed') return undefined;
        v = children(c.value, ctx).find((x) => x.name === name)?.value;
      } else {
        v = evaluateTyped(name, ctx);
      }
      if (!v || v.addr === undefined) return undefined;
      const size = sizeOf(v.type);
      return { addr: v.addr, size: Math.max(1, Math.min(size || 8, 4096)) };
    } catch (e) {
      if (e instanceof NotTyped || e instanceof DwarfError || e instanceof EvalError) return undefined;
      throw e;
    }
  }

  private typedChildren(v: TypedValue): DebugProtocol.Variable[] {
    let list: Array<{ name: string; value: TypedValue }>;
    try {
      list = children(v, this.dbg.ctx);
    } catch (e) {
      if (e instanceof DwarfError || e instanceof EvalError) return [{ name: '(error)', value: e.message, variablesReference: 0 }];
      throw e;
    }
    return list.map((c) => {
      const b = this.typedBody(c.value);
      return { name: c.name, value: b.result, type: b.type, variablesReference: b.variablesReference, memoryReference: b.memoryReference };
    });
  }

  // ---- registers ---------------------------------------------------------------------------

  private registers(): DebugProtocol.Variable[] {
    const cpu = this.dbg.cpu;
    const out: DebugProtocol.Variable[] = [];
    for (let i = 0; i < 32; i++) out.push(this.value64(`$${GPR_NAMES[i]}`, U64(cpu.getGpr(i)), `$${GPR_NAMES[i]}`, i === 0));
    out.push(this.value64('pc', U64(cpu.pc), '$pc'));
    out.push(this.value64('hi', U64(getBig(cpu.r, 66)), '$hi'));
    out.push(this.value64('lo', U64(getBig(cpu.r, 64)), '$lo'));
    return out;
  }

  /** An outer frame's registers (read-only): those the unwinder does not know are `<not saved>`, as gdb says. */
  private frameRegisters(f: FrameContext): DebugProtocol.Variable[] {
    const out: DebugProtocol.Variable[] = [];
    for (let i = 0; i < 32; i++) {
      const v = i === 0 ? 0n : f.regs[i];
      const name = `$${GPR_NAMES[i]}`;
      out.push(v === undefined ? { name, value: '<not saved>', variablesReference: 0, presentationHint: { attributes: ['readOnly'] } } : this.value64(name, U64(v), '', true));
    }
    out.push(this.value64('pc', U64(f.pc), '', true));
    for (const v of out) if (v.evaluateName === '') delete v.evaluateName;
    return out;
  }

  /** A 64-bit value in hex, with a memory reference when it is a RAM address, and its symbol. */
  private value64(name: string, v: bigint, evaluateName: string, readOnly = false): DebugProtocol.Variable {
    const sym = this.dbg.symbols.describe(v);
    const isAddr = this.dbg.mem.ramOffset({ addr: v, phys: false }) >= 0 && v >= 0x1000n;
    return {
      name, value: `${hex64(v)}${sym && isAddr ? ` <${sym}>` : ''}`, variablesReference: 0, evaluateName,
      memoryReference: isAddr ? hex64(v) : undefined,
      presentationHint: readOnly ? { attributes: ['readOnly'] } : undefined,
    };
  }

  // ---- CP0 -------------------------------------------------------------------------------------

  private cp0Reg(def: Cp0RegDef): DebugProtocol.Variable {
    const cpu = this.dbg.cpu;
    const v = readCp0(cpu, def);
    const fields = def.fields(cpu);
    const summary = def.summary?.(v, cpu);
    const text = def.bits === 64 ? hex64(v) : hex(v, 8);
    const isAddr = def.bits === 64 && this.dbg.mem.ramOffset({ addr: v, phys: false }) >= 0 && v >= 0x1000n;
    const sym = def.bits === 64 && isAddr ? this.dbg.symbols.describe(v) : undefined;
    return {
      name: def.title,
      value: `${text}${summary ? ` (${summary})` : ''}${sym ? ` <${sym}>` : ''}`,
      variablesReference: fields.length ? this.handles.create({ kind: 'cp0reg', def }) : 0,
      evaluateName: `$cp0.${def.name}`,
      memoryReference: isAddr ? hex64(v) : undefined,
    };
  }

  private cp0Fields(def: Cp0RegDef): DebugProtocol.Variable[] {
    const cpu = this.dbg.cpu;
    const v = readCp0(cpu, def);
    return def.fields(cpu).map((fd) => this.field(def, fd, fieldValue(v, fd)));
  }

  private field(def: Cp0RegDef, fd: Cp0Field, x: bigint): DebugProtocol.Variable {
    let value = fd.width > 8 ? hex(x, Math.ceil(fd.width / 4)) : x.toString();
    const d = fd.describe?.(Number(x));
    if (d) value += ` (${d})`;
    return { name: fd.name, value, variablesReference: 0, evaluateName: `$cp0.${def.name}.${fd.name.toLowerCase()}` };
  }

  // ---- TLB ----------------------------------------------------------------------------------------

  private tlb(): DebugProtocol.Variable[] {
    const tlb = this.dbg.cpu.tlb;
    const out: DebugProtocol.Variable[] = [];
    for (let i = 0; i < tlb.size; i++) {
      const changed = this.dbg.tlbChanged(i);
      out.push({
        name: `[${i}]${changed ? ' *' : ''}`, value: `${this.tlbSummary(i)}${changed ? ' (changed)' : ''}`,
        variablesReference: this.handles.create({ kind: 'tlbentry', index: i }),
      });
    }
    return out;
  }

  /** VA→PA ranges of entry i: [even, odd] halves, undefined when invalid. */
  private tlbRanges(i: number): Array<{ va: bigint; pa: bigint; size: number; lo: number } | undefined> {
    const cpu = this.dbg.cpu;
    const e = cpu.tlb.read(i);
    const size = cpu.tlb.pageSize(i);
    const region = BigInt(e.hiHi >>> 30) << 62n;
    let base = region | (BigInt(e.hiHi & 0x3fffffff) << 32n) | BigInt((e.hiLo & ~0x1fff & ~(size * 2 - 1)) >>> 0);
    if ((e.hiHi >>> 30) === 3 && (e.hiHi & 0x3fffffff) === 2 ** (cpu.segBits - 32) - 1) base |= 0xffffffff00000000n;
    return [e.lo0, e.lo1].map((lo, odd) => {
      if (!(lo & 2)) return undefined;
      const pfnAddr = Math.floor(((Math.floor(lo / 64) % 2 ** 30) * 4096) / size) * size;
      return { va: U64(base + (odd ? BigInt(size) : 0n)), pa: BigInt(pfnAddr), size, lo };
    });
  }

  private tlbSummary(i: number): string {
    const e = this.dbg.cpu.tlb.read(i);
    const r = this.tlbRanges(i);
    if (!r[0] && !r[1]) return 'invalid';
    const g = (e.lo0 % 2) === 1 && (e.lo1 % 2) === 1;
    const size = this.dbg.cpu.tlb.pageSize(i);
    const parts = r.map((x) => (x ? `${hex64(x.va)}→${hex(x.pa, 9)}${x.lo & 4 ? '' : ' (read-only)'}${inhibitNote(this.dbg.cpu, x.lo)}` : '-'));
    return `${g ? 'global' : `ASID ${hex(e.hiLo & 0xff, 2)}`} ${sizeText(size)}: ${parts.join(', ')}`;
  }

  private tlbEntry(i: number): DebugProtocol.Variable[] {
    const cpu = this.dbg.cpu;
    const e = cpu.tlb.read(i);
    const size = cpu.tlb.pageSize(i);
    const g = (e.lo0 % 2) === 1 && (e.lo1 % 2) === 1;
    const v = (name: string, value: string, memoryReference?: string): DebugProtocol.Variable => ({ name, value, variablesReference: 0, memoryReference });
    const vpn2 = (BigInt(e.hiHi & 0x3fffffff) << 32n) | BigInt((e.hiLo & ~0x1fff) >>> 0);
    const out = [
      v('VPN2', hex(vpn2 >> 13n, 8)),
      v('R', `${e.hiHi >>> 30}`),
      v('ASID', hex(e.hiLo & 0xff, 2)),
      v('G', g ? '1' : '0'),
      v('PageMask', `${hex(e.pageMask, 8)} (${sizeText(pageMaskSize(e.pageMask))} pages)`),
    ];
    const r = this.tlbRanges(i);
    [e.lo0, e.lo1].forEach((lo, k) => {
      const pfn = Math.floor(lo / 64) % 2 ** 30;
      out.push(v(`PFN${k}`, `${hex(pfn, 7)} (C=${(lo >>> 3) & 7} D=${(lo >>> 2) & 1} V=${(lo >>> 1) & 1}${inhibitFields(cpu, lo)})`));
      const x = r[k];
      out.push(v(k === 0 ? 'even page' : 'odd page', x
        ? `${hex64(x.va)}-${hex64(x.va + BigInt(x.size) - 1n)} → ${hex(x.pa, 9)}-${hex(x.pa + BigInt(x.size) - 1n, 9)}`
        : 'invalid (V=0)', x ? hex64(x.va) : undefined));
    });
    out.push(v('page size', sizeText(size)));
    return out;
  }

  // ---- FPU ------------------------------------------------------------------------------------------

  private fpu(): DebugProtocol.Variable[] {
    const fpu = this.dbg.cpu.fpu!;
    const out: DebugProtocol.Variable[] = [];
    for (let i = 0; i < 32; i++) {
      const raw = U64(getBig(fpu.f, i * 2));
      out.push({ name: `$f${i}`, value: `${hex64(raw)} (s ${single(fpu.f[i * 2])}, d ${this.double(i)})`, variablesReference: this.handles.create({ kind: 'fpr', index: i }), evaluateName: `$f${i}` });
    }
    out.push({ name: 'FCSR', value: hex(fpu.fcsr >>> 0, 8), variablesReference: this.handles.create({ kind: 'fcsr' }), evaluateName: '$fcsr' });
    out.push({ name: 'Status.FR', value: this.fr() ? '1 (32 64-bit registers)' : '0 (doubles in even/odd pairs)', variablesReference: 0, evaluateName: '$cp0.status.fr' });
    return out;
  }

  /** Status.FR (the FPU's own copy is refreshed only when an FPU instruction runs). */
  private fr(): boolean {
    return (this.dbg.cpu.c0.status & ST_FR) !== 0;
  }

  /** The double in FPR i (FR=1), or in the even/odd pair (FR=0, even i). */
  private double(i: number): string {
    const fpu = this.dbg.cpu.fpu!;
    let lo: number, hi: number;
    if (this.fr()) { lo = fpu.f[i * 2]; hi = fpu.f[i * 2 + 1]; } else {
      if (i & 1) return '-';
      lo = fpu.f[i * 2]; hi = fpu.f[(i + 1) * 2];
    }
    const dv = new DataView(new ArrayBuffer(8));
    dv.setInt32(0, lo, true); dv.setInt32(4, hi, true);
    return String(dv.getFloat64(0, true));
  }

  private fpr(i: number): DebugProtocol.Variable[] {
    const fpu = this.dbg.cpu.fpu!;
    const raw = U64(getBig(fpu.f, i * 2));
    return [
      { name: 'raw', value: hex64(raw), variablesReference: 0, evaluateName: `$f${i}` },
      { name: 'single', value: single(fpu.f[i * 2]), variablesReference: 0 },
      { name: 'double', value: this.double(i), variablesReference: 0 },
      { name: 'word', value: `${fpu.f[i * 2]}`, variablesReference: 0 },
      { name: 'long', value: `${BigInt.asIntN(64, raw)}`, variablesReference: 0 },
    ];
  }

  private fcsr(): DebugProtocol.Variable[] {
    const v = this.dbg.cpu.fpu!.fcsr >>> 0;
    return FCSR_FIELDS.map(([name, msb, lsb]) => {
      const x = Math.floor(v / 2 ** lsb) % 2 ** (msb - lsb + 1);
      let value = String(x);
      if (name === 'RM') value += ` (${RM[x]})`;
      if (name === 'Cause') value = `${hex(x, 2)} (${VZOUI(x, true)})`;
      if (name === 'Enables' || name === 'Flags') value = `${hex(x, 2)} (${VZOUI(x, false)})`;
      return { name, value, variablesReference: 0 };
    });
  }

  // ---- devices ----------------------------------------------------------------------------------------

  private devices(): DebugProtocol.Variable[] {
    const m = this.dbg.machine;
    const out: DebugProtocol.Variable[] = [
      { name: 'timer', value: `Count ${hex(Number(readCp0(this.dbg.cpu, CP0_REGS.find((d) => d.name === 'count')!)), 8)}, Compare ${hex(this.dbg.cpu.c0.compare >>> 0, 8)}`, variablesReference: this.handles.create({ kind: 'timer' }) },
    ];
    for (const dev of m.board.devices) {
      out.push({ name: dev.name, value: dev.stateSpec.name, variablesReference: this.handles.create({ kind: 'device', dev }) });
    }
    out.push({ name: 'instructions', value: String(m.cpu.icount), variablesReference: 0 });
    out.push({ name: 'virtual time', value: `${(m.now() / 1e6).toFixed(3)} ms`, variablesReference: 0 });
    return out;
  }

  private timer(): DebugProtocol.Variable[] {
    const cpu = this.dbg.cpu;
    const count = Number(readCp0(cpu, CP0_REGS.find((d) => d.name === 'count')!));
    const cmp = cpu.c0.compare >>> 0;
    const ti = (cpu.c0.cause >>> 30) & 1;
    const next = cpu.timerIcount === Infinity ? 'never' : `${cpu.timerIcount - cpu.icount} instructions`;
    return [
      { name: 'Count', value: `${hex(count, 8)} (${count})`, variablesReference: 0, evaluateName: '$cp0.count' },
      { name: 'Compare', value: `${hex(cmp, 8)} (${cmp})`, variablesReference: 0, evaluateName: '$cp0.compare' },
      { name: 'Cause.TI', value: String(ti), variablesReference: 0, evaluateName: '$cp0.cause.ti' },
      { name: 'next match', value: next, variablesReference: 0 },
      { name: 'Cause.IP', value: hex((cpu.c0.cause >>> 8) & 0xff, 2), variablesReference: 0, evaluateName: '$cp0.cause.ip' },
      { name: 'Status.IM', value: hex((cpu.c0.status >>> 8) & 0xff, 2), variablesReference: 0, evaluateName: '$cp0.status.im' },
    ];
  }

  private device(dev: Device): DebugProtocol.Variable[] {
    const state = dev.state as Record<string, unknown>;
    const out: DebugProtocol.Variable[] = [];
    for (const [name, type] of Object.entries(dev.stateSpec.fields)) {
      out.push({ name, value: formatState(state[name], String(type)), variablesReference: 0 });
    }
    return out;
  }

  // ---- editing ----------------------------------------------------------------------------------------

  /** setVariable: container + name → the lvalue, then assigns the evaluated value. Returns the new display value. */
  set(ref: number, name: string, valueText: string): DebugProtocol.Variable {
    const c = this.handles.get(ref);
    if (!c) throw new EvalError('this variable no longer exists');
    let lv: LValue | undefined;
    let refresh: () => DebugProtocol.Variable | undefined = () => undefined;
    switch (c.kind) {
      case 'registers': {
        if (c.frame) throw new EvalError('an outer frame\'s registers are read-only here: select the top frame to change the CPU\'s');
        const expr = name.startsWith('$') ? name : `$${name}`;
        lv = evaluate(expr, this.dbg.ctx).lvalue;
        refresh = () => this.registers().find((v) => v.name === name);
        break;
      }
      case 'cp0': {
        const def = cp0RegsOf(this.dbg.cpu).find((d) => d.title === name);
        if (def) { lv = { kind: 'cp0', def }; refresh = () => this.cp0Reg(def); }
        break;
      }
      case 'cp0reg': {
        const fd = c.def.fields(this.dbg.cpu).find((f) => f.name === name);
        if (fd) {
          lv = { kind: 'cp0', def: c.def, field: fd };
          refresh = () => this.cp0Fields(c.def).find((v) => v.name === name);
        }
        break;
      }
      case 'fpu':
        if (/^\$f\d+$/.test(name) || name === 'FCSR') {
          lv = evaluate(name === 'FCSR' ? '$fcsr' : name, this.dbg.ctx).lvalue;
          refresh = () => this.fpu().find((v) => v.name === name);
        }
        break;
      default: break;
    }
    if (!lv) throw new EvalError(`'${name}' cannot be changed`);
    const v = evaluate(valueText, this.dbg.ctx).v;
    assign(lv, v, this.dbg.ctx);
    return refresh() ?? { name, value: hex64(v), variablesReference: 0 };
  }
}

function single(bits: number): string {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setInt32(0, bits, true);
  return String(dv.getFloat32(0, true));
}

function formatState(v: unknown, type: string): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return hex64(v);
  if (typeof v === 'number') {
    if (type === 'f64' && !Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    const digits = type === 'u8' ? 2 : type === 'u16' ? 4 : 8;
    return v >= 0 ? `${hex(v, digits)} (${v})` : String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const arr = Array.from(v as ArrayLike<number>);
    const shown = arr.slice(0, 32).map((x) => (typeof x === 'number' ? x.toString(16).padStart(2, '0') : String(x))).join(' ');
    return `[${arr.length}] ${shown}${arr.length > 32 ? ' …' : ''}`;
  }
  return String(v);
}

export { EXC_NAMES };

/** " (no read)", " (no execute)" or " (no read, no execute)" for a page whose RI/XI bits PageGrain enables and sets. */
function inhibitNote(cpu: MachineDebugger['cpu'], lo: number): string {
  const b = entryLoInhibits(cpu, lo);
  const no = [b?.ri ? 'no read' : '', b?.xi ? 'no execute' : ''].filter((x) => x);
  return no.length ? ` (${no.join(', ')})` : '';
}
