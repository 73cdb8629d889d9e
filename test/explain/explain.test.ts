import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { parsePacket, type Packet } from '../../src/evaluate/packet.js';
import { firewallViews } from '../../src/evaluate/view.js';
import { explainPacket, type Explanation } from '../../src/explain/explain.js';
import { renderExplanation } from '../../src/explain/render.js';
import { neutralise, quoteLine } from '../../src/explain/source.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, ROOT } from '../helpers.js';

const CONTOSO = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** `quoted`: the text the lines are quoted from, when it is not the text compiled. */
function explain(text: string, packetText: string, firewall?: string, quoted = text): Explanation {
  const { ir } = compilePolicy(text, 'site.msgr');
  const r = parsePacket(packetText);
  if (!ir || !r.ok) throw new Error('bad test input');
  const source = { file: 'site.msgr', text: quoted };
  return explainPacket({ views: firewallViews(ir), source }, r.packet as Packet, firewall);
}

describe('explainPacket', () => {
  it('names the deciding rule, its Messenger catalog entry and the policy lines it comes from, quoted', () => {
    const x = explain(CONTOSO, 'tcp 10.20.0.5:51000 -> 198.51.100.7:6891');
    const edge = x.evaluations.find((e) => e.firewall === 'edge')!;
    expect(edge).toMatchObject({ direction: 'forward', verdict: 'accept', placement: 'gateway between clients and partners' });
    expect(edge.decidedBy).toMatchObject({
      kind: 'rule',
      rule: { id: 'r1', match: 'forward accept tcp ipv4 from clients (10.20.0.0/16) to partners (198.51.100.0/24) dport 1503,6891-6900' },
    });
    if (edge.decidedBy.kind !== 'rule') throw new Error('unreachable');
    // Port 6891 is file transfer's, not T.120's: only that catalog entry is named.
    expect(edge.decidedBy.rule.catalog.map((c) => c.id)).toEqual(['file-transfer']);
    expect(edge.decidedBy.rule.catalog[0]!.source).toMatch(/KB 903056/);
    const features = lineOf(CONTOSO, 'features im');
    const peers = lineOf(CONTOSO, 'peers peers');
    expect(edge.decidedBy.lines.map((l) => [l.line, l.source])).toEqual([
      [features, 'features im, presence, whiteboard, application-sharing, file-transfer, audio, video'],
      [peers, 'peers peers                   # whom the peer-to-peer features may reach'],
    ]);
  });

  it('explains every firewall that judges the packet, and only those', () => {
    const x = explain(CONTOSO, 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503');
    expect(x.evaluations.map((e) => `${e.firewall}/${e.direction}/${e.verdict}`)).toEqual(['edge/forward/accept', 'desktop/output/accept']);
    const desktop = x.evaluations[1]!.decidedBy;
    // outbound is left out of the policy: the firewall line stands for it.
    expect(desktop).toMatchObject({ kind: 'policy', direction: 'output', verdict: 'accept', written: false, lines: [{ line: lineOf(CONTOSO, 'firewall desktop') }] });
  });

  it('quotes the default statement for a policy decision, and explains return traffic', () => {
    const x = explain(CONTOSO, 'tcp 10.1.1.10:5061 -> 10.20.0.5:51000', 'desktop');
    const desktopDefault = lineOf(CONTOSO, 'firewall desktop') + 3;
    expect(CONTOSO.split('\n')[desktopDefault - 1]!.trim()).toBe('default deny');
    expect(x.evaluations).toHaveLength(1);
    expect(x.evaluations[0]).toMatchObject({
      direction: 'input',
      verdict: 'return-only',
      decidedBy: {
        kind: 'return-traffic',
        reverse: { text: 'tcp 10.20.0.5:51000 -> 10.1.1.10:5061' },
        direction: 'output',
        asNewConnection: { kind: 'policy', verdict: 'drop', written: true, lines: [{ line: desktopDefault, source: 'default deny' }] },
        openedBy: { kind: 'policy', direction: 'output', verdict: 'accept' },
      },
    });
    const text = renderExplanation(x);
    expect(text).toContain('desktop (host firewall on clients), input: DROP as a new connection; passes as return traffic');
    expect(text).toContain('allowed as return traffic of a connection opened by the other side: tcp 10.20.0.5:51000 -> 10.1.1.10:5061 (output)');
  });

  it('says why a chosen firewall does not see the packet', () => {
    const x = explain(CONTOSO, 'tcp 192.0.2.9:40000 -> 10.20.0.5:1503', 'edge');
    expect(x.evaluations).toEqual([
      expect.objectContaining({ firewall: 'edge', verdict: 'not-seen', decidedBy: { kind: 'not-seen', reason: expect.stringMatching(/from one of clients and partners to another/) } }),
    ]);
    expect(renderExplanation(explain(CONTOSO, 'tcp 192.0.2.9:40000 -> 192.0.2.10:1503'))).toContain('no firewall of the policy judges this packet');
  });

  it('explains a plain rule as such', () => {
    const x = explain(CONTOSO, 'tcp 10.9.0.7:40000 -> 10.20.0.5:22');
    const d = x.evaluations.find((e) => e.firewall === 'desktop')!.decidedBy;
    expect(d).toMatchObject({ kind: 'rule', rule: { catalog: [] }, lines: [{ source: expect.stringMatching(/^allow tcp 22 from admins/) }] });
    expect(renderExplanation(x)).toContain('a plain rule of the firewall');
  });

  it('never passes control characters of a policy line through', () => {
    // The parser refuses such a policy (MSGR007); the quoting holds on its own, for text that
    // reaches it some other way (a file changed between compiling and quoting).
    const evil = CONTOSO.replace('# a plain rule for traffic', '# \u001b[2J\u202e a plain rule for traffic');
    expect(compilePolicy(evil, 'site.msgr').diagnostics.map((d) => d.code)).toContain('MSGR007');
    const x = explain(CONTOSO, 'tcp 10.9.0.7:40000 -> 10.20.0.5:22', undefined, evil);
    const text = renderExplanation(x);
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text).toContain('# \\u{1b}[2J\\u{202e} a plain rule');
    expect(neutralise('a\u0000b\u0085c\u2066d\te')).toBe('a\\u{0}b\\u{85}c\\u{2066}d e');
    expect(quoteLine({ file: 'f', text: 'one\r\ntwo\n' }, 2)).toBe('two');
    expect(quoteLine({ file: 'f', text: 'one' }, 9)).toBe('');
  });

  it('explains a call between clients blocks by each side\'s media statement, and a dropped one by the default statement', () => {
    const calls = readFileSync(join(ROOT, 'test/kernel/fixtures/calls.msgr'), 'utf8');
    const verdicts = (packet: string) => explain(calls, packet).evaluations.map((e) => `${e.firewall}/${e.direction}/${e.verdict}`);
    // The calls: a:50000 <-> b:52000 pass; a:50000 -> b:50001 and b:52000 -> a:52001 do not.
    expect(verdicts('udp 10.40.0.5:50000 -> 10.41.0.5:52000')).toEqual(['calls-gw/forward/accept', 'b-host/input/accept']);
    expect(verdicts('udp [2001:db8:41::5]:52000 -> [2001:db8:40::5]:50000')).toEqual(['calls-gw/forward/accept', 'b-host/output/accept']);
    expect(verdicts('udp 10.40.0.5:50000 -> 10.41.0.5:50001')).toEqual(['calls-gw/forward/drop', 'b-host/input/drop']);
    expect(verdicts('udp [2001:db8:41::5]:52000 -> [2001:db8:40::5]:52001')).toEqual(['calls-gw/forward/drop', 'b-host/output/drop']);
    const gw = explain(calls, 'udp 10.40.0.5:50000 -> 10.41.0.5:52000', 'calls-gw').evaluations[0]!.decidedBy;
    expect(gw).toMatchObject({ kind: 'rule', rule: { catalog: [{ id: 'rtp' }], match: expect.stringMatching(/from a .* to b .* sport 50000-50007 dport 52000-52007$/) } });
    if (gw.kind !== 'rule') throw new Error('unreachable');
    expect(gw.lines.map((l) => l.source)).toEqual(expect.arrayContaining(['media ports 50000-50007', 'media ports 52000-52007']));
    const dropped = explain(calls, 'udp 10.40.0.5:50000 -> 10.41.0.5:50001', 'calls-gw').evaluations[0]!.decidedBy;
    expect(dropped).toMatchObject({ kind: 'policy', direction: 'forward', written: true, lines: [{ line: lineOf(calls, 'default deny'), source: 'default deny' }] });
  });
});
