// The benchmark's plain-rules part (issue 15): one host firewall with 1,000, 10,000 and 50,000
// plain rules (bench/generate-rules.mjs), compiled by msgrfw for every registered target and, term
// for term, by Capirca's aclgen, alternately, as whole processes. Capirca runs under a timeout;
// once it has not finished at one size, the larger ones are not tried.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capircaTargetOf, commonRules, countRules, msgrfwTargetOf } from './count-rules.mjs';
import { plainRulesCapircaDefinitions, plainRulesCapircaPolicies, plainRulesMsgrPolicy, plainRulesPlan } from './generate-rules.mjs';
import { exp, fitExponents, fmt, measure, ratio, summarise } from './measure.mjs';

/** The goal: msgrfw's time grows at most with this power of the number of rules. */
export const PLAIN_RULES_EXPONENT = 1.15;
const POLICY_LIMIT = 4 * 2 ** 20; // MSGR050: a policy is read up to 4 MiB

/** Writes the policy of `count` rules and checks that msgrfw takes it (warnings counted). */
export function preparePlainRules(dir, count, targets, cli) {
  const p = plainRulesPlan(count);
  const text = plainRulesMsgrPolicy(p, targets);
  if (Buffer.byteLength(text) > POLICY_LIMIT) throw new Error(`the generated policy of ${count} plain rules passes 4 MiB (${text.length} bytes)`);
  writeFileSync(join(dir, 'policy.msgr'), text);
  const r = spawnSync(process.execPath, [cli, 'compile', 'policy.msgr', '--out-dir', join(dir, 'preflight'), '--format', 'json'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  let diagnostics = [];
  try {
    diagnostics = JSON.parse(r.stderr).diagnostics ?? [];
  } catch {
    throw new Error(`msgrfw failed on the policy of ${count} plain rules:\n${r.stderr.slice(0, 4000)}`);
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (r.status !== 0 || errors.length) throw new Error(`msgrfw rejects the policy of ${count} plain rules:\n${errors.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
  rmSync(join(dir, 'preflight'), { recursive: true, force: true });
  const shadowed = diagnostics.filter((d) => d.code === 'MSGR070').length;
  return { plan: p, policyBytes: Buffer.byteLength(text), shadowed };
}

/**
 * Runs the sizes. `runs`: runs per tool (default 5, 3 when a run takes over 3 s, 1 for a tool
 * whose run takes over 60 s). `timeoutS`: Capirca's limit per run.
 */
export async function benchPlainRules({ base, sizes, targets, capirca, runs: fixedRuns, timeoutS, cli, log }) {
  const rows = [];
  let capircaGaveUp; // the size at which Capirca did not finish
  for (const count of sizes) {
    const dir = join(base, `plain-${count}`);
    mkdirSync(dir, { recursive: true });
    const { plan: p, policyBytes, shadowed } = preparePlainRules(dir, count, targets, cli);
    const tools = { msgrfw: { out: join(dir, 'out'), cmd: process.execPath, args: (out) => [cli, 'compile', 'policy.msgr', '--out-dir', out], targetOf: msgrfwTargetOf } };
    const row = { rules: count, policyBytes, shadowed, tiers: p.tiers, offices: p.offices };
    if (capirca && capircaGaveUp === undefined) {
      mkdirSync(join(dir, 'cap', 'def'), { recursive: true });
      mkdirSync(join(dir, 'cap', 'pol'), { recursive: true });
      for (const [name, text] of Object.entries(plainRulesCapircaDefinitions(p))) writeFileSync(join(dir, 'cap', 'def', name), text);
      for (const pol of plainRulesCapircaPolicies(p, targets)) writeFileSync(join(dir, 'cap', 'pol', pol.name), pol.text);
      tools.capirca = {
        out: join(dir, 'capout'),
        cmd: 'aclgen',
        args: (out) => ['--base_directory', 'cap', '--definitions_directory', join('cap', 'def'), '--output_directory', out],
        targetOf: capircaTargetOf,
        timeoutMs: timeoutS * 1000,
      };
    } else if (capirca) row.capirca = { notRun: `not run: it did not finish ${fmt(capircaGaveUp)} rules in ${timeoutS} s` };
    const samples = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
    let runs = fixedRuns ?? 5;
    for (let r = 0; r < runs; r++) {
      for (const [name, tool] of Object.entries(tools)) {
        if (r > 0 && !fixedRuns && samples[name][0].wallMs > 60_000) continue;
        if (samples[name].some((m) => m.timedOut)) continue;
        rmSync(tool.out, { recursive: true, force: true });
        mkdirSync(tool.out, { recursive: true });
        const m = await measure(tool.cmd, tool.args(tool.out), { cwd: dir, timeoutMs: tool.timeoutMs });
        if (!m.timedOut && m.status !== 0) throw new Error(`${name} failed on ${count} plain rules, exit ${m.status}:\n${m.stderr.slice(-4000)}`);
        samples[name].push(m);
      }
      if (r === 0 && !fixedRuns && Object.values(samples).some((s) => s[0].wallMs > 3000)) runs = 3;
    }
    for (const [name, tool] of Object.entries(tools)) {
      const s = samples[name];
      if (s.some((m) => m.timedOut)) {
        capircaGaveUp ??= count;
        row[name] = { timedOut: true, timeoutS };
        continue;
      }
      row[name] = { ...summarise(s), ...countRules(tool.out, tool.targetOf) };
    }
    if (row.capirca?.rules) row.msgrfw.rulesCommon = commonRules(row.msgrfw, row.capirca);
    rows.push(row);
    const c = row.capirca;
    log(`  ${String(count).padStart(6)} plain rules: msgrfw ${fmt(row.msgrfw.wallMs)} ms ${fmt(row.msgrfw.peakMb)} MB` + (c?.wallMs ? ` | Capirca ${fmt(c.wallMs)} ms ${fmt(c.peakMb)} MB` : c ? ` | Capirca ${c.timedOut ? `did not finish in ${timeoutS} s` : c.notRun}` : ''));
  }
  const growth = (tool) => {
    const points = rows.filter((r) => r[tool]?.wallMs).map((r) => ({ n: r.rules, f: 1, y: r[tool].wallMs }));
    return points.length > 1 ? fitExponents(points).networks : null;
  };
  return { rows, capirca: Boolean(capirca), timeoutS, exponent: { msgrfw: growth('msgrfw'), capirca: growth('capirca') } };
}

const capircaCell = (c, timeoutS, value) => (!c ? '–' : c.timedOut ? `did not finish in ${timeoutS} s` : c.notRun ? 'not run' : value(c));

export function plainRulesMarkdown(part, targets) {
  const L = ['### Plain rules on one firewall (whole process)', ''];
  L.push(
    'One host firewall on the data centre’s servers (bench/generate-rules.mjs): an access list carried over from a legacy firewall, `allow|deny tcp|udp PORTS from NET to NET` with port lists, office networks, their regions and their administrators’ /28s, server tiers, quarantined networks; added in batches as tickets add them, mostly allows the optimiser merges into sets, some rules shadowed by earlier ones (MSGR070, both verdicts), legacy protocols denied. Capirca gets the same networks and one term per rule, in the same order, for the same four generators (iptables and Windows Firewall per family, nftables and pf mixed), ' +
      (part.capirca ? `each run limited to ${part.timeoutS} s.` : 'not run this time.'),
    '',
  );
  L.push('| plain rules | policy KB | shadowed (MSGR070) | msgrfw ms | Capirca ms | msgrfw / Capirca | msgrfw MB | Capirca MB | msgrfw / Capirca |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of part.rows) {
    const c = r.capirca;
    const t = part.timeoutS;
    L.push(
      `| ${fmt(r.rules)} | ${fmt(r.policyBytes / 1024)} | ${fmt(r.shadowed)} | ${fmt(r.msgrfw.wallMs)} | ${capircaCell(c, t, (x) => fmt(x.wallMs))} | ${c?.wallMs ? ratio(r.msgrfw.wallMs, c.wallMs) : '–'} | ${fmt(r.msgrfw.peakMb)} | ${capircaCell(c, t, (x) => `${fmt(x.peakMb)} (${fmt(x.treePeakMb)})`)} | ${c?.peakMb ? ratio(r.msgrfw.peakMb, c.peakMb) : '–'} |`,
    );
  }
  for (const r of part.rows.filter((x) => x.capirca?.notRun)) L.push('', `Capirca on ${fmt(r.rules)} rules: ${r.capirca.notRun}.`);
  L.push('', `Rules written (msgrfw / Capirca, counted as in "Rules written per target"):`, '');
  L.push(`| plain rules | ${targets.join(' | ')} |`, `|---:|${targets.map(() => '---:').join('|')}|`);
  for (const r of part.rows) L.push(`| ${fmt(r.rules)} | ${targets.map((t) => `${fmt(r.msgrfw.rules[t])} / ${r.capirca?.rules ? fmt(r.capirca.rules[t]) : '–'}`).join(' | ')} |`);
  L.push('', `Time ~ rules^b: msgrfw ${exp(part.exponent.msgrfw)}, Capirca ${exp(part.exponent.capirca)}${part.rows.length ? ` (over ${part.rows.map((r) => fmt(r.rules)).join(', ')} rules)` : ''}.`, '');
  return L;
}

export function plainRulesChecks(part) {
  const e = part.exponent.msgrfw;
  return [{ what: `plain rules: time grows with exponent ≤ ${PLAIN_RULES_EXPONENT}`, ok: e === null ? null : e <= PLAIN_RULES_EXPONENT, detail: e === null ? 'needs two sizes or more' : `exponent ${exp(e)} over ${part.rows.map((r) => fmt(r.rules)).join(', ')} rules` }];
}
