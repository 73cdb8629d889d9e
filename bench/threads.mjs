// Threads (issue 15.4): the same generated deployment (10,000 networks × 100 firewalls, every
// target) compiled with `--jobs 1`, with each thread count up to the machine's cores (the default
// is all of them), and checked (`check`: the single-threaded front half only), alternately, as
// whole processes. The speed-up of each count over one thread, and the speed-up to expect on more
// cores: Amdahl's law with the front half as the serial part, T(N) = check + (T(1) − check) / N,
// an upper bound (writing the files and handing them over stay on one thread).
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fmt, measure, summarise } from './measure.mjs';

/** The cores the expected speed-up is given for. */
export const EXPECTED_FOR = [2, 4, 8, 16];

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
  const serial = Math.min(check.wallMs, one.wallMs);
  const expected = EXPECTED_FOR.map((n) => ({ threads: n, speedUp: one.wallMs / (serial + (one.wallMs - serial) / n) }));
  for (const x of byCount) log(`  threads ${x.threads}: ${fmt(x.wallMs)} ms, ${fmt(x.peakMb)} MB (${fmt(one.wallMs / x.wallMs, 2)}×)`);
  return { networks, firewalls, runs, cores, byCount, check, expected };
}

export function threadsMarkdown(part) {
  if (!part) return [];
  const one = part.byCount[0];
  const L = ['### Threads (`compile --jobs N`)', ''];
  L.push(`${fmt(part.networks)} networks × ${part.firewalls} firewalls, every target, on this machine's ${part.cores} cores; median of ${part.runs} runs each, alternately. Without \`--jobs\`, msgrfw renders on all ${part.cores} (for an output of 8 MiB or more).`, '');
  L.push('| run | wall ms | CPU s | peak MB | speed-up |', '|---|---:|---:|---:|---:|');
  for (const x of part.byCount) L.push(`| \`compile --jobs ${x.threads}\` | ${fmt(x.wallMs)} | ${fmt(x.cpuS, 2)} | ${fmt(x.peakMb)} | ${fmt(one.wallMs / x.wallMs, 2)}× |`);
  L.push(`| \`check\` (the front half, one thread) | ${fmt(part.check.wallMs)} | ${fmt(part.check.cpuS, 2)} | ${fmt(part.check.peakMb)} | |`, '');
  L.push(`Expected on more idle cores (Amdahl, the front half serial): ${part.expected.map((e) => `${e.threads} cores ${fmt(e.speedUp, 2)}×`).join(', ')}.`, '');
  return L;
}

export function threadsChecks(part) {
  if (!part || part.byCount.length < 2) return [];
  const one = part.byCount[0];
  const all = part.byCount[part.byCount.length - 1];
  return [{ what: `the default (${all.threads} threads) is faster than one thread on ${fmt(part.networks)}×${part.firewalls}`, ok: all.wallMs < one.wallMs, detail: `${fmt(all.wallMs)} ms vs ${fmt(one.wallMs)} ms: ${fmt(one.wallMs / all.wallMs, 2)}×` }];
}
