// Load / inspect rulesets inside a host's namespace.
import { runSync } from './exec.js';
import type { Family, Topology } from './topology.js';

export interface LoadIptablesOptions {
  /** Pass --noflush: add to the tables instead of replacing them. */
  noflush?: boolean;
}

/** Pipe a script into `nft -f -` (it should start with `flush ruleset` if it must replace). */
export async function loadNft(topo: Topology, host: string, scriptText: string): Promise<void> {
  await topo.exec(host, ['nft', '-f', '-'], { input: scriptText });
}

/** iptables-restore / ip6tables-restore from stdin; an omitted text is skipped. */
export async function loadIptables(
  topo: Topology,
  host: string,
  v4Text: string | undefined,
  v6Text: string | undefined,
  opts: LoadIptablesOptions = {},
): Promise<void> {
  const flags = [...(opts.noflush ? ['--noflush'] : []), ...waitFlag()];
  if (v4Text !== undefined) await topo.exec(host, ['iptables-restore', ...flags], { input: v4Text });
  if (v6Text !== undefined) await topo.exec(host, ['ip6tables-restore', ...flags], { input: v6Text });
}

export async function listNftJson(topo: Topology, host: string): Promise<{ nftables: Array<Record<string, unknown>> }> {
  const { stdout } = await topo.exec(host, ['nft', '-j', 'list', 'ruleset']);
  return JSON.parse(stdout) as { nftables: Array<Record<string, unknown>> };
}

export async function iptablesSave(topo: Topology, host: string, family: Family): Promise<string> {
  return (await topo.exec(host, [family === 4 ? 'iptables-save' : 'ip6tables-save'])).stdout;
}

/** Remove every rule in the namespace: nft (which includes iptables-nft) and legacy xtables. */
export async function flushFirewall(topo: Topology, host: string): Promise<void> {
  await topo.exec(host, ['nft', 'flush', 'ruleset']);
  if (!isLegacy()) return;
  for (const cmd of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle', 'raw']) {
      await topo.exec(host, [cmd, '-w', '-t', table, '-F'], { allowFail: true });
      await topo.exec(host, [cmd, '-w', '-t', table, '-X'], { allowFail: true });
    }
    for (const chain of ['INPUT', 'FORWARD', 'OUTPUT']) await topo.exec(host, [cmd, '-w', '-P', chain, 'ACCEPT']);
  }
}

// Legacy xtables shares one lock file across all namespaces, so parallel test
// processes would trip over it; the nft backend has no lock and no --wait.
let legacy: boolean | undefined;
function isLegacy(): boolean {
  legacy ??= runSync(['iptables-restore', '--version']).stdout.includes('legacy');
  return legacy;
}
function waitFlag(): string[] {
  return isLegacy() ? ['--wait=10'] : [];
}
