import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { diffPolicies, isAllAddresses, isAllPorts, type PolicyDiff, type PolicyVersion, type TrafficClass } from '../../src/diff/diff.js';
import { renderDiffMarkdown } from '../../src/diff/markdown.js';
import { msgrfw } from '../cli/run.js';
import { EXAMPLES } from '../helpers.js';

const CONTOSO = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
/** Wider media (newly allowed on edge and desktop) and a plain deny on desktop (newly denied). */
const CHANGED = CONTOSO.replace('media ports 50000-50039', 'media ports 50000-50059').replace('allow tcp 22 from admins', 'allow tcp 22 from admins\n    deny udp 53 to partners');

function version(text: string, file: string): PolicyVersion {
  const { ir, diagnostics } = compilePolicy(text, file);
  if (!ir) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return { ir, source: { file, text } };
}
const diffOf = (a: string, b: string, files: [string, string] = ['old.msgr', 'new.msgr']) => diffPolicies(version(a, files[0]), version(b, files[1]));

/** A reader of the report: per firewall heading, the rows of each table, as the diff's own classes. */
function tablesOf(md: string): Record<string, { allowed: string[]; denied: string[] }> {
  const out: Record<string, { allowed: string[]; denied: string[] }> = {};
  let firewall = '';
  let kind: 'allowed' | 'denied' = 'allowed';
  for (const line of md.split('\n')) {
    const heading = /^#### Firewall `([^`]+)`/.exec(line);
    if (heading) out[(firewall = heading[1]!)] = { allowed: [], denied: [] };
    if (/^\*\*➕/.test(line)) kind = 'allowed';
    if (/^\*\*➖/.test(line)) kind = 'denied';
    const cells = /^\| (tcp|udp|icmp) \|(.*)\|$/.exec(line);
    if (cells) out[firewall]![kind].push([cells[1], ...cells[2]!.split('|').map((c) => c.trim())].join(' '));
  }
  return out;
}

/** A class as the Markdown table writes it. */
const asRow = (t: TrafficClass) =>
  [t.protocol, t.direction, `IPv${t.family}`, isAllAddresses(t.src, t.family) ? 'any' : t.src.join('<br>'), isAllAddresses(t.dst, t.family) ? 'any' : t.dst.join('<br>'), ...(t.icmpTypes ? ['', `type ${t.icmpTypes.join(', ')}`] : [ports(t.srcPorts!), ports(t.dstPorts!)])].join(' ');
const ports = (l: string[]) => (isAllPorts(l) ? 'any' : l.join(', '));

function expectedTables(d: PolicyDiff) {
  return Object.fromEntries(
    d.firewalls.filter((f) => f.status === 'changed').map((f) => [f.name, { allowed: f.newlyAllowed.flatMap((c) => c.classes.map(asRow)), denied: f.newlyDenied.flatMap((c) => c.classes.map(asRow)) }]),
  );
}

