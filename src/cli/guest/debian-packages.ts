// Obtains Debian packages built for another architecture (e.g. mips64el) and caches their
// extracted contents. Pure Node (no VS Code): used by the tests' corpus and, later, by
// `mips64 guest fetch debian-malta`.
//
// Flow of fetchDebianPackage(name, arch):
//   1. cache hit: <cache>/debian/<arch>/<name>/manifest.json exists and every key file's
//      sha256 still matches it → return it without touching apt;
//   2. make sure dpkg knows the foreign architecture (dpkg --add-architecture + apt-get update);
//   3. resolve a purely virtual package to its single provider (apt-cache showpkg);
//   4. apt-get download NAME:ARCH into a temp dir and extract it with dpkg-deb -x; when the
//      package turns out to be a metapackage (nothing but documentation inside), follow its
//      dependency (apt-cache depends) and download that instead;
//   5. write the manifest (package, version, arch, sha256 of the .deb and of the key files,
//      date) with temp file + rename, then move the whole entry into place with one rename.
// A per-entry lock file serialises concurrent fetches (e.g. test files run in parallel).
// Where apt-get/dpkg are unavailable the error message spells out the manual steps.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { cacheDir } from '../../storage/cache-dir';

export { cacheDir };

export const MANIFEST_SCHEMA = 1;

export interface DebianManifest {
  schema: number;
  /** The name that was asked for (may be a metapackage or a virtual package). */
  requested: string;
  /** The package whose files were extracted. */
  package: string;
  /** Packages followed to get there, starting with `requested` (empty when it was real). */
  resolvedVia: string[];
  version: string;
  arch: string;
  deb: { file: string; size: number; sha256: string };
  /** sha256 of the key files, by path relative to the extraction root ('/' separated). */
  files: Record<string, string>;
  /** Number of regular files extracted. */
  fileCount: number;
  /** ISO 8601 time of the download. */
  date: string;
}

export interface DebianPackage {
  /** Directory holding the package's files, laid out as in the package (e.g. <root>/bin/busybox). */
  root: string;
  manifest: DebianManifest;
  manifestPath: string;
  /** True when the cache was used without running apt. */
  fromCache: boolean;
}

export interface FetchOptions {
  /** Progress messages (one line each). */
  log?: (message: string) => void;
  /** Cache root; defaults to cacheDir(). */
  cacheDir?: string;
  /** Ignore a valid cache entry and download again. */
  refresh?: boolean;
  /** Which extracted files are hashed into the manifest (path relative to the root, '/' separated). */
  keyFiles?: (path: string) => boolean;
  /** How long to wait for another process holding this entry's lock (default 30 minutes). */
  lockTimeoutMs?: number;
  /** This exact version (apt's `name=version`), not the candidate. */
  version?: string;
  /**
   * Extract only these members (paths relative to the package root), reading the archive
   * only as far as the last of them (a large package whose few files come first).
   */
  extract?: readonly string[];
  /** Download progress (bytes so far, the package's size when apt knows it), about once a second. */
  progress?: (bytes: number, total: number | undefined) => void;
}

/** Default key files: everything under boot/, bin/, sbin/, usr/bin/, usr/sbin/. */
export function defaultKeyFile(path: string): boolean {
  return /^(boot|bin|sbin|usr\/bin|usr\/sbin)\//.test(path);
}

/** Files that do not make a package "real" (a package holding only these is a metapackage). */
const DOC_ONLY = /^usr\/share\/(doc|doc-base|bug|lintian|man|info)\//;

const NAME_RE = /^[a-z0-9][a-z0-9+.-]*$/;
const ARCH_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Directory of a cache entry. */
export function debianPackageDir(name: string, arch: string, root = cacheDir()): string {
  return join(root, 'debian', arch, name);
}

/**
 * Returns the extracted contents of Debian package `name` for `arch`, downloading and caching
 * it when needed. Throws an Error with manual instructions when apt/dpkg cannot be used.
 */
