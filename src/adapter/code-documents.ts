// Read-only documents of a function's code for stack frames that have no source file (no
// line information, or a DWARF file that is not on this machine): the disassembly of the
// function around the PC, read from guest memory, one instruction per line with symbols
// and, where DWARF knows them, the source file and line as comments. VS Code gets them as
// DAP sources with a sourceReference (the `source` request returns the text), so a stop
// focuses the top frame, the editor shows the code with the pc line highlighted and the
// Variables view fills, as for a frame with a source file. Breakpoints can be set on their
// lines (an address each).
//
// A document is identified by its range and the code bytes in it: code that changed (a
// module reloaded, another process at the same user address) gets a new document.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { MachineDebugger } from '../emulator/debug/debugger';
import { hex64 } from '../emulator/debug/expr';
import { functionBounds } from '../emulator/debug/function-bounds';
import type { Disassembler } from '../emulator/isa/disassembler';

/** The language of the documents (package.json contributes it for the mips64-asm language). */
export const CODE_MIME_TYPE = 'text/x-mips64-asm';
/** Lines before the first instruction (the header). */
const HEADER_LINES = 2;
/** Documents kept; the oldest are forgotten (VS Code keeps the text it already has). */
const MAX_DOCUMENTS = 256;

interface CodeDocument {
  readonly ref: number;
  readonly name: string;
  readonly start: bigint;
  readonly end: bigint;
  readonly text: string;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

export class CodeDocuments {
  private readonly byKey = new Map<string, CodeDocument>();
  private readonly byRef = new Map<number, CodeDocument>();
  private nextRef = 1;

  constructor(private readonly dbg: MachineDebugger, private readonly dis: Disassembler) {}

  /**
   * The document of the function around `pc` and the line of `at` (default: pc) in it.
   * Undefined when no code can be read there.
   */
  locate(pc: bigint, at: bigint = pc): { source: DebugProtocol.Source; line: number } | undefined {
    const doc = this.documentAt(U64(pc));
    if (!doc) return undefined;
    const a = U64(at) >= doc.start && U64(at) < doc.end ? U64(at) : U64(pc);
    return { source: this.sourceOf(doc), line: HEADER_LINES + 1 + Number((a - doc.start) / 4n) };
  }

  /** The text of a document (the `source` request), or undefined when it is unknown or forgotten. */
  content(ref: number): string | undefined {
    return this.byRef.get(ref)?.text;
  }

  /** The address shown on `line` of a document, or undefined (a header line, past the end, unknown). */
  addressOf(ref: number, line: number): bigint | undefined {
    const doc = this.byRef.get(ref);
    if (!doc || !Number.isSafeInteger(line) || line <= HEADER_LINES) return undefined;
    const a = doc.start + BigInt(line - HEADER_LINES - 1) * 4n;
    return a < doc.end ? a : undefined;
  }

  /** The document's source object again (for breakpoints set in it). */
  source(ref: number): DebugProtocol.Source | undefined {
    const doc = this.byRef.get(ref);
    return doc ? this.sourceOf(doc) : undefined;
  }

  private sourceOf(doc: CodeDocument): DebugProtocol.Source {
    return { name: doc.name, sourceReference: doc.ref, origin: 'disassembly of guest memory' };
  }

  private documentAt(pc: bigint): CodeDocument | undefined {
    const dbg = this.dbg;
    if (dbg.unwinder.word(pc) === undefined) return undefined;
    const b = functionBounds(pc, dbg.symbols, dbg.unwinder);
    const words: Array<number | undefined> = [];
    let hash = 0x811c9dc5;
    for (let a = b.start; a < b.end; a += 4n) {
      const w = dbg.unwinder.word(a); // the code that ran (a freed .init.text from its file)
      words.push(w);
      hash = Math.imul(hash ^ (w ?? 0x5a5a5a5a), 0x01000193) >>> 0;
    }
    const key = `${b.start.toString(16)}-${b.end.toString(16)}-${hash.toString(16)}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const title = b.name ?? dbg.symbols.describe(b.start) ?? hex64(b.start);
    const doc: CodeDocument = {
      ref: this.nextRef++, name: `${title} (disassembly)`, start: b.start, end: b.end,
      text: this.render(title, b.start, words, b.cut),
    };
    this.byKey.set(key, doc);
    this.byRef.set(doc.ref, doc);
    if (this.byRef.size > MAX_DOCUMENTS) {
      const oldest = this.byRef.values().next().value!;
      this.byRef.delete(oldest.ref);
      for (const [k, d] of this.byKey) if (d === oldest) this.byKey.delete(k);
    }
    return doc;
  }

  private render(title: string, start: bigint, words: ReadonlyArray<number | undefined>, cut: boolean): string {
    const dbg = this.dbg;
    const end = start + BigInt(words.length * 4);
    const out = [
      `# ${title}: ${hex64(start)}..${hex64(end)}, disassembled from guest memory${cut ? ' (a window of a longer function)' : ''}`,
      '#',
    ];
    let lastLine = '';
    words.forEach((w, i) => {
      const a = start + BigInt(i * 4);
      const sym = dbg.symbols.lookup(a);
      const label = sym ? (sym.offset === 0n ? `<${sym.name}>` : `<${sym.name}+0x${sym.offset.toString(16)}>`) : '';
      const [mnemonic, operands] = w === undefined ? [] : this.dis.text(w, a).split('\t');
      const text = w === undefined ? '<unreadable>' : `${(w >>> 0).toString(16).padStart(8, '0')}  ${operands ? `${mnemonic!.padEnd(8)}${operands}` : mnemonic}`;
      const loc = dbg.lines.lookup(a);
      const where = loc ? `${loc.file.split('/').pop()}:${loc.line}` : '';
      const note = where && where !== lastLine ? `    # ${where}` : '';
      if (where) lastLine = where;
      out.push(`${hex64(a)} ${label.padEnd(24)} ${text}${note}`);
    });
    return `${out.join('\n')}\n`;
  }
}
