import type { IrDirection, IrFirewall } from '../ir/types.js';
import { ReaderError, type FlatRule } from '../../targets/readers/chains.js';
import { iptablesProgram, parseIpsetSave, splitSaveLine } from '../../targets/iptables/reader.js';
import { chainName, crossChainName } from '../../targets/iptables/view.js';
import type { IptablesState } from '../live/iptables.js';
import { hooksOf } from './hooks.js';
import type { Finding, LiveFirewall, LiveHook, LiveRule } from './model.js';
import { VerifyTrouble } from './regions.js';

type Family = 4 | 6;
const BUILTIN = ['INPUT', 'FORWARD', 'OUTPUT'] as const;
const HOOK_OF: Record<IrDirection, (typeof BUILTIN)[number]> = { input: 'INPUT', output: 'OUTPUT', forward: 'FORWARD' };
const tool = (f: Family) => (f === 4 ? 'iptables' : 'ip6tables');

/** One `-A` line of a save: its chain, its words after the chain, its position there and the line. */
interface SaveRule {
  chain: string;
  words: string[];
  position: number;
  line: string;
  /** The `-j`/`-g` target. */
  target?: string;
}

interface Save {
  declarations: string[];
  chains: Map<string, SaveRule[]>;
}

function parseSave(text: string): Save {
  const out: Save = { declarations: [], chains: new Map() };
  let table: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (table !== 'filter') continue;
    if (line.startsWith(':')) {
      out.declarations.push(line);
      out.chains.set(line.slice(1).split(/\s+/)[0]!, []);
    } else if (line.startsWith('-A ')) {
      const words = splitSaveLine(line);
      const chain = words[1]!;
      const list = out.chains.get(chain) ?? [];
      out.chains.set(chain, list);
      const j = words.findIndex((w) => w === '-j' || w === '--jump' || w === '-g' || w === '--goto');
      list.push({ chain, words: words.slice(2), position: list.length + 1, line, ...(j >= 0 ? { target: words[j + 1] } : {}) });
    }
  }
  return out;
}

/** A rule without its comment: comments carry policy line numbers, which move when the policy is edited elsewhere. */
function ruleKey(r: SaveRule): string {
  const w = [...r.words];
  const c = w.indexOf('--comment');
  if (c >= 0) {
    w.splice(c, 2);
    if (w[c - 2] === '-m' && w[c - 1] === 'comment') w.splice(c - 2, 2);
  }
  return `${r.chain} ${w.join(' ')}`;
}

/**
 * The live iptables firewall of one firewall: its chains MSGR-<id>-IN/-OUT/-FWD/-CROSS, reached
 * by its jumps from INPUT, OUTPUT and FORWARD, in both families, with the ipset sets they match,
 * read back with the iptables reader. A built-in chain counts up to msgrfw's jump: rules before
 * it decide first (a hand-inserted `iptables -I INPUT … -j ACCEPT` lets traffic past the
 * firewall), with the chains they jump to; what comes after the firewall's chains (the rest of
 * the built-in chain, its policy) is not msgrfw's and is taken as passing, as the artefacts'
 * default accept returns there. Beside the meaning: jumps missing, rules before a jump, and
 * rules, chains and sets that are not the policy's artefacts', or missing from them.
 */
