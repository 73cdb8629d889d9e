import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from '../helpers.js';

export const BIN = join(ROOT, 'bin', 'msgrfw.js');
export const CONTOSO = join(ROOT, 'examples', 'contoso.msgr');

/** Runs the built command as a user would (`npm test` builds first). */
export function msgrfw(args: string[], input?: string, cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
