// apply in a network namespace, for nftables and iptables, IPv4 and IPv6: kept when confirmed;
// the exact previous ruleset back (`nft list ruleset`, `iptables-save`/`ip6tables-save` and
// `ipset save` compared with what they said before) after a timeout, another answer, stdin
// closed, SIGHUP, a yes typed ahead of the question, a failure halfway through, and SIGKILL
// (then the watchdog restores it); other tables, chains, rules and sets identical after every
// step; the lock-out guard refusing a policy that drops the simulated SSH connection and
// letting through one that allows it.
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../helpers.js';
import { kernelSuite } from '../kernel/capability.js';
import { buildTopology, type Topology } from '../kernel/topology.js';
import { gatewayWithSets, LCS_HOST, msgrfwIn, policyDir, startApply, type RunningApply } from '../verify/live.js';

const CONTOSO = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
/** The same deployment one version later: another SIP port, another management port. */
const CHANGED = CONTOSO.replace('sip tls                       # listens on 5061/tcp', 'sip tls port 5071').replace('allow tcp 22 from admins', 'allow tcp 2222 from admins');
/** lcs-host with a way in for its administrators: what the lock-out guard lets through. */
const MANAGED = CONTOSO.replace('    on lcs\n    targets netsh, nftables\n    default deny\n', '    on lcs\n    targets netsh, nftables\n    default deny\n    allow tcp 22 from admins\n');

const FOREIGN_NFT = `table inet other {
  set blocked { type ipv4_addr; elements = { 192.0.2.66 } }
  chain input {
    type filter hook input priority 10; policy accept;
    ip saddr @blocked counter drop comment "someone else's rule"
  }
}
table ip6 nat6 {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "eth9" masquerade; }
}
`;

const FOREIGN_IPT = [
  'iptables -N FOREIGN',
  'iptables -A FOREIGN -s 192.0.2.66 -j DROP',
  'iptables -A INPUT -j FOREIGN',
  'iptables -A INPUT -p tcp --dport 9 -j ACCEPT',
  'ip6tables -N FOREIGN6',
  'ip6tables -A FOREIGN6 -s 2001:db8:66::/48 -j DROP',
  'ip6tables -I INPUT -j FOREIGN6',
  'ipset create other-set hash:ip family inet',
  'ipset add other-set 192.0.2.1',
].join('; ');

