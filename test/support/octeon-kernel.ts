// A bare-metal stand-in for an Octeon Linux kernel (assembled with our assembler, ELF flags
// octeon2, linked where Debian's vmlinux is): it follows a3 to the boot descriptor, reads
// argc/argv and the bootinfo it points to (version, fdt_addr), prints argv[0] (the first
// command line word) through the UART's THR alias as Linux's early printk does, and halts
// with WAIT and interrupts disabled. Registers afterwards: $8 argc, $12/$13 bootinfo major/minor, $15 the FDT's
// first word as a little-endian load. The polling variant instead waits forever for bit 0 of
// a CSR, as a driver waits for a unit's ready bit.
import { assemble } from '../../src/emulator/isa/assembler/assembler';
import { assemblyToElf } from '../../src/emulator/isa/assembler/to-elf';

const KERNEL = `
  .set noreorder
start:
  lw    $8, 0x38($7)
  lwu   $9, 0x40($7)
  ld    $10, 0x188($7)
  dli   $11, 0xffffffff80000000
  daddu $10, $10, $11
  lw    $12, 4($10)
  lw    $13, 0($10)
  ld    $14, 0x98($10)
  daddu $14, $14, $11
  lw    $15, 0($14)
  daddu $9, $9, $11
  dli   $16, 0x8001180000000840
1:
  lbu   $17, 0($9)
  beqz  $17, 2f
  nop
  sd    $17, 0($16)
  b     1b
  daddiu $9, $9, 1
2:
`;

const HALT = `
  di
  wait
  b     2b
  nop
`;

/** Reads the 64-bit CSR at physical `pa` (through xkphys, uncached) until its bit 0 is set. */
const poll = (pa: bigint): string => `
  dli   $18, 0x${(0x8000000000000000n | pa).toString(16)}
3:
  ld    $19, 0($18)
  andi  $19, $19, 1
  beqz  $19, 3b
  nop
`;

export function octeonStandInKernel(opts: { pollCsr?: bigint } = {}): Uint8Array {
  const source = KERNEL + (opts.pollCsr === undefined ? HALT : poll(opts.pollCsr));
  const r = assemble(source, { origin: 0xffffffff81100000n, model: 'octeon2' });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  return assemblyToElf(r, 'little', 'octeon2');
}

