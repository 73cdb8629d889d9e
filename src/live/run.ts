import { spawnSync } from 'node:child_process';

/**
 * Running the firewall tools of this machine (nft, iptables-save, ipset, unshare): always an
 * argument vector, never a shell, so nothing a policy or a ruleset holds can become a command.
 */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A tool that could not run, or failed where failing is trouble; the message says which and why. */
export class ToolError extends Error {}

/** The Debian package that has each tool, for the message when it is missing. */
const PACKAGE: Record<string, string> = {
  nft: 'nftables',
  'iptables-save': 'iptables',
  'iptables-restore': 'iptables',
  'ip6tables-save': 'iptables',
  'ip6tables-restore': 'iptables',
  ipset: 'ipset',
  unshare: 'util-linux',
  sh: 'dash',
};

/** Runs argv with `input` on stdin (closed afterwards); a tool that cannot be started is a ToolError. */
export function runTool(argv: readonly string[], input = '', timeoutMs = 60_000): ToolResult {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { input, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ToolError(`${cmd} not found on PATH${PACKAGE[cmd!] ? `: apt-get install ${PACKAGE[cmd!]}` : ''}`);
    if (code === 'ETIMEDOUT') throw new ToolError(`${argv.join(' ')} did not finish within ${timeoutMs / 1000} s`);
    // A tool that refuses early exits before reading all it was given: its status and message
    // say why. One that succeeds without reading it cannot have judged it.
    if (code === 'EPIPE' && r.status !== null && r.status !== 0) return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    if (code === 'EPIPE' && r.status === 0) throw new ToolError(`${argv.join(' ')} exited without reading all of its input`);
    throw new ToolError(`cannot run ${cmd}: ${r.error.message}`);
  }
  const signalled = r.status === null && r.signal ? `killed by ${r.signal}` : undefined;
  return { code: r.status ?? 128, stdout: r.stdout ?? '', stderr: signalled ?? r.stderr ?? '' };
}

/** Runs argv and returns its stdout; a non-zero status is a ToolError quoting the tool's message. */
export function mustRun(argv: readonly string[], input = '', timeoutMs?: number): string {
  const r = runTool(argv, input, timeoutMs);
  if (r.code !== 0) throw new ToolError(`${argv.join(' ')} failed (exit ${r.code}): ${firstLines(r.stderr || r.stdout)}`);
  return r.stdout;
}

/** The first few lines of a tool's message, trimmed: enough to say what went wrong. */
export function firstLines(text: string, n = 6): string {
  const lines = text.trim().split('\n');
  return lines.slice(0, n).join('\n  ') + (lines.length > n ? `\n  … (${lines.length - n} more lines)` : '');
}
