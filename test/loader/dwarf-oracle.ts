// Test helpers for the DWARF readers: builds the debug fixtures (test/fixtures/debug) with
// the MIPS cross gcc in many DWARF flavours, and parses the reference decoders' text
// output (objdump --dwarf=decodedline, llvm-dwarfdump --debug-line, readelf
// --debug-dump=frames-interp).

import { join } from 'node:path';
import { BE, LE, run, TempDir, Triple } from './toolchain';

export const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'debug');

export const BARE_FLAGS = ['-nostdlib', '-ffreestanding', '-mno-abicalls', '-fno-pic', '-no-pie', '-march=mips64r2', '-mabi=64', '-G0',
  '-Wl,-Ttext-segment=0xffffffff80100000', '-Wl,--build-id=none'];

/** DWARF flavours: gas-generated line tables are version 3 for C; -gno-as-loc-support makes gcc emit the requested version. */
export const FLAVOURS: readonly string[][] = [
  ['-gdwarf-2', '-gno-as-loc-support'],
  ['-gdwarf-3'],
  ['-gdwarf-4'],
  ['-gdwarf-4', '-gno-as-loc-support'],
  ['-gdwarf-5'],
  ['-gdwarf-5', '-gno-as-loc-support'],
  ['-gdwarf-5', '-gdwarf64', '-gno-as-loc-support'],
  ['-gdwarf-4', '-gdwarf64', '-gno-as-loc-support', '-fasynchronous-unwind-tables'],
  ['-gdwarf-4', '-fasynchronous-unwind-tables', '-fno-dwarf2-cfi-asm'],
];

export interface Build {
  readonly name: string;
  readonly path: string;
  readonly triple: Triple;
}

/** Builds bare.c (every flavour, both endiannesses, -O0 and -O2) and second.c + start.S (fewer). */
export function buildAll(tmp: TempDir, quick = false): Build[] {
  const out: Build[] = [];
  let n = 0;
  for (const triple of [LE, BE] as const) {
    for (const opt of ['-O0', '-O2']) {
      for (const fl of quick ? FLAVOURS.slice(4, 6) : FLAVOURS) {
        const name = `bare ${triple === LE ? 'el' : 'eb'} ${opt} ${fl.join(' ')}`;
        const path = join(tmp.path, `b${n++}.elf`);
        run(`${triple}-gcc`, [...BARE_FLAGS, '-Wl,-e,_start', opt, ...fl, join(FIXTURES, 'bare.c'), '-o', path]);
        out.push({ name, path, triple });
      }
    }
    for (const fl of quick ? [] : [FLAVOURS[2]!, FLAVOURS[5]!, FLAVOURS[6]!, FLAVOURS[8]!]) {
      const name = `second+start ${triple === LE ? 'el' : 'eb'} -O2 ${fl.join(' ')}`;
      const path = join(tmp.path, `m${n++}.elf`);
      run(`${triple}-gcc`, [...BARE_FLAGS, '-Wl,-e,entry', '-O2', ...fl, join(FIXTURES, 'second.c'), join(FIXTURES, 'start.S'), '-o', path]);
      out.push({ name, path, triple });
    }
  }
  return out;
}

export interface OdLineRow {
  /** Basename as objdump prints it. */
  file: string;
  /** The full path from the last file header (absolute, or the CU name). */
  header: string;
  line: number | undefined;
  addr: bigint;
  stmt: boolean;
}

/** `objdump --dwarf=decodedline` rows (line undefined: end of sequence). */
export function parseDecodedLine(text: string): OdLineRow[] {
  const rows: OdLineRow[] = [];
  let header = '';
  for (const l of text.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:\s+\d+)?\s*(x)?\s*$/.exec(l);
    if (m) {
      rows.push({ file: m[1]!, header, line: m[2] === '-' ? undefined : Number(m[2]), addr: BigInt(m[3]!), stmt: m[4] === 'x' });
      continue;
    }
    const h = /^(?:CU: )?(.+):$/.exec(l);
    if (h && !l.startsWith('Contents of')) header = h[1]!;
  }
  return rows;
}

export interface LlvmLineRow { addr: bigint; line: number; column: number; stmt: boolean; end: boolean }

/** Rows of `llvm-dwarfdump --debug-line`, one array per line table. */
export function parseLlvmLines(text: string): LlvmLineRow[][] {
  const tables: LlvmLineRow[][] = [];
  let cur: LlvmLineRow[] | undefined;
  for (const l of text.split('\n')) {
    if (l.startsWith('debug_line[')) { cur = []; tables.push(cur); continue; }
    const m = /^(0x[0-9a-f]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$/.exec(l);
    if (m && cur) {
      const flags = m[7]!.split(/\s+/);
      cur.push({ addr: BigInt(m[1]!), line: Number(m[2]), column: Number(m[3]), stmt: flags.includes('is_stmt'), end: flags.includes('end_sequence') });
    }
  }
  return tables;
}

export interface ReFrameRow { loc: bigint; cfa: string; regs: Map<string, string> }
export interface ReFde { kind: 'CIE' | 'FDE'; offset: number; pcBegin?: bigint; pcEnd?: bigint; rows: ReFrameRow[] }

/** `readelf --debug-dump=frames-interp -W`: per section, its CIEs and FDEs with their tables. */
export function parseFramesInterp(text: string): Map<string, ReFde[]> {
  const out = new Map<string, ReFde[]>();
  let sec: ReFde[] | undefined;
  let cur: ReFde | undefined;
  let cols: string[] = [];
  for (const l of text.split('\n')) {
    const s = /^Contents of the (\S+) section:/.exec(l);
    if (s) { sec = []; out.set(s[1]!, sec); cur = undefined; continue; }
    const c = /^([0-9a-f]{8,16}) [0-9a-f]+ [0-9a-f]+ CIE/.exec(l);
    if (c && sec) { cur = { kind: 'CIE', offset: parseInt(c[1]!, 16), rows: [] }; sec.push(cur); continue; }
    const f = /^([0-9a-f]{8,16}) [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(l);
    if (f && sec) { cur = { kind: 'FDE', offset: parseInt(f[1]!, 16), pcBegin: BigInt('0x' + f[2]), pcEnd: BigInt('0x' + f[3]), rows: [] }; sec.push(cur); continue; }
    if (/^\s+LOC\s+CFA/.test(l)) { cols = l.trim().split(/\s+/).slice(2); continue; }
    const r = /^([0-9a-f]{8,16}) (.*)$/.exec(l);
    if (r && cur) {
      const tok = r[2]!.trim().split(/\s+/);
      const regs = new Map<string, string>();
      cols.forEach((name, i) => regs.set(name, tok[i + 1] ?? 'u'));
      cur.rows.push({ loc: BigInt('0x' + r[1]), cfa: tok[0]!, regs });
    }
  }
  return out;
}

export { BE, LE };
