// Errors of the `mips64` command line. A CliError is an expected failure (bad input file,
// assembler errors …): its message lines are printed as they are and the process exits
// with `exitCode` (2). A UsageError additionally prints the command's usage line.
// Anything else that escapes a command is an internal error (exit 70).

export const EXIT_OK = 0;
export const EXIT_FAILURE = 2;
export const EXIT_INTERNAL = 70;

export class CliError extends Error {
  /** Complete lines for stderr (default: `mips64: <message>`). */
  readonly lines: readonly string[];
  constructor(message: string, readonly exitCode = EXIT_FAILURE, lines?: readonly string[]) {
    super(message);
    this.name = 'CliError';
    this.lines = lines ?? [`mips64: ${message}`];
  }
}

/** Bad command line: the message is followed by the usage line of the command. */
export class UsageError extends CliError {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One-line description of a file-system error: "FILE: No such file or directory". */
export { fileProblem as fileErrorMessage } from '../storage/input-file';

export function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
