// Running the built msgrfw inside a test namespace, for the kernel tests of verify and apply.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlatSpec, Topology } from '../kernel/topology.js';
import { BIN } from '../cli/run.js';

/** `msgrfw ARGS` in the host's namespace; never rejects, the status is part of the result. */
export async function msgrfwIn(topo: Topology, host: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  const env = Object.entries({ NO_COLOR: '1', ...opts.env }).map(([k, v]) => `${k}=${v}`);
  const r = await topo.exec(host, ['env', ...env, process.execPath, BIN, ...args], { allowFail: true, timeoutMs: 120_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  return r;
}

/** One host on lcs's addresses (contoso's lcs-host), both families: where apply and verify load rules. */
export const LCS_HOST: FlatSpec = { kind: 'flat', hosts: [{ name: 'host', addrs: ['10.1.1.10/24', '2001:db8:1::10/64'] }] };

/** A gateway `gw` whose client zone has `blocks` IPv4 blocks: past 8, iptables matches it with ipset sets. */
export const gatewayWithSets = (deployment: string, blocks: number, targets: string) => `deployment ${deployment} {
  network clients  = ${Array.from({ length: blocks }, (_, i) => `10.${30 + 2 * i}.0.0/16`).join(', ')}, 2001:db8:30::/48
  network partners = 198.51.100.0/24, 2001:db8:99::/48
  network lcs      = 10.1.1.10
  server lcs {
    sip tls
  }
  clients clients {
    server lcs via tls
    features im, whiteboard
    peers clients, partners
  }
  firewall gw {
    between clients and partners
    targets ${targets}
    default deny
  }
}
`;

/** A directory for a test's policy files, removed by the returned function. */
export function policyDir(files: Record<string, string>): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-verify-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running `msgrfw apply`: its stderr so far, a way to wait for a line, to answer, to signal, and its end. */
export interface RunningApply {
  pid: number;
  stderr(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  answer(line: string): void;
  closeStdin(): void;
  signal(s: NodeJS.Signals): void;
  exit: Promise<number>;
}

/**
 * `msgrfw apply ARGS` in the host's namespace, stdin a pipe the test writes to (`ip netns exec`
 * and `env` exec, so the pid is msgrfw's own and a signal reaches it).
 */
export function startApply(topo: Topology, host: string, args: string[], env: Record<string, string>): RunningApply {
  const vars = Object.entries({ NO_COLOR: '1', ...env }).map(([k, v]) => `${k}=${v}`);
  const child = spawn('ip', ['netns', 'exec', topo.nsName(host), 'env', ...vars, process.execPath, BIN, 'apply', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.resume();
  child.stdin.on('error', () => {});
  const exit = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return {
    pid: child.pid!,
    stderr: () => err,
    async waitFor(pattern, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(err)) {
        if (Date.now() > until) throw new Error(`apply did not print ${pattern} within ${timeoutMs / 1000} s; stderr so far:\n${err}`);
        if (child.exitCode !== null) throw new Error(`apply ended (exit ${child.exitCode}) before printing ${pattern}; stderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    answer: (line) => child.stdin.write(`${line}\n`),
    closeStdin: () => child.stdin.end(),
    signal: (s) => process.kill(child.pid!, s),
    exit,
  };
}
