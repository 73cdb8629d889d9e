#!/usr/bin/env node
// The msgrfw benchmark (`npm run bench`, after `npm run build`; uses dist/).
//
// For each size (client networks × firewalls) it writes a generated Messenger deployment
// (bench/generate.mjs) and the equivalent Capirca policy into a temporary directory, then runs
// both tools as whole processes, alternately: `node bin/msgrfw.js compile … --out-dir …` for every
// registered target, and Debian's `aclgen` for the matching Capirca generators. It reports the
// median wall time and peak memory, the rules each tool wrote per target, the growth exponents,
// one firewall of 1,000 to 50,000 plain rules against Capirca (bench/plain-rules.mjs), with
// `--baseline DIR` the same against another build (bench/baseline.mjs), the largest deployment
// on 1 to all cores' threads (bench/threads.mjs; the size of --baseline-size), the parser's
// throughput and the start-up time, prints a Markdown report and writes bench/results/latest.md and
// latest.json (and, after a whole run, the README's Performance section).
//
//   node bench/run.mjs [--quick] [--only grid,plain-rules,baseline,threads,parser,startup]
//                      [--networks 1,100,1000,10000] [--firewalls 1,10,100]
//                      [--plain-rules 1000,10000,50000] [--capirca-timeout SECONDS]
//                      [--baseline DIR] [--baseline-size 10000x100] [--baseline-rules 1000,50000]
//                      [--runs N] [--no-capirca] [--no-parser] [--no-startup] [--keep]
//                      [--results DIR] [--no-write]
//
// `--only` runs the parts named (the default: all of them, the baseline when --baseline is
// given); a run of some parts writes results only with an explicit --results DIR.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { baselineChecks, baselineMarkdown, benchBaseline } from './baseline.mjs';
import { benchThreads, threadsChecks, threadsMarkdown } from './threads.mjs';
import { capircaTargetOf, commonRules, countRules, msgrfwTargetOf } from './count-rules.mjs';
import { capircaDefinitions, capircaPolicies, kindOf, msgrPolicy, plan } from './generate.mjs';
import { exp, fitExponents, fmt, HAVE_TIME, measure, ratio, summarise, TIME } from './measure.mjs';
import { benchPlainRules, plainRulesChecks, plainRulesMarkdown } from './plain-rules.mjs';
import { profileMarkdown, summariseProfile } from './profile-summary.mjs';
import { updateReadme } from './readme.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'bin', 'msgrfw.js');
const TARGET_ORDER = ['nftables', 'iptables', 'netsh', 'pf'];
/** The requirements this benchmark checks (issues "Performance" and 15). */
const LIMITS = { wallMs: 1000, peakMb: 200, startupRatio: 1.5, networks: 10_000 };
const PARTS = ['grid', 'plain-rules', 'baseline', 'threads', 'parser', 'startup'];

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    networks: { type: 'string' },
    firewalls: { type: 'string' },
    'plain-rules': { type: 'string' },
    'capirca-timeout': { type: 'string', default: '300' },
    baseline: { type: 'string' },
    'baseline-size': { type: 'string', default: '10000x100' },
    'baseline-rules': { type: 'string' },
    runs: { type: 'string' },
    'no-capirca': { type: 'boolean', default: false },
    'no-parser': { type: 'boolean', default: false },
    'no-startup': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    results: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const list = (s, d) => (s ?? d).split(',').filter(Boolean).map(Number);
const NETWORKS = list(opt.networks, opt.quick ? '1,100,1000' : '1,100,1000,10000');
const FIREWALLS = list(opt.firewalls, opt.quick ? '1,10' : '1,10,100');
const PLAIN_RULES = list(opt['plain-rules'], opt.quick ? '1000,10000' : '1000,10000,50000');
const PARSER_MB = opt.quick ? [1, 2] : [1, 5, 10];
const ONLY = opt.only ? opt.only.split(',').filter(Boolean) : undefined;
for (const p of ONLY ?? []) {
  if (!PARTS.includes(p)) {
    process.stderr.write(`bench: --only ${p}: no such part (${PARTS.join(', ')})\n`);
    process.exit(2);
  }
}
if (ONLY?.includes('baseline') && !opt.baseline) {
  process.stderr.write('bench: --only baseline needs --baseline DIR (a built checkout of the other build)\n');
  process.exit(2);
}
const RUN = {
  grid: !ONLY || ONLY.includes('grid'),
  'plain-rules': !ONLY || ONLY.includes('plain-rules'),
  baseline: Boolean(opt.baseline) && (!ONLY || ONLY.includes('baseline')),
  threads: !ONLY || ONLY.includes('threads'),
  parser: !opt['no-parser'] && (!ONLY || ONLY.includes('parser')),
  startup: !opt['no-startup'] && (!ONLY || ONLY.includes('startup')),
};
const RESULTS = opt.results ?? join(ROOT, 'bench', 'results');
const WRITE = !opt['no-write'] && !opt.quick && (!ONLY || opt.results !== undefined);

