// The "MIPS64 Checkpoints" view in the Run and Debug side bar: the checkpoints of the
// MIPS64 debug session the checkpoint commands act on, as `mips64/checkpoint/list`
// reports them (newest first). Items carry the context value `mips64.checkpoint`, so the
// view's context menu offers Restore / Delete for them (package.json, view/item/context).
import * as vscode from 'vscode';
import { CHECKPOINT_LIST, type CheckpointItem, type CheckpointListBody } from '../adapter/protocol';
import { formatSize } from './checkpoints';

export const CHECKPOINT_VIEW = 'mips64.checkpoints';
export const CHECKPOINT_CONTEXT = 'mips64.checkpoint';

/** One row of the view; restore/delete commands receive it as their argument. */
export interface CheckpointNode {
  readonly checkpoint: CheckpointItem;
  /** Name of the parent checkpoint (its id when it is no longer listed), or undefined. */
  readonly parentName: string | undefined;
}

export function checkpointTreeItem(n: CheckpointNode): vscode.TreeItem {
  const c = n.checkpoint;
  const icount = c.icount.toLocaleString('en-US');
  const parent = n.parentName === undefined ? 'no parent' : `parent: ${n.parentName}`;
  return {
    id: c.id,
    label: c.name,
    description: `${c.kind} · instruction ${icount} · ${formatSize(c.sizeBytes)}`,
    tooltip: `${c.name} (${c.id})\n${c.kind}, instruction ${icount}, ${formatSize(c.sizeBytes)} (${c.pages} pages)\n${parent}\ncreated ${c.created}\nin ${c.stored.join(' and ')}`,
    contextValue: CHECKPOINT_CONTEXT,
  };
}

export class CheckpointTreeProvider implements vscode.TreeDataProvider<CheckpointNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CheckpointNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** `session` gives the MIPS64 session to list (undefined: the view is empty). */
  constructor(private readonly session: () => vscode.DebugSession | undefined) {}

  refresh(): void { this.changed.fire(undefined); }

  getTreeItem(n: CheckpointNode): vscode.TreeItem { return checkpointTreeItem(n); }

  async getChildren(parent?: CheckpointNode): Promise<CheckpointNode[]> {
    if (parent) return [];
    const s = this.session();
    if (!s) return [];
    let list: CheckpointItem[];
    try {
      const r = (await s.customRequest(CHECKPOINT_LIST)) as Partial<CheckpointListBody> | undefined;
      list = r?.checkpoints ?? [];
    } catch {
      // Not launched yet, or already ended: nothing to show.
      return [];
    }
    const names = new Map(list.map((c) => [c.id, c.name]));
    return [...list].reverse().map((c) => ({
      checkpoint: c,
      parentName: c.parentId ? names.get(c.parentId) ?? c.parentId : undefined,
    }));
  }

  dispose(): void { this.changed.dispose(); }
}
