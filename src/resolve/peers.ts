import { cidrTexts, difference, intersect, isEmpty, isSubset, unionAll, type AddressSet } from '../addresses/set.js';
import { MEDIA_FEATURES } from '../catalog/catalog.js';
import type { Diagnostics } from './context.js';
import type { ClientGroup, MediaPeers, Origin, PortRange } from './model.js';

/** A clients block before its media peers are known. */
export type GroupWithoutMediaPeers = Omit<ClientGroup, 'mediaPeers'>;

/** What of a peers set lies in each clients block, and what lies in none. */
interface PeersSplit {
  /** In policy order; a part may lie in several blocks when blocks overlap. */
  parts: { owner: GroupWithoutMediaPeers; set: AddressSet; name: string }[];
  /** The peers in no clients block: machines without a Group Policy of this policy. */
  unmanaged: AddressSet;
  /** Unions of parts, by which parts they join: clients blocks with the same peers share them. */
  unions: Map<string, AddressSet>;
}

export const usesMedia = (g: Pick<ClientGroup, 'features'>) => g.features.some((f) => MEDIA_FEATURES.includes(f.name));

/**
 * Sorts every clients block's peers by the media range their machines use, so a call runs
 * from the caller's range to the callee's: a part of the peers inside a clients block uses that
 * block's range (its Group Policy), an address in two blocks both ranges (it is a member of
 * each, as on the clients' own side). Peers in no clients block are assumed to use the range of
 * the block that names them (MSGR038); a clients block that enables neither audio nor video
 * takes no calls, so no media reaches it (MSGR039). Parts with the same range are one.
 */
export function resolveMediaPeers(groups: readonly GroupWithoutMediaPeers[], diags: Diagnostics): ClientGroup[] {
  let everyClient: AddressSet | undefined;
  const splits = new Map<AddressSet, PeersSplit>();
  const splitOf = (peers: AddressSet, peersName: string): PeersSplit => {
    let split = splits.get(peers);
    if (!split) {
      everyClient ??= unionAll(groups.map((g) => g.set));
      split = { parts: partsOf(peers, peersName, groups), unmanaged: difference(peers, everyClient), unions: new Map() };
      splits.set(peers, split);
    }
    return split;
  };
  return groups.map((g) => ({ ...g, mediaPeers: usesMedia(g) ? mediaPeersOf(g, splitOf(g.peers.set, g.peers.name), diags) : [] }));
}

function partsOf(peers: AddressSet, peersName: string, groups: readonly GroupWithoutMediaPeers[]): PeersSplit['parts'] {
  const parts: PeersSplit['parts'] = [];
  for (const owner of groups) {
    // A block wholly among the peers keeps its own set (and name): the cheap, common case.
    if (isSubset(owner.set, peers)) {
      if (!isEmpty(owner.set)) parts.push({ owner, set: owner.set, name: owner.name });
      continue;
    }
    const common = intersect(peers, owner.set);
    if (!isEmpty(common)) parts.push({ owner, set: common, name: `${peersName}&${owner.name}` });
  }
  return parts;
}

interface Bucket {
  range: PortRange;
  members: { key: string; set: AddressSet; name: string }[];
  owners: string[];
  origins: Origin[];
}

function mediaPeersOf(g: GroupWithoutMediaPeers, split: PeersSplit, diags: Diagnostics): MediaPeers[] {
  const buckets = new Map<string, Bucket>();
  const add = (range: PortRange, member: Bucket['members'][number], owner: string, origin: Origin) => {
    const k = `${range.from}-${range.to}`;
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = { range, members: [], owners: [], origins: [] }));
    b.members.push(member);
    if (!b.owners.includes(owner)) b.owners.push(owner);
    if (!b.origins.includes(origin)) b.origins.push(origin);
  };
  const silent: string[] = [];
  split.parts.forEach((part, i) => {
    if (usesMedia(part.owner)) add(part.owner.mediaRange.range, { key: `${i}`, set: part.set, name: part.name }, part.owner.name, part.owner.mediaRange.origin);
    else silent.push(part.owner.name);
  });
  if (!isEmpty(split.unmanaged)) {
    add(g.mediaRange.range, { key: 'unmanaged', set: split.unmanaged, name: `${g.peers.name}-unmanaged` }, g.name, g.mediaRange.origin);
    reportAssumedRange(g, split.unmanaged, diags);
  }
  if (silent.length > 0) reportSilentPeers(g, silent, diags);

  const whole = buckets.size === 1 && silent.length === 0;
  return [...buckets.values()].map((b) => {
    // All the peers in one range (every block alike): the peers' own set, as before the split.
    const [set, name] = whole ? [g.peers.set, g.peers.name] : joined(b, split);
    return { name, set, range: b.range, owners: b.owners, origins: b.origins };
  });
}

/** The union of a bucket's parts, made once per peers set and combination of parts. */
function joined(b: Bucket, split: PeersSplit): [AddressSet, string] {
  const name = b.members.map((m) => m.name).join('+');
  if (b.members.length === 1) return [b.members[0]!.set, name];
  const key = b.members.map((m) => m.key).join(',');
  let set = split.unions.get(key);
  if (!set) split.unions.set(key, (set = unionAll(b.members.map((m) => m.set))));
  return [set, name];
}

const range = (r: PortRange) => `${r.from}-${r.to}`;

function reportAssumedRange(g: GroupWithoutMediaPeers, unmanaged: AddressSet, diags: Diagnostics): void {
  const blocks = [...cidrTexts(unmanaged, 4), ...cidrTexts(unmanaged, 6)];
  const shown = blocks.length > 3 ? `${blocks.slice(0, 3).join(', ')} and ${blocks.length - 3} more` : blocks.join(', ');
  const r = g.mediaRange.range;
  diags.report(
    'MSGR038',
    g.peers.origin,
    `the peers of clients ${g.name} include ${shown}, which no clients block describes: calls with them are opened on the assumption that they use the media range of ${g.name}, ${range(r)}${g.mediaRange.explicit ? '' : ' (unset)'}`,
    `make sure those machines use MinMediaPort ${r.from} and MaxMediaPort ${r.to}, or describe them in a clients block with their own \`media ports\``,
  );
}

function reportSilentPeers(g: GroupWithoutMediaPeers, silent: readonly string[], diags: Diagnostics): void {
  const which = silent.join(', ');
  diags.report(
    'MSGR039',
    g.peers.origin,
    `clients ${g.name} have clients ${which} among their peers, which enable neither audio nor video: no call between them is opened`,
    `add audio or video to the features of clients ${silent[0]} if they take calls, or leave it so`,
  );
}
