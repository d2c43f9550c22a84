// Debug Console commands (evaluate with context "repl") besides plain expressions:
//
//   info tlb | info cp0 | info registers | info symbol ADDR
//   x/NFU ADDR        examine memory (gdb style: F = x d u c s i, U = b h w g)
//   v2p ADDR          virtual → physical (side-effect free, TLB entry used)
//   pt ADDR           the same through the guest's page table (not the TLB)
//   p2v ADDR          physical → the virtual addresses that reach it
//   goto ADDR         move the PC
//   dmesg [N]         the kernel log (DWARF of the kernel needed)
//   ps | tasks        Linux tasks; `bt PID` a task's kernel stack; lsmod
//   LVALUE = EXPR     assignment to a register, CP0 register/field or memory
//   help

import { getBig } from '../emulator/cpu/arith';
import { MachineDebugger } from '../emulator/debug/debugger';
import { assign, evaluate, EvalError, hex64 } from '../emulator/debug/expr';
import { GPR_NAMES } from '../emulator/isa/registers';
import { Disassembler } from '../emulator/isa/disassembler';
import type { CpuModelName } from '../emulator/isa/decoder';
import { cp0Table, tlbTable, translationText } from '../emulator/debug/machine-info';
import { linuxDmesg, linuxModules, linuxTasks, linuxTypesAvailable } from '../emulator/debug/linux';
import { frameLabel } from '../emulator/debug/unwind';
import { KALLSYMS_ONLY } from '../emulator/debug/kernel-symbols';

export const HELP = [
  'Expressions: $a0 $sp $pc $hi $lo $f0 $fcsr, $cp0.status, $cp0.status.exl, symbols (their address),',
  '  *(u64*)ADDR *(s32*)($sp+8) (u32)x, phys:ADDR, C operators; LVALUE = EXPR assigns.',
  'Commands:',
  '  info tlb            valid TLB entries',
  '  info cp0            CP0 registers',
  '  info registers      general-purpose registers',
  '  info symbol ADDR    symbol containing ADDR',
  '  x/NFU ADDR          examine memory: N count, F format x|d|u|c|s|i, U size b|h|w|g (e.g. x/16gx $sp, x/8i $pc)',
  '  v2p ADDR            translate a virtual address (no side effects)',
  '  pt ADDR             translate it through the guest\'s page table, not the TLB (its kernel\'s DWARF layout, or its TLB refill handler)',
  '  p2v ADDR            virtual addresses that map a physical address',
  '  goto ADDR           move the PC (also: $pc = ADDR)',
  'With the kernel\'s DWARF (its unstripped vmlinux in "symbols"): C expressions such as jiffies,',
  '  init_task.comm, *current, ((struct task_struct *)$a0)->pid, and',
  '  dmesg [N]           the last N lines of the kernel log (default 50)',
  '  ps                  the tasks: pid, state, comm, where each sleeps',
  '  bt PID              a task\'s kernel stack (from its saved switch context)',
  '  lsmod               the loaded modules (name, core base and size)',
].join('\n');

