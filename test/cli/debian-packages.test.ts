// src/cli/guest/debian-packages.ts against stand-in dpkg / dpkg-deb / apt-get / apt-cache
// scripts (first on PATH), so every path — enabling the architecture, metapackage and
// virtual-package resolution, cache reuse, damaged cache, locking, missing tools — is
// exercised quickly and without touching the machine's apt configuration. The real tools
// are used by test/isa/objdump-parity.test.ts through test/support/corpus.ts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, fetchDebianPackage } from '../../src/cli/guest/debian-packages.js';

const isRoot = process.getuid?.() === 0;

const DPKG = `#!/bin/bash
echo "dpkg $*" >> "$FAKE/calls"
case "$1" in
  --print-architecture) echo amd64 ;;
  --print-foreign-architectures) cat "$FAKE/foreign" 2>/dev/null || true ;;
  --add-architecture) echo "$2" >> "$FAKE/foreign" ;;
  --version) echo fake ;;
esac
`;

// Packages are tar files holding data/ (the payload) and a version file.
const DPKG_DEB = `#!/bin/bash
case "$1" in
  --version) echo fake ;;
  -f) tar -xOf "$2" ./version ;;
  -x) t=$(mktemp -d); tar -xf "$2" -C "$t"; cp -a "$t/data/." "$3/"; rm -rf "$t" ;;
esac
`;

const APT_GET = `#!/bin/bash
echo "apt-get $*" >> "$FAKE/calls"
[ "$1" = --version ] && { echo fake; exit 0; }
for a in "$@"; do last="$a"; done
case " $* " in
  *" update "*) exit 0 ;;
  *" download "*)
    n="\${last%%:*}"
    [ -f "$FAKE/repo/$n.deb" ] || { echo "E: Unable to locate package $last" >&2; exit 100; }
    sleep 0.2
    cp "$FAKE/repo/$n.deb" "./\${n}_1.0_\${last#*:}.deb" ;;
esac
`;

const APT_CACHE = `#!/bin/bash
echo "apt-cache $*" >> "$FAKE/calls"
[ "$1" = --version ] && { echo fake; exit 0; }
for a in "$@"; do last="$a"; done
n="\${last%%:*}"; arch="\${last#*:}"
case "$1" in
  show) if [ -f "$FAKE/repo/$n.deb" ]; then echo "Package: $n"; echo "Version: 1.0"; elif [ ! -f "$FAKE/virtual/$n" ]; then echo "E: No packages found" >&2; exit 100; fi ;;
  showpkg) [ -f "$FAKE/virtual/$n" ] && { echo "Package: $n"; echo "Reverse Provides: "; while read p; do echo "$p:$arch 1.0 (= )"; echo "$p 1.0 (= )"; done < "$FAKE/virtual/$n"; } ; exit 0 ;;
  depends) echo "$last"; [ -f "$FAKE/deps/$n" ] && while read d; do echo "  Depends: $d:$arch"; done < "$FAKE/deps/$n"; exit 0 ;;
esac
`;

let fake: string;
let cache: string;
const savedEnv = { PATH: process.env.PATH, FAKE: process.env.FAKE, MIPS64_STUDIO_CACHE: process.env.MIPS64_STUDIO_CACHE };

function makeDeb(name: string, version: string, files: Record<string, string>): void {
  const dir = mkdtempSync(join(fake, 'pkg-'));
  writeFileSync(join(dir, 'version'), version + '\n');
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(dir, 'data', p, '..'), { recursive: true });
    writeFileSync(join(dir, 'data', p), content);
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  execFileSync('tar', ['-cf', join(fake, 'repo', `${name}.deb`), '-C', dir, '.']);
  rmSync(dir, { recursive: true, force: true });
}

const calls = (): string[] => (existsSync(join(fake, 'calls')) ? readFileSync(join(fake, 'calls'), 'utf8').trim().split('\n') : []);
const resetCalls = (): void => rmSync(join(fake, 'calls'), { force: true });

