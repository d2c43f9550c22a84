// Call frame information from .debug_frame and .eh_frame: CIEs and FDEs (augmentations
// 'z', 'R', 'P', 'L', 'S'; DW_EH_PE pointer encodings) and the DW_CFA_* interpreter that
// gives the rules in effect at a PC: how to compute the CFA and where each register of
// the caller was saved. On MIPS64 the return-address column is 31 ($ra).

import { DwarfError } from './error';
import { DwarfReader } from './reader';

export type CfaRule =
  | { readonly kind: 'reg'; readonly reg: number; readonly offset: bigint }
  | { readonly kind: 'expr'; readonly expr: Uint8Array };

export type RegRule =
  | { readonly kind: 'undefined' }
  | { readonly kind: 'same' }
  /** Saved at CFA + offset. */
  | { readonly kind: 'offset'; readonly offset: bigint }
  /** The value is CFA + offset. */
  | { readonly kind: 'val_offset'; readonly offset: bigint }
  | { readonly kind: 'register'; readonly reg: number }
  | { readonly kind: 'expr'; readonly expr: Uint8Array }
  | { readonly kind: 'val_expr'; readonly expr: Uint8Array };

export interface Cie {
  readonly offset: number;
  readonly version: number;
  readonly augmentation: string;
  readonly codeAlign: bigint;
  readonly dataAlign: bigint;
  readonly raReg: number;
  readonly fdeEncoding: number;
  readonly lsdaEncoding: number;
  readonly personality: bigint | undefined;
  readonly signalFrame: boolean;
  readonly addressSize: number;
  /** Byte order of the section (the instructions' multi-byte operands). */
  readonly little: boolean;
  readonly instructions: Uint8Array;
  /** Offset of the instructions in the section (for error messages). */
  readonly instrOffset: number;
}

export interface Fde {
  readonly offset: number;
  readonly cie: Cie;
  readonly pcBegin: bigint;
  readonly pcEnd: bigint;
  readonly lsda: bigint | undefined;
  readonly instructions: Uint8Array;
  readonly instrOffset: number;
}

export interface FrameRules {
  readonly cfa: CfaRule;
  /** Rules by DWARF register number (absent: no rule, the register keeps its value). */
  readonly regs: ReadonlyMap<number, RegRule>;
  /** The return-address column. */
  readonly raReg: number;
  readonly fde: Fde;
}

export interface FrameSection {
  readonly data: Uint8Array;
  readonly kind: 'debug_frame' | 'eh_frame';
  /** The section's load address (sh_addr): the base of pc-relative pointers in .eh_frame. */
  readonly addr: bigint;
  readonly little: boolean;
  /** Size of a target address (8 for ELF64). */
  readonly addressSize: number;
}

export const DW_EH_PE = {
  absptr: 0x00, uleb128: 0x01, udata2: 0x02, udata4: 0x03, udata8: 0x04, sleb128: 0x09, sdata2: 0x0a, sdata4: 0x0b, sdata8: 0x0c,
  pcrel: 0x10, textrel: 0x20, datarel: 0x30, funcrel: 0x40, aligned: 0x50, indirect: 0x80, omit: 0xff,
} as const;

/** Reads a DW_EH_PE-encoded pointer; `pcBase` is the run-time address of the section start. */
function readEncoded(r: DwarfReader, enc: number, sec: FrameSection, what: string): bigint | undefined {
  if (enc === DW_EH_PE.omit) return undefined;
  const at = r.pos;
  let v: bigint;
  switch (enc & 0x0f) {
    case DW_EH_PE.absptr: v = r.address(sec.addressSize); break;
    case DW_EH_PE.uleb128: v = r.ulebBig(what); break;
    case DW_EH_PE.udata2: v = BigInt(r.u16(what)); break;
    case DW_EH_PE.udata4: v = BigInt(r.u32(what)); break;
    case DW_EH_PE.udata8: v = r.u64(what); break;
    case DW_EH_PE.sleb128: v = r.slebBig(what); break;
    case DW_EH_PE.sdata2: v = r.signed(2, what); break;
    case DW_EH_PE.sdata4: v = r.signed(4, what); break;
    case DW_EH_PE.sdata8: v = r.signed(8, what); break;
    default: return r.fail(`unknown pointer encoding 0x${enc.toString(16)} for ${what}`, at);
  }
  switch (enc & 0x70) {
    case 0: break;
    case DW_EH_PE.pcrel: v += sec.addr + BigInt(at); break;
    default: return r.fail(`unsupported pointer application 0x${(enc & 0x70).toString(16)} for ${what}`, at);
  }
  // DW_EH_PE_indirect: the value is the address of the pointer (kept as is; not dereferenced).
  return BigInt.asUintN(sec.addressSize * 8, v);
}

