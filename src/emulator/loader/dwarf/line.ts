// .debug_line: line-number program headers (DWARF 2, 3, 4 and 5; 32- and 64-bit DWARF)
// and the state machine that turns each program into rows (address, file, line, column,
// is_stmt, end_sequence). File names are resolved to paths with the include directories
// and the compilation directory (DWARF 5 carries it as directory 0; earlier versions take
// it from the compilation unit's DW_AT_comp_dir).

import { DwarfError } from './error';
import { DW_FORM, FormContext, FormValue, readForm } from './forms';
import { DwarfReader } from './reader';

export interface LineRow {
  readonly address: bigint;
  /** Resolved path of the row's file. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly isStmt: boolean;
  /** The first address past a sequence (not an instruction of it). */
  readonly endSequence: boolean;
}

export interface LineFile {
  /** Resolved path (directory and compilation directory applied). */
  readonly path: string;
  readonly name: string;
  readonly dirIndex: number;
  readonly md5?: Uint8Array;
  readonly size?: bigint;
}

export interface LineProgram {
  /** Offset of the unit in .debug_line. */
  readonly offset: number;
  readonly version: number;
  readonly offsetSize: 4 | 8;
  readonly minInstLength: number;
  readonly maxOpsPerInst: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  readonly dirs: readonly string[];
  /** Indexed by the file register's value (DWARF 2-4: index 0 unused, undefined). */
  readonly files: ReadonlyArray<LineFile | undefined>;
  readonly rows: readonly LineRow[];
}

export interface LineSections {
  readonly line: Uint8Array;
  readonly little: boolean;
  readonly str?: Uint8Array;
  readonly lineStr?: Uint8Array;
}

const DW_LNS = { copy: 1, advance_pc: 2, advance_line: 3, set_file: 4, set_column: 5, negate_stmt: 6, set_basic_block: 7, const_add_pc: 8, fixed_advance_pc: 9, set_prologue_end: 10, set_epilogue_begin: 11, set_isa: 12 } as const;
const DW_LNE = { end_sequence: 1, set_address: 2, define_file: 3, set_discriminator: 4 } as const;
const DW_LNCT = { path: 1, directory_index: 2, timestamp: 3, size: 4, MD5: 5 } as const;

/** Joins a directory and a name (POSIX or Windows absolute names are kept as they are). */
export function joinPath(dir: string | undefined, name: string): string {
  if (!dir || isAbsolutePath(name)) return name;
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}/${name}`;
}

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/**
 * Parses the line-number program at `offset`. `compDir` is the compilation directory of
 * the unit that refers to it (DWARF 2-4 file names with directory 0 are relative to it).
 */
export function parseLineProgram(sec: LineSections, offset: number, compDir?: string): LineProgram {
  const top = new DwarfReader(sec.line, sec.little, '.debug_line', 0);
  top.seek(offset);
  const { end, offsetSize } = top.initialLength('line program');
  const r = top.sub(top.pos, end);
  const version = r.u16('version');
  if (version < 2 || version > 5) r.fail(`unsupported line table version ${version}`, r.pos - 2);
  let addressSize = 8;
  if (version >= 5) {
    addressSize = r.u8('address size');
    if (![1, 2, 4, 8].includes(addressSize)) r.fail(`unsupported address size ${addressSize}`, r.pos - 1);
    const seg = r.u8('segment selector size');
    if (seg !== 0) r.fail(`segment selectors (size ${seg}) are not supported`, r.pos - 1);
  }
  const headerLength = r.offset(offsetSize, 'header length');
  const programStart = r.pos + headerLength;
  if (programStart > end) r.fail(`header length 0x${headerLength.toString(16)} runs past the unit's end`);
  const h: DwarfReader = r.sub(r.pos, programStart);
  const minInstLength = h.u8('minimum instruction length');
  const maxOpsPerInst = version >= 4 ? h.u8('maximum operations per instruction') : 1;
  if (maxOpsPerInst === 0) h.fail('maximum operations per instruction is 0', h.pos - 1);
  const defaultIsStmt = h.u8('default_is_stmt') !== 0;
  const lineBase = h.i8('line_base');
  const lineRange = h.u8('line_range');
  if (lineRange === 0) h.fail('line_range is 0', h.pos - 1);
  const opcodeBase = h.u8('opcode_base');
  if (opcodeBase === 0) h.fail('opcode_base is 0', h.pos - 1);
  const opLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(h.u8('standard opcode length'));

  const dirs: string[] = [];
  const files: Array<LineFile | undefined> = [];
  const ctx: FormContext = { version, offsetSize, addressSize, str: sec.str, lineStr: sec.lineStr };
  if (version >= 5) {
    const dirEntries = readEntryTable(h, ctx, 'directory');
    for (const e of dirEntries) {
      if (typeof e.path !== 'string') h.fail('a directory entry has no DW_LNCT_path string');
      dirs.push(e.path);
    }
    const base = dirs[0] ?? compDir;
    const resolveDir = (d: string): string => (isAbsolutePath(d) ? d : joinPath(base, d));
    for (const e of readEntryTable(h, ctx, 'file name')) {
      if (typeof e.path !== 'string') h.fail('a file entry has no DW_LNCT_path string');
      const di = e.dir ?? 0;
      if (di >= dirs.length && dirs.length > 0) h.fail(`file '${e.path}' refers to directory ${di} of ${dirs.length}`);
      const dir = dirs.length ? (di === 0 ? base : resolveDir(dirs[di]!)) : compDir;
      files.push({ path: joinPath(dir, e.path), name: e.path, dirIndex: di, md5: e.md5, size: e.size });
    }
  } else {
    for (;;) {
      const d = h.cstr('include directory');
      if (d === '') break;
      dirs.push(d);
    }
    files.push(undefined);
    for (;;) {
      const name = h.cstr('file name');
      if (name === '') break;
      files.push(oldFile(h, name, dirs, compDir));
    }
  }
  // (Vendor header fields past the tables are skipped by programStart.)

  const rows = runProgram(r.sub(programStart, end), {
    version, minInstLength, maxOpsPerInst, defaultIsStmt, lineBase, lineRange, opcodeBase, opLengths, files, dirs, compDir,
  });
  return { offset, version, offsetSize, minInstLength, maxOpsPerInst, defaultIsStmt, lineBase, lineRange, opcodeBase, dirs, files, rows };
}

