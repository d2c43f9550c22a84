// The files the language server knows: open documents (their unsaved text wins), files read
// from disk for `.include` and workspace symbols (size-limited, cached by mtime), each
// file's symbol index, and the latest analysis of each open document. A file's scope for
// navigation is itself, the files it includes and the open files that include it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_INCLUDE_BYTES } from '../emulator/isa/assembler/include';
import { analyse, Analysis, SourceStore } from './analysis';
import { FileIndex, indexFile } from './file-index';
import { Settings } from './settings';

interface Doc { text: string; version: number }
interface DiskFile { text: string; mtimeMs: number; size: number }

/** Bounds of the workspace scan for workspace symbols. */
const MAX_WORKSPACE_FILES = 2000;
const MAX_WORKSPACE_DEPTH = 12;
const ASM_FILE = /\.(s|S|asm)$/;

export class Project implements SourceStore {
  private readonly docs = new Map<string, Doc>();
  private readonly disk = new Map<string, DiskFile>();
  private readonly indexes = new Map<string, { text: string; index: FileIndex }>();
  private readonly analyses = new Map<string, Analysis>();
  settings: Settings;
  /** Workspace folders (paths) searched for workspace symbols. */
  roots: string[] = [];

  constructor(settings: Settings) {
    this.settings = settings;
  }

  open(path: string, text: string, version: number): void {
    this.docs.set(path, { text, version });
  }

  close(path: string): void {
    this.docs.delete(path);
    this.analyses.delete(path);
  }

  isOpen(path: string): boolean {
    return this.docs.has(path);
  }

  openPaths(): string[] {
    return [...this.docs.keys()];
  }

  /** Text of a file: the open document, else the disk (size-limited), else undefined. */
  read(path: string): { text: string } | { error: string } | undefined {
    const d = this.docs.get(path);
    if (d) return { text: d.text };
    if (!path.startsWith('/')) return undefined;
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    if (st.size > MAX_INCLUDE_BYTES) return { error: `${path} is larger than ${MAX_INCLUDE_BYTES >> 20} MiB` };
    const cached = this.disk.get(path);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return { text: cached.text };
    try {
      const text = readFileSync(path, 'utf8');
      this.disk.set(path, { text, mtimeMs: st.mtimeMs, size: st.size });
      return { text };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  text(path: string): string | undefined {
    const r = this.read(path);
    return r && 'text' in r ? r.text : undefined;
  }

  /** The symbol index of a file (rebuilt when its text changed). */
  index(path: string): FileIndex | undefined {
    const text = this.text(path);
    if (text === undefined) return undefined;
    const c = this.indexes.get(path);
    if (c && c.text === text) return c.index;
    const index = indexFile(path, text);
    this.indexes.set(path, { text, index });
    return index;
  }

  /** Assembles an open document now (replacing its previous analysis). */
  analyse(path: string, budgetMs?: number): Analysis | undefined {
    const d = this.docs.get(path);
    if (!d) return undefined;
    const prev = this.analyses.get(path);
    const a = analyse(path, d.text, this.settings, this, budgetMs, prev?.model === this.settings.model ? prev.result.layout : undefined);
    this.analyses.set(path, a);
    return a;
  }

  /** The latest analysis of an open document (possibly of an older version). */
  analysis(path: string): Analysis | undefined {
    return this.analyses.get(path);
  }

  /** The file, what it includes, and the open files whose analysis includes it. */
  scope(path: string): string[] {
    const out = [path];
    for (const f of this.analyses.get(path)?.result.includes ?? []) if (!out.includes(f)) out.push(f);
    for (const [p, a] of this.analyses) {
      if (p === path || !a.result.includes.includes(path)) continue;
      for (const f of [p, ...a.result.includes]) if (!out.includes(f)) out.push(f);
    }
    return out;
  }

  /** Assembly files of the workspace folders (bounded), then the open ones. */
  workspaceFiles(): string[] {
    const out = new Set<string>(this.openPaths());
    const walk = (dir: string, depth: number): void => {
      if (depth > MAX_WORKSPACE_DEPTH || out.size >= MAX_WORKSPACE_FILES) return;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const n of names) {
        if (out.size >= MAX_WORKSPACE_FILES) return;
        if (n.startsWith('.') || n === 'node_modules') continue;
        const p = join(dir, n);
        let st: ReturnType<typeof statSync>;
        try { st = statSync(p); } catch { continue; }
        if (st.isDirectory()) walk(p, depth + 1);
        else if (ASM_FILE.test(n) && st.size <= MAX_INCLUDE_BYTES) out.add(p);
      }
    };
    for (const r of this.roots) walk(r, 0);
    return [...out];
  }
}
