#!/usr/bin/env node
// Puts the benchmark's latest table into README.md, between the markers of its Performance
// section. bench/run.mjs calls it after a full run; `node bench/readme.mjs` does it from
// bench/results/latest.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = new URL('../README.md', import.meta.url);
const START = '<!-- bench:start (written by bench/readme.mjs from bench/results/latest.md) -->';
const END = '<!-- bench:end -->';

export function updateReadme(md) {
  const readme = readFileSync(README, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  // The results' own title is the README section's.
  const body = md.replace(/^## msgrfw benchmark\n+/, '').trim();
  writeFileSync(README, `${readme.slice(0, a + START.length)}\n${body}\n${readme.slice(b)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  updateReadme(readFileSync(new URL('results/latest.md', import.meta.url), 'utf8'));
}
