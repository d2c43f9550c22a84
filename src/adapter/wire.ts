// The DAP wire format with limits: `Content-Length: N\r\n\r\n` + N bytes of JSON, read
// from an untrusted stream. The @vscode/debugadapter reader buffers header bytes until a
// blank line with no bound, and trusts Content-Length (a 1 TiB length stalls the
// connection while the buffer grows); this guard sits in front of it. It accepts frames
// whose header is at most `maxHeaderBytes` and says exactly one Content-Length (decimal,
// at most `maxBodyBytes`), and passes each complete frame on, re-framed, to the
// library's reader. Anything else is a protocol violation: `onViolation` gets one line
// saying what was wrong, and nothing more is read from the stream (a socket is ended).

import { Duplex, PassThrough, Readable } from 'node:stream';

export interface WireLimits {
  /** Longest header (everything before the blank line), in bytes. */
  readonly maxHeaderBytes: number;
  /** Largest Content-Length accepted. */
  readonly maxBodyBytes: number;
}

/**
 * 8 KiB of header (a real one is ~20 bytes); 16 MiB of body: the largest request a client
 * sends is a writeMemory of at most 1 MiB (1.4 MB of base64) or a few hundred thousand
 * breakpoints.
 */
export const DAP_WIRE_LIMITS: WireLimits = { maxHeaderBytes: 8 << 10, maxBodyBytes: 16 << 20 };

const CRLF2 = Buffer.from('\r\n\r\n');

/** Splits a byte stream into DAP frames within `limits` (state carries across chunks). */
export class FrameReader {
  /** Bytes received and not yet consumed, in arrival order, and their total length. */
  private parts: Buffer[] = [];
  private size = 0;
  /** Body length of the frame being read, or −1 while reading a header. */
  private want = -1;
  private failed = false;

  constructor(
    private readonly limits: WireLimits,
    private readonly onFrame: (body: Buffer) => void,
    private readonly onViolation: (message: string) => void,
  ) {}

  get broken(): boolean { return this.failed; }

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.parts.push(chunk);
    this.size += chunk.length;
    for (;;) {
      if (this.want < 0) {
        // A header is short: its bytes (and what follows them in this chunk) are joined.
        const buf = this.join();
        const end = buf.indexOf(CRLF2);
        if (end < 0) {
          // The terminator may straddle chunks: 3 bytes more than the limit may still be one.
          if (buf.length > this.limits.maxHeaderBytes + 3) this.fail(`a DAP header longer than ${this.limits.maxHeaderBytes} bytes (no blank line after it)`);
          return;
        }
        if (end > this.limits.maxHeaderBytes) { this.fail(`a DAP header of ${end} bytes (at most ${this.limits.maxHeaderBytes})`); return; }
        const length = this.contentLength(buf.toString('latin1', 0, end));
        if (length === undefined) return;
        this.want = length;
        this.parts = [buf.subarray(end + CRLF2.length)];
        this.size = this.parts[0]!.length;
      }
      // A body is joined once, when all of it is here (not per chunk: 16 MiB in 64 KiB chunks).
      if (this.size < this.want) return;
      const buf = this.join();
      const body = buf.subarray(0, this.want);
      this.parts = [buf.subarray(this.want)];
      this.size = this.parts[0]!.length;
      this.want = -1;
      this.onFrame(body);
      if (this.failed) return;
    }
  }

  private join(): Buffer {
    if (this.parts.length !== 1) this.parts = [Buffer.concat(this.parts, this.size)];
    return this.parts[0]!;
  }

  /** The header's Content-Length, or undefined after reporting what is wrong with it. */
  private contentLength(header: string): number | undefined {
    let length: number | undefined;
    for (const line of header.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) { this.fail(`a malformed DAP header line ${quote(line)}`); return undefined; }
      if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
      const value = line.slice(colon + 1).trim();
      if (!/^\d{1,16}$/.test(value)) { this.fail(`an invalid Content-Length ${quote(value)}`); return undefined; }
      const n = Number(value);
      if (length !== undefined && n !== length) { this.fail('two different Content-Length headers'); return undefined; }
      length = n;
    }
    if (length === undefined) { this.fail('a DAP header without Content-Length'); return undefined; }
    if (length > this.limits.maxBodyBytes) {
      this.fail(`a Content-Length of ${length} bytes (at most ${this.limits.maxBodyBytes} are accepted)`);
      return undefined;
    }
    return length;
  }

  private fail(what: string): void {
    this.failed = true;
    this.parts = [];
    this.size = 0;
    this.onViolation(`protocol error: the client sent ${what}; closing the connection`);
  }
}

function quote(s: string): string {
  const t = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(t);
}

/**
 * A stream of well-formed frames read from `input` within `limits`, for
 * ProtocolServer.start(). On a violation `onViolation` is called once, `input` is no
 * longer read (it is destroyed when it can be) and the returned stream ends, which the
 * session sees as the connection closing.
 */
export function guardedInput(input: NodeJS.ReadableStream, limits: WireLimits, onViolation: (message: string) => void): Readable {
  const out = new PassThrough();
  const reader = new FrameReader(limits, (body) => {
    out.write(`Content-Length: ${body.length}\r\n\r\n`);
    out.write(body);
  }, (message) => {
    onViolation(message);
    input.removeListener('data', onData);
    input.pause();
    // A socket is also the output: end it (the message above goes out first), then drop it.
    const s = input as Partial<Duplex>;
    if (typeof s.end === 'function') {
      s.end();
      setTimeout(() => s.destroy?.(), 1000).unref();
    } else s.destroy?.();
    out.end();
  });
  const onData = (chunk: Buffer | string): void => reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  input.on('data', onData);
  input.on('end', () => out.end());
  input.on('close', () => { if (!out.writableEnded) out.end(); });
  input.on('error', (e) => out.destroy(e));
  return out;
}
