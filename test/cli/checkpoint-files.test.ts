// Checkpoints on disk: atomic writes that leave nothing behind on failure (unwritable
// directory, disk full — injected, and a real full tmpfs when we may mount one),
// the directory store under Checkpointer (a failed write changes nothing, not even the
// dirty-page interval), parent chains across files, `mips64 checkpoint` subcommands,
// and the `boot` flags (--restore, --checkpoint-every).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  DiskCheckpointStore, FsOps, peekCheckpointFile, readCheckpointChain, writeFileAtomicSync,
} from '../../src/storage/checkpoint-files';
import { checkpointEvery, setupBootCheckpoints } from '../../src/cli/checkpoint-options';
import { checkpointCommand } from '../../src/cli/commands/checkpoint';
import { parseArgs } from '../../src/cli/args';
import { CliError } from '../../src/cli/errors';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { materializeRam, restoreCheckpoint } from '../../src/emulator/snapshot/checkpoint';
import { CHECKPOINT_EXTENSION, CheckpointError } from '../../src/emulator/snapshot/format';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import { bootScribbler, FLAG_TIMER, scribble, snapshotDiff, snapshotOf } from '../support/checkpoint-guests';
import { hashed } from '../support/hashes';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mips64-ckpt-'));
}

/** node:fs with one call replaced. */
function failing(over: Partial<FsOps>): FsOps {
  return { ...fs, ...over } as FsOps;
}

const errno = (code: string): Error => Object.assign(new Error(`${code}: simulated`), { code });