/** A DWARF 2-4 file entry (name, then directory index, mtime, length), from the header or DW_LNE_define_file. */
function oldFile(r: DwarfReader, name: string, dirs: readonly string[], compDir: string | undefined): LineFile {
  const di = r.uleb('directory index');
  r.ulebBig('modification time');
  const size = r.ulebBig('file length');
  if (di > dirs.length) r.fail(`file '${name}' refers to include directory ${di} of ${dirs.length}`);
  const dir = di === 0 ? compDir : (isAbsolutePath(dirs[di - 1]!) ? dirs[di - 1]! : joinPath(compDir, dirs[di - 1]!));
  return { path: joinPath(dir, name), name, dirIndex: di, size: size || undefined };
}

interface Entry { path?: string; dir?: number; md5?: Uint8Array; size?: bigint }

/** DWARF 5 directory or file-name table: an entry format, then the entries. */
function readEntryTable(h: DwarfReader, ctx: FormContext, what: string): Entry[] {
  const nFormats = h.u8(`${what} entry format count`);
  const formats: Array<[number, number]> = [];
  for (let i = 0; i < nFormats; i++) formats.push([h.uleb('content type'), h.uleb('form')]);
  const count = h.uleb(`${what} count`);
  if (count > 0 && nFormats === 0) h.fail(`${count} ${what} entries without an entry format`);
  // Each entry takes at least a byte: a count larger than what is left is corrupt.
  if (count > h.end - h.pos) h.fail(`${what} count ${count} exceeds the header`);
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const e: Entry = {};
    for (const [type, form] of formats) {
      if (form === DW_FORM.implicit_const) h.fail(`DW_FORM_implicit_const in a ${what} entry`);
      const v: FormValue = readForm(h, form, ctx);
      switch (type) {
        case DW_LNCT.path:
          if (typeof v !== 'string') h.fail(`DW_LNCT_path of a ${what} entry has form 0x${form.toString(16)}, not a string form`);
          e.path = v;
          break;
        case DW_LNCT.directory_index:
          if (typeof v !== 'bigint') h.fail(`DW_LNCT_directory_index has form 0x${form.toString(16)}, not a constant`);
          e.dir = Number(BigInt.asUintN(32, v));
          break;
        case DW_LNCT.size: if (typeof v === 'bigint') e.size = v; break;
        case DW_LNCT.MD5:
          if (!(v instanceof Uint8Array) || v.length !== 16) h.fail('DW_LNCT_MD5 is not 16 bytes of data16');
          e.md5 = v;
          break;
        default: break; // timestamps and vendor content types are skipped
      }
    }
    out.push(e);
  }
  return out;
}

