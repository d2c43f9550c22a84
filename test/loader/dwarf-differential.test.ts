// The DWARF readers against GNU binutils and LLVM on programs built by the MIPS cross gcc:
// every line-table row (objdump --dwarf=decodedline: address, file, line, is_stmt, end of
// sequence; llvm-dwarfdump --debug-line: columns too) and the CFI rules at every row of
// every FDE (readelf --debug-dump=frames-interp), for DWARF 2-5, 32- and 64-bit DWARF,
// little- and big-endian, -O0 and -O2, .debug_frame and .eh_frame.

import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { after, before, test } from 'node:test';
import { parseElf } from '../../src/emulator/loader/elf';
import { readCompilationUnits, readLinePrograms, readCallFrameInfo, FrameRules, RegRule, LineProgram } from '../../src/emulator/loader/dwarf/index';
import { Build, buildAll, parseDecodedLine, parseFramesInterp, parseLlvmLines } from './dwarf-oracle';
import { BE, LE, hasTool, missing, readBytes, run, TempDir } from './toolchain';

const skip = missing(`${LE}-gcc`, `${BE}-gcc`, `${LE}-objdump`, `${LE}-readelf`) ?? false;
let tmp: TempDir;
let builds: Build[] = [];

before(() => {
  if (skip) return;
  tmp = new TempDir();
  builds = buildAll(tmp);
});
after(() => tmp?.remove());

function programs(b: Build): LineProgram[] {
  const elf = parseElf(readBytes(b.path));
  return readLinePrograms(elf, readCompilationUnits(elf));
}

test('line tables: every row matches objdump --dwarf=decodedline (DWARF 2-5, DWARF64, both endiannesses, -O0/-O2)', { skip }, () => {
  const versions = new Set<string>();
  let total = 0;
  for (const b of builds) {
    const progs = programs(b);
    for (const p of progs) versions.add(`v${p.version}/${p.offsetSize * 8}`);
    const mine = progs.flatMap((p) => p.rows);
    const ref = parseDecodedLine(run(`${LE}-objdump`, ['--dwarf=decodedline', b.path]).stdout);
    assert.ok(ref.length > 10, `${b.name}: objdump printed ${ref.length} rows`);
    assert.equal(mine.length, ref.length, `${b.name}: row count`);
    mine.forEach((r, i) => {
      const o = ref[i]!;
      const where = `${b.name}: row ${i} (${o.file}:${o.line ?? '-'} @0x${o.addr.toString(16)})`;
      assert.equal(r.address, o.addr, where);
      assert.equal(basename(r.file), o.file, where);
      // objdump names the file by its full path when it switches files, else by the unit's name.
      assert.ok(r.file === o.header || r.file.endsWith(`/${o.header}`), `${where}: path ${r.file} vs ${o.header}`);
      assert.equal(r.endSequence, o.line === undefined, where);
      if (!r.endSequence) { assert.equal(r.line, o.line, where); assert.equal(r.isStmt, o.stmt, where); }
    });
    total += mine.length;
  }
  // The flavours really cover what they claim.
  for (const v of ['v2/32', 'v3/32', 'v4/32', 'v5/32', 'v5/64', 'v4/64']) assert.ok(versions.has(v), `no ${v} line table among ${[...versions].join(', ')}`);
  console.log(`# ${builds.length} programs, ${total} rows, line tables ${[...versions].sort().join(' ')}`);
});

test('line tables: columns, flags and absolute paths match llvm-dwarfdump --debug-line', { skip: skip || (missing('llvm-dwarfdump') ?? false) }, () => {
  for (const b of builds) {
    const progs = programs(b);
    const ref = parseLlvmLines(run('llvm-dwarfdump', ['--debug-line', b.path]).stdout);
    assert.equal(progs.length, ref.length, `${b.name}: number of line tables`);
    progs.forEach((p, t) => {
      assert.equal(p.rows.length, ref[t]!.length, `${b.name}: table ${t} rows`);
      p.rows.forEach((r, i) => {
        const o = ref[t]![i]!;
        const where = `${b.name}: table ${t} row ${i}`;
        assert.deepEqual([r.address, r.line, r.column, r.isStmt, r.endSequence], [o.addr, o.line, o.column, o.stmt, o.end], where);
        assert.ok(r.file.startsWith('/'), `${where}: ${r.file} is not absolute`);
      });
    });
  }
});

