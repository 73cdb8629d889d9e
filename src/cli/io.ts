import { compilePolicy } from '../compile.js';
import type { IrDocument } from '../ir/types.js';
import { Exit, EXIT } from './exit.js';
import { usage } from './options.js';
import { Interrupted, OutputError } from './output/failure.js';
import { signalExitStatus } from './output/signals.js';
import { writeAllOrNothing, type OutputFile, type WriteOptions } from './output/write.js';
import { readAndCompile, type CompiledFile } from './policyInput.js';
import { formatReport, reportStatus, type DiagnosticFormat } from './render.js';

export { Exit, EXIT } from './exit.js';
export { formatOption, requireStdinOnce, usage, warningsAsErrorsOption } from './options.js';
export { withCheckDiagnostics, type CompiledFile } from './policyInput.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
}

/** Reads and compiles one policy file; what cannot be read is in the report, never thrown. */
export function compileInput(path: string): CompiledFile {
  return readAndCompile(path, compilePolicy);
}

/**
 * Compiles a policy for a command that needs its IR. When it has none, the report goes to
 * stderr and the command ends: `errorStatus` (1) for errors, 2 for a file that cannot be read.
 */
export function compiledOrExit(path: string, io: Io, format: DiagnosticFormat, errorStatus: number = EXIT.policy): CompiledFile & { ir: IrDocument; source: string } {
  const result = compileInput(path);
  if (!result.ir || result.source === undefined) {
    io.stderr(formatReport([result], format, { color: io.color }));
    throw new Exit(Math.max(reportStatus([result]), errorStatus));
  }
  return { ...result, ir: result.ir, source: result.source };
}

/** `-f NAME` must name a firewall of the policies: a usage error that lists the names otherwise. */
export function requireFirewall(irs: readonly IrDocument[], name: string | undefined, io: Io): void {
  const names = irs.flatMap((ir) => ir.firewalls.map((f) => f.name));
  if (name !== undefined && !names.includes(name)) {
    usage(io, `no firewall named '${name}' (the ${irs.length > 1 ? 'policies have' : 'policy has'}: ${names.join(', ')})`);
  }
}

/**
 * Writes a run's files (src/cli/output/write.ts: all or nothing, under the directory's lock) and
 * reports: each file as `<listAs> PATH` on stdout, stale files removed, notes on stderr. An I/O
 * failure ends the command with exit 2 and says that no file was changed; a signal before the
 * commit likewise, with the signal's status; a signal during the commit after it.
 */
export async function writeOrFail(io: Io, files: readonly OutputFile[], options: Omit<WriteOptions, 'note'> & { listAs?: string } = {}): Promise<void> {
  let result;
  try {
    result = await writeAllOrNothing(files, { ...options, note: (m) => io.stderr(`msgrfw: ${m}\n`) });
  } catch (e) {
    if (e instanceof Interrupted) {
      io.stderr(`msgrfw: interrupted by ${e.signal}\n  no file was changed\n`);
      throw new Exit(signalExitStatus(e.signal));
    }
    // Anything else from the file system is an I/O failure too; only a bug goes on to main.
    if (!(e instanceof OutputError) && typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    const unchanged = !(e instanceof OutputError) || e.unchanged;
    io.stderr(`msgrfw: ${(e as Error).message}\n${unchanged ? '  no file was changed\n' : ''}`);
    throw new Exit(EXIT.usage);
  }
  if (options.listAs) for (const path of result.written) io.stdout(`${options.listAs} ${path}\n`);
  for (const r of result.removed) io.stdout(`removed ${r.path}: ${r.reason}\n`);
  for (const k of result.kept) io.stderr(`msgrfw: warning: kept ${k.path} although ${k.reason}: it changed since msgrfw wrote it; remove it if it is not needed\n`);
  if (result.interruptedBy) {
    io.stderr(`msgrfw: ${result.interruptedBy} arrived while the files were being put in place; the run finished that first: every file above is written\n`);
    throw new Exit(signalExitStatus(result.interruptedBy));
  }
}
