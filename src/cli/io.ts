import { Option } from 'commander';
import { compilePolicy } from '../compile.js';
import { readPolicy } from './input.js';
import { writeAllOrNothing } from './output.js';
import { DIAGNOSTIC_FORMATS, formatInputProblem, type DiagnosticFormat } from './render.js';

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
  return { ...compilePolicy(text, input.file), text };
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
