// The gdb port under bad input, spoken to byte by byte (no gdb): bad checksums, garbage
// between packets, malformed and unknown packets, an oversized packet, a second client
// while one is connected, a client vanishing mid-packet, Ctrl-C (0x03) — each gets a
// clean reply or a refusal, the port serves the next client, and the guest (the demo in
// `mips64 boot`) runs on and still answers its console afterwards.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, Socket } from 'node:net';
import { BootProc } from './support.js';

const procs: BootProc[] = [];
after(() => { for (const p of procs) p.kill(); });

function frame(data: string): string {
  let s = 0;
  for (const c of Buffer.from(data, 'latin1')) s = (s + c) & 0xff;
  return `$${data}#${s.toString(16).padStart(2, '0')}`;
}

/** A raw RSP client: what it received, as text, and waits on it. */
class Raw {
  readonly socket: Socket;
  text = '';
  closed = false;
  private used = 0;

  private constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (b: Buffer) => { this.text += b.toString('latin1'); });
    this.socket.on('close', () => { this.closed = true; });
    this.socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<Raw> {
    const r = new Raw(port);
    await new Promise<void>((res, rej) => { r.socket.once('connect', () => res()); r.socket.once('error', rej); });
    return r;
  }

  send(bytes: string): void {
    this.socket.write(Buffer.from(bytes, 'latin1'));
  }

  /** The next packet's data after what was consumed (acks skipped). */
  async packet(ms = 30_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = /\$([^#$]*)#[0-9a-f]{2}/.exec(this.text.slice(this.used));
      if (m) { this.used += m.index + m[0].length; return m[1]!; }
      if (Date.now() > deadline || this.closed) assert.fail(`no packet (closed: ${this.closed}); received ${JSON.stringify(this.text)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Sends a packet and returns its reply. */
  async ask(data: string): Promise<string> {
    this.send(frame(data));
    return this.packet();
  }

  async waitClosed(ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) assert.fail('the connection stayed open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

test('the gdb port answers bad input cleanly and keeps serving; the guest runs on', { timeout: 120_000 }, async () => {
  const boot = await BootProc.start([]);
  procs.push(boot);
  await boot.waitFor(() => boot.stdout.includes('timer running'));
  const a = await Raw.open(boot.gdbPort);

  // A wrong checksum is refused with '-' (the client would resend); garbage between packets is ignored.
  a.send('hello$?#00');
  await boot.waitFor(() => a.text.includes('-'));
  assert.match(await a.ask('?'), /^T05thread:1;/);
  assert.match(await a.ask('qSupported:swbreak+;error-message+'), /PacketSize=20000;qXfer:features:read\+.*error-message\+/);

  // Unknown packets and queries: the empty reply. Malformed ones: an error naming the problem.
  assert.equal(await a.ask('qNoSuchQuery'), '');
  assert.equal(await a.ask('vNoSuchThing'), '');
  assert.equal(await a.ask('mzz,4'), 'E.malformed m packet');
  assert.equal(await a.ask('Z9,0,4'), 'E.malformed Z packet');
  assert.equal(await a.ask('p9999'), 'E.no register 9999');
  assert.equal(await a.ask('Mffffffff80100000,4:0011'), 'E.malformed M packet');
  assert.equal(await a.ask('qRcmd,zz'), 'E.malformed qRcmd');
  assert.equal(await a.ask('qXfer:features:read:other.xml:0,100'), "E.no annex 'other.xml'");
  assert.match(await a.ask('m10,4'), /^E\.cannot read memory at 0x10/, 'unmapped user address');
  // A memory read of RAM works (the demo's first instruction word).
  assert.match(await a.ask('mffffffff80100000,4'), /^[0-9a-f]{8}$/);

  // An oversized packet is skipped to its end and refused; the next packet is served.
  a.send(frame(`X${'0'.repeat(300_000)}`));
  assert.equal(await a.packet(), 'E.packet longer than 131072 bytes');
  assert.match(await a.ask('?'), /^T05/);

  // A second client while the first is connected: an error saying why, then closed.
  const b = await Raw.open(boot.gdbPort);
  b.send(frame('qSupported'));
  assert.match(await b.packet(), /^E\.another gdb is connected/);
  await b.waitClosed();

  // Ctrl-C while running: a SIGINT stop reply.
  a.send(frame('c'));
  await new Promise((r) => setTimeout(r, 200));
  a.send('\x03');
  assert.match(await a.packet(), /^T02thread:1;/);

  // The client vanishes in the middle of a packet: the port serves the next client.
  a.send('$mffffffff8010');
  a.socket.destroy();
  await boot.waitFor(() => boot.stderr.includes('gdb disconnected'));
  const c = await Raw.open(boot.gdbPort);
  c.send('+');
  assert.match(await c.ask('?'), /^T05thread:1;/);
  assert.equal(await c.ask('QStartNoAckMode'), 'OK');
  assert.match(await c.ask('g'), /^[0-9a-f]{1152}$/, '72 registers of 8 bytes');
  assert.equal(await c.ask('D'), 'OK');
  await c.waitClosed();

  // The guest is unharmed: it answers its console and quits normally.
  const mark = boot.stdout.length;
  boot.child.stdin.write('t');
  await boot.waitFor(() => boot.stdout.indexOf('timer ticks', mark) >= 0);
  boot.child.stdin.write('q');
  assert.equal(await boot.exited, 0, boot.stderr);
});
