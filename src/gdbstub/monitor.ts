// gdb's `monitor` commands (qRcmd): what the emulator can show that gdb's MIPS target
// cannot — the TLB, every CP0 register decoded, side-effect-free address translation —
// and checkpoints of the machine (shared with the VS Code session, if there is one).
// Addresses are debugger expressions (src/emulator/debug/expr.ts): 0x…, symbols, $sp+16.

import { evaluate } from '../emulator/debug/expr';
import { cp0Table, tlbTable, translationText } from '../emulator/debug/machine-info';
import type { GdbTarget } from './target';

export const MONITOR_HELP = [
  'monitor commands of MIPS64 Studio:',
  '  info tlb                     the valid TLB entries',
  '  info cp0                     every CP0 register, decoded',
  '  v2p ADDR                     virtual → physical as kernel-mode code sees it now (no side effects)',
  '  checkpoint take [NAME]       checkpoint the machine',
  '  checkpoint list              the checkpoints of this machine',
  '  checkpoint restore ID|NAME   go back to a checkpoint (then: maintenance flush register-cache)',
  '  help                         this text',
].join('\n');

/** A monitor command's failure: the message is shown to the user and the reply is an error. */
export class MonitorError extends Error {}

/** Runs one monitor command; returns its output (one or more lines). */
export function runMonitor(target: GdbTarget, command: string): string {
  const words = command.trim().split(/\s+/).filter((w) => w !== '');
  const [w0, w1] = words;
  const rest = (n: number): string => command.trim().split(/\s+/).slice(n).join(' ');
  const dbg = target.dbg;
  if (w0 === undefined || w0 === 'help' || w0 === '?') return MONITOR_HELP;
  if (w0 === 'info' && w1 === 'tlb') return tlbTable(dbg.cpu);
  if (w0 === 'info' && w1 === 'cp0') return cp0Table(dbg.cpu);
  if (w0 === 'v2p') {
    if (words.length < 2) throw new MonitorError('v2p needs an address (e.g. v2p 0xffffffff80100000, v2p $sp)');
    return translationText(dbg.mem, dbg.machine.bus, address(target, rest(1))).text;
  }
  if (w0 === 'checkpoint') return checkpoint(target, w1, rest(2));
  throw new MonitorError(`unknown monitor command '${command.trim()}' (monitor help lists them)`);
}

function address(target: GdbTarget, expr: string): bigint {
  try {
    return BigInt.asUintN(64, evaluate(expr, target.dbg.ctx).v);
  } catch (e) {
    throw new MonitorError(`bad address '${expr}': ${(e as Error).message}`);
  }
}

function checkpoint(target: GdbTarget, verb: string | undefined, arg: string): string {
  const cp = target.checkpoints();
  const where = cp.disk ? ` (and ${cp.disk.location})` : '';
  try {
    switch (verb) {
      case 'take': {
        if (target.state === 'running') throw new MonitorError('the machine is running: interrupt it first');
        const c = cp.take({ name: arg === '' ? undefined : arg });
        return `checkpoint ${c.id} '${c.name}' (${c.kind}, ${c.pages} pages, ${(c.sizeBytes / 1024).toFixed(0)} KiB) at instruction ${c.icount}, in memory${where}`;
      }
      case 'list': {
        const list = cp.list();
        if (list.length === 0) return `no checkpoints of this machine yet${where ? ` in memory${where}` : ''} (monitor checkpoint take [NAME])`;
        const rows = list.map((i) => `${i.id.padEnd(18)} ${i.name.padEnd(24)} ${i.kind.padEnd(11)} ${String(i.icount).padStart(14)}  ${i.stored.join('+')}`);
        return [`${'id'.padEnd(18)} ${'name'.padEnd(24)} ${'kind'.padEnd(11)} ${'instruction'.padStart(14)}  stored`, ...rows].join('\n');
      }
      case 'restore': {
        if (arg === '') throw new MonitorError('checkpoint restore needs an id or a name (monitor checkpoint list)');
        if (target.state === 'running') throw new MonitorError('the machine is running: interrupt it first');
        const r = cp.restore(arg);
        const pc = BigInt.asUintN(64, target.dbg.cpu.pc);
        target.restored(`Restored checkpoint '${r.name}' (instruction ${r.icount}) at ${target.dbg.addr(pc)}`);
        return `restored checkpoint ${r.id} '${r.name}' (instruction ${r.icount}); pc ${target.dbg.addr(pc)}\n`
          + 'gdb still shows its cached registers and memory: maintenance flush register-cache';
      }
      default:
        throw new MonitorError(`checkpoint ${verb ?? ''}: expected take [NAME], list or restore ID|NAME`.replace('  ', ' '));
    }
  } catch (e) {
    if (e instanceof MonitorError) throw e;
    throw new MonitorError((e as Error).message);
  }
}
