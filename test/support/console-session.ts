// A booted machine driven through its console for the Linux acceptance tests: the console
// text (UART 0), runs in steps that end on the same instruction counts on every engine (so
// the interpreter and the translator can be stopped at the same point and compared), waits
// for console text, typed input, and the machine's whole state for comparisons.
import { createHash } from 'node:crypto';
import type { Machine } from '../../src/emulator/machine.js';

/** Every declared state field of every component (`component.field` → text), and a hash of RAM. */
export interface MachineState { fields: Map<string, string>; ram: string }

export class ConsoleSession {
  text = '';
  /** Called when the machine's icount reaches each key (a multiple of `stepSize`). */
  readonly at = new Map<number, () => void>();

  constructor(readonly machine: Machine, readonly stepSize = 5_000_000) {
    machine.events.on('uartTx', ({ port, byte }) => { if (port === 0) this.text += String.fromCharCode(byte); });
  }

  get icount(): number { return this.machine.cpu.icount; }

  /** One step: up to the next multiple of stepSize (or `limit`), exactly. */
  private step(limit: number): void {
    const m = this.machine;
    const target = Math.min(limit, (Math.floor(m.cpu.icount / this.stepSize) + 1) * this.stepSize);
    while (m.cpu.icount < target && !m.poweredOff) {
      const r = m.run(target - m.cpu.icount);
      if (r.reason === 'idle') throw new Error(`machine idle with nothing scheduled; last output:\n${this.text.slice(-2000)}`);
    }
    this.at.get(m.cpu.icount)?.();
  }

  /** Runs until `s` appears after `from`; returns the index just past it. */
  until(s: string | RegExp, budget: number, from = 0): number {
    const limit = this.icount + budget;
    for (;;) {
      const t = this.text.slice(from);
      if (typeof s === 'string') { const i = t.indexOf(s); if (i >= 0) return from + i + s.length; }
      else { const mm = s.exec(t); if (mm) return from + mm.index + mm[0].length; }
      if (this.icount >= limit || this.machine.poweredOff) {
        throw new Error(`console never showed ${String(s)} (icount ${this.icount}); last output:\n${this.text.slice(-2000)}`);
      }
      this.step(limit);
    }
  }

  /** Runs to exactly `icount`. */
  runTo(icount: number): void {
    while (this.icount < icount) {
      if (this.machine.poweredOff) throw new Error(`powered off at ${this.icount}, before ${icount}`);
      this.step(icount);
    }
  }

  type(s: string): void { this.machine.consoleInput(new TextEncoder().encode(s)); }

  /**
   * Every stateful component (CPU, CP0, TLB, FPU, devices), field by field, and a hash of RAM.
   * The delay-slot target (cpu0.dsLo/dsHi) counts only inside a delay slot: outside one it is
   * a dead leftover, which the interpreter rewrites at every taken branch and translated
   * blocks leave alone.
   */
  state(): MachineState {
    const show = (v: unknown): string => (ArrayBuffer.isView(v)
      ? createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex').slice(0, 16)
      : String(v));
    const fields = new Map<string, string>();
    for (const c of this.machine.stateComponents()) {
      for (const f of Object.keys(c.stateSpec.fields)) {
        if (c.stateSpec.name === 'cpu0' && (f === 'dsLo' || f === 'dsHi') && !c.state.inDelay) continue;
        fields.set(`${c.stateSpec.name}.${f}`, show(c.state[f]));
      }
    }
    return { fields, ram: createHash('sha256').update(this.machine.bus.ram).digest('hex') };
  }
}

/** `component.field: a vs b` for every difference. */
export function stateDiff(a: MachineState, b: MachineState): string[] {
  const out: string[] = [];
  if (a.ram !== b.ram) out.push('RAM contents differ');
  for (const k of new Set([...a.fields.keys(), ...b.fields.keys()])) {
    if (a.fields.get(k) !== b.fields.get(k)) out.push(`${k}: ${a.fields.get(k)} vs ${b.fields.get(k)}`);
  }
  return out;
}
