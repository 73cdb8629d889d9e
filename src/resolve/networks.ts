import { embeddedIpv4, formatCidr, parseCidr, type Cidr, type EmbeddedIpv4 } from '../addresses/cidr.js';
import { replacing } from '../diagnostics/codes.js';
import { anySet, fromCidrs, unionAll, type AddressSet } from '../addresses/set.js';
import type { AddressOrName, Name, NetworkItem } from '../parse/ast.js';
import { type Diagnostics, origin } from './context.js';
import type { NamedSet, Origin } from './model.js';

/** `any` is every address of both families; it cannot be redeclared. */
export const ANY = 'any';

export type NetworkTable = Map<string, NamedSet & { origin: Origin }>;

/**
 * Resolves every `network` statement to an address set. Names may refer to names declared
 * later; unknown names, duplicates and cycles are reported. Iterative, so a long chain of
 * references cannot exhaust the stack.
 */
export function resolveNetworks(items: readonly NetworkItem[], diags: Diagnostics): NetworkTable {
  const declared = new Map<string, NetworkItem>();
  for (const item of items) {
    const name = item.name.text;
    if (name === ANY) {
      diags.report('MSGR016', item.name.at, `'${ANY}' is reserved: it means every IPv4 and IPv6 address`, 'choose another name');
      continue;
    }
    const first = declared.get(name);
    if (first) {
      diags.report('MSGR011', item.name.at, `network '${name}' is declared twice (first at line ${first.at.line})`, 'merge the two lists into one statement or rename one');
      continue;
    }
    declared.set(name, item);
  }

  const table: NetworkTable = new Map();
  const state = new Map<string, 'visiting' | 'done'>();
  const own = new Map<string, AddressSet>();
  for (const [name, item] of declared) own.set(name, fromCidrs(parseMembers(item.members, diags)));

  for (const rootName of declared.keys()) {
    if (state.get(rootName) === 'done') continue;
    // Post-order walk with an explicit stack.
    const refsOf = (name: string) => declared.get(name)!.members.filter((m) => m.kind === 'name');
    const stack: { name: string; next: number; refs: AddressOrName[] }[] = [{ name: rootName, next: 0, refs: refsOf(rootName) }];
    state.set(rootName, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const item = declared.get(frame.name)!;
      const refs = frame.refs;
      if (frame.next < refs.length) {
        const ref = refs[frame.next++]!;
        const target = ref.text;
        if (target === ANY || !declared.has(target)) continue; // reported below, once per reference
        const s = state.get(target);
        if (s === 'visiting') {
          const cycle = [...stack.slice(stack.findIndex((f) => f.name === target)).map((f) => f.name), target];
          diags.report('MSGR012', ref.at, `networks refer to each other in a cycle: ${cycle.join(' -> ')}`, 'a network may name only networks that do not lead back to it');
        } else if (s === undefined) {
          state.set(target, 'visiting');
          stack.push({ name: target, next: 0, refs: refsOf(target) });
        }
        continue;
      }
      const parts = [own.get(frame.name)!];
      for (const ref of refs) {
        if (ref.text === ANY) parts.push(anySet());
        else {
          const found = table.get(ref.text);
          if (found) parts.push(found.set);
        }
      }
      // Most networks name only addresses: their set is final as read.
      const set = parts.length === 1 ? parts[0]! : unionAll(parts);
      table.set(frame.name, { name: frame.name, set, origin: origin(item.at, `network ${frame.name}`) });
      state.set(frame.name, 'done');
      stack.pop();
    }
  }

  for (const item of declared.values()) {
    for (const m of item.members) {
      if (m.kind === 'name' && m.text !== ANY && !declared.has(m.text)) reportUnknown(m, table, diags);
    }
  }
  return table;
}

