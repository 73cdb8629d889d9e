import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * The built command as another user can start it. A checkout inside a private directory (a
 * home directory, or `mktemp -d` as CI uses) cannot be entered by that user, so the bundle and
 * its starter are copied into a directory everyone can read: the same bytes, run as that user.
 */
export function binFor(uid: number): string {
  const reach = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.R_OK)`], { uid, gid: uid });
  if (reach.status === 0) return BIN;
  const dir = shippedCopy();
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  return join(dir, 'bin', 'msgrfw.js');
}

/**
 * A copy of what the published package holds (package.json `files`), in a new directory:
 * bin/msgrfw.js starts the cached script (dist/cli.script.js with its code cache) or
 * dist/cli.mjs, which loads its chunks; both read the templates and schemas beside them.
 */
export function shippedCopy(): string {
  const bundle = join(ROOT, 'dist', 'cli.mjs');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-bin-'));
  const shipped = (from: string) => statSync(from).isDirectory() || /\.(hbs|json|js|mjs|cache)$/.test(from);
  for (const part of ['package.json', 'bin', 'dist/cli.mjs', 'dist/cli.script.js', 'dist/cli.script.cache', 'dist/chunks', 'targets', 'src/ir/schema.json', 'src/diagnostics/diagnostics.schema.json']) {
    cpSync(join(ROOT, part), join(dir, part), { recursive: true, filter: shipped });
  }
  return dir;
}

export const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
