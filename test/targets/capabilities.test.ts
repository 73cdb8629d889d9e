import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IR_TARGETS, isIrTarget } from '../../src/ir/targets.js';
import { EXACT, IR_MATCHES, type IrMatch, type Support, type TargetCapabilities } from '../../targets/capability.js';
import { emitTargets } from '../../targets/emit.js';
import { TARGET_REGISTRY } from '../../targets/index.js';
import { judgeFirewall, requirementsOf, TARGET_CAPABILITIES, targetDiagnostics, targetFindings } from '../../targets/judge.js';
import { EXAMPLES, irOf, ROOT } from '../helpers.js';

const contoso = () => irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'contoso.msgr');
const fwOf = (name: string) => contoso().firewalls.find((f) => f.name === name)!;

describe('one list of targets', () => {
  it('the registry and the capabilities are complete records over the IR target names, in one order', () => {
    expect(IR_TARGETS).toEqual(['nftables', 'iptables', 'netsh', 'pf']);
    expect(Object.keys(TARGET_REGISTRY)).toEqual(IR_TARGETS);
    expect(Object.keys(TARGET_CAPABILITIES)).toEqual(IR_TARGETS);
    for (const t of IR_TARGETS) expect(TARGET_REGISTRY[t].name).toBe(t);
    expect(isIrTarget('pf')).toBe(true);
    expect(isIrTarget('gpo')).toBe(false);
    expect(isIrTarget('toString')).toBe(false);
  });

  it('resolve accepts exactly those names in a targets statement', () => {
    const text = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
    for (const t of IR_TARGETS) expect(() => irOf(text.replace('targets nftables, pf', `targets ${t}`))).not.toThrow();
    expect(() => irOf(text.replace('targets nftables, pf', 'targets gpo'))).toThrow(/MSGR037 unknown target 'gpo'/);
  });
});

describe('what a firewall asks of a target, from its IR', () => {
  it('contoso: a gateway with logging, hosts with the ICMP preamble', () => {
    expect(requirementsOf(fwOf('edge'))).toEqual({ placement: 'gateway', families: [4, 6], matches: ['connection-state', 'icmp', 'log-denied'] });
    expect(requirementsOf(fwOf('desktop'))).toEqual({ placement: 'host', families: [4, 6], matches: ['connection-state', 'icmp', 'nd-hop-limit'] });
  });
});

describe('judging a firewall', () => {
  it('contoso on every target: netsh refuses the gateway, pf approximates the hosts, the rest is exact', () => {
    const table = Object.fromEntries(
      contoso().firewalls.map((fw) => [fw.name, Object.fromEntries(IR_TARGETS.map((t) => [t, judgeFirewall(fw, t).map((f) => f.kind).join(',') || 'exact']))]),
    );
    expect(table).toEqual({
      edge: { nftables: 'exact', iptables: 'exact', netsh: 'refused', pf: 'exact' },
      desktop: { nftables: 'exact', iptables: 'exact', netsh: 'exact', pf: 'approximated' },
      'lcs-host': { nftables: 'exact', iptables: 'exact', netsh: 'exact', pf: 'approximated' },
    });
  });

  it('declared data decides: a family or match a target lacks is refused, one it approximates is a warning; a refused placement ends it', () => {
    const none: Support = { level: 'none', why: 'no IPv6 here', instead: 'use another target' };
    const rough: Support = { level: 'approximate', how: 'logs without a rate limit' };
    const caps: TargetCapabilities = {
      ...TARGET_CAPABILITIES.nftables,
      families: { 4: EXACT, 6: none },
      matches: { ...TARGET_CAPABILITIES.nftables.matches, 'log-denied': rough },
    };
    expect(judgeFirewall(fwOf('edge'), 'nftables', caps)).toEqual([
      { kind: 'refused', message: 'no IPv6 here', hint: 'use another target' },
      { kind: 'approximated', message: 'logs without a rate limit' },
    ]);
    const noGateway: TargetCapabilities = { ...caps, placements: { host: EXACT, gateway: none } };
    expect(judgeFirewall(fwOf('edge'), 'nftables', noGateway)).toEqual([
      { kind: 'refused', message: 'edge is a gateway between clients and partners: no IPv6 here', hint: 'use another target' },
    ]);
    expect(judgeFirewall(fwOf('edge'), 'nftables', { ...caps, order: 'block-before-allow' })).toHaveLength(2);
  });

  it('a firewall a target refuses is never rendered for it; every other one renders', () => {
    for (const e of EXAMPLES) {
      const doc = irOf(e.text, e.name);
      for (const target of IR_TARGETS) {
        const { files, problems } = emitTargets(doc, { target });
        for (const fw of doc.firewalls) {
          const refused = judgeFirewall(fw, target).some((f) => f.kind === 'refused');
          expect(problems.some((p) => p.firewall.name === fw.name), `${e.name} ${fw.name} ${target}`).toBe(refused);
          expect(files.some((f) => f.firewall.name === fw.name), `${e.name} ${fw.name} ${target}`).toBe(!refused);
        }
      }
    }
  });

  it('what pf approximates is real: its host rules have no hop-limit check where nftables has one', () => {
    const doc = contoso();
    const desktop = doc.firewalls.find((f) => f.name === 'desktop')!;
    const nft = TARGET_REGISTRY.nftables.render(doc, desktop)[0]!.content;
    const pf = TARGET_REGISTRY.pf.render(doc, desktop)[0]!.content;
    expect(nft).toMatch(/nd-neighbor-solicit.*ip6 hoplimit 255 accept/);
    expect(pf).toMatch(/neighbrsol/);
    expect(pf).not.toMatch(/hoplimit|hop-limit|ttl/);
  });
});

