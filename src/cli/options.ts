import { Option } from 'commander';
import { Exit, EXIT } from './exit.js';
import type { Io } from './io.js';
import { DIAGNOSTIC_FORMATS } from './render.js';

// Options and usage checks the commands share, apart from src/cli/io.ts: `check` uses these
// without loading what writes files or validates the IR.

export const formatOption = () =>
  new Option('--format <format>', 'diagnostics as text, json or sarif (SARIF 2.1.0)').choices([...DIAGNOSTIC_FORMATS]).default('text');

export const warningsAsErrorsOption = () =>
  new Option('--warnings-as-errors', 'fail (exit 1) on any warning not acknowledged in the policy (# msgrfw: ack CODE -- reason)');

/** `-` reads stdin, which can be read only once. */
export function requireStdinOnce(io: Io, paths: readonly string[]): void {
  if (paths.filter((p) => p === '-').length > 1) usage(io, 'stdin (-) can be read only once');
}

export function usage(io: Io, message: string): never {
  io.stderr(`msgrfw: ${message}\n`);
  throw new Exit(EXIT.usage);
}
