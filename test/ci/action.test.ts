// The GitHub Action (action.yml) and the scripts its steps run (ci/github/), run here as the
// runner runs them — node, the step's environment, GitHub's step files — against temporary git
// repositories with a base and a head commit. GitHub itself (setup-node, upload-sarif,
// github-script's Octokit) is not here: what the scripts hand to it and take from it is tested.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers.js';
import { CONTOSO } from '../cli/run.js';
import { envWith, gitRepo, msgrfwOnPath, sh, shAsync, writeTree } from './tools.js';

const SCRIPTS = join(ROOT, 'ci', 'github');
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; name: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
};
const contoso = readFileSync(CONTOSO, 'utf8');
const branch = readFileSync(join(ROOT, 'examples', 'branch.msgr'), 'utf8');
const bin = msgrfwOnPath();
const scratch = mkdtempSync(join(tmpdir(), 'msgrfw-action-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A step's files, as the runner gives them: outputs, PATH additions, the job summary. */
function stepFiles() {
  const dir = mkdtempSync(join(scratch, 'step-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_PATH: join(dir, 'path'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), RUNNER_TEMP: dir };
  for (const f of [files.GITHUB_OUTPUT, files.GITHUB_PATH, files.GITHUB_STEP_SUMMARY]) writeFileSync(f, '');
  return files;
}

/** GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIMITER heredocs. */
function outputsOf(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) out[lines[i]!.slice(0, lines[i]!.indexOf('='))] = lines[i]!.slice(lines[i]!.indexOf('=') + 1);
  }
  return out;
}

/** Runs a step's script as the composite action's `run:` does, in `cwd` (the workspace). */
function step(script: string, cwd: string, env: Record<string, string> = {}) {
  const files = stepFiles();
  const r = sh(process.execPath, [join(SCRIPTS, script)], cwd, envWith(bin, { ...files, GITHUB_ACTION_PATH: ROOT, ...env }));
  return stepResult(r, files);
}

/** The same for a long step (a build), without blocking the test's event loop. */
async function slowStep(script: string, cwd: string, env: Record<string, string> = {}) {
  const files = stepFiles();
  const r = await shAsync(process.execPath, [join(SCRIPTS, script)], cwd, envWith(bin, { ...files, GITHUB_ACTION_PATH: ROOT, ...env }));
  return stepResult(r, files);
}

function stepResult(r: { code: number | null; stdout: string; stderr: string }, files: ReturnType<typeof stepFiles>) {
  return { ...r, outputs: outputsOf(files.GITHUB_OUTPUT), path: readFileSync(files.GITHUB_PATH, 'utf8'), summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), temp: files.RUNNER_TEMP };
}

function commit(repo: string, files: Record<string, string | null>, message = 'change'): void {
  for (const [path, text] of Object.entries(files)) {
    if (text === null) sh('git', ['rm', '-q', path], repo);
    else writeTree(repo, { [path]: text });
  }
  sh('git', ['add', '-A'], repo);
  const r = sh('git', ['commit', '-q', '-m', message], repo);
  if (r.code !== 0) throw new Error(r.stderr);
}

const head = (repo: string, rev = 'HEAD') => sh('git', ['rev-parse', rev], repo).stdout.trim();

describe('action.yml', () => {
  it('is a composite action whose every step runs a script of ci/github with its inputs in the environment, never in the script text', () => {
    expect(action.runs.using).toBe('composite');
    const scripts = action.runs.steps.filter((s) => s.run !== undefined);
    expect(scripts.map((s) => s.run)).toEqual(['install', 'check', 'diff', 'verdict'].map((n) => `node "$GITHUB_ACTION_PATH/ci/github/${n}.mjs"`));
    for (const s of scripts) expect(existsSync(join(SCRIPTS, /ci\/github\/(\w+\.mjs)/.exec(s.run!)![1]!))).toBe(true);
    // An input interpolated into a script would be a shell injection; they go through env.
    for (const s of action.runs.steps) expect(`${s.run ?? ''}${s.with?.script ?? ''}`).not.toMatch(/\$\{\{/);
  });

  it('refers only to inputs it declares, and to outputs its scripts set', () => {
    const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const used = new Set([...text.matchAll(/inputs\.([\w-]+)/g)].map((m) => m[1]!));
    expect([...used].sort()).toEqual(Object.keys(action.inputs).sort());
    const ids = new Map(action.runs.steps.filter((s) => s.id).map((s) => [s.id!, s]));
    for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      const script = /ci\/github\/(\w+\.mjs)/.exec(ids.get(id!)?.run ?? '')?.[1];
      expect(script, `steps.${id}`).toBeDefined();
      expect(readFileSync(join(SCRIPTS, script!), 'utf8'), `${script} sets ${output}`).toContain(`setOutput('${output}'`);
    }
    // The comment step loads the comment script from the action's own path.
    const comment = action.runs.steps.find((s) => s.uses?.startsWith('actions/github-script'))!;
    expect(comment.env?.MSGRFW_ACTION_PATH).toBe('${{ github.action_path }}');
    expect(comment.with?.script).toContain('ci/github/comment.mjs');
    expect(action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))?.with?.sarif_file).toBe('${{ steps.check.outputs.sarif }}');
  });
});

