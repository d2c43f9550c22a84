// Text that came from files (checkpoint names and ids, symbol and section names, device
// field names, file names, assembler source) made safe to print on a terminal: a name
// holding a newline must not forge a line, and one holding ESC [ 2 J must not clear the
// screen. Control characters (C0, DEL, C1), bidirectional-text overrides and unpaired
// surrogates are shown as escapes (\n, \x1b, \u202e); everything else is unchanged.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
