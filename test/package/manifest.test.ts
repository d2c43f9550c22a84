// The extension manifest (package.json): debugger, language, commands and settings
// contributions, and that every contributed command is registered by the extension.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { BOARD_CATALOG, BOARD_NAMES } from '../../src/emulator/boards/catalog';

const root = path.resolve(__dirname, '..', '..', '..');

interface Manifest {
  main: string;
  icon: string;
  activationEvents: string[];
  engines: { vscode: string };
  contributes: {
    debuggers: {
      type: string;
      label: string;
      program: string;
      runtime: string;
      languages: string[];
      configurationAttributes: Record<string, { required?: string[]; properties: Record<string, { type?: string | string[]; enum?: string[]; default?: unknown }> }>;
      initialConfigurations: { type: string; request: string; name: string }[];
      configurationSnippets: { label: string; body: { type: string; request: string; name: string } }[];
    }[];
    languages: { id: string; aliases: string[]; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown; enum?: string[] }> };
  };
}


const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

test('debugger contribution', () => {
  const [dbg, ...rest] = pkg.contributes.debuggers;
  assert.ok(dbg);
  assert.equal(rest.length, 0);
  assert.equal(dbg.type, 'mips64');
  assert.equal(dbg.label, 'MIPS64 Studio');
  assert.equal(dbg.program, './dist/adapter.js');
  assert.equal(dbg.runtime, 'node');
  assert.deepEqual(dbg.languages, ['mips64-asm', 'c']);
  const launch = dbg.configurationAttributes['launch']!.properties;
  for (const key of ['kernel', 'program', 'includePaths', 'initrd', 'append', 'memory', 'board', 'engine', 'symbols', 'stopOnEntry', 'checkpoint', 'sourceMap', 'cpu']) {
    assert.ok(launch[key], `launch.${key}`);
  }
  assert.equal(launch['memory']!.default, 256);
  // The boards and CPU models are the board catalog's.
  assert.deepEqual([...launch['board']!.enum!].sort(), [...BOARD_NAMES].sort());
  assert.deepEqual(launch['engine']!.enum, ['jit', 'interp']);
  assert.deepEqual([...launch['cpu']!.enum!].sort(), [...new Set(BOARD_CATALOG.flatMap((b) => b.cpus))].sort());
  assert.equal(launch['symbols']!.type, 'array');
  const attach = dbg.configurationAttributes['attach']!.properties;
  assert.ok(attach['port'] && attach['host'] && attach['uartOutput']);
  assert.deepEqual(dbg.configurationAttributes['attach']!.required, ['port']);
  assert.deepEqual(dbg.initialConfigurations.map((c) => c.name), ['Boot built-in demo']);
  const snippets = dbg.configurationSnippets.map((s) => s.body.name);
  assert.deepEqual(snippets, ['Boot built-in demo', 'Debug assembly file', 'Attach to mips64 boot', 'Boot Debian Linux (Malta)', 'Boot Debian Linux (Octeon)']);
  // Each board's snippet is its catalog launch configuration (Linux boards add kernel, initrd, append).
  for (const b of BOARD_CATALOG) {
    const sn = dbg.configurationSnippets.find((x) => x.label === b.launch.label);
    assert.ok(sn, b.launch.label);
    const body = sn.body as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(b.launch.config)) assert.deepEqual(body[k], v, `${b.name}: ${k}`);
    if (b.loads === 'linux') assert.equal(body['append'], b.defaultAppend);
  }
  // The Malta snippet works out of the box: no kernel or initrd path a user does not have
  // (without them the extension fetches Debian's guest, with progress).
  const malta = dbg.configurationSnippets.find((s) => s.body.name === 'Boot Debian Linux (Malta)')!.body as unknown as Record<string, unknown>;
  assert.equal(malta['board'], 'malta');
  assert.ok(!('kernel' in malta) && !('initrd' in malta), 'the Malta snippet names no files');
  for (const c of [...dbg.initialConfigurations, ...dbg.configurationSnippets.map((s) => s.body)]) {
    assert.equal(c.type, 'mips64');
    assert.equal(c.request, c.name === 'Attach to mips64 boot' ? 'attach' : 'launch');
    // Every attribute of a ready-made configuration is one the manifest declares for its request.
    const declared = dbg.configurationAttributes[c.request]!.properties;
    for (const key of Object.keys(c)) if (!['type', 'request', 'name'].includes(key)) assert.ok(declared[key], `${c.name}: ${key}`);
  }
});

