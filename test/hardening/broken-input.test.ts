// Broken and extreme input through the real command line (bin/msgrfw.js, built by `npm test`):
// each gets a clear diagnostic and exit 1 (2 for usage and I/O trouble), never a stack trace or
// an "internal error"; byte order marks and CRLF line ends change no byte of any output; large
// policies finish in seconds or get MSGR050 at once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePolicy } from '../../src/cli/input.js';
import { compilePolicy } from '../../src/compile.js';
import { ROOT } from '../helpers.js';

const BIN = join(ROOT, 'bin', 'msgrfw.js');
const CONTOSO = readFileSync(join(ROOT, 'examples', 'contoso.msgr'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'msgrfw-broken-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const timings: string[] = [];
afterAll(() => console.log(`broken input: ${timings.join('; ')}`));

function msgrfw(args: string[], input?: string | Buffer) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/** A file in the temporary directory; returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function expectClean(r: { stdout: string; stderr: string }) {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/\n\s+at .*[(\s].*:\d+:\d+\)?/);
  expect(all).not.toMatch(/internal error|TypeError|RangeError|Maximum call stack/);
}

/** `msgrfw check` of a file: its exit status and its diagnostics as `CODE@line:column`. */
function check(path: string) {
  const r = msgrfw(['check', '--format', 'json', path]);
  expectClean(r);
  const out = r.stdout ? JSON.parse(r.stdout) : { diagnostics: [] };
  return { code: r.code, codes: (out.diagnostics as { code: string; line: number; column: number }[]).map((d) => `${d.code}@${d.line}:${d.column}`), out, r };
}

describe('unreadable input: a clear message where the command prints its diagnostics, exit 2', () => {
  it('a missing file', () => {
    const r = msgrfw(['check', join(dir, 'no-such.msgr')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^msgrfw: cannot read .*no-such\.msgr: no such file\n$/);
    expectClean(r);
  });

  it('a directory', () => {
    mkdirSync(join(dir, 'a-dir.msgr'), { recursive: true });
    for (const [cmd, stream] of [['check', 'stdout'], ['compile', 'stderr']] as const) {
      const r = msgrfw([cmd, join(dir, 'a-dir.msgr')]);
      expect(r.code, cmd).toBe(2);
      expect(r[stream]).toMatch(/is a directory, not a policy file/);
      expectClean(r);
    }
  });
});

describe('input that is not a policy: a diagnostic, exit 1', () => {
  it('an empty file, or only blanks and comments', () => {
    for (const [name, text] of [['empty.msgr', ''], ['blank.msgr', '\n\n   \n# only a comment\n']] as const) {
      const c = check(file(name, text));
      expect(c.code).toBe(1);
      expect(c.codes).toEqual([expect.stringMatching(/^MSGR005@/)]);
    }
  });

  it('binary', () => {
    const r = msgrfw(['check', file('bin.msgr', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff]))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bin\.msgr:1:1: error MSGR006: .*binary/);
    expectClean(r);
  });

  it.each([
    ['a Latin-1 é', Buffer.from('deployment d {\n  description "caf\xe9"\n}\n', 'latin1'), '2:19'],
    ['a lone continuation byte', Buffer.concat([Buffer.from('deployment d {\n\n  # ok\n  x'), Buffer.from([0x80]), Buffer.from('\n}\n')]), '4:4'],
    ['an overlong /', Buffer.concat([Buffer.from('deployment d {\n  network a = 10.0.0.0'), Buffer.from([0xc0, 0xaf]), Buffer.from('8\n}\n')]), '2:23'],
    ['an encoded surrogate', Buffer.concat([Buffer.from('deployment d {\n  description "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"\n}\n')]), '2:16'],
    ['a truncated sequence at the end', Buffer.concat([Buffer.from('deployment d {\n}\n'), Buffer.from([0xe2, 0x82])]), '3:1'],
  ])('invalid UTF-8 (%s), with its line and column', (what, bytes, at) => {
    const [line, column] = at.split(':').map(Number);
    expect(decodePolicy(bytes, 'bad.msgr')).toEqual({
      kind: 'invalid',
      file: 'bad.msgr',
      diagnostic: { code: 'MSGR006', severity: 'error', file: 'bad.msgr', line, column, message: 'the file is not valid UTF-8', hint: 'save it as UTF-8' },
    });
    if (what !== 'a Latin-1 é' && what !== 'an encoded surrogate') return; // the command line, for two of them
    const r = msgrfw(['check', file('bad-utf8.msgr', bytes)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${join(dir, 'bad-utf8.msgr')}:${at}: error MSGR006: the file is not valid UTF-8\n  hint: save it as UTF-8\n1 error(s), 0 warning(s)\n`);
    expectClean(r);
  });

  it('a lone CR (old Mac line ends) is refused where it stands: MSGR007 for each, with a hint to end lines with LF or CRLF', () => {
    const text = CONTOSO.replace(/\n/g, '\r');
    const c = check(file('cr.msgr', text));
    expect(c.code).toBe(1);
    const crs = [...text.matchAll(/\r/g)].map((m) => `MSGR007@1:${m.index! + 1}`);
    expect(c.codes.filter((x) => x.startsWith('MSGR007'))).toEqual(crs);
    expect(c.out.diagnostics[0].hint).toBe('end lines with LF or CRLF only: delete the CR, or put a line feed after it');
  });
});

describe('line ends and byte order marks change nothing', () => {
  /** Every file `compile --out-dir` writes for a policy, by name. */
  function outputs(policy: string | Buffer, name: string): Record<string, string> {
    const out = join(dir, `out-${name}`);
    rmSync(out, { recursive: true, force: true });
    const r = msgrfw(['compile', file(name, policy), '--out-dir', out]);
    expect(r.code, r.stderr).toBe(0);
    expectClean(r);
    return Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'latin1')]));
  }
  const lf = () => outputs(CONTOSO, 'contoso.msgr');

  it('CRLF line ends: byte-identical outputs', () => {
    const want = lf();
    expect(Object.keys(want).length).toBeGreaterThan(3);
    // The same base name, so that the comments that name the source are the same.
    mkdirSync(join(dir, 'crlf'), { recursive: true });
    expect(outputs(CONTOSO.replace(/\n/g, '\r\n'), 'crlf/contoso.msgr')).toEqual(want);
  });

  it('a UTF-8 byte order mark: byte-identical outputs, also with CRLF and from stdin', () => {
    const want = lf();
    mkdirSync(join(dir, 'bom'), { recursive: true });
    expect(outputs(`\uFEFF${CONTOSO}`, 'bom/contoso.msgr')).toEqual(want);
    expect(outputs(`\uFEFF${CONTOSO.replace(/\n/g, '\r\n')}`, 'bom/contoso.msgr')).toEqual(want);
    const piped = msgrfw(['compile', '-', '-t', 'nftables', '-f', 'edge', '-o', '-'], `\uFEFF${CONTOSO.replace(/\n/g, '\r\n')}`);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(want['edge.nft']!.replace('from contoso.msgr:', 'from <stdin>:').replace(/contoso\.msgr/g, (m) => m));
  });

  it('diagnostics point at the same line and column with CRLF', () => {
    const broken = CONTOSO.replace('network admins   = 10.9.0.0/24', 'network admins   = 10.9.0.1/24');
    const codes = (t: string) => compilePolicy(t, 'x.msgr').diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
    expect(codes(broken)).toContain('MSGR014@8:22');
    expect(codes(broken.replace(/\n/g, '\r\n'))).toEqual(codes(broken));
  });
});

describe('values out of range: the diagnostic the README lists, all in one run', () => {
  const lines = [
    ['deployment d {', ''],
    ['  network cl = 10.20.0.0/16', ''],
    ['  network srv = 10.1.1.10', ''],
    ['  network z6 = fe80::1%eth0', 'MSGR015@4:16 an IPv6 zone id'],
    ['  network z4 = 10.0.0.1%lo', 'MSGR015@5:16 an IPv4 zone id'],
    ['  network p6 = 2001:db8::/129', 'MSGR013@6:16 an IPv6 prefix of 129'],
    ['  network o4 = 10.0.0.256', 'MSGR013@7:16 an IPv4 octet of 256'],
    [`  network ${'n'.repeat(64)} = 10.0.0.0/8`, 'MSGR017@8:11 a 64-character name'],
    ['  server srv { sip tls }', ''],
    ['  clients cl {', ''],
    ['    server srv via tls', ''],
    ['    features im, audio', ''],
    ['    media ports 50039-50000', 'MSGR023@13:17 a reversed media range'],
    ['  }', ''],
    ['  clients srv {', ''],
    ['    server srv via tls', ''],
    ['    features im, audio', ''],
    ['    media ports 65530-65540', 'MSGR021@18:23 a media range past 65535'],
    ['  }', ''],
    ['  firewall fw {', ''],
    ['    on srv', ''],
    ['    targets nftables', ''],
    ['    allow tcp 0 from cl', 'MSGR021@23:15 port 0'],
    ['    allow tcp 65536 from cl', 'MSGR021@24:15 port 65536'],
    [`    allow tcp ${'9'.repeat(30)} from cl`, 'MSGR021@25:15 a port of 30 digits'],
    ['    allow tcp 7100-7000 from cl', 'MSGR023@26:15 a reversed rule range'],
    ['  }', ''],
    ['}', ''],
  ];
  const c = check(file('ranges.msgr', `${lines.map(([l]) => l).join('\n')}\n`));

  it.each(lines.filter(([, want]) => want).map(([, want]) => want!.split(' ')))('%s: %s', (code) => {
    expect(c.code).toBe(1);
    expect(c.codes).toContain(code);
  });

  it('a reversed range names the corrected one in its hint', () => {
    const hints = c.out.diagnostics.filter((d: { code: string }) => d.code === 'MSGR023').map((d: { hint: string }) => d.hint);
    expect(hints).toEqual(['write 50000-50039', 'write 7000-7100']);
  });
});

describe('large and deep policies finish in seconds, or get MSGR050 at once', () => {
  const contosoWith = (extra: string, on = 'lcs') =>
    CONTOSO.replace('  network peers    = clients, partners', `  network peers    = clients, partners\n${extra}`).replace('    on lcs\n', `    on ${on}\n`);

  it('a 10 MB policy: MSGR050, exit 1, in well under 30 s', () => {
    const line = '  network n = 10.0.0.0/8   # padding padding padding padding padding padding\n';
    const text = `deployment big {\n${line.repeat(Math.ceil(10_000_000 / line.length))}}\n`;
    expect(text.length).toBeGreaterThan(10_000_000);
    const r = msgrfw(['compile', file('ten-mb.msgr', text), '--out-dir', join(dir, 'out-10mb')]);
    timings.push(`10 MB policy ${r.ms} ms (MSGR050)`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ten-mb\.msgr:1:1: error MSGR050: policy of 9\.\d MiB; at most 4 MiB is read/);
    expect(r.stderr.length).toBeLessThan(2000);
    expectClean(r);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('100,000 networks: compiles (the firewall on the last one)', () => {
    const nets = Array.from({ length: 100_000 }, (_, i) => `  network n${i} = 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}\n`).join('');
    const r = msgrfw(['compile', file('many.msgr', contosoWith(nets, 'n99999')), '-t', 'nftables', '-f', 'lcs-host', '-o', '-']);
    timings.push(`100,000 networks ${r.ms} ms`);
    expect(r.code, r.stderr.slice(0, 500)).toBe(0);
    expect(r.stdout).toMatch(/table inet msgr_lcs-host/);
    expectClean(r);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('a chain of 100,000 network references: compiles; a cycle through 10,000: one MSGR012', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => `  network c${i} = ${i === 0 ? '10.200.0.0/16' : `c${i - 1}`}\n`).join('');
    const r = msgrfw(['ir', file('chain.msgr', contosoWith(chain, 'c99999'))]);
    timings.push(`100,000-deep chain ${r.ms} ms`);
    expect(r.code, r.stderr.slice(0, 500)).toBe(0);
    const fw = JSON.parse(r.stdout).firewalls.find((f: { name: string }) => f.name === 'lcs-host');
    expect(fw.placement.on).toBe('c99999');
    expect(fw.addressSets.find((s: { name: string }) => s.name === fw.placement.set).ipv4).toEqual(['10.200.0.0/16']);
    expectClean(r);
    expect(r.ms).toBeLessThan(30_000);

    const cycle = Array.from({ length: 10_000 }, (_, i) => `  network c${i} = c${(i + 9_999) % 10_000}\n`).join('');
    const c = check(file('cycle.msgr', contosoWith(cycle, 'c9999')));
    expect(c.code).toBe(1);
    expect(c.codes.filter((x) => x.startsWith('MSGR012'))).toHaveLength(1);
  });

  it('a firewall with more than 50,000 plain rules: MSGR050', () => {
    const rules = Array.from({ length: 50_001 }, (_, i) => `    allow tcp ${(i % 65535) + 1} from admins\n`).join('');
    const text = CONTOSO.replace('    allow tcp 22 from admins      # a plain rule for traffic that is not Messenger\'s\n', rules);
    const c = check(file('rules.msgr', text));
    expect(c.code).toBe(1);
    const errors = c.out.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
    expect(errors.map((d: { code: string; line: number }) => `${d.code}@${d.line}`)).toEqual([`MSGR050@${CONTOSO.split('\n').findIndex((l) => l.includes('allow tcp 22 from admins')) + 50_001}`]);
    expect(errors[0].message).toMatch(/more than 50,000 plain rules/);
  });

  it('megabyte tokens and lines: a name, a string, a name of dashes, a line of 50,000 errors', () => {
    const cases: [string, string, RegExp][] = [
      // A 10 MB description and a name of 2.5 million `a-` once overflowed the regular
      // expression engine's stack (an internal error): the lexer's patterns no longer repeat a
      // group per character, names stop at 63 characters (MSGR017), policies at 4 MiB (MSGR050).
      ['long-name.msgr', `deployment ${'a'.repeat(2_000_000)} {\n}\n`, /MSGR017/],
      ['dashes.msgr', `deployment ${'a-'.repeat(1_000_000)}a {\n}\n`, /MSGR017/],
      ['long-string.msgr', `deployment d {\n  description "${'x'.repeat(4_000_000)}"\n}\n`, /^$/],
      ['escapes.msgr', `deployment d {\n  description "${'\\"'.repeat(2_000_000)}"\n}\n`, /^$/],
      ['errors.msgr', `deployment d {\n  network a = ${Array.from({ length: 50_000 }, (_, i) => `x${i}`).join(',')}\n}\n`, /MSGR010/],
    ];
    for (const [name, text, want] of cases) {
      const r = msgrfw(['check', file(name, text)]);
      timings.push(`${name} ${r.ms} ms`);
      expect(r.code, name).toBe(want.source === '^$' ? 0 : 1);
      expect(r.stdout, name).toMatch(want.source === '^$' ? /ok/ : want);
      expectClean(r);
      // A diagnostic quotes a window of its line, never the whole megabytes.
      for (const l of r.stdout.split('\n').slice(0, 50)) expect(l.length, name).toBeLessThan(400);
      expect(r.ms, name).toBeLessThan(30_000);
    }
  });
});

describe('usage errors: exit 2 and a message, never a stack trace', () => {
  it.each([[['compile', 'x.msgr', '-t', 'iptables6']], [['compile', 'x.msgr', '-o', 'a', '--out-dir', 'b']], [['check']]])('%j', (args) => {
    file('x.msgr', CONTOSO);
    const r = msgrfw(args);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeGreaterThan(0);
    expectClean(r);
  });
});
