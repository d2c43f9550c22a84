// The MIPS64 assembly language server (Language Server Protocol over a connection from
// vscode-languageserver: stdio, IPC or a socket, as the process was started). It maps LSP
// requests onto the feature modules of src/language; every handler is synchronous over
// cached state, bounded (an analysis stops after ANALYSIS_BUDGET_MS) and guarded: an
// exception answers the request with nothing and is logged, never ends the server.

import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CompletionItem, CompletionItemKind, Connection, Diagnostic, DiagnosticSeverity, DocumentSymbol, FoldingRange,
  FoldingRangeKind, InitializeResult, InsertTextFormat, Location, MarkupKind, ProposedFeatures, Range, SymbolKind,
  TextDocumentSyncKind, TextDocuments, TextEdit, WorkspaceEdit, createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { includeCandidates } from '../emulator/isa/assembler/include';
import { scanLine } from '../emulator/isa/assembler/source';
import { Analysis, Finding } from './analysis';
import { complete, ItemKind, signatureHelp } from './completion';
import { foldingRanges } from './folding';
import { formatText } from './format';
import { hover } from './hover';
import { definition, Loc, outline, OutlineItem, references, rename, symbolAt, workspaceSymbols } from './navigation';
import { Project } from './project';
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from './semantic-tokens';
import { DEFAULT_SETTINGS, parseSettings } from './settings';

/** Quiet time after the last change before a document is assembled again. */
export const DEBOUNCE_MS = 150;
/** An analysis stops (with an error diagnostic) after this long. */
export const ANALYSIS_BUDGET_MS = 3000;
/** Diagnostics published per file at most. */
const MAX_DIAGNOSTICS = 500;

export function uriToPath(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try { return fileURLToPath(uri); } catch { return uri; }
}

export function pathToUri(path: string): string {
  return path.startsWith('/') ? pathToFileURL(path).href : path;
}

const ITEM_KINDS: Record<ItemKind, CompletionItemKind> = {
  instruction: CompletionItemKind.Keyword, pseudo: CompletionItemKind.Snippet, directive: CompletionItemKind.Keyword,
  macro: CompletionItemKind.Function, register: CompletionItemKind.Variable, cp0: CompletionItemKind.Property,
  label: CompletionItemKind.Reference, constant: CompletionItemKind.Constant, option: CompletionItemKind.EnumMember,
};

