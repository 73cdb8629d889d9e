import type { IrDirection, IrFirewall } from '../ir/types.js';
import { tupleCond } from '../../targets/readers/chains.js';
import type { TupleDirection } from '../../targets/readers/tuple.js';
import { pfAnchor } from '../../targets/pf/header.js';
import { parsePf, pfTuples, PfError, type PfRuleset } from '../../targets/pf/reader.js';
import type { Finding, LiveFirewall, LiveHook, LiveVerdict } from './model.js';
import { VerifyTrouble } from './regions.js';

/**
 * A pf anchor as saved on the firewall (the README's capture command): the output of
 * `pfctl -a msgr/FW -sr`, then for each of its tables a line `# table <NAME>` and the output of
 * `pfctl -a msgr/FW -t NAME -T show` (one address a line, `!` before a negated one).
 */
export interface PfDump {
  rules: { line: number; text: string }[];
  tables: Map<string, string[]>;
}

const TABLE_HEADER = /^# table <([A-Za-z0-9_-]+)>\s*$/;

/** Splits a saved dump into the rules pfctl listed and the tables' entries; `#` lines other than table headers are comments. */
export function parsePfDump(text: string): PfDump {
  const rules: PfDump['rules'] = [];
  const tables = new Map<string, string[]>();
  let table: string[] | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const header = TABLE_HEADER.exec(line);
    if (header) {
      if (tables.has(header[1]!)) throw new VerifyTrouble(`pf dump line ${i + 1}: table <${header[1]}> appears twice`);
      tables.set(header[1]!, (table = []));
      return;
    }
    if (line === '' || line.startsWith('#')) return;
    if (table) {
      if (!/^!?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.]+)?(?:\/[0-9]{1,3})?$/.test(line)) throw new VerifyTrouble(`pf dump line ${i + 1}: '${line}' is not an address of a table listing (pfctl -T show prints one a line)`);
      table.push(line);
    } else rules.push({ line: i + 1, text: line });
  });
  return { rules, tables };
}

/**
 * The anchor's meaning, read with the pf reader. pf expands `self` when it loads a table, so the
 * listing holds the machine's own addresses, negated, where the artefact says `!self`: those
 * are left out, as the reader reads the artefact's `!self` (a negated host in a table whose
 * artefact has no `!self` stays what it is). A rule names itself by its line in the dump.
 */
export function livePf(fw: IrFirewall, dump: PfDump, expected: PfRuleset): LiveFirewall {
  const anchor = pfAnchor(fw);
  const source = `pf anchor ${anchor} (saved dump)`;
  const gateway = fw.placement.kind === 'gateway';
  const notFiltered = (d: IrDirection) =>
    gateway && d !== 'forward' ? `not filtered: anchor ${anchor} judges only traffic between the zones` : `passed: pf keeps state for the connections anchor ${anchor} passes, and passes what no rule of it matches`;
  if (dump.rules.length === 0) {
    return { source, applied: false, opening: [], replies: [], notFiltered, loopback: 'lo0', findings: [{ kind: 'not-applied', message: `not applied: anchor ${anchor} has no rules in the dump` }] };
  }
  const findings: Finding[] = [];
  const tableLines = [...dump.tables].map(([name, entries]) => {
    const want = expected.tables.get(name)?.map((e) => e.replace(/\s+/g, ''));
    // What pf made of `!self`: the machine's own addresses, which no forwarded packet carries.
    const kept = want?.includes('!self') ? entries.filter((e) => !(e.startsWith('!') && !/\/(?!32$|128$)/.test(e))) : entries;
    if (!want) findings.push({ kind: 'foreign', message: `table <${name}> is not the policy's` });
    else if (!sameEntries(kept, want.filter((e) => e !== '!self'))) findings.push({ kind: 'changed', message: `table <${name}> holds { ${kept.join(', ')} }; the policy's holds { ${want.join(', ')} }` });
    return `table <${name}> { ${kept.join(', ')} }`;
  });
  for (const name of expected.tables.keys()) if (!dump.tables.has(name)) findings.push({ kind: 'missing', message: `table <${name}> is missing from the dump (capture it with pfctl -a ${anchor} -t ${name} -T show)` });
  let ruleset: PfRuleset;
  const text = [...tableLines, ...dump.rules.map((r) => r.text)].join('\n');
  try {
    ruleset = parsePf(`${text}\n`);
  } catch (e) {
    if (e instanceof PfError) throw new VerifyTrouble(`cannot read ${source} exactly: ${dumpLine(e.message, tableLines.length, dump)}`);
    throw e;
  }
  // pf: quick rules decide at once in order; otherwise the last matching rule does.
  const order = [...ruleset.rules.filter((r) => r.quick), ...ruleset.rules.filter((r) => !r.quick).reverse()];
  const byDirection = new Map<TupleDirection, LiveVerdict[]>();
  for (const r of order) {
    const listed = dump.rules[r.line - 1 - tableLines.length]!;
    let tuples;
    try {
      tuples = pfTuples({ ...ruleset, rules: [r] }, { forward: gateway });
    } catch (e) {
      if (e instanceof PfError) throw new VerifyTrouble(`cannot read ${source} exactly: ${dumpLine(e.message, tableLines.length, dump)}`);
      throw e;
    }
    for (const t of tuples) {
      const list = byDirection.get(t.direction) ?? [];
      list.push({ action: t.action, cond: tupleCond(t), rule: { where: `pfctl -sr line ${listed.line}`, text: listed.text } });
      byDirection.set(t.direction, list);
    }
  }
  const directions: [TupleDirection, IrDirection][] = gateway ? [['forward', 'forward']] : [['in', 'input'], ['out', 'output']];
  const opening: LiveHook[] = directions.map(([t, direction]) => ({
    direction,
    chains: [{ rules: byDirection.get(t) ?? [], policy: 'accept', policyText: `passed: no rule of anchor ${anchor} matches it (pf passes what no rule blocks)` }],
  }));
  return { source, applied: true, opening, replies: [], notFiltered, loopback: 'lo0', findings };
}

/** A reader message's `pf line N` as the dump's line. */
function dumpLine(message: string, tableLines: number, dump: PfDump): string {
  return message.replace(/^pf line (\d+)/, (all, n: string) => {
    const rule = dump.rules[Number(n) - 1 - tableLines];
    return rule ? `dump line ${rule.line} (${rule.text})` : all;
  });
}

/** Table entries compared as sets, host addresses with or without /32 or /128. */
function sameEntries(a: string[], b: string[]): boolean {
  const norm = (l: string[]) => [...new Set(l.map((e) => e.toLowerCase().replace(/\/(32|128)$/, '')))].sort().join(',');
  return norm(a) === norm(b);
}