/** Reads a value in the low-nibble format of an encoding only (the FDE's address range). */
function readRange(r: DwarfReader, enc: number, sec: FrameSection): bigint {
  return readEncoded(r, enc & 0x0f, sec, 'address range') ?? 0n;
}

export class CallFrameInfo {
  readonly fdes: Fde[] = [];
  readonly cies = new Map<number, Cie>();
  private sorted = true;

  /** Parses every CIE and FDE of the section (an entry that is malformed throws DwarfError). */
  add(sec: FrameSection): void {
    const eh = sec.kind === 'eh_frame';
    const name = eh ? '.eh_frame' : '.debug_frame';
    const r = new DwarfReader(sec.data, sec.little, name);
    const pendingFdes: Array<{ offset: number; ciePtr: number; r: DwarfReader }> = [];
    while (!r.atEnd) {
      const offset = r.pos;
      if (eh && r.end - r.pos >= 4 && new DataView(sec.data.buffer, sec.data.byteOffset + r.pos, 4).getUint32(0) === 0) break; // terminator
      const { end, offsetSize } = r.initialLength('frame entry');
      const e = r.sub(r.pos, end);
      r.seek(end);
      const idPos = e.pos;
      const id = offsetSize === 4 ? BigInt(e.u32('CIE id')) : e.u64('CIE id');
      const isCie = eh ? id === 0n : id === (offsetSize === 4 ? 0xffffffffn : 0xffffffffffffffffn);
      if (isCie) { this.cies.set(offset, this.parseCie(e, offset, sec)); continue; }
      let ciePtr: number;
      if (eh) {
        if (id > BigInt(idPos)) e.fail(`FDE's CIE pointer 0x${id.toString(16)} points before the section`, idPos);
        ciePtr = idPos - Number(id);
      } else {
        if (id > BigInt(sec.data.length)) e.fail(`FDE's CIE pointer 0x${id.toString(16)} is outside the section`, idPos);
        ciePtr = Number(id);
      }
      pendingFdes.push({ offset, ciePtr, r: e });
    }
    for (const p of pendingFdes) {
      let cie = this.cies.get(p.ciePtr);
      if (!cie) {
        // A CIE not met at an entry boundary: parse it there (or report).
        const c = new DwarfReader(sec.data, sec.little, name);
        c.seek(p.ciePtr);
        const { end, offsetSize } = c.initialLength('CIE');
        const e = c.sub(c.pos, end);
        const id = offsetSize === 4 ? BigInt(e.u32('CIE id')) : e.u64('CIE id');
        if (eh ? id !== 0n : id !== (offsetSize === 4 ? 0xffffffffn : 0xffffffffffffffffn)) p.r.fail(`FDE at 0x${p.offset.toString(16)} points to 0x${p.ciePtr.toString(16)}, which is not a CIE`, p.offset);
        cie = this.parseCie(e, p.ciePtr, sec);
        this.cies.set(p.ciePtr, cie);
      }
      const fde = this.parseFde(p.r, p.offset, cie, sec);
      if (fde.pcEnd > fde.pcBegin) this.fdes.push(fde);
    }
    this.sorted = false;
  }

  private parseCie(r: DwarfReader, offset: number, sec: FrameSection): Cie {
    const version = r.u8('CIE version');
    if (!(version === 1 || version === 3 || version === 4)) r.fail(`unsupported CIE version ${version}`, r.pos - 1);
    const augmentation = r.cstr('augmentation');
    let addressSize = sec.addressSize;
    if (version === 4) {
      addressSize = r.u8('address size');
      if (![1, 2, 4, 8].includes(addressSize)) r.fail(`unsupported address size ${addressSize}`, r.pos - 1);
      const seg = r.u8('segment size');
      if (seg !== 0) r.fail(`segment selectors (size ${seg}) are not supported`, r.pos - 1);
    }
    if (augmentation.includes('eh')) r.address(addressSize); // old GCC "eh" data
    const codeAlign = r.ulebBig('code alignment factor');
    const dataAlign = r.slebBig('data alignment factor');
    const raReg = version === 1 ? r.u8('return address register') : r.uleb('return address register');
    let fdeEncoding: number = DW_EH_PE.absptr;
    let lsdaEncoding: number = DW_EH_PE.omit;
    let personality: bigint | undefined;
    let signalFrame = false;
    let instrStart = r.pos;
    if (augmentation.startsWith('z')) {
      const len = r.uleb('augmentation data length');
      const a = r.sub(r.pos, r.pos + len);
      instrStart = r.pos + len;
      const s = { ...sec, addressSize };
      for (const ch of augmentation.slice(1)) {
        switch (ch) {
          case 'R': fdeEncoding = a.u8('FDE pointer encoding'); break;
          case 'L': lsdaEncoding = a.u8('LSDA encoding'); break;
          case 'P': { const enc = a.u8('personality encoding'); personality = readEncoded(a, enc & 0x7f, s, 'personality routine'); break; }
          case 'S': signalFrame = true; break;
          case 'B': break; // AArch64 BTI: no data
          default: r.fail(`unknown augmentation '${ch}' in "${augmentation}"`, offset);
        }
      }
    } else if (/^(eh)?[SB]*$/.test(augmentation)) {
      // Letters without data are readable without 'z': Linux's .debug_frame marks its exception entry "S".
      signalFrame = augmentation.includes('S');
    } else {
      r.fail(`unknown augmentation "${augmentation}" (without 'z' its data cannot be skipped)`, offset);
    }
    r.seek(instrStart);
    return {
      offset, version, augmentation, codeAlign, dataAlign, raReg, fdeEncoding, lsdaEncoding, personality, signalFrame, addressSize, little: sec.little,
      instructions: r.bytesOf(r.end - r.pos, 'CIE instructions'), instrOffset: instrStart,
    };
  }