interface ProgramHeader {
  version: number; minInstLength: number; maxOpsPerInst: number; defaultIsStmt: boolean; lineBase: number; lineRange: number;
  opcodeBase: number; opLengths: number[]; files: Array<LineFile | undefined>; dirs: string[]; compDir: string | undefined;
}

function runProgram(r: DwarfReader, h: ProgramHeader): LineRow[] {
  const rows: LineRow[] = [];
  let address = 0n, opIndex = 0, file = 1, line = 1, column = 0, isStmt = h.defaultIsStmt;
  const reset = (): void => { address = 0n; opIndex = 0; file = 1; line = 1; column = 0; isStmt = h.defaultIsStmt; };
  const minLen = BigInt(h.minInstLength);
  const advance = (opAdvance: bigint): void => {
    if (h.maxOpsPerInst === 1) { address = BigInt.asUintN(64, address + minLen * opAdvance); return; }
    const m = BigInt(h.maxOpsPerInst);
    const t = BigInt(opIndex) + opAdvance;
    address = BigInt.asUintN(64, address + minLen * (t / m));
    opIndex = Number(t % m);
  };
  const emit = (endSequence: boolean, at: number): void => {
    const f = h.files[file];
    if (!f) throw new DwarfError(`.debug_line at offset 0x${at.toString(16)}: row refers to file ${file}, which the header does not define`);
    if (line < 0) throw new DwarfError(`.debug_line at offset 0x${at.toString(16)}: line number ${line} is negative`);
    rows.push({ address, file: f.path, line, column, isStmt, endSequence });
  };
  while (!r.atEnd) {
    const at = r.pos;
    const op = r.u8('opcode');
    if (op >= h.opcodeBase) {
      const adj = op - h.opcodeBase;
      advance(BigInt(Math.floor(adj / h.lineRange)));
      line += h.lineBase + (adj % h.lineRange);
      emit(false, at);
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb('extended opcode length');
        if (len === 0) r.fail('extended opcode of length 0', at);
        const sub = r.sub(r.pos, Math.min(r.end, r.pos + len));
        if (r.pos + len > r.end) r.fail(`extended opcode length ${len} runs past the program's end`, at);
        r.pos += len;
        const eop = sub.u8('extended opcode');
        switch (eop) {
          case DW_LNE.end_sequence: emit(true, at); reset(); break;
          case DW_LNE.set_address: address = sub.address(len - 1); opIndex = 0; break;
          case DW_LNE.define_file: h.files.push(oldFile(sub, sub.cstr('file name'), h.dirs, h.compDir)); break;
          case DW_LNE.set_discriminator: sub.ulebBig('discriminator'); break;
          default: break; // vendor extended opcodes: skipped by their length
        }
        break;
      }
      case DW_LNS.copy: emit(false, at); break;
      case DW_LNS.advance_pc: advance(r.ulebBig('advance_pc operand')); break;
      case DW_LNS.advance_line: line += r.sleb('advance_line operand'); break;
      case DW_LNS.set_file: file = r.uleb('file index'); break;
      case DW_LNS.set_column: column = r.uleb('column'); break;
      case DW_LNS.negate_stmt: isStmt = !isStmt; break;
      case DW_LNS.set_basic_block: break;
      case DW_LNS.const_add_pc: advance(BigInt(Math.floor((255 - h.opcodeBase) / h.lineRange))); break;
      case DW_LNS.fixed_advance_pc: address = BigInt.asUintN(64, address + BigInt(r.u16('fixed_advance_pc operand'))); opIndex = 0; break;
      case DW_LNS.set_prologue_end: case DW_LNS.set_epilogue_begin: break;
      case DW_LNS.set_isa: r.ulebBig('isa'); break;
      default:
        // An opcode this reader does not know: skip its declared ULEB128 operands.
        for (let i = 0; i < h.opLengths[op]!; i++) r.ulebBig('operand');
    }
    if (!Number.isSafeInteger(line)) r.fail('line number overflow', at);
  }
  return rows;
}
