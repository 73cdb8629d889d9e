import { anySet, cidrCount, cidrTexts, equals, families, type AddressSet } from '../addresses/set.js';
import type { Endpoint, PortList } from '../flows/flow.js';
import type { PlacedFirewall, PlacedRule } from '../place/placed.js';
import type { Firewall, Model, Origin } from '../resolve/model.js';
import { groupPolicyNeeds } from '../resolve/groupPolicy.js';
import { icmpNumber, inFamilies } from '../icmp/messages.js';
import type {
  IrAddressSet,
  IrClients,
  IrDocument,
  IrFamily,
  IrFirewall,
  IrGroupPolicy,
  IrOrigin,
  IrPorts,
  IrPortSet,
  IrPreamble,
  IrRule,
  IrServer,
  IrSettingOrigin,
} from './types.js';

const NAME_MAX = 24;

/**
 * The most address blocks the IR may hold, summed over its firewalls (MSGR053). Each firewall
 * lists every set it uses in full, and every target writes each list out again, so a policy
 * of 4 MiB can ask for billions (one large network used by thousands of firewalls) and end in an
 * out-of-memory crash. Four times the largest benchmark (10,000 networks, 100 firewalls: 1.1
 * million); the IR and every target's text stay within seconds and a few hundred MB here.
 */
export const MAX_IR_ADDRESS_BLOCKS = 4_000_000;

export type IrBuild =
  | { ok: true; ir: IrDocument }
  /** Past MAX_IR_ADDRESS_BLOCKS at `firewall`, after `blocks` in all; `largest` is the largest set in use so far. */
  | { ok: false; firewall: Firewall; blocks: number; largest: { name: string; blocks: number } };

/** Thrown inside buildIr only, to stop at the set that passes the budget. */
class OverBudget {
  constructor(readonly firewall: Firewall) {}
}

/** Placed (and optimised) firewalls → the IR: names address and port sets, numbers rules. */
export function buildIr(model: Model, placed: readonly PlacedFirewall[]): IrBuild {
  const shared = documentLookups(model);
  let firewalls: IrFirewall[];
  try {
    firewalls = placed.map((p) => buildFirewall(p, shared));
  } catch (e) {
    if (!(e instanceof OverBudget)) throw e;
    return { ok: false, firewall: e.firewall, blocks: shared.budget.used, largest: shared.budget.largest };
  }
  const doc: IrDocument = {
    irVersion: 1,
    deployment: model.deployment,
    source: baseName(model.file),
    firewalls,
    groupPolicy: model.clients.map((c): IrGroupPolicy => {
      const g: IrGroupPolicy = { clients: c.name, transport: c.server.transport, ...groupPolicyNeeds(c) };
      if (c.sipRange.explicit) g.sipDynamic = { ...c.sipRange.range };
      if (c.mediaRange.explicit) g.media = { ...c.mediaRange.range };
      return g;
    }),
    servers: model.servers.map((s): IrServer => ({
      name: s.name,
      ...shared.cidrs(s.set),
      listeners: s.listeners.map((l) => ({ transport: l.transport, port: l.port })),
      origin: irOrigin(s.origin),
    })),
    clients: model.clients.map((c): IrClients => ({
      name: c.name,
      ...shared.cidrs(c.set),
      server: c.server.name,
      transport: c.server.transport,
      features: c.features.map((f) => f.name),
      origin: irOrigin(c.origin),
    })),
  };
  if (model.description !== undefined) doc.description = model.description;
  return { ok: true, ir: doc };
}

/**
 * What every firewall of a document shares: an identity for each distinct set (equal sets get
 * the same one), the declared name of a set, and the CIDR texts of each set. A large policy's
 * sets hold tens of thousands of intervals and it declares tens of thousands of networks, so
 * sets are grouped by something cheap and compared exactly only within a group.
 */
