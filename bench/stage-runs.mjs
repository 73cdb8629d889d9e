#!/usr/bin/env node
// CPU time of one front-half stage, run again and again in one process on the same input (the
// stages before it run once): its cold first run and its warm ones, apart from the other stages'
// garbage and JIT. Run after `npm run build`:
//   node bench/stage-runs.mjs POLICY STAGE [RUNS] [CHECKOUT]
// STAGE is one of place, lint, optimise, ir; RUNS defaults to 6; CHECKOUT (default: this one)
// is another built checkout, to compare two builds (alternate the two, on a busy machine).
import { readFileSync } from 'node:fs';
import { checkoutRoot, loadFrontStages } from './frontStages.mjs';

const [policy, stage, runsArg, checkout] = process.argv.slice(2);
const STAGES = ['place', 'lint', 'optimise', 'ir'];
if (!policy || !STAGES.includes(stage)) {
  process.stderr.write(`usage: node bench/stage-runs.mjs POLICY ${STAGES.join('|')} [RUNS] [CHECKOUT]\n`);
  process.exit(2);
}
const root = checkoutRoot(checkout);
const { parsePolicy, resolvePolicy, deriveFlows, placeFlows, lintPolicy, optimiseAll, buildIr } = await loadFrontStages(root);

const parsed = parsePolicy(readFileSync(policy, 'utf8'), policy);
if (!parsed.ast) throw new Error(`${policy} does not parse`);
const { model } = resolvePolicy(parsed.ast, policy, parsed.failed);
const placed = placeFlows(model, deriveFlows(model));
const optimised = stage === 'ir' ? optimiseAll(placed.firewalls) : undefined;
const run = {
  place: () => placeFlows(model, deriveFlows(model)),
  lint: () => lintPolicy(model, placed.firewalls),
  optimise: () => optimiseAll(placed.firewalls),
  ir: () => buildIr(model, optimised),
}[stage];

const times = [];
for (let i = 0; i < Number(runsArg ?? 6); i++) {
  const start = process.cpuUsage();
  run();
  const spent = process.cpuUsage(start);
  times.push((spent.user + spent.system) / 1000);
}
console.log(`${stage} ${root}: ${times.map((t) => t.toFixed(0)).join(' ')} ms (first cold)`);
