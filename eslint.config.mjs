// ESLint flat config (ESLint 9 + typescript-eslint).
//
// Besides the usual recommended rules it enforces the layering of the code base:
//
//   src/emulator   pure emulator core: no VS Code, no debug adapter, no UI, no CLI
//   src/adapter    debug adapter: may use the emulator and the @vscode/* DAP packages, never
//                  the VS Code API (`vscode`) or the extension
//   src/language   language features: may not depend on the extension host glue
//   src/extension  thin VS Code glue: may use everything
//
// The layering rules are `no-restricted-imports` (static import/export) plus a
// `no-restricted-syntax` entry for `require('vscode')`, `import('vscode')` and
// `typeof import('vscode')`.
// Relative imports are matched per directory depth so that e.g. `../../adapter/x`
// is recognised exactly when it leaves src/emulator for src/adapter.
//
//   src/storage    host files (checkpoint directories, bounded input reads) for the CLI
//                  and the adapter: may use the emulator, nothing above it
//   src/gdbstub    gdb's remote protocol over the debugger core: may use the emulator only
//                  (the adapter and the CLI bind it to a running machine)
//
// Inside src/emulator, zones (@typescript-eslint/no-restricted-imports; type-only imports
// are allowed): the debugger is on top (only it imports src/emulator/debug); devices,
// the instruction set, the loader, memory and the snapshot code do not reach into the
// CPU, the engines, the boards or the debugger. And no module imports itself through a
// chain of value imports (mips64/no-import-cycles).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const SOURCE_EXTS = '{ts,mts,cts,js,mjs,cjs}';
const MAX_DEPTH = 10;

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const VSCODE_PATHS = [
  { name: 'vscode', message: 'This layer must not depend on the VS Code API (see eslint.config.mjs).' },
];
const VSCODE_PATTERNS = [
  { group: ['@vscode/*'], message: 'This layer must not depend on VS Code packages (see eslint.config.mjs).' },
];

/**
 * `require('vscode')`, `import('vscode')`, `typeof import('vscode')` and, unless the
 * layer may use the @vscode/* packages, the same for `@vscode/…`.
 */
function vscodeDynamicSyntax(allowPackages) {
  const mod = allowPackages ? '/^vscode$/' : '/^(vscode|@vscode\\u002F.*)$/';
  return [
    {
      selector: `CallExpression[callee.name='require'][arguments.0.value=${mod}]`,
      message: 'This layer must not depend on VS Code (see eslint.config.mjs).',
    },
    {
      selector: `ImportExpression[source.value=${mod}]`,
      message: 'This layer must not depend on VS Code (see eslint.config.mjs).',
    },
    {
      // `typeof import('vscode')` in a type position
      selector: `TSImportType[argument.literal.value=${mod}]`,
      message: 'This layer must not depend on VS Code (see eslint.config.mjs).',
    },
  ];
}

/**
 * Config blocks forbidding, for every file under src/<layer>/, imports of the
 * given sibling layers (src/<forbidden>/...) and of VS Code (if `noVscode`: the
 * `vscode` API, and the @vscode/* packages too unless `allowVscodePackages`).
 * One block per directory depth, so that every file matches exactly one block.
 */
function layerRules(layer, forbidden, noVscode, allowVscodePackages = false, extraSyntax = []) {
  const blocks = [];
  const layerList = forbidden.join('|');
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const up = '../'.repeat(depth + 1); // from src/<layer>/<depth dirs>/file back to src/
    const files = [`src/${layer}/${'*/'.repeat(depth)}*.${SOURCE_EXTS}`];
    const patterns = [
      {
        regex: `^(?:\\./)?${escapeRegex(up)}(?:${layerList})(?:/|$)`,
        message: `src/${layer} must not import from src/{${forbidden.join(',')}} (see eslint.config.mjs).`,
      },
      {
        // any path that spells out src/<forbidden layer> (e.g. '../../../src/extension/x')
        regex: `(?:^|/)src/(?:${layerList})(?:/|$)`,
        message: `src/${layer} must not import from src/{${forbidden.join(',')}} (see eslint.config.mjs).`,
      },
    ];
    if (noVscode && !allowVscodePackages) patterns.push(...VSCODE_PATTERNS);
    blocks.push({
      name: `mips64/layering/${layer}/depth-${depth}`,
      files,
      rules: {
        'no-restricted-imports': ['error', { paths: noVscode ? VSCODE_PATHS : [], patterns }],
        ...(noVscode ? { 'no-restricted-syntax': ['error', ...vscodeDynamicSyntax(allowVscodePackages), ...extraSyntax] } : {}),
      },
    });
  }
  return blocks;
}

/** The emulator core reads no environment: its options come through the CLI and the adapter (MachineOptions). */
const NO_PROCESS_SYNTAX = [
  { selector: "MemberExpression[object.name='process']", message: 'src/emulator must not read process state (environment, argv): take an option resolved by the CLI/adapter.' },
  { selector: "MemberExpression[property.name='process']", message: 'src/emulator must not read process state (environment, argv): take an option resolved by the CLI/adapter.' },
];