test('language, grammar and activation', () => {
  const lang = pkg.contributes.languages.find((l) => l.id === 'mips64-asm');
  assert.ok(lang);
  assert.ok(lang.aliases.includes('MIPS64 Assembly'));
  assert.deepEqual(lang.extensions, ['.s', '.S', '.asm']);
  assert.equal(lang.configuration, './language-configuration.json');
  assert.deepEqual(pkg.contributes.grammars, [
    { language: 'mips64-asm', scopeName: 'source.mips64-asm', path: './syntaxes/mips64-asm.tmLanguage.json' },
  ]);
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(pkg.icon, 'media/icon.png');
  for (const e of ['onDebugResolve:mips64', 'onLanguage:mips64-asm', 'onCommand:mips64.disassembleFile']) {
    assert.ok(pkg.activationEvents.includes(e), e);
  }
  assert.ok(!pkg.activationEvents.includes('*'));
});

test('commands are contributed in the MIPS64 category and registered by the extension', () => {
  const expected: Record<string, string> = {
    'mips64.disassembleFile': 'Disassemble ELF File',
    'mips64.takeCheckpoint': 'Take Checkpoint',
    'mips64.restoreCheckpoint': 'Restore Checkpoint',
    'mips64.deleteCheckpoint': 'Delete Checkpoint',
    'mips64.compareCheckpoints': 'Compare Checkpoints',
    'mips64.fetchKernelSymbols': 'Fetch Kernel Debug Symbols',
    'mips64.goToInstruction': 'Go to Instruction Count…',
    'mips64.goToCheckpoint': 'Go to Checkpoint',
    'mips64.stepBackOut': 'Step Back Out',
    'mips64.goToTimelinePoint': 'Go to This Point of the Recording',
  };
  const cmds = pkg.contributes.commands;
  assert.deepEqual(Object.fromEntries(cmds.map((c) => [c.command, c.title])), expected);
  for (const c of cmds) assert.equal(c.category, 'MIPS64');
  const dir = path.join(root, 'src', 'extension');
  const source = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  for (const id of Object.keys(expected)) assert.ok(source.includes(`'${id}'`), `${id} is not registered in src/extension`);
});

test('settings', () => {
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props).sort(), [
    'mips64.asm.cpuModel',
    'mips64.asm.endianness',
    'mips64.asm.format.enable',
    'mips64.asm.includePaths',
    'mips64.checkpoints.memoryBudgetMiB',
    'mips64.console.alsoInDebugConsole',
    'mips64.debug.exceptionFilters',
    'mips64.disassembly.aliases',
    'mips64.engine',
    'mips64.guestCacheDir',
    'mips64.instantBoot',
    'mips64.kernelDebugSymbols',
  ]);
  assert.equal(props['mips64.instantBoot']!.default, true);
  assert.equal(props['mips64.kernelDebugSymbols']!.default, true);
  assert.equal(props['mips64.guestCacheDir']!.type, 'string');
  assert.equal(props['mips64.guestCacheDir']!.default, '');
  assert.deepEqual(props['mips64.engine']!.enum, ['jit', 'interp']);
  assert.equal(props['mips64.checkpoints.memoryBudgetMiB']!.type, 'number');
  assert.equal(props['mips64.checkpoints.memoryBudgetMiB']!.default, 512);
  assert.equal(props['mips64.disassembly.aliases']!.type, 'boolean');
  assert.equal(props['mips64.disassembly.aliases']!.default, true);
  assert.equal(props['mips64.console.alsoInDebugConsole']!.type, 'boolean');
  assert.equal(props['mips64.console.alsoInDebugConsole']!.default, false);
  assert.deepEqual(props['mips64.debug.exceptionFilters']!.enum, ['grouped', 'detailed']);
  assert.equal(props['mips64.debug.exceptionFilters']!.default, 'grouped');
  assert.equal(props['mips64.asm.cpuModel']!.default, '');
  assert.equal(props['mips64.asm.format.enable']!.default, false);
  assert.equal(props['mips64.asm.includePaths']!.type, 'array');
});
