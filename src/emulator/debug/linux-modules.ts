// Symbols of the Linux kernel's loaded modules, read from each module's own kallsyms in
// guest memory (struct module's `kallsyms`: its Elf64_Sym table and string table, the
// init symbols included while the module initialises) through the kernel's DWARF types.
// They join the debugger's symbols as source `module:NAME`, so stacks, disassembly and
// function breakpoints name module code. Internal breakpoints on do_init_module (the
// module is formed, its init about to run) and free_module (about to go) keep them current,
// and each stop refreshes them; `onChange` then tells the front end (breakpoints resolve
// again). Module memory is vmalloc'ed: reads the TLB cannot translate go through the
// kernel's page table, and user addresses through the current task's (kernel-pages.ts) —
// a user stack unwound at a stop needs no TLB entry. A corrupted list or symbol table is a note.

import { SymbolEntry, SymbolTable } from '../loader/symbols';
import type { MachineDebugger } from './debugger';
import { EvalError } from './expr';
import { DwarfError } from '../loader/dwarf/error';
import { resolved, sizeOf } from '../loader/dwarf/types';
import { KernelPageLayout, kernelPageLayout, walkKernelPage, walkUserPage } from './kernel-pages';
import { linuxModules, linuxTypesAvailable, LinuxModule } from './linux';
import { evaluateTyped, NotTyped, scalar } from './typed-expr';

export const MODULE_SOURCE = 'module:';
const SYM_SIZE = 24; // Elf64_Sym
const MAX_SYMBOLS = 200_000;
const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2;
const ALIASES = new Set(['init_module', 'cleanup_module']);
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const hex = (v: bigint): string => `0x${U64(v).toString(16)}`;

interface Known { readonly key: string; readonly count: number }

export class ModuleSymbols {
  private readonly known = new Map<string, Known>();
  private hooks: bigint[] = [];
  private layout: KernelPageLayout | string | undefined;
  /** The module free_module is freeing (left out of the refresh it triggers). */
  private going: bigint | undefined;
  private readonly offReset: () => void;
  private inUserPgd = false;

  constructor(private readonly dbg: MachineDebugger, private readonly onChange: (text: string) => void) {
    dbg.mem.kernelPages = (va) => this.walk(va);
    // A reset boots again: no module is loaded until the kernel loads it.
    this.offReset = dbg.machine.events.on('reset', () => this.forget());
  }

  private forget(): void {
    for (const source of this.known.keys()) this.dbg.symbols.remove(source);
    this.known.clear();
    this.layout = undefined;
  }

  /** Why module memory cannot be read past the TLB, if it cannot (undefined: it can, or not tried yet). */
  get pageTableNote(): string | undefined {
    return typeof this.layout === 'string' ? this.layout : undefined;
  }

  private walk(va: bigint): number | undefined {
    if (!this.dbg.types.available) return undefined;
    this.layout ??= kernelPageLayout(this.dbg.types);
    if (typeof this.layout === 'string') return undefined;
    const read64 = (p: bigint): bigint | undefined => this.dbg.mem.readUnsigned({ addr: p, phys: true }, 8);
    let pa: bigint | undefined;
    if (U64(va) >> 62n === 0n) {
      if (this.inUserPgd) return undefined; // the task's pointers lead into user space: corrupt
      this.inUserPgd = true;
      let pgd: bigint | undefined;
      try { pgd = this.userPgd(); } finally { this.inUserPgd = false; }
      pa = pgd === undefined ? undefined : walkUserPage(this.layout, pgd, va, read64);
    } else pa = walkKernelPage(this.layout, va, read64);
    return pa === undefined || pa >= 2n ** 53n ? undefined : Number(pa);
  }

  /**
   * The page table of the task on the CPU: its thread_info is at the base of the kernel stack
   * that kernelsp[0] (set at every context switch) points into — valid in user mode and in
   * exception vectors too, where $gp is not the kernel's yet.
   */
  private userPgd(): bigint | undefined {
    const ctx = this.dbg.ctx;
    try {
      const union = ctx.types.namedType('union thread_union');
      const size = union ? BigInt(sizeOf(resolved(union))) : 0n;
      if (size === 0n || (size & (size - 1n)) !== 0n) return undefined;
      const sp = scalar(evaluateTyped('kernelsp[0]', ctx), ctx);
      const ti = U64(sp - 1n) & ~(size - 1n);
      const pgd = scalar(evaluateTyped(`(unsigned long)((struct thread_info *)${hex(ti)})->task->active_mm->pgd`, ctx), ctx);
      return pgd === 0n ? undefined : pgd;
    } catch (e) {
      if (!(e instanceof EvalError) && !(e instanceof NotTyped) && !(e instanceof DwarfError)) throw e;
      return undefined;
    }
  }

  /** Removes the hooks (the session ends; the machine may run on). */
  dispose(): void {
    for (const a of this.hooks) this.dbg.setInternalBreakpoint(a, undefined);
    this.hooks = [];
    this.dbg.mem.kernelPages = undefined;
    this.offReset();
  }

