// Host lines ("mips64: checkpoint …") that must not land in the middle of the guest's
// console line. The console (console.ts) reports every chunk of guest output it wrote
// (guestWrote); a note said while the guest's last line is unfinished waits until the
// guest ends that line (or the console stops: end()). On a terminal in raw mode lines end
// with \r\n. Notes are written to stderr, guest output to stdout: on one terminal (or a
// pipe both go to) a note starts at a line start and takes whole lines.

import { printable } from './printable';

export class HostNotes {
  private pending: string[] = [];
  /** Whether the guest's output so far ends a line (true before any output). */
  private atLineStart = true;

  /** `raw`: whether the terminal is in raw mode now (lines end with \r\n). */
  constructor(private readonly stderr: NodeJS.WritableStream, private readonly raw: () => boolean = () => false) {}

  /** A host line: written now when the guest's console is at a line start, else when it gets there. */
  say(line: string): void {
    this.pending.push(line);
    if (this.atLineStart) this.writePending();
  }

  /** The console wrote `chunk` of guest output to stdout. */
  guestWrote(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const last = chunk[chunk.length - 1];
    // A line ends with \n; a guest in raw terminal style may end it with \r\n (\n last) too.
    this.atLineStart = last === 0x0a;
    if (this.atLineStart) this.writePending();
  }

  /** The console stops: what waits is written, on a line of its own. */
  end(): void {
    if (this.pending.length === 0) return;
    if (!this.atLineStart) this.stderr.write(this.raw() ? '\r\n' : '\n');
    this.atLineStart = true;
    this.writePending();
  }

  /** Lines said but not yet written (waiting for the guest's line to end). */
  get waiting(): number {
    return this.pending.length;
  }

  private writePending(): void {
    const nl = this.raw() ? '\r\n' : '\n';
    for (const l of this.pending) this.stderr.write(`mips64: ${printable(l)}${nl}`);
    this.pending = [];
  }
}