const OUTLINE_KINDS: Record<OutlineItem['kind'], SymbolKind> = {
  section: SymbolKind.Namespace, function: SymbolKind.Function, label: SymbolKind.Field, constant: SymbolKind.Constant, macro: SymbolKind.Module,
};

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new TextDocuments(TextDocument);
  const project = new Project(DEFAULT_SETTINGS);
  const timers = new Map<string, NodeJS.Timeout>();
  /** Files whose diagnostics were published by the last analysis of each root. */
  const log = (m: string): void => connection.console.log(m);

  const guard = <A extends unknown[], R>(what: string, f: (...a: A) => R, fallback: R) => (...a: A): R => {
    try {
      return f(...a);
    } catch (e) {
      connection.console.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
      return fallback;
    }
  };

  const applySettings = (raw: unknown): void => {
    const problems: string[] = [];
    project.settings = parseSettings(raw, problems);
    for (const p of problems) void connection.window.showWarningMessage(`MIPS64 assembly: ${p}`);
  };

  connection.onInitialize((params): InitializeResult => {
    applySettings(params.initializationOptions);
    project.roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p) => p.startsWith('/'));
    if (project.roots.length === 0 && params.rootUri) project.roots = [uriToPath(params.rootUri)];
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '$', ','] },
        signatureHelpProvider: { triggerCharacters: [' ', '\t', ','] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true },
      },
      serverInfo: { name: 'mips64-asm', version: '0.1.0' },
    };
  });

  connection.onDidChangeConfiguration(guard('configuration', (p) => {
    applySettings(p.settings);
    for (const path of project.openPaths()) schedule(path, 0);
  }, undefined));

  const rangeOf = (path: string, f: Finding): Range => {
    const line = Math.max(0, f.line - 1);
    if (f.endColumn > f.column) return Range.create(line, f.column - 1, line, f.endColumn - 1);
    // (One line scanned, not the whole file's index.)
    const st = scanLine(project.text(path)?.split('\n', line + 1)[line] ?? '').find((s) => s.op);
    return st?.op ? Range.create(line, st.op.start, line, st.op.end) : Range.create(line, 0, line, 1);
  };

  /** The `.include` line of `root` through which `file` came in (the first include, when indirect). */
  const includeLine = (root: string, file: string, a: Analysis): Range => {
    const ix = project.index(root);
    let first: Range | undefined;
    for (const [ln, stmts] of (ix?.lines ?? []).entries()) {
      for (const st of stmts) {
        if (st.op?.text.toLowerCase() !== '.include' || !st.operands[0]) continue;
        const r = Range.create(ln, st.operands[0].start, ln, st.operands[0].end);
        first ??= r;
        const name = st.operands[0].text.replace(/^"|"$/g, '');
        if (includeCandidates(name, root, project.settings.includePaths).some((p) => p === file && a.result.includes.includes(p))) return r;
      }
    }
    return first ?? Range.create(0, 0, 0, 1);
  };

  const publish = (path: string, a: Analysis): void => {
    const diags: Diagnostic[] = [];
    for (const f of a.findings) {
      if (diags.length >= MAX_DIAGNOSTICS) {
        diags.push({ range: Range.create(0, 0, 0, 1), severity: DiagnosticSeverity.Information, source: 'mips64-asm', message: `only the first ${MAX_DIAGNOSTICS} problems are shown (${a.findings.length} in all)` });
        break;
      }
      const here = f.file === path;
      diags.push({
        range: here ? rangeOf(path, f) : includeLine(path, f.file, a),
        severity: f.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        source: 'mips64-asm',
        code: f.code,
        message: here ? f.message : `in ${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line}: ${f.message}`,
        relatedInformation: here ? undefined : [{ location: Location.create(pathToUri(f.file), rangeOf(f.file, f)), message: f.message }],
      });
    }
    void connection.sendDiagnostics({ uri: pathToUri(path), diagnostics: diags });
  };

  const run = (path: string): void => {
    timers.delete(path);
    if (!project.isOpen(path)) return;
    const a = project.analyse(path, ANALYSIS_BUDGET_MS);
    if (a) publish(path, a);
  };
  const schedule = (path: string, delay = DEBOUNCE_MS): void => {
    const t = timers.get(path);
    if (t) clearTimeout(t);
    timers.set(path, setTimeout(guard('analysis', () => run(path), undefined), delay));
  };

  documents.onDidOpen(guard('open', (e) => {
    const path = uriToPath(e.document.uri);
    project.open(path, e.document.getText(), e.document.version);
    schedule(path, 0);
  }, undefined));
  documents.onDidChangeContent(guard('change', (e) => {
    const path = uriToPath(e.document.uri);
    project.open(path, e.document.getText(), e.document.version);
    schedule(path);
    // Files that include this one see the change too.
    for (const p of project.openPaths()) if (p !== path && project.analysis(p)?.result.includes.includes(path)) schedule(p);
  }, undefined));
  documents.onDidClose(guard('close', (e) => {
    const path = uriToPath(e.document.uri);
    project.close(path);
    const t = timers.get(path);
    if (t) clearTimeout(t);
    timers.delete(path);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  }, undefined));

  const lineText = (uri: string, line: number): string => {
    const d = documents.get(uri);
    if (d) return d.getText(Range.create(line, 0, line + 1, 0)).replace(/\r?\n$/, '');
    return project.text(uriToPath(uri))?.split('\n')[line] ?? '';
  };
  const toLocation = (l: Loc): Location => Location.create(pathToUri(l.file), Range.create(l.line, l.start, l.line, l.end));
  /** Makes sure an open document's analysis exists (hover before the first debounce). */
  const ensure = (path: string): void => { if (project.isOpen(path) && !project.analysis(path)) run(path); };

  connection.onHover(guard('hover', (p) => {
    const path = uriToPath(p.textDocument.uri);
    ensure(path);
    const h = hover(project, path, p.position.line, p.position.character);
    return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: Range.create(h.line, h.start, h.line, h.end) } : null;
  }, null));

  connection.onCompletion(guard('completion', (p) => {
    const path = uriToPath(p.textDocument.uri);
    return complete(project, path, lineText(p.textDocument.uri, p.position.line), p.position.character).map((i): CompletionItem => ({
      label: i.label, kind: ITEM_KINDS[i.kind], detail: i.detail,
      documentation: i.documentation ? { kind: MarkupKind.Markdown, value: i.documentation } : undefined,
      insertText: i.snippet, insertTextFormat: i.snippet ? InsertTextFormat.Snippet : undefined,
    }));
  }, []));

  connection.onSignatureHelp(guard('signature help', (p) => {
    const s = signatureHelp(project, lineText(p.textDocument.uri, p.position.line), p.position.character);
    if (!s) return null;
    return {
      signatures: s.signatures.map((g) => ({ label: g.label, documentation: g.documentation, parameters: g.parameters.map((x) => ({ label: x })) })),
      activeSignature: 0, activeParameter: s.activeParameter,
    };
  }, null));

  connection.onDefinition(guard('definition', (p) => {
    const path = uriToPath(p.textDocument.uri);
    ensure(path);
    const d = definition(project, path, p.position.line, p.position.character);
    return d ? toLocation(d) : null;
  }, null));

  connection.onReferences(guard('references', (p) => {
    const path = uriToPath(p.textDocument.uri);
    ensure(path);
    return references(project, path, p.position.line, p.position.character, p.context.includeDeclaration).map(toLocation);
  }, []));

  connection.onPrepareRename(guard('prepare rename', (p) => {
    const path = uriToPath(p.textDocument.uri);
    ensure(path);
    const s = symbolAt(project, path, p.position.line, p.position.character);
    const d = s && definition(project, path, p.position.line, p.position.character);
    return s && d ? Range.create(s.loc.line, s.loc.start, s.loc.line, s.loc.end) : null;
  }, null));

  connection.onRenameRequest((p) => {
    const path = uriToPath(p.textDocument.uri);
    ensure(path);
    const r = rename(project, path, p.position.line, p.position.character, p.newName);
    if (typeof r === 'string') throw new Error(r); // the client shows it
    const changes: WorkspaceEdit['changes'] = {};
    for (const l of r) (changes[pathToUri(l.file)] ??= []).push(TextEdit.replace(Range.create(l.line, l.start, l.line, l.end), p.newName));
    return { changes };
  });

  connection.onDocumentSymbol(guard('document symbols', (p) => {
    const ix = project.index(uriToPath(p.textDocument.uri));
    if (!ix) return [];
    const conv = (o: OutlineItem): DocumentSymbol => ({
      name: o.name, kind: OUTLINE_KINDS[o.kind], detail: o.kind === 'section' ? 'section' : undefined,
      range: Range.create(o.line, 0, Math.max(o.line, o.endLine), (ix.lines[o.endLine] ? 10000 : 0)),
      selectionRange: Range.create(o.line, o.start, o.line, o.end > o.start ? o.end : o.start + o.name.length),
      children: o.children.map(conv),
    });
    return outline(ix).map(conv);
  }, []));

  connection.onWorkspaceSymbol(guard('workspace symbols', (p) => workspaceSymbols(project, p.query).map((s) => ({
    name: s.name, kind: s.kind === 'constant' ? SymbolKind.Constant : s.kind === 'macro' ? SymbolKind.Module : SymbolKind.Function,
    location: toLocation(s.loc),
  })), []));

  connection.onFoldingRanges(guard('folding', (p) => {
    const ix = project.index(uriToPath(p.textDocument.uri));
    return ix ? foldingRanges(ix).map((f): FoldingRange => ({ startLine: f.start, endLine: f.end, kind: f.kind === 'comment' ? FoldingRangeKind.Comment : f.kind === 'region' ? FoldingRangeKind.Region : undefined })) : [];
  }, []));

  connection.languages.semanticTokens.on(guard('semantic tokens', (p) => {
    const path = uriToPath(p.textDocument.uri);
    const ix = project.index(path);
    if (!ix) return { data: [] };
    const macros = new Set<string>(), constants = new Set<string>();
    for (const f of project.scope(path)) {
      for (const d of project.index(f)?.defs ?? []) {
        if (d.kind === 'macro') macros.add(d.name.toLowerCase());
        if (d.kind === 'constant') constants.add(d.name);
      }
    }
    return { data: semanticTokens(ix, macros, constants) };
  }, { data: [] }));

  connection.onDocumentFormatting(guard('formatting', (p) => {
    if (!project.settings.formatting) return [];
    const d = documents.get(p.textDocument.uri);
    if (!d) return [];
    return formatText(d.getText(), p.options).map((e) => TextEdit.replace(Range.create(e.line, 0, e.line, lineText(p.textDocument.uri, e.line).length), e.text.replace(/\r$/, '')));
  }, []));

  documents.listen(connection);
  connection.listen();
  log(`mips64-asm language server ready (model ${project.settings.model})`);
  return connection;
}
