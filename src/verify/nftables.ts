import type { IrDirection, IrFirewall } from '../ir/types.js';
import { ReaderError, type FlatRule } from '../../targets/readers/chains.js';
import { readNftProgram } from '../../targets/nftables/reader.js';
import { nftTableName } from '../../targets/nftables/view.js';
import { nftRuleTexts, type NftListing } from '../live/nftables.js';
import { hooksOf } from './hooks.js';
import type { Finding, LiveFirewall, LiveHook, LiveRule } from './model.js';
import { VerifyTrouble } from './regions.js';


/**
 * The live nftables firewall: table `inet msgr_<firewall>` read back (`nft -j list table`) with
 * the nftables reader, for opening packets and for replies, each rule named by its chain, handle
 * and text (`nft -a list table`). Beside the meaning, the table is held against what the
 * policy's artefact lists as (`expected`, loaded into a private namespace): rules, chains and
 * sets that are not the policy's, or missing. Only this table is read: other tables can drop
 * more, never let through what this one drops.
 */
export function liveNftables(fw: IrFirewall, live: NftListing | undefined, expected: NftListing): LiveFirewall {
  const table = nftTableName(fw);
  const source = `table inet ${table}`;
  const notFiltered = (d: IrDirection) => `not filtered: table inet ${table} has no base chain on the ${d} hook`;
  if (!live) {
    return { source, applied: false, opening: [], replies: [], notFiltered, loopback: 'lo', findings: [{ kind: 'not-applied', message: `not applied: there is no table inet ${table}` }] };
  }
  const texts = nftRuleTexts(live.text);
  const name = (r: FlatRule): LiveRule => {
    const w = r.rule.where;
    if (!w) return { where: 'a rule', text: r.rule.text };
    return { where: `chain ${w.chain}, handle ${w.handle}`, text: texts.get(`${w.chain} ${w.handle}`) ?? r.rule.text };
  };
  const hooks = (ctState: 'new' | 'established'): LiveHook[] => {
    try {
      return hooksOf(readNftProgram(live.json, table, ctState).program, name, (hook) => `${hook.policy === 'accept' ? 'accepted' : 'dropped'} by chain ${hook.chain}'s policy (${hook.policy})`);
    } catch (e) {
      if (e instanceof ReaderError) throw new VerifyTrouble(`cannot read ${source} exactly: ${e.message}`);
      throw e;
    }
  };
  return { source, applied: true, opening: hooks('new'), replies: hooks('established'), notFiltered, loopback: 'lo', findings: tableFindings(live, expected) };
}

type Obj = Record<string, unknown>;

interface Objects {
  chains: Map<string, Obj>;
  sets: Map<string, Obj>;
  /** Rules per chain: the key (their match and statements, without comment and handle) and the handle. */
  rules: Map<string, { key: string; handle: number }[]>;
  others: string[];
}

function objectsOf(json: string): Objects {
  const doc = JSON.parse(json) as { nftables: Obj[] };
  const out: Objects = { chains: new Map(), sets: new Map(), rules: new Map(), others: [] };
  for (const o of doc.nftables) {
    const [kind] = Object.keys(o);
    const v = o[kind!] as Obj;
    if (kind === 'metainfo' || kind === 'table') continue;
    if (kind === 'chain') out.chains.set(v.name as string, v);
    else if (kind === 'set') out.sets.set(v.name as string, v);
    else if (kind === 'rule') {
      const list = out.rules.get(v.chain as string) ?? [];
      list.push({ key: JSON.stringify(v.expr), handle: v.handle as number });
      out.rules.set(v.chain as string, list);
    } else out.others.push(`${kind} ${String(v.name ?? '')}`.trim());
  }
  return out;
}

const chainShape = (c: Obj) => (c.hook === undefined ? 'a regular chain' : `type ${String(c.type)} hook ${String(c.hook)} priority ${String(c.prio)}; policy ${String(c.policy ?? 'accept')}`);
const setShape = (s: Obj) => JSON.stringify({ type: s.type, flags: s.flags, elem: s.elem ?? [] });

/**
 * What is in the live table that the policy's is not, and the reverse: chains (and their hook,
 * priority and policy), sets (and their elements), other objects, and rules, compared as the
 * kernel lists them but without comments (a comment carries policy line numbers, which move
 * when the policy is edited elsewhere) and handles.
 */
function tableFindings(live: NftListing, expected: NftListing): Finding[] {
  const have = objectsOf(live.json);
  const want = objectsOf(expected.json);
  const texts = nftRuleTexts(live.text);
  const wantTexts = nftRuleTexts(expected.text);
  const out: Finding[] = [];
  for (const [name, c] of have.chains) {
    const w = want.chains.get(name);
    if (!w) out.push({ kind: 'foreign', message: `chain ${name} is not the policy's (${chainShape(c)})` });
    else if (chainShape(w) !== chainShape(c)) out.push({ kind: 'changed', message: `chain ${name} is ${chainShape(c)}; the policy's is ${chainShape(w)}` });
  }
  for (const name of want.chains.keys()) if (!have.chains.has(name)) out.push({ kind: 'missing', message: `chain ${name} is missing` });
  for (const [name, s] of have.sets) {
    const w = want.sets.get(name);
    if (!w) out.push({ kind: 'foreign', message: `set ${name} is not the policy's` });
    else if (setShape(w) !== setShape(s)) out.push({ kind: 'changed', message: `set ${name} holds ${elements(s)}; the policy's holds ${elements(w)}` });
  }
  for (const name of want.sets.keys()) if (!have.sets.has(name)) out.push({ kind: 'missing', message: `set ${name} is missing` });
  for (const o of have.others) out.push({ kind: 'foreign', message: `${o} is not the policy's` });
  for (const chain of new Set([...have.rules.keys(), ...want.rules.keys()])) {
    const left = [...(want.rules.get(chain) ?? [])];
    for (const r of have.rules.get(chain) ?? []) {
      const i = left.findIndex((x) => x.key === r.key);
      if (i >= 0) left.splice(i, 1);
      else {
        const rule = { where: `chain ${chain}, handle ${r.handle}`, text: texts.get(`${chain} ${r.handle}`) ?? r.key };
        out.push({ kind: 'foreign', message: `a rule the policy does not have: ${rule.where}: ${rule.text}`, rule });
      }
    }
    for (const r of left) out.push({ kind: 'missing', message: `a rule of the policy is missing from chain ${chain}: ${wantTexts.get(`${chain} ${r.handle}`) ?? r.key}` });
  }
  return out;
}

/** A set's elements as nft writes them. */
function elements(s: Obj): string {
  const elem = Array.isArray(s.elem) ? s.elem : s.elem === undefined ? [] : [s.elem];
  const one = (e: unknown): string => {
    if (typeof e !== 'object' || e === null) return String(e);
    const o = e as Obj;
    if (o.prefix) return `${String((o.prefix as Obj).addr)}/${String((o.prefix as Obj).len)}`;
    if (Array.isArray(o.range)) return `${one(o.range[0])}-${one(o.range[1])}`;
    if (o.elem) return one((o.elem as Obj).val);
    return JSON.stringify(o);
  };
  return elem.length ? `{ ${elem.map(one).join(', ')} }` : 'nothing';
}
