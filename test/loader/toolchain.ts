// Test helpers: locate the MIPS cross toolchains, compile tiny C programs into a temp dir,
// and parse the text output of readelf/objdump so the loader can be checked against them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LE = 'mips64el-linux-gnuabi64';
export const BE = 'mips64-linux-gnuabi64';
export type Triple = typeof LE | typeof BE;

const toolCache = new Map<string, boolean>();
export function hasTool(name: string): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
    ok = !r.error && r.status === 0;
    toolCache.set(name, ok);
  }
  return ok;
}

/** Why a toolchain-based test has to be skipped, or undefined when everything is installed. */
export function missing(...tools: string[]): string | undefined {
  const absent = tools.filter((t) => !hasTool(t));
  return absent.length ? `not installed: ${absent.join(', ')}` : undefined;
}

export function run(cmd: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'mips64-loader-test-'));
  private n = 0;
  file(name: string, content: string | Uint8Array): string {
    const p = join(this.path, name);
    writeFileSync(p, content);
    return p;
  }
  /** Compiles C source with `<triple>-gcc`; returns the output path. */
  compile(triple: Triple, source: string, args: string[], link = false): string {
    const id = this.n++;
    const src = this.file(`p${id}.c`, source);
    const out = join(this.path, `p${id}.${link ? 'elf' : 'o'}`);
    run(`${triple}-gcc`, [...(link ? [] : ['-c']), ...args, src, '-o', out]);
    return out;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export const readBytes = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

// ---------------------------------------------------------------------------------------------
// readelf output parsing (always with -W so nothing is truncated)

export interface ReHeader {
  fields: Map<string, string>;
}
export interface ReSection {
  nr: number;
  name: string;
  type: string;
  addr: bigint;
  off: number;
  size: number;
  es: number;
  flg: string;
  lk: number;
  inf: number;
  al: number;
}
export interface ReSymbol {
  num: number;
  value: bigint;
  size: bigint;
  type: string;
  bind: string;
  vis: string;
  ndx: string;
  name: string;
}
export interface ReReloc {
  offset: bigint;
  info: bigint;
  type: string;
  type2?: string;
  type3?: string;
  symName?: string;
  addend?: bigint;
}
export interface ReSegment {
  type: string;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  flg: string;
  align: number;
}

export function parseReadelfHeader(text: string): ReHeader {
  const fields = new Map<string, string>();
  const start = text.indexOf('ELF Header:');
  if (start < 0) throw new Error('no ELF header in readelf output');
  for (const line of text.slice(start).split('\n').slice(1)) {
    const m = /^ {2}([^:]+):\s+(.*)$/.exec(line);
    if (!m) break;
    fields.set(m[1]!.trim(), m[2]!.trim());
  }
  return { fields };
}

export function parseReadelfSections(text: string): ReSection[] {
  const out: ReSection[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s(.*)$/.exec(line);
    if (!m) continue;
    const tok = m[2]!.trim().split(/\s+/);
    const al = Number(tok.pop());
    const inf = Number(tok.pop());
    const lk = Number(tok.pop());
    let flg = '';
    if (!/^[0-9a-f]+$/.test(tok[tok.length - 1]!)) flg = tok.pop()!;
    const es = parseInt(tok.pop()!, 16);
    const size = parseInt(tok.pop()!, 16);
    const off = parseInt(tok.pop()!, 16);
    const addr = BigInt('0x' + tok.pop()!);
    const type = tok.pop()!;
    out.push({ nr: Number(m[1]), name: tok.join(' '), type, addr, off, size, es, flg, lk, inf, al });
  }
  return out;
}

/** Symbol tables by name ('.symtab', '.dynsym'). */
export function parseReadelfSymbols(text: string): Map<string, ReSymbol[]> {
  const tables = new Map<string, ReSymbol[]>();
  let cur: ReSymbol[] | undefined;
  for (const line of text.split('\n')) {
    const h = /^Symbol table '([^']+)' contains/.exec(line);
    if (h) {
      cur = [];
      tables.set(h[1]!, cur);
      continue;
    }
    if (!cur) continue;
    const m = /^\s*(\d+):\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(?:\[[^\]]*\]\s+)?(\S+)(?: (.*))?$/.exec(line);
    if (!m) {
      if (line.trim() === '') cur = undefined;
      continue;
    }
    cur.push({
      num: Number(m[1]),
      value: BigInt('0x' + m[2]),
      size: BigInt(m[3]!),
      type: m[4]!,
      bind: m[5]!,
      vis: m[6]!,
      ndx: m[7]!,
      name: m[8] ?? '',
    });
  }
  return tables;
}

