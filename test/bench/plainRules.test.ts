// The benchmark's plain-rules policies (bench/generate-rules.mjs) and the measuring it relies on
// (bench/measure.mjs): what the README's Performance section claims of them.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plainRulesCapircaDefinitions, plainRulesCapircaPolicies, plainRulesMsgrPolicy, plainRulesPlan } from '../../bench/generate-rules.mjs';
import { fitExponents, measure } from '../../bench/measure.mjs';
import { compilePolicy } from '../../src/compile.js';

const TARGETS = ['nftables', 'iptables', 'netsh', 'pf'];
const plainRulesOf = (text: string) => text.split('\n').filter((l) => /^ {4}(allow|deny) /.test(l));

describe('the plain-rules benchmark policy', () => {
  it('holds 50,000 plain rules, the most a firewall may have, within the 4 MiB a policy may have', () => {
    const text = plainRulesMsgrPolicy(plainRulesPlan(50_000), TARGETS);
    expect(plainRulesOf(text)).toHaveLength(50_000);
    expect(Buffer.byteLength(text)).toBeLessThan(4 * 2 ** 20);
  });

  it('is the same bytes every time', () => {
    expect(plainRulesMsgrPolicy(plainRulesPlan(3000), TARGETS)).toBe(plainRulesMsgrPolicy(plainRulesPlan(3000), TARGETS));
  });

  it('compiles for every target, with shadowed rules of both verdicts and merges for the optimiser', () => {
    const count = 3000;
    const r = compilePolicy(plainRulesMsgrPolicy(plainRulesPlan(count), TARGETS), 'plain.msgr');
    // No error: in particular no MSGR060 from Windows Firewall's block-before-allow order.
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const shadowed = r.diagnostics.filter((d) => d.code === 'MSGR070');
    expect(shadowed.length).toBeGreaterThan(count / 20);
    expect(shadowed.some((d) => /wins over this allow/.test(d.message))).toBe(true);
    expect(shadowed.some((d) => /already allows everything/.test(d.message))).toBe(true);
    const fw = r.ir!.firewalls.find((f) => f.name === 'dc')!;
    expect(fw.targets).toEqual(TARGETS);
    // Batches of offices become one rule each: far fewer rules than plain rules.
    expect(fw.rules.length).toBeLessThan(count / 2);
  });

  it('gives Capirca one term per plain rule, in the same order, with every name it uses defined', () => {
    const p = plainRulesPlan(500);
    const [pol] = plainRulesCapircaPolicies(p, TARGETS);
    const defs = plainRulesCapircaDefinitions(p);
    const msgr = plainRulesOf(plainRulesMsgrPolicy(p, TARGETS));
    const terms = [...pol!.text.split('header {')[1]!.matchAll(/term (r\d+|ssh-admins) \{([^}]*)\}/g)];
    expect(terms.map((t) => t[1])).toEqual([...msgr.slice(0, -1).map((_, k) => `r${k + 1}`), 'ssh-admins']);
    terms.slice(0, -1).forEach((t, k) => {
      const [, action, proto, ports, from, to] = /^\s+(allow|deny) (tcp|udp)(?: (.+?))? from (\S+) to (\S+)$/.exec(msgr[k]!)!;
      expect(t[2]).toContain(`action:: ${action === 'allow' ? 'accept' : 'deny'}`);
      expect(t[2]).toContain(`protocol:: ${proto}`);
      expect(t[2]).toContain(`source-address:: ${from!.toUpperCase()}\n`);
      expect(t[2]).toContain(`destination-address:: ${to!.toUpperCase()}\n`);
      const capircaPorts = /destination-port:: (.+)/.exec(t[2]!)?.[1];
      expect(capircaPorts).toBe(ports?.split(', ').map((port) => `${proto!.toUpperCase()}_${port.replace('-', '_')}`).join(' '));
    });
    const names = new Set([...defs['NETWORK.net'].matchAll(/^(\S+) =/gm)].map((m) => m[1]));
    for (const m of pol!.text.matchAll(/(?:source|destination)-address:: (\S+)/g)) expect(names).toContain(m[1]);
    const services = new Set([...defs['SERVICES.svc'].matchAll(/^(\S+) =/gm)].map((m) => m[1]));
    for (const m of pol!.text.matchAll(/destination-port:: (.+)/g)) for (const s of m[1]!.split(' ')) expect(services).toContain(s);
  });
});

describe('measuring a process', () => {
  it('ends a run at its timeout with every process it started', async () => {
    const m = await measure('sh', ['-c', 'sleep 30 & echo $! ; sleep 30'], { timeoutMs: 300 });
    expect(m.timedOut).toBe(true);
    expect(m.wallMs).toBeLessThan(10_000);
    // Gone, or a zombie its new parent has not reaped yet: no longer running either way.
    const background = Number(m.stdout.trim());
    const state = existsSync(`/proc/${background}/stat`) ? readFileSync(`/proc/${background}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  });

  it('fits the exponent of a power law', () => {
    const points = [1000, 10_000, 50_000].map((n) => ({ n, f: 1, y: 3 * n ** 1.1 }));
    expect(fitExponents(points).networks).toBeCloseTo(1.1, 6);
  });
});
