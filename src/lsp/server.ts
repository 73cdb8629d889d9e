import { fileURLToPath } from 'node:url';
import lsp from 'vscode-languageserver/node.js';
import type * as L from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyDocument } from '../language/document.js';
import type { LanguageServices } from '../language/services.js';
import { completionKind, fromPosition, lspDiagnostic, outlineSymbol, toRange, toTextEdit } from './convert.js';

/** How long typing must pause before a changed document is checked again (an open is checked at once). */
const CHECK_DELAY_MS = 150;

export interface ServerOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The msgrfw version, for the client's log. */
  version: string;
  /** What answers the questions (src/language/services.ts). */
  services: LanguageServices;
}

/**
 * `msgrfw lsp`: the language server, over JSON-RPC on stdin and stdout. It holds the open
 * policies and answers from src/language/ (diagnostics exactly as `check` reports them,
 * formatting exactly as `fmt` writes, hover, definitions, references, rename, completion, quick
 * fixes, the outline). Resolves when the client ends the session.
 */
export function serveLanguage(options: ServerOptions): Promise<void> {
  const { PolicyDocument, completionsAt, codeActions, formatting, hoverAt, definitionAt, referencesAt, renameAt, renameTarget, outline } = options.services;
  // Streams, not readers: the library then ends the process when the client closes stdin.
  const connection = lsp.createConnection(options.input, options.output);
  const documents = new lsp.TextDocuments(TextDocument);
  const policies = new Map<string, { version: number; policy: PolicyDocument }>();
  const pending = new Map<string, NodeJS.Timeout>();

  /** The policy of an open document, read once per version. */
  const policyOf = (uri: string): PolicyDocument | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const known = policies.get(uri);
    if (known && known.version === doc.version) return known.policy;
    const policy = new PolicyDocument(doc.getText(), fileOf(uri));
    policies.set(uri, { version: doc.version, policy });
    return policy;
  };

  const publish = (uri: string) => {
    pending.delete(uri);
    const policy = policyOf(uri);
    if (!policy) return;
    const diagnostics = policy.diagnostics.filter((d) => !d.suppressed).map((d) => lspDiagnostic(d, policy));
    void connection.sendDiagnostics({ uri, version: documents.get(uri)?.version, diagnostics });
  };
  const schedule = (uri: string, delay: number) => {
    clearTimeout(pending.get(uri));
    pending.set(uri, setTimeout(() => guarded(connection, () => publish(uri), undefined), delay));
  };

  connection.onInitialize(
    (): L.InitializeResult => ({
      capabilities: {
        textDocumentSync: lsp.TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        completionProvider: { triggerCharacters: [' ', ','] },
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [lsp.CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
      },
      serverInfo: { name: 'msgrfw', version: options.version },
    }),
  );

  documents.onDidOpen((e) => schedule(e.document.uri, 0));
  documents.onDidChangeContent((e) => schedule(e.document.uri, CHECK_DELAY_MS));
  documents.onDidClose((e) => {
    clearTimeout(pending.get(e.document.uri));
    pending.delete(e.document.uri);
    policies.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover((p) =>
    guarded(connection, () => {
      const policy = policyOf(p.textDocument.uri);
      const hover = policy && hoverAt(policy, fromPosition(p.position, policy));
      return hover ? { contents: { kind: lsp.MarkupKind.Markdown, value: hover.contents }, range: toRange(hover.at, hover.end, policy) } : null;
    }, null),
  );

  connection.onDefinition((p) =>
    guarded(connection, () => {
      const policy = policyOf(p.textDocument.uri);
      const span = policy && definitionAt(policy, fromPosition(p.position, policy));
      return span ? { uri: p.textDocument.uri, range: toRange(span.at, span.end, policy) } : null;
    }, null),
  );

  connection.onReferences((p) =>
    guarded(connection, () => {
      const policy = policyOf(p.textDocument.uri);
      if (!policy) return [];
      return referencesAt(policy, fromPosition(p.position, policy), p.context.includeDeclaration).map((s) => ({ uri: p.textDocument.uri, range: toRange(s.at, s.end, policy) }));
    }, []),
  );

  connection.onPrepareRename((p) =>
    guarded(connection, () => {
      const policy = policyOf(p.textDocument.uri);
      const target = policy && renameTarget(policy, fromPosition(p.position, policy));
      return target ? { range: toRange(target.at, target.end, policy), placeholder: target.name } : null;
    }, null),
  );

  connection.onRenameRequest((p) => {
    const policy = policyOf(p.textDocument.uri);
    if (!policy) return null;
    const result = renameAt(policy, fromPosition(p.position, policy), p.newName);
    // A refused rename is an error the client shows, not an empty edit.
    if ('problem' in result) return new lsp.ResponseError(lsp.ErrorCodes.InvalidRequest, result.problem);
    return { changes: { [p.textDocument.uri]: result.edits.map((e) => toTextEdit(e, policy)) } };
  });

  connection.onCompletion((p) =>
    guarded(connection, () => {
      const policy = policyOf(p.textDocument.uri);
      if (!policy) return [];
      const { items, from } = completionsAt(policy, fromPosition(p.position, policy));
      const range = toRange(from, fromPosition(p.position, policy), policy);
      return items.map(
        (c): L.CompletionItem => ({
          label: c.label,
          kind: completionKind(c.kind),
          textEdit: { range, newText: c.label },
          ...(c.doc ? { documentation: { kind: lsp.MarkupKind.Markdown, value: c.doc } } : {}),
        }),
      );
    }, []),
  );

  connection.onDocumentFormatting((p) =>
    guarded(connection, () => {
      const doc = documents.get(p.textDocument.uri);
      const policy = policyOf(p.textDocument.uri);
      if (!doc || !policy) return [];
      const f = formatting(policy, doc.getText());
      if (f.kind === 'none') return [];
      if (f.kind === 'whole') return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, newText: f.text }];
      return f.edits.map((e) => toTextEdit(e, policy));
    }, []),
  );

  connection.onCodeAction((p) =>
    guarded(connection, () => {
      const policy = policyOf(p.textDocument.uri);
      if (!policy) return [];
      const actions = codeActions(policy, fromPosition(p.range.start, policy), fromPosition(p.range.end, policy));
      return actions.map(
        (a): L.CodeAction => ({
          title: a.title,
          kind: lsp.CodeActionKind.QuickFix,
          diagnostics: [lspDiagnostic(a.diagnostic, policy)],
          isPreferred: a.preferred,
          edit: { changes: { [p.textDocument.uri]: a.edits.map((e) => toTextEdit(e, policy)) } },
        }),
      );
    }, []),
  );

  connection.onDocumentSymbol((p) =>
    guarded(connection, () => {
      const policy = policyOf(p.textDocument.uri);
      return policy ? outline(policy).map((s) => outlineSymbol(s, policy)) : [];
    }, []),
  );

  documents.listen(connection);
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}

/** The file a document's diagnostics name: its path for a file, its URI for anything else (an unsaved editor). */
function fileOf(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

/**
 * Answers a request, or — should msgrfw have a bug — logs it to the client and gives the empty
 * answer: one question about a policy must never end the session.
 */
function guarded<T>(connection: L.Connection, answer: () => T, empty: T): T {
  try {
    return answer();
  } catch (e) {
    connection.console.error(`msgrfw: internal error: ${(e as Error).stack ?? e}`);
    return empty;
  }
}
