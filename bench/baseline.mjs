// The benchmark against another build (`--baseline DIR`, a built checkout, e.g. the build before
// issue 15): the same generated deployment (10,000 networks × 100 firewalls, every target) and the
// plain-rules policies (1,000 rules and the largest), compiled by this build and by the other one alternately, as whole
// processes: wall time, CPU time (user + system) and peak memory, medians, and their ratios.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { preparePlainRules } from './plain-rules.mjs';
import { fmt, measure, ratio, summarise } from './measure.mjs';

/** The goals (issue 15): a third of the time, no more memory. */
export const BASELINE_TIME_SHARE = 1 / 3;

/** Both builds compile `dir`/policy.msgr `runs` times each, alternately. */
async function compareOn(dir, builds, runs, what) {
  const samples = { this: [], baseline: [] };
  for (let r = 0; r < runs; r++) {
    for (const [name, cli] of Object.entries(builds)) {
      const out = join(dir, `out-${name}`);
      rmSync(out, { recursive: true, force: true });
      const m = await measure(process.execPath, [cli, 'compile', 'policy.msgr', '--out-dir', out], { cwd: dir });
      if (m.status !== 0) throw new Error(`${name === 'this' ? 'this build' : 'the baseline'} failed on ${what}, exit ${m.status}:\n${m.stderr.slice(-4000)}`);
      samples[name].push(m);
    }
  }
  const mine = summarise(samples.this);
  const theirs = summarise(samples.baseline);
  return { this: mine, baseline: theirs, ratio: { wall: mine.wallMs / theirs.wallMs, cpu: mine.cpuS === null ? null : mine.cpuS / theirs.cpuS, peak: mine.peakMb / theirs.peakMb } };
}

/**
 * `prepare(dir, networks, firewalls, targets)` writes the grid's policy into dir (bench/run.mjs).
 * `plainRules`: plain-rules sizes to compare as well (bench/generate-rules.mjs); a size the other
 * build refuses (the build before issue 15 took at most 1,000 plain rules a firewall) is reported
 * with its refusal, not measured.
 */
export async function benchBaseline({ base, baselineDir, networks, firewalls, plainRules, targets, runs, cli, prepare, log }) {
  const other = resolve(baselineDir);
  const otherCli = join(other, 'bin', 'msgrfw.js');
  if (!existsSync(otherCli) || !existsSync(join(other, 'dist'))) throw new Error(`--baseline ${baselineDir}: no built msgrfw checkout there (bin/msgrfw.js and dist/; run \`npm ci && npm run build\` in it)`);
  const builds = { this: cli, baseline: otherCli };
  runs = Math.max(3, runs ?? 3);

  const dir = join(base, `baseline-n${networks}-f${firewalls}`);
  mkdirSync(dir, { recursive: true });
  await prepare(dir, networks, firewalls, targets);
  const grid = { networks, firewalls, ...(await compareOn(dir, builds, runs, `${networks} networks × ${firewalls} firewalls`)) };
  log(`  baseline ${fmt(networks)} × ${firewalls}: this ${fmt(grid.this.wallMs)} ms ${fmt(grid.this.peakMb)} MB | baseline ${fmt(grid.baseline.wallMs)} ms ${fmt(grid.baseline.peakMb)} MB`);

  const plain = [];
  for (const count of plainRules) {
    const pdir = join(base, `baseline-plain-${count}`);
    mkdirSync(pdir, { recursive: true });
    preparePlainRules(pdir, count, targets, cli);
    const once = await measure(process.execPath, [otherCli, 'compile', 'policy.msgr', '--out-dir', join(pdir, 'out-baseline')], { cwd: pdir });
    if (once.status !== 0) {
      const errors = once.stderr.split('\n').filter((l) => /\berror\b/.test(l) && !/^\d+ error/.test(l));
      const row = { rules: count, refused: `exit ${once.status}: ${(errors[0] ?? once.stderr.split('\n')[0]).trim()}` };
      plain.push(row);
      log(`  baseline ${fmt(count)} plain rules: the baseline refuses them (${row.refused})`);
    } else {
      const row = { rules: count, ...(await compareOn(pdir, builds, runs, `${count} plain rules`)) };
      plain.push(row);
      log(`  baseline ${fmt(count)} plain rules: this ${fmt(row.this.wallMs)} ms ${fmt(row.this.peakMb)} MB | baseline ${fmt(row.baseline.wallMs)} ms ${fmt(row.baseline.peakMb)} MB`);
    }
  }
  return { dir: baselineDir, runs, grid, plain };
}

export function baselineMarkdown(part) {
  const L = ['### Against the build before issue 15 (whole process)', ''];
  if (!part) {
    L.push('Not measured in this run. `npm run bench -- --baseline ../other-checkout` (a checkout of the build before issue 15, built with `npm ci && npm run build`) compiles 10,000 networks × 100 firewalls, every target, with this build and that one alternately and adds their wall time, CPU time and peak memory here, with the ratios and their checks; `--only baseline` runs that part alone.', '');
    return L;
  }
  L.push(`Baseline: \`${part.dir}\`. Median of ${part.runs} runs each, alternately; CPU time is user + system of the whole process (GNU time).`, '');
  L.push('| policy | build | wall ms | CPU s | peak MB |', '|---|---|---:|---:|---:|');
  const rows = (label, x) => {
    L.push(`| ${label} | this | ${fmt(x.this.wallMs)} | ${fmt(x.this.cpuS, 2)} | ${fmt(x.this.peakMb)} |`);
    L.push(`| ${label} | baseline | ${fmt(x.baseline.wallMs)} | ${fmt(x.baseline.cpuS, 2)} | ${fmt(x.baseline.peakMb)} |`);
    L.push(`| ${label} | this / baseline | ${fmt(x.ratio.wall, 2)} | ${x.ratio.cpu === null ? '–' : fmt(x.ratio.cpu, 2)} | ${fmt(x.ratio.peak, 2)} |`);
  };
  rows(`${fmt(part.grid.networks)} networks × ${part.grid.firewalls} firewalls, all targets`, part.grid);
  for (const p of part.plain.filter((x) => !x.refused)) rows(`${fmt(p.rules)} plain rules, one firewall`, p);
  L.push('');
  for (const p of part.plain.filter((x) => x.refused)) L.push(`${fmt(p.rules)} plain rules: no ratio, the baseline refuses the policy (${p.refused}).`);
  if (part.plain.some((x) => x.refused)) L.push('');
  return L;
}

export function baselineChecks(part) {
  if (!part) return [];
  const g = part.grid;
  const size = `${fmt(g.networks)}×${g.firewalls}`;
  return [
    { what: `${size} time ≤ 1/3 of the baseline`, ok: g.ratio.wall <= BASELINE_TIME_SHARE, detail: `${fmt(g.this.wallMs)} ms vs ${fmt(g.baseline.wallMs)} ms: ${ratio(g.this.wallMs, g.baseline.wallMs)}× (CPU ${g.ratio.cpu === null ? '–' : `${fmt(g.ratio.cpu, 2)}×`})` },
    { what: `${size} peak memory not above the baseline`, ok: g.ratio.peak <= 1, detail: `${fmt(g.this.peakMb)} MB vs ${fmt(g.baseline.peakMb)} MB: ${fmt(g.ratio.peak, 2)}×` },
  ];
}
