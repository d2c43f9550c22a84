// One gdb connection: the Remote Serial Protocol as gdb-multiarch speaks it to a MIPS64
// target (all-stop, one thread), translated into GdbTarget / MachineDebugger calls.
//
//   ? g G p P m M X              stop reason, registers (registers.ts), memory (DebugMemory:
//                                RAM only, no device side effects; partial reads answer the
//                                readable prefix)
//   c s C S vCont vCont? D k     run control through the host's runtime; Ctrl-C (0x03) pauses
//   Z0/z0 Z1/z1                  code breakpoints (the debugger core's 'remote' kind)
//   Z2/Z3/Z4 (and z)             write/read/access watchpoints, any number (page traps)
//   qSupported qXfer:features:read qOffsets (the KASLR offset) qRcmd (monitor.ts)
//   qAttached qC qfThreadInfo qsThreadInfo QStartNoAckMode vMustReplyEmpty …
//   bs bc                        reverse step/continue, when the host has time travel
//
// Breakpoint and watchpoint packets only change this session's sets; they reach the
// debugger core when the target resumes (gdb removes and re-inserts every breakpoint
// around each stop: the same set then changes nothing, and no translated code is dropped).
//
// Watchpoints: gdb's MIPS target assumes a watchpoint reports *before* the access (as the
// hardware does) and single-steps the instruction itself, with watchpoints removed,
// before checking the value. The debugger core stops *after* the instruction, so the
// first resume after a watchpoint stop whose watchpoint gdb has removed meanwhile (and no
// register or memory written) is that step, already done: it is answered at once, and
// gdb reports the change at the instruction after the access, as on hardware.
//
// Errors are `E NN` (`E.text` when the client announced error-message+): 22 (EINVAL) for
// malformed packets, 14 (EFAULT) for memory that cannot be read or written. Unknown
// packets get the empty reply, as the protocol says.

import type { StopInfo, WatchHit } from '../emulator/debug/debugger';
import type { WatchAccess } from '../emulator/debug/watchpoints';
import {
  escapeBinary, framePacket, fromHex, PacketReader, parseHexNumber, RspEvent, textToHex, toHex, unescapeBinary,
} from './rsp-codec';
import { MonitorError, runMonitor } from './monitor';
import { CORE_REGISTERS, decodeRegister, encodeRegister, GdbRegister, PC_REGNUM, registersOf, SP_REGNUM } from './registers';
import { GdbTarget } from './target';
import { targetXml } from './target-xml';

/** PacketSize we announce (hex in qSupported): the longest packet we accept, and about twice the largest `m` reply gdb asks for. */
export const PACKET_SIZE = 0x20000;
const THREAD = '1';
const SIGINT = 0x02, SIGTRAP = 0x05;

export interface GdbSessionIo {
  write(bytes: Buffer): void;
  /** Closes the connection (after `k` or a fatal protocol state). */
  end(): void;
  /** A line for the host's log (connections, detaches, refused input). */
  note?(line: string): void;
}

interface Watch { readonly id: number; readonly type: 2 | 3 | 4; readonly addr: bigint; readonly length: number }

const WATCH_ACCESS: Record<2 | 3 | 4, WatchAccess> = { 2: 'write', 3: 'read', 4: 'readWrite' };
const WATCH_REPLY: Record<WatchAccess, string> = { write: 'watch', read: 'rwatch', readWrite: 'awatch' };

export class GdbSession {
  private readonly reader: PacketReader;
  private readonly registers: GdbRegister[];
  private readonly byNum = new Map<number, GdbRegister>();
  private readonly xml: string;
  private noAck = false;
  private errorText = false;
  private lastSent: Buffer | undefined;
  /** A resume is outstanding: the next stop (or exit) is answered with a stop reply. */
  private waiting = false;
  /** The stop reply describing the current state ('?'). */
  private stopReply = `T${hex2(SIGTRAP)}thread:${THREAD};`;
  /** Stopping the target on connection (gdb expects a stopped target). */
  private halting: Promise<void> | undefined;
  private haltDone: (() => void) | undefined;
  private interrupted = false;
  private readonly codeBps = new Map<bigint, 'sw' | 'hw'>();
  private readonly watches = new Map<string, Watch>();
  private nextWatchId = 1;
  /** Ids of the watches this session has inserted (by key), kept while they are removed for a step. */
  private readonly watchIds = new Map<string, number>();
  /** The breakpoint set last given to the debugger core (a signature). */
  private synced = '';
  /** After a watchpoint stop: the watch, and whether gdb removed it since (see the header). */
  private watchStep: { key: string; removed: boolean } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly offs: Array<() => void> = [];