const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------

function machineInfo() {
  const cpus = os.cpus();
  const capirca = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'python3-capirca'], { encoding: 'utf8' });
  const hyperfine = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    capirca: capirca.status === 0 ? capirca.stdout.trim() : null,
    hyperfine: hyperfine.status === 0 ? hyperfine.stdout.trim() : null,
    gnuTime: HAVE_TIME,
  };
}

async function registeredTargets() {
  const { TARGET_REGISTRY } = await import(pathToFileURL(join(ROOT, 'dist', 'targets', 'index.js')).href);
  return TARGET_ORDER.filter((t) => t in TARGET_REGISTRY).concat(Object.keys(TARGET_REGISTRY).filter((t) => !TARGET_ORDER.includes(t)));
}

/**
 * Writes the policy of one size. A target that refuses a kind of firewall (MSGR060: it cannot
 * express it exactly) is taken off that kind of firewall, for both tools, and reported.
 */
async function preparePolicy(dir, networks, firewalls, targets) {
  const p = plan(networks, firewalls);
  const refused = {};
  const notes = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    writeFileSync(join(dir, 'policy.msgr'), msgrPolicy(p, targets, refused));
    const out = join(dir, 'preflight');
    rmSync(out, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [CLI, 'compile', 'policy.msgr', '--out-dir', out, '--format', 'json'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status === 0) return { plan: p, refused, notes };
    let diagnostics = [];
    try {
      diagnostics = JSON.parse(r.stderr).diagnostics ?? [];
    } catch {
      throw new Error(`msgrfw failed on the generated policy (${networks} networks, ${firewalls} firewalls):\n${r.stderr.slice(0, 4000)}`);
    }
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const refusals = errors.filter((d) => d.code === 'MSGR060');
    if (refusals.length === 0 || refusals.length < errors.length) {
      throw new Error(`msgrfw rejects the generated policy:\n${errors.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
    }
    for (const d of refusals) {
      const m = /^target (\S+), firewall (\S+): (.*)$/.exec(d.message);
      if (!m) throw new Error(`unexpected MSGR060 message: ${d.message}`);
      const kind = kindOf({ name: m[2] });
      if ((refused[kind] ??= []).includes(m[1])) continue;
      refused[kind].push(m[1]);
      notes.push({ target: m[1], kind, example: `${m[2]}: ${m[3]}` });
    }
  }
  throw new Error('msgrfw keeps refusing the generated policy');
}

async function benchSize(base, networks, firewalls, targets, capirca) {
  const dir = join(base, `n${networks}-f${firewalls}`);
  mkdirSync(dir, { recursive: true });
  const { plan: p, refused, notes } = await preparePolicy(dir, networks, firewalls, targets);
  const policyBytes = statSync(join(dir, 'policy.msgr')).size;
  if (capirca) {
    mkdirSync(join(dir, 'cap', 'def'), { recursive: true });
    mkdirSync(join(dir, 'cap', 'pol'), { recursive: true });
    for (const [name, text] of Object.entries(capircaDefinitions(p))) writeFileSync(join(dir, 'cap', 'def', name), text);
    for (const pol of capircaPolicies(p, targets, refused)) writeFileSync(join(dir, 'cap', 'pol', pol.name), pol.text);
  }

  const tools = {
    msgrfw: {
      out: join(dir, 'out'),
      cmd: process.execPath,
      args: (out) => [CLI, 'compile', 'policy.msgr', '--out-dir', out],
      targetOf: msgrfwTargetOf,
    },
  };
  if (capirca) {
    tools.capirca = {
      out: join(dir, 'capout'),
      cmd: 'aclgen',
      args: (out) => ['--base_directory', 'cap', '--definitions_directory', join('cap', 'def'), '--output_directory', out],
      targetOf: capircaTargetOf,
    };
  }
  const samples = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  let runs = opt.runs ? Number(opt.runs) : 5;
  for (let r = 0; r < runs; r++) {
    for (const [name, tool] of Object.entries(tools)) {
      // A tool whose single run takes over a minute (Capirca on the largest sizes) runs once.
      if (r > 0 && !opt.runs && samples[name][0].wallMs > 60_000) continue;
      rmSync(tool.out, { recursive: true, force: true });
      mkdirSync(tool.out, { recursive: true });
      const m = await measure(tool.cmd, tool.args(tool.out), { cwd: dir });
      if (m.status !== 0) throw new Error(`${name} failed (${networks} networks, ${firewalls} firewalls), exit ${m.status}:\n${m.stderr.slice(-4000)}`);
      samples[name].push(m);
    }
    // Large sizes: three runs are enough (each takes seconds and the spread is small).
    if (r === 0 && !opt.runs && Object.values(samples).some((s) => s[0].wallMs > 3000)) runs = 3;
  }
  const result = { networks, firewalls, regions: p.regions, policyBytes, runs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.length])), refused: notes };
  for (const [name, tool] of Object.entries(tools)) {
    const s = samples[name];
    result[name] = { ...summarise(s), ...countRules(tool.out, tool.targetOf) };
  }
  if (result.capirca) result.msgrfw.rulesCommon = commonRules(result.msgrfw, result.capirca);
  return result;
}

function fits(sizes, tool) {
  const pick = (metric, filter = () => true) => fitExponents(sizes.filter((s) => s[tool] && filter(s)).map((s) => ({ n: s.networks, f: s.firewalls, y: s[tool][metric] })));
  // The smallest sizes are start-up cost; the upper part of the grid shows the growth.
  const upper = (s) => s.networks >= 100 && s.firewalls >= 10;
  return { time: pick('wallMs'), memory: pick('peakMb'), timeUpper: pick('wallMs', upper), memoryUpper: pick('peakMb', upper) };
}

// ---------------------------------------------------------------------------------------------
// Parser throughput: parsePolicy in its own process (so the benchmark's heap does not count),
// on generated policies of about 1, 5 and 10 MB; the largest is also profiled.

function policyOfSize(bytes, targets) {
  const sample = msgrPolicy(plan(1000, 4), targets).length;
  let n = Math.max(1, Math.round((1000 * bytes) / sample));
  let text = msgrPolicy(plan(n, 4), targets);
  n = Math.max(1, Math.round((n * bytes) / text.length));
  text = msgrPolicy(plan(n, 4), targets);
  return { networks: n, text };
}

function benchParser(base, targets) {
  const dir = join(base, 'parser');
  mkdirSync(dir, { recursive: true });
  const files = PARSER_MB.map((size) => {
    const { networks, text } = policyOfSize(size * 1e6, targets);
    const path = join(dir, `policy-${size}mb.msgr`);
    writeFileSync(path, text);
    return { sizeMb: size, networks, path, bytes: Buffer.byteLength(text) };
  });
  const script = join(ROOT, 'bench', 'parse-throughput.mjs');
  const largest = files[files.length - 1];
  const out = {};
  for (const parser of ['fast', 'nearley']) {
    const r = spawnSync(process.execPath, [script, '--parser', parser, ...files.map((f) => f.path)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`parser benchmark (${parser}) failed:\n${r.stderr}`);
    const measured = JSON.parse(r.stdout);
    const rows = files.map((f, i) => ({ sizeMb: f.sizeMb, bytes: f.bytes, networks: f.networks, ms: measured[i].medianMs, msRuns: measured[i].ms, mbPerS: f.bytes / 1e6 / (measured[i].medianMs / 1000), tokens: measured[i].tokens }));
    const exponent = fitExponents(rows.map((row) => ({ n: row.bytes, f: 1, y: row.ms }))).networks;
    // One profiled parse of the largest file.
    const profDir = join(dir, `profile-${parser}`);
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, script, '--parser', parser, '--once', largest.path], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const prof = existsSync(profDir) ? readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    out[parser] = { rows, exponent, profile: prof ? summariseProfile(join(profDir, prof), 20) : null };
  }
  return { ...out, profiledFile: `${largest.sizeMb} MB (${largest.networks} networks)` };
}

// ---------------------------------------------------------------------------------------------
// Start-up: `check` of the example (issue 15.5) and a compile of one firewall for one target, side
// by side with `node -e 0`, by hyperfine.

function benchStartup(base) {
  const out = join(base, 'startup');
  mkdirSync(out, { recursive: true });
  const json = join(out, 'hyperfine.json');
  const check = ['check', 'examples/contoso.msgr'];
  const compile = ['compile', 'examples/contoso.msgr', '-t', 'nftables', '-f', 'edge', '-o', join(out, 'edge.nft')];
  const commands = [`${process.execPath} -e 0`, `${process.execPath} ${CLI} ${check.join(' ')}`, `${process.execPath} ${CLI} ${compile.join(' ')}`];
  const r = spawnSync('hyperfine', ['-N', '--warmup', '5', '--runs', opt.quick ? '15' : '40', '--export-json', json, ...commands], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return { error: `hyperfine failed or is missing: ${(r.stderr || r.error?.message || '').slice(0, 500)}` };
  const res = JSON.parse(readFileSync(json, 'utf8')).results;
  const row = (x, label) => ({ label, meanMs: x.mean * 1000, stddevMs: x.stddev * 1000, medianMs: x.median * 1000, minMs: x.min * 1000, userMs: x.user * 1000, systemMs: x.system * 1000 });
  const node = row(res[0], 'node -e 0');
  const against = (x) => ({ ...x, ratioMean: x.meanMs / node.meanMs, ratioMedian: x.medianMs / node.medianMs, ratioMin: x.minMs / node.minMs });
  return { node, check: against(row(res[1], 'msgrfw check examples/contoso.msgr')), compile: against(row(res[2], 'msgrfw compile examples/contoso.msgr -t nftables -f edge -o edge.nft')) };
}

// ---------------------------------------------------------------------------------------------
// Report.

/** The grid of networks × firewalls: time, memory, rules written, growth. */
function gridMarkdown(r) {
  const L = [];
  L.push('### Time and memory (whole process)', '');
  L.push('| client networks | firewalls | policy KB | msgrfw ms | Capirca ms | msgrfw / Capirca | msgrfw MB | Capirca MB | msgrfw / Capirca |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.sizes) {
    const c = s.capirca;
    L.push(`| ${fmt(s.networks)} | ${s.firewalls} | ${fmt(s.policyBytes / 1024)} | ${fmt(s.msgrfw.wallMs)} | ${c ? fmt(c.wallMs) : '–'} | ${c ? ratio(s.msgrfw.wallMs, c.wallMs) : '–'} | ${fmt(s.msgrfw.peakMb)} | ${c ? `${fmt(c.peakMb)} (${fmt(c.treePeakMb)})` : '–'} | ${c ? ratio(s.msgrfw.peakMb, c.peakMb) : '–'} |`);
  }
  L.push('');
  L.push('### Rules written per target (msgrfw / Capirca)', '');
  L.push(`| client networks | firewalls | ${r.targets.map((t) => `${t}`).join(' | ')} |`);
  L.push(`|---:|---:|${r.targets.map(() => '---:').join('|')}|`);
  for (const s of r.sizes) {
    const cells = r.targets.map((t) => {
      const b = s.capirca?.rules[t];
      if (b === undefined) return `${fmt(s.msgrfw.rules[t])} / –`;
      const a = s.msgrfw.rulesCommon[t];
      return `${fmt(a)} / ${fmt(b)}${a === s.msgrfw.rules[t] ? '' : ` (all: ${fmt(s.msgrfw.rules[t])})`}`;
    });
    L.push(`| ${fmt(s.networks)} | ${s.firewalls} | ${cells.join(' | ')} |`);
  }
  L.push('', 'Counted: nft statements inside chains; iptables `-A`/`-I` lines (IPv4 and IPv6 files); netsh `add rule` commands; pf `pass`/`block` lines. Each pair counts the same firewalls: Capirca has no nftables forward hook, so its nftables column covers the host firewalls only, and msgrfw\'s count over every firewall follows in brackets. Windows Firewall filters only its own host, so neither tool writes netsh for a gateway.');
  const refusals = new Map();
  for (const n of r.sizes.flatMap((s) => s.refused)) if (!refusals.has(`${n.target} ${n.kind}`)) refusals.set(`${n.target} ${n.kind}`, n);
  if (refusals.size) {
    L.push('', 'Left out for both tools because msgrfw refused them (MSGR060, "a target cannot express this firewall exactly"):');
    for (const n of refusals.values()) L.push(`- ${n.target} for the ${n.kind} firewalls, e.g. ${n.example}`);
  }
  L.push('');

  L.push('### Growth (least squares on log-log)', '');
  L.push('| tool | time ~ networks^b | time ~ firewalls^c | memory ~ networks^b | memory ~ firewalls^c | upper grid (≥100 networks, ≥10 firewalls): time b, c |');
  L.push('|---|---:|---:|---:|---:|---:|');
  for (const [tool, f] of Object.entries(r.fits)) {
    L.push(`| ${tool} | ${exp(f.time.networks)} | ${exp(f.time.firewalls)} | ${exp(f.memory.networks)} | ${exp(f.memory.firewalls)} | ${exp(f.timeUpper.networks)}, ${exp(f.timeUpper.firewalls)} |`);
  }
  L.push('');

  return L;
}

function markdown(r) {
  const L = [];
  const m = r.machine;
  L.push('## msgrfw benchmark', '');
  L.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}; Capirca ${m.capirca ?? 'not installed'} (Debian python3-capirca); ${m.hyperfine ?? 'no hyperfine'}.`);
  L.push(`Load average (1 min) at start ${fmt(r.load.start, 2)}, at end ${fmt(r.load.end, 2)}${r.load.start > 1 || r.load.end > 1 ? ' — the machine was busy: treat absolute times as upper bounds' : ''}.`);
  L.push(`Registered targets: ${r.targets.join(', ')}. Runs per size: median of ${r.runsNote}. Peak memory: largest process's maximum RSS (GNU time %M); Capirca's whole process tree (aclgen's worker pool, sampled) in brackets.`, '');

  if (r.sizes.length) L.push(...gridMarkdown(r));
  if (r.plainRules) L.push(...plainRulesMarkdown(r.plainRules, r.targets));
  if (r.baseline || r.baselineNote) L.push(...baselineMarkdown(r.baseline));
  L.push(...threadsMarkdown(r.threads));
  if (r.parser) {
    L.push('### Parser throughput (in-process, median of 3)', '');
    L.push('The compiler parses a well-formed policy on its recursive-descent fast path (src/parse/fast.ts), which builds exactly the tree nearley builds; the nearley grammar (moo lexer) parses every policy with an error and is the reference a differential test holds the fast path to. Both are measured directly, past the 4 MiB a policy may have (MSGR050).', '');
    L.push('| policy | bytes | tokens | fast path ms | MB/s | nearley ms | MB/s |', '|---:|---:|---:|---:|---:|---:|---:|');
    r.parser.fast.rows.forEach((f, i) => {
      const n = r.parser.nearley.rows[i];
      L.push(`| ${f.sizeMb} MB (${fmt(f.networks)} networks) | ${fmt(f.bytes)} | ${fmt(f.tokens)} | ${fmt(f.ms)} | ${fmt(f.mbPerS, 2)} | ${fmt(n.ms)} | ${fmt(n.mbPerS, 2)} |`);
    });
    L.push('', `Time ~ bytes^b (1.00 is linear): fast path ${exp(r.parser.fast.exponent)}, nearley ${exp(r.parser.nearley.exponent)}.`);
    for (const parser of ['nearley', 'fast']) {
      const profile = r.parser[parser].profile;
      if (!profile) continue;
      const areas = profile.byArea.slice(0, 5).map((a) => `${a.area} ${a.share}%`).join(', ');
      L.push(`Profile of the ${r.parser.profiledFile} parse, ${parser === 'fast' ? 'fast path' : 'nearley'}: ${areas}.`);
    }
    L.push('(Details: bench/results/parser-profile.md.)', '');
  }
  if (r.startup) {
    L.push('### Start-up (hyperfine)', '');
    if (r.startup.error) L.push(r.startup.error, '');
    else {
      L.push('| command | mean ms | σ | median ms | min ms | user ms | system ms |', '|---|---:|---:|---:|---:|---:|---:|');
      for (const x of [r.startup.node, r.startup.check, r.startup.compile]) L.push(`| \`${x.label}\` | ${fmt(x.meanMs, 1)} | ${fmt(x.stddevMs, 1)} | ${fmt(x.medianMs, 1)} | ${fmt(x.minMs, 1)} | ${fmt(x.userMs, 1)} | ${fmt(x.systemMs, 1)} |`);
      L.push('');
      for (const [name, x] of [['check', r.startup.check], ['compile', r.startup.compile]]) L.push(`msgrfw ${name} / node: ${fmt(x.ratioMean, 2)}× (mean), ${fmt(x.ratioMedian, 2)}× (median), ${fmt(x.ratioMin, 2)}× (min).`);
      L.push('');
    }
  }
  L.push('### Checks', '');
  for (const c of r.checks) L.push(`- ${c.ok === null ? '–' : c.ok ? '✓' : '✗'} ${c.what}: ${c.detail}`);
  L.push('');
  return L.join('\n');
}

function checks(r) {
  const out = [];
  for (const s of r.sizes.filter((x) => x.networks === LIMITS.networks)) {
    const ok = s.msgrfw.wallMs < LIMITS.wallMs && s.msgrfw.peakMb < LIMITS.peakMb;
    out.push({ what: `${fmt(s.networks)} networks, ${s.firewalls} firewalls, all targets: under ${LIMITS.wallMs} ms and ${LIMITS.peakMb} MB`, ok, detail: `${fmt(s.msgrfw.wallMs)} ms, ${fmt(s.msgrfw.peakMb)} MB` });
  }
  if (r.targets.includes('nftables')) {
    for (const f of [...new Set(r.sizes.map((s) => s.firewalls))]) {
      const counts = r.sizes.filter((s) => s.firewalls === f).map((s) => [s.networks, s.msgrfw.rules.nftables]);
      if (counts.length < 2) continue;
      const values = counts.map(([, c]) => c);
      out.push({ what: `nftables rules do not grow with the networks (${f} firewalls)`, ok: Math.max(...values) <= Math.min(...values), detail: counts.map(([n, c]) => `${fmt(n)}: ${fmt(c)}`).join(', ') });
    }
  }
  if (r.parser) {
    for (const [parser, label] of [['fast', 'fast path'], ['nearley', 'nearley']]) {
      const e = r.parser[parser].exponent;
      out.push({ what: `parser time linear in the input (${label})`, ok: e !== null && e < 1.15, detail: `exponent ${exp(e)}` });
    }
  }
  if (r.plainRules) out.push(...plainRulesChecks(r.plainRules));
  out.push(...baselineChecks(r.baseline));
  out.push(...threadsChecks(r.threads));
  if (r.startup && !r.startup.error) {
    const x = r.startup.check;
    out.push({ what: `start-up within ${LIMITS.startupRatio}× of node -e 0 (\`${x.label}\`)`, ok: x.ratioMean <= LIMITS.startupRatio, detail: `${fmt(x.ratioMean, 2)}× (${fmt(x.meanMs, 1)} ms vs ${fmt(r.startup.node.meanMs, 1)} ms)` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    log('bench: dist/ is missing: run `npm run build` first (or `npm run bench`)');
    process.exit(2);
  }
  const capirca = !opt['no-capirca'] && spawnSync('aclgen', ['--helpshort'], { encoding: 'utf8' }).status !== null;
  if (!opt['no-capirca'] && !capirca) log('bench: aclgen not found (apt-get install python3-capirca): Capirca columns left empty');
  if (!HAVE_TIME) log(`bench: ${TIME} not found (apt-get install time): peak memory is sampled from /proc instead`);
  const targets = await registeredTargets();
  const machine = machineInfo();
  const base = mkdtempSync(join(os.tmpdir(), 'msgrfw-bench-'));
  const report = { generatedAt: new Date().toISOString(), machine, load: { start: os.loadavg()[0] }, targets, runsNote: opt.runs ? `${opt.runs} runs` : '5 runs (3 when a run takes over 3 s; 1 for a tool whose run takes over 60 s)', sizes: [], baselineNote: !opt.baseline && !ONLY };
  log(`bench: ${machine.cpu}, ${machine.cores} cores; targets ${targets.join(', ')}; work in ${base}`);
  try {
    if (RUN.grid) {
      for (const f of FIREWALLS) {
        for (const n of NETWORKS) {
          const s = await benchSize(base, n, f, targets, capirca);
          report.sizes.push(s);
          log(`  ${String(n).padStart(6)} networks ${String(f).padStart(3)} firewalls: msgrfw ${fmt(s.msgrfw.wallMs)} ms ${fmt(s.msgrfw.peakMb)} MB` + (s.capirca ? ` | Capirca ${fmt(s.capirca.wallMs)} ms ${fmt(s.capirca.peakMb)} MB` : ''));
        }
      }
      report.sizes.sort((a, b) => a.networks - b.networks || a.firewalls - b.firewalls);
      report.fits = { msgrfw: fits(report.sizes, 'msgrfw'), ...(capirca ? { capirca: fits(report.sizes, 'capirca') } : {}) };
    }
    if (RUN['plain-rules']) {
      log('  plain rules…');
      report.plainRules = await benchPlainRules({ base, sizes: PLAIN_RULES, targets, capirca, runs: opt.runs ? Number(opt.runs) : undefined, timeoutS: Number(opt['capirca-timeout']), cli: CLI, log });
    }
    if (RUN.baseline) {
      log(`  against ${opt.baseline}…`);
      const [networks, firewalls] = opt['baseline-size'].split('x').map(Number);
      // 1,000 plain rules (the most the build before issue 15 took) and the largest size.
      const plainRules = opt['baseline-rules'] !== undefined ? list(opt['baseline-rules']) : [...new Set([1000, Math.max(...PLAIN_RULES)])];
      report.baseline = await benchBaseline({ base, baselineDir: opt.baseline, networks, firewalls, plainRules, targets, runs: opt.runs ? Number(opt.runs) : undefined, cli: CLI, prepare: preparePolicy, log });
    }
    if (RUN.threads) {
      log('  threads…');
      const [networks, firewalls] = opt['baseline-size'].split('x').map(Number);
      report.threads = await benchThreads({ base, networks, firewalls, targets, runs: opt.runs ? Number(opt.runs) : undefined, cli: CLI, prepare: preparePolicy, log });
    }
    if (RUN.parser) {
      log('  parser throughput…');
      report.parser = benchParser(base, targets);
    }
    if (RUN.startup) {
      log('  start-up…');
      report.startup = benchStartup(base);
    }
    report.load.end = os.loadavg()[0];
    report.checks = checks(report);
    const md = markdown(report);
    process.stdout.write(`${md}\n`);
    if (WRITE) {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, 'latest.md'), `${md}\n`);
      writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
      if (report.parser) {
        const sections = [
          report.parser.nearley.profile && profileMarkdown(report.parser.nearley.profile, `nearley (grammar/msgr.ne, moo lexer) on a generated ${report.parser.profiledFile} policy (node --cpu-prof)`),
          report.parser.fast.profile && profileMarkdown(report.parser.fast.profile, `the fast path (src/parse/fast.ts) on the same policy (node --cpu-prof)`),
        ].filter(Boolean);
        writeFileSync(join(RESULTS, 'parser-profile.md'), sections.join('\n'));
      }
      log(`bench: wrote ${join(RESULTS, 'latest.md')} and latest.json`);
      // Only a whole run of the default sizes, with the peer, the parser and start-up, stands in the README.
      const whole = !ONLY && !opt.networks && !opt.firewalls && !opt['plain-rules'] && !opt['no-capirca'] && !opt['no-parser'] && !opt['no-startup'];
      if (whole) {
        updateReadme(md);
        log('bench: updated the Performance section of README.md');
      }
    }
  } finally {
    if (opt.keep) log(`bench: kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