  private parseFde(r: DwarfReader, offset: number, cie: Cie, sec: FrameSection): Fde {
    const s = { ...sec, addressSize: cie.addressSize };
    const eh = sec.kind === 'eh_frame';
    const pcBegin = eh ? readEncoded(r, cie.fdeEncoding, s, 'FDE start address') ?? 0n : r.address(cie.addressSize);
    const range = eh ? readRange(r, cie.fdeEncoding, s) : r.address(cie.addressSize);
    let lsda: bigint | undefined;
    if (cie.augmentation.startsWith('z')) {
      const len = r.uleb('augmentation data length');
      const a = r.sub(r.pos, r.pos + len);
      r.seek(r.pos + len);
      if (cie.lsdaEncoding !== DW_EH_PE.omit && cie.augmentation.includes('L')) lsda = readEncoded(a, cie.lsdaEncoding & 0x7f, s, 'LSDA pointer');
    }
    const instrOffset = r.pos;
    const pcEnd = pcBegin + range;
    return { offset, cie, pcBegin, pcEnd, lsda, instructions: r.bytesOf(r.end - r.pos, 'FDE instructions'), instrOffset };
  }

  /** The FDE whose range covers pc. */
  find(pc: bigint): Fde | undefined {
    if (!this.sorted) { this.fdes.sort((a, b) => (a.pcBegin < b.pcBegin ? -1 : a.pcBegin > b.pcBegin ? 1 : 0)); this.sorted = true; }
    let lo = 0, hi = this.fdes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fdes[mid]!.pcBegin <= pc) lo = mid + 1; else hi = mid;
    }
    // Overlapping FDEs are rare; check a few before the candidate.
    for (let i = lo - 1; i >= 0 && i >= lo - 4; i--) {
      const f = this.fdes[i]!;
      if (pc >= f.pcBegin && pc < f.pcEnd) return f;
    }
    return undefined;
  }

  /** The rules in effect at pc (the FDE covering it), or undefined without an FDE. */
  rulesAt(pc: bigint): FrameRules | undefined {
    const fde = this.find(pc);
    return fde ? executeRules(fde, pc) : undefined;
  }
}

interface State { cfa: CfaRule; regs: Map<number, RegRule> }

const cloneState = (s: State): State => ({ cfa: s.cfa, regs: new Map(s.regs) });

