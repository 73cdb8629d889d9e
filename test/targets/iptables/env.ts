// What the iptables target's tool tests need from the machine, and a describe() that runs,
// skips (with the reason printed) or — when CI=true — fails, depending on the answer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { compilePolicy } from '../../../src/compile.js';
import type { IrDocument } from '../../../src/ir/types.js';
import { missingTools, notRunnable } from '../../requiredTools.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run argv without a shell; `input` goes to stdin. */
export function exec(argv: readonly string[], input = '', cwd?: string): Exec {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { input, encoding: 'utf8', timeout: 20_000, cwd });
  if (r.error) return { code: 127, stdout: '', stderr: notRunnable(cmd!, r.error) };
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function mustExec(argv: readonly string[], input = '', cwd?: string): Exec {
  const r = exec(argv, input, cwd);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
  return r;
}

/** The commands of one xtables backend for one family. */
export interface Tools {
  iptables: string;
  save: string;
  restore: string;
}

export interface Backend {
  name: string;
  v4: Tools;
  v6: Tools;
}

export const toolsOf = (b: Backend, family: 4 | 6): Tools => (family === 4 ? b.v4 : b.v6);

/**
 * A network namespace and a working directory for one backend's tests: made before them, with
 * `preload(family)` (rules that were there before us) restored into each family with --noflush,
 * and removed after them.
 */