/**
 * Zone rules inside src/emulator: files under src/emulator/<zone>/ may not import (values
 * from) the sibling directories `forbidden` (or ../machine when `noMachine`).
 */
function zoneRules(zone, forbidden, noMachine = false) {
  const blocks = [];
  const list = forbidden.join('|');
  for (let depth = 0; depth <= 4; depth++) {
    const up = '../'.repeat(depth + 1); // back to src/emulator/
    const patterns = [{
      regex: `^${escapeRegex(up)}(?:${list})(?:/|$)`,
      allowTypeImports: true,
      message: `src/emulator/${zone} must not import from src/emulator/{${forbidden.join(',')}} (zones: see eslint.config.mjs).`,
    }];
    if (noMachine) patterns.push({ regex: `^${escapeRegex(up)}machine$`, allowTypeImports: true, message: `src/emulator/${zone} must not import the Machine (zones: see eslint.config.mjs).` });
    blocks.push({
      name: `mips64/zones/${zone}/depth-${depth}`,
      files: [`src/emulator/${zone}/${'*/'.repeat(depth)}*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
    });
  }
  return blocks;
}

/** Value imports (not `import type`) of a TypeScript file: resolved paths of its relative modules. */
const importsCache = new Map();
function valueImports(file) {
  let deps = importsCache.get(file);
  if (deps) return deps;
  deps = [];
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { /* unreadable: no edges */ }
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
    if (m[1]) continue;
    const t = resolve(dirname(file), m[2]);
    const hit = [`${t}.ts`, join(t, 'index.ts')].find((c) => existsSync(c));
    if (hit) deps.push(hit);
  }
  importsCache.set(file, deps);
  return deps;
}

/** mips64/no-import-cycles: a module that reaches itself through value imports is reported, with the cycle. */
const noImportCycles = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'import cycle: {{path}}' } },
  create(context) {
    return {
      Program(node) {
        const self = resolve(context.filename);
        const seen = new Set();
        const path = [];
        const dfs = (f) => {
          for (const d of valueImports(f)) {
            if (d === self) return [...path, d];
            if (seen.has(d)) continue;
            seen.add(d);
            path.push(d);
            const c = dfs(d);
            if (c) return c;
            path.pop();
          }
          return undefined;
        };
        const cycle = dfs(self);
        if (cycle) context.report({ node, messageId: 'cycle', data: { path: [self, ...cycle].map((f) => f.slice(f.lastIndexOf('/src/') + 1)).join(' -> ') } });
      },
    };
  },
};

export default defineConfig(
  {
    name: 'mips64/ignores',
    ignores: ['out/**', 'dist/**', 'node_modules/**', '.mips64/**', 'tmp/**', '**/*.vsix'],
  },
  {
    name: 'mips64/typescript',
    files: ['{src,test,bench}/**/*.{ts,mts,cts}'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Emulator code legitimately uses `x!` after bounds checks done elsewhere.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    name: 'mips64/scripts',
    files: ['scripts/**/*.{js,mjs,cjs}', 'eslint.config.mjs'],
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  ...layerRules('emulator', ['adapter', 'extension', 'language', 'cli', 'gdbstub'], true, false, NO_PROCESS_SYNTAX),
  ...layerRules('gdbstub', ['adapter', 'extension', 'language', 'cli', 'storage'], true, false, NO_PROCESS_SYNTAX),
  // The debug adapter is built on @vscode/debugadapter and @vscode/debugprotocol.
  ...layerRules('adapter', ['extension'], true, true),
  ...layerRules('language', ['extension'], false),
  ...layerRules('storage', ['adapter', 'extension', 'language', 'cli', 'gdbstub'], true),
  ...zoneRules('devices', ['cpu', 'jit', 'mmu', 'boards', 'debug'], true),
  ...zoneRules('isa', ['cpu', 'jit', 'mmu', 'devices', 'boards', 'debug', 'snapshot'], true),
  ...zoneRules('loader', ['cpu', 'jit', 'mmu', 'devices', 'boards', 'debug', 'snapshot'], true),
  ...zoneRules('memory', ['cpu', 'jit', 'mmu', 'boards', 'debug', 'snapshot'], true),
  ...zoneRules('snapshot', ['jit', 'devices', 'boards', 'debug']),
  ...zoneRules('mmu', ['jit', 'devices', 'boards', 'debug']),
  ...zoneRules('cpu', ['jit', 'devices', 'boards', 'debug']),
  ...zoneRules('jit', ['devices', 'boards', 'debug']),
  ...zoneRules('boards', ['debug', 'jit']),
  {
    name: 'mips64/no-import-cycles',
    files: ['src/**/*.ts'],
    plugins: { mips64: { rules: { 'no-import-cycles': noImportCycles } } },
    rules: { 'mips64/no-import-cycles': 'error' },
  },
);
