// kallsyms decoding on Debian's real 5kc-malta kernel (6.1), against the kernel's own view:
// QEMU boots the same vmlinuz with `nokaslr` and an initramfs whose /init prints
// /proc/kallsyms (kptr_restrict cleared); every core-kernel symbol it lists must be in our
// table with the same address and type letter. Also: the tables byte-swapped into a
// big-endian image decode to the same symbols, and images without (valid) kallsyms fail with
// a KallsymsError naming the problem — random bytes, truncations, a corrupted token index.
//
// Needs the Debian corpus (test/support/corpus.ts: fetched and decompressed on first use);
// the QEMU comparison skips when qemu-system-mips64el is missing.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeKallsyms, Kallsyms, kallsymsEntries, KallsymsError } from '../../src/emulator/loader/kallsyms.js';
import { SymbolTable } from '../../src/emulator/loader/symbols.js';
import { STT_FUNC } from '../../src/emulator/loader/elf.js';
import { debianCorpus, DebianCorpus } from '../support/corpus.js';
import { busyboxInitramfs } from '../support/initramfs.js';
import { qemuMissing } from '../support/qemu.js';

const SEED_ENV = process.env.MIPS64_KALLSYMS_SEED;
const SEED = (SEED_ENV === 'random' ? (Date.now() ^ (process.pid << 8)) : SEED_ENV ? Number(SEED_ENV) : 0x6b73796d) >>> 0 || 1;

let corpus: DebianCorpus;
let image: Uint8Array;
let ks: Kallsyms;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** The init script: /proc/kallsyms between markers, then power off (after the console drained; the test stops QEMU at the end marker). */
const INIT = `#!/bin/sh
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
echo 0 > /proc/sys/kernel/kptr_restrict
echo KALLSYMS-BEGIN
/bin/busybox cat /proc/kallsyms
echo KALLSYMS-END
/bin/busybox sleep 5
/bin/busybox poweroff -f
`;

interface ProcSym { addr: bigint; type: string; name: string }

