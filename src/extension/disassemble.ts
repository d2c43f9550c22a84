// `MIPS64: Disassemble ELF File`: runs `mips64 disasm FILE` in a child process and shows
// the listing in an untitled mips64-asm document.
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  CliOutputTooLargeError,
  RUN_AS_NODE_ENV,
  cliScriptPath,
  disasmArgs,
  isElfFile,
  runCli,
  stderrTail,
} from './cli-runner';

export const LANGUAGE_ID = 'mips64-asm';

/** The file shown in the active editor tab (text or custom editor), if any. */
function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

async function pickFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    openLabel: 'Disassemble',
    title: 'Select a MIPS64 ELF file to disassemble',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

/**
 * Chooses the file: the explicit argument (explorer context menu), else the active
 * editor's file if it is an ELF file, else asks the user.
 */
async function chooseFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = activeTabUri();
  if (active?.scheme === 'file' && (await isElfFile(active.fsPath))) return active;
  return pickFile();
}

/** A local path for `uri`; non-file URIs are copied to a temporary file first. */
async function localPath(uri: vscode.Uri): Promise<{ file: string; cleanup: () => Promise<void> }> {
  if (uri.scheme === 'file') return { file: uri.fsPath, cleanup: async () => {} };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mips64-disasm-'));
  const file = path.join(dir, path.posix.basename(uri.path) || 'input.elf');
  await writeFile(file, await vscode.workspace.fs.readFile(uri));
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function disassembleFile(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  arg?: unknown,
): Promise<void> {
  const uri = await chooseFile(arg);
  if (!uri) return;
  const name = path.posix.basename(uri.path);
  const aliases = vscode.workspace.getConfiguration('mips64').get<boolean>('disassembly.aliases', true);

  const listing = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Disassembling ${name}…`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      const { file, cleanup } = await localPath(uri);
      try {
        const args = disasmArgs(file, { aliases });
        log.info(`running mips64 ${args.join(' ')}`);
        const result = await runCli({
          execPath: process.execPath,
          cliScript: cliScriptPath(context.extensionPath),
          args,
          env: RUN_AS_NODE_ENV,
          signal: abort.signal,
        });
        if (result.stderr) log.info(result.stderr.trimEnd());
        if (result.code !== 0) {
          const detail = stderrTail(result.stderr) || `exit code ${result.code ?? result.signal}`;
          void vscode.window.showErrorMessage(`MIPS64: could not disassemble ${name}: ${detail}`);
          return undefined;
        }
        return result.stdout;
      } catch (e) {
        if (abort.signal.aborted) return undefined;
        const message = e instanceof CliOutputTooLargeError ? e.message : String(e);
        log.error(`disassembly of ${file} failed: ${message}`);
        void vscode.window.showErrorMessage(`MIPS64: could not disassemble ${name}: ${message}`);
        return undefined;
      } finally {
        sub.dispose();
        await cleanup();
      }
    },
  );
  if (listing === undefined) return;

  const doc = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: listing });
  await vscode.window.showTextDocument(doc, { preview: false });
}
