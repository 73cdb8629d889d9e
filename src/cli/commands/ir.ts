import type { Command } from 'commander';
import { compileFile, Exit, EXIT, writeOrFail, type Io } from '../io.js';
import { formatDiagnostics } from '../render.js';

export function registerIr(program: Command, io: Io): void {
  program
    .command('ir')
    .description('print the intermediate representation (JSON) the targets are built from')
    .argument('<file>', 'policy file, or - for stdin')
    .option('-o, --output <file>', 'write it here instead of stdout')
    .action(async (file: string, opts: { output?: string }) => {
      const { ir, diagnostics, text } = compileFile(file, io, 'text');
      if (diagnostics.length) io.stderr(formatDiagnostics(diagnostics, 'text', text, io.color));
      if (!ir) throw new Exit(EXIT.policy);
      const json = `${JSON.stringify(ir, null, 2)}\n`;
      if (opts.output === undefined || opts.output === '-') io.stdout(json);
      else await writeOrFail(io, [{ path: opts.output, content: json }]);
    });
}
