#!/usr/bin/env node
// `msgrfw diff` on the policy shapes that once made it slow (issue 10, item 9; bench/diff-shapes.mjs):
// whole processes (wall time, median of 3) and in-process (compile + diff, and the steps of box
// arithmetic the diff counts against its limit); then the pair its limit must stop, timed until
// it stops. Prints a Markdown table. Run `npm run build` first.
//   node bench/diff.mjs [SIZE…]      (sizes of the shapes; default: 100 200)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SHAPES, splinters } from './diff-shapes.mjs';
import { msgrPolicy, plan } from './generate.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'msgrfw.js');
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', 'src', p)).href);
const { compilePolicy } = await dist('compile.js');
const { diffPolicies, DiffTooComplex, DIFF_WORK_LIMIT } = await dist('diff/diff.js');
const { firewallStatements } = await dist('explain/statements.js');
const { Work } = await dist('addresses/boxes.js');

const version = (text, file) => {
  const { ir, diagnostics } = compilePolicy(text, file);
  if (!ir) throw new Error(`${file}: ${diagnostics.map((d) => d.message).join('; ')}`);
  return { ir, source: { file, text }, statements: firewallStatements(text, file) };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en');

const dir = mkdtempSync(join(tmpdir(), 'msgrfw-bench-diff-'));
/** One pair: the whole command three times, then compile + diff in this process with a step counter. */
function measure(name, [oldText, newText]) {
  const oldFile = join(dir, 'old.msgr');
  const newFile = join(dir, 'new.msgr');
  writeFileSync(oldFile, oldText);
  writeFileSync(newFile, newText);
  const wall = [];
  let status;
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    status = spawnSync(process.execPath, [BIN, 'diff', oldFile, newFile], { stdio: 'ignore' }).status;
    wall.push(performance.now() - start);
  }
  const work = new Work(DIFF_WORK_LIMIT);
  const start = performance.now();
  try {
    diffPolicies(version(oldText, 'old.msgr'), version(newText, 'new.msgr'), undefined, work);
  } catch (e) {
    if (!(e instanceof DiffTooComplex)) throw e;
  }
  const inProcess = performance.now() - start;
  const steps = work.used > DIFF_WORK_LIMIT ? `over the limit: stopped` : fmt(work.used);
  return `| ${name} | ${(Buffer.byteLength(oldText) / 1024).toFixed(1)} | ${fmt(median(wall))} | ${status} | ${fmt(inProcess)} | ${steps} |`;
}

const rows = [];
try {
  const sizes = process.argv.slice(2).map(Number);
  for (const [name, shape] of Object.entries(SHAPES)) {
    for (const n of sizes.length ? sizes : [100, 200]) rows.push(measure(name.replaceAll('N', String(n)), shape(n)));
  }
  // The benchmark's generated deployments (bench/generate.mjs), every media range widened.
  for (const [networks, firewalls] of [
    [1000, 10],
    [10000, 10],
  ]) {
    const text = msgrPolicy(plan(networks, firewalls), ['nftables', 'iptables', 'pf']);
    rows.push(measure(`bench deployment: ${fmt(networks)} networks, ${firewalls} firewalls, media range widened`, [text, text.replaceAll('media ports 50000-50039', 'media ports 50000-50059')]));
  }
  rows.push(measure('20 rules over random halves of 64 networks and ports (limit test)', splinters(20)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Node ${process.version}, ${cpus().length} cores, load average (1 min) ${loadavg()[0].toFixed(2)} at the end; limit ${fmt(DIFF_WORK_LIMIT)} steps.\n`);
console.log('| policy pair | KB | `msgrfw diff` ms (whole process, median of 3) | exit | compile + diff ms (in-process) | steps |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