/** Relocation sections by name. */
export function parseReadelfRelocs(text: string): Map<string, ReReloc[]> {
  const out = new Map<string, ReReloc[]>();
  let cur: ReReloc[] | undefined;
  for (const line of text.split('\n')) {
    const h = /^Relocation section '([^']+)' at offset/.exec(line);
    if (h) {
      cur = [];
      out.set(h[1]!, cur);
      continue;
    }
    if (!cur) continue;
    const t = /^\s+Type([23]):\s+(\S+)/.exec(line);
    if (t) {
      const last = cur[cur.length - 1]!;
      if (t[1] === '2') last.type2 = t[2]!;
      else last.type3 = t[2]!;
      continue;
    }
    const m = /^([0-9a-f]+)\s+([0-9a-f]+)\s+(R_\S+)\s*(.*)$/.exec(line);
    if (!m) {
      if (line.trim() === '') cur = undefined;
      continue;
    }
    const r: ReReloc = { offset: BigInt('0x' + m[1]), info: BigInt('0x' + m[2]), type: m[3]! };
    const rest = m[4]!.trim();
    const s = /^[0-9a-f]+\s+(\S+)(?:\s+([+-])\s+([0-9a-f]+))?$/.exec(rest);
    if (s) {
      r.symName = s[1]!;
      if (s[2]) r.addend = (s[2] === '-' ? -1n : 1n) * BigInt('0x' + s[3]);
    } else {
      const a = /^([+-]?)\s*([0-9a-f]+)$/.exec(rest);
      if (a) r.addend = (a[1] === '-' ? -1n : 1n) * BigInt('0x' + a[2]);
    }
    cur.push(r);
  }
  return out;
}

export function parseReadelfSegments(text: string): ReSegment[] {
  const out: ReSegment[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s+(\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s(.{3})\s+0x([0-9a-f]+)$/.exec(line);
    if (!m) continue;
    out.push({
      type: m[1]!,
      offset: parseInt(m[2]!, 16),
      vaddr: BigInt('0x' + m[3]),
      paddr: BigInt('0x' + m[4]),
      filesz: parseInt(m[5]!, 16),
      memsz: parseInt(m[6]!, 16),
      flg: m[7]!,
      align: parseInt(m[8]!, 16),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// objdump output parsing

export interface OdSymbol {
  addr: bigint;
  flags: string;
  section: string;
  size: bigint;
  name: string;
}

/** Rows of `objdump -t`. */
export function parseObjdumpSymbols(text: string): OdSymbol[] {
  const out: OdSymbol[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{8,16}) (.{7}) (\S+)\s+([0-9a-f]+) (.*)$/.exec(line);
    if (!m) continue;
    out.push({ addr: BigInt('0x' + m[1]), flags: m[2]!, section: m[3]!, size: BigInt('0x' + m[4]), name: m[5]! });
  }
  return out;
}

export interface OdInsn {
  addr: bigint;
  word: number;
  text: string;
}

/** `objdump -d` output: instructions and `<sym>:` headers. */
export function parseObjdumpDisasm(text: string): { insns: OdInsn[]; labels: Map<bigint, string> } {
  const insns: OdInsn[] = [];
  const labels = new Map<bigint, string>();
  for (const line of text.split('\n')) {
    const l = /^([0-9a-f]+) <([^>]+)>:$/.exec(line);
    if (l) {
      labels.set(BigInt('0x' + l[1]), l[2]!);
      continue;
    }
    const m = /^\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$/.exec(line);
    if (m) insns.push({ addr: BigInt('0x' + m[1]), word: parseInt(m[2]!, 16), text: m[3]!.trim() });
  }
  return { insns, labels };
}
