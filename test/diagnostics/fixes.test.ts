// Fixes: the diagnostics whose hint says exactly what to write carry it as an edit, and applying
// the edit removes the problem. Ranges: every diagnostic that points at a token spans it.
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../src/check.js';
import { acknowledgementFix } from '../../src/diagnostics/acknowledge.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { editDistance } from '../../src/diagnostics/suggest.js';
import { applyEdits, policy } from '../helpers.js';

const check = (text: string) => checkPolicy(text, 'p.msgr').diagnostics;
const only = (ds: Diagnostic[], code: string) => {
  const found = ds.filter((d) => d.code === code);
  expect(found, `${code} in ${ds.map((d) => d.code).join(', ')}`).toHaveLength(1);
  return found[0]!;
};
/** The text a diagnostic's range covers. */
const covered = (text: string, d: Diagnostic) => {
  expect(d.endLine).toBe(d.line);
  return text.split('\n')[d.line - 1]!.slice(d.column - 1, d.endColumn! - 1);
};

/** [code, the policy with the mistake, what the range covers, the fix's title]: after the fix, the policy has no error. */
const CASES: [string, string, string, string][] = [
  ['MSGR002', policy({ clients: 'server srv via tcp\n    features im\n    sip dynamc ports 7000-7099' }).replace('sip tls', 'sip tcp'), 'dynamc', "replace 'dynamc' with 'dynamic'"],
  ['MSGR002', policy({}).replace('  firewall fw {', '  firewal fw {'), 'firewal', "replace 'firewal' with 'firewall'"],
  ['MSGR014', policy({ networks: 'network cl = 10.20.0.1/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10' }), '10.20.0.1/16', "replace '10.20.0.1/16' with '10.20.0.0/16'"],
  ['MSGR014', policy({ networks: 'network cl = 10.20.0.0/16, 2001:db8:20::1/48\n  network srv = 10.1.1.10, 2001:db8:1::10' }), '2001:db8:20::1/48', "replace '2001:db8:20::1/48' with '2001:db8:20::/48'"],
  ['MSGR023', policy({ clients: 'server srv via tls\n    features im, audio\n    media ports 50099 - 50000' }), '50099 - 50000', 'write 50000-50099'],
  ['MSGR023', policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    allow tcp 3390-3389 from cl\n  }' }), '3390-3389', 'write 3389-3390'],
  ['MSGR037', policy({ server: 'sip tsl' }).replace('via tls', 'via tls'), 'tsl', "replace 'tsl' with 'tls'"],
  ['MSGR037', policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftabels\n  }' }), 'nftabels', "replace 'nftabels' with 'nftables'"],
  ['MSGR037', policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    default dney\n  }' }), 'dney', "replace 'dney' with 'deny'"],
  ['MSGR037', policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    allow tpc 22 from cl\n  }' }), 'tpc', "replace 'tpc' with 'tcp'"],
  ['MSGR037', policy({ clients: 'server srv via tls\n    features im\n    client comunicator' }), 'comunicator', "replace 'comunicator' with 'communicator'"],
  ['MSGR020', policy({ clients: 'server srv via tls\n    features im, presense' }), 'presense', "replace 'presense' with 'presence'"],
  ['MSGR010', policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    allow tcp 22 from clx\n  }' }), 'clx', "replace 'clx' with 'cl'"],
  ['MSGR010', policy({ clients: 'server svr via tls\n    features im' }), 'svr', "replace 'svr' with 'srv'"],
];

