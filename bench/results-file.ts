// bench/results.md is a tracked file: a benchmark run prints its figures and leaves it
// alone unless asked with --write (`npm run bench -- --write`), when it appends them.

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_FILE = join(__dirname, '..', '..', 'bench', 'results.md');

/** True when this run was asked to append its figures to bench/results.md. */
export function writeResults(): boolean {
  return process.argv.includes('--write');
}

/** Appends `text` to bench/results.md when asked (--write); says what it did either way. */
export function recordResults(text: string): void {
  if (!writeResults()) {
    console.log('\n(bench/results.md not changed: add --write to append these figures)');
    return;
  }
  appendFileSync(RESULTS_FILE, text);
  console.log(`\nappended to ${RESULTS_FILE}`);
}
