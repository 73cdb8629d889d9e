import type { Command } from 'commander';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { compileFile, Exit, EXIT, formatOption, type Io } from '../io.js';
import { formatDiagnostics, type DiagnosticFormat } from '../render.js';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('report every error and warning in a policy')
    .argument('<file>', 'policy file, or - for stdin')
    .addOption(formatOption())
    .action((file: string, opts: { format: DiagnosticFormat }) => {
      const { diagnostics, text } = compileFile(file, io, opts.format);
      io.stdout(formatDiagnostics(diagnostics, opts.format, text, io.color));
      if (opts.format === 'text' && diagnostics.length === 0) io.stdout(`${file}: ok\n`);
      if (hasErrors(diagnostics)) throw new Exit(EXIT.policy);
    });
}
