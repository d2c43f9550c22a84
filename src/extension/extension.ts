// VS Code entry point of MIPS64 Studio. Kept thin: the emulator runs in child processes
// (the CLI, and later the debug adapter declared in package.json), never in the
// extension host.
import * as vscode from 'vscode';
import { disassembleFile } from './disassemble';

/** Commands that need a running MIPS64 debug session (implemented with the debug adapter). */
export const SESSION_COMMANDS: readonly { readonly id: string; readonly title: string }[] = [
  { id: 'mips64.takeCheckpoint', title: 'Take Checkpoint' },
  { id: 'mips64.restoreCheckpoint', title: 'Restore Checkpoint' },
  { id: 'mips64.deleteCheckpoint', title: 'Delete Checkpoint' },
  { id: 'mips64.compareCheckpoints', title: 'Compare Checkpoints' },
];

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('MIPS64 Studio', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('mips64.disassembleFile', (arg?: unknown) => disassembleFile(context, log, arg)),
    ...SESSION_COMMANDS.map(({ id, title }) =>
      vscode.commands.registerCommand(id, () =>
        vscode.window.showInformationMessage(`MIPS64: ${title} is available when a MIPS64 debug session is running.`),
      ),
    ),
  );
}

export function deactivate(): void {}
