import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { BIN, CONTOSO, msgrfw, noStackTrace } from './run.js';
// @ts-expect-error: the benchmark's policy shapes are plain JavaScript
import { splinters as splintersOf } from '../../bench/diff-shapes.mjs';

const splinters = splintersOf as (rules: number) => [string, string];

const CONTOSO_TEXT = readFileSync(CONTOSO, 'utf8');

function policyFile(text: string, name = 'site.msgr'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'msgrfw-diff-')), name);
  writeFileSync(path, text);
  return path;
}

const WIDE = CONTOSO_TEXT.replace('media ports 50000-50039', 'media ports 50000-50059');

describe('msgrfw diff', () => {
  it('exits 0 and says so when allowed traffic is the same', () => {
    const r = msgrfw(['diff', CONTOSO, CONTOSO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no change in allowed traffic\n$/);
  });

  it('shows newly allowed classes with the lines responsible, exit 1; OLD may come from stdin', () => {
    const wide = policyFile(WIDE);
    const r = msgrfw(['diff', '-', wide], CONTOSO_TEXT);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^--- <stdin>\n\+\+\+ .*site\.msgr\n/);
    expect(r.stdout).toContain('firewall edge (gateway between clients and partners): allowed traffic changed');
    expect(r.stdout).toContain('udp forward ipv4  10.20.0.0/16 -> 198.51.100.0/24  sport 50040-50059  dport 50000-50059');
    expect(r.stdout).toMatch(/now: accepted by rule r3, r4 \(Messenger rtp\)\n(?:.*\n)*?.*site\.msgr:20: media ports 50000-50059/);
    expect(r.stdout).toMatch(/before: dropped by the forward default \(deny\)\n\s+<stdin>:27: default deny/);
    expect(r.stdout).toContain('firewall lcs-host (host firewall on lcs): no change in allowed traffic');
  });

  it('restricts to one firewall with -f and prints JSON with --format json', () => {
    const r = msgrfw(['diff', '--format', 'json', '-f', 'desktop', CONTOSO, policyFile(WIDE)]);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ changed: true, old: CONTOSO, firewalls: [{ name: 'desktop', status: 'changed', newlyDenied: [] }] });
    expect(d.firewalls).toHaveLength(1);
    expect(d.firewalls[0].newlyAllowed[0]).toMatchObject({
      new: { kind: 'rule', verdict: 'accept', rules: [{ id: 'r3' }] },
      old: { kind: 'policy', verdict: 'drop', defaults: [{ direction: 'input', written: true }] },
      classes: expect.arrayContaining([{ protocol: 'udp', direction: 'input', family: 6, src: ['2001:db8:20::/48'], dst: ['2001:db8:20::/48'], srcPorts: ['50040-50059'], dstPorts: ['50000-50059'] }]),
    });
  });

  it('is trouble (exit 2) when a file cannot be read or has errors, or both are stdin', () => {
    const missing = msgrfw(['diff', CONTOSO, '/no/such/file.msgr']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read \/no\/such\/file\.msgr: no such file/);
    const broken = msgrfw(['diff', CONTOSO, '-'], 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/<stdin>:2:15: error MSGR014/);
    expect(broken.stderr).toMatch(/<stdin> has errors: no difference computed/);
    expect(msgrfw(['diff', '-', '-'], CONTOSO_TEXT).code).toBe(2);
    expect(msgrfw(['diff', '-f', 'nope', CONTOSO, CONTOSO]).code).toBe(2);
    for (const r of [missing, broken]) {
      expect(r.stdout).toBe('');
      noStackTrace(r.stderr);
    }
  });

  it('gives up with exit 2, nothing on stdout, and what to do, when comparing takes more steps than its limit', () => {
    const [oldText, newText] = splinters(20);
    const started = Date.now();
    const r = msgrfw(['diff', policyFile(oldText, 'old.msgr'), policyFile(newText, 'new.msgr')]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^msgrfw: comparing firewall fw takes more than 20,000,000 steps of box arithmetic \(the diff's limit\): its rules cut each other into too many pieces\./);
    expect(r.stderr).toContain('--max-steps');
    noStackTrace(r.stderr);
  }, 30_000);

  it('takes another limit with --max-steps, a whole number', () => {
    const wide = policyFile(WIDE);
    expect(msgrfw(['diff', '--max-steps', '1000', CONTOSO, wide])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/more than 1,000 steps/) });
    expect(msgrfw(['diff', '--max-steps', '5000000', CONTOSO, wide]).code).toBe(1);
    for (const bad of ['0', '-5', '1e6', 'many']) {
      const r = msgrfw(['diff', '--max-steps', bad, CONTOSO, wide]);
      expect(r, bad).toMatchObject({ code: 2, stdout: '', stderr: `msgrfw: --max-steps takes a whole number of steps, not '${bad}'\n` });
    }
  }, 30_000);

  it('works as the git diff driver the README shows (git passes 7 arguments)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const command = /git config diff\.msgrfw\.command '([^']+)'/.exec(readme)?.[1];
    expect(command, 'README shows the driver command').toBeDefined();
    // `msgrfw` on PATH, as after `npm install -g`.
    const bin = mkdtempSync(join(tmpdir(), 'msgrfw-bin-'));
    writeFileSync(join(bin, 'msgrfw'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'msgrfw'), 0o755);
    const hex = '0'.repeat(40);
    // What git runs for diff.<driver>.command: the command through the shell, with its 7 arguments.
    const r = spawnSync('sh', ['-c', `${command} "$@"`, command!, 'site.msgr', CONTOSO, hex, '100644', policyFile(WIDE), hex, '100644'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' },
    });
    // git stops at an external diff that exits non-zero: the driver maps "differences" (1) to 0.
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('sport 50040-50059  dport 50000-50059');
  });

  it('names the versions by --label (once: OLD; twice: OLD and NEW) in the report and in their diagnostics', () => {
    const wide = policyFile(WIDE);
    const r = msgrfw(['diff', '-', wide, '--label', 'main:site.msgr', '--label', 'site.msgr'], CONTOSO_TEXT);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^--- main:site\.msgr\n\+\+\+ site\.msgr\n/);
    expect(r.stdout).toMatch(/\n\s+main:site\.msgr:27: default deny\n/);
    expect(msgrfw(['diff', '/dev/null', wide, '--label', 'main: (none)']).stdout).toMatch(/^--- main: \(none\)\n\+\+\+ .*site\.msgr\n/);
    const broken = msgrfw(['diff', '-', wide, '--label', 'main:site.msgr'], 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^main:site\.msgr:2:15: error MSGR014: /);
    expect(msgrfw(['diff', CONTOSO, CONTOSO, '--label', 'a', '--label', 'b', '--label', 'c'])).toMatchObject({ code: 2, stderr: 'msgrfw: --label names OLD and NEW: give it at most twice, not 3 times\n' });
  });
});
