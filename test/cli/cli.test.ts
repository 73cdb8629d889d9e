import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { CONTOSO, msgrfw, noStackTrace } from './run.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'msgrfw-cli-'));

describe('msgrfw check', () => {
  it('passes the bundled example with its warnings, exit 0', () => {
    const r = msgrfw(['check', CONTOSO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/contoso\.msgr:13:5: warning MSGR032: /);
    // MSGR031, MSGR032 (line 13), MSGR035 (line 19) and the MSGR073 lint: lcs-host denies inbound by
    // default and nothing lets SSH/RDP/WinRM in (line 38).
    expect(r.stdout).toMatch(/contoso\.msgr:38:3: warning MSGR073: /);
    expect(r.stdout).toMatch(/0 error\(s\), 4 warning\(s\)/);
  });

  it('reports every error with file:line:column, code and hint, exit 1', () => {
    const r = msgrfw(['check', '-'], 'deployment d {\n  network a = 10.0.0.1/8\n  netwrk b = 10.0.0.0/8\n}\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<stdin>:2:15: error MSGR014: 10\.0\.0\.1\/8 has host bits set$/m);
    expect(r.stdout).toMatch(/hint: write 10\.0\.0\.0\/8/);
    expect(r.stdout).toMatch(/^<stdin>:3:3: error MSGR002: /m);
    noStackTrace(r.stdout + r.stderr);
  });

  it('writes diagnostics as JSON with --format json', () => {
    const r = msgrfw(['check', '--format', 'json', '-'], 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, diagnostics: [{ code: 'MSGR014', line: 2, column: 15, severity: 'error', file: '<stdin>' }] });
  });

  it('treats a missing file, a directory and an unknown command as usage errors, exit 2', () => {
    for (const args of [['check', '/no/such/file.msgr'], ['check', ROOT], ['frobnicate'], ['compile']]) {
      const r = msgrfw(args);
      expect(r.code, args.join(' ')).toBe(2);
      noStackTrace(r.stderr);
    }
  });

  it('rejects binary and non-UTF-8 input with a diagnostic, exit 1', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bin.msgr'), Buffer.from([0x64, 0x00, 0x01]));
    writeFileSync(join(dir, 'latin1.msgr'), Buffer.from('deployment d {\n  description "caf\xe9"\n}\n', 'latin1'));
    expect(msgrfw(['check', join(dir, 'bin.msgr')])).toMatchObject({ code: 1, stderr: expect.stringMatching(/MSGR006/) });
    expect(msgrfw(['check', join(dir, 'latin1.msgr')])).toMatchObject({ code: 1, stderr: expect.stringMatching(/:2:\d+: error MSGR006/) });
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(msgrfw(['check', '-'], `\uFEFF${readFileSync(CONTOSO, 'utf8')}`).code).toBe(0);
  });
});

describe('msgrfw compile', () => {
  it('writes every firewall for each of its targets into --out-dir and lists the files', () => {
    const dir = tmp();
    const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '--out-dir', dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['.msgrfw-manifest.json', 'desktop.nft', 'edge.nft', 'lcs-host.nft']);
    expect(r.stdout).toBe(['edge', 'desktop', 'lcs-host'].map((f) => `wrote ${join(dir, `${f}.nft`)}\n`).join(''));
  });

  it('writes one artefact to stdout with -o -', () => {
    const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#!\/usr\/sbin\/nft -f\n/);
  });

  it('reads the policy from stdin', () => {
    const r = msgrfw(['compile', '-', '-t', 'nftables', '-f', 'edge', '-o', '-'], readFileSync(CONTOSO, 'utf8'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/table inet msgr_edge/);
  });

  it('warns, with a code, where a target can express a firewall only approximately', () => {
    const r = msgrfw(['compile', CONTOSO, '-t', 'pf', '-f', 'lcs-host', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning MSGR061: target pf, firewall lcs-host: pf cannot match the IPv6 hop limit/);
  });

  it('refuses a firewall a target cannot express at all, writing nothing, exit 1', () => {
    const dir = tmp();
    const r = msgrfw(['compile', CONTOSO, '-t', 'netsh', '-f', 'edge', '--out-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MSGR060: target netsh, firewall edge: /);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses -o when the selection has several artefacts, exit 2', () => {
    const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '-o', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-o needs exactly one artefact/);
  });

  it('names the firewalls when -f names none of them, exit 2', () => {
    const r = msgrfw(['compile', CONTOSO, '-f', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/edge, desktop, lcs-host/);
  });

  it('leaves no file behind when the policy has errors', () => {
    const dir = tmp();
    const r = msgrfw(['compile', '-', '--out-dir', join(dir, 'out')], 'deployment d {\n  network a = nowhere\n}\n');
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('changes no file when a write fails', () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: make the target path a directory instead, so rename fails.
      const dir = tmp();
      writeFileSync(join(dir, 'edge.nft'), 'old');
      mkdirSync(join(dir, 'lcs-host.nft'));
      const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '--out-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/lcs-host\.nft: it is a directory\n  no file was changed\n/);
      noStackTrace(r.stderr);
      expect(readFileSync(join(dir, 'edge.nft'), 'utf8')).toBe('old');
      expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    } else {
      const dir = tmp();
      writeFileSync(join(dir, 'edge.nft'), 'old');
      chmodSync(dir, 0o500);
      const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '--out-dir', dir]);
      chmodSync(dir, 0o700);
      expect(r.code).toBe(2);
      expect(readFileSync(join(dir, 'edge.nft'), 'utf8')).toBe('old');
    }
  });
});

describe('msgrfw ir', () => {
  it('prints the schema-valid IR as JSON', () => {
    const r = msgrfw(['ir', CONTOSO]);
    expect(r.code).toBe(0);
    const ir = JSON.parse(r.stdout);
    expect(ir).toMatchObject({ irVersion: 1, deployment: 'contoso', source: 'contoso.msgr' });
    expect(ir.firewalls.map((f: { name: string }) => f.name)).toEqual(['edge', 'desktop', 'lcs-host']);
  });
});
