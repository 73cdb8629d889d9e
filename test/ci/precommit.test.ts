// The pre-commit hooks (.pre-commit-hooks.yaml), run as pre-commit runs them: the hook's entry
// split into words, its args, then the staged files its `files` pattern matches, all at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers.js';
import { CONTOSO } from '../cli/run.js';
import { envWith, gitRepo, msgrfwOnPath, sh } from './tools.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files: string;
  pass_filenames?: boolean;
  args?: string[];
}

const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = (id: string) => hooks.find((h) => h.id === id)!;
const bin = msgrfwOnPath();
const contoso = readFileSync(CONTOSO, 'utf8');

/** What pre-commit does with the staged files: keep those `files` matches, append them to entry and args, run. */
function runHook(h: Hook, staged: string[], cwd: string, args: string[] = h.args ?? []) {
  const files = staged.filter((f) => new RegExp(h.files).test(f));
  const [cmd, ...words] = h.entry.split(/\s+/);
  return { files, ...sh(cmd!, [...words, ...args, ...(h.pass_filenames === false ? [] : files)], cwd, envWith(bin)) };
}

const SITE = {
  'site/hq.msgr': contoso,
  'site/branch.msgr': readFileSync(join(ROOT, 'examples', 'branch.msgr'), 'utf8'),
  'README.md': '# policies\n',
};

describe('.pre-commit-hooks.yaml', () => {
  it('declares msgrfw-check, msgrfw-fmt and msgrfw-fmt-write as node hooks on .msgr files that take many files at once', () => {
    expect(hooks.map((h) => h.id)).toEqual(['msgrfw-check', 'msgrfw-fmt', 'msgrfw-fmt-write']);
    for (const h of hooks) {
      expect(h).toMatchObject({ language: 'node', pass_filenames: true });
      expect(h.name).toBeTruthy();
      expect(h.entry.split(/\s+/)[0]).toBe('msgrfw');
      // pre-commit installs the repository as a package: its bin must name the entry's command.
      expect(Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin)).toContain('msgrfw');
      expect(new RegExp(h.files).test('policies/site.msgr')).toBe(true);
      expect(new RegExp(h.files).test('policies/site.msgr.bak')).toBe(false);
      expect(new RegExp(h.files).test('README.md')).toBe(false);
    }
  });

  it('msgrfw-check passes policies with warnings, fails on any error, checking every file given', () => {
    const repo = gitRepo({ ...SITE, 'site/broken.msgr': 'deployment d {\n  network a = 10.0.0.1/8\n}\n' });
    const ok = runHook(hook('msgrfw-check'), ['README.md', 'site/hq.msgr', 'site/branch.msgr'], repo);
    expect(ok.files).toEqual(['site/hq.msgr', 'site/branch.msgr']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/0 error\(s\), 7 warning\(s\) in 2 files\n$/);
    const bad = runHook(hook('msgrfw-check'), ['site/hq.msgr', 'site/broken.msgr', 'site/branch.msgr'], repo);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^site\/broken\.msgr:2:15: error MSGR014: /m);
    expect(bad.stdout).toMatch(/site\/branch\.msgr:13:5: warning MSGR032/);
    // args: [--warnings-as-errors] in a site's config.
    expect(runHook(hook('msgrfw-check'), ['site/hq.msgr'], repo, ['--warnings-as-errors']).code).toBe(1);
  });

  it('msgrfw-fmt fails on a policy that is not formatted, naming it, and changes nothing', () => {
    const messy = contoso.replace('  network lcs      = 10.1.1.10', '\tnetwork   lcs =10.1.1.10');
    const repo = gitRepo({ ...SITE, 'site/messy.msgr': messy });
    expect(runHook(hook('msgrfw-fmt'), ['site/hq.msgr', 'site/branch.msgr'], repo).code).toBe(0);
    const r = runHook(hook('msgrfw-fmt'), ['site/hq.msgr', 'site/messy.msgr', 'site/branch.msgr'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('site/messy.msgr\n');
    expect(r.stderr).toContain('network   lcs =10.1.1.10');
    expect(readFileSync(join(repo, 'site/messy.msgr'), 'utf8')).toBe(messy);
  });

  it('msgrfw-fmt-write lays out the files in place, so that git sees the change pre-commit reports', () => {
    const messy = contoso.replace('  network lcs      = 10.1.1.10', '\tnetwork   lcs =10.1.1.10');
    const repo = gitRepo({ ...SITE, 'site/messy.msgr': messy });
    const r = runHook(hook('msgrfw-fmt-write'), ['site/hq.msgr', 'site/messy.msgr'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('formatted site/messy.msgr\n');
    expect(readFileSync(join(repo, 'site/messy.msgr'), 'utf8')).toBe(contoso);
    expect(sh('git', ['status', '--porcelain'], repo).stdout).toBe(' M site/messy.msgr\n');
  });
});
