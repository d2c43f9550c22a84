// ELF mutation campaign through the boot path: the demo guest and the scribbler (a
// bare-metal ELF each), mutated in their ELF header and program headers (entry, offsets,
// sizes, addresses, counts: random and extreme values), bytes flipped, truncated. Each
// mutant is booted as `mips64 boot FILE.elf` boots it (board.boot on a demo machine) and
// must either be refused cleanly (ElfError, one clear line) or run: a bounded run returns
// with RAM unchanged in size. Outcome counts are printed (tried / refused cleanly / ran /
// crashed / hung / wrong); then a sample of mutants through dist/cli.js: exit code, one
// line on stderr, no stack trace, never a crash.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { ElfError } from '../../src/emulator/loader/elf';
import { demoElf, scribblerElf } from '../support/checkpoint-guests';
import { cli, ensureBuilt, tempDir } from '../cli/support.js';

const SEED = 0x454c4642; // 'ELFB'
const MUTANTS = 300;
const CLI_SAMPLE = 12;

function rng(seed: number): { int(n: number): number; pick<T>(a: readonly T[]): T } {
  let x = seed >>> 0 || 1;
  const next = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return { int: (n) => next() % n, pick: (a) => a[next() % a.length] };
}
type R = ReturnType<typeof rng>;

const EXTREMES = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x1000n, 0xffffffff80000000n, 0xffffffffffffffffn, 0x7fffffffffffffffn, 0x10000000000n];

/** One mutation of an ELF64 image (little- or big-endian); returns the mutant and what was done. */
function mutate(r: R, src: Uint8Array): { bytes: Uint8Array; how: string } {
  const b = src.slice();
  const dv = new DataView(b.buffer);
  const le = b[5] === 1;
  const phoff = Number(dv.getBigUint64(32, le)), phnum = dv.getUint16(56, le);
  const value = (): bigint => (r.int(2) ? r.pick(EXTREMES) : BigInt(r.int(0x100000)));
  switch (r.int(7)) {
    case 0: { const k = 1 + r.int(8); for (let i = 0; i < k; i++) b[r.int(b.length)] ^= 1 << r.int(8); return { bytes: b, how: `flip ${k} bits` }; }
    case 1: { const n = r.int(b.length); return { bytes: b.slice(0, n), how: `truncate to ${n}` }; }
    case 2: {
      const f = r.pick([['e_entry', 24], ['e_phoff', 32], ['e_shoff', 40]] as const);
      const v = value();
      dv.setBigUint64(f[1], v, le);
      return { bytes: b, how: `${f[0]} = 0x${v.toString(16)}` };
    }
    case 3: {
      const f = r.pick([['e_phnum', 56], ['e_phentsize', 54], ['e_shnum', 60], ['e_type', 16], ['e_machine', 18]] as const);
      const v = r.pick([0, 1, 2, 0xffff, 0x8000, 56, 64, r.int(0x10000)]);
      dv.setUint16(f[1], v, le);
      return { bytes: b, how: `${f[0]} = ${v}` };
    }
    default: {
      if (phnum === 0 || phoff + phnum * 56 > b.length) return { bytes: b, how: 'unchanged' };
      const ph = phoff + 56 * r.int(phnum);
      const f = r.pick([['p_offset', 8], ['p_vaddr', 16], ['p_paddr', 24], ['p_filesz', 32], ['p_memsz', 40], ['p_align', 48]] as const);
      const v = value();
      dv.setBigUint64(ph + f[1], v, le);
      if (r.int(3) === 0) dv.setUint32(ph, r.pick([0, 1, 2, 6, 0x70000000]), le); // p_type
      return { bytes: b, how: `phdr at ${ph}: ${f[0]} = 0x${v.toString(16)}` };
    }
  }
}

before(() => ensureBuilt());

test(`ELF mutants booted on the demo board: refused cleanly or run (${MUTANTS}, seed 0x${SEED.toString(16)})`, () => {
  const r = rng(SEED);
  const originals = [{ name: 'demo', bytes: demoElf() }, { name: 'scribbler', bytes: scribblerElf() }];
  let refused = 0, ran = 0;
  const bad = { crashed: [] as string[], hung: [] as string[], wrong: [] as string[] };
  const t0 = performance.now();
  for (let i = 0; i < MUTANTS; i++) {
    const img = r.pick(originals);
    const mut = mutate(r, img.bytes);
    const label = `mutant ${i} of ${img.name}: ${mut.how}`;
    const { machine, board } = createDemoMachine({ memoryMiB: 4, engine: r.int(4) ? 'interp' : 'jit' });
    try {
      board.boot(mut.bytes);
    } catch (e) {
      if (!(e instanceof ElfError)) bad.crashed.push(`${label}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      else if (/\n|undefined|NaN|\[object/.test(e.message) || e.message.length < 8) bad.wrong.push(`${label}: unclear '${e.message}'`);
      else refused++;
      continue;
    }
    try {
      const res = machine.run(20_000);
      if (res.executed === 0 && res.reason === 'budget') bad.hung.push(`${label}: a run executes nothing`);
      else if (machine.bus.ram.length !== 4 << 20) bad.wrong.push(`${label}: RAM changed size`);
      else ran++;
    } catch (e) {
      bad.crashed.push(`${label}: running: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`# ELF boot fuzz: ${MUTANTS} tried (${(MUTANTS / s).toFixed(0)}/s), ${refused} refused cleanly, ${ran} ran, `
    + `${bad.crashed.length} crashed, ${bad.hung.length} hung, ${bad.wrong.length} wrong`);
  for (const [k, list] of Object.entries(bad)) assert.deepEqual(list.slice(0, 3), [], `${list.length} ${k}`);
  assert.ok(refused > MUTANTS / 10 && ran > MUTANTS / 10, 'both outcomes are exercised');
});

test(`ELF mutants through mips64 boot: exit with one line or run, never a crash (${CLI_SAMPLE})`, () => {
  const r = rng(SEED ^ 0x5a5a);
  const dir = tempDir('mips64-elf-boot-fuzz-');
  const counts = { refused: 0, ran: 0 };
  try {
    for (let i = 0; i < CLI_SAMPLE; i++) {
      const mut = mutate(r, r.int(2) ? demoElf() : scribblerElf());
      const file = join(dir, `m${i}.elf`);
      writeFileSync(file, mut.bytes);
      // Bounded: a mutant that runs forever is a guest that runs (killed at the timeout).
      let res: ReturnType<typeof cli>;
      try {
        res = cli(['boot', file, '--idle-exit', '0', '--memory', '4'], { input: '', timeoutMs: 8000 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw e;
        counts.ran++; // still running (killed)
        continue;
      }
      const label = `CLI mutant ${i}: ${mut.how}: exit ${res.code}, stderr ${JSON.stringify(res.stderr.slice(0, 300))}`;
      assert.doesNotMatch(res.stderr, /\n\s+at |TypeError|RangeError|internal error/i, label);
      assert.notEqual(res.code, 70, `${label} (an internal error)`);
      if (res.code === 2) {
        assert.match(res.stderr, /^mips64: [^\n]+\n$/, label);
        counts.refused++;
      } else {
        assert.ok(res.code === null || (res.code >= 0 && res.code <= 255), label);
        counts.ran++;
      }
    }
    console.log(`# ELF boot fuzz (CLI): ${CLI_SAMPLE} tried, ${counts.refused} refused with one line, ${counts.ran} ran`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
