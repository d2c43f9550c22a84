// Where `.include "name"` looks for its file, as GNU as does: a name with a leading `/` as
// is; otherwise the directory of the including file first, then each include directory
// (-I) in order. Pure string work on '/'-separated paths: the callers (CLI, debug adapter,
// language server) read the candidates with their own I/O and hand the first that exists
// to the assembler's readInclude.

/** Candidate paths for `name` included from `fromFile`, in search order. */
export function includeCandidates(name: string, fromFile: string, includeDirs: readonly string[] = []): string[] {
  if (name.startsWith('/')) return [name];
  const slash = fromFile.lastIndexOf('/');
  const dirs = [slash >= 0 ? fromFile.slice(0, slash) : '.', ...includeDirs];
  const out: string[] = [];
  for (const d of dirs) {
    const p = normalize(`${d.replace(/\/+$/, '')}/${name}`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** Removes `.` segments and folds `x/..` (a leading `..` stays). */
function normalize(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (s !== '..' || !abs) parts.push(s);
  }
  return (abs ? '/' : '') + parts.join('/');
}

/** Largest file `.include` reads (a bigger one is refused with a message, never loaded). */
export const MAX_INCLUDE_BYTES = 16 << 20;
