// The command line's contract on files: `check` and `compile` take several, `ir` exactly one;
// no file given is ever silently ignored; a file that cannot be read is reported on the same
// stream as every other diagnostic of the command.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artefactsIn, policy } from '../helpers.js';
import { CONTOSO, msgrfw, noStackTrace } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'msgrfw-files-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const CONTOSO_TEXT = readFileSync(CONTOSO, 'utf8');
const GOOD = file('good.msgr', CONTOSO_TEXT);
const BAD = file('bad.msgr', 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
const MISSING = join(dir, 'missing.msgr');
/** Contoso with every firewall renamed, so that it writes other files. */
const OTHER = file('other.msgr', CONTOSO_TEXT.replace(/firewall (\w[\w-]*)/g, 'firewall $1-b'));

describe('msgrfw check FILE…', () => {
  it('checks every file and exits with the worst status: 0 all clean, 1 errors, 2 a file cannot be read', () => {
    expect(msgrfw(['check', GOOD, OTHER]).code).toBe(0);
    expect(msgrfw(['check', GOOD, BAD]).code).toBe(1);
    expect(msgrfw(['check', BAD, GOOD]).code).toBe(1);
    expect(msgrfw(['check', GOOD, MISSING, BAD]).code).toBe(2);
  });

  it('prints each file as one file alone (each diagnostic names its file), then one total', () => {
    const r = msgrfw(['check', BAD, GOOD, '-'], CONTOSO_TEXT);
    expect(r.code).toBe(1);
    const alone = (f: string) => msgrfw(['check', f]).stdout.replace(/^\d+ error\(s\), \d+ warning\(s\)\n$/m, '');
    expect(r.stdout).toBe(`${alone(BAD)}${alone(GOOD)}${alone(GOOD).replaceAll(GOOD, '<stdin>')}1 error(s), 10 warning(s) in 3 files\n`);
    expect(r.stderr).toBe('');
    const clean = file('clean.msgr', policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    allow tcp 22 from cl\n  }' }));
    expect(msgrfw(['check', clean, GOOD]).stdout).toMatch(new RegExp(`^${clean}: ok\n${GOOD}:13:5: warning MSGR031`));
  });

  it('reports a file it cannot read among the others, on stdout like every diagnostic of check, exit 2', () => {
    mkdirSync(join(dir, 'a-dir.msgr'), { recursive: true });
    const r = msgrfw(['check', BAD, MISSING, join(dir, 'a-dir.msgr'), GOOD]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`error MSGR014[^]*\\nmsgrfw: cannot read ${MISSING}: no such file\\nmsgrfw: ${join(dir, 'a-dir.msgr')} is a directory, not a policy file\\n${GOOD}:13:5: warning MSGR031[^]*\\n1 error\\(s\\), 5 warning\\(s\\) in 4 files; 2 could not be read\\n$`));
    expect(r.stderr).toBe('');
  });

  it('refuses stdin twice, exit 2', () => {
    const r = msgrfw(['check', '-', '-'], CONTOSO_TEXT);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'msgrfw: stdin (-) can be read only once\n' });
  });
});

