#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, and time by package.
import { readFileSync } from 'node:fs';

/** Returns { totalMs, functions: [{ name, where, selfMs, share }], byArea: [{ area, selfMs, share }] }. */
export function summariseProfile(path, top = 25) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  // Each sample's time is the delta that follows it.
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i + 1] ?? 0));
  }
  const fn = new Map();
  const area = new Map();
  let total = 0;
  for (const [id, us] of dt) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}\u0000${where}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a = areaOf(cf);
    area.set(a, (area.get(a) ?? 0) + us);
    total += us;
  }
  const pct = (us) => Math.round((1000 * us) / total) / 10;
  const functions = [...fn.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => {
    const [name, where] = k.split('\u0000');
    return { name, where, selfMs: Math.round(us / 100) / 10, share: pct(us) };
  });
  const byArea = [...area.entries()].sort((a, b) => b[1] - a[1]).map(([a, us]) => ({ area: a, selfMs: Math.round(us / 100) / 10, share: pct(us) }));
  return { totalMs: Math.round(total / 100) / 10, functions, byArea };
}

function shortUrl(url) {
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const d = u.lastIndexOf('/dist/');
  if (d >= 0) return u.slice(d + 1);
  return u.replace(/^.*\//, '');
}

function areaOf(cf) {
  const u = cf.url ?? '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1];
  if (u.includes('/dist/')) return 'msgrfw';
  if (u.startsWith('node:')) return 'node internals';
  if (cf.functionName === '(garbage collector)') return 'garbage collector';
  if (cf.functionName === '(program)' || cf.functionName === '(idle)') return cf.functionName;
  return u ? 'other' : '(native / VM)';
}

export function profileMarkdown(summary, title) {
  const lines = [`### ${title}`, '', `Sampled CPU time: ${summary.totalMs} ms.`, '', '| area | self ms | share |', '|---|---:|---:|'];
  for (const a of summary.byArea) lines.push(`| ${a.area} | ${a.selfMs} | ${a.share}% |`);
  lines.push('', '| function | where | self ms | share |', '|---|---|---:|---:|');
  for (const f of summary.functions) lines.push(`| \`${f.name}\` | ${f.where} | ${f.selfMs} | ${f.share}% |`);
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  process.stdout.write(profileMarkdown(summariseProfile(file, Number(process.argv[3] ?? 25)), file));
}