kernelSuite('apply: confirm or roll back, in a network namespace', () => {
  let topo: Topology;
  const files = policyDir({ 'contoso.msgr': CONTOSO, 'changed.msgr': CHANGED, 'managed.msgr': MANAGED, 'sets.msgr': gatewayWithSets('sets', 10, 'iptables'), 'sets9.msgr': gatewayWithSets('sets', 9, 'iptables') });
  const state = mkdtempSync(join(tmpdir(), 'msgrfw-state-'));
  const env = { MSGRFW_STATE_DIR: state };
  const sh = async (script: string) => (await topo.exec('host', ['sh', '-c', script])).stdout;
  const apply = (file: string, args: string[], extra: Record<string, string> = {}) => startApply(topo, 'host', [files.path(file), ...args], { ...env, ...extra });
  const applied = async (file: string, args: string[]) => {
    const r = await msgrfwIn(topo, 'host', ['apply', files.path(file), '--yes', ...args], { env });
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  const verify = (file: string, args: string[]) => msgrfwIn(topo, 'host', ['verify', files.path(file), ...args], { env });
  const waitUntil = async (done: () => Promise<boolean>, ms: number) => {
    const until = Date.now() + ms;
    while (!(await done()) && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  };

  beforeAll(async () => {
    topo = await buildTopology(LCS_HOST);
  });
  afterAll(async () => {
    await topo?.destroy();
    files.remove();
    rmSync(state, { recursive: true, force: true });
  });

  /** Waits for the question, then settles it as `how` does; returns the exit status. */
  async function settleWith(run: RunningApply, how: (r: RunningApply) => void): Promise<number> {
    await run.waitFor(/Type yes and Enter within/);
    how(run);
    return run.exit;
  }

  describe('nftables (lcs-host, table inet msgr_lcs-host)', () => {
    const ruleset = () => sh('nft list ruleset');
    const foreign = () => sh('nft list table inet other; nft list table ip6 nat6');
    let foreignBefore = '';
    const unchangedForeign = async () => expect(await foreign()).toBe(foreignBefore);

    beforeAll(async () => {
      await sh('nft flush ruleset');
      await topo.exec('host', ['nft', '-f', '-'], { input: FOREIGN_NFT });
      foreignBefore = await foreign();
    });

    it('a first apply without confirmation leaves the ruleset exactly as it was (no table)', async () => {
      const before = await ruleset();
      const run = apply('contoso.msgr', ['-f', 'lcs-host', '--timeout', '2']);
      await run.waitFor(/Type yes/);
      expect(await sh('nft list tables')).toContain('table inet msgr_lcs-host');
      expect(await run.exit).toBe(1);
      expect(run.stderr()).toContain('no confirmation within 2 s: restored the rules firewall lcs-host (nftables) had before.');
      expect(await ruleset()).toBe(before);
    });

    it('apply + yes keeps the rules (IPv4 and IPv6); verify says 0; other tables untouched', async () => {
      const run = apply('contoso.msgr', ['-f', 'lcs-host']);
      expect(await settleWith(run, (r) => r.answer('yes'))).toBe(0);
      expect(run.stderr()).toContain('verify: the live firewall now does what the policy says.');
      const table = await sh('nft list table inet msgr_lcs-host');
      expect(table).toMatch(/ip saddr @clients_v4 tcp dport 5061 accept/);
      expect(table).toMatch(/ip6 saddr @clients_v6 tcp dport 5061 accept/);
      expect((await verify('contoso.msgr', ['-f', 'lcs-host'])).code).toBe(0);
      await unchangedForeign();
    });

    const endings: [string, (r: RunningApply) => void, number, string][] = [
      ['the timeout', () => {}, 1, 'no confirmation within 3 s'],
      ['another answer', (r) => r.answer('no'), 1, "the answer was 'no', not yes"],
      ['stdin closed', (r) => r.closeStdin(), 1, 'stdin was closed before a confirmation'],
      ['SIGHUP', (r) => r.signal('SIGHUP'), 129, 'SIGHUP arrived'],
      ['SIGTERM', (r) => r.signal('SIGTERM'), 143, 'SIGTERM arrived'],
    ];
    for (const [what, how, status, says] of endings) {
      it(`a changed policy, ended by ${what}: the exact previous ruleset is back`, async () => {
        const before = await ruleset();
        const run = apply('changed.msgr', ['-f', 'lcs-host', '--timeout', '3']);
        await run.waitFor(/Type yes/);
        expect(await sh('nft list table inet msgr_lcs-host')).toMatch(/tcp dport 5071 accept/);
        await unchangedForeign();
        expect(await settleWith(run, how)).toBe(status);
        expect(run.stderr()).toContain(`${says}: restored the rules firewall lcs-host (nftables) had before.`);
        expect(await ruleset()).toBe(before);
        await unchangedForeign();
      });
    }

    it('a yes typed before the question does not confirm: the connection the new rules leave must answer', async () => {
      const before = await ruleset();
      const run = apply('changed.msgr', ['-f', 'lcs-host', '--timeout', '2']);
      run.answer('yes');
      expect(await run.exit).toBe(1);
      expect(run.stderr()).toContain('(ignored 1 line(s) typed before the new rules were in place)');
      expect(await ruleset()).toBe(before);
    });

    it('SIGKILL while waiting: the watchdog restores the previous ruleset after the deadline; the next apply goes ahead', async () => {
      const before = await ruleset();
      const run = apply('changed.msgr', ['-f', 'lcs-host', '--timeout', '2']);
      await run.waitFor(/Type yes/);
      run.signal('SIGKILL');
      await run.exit;
      expect(await sh('nft list table inet msgr_lcs-host')).toMatch(/dport 5071/);
      const whilePending = await verify('contoso.msgr', ['-f', 'lcs-host']);
      expect(whilePending.stdout).toMatch(/note: an apply of this firewall .* is waiting for its confirmation/);
      await waitUntil(async () => (await ruleset()) === before, 40_000);
      expect(await ruleset()).toBe(before);
      const dir = readdirSync(state).map((d) => join(state, d, 'lcs-host.nftables'))[0]!;
      expect(readFileSync(join(dir, 'outcome.txt'), 'utf8')).toMatch(/rolled back by the watchdog/);
      await applied('contoso.msgr', ['-f', 'lcs-host']);
      await unchangedForeign();
    });

    it('a load that fails halfway is undone at once (exit 2); a dry run that fails changes nothing', async () => {
      const before = await ruleset();
      const bin = mkdtempSync(join(tmpdir(), 'msgrfw-fake-'));
      // An nft that refuses to load the artefact (not a check, not msgrfw's restore file).
      writeFileSync(
        join(bin, 'nft'),
        '#!/bin/sh\nif [ "$1" = "-f" ]; then t=$(mktemp); cat > "$t"; if head -1 "$t" | grep -q "^# msgrfw: table"; then /usr/sbin/nft -f "$t"; r=$?; rm -f "$t"; exit $r; fi; rm -f "$t"; echo "nft: simulated failure" >&2; exit 1; fi\nexec /usr/sbin/nft "$@"\n',
      );
      chmodSync(join(bin, 'nft'), 0o755);
      const path = `${bin}:${process.env.PATH}`;
      const run = apply('changed.msgr', ['-f', 'lcs-host', '--yes'], { PATH: path });
      expect(await run.exit).toBe(2);
      expect(run.stderr()).toContain('simulated failure');
      expect(run.stderr()).toContain('the rules could not be applied: restored the rules firewall lcs-host (nftables) had before.');
      expect(await ruleset()).toBe(before);
      writeFileSync(join(bin, 'nft'), '#!/bin/sh\n[ "$1" = "-c" ] && { echo "nft: simulated check failure" >&2; exit 1; }\nexec /usr/sbin/nft "$@"\n');
      const checked = apply('changed.msgr', ['-f', 'lcs-host', '--yes'], { PATH: path });
      expect(await checked.exit).toBe(2);
      expect(checked.stderr()).toContain('the nftables dry run refuses the rules of firewall lcs-host (nftables):\n  nft: simulated check failure\n  nothing was changed');
      expect(await ruleset()).toBe(before);
      rmSync(bin, { recursive: true, force: true });
    });

    it('the lock-out guard refuses a policy that drops the SSH connection (IPv4, IPv6), nothing changed; lets one that allows it through', async () => {
      const before = await ruleset();
      for (const connection of ['10.9.0.5 51000 10.1.1.10 22', '2001:db8:20::5 51000 2001:db8:1::10 22']) {
        const r = await msgrfwIn(topo, 'host', ['apply', files.path('contoso.msgr'), '-f', 'lcs-host', '--yes'], { env: { ...env, SSH_CONNECTION: connection } });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/contoso\.msgr:41:5: error MSGR080: applied from this SSH session .* firewall lcs-host would drop the next SSH login: .* is dropped by the input default \(deny\)/);
        expect(r.stderr).toContain('nothing was changed');
        expect(await ruleset()).toBe(before);
      }
      const ok = await msgrfwIn(topo, 'host', ['apply', files.path('managed.msgr'), '-f', 'lcs-host', '--yes'], { env: { ...env, SSH_CONNECTION: '::ffff:10.9.0.5 51000 10.1.1.10 22' } });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain('lock-out guard: a new SSH login from 10.9.0.5 is accepted by rule r1 (line 42).');
      const forced = await msgrfwIn(topo, 'host', ['apply', files.path('contoso.msgr'), '-f', 'lcs-host', '--yes', '--force'], { env: { ...env, SSH_CONNECTION: '192.0.2.7 40000 10.1.1.10 22' } });
      expect(forced.code, forced.stderr).toBe(0);
      await unchangedForeign();
    });
  });

  describe('iptables (desktop: chains MSGR-desktop-*, jumps from INPUT and OUTPUT; gw: ipset sets)', () => {
    /** Both families' filter tables and every set, with counters and dates out of the way. */
    const ruleset = async () =>
      (await sh('iptables-save; echo ---; ip6tables-save; echo ---; ipset save'))
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'))
        .join('\n');
    const foreign = async () => (await ruleset()).split('\n').filter((l) => !/MSGR-|msgr-/.test(l)).join('\n');
    let foreignBefore = '';
    const unchangedForeign = async () => expect(await foreign()).toBe(foreignBefore);

    beforeAll(async () => {
      await sh('nft flush ruleset; ipset destroy 2>/dev/null; true');
      await sh(FOREIGN_IPT);
      foreignBefore = await foreign();
    });

    it('a first apply without confirmation leaves both families and the sets exactly as they were', async () => {
      const before = await ruleset();
      const run = apply('contoso.msgr', ['-f', 'desktop', '--timeout', '2']);
      await run.waitFor(/Type yes/);
      expect(await sh('ip6tables-save')).toContain('-A INPUT -m comment --comment "msgrfw desktop" -j MSGR-desktop-IN');
      expect(await run.exit).toBe(1);
      expect(await ruleset()).toBe(before);
    });

    it('apply + yes keeps the rules (IPv4 and IPv6), the jumps first; verify says 0; the rest untouched', async () => {
      const run = apply('contoso.msgr', ['-f', 'desktop']);
      expect(await settleWith(run, (r) => r.answer('yes'))).toBe(0);
      expect(await sh('iptables -S INPUT 1')).toContain('-j MSGR-desktop-IN');
      expect(await sh('ip6tables -S INPUT 1')).toContain('-j MSGR-desktop-IN');
      expect(await sh('iptables -S MSGR-desktop-IN')).toContain('-s 10.9.0.0/24 -p tcp -m tcp --dport 22');
      expect((await verify('contoso.msgr', ['-f', 'desktop'])).code).toBe(0);
      await unchangedForeign();
    });

    it('after a hand-made change (a rule ahead of the jump), a rolled-back apply puts every jump back where it was', async () => {
      await sh('iptables -I INPUT 1 -p udp --dport 7 -j ACCEPT');
      foreignBefore = await foreign();
      const before = await ruleset();
      const run = apply('changed.msgr', ['-f', 'desktop', '--timeout', '3']);
      await run.waitFor(/Type yes/);
      expect(await sh('iptables -S MSGR-desktop-IN')).toContain('--dport 2222');
      expect(await settleWith(run, (r) => r.signal('SIGHUP'))).toBe(129);
      expect(await ruleset()).toBe(before);
      await unchangedForeign();
    });

    it('SIGKILL while waiting: the watchdog restores both families', async () => {
      const before = await ruleset();
      const run = apply('changed.msgr', ['-f', 'desktop', '--timeout', '2']);
      await run.waitFor(/Type yes/);
      run.signal('SIGKILL');
      await run.exit;
      await waitUntil(async () => (await ruleset()) === before, 40_000);
      expect(await ruleset()).toBe(before);
    });

    it('IPv6 failing after IPv4 was applied: both are undone (exit 2)', async () => {
      const before = await ruleset();
      const ns = (await sh('readlink /proc/self/ns/net')).trim();
      const bin = mkdtempSync(join(tmpdir(), 'msgrfw-fake-'));
      // Fails to restore msgrfw's artefact in this namespace only (the dry run's private one passes).
      writeFileSync(
        join(bin, 'ip6tables-restore'),
        `#!/bin/sh\nt=$(mktemp); cat > "$t"\nif [ "$(readlink /proc/self/ns/net)" = "${ns}" ] && head -1 "$t" | grep -q "^# Generated by msgrfw"; then rm -f "$t"; echo "ip6tables-restore: simulated failure" >&2; exit 1; fi\n/usr/sbin/ip6tables-restore "$@" < "$t"; r=$?; rm -f "$t"; exit $r\n`,
      );
      chmodSync(join(bin, 'ip6tables-restore'), 0o755);
      const run = apply('changed.msgr', ['-f', 'desktop', '--yes'], { PATH: `${bin}:${process.env.PATH}` });
      expect(await run.exit).toBe(2);
      expect(run.stderr()).toContain('simulated failure');
      expect(await ruleset()).toBe(before);
      rmSync(bin, { recursive: true, force: true });
    });

    it('ipset sets: a rollback gives them their members back, and removes those the apply created', async () => {
      const empty = await ruleset();
      const first = apply('sets.msgr', ['-f', 'gw', '--timeout', '2']);
      await first.waitFor(/Type yes/);
      expect(await sh('ipset list -n')).toContain('msgr-gw-clients-v4');
      expect(await first.exit).toBe(1);
      expect(await ruleset()).toBe(empty);
      await applied('sets.msgr', ['-f', 'gw']);
      const before = await ruleset();
      const run = apply('sets9.msgr', ['-f', 'gw', '--timeout', '2']);
      await run.waitFor(/Type yes/);
      expect(await sh('ipset list msgr-gw-clients-v4')).not.toContain('10.48.0.0/16');
      expect(await run.exit).toBe(1);
      expect(await ruleset()).toBe(before);
      expect((await verify('sets.msgr', ['-f', 'gw'])).code).toBe(0);
      await unchangedForeign();
    });

    it('the lock-out guard on iptables: the admins get in, anyone else is refused', async () => {
      const refused = await msgrfwIn(topo, 'host', ['apply', files.path('contoso.msgr'), '-f', 'desktop', '--yes'], { env: { ...env, SSH_CONNECTION: '192.0.2.5 51000 10.20.0.5 22' } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('error MSGR080');
      const ok = await msgrfwIn(topo, 'host', ['apply', files.path('contoso.msgr'), '-f', 'desktop', '--yes'], { env: { ...env, SSH_CONNECTION: '10.9.0.5 51000 10.20.0.5 22' } });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain('lock-out guard: a new SSH login from 10.9.0.5 is accepted by rule r1 (line 35).');
    });
  });

  it('refuses before changing anything: no confirmation possible, not a Linux target, a policy with errors', async () => {
    const before = await sh('nft list ruleset');
    const closed = await msgrfwIn(topo, 'host', ['apply', files.path('contoso.msgr'), '-f', 'lcs-host'], { env, input: '' });
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('nothing could confirm the new rules: stdin is closed');
    const pf = await msgrfwIn(topo, 'host', ['apply', files.path('contoso.msgr'), '-f', 'edge', '-t', 'pf'], { env });
    expect(pf.code).toBe(2);
    const broken = policyDir({ 'b.msgr': 'deployment x {\n  network a = 10.0.0.0/33\n}\n' });
    const errors = await msgrfwIn(topo, 'host', ['apply', broken.path('b.msgr'), '--yes'], { env });
    broken.remove();
    expect(errors.code).toBe(1);
    expect(errors.stderr).toContain('MSGR013');
    expect(await sh('nft list ruleset')).toBe(before);
  });
});