/** Every fenced block: its fence, and the lines inside. */
function fences(md: string): { fence: string; body: string[] }[] {
  const out: { fence: string; body: string[] }[] = [];
  let open: { fence: string; body: string[] } | undefined;
  for (const raw of md.split('\n')) {
    const line = raw.trimStart();
    if (open) {
      if (line === open.fence) {
        out.push(open);
        open = undefined;
      } else open.body.push(line);
    } else {
      const m = /^(`{3,})[a-z]*$/.exec(line);
      if (m) open = { fence: m[1]!, body: [] };
    }
  }
  expect(open, 'a fence is left open').toBeUndefined();
  return out;
}

describe('diff --format markdown', () => {
  it('tables exactly the traffic the diff computes, per firewall, newly allowed and newly denied', () => {
    const d = diffOf(CONTOSO, CHANGED);
    const md = renderDiffMarkdown(d);
    expect(md).toMatch(/^### msgrfw diff: `old\.msgr` → `new\.msgr`\n\n\*\*2 firewall\(s\) allow other connections than before\.\*\*\n/);
    expect(tablesOf(md)).toEqual(expectedTables(d));
    expect(tablesOf(md).desktop!.denied).toEqual(['udp output IPv4 10.20.0.0/16 198.51.100.0/24 any 53']);
    expect(md).toContain('\nNo change in allowed traffic: `lcs-host`.\n');
  });

  it('says what decides the traffic now and before, with the policy lines in code blocks, and folds the rules away', () => {
    const md = renderDiffMarkdown(diffOf(CONTOSO, CHANGED));
    expect(md).toContain('- **now:** accepted by rule r3, r4 (Messenger rtp)\n\n  ```\n  new.msgr:18: features im, presence');
    expect(md).toContain('- **before:** dropped by the forward default (deny)\n\n  ```\n  old.msgr:27: default deny\n  ```\n');
    expect(md).toContain('<details><summary><code>desktop</code>: rules added (2) and removed (1)</summary>\n\n```diff\n+ output drop udp ipv4 from any to partners (198.51.100.0/24) dport 53\n');
    expect(md).not.toMatch(/\n{3}/);
  });

  it('reports added and removed firewalls, notes, and no change', () => {
    const withoutLcs = CONTOSO.replace(/\n  firewall lcs-host \{[^}]*\}\n/, '\n').replace('targets nftables, pf', 'targets nftables');
    const md = renderDiffMarkdown(diffOf(CONTOSO, withoutLcs));
    expect(md).toContain('#### Firewall `lcs-host` removed (was host firewall on lcs)');
    expect(md).toMatch(/- note \(`edge`\): .*pf/);
    expect(renderDiffMarkdown(diffOf(withoutLcs, CONTOSO))).toContain('#### Firewall `lcs-host` added (host firewall on lcs)');
    expect(renderDiffMarkdown(diffOf(CONTOSO, CONTOSO))).toMatch(/\*\*No change in allowed traffic\.\*\*\n\nNo change in allowed traffic: `edge`, `desktop`, `lcs-host`\.\n$/);
  });

  it('lets nothing from the policy act as markup: quoted lines stay inside fences no backtick run can close, file names cannot break out', () => {
    const hostile = CHANGED.replace('# a plain rule for traffic that is not Messenger\'s', '# ```` </details> <img src=x onerror=alert(1)> @octocat | *bold* [link](http://x)');
    const d = diffOf(CONTOSO, hostile, ['old `x`.msgr', 'new\n```\n<b>.msgr']);
    const md = renderDiffMarkdown(d);
    for (const block of fences(md)) {
      const longest = Math.max(0, ...block.body.flatMap((l) => (l.match(/`+/g) ?? []).map((r) => r.length)));
      expect(block.fence.length).toBeGreaterThan(longest);
    }
    const quoted = fences(md).flatMap((b) => b.body).filter((l) => l.includes('<img'));
    expect(quoted.length).toBeGreaterThan(0);
    // Outside the fences and the heading's code spans (checked below), no raw tag or mention from the input.
    const outside = md.split(/^ *`{3,}[a-z]*$[^]*?^ *`{3,}$/m).join('').split('\n').slice(1).join('\n');
    expect(outside).not.toMatch(/<img|<b>|[^\\]@octocat/);
    expect(md.split('\n')[0]).toBe('### msgrfw diff: ``old `x`.msgr`` → ````new\\n```\\n<b>.msgr````');
    expect(tablesOf(md)).toEqual(expectedTables(d));
  });

  it('is a format of the command: same exit statuses as text, errors reported as text', () => {
    const same = msgrfw(['diff', '--format', 'markdown', '-', 'examples/contoso.msgr'], CONTOSO);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('**No change in allowed traffic.**');
    const changed = msgrfw(['diff', '--format', 'markdown', 'examples/contoso.msgr', '-'], CHANGED);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toBe(renderDiffMarkdown(diffOf(CONTOSO, CHANGED, ['examples/contoso.msgr', '<stdin>'])));
    const broken = msgrfw(['diff', '--format', 'markdown', 'examples/contoso.msgr', '-'], 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(/^<stdin>:2:15: error MSGR014: /);
  });
});
