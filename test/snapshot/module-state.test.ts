// Nothing under src/emulator/snapshot keeps state in module globals (the emulator's rule:
// the Machine owns everything, so machines, tests and future workers do not share a
// compressor, a cache or a counter): a static check of every module's top-level
// declarations, and what the owners hold — each machine its own compressor, id sequence
// and dirty tracker, each parsed checkpoint its own page index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { createDemoMachine } from '../../src/emulator/boards/demo';
import { captureCheckpoint, pageIndex } from '../../src/emulator/snapshot/checkpoint';
import { parseCheckpoint } from '../../src/emulator/snapshot/format';
import { Checkpointer } from '../../src/emulator/snapshot/manager';
import { DirtyTracker } from '../../src/emulator/snapshot/dirty';
import { demoElf } from '../debug/demo-machine';
import { HASHES, hashed } from '../support/hashes';

const SNAPSHOT_DIR = join(__dirname, '..', '..', '..', 'src', 'emulator', 'snapshot');

/** Top-level declarations that hold mutable state: `let`/`var`, or a `const` made by `new` whose type is not Readonly…. */
function moduleState(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const flags = st.declarationList.flags;
    for (const d of st.declarationList.declarations) {
      const name = d.name.getText(sf);
      const line = sf.getLineAndCharacterOfPosition(d.getStart(sf)).line + 1;
      if (!(flags & ts.NodeFlags.Const)) { found.push(`${file}:${line}: ${name} is a module-level variable`); continue; }
      const init = d.initializer;
      const readonlyType = d.type !== undefined && /^Readonly/.test(d.type.getText(sf));
      if (init && ts.isNewExpression(init) && !readonlyType) found.push(`${file}:${line}: ${name} is a module-level ${init.expression.getText(sf)}`);
    }
  }
  return found;
}

test('no module of src/emulator/snapshot keeps mutable state at module level', () => {
  const files = readdirSync(SNAPSHOT_DIR).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10, `found only ${files.length} files in ${SNAPSHOT_DIR}`);
  const found = files.flatMap((f) => moduleState(f, readFileSync(join(SNAPSHOT_DIR, f), 'utf8')));
  assert.deepEqual(found, []);
  // The check itself sees what it must refuse.
  assert.equal(moduleState('probe.ts', 'let n = 0;\nconst c = new Map<string, number>();\nconst ok: ReadonlySet<string> = new Set();\nconst k = 3;\n').length, 2);
});

test('each machine owns its checkpoint id sequence, compressor and dirty tracker', () => {
  const a = hashed(createDemoMachine({ memoryMiB: 8 })), b = hashed(createDemoMachine({ memoryMiB: 8 }));
  a.board.boot(demoElf()); b.board.boot(demoElf());
  a.machine.run(50_000); b.machine.run(50_000);
  const seq = (id: string): string => id.split('-')[1]!.slice(0, 4);
  const a1 = captureCheckpoint(a.machine, { kind: 'full' }).header.id;
  const a2 = captureCheckpoint(a.machine, { kind: 'full' }).header.id;
  const b1 = captureCheckpoint(b.machine, { kind: 'full' }).header.id;
  assert.deepEqual([seq(a1), seq(a2), seq(b1)], ['0001', '0002', '0001']);
  assert.notEqual(a.machine.snapshot.compressor, b.machine.snapshot.compressor);
  const ca = new Checkpointer(a.machine), cb = new Checkpointer(b.machine);
  assert.equal(DirtyTracker.existing(a.machine), ca.tracker);
  assert.equal(a.machine.snapshot.dirtyHub?.primary, ca.tracker);
  assert.notEqual(ca.tracker, cb.tracker);
  ca.dispose(); cb.dispose();
});

test('a parsed checkpoint keeps its own page index', () => {
  const { machine, board } = hashed(createDemoMachine({ memoryMiB: 8 }));
  board.boot(demoElf());
  machine.run(50_000);
  const bytes = captureCheckpoint(machine, { kind: 'full' }).bytes;
  const p = parseCheckpoint(bytes, undefined, HASHES), q = parseCheckpoint(bytes, undefined, HASHES);
  const pages = machine.bus.ramSize >>> 12;
  const ip = pageIndex(p, pages);
  assert.equal(pageIndex(p, pages), ip, 'computed once per parsed checkpoint');
  assert.equal(p.derived.pageIndex?.index, ip);
  assert.equal(q.derived.pageIndex, undefined, 'another parse of the same bytes has its own');
  assert.ok(ip.size > 0);
});
