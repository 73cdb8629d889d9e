// Running the built msgrfw inside a test namespace, for the kernel tests of verify and apply.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../kernel/topology.js';
import { BIN } from '../cli/run.js';

/** `msgrfw ARGS` in the host's namespace; never rejects, the status is part of the result. */
export async function msgrfwIn(topo: Topology, host: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  const env = Object.entries({ NO_COLOR: '1', ...opts.env }).map(([k, v]) => `${k}=${v}`);
  const r = await topo.exec(host, ['env', ...env, process.execPath, BIN, ...args], { allowFail: true, timeoutMs: 120_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  return r;
}

/** A directory for a test's policy files, removed by the returned function. */
export function policyDir(files: Record<string, string>): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-verify-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
