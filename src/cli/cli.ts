// `mips64` command dispatcher: global options (--help, --version), `help CMD`, and the
// commands of commands/index.ts. Returns the exit code; every expected failure is a
// CliError whose one-line messages go to stderr (exit 2); usage errors add the usage
// line. Nothing here prints stack traces — main.ts turns anything unexpected into
// `mips64: internal error: …` (exit 70).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { optionHelp, parseArgs } from './args';
import { CliError, EXIT_FAILURE, EXIT_INTERNAL, EXIT_OK, UsageError, firstLine } from './errors';
import { CliIo } from './io';
import { printable } from './printable';
import { Command } from './commands/command';
import { COMMANDS, findCommand } from './commands/index';

export const PROGRAM = 'mips64';

/** The extension's version from the nearest package.json named mips64-studio. */
export function version(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'mips64-studio' && pkg.version) return pkg.version;
      } catch {
        // not our package.json; keep looking
      }
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4);
  return [
    `usage: ${PROGRAM} <command> [options]`,
    '',
    'MIPS64 Studio command-line tools.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show help for a command`,
    '',
    'options:',
    '  -h, --help     show this help',
    '  -V, --version  show the version',
    '',
    `Run '${PROGRAM} help <command>' for the options of a command.`,
  ].join('\n') + '\n';
}

export function commandHelp(c: Command): string {
  return [
    `usage: ${PROGRAM} ${c.usage}`,
    '',
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    ...(c.details?.length ? ['', ...c.details] : []),
    '',
    'options:',
    ...optionHelp([...c.options, { name: 'help', aliases: ['-h'], help: 'show this help' }]),
  ].join('\n') + '\n';
}

function usageLine(command?: string): string {
  const c = command ? findCommand(command) : undefined;
  return c ? `usage: ${PROGRAM} ${c.usage}` : `usage: ${PROGRAM} <command> [options]  (commands: ${COMMANDS.map((x) => x.name).join(', ')}, help)`;
}

/** The one line printed for an unexpected exception (never a stack trace). */
export function internalErrorLine(e: unknown): string {
  const msg = firstLine(e instanceof Error ? e.message : String(e));
  return `${PROGRAM}: internal error: ${msg || (e instanceof Error ? e.name : 'unknown error')}`;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code: expected
 * failures (CliError) print their lines and give 2, anything else prints one
 * `mips64: internal error: …` line and gives 70.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    try {
      if (!(e instanceof CliError)) {
        io.stderr.write(printable(internalErrorLine(e)) + '\n');
        return EXIT_INTERNAL;
      }
      for (const line of e.lines) io.stderr.write(printable(line) + '\n');
      if (e instanceof UsageError) io.stderr.write(usageLine(e.command) + '\n');
      return e.exitCode;
    } catch {
      return e instanceof CliError ? e.exitCode : EXIT_INTERNAL;
    }
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(mainHelp());
    return EXIT_FAILURE;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(mainHelp());
    return EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${PROGRAM} ${version()}\n`);
    return EXIT_OK;
  }
  if (first === 'help') {
    if (rest.length === 0) {
      io.stdout.write(mainHelp());
      return EXIT_OK;
    }
    const c = findCommand(rest[0]!);
    if (!c || rest.length > 1) throw new UsageError(c ? `unexpected argument '${rest[1]}'` : `unknown command '${rest[0]}'`);
    io.stdout.write(commandHelp(c));
    return EXIT_OK;
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
  const c = findCommand(first);
  if (!c) throw new UsageError(`unknown command '${first}'`);
  if (rest.includes('--help') || rest.includes('-h')) {
    const dd = rest.indexOf('--');
    const h = Math.min(...['--help', '-h'].map((x) => rest.indexOf(x)).filter((i) => i >= 0));
    if (dd < 0 || h < dd) {
      io.stdout.write(commandHelp(c));
      return EXIT_OK;
    }
  }
  return c.run(parseArgs(rest, c.options, c.name), io);
}
