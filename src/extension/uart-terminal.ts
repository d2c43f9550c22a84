// The guest console (UART 0) as a VS Code terminal: the adapter's `mips64/uart` events
// are written to a pseudoterminal with bytes and ANSI sequences intact (lone \n become
// \r\n, as a terminal expects); keystrokes go back as `mips64/uartInput` requests (Ctrl-C
// is just byte 0x03 for the guest). When the session ends the terminal stays open,
// read-only, with the last output; the next session reuses it.
import * as vscode from 'vscode';
import { UART_EVENT, UART_INPUT } from '../adapter/protocol';

export const TERMINAL_NAME = 'MIPS64 console';
export const SESSION_ENDED = '\r\n\x1b[2m[session ended]\x1b[0m\r\n';

/** Converts lone \n to \r\n; `prevCR` says whether the previous chunk ended with \r. */
export function toTerminalText(text: string, prevCR: boolean): string {
  let out = '';
  let cr = prevCR;
  for (const ch of text) {
    if (ch === '\n' && !cr) out += '\r';
    out += ch;
    cr = ch === '\r';
  }
  return out;
}

/** One pseudoterminal; attached to at most one debug session at a time. */
export class UartPty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  private session: vscode.DebugSession | undefined;
  private opened = false;
  private closedByUser = false;
  private pending = '';
  private lastCR = false;

  get attached(): vscode.DebugSession | undefined { return this.session; }
  get closed(): boolean { return this.closedByUser; }

  open(): void {
    this.opened = true;
    if (this.pending) { this.writeEmitter.fire(this.pending); this.pending = ''; }
  }

  close(): void {
    this.closedByUser = true;
    this.session = undefined;
  }

  attach(session: vscode.DebugSession, reused: boolean): void {
    this.session = session;
    if (reused) this.write(`\r\n\x1b[2m[new session: ${session.name}]\x1b[0m\r\n`);
  }

  /** Guest output for this terminal. */
  output(text: string): void {
    const t = toTerminalText(text, this.lastCR);
    if (text.length > 0) this.lastCR = text.endsWith('\r');
    this.write(t);
  }

  /** The session ended: stays open with its output, read-only. */
  end(): void {
    if (!this.session) return;
    this.session = undefined;
    this.write(SESSION_ENDED);
    this.lastCR = false;
  }

  handleInput(data: string): void {
    const s = this.session;
    if (!s) return; // read-only after the session
    s.customRequest(UART_INPUT, { text: data }).then(undefined, () => undefined);
  }

  private write(text: string): void {
    if (this.closedByUser || text === '') return;
    if (this.opened) this.writeEmitter.fire(text);
    else this.pending += text;
  }

  dispose(): void {
    this.writeEmitter.dispose();
  }
}

/** Opens the console for every mips64 session and routes its events. */
export class UartConsoles implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly bySession = new Map<string, { pty: UartPty; terminal: vscode.Terminal }>();
  /** The most recent console (reused by the next session once its session ended). */
  private last: { pty: UartPty; terminal: vscode.Terminal } | undefined;

  constructor() {
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => { if (s.type === 'mips64') this.start(s); }),
      vscode.debug.onDidTerminateDebugSession((s) => this.stop(s)),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.event !== UART_EVENT) return;
        const body = e.body as { text?: unknown } | undefined;
        if (typeof body?.text === 'string') this.bySession.get(e.session.id)?.pty.output(body.text);
      }),
      vscode.window.onDidCloseTerminal((t) => {
        if (this.last?.terminal === t) this.last = undefined;
      }),
    );
  }

  /** The console of a session (tests, commands). */
  consoleOf(session: vscode.DebugSession): { pty: UartPty; terminal: vscode.Terminal } | undefined {
    return this.bySession.get(session.id);
  }

  private start(session: vscode.DebugSession): void {
    let c = this.last && !this.last.pty.attached && !this.last.pty.closed ? this.last : undefined;
    const reused = c !== undefined;
    if (!c) {
      const pty = new UartPty();
      const terminal = vscode.window.createTerminal({ name: TERMINAL_NAME, pty });
      c = { pty, terminal };
      this.disposables.push(pty);
    }
    c.pty.attach(session, reused);
    this.bySession.set(session.id, c);
    this.last = c;
    c.terminal.show(true);
  }

  private stop(session: vscode.DebugSession): void {
    const c = this.bySession.get(session.id);
    if (!c) return;
    this.bySession.delete(session.id);
    c.pty.end();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
