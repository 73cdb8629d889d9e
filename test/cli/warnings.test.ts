// --warnings-as-errors, and warnings acknowledged in the policy, as check and compile report them.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTOSO, msgrfw } from './run.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'msgrfw-warnings-'));
const contoso = readFileSync(CONTOSO, 'utf8');

/** Contoso with each of its five warnings acknowledged on its line (13: MSGR031, MSGR032; 19: MSGR035; 21: MSGR038; 38: MSGR073). */
const ACKNOWLEDGED = contoso
  .replace('# clear text: compiles, with a warning (KB: prefer TLS)', '# msgrfw: ack MSGR031, MSGR032 -- kept for the 5.1 clients until May')
  .replace('# client SIP listening range (TCP mode), set by Group Policy', '# msgrfw: ack MSGR035 -- set for the switch to TCP mode')
  .replace('# whom the peer-to-peer features may reach', '# msgrfw: ack MSGR038 -- partners use our Group Policy ranges')
  .replace('  firewall lcs-host {', '  # msgrfw: ack MSGR073 -- managed from the console\n  firewall lcs-host {');
/** The same, with one warning left unacknowledged (MSGR038). */
const ONE_LEFT = ACKNOWLEDGED.replace('# msgrfw: ack MSGR038 -- partners use our Group Policy ranges', '# whom the peer-to-peer features may reach');

function policyFile(text: string, name = 'site.msgr'): string {
  const path = join(tmp(), name);
  writeFileSync(path, text);
  return path;
}

describe('--warnings-as-errors', () => {
  it('makes check fail (exit 1) on a warning nobody acknowledged, and says why; without it warnings pass', () => {
    expect(msgrfw(['check', CONTOSO]).code).toBe(0);
    const strict = msgrfw(['check', '--warnings-as-errors', CONTOSO]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/0 error\(s\), 5 warning\(s\)\n$/);
    expect(strict.stderr).toBe('msgrfw: 5 warning(s) not acknowledged fail the run (--warnings-as-errors): fix them, or accept one on purpose with a comment on its line: # msgrfw: ack CODE -- reason\n');
  });

  it('does not count acknowledged warnings: every warning acknowledged passes, one left fails', () => {
    const all = msgrfw(['check', '--warnings-as-errors', policyFile(ACKNOWLEDGED)]);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout).toMatch(/site\.msgr: ok \(5 acknowledged warning\(s\) not shown\)\n$/);
    const one = msgrfw(['check', '--warnings-as-errors', policyFile(ONE_LEFT)]);
    expect(one.code).toBe(1);
    expect(one.stdout).toMatch(/:21:5: warning MSGR038: /);
    expect(one.stdout).not.toMatch(/MSGR031|MSGR032|MSGR035|MSGR073/);
    expect(one.stdout).toMatch(/0 error\(s\), 1 warning\(s\); 4 acknowledged \(not shown\)\n$/);
  });

  it('counts over several files, and in JSON makes ok false exactly when the status is not 0', () => {
    const files = [policyFile(ACKNOWLEDGED, 'a.msgr'), policyFile(ONE_LEFT, 'b.msgr')];
    const text = msgrfw(['check', '--warnings-as-errors', ...files]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/a\.msgr: ok \(5 acknowledged warning\(s\) not shown\)\n/);
    expect(text.stdout).toMatch(/\n0 error\(s\), 1 warning\(s\); 9 acknowledged \(not shown\) in 2 files\n$/);
    const json = (args: string[]) => {
      const r = msgrfw(['check', '--format', 'json', ...args]);
      return { code: r.code, ok: JSON.parse(r.stdout).ok, stderr: r.stderr };
    };
    expect(json(files)).toEqual({ code: 0, ok: true, stderr: '' });
    expect(json(['--warnings-as-errors', ...files])).toEqual({ code: 1, ok: false, stderr: '' });
    expect(json(['--warnings-as-errors', files[0]!])).toEqual({ code: 0, ok: true, stderr: '' });
  });

  it('makes compile refuse to write anything while a warning is not acknowledged, and write once every one is', () => {
    const out = join(tmp(), 'out');
    const refused = msgrfw(['compile', '--warnings-as-errors', policyFile(ONE_LEFT), '--out-dir', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/warning MSGR038: [^]*msgrfw: 1 warning\(s\) not acknowledged fail the run \(--warnings-as-errors\)/);
    expect(refused.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    const written = msgrfw(['compile', '--warnings-as-errors', policyFile(ACKNOWLEDGED), '--out-dir', out]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toMatch(/^wrote .*edge\.nft$/m);
  });
});

describe('acknowledged warnings in the machine formats', () => {
  it('marks them suppressed in JSON, with the reason', () => {
    const doc = JSON.parse(msgrfw(['check', '--format', 'json', policyFile(ONE_LEFT)]).stdout);
    const byCode = Object.fromEntries(doc.diagnostics.map((d: { code: string }) => [d.code, d]));
    expect(byCode.MSGR073).toMatchObject({ line: 39, suppressed: { justification: 'managed from the console' } });
    expect(byCode.MSGR032).toMatchObject({ line: 13, suppressed: { justification: 'kept for the 5.1 clients until May' } });
    expect(byCode.MSGR038.suppressed).toBeUndefined();
  });

  it('gives them an inSource suppression in SARIF, so code scanning shows them as suppressed', () => {
    const log = JSON.parse(msgrfw(['check', '--format', 'sarif', policyFile(ONE_LEFT)]).stdout);
    const results = log.runs[0].results as { ruleId: string; suppressions?: unknown }[];
    expect(results.map((r) => [r.ruleId, r.suppressions])).toEqual([
      ['MSGR031', [{ kind: 'inSource', justification: 'kept for the 5.1 clients until May' }]],
      ['MSGR032', [{ kind: 'inSource', justification: 'kept for the 5.1 clients until May' }]],
      ['MSGR035', [{ kind: 'inSource', justification: 'set for the switch to TCP mode' }]],
      ['MSGR038', undefined],
      ['MSGR073', [{ kind: 'inSource', justification: 'managed from the console' }]],
    ]);
  });
});

describe('acknowledgements and fmt', () => {
  it('keeps them, on their lines, so they still accept the same warnings', () => {
    const messy = ACKNOWLEDGED.replace('    sip tcp port 5060             #', '\tsip   tcp port 5060 #').replace('  # msgrfw: ack MSGR073', '      # msgrfw: ack MSGR073');
    const formatted = msgrfw(['fmt', '-'], messy);
    expect(formatted.code, formatted.stderr).toBe(0);
    expect(formatted.stdout).toMatch(/\n {4}sip tcp port 5060 {2,}# msgrfw: ack MSGR031, MSGR032 -- kept for the 5\.1 clients until May\n/);
    expect(formatted.stdout).toContain('  # msgrfw: ack MSGR073 -- managed from the console\n  firewall lcs-host {\n');
    expect(formatted.stdout.split('\n')).toHaveLength(messy.split('\n').length);
    expect(msgrfw(['check', '--warnings-as-errors', '-'], formatted.stdout).code).toBe(0);
  });
});
