import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTools } from '../requiredTools.js';

/**
 * Capirca (Debian's python3-capirca, `aclgen`) writes netsh advfirewall and pf rules from its own
 * policy language: an independent source of valid syntax for the readers to parse. Why it cannot
 * run here (what to install), or undefined when it can.
 */
export const capircaProblem: string | undefined = (() => {
  const missing = missingTools(['aclgen']);
  if (missing) return missing;
  const r = spawnSync('aclgen', ['--helpshort'], { encoding: 'utf8' });
  return r.status === 0 || /aclgen/.test(`${r.stdout}${r.stderr}`) ? undefined : `aclgen --helpshort failed: exit ${r.status}`;
})();

/** Renders one capirca policy with its definitions; returns the generated file's text. */
export function runCapirca(policy: string, definitions: { networks: string; services: string }, outExt: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-capirca-'));
  try {
    mkdirSync(join(dir, 'pol'));
    mkdirSync(join(dir, 'def'));
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'def', 'NETWORK.net'), definitions.networks);
    writeFileSync(join(dir, 'def', 'SERVICES.svc'), definitions.services);
    writeFileSync(join(dir, 'pol', 'test.pol'), policy);
    const r = spawnSync(
      'aclgen',
      ['--base_directory=pol', '--definitions_directory=def', '--output_directory=out', '--policy_file=pol/test.pol'],
      { cwd: dir, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`aclgen failed (${r.status}):\n${r.stderr}`);
    return readFileSync(join(dir, 'out', `test.${outExt}`), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const CAPIRCA_DEFINITIONS = {
  networks: `ADMINS = 10.9.0.0/24
PEERS = 10.20.0.0/16
        198.51.100.0/24
        2001:db8:20::/48
LCS = 10.1.1.10/32
      2001:db8:1::10/128
`,
  services: `SSH = 22/tcp
T120 = 1503/tcp
       6891-6900/tcp
MEDIA = 50000-50039/udp
`,
};
