import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { EXAMPLES, diagnosticsOf, policy } from '../helpers.js';

const networks = [
  'network cl = 10.20.0.0/16, 2001:db8:20::/48',
  '  network srv = 10.1.1.10, 2001:db8:1::10',
  '  network pt = 198.51.100.0/24',
  '  network adm = 10.9.0.0/24',
  '  network adm2 = 10.9.1.0/24',
  '  network adms = adm, adm2',
].join('\n');
// Lines: deployment 1, networks 2-7, server 8-10, clients 11-14, firewalls from 15.
const clients = 'server srv via tls\n    features im, whiteboard';
const FIRST_RULE = 19; // `firewall f {` 15, on 16, targets 17, default 18

/** A host firewall on `on` with these plain rules, one a line from line 19. */
const host = (rules: string[], on = 'srv', extra = '') =>
  policy({ networks, clients, firewalls: `firewall f {\n    on ${on}\n    targets nftables\n    default deny${extra}\n    ${rules.join('\n    ')}\n  }` });
const gateway = (rules: string[]) =>
  policy({ networks, clients, firewalls: `firewall g {\n    between cl and pt\n    targets nftables\n    default deny\n    ${rules.join('\n    ')}\n  }` });

const lint = (text: string, code: string) => diagnosticsOf(text).filter((d) => d.code === code);
const at = (text: string, code: string) => lint(text, code).map((d) => d.line);

describe('MSGR070: a plain rule shadowed by earlier ones', () => {
  it('warns when an earlier rule of the same verdict covers it: it adds nothing', () => {
    const p = host(['allow tcp from adm', 'allow tcp 22 from adm']);
    expect(lint(p, 'MSGR070')).toMatchObject([
      { line: FIRST_RULE + 1, column: 5, severity: 'warning', message: expect.stringMatching(/`allow tcp 22 from adm` can never match: line 19 \(`allow tcp from adm`\) already allows everything it matches/) },
    ]);
  });

  it('says which verdict wins when the earlier rule has the other one', () => {
    const [d] = lint(host(['deny tcp 20-30 from any', 'allow tcp 22 from adm']), 'MSGR070');
    expect(d?.message).toMatch(/`allow tcp 22 from adm` can never match: line 19 \(`deny tcp 20-30 from any`\) comes first .* so the deny on line 19 wins over this allow/);
    expect(d?.hint).toMatch(/put it before line 19/);
  });

  it('finds a rule covered only by several earlier rules together', () => {
    const p = host(['allow tcp 22 from adm', 'deny tcp 22 from adm2', 'allow tcp 22 from adms']);
    const [d] = lint(p, 'MSGR070');
    expect(d).toMatchObject({ line: FIRST_RULE + 2 });
    expect(d?.message).toMatch(/line 19 .* and line 20 .* cover everything it matches, so the deny on line 20 wins/);
  });

  it('stays quiet when the earlier rules cover only part of it (ports, addresses, families, direction, protocol)', () => {
    for (const rules of [
      ['allow tcp 22 from adm', 'deny tcp 20-30 from adms'],
      ['allow tcp 22 from adm', 'allow tcp 22-23 from adm'],
      ['allow tcp 22 from cl', 'deny tcp 22 from any'],
      ['allow tcp 22 from adm', 'allow udp 22 from adm'],
      ['allow tcp 22 from adm', 'allow tcp 22 to adm'],
    ]) {
      expect(at(host(rules), 'MSGR070'), rules.join('; ')).toEqual([]);
    }
  });

  it('understands ICMP rules: their types per family, never a TCP or UDP rule', () => {
    expect(at(host(['deny icmp from adm', 'allow icmp echo-request from adm']), 'MSGR070')).toEqual([FIRST_RULE + 1]);
    expect(at(host(['allow icmp echo-request from any', 'allow icmpv6 echo-request from cl']), 'MSGR070')).toEqual([FIRST_RULE + 1]);
    // Covered together: echo from one rule, timestamp from the other.
    expect(at(host(['allow icmp echo-request from adms', 'allow icmp timestamp-request from adms', 'deny icmp from adm']), 'MSGR070')).toEqual([FIRST_RULE + 2]);
    for (const rules of [
      ['allow icmp echo-request from adm', 'deny icmp from adm'],
      ['allow icmpv4 from cl', 'deny icmp echo-request from cl'],
      ['deny tcp from adm', 'allow icmp from adm'],
    ]) {
      expect(at(host(rules), 'MSGR070'), rules.join('; ')).toEqual([]);
    }
  });

  it('works on gateways, where from/to filter forwarded traffic as written', () => {
    expect(at(gateway(['deny tcp from pt to cl', 'allow tcp 1503 from pt to cl']), 'MSGR070')).toEqual([FIRST_RULE + 1]);
    expect(at(gateway(['deny tcp from pt to cl', 'allow tcp 1503 from cl to pt']), 'MSGR070')).toEqual([]);
  });
});

