// A raw DAP connection for tests that send what a well-behaved client never would: bytes
// that are not a frame, several requests in one write, arguments of the wrong shape.
// Collects every message the adapter sends, and whether it closed the connection.
import { connect, Socket } from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { withTimeout } from './support';

export type Message = DebugProtocol.Response & DebugProtocol.Event;

export class RawClient {
  readonly messages: Message[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private seq = 1;
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
    socket.on('close', () => { this.closed = true; this.notify(); });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private parse(): void {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const n = Number(/Content-Length: (\d+)/.exec(this.buf.toString('latin1', 0, end))![1]);
      if (this.buf.length < end + 4 + n) return;
      this.messages.push(JSON.parse(this.buf.toString('utf8', end + 4, end + 4 + n)) as Message);
      this.buf = this.buf.subarray(end + 4 + n);
      this.notify();
    }
  }

  private notify(): void { for (const w of this.waiters.splice(0)) w(); }

  /** A request frame (not sent); returns its bytes and seq. */
  frame(command: string, args?: unknown): { bytes: Buffer; seq: number } {
    const seq = this.seq++;
    const json = JSON.stringify({ seq, type: 'request', command, arguments: args });
    return { bytes: Buffer.from(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`), seq };
  }

  /** Sends requests in one write; returns their seqs. */
  send(...requests: Array<[string, unknown?]>): number[] {
    const frames = requests.map(([c, a]) => this.frame(c, a));
    this.socket.write(Buffer.concat(frames.map((f) => f.bytes)));
    return frames.map((f) => f.seq);
  }

  /** Waits until `pred` holds for the messages received so far. */
  async until(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
    await withTimeout((async () => {
      while (!pred()) await new Promise<void>((r) => this.waiters.push(r));
    })(), ms, what);
  }

  async response(seq: number, ms?: number): Promise<Message> {
    await this.until(() => this.messages.some((m) => m.type === 'response' && m.request_seq === seq), `the response to request ${seq}`, ms);
    return this.messages.find((m) => m.type === 'response' && m.request_seq === seq)!;
  }

  /** Sends one request and waits for its response. */
  async request(command: string, args?: unknown): Promise<Message> {
    return this.response(this.send([command, args])[0]!);
  }

  close(): void { this.socket.destroy(); }
}
