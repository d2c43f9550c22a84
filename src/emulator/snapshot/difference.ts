// Restore by difference: which RAM pages of the running machine can differ from a
// checkpoint's RAM, so that a restore rewrites only those (a 256 MiB guest restored a
// moment after its checkpoint rewrites a few hundred pages instead of all of RAM).
//
// The dirty tracker knows the checkpoint B that RAM matched when its interval opened
// (its base: the last checkpoint taken or restored) and every page written since. So
// RAM equals RAM(B) outside the tracker's dirty pages. Checkpoints form a tree through
// their parents: a full checkpoint is a root and an incremental differs from its
// parent exactly in the pages it lists. For a target T in the same tree as B, with
// common ancestor A, RAM(T) and RAM(B) can differ only in pages listed by the files on
// the path A → B and A → T (A excluded). Hence:
//
//   pages to rewrite = dirty since B ∪ pages listed after A on B's chain ∪ those on T's.
//
// Whenever this cannot be established (no tracking, base unknown or altered, B's chain
// unavailable, B and T under different full checkpoints) the answer is undefined and
// the caller restores all of RAM.

import { pageIndex, resolveChain } from './checkpoint';
import { PAGE_SHIFT } from './compress';
import type { DirtyTracker } from './dirty';
import { CheckpointError, type ParsedCheckpoint } from './format';

export interface DifferencePlan {
  /** RAM pages that may differ from the target's contents, ascending. */
  pages: Uint32Array;
  /** The checkpoint RAM was known to match (the tracker's base). */
  baseId: string;
}

/**
 * Pages that may differ between the machine's RAM (as followed by `tracker`) and the
 * RAM of `target` (a verified chain, base first), or undefined when unknown.
 */
export function pagesToRewrite(
  tracker: DirtyTracker, ramBytes: number, target: readonly ParsedCheckpoint[],
  lookup: (id: string) => ParsedCheckpoint | undefined,
): DifferencePlan | undefined {
  const base = tracker.base;
  if (!tracker.active || !base || target.length === 0) return undefined;
  let from: ParsedCheckpoint[];
  try {
    const b = lookup(base.id);
    if (!b || b.hash !== base.hash) return undefined;
    from = resolveChain(b, lookup);
  } catch (e) {
    if (e instanceof CheckpointError) return undefined;
    throw e;
  }
  // Same tree: the same full checkpoint at the root.
  if (from[0].hash !== target[0].hash) return undefined;
  let k = 1;
  while (k < from.length && k < target.length && from[k].hash === target[k].hash) k++;
  const ramPages = ramBytes >>> PAGE_SHIFT;
  const mark = new Uint8Array(ramPages);
  let n = 0;
  const add = (p: number): void => { if (mark[p] === 0) { mark[p] = 1; n++; } };
  for (const p of tracker.dirtyPages()) add(p);
  for (const chain of [from, target]) {
    for (let i = k; i < chain.length; i++) for (const p of pageIndex(chain[i], ramPages).keys()) add(p);
  }
  const pages = new Uint32Array(n);
  for (let p = 0, j = 0; j < n; p++) if (mark[p] !== 0) pages[j++] = p;
  return { pages, baseId: base.id };
}