  constructor(private readonly target: GdbTarget, private readonly io: GdbSessionIo) {
    this.reader = new PacketReader(PACKET_SIZE, (e) => this.onEvent(e));
    this.registers = registersOf(target.dbg.cpu);
    for (const r of this.registers) this.byNum.set(r.regnum, r);
    this.xml = targetXml(target.dbg.cpu, this.registers);
    this.offs.push(target.onStop((s) => this.onStop(s)), target.onExit((code) => this.onExit(code)));
    if (target.state === 'exited') this.stopReply = `W${hex2(target.dbg.machine.exitCode & 0xff)}`;
    else if (target.state === 'running' || target.state === 'idle' || target.state === 'not started') {
      // gdb expects a stopped target when it connects (as QEMU stops its VM).
      this.halting = new Promise((res) => { this.haltDone = res; });
      target.pause();
    }
  }

  /** The session is over (detach, kill, or the connection closed): the port may serve another client. */
  get done(): boolean {
    return this.closed;
  }

  /** Bytes from the connection. */
  feed(chunk: Uint8Array): void {
    if (!this.closed) this.reader.feed(chunk);
  }

  /** The connection closed (detach, kill, or the client vanished): our breakpoints go, the target is released. */
  disconnected(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearAll();
    for (const off of this.offs.splice(0)) off();
    this.haltDone?.();
    this.target.release();
  }

  // ---- wire ------------------------------------------------------------------------------------

  private onEvent(e: RspEvent): void {
    switch (e.kind) {
      case 'ack': return;
      case 'nack': if (this.lastSent && !this.noAck) this.io.write(this.lastSent); return;
      case 'interrupt': this.interrupt(); return;
      case 'bad-checksum':
        if (this.noAck) this.reply(this.error(22, 'bad checksum'));
        else this.io.write(Buffer.from('-'));
        return;
      case 'overflow':
        this.io.note?.(`gdb: refused a packet of ${e.length} bytes (the limit is ${PACKET_SIZE})`);
        if (!this.noAck) this.io.write(Buffer.from('+'));
        this.reply(this.error(22, `packet longer than ${PACKET_SIZE} bytes`));
        return;
      case 'packet': {
        if (!this.noAck) this.io.write(Buffer.from('+'));
        const data = e.data;
        this.chain = this.chain.then(() => this.handle(data)).catch((err: unknown) => {
          // A handler bug must not end the session: report it as an error reply.
          this.io.note?.(`gdb: internal error on '${data.subarray(0, 40).toString('latin1')}': ${(err as Error).stack ?? String(err)}`);
          this.reply(this.error(22, `internal error: ${(err as Error).message}`));
        });
      }
    }
  }

  private reply(data: string | Buffer): void {
    if (this.closed) return;
    const frame = framePacket(data);
    this.lastSent = frame;
    this.io.write(frame);
  }

  private error(code: number, text: string): string {
    return this.errorText ? `E.${text.replace(/[$#}*]/g, ' ')}` : `E${hex2(code)}`;
  }

  // ---- packets -----------------------------------------------------------------------------------

  private async handle(raw: Buffer): Promise<void> {
    if (this.closed) return;
    // Binary data only in X (after the colon); everything else is ASCII.
    const text = raw.toString('latin1');
    const r = await this.dispatch(text, raw);
    if (r !== undefined) this.reply(r);
  }