export interface ConsoleResult {
  text: string;
  /** Memory reference for the result (address-valued expressions). */
  memoryReference?: string;
  /** The command changed machine state (registers/memory): views must refresh. */
  changed?: boolean;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export class ConsoleCommands {
  private readonly dis: Disassembler;

  constructor(private readonly dbg: MachineDebugger) {
    this.dis = new Disassembler({ model: dbg.cpu.model.isa as CpuModelName, symbolize: (a) => this.symbolize(a) });
  }

  private symbolize(a: bigint): string {
    const s = this.dbg.symbols.describe(a);
    return s ? ` <${s}>` : '';
  }

  /** Runs a console command; undefined when the text is not a command (evaluate it as an expression). */
  run(text: string): ConsoleResult | undefined {
    const t = text.trim();
    if (t === 'help' || t === '?') return { text: HELP };
    let m = /^info\s+(\w+)\s*(.*)$/.exec(t);
    if (m) return this.info(m[1], m[2]);
    m = /^x(?:\/(\d*)([a-z]*))?\s+(.+)$/.exec(t);
    if (m) {
      // gdb accepts the format and unit letters in either order (x/4gx, x/4xg).
      let fmt = 'x', unit = '';
      for (const ch of m[2] ?? '') {
        if ('bhwg'.includes(ch)) unit = ch;
        else if ('xducsi'.includes(ch)) fmt = ch;
        else throw new EvalError(`unknown x/ letter '${ch}' (formats x d u c s i, sizes b h w g)`);
      }
      return this.examine(m[1] ? Number(m[1]) : 1, fmt, unit || (fmt === 'i' ? 'w' : 'g'), m[3]);
    }
    m = /^(goto|jump)\s+(.+)$/.exec(t);
    if (m) {
      const a = this.addrOf(m[2]);
      this.dbg.setPc(a);
      return { text: `PC = ${this.dbg.addr(a)}`, changed: true };
    }
    m = /^dmesg(?:\s+(\d+))?$/.exec(t);
    if (m) return this.dmesg(m[1] ? Number(m[1]) : 50);
    if (t === 'ps' || t === 'tasks') return this.ps();
    if (t === 'lsmod') return this.lsmod();
    m = /^bt\s+(\d+)$/.exec(t);
    if (m) return this.bt(Number(m[1]));
    m = /^pt\s+(.+)$/.exec(t);
    if (m) return this.pageTable(m[1]!);
    m = /^(v2p|p2v)\s+(.+)$/.exec(t);
    if (m) return m[1] === 'v2p' ? this.v2p(m[2]) : this.p2v(m[2]);
    m = /^(.+?)\s*(?<![=!<>])=(?!=)\s*(.+)$/.exec(t);
    if (m) {
      const lhs = evaluate(m[1], this.dbg.ctx);
      if (!lhs.lvalue) throw new EvalError(`'${m[1].trim()}' cannot be assigned (not a register, CP0 register or memory)`);
      const v = evaluate(m[2], this.dbg.ctx).v;
      assign(lhs.lvalue, v, this.dbg.ctx);
      return { text: `${m[1].trim()} = ${hex64(evaluate(m[1], this.dbg.ctx).v)}`, changed: true };
    }
    return undefined;
  }

  // ---- Linux (the kernel's DWARF types) ----------------------------------------------------------

  private linux(): void {
    if (!linuxTypesAvailable(this.dbg.ctx)) {
      const why = this.dbg.symbols.missingHint === KALLSYMS_ONLY ? KALLSYMS_ONLY : 'no kernel types are loaded: give the kernel\'s unstripped vmlinux in "symbols" (for Debian\'s guest: MIPS64: Fetch Kernel Debug Symbols)';
      throw new EvalError(`this needs the kernel's DWARF types: ${why}`);
    }
  }

  private dmesg(n: number): ConsoleResult {
    this.linux();
    const r = linuxDmesg(this.dbg.ctx, Math.max(1, Math.min(n, 10_000)));
    return { text: [...r.lines, ...(r.note ? [`(${r.note})`] : [])].join('\n') || '(the kernel log is empty)' };
  }

  private ps(): ConsoleResult {
    this.linux();
    const { tasks, note } = linuxTasks(this.dbg.ctx);
    const rows = ['  PID S COMM             TASK               WHERE'];
    for (const t of tasks) {
      const where = frameLabel(this.dbg.symbols, { pc: t.saved.pc, sp: t.saved.regs[29] ?? 0n, funcStart: undefined, kind: 'normal', returnAddress: true }) ?? hex64(t.saved.pc);
      rows.push(`${String(t.pid).padStart(5)} ${t.state} ${t.comm.padEnd(16)} ${hex64(t.addr)} ${where}`);
    }
    if (note) rows.push(`(${note})`);
    return { text: rows.join('\n') };
  }

  private lsmod(): ConsoleResult {
    this.linux();
    const { modules, note } = linuxModules(this.dbg.ctx);
    const rows = modules.length ? ['MODULE                   BASE               SIZE'] : ['(no modules loaded)'];
    for (const m of modules) rows.push(`${m.name.padEnd(24)} ${m.base !== undefined ? hex64(m.base) : '?'.padEnd(18)} ${m.size ?? '?'}`);
    if (note) rows.push(`(${note})`);
    return { text: rows.join('\n') };
  }

  private bt(pid: number): ConsoleResult {
    this.linux();
    const task = linuxTasks(this.dbg.ctx).tasks.find((t) => t.pid === pid);
    if (!task) throw new EvalError(`no task with pid ${pid}`);
    const frames = this.dbg.unwinder.unwind(64, task.saved);
    return { text: frames.map((f, i) => `#${i} ${hex64(f.pc)} ${frameLabel(this.dbg.symbols, f) ?? ''}`.trimEnd()).join('\n') };
  }

  private addrOf(expr: string): bigint {
    return U64(evaluate(expr, this.dbg.ctx).v);
  }

  private info(what: string, arg: string): ConsoleResult {
    switch (what) {
      case 'tlb': return { text: tlbTable(this.dbg.cpu) };
      case 'cp0': return { text: cp0Table(this.dbg.cpu) };
      case 'registers': case 'reg': case 'r': {
        const cpu = this.dbg.cpu;
        const rows: string[] = [];
        for (let i = 0; i < 32; i += 2) {
          rows.push(`${`$${GPR_NAMES[i]}`.padEnd(6)} ${hex64(cpu.getGpr(i))}   ${`$${GPR_NAMES[i + 1]}`.padEnd(6)} ${hex64(cpu.getGpr(i + 1))}`);
        }
        rows.push(`pc     ${hex64(cpu.pc)}   hi     ${hex64(getBig(cpu.r, 66))}   lo     ${hex64(getBig(cpu.r, 64))}`);
        return { text: rows.join('\n') };
      }
      case 'symbol': {
        const a = this.addrOf(arg);
        const s = this.dbg.symbols.describe(a);
        return { text: s ? `${hex64(a)} is ${s}` : `no symbol matches ${hex64(a)}` };
      }
      default: throw new EvalError(`unknown info command '${what}' (info tlb, info cp0, info registers, info symbol ADDR)`);
    }
  }

  private examine(count: number, fmt: string, unit: string, expr: string): ConsoleResult {
    if (count < 1 || count > 4096) throw new EvalError('count must be 1..4096');
    let phys = false;
    let e = expr.trim();
    if (/^phys:/i.test(e)) { phys = true; e = e.slice(5); }
    const val = evaluate(e, this.dbg.ctx);
    const start = U64(val.v);
    phys = phys || (val.phys ?? false);
    const label = (a: bigint): string => {
      const s = phys ? undefined : this.dbg.symbols.describe(a);
      return `${phys ? 'phys:' : ''}${hex64(a)}${s ? ` <${s}>` : ''}:`;
    };
    const rows: string[] = [];
    if (fmt === 'i') {
      for (let k = 0; k < count; k++) {
        const a = U64(start + BigInt(k * 4));
        const w = phys ? this.dbg.mem.readUnsigned({ addr: a, phys: true }, 4) : this.dbg.mem.readUnsigned({ addr: a, phys: false }, 4);
        rows.push(`${label(a)}\t${w === undefined ? '<unreadable>' : `${w.toString(16).padStart(8, '0')}\t${this.dis.text(Number(w) | 0, a)}`}`);
      }
      return { text: rows.join('\n') };
    }
    if (fmt === 's') {
      let a = start;
      for (let k = 0; k < count; k++) {
        const bytes = this.dbg.mem.read({ addr: a, phys }, 4096);
        let s = '';
        let n = 0;
        for (; n < bytes.length && bytes[n] !== undefined && bytes[n] !== 0; n++) s += String.fromCharCode(bytes[n]!);
        rows.push(`${label(a)}\t${JSON.stringify(s)}${bytes[n] === undefined && n < bytes.length ? ' <unreadable>' : ''}`);
        a = U64(a + BigInt(n + 1));
      }
      return { text: rows.join('\n') };
    }
    const size = { b: 1, h: 2, w: 4, g: 8 }[unit as 'b' | 'h' | 'w' | 'g'];
    const perRow = size === 8 ? 2 : size === 4 ? 4 : 8;
    for (let k = 0; k < count; k += perRow) {
      const a0 = U64(start + BigInt(k * size));
      const cells: string[] = [];
      for (let j = k; j < Math.min(count, k + perRow); j++) {
        const v = this.dbg.mem.readUnsigned({ addr: U64(start + BigInt(j * size)), phys }, size);
        if (v === undefined) { cells.push('<unreadable>'); continue; }
        switch (fmt) {
          case 'd': cells.push(BigInt.asIntN(size * 8, v).toString()); break;
          case 'u': cells.push(v.toString()); break;
          case 'c': cells.push(JSON.stringify(String.fromCharCode(Number(v & 0xffn)))); break;
          default: cells.push(`0x${v.toString(16).padStart(size * 2, '0')}`);
        }
      }
      rows.push(`${label(a0)}\t${cells.join('\t')}`);
    }
    return { text: rows.join('\n'), memoryReference: `${phys ? 'phys:' : ''}${hex64(start)}` };
  }

  private pageTable(expr: string): ConsoleResult {
    const va = this.addrOf(expr);
    const w = this.dbg.mem.pageWalk(va);
    if (w === undefined) return { text: `${hex64(va)}: not mapped in the guest's page table (or not a mapped kernel/user address)` };
    const via = w.via === 'page table' ? 'the guest kernel\'s page table' : 'the guest\'s TLB refill handler, interpreted';
    return { text: `${hex64(va)} → phys 0x${w.pa.toString(16)} (${via})`, memoryReference: `phys:0x${w.pa.toString(16)}` };
  }

  private v2p(expr: string): ConsoleResult {
    const t = translationText(this.dbg.mem, this.dbg.machine.bus, this.addrOf(expr));
    return t.pa === undefined ? { text: t.text } : { text: t.text, memoryReference: `phys:0x${t.pa.toString(16)}` };
  }

  private p2v(expr: string): ConsoleResult {
    const e = expr.trim().replace(/^phys:/i, '');
    const pa = this.addrOf(e);
    if (pa >= 2n ** 53n) throw new EvalError('physical address out of range');
    const list = this.dbg.mem.p2v(Number(pa));
    return { text: [`phys 0x${pa.toString(16)} is reached at:`, ...list.map((x) => `  ${hex64(x.va)}  (${x.via})`)].join('\n') };
  }
}