describe('msgrfw compile FILE… --out-dir DIR', () => {
  it('compiles every policy into the directory and lists every file', () => {
    const out = join(dir, 'both');
    const r = msgrfw(['compile', GOOD, OTHER, '-t', 'nftables', '--out-dir', out]);
    expect(r.code, r.stderr).toBe(0);
    const names = ['edge', 'desktop', 'lcs-host', 'edge-b', 'desktop-b', 'lcs-host-b'].map((f) => `${f}.nft`);
    expect(r.stdout).toBe(names.map((n) => `wrote ${join(out, n)}\n`).join(''));
    expect(artefactsIn(out)).toEqual([...names].sort());
    // Each file is what compiling its policy alone writes.
    const alone = join(dir, 'alone');
    expect(msgrfw(['compile', OTHER, '-t', 'nftables', '--out-dir', alone]).code).toBe(0);
    for (const n of artefactsIn(alone)) expect(readFileSync(join(out, n), 'utf8')).toBe(readFileSync(join(alone, n), 'utf8'));
  });

  it('writes nothing when one policy has errors, and reports the diagnostics of all, exit 1', () => {
    const out = join(dir, 'none');
    const r = msgrfw(['compile', GOOD, BAD, '-t', 'pf', '--out-dir', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/good\.msgr:\d+:\d+: warning MSGR061: target pf/);
    expect(r.stderr).toMatch(/bad\.msgr:2:15: error MSGR014/);
    expect(r.stdout).toBe('');
    expect(() => readdirSync(out)).toThrow(/ENOENT/);
  });

  it('refuses, before writing anything, two policies that would write the same file, exit 2', () => {
    const out = join(dir, 'clash');
    mkdirSync(out);
    const r = msgrfw(['compile', GOOD, file('copy.msgr', CONTOSO_TEXT), '--out-dir', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/msgrfw: .*good\.msgr and .*copy\.msgr would both write edge\.nft \(both have a firewall named edge\).*; nothing was written\n$/);
    expect(readdirSync(out)).toEqual([]);
    expect(msgrfw(['compile', GOOD, GOOD, '--out-dir', out]).stderr).toMatch(/good\.msgr is given twice/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses -o with several policies, exit 2', () => {
    const r = msgrfw(['compile', GOOD, OTHER, '-t', 'nftables', '-f', 'edge', '-o', '-']);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/-o writes one artefact of one policy, but 2 policies are given; use --out-dir/) });
  });

  it('looks for -f in every policy', () => {
    const out = join(dir, 'one');
    expect(msgrfw(['compile', GOOD, OTHER, '-f', 'edge-b', '-t', 'nftables', '--out-dir', out]).code).toBe(0);
    expect(artefactsIn(out)).toEqual(['edge-b.nft']);
    const r = msgrfw(['compile', GOOD, OTHER, '-f', 'nope', '--out-dir', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no firewall named 'nope' \(the policies have: edge, desktop, lcs-host, edge-b, desktop-b, lcs-host-b\)/);
  });
});

describe('commands that take one file refuse more, exit 2', () => {
  it.each([
    [['ir', GOOD, OTHER], /too many arguments for 'ir'/],
    [['diff', GOOD, OTHER, BAD], /too many arguments for 'diff'/],
  ])('%j', (args, message) => {
    const r = msgrfw(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    noStackTrace(r.stderr);
  });
});

describe('an unreadable input is reported on the stream of the command’s diagnostics', () => {
  it.each([
    // command, where its diagnostics go, the diagnostics of a broken policy there as proof
    ['check', 'stdout', ['check']],
    ['check --format json', 'stdout', ['check', '--format', 'json']],
    ['compile', 'stderr', ['compile', '--out-dir', join(dir, 'x')]],
    ['compile --format json', 'stderr', ['compile', '--format', 'json', '--out-dir', join(dir, 'x')]],
    ['compile --format sarif', 'stderr', ['compile', '--format', 'sarif', '--out-dir', join(dir, 'x')]],
    ['ir', 'stderr', ['ir']],
  ] as const)('%s: %s', (_name, stream, args) => {
    const other = stream === 'stdout' ? 'stderr' : 'stdout';
    const broken = msgrfw([...args, BAD]);
    expect(broken[stream]).toMatch(/MSGR014/);
    expect(broken[other]).toBe('');
    for (const input of [MISSING, join(dir, 'a-dir.msgr')]) {
      mkdirSync(join(dir, 'a-dir.msgr'), { recursive: true });
      const r = msgrfw([...args, input]);
      expect(r.code).toBe(2);
      expect(r[stream]).toMatch(/cannot read .*missing\.msgr: no such file|a-dir\.msgr is a directory/);
      expect(r[other]).toBe('');
    }
  });
});
