import type { Endpoint, PortList } from '../flows/flow.js';
import type { PlacedRule } from '../place/placed.js';

/*
 * Whether two firewalls were placed the same rules: firewalls between the same zones, or on the
 * same network, get rules made from the same flows, which share their sets, port lists, origins
 * and catalog entries. Their optimised rules are then the same too, and worked out once.
 * Objects are compared by identity (sets are never changed once placed) and text by value, so
 * equal rules built from different objects are only ever not recognised: never confused.
 */

/** A number firewalls with the same rules share (and different ones rarely), from the identity of what their rules hold. */
export function rulesFingerprint(rules: readonly PlacedRule[], ids: ObjectIds): number {
  let h = rules.length;
  for (const r of rules) {
    h = mix(h, r.direction.length * 31 + r.action.length * 7 + r.protocol.length);
    h = mix(h, r.src ? ids.of(r.src.set) : 0);
    h = mix(h, r.dst ? ids.of(r.dst.set) : 0);
    h = mix(h, r.dstPorts ? ids.of(r.dstPorts.ranges) : 0);
    h = mix(h, r.origins.length ? ids.of(r.origins[0]!) : 0);
  }
  return h;
}

const mix = (h: number, x: number) => Math.imul(h ^ x, 0x9e3779b1) >>> 0;

/** Small numbers for objects, given in the order they are first asked about. */
export class ObjectIds {
  private readonly ids = new WeakMap<object, number>();
  private next = 1;

  of(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.next++));
    return id;
  }
}

export function sameRules(a: readonly PlacedRule[], b: readonly PlacedRule[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (!sameRule(a[k]!, b[k]!)) return false;
  return true;
}

function sameRule(a: PlacedRule, b: PlacedRule): boolean {
  return (
    a === b ||
    (a.direction === b.direction &&
      a.action === b.action &&
      a.protocol === b.protocol &&
      a.source === b.source &&
      sameItems(a.icmpTypes, b.icmpTypes) &&
      sameEnd(a.src, b.src) &&
      sameEnd(a.dst, b.dst) &&
      samePorts(a.srcPorts, b.srcPorts) &&
      samePorts(a.dstPorts, b.dstPorts) &&
      sameItems(a.origins, b.origins) &&
      sameItems(a.catalog, b.catalog))
  );
}

const sameEnd = (a: Endpoint | undefined, b: Endpoint | undefined) => a === b || (a !== undefined && b !== undefined && a.name === b.name && a.set === b.set);
const samePorts = (a: PortList | undefined, b: PortList | undefined) => a === b || (a !== undefined && b !== undefined && a.label === b.label && a.ranges === b.ranges);

/** The same list, or lists of the same items (objects by identity). */
function sameItems<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
