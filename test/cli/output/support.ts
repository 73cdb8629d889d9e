// Shared by the writer's tests: real msgrfw processes (run to the end, or started and stopped at
// a test pause), directory snapshots, and policies whose outputs differ in every file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { BIN, binFor } from '../run.js';

export { BIN, CONTOSO } from '../run.js';

/** A fresh directory per case, readable by every user (some cases run msgrfw as nobody). */
export function workspace(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `msgrfw-${prefix}-`));
  chmodSync(root, 0o755);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return () => {
    const d = join(root, `case-${++n}`);
    mkdirSync(d, { mode: 0o755 });
    return d;
  };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const environment = (env: Record<string, string>) => ({ ...process.env, NO_COLOR: '1', ...env });

/** Runs msgrfw to the end. */
export function msgrfw(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string; uid?: number } = {}): Run {
  const r = spawnSync(process.execPath, [options.uid !== undefined ? binFor(options.uid) : BIN, ...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    env: environment(options.env ?? {}),
    timeout: 60_000, // a run that hangs (an endless mkdir) fails the test instead of stalling it
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  expect(r.stderr, 'no stack trace, no internal error').not.toMatch(/\n\s+at .*:\d+:\d+\)?|internal error/);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * strace with every rename delayed by 20 ms: a run's commit then lasts long enough for runs
 * started together to overlap, as they would with big outputs on a slow disk. Undefined when
 * strace cannot trace here (the reason is in `slowRenamesMissing`).
 */
const SLOW_RENAMES = ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=rename,renameat,renameat2', '-e', 'inject=rename,renameat,renameat2:delay_enter=20000'];
export const slowRenamesMissing = ((): string | undefined => {
  const r = spawnSync('strace', [...SLOW_RENAMES, 'true'], { encoding: 'utf8' });
  const why = r.error ? `strace: ${r.error.message}` : r.status === 0 ? undefined : `strace cannot trace here: ${r.stderr.trim()}`;
  if (why && process.env.CI === 'true') throw new Error(`${why}; CI must run the concurrency tests`);
  return why;
})();

/** A msgrfw process that runs on while the test acts; `paused(point)` waits until it stops at MSGRFW_TEST_PAUSE. */
export function started(args: string[], env: Record<string, string> = {}, cwd?: string, options: { slowRenames?: boolean } = {}) {
  const argv = [process.execPath, BIN, ...args];
  const [command, ...rest] = options.slowRenames ? ['strace', ...SLOW_RENAMES, ...argv] : argv;
  const child: ChildProcess = spawn(command!, rest, { cwd, env: environment(env) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    ended,
    async paused(point: string, timeoutMs = 30_000): Promise<void> {
      const until = Date.now() + timeoutMs;
      while (!stderr.includes(`msgrfw-test: paused at ${point}\n`)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`msgrfw never paused at ${point}:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Everything in a directory: name → content (or what it is) and mode; links as links. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = join(dir, rel);
    const st = lstatSync(p);
    const what = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : readFileSync(p, 'utf8');
    out[rel] = `${what}|${(st.mode & 0o7777).toString(8)}|${st.ino}`;
  }
  return out;
}

/** Name → content of the files in a directory, without inode numbers: to compare two directories' contents. */
export function contents(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

/** What a compile writes into an empty directory: the complete set of one run. */
export function completeSet(dir: string, policyPath: string, extra: string[] = []): Record<string, string> {
  const r = msgrfw(['compile', policyPath, ...extra, '--out-dir', dir]);
  expect(r.code, r.stderr).toBe(0);
  return contents(dir);
}

/**
 * A policy of `count` host firewalls, each for every target (6 files a firewall), whose
 * description `tag` is in every file: two tags give two versions that differ in every file.
 */
export function manyFirewalls(tag: string, count: number): string {
  const firewalls = Array.from({ length: count }, (_, i) => `  firewall fw${i} {\n    on srv\n    targets nftables, iptables, netsh, pf\n  }\n`).join('');
  return `deployment many {\n  description "${tag}"\n  network cl = 10.20.0.0/16\n  network srv = 10.1.1.10\n  server srv {\n    sip tls\n  }\n  clients cl {\n    server srv via tls\n    features im, presence\n  }\n${firewalls}}\n`;
}

export function writePolicy(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

/** The hidden files the writer uses while it works; none may be left after a run. */
export const scratchFiles = (dir: string) => readdirSync(dir).filter((n) => /^\.msgrfw-[0-9a-f]{16}\.|^\.msgrfw\.lock|^\.msgrfw-journal/.test(n));
