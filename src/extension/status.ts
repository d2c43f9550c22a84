// Status bar item for the current MIPS64 debug session: run state (running / stopped /
// ended) and the executed-instruction count, polled with `mips64/stats` every second
// while running and once on every stop (seen by a DebugAdapterTracker).
import * as vscode from 'vscode';
import { STATS, UART_EVENT, type StatsBody } from '../adapter/protocol';

export const POLL_MS = 1000;

export type RunState = 'starting' | 'running' | 'stopped' | 'ended';

/** "12,345", "1.23M", "4.56G" instructions. */
export function formatCount(n: number): string {
  if (n < 1e6) return Math.round(n).toLocaleString('en-US');
  if (n < 1e9) return `${(n / 1e6).toFixed(2)}M`;
  return `${(n / 1e9).toFixed(2)}G`;
}

export function statusText(state: RunState, instructions: number | undefined, virtualNs?: number): string {
  const icon = state === 'running' ? '$(play)' : state === 'stopped' ? '$(debug-pause)' : state === 'ended' ? '$(debug-stop)' : '$(loading~spin)';
  const time = virtualNs !== undefined ? ` · ${formatVirtualNs(virtualNs)}` : '';
  return `${icon} MIPS64 ${state}${instructions !== undefined ? ` · ${formatCount(instructions)} instr${time}` : ''}`;
}

/** Guest (virtual) time: "1.234 s", "12.3 ms", "45 µs". */
export function formatVirtualNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${Math.round(ns / 1e3)} µs`;
}

const RUN_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restart']);

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private session: vscode.DebugSession | undefined;
  private state: RunState = 'ended';
  private instructions: number | undefined;
  private virtualNs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Called at every stop of the tracked session (views that follow the machine refresh). */
  readonly onStop: Array<() => void> = [];

  constructor(private readonly pollMs = POLL_MS) {
    this.item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'MIPS64 run state';
    this.item.tooltip = 'MIPS64 guest: run state, executed instructions and guest (virtual) time. "MIPS64: Go to Instruction Count…" travels in time.';
    this.item.command = 'mips64.goToInstruction';
    this.disposables.push(
      this.item,
      vscode.debug.registerDebugAdapterTrackerFactory('mips64', {
        createDebugAdapterTracker: (session) => ({
          onWillReceiveMessage: (m: unknown) => this.onRequest(session, m as { type?: string; command?: string }),
          onDidSendMessage: (m: unknown) => this.onMessage(session, m as { type?: string; event?: string; body?: { state?: string } }),
        }),
      }),
      vscode.debug.onDidStartDebugSession((s) => { if (s.type === 'mips64') this.track(s); }),
      vscode.debug.onDidTerminateDebugSession((s) => { if (s === this.session) this.set('ended'); }),
    );
  }

  get text(): string { return this.item.text; }
  get runState(): RunState { return this.state; }

  track(session: vscode.DebugSession): void {
    this.session = session;
    this.instructions = undefined;
    this.virtualNs = undefined;
    // A new session restarts polling even when the previous one never reported its end.
    this.stopPolling();
    this.state = 'ended';
    this.set('starting');
    this.item.show();
  }

  private onRequest(session: vscode.DebugSession, m: { type?: string; command?: string }): void {
    if (session !== this.session || m.type !== 'request' || !m.command) return;
    if (RUN_REQUESTS.has(m.command)) this.set('running');
  }

  private onMessage(session: vscode.DebugSession, m: { type?: string; event?: string }): void {
    if (session !== this.session || m.type !== 'event') return;
    switch (m.event) {
      case 'stopped': this.set('stopped'); for (const f of this.onStop) f(); break;
      case 'continued': this.set('running'); break;
      case 'exited': case 'terminated': this.set('ended'); break;
      case UART_EVENT: if (this.state === 'starting') this.set('running'); break;
      default:
    }
  }

  private set(state: RunState): void {
    const was = this.state;
    this.state = state;
    const polls = (x: RunState): boolean => x === 'running' || x === 'starting';
    if (polls(state) && !polls(was)) this.startPolling();
    if (!polls(state)) this.stopPolling();
    if (state === 'stopped' && was !== 'stopped') void this.poll();
    this.render();
  }

  private startPolling(): void {
    this.stopPolling();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    void this.poll();
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Asks the adapter for the instruction count (and its own idea of the state). */
  async poll(): Promise<void> {
    const s = this.session;
    if (!s || this.state === 'ended') return;
    try {
      const r = (await s.customRequest(STATS)) as Partial<StatsBody> | undefined;
      if (s !== this.session || (this.state as RunState) === 'ended') return;
      if (typeof r?.instructions === 'number') this.instructions = r.instructions;
      if (typeof r?.virtualTimeNs === 'number') this.virtualNs = r.virtualTimeNs;
      if (r?.state === 'exited') { this.set('ended'); return; }
      if ((r?.state === 'running' || r?.state === 'idle') && this.state === 'starting') { this.set('running'); return; }
      this.render();
    } catch {
      // Not launched yet, or the session is going away.
    }
  }

  private render(): void {
    this.item.text = statusText(this.state, this.instructions, this.virtualNs);
  }

  dispose(): void {
    this.stopPolling();
    for (const d of this.disposables) d.dispose();
  }
}
