// The framing of gdb's Remote Serial Protocol: `$data#cs` packets (cs = the byte sum of
// data modulo 256, two hex digits), `+`/`-` acknowledgements, the interrupt byte 0x03
// (Ctrl-C) between packets, and the binary escape `}` (the next byte XOR 0x20) of `X`
// packets and qXfer replies.
//
// PacketReader turns the bytes of a connection into events, whatever the chunking, and
// never buffers more than `maxPacket` bytes: a longer packet is skipped to its end and
// reported as 'overflow'; a `$` inside a packet (the client gave up on a packet half sent
// and started another) starts the new one. Bytes between packets other than `+`, `-` and
// 0x03 are ignored, as gdbserver does.

export type RspEvent =
  | { readonly kind: 'packet'; readonly data: Buffer }
  | { readonly kind: 'ack' | 'nack' | 'interrupt' | 'bad-checksum' }
  | { readonly kind: 'overflow'; readonly length: number };

const DOLLAR = 0x24, HASH = 0x23, PLUS = 0x2b, MINUS = 0x2d, CTRL_C = 0x03, ESCAPE = 0x7d, STAR = 0x2a;

const enum State { Idle, Data, Sum1, Sum2 }

export class PacketReader {
  private state = State.Idle;
  private buf: Buffer;
  private len = 0;
  /** Bytes of the current packet, counted past maxPacket too. */
  private seen = 0;
  private sum = 0;
  private sumText = '';

  constructor(private readonly maxPacket: number, private readonly emit: (e: RspEvent) => void) {
    this.buf = Buffer.alloc(Math.min(maxPacket, 4096));
  }

  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.Idle:
          if (b === DOLLAR) this.start();
          else if (b === PLUS) this.emit({ kind: 'ack' });
          else if (b === MINUS) this.emit({ kind: 'nack' });
          else if (b === CTRL_C) this.emit({ kind: 'interrupt' });
          break;
        case State.Data: {
          if (b === HASH) { this.state = State.Sum1; break; }
          if (b === DOLLAR) { this.start(); break; }
          this.seen++;
          this.sum = (this.sum + b) & 0xff;
          if (this.seen > this.maxPacket) break; // skipped: reported at its end
          if (this.len === this.buf.length) {
            const bigger = Buffer.alloc(Math.min(this.maxPacket, this.buf.length * 2));
            this.buf.copy(bigger, 0, 0, this.len);
            this.buf = bigger;
          }
          this.buf[this.len++] = b;
          break;
        }
        case State.Sum1:
          this.sumText = String.fromCharCode(b);
          this.state = State.Sum2;
          break;
        case State.Sum2: {
          this.state = State.Idle;
          const cs = this.sumText + String.fromCharCode(b);
          if (this.seen > this.maxPacket) { this.emit({ kind: 'overflow', length: this.seen }); break; }
          if (!/^[0-9a-fA-F]{2}$/.test(cs) || parseInt(cs, 16) !== this.sum) { this.emit({ kind: 'bad-checksum' }); break; }
          this.emit({ kind: 'packet', data: Buffer.from(this.buf.subarray(0, this.len)) });
          break;
        }
      }
    }
  }

  private start(): void {
    this.state = State.Data;
    this.len = 0;
    this.seen = 0;
    this.sum = 0;
  }
}

function checksum(data: Buffer): string {
  let s = 0;
  for (let i = 0; i < data.length; i++) s = (s + data[i]!) & 0xff;
  return s.toString(16).padStart(2, '0');
}

/** A packet on the wire for `data` (already escaped where it is binary). */
export function framePacket(data: Buffer | string): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return Buffer.concat([Buffer.from('$'), d, Buffer.from(`#${checksum(d)}`)]);
}

/** Escapes binary data for a reply (`$ # } *` become `}` and the byte XOR 0x20). */
export function escapeBinary(data: Uint8Array): Buffer {
  let n = 0;
  for (const b of data) if (b === DOLLAR || b === HASH || b === ESCAPE || b === STAR) n++;
  if (n === 0) return Buffer.from(data);
  const out = Buffer.alloc(data.length + n);
  let j = 0;
  for (const b of data) {
    if (b === DOLLAR || b === HASH || b === ESCAPE || b === STAR) { out[j++] = ESCAPE; out[j++] = b ^ 0x20; } else out[j++] = b;
  }
  return out;
}

/** Undoes escapeBinary (the data of an `X` packet); undefined when it ends inside an escape. */
export function unescapeBinary(data: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(data.length);
  let j = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b !== ESCAPE) { out[j++] = b; continue; }
    if (++i >= data.length) return undefined;
    out[j++] = data[i]! ^ 0x20;
  }
  return out.subarray(0, j);
}

/** Bytes from an even-length hex string, or undefined when it is not one. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Text as hex (qRcmd commands, `O` console output). */
export function textToHex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/** An unsigned hex number of the protocol (addresses, lengths), or undefined. */
export function parseHexNumber(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) return undefined;
  return BigInt(`0x${text}`);
}