export async function fetchDebianPackage(name: string, arch: string, opts: FetchOptions = {}): Promise<DebianPackage> {
  if (!NAME_RE.test(name)) throw new Error(`invalid Debian package name '${name}'`);
  if (!ARCH_RE.test(arch)) throw new Error(`invalid Debian architecture '${arch}'`);
  const log = opts.log ?? (() => undefined);
  const root = opts.cacheDir ?? cacheDir();
  const entry = debianPackageDir(name, arch, root);
  const keyFile = opts.keyFiles ?? defaultKeyFile;

  if (!opts.refresh) {
    const hit = await readValidEntry(entry, log);
    if (hit) return hit;
  }
  await fs.mkdir(join(root, 'debian', arch), { recursive: true });
  return withLock(`${entry}.lock`, opts.lockTimeoutMs ?? 30 * 60_000, log, async () => {
    // Another process may have filled the entry while we waited for the lock.
    if (!opts.refresh) {
      const hit = await readValidEntry(entry, log);
      if (hit) return hit;
    }
    const apt = new Apt(arch, log, root);
    apt.requireTools(name);
    await apt.ensureArchitecture(name);

    const work = await fs.mkdtemp(join(root, 'debian', arch, `.${name}.tmp-`));
    try {
      const resolvedVia: string[] = [];
      let pkgName = await apt.resolveVirtual(name, name);
      if (pkgName !== name) resolvedVia.push(name);
      let got: Downloaded | undefined;
      for (let depth = 0; ; depth++) {
        if (depth > 4) throw new Error(`${name}:${arch}: metapackage chain too long (${resolvedVia.join(' → ')})`);
        got = await apt.downloadAndExtract(pkgName, work, name, { version: pkgName === name ? opts.version : undefined, extract: opts.extract, progress: opts.progress });
        if (got.payload > 0) break;
        // A metapackage: follow its single dependency.
        const dep = await apt.metapackageTarget(pkgName, name);
        log(`${pkgName}:${arch} is a metapackage; following its dependency ${dep}`);
        resolvedVia.push(pkgName);
        pkgName = await apt.resolveVirtual(dep, name);
        await fs.rm(got.root, { recursive: true, force: true });
      }

      const files: Record<string, string> = {};
      for (const f of got.files) if (keyFile(f)) files[f] = await sha256File(join(got.root, ...f.split('/')));
      if (Object.keys(files).length === 0) {
        // No conventional key files: hash everything that is not documentation.
        for (const f of got.files) if (!DOC_ONLY.test(f)) files[f] = await sha256File(join(got.root, ...f.split('/')));
      }
      const manifest: DebianManifest = {
        schema: MANIFEST_SCHEMA,
        requested: name,
        package: pkgName,
        resolvedVia,
        version: got.version,
        arch,
        deb: got.deb,
        files,
        fileCount: got.files.length,
        date: new Date().toISOString(),
      };
      const stage = join(work, 'entry');
      await fs.mkdir(stage);
      await fs.rename(got.root, join(stage, 'root'));
      await writeFileAtomic(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

      // Replace the entry with one rename (an old, invalid entry is moved aside first).
      const old = `${work}${sep}old`;
      await fs.rename(entry, old).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await fs.rename(stage, entry);
      log(`cached ${pkgName}:${arch} ${got.version} in ${entry}`);
      return { root: join(entry, 'root'), manifest, manifestPath: join(entry, 'manifest.json'), fromCache: false };
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  });
}

/** Reads a cache entry and checks its key files; undefined when absent or stale. */
async function readValidEntry(entry: string, log: (m: string) => void): Promise<DebianPackage | undefined> {
  const manifestPath = join(entry, 'manifest.json');
  let manifest: DebianManifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as DebianManifest;
  } catch {
    return undefined;
  }
  const root = join(entry, 'root');
  if (manifest.schema !== MANIFEST_SCHEMA || typeof manifest.files !== 'object' || manifest.files === null) {
    log(`ignoring cache entry ${entry}: unknown manifest format`);
    return undefined;
  }
  for (const [f, sum] of Object.entries(manifest.files)) {
    let actual: string;
    try {
      actual = await sha256File(join(root, ...f.split('/')));
    } catch {
      log(`cache entry ${entry} is incomplete (${f} missing); fetching again`);
      return undefined;
    }
    if (actual !== sum) {
      log(`cache entry ${entry} is damaged (${f} changed); fetching again`);
      return undefined;
    }
  }
  return { root, manifest, manifestPath, fromCache: true };
}

// ---------------------------------------------------------------------------------------------
// apt / dpkg

interface Downloaded {
  /** Extraction directory. */
  root: string;
  version: string;
  deb: { file: string; size: number; sha256: string };
  /** Regular files, relative, '/' separated. */
  files: string[];
  /** Regular files outside the documentation directories. */
  payload: number;
}

class Apt {
  private readonly isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  private updated = false;

  /** Serialises apt-get update / dpkg --add-architecture between our own processes. */
  private readonly aptLock: string;

  constructor(private readonly arch: string, private readonly log: (m: string) => void, cacheRoot: string) {
    this.aptLock = join(cacheRoot, 'debian', 'apt.lock');
  }

  requireTools(name: string): void {
    const missing = ['dpkg', 'dpkg-deb', 'apt-get', 'apt-cache'].filter((t) => !hasCommand(t));
    if (missing.length) {
      throw new Error(`cannot fetch Debian package ${name}:${this.arch}: ${missing.join(', ')} not found (a Debian or Ubuntu host is needed).\n`
        + manualSteps(name, this.arch));
    }
  }

  /** Enables the foreign architecture (and refreshes the package lists) when needed. */
  async ensureArchitecture(name: string): Promise<void> {
    const native = (await run('dpkg', ['--print-architecture'])).stdout.trim();
    if (native === this.arch) return;
    const foreign = (await run('dpkg', ['--print-foreign-architectures'])).stdout.split(/\s+/).filter(Boolean);
    if (foreign.includes(this.arch)) return;
    if (!this.isRoot) {
      throw new Error(`cannot fetch Debian package ${name}:${this.arch}: architecture ${this.arch} is not enabled and enabling it needs root.\n`
        + `Run:\n  sudo dpkg --add-architecture ${this.arch}\n  sudo apt-get update\nthen try again, or:\n${manualSteps(name, this.arch)}`);
    }
    this.log(`enabling architecture ${this.arch}: dpkg --add-architecture ${this.arch} && apt-get update`);
    await withLock(this.aptLock, 30 * 60_000, this.log, () => run('dpkg', ['--add-architecture', this.arch]));
    await this.update();
  }

  private async update(): Promise<void> {
    await withLock(this.aptLock, 30 * 60_000, this.log, () =>
      run('apt-get', ['-q', '-o', 'DPkg::Lock::Timeout=600', 'update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } }));
    this.updated = true;
  }

  private async cache(args: string[], name: string): Promise<string> {
    const r = await run('apt-cache', args, { check: false });
    if (r.code === 0) return r.stdout;
    throw new Error(`apt-cache ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}\n${manualSteps(name, this.arch)}`);
  }

  /** A real package → itself; a purely virtual package → its only provider for this architecture. */
  async resolveVirtual(pkg: string, requested: string): Promise<string> {
    for (;;) {
      const show = await this.cache(['show', '--no-all-versions', `${pkg}:${this.arch}`], requested).catch(() => '');
      if (/^Package:/m.test(show)) return pkg;
      const out = await this.cache(['showpkg', `${pkg}:${this.arch}`], requested).catch(() => '');
      const rp = out.split('\nReverse Provides:')[1] ?? '';
      const providers = new Set<string>();
      for (const line of rp.split('\n')) {
        const m = /^(\S+?)(?::(\S+))?\s+\S+/.exec(line.trim());
        if (m && (m[2] ?? '') === this.arch) providers.add(m[1]!);
      }
      if (providers.size === 1) {
        const p = [...providers][0]!;
        this.log(`${pkg}:${this.arch} is a virtual package provided by ${p}`);
        return p;
      }
      if (providers.size > 1) {
        throw new Error(`${pkg}:${this.arch} is a virtual package with several providers (${[...providers].join(', ')}); name one of them`);
      }
      if (this.updated || !this.isRoot) {
        throw new Error(`Debian package ${pkg}:${this.arch} not found (apt-cache knows no such package or provider).\n${manualSteps(requested, this.arch)}`);
      }
      // Maybe the package lists are stale or predate the architecture: refresh once.
      this.log(`${pkg}:${this.arch} unknown to apt; running apt-get update`);
      await this.update();
    }
  }

  /** The package a metapackage stands for: its first (and only) dependency group. */
  async metapackageTarget(pkg: string, requested: string): Promise<string> {
    const out = await this.cache(['depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks',
      '--no-replaces', '--no-enhances', `${pkg}:${this.arch}`], requested);
    const deps: string[] = [];
    let alternative = false;
    for (const line of out.split('\n')) {
      const m = /^\s+(\|?)(?:Pre)?Depends:\s+<?([^\s:>]+)/.exec(line);
      if (!m) continue;
      // "|Depends: a" means "a or the next one": keep the first alternative only.
      if (!alternative) deps.push(m[2]!);
      alternative = m[1] === '|';
    }
    if (deps.length === 1) return deps[0]!;
    throw new Error(`${pkg}:${this.arch} holds no files and ${deps.length ? `depends on several packages (${deps.join(', ')})` : 'has no dependencies'}; cannot tell which one to fetch`);
  }

  async downloadAndExtract(pkg: string, work: string, requested: string, o: Pick<FetchOptions, 'version' | 'extract' | 'progress'> = {}): Promise<Downloaded> {
    const dl = await fs.mkdtemp(join(work, 'deb-'));
    await fs.chmod(dl, 0o755);
    const spec = `${pkg}:${this.arch}${o.version ? `=${o.version}` : ''}`;
    const args = ['-q', 'download', spec];
    // As root, apt drops privileges to _apt for downloads; the temp dir is not theirs.
    if (this.isRoot) args.unshift('-o', 'APT::Sandbox::User=root');
    this.log(`apt-get download ${spec}`);
    let ticker: NodeJS.Timeout | undefined;
    if (o.progress) {
      const report = o.progress;
      const total = await this.size(spec);
      ticker = setInterval(() => { void dirBytes(dl).then((n) => report(n, total)); }, 1000);
    }
    const r = await run('apt-get', args, { cwd: dl, check: false }).finally(() => clearInterval(ticker));
    if (r.code !== 0) {
      throw new Error(`apt-get download ${spec} failed (exit ${r.code}): ${r.stderr.trim()}\n${manualSteps(requested, this.arch)}`);
    }
    const debs = (await fs.readdir(dl)).filter((f) => f.endsWith('.deb'));
    if (debs.length !== 1) throw new Error(`apt-get download ${pkg}:${this.arch} produced ${debs.length} .deb files in ${dl}`);
    const debPath = join(dl, debs[0]!);
    const size = (await fs.stat(debPath)).size;
    const sha256 = await sha256File(debPath);
    const version = (await run('dpkg-deb', ['-f', debPath, 'Version'])).stdout.trim();
    const root = join(work, `root-${pkg}`);
    await fs.mkdir(root);
    if (o.extract) await extractMembers(debPath, root, o.extract);
    else await run('dpkg-deb', ['-x', debPath, root]);
    await fs.rm(dl, { recursive: true, force: true });
    const files = (await listFiles(root)).sort();
    return { root, version, deb: { file: debs[0]!, size, sha256 }, files, payload: files.filter((f) => !DOC_ONLY.test(f)).length };
  }

  /** The download size apt lists for a package spec, if it does. */
  private async size(spec: string): Promise<number | undefined> {
    const show = await run('apt-cache', ['show', '--no-all-versions', spec], { check: false });
    const m = /^Size:\s*(\d+)/m.exec(show.stdout);
    return m ? Number(m[1]) : undefined;
  }
}

/**
 * Extracts `members` of a .deb's data archive into `root`: dpkg-deb's tar stream through
 * GNU tar, which stops reading once each member was found (--occurrence).
 */
async function extractMembers(deb: string, root: string, members: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const dpkg = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '--occurrence=1', '-C', root, ...members.map((m) => `./${m}`)], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    dpkg.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    tar.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    dpkg.stdout.pipe(tar.stdin);
    tar.stdin.on('error', () => undefined); // tar stops reading early: dpkg-deb gets EPIPE, expected
    dpkg.on('error', reject);
    tar.on('error', reject);
    tar.on('close', (code) => {
      dpkg.kill();
      if (code === 0) resolve();
      else reject(new Error(`extracting ${members.join(', ')} from ${deb} failed (tar exit ${code}): ${err.trim().split('\n').filter((l) => !/Broken pipe|paste subprocess/.test(l)).join('; ')}`));
    });
  });
}

/** Bytes of the regular files under a directory (a download in progress). */
async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await listFiles(dir).catch(() => [] as string[])) n += await fs.stat(join(dir, f)).then((st) => st.size, () => 0);
  return n;
}

