import { Option } from 'commander';
import { compilePolicy } from '../compile.js';
import { readPolicy } from './input.js';
import { Interrupted, OutputError } from './output/failure.js';
import { signalExitStatus } from './output/signals.js';
import { writeAllOrNothing, type OutputFile, type WriteOptions } from './output/write.js';
import { DIAGNOSTIC_FORMATS, formatDiagnostics, formatInputProblem, type DiagnosticFormat } from './render.js';
import type { IrDocument } from '../ir/types.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
}

/** Exit statuses: 0 ok, 1 the policy has errors, 2 usage or I/O trouble (128 + n: ended by signal n). */
export const EXIT = { ok: 0, policy: 1, usage: 2 } as const;

/** Thrown by a command to end with a status; `main` turns it into the exit code. */
export class Exit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

export const formatOption = () =>
  new Option('--format <format>', 'diagnostics as text, json or sarif (SARIF 2.1.0)').choices([...DIAGNOSTIC_FORMATS]).default('text');

/** Reads and compiles a policy file; a file that cannot be read ends the command. */
export function compileFile(file: string, io: Io, format: DiagnosticFormat) {
  const input = readPolicy(file);
  if (!input.ok) {
    if (format !== 'text' && input.problem === 'content') {
      io.stdout(formatInputProblem(input.message, format));
    } else {
      io.stderr(`${input.problem === 'usage' ? 'msgrfw: ' : ''}${input.message}\n`);
    }
    throw new Exit(input.problem === 'usage' ? EXIT.usage : EXIT.policy);
  }
  const text = input.text.replace(/^\uFEFF/, '');
  return { ...compilePolicy(text, input.file), text };
}

/** Compiles a policy for a command that needs its IR: prints the diagnostics and exits 1 on errors. */
export function compiledOrExit(file: string, io: Io, format: DiagnosticFormat) {
  const result = compileFile(file, io, format);
  if (!result.ir) {
    io.stderr(formatDiagnostics(result.diagnostics, format, result.text, io.color));
    throw new Exit(EXIT.policy);
  }
  return { ...result, ir: result.ir };
}

/** `-f NAME` must name a firewall of the policy: a usage error that lists the names otherwise. */
export function requireFirewall(ir: IrDocument, name: string | undefined, io: Io): void {
  if (name !== undefined && !ir.firewalls.some((f) => f.name === name)) {
    usage(io, `no firewall named '${name}' (the policy has: ${ir.firewalls.map((f) => f.name).join(', ')})`);
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

export function usage(io: Io, message: string): never {
  io.stderr(`msgrfw: ${message}\n`);
  throw new Exit(EXIT.usage);
}
