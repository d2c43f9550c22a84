// `npm test`: runs ESLint (layering, the emulator's zones, no import cycles: see
// eslint.config.mjs), type-checks and compiles the sources and tests to out/, bundles
// dist/, then runs every test file (out/test/**/*.test.js) with node's built-in runner.
// `npm test -- SUBSTRING…` runs only the matching test files and skips ESLint.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const filter = process.argv.slice(2);
if (filter.length === 0) run(process.execPath, ['node_modules/eslint/bin/eslint.js', '--no-error-on-unmatched-pattern', 'src', 'test', 'bench', 'scripts']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.test.json']);
run(process.execPath, ['scripts/build.mjs']);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
let files = collect('out/test').sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
