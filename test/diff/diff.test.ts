import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { diffPolicies, type FirewallDiff, type PolicyVersion, type TrafficClass } from '../../src/diff/diff.js';
import { renderDiff } from '../../src/diff/render.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, ROOT } from '../helpers.js';

const CONTOSO = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;

function version(text: string, file: string): PolicyVersion {
  const { ir, diagnostics } = compilePolicy(text, file);
  if (!ir) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return { ir, source: { file, text } };
}

const diff = (oldText: string, newText: string) => diffPolicies(version(oldText, 'old.msgr'), version(newText, 'new.msgr'));
const firewall = (d: ReturnType<typeof diff>, name: string) => d.firewalls.find((f) => f.name === name)!;
const row = (c: TrafficClass) =>
  `${c.protocol} ${c.direction} v${c.family} ${c.src.join(',')} -> ${c.dst.join(',')} ${c.icmpTypes ? `type ${c.icmpTypes.join(',')}` : `sport ${c.srcPorts!.join(',')} dport ${c.dstPorts!.join(',')}`}`;
const rows = (fw: FirewallDiff, kind: 'newlyAllowed' | 'newlyDenied') => fw[kind].flatMap((c) => c.classes.map(row));
const ports = (list: string[]) => list.reduce((n, r) => n + (r.includes('-') ? Number(r.split('-')[1]) - Number(r.split('-')[0]) + 1 : 1), 0);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('diffPolicies', () => {
  it('widening the media range newly allows exactly the new udp port pairs, on edge and desktop, tied to the media ports line', () => {
    const wide = CONTOSO.replace('media ports 50000-50039', 'media ports 50000-50059');
    const d = diff(CONTOSO, wide);
    expect(d.changed).toBe(true);
    const edge = firewall(d, 'edge');
    // From a media port to a media port: the 60x60 square minus the old 40x40 one, each way.
    expect(rows(edge, 'newlyAllowed')).toEqual([
      'udp forward v4 10.20.0.0/16 -> 198.51.100.0/24 sport 50000-50039 dport 50040-50059',
      'udp forward v4 10.20.0.0/16 -> 198.51.100.0/24 sport 50040-50059 dport 50000-50059',
      'udp forward v4 198.51.100.0/24 -> 10.20.0.0/16 sport 50000-50039 dport 50040-50059',
      'udp forward v4 198.51.100.0/24 -> 10.20.0.0/16 sport 50040-50059 dport 50000-50059',
    ]);
    expect(edge.newlyDenied).toEqual([]);
    const [change] = edge.newlyAllowed;
    expect(change!.new).toMatchObject({ kind: 'rule', verdict: 'accept', rules: [{ catalog: [{ id: 'rtp' }] }, { catalog: [{ id: 'rtp' }] }] });
    expect(change!.new.lines).toContainEqual(expect.objectContaining({ file: 'new.msgr', line: lineOf(wide, 'media ports'), source: expect.stringMatching(/^media ports 50000-50059/) }));
    expect(change!.old).toMatchObject({ kind: 'policy', verdict: 'drop', defaults: [{ direction: 'forward', written: true }], lines: [{ file: 'old.msgr', source: 'default deny' }] });

    const desktop = firewall(d, 'desktop');
    expect(rows(desktop, 'newlyAllowed')).toEqual([
      'udp input v4 10.20.0.0/16,198.51.100.0/24 -> 10.20.0.0/16 sport 50000-50039 dport 50040-50059',
      'udp input v4 10.20.0.0/16,198.51.100.0/24 -> 10.20.0.0/16 sport 50040-50059 dport 50000-50059',
      'udp input v6 2001:db8:20::/48 -> 2001:db8:20::/48 sport 50000-50039 dport 50040-50059',
      'udp input v6 2001:db8:20::/48 -> 2001:db8:20::/48 sport 50040-50059 dport 50000-50059',
    ]);
    expect(desktop.newlyAllowed[0]!.new.lines.map((l) => l.line)).toContain(lineOf(wide, 'media ports'));
    expect(firewall(d, 'lcs-host')).toMatchObject({ status: 'unchanged', newlyAllowed: [], newlyDenied: [], rules: { added: [], removed: [] } });
    // The rule listing shows the reworded rules, by match text.
    expect(edge.rules.added).toContain('forward accept udp ipv4 from clients (10.20.0.0/16) to partners (198.51.100.0/24) sport 50000-50059 dport 50000-50059');
    expect(edge.rules.removed).toContain('forward accept udp ipv4 from clients (10.20.0.0/16) to partners (198.51.100.0/24) sport 50000-50039 dport 50000-50039');
  });

  it('reports ICMP queries by type: a ping rule widened to every query, and a deny dropped', () => {
    const monitored = readFileSync(join(ROOT, 'test/kernel/fixtures/monitored.msgr'), 'utf8');
    const wider = monitored.replace('allow icmp echo-request from monitor', 'allow icmp from monitor').replace(/^\s*deny icmp from 10\.50\.0\.66.*\n/m, '');
    const srv = firewall(diff(monitored, wider), 'srv-host');
    expect(srv.status).toBe('changed');
    // Grouped by what decided them before: the deny of 10.50.0.66 (both queries), the default (the others' timestamps).
    expect(rows(srv, 'newlyAllowed').sort()).toEqual([
      'icmp input v4 10.50.0.0/26,10.50.0.64/31,10.50.0.67,10.50.0.68/30,10.50.0.72/29,10.50.0.80/28,10.50.0.96/27,10.50.0.128/25 -> 10.1.1.10 type timestamp-request',
      'icmp input v4 10.50.0.66 -> 10.1.1.10 type echo-request,timestamp-request',
    ]);
    expect(srv.newlyDenied).toEqual([]);
    const byDefault = srv.newlyAllowed.find((c) => c.old.kind === 'policy')!;
    expect(byDefault.new).toMatchObject({ kind: 'rule', verdict: 'accept', lines: [{ source: expect.stringMatching(/^allow icmp from monitor/) }] });
    expect(srv.newlyAllowed.find((c) => c.old.kind === 'rule')!.old).toMatchObject({ verdict: 'drop', lines: [{ source: expect.stringMatching(/^deny icmp from 10\.50\.0\.66/) }] });
    const byRule = byDefault;
    expect(byRule.classes[0]).not.toHaveProperty('srcPorts');
  });

  it("moving b to its own media range moves its calls there: a -> b newly allowed into b's range, denied into a's", () => {
    const calls = readFileSync(join(ROOT, 'test/kernel/fixtures/calls.msgr'), 'utf8');
    const shared = calls.replace('media ports 52000-52007', 'media ports 50000-50007');
    const gw = firewall(diff(shared, calls), 'calls-gw');
    expect(rows(gw, 'newlyAllowed')).toEqual([
      'udp forward v4 10.40.0.0/16 -> 10.41.0.0/16 sport 50000-50007 dport 52000-52007',
      'udp forward v4 10.41.0.0/16 -> 10.40.0.0/16 sport 52000-52007 dport 50000-50007',
      'udp forward v6 2001:db8:40::/48 -> 2001:db8:41::/48 sport 50000-50007 dport 52000-52007',
      'udp forward v6 2001:db8:41::/48 -> 2001:db8:40::/48 sport 52000-52007 dport 50000-50007',
    ]);
    expect(rows(gw, 'newlyDenied')).toEqual([
      'udp forward v4 10.40.0.0/16 -> 10.41.0.0/16 sport 50000-50007 dport 50000-50007',
      'udp forward v4 10.41.0.0/16 -> 10.40.0.0/16 sport 50000-50007 dport 50000-50007',
      'udp forward v6 2001:db8:40::/48 -> 2001:db8:41::/48 sport 50000-50007 dport 50000-50007',
      'udp forward v6 2001:db8:41::/48 -> 2001:db8:40::/48 sport 50000-50007 dport 50000-50007',
    ]);
    expect(gw.newlyAllowed[0]!.new.lines.map((l) => l.source)).toEqual(expect.arrayContaining(['media ports 50000-50007', 'media ports 52000-52007']));
  });

  it('is exact for any change of the media range (property)', () => {
    const range = fc.tuple(fc.integer({ min: 40000, max: 40100 }), fc.integer({ min: 4, max: 60 })).map(([from, n]) => ({ from, to: from + n }));
    fc.assert(
      fc.property(range, range, (a, b) => {
        const at = (r: { from: number; to: number }) => CONTOSO.replace('media ports 50000-50039', `media ports ${r.from}-${r.to}`);
        const edge = firewall(diff(at(a), at(b)), 'edge');
        // Per direction: |B² − A²| port pairs newly allowed, |A² − B²| newly denied.
        const overlap = Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from) + 1);
        const size = (r: { from: number; to: number }) => r.to - r.from + 1;
        const pairs = (fw: FirewallDiff, kind: 'newlyAllowed' | 'newlyDenied') =>
          fw[kind].flatMap((c) => c.classes).reduce((n, c) => n + ports(c.srcPorts!) * ports(c.dstPorts!), 0);
        expect(pairs(edge, 'newlyAllowed')).toBe(2 * (size(b) ** 2 - overlap ** 2));
        expect(pairs(edge, 'newlyDenied')).toBe(2 * (size(a) ** 2 - overlap ** 2));
      }),
      { numRuns: 12 },
    );
  });

  it('removing file-transfer newly denies 6891-6900/tcp, tied to the old features line', () => {
    const d = diff(CONTOSO, CONTOSO.replace('application-sharing, file-transfer, audio', 'application-sharing, audio'));
    const edge = firewall(d, 'edge');
    expect(rows(edge, 'newlyDenied')).toEqual([
      'tcp forward v4 10.20.0.0/16 -> 198.51.100.0/24 sport 1-65535 dport 6891-6900',
      'tcp forward v4 198.51.100.0/24 -> 10.20.0.0/16 sport 1-65535 dport 6891-6900',
    ]);
    expect(edge.newlyAllowed).toEqual([]);
    const [change] = edge.newlyDenied;
    expect(change!.old).toMatchObject({ kind: 'rule', verdict: 'accept', rules: [{ catalog: [{ id: 'file-transfer' }] }, { catalog: [{ id: 'file-transfer' }] }] });
    expect(change!.old.lines[0]).toMatchObject({ file: 'old.msgr', line: lineOf(CONTOSO, 'features im'), source: expect.stringContaining('file-transfer') });
    expect(change!.new).toMatchObject({ kind: 'policy', verdict: 'drop', lines: [{ file: 'new.msgr' }] });
    expect(rows(firewall(d, 'desktop'), 'newlyDenied')).toEqual([
      'tcp input v4 10.20.0.0/16,198.51.100.0/24 -> 10.20.0.0/16 sport 1-65535 dport 6891-6900',
      'tcp input v6 2001:db8:20::/48 -> 2001:db8:20::/48 sport 1-65535 dport 6891-6900',
    ]);
  });

  it('adding a deny plain rule newly denies its class, tied to the old allow and the new deny', () => {
    const withDeny = CONTOSO.replace(/(allow tcp 22 from admins.*\n)/, '$1    deny tcp 1503 from partners\n');
    const desktop = firewall(diff(CONTOSO, withDeny), 'desktop');
    expect(rows(desktop, 'newlyDenied')).toEqual(['tcp input v4 198.51.100.0/24 -> 10.20.0.0/16 sport 1-65535 dport 1503']);
    const [change] = desktop.newlyDenied;
    expect(change!.old).toMatchObject({ kind: 'rule', verdict: 'accept', rules: [{ catalog: [{ id: 't120' }] }] });
    expect(change!.new).toMatchObject({ kind: 'rule', verdict: 'drop', rules: [{ catalog: [] }], lines: [{ file: 'new.msgr', source: 'deny tcp 1503 from partners' }] });
    expect(desktop.rules.added).toEqual(['input drop tcp ipv4 from partners (198.51.100.0/24) to any dport 1503']);
    expect(desktop.rules.removed).toEqual([]);
  });

  it('reports no change for a reordering of independent statements and a reformatting', () => {
    const reordered = `# the same policy, rearranged
deployment contoso { description "Contoso LCS 2005 pilot"
  network partners = 198.51.100.0/24 ; network admins = 10.9.0.0/24
  network peers = partners,
                  clients
  network lcs = 2001:db8:1::10, 10.1.1.10
  network clients = 2001:db8:20::/48, 10.20.0.0/16

  firewall lcs-host { default deny; targets nftables, netsh; on lcs }
  firewall desktop {
    allow tcp 22 from admins
    default deny
    targets iptables, netsh
    on clients
  }
  clients clients {
    peers peers
    media ports 50000-50039
    features video, audio, file-transfer, application-sharing, whiteboard, presence, im
    sip dynamic ports 7000-7099
    server lcs via tls
  }
  server lcs { sip tcp port 5060; sip tls }
  firewall edge { log denied; default deny; targets pf, nftables; between clients and partners }
}
`;
    const d = diff(CONTOSO, reordered);
    expect(d.changed).toBe(false);
    for (const fw of d.firewalls) expect(fw, fw.name).toMatchObject({ status: 'unchanged', notes: [], newlyAllowed: [], newlyDenied: [], rules: { added: [], removed: [] } });
    expect(renderDiff(d)).toMatch(/no change in allowed traffic\n$/);
  });

  it('reports firewalls added and removed as such', () => {
    const d = diff(CONTOSO, CONTOSO.replace('firewall lcs-host', 'firewall lcs-guard'));
    expect(d.changed).toBe(true);
    expect(d.firewalls.filter((f) => f.status !== 'unchanged').map((f) => `${f.name}:${f.status}`).sort()).toEqual(['lcs-guard:added', 'lcs-host:removed']);
    expect(renderDiff(d)).toMatch(/firewall lcs-host \(host firewall on lcs\): removed/);
  });

  it('opening a gateway by default shows what it newly accepts between its zones, as compact rows', () => {
    const d = diff(CONTOSO, CONTOSO.replace('targets nftables, pf\n    default deny', 'targets nftables, pf\n    default accept'));
    const edge = firewall(d, 'edge');
    expect(edge.newlyAllowed).toHaveLength(1);
    expect(edge.newlyAllowed[0]!.new).toMatchObject({ kind: 'policy', verdict: 'accept' });
    expect(rows(edge, 'newlyAllowed')).toContain('tcp forward v4 10.20.0.0/16 -> 198.51.100.0/24 sport 1-65535 dport 1-1502,1504-6890,6901-65535');
    expect(rows(edge, 'newlyAllowed')).toContain('udp forward v4 10.20.0.0/16 -> 198.51.100.0/24 sport 1-49999,50040-65535 dport 1-65535');
    expect(edge.newlyDenied).toEqual([]);
  });

  it('notes a placement change and names traffic the firewall did not judge before', () => {
    const d = diff(CONTOSO, CONTOSO.replace('on lcs', 'on admins'));
    const fw = firewall(d, 'lcs-host');
    expect(fw.notes).toEqual(['placement: host firewall on lcs (10.1.1.10, 2001:db8:1::10) -> host firewall on admins (10.9.0.0/24)']);
    // admins hosts now accept every outbound connection they open; lcs's are no longer judged.
    expect(rows(fw, 'newlyAllowed')).toContain('tcp output v4 10.9.0.0/24 -> 0.0.0.0/0 sport 1-65535 dport 1-65535');
    expect(fw.newlyAllowed.map((c) => c.old.kind)).toEqual(['unjudged']);
    expect(fw.newlyDenied.map((c) => c.new.kind)).toContain('unjudged');
  });
});
