// The one error type of the DWARF readers: malformed or unsupported debugging information.
// Every reader turns out-of-range offsets, bad lengths and unknown encodings into this
// error (with the section and offset), never into a RangeError or a crash.

export class DwarfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DwarfError';
  }
}
