// gdb-multiarch's backtraces of Debian's Malta kernel running in QEMU, as a differential
// oracle for our unwinder: QEMU boots the debian-malta guest (`nokaslr`, so the -dbg
// vmlinux's addresses hold) with its gdbstub on a free TCP port; once the shell prompt is
// up, gdb (with that vmlinux: DWARF, CFI) attaches and runs test/support/gdb-backtrace.py,
// which for each case sets a breakpoint, lets the test type the case's command into the
// guest console, and reports every frame at the stop (and, for exception frames, the saved
// pt_regs and the interrupted context's frames).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freeTcpPort } from './qemu';

export const GDB = 'gdb-multiarch';
const ROOT = join(__dirname, '..', '..', '..');

export interface GdbFrame {
  readonly pc: bigint;
  readonly name: string | null;
  /** gdb's frame type: 0 normal, 2 inline, 4 signal handler (an exception entry). */
  readonly type: number;
}

export interface GdbCase {
  readonly id: string;
  /** A gdb location: a function, or `*0x…`. */
  readonly at: string;
  /** Typed into the guest console once the breakpoint is set. */
  readonly cmd?: string;
  /** gdb expression of the pt_regs address at the stop (the exception's saved context). */
  readonly ptregs?: string;
}

export interface GdbResult {
  readonly id: string;
  readonly frames: GdbFrame[];
  readonly ptregs?: bigint;
  readonly epc?: bigint;
  readonly interrupted?: GdbFrame[];
}

export function gdbMissing(): string | undefined {
  const r = spawnSync(GDB, ['--version'], { stdio: 'ignore' });
  return r.error || r.status !== 0 ? `${GDB} not installed (Debian package gdb-multiarch; scripts/install-deps.sh)` : undefined;
}

type RawFrame = { pc?: string; name: string | null; type: number; error?: string };
const frames = (list: RawFrame[]): GdbFrame[] => list.filter((f) => f.pc !== undefined).map((f) => ({ pc: BigInt(f.pc!), name: f.name, type: f.type }));

/** Boots the guest in QEMU and collects gdb's backtraces for `cases`, in order. */
export async function qemuBacktraces(guest: { kernel: string; initrd: string }, vmlinux: string, cases: readonly GdbCase[], timeoutMs = 300_000): Promise<GdbResult[]> {
  const port = await freeTcpPort();
  const qemu = spawn('qemu-system-mips64el', ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none', '-serial', 'stdio',
    '-kernel', guest.kernel, '-initrd', guest.initrd, '-append', 'console=ttyS0 nokaslr', '-gdb', `tcp:127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let console = '';
  qemu.stdout.on('data', (b: Buffer) => { console += b.toString('latin1'); });
  qemu.stdin.on('error', () => undefined); // QEMU ended first
  const results: GdbResult[] = [];
  let gdbLog = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!console.includes('mips64:/# ')) {
      if (Date.now() > deadline || qemu.exitCode !== null) throw new Error(`QEMU: no shell prompt; console:\n${console.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000)); // the shell waits for input: the guest idles
    const gdb = spawn(GDB, ['-q', '-nx', '-batch', vmlinux, '-x', join(ROOT, 'test', 'support', 'gdb-backtrace.py')], {
      env: { ...process.env, BT_CASES: JSON.stringify(cases), BT_TARGET: `127.0.0.1:${port}` }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    gdb.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      gdbLog += b.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('READY ')) {
          const c = cases.find((x) => x.id === line.slice(6));
          // The continue follows the READY line at once; the command comes a moment later.
          if (c?.cmd) setTimeout(() => { if (qemu.exitCode === null && qemu.signalCode === null) qemu.stdin.write(`${c.cmd}\n`); }, 1000);
        } else if (line.startsWith('RESULT ')) {
          const r = JSON.parse(line.slice(7)) as { id: string; frames: RawFrame[]; ptregs?: string; epc?: string; interrupted?: RawFrame[] };
          results.push({
            id: r.id, frames: frames(r.frames), ptregs: r.ptregs ? BigInt(r.ptregs) : undefined, epc: r.epc ? BigInt(r.epc) : undefined,
            interrupted: r.interrupted ? frames(r.interrupted) : undefined,
          });
        }
      }
    });
    gdb.stderr.on('data', (b: Buffer) => { gdbLog += b.toString(); });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => { gdb.kill('SIGKILL'); resolve(null); }, Math.max(1000, deadline - Date.now()));
      gdb.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    if (results.length !== cases.length) throw new Error(`gdb reported ${results.length} of ${cases.length} cases (exit ${code}):\n${gdbLog.slice(-3000)}`);
    return results;
  } finally {
    qemu.kill('SIGKILL');
  }
}
