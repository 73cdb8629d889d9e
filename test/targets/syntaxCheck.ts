import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    if (r.error) return `cannot run ${argv[0]}: ${r.error.message}`;
    return r.status === 0 ? '' : `${r.stderr}${r.stdout}`.trim() || `exit ${r.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a validator exists here; under CI its absence fails the suite instead of skipping it. */
export function toolAvailable(tool: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${tool} && unshare -rn true`], { encoding: 'utf8' });
  const ok = r.status === 0;
  if (!ok && process.env.CI === 'true') throw new Error(`${tool} (or unshare -rn) is not usable, and CI must run every check`);
  if (!ok) console.warn(`skipping ${tool} syntax checks: ${tool} or unshare -rn is not usable here`);
  return ok;
}
