// `mips64` command-line entry point (bundled to dist/cli.js, the package's `bin`).
// Exit codes: 0 success, 2 failure (bad input, usage, assembler errors), 70 internal error.
// No stack trace is ever printed: runCli turns anything unexpected into one
// `mips64: internal error: …` line, and the process-level handlers below do the same for
// errors outside it. A closed stdout (`mips64 disasm vmlinux | head`) ends the program quietly.

import { internalErrorLine, runCli } from './cli';
import { EXIT_INTERNAL } from './errors';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { engineNodeFlags } from './node-flags';
import { watchParent } from './parent-watchdog';

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

/** Signals passed on to the child (SIGKILL cannot be: the child's IPC watchdog covers it). */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * `boot` runs the guest in this process, which Node started with its default V8 thread
 * pool: it runs again in a child started with engineNodeFlags() (src/cli/node-flags.ts),
 * the terminal and exit code passed through. MIPS64_STUDIO_NO_REEXEC=1 keeps it here.
 * The child is tied to this process by an IPC channel (parent-watchdog.ts): it ends when
 * this process ends, however it ends; signals sent to this process are passed on to it.
 */
function bootInChild(argv: readonly string[]): boolean {
  const flags = engineNodeFlags();
  if (argv[0] !== 'boot' || process.env.MIPS64_STUDIO_NO_REEXEC === '1') return false;
  if (flags.every((f) => process.execArgv.includes(f))) return false;
  // (This process's Node options go along, but not an inspector: its port is this one's.)
  const own = process.execArgv.filter((a) => !/^--(inspect|debug)/.test(a));
  const child = spawn(process.execPath, [...own, ...flags, process.argv[1], ...argv], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  // A signal from the terminal reaches both processes (one process group), one sent to
  // this PID only this one: it is passed on either way (the child acts on it once).
  for (const sig of FORWARDED) process.on(sig, () => { if (child.exitCode === null && child.signalCode === null) child.kill(sig); });
  child.on('error', internalError);
  child.on('exit', (code, signal) => {
    // (Killed by a signal: the shell's convention, 128 + its number.)
    process.exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : EXIT_INTERNAL);
  });
  return true;
}

// The re-executed child (or any process started with an IPC channel) ends with its parent.
watchParent();
if (!bootInChild(process.argv.slice(2))) {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  }, internalError);
}