describe('MSGR070 on long rule lists (issue 15)', () => {
  it('names at most ten of the earlier rules that cover a rule, then how many more', () => {
    const ports = Array.from({ length: 14 }, (_, k) => `allow tcp ${100 + k} from adm`);
    const [d] = lint(host([...ports, 'allow tcp 100-113 from adm']), 'MSGR070');
    expect(d?.line).toBe(FIRST_RULE + 14);
    expect(d?.message).toMatch(/^`allow tcp 100-113 from adm` can never match: line 19 \(`allow tcp 100 from adm`\), line 20 .*, line 28 \(`allow tcp 109 from adm`\) and 4 more already allows everything it matches$/);
    const [mixed] = lint(host([...ports.map((r, k) => (k % 2 ? r.replace('allow', 'deny') : r)), 'allow tcp 100-113 from adm']), 'MSGR070');
    expect(mixed?.message).toMatch(/so the deny on lines 20, 22, 24, 26, 28, 30 and 32 wins over this allow$/);
  });

  it('finds shadowed rules among thousands', () => {
    // Rule k opens port 1000 + k from adm; the repeat of port 1500 is shadowed by its first.
    const distinct = Array.from({ length: 3000 }, (_, k) => `allow tcp ${1000 + k} from adm`);
    expect(at(host([...distinct, 'allow tcp 1500 from adm', 'allow tcp 1000-4999 from adm']), 'MSGR070')).toEqual([FIRST_RULE + 3000]);
  });

  it('leaves a rule that overlaps more than 256 earlier rules unlinted', () => {
    // Each copy is shadowed by the first; from the 258th on, a copy overlaps too many to compare.
    const lines = at(host(Array.from({ length: 300 }, () => 'allow tcp 1000-2000 from adm')), 'MSGR070');
    expect(lines).toHaveLength(256);
    expect(lines[lines.length - 1]).toBe(FIRST_RULE + 256);
  });
});

