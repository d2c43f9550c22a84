// `mips64` command-line entry point (bundled to dist/cli.js, the package's `bin`).
// Exit codes: 0 success, 2 failure (bad input, usage, assembler errors), 70 internal error.
// No stack trace is ever printed: runCli turns anything unexpected into one
// `mips64: internal error: …` line, and the process-level handlers below do the same for
// errors outside it. A closed stdout (`mips64 disasm vmlinux | head`) ends the program quietly.

import { internalErrorLine, runCli } from './cli';
import { EXIT_INTERNAL } from './errors';

function internalError(e: unknown): never {
  try {
    process.stderr.write(internalErrorLine(e) + '\n');
  } finally {
    process.exit(EXIT_INTERNAL);
  }
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  internalError(e);
});
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
}, internalError);