/** The addresses among the members (names are left to the caller), each checked and reported. */
function parseMembers(members: readonly AddressOrName[], diags: Diagnostics): Cidr[] {
  const cidrs: Cidr[] = [];
  for (const m of members) {
    if (m.kind !== 'address') continue;
    const parsed = parseCidr(m.text);
    const embedded = parsed.ok ? embeddedIpv4(parsed.cidr) : undefined;
    if (embedded) {
      reportEmbeddedIpv4(m, embedded, diags);
    } else if (parsed.ok) {
      cidrs.push(parsed.cidr);
    } else if (parsed.problem === 'host-bits') {
      diags.report('MSGR014', m.at, `${m.text} has host bits set`, `write ${parsed.suggestion} for the network, or drop the prefix length for a single host`, replacing(m.at, m.text, parsed.suggestion));
    } else if (parsed.problem === 'zone') {
      diags.report('MSGR015', m.at, `${m.text}: zone ids (%…) name a link of one machine and cannot be filtered on`, 'remove the %zone part');
    } else {
      diags.report('MSGR013', m.at, `'${m.text}' is not a valid IPv4/IPv6 address or CIDR block`, 'write e.g. 10.20.0.0/16 or 2001:db8:20::/48 (prefix length 0-32 for IPv4, 0-128 for IPv6)');
    }
  }
  return cidrs;
}

/**
 * A rule's end as written: networks and addresses (`admins, 10.10.99.0/24`), read as a
 * `network` statement's members are, with the same diagnostics. One network stays itself; a list
 * is named by its members joined with `+`. Undefined when a member fails (it is reported).
 */
export function resolveMembers(members: readonly AddressOrName[], table: NetworkTable, diags: Diagnostics): NamedSet | undefined {
  const only = members.length === 1 ? members[0]! : undefined;
  if (only?.kind === 'name') return lookupNetwork(only, table, diags);
  let ok = true;
  const parts: AddressSet[] = [];
  for (const m of members) {
    if (m.kind !== 'name') continue;
    const found = lookupNetwork(m, table, diags);
    if (found) parts.push(found.set);
    else ok = false;
  }
  const addresses = members.filter((m) => m.kind === 'address');
  const cidrs = parseMembers(addresses, diags);
  if (!ok || cidrs.length !== addresses.length) return undefined;
  parts.push(fromCidrs(cidrs));
  return { name: members.map((m) => m.text).join('+'), set: parts.length === 1 ? parts[0]! : unionAll(parts) };
}

/**
 * IPv4 addresses written as IPv6 (MSGR018): they match no IPv4 packet, so a `deny` naming one
 * would silently let its host through. Refused with the IPv4 form as the hint, rather than read
 * as IPv4: the policy then says what the rules match.
 */
function reportEmbeddedIpv4(m: AddressOrName, e: EmbeddedIpv4, diags: Diagnostics): void {
  const v4 = formatCidr(e.ipv4);
  const what = e.kind === 'mapped' ? 'an IPv4-mapped IPv6 address' : 'an IPv4-compatible IPv6 address (deprecated, RFC 4291)';
  const carries = e.ipv4.prefix === 32 ? v4 : `an address of ${v4}`;
  diags.report(
    'MSGR018',
    m.at,
    `${m.text} is ${what}: an IPv4 packet from or to ${v4} carries ${carries}, never ${m.text}, so no rule naming it matches that traffic (a deny would let it through)`,
    `write ${v4}`,
    replacing(m.at, m.text, v4),
  );
}

/** Looks a network up for a statement; reports an unknown name with the nearest known one. */
export function lookupNetwork(ref: Name, table: NetworkTable, diags: Diagnostics): NamedSet | undefined {
  if (ref.text === ANY) return { name: ANY, set: anySet() };
  const found = table.get(ref.text);
  if (!found) reportUnknown(ref, table, diags);
  return found;
}

function reportUnknown(ref: Name, table: NetworkTable, diags: Diagnostics): void {
  if (diags.unknown.networks.has(ref.text)) return; // its declaration failed to parse: already reported
  diags.reportMisspelt('MSGR010', ref, `unknown network '${ref.text}'`, diags.nearestName(ref.text, table.size, () => table.keys()), `declare it first: network ${ref.text} = 10.0.0.0/24`);
}
