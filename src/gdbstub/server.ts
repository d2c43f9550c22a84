// The TCP side of the gdb stub: listens (loopback unless told otherwise), serves one gdb
// at a time and refuses a second while the first is connected — it gets an error reply
// saying why and is disconnected; the port keeps serving the next client once the first
// has gone. A client that vanishes (even mid-packet) counts as gone: its breakpoints are
// removed and its hold on the machine released (GdbSession.disconnected).

import { createServer, Server, Socket } from 'node:net';
import { framePacket } from './rsp-codec';
import { GdbSession } from './session';
import type { GdbTarget } from './target';

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || /^::ffff:127\./i.test(host);
}

export interface GdbServerOptions {
  /** Binds a target for a new connection (e.g. borrows the machine from its host); throws an Error whose message refuses it. */
  connect(): GdbTarget;
  /** One-line notes for the user (connections, refusals). */
  note(line: string): void;
}

export class GdbServer {
  private readonly server: Server;
  private current: { socket: Socket; session: GdbSession } | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly o: GdbServerOptions) {
    this.server = createServer((socket) => this.connected(socket));
  }

  /** Listens; resolves with the port (0 picks a free one). The error's message says why it cannot. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EADDRNOTAVAIL' ? 'no such local address'
          : e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOTFOUND' ? 'unknown host' : e.message;
        reject(new Error(`cannot listen for gdb on ${host}:${port}: ${why}`));
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', onError);
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  /** Whether a gdb is connected now. */
  get hasClient(): boolean {
    return this.current !== undefined && !this.current.session.done;
  }

  private connected(socket: Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    const who = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    let refusal: string | undefined;
    let target: GdbTarget | undefined;
    if (this.current && !this.current.session.done) refusal = 'another gdb is connected to this machine (one at a time): detach it first';
    else {
      try { target = this.o.connect(); } catch (e) { refusal = (e as Error).message; }
    }
    if (refusal !== undefined || !target) {
      this.o.note(`gdb connection from ${who} refused: ${refusal}`);
      this.refuse(socket, refusal ?? 'refused');
      return;
    }
    const session = new GdbSession(target, {
      write: (b) => { if (!socket.destroyed) socket.write(b); },
      end: () => socket.end(),
      note: (line) => this.o.note(line),
    });
    this.current = { socket, session };
    this.o.note(`gdb connected from ${who}`);
    socket.on('data', (d: Buffer) => session.feed(d));
    socket.on('close', () => {
      session.disconnected();
      if (this.current?.socket === socket) this.current = undefined;
      this.o.note(`gdb disconnected (${who})`);
    });
  }

  /** Answers the refused client's first packet with an error saying why (gdb prints it), then closes. */
  private refuse(socket: Socket, why: string): void {
    let answered = false;
    const close = setTimeout(() => socket.destroy(), 2000);
    close.unref();
    socket.on('data', (d: Buffer) => {
      if (answered || !d.includes(0x23)) return; // '#': a whole packet has arrived
      answered = true;
      socket.write('+');
      socket.end(framePacket(`E.${why.replace(/[$#}*]/g, ' ')}`));
    });
  }

  /** Stops listening and disconnects the client (its target is released). */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}
