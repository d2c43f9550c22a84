// The RSP framing (src/gdbstub/rsp-codec.ts): packets split anywhere across chunks, acks and
// Ctrl-C between packets, checksums, the oversized-packet skip, a `$` restarting a packet
// the client gave up on, and the binary escape round trip.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeBinary, framePacket, PacketReader, RspEvent, unescapeBinary } from '../../src/gdbstub/rsp-codec';

function events(max: number, chunks: Array<string | Buffer>): string[] {
  const out: string[] = [];
  const r = new PacketReader(max, (e: RspEvent) => {
    if (e.kind === 'packet') out.push(`packet:${e.data.toString('latin1')}`);
    else if (e.kind === 'overflow') out.push(`overflow:${e.length}`);
    else out.push(e.kind);
  });
  for (const c of chunks) r.feed(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  return out;
}

test('packets are reassembled whatever the chunking', () => {
  const wire = `+${framePacket('qSupported:swbreak+').toString('latin1')}\x03-${framePacket('g').toString('latin1')}`;
  const expected = ['ack', 'packet:qSupported:swbreak+', 'interrupt', 'nack', 'packet:g'];
  assert.deepEqual(events(64, [wire]), expected);
  assert.deepEqual(events(64, [...wire]), expected, 'one byte at a time');
  for (let cut = 1; cut < wire.length; cut++) assert.deepEqual(events(64, [wire.slice(0, cut), wire.slice(cut)]), expected);
});

test('bad checksums, oversized packets and restarted packets', () => {
  assert.deepEqual(events(64, ['$g#00', '$g#zz']), ['bad-checksum', 'bad-checksum']);
  assert.deepEqual(events(8, [framePacket('m0,123456789').toString('latin1'), framePacket('?').toString('latin1')]), ['overflow:12', 'packet:?']);
  assert.deepEqual(events(64, ['$mffff', framePacket('?').toString('latin1')]), ['packet:?'], 'a $ inside a packet starts a new one');
  assert.deepEqual(events(64, ['junk\r\n', framePacket('c').toString('latin1')]), ['packet:c'], 'bytes between packets are ignored');
});

test('binary escapes round-trip every byte value', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const esc = escapeBinary(all);
  for (const special of [0x23, 0x24, 0x2a]) assert.equal(esc.indexOf(special), -1, `0x${special.toString(16)} never appears raw`);
  assert.deepEqual(unescapeBinary(esc), all);
  assert.equal(unescapeBinary(Buffer.from([0x41, 0x7d])), undefined, 'an escape cut short');
});
