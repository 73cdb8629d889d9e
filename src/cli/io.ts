import { Option } from 'commander';
import { compilePolicy } from '../compile.js';
import { readPolicy } from './input.js';
import { writeAllOrNothing } from './output.js';
import { DIAGNOSTIC_FORMATS, formatDiagnostics, formatInputProblem, type DiagnosticFormat } from './render.js';
import type { IrDocument } from '../ir/types.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
}

/** Exit statuses: 0 ok, 1 the policy has errors, 2 usage or I/O trouble. */
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
  return { ...compilePolicy(text, input.file), text, file: input.file };
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

export function writeOrFail(io: Io, files: { path: string; content: string }[]): void {
  try {
    writeAllOrNothing(files);
  } catch (e) {
    io.stderr(`msgrfw: cannot write output: ${(e as Error).message}\n  no file was changed\n`);
    throw new Exit(EXIT.usage);
  }
}

export function usage(io: Io, message: string): never {
  io.stderr(`msgrfw: ${message}\n`);
  throw new Exit(EXIT.usage);
}
