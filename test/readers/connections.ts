import { expect } from 'vitest';
import type { IrFirewall } from '../../src/ir/types.js';
import { probeText, probesFor, replyOf, verdict, type Policy, type Probe } from '../../targets/readers/evaluate.js';
import { irEffective } from './ir.js';
import { addressIn, addressText, addressValue, intervalsOf, type Family } from '../../targets/readers/normalize.js';
import type { Tuple, TupleAction } from '../../targets/readers/tuple.js';

/**
 * The cross-target agreement test's currency (agreement.test.ts): each firewall, as the IR means
 * it or as a reader reads a target's output back, judges connections — an opening packet, and
 * when that passes, its reply — and the probes are packets around every edge of every model's
 * rules, between and outside a gateway's zones, and to and from the router's own addresses.
 */
/** A connection as a firewall sees it: its opening packet, and when that passed, the reply. */
export interface Connection {
  open: TupleAction | undefined;
  reply?: TupleAction | undefined;
}

export interface Model {
  name: string;
  /** Its rules as tuples: what probes are aimed at. */
  tuples: Tuple[];
  connection(open: Probe): Connection;
}

/** A firewall whose rules judge only a connection's opening packet: once that passed, its reply passes. */
export function openingOnlyModel(name: string, tuples: Tuple[], policy: Policy): Model {
  return {
    name,
    tuples,
    connection: (o) => {
      const open = verdict(tuples, policy, o);
      return open === 'accept' ? { open, reply: 'accept' } : { open };
    },
  };
}

/** The IR's own meaning: its first match or default, and every accepted connection's reply passes (README). */
export function irModel(fw: IrFirewall): Model {
  const { tuples, policy } = irEffective(fw);
  return openingOnlyModel('IR', tuples, policy);
}

/**
 * A conntrack firewall read back from the kernel: the opening packet meets the rules as `new`;
 * once it passed, the kernel tracks the connection and its reply meets them as `established`.
 */
export function conntrackModel(name: string, fresh: { tuples: Tuple[]; policy: Policy }, established: { tuples: Tuple[]; policy: Policy }): Model {
  return {
    name,
    tuples: fresh.tuples,
    connection: (o) => {
      const open = verdict(fresh.tuples, fresh.policy, o);
      return open === 'accept' ? { open, reply: verdict(established.tuples, established.policy, replyOf(o)) } : { open };
    },
  };
}

/** Addresses in no network of the examples (TEST-NET-1 and a documentation /48 they leave free). */
export const OUTSIDE: Record<Family, bigint> = { 4: addressValue('192.0.2.99').value, 6: addressValue('2001:db8:ffff::63').value };

const probeKey = (p: Probe) => `${p.direction}|${p.protocol}|${p.family}|${p.src}|${p.dst}|${p.srcPort}|${p.dstPort}`;

function unique(probes: Probe[]): Probe[] {
  const seen = new Map<string, Probe>();
  for (const p of probes) if (!seen.has(probeKey(p))) seen.set(probeKey(p), p);
  return [...seen.values()];
}

/** The zone's addresses of a family (normal form), or [] when it has none. */
export function zoneCidrs(fw: IrFirewall, zone: string, family: Family): string[] {
  const set = fw.addressSets.find((s) => s.name === zone)!;
  return family === 4 ? set.ipv4 : set.ipv6;
}

/**
 * A gateway: packets between every two of {first and last address of each zone block, an
 * address in no zone}, so between the zones both ways, inside one zone, and from or to
 * neither; with every port edge of the IR's rules.
 */
function zoneProbes(fw: IrFirewall): Probe[] {
  if (fw.placement.kind !== 'gateway') return [];
  const dports = new Set([40000]);
  const sports = new Set([40000]);
  for (const r of fw.rules) {
    for (const x of r.dstPorts?.ranges ?? []) [x.from, x.to, x.from - 1, x.to + 1].forEach((p) => p >= 1 && p <= 65535 && dports.add(p));
    for (const x of r.srcPorts?.ranges ?? []) [x.from, x.to].forEach((p) => sports.add(p));
  }
  const out: Probe[] = [];
  for (const family of [4, 6] as const) {
    const points = [OUTSIDE[family]];
    for (const zone of fw.placement.zones) {
      const cidrs = zoneCidrs(fw, zone, family);
      expect(addressIn(cidrs, family, OUTSIDE[family]), `${addressText(OUTSIDE[family], family)} is outside ${zone}`).toBe(false);
      for (const i of intervalsOf(cidrs, family).slice(0, 3)) points.push(i.first, i.last);
    }
    for (const src of points) {
      for (const dst of points) {
        for (const protocol of ['tcp', 'udp'] as const) {
          for (const dstPort of dports) for (const srcPort of sports) out.push({ direction: 'forward', protocol, family, src, dst, srcPort, dstPort, iface: 'em0' });
        }
      }
    }
  }
  return out;
}

