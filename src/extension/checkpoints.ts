// Checkpoint palette commands (MIPS64: Take / Restore / Delete / Compare Checkpoint(s)),
// sent to the debug adapter as `mips64/checkpoint/*` custom requests; a comparison opens as
// a read-only document (diff-documents.ts).
import * as vscode from 'vscode';
import {
  CHECKPOINT_COMPARE, CHECKPOINT_DELETE, CHECKPOINT_LIST, CHECKPOINT_RESTORE, CHECKPOINT_TAKE,
} from '../adapter/protocol';
import type {
  CheckpointCompareBody, CheckpointDeleteBody, CheckpointItem, CheckpointListBody, CheckpointRestoreBody, CheckpointTakeBody,
} from '../adapter/protocol';
import { DiffDocuments } from './diff-documents';

export const NO_SESSION = 'is available when a MIPS64 debug session is running.';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1048576) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

/** The checkpoint of a command argument from the view (a CheckpointNode of checkpoint-tree.ts), if any. */
export function checkpointOfArg(arg: unknown): CheckpointItem | undefined {
  const c = (arg as { checkpoint?: unknown } | undefined)?.checkpoint;
  if (c && typeof c === 'object' && typeof (c as CheckpointItem).id === 'string' && typeof (c as CheckpointItem).name === 'string') {
    return c as CheckpointItem;
  }
  return undefined;
}

export interface CheckpointPick extends vscode.QuickPickItem { checkpoint: CheckpointItem }

/** Quick pick items: name; kind, instruction count, time, size; parent and where stored. */
export function checkpointPicks(list: readonly CheckpointItem[]): CheckpointPick[] {
  const names = new Map(list.map((c) => [c.id, c.name]));
  return [...list].reverse().map((c) => ({
    label: c.name,
    description: `${c.kind} · instruction ${c.icount.toLocaleString('en-US')} · ${formatTime(c.created)} · ${formatSize(c.sizeBytes)}`,
    detail: `${c.parentId ? `parent: ${names.get(c.parentId) ?? c.parentId}` : 'no parent'} · ${c.id} · in ${c.stored.join(' and ')}`,
    checkpoint: c,
  }));
}

/** The MIPS64 session commands act on: the active one, else `fallback` (the last started). */
function session(fallback: () => vscode.DebugSession | undefined): vscode.DebugSession | undefined {
  const a = vscode.debug.activeDebugSession;
  return a?.type === 'mips64' ? a : fallback();
}

async function request<T>(s: vscode.DebugSession, command: string, args?: unknown): Promise<T | undefined> {
  try {
    return (await s.customRequest(command, args)) as T;
  } catch (e) {
    void vscode.window.showErrorMessage(`MIPS64: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

async function pick(s: vscode.DebugSession, title: string, exclude?: string): Promise<CheckpointItem | undefined> {
  const r = await request<CheckpointListBody>(s, CHECKPOINT_LIST);
  if (!r) return undefined;
  const list = r.checkpoints.filter((c) => c.id !== exclude);
  if (list.length === 0) {
    void vscode.window.showInformationMessage('MIPS64: no checkpoints yet (MIPS64: Take Checkpoint).');
    return undefined;
  }
  const p = await vscode.window.showQuickPick(checkpointPicks(list), { title, matchOnDescription: true, matchOnDetail: true });
  return p?.checkpoint;
}

/** The MIPS64 session the checkpoint commands and the checkpoint view act on. */
export function checkpointSession(fallback: () => vscode.DebugSession | undefined): vscode.DebugSession | undefined {
  return session(fallback);
}

/**
 * The palette commands. Restore and Delete take an optional argument (an item of the
 * checkpoint view) instead of asking; `changed` runs after a take, restore or delete.
 */
export function registerCheckpointCommands(current: () => vscode.DebugSession | undefined, changed: () => void = () => {}): vscode.Disposable[] {
  const withSession = (title: string, fn: (s: vscode.DebugSession, arg: unknown) => Promise<void>) => async (arg?: unknown): Promise<void> => {
    const s = session(current);
    if (!s) { void vscode.window.showInformationMessage(`MIPS64: ${title} ${NO_SESSION}`); return; }
    try {
      await fn(s, arg);
    } finally {
      if (title !== 'Compare Checkpoints') changed();
    }
  };
  let counter = 0;
  const diffs = new DiffDocuments();
  return [
    diffs.register(),
    vscode.commands.registerCommand('mips64.takeCheckpoint', withSession('Take Checkpoint', async (s) => {
      const name = await vscode.window.showInputBox({ title: 'MIPS64: Take Checkpoint', prompt: 'Checkpoint name', value: `checkpoint ${++counter}` });
      if (name === undefined) return;
      const kind = await vscode.window.showQuickPick(
        [
          { label: 'Incremental', description: 'only pages written since the previous checkpoint (full if there is none)', take: 'auto' as const },
          { label: 'Full', description: 'all of RAM: restorable on its own', take: 'full' as const },
        ],
        { title: 'Checkpoint kind' },
      );
      if (!kind) return;
      const r = await request<CheckpointTakeBody>(s, CHECKPOINT_TAKE, { name: name || undefined, kind: kind.take });
      if (!r) return;
      const c = r.checkpoint;
      void vscode.window.showInformationMessage(`MIPS64: checkpoint '${c.name}' taken (${c.kind}, ${formatSize(c.sizeBytes)}, instruction ${c.icount.toLocaleString('en-US')}).`);
    })),
    vscode.commands.registerCommand('mips64.restoreCheckpoint', withSession('Restore Checkpoint', async (s, arg) => {
      const c = checkpointOfArg(arg) ?? await pick(s, 'MIPS64: Restore Checkpoint');
      if (!c) return;
      const r = await request<CheckpointRestoreBody>(s, CHECKPOINT_RESTORE, { id: c.id });
      if (r) void vscode.window.showInformationMessage(`MIPS64: restored '${r.checkpoint.name}' (instruction ${r.checkpoint.icount.toLocaleString('en-US')}).`);
    })),
    vscode.commands.registerCommand('mips64.deleteCheckpoint', withSession('Delete Checkpoint', async (s, arg) => {
      const c = checkpointOfArg(arg) ?? await pick(s, 'MIPS64: Delete Checkpoint');
      if (!c) return;
      const r = await request<CheckpointDeleteBody>(s, CHECKPOINT_DELETE, { id: c.id });
      if (r) void vscode.window.showInformationMessage(r.deleted ? `MIPS64: deleted '${c.name}'.` : `MIPS64: '${c.name}' was already gone.`);
    })),
    vscode.commands.registerCommand('mips64.compareCheckpoints', withSession('Compare Checkpoints', async (s) => {
      const a = await pick(s, 'MIPS64: Compare Checkpoints: first (A)');
      if (!a) return;
      const b = await pick(s, `MIPS64: Compare '${a.name}' with… (B)`, a.id);
      if (!b) return;
      const r = await request<CheckpointCompareBody>(s, CHECKPOINT_COMPARE, { a: a.id, b: b.id });
      if (!r) return;
      await diffs.show(a.name, b.name, r.text);
    })),
  ];
}
