import { ToolError, runTool, firstLines } from './run.js';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Runs argv in a private, empty network namespace (`unshare -n`; `unshare -rn`, a user namespace,
 * when not root) and returns its stdout: how msgrfw sees what the kernel makes of a file without
 * touching this machine's rules. `what` says why, for the message when it fails.
 */
export function privateNamespace(argv: readonly string[], input: string, what: string): string {
  const r = runTool(['unshare', isRoot() ? '-n' : '-rn', ...argv], input);
  if (r.code !== 0) throw new ToolError(`cannot ${what}: ${firstLines(r.stderr || r.stdout)}`);
  return r.stdout;
}
