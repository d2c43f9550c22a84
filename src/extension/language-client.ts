// Starts the MIPS64 assembly language server (dist/language-server.js, in a child Node
// process over IPC) for `mips64-asm` documents through vscode-languageclient, and keeps
// its settings current: `mips64.asm.*`, with the CPU model taken from the first mips64
// launch configuration that names a `cpu` when `mips64.asm.cpuModel` is empty.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

export const LANGUAGE_ID = 'mips64-asm';

/** Settings sent to the server (src/language/settings.ts reads them). */
export function languageSettings(): Record<string, unknown> {
  const asm = vscode.workspace.getConfiguration('mips64.asm');
  let cpuModel = asm.get<string>('cpuModel', '');
  if (!cpuModel) {
    const launches = vscode.workspace.getConfiguration('launch').get<Array<Record<string, unknown>>>('configurations', []);
    const withCpu = (Array.isArray(launches) ? launches : []).find((c) => c && c['type'] === 'mips64' && typeof c['cpu'] === 'string');
    cpuModel = (withCpu?.['cpu'] as string | undefined) ?? 'mips64r2';
  }
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const includePaths = asm.get<string[]>('includePaths', []).filter((p) => typeof p === 'string' && p !== '')
    .map((p) => (path.isAbsolute(p) || !base ? p : path.join(base, p)));
  return {
    mips64: {
      asm: {
        cpuModel,
        endianness: asm.get<string>('endianness', 'little'),
        includePaths,
        format: { enable: asm.get<boolean>('format.enable', false) },
      },
    },
  };
}

/**
 * Starts the client (and so the server process) when the first mips64-asm document is
 * open, not at activation (the extension also activates for debugging alone).
 */
export function startLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): { readonly client: LanguageClient | undefined } {
  const state: { client: LanguageClient | undefined } = { client: undefined };
  const start = (): void => {
    if (state.client) return;
    state.client = createClient(context, log);
    opened.dispose();
  };
  const opened = vscode.workspace.onDidOpenTextDocument((d) => { if (d.languageId === LANGUAGE_ID) start(); });
  context.subscriptions.push(opened);
  if (vscode.workspace.textDocuments.some((d) => d.languageId === LANGUAGE_ID)) start();
  return state;
}

function createClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  // (Loaded here, with the first assembly document: the client library extends VS Code API
  // classes when it loads, which the extension needs only for assembly files.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DidChangeConfigurationNotification, LanguageClient, TransportKind } = require('vscode-languageclient/node') as typeof import('vscode-languageclient/node');
  const module = context.asAbsolutePath(path.join('dist', 'language-server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: LANGUAGE_ID }, { scheme: 'untitled', language: LANGUAGE_ID }],
    initializationOptions: languageSettings(),
    outputChannel: log,
  };
  const client = new LanguageClient('mips64-asm', 'MIPS64 Assembly', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('mips64.asm') && !e.affectsConfiguration('launch')) return;
      if (client.isRunning()) void client.sendNotification(DidChangeConfigurationNotification.type, { settings: languageSettings() });
    }),
    { dispose: () => { void client.stop(); } },
  );
  client.start().catch((e: unknown) => log.error(`the MIPS64 assembly language server did not start: ${String(e)}`));
  return client;
}
