import type { IrGatewayPlacement } from './types.js';

/**
 * The ordered pairs of a gateway's zones, in policy order: (A,B), (B,A), (A,C), (C,A), (B,C),
 * (C,B), … For two zones, exactly the two directions across. Placement projects flows and rules
 * onto these pairs, and every gateway target writes its zone tests in this order.
 */
export function zonePairs<Z>(zones: readonly Z[]): [Z, Z][] {
  const pairs: [Z, Z][] = [];
  for (let j = 1; j < zones.length; j++) {
    for (let i = 0; i < j; i++) pairs.push([zones[i]!, zones[j]!], [zones[j]!, zones[i]!]);
  }
  return pairs;
}

/** `A and B`, `A, B and C`: a gateway's zones as its `between` statement writes them. */
export const zoneListText = (names: readonly string[]): string =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/** `gateway between A, B and C, others deny`: where a gateway sits, for comments and headers. */
export const gatewayText = (p: IrGatewayPlacement): string => `gateway between ${zoneListText(p.between)}${p.others === 'drop' ? ', others deny' : ''}`;
