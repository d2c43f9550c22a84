// Runs the bundled `mips64` CLI (dist/cli.js) as a child process.
//
// This module deliberately does not import `vscode`: the extension host only ever talks
// to the emulator through this child process (never in-process), and the helpers here
// are unit-tested with plain Node.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import * as path from 'node:path';

/** Default cap on captured stdout; a disassembled vmlinux is tens of MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

export interface CliRunOptions {
  /** Executable that runs JavaScript: `node`, or VS Code's own binary (see ELECTRON_RUN_AS_NODE). */
  readonly execPath: string;
  /** Absolute path of dist/cli.js. */
  readonly cliScript: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Extra environment variables, merged over process.env. */
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Kill the child and fail if stdout grows beyond this many bytes. */
  readonly maxOutputBytes?: number;
  /** Called with each piece of stderr as it arrives (progress lines). */
  readonly onStderr?: (text: string) => void;
}

export interface CliResult {
  /** Exit code, or null if the process was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class CliOutputTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`CLI output exceeded ${Math.round(limitBytes / (1024 * 1024))} MiB`);
    this.name = 'CliOutputTooLargeError';
  }
}

/** Path of the bundled CLI inside an installed extension. */
export function cliScriptPath(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'cli.js');
}

/** Command-line arguments for `mips64 disasm`. */
export function disasmArgs(file: string, options: { readonly aliases: boolean }): string[] {
  return ['disasm', ...(options.aliases ? [] : ['--no-aliases']), file];
}

/**
 * Environment that makes `execPath` behave as plain Node. Inside the VS Code extension
 * host `process.execPath` is the editor's Electron binary, which runs scripts as Node
 * only with ELECTRON_RUN_AS_NODE set; for a real `node` binary the variable is ignored.
 */
export const RUN_AS_NODE_ENV: Readonly<Record<string, string>> = { ELECTRON_RUN_AS_NODE: '1' };

/** Runs `execPath cliScript ...args`, capturing stdout and stderr as UTF-8 text. */
export function runCli(options: CliRunOptions): Promise<CliResult> {
  const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(options.execPath, [options.cliScript, ...options.args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let failure: Error | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      outBytes += chunk.length;
      if (outBytes > limit) {
        failure = new CliOutputTooLargeError(limit);
        child.kill();
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      options.onStderr?.(chunk.toString('utf8'));
    });
    let settled = false;
    child.on('error', (e) => {
      failure ??= e;
      // If the process never started there may be no 'close' event.
      if (child.pid === undefined && !settled) {
        settled = true;
        reject(failure);
      }
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      if (failure) {
        reject(failure);
        return;
      }
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** True if the file starts with the ELF magic number. */
export async function isElfFile(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    return bytesRead === 4 && magic[0] === 0x7f && magic.toString('latin1', 1, 4) === 'ELF';
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** The last `maxLines` non-empty lines of a process' stderr, for error messages. */
export function stderrTail(stderr: string, maxLines = 5): string {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(-maxLines).join('\n');
}
