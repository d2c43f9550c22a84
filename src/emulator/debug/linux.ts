// Linux awareness from the kernel's DWARF types (typed-expr.ts): the task list (init_task's
// `tasks` ring: pid, comm, state, and each sleeping task's saved kernel context — MIPS keeps
// $s0-$s7, $sp, $fp and $ra in task->thread), and the kernel log read from the printk ring
// buffer (6.1's lockless prb: descriptors, infos and the text data ring) while the machine
// is stopped. Guest memory is the guest's: a corrupted list or unreadable page ends the walk
// with a note, never an exception or an endless loop.

import { resolved, sizeOf } from '../loader/dwarf/types';
import { EvalError } from './expr';
import { evaluateTyped, NotTyped, scalar, TypedContext } from './typed-expr';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const hex = (v: bigint): string => `0x${U64(v).toString(16)}`;
const MAX_TASKS = 4096;
const MAX_RECORDS = 100_000;

export interface LinuxTask {
  /** Address of its task_struct. */
  readonly addr: bigint;
  readonly pid: number;
  readonly comm: string;
  /** `R`, `S`, `D`, … (from __state), or the number. */
  readonly state: string;
  /** Its saved kernel context (valid for a task not running on the CPU): pc = $ra of the switch. */
  readonly saved: { readonly pc: bigint; readonly regs: ReadonlyArray<bigint | undefined> };
}

export interface TaskList {
  readonly tasks: LinuxTask[];
  /** Why the walk ended early (a corrupted list, unreadable memory), if it did. */
  readonly note: string | undefined;
}

/** Whether the loaded types describe a Linux kernel (init_task and struct task_struct). */
export function linuxTypesAvailable(ctx: TypedContext): boolean {
  if (!ctx.types.available) return false;
  try { return ctx.types.variable('init_task') !== undefined && ctx.types.namedType('struct task_struct') !== undefined; } catch { return false; }
}

const num = (ctx: TypedContext, expr: string): bigint => scalar(evaluateTyped(expr, ctx), ctx);

function str(ctx: TypedContext, addr: bigint, n: number): string {
  const bytes = ctx.mem.read({ addr, phys: false }, n);
  let s = '';
  for (const b of bytes) { if (b === undefined || b === 0) break; s += String.fromCharCode(b); }
  return s;
}

/** The byte offset of `member` in `struct name`. */
function offsetOf(ctx: TypedContext, struct: string, member: string): bigint {
  return evaluateTyped(`((${struct} *)0)->${member}`, ctx).addr!;
}

const STATES: ReadonlyArray<[number, string]> = [[0x1, 'S'], [0x2, 'D'], [0x4, 'T'], [0x8, 't'], [0x10, 'X'], [0x20, 'Z'], [0x80, 'I'], [0x402, 'I']];

function stateText(v: bigint): string {
  if (v === 0n) return 'R';
  for (const [bit, s] of [...STATES].reverse()) if ((Number(v) & bit) === bit) return s;
  return hex(v);
}

/** The tasks on init_task's list (init_task first). */
export function linuxTasks(ctx: TypedContext): TaskList {
  const tasks: LinuxTask[] = [];
  let note: string | undefined;
  try {
    const init = evaluateTyped('init_task', ctx).addr!;
    const link = offsetOf(ctx, 'struct task_struct', 'tasks');
    const hasState = (() => { try { offsetOf(ctx, 'struct task_struct', '__state'); return true; } catch { return false; } })();
    const seen = new Set<bigint>();
    let t = init;
    for (;;) {
      if (seen.has(t)) { note = `the task list loops back to ${hex(t)} without reaching init_task`; break; }
      if (tasks.length >= MAX_TASKS) { note = `more than ${MAX_TASKS} tasks: the rest are not listed`; break; }
      seen.add(t);
      const p = `((struct task_struct *)${hex(t)})`;
      const regs: Array<bigint | undefined> = new Array(32).fill(undefined);
      for (const r of [16, 17, 18, 19, 20, 21, 22, 23, 29, 30, 31]) regs[r] = num(ctx, `${p}->thread.reg${r}`);
      tasks.push({
        addr: t, pid: Number(BigInt.asIntN(32, num(ctx, `${p}->pid`))), comm: str(ctx, evaluateTyped(`${p}->comm`, ctx).addr!, 16),
        state: stateText(num(ctx, `${p}->${hasState ? '__state' : 'state'}`)), saved: { pc: regs[31]!, regs },
      });
      const next = num(ctx, `${p}->tasks.next`);
      const nt = U64(next - link);
      if (nt === init) break;
      if (next === 0n || (next & 7n) !== 0n) { note = `task ${hex(t)} has a corrupt tasks.next (${hex(next)})`; break; }
      t = nt;
    }
  } catch (e) {
    if (!(e instanceof EvalError) && !(e instanceof NotTyped)) throw e;
    note = `the task list cannot be read further: ${e.message}`;
  }
  return { tasks, note };
}

