import { lineText } from '../explain/render.js';
import type { QuotedLine } from '../explain/source.js';
import { isAllAddresses, isAllPorts, type Cause, type Change, type FirewallDiff, type PolicyDiff, type TrafficClass } from './diff.js';
import { causeText } from './render.js';

/**
 * The diff as GitHub-flavoured Markdown, for a pull request comment: per firewall, a table of
 * the connections newly allowed and newly denied, what decides them now and before with the
 * policy lines quoted, and the rules added and removed, folded.
 *
 * A comment is rendered by the code host, so nothing taken from the policy may act as markup:
 * quoted policy lines (already free of control characters, see explain/source.ts) and rule texts
 * go into fenced code blocks whose fence is longer than any backtick run inside; file names and
 * notes are escaped. Addresses, ports and names (letters, digits, `_`, `-`) carry no markup.
 */
export function renderDiffMarkdown(d: PolicyDiff): string {
  const changed = d.firewalls.filter((f) => f.status !== 'unchanged');
  const out = [
    `### msgrfw diff: ${code(d.old)} → ${code(d.new)}`,
    '',
    changed.length ? `**${changed.length} firewall(s) allow other connections than before.**` : '**No change in allowed traffic.**',
  ];
  for (const fw of changed) out.push('', ...firewallSection(fw));
  const same = d.firewalls.filter((f) => f.status === 'unchanged');
  if (same.length) {
    out.push('', `No change in allowed traffic: ${same.map((f) => code(f.name)).join(', ')}.`);
    for (const fw of same) out.push(...notesAndRules(fw));
  }
  // One blank line between blocks, however the sections met.
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function firewallSection(fw: FirewallDiff): string[] {
  if (fw.status === 'added') return [`#### Firewall ${code(fw.name)} added (${escape(fw.placement.new ?? '')})`];
  if (fw.status === 'removed') return [`#### Firewall ${code(fw.name)} removed (was ${escape(fw.placement.old ?? '')})`];
  const out = [`#### Firewall ${code(fw.name)} (${escape(fw.placement.new ?? '')}): allowed traffic changed`];
  for (const c of fw.newlyAllowed) out.push('', ...changeSection(c, 'allowed'));
  for (const c of fw.newlyDenied) out.push('', ...changeSection(c, 'denied'));
  out.push(...notesAndRules(fw));
  return out;
}

/** A firewall's notes, and its rules added and removed folded away (a reviewer reads the traffic first). */
function notesAndRules(fw: FirewallDiff): string[] {
  const out: string[] = [];
  if (fw.notes.length) out.push('', ...fw.notes.map((n) => `- note (${code(fw.name)}): ${escape(n)}`));
  const { added, removed } = fw.rules;
  if (added.length || removed.length) {
    out.push(
      '',
      // A name is letters, digits, `_` and `-`: nothing HTML reads.
      `<details><summary><code>${fw.name}</code>: rules added (${added.length}) and removed (${removed.length})</summary>`,
      '',
      ...fenced('diff', [...added.map((r) => `+ ${r}`), ...removed.map((r) => `- ${r}`)]),
      '',
      '</details>',
    );
  }
  return out;
}

function changeSection(c: Change, kind: 'allowed' | 'denied'): string[] {
  const heading =
    kind === 'allowed' ? (c.old.kind === 'unjudged' ? '➕ Newly allowed (the firewall did not judge it before)' : '➕ Newly allowed')
    : c.new.kind === 'unjudged' ? '➖ No longer allowed by this firewall (it does not judge it now)' : '➖ Newly denied';
  const [first, second] = kind === 'allowed' ? ([['now', c.new], ['before', c.old]] as const) : ([['before', c.old], ['now', c.new]] as const);
  return [
    `**${heading}**`,
    '',
    '| protocol | direction | family | source | destination | source ports | destination ports |',
    '|---|---|---|---|---|---|---|',
    ...c.classes.map(row),
    '',
    ...causeItem(first[0], first[1]),
    ...causeItem(second[0], second[1]),
  ];
}

function row(t: TrafficClass): string {
  const addrs = (l: string[]) => (isAllAddresses(l, t.family) ? 'any' : l.join('<br>'));
  const ports = (l: string[]) => (isAllPorts(l) ? 'any' : l.join(', '));
  // An ICMP class has no ports: its queries stand in the destination column, as the text diff writes them.
  const [from, to] = t.icmpTypes ? ['', `type ${t.icmpTypes.join(', ')}`] : [ports(t.srcPorts ?? []), ports(t.dstPorts ?? [])];
  return `| ${t.protocol} | ${t.direction} | IPv${t.family} | ${addrs(t.src)} | ${addrs(t.dst)} | ${from} | ${to} |`;
}

function causeItem(when: 'now' | 'before', c: Cause): string[] {
  const item = `- **${when}:** ${escape(causeText(c))}`;
  return c.lines.length ? [item, '', ...fenced('', c.lines.map((l: QuotedLine) => lineText(l))).map((l) => (l ? `  ${l}` : l)), ''] : [item];
}

/** A fenced code block that nothing inside can close: the fence is longer than any backtick run. */
function fenced(info: string, texts: readonly string[]): string[] {
  const lines = texts.map(singleLine);
  const longest = Math.max(0, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, ...lines, fence];
}

/** Inline code that its text cannot close, for names and file paths. */
function code(text: string): string {
  const s = singleLine(text);
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${s}${pad}${ticks}`;
}

/**
 * Text inside a line where Markdown and HTML mean nothing: emphasis, code, links, tables,
 * strikethrough, mentions and tags escaped. (Characters that act only at the start of a line
 * never start one here: every escaped text follows fixed words.)
 */
function escape(s: string): string {
  return singleLine(s).replace(/[\\`*_[\]|~@<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

/** A line break inside a text (a file name may hold one) would end a table row or a fence: shown escaped. */
const singleLine = (s: string) => s.replace(/[\r\n]/g, (c) => (c === '\r' ? '\\r' : '\\n'));