describe('install step', () => {
  it('installs msgrfw from a package spec (here the npm pack tarball) and puts it on the PATH', async () => {
    const pack = await shAsync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const tarball = join(scratch, JSON.parse(pack.stdout)[0].filename);
    const r = await slowStep('install.mjs', scratch, { MSGRFW_PACKAGE: tarball, npm_config_prefer_offline: 'true' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const installed = r.path.trim();
    expect(r.outputs).toEqual({ bin: installed, version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version });
    expect(sh(join(installed, 'msgrfw'), ['check', CONTOSO], scratch).stdout).toMatch(/0 error\(s\), 5 warning\(s\)/);
  });

  it("installs msgrfw from the action's own source when no package is named (built, packed and installed as a user would; npm pack printing only the tarball's name, as pre-commit needs)", async () => {
    // The action's checkout: the tracked files of this repository, with its dependencies.
    const source = join(scratch, 'action-source');
    for (const f of sh('git', ['ls-files'], ROOT).stdout.split('\n').filter(Boolean)) {
      if (!existsSync(join(ROOT, f))) continue;
      mkdirSync(dirname(join(source, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(source, f));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
    const r = await slowStep('install.mjs', scratch, { GITHUB_ACTION_PATH: source, npm_config_prefer_offline: 'true' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Installing msgrfw from its source at ${source}`);
    expect(sh(join(r.outputs.bin!, 'msgrfw'), ['--version'], scratch).stdout).toBe(`msgrfw ${r.outputs.version}\n`);
  }, 240_000);
});

describe('check step', () => {
  const site = {
    'policies/hq.msgr': contoso,
    'policies/branch.msgr': branch.replace('sip tcp                        # 5060/tcp, clear text', 'sip tcp   # msgrfw: ack MSGR032 -- TLS with the 5.1 upgrade'),
    'policies/old/retired.msgr': 'deployment d {\n  network a = 10.0.0.1/8\n}\n',
    'notes.txt': 'not a policy\n',
  };

  it('checks the policies the globs name: text in the log, SARIF for upload, an annotation per finding not acknowledged, the status as an output', () => {
    const repo = gitRepo(site);
    const r = step('check.mjs', repo, { POLICIES: 'policies/**/*.msgr\n!policies/old/**', SARIF: join(repo, '..', 'out.sarif') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toEqual({ files: '2', sarif: join(repo, '..', 'out.sarif'), status: '0' });
    expect(r.stdout).toMatch(/0 error\(s\), 6 warning\(s\); 1 acknowledged \(not shown\) in 2 files/);
    const sarif = JSON.parse(readFileSync(r.outputs.sarif!, 'utf8'));
    const results = sarif.runs[0].results as { ruleId: string; suppressions?: unknown[]; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    expect(results).toHaveLength(7);
    expect(new Set(results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['policies/hq.msgr', 'policies/branch.msgr']));
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::warning ') || l.startsWith('::error '));
    expect(annotations).toHaveLength(6);
    expect(annotations).toContain('::warning file=policies/hq.msgr,line=38,col=3,title=msgrfw MSGR073::' + annotations.find((a) => a.includes('line=38'))!.split('::')[2]);
    expect(annotations.find((a) => a.includes('MSGR032') && a.includes('branch'))).toBeUndefined();
    expect(annotations.find((a) => a.includes('line=38'))).toMatch(/%0Ahint: /);
    expect(r.summary).toBe('### msgrfw check\n\n2 policy file(s): 0 error(s), 6 warning(s), 1 acknowledged: passed.\n');
  });

  it('reports status 1 for errors, and for warnings with warnings-as-errors', () => {
    const repo = gitRepo(site);
    const all = step('check.mjs', repo, { POLICIES: '**/*.msgr' });
    expect(all.outputs.status).toBe('1');
    expect(all.stdout).toMatch(/^::error file=policies\/old\/retired\.msgr,line=2,col=15,title=msgrfw MSGR014::10\.0\.0\.1\/8 has host bits set%0Ahint: /m);
    expect(all.code).toBe(0); // the step itself never fails: the verdict step does
    const strict = step('check.mjs', repo, { POLICIES: 'policies/hq.msgr', WARNINGS_AS_ERRORS: 'true' });
    expect(strict.outputs.status).toBe('1');
    expect(strict.summary).toContain('(warnings count as errors): failed.');
  });

  it('says so, and passes, when no policy matches', () => {
    const r = step('check.mjs', gitRepo({ 'notes.txt': 'x\n' }), { POLICIES: '**/*.msgr' });
    expect(r.outputs).toMatchObject({ files: '0', status: '0' });
    expect(r.stdout).toContain('::notice::no policy file matches "**/*.msgr": nothing to check');
  });
});

describe('verdict step', () => {
  it('fails the job as msgrfw check did', () => {
    expect(step('verdict.mjs', scratch, { STATUS: '0' }).code).toBe(0);
    const failed = step('verdict.mjs', scratch, { STATUS: '1' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^::error::msgrfw check found problems/);
    expect(step('verdict.mjs', scratch, { STATUS: '2' }).stdout).toMatch(/could not check the policies \(exit 2\)/);
    expect(step('verdict.mjs', scratch, {}).code).toBe(1);
  });
});

describe('diff step', () => {
  /** A base commit on main, then a head commit with every kind of change. */
  function pullRequest() {
    const repo = gitRepo({ 'site/hq.msgr': contoso, 'site/branch.msgr': branch, 'site/lab.msgr': contoso.replace('deployment contoso', 'deployment lab'), 'site/old.msgr': branch.replace('deployment branch', 'deployment old') });
    const base = head(repo);
    sh('git', ['checkout', '-q', '-b', 'widen-media'], repo);
    sh('git', ['mv', 'site/lab.msgr', 'site/lab2.msgr'], repo);
    commit(repo, {
      'site/hq.msgr': contoso.replace('media ports 50000-50039', 'media ports 50000-50059'),
      'site/new.msgr': contoso.replace('deployment contoso', 'deployment new'),
      'site/old.msgr': null,
      'site/branch.msgr': branch.replace('  targets nftables, iptables, pf', '    targets   nftables, iptables, pf'),
    });
    return { repo, base };
  }

  it('writes one report of every changed policy for the comment, the job summary and the log', () => {
    const { repo, base } = pullRequest();
    const r = step('diff.mjs', repo, { BASE: base, BASE_LABEL: 'main', POLICIES: 'site/*.msgr' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ changed: 'true', files: '5', trouble: 'false' });
    const body = readFileSync(r.outputs.body!, 'utf8');
    expect(body.split('\n').slice(0, 4)).toEqual([
      '<!-- msgrfw-diff -->',
      '## msgrfw: what this change does to the firewalls',
      '',
      'Compared with `main`. 5 policy file(s) changed: 3 change(s) what the firewalls allow.',
    ]);
    // Each changed file, in git's order, with the base named by its branch.
    const headings = body.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual([
      '### msgrfw diff: `main:site/branch.msgr` → `site/branch.msgr`',
      '### msgrfw diff: `main:site/hq.msgr` → `site/hq.msgr`',
      '### msgrfw diff: `main:site/lab.msgr` → `site/lab2.msgr`',
      '### msgrfw diff: `main: (no policy)` → `site/new.msgr`',
      '### msgrfw diff: `main:site/old.msgr` → `site/old.msgr (deleted)`',
    ]);
    // The report of each is msgrfw diff's own.
    const hq = sh('msgrfw', ['diff', '--format', 'markdown', '--label', 'main:site/hq.msgr', '--label', 'site/hq.msgr', '-', 'site/hq.msgr'], repo, envWith(bin), contoso);
    expect(body).toContain(hq.stdout.trim());
    expect(body).toContain('#### Firewall `edge` added (gateway between clients and partners)');
    expect(body).toContain('#### Firewall `branch-gw` removed (was gateway between staff and vendors)');
    expect(body).toMatch(/### msgrfw diff: `main:site\/branch\.msgr` → `site\/branch\.msgr`\n\n\*\*No change in allowed traffic\.\*\*/);
    expect(r.summary).toContain(hq.stdout.trim());
    expect(r.stdout).toContain(hq.stdout.trim());
    // Nothing was written into the checkout.
    expect(sh('git', ['status', '--porcelain'], repo).stdout).toBe('');
  });

  it('fetches the base when the checkout is shallow, and reports a version it cannot compare', () => {
    const { repo, base } = pullRequest();
    commit(repo, { 'site/hq.msgr': 'deployment d {\n  network a = 10.0.0.1/8\n}\n' });
    const clone = mkdtempSync(join(scratch, 'clone-'));
    expect(sh('git', ['clone', '-q', '--depth=1', '--branch', 'widen-media', pathToFileURL(repo).href, clone], scratch).code).toBe(0);
    expect(sh('git', ['cat-file', '-e', `${base}^{commit}`], clone).code).not.toBe(0);
    const r = step('diff.mjs', clone, { BASE: base, POLICIES: 'site/*.msgr' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.trouble).toBe('true');
    const body = readFileSync(r.outputs.body!, 'utf8');
    expect(body).toContain(`Compared with \`${base}\`. 5 policy file(s) changed: 2 change(s) what the firewalls allow, 1 could not be compared.`);
    expect(body).toMatch(/### msgrfw diff: `site\/hq\.msgr`\n\n\*\*Could not be compared\*\* \(exit 2\):\n\n```\nsite\/hq\.msgr:2:15: error MSGR014: /);
  });

  it('says no policy changed, and does nothing without a base', () => {
    const repo = gitRepo({ 'site/hq.msgr': contoso });
    const base = head(repo);
    commit(repo, { 'README.md': 'docs\n' });
    const r = step('diff.mjs', repo, { BASE: base });
    expect(r.outputs).toMatchObject({ changed: 'false', files: '0' });
    expect(readFileSync(r.outputs.body!, 'utf8')).toContain('No policy file changed.');
    const none = step('diff.mjs', repo, { BASE: '' });
    expect(none.outputs).toEqual({ changed: 'false', body: '' });
  });

  it("keeps the comment under GitHub's size limit: a report too long keeps its heading and verdict, and says where the rest is", async () => {
    // 400 scattered client hosts: a report of about 140 KB on its own.
    const scattered = contoso.replace('network clients  = 10.20.0.0/16', `network clients  = ${Array.from({ length: 400 }, (_, i) => `10.20.${Math.floor(i / 50)}.${1 + 2 * (i % 50)}`).join(', ')}`);
    const repo = gitRepo({ 'site/a.msgr': contoso, 'site/b.msgr': contoso, 'site/c.msgr': contoso });
    const base = head(repo);
    commit(repo, { 'site/a.msgr': contoso.replace('media ports 50000-50039', 'media ports 50000-50059'), 'site/b.msgr': scattered, 'site/c.msgr': scattered });
    const r = await slowStep('diff.mjs', repo, { BASE: base });
    expect(r.code, r.stderr).toBe(0);
    const body = readFileSync(r.outputs.body!, 'utf8');
    expect(body.length).toBeLessThan(60_000);
    const a = sh('msgrfw', ['diff', '--format', 'markdown', '--label', `${base}:site/a.msgr`, '--label', 'site/a.msgr', '-', 'site/a.msgr'], repo, envWith(bin), contoso).stdout;
    expect(body).toContain(a.trim());
    expect(body).toContain(`### msgrfw diff: \`${base}:site/b.msgr\` → \`site/b.msgr\`\n\n**3 firewall(s) allow other connections than before.**\n\n_The whole report of this file is too long for a comment: the job summary and the log of the diff step have it._`);
    expect(body).toMatch(/\n\n_The whole report of this file is too long for a comment[^\n]*\n$/);
    expect(r.summary.length).toBeGreaterThan(200_000);
    expect(r.summary).toContain(a.trim());
  });
});

describe('comment step', () => {
  type Comment = { id: number; body: string };
  /** The part of github-script's Octokit the step uses, over an in-memory pull request. */
  function fakeGitHub(existing: Comment[], failWith?: number) {
    const comments = [...existing];
    const calls: string[] = [];
    const guard = () => {
      if (failWith) throw Object.assign(new Error('Resource not accessible by integration'), { status: failWith });
    };
    const github = {
      paginate: async (_list: unknown, params: { issue_number: number; per_page: number }) => {
        calls.push(`list #${params.issue_number}`);
        return comments;
      },
      rest: {
        issues: {
          listComments: {},
          createComment: async (p: { issue_number: number; body: string }) => {
            guard();
            calls.push(`create #${p.issue_number}`);
            comments.push({ id: 100 + comments.length, body: p.body });
            return { data: { html_url: 'https://example.org/c' } };
          },
          updateComment: async (p: { comment_id: number; body: string }) => {
            guard();
            calls.push(`update ${p.comment_id}`);
            comments.find((c) => c.id === p.comment_id)!.body = p.body;
          },
        },
      },
    };
    const log: string[] = [];
    const core = { info: (m: string) => log.push(`info ${m}`), warning: (m: string) => log.push(`warning ${m}`) };
    return { github, core, comments, calls, log };
  }
  const context = (pr?: number) => ({ repo: { owner: 'site', repo: 'policies' }, payload: pr ? { pull_request: { number: pr } } : {} });
  const bodyFile = (text: string) => {
    const path = join(mkdtempSync(join(scratch, 'body-')), 'body.md');
    writeFileSync(path, text);
    return path;
  };

  it('posts the report once, then updates that comment (found by its marker) on every later run', async () => {
    const { postDiffComment } = await import(pathToFileURL(join(SCRIPTS, 'comment.mjs')).href);
    const f = fakeGitHub([{ id: 1, body: 'LGTM' }]);
    await postDiffComment({ github: f.github, context: context(7), core: f.core, bodyPath: bodyFile('<!-- msgrfw-diff -->\nfirst') });
    await postDiffComment({ github: f.github, context: context(7), core: f.core, bodyPath: bodyFile('<!-- msgrfw-diff -->\nsecond') });
    await postDiffComment({ github: f.github, context: context(7), core: f.core, bodyPath: bodyFile('<!-- msgrfw-diff -->\nsecond') });
    expect(f.calls).toEqual(['list #7', 'create #7', 'list #7', 'update 101', 'list #7']);
    expect(f.comments).toEqual([{ id: 1, body: 'LGTM' }, { id: 101, body: '<!-- msgrfw-diff -->\nsecond' }]);
    expect(f.log.at(-1)).toMatch(/is up to date/);
  });

  it('adds no comment when no policy changed, nor outside a pull request; a read-only token is a warning, not a failure', async () => {
    const { postDiffComment } = await import(pathToFileURL(join(SCRIPTS, 'comment.mjs')).href);
    const quiet = fakeGitHub([]);
    await postDiffComment({ github: quiet.github, context: context(7), core: quiet.core, bodyPath: bodyFile('<!-- msgrfw-diff -->\nNo policy file changed.\n') });
    await postDiffComment({ github: quiet.github, context: context(), core: quiet.core, bodyPath: bodyFile('x') });
    expect(quiet.calls).toEqual(['list #7']);
    const fork = fakeGitHub([], 403);
    await postDiffComment({ github: fork.github, context: context(8), core: fork.core, bodyPath: bodyFile('<!-- msgrfw-diff -->\nreport') });
    expect(fork.log).toEqual([expect.stringMatching(/^warning cannot comment on pull request #8 \(403: .*the report is in the job summary/)]);
    const broken = fakeGitHub([], 500);
    await expect(postDiffComment({ github: broken.github, context: context(8), core: broken.core, bodyPath: bodyFile('<!-- msgrfw-diff -->\nreport') })).rejects.toThrow();
  });
});