test('DWARF 5 file entries carry their MD5 when gcc emits one (-gno-as-loc-support)', { skip }, () => {
  const b = builds.find((x) => x.name.includes('-gdwarf-5 -gno-as-loc-support') && !x.name.includes('gdwarf64'))!;
  const p = programs(b)[0]!;
  assert.equal(p.version, 5);
  const f = p.files.find((x) => x?.name.endsWith('bare.c'));
  assert.ok(f, 'bare.c in the file table');
  // The reference: llvm-dwarfdump prints the checksum when present; absent otherwise.
  const dump = hasTool('llvm-dwarfdump') ? run('llvm-dwarfdump', ['--debug-line', b.path]).stdout : '';
  const m = /md5_checksum: ([0-9a-f]{32})/.exec(dump);
  if (m) assert.equal(Buffer.from(f.md5!).toString('hex'), m[1]);
  else assert.equal(f.md5, undefined);
});

/** A rule as readelf prints it. */
function fmtRule(r: RegRule | undefined): string {
  if (!r) return 'u';
  switch (r.kind) {
    case 'undefined': return 'u';
    case 'same': return 's';
    case 'offset': return `c${r.offset >= 0n ? '+' : ''}${r.offset}`;
    case 'val_offset': return `v${r.offset >= 0n ? '+' : ''}${r.offset}`;
    case 'register': return `r${r.reg}`;
    case 'expr': return 'exp';
    case 'val_expr': return 'vexp';
  }
}
function fmtCfa(f: FrameRules): string {
  return f.cfa.kind === 'expr' ? 'exp' : `r${f.cfa.reg}${f.cfa.offset >= 0n ? '+' : ''}${f.cfa.offset}`;
}

test('call frame information: the rules at every row of every FDE match readelf --debug-dump=frames-interp', { skip }, () => {
  let fdes = 0, rows = 0;
  const kinds = new Set<string>();
  for (const b of builds) {
    const elf = parseElf(readBytes(b.path));
    const cfi = readCallFrameInfo(elf);
    const ref = parseFramesInterp(run(`${LE}-readelf`, ['--debug-dump=frames-interp', '-W', b.path]).stdout);
    assert.ok(cfi, `${b.name}: no CFI`);
    for (const [secName, entries] of ref) {
      kinds.add(secName);
      let cieRow = entries.find((e) => e.kind === 'CIE')?.rows[0];
      for (const e of entries) {
        if (e.kind === 'CIE') { cieRow = e.rows[0]; continue; }
        fdes++;
        const where = `${b.name}: ${secName} FDE 0x${e.offset.toString(16)}`;
        const f = cfi.find(e.pcBegin!);
        assert.ok(f, `${where}: not found`);
        assert.equal(f.pcEnd, e.pcEnd, where);
        // An FDE without instructions has the CIE's initial rules throughout.
        const table = e.rows.length ? e.rows : [{ ...cieRow!, loc: e.pcBegin! }];
        table.forEach((row, i) => {
          const next = table[i + 1]?.loc ?? e.pcEnd!;
          for (const pc of new Set([row.loc, (row.loc + next) / 2n & ~3n, next - 4n])) {
            if (pc < row.loc || pc >= next) continue;
            const rules: FrameRules = cfi.rulesAt(pc)!;
            const at = `${where} at 0x${pc.toString(16)}`;
            assert.equal(fmtCfa(rules), row.cfa, at);
            for (const [col, want] of row.regs) {
              const n = col === 'ra' ? rules.raReg : Number(col.slice(1));
              assert.equal(fmtRule(rules.regs.get(n)), want, `${at} ${col}`);
            }
            // Registers readelf does not list have no rule.
            for (const [n, r] of rules.regs) {
              const col = n === rules.raReg ? 'ra' : `r${n}`;
              if (!row.regs.has(col)) assert.equal(fmtRule(r), 'u', `${at}: ${col} has a rule readelf does not show`);
            }
            rows++;
          }
        });
        assert.equal(cfi.rulesAt(e.pcEnd!)?.fde === f, false, `${where}: end address is outside`);
      }
    }
  }
  assert.ok(kinds.has('.debug_frame') && kinds.has('.eh_frame'), `sections seen: ${[...kinds].join(', ')}`);
  console.log(`# ${fdes} FDEs, ${rows} PCs checked`);
});
