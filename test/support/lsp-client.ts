// A minimal Language Server Protocol client for tests and benchmarks: starts
// `node dist/language-server.js --stdio`, frames JSON-RPC messages with Content-Length
// headers by hand (so the test sees exactly the bytes an editor exchanges), matches
// responses to requests, keeps notifications, and answers the server's own requests
// (workspace/configuration, window/workDoneProgress/create) with nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'language-server.js');

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  message: string;
  code?: string;
  source?: string;
}

export const uri = (p: string): string => pathToFileURL(p).href;

export class LspClient {
  private readonly proc: ChildProcess;
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  private waiters: Array<() => void> = [];
  stderr = '';
  exited: number | null | undefined;

  constructor(args: string[] = ['--stdio']) {
    this.proc = spawn(process.execPath, [SERVER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (b: Buffer) => this.onData(b));
    this.proc.stderr!.on('data', (b: Buffer) => { this.stderr += b.toString(); });
    this.proc.on('exit', (code) => {
      this.exited = code;
      for (const p of this.pending.values()) p.reject(new Error(`server exited (${code}) during ${p.method}; stderr:\n${this.stderr}`));
      this.pending.clear();
      this.wake();
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private onData(b: Buffer): void {
    this.buf = Buffer.concat([this.buf, b]);
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, sep).toString('ascii'));
      if (!m) throw new Error(`bad header from the server: ${this.buf.subarray(0, sep).toString()}`);
      const len = Number(m[1]);
      if (this.buf.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString('utf8')) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
      this.buf = this.buf.subarray(sep + 4 + len);
      if (msg.method !== undefined && msg.id !== undefined) {
        // A request from the server: answer with null (no configuration, progress accepted).
        this.write({ jsonrpc: '2.0', id: msg.id, result: null });
      } else if (msg.method !== undefined) {
        this.notifications.push({ method: msg.method, params: msg.params });
        this.wake();
      } else if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(Object.assign(new Error(msg.error.message), { rpc: msg.error }));
        else p?.resolve(msg.result);
      }
    }
  }

  private write(msg: unknown): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  /** Writes raw bytes as one message body (bad-input tests). */
  writeRaw(body: Buffer): void {
    this.proc.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  async initialize(options: unknown = {}, rootPath = ROOT): Promise<{ capabilities: Record<string, unknown> }> {
    const r = await this.request<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid, rootUri: uri(rootPath), workspaceFolders: [{ uri: uri(rootPath), name: 'root' }],
      capabilities: { textDocument: { hover: { contentFormat: ['markdown'] }, completion: { completionItem: { snippetSupport: true } } } },
      initializationOptions: options,
    });
    this.notify('initialized', {});
    return r;
  }

  open(file: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri: uri(file), languageId: 'mips64-asm', version, text } });
  }

  /** Replaces the whole text (a full-document change). */
  change(file: string, text: string, version: number): void {
    this.notify('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges: [{ text }] });
  }

  /** The next diagnostics published for `file` after notification index `from`. */
  async diagnostics(file: string, from = 0, timeoutMs = 30_000): Promise<{ diagnostics: Diagnostic[]; index: number }> {
    const u = uri(file);
    const until = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.notifications.length; i++) {
        const n = this.notifications[i];
        if (n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === u) {
          return { diagnostics: (n.params as { diagnostics: Diagnostic[] }).diagnostics, index: i + 1 };
        }
      }
      if (this.exited !== undefined) throw new Error(`server exited (${this.exited}); stderr:\n${this.stderr}`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no diagnostics for ${file} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  async shutdown(): Promise<number | null | undefined> {
    if (this.exited === undefined) {
      await this.request('shutdown', null).catch(() => undefined);
      this.notify('exit', null);
      await new Promise<void>((resolve) => {
        if (this.exited !== undefined) { resolve(); return; }
        const t = setTimeout(() => { this.proc.kill('SIGKILL'); resolve(); }, 5000);
        this.proc.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
    return this.exited;
  }
}