  /**
   * The kernel's symbols and types are placed (or moved): hooks module loading and
   * unloading at the kernel's functions, and reads the modules loaded already.
   */
  arm(): void {
    for (const a of this.hooks) this.dbg.setInternalBreakpoint(a, undefined);
    this.hooks = [];
    this.layout = undefined;
    if (!linuxTypesAvailable(this.dbg.ctx)) return;
    const init = this.dbg.symbols.byName('do_init_module'), free = this.dbg.symbols.byName('free_module');
    if (init !== undefined) { this.dbg.setInternalBreakpoint(init, () => this.refresh()); this.hooks.push(init); }
    if (free !== undefined) {
      this.dbg.setInternalBreakpoint(free, () => {
        this.going = U64(this.dbg.cpu.getGpr(4)); // free_module(struct module *mod)
        try { this.refresh(); } finally { this.going = undefined; }
      });
      this.hooks.push(free);
    }
    this.refresh();
  }

  /** Reads the module list; modules loaded, changed or gone since the last time update the symbols. */
  refresh(): void {
    if (!linuxTypesAvailable(this.dbg.ctx)) return;
    const { modules, note } = linuxModules(this.dbg.ctx);
    const changes: string[] = [];
    const seen = new Set<string>();
    for (const m of modules) {
      if (m.addr === this.going) continue;
      const source = MODULE_SOURCE + m.name;
      seen.add(source);
      const r = this.read(m);
      if (typeof r === 'string') { if (!this.known.has(source)) changes.push(`module ${m.name}: no symbols (${r})`); continue; }
      if (this.known.get(source)?.key === r.key) continue;
      this.dbg.symbols.remove(source);
      this.dbg.symbols.add(SymbolTable.fromEntries(r.entries), 0n, source);
      this.known.set(source, { key: r.key, count: r.entries.length });
      changes.push(`module ${m.name}: ${r.entries.length} symbols from its kallsyms (core at ${m.base === undefined ? '?' : hex(m.base)})`);
    }
    for (const source of [...this.known.keys()]) {
      if (seen.has(source)) continue;
      this.dbg.symbols.remove(source);
      this.known.delete(source);
      changes.push(`module ${source.slice(MODULE_SOURCE.length)} unloaded: its symbols are gone`);
    }
    if (note && changes.length) changes.push(`modules: ${note}`);
    if (!changes.length) return;
    this.dbg.symbolsChanged();
    this.onChange(changes.join('\n'));
  }

  /** A module's symbols (run-time addresses) and a key that changes when its table does. */
  private read(m: LinuxModule): { entries: SymbolEntry[]; key: string } | string {
    const ctx = this.dbg.ctx;
    try {
      const ks = `((struct module *)${hex(m.addr)})->kallsyms`;
      const table = scalar(evaluateTyped(`(unsigned long)${ks}`, ctx), ctx);
      if (table === 0n) return 'no kallsyms';
      const n = Number(scalar(evaluateTyped(`${ks}->num_symtab`, ctx), ctx));
      const symtab = scalar(evaluateTyped(`(unsigned long)${ks}->symtab`, ctx), ctx);
      const strtab = scalar(evaluateTyped(`(unsigned long)${ks}->strtab`, ctx), ctx);
      if (n > MAX_SYMBOLS) return `an implausible symbol count ${n}`;
      const raw = this.dbg.mem.read({ addr: symtab, phys: false }, n * SYM_SIZE);
      if (raw.some((b) => b === undefined)) return `its symbol table at ${hex(symtab)} is unreadable`;
      const bytes = Uint8Array.from(raw as number[]);
      const dv = new DataView(bytes.buffer);
      const le = !this.dbg.mem.bigEndian;
      const entries: SymbolEntry[] = [];
      for (let i = 0; i < n; i++) {
        const o = i * SYM_SIZE;
        const nameOff = dv.getUint32(o, le), info = dv.getUint8(o + 4), shndx = dv.getUint16(o + 6, le);
        const type = info & 0xf;
        if (shndx === 0 || nameOff === 0 || (type !== STT_FUNC && type !== STT_OBJECT && type !== STT_NOTYPE)) continue;
        const name = this.str(strtab + BigInt(nameOff));
        if (!name) continue;
        entries.push({ name, addr: dv.getBigUint64(o + 8, le), size: dv.getBigUint64(o + 16, le), type, bind: info >> 4, shndx: 1 });
      }
      // module_init/module_exit alias the module's functions as init_module/cleanup_module:
      // frames and disassembly name the function itself (the alias still resolves by name).
      const named = new Map<bigint, number>();
      for (const e of entries) named.set(e.addr, (named.get(e.addr) ?? 0) + 1);
      const out = entries.map((e) => (ALIASES.has(e.name) && named.get(e.addr)! > 1 ? { ...e, type: STT_NOTYPE } : e));
      return { entries: out, key: `${hex(table)}:${n}:${hex(symtab)}` };
    } catch (e) {
      if (!(e instanceof EvalError) && !(e instanceof NotTyped)) throw e;
      return e.message;
    }
  }

  private str(addr: bigint): string {
    const b = this.dbg.mem.read({ addr, phys: false }, 128);
    let s = '';
    for (const c of b) { if (c === undefined || c === 0) break; s += String.fromCharCode(c); }
    return s;
  }
}
