import type { IntervalList } from '../addresses/boxes.js';
import type { Interval } from '../addresses/set.js';
import type { Cond } from '../../targets/readers/chains.js';
import type { IrDirection } from '../ir/types.js';
import type { LiveHook } from './model.js';

/**
 * The interfaces a comparison tells apart: a fifth dimension of its boxes. Point 0 stands for
 * every interface no rule names, point 1 for loopback, then each interface a live rule names.
 * On input a point is the interface a packet comes in on, on output the one it leaves on; a
 * forwarded packet has both, so on forward a point is a pair (in × count + out).
 */
export class InterfaceAxis {
  readonly names: readonly string[];

  constructor(loopback: string, hooks: readonly LiveHook[]) {
    const named = new Set<string>();
    for (const h of hooks) {
      for (const c of h.chains) {
        for (const r of c.rules) {
          if (r.cond.iface !== undefined) named.add(r.cond.iface);
          if (r.cond.outIface !== undefined) named.add(r.cond.outIface);
        }
      }
    }
    named.delete(loopback);
    this.names = ['', loopback, ...[...named].sort()];
  }

  private get count(): number {
    return this.names.length;
  }

  /** Every point of a direction. */
  all(direction: IrDirection): IntervalList {
    const n = BigInt(direction === 'forward' ? this.count * this.count : this.count);
    return [{ first: 0n, last: n - 1n }];
  }

  /** The loopback point of input or output (a host's preamble accepts it); none on forward. */
  loopback(direction: IrDirection): IntervalList {
    return direction === 'forward' ? [] : [{ first: 1n, last: 1n }];
  }

  /** Every point but loopback (input and output), or every point (forward). */
  notLoopback(direction: IrDirection): IntervalList {
    if (direction === 'forward') return this.all(direction);
    return [{ first: 0n, last: 0n }, ...(this.count > 2 ? [{ first: 2n, last: BigInt(this.count - 1) }] : [])];
  }

  /** The points a rule's interface conditions hold in a direction ([] when it can never match there). */
  of(cond: Cond, direction: IrDirection): IntervalList {
    const index = (name: string) => BigInt(this.names.indexOf(name));
    if (direction !== 'forward') {
      const own = direction === 'input' ? cond.iface : cond.outIface;
      const other = direction === 'input' ? cond.outIface : cond.iface;
      if (other !== undefined) return []; // no packet on this hook has that interface
      return own === undefined ? this.all(direction) : [{ first: index(own), last: index(own) }];
    }
    const n = BigInt(this.count);
    const ins = cond.iface === undefined ? undefined : index(cond.iface);
    const outs = cond.outIface === undefined ? undefined : index(cond.outIface);
    if (ins === undefined && outs === undefined) return this.all(direction);
    if (outs === undefined) return [{ first: ins! * n, last: ins! * n + n - 1n }];
    if (ins !== undefined) return [{ first: ins * n + outs, last: ins * n + outs }];
    const points: Interval[] = [];
    for (let i = 0n; i < n; i++) points.push({ first: i * n + outs, last: i * n + outs });
    return points;
  }

  /**
   * A list of points as text: `iif lo`, `oif eth0, other interfaces`, `iif eth0 oif eth1`; nothing
   * for every interface, or every one but loopback (which a host passes on both sides, so a
   * difference that leaves it out says nothing about it).
   */
  text(list: IntervalList, direction: IrDirection): string {
    const same = (a: IntervalList, b: IntervalList) => a.length === b.length && a.every((x, i) => x.first === b[i]!.first && x.last === b[i]!.last);
    if (same(list, this.all(direction)) || same(list, this.notLoopback(direction))) return '';
    const points: bigint[] = [];
    for (const iv of list) for (let p = iv.first; p <= iv.last; p++) points.push(p);
    const name = (i: bigint) => (i === 0n ? 'other interfaces' : this.names[Number(i)]!);
    if (direction !== 'forward') return `${direction === 'input' ? 'iif' : 'oif'} ${points.map(name).join(', ')}`;
    const n = BigInt(this.count);
    const byIn = new Map<bigint, bigint[]>();
    for (const p of points) byIn.set(p / n, [...(byIn.get(p / n) ?? []), p % n]);
    return [...byIn]
      .map(([i, outs]) => (BigInt(outs.length) === n ? `iif ${name(i)}` : `iif ${name(i)} oif ${outs.map(name).join(', ')}`))
      .join('; ');
  }
}
