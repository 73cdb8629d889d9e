#!/usr/bin/env node
// Writes everything the compiler produces for the examples and for generated benchmark policies
// into one directory, so two builds can be compared byte for byte:
//
//   node bench/snapshot.mjs /tmp/before      # with the old dist/
//   node bench/snapshot.mjs /tmp/after       # with the new dist/
//   diff -r /tmp/before /tmp/after && echo identical
//
// For each policy: `ir` (JSON), `check --format json`, and `compile` once per registered target
// (`-t`, so every firewall is compiled for every target) and once with the policy's own targets;
// each run's exit status, stdout and stderr are kept beside the files it wrote.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { msgrPolicy, plan } from './generate.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'bin', 'msgrfw.js');

const SIZES = (process.env.SNAPSHOT_SIZES ?? '1x1,1x4,100x10,1000x10,1000x100,10000x10')
  .split(',')
  .filter(Boolean)
  .map((s) => s.split('x').map(Number));

async function main() {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: node bench/snapshot.mjs DIR');
    process.exit(2);
  }
  const { TARGET_REGISTRY } = await import(pathToFileURL(join(ROOT, 'dist', 'targets', 'index.js')).href);
  const targets = Object.keys(TARGET_REGISTRY);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const policies = readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.msgr'))
    .map((f) => ({ name: f.replace(/\.msgr$/, ''), path: join(ROOT, 'examples', f) }));
  const genDir = join(outDir, 'policies');
  mkdirSync(genDir);
  for (const [n, f] of SIZES) {
    const path = join(genDir, `bench-n${n}-f${f}.msgr`);
    writeFileSync(path, msgrPolicy(plan(n, f), targets));
    policies.push({ name: `bench-n${n}-f${f}`, path });
  }

  for (const p of policies) {
    const dir = join(outDir, p.name);
    mkdirSync(dir);
    const ctx = { dir, outDir };
    run(ctx, 'ir', ['ir', p.path]);
    run(ctx, 'check', ['check', p.path, '--format', 'json']);
    run(ctx, 'compile-own', ['compile', p.path, '--out-dir', join(dir, 'own')]);
    for (const t of targets) run(ctx, `compile-${t}`, ['compile', p.path, '-t', t, '--out-dir', join(dir, t)]);
    process.stderr.write(`${p.name} done\n`);
  }
}

function run({ dir, outDir }, label, args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
  // Paths differ between snapshot directories: keep them out of what is compared.
  const scrub = (s) => s.split(dir).join('<DIR>').split(outDir).join('<OUT>').split(ROOT).join('<ROOT>');
  writeFileSync(join(dir, `${label}.status`), `${r.status}\n`);
  writeFileSync(join(dir, `${label}.stdout`), scrub(r.stdout));
  writeFileSync(join(dir, `${label}.stderr`), scrub(r.stderr));
}

await main();
