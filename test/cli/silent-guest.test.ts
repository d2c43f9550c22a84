// `mips64 boot --board malta`: a kernel that writes nothing on its console is stopped
// after --silent-exit seconds of guest CPU time (exit 5) with one line naming the last
// exception it took; one that writes is not stopped; 0 disables the watch.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, ROOT, tempDir } from './support.js';

before(() => ensureBuilt());

test('a silent Malta kernel is stopped with the reason; a talking one is not', () => {
  const dir = tempDir('mips64-silent-');
  try {
    const elf = join(dir, 'silent.elf');
    const asm = cli(['asm', join(ROOT, 'test', 'fixtures', 'guests', 'silent-fault.s'), '-o', elf, '--origin', '0xffffffff80100000']);
    assert.equal(asm.code, 0, asm.stderr);
    // 0.02 s of guest CPU time: 4,000,000 instructions at 5 ns.
    const r = cli(['boot', '--board', 'malta', '--kernel', elf, '--silent-exit', '0.02'], { input: '', timeoutMs: 60_000 });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /^mips64: the guest executed 4,000,000 instructions \(20 ms of guest CPU time\) without writing anything on its console; the last exception it took: TLBL \(TLB miss\/invalid \(load or fetch\)\) at pc 0x[0-9a-f]+: a damaged kernel, or one built for another board\? Stopped \(--silent-exit 0 lets it run\)\n$/m);
    // The demo guest writes its banner on the same UART at once: not stopped (it idles
    // then, and ends at the end of its input: exit 2).
    const demo = cli(['boot', '--board', 'malta', '--kernel', join(ROOT, 'dist', 'guests', 'demo.elf'), '--silent-exit', '0.02', '--idle-exit', '0'], { input: '', timeoutMs: 60_000 });
    assert.equal(demo.code, 2, demo.stderr);
    assert.match(demo.stdout, /MIPS64 Studio demo guest/);
    assert.doesNotMatch(demo.stderr, /without writing anything/);
    assert.throws(() => { const b = cli(['boot', '--silent-exit', 'x']); if (b.code === 2) throw new Error(b.stderr); }, /invalid --silent-exit 'x'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