export function liveIptables(fw: IrFirewall, live: IptablesState, expected: IptablesState): LiveFirewall {
  const ours = new Set([chainName(fw, 'input'), chainName(fw, 'output'), chainName(fw, 'forward'), crossChainName(fw)]);
  const source = `iptables and ip6tables filter tables (chains ${[...ours].join(', ')})`;
  const saves = { 4: parseSave(live.v4), 6: parseSave(live.v6) };
  const wanted = { 4: parseSave(expected.v4), 6: parseSave(expected.v6) };
  const notFiltered = (d: IrDirection, f: Family) => `not filtered: ${HOOK_OF[d]} has no jump to msgrfw's chains (${tool(f)})`;
  const applied = ([4, 6] as const).some((f) => [...saves[f].chains.keys()].some((c) => ours.has(c)));
  if (!applied) {
    return { source, applied: false, opening: [], replies: [], notFiltered, loopback: 'lo', findings: [{ kind: 'not-applied', message: `not applied: none of the chains ${[...ours].join(', ')} exists in either family` }] };
  }
  const findings = [...setFindings(live.ipset, expected.ipset)];
  const opening: LiveHook[] = [];
  const replies: LiveHook[] = [];
  for (const family of [4, 6] as const) {
    findings.push(...chainFindings(saves[family], wanted[family], ours, family));
    const { text, ipset } = inForce(saves[family], ours, live.ipset);
    for (const [state, into] of [['new', opening], ['established', replies]] as const) {
      try {
        const program = iptablesProgram(text, family, parseIpsetSave(ipset), state);
        const hooks = hooksOf(program, (r) => nameOf(r, family), (hook) => `passed back to ${hook.chain} (${tool(family)}): the rest of ${hook.chain} and its policy are not msgrfw's`);
        // A built-in chain without a jump into msgrfw's chains: the firewall does not filter there.
        into.push(...hooks.filter((h) => jumps(saves[family], HOOK_OF[h.direction], ours)));
      } catch (e) {
        if (e instanceof ReaderError) throw new VerifyTrouble(`cannot read the ${tool(family)} rules in force exactly: ${e.message}`);
        throw e;
      }
    }
  }
  // What comes back from msgrfw's chains to a built-in chain is not msgrfw's business: it passes.
  for (const h of [...opening, ...replies]) for (const c of h.chains) c.policy = 'accept';
  return { source, applied, opening, replies, notFiltered, loopback: 'lo', findings };
}

/** Whether a built-in chain jumps into the firewall's chains. */
const jumps = (save: Save, builtin: string, ours: Set<string>) => (save.chains.get(builtin) ?? []).some((r) => r.target !== undefined && ours.has(r.target));

function nameOf(r: FlatRule, family: Family): LiveRule {
  const w = r.rule.where;
  const line = r.rule.text.slice(r.rule.text.indexOf(': ') + 2);
  return { where: w ? `${tool(family)} ${w.chain} rule ${w.position}` : tool(family), text: line };
}

/**
 * The part of a save that decides what the firewall does: each built-in chain up to its first
 * jump into the firewall's chains (nothing when there is none), those chains, and every chain
 * the kept rules jump to; as save text for the reader, with the sets those rules match.
 */
function inForce(save: Save, ours: Set<string>, ipset: string): { text: string; ipset: string } {
  const kept: SaveRule[] = [];
  const seen = new Set<string>();
  const keep = (chain: string) => {
    if (seen.has(chain)) return;
    seen.add(chain);
    const rules = save.chains.get(chain) ?? [];
    const upTo = BUILTIN.includes(chain as (typeof BUILTIN)[number]) ? rules.findIndex((r) => r.target !== undefined && ours.has(r.target)) : rules.length - 1;
    for (const r of rules.slice(0, upTo + 1)) {
      kept.push(r);
      if (r.target && save.chains.has(r.target)) keep(r.target);
    }
  };
  for (const b of BUILTIN) keep(b);
  for (const c of ours) keep(c);
  const byChain = new Map<string, SaveRule[]>();
  for (const r of kept) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), r]);
  const lines = ['*filter', ...save.declarations, ...[...byChain.values()].flatMap((rs) => rs.sort((a, b) => a.position - b.position).map((r) => r.line)), 'COMMIT', ''];
  const sets = new Set(kept.flatMap((r) => r.words.flatMap((w, i) => (r.words[i - 1] === '--match-set' ? [w] : []))));
  const setLines = ipset.split('\n').filter((l) => sets.has(l.trim().split(/\s+/)[1] ?? ''));
  return { text: lines.join('\n'), ipset: setLines.join('\n') };
}

