// `mips64 checkpoint list|info|verify|diff`: inspect checkpoint files. Checkpoints are
// taken by `mips64 boot --checkpoint-every N` (see ../checkpoint-options.ts) and, later,
// by the debugger; restored by `mips64 boot --restore FILE`.

import { CliError, UsageError } from '../errors';
import { writeChunks } from '../io';
import { printable } from '../printable';
import { Command } from './command';
import { DEFAULT_CHECKPOINT_DIR, DiskCheckpointStore, readCheckpointChain, resolveCheckpointRef } from '../../storage/checkpoint-files';
import { describeConfig, walkPages } from '../../emulator/snapshot/checkpoint';
import { diffCheckpoints, formatDiff } from '../../emulator/snapshot/compare';
import { CheckpointError, ParsedCheckpoint } from '../../emulator/snapshot/format';

const NAME = 'checkpoint';

export const checkpointCommand: Command = {
  name: NAME,
  summary: 'list, inspect, verify and compare machine checkpoints',
  usage: 'checkpoint list | info CKPT | verify CKPT... | diff CKPT-A CKPT-B  [--checkpoint-dir DIR] [--json]',
  options: [
    { name: 'checkpoint-dir', value: 'DIR', help: `checkpoint directory (default ${DEFAULT_CHECKPOINT_DIR} under the current directory)` },
    { name: 'json', help: 'machine-readable output (list, info, diff)' },
  ],
  details: [
    'CKPT is a checkpoint file, or the id or name of one in the checkpoint directory.',
    'An incremental checkpoint needs its parents: they are looked up by id next to the',
    'file and in the checkpoint directory.',
    '  list     the checkpoints in the directory, oldest first',
    '  info     header, sections and the parent chain of a checkpoint (verified)',
    '  verify   check every byte of each checkpoint and its chain; exit 2 if any is bad',
    '  diff     registers, CP0, TLB entries, device fields and RAM pages that differ',
  ],
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    const dir = String(args.options.get('checkpoint-dir') ?? DEFAULT_CHECKPOINT_DIR);
    const json = args.options.has('json');
    const store = new DiskCheckpointStore(dir);
    switch (sub) {
      case 'list': {
        if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`, NAME);
        const list = store.list().sort((a, b) => a.wallTimeMs - b.wallTimeMs || a.icount - b.icount);
        if (json) {
          await writeChunks(io.stdout, [JSON.stringify({ dir: store.dir, checkpoints: list, problems: store.problems }, null, 2) + '\n']);
        } else {
          const lines = [`${list.length} checkpoint${list.length === 1 ? '' : 's'} in ${store.dir}`];
          for (const c of list) {
            lines.push(`${c.id}  ${c.kind.padEnd(11)}  insn ${String(c.icount).padStart(12)}  ${kib(c.sizeBytes).padStart(10)}  ${c.name}`
              + (c.parentId ? `  (after ${c.parentId})` : ''));
          }
          for (const p of store.problems) lines.push(`unreadable: ${p.message}`);
          await writeChunks(io.stdout, [lines.map(printable).join('\n') + '\n']);
        }
        return 0;
      }
      case 'info': {
        if (rest.length !== 1) throw new UsageError('info takes one checkpoint', NAME);
        const chain = load(rest[0]!, store);
        const tip = chain[chain.length - 1]!;
        if (json) {
          await writeChunks(io.stdout, [JSON.stringify({
            header: tip.header, hash: tip.hash, sizeBytes: tip.bytes.length,
            sections: tip.sections.map((s) => ({
              tag: s.tag, offset: s.offset, length: s.length, crc32: s.crc,
              sha256: s.sha256 && Buffer.from(s.sha256).toString('hex'), ...(s.tag === 'PAGE' && s.sha256 ? { pages: [s.first, s.last] } : {}),
            })),
            chain: chain.map((c) => c.header.id),
          }, null, 2) + '\n']);
          return 0;
        }
        const h = tip.header;
        const lines = [
          `checkpoint  ${h.name} (${h.id})`,
          `kind        ${h.kind}${h.parentId ? `, after ${h.parentId}` : ''}`,
          `machine     ${describeConfig(h.machine)}`,
          `taken       ${h.created}, guest instruction ${h.icount}, virtual time ${(h.virtualNs / 1e9).toFixed(6)} s`,
          `contents    ${h.components.length} components, ${h.pages} page records, ${h.inputEvents} console inputs`,
          `size        ${kib(tip.bytes.length)}`,
          `hash        ${tip.hash}`,
          `sections    ${tip.sections.map((s) => `${s.tag} ${kib(s.length)}${s.crc === undefined ? '' : ` crc ${s.crc.toString(16).padStart(8, '0')}`}`
            + `${s.tag === 'PAGE' && s.sha256 ? ` pages 0x${s.first!.toString(16)}-0x${s.last!.toString(16)}` : ''}`).join(', ')}`,
          `chain       ${chain.map((c) => `${c.header.id} (${c.header.kind})`).join(' -> ')}`,
          'verified    all sections, digest, parent links, page records',
        ];
        await writeChunks(io.stdout, [lines.map(printable).join('\n') + '\n']);
        return 0;
      }
      case 'verify': {
        if (rest.length === 0) throw new UsageError('verify takes one or more checkpoints', NAME);
        let bad = 0;
        const lines: string[] = [];
        for (const a of rest) {
          try {
            const chain = load(a, store);
            lines.push(`${a}: ok (${chain.length} file${chain.length === 1 ? '' : 's'} in the chain)`);
          } catch (e) {
            if (!(e instanceof CheckpointError) && !(e instanceof CliError)) throw e;
            bad++;
            lines.push(`${a}: BAD: ${e.message}`);
          }
        }
        await writeChunks(io.stdout, [lines.map(printable).join('\n') + '\n']);
        return bad ? 2 : 0;
      }
      case 'diff': {
        if (rest.length !== 2) throw new UsageError('diff takes two checkpoints', NAME);
        const d = diffCheckpoints(load(rest[0]!, store), load(rest[1]!, store));
        await writeChunks(io.stdout, [json ? JSON.stringify(d, null, 2) + '\n' : formatDiff(d).map(printable).join('\n') + '\n']);
        return 0;
      }
      case undefined:
        throw new UsageError('missing subcommand (list, info, verify or diff)', NAME);
      default:
        throw new UsageError(`unknown subcommand '${sub}' (expected list, info, verify or diff)`, NAME);
    }
  },
};

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

/** A checkpoint given as a path, or as an id or name in the directory; its verified chain. */
function load(ref: string, store: DiskCheckpointStore): ParsedCheckpoint[] {
  try {
    const chain = readCheckpointChain(resolveCheckpointRef(ref, store), [store.dir]);
    for (const c of chain) walkPages(c, c.header.machine.ramBytes >>> 12);
    return chain;
  } catch (e) {
    if (e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
}
