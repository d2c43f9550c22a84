// Dependency-free command-line parsing for `mips64`: long options (`--name`, `--name=value`,
// `--name value`), exact short spellings (`-o FILE`, `-EB`), `--` to end the options, and
// positional arguments anywhere. Anything unexpected is a UsageError.

import { UsageError } from './errors';

export interface OptionSpec {
  /** Long name without dashes, e.g. 'no-aliases'; the parsed value is stored under it. */
  readonly name: string;
  /** Other spellings including dashes, e.g. ['-o'] or ['-EB']. */
  readonly aliases?: readonly string[];
  /** Name of the value in help text; options without one are flags. */
  readonly value?: string;
  readonly help: string;
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byToken = new Map<string, OptionSpec>();
  for (const s of specs) {
    byToken.set(`--${s.name}`, s);
    for (const a of s.aliases ?? []) byToken.set(a, s);
  }
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (tok.length < 2 || !tok.startsWith('-')) {
      positionals.push(tok);
      continue;
    }
    const eq = tok.startsWith('--') ? tok.indexOf('=') : -1;
    const key = eq >= 0 ? tok.slice(0, eq) : tok;
    const spec = byToken.get(key);
    if (!spec) throw new UsageError(`unknown option '${key}'`, command);
    if (spec.value === undefined) {
      if (eq >= 0) throw new UsageError(`option '${key}' takes no value`, command);
      options.set(spec.name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = tok.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`option '${key}' needs a value (${spec.value})`, command);
    options.set(spec.name, value);
  }
  return { options, positionals };
}

/** Parses an address or size: 0x… hex, 0o…/0b… or decimal, with optional `_` separators; 0 ≤ v < 2^64. */
export function parseAddress(text: string, what: string, command: string): bigint {
  const t = text.trim().replace(/_/g, '');
  let v: bigint | undefined;
  if (/^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+)$/.test(t)) v = BigInt(t);
  if (v === undefined || v >= 1n << 64n) throw new UsageError(`invalid ${what} '${text}' (expected a number such as 0x80100000)`, command);
  return v;
}

/** Help text lines for a list of options, aligned. */
export function optionHelp(specs: readonly OptionSpec[]): string[] {
  const cols = specs.map((s) => {
    const names = [...(s.aliases ?? []), `--${s.name}`].join(', ');
    return s.value ? `${names} ${s.value}` : names;
  });
  const width = Math.max(0, ...cols.map((c) => c.length));
  return specs.map((s, i) => `  ${cols[i]!.padEnd(width)}  ${s.help}`);
}
