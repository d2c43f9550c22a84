// Test support: runs GNU objdump (the disassembler oracle) and parses its output into
// per-address records {addr, word, text} with whitespace normalised.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ObjdumpLine { addr: bigint; word: number; text: string }

export function objdumpBinary(tool: string): string {
  return `${tool}-objdump`;
}

export const OBJDUMP_LE = 'mips64el-linux-gnuabi64-objdump';
export const OBJDUMP_BE = 'mips64-linux-gnuabi64-objdump';

export function haveTool(tool: string): boolean {
  try { execFileSync(tool, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** Normalises an instruction text: single tab between mnemonic and operands, no symbol annotations. */
export function normalise(text: string): string {
  const t = text.replace(/\s+<[^>]*>$/, '').trim();
  const m = /^(\S+)\s*(.*)$/.exec(t);
  if (!m) return t;
  return m[2] ? `${m[1]}\t${m[2].replace(/\s+/g, '')}` : m[1];
}

/** Parses `objdump -d` output lines "  addr:\tword \ttext". */
export function parseObjdump(out: string): ObjdumpLine[] {
  const res: ObjdumpLine[] = [];
  const re = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/;
  for (const line of out.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    res.push({ addr: BigInt('0x' + m[1]), word: parseInt(m[2], 16), text: normalise(m[3]) });
  }
  return res;
}

/** Disassembles raw words with objdump in binary mode. */
export function objdumpWords(words: Uint32Array | number[], opts: { arch?: string; big?: boolean; vma?: bigint } = {}): ObjdumpLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'od-'));
  try {
    const buf = Buffer.alloc(words.length * 4);
    for (let i = 0; i < words.length; i++) {
      if (opts.big) buf.writeUInt32BE(words[i] >>> 0, i * 4); else buf.writeUInt32LE(words[i] >>> 0, i * 4);
    }
    const f = join(dir, 'w.bin');
    writeFileSync(f, buf);
    const tool = opts.big ? OBJDUMP_BE : OBJDUMP_LE;
    const out = execFileSync(tool, ['-D', '-z', '-b', 'binary', '-m', `mips:${opts.arch ?? 'isa64r2'}`,
      opts.big ? '-EB' : '-EL', '-M', 'gpr-names=64', `--adjust-vma=0x${(opts.vma ?? 0x1000n).toString(16)}`, f],
    { maxBuffer: 1 << 30, encoding: 'utf8' });
    return parseObjdump(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
