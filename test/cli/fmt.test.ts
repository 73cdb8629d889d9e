import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, binFor, CONTOSO, msgrfw } from './run.js';

const MESSY = 'deployment d{\r\n\tnetwork a=10.0.0.0/8 ,10.1.0.0/16   # nets\r\n  network bb = a\r\n}  \r\n\r\n';
const TIDY = 'deployment d {\n  network a  = 10.0.0.0/8, 10.1.0.0/16  # nets\n  network bb = a\n}\n';
const BROKEN = 'deployment d {\n  netwrk a = 10.0.0.0/8\n}\n';

function files(entries: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-fmt-'));
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('msgrfw fmt', () => {
  it('prints the formatted policy, from a file or from stdin', () => {
    const dir = files({ 'p.msgr': MESSY });
    expect(msgrfw(['fmt', join(dir, 'p.msgr')])).toMatchObject({ code: 0, stdout: TIDY, stderr: '' });
    expect(msgrfw(['fmt', '-'], MESSY)).toMatchObject({ code: 0, stdout: TIDY, stderr: '' });
    expect(msgrfw(['fmt', CONTOSO]).stdout).toBe(readFileSync(CONTOSO, 'utf8'));
  });

  it('--check: silent with exit 0 when formatted; names the file (stdout) with a diff (stderr) and exit 1 when not', () => {
    expect(msgrfw(['fmt', '--check', CONTOSO])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const dir = files({ 'p.msgr': MESSY, 'ok.msgr': TIDY });
    const r = msgrfw(['fmt', '--check', join(dir, 'ok.msgr'), join(dir, 'p.msgr')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${join(dir, 'p.msgr')}\n`);
    expect(r.stderr).toContain(`--- ${join(dir, 'p.msgr')}\n+++ ${join(dir, 'p.msgr')} (formatted)\n# CRLF line ends become LF\n@@ -1,2 +1,2 @@\n-deployment d{\n`);
    expect(r.stderr).toContain('@@ -4,2 +4,1 @@\n-}  \n-\n+}\n');
    expect(r.stderr).toMatch(/^\+ {2}network a {2}= 10\.0\.0\.0\/8, 10\.1\.0\.0\/16 {2}# nets$/m);
    expect(readFileSync(join(dir, 'p.msgr'), 'utf8')).toBe(MESSY); // --check changes nothing
    expect(msgrfw(['fmt', '--check', '-'], MESSY)).toMatchObject({ code: 1, stdout: '<stdin>\n' });
  });

  it('--write: rewrites only what changes, keeps the file mode, and is then --check clean', () => {
    const dir = files({ 'p.msgr': MESSY, 'ok.msgr': TIDY });
    chmodSync(join(dir, 'p.msgr'), 0o640);
    const before = statSync(join(dir, 'ok.msgr')).mtimeMs;
    const r = msgrfw(['fmt', '--write', join(dir, 'p.msgr'), join(dir, 'ok.msgr')]);
    expect(r).toMatchObject({ code: 0, stdout: `formatted ${join(dir, 'p.msgr')}\n` });
    expect(readFileSync(join(dir, 'p.msgr'), 'utf8')).toBe(TIDY);
    expect(statSync(join(dir, 'p.msgr')).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, 'ok.msgr')).mtimeMs).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['ok.msgr', 'p.msgr']); // no temporary file left
    expect(msgrfw(['fmt', '--check', join(dir, 'p.msgr')]).code).toBe(0);
  });

  it('treats a byte order mark as unformatted and removes it', () => {
    const dir = files({ 'bom.msgr': `\uFEFF${TIDY}` });
    expect(msgrfw(['fmt', '--check', join(dir, 'bom.msgr')]).stderr).toMatch(/byte order mark/);
    expect(msgrfw(['fmt', '--write', join(dir, 'bom.msgr')]).code).toBe(0);
    expect(readFileSync(join(dir, 'bom.msgr'), 'utf8')).toBe(TIDY);
  });

  it('refuses a file that does not parse (exit 1, its diagnostics) and then writes no file at all', () => {
    const dir = files({ 'bad.msgr': BROKEN, 'p.msgr': MESSY });
    const r = msgrfw(['fmt', '--write', join(dir, 'p.msgr'), join(dir, 'bad.msgr')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad\.msgr:2:3: error MSGR002: .*\n[\s\S]*hint: did you mean 'network'\?/);
    expect(r.stderr).toMatch(/bad\.msgr does not parse, so it was not formatted/);
    expect(readFileSync(join(dir, 'p.msgr'), 'utf8')).toBe(MESSY);
    expect(readFileSync(join(dir, 'bad.msgr'), 'utf8')).toBe(BROKEN);
    expect(msgrfw(['fmt', '-'], BROKEN)).toMatchObject({ code: 1, stdout: '' });
  });

  it('exits 2 on usage errors: --check with --write, --write on stdin, several files to print, a missing file', () => {
    for (const args of [
      ['fmt', '--check', '--write', CONTOSO],
      ['fmt', '--write', '-'],
      ['fmt', CONTOSO, CONTOSO],
      ['fmt', '/no/such/file.msgr'],
      ['fmt'],
    ]) {
      const r = msgrfw(args, '');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)/);
    }
  });
});

describe('msgrfw fmt --write through a symbolic link', () => {
  // Root is needed to give a file another owner; without it the owner is not tested (CI must test it).
  const root = process.getuid?.() === 0;
  if (!root && process.env.CI === 'true') throw new Error('the fmt owner tests need root, and CI must run them');

  it('formats the file the link points to, and keeps the link, the mode and the owner', () => {
    const dir = files({ 'real.msgr': MESSY });
    const elsewhere = files({});
    const real = join(dir, 'real.msgr');
    chmodSync(real, 0o640);
    if (root) chownSync(real, 1234, 2345);
    symlinkSync(real, join(elsewhere, 'link.msgr'));
    symlinkSync('real.msgr', join(dir, 'relative.msgr'));
    const r = msgrfw(['fmt', '--write', join(elsewhere, 'link.msgr')]);
    expect(r).toMatchObject({ code: 0, stdout: `formatted ${join(elsewhere, 'link.msgr')}\n` });
    expect(lstatSync(join(elsewhere, 'link.msgr')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(elsewhere, 'link.msgr'))).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe(TIDY);
    const st = statSync(real);
    expect(st.mode & 0o7777).toBe(0o640);
    if (root) expect([st.uid, st.gid]).toEqual([1234, 2345]);
    expect(readdirSync(dir).sort()).toEqual(['real.msgr', 'relative.msgr']); // no temporary file, no lock left
    expect(readdirSync(elsewhere)).toEqual(['link.msgr']);

    writeFileSync(real, MESSY);
    expect(msgrfw(['fmt', '--write', join(dir, 'relative.msgr')]).code).toBe(0);
    expect(readlinkSync(join(dir, 'relative.msgr'))).toBe('real.msgr');
    expect(readFileSync(real, 'utf8')).toBe(TIDY);
  });

  it.skipIf(!root)('refuses (exit 2, the file unchanged) when the owner cannot be kept: a user rewriting a file another user owns', () => {
    const dir = files({ 'p.msgr': MESSY });
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'p.msgr'), 0o666);
    const r = spawnSync(process.execPath, [binFor(65534), 'fmt', '--write', join(dir, 'p.msgr')], { encoding: 'utf8', uid: 65534, gid: 65534, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`msgrfw: cannot keep the owner of ${join(dir, 'p.msgr')} (uid 0, gid 0): only root or its owner can; run it as one of them\n  no file was changed\n`);
    expect(readFileSync(join(dir, 'p.msgr'), 'utf8')).toBe(MESSY);
    expect(readdirSync(dir)).toEqual(['p.msgr']);
  });
});
