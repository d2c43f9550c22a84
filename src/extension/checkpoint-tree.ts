// The "MIPS64 Checkpoints" view in the Run and Debug side bar: one time axis (newest first)
// of the MIPS64 debug session's named checkpoints (`mips64/checkpoint/list`) and its
// time-travel recording's automatic snapshots (`mips64/timeline`), and above them the
// breakpoint hits seen while running. Named checkpoints carry the context value
// `mips64.checkpoint`, so the view's context menu offers Restore / Delete for them
// (package.json, view/item/context); a click on an automatic snapshot or a hit goes there
// (mips64.goToTimelinePoint → `mips64/goToInstruction`). Refreshed at every stop (the
// status bar's tracker reports them).
import * as vscode from 'vscode';
import { CHECKPOINT_LIST, TIMELINE, type CheckpointItem, type CheckpointListBody, type TimelineBody } from '../adapter/protocol';
import { formatSize } from './checkpoints';
import { formatVirtualNs } from './status';

export const CHECKPOINT_VIEW = 'mips64.checkpoints';
export const CHECKPOINT_CONTEXT = 'mips64.checkpoint';
/** The command a click on an automatic snapshot or a hit runs: its argument is a TimelinePoint. */
export const GO_TO_POINT = 'mips64.goToTimelinePoint';

/** A point of the recording to go to (instruction count and exception entries into it). */
export interface TimelinePoint { readonly icount: number; readonly sub: number }

type Hit = NonNullable<TimelineBody['recording']>['hits'][number];

/** One row of the view; restore/delete commands receive a named checkpoint's row as their argument. */
export type CheckpointNode =
  | { readonly checkpoint: CheckpointItem; /** Name of the parent checkpoint (its id when it is no longer listed), or undefined. */ readonly parentName: string | undefined }
  | { readonly snapshot: { readonly icount: number; readonly virtualNs: number } }
  | { readonly hits: readonly Hit[] }
  | { readonly hit: Hit };

const count = (n: number): string => n.toLocaleString('en-US');

export function checkpointTreeItem(n: CheckpointNode): vscode.TreeItem {
  if ('checkpoint' in n) {
    const c = n.checkpoint;
    const parent = n.parentName === undefined ? 'no parent' : `parent: ${n.parentName}`;
    return {
      id: c.id,
      label: c.name,
      description: `${c.kind} · instruction ${count(c.icount)} · ${formatSize(c.sizeBytes)}`,
      tooltip: `${c.name} (${c.id})\n${c.kind}, instruction ${count(c.icount)}, ${formatSize(c.sizeBytes)} (${c.pages} pages)\n${parent}\ncreated ${c.created}\nin ${c.stored.join(' and ')}`,
      contextValue: CHECKPOINT_CONTEXT,
      iconPath: new vscode.ThemeIcon('bookmark'),
    };
  }
  if ('snapshot' in n) {
    const s = n.snapshot;
    return {
      id: `auto:${s.icount}`,
      label: `instruction ${count(s.icount)}`,
      description: `automatic · ${formatVirtualNs(s.virtualNs)}`,
      tooltip: `Automatic time-travel snapshot at instruction ${count(s.icount)} (guest time ${formatVirtualNs(s.virtualNs)}): click to go there`,
      iconPath: new vscode.ThemeIcon('history'),
      command: { command: GO_TO_POINT, title: 'Go There', arguments: [{ icount: s.icount, sub: 0 } satisfies TimelinePoint] },
    };
  }
  if ('hits' in n) {
    return {
      id: 'hits',
      label: 'Breakpoint hits',
      description: `${n.hits.length} seen while running`,
      collapsibleState: n.hits.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      iconPath: new vscode.ThemeIcon('debug-breakpoint'),
    };
  }
  const h = n.hit;
  const at = `instruction ${count(h.instructions)}${h.sub ? `+${h.sub}` : ''}`;
  return {
    id: `hit:${h.instructions}:${h.sub}`,
    label: h.description,
    description: `${h.reason} · ${at}`,
    tooltip: `${h.description}\n${h.reason} at ${h.pc}, ${at}: click to go there (back or forward in time)`,
    iconPath: new vscode.ThemeIcon('debug-stackframe-dot'),
    command: { command: GO_TO_POINT, title: 'Go There', arguments: [{ icount: h.instructions, sub: h.sub } satisfies TimelinePoint] },
  };
}

/** The view's rows: the hits group (when recording), then named and automatic points, newest first. */
export function timelineRows(named: readonly CheckpointItem[], timeline: TimelineBody | undefined): CheckpointNode[] {
  const names = new Map(named.map((c) => [c.id, c.name]));
  type Row = { icount: number; node: CheckpointNode };
  const rows: Row[] = [
    ...named.map((c): Row => ({ icount: c.icount, node: { checkpoint: c, parentName: c.parentId ? names.get(c.parentId) ?? c.parentId : undefined } })),
    ...(timeline?.recording?.snapshots ?? []).map((s): Row => ({ icount: s.instructions, node: { snapshot: { icount: s.instructions, virtualNs: s.virtualTimeNs } } })),
  ];
  // Newest first; a named checkpoint before an automatic snapshot at the same count. (Stable sort: named keep their order.)
  rows.sort((a, b) => b.icount - a.icount);
  const out = rows.map((r) => r.node);
  return timeline?.recording ? [{ hits: timeline.recording.hits }, ...out] : out;
}

export class CheckpointTreeProvider implements vscode.TreeDataProvider<CheckpointNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CheckpointNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** `session` gives the MIPS64 session to list (undefined: the view is empty). */
  constructor(private readonly session: () => vscode.DebugSession | undefined) {}

  refresh(): void { this.changed.fire(undefined); }

  getTreeItem(n: CheckpointNode): vscode.TreeItem { return checkpointTreeItem(n); }

  async getChildren(parent?: CheckpointNode): Promise<CheckpointNode[]> {
    if (parent) return 'hits' in parent ? [...parent.hits].reverse().map((hit) => ({ hit })) : [];
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
    let timeline: TimelineBody | undefined;
    try { timeline = (await s.customRequest(TIMELINE)) as TimelineBody; } catch { timeline = undefined; }
    return timelineRows(list, timeline);
  }

  dispose(): void { this.changed.dispose(); }
}
