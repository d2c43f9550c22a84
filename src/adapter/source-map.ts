// The `sourceMap` launch attribute: build-time path prefixes (as recorded in DWARF) mapped
// to local ones, applied both ways — DWARF paths to local files for stack frames and
// breakpoint sources, local files back to DWARF paths when breakpoints are set. The
// longest matching prefix wins; a prefix matches whole path components only.

import { resolve } from 'node:path';

export class SourcePathMap {
  private readonly pairs: Array<{ build: string; local: string }>;

  constructor(map: Record<string, string> | undefined) {
    this.pairs = Object.entries(map ?? {})
      .filter(([b, l]) => typeof b === 'string' && typeof l === 'string' && b !== '')
      .map(([build, local]) => ({ build: trimSlash(build), local: trimSlash(local) }));
  }

  /** A DWARF (build-time) path as a local path. */
  toLocal(path: string): string {
    return this.apply(path, 'build', 'local');
  }

  /** A local path as the build-time path DWARF records. */
  toBuild(path: string): string {
    return this.apply(path, 'local', 'build');
  }

  /** Key for comparing a DWARF path with a client path: the normalized local path. */
  key(dwarfPath: string): string {
    return resolve(this.toLocal(dwarfPath));
  }

  private apply(path: string, from: 'build' | 'local', to: 'build' | 'local'): string {
    let best: { build: string; local: string } | undefined;
    for (const p of this.pairs) {
      const f = p[from];
      if ((path === f || path.startsWith(`${f}/`) || path.startsWith(`${f}\\`)) && (!best || f.length > best[from].length)) best = p;
    }
    return best ? best[to] + path.slice(best[from].length) : path;
  }
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/[\\/]+$/, '') : p;
}
