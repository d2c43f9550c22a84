// Octeon boot benchmark: the debian-octeon guest (Debian's mips64el octeon vmlinux + the
// project's busybox initramfs) on the Octeon board, next to the debian-malta guest (5kc-malta
// vmlinuz, decompressed in the guest) on the Malta board, in one run on one machine, both
// on the translator, and the Malta boot of the kernel image Malta's decompressor produces
// (debian-malta-image: the same kernel path from its entry as the Octeon's plain vmlinux,
// without the in-guest xz decompression, ~2,200 M tight-loop instructions of Malta's count):
//   - in-process boots (each in its own Node process started as the debug adapter is) from
//     power-on to the initramfs marker and to the shell prompt: wall and CPU time, guest
//     instructions, peak RSS;
//   - `mips64 boot GUEST` as a user runs it (node dist/cli.js, `poweroff` piped in): wall
//     time from the command to its exit, power-off included.
// No emulator other than this one boots the Octeon kernel (QEMU has no Octeon system
// board), so there is no QEMU column; the Octeon hypervisor report (seed 004) gives 47 s
// for its native board's boot and 75 s under its hypervisor (full distribution, u-boot).

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineNodeFlags } from '../src/cli/node-flags';
import { DEBIAN_MALTA, DEBIAN_OCTEON, fetchDebianGuest, USERSPACE_MARKER } from '../src/cli/guest/debian-guests';
import { bootBoard } from '../src/emulator/boards/registry';
import { createMaltaMachine } from '../src/emulator/boards/malta';
import { debianCorpus } from '../test/support/corpus';
import type { Machine } from '../src/emulator/machine';
import type { BoardName } from '../src/emulator/boards/catalog';
import { parseElf } from '../src/emulator/loader/elf';

const MALTA_IMAGE = 'debian-malta-image';
const GUESTS: Record<string, BoardName> = { [DEBIAN_OCTEON]: 'octeon', [DEBIAN_MALTA]: 'malta', [MALTA_IMAGE]: 'malta' };
const PROMPT = /mips64:[^\n]*# /;

interface Point { wallMs: number; cpuMs: number; insns: number }
interface GuestBoot { guest: string; marker: Point; prompt: Point; rssMiB: number }

async function bootInProcess(guest: string): Promise<GuestBoot> {
  const log = (m: string): void => console.error(`# ${m}`);
  const g = await fetchDebianGuest(guest === MALTA_IMAGE ? DEBIAN_MALTA : guest, { log });
  let machine: Machine;
  if (guest === MALTA_IMAGE) {
    const corpus = await debianCorpus(log);
    const m = createMaltaMachine({ engine: 'jit', memoryMiB: 256 });
    m.board.bootLinuxImage(new Uint8Array(readFileSync(corpus.kernelImage)), corpus.kernelLoadAddress, corpus.kernelEntry,
      new Uint8Array(readFileSync(g.initrd)), g.append);
    machine = m.machine;
  } else {
    const bytes = new Uint8Array(readFileSync(g.kernel));
    machine = bootBoard(GUESTS[guest]!, {
      engine: 'jit', memoryMiB: 256, kernel: { bytes, elf: parseElf(bytes), name: 'vmlinux' },
      initrd: new Uint8Array(readFileSync(g.initrd)), append: g.append,
    }).machine;
  }
  let out = '';
  machine.events.on('uartTx', ({ port, byte }) => { if (port === 0) out += String.fromCharCode(byte); });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const point = (): Point => {
    const cu = process.cpuUsage(c0);
    return { wallMs: performance.now() - t0, cpuMs: (cu.user + cu.system) / 1000, insns: machine.cpu.icount };
  };
  let marker: Point | undefined;
  for (let i = 0; i < 50_000; i++) {
    const r = machine.run(1_000_000);
    if (!marker && out.includes(USERSPACE_MARKER)) marker = point();
    if (marker && PROMPT.test(out.slice(out.indexOf(USERSPACE_MARKER)))) {
      return { guest, marker, prompt: point(), rssMiB: process.resourceUsage().maxRSS / 1024 };
    }
    if (r.reason === 'poweroff') break;
  }
  throw new Error(`${guest}: no shell prompt; console tail: ${out.slice(-300)}`);
}

function childBoot(guest: string): GuestBoot {
  const out = execFileSync(process.execPath, [...engineNodeFlags(), __filename, '--child', guest], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as GuestBoot;
}

/** `mips64 boot GUEST` with `poweroff` piped in: wall ms from start to exit, and its exit code. */
function cliBoot(guest: string): { wallMs: number; status: number | null } {
  const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'boot', guest], { input: 'poweroff\n', stdio: ['pipe', 'ignore', 'ignore'], timeout: 600_000 });
  return { wallMs: performance.now() - t0, status: r.status };
}

export async function octeonBootBench(): Promise<string[]> {
  const lines: string[] = [];
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  for (const guest of [DEBIAN_OCTEON, DEBIAN_MALTA, MALTA_IMAGE]) {
    const b = childBoot(guest);
    lines.push(`${guest} (${GUESTS[guest]} board, translator), power-on to the marker: ${s(b.marker.wallMs)} wall, ${s(b.marker.cpuMs)} CPU, `
      + `${(b.marker.insns / 1e6).toFixed(0)} M guest instructions; to the shell prompt: ${s(b.prompt.wallMs)} wall, ${s(b.prompt.cpuMs)} CPU, `
      + `${(b.prompt.insns / 1e6).toFixed(0)} M guest instructions; peak RSS ${b.rssMiB.toFixed(0)} MiB`);
  }
  for (const guest of [DEBIAN_OCTEON, DEBIAN_MALTA]) {
    const c = cliBoot(guest);
    lines.push(`\`mips64 boot ${guest}\` with \`poweroff\` piped in: ${s(c.wallMs)} wall from the command to its exit (exit code ${c.status})`);
  }
  lines.push(`in-process boots: each in its own process, node ${engineNodeFlags().join(' ')} (as the debug adapter starts)`);
  lines.push('no QEMU reference: QEMU has no Octeon system board; the Octeon hypervisor report (seed 004): native board 47 s, under the hypervisor 75 s');
  return lines;
}

if (require.main === module) {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    bootInProcess(process.argv[child + 1]!).then((r) => process.stdout.write(JSON.stringify(r) + '\n'), (e) => { console.error(e); process.exit(1); });
  } else {
    octeonBootBench().then((l) => { for (const x of l) console.log(`- ${x}`); }, (e) => { console.error(e); process.exit(1); });
  }
}