function documentLookups(model: Model) {
  const ids = new SetIdentities();
  let declared: ((s: AddressSet) => string | undefined) | undefined;
  const texts = new Map<number, { ipv4: string[]; ipv6: string[] }>();
  const counts = new Map<number, number>();
  const budget = { used: 0, largest: { name: '', blocks: 0 } };
  const ruleOrigins = new WeakMap<Origin, IrOrigin>();
  return {
    budget,
    /** Counts a set's blocks against MAX_IR_ADDRESS_BLOCKS before its texts are built; throws OverBudget past it. */
    spend(set: AddressSet, name: string, fw: Firewall): void {
      const id = ids.of(set);
      let n = counts.get(id);
      if (n === undefined) counts.set(id, (n = cidrCount(set)));
      budget.used += n;
      if (n > budget.largest.blocks) budget.largest = { name, blocks: n };
      if (budget.used > MAX_IR_ADDRESS_BLOCKS) throw new OverBudget(fw);
    },
    keyOf: (s: AddressSet) => `#${ids.of(s)}`,
    /**
     * `irOrigin`, one object per origin for the whole document: a rule merged from a hundred
     * clients blocks carries their hundreds of origins, the same ones in every firewall it
     * reaches (nothing changes an IR object once built, so they may be shared).
     */
    ruleOrigin(o: Origin): IrOrigin {
      let made = ruleOrigins.get(o);
      if (!made) ruleOrigins.set(o, (made = irOrigin(o)));
      return made;
    },
    declaredName: (e: Endpoint) => (declared ??= declaredNames(model))(e.set) ?? e.name,
    cidrs(set: AddressSet): { ipv4: string[]; ipv6: string[] } {
      const id = ids.of(set);
      let t = texts.get(id);
      if (!t) texts.set(id, (t = { ipv4: cidrTexts(set, 4), ipv6: cidrTexts(set, 6) }));
      // The same arrays for every firewall with an equal set (nothing changes an IR list): the
      // targets make each list's text once per run (targets/cidrLists.ts).
      return t;
    },
  };
}

/** The first network (in declaration order) that declares a set equal to a given one. */
function declaredNames(model: Model): (s: AddressSet) => string | undefined {
  const index = new SetIndex<string>();
  for (const n of model.networks.values()) if (index.get(n.set) === undefined) index.add(n.set, n.name);
  return (s) => index.get(s);
}

/** Numbers sets so that equal sets, and only those, share a number. */
class SetIdentities {
  private readonly byObject = new Map<AddressSet, number>();
  private readonly byValue = new SetIndex<number>();
  private count = 0;

  of(s: AddressSet): number {
    let id = this.byObject.get(s) ?? this.byValue.get(s);
    if (id === undefined) this.byValue.add(s, (id = this.count++));
    this.byObject.set(s, id);
    return id;
  }
}

/**
 * A map keyed by the value of an address set. Sets are grouped by their bounds as numbers (the
 * first and last IPv4 address, exact; or the first IPv6 address, rounded, which only groups) and
 * compared exactly within a group, so neither a key per set (tens of thousands of intervals) nor
 * a text per declared network (tens of thousands of them) is ever built.
 */
class SetIndex<V> {
  private readonly groups = new Map<number, Map<number, { set: AddressSet; value: V }[]>>();

  get(s: AddressSet): V | undefined {
    const [k1, k2] = bounds(s);
    return this.groups.get(k1)?.get(k2)?.find((e) => equals(e.set, s))?.value;
  }

  /** For a set not yet in the index. */
  add(s: AddressSet, value: V): void {
    const [k1, k2] = bounds(s);
    let inner = this.groups.get(k1);
    if (!inner) this.groups.set(k1, (inner = new Map()));
    const group = inner.get(k2);
    if (group) group.push({ set: s, value });
    else inner.set(k2, [{ set: s, value }]);
  }
}

const bounds = (s: AddressSet): [number, number] =>
  s.v4.length
    ? [Number(s.v4[0]!.first), Number(s.v4[s.v4.length - 1]!.last)]
    : [-1, s.v6.length ? Number(s.v6[0]!.first) : -1];

