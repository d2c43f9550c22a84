// Runs a raw bare-metal image as the boot ROM of qemu-system-mips64el's Malta board and reads
// guest memory back through QEMU's gdbstub (GDB remote serial protocol over a Unix socket).
// The image starts at 0xffffffffbfc00000 (the reset vector) with Status.BEV = 1, so its
// general exception handler lives at offset 0x380. QEMU overwrites the word at offset 0x10
// with the Malta board id, so programs must keep code away from it, and on little-endian
// targets it byte-swaps every 32-bit word of the first 0x3e0000 bytes of the image (callers
// store words big-endian).
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { connect, Socket } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const QEMU = 'qemu-system-mips64el';

export function haveQemu(): boolean {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

class GdbConn {
  private buf = '';
  private waiters: (() => void)[] = [];
  constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  private async more(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('gdbstub: timeout');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('gdbstub: timeout')), left);
      this.waiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  /** Reads one packet, acknowledging it. */
  async recv(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const start = this.buf.indexOf('$');
      if (start >= 0) {
        const end = this.buf.indexOf('#', start);
        if (end >= 0 && this.buf.length >= end + 3) {
          const body = this.buf.slice(start + 1, end);
          this.buf = this.buf.slice(end + 3);
          this.sock.write('+');
          return body;
        }
      }
      await this.more(deadline);
    }
  }

  send(body: string): void {
    let sum = 0;
    for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xff;
    this.sock.write(`$${body}#${sum.toString(16).padStart(2, '0')}`);
  }

  async cmd(body: string, timeoutMs = 10000): Promise<string> {
    this.send(body);
    return this.recv(timeoutMs);
  }

  interrupt(): void {
    this.sock.write('\x03');
  }
}

export interface QemuRun {
  /** Reads `len` bytes of guest virtual memory. */
  read(addr: bigint, len: number): Promise<Uint8Array>;
}

/**
 * Boots `image` on `-M malta -cpu <cpu>`, runs until the PC reaches `stopAt`, then hands a
 * memory reader to `inspect`. Throws with QEMU's stderr and the PC when the program does not
 * reach `stopAt` within `timeoutMs`.
 */
export async function runQemu<T>(image: Uint8Array, cpu: string, stopAt: bigint, timeoutMs: number, inspect: (q: QemuRun) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mips64-fpu-qemu-'));
  const bios = join(dir, 'prog.bin');
  const sockPath = join(dir, 'gdb.sock');
  writeFileSync(bios, image);
  let proc: ChildProcess | undefined;
  let sock: Socket | undefined;
  let stderr = '';
  try {
    proc = spawn(QEMU, [
      '-M', 'malta', '-cpu', cpu, '-m', '256', '-nodefaults', '-display', 'none', '-serial', 'none', '-monitor', 'none',
      '-bios', bios, '-S', '-chardev', `socket,path=${sockPath},server=on,wait=off,id=g0`, '-gdb', 'chardev:g0',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<never>((_, reject) => proc?.on('exit', (code) => reject(new Error(`${QEMU} exited (${code}): ${stderr}`))));
    exited.catch(() => undefined);
    const t0 = Date.now();
    while (!existsSync(sockPath)) {
      if (Date.now() - t0 > 10000) throw new Error(`${QEMU} did not open its gdb socket: ${stderr}`);
      await Promise.race([new Promise((r) => setTimeout(r, 20)), exited]);
    }
    sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(sockPath, () => resolve(s));
      s.on('error', reject);
    });
    const g = new GdbConn(sock);
    const hex = (v: bigint): string => BigInt.asUintN(64, v).toString(16);
    const z = await g.cmd(`Z0,${hex(stopAt)},4`);
    if (z !== 'OK') throw new Error(`gdbstub: breakpoint not accepted: ${z}`);
    g.send('c');
    let stop: string;
    try {
      stop = await Promise.race([g.recv(timeoutMs), exited]);
    } catch (e) {
      g.interrupt();
      let pc = '?';
      try {
        await g.recv(2000);
        const regs = await g.cmd('g'); // 64-bit registers: 32 GPRs, sr, lo, hi, bad, cause, pc
        const reg = (i: number): string => {
          const h = regs.slice(16 * i, 16 * i + 16);
          return h.match(/../g)?.reverse().join('') ?? '?';
        };
        pc = `${reg(37)} cause=${reg(36)} status=${reg(32)}`;
      } catch { /* ignore */ }
      throw new Error(`program did not reach 0x${hex(stopAt)} (${(e as Error).message}); pc=${pc}; stderr: ${stderr}`);
    }
    if (!stop.startsWith('T') && !stop.startsWith('S')) throw new Error(`gdbstub: unexpected stop reply ${stop}`);
    const q: QemuRun = {
      async read(addr: bigint, len: number): Promise<Uint8Array> {
        const out = new Uint8Array(len);
        for (let off = 0; off < len; off += 0x800) {
          const n = Math.min(0x800, len - off);
          const r = await g.cmd(`m${hex(addr + BigInt(off))},${n.toString(16)}`);
          if (r.length !== 2 * n) throw new Error(`gdbstub: bad memory reply at +0x${off.toString(16)}: ${r.slice(0, 40)}`);
          for (let i = 0; i < n; i++) out[off + i] = parseInt(r.slice(2 * i, 2 * i + 2), 16);
        }
        return out;
      },
    };
    return await inspect(q);
  } finally {
    sock?.destroy();
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
