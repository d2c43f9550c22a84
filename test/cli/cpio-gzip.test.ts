// The initramfs of `mips64 guest fetch`: src/cli/guest/cpio.ts (newc), compressed with
// node:zlib's gzip. The output must be accepted by the host's gzip and GNU cpio (listing
// modes, symlinks and device nodes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CpioWriter, readCpio } from '../../src/cli/guest/cpio.js';
import { buildInitramfs, compressInitramfs, INIT_SCRIPT, USERSPACE_MARKER, APPLETS } from '../../src/cli/guest/debian-guests.js';

/** Runs a host tool; a missing tool fails the test with the package to install (never skips). */
function host(cmd: string, args: string[], input?: Uint8Array): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
  if (r.error) throw new Error(`${cmd} is not installed (apt-get install ${cmd}; .ci/run installs it): ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function sample(): { archive: Uint8Array; payload: Uint8Array } {
  const payload = new Uint8Array(randomBytes(70_001));
  const w = new CpioWriter({ mtime: 1_700_000_000 });
  w.dir('bin').dir('dev').dir('tmp', 0o1777).dir('etc', 0o750);
  w.file('bin/prog', payload, 0o755);
  w.file('etc/motd', 'hello\n');
  w.file('empty', new Uint8Array(0), 0o600);
  w.file('abc', 'x'); // name + header not a multiple of four: padding
  w.symlink('bin/sh', 'prog');
  w.symlink('etc/link', '../bin/prog');
  w.device('dev/console', 'char', 5, 1, 0o600);
  w.device('dev/null', 'char', 1, 3, 0o666);
  w.device('dev/sda', 'block', 8, 0, 0o660);
  w.fifo('tmp/fifo', 0o644);
  return { archive: w.toBytes(), payload };
}

test('host gzip -t accepts the initramfs compression; gzip -d restores the bytes; no time stamp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mips64-gzip-'));
  try {
    const data = new Uint8Array(randomBytes(100_000));
    const file = join(dir, 'x.gz');
    const gz = compressInitramfs(data);
    assert.equal(new DataView(gz.buffer, gz.byteOffset).getUint32(4, true), 0, 'MTIME 0: the same archive gives the same bytes');
    assert.deepEqual(compressInitramfs(data), gz);
    writeFileSync(file, gz);
    const t = host('gzip', ['-t', file]);
    assert.equal(t.status, 0, t.stderr);
    const d = host('gzip', ['-dc', file]);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(new Uint8Array(d.stdout), data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GNU cpio lists our newc archive with the right types, modes, links and device numbers', () => {
  const { archive } = sample();
  const r = host('cpio', ['-itv', '--quiet'], gunzipSync(compressInitramfs(archive)));
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.toString().trim().split('\n');
  const row = (name: string): string => {
    const l = lines.find((x) => x.endsWith(` ${name}`) || x.includes(` ${name} -> `));
    assert.ok(l, `${name} missing from cpio -itv:\n${lines.join('\n')}`);
    return l.replace(/\s+/g, ' ');
  };
  assert.equal(lines.length, 14, lines.join('\n'));
  assert.match(row('bin'), /^drwxr-xr-x 2 root root 0 /);
  assert.match(row('tmp'), /^drwxrwxrwt /);
  assert.match(row('etc'), /^drwxr-x--- /);
  assert.match(row('bin/prog'), /^-rwxr-xr-x 1 root root 70001 /);
  assert.match(row('etc/motd'), /^-rw-r--r-- 1 root root 6 /);
  assert.match(row('empty'), /^-rw------- 1 root root 0 /);
  assert.match(row('bin/sh'), /^lrwxrwxrwx 1 root root 4 .* bin\/sh -> prog$/);
  assert.match(row('etc/link'), /etc\/link -> \.\.\/bin\/prog$/);
  assert.match(row('dev/console'), /^crw------- 1 root root 5, 1 /);
  assert.match(row('dev/null'), /^crw-rw-rw- 1 root root 1, 3 /);
  assert.match(row('dev/sda'), /^brw-rw---- 1 root root 8, 0 /);
  assert.match(row('tmp/fifo'), /^prw-r--r-- /);
  assert.match(row('bin/prog'), /Nov 14\s+2023/); // mtime 1_700_000_000
});

test('GNU cpio extracts our archive: contents, modes and symlinks', () => {
  const { archive, payload } = sample();
  const dir = mkdtempSync(join(tmpdir(), 'mips64-cpio-'));
  try {
    // Device nodes need root; extract everything else (cpio -i with a pattern list).
    const r = spawnSync('cpio', ['-idm', '--quiet', '--no-absolute-filenames', 'bin', 'bin/*', 'etc', 'etc/*', 'empty', 'abc'], { cwd: dir, input: archive });
    if (r.error) throw new Error(`cpio is not installed (apt-get install cpio): ${r.error.message}`);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'bin', 'prog'))), payload);
    assert.equal(statSync(join(dir, 'bin', 'prog')).mode & 0o7777, 0o755);
    assert.equal(readFileSync(join(dir, 'etc', 'motd'), 'utf8'), 'hello\n');
    assert.equal(readFileSync(join(dir, 'abc'), 'utf8'), 'x');
    assert.equal(readlinkSync(join(dir, 'bin', 'sh')), 'prog');
    assert.equal(readlinkSync(join(dir, 'etc', 'link')), '../bin/prog');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('newc layout: 4-byte alignment, inode numbers, trailer; our reader round-trips', () => {
  const { archive, payload } = sample();
  assert.equal(archive.length % 4, 0);
  const text = new TextDecoder('latin1').decode(archive);
  assert.ok(text.startsWith('070701'));
  assert.ok(text.includes('TRAILER!!!\0'));
  const members = readCpio(archive);
  assert.deepEqual(members.map((m) => m.path), ['bin', 'dev', 'tmp', 'etc', 'bin/prog', 'etc/motd', 'empty', 'abc', 'bin/sh', 'etc/link', 'dev/console', 'dev/null', 'dev/sda', 'tmp/fifo']);
  const prog = members.find((m) => m.path === 'bin/prog')!;
  assert.deepEqual(prog.data, payload);
  assert.equal(prog.mtime, 1_700_000_000);
  const con = members.find((m) => m.path === 'dev/console')!;
  assert.deepEqual([con.type, con.major, con.minor, con.perm], ['char', 5, 1, 0o600]);
  // Every header starts on a 4-byte boundary: find them all by magic.
  let count = 0;
  for (let i = text.indexOf('070701'); i >= 0; i = text.indexOf('070701', i + 1)) {
    if (/^070701[0-9A-F]{104}/.test(text.slice(i, i + 110))) {
      assert.equal(i % 4, 0, `header at ${i}`);
      count++;
    }
  }
  assert.equal(count, members.length + 1);
});

test('the writer refuses bad paths, duplicates, missing parents and bad modes', () => {
  const w = new CpioWriter().dir('bin');
  assert.throws(() => w.file('/abs', 'x'), /bad member path/);
  assert.throws(() => w.file('bin/../x', 'x'), /bad member path/);
  assert.throws(() => w.file('a//b', 'x'), /bad member path/);
  assert.throws(() => w.file('TRAILER!!!', 'x'), /bad member path/);
  assert.throws(() => w.dir('bin'), /duplicate/);
  assert.throws(() => w.file('usr/bin/x', 'x'), /parent directory usr\/bin/);
  assert.throws(() => w.file('bin/x', 'x', 0o10000), /permissions/);
  assert.throws(() => w.device('bin/d', 'char', -1, 0), /major/);
  assert.throws(() => w.symlink('bin/l', ''), /symlink target/);
  w.file('bin/x', 'x');
  assert.throws(() => w.file('bin/x/y', 'y'), /parent directory bin\/x/);
});

test('the debian-malta initramfs: busybox, applet links, device nodes, directories, /init with the marker', () => {
  const busybox = new Uint8Array(randomBytes(5000));
  const gz = compressInitramfs(buildInitramfs(busybox));
  const members = readCpio(new Uint8Array(gunzipSync(gz)));
  const by = new Map(members.map((m) => [m.path, m]));
  assert.deepEqual(by.get('bin/busybox')?.data, busybox);
  assert.equal(by.get('bin/busybox')?.perm, 0o755);
  for (const a of ['sh', 'mount', 'echo', 'cat', 'ls', 'dmesg', 'cttyhack', 'setsid', 'poweroff', 'reboot']) {
    assert.equal(by.get(`bin/${a}`)?.type, 'symlink', a);
    assert.equal(new TextDecoder().decode(by.get(`bin/${a}`)!.data), 'busybox');
  }
  // PID 1 is a shell: the interactive shells' poweroff/reboot/halt act directly (-f).
  const profile = new TextDecoder().decode(by.get('etc/profile')!.data);
  for (const a of ['poweroff', 'reboot', 'halt']) assert.match(profile, new RegExp(`^${a}\\(\\) \\{ sync; busybox ${a} -f "\\$@"; \\}$`, 'm'));
  assert.ok(APPLETS.length >= 40);
  assert.deepEqual([by.get('dev/console')?.type, by.get('dev/console')?.major, by.get('dev/console')?.minor], ['char', 5, 1]);
  assert.deepEqual([by.get('dev/null')?.type, by.get('dev/null')?.major, by.get('dev/null')?.minor], ['char', 1, 3]);
  for (const d of ['proc', 'sys', 'dev', 'tmp']) assert.equal(by.get(d)?.type, 'dir', d);
  const init = by.get('init')!;
  assert.equal(init.perm, 0o755);
  const script = new TextDecoder().decode(init.data);
  assert.equal(script, INIT_SCRIPT);
  assert.ok(script.startsWith('#!/bin/sh\n'));
  assert.ok(script.includes(`echo "${USERSPACE_MARKER}"`));
  for (const fs of ['proc', 'sysfs', 'devtmpfs']) assert.match(script, new RegExp(`mount -t ${fs} `));
  assert.match(script, /setsid cttyhack sh/);
  assert.match(script, /ENV=\/etc\/profile/);
  // And the host tools agree.
  const t = host('gzip', ['-t'], gz);
  assert.equal(t.status, 0, t.stderr);
  const l = host('cpio', ['-it', '--quiet'], gunzipSync(gz));
  assert.equal(l.status, 0, l.stderr);
  assert.deepEqual(l.stdout.toString().trim().split('\n'), members.map((m) => m.path));
});
