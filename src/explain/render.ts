import type { ExplainedEvaluation, ExplainedNewConnection, Explanation } from './explain.js';
import type { QuotedLine } from './source.js';
import type { TargetNote } from '../ir/targets.js';

const VERDICT_TEXT: Record<ExplainedEvaluation['verdict'], string> = {
  accept: 'ACCEPT',
  drop: 'DROP',
  'return-only': 'DROP as a new connection; passes as return traffic',
  'not-seen': 'not filtered by this firewall',
};

/** The explanation as text for a person: one paragraph per firewall and direction. */
export function renderExplanation(x: Explanation): string {
  const what = x.packet.protocol === 'icmp' ? 'a query, which opens an exchange its reply belongs to' : 'the opening packet of a new connection';
  const out = [`packet: ${x.packet.text} (IPv${x.packet.family}, ${what})`];
  if (x.evaluations.length === 0) out.push('', 'no firewall of the policy judges this packet: none filters it');
  for (const e of x.evaluations) out.push('', ...renderEvaluation(e));
  return `${out.join('\n')}\n`;
}

function renderEvaluation(e: ExplainedEvaluation): string[] {
  return [...renderDecision(e), ...e.targets.map((t) => `  ${targetNoteText(t)}`)];
}

/** `target netsh: refuses this firewall (MSGR060, compile writes nothing for it): …` */
export function targetNoteText(t: TargetNote): string {
  const what = t.code === 'MSGR060' ? 'refuses this firewall (MSGR060, compile writes nothing for it)' : 'writes this firewall only approximately (MSGR061)';
  return `target ${t.target} ${what}: ${t.message}`;
}

function renderDecision(e: ExplainedEvaluation): string[] {
  const where = e.direction ? `, ${e.direction}` : '';
  const head = `${e.firewall} (${e.placement})${where}: ${VERDICT_TEXT[e.verdict]}`;
  const d = e.decidedBy;
  if (d.kind === 'not-seen') return [head, `  ${d.reason}`];
  if (d.kind === 'others') {
    return [
      head,
      `  forwarded between none of the gateway's zones (if routed through it): others ${d.verdict === 'drop' ? 'deny' : 'accept'}`,
      '  policy lines:',
      ...d.lines.map((l) => `    ${lineText(l)}`),
    ];
  }
  if (d.kind !== 'return-traffic') return [head, ...renderNewConnection(d, '  ')];
  return [
    head,
    '  as a new connection:',
    ...renderNewConnection(d.asNewConnection, '    '),
    `  allowed as return traffic of a connection opened by the other side: ${d.reverse.text} (${d.direction})`,
    ...renderNewConnection(d.openedBy, '    '),
  ];
}

function renderNewConnection(d: ExplainedNewConnection, indent: string): string[] {
  const lines: string[] = [];
  if (d.kind === 'rule') {
    lines.push(`${indent}rule ${d.rule.id}: ${d.rule.match}`);
    for (const c of d.rule.catalog) lines.push(`${indent}Messenger ${c.id}: ${c.summary}`, `${indent}  source: ${c.source}`);
    if (d.rule.catalog.length === 0) lines.push(`${indent}a plain rule of the firewall (not Messenger's)`);
  } else {
    const why = d.written ? '' : ` (the policy leaves ${d.direction === 'output' ? '`outbound`' : '`default`'} out: ${d.verdict === 'drop' ? 'deny' : 'accept'})`;
    lines.push(`${indent}no rule matches: the firewall's ${d.direction} default is ${d.verdict}${why}`);
  }
  lines.push(`${indent}policy lines:`, ...d.lines.map((l) => `${indent}  ${lineText(l)}`));
  return lines;
}

export const lineText = (l: QuotedLine) => `${l.file}:${l.line}: ${l.source}`;
