import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IrFirewall } from '../ir/types.js';
import { applyCommand, firewallId, ipsetRestoreCommand } from '../../targets/iptables/view.js';
import { nftTableName } from '../../targets/nftables/view.js';
import { runTool } from '../live/run.js';
import type { LiveTarget } from './targets.js';

/**
 * `apply --persist`: the applied firewall loads at boot (Debian, Ubuntu), without taking over a
 * file another tool owns. /etc/nftables.conf belongs to the administrator and nftables.service,
 * /etc/iptables/rules.v4 and .v6 to netfilter-persistent; both load a whole ruleset, so msgrfw
 * adds a unit of its own that runs after them and loads only its firewall, exactly as apply
 * does: /etc/msgrfw/<firewall>.* (the artefacts as compile writes them) and
 * /etc/systemd/system/msgrfw-<firewall>.service, enabled for sysinit.target like
 * nftables.service (before the network comes up). PartOf and ReloadPropagatedFrom tie it to the
 * ruleset's own service, so a restart or reload of that service (which flushes the ruleset)
 * loads the firewall again. One unit per firewall: persisting it for another target replaces
 * the unit and removes the other target's files.
 */
export const PERSIST_DIR = 'etc/msgrfw';
export const UNIT_DIR = 'etc/systemd/system';

export interface PersistFile {
  /** Relative to the root. */
  path: string;
  content: string;
}

export interface PersistPlan {
  files: PersistFile[];
  /** The unit's enablement: a link in sysinit.target.wants, as `systemctl enable` makes it. */
  link: { path: string; target: string };
  /** Files of this firewall that the new plan no longer has (another target's). */
  stale: string[];
}

const unitName = (fw: IrFirewall) => `msgrfw-${fw.name}.service`;

/** The plan for one firewall: its files, its unit, its link. */
export function persistPlan(fw: IrFirewall, target: LiveTarget, artefacts: Map<string, string>): PersistPlan {
  const dir = `/${PERSIST_DIR}`;
  const files = [...artefacts].map(([name, content]) => ({ path: join(PERSIST_DIR, name), content }));
  const unit = join(UNIT_DIR, unitName(fw));
  const ours = [`${fw.name}.nft`, `${fw.name}.rules.v4`, `${fw.name}.rules.v6`, `${fw.name}.ipset`].map((n) => join(PERSIST_DIR, n));
  const loads =
    target === 'nftables'
      ? [`${tool('nft', '/usr/sbin/nft')} -f ${dir}/${fw.name}.nft`]
      : [
          ...(artefacts.has(`${fw.name}.ipset`) ? [ipsetRestoreCommand(`${fw.name}.ipset`)] : []),
          applyCommand({ iptables: 'iptables', save: 'iptables-save', restore: 'iptables-restore' }, `${fw.name}.rules.v4`),
          applyCommand({ iptables: 'ip6tables', save: 'ip6tables-save', restore: 'ip6tables-restore' }, `${fw.name}.rules.v6`),
        ].map((c) => `${tool('sh', '/bin/sh')} -c ${systemdQuote(c)}`);
  const owner = target === 'nftables' ? 'nftables.service' : 'netfilter-persistent.service';
  const what = target === 'nftables' ? `nftables table inet ${nftTableName(fw)}` : `iptables chains MSGR-${firewallId(fw.name)}-*`;
  const content = [
    `# Written by msgrfw apply --persist: loads firewall ${fw.name} (${what}) at boot, after ${owner}.`,
    `# The rules are ${dir}/${fw.name}.*, exactly as msgrfw compile writes them.`,
    `# Remove: systemctl disable ${unitName(fw)}; rm /${unit} ${target === 'nftables' ? `${dir}/${fw.name}.nft` : `${dir}/${fw.name}.rules.v4 ${dir}/${fw.name}.rules.v6${artefacts.has(`${fw.name}.ipset`) ? ` ${dir}/${fw.name}.ipset` : ''}`}`,
    '[Unit]',
    `Description=msgrfw firewall ${fw.name} (${what})`,
    'DefaultDependencies=no',
    'Wants=network-pre.target',
    'Before=network-pre.target shutdown.target',
    'Conflicts=shutdown.target',
    `After=${owner}`,
    `PartOf=${owner}`,
    `ReloadPropagatedFrom=${owner}`,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `WorkingDirectory=${dir}`,
    ...loads.map((l) => `ExecStart=${l}`),
    ...loads.map((l) => `ExecReload=${l}`),
    '',
    '[Install]',
    'WantedBy=sysinit.target',
    '',
  ].join('\n');
  const kept = new Set(files.map((f) => f.path));
  return {
    files: [...files, { path: unit, content }],
    link: { path: join(UNIT_DIR, 'sysinit.target.wants', unitName(fw)), target: `/${unit}` },
    stale: ours.filter((p) => !kept.has(p)),
  };
}

/**
 * A command line argument as systemd reads it: double-quoted, with `\` and `"` escaped, and `%`
 * (specifiers) and `$` (environment variables) doubled so systemd passes them on unchanged.
 */
export function systemdQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** The tool's absolute path, from PATH (systemd wants one), or Debian's. */
function tool(name: string, fallback: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return fallback;
}

/**
 * Writes the plan under `root`: each file whole (a temporary file renamed into place), the link
 * likewise, then the other target's files go. Under the real root, systemd is told to reread
 * its units when it runs. Returns the paths written, for the report.
 */
export function writePersist(plan: PersistPlan, root: string): string[] {
  const written: string[] = [];
  for (const f of plan.files) {
    const path = join(root, f.path);
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o755 });
    const tmp = `${path}.msgrfw-${process.pid}.tmp`;
    writeFileSync(tmp, f.content, { mode: f.path.startsWith(PERSIST_DIR) ? 0o600 : 0o644 });
    renameSync(tmp, path);
    written.push(path);
  }
  const link = join(root, plan.link.path);
  mkdirSync(join(link, '..'), { recursive: true, mode: 0o755 });
  const tmp = `${link}.msgrfw-${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(plan.link.target, tmp);
  renameSync(tmp, link);
  written.push(`${link} -> ${plan.link.target}`);
  for (const s of plan.stale) rmSync(join(root, s), { force: true });
  if (root === '/' && existsSync('/run/systemd/system')) runTool(['systemctl', 'daemon-reload']);
  return written;
}