describe('findings as diagnostics', () => {
  const text = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text.replace('targets nftables, pf', 'targets nftables, netsh, pf');
  const targetsLine = text.split('\n').findIndex((l) => l.includes('targets nftables, netsh, pf')) + 1;

  it("point at the firewall's targets statement, with a hint", () => {
    const [d] = targetDiagnostics(irOf(text, 'site.msgr'), 'site.msgr');
    expect(d).toEqual({
      code: 'MSGR060',
      severity: 'error',
      file: 'site.msgr',
      line: targetsLine,
      column: 5,
      message: expect.stringMatching(/^target netsh, firewall edge: edge is a gateway between clients and partners: Windows Firewall \(netsh\) filters only/),
      hint: 'use nftables, iptables or pf for a gateway, or write a host firewall (`on NET`) for netsh; or remove netsh from the targets of firewall edge',
    });
  });

  it('a target forced with -t points at the firewall, and says so in the hint', () => {
    const ds = targetDiagnostics(contoso(), 'contoso.msgr', { target: 'pf' });
    expect(ds.map((d) => [d.code, d.line, d.message.slice(0, 36), d.hint])).toEqual([
      ['MSGR061', 31, 'target pf, firewall desktop: pf cann', 'if that matters here, compile firewall desktop for another target'],
      ['MSGR061', 38, 'target pf, firewall lcs-host: pf can', 'if that matters here, compile firewall lcs-host for another target'],
    ]);
    expect(targetFindings(contoso(), { target: 'pf', firewall: 'edge' })).toEqual([]);
  });
});

/** The README's table of what each target can express, written from the declared data. */
function capabilityTable(): string {
  const MATCH_LABELS: Record<IrMatch, string> = {
    'connection-state': 'return traffic, invalid',
    icmp: 'ICMP errors, path MTU',
    'nd-hop-limit': 'IPv6 ND hop limit 255',
    'log-denied': '`log denied`',
    'icmp-rules': 'ICMP rules (`allow icmp …`)',
  };
  const cell = (s: Support) => (s.level === 'exact' ? 'yes' : s.level === 'approximate' ? 'approximately (MSGR061)' : 'no (MSGR060)');
  const head = ['target', 'host (`on`)', 'gateway (`between`)', 'IPv4', 'IPv6', ...IR_MATCHES.map((m) => MATCH_LABELS[m]), 'rule order'];
  const rows = IR_TARGETS.map((t) => {
    const c = TARGET_CAPABILITIES[t];
    const order = c.order === 'first-match' ? 'first match' : 'block before allow: a deny after an overlapping allow is refused (MSGR060)';
    return [t, cell(c.placements.host), cell(c.placements.gateway), cell(c.families[4]), cell(c.families[6]), ...IR_MATCHES.map((m) => cell(c.matches[m])), order];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const notes = IR_TARGETS.flatMap((t) => {
    const c = TARGET_CAPABILITIES[t];
    const said = (what: string, s: Support) =>
      s.level === 'none' ? [`- ${t}, ${what}: ${s.why}; ${s.instead}.`] : s.level === 'approximate' ? [`- ${t}, ${what}: ${s.how}.`] : [];
    return [
      ...said('gateway', c.placements.gateway),
      ...said('host firewall', c.placements.host),
      ...([4, 6] as const).flatMap((f) => said(`IPv${f}`, c.families[f])),
      ...IR_MATCHES.flatMap((m) => said(MATCH_LABELS[m], c.matches[m])),
      ...(c.judge ? [`- ${t} also ${c.judge.about}.`] : []),
      `- ${t}, size (MSGR053 past 64 MiB a file): ${c.size.about}.`,
    ];
  });
  return [line(head), line(head.map(() => '---')), ...rows.map(line), '', ...notes].join('\n');
}

describe('the README', () => {
  it("'What each target can express' is the declared data (UPDATE_GOLDEN=1 rewrites it)", () => {
    const path = join(ROOT, 'README.md');
    const readme = readFileSync(path, 'utf8');
    const block = /(<!-- capabilities:start[^\n]*-->\n)([\s\S]*?)(\n<!-- capabilities:end -->)/;
    const m = block.exec(readme);
    expect(m, 'README has no <!-- capabilities:start --> … <!-- capabilities:end --> block').not.toBeNull();
    if (process.env.UPDATE_GOLDEN && m![2] !== capabilityTable()) writeFileSync(path, readme.replace(block, (_all, start: string, _old, end: string) => `${start}${capabilityTable()}${end}`));
    else expect(m![2]).toBe(capabilityTable());
  });
});
