// F5 (and Run Without Debugging) on an open assembly file with no launch.json: the
// configuration that assembles the file and debugs it on the demo board, stopping at its
// entry; and the check before the launch — the file is assembled for the launch's CPU, and
// on errors the launch is refused with a message while the errors show as diagnostics.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Finding } from '../language/analysis';
import { checkProgram } from '../language/program-check';
import { AsmLaunch, DEBUG_TYPE } from './debug-config';
import { LANGUAGE_ID } from './language-client';

/** An assembly document that F5 can debug: a saved file of the mips64-asm language (or a .s/.S file). */
export function isAsmDocument(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return !!doc && doc.uri.scheme === 'file' && (doc.languageId === LANGUAGE_ID || /\.(s|S)$/.test(doc.fileName));
}

/** The launch configuration for an assembly file. */
export function asmLaunchConfig(file: string, noDebug = false): vscode.DebugConfiguration {
  return {
    type: DEBUG_TYPE, request: 'launch', name: `${noDebug ? 'Run' : 'Debug'} ${path.basename(file)}`, board: 'demo',
    program: file, stopOnEntry: !noDebug, ...(noDebug ? { noDebug: true } : {}),
  };
}

/** The AsmLaunch of the configuration provider: the active editor's file, checked before launch. */
export class AsmLauncher implements AsmLaunch, vscode.Disposable {
  activeConfig(noDebug: boolean): vscode.DebugConfiguration | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    return isAsmDocument(doc) ? asmLaunchConfig(doc.uri.fsPath, noDebug) : undefined;
  }

  /** Diagnostics of the pre-launch check (made with the first check; cleared when the file changes). */
  private launchDiagnostics: { collection: vscode.DiagnosticCollection; sub: vscode.Disposable } | undefined;

  get collection(): vscode.DiagnosticCollection {
    if (!this.launchDiagnostics) {
      const collection = vscode.languages.createDiagnosticCollection('mips64-launch');
      const sub = vscode.workspace.onDidChangeTextDocument((e) => collection.delete(e.document.uri));
      this.launchDiagnostics = { collection, sub };
    }
    return this.launchDiagnostics.collection;
  }

  dispose(): void {
    this.launchDiagnostics?.sub.dispose();
    this.launchDiagnostics?.collection.dispose();
  }

  /**
   * Assembles `program` as the adapter will. True when it assembles; otherwise shows its
   * errors (unless the language server already shows errors for those files) and a message.
   */
  async check(program: string, cpu: string | undefined): Promise<boolean> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === program);
    if (open?.isDirty) await open.save();
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(program))).toString('utf8');
    } catch (e) {
      void vscode.window.showErrorMessage(`MIPS64: cannot read ${program}: ${(e as Error).message}`);
      return false;
    }
    const includePaths = vscode.workspace.getConfiguration('mips64.asm').get<string[]>('includePaths', []);
    const r = checkProgram(program, text, cpu, includePaths);
    this.collection.clear();
    if (r.ok) return true;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const f of r.errors) {
      const uri = vscode.Uri.file(f.file);
      const shown = vscode.languages.getDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error && d.source === 'mips64-asm');
      if (shown) continue;
      const list = byFile.get(f.file) ?? [];
      list.push(toDiagnostic(f));
      byFile.set(f.file, list);
    }
    for (const [f, list] of byFile) this.collection.set(vscode.Uri.file(f), list);
    const first = r.errors[0];
    const more = r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : '';
    void vscode.window.showErrorMessage(`MIPS64: cannot debug ${path.basename(program)}: ${path.basename(first.file)}:${first.line}: ${first.message}${more}`);
    return false;
  }
}

function toDiagnostic(f: Finding): vscode.Diagnostic {
  const line = Math.max(0, f.line - 1);
  const d = new vscode.Diagnostic(new vscode.Range(line, f.column - 1, line, Math.max(f.endColumn, f.column + 1) - 1), f.message, vscode.DiagnosticSeverity.Error);
  d.source = 'mips64 launch';
  return d;
}
