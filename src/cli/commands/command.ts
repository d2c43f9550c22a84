// The shape of a `mips64` command: its help text, its options and its implementation.

import { OptionSpec, ParsedArgs } from '../args';
import { CliIo } from '../io';

export interface Command {
  readonly name: string;
  /** One line for `mips64 --help`. */
  readonly summary: string;
  /** Usage line without the leading "usage: mips64 ". */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  /** Extra paragraphs for `mips64 help CMD`. */
  readonly details?: readonly string[];
  /** Runs the command; returns the exit code. Expected failures throw CliError. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export const MODELS = ['5KEc', 'mips64r2', 'octeon', 'octeon2', 'octeon3'] as const;
