import type { Command } from 'commander';
import { Exit, EXIT, type Io } from '../io.js';
import { toolVersion } from '../version.js';

export function registerLsp(program: Command, _io: Io): void {
  program
    .command('lsp')
    .description('serve the Language Server Protocol over stdin and stdout, for editors (see editors/vscode)')
    // Clients launch servers with a transport flag; stdio is the one msgrfw speaks.
    .option('--stdio', 'talk over stdin and stdout (the default and only transport)')
    .action(async () => {
      if (process.stdin.isTTY) {
        process.stderr.write('msgrfw: lsp speaks JSON-RPC to an editor over stdin and stdout; start it from an editor, not a terminal\n');
        throw new Exit(EXIT.usage);
      }
      // stdout carries the protocol: anything else printed there would break it.
      console.log = console.info = console.warn = console.error;
      // The server and its protocol library load only for this command; in the package they are
      // chunks of their own (dist/chunks/, scripts/bundle-cli.mjs), so that no other command
      // reads them at start-up.
      const { languageServices } = await import('../../language/services.js');
      const { serveLanguage } = await import('../../lsp/server.js');
      await serveLanguage({ input: process.stdin, output: process.stdout, version: toolVersion() || 'unknown', services: languageServices });
    });
}