/** Boots the vmlinuz in QEMU (nokaslr) and returns /proc/kallsyms's core-kernel lines. */
async function qemuKallsyms(): Promise<ProcSym[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kallsyms-'));
  try {
    const initrd = join(dir, 'initrd.gz');
    writeFileSync(initrd, busyboxInitramfs(corpus.busybox, INIT));
    const args = ['-M', 'malta', '-cpu', '5KEc', '-m', '256', '-nographic', '-monitor', 'none', '-no-reboot',
      '-kernel', corpus.vmlinuz, '-initrd', initrd, '-append', 'console=ttyS0 rdinit=/init nokaslr'];
    const child = spawn('qemu-system-mips64el', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '', err = '';
    child.stdout.setEncoding('latin1').on('data', (d: string) => { text += d; if (text.includes('KALLSYMS-END')) child.kill('SIGKILL'); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    await new Promise<void>((resolve, reject) => { child.on('error', reject); child.on('close', () => resolve()); });
    clearTimeout(timer);
    const a = text.indexOf('KALLSYMS-BEGIN'), b = text.indexOf('KALLSYMS-END');
    if (a < 0 || b < 0) throw new Error(`QEMU did not print /proc/kallsyms; stderr: ${err.trim()}\n${text.slice(-1500)}`);
    const out: ProcSym[] = [];
    for (const line of text.slice(a + 14, b).split(/\r?\n/)) {
      const m = /^([0-9a-f]{16}) (\S) (\S+)(\s+\[\S+\])?$/.exec(line.trim());
      if (!m) continue;
      if (m[4]) continue; // a module's symbol (or [bpf]): not in the core kernel's table
      out.push({ addr: BigInt(`0x${m[1]}`), type: m[2]!, name: m[3]! });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The image with the kallsyms tables' multi-byte fields byte-swapped (what a big-endian build would hold). */
function swapTables(src: Uint8Array, k: Kallsyms): Uint8Array {
  const b = src.slice();
  const dv = new DataView(b.buffer);
  const n = k.symbols.length;
  const sw32 = (o: number): void => dv.setUint32(o, dv.getUint32(o, true), false);
  for (let i = 0; i < n; i++) sw32(k.tables.offsets + 4 * i);
  dv.setBigUint64(k.tables.numSyms - 8, dv.getBigUint64(k.tables.numSyms - 8, true), false);
  sw32(k.tables.numSyms);
  for (let i = 0; i < (n + 255) >>> 8; i++) sw32(k.tables.markers + 4 * i);
  for (let i = 0; i < 256; i++) dv.setUint16(k.tables.tokenIndex + 2 * i, dv.getUint16(k.tables.tokenIndex + 2 * i, true), false);
  return b;
}

describe('kallsyms: Debian 5kc-malta 6.1 kernel', () => {
  before(async () => {
    corpus = await debianCorpus();
    image = new Uint8Array(readFileSync(corpus.kernelImage));
    ks = decodeKallsyms(image, { base: corpus.kernelLoadAddress, endian: 'little' });
  });

  test('the tables decode: sorted addresses inside the image, kernel_entry is the decompressor\'s jump target', () => {
    const n = ks.symbols.length;
    console.log(`# ${n} symbols; relative base 0x${ks.relativeBase.toString(16)}; tables at image offsets ${JSON.stringify(ks.tables)}`);
    assert.ok(n > 10_000, `only ${n} symbols`);
    const end = corpus.kernelLoadAddress + BigInt(image.length);
    for (let i = 1; i < n; i++) assert.ok(ks.symbols[i]!.addr >= ks.symbols[i - 1]!.addr, `symbol ${i} out of order`);
    assert.ok(ks.symbols.every((s) => s.addr >= corpus.kernelLoadAddress && s.addr < end), 'every symbol lies in the image');
    const entry = ks.symbols.find((s) => s.name === 'kernel_entry');
    assert.equal(entry?.addr, corpus.kernelEntry, 'kernel_entry');
    // Usable as a debugger symbol table.
    const table = SymbolTable.fromEntries(kallsymsEntries(ks.symbols));
    assert.equal(table.byName('start_kernel')?.type, STT_FUNC);
    assert.equal(table.lookup(entry!.addr + 8n)?.symbol.addr, entry!.addr, 'an address in kernel_entry resolves to its start');
  });

  test('every core-kernel symbol of QEMU\'s /proc/kallsyms (nokaslr) matches by name, address and type', async (t) => {
    const why = qemuMissing(false);
    if (why) { t.skip(why); return; }
    const proc = await qemuKallsyms();
    const ours = new Map<string, bigint[]>();
    for (const s of ks.symbols) ours.set(`${s.name} ${s.type}`, [...(ours.get(`${s.name} ${s.type}`) ?? []), s.addr]);
    const missingOnes: string[] = [];
    let text = 0;
    for (const p of proc) {
      if (p.type === 't' || p.type === 'T') text++;
      const a = ours.get(`${p.name} ${p.type}`);
      if (!a?.includes(p.addr)) missingOnes.push(`${p.addr.toString(16)} ${p.type} ${p.name}`);
    }
    console.log(`# /proc/kallsyms: ${proc.length} core-kernel symbols (${text} text); ours: ${ks.symbols.length}; mismatches: ${missingOnes.length}`);
    assert.ok(text > 10_000, `QEMU listed only ${text} text symbols`);
    assert.deepEqual(missingOnes.slice(0, 20), [], `${missingOnes.length} of QEMU's symbols are not in our table`);
    assert.equal(proc.length, ks.symbols.length, 'the same number of core-kernel symbols');
  });

  test('big endian: the same tables byte-swapped decode to the same symbols', () => {
    const be = decodeKallsyms(swapTables(image, ks), { base: corpus.kernelLoadAddress, endian: 'big' });
    assert.equal(be.symbols.length, ks.symbols.length);
    assert.deepEqual(be.symbols, ks.symbols);
    assert.throws(() => decodeKallsyms(swapTables(image, ks), { base: corpus.kernelLoadAddress, endian: 'little' }), KallsymsError,
      'the swapped tables are not valid little-endian tables');
  });

  test('RAM with the original and a relocated copy: `last` picks the relocated (live) tables', () => {
    // The whole image copied 0x1dc0000 higher, with kallsyms_relative_base relocated as
    // relocate_kernel's R_MIPS_64 fixup does; everything in between is zero.
    const shift = 0x1dc0000;
    const ram = new Uint8Array(shift + image.length);
    ram.set(image, 0);
    ram.set(image, shift);
    const dv = new DataView(ram.buffer);
    const at = shift + ks.tables.numSyms - 8;
    dv.setBigUint64(at, dv.getBigUint64(at, true) + BigInt(shift), true);
    const opts = { base: corpus.kernelLoadAddress, endian: 'little' as const };
    assert.deepEqual(decodeKallsyms(ram, opts).symbols, ks.symbols, 'the first copy by default');
    const live = decodeKallsyms(ram, { ...opts, last: true });
    assert.equal(live.relativeBase, ks.relativeBase + BigInt(shift));
    assert.equal(live.symbols.length, ks.symbols.length);
    assert.ok(live.symbols.every((s, i) => s.name === ks.symbols[i]!.name && s.addr === ks.symbols[i]!.addr + BigInt(shift)));
  });

  test('truncated or damaged images: a clear KallsymsError', () => {
    const cut = image.subarray(0, ks.tables.tokenIndex + 100); // the token index cut short
    assert.throws(() => decodeKallsyms(cut, { base: corpus.kernelLoadAddress, endian: 'little' }),
      (e: unknown) => e instanceof KallsymsError && /kallsyms/.test(e.message) && /token index/.test(e.message));
    const head = image.subarray(0, ks.tables.offsets); // everything before the tables
    assert.throws(() => decodeKallsyms(head, { base: corpus.kernelLoadAddress, endian: 'little' }),
      (e: unknown) => e instanceof KallsymsError && /kallsyms/.test(e.message));
    const bad = image.slice();
    bad[ks.tables.tokenIndex + 2 * 100] ^= 1; // one token index entry off by one
    assert.throws(() => decodeKallsyms(bad, { base: corpus.kernelLoadAddress, endian: 'little' }),
      (e: unknown) => e instanceof KallsymsError && /token index entry 100 does not match the token table/.test(e.message));
    const wrongBase = 0xffffffff90000000n; // the relative base is not inside the image there
    assert.throws(() => decodeKallsyms(image, { base: wrongBase, endian: 'little' }), KallsymsError);
  });
});

describe('kallsyms: images without kallsyms', () => {
  test(`random bytes (seed 0x${SEED.toString(16)}): KallsymsError, never another exception`, () => {
    console.log(`# seed 0x${SEED.toString(16)} (MIPS64_KALLSYMS_SEED=random explores)`);
    const r = rng(SEED);
    for (let k = 0; k < 20; k++) {
      const n = 8 + (r() % 200_000);
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = r() & 0xff;
      // Plant plausible num_syms headers (a base inside the image, a count) to reach deeper checks.
      const dv = new DataView(b.buffer);
      for (let q = 16; q + 16 <= n; q += 8 * (1 + (r() % 512))) {
        dv.setBigUint64(q - 8, 0xffffffff80100000n + BigInt(r() % n), true);
        dv.setUint32(q, 16 + (r() % 5000), true);
        dv.setUint32(q + 4, 0, true);
      }
      assert.throws(() => decodeKallsyms(b, { base: 0xffffffff80100000n, endian: k & 1 ? 'big' : 'little' }),
        (e: unknown) => e instanceof KallsymsError && /kallsyms/.test(e.message), `image ${k} (${n} bytes)`);
    }
  });

  test('empty and tiny images', () => {
    for (const n of [0, 1, 8, 23, 64]) {
      assert.throws(() => decodeKallsyms(new Uint8Array(n), { base: 0xffffffff80000000n, endian: 'little' }),
        (e: unknown) => e instanceof KallsymsError && /no kallsyms tables/.test(e.message));
    }
  });
});
