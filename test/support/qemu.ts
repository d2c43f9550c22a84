// Runs a bare-metal MIPS64 ELF under QEMU's Malta board and inspects it over the GDB
// remote serial protocol, for differential tests of our CPU against QEMU.
//
// QEMU: `qemu-system-mips64el` (qemu-system-mips64 for big-endian) `-M malta -cpu 5KEc
// -m 256 -nographic -serial file:<uart> -monitor none -kernel prog.elf -S -gdb <socket>`.
// The GDB stub listens on a Unix socket in a private temp directory (`-gdb
// unix:<path>,server=on,wait=off`) rather than a TCP port, so parallel runs can never
// race for a port; a TCP port can be requested instead (`gdbTcp`), picked by binding
// port 0. With `trace`, QEMU also runs with `-singlestep -d exec,nochain -D <log>`
// (QEMU 7.2 has no `-accel tcg,one-insn-per-tb=on` yet; later versions get that spelling
// when their --help no longer lists -singlestep): every instruction is its own
// translation block and every block execution logs a line
//   Trace 0: 0x7f... [<cs_base>/<pc>/<flags>/<cflags>] <symbol>
// whose second bracketed field is the guest PC. Instruction fetch faults raise the
// exception while translating, so a faulting fetch logs nothing.
//
// GDB protocol (client side): packets `$data#cs` (checksum = byte sum mod 256) acked with
// `+`; run-length encoded replies (`*`) are expanded. We set `Z0,<end>,4`, send `c`,
// wait for the stop reply (on timeout, send ^C and report it), read `g` and `m` ranges,
// and send `k`. QEMU's `g` layout for MIPS64 (target/mips/gdbstub.c,
// mips_cpu_gdb_read_register; 73 core registers, each 8 bytes in target byte order):
//   0-31 GPRs, 32 Status, 33 LO, 34 HI, 35 BadVAddr, 36 Cause, 37 PC,
//   38-69 FPRs (when Config1.FP; FR=0: the 32-bit word), 70 FCSR, 71 FIR, 72 (fp, 0).
// Status, Cause, FCSR and FIR are sign-extended 32-bit values.

import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const QEMU_DEBIAN_PACKAGE = 'qemu-system-mips';

export function qemuBinary(bigEndian: boolean): string {
  return bigEndian ? 'qemu-system-mips64' : 'qemu-system-mips64el';
}

const availability = new Map<string, string | undefined>();

/** Undefined when the QEMU binary runs, otherwise why not. */
export function qemuMissing(bigEndian: boolean): string | undefined {
  const bin = qemuBinary(bigEndian);
  if (!availability.has(bin)) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    availability.set(bin, r.error || r.status !== 0
      ? `${bin} not installed (Debian package ${QEMU_DEBIAN_PACKAGE})` : undefined);
  }
  return availability.get(bin);
}

export interface QemuRunOptions {
  elf: Uint8Array;
  bigEndian: boolean;
  /** QEMU -cpu name (default 5KEc). */
  cpu?: string;
  /** Address of the breakpoint that ends the run. */
  breakAt: bigint;
  /** Memory ranges to read at the stop (virtual addresses). */
  memory?: Array<{ addr: bigint; length: number }>;
  /** Also log the executed-PC trace. */
  trace?: boolean;
  /** Wall-clock limit for the guest to reach breakAt (default 20 s). */
  timeoutMs?: number;
  /** Use a TCP port instead of a Unix socket for the GDB stub. */
  gdbTcp?: boolean;
}

export interface GdbRegisters {
  gpr: bigint[];
  status: bigint;
  lo: bigint;
  hi: bigint;
  badVAddr: bigint;
  cause: bigint;
  pc: bigint;
  /** FPRs 0-31, FCSR, FIR (present when the CPU has an FPU; zero otherwise). */
  fpr: bigint[];
  fcsr: bigint;
  fir: bigint;
}

export interface QemuRunResult {
  /** 'breakpoint' when the guest reached breakAt, 'timeout' when it was interrupted. */
  stop: 'breakpoint' | 'timeout';
  regs: GdbRegisters;
  memory: Uint8Array[];
  uart: string;
  /** Executed PCs from the log (when `trace`), in order, including QEMU's boot stub. */
  trace?: bigint[];
  /** QEMU's stderr (diagnostics). */
  stderr: string;
}

