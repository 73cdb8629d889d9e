// Compiles the same policies with two builds of msgrfw and compares every byte they write: an
// optimisation must not change a rule. Run after `npm run build` in both checkouts:
//   node bench/compare-builds.mjs OTHER_CHECKOUT [THIS_CHECKOUT]
// The policies: examples/*.msgr, every .msgr under test/, every policy a test writes out whole
// (a template literal that begins with `deployment` and interpolates nothing), and benchmark
// deployments (bench/generate.mjs) of a few sizes, and random plain rules (ICMP among them). Each is compiled with every target the policy
// names (all its artefacts at once) and then with each of --target nftables, iptables, netsh, pf
// and gpo; the output directories, stdout, stderr and exit code of the two builds must be equal.
// Prints one line per difference and a summary; exits 1 when anything differs.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { msgrPolicy, plan, rulesMsgrPolicy, rulesPlan } from './generate.mjs';

const run = promisify(execFile);
const [otherArg, thisArg] = process.argv.slice(2);
if (!otherArg) {
  process.stderr.write('usage: node bench/compare-builds.mjs OTHER_CHECKOUT [THIS_CHECKOUT]\n');
  process.exit(2);
}
const here = resolve(thisArg ?? fileURLToPath(new URL('..', import.meta.url)));
const builds = { this: join(here, 'bin', 'msgrfw.js'), other: join(resolve(otherArg), 'bin', 'msgrfw.js') };

const work = mkdtempSync(join(tmpdir(), 'msgrfw-compare-'));
const policies = [];
const filesUnder = (dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));

