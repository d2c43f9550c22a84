// Guests and helpers of the checkpoint tests and benchmark.
//
// The scribbler: a bare-metal program for the demo board that takes timer and UART
// interrupts (echoing what it receives and counting ticks) when asked, and otherwise
// spins reading a mailbox in RAM without writing anything. The host asks it to write
// N bytes of a region (pseudo-random dwords or each dword's own address) through the
// mailbox; it writes them with ordinary stores, then clears the request.
//
// Mailbox at physical 0x2000 (little-endian u32 unless noted):
//   +0  bytes to write (0 = idle)      +4  mode: 0 xorshift64 values, 1 address pattern
//   +8  start offset in the region     +12 flags (before boot): 1 timer IRQ, 2 UART IRQ
//   +16 u64 xorshift state             +24 requests completed
// The region starts at physical 0x00400000.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import type { Machine } from '../../src/emulator/machine';
import { saveState } from '../../src/emulator/snapshot/state';
import { hashed } from './hashes';

const ROOT = join(__dirname, '..', '..', '..');
export const ORIGIN = 0xffffffff80100000n;
export const MBOX = 0x2000;
export const REGION = 0x00400000;
export const FLAG_TIMER = 1;
export const FLAG_UART = 2;

export function buildElf(source: string, model = '5KEc'): Uint8Array {
  const r = assemble(source, { origin: ORIGIN, model: model as '5KEc' });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'));
  return assemblyToElf(r);
}

let demo: Uint8Array | undefined;
export function demoElf(): Uint8Array {
  demo ??= buildElf(readFileSync(join(ROOT, 'guests', 'demo', 'demo.s'), 'utf8'));
  return demo;
}

export const SCRIBBLER = `
	.set	noreorder
	.set	noat
	UART	= 0xffffffffb80003f8
	MBOX	= 0xffffffff80002000
	REGION	= 0xffffffff80400000
	TICK	= 20000

	.text
	.globl	start
start:
	dla	$t0, vectors
	mtc0	$t0, $15, 1
	mfc0	$t1, $12
	li	$t2, 0xffbffffa
	and	$t1, $t1, $t2
	mtc0	$t1, $12
	ehb
	dli	$s0, UART
	li	$t0, 0x83
	sb	$t0, 3($s0)
	li	$t0, 1
	sb	$t0, 0($s0)
	sb	$zero, 1($s0)
	li	$t0, 3
	sb	$t0, 3($s0)
	li	$t0, 7
	sb	$t0, 2($s0)
	li	$t0, 8
	sb	$t0, 4($s0)
	li	$t0, 1
	sb	$t0, 1($s0)
	dli	$s1, MBOX
	lw	$t0, 12($s1)
	li	$t3, 1
	andi	$t1, $t0, 1
	beqz	$t1, 1f
	nop
	ori	$t3, $t3, 0x8000
	mfc0	$t1, $9
	li	$t2, TICK
	addu	$t1, $t1, $t2
	mtc0	$t1, $11
1:	andi	$t1, $t0, 2
	beqz	$t1, 2f
	nop
	ori	$t3, $t3, 0x0400
2:	mfc0	$t1, $12
	or	$t1, $t1, $t3
	mtc0	$t1, $12
	ehb
	ld	$s2, 16($s1)
	bnez	$s2, idle
	nop
	dli	$s2, 0x9e3779b97f4a7c15
idle:
	lwu	$t0, 0($s1)
	beqz	$t0, idle
	nop
	lw	$t1, 4($s1)
	lwu	$t2, 8($s1)
	dli	$t3, REGION
	daddu	$t3, $t3, $t2
	daddu	$a0, $t3, $t0
fill:
	bnez	$t1, addr_pattern
	nop
	dsll	$at, $s2, 13
	xor	$s2, $s2, $at
	dsrl	$at, $s2, 7
	xor	$s2, $s2, $at
	dsll	$at, $s2, 17
	xor	$s2, $s2, $at
	b	store
	move	$a1, $s2
addr_pattern:
	move	$a1, $t3
store:
	sd	$a1, 0($t3)
	daddiu	$t3, $t3, 8
	sltu	$at, $t3, $a0
	bnez	$at, fill
	nop
	sd	$s2, 16($s1)
	lw	$t0, 24($s1)
	addiu	$t0, $t0, 1
	sw	$t0, 24($s1)
	sw	$zero, 0($s1)
	b	idle
	nop

	.org	0x1000
vectors:
	b	vectors
	nop

	.org	0x1180
general:
	dla	$k0, save
	sd	$t0, 0($k0)
	sd	$t1, 8($k0)
	mfc0	$k1, $13
	andi	$t0, $k1, 0x7c
	bnez	$t0, fatal
	nop
	andi	$t0, $k1, 0x8000
	beqz	$t0, 1f
	nop
	dla	$t0, ticks
	ld	$t1, 0($t0)
	daddiu	$t1, $t1, 1
	sd	$t1, 0($t0)
	mfc0	$t0, $11
	li	$t1, TICK
	addu	$t0, $t0, $t1
	mtc0	$t0, $11
1:	andi	$t0, $k1, 0x0400
	beqz	$t0, done
	nop
	dli	$t0, UART
2:	lbu	$t1, 5($t0)
	andi	$t1, $t1, 1
	beqz	$t1, done
	nop
	lbu	$t1, 0($t0)
3:	lbu	$k1, 5($t0)
	andi	$k1, $k1, 0x20
	beqz	$k1, 3b
	nop
	sb	$t1, 0($t0)
	dla	$k1, rxcount
	ld	$t1, 0($k1)
	daddiu	$t1, $t1, 1
	b	2b
	sd	$t1, 0($k1)
done:
	dla	$k0, save
	ld	$t0, 0($k0)
	ld	$t1, 8($k0)
	eret
	nop
fatal:
	dli	$k0, 0xffffffffbf100000
	li	$k1, 0x5a5a0001
	sw	$k1, 0($k0)
4:	b	4b
	nop

	.data
	.align	4
save:	.space	16
ticks:	.space	8
rxcount: .space	8
`;

