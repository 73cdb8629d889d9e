import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTools, notRunnable } from '../requiredTools.js';

/**
 * Runs a validator on a file in a fresh, empty network namespace (`unshare -rn`: no root needed,
 * and the host's own rules are never touched). Returns the tool's complaint, or '' when valid.
 */
export function checkInNamespace(argv: string[], content: string, useStdin = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-check-'));
  try {
    const file = join(dir, 'rules');
    writeFileSync(file, content);
    const r = spawnSync('unshare', ['-rn', ...argv, ...(useStdin ? [] : [file])], {
      input: useStdin ? content : undefined,
      encoding: 'utf8',
    });
    if (r.error) return `cannot run ${argv[0]}: ${notRunnable('unshare', r.error)}`;
    return r.status === 0 ? '' : `${r.stderr}${r.stdout}`.trim() || `exit ${r.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why a validator cannot run here in `unshare -rn`, naming what to install; undefined when it can. */
export function validatorProblem(tool: string): string | undefined {
  const missing = missingTools([tool, 'unshare']);
  if (missing) return missing;
  const r = spawnSync('unshare', ['-rn', 'true'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `unshare -rn does not work here: ${r.stderr.trim().split('\n')[0] || `exit ${r.status}`}`;
}

/** Whether a validator can run here; under CI its absence fails the suite instead of skipping it. */
export function toolAvailable(tool: string): boolean {
  const why = validatorProblem(tool);
  if (why && process.env.CI === 'true') throw new Error(`${tool} syntax checks cannot run, and CI must run every check: ${why}`);
  if (why) console.warn(`skipping ${tool} syntax checks: ${why}`);
  return why === undefined;
}
