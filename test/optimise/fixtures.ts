// What the optimiser's tests build rules from: one host firewall, networks and port lists.
import { parseCidr } from '../../src/addresses/cidr.js';
import { fromCidrs } from '../../src/addresses/set.js';
import type { Endpoint, PortList } from '../../src/flows/flow.js';
import type { Firewall } from '../../src/resolve/model.js';

export const FIREWALL: Firewall = {
  name: 'fw',
  origin: { line: 1, column: 1, text: 'firewall fw' },
  placement: { kind: 'host', on: { name: 'h', set: fromCidrs([]) }, origin: { line: 2, column: 5, text: 'on h' } },
  targets: ['nftables'],
  targetsOrigin: { line: 3, column: 5, text: 'targets nftables' },
  defaultVerdict: 'drop',
  outboundVerdict: 'accept',
  logDenied: false,
  rules: [],
};

export const net = (name: string, ...cidrs: string[]): Endpoint => ({
  name,
  set: fromCidrs(
    cidrs.map((c) => {
      const p = parseCidr(c);
      if (!p.ok) throw new Error(c);
      return p.cidr;
    }),
  ),
});

export const ports = (label: string, ...ranges: [number, number][]): PortList => ({ label, ranges: ranges.map(([from, to]) => ({ from, to })) });