// ---- GDB remote protocol client -------------------------------------------------------

function checksum(s: string): string {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum = (sum + s.charCodeAt(i)) & 0xff;
  return sum.toString(16).padStart(2, '0');
}

/** Expands run-length encoding (`X*n`: repeat X n-29 more times). */
export function rleDecode(s: string): string {
  if (!s.includes('*')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '*' && i > 0 && i + 1 < s.length) {
      out += out[out.length - 1].repeat(s.charCodeAt(i + 1) - 29);
      i++;
    } else out += s[i];
  }
  return out;
}

export class GdbClient {
  private buf = '';
  private packets: string[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => { this.buf += d; this.parse(); });
    sock.on('close', () => { this.closed = true; this.waiter?.(); });
    sock.on('error', () => { this.closed = true; this.waiter?.(); });
  }

  /** Connects, retrying until the server accepts or `timeoutMs` passes. */
  static async connect(target: { path: string } | { port: number }, timeoutMs = 10000): Promise<GdbClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<Socket>((res, rej) => {
          const s = 'path' in target ? createConnection(target.path) : createConnection(target.port, '127.0.0.1');
          s.once('connect', () => { s.removeAllListeners('error'); res(s); });
          s.once('error', rej);
        });
        return new GdbClient(sock);
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`cannot connect to the GDB stub: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  private parse(): void {
    for (;;) {
      // Drop acks and anything before a packet start.
      const start = this.buf.indexOf('$');
      if (start < 0) { this.buf = ''; return; }
      const hash = this.buf.indexOf('#', start);
      if (hash < 0 || this.buf.length < hash + 3) { this.buf = this.buf.slice(start); return; }
      const data = this.buf.slice(start + 1, hash);
      const cs = this.buf.slice(hash + 1, hash + 3);
      this.buf = this.buf.slice(hash + 3);
      if (cs.toLowerCase() !== checksum(data)) { this.sock.write('-'); continue; }
      this.sock.write('+');
      this.packets.push(rleDecode(data));
      this.waiter?.();
    }
  }

  /** Next packet from the stub, or undefined on timeout / connection loss. */
  async receive(timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.packets.length === 0) {
      if (this.closed) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiter = () => { clearTimeout(t); res(); };
      });
      this.waiter = undefined;
    }
    return this.packets.shift();
  }

  send(data: string): void {
    this.sock.write(`$${data}#${checksum(data)}`);
  }

  async request(data: string, timeoutMs = 5000): Promise<string> {
    this.send(data);
    const r = await this.receive(timeoutMs);
    if (r === undefined) throw new Error(`GDB stub: no reply to '${data.slice(0, 40)}'`);
    return r;
  }

  /** Sends the interrupt character (^C). */
  interrupt(): void { this.sock.write('\x03'); }

  close(): void { this.sock.destroy(); }
}

// ---- register and memory decoding ---------------------------------------------------------

/** Reads one 8-byte register value from hex in target byte order. */
function regAt(hex: string, i: number, big: boolean): bigint {
  const h = hex.slice(i * 16, i * 16 + 16);
  if (h.length < 16 || h.includes('x')) return 0n;
  if (big) return BigInt('0x' + h);
  let le = '';
  for (let j = 14; j >= 0; j -= 2) le += h.slice(j, j + 2);
  return BigInt('0x' + le);
}

export function decodeRegisters(hex: string, big: boolean): GdbRegisters {
  const r = (i: number): bigint => regAt(hex, i, big);
  return {
    gpr: Array.from({ length: 32 }, (_, i) => r(i)),
    status: r(32), lo: r(33), hi: r(34), badVAddr: r(35), cause: r(36), pc: r(37),
    fpr: Array.from({ length: 32 }, (_, i) => r(38 + i)),
    fcsr: r(70), fir: r(71),
  };
}

function hexToBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Parses `-d exec` log text into the executed PCs. */
export function parseExecTrace(log: string): bigint[] {
  const out: bigint[] = [];
  const re = /^Trace \d+: \S+ \[[0-9a-f]+\/([0-9a-f]+)\//gm;
  for (let m = re.exec(log); m; m = re.exec(log)) out.push(BigInt('0x' + m[1]));
  return out;
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

const hex64 = (v: bigint): string => BigInt.asUintN(64, v).toString(16);

const insnPerTbArgs = new Map<string, string[]>();

/**
 * One instruction per translation block: `-singlestep` up to QEMU 8.0 (7.2 has nothing
 * else), `-accel tcg,one-insn-per-tb=on` in the versions that dropped it.
 */
function oneInsnPerTb(bigEndian: boolean): string[] {
  const bin = qemuBinary(bigEndian);
  let a = insnPerTbArgs.get(bin);
  if (!a) {
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' }).stdout ?? '';
    a = /^-singlestep\b/m.test(help) ? ['-singlestep'] : ['-accel', 'tcg,one-insn-per-tb=on'];
    insnPerTbArgs.set(bin, a);
  }
  return a;
}

/** Runs `opts.elf` under QEMU until `breakAt` (or the timeout) and collects the state. */
export async function runQemu(opts: QemuRunOptions): Promise<QemuRunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mips64-qemu-'));
  const elfPath = join(dir, 'prog.elf');
  const uartPath = join(dir, 'uart.txt');
  const logPath = join(dir, 'exec.log');
  const sockPath = join(dir, 'gdb.sock');
  writeFileSync(elfPath, opts.elf);
  const port = opts.gdbTcp ? await freeTcpPort() : 0;
  const args = [
    '-M', 'malta', '-cpu', opts.cpu ?? '5KEc', '-m', '256', '-nographic', '-monitor', 'none',
    '-serial', `file:${uartPath}`, '-kernel', elfPath, '-S',
    '-gdb', opts.gdbTcp ? `tcp:127.0.0.1:${port}` : `unix:${sockPath},server=on,wait=off`,
  ];
  if (opts.trace) args.push(...oneInsnPerTb(opts.bigEndian), '-d', 'exec,nochain', '-D', logPath);
  const proc: ChildProcess = spawn(qemuBinary(opts.bigEndian), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => { stderr += d; });
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  let gdb: GdbClient | undefined;
  try {
    gdb = await GdbClient.connect(opts.gdbTcp ? { port } : { path: sockPath });
    const ok = await gdb.request(`Z0,${hex64(opts.breakAt)},4`);
    if (ok !== 'OK') throw new Error(`breakpoint not accepted: ${ok}`);
    gdb.send('c');
    let stop: QemuRunResult['stop'] = 'breakpoint';
    let reply = await gdb.receive(opts.timeoutMs ?? 20000);
    if (reply === undefined) {
      stop = 'timeout';
      gdb.interrupt();
      reply = await gdb.receive(5000);
      if (reply === undefined) throw new Error('QEMU did not stop after ^C');
    }
    if (!/^[ST]/.test(reply)) throw new Error(`unexpected stop reply '${reply}'`);
    const regs = decodeRegisters(await gdb.request('g'), opts.bigEndian);
    const memory: Uint8Array[] = [];
    for (const m of opts.memory ?? []) {
      const parts: Uint8Array[] = [];
      for (let off = 0; off < m.length; off += 1024) {
        const n = Math.min(1024, m.length - off);
        const r = await gdb.request(`m${hex64(m.addr + BigInt(off))},${n.toString(16)}`);
        if (/^E[0-9a-f]{2}$/i.test(r)) throw new Error(`cannot read memory at 0x${hex64(m.addr + BigInt(off))}: ${r}`);
        parts.push(hexToBytes(r));
      }
      const all = new Uint8Array(m.length);
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      memory.push(all);
    }
    gdb.send('k');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (proc.exitCode === null) { proc.kill('SIGKILL'); await exited; }
    const uart = readText(uartPath);
    const trace = opts.trace ? parseExecTrace(readText(logPath)) : undefined;
    return { stop, regs, memory, uart, trace, stderr };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nQEMU: ${qemuBinary(opts.bigEndian)} ${args.join(' ')}\n${stderr}`);
  } finally {
    gdb?.close();
    if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGKILL'); await exited; }
    rmSync(dir, { recursive: true, force: true });
  }
}

function readText(p: string): string {
  try { return readFileSync(p, 'latin1'); } catch { return ''; }
}

/** Runs async jobs with at most `limit` in flight. */
export function limiter(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    // A finishing job hands its slot straight to the next queued one.
    if (active >= limit) await new Promise<void>((res) => queue.push(res));
    else active++;
    try { return await job(); } finally {
      const next = queue.shift();
      if (next) next(); else active--;
    }
  };
}
