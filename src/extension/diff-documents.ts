// Checkpoint comparisons as read-only virtual documents (scheme mips64-compare): VS Code
// never asks to save them (an Untitled document made the next F5 ask) and closes them like
// any other tab. The text lives here while its tab may be open; the newest few are kept.
import * as vscode from 'vscode';

export const DIFF_SCHEME = 'mips64-compare';
const KEEP = 20;

export class DiffDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private serial = 0;

  register(): vscode.Disposable {
    return vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? `This comparison is no longer kept; run MIPS64: Compare Checkpoints again.\n`;
  }

  /** Opens `text` as a read-only document titled "A ↔ B.diff" (a fresh one per comparison). */
  async show(a: string, b: string, text: string): Promise<void> {
    const title = `${a} ↔ ${b}`.replace(/[/\\?#%]/g, '_');
    const path = `/${++this.serial}/${title}.checkpoint-diff`;
    this.texts.set(path, text);
    while (this.texts.size > KEEP) this.texts.delete(this.texts.keys().next().value as string);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: DIFF_SCHEME, path }));
    await vscode.window.showTextDocument(doc, { preview: false });
  }
}
