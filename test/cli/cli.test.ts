import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { CONTOSO, msgrfw, noStackTrace } from './run.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'msgrfw-cli-'));

describe('msgrfw --version', () => {
  it('prints the version of the package, exit 0, with -V too', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    for (const flag of ['--version', '-V']) expect(msgrfw([flag])).toEqual({ code: 0, stdout: `msgrfw ${version}\n`, stderr: '' });
  });
});

describe('msgrfw check', () => {
  it('passes the bundled example with its warnings, exit 0', () => {
    const r = msgrfw(['check', CONTOSO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/contoso\.msgr:13:5: warning MSGR032: /);
    // MSGR031, MSGR032 (line 13), MSGR035 (line 19), MSGR038 (line 21: partners are in no clients
    // block, so their media range is assumed to be the clients') and the MSGR073 lint: lcs-host
    // denies inbound by default and nothing lets SSH/RDP/WinRM in (line 38).
    expect(r.stdout).toMatch(/contoso\.msgr:21:5: warning MSGR038: the peers of clients clients include 198\.51\.100\.0\/24, /);
    expect(r.stdout).toMatch(/contoso\.msgr:38:3: warning MSGR073: /);
    expect(r.stdout).toMatch(/0 error\(s\), 5 warning\(s\)/);
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

  it('rejects binary and non-UTF-8 input with a diagnostic where check prints every diagnostic (stdout), exit 1', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bin.msgr'), Buffer.from([0x64, 0x00, 0x01]));
    writeFileSync(join(dir, 'latin1.msgr'), Buffer.from('deployment d {\n  description "caf\xe9"\n}\n', 'latin1'));
    expect(msgrfw(['check', join(dir, 'bin.msgr')])).toMatchObject({ code: 1, stdout: expect.stringMatching(/MSGR006/), stderr: '' });
    expect(msgrfw(['check', join(dir, 'latin1.msgr')])).toMatchObject({ code: 1, stdout: expect.stringMatching(/:2:\d+: error MSGR006/), stderr: '' });
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

  it('writes the one artefact of a two-file target that the -o name says (iptables .rules.v4/.rules.v6, netsh .cmd/.reg)', () => {
    const dir = tmp();
    const all = tmp();
    expect(msgrfw(['compile', CONTOSO, '-t', 'iptables', '--out-dir', all]).code).toBe(0);
    expect(msgrfw(['compile', CONTOSO, '-t', 'netsh', '-f', 'desktop', '--out-dir', all]).code).toBe(0);
    for (const [args, out, same] of [
      [['-t', 'iptables', '-f', 'edge'], 'edge.rules.v6', 'edge.rules.v6'],
      [['-t', 'iptables', '-f', 'edge'], 'rules.v4', 'edge.rules.v4'], // Debian's /etc/iptables/rules.v4
      [['-t', 'iptables'], 'desktop.rules.v4', 'desktop.rules.v4'], // the whole name picks the firewall too
      [['-t', 'netsh', '-f', 'desktop'], 'ranges.reg', 'desktop.reg'],
    ] as const) {
      const r = msgrfw(['compile', CONTOSO, ...args, '-o', join(dir, out)]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(dir, out), 'utf8')).toBe(readFileSync(join(all, same), 'utf8'));
    }
    for (const out of ['edge.rules', '-', 'rules.v4']) {
      // a name that names none of them, stdout, and a kind that fits several firewalls
      const r = msgrfw(['compile', CONTOSO, '-t', 'iptables', ...(out === 'rules.v4' ? [] : ['-f', 'edge']), '-o', out === '-' ? out : join(dir, out)]);
      expect(r.code, out).toBe(2);
      expect(r.stderr).toMatch(/-o needs exactly one artefact, but this selection has \d+: .*edge\.rules\.v4/);
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(dir).sort()).toEqual(['edge.rules.v6', 'desktop.rules.v4', 'ranges.reg', 'rules.v4'].sort());
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
