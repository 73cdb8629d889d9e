#!/usr/bin/env node
// Writes everything the compiler produces for the examples and for generated benchmark policies
// into one directory, so two builds can be compared byte for byte:
//
//   node bench/snapshot.mjs --cli ../main-build/bin/msgrfw.js /tmp/before   # another build
//   node bench/snapshot.mjs /tmp/after                                      # this one
//   diff -r /tmp/before /tmp/after && echo identical
//
// The policies are always those of this checkout's generator (bench/generate.mjs), whichever
// build compiles them. For each policy: `ir` (JSON), `check --format json`, and `compile` once
// per registered target (`-t`, so every firewall is compiled for every target) and once with the
// policy's own targets; each run's exit status, stdout and stderr are kept beside the files it
// wrote. Sizes (environment): SNAPSHOT_SIZES networks×firewalls of the deployments,
// SNAPSHOT_RULES plain rules on one firewall (at most 1,000 for a build from before issue 15),
// SNAPSHOT_MIXED plain rules of the mixed policy (overlapping rules of both verdicts: shadowing,
// merges, lints, refusals). SNAPSHOT_ARGS: more options for every compile (e.g. `--jobs 2`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { msgrPolicy, plan, rulesMsgrPolicy, rulesPlan } from './generate.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const sizes = (name, fallback) => (process.env[name] ?? fallback).split(',').filter(Boolean);
const SIZES = sizes('SNAPSHOT_SIZES', '1x1,1x4,100x10,1000x10,1000x100,10000x10').map((s) => s.split('x').map(Number));
const RULES = sizes('SNAPSHOT_RULES', '1,100,1000').map(Number);
const MIXED = sizes('SNAPSHOT_MIXED', '40,300,1000').map(Number);
const EXTRA = (process.env.SNAPSHOT_ARGS ?? '').split(' ').filter(Boolean);

/**
 * A policy whose plain rules overlap on purpose: nested networks, overlapping port ranges, both
 * verdicts in runs, repeats. Deterministic (`seed`).
 */
export function mixedRulesPolicy(rules, seed = 1) {
  let x = seed >>> 0;
  const next = (n) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return (x >>> 8) % n;
  };
  const nets = [
    ['wide', '10.64.0.0/10'],
    ['mid_a', '10.64.0.0/16'],
    ['mid_b', '10.65.0.0/16, 2001:db8:65::/48'],
    ['small_a', '10.64.1.0/24'],
    ['small_b', '10.64.2.0/24'],
    ['small_c', '10.65.7.0/24, 2001:db8:65:7::/64'],
    ['host_a', '10.64.1.5'],
    ['host_b', '10.65.7.9, 2001:db8:65:7::9'],
    ['v6only', '2001:db8:66::/48'],
    ['both', '10.64.1.0/24, 10.65.7.0/24'],
  ];
  const ports = ['22', '80', '443', '80-90', '1000-2000', '1500', '1503', '5061', '6891-6900', '8080', '20-30', '25'];
  const L = ['deployment mixed {'];
  L.push('  network lcs     = 10.255.0.10, 2001:db8:ffff::10');
  L.push('  network clients = 10.64.0.0/16, 10.65.0.0/16, 2001:db8:65::/48');
  L.push('  network peers   = 10.64.0.0/10');
  for (const [name, members] of nets) L.push(`  network ${name} = ${members}`);
  L.push('  server lcs {', '    sip tls', '  }');
  L.push('  clients clients {', '    server lcs via tls', '    features im, presence, whiteboard, file-transfer, audio', '    media ports 50000-50019', '    peers peers', '  }');
  const firewall = (name, placement, targets, extra) => {
    L.push(`  firewall ${name} {`, `    ${placement}`, `    targets ${targets}`, '    default deny', ...extra);
    for (let k = 0; k < rules; k++) {
      const verdict = next(4) === 0 ? 'deny' : 'allow';
      const proto = next(5) === 0 ? 'udp' : 'tcp';
      const port = next(6) === 0 ? '' : ` ${ports[next(ports.length)]}`;
      const from = nets[next(nets.length)][0];
      L.push(`    ${verdict} ${proto}${port} from ${from}`);
    }
    L.push('  }');
  };
  firewall('lcs-mixed', 'on lcs', 'nftables, iptables, pf', ['    outbound deny']);
  firewall('edge-mixed', 'between peers and lcs', 'nftables, iptables, pf', ['    log denied']);
  L.push('}');
  return `${L.join('\n')}\n`;
}

async function main() {
  const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: { cli: { type: 'string', default: join(ROOT, 'bin', 'msgrfw.js') } } });
  const outDir = positionals[0];
  if (!outDir) {
    console.error('usage: node bench/snapshot.mjs [--cli PATH/bin/msgrfw.js] DIR');
    process.exit(2);
  }
  const cli = resolve(opt.cli);
  const { TARGET_REGISTRY } = await import(pathToFileURL(join(ROOT, 'dist', 'targets', 'index.js')).href);
  const targets = Object.keys(TARGET_REGISTRY);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const policies = readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.msgr'))
    .map((f) => ({ name: f.replace(/\.msgr$/, ''), path: join(ROOT, 'examples', f) }));
  const genDir = join(outDir, 'policies');
  mkdirSync(genDir);
  const generated = (name, text) => {
    const path = join(genDir, `${name}.msgr`);
    writeFileSync(path, text);
    policies.push({ name, path });
  };
  for (const [n, f] of SIZES) generated(`bench-n${n}-f${f}`, msgrPolicy(plan(n, f), targets));
  for (const n of RULES) generated(`rules-${n}`, rulesMsgrPolicy(rulesPlan(n), targets));
  MIXED.forEach((n, i) => generated(`mixed-${n}`, mixedRulesPolicy(n, i + 1)));

  for (const p of policies) {
    const dir = join(outDir, p.name);
    mkdirSync(dir);
    const ctx = { cli, dir, outDir };
    run(ctx, 'ir', ['ir', p.path]);
    run(ctx, 'check', ['check', p.path, '--format', 'json']);
    run(ctx, 'compile-own', ['compile', p.path, '--out-dir', join(dir, 'own'), ...EXTRA]);
    for (const t of targets) run(ctx, `compile-${t}`, ['compile', p.path, '-t', t, '--out-dir', join(dir, t), ...EXTRA]);
    process.stderr.write(`${p.name} done\n`);
  }
}

function run({ cli, dir, outDir }, label, args) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
  // Paths differ between snapshot directories: keep them out of what is compared.
  const scrub = (s) => s.split(dir).join('<DIR>').split(outDir).join('<OUT>').split(ROOT).join('<ROOT>');
  writeFileSync(join(dir, `${label}.status`), `${r.status}\n`);
  writeFileSync(join(dir, `${label}.stdout`), scrub(r.stdout));
  writeFileSync(join(dir, `${label}.stderr`), scrub(r.stderr));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
