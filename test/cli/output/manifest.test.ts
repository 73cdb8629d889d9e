// The manifest of an output directory: it records what compiles wrote there (deterministically,
// so it can be kept in git), and a later compile removes, in the same all-or-nothing commit, the
// files of firewalls and targets its policy no longer has — only those of its own deployment
// and of its selection (-f, -t), never a file no manifest lists, never one changed since.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../helpers.js';
import { completeSet, contents, CONTOSO, msgrfw, snapshot, workspace, writePolicy } from './support.js';

const fresh = workspace('manifest');
const MANIFEST = '.msgrfw-manifest.json';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let policies: string;
/** contoso without firewall edge, and contoso whose edge has no pf. */
let NO_EDGE: string;
let NO_PF: string;
beforeAll(() => {
  policies = fresh();
  const contoso = readFileSync(CONTOSO, 'utf8');
  const start = contoso.indexOf('  firewall edge {');
  const end = contoso.indexOf('  }\n', start) + 4;
  NO_EDGE = writePolicy(policies, 'contoso.msgr', contoso.slice(0, start) + contoso.slice(end));
  NO_PF = writePolicy(policies, 'contoso-no-pf.msgr', contoso.replace('targets nftables, pf', 'targets nftables'));
});

const compile = (dir: string, policy: string, ...args: string[]) => msgrfw(['compile', policy, ...args, '--out-dir', dir]);

describe('the manifest', () => {
  it('lists each file written with its deployment, firewall, target and SHA-256, sorted, the same bytes for the same policy', () => {
    const a = fresh();
    const b = fresh();
    expect(compile(a, CONTOSO).code).toBe(0);
    expect(compile(b, CONTOSO).code).toBe(0);
    const text = readFileSync(join(a, MANIFEST), 'utf8');
    expect(readFileSync(join(b, MANIFEST), 'utf8')).toBe(text);
    const doc = JSON.parse(text) as { version: number; files: { file: string; deployment: string; firewall: string; target: string; sha256: string }[] };
    expect(doc.version).toBe(1);
    expect(doc.files.map((f) => f.file)).toEqual(readdirSync(a).filter((n) => n !== MANIFEST).sort());
    for (const f of doc.files) {
      expect(f.sha256, f.file).toBe(sha256(readFileSync(join(a, f.file), 'utf8')));
      expect(f.deployment).toBe('contoso');
      expect(f.file.startsWith(`${f.firewall}.`), f.file).toBe(true);
    }
    expect(doc.files.find((f) => f.file === 'edge.pf.conf')).toMatchObject({ firewall: 'edge', target: 'pf' });
    expect(text).not.toMatch(/20\d\d-\d\d-\d\d|"pid"|"host"/); // nothing that changes from run to run
  });

  it('is not listed among the files written (stdout lists the artefacts only)', () => {
    const r = compile(fresh(), CONTOSO);
    expect(r.stdout).not.toContain(MANIFEST);
  });
});

