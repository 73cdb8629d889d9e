// Small process helpers shared by the kernel harness. Kept separate so that
// topology/traffic code reads as "what" rather than "how to spawn".
import { spawn, spawnSync } from 'node:child_process';
import { notRunnable } from '../requiredTools.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Text written to the child's stdin (stdin is closed afterwards either way). */
  input?: string;
  /** Resolve instead of reject on a non-zero exit status. */
  allowFail?: boolean;
  /** Kill the child after this long; a hung `ip`/`nft` must not hang the suite. */
  timeoutMs?: number;
}

export class ExecError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: ExecResult,
  ) {
    super(`command failed (exit ${result.code}): ${argv.join(' ')}\n${result.stderr || result.stdout}`.trim());
    this.name = 'ExecError';
  }
}

/** Run argv (no shell, so no quoting bugs) and collect its output. */
export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new Error('run: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // EPIPE when the child exits without reading stdin is not our failure.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !opts.allowFail) reject(new ExecError(argv, result));
      else resolve(result);
    });
  });
}

/** Synchronous variant for capability probing and exit-time cleanup. */
export function runSync(argv: readonly string[], input?: string): ExecResult {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd ?? '', args, { input: input ?? '', encoding: 'utf8', timeout: 10_000 });
  if (r.error) return { code: 127, stdout: '', stderr: notRunnable(cmd ?? '', r.error) };
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