/** A host: every probe also in the other direction, as it is and with the two ends swapped. */
function mirrored(probes: Probe[]): Probe[] {
  const flip = { in: 'out', out: 'in', forward: 'forward' } as const;
  return probes.flatMap((p) =>
    p.direction === 'forward'
      ? []
      : [
          { ...p, direction: flip[p.direction] },
          { ...p, direction: flip[p.direction], src: p.dst, dst: p.src, srcPort: p.dstPort, dstPort: p.srcPort },
        ],
  );
}

/**
 * The test scenario's router: one address of its own in each zone, each family, as a router has
 * on every network it routes for (the second address of the zone's first block of four or more,
 * off the grid of probe addresses). A gateway's pf anchor learns them as `self`.
 */
export function routerAddresses(fw: IrFirewall): Record<Family, bigint[]> {
  const out: Record<Family, bigint[]> = { 4: [], 6: [] };
  if (fw.placement.kind !== 'gateway') return out;
  for (const family of [4, 6] as const) {
    for (const zone of fw.placement.zones) {
      const block = intervalsOf(zoneCidrs(fw, zone, family), family).find((i) => i.last - i.first >= 3n);
      if (block) out[family].push(block.first + 1n);
    }
  }
  return out;
}

export const selfTexts = (self: Record<Family, bigint[]>) => ([4, 6] as const).flatMap((f) => self[f].map((a) => addressText(a, f)));

/** Packets from every zone point to each router address and back, on the ports of the rules. */
function selfProbes(fw: IrFirewall, self: Record<Family, bigint[]>): Probe[] {
  if (fw.placement.kind !== 'gateway') return [];
  const ports = new Set([22, 40000, ...fw.rules.flatMap((r) => (r.dstPorts?.ranges ?? []).map((x) => x.from))]);
  const out: Probe[] = [];
  for (const family of [4, 6] as const) {
    const points = [OUTSIDE[family], ...fw.placement.zones.flatMap((z) => intervalsOf(zoneCidrs(fw, z, family), family).slice(0, 3).flatMap((i) => [i.first, i.last]))];
    for (const router of self[family]) {
      for (const peer of points) {
        for (const protocol of ['tcp', 'udp'] as const) {
          for (const port of ports) {
            out.push({ direction: 'forward', protocol, family, src: peer, dst: router, srcPort: 40000, dstPort: port, iface: 'em0' });
            out.push({ direction: 'forward', protocol, family, src: router, dst: peer, srcPort: 40000, dstPort: port, iface: 'em0' });
          }
        }
      }
    }
  }
  return out;
}

/**
 * A packet as the router handles it: one addressed to the router is input, one the router
 * sends is output; only the rest is forwarded (what the forward hook, and a gateway, judge).
 */
function routed(p: Probe, self: Record<Family, bigint[]>): Probe {
  if (p.direction !== 'forward') return p;
  if (self[p.family].includes(p.src)) return { ...p, direction: 'out' };
  if (self[p.family].includes(p.dst)) return { ...p, direction: 'in' };
  return p;
}

export function probesOf(fw: IrFirewall, models: Model[]): Probe[] {
  const around = models.flatMap((m) => probesFor(m.tuples));
  const self = routerAddresses(fw);
  const all = [...around, ...zoneProbes(fw), ...selfProbes(fw, self)].map((p) => routed(p, self));
  return unique(fw.placement.kind === 'host' ? [...all, ...mirrored(all)] : all);
}

/** Probes on which a model's verdicts differ from the IR's, opening packet or reply, as readable lines. */
export function differences(ir: Model, other: Model, probes: Probe[]): string[] {
  const out: string[] = [];
  for (const p of probes) {
    const want = ir.connection(p);
    const got = other.connection(p);
    if (got.open !== want.open) out.push(`${probeText(p)}: IR ${want.open}, ${other.name} ${got.open}`);
    else if (got.reply !== want.reply) out.push(`reply ${probeText(replyOf(p))}: IR ${want.reply}, ${other.name} ${got.reply}`);
  }
  return out;
}