describe('stale files', () => {
  it('of a firewall removed from the policy are removed, and reported; the new manifest no longer lists them', () => {
    const dir = fresh();
    compile(dir, CONTOSO);
    const r = compile(dir, NO_EDGE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`removed ${join(dir, 'edge.nft')}: firewall edge is no longer in the policy\n`);
    expect(r.stdout).toContain(`removed ${join(dir, 'edge.pf.conf')}: firewall edge is no longer in the policy\n`);
    expect(contents(dir)).toEqual(completeSet(fresh(), NO_EDGE));
  });

  it('of a target a firewall no longer lists are removed, with that reason', () => {
    const dir = fresh();
    compile(dir, CONTOSO);
    const r = compile(dir, NO_PF);
    expect(r.stdout).toContain(`removed ${join(dir, 'edge.pf.conf')}: firewall edge no longer lists target pf\n`);
    expect(existsSync(join(dir, 'edge.nft'))).toBe(true);
    expect(contents(dir)).toEqual(completeSet(fresh(), NO_PF));
  });

  it('a file no manifest lists is never touched, whatever its name', () => {
    const dir = fresh();
    compile(dir, CONTOSO);
    for (const name of ['README.txt', 'old-firewall.nft', 'edge.nft.orig', '.hidden']) writeFileSync(join(dir, name), `mine: ${name}`);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'edge.nft'), 'mine too');
    const r = compile(dir, NO_EDGE);
    expect(r.code).toBe(0);
    for (const name of ['README.txt', 'old-firewall.nft', 'edge.nft.orig', '.hidden']) expect(readFileSync(join(dir, name), 'utf8')).toBe(`mine: ${name}`);
    expect(readFileSync(join(dir, 'sub', 'edge.nft'), 'utf8')).toBe('mine too');
  });

  it('changed since msgrfw wrote it is kept (a warning says so, every run, while the manifest lists it); once deleted by hand it is dropped', () => {
    const dir = fresh();
    compile(dir, CONTOSO);
    writeFileSync(join(dir, 'edge.nft'), `${readFileSync(join(dir, 'edge.nft'), 'utf8')}# a local change\n`);
    for (let i = 0; i < 2; i++) {
      const r = compile(dir, NO_EDGE);
      expect(r.code).toBe(0);
      if (i === 0) expect(r.stdout).toContain(`removed ${join(dir, 'edge.pf.conf')}`);
      expect(r.stderr).toContain(`msgrfw: warning: kept ${join(dir, 'edge.nft')} although firewall edge is no longer in the policy: it changed since msgrfw wrote it; remove it if it is not needed\n`);
      expect(readFileSync(join(dir, 'edge.nft'), 'utf8')).toMatch(/# a local change\n$/);
      expect(readFileSync(join(dir, MANIFEST), 'utf8')).toContain('"file":"edge.nft"');
    }
    rmSync(join(dir, 'edge.nft'));
    const r = compile(dir, NO_EDGE);
    expect(r.stderr).not.toContain('kept');
    expect(readFileSync(join(dir, MANIFEST), 'utf8')).not.toContain('edge.nft');
  });

  it('a run narrowed with -f or -t removes only stale files within its selection', () => {
    const dir = fresh();
    compile(dir, CONTOSO);
    // -f desktop: edge is not in the selection, so its files stay (and stay listed).
    let r = compile(dir, NO_EDGE, '-f', 'desktop');
    expect(r.stdout).not.toContain('removed');
    expect(existsSync(join(dir, 'edge.nft'))).toBe(true);
    // -t nftables: edge.nft is in the selection and stale; edge.pf.conf is not in the selection.
    r = compile(dir, NO_EDGE, '-t', 'nftables');
    expect(r.stdout).toContain(`removed ${join(dir, 'edge.nft')}: firewall edge is no longer in the policy\n`);
    expect(r.stdout).not.toContain('edge.pf.conf');
    expect(existsSync(join(dir, 'edge.pf.conf'))).toBe(true);
    // The whole policy again: the rest goes (desktop.nft too: -t forced nftables on desktop, whose targets do not have it).
    r = compile(dir, NO_EDGE);
    expect(r.stdout).toContain(`removed ${join(dir, 'edge.pf.conf')}: firewall edge is no longer in the policy\n`);
    expect(r.stdout).toContain(`removed ${join(dir, 'desktop.nft')}: firewall desktop no longer lists target nftables\n`);
    expect(contents(dir)).toEqual(completeSet(fresh(), NO_EDGE));
  });

  it('of another deployment compiled into the same directory are not this deployment\'s business', () => {
    const dir = fresh();
    const branch = EXAMPLES.find((e) => e.name === 'branch.msgr')!.path;
    compile(dir, branch);
    const branchFiles = readdirSync(dir).filter((n) => n !== MANIFEST);
    compile(dir, CONTOSO);
    const r = compile(dir, NO_EDGE);
    expect(r.code).toBe(0);
    for (const f of branchFiles) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, MANIFEST), 'utf8')).toContain('"deployment":"branch"');
  });

  it('are removed only when the whole run succeeds', () => {
    const dir = fresh();
    compile(dir, CONTOSO);
    rmSync(join(dir, 'desktop.cmd'));
    mkdirSync(join(dir, 'desktop.cmd')); // one output path is a directory: the run fails
    const before = snapshot(dir);
    const r = compile(dir, NO_EDGE);
    expect(r.code).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('a manifest msgrfw cannot trust', () => {
  it.each([
    ['not JSON (a merge conflict)', '<<<<<<< HEAD\n{"version": 1, "files": []}\n=======\n'],
    ['another version', '{"version": 2, "files": []}\n'],
    ['a path out of the directory', (s: string) => JSON.stringify({ version: 1, files: [{ file: '../victim', deployment: 'contoso', firewall: 'edge', target: 'nftables', sha256: s }] })],
    ['a hidden name', (s: string) => JSON.stringify({ version: 1, files: [{ file: '.msgrfw.lock', deployment: 'contoso', firewall: 'edge', target: 'nftables', sha256: s }] })],
  ])('(%s) stops the run: exit 2, nothing changed, nothing outside removed', (_what, manifest) => {
    const parent = fresh();
    const dir = join(parent, 'out');
    compile(dir, CONTOSO);
    writeFileSync(join(parent, 'victim'), 'precious');
    writeFileSync(join(dir, MANIFEST), typeof manifest === 'string' ? manifest : manifest(sha256('precious')));
    const before = snapshot(parent);
    const r = compile(dir, NO_EDGE);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`msgrfw: cannot write into ${dir}: ${dir}/\\.msgrfw-manifest\\.json is not a manifest msgrfw can read: .*\\n  repair it \\(a merge conflict\\?\\) or remove it; .*\\n  no file was changed\\n`));
    expect(snapshot(parent)).toEqual(before);
  });
});