let scribbler: Uint8Array | undefined;
export function scribblerElf(): Uint8Array {
  scribbler ??= buildElf(SCRIBBLER);
  return scribbler;
}

function putU32(m: Machine, pa: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, !m.options.bigEndian);
  m.bus.writeBytes(pa, b);
}

function getU32(m: Machine, pa: number): number {
  return new DataView(m.bus.ram.buffer, pa, 4).getUint32(0, !m.options.bigEndian);
}

export interface ScribblerOptions { engine?: 'jit' | 'interp'; memoryMiB?: number; flags?: number; cpu?: string }

export function bootScribbler(o: ScribblerOptions = {}): Machine {
  const { machine, board } = hashed(createDemoMachine({ engine: o.engine ?? 'jit', memoryMiB: o.memoryMiB ?? 16, cpu: o.cpu }));
  board.boot(scribblerElf());
  putU32(machine, MBOX + 12, o.flags ?? 0);
  return machine;
}

/** Asks the scribbler to write `bytes` of its region from `offset`; runs until done. Returns instructions run. */
export function scribble(m: Machine, bytes: number, mode: 0 | 1 = 0, offset = 0, limit = 4_000_000_000): number {
  putU32(m, MBOX + 4, mode);
  putU32(m, MBOX + 8, offset);
  putU32(m, MBOX + 0, bytes);
  let n = 0;
  while (getU32(m, MBOX) !== 0) {
    const r = m.run(1_000_000);
    n += r.executed;
    if (r.reason !== 'budget' || n > limit) throw new Error(`scribbler stopped: ${r.reason} after ${n} instructions`);
  }
  return n;
}

/** Every component's saved state plus a copy of RAM: equal snapshots mean equal machines. */
export interface MachineSnapshot { states: Map<string, Uint8Array>; ram: Uint8Array; icount: number }

/**
 * With `canonical`, dead state that differs between the engines is zeroed: the
 * delay-slot target outside a delay slot (each engine leaves its own stale value).
 */
export function snapshotOf(m: Machine, canonical = false): MachineSnapshot {
  const states = new Map<string, Uint8Array>();
  for (const c of m.stateComponents()) {
    if (canonical && c.stateSpec.name === 'cpu0' && !m.cpu.inDelay) {
      states.set('cpu0', saveState({ stateSpec: c.stateSpec, state: { ...pick(c.state, Object.keys(c.stateSpec.fields)), dsLo: 0, dsHi: 0 } }));
    } else {
      states.set(c.stateSpec.name, saveState(c));
    }
  }
  return { states, ram: m.bus.ram.slice(), icount: m.cpu.icount };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const k of keys) r[k] = o[k];
  return r;
}

/** Names of components whose state differs, and the number of differing RAM pages. */
export function snapshotDiff(a: MachineSnapshot, b: MachineSnapshot): { components: string[]; pages: number[] } {
  const components: string[] = [];
  for (const [k, v] of a.states) {
    const w = b.states.get(k);
    if (!w || !Buffer.from(v).equals(Buffer.from(w))) components.push(k);
  }
  for (const k of b.states.keys()) if (!a.states.has(k)) components.push(k);
  const pages: number[] = [];
  const n = Math.max(a.ram.length, b.ram.length) >>> 12;
  for (let p = 0; p < n; p++) {
    if (!Buffer.from(a.ram.subarray(p << 12, (p + 1) << 12)).equals(Buffer.from(b.ram.subarray(p << 12, (p + 1) << 12)))) pages.push(p);
  }
  return { components, pages };
}
