// The VS Code side of msgrfw: the language (grammar, comments, brackets) comes from package.json;
// everything else (diagnostics, quick fixes, formatting, hover, definition, references, rename,
// completion, outline) from `msgrfw lsp`, which this client starts and talks to over stdio.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { serverLaunch } from './serverLaunch';

let client: LanguageClient | undefined;

function serverOptions(context: vscode.ExtensionContext): ServerOptions {
  const configured = vscode.workspace.getConfiguration('msgrfw').get<string>('server.path', '');
  const launch = serverLaunch(context.extensionPath, configured, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  return launch.kind === 'module'
    ? { module: launch.module, args: launch.args, transport: TransportKind.stdio }
    : { command: launch.command, args: launch.args, transport: TransportKind.stdio };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'msgr' },
      { scheme: 'untitled', language: 'msgr' },
    ],
  };
  client = new LanguageClient('msgrfw', 'msgrfw', serverOptions(context), clientOptions);
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('msgrfw.server.path')) return;
      await client?.stop();
      await start(context);
    }),
    vscode.commands.registerCommand('msgrfw.restartServer', async () => {
      await client?.stop();
      await start(context);
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
