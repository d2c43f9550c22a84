// `npm run package` builds mips64-studio.vsix with exactly the files a user needs.
// The .vsix is a zip archive; its central directory is parsed here directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';

const root = path.resolve(__dirname, '..', '..', '..');
const vsixPath = path.join(root, 'mips64-studio.vsix');

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** Lists the entries of a zip archive from its central directory (no zip64). */
function readZipDirectory(zip: Buffer): ZipEntry[] {
  const EOCD = 0x06054b50;
  const minEocd = 22;
  let eocd = -1;
  for (let i = zip.length - minEocd; i >= Math.max(0, zip.length - minEocd - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'end of central directory record not found');
  const count = zip.readUInt16LE(eocd + 10);
  const dirSize = zip.readUInt32LE(eocd + 12);
  const dirOffset = zip.readUInt32LE(eocd + 16);
  assert.ok(count !== 0xffff && dirOffset !== 0xffffffff, 'zip64 archives are not expected');
  assert.ok(dirOffset + dirSize <= eocd, 'central directory overlaps its end record');

  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, `bad central directory header at ${p}`);
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localHeaderOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({ name, method, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  assert.equal(p, dirOffset + dirSize, 'central directory size mismatch');
  return entries;
}

/** The uncompressed contents of one entry (stored or deflated). */
function readZipEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const p = entry.localHeaderOffset;
  assert.equal(zip.readUInt32LE(p), 0x04034b50, `bad local header for ${entry.name}`);
  const start = p + 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  assert.equal(entry.method, 8, `unsupported compression method ${entry.method} for ${entry.name}`);
  const out = inflateRawSync(data);
  assert.equal(out.length, entry.size, `size mismatch for ${entry.name}`);
  return out;
}

/** What may be in the package (paths inside the zip). */
function isAllowed(name: string): boolean {
  if (name === '[Content_Types].xml' || name === 'extension.vsixmanifest') return true;
  if (!name.startsWith('extension/')) return false;
  const rel = name.slice('extension/'.length);
  if (['package.json', 'language-configuration.json', 'LICENSE', 'LICENSE.txt'].includes(rel)) return true;
  if (rel.toLowerCase() === 'readme.md') return true;
  if (rel.startsWith('dist/guests/')) return /^dist\/guests\/[^/]+\.elf$/.test(rel) || rel === 'dist/guests/demo.s';
  if (rel.startsWith('dist/')) return rel.endsWith('.js');
  return rel.startsWith('syntaxes/') || rel.startsWith('media/');
}

test('npm run package builds a .vsix with only the allowed files', { timeout: 120_000 }, () => {
  rmSync(vsixPath, { force: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'package'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);

  const zip = readFileSync(vsixPath);
  const entries = readZipDirectory(zip);
  const names = entries.map((e) => e.name);

  const disallowed = names.filter((n) => !isAllowed(n));
  assert.deepEqual(disallowed, [], `unexpected files in the .vsix: ${disallowed.join(', ')}`);
  for (const required of [
    'extension.vsixmanifest',
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/cli.js',
    'extension/dist/guests/demo.elf',
    'extension/dist/guests/demo-eb.elf',
    'extension/dist/guests/demo.s',
    'extension/syntaxes/mips64-asm.tmLanguage.json',
    'extension/language-configuration.json',
    'extension/media/icon.png',
  ]) {
    assert.ok(names.includes(required), `${required} missing from the .vsix (has: ${names.join(', ')})`);
  }
  assert.ok(names.some((n) => n.toLowerCase() === 'extension/readme.md'), 'README missing');
  // The demo's source, for its line information in the installed extension: exactly the repository's.
  const demoSource = readZipEntry(zip, entries.find((e) => e.name === 'extension/dist/guests/demo.s')!);
  assert.ok(demoSource.equals(readFileSync(path.join(root, 'guests', 'demo', 'demo.s'))), 'dist/guests/demo.s differs from guests/demo/demo.s');
  assert.ok(names.some((n) => n.startsWith('extension/LICENSE')), 'LICENSE missing');

  // Every file the packaged manifest points at is in the package.
  const pkgEntry = entries.find((e) => e.name === 'extension/package.json')!;
  const pkg = JSON.parse(readZipEntry(zip, pkgEntry).toString('utf8')) as {
    main: string;
    icon: string;
    contributes: {
      grammars: { path: string }[];
      languages: { configuration?: string }[];
      debuggers: { type: string; program: string }[];
    };
  };
  const inPackage = (p: string): string => 'extension/' + path.posix.normalize(p);
  const referenced = [
    pkg.main,
    pkg.icon,
    ...pkg.contributes.grammars.map((g) => g.path),
    ...pkg.contributes.languages.flatMap((l) => (l.configuration ? [l.configuration] : [])),
  ];
  for (const ref of referenced) assert.ok(names.includes(inPackage(ref)), `${ref} is referenced by package.json but not packaged`);
  // The debug adapter is bundled into dist/ (it is built by a later change).
  for (const d of pkg.contributes.debuggers) assert.ok(inPackage(d.program).startsWith('extension/dist/'), d.program);

  // The built-in demo guest is a little-endian MIPS ELF64 executable (and its big-endian twin).
  for (const [file, data] of [['demo.elf', 1], ['demo-eb.elf', 2]] as const) {
    const elf = readZipEntry(zip, entries.find((e) => e.name === `extension/dist/guests/${file}`)!);
    assert.equal(elf.toString('latin1', 0, 4), '\x7fELF', file);
    assert.equal(elf[4], 2, `${file}: ELFCLASS64`);
    assert.equal(elf[5], data, `${file}: byte order`);
    assert.equal(data === 1 ? elf.readUInt16LE(18) : elf.readUInt16BE(18), 8, `${file}: EM_MIPS`);
  }

  // The icon is a 128x128 PNG.
  const icon = readZipEntry(zip, entries.find((e) => e.name === 'extension/media/icon.png')!);
  assert.equal(icon.toString('latin1', 1, 4), 'PNG');
  assert.equal(icon.readUInt32BE(16), 128);
  assert.equal(icon.readUInt32BE(20), 128);
});