test('atomic write: the file appears whole, temp files never stay, failures say what and where', () => {
  const dir = tmp();
  try {
    const target = join(dir, 'a.m64cp');
    writeFileAtomicSync(target, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...fs.readFileSync(target)], [1, 2, 3]);
    // Disk full after 1000 bytes: the old file stays as it was, no temporary file is left.
    let written = 0;
    const full = failing({
      writeSync: ((fd: number, b: Uint8Array, off: number, len: number) => {
        if (written + len > 1000) throw errno('ENOSPC');
        written += len;
        return fs.writeSync(fd, b, off, Math.min(len, 500));
      }) as FsOps['writeSync'],
    });
    assert.throws(() => writeFileAtomicSync(target, new Uint8Array(5000), full),
      (e: unknown) => e instanceof CheckpointError && e.code === 'io' && e.message === `${target}: No space left on device`);
    assert.deepEqual(readdirSync(dir), ['a.m64cp']);
    assert.deepEqual([...fs.readFileSync(target)], [1, 2, 3]);
    // No permission.
    const denied = failing({ openSync: (() => { throw errno('EACCES'); }) as FsOps['openSync'] });
    assert.throws(() => writeFileAtomicSync(join(dir, 'b.m64cp'), new Uint8Array(10), denied), /b\.m64cp: Permission denied/);
    // fsync or rename failing.
    const noRename = failing({ renameSync: (() => { throw errno('EIO'); }) as FsOps['renameSync'] });
    assert.throws(() => writeFileAtomicSync(join(dir, 'c.m64cp'), new Uint8Array(10), noRename), /c\.m64cp: /);
    assert.deepEqual(readdirSync(dir), ['a.m64cp']);
    // A directory that cannot exist (a file is in the way).
    writeFileSync(join(dir, 'file'), 'x');
    const store = new DiskCheckpointStore(join(dir, 'file', 'sub'));
    assert.throws(() => store.put({ id: 'x' } as never, new Uint8Array(3)), (e: unknown) => e instanceof CheckpointError && /Not a directory|File exists/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a real full disk (tmpfs of 64 KiB): the checkpoint fails cleanly and leaves nothing behind', (t) => {
  const dir = tmp();
  const mnt = join(dir, 'small');
  fs.mkdirSync(mnt);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()}); the injected ENOSPC case covers it`);
    return;
  }
  try {
    const m = bootScribbler({ engine: 'jit', memoryMiB: 8 });
    m.run(10_000);
    scribble(m, 200_000, 0, 0);
    const cp = new Checkpointer(m, { disk: new DiskCheckpointStore(mnt) });
    const before = snapshotOf(m);
    assert.throws(() => cp.take({ name: 'too big' }), (e: unknown) => e instanceof CheckpointError && e.code === 'io' && /No space left on device/.test(e.message));
    assert.deepEqual(readdirSync(mnt), [], 'nothing left on the full disk');
    assert.equal(cp.memory.list().length, 0, 'not kept in memory either');
    assert.deepEqual(snapshotDiff(before, snapshotOf(m)), { components: [], pages: [] }, 'guest untouched');
  } finally {
    spawnSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('disk store: chains across files; a failed write keeps the dirty interval, so the next incremental is complete', () => {
  const dir = tmp();
  try {
    const m = bootScribbler({ engine: 'jit', flags: FLAG_TIMER, memoryMiB: 8 });
    m.run(10_000);
    let fail = false;
    const flaky = failing({
      renameSync: ((a: fs.PathLike, b: fs.PathLike) => { if (fail) throw errno('EIO'); fs.renameSync(a, b); }) as FsOps['renameSync'],
    });
    const disk = new DiskCheckpointStore(dir, flaky);
    const cp = new Checkpointer(m, { disk });
    const a = cp.take({ name: 'a' });
    scribble(m, 8192, 0, 0);
    fail = true;
    assert.throws(() => cp.take({ name: 'lost' }), /EIO|simulated/);
    fail = false;
    assert.deepEqual(readdirSync(dir).sort(), [a.id + CHECKPOINT_EXTENSION]);
    scribble(m, 4096, 0, 65536);
    const b = cp.take({ name: 'b' });
    assert.equal(b.kind, 'incremental');
    assert.equal(b.parentId, a.id);
    // The pages of the failed checkpoint are in b.
    const chain = readCheckpointChain(join(dir, b.id + CHECKPOINT_EXTENSION));
    assert.deepEqual(chain.map((c) => c.header.id), [a.id, b.id]);
    assert.ok(Buffer.from(materializeRam(chain)).equals(Buffer.from(m.bus.ram)));
    // Restore from disk alone, into another machine.
    const other = bootScribbler({ engine: 'interp', flags: FLAG_TIMER, memoryMiB: 8 });
    const cp2 = new Checkpointer(other, { disk: new DiskCheckpointStore(dir) });
    assert.deepEqual(cp2.list().map((i) => i.id), [a.id, b.id]);
    assert.equal(peekCheckpointFile(join(dir, b.id + CHECKPOINT_EXTENSION)).hash, b.hash);
    cp2.restore('b');
    assert.deepEqual(snapshotDiff(snapshotOf(m, true), snapshotOf(other, true)), { components: [], pages: [] });
    // A gap: the parent file is gone.
    fs.unlinkSync(join(dir, a.id + CHECKPOINT_EXTENSION));
    assert.throws(() => readCheckpointChain(join(dir, b.id + CHECKPOINT_EXTENSION)),
      (e: unknown) => e instanceof CheckpointError && e.code === 'parent' && /cannot be found \(the chain has a gap\)/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function io(): { io: { stdout: PassThrough; stderr: PassThrough }; out: () => string; err: () => string } {
  const stdout = new PassThrough(), stderr = new PassThrough();
  let o = '', e = '';
  stdout.on('data', (d) => { o += String(d); });
  stderr.on('data', (d) => { e += String(d); });
  return { io: { stdout, stderr }, out: () => o, err: () => e };
}

async function runCheckpointCmd(argv: string[]): Promise<{ code: number; out: string }> {
  const x = io();
  const code = await checkpointCommand.run(parseArgs(argv, checkpointCommand.options, 'checkpoint'), x.io);
  await new Promise((r) => setImmediate(r));
  return { code, out: x.out() };
}

test('mips64 checkpoint list / info / verify / diff', async () => {
  const dir = tmp();
  try {
    const m = bootScribbler({ engine: 'jit', flags: FLAG_TIMER, memoryMiB: 8 });
    m.run(10_000);
    const cp = new Checkpointer(m, { disk: new DiskCheckpointStore(dir) });
    const a = cp.take({ name: 'first' });
    scribble(m, 3 * 4096, 0, 0);
    const b = cp.take({ name: 'second' });
    const list = await runCheckpointCmd(['list', '--checkpoint-dir', dir]);
    assert.equal(list.code, 0);
    assert.match(list.out, /^2 checkpoints in /);
    assert.match(list.out, new RegExp(`${b.id}\\s+incremental .* second  \\(after ${a.id}\\)`));
    const info = await runCheckpointCmd(['info', 'second', '--checkpoint-dir', dir]);
    assert.match(info.out, /kind\s+incremental, after/);
    assert.match(info.out, /machine\s+demo board, CPU 5KEc, 8 MiB RAM, little-endian, 5 ns\/insn/);
    assert.match(info.out, new RegExp(`chain\\s+${a.id} \\(full\\) -> ${b.id} \\(incremental\\)`));
    const diff = await runCheckpointCmd(['diff', a.id, join(dir, b.id + CHECKPOINT_EXTENSION), '--checkpoint-dir', dir]);
    assert.match(diff.out, /registers:/);
    assert.match(diff.out, /pages: 5 differ \(20 KiB\)/);
    assert.match(diff.out, /icount +0x2710 -> 0xf6950/);
    assert.match(diff.out, /^A: .*instruction 0x2710\)$/m);
    // Hex throughout: no field value in decimal.
    const values = diff.out.split('\n').filter((l) => / -> /.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1).filter((w) => w !== '->'));
    assert.ok(values.length > 0);
    for (const v of values) assert.match(v, /^(-?0x[0-9a-f]+|true|false|".*"|\[.*)$/, `a value in hex: ${v}`);
    assert.match(diff.out, /0x00400000-0x00402fff \(3 pages\)/);
    const json = JSON.parse((await runCheckpointCmd(['diff', a.id, b.id, '--json', '--checkpoint-dir', dir])).out);
    assert.equal(json.pages.count, 5);
    assert.equal((await runCheckpointCmd(['verify', a.id, b.id, '--checkpoint-dir', dir])).code, 0);
    // Damage the full checkpoint: both fail verification (b through its chain).
    const f = join(dir, a.id + CHECKPOINT_EXTENSION);
    const bytes = fs.readFileSync(f);
    bytes[bytes.length - 100] ^= 4;
    fs.writeFileSync(f, bytes);
    const v = await runCheckpointCmd(['verify', a.id, b.id, '--checkpoint-dir', dir]);
    assert.equal(v.code, 2);
    assert.match(v.out, /BAD: .*section PAGE at offset \d+ \(RAM pages 0x[0-9a-f]+–0x[0-9a-f]+, .*\) is damaged/);
    assert.equal(v.out.split('\n').filter((l) => /BAD/.test(l)).length, 2);
    await assert.rejects(runCheckpointCmd(['info', 'nonesuch', '--checkpoint-dir', dir]), (e: unknown) => e instanceof CliError && /no such checkpoint file, and no checkpoint with that id or name/.test(e.message));
    await assert.rejects(runCheckpointCmd(['frob']), /unknown subcommand 'frob'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('boot flags: --checkpoint-every N lands on multiples of N; --restore continues there; a wrong machine is refused first', () => {
  const dir = tmp();
  try {
    const m = bootScribbler({ engine: 'jit', flags: FLAG_TIMER, memoryMiB: 8 });
    const x = io();
    const opts = new Map<string, string | true>([['checkpoint-every', '100000'], ['checkpoint-dir', dir]]);
    const ck = setupBootCheckpoints(m, opts, x.io);
    for (let i = 0; i < 7; i++) m.run(70_001);
    ck.close();
    const taken = ck.checkpointer!.list();
    assert.deepEqual(taken.map((c) => c.icount), [100000, 200000, 300000, 400000]);
    assert.deepEqual(taken.map((c) => c.kind), ['full', 'incremental', 'incremental', 'incremental']);
    assert.equal(m.cpu.icount, 7 * 70_001, 'the caller\'s budget is honoured');
    const last = join(dir, taken[3].id + CHECKPOINT_EXTENSION);
    // Restore in a fresh machine: continues from instruction 400000.
    const fresh = bootScribbler({ engine: 'interp', flags: FLAG_TIMER, memoryMiB: 8 });
    const y = io();
    const r = setupBootCheckpoints(fresh, new Map([['restore', last], ['checkpoint-dir', dir]]), y.io);
    assert.equal(r.restored?.icount, 400000);
    assert.equal(fresh.cpu.icount, 400000);
    r.close();
    // --restore also takes the id (or the name) that `checkpoint list` prints.
    for (const ref of [taken[2].id, taken[2].name]) {
      const again = bootScribbler({ engine: 'interp', flags: FLAG_TIMER, memoryMiB: 8 });
      const byId = setupBootCheckpoints(again, new Map([['restore', ref], ['checkpoint-dir', dir]]), io().io);
      assert.equal(byId.restored?.id, taken[2].id, ref);
      assert.equal(again.cpu.icount, 300000, ref);
      byId.close();
    }
    assert.throws(() => setupBootCheckpoints(fresh, new Map([['restore', 'no-such-id'], ['checkpoint-dir', dir]]), io().io),
      (e: unknown) => e instanceof CliError && /no-such-id: no such checkpoint file, and no checkpoint with that id or name in /.test(e.message));
    // A machine with another RAM size: refused before anything changes.
    const small = hashed(createDemoMachine({ memoryMiB: 4 })).machine;
    const before = snapshotOf(small);
    assert.throws(() => setupBootCheckpoints(small, new Map([['restore', last]]), y.io),
      (e: unknown) => e instanceof CliError && /cannot restore .*different machine/.test(e.message));
    assert.deepEqual(snapshotDiff(before, snapshotOf(small)), { components: [], pages: [] });
    assert.throws(() => setupBootCheckpoints(small, new Map([['checkpoint-every', '0']]), y.io), /invalid --checkpoint-every '0'/);
    // checkpointEvery directly: the uninstaller puts Machine.run back.
    const cp = new Checkpointer(fresh);
    const un = checkpointEvery(fresh, cp, 50_000, () => {}, () => {});
    fresh.run(120_000);
    un();
    assert.equal(cp.list().length, 2);
    restoreCheckpoint(fresh, cp.chain(cp.list()[0].id));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
