// Output helpers of the CLI: streaming text to stdout with back-pressure (a disassembled
// kernel is hundreds of MiB of text and is never held as one string), and atomic file
// writes (temporary file in the target directory + rename, so a failed or interrupted
// `mips64 asm` never leaves a truncated output behind).

import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Writes the chunks in order, waiting for 'drain' whenever the stream's buffer is full. */
export async function writeChunks(out: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    if (!out.write(chunk)) await once(out, 'drain');
  }
}

/** Collects short strings into chunks of about `size` characters. */
export class ChunkBuffer {
  private parts: string[] = [];
  private length = 0;
  constructor(private readonly size = 1 << 16) {}
  add(s: string): void {
    this.parts.push(s);
    this.length += s.length;
  }
  get full(): boolean {
    return this.length >= this.size;
  }
  take(): string {
    const s = this.parts.join('');
    this.parts = [];
    this.length = 0;
    return s;
  }
}

/** Writes `data` to `file` atomically: a temporary sibling file is written, synced and renamed. */
export async function writeFileAtomic(file: string, data: Uint8Array, mode = 0o644): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    renamed = true;
  } finally {
    if (!renamed) await rm(tmp, { force: true }).catch(() => undefined);
  }
}