describe('fixes', () => {
  it.each(CASES)('%s: the range covers the mistake, and the fix removes it', (code, text, mistake, title) => {
    const d = only(check(text), code);
    expect(covered(text, d)).toBe(mistake);
    expect(d.fix?.title).toBe(title);
    const fixed = applyEdits(text, d.fix!.edits);
    expect(check(fixed).filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('gives none where the hint cannot say what to write, but still the range', () => {
    const text = policy({ clients: 'server srv via tls\n    features im, whatever' });
    const d = only(check(text), 'MSGR020');
    expect(d.fix).toBeUndefined();
    expect(d.hint).toMatch(/^features are: /);
    expect(covered(text, d)).toBe('whatever');
  });

  it('counts a swap of two letters as one slip (tsl is near tls)', () => {
    expect(editDistance('tsl', 'tls')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3);
  });
});

describe('fixes of acknowledgements', () => {
  const warned = policy({ server: 'sip tls\n    sip tcp', firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    default deny\n  }' });
  // Line 7: `    sip tcp` (MSGR031, MSGR032); line 13: `  firewall fw {` (MSGR073).
  const withAck = (line: number, comment: string, text = warned) => text.split('\n').map((l, i) => (i + 1 === line ? `${l}${comment}` : l)).join('\n');

  it('MSGR075: writes the code it likely meant', () => {
    const text = withAck(13, '   # msgrfw: ack msgr073 -- console only');
    const d = only(check(text), 'MSGR075');
    expect(covered(text, d)).toBe('msgr073');
    const fixed = check(applyEdits(text, d.fix!.edits));
    expect(only(fixed, 'MSGR073').suppressed).toEqual({ justification: 'console only' });
  });

  it('MSGR076 and MSGR074: take the code out, its comma with it; the last code takes the comment', () => {
    const middle = withAck(7, '  # msgrfw: ack MSGR031, MSGR073, MSGR032 -- soon');
    const fixedMiddle = applyEdits(middle, only(check(middle), 'MSGR076').fix!.edits);
    expect(fixedMiddle.split('\n')[6]).toBe('    sip tcp  # msgrfw: ack MSGR031, MSGR032 -- soon');
    const last = withAck(7, '  # msgrfw: ack MSGR031, MSGR032, MSGR014 -- soon');
    expect(only(check(last), 'MSGR074').fix!.title).toBe('remove MSGR014 from the acknowledgement');
    expect(applyEdits(last, only(check(last), 'MSGR074').fix!.edits).split('\n')[6]).toBe('    sip tcp  # msgrfw: ack MSGR031, MSGR032 -- soon');
    const alone = withAck(13, '   # msgrfw: ack MSGR032 -- soon');
    const fixedAlone = applyEdits(alone, only(check(alone), 'MSGR076').fix!.edits);
    expect(fixedAlone).toBe(warned);
    const above = warned.replace('  firewall fw {', '  # msgrfw: ack MSGR031 -- soon\n  firewall fw {');
    expect(applyEdits(above, only(check(above), 'MSGR076').fix!.edits)).toBe(warned);
  });

  it('acknowledges a warning where it points: at the end of its line, into the line\'s acknowledgement, or above a line with another comment; the reason is the author\'s to write', () => {
    const warning = only(check(warned), 'MSGR073');
    const fix = acknowledgementFix(warned, warning)!;
    expect(fix.title).toBe('acknowledge MSGR073 here (# msgrfw: ack MSGR073 -- why)');
    const added = applyEdits(warned, fix.edits);
    expect(added.split('\n')[12]).toBe('  firewall fw {  # msgrfw: ack MSGR073 -- ');
    // Until a reason is written, the acknowledgement is malformed and the warning stands.
    expect(check(added).map((d) => [d.code, d.suppressed !== undefined])).toContainEqual(['MSGR073', false]);
    expect(only(check(added), 'MSGR077').message).toBe('acknowledgement gives no reason');
    expect(only(check(added.replace('-- ', '-- console only')), 'MSGR073').suppressed).toEqual({ justification: 'console only' });

    // A line with an acknowledgement gets the code added to it.
    const acked = withAck(7, '  # msgrfw: ack MSGR031 -- soon');
    const second = acknowledgementFix(acked, only(check(acked), 'MSGR032'))!;
    expect(applyEdits(acked, second.edits).split('\n')[6]).toBe('    sip tcp  # msgrfw: ack MSGR031, MSGR032 -- soon');
    // A line with another comment gets an acknowledgement line above it, indented alike.
    const commented = withAck(7, '  # clear text until May');
    const third = acknowledgementFix(commented, only(check(commented), 'MSGR032'))!;
    expect(applyEdits(commented, third.edits).split('\n').slice(6, 8)).toEqual(['    # msgrfw: ack MSGR032 -- ', '    sip tcp  # clear text until May']);
    // Errors and acknowledgement warnings cannot be acknowledged.
    expect(acknowledgementFix(warned, { ...warning, severity: 'error' })).toBeUndefined();
    expect(acknowledgementFix(added, only(check(added), 'MSGR077'))).toBeUndefined();
  });
});

describe('ranges', () => {
  it('span the token a diagnostic points at, whatever reported it; none where it points at no token', () => {
    const text = policy({ server: 'sip tls\n    sip tcp', firewalls: 'firewall fw {\n    on srv\n    targets nftables, pf\n    default deny\n  }' });
    const ds = check(text);
    expect(covered(text, only(ds, 'MSGR032'))).toBe('sip');
    expect(covered(text, only(ds, 'MSGR073'))).toBe('firewall');
    expect(covered(text, only(ds, 'MSGR061'))).toBe('targets');
    const cut = 'deployment d {\n  network a = 10.0.0.0/8,\n}\n';
    const eol = checkPolicy(cut, 'p.msgr').diagnostics[0]!;
    expect(eol.endLine).toBeUndefined();
  });
});