/** Runs the CIE's initial instructions, then the FDE's up to (not past) pc. */
export function executeRules(fde: Fde, pc: bigint): FrameRules {
  const cie = fde.cie;
  const init: State = { cfa: { kind: 'reg', reg: 0, offset: 0n }, regs: new Map() };
  let loc = fde.pcBegin;
  const run = (bytes: Uint8Array, base: number, state: State, initial: State | undefined, what: string): State => {
    const r = new DwarfReader(bytes, cie.little, what, 0);
    let cur = state;
    const stack: State[] = [];
    const reg = (): number => r.uleb('register');
    const fail = (m: string, at: number): never => { throw new DwarfError(`${what} at 0x${(base + at).toString(16)}: ${m}`); };
    while (!r.atEnd) {
      const at = r.pos;
      let op: number;
      try { op = r.u8('CFA opcode'); } catch (e) { return fail((e as Error).message, at); }
      const hi = op & 0xc0, low = op & 0x3f;
      const setLoc = (nloc: bigint): boolean => {
        if (initial === undefined) fail('location advance in CIE initial instructions', at);
        if (nloc > pc) return true;
        loc = nloc;
        return false;
      };
      try {
        if (hi === 0x40) { if (setLoc(loc + BigInt(low) * cie.codeAlign)) return cur; continue; }
        if (hi === 0x80) { cur.regs.set(low, { kind: 'offset', offset: r.ulebBig('offset') * cie.dataAlign }); continue; }
        if (hi === 0xc0) { restore(cur, initial, low); continue; }
        switch (op) {
          case 0x00: break; // nop
          case 0x01: { const a = r.address(cie.addressSize); if (a < loc) fail('DW_CFA_set_loc moves backwards', at); if (setLoc(a)) return cur; break; }
          case 0x02: if (setLoc(loc + BigInt(r.u8()) * cie.codeAlign)) return cur; break;
          case 0x03: if (setLoc(loc + BigInt(r.u16('advance_loc2 delta')) * cie.codeAlign)) return cur; break;
          case 0x04: if (setLoc(loc + BigInt(r.u32('advance_loc4 delta')) * cie.codeAlign)) return cur; break;
          case 0x1d: if (setLoc(loc + r.u64('advance_loc8 delta') * cie.codeAlign)) return cur; break; // DW_CFA_MIPS_advance_loc8
          case 0x05: { const n = reg(); cur.regs.set(n, { kind: 'offset', offset: r.ulebBig() * cie.dataAlign }); break; }
          case 0x06: restore(cur, initial, reg()); break;
          case 0x07: cur.regs.set(reg(), { kind: 'undefined' }); break;
          case 0x08: cur.regs.set(reg(), { kind: 'same' }); break;
          case 0x09: { const n = reg(); cur.regs.set(n, { kind: 'register', reg: reg() }); break; }
          case 0x0a: stack.push(cloneState(cur)); if (stack.length > 1000) fail('DW_CFA_remember_state nests too deep', at); break;
          case 0x0b: {
            const s = stack.pop();
            if (!s) fail('DW_CFA_restore_state without DW_CFA_remember_state', at);
            // The whole row comes back, CFA rule included (as libgcc and binutils do).
            cur = s!;
            break;
          }
          case 0x0c: { const n = reg(); cur.cfa = { kind: 'reg', reg: n, offset: r.ulebBig() }; break; }
          case 0x0d: { const n = reg(); cur.cfa = cur.cfa.kind === 'reg' ? { ...cur.cfa, reg: n } : { kind: 'reg', reg: n, offset: 0n }; break; }
          case 0x0e: { const o = r.ulebBig(); cur.cfa = cur.cfa.kind === 'reg' ? { ...cur.cfa, offset: o } : fail('DW_CFA_def_cfa_offset after a CFA expression', at); break; }
          case 0x0f: cur.cfa = { kind: 'expr', expr: r.bytesOf(r.uleb('expression length'), 'expression') }; break;
          case 0x10: { const n = reg(); cur.regs.set(n, { kind: 'expr', expr: r.bytesOf(r.uleb('expression length'), 'expression') }); break; }
          case 0x11: { const n = reg(); cur.regs.set(n, { kind: 'offset', offset: r.slebBig() * cie.dataAlign }); break; }
          case 0x12: { const n = reg(); cur.cfa = { kind: 'reg', reg: n, offset: r.slebBig() * cie.dataAlign }; break; }
          case 0x13: { const o = r.slebBig() * cie.dataAlign; cur.cfa = cur.cfa.kind === 'reg' ? { ...cur.cfa, offset: o } : fail('DW_CFA_def_cfa_offset_sf after a CFA expression', at); break; }
          case 0x14: { const n = reg(); cur.regs.set(n, { kind: 'val_offset', offset: r.ulebBig() * cie.dataAlign }); break; }
          case 0x15: { const n = reg(); cur.regs.set(n, { kind: 'val_offset', offset: r.slebBig() * cie.dataAlign }); break; }
          case 0x16: { const n = reg(); cur.regs.set(n, { kind: 'val_expr', expr: r.bytesOf(r.uleb('expression length'), 'expression') }); break; }
          case 0x2e: r.ulebBig('GNU_args_size'); break;
          case 0x2f: { const n = reg(); cur.regs.set(n, { kind: 'offset', offset: -r.ulebBig() * cie.dataAlign }); break; }
          default: fail(`unknown call frame instruction 0x${op.toString(16)}`, at);
        }
      } catch (e) {
        if (e instanceof DwarfError) {
          if (e.message.startsWith(what)) throw e;
          throw new DwarfError(`${what} at 0x${(base + at).toString(16)}: ${e.message.replace(/^[^:]*: /, '')}`);
        }
        throw e;
      }
    }
    return cur;
  };
  const afterCie = run(cie.instructions, cie.instrOffset, init, undefined, `CIE 0x${cie.offset.toString(16)} instructions`);
  const initial = cloneState(afterCie);
  const st = run(fde.instructions, fde.instrOffset, cloneState(afterCie), initial, `FDE 0x${fde.offset.toString(16)} instructions`);
  return { cfa: st.cfa, regs: st.regs, raReg: cie.raReg, fde };
}

function restore(cur: State, initial: State | undefined, n: number): void {
  const r = initial?.regs.get(n);
  if (r) cur.regs.set(n, r); else cur.regs.delete(n);
}