for (const f of filesUnder(join(here, 'examples')).filter((f) => f.endsWith('.msgr'))) policies.push(f);
for (const f of filesUnder(join(here, 'test')).filter((f) => f.endsWith('.msgr'))) policies.push(f);
// Policies written whole in the tests.
let inline = 0;
for (const f of filesUnder(join(here, 'test')).filter((f) => f.endsWith('.ts'))) {
  for (const m of readFileSync(f, 'utf8').matchAll(/`(\s*deployment\b[^`]*)`/g)) {
    if (m[1].includes('${')) continue;
    const file = join(work, 'policies', `inline-${++inline}.msgr`);
    mkdirSync(join(work, 'policies'), { recursive: true });
    writeFileSync(file, m[1]);
    policies.push(file);
  }
}
// Benchmark deployments small enough for either build's limits.
const generated = (name, text) => {
  const file = join(work, 'policies', `${name}.msgr`);
  writeFileSync(file, text);
  policies.push(file);
};
mkdirSync(join(work, 'policies'), { recursive: true });
for (const [networks, firewalls] of [[10, 4], [150, 6], [400, 8]]) generated(`bench-n${networks}-f${firewalls}`, msgrPolicy(plan(networks, firewalls), ['nftables', 'iptables', 'pf']));
for (const rules of [50, 900]) generated(`rules-${rules}`, rulesMsgrPolicy(rulesPlan(rules), ['nftables', 'iptables', 'netsh', 'pf']));
// Random plain rules, ICMP among them (what the optimiser merges and the order checks compare):
// a host firewall for every target, a gateway for those that filter forwarded traffic.
let seed = 0x15;
const pick = (xs) => xs[((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8) % xs.length];
const PEERS = ['any', 'cl', 'adm', 'adm2', 'adms', 'pt', '10.9.0.7', '10.20.1.0/24', '2001:db8:20::/64', 'adm, pt'];
const MATCHES = ['icmp', 'icmp echo-request', 'icmp timestamp-request', 'icmpv4', 'icmpv6', 'icmpv6 echo-request', 'icmp echo-request, timestamp-request', 'tcp', 'tcp 22', 'tcp 20-30', 'tcp 22, 80', 'udp 53', 'udp 5000-5100', 'tcp 3389'];
const plainRules = (n) => Array.from({ length: n }, () => `${pick(['allow', 'allow', 'allow', 'deny'])} ${pick(MATCHES)} from ${pick(PEERS)}`);
const deployment = (firewall) => `deployment random {
  network cl = 10.20.0.0/16, 2001:db8:20::/48
  network srv = 10.1.1.10, 2001:db8:1::10
  network pt = 198.51.100.0/24
  network adm = 10.9.0.0/24
  network adm2 = 10.9.1.0/24
  network adms = adm, adm2
  server srv {
    sip tls
  }
  clients cl {
    server srv via tls
    features im, presence
  }
  ${firewall}
}
`;
for (let k = 0; k < 12; k++) {
  const rules = plainRules(k < 6 ? 8 : 40).join('\n    ');
  generated(`random-host-${k}`, deployment(`firewall f {\n    on srv\n    targets nftables, iptables, netsh, pf\n    default deny\n    ${rules}\n  }`));
  generated(`random-gateway-${k}`, deployment(`firewall g {\n    between cl and pt\n    targets nftables, iptables, pf\n    default deny\n    ${rules}\n  }`));
}

// ONLY=text: just the policies whose path holds it; KEEP=1 keeps the policies written.
if (process.env.ONLY) policies.splice(0, policies.length, ...policies.filter((p) => p.includes(process.env.ONLY)));
const TARGETS = [undefined, 'nftables', 'iptables', 'netsh', 'pf', 'gpo'];

async function compile(build, policy, target, dir) {
  const args = [build, 'compile', policy, '--out-dir', dir, ...(target ? ['--target', target] : [])];
  try {
    const r = await run(process.execPath, args, { cwd: work, maxBuffer: 1 << 28 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Every file of a directory (relative name → bytes), or nothing when there is none. */
function tree(dir) {
  let names;
  try {
    names = readdirSync(dir, { recursive: true, encoding: 'utf8', withFileTypes: true });
  } catch {
    return new Map();
  }
  return new Map(names.filter((d) => d.isFile()).map((d) => [relative(dir, join(d.parentPath ?? d.path, d.name)), readFileSync(join(d.parentPath ?? d.path, d.name))]));
}

let compared = 0;
let succeeded = 0;
let files = 0;
const differences = [];
const jobs = policies.flatMap((policy) => TARGETS.map((target) => ({ policy, target })));
async function one({ policy, target }, k) {
  const dirs = { this: join(work, 'out', `${k}-this`), other: join(work, 'out', `${k}-other`) };
  const [a, b] = [await compile(builds.this, policy, target, dirs.this), await compile(builds.other, policy, target, dirs.other)];
  const what = `${relative(here, policy).startsWith('..') ? relative(work, policy) : relative(here, policy)} --target ${target ?? '(its own)'}`;
  // The output directory's name appears in messages: the same for both but for its last part.
  const plain = (s) => s.replaceAll(dirs.this, 'OUT').replaceAll(dirs.other, 'OUT');
  if (a.code !== b.code) differences.push(`${what}: exit ${a.code} here, ${b.code} there`);
  if (plain(a.stdout) !== plain(b.stdout)) differences.push(`${what}: stdout differs`);
  if (plain(a.stderr) !== plain(b.stderr)) {
    const [x, y] = [plain(a.stderr).split('\n'), plain(b.stderr).split('\n')];
    const k = x.findIndex((line, i) => line !== y[i]);
    differences.push(`${what}: stderr differs from its line ${k + 1}:\n  here:  ${x[k]?.slice(0, 240)}\n  there: ${y[k]?.slice(0, 240)}`);
  }
  const [x, y] = [tree(dirs.this), tree(dirs.other)];
  for (const name of new Set([...x.keys(), ...y.keys()])) {
    if (!x.has(name) || !y.has(name)) differences.push(`${what}: ${name} written by one build only`);
    else if (!x.get(name).equals(y.get(name))) differences.push(`${what}: ${name} differs`);
    else files++;
  }
  compared++;
  if (a.code === 0) succeeded++;
  rmSync(dirs.this, { recursive: true, force: true });
  rmSync(dirs.other, { recursive: true, force: true });
}

let next = 0;
await Promise.all(
  Array.from({ length: 2 }, async () => {
    while (next < jobs.length) {
      const k = next++;
      await one(jobs[k], k);
    }
  }),
);
if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
else process.stdout.write(`kept ${work}\n`);
for (const d of differences) process.stdout.write(`${d}\n`);
process.stdout.write(`${policies.length} policies (${inline} from tests), ${compared} compiles each (${succeeded} succeeded, the rest refused alike): ${files} files byte-identical, ${differences.length} differences\n`);
process.exit(differences.length ? 1 : 0);