/** The kernel log (printk ring buffer), one `[seconds.micros] text` line per record. */
export function linuxDmesg(ctx: TypedContext, maxLines = 2000): { lines: string[]; note: string | undefined } {
  const lines: string[] = [];
  let note: string | undefined;
  try {
    const rb = '(*prb)';
    const countBits = Number(num(ctx, `${rb}.desc_ring.count_bits`));
    const sizeBits = Number(num(ctx, `${rb}.text_data_ring.size_bits`));
    if (countBits > 24 || sizeBits > 30) throw new EvalError(`implausible ring sizes (2^${countBits} descriptors, 2^${sizeBits} bytes)`);
    const descs = num(ctx, `${rb}.desc_ring.descs`);
    const infos = num(ctx, `${rb}.desc_ring.infos`);
    const data = num(ctx, `${rb}.text_data_ring.data`);
    const head = num(ctx, `${rb}.desc_ring.head_id.counter`);
    const tail = num(ctx, `${rb}.desc_ring.tail_id.counter`);
    const descT = ctx.types.namedType('struct prb_desc'), infoT = ctx.types.namedType('struct printk_info');
    if (!descT || !infoT) throw new EvalError('no struct prb_desc / printk_info in the debugging information');
    const descSize = BigInt(sizeOf(resolved(descT))), infoSize = BigInt(sizeOf(resolved(infoT)));
    const count = 1n << BigInt(countBits), size = 1n << BigInt(sizeBits);
    const idMask = (1n << 62n) - 1n;
    const n = Number((head - tail) & idMask) + 1;
    if (n > MAX_RECORDS) throw new EvalError(`implausible descriptor ids (tail ${tail}, head ${head})`);
    for (let k = 0; k < n; k++) {
      const id = (tail + BigInt(k)) & idMask;
      const d = `((struct prb_desc *)${hex(descs + (id % count) * descSize)})`;
      const sv = num(ctx, `${d}->state_var.counter`);
      const state = Number(sv >> 62n);
      if ((sv & idMask) !== id || (state !== 1 && state !== 2)) continue; // not (or no longer) this record
      const begin = num(ctx, `${d}->text_blk_lpos.begin`), next = num(ctx, `${d}->text_blk_lpos.next`);
      if (begin & 1n) continue; // no text
      const info = `((struct printk_info *)${hex(infos + (id % count) * infoSize)})`;
      const len = Number(num(ctx, `${info}->text_len`));
      const ts = num(ctx, `${info}->ts_nsec`);
      // The text block wraps to the ring's start when it would not fit before its end.
      const start = (begin / size) !== (next / size) ? 0n : begin % size;
      const text = str(ctx, data + start + 8n, Math.min(len, 1024));
      const sec = ts / 1_000_000_000n, us = (ts % 1_000_000_000n) / 1000n;
      lines.push(`[${sec.toString().padStart(5)}.${us.toString().padStart(6, '0')}] ${text}`);
    }
    if (lines.length > maxLines) { note = `${lines.length - maxLines} earlier lines not shown`; lines.splice(0, lines.length - maxLines); }
  } catch (e) {
    if (!(e instanceof EvalError) && !(e instanceof NotTyped)) throw e;
    note = `the kernel log cannot be read: ${e.message}`;
  }
  return { lines, note };
}

export interface LinuxThreads {
  /** The task running on the CPU (`current`), when the CPU is in the kernel. */
  readonly current: LinuxTask | undefined;
  /** The other tasks, each with its saved kernel context. */
  readonly others: LinuxTask[];
  readonly note: string | undefined;
}

/**
 * The tasks as the Call Stack shows them: `current` is the CPU's (its registers are live),
 * the others sleep in their saved context. Undefined without Linux types.
 */
export function linuxThreads(ctx: TypedContext): LinuxThreads | undefined {
  if (!linuxTypesAvailable(ctx)) return undefined;
  const list = linuxTasks(ctx);
  let cur: bigint | undefined;
  // In Kernel mode $gp is the current thread_info (in User mode it is the program's).
  if ((U64(ctx.cpu.pc) >> 63n) === 1n) {
    try { cur = scalar(evaluateTyped('current', ctx), ctx); } catch (e) { if (!(e instanceof EvalError) && !(e instanceof NotTyped)) throw e; }
  }
  const current = list.tasks.find((t) => t.addr === cur);
  return { current, others: list.tasks.filter((t) => t !== current), note: list.note };
}
