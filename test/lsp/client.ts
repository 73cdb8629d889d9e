// A language client as an editor is one: it starts `msgrfw lsp` as a process and speaks JSON-RPC
// to it over its stdin and stdout (vscode-jsonrpc, the library VS Code's client is built on).
import { spawn } from 'node:child_process';
import rpc from 'vscode-jsonrpc/node.js';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { range: Range; severity: number; code: string; source: string; message: string }[];
}
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Client {
  request<T = unknown>(method: string, params: unknown): Promise<T>;
  notify(method: string, params: unknown): void;
  /** The next diagnostics published for a document that satisfy `until` (by default, any). */
  diagnostics(uri: string, until?: (p: PublishedDiagnostics) => boolean): Promise<PublishedDiagnostics>;
  /** What the server wrote to stderr (its log). */
  stderr(): string;
  /** shutdown, exit; resolves with the server's exit status. */
  close(): Promise<number | null>;
  /** Resolves with the exit status whenever the process ends. */
  exited: Promise<number | null>;
}

export async function startClient(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (log += s));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  const published: PublishedDiagnostics[] = [];
  const waiters: { uri: string; until: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
    published.push(p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.until(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  connection.onNotification('window/logMessage', (m: { message: string }) => (log += `${m.message}\n`));
  connection.listen();
  return {
    request: (method, params) => connection.sendRequest(method, params),
    notify: (method, params) => void connection.sendNotification(method, params),
    diagnostics: (uri, until = () => true) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri}; server log:\n${log}`)), 20_000);
        waiters.push({ uri, until, resolve: (p) => (clearTimeout(timer), resolve(p)) });
      }),
    stderr: () => log,
    async close() {
      await connection.sendRequest('shutdown');
      void connection.sendNotification('exit');
      const code = await exited;
      connection.dispose();
      return code;
    },
    exited,
  };
}

/** Edits applied to a text, as the editor applies a workspace edit (0-based lines and UTF-16 characters). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: Position) => Math.min(text.length, (starts[p.line] ?? text.length) + p.character);
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
