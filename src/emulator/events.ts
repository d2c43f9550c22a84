// The one typed event map between the emulator and its hosts (CLI, debug adapter), and
// a minimal emitter. Listeners run synchronously on the emulator's thread.

export interface MachineEvents {
  /** A byte the guest transmitted on a UART (`port` 0 = console). */
  uartTx: { port: number; byte: number };
  /** The guest powered the machine off. */
  powerOff: { code: number };
  /** The guest requested a reset (the machine has already reset). */
  reset: Record<string, never>;
  /** Execution stopped for a reason the host should know (debugger). */
  stopped: { reason: 'breakpoint' | 'exception' | 'step' | 'pause' | 'watchpoint' | 'entry'; description: string };
  /**
   * A checkpoint was saved, or restored into this machine (execution continues from it).
   * `message` is a one-line marker a console view can print.
   */
  checkpoint: {
    action: 'saved' | 'restored'; id: string; hash: string; name: string; kind: 'full' | 'incremental'; icount: number; message: string;
  };
  /**
   * A diagnostic line from the emulator (unassigned access, unsupported feature…); 'error':
   * why the machine stopped on its own (a host shows it always).
   */
  log: { level: 'info' | 'warn' | 'error'; message: string };
}

type Listener<T> = (ev: T) => void;

export class Emitter<M> {
  private readonly listeners = new Map<keyof M, Array<Listener<never>>>();

  on<K extends keyof M>(name: K, fn: Listener<M[K]>): () => void {
    let l = this.listeners.get(name);
    if (!l) { l = []; this.listeners.set(name, l); }
    l.push(fn as Listener<never>);
    return () => {
      // (A second call finds nothing: indexOf's -1 must not remove the last listener.)
      const arr = this.listeners.get(name);
      const i = arr ? arr.indexOf(fn as Listener<never>) : -1;
      if (i >= 0) arr!.splice(i, 1);
    };
  }

  emit<K extends keyof M>(name: K, ev: M[K]): void {
    const l = this.listeners.get(name);
    if (!l) return;
    for (const fn of l) (fn as Listener<M[K]>)(ev);
  }
}
