import { describe, expect, it } from 'vitest';
import { checkPolicy, reviewDiagnostics } from '../../src/check.js';
import { compilePolicy } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { policy } from '../helpers.js';

/** srv offers sip tcp that no client uses (MSGR031, MSGR032 on line 7); fw has MSGR073 (line 13) and pf's MSGR061 (line 15). */
const warned = (parts: { server?: string; firewall?: string; targets?: string } = {}) =>
  policy({
    server: parts.server ?? 'sip tls\n    sip tcp',
    firewalls: `${parts.firewall ?? 'firewall fw {'}\n    on srv\n    ${parts.targets ?? 'targets nftables, pf'}\n    default deny\n  }`,
  });

/** The 1-based column of `needle` on line `line` of `text`. */
const columnOf = (text: string, line: number, needle: string) => text.split('\n')[line - 1]!.indexOf(needle) + 1;

const summary = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.code}@${d.line}:${d.column}${d.suppressed ? ` acknowledged: ${d.suppressed.justification}` : ''}`);

describe('acknowledging a warning in the policy', () => {
  it('reports the warnings of every stage unacknowledged by default', () => {
    expect(summary(checkPolicy(warned(), 'p.msgr').diagnostics)).toEqual(['MSGR031@7:5', 'MSGR032@7:5', 'MSGR073@13:3', 'MSGR061@15:5']);
  });

  it('marks the warning an acknowledgement names on its line as suppressed, with the reason: resolve, lint and target findings alike', () => {
    const text = warned({
      server: 'sip tls\n    sip tcp   # msgrfw: ack MSGR032, MSGR031 -- the branch upgrades to TLS in May',
      firewall: '# msgrfw: ack MSGR073 -- managed from the console\n  firewall fw {',
      targets: 'targets nftables, pf   # msgrfw: ack MSGR061 -- our routers send RAs from fe80::1 only',
    });
    expect(summary(checkPolicy(text, 'p.msgr').diagnostics)).toEqual([
      'MSGR031@7:5 acknowledged: the branch upgrades to TLS in May',
      'MSGR032@7:5 acknowledged: the branch upgrades to TLS in May',
      'MSGR073@14:3 acknowledged: managed from the console',
      'MSGR061@16:5 acknowledged: our routers send RAs from fe80::1 only',
    ]);
  });

  it('accepts only the codes it names: another warning on the line stays', () => {
    const text = warned({ server: 'sip tls\n    sip tcp   # msgrfw: ack MSGR032 -- upgrade in May' });
    expect(summary(checkPolicy(text, 'p.msgr').diagnostics)).toEqual(['MSGR031@7:5', 'MSGR032@7:5 acknowledged: upgrade in May', 'MSGR073@13:3', 'MSGR061@15:5']);
  });

  it('warns about an acknowledgement that names an error or one of its own codes (MSGR074), and leaves the error an error', () => {
    const text = policy({ networks: 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10/8, 2001:db8:1::10   # msgrfw: ack MSGR014, MSGR076 -- x\n  network pt = 198.51.100.0/24' });
    const ds = checkPolicy(text, 'p.msgr').diagnostics;
    expect(ds.map((d) => [d.code, d.line, d.column, d.severity, d.suppressed])).toEqual([
      ['MSGR014', 3, 17, 'error', undefined],
      ['MSGR074', 3, columnOf(text, 3, 'MSGR014'), 'warning', undefined],
      ['MSGR074', 3, columnOf(text, 3, 'MSGR076'), 'warning', undefined],
    ]);
    expect(ds[1]!.message).toBe('MSGR014 is an error: errors cannot be acknowledged, only fixed');
  });

  it('warns about an unknown code (MSGR075), suggesting the code it likely meant', () => {
    const hintFor = (code: string) => checkPolicy(warned({ firewall: `firewall fw {   # msgrfw: ack ${code} -- x` }), 'p.msgr').diagnostics.find((d) => d.code === 'MSGR075')?.hint;
    expect(hintFor('msgr073')).toBe("did you mean 'MSGR073'?");
    expect(hintFor('MSGR703')).toBe("did you mean 'MSGR073'?"); // the one warning of its statement
    expect(hintFor('W073')).toBe("did you mean 'MSGR073'?");
    const none = checkPolicy(policy({ clients: 'server srv via tls   # msgrfw: ack MSGR999 -- x\n    features im' }), 'p.msgr').diagnostics.find((d) => d.code === 'MSGR075');
    expect(none?.hint).toBe("the README's Diagnostics table lists every code");
  });

  it('warns about an acknowledgement that accepts nothing (MSGR076), naming the warnings its statement has', () => {
    const text = warned({ targets: 'targets nftables, pf   # msgrfw: ack MSGR073 -- x' });
    const wrongLine = checkPolicy(text, 'p.msgr').diagnostics.filter((d) => d.code === 'MSGR076');
    expect(wrongLine.map((d) => [d.line, d.column, d.message, d.hint])).toEqual([
      [15, columnOf(text, 15, 'MSGR073'), 'the acknowledgement of MSGR073 accepts nothing: this line has no such warning', "its statement's warnings are MSGR061; or remove it"],
    ]);
    const above = warned({ firewall: '# msgrfw: ack MSGR073 -- x\n\n  firewall fw {' });
    const floating = checkPolicy(above, 'p.msgr').diagnostics;
    expect(summary(floating)).toEqual(['MSGR031@7:5', 'MSGR032@7:5', `MSGR076@13:${columnOf(above, 13, 'MSGR073')}`, 'MSGR073@15:3', 'MSGR061@17:5']);
    expect(floating[2]!.message).toMatch(/stands above no statement/);
  });

  it('says nothing about an acknowledgement that accepts nothing when not every finding was looked for: after an error, or with a narrowed selection', () => {
    const text = warned({ targets: 'targets nftables, pf   # msgrfw: ack MSGR061 -- x', firewall: 'firewall fw {   # msgrfw: ack MSGR073 -- x' });
    const compiled = compilePolicy(text, 'p.msgr');
    // Narrowed to nftables, pf's finding was not looked for.
    expect(summary(reviewDiagnostics(text, 'p.msgr', compiled, { target: 'nftables' }))).toEqual(['MSGR031@7:5', 'MSGR032@7:5', 'MSGR073@13:3 acknowledged: x']);
    expect(summary(reviewDiagnostics(text, 'p.msgr', compiled, {}))).toEqual(['MSGR031@7:5', 'MSGR032@7:5', 'MSGR073@13:3 acknowledged: x', 'MSGR061@15:5 acknowledged: x']);
    // With an error the lints never ran: no MSGR073 to accept, and no MSGR076 either.
    const broken = text.replace('network pt = 198.51.100.0/24', 'network pt = 198.51.100.1/24');
    expect(summary(checkPolicy(broken, 'p.msgr').diagnostics)).toEqual(['MSGR014@4:16', 'MSGR031@7:5', 'MSGR032@7:5']);
  });

  it('warns about a malformed msgrfw: comment (MSGR077) and accepts nothing with it', () => {
    const text = warned({ firewall: 'firewall fw {   # msgrfw: ack MSGR073' });
    const ds = checkPolicy(text, 'p.msgr').diagnostics;
    expect(summary(ds)).toEqual(['MSGR031@7:5', 'MSGR032@7:5', 'MSGR073@13:3', `MSGR077@13:${columnOf(text, 13, 'msgrfw:')}`, 'MSGR061@15:5']);
    expect(ds[3]).toMatchObject({ severity: 'warning', message: 'acknowledgement gives no reason' });
  });
});
