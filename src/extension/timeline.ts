// The time-travel commands of the palette: "MIPS64: Go to Instruction Count…" (any count
// from the start of the recording on: back by replay, forward by replay and then live),
// "MIPS64: Go to Checkpoint" (the recording's automatic snapshots, the named checkpoints and
// the breakpoint hits seen while running on one time axis, ordered by instruction count)
// and "MIPS64: Step Back Out" (reverse step-out: to the call that entered the current
// frame); and the Checkpoints view's click on a point (mips64.goToTimelinePoint). The stop
// that follows is the adapter's.
import * as vscode from 'vscode';
import { CHECKPOINT_LIST, CHECKPOINT_RESTORE, GO_TO_INSTRUCTION, STEP_BACK_OUT, TIMELINE, type CheckpointListBody, type TimelineBody } from '../adapter/protocol';
import { GO_TO_POINT, type TimelinePoint } from './checkpoint-tree';
import { NO_SESSION } from './checkpoints';
import { formatCount, formatVirtualNs as formatVirtualTime } from './status';

/** Parses "1234567", "1,234,567" or "1_234_567" (an instruction count); undefined if it is not one. */
export function parseInstructionCount(text: string): number | undefined {
  const t = text.trim().replace(/[,_\s]/g, '');
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function registerTimelineCommands(current: () => vscode.DebugSession | undefined): vscode.Disposable[] {
  const withSession = <A extends unknown[]>(title: string, fn: (s: vscode.DebugSession, ...args: A) => Promise<void>) => async (...args: A): Promise<void> => {
    const a = vscode.debug.activeDebugSession;
    const s = a?.type === 'mips64' ? a : current();
    if (!s) { void vscode.window.showInformationMessage(`MIPS64: ${title} ${NO_SESSION}`); return; }
    try {
      await fn(s, ...args);
    } catch (e) {
      void vscode.window.showErrorMessage(`MIPS64: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return [
    vscode.commands.registerCommand('mips64.goToInstruction', withSession('Go to Instruction Count', async (s) => {
      const t = (await s.customRequest(TIMELINE)) as TimelineBody;
      if (!t.recording) throw new Error(t.off ?? 'time travel is off');
      const r = t.recording;
      const text = await vscode.window.showInputBox({
        title: 'MIPS64: Go to Instruction Count',
        prompt: `Now at ${t.instructions.toLocaleString('en-US')} (${formatVirtualTime(t.virtualTimeNs)}); recorded ${r.start.toLocaleString('en-US')} to ${r.end.toLocaleString('en-US')}`,
        value: String(t.instructions),
        validateInput: (v) => {
          const n = parseInstructionCount(v);
          if (n === undefined) return 'an instruction count: digits (commas allowed)';
          return n < r.start ? `before the start of the recording (${r.start.toLocaleString('en-US')})` : undefined;
        },
      });
      const n = text === undefined ? undefined : parseInstructionCount(text);
      if (n !== undefined) await s.customRequest(GO_TO_INSTRUCTION, { icount: n });
    })),
    vscode.commands.registerCommand('mips64.goToCheckpoint', withSession('Go to Checkpoint', async (s) => {
      const t = (await s.customRequest(TIMELINE)) as TimelineBody;
      const named = ((await s.customRequest(CHECKPOINT_LIST)) as CheckpointListBody).checkpoints;
      type Pick = vscode.QuickPickItem & { icount: number; sub?: number; id?: string };
      const items: Pick[] = [
        ...(t.recording?.snapshots ?? []).map((x): Pick => ({
          label: `$(history) instruction ${x.instructions.toLocaleString('en-US')}`, description: `automatic · ${formatVirtualTime(x.virtualTimeNs)}`, icount: x.instructions,
        })),
        ...named.map((c): Pick => ({ label: `$(bookmark) ${c.name}`, description: `named · instruction ${c.icount.toLocaleString('en-US')} · ${formatCount(c.icount)}`, icount: c.icount, id: c.id })),
        ...(t.recording?.hits ?? []).map((h): Pick => ({
          label: `$(debug-breakpoint) ${h.description}`, description: `${h.reason} · instruction ${h.instructions.toLocaleString('en-US')}${h.sub ? `+${h.sub}` : ''}`, icount: h.instructions, sub: h.sub,
        })),
      ].sort((a, b) => a.icount - b.icount || (a.sub ?? 0) - (b.sub ?? 0));
      if (items.length === 0) throw new Error(t.off ?? 'no checkpoints yet');
      const pick = await vscode.window.showQuickPick(items, { title: 'MIPS64: Go to Checkpoint (one time axis: automatic and named)' });
      if (!pick) return;
      if (pick.id) await s.customRequest(CHECKPOINT_RESTORE, { id: pick.id });
      else await s.customRequest(GO_TO_INSTRUCTION, { icount: pick.icount, sub: pick.sub ?? 0 });
    })),
    vscode.commands.registerCommand(GO_TO_POINT, withSession('Go There', async (s, p?: TimelinePoint) => {
      if (!p || !Number.isSafeInteger(p.icount)) throw new Error('no point of the recording given');
      await s.customRequest(GO_TO_INSTRUCTION, { icount: p.icount, sub: p.sub });
    })),
    vscode.commands.registerCommand('mips64.stepBackOut', withSession('Step Back Out', async (s) => {
      await s.customRequest(STEP_BACK_OUT, { threadId: 1 });
    })),
  ];
}
