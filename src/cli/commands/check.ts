import type { Command } from 'commander';
import { hasErrors, sortDiagnostics } from '../../diagnostics/diagnostic.js';
import { targetDiagnostics } from '../../../targets/judge.js';
import { compileFile, Exit, EXIT, formatOption, type Io } from '../io.js';
import { formatDiagnostics, type DiagnosticFormat } from '../render.js';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('report every error and warning in a policy')
    .argument('<file>', 'policy file, or - for stdin')
    .addOption(formatOption())
    .action((file: string, opts: { format: DiagnosticFormat }) => {
      const compiled = compileFile(file, io, opts.format);
      const { text } = compiled;
      // What compile would refuse or approximate for each firewall's targets, decided from the
      // IR alone (no template is rendered): check judges what compile judges.
      const diagnostics = compiled.ir ? sortDiagnostics([...compiled.diagnostics, ...targetDiagnostics(compiled.ir, compiled.file)]) : compiled.diagnostics;
      io.stdout(formatDiagnostics(diagnostics, opts.format, text, io.color));
      if (opts.format === 'text' && diagnostics.length === 0) io.stdout(`${file}: ok\n`);
      if (hasErrors(diagnostics)) throw new Exit(EXIT.policy);
    });
}
