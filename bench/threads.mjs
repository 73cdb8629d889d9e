// Threads (issue 15.4): the same generated deployment (10,000 networks × 100 firewalls, every
// target) compiled with `--jobs 1`, with each thread count up to the machine's cores (the default
// is all of them from 4 cores up, else one: src/cli/threads/limits.ts), and checked (`check`: the single-threaded front half only), alternately, as
// whole processes. The speed-up of each count over one thread, and the speed-up to expect on more
// cores (expectedScaling): Amdahl's law with the front half as the serial part, and the same with
// the threads' own cost as measured here added.
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fmt, measure, summarise } from './measure.mjs';

/** The cores the expected speed-up is given for. */
export const EXPECTED_FOR = [2, 4, 8, 16];
/** As src/cli/threads/limits.ts DEFAULT_THREADS_FROM_CORES (bench/ reads dist/ only through the command). */
export const DEFAULT_THREADS_FROM_CORES = 4;
/** The default may be this much slower than the fastest thread count measured (noise). */
const DEFAULT_SLACK = 1.05;

export async function benchThreads({ base, networks, firewalls, targets, runs, cli, prepare, log }) {
  const dir = join(base, `threads-n${networks}-f${firewalls}`);
  mkdirSync(dir, { recursive: true });
  await prepare(dir, networks, firewalls, targets);
  const cores = os.availableParallelism();
  const counts = [...new Set([1, ...Array.from({ length: cores - 1 }, (_, i) => i + 2)])];
  runs = Math.max(3, runs ?? 3);
  const samples = new Map(counts.map((n) => [n, []]));
  const checks = [];
  for (let r = 0; r < runs; r++) {
    for (const n of counts) {
      const out = join(dir, `out-${n}`);
      rmSync(out, { recursive: true, force: true });
      const m = await measure(process.execPath, [cli, 'compile', 'policy.msgr', '--out-dir', out, '--jobs', String(n)], { cwd: dir });
      if (m.status !== 0) throw new Error(`compile --jobs ${n} failed, exit ${m.status}:\n${m.stderr.slice(-4000)}`);
      samples.get(n).push(m);
    }
    const c = await measure(process.execPath, [cli, 'check', 'policy.msgr'], { cwd: dir });
    if (c.status !== 0) throw new Error(`check failed, exit ${c.status}:\n${c.stderr.slice(-4000)}`);
    checks.push(c);
  }
  const byCount = counts.map((n) => ({ threads: n, ...summarise(samples.get(n)) }));
  const one = byCount[0];
  const check = summarise(checks);
  const expected = expectedScaling(byCount, check.wallMs);
  for (const x of byCount) log(`  threads ${x.threads}: ${fmt(x.wallMs)} ms, ${fmt(x.peakMb)} MB (${fmt(one.wallMs / x.wallMs, 2)}×)`);
  const defaultThreads = cores >= DEFAULT_THREADS_FROM_CORES ? cores : 1;
  return { networks, firewalls, runs, cores, defaultThreads, byCount, check, expected };
}

/**
 * The speed-up to expect on N idle cores from the runs measured: `upper`, Amdahl's law with the
 * front half (`check`) serial and the rest, T(1) − check, spread over N threads; `withCost`, the
 * same plus what threads cost on top of that here (start, cold code, their copies, handing files
 * over), taken from the most threads measured: T(k) − (check + (T(1) − check) / k).
 */
export function expectedScaling(byCount, checkMs) {
  const one = byCount[0].wallMs;
  const serial = Math.min(checkMs, one);
  const ideal = (n) => serial + (one - serial) / n;
  const most = byCount[byCount.length - 1];
  const cost = most.threads > 1 ? Math.max(0, most.wallMs - ideal(most.threads)) : 0;
  return EXPECTED_FOR.map((n) => ({ threads: n, upper: one / ideal(n), withCost: one / (ideal(n) + cost) }));
}

export function threadsMarkdown(part) {
  if (!part) return [];
  const one = part.byCount[0];
  const L = ['### Threads (`compile --jobs N`)', ''];
  const byDefault = part.defaultThreads > 1 ? `renders on all ${part.cores} (for an output of 8 MiB or more)` : `renders on one thread (machines with ${DEFAULT_THREADS_FROM_CORES} or more cores render on all of them)`;
  L.push(`${fmt(part.networks)} networks × ${part.firewalls} firewalls, every target, on this machine's ${part.cores} cores; median of ${part.runs} runs each, alternately. Without \`--jobs\`, msgrfw ${byDefault}.`, '');
  L.push('| run | wall ms | CPU s | peak MB | speed-up |', '|---|---:|---:|---:|---:|');
  for (const x of part.byCount) L.push(`| \`compile --jobs ${x.threads}\` | ${fmt(x.wallMs)} | ${fmt(x.cpuS, 2)} | ${fmt(x.peakMb)} | ${fmt(one.wallMs / x.wallMs, 2)}× |`);
  L.push(`| \`check\` (the front half, one thread) | ${fmt(part.check.wallMs)} | ${fmt(part.check.cpuS, 2)} | ${fmt(part.check.peakMb)} | |`, '');
  L.push(
    `Expected on N idle cores, Amdahl's law with the front half (\`check\`) serial: at most ${part.expected.map((e) => `${fmt(e.upper, 2)}× (${e.threads})`).join(', ')}; ` +
      `with what threads cost here on top (measured at ${part.byCount[part.byCount.length - 1].threads} threads): ${part.expected.map((e) => `${fmt(e.withCost, 2)}× (${e.threads})`).join(', ')}.`,
    '',
  );
  return L;
}

export function threadsChecks(part) {
  if (!part || part.byCount.length < 2) return [];
  const chosen = part.byCount.find((x) => x.threads === part.defaultThreads) ?? part.byCount[0];
  const fastest = part.byCount.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  return [
    {
      what: `the default thread count (${chosen.threads} here) within ${Math.round((DEFAULT_SLACK - 1) * 100)}% of the fastest on ${fmt(part.networks)}×${part.firewalls}`,
      ok: chosen.wallMs <= fastest.wallMs * DEFAULT_SLACK,
      detail: `${fmt(chosen.wallMs)} ms; fastest --jobs ${fastest.threads}, ${fmt(fastest.wallMs)} ms`,
    },
  ];
}