describe('fetchDebianPackage (with stand-in apt/dpkg)', { concurrency: false }, () => {
  before(() => {
    fake = mkdtempSync(join(tmpdir(), 'mips64-fake-apt-'));
    for (const d of ['bin', 'repo', 'deps', 'virtual']) mkdirSync(join(fake, d));
    for (const [n, s] of Object.entries({ dpkg: DPKG, 'dpkg-deb': DPKG_DEB, 'apt-get': APT_GET, 'apt-cache': APT_CACHE })) {
      writeFileSync(join(fake, 'bin', n), s);
      chmodSync(join(fake, 'bin', n), 0o755);
    }
    cache = join(fake, 'cache');
    process.env.PATH = `${join(fake, 'bin')}:${process.env.PATH}`;
    process.env.FAKE = fake;
    process.env.MIPS64_STUDIO_CACHE = cache;
    makeDeb('tool-static', '1:2.0-1', { 'bin/tool': 'TOOL BINARY', 'usr/share/doc/tool-static/copyright': 'c' });
    makeDeb('kernel-meta', '5', { 'usr/share/doc/kernel-meta/changelog': 'meta only' });
    makeDeb('kernel-6.1.0-9', '6.1.99-1', { 'boot/vmlinuz-6.1.0-9': 'KERNEL', 'boot/config-6.1.0-9': 'CONFIG=y', 'lib/modules/6.1.0-9/a.ko': 'ko' });
    writeFileSync(join(fake, 'deps', 'kernel-meta'), 'kernel-6.1.0-9\n');
    writeFileSync(join(fake, 'virtual', 'tool'), 'tool-static\n');
    writeFileSync(join(fake, 'virtual', 'awk'), 'mawk\ngawk\n');
  });
  after(() => {
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(fake, { recursive: true, force: true });
  });

  test('cacheDir honours MIPS64_STUDIO_CACHE, then XDG_CACHE_HOME', () => {
    assert.equal(cacheDir(), cache);
    const xdg = process.env.XDG_CACHE_HOME;
    try {
      delete process.env.MIPS64_STUDIO_CACHE;
      process.env.XDG_CACHE_HOME = '/x/y';
      assert.equal(cacheDir(), '/x/y/mips64-studio');
      delete process.env.XDG_CACHE_HOME;
      assert.match(cacheDir(), /\/\.cache\/mips64-studio$/);
    } finally {
      process.env.MIPS64_STUDIO_CACHE = cache;
      if (xdg === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = xdg;
    }
  });

  test('enables the architecture, follows a metapackage, writes the manifest', async () => {
    resetCalls();
    const log: string[] = [];
    const fetching = fetchDebianPackage('kernel-meta', 'mips64el', { log: (m) => log.push(m) });
    if (!isRoot) {
      await assert.rejects(fetching, /sudo dpkg --add-architecture mips64el/);
      writeFileSync(join(fake, 'foreign'), 'mips64el\n');
      return;
    }
    const pkg = await fetching;
    assert.ok(calls().includes('dpkg --add-architecture mips64el'), calls().join('\n'));
    assert.ok(calls().some((c) => /^apt-get .*update$/.test(c)), 'apt-get update after adding the architecture');
    assert.equal(pkg.fromCache, false);
    assert.equal(pkg.manifest.requested, 'kernel-meta');
    assert.equal(pkg.manifest.package, 'kernel-6.1.0-9');
    assert.deepEqual(pkg.manifest.resolvedVia, ['kernel-meta']);
    assert.equal(pkg.manifest.version, '6.1.99-1');
    assert.equal(pkg.manifest.arch, 'mips64el');
    assert.match(pkg.manifest.deb.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(pkg.manifest.files).sort(), ['boot/config-6.1.0-9', 'boot/vmlinuz-6.1.0-9']);
    assert.equal(readFileSync(join(pkg.root, 'boot', 'vmlinuz-6.1.0-9'), 'utf8'), 'KERNEL');
    assert.ok(existsSync(join(pkg.root, 'lib', 'modules', '6.1.0-9', 'a.ko')));
    const onDisk = JSON.parse(readFileSync(pkg.manifestPath, 'utf8'));
    assert.deepEqual(onDisk, pkg.manifest);
    assert.ok(log.some((m) => /metapackage/.test(m)), log.join('\n'));
    assert.ok(calls().some((c) => c.includes('-o APT::Sandbox::User=root') && c.includes('download kernel-6.1.0-9:mips64el')));
  });

  test('re-uses a valid cache entry without running apt', async () => {
    await fetchDebianPackage('kernel-meta', 'mips64el');
    resetCalls();
    const pkg = await fetchDebianPackage('kernel-meta', 'mips64el');
    assert.equal(pkg.fromCache, true);
    assert.deepEqual(calls(), []);
  });

  test('fetches again when a key file no longer matches its sha256', async () => {
    const first = await fetchDebianPackage('kernel-meta', 'mips64el');
    writeFileSync(join(first.root, 'boot', 'vmlinuz-6.1.0-9'), 'CORRUPTED');
    resetCalls();
    const log: string[] = [];
    const pkg = await fetchDebianPackage('kernel-meta', 'mips64el', { log: (m) => log.push(m) });
    assert.equal(pkg.fromCache, false);
    assert.ok(log.some((m) => /damaged/.test(m)), log.join('\n'));
    assert.equal(readFileSync(join(pkg.root, 'boot', 'vmlinuz-6.1.0-9'), 'utf8'), 'KERNEL');
    assert.ok(!calls().some((c) => c.startsWith('dpkg --add-architecture')), 'architecture already enabled');
  });

  test('resolves a virtual package with one provider; refuses an ambiguous one', async () => {
    const pkg = await fetchDebianPackage('tool', 'mips64el');
    assert.equal(pkg.manifest.package, 'tool-static');
    assert.deepEqual(pkg.manifest.resolvedVia, ['tool']);
    assert.deepEqual(Object.keys(pkg.manifest.files), ['bin/tool']);
    await assert.rejects(fetchDebianPackage('awk', 'mips64el'), /several providers \(mawk, gawk\)/);
  });

  test('concurrent fetches of one package download it once', async () => {
    rmSync(join(cache, 'debian', 'mips64el', 'tool-static'), { recursive: true, force: true });
    resetCalls();
    const [a, b] = await Promise.all([fetchDebianPackage('tool-static', 'mips64el'), fetchDebianPackage('tool-static', 'mips64el')]);
    assert.equal(calls().filter((c) => c.includes('download tool-static')).length, 1, calls().join('\n'));
    assert.deepEqual([a.fromCache, b.fromCache].sort(), [false, true]);
    assert.equal(a.root, b.root);
  });

  test('an unknown package fails with the manual steps', async () => {
    await assert.rejects(fetchDebianPackage('no-such-package', 'mips64el'), (e: Error) => {
      assert.match(e.message, /no-such-package:mips64el not found/);
      assert.match(e.message, /apt-get download no-such-package:mips64el/);
      assert.match(e.message, /dpkg-deb -x/);
      return true;
    });
  });

  test('without apt/dpkg the error explains how to do it by hand', async () => {
    const path = process.env.PATH;
    const empty = join(fake, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    process.env.PATH = empty;
    try {
      await assert.rejects(fetchDebianPackage('something', 'mips64el'), (e: Error) => {
        assert.match(e.message, /dpkg, dpkg-deb, apt-get, apt-cache not found/);
        assert.match(e.message, /packages\.debian\.org\/bookworm\/mips64el\/something\/download/);
        assert.match(e.message, /ar x PACKAGE\.deb/);
        return true;
      });
    } finally {
      process.env.PATH = path;
    }
  });

  test('rejects names that are not Debian package names', async () => {
    await assert.rejects(fetchDebianPackage('../etc', 'mips64el'), /invalid Debian package name/);
    await assert.rejects(fetchDebianPackage('busybox', 'mips 64'), /invalid Debian architecture/);
  });
});