describe("MSGR071: a plain allow that duplicates Messenger's rules", () => {
  it("warns when Messenger's own rules for the firewall already accept all of it", () => {
    // On the clients, whiteboard peers (the clients themselves) come in on 1503/tcp.
    const [d] = lint(host(['allow tcp 1503 from cl'], 'cl'), 'MSGR071');
    expect(d).toMatchObject({ line: FIRST_RULE, severity: 'warning' });
    expect(d?.message).toMatch(/`allow tcp 1503 from cl` adds nothing: Messenger's own rules on firewall f \(t120, from lines? .*\) already accept everything it matches/);
    expect(at(gateway(['allow tcp 1503 from pt to cl']), 'MSGR071')).toEqual([]); // pt is no peer of cl
    const peered = policy({ networks, clients: `${clients}\n    peers cl, pt`, firewalls: 'firewall g {\n    between cl and pt\n    targets nftables\n    allow tcp 1503 from pt to cl\n  }' });
    expect(at(peered, 'MSGR071')).toEqual([19]);
  });

  it('stays quiet when the rule opens more, or when a later plain deny would catch its traffic without it', () => {
    expect(at(host(['allow tcp 1503 from any'], 'cl'), 'MSGR071')).toEqual([]);
    expect(at(host(['allow tcp 1500-1510 from cl'], 'cl'), 'MSGR071')).toEqual([]);
    expect(at(host(['allow tcp 1503 from cl', 'deny tcp 1503 from any'], 'cl'), 'MSGR071')).toEqual([]);
    expect(at(host(['deny tcp 1503 from cl'], 'cl'), 'MSGR071')).toEqual([]);
  });
});

describe('MSGR072: peers that overlap only part of the clients', () => {
  const withPeers = (peers: string, features = 'im, whiteboard') =>
    policy({ networks: `${networks}\n  network some = 10.20.1.0/24`, clients: `server srv via tls\n    features ${features}\n    peers ${peers}` });

  it('warns at the peers statement when some clients are peers and some are not', () => {
    const [d] = lint(withPeers('some, pt'), 'MSGR072');
    expect(d).toMatchObject({ line: 15, column: 5, severity: 'warning' });
    expect(d?.message).toMatch(/peers some\+pt take in only part of clients cl: clients outside some\+pt cannot use whiteboard with each other/);
  });

  it("does not warn for peers that contain the clients (contoso's `peers peers`), hold none of them, or when no feature is peer to peer", () => {
    expect(at(withPeers('cl, pt'), 'MSGR072')).toEqual([]);
    expect(at(withPeers('pt'), 'MSGR072')).toEqual([]);
    expect(at(withPeers('some', 'im, presence'), 'MSGR072')).toEqual([]);
    expect(at(policy({ networks, clients }), 'MSGR072')).toEqual([]); // default: the clients themselves
  });
});

describe('MSGR073: a default-deny host firewall with no way in for management', () => {
  it('warns at the firewall when no plain inbound allow reaches SSH, Remote Desktop or WinRM', () => {
    const [d] = lint(host(['allow tcp 80 from adm']), 'MSGR073');
    expect(d).toMatchObject({ line: 15, column: 3, severity: 'warning' });
    expect(d?.message).toMatch(/host firewall f denies inbound traffic by default and no rule lets management in \(SSH 22\/tcp, Remote Desktop 3389\/tcp, WinRM 5985-5986\/tcp\)/);
    expect(d?.hint).toMatch(/allow tcp 22 from NET/);
    for (const rule of ['allow udp 22 from adm', 'allow tcp 22 to adm', 'deny tcp 22 from adm']) expect(at(host([rule]), 'MSGR073'), rule).toEqual([15]);
  });

  it('suggests Remote Desktop for a firewall that only targets Windows, and counts a left-out default as deny', () => {
    const p = policy({ networks, clients, firewalls: 'firewall w {\n    on srv\n    targets netsh\n  }' });
    expect(lint(p, 'MSGR073')[0]?.hint).toMatch(/allow tcp 3389 from NET/);
  });

  it('is satisfied by any inbound allow for one of those ports (or for every port), and ignores gateways and default accept', () => {
    for (const rule of ['allow tcp 22 from adm', 'allow tcp 3389 from adm', 'allow tcp 5986 from adm', 'allow tcp 5000-6000 from adm', 'allow tcp from adm']) {
      expect(at(host([rule]), 'MSGR073'), rule).toEqual([]);
    }
    expect(at(gateway(['allow tcp 80 from pt to cl']), 'MSGR073')).toEqual([]);
    expect(at(policy({ networks, clients, firewalls: 'firewall f {\n    on srv\n    targets nftables\n    default accept\n  }' }), 'MSGR073')).toEqual([]);
  });
});

describe('lints', () => {
  it('only warn: a policy with every lint still compiles', () => {
    const p = policy({
      networks: `${networks}\n  network some = 10.20.1.0/24`,
      clients: `${clients}\n    peers some`,
      firewalls: 'firewall f {\n    on cl\n    targets nftables\n    allow tcp 1503 from some\n    allow tcp 1503 from some\n  }',
    });
    const r = compilePolicy(p, 'p.msgr');
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['MSGR070', 'MSGR071', 'MSGR072', 'MSGR073']);
    expect(r.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    expect(r.ir?.firewalls.map((f) => f.name)).toEqual(['f']);
  });

  it("give contoso one lint warning, lcs-host's missing management access, beside its other warnings", () => {
    const contoso = EXAMPLES.find((e) => e.name === 'contoso.msgr')!;
    expect(compilePolicy(contoso.text, 'contoso.msgr').diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(['MSGR031@13', 'MSGR032@13', 'MSGR035@19', 'MSGR038@21', 'MSGR073@38']);
    const branch = EXAMPLES.find((e) => e.name === 'branch.msgr')!;
    expect(compilePolicy(branch.text, 'branch.msgr').diagnostics.map((d) => d.code)).toEqual(['MSGR032', 'MSGR038']);
  });
});
