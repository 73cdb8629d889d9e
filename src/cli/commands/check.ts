import type { Command } from 'commander';
import { diagnosePolicy } from '../../pipeline.js';
import { Exit } from '../exit.js';
import type { Io } from '../io.js';
import { formatOption, requireStdinOnce, warningsAsErrorsOption } from '../options.js';
import { readAndCompile, withCheckDiagnostics } from '../policyInput.js';
import { fileText, machineReport, reportStatus, totalText, warningsAsErrorsText, type DiagnosticFormat, type FileReport } from '../render.js';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('report every error and warning in one or more policies')
    .argument('<files...>', 'policy files, or - for stdin')
    .addOption(formatOption())
    .addOption(warningsAsErrorsOption())
    .action((paths: string[], opts: { format: DiagnosticFormat; warningsAsErrors?: boolean }) => {
      requireStdinOnce(io, paths);
      const reports: FileReport[] = [];
      for (const path of paths) {
        // The IR is judged, never written: it is not checked against its schema (src/pipeline.ts).
        const checked = withCheckDiagnostics(readAndCompile(path, diagnosePolicy));
        // Text is printed file by file, as each is checked; of each file only what the total
        // or the machine document needs is kept (not its text, not its IR).
        if (opts.format === 'text') io.stdout(fileText(checked, { color: io.color, okLine: true, summary: paths.length === 1 }));
        reports.push({ file: checked.file, diagnostics: checked.diagnostics, ...(checked.unreadable !== undefined ? { unreadable: checked.unreadable } : {}) });
      }
      const status = { warningsAsErrors: opts.warningsAsErrors === true };
      if (opts.format !== 'text') io.stdout(machineReport(reports, opts.format, status));
      else {
        io.stdout(totalText(reports));
        io.stderr(warningsAsErrorsText(reports, status));
      }
      const exit = reportStatus(reports, status);
      if (exit) throw new Exit(exit);
    });
}