function buildFirewall(placed: PlacedFirewall, shared: ReturnType<typeof documentLookups>): IrFirewall {
  const fw = placed.firewall;
  const addressSets = new SetNamer<AddressSet, IrAddressSet>(shared.keyOf, (name, set, stands) => {
    shared.spend(set, stands, fw);
    return { name, stands, ...shared.cidrs(set) };
  });
  const portSets = new SetNamer<string, IrPortSet>(
    (key) => key,
    (name, key) => ({ name, ranges: JSON.parse(key) }),
  );
  const declaredName = shared.declaredName;
  const everything = anySet();
  // `any` matches without an address test; a set of every address would only cost lookups.
  const addressRef = (e: Endpoint | undefined) => (e && !equals(e.set, everything) ? addressSets.nameFor(e.set, () => declaredName(e)) : undefined);
  const portsRef = (p: PortList | undefined): IrPorts | undefined => {
    if (!p) return undefined;
    const ranges = p.ranges.map((r) => ({ from: r.from, to: r.to }));
    const ports: IrPorts = { ranges };
    // Named sets pay off for ranges the policy names (media, SIP) and for lists.
    if (p.label && (ranges.length > 1 || ranges.some((r) => r.from !== r.to))) {
      ports.set = portSets.nameFor(JSON.stringify(ranges), p.label);
    }
    return ports;
  };

  const rules: IrRule[] = [];
  for (const r of placed.rules) {
    const fams = ruleFamilies(r);
    if (fams.length === 0) continue; // reported as MSGR043 where it arises
    const rule: IrRule = {
      id: `r${rules.length + 1}`,
      direction: r.direction,
      action: r.action,
      protocol: r.protocol,
      families: fams,
      origins: r.origins.map((o) => shared.ruleOrigin(o)),
      comment: commentFor(r),
    };
    const src = addressRef(r.src);
    const dst = addressRef(r.dst);
    const srcPorts = portsRef(r.srcPorts);
    const dstPorts = portsRef(r.dstPorts);
    if (src) rule.src = src;
    if (dst) rule.dst = dst;
    if (srcPorts) rule.srcPorts = srcPorts;
    if (dstPorts) rule.dstPorts = dstPorts;
    if (r.icmpTypes) rule.icmpTypes = r.icmpTypes.flatMap((t) => inFamilies(t, fams) ?? []);
    if (r.catalog) rule.catalog = [...r.catalog];
    rules.push(rule);
  }

  const placementOrigin = irOrigin(fw.placement.origin);
  // A setting the policy leaves out is traced to the firewall's own line.
  const settingOrigin = (o: Origin | undefined): IrSettingOrigin => ({ origin: irOrigin(o ?? fw.origin), written: o !== undefined });
  const placement: IrFirewall['placement'] = fw.placement.kind === 'host'
    ? { kind: 'host', on: fw.placement.on.name, set: addressSets.nameFor(fw.placement.on.set, fw.placement.on.name), origin: placementOrigin }
    : {
        kind: 'gateway',
        between: fw.placement.zones.map((z) => z.name),
        zones: fw.placement.zones.map((z) => addressSets.nameFor(z.set, z.name)),
        others: fw.placement.others,
        othersOrigin: settingOrigin(fw.placement.othersOrigin),
        origin: placementOrigin,
      };
  const host = fw.placement.kind === 'host';
  const preamble: IrPreamble[] = host ? ['loopback', 'established', 'invalid', 'icmp'] : ['established', 'invalid', 'icmp'];
  return {
    name: fw.name,
    placement,
    targets: [...fw.targets],
    policy: host ? { input: fw.defaultVerdict, output: fw.outboundVerdict } : { forward: fw.defaultVerdict },
    policyOrigins: host
      ? { input: settingOrigin(fw.defaultOrigin), output: settingOrigin(fw.outboundOrigin) }
      : { forward: settingOrigin(fw.defaultOrigin) },
    logDenied: fw.logDenied,
    preamble,
    addressSets: addressSets.all(),
    portSets: portSets.all(),
    rules,
    origin: irOrigin(fw.origin),
    targetsOrigin: irOrigin(fw.targetsOrigin),
  };
}

function ruleFamilies(r: PlacedRule): IrFamily[] {
  const of = (e: Endpoint | undefined): IrFamily[] => (e ? families(e.set) : [4, 6]);
  const src = of(r.src);
  // An ICMP rule also keeps to the families its messages have (`timestamp-request`: ICMPv4 only).
  const typed = (f: IrFamily) => !r.icmpTypes || r.icmpTypes.some((t) => icmpNumber(t, f) !== undefined);
  return of(r.dst).filter((f) => src.includes(f) && typed(f));
}

