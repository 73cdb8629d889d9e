import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN } from '../cli/run.js';

/** A directory holding `msgrfw` (the built command), to put first on a PATH as an installed msgrfw would be. */
export function msgrfwOnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-bin-'));
  symlinkSync(BIN, join(dir, 'msgrfw'));
  return dir;
}

export const envWith = (bin: string, extra: Record<string, string> = {}) => ({ ...process.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}`, ...extra });

export function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, input?: string) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', input, timeout: 180_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `sh` without blocking the test's event loop: for a command that runs for many seconds (a
 * build), during which vitest's worker must still answer its runner.
 */
export function shAsync(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Writes files (path → text) under a directory. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A git repository with one commit of these files. */
export function gitRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-repo-'));
  const git = (...args: string[]) => {
    const r = sh('git', args, dir);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'admin@example.org');
  git('config', 'user.name', 'admin');
  git('config', 'commit.gpgsign', 'false');
  writeTree(dir, files);
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', 'base');
  return dir;
}
