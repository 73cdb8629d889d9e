// apply --persist: what it writes under --root (the artefacts byte for byte, a unit of its own,
// its enablement), that systemd accepts the unit, that nothing of another tool is written, and
// in a network namespace that running the unit's commands as boot would (twice, as a reload
// does) leaves a firewall verify finds identical to the policy.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistPlan, systemdQuote, writePersist } from '../../src/apply/persist.js';
import { emitTargets } from '../../targets/emit.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { kernelSuite } from '../kernel/capability.js';
import { buildTopology, type Topology } from '../kernel/topology.js';
import { LCS_HOST, msgrfwIn, policyDir } from '../verify/live.js';

const CONTOSO = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
const ir = irOf(CONTOSO, 'contoso.msgr');
const fwOf = (name: string) => ir.firewalls.find((f) => f.name === name)!;
const artefacts = (name: string, target: 'nftables' | 'iptables') => new Map(emitTargets(ir, { firewall: name, target }).files.map((f) => [f.artefact.name, f.artefact.content]));

/** Every file under a directory, relative, links as `path -> target`. */
function tree(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir)).flatMap((n) => {
    const rel = join(dir, n);
    const st = lstatSync(join(root, rel));
    if (st.isSymbolicLink()) return [`${rel} -> ${readlinkSync(join(root, rel))}`];
    return st.isDirectory() ? tree(root, rel) : [rel];
  }).sort();
}

/** The unit's `Key=value` lines of a section. */
const section = (unit: string, name: string) => unit.split(/^\[/m).find((s) => s.startsWith(`${name}]`))!.split('\n').slice(1).filter((l) => l.includes('='));

/** systemd-analyze verify when it is installed, else the unit's shape checked line by line. */
function unitProblems(path: string): string {
  const r = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
  if (!r.error) return r.status === 0 ? '' : `${r.stderr}${r.stdout}`;
  const bad = readFileSync(path, 'utf8').split('\n').filter((l) => l && !l.startsWith('#') && !/^\[(Unit|Service|Install)\]$/.test(l) && !/^[A-Za-z]+=\S/.test(l));
  return bad.join('\n');
}

describe('apply --persist: the files', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const root = () => {
    const r = mkdtempSync(join(tmpdir(), 'msgrfw-root-'));
    roots.push(r);
    return r;
  };

  it('nftables: the artefact byte for byte in /etc/msgrfw, a unit after nftables.service, enabled for sysinit.target; nothing else', () => {
    const r = root();
    const files = artefacts('lcs-host', 'nftables');
    writePersist(persistPlan(fwOf('lcs-host'), 'nftables', files), r);
    expect(tree(r)).toEqual([
      'etc/msgrfw/lcs-host.nft',
      'etc/systemd/system/msgrfw-lcs-host.service',
      'etc/systemd/system/sysinit.target.wants/msgrfw-lcs-host.service -> /etc/systemd/system/msgrfw-lcs-host.service',
    ]);
    expect(readFileSync(join(r, 'etc/msgrfw/lcs-host.nft'), 'utf8')).toBe(files.get('lcs-host.nft'));
    expect(statSync(join(r, 'etc/msgrfw/lcs-host.nft')).mode & 0o777).toBe(0o600);
    const unit = readFileSync(join(r, 'etc/systemd/system/msgrfw-lcs-host.service'), 'utf8');
    expect(section(unit, 'Unit')).toEqual(expect.arrayContaining(['After=nftables.service', 'PartOf=nftables.service', 'ReloadPropagatedFrom=nftables.service', 'Before=network-pre.target shutdown.target', 'DefaultDependencies=no']));
    expect(section(unit, 'Service').filter((l) => l.startsWith('Exec'))).toEqual([expect.stringMatching(/^ExecStart=\/\S*nft -f \/etc\/msgrfw\/lcs-host\.nft$/), expect.stringMatching(/^ExecReload=\/\S*nft -f \/etc\/msgrfw\/lcs-host\.nft$/)]);
    expect(section(unit, 'Install')).toEqual(['WantedBy=sysinit.target']);
    expect(unitProblems(join(r, 'etc/systemd/system/msgrfw-lcs-host.service'))).toBe('');
  });

  it('iptables: both families (and the sets first, when there are sets), each as the header documents it; switching target removes the other files', () => {
    const r = root();
    writePersist(persistPlan(fwOf('desktop'), 'nftables', artefacts('desktop', 'nftables')), r);
    writePersist(persistPlan(fwOf('desktop'), 'iptables', artefacts('desktop', 'iptables')), r);
    expect(tree(r)).toEqual([
      'etc/msgrfw/desktop.rules.v4',
      'etc/msgrfw/desktop.rules.v6',
      'etc/systemd/system/msgrfw-desktop.service',
      'etc/systemd/system/sysinit.target.wants/msgrfw-desktop.service -> /etc/systemd/system/msgrfw-desktop.service',
    ]);
    const unit = readFileSync(join(r, 'etc/systemd/system/msgrfw-desktop.service'), 'utf8');
    expect(section(unit, 'Unit')).toEqual(expect.arrayContaining(['After=netfilter-persistent.service', 'PartOf=netfilter-persistent.service']));
    expect(section(unit, 'Service')).toContain('WorkingDirectory=/etc/msgrfw');
    expect(section(unit, 'Service').filter((l) => l.startsWith('ExecStart='))).toEqual([
      expect.stringContaining(`-c "iptables-save -t filter | sed -n 's/^-A /-I /p' | grep -vxFf - desktop.rules.v4 | iptables-restore -w --noflush"`),
      expect.stringContaining(`-c "ip6tables-save -t filter | sed -n 's/^-A /-I /p' | grep -vxFf - desktop.rules.v6 | ip6tables-restore -w --noflush"`),
    ]);
    expect(unitProblems(join(r, 'etc/systemd/system/msgrfw-desktop.service'))).toBe('');
    expect(existsSync(join(r, 'etc/nftables.conf')) || existsSync(join(r, 'etc/iptables'))).toBe(false);
  });

  it("leaves other tools' files as they were: nftables.conf, netfilter-persistent's rules, their units, another firewall's files", () => {
    const r = root();
    const others: Record<string, string> = {
      'etc/nftables.conf': '#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter { chain input { type filter hook input priority 0; } }\n',
      'etc/iptables/rules.v4': '*filter\n-A INPUT -p tcp --dport 9 -j ACCEPT\nCOMMIT\n',
      'etc/iptables/rules.v6': '*filter\nCOMMIT\n',
      'etc/systemd/system/nftables.service.d/override.conf': '[Service]\nExecStart=\n',
      'etc/msgrfw/edge.nft': 'table inet msgr_edge {}\n',
    };
    for (const [path, text] of Object.entries(others)) {
      mkdirSync(dirname(join(r, path)), { recursive: true });
      writeFileSync(join(r, path), text);
    }
    writePersist(persistPlan(fwOf('lcs-host'), 'nftables', artefacts('lcs-host', 'nftables')), r);
    writePersist(persistPlan(fwOf('desktop'), 'iptables', artefacts('desktop', 'iptables')), r);
    for (const [path, text] of Object.entries(others)) expect(readFileSync(join(r, path), 'utf8')).toBe(text);
    expect(tree(r).filter((p) => !(p in others))).toEqual([
      'etc/msgrfw/desktop.rules.v4',
      'etc/msgrfw/desktop.rules.v6',
      'etc/msgrfw/lcs-host.nft',
      'etc/systemd/system/msgrfw-desktop.service',
      'etc/systemd/system/msgrfw-lcs-host.service',
      'etc/systemd/system/sysinit.target.wants/msgrfw-desktop.service -> /etc/systemd/system/msgrfw-desktop.service',
      'etc/systemd/system/sysinit.target.wants/msgrfw-lcs-host.service -> /etc/systemd/system/msgrfw-lcs-host.service',
    ]);
  });

  it('quotes for systemd: specifiers and variables doubled, quotes and backslashes escaped', () => {
    expect(systemdQuote(`a "b" \\ 100% $HOME`)).toBe(`"a \\"b\\" \\\\ 100%% $$HOME"`);
  });
});

