// The Cavium Octeon instructions on every engine, against QEMU's Octeon68XX (user mode)
// where QEMU 7.2 implements them and against BigInt models where it does not
// (test/support/octeon-oracle.ts). Each program is run by the interpreter, by the
// WebAssembly cold-code runner alone (nothing translated), by WebAssembly regions
// (everything translated at once), and at the default translation threshold; all must
// give the oracle's results word for word.
//
// Without the GNU tools or qemu-user the test is skipped, or fails under CI=true naming
// the Debian packages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TempDir } from '../loader/toolchain';
import {
  buildOcteon, caseText, EngineChoice, modelProgram, OCTEON_QEMU_PACKAGE, OcteonProgram, qemuProgram, runOurs, runQemuUser, toolsMissing,
} from '../support/octeon-oracle';

const ENGINES: Array<[string, EngineChoice]> = [
  ['interpreter', { engine: 'interp' }],
  ['WebAssembly runner', { engine: 'jit', wasm: true, hot: 2 ** 31 - 1 }],
  ['WebAssembly regions', { engine: 'jit', wasm: true, hot: 0 }],
  ['default threshold', { engine: 'jit' }],
];

function check(t: { skip(m: string): void }, p: OcteonProgram, qemu: boolean): void {
  const missing = toolsMissing(qemu);
  if (missing) {
    if (process.env.CI === 'true') assert.fail(`${missing}: apt-get install binutils-mips64el-linux-gnuabi64 ${OCTEON_QEMU_PACKAGE}`);
    t.skip(missing);
    return;
  }
  const dir = new TempDir();
  try {
    const elf = buildOcteon(dir, p);
    const want = p.expected ?? runQemuUser(dir, p, elf);
    for (const [name, e] of ENGINES) {
      const got = runOurs(elf, p, e);
      for (let i = 0; i < want.length; i++) {
        if (got[i] !== want[i]) {
          assert.fail(`${p.name}, ${name}: result ${i} is 0x${got[i].toString(16)}, ${qemu ? 'QEMU' : 'the model'} says 0x${want[i].toString(16)}\n${caseText(p, i)}`);
        }
      }
    }
  } finally {
    dir.remove();
  }
}

describe('Cavium Octeon instructions', () => {
  for (const seed of [1, 2, 3]) {
    test(`QEMU Octeon68XX oracle, program ${seed} (bbit, baddu, dmul, exts, cins, pop, seq, indexed loads)`, (t) => {
      check(t, qemuProgram(seed, 700), true);
    });
  }
  for (const seed of [11, 12]) {
    test(`BigInt models, program ${seed} (saa, laa family, v3mulu, vmulu, vmm0, mtm, mtp, zcb, lbx/lhux/lwux)`, (t) => {
      check(t, modelProgram(seed, 500), false);
    });
  }
});
