#!/usr/bin/env node
// CPU time per pipeline stage, in one process (process.cpuUsage around each stage function):
// where a large policy's compile goes, before writing. Run after `npm run build`:
//   node bench/stages.mjs POLICY [RUNS] [CHECKOUT]
// CHECKOUT (default: this one) is a built checkout, to hold two builds side by side. Prints the
// median of RUNS (default 3) per stage, then every run's figure. "hash" hashes each rendered file
// as text (the writer hashes the bytes it writes, while staging).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkoutRoot, loadFrontStages } from './frontStages.mjs';

const [policy, runsArg, checkout] = process.argv.slice(2);
if (!policy) {
  process.stderr.write('usage: node bench/stages.mjs POLICY [RUNS] [CHECKOUT]\n');
  process.exit(2);
}
const { load, parsePolicy, resolvePolicy, deriveFlows, placeFlows, lintPolicy, optimiseAll, buildIr } = await loadFrontStages(checkoutRoot(checkout));
const { assertValidIr } = await load('src/ir/validate.js');
const { emitTargets } = await load('targets/emit.js');

const text = readFileSync(policy, 'utf8');
const runs = Number(runsArg ?? 3);
const times = new Map();
const timed = (stage, f) => {
  const start = process.cpuUsage();
  const result = f();
  const spent = process.cpuUsage(start);
  times.set(stage, [...(times.get(stage) ?? []), (spent.user + spent.system) / 1000]);
  return result;
};
for (let i = 0; i < runs; i++) {
  const parsed = timed('parse', () => parsePolicy(text, policy));
  if (!parsed.ast) throw new Error(`${policy} does not parse`);
  const resolved = timed('resolve', () => resolvePolicy(parsed.ast, policy, parsed.failed));
  const flows = timed('flows', () => deriveFlows(resolved.model));
  const placed = timed('place', () => placeFlows(resolved.model, flows));
  timed('lint', () => lintPolicy(resolved.model, placed.firewalls));
  const optimised = timed('optimise', () => optimiseAll(placed.firewalls));
  const built = timed('ir', () => buildIr(resolved.model, optimised));
  if (!built.ok) throw new Error(`${policy} is too large for the IR`);
  const ir = timed('validate', () => assertValidIr(built.ir));
  const emitted = timed('emit', () => emitTargets(ir, {}));
  timed('hash', () => emitted.files.forEach((f) => createHash('sha256').update(f.artefact.content).digest('hex')));
  if (i === 0) console.log(`${emitted.files.length} files, ${emitted.files.reduce((n, f) => n + f.artefact.content.length, 0).toLocaleString('en-US')} characters`);
}
const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
for (const [stage, list] of times) console.log(`${stage.padEnd(9)} ${median(list).toFixed(0).padStart(6)} ms   (${list.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`${'sum'.padEnd(9)} ${[...times.values()].reduce((n, list) => n + median(list), 0).toFixed(0).padStart(6)} ms`);
