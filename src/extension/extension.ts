// VS Code entry point of MIPS64 Studio. Kept thin: the emulator runs in child processes
// (the CLI and the debug adapter, dist/adapter.js), never in the extension host.
import * as vscode from 'vscode';
import { CHECKPOINT_VIEW, CheckpointTreeProvider } from './checkpoint-tree';
import { checkpointSession, registerCheckpointCommands } from './checkpoints';
import { registerTimelineCommands } from './timeline';
import { AsmLauncher } from './asm-launch';
import { DEBUG_TYPE, Mips64AdapterFactory, Mips64ConfigProvider } from './debug-config';
import { disassembleFile } from './disassemble';
import { registerFetchKernelSymbols } from './fetch-kernel-symbols';
import { startLanguageClient } from './language-client';
import { StatusBar } from './status';
import { UartConsoles } from './uart-terminal';

/** Commands that need a running MIPS64 debug session (sent to the debug adapter). */
export const SESSION_COMMANDS: readonly { readonly id: string; readonly title: string }[] = [
  { id: 'mips64.takeCheckpoint', title: 'Take Checkpoint' },
  { id: 'mips64.restoreCheckpoint', title: 'Restore Checkpoint' },
  { id: 'mips64.deleteCheckpoint', title: 'Delete Checkpoint' },
  { id: 'mips64.compareCheckpoints', title: 'Compare Checkpoints' },
];

/** What activate() created (tests look inside). */
export interface Activated {
  readonly consoles: UartConsoles;
  readonly status: StatusBar;
  readonly provider: Mips64ConfigProvider;
  readonly checkpointTree: CheckpointTreeProvider;
}

export function activate(context: vscode.ExtensionContext): Activated {
  const log = vscode.window.createOutputChannel('MIPS64 Studio', { log: true });
  const asm = new AsmLauncher();
  const provider = new Mips64ConfigProvider({ extensionPath: context.extensionPath, log, asm });
  const consoles = new UartConsoles();
  const status = new StatusBar();
  // The MIPS64 session the checkpoint commands use when the active session is another one.
  let lastSession: vscode.DebugSession | undefined;
  const checkpointTree = new CheckpointTreeProvider(() => checkpointSession(() => lastSession));
  status.onStop.push(() => checkpointTree.refresh());
  context.subscriptions.push(
    log,
    asm,
    consoles,
    status,
    vscode.commands.registerCommand('mips64.disassembleFile', (arg?: unknown) => disassembleFile(context, log, arg)),
    registerFetchKernelSymbols(provider, log),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new Mips64AdapterFactory(context.extensionPath)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      provideDebugConfigurations: () => provider.provideDebugConfigurations(),
    }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    checkpointTree,
    vscode.window.registerTreeDataProvider(CHECKPOINT_VIEW, checkpointTree),
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type !== DEBUG_TYPE) return;
      lastSession = s;
      checkpointTree.refresh();
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s === lastSession) lastSession = undefined;
      if (s.type === DEBUG_TYPE) checkpointTree.refresh();
    }),
    ...registerCheckpointCommands(() => lastSession, () => checkpointTree.refresh()),
    ...registerTimelineCommands(() => lastSession),
  );
  // The assembly language server starts with the first mips64-asm document (activation event).
  startLanguageClient(context, log);
  return { consoles, status, provider, checkpointTree };
}

export function deactivate(): void {}
