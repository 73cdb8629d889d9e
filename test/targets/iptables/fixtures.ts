// Hand-built IR for the iptables target's unit tests: independent of the front end, so the
// view builder is tested on exactly the shapes it must handle (including ones the compiler
// does not produce today, such as an address set without addresses of a rule's family).
import type { IrDocument, IrFirewall, IrPortRange, IrRule } from '../../../src/ir/types.js';

export const ports = (...spec: Array<number | [number, number]>): IrPortRange[] =>
  spec.map((p) => (typeof p === 'number' ? { from: p, to: p } : { from: p[0], to: p[1] }));

export function rule(id: string, over: Partial<IrRule> = {}): IrRule {
  return {
    id,
    direction: 'input',
    action: 'accept',
    protocol: 'tcp',
    families: [4, 6],
    origins: [{ line: 10, column: 3, text: `rule ${id}` }],
    comment: `line 10: rule ${id}`,
    ...over,
  };
}

export function hostFirewall(over: Partial<IrFirewall> = {}): IrFirewall {
  return {
    name: 'desktop',
    placement: { kind: 'host', on: 'clients', set: 'clients', origin: { line: 32, column: 5, text: 'firewall desktop: on clients' } },
    targets: ['iptables'],
    policy: { input: 'drop', output: 'accept' },
    policyOrigins: {
      input: { origin: { line: 34, column: 5, text: 'firewall desktop: default deny' }, written: true },
      output: { origin: { line: 31, column: 3, text: 'firewall desktop' }, written: false },
    },
    logDenied: false,
    preamble: ['loopback', 'established', 'invalid', 'icmp'],
    addressSets: [
      { name: 'admins', stands: 'admins', ipv4: ['10.9.0.0/24'], ipv6: [] },
      { name: 'clients', stands: 'clients', ipv4: ['10.20.0.0/16'], ipv6: ['2001:db8:20::/48'] },
      { name: 'peers', stands: 'peers', ipv4: ['10.20.0.0/16', '198.51.100.0/24'], ipv6: ['2001:db8:20::/48'] },
    ],
    portSets: [],
    rules: [
      rule('r1', { families: [4], src: 'admins', dstPorts: { ranges: ports(22) }, comment: 'line 35: firewall desktop: allow tcp 22 from admins' }),
      rule('r2', { src: 'peers', dstPorts: { ranges: ports(1503, [6891, 6900]) }, comment: 'line 18,21: features whiteboard, application-sharing, file-transfer (t120, file-transfer)' }),
      rule('r3', {
        protocol: 'udp',
        src: 'peers',
        srcPorts: { ranges: ports([50000, 50039]) },
        dstPorts: { ranges: ports([50000, 50039]) },
        comment: 'line 18,20,21: features audio, video (rtp)',
      }),
    ],
    origin: { line: 31, column: 3, text: 'firewall desktop' },
    targetsOrigin: { line: 33, column: 5, text: 'firewall desktop: targets iptables' },
    ...over,
  };
}

export function gatewayFirewall(over: Partial<IrFirewall> = {}): IrFirewall {
  return {
    name: 'edge',
    placement: { kind: 'gateway', between: ['clients', 'partners'], zones: ['clients', 'partners'], others: 'accept', othersOrigin: { origin: { line: 24, column: 1, text: 'firewall edge' }, written: false }, origin: { line: 25, column: 5, text: 'firewall edge: between clients and partners' } },
    targets: ['iptables'],
    policy: { forward: 'drop' },
    policyOrigins: { forward: { origin: { line: 27, column: 5, text: 'firewall edge: default deny' }, written: true } },
    logDenied: true,
    preamble: ['established', 'invalid', 'icmp'],
    addressSets: [
      { name: 'clients', stands: 'clients', ipv4: ['10.20.0.0/16'], ipv6: ['2001:db8:20::/48'] },
      { name: 'partners', stands: 'partners', ipv4: ['198.51.100.0/24'], ipv6: [] },
    ],
    portSets: [],
    rules: [
      rule('r1', { direction: 'forward', families: [4], src: 'clients', dst: 'partners', dstPorts: { ranges: ports(1503, [6891, 6900]) } }),
      rule('r2', { direction: 'forward', action: 'drop', protocol: 'udp', families: [4, 6], src: 'clients', dstPorts: { ranges: ports(5060) } }),
    ],
    origin: { line: 24, column: 3, text: 'firewall edge' },
    targetsOrigin: { line: 26, column: 5, text: 'firewall edge: targets iptables' },
    ...over,
  };
}

export function doc(firewalls: IrFirewall[], over: Partial<IrDocument> = {}): IrDocument {
  return {
    irVersion: 1,
    deployment: 'contoso',
    description: 'Contoso LCS 2005 pilot',
    source: 'contoso.msgr',
    firewalls,
    groupPolicy: [],
    servers: [],
    clients: [],
    ...over,
  };
}