/** Jumps, chains and rules of one family held against the policy's artefact as the kernel lists it. */
function chainFindings(have: Save, want: Save, ours: Set<string>, family: Family): Finding[] {
  const out: Finding[] = [];
  const t = tool(family);
  for (const b of BUILTIN) {
    const haveRules = have.chains.get(b) ?? [];
    for (const jump of (want.chains.get(b) ?? []).filter((r) => r.target && ours.has(r.target))) {
      const at = haveRules.findIndex((r) => ruleKey(r) === ruleKey(jump));
      if (at < 0) {
        out.push({ kind: 'jump-missing', message: `${b} has no jump to ${jump.target} (${t}): the firewall's ${b} rules are not in force` });
      } else if (at > 0) {
        const before = haveRules.slice(0, at);
        out.push({ kind: 'pre-empted', message: `${before.length} rule(s) of ${b} come before msgrfw's jump to ${jump.target} (${t}) and decide first: ${before.map((r) => r.line).join('; ')}` });
      }
    }
    const wantedJumps = (want.chains.get(b) ?? []).filter((r) => r.target && ours.has(r.target)).map(ruleKey);
    for (const r of haveRules.filter((x) => x.target && ours.has(x.target))) {
      const i = wantedJumps.indexOf(ruleKey(r));
      if (i >= 0) wantedJumps.splice(i, 1);
      else out.push({ kind: 'foreign', message: `a jump the policy does not have: ${t} ${b} rule ${r.position}: ${r.line}`, rule: { where: `${t} ${b} rule ${r.position}`, text: r.line } });
    }
  }
  for (const chain of ours) {
    const h = have.chains.get(chain);
    const w = want.chains.get(chain);
    if (!h) {
      if (w) out.push({ kind: 'missing', message: `chain ${chain} is missing (${t})` });
      continue;
    }
    const left = (w ?? []).map((r) => ({ key: ruleKey(r), line: r.line }));
    for (const r of h) {
      const i = left.findIndex((x) => x.key === ruleKey(r));
      if (i >= 0) left.splice(i, 1);
      else {
        const rule = { where: `${t} ${chain} rule ${r.position}`, text: r.line };
        out.push({ kind: 'foreign', message: `a rule the policy does not have: ${rule.where}: ${r.line}`, rule });
      }
    }
    for (const r of left) out.push({ kind: 'missing', message: `a rule of the policy is missing (${t}): ${r.line}` });
  }
  return out;
}

/** The policy's sets held against the live ones: missing, or with other members. */
function setFindings(live: string, expected: string): Finding[] {
  const members = (text: string) => {
    const sets = new Map<string, Set<string>>();
    for (const line of text.split('\n')) {
      const w = line.trim().split(/\s+/);
      if (w[0] === 'create') sets.set(w[1]!, new Set());
      if (w[0] === 'add') sets.get(w[1]!)?.add(w.slice(2).join(' '));
    }
    return sets;
  };
  const have = members(live);
  const out: Finding[] = [];
  for (const [name, want] of members(expected)) {
    const got = have.get(name);
    if (!got) {
      out.push({ kind: 'missing', message: `ipset ${name} is missing` });
      continue;
    }
    const extra = [...got].filter((m) => !want.has(m));
    const lost = [...want].filter((m) => !got.has(m));
    if (extra.length || lost.length) {
      const list = (l: string[]) => (l.length > 5 ? `${l.slice(0, 5).join(', ')} and ${l.length - 5} more` : l.join(', '));
      out.push({ kind: 'changed', message: `ipset ${name} differs from the policy's:${extra.length ? ` holds ${list(extra)} too` : ''}${extra.length && lost.length ? ';' : ''}${lost.length ? ` lacks ${list(lost)}` : ''}` });
    }
  }
  return out;
}