  /** The reply to a packet, or undefined when it comes later (a resume: the stop reply). */
  private async dispatch(p: string, raw: Buffer): Promise<string | Buffer | undefined> {
    switch (p[0]) {
      case '?': await this.halting; return this.stopReply;
      case 'g': return this.readAllRegisters();
      case 'G': return this.writeAllRegisters(p.slice(1));
      case 'p': return this.readRegister(p.slice(1));
      case 'P': return this.writeRegister(p.slice(1));
      case 'm': return this.readMemory(p.slice(1));
      case 'M': return this.writeMemory(p.slice(1));
      case 'X': return this.writeBinary(raw);
      case 'Z': case 'z': return this.breakpoint(p[0] === 'Z', p.slice(1));
      case 'c': case 's': case 'C': case 'S': return this.resumePacket(p);
      case 'v': return this.vPacket(p);
      case 'b': return this.reversePacket(p);
      case 'q': return this.query(p);
      case 'Q':
        if (p === 'QStartNoAckMode') { this.reply('OK'); this.noAck = true; return undefined; }
        return '';
      case 'H': case 'T': return 'OK';
      case 'D': this.detach(); return undefined;
      case 'k': this.kill(); return undefined;
      default: return '';
    }
  }

  private query(p: string): string | Buffer {
    const [name] = p.split(/[:,]/, 1) as [string];
    switch (name) {
      case 'qSupported': {
        const features = p.slice('qSupported:'.length).split(';');
        this.errorText = features.includes('error-message+');
        const reverse = this.target.reverse ? ';ReverseStep+;ReverseContinue+' : '';
        return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+${reverse}${this.errorText ? ';error-message+' : ''}`;
      }
      case 'qXfer': return this.xfer(p);
      case 'qAttached': return '1';
      case 'qC': return `QC${THREAD}`;
      case 'qfThreadInfo': return `m${THREAD}`;
      case 'qsThreadInfo': return 'l';
      case 'qThreadExtraInfo': return textToHex(`CPU 0 (${this.target.dbg.machine.model.name})`);
      case 'qOffsets': {
        const o = this.target.kernelOffset();
        if (o === undefined) return '';
        const h = o.toString(16);
        return `Text=${h};Data=${h};Bss=${h}`;
      }
      case 'qRcmd': return this.monitor(p.slice('qRcmd,'.length));
      case 'qSymbol': return 'OK';
      default: return '';
    }
  }

  private xfer(p: string): string | Buffer {
    const m = /^qXfer:features:read:([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
    if (!m) return p.startsWith('qXfer:features:read:') ? this.error(22, 'malformed qXfer') : '';
    if (m[1] !== 'target.xml') return this.error(0, `no annex '${m[1]}'`);
    const data = Buffer.from(this.xml, 'utf8');
    const off = parseInt(m[2]!, 16), len = parseInt(m[3]!, 16);
    if (off > data.length) return this.error(22, 'offset past the end');
    const chunk = data.subarray(off, off + Math.min(len, PACKET_SIZE / 2));
    return Buffer.concat([Buffer.from(off + chunk.length >= data.length ? 'l' : 'm'), escapeBinary(chunk)]);
  }

  private monitor(hexCommand: string): string {
    const bytes = fromHex(hexCommand);
    if (!bytes) return this.error(22, 'malformed qRcmd');
    const command = Buffer.from(bytes).toString('utf8');
    let out: string, ok = true;
    try {
      out = runMonitor(this.target, command);
    } catch (e) {
      if (!(e instanceof MonitorError)) throw e;
      out = `error: ${e.message}`;
      ok = false;
    }
    this.reply(`O${textToHex(`${out}\n`)}`);
    return ok ? 'OK' : this.error(1, out);
  }

  // ---- registers ----------------------------------------------------------------------------------

  private get bigEndian(): boolean {
    return this.target.dbg.mem.bigEndian;
  }

  private readAllRegisters(): string {
    const cpu = this.target.dbg.cpu;
    const out = new Uint8Array(CORE_REGISTERS * 8);
    for (let i = 0; i < CORE_REGISTERS; i++) {
      const r = this.registers[i]!;
      encodeRegister(r, r.read(cpu), this.bigEndian, out, i * 8);
    }
    return toHex(out);
  }

  private writeAllRegisters(hex: string): string {
    const bytes = fromHex(hex);
    if (!bytes || bytes.length % 8 !== 0 || bytes.length > CORE_REGISTERS * 8) return this.error(22, 'malformed G packet');
    const dbg = this.target.dbg;
    this.noteWrite();
    // gdb sends back every register: only the ones whose value differs are written (no
    // mtc0 side effects for values that did not change; read-only ones are left alone).
    for (let i = 0; i < bytes.length / 8; i++) {
      const r = this.registers[i]!;
      const v = decodeRegister(r, bytes, i * 8, this.bigEndian);
      if (v === r.read(dbg.cpu) || !r.write) continue;
      try { r.write(dbg, v); } catch (e) { return this.error(22, `${r.name}: ${(e as Error).message}`); }
    }
    return 'OK';
  }

  private readRegister(arg: string): string {
    const n = parseHexNumber(arg);
    const r = n === undefined ? undefined : this.byNum.get(Number(n));
    if (!r) return this.error(22, `no register ${arg}`);
    const out = new Uint8Array(r.bits / 8);
    encodeRegister(r, r.read(this.target.dbg.cpu), this.bigEndian, out, 0);
    return toHex(out);
  }

  private writeRegister(arg: string): string {
    const m = /^([0-9a-fA-F]+)=([0-9a-fA-F]*)$/.exec(arg);
    const r = m ? this.byNum.get(parseInt(m[1]!, 16)) : undefined;
    const bytes = m ? fromHex(m[2]!) : undefined;
    if (!r || !bytes || bytes.length !== r.bits / 8) return this.error(22, 'malformed P packet');
    if (!r.write) return this.error(22, `${r.name} is read-only`);
    this.noteWrite();
    try {
      r.write(this.target.dbg, decodeRegister(r, bytes, 0, this.bigEndian));
    } catch (e) {
      return this.error(22, `${r.name}: ${(e as Error).message}`);
    }
    return 'OK';
  }

  // ---- memory -------------------------------------------------------------------------------------

  private addrLen(arg: string): { addr: bigint; len: number } | undefined {
    const m = /^([0-9a-fA-F]{1,16}),([0-9a-fA-F]{1,8})$/.exec(arg);
    if (!m) return undefined;
    return { addr: BigInt(`0x${m[1]}`), len: parseInt(m[2]!, 16) };
  }

  private readMemory(arg: string): string {
    const a = this.addrLen(arg);
    if (!a) return this.error(22, 'malformed m packet');
    const bytes = this.target.dbg.mem.readPrefix({ addr: a.addr, phys: false }, Math.min(a.len, PACKET_SIZE / 2));
    if (bytes.length === 0 && a.len > 0) return this.error(14, `cannot read memory at 0x${a.addr.toString(16)}`);
    return toHex(bytes);
  }

  private writeMemory(arg: string): string {
    const colon = arg.indexOf(':');
    const a = colon < 0 ? undefined : this.addrLen(arg.slice(0, colon));
    const bytes = a ? fromHex(arg.slice(colon + 1)) : undefined;
    if (!a || !bytes || bytes.length !== a.len) return this.error(22, 'malformed M packet');
    return this.write(a.addr, bytes);
  }

  private writeBinary(raw: Buffer): string {
    const colon = raw.indexOf(0x3a);
    const a = colon < 0 ? undefined : this.addrLen(raw.subarray(1, colon).toString('latin1'));
    const bytes = a ? unescapeBinary(raw.subarray(colon + 1)) : undefined;
    if (!a || !bytes || bytes.length !== a.len) return this.error(22, 'malformed X packet');
    return this.write(a.addr, bytes);
  }

  private write(addr: bigint, bytes: Uint8Array): string {
    if (bytes.length === 0) return 'OK';
    this.noteWrite();
    const n = this.target.dbg.mem.write({ addr, phys: false }, bytes);
    this.target.changed();
    return n === bytes.length ? 'OK' : this.error(14, `cannot write memory at 0x${BigInt.asUintN(64, addr + BigInt(n)).toString(16)}`);
  }

  /** Registers or memory were written: a pending watchpoint step (header) is no longer gdb's. */
  private noteWrite(): void {
    this.watchStep = undefined;
  }

  // ---- breakpoints and watchpoints ---------------------------------------------------------------------

  private breakpoint(insert: boolean, arg: string): string {
    const m = /^([0-4]),([0-9a-fA-F]{1,16}),([0-9a-fA-F]{1,8})(;.*)?$/.exec(arg);
    if (!m) return this.error(22, `malformed ${insert ? 'Z' : 'z'} packet`);
    const type = Number(m[1]) as 0 | 1 | 2 | 3 | 4;
    const addr = BigInt(`0x${m[2]}`);
    const size = parseInt(m[3]!, 16);
    if (type <= 1) {
      // kind: 4 (MIPS), 2 or 3 (MIPS16e / microMIPS encodings of the same address).
      if (size < 2 || size > 4) return this.error(22, `breakpoint kind ${size}`);
      if (addr & 1n) return this.error(22, `0x${addr.toString(16)} is not an instruction address`);
      if (insert) this.codeBps.set(addr & ~3n, type === 0 ? 'sw' : 'hw');
      else this.codeBps.delete(addr & ~3n);
      return 'OK';
    }
    const wtype = type as 2 | 3 | 4;
    const key = `${wtype}:${addr.toString(16)}:${size}`;
    if (!insert) {
      if (this.watches.delete(key) && this.watchStep?.key === key) this.watchStep.removed = true;
      return 'OK';
    }
    if (this.watches.has(key)) return 'OK';
    // The same watch gets the same id when gdb re-inserts it (the set the core has is then unchanged).
    let id = this.watchIds.get(key);
    if (id === undefined) { id = this.nextWatchId++; this.watchIds.set(key, id); }
    const w: Watch = { id, type: wtype, addr, length: size };
    const check = this.target.dbg.watches.resolve({ id: w.id, addr, phys: false, length: size, access: WATCH_ACCESS[wtype] });
    if ('error' in check) return this.error(22, check.error);
    this.watches.set(key, w);
    return 'OK';
  }

  /** Gives this session's breakpoints and watchpoints to the debugger core (when they changed). */
  private syncBreakpoints(): void {
    const code = [...this.codeBps.keys()].map((a) => a.toString(16)).sort().join(',');
    const watches = [...this.watches.keys()].sort().join(',');
    const sig = `${code}|${watches}`;
    if (sig === this.synced) return;
    this.synced = sig;
    const dbg = this.target.dbg;
    let id = 1;
    dbg.setCodeBreakpoints('remote', [...this.codeBps.keys()].map((addr) => ({ id: id++, addr })));
    dbg.setDataBreakpoints([...this.watches.values()].map((w) => ({
      id: w.id, addr: w.addr, phys: false, length: w.length, access: WATCH_ACCESS[w.type], owner: 'remote' as const,
    })), 'remote');
  }

  private clearAll(): void {
    this.codeBps.clear();
    this.watches.clear();
    this.syncBreakpoints();
  }

  // ---- run control -------------------------------------------------------------------------------------

  private resumePacket(p: string): string | undefined {
    const step = p[0] === 's' || p[0] === 'S';
    // c [addr], s [addr], C sig[;addr], S sig[;addr]: the signal is not delivered (a machine has none).
    const arg = p[0] === 'C' || p[0] === 'S' ? p.slice(1).split(';')[1] : p.slice(1);
    if (arg) {
      const addr = parseHexNumber(arg);
      if (addr === undefined) return this.error(22, `malformed ${p[0]} packet`);
      try { this.target.dbg.setPc(addr); } catch (e) { return this.error(22, (e as Error).message); }
      this.noteWrite();
    }
    return this.resume(step);
  }

  private vPacket(p: string): string | undefined {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      // The first action for our thread (or for all threads) applies.
      for (const action of p.slice(6).split(';')) {
        const [what, thread] = action.split(':');
        if (thread !== undefined && thread !== THREAD && thread !== '-1' && thread !== 'p1.-1' && thread !== 'p1.1') continue;
        const op = what?.[0];
        if (op === 'c' || op === 'C') return this.resume(false);
        if (op === 's' || op === 'S') return this.resume(true);
        return this.error(22, `unsupported vCont action '${action}'`);
      }
      return this.error(22, 'no vCont action for thread 1');
    }
    if (p === 'vKill' || p.startsWith('vKill;')) { this.reply('OK'); this.kill(); return undefined; }
    return '';
  }

  private reversePacket(p: string): string | undefined {
    const rev = this.target.reverse;
    if (!rev || (p !== 'bs' && p !== 'bc')) return '';
    if (this.target.state === 'exited') return this.stopReply;
    this.syncBreakpoints();
    this.watchStep = undefined;
    this.waiting = true;
    if (p === 'bs') rev.step();
    else rev.resume();
    return undefined;
  }

  private resume(step: boolean): string | undefined {
    if (this.target.state === 'exited') return this.stopReply;
    const ws = this.watchStep;
    this.watchStep = undefined;
    if (ws?.removed) return `T${hex2(SIGTRAP)}thread:${THREAD};`; // gdb's step over the watched access: done
    this.syncBreakpoints();
    this.waiting = true;
    this.interrupted = false;
    if (step) this.target.step();
    else this.target.resume();
    return undefined;
  }

  private interrupt(): void {
    if (!this.waiting || this.interrupted) return;
    this.interrupted = true;
    this.target.pause();
  }

  private onStop(stop: StopInfo): void {
    const halt = this.haltDone;
    const signal = stop.reason === 'pause' && !halt ? SIGINT : SIGTRAP;
    let extra = '';
    const watch = stop.watchHits?.find((h) => h.watch.owner === 'remote');
    this.watchStep = undefined;
    if (watch) {
      extra = `${WATCH_REPLY[watch.watch.access]}:${watchedAddress(watch).toString(16)};`;
      const w = [...this.watches.entries()].find(([, x]) => x.id === watch.watch.id);
      if (w) this.watchStep = { key: w[0], removed: false };
    } else if (stop.reason.endsWith('breakpoint') && stop.reason !== 'data breakpoint') {
      const kind = this.codeBps.get(BigInt.asUintN(64, this.target.dbg.cpu.pc));
      if (kind) extra = `${kind === 'sw' ? 'swbreak' : 'hwbreak'}:;`;
    }
    const cpu = this.target.dbg.cpu;
    const reg = (n: number): string => {
      const r = this.byNum.get(n)!;
      const b = new Uint8Array(8);
      encodeRegister(r, r.read(cpu), this.bigEndian, b, 0);
      return `${n.toString(16)}:${toHex(b)};`;
    };
    this.stopReply = `T${hex2(signal)}thread:${THREAD};${extra}${reg(PC_REGNUM)}${reg(SP_REGNUM)}`;
    if (halt) { this.haltDone = undefined; this.halting = undefined; halt(); }
    if (this.waiting) {
      this.waiting = false;
      this.reply(this.stopReply);
    }
  }

  private onExit(code: number): void {
    this.stopReply = `W${hex2(code & 0xff)}`;
    this.haltDone?.();
    this.haltDone = undefined;
    this.halting = undefined;
    if (this.waiting) {
      this.waiting = false;
      this.reply(this.stopReply);
    }
  }

  private detach(): void {
    this.reply('OK');
    this.clearAll();
    if (this.target.state === 'stopped') this.target.resume();
    this.io.end();
    this.disconnected();
  }

  private kill(): void {
    this.clearAll();
    this.io.note?.('gdb killed the guest');
    this.target.kill();
    this.io.end();
    this.disconnected();
  }
}

/** The first watched byte the access touched (gdb matches the address against its watch ranges). */
function watchedAddress(h: WatchHit): bigint {
  return h.va > h.watch.addr ? h.va : h.watch.addr;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