function manualSteps(name: string, arch: string): string {
  return [
    `To fetch ${name}:${arch} by hand:`,
    `  1. on a Debian/Ubuntu machine: sudo dpkg --add-architecture ${arch} && sudo apt-get update && apt-get download ${name}:${arch}`,
    `     (or download the .deb from https://packages.debian.org/bookworm/${arch}/${name}/download);`,
    `     if ${name} is a metapackage, download the package it depends on (apt-cache depends ${name}:${arch});`,
    `  2. extract it: dpkg-deb -x PACKAGE.deb DIR  (without dpkg: ar x PACKAGE.deb && tar -xf data.tar.* -C DIR);`,
    `  3. use the files from DIR directly.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Helpers

function hasCommand(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error;
}

interface RunResult { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], o: { cwd?: string; env?: Record<string, string>; check?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: { ...process.env, LC_ALL: 'C', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const r = { code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (o.check !== false && r.code !== 0) reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`));
      else resolve(r);
    });
  });
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const d of await fs.readdir(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) await walk(p);
      else if (d.isFile()) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  await walk(root);
  return out;
}

/** Writes a file via a temp file in the same directory and a rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding an exclusive lock file (O_EXCL create, holding our pid). A lock whose
 * process is gone is removed; waiting gives up after `timeoutMs`.
 */
export async function withLock<T>(path: string, timeoutMs: number, log: (m: string) => void, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  let announced = false;
  for (;;) {
    try {
      const h = await fs.open(path, 'wx');
      await h.writeFile(String(process.pid));
      await h.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number.parseInt(await fs.readFile(path, 'utf8').catch(() => ''), 10);
    const stale = Number.isInteger(holder) && holder > 0
      ? !pidAlive(holder)
      // No pid yet: being created right now, or left empty by a crash long ago.
      : await fs.stat(path).then((s) => Date.now() - s.mtimeMs > 60_000, () => false);
    if (stale) {
      await fs.rm(path, { force: true });
      continue;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for lock ${path} (held by pid ${holder})`);
    if (!announced) {
      log(`waiting for another process (pid ${holder}) holding ${path}`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(path, { force: true });
  }
}
