// Bundles the extension, the debug adapter, the assembly language server and the CLI into
// dist/ with esbuild, and assembles the built-in demo guest (guests/demo/demo.s) with the project's own assembler
// into dist/guests/demo.elf (little-endian) and dist/guests/demo-eb.elf (big-endian).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
mkdirSync('dist', { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/**
 * Writes a file by temp file + rename, with a per-process temp name: tests build dist/
 * from several processes at once while others start dist/adapter.js or dist/cli.js, which
 * must never see a half-written bundle.
 */
function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** Bundles with esbuild in memory, then writes every output file atomically. */
async function bundle(options) {
  const { outputFiles } = await build({ ...common, ...options, write: false });
  for (const f of outputFiles) writeAtomically(f.path, f.contents);
}

/** Bundles src/cli/guest/demo-image.ts in memory, runs it, writes the ELF images atomically. */
async function buildGuests() {
  const { outputFiles } = await build({ ...common, sourcemap: false, minify: false, write: false, entryPoints: ['src/cli/guest/demo-image.ts'], outfile: 'demo-image.js' });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
  const { buildDemoElf, DEMO_ELF } = mod.exports;
  const source = readFileSync('guests/demo/demo.s', 'utf8');
  mkdirSync('dist/guests', { recursive: true });
  for (const endian of ['little', 'big']) {
    const out = `dist/guests/${DEMO_ELF[endian]}`;
    writeAtomically(out, buildDemoElf(source, endian));
  }
  // The demo's source ships beside its images: the adapter then has its line information
  // (source breakpoints, stepping by line, a source frame VS Code focuses when stopped).
  writeAtomically('dist/guests/demo.s', source);
}

await Promise.all([
  bundle({ entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  bundle({ entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  bundle({ entryPoints: ['src/adapter/main.ts'], outfile: 'dist/adapter.js' }),
  bundle({ entryPoints: ['src/language/main.ts'], outfile: 'dist/language-server.js' }),
  buildGuests(),
]);