kernelSuite('apply --persist: booting from the files', () => {
  let topo: Topology;
  const files = policyDir({ 'contoso.msgr': CONTOSO });
  const state = mkdtempSync(join(tmpdir(), 'msgrfw-state-'));
  const root = mkdtempSync(join(tmpdir(), 'msgrfw-root-'));
  beforeAll(async () => {
    topo = await buildTopology(LCS_HOST);
  });
  afterAll(async () => {
    await topo?.destroy();
    files.remove();
    rmSync(state, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs the unit's ExecStart lines as systemd would at boot, with /etc/msgrfw under the root. */
  async function boot(fw: string, how: 'ExecStart' | 'ExecReload' = 'ExecStart') {
    const unit = readFileSync(join(root, `etc/systemd/system/msgrfw-${fw}.service`), 'utf8');
    for (const line of section(unit, 'Service').filter((l) => l.startsWith(`${how}=`))) {
      const command = line.slice(how.length + 1).replaceAll('/etc/msgrfw', join(root, 'etc/msgrfw'));
      // The unit's quoting is systemd's; for these commands it is also the shell's.
      await topo.exec('host', ['sh', '-c', `cd '${join(root, 'etc/msgrfw')}' && ${command}`]);
    }
  }

  for (const [fw, target] of [['lcs-host', 'nftables'], ['desktop', 'iptables']] as const) {
    it(`${target}: apply --persist writes the files; a fresh boot (and a reload after it) loads exactly the policy`, async () => {
      await topo.exec('host', ['sh', '-c', 'nft flush ruleset']);
      const r = await msgrfwIn(topo, 'host', ['apply', files.path('contoso.msgr'), '-f', fw, '-t', target, '--yes', '--persist', '--root', root], { env: { MSGRFW_STATE_DIR: state } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`loads at boot (msgrfw-${fw}.service):\n  wrote ${join(root, 'etc/msgrfw', `${fw}.${target === 'nftables' ? 'nft' : 'rules.v4'}`)}`);
      await topo.exec('host', ['sh', '-c', 'nft flush ruleset']);
      await boot(fw);
      expect((await msgrfwIn(topo, 'host', ['verify', files.path('contoso.msgr'), '-f', fw, '-t', target])).code).toBe(0);
      await boot(fw, 'ExecReload');
      const again = await msgrfwIn(topo, 'host', ['verify', files.path('contoso.msgr'), '-f', fw, '-t', target]);
      expect(again.stdout).toContain('the live firewall does what the policy says');
    });
  }
});