export function namespaceFixture(ns: string, backend: Backend, preload: (family: 4 | 6) => string) {
  let dir = '';
  const inNs = (argv: string[], input = '') => mustExec(['ip', 'netns', 'exec', ns, ...argv], input, dir);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msgri-'));
    exec(['ip', 'netns', 'del', ns]);
    mustExec(['ip', 'netns', 'add', ns]);
    for (const family of [4, 6] as const) inNs([toolsOf(backend, family).restore, '-w', '--noflush'], preload(family));
  });
  afterAll(() => {
    exec(['ip', 'netns', 'del', ns]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    name: ns,
    /** The working directory (set once the tests run). */
    dir: () => dir,
    inNs,
    /** `iptables-save -t filter` of one family in the namespace, as lines. */
    save: (family: 4 | 6) => inNs([toolsOf(backend, family).save, '-t', 'filter']).stdout.split('\n'),
  };
}

const tools = (prefix: 'iptables' | 'ip6tables', infix: string): Tools => ({
  iptables: `${prefix}${infix}`,
  save: `${prefix}${infix}-save`,
  restore: `${prefix}${infix}-restore`,
});

/** Whatever `iptables` is here (nft or legacy, per update-alternatives), then the other one if installed. */
export function backends(): Backend[] {
  const list: Backend[] = [];
  const version = exec(['iptables-restore', '--version']).stdout.trim();
  if (version) list.push({ name: `default (${version})`, v4: tools('iptables', ''), v6: tools('ip6tables', '') });
  for (const [infix, marker] of [['-nft', '(nf_tables)'], ['-legacy', '(legacy)']] as const) {
    if (version.includes(marker)) continue;
    const v = exec([`iptables${infix}-restore`, '--version']).stdout.trim();
    if (v && exec([`ip6tables${infix}-restore`, '--version']).code === 0) {
      list.push({ name: v, v4: tools('iptables', infix), v6: tools('ip6tables', infix) });
    }
  }
  return list;
}

export type Capability = { ok: true } | { ok: false; why: string };

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** `unshare -n` as root, `unshare -rn` (a user namespace) otherwise: a private, empty network namespace. */
export const unshareArgv = (): string[] => (isRoot() ? ['unshare', '-n'] : ['unshare', '-rn']);

/** Why `<restore> --test` cannot run in a throwaway network namespace with this backend, if it cannot. */
function restoreTestProblem(b: Backend): string | undefined {
  for (const tool of [b.v4.restore, b.v6.restore]) {
    const r = exec([...unshareArgv(), tool, '--test'], '*filter\nCOMMIT\n');
    if (r.code !== 0) return `${unshareArgv().join(' ')} ${tool} --test failed: ${firstLine(r.stderr) || `exit ${r.code}`}`;
  }
  return undefined;
}

/** The default backend must work; another installed one is tested too when it can run here. */
export function restoreTestCapability(): Capability {
  if (process.platform !== 'linux') return { ok: false, why: `platform is ${process.platform}, not linux` };
  const missing = missingTools(['iptables-restore', 'ip6tables-restore', 'unshare']);
  if (missing) return { ok: false, why: missing };
  const [first] = backends();
  if (!first) return { ok: false, why: 'iptables-restore --version says nothing' };
  const why = restoreTestProblem(first);
  return why ? { ok: false, why } : { ok: true };
}

export function restoreTestBackends(): Backend[] {
  return backends().filter((b, i) => {
    const why = i === 0 ? undefined : restoreTestProblem(b);
    if (why) console.warn(`[msgrfw] not testing ${b.name} as well: ${why}`);
    return !why;
  });
}

/** Can we create a named network namespace and load rules into it? */
export function netnsCapability(): Capability {
  if (process.platform !== 'linux') return { ok: false, why: `platform is ${process.platform}, not linux` };
  const missing = missingTools(['ip', 'iptables-restore', 'ip6tables-restore']);
  if (missing) return { ok: false, why: missing };
  if (!isRoot()) return { ok: false, why: 'not running as root (ip netns needs it)' };
  const ns = `msgri-${process.pid}-probe`;
  const add = exec(['ip', 'netns', 'add', ns]);
  if (add.code !== 0) return { ok: false, why: `ip netns add failed: ${firstLine(add.stderr)}` };
  try {
    for (const tool of ['iptables-restore', 'ip6tables-restore']) {
      const r = exec(['ip', 'netns', 'exec', ns, tool, '--noflush'], '*filter\nCOMMIT\n');
      if (r.code !== 0) return { ok: false, why: `${tool} inside a namespace failed: ${firstLine(r.stderr)}` };
    }
  } finally {
    exec(['ip', 'netns', 'del', ns]);
  }
  return { ok: true };
}

/**
 * Can ipset make a hash:net set in a private network namespace, and the default iptables
 * backend refer to it? (`-m set` looks the set up by name even under --test.)
 */
export function ipsetCapability(): Capability {
  if (process.platform !== 'linux') return { ok: false, why: `platform is ${process.platform}, not linux` };
  const missing = missingTools(['ipset', 'iptables-restore', 'unshare']);
  if (missing) return { ok: false, why: missing };
  const v = exec(['ipset', '--version']);
  if (v.code !== 0) return { ok: false, why: `ipset --version failed: ${firstLine(v.stderr)}` };
  const rules = '*filter\n:MSGR-probe - [0:0]\n-A MSGR-probe -m set --match-set msgr-probe src -j ACCEPT\nCOMMIT\n';
  const r = exec([...unshareArgv(), 'sh', '-c', 'ipset create msgr-probe hash:net family inet && iptables-restore --test'], rules);
  if (r.code !== 0) return { ok: false, why: `ipset create + iptables-restore --test -m set in ${unshareArgv().join(' ')} failed: ${firstLine(r.stderr) || `exit ${r.code}`}` };
  return { ok: true };
}

/** Both capabilities, or the first reason why not. */
export const allOf = (...caps: Capability[]): Capability => caps.find((c) => !c.ok) ?? { ok: true };

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

/**
 * describe() when capable; otherwise a skipped suite whose title carries the reason (also
 * printed), except under CI=true, where the missing capability is a failing test.
 */
export function describeWhen(cap: Capability, name: string, fn: () => void): void {
  if (cap.ok) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has the capability it needs', () => {
        throw new Error(`cannot run in CI: ${cap.why}`);
      });
    });
    return;
  }
  console.warn(`[msgrfw] skipping "${name}": ${cap.why}`);
  describe.skip(`${name} [skipped: ${cap.why}]`, () => {
    it.skip(cap.why, () => {});
  });
}

export interface Example {
  name: string;
  text: string;
}

export function examples(): Example[] {
  const dir = join(ROOT, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.msgr'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
}

export function compileOrThrow(text: string, file: string): IrDocument {
  const r = compilePolicy(text, file);
  if (!r.ir) {
    throw new Error(`${file} does not compile:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
  }
  return r.ir;
}

/** The apply command documented in an artefact's header (the line after "Apply, …"). */
export function documentedApplyCommand(content: string): string {
  const lines = content.split('\n');
  const i = lines.findIndex((l) => l.startsWith('# Apply, keeping every other rule'));
  const cmd = lines[i + 1];
  if (i < 0 || !cmd?.startsWith('#   ')) throw new Error('no documented apply command in the header');
  return cmd.slice(4);
}

/** The ipset restore command a rules file's header says to run first, if it uses sets. */
export function documentedIpsetCommand(content: string): string | undefined {
  const line = content.split('\n').find((l) => l.startsWith('#   ipset restore '));
  return line?.slice(4);
}

/** The documented command with another backend's tools. */
export function withTools(cmd: string, family: 4 | 6, t: Tools): string {
  const p = family === 4 ? 'iptables' : 'ip6tables';
  return cmd.replaceAll(`${p}-save `, `${t.save} `).replaceAll(`${p}-restore `, `${t.restore} `);
}
