// Node/V8 flags for a process that runs guest code (the debug adapter, the boot benchmark):
// V8's background thread pool — which compiles hot WebAssembly regions to optimized code and
// helps the garbage collector — sized so that the thread running the guest keeps a core to
// itself. Node's default pool has 4 threads; on a 2-core machine they took turns on the
// guest thread's core while compiling, and the boot waited (Debian Malta boot, bench/results.md
// 2026-11-21: 8.0–8.8 s wall with 4 threads, 6.9–8.3 s with 1, the same main-thread CPU).

import { availableParallelism } from 'node:os';

/** Node's default pool size (node --v8-pool-size). */
const NODE_DEFAULT_POOL = 4;

/** Flags for a guest-running Node process on a machine with `cores` cores. */
export function engineNodeFlags(cores = availableParallelism()): string[] {
  return [`--v8-pool-size=${Math.min(NODE_DEFAULT_POOL, Math.max(1, cores - 1))}`];
}