/**
 * Gives each distinct set one short, safe, unique name, in order of first use. Lookups are by
 * key, so a firewall with many rules and sets is named in linear time.
 */
class SetNamer<K, V extends { name: string }> {
  private readonly entries: V[] = [];
  private readonly byKey = new Map<string, V>();
  private readonly names = new Set<string>();
  /** Per base name, the first suffix number not yet known to be taken. */
  private readonly nextSuffix = new Map<string, number>();
  constructor(
    private readonly keyOf: (k: K) => string,
    private readonly make: (name: string, key: K, stands: string) => V,
  ) {}

  nameFor(key: K, hintOf: string | (() => string)): string {
    const k = this.keyOf(key);
    const found = this.byKey.get(k);
    if (found) return found.name;
    const hint = typeof hintOf === 'string' ? hintOf : hintOf();
    const base = safeName(hint);
    let name = base;
    if (this.names.has(name)) {
      // Names are only ever added, so the smallest free suffix never goes down.
      let i = this.nextSuffix.get(base) ?? 2;
      for (; ; i++) {
        const suffix = `_${i}`;
        name = base.slice(0, NAME_MAX - suffix.length) + suffix;
        if (!this.names.has(name)) break;
      }
      this.nextSuffix.set(base, i + 1);
    }
    const value = this.make(name, key, safeStands(hint));
    this.entries.push(value);
    this.byKey.set(k, value);
    this.names.add(name);
    return name;
  }

  all(): V[] {
    return [...this.entries];
  }
}

/** `lcs-Host&clients` → `lcs_host_clients`: what every target accepts as a set/table name. */
export function safeName(hint: string): string {
  let s = hint.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(s)) s = `n_${s}`;
  return s.slice(0, NAME_MAX).replace(/_+$/, '');
}

const safeStands = (hint: string) => hint.replace(/[^A-Za-z0-9_&+./:-]/g, '_') || '_';

function irOrigin(o: Origin): IrOrigin {
  return { line: o.line, column: o.column, text: safeText(o.text) };
}

/** The IR's limit for a rule comment (nft allows 128 characters). */
const COMMENT_MAX = 120;

/**
 * `line 18,21: features whiteboard, application-sharing, file-transfer (t120, file-transfer)`:
 * the policy lines behind the rule, what it is for (the features behind a Messenger rule; the
 * statements themselves, block included, for a SIP or plain rule) and its catalog entries.
 * When that is longer than the limit, the line list and then the list of what it is for are
 * cut, each ending in `+N more`; the catalog entries always stay.
 */
function commentFor(r: PlacedRule): string {
  const lines = [...new Set(r.origins.map((o) => o.line))].sort((a, b) => a - b).map(String);
  const features = [...new Set(r.origins.flatMap((o) => (o.feature ? [o.feature] : [])))];
  const [lead, items, sep] = features.length > 0 ? ['features ', features, ', '] : ['', [...new Set(r.origins.map((o) => o.text))], '; '];
  const tail = r.catalog ? ` (${r.catalog.join(', ')})` : '';
  const text = (l: string, what: string) => safeText(`line ${l}: ${lead}${what}${tail}`);
  const what = items.join(sep);
  const lineText = cutList(lines, ',', COMMENT_MAX - text('', what).length);
  const whatText = cutList(items, sep, COMMENT_MAX - text(lineText, '').length);
  return text(lineText, whatText).slice(0, COMMENT_MAX);
}

/** The list joined, or as many entries as fit in `budget` characters followed by `+N more`. */
function cutList(list: readonly string[], sep: string, budget: number): string {
  const all = list.join(sep);
  if (all.length <= budget) return all;
  const more = (kept: number) => `+${list.length - kept} more`;
  let used = 0;
  let kept = 0;
  for (; kept < list.length; kept++) {
    const next = used + (kept > 0 ? sep.length : 0) + list[kept]!.length;
    if (next + sep.length + more(kept + 1).length > budget) break;
    used = next;
  }
  return [...list.slice(0, kept), more(kept)].join(sep);
}

/** Keeps only characters that are inert in every target's comment syntax. */
const safeText = (s: string) => s.replace(/[^A-Za-z0-9 _.,:/&+()=-]/g, '_');

const baseName = (file: string) => file.split(/[\\/]/).pop() || file;
